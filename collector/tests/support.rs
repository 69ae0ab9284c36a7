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
    assert_eq!(content.personas[0].voices[0].greeting, "Hi, I'm Ana");

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
