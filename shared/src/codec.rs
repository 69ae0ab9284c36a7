//! A compact, versioned binary form for what the agent keeps in the browser's storage (the
//! visit's engine state, the profile, the outbox).
//!
//! Why not serde: in the browser, serde's derived deserializers for these types plus a
//! JS-value deserializer cost tens of kilobytes of wasm; this codec costs a few. Each type
//! says its fields once ([`codec!`]); decoding checks every length and tag and returns
//! `None` on anything foreign, so a corrupt or tampered value is reset, never trusted.
//! Stored as a string of chars U+0000..U+00FF (one per byte), prefixed with a version.

use std::collections::{BTreeMap, VecDeque};

/// The codec format this build writes; bumped when any encoded type changes.
pub const VERSION: u8 = 1;
/// Longest string or list decoded (a guard against tampered lengths).
const MAX_LEN: usize = 1 << 20;

/// Bytes being written.
#[derive(Debug, Default)]
pub struct Writer(Vec<u8>);

/// Bytes being read.
#[derive(Debug)]
pub struct Reader<'a>(&'a [u8]);

impl Writer {
    fn byte(&mut self, b: u8) {
        self.0.push(b);
    }
    /// Unsigned LEB128.
    fn uint(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(b);
                return;
            }
            self.0.push(b | 0x80);
        }
    }
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn uint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }
    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.uint()?).ok()?;
        (n <= MAX_LEN && n <= self.0.len().max(1) * 8).then_some(n)
    }
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
}

