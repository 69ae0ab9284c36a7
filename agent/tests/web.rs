//! The agent in a real browser (headless Chromium): DOM observation, SPA navigation, the
//! Shadow-DOM prompt (roles, labels, keyboard, hostile text), what leaves the page,
//! consent and Global Privacy Control, bad rules.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Document, Element, HtmlElement, ShadowRoot};

use lifeline_agent::platform;

wasm_bindgen_test_configure!(run_in_browser);

const RULES: &str = r#"{
  "version": 1,
  "prompts": {
    "help": {"kind": "help", "text": {"title": "Trouble with your promo code?", "body": "Codes are case-sensitive.",
             "steps": ["Check for spaces"], "links": [{"label": "Terms", "url": "/terms"}]}},
    "ask": {"kind": "feedback", "text": {"title": "How is it going?"}},
    "promo": {"kind": "help", "text": {"title": "Summer promo"}}
  },
  "rules": [
    {"id": "rage", "when": {"signals": {"any": ["rage_click"]}}, "then": {"prompt": "help"}},
    {"id": "promo-page", "when": {"page": {"prefix": "/promo"}}, "then": {"prompt": "promo"}}
  ],
  "limits": {"max_per_session": 10, "max_per_page": 5, "min_gap_s": 0}
}"#;

fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

fn document() -> Document {
    window().document().unwrap()
}

/// Runs JS (the test page has no CSP).
fn js(body: &str) -> JsValue {
    Function::new_no_args(body).call0(&JsValue::NULL).unwrap()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Until the observer has passed what it queued to the engine: an event waits at most
/// until the next once-a-second tick (agent/js/observer.js), and a prompt is placed at the
/// next frame.
async fn settle() {
    sleep(1100).await;
}

/// Empty storage, a dead-end collector, network and console recorded, the fixture page.
fn fresh_page() {
    window().local_storage().unwrap().unwrap().clear().unwrap();
    window()
        .session_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    js(r#"
        window.__sent = []; window.__errors = [];
        window.fetch = function (url, init) {
            window.__sent.push({url: String(url), body: init && init.body, via: "fetch"});
            return Promise.reject(new TypeError("offline"));
        };
        window.__beacons = true;
        navigator.sendBeacon = function (url, body) {
            window.__sent.push({url: String(url), body: body, via: "beacon"}); return window.__beacons;
        };
        console.error = function () { window.__errors.push(Array.from(arguments).join(" ")); };
        history.replaceState(null, "", "/");
        var fixture = document.getElementById("fixture");
        if (!fixture) { fixture = document.createElement("div"); fixture.id = "fixture"; document.body.appendChild(fixture); }
        fixture.innerHTML = '<form id="f"><input id="field" name="email"><button id="apply" type="button">Apply</button></form>';
    "#);
}

/// Rules with one help prompt titled `title`, shown when any of `signals` fires, the
/// detectors' `settings` (members of the rules' `signals` object, or none) and limits that
/// never hold a prompt back.
fn help_when(signals: &[&str], title: &str, settings: &str) -> String {
    let any: Vec<String> = signals.iter().map(|s| format!("\"{s}\"")).collect();
    let any = any.join(", ");
    format!(
        r#"{{"version": 1,
          "prompts": {{"help": {{"kind": "help", "text": {{"title": "{title}"}}}}}},
          "rules": [{{"id": "help", "when": {{"signals": {{"any": [{any}]}}}}, "then": {{"prompt": "help"}}}}],
          "signals": {{{settings}}},
          "limits": {{"max_per_session": 10, "max_per_page": 5, "min_gap_s": 0}}}}"#
    )
}

/// A fresh page: no agent, then one started with `rules`.
async fn fresh(rules: &str) {
    platform::reset();
    install_scripts();
    fresh_page();
    start(rules).await;
}

/// The host helpers, the prompt renderer and the observer, as agent.js carries them.
fn install_scripts() {
    js(include_str!("../js/host.js"));
    js(include_str!("../js/prompt.js"));
    js(include_str!("../js/observer.js"));
}

/// Starts the agent as the loader would (Global Privacy Control read off the navigator),
/// with these rules and a dead-end collector.
async fn start(rules: &str) {
    let gpc = Reflect::get(&window().navigator(), &"globalPrivacyControl".into())
        .is_ok_and(|v| v.is_truthy());
    platform::start(
        "test-shop".into(),
        "http://127.0.0.1:9/".into(),
        Some(rules.into()),
        "en-GB".into(),
        gpc,
        2,
    );
    sleep(20).await;
}

fn by_id(id: &str) -> HtmlElement {
    document()
        .get_element_by_id(id)
        .unwrap()
        .dyn_into()
        .unwrap()
}

fn prompt_root() -> Option<ShadowRoot> {
    document()
        .get_element_by_id("lifeline-host")
        .and_then(|h| h.shadow_root())
}

fn in_prompt(selector: &str) -> Option<Element> {
    prompt_root()?.query_selector(selector).unwrap()
}

/// The title of the prompt on screen.
fn prompt_title() -> Option<String> {
    in_prompt("h2").and_then(|t| t.text_content())
}

/// Clicks a control of the prompt.
fn click_in_prompt(selector: &str) {
    in_prompt(selector)
        .unwrap()
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

/// Back to `/` without a page view (tests that changed the URL leave it as they found it).
fn home() {
    window()
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some("/"))
        .unwrap();
}

/// An SPA route change.
fn go_to(path: &str) {
    window()
        .history()
        .unwrap()
        .push_state_with_url(&JsValue::NULL, "", Some(path))
        .unwrap();
}

async fn rage_on_apply() {
    for _ in 0..3 {
        by_id("apply").click();
    }
    settle().await;
}

#[wasm_bindgen_test]
async fn rage_clicks_show_a_labelled_dialog_that_the_keyboard_can_use_and_close() {
    fresh(RULES).await;
    assert!(prompt_root().is_none());
    rage_on_apply().await;
    let dialog = in_prompt("[role=dialog]").expect("a dialog after three quick clicks");
    let title_id = dialog.get_attribute("aria-labelledby").unwrap();
    let title = in_prompt(&format!("#{title_id}")).unwrap();
    assert_eq!(
        title.text_content().unwrap(),
        "Trouble with your promo code?"
    );
    assert_eq!(
        in_prompt("ol li").unwrap().text_content().unwrap(),
        "Check for spaces"
    );
    let close = in_prompt("button.close").unwrap();
    assert_eq!(close.get_attribute("aria-label").as_deref(), Some("Close"));
    // Nobody was typing: the dialog took focus, so the keyboard is in it.
    let active = prompt_root().unwrap().active_element();
    assert!(
        active.is_some_and(|a| a.is_same_node(Some(&dialog))),
        "focus is in the prompt"
    );
    // Escape closes it.
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    init.set_composed(true);
    let escape =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    dialog.dispatch_event(&escape).unwrap();
    assert!(prompt_root().is_none(), "Escape closed it");
}

