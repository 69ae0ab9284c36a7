//! Feedback triaged while the visitor waits: the answer in the same response, coupons
//! minted within caps and budget, signed attributes verified, potential fraud flagged, the
//! triage queue, known problems and the coupon ledger through the admin API, redemption
//! once under concurrent calls, and the signed webhook — on a real SQLite store.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{Collector, error, json};
use lifeline_collector::Settings;
use lifeline_collector::store::Store;
use lifeline_collector::triage::identity;
use serde_json::{Value, json};

const RULES: &str = r#"{
  "version": 1,
  "prompts": {"ask": {"kind": "feedback", "text": {"title": "How did it go?"}, "feedback": {"scale": "rating", "comment": true}}},
  "scoring": {"value": {"tiers": {"standard": 0.3, "gold": 1.0}}},
  "tasks": [{"name": "checkout", "start": {"mark": "checkout-started"}, "complete": {"mark": "order-complete"}}],
  "feedback": {
    "problems": [
      {"id": "card-declines", "title": "Card payments were declined by mistake",
       "message": "Our payment provider failed this afternoon; it is fixed now.",
       "pages": [{"prefix": "/checkout/payment"}], "signals": ["repeated_action", "rage_click"],
       "keywords": ["card", "payment", "declined"], "disclose": true, "cost": 8}
    ],
    "fraud": {"same_text_visits": 2, "per_address_day": 1000},
    "compensation": {"threshold": 4, "per_visitor": 1, "per_day": 100, "daily_budget": 30,
                     "coupon": {"kind": "amount", "value": 10, "currency": "EUR", "prefix": "SORRY-"}}
  }
}"#;

fn evidence(lang: &str) -> Value {
    json!({"lang": lang, "seconds": 410, "pages": 6, "prompts": 1, "answer_ms": 9000,
           "band": "high", "signals": ["repeated_action"], "here": ["repeated_action"],
           "tasks": [{"task": "checkout", "state": "active", "seconds": 300}]})
}

/// A batch of one feedback.
fn batch(session: &str, key: &str, rating: u8, comment: &str, identity: Option<Value>) -> String {
    let report = json!({"type": "feedback", "rule": "payment-trouble", "prompt": "ask",
        "rating": rating, "thumbs": null, "comment": comment, "evidence": evidence("en")});
    let mut batch = json!({"session": session, "items": [{"key": key, "at": 1,
        "page": "/checkout/payment", "report": report}]});
    if let Some(i) = identity {
        batch["identity"] = i;
    }
    batch.to_string()
}

async fn signed(c: &Collector, attrs: &str) -> Value {
    let key = identity::key(&c.store.secret("shop", false).await.unwrap());
    json!({"attrs": attrs, "signature": identity::sign(&key, "shop", attrs)})
}

fn gold_until_2100() -> &'static str {
    "exp=4102444800&id=c-42&tier=gold"
}

/// A complaint from signed gold customer c-42 in visit `visit`, answered.
async fn gold_complains(c: &Collector, visit: &str, comment: &str) -> Value {
    let body = batch(
        visit,
        &format!("{visit}:1"),
        1,
        comment,
        Some(signed(c, gold_until_2100()).await),
    );
    answer(c, &body).await
}

async fn answer(c: &Collector, body: &str) -> Value {
    let r = c.post_reports(body).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let v = json(r).await;
    v["answers"][0].clone()
}

