//! The shop's staff in real time, with two browsers: a visitor struggles to pay, and the
//! staff member's dashboard shows the alert within two seconds with the page, band and
//! signals (nothing the visitor typed), to be acknowledged once.

use std::time::{Duration, Instant};

use lifeline_collector::store::{AlertState, Role};
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