#[wasm_bindgen_test]
async fn the_prompt_never_takes_focus_from_a_field_being_typed_in() {
    fresh(RULES).await;
    by_id("field").focus().unwrap();
    assert!(platform::show("ask".into()));
    assert!(in_prompt("[role=dialog]").is_some(), "the prompt is shown");
    let active = document().active_element().unwrap();
    assert_eq!(active.id(), "field", "focus stayed in the field");
}

#[wasm_bindgen_test]
async fn a_cookie_banner_at_the_top_z_index_does_not_hide_the_prompt() {
    fresh(RULES).await;
    // Consent banners and chat launchers sit at or near the highest z-index there is; this
    // one covers the whole window, and came first, as they do.
    js(r#"var b = document.createElement("div"); b.id = "banner";
          b.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.3)";
          document.body.appendChild(b);"#);
    rage_on_apply().await;
    assert_eq!(
        prompt_title().as_deref(),
        Some("Trouble with your promo code?")
    );
    let on_top = at_prompt_centre();
    js(r#"document.getElementById("banner").remove();"#);
    assert_eq!(on_top.as_string().as_deref(), Some("lifeline-host"));
}

#[wasm_bindgen_test]
async fn a_transformed_body_or_one_swapped_for_another_keeps_the_prompt_on_screen() {
    fresh(RULES).await;
    // A theme that moves the whole body for its off-canvas menu (a transform makes the body
    // the box that fixed elements are placed in), on a long page.
    js(r#"document.body.style.transform = "translateX(0)";
          document.getElementById("fixture").insertAdjacentHTML("beforeend", '<div style="height:3000px"></div>');"#);
    rage_on_apply().await;
    assert_eq!(
        prompt_title().as_deref(),
        Some("Trouble with your promo code?")
    );
    assert_eq!(
        js(r#"var r = document.getElementById("lifeline-host").shadowRoot.querySelector(".panel").getBoundingClientRect();
              return r.top >= 0 && r.bottom <= innerHeight;"#)
        .as_bool(),
        Some(true),
        "in the window, not at the foot of the body"
    );
    assert_eq!(
        at_prompt_centre().as_string().as_deref(),
        Some("lifeline-host")
    );
    // A page that puts a new <body> in place of its own (Turbo, pjax): the prompt stays.
    js(
        r#"var b = document.createElement("body"), old = document.body;
          while (old.firstChild) b.appendChild(old.firstChild);
          document.documentElement.replaceChild(b, old);"#,
    );
    assert_eq!(
        at_prompt_centre().as_string().as_deref(),
        Some("lifeline-host")
    );
}

/// The element at the centre of the prompt's panel, as a pointer would find it.
fn at_prompt_centre() -> JsValue {
    js(
        r#"var r = document.getElementById("lifeline-host").shadowRoot.querySelector(".panel").getBoundingClientRect();
          var at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return at && at.id;"#,
    )
}

#[wasm_bindgen_test]
async fn in_a_modal_dialog_the_prompt_shows_inside_it_and_stays_when_it_closes() {
    fresh(RULES).await;
    // A cart drawer as a modal <dialog> (Shopify's Horizon theme has one): the rest of the
    // page is inert under its backdrop, and the promo code's Apply is in it.
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend",
          '<dialog id="drawer"><p>Your cart</p><button type="button" id="drawer-apply">Apply</button></dialog>');
          document.getElementById("drawer").showModal();"#,
    );
    for _ in 0..3 {
        by_id("drawer-apply").click();
    }
    settle().await;
    assert_eq!(
        prompt_title().as_deref(),
        Some("Trouble with your promo code?")
    );
    assert_eq!(
        js("return document.getElementById('lifeline-host').parentNode.id").as_string(),
        Some("drawer".into()),
        "in the dialog, where the visitor can reach it"
    );
    assert_eq!(
        at_prompt_centre().as_string().as_deref(),
        Some("lifeline-host")
    );
    // The drawer closes: the prompt stays, on the page.
    js("document.getElementById('drawer').close();");
    sleep(50).await;
    assert_eq!(
        js("return document.getElementById('lifeline-host').parentNode === document.documentElement")
            .as_bool(),
        Some(true)
    );
    assert_eq!(
        at_prompt_centre().as_string().as_deref(),
        Some("lifeline-host")
    );
}

#[wasm_bindgen_test]
async fn a_prompt_in_arabic_or_hebrew_reads_right_to_left_on_any_page() {
    // Rules in Arabic on a page that sets no direction on its body (as when `dir` is on a
    // wrapper of the shop's own).
    let arabic = RULES
        .replace(r#""version": 1,"#, r#""version": 1, "language": "ar","#)
        .replace(
            "Trouble with your promo code?",
            "هل تواجه مشكلة في رمز الخصم؟",
        );
    fresh(&arabic).await;
    rage_on_apply().await;
    assert_eq!(
        prompt_title().as_deref(),
        Some("هل تواجه مشكلة في رمز الخصم؟")
    );
    let layout = js(
        r#"var root = document.getElementById("lifeline-host").shadowRoot, panel = root.querySelector(".panel");
          var p = panel.getBoundingClientRect(), c = root.querySelector(".close").getBoundingClientRect();
          var steps = root.querySelector("ol"), s = getComputedStyle(steps);
          return [getComputedStyle(panel).direction, c.left - p.left < 20, s.paddingRight, s.paddingLeft].join(" ");"#,
    );
    assert_eq!(
        layout.as_string().as_deref(),
        Some("rtl true 22px 0px"),
        "right to left, Close at the start (the left), the steps' numbers on the right"
    );
}

#[wasm_bindgen_test]
async fn hostile_rule_text_is_shown_as_text_and_never_run() {
    let hostile = RULES.replace(
        "Trouble with your promo code?",
        r#"<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>"#,
    );
    fresh(&hostile).await;
    rage_on_apply().await;
    let title = in_prompt("h2").expect("the prompt shows");
    assert_eq!(
        title.text_content().unwrap(),
        r#"<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>"#
    );
    assert!(in_prompt("img").is_none() && in_prompt("script").is_none());
    sleep(50).await;
    assert!(
        Reflect::get(&window(), &"__pwned".into())
            .unwrap()
            .is_undefined()
    );
}

#[wasm_bindgen_test]
async fn spa_route_changes_recheck_page_rules_and_close_prompts_about_the_page_left() {
    fresh(RULES).await;
    assert!(prompt_root().is_none());
    let history = window().history().unwrap();
    go_to("/promo/summer");
    settle().await;
    assert_eq!(prompt_title().as_deref(), Some("Summer promo"));
    go_to("/checkout");
    settle().await;
    assert!(
        prompt_root().is_none(),
        "left the promo page: its prompt went"
    );
    history
        .replace_state_with_url(&JsValue::NULL, "", Some("/"))
        .unwrap();
}

/// The visitor leaves the page.
async fn page_hidden() {
    window()
        .dispatch_event(&web_sys::Event::new("pagehide").unwrap())
        .unwrap();
    settle().await;
}

/// The body of every request the page sent.
fn sent_bodies() -> Vec<String> {
    sent()
        .iter()
        .map(|r| {
            Reflect::get(r, &"body".into())
                .unwrap()
                .as_string()
                .unwrap()
        })
        .collect()
}

/// Every request the page sent.
fn sent() -> Vec<JsValue> {
    let all: Array = Reflect::get(&window(), &"__sent".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    all.iter().collect()
}

#[wasm_bindgen_test]
async fn only_decisions_and_feedback_leave_the_page() {
    fresh(RULES).await;
    js(r#"history.replaceState(null, "", "/cart?email=secret%40example.com&step=2");"#);
    let field: web_sys::HtmlInputElement = by_id("field").dyn_into().unwrap();
    field.set_value("secret-typed-value");
    field
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    rage_on_apply().await;
    platform::show("ask".into());
    click_in_prompt("[data-ll=rate][data-value='4']");
    let comment: web_sys::HtmlTextAreaElement = in_prompt("textarea").unwrap().dyn_into().unwrap();
    comment.set_value("The code did nothing");
    click_in_prompt("[data-ll=action]");
    page_hidden().await;

    let requests = sent();
    assert!(!requests.is_empty(), "reports were sent");
    let mut feedback = 0;
    for request in requests {
        let url = Reflect::get(&request, &"url".into())
            .unwrap()
            .as_string()
            .unwrap();
        assert_eq!(url, "http://127.0.0.1:9/v1/sites/test-shop/reports");
        let body = Reflect::get(&request, &"body".into())
            .unwrap()
            .as_string()
            .unwrap();
        for forbidden in [
            "secret-typed-value",
            "secret%40example.com",
            "\"x\"",
            "\"y\"",
            "clientX",
            "Apply",
        ] {
            assert!(
                !body.contains(forbidden),
                "{forbidden} left the page in {body}"
            );
        }
        let batch = js_sys::JSON::parse(&body).unwrap();
        let keys: Vec<String> = js_sys::Object::keys(batch.unchecked_ref::<js_sys::Object>())
            .iter()
            .map(|k| k.as_string().unwrap())
            .collect();
        assert_eq!(keys, ["session", "items"]);
        for item in Array::from(&Reflect::get(&batch, &"items".into()).unwrap()).iter() {
            let keys: Vec<String> = js_sys::Object::keys(item.unchecked_ref::<js_sys::Object>())
                .iter()
                .map(|k| k.as_string().unwrap())
                .collect();
            assert_eq!(keys, ["key", "at", "page", "report"]);
            assert_eq!(
                Reflect::get(&item, &"page".into())
                    .unwrap()
                    .as_string()
                    .unwrap(),
                "/cart"
            );
            let report = Reflect::get(&item, &"report".into()).unwrap();
            match Reflect::get(&report, &"type".into())
                .unwrap()
                .as_string()
                .unwrap()
                .as_str()
            {
                "decision" => {}
                "feedback" => {
                    feedback += 1;
                    assert_eq!(
                        Reflect::get(&report, &"rating".into()).unwrap().as_f64(),
                        Some(4.0)
                    );
                    assert_eq!(
                        Reflect::get(&report, &"comment".into())
                            .unwrap()
                            .as_string()
                            .unwrap(),
                        "The code did nothing"
                    );
                }
                other => panic!("unexpected report type {other}"),
            }
        }
    }
    assert!(feedback >= 1, "the feedback was sent");
}

/// The report keys in these request bodies, sorted, each once.
fn keys(bodies: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = bodies
        .iter()
        .flat_map(|b| {
            let batch = js_sys::JSON::parse(b).unwrap();
            Array::from(&Reflect::get(&batch, &"items".into()).unwrap())
                .iter()
                .map(|i| {
                    Reflect::get(&i, &"key".into())
                        .unwrap()
                        .as_string()
                        .unwrap()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

#[wasm_bindgen_test]
async fn reports_wait_in_storage_while_the_collector_is_down_and_keep_their_keys() {
    fresh(RULES).await;
    js("window.__beacons = false;"); // the browser refuses beacons too
    rage_on_apply().await;
    click_in_prompt("button.close");
    page_hidden().await;
    let first = sent_bodies();
    assert!(!first.is_empty());
    // A reload: the agent starts again with the same storage; the reports are still there
    // and go out again with the same keys (the collector keeps each key once).
    platform::reset();
    js("window.__sent = [];");
    start(RULES).await;
    page_hidden().await;
    let again = sent_bodies();
    assert_eq!(keys(&first).len(), 2, "shown and dismissed");
    assert_eq!(
        keys(&again),
        keys(&first),
        "the same reports, the same keys"
    );
}

#[wasm_bindgen_test]
async fn a_report_sent_as_the_page_hides_goes_out_once() {
    fresh(RULES).await;
    rage_on_apply().await;
    click_in_prompt("button.close");
    // Leaving a page fires visibilitychange (hidden), then pagehide.
    js(
        r#"Object.defineProperty(document, "hidden", {value: true, configurable: true});
          document.dispatchEvent(new Event("visibilitychange"));"#,
    );
    page_hidden().await;
    js("delete document.hidden;");
    let beacons: Vec<String> = sent()
        .iter()
        .filter(|r| {
            Reflect::get(r, &"via".into())
                .unwrap()
                .as_string()
                .as_deref()
                == Some("beacon")
        })
        .map(|r| {
            Reflect::get(r, &"body".into())
                .unwrap()
                .as_string()
                .unwrap()
        })
        .collect();
    assert_eq!(beacons.len(), 1, "one beacon: {beacons:?}");
    assert_eq!(keys(&beacons).len(), 2, "shown and dismissed, in it");
    // The next page has nothing left to send.
    platform::reset();
    js("window.__sent = [];");
    start(RULES).await;
    page_hidden().await;
    assert!(sent_bodies().is_empty(), "{:?}", sent_bodies());
}

#[wasm_bindgen_test]
async fn bad_rules_log_one_error_and_leave_the_page_untouched() {
    fresh(r#"{"version": 1, "rules": [{"id": "r", "when": {"page": {"glob": "cart"}}, "then": {"prompt": "nope"}}]}"#).await;
    let errors: Array = Reflect::get(&window(), &"__errors".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(errors.length(), 1);
    let message = errors.get(0).as_string().unwrap();
    assert!(
        message.contains("rules[0].when.page.glob: bad page pattern"),
        "{message}"
    );
    assert!(
        message.contains("rules[0].then.prompt: no prompt \"nope\""),
        "{message}"
    );
    rage_on_apply().await;
    assert!(prompt_root().is_none());
    assert_eq!(
        window().local_storage().unwrap().unwrap().length().unwrap(),
        0,
        "nothing stored"
    );
}

#[wasm_bindgen_test]
async fn global_privacy_control_and_consent_hold_the_agent() {
    js(
        r#"Object.defineProperty(navigator, "globalPrivacyControl", {value: true, configurable: true});"#,
    );
    fresh(RULES).await;
    rage_on_apply().await;
    assert!(prompt_root().is_none(), "GPC: off");
    js(r#"delete navigator.globalPrivacyControl;"#);

    let consent_rules = RULES.replace(
        r#""limits""#,
        r#""privacy": {"require_consent": true}, "limits""#,
    );
    fresh(&consent_rules).await;
    rage_on_apply().await;
    assert!(prompt_root().is_none(), "no consent yet: nothing");
    assert_eq!(
        window().local_storage().unwrap().unwrap().length().unwrap(),
        0,
        "nothing stored before consent"
    );
    platform::consent(true);
    settle().await;
    sleep(1100).await; // past the rage window of the first clicks
    rage_on_apply().await;
    assert!(prompt_root().is_some(), "consent given: the agent runs");
}

#[wasm_bindgen_test]
async fn elements_marked_to_be_ignored_never_count_as_rage() {
    fresh(RULES).await;
    by_id("apply")
        .set_attribute("data-lifeline-ignore", "rage_click")
        .unwrap();
    rage_on_apply().await;
    assert!(
        prompt_root().is_none(),
        "a stepper or carousel marked to be ignored"
    );
    by_id("apply")
        .remove_attribute("data-lifeline-ignore")
        .unwrap();
    sleep(1100).await;
    rage_on_apply().await;
    assert!(prompt_root().is_some(), "the same button unmarked");
}

#[wasm_bindgen_test]
async fn task_and_cart_markers_drive_the_engine() {
    let rules = r#"{"version": 1,
      "prompts": {"thanks": {"kind": "feedback", "text": {"title": "How was checking out?"}, "feedback": {"scale": "thumbs"}},
                  "cart": {"kind": "help", "text": {"title": "Your cart is saved"}}},
      "rules": [{"id": "cart", "when": {"cart": {"state": "has_items", "min_value": 50}}, "then": {"prompt": "cart"}}],
      "tasks": [{"name": "checkout", "start": {"mark": "checkout-start"}, "complete": {"mark": "order-placed"},
                 "ask_feedback": true, "feedback_prompt": "thanks"}],
      "limits": {"max_per_session": 5, "max_per_page": 5, "min_gap_s": 0}}"#;
    fresh(rules).await;
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend",
        '<button id="add" data-lifeline-cart="add" data-lifeline-cart-total="79.90">Add</button>' +
        '<button id="go" data-lifeline-task="checkout-start">Checkout</button>');"#,
    );
    by_id("add").click();
    settle().await;
    assert_eq!(prompt_title().as_deref(), Some("Your cart is saved"));
    click_in_prompt("button.close");
    by_id("go").click();
    // The order-complete page shows its marker: the task completes, its feedback comes. Its
    // router pushes the address first and renders the page after (React Router does): the
    // marker is read when the page view is, not on pushState's own path.
    go_to("/order/complete");
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend", '<main data-lifeline-task="order-placed"></main>');"#,
    );
    settle().await;
    assert_eq!(prompt_title().as_deref(), Some("How was checking out?"));
    assert_eq!(
        in_prompt("[data-ll=thumb]")
            .and_then(|b| b.get_attribute("aria-pressed"))
            .as_deref(),
        Some("false")
    );
    home();
}

#[wasm_bindgen_test]
async fn compiled_rules_work_and_damaged_ones_are_refused_with_one_error() {
    let compiled = lifeline_shared::Rules::from_json_str(RULES)
        .unwrap()
        .to_compiled();
    fresh(&compiled).await;
    rage_on_apply().await;
    assert!(
        prompt_root().is_some(),
        "compiled rules, as a collector serves them"
    );

    let damaged: String = compiled
        .chars()
        .take(compiled.chars().count() / 2)
        .collect();
    fresh(&damaged).await;
    rage_on_apply().await;
    assert!(prompt_root().is_none());
    let errors: Array = Reflect::get(&window(), &"__errors".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(errors.length(), 1);
    assert!(
        errors
            .get(0)
            .as_string()
            .unwrap()
            .contains("the compiled rules are damaged")
    );
}

#[wasm_bindgen_test]
async fn a_chat_offer_without_a_link_asks_the_pages_own_chat_to_open() {
    fresh(r#"{"version": 1, "prompts": {"chat": {"kind": "chat_offer", "text": {"title": "Talk to us?"}}}}"#).await;
    js(
        "window.__chats = 0; window.addEventListener('lifeline:chat', function () { window.__chats++; });",
    );
    assert!(platform::show("chat".into()));
    assert_eq!(
        in_prompt("[data-ll=action]").unwrap().tag_name(),
        "BUTTON",
        "no chat_url: a button, not a link"
    );
    click_in_prompt("[data-ll=action]");
    assert_eq!(js("return window.__chats").as_f64(), Some(1.0));
    assert!(prompt_root().is_none(), "taken up: the offer closes");
}

/// Counts the observer's calls into wasm (installed before the agent starts): each drain of
/// the ring as the kinds of the events it carried, each text event as `text` and its kind.
fn count_crossings() {
    js(
        r#"var real = window.__lifeline_observe; window.__crossings = [];
          window.__lifeline_observe = function (drain, emitText, want, reactMs, memory, at) {
            return real(function (n) {
                          var ring = new Float64Array(memory.buffer, at, n * 7), kinds = [];
                          for (var i = 0; i < n; i++) kinds.push(ring[i * 7]);
                          window.__crossings.push(kinds.join(" "));
                          return drain(n);
                        },
                        function (kind) { window.__crossings.push("text" + kind); return emitText.apply(null, arguments); },
                        want, reactMs, memory, at);
          };"#,
    );
}

fn crossings() -> Vec<String> {
    let all: Array = js("return window.__crossings.map(String)")
        .dyn_into()
        .unwrap();
    all.iter().map(|k| k.as_string().unwrap()).collect()
}

#[wasm_bindgen_test]
async fn events_cross_into_wasm_in_batches_and_idle_events_not_at_all() {
    platform::reset();
    install_scripts();
    count_crossings();
    fresh_page();
    start(RULES).await;
    js("window.__crossings = [];");
    by_id("apply").click();
    assert!(
        crossings().is_empty(),
        "on its own path a click is only noted: described and passed on later"
    );
    // A mouseout inside the page and a selectionchange with nothing selected: nothing.
    js(
        r#"document.dispatchEvent(new MouseEvent("mouseout", {clientY: 300, bubbles: true}));
          document.dispatchEvent(new Event("selectionchange"));"#,
    );
    settle().await;
    // The click, at the once-a-second tick (kind 12): one crossing for both.
    assert_eq!(crossings(), ["1 12"], "one batch, one call");
    // Clicks on four elements, then a page view: on the route change's own path nothing
    // crosses; at the tick the clicks cross in one batch, before the page view's text.
    js("window.__crossings = [];");
    for _ in 0..2 {
        by_id("apply").click();
        by_id("field").click();
    }
    js("history.pushState(null, '', location.pathname + '?step=2');");
    assert!(crossings().is_empty(), "a route change is only noted");
    settle().await;
    let got = crossings();
    assert_eq!(got.first().map(String::as_str), Some("1 1 1 1"), "{got:?}");
    assert_eq!(got.get(1).map(String::as_str), Some("text1"), "{got:?}");
}

#[wasm_bindgen_test]
async fn routes_a_page_intercepts_from_the_navigation_api_are_page_views_and_the_same_page_is_not()
{
    platform::reset();
    install_scripts();
    count_crossings();
    fresh_page();
    start(RULES).await;
    // A router on the Navigation API: it takes the navigation over, never calling pushState.
    js(r#"navigation.addEventListener("navigate", function (e) {
            if (e.canIntercept) e.intercept({ handler: function () { return Promise.resolve(); } });
          }, { once: true });
          navigation.navigate("/promo/autumn").finished.catch(function () {});"#);
    settle().await;
    assert_eq!(
        js("return location.pathname").as_string().as_deref(),
        Some("/promo/autumn")
    );
    assert_eq!(prompt_title().as_deref(), Some("Summer promo"));
    // Routers keep their state with replaceState on the same URL: not a page view, and
    // nothing crosses into wasm for it.
    js("window.__crossings = [];");
    js("for (var i = 0; i < 50; i++) history.replaceState({ scroll: i }, '', location.href);");
    assert_eq!(crossings(), Vec::<String>::new());
    assert_eq!(prompt_title().as_deref(), Some("Summer promo"));
    home();
}

#[wasm_bindgen_test]
async fn without_the_navigation_api_pushstate_and_back_are_heard() {
    // An older browser: no `navigation` (put back at the end).
    js(
        r#"window.__navigation = Object.getOwnPropertyDescriptor(window, "navigation");
          window.navigation = undefined;"#,
    );
    fresh(RULES).await;
    assert_eq!(
        js("return typeof window.navigation + ' ' + /native code/.test(history.pushState)")
            .as_string()
            .as_deref(),
        Some("undefined false"),
        "no Navigation API, and pushState wrapped"
    );
    go_to("/promo/spring");
    settle().await;
    assert_eq!(prompt_title().as_deref(), Some("Summer promo"));
    js("history.back();");
    settle().await;
    assert_eq!(
        js("return location.pathname").as_string().as_deref(),
        Some("/")
    );
    assert!(prompt_root().is_none(), "Back left the promo page");
    platform::reset();
    js(r#"delete window.navigation;
          if (window.__navigation) Object.defineProperty(window, "navigation", window.__navigation);"#);
    assert_eq!(
        js("return typeof navigation.navigate")
            .as_string()
            .as_deref(),
        Some("function")
    );
}

/// A shopper picks one variant, then the other, and back, on one product page, as Shopify's
/// themes tell it: `replaceState` with `?variant=`. Then a real quick back: the cart, and at
/// once back to the product.
async fn variants_picked_then_a_quick_back() {
    fresh(&help_when(
        &["quick_back", "page_loop"],
        "Lost your way?",
        "",
    ))
    .await;
    go_to("/products/boots");
    for v in [1, 2, 1] {
        js(&format!(
            "history.replaceState({{}}, '', '/products/boots?variant={v}');"
        ));
        sleep(50).await;
    }
    settle().await;
    assert!(
        prompt_root().is_none(),
        "a variant picked is the same page: neither a quick back nor a loop"
    );
    go_to("/cart");
    sleep(50).await;
    // Back, to the address the last variant gave the page: the page left, a quick back.
    go_to("/products/boots?variant=1");
    settle().await;
    assert_eq!(prompt_title().as_deref(), Some("Lost your way?"));
    home();
}

#[wasm_bindgen_test]
async fn a_variant_picked_in_place_is_not_a_page_view_with_or_without_the_navigation_api() {
    variants_picked_then_a_quick_back().await;
    js(
        r#"window.__navigation = Object.getOwnPropertyDescriptor(window, "navigation");
          window.navigation = undefined;"#,
    );
    variants_picked_then_a_quick_back().await;
    platform::reset();
    js(r#"delete window.navigation;
          if (window.__navigation) Object.defineProperty(window, "navigation", window.__navigation);"#);
}

#[wasm_bindgen_test]
async fn a_burst_of_clicks_at_one_spot_is_judged_as_it_happens() {
    fresh(RULES).await;
    // Three quick clicks at one spot, as the browser counts them (detail 1, 2, 3): the
    // second and third pass the queue on at once, so the prompt is up before the tick.
    js(r#"var b = document.getElementById("apply");
          for (var n = 1; n <= 3; n++) b.dispatchEvent(new MouseEvent("click", {bubbles: true, detail: n, clientX: 5, clientY: 5}));"#);
    assert_eq!(
        prompt_title().as_deref(),
        Some("Trouble with your promo code?"),
        "rage seen within the burst, not at the next tick"
    );
}

/// Help for a dead or rage click.
fn dead_help() -> String {
    help_when(&["dead_click", "rage_click"], "Stuck?", "")
}

#[wasm_bindgen_test]
async fn input_buttons_are_buttons_not_fields() {
    fresh(RULES).await;
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend",
          '<input type="button" id="ib" value="Apply">');"#,
    );
    by_id("ib").focus().unwrap();
    for _ in 0..3 {
        by_id("ib").click();
    }
    settle().await;
    assert_eq!(
        prompt_title().as_deref(),
        Some("Trouble with your promo code?"),
        "rage on a dead <input type=button>"
    );
    // A focused button is not a field being typed in: the prompt takes the focus.
    let dialog = in_prompt("[role=dialog]").unwrap();
    assert!(
        prompt_root()
            .unwrap()
            .active_element()
            .is_some_and(|a| a.is_same_node(Some(&dialog)))
    );
}

#[wasm_bindgen_test]
async fn keyboard_presses_are_where_their_buttons_are() {
    // Enter or Space on a focused button clicks it at 0,0 (so does a script's click()):
    // quick presses on buttons far apart are not one spot, three on one button are.
    fresh(&help_when(
        &["rage_click"],
        "Stuck?",
        r#""dead_click": {"enabled": false}"#,
    ))
    .await;
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend",
          '<p><button id="k1">One</button></p><p style="margin-left: 300px"><button id="k2">Two</button></p>' +
          '<p style="margin-top: 200px"><button id="k3">Three</button></p>');"#,
    );
    for id in ["k1", "k2", "k3", "k1", "k2", "k3"] {
        by_id(id).click();
        sleep(150).await;
    }
    settle().await;
    assert!(prompt_root().is_none(), "six presses on three buttons");
    for _ in 0..3 {
        by_id("k2").click();
        sleep(150).await;
    }
    settle().await;
    assert_eq!(prompt_title().as_deref(), Some("Stuck?"));
}

#[wasm_bindgen_test]
async fn a_stepper_that_answers_each_press_is_not_rage() {
    fresh(RULES).await;
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend",
          '<button type="button" id="plus">+</button><output id="qty">1</output>');
          document.getElementById("plus").addEventListener("click", function () {
            var q = document.getElementById("qty"); q.textContent = String(+q.textContent + 1);
          });"#,
    );
    for _ in 0..6 {
        by_id("plus").click();
        sleep(30).await; // the page's change is seen before the next press
    }
    assert_eq!(
        js("return document.getElementById('qty').textContent")
            .as_string()
            .as_deref(),
        Some("7")
    );
    assert!(prompt_root().is_none(), "six answered presses are not rage");
}

#[wasm_bindgen_test]
async fn a_stepper_that_only_steps_its_number_field_is_not_rage() {
    fresh(RULES).await;
    // Shopify Dawn's <quantity-input>: + and - step the number field and fire `change`; no
    // DOM changes until the cart's debounced update, after the last press.
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend",
          '<quantity-input><button type="button" name="minus">-</button>' +
          '<input type="number" id="quantity" value="1" min="1"><button type="button" name="plus" id="step-up">+</button></quantity-input>');
          document.getElementById("step-up").addEventListener("click", function () {
            var q = document.getElementById("quantity"); q.stepUp();
            q.dispatchEvent(new Event("change", { bubbles: true }));
          });"#,
    );
    press("step-up", 6).await;
    assert_eq!(
        js("return document.getElementById('quantity').value")
            .as_string()
            .as_deref(),
        Some("7")
    );
    settle().await;
    assert!(prompt_root().is_none(), "six stepped presses are not rage");
}

/// Presses `id` `times` times, each press given time for the page's answer (a scroll comes
/// at the next frame).
async fn press(id: &str, times: usize) {
    for _ in 0..times {
        by_id(id).click();
        sleep(60).await;
    }
}

/// Presses `id` `times` times, over a second apart: each press an attempt of its own for a
/// repeated action.
async fn press_slowly(id: &str, times: usize) {
    for _ in 0..times {
        by_id(id).click();
        sleep(1100).await;
    }
}

#[wasm_bindgen_test]
async fn carousels_and_pagination_that_answer_each_press_are_not_rage_one_stuck_at_its_end_is() {
    fresh(RULES).await;
    // Three kinds a shop has: a track that scrolls (scroll snapping, as Shopify's Dawn and
    // Swiper's CSS mode do: no DOM change at all), slides moved by a transform (Embla,
    // Splide), and a list's "Show more".
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend",
          '<div id="track" style="display:flex;overflow-x:auto;scroll-snap-type:x mandatory;width:200px">' +
          '<div style="flex:0 0 200px;height:40px;scroll-snap-align:start">1</div>'.repeat(5) + '</div>' +
          '<button type="button" id="next">Next</button>' +
          '<div style="overflow:hidden;width:200px"><div id="slides" style="width:1000px;height:40px"></div></div>' +
          '<button type="button" id="slide">Next slide</button>' +
          '<ul id="list"></ul><button type="button" id="more">Show more</button>');
          var track = document.getElementById("track"), slides = document.getElementById("slides"), at = 0;
          document.getElementById("next").addEventListener("click", function () { track.scrollBy({left: 200}); });
          document.getElementById("slide").addEventListener("click", function () {
            at = (at + 1) % 5; slides.style.transform = "translateX(" + (-200 * at) + "px)";
          });
          document.getElementById("more").addEventListener("click", function () {
            document.getElementById("list").insertAdjacentHTML("beforeend", "<li>Item</li><li>Item</li>");
          });"#,
    );
    press("next", 4).await;
    assert_eq!(
        js("return document.getElementById('track').scrollLeft").as_f64(),
        Some(800.0),
        "the track scrolled at each press"
    );
    press("slide", 6).await;
    press("more", 6).await;
    settle().await;
    assert!(
        prompt_root().is_none(),
        "sixteen presses, each answered, are not rage"
    );
    // At its end the track cannot scroll: the same presses, unanswered, are rage.
    press("next", 3).await;
    settle().await;
    assert_eq!(
        prompt_title().as_deref(),
        Some("Trouble with your promo code?")
    );
}

/// Past a dead click's window (dead_help's), with a later event to bring the verdict.
async fn dead_click_window_over() {
    sleep(2700).await;
    js("window.dispatchEvent(new Event('scroll'));");
    settle().await;
}

#[wasm_bindgen_test]
async fn a_link_to_nowhere_is_a_button_and_can_be_dead() {
    // Themes' "Add to wishlist" as <a href="#"> whose script failed to load (the browser's
    // own jump to the top is stopped, as such scripts do), "Compare" as
    // <a href="javascript:void(0)">, and an in-page link.
    let links = r##"document.getElementById("fixture").insertAdjacentHTML("beforeend",
          '<a id="wish" href="#">Add to wishlist</a> <a id="js" href="javascript:void(0)">Compare</a>' +
          ' <a id="to-reviews" href="#reviews">Reviews</a>');
          document.getElementById("wish").addEventListener("click", function (e) { e.preventDefault(); });
          document.getElementById("to-reviews").addEventListener("click", function (e) { e.preventDefault(); });"##;
    fresh(&dead_help()).await;
    js(links);
    js("document.getElementById('to-reviews').click();");
    dead_click_window_over().await;
    assert!(
        prompt_root().is_none(),
        "a link to a place is a link: never dead"
    );
    js("document.getElementById('wish').click();");
    dead_click_window_over().await;
    assert_eq!(prompt_title().as_deref(), Some("Stuck?"), "href=\"#\"");
    fresh(&dead_help()).await;
    js(links);
    js("document.getElementById('js').click();");
    dead_click_window_over().await;
    assert_eq!(
        prompt_title().as_deref(),
        Some("Stuck?"),
        "href=\"javascript:...\""
    );
    home();
}

#[wasm_bindgen_test]
async fn a_link_inside_a_web_component_is_a_link() {
    fresh(&dead_help()).await;
    js(
        r##"if (!customElements.get("nw-help")) customElements.define("nw-help", class extends HTMLElement {
            constructor() { super(); this.attachShadow({mode: "open"}).innerHTML = '<a id="in" href="#nowhere">Help</a>'; }
          });
          document.getElementById("fixture").insertAdjacentHTML("beforeend", '<nw-help id="wc"></nw-help>');
          document.getElementById("wc").shadowRoot.getElementById("in").click();"##,
    );
    dead_click_window_over().await;
    assert!(
        prompt_root().is_none(),
        "a link's answer is the navigation: never dead"
    );
    // The same click on a plain element of the component is judged.
    js(
        r#"var root = document.getElementById("wc").shadowRoot; root.innerHTML = '<span id="in">Help</span>';
          root.getElementById("in").click();"#,
    );
    dead_click_window_over().await;
    assert_eq!(prompt_title().as_deref(), Some("Stuck?"));
    home();
}

