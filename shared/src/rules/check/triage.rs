//! Checking `feedback` into [`Triage`]: word lists and their languages, the catalogue of
//! known problems (ids, texts, page patterns, task names), fraud thresholds and the
//! coupon's terms (a currency for amounts, a percentage at most 100, an `https://` webhook).
//! Each problem at its JSON path.

use crate::prelude::*;

use super::super::error::RuleErrorKind as E;
use super::super::read::{PathSeg, Reader};
use super::super::spec::*;
use super::super::{Problem, Triage};
use super::values::{bounded_text, count, id_like, language_tag, unique};
use crate::page::Matcher;

/// Most problems in the catalogue.
const MAX_PROBLEMS: usize = 64;
/// Most entries in a problem's lists.
const MAX_LIST: usize = 16;
/// Most words in a word list.
const MAX_WORDS: usize = 64;
/// Longest word.
const MAX_WORD: usize = 40;
/// Longest problem title.
const MAX_TITLE: usize = 120;
/// Longest problem message.
const MAX_MESSAGE: usize = 300;

/// Checks the `feedback` section; `tasks` are the rules' task names, `tiers` the values of
/// `scoring.value.tiers`.
pub(super) fn triage(
    spec: &TriageSpec,
    tasks: &[&str],
    tiers: &[(String, f64)],
    r: &mut Reader,
) -> Option<Triage> {
    let mut ok = r.field("negative_words", |r| {
        let mut ok = count(spec.negative_words.len(), 16, r);
        for (tag, list) in &spec.negative_words {
            ok &= r.at(PathSeg::Key(tag.clone()), |r| {
                language_tag(tag, r) & word_list(list, MAX_WORDS, r)
            });
        }
        ok
    });
    let problems = r.field("problems", |r| {
        let ok = count(spec.problems.len(), MAX_PROBLEMS, r);
        let ids: Vec<&str> = spec.problems.iter().map(|p| p.id.as_str()).collect();
        let list: Vec<Option<Problem>> = (spec.problems.iter().enumerate())
            .map(|(i, p)| r.index(i, |r| problem(p, &ids[..i], tasks, r)))
            .collect();
        ok.then_some(())?;
        list.into_iter().collect::<Option<Vec<_>>>()
    });
    ok &= r.field("fraud", |r| {
        r.field("coupon_words", |r| {
            word_list(&spec.fraud.coupon_words, MAX_WORDS, r)
        })
    });
    if let Some(c) = &spec.compensation {
        ok &= r.field("compensation", |r| compensation(c, r));
    }
    ok.then_some(())?;
    Some(Triage {
        spec: spec.clone(),
        problems: problems?,
        tiers: tiers.to_vec(),
    })
}

fn word_list(list: &[String], max: usize, r: &mut Reader) -> bool {
    let mut ok = count(list.len(), max, r);
    for (i, w) in list.iter().enumerate() {
        ok &= r.index(i, |r| bounded_text(w, MAX_WORD, false, r));
    }
    ok
}

fn problem(p: &ProblemSpec, before: &[&str], tasks: &[&str], r: &mut Reader) -> Option<Problem> {
    let mut ok = r.field("id", |r| {
        id_like(&p.id, r) && unique(&p.id, before, "problems", r)
    });
    ok &= r.field("title", |r| bounded_text(&p.title, MAX_TITLE, false, r));
    if let Some(m) = &p.message {
        ok &= r.field("message", |r| bounded_text(m, MAX_MESSAGE, false, r));
    }
    let pages = r.field("pages", |r| {
        let ok = count(p.pages.len(), MAX_LIST, r);
        let list: Vec<Option<Matcher>> = (p.pages.iter().enumerate())
            .map(|(i, m)| r.index(i, |r| Matcher::check(m, r)))
            .collect();
        ok.then_some(())?;
        list.into_iter().collect::<Option<Vec<_>>>()
    });
    ok &= r.field("signals", |r| count(p.signals.len(), MAX_LIST, r));
    ok &= r.field("tasks", |r| {
        let mut ok = count(p.tasks.len(), MAX_LIST, r);
        for (i, t) in p.tasks.iter().enumerate() {
            if !tasks.contains(&t.as_str()) {
                r.index(i, |r| r.error(E::UnknownTask(t.clone())));
                ok = false;
            }
        }
        ok
    });
    ok &= r.field("keywords", |r| word_list(&p.keywords, MAX_LIST, r));
    if p.disclose && p.message.is_none() {
        ok &= r.field("message", |r| {
            r.error(E::Inconsistent(
                "a problem the visitor is told of (`disclose`) needs a `message`: what the shop is doing about it",
            ));
            false
        });
    }
    ok.then_some(())?;
    Some(Problem {
        spec: p.clone(),
        pages: pages?,
    })
}

