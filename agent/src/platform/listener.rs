//! RAII event listeners: a listener is removed when its value is dropped.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{AddEventListenerOptions, Event, EventTarget};

/// A listener that removes itself on drop.
#[must_use = "a listener is removed when dropped"]
pub(crate) struct Listener {
    target: EventTarget,
    kind: &'static str,
    capture: bool,
    /// What was added: the closure wrapped by the loader's guard.
    guarded: js_sys::Function,
    /// Kept alive as long as the listener.
    _callback: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// Listens for `kind` on `target`, passive, in the capture phase if `capture`. The
    /// callback runs through the loader's guard, so an error inside never reaches the page.
    pub(crate) fn new(
        target: &EventTarget,
        kind: &'static str,
        capture: bool,
        f: impl FnMut(Event) + 'static,
    ) -> Listener {
        let callback = Closure::<dyn FnMut(Event)>::new(f);
        let guarded = super::guard(callback.as_ref().unchecked_ref());
        let options = AddEventListenerOptions::new();
        options.set_passive(true);
        options.set_capture(capture);
        let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
            kind, &guarded, &options,
        );
        Listener {
            target: target.clone(),
            kind,
            capture,
            guarded,
            _callback: callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback_and_bool(
            self.kind,
            &self.guarded,
            self.capture,
        );
    }
}
