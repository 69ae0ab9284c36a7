//! Dead click: a click the page did not react to. A DOM change within
//! `mutation_window_ms`, a scroll or selection change within their windows, a visibility
//! or focus change within `visibility_window_ms` (before or after the click) or a navigation
//! all count as reactions. Windows end exclusively, as posthog-js's do: a reaction exactly at
//! a window's end is too late. Links, modifier clicks, form fields and clicks that selected
//! text never count. Verdicts come once the longest window has passed, on any later event.

use serde::{Deserialize, Serialize};

use super::Signal;
use crate::event::{Click, ClickFlags, ElementKey};
use crate::rules::spec::DeadClickSpec;

/// Clicks awaiting a verdict; older ones are dropped unjudged (a burst needs only one).
const PENDING: usize = 8;

/// What the page did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reaction {
    DomChange,
    Scroll,
    Selection,
    Visibility,
}

/// A click awaiting its verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct Pending {
    /// When.
    at: u64,
    /// The key of the button pressed, when its press, found dead, is an attempt of a
    /// repeated action; 0 otherwise.
    action: ElementKey,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct DeadClick {
    /// Clicks awaiting their verdicts, oldest first; `None` is an empty slot.
    pending: [Option<Pending>; PENDING],
    /// The last visibility or focus change.
    attention: Option<u64>,
}

/// The clicks of one multi-click gesture (a double or triple click) come this close.
const GESTURE_MS: u64 = 1000;

impl DeadClick {
    /// A click; `action` is the key of a button whose press, if dead, is an attempt of a
    /// repeated action (0: none).
    pub(super) fn click(
        &mut self,
        spec: &DeadClickSpec,
        now: u64,
        click: &Click,
        action: ElementKey,
    ) {
        if click.flags.has(ClickFlags::SELECT) {
            // The gesture selected text: its earlier clicks were selecting too.
            for slot in &mut self.pending {
                if slot.is_some_and(|p| now.saturating_sub(p.at) < GESTURE_MS) {
                    *slot = None;
                }
            }
            return;
        }
        let skip = ClickFlags::LINK.bits()
            | ClickFlags::MODIFIER.bits()
            | ClickFlags::FIELD.bits()
            | ClickFlags::MEDIA.bits();
        if click.flags.bits() & skip != 0 || click.ignore.contains(Signal::DeadClick) {
            return;
        }
        // A dialog, a picker or another window came or went just before: the click belongs
        // to that change.
        let window = u64::from(spec.visibility_window_ms);
        if self
            .attention
            .is_some_and(|t| now.saturating_sub(t) < window)
        {
            return;
        }
        let pending = Some(Pending { at: now, action });
        match self.pending.iter_mut().find(|p| p.is_none()) {
            Some(slot) => *slot = pending,
            None => {
                // The oldest makes room (a move, not core's generic rotate: 0.7 kB of wasm).
                self.pending.copy_within(1.., 0);
                self.pending[PENDING - 1] = pending;
            }
        }
    }

    pub(super) fn reaction(&mut self, spec: &DeadClickSpec, now: u64, reaction: Reaction) {
        let window = u64::from(match reaction {
            Reaction::DomChange => spec.mutation_window_ms,
            Reaction::Scroll => spec.scroll_window_ms,
            Reaction::Selection => spec.selection_window_ms,
            Reaction::Visibility => spec.visibility_window_ms,
        });
        if reaction == Reaction::Visibility {
            self.attention = Some(now);
        }
        for slot in &mut self.pending {
            if slot.is_some_and(|p| now.saturating_sub(p.at) < window) {
                *slot = None;
            }
        }
    }

    /// A navigation answers every pending click.
    pub(super) fn navigated(&mut self) {
        self.pending = [None; PENDING];
    }

    /// Judges clicks whose every window has passed; true if one was dead. `attempted` hears
    /// of each dead press of an action's button, with its time and key, oldest first.
    pub(super) fn poll(
        &mut self,
        spec: &DeadClickSpec,
        now: u64,
        mut attempted: impl FnMut(u64, ElementKey),
    ) -> bool {
        let wait = u64::from(
            spec.mutation_window_ms
                .max(spec.scroll_window_ms)
                .max(spec.selection_window_ms)
                .max(spec.visibility_window_ms),
        );
        let mut dead = false;
        for slot in &mut self.pending {
            if let Some(p) = *slot
                && now.saturating_sub(p.at) >= wait
            {
                *slot = None;
                dead = true;
                if p.action != 0 {
                    attempted(p.at, p.action);
                }
            }
        }
        dead
    }
}

