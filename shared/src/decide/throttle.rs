//! The throttle: one global limit across every prompt kind (per visit, per page, a minimum
//! gap), each rule's own cap, cooldown and sampling, and remembered dismissals.

use serde::{Deserialize, Serialize};

use crate::rules::{PromptIdx, RuleIdx, Rules};

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// A prompt's dismissal: when, and whether in this visit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct Dismissal {
    at: Option<u64>,
    this_visit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Throttle {
    shown: u32,
    shown_on_page: u32,
    last_shown: Option<u64>,
    /// The prompt on screen, until its outcome is recorded.
    open: Option<PromptIdx>,
    rule_shown: Vec<u32>,
    rule_last: Vec<Option<u64>>,
    sampled_in: Vec<bool>,
    dismissed: Vec<Dismissal>,
}

impl Throttle {
    pub(crate) fn new(rules: &Rules, session_seed: u64) -> Throttle {
        Throttle {
            shown: 0,
            shown_on_page: 0,
            last_shown: None,
            open: None,
            rule_shown: vec![0; rules.rules.len()],
            rule_last: vec![None; rules.rules.len()],
            sampled_in: rules
                .rules
                .iter()
                .map(|r| sample_bucket(session_seed, &r.id) < r.limit.sample_percent)
                .collect(),
            dismissed: vec![Dismissal::default(); rules.prompts.len()],
        }
    }

    pub(crate) fn fits(&self, rules: &Rules) -> bool {
        self.rule_shown.len() == rules.rules.len()
            && self.rule_last.len() == rules.rules.len()
            && self.sampled_in.len() == rules.rules.len()
            && self.dismissed.len() == rules.prompts.len()
    }

    /// Whether any prompt may show now. A prompt still open does not block the next: the
    /// visitor carried on without answering it, and it counts against the limits like any
    /// other (the agent closes it as ignored when the next one shows).
    pub(crate) fn allows_any(&self, rules: &Rules, now: u64) -> bool {
        let l = &rules.limits;
        self.shown < l.max_per_session
            && self.shown_on_page < l.max_per_page
            && self
                .last_shown
                .is_none_or(|t| now.saturating_sub(t) >= u64::from(l.min_gap_s) * 1000)
    }

    /// Whether rule `i` (and its prompt) may fire now.
    pub(crate) fn allows(&self, rules: &Rules, i: usize, now: u64) -> bool {
        let rule = &rules.rules[i];
        let limit = &rule.limit;
        let d = self.dismissed[rule.prompt as usize];
        let remembered = u64::from(rules.limits.dismissed_days) * DAY_MS;
        self.sampled_in[i]
            && self.rule_shown[i] < limit.max_per_session
            && self.rule_last[i]
                .is_none_or(|t| now.saturating_sub(t) >= u64::from(limit.cooldown_s) * 1000)
            && !d.this_visit
            && d.at.is_none_or(|t| now.saturating_sub(t) >= remembered)
    }

    pub(crate) fn shown(&mut self, rule: RuleIdx, prompt: PromptIdx, now: u64) {
        self.shown += 1;
        self.shown_on_page += 1;
        self.last_shown = Some(now);
        self.open = Some(prompt);
        self.rule_shown[rule as usize] += 1;
        self.rule_last[rule as usize] = Some(now);
    }

    pub(crate) fn closed(&mut self, prompt: PromptIdx, dismissed_at: Option<u64>) {
        if self.open == Some(prompt) {
            self.open = None;
        }
        if let (Some(at), Some(d)) = (dismissed_at, self.dismissed.get_mut(prompt as usize)) {
            *d = Dismissal {
                at: Some(at),
                this_visit: true,
            };
        }
    }

    /// A dismissal from an earlier visit (the visitor's stored profile).
    pub(crate) fn remember_dismissal(&mut self, prompt: PromptIdx, at: u64) {
        if let Some(d) = self.dismissed.get_mut(prompt as usize) {
            d.at = Some(d.at.map_or(at, |old| old.max(at)));
        }
    }

    pub(crate) fn new_page(&mut self) {
        self.shown_on_page = 0;
    }

    pub(crate) fn open(&self) -> Option<PromptIdx> {
        self.open
    }
}

/// 0..100, fixed for a session and a rule: the same visit always gets the same answer.
pub(crate) fn sample_bucket(session_seed: u64, rule_id: &str) -> u32 {
    let h = crate::hash::mix(crate::hash::fnv1a(session_seed, rule_id.as_bytes()));
    (h % 100) as u32
}

crate::codec::codec!(Dismissal { at, this_visit });
crate::codec::codec!(Throttle {
    shown,
    shown_on_page,
    last_shown,
    open,
    rule_shown,
    rule_last,
    sampled_in,
    dismissed,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_is_deterministic_and_close_to_its_percent() {
        assert_eq!(sample_bucket(42, "help"), sample_bucket(42, "help"));
        let inside = (0..10_000u64)
            .filter(|s| sample_bucket(*s, "help") < 30)
            .count();
        assert!((2700..3300).contains(&inside), "{inside}");
    }
}
