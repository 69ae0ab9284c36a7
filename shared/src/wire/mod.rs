//! What an agent sends to the collector: batches of decisions and feedback, and nothing
//! else. The agent builds them, the collector validates them with these same types.
//!
//! A [`ReportItem`] carries a rule id, a prompt id and kind, an outcome, the coarse score
//! band, the names of the signals that fired and the page path (query dropped unless kept).
//! Feedback carries the rating and the comment the visitor typed and chose to send. There
//! is no field for clicks, coordinates, keys, field values or page text.
//!
//! `json` writes a batch as JSON by hand (no serializer in the browser's wasm).

use crate::prelude::*;

mod evidence;
mod json;

pub use evidence::{Evidence, Identity, MAX_ATTRS, MAX_TASKS, TaskSeen};
pub use json::{batch_json, cat, json_string, member, push_decimal, string_or_null};

use serde::{Deserialize, Serialize};

use crate::decide::Outcome;
use crate::rules::spec::{Band, PromptKind};
use crate::signals::SignalSet;

/// Most items in one batch.
pub const MAX_ITEMS: usize = 50;
/// Most bytes in one batch's JSON.
pub const MAX_BATCH_BYTES: usize = 64 * 1024;
/// Longest comment, in characters.
pub const MAX_COMMENT: usize = 1000;
/// Longest id (session, key, rule, prompt), in bytes.
pub const MAX_ID: usize = 64;
/// Longest page path, in bytes.
pub const MAX_PAGE: usize = 512;

/// One batch from one visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBatch {
    /// The visit's random id (not a person's id; new each visit).
    pub session: String,
    /// The reports.
    pub items: Vec<ReportItem>,
    /// What the shop's backend signed about the visitor (`identify(attrs, signature)`),
    /// sent only with a batch that holds feedback, for the collector to verify when it
    /// judges that feedback (the prompt renderer adds it; the agent never writes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
}

/// One report, with a key that is unique per visit so the collector can drop repeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportItem {
    /// Idempotency key: the same report sent twice has the same key.
    pub key: String,
    /// When, in ms since the Unix epoch (the visitor's clock).
    pub at: u64,
    /// The page path (query parameters the rules do not keep are dropped).
    pub page: String,
    /// A decision or feedback.
    pub report: Report,
}

/// What is reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Report {
    /// A prompt was shown, or ended.
    Decision {
        /// The rule that fired (`manual` for `lifeline.show()`).
        rule: String,
        /// The prompt.
        prompt: String,
        /// Its kind.
        kind: PromptKind,
        /// `None` when shown; how it ended otherwise.
        outcome: Option<Outcome>,
        /// The coarse difficulty band.
        band: Band,
        /// The signals behind it.
        signals: SignalSet,
        /// The decision value in percent, sent with a prompt shown by a rule that alerts
        /// the staff (the collector alerts them).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<u8>,
    },
    /// Feedback the visitor submitted.
    Feedback {
        /// The rule whose prompt asked.
        rule: String,
        /// The prompt.
        prompt: String,
        /// 1 to 5 stars, if asked so.
        rating: Option<u8>,
        /// Thumbs up (true) or down, if asked so.
        thumbs: Option<bool>,
        /// What the visitor typed, at most 1000 characters.
        comment: Option<String>,
        /// The visit behind it, content-free (absent from agents before evidence).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence: Option<Evidence>,
    },
    /// A step of a support session: ids from the site's support content, never text.
    Support {
        /// The rule that offered it (`visitor` when the visitor asked).
        rule: String,
        /// The support prompt.
        prompt: String,
        /// What happened.
        event: SupportEvent,
        /// The persona speaking.
        persona: Option<String>,
        /// The article shown (or last shown, when the session ended).
        article: Option<String>,
        /// The guide.
        guide: Option<String>,
        /// The guide's step reached, from 1.
        step: Option<u8>,
        /// Where the visitor was referred (`chat`, `widget`, `email`, `phone`).
        channel: Option<String>,
    },
}