#[tokio::test]
async fn a_payment_complaint_is_disclosed_and_compensated_and_the_coupon_redeemed_once() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    let id = signed(&c, gold_until_2100()).await;
    let a = answer(
        &c,
        &batch(
            "v1",
            "v1:1",
            1,
            "My card was declined three times",
            Some(id),
        ),
    )
    .await;
    assert_eq!(a["key"], "v1:1");
    assert_eq!(
        a["title"],
        "Sorry, this was our fault: Card payments were declined by mistake"
    );
    let text = a["text"].as_str().unwrap();
    assert!(text.starts_with("Our payment provider failed"), "{text}");
    assert!(text.contains("coupon"), "{text}");
    let code = a["coupon"]["code"].as_str().unwrap().to_owned();
    assert!(code.starts_with("SORRY-") && code.len() == 25, "{code}");
    assert_eq!(a["coupon"]["value"], "10.00 EUR off");
    assert!(
        a["coupon"]["expires"]
            .as_str()
            .unwrap()
            .starts_with("Valid until 20")
    );

    // The ledger, the queue and the problems.
    let ledger = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/coupons", ""))
            .await,
    )
    .await;
    assert_eq!(ledger["items"][0]["code"], code.as_str());
    assert_eq!(ledger["items"][0]["state"], "active");
    assert_eq!(ledger["items"][0]["key"], "v1:1");
    assert_eq!(
        ledger["totals"][0],
        json!({"state": "active", "count": 1, "value": 10.0})
    );
    let queue = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/triage?queue=compensated", ""))
            .await,
    )
    .await;
    let row = &queue["items"][0];
    assert_eq!(
        (
            row["problem"].as_str(),
            row["signed"].as_str(),
            row["tier"].as_str()
        ),
        (Some("card-declines"), Some("signed"), Some("gold"))
    );
    assert_eq!(
        (row["outcome"].as_str(), row["disclosed"].as_bool()),
        (Some("coupon"), Some(true))
    );
    let problems = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/problems", ""))
            .await,
    )
    .await;
    assert_eq!(
        problems["problems"][0],
        json!({"problem": "card-declines", "visitors": 1, "feedback": 1, "cost": 8.0, "coupons": 1, "coupon_value": 10.0})
    );

    // Redeemed once; then 409; an unknown code 404.
    let redeem = format!("/v1/admin/sites/shop/coupons/{code}/redeem");
    let r = c.send(c.admin("POST", &redeem, "")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json(r).await["state"], "redeemed");
    let (e, _) = error(
        c.send(c.admin("POST", &redeem, "")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(e, "coupon_not_active");
    let (e, _) = error(
        c.send(c.admin("POST", "/v1/admin/sites/shop/coupons/SORRY-NOPE/redeem", ""))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(e, "unknown_coupon");
}

#[tokio::test]
async fn the_same_comment_from_a_second_visitor_is_potential_fraud_with_no_coupon() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    let text = "Your card payment declined me, terrible service";
    let first = answer(
        &c,
        &batch(
            "v1",
            "v1:1",
            1,
            text,
            Some(signed(&c, gold_until_2100()).await),
        ),
    )
    .await;
    assert!(first["coupon"].is_object());
    let attrs = "exp=4102444800&id=c-77&tier=gold";
    let second = answer(
        &c,
        &batch("v2", "v2:1", 1, text, Some(signed(&c, attrs).await)),
    )
    .await;
    // A neutral answer: what any complaint hears, nothing disclosed, no coupon.
    assert_eq!(
        second["title"],
        "Thank you. We have passed this on to our team."
    );
    assert!(
        second.get("text").is_none() && second.get("coupon").is_none(),
        "{second}"
    );
    let fraud = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/triage?queue=fraud", ""))
            .await,
    )
    .await;
    assert_eq!(fraud["items"].as_array().unwrap().len(), 1);
    assert_eq!(fraud["items"][0]["key"], "v2:1");
    assert_eq!(fraud["items"][0]["reasons"], json!(["same_text:2"]));
    assert_eq!(fraud["items"][0]["outcome"], "neutral");
}

#[tokio::test]
async fn praise_gets_thanks_and_nothing_else() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    let a = answer(
        &c,
        &batch(
            "v1",
            "v1:1",
            5,
            "Lovely boots",
            Some(signed(&c, gold_until_2100()).await),
        ),
    )
    .await;
    assert_eq!(
        a,
        json!({"key": "v1:1", "title": "Thank you for your feedback."})
    );
    let ledger = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/coupons", ""))
            .await,
    )
    .await;
    assert!(ledger["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn signed_attributes_good_tampered_expired_and_absent() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    let complaint = |n: u32| format!("My card was declined ({n})");
    // Tampered: gold claimed over a signature for standard. Refused, flagged, no coupon.
    let mut tampered = signed(&c, "exp=4102444800&id=c-1&tier=standard").await;
    tampered["attrs"] = json!("exp=4102444800&id=c-1&tier=gold");
    let a = answer(&c, &batch("v1", "v1:1", 1, &complaint(1), Some(tampered))).await;
    assert!(a.get("coupon").is_none(), "{a}");
    // Expired gold, and no attributes at all: the lowest tier, 8 x 0.3 under 4: disclosed, no coupon.
    let expired = signed(&c, "exp=1000&id=c-2&tier=gold").await;
    let a = answer(&c, &batch("v2", "v2:1", 1, &complaint(2), Some(expired))).await;
    assert!(
        a["title"].as_str().unwrap().starts_with("Sorry") && a.get("coupon").is_none(),
        "{a}"
    );
    let a = answer(&c, &batch("v3", "v3:1", 1, &complaint(3), None)).await;
    assert!(
        a["title"].as_str().unwrap().starts_with("Sorry") && a.get("coupon").is_none(),
        "{a}"
    );
    // Good and gold: a coupon.
    let a = answer(
        &c,
        &batch(
            "v4",
            "v4:1",
            1,
            &complaint(4),
            Some(signed(&c, "exp=4102444800&id=c-4&tier=gold").await),
        ),
    )
    .await;
    assert!(a["coupon"].is_object(), "{a}");

    let all = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/triage", ""))
            .await,
    )
    .await;
    let by_key = |k: &str| {
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == k)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            by_key("v1:1")["signed"].as_str(),
            by_key("v1:1")["fraud"].as_bool()
        ),
        (Some("bad"), Some(true))
    );
    assert_eq!(by_key("v1:1")["reasons"], json!(["bad_signature"]));
    assert_eq!(by_key("v2:1")["signed"], "expired");
    assert_eq!(by_key("v3:1")["signed"], "unsigned");
    assert_eq!(
        (
            by_key("v4:1")["signed"].as_str(),
            by_key("v4:1")["tier"].as_str()
        ),
        (Some("signed"), Some("gold"))
    );
}

