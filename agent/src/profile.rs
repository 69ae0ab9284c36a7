//! The visitor's profile, kept in their own `localStorage` and never uploaded: visits, past
//! prompts and how they ended, dismissals, the last feedback. Versioned: a value from
//! another version or another script is reset, never trusted.

use crate::prelude::*;

/// The profile format this build writes.
pub const VERSION: u32 = 1;
/// Most prompts remembered (the oldest dismissals are forgotten first).
const MAX_PROMPTS: usize = 64;

/// What the visitor's browser remembers about them.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Format version.
    pub v: u32,
    /// Visits so far, this one included.
    pub visits: u32,
    /// When the last visit started, ms since the epoch.
    pub last_visit: u64,
    /// When feedback was last given.
    pub last_feedback: Option<u64>,
    /// Prompts dismissed, and when (a short list: a map would cost the agent more bytes).
    pub dismissed: Vec<(String, u64)>,
    /// Prompts shown, all visits.
    pub shown: u32,
    /// Prompts used (a link, chat, call, an offer).
    pub engaged: u32,
    /// Times the visitor asked for a person and none could help.
    pub support_failures: u32,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            v: VERSION,
            visits: 0,
            last_visit: 0,
            last_feedback: None,
            dismissed: Vec::new(),
            shown: 0,
            engaged: 0,
            support_failures: 0,
        }
    }
}

impl Profile {
    /// Whether this visitor came before.
    pub fn returning(&self) -> bool {
        self.visits > 1
    }

    /// Counts a new visit starting at `now`.
    pub fn new_visit(&mut self, now: u64) {
        self.visits = self.visits.saturating_add(1);
        self.last_visit = now;
    }

    /// Remembers a dismissal, forgetting the oldest when too many are kept.
    pub fn dismissed(&mut self, prompt: &str, now: u64) {
        self.dismissed.retain(|(p, _)| p != prompt);
        self.dismissed.push((prompt.to_owned(), now));
        if self.dismissed.len() > MAX_PROMPTS {
            self.dismissed.remove(0);
        }
    }

    /// Whether a stored profile can be used as is.
    pub fn is_current(&self) -> bool {
        self.v == VERSION && self.dismissed.len() <= MAX_PROMPTS
    }
}

lifeline_shared::codec::codec!(Profile {
    v,
    visits,
    last_visit,
    last_feedback,
    dismissed,
    shown,
    engaged,
    support_failures
});
