//! The browser: the only module that talks to `web_sys`.
//!
//! - [`browser`]: the agent's [`Host`](crate::Host) in a real browser.
//! - [`observe`]: the JS observer's numbers into engine events (one call per event).
//! - [`prompt`]: the Shadow-DOM prompt.
//! - [`rules`]: the rules text the loader fetched (compiled, or JSON for the checker).
//!
//! The JS API (`start`, `track`, `identify`, `consent`, `optOut`, `show`, `agentsOnline`)
//! is called by the loader (`agent/js/loader.js`), which fetches the wasm and the rules in
//! parallel. Never hurting the page: every callback runs through the loader's guard; a
//! panic logs one `console.warn`, removes the prompt and leaves the agent dormant; a nested
//! call is dropped rather than borrowed twice.

mod browser;
mod observe;
mod prompt;
mod rules;

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use web_sys::Window;

use lifeline_shared::rules::spec::Device;

use crate::agent::{Agent, Config};
use browser::BrowserHost;
use observe::Observers;

/// The running agent and what watches the page for it.
struct Runtime {
    agent: Agent<BrowserHost>,
    _observers: Option<Observers>,
}

thread_local! {
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
}

/// Runs `f` on the agent, unless there is none or it is busy (a nested call is dropped).
pub(crate) fn with_agent(f: impl FnOnce(&mut Agent<BrowserHost>)) {
    let _ = RUNTIME.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut()
            && let Some(rt) = r.as_mut()
        {
            f(&mut rt.agent);
        }
    });
}

/// Wraps `f` in the loader's guard (`__lifeline_guard`): a trap inside stops the agent
/// instead of throwing into the page. Without a loader (tests), `f` itself.
pub fn guard(f: &js_sys::Function) -> js_sys::Function {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &"__lifeline_guard".into())
        .ok()
        .and_then(|g| g.dyn_into::<js_sys::Function>().ok())
        .and_then(|g| g.call1(&JsValue::NULL, f).ok())
        .and_then(|wrapped| wrapped.dyn_into::<js_sys::Function>().ok())
        .unwrap_or_else(|| f.clone())
}

/// A string property of a JS object.
fn string_of(object: &JsValue, name: &str) -> Option<String> {
    js_sys::Reflect::get(object, &name.into()).ok()?.as_string()
}

/// Starts the agent on this page. Called once by the loader, with
/// `{site, collector (base URL), rules?}`: the rules text the loader fetched (or found
/// inline); without it (the collector unreachable and nothing cached, which the loader has
/// said) the agent stays quietly off.
#[wasm_bindgen]
pub fn start(options: JsValue) {
    std::panic::set_hook(Box::new(|_| stopped()));
    let (Some(site), Some(collector)) = (
        string_of(&options, "site"),
        string_of(&options, "collector"),
    ) else {
        web_sys::console::warn_1(&"lifeline: start() needs {site, collector}".into());
        return;
    };
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    let base = collector.trim_end_matches('/').to_owned();
    let reports_url = [&base, "/v1/sites/", &site, "/reports"].concat();
    let config = Config {
        site,
        language: language(&window),
        gpc: gpc(&window),
        device: device(&window),
        debug: js_sys::Reflect::get(&options, &"debug".into()).is_ok_and(|d| d.is_truthy()),
    };
    let agent = Agent::new(BrowserHost::new(window.clone(), reports_url), config);
    let _ = RUNTIME.try_with(|r| {
        *r.borrow_mut() = Some(Runtime {
            agent,
            _observers: None,
        })
    });
    let Some(text) = string_of(&options, "rules") else {
        return;
    };
    rules::read(
        text,
        move |rules: Result<lifeline_shared::Rules, String>| {
            let mut running = false;
            with_agent(|a| {
                match rules {
                    Ok(rules) => a.rules_ready(rules),
                    Err(problems) => a.rules_refused(&problems),
                }
                // Held for consent: nothing watches the page until `consent(true)`.
                running = a.state() == crate::State::Running;
            });
            if running {
                watch_when_ready(window, document);
            }
        },
    );
}

#[wasm_bindgen]
extern "C" {
    /// A promise, seen only through `then`.
    type Thenable;
    /// `promise.then(ok, err)` with plain functions.
    #[wasm_bindgen(method, js_name = then)]
    fn then(this: &Thenable, ok: &JsValue, err: &JsValue);
}

/// `promise.then(ok, err)`.
fn then_either(promise: &js_sys::Promise, ok: &JsValue, err: &JsValue) {
    promise.unchecked_ref::<Thenable>().then(ok, err);
}

/// Calls `done` once `promise` settles: `Ok(value)` or `Err(reason)`. (Callbacks rather
/// than `async`: the futures runtime costs the agent kilobytes.) The handler not called
/// stays allocated, so this is for the few promises of a page load, not for every send.
#[cfg(not(feature = "json-rules"))]
fn settle(promise: &js_sys::Promise, done: impl FnOnce(Result<JsValue, JsValue>) + 'static) {
    let ok = std::rc::Rc::new(std::cell::Cell::new(Some(done)));
    let err = ok.clone();
    // Through the guard, like every other callback: a trap inside never reaches the page.
    let ok = Closure::once_into_js(move |v: JsValue| {
        if let Some(done) = ok.take() {
            done(Ok(v));
        }
    });
    let err = Closure::once_into_js(move |e: JsValue| {
        if let Some(done) = err.take() {
            done(Err(e));
        }
    });
    then_either(
        promise,
        &guard(ok.unchecked_ref()),
        &guard(err.unchecked_ref()),
    );
}

