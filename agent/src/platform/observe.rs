//! Watching the page: DOM events become the engine's typed, content-free events.
//!
//! A clicked element becomes a key (a hash of its tag, id, `name`, `type`,
//! `data-lifeline-key` and position among its siblings, three levels up): never its text
//! or value. Fields are listened to for *that* they change, never *what* they hold.
//! Listeners are passive, RAII, and run through the loader's guard.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Document, Element, Event as DomEvent, MouseEvent, MutationObserver, MutationObserverInit,
    Window,
};

use lifeline_shared::hash::fnv1a;
use lifeline_shared::{CartChange, Click, ClickFlags, Event, Signal, SignalSet};

use super::listener::Listeners;
use super::prompt::HOST_ID;
use super::with_agent;

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// An element, through the two calls made on every click, taking names already made JS
    /// strings (no decoding of the same text on every click).
    type Marked;
    #[wasm_bindgen(method, js_name = closest)]
    fn closest_to(this: &Marked, selector: &JsValue) -> Option<Element>;
    #[wasm_bindgen(method, js_name = getAttribute)]
    fn attribute_of(this: &Marked, name: &JsValue) -> Option<String>;
}

/// `el.closest(selector)`.
fn closest(el: &Element, selector: &JsValue) -> Option<Element> {
    el.unchecked_ref::<Marked>().closest_to(selector)
}

/// `el.getAttribute(name)`.
fn attribute(el: &Element, name: &JsValue) -> Option<String> {
    el.unchecked_ref::<Marked>().attribute_of(name)
}

/// The selectors and attribute names read on every click, made JS strings once.
struct Names {
    link: JsValue,
    field: JsValue,
    button: JsValue,
    task: JsValue,
    task_attr: JsValue,
    cart: JsValue,
    cart_attr: JsValue,
    cart_total: JsValue,
    ignore: JsValue,
    ignore_attr: JsValue,
    keyed: [JsValue; 3],
}

thread_local! {
    static NAMES: Names = Names {
        link: "a[href]".into(),
        field: "input,select,textarea,label,option,[contenteditable]".into(),
        button: "button,[role=button],input[type=submit],input[type=button]".into(),
        task: "[data-lifeline-task]".into(),
        task_attr: "data-lifeline-task".into(),
        cart: "[data-lifeline-cart]".into(),
        cart_attr: "data-lifeline-cart".into(),
        cart_total: "data-lifeline-cart-total".into(),
        ignore: "[data-lifeline-ignore]".into(),
        ignore_attr: "data-lifeline-ignore".into(),
        keyed: ["name".into(), "type".into(), "data-lifeline-key".into()],
    };
}

/// The closure a `MutationObserver` calls.
type MutationCallback = Closure<dyn FnMut(js_sys::Array, MutationObserver)>;
/// A wrapped `history` method: (state, title, url) -> result.
type HistoryMethod = Closure<dyn FnMut(JsValue, JsValue, JsValue) -> JsValue>;

/// Everything watching the page; dropping it stops all of it.
pub(crate) struct Observers {
    _listeners: Listeners,
    _mutations: Option<(MutationObserver, MutationCallback)>,
    _ticker: Option<Ticker>,
    _history: Option<HistoryPatch>,
}

/// `history.pushState` and `replaceState` wrapped to tell us; the page's own functions are
/// put back on drop.
struct HistoryPatch {
    history: web_sys::History,
    originals: Vec<(&'static str, js_sys::Function)>,
    _patched: Vec<HistoryMethod>,
}

impl Drop for HistoryPatch {
    fn drop(&mut self) {
        for (name, original) in &self.originals {
            let _ = js_sys::Reflect::set(&self.history, &(*name).into(), original);
        }
    }
}

/// A guarded `setInterval`, cleared on drop.
struct Ticker {
    window: Window,
    id: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.window.clear_interval_with_handle(self.id);
    }
}

/// The current URL path and query.
pub(crate) fn location(window: &Window) -> String {
    let l = window.location();
    let mut s = l.pathname().unwrap_or_else(|_| "/".into());
    s.push_str(&l.search().unwrap_or_default());
    s
}

