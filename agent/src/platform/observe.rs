//! Watching the page through the JS observer (`agent/js/observer.js`, part of agent.js).
//!
//! The observer listens to the page and describes each event as numbers, written into a
//! ring in wasm's memory ([`RING`] events of [`WIDTH`] numbers); this module drains it in
//! ONE call per batch and turns each event into the engine's typed, content-free [`Event`].
//! No DOM call is made from here per event: each `web_sys` call is a JS shim plus a
//! crossing, and describing a click from wasm took about forty. The observer is told what
//! the rules need (so a site without exit-intent rules never listens to `mouseout`) and
//! stops when [`Observers`] is dropped.

use crate::prelude::*;

use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;

use lifeline_shared::rules::{Marker, Rules};
use lifeline_shared::{CartChange, Click, ClickFlags, Event, SignalSet};

use super::{PageLocal, with_agent};

// Event kinds passed by the observer (the same numbers as in observer.js). A text selection
// comes as a click flag (`ClickFlags::SELECT`), not as an event of its own.
const K_CLICK: u32 = 1;
const K_SUBMIT: u32 = 2;
const K_INPUT: u32 = 3;
const K_DOM: u32 = 4;
const K_SCROLL: u32 = 5;
const K_VISIBLE: u32 = 7;
const K_HIDDEN: u32 = 8;
const K_PAGEHIDE: u32 = 9;
const K_ERROR: u32 = 10;
const K_EXIT: u32 = 11;
const K_TICK: u32 = 12;
const K_FOCUS: u32 = 13;
const K_CART: u32 = 14;
// Text events.
const T_NAVIGATE: u32 = 1;
const T_RESTORED: u32 = 2;
const T_MARK: u32 = 3;
const T_REPLACED: u32 = 4;

// What the rules need the observer to listen for.
const WANT_MUTATIONS: u32 = 1;
const WANT_SCROLL: u32 = 2;
const WANT_INPUT: u32 = 8;
const WANT_EXIT: u32 = 16;
const WANT_ERRORS: u32 = 32;
const WANT_HASH: u32 = 64;
const WANT_LAUNCHER: u32 = 128;
const WANT_MARKS: u32 = 256;

/// Events in the ring at most (RING in observer.js): a batch longer than that is drained
/// as often as it fills.
pub(crate) const RING: usize = 64;
/// Numbers per event in the ring: kind, key, x, y, flags, ignore, time.
pub(crate) const WIDTH: usize = 7;

/// The ring the observer writes events into (in static memory: its place is what the
/// observer was told).
static EVENTS: PageLocal<[f64; RING * WIDTH]> = PageLocal::new([0.0; RING * WIDTH]);

/// `drain(n)`: the first `n` events in the ring.
type Drain = dyn FnMut(f64);
/// `emitText(kind, text, time)`.
type EmitText = dyn FnMut(f64, String, f64);

/// The running observer; dropping it removes every listener, the history patch, the
/// mutation observer and the timer.
pub(crate) struct Observers {
    stop: js_sys::Function,
    _drain: Closure<Drain>,
    _emit_text: Closure<EmitText>,
}

impl Drop for Observers {
    fn drop(&mut self) {
        let _ = self.stop.call0(&JsValue::NULL);
    }
}

/// What the observer must listen for, and how long after a click a reaction counts.
fn interest(rules: &Rules) -> (u32, u32) {
    let s = &rules.signals;
    let mut want = 0;
    // A DOM change or a scroll answers a click (dead clicks; rage: a stepper, a carousel).
    if s.dead_click.enabled || s.rage_click.enabled {
        want |= WANT_MUTATIONS | WANT_SCROLL;
    }
    if s.idle.enabled {
        want |= WANT_INPUT | WANT_SCROLL;
    }
    if s.exit_intent.enabled {
        want |= WANT_EXIT;
    }
    if s.error_click.enabled {
        want |= WANT_ERRORS;
    }
    if rules.pages.hash_routes {
        want |= WANT_HASH;
    }
    if rules.launcher {
        want |= WANT_LAUNCHER;
    }
    // Marks (data-lifeline-task) only start and complete tasks.
    if rules
        .tasks
        .iter()
        .any(|t| matches!(t.start, Marker::Mark(_)) || matches!(t.complete, Marker::Mark(_)))
    {
        want |= WANT_MARKS;
    }
    let d = &s.dead_click;
    let react_ms = d
        .mutation_window_ms
        .max(d.scroll_window_ms)
        .max(d.selection_window_ms)
        .max(s.rage_click.max_gap_ms);
    (want, react_ms)
}