#[wasm_bindgen_test]
async fn a_web_component_answering_inside_its_shadow_root_is_neither_dead_nor_rage() {
    // A quantity stepper built as Lit, Shoelace or Spectrum build theirs: the number lives in
    // its shadow root, its button one component deeper, and a press re-renders at the next
    // microtask. Nothing changes in the page's own DOM.
    let stepper = r#"if (!customElements.get("nw-count")) {
            customElements.define("nw-plus", class extends HTMLElement {
              constructor() { super(); this.attachShadow({mode: "open"}).innerHTML = '<button type="button" id="b">+</button>'; }
            });
            customElements.define("nw-count", class extends HTMLElement {
              constructor() {
                super();
                var r = this.attachShadow({mode: "open"}), self = this;
                r.innerHTML = '<output id="n">1</output> <nw-plus id="plus"></nw-plus>';
                r.getElementById("plus").addEventListener("click", function () {
                  Promise.resolve().then(function () {
                    var n = r.getElementById("n");
                    if (+n.textContent < +self.getAttribute("max")) n.textContent = +n.textContent + 1;
                  });
                });
              }
            });
          }
          document.getElementById("fixture").insertAdjacentHTML("beforeend", '<nw-count id="count" max="7"></nw-count>');"#;
    let plus = "document.getElementById('count').shadowRoot.getElementById('plus').shadowRoot.getElementById('b').click();";
    let shown =
        "return document.getElementById('count').shadowRoot.getElementById('n').textContent";
    fresh(&dead_help()).await;
    js(stepper);
    js(plus);
    dead_click_window_over().await;
    assert!(prompt_root().is_none(), "one press, answered: not dead");
    fresh(RULES).await;
    js(stepper);
    for _ in 0..6 {
        js(plus);
        sleep(60).await;
    }
    assert_eq!(js(shown).as_string().as_deref(), Some("7"));
    settle().await;
    assert!(
        prompt_root().is_none(),
        "six presses, each answered: not rage"
    );
    // At its maximum the stepper answers nothing: the same presses are rage.
    for _ in 0..3 {
        js(plus);
        sleep(60).await;
    }
    settle().await;
    assert_eq!(
        prompt_title().as_deref(),
        Some("Trouble with your promo code?")
    );
    home();
}

