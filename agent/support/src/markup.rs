//! The small safe markup of article bodies, read once when the content is checked and held
//! as [`Block`]s that the renderer turns into elements with text, never HTML:
//!
//! - a blank line separates paragraphs;
//! - lines starting with `- ` make a list;
//! - `**bold**`;
//! - `[label](url)` links (`https:`, `http:`, `mailto:`, `tel:` or a path on the site).

use alloc::string::String;
use alloc::vec::Vec;

/// A run of text.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Bold text.
    Bold(String),
    /// A link: its label and where it goes.
    Link(String, String),
}

/// A paragraph or a list.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph.
    Para(Vec<Inline>),
    /// A bulleted list, one run of inlines per item.
    List(Vec<Vec<Inline>>),
}

/// What is wrong with a body's markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkupError {
    /// `**` opened and never closed (on this line number, from 1).
    UnclosedBold(usize),
    /// `[label](` without its `)` (on this line number).
    UnclosedLink(usize),
    /// A link to a place a prompt may not link to.
    BadUrl(String),
}

/// Longest URL in a link.
pub const MAX_URL: usize = 2048;

/// Whether a link may go there: the rules' URL rule.
pub fn url_ok(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let scheme_ok = ["https://", "http://", "mailto:", "tel:"]
        .iter()
        .any(|s| lower.starts_with(s))
        || (url.starts_with('/') && !url.starts_with("//"));
    scheme_ok
        && url.len() <= MAX_URL
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
}

/// Reads a body into blocks.
pub fn parse(text: &str) -> Result<Vec<Block>, MarkupError> {
    let mut blocks = Vec::new();
    let mut para: Vec<Inline> = Vec::new();
    let mut list: Vec<Vec<Inline>> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(item) = line.strip_prefix("- ") {
            end_para(&mut para, &mut blocks);
            list.push(inlines(item, n + 1)?);
            continue;
        }
        if !list.is_empty() {
            blocks.push(Block::List(core::mem::take(&mut list)));
        }
        if line.is_empty() {
            end_para(&mut para, &mut blocks);
        } else {
            if !para.is_empty() {
                para.push(Inline::Text(" ".into()));
            }
            para.extend(inlines(line, n + 1)?);
        }
    }
    end_para(&mut para, &mut blocks);
    if !list.is_empty() {
        blocks.push(Block::List(list));
    }
    Ok(blocks)
}

fn end_para(para: &mut Vec<Inline>, blocks: &mut Vec<Block>) {
    if !para.is_empty() {
        blocks.push(Block::Para(core::mem::take(para)));
    }
}

/// One line's text, bold and links (adjacent text runs merged).
fn inlines(line: &str, n: usize) -> Result<Vec<Inline>, MarkupError> {
    let mut out: Vec<Inline> = Vec::new();
    let mut text = String::new();
    let mut rest = line;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("**") {
            let end = after.find("**").ok_or(MarkupError::UnclosedBold(n))?;
            flush(&mut text, &mut out);
            out.push(Inline::Bold(after[..end].into()));
            rest = &after[end + 2..];
        } else if let Some((label, url, after)) = link(rest, n)? {
            if !url_ok(url) {
                return Err(MarkupError::BadUrl(url.chars().take(64).collect()));
            }
            flush(&mut text, &mut out);
            out.push(Inline::Link(label.into(), url.into()));
            rest = after;
        } else {
            // Up to the next `*` or `[` (a lone one is text), whole characters.
            let first = rest.chars().next().map_or(1, char::len_utf8);
            let next = rest[first..]
                .find(['*', '['])
                .map_or(rest.len(), |i| i + first);
            text.push_str(&rest[..next]);
            rest = &rest[next..];
        }
    }
    flush(&mut text, &mut out);
    Ok(out)
}

/// `[label](url)` at the start of `s`: its label, its url and what follows. A `[label]`
/// not followed by `(` is text; `[label](` without its `)` is an error.
fn link(s: &str, n: usize) -> Result<Option<(&str, &str, &str)>, MarkupError> {
    let Some(after) = s.strip_prefix('[') else {
        return Ok(None);
    };
    let Some(close) = after.find(']') else {
        return Ok(None);
    };
    let Some(url) = after[close + 1..].strip_prefix('(') else {
        return Ok(None);
    };
    let end = url.find(')').ok_or(MarkupError::UnclosedLink(n))?;
    Ok(Some((&after[..close], &url[..end], &url[end + 1..])))
}

fn flush(text: &mut String, out: &mut Vec<Inline>) {
    if !text.is_empty() {
        out.push(Inline::Text(core::mem::take(text)));
    }
}

/// The words of blocks, for search.
pub fn plain(blocks: &[Block], out: &mut String) {
    let mut run = |i: &Inline| {
        let (Inline::Text(t) | Inline::Bold(t) | Inline::Link(t, _)) = i;
        out.push_str(t);
        out.push(' ');
    };
    for b in blocks {
        match b {
            Block::Para(p) => p.iter().for_each(&mut run),
            Block::List(items) => items.iter().flatten().for_each(&mut run),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn t(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn paragraphs_lists_bold_and_links_are_read() {
        let blocks = parse(
            "Codes are **case sensitive**.\nCheck [the terms](/terms).\n\n- one\n- two *stars*\nAfter",
        )
        .unwrap();
        assert_eq!(
            blocks,
            vec![
                Block::Para(vec![
                    t("Codes are "),
                    Inline::Bold("case sensitive".into()),
                    t("."),
                    t(" "),
                    t("Check "),
                    Inline::Link("the terms".into(), "/terms".into()),
                    t("."),
                ]),
                Block::List(vec![vec![t("one")], vec![t("two *stars*")]]),
                Block::Para(vec![t("After")]),
            ]
        );
    }

    #[test]
    fn markup_is_text_however_it_looks() {
        let blocks = parse("<img src=x onerror=alert(1)> &amp;").unwrap();
        assert_eq!(
            blocks,
            vec![Block::Para(vec![t("<img src=x onerror=alert(1)> &amp;")])]
        );
    }

    #[test]
    fn broken_markup_says_where() {
        assert_eq!(parse("a\n**open"), Err(MarkupError::UnclosedBold(2)));
        assert_eq!(parse("[x](/y"), Err(MarkupError::UnclosedLink(1)));
        assert_eq!(
            parse("Sizes [EU] é"),
            Ok(vec![Block::Para(vec![t("Sizes [EU] é")])])
        );
        assert_eq!(
            parse("[x](javascript:alert(1))"),
            Err(MarkupError::BadUrl("javascript:alert(1".into()))
        );
    }
}
