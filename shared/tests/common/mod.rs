//! What the recorded fixture sessions must decide, shared by the native and the wasm tests
//! so both targets are held to the same answers.

#![allow(unreachable_pub, dead_code)]

use std::sync::Arc;

use lifeline_shared::Rules;
use lifeline_shared::replay::{self, Line};

/// The example shop's rules.
pub fn shop_rules() -> Arc<Rules> {
    let text = include_str!("../../fixtures/shop.rules.json");
    Arc::new(Rules::from_json_str(text).expect("fixture rules are valid"))
}

/// A recorded session and what it must decide.
pub struct Fixture {
    /// Its name.
    pub name: &'static str,
    /// Its JSON lines.
    pub text: &'static str,
    /// The (rule id, time) of every decision it must produce.
    pub decisions: &'static [(&'static str, u64)],
}

/// Every fixture.
pub const FIXTURES: &[Fixture] = &[
    Fixture {
        name: "struggling_checkout",
        text: include_str!("../../fixtures/struggling_checkout.jsonl"),
        // Rage on the dead promo button; the cart <-> shipping loop (the chat offer passed
        // over: nobody online); the third payment submit, with a person online. Then the
        // visit has had its three prompts: no order feedback.
        decisions: &[
            ("promo-rage", 18_800),
            ("shipping-loop", 50_000),
            ("checkout-chat", 80_000),
        ],
    },
    Fixture {
        name: "smooth_purchase",
        text: include_str!("../../fixtures/smooth_purchase.jsonl"),
        decisions: &[("task:checkout", 50_500)],
    },
    Fixture {
        name: "browsing",
        text: include_str!("../../fixtures/browsing.jsonl"),
        decisions: &[],
    },
    Fixture {
        name: "stepper",
        text: include_str!("../../fixtures/stepper.jsonl"),
        decisions: &[],
    },
    Fixture {
        name: "carousel",
        text: include_str!("../../fixtures/carousel.jsonl"),
        decisions: &[],
    },
    Fixture {
        name: "load_more",
        text: include_str!("../../fixtures/load_more.jsonl"),
        decisions: &[],
    },
    Fixture {
        name: "hub_and_spoke",
        text: include_str!("../../fixtures/hub_and_spoke.jsonl"),
        decisions: &[],
    },
    Fixture {
        name: "text_selection",
        text: include_str!("../../fixtures/text_selection.jsonl"),
        decisions: &[],
    },
    Fixture {
        name: "variant_quick_back",
        text: include_str!("../../fixtures/variant_quick_back.jsonl"),
        // Back to the product, by the address its size picker gave it, two seconds after
        // reaching the cart: a quick back.
        decisions: &[("shipping-loop", 17_000)],
    },
    Fixture {
        name: "back_forward_bounce",
        text: include_str!("../../fixtures/back_forward_bounce.jsonl"),
        // Back to the cart two seconds after reaching delivery: a quick back.
        decisions: &[("shipping-loop", 16_000)],
    },
];

/// Parses a fixture.
pub fn lines(text: &str) -> Vec<Line> {
    replay::parse(text).expect("fixture parses")
}

/// Replays every fixture and checks its decisions.
pub fn check_fixtures() {
    let rules = shop_rules();
    for f in FIXTURES {
        let decisions = replay::replay(rules.clone(), f.name, &lines(f.text));
        let got: Vec<(&str, u64)> = decisions
            .iter()
            .map(|d| (rules.rules[d.rule as usize].id.as_str(), d.at_ms))
            .collect();
        assert_eq!(got, f.decisions, "{}", f.name);
    }
}
