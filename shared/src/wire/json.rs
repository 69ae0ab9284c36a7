//! A report batch as JSON text, written by hand: in the browser this keeps a JSON serializer
//! out of the wasm. `the_hand_written_json_is_what_serde_reads` proves serde (the collector)
//! reads it back exactly.

use crate::prelude::*;

use super::{Evidence, Report, ReportBatch, ReportItem};
use crate::signals::SignalSet;
pub use lifeline_support::json::{
    cat, decimal as push_decimal, member, string as json_string, string_or_null,
};

impl ReportBatch {
    /// The batch as JSON text, written by hand: in the browser this keeps a JSON
    /// serializer out of the wasm. A test proves serde reads it back exactly.
    pub fn to_json(&self) -> String {
        batch_json(&self.session, &self.items)
    }
}

/// A batch of `items` from visit `session` as JSON text (what [`ReportBatch::to_json`]
/// writes, without its identity), from borrowed reports: the agent's outbox writes its
/// batch without copying them.
pub fn batch_json<'a>(session: &str, items: impl IntoIterator<Item = &'a ReportItem>) -> String {
    let items = items.into_iter();
    let mut out = String::with_capacity(128 * items.size_hint().0 + 32);
    out.push_str("{\"session\":");
    json_string(&mut out, session);
    out.push_str(",\"items\":[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"key\":");
        json_string(&mut out, &item.key);
        out.push_str(",\"at\":");
        push_decimal(&mut out, item.at);
        out.push_str(",\"page\":");
        json_string(&mut out, &item.page);
        out.push_str(",\"report\":{\"type\":");
        match &item.report {
            Report::Decision {
                rule,
                prompt,
                kind,
                outcome,
                band,
                signals,
                value,
            } => {
                out.push_str("\"decision\",\"rule\":");
                json_string(&mut out, rule);
                out.push_str(",\"prompt\":");
                json_string(&mut out, prompt);
                out.push_str(",\"kind\":");
                json_string(&mut out, kind.as_str());
                out.push_str(",\"outcome\":");
                match outcome {
                    Some(o) => json_string(&mut out, o.as_str()),
                    None => out.push_str("null"),
                }
                out.push_str(",\"band\":");
                json_string(&mut out, band.as_str());
                out.push_str(",\"signals\":");
                push_signals(&mut out, *signals);
                if let Some(v) = value {
                    out.push_str(",\"value\":");
                    push_decimal(&mut out, u64::from(*v));
                }
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
                out.push_str("\"support\",\"rule\":");
                json_string(&mut out, rule);
                out.push_str(",\"prompt\":");
                json_string(&mut out, prompt);
                out.push_str(",\"event\":");
                json_string(&mut out, event.as_str());
                for (name, id) in [("persona", persona), ("article", article), ("guide", guide)] {
                    member(&mut out, name);
                    string_or_null(&mut out, id.as_deref());
                }
                out.push_str(",\"step\":");
                match step {
                    Some(s) => push_decimal(&mut out, u64::from(*s)),
                    None => out.push_str("null"),
                }
                out.push_str(",\"channel\":");
                match channel {
                    Some(c) => json_string(&mut out, c),
                    None => out.push_str("null"),
                }
            }
            Report::Feedback {
                rule,
                prompt,
                rating,
                thumbs,
                comment,
                evidence,
            } => {
                out.push_str("\"feedback\",\"rule\":");
                json_string(&mut out, rule);
                out.push_str(",\"prompt\":");
                json_string(&mut out, prompt);
                out.push_str(",\"rating\":");
                match rating {
                    Some(r) => push_decimal(&mut out, u64::from(*r)),
                    None => out.push_str("null"),
                }
                out.push_str(",\"thumbs\":");
                out.push_str(match thumbs {
                    Some(true) => "true",
                    Some(false) => "false",
                    None => "null",
                });
                out.push_str(",\"comment\":");
                match comment {
                    Some(c) => json_string(&mut out, c),
                    None => out.push_str("null"),
                }
                if let Some(e) = evidence {
                    out.push_str(",\"evidence\":");
                    push_evidence(&mut out, e);
                }
            }
        }
        out.push_str("}}");
    }
    out.push_str("]}");
    out
}

/// A set of signals as a JSON array of their names.
fn push_signals(out: &mut String, signals: SignalSet) {
    out.push('[');
    for (j, s) in signals.iter().enumerate() {
        if j > 0 {
            out.push(',');
        }
        json_string(out, s.as_str());
    }
    out.push(']');
}

/// A feedback's evidence as a JSON object.
fn push_evidence(out: &mut String, e: &Evidence) {
    out.push_str("{\"lang\":");
    json_string(out, &e.lang);
    for (name, n) in [
        ("seconds", e.seconds),
        ("pages", e.pages),
        ("prompts", e.prompts),
        ("answer_ms", e.answer_ms),
    ] {
        member(out, name);
        push_decimal(out, u64::from(n));
    }
    out.push_str(",\"band\":");
    json_string(out, e.band.as_str());
    out.push_str(",\"signals\":");
    push_signals(out, e.signals);
    out.push_str(",\"here\":");
    push_signals(out, e.here);
    out.push_str(",\"tasks\":[");
    for (j, t) in e.tasks.iter().enumerate() {
        if j > 0 {
            out.push(',');
        }
        out.push_str("{\"task\":");
        json_string(out, &t.task);
        out.push_str(",\"state\":");
        json_string(out, t.state.as_str());
        out.push_str(",\"seconds\":");
        push_decimal(out, u64::from(t.seconds));
        out.push('}');
    }
    out.push_str("]}");
}