#[wasm_bindgen_test]
async fn a_button_that_opens_a_popover_is_answered_though_the_dom_stays_the_same() {
    // A menu or a size guide opened by the browser itself (popovertarget: no script, no
    // attribute changes; the popover only enters the top layer).
    let menu = r#"document.getElementById("fixture").insertAdjacentHTML("beforeend",
          '<button type="button" id="menu-button" popovertarget="menu">Menu</button><div popover id="menu">Sale</div>');"#;
    fresh(&dead_help()).await;
    js(menu);
    by_id("menu-button").click();
    assert_eq!(
        js("return document.getElementById('menu').matches(':popover-open')").as_bool(),
        Some(true)
    );
    dead_click_window_over().await;
    assert!(prompt_root().is_none(), "the menu opened: not dead");
    fresh(RULES).await;
    js(menu);
    press("menu-button", 6).await;
    settle().await;
    assert!(
        prompt_root().is_none(),
        "opened and closed six times: not rage"
    );
}

#[wasm_bindgen_test]
async fn a_submit_the_browser_stops_for_a_missing_field_is_answered() {
    // The browser's own answer: "Please fill in this field", on the field (an `invalid`
    // event; no submit, no DOM change).
    fresh(
        r#"{"version": 1,
          "prompts": {"help": {"kind": "help", "text": {"title": "Stuck?"}},
                      "again": {"kind": "help", "text": {"title": "Again?"}}},
          "rules": [{"id": "dead", "when": {"signals": {"any": ["dead_click", "rage_click"]}}, "then": {"prompt": "help"}},
                    {"id": "again", "when": {"signals": {"any": ["repeated_action"]}}, "then": {"prompt": "again"}}],
          "limits": {"max_per_session": 10, "max_per_page": 5, "min_gap_s": 0}}"#,
    )
    .await;
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend",
          '<form id="address" action="/nowhere"><input id="postcode" name="postcode" required>' +
          '<button id="continue">Continue</button></form>');
          document.getElementById("address").addEventListener("submit", function (e) { e.preventDefault(); });"#,
    );
    by_id("continue").click();
    assert_eq!(
        js("return document.getElementById('postcode').matches(':invalid')").as_bool(),
        Some(true)
    );
    dead_click_window_over().await;
    assert!(
        prompt_root().is_none(),
        "the browser said what is missing: not dead"
    );
    // Pressed again and again, still stopped: the same action attempted, a struggle.
    press_slowly("continue", 2).await;
    assert_eq!(prompt_title().as_deref(), Some("Again?"));
}

