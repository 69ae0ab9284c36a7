//! Reading a [`Json`] tree into the rules' spec types, collecting *every* error with its path.
//!
//! serde stops at the first error; a site owner fixing a rules file wants them all at once.
//! So the spec types are read by [`FromJson`] instead, declared with the macros of
//! [`super::declare`] so that type, schema and reader cannot drift apart.

use crate::prelude::*;

use alloc::collections::BTreeMap;
use core::fmt::Write as _;

use super::error::{RuleError, RuleErrorKind};
use crate::json::Json;

/// One step of a JSON path.
#[derive(Debug, Clone)]
pub(crate) enum PathSeg {
    Field(&'static str),
    Key(String),
    Index(usize),
}

/// The most problems reported with their paths; the rest are counted ("and N more"), so a
/// hostile file costs bounded memory to check.
pub(crate) const MAX_ERRORS: usize = 100;
/// Keys and names longer than this are shortened in paths and messages.
const MAX_SHOWN: usize = 40;
/// No "did you mean" for a key longer than this: no plausible typo is.
const MAX_SUGGESTED: usize = 64;

/// Collects errors while walking a document; knows the current JSON path.
#[derive(Debug, Default)]
pub(crate) struct Reader {
    pub(crate) errors: Vec<RuleError>,
    path: Vec<PathSeg>,
    /// Problems found past [`MAX_ERRORS`].
    more: usize,
}

/// `text`, or its first [`MAX_SHOWN`] characters and an ellipsis.
pub(crate) fn shown(text: &str) -> String {
    crate::json::clip(text, MAX_SHOWN)
}

impl Reader {
    /// The errors, with one more saying how many were left out.
    pub(crate) fn finish(mut self) -> Vec<RuleError> {
        if self.more > 0 {
            self.errors.push(RuleError {
                path: String::new(),
                kind: RuleErrorKind::More(self.more),
            });
        }
        self.errors
    }

    /// The current path, as `rules[2].when.page`.
    pub(crate) fn path(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            match seg {
                PathSeg::Field(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                PathSeg::Key(key) if is_plain_key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&shown(key));
                }
                PathSeg::Key(key) => {
                    // Quoted by hand: `{:?}` would bring Unicode tables into the wasm.
                    out.push_str("[\"");
                    for c in shown(key).chars() {
                        if c == '"' || c == '\\' {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                    out.push_str("\"]");
                }
                PathSeg::Index(i) => {
                    let _ = write!(out, "[{i}]");
                }
            }
        }
        out
    }

    /// Records an error at the current path.
    pub(crate) fn error(&mut self, kind: RuleErrorKind) {
        if self.errors.len() >= MAX_ERRORS {
            self.more += 1;
            return;
        }
        let path = self.path();
        self.errors.push(RuleError { path, kind });
    }

    /// Runs `f` one step deeper in the path.
    pub(crate) fn at<T>(&mut self, seg: PathSeg, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(seg);
        let out = f(self);
        self.path.pop();
        out
    }

    /// Runs `f` at field `name`.
    pub(crate) fn field<T>(&mut self, name: &'static str, f: impl FnOnce(&mut Self) -> T) -> T {
        self.at(PathSeg::Field(name), f)
    }

    /// Runs `f` at array index `i`.
    pub(crate) fn index<T>(&mut self, i: usize, f: impl FnOnce(&mut Self) -> T) -> T {
        self.at(PathSeg::Index(i), f)
    }

    /// Reports a type mismatch and returns `None`.
    pub(crate) fn wrong_type<T>(&mut self, expected: &'static str, found: &Json) -> Option<T> {
        self.error(RuleErrorKind::WrongType {
            expected,
            found: found.type_name(),
        });
        None
    }

    /// Checks `v` is an object whose keys are all in `known` and unique; returns its entries.
    pub(crate) fn object<'j>(
        &mut self,
        v: &'j Json,
        known: &'static [&'static str],
    ) -> Option<&'j [(String, Json)]> {
        let Json::Object(entries) = v else {
            return self.wrong_type("an object", v);
        };
        // Each known field once: seen by its place in `known` (linear, whatever the size).
        let mut seen = vec![false; known.len()];
        for (key, _) in entries {
            match known.iter().position(|k| *k == key) {
                None => {
                    let suggestion = (key.len() <= MAX_SUGGESTED)
                        .then(|| closest(key, known))
                        .flatten();
                    self.at(PathSeg::Key(key.clone()), |r| {
                        r.error(RuleErrorKind::UnknownField {
                            field: shown(key),
                            expected: known,
                            suggestion,
                        })
                    });
                }
                Some(i) if seen.get(i) == Some(&true) => {
                    self.at(PathSeg::Key(key.clone()), |r| {
                        r.error(RuleErrorKind::DuplicateKey(shown(key)))
                    });
                }
                Some(i) => {
                    if let Some(s) = seen.get_mut(i) {
                        *s = true;
                    }
                }
            }
        }
        Some(entries)
    }

    /// Reads a required field of an object.
    pub(crate) fn required<T: FromJson>(
        &mut self,
        entries: &[(String, Json)],
        name: &'static str,
    ) -> Option<T> {
        match lookup(entries, name) {
            Some(v) => self.field(name, |r| T::read(v, r)),
            None => {
                self.error(RuleErrorKind::MissingField(name));
                None
            }
        }
    }

    /// Reads an optional field: absent gives the default; present but bad gives `None`.
    pub(crate) fn optional<T: FromJson>(
        &mut self,
        entries: &[(String, Json)],
        name: &'static str,
        default: impl FnOnce() -> T,
    ) -> Option<T> {
        match lookup(entries, name) {
            Some(v) => self.field(name, |r| T::read(v, r)),
            None => Some(default()),
        }
    }

    /// Checks a number read at field `name` lies in `min..=max`.
    pub(crate) fn range<T: InRange>(
        &mut self,
        name: &'static str,
        value: T,
        min: f64,
        max: f64,
    ) -> Option<T> {
        match value.as_f64() {
            Some(v) if !(min..=max).contains(&v) => {
                self.field(name, |r| {
                    r.error(RuleErrorKind::OutOfRange { value: v, min, max })
                });
                None
            }
            _ => Some(value),
        }
    }

    /// For externally tagged objects: checks `v` has exactly one key among `variants`.
    pub(crate) fn one_of<'j>(
        &mut self,
        v: &'j Json,
        variants: &'static [&'static str],
    ) -> Option<(&'j str, &'j Json)> {
        let entries = self.object(v, variants)?;
        let known: Vec<&(String, Json)> = entries
            .iter()
            .filter(|(k, _)| variants.contains(&k.as_str()))
            .collect();
        if known.len() == 1 && entries.len() == 1 {
            Some((known[0].0.as_str(), &known[0].1))
        } else {
            if entries.len() == known.len() {
                // Unknown keys were already reported by `object`.
                self.error(RuleErrorKind::OneOf {
                    expected: variants,
                    found: known.len(),
                });
            }
            None
        }
    }
}

