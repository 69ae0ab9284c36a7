//! The prompt on screen, drawn by the renderer in `agent/js/prompt.js` (a lazy module the
//! loader fetches the first time a prompt shows):
//! the agent hands over the prompt's view as JSON (which the rules carry), and hears back what the
//! visitor did. Building the DOM from wasm cost several times the bytes of doing it in JS.
//!
//! The renderer puts the prompt in a Shadow DOM styled by a constructable stylesheet (strict
//! CSP allows it), sets every text with `textContent` (never HTML), and makes it a labelled,
//! keyboard-usable dialog that never takes focus from a field being typed in.

use crate::prelude::*;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use lifeline_shared::Outcome;

use crate::agent::Feedback;

#[wasm_bindgen]
extern "C" {
    /// `__lifeline_prompt(viewJson, done)` (the loader's, until the prompt module replaces
    /// it); `(null)` removes the prompt. Missing (a test page without it): an error.
    #[wasm_bindgen(catch, js_name = __lifeline_prompt)]
    fn render(view: &JsValue, done: &JsValue) -> Result<JsValue, JsValue>;
}

/// What the renderer reports: `(what, rating, thumbs, comment)`.
type Done = dyn FnMut(String, Option<f64>, Option<String>, Option<String>);

/// The renderer and the callback it reports to.
pub(crate) struct PromptUi {
    /// `done(what, rating, thumbs, comment)`, through the loader's guard.
    done: js_sys::Function,
    _callback: Closure<Done>,
}

impl PromptUi {
    pub(crate) fn new() -> PromptUi {
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
                        // A support session that solved the visitor's problem.
                        "solved" => a.close(Outcome::Completed),
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
            done: super::guard(callback.as_ref().unchecked_ref()),
            _callback: callback,
        }
    }

    /// Shows `view`, replacing any prompt on screen; false when it cannot be shown (no
    /// renderer, no page body yet).
    pub(crate) fn show(&mut self, view: &str) -> bool {
        render(&view.into(), &self.done).is_ok_and(|shown| shown.is_truthy())
    }

    /// Removes the prompt.
    pub(crate) fn hide(&mut self) {
        let _ = render(&JsValue::NULL, &JsValue::NULL);
    }
}