#[wasm_bindgen_test]
async fn load_more_and_a_stepper_pressed_slowly_are_shopping_a_dead_button_is_a_repeated_action() {
    fresh(&help_when(&["repeated_action"], "Again?", "")).await;
    // A collection's Load more (a <button> outside any form), and a product form's quantity
    // stepper (type=button inside the form, stepping its field and saying so, as Dawn's).
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend",
          '<ul id="products"><li>Trail Jacket</li></ul><button id="more">Load more</button>' +
          '<form id="product" action="/cart/add"><button type="button" id="plus">+</button>' +
          '<input type="number" id="quantity" name="quantity" value="1"><button id="add">Add to cart</button></form>');
          document.getElementById("more").addEventListener("click", function () {
            document.getElementById("products").insertAdjacentHTML("beforeend", "<li>Another product</li>");
          });
          document.getElementById("plus").addEventListener("click", function () {
            var q = document.getElementById("quantity"); q.stepUp();
            q.dispatchEvent(new Event("change", { bubbles: true }));
          });"#,
    );
    press_slowly("more", 3).await;
    press_slowly("plus", 3).await;
    assert_eq!(
        js("return document.querySelectorAll('#products li').length + ' ' + document.getElementById('quantity').value")
            .as_string()
            .as_deref(),
        Some("4 4")
    );
    settle().await;
    assert!(
        prompt_root().is_none(),
        "three rows loaded, four of one item: shopping"
    );
    // A button the page never answers, pressed again and again: a repeated action, known
    // when the third press is found dead.
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend", '<button id="save">Save</button>');"#,
    );
    press_slowly("save", 3).await;
    assert!(prompt_root().is_none(), "the third press not yet judged");
    dead_click_window_over().await;
    assert_eq!(prompt_title().as_deref(), Some("Again?"));
}

