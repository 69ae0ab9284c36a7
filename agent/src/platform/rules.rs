//! Getting the site's rules: inline (`<script type="application/json" data-lifeline-rules>`)
//! or from the collector, revalidated with the cached ETag so an unchanged file costs a 304.
//! Parsed by the browser's `JSON.parse`, turned into the engine's JSON tree directly (no
//! serde in the wasm), then read and checked by the shared engine.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response, Window};

use lifeline_shared::codec;
use lifeline_shared::json::Json;
use lifeline_shared::{RuleError, RuleErrorKind, RuleErrors, Rules};

/// Deepest nesting accepted in a rules file (hostile files cannot exhaust the stack).
const MAX_DEPTH: usize = 32;

/// Rules cached in `localStorage` with their ETag.
struct Cached {
    etag: String,
    text: String,
}

lifeline_shared::codec::codec!(Cached { etag, text });

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

/// Fetches the rules from `url`; `None` when neither the network nor the cache has them.
pub(crate) async fn fetch(window: &Window, url: &str, cache_key: &str) -> Option<String> {
    let storage = window.local_storage().ok().flatten();
    let cached: Option<Cached> = storage
        .as_ref()
        .and_then(|s| s.get_item(cache_key).ok().flatten())
        .and_then(|t| codec::decode(&t));
    let init = RequestInit::new();
    if let Some(c) = &cached {
        let headers = web_sys::Headers::new().ok()?;
        let _ = headers.set("If-None-Match", &c.etag);
        init.set_headers(&headers);
    }
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await;
    let response = match response.ok().and_then(|r| r.dyn_into::<Response>().ok()) {
        Some(r) if r.ok() => r,
        // Down, 304 Not Modified, or an error: the cached copy, if any.
        _ => return cached.map(|c| c.text),
    };
    let etag = response.headers().get("etag").ok().flatten();
    let text = JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    if let (Some(etag), Some(storage)) = (etag, storage) {
        let _ = storage.set_item(
            cache_key,
            &codec::encode(&Cached {
                etag,
                text: text.clone(),
            }),
        );
    }
    Some(text)
}
