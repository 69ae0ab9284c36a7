//! [`Support`] in the compact form the collector serves and the support module reads:
//! bytes, `LLS2` then every field in order; numbers as LEB128, strings as their length and
//! UTF-8, lists as their count and items. Decoding trusts nothing: a count is checked
//! against the bytes left and the content's limits before anything is allocated.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::content::*;
use crate::page::Page;

const MAGIC: &[u8; 4] = b"LLS2";
/// Deepest `not`/`any` nesting decoded (the rules' limit).
const MAX_NESTING: usize = 16;

/// Encodes content for the support module.
pub fn encode(support: &Support) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(1024));
    w.0.extend_from_slice(MAGIC);
    support.put(&mut w);
    w.0
}

/// Decodes content; `None` when the bytes are not content this build can use.
pub fn decode(bytes: &[u8]) -> Option<Support> {
    let mut r = Reader::new(bytes.strip_prefix(MAGIC)?);
    let s = Support::get(&mut r);
    r.is_done().then_some(s)
}

/// Where encoded bytes go.
pub struct Writer(pub Vec<u8>);

impl Writer {
    pub(crate) fn num(&mut self, n: u64) {
        push_num(&mut self.0, n);
    }
}

/// Appends `n` as unsigned LEB128 (what [`Reader::num`] reads; the agent's stored form
/// writes its numbers so too).
pub fn push_num(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Where decoding reads from; spoiled by the first thing that is not the compact form (it
/// reads as empty from then on, its values are zeros and empty strings, and it is not done).
/// Decoding never returns early: early returns gave every field of every struct its own
/// clean-up path, the bulk of the decoder's weight in the support module. The agent's
/// stored form (`lifeline_shared::codec`) reads through this reader too.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    depth: usize,
    sound: bool,
}

impl<'a> Reader<'a> {
    /// A reader of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader {
            bytes,
            depth: 0,
            sound: true,
        }
    }

    /// Whether every byte was read, and soundly.
    pub fn is_done(&self) -> bool {
        self.sound && self.bytes.is_empty()
    }

    /// Whether nothing wrong was met so far.
    pub fn is_sound(&self) -> bool {
        self.sound
    }

    /// How many bytes are left.
    pub fn left(&self) -> usize {
        self.bytes.len()
    }

    /// Marks the read as spoiled: nothing more is read.
    pub fn spoil(&mut self) {
        self.sound = false;
        self.bytes = &[];
    }

    /// One byte; `0` (and spoiled) past the end.
    pub fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => {
                self.spoil();
                0
            }
        }
    }

    /// An unsigned LEB128 number; `0` (and spoiled) when it is not one.
    pub fn num(&mut self) -> u64 {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte();
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return n;
            }
        }
        self.spoil();
        0
    }

    /// The next `n` bytes; as many as are left (and spoiled) when fewer are.
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        if n > self.bytes.len() {
            self.spoil();
        }
        let (head, rest) = self.bytes.split_at(n.min(self.bytes.len()));
        self.bytes = rest;
        head
    }

    /// A count of items that each take at least one byte: at most `max`, and never more
    /// than the bytes left.
    fn count(&mut self, max: usize) -> usize {
        let n = self.num();
        if n <= max as u64 && n <= self.bytes.len() as u64 {
            n as usize
        } else {
            self.spoil();
            0
        }
    }

    /// A tag below `count`.
    pub(crate) fn tag(&mut self, count: usize) -> usize {
        let n = self.num();
        if n < count as u64 {
            n as usize
        } else {
            self.spoil();
            0
        }
    }
}