#[tokio::test]
async fn caps_and_the_daily_budget_hold_and_the_visitor_is_told() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    // One coupon per visitor: the same signed customer from another visit gets none.
    let a = gold_complains(&c, "v1", "card declined at payment").await;
    assert!(a["coupon"].is_object());
    let a = answer(
        &c,
        &batch(
            "v2",
            "v2:1",
            2,
            "payment failed with my card again",
            Some(signed(&c, gold_until_2100()).await),
        ),
    )
    .await;
    assert!(a.get("coupon").is_none(), "{a}");
    assert!(
        !a["text"].as_str().unwrap().contains("could not issue"),
        "the cap is not a failure to mint: {a}"
    );
    // The budget of 30 a day: two more customers get 10 each, the fourth is told.
    for n in 2..=3 {
        let attrs = format!("exp=4102444800&id=c-{n}&tier=gold");
        let a = answer(
            &c,
            &batch(
                &format!("w{n}"),
                &format!("w{n}:1"),
                1,
                &format!("card declined number {n}"),
                Some(signed(&c, &attrs).await),
            ),
        )
        .await;
        assert!(a["coupon"].is_object(), "{a}");
    }
    let a = answer(
        &c,
        &batch(
            "w9",
            "w9:1",
            1,
            "my card declined, the ninth",
            Some(signed(&c, "exp=4102444800&id=c-9&tier=gold").await),
        ),
    )
    .await;
    assert!(a.get("coupon").is_none());
    assert!(
        a["text"]
            .as_str()
            .unwrap()
            .ends_with("We could not issue your coupon just now; our team will follow up."),
        "{a}"
    );
    let queue = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/triage", ""))
            .await,
    )
    .await;
    let outcomes: Vec<&str> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        [
            "not_minted:budget",
            "coupon",
            "coupon",
            "not_minted:visitor_cap",
            "coupon"
        ]
    );
    let ledger = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/coupons?state=active", ""))
            .await,
    )
    .await;
    assert_eq!(
        ledger["totals"],
        json!([{"state": "active", "count": 3, "value": 30.0}])
    );
}

