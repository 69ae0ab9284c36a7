//! What the recorded fixture sessions must decide, shared by the native and the wasm tests
//! so both targets are held to the same answers.

#![allow(unreachable_pub, dead_code)]

use std::sync::Arc;

use lifeline_shared::Rules;
use lifeline_shared::replay::{self, Line};

/// The example shop's rules.
pub fn shop_rules() -> Arc<Rules> {
    Arc::new(
        Rules::from_json_str(include_str!("../../fixtures/shop.rules.json"))
            .expect("fixture rules are valid"),
    )
}

/// Each fixture with the (rule id, time) of every decision it must produce.
pub const FIXTURES: &[(&str, &str, &[(&str, u64)])] = &[
    (
        "struggling_checkout",
        include_str!("../../fixtures/struggling_checkout.jsonl"),
        // Rage on the dead promo button; the cart <-> shipping loop (the chat offer passed
        // over: nobody online); the third payment submit, with a person online. Then the
        // visit has had its three prompts: no order feedback.
        &[
            ("promo-rage", 18_800),
            ("shipping-loop", 50_000),
            ("checkout-chat", 80_000),
        ],
    ),
    (
        "smooth_purchase",
        include_str!("../../fixtures/smooth_purchase.jsonl"),
        &[("task:checkout", 50_500)],
    ),
    (
        "browsing",
        include_str!("../../fixtures/browsing.jsonl"),
        &[],
    ),
];

/// Parses a fixture.
pub fn lines(text: &str) -> Vec<Line> {
    replay::parse(text).expect("fixture parses")
}

/// Replays every fixture and checks its decisions.
pub fn check_fixtures() {
    let rules = shop_rules();
    for (name, text, expected) in FIXTURES {
        let decisions = replay::replay(rules.clone(), name, &lines(text));
        let got: Vec<(&str, u64)> = decisions
            .iter()
            .map(|d| (rules.rules[d.rule as usize].id.as_str(), d.at_ms))
            .collect();
        assert_eq!(&got, expected, "{name}");
    }
}