/// A type with a stored form.
pub trait Codec: Sized {
    /// Appends the stored form.
    fn put(&self, w: &mut Writer);
    /// Reads the stored form; `None` when it is not one.
    fn get(r: &mut Reader<'_>) -> Option<Self>;
}

/// Encodes `value` as a storable string.
pub fn encode<T: Codec>(value: &T) -> String {
    let mut w = Writer(vec![VERSION]);
    value.put(&mut w);
    w.0.iter().map(|&b| char::from(b)).collect()
}

/// Decodes a string from [`encode`]; `None` for anything else (another version, another
/// script's value, a truncated or tampered one).
pub fn decode<T: Codec>(text: &str) -> Option<T> {
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<_>>()?;
    let mut r = Reader(&bytes);
    if r.byte()? != VERSION {
        return None;
    }
    let value = T::get(&mut r)?;
    r.0.is_empty().then_some(value)
}

macro_rules! uint_codec {
    ($($t:ty),*) => {$(
        impl Codec for $t {
            fn put(&self, w: &mut Writer) {
                w.uint(*self as u64);
            }
            fn get(r: &mut Reader<'_>) -> Option<Self> {
                <$t>::try_from(r.uint()?).ok()
            }
        }
    )*};
}
uint_codec!(u8, u16, u32, u64, usize);

impl Codec for i32 {
    fn put(&self, w: &mut Writer) {
        // Zigzag, so small negatives stay small.
        w.uint(u64::from(((*self << 1) ^ (*self >> 31)) as u32));
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let z = u32::try_from(r.uint()?).ok()?;
        Some(((z >> 1) as i32) ^ -((z & 1) as i32))
    }
}

impl Codec for bool {
    fn put(&self, w: &mut Writer) {
        w.byte(u8::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        match r.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

impl Codec for f32 {
    fn put(&self, w: &mut Writer) {
        w.0.extend_from_slice(&self.to_le_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(f32::from_le_bytes(r.take(4)?.try_into().ok()?))
    }
}

impl Codec for f64 {
    fn put(&self, w: &mut Writer) {
        w.0.extend_from_slice(&self.to_le_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(f64::from_le_bytes(r.take(8)?.try_into().ok()?))
    }
}

impl Codec for String {
    fn put(&self, w: &mut Writer) {
        w.uint(self.len() as u64);
        w.0.extend_from_slice(self.as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let n = r.len()?;
        String::from_utf8(r.take(n)?.to_vec()).ok()
    }
}

impl<T: Codec> Codec for Option<T> {
    fn put(&self, w: &mut Writer) {
        match self {
            None => w.byte(0),
            Some(v) => {
                w.byte(1);
                v.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        match r.byte()? {
            0 => Some(None),
            1 => Some(Some(T::get(r)?)),
            _ => None,
        }
    }
}

impl<T: Codec> Codec for Vec<T> {
    fn put(&self, w: &mut Writer) {
        w.uint(self.len() as u64);
        for x in self {
            x.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        // A loop, not `collect::<Option<_>>()`: smaller in the browser's wasm.
        let n = r.len()?;
        let mut out = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            out.push(T::get(r)?);
        }
        Some(out)
    }
}

impl<T: Codec> Codec for VecDeque<T> {
    fn put(&self, w: &mut Writer) {
        w.uint(self.len() as u64);
        for x in self {
            x.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Vec::<T>::get(r).map(VecDeque::from)
    }
}

impl<V: Codec> Codec for BTreeMap<String, V> {
    fn put(&self, w: &mut Writer) {
        w.uint(self.len() as u64);
        for (k, v) in self {
            k.put(w);
            v.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let n = r.len()?;
        (0..n)
            .map(|_| Some((String::get(r)?, V::get(r)?)))
            .collect()
    }
}

impl<T: Codec + Copy + Default, const N: usize> Codec for [T; N] {
    fn put(&self, w: &mut Writer) {
        for x in self {
            x.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let mut out = [T::default(); N];
        for x in &mut out {
            *x = T::get(r)?;
        }
        Some(out)
    }
}

impl<A: Codec, B: Codec> Codec for (A, B) {
    fn put(&self, w: &mut Writer) {
        self.0.put(w);
        self.1.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some((A::get(r)?, B::get(r)?))
    }
}

impl<A: Codec, B: Codec, C: Codec> Codec for (A, B, C) {
    fn put(&self, w: &mut Writer) {
        self.0.put(w);
        self.1.put(w);
        self.2.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some((A::get(r)?, B::get(r)?, C::get(r)?))
    }
}

/// Implements [`Codec`] for a struct by its fields, in order: `codec!(Name { a, b, c });`.
/// Must be invoked where the fields are visible.
#[macro_export]
macro_rules! codec {
    ($name:ident { $($field:ident),* $(,)? }) => {
        impl $crate::codec::Codec for $name {
            fn put(&self, w: &mut $crate::codec::Writer) {
                $( $crate::codec::Codec::put(&self.$field, w); )*
            }
            fn get(r: &mut $crate::codec::Reader<'_>) -> Option<Self> {
                Some($name { $( $field: $crate::codec::Codec::get(r)?, )* })
            }
        }
    };
}
pub use codec;

/// Implements [`Codec`] for a fieldless enum by its position in a list of its values.
#[macro_export]
macro_rules! codec_enum {
    ($name:ident: $all:expr) => {
        impl $crate::codec::Codec for $name {
            fn put(&self, w: &mut $crate::codec::Writer) {
                let i = $all.iter().position(|v| v == self).unwrap_or(0);
                $crate::codec::Codec::put(&(i as u8), w);
            }
            fn get(r: &mut $crate::codec::Reader<'_>) -> Option<Self> {
                let i: u8 = $crate::codec::Codec::get(r)?;
                $all.get(usize::from(i)).copied()
            }
        }
    };
}
pub use codec_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Sample {
        a: u64,
        b: i32,
        c: Option<String>,
        d: Vec<(u16, bool)>,
        e: [f32; 2],
        f: BTreeMap<String, u64>,
    }
    codec!(Sample { a, b, c, d, e, f });

    fn sample() -> Sample {
        Sample {
            a: u64::MAX,
            b: -7,
            c: Some("é ✓".into()),
            d: vec![(300, true), (0, false)],
            e: [0.25, -1.5],
            f: [("x".to_owned(), 1u64)].into_iter().collect(),
        }
    }

    #[test]
    fn values_round_trip() {
        let text = encode(&sample());
        assert!(text.chars().all(|c| u32::from(c) < 256));
        assert_eq!(decode::<Sample>(&text), Some(sample()));
    }

    #[test]
    fn anything_foreign_is_refused() {
        let text = encode(&sample());
        for bad in [
            String::new(),
            "{\"v\":1}".to_owned(),
            text[..text.len() - 1].to_owned(),
            format!("{text}x"),
            text.replacen('\u{1}', "\u{2}", 1),
            "\u{1}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{1}".to_owned(),
        ] {
            assert_eq!(decode::<Sample>(&bad), None, "{bad:?}");
        }
    }
}
