//! Web Push: a member of staff's browser subscribes; an alert for them is POSTed to its push
//! service (here a local endpoint, as no push service is reachable) encrypted for the
//! subscription's keys (RFC 8291) and signed with the site's VAPID key (RFC 8292): the
//! endpoint decrypts it with the subscription's private key. A push service that forgot
//! the subscription (410) makes the collector forget it too.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use common::{Collector, as_staff, error, json};
use lifeline_collector::Settings;
use lifeline_collector::push;
use lifeline_collector::store::{Role, Store};

const RULES: &str = common::ALERT_RULES;

/// A push service on this machine: what it was sent, by path; `/gone` answers 410.
type Received = Arc<Mutex<Vec<(String, HeaderMap, Vec<u8>)>>>;

async fn push_service() -> (String, Received) {
    let got: Received = Arc::default();
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/{*path}",
        axum::routing::post(
            move |axum::extract::Path(path): axum::extract::Path<String>,
                  headers: HeaderMap,
                  body: axum::body::Bytes| {
                let keep = keep.clone();
                async move {
                    keep.lock()
                        .unwrap()
                        .push((path.clone(), headers, body.to_vec()));
                    if path == "gone" {
                        StatusCode::GONE
                    } else {
                        StatusCode::CREATED
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://127.0.0.1:{}", addr.port()), got)
}

/// A browser's subscription: its private key, auth secret, and the JSON it sends.
fn browser(endpoint: &str) -> (p256::SecretKey, [u8; 16], String) {
    let key = push::new_key().unwrap();
    let auth = [9u8; 16];
    let json = serde_json::json!({"endpoint": endpoint, "expirationTime": null,
        "keys": {"p256dh": push::public_b64(&key.public_key()), "auth": B64.encode(auth)}});
    (key, auth, json.to_string())
}

fn decision(visit: &str) -> String {
    common::decision(visit, "payment-trouble", 80)
}

async fn wait_for(got: &Received, n: usize) -> Vec<(String, HeaderMap, Vec<u8>)> {
    for _ in 0..100 {
        if got.lock().unwrap().len() >= n {
            return got.lock().unwrap().clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{n} pushes within 5 s, got {}", got.lock().unwrap().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_reaches_the_phone_of_the_member_of_staff_it_is_for_encrypted_and_signed() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    let ana = c.staff("ana", Role::Agent, true).await;
    let bo = c.staff("bo", Role::Agent, false).await;
    let (service, got) = push_service().await;

    let key = json(
        c.send(as_staff(&ana, "GET", "/v1/staff/sites/shop/push", ""))
            .await,
    )
    .await;
    let public = key["public_key"].as_str().unwrap().to_owned();
    assert_eq!(
        B64.decode(&public).unwrap().len(),
        65,
        "an uncompressed P-256 point"
    );

    let (phone, auth, subscription) = browser(&format!("{service}/ana-phone"));
    let r = c
        .send(as_staff(
            &ana,
            "POST",
            "/v1/staff/sites/shop/push",
            &subscription,
        ))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let bo_sub = browser(&format!("{service}/bo-phone")).2;
    let r = c
        .send(as_staff(&bo, "POST", "/v1/staff/sites/shop/push", &bo_sub))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // Bad subscriptions: refused, each at its path.
    let (_, _, good) = browser("https://push.example/x");
    for (bad, path) in [
        (
            good.replace("https://push.example/x", "http://push.example/x"),
            "endpoint",
        ),
        (good.replace(r#""auth":""#, r#""auth":"AA"#), "keys.auth"),
    ] {
        let r = c
            .send(as_staff(&ana, "POST", "/v1/staff/sites/shop/push", &bad))
            .await;
        let (code, at) = error(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((code.as_str(), at.as_str()), ("invalid", path));
    }
    let r = c
        .send(c.admin("POST", "/v1/staff/sites/shop/push", good))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "the admin token is nobody's phone"
    );

    assert_eq!(
        c.post_reports(&decision("v1")).await.status(),
        StatusCode::ACCEPTED
    );
    let pushed = wait_for(&got, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        got.lock().unwrap().len(),
        1,
        "only the phone of the one it is with"
    );
    let (path, headers, body) = &pushed[0];
    assert_eq!(path, "ana-phone");
    assert_eq!(headers["content-encoding"], "aes128gcm");
    assert_eq!(headers["ttl"], "600");
    assert_eq!(headers["urgency"], "high");
    let endpoint = format!("{service}/ana-phone");
    let vapid = headers["authorization"].to_str().unwrap();
    let claims = push::verify_vapid(vapid, &endpoint).expect("signed with the key it names");
    assert!(vapid.ends_with(&format!("k={public}")), "the site's key");
    assert_eq!(claims["aud"], service.as_str());
    let plain = push::decrypt(&phone, &auth, body).expect("decrypted with the phone's key");
    let note: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(note["title"], "shop: a visitor needs help");
    assert!(note["body"].as_str().unwrap().contains("/checkout/payment"));
    assert!(note["url"].as_str().unwrap().ends_with("/dashboard/"));
    assert!(
        !String::from_utf8_lossy(body).contains("checkout"),
        "nothing readable on the way"
    );

    // A push service that forgot the phone: the collector forgets it too.
    let (_, _, gone) = browser(&format!("{service}/gone"));
    c.send(as_staff(&ana, "POST", "/v1/staff/sites/shop/push", &gone))
        .await;
    assert_eq!(
        c.post_reports(&decision("v2")).await.status(),
        StatusCode::ACCEPTED
    );
    wait_for(&got, 3).await;
    for _ in 0..100 {
        let subs = c.store.push_subscriptions("shop").await.unwrap();
        if subs.iter().all(|(_, s)| !s.endpoint.ends_with("/gone")) {
            assert_eq!(subs.len(), 2);
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the gone subscription was kept");
}