#[wasm_bindgen]
extern "C" {
    /// `__lifeline_observe(drain, emitText, want, reactMs, memory, at)`
    /// (agent/js/observer.js): starts observing, writing events into the ring at byte `at`
    /// of `memory`; answers the function that stops it. Missing (a test page): an error.
    #[wasm_bindgen(catch, js_name = __lifeline_observe)]
    fn observe(
        drain: &JsValue,
        emit_text: &JsValue,
        want: u32,
        react_ms: u32,
        memory: &JsValue,
        at: u32,
    ) -> Result<js_sys::Function, JsValue>;
}

/// Starts the observer for these rules (it reports the current page at once); `None` when
/// agent.js carries no observer (a test page that did not install it).
pub(crate) fn start(rules: &Rules) -> Option<Observers> {
    let (want, react_ms) = interest(rules);
    let drain = Closure::<Drain>::new(drain);
    let emit_text = Closure::<EmitText>::new(on_text);
    // A wasm32 address: the pointer's value is the byte offset in memory.
    let at = EVENTS.try_with(|e| e.as_ptr() as usize as u32).ok()?;
    let memory = wasm_bindgen::memory();
    let stop = observe(
        drain.as_ref(),
        emit_text.as_ref(),
        want,
        react_ms,
        &memory,
        at,
    )
    .ok()?;
    Some(Observers {
        stop,
        _drain: drain,
        _emit_text: emit_text,
    })
}

/// The first `n` events of the ring, in order. Copied out first: an event the observer
/// notes meanwhile (the engine's work may set off page events) goes into the ring's start
/// for the next batch.
fn drain(n: f64) {
    let Ok(Some(batch)) = EVENTS.try_with(|e| e.try_borrow().ok().map(|e| *e)) else {
        return;
    };
    for e in batch.chunks_exact(WIDTH).take(n as usize) {
        if let [kind, key, x, y, flags, ignore, time] = *e {
            on_event(kind, key, x, y, flags, ignore, time);
        }
    }
}

/// One page event, as numbers.
fn on_event(kind: f64, key: f64, x: f64, y: f64, flags: f64, ignore: f64, time: f64) {
    let now = time as u64;
    // `as` saturates: a hostile page's huge or NaN numbers become bounded values.
    let event = match kind as u32 {
        K_CLICK => Event::Click(Click {
            key: key as u64,
            x: x as i32,
            y: y as i32,
            flags: ClickFlags::from_bits(flags as u8),
            ignore: SignalSet::from_bits(ignore as u16),
        }),
        K_SUBMIT => Event::Submit {
            key: key as u64,
            ignore: SignalSet::from_bits(ignore as u16),
        },
        K_INPUT => Event::Input { key: 0 },
        K_DOM => Event::DomChange,
        K_SCROLL => Event::Scroll,
        K_VISIBLE => Event::Visibility { visible: true },
        K_ERROR => Event::Error,
        K_EXIT => Event::ExitIntent,
        K_FOCUS => Event::Focus,
        K_CART => Event::Cart {
            change: if x as u32 == 2 {
                CartChange::Remove
            } else {
                CartChange::Add
            },
            total: Some(y).filter(|t| t.is_finite()),
        },
        K_HIDDEN => return with_agent(|a| a.page_hidden()),
        K_PAGEHIDE => return with_agent(|a| a.page_left()),
        K_TICK => return with_agent(|a| a.tick()),
        _ => return,
    };
    with_agent(|a| a.event(now, &event));
}

/// A page view, a restore from the back/forward cache, or a mark.
fn on_text(kind: f64, text: String, time: f64) {
    let now = time as u64;
    match kind as u32 {
        T_NAVIGATE => with_agent(|a| a.navigate(&text)),
        T_RESTORED => with_agent(|a| a.restored(&text)),
        T_MARK => with_agent(|a| a.event(now, &Event::Mark { name: &text })),
        T_REPLACED => with_agent(|a| a.renamed(&text)),
        _ => {}
    }
}
