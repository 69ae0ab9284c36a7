//! `scoring`: how signals add up to a difficulty score, and how a decision is valued.

use crate::prelude::*;

use alloc::collections::BTreeMap;

use super::super::declare::{json_enum, json_object};

json_object! {
    #[defaults]
    /// How the difficulty score is computed.
    pub struct ScoringSpec {
        /// What each signal adds to the score when it fires.
        pub weights: WeightsSpec = WeightsSpec::default(),
        /// Each signal's part of the score halves after this long, in seconds.
        pub half_life_s: u32 [1..=86400] = 120,
        /// Where the coarse bands start (reported instead of the exact score).
        pub bands: BandsSpec = BandsSpec::default(),
        /// How a decision is valued.
        pub value: ValueSpec = ValueSpec::default(),
    }
}

json_object! {
    #[defaults]
    /// Score added per firing of each signal, 0 to 1 (the score is capped at 1).
    pub struct WeightsSpec {
        /// Rage click.
        pub rage_click: f64 [0.0..=1.0] = 0.35,
        /// Dead click.
        pub dead_click: f64 [0.0..=1.0] = 0.2,
        /// Error click.
        pub error_click: f64 [0.0..=1.0] = 0.3,
        /// Page loop.
        pub page_loop: f64 [0.0..=1.0] = 0.4,
        /// Quick back.
        pub quick_back: f64 [0.0..=1.0] = 0.15,
        /// Repeated action.
        pub repeated_action: f64 [0.0..=1.0] = 0.35,
        /// Dwell outlier.
        pub dwell_outlier: f64 [0.0..=1.0] = 0.3,
        /// Cart churn.
        pub cart_churn: f64 [0.0..=1.0] = 0.2,
        /// Cancel intent.
        pub cancel_intent: f64 [0.0..=1.0] = 0.3,
        /// Exit intent.
        pub exit_intent: f64 [0.0..=1.0] = 0.15,
        /// Idle.
        pub idle: f64 [0.0..=1.0] = 0.1,
    }
}

json_object! {
    #[defaults]
    /// Lower bounds of the coarse score bands; each must be above the previous.
    pub struct BandsSpec {
        /// `low` from here (below: `none`).
        pub low: f64 [0.0..=1.0] = 0.25,
        /// `medium` from here.
        pub medium: f64 [0.0..=1.0] = 0.5,
        /// `high` from here.
        pub high: f64 [0.0..=1.0] = 0.75,
    }
}

json_enum! {
    /// A coarse difficulty band.
    pub enum Band {
        /// Below `low`.
        None = "none",
        /// Some difficulty.
        Low = "low",
        /// Clear difficulty.
        Medium = "medium",
        /// Strong difficulty.
        High = "high",
    }
}

json_object! {
    #[defaults]
    /// The decision value: a weighted mean of frustration (the score), business value
    /// (customer tier, cart value), opportunity (a cart not yet bought) and availability (a
    /// person online when the prompt needs one).
    pub struct ValueSpec {
        /// Weights of the four parts.
        pub weights: ValueWeightsSpec = ValueWeightsSpec::default(),
        /// Value of each customer tier, 0 to 1, by the tier name the shop passes to `identify`.
        pub tiers: BTreeMap<String, f64> = BTreeMap::new(),
        /// A cart worth this much (in the shop's currency) counts as full business value.
        pub cart_value_full: f64 [0.01..=1000000000.0] = 200.0,
    }
}

json_object! {
    #[defaults]
    /// Weights of the parts of the decision value (at least one above 0).
    pub struct ValueWeightsSpec {
        /// The difficulty score.
        pub frustration: f64 [0.0..=1.0] = 0.5,
        /// max(tier value, cart value / cart_value_full).
        pub business: f64 [0.0..=1.0] = 0.25,
        /// Cart value / cart_value_full while the cart has items not yet bought.
        pub opportunity: f64 [0.0..=1.0] = 0.15,
        /// 1 when the prompt needs no person or a person is online.
        pub availability: f64 [0.0..=1.0] = 0.1,
    }
}
