//! Quick back: leaving a page for another and coming back before the other page's usual
//! dwell time (A -> B -> A with little time on B).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct QuickBack {
    previous: Option<u64>,
    /// (page, entered at, its usual dwell in ms)
    current: Option<(u64, u64, u64)>,
}

impl QuickBack {
    /// `dwell_ms` is the usual dwell of the page just entered.
    pub(super) fn navigated(&mut self, now: u64, page: u64, dwell_ms: u64) -> bool {
        let quick = match (self.previous, self.current) {
            (Some(prev), Some((cur, entered, dwell))) => {
                prev == page && cur != page && now.saturating_sub(entered) < dwell
            }
            _ => false,
        };
        if self.current.is_some_and(|(cur, _, _)| cur == page) {
            // A reload or same-page route change: not a new page.
            return false;
        }
        self.previous = self.current.map(|(p, _, _)| p);
        self.current = Some((page, now, dwell_ms));
        quick
    }

    /// The page on screen is known by a new address from now on.
    pub(super) fn renamed(&mut self, page: u64) {
        if let Some((current, _, _)) = &mut self.current {
            *current = page;
        }
    }
}

crate::codec::codec!(QuickBack { previous, current });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_before_the_usual_dwell_is_quick_back() {
        let mut d = QuickBack::default();
        assert!(!d.navigated(0, 1, 5000));
        assert!(!d.navigated(10_000, 2, 5000));
        assert!(d.navigated(12_000, 1, 5000));
    }

    #[test]
    fn reading_the_page_first_is_not() {
        let mut d = QuickBack::default();
        d.navigated(0, 1, 5000);
        d.navigated(10_000, 2, 5000);
        assert!(!d.navigated(16_000, 1, 5000));
    }

    #[test]
    fn back_to_a_page_by_the_address_it_was_given_in_place_is() {
        let mut d = QuickBack::default();
        d.navigated(0, 1, 5000);
        d.renamed(11);
        d.navigated(1000, 2, 5000);
        assert!(d.navigated(2000, 11, 5000));
    }

    #[test]
    fn going_on_to_a_third_page_is_not() {
        let mut d = QuickBack::default();
        d.navigated(0, 1, 5000);
        d.navigated(1000, 2, 5000);
        assert!(!d.navigated(2000, 3, 5000));
    }
}
