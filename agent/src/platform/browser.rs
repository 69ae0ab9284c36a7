//! [`BrowserHost`]: the agent's [`Host`] in a real browser: `Date.now`, `crypto`,
//! `localStorage` / `sessionStorage`, `fetch` with `keepalive`, `sendBeacon`, the console
//! and the Shadow-DOM prompt.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{RequestInit, Response, Storage, Window};

use lifeline_shared::wire::ReportBatch;

use super::prompt::PromptUi;
use crate::host::{Area, Host, Level};
use crate::view::PromptView;

/// The browser as the agent's host.
pub(crate) struct BrowserHost {
    window: Window,
    /// Where reports go: `{collector}/v1/sites/{site}/reports`.
    reports_url: String,
    prompt: PromptUi,
    /// The answer to a report `fetch` (one is in flight at a time), through the guard.
    on_answer: js_sys::Function,
    on_failure: js_sys::Function,
    _handlers: [Closure<dyn FnMut(JsValue)>; 2],
}

impl BrowserHost {
    pub(crate) fn new(window: Window, reports_url: String) -> BrowserHost {
        let prompt = PromptUi::new(window.clone());
        let answer = Closure::<dyn FnMut(JsValue)>::new(|response: JsValue| {
            let ok = response.dyn_into::<Response>().is_ok_and(|r| r.ok());
            super::with_agent(|agent| agent.sent(ok));
        });
        let failure = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {
            super::with_agent(|agent| agent.sent(false));
        });
        BrowserHost {
            window,
            reports_url,
            prompt,
            on_answer: super::guard(answer.as_ref().unchecked_ref()),
            on_failure: super::guard(failure.as_ref().unchecked_ref()),
            _handlers: [answer, failure],
        }
    }

    fn storage(&self, area: Area) -> Option<Storage> {
        match area {
            Area::Local => self.window.local_storage().ok().flatten(),
            Area::Session => self.window.session_storage().ok().flatten(),
        }
    }
}

impl Host for BrowserHost {
    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }

    fn random_id(&mut self) -> String {
        let mut bytes = [0u8; 12];
        if let Ok(crypto) = self.window.crypto() {
            let _ = crypto.get_random_values_with_u8_array(&mut bytes);
        }
        const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
        let mut id = String::with_capacity(20);
        let mut acc = 0u32;
        let mut bits = 0;
        for b in bytes {
            acc = (acc << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                id.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
            }
        }
        id
    }

    fn get(&self, area: Area, key: &str) -> Option<String> {
        self.storage(area)?.get_item(key).ok().flatten()
    }

    fn set(&mut self, area: Area, key: &str, value: &str) -> bool {
        self.storage(area)
            .is_some_and(|s| s.set_item(key, value).is_ok())
    }

    fn remove(&mut self, area: Area, key: &str) {
        if let Some(storage) = self.storage(area) {
            let _ = storage.remove_item(key);
        }
    }

    fn send(&mut self, batch: &ReportBatch, beacon: bool) -> bool {
        let body = batch.to_json();
        if beacon {
            // A string body goes as text/plain: no preflight, and sendBeacon accepts it.
            return self
                .window
                .navigator()
                .send_beacon_with_opt_str(&self.reports_url, Some(&body))
                .unwrap_or(false);
        }
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&JsValue::from_str(&body));
        // keepalive: the request outlives the page if it is being left.
        let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
        let request = self
            .window
            .fetch_with_str_and_init(&self.reports_url, &init);
        super::then_either(&request, &self.on_answer, &self.on_failure);
        true
    }

    fn show(&mut self, view: &PromptView) -> bool {
        self.prompt.show(view)
    }

    fn hide(&mut self) {
        self.prompt.hide();
    }

    fn log(&mut self, level: Level, message: &str) {
        let message = JsValue::from_str(message);
        match level {
            Level::Info => web_sys::console::info_1(&message),
            Level::Warn => web_sys::console::warn_1(&message),
            Level::Error => web_sys::console::error_1(&message),
        }
    }
}
