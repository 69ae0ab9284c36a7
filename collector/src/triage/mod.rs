//! Triage of feedback, at the collector, while the visitor waits: is it negative, does the
//! visit's evidence support it, is it potential fraud, which known problem it is, may the
//! visitor be told, and is a coupon due.
//!
//! - [`judge`]: the verdict from the feedback, its evidence, the visitor's history here and
//!   the site's `feedback` rules. Pure: the store gathers the history and mints.
//! - [`words`]: comments folded to plain words; negative and compensation words.
//! - [`identity`]: the shop's signed attributes (HMAC-SHA256 under the site's secret).
//! - [`answer`]: what the visitor is told, in their language.
//! - [`coupon`]: codes and terms of the coupons minted.

pub mod answer;
pub mod coupon;
pub mod identity;
pub mod words;

use lifeline_shared::rules::{Problem, Triage};
use lifeline_shared::signals::SignalSet;
use lifeline_shared::wire::Evidence;
use serde::Serialize;

use identity::Signed;

/// A page where signals fired in the visit: the page a feedback was sent from (with the
/// signals its evidence says fired there), and the pages of the visit's decisions.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// The page path.
    pub page: String,
    /// The signals that fired there.
    pub signals: SignalSet,
}

/// A feedback as triage reads it.
#[derive(Debug, Clone, Copy)]
pub struct Feedback<'a> {
    /// Where it was sent from.
    pub page: &'a str,
    /// Where signals fired in the visit.
    pub places: &'a [Place],
    /// 1 to 5 stars.
    pub rating: Option<u8>,
    /// Thumbs up or down.
    pub thumbs: Option<bool>,
    /// What the visitor typed.
    pub comment: Option<&'a str>,
    /// The visit behind it.
    pub evidence: Option<&'a Evidence>,
}

/// What the store knows of the visitor and the text before this feedback.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct History {
    /// Other visitors who sent the same comment within 7 days.
    pub same_text_visitors: u32,
    /// Negative answers from this visitor today (UTC), before this one.
    pub visitor_negatives_today: u32,
    /// Negative answers from this address today, before this one.
    pub address_negatives_today: u32,
    /// This visitor or address was given a coupon within 30 days.
    pub coupon_recently: bool,
}

/// How the feedback reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sentiment {
    /// Praise or satisfaction.
    Positive,
    /// Neither.
    Neutral,
    /// A complaint.
    Negative,
}

impl Sentiment {
    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Sentiment::Positive => "positive",
            Sentiment::Neutral => "neutral",
            Sentiment::Negative => "negative",
        }
    }
}

/// Why feedback is not supported by its visit, or is potential fraud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A complaint sent seconds after the prompt showed, from a visit with no signal.
    QuickAnswer,
    /// The comment names a known problem the visit shows nothing of.
    Unsupported(String),
    /// The same comment came from other visitors (fraud).
    SameText(u32),
    /// Too many complaints from this visitor today (fraud).
    VisitorVolume(u32),
    /// Too many complaints from this address today (fraud).
    AddressVolume(u32),
    /// It asks for compensation the visit does not support (fraud).
    CouponPattern,
    /// It asks for compensation again, soon after a coupon (fraud).
    CouponAgain,
    /// The signed attributes' signature does not match (fraud).
    BadSignature,
}

impl Reason {
    /// Whether this reason makes the feedback potential fraud.
    pub fn is_fraud(&self) -> bool {
        !matches!(self, Reason::QuickAnswer | Reason::Unsupported(_))
    }

    /// Its code in the API, the database and CSV: `same_text:3`, `unsupported:ID`.
    pub fn code(&self) -> String {
        match self {
            Reason::QuickAnswer => "quick_answer".into(),
            Reason::Unsupported(p) => format!("unsupported:{p}"),
            Reason::SameText(n) => format!("same_text:{n}"),
            Reason::VisitorVolume(n) => format!("visitor_volume:{n}"),
            Reason::AddressVolume(n) => format!("address_volume:{n}"),
            Reason::CouponPattern => "coupon_pattern".into(),
            Reason::CouponAgain => "coupon_again".into(),
            Reason::BadSignature => "bad_signature".into(),
        }
    }
}

