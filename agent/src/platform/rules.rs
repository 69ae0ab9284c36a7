//! Getting the site's rules: inline (`<script type="application/json" data-lifeline-rules>`)
//! or from the collector, revalidated with the cached ETag so an unchanged file costs a 304.
//! Parsed with the browser's `JSON.parse`, read and checked by the shared engine.

use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response, Window};

use lifeline_shared::json::Json;
use lifeline_shared::{RuleError, RuleErrorKind, RuleErrors, Rules};

use super::browser::{from_json, to_json};

/// Rules cached in `localStorage` with their ETag.
#[derive(Serialize, Deserialize)]
struct Cached {
    etag: String,
    text: String,
}

/// Reads and checks rules JSON text.
pub(crate) fn parse(text: &str) -> Result<Rules, RuleErrors> {
    let json: Option<Json> = from_json(text);
    match json {
        Some(json) => Rules::from_json(&json),
        None => Err(RuleErrors(vec![RuleError {
            path: String::new(),
            kind: RuleErrorKind::Syntax {
                line: 0,
                column: 0,
                message: "not valid JSON".into(),
            },
        }])),
    }
}

/// Fetches the rules from `url`; `None` when neither the network nor the cache has them.
pub(crate) async fn fetch(window: &Window, url: &str, cache_key: &str) -> Option<String> {
    let storage = window.local_storage().ok().flatten();
    let cached: Option<Cached> = storage
        .as_ref()
        .and_then(|s| s.get_item(cache_key).ok().flatten())
        .and_then(|t| from_json(&t));
    let init = RequestInit::new();
    if let Some(c) = &cached {
        let headers = web_sys::Headers::new().ok()?;
        let _ = headers.set("If-None-Match", &c.etag);
        init.set_headers(&headers);
    }
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await;
    let response = match response.ok().and_then(|r| r.dyn_into::<Response>().ok()) {
        Some(r) => r,
        None => return cached.map(|c| c.text),
    };
    if response.status() == 304 {
        return cached.map(|c| c.text);
    }
    if !response.ok() {
        return cached.map(|c| c.text);
    }
    let etag = response.headers().get("etag").ok().flatten();
    let text = JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    if let (Some(etag), Some(storage)) = (etag, storage)
        && let Some(json) = to_json(&Cached {
            etag,
            text: text.clone(),
        })
    {
        let _ = storage.set_item(cache_key, &json);
    }
    Some(text)
}