/// A value in the compact form.
pub trait Codec: Sized {
    /// Writes it.
    fn put(&self, w: &mut Writer);
    /// Reads one; when the bytes are not one, spoils `r` and returns any value.
    fn get(r: &mut Reader<'_>) -> Self;
}

impl Codec for u32 {
    fn put(&self, w: &mut Writer) {
        w.num(u64::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let n = r.num();
        u32::try_from(n).unwrap_or_else(|_| {
            r.spoil();
            0
        })
    }
}

impl Codec for bool {
    fn put(&self, w: &mut Writer) {
        w.0.push(u8::from(*self));
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
        match r.bytes.split_first_chunk::<4>() {
            Some((b, rest)) if f32::from_le_bytes(*b).is_finite() => {
                r.bytes = rest;
                f32::from_le_bytes(*b)
            }
            _ => {
                r.spoil();
                0.0
            }
        }
    }
}

impl Codec for String {
    fn put(&self, w: &mut Writer) {
        w.num(self.len() as u64);
        w.0.extend_from_slice(self.as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let n = r.count(usize::MAX);
        text(r.take(n)).unwrap_or_else(|| {
            r.spoil();
            String::new()
        })
    }
}

impl<T: Codec> Codec for Option<T> {
    fn put(&self, w: &mut Writer) {
        match self {
            None => w.0.push(0),
            Some(v) => {
                w.0.push(1);
                v.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        bool::get(r).then(|| T::get(r))
    }
}

/// [`utf8`], in one copy: the support module's content strings and the renderer's input
/// are decoded by this one (inlined in both, it was twice in the module's wasm).
#[inline(never)]
pub fn text(bytes: &[u8]) -> Option<String> {
    utf8(bytes)
}

/// UTF-8 `bytes` as a string, decoded by hand (core's validator is several times the size
/// in the agent's and the support module's wasm; the agent's stored strings use this too);
/// `None` unless they are UTF-8: no stray or missing continuation bytes, no overlong forms,
/// no surrogates, nothing past U+10FFFF. Inlined: the agent's wasm is 0.1 kB lighter so.
#[inline]
pub fn utf8(bytes: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(bytes.len());
    let mut it = bytes.iter();
    while let Some(&b) = it.next() {
        let (mut cp, more, least) = match b {
            0x00..=0x7f => (u32::from(b), 0, 0),
            0xc2..=0xdf => (u32::from(b & 0x1f), 1, 0x80),
            0xe0..=0xef => (u32::from(b & 0x0f), 2, 0x800),
            0xf0..=0xf4 => (u32::from(b & 0x07), 3, 0x1_0000),
            _ => return None,
        };
        for _ in 0..more {
            let c = *it.next()?;
            if c & 0xc0 != 0x80 {
                return None;
            }
            cp = cp << 6 | u32::from(c & 0x3f);
        }
        if cp < least {
            return None;
        }
        out.push(char::from_u32(cp)?);
    }
    Some(out)
}

/// Lists, each with its own limit.
pub(crate) fn put_list<T: Codec>(list: &[T], w: &mut Writer) {
    w.num(list.len() as u64);
    for item in list {
        item.put(w);
    }
}

pub(crate) fn get_list<T: Codec>(r: &mut Reader<'_>, max: usize) -> Vec<T> {
    let n = r.count(max);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(T::get(r));
    }
    out
}

impl Codec for Page {
    fn put(&self, w: &mut Writer) {
        match self {
            Page::Exact(p) => {
                w.0.push(0);
                p.put(w);
            }
            Page::Prefix(p) => {
                w.0.push(1);
                p.put(w);
            }
            Page::Glob(p) => {
                w.0.push(2);
                p.put(w);
            }
            Page::Not(m) => {
                w.0.push(3);
                m.put(w);
            }
            Page::Any(ms) => {
                w.0.push(4);
                put_list(ms, w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        r.depth += 1;
        if r.depth > MAX_NESTING {
            r.spoil();
        }
        let page = match r.tag(5) {
            0 => Page::Exact(String::get(r)),
            1 => Page::Prefix(String::get(r)),
            2 => Page::Glob(String::get(r)),
            3 => Page::Not(Box::new(Page::get(r))),
            _ => Page::Any(get_list(r, MAX_LIST * 2)),
        };
        r.depth -= 1;
        page
    }
}

impl Codec for Channel {
    fn put(&self, w: &mut Writer) {
        w.0.push(*self as u8);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        Channel::ALL[r.tag(Channel::ALL.len())]
    }
}

/// Codec for a struct: its fields in order, each with its list limit.
macro_rules! fields {
    ($t:ident { $($f:ident $(: $max:expr)?),* $(,)? }) => {
        impl Codec for $t {
            fn put(&self, w: &mut Writer) {
                $( $crate::codec::fields!(@put self.$f, w $(, $max)?); )*
            }
            fn get(r: &mut Reader<'_>) -> Self {
                $t { $( $f: $crate::codec::fields!(@get r $(, $max)?), )* }
            }
        }
    };
    (@put $v:expr, $w:ident, $max:expr) => { $crate::codec::put_list(&$v, $w) };
    (@put $v:expr, $w:ident) => { $crate::codec::Codec::put(&$v, $w) };
    (@get $r:ident, $max:expr) => { $crate::codec::get_list($r, $max) };
    (@get $r:ident) => { $crate::codec::Codec::get($r) };
}
pub(crate) use fields;

fields!(Place {
    pages: MAX_LIST,
    signals: MAX_LIST,
    tasks: MAX_LIST
});
fields!(Article {
    id,
    language,
    view,
    terms: MAX_TERMS,
    topics: MAX_LIST,
    place
});
fields!(Term { word, count });
fields!(Guide {
    id,
    language,
    topics: MAX_LIST,
    place,
    view
});
fields!(Audience {
    returning,
    tiers: MAX_LIST,
    languages: MAX_LIST,
    failures_at_least
});
fields!(Voice { language, view });
fields!(Persona {
    id,
    skills: MAX_LIST,
    voices: MAX_LIST,
    audience
});
fields!(Escalation {
    threshold,
    window_ms,
    person_after,
    channels: 4,
    chat_url,
    email,
    phone,
    view
});
fields!(Words { language, view });
fields!(Support {
    language,
    articles: MAX_ARTICLES,
    guides: MAX_GUIDES,
    personas: MAX_PERSONAS,
    escalation,
    words: MAX_LIST
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::content;

    #[test]
    fn content_survives_encoding() {
        let c = content();
        assert_eq!(decode(&encode(&c)), Some(c));
    }

    #[test]
    fn every_cut_and_every_flipped_byte_is_refused_or_read_without_panic() {
        let bytes = encode(&content());
        for cut in 0..bytes.len() {
            assert_eq!(decode(&bytes[..cut]), None, "cut at {cut}");
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            let _ = decode(&b);
        }
    }

    #[test]
    fn the_hand_decoder_takes_exactly_what_cores_validator_takes() {
        let same = |b: &[u8]| {
            assert_eq!(
                utf8(b).as_deref(),
                core::str::from_utf8(b).ok(),
                "bytes {b:02x?}"
            );
        };
        for a in 0..=255u8 {
            same(&[a]);
            for b in 0..=255u8 {
                same(&[a, b]);
                same(&[b'x', a, b]);
            }
        }
        // Every three-byte form with a multi-byte lead, and four-byte forms around each
        // boundary (overlongs, surrogates, U+10FFFF).
        for a in 0xc0..=0xffu8 {
            for b in 0..=255u8 {
                for c in 0..=255u8 {
                    same(&[a, b, c]);
                }
            }
        }
        for a in 0xf0..=0xf8u8 {
            for b in [0x7f, 0x80, 0x8f, 0x90, 0xbf, 0xc0] {
                for c in [0x7f, 0x80, 0xbf, 0xc0] {
                    for d in [0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xff] {
                        same(&[a, b, c, d]);
                    }
                }
            }
        }
        same("Größe, размер, 尺寸, 🧥".as_bytes());
    }

    #[test]
    fn a_count_larger_than_the_bytes_left_allocates_nothing() {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&[0, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert_eq!(decode(&b), None);
    }
}
