//! A compact, versioned binary form for what the agent keeps in the browser's storage (the
//! visit's engine state, the profile, the outbox).
//!
//! Why not serde: in the browser, serde's derived deserializers for these types plus a
//! JS-value deserializer cost tens of kilobytes of wasm; this codec costs a few. Each type
//! says its fields once ([`codec!`]); decoding checks every length and tag and returns
//! `None` on anything foreign, so a corrupt or tampered value is reset, never trusted.
//!
//! Decoding never returns early: a [`Reader`] that meets something wrong is spoiled (it
//! reads as empty from then on and its values are zeros), and [`decode`] refuses a spoiled
//! read at the end. Early returns would give every field of every struct its own clean-up
//! path, which was most of the decoder's weight in wasm.
//! Stored as a string of chars U+0000..U+00FF (one per byte), prefixed with a version.

use crate::prelude::*;

use alloc::collections::{BTreeMap, VecDeque};

/// The codec format this build writes; bumped when any encoded type changes.
pub const VERSION: u8 = 1;
/// Longest string or list decoded (a guard against tampered lengths).
const MAX_LEN: usize = 1 << 20;

/// Bytes being written.
#[derive(Debug, Default)]
pub struct Writer(Vec<u8>);

/// Bytes being read; spoiled by the first thing that is not a stored form. The support
/// crate's spoiled reader, with this form's limits on lengths and tags.
#[derive(Debug)]
pub struct Reader<'a>(lifeline_support::codec::Reader<'a>);

impl Writer {
    fn byte(&mut self, b: u8) {
        self.0.push(b);
    }
    /// Unsigned LEB128.
    fn uint(&mut self, v: u64) {
        lifeline_support::codec::push_num(&mut self.0, v);
    }
}

impl Reader<'_> {
    /// Marks the read as spoiled: nothing more is read and [`decode`] refuses it.
    pub fn spoil(&mut self) {
        self.0.spoil();
    }
    /// Spoils the read unless `holds`.
    pub fn require(&mut self, holds: bool) {
        if !holds {
            self.spoil();
        }
    }
    fn byte(&mut self) -> u8 {
        self.0.byte()
    }
    fn uint(&mut self) -> u64 {
        self.0.num()
    }
    /// A length: bounded, and never more than the bytes left could hold.
    fn len(&mut self) -> usize {
        let n = usize::try_from(self.uint()).unwrap_or(usize::MAX);
        if n <= MAX_LEN && n <= self.0.left().max(1) * 8 {
            n
        } else {
            self.spoil();
            0
        }
    }
    fn take(&mut self, n: usize) -> &[u8] {
        self.0.take(n)
    }
    /// A tag below `count`; `0` (and spoiled) otherwise.
    pub fn tag(&mut self, count: u8) -> u8 {
        let t = self.byte();
        self.require(t < count);
        if t < count { t } else { 0 }
    }
}

