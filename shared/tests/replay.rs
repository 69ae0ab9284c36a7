//! Recorded sessions replayed through the engine: which decisions fire, and when.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use lifeline_shared::replay::{self, Line};
use lifeline_shared::{Decision, Rules};

fn rules() -> Arc<Rules> {
    Arc::new(
        Rules::from_json_str(include_str!("../fixtures/shop.rules.json"))
            .expect("fixture rules are valid"),
    )
}

fn lines(text: &str) -> Vec<Line> {
    replay::parse(text).expect("fixture parses")
}

fn fired(rules: &Rules, decisions: &[Decision]) -> Vec<(String, u64)> {
    decisions
        .iter()
        .map(|d| (rules.rules[d.rule as usize].id.clone(), d.at_ms))
        .collect()
}

#[test]
fn every_fixture_decides_what_it_should() {
    common::check_fixtures();
}

#[test]
fn a_struggling_checkout_gets_help_then_feedback_then_chat_and_no_more() {
    let rules = rules();
    let decisions = replay::replay(
        rules.clone(),
        "visit-1",
        &lines(include_str!("../fixtures/struggling_checkout.jsonl")),
    );
    assert_eq!(
        fired(&rules, &decisions),
        [
            // Rage clicks on the dead promo button, on the cart page.
            ("promo-rage".to_owned(), 18_800),
            // Looping cart <-> shipping; the chat offer would have won but nobody was online.
            ("shipping-loop".to_owned(), 50_000),
            // The payment form submitted a third time, now with a person online.
            ("checkout-chat".to_owned(), 80_000),
        ]
    );
    let loop_decision = &decisions[1];
    assert_eq!(
        loop_decision
            .passed_over
            .map(|r| rules.rules[r as usize].id.as_str()),
        Some("checkout-chat")
    );
    assert!(
        loop_decision
            .signals
            .contains(lifeline_shared::Signal::PageLoop)
    );
    // The order feedback did not come: the visit already had its three prompts.
    let explained = decisions[2].explain(&rules);
    assert!(
        explained.starts_with("rule \"checkout-chat\" shows chat_offer prompt \"checkout_chat\""),
        "{explained}"
    );
}

#[test]
fn a_smooth_purchase_gets_no_difficulty_prompt_only_the_order_feedback() {
    let rules = rules();
    let decisions = replay::replay(
        rules.clone(),
        "visit-2",
        &lines(include_str!("../fixtures/smooth_purchase.jsonl")),
    );
    assert_eq!(
        fired(&rules, &decisions),
        [("task:checkout".to_owned(), 50_500)]
    );
    assert!(
        decisions[0].signals.is_empty(),
        "no struggle signal in a smooth visit"
    );
    assert_eq!(
        decisions[0].kind,
        lifeline_shared::rules::spec::PromptKind::Feedback
    );
}

#[test]
fn a_browsing_visitor_gets_nothing() {
    let rules = rules();
    let decisions = replay::replay(
        rules.clone(),
        "visit-3",
        &lines(include_str!("../fixtures/browsing.jsonl")),
    );
    assert_eq!(fired(&rules, &decisions), []);
}

#[test]
fn a_submit_or_a_dead_button_pressed_again_and_again_is_a_repeated_action_load_more_is_not() {
    // Rules that answer a repeated action and nothing else.
    let rules = Arc::new(
        Rules::from_json_str(
            r#"{"version": 1,
              "prompts": {"again": {"kind": "help", "text": {"title": "Something in the way?"}}},
              "rules": [{"id": "again", "when": {"signals": {"any": ["repeated_action"]}},
                         "then": {"prompt": "again"}}]}"#,
        )
        .unwrap(),
    );
    let stopped = lines(include_str!("../fixtures/address_stopped.jsonl"));
    let decisions = replay::replay(rules.clone(), "visit-4", &stopped);
    assert_eq!(fired(&rules, &decisions), [("again".to_string(), 32_000)]);
    let browsing = lines(include_str!("../fixtures/load_more.jsonl"));
    let decisions = replay::replay(rules.clone(), "visit-5", &browsing);
    assert_eq!(fired(&rules, &decisions), []);
    // Another button pressed again and again with no answer: the third dead press is the
    // third attempt, known once its window has passed.
    let dead = lines(
        r#"{"t":0,"event":"navigate","path":"/account"}
           {"t":1000,"event":"click","key":"save","x":10,"y":10,"button":true}
           {"t":6000,"event":"click","key":"save","x":10,"y":10,"button":true}
           {"t":11000,"event":"click","key":"save","x":10,"y":10,"button":true}
           {"t":13000,"event":"tick"}
           {"t":14000,"event":"tick"}"#,
    );
    let decisions = replay::replay(rules.clone(), "visit-6", &dead);
    assert_eq!(fired(&rules, &decisions), [("again".to_string(), 14_000)]);
}

#[test]
fn recordings_with_mistakes_say_which_line() {
    let err = replay::parse(
        "{\"t\":0,\"event\":\"navigate\",\"path\":\"/\"}\n\n{\"t\":1,\"event\":\"clack\"}",
    )
    .unwrap_err();
    assert_eq!(err.line, 3);
    assert_eq!(err.column, 23, "{err}");
    assert!(err.message.starts_with("unknown variant `clack`"), "{err}");
    // serde_json's own position (line 1 of the one line it read) is not repeated.
    assert!(!err.to_string().contains("line 1"), "{err}");
    assert!(err.to_string().starts_with("line 3, column 23: "), "{err}");
}