/// Starts watching the page.
pub(crate) fn start(window: &Window, document: &Document) -> Observers {
    let (w, d) = (window.clone(), document.clone());
    let mut listeners = Listeners::new(move |e| on_event(&w, &d, &e));
    let (doc, win): (&web_sys::EventTarget, &web_sys::EventTarget) =
        (document.as_ref(), window.as_ref());
    for kind in ["click", "submit", "input"] {
        listeners.on(doc, kind, true);
    }
    listeners.on(win, "scroll", true);
    for kind in ["selectionchange", "visibilitychange", "mouseout"] {
        listeners.on(doc, kind, false);
    }
    for kind in [
        "pagehide",
        "error",
        "unhandledrejection",
        "popstate",
        "hashchange",
    ] {
        listeners.on(win, kind, false);
    }
    Observers {
        _listeners: listeners,
        _mutations: watch_mutations(document),
        _ticker: tick(window),
        _history: patch_history(window),
    }
}

/// Every page event, by its type.
fn on_event(window: &Window, document: &Document, e: &DomEvent) {
    match e.type_().as_str() {
        "click" => on_click(e),
        "submit" => {
            if let Some(form) = element(e) {
                let (key, ignore) = NAMES.with(|n| (key_of(&form, n), ignored(&form, n)));
                with_agent(|a| a.observe(&Event::Submit { key, ignore }));
            }
        }
        "input" => {
            if let Some(field) = element(e).filter(|el| !is_ours(el)) {
                with_agent(|a| {
                    a.observe(&Event::Input {
                        key: NAMES.with(|n| key_of(&field, n)),
                    })
                });
            }
        }
        "scroll" => with_agent(|a| a.observe(&Event::Scroll)),
        "selectionchange" => {
            let selected = document
                .get_selection()
                .ok()
                .flatten()
                .is_some_and(|s| !s.is_collapsed());
            if selected {
                with_agent(|a| a.observe(&Event::Selection));
            }
        }
        "visibilitychange" if document.hidden() => with_agent(|a| a.page_hidden()),
        "visibilitychange" => with_agent(|a| a.observe(&Event::Visibility { visible: true })),
        "pagehide" => with_agent(|a| a.page_hidden()),
        "error" | "unhandledrejection" => with_agent(|a| a.observe(&Event::Error)),
        "popstate" | "hashchange" => navigated(window),
        "mouseout" => {
            if let Some(m) = e.dyn_ref::<MouseEvent>()
                && m.related_target().is_none()
                && m.client_y() <= 0
            {
                with_agent(|a| a.observe(&Event::ExitIntent));
            }
        }
        _ => {}
    }
}

/// Reports the current page (a load or an SPA route change) and its view markers.
pub(crate) fn navigated(window: &Window) {
    let page = location(window);
    with_agent(|a| a.navigate(&page));
    // Marker elements on the page (not buttons or links: those mark when clicked).
    if let Some(doc) = window.document()
        && let Ok(marks) = doc.query_selector_all("[data-lifeline-task]:not(a):not(button)")
    {
        for i in 0..marks.length() {
            if let Some(name) = marks
                .item(i)
                .and_then(|n| n.dyn_into::<Element>().ok())
                .and_then(|e| e.get_attribute("data-lifeline-task"))
            {
                with_agent(|a| a.observe(&Event::Mark { name: &name }));
            }
        }
    }
}

fn element(e: &DomEvent) -> Option<Element> {
    e.target()?.dyn_into::<Element>().ok()
}

fn is_ours(el: &Element) -> bool {
    el.id() == HOST_ID
}

fn on_click(e: &DomEvent) {
    let Some(target) = element(e) else { return };
    if is_ours(&target) {
        return; // a click in our own prompt is not the page's
    }
    let Some(m) = e.dyn_ref::<MouseEvent>() else {
        return;
    };
    NAMES.with(|n| {
        let mut flags = ClickFlags::NONE;
        if closest(&target, &n.link).is_some() {
            flags = flags | ClickFlags::LINK;
        }
        if m.ctrl_key() || m.meta_key() || m.shift_key() || m.alt_key() {
            flags = flags | ClickFlags::MODIFIER;
        }
        if closest(&target, &n.field).is_some() {
            flags = flags | ClickFlags::FIELD;
        }
        let button = closest(&target, &n.button);
        if button.is_some() {
            flags = flags | ClickFlags::BUTTON;
        }
        let keyed = button.unwrap_or_else(|| target.clone());
        let click = Click {
            key: key_of(&keyed, n),
            x: m.client_x(),
            y: m.client_y(),
            flags,
            ignore: ignored(&target, n),
        };
        with_agent(|a| a.observe(&Event::Click(click)));

        if let Some(name) = closest(&target, &n.task).and_then(|el| attribute(&el, &n.task_attr)) {
            with_agent(|a| a.observe(&Event::Mark { name: &name }));
        }
        if let Some(el) = closest(&target, &n.cart) {
            let change = match attribute(&el, &n.cart_attr).as_deref() {
                Some("add") => Some(CartChange::Add),
                Some("remove") => Some(CartChange::Remove),
                _ => None,
            };
            let total = attribute(&el, &n.cart_total)
                .map(|t| js_sys::parse_float(&t))
                .filter(|t| t.is_finite());
            if let Some(change) = change {
                with_agent(|a| a.observe(&Event::Cart { change, total }));
            }
        }
    });
}

