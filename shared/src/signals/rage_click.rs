//! Rage click: `clicks` clicks, each within `max_gap_ms` and `max_distance_px` of the one
//! before, that the page did not answer. A click the page answered with a DOM change or a
//! scroll before the next click (a quantity stepper's number, a carousel moving by its
//! transform or by scrolling its track, the next page of a list) was productive and does not
//! count, unless the rules set `count_answered`. Text selection (a double or triple click on
//! text), form fields and media (a video, a canvas: they answer without changing the DOM)
//! never count.

use serde::{Deserialize, Serialize};

use super::Signal;
use crate::event::{Click, ClickFlags};
use crate::rules::spec::RageClickSpec;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct RageClick {
    last: Option<(u64, i32, i32)>,
    /// Unanswered clicks in the burst.
    burst: u32,
    fired: bool,
    /// The page answered the last click.
    answered: bool,
}

impl RageClick {
    pub(super) fn click(&mut self, spec: &RageClickSpec, now: u64, click: &Click) -> bool {
        let skip = ClickFlags::FIELD.bits() | ClickFlags::SELECT.bits() | ClickFlags::MEDIA.bits();
        if click.flags.bits() & skip != 0 || click.ignore.contains(Signal::RageClick) {
            self.reset();
            return false;
        }
        let continues = self.last.is_some_and(|(t, x, y)| {
            now.saturating_sub(t) < u64::from(spec.max_gap_ms)
                && (x.abs_diff(click.x).saturating_add(y.abs_diff(click.y))) < spec.max_distance_px
        });
        if !continues {
            self.burst = 0;
            self.fired = false;
        }
        self.burst = self.burst.saturating_add(1);
        self.answered = false;
        self.last = Some((now, click.x, click.y));
        if self.burst >= spec.clicks && !self.fired {
            self.fired = true;
            return true;
        }
        false
    }

    /// The DOM changed or something scrolled: the page answered the last click if it came
    /// within a burst's gap.
    pub(super) fn answered(&mut self, spec: &RageClickSpec, now: u64) {
        if spec.count_answered || self.answered {
            return;
        }
        if self
            .last
            .is_some_and(|(t, _, _)| now.saturating_sub(t) < u64::from(spec.max_gap_ms))
        {
            self.answered = true;
            self.burst = self.burst.saturating_sub(1);
        }
    }

    /// A selection change means the clicks were selecting text.
    pub(super) fn reset(&mut self) {
        *self = RageClick::default();
    }
}