/// What triage found.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Negative or not.
    pub sentiment: Sentiment,
    /// Supported by the visit (always, for feedback that is not negative).
    pub valid: bool,
    /// Potential fraud: never compensated, answered neutrally.
    pub fraud: bool,
    /// Why it is invalid or fraud.
    pub reasons: Vec<Reason>,
    /// The known problem it is (index in the catalogue).
    pub problem: Option<usize>,
    /// The visitor may be told of the problem.
    pub disclose: bool,
    /// The problem's cost times the visitor's value, when a coupon may be due.
    pub worth: Option<f64>,
}

/// How it reads: the rating first, then thumbs, then the comment's words.
pub fn sentiment(f: &Feedback<'_>, triage: &Triage, folded: &str) -> Sentiment {
    let own = || {
        (triage.spec.negative_words.values())
            .flatten()
            .map(String::as_str)
    };
    match (f.rating, f.thumbs) {
        (Some(r), _) if u32::from(r) <= triage.spec.negative_rating_at_most => Sentiment::Negative,
        (Some(r), _) if r >= 4 => Sentiment::Positive,
        (_, Some(false)) => Sentiment::Negative,
        (_, Some(true)) => Sentiment::Positive,
        _ if words::negative(folded, own()) => Sentiment::Negative,
        _ => Sentiment::Neutral,
    }
}

/// The visitor's value to the shop, 0 to 1: their signed tier's value; unsigned, expired
/// or refused, the lowest tier's; every visitor 1 when the rules define no tiers.
pub fn value(triage: &Triage, signed: &Signed) -> f64 {
    let lowest = (triage.tiers.iter().map(|(_, v)| *v)).fold(f64::INFINITY, f64::min);
    if !lowest.is_finite() {
        return 1.0;
    }
    match signed {
        Signed::Valid { tier: Some(t), .. } => (triage.tiers.iter())
            .find(|(name, _)| name == t)
            .map_or(lowest, |(_, v)| *v),
        _ => lowest,
    }
}

/// Whether the visit shows `problem`: on one of its pages (where the feedback was sent, or
/// where a signal fired), with one of its signals, with one of its tasks begun; each only
/// when listed.
fn shows(problem: &Problem, f: &Feedback<'_>, e: &Evidence) -> bool {
    let spec = &problem.spec;
    let pages = problem.pages.is_empty()
        || (std::iter::once(f.page).chain(f.places.iter().map(|p| p.page.as_str())))
            .any(|p| problem.pages.iter().any(|m| m.matches(p)));
    let fired = (f.places.iter()).fold(e.signals | e.here, |set, p| set | p.signals);
    let signals = spec.signals.is_empty() || spec.signals.iter().any(|s| fired.contains(*s));
    let tasks =
        spec.tasks.is_empty() || (spec.tasks.iter()).any(|t| e.tasks.iter().any(|s| &s.task == t));
    pages && signals && tasks
}

/// Whether a problem says how it shows (pages, signals or tasks), so it can be diagnosed.
fn checkable(problem: &Problem) -> bool {
    let s = &problem.spec;
    !(s.pages.is_empty() && s.signals.is_empty() && s.tasks.is_empty())
}

/// Whether a visit that shows none of `problem`'s signals and tasks cannot have met it.
/// Pages alone do not tell: the visit's pages are known only where signals fired or
/// prompts showed, so a problem known by its pages only is never held against a visit.
fn refutable(problem: &Problem, f: &Feedback<'_>, e: &Evidence) -> bool {
    let spec = &problem.spec;
    if spec.signals.is_empty() && spec.tasks.is_empty() {
        return false;
    }
    let fired = (f.places.iter()).fold(e.signals | e.here, |set, p| set | p.signals);
    !(spec.signals.iter()).any(|s| fired.contains(*s))
        && !(spec.tasks.iter()).any(|t| e.tasks.iter().any(|s| &s.task == t))
}