fn compensation(c: &CompensationSpec, r: &mut Reader) -> bool {
    let mut ok = r.field("coupon", |r| coupon_terms(&c.coupon, r));
    if let Some(url) = &c.webhook {
        ok &= r.field("webhook", |r| webhook_url(url, r));
    }
    ok
}

/// A coupon's terms: a currency for amounts, a percentage at most 100, a short prefix.
pub(super) fn coupon_terms(coupon: &CouponSpec, r: &mut Reader) -> bool {
    let mut ok = true;
    match (coupon.kind, &coupon.currency) {
        (CouponKind::Amount, None) => {
            ok = r.field("currency", |r| {
                r.error(E::Inconsistent(
                    "an `amount` coupon needs a `currency` (ISO 4217, like `EUR`)",
                ));
                false
            });
        }
        (_, Some(cur)) => {
            let good = cur.len() == 3 && cur.bytes().all(|b| b.is_ascii_uppercase());
            if !good {
                r.field("currency", |r| {
                    r.error(E::Inconsistent(
                        "a currency is three capital letters (ISO 4217, like `EUR`)",
                    ))
                });
            }
            ok &= good;
        }
        (CouponKind::Percent, None) => {}
    }
    if coupon.kind == CouponKind::Percent && coupon.value > 100.0 {
        r.field("value", |r| {
            r.error(E::OutOfRange {
                value: coupon.value,
                min: 0.01,
                max: 100.0,
            })
        });
        ok = false;
    }
    let prefix_ok = coupon.prefix.len() <= 12
        && (coupon.prefix.bytes())
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if !prefix_ok {
        r.field("prefix", |r| {
            r.error(E::Inconsistent(
                "a code prefix is at most 12 of A-Z, 0-9 and -",
            ))
        });
    }
    ok & prefix_ok
}

/// Most deals staff may offer.
const MAX_OFFERS: usize = 32;
/// Longest fixed code.
const MAX_CODE: usize = 40;

/// The staff's chat offers: unique ids, a title, and either a fixed code or a coupon's terms.
pub(super) fn offers(list: &[OfferSpec], r: &mut Reader) -> bool {
    let mut ok = count(list.len(), MAX_OFFERS, r);
    let ids: Vec<&str> = list.iter().map(|o| o.id.as_str()).collect();
    for (i, o) in list.iter().enumerate() {
        ok &= r.index(i, |r| {
            let mut ok = r.field("id", |r| {
                id_like(&o.id, r) && unique(&o.id, &ids[..i], "offers", r)
            });
            ok &= r.field("title", |r| bounded_text(&o.title, MAX_TITLE, false, r));
            match (&o.code, &o.coupon) {
                (Some(code), None) => {
                    let good = !code.is_empty()
                        && code.len() <= MAX_CODE
                        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                    if !good {
                        r.field("code", |r| {
                            r.error(E::Inconsistent(
                                "a code is 1 to 40 of A-Z, a-z, 0-9, - and _",
                            ))
                        });
                    }
                    ok &= good;
                }
                (None, Some(coupon)) => ok &= r.field("coupon", |r| coupon_terms(coupon, r)),
                _ => {
                    r.error(E::Inconsistent(
                        "an offer has either a fixed `code` or a `coupon` to mint, not both or neither",
                    ));
                    ok = false;
                }
            }
            ok
        });
    }
    ok
}

/// A webhook's URL: `https://`, or plain `http://` to this machine (to try it out).
pub(super) fn webhook_url(url: &str, r: &mut Reader) -> bool {
    let lower = url.to_ascii_lowercase();
    let good = url.len() <= 2048
        && ["https://", "http://localhost:", "http://127.0.0.1:"]
            .iter()
            .any(|s| lower.starts_with(s) && url.len() > s.len())
        && !url.chars().any(char::is_whitespace);
    if !good {
        r.error(E::Inconsistent(
            "a webhook is an `https://` URL of at most 2048 characters (or `http://localhost:PORT/...` to try it out)",
        ));
    }
    good
}
