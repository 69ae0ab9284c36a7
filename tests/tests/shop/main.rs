//! The demo shop with the release agent in headless Chromium, against the collector. Each
//! scenario asserts what the visitor sees and what the collector stored, and leaves a
//! screenshot under `target/e2e/`.

#![allow(clippy::unwrap_used)]

mod accessibility;
mod chat;
mod feedback;
mod live;
mod storefronts;
mod support;

use std::time::Duration;

use lifeline_collector::store::{ReportType, StoredReport};
use lifeline_e2e::{Browser, Shop};
use lifeline_shared::wire::ReportBatch;

/// (type, rule, prompt, outcome) of each stored report, for assertions.
fn summary(stored: &[StoredReport]) -> Vec<(String, String, String)> {
    stored
        .iter()
        .map(|r| {
            let what = match r.kind_of_report {
                ReportType::Decision => r.outcome.clone().unwrap_or_else(|| "shown".into()),
                ReportType::Feedback => "feedback".into(),
                ReportType::Support => ["support:", r.outcome.as_deref().unwrap_or("")].concat(),
            };
            (r.rule.clone(), r.prompt.clone(), what)
        })
        .collect()
}

fn has(stored: &[StoredReport], rule: &str, what: &str) -> bool {
    summary(stored)
        .iter()
        .any(|(r, _, w)| r == rule && w == what)
}

/// A collector and a browser whose visitor has put a jacket in the cart and opened it.
async fn with_a_cart() -> (Shop, Browser) {
    let shop = Shop::start().await;
    let b = Browser::start().await;
    add_to_cart_and_open_it(&b, &shop).await;
    (shop, b)
}

async fn add_to_cart_and_open_it(b: &Browser, shop: &Shop) {
    b.open(&shop.url("/demo/")).await;
    b.click("[data-sku=trail-jacket]").await;
    b.click_to(".cart-link", "/demo/cart/").await;
}

/// From the cart through delivery to the payment page, as a shopper clicks.
async fn to_payment(b: &Browser) {
    b.click_to("#checkout", "/demo/shipping/").await;
    b.click_to("#to-payment", "/demo/payment/").await;
}

async fn rage_on_apply(b: &Browser) {
    for _ in 0..4 {
        b.click("#apply-promo").await;
    }
}

/// The prompt says thank you for the feedback just sent.
async fn assert_thanked(b: &Browser) {
    // The thank-you, or the collector's answer in its place (a complaint is passed on).
    let title = b.prompt_title().await;
    assert!(
        matches!(
            title.as_deref(),
            Some("Thank you for your feedback." | "Thank you. We have passed this on to our team.")
        ),
        "sent: thanked ({title:?})"
    );
}