/// The verdict on `f` from a visitor with `history`, whose attributes are `signed`.
pub fn judge(f: &Feedback<'_>, triage: &Triage, history: History, signed: &Signed) -> Verdict {
    let folded = words::fold(f.comment.unwrap_or_default());
    let sentiment = sentiment(f, triage, &folded);
    let mut reasons = Vec::new();
    if *signed == Signed::Bad {
        reasons.push(Reason::BadSignature);
    }
    let mut verdict = Verdict {
        sentiment,
        valid: true,
        fraud: false,
        reasons,
        problem: None,
        disclose: false,
        worth: None,
    };
    if sentiment != Sentiment::Negative {
        verdict.fraud = !verdict.reasons.is_empty();
        return verdict;
    }
    let spec = &triage.spec;
    let named = |p: &Problem| (p.spec.keywords.iter()).any(|k| words::holds(&folded, k));
    if let Some(e) = f.evidence {
        let quiet = (f.places.iter()).fold(e.signals | e.here, |set, p| set | p.signals)
            == SignalSet::EMPTY;
        if quiet && u64::from(e.answer_ms) < u64::from(spec.quick_answer_s) * 1000 {
            verdict.reasons.push(Reason::QuickAnswer);
        }
        // The diagnosis: the first problem the visit shows that the comment (when there is
        // one and the problem lists words) names.
        verdict.problem = triage.problems.iter().position(|p| {
            checkable(p)
                && shows(p, f, e)
                && (p.spec.keywords.is_empty() || folded.is_empty() || named(p))
        });
        if verdict.problem.is_none() {
            // A comment naming a known problem the visit shows nothing of.
            if let Some(p) = (triage.problems.iter()).find(|p| named(p) && refutable(p, f, e)) {
                verdict.reasons.push(Reason::Unsupported(p.spec.id.clone()));
            }
        }
    } else if let Some(i) = triage.problems.iter().position(named) {
        // No evidence (an agent before evidence): named, not shown; never compensated.
        verdict.problem = Some(i);
    }
    verdict.valid = verdict.reasons.iter().all(Reason::is_fraud);
    // Potential fraud.
    let fraud = &spec.fraud;
    if history.same_text_visitors + 1 >= fraud.same_text_visits {
        verdict
            .reasons
            .push(Reason::SameText(history.same_text_visitors + 1));
    }
    if history.visitor_negatives_today >= fraud.per_visitor_day {
        verdict
            .reasons
            .push(Reason::VisitorVolume(history.visitor_negatives_today + 1));
    }
    if history.address_negatives_today >= fraud.per_address_day {
        verdict
            .reasons
            .push(Reason::AddressVolume(history.address_negatives_today + 1));
    }
    let asks = words::asks_compensation(&folded, fraud.coupon_words.iter().map(String::as_str));
    if asks && !verdict.valid {
        verdict.reasons.push(Reason::CouponPattern);
    } else if asks && history.coupon_recently {
        verdict.reasons.push(Reason::CouponAgain);
    }
    verdict.fraud = verdict.reasons.iter().any(Reason::is_fraud);
    let problem = verdict.problem.map(|i| &triage.problems[i].spec);
    verdict.disclose = verdict.valid && !verdict.fraud && problem.is_some_and(|p| p.disclose);
    if verdict.valid
        && !verdict.fraud
        && f.evidence.is_some()
        && let (Some(p), Some(c)) = (problem, &spec.compensation)
    {
        let worth = p.cost * value(triage, signed);
        if p.cost > 0.0 && worth >= c.threshold {
            verdict.worth = Some(worth);
        }
    }
    verdict
}

#[cfg(test)]
mod tests;
