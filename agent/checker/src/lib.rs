//! The rules checker for the browser, a module of its own. The agent decodes compiled rules
//! (what a Lifeline collector serves) by itself; JSON rules (inline in the page, or from a
//! URL that is not a collector) must be read and checked with every error and its JSON
//! path, and that code is most of the agent's weight. So the agent's loader fetches this
//! module only when a page's rules are JSON, and gets back compiled rules or the problems.
//!
//! [`check`] is the whole API.

use lifeline_shared::Rules;

/// Checks JSON rules: the compiled rules, or every problem (one per line, each with its
/// JSON path).
pub fn check_rules(text: &str) -> Result<String, String> {
    Rules::from_json_str(text)
        .map(|rules| rules.to_compiled())
        .map_err(|errors| errors.to_string())
}

/// `lifeline_check.check(text)`: compiled rules, or throws the problems as a string.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn check(text: &str) -> Result<String, wasm_bindgen::JsValue> {
    check_rules(text).map_err(|problems| wasm_bindgen::JsValue::from_str(&problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_rules_come_back_compiled_and_bad_ones_with_their_paths() {
        let compiled = check_rules(r#"{"version": 1}"#).unwrap();
        assert_eq!(
            Rules::from_compiled(&compiled),
            Rules::from_json_str(r#"{"version": 1}"#).ok()
        );
        let problems =
            check_rules(r#"{"version": 1, "limits": {"min_gap_s": -5}, "colour": 1}"#).unwrap_err();
        assert_eq!(
            problems.lines().collect::<Vec<_>>(),
            [
                "colour: unknown field `colour`; expected one of: version, language, signals, scoring, prompts, rules, limits, tasks, privacy, pages, theme, labels, support, feedback, staff",
                "limits.min_gap_s: -5 is out of range; expected 0 to 4294967295",
            ]
        );
    }
}
