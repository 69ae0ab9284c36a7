//! The shop's staff: their own tokens, presence that expires, availability for pages, and
//! live events over a real server-sent-events connection.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{Collector, ORIGIN, as_staff, error, json};
use lifeline_collector::Settings;
use lifeline_collector::store::{Role, Status, Store};

#[tokio::test]
async fn presence_holds_while_the_heartbeat_does_and_pages_learn_availability() {
    let c = Collector::new(Settings::default()).await;
    let ana = c.add_staff("ana", Role::Agent).await;
    let _bo = c.add_staff("bo", Role::Owner).await;
    let available = || {
        axum::http::Request::get("/v1/sites/shop/availability")
            .header("origin", ORIGIN)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let r = c.send(available()).await;
    assert_eq!(r.headers()["cache-control"], "public, max-age=15");
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    assert_eq!(
        json(r).await,
        serde_json::json!({"available": false, "online": 0})
    );

    let r = c
        .send(as_staff(
            &ana,
            "POST",
            "/v1/staff/sites/shop/presence",
            r#"{"status": "online"}"#,
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json(c.send(available()).await).await["available"], true);
    let list = json(
        c.send(as_staff(&ana, "GET", "/v1/staff/sites/shop/presence", ""))
            .await,
    )
    .await;
    assert_eq!(list["staff"][0]["name"], "ana");
    assert_eq!(list["staff"][0]["status"], "online");
    assert_eq!(list["staff"][1]["status"], "offline");
    assert!(
        list.to_string().find("hash").is_none(),
        "no token hash leaves: {list}"
    );

    // Busy is present, not available; the window passes: offline.
    let now = lifeline_collector::now_ms();
    c.store
        .heartbeat("shop", "ana", Status::Busy, now)
        .await
        .unwrap();
    assert_eq!(json(c.send(available()).await).await["available"], false);
    c.store
        .heartbeat("shop", "ana", Status::Online, now - 61_000)
        .await
        .unwrap();
    let members = c.store.staff("shop", now).await.unwrap();
    assert_eq!(
        members[0].0.status,
        Status::Offline,
        "61 s without a heartbeat"
    );
    let members = c.store.staff("shop", now - 2_000).await.unwrap();
    assert_eq!(members[0].0.status, Status::Online, "59 s after it");
}

#[tokio::test]
async fn staff_tokens_open_their_site_only_and_presence_is_a_persons() {
    let c = Collector::new(Settings::default()).await;
    let ana = c.add_staff("ana", Role::Agent).await;
    let (e, _) = error(
        c.send(as_staff("nope", "GET", "/v1/staff/sites/shop/presence", ""))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(e, "wrong_token");
    let r = c
        .send(
            axum::http::Request::get("/v1/staff/sites/shop/events")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(error(r, StatusCode::UNAUTHORIZED).await.0, "missing_token");
    // The admin token works as an owner's, but presence is a person's.
    let (e, path) = error(
        c.send(c.admin(
            "POST",
            "/v1/staff/sites/shop/presence",
            r#"{"status": "online"}"#,
        ))
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!((e.as_str(), path.as_str()), ("bad_query", "authorization"));
    let (e, path) = error(
        c.send(as_staff(
            &ana,
            "POST",
            "/v1/staff/sites/shop/presence",
            r#"{"status": "asleep"}"#,
        ))
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!((e.as_str(), path.as_str()), ("invalid", "status"));
    // Removed: the token stops working.
    c.store.remove_staff("shop", "ana").await.unwrap();
    let (e, _) = error(
        c.send(as_staff(&ana, "GET", "/v1/staff/sites/shop/presence", ""))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(e, "wrong_token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_and_presence_reach_the_staffs_live_stream() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(common::RULES).await;
    let ana = c.add_staff("ana", Role::Agent).await;
    let mut reader = common::subscribe(&c, &ana).await;

    // A visitor is shown a prompt: the staff see it (the page, band and signals; nothing else).
    let batch = serde_json::json!({"session": "v1", "items": [
        {"key": "v1:1", "at": 1, "page": "/cart", "report": {"type": "decision", "rule": "promo-rage",
         "prompt": "promo_help", "kind": "help", "outcome": null, "band": "high", "signals": ["rage_click"]}},
        {"key": "v1:2", "at": 2, "page": "/cart", "report": {"type": "decision", "rule": "promo-rage",
         "prompt": "promo_help", "kind": "help", "outcome": "dismissed", "band": "high", "signals": ["rage_click"]}}
    ]});
    assert_eq!(
        c.post_reports(&batch.to_string()).await.status(),
        StatusCode::ACCEPTED
    );
    let (kind, seen) = common::next_event(&mut reader).await;
    assert_eq!(
        kind, "decision",
        "the prompt shown; its dismissal is not news"
    );
    assert_eq!(
        (
            seen["session"].as_str(),
            seen["page"].as_str(),
            seen["rule"].as_str(),
            seen["band"].as_str()
        ),
        (Some("v1"), Some("/cart"), Some("promo-rage"), Some("high"))
    );
    assert_eq!(seen["signals"], serde_json::json!(["rage_click"]));
    // The same batch again (a retry): nothing new to see.
    assert_eq!(
        c.post_reports(&batch.to_string()).await.status(),
        StatusCode::ACCEPTED
    );
    let r = c
        .send(as_staff(
            &ana,
            "POST",
            "/v1/staff/sites/shop/presence",
            r#"{"status": "busy"}"#,
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let next = common::next_event(&mut reader).await;
    assert_eq!(
        next,
        (
            "presence".to_owned(),
            serde_json::json!({"type": "presence", "staff": "ana", "status": "busy"})
        ),
        "the retried batch showed nothing twice"
    );
}
