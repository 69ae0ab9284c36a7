//! Repeated action: the same form submitted, or the same button pressed, `times` times
//! within `window_ms` on one page. Presses closer than `min_gap_ms` to the previous press
//! of the same element are one attempt (double clicks, rage bursts).

use serde::{Deserialize, Serialize};

use crate::event::ElementKey;
use crate::rules::spec::RepeatedActionSpec;

/// Elements followed at once (a button and its form interleave).
const TRACKED: usize = 4;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct Attempts {
    key: ElementKey,
    first: u64,
    last: u64,
    count: u32,
    fired: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct RepeatedAction {
    slots: [Option<Attempts>; TRACKED],
}

impl RepeatedAction {
    pub(super) fn attempt(&mut self, spec: &RepeatedActionSpec, now: u64, key: ElementKey) -> bool {
        let window = u64::from(spec.window_ms);
        let existing = self
            .slots
            .iter()
            .position(|s| s.is_some_and(|a| a.key == key));
        let Some(a) = existing
            .and_then(|i| self.slots.get_mut(i))
            .and_then(Option::as_mut)
        else {
            // Reuse an empty slot, else the one touched longest ago.
            let free = self.slots.iter().position(Option::is_none);
            let slot = match free {
                Some(i) => self.slots.get_mut(i),
                None => (self.slots.iter_mut()).min_by_key(|s| s.map_or(0, |a| a.last)),
            };
            if let Some(slot) = slot {
                *slot = Some(Attempts {
                    key,
                    first: now,
                    last: now,
                    count: 1,
                    fired: false,
                });
            }
            return spec.times <= 1;
        };
        if now.saturating_sub(a.first) > window {
            *a = Attempts {
                key,
                first: now,
                last: now,
                count: 1,
                fired: false,
            };
            return false;
        }
        if now.saturating_sub(a.last) >= u64::from(spec.min_gap_ms) {
            a.count = a.count.saturating_add(1);
        }
        a.last = now;
        if a.count >= spec.times && !a.fired {
            a.fired = true;
            return true;
        }
        false
    }

    /// Leaving the page means the action got somewhere.
    pub(super) fn navigated(&mut self) {
        self.slots = [None; TRACKED];
    }
}

crate::codec::codec!(Attempts {
    key,
    first,
    last,
    count,
    fired
});
crate::codec::codec!(RepeatedAction { slots });

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn the_same_form_three_times_is_a_repeated_action() {
        let spec = RepeatedActionSpec::default();
        let mut d = RepeatedAction::default();
        assert!(!d.attempt(&spec, 0, 7));
        assert!(!d.attempt(&spec, 5_000, 7));
        assert!(d.attempt(&spec, 10_000, 7));
        assert!(!d.attempt(&spec, 15_000, 7), "fires once");
    }

    #[test]
    fn a_count_restored_at_its_maximum_does_not_overflow() {
        // Stored visit state another script tampered with.
        let spec = RepeatedActionSpec::default();
        let mut d = RepeatedAction::default();
        d.slots[0] = Some(Attempts {
            key: 7,
            first: 0,
            last: 0,
            count: u32::MAX,
            fired: false,
        });
        assert!(d.attempt(&spec, 5_000, 7), "counted as many, fired once");
        assert!(!d.attempt(&spec, 10_000, 7));
    }

    #[test]
    fn a_rage_burst_is_one_attempt() {
        let spec = RepeatedActionSpec::default();
        let mut d = RepeatedAction::default();
        assert!(!(0..10).any(|i| d.attempt(&spec, i * 200, 7)));
    }

    #[test]
    fn interleaved_button_and_form_are_each_counted() {
        let spec = RepeatedActionSpec::default();
        let mut d = RepeatedAction::default();
        let fired: Vec<bool> = [(0, 1), (10, 2), (4000, 1), (4010, 2), (8000, 1)]
            .iter()
            .map(|(t, k)| d.attempt(&spec, *t, *k))
            .collect();
        assert_eq!(fired, [false, false, false, false, true]);
    }

    #[test]
    fn attempts_spread_beyond_the_window_or_pages_are_not() {
        let spec = RepeatedActionSpec::default();
        let mut d = RepeatedAction::default();
        d.attempt(&spec, 0, 7);
        d.attempt(&spec, 30_000, 7);
        assert!(!d.attempt(&spec, 61_000, 7));
        d.navigated();
        assert!(!d.attempt(&spec, 62_000, 7));
    }
}
