//! The prompt on screen, drawn by the renderer in `agent/js/prompt.js` (a lazy module the
//! loader fetches the first time a prompt shows):
//! the agent builds the [`PromptView`], hands it over as JSON, and hears back what the
//! visitor did. Building the DOM from wasm cost several times the bytes of doing it in JS.
//!
//! The renderer puts the prompt in a Shadow DOM styled by a constructable stylesheet (strict
//! CSP allows it), sets every text with `textContent` (never HTML), and makes it a labelled,
//! keyboard-usable dialog that never takes focus from a field being typed in.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::Window;

use lifeline_shared::Outcome;

use crate::agent::Feedback;
use crate::view::PromptView;

/// The id of the element hosting the prompt's shadow root.
pub(crate) const HOST_ID: &str = "lifeline-host";

/// What the renderer reports: `(what, rating, thumbs, comment)`.
type Done = dyn FnMut(String, Option<f64>, Option<String>, Option<String>);

/// The renderer and the callback it reports to.
pub(crate) struct PromptUi {
    window: Window,
    /// `done(what, rating, thumbs, comment)`, through the loader's guard.
    done: js_sys::Function,
    _callback: Closure<Done>,
}

impl PromptUi {
    pub(crate) fn new(window: Window) -> PromptUi {
        let callback =
            Closure::<dyn FnMut(String, Option<f64>, Option<String>, Option<String>)>::new(
                |what: String,
                 rating: Option<f64>,
                 thumbs: Option<String>,
                 comment: Option<String>| {
                    super::with_agent(|a| match what.as_str() {
                        "close" => a.close(Outcome::Dismissed),
                        // The renderer could not be fetched: nobody saw the prompt.
                        "unseen" => a.close(Outcome::Ignored),
                        "link" => a.close(Outcome::Engaged),
                        "action" => a.act(Feedback {
                            // Saturating: anything outside 1..=5 is dropped by the agent.
                            rating: rating.map(|r| r as u8),
                            thumbs: thumbs.map(|t| t == "up"),
                            comment,
                        }),
                        _ => {}
                    });
                },
            );
        PromptUi {
            window,
            done: super::guard(callback.as_ref().unchecked_ref()),
            _callback: callback,
        }
    }

    fn renderer(&self) -> Option<js_sys::Function> {
        js_sys::Reflect::get(&self.window, &"__lifeline_prompt".into())
            .ok()?
            .dyn_into()
            .ok()
    }

    /// Shows `view`, replacing any prompt on screen; false when it cannot be shown (no
    /// renderer, no page body yet).
    pub(crate) fn show(&mut self, view: &PromptView) -> bool {
        self.renderer()
            .and_then(|r| {
                r.call2(&JsValue::NULL, &view.to_json().into(), &self.done)
                    .ok()
            })
            .is_some_and(|shown| shown.is_truthy())
    }

    /// Removes the prompt.
    pub(crate) fn hide(&mut self) {
        if let Some(r) = self.renderer() {
            let _ = r.call1(&JsValue::NULL, &JsValue::NULL);
        }
    }
}