crate::rules::declare::json_enum! {
    /// What happened in a support session.
    pub enum SupportEvent {
        /// It started (at the visitor's request or offered by a rule).
        Started = "started",
        /// An article was opened.
        Article = "article",
        /// A guide's step was reached.
        GuideStep = "guide_step",
        /// A guide's step was skipped: its element is not on the page (a selector to fix).
        StepMissing = "step_missing",
        /// It helped (the visitor said so, or the struggle stopped).
        Resolved = "resolved",
        /// It did not help.
        Failed = "failed",
        /// The visitor was referred to a person.
        Escalated = "escalated",
    }
}

/// A report that breaks the format's bounds, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// JSON path of the bad value (`items[3].page`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl core::fmt::Display for WireError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl core::error::Error for WireError {}

pub(crate) fn id_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}

impl ReportItem {
    /// What the collector would refuse in this item, if anything: the field (as a path
    /// suffix) and why. The agent uses it too, on reports it finds in storage that another
    /// script could have written.
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        const ID: &str = "expected 1 to 64 characters from A-Z a-z 0-9 _ - . :";
        if !id_ok(&self.key) {
            return Some((".key", ID));
        }
        if !self.page.starts_with('/') || self.page.len() > MAX_PAGE || self.page.contains('#') {
            return Some((
                ".page",
                "expected a path starting with / of at most 512 bytes, no fragment",
            ));
        }
        let (rule, prompt) = match &self.report {
            Report::Decision {
                rule,
                prompt,
                value,
                ..
            } => {
                if value.is_some_and(|v| v > 100) {
                    return Some((".report.value", "expected 0 to 100"));
                }
                (rule, prompt)
            }
            Report::Feedback {
                rule,
                prompt,
                rating,
                thumbs,
                comment,
                evidence,
            } => {
                if let Some(problem) = evidence.as_ref().and_then(Evidence::problem) {
                    return Some(problem);
                }
                if rating.is_some_and(|r| !(1..=5).contains(&r)) {
                    return Some((".report.rating", "expected 1 to 5"));
                }
                if rating.is_none()
                    && thumbs.is_none()
                    && comment.as_deref().is_none_or(str::is_empty)
                {
                    return Some((".report", "feedback needs a rating, thumbs or a comment"));
                }
                if comment
                    .as_ref()
                    .is_some_and(|c| c.chars().count() > MAX_COMMENT)
                {
                    return Some((".report.comment", "too long: at most 1000 characters"));
                }
                (rule, prompt)
            }
            Report::Support {
                rule,
                prompt,
                persona,
                article,
                guide,
                step,
                channel,
                ..
            } => {
                if [persona, article, guide]
                    .into_iter()
                    .any(|id| id.as_deref().is_some_and(|id| !id_ok(id)))
                {
                    return Some((".report", "expected ids from the site's support content"));
                }
                if step.is_some_and(|s| !(1..=12).contains(&s)) {
                    return Some((".report.step", "expected 1 to 12"));
                }
                if channel
                    .as_deref()
                    .is_some_and(|c| !["chat", "widget", "email", "phone"].contains(&c))
                {
                    return Some((".report.channel", "expected chat, widget, email or phone"));
                }
                (rule, prompt)
            }
        };
        if !id_ok(rule) {
            return Some((".report.rule", "expected a rule id"));
        }
        if !id_ok(prompt) {
            return Some((".report.prompt", "expected a prompt id"));
        }
        None
    }
}

impl ReportBatch {
    /// Takes out the items the collector refuses, returning why, each with its path: one
    /// bad report (another script can write anything in the page's storage) must not keep
    /// the good ones beside it from being stored.
    pub fn refuse_invalid_items(&mut self) -> Vec<WireError> {
        let mut refused = Vec::new();
        for (i, item) in core::mem::take(&mut self.items).into_iter().enumerate() {
            match item.problem() {
                Some((field, message)) => refused.push(WireError {
                    path: format!("items[{i}]{field}"),
                    message: message.to_owned(),
                }),
                None => self.items.push(item),
            }
        }
        refused
    }

