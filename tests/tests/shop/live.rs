//! The shop's staff in real time, with two browsers: a visitor struggles to pay, and the
//! staff member's dashboard shows the alert within two seconds with the page, band and
//! signals (nothing the visitor typed), to be acknowledged once.

use std::time::{Duration, Instant};

use lifeline_collector::store::{AlertState, Role, Store};
use lifeline_e2e::{Browser, Shop};

use super::{add_to_cart_and_open_it, rage_on_apply, to_payment, with_a_cart};

/// The open alerts' rows on the dashboard, as text.
const ROWS: &str = "return Array.from(document.querySelectorAll('#alerts tbody tr')).map(function (r) { return Array.from(r.cells).map(function (c) { return c.textContent; }); })";

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_struggling_to_pay_reaches_the_staff_dashboard_within_two_seconds() {
    let (shop, visitor) = with_a_cart().await;
    let ana = shop.add_staff("ana", Role::Agent).await;

    // Ana opens the dashboard with her own token: live only, online while it is open.
    let staff = Browser::start().await;
    staff.client.goto(&shop.url("/dashboard/")).await.unwrap();
    staff.type_into("#token", &ana).await;
    staff.click("button[type=submit]").await;
    staff
        .wait_js(
            "ana online",
            "return Array.from(document.querySelectorAll('#staff tbody tr')).some(function (r) { return r.cells[0].textContent === 'ana' && r.cells[2].textContent === 'online'; })",
        )
        .await;
    assert_eq!(
        staff
            .js("return document.querySelector('.admin-only').hidden")
            .await,
        true,
        "a member of staff sees the live panel, not the admin's figures"
    );

    to_payment(&visitor).await;
    visitor.type_into("#first", "Philippa").await;
    for _ in 0..3 {
        visitor.click("#place-order").await; // declined each time
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    let shown = Instant::now();
    visitor
        .wait_support(
            "the support session",
            "return !!root && !!root.querySelector('h2')",
        )
        .await;
    staff
        .wait_js(
            "the alert on the dashboard",
            "return !!document.querySelector('#alerts tbody th')",
        )
        .await;
    let took = shown.elapsed();
    assert!(took < Duration::from_secs(2), "the alert took {took:?}");
    let rows = staff.js(ROWS).await;
    let row = &rows[0];
    assert_eq!(row[1], "/demo/payment/");
    assert_eq!(row[2], "payment-support");
    assert!(
        row[4].as_str().unwrap().contains("repeated_action"),
        "{rows}"
    );
    assert_eq!(row[6], "ana", "routed to the one online");
    assert!(
        !rows.to_string().contains("Philippa"),
        "nothing the visitor typed"
    );
    assert_eq!(
        staff
            .js("return document.getElementById('status').textContent")
            .await,
        "New alert: /demo/payment/ (payment-support)",
        "announced"
    );
    staff.screenshot("live-alert").await;
    assert_eq!(staff.axe().await, Vec::<String>::new());

    staff.click("#alerts button").await;
    staff
        .wait_js(
            "the alert taken up",
            "return !!document.querySelector('#alerts .empty')",
        )
        .await;
    let alerts = shop.alerts().await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        (alerts[0].state, alerts[0].acked_by.as_deref()),
        (AlertState::Acknowledged, Some("ana"))
    );
    staff.close().await;
    visitor.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_is_offered_when_the_collector_says_someone_of_the_staff_is_online() {
    let shop = Shop::start().await;
    shop.put_rules(
        r#"{"version": 1,
            "prompts": {"chat": {"kind": "chat_offer", "text": {"title": "Talk to us?"}}},
            "rules": [{"id": "cart-chat", "when": {"page": {"exact": "/demo/cart/"},
                       "signals": {"any": ["rage_click", "dead_click"]}}, "then": {"prompt": "chat"}}]}"#,
    )
    .await;
    shop.add_staff("ana", Role::Agent).await;
    shop.online("ana").await;
    let b = Browser::start().await;
    // The cart page does not say whether anyone is online (agentsOnline): the collector does.
    add_to_cart_and_open_it(&b, &shop).await;
    let started = Instant::now();
    while !shop
        .requests()
        .iter()
        .any(|r| r.uri == "/v1/sites/demo/availability")
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "availability asked"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    rage_on_apply(&b).await;
    b.wait_prompt("Talk to us?").await;
    let asked: Vec<_> = shop
        .requests()
        .into_iter()
        .filter(|r| r.uri.ends_with("/availability"))
        .collect();
    assert!(
        asked.iter().all(|r| r.method == "GET" && r.body.is_empty()),
        "nothing of the visitor's: {asked:?}"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_installs_as_an_app_and_its_service_worker_shows_a_pushed_alert() {
    let shop = Shop::start().await;
    let ana = shop.add_staff("ana", Role::Agent).await;
    let staff = Browser::start().await;
    staff.client.goto(&shop.url("/dashboard/")).await.unwrap();
    // Installable: a manifest with a standalone display, a start URL and icons.
    let manifest = staff
        .js("return fetch(document.querySelector('link[rel=manifest]').href).then(function (r) { return r.json(); })")
        .await;
    assert_eq!(
        (&manifest["display"], &manifest["start_url"]),
        (&"standalone".into(), &"/dashboard/".into())
    );
    let sizes: Vec<&str> = (manifest["icons"].as_array().unwrap().iter())
        .map(|i| i["sizes"].as_str().unwrap())
        .collect();
    assert_eq!(sizes, ["192x192", "512x512"]);
    for icon in ["/dashboard/icon-192.png", "/dashboard/icon-512.png"] {
        let ok = staff
            .js(&format!("return fetch('{icon}').then(function (r) {{ return r.ok && r.headers.get('content-type'); }})"))
            .await;
        assert_eq!(ok, "image/png");
    }

    staff.type_into("#token", &ana).await;
    staff.click("button[type=submit]").await;
    staff
        .wait_js(
            "the service worker active",
            "return navigator.serviceWorker.ready.then(function (r) { return !!r.active && !document.getElementById('push').hidden; })",
        )
        .await;
    staff
        .cdp(
            "Browser.grantPermissions",
            serde_json::json!({"permissions": ["notifications"], "origin": shop.base}),
        )
        .await;
    // What the collector pushes (tests/push.rs decrypts it), delivered by DevTools as a push
    // service would: shown as a notification, its texts as text.
    let payload = serde_json::json!({"title": "demo: a visitor needs help",
        "body": "/demo/payment/ — repeated_action (payment-support, band high; value 80 %) <b>",
        "url": format!("{}/dashboard/", shop.base), "tag": "alert-1"});
    staff
        .cdp("ServiceWorker.enable", serde_json::json!({}))
        .await;
    // The registration's id is DevTools' own (a small number in a new profile).
    futures_util::future::join_all((0..8).map(|id| {
        staff.try_cdp(
            "ServiceWorker.deliverPushMessage",
            serde_json::json!({"origin": shop.base, "registrationId": id.to_string(), "data": payload.to_string()}),
        )
    }))
    .await;
    staff
        .wait_js(
            "the notification",
            "return navigator.serviceWorker.ready.then(function (r) { return r.getNotifications(); }).then(function (l) { return l.length === 1; })",
        )
        .await;
    let shown = staff
        .js("return navigator.serviceWorker.ready.then(function (r) { return r.getNotifications(); }).then(function (l) { return [l[0].title, l[0].body, l[0].tag]; })")
        .await;
    assert_eq!(
        shown,
        serde_json::json!([
            "demo: a visitor needs help",
            "/demo/payment/ — repeated_action (payment-support, band high; value 80 %) <b>",
            "alert-1"
        ])
    );

    // Turning alerts on here asks the browser's push service, which this machine cannot
    // reach: the member of staff is told so, plainly, and nothing is kept.
    staff.click("#push").await;
    staff
        .wait_js(
            "an answer",
            "return document.getElementById('status').textContent.indexOf('Alerts on this device') === 0",
        )
        .await;
    let status = staff
        .js("return document.getElementById('status').textContent")
        .await;
    let subscriptions = shop.store().push_subscriptions("demo").await.unwrap();
    match status.as_str().unwrap() {
        "Alerts on this device are on" => assert_eq!(subscriptions.len(), 1),
        other => {
            assert!(
                other.starts_with("Alerts on this device could not be turned on: "),
                "{other}"
            );
            assert!(subscriptions.is_empty());
            assert_eq!(
                staff
                    .js("return document.getElementById('push').getAttribute('aria-pressed')")
                    .await,
                "false"
            );
        }
    }
    assert_eq!(staff.axe().await, Vec::<String>::new());
    staff.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_charts_prompts_use_and_feedback_over_time_and_fits_a_phone() {
    let shop = Shop::start().await;
    let now = lifeline_collector::now_ms();
    let decision = |key: &str, rule: &str, page: &str, outcome: Option<&str>| {
        serde_json::json!({"key": key, "at": 1, "page": page, "report": {"type": "decision",
            "rule": rule, "prompt": "promo_help", "kind": "help", "outcome": outcome,
            "band": "high", "signals": ["rage_click"]}})
    };
    for (n, days_ago) in [0u64, 0, 1, 3].into_iter().enumerate() {
        let batch = serde_json::json!({"session": format!("visit{n}"), "items": [
            decision(&format!("k{n}a"), "promo-rage", "/demo/cart/", None),
            decision(&format!("k{n}b"), "promo-rage", "/demo/cart/", Some("engaged")),
            decision(&format!("k{n}c"), "shipping-confusion", "/demo/shipping/", None)]});
        shop.store()
            .ingest(
                "demo",
                serde_json::from_value(batch).unwrap(),
                now - days_ago * 86_400_000,
            )
            .await
            .unwrap();
    }
    let admin = Browser::start().await;
    admin.client.goto(&shop.url("/dashboard/")).await.unwrap();
    admin.type_into("#token", &shop.token).await;
    admin.click("button[type=submit]").await;
    admin
        .wait_js(
            "three charts",
            "return document.querySelectorAll('#charts figure canvas').length === 3",
        )
        .await;
    let label = admin
        .js("return document.querySelector('#charts [role=img]').getAttribute('aria-label')")
        .await;
    assert_eq!(
        label,
        "Prompts shown per rule, per day, totals: promo-rage 4, shipping-confusion 4"
    );
    // The numbers behind the chart, as a table: today's row has two of each.
    let today = admin
        .js("var rows = document.querySelector('#charts details table').tBodies[0].rows; var r = rows[rows.length - 1]; return Array.from(r.cells).slice(1).map(function (c) { return c.textContent; })")
        .await;
    assert_eq!(today, serde_json::json!(["2", "2"]));
    // By page, and by the hour.
    admin
        .js("var s = document.getElementById('chart-by'); s.value = 'page'; s.dispatchEvent(new Event('change')); return true")
        .await;
    admin
        .wait_js(
            "lines by page",
            "return document.querySelector('#charts [role=img]').getAttribute('aria-label').indexOf('/demo/cart/ 4') > 0",
        )
        .await;
    admin
        .js("document.getElementById('charts-title').scrollIntoView(); return true")
        .await;
    admin.screenshot("dashboard-charts").await;
    assert_eq!(admin.axe().await, Vec::<String>::new());
    // A phone: the charts fit the screen.
    admin.viewport(375, 740, 1.0).await;
    admin
        .wait_js(
            "charts within 375 px",
            "return Array.from(document.querySelectorAll('#charts canvas')).every(function (c) { return c.getBoundingClientRect().right <= window.innerWidth; })",
        )
        .await;
    assert_eq!(
        admin
            .js("return document.documentElement.scrollWidth <= window.innerWidth")
            .await,
        true,
        "nothing wider than the phone"
    );
    admin.close().await;
}
