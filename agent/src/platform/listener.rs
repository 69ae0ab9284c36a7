//! RAII event listeners: one callback, added for several events, removed when dropped.
//!
//! One callback for all of a page's events (it looks at `event.type`) rather than one per
//! event: each callback costs the agent its own glue.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{AddEventListenerOptions, Event, EventTarget};

/// A callback listening to events on targets; every listener is removed on drop.
#[must_use = "the listeners are removed when dropped"]
pub(crate) struct Listeners {
    /// (target, event type, capture phase) of each listener added.
    added: Vec<(EventTarget, &'static str, bool)>,
    /// What was added: the callback wrapped by the loader's guard.
    guarded: js_sys::Function,
    /// Kept alive as long as the listeners.
    _callback: Closure<dyn FnMut(Event)>,
}

impl Listeners {
    /// A callback that runs through the loader's guard, so an error inside never reaches
    /// the page. Nothing listens until [`Listeners::on`].
    pub(crate) fn new(f: impl FnMut(Event) + 'static) -> Listeners {
        let callback = Closure::<dyn FnMut(Event)>::new(f);
        Listeners {
            added: Vec::new(),
            guarded: super::guard(callback.as_ref().unchecked_ref()),
            _callback: callback,
        }
    }

    /// Listens for `kind` on `target`: passive, in the capture phase if `capture`.
    pub(crate) fn on(&mut self, target: &EventTarget, kind: &'static str, capture: bool) {
        let options = AddEventListenerOptions::new();
        options.set_passive(true);
        options.set_capture(capture);
        if target
            .add_event_listener_with_callback_and_add_event_listener_options(
                kind,
                &self.guarded,
                &options,
            )
            .is_ok()
        {
            self.added.push((target.clone(), kind, capture));
        }
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        for (target, kind, capture) in &self.added {
            let _ =
                target.remove_event_listener_with_callback_and_bool(kind, &self.guarded, *capture);
        }
    }
}
