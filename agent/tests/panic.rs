//! A panic inside the agent, in a real browser, through the loader's guard: one
//! `console.warn`, the prompt removed, the agent off, and nothing thrown into the page.
//! Its own test binary: a trapped wasm instance is not reused.

#![cfg(all(target_arch = "wasm32", feature = "test-hooks"))]
#![allow(clippy::unwrap_used)]

use js_sys::{Function, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use lifeline_agent::platform;

wasm_bindgen_test_configure!(run_in_browser);

fn js(body: &str) -> JsValue {
    Function::new_no_args(body).call0(&JsValue::NULL).unwrap()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_panic_warns_once_removes_the_prompt_and_turns_the_agent_off() {
    // The loader's guard, as in agent/js/loader.js.
    js(include_str!("../js/host.js"));
    js(include_str!("../js/prompt.js"));
    js(r#"
        window.__warnings = [];
        console.warn = function () { window.__warnings.push(Array.from(arguments).join(" ")); };
        window.__lifeline_guard = function (f) {
            return function () {
                if (window.__lifeline_dead) return;
                try { return f.apply(this, arguments); } catch (e) { window.__lifeline_dead = true; }
            };
        };
    "#);
    let rules = r#"{"version": 1, "prompts": {"p": {"kind": "help", "text": {"title": "Hi"}}}}"#;
    platform::start(
        "panic-shop".into(),
        "http://127.0.0.1:9/".into(),
        Some(rules.into()),
        "en".into(),
        false,
        2,
    );
    sleep(20).await;
    assert!(platform::show("p".into()));
    let document = web_sys::window().unwrap().document().unwrap();
    assert!(document.get_element_by_id("lifeline-host").is_some());

    let crash = Closure::<dyn FnMut()>::new(platform::crash);
    let guarded = platform::guard(crash.as_ref().unchecked_ref());
    let result = guarded.call0(&JsValue::NULL);
    assert!(result.is_ok(), "nothing thrown into the page");

    let warnings: js_sys::Array = Reflect::get(&js_sys::global(), &"__warnings".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(warnings.length(), 1);
    assert!(
        warnings
            .get(0)
            .as_string()
            .unwrap()
            .contains("lifeline: stopped after an internal error")
    );
    assert!(
        document.get_element_by_id("lifeline-host").is_none(),
        "the prompt is gone"
    );
    assert_eq!(
        Reflect::get(&js_sys::global(), &"__lifeline_dead".into()).unwrap(),
        JsValue::TRUE
    );
    // Later callbacks are skipped by the guard: still nothing thrown, no second warning.
    assert!(guarded.call0(&JsValue::NULL).is_ok());
    assert_eq!(warnings.length(), 1);
}
