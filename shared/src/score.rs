//! The difficulty score: each signal adds its weight when it fires; every part halves each
//! half-life; the score is their sum capped at 1, and carries its reasons.

use serde::{Deserialize, Serialize};

use crate::rules::Scoring;
use crate::signals::{Signal, SignalSet};

/// A signal stays *active* (for `when.signals`) this many half-lives after it fired.
pub const ACTIVE_HALF_LIVES: f64 = 3.0;

/// Difficulty in [0, 1], decaying with time, with each signal's part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Each signal's current part, by [`Signal::index`].
    parts: [f32; Signal::COUNT],
    /// When `parts` were last decayed.
    at: u64,
    /// When each signal last fired.
    fired_at: [Option<u64>; Signal::COUNT],
}

/// Why the score is what it is: the signals that make it up, largest part first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reasons {
    parts: [(Signal, f32); Signal::COUNT],
    len: usize,
}

impl Reasons {
    /// (signal, its part of the score), largest first; only parts above zero.
    pub fn iter(&self) -> impl Iterator<Item = (Signal, f32)> + '_ {
        self.parts[..self.len].iter().copied()
    }
}

impl Score {
    /// A zero score at `now`.
    pub fn new(now: u64) -> Score {
        Score {
            parts: [0.0; Signal::COUNT],
            at: now,
            fired_at: [None; Signal::COUNT],
        }
    }

    /// Decays every part to `now` (time never runs backwards here).
    pub fn decay_to(&mut self, scoring: &Scoring, now: u64) {
        if now <= self.at {
            return;
        }
        let factor = (-((now - self.at) as f64) / scoring.half_life_ms).exp2() as f32;
        for part in &mut self.parts {
            *part *= factor;
            if *part < 1e-4 {
                *part = 0.0;
            }
        }
        self.at = now;
    }

    /// Adds the weights of the signals that fired at `now` (after [`Score::decay_to`]).
    pub fn add(&mut self, scoring: &Scoring, fired: SignalSet, now: u64) {
        for s in fired.iter() {
            let i = s.index();
            self.parts[i] = (self.parts[i] + scoring.weights[i]).min(1.0);
            self.fired_at[i] = Some(now);
        }
    }

    /// The score, in [0, 1].
    pub fn value(&self) -> f32 {
        self.parts.iter().sum::<f32>().clamp(0.0, 1.0)
    }

    /// Signals that fired within [`ACTIVE_HALF_LIVES`] half-lives of `now`.
    pub fn active(&self, scoring: &Scoring, now: u64) -> SignalSet {
        let span = (scoring.half_life_ms * ACTIVE_HALF_LIVES) as u64;
        Signal::ALL
            .iter()
            .copied()
            .filter(|s| self.fired_at[s.index()].is_some_and(|t| now.saturating_sub(t) <= span))
            .collect()
    }

    /// The signals making up the score, largest part first. Allocation-free.
    pub fn reasons(&self) -> Reasons {
        let mut parts = [(Signal::RageClick, 0.0f32); Signal::COUNT];
        let mut len = 0;
        for s in Signal::ALL {
            let p = self.parts[s.index()];
            if p > 0.0 {
                parts[len] = (*s, p);
                len += 1;
            }
        }
        parts[..len].sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Reasons { parts, len }
    }
}

crate::codec::codec!(Score {
    parts,
    at,
    fired_at
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    fn scoring() -> Scoring {
        Rules::from_json_str(r#"{"version": 1, "scoring": {"half_life_s": 60}}"#)
            .unwrap()
            .scoring
    }

    #[test]
    fn signals_add_their_weights_and_halve_each_half_life() {
        let sc = scoring();
        let mut s = Score::new(0);
        s.add(&sc, SignalSet::only(Signal::RageClick), 0);
        assert!((s.value() - 0.35).abs() < 1e-6);
        s.decay_to(&sc, 60_000);
        assert!((s.value() - 0.175).abs() < 1e-4);
        s.add(&sc, SignalSet::only(Signal::PageLoop), 60_000);
        let reasons: Vec<Signal> = s.reasons().iter().map(|(sig, _)| sig).collect();
        assert_eq!(reasons, [Signal::PageLoop, Signal::RageClick]);
    }

    #[test]
    fn the_score_is_capped_at_one() {
        let sc = scoring();
        let mut s = Score::new(0);
        for _ in 0..10 {
            s.add(&sc, SignalSet::ALL, 0);
        }
        assert!((s.value() - 1.0).abs() < f32::EPSILON);
    }

    #[test]
    fn signals_stay_active_for_three_half_lives() {
        let sc = scoring();
        let mut s = Score::new(0);
        s.add(&sc, SignalSet::only(Signal::Idle), 1000);
        assert!(s.active(&sc, 181_000).contains(Signal::Idle));
        assert!(s.active(&sc, 181_001).is_empty());
    }
}
