//! Support content: served apart from the rules, whole and compact, with its ETag, only to
//! the site's pages; a new rules version serves its own at once.

#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Collector, ORIGIN, bytes, error};
use lifeline_collector::Settings;

const WITH_SUPPORT: &str = r#"{
  "version": 1,
  "support": {
    "articles": [{"id": "card-declined", "title": "My card was declined",
                  "body": "Check the expiry date.", "keywords": ["card"],
                  "applies": {"pages": [{"prefix": "/payment"}]}}],
    "personas": [{"id": "ana", "name": "Ana", "voices": {"en": {"greeting": "Hi, I'm Ana"}}}],
    "escalation": {"channels": ["email"], "email": "help@shop.example"}
  }
}"#;

fn support(headers: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::get("/v1/sites/shop/support");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn support_content_is_served_compact_with_an_etag_to_the_sites_pages_only() {
    let c = Collector::new(Settings::default()).await;
    let (code, _) = error(
        c.send(support(&[("origin", ORIGIN)])).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(code, "no_rules");
    c.put_rules(common::RULES).await;
    let (code, _) = error(
        c.send(support(&[("origin", ORIGIN)])).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(code, "no_support", "rules without a support section");

    c.put_rules(WITH_SUPPORT).await;
    let r = c.send(support(&[("origin", ORIGIN)])).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "a new version is served at once"
    );
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let content = lifeline_support::codec::decode(&bytes(r).await).expect("decodes");
    assert_eq!(content.articles[0].id, "card-declined");
    let voice = &content.personas[0].voices[0].view;
    assert!(voice.contains(r#""greeting":"Hi, I'm Ana""#), "{voice}");

    let r = c
        .send(support(&[("origin", ORIGIN), ("if-none-match", &etag)]))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);

    let r = c.send(support(&[("origin", "https://evil.example")])).await;
    let (code, _) = error(r, StatusCode::FORBIDDEN).await;
    assert_eq!(code, "origin_not_allowed");

    // Rolling back to the version without support stops serving it.
    let r = c
        .send(c.admin(
            "POST",
            "/v1/admin/sites/shop/rules/versions/1/activate",
            Body::empty(),
        ))
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let (code, _) = error(
        c.send(support(&[("origin", ORIGIN)])).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(code, "no_support");
}

fn step(
    key: &str,
    page: &str,
    event: &str,
    persona: &str,
    article: Option<&str>,
) -> serde_json::Value {
    serde_json::json!({"key": key, "at": 1, "page": page, "report": {"type": "support",
        "rule": "visitor", "prompt": "support", "event": event, "persona": persona,
        "article": article, "guide": null, "step": null,
        "channel": if event == "escalated" { Some("email") } else { None }}})
}

#[tokio::test]
async fn support_steps_are_stored_listed_and_counted_by_page_article_and_persona() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(WITH_SUPPORT).await;
    let items = vec![
        step("a:1", "/payment/", "started", "ana", None),
        step("a:2", "/payment/", "article", "ana", Some("card-declined")),
        step("a:3", "/payment/", "resolved", "ana", Some("card-declined")),
        step("b:1", "/payment/", "started", "ana", None),
        step("b:2", "/payment/", "article", "ana", Some("card-declined")),
        step("b:3", "/payment/", "failed", "ana", Some("card-declined")),
        step(
            "b:4",
            "/payment/",
            "escalated",
            "ana",
            Some("card-declined"),
        ),
        step("c:1", "/cart/", "started", "max", None),
        step("c:2", "/cart/", "failed", "max", None),
    ];
    let body = serde_json::json!({"session": "s1", "items": items}).to_string();
    assert_eq!(c.post_reports(&body).await.status(), StatusCode::ACCEPTED);

    let r = c
        .send(c.admin(
            "GET",
            "/v1/admin/sites/shop/support?page=%2Fpayment%2F",
            Body::empty(),
        ))
        .await;
    let listed = common::json(r).await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 7);
    assert_eq!(items[0]["type"], "support");
    assert_eq!(items[0]["outcome"], "escalated");
    assert_eq!(items[0]["channel"], "email");
    assert_eq!(items[0]["article"], "card-declined");

    let stats = common::json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/stats", Body::empty()))
            .await,
    )
    .await;
    let support = &stats["support"];
    assert_eq!(
        support["pages"][0],
        serde_json::json!({"name": "/payment/", "started": 2, "opened": 2, "resolved": 1,
            "failed": 1, "escalated": 1, "resolution_rate": 0.5})
    );
    assert_eq!(support["pages"][1]["resolution_rate"], 0.0);
    assert_eq!(support["articles"][0]["name"], "card-declined");
    assert_eq!(support["articles"][0]["resolution_rate"], 0.5);
    let personas: Vec<&str> = support["personas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(personas, ["ana", "max"]);

    let csv = bytes(
        c.send(c.admin(
            "GET",
            "/v1/admin/sites/shop/support?format=csv",
            Body::empty(),
        ))
        .await,
    )
    .await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.starts_with(
            "id,received,at,session,page,rule,prompt,event,persona,article,guide,step,channel\r\n"
        ),
        "{csv}"
    );
    assert!(
        csv.contains(",visitor,support,escalated,ana,card-declined,,,email\r\n"),
        "{csv}"
    );
}

#[tokio::test]
async fn a_support_step_with_free_text_where_ids_go_is_refused() {
    let c = Collector::new(Settings::default()).await;
    let mut bad = step(
        "a:1",
        "/payment/",
        "article",
        "ana",
        Some("my card number 4111"),
    );
    bad["report"]["article"] = serde_json::json!("my card number 4111");
    let body = serde_json::json!({"session": "s1", "items": [bad]}).to_string();
    let (code, path) = error(
        c.post_reports(&body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        (code.as_str(), path.as_str()),
        ("invalid", "items[0].report")
    );
}
