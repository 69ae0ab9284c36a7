//! The browser: the only module that talks to `web_sys`.
//!
//! - [`browser`]: the agent's [`Host`](crate::Host) in a real browser.
//! - [`observe`]: the JS observer's numbers into engine events (one call per batch, through
//!   a ring in wasm's memory).
//! - [`prompt`]: the Shadow-DOM prompt.
//! - [`rules`]: the rules text the loader fetched (compiled, or JSON for the checker).
//!
//! The JS API (`start`, `track`, `identify`, `consent`, `optOut`, `show`, `help`,
//! `agentsOnline`; `support` for the support module) is called by
//! the loader (`agent/js/loader.js`), which fetches the wasm and the rules in
//! parallel. Never hurting the page: every callback runs through the loader's guard; a
//! panic logs one `console.warn`, removes the prompt and leaves the agent dormant; a nested
//! call is dropped rather than borrowed twice.

use crate::prelude::*;

mod browser;
mod observe;
mod prompt;
mod rules;

use core::cell::RefCell;
use lifeline_shared::wire::cat;

use wasm_bindgen::prelude::*;

use lifeline_shared::rules::spec::Device;

use crate::agent::{Agent, Config};
use browser::BrowserHost;
use observe::Observers;

/// The running agent and what watches the page for it.
struct Runtime {
    agent: Agent<BrowserHost>,
    _observers: Option<Observers>,
}

static RUNTIME: PageLocal<Option<Runtime>> = PageLocal::new(None);

/// A value of the page's one thread, kept in a `static`: what `thread_local!` gives, without
/// `std` (which the shipped agent does not link). `try_with` as `LocalKey`'s, which never
/// fails here.
pub(crate) struct PageLocal<T>(RefCell<T>);

// SAFETY: the agent's wasm is built without shared-memory threads (no `atomics` target
// feature), so one thread, the page's, is all that ever reaches a `PageLocal`; the same
// reason `AssumeSingleThreaded` holds for the allocator.
#[allow(unsafe_code)]
unsafe impl<T> Sync for PageLocal<T> {}

impl<T> PageLocal<T> {
    pub(crate) const fn new(value: T) -> PageLocal<T> {
        PageLocal(RefCell::new(value))
    }

    pub(crate) fn try_with<R>(
        &'static self,
        f: impl FnOnce(&RefCell<T>) -> R,
    ) -> Result<R, core::convert::Infallible> {
        Ok(f(&self.0))
    }
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
    lifeline_guard(f).unwrap_or_else(|_| f.clone())
}

#[wasm_bindgen]
extern "C" {
    /// The loader's `__lifeline_guard(f)`: `f` wrapped so a trap inside turns the agent off
    /// instead of throwing into the page. Missing (tests): an error.
    #[wasm_bindgen(catch, js_name = __lifeline_guard)]
    fn lifeline_guard(f: &js_sys::Function) -> Result<js_sys::Function, JsValue>;
}

