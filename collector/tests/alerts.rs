//! Alerts: a decision of an alerting rule, with enough value, raises one alert, routed to
//! the right member of staff online and told to the staff's live stream at once; not taken
//! up in its window it goes to the next, then expires; taken up once.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{Collector, as_staff, error, json};
use lifeline_collector::Settings;
use lifeline_collector::store::{AlertState, Role, Status, Store};

const RULES: &str = common::ALERT_RULES;

async fn staff(c: &Collector, name: &str, role: Role, online: bool) -> String {
    c.staff(name, role, online).await
}

use common::decision;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valuable_struggling_visitor_reaches_a_senior_member_of_staff_at_once() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    let ana = staff(&c, "ana", Role::Agent, true).await;
    staff(&c, "cy", Role::Owner, true).await;
    staff(&c, "di", Role::Owner, false).await;
    let mut live = common::subscribe(&c, &ana).await;

    assert_eq!(
        c.post_reports(&decision("v1", "payment-trouble", 90))
            .await
            .status(),
        StatusCode::ACCEPTED
    );
    let (kind, event) = common::next_event(&mut live).await;
    assert_eq!(kind, "alert");
    let alert = &event["alert"];
    assert_eq!(
        (
            alert["assigned"].as_str(),
            alert["state"].as_str(),
            alert["value"].as_u64()
        ),
        (Some("cy"), Some("open"), Some(90)),
        "owners first for a valuable visitor: {event}"
    );
    assert_eq!(
        (
            alert["page"].as_str(),
            alert["rule"].as_str(),
            alert["band"].as_str()
        ),
        (
            Some("/checkout/payment"),
            Some("payment-trouble"),
            Some("high")
        )
    );
    let mut fields: Vec<&str> = alert
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "acked_by",
            "assigned",
            "band",
            "closed",
            "conversation",
            "created",
            "escalations",
            "id",
            "page",
            "rule",
            "session",
            "signals",
            "state",
            "tier",
            "value"
        ],
        "only what reports carry"
    );

    // Less valuable: agents first. Under the rule's least value, or a rule that does not
    // alert, or the same decision again: no alert.
    c.post_reports(&decision("v2", "payment-trouble", 60)).await;
    c.post_reports(&decision("v3", "payment-trouble", 40)).await;
    c.post_reports(&decision("v4", "quiet", 99)).await;
    c.post_reports(&decision("v2", "payment-trouble", 60)).await;
    let list = json(
        c.send(as_staff(
            &ana,
            "GET",
            "/v1/staff/sites/shop/alerts?open",
            "",
        ))
        .await,
    )
    .await;
    let assigned: Vec<(&str, &str)> = (list["alerts"].as_array().unwrap().iter())
        .map(|a| {
            (
                a["session"].as_str().unwrap(),
                a["assigned"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(assigned, [("v2", "ana"), ("v1", "cy")]);
}

#[tokio::test]
async fn an_alert_not_taken_up_goes_to_the_next_then_expires_and_is_taken_up_once() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    let ana = staff(&c, "ana", Role::Agent, true).await;
    let bo = staff(&c, "bo", Role::Agent, true).await;
    c.post_reports(&decision("v1", "payment-trouble", 60)).await;
    c.post_reports(&decision("v2", "payment-trouble", 60)).await;
    let now = lifeline_collector::now_ms();
    let open = c.store.alerts("shop", true).await.unwrap();
    // The least busy first: one each.
    let mut who: Vec<_> = open.iter().map(|a| a.assigned.clone().unwrap()).collect();
    who.sort();
    assert_eq!(who, ["ana", "bo"]);

    // bo takes theirs up; ana's waits past its 30 s.
    let bos = open
        .iter()
        .find(|a| a.assigned.as_deref() == Some("bo"))
        .unwrap()
        .id;
    let r = c
        .send(as_staff(
            &bo,
            "POST",
            &format!("/v1/staff/sites/shop/alerts/{bos}/ack"),
            "",
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (e, _) = error(
        c.send(as_staff(
            &ana,
            "POST",
            &format!("/v1/staff/sites/shop/alerts/{bos}/ack"),
            "",
        ))
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(e, "alert_closed", "taken up once");
    assert!(
        c.store.escalate(now + 10_000).await.unwrap().is_empty(),
        "within its window"
    );
    let moved = c.store.escalate(now + 31_000).await.unwrap();
    assert_eq!(moved.len(), 1, "the acknowledged one stays: {moved:?}");
    assert_eq!(
        (moved[0].1.assigned.as_deref(), moved[0].1.escalations),
        (Some("bo"), 1),
        "to the next member of staff online"
    );
    // The window passes again: bo (still online) was asked already, ana too: nobody left,
    // it expires.
    c.store
        .heartbeat("shop", "bo", Status::Online, now + 31_000)
        .await
        .unwrap();
    let expired = c.store.escalate(now + 62_000).await.unwrap();
    assert_eq!(expired[0].1.state, AlertState::Expired);
    let (e, _) = error(
        c.send(as_staff(
            &ana,
            "POST",
            &format!("/v1/staff/sites/shop/alerts/{}/ack", expired[0].1.id),
            "",
        ))
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(e, "alert_closed");
    let (e, _) = error(
        c.send(as_staff(
            &ana,
            "POST",
            "/v1/staff/sites/shop/alerts/999/ack",
            "",
        ))
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(e, "unknown_alert");
    let all = c.store.alerts("shop", false).await.unwrap();
    let mut states: Vec<_> = all.iter().map(|a| (a.state, a.acked_by.clone())).collect();
    states.sort_by_key(|(s, _)| *s as u8);
    assert_eq!(
        states,
        [
            (AlertState::Acknowledged, Some("bo".into())),
            (AlertState::Expired, None)
        ],
        "every step recorded"
    );
}

#[tokio::test]
async fn with_nobody_online_an_alert_waits_for_anyone_then_expires() {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    staff(&c, "ana", Role::Agent, false).await;
    c.post_reports(&decision("v1", "payment-trouble", 80)).await;
    let open = c.store.alerts("shop", true).await.unwrap();
    assert_eq!((open.len(), open[0].assigned.as_deref()), (1, None));
    let now = lifeline_collector::now_ms();
    let gone = c.store.escalate(now + 30_000).await.unwrap();
    assert_eq!(gone[0].1.state, AlertState::Expired);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_webhooks_hear_of_alerts_signed_and_a_busy_minute_is_a_digest() {
    use axum::http::HeaderMap;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, HeaderMap, String)>();
    let hooks = axum::Router::new().route(
        "/{which}",
        axum::routing::post(
            move |axum::extract::Path(which): axum::extract::Path<String>,
                  headers: HeaderMap,
                  body: String| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send((which, headers, body));
                    StatusCode::OK
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, hooks).await });
    let rules = RULES.replace(
        r#""staff": {"#,
        &format!(
            r#""staff": {{"webhook": "http://127.0.0.1:{port}/generic",
                "slack_webhook": "http://127.0.0.1:{port}/slack", "alerts_per_minute": 1,"#
        ),
    );
    let c = Collector::new(Settings::default()).await;
    c.put_rules(&rules).await;
    staff(&c, "ana", Role::Agent, true).await;
    for visit in ["v1", "v2", "v3"] {
        c.post_reports(&decision(visit, "payment-trouble", 60))
            .await;
    }
    let mut got = Vec::new();
    for _ in 0..2 {
        let hook = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv());
        got.push(hook.await.expect("a webhook call").unwrap());
    }
    got.sort_by(|a, b| a.0.cmp(&b.0));
    let (_, headers, generic) = &got[0];
    let sent: serde_json::Value = serde_json::from_str(generic).unwrap();
    assert_eq!(
        (sent["type"].as_str(), sent["alert"]["session"].as_str()),
        (Some("alert.raised"), Some("v1"))
    );
    let header = headers["lifeline-signature"].to_str().unwrap();
    let t: u64 = header[2..].split(',').next().unwrap().parse().unwrap();
    let key =
        lifeline_collector::triage::identity::key(&c.store.secret("shop", false).await.unwrap());
    assert_eq!(
        header,
        lifeline_collector::webhook::signature(&key, t, generic)
    );
    let slack: serde_json::Value = serde_json::from_str(&got[1].2).unwrap();
    assert!(
        slack["text"]
            .as_str()
            .unwrap()
            .contains("/checkout/payment"),
        "{slack}"
    );
    // One a minute told one by one: the other two wait for the minute's digest.
    let quiet = tokio::time::timeout(std::time::Duration::from_millis(500), rx.recv()).await;
    assert!(quiet.is_err(), "no flood: {quiet:?}");
    let later = lifeline_collector::now_ms() + 61_000;
    lifeline_collector::routes::staff::escalate(&c.app, later)
        .await
        .unwrap();
    let mut digest = Vec::new();
    while digest.len() < 2 {
        let hook = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv());
        let (which, _, body) = hook.await.expect("the digest").unwrap();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        if which == "slack" && v["text"].as_str().unwrap().contains("more alerts") {
            digest.push(v);
        } else if v["type"] == "alert.digest" {
            assert_eq!(v["count"], 2, "{v}");
            digest.push(v);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_carries_the_tier_the_shop_signed_and_nothing_else_of_it() {
    use lifeline_collector::triage::identity;
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    staff(&c, "ana", Role::Agent, true).await;
    let secret = identity::key(&c.store.secret("shop", false).await.unwrap());
    let exp = lifeline_collector::now_ms() / 1000 + 3600;
    let attrs = format!("exp={exp}&id=cust-829&tier=gold");
    let signed = |visit: &str, signature: &str| {
        let mut batch: serde_json::Value =
            serde_json::from_str(&decision(visit, "payment-trouble", 80)).unwrap();
        batch["identity"] = serde_json::json!({"attrs": attrs, "signature": signature});
        batch.to_string()
    };
    let good = identity::sign(&secret, "shop", &attrs);
    assert_eq!(
        c.post_reports(&signed("v1", &good)).await.status(),
        StatusCode::ACCEPTED
    );
    let forged = "0".repeat(64);
    assert_eq!(
        c.post_reports(&signed("v2", &forged)).await.status(),
        StatusCode::ACCEPTED
    );
    let alerts = c.store.alerts("shop", false).await.unwrap();
    let tiers: Vec<(&str, Option<&str>)> = alerts
        .iter()
        .map(|a| (a.session.as_str(), a.tier.as_deref()))
        .collect();
    assert_eq!(
        tiers,
        [("v2", None), ("v1", Some("gold"))],
        "a forged signature counts for nothing"
    );
    let listed = json(
        c.send(c.admin("GET", "/v1/staff/sites/shop/alerts", ""))
            .await,
    )
    .await;
    assert!(
        !listed.to_string().contains("cust-829"),
        "the shop's customer id stays out"
    );
}
