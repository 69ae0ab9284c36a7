//! What a storefront nobody here wrote does, on the demo shop: Back and Forward through the
//! back/forward cache, product pages told apart by their query string, quantity steppers,
//! a photo carousel, double-clicks that select text, a prompt left open, phones (a window
//! a phone's size, and a touch phone tapped), and a quiet wire.

use std::time::Duration;

use lifeline_e2e::{Browser, Shop};

use super::{add_to_cart_and_open_it, has, leave, rage_on_apply, with_a_cart};

/// Waits out the dead-click window (3 s, then any event brings the verdicts) and asserts
/// that no prompt came.
async fn no_prompt_after_the_dead_click_window(b: &Browser, why: &str) {
    tokio::time::sleep(Duration::from_millis(3000)).await;
    b.click("h1").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(b.prompt_title().await, None, "{why}");
}

/// Leaves the page (the agent sends what it holds) and asserts the collector stored nothing.
async fn nothing_stored_after_leaving(b: &Browser, shop: &Shop) {
    leave(b, shop).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let stored = shop.stored().await;
    assert!(stored.is_empty(), "{stored:#?}");
}

/// A collector with the debug switch on its pages (their console logs what the agent
/// decides), and a browser on `path`.
async fn debugged_at(path: &str) -> (Shop, Browser) {
    let shop = Shop::start().await;
    shop.debug(true);
    let b = Browser::start().await;
    b.open(&shop.url(path)).await;
    (shop, b)
}

/// The product page the debug-log tests open (the demo reports keep its `sku`).
const BOOTS: &str = "/demo/product/?sku=summit-boots";

/// To the end of a test on `page`: the debug log saw the page and no signal fire there
/// (`why`), nothing was stored when the shopper left, and the browser is closed.
async fn quiet_to_the_end(b: Browser, shop: &Shop, page: &str, why: &str) {
    let log = b.debug_log().await;
    let view = format!("lifeline: page view {page}");
    assert!(log.contains(&view), "the debug log is on: {log:#?}");
    assert!(
        !log.iter().any(|l| l.starts_with("lifeline: signals")),
        "{why}: {log:#?}"
    );
    nothing_stored_after_leaving(&b, shop).await;
    b.close().await;
}

/// The quantity the cart's stepper shows on the line of `sku`.
async fn quantity(b: &Browser, sku: &str) -> serde_json::Value {
    b.js(&format!(
        "return document.querySelector('[data-line={sku}] output').textContent"
    ))
    .await
}

/// Marks the page's JS heap: a page restored from the back/forward cache still has it.
async fn mark_page(b: &Browser) {
    b.js("window.__same_page = true; return true;").await;
}

async fn restored_from_cache(b: &Browser) -> bool {
    b.js("return window.__same_page === true").await == serde_json::Value::Bool(true)
}