#[wasm_bindgen_test]
async fn a_video_or_sound_playing_is_not_idle() {
    fresh(&help_when(
        &["idle"],
        "Still there?",
        r#""idle": {"after_ms": 5000}"#,
    ))
    .await;
    // Ten seconds of silence (8 kHz, 8-bit WAV), played muted (autoplay allows it): a
    // product video's sound track as far as the page can tell.
    js(
        r#"var n = 80000, b = new Uint8Array(44 + n), v = new DataView(b.buffer);
          function tag(at, t) { for (var i = 0; i < 4; i++) b[at + i] = t.charCodeAt(i); }
          tag(0, "RIFF"); v.setUint32(4, 36 + n, true); tag(8, "WAVE"); tag(12, "fmt ");
          v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
          v.setUint32(24, 8000, true); v.setUint32(28, 8000, true); v.setUint16(32, 1, true);
          v.setUint16(34, 8, true); tag(36, "data"); v.setUint32(40, n, true); b.fill(128, 44);
          var a = document.createElement("video");
          a.id = "clip"; a.muted = true;
          a.src = URL.createObjectURL(new Blob([b], { type: "audio/wav" }));
          document.getElementById("fixture").appendChild(a);
          a.play().catch(function (e) { window.__errors.push(String(e)); });"#,
    );
    sleep(7000).await;
    assert_eq!(
        js("var a = document.getElementById('clip'); return !a.paused && a.currentTime > 6")
            .as_bool(),
        Some(true),
        "playing: {:?}",
        js("return window.__errors.join(' ')").as_string()
    );
    assert!(
        prompt_root().is_none(),
        "seven seconds of playing are not idle"
    );
    // Paused, the page is quiet: idle.
    js("document.getElementById('clip').pause();");
    sleep(5000).await;
    settle().await;
    assert_eq!(prompt_title().as_deref(), Some("Still there?"));
}

