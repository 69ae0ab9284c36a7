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

/// `2^-x` for `x >= 0` (and 0 for anything else). Written out because `f64::exp2` brings
/// libm's tables into the browser agent (about 4 kB of wasm); this is within 1e-12 of it.
fn halvings(x: f64) -> f64 {
    if !(0.0..1000.0).contains(&x) {
        return if x < 0.0 { 1.0 } else { 0.0 };
    }
    let whole = x as u64; // x >= 0: the floor
    // e^y for y = -(fraction of x) * ln 2, in (-0.7, 0]: its Taylor series to 13 terms.
    let y = -(x - whole as f64) * core::f64::consts::LN_2;
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..=13u8 {
        term *= y / f64::from(k);
        sum += term;
    }
    // 2^-whole, built from its exponent bits (whole < 1000 keeps it a normal number).
    sum * f64::from_bits((1023 - whole) << 52)
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
        let factor = halvings((now - self.at) as f64 / scoring.half_life_ms) as f32;
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
    use crate::prelude::*;

    #[test]
    #[allow(clippy::float_cmp)] // whole halvings are exact
    fn halvings_match_exp2() {
        for i in 0..20_000 {
            let x = f64::from(i) * 0.0137;
            let (ours, std) = (halvings(x), (-x).exp2());
            assert!(
                (ours - std).abs() <= 1e-12 * std.max(1e-300),
                "{x}: {ours} vs {std}"
            );
        }
        assert_eq!(halvings(0.0), 1.0);
        assert_eq!(halvings(1.0), 0.5);
        assert_eq!(halvings(3.0), 0.125);
        assert_eq!(halvings(5000.0), 0.0);
        assert_eq!(halvings(f64::INFINITY), 0.0);
        assert_eq!(halvings(f64::NAN), 0.0);
    }
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
