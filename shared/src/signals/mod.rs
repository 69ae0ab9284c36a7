//! Struggle signals and the detectors that fire them.
//!
//! Each detector is a small state machine fed by [`crate::event::Event`]s and the time; it
//! keeps only fixed-size state sized by the rules, so memory is bounded and the per-event
//! path never allocates. [`Detectors`] runs them all and returns the signals that fired.

use crate::prelude::*;

mod cart_churn;
mod dead_click;
mod detectors;
mod dwell_outlier;
mod error_click;
mod intent;
mod page_loop;
mod quick_back;
mod rage_click;
mod repeated_action;

pub use detectors::Detectors;
pub(crate) use detectors::PageView;

use crate::rules::declare::json_enum;

json_enum! {
    /// A struggle signal.
    pub enum Signal {
        /// Rapid repeated clicks on one spot.
        RageClick = "rage_click",
        /// A click the page did not react to.
        DeadClick = "dead_click",
        /// A click followed by an uncaught script error.
        ErrorClick = "error_click",
        /// The same few pages again and again.
        PageLoop = "page_loop",
        /// Back to the previous page before the usual dwell.
        QuickBack = "quick_back",
        /// The same form or button again and again.
        RepeatedAction = "repeated_action",
        /// A tagged task taking far longer or more pages than usual.
        DwellOutlier = "dwell_outlier",
        /// The cart going back and forth.
        CartChurn = "cart_churn",
        /// Arrived on a cancel or unsubscribe page.
        CancelIntent = "cancel_intent",
        /// The pointer left the window at the top.
        ExitIntent = "exit_intent",
        /// No input for a while.
        Idle = "idle",
    }
}

impl Signal {
    /// How many signals there are.
    pub const COUNT: usize = Signal::ALL.len();

    /// This signal's position in [`Signal::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A set of signals, as bits. `Copy` and allocation-free.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SignalSet(u16);

impl SignalSet {
    /// No signals.
    pub const EMPTY: SignalSet = SignalSet(0);
    /// Every signal.
    pub const ALL: SignalSet = SignalSet((1 << Signal::COUNT) - 1);

    /// The set with only `s`.
    pub const fn only(s: Signal) -> SignalSet {
        SignalSet(1 << s as u16)
    }

    /// Adds `s`.
    pub fn insert(&mut self, s: Signal) {
        self.0 |= 1 << s as u16;
    }

    /// Whether `s` is in the set.
    pub fn contains(self, s: Signal) -> bool {
        self.0 & (1 << s as u16) != 0
    }

    /// Whether every signal of `other` is in the set.
    pub fn contains_all(self, other: SignalSet) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the sets share a signal.
    pub fn intersects(self, other: SignalSet) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many signals are in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The signals in the set, in [`Signal::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Signal> {
        Signal::ALL
            .iter()
            .copied()
            .filter(move |s| self.contains(*s))
    }

    /// The raw bits (bit `i` is `Signal::ALL[i]`).
    pub fn bits(self) -> u16 {
        self.0
    }

    /// From raw bits (unknown bits are dropped).
    pub fn from_bits(bits: u16) -> SignalSet {
        SignalSet(bits & SignalSet::ALL.0)
    }
}

impl FromIterator<Signal> for SignalSet {
    fn from_iter<I: IntoIterator<Item = Signal>>(iter: I) -> Self {
        let mut set = SignalSet::EMPTY;
        for s in iter {
            set.insert(s);
        }
        set
    }
}

impl core::ops::BitOr for SignalSet {
    type Output = SignalSet;
    fn bitor(self, rhs: SignalSet) -> SignalSet {
        SignalSet(self.0 | rhs.0)
    }
}

impl core::ops::BitOrAssign for SignalSet {
    fn bitor_assign(&mut self, rhs: SignalSet) {
        self.0 |= rhs.0;
    }
}

impl serde::Serialize for SignalSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(Signal::as_str))
    }
}

impl<'de> serde::Deserialize<'de> for SignalSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<Signal>::deserialize(d)?.into_iter().collect())
    }
}

impl crate::codec::Codec for SignalSet {
    fn put(&self, w: &mut crate::codec::Writer) {
        self.0.put(w);
    }
    fn get(r: &mut crate::codec::Reader<'_>) -> Self {
        let bits = u16::get(r);
        r.require(bits & !SignalSet::ALL.0 == 0);
        SignalSet(bits & SignalSet::ALL.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_sets_hold_and_list_signals() {
        let set: SignalSet = [Signal::Idle, Signal::RageClick].into_iter().collect();
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [Signal::RageClick, Signal::Idle]
        );
        assert!(set.contains(Signal::Idle) && !set.contains(Signal::DeadClick));
        assert_eq!(SignalSet::ALL.len(), Signal::COUNT);
        assert_eq!(
            serde_json::to_string(&set).unwrap(),
            r#"["rage_click","idle"]"#
        );
    }
}