#[wasm_bindgen_test]
async fn videos_and_canvases_answer_in_their_own_way_neither_dead_nor_rage() {
    fresh(&dead_help()).await;
    // A product video (played and paused: no DOM change) and a 3D viewer drawn on a canvas
    // inside a web component, as Shopify's <model-viewer> is; each clicked in a burst.
    js(
        r#"if (!customElements.get("nw-viewer")) customElements.define("nw-viewer", class extends HTMLElement {
            constructor() { super(); this.attachShadow({mode: "open"}).innerHTML = '<canvas id="gl" width="80" height="40"></canvas>'; }
          });
          document.getElementById("fixture").insertAdjacentHTML("beforeend",
            '<video id="clip" width="80" height="40"></video><nw-viewer id="viewer"></nw-viewer><span id="plain">Photo</span>');
          for (var i = 0; i < 4; i++) document.getElementById("clip").click();
          for (var i = 0; i < 4; i++) document.getElementById("viewer").shadowRoot.getElementById("gl").click();"#,
    );
    dead_click_window_over().await;
    assert!(prompt_root().is_none(), "media answer without the DOM");
    // The same burst on a plain element is judged.
    js("for (var i = 0; i < 4; i++) document.getElementById('plain').click();");
    settle().await;
    assert_eq!(prompt_title().as_deref(), Some("Stuck?"));
    home();
}