#[tokio::test(flavor = "multi_thread")]
async fn back_and_forward_bounces_are_a_loop_and_the_feedback_typed_after_back_is_kept() {
    let shop = Shop::start().await;
    shop.debug(true);
    let b = Browser::start().await;
    add_to_cart_and_open_it(&b, &shop).await;
    mark_page(&b).await;
    b.click_to("#checkout", "/demo/shipping/").await;
    mark_page(&b).await;
    // Back and Forward: cart, delivery, cart, each page restored from the cache.
    b.back_to("/demo/cart/").await;
    assert!(
        restored_from_cache(&b).await,
        "the cart came back from the back/forward cache"
    );
    b.forward_to("/demo/shipping/").await;
    assert!(restored_from_cache(&b).await);
    b.back_to("/demo/cart/").await;
    // The fifth view of two pages: the loop question, on a restored page.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let log = b.debug_log().await;
    assert!(
        log.iter()
            .any(|l| l.starts_with("lifeline: signals page_loop")),
        "{log:#?}"
    );
    b.wait_prompt("Is something not working?").await;
    // The debug switch's logger (a lazy module): page views, signals, the prompt shown.
    b.wait_js(
        "the prompt in the debug log",
        r#"return (window.__info || []).some(function (m) { return /^lifeline: rule "shipping-loop" shows "struggle_feedback" \(feedback\); score \d+% \((none|low|medium|high)\)$/.test(m); })"#,
    )
    .await;
    let log = b.debug_log().await;
    assert!(
        log.iter().any(|l| l == "lifeline: page view /demo/cart/"),
        "{log:#?}"
    );
    b.click_in_prompt("[data-ll=rate][data-value='2']").await;
    b.type_into_prompt("textarea", "I keep going round in circles")
        .await;
    b.click_in_prompt("[data-ll=action]").await;
    leave(&b, &shop).await;
    shop.wait_stored("the feedback typed after Back", |s| {
        s.iter()
            .any(|r| r.comment.as_deref() == Some("I keep going round in circles"))
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let all = shop.stored().await;
    assert!(has(&all, "shipping-loop", "shown"), "{all:#?}");
    assert!(has(&all, "shipping-loop", "completed"), "{all:#?}");
    assert_eq!(
        all.iter().filter(|r| r.comment.is_some()).count(),
        1,
        "stored once: {all:#?}"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_prompt_left_open_is_reported_once_as_ignored() {
    let (shop, b) = with_a_cart().await;
    rage_on_apply(&b).await;
    b.wait_prompt("Trouble with your promo code?").await;
    // The shopper carries on to delivery without answering it (typed: the panel sits over
    // Checkout at this size), then comes Back.
    mark_page(&b).await;
    b.open(&shop.url("/demo/shipping/")).await;
    b.back_to("/demo/cart/").await;
    assert!(restored_from_cache(&b).await);
    assert_eq!(
        b.prompt_title().await,
        None,
        "the help left open went with the page left"
    );
    leave(&b, &shop).await;
    shop.wait_stored("the ignored help", |s| has(s, "promo-rage", "ignored"))
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let all = shop.stored().await;
    let ignored = all
        .iter()
        .filter(|r| r.rule == "promo-rage" && r.outcome.as_deref() == Some("ignored"))
        .count();
    assert_eq!(ignored, 1, "reported once: {all:#?}");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn browsing_product_after_product_from_the_list_is_not_a_loop() {
    let shop = Shop::start().await;
    let b = Browser::start().await;
    b.open(&shop.url("/demo/")).await;
    // List -> product A -> list -> product B -> list -> product C -> list: product pages
    // differ only in their query string (?sku=...).
    for sku in ["trail-jacket", "summit-boots", "day-pack"] {
        b.click_to(
            &format!("a[href='/demo/product/?sku={sku}']"),
            "/demo/product/",
        )
        .await;
        assert_eq!(b.prompt_title().await, None, "on {sku}");
        b.click_to("main a[href='/demo/']", "/demo/").await;
        assert_eq!(b.prompt_title().await, None, "back on the list after {sku}");
    }
    nothing_stored_after_leaving(&b, &shop).await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn picking_sizes_back_and_forth_is_staying_on_the_product() {
    // The size picked goes in the address with replaceState, as Shopify's themes put the
    // variant (?variant=...): the same page, however often the shopper changes their mind.
    let (shop, b) = debugged_at(BOOTS).await;
    for size in ["42", "43", "42", "43", "42"] {
        b.click(&format!("#sizes input[value='{size}']")).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        b.js("return location.search").await,
        "?sku=summit-boots&size=42"
    );
    tokio::time::sleep(Duration::from_millis(1300)).await;
    quiet_to_the_end(b, &shop, BOOTS, "neither a quick back nor a loop").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn back_from_the_cart_to_the_size_just_picked_is_a_quick_back() {
    // The size picker replaces the query in place (?sku=...&size=43): Back from the cart
    // comes to that address, and it is the product page the shopper left two seconds ago.
    let (_shop, b) = debugged_at(BOOTS).await;
    b.click("#sizes input[value='43']").await;
    b.wait_js(
        "the size in the address",
        "return location.search === '?sku=summit-boots&size=43'",
    )
    .await;
    b.click_to(".cart-link", "/demo/cart/").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    b.back_to("/demo/product/").await;
    assert_eq!(
        b.js("return location.search").await,
        "?sku=summit-boots&size=43"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let log = b.debug_log().await;
    assert!(
        log.iter()
            .any(|l| l.starts_with("lifeline: signals quick_back")),
        "{log:#?}"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quantity_stepper_pressed_six_times_is_not_rage() {
    let (shop, b) = with_a_cart().await;
    for _ in 0..6 {
        b.click("[aria-label='One more Trail Jacket']").await;
    }
    assert_eq!(quantity(&b, "trail-jacket").await, "7");
    no_prompt_after_the_dead_click_window(&b, "every press changed the cart").await;
    nothing_stored_after_leaving(&b, &shop).await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_photo_carousel_flipped_through_quickly_is_neither_rage_nor_dead() {
    let (shop, b) = debugged_at(BOOTS).await;
    // Next, four times in quick succession, to the last of five photos: each press only
    // scrolls the track (the buttons say whether they can go on once it stops).
    for _ in 0..4 {
        b.click("#photo-next").await;
    }
    b.wait_js(
        "the last photo in view",
        "var t = document.getElementById('photos');\
         return t.scrollLeft + t.clientWidth > t.scrollWidth - 2\
           && document.getElementById('photo-next').getAttribute('aria-disabled') == 'true'\
           && document.getElementById('photo-prev').getAttribute('aria-disabled') == 'false'",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(3000)).await;
    b.click("h1").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    quiet_to_the_end(b, &shop, BOOTS, "every press moved the photos").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn photos_looked_at_one_by_one_are_not_a_repeated_action() {
    // Next, pressed three times over a few seconds, each photo looked at: the same button
    // pressed again, but it submits nothing (only a form and its submit button are actions).
    let (shop, b) = debugged_at(BOOTS).await;
    for _ in 0..3 {
        b.click("#photo-next").await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    assert_eq!(
        b.js("var t = document.getElementById('photos'); return Math.round(t.scrollLeft / t.clientWidth)")
            .await,
        3
    );
    quiet_to_the_end(b, &shop, BOOTS, "three photos looked at").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn double_and_triple_clicks_that_select_the_total_are_neither_dead_nor_rage() {
    let (shop, b) = with_a_cart().await;
    b.double_then_triple_click("#total").await;
    assert_eq!(
        b.js("return String(getSelection()).trim().length > 0")
            .await,
        true,
        "the browser selected the text"
    );
    no_prompt_after_the_dead_click_window(&b, "selecting text is neither dead nor rage").await;
    nothing_stored_after_leaving(&b, &shop).await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_prompt_keeps_clear_of_the_button_pressed() {
    let shop = Shop::start().await;
    let b = Browser::start().await;
    b.client.set_window_size(390, 844).await.unwrap();
    add_to_cart_and_open_it(&b, &shop).await;
    // Apply low on the screen (just above the sticky checkout bar), where a phone's prompt
    // would sit.
    b.js("document.getElementById('apply-promo').scrollIntoView({block: 'end'}); scrollBy(0, 100); return true;")
        .await;
    rage_on_apply(&b).await;
    b.wait_prompt("Trouble with your promo code?").await;
    b.screenshot("phone-promo-help").await;
    let covered = b.prompt_covers("#apply-promo").await;
    assert!(covered < 1.0, "the prompt covers {covered} px² of Apply");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_touch_phone_taps_are_judged_as_clicks_and_rules_for_phones_apply() {
    let shop = Shop::start().await;
    // The demo's rules and one for phones only: a tip on product pages.
    let mut rules: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(lifeline_e2e::root().join("www/demo/rules.json")).unwrap(),
    )
    .unwrap();
    rules["prompts"]["phone_tip"] = serde_json::json!({"kind": "help",
        "text": {"title": "Swipe for more photos", "body": "Or use the arrows under the photo."}});
    rules["rules"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"id": "phone-photos",
        "when": {"page": {"prefix": "/demo/product/"}, "device": ["mobile"]},
        "then": {"prompt": "phone_tip"}}));
    rules["limits"]["min_gap_s"] = serde_json::json!(0);
    shop.put_rules(&rules.to_string()).await;
    let b = Browser::start().await;
    b.phone().await;
    b.open(&shop.url("/demo/product/?sku=day-pack")).await;
    assert_eq!(
        b.js("return [matchMedia('(pointer: coarse)').matches, navigator.maxTouchPoints > 0, innerWidth]")
            .await,
        serde_json::json!([true, true, 390]),
        "a phone, as the page sees it"
    );
    b.wait_prompt("Swipe for more photos").await;
    b.click_in_prompt("[data-ll=close]").await;
    // Taps on the photos' Next scroll the track: judged as clicks, and answered.
    b.tap("[data-sku=day-pack]").await;
    for _ in 0..4 {
        b.tap("#photo-next").await;
    }
    b.wait_js(
        "the last photo after four taps",
        "var t = document.getElementById('photos'); return t.scrollLeft + t.clientWidth > t.scrollWidth - 2",
    )
    .await;
    b.js("location.href = '/demo/cart/'; return true").await;
    b.wait_js(
        "the cart",
        "return location.pathname == '/demo/cart/' && window.__lifeline_running === true",
    )
    .await;
    // Six taps on the quantity stepper: every one changes the cart, none is rage.
    for _ in 0..6 {
        b.tap("[aria-label='One more Day Pack 24L']").await;
    }
    assert_eq!(quantity(&b, "day-pack").await, "7");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        b.prompt_title().await,
        None,
        "the stepper's taps are not rage"
    );
    // Taps on the dead Apply in quick succession are rage taps: help, clear of Apply.
    for _ in 0..4 {
        b.tap("#apply-promo").await;
    }
    b.wait_prompt("Trouble with your promo code?").await;
    let covered = b.prompt_covers("#apply-promo").await;
    assert!(covered < 1.0, "the prompt covers {covered} px² of Apply");
    b.screenshot("phone-taps").await;
    shop.wait_stored("the phone tip, shown", |s| has(s, "phone-photos", "shown"))
        .await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_the_browser_prerenders_starts_the_agent_only_when_the_visitor_goes_there() {
    let (shop, b) = debugged_at("/demo/").await;
    // Speculation rules, as shops add them to load a product page before the visitor
    // clicks (on hover, say): the browser prerenders it, scripts and all.
    b.js(r#"var s = document.createElement("script"); s.type = "speculationrules";
            s.textContent = JSON.stringify({prerender: [{source: "list", urls: ["/demo/product/?sku=camp-mug"]}]});
            document.head.appendChild(s); return true;"#)
        .await;
    let started = std::time::Instant::now();
    while !shop
        .requests()
        .iter()
        .any(|r| r.uri.starts_with("/agent-") && r.uri.ends_with(".wasm"))
        || !shop
            .requests()
            .iter()
            .any(|r| r.uri == "/demo/product/?sku=camp-mug")
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the browser did not prerender the page: {:#?}",
            shop.requests()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Long enough for an agent to start there and count a page view.
    tokio::time::sleep(Duration::from_secs(2)).await;
    b.click_to("a[href='/demo/product/?sku=camp-mug']", "/demo/product/")
        .await;
    assert_eq!(
        b.js("return performance.getEntriesByType('navigation')[0].activationStart > 0")
            .await,
        true,
        "the page shown is the one prerendered"
    );
    assert_eq!(
        b.js("return window.__prerendering || []").await,
        serde_json::json!([]),
        "nothing of the agent ran while the page was prerendered"
    );
    b.wait_js(
        "the agent's page view, after the visitor arrived",
        "return (window.__info || []).indexOf('lifeline: page view /demo/product/?sku=camp-mug') >= 0",
    )
    .await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_come_with_the_wasm_revalidate_without_a_preflight_and_reports_go_once() {
    let (shop, b) = with_a_cart().await;
    // On the cart page (the second the agent loaded): the rules were asked for before the
    // wasm had arrived.
    let parallel = b
        .js("var r = performance.getEntriesByType('resource');\
             var rules = r.find(function (e) { return e.name.indexOf('/v1/sites/demo/rules') >= 0; });\
             var wasm = r.find(function (e) { return /agent-[0-9a-f]+\\.wasm/.test(e.name); });\
             return !!rules && !!wasm && rules.startTime < wasm.responseEnd;")
        .await;
    assert_eq!(parallel, true, "the rules were fetched while the wasm came");
    rage_on_apply(&b).await;
    b.wait_prompt("Trouble with your promo code?").await;
    b.click_in_prompt("button.close").await;
    leave(&b, &shop).await;
    shop.wait_stored("the decision", |s| has(s, "promo-rage", "dismissed"))
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let requests = shop.requests();
    assert!(
        requests.iter().all(|r| r.method != "OPTIONS"),
        "no preflight: {requests:#?}"
    );
    let rules: Vec<_> = requests
        .iter()
        .filter(|r| r.uri.starts_with("/v1/sites/demo/rules"))
        .collect();
    assert!(rules.len() >= 2, "{rules:#?}");
    assert!(
        rules[1..]
            .iter()
            .all(|r| r.if_none_match.is_some() && r.status == 304),
        "later pages revalidate through the browser's cache: {rules:#?}"
    );
    // Each report went out once (the page's hiding and leaving send one beacon).
    let mut keys: Vec<String> = requests
        .iter()
        .filter(|r| r.method == "POST" && r.uri.ends_with("/reports"))
        .flat_map(|r| {
            let batch: lifeline_shared::wire::ReportBatch = serde_json::from_str(&r.body).unwrap();
            batch.items.into_iter().map(|i| i.key)
        })
        .collect();
    let sent = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(
        (sent, keys.len()),
        (2, 2),
        "shown and dismissed, each sent once"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_the_collector_does_not_know_says_in_the_console_what_to_run() {
    let shop = Shop::start().await;
    shop.tag_site("northwind");
    shop.capture_console(true);
    let b = Browser::start().await;
    b.client.goto(&shop.url("/demo/")).await.unwrap();
    b.wait_js(
        "the agent's warning",
        "return (window.__info || []).some(function (m) { return m.indexOf('lifeline:') >= 0; })",
    )
    .await;
    let log = b.debug_log().await;
    assert!(
        log.iter().any(|m| m.starts_with("warn: lifeline: the collector at ")
            && m.contains("has no site \"northwind\": add it with `lifeline-collector site add northwind --origin http://127.0.0.1:")),
        "{log:#?}"
    );
    assert_eq!(b.prompt_title().await, None);
    b.click("[data-sku=trail-jacket]").await; // the shop works on
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_link_inside_a_web_component_is_a_link_not_a_dead_click() {
    let (shop, b) = with_a_cart().await;
    // The theme's <nw-help-link> holds its <a> in an open shadow root; it jumps to a note
    // already on screen, so nothing on the page changes.
    b.click_where("document.querySelector('nw-help-link').shadowRoot.querySelector('a')")
        .await;
    assert_eq!(
        b.js("return location.hash").await,
        "#returns",
        "the link was followed"
    );
    no_prompt_after_the_dead_click_window(
        &b,
        "a dead click on the cart would bring the promo help",
    )
    .await;
    nothing_stored_after_leaving(&b, &shop).await;
    b.close().await;
}