/// Leaves the page, so the agent sends what it holds (by beacon on pagehide).
async fn leave(b: &Browser, shop: &Shop) {
    b.client.goto(&shop.url("/")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn rage_on_the_dead_apply_button_brings_promo_help_that_stays_dismissed() {
    let (shop, b) = with_a_cart().await;
    b.type_into("#promo", "SECRET-CODE-42").await;
    rage_on_apply(&b).await;
    b.wait_prompt("Trouble with your promo code?").await;
    b.screenshot("promo-help").await;
    b.click_in_prompt("button.close").await;
    assert_eq!(b.prompt_title().await, None, "dismissed");

    // The rest of the visit, on this page and the next: it stays away.
    rage_on_apply(&b).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(b.prompt_title().await, None, "not again on this page");
    b.open(&shop.url("/demo/shipping/")).await;
    b.open(&shop.url("/demo/cart/")).await;
    rage_on_apply(&b).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(b.prompt_title().await, None, "not again on the next pages");
    b.screenshot("promo-help-dismissed").await;
    leave(&b, &shop).await;

    let stored = shop
        .wait_stored("the promo help shown and dismissed", |s| {
            has(s, "promo-rage", "shown") && has(s, "promo-rage", "dismissed")
        })
        .await;
    assert_eq!(
        summary(&stored)
            .iter()
            .filter(|(r, _, _)| r == "promo-rage")
            .count(),
        2,
        "{stored:#?}"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn looping_between_cart_and_delivery_asks_for_feedback_stored_once() {
    let (shop, b) = with_a_cart().await;
    for _ in 0..3 {
        b.click_to("#checkout", "/demo/shipping/").await;
        b.click_to("#back-to-cart", "/demo/cart/").await;
        if b.prompt_title().await.is_some() {
            break;
        }
    }
    b.wait_prompt("Is something not working?").await;
    b.click_in_prompt("[data-ll=rate][data-value='2']").await;
    b.click_in_prompt("textarea").await;
    press(
        &b,
        &"Delivery keeps sending me back".chars().collect::<Vec<_>>(),
    )
    .await;
    b.screenshot("loop-feedback").await;
    b.click_in_prompt("[data-ll=action]").await;
    assert_thanked(&b).await;
    leave(&b, &shop).await;

    let stored = shop
        .wait_stored("the feedback", |s| has(s, "shipping-loop", "feedback"))
        .await;
    let feedback: Vec<&StoredReport> = stored
        .iter()
        .filter(|r| r.kind_of_report == ReportType::Feedback)
        .collect();
    assert_eq!(feedback.len(), 1, "{stored:#?}");
    assert_eq!(feedback[0].rating, Some(2));
    assert_eq!(
        feedback[0].comment.as_deref(),
        Some("Delivery keeps sending me back")
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_smooth_purchase_gets_no_difficulty_prompt_then_the_task_feedback() {
    let (shop, b) = with_a_cart().await;
    to_payment(&b).await;
    b.type_into("#first", "Alex").await;
    b.type_into("#email", "alex@example.com").await;
    b.type_into("#card", "4242 4242 4242 4242").await;
    b.click("#place-order").await; // declined once, as the shop does
    b.click_to("#place-order", "/demo/complete/").await;
    b.wait_prompt("How was checking out?").await;
    b.screenshot("order-feedback").await;
    b.click_in_prompt("button.close").await;
    leave(&b, &shop).await;

    let stored = shop
        .wait_stored("the order feedback prompt", |s| {
            has(s, "task:checkout", "dismissed")
                || s.iter()
                    .any(|r| r.prompt == "order_feedback" && r.outcome.is_some())
        })
        .await;
    let prompts: Vec<&str> = stored.iter().map(|r| r.prompt.as_str()).collect();
    assert!(
        prompts.iter().all(|p| *p == "order_feedback"),
        "only the task's feedback prompt: {stored:#?}"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_spa_route_change_rechecks_page_rules() {
    let shop = Shop::start().await;
    let b = Browser::start().await;
    b.open(&shop.url("/demo/account/")).await;
    let before = b
        .js("return performance.getEntriesByType('navigation').length")
        .await;
    b.click("#membership-link").await; // pushState, no page load
    b.wait_prompt("Before you go: two months free?").await;
    assert_eq!(
        b.js("return location.pathname").await,
        "/demo/account/subscription/"
    );
    assert_eq!(
        b.js("return performance.getEntriesByType('navigation').length")
            .await,
        before,
        "no page load"
    );
    b.screenshot("spa-membership-offer").await;
    b.click_in_prompt("[data-ll=action]").await;
    leave(&b, &shop).await;
    let stored = shop
        .wait_stored("the offer engaged", |s| has(s, "cancel-save", "engaged"))
        .await;
    assert!(
        stored
            .iter()
            .all(|r| r.page == "/demo/account/subscription/"),
        "{stored:#?}"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_rules_decisions_and_feedback_go_to_the_collector() {
    let (shop, b) = with_a_cart().await;
    b.type_into("#promo", "SECRET-CODE-42").await;
    rage_on_apply(&b).await;
    b.wait_prompt("Trouble with your promo code?").await;
    b.click_in_prompt("button.close").await;
    b.open(&shop.url("/demo/payment/")).await;
    b.type_into("#email", "alex@example.com").await;
    b.type_into("#card", "4242424242424242").await;
    b.click("#place-order").await;
    leave(&b, &shop).await;
    shop.wait_stored("the decisions", |s| has(s, "promo-rage", "dismissed"))
        .await;

    let shop_files = ["/demo/", "/favicon.ico", "/"];
    let mut agent_requests = 0;
    for r in shop.requests() {
        let path = r.uri.split('?').next().unwrap_or_default();
        let agent_file = path == "/agent.js"
            || (path.starts_with("/agent-") || path.starts_with("/check-"))
                && (path.ends_with(".wasm") || path.ends_with(".js"));
        match (r.method.as_str(), path) {
            ("GET", "/v1/sites/demo/rules") => agent_requests += 1,
            // Whether staff are online (the rules offer a chat): nothing of the visitor's.
            ("GET", "/v1/sites/demo/availability") => assert!(r.body.is_empty()),
            ("GET", _) if agent_file => agent_requests += 1,
            ("POST", "/v1/sites/demo/reports") => {
                agent_requests += 1;
                let batch: ReportBatch = serde_json::from_str(&r.body)
                    .unwrap_or_else(|e| panic!("only the report format ({e}): {}", r.body));
                batch.validate().unwrap();
                for secret in ["SECRET", "alex", "4242", "clientX", "\"x\"", "\"y\""] {
                    assert!(
                        !r.body.contains(secret),
                        "{secret} left the page: {}",
                        r.body
                    );
                }
            }
            ("GET", p) if shop_files.iter().any(|f| p.starts_with(f)) => {} // the shop's own pages
            other => panic!("an unexpected request to the collector: {other:?}"),
        }
    }
    assert!(agent_requests >= 3, "the agent, its rules and reports");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_made_while_the_collector_is_down_arrive_once_when_it_is_back() {
    let (mut shop, b) = with_a_cart().await;
    rage_on_apply(&b).await;
    b.wait_prompt("Trouble with your promo code?").await;
    // The collector goes down before the batch is due (reports wait up to 3 s for company);
    // the prompt renderer, a lazy module, came while it was up.
    shop.stop().await;
    b.click_in_prompt("button.close").await;
    // The page goes on; nothing could be sent.
    tokio::time::sleep(Duration::from_secs(2)).await;
    shop.restart().await;
    // The next page sends what waited (and the agent retries on its own with backoff).
    b.open(&shop.url("/demo/shipping/")).await;
    leave(&b, &shop).await;
    let stored = shop
        .wait_stored("the reports made while down", |s| {
            has(s, "promo-rage", "shown") && has(s, "promo-rage", "dismissed")
        })
        .await;
    // Give any repeated send time to arrive, then count.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let stored = shop.stored().await.len().max(stored.len());
    assert_eq!(stored, 2, "{:#?}", shop.stored().await);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_rules_leave_the_page_working_with_one_console_error_and_no_prompt() {
    let shop = Shop::start().await;
    shop.serve_rules_as_is(
        r#"{"version": 1, "prompts": {"p": {"kind": "popup", "text": {"title": "x"}}}}"#,
    );
    shop.capture_console(true);
    let b = Browser::start().await;
    b.client.goto(&shop.url("/demo/")).await.unwrap();
    b.wait_js(
        "the agent's error",
        "return window.__errors.some(function (e) { return e.indexOf('lifeline') >= 0; })",
    )
    .await;
    let errors = b.js("return window.__errors").await;
    let errors = errors.as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].as_str().unwrap().contains("prompts.p.kind"),
        "the JSON path: {errors:?}"
    );
    // The shop works.
    b.click("[data-sku=day-pack]").await;
    assert_eq!(
        b.js("return document.getElementById('cart-count').textContent")
            .await,
        "1"
    );
    b.client.goto(&shop.url("/demo/cart/")).await.unwrap();
    rage_on_apply(&b).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(b.prompt_title().await, None);
    b.screenshot("bad-rules").await;
    assert!(shop.stored().await.is_empty());
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn json_rules_from_the_shops_own_server_are_checked_on_the_page_and_work() {
    // Rules served as the site owner wrote them (JSON, not compiled by the collector): the
    // agent fetches its checker module for them, only then.
    let shop = Shop::start().await;
    let rules = std::fs::read_to_string(lifeline_e2e::root().join("www/demo/rules.json")).unwrap();
    shop.serve_rules_as_is(&rules);
    shop.capture_console(true);
    let b = Browser::start().await;
    add_to_cart_and_open_it(&b, &shop).await;
    rage_on_apply(&b).await;
    b.wait_prompt("Trouble with your promo code?").await;
    let checker: Vec<String> = (shop.requests().into_iter())
        .map(|r| r.uri)
        .filter(|u| u.starts_with("/check-"))
        .collect();
    assert_eq!(
        checker.len(),
        2,
        "the checker's script and wasm: {checker:?}"
    );
    assert_eq!(b.js("return window.__errors").await, serde_json::json!([]));
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn under_a_strict_csp_the_agent_runs_and_prompts_are_styled() {
    let shop = Shop::start().await;
    shop.strict_csp(true);
    let b = Browser::start().await;
    add_to_cart_and_open_it(&b, &shop).await;
    rage_on_apply(&b).await;
    b.wait_prompt("Trouble with your promo code?").await;
    let style = b
        .js("var p = document.getElementById('lifeline-host').shadowRoot.querySelector('.panel'); var s = getComputedStyle(p); return [s.position, s.borderTopLeftRadius, s.zIndex];")
        .await;
    assert_eq!(style, serde_json::json!(["fixed", "12px", "2147483647"]));
    b.screenshot("strict-csp").await;
    b.close().await;
}

/// What has focus inside the prompt: its `data-ll`, role or tag.
async fn focused_in_prompt(b: &Browser) -> serde_json::Value {
    b.js("var h = document.getElementById('lifeline-host'); var a = h && h.shadowRoot.activeElement; return a ? (a.getAttribute('data-ll') || a.getAttribute('role') || a.tagName) : null;")
        .await
}

/// Keys pressed where the focus is (as a person would: no element is targeted).
async fn press(b: &Browser, keys: &[char]) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut actions = KeyActions::new("keyboard".into());
    for &k in keys {
        actions = actions
            .then(KeyAction::Down { value: k })
            .then(KeyAction::Up { value: k });
    }
    b.client.perform_actions(actions).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_prompt_can_be_reached_used_and_closed_with_the_keyboard() {
    use fantoccini::key::Key;
    let (tab, enter, escape, space) = (
        char::from(Key::Tab),
        char::from(Key::Enter),
        char::from(Key::Escape),
        ' ',
    );
    let (shop, b) = with_a_cart().await;
    for _ in 0..3 {
        b.click("#apply-promo").await; // a fourth click would take the focus back
    }
    b.wait_prompt("Trouble with your promo code?").await;
    // Focus went to the dialog (the visitor was not typing): Tab reaches its controls.
    assert_eq!(focused_in_prompt(&b).await, "dialog");
    press(&b, &[tab]).await;
    assert_eq!(focused_in_prompt(&b).await, "close");
    press(&b, &[tab]).await;
    assert_eq!(focused_in_prompt(&b).await, "link", "the help link next");
    press(&b, &[escape]).await;
    assert_eq!(b.prompt_title().await, None, "Escape closes it");
    assert_eq!(
        b.js("return document.activeElement.id").await,
        "apply-promo",
        "focus is back on the button pressed"
    );

    // A feedback prompt, answered with the keyboard alone.
    b.js("lifeline.show('order_feedback')").await;
    b.wait_prompt("How was checking out?").await;
    press(&b, &[tab, tab]).await;
    assert_eq!(focused_in_prompt(&b).await, "thumb");
    press(&b, &[space]).await;
    press(&b, &[tab, tab]).await;
    assert_eq!(focused_in_prompt(&b).await, "TEXTAREA");
    press(&b, &"Quick".chars().collect::<Vec<_>>()).await;
    b.screenshot("keyboard").await;
    press(&b, &[tab]).await;
    assert_eq!(focused_in_prompt(&b).await, "action");
    press(&b, &[enter]).await;
    assert_thanked(&b).await;
    leave(&b, &shop).await;
    let stored = shop
        .wait_stored("the keyboard's feedback", |s| has(s, "manual", "feedback"))
        .await;
    let feedback = stored
        .iter()
        .find(|r| r.kind_of_report == ReportType::Feedback)
        .unwrap();
    assert_eq!(
        (feedback.thumbs, feedback.comment.as_deref()),
        (Some(true), Some("Quick"))
    );
    assert!(has(&stored, "promo-rage", "dismissed"), "{stored:#?}");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_shows_what_prompts_did_and_feedback_as_text() {
    let (shop, b) = with_a_cart().await;
    b.js("lifeline.show('struggle_feedback')").await;
    b.wait_prompt("Is something not working?").await;
    b.click_in_prompt("[data-ll=rate][data-value='1']").await;
    b.click_in_prompt("textarea").await;
    let hostile = "<img src=x onerror=window.__pwned=1>";
    press(&b, &hostile.chars().collect::<Vec<_>>()).await;
    b.click_in_prompt("[data-ll=action]").await;
    leave(&b, &shop).await;
    shop.wait_stored("the feedback", |s| has(s, "manual", "feedback"))
        .await;

    b.client.goto(&shop.url("/dashboard/")).await.unwrap();
    b.type_into("#token", "wrong").await;
    b.click("button[type=submit]").await;
    b.wait_js(
        "the refusal",
        "return !document.getElementById('login-error').hidden",
    )
    .await;
    assert_eq!(
        b.js("return document.getElementById('login-error').textContent")
            .await,
        "that is not this site's admin token"
    );
    b.client
        .find(fantoccini::Locator::Css("#token"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    b.type_into("#token", &shop.token).await;
    b.click("button[type=submit]").await;
    b.wait_js(
        "the site's figures",
        "return !document.getElementById('site-view').hidden && document.getElementById('feedback').rows.length > 1",
    )
    .await;
    let comment = b
        .js("return document.getElementById('feedback').rows[1].cells[5].textContent")
        .await;
    assert_eq!(comment, hostile, "shown as text");
    // Triaged at once: in the queue, as text, with its verdict; filtered by queue.
    let triaged = b
        .js("var r = document.getElementById('triage').rows[1]; return [r.cells[3].textContent, r.cells[4].textContent]")
        .await;
    assert_eq!(triaged[0], hostile, "shown as text");
    assert!(
        ["negative", "not supported"].contains(&triaged[1].as_str().unwrap()),
        "{triaged}"
    );
    b.js("var q = document.getElementById('queue'); q.value = 'compensated'; q.dispatchEvent(new Event('change')); return true")
        .await;
    b.wait_js(
        "the compensated queue",
        "return document.getElementById('triage').rows[1].cells[0].textContent === 'Nothing yet.'",
    )
    .await;
    assert_eq!(
        b.js("return document.getElementById('coupons').rows[1].cells[0].textContent")
            .await,
        "Nothing yet."
    );
    assert_eq!(
        b.js("return [document.querySelectorAll('main img').length, window.__pwned === undefined]")
            .await,
        serde_json::json!([0, true]),
        "never run"
    );
    let rule_row = b
        .js("return Array.from(document.getElementById('rules').rows).map(function (r) { return Array.from(r.cells).map(function (c) { return c.textContent; }); }).find(function (r) { return r[0] === 'manual'; })")
        .await;
    assert_eq!(
        rule_row,
        serde_json::json!(["manual", "1", "0", "0", "1", "0", "1", "1.0"])
    );
    b.screenshot("dashboard").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panic_in_the_shipped_agent_warns_once_removes_the_prompt_and_leaves_the_shop_working() {
    // The shipped agent links no `std`: a panic goes through its own handler, not `std`'s
    // hook. Built with its test hooks (`make agent-crash`) so the page can make it panic.
    let shop = Shop::start_with_agent("target/agent-crash").await;
    shop.capture_console(true);
    let b = Browser::start().await;
    b.client.goto(&shop.url("/demo/")).await.unwrap();
    b.wait_agent().await;
    assert_eq!(b.js("return lifeline.show('promo_help')").await, true);
    b.wait_prompt("Trouble with your promo code?").await;

    let thrown = b
        .js("try { lifeline.crash(); return null; } catch (e) { return String(e); }")
        .await;
    assert_eq!(
        thrown,
        serde_json::Value::Null,
        "nothing thrown into the page"
    );
    let info = b.js("return window.__info").await;
    let warnings: Vec<&str> = (info.as_array().unwrap().iter())
        .filter_map(|v| v.as_str())
        .filter(|m| m.starts_with("warn: "))
        .collect();
    assert_eq!(
        warnings,
        ["warn: lifeline: stopped after an internal error; the page is not affected"]
    );
    assert_eq!(b.prompt_title().await, None, "the prompt is gone");
    assert_eq!(b.js("return window.__lifeline_dead === true").await, true);
    // Off for the rest of the page: asked again, it shows nothing and throws nothing.
    assert_eq!(
        b.js("try { lifeline.show('promo_help'); return null; } catch (e) { return String(e); }")
            .await,
        serde_json::Value::Null
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(b.prompt_title().await, None);
    // The shop works.
    b.click("[data-sku=day-pack]").await;
    assert_eq!(
        b.js("return document.getElementById('cart-count').textContent")
            .await,
        "1"
    );
    assert_eq!(b.js("return window.__errors").await, serde_json::json!([]));
    b.close().await;
}
