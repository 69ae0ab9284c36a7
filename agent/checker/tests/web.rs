//! The checker module in a real browser: the same answers as on native.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_checker_compiles_good_rules_and_names_the_problems_of_bad_ones() {
    let compiled = lifeline_rules_checker::check(r#"{"version": 1}"#).unwrap();
    assert!(lifeline_shared::Rules::from_compiled(&compiled).is_some());
    let problems = lifeline_rules_checker::check(
        r#"{"version": 1, "rules": [{"id": "r", "then": {"prompt": "x"}}]}"#,
    )
    .unwrap_err()
    .as_string()
    .unwrap();
    assert_eq!(
        problems,
        "rules[0].then.prompt: no prompt \"x\" in `prompts`"
    );
}
