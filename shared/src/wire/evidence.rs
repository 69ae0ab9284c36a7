//! [`Evidence`]: what a submitted feedback carries about its visit so the collector can judge
//! it — the signals that fired and on which pages, where tagged tasks stand and how long
//! they took, how many pages and prompts the visit had, how long the visitor took to answer.
//! Counts, ids and paths the agent already reports; never events, coordinates, keys, field
//! values or page text. And [`Identity`]: the attributes the shop's backend signed for this
//! visitor, passed through `lifeline.identify(attrs, signature)`, which the collector verifies.

use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::rules::spec::{Band, TaskState};
use crate::signals::SignalSet;

/// Most tasks listed in [`Evidence::tasks`].
pub const MAX_TASKS: usize = 16;
/// Longest signed attribute string, in bytes.
pub const MAX_ATTRS: usize = 512;

/// The visit behind a feedback, content-free.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// The prompt's language tag (the collector answers in it).
    pub lang: String,
    /// Seconds since the visit started.
    pub seconds: u32,
    /// Page views in the visit.
    pub pages: u32,
    /// Prompts shown in the visit, this one included.
    pub prompts: u32,
    /// Milliseconds from the prompt showing to the feedback being sent.
    pub answer_ms: u32,
    /// The difficulty band now.
    pub band: Band,
    /// Signals active now.
    pub signals: SignalSet,
    /// Signals that fired on the page the feedback was sent from.
    pub here: SignalSet,
    /// Tagged tasks under way or completed (at most 16).
    pub tasks: Vec<TaskSeen>,
}

/// Where a tagged task stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSeen {
    /// Its name in the rules.
    pub task: String,
    /// Under way or completed.
    pub state: TaskState,
    /// Seconds it has run (under way) or took (completed).
    pub seconds: u32,
}

/// Attributes of the visitor signed by the shop's backend: `attrs` is the exact text signed
/// (`key=value` pairs joined by `&`, keys sorted, values URI-encoded, `exp` in Unix seconds
/// among them) and `signature` the HMAC-SHA256 of `site + "\n" + attrs` under the site's
/// secret, in lowercase hex.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// The signed text.
    pub attrs: String,
    /// Its signature, 64 hex digits.
    pub signature: String,
}

impl Evidence {
    /// What is wrong with it, if anything: the field (as a path suffix in its report item)
    /// and why.
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if self.lang.is_empty()
            || self.lang.len() > 35
            || !(self.lang.bytes()).all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Some((".report.evidence.lang", "expected a language tag"));
        }
        if self.tasks.len() > MAX_TASKS {
            return Some((".report.evidence.tasks", "too many: at most 16"));
        }
        if (self.tasks.iter()).any(|t| !super::id_ok(&t.task)) {
            return Some((".report.evidence.tasks", "expected task names"));
        }
        None
    }
}

impl Identity {
    /// What is wrong with its shape, if anything, at its path in the batch (the signature is
    /// checked by the collector).
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if self.attrs.is_empty() || self.attrs.len() > MAX_ATTRS {
            return Some(("identity.attrs", "expected 1 to 512 bytes"));
        }
        if self.signature.len() != 64 || !self.signature.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some(("identity.signature", "expected 64 hex digits"));
        }
        None
    }
}

crate::codec::codec!(Evidence {
    lang,
    seconds,
    pages,
    prompts,
    answer_ms,
    band,
    signals,
    here,
    tasks
});
crate::codec::codec!(TaskSeen {
    task,
    state,
    seconds
});
crate::codec::codec!(Identity { attrs, signature });