fn lookup<'j>(entries: &'j [(String, Json)], name: &str) -> Option<&'j Json> {
    entries.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The known name closest to `word`, if it is a plausible typo of it.
fn closest(word: &str, known: &'static [&'static str]) -> Option<&'static str> {
    known
        .iter()
        .map(|k| (edit_distance(word, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// A type read from the rules JSON, reporting problems to the [`Reader`].
pub(crate) trait FromJson: Sized {
    /// Reads `v`; on any problem records it and returns `None`.
    fn read(v: &Json, r: &mut Reader) -> Option<Self>;
}

/// Numbers whose range a field can restrict.
pub(crate) trait InRange {
    fn as_f64(&self) -> Option<f64>;
}

impl<T: InRange> InRange for Option<T> {
    fn as_f64(&self) -> Option<f64> {
        self.as_ref().and_then(InRange::as_f64)
    }
}

impl InRange for f64 {
    fn as_f64(&self) -> Option<f64> {
        Some(*self)
    }
}

impl FromJson for f64 {
    fn read(v: &Json, r: &mut Reader) -> Option<Self> {
        match v {
            Json::Number(n) => Some(*n),
            _ => r.wrong_type("a number", v),
        }
    }
}

macro_rules! integer_from_json {
    ($($t:ty),*) => {$(
        impl FromJson for $t {
            fn read(v: &Json, r: &mut Reader) -> Option<Self> {
                let Json::Number(n) = v else { return r.wrong_type("an integer", v) };
                if *n - libm::trunc(*n) != 0.0 {
                    r.error(RuleErrorKind::NotAnInteger(*n));
                    return None;
                }
                if *n < <$t>::MIN as f64 || *n > <$t>::MAX as f64 {
                    r.error(RuleErrorKind::OutOfRange {
                        value: *n,
                        min: <$t>::MIN as f64,
                        max: <$t>::MAX as f64,
                    });
                    return None;
                }
                Some(*n as $t)
            }
        }
        impl InRange for $t {
            fn as_f64(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
    )*};
}
integer_from_json!(u8, u16, u32, u64, i32);

impl FromJson for bool {
    fn read(v: &Json, r: &mut Reader) -> Option<Self> {
        match v {
            Json::Bool(b) => Some(*b),
            _ => r.wrong_type("true or false", v),
        }
    }
}

impl FromJson for String {
    fn read(v: &Json, r: &mut Reader) -> Option<Self> {
        match v {
            Json::String(s) => Some(s.clone()),
            _ => r.wrong_type("a string", v),
        }
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn read(v: &Json, r: &mut Reader) -> Option<Self> {
        T::read(v, r).map(Some)
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn read(v: &Json, r: &mut Reader) -> Option<Self> {
        T::read(v, r).map(Box::new)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read(v: &Json, r: &mut Reader) -> Option<Self> {
        let Json::Array(items) = v else {
            return r.wrong_type("an array", v);
        };
        // Grown as read, and dropped at the first bad item (the rest are still read for
        // their errors): a long list of wrong values never holds room for all of them.
        let mut out = Some(Vec::new());
        for (i, item) in items.iter().enumerate() {
            match (r.index(i, |r| T::read(item, r)), out.as_mut()) {
                (Some(x), Some(list)) => list.push(x),
                (None, _) => out = None,
                (Some(_), None) => {}
            }
        }
        out
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn read(v: &Json, r: &mut Reader) -> Option<Self> {
        let Json::Object(entries) = v else {
            return r.wrong_type("an object", v);
        };
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (key, item) in entries {
            r.at(PathSeg::Key(key.clone()), |r| {
                if out.contains_key(key) {
                    r.error(RuleErrorKind::DuplicateKey(shown(key)));
                    ok = false;
                } else if let Some(x) = T::read(item, r) {
                    out.insert(key.clone(), x);
                } else {
                    ok = false;
                }
            });
        }
        ok.then_some(out)
    }
}
