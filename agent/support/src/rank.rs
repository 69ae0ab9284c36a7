//! Search over the site's articles, on the device (the collector never learns what a
//! visitor searched for): BM25 over each article's title (counted twice), keywords (three
//! times) and body. Words are lower-cased runs of letters and digits, a plural `s`
//! folded; a query word of three letters or more also finds the words it starts, so
//! results come while the visitor is still typing. An article's words are counted when the
//! content is checked ([`terms`]); the module only ranks.

use alloc::string::String;
use alloc::vec::Vec;

use crate::content::{Article, Term};

/// BM25's term-frequency saturation.
const K1: f32 = 1.2;
/// BM25's length normalisation.
const B: f32 = 0.75;
/// A word found by its start counts this much of a whole one.
const PREFIX: f32 = 0.8;
/// Longest query looked at, in characters.
pub const MAX_QUERY: usize = 200;

/// A character folded for search: lower case for Latin, Greek and Cyrillic letters, and
/// `None` for what separates words (spaces, punctuation, symbols). Written out rather than
/// with core's Unicode tables, which would weigh more than the rest of the module.
pub fn fold(c: char) -> Option<char> {
    let u = u32::from(c);
    let lower = match u {
        0x41..=0x5a | 0xc0..=0xd6 | 0xd8..=0xde | 0x391..=0x3a1 | 0x3a3..=0x3ab | 0x410..=0x42f => {
            u + 0x20
        }
        0x400..=0x40f => u + 0x50,
        0x100..=0x137 | 0x14a..=0x177 if u % 2 == 0 => u + 1,
        0x139..=0x148 | 0x179..=0x17e if u % 2 == 1 => u + 1,
        0..=0x2f | 0x3a..=0x40 | 0x5b..=0x60 | 0x7b..=0xbf | 0xd7 | 0xf7 => return None,
        0x2000..=0x206f | 0x3000..=0x303f | 0xfe30..=0xfe4f | 0xff00..=0xff0f => return None,
        _ => u,
    };
    char::from_u32(lower)
}

/// The words of a text, in order.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| fold(c).is_none())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut lower: String = w.chars().filter_map(fold).collect();
            // More than three letters (counted no further: core's counter weighs 0.5 kB).
            if lower.chars().nth(3).is_some() && lower.ends_with('s') && !lower.ends_with("ss") {
                lower.pop();
            }
            lower
        })
}

/// An article's words for search, each with how often it occurs weighted by field (title
/// twice, keywords three times, body once), sorted ([`Article::terms`]).
pub fn terms(title: &str, keywords: &[String], text: &str) -> Vec<Term> {
    let mut terms: Vec<Term> = Vec::new();
    let mut add = |text: &str, weight: u32| {
        for word in words(text) {
            match terms.binary_search_by(|t| t.word.as_str().cmp(&word)) {
                Ok(i) => terms[i].count += weight,
                Err(i) => terms.insert(
                    i,
                    Term {
                        word,
                        count: weight,
                    },
                ),
            }
        }
    };
    add(title, 2);
    for k in keywords {
        add(k, 3);
    }
    add(text, 1);
    terms
}

/// An article's length for BM25: its weighted words.
fn length(a: &Article) -> f32 {
    a.terms.iter().map(|t| t.count as f32).sum()
}

/// The articles matching `query`, best first, as indices into `articles` with their scores
/// (ties in article order).
pub fn search(articles: &[Article], query: &str) -> Vec<(usize, f32)> {
    let cut: String = query.chars().take(MAX_QUERY).collect();
    let mut query: Vec<String> = Vec::new();
    for w in words(&cut) {
        if !query.contains(&w) {
            query.push(w);
        }
    }
    let n = articles.len() as f32;
    let avg_len = if articles.is_empty() {
        1.0
    } else {
        (articles.iter().map(length).sum::<f32>() / n).max(1.0)
    };
    let mut scores: Vec<(usize, f32)> = Vec::new();
    for word in &query {
        let found: Vec<(usize, f32)> = (articles.iter().enumerate())
            .filter_map(|(i, a)| frequency(&a.terms, word).map(|tf| (i, tf)))
            .collect();
        if found.is_empty() {
            continue;
        }
        let df = found.len() as f32;
        let idf = libm::logf(1.0 + (n - df + 0.5) / (df + 0.5));
        for (i, tf) in found {
            let norm = 1.0 - B + B * length(&articles[i]) / avg_len;
            let s = idf * tf * (K1 + 1.0) / (tf + K1 * norm);
            match scores.iter_mut().find(|(j, _)| *j == i) {
                Some(e) => e.1 += s,
                None => scores.push((i, s)),
            }
        }
    }
    crate::sort_by(&mut scores, |a, b| {
        a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)).is_gt()
    });
    scores
}

/// How often `word` occurs in `terms`: whole, or (for 3 letters and more) as the start of
/// words.
fn frequency(terms: &[Term], word: &str) -> Option<f32> {
    let at = terms.partition_point(|t| t.word.as_str() < word);
    let mut tf = 0.0;
    for t in &terms[at..] {
        if t.word == word {
            tf += t.count as f32;
        } else if word.chars().nth(2).is_some() && t.word.starts_with(word) {
            tf += t.count as f32 * PREFIX;
        } else {
            break;
        }
    }
    (tf > 0.0).then_some(tf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::content;

    fn ids(q: &str) -> Vec<String> {
        let c = content();
        search(&c.articles, q)
            .into_iter()
            .map(|(i, _)| c.articles[i].id.clone())
            .collect()
    }

    #[test]
    fn the_article_about_the_words_ranks_first() {
        assert_eq!(ids("promo code")[0], "promo-codes");
        assert_eq!(ids("When will my parcel arrive?")[0], "delivery-times");
        assert_eq!(ids("card declined")[0], "card-declined");
    }

    #[test]
    fn a_word_being_typed_already_finds_its_articles() {
        assert_eq!(ids("deliv")[0], "delivery-times");
        assert!(ids("de").is_empty(), "two letters are not a word yet");
    }

    #[test]
    fn plurals_and_case_do_not_matter() {
        assert_eq!(ids("CODES"), ids("code"));
    }

    #[test]
    fn accents_and_other_alphabets_fold_like_english() {
        let w: Vec<String> = words("ÉTÉ Straße ŁÓDŹ Москва ΑΘΗΝΑ «déjà-vu» 東京").collect();
        assert_eq!(
            w,
            [
                "été",
                "straße",
                "łódź",
                "москва",
                "αθηνα",
                "déjà",
                "vu",
                "東京"
            ]
        );
    }

    #[test]
    fn nothing_matches_nothing() {
        assert!(ids("").is_empty());
        assert!(ids("zebra").is_empty());
        assert!(ids("!!! ???").is_empty());
    }

    #[test]
    fn a_very_long_query_is_cut_not_refused() {
        let long = "promo ".repeat(10_000);
        assert_eq!(ids(&long)[0], "promo-codes");
    }
}
