//! Page patterns of support content, matched like the rules' (`exact`, `prefix`, `glob`
//! with `*` and `?`, `not`, `any`): in linear space and at most pattern x path steps.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// Longest path looked at; the rest is cut, as the rules cut it.
pub const MAX_PATH_LEN: usize = 1024;

/// A page pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Page {
    /// The path is exactly this.
    Exact(String),
    /// The path starts with this.
    Prefix(String),
    /// `*` is any run of characters (including `/`), `?` one.
    Glob(String),
    /// The path does not match this.
    Not(Box<Page>),
    /// The path matches any of these.
    Any(Vec<Page>),
}

impl Page {
    /// Whether `path` (its query string included, if kept) matches.
    pub fn matches(&self, path: &str) -> bool {
        let bytes = path.as_bytes();
        self.matches_bytes(&bytes[..bytes.len().min(MAX_PATH_LEN)])
    }

    fn matches_bytes(&self, path: &[u8]) -> bool {
        match self {
            Page::Exact(p) => path == p.as_bytes(),
            Page::Prefix(p) => path.starts_with(p.as_bytes()),
            Page::Glob(p) => glob(p.as_bytes(), path, &mut 0),
            Page::Not(m) => !m.matches_bytes(path),
            Page::Any(ms) => ms.iter().any(|m| m.matches_bytes(path)),
        }
    }
}

/// Glob match with `*` (any run, possibly empty) and `?` (one byte), in constant space and
/// at worst O(pattern x text) steps (counted in `steps`): a later `*` only ever retries
/// from the last star, never backtracks further. The rules' page matching uses it too.
// Inline: called from `lifeline-shared` on every page view, where it was written before.
#[inline]
pub fn glob(pattern: &[u8], text: &[u8], steps: &mut usize) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while let Some(&c) = text.get(t) {
        *steps += 1;
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&want) if want == b'?' || want == c => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .unwrap_or_default()
        .iter()
        .all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn patterns_match_as_in_the_rules() {
        let g = |p: &str| Page::Glob(p.into());
        assert!(g("/checkout/*").matches("/checkout/payment"));
        assert!(!g("/checkout/*").matches("/checkouts"));
        assert!(g("/p?id=*").matches("/p?id=42"));
        assert!(Page::Prefix("/account".into()).matches("/account/orders"));
        assert!(Page::Not(Box::new(Page::Exact("/".into()))).matches("/cart"));
        assert!(Page::Any(vec![Page::Exact("/a".into()), g("/b*")]).matches("/bc"));
    }
}
