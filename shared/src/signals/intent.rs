//! Cancel intent (arriving on a cancel page), exit intent (pointer leaving at the top after
//! `min_dwell_ms` on the page) and idle (no input for `after_ms` on a visible page).

use serde::{Deserialize, Serialize};

use crate::rules::spec::{ExitIntentSpec, IdleSpec};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct ExitIntent {
    page_entered: u64,
    fired_on_page: bool,
}

impl ExitIntent {
    pub(super) fn navigated(&mut self, now: u64) {
        *self = ExitIntent {
            page_entered: now,
            fired_on_page: false,
        };
    }

    pub(super) fn left(&mut self, spec: &ExitIntentSpec, now: u64) -> bool {
        let fire = !self.fired_on_page
            && now.saturating_sub(self.page_entered) >= u64::from(spec.min_dwell_ms);
        self.fired_on_page |= fire;
        fire
    }
}

/// Cancel intent fires once per page view that matches a cancel page.
pub(super) fn cancel_intent(cancel_pages: &[u16], hits: &[bool]) -> bool {
    cancel_pages
        .iter()
        .any(|m| hits.get(*m as usize).copied().unwrap_or(false))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Idle {
    last_activity: u64,
    visible: bool,
    fired: bool,
}

impl Idle {
    pub(super) fn new(now: u64) -> Idle {
        Idle {
            last_activity: now,
            visible: true,
            fired: false,
        }
    }

    pub(super) fn activity(&mut self, now: u64) {
        self.last_activity = now;
        self.fired = false;
    }

    /// Hidden time is not idle time: the clock restarts when the page shows again.
    pub(super) fn visibility(&mut self, now: u64, visible: bool) {
        if visible && !self.visible {
            self.activity(now);
        }
        self.visible = visible;
    }

    pub(super) fn poll(&mut self, spec: &IdleSpec, now: u64) -> bool {
        let fire = self.visible
            && !self.fired
            && now.saturating_sub(self.last_activity) >= u64::from(spec.after_ms);
        self.fired |= fire;
        fire
    }
}

crate::codec::codec!(ExitIntent {
    page_entered,
    fired_on_page
});
crate::codec::codec!(Idle {
    last_activity,
    visible,
    fired
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_intent_waits_for_some_dwell_and_fires_once_per_page() {
        let spec = ExitIntentSpec::default();
        let mut d = ExitIntent::default();
        d.navigated(0);
        assert!(!d.left(&spec, 1000));
        assert!(d.left(&spec, 3000));
        assert!(!d.left(&spec, 4000));
        d.navigated(5000);
        assert!(d.left(&spec, 8000));
    }

    #[test]
    fn idle_fires_once_per_quiet_spell_and_not_while_hidden() {
        let spec = IdleSpec::default();
        let mut d = Idle::new(0);
        assert!(!d.poll(&spec, 59_000));
        assert!(d.poll(&spec, 60_000));
        assert!(!d.poll(&spec, 70_000));
        d.activity(80_000);
        d.visibility(81_000, false);
        assert!(!d.poll(&spec, 200_000));
        d.visibility(200_000, true);
        assert!(!d.poll(&spec, 259_000));
        assert!(d.poll(&spec, 260_000));
    }

    #[test]
    fn cancel_intent_follows_the_cancel_pages() {
        assert!(cancel_intent(&[1], &[false, true]));
        assert!(!cancel_intent(&[0], &[false, true]));
    }
}
