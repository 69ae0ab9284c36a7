//! The engine in a real browser (wasm32, headless Chromium): the same fixtures must give
//! the same decisions as on native.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

mod common;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn fixtures_decide_the_same_in_the_browser() {
    common::check_fixtures();
}

#[wasm_bindgen_test]
fn rule_errors_name_their_paths_in_the_browser() {
    let err =
        lifeline_shared::Rules::from_json_str(r#"{"version": 1, "limits": {"max_per_page": 99}}"#)
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "limits.max_per_page: 99 is out of range; expected 0 to 20"
    );
}
