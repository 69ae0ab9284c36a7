//! Rage click: `clicks` clicks, each within `max_gap_ms` and `max_distance_px` of the one
//! before. Text selection (a double or triple click on text) and form fields never count.

use serde::{Deserialize, Serialize};

use super::Signal;
use crate::event::{Click, ClickFlags};
use crate::rules::spec::RageClickSpec;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct RageClick {
    last: Option<(u64, i32, i32)>,
    burst: u32,
    fired: bool,
}

impl RageClick {
    pub(super) fn click(&mut self, spec: &RageClickSpec, now: u64, click: &Click) -> bool {
        if click.flags.has(ClickFlags::FIELD) || click.ignore.contains(Signal::RageClick) {
            self.reset();
            return false;
        }
        let continues = self.last.is_some_and(|(t, x, y)| {
            now.saturating_sub(t) < u64::from(spec.max_gap_ms)
                && (x.abs_diff(click.x) + y.abs_diff(click.y)) < spec.max_distance_px
        });
        if !continues {
            self.burst = 0;
            self.fired = false;
        }
        self.burst += 1;
        self.last = Some((now, click.x, click.y));
        if self.burst >= spec.clicks && !self.fired {
            self.fired = true;
            return true;
        }
        false
    }

    /// A selection change means the clicks were selecting text.
    pub(super) fn reset(&mut self) {
        *self = RageClick::default();
    }
}

crate::codec::codec!(RageClick { last, burst, fired });

#[cfg(test)]
mod tests {
    use super::*;
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
