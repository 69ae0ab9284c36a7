//! [`BrowserHost`]: the agent's [`Host`] in a real browser: `Date.now`, and through the
//! loader's small helpers (plain values cross, no objects), random ids, `localStorage` /
//! `sessionStorage` and reports (`fetch` with `keepalive`, `sendBeacon`); the console
//! and the Shadow-DOM prompt.

use crate::prelude::*;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::prompt::PromptUi;
use crate::host::{Area, Host, Level};

#[wasm_bindgen]
extern "C" {
    /// `__lifeline_send(url, body, beacon)` (agent/js/loader.js): `sendBeacon`'s answer, or
    /// a promise of whether the collector took the batch. A string body goes as text/plain:
    /// no preflight.
    #[wasm_bindgen(catch, js_name = __lifeline_send)]
    fn send(url: &str, body: &str, beacon: bool) -> Result<JsValue, JsValue>;
    /// `__lifeline_get(local, key)`: a stored value, from localStorage or sessionStorage;
    /// null when missing or when storage is off.
    #[wasm_bindgen(catch, js_name = __lifeline_get)]
    fn storage_get(local: bool, key: &str) -> Result<Option<String>, JsValue>;
    /// `__lifeline_set(local, key, value)`: stores (or, for null, removes) a value; false when
    /// storage refused (full, off).
    #[wasm_bindgen(js_name = __lifeline_set)]
    fn storage_set(local: bool, key: &str, value: &str) -> bool;
    /// `__lifeline_clear(prefix)`: forgets every stored value whose key starts with `prefix`.
    #[wasm_bindgen(catch, js_name = __lifeline_clear)]
    fn storage_clear(prefix: &str) -> Result<(), JsValue>;
    /// `__lifeline_log(level, message)`: the console's info (0), warn (1) or error (2).
    #[wasm_bindgen(catch, js_name = __lifeline_log)]
    fn log(level: u8, message: &str) -> Result<(), JsValue>;
    /// `__lifeline_id()`: 20 random characters from `crypto.getRandomValues`, for visit ids.
    #[wasm_bindgen(js_name = __lifeline_id)]
    fn random_id() -> String;
}

/// The browser as the agent's host.
pub(crate) struct BrowserHost {
    /// Where reports go: `{collector}/v1/sites/{site}/reports`.
    reports_url: String,
    prompt: PromptUi,
    /// The answer to a report `fetch` (one is in flight at a time), through the guard.
    on_answer: js_sys::Function,
    on_failure: js_sys::Function,
    _handlers: [Closure<dyn FnMut(JsValue)>; 2],
}

impl BrowserHost {
    pub(crate) fn new(reports_url: String) -> BrowserHost {
        let prompt = PromptUi::new();
        let answer = Closure::<dyn FnMut(JsValue)>::new(|ok: JsValue| {
            super::with_agent(|agent| agent.sent(ok.is_truthy()));
        });
        let failure = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {
            super::with_agent(|agent| agent.sent(false));
        });
        BrowserHost {
            reports_url,
            prompt,
            on_answer: super::guard(answer.as_ref().unchecked_ref()),
            on_failure: super::guard(failure.as_ref().unchecked_ref()),
            _handlers: [answer, failure],
        }
    }
}

impl Host for BrowserHost {
    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }

    fn random_id(&mut self) -> String {
        random_id()
    }

    fn get(&self, area: Area, key: &str) -> Option<String> {
        storage_get(area == Area::Local, key).ok().flatten()
    }

    fn set(&mut self, area: Area, key: &str, value: &str) -> bool {
        storage_set(area == Area::Local, key, value)
    }

    fn clear(&mut self, prefix: &str) {
        let _ = storage_clear(prefix);
    }

    fn send(&mut self, batch: &str, beacon: bool) -> bool {
        // The loader's `__lifeline_send`: sendBeacon, or fetch with keepalive answering
        // whether the collector took the batch. Without it (a test page), nothing is sent.
        match send(&self.reports_url, batch, beacon) {
            Ok(answer) if beacon => answer.is_truthy(),
            Ok(answer) => {
                super::then_either(answer.unchecked_ref(), &self.on_answer, &self.on_failure);
                true
            }
            Err(_) => false,
        }
    }

    fn show(&mut self, view: &str) -> bool {
        self.prompt.show(view)
    }

    fn hide(&mut self) {
        self.prompt.hide();
    }

    fn log(&mut self, level: Level, message: &str) {
        let _ = log(level as u8, message);
    }
}
