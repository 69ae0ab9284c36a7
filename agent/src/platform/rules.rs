//! Reading the site's rules, as the loader found them: inline
//! (`<script type="application/json" data-lifeline-rules>`) or fetched from the collector
//! (in parallel with the wasm; the browser's HTTP cache revalidates them with their ETag,
//! with no preflight).
//!
//! Rules come in two forms. Compiled rules (checked once by the collector, see
//! `Rules::to_compiled`) are decoded here, every reference verified. JSON rules (inline, or
//! from a URL that is not a Lifeline collector) need the full checker with its error
//! messages, most of the agent's weight. So it is not in this module: the loader fetches the
//! checker module (`check.wasm`) only for them. With the `json-rules` feature (tests), the
//! checker is built in instead.

use crate::prelude::*;

#[cfg(feature = "json-rules")]
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
#[cfg(not(feature = "json-rules"))]
use wasm_bindgen::prelude::wasm_bindgen;

#[cfg(not(feature = "json-rules"))]
use super::settle;

#[cfg(not(feature = "json-rules"))]
#[wasm_bindgen]
extern "C" {
    /// `__lifeline_check(text)`: the loader fetches the checker module and answers with a
    /// promise of the compiled rules, or of every problem (see agent/js/loader.js); throws
    /// when there is no loader.
    #[wasm_bindgen(js_name = __lifeline_check, catch)]
    fn check(text: &str) -> Result<js_sys::Promise, JsValue>;
}

use lifeline_shared::Rules;
#[cfg(feature = "json-rules")]
use lifeline_shared::json::Json;
#[cfg(feature = "json-rules")]
use lifeline_shared::{RuleError, RuleErrorKind, RuleErrors};

/// Deepest nesting accepted in a rules file (hostile files cannot exhaust the stack).
#[cfg(feature = "json-rules")]
const MAX_DEPTH: usize = 32;

/// Reads the rules in `text`, compiled or JSON, and calls `done` with them or with every
/// problem, one per line with its path.
pub(crate) fn read(text: String, done: impl FnOnce(Result<Rules, String>) + 'static) {
    if Rules::looks_compiled(&text) {
        done(
            Rules::from_compiled(&text)
                .ok_or_else(|| "the compiled rules are damaged or from another version".to_owned()),
        );
        return;
    }
    json(text, done);
}

/// JSON rules, checked in this module.
#[cfg(feature = "json-rules")]
fn json(text: String, done: impl FnOnce(Result<Rules, String>) + 'static) {
    done(parse(&text).map_err(|e| e.to_string()));
}

/// JSON rules, checked by the checker module the loader fetches (`__lifeline_check`).
#[cfg(not(feature = "json-rules"))]
fn json(text: String, done: impl FnOnce(Result<Rules, String>) + 'static) {
    let Ok(promise) = check(&text) else {
        done(Err(
            "the rules are JSON and no rules checker is loaded: serve compiled rules".into(),
        ));
        return;
    };
    settle(&promise, move |checked| {
        done(match checked {
            Ok(compiled) => compiled
                .as_string()
                .and_then(|c| Rules::from_compiled(&c))
                .ok_or_else(|| "the rules checker answered nonsense".to_owned()),
            Err(problems) => Err(problems
                .as_string()
                .unwrap_or_else(|| "the rules checker could not be loaded".into())),
        })
    });
}

#[cfg(feature = "json-rules")]
/// Reads and checks rules JSON text.
pub(crate) fn parse(text: &str) -> Result<Rules, RuleErrors> {
    let syntax = |message: &str| {
        RuleErrors(vec![RuleError {
            path: String::new(),
            kind: RuleErrorKind::Syntax {
                line: 0,
                column: 0,
                message: message.into(),
            },
        }])
    };
    let value = js_sys::JSON::parse(text).map_err(|_| syntax("not valid JSON"))?;
    let json = tree(&value, 0).ok_or_else(|| syntax("nested more than 32 levels deep"))?;
    Rules::from_json(&json)
}

/// A `JSON.parse`d value as the engine's JSON tree.
#[cfg(feature = "json-rules")]
fn tree(v: &JsValue, depth: usize) -> Option<Json> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(if v.is_null() || v.is_undefined() {
        Json::Null
    } else if let Some(b) = v.as_bool() {
        Json::Bool(b)
    } else if let Some(n) = v.as_f64() {
        Json::Number(n)
    } else if let Some(s) = v.as_string() {
        Json::String(s)
    } else if js_sys::Array::is_array(v) {
        let a: &js_sys::Array = v.unchecked_ref();
        Json::Array(
            a.iter()
                .map(|x| tree(&x, depth + 1))
                .collect::<Option<_>>()?,
        )
    } else {
        let entries = js_sys::Object::entries(v.unchecked_ref());
        let mut out = Vec::with_capacity(entries.length() as usize);
        for pair in entries.iter() {
            let pair: &js_sys::Array = pair.unchecked_ref();
            out.push((pair.get(0).as_string()?, tree(&pair.get(1), depth + 1)?));
        }
        Json::Object(out)
    })
}