    /// Checks every bound; returns the first problem with its path.
    pub fn validate(&self) -> Result<(), WireError> {
        let err = |path: String, message: &str| {
            Err(WireError {
                path,
                message: message.to_owned(),
            })
        };
        if !id_ok(&self.session) {
            return err(
                "session".into(),
                "expected 1 to 64 characters from A-Z a-z 0-9 _ - . :",
            );
        }
        if self.items.is_empty() {
            return err("items".into(), "expected at least one item");
        }
        if self.items.len() > MAX_ITEMS {
            return err("items".into(), "too many items: at most 50 per batch");
        }
        for (i, item) in self.items.iter().enumerate() {
            if let Some((field, message)) = item.problem() {
                return err(format!("items[{i}]{field}"), message);
            }
        }
        Ok(())
    }
}

crate::codec::codec!(ReportItem {
    key,
    at,
    page,
    report
});

impl crate::codec::Codec for Report {
    fn put(&self, w: &mut crate::codec::Writer) {
        match self {
            Report::Decision {
                rule,
                prompt,
                kind,
                outcome,
                band,
                signals,
                value,
            } => {
                0u8.put(w);
                rule.put(w);
                prompt.put(w);
                kind.put(w);
                outcome.put(w);
                band.put(w);
                signals.put(w);
                value.put(w);
            }
            Report::Support {
                rule,
                prompt,
                event,
                persona,
                article,
                guide,
                step,
                channel,
            } => {
                2u8.put(w);
                rule.put(w);
                prompt.put(w);
                event.put(w);
                persona.put(w);
                article.put(w);
                guide.put(w);
                step.put(w);
                channel.put(w);
            }
            Report::Feedback {
                rule,
                prompt,
                rating,
                thumbs,
                comment,
                evidence,
            } => {
                1u8.put(w);
                rule.put(w);
                prompt.put(w);
                rating.put(w);
                thumbs.put(w);
                comment.put(w);
                evidence.put(w);
            }
        }
    }
    fn get(r: &mut crate::codec::Reader<'_>) -> Self {
        match r.tag(3) {
            2 => Report::Support {
                rule: String::get(r),
                prompt: String::get(r),
                event: SupportEvent::get(r),
                persona: Option::get(r),
                article: Option::get(r),
                guide: Option::get(r),
                step: Option::get(r),
                channel: Option::get(r),
            },
            0 => Report::Decision {
                rule: String::get(r),
                prompt: String::get(r),
                kind: PromptKind::get(r),
                outcome: Option::get(r),
                band: Band::get(r),
                signals: SignalSet::get(r),
                value: Option::get(r),
            },
            _ => Report::Feedback {
                rule: String::get(r),
                prompt: String::get(r),
                rating: Option::get(r),
                thumbs: Option::get(r),
                comment: Option::get(r),
                evidence: Option::get(r),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::Signal;

    fn batch() -> ReportBatch {
        ReportBatch {
            session: "s-1".into(),
            items: vec![
                ReportItem {
                    key: "s-1:1".into(),
                    at: 1_700_000_000_000,
                    page: "/cart".into(),
                    report: Report::Decision {
                        rule: "promo-rage".into(),
                        prompt: "promo_help".into(),
                        kind: PromptKind::Help,
                        outcome: None,
                        band: Band::Medium,
                        signals: SignalSet::only(Signal::RageClick),
                        value: None,
                    },
                },
                ReportItem {
                    key: "s-1:2".into(),
                    at: 1_700_000_005_000,
                    page: "/cart".into(),
                    report: Report::Feedback {
                        rule: "promo-rage".into(),
                        prompt: "promo_help".into(),
                        rating: Some(2),
                        thumbs: None,
                        comment: Some("The code did nothing".into()),
                        evidence: Some(Evidence {
                            lang: "en-GB".into(),
                            seconds: 340,
                            pages: 7,
                            prompts: 2,
                            answer_ms: 5400,
                            band: Band::High,
                            signals: SignalSet::only(Signal::RageClick),
                            here: SignalSet::only(Signal::RageClick)
                                | SignalSet::only(Signal::DeadClick),
                            tasks: vec![TaskSeen {
                                task: "checkout".into(),
                                state: crate::rules::spec::TaskState::Active,
                                seconds: 95,
                            }],
                        }),
                    },
                },
                ReportItem {
                    key: "s-1:3".into(),
                    at: 1_700_000_009_000,
                    page: "/payment/".into(),
                    report: Report::Support {
                        rule: "visitor".into(),
                        prompt: "support".into(),
                        event: SupportEvent::GuideStep,
                        persona: Some("ana".into()),
                        article: None,
                        guide: Some("pay".into()),
                        step: Some(2),
                        channel: None,
                    },
                },
            ],
            identity: None,
        }
    }

    #[test]
    fn batches_round_trip_as_plain_json() {
        let json = serde_json::to_string(&batch()).unwrap();
        assert!(
            json.contains(r#""report":{"type":"decision","rule":"promo-rage""#),
            "{json}"
        );
        assert!(json.contains(r#""signals":["rage_click"]"#), "{json}");
        assert_eq!(serde_json::from_str::<ReportBatch>(&json).unwrap(), batch());
        batch().validate().unwrap();
    }

    #[test]
    fn the_hand_written_json_is_what_serde_reads() {
        let mut b = batch();
        if let Report::Feedback { comment, .. } = &mut b.items[1].report {
            *comment = Some(
                "quote \" backslash \\ newline \n tab \t bell \u{7} sep \u{2028} é ✓ </script>"
                    .into(),
            );
        }
        b.items.push(ReportItem {
            key: "s-1:3".into(),
            at: 0,
            page: "/".into(),
            report: Report::Feedback {
                rule: "r".into(),
                prompt: "p".into(),
                rating: None,
                thumbs: Some(false),
                comment: None,
                evidence: None,
            },
        });
        let text = b.to_json();
        assert_eq!(
            serde_json::from_str::<ReportBatch>(&text).unwrap(),
            b,
            "{text}"
        );
        assert_eq!(
            text,
            serde_json::to_string(&b)
                .unwrap()
                .replace('\u{2028}', "\\u2028")
        );
    }

    #[test]
    fn decimals_are_written_without_fmt() {
        for v in [0u64, 7, 10, 1_795_346_597_459, u64::MAX] {
            let mut s = String::new();
            push_decimal(&mut s, v);
            assert_eq!(s, v.to_string());
        }
    }

    #[test]
    fn reports_keep_their_stored_form() {
        let b = batch();
        let text = crate::codec::encode(&b.items);
        assert_eq!(
            crate::codec::decode::<Vec<ReportItem>>(&text),
            Some(b.items)
        );
    }

    #[test]
    fn raw_events_have_no_place_in_a_report() {
        let json = serde_json::to_string(&batch())
            .unwrap()
            .replace(r#""band":"medium""#, r#""band":"medium","x":10"#);
        let err = serde_json::from_str::<ReportBatch>(&json).unwrap_err();
        assert!(err.to_string().contains("unknown field `x`"), "{err}");
    }

    #[test]
    fn bounds_are_checked_with_their_path() {
        let mut b = batch();
        b.items[1].report = Report::Feedback {
            rule: "r".into(),
            prompt: "p".into(),
            rating: Some(9),
            thumbs: None,
            comment: None,
            evidence: None,
        };
        assert_eq!(
            b.validate().unwrap_err().to_string(),
            "items[1].report.rating: expected 1 to 5"
        );
        let mut b = batch();
        b.items[0].page = "https://shop.example/cart".into();
        assert_eq!(b.validate().unwrap_err().path, "items[0].page");
        let mut b = batch();
        b.items = (0..51).map(|_| batch().items[0].clone()).collect();
        assert_eq!(b.validate().unwrap_err().path, "items");
        let mut b = batch();
        if let Report::Support { step, channel, .. } = &mut b.items[2].report {
            *step = Some(13);
            *channel = Some("fax".into());
        }
        assert_eq!(
            b.validate().unwrap_err().to_string(),
            "items[2].report.step: expected 1 to 12"
        );
        if let Report::Support { step, article, .. } = &mut b.items[2].report {
            *step = None;
            *article = Some("what I typed".into());
        }
        assert_eq!(
            b.validate().unwrap_err().to_string(),
            "items[2].report: expected ids from the site's support content"
        );
    }
}
