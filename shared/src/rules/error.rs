//! What can be wrong in a rules file, and where.

use crate::prelude::*;

use core::fmt;

/// One problem in a rules file, at a JSON path such as `rules[2].when.page.glob`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    /// Where: a JSON path from the document root (`""` for the whole document).
    pub path: String,
    /// What.
    pub kind: RuleErrorKind,
}

/// Every kind of problem the rules reader and checker report.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleErrorKind {
    /// The text is not JSON.
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// A value has the wrong JSON type.
    WrongType {
        /// What was expected, e.g. "an integer".
        expected: &'static str,
        /// What was found, e.g. "a string".
        found: &'static str,
    },
    /// A required field is absent.
    MissingField(&'static str),
    /// A field this object does not have (often a typo).
    UnknownField {
        /// The field as written.
        field: String,
        /// The fields this object has.
        expected: &'static [&'static str],
        /// The closest known field, if one is close.
        suggestion: Option<&'static str>,
    },
    /// The same key twice in one object.
    DuplicateKey(String),
    /// Problems past the first hundred, counted, not listed.
    More(usize),
    /// A string that is not one of the allowed names.
    UnknownName {
        /// The value as written.
        found: String,
        /// The allowed names.
        expected: &'static [&'static str],
    },
    /// An object that must have exactly one of some keys.
    OneOf {
        /// The keys it may have.
        expected: &'static [&'static str],
        /// How many of them it had.
        found: usize,
    },
    /// A number outside its allowed range.
    OutOfRange {
        /// The value.
        value: f64,
        /// Smallest allowed.
        min: f64,
        /// Largest allowed.
        max: f64,
    },
    /// A number with a fraction where an integer is needed.
    NotAnInteger(f64),
    /// `version` is not one this build reads.
    UnsupportedVersion {
        /// The version found.
        found: f64,
        /// The version this build reads.
        supported: u32,
    },
    /// A reference to a prompt that `prompts` does not define.
    UnknownPrompt(String),
    /// A tier that `scoring.value.tiers` does not define.
    UnknownTier(String),
    /// A task that `tasks` does not define.
    UnknownTask(String),
    /// An id or name used twice.
    Duplicate {
        /// The repeated id.
        id: String,
        /// Where it was first used.
        first: String,
    },
    /// An id that is empty, too long or has characters outside `[A-Za-z0-9_.:-]`.
    BadId(String),
    /// A page pattern that cannot work.
    BadPattern(&'static str),
    /// A page pattern written as a string: patterns are objects.
    PatternAsString(String),
    /// A link that is not `https:`, `http:`, `mailto:`, `tel:` or a site-relative path.
    BadUrl(String),
    /// A colour that is not `#rgb` or `#rrggbb`.
    BadColour(String),
    /// A phone number with characters other than digits, spaces, `+`, `-`, `(`, `)`, `.`.
    BadPhone(String),
    /// A language tag that is not like `en` or `pt-BR`.
    BadLanguage(String),
    /// An email address that cannot be one.
    BadEmail(String),
    /// A CSS selector a guide cannot use.
    BadSelector(String),
    /// An article body's markup: what is wrong.
    BadMarkup(String),
    /// Text longer than allowed.
    TooLong {
        /// Its length in characters.
        len: usize,
        /// The most allowed.
        max: usize,
    },
    /// A list longer than allowed.
    TooMany {
        /// Its length.
        len: usize,
        /// The most allowed.
        max: usize,
    },
    /// An empty text or list where something is needed.
    Empty,
    /// A prompt is used where another kind is needed.
    WrongPromptKind {
        /// The prompt id.
        id: String,
        /// Its kind.
        kind: &'static str,
        /// The kind needed here.
        expected: &'static str,
    },
    /// Fields that contradict each other.
    Inconsistent(&'static str),
}

impl fmt::Display for RuleErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RuleErrorKind::*;
        match self {
            Syntax {
                line,
                column,
                message,
            } => {
                write!(
                    f,
                    "not valid JSON at line {line}, column {column}: {message}"
                )
            }
            WrongType { expected, found } => write!(f, "expected {expected}, found {found}"),
            MissingField(field) => write!(f, "missing field `{field}`"),
            UnknownField {
                field,
                expected,
                suggestion,
            } => {
                write!(f, "unknown field `{field}`")?;
                if let Some(s) = suggestion {
                    write!(f, " (did you mean `{s}`?)")?;
                }
                write!(f, "; expected one of: {}", expected.join(", "))
            }
            DuplicateKey(key) => write!(f, "key `{key}` appears more than once"),
            More(n) => write!(f, "and {n} more problems, not listed: fix these first"),
            UnknownName { found, expected } => {
                write!(
                    f,
                    "unknown value \"{found}\"; expected one of: {}",
                    expected.join(", ")
                )
            }
            OneOf { expected, found } => write!(
                f,
                "expected an object with exactly one of: {} (found {found})",
                expected.join(", ")
            ),
            OutOfRange { value, min, max } => {
                let (value, min, max) = (Num(*value), Num(*min), Num(*max));
                write!(f, "{value} is out of range; expected {min} to {max}")
            }
            NotAnInteger(v) => write!(f, "expected an integer, found {}", Num(*v)),
            UnsupportedVersion { found, supported } => {
                let found = Num(*found);
                write!(
                    f,
                    "unsupported version {found}; this build reads version {supported}"
                )
            }
            UnknownPrompt(id) => write!(f, "no prompt \"{id}\" in `prompts`"),
            UnknownTier(t) => write!(f, "no tier \"{t}\" in `scoring.value.tiers`"),
            UnknownTask(t) => write!(f, "no task \"{t}\" in `tasks`"),
            Duplicate { id, first } => write!(f, "\"{id}\" is already used at {first}"),
            BadId(id) => write!(
                f,
                "bad id \"{id}\": use 1 to 64 characters from A-Z, a-z, 0-9, `_`, `-`, `.`, `:`"
            ),
            BadPattern(why) => write!(f, "bad page pattern: {why}"),
            PatternAsString(s) => write!(
                f,
                "a page pattern is an object, not a string: write {{\"exact\": \"{s}\"}} \
                 (or \"prefix\", \"glob\", \"not\", \"any\")"
            ),
            BadUrl(url) => write!(
                f,
                "bad link \"{url}\": use https:, http:, mailto:, tel: or a path starting with /"
            ),
            BadColour(c) => write!(f, "bad colour \"{c}\": use #rgb or #rrggbb"),
            BadPhone(p) => write!(
                f,
                "bad phone number \"{p}\": use digits, spaces and + - ( ) . only"
            ),
            BadLanguage(l) => write!(f, "bad language tag \"{l}\": use a tag like en or pt-BR"),
            BadEmail(e) => write!(
                f,
                "bad email address \"{e}\": use one like help@shop.example"
            ),
            BadSelector(s) => write!(
                f,
                "bad selector \"{s}\": use a CSS selector of at most 200 characters, on one line"
            ),
            BadMarkup(why) => write!(f, "bad markup: {why}"),
            TooLong { len, max } => write!(f, "too long: {len} characters, at most {max}"),
            TooMany { len, max } => write!(f, "too many: {len} items, at most {max}"),
            Empty => write!(f, "must not be empty"),
            WrongPromptKind { id, kind, expected } => {
                write!(
                    f,
                    "prompt \"{id}\" is a {kind} prompt; a {expected} prompt is needed here"
                )
            }
            Inconsistent(why) => f.write_str(why),
        }
    }
}