#[tokio::test]
async fn a_feedback_sent_again_gets_the_same_answer_and_no_second_coupon() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    let body = batch(
        "v1",
        "v1:1",
        1,
        "card declined",
        Some(signed(&c, gold_until_2100()).await),
    );
    let first = answer(&c, &body).await;
    let r = c.post_reports(&body).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let again = json(r).await;
    assert_eq!(
        (again["stored"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(again["answers"][0], first);
    let ledger = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/coupons", ""))
            .await,
    )
    .await;
    assert_eq!(ledger["items"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_redeem_calls_answer_once() {
    let c = std::sync::Arc::new(Collector::new(Settings::default()).await);
    c.put_rules(RULES).await;
    let a = gold_complains(&c, "v1", "card declined").await;
    let code = a["coupon"]["code"].as_str().unwrap().to_owned();
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let (c, code) = (c.clone(), code.clone());
            tokio::spawn(async move {
                let uri = format!("/v1/admin/sites/shop/coupons/{code}/redeem");
                c.send(c.admin("POST", &uri, "")).await.status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for call in calls {
        statuses.push(call.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        15
    );
}

#[tokio::test]
async fn revoked_coupons_cannot_be_redeemed_and_the_ledger_says_so() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    let a = gold_complains(&c, "v1", "card declined").await;
    let code = a["coupon"]["code"].as_str().unwrap();
    let r = c
        .send(c.admin(
            "POST",
            &format!("/v1/admin/sites/shop/coupons/{code}/revoke"),
            "",
        ))
        .await;
    assert_eq!(json(r).await["state"], "revoked");
    let (e, _) = error(
        c.send(c.admin(
            "POST",
            &format!("/v1/admin/sites/shop/coupons/{code}/redeem"),
            "",
        ))
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(e, "coupon_not_active");
    let csv = common::bytes(
        c.send(c.admin("GET", "/v1/admin/sites/shop/coupons?format=csv", ""))
            .await,
    )
    .await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("code,state,problem"), "{csv}");
    assert!(
        csv.contains(&format!("{code},revoked,card-declines,amount,10,EUR")),
        "{csv}"
    );
}

#[tokio::test]
async fn bad_evidence_and_identity_are_refused_with_their_path_and_admin_queries_are_strict() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    let mut b: Value = serde_json::from_str(&batch("v1", "v1:1", 1, "x", None)).unwrap();
    b["items"][0]["report"]["evidence"]["lang"] = json!("<script>");
    let (e, path) = error(
        c.post_reports(&b.to_string()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        (e.as_str(), path.as_str()),
        ("invalid", "items[0].report.evidence.lang")
    );
    let mut b: Value = serde_json::from_str(&batch("v1", "v1:1", 1, "x", None)).unwrap();
    b["items"][0]["report"]["evidence"]["clicks"] = json!([[10, 20]]);
    let r = c.post_reports(&b.to_string()).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v = json(r).await;
    assert_eq!(
        (v["error"].as_str(), v["path"].as_str()),
        (Some("bad_json"), Some("items[0].report"))
    );
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `clicks`"),
        "{v}"
    );
    for (query, name) in [
        ("queue=spam", "queue"),
        ("queue=fraud&queue=fraud", "queue"),
        ("cursor=abc", "cursor"),
        ("state=active", "state"),
    ] {
        let (e, path) = error(
            c.send(c.admin("GET", &format!("/v1/admin/sites/shop/triage?{query}"), ""))
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!((e.as_str(), path.as_str()), ("bad_query", name), "{query}");
    }
    let r = c
        .send(
            axum::http::Request::get("/v1/admin/sites/shop/coupons")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Nothing was stored by the refusals.
    let queue = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/triage", ""))
            .await,
    )
    .await;
    assert!(queue["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn answers_come_in_the_visitors_language() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    let mut b: Value = serde_json::from_str(&batch("v1", "v1:1", 5, "Super", None)).unwrap();
    b["items"][0]["report"]["evidence"]["lang"] = json!("de-AT");
    let a = answer(&c, &b.to_string()).await;
    assert_eq!(a["title"], "Danke für Ihr Feedback.");
}

#[tokio::test]
async fn without_a_feedback_section_feedback_is_stored_untriaged() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(common::RULES).await;
    let r = c
        .post_reports(&batch("v1", "v1:1", 1, "card declined", None))
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let v = json(r).await;
    assert!(v.get("answers").is_none(), "{v}");
    let stored = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/feedback", ""))
            .await,
    )
    .await;
    assert_eq!(stored["items"][0]["comment"], "card declined");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_coupon_minted_is_told_to_the_sites_webhook_signed() {
    use axum::http::HeaderMap;
    // The shop's platform: a real HTTP server on this machine.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(HeaderMap, String)>();
    let hook = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((headers, body));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, hook).await });

    let c = Collector::new(Settings::default()).await;
    let rules = RULES.replace(
        r#""per_visitor": 1,"#,
        &format!(r#""per_visitor": 1, "webhook": "http://127.0.0.1:{port}/hook","#),
    );
    c.put_rules(&rules).await;
    let a = gold_complains(&c, "v1", "card declined").await;
    let code = a["coupon"]["code"].as_str().unwrap();
    let (headers, body) = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
        .await
        .expect("the webhook was called")
        .unwrap();
    let sent: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(sent["type"], "coupon.minted");
    assert_eq!(sent["site"], "shop");
    assert_eq!(sent["coupon"]["code"], code);
    assert_eq!(
        (
            sent["coupon"]["value"].as_f64(),
            sent["coupon"]["currency"].as_str()
        ),
        (Some(10.0), Some("EUR"))
    );
    // The signature: HMAC-SHA256 of "t.body" under the site's secret, as printed.
    let header = headers["lifeline-signature"].to_str().unwrap();
    let t: u64 = header
        .strip_prefix("t=")
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let key = identity::key(&c.store.secret("shop", false).await.unwrap());
    assert_eq!(
        header,
        lifeline_collector::webhook::signature(&key, t, &body)
    );
    assert_ne!(
        header,
        lifeline_collector::webhook::signature(b"another secret", t, &body)
    );
    assert!(t.abs_diff(lifeline_collector::now_ms() / 1000) < 60);
}
