//! Page matching: which pages a rule, task or signal applies to.
//!
//! Site owners write a [`PageMatch`] (`{"exact": "/cart"}`, `{"prefix": "/checkout"}`,
//! `{"glob": "/product/*"}`, `{"not": ..}`, `{"any": [..]}`); it is checked once into a
//! [`Matcher`] that tests a URL path without allocating. Our own glob (`*` any run of
//! characters, `/` included; `?` one byte) keeps a regex engine out of the wasm.

use crate::prelude::*;

use lifeline_support::page::glob;
use serde::Serialize;

use crate::json::Json;
use crate::rules::error::RuleErrorKind;
use crate::rules::read::{FromJson, Reader};

// One set of limits for the checker and the compiled decoder: what a collector accepts,
// every agent accepts, and no page view does more than bounded work per path byte.

/// The longest pattern accepted, in bytes.
pub const MAX_PATTERN_LEN: usize = 512;
/// The most alternatives in one `any`.
pub const MAX_ANY: usize = 32;
/// The deepest nesting of `not` and `any` in one pattern (17 levels: depth 0 to 16).
pub const MAX_NESTING: usize = 16;
/// The most bytes of patterns in one rules file. With [`MAX_PATH_LEN`] it bounds a page
/// view's matching: at most about `MAX_PATTERN_BYTES` steps per path byte.
pub const MAX_PATTERN_BYTES: usize = 8 * 1024;
/// The longest path matched on the device: a longer one is matched on its first 1 KiB
/// (patterns are at most 512 bytes, so `exact` and `prefix` answer the same).
pub const MAX_PATH_LEN: usize = 1024;

/// Which pages, as written in the rules JSON. Matched against the URL path (no query string).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PageMatch {
    /// The path is exactly this (`/cart`).
    Exact(String),
    /// The path starts with this (`/checkout`).
    Prefix(String),
    /// The path matches this glob: `*` is any run of characters (including `/`), `?` one.
    Glob(String),
    /// The path does not match this.
    Not(Box<PageMatch>),
    /// The path matches any of these.
    Any(Vec<PageMatch>),
}

const VARIANTS: &[&str] = &["exact", "prefix", "glob", "not", "any"];

impl FromJson for PageMatch {
    fn read(v: &Json, r: &mut Reader) -> Option<Self> {
        if let Json::String(s) = v {
            // The commonest slip: `"page": "/cart"`. Say what to write instead.
            let shown: String = s.chars().take(64).collect();
            r.error(RuleErrorKind::PatternAsString(shown));
            return None;
        }
        let (tag, inner) = r.one_of(v, VARIANTS)?;
        r.field(
            VARIANTS[VARIANTS.iter().position(|t| *t == tag)?],
            |r| match tag {
                "exact" => String::read(inner, r).map(PageMatch::Exact),
                "prefix" => String::read(inner, r).map(PageMatch::Prefix),
                "glob" => String::read(inner, r).map(PageMatch::Glob),
                "not" => Box::<PageMatch>::read(inner, r).map(PageMatch::Not),
                _ => Vec::<PageMatch>::read(inner, r).map(PageMatch::Any),
            },
        )
    }
}

/// A page as detection sees it: the path page patterns match, and an identity that
/// includes the query string (so `/product?id=1` and `/product?id=2` are two pages) and any
/// fragment the agent passes for hash routes. `/index.html` (and `.htm`) is its directory.
/// The identity is a hash, used on the device only; reports drop the query
/// ([`crate::privacy::report_path`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageId<'a> {
    /// The normalised URL path (`/`, `/cart`, `/demo/` for `/demo/index.html`).
    pub path: &'a str,
    /// A hash of the normalised path, query and fragment.
    pub hash: u64,
}

impl<'a> PageId<'a> {
    /// The page of `path_and_query` (`location.pathname + location.search`, with the
    /// fragment when hash routes count). Allocation-free.
    pub fn of(path_and_query: &'a str) -> PageId<'a> {
        let (rest, fragment) = cut(path_and_query, b'#');
        let (path, query) = cut(rest, b'?');
        let path = normal_path(path);
        let mut hash = crate::hash::fnv1a(0, path.as_bytes());
        if !query.is_empty() {
            hash = crate::hash::fnv1a(crate::hash::fnv1a(hash, b"?"), query.as_bytes());
        }
        if !fragment.is_empty() {
            hash = crate::hash::fnv1a(crate::hash::fnv1a(hash, b"#"), fragment.as_bytes());
        }
        PageId { path, hash }
    }
}

/// `s` cut at the first `sep` (an ASCII byte): what comes before it and after it, or all of
/// `s` and nothing. (Byte by byte: `str::split_once` with a `char` brings a pattern searcher
/// the agent's wasm does not need.)
pub fn cut(s: &str, sep: u8) -> (&str, &str) {
    // `get` and `split_at_checked`, not indexing: an index that could panic brings the
    // formatting machinery of its message into the wasm (about 3 kB).
    s.bytes()
        .position(|b| b == sep)
        .and_then(|i| s.split_at_checked(i))
        .map_or((s, ""), |(before, after)| {
            (before, after.get(1..).unwrap_or(""))
        })
}

/// `path` with an `index.html` (or `index.htm`) at its end taken off, and `/` for nothing.
pub fn normal_path(path: &str) -> &str {
    let trimmed = path
        .strip_suffix("index.html")
        .or_else(|| path.strip_suffix("index.htm"))
        .filter(|p| p.ends_with('/'))
        .unwrap_or(path);
    if trimmed.is_empty() { "/" } else { trimmed }
}

/// A checked [`PageMatch`], ready to test paths.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// Equal paths.
    Exact(Box<str>),
    /// Path prefix.
    Prefix(Box<str>),
    /// Glob pattern.
    Glob(Box<str>),
    /// Negation.
    Not(Box<Matcher>),
    /// Any of.
    Any(Box<[Matcher]>),
}