/// A number as a site owner writes it (`2`, `0.35`, `-1`), to six decimals, without
/// `core`'s float formatting: in the browser agent that machinery costs about 20 kB.
struct Num(f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        if !v.is_finite() {
            return f.write_str("a non-finite number");
        }
        if v < 0.0 {
            f.write_str("-")?;
        }
        let a = v.abs();
        let mut whole = libm::trunc(a) as u64;
        let mut millionths = libm::round((a - libm::trunc(a)) * 1e6) as u64;
        if millionths >= 1_000_000 {
            whole += 1;
            millionths = 0;
        }
        write!(f, "{whole}")?;
        if millionths > 0 {
            let mut digits = [b'0'; 6];
            for (i, d) in digits.iter_mut().enumerate().rev() {
                *d = b'0' + (millionths / 10u64.pow(5 - i as u32) % 10) as u8;
            }
            let end = digits.iter().rposition(|d| *d != b'0').map_or(0, |p| p + 1);
            f.write_str(".")?;
            f.write_str(core::str::from_utf8(&digits[..end]).unwrap_or(""))?;
        }
        Ok(())
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.path, self.kind)
        }
    }
}

impl core::error::Error for RuleError {}

/// All the problems found in one rules file (never empty).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleErrors(pub Vec<RuleError>);

impl RuleErrors {
    /// The problems, section by section in the order of the rules format.
    pub fn iter(&self) -> core::slice::Iter<'_, RuleError> {
        self.0.iter()
    }

    /// How many problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a `RuleErrors` holds at least one problem.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl core::error::Error for RuleErrors {}

impl<'a> IntoIterator for &'a RuleErrors {
    type Item = &'a RuleError;
    type IntoIter = core::slice::Iter<'a, RuleError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::Num;
    use crate::prelude::*;

    #[test]
    fn numbers_print_as_written() {
        let cases = [
            (2.0, "2"),
            (0.35, "0.35"),
            (-1.0, "-1"),
            (1.5, "1.5"),
            (0.01, "0.01"),
            (4294967295.0, "4294967295"),
            (0.9999999, "1"),
            (1e-9, "0"),
        ];
        for (v, want) in cases {
            assert_eq!(Num(v).to_string(), want);
        }
    }
}