crate::codec::codec!(Pending { at, action });
crate::codec::codec!(DeadClick { pending, attention });

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;
    use crate::signals::SignalSet;

    fn click(flags: ClickFlags) -> Click {
        Click {
            key: 1,
            x: 0,
            y: 0,
            flags,
            ignore: SignalSet::EMPTY,
        }
    }

    #[test]
    fn a_click_with_no_reaction_is_dead_once_the_window_passes() {
        let spec = DeadClickSpec::default();
        let mut d = DeadClick::default();
        d.click(&spec, 0, &click(ClickFlags::NONE), 0);
        assert!(!d.poll(&spec, 2499, |_, _| {}));
        assert!(d.poll(&spec, 2500, |_, _| {}));
        assert!(!d.poll(&spec, 9000, |_, _| {}), "judged once");
    }

    #[test]
    fn a_full_queue_drops_its_oldest_click_and_keeps_the_newest() {
        let spec = DeadClickSpec::default();
        let mut d = DeadClick::default();
        for t in 0..=PENDING as u64 {
            d.click(&spec, t * 100, &click(ClickFlags::NONE), 0);
        }
        let expected: Vec<Option<u64>> = (1..=PENDING as u64).map(|t| Some(t * 100)).collect();
        let pending: Vec<Option<u64>> = d.pending.iter().map(|p| p.map(|p| p.at)).collect();
        assert_eq!(pending, expected, "the click at 0 made room");
        assert!(d.poll(&spec, 2600, |_, _| {}), "the newest are judged");
    }

    #[test]
    fn dom_changes_scrolls_selections_and_navigation_are_reactions() {
        let spec = DeadClickSpec::default();
        for (reaction, at) in [
            (Some(Reaction::DomChange), 2400),
            (Some(Reaction::Scroll), 90),
            (Some(Reaction::Selection), 50),
            (Some(Reaction::Visibility), 900),
            (None, 10),
        ] {
            let mut d = DeadClick::default();
            d.click(&spec, 0, &click(ClickFlags::NONE), 0);
            match reaction {
                Some(r) => d.reaction(&spec, at, r),
                None => d.navigated(),
            }
            assert!(!d.poll(&spec, 5000, |_, _| {}), "{reaction:?}");
        }
    }

    #[test]
    fn late_scrolls_do_not_save_a_click() {
        let spec = DeadClickSpec::default();
        let mut d = DeadClick::default();
        d.click(&spec, 0, &click(ClickFlags::NONE), 0);
        d.reaction(&spec, 500, Reaction::Scroll);
        assert!(d.poll(&spec, 3000, |_, _| {}));
    }

    #[test]
    fn windows_end_exclusively() {
        let spec = DeadClickSpec::default();
        for (reaction, end) in [
            (Reaction::DomChange, 2500),
            (Reaction::Scroll, 100),
            (Reaction::Selection, 100),
        ] {
            let mut d = DeadClick::default();
            d.click(&spec, 0, &click(ClickFlags::NONE), 0);
            d.reaction(&spec, end, reaction);
            assert!(
                d.poll(&spec, 5000, |_, _| {}),
                "{reaction:?} at {end} ms is too late"
            );
        }
    }

    #[test]
    fn a_visibility_or_focus_change_just_before_the_click_saves_it() {
        let spec = DeadClickSpec::default();
        let mut d = DeadClick::default();
        d.reaction(&spec, 0, Reaction::Visibility);
        d.click(&spec, 900, &click(ClickFlags::NONE), 0);
        assert!(
            !d.poll(&spec, 9000, |_, _| {}),
            "900 ms after a focus change"
        );
        d.click(&spec, 10_000, &click(ClickFlags::NONE), 0);
        assert!(
            d.poll(&spec, 20_000, |_, _| {}),
            "long after: judged as usual"
        );
    }

    #[test]
    fn a_double_or_triple_click_that_selects_text_is_never_dead() {
        let spec = DeadClickSpec::default();
        let mut d = DeadClick::default();
        d.click(&spec, 0, &click(ClickFlags::NONE), 0);
        d.click(&spec, 150, &click(ClickFlags::SELECT), 0);
        d.click(&spec, 300, &click(ClickFlags::SELECT), 0);
        assert!(!d.poll(&spec, 9000, |_, _| {}));
    }

    #[test]
    fn links_modifier_clicks_fields_media_and_ignored_elements_are_never_dead() {
        let spec = DeadClickSpec::default();
        let mut d = DeadClick::default();
        for flags in [
            ClickFlags::LINK,
            ClickFlags::MODIFIER,
            ClickFlags::FIELD,
            ClickFlags::MEDIA,
        ] {
            d.click(&spec, 0, &click(flags), 0);
        }
        d.click(
            &spec,
            0,
            &Click {
                ignore: SignalSet::ALL,
                ..click(ClickFlags::NONE)
            },
            0,
        );
        assert!(!d.poll(&spec, 10_000, |_, _| {}));
    }

    #[test]
    fn a_dead_press_of_an_actions_button_is_told_with_its_time_and_key() {
        let spec = DeadClickSpec::default();
        let mut d = DeadClick::default();
        d.click(&spec, 0, &click(ClickFlags::BUTTON), 7);
        d.click(&spec, 100, &click(ClickFlags::NONE), 0);
        d.click(&spec, 5_000, &click(ClickFlags::BUTTON), 7);
        d.reaction(&spec, 5_010, Reaction::DomChange);
        let mut told = Vec::new();
        assert!(d.poll(&spec, 9_000, |at, key| told.push((at, key))));
        assert_eq!(
            told,
            [(0, 7)],
            "the answered press is not told, nor the click on no button"
        );
    }
}