/// Signals an element (or an ancestor) opts out of: `data-lifeline-ignore` lists signal
/// names (`"rage_click dead_click"`); empty means all.
fn ignored(el: &Element, n: &Names) -> SignalSet {
    let Some(value) = closest(el, &n.ignore).and_then(|e| attribute(&e, &n.ignore_attr)) else {
        return SignalSet::EMPTY;
    };
    let named: SignalSet = value
        .split([' ', ','])
        .filter_map(Signal::from_name)
        .collect();
    if named.is_empty() {
        SignalSet::ALL
    } else {
        named
    }
}

/// A content-free key for an element: tag, id, `name`, `type`, `data-lifeline-key` and
/// sibling position, three levels up. Never text or values.
fn key_of(el: &Element, n: &Names) -> u64 {
    let mut h = 0u64;
    let mut node = Some(el.clone());
    for _ in 0..3 {
        let Some(e) = node else { break };
        h = fnv1a(h, e.tag_name().as_bytes());
        h = fnv1a(h, e.id().as_bytes());
        for attribute in &n.keyed {
            if let Some(v) = self::attribute(&e, attribute) {
                h = fnv1a(h, v.as_bytes());
            }
        }
        let mut index = 0u8;
        let mut sibling = e.previous_element_sibling();
        while let Some(s) = sibling {
            index = index.wrapping_add(1);
            sibling = s.previous_element_sibling();
        }
        h = fnv1a(h, &[index]);
        node = e.parent_element();
    }
    h
}

fn watch_mutations(document: &Document) -> Option<(MutationObserver, MutationCallback)> {
    let callback =
        Closure::<dyn FnMut(js_sys::Array, MutationObserver)>::new(|_records, _observer| {
            with_agent(|a| a.observe(&Event::DomChange));
        });
    let observer = MutationObserver::new(&super::guard(callback.as_ref().unchecked_ref())).ok()?;
    let init = MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    init.set_attributes(true);
    init.set_character_data(true);
    let root: web_sys::Node = document.document_element()?.into();
    observer.observe_with_options(&root, &init).ok()?;
    Some((observer, callback))
}

fn tick(window: &Window) -> Option<Ticker> {
    let callback = Closure::<dyn FnMut()>::new(|| {
        with_agent(|a| a.tick());
    });
    let guarded = super::guard(callback.as_ref().unchecked_ref());
    let id = window
        .set_interval_with_callback_and_timeout_and_arguments_0(&guarded, 1000)
        .ok()?;
    Some(Ticker {
        window: window.clone(),
        id,
        _callback: callback,
    })
}

/// SPA navigation: `history.pushState` and `replaceState` tell us after they run.
fn patch_history(window: &Window) -> Option<HistoryPatch> {
    let history = window.history().ok()?;
    let mut kept = Vec::new();
    let mut originals = Vec::new();
    for name in ["pushState", "replaceState"] {
        let Ok(original) = js_sys::Reflect::get(&history, &name.into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
        else {
            continue;
        };
        originals.push((name, original.clone()));
        let (h, w) = (history.clone(), window.clone());
        let patched = HistoryMethod::new(move |state, title, url| {
            match original.call3(&h, &state, &title, &url) {
                Ok(v) => {
                    navigated(&w);
                    v
                }
                // The page's own call failed: it gets its error back, untouched.
                Err(error) => wasm_bindgen::throw_val(error),
            }
        });
        if js_sys::Reflect::set(&history, &name.into(), patched.as_ref()).is_ok() {
            kept.push(patched);
        }
    }
    Some(HistoryPatch {
        history,
        originals,
        _patched: kept,
    })
}
