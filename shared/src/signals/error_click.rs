//! Error click: an uncaught error or unhandled rejection within `window_ms` of a click.

use serde::{Deserialize, Serialize};

use super::Signal;
use crate::event::Click;
use crate::rules::spec::ErrorClickSpec;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct ErrorClick {
    /// The last click, while no error has been blamed on it.
    last_click: Option<u64>,
}

impl ErrorClick {
    pub(super) fn click(&mut self, now: u64, click: &Click) {
        self.last_click = (!click.ignore.contains(Signal::ErrorClick)).then_some(now);
    }

    pub(super) fn error(&mut self, spec: &ErrorClickSpec, now: u64) -> bool {
        let hit = self
            .last_click
            .is_some_and(|t| now.saturating_sub(t) <= u64::from(spec.window_ms));
        if hit {
            self.last_click = None;
        }
        hit
    }
}

crate::codec::codec!(ErrorClick { last_click });

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::ClickFlags;
    use crate::signals::SignalSet;

    const CLICK: Click = Click {
        key: 1,
        x: 0,
        y: 0,
        flags: ClickFlags::NONE,
        ignore: SignalSet::EMPTY,
    };

    #[test]
    fn an_error_right_after_a_click_is_an_error_click_once() {
        let spec = ErrorClickSpec::default();
        let mut d = ErrorClick::default();
        d.click(0, &CLICK);
        assert!(d.error(&spec, 400));
        assert!(!d.error(&spec, 500), "one error click per click");
    }

    #[test]
    fn errors_without_a_recent_click_are_not() {
        let spec = ErrorClickSpec::default();
        let mut d = ErrorClick::default();
        assert!(!d.error(&spec, 10));
        d.click(0, &CLICK);
        assert!(!d.error(&spec, 1500));
    }
}