impl Matcher {
    /// Checks `spec` into a matcher; problems are reported at the reader's current path.
    pub(crate) fn check(spec: &PageMatch, r: &mut Reader) -> Option<Matcher> {
        Matcher::check_at(spec, r, 0)
    }

    fn check_at(spec: &PageMatch, r: &mut Reader, depth: usize) -> Option<Matcher> {
        if depth > MAX_NESTING {
            r.error(RuleErrorKind::BadPattern(
                "`not` and `any` nest more than 16 levels deep",
            ));
            return None;
        }
        let pattern = |r: &mut Reader, field: &'static str, p: &str, glob: bool| {
            r.field(field, |r| {
                let why = if p.is_empty() {
                    Some("it is empty")
                } else if p.len() > MAX_PATTERN_LEN {
                    Some("it is longer than 512 bytes")
                } else if !(p.starts_with('/') || (glob && p.starts_with('*'))) {
                    Some("paths start with `/` (globs may also start with `*`)")
                } else if p.contains(['?', '#']) && !glob {
                    Some("a path has no query string or fragment; match the path only")
                } else if p.chars().any(char::is_whitespace) {
                    Some("it contains whitespace")
                } else {
                    None
                };
                match why {
                    Some(why) => {
                        r.error(RuleErrorKind::BadPattern(why));
                        None
                    }
                    None => Some(Box::<str>::from(p)),
                }
            })
        };
        match spec {
            PageMatch::Exact(p) => pattern(r, "exact", p, false).map(Matcher::Exact),
            PageMatch::Prefix(p) => pattern(r, "prefix", p, false).map(Matcher::Prefix),
            PageMatch::Glob(p) => pattern(r, "glob", p, true).map(Matcher::Glob),
            PageMatch::Not(inner) => r
                .field("not", |r| Matcher::check_at(inner, r, depth + 1))
                .map(|m| Matcher::Not(Box::new(m))),
            PageMatch::Any(list) => r.field("any", |r| {
                if list.is_empty() {
                    r.error(RuleErrorKind::Empty);
                    return None;
                }
                if list.len() > MAX_ANY {
                    r.error(RuleErrorKind::TooMany {
                        len: list.len(),
                        max: MAX_ANY,
                    });
                    return None;
                }
                let checked: Vec<Option<Matcher>> = list
                    .iter()
                    .enumerate()
                    .map(|(i, m)| r.index(i, |r| Matcher::check_at(m, r, depth + 1)))
                    .collect();
                checked
                    .into_iter()
                    .collect::<Option<Box<[_]>>>()
                    .map(Matcher::Any)
            }),
        }
    }

    /// Whether `path` (a URL path, without query string) matches. Never allocates; a path
    /// longer than [`MAX_PATH_LEN`] is matched on its first [`MAX_PATH_LEN`] bytes.
    pub fn matches(&self, path: &str) -> bool {
        self.matches_counted(path, &mut 0)
    }

    /// [`Matcher::matches`], adding the glob steps taken to `steps` (for budget tests).
    pub fn matches_counted(&self, path: &str, steps: &mut usize) -> bool {
        let path = path.as_bytes();
        let path = path.get(..MAX_PATH_LEN).unwrap_or(path);
        self.matches_bytes(path, steps)
    }

    fn matches_bytes(&self, path: &[u8], steps: &mut usize) -> bool {
        match self {
            Matcher::Exact(p) => path == p.as_bytes(),
            Matcher::Prefix(p) => path.starts_with(p.as_bytes()),
            Matcher::Glob(p) => glob(p.as_bytes(), path, steps),
            Matcher::Not(m) => !m.matches_bytes(path, steps),
            Matcher::Any(ms) => ms.iter().any(|m| m.matches_bytes(path, steps)),
        }
    }

    /// The bytes of its patterns; `usize::MAX` when one is longer than [`MAX_PATTERN_LEN`]
    /// (compiled rules are checked with it, trusting nothing).
    pub fn pattern_bytes(&self) -> usize {
        match self {
            Matcher::Exact(p) | Matcher::Prefix(p) | Matcher::Glob(p) => {
                if p.len() > MAX_PATTERN_LEN {
                    usize::MAX
                } else {
                    p.len()
                }
            }
            Matcher::Not(m) => m.pattern_bytes(),
            Matcher::Any(ms) => ms
                .iter()
                .map(Matcher::pattern_bytes)
                .fold(0, usize::saturating_add),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_its_path_and_query_and_index_html_is_its_directory() {
        let one = PageId::of("/product?id=1");
        let two = PageId::of("/product?id=2");
        assert_eq!((one.path, two.path), ("/product", "/product"));
        assert_ne!(one.hash, two.hash, "two products are two pages");
        assert_eq!(PageId::of("/").hash, PageId::of("/index.html").hash);
        assert_eq!(PageId::of("/demo/index.htm").path, "/demo/");
        assert_eq!(PageId::of("").path, "/");
        assert_eq!(PageId::of("/cart").hash, PageId::of("/cart?").hash);
        assert_ne!(PageId::of("/#/cart").hash, PageId::of("/#/account").hash);
        assert_eq!(PageId::of("/myindex.html").path, "/myindex.html");
    }

    fn matcher(json: &str) -> Result<Matcher, Vec<String>> {
        let mut r = Reader::default();
        let spec = PageMatch::read(&Json::parse(json).unwrap(), &mut r);
        let m = spec.and_then(|s| Matcher::check(&s, &mut r));
        match m {
            Some(m) if r.errors.is_empty() => Ok(m),
            _ => Err(r.errors.iter().map(ToString::to_string).collect()),
        }
    }

    #[test]
    fn the_worst_page_view_any_accepted_rules_allow_does_bounded_work_per_path_byte() {
        // The backtracking worst case at the longest pattern, as many as the budget allows,
        // against paths of 2 KB, 64 KB and 1 MB: the work stops growing at MAX_PATH_LEN.
        let pattern = format!("*{}b", "a".repeat(MAX_PATTERN_LEN - 2));
        let worst: Vec<Matcher> = (0..MAX_PATTERN_BYTES / MAX_PATTERN_LEN)
            .map(|_| Matcher::Glob(pattern.as_str().into()))
            .collect();
        let budget = MAX_PATTERN_BYTES * MAX_PATH_LEN;
        let mut counted = Vec::new();
        for len in [2 << 10, 64 << 10, 1 << 20] {
            let path = format!("/{}", "a".repeat(len));
            let mut steps = 0;
            assert!(!worst.iter().any(|m| m.matches_counted(&path, &mut steps)));
            assert!(
                steps <= budget,
                "{steps} steps for a {len}-byte path; budget {budget}"
            );
            counted.push(steps);
        }
        assert!(counted.windows(2).all(|w| w[0] == w[1]), "{counted:?}");
        // Long paths keep their meaning for exact and prefix patterns.
        let long = format!("/shop/{}", "x".repeat(4000));
        assert!(Matcher::Prefix("/shop/".into()).matches(&long));
        assert!(!Matcher::Exact("/shop/".into()).matches(&long));
    }

    #[test]
    fn globs_match_like_a_site_owner_expects() {
        let cases = [
            ("/product/*", "/product/42", true),
            ("/product/*", "/product/", true),
            ("/product/*", "/products/1", false),
            ("*cancel*", "/account/cancel-subscription", true),
            ("*cancel*", "/account", false),
            ("/a/*/c", "/a/b/x/c", true),
            ("/a/*/c", "/a/b/x/d", false),
            ("/p?ge", "/page", true),
            ("/p?ge", "/pge", false),
            ("*", "/", true),
            ("/x**y", "/xy", true),
            (
                "/*a*a*a*a*b",
                "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                false,
            ),
        ];
        for (pattern, path, want) in cases {
            assert_eq!(
                glob(pattern.as_bytes(), path.as_bytes(), &mut 0),
                want,
                "{pattern} vs {path}"
            );
        }
    }

    #[test]
    fn every_match_type_and_their_combinations_work() {
        let m = matcher(
            r#"{"any": [{"exact": "/cart"}, {"prefix": "/checkout"},
                        {"not": {"glob": "/*"}}]}"#,
        )
        .unwrap();
        assert!(m.matches("/cart"));
        assert!(!m.matches("/cart/x"));
        assert!(m.matches("/checkout/shipping"));
        assert!(!m.matches("/home"));
    }

    #[test]
    fn bad_patterns_name_their_path_and_reason() {
        let errors = matcher(r#"{"any": [{"exact": "cart"}, {"prefix": "/a?b=1"}, {"glob": ""}]}"#)
            .unwrap_err();
        assert_eq!(
            errors,
            [
                "any[0].exact: bad page pattern: paths start with `/` (globs may also start with `*`)",
                "any[1].prefix: bad page pattern: a path has no query string or fragment; match the path only",
                "any[2].glob: bad page pattern: it is empty",
            ]
        );
        let errors = matcher(r#"{"regex": "/x", "glob": "/y"}"#).unwrap_err();
        assert_eq!(
            errors,
            ["regex: unknown field `regex`; expected one of: exact, prefix, glob, not, any"]
        );
        let errors = matcher(r#"{"exact": "/x", "glob": "/y"}"#).unwrap_err();
        assert_eq!(
            errors,
            ["expected an object with exactly one of: exact, prefix, glob, not, any (found 2)"]
        );
    }
}
