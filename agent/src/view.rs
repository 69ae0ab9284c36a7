//! What a prompt looks like reaches the renderer (`agent/js/prompt.js`) as JSON the rules
//! already carry: each prompt's views were written when the rules were checked
//! ([`lifeline_shared::rules::view`]), and the agent only picks the one for the visitor's
//! language ([`Rules::view`](lifeline_shared::Rules::view)) and hands it over. In native
//! tests the memory host reads it back into a [`PromptView`].

#[cfg(not(target_arch = "wasm32"))]
use crate::prelude::*;
#[cfg(not(target_arch = "wasm32"))]
use lifeline_shared::rules::spec::PromptKind;

/// A prompt view read back from its JSON (native tests).
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone, PartialEq)]
pub struct PromptView {
    /// The prompt id.
    pub prompt: String,
    /// What it offers.
    pub kind: PromptKind,
    /// Heading.
    pub title: String,
    /// Its language.
    pub language: String,
    /// The whole view.
    pub json: serde_json::Value,
}

#[cfg(not(target_arch = "wasm32"))]
impl PromptView {
    /// Reads a view as the renderer would; `None` when it is not one.
    pub fn read(json: &str) -> Option<PromptView> {
        let json: serde_json::Value = serde_json::from_str(json).ok()?;
        let text = |k: &str| json[k].as_str().map(str::to_owned);
        Some(PromptView {
            prompt: text("prompt")?,
            kind: PromptKind::from_name(json["kind"].as_str()?)?,
            title: text("title")?,
            language: text("lang")?,
            json,
        })
    }
}