/// Starts the agent on this page. Called once by the loader with the site, the collector's
/// base URL, the rules text it fetched (or found inline), and what the loader read off the
/// browser: its language, Global Privacy Control, and the device class
/// (0 phone, 1 tablet, 2 desktop, as `Device::ALL`). Without rules (the collector
/// unreachable and nothing cached, which the loader has said) the agent stays quietly off.
/// Plain values, not objects: every property or browser API read from Rust costs the agent
/// bytes on every page.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn start(
    site: String,
    collector: String,
    rules: Option<String>,
    language: String,
    gpc: bool,
    device: u8,
) {
    #[cfg(not(feature = "shipped"))]
    std::panic::set_hook(Box::new(|_| stopped()));
    let base = collector.trim_end_matches('/').to_owned();
    let reports_url = cat(&[&base, "/v1/sites/", &site, "/reports"]);
    let config = Config {
        site,
        language,
        gpc,
        device: Device::ALL
            .get(usize::from(device))
            .copied()
            .unwrap_or(Device::Desktop),
    };
    let agent = Agent::new(BrowserHost::new(reports_url), config);
    let _ = RUNTIME.try_with(|r| {
        *r.borrow_mut() = Some(Runtime {
            agent,
            _observers: None,
        })
    });
    let Some(text) = rules else {
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
                watch();
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
    let ok = alloc::rc::Rc::new(core::cell::Cell::new(Some(done)));
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

/// Starts the observer (which reports the current page, and sets
/// `window.__lifeline_running`, what end-to-end tests wait for). The loader starts the agent
/// once the page's body exists.
fn watch() {
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

/// Panics inside the agent, as a bug would (for the browser tests of panic handling; the
/// loader offers it as `lifeline.crash()` in a build with the test hooks).
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
#[wasm_bindgen]
pub fn crash() {
    with_agent(|_| panic!("a test panic"));
}

/// After a panic: one warning, the prompt removed, everything off (agent/js/host.js). Runs
/// in the panic hook, so it touches nothing the panic may have left borrowed.
fn stopped() {
    let _ = lifeline_stopped();
}

/// The shipped agent's panic handler (no `std`, so no hook): stopped as above, then a trap,
/// which the loader's guard catches so nothing is thrown into the page.
#[cfg(feature = "shipped")]
#[panic_handler]
fn panicked(_: &core::panic::PanicInfo<'_>) -> ! {
    stopped();
    core::arch::wasm32::unreachable()
}

#[wasm_bindgen]
extern "C" {
    /// `__lifeline_stopped()`: the agent is off for this page after an internal error.
    #[wasm_bindgen(catch, js_name = __lifeline_stopped)]
    fn lifeline_stopped() -> Result<(), JsValue>;
}

/// `lifeline.track(name, props)`: a named mark (task start or completion), or a cart
/// change (`cart:add`, `cart:remove`, with `props.total`, which the loader passes as
/// `total`). Props are never sent anywhere.
#[wasm_bindgen]
pub fn track(name: String, total: Option<f64>) {
    use lifeline_shared::{CartChange, Event};
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

/// `lifeline.identify(attrs, signature)`: the customer tier (`attrs.tier`, which the
/// loader reads), for targeting on the device. The signed text and its signature stay in
/// the page's JS: the prompt renderer sends them only with a batch that holds feedback,
/// for the collector to verify (compensation).
#[wasm_bindgen]
pub fn identify(tier: Option<String>) {
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
        if running == Ok(true) {
            watch();
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

/// `lifeline.help()`: a support session for where the visitor is, at their request.
#[wasm_bindgen]
pub fn help() -> bool {
    let mut shown = false;
    with_agent(|a| shown = a.help());
    shown
}

/// For the support module, one door: with no text, where the visitor is as lines (see
/// `Agent::support_context`); with a step of a session, its fields on lines (rule, prompt,
/// event, persona, article, guide, step, channel; empty for none), queued for the
/// collector ("" back).
#[wasm_bindgen]
pub fn support(step: String) -> String {
    let mut answer = String::new();
    with_agent(|a| {
        if step.is_empty() {
            answer = a.support_context();
        } else {
            a.support_step(&step);
        }
    });
    answer
}

/// Whether the rules need to know if a person is online (a chat or call offer, or a rule on
/// `agents_online`): then the loader asks the collector's availability.
#[wasm_bindgen]
pub fn people() -> bool {
    let mut needed = false;
    with_agent(|a| {
        needed = a.rules().is_some_and(|r| {
            r.prompts.iter().any(|p| p.needs_person())
                || r.rules.iter().any(|x| x.when.agents_online.is_some())
        });
    });
    needed
}

/// `lifeline.agentsOnline(bool)`: whether a person is online for chat or calls.
#[wasm_bindgen(js_name = agentsOnline)]
pub fn agents_online(online: bool) {
    with_agent(|a| a.set_agents_online(online));
}
