//! Checking single values: ids, lengths, links, colours, phone numbers, language tags,
//! and the privacy settings' parameter names.

use crate::prelude::*;

use super::super::error::RuleErrorKind as E;
use super::super::read::Reader;
use super::super::spec::PrivacySpec;

const MAX_URL: usize = 2048;
const MAX_KEEP_QUERY: usize = 32;

pub(super) fn privacy(spec: &PrivacySpec, r: &mut Reader) -> bool {
    r.field("keep_query", |r| {
        let mut ok = count(spec.keep_query.len(), MAX_KEEP_QUERY, r);
        for (i, name) in spec.keep_query.iter().enumerate() {
            ok &= r.index(i, |r| {
                let good = !name.is_empty()
                    && name.len() <= 64
                    && !name.contains(['&', '=', '#', '?'])
                    && !name.chars().any(char::is_whitespace);
                if !good {
                    r.error(E::BadId(name.clone()));
                }
                good
            });
        }
        ok
    })
}

pub(super) fn unique(id: &str, before: &[&str], list: &'static str, r: &mut Reader) -> bool {
    match before.iter().position(|x| *x == id) {
        Some(first) => {
            r.error(E::Duplicate {
                id: id.to_owned(),
                first: format!("{list}[{first}]"),
            });
            false
        }
        None => true,
    }
}

fn is_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}

pub(super) fn id_like(id: &str, r: &mut Reader) -> bool {
    let ok = is_id(id);
    if !ok {
        r.error(E::BadId(id.to_owned()));
    }
    ok
}

pub(super) fn count(len: usize, max: usize, r: &mut Reader) -> bool {
    if len > max {
        r.error(E::TooMany { len, max });
    }
    len <= max
}

pub(super) fn bounded_text(text: &str, max: usize, may_be_empty: bool, r: &mut Reader) -> bool {
    let len = text.chars().count();
    if len == 0 && !may_be_empty || text.trim().is_empty() && !text.is_empty() {
        r.error(E::Empty);
        return false;
    }
    if len > max {
        r.error(E::TooLong { len, max });
        return false;
    }
    true
}

pub(super) fn link_url(url: &str, r: &mut Reader) -> bool {
    let lower = url.to_ascii_lowercase();
    let scheme_ok = ["https://", "http://", "mailto:", "tel:"]
        .iter()
        .any(|s| lower.starts_with(s))
        || (url.starts_with('/') && !url.starts_with("//"));
    let ok = scheme_ok
        && url.len() <= MAX_URL
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\');
    if !ok {
        r.error(E::BadUrl(url.to_owned()));
    }
    ok
}

pub(super) fn colour(c: &str, r: &mut Reader) -> bool {
    let hex = c.strip_prefix('#').unwrap_or("");
    let ok = matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        r.error(E::BadColour(c.to_owned()));
    }
    ok
}

pub(super) fn phone_number(p: &str, r: &mut Reader) -> bool {
    let digits = p.bytes().filter(u8::is_ascii_digit).count();
    let ok = (3..=20).contains(&digits)
        && p.len() <= 32
        && p.bytes()
            .all(|b| b.is_ascii_digit() || b" +-().".contains(&b));
    if !ok {
        r.error(E::BadPhone(p.to_owned()));
    }
    ok
}

pub(super) fn language_tag(tag: &str, r: &mut Reader) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    let ok = (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        && tag.len() <= 35;
    if !ok {
        r.error(E::BadLanguage(tag.to_owned()));
    }
    ok
}