crate::codec::codec!(RageClick {
    last,
    burst,
    fired,
    answered
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;
    use crate::signals::SignalSet;

    fn click(x: i32, flags: ClickFlags) -> Click {
        Click {
            key: 1,
            x,
            y: 10,
            flags,
            ignore: SignalSet::EMPTY,
        }
    }

    fn run(times: &[(u64, i32)], flags: ClickFlags) -> Vec<u64> {
        let spec = RageClickSpec::default();
        let mut d = RageClick::default();
        times
            .iter()
            .filter(|(t, x)| d.click(&spec, *t, &click(*x, flags)))
            .map(|(t, _)| *t)
            .collect()
    }

    #[test]
    fn clicks_at_the_ends_of_the_coordinate_range_are_far_apart_not_an_overflow() {
        // Replayed or restored coordinates at the extremes: |dx| + |dy| saturates.
        let spec = RageClickSpec::default();
        let mut d = RageClick {
            last: Some((0, i32::MIN, i32::MIN)),
            burst: u32::MAX,
            ..RageClick::default()
        };
        let far = Click {
            x: i32::MAX,
            y: i32::MAX,
            ..click(0, ClickFlags::NONE)
        };
        assert!(!d.click(&spec, 10, &far), "far away: a new burst");
        assert_eq!(d.burst, 1);
    }

    #[test]
    fn three_quick_close_clicks_are_one_rage_click() {
        assert_eq!(
            run(
                &[(0, 0), (300, 5), (600, 10), (900, 10), (1200, 12)],
                ClickFlags::NONE
            ),
            [600]
        );
    }

    #[test]
    fn slow_or_scattered_clicks_are_not_rage() {
        assert!(run(&[(0, 0), (1000, 0), (2000, 0)], ClickFlags::NONE).is_empty());
        assert!(run(&[(0, 0), (100, 40), (200, 80)], ClickFlags::NONE).is_empty());
    }

    #[test]
    fn a_new_burst_fires_again() {
        assert_eq!(
            run(
                &[(0, 0), (100, 0), (200, 0), (5000, 0), (5100, 0), (5200, 0)],
                ClickFlags::NONE
            ),
            [200, 5200]
        );
    }

    #[test]
    fn steppers_date_pickers_and_toggles_are_fields_not_rage() {
        assert!(run(&[(0, 0), (100, 0), (200, 0), (300, 0)], ClickFlags::FIELD).is_empty());
    }

    #[test]
    fn a_video_or_a_3d_viewer_clicked_again_and_again_is_not_rage() {
        assert!(run(&[(0, 0), (100, 0), (200, 0), (300, 0)], ClickFlags::MEDIA).is_empty());
    }

    #[test]
    fn ignore_marker_suppresses_it() {
        let spec = RageClickSpec::default();
        let mut d = RageClick::default();
        let c = Click {
            ignore: SignalSet::only(Signal::RageClick),
            ..click(0, ClickFlags::NONE)
        };
        assert!(!(0..5).any(|i| d.click(&spec, i * 100, &c)));
    }

    #[test]
    fn clicks_the_page_answers_each_time_are_productive_not_rage() {
        // A quantity stepper: every press changes the number shown.
        let spec = RageClickSpec::default();
        let mut d = RageClick::default();
        for i in 0..8 {
            assert!(
                !d.click(&spec, i * 150, &click(0, ClickFlags::NONE)),
                "press {i}"
            );
            d.answered(&spec, i * 150 + 20);
        }
        // The same presses with nothing happening are rage.
        let mut d = RageClick::default();
        assert!((0..8).any(|i| d.click(&spec, 5000 + i * 150, &click(0, ClickFlags::NONE))));
    }

    #[test]
    fn a_carousel_that_scrolls_its_track_at_each_press_is_not_rage() {
        // Its Next button scrolls the track (scroll snapping): no DOM change, a scroll each
        // time. Pressed at its end, nothing scrolls: rage.
        let spec = RageClickSpec::default();
        let mut d = RageClick::default();
        for i in 0..6 {
            assert!(!d.click(&spec, i * 120, &click(0, ClickFlags::BUTTON)));
            d.answered(&spec, i * 120 + 16);
        }
        let fired: Vec<u64> = [800, 900, 1000]
            .into_iter()
            .filter(|t| d.click(&spec, *t, &click(0, ClickFlags::BUTTON)))
            .collect();
        assert_eq!(fired, [1000], "three presses with nothing moving");
    }

    #[test]
    fn one_stray_dom_change_does_not_hide_rage() {
        let spec = RageClickSpec::default();
        let mut d = RageClick::default();
        assert!(!d.click(&spec, 0, &click(0, ClickFlags::NONE)));
        d.answered(&spec, 50);
        d.answered(&spec, 60);
        let fired: Vec<u64> = [200, 400, 600, 800]
            .into_iter()
            .filter(|t| d.click(&spec, *t, &click(0, ClickFlags::NONE)))
            .collect();
        assert_eq!(fired, [600], "three unanswered clicks");
    }

    #[test]
    fn sites_may_count_answered_clicks_too() {
        let spec = RageClickSpec {
            count_answered: true,
            ..RageClickSpec::default()
        };
        let mut d = RageClick::default();
        let fired = (0..3).any(|i| {
            let f = d.click(&spec, i * 150, &click(0, ClickFlags::NONE));
            d.answered(&spec, i * 150 + 20);
            f
        });
        assert!(fired);
    }

    #[test]
    fn a_click_that_selects_text_ends_the_burst() {
        let spec = RageClickSpec::default();
        let mut d = RageClick::default();
        assert!(!d.click(&spec, 0, &click(0, ClickFlags::NONE)));
        assert!(!d.click(&spec, 120, &click(0, ClickFlags::SELECT)));
        assert!(!d.click(&spec, 240, &click(0, ClickFlags::SELECT)));
        assert!(!d.click(&spec, 400, &click(0, ClickFlags::NONE)));
    }

    #[test]
    fn extreme_coordinates_do_not_overflow_the_distance() {
        let spec = RageClickSpec::default();
        let mut d = RageClick::default();
        assert!(!d.click(&spec, 0, &click(i32::MIN, ClickFlags::NONE)));
        assert!(!d.click(&spec, 10, &click(i32::MAX, ClickFlags::NONE)));
    }

    #[test]
    fn triple_click_to_select_text_is_not_rage() {
        let spec = RageClickSpec::default();
        let mut d = RageClick::default();
        let c = click(0, ClickFlags::NONE);
        assert!(!d.click(&spec, 0, &c));
        assert!(!d.click(&spec, 150, &c));
        d.reset(); // the double click selected a word
        assert!(!d.click(&spec, 300, &c));
    }
}