/// Starts watching the page once its body exists (an async script may run before).
fn watch_when_ready(window: Window, document: web_sys::Document) {
    if document.ready_state() != "loading" {
        watch(&window);
        return;
    }
    let target: web_sys::EventTarget = document.into();
    // Called once, then freed by wasm-bindgen.
    let once = Closure::once_into_js(move || watch(&window));
    let options = web_sys::AddEventListenerOptions::new();
    options.set_once(true);
    let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
        "DOMContentLoaded",
        &guard(once.unchecked_ref()),
        &options,
    );
}

/// Starts the observer (which reports the current page); then `window.__lifeline_running`
/// is true (what end-to-end tests wait for).
fn watch(window: &Window) {
    let mut rules = None;
    with_agent(|a| rules = a.rules());
    let Some(rules) = rules else { return };
    // No borrow is held here: the observer reports the page at once, into the agent.
    let observers = observe::start(&rules);
    let _ = RUNTIME.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut()
            && let Some(rt) = r.as_mut()
        {
            rt._observers = observers;
        }
    });
    let _ = js_sys::Reflect::set(window, &"__lifeline_running".into(), &JsValue::TRUE);
}

/// Stops and forgets the agent on this page (for tests: a fresh start on the same page).
/// Storage is left as it is, as a reload would.
#[doc(hidden)]
pub fn reset() {
    let _ = RUNTIME.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            if let Some(rt) = r.as_mut() {
                crate::Host::hide(rt.agent.host_mut());
            }
            *r = None;
        }
    });
    let _ = js_sys::Reflect::set(
        &js_sys::global(),
        &"__lifeline_dead".into(),
        &JsValue::FALSE,
    );
}

/// Panics inside the agent, as a bug would (for the browser test of panic handling).
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
pub fn crash() {
    with_agent(|_| panic!("a test panic"));
}

/// After a panic: one warning, the prompt removed, everything off. Runs in the panic hook,
/// so it touches nothing the panic may have left borrowed.
fn stopped() {
    let global = js_sys::global();
    let _ = js_sys::Reflect::set(&global, &"__lifeline_dead".into(), &JsValue::TRUE);
    web_sys::console::warn_1(
        &"lifeline: stopped after an internal error; the page is not affected".into(),
    );
    if let Some(host) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(prompt::HOST_ID))
    {
        host.remove();
    }
}

/// `lifeline.track(name, props)`: a named mark (task start or completion), or a cart
/// change (`cart:add`, `cart:remove`, with `props.total`). Props are never sent anywhere.
#[wasm_bindgen]
pub fn track(name: String, props: JsValue) {
    use lifeline_shared::{CartChange, Event};
    let total = js_sys::Reflect::get(&props, &"total".into())
        .ok()
        .and_then(|t| t.as_f64());
    let cart = match name.as_str() {
        "cart:add" => Some(CartChange::Add),
        "cart:remove" => Some(CartChange::Remove),
        _ => None,
    };
    with_agent(|a| match cart {
        Some(change) => a.observe(&Event::Cart { change, total }),
        None => a.observe(&Event::Mark { name: &name }),
    });
}

/// `lifeline.identify(attrs, signature)`: the customer tier, for targeting. The signature
/// is the shop backend's HMAC over the attributes, checked by the collector when it matters
/// (compensation); the tier alone never leaves the page.
#[wasm_bindgen]
pub fn identify(attrs: JsValue, _signature: Option<String>) {
    let tier = js_sys::Reflect::get(&attrs, &"tier".into())
        .ok()
        .and_then(|t| t.as_string());
    with_agent(|a| a.identify(tier));
}

/// `lifeline.consent(bool)`.
#[wasm_bindgen]
pub fn consent(given: bool) {
    with_agent(|a| a.consent(given));
    if given {
        // Consent may start the agent: watch the page now.
        let running = RUNTIME.try_with(|r| {
            r.try_borrow().ok().is_some_and(|r| {
                r.as_ref().is_some_and(|rt| {
                    rt._observers.is_none() && rt.agent.state() == crate::State::Running
                })
            })
        });
        if running == Ok(true)
            && let Some(window) = web_sys::window()
            && let Some(document) = window.document()
        {
            watch_when_ready(window, document);
        }
    }
}

/// `lifeline.optOut()`: clears everything stored and stays off.
#[wasm_bindgen(js_name = optOut)]
pub fn opt_out() {
    with_agent(|a| a.opt_out());
    let _ = RUNTIME.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut()
            && let Some(rt) = r.as_mut()
        {
            rt._observers = None;
        }
    });
}

/// `lifeline.show(promptId)`: shows a prompt by hand, to try the rules.
#[wasm_bindgen]
pub fn show(prompt_id: String) -> bool {
    let mut shown = false;
    with_agent(|a| shown = a.show(&prompt_id));
    shown
}

/// `lifeline.agentsOnline(bool)`: whether a person is online for chat or calls.
#[wasm_bindgen(js_name = agentsOnline)]
pub fn agents_online(online: bool) {
    with_agent(|a| a.set_agents_online(online));
}

fn language(window: &Window) -> String {
    window.navigator().language().unwrap_or_else(|| "en".into())
}

fn gpc(window: &Window) -> bool {
    js_sys::Reflect::get(&window.navigator(), &"globalPrivacyControl".into())
        .is_ok_and(|v| v.is_truthy())
}

fn device(window: &Window) -> Device {
    let coarse = window
        .match_media("(pointer: coarse)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    let width = window
        .inner_width()
        .ok()
        .and_then(|w| w.as_f64())
        .unwrap_or(1024.0);
    match (coarse, width) {
        (true, w) if w < 768.0 => Device::Mobile,
        (true, _) => Device::Tablet,
        _ => Device::Desktop,
    }
}