#[wasm_bindgen_test]
async fn an_editable_region_is_a_field_unless_it_says_false() {
    fresh(&dead_help()).await;
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend",
          '<div contenteditable="TRUE"><p id="note">Gift message</p><p contenteditable="False" id="fixed">To:</p></div>');
          document.getElementById("note").click();"#,
    );
    dead_click_window_over().await;
    assert!(
        prompt_root().is_none(),
        "a click to type in an editable region is not dead"
    );
    js(r#"document.getElementById("fixed").click();"#);
    dead_click_window_over().await;
    assert!(
        prompt_root().is_none(),
        "inside an editable region, the region still counts"
    );
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend",
          '<p contenteditable="false" id="plain">Total</p>');
          document.getElementById("plain").click();"#,
    );
    dead_click_window_over().await;
    assert_eq!(prompt_title().as_deref(), Some("Stuck?"));
    home();
}

#[wasm_bindgen_test]
async fn double_and_triple_clicks_that_select_text_are_neither_rage_nor_dead() {
    fresh(&dead_help()).await;
    js(
        r#"document.getElementById("fixture").insertAdjacentHTML("beforeend", '<p id="ref">Order NW-20931</p>');
          var p = document.getElementById("ref");
          p.dispatchEvent(new MouseEvent("click", {bubbles: true, detail: 1}));
          window.getSelection().selectAllChildren(p);
          p.dispatchEvent(new MouseEvent("click", {bubbles: true, detail: 2}));
          p.dispatchEvent(new MouseEvent("click", {bubbles: true, detail: 3}));"#,
    );
    sleep(2700).await;
    js("window.dispatchEvent(new Event('scroll')); window.getSelection().removeAllRanges();");
    settle().await;
    assert!(prompt_root().is_none());
}

/// The panel's box and the element's overlap, in px².
fn overlap_with(id: &str) -> f64 {
    js(&format!(
        r#"var a = document.getElementById("lifeline-host").shadowRoot.querySelector(".panel").getBoundingClientRect();
           var b = document.getElementById("{id}").getBoundingClientRect();
           var x = Math.min(a.right, b.right) - Math.max(a.left, b.left), y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
           return x > 0 && y > 0 ? x * y : 0;"#
    ))
    .as_f64()
    .unwrap()
}

#[wasm_bindgen_test]
async fn a_prompt_never_covers_the_element_the_visitor_clicked() {
    fresh(RULES).await;
    // A button in the prompt's corner, as a sticky "Checkout" bar puts one.
    let apply = by_id("apply");
    for (name, value) in [
        ("position", "fixed"),
        ("right", "24px"),
        ("bottom", "24px"),
        ("width", "200px"),
        ("height", "48px"),
    ] {
        apply.style().set_property(name, value).unwrap();
    }
    rage_on_apply().await;
    assert!(prompt_root().is_some());
    assert!(
        overlap_with("apply") < 1.0,
        "the prompt moved out of the way"
    );
    // Elsewhere (at the top), the rules' corner is clear: it stays there.
    click_in_prompt("button.close");
    apply.style().set_property("bottom", "auto").unwrap();
    apply.style().set_property("top", "24px").unwrap();
    apply.click();
    assert!(platform::show("ask".into()));
    assert!(overlap_with("apply") < 1.0);
    for name in ["position", "right", "bottom", "top", "width", "height"] {
        apply.style().remove_property(name).unwrap();
    }
}

#[wasm_bindgen_test]
async fn icons_are_inline_svg_and_the_thumbs_say_yes_and_no() {
    let rules = r#"{"version": 1, "prompts": {"ask": {"kind": "feedback", "text": {"title": "Good?"}, "feedback": {"scale": "thumbs"}}}}"#;
    fresh(rules).await;
    assert!(platform::show("ask".into()));
    assert!(in_prompt("button.close svg").is_some());
    let thumbs: Vec<String> = ["up", "down"]
        .iter()
        .map(|t| {
            in_prompt(&format!("[data-ll=thumb][data-value={t}]"))
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(thumbs, ["Yes", "No"]);
    let text = prompt_root().unwrap().text_content().unwrap_or_default();
    assert!(
        !text
            .chars()
            .any(|c| ('\u{1F300}'..='\u{1FAFF}').contains(&c)),
        "no emoji in {text:?}"
    );
}
