//! The throttle: one global limit across every prompt kind (per visit, per page, a minimum
//! gap), each rule's own cap, cooldown and sampling, and remembered dismissals.

use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::rules::{PromptIdx, RuleIdx, Rules};

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// What the throttle holds a rule back with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// The visit had `limits.max_per_session` prompts.
    VisitLimit,
    /// This page view had `limits.max_per_page` prompts.
    PageLimit,
    /// The last prompt was less than `limits.min_gap_s` ago.
    Gap,
    /// The visit is outside the rule's `limit.sample_percent`.
    SampledOut,
    /// The rule showed its `limit.max_per_session` prompts.
    RuleLimit,
    /// The rule showed less than its `limit.cooldown_s` ago.
    Cooldown,
    /// The visitor dismissed the prompt in this visit or within `limits.dismissed_days`.
    Dismissed,
}

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

    /// What holds every prompt back now, if anything. A prompt still open does not: the
    /// visitor carried on without answering it, and it counts against the limits like any
    /// other (the agent closes it as ignored when the next one shows).
    pub(crate) fn holds_all(&self, rules: &Rules, now: u64) -> Option<Throttled> {
        let l = &rules.limits;
        if self.shown >= l.max_per_session {
            Some(Throttled::VisitLimit)
        } else if self.shown_on_page >= l.max_per_page {
            Some(Throttled::PageLimit)
        } else if self
            .last_shown
            .is_some_and(|t| now.saturating_sub(t) < u64::from(l.min_gap_s) * 1000)
        {
            Some(Throttled::Gap)
        } else {
            None
        }
    }

    /// What holds rule `i` (and its prompt) back now, if anything.
    pub(crate) fn holds_rule(&self, rules: &Rules, i: usize, now: u64) -> Option<Throttled> {
        // Checked rules and a throttle sized for them: `get` only keeps panics (and their
        // formatting code) out of the agent.
        let (Some(rule), Some(&sampled_in), Some(&shown), Some(&last)) = (
            rules.rules.get(i),
            self.sampled_in.get(i),
            self.rule_shown.get(i),
            self.rule_last.get(i),
        ) else {
            return Some(Throttled::SampledOut);
        };
        let limit = &rule.limit;
        let d = self
            .dismissed
            .get(rule.prompt as usize)
            .copied()
            .unwrap_or_default();
        let remembered = u64::from(rules.limits.dismissed_days) * DAY_MS;
        if !sampled_in {
            Some(Throttled::SampledOut)
        } else if shown >= limit.max_per_session {
            Some(Throttled::RuleLimit)
        } else if last.is_some_and(|t| now.saturating_sub(t) < u64::from(limit.cooldown_s) * 1000) {
            Some(Throttled::Cooldown)
        } else if d.this_visit || d.at.is_some_and(|t| now.saturating_sub(t) < remembered) {
            Some(Throttled::Dismissed)
        } else {
            None
        }
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

    /// Prompts shown in the visit.
    pub(crate) fn shown_in_visit(&self) -> u32 {
        self.shown
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