/// A type with a stored form.
pub trait Codec: Sized {
    /// Appends the stored form.
    fn put(&self, w: &mut Writer);
    /// Reads the stored form; when it is not one, spoils `r` and returns any value.
    fn get(r: &mut Reader<'_>) -> Self;
}

/// Encodes `value` as a storable string.
pub fn encode<T: Codec>(value: &T) -> String {
    encode_pair(value, &())
}

/// Encodes two values as one storable string, read back as the tuple `(A, B)` (or a struct
/// of those two fields) without cloning them into one first.
pub fn encode_pair<A: Codec, B: Codec>(a: &A, b: &B) -> String {
    let mut w = Writer(vec![VERSION]);
    a.put(&mut w);
    b.put(&mut w);
    w.0.iter().map(|&b| char::from(b)).collect()
}

/// Nothing: stored as no bytes.
impl Codec for () {
    fn put(&self, _: &mut Writer) {}
    fn get(_: &mut Reader<'_>) -> Self {}
}

/// Decodes a string from [`encode`]; `None` for anything else (another version, another
/// script's value, a truncated or tampered one).
pub fn decode<T: Codec>(text: &str) -> Option<T> {
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<_>>()?;
    let mut r = Reader(lifeline_support::codec::Reader::new(&bytes));
    if r.byte() != VERSION {
        return None;
    }
    let value = T::get(&mut r);
    r.0.is_done().then_some(value)
}

macro_rules! uint_codec {
    ($($t:ty),*) => {$(
        impl Codec for $t {
            fn put(&self, w: &mut Writer) {
                w.uint(*self as u64);
            }
            fn get(r: &mut Reader<'_>) -> Self {
                let v = <$t>::try_from(r.uint());
                r.require(v.is_ok());
                v.unwrap_or(0)
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
    fn get(r: &mut Reader<'_>) -> Self {
        let z = u32::get(r);
        ((z >> 1) as i32) ^ -((z & 1) as i32)
    }
}

impl Codec for bool {
    fn put(&self, w: &mut Writer) {
        w.byte(u8::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Self {
        r.tag(2) == 1
    }
}

impl Codec for f32 {
    fn put(&self, w: &mut Writer) {
        w.0.extend_from_slice(&self.to_le_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Self {
        f32::from_le_bytes(r.take(4).try_into().unwrap_or_default())
    }
}

impl Codec for f64 {
    fn put(&self, w: &mut Writer) {
        w.0.extend_from_slice(&self.to_le_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Self {
        f64::from_le_bytes(r.take(8).try_into().unwrap_or_default())
    }
}

impl Codec for String {
    fn put(&self, w: &mut Writer) {
        w.uint(self.len() as u64);
        w.0.extend_from_slice(self.as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let n = r.len();
        // Decoded by hand (`lifeline_support::codec::utf8`): the standard library's
        // validator is several times the size in the agent's wasm.
        let text = lifeline_support::codec::utf8(r.take(n));
        r.require(text.is_some());
        text.unwrap_or_default()
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
    fn get(r: &mut Reader<'_>) -> Self {
        (r.tag(2) == 1).then(|| T::get(r))
    }
}

impl<T: Codec> Codec for Vec<T> {
    fn put(&self, w: &mut Writer) {
        w.uint(self.len() as u64);
        for x in self {
            x.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let n = r.len();
        let mut out = Vec::with_capacity(n.min(64));
        // A spoiled reader reads as empty: stop there rather than make `n` zeros.
        while out.len() < n && r.0.is_sound() {
            out.push(T::get(r));
        }
        out
    }
}

impl<T: Codec> Codec for VecDeque<T> {
    fn put(&self, w: &mut Writer) {
        w.uint(self.len() as u64);
        for x in self {
            x.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        Vec::<T>::get(r).into()
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
    fn get(r: &mut Reader<'_>) -> Self {
        Vec::<(String, V)>::get(r).into_iter().collect()
    }
}

impl<T: Codec + Copy + Default, const N: usize> Codec for [T; N] {
    fn put(&self, w: &mut Writer) {
        for x in self {
            x.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let mut out = [T::default(); N];
        for x in &mut out {
            *x = T::get(r);
        }
        out
    }
}

impl<A: Codec, B: Codec> Codec for (A, B) {
    fn put(&self, w: &mut Writer) {
        self.0.put(w);
        self.1.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        (A::get(r), B::get(r))
    }
}

impl<A: Codec, B: Codec, C: Codec> Codec for (A, B, C) {
    fn put(&self, w: &mut Writer) {
        self.0.put(w);
        self.1.put(w);
        self.2.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        (A::get(r), B::get(r), C::get(r))
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
            fn get(r: &mut $crate::codec::Reader<'_>) -> Self {
                $name { $( $field: $crate::codec::Codec::get(r), )* }
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
            fn get(r: &mut $crate::codec::Reader<'_>) -> Self {
                let all = $all;
                // `tag` keeps the index in range; `get` keeps a panic path out of the wasm.
                let i = usize::from(r.tag(all.len() as u8));
                all.get(i).copied().unwrap_or(all[0])
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
