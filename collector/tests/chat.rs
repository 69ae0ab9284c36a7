//! Chat over real WebSockets: a visitor and staff talk both ways, with typing and read
//! marks; a socket that drops resumes without losing or doubling a message; strangers (a
//! guessed conversation, another site's staff) get one clear refusal; messages are bounded
//! in size and rate; offers, products and call-backs are cards, a coupon minted into the
//! ledger; an alert opens a conversation staff may join; a collector just started already
//! hears what another publishes (on PostgreSQL).

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Collector, ORIGIN, as_staff, bytes, json};
use futures_util::{SinkExt, StreamExt};
use lifeline_collector::Settings;
use lifeline_collector::store::{Role, Site, Store};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as Frame;

const RULES: &str = common::ALERT_RULES;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Socket(Ws);

impl Socket {
    async fn open(addr: SocketAddr, site: &str, id: &str) -> Socket {
        let url = format!("ws://{addr}/v1/sites/{site}/conversations/{id}/socket");
        Socket(tokio_tungstenite::connect_async(url).await.unwrap().0)
    }

    /// Opened and greeted with `token`, resuming after message `after`.
    async fn join(addr: SocketAddr, id: &str, token: &str, after: i64) -> (Socket, Value) {
        let mut s = Socket::open(addr, "shop", id).await;
        s.send(json!({"type": "hello", "token": token, "after": after}))
            .await;
        let welcome = s.next().await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        (s, welcome)
    }

    async fn send(&mut self, v: Value) {
        self.0.send(Frame::text(v.to_string())).await.unwrap();
    }

    /// The next JSON frame within 5 s.
    async fn next(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(5), self.0.next())
                .await
                .expect("a frame within 5 s")
                .expect("the socket is open")
                .unwrap();
            match frame {
                Frame::Text(t) => return serde_json::from_str(&t).unwrap(),
                Frame::Close(c) => {
                    return json!({"type": "close", "code": c.map(|c| u16::from(c.code))});
                }
                _ => {}
            }
        }
    }

    /// Nothing arrives for a moment.
    async fn quiet(&mut self) {
        let got = tokio::time::timeout(Duration::from_millis(300), self.0.next()).await;
        assert!(got.is_err(), "expected nothing, got {got:?}");
    }
}

async fn setup() -> (Collector, SocketAddr, String) {
    let c = Collector::new(Settings::default()).await;
    c.put_rules(RULES).await;
    let ana = c.staff("ana", Role::Agent, true).await;
    let addr = common::serve(&c).await;
    (c, addr, ana)
}

/// A conversation opened by a page: its id and the visitor's token.
async fn start(c: &Collector) -> (String, String) {
    let r = c
        .send(
            Request::post("/v1/sites/shop/conversations")
                .header("origin", ORIGIN)
                .body(Body::from(
                    json!({"session": "visit1", "page": "/checkout/payment", "band": "high",
                           "signals": ["repeated_action"], "rule": "payment-trouble"})
                    .to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    let v = json(r).await;
    (
        v["id"].as_str().unwrap().into(),
        v["token"].as_str().unwrap().into(),
    )
}

fn text(v: &Value) -> &str {
    v["message"]["text"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_and_staff_talk_both_ways_with_typing_and_read_marks() {
    let (c, addr, ana) = setup().await;
    let mut inbox = common::subscribe_at(addr, &ana).await;
    let (id, token) = start(&c).await;
    assert_eq!(id.len(), 32);
    let (kind, opened) = common::next_event(&mut inbox).await;
    assert_eq!(
        (kind.as_str(), opened["conversation"]["id"].as_str()),
        ("chat", Some(id.as_str()))
    );

    let (mut visitor, welcome) = Socket::join(addr, &id, &token, 0).await;
    assert_eq!(welcome["you"], "visitor");
    assert!(
        welcome["conversation"]["session"].is_null(),
        "the visitor gets no more than it needs"
    );
    let (mut staff, welcome) = Socket::join(addr, &id, &ana, 0).await;
    assert_eq!(welcome["you"], "staff");
    assert_eq!(welcome["conversation"]["page"], "/checkout/payment");
    assert_eq!(
        welcome["conversation"]["signals"],
        json!(["repeated_action"])
    );

    visitor.send(json!({"type": "message", "text": " My card is declined <b>again</b> ", "client_id": "v1"})).await;
    for side in [&mut visitor, &mut staff] {
        let m = side.next().await;
        assert_eq!(m["type"], "message");
        assert_eq!(
            text(&m),
            "My card is declined <b>again</b>",
            "stored as written, trimmed"
        );
        assert_eq!(m["message"]["from"], "visitor");
        assert_eq!(m["message"]["client_id"], "v1");
    }
    let (_, told) = common::next_event(&mut inbox).await;
    assert_eq!(told["conversation"]["unread"], 1);

    staff.send(json!({"type": "typing"})).await;
    assert_eq!(
        visitor.next().await,
        json!({"type": "typing", "from": "staff"})
    );
    staff.quiet().await; // its own typing is not news to it

    staff
        .send(json!({"type": "message", "text": "Sorry! Let me look.", "client_id": "s1"}))
        .await;
    let m = visitor.next().await;
    assert_eq!(
        (text(&m), m["message"]["author"].as_str()),
        ("Sorry! Let me look.", Some("ana"))
    );
    let last = m["message"]["id"].as_i64().unwrap();
    staff.next().await;

    visitor
        .send(json!({"type": "read", "upto": last + 1000}))
        .await;
    assert_eq!(
        staff.next().await,
        json!({"type": "read", "by": "visitor", "upto": last}),
        "never past the last message"
    );

    let r = c
        .send(as_staff(
            &ana,
            "GET",
            "/v1/staff/sites/shop/conversations?open",
            "",
        ))
        .await;
    let list = json(r).await;
    let conv = &list["conversations"][0];
    assert_eq!(
        (
            conv["id"].as_str(),
            conv["staff"].as_str(),
            conv["messages"].as_u64()
        ),
        (Some(id.as_str()), Some("ana"), Some(2))
    );

    visitor.send(json!({"type": "close"})).await;
    assert_eq!(staff.next().await["type"], "closed");
    staff
        .send(json!({"type": "message", "text": "hello?", "client_id": "s2"}))
        .await;
    let refused = staff.next().await;
    assert_eq!(
        (refused["error"].as_str(), refused["client_id"].as_str()),
        (Some("conversation_closed"), Some("s2"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_that_drops_resumes_without_losing_or_doubling_a_message() {
    let (c, addr, ana) = setup().await;
    let (id, token) = start(&c).await;
    let (mut staff, _) = Socket::join(addr, &id, &ana, 0).await;
    let (mut visitor, _) = Socket::join(addr, &id, &token, 0).await;
    staff
        .send(json!({"type": "message", "text": "one", "client_id": "s1"}))
        .await;
    let first = visitor.next().await["message"]["id"].as_i64().unwrap();
    drop(visitor); // the phone went into a tunnel
    for (n, t) in ["two", "three"].iter().enumerate() {
        staff
            .send(json!({"type": "message", "text": t, "client_id": format!("s{}", n + 2)}))
            .await;
    }
    for said in ["one", "two", "three"] {
        assert_eq!(text(&staff.next().await), said);
    }

    let (mut visitor, _) = Socket::join(addr, &id, &token, first).await;
    assert_eq!(text(&visitor.next().await), "two");
    assert_eq!(text(&visitor.next().await), "three");
    visitor.quiet().await;

    // The visitor's message whose answer was lost is sent again with its client id: stored once.
    for _ in 0..2 {
        visitor
            .send(json!({"type": "message", "text": "still here", "client_id": "v-1"}))
            .await;
    }
    let once = visitor.next().await;
    assert_eq!(text(&once), "still here");
    assert_eq!(text(&staff.next().await), "still here");
    staff.quiet().await;
    let all = c.store.messages("shop", &id, 0, 100).await.unwrap();
    let texts: Vec<&str> = all.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["one", "two", "three", "still here"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_get_one_clear_refusal() {
    let (c, addr, ana) = setup().await;
    let (id, token) = start(&c).await;
    let (other_token, hash) = lifeline_collector::token::new_token().unwrap();
    c.store
        .add_site(Site {
            name: "other".into(),
            origins: vec!["https://other.example".into()],
            token_hash: hash,
            active_rules: None,
            secret: Vec::new(),
        })
        .await
        .unwrap();
    let guessed = "0".repeat(32);
    for (site, conversation, tok) in [
        ("shop", guessed.as_str(), token.as_str()), // a guessed conversation id
        ("shop", id.as_str(), "not-the-token"),     // a wrong token
        ("shop", id.as_str(), other_token.as_str()), // another site's owner
        ("other", id.as_str(), other_token.as_str()), // the conversation under another site
        ("other", id.as_str(), ana.as_str()),
    ] {
        let mut s = Socket::open(addr, site, conversation).await;
        s.send(json!({"type": "hello", "token": tok})).await;
        let refused = s.next().await;
        assert_eq!(
            refused["error"], "unknown_conversation",
            "{site} {conversation} {tok}: {refused}"
        );
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("no such conversation")
        );
        assert_eq!(s.next().await["code"], 4403);
    }
    let mut s = Socket::open(addr, "shop", &id).await;
    s.send(json!({"type": "message", "text": "hi"})).await;
    assert_eq!(s.next().await["code"], 4400, "hello first");
    // The inbox and transcripts are the site's staff's only.
    let r = c
        .send(as_staff(
            &other_token,
            "GET",
            "/v1/staff/sites/shop/conversations",
            "",
        ))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c
        .send(as_staff(
            &ana,
            "GET",
            &format!("/v1/staff/sites/shop/conversations/{guessed}/transcript"),
            "",
        ))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_are_bounded_in_size_and_rate() {
    let (c, addr, _) = setup().await;
    let (id, token) = start(&c).await;
    let (mut visitor, _) = Socket::join(addr, &id, &token, 0).await;
    visitor
        .send(json!({"type": "message", "text": "x".repeat(2001), "client_id": "long"}))
        .await;
    let r = visitor.next().await;
    assert_eq!(
        (r["error"].as_str(), r["client_id"].as_str()),
        (Some("too_large"), Some("long"))
    );
    assert!(r["message"].as_str().unwrap().starts_with("text: "), "{r}");
    visitor
        .send(json!({"type": "message", "text": "", "client_id": "empty"}))
        .await;
    assert_eq!(visitor.next().await["error"], "invalid");
    visitor.send(json!({"type": "shout", "text": "hi"})).await;
    assert_eq!(visitor.next().await["error"], "bad_json");
    visitor
        .send(json!({"type": "offer", "offer": "ship"}))
        .await;
    assert_eq!(
        visitor.next().await["error"],
        "not_allowed",
        "only staff send offers"
    );

    // A burst of 10, then the rate: refused with when to retry, nothing stored past it.
    let mut limited = None;
    for n in 0..12 {
        visitor
            .send(json!({"type": "message", "text": format!("m{n}"), "client_id": format!("c{n}")}))
            .await;
        let r = visitor.next().await;
        if r["type"] == "error" {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("rate-limited within 12 messages");
    assert_eq!(r["error"], "rate_limited");
    assert!(r["retry_after"].as_u64().unwrap() >= 1);
    assert_eq!(
        c.store.messages("shop", &id, 0, 100).await.unwrap().len(),
        10
    );

    // A frame over the limit ends the socket; nothing of it is stored.
    visitor.0.send(Frame::text("x".repeat(20_000))).await.ok();
    let end = tokio::time::timeout(Duration::from_secs(5), visitor.0.next())
        .await
        .unwrap();
    assert!(
        matches!(end, None | Some(Err(_)) | Some(Ok(Frame::Close(_)))),
        "{end:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offers_products_and_call_backs_are_cards_and_a_coupon_is_minted_into_the_ledger() {
    let (c, addr, ana) = setup().await;
    let (id, token) = start(&c).await;
    let (mut staff, _) = Socket::join(addr, &id, &ana, 0).await;
    let (mut visitor, _) = Socket::join(addr, &id, &token, 0).await;

    staff
        .send(json!({"type": "offer", "offer": "ship", "text": "On us:", "client_id": "o1"}))
        .await;
    let m = visitor.next().await;
    assert_eq!(
        m["message"]["card"],
        json!({"type": "offer", "offer": "ship", "title": "Free shipping on this order", "code": "SHIPFREE"})
    );
    staff.next().await;

    staff
        .send(json!({"type": "offer", "offer": "ten", "client_id": "o2"}))
        .await;
    let m = visitor.next().await;
    let card = &m["message"]["card"];
    let code = card["code"].as_str().unwrap();
    assert!(code.starts_with("CHAT-") && code.len() > 10, "{card}");
    assert_eq!(card["value"], "10 %");
    staff.next().await;
    let ledger = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/coupons", Body::empty()))
            .await,
    )
    .await;
    assert_eq!(ledger["items"][0]["code"], code);
    assert_eq!(ledger["items"][0]["problem"], "chat:ten");

    staff
        .send(json!({"type": "offer", "offer": "nope", "client_id": "o3"}))
        .await;
    let r = staff.next().await;
    assert_eq!(r["error"], "invalid");
    assert!(
        r["message"].as_str().unwrap().contains("staff.offers"),
        "{r}"
    );

    // Taken up: both sides see it, once.
    let offer_id = m["message"]["id"].as_i64().unwrap();
    visitor
        .send(json!({"type": "accept", "message": offer_id}))
        .await;
    for side in [&mut visitor, &mut staff] {
        let again = side.next().await;
        assert_eq!(again["message"]["id"], offer_id);
        assert!(again["message"]["accepted"].as_u64().is_some());
    }
    staff
        .send(json!({"type": "accept", "message": offer_id}))
        .await;
    assert_eq!(staff.next().await["error"], "not_allowed");

    staff.send(json!({"type": "product", "url": "https://evil.example/x", "title": "Boots", "price": "49 EUR", "client_id": "p0"})).await;
    assert_eq!(staff.next().await["error"], "invalid");
    staff.send(json!({"type": "product", "url": "/p/trail-boots", "title": "Trail boots", "price": "49.00 EUR", "client_id": "p1"})).await;
    let p = visitor.next().await;
    assert_eq!(p["message"]["card"]["type"], "product");
    staff.next().await;

    // A call-back: a card in the conversation and an alert to staff.
    let mut live = common::subscribe_at(addr, &ana).await;
    visitor
        .send(json!({"type": "call", "phone": "call me maybe", "client_id": "k0"}))
        .await;
    assert_eq!(visitor.next().await["error"], "invalid");
    visitor.send(json!({"type": "call", "phone": "+49 30 1234567", "when": "after 5pm", "client_id": "k1"})).await;
    visitor.next().await;
    staff.next().await;
    let alert = loop {
        let (kind, e) = common::next_event(&mut live).await;
        if kind == "alert" {
            break e;
        }
    };
    assert_eq!(alert["alert"]["conversation"], id.as_str());
    assert_eq!(alert["alert"]["assigned"], "ana");

    let r = c
        .send(as_staff(
            &ana,
            "GET",
            &format!("/v1/staff/sites/shop/conversations/{id}/transcript"),
            "",
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let csv = String::from_utf8(bytes(r).await).unwrap();
    assert!(csv.starts_with("id,at,from,author,text,card,accepted\r\n"));
    assert!(csv.contains("offer: 10 % off"));
    assert!(csv.contains("call back: +49 30 1234567, after 5pm"));
    assert_eq!(csv.lines().count(), 5, "the header and four cards: {csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_opens_a_conversation_the_page_and_its_staff_can_join() {
    let (c, addr, ana) = setup().await;
    let decision = common::decision("v9", "payment-trouble", 80);
    let r = c.post_reports(&decision).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let answer = json(r).await;
    let (id, token) = (
        answer["chat"]["id"].as_str().unwrap(),
        answer["chat"]["token"].as_str().unwrap(),
    );
    let alerts = json(
        c.send(as_staff(&ana, "GET", "/v1/staff/sites/shop/alerts", ""))
            .await,
    )
    .await;
    assert_eq!(alerts["alerts"][0]["conversation"], id);
    let (mut staff, _) = Socket::join(addr, id, &ana, 0).await;
    let (mut visitor, _) = Socket::join(addr, id, token, 0).await;
    staff.send(json!({"type": "message", "text": "Hi, I'm Ana. Can I help with the payment?", "client_id": "s1"})).await;
    assert_eq!(
        text(&visitor.next().await),
        "Hi, I'm Ana. Can I help with the payment?"
    );
    // The same decision again (a retry) raises nothing and opens nothing.
    let again = json(c.post_reports(&decision).await).await;
    assert!(again["chat"].is_null(), "{again}");
}

/// A collector just started is already listening: what another collector publishes at once
/// reaches its subscribers (through the database; a listener still connecting would take
/// it for old news and drop it). Alone, on SQLite, there is no other collector.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_published_as_soon_as_a_collector_starts_reaches_its_subscribers() {
    use lifeline_collector::live::{ChatEvent, for_database};
    use lifeline_collector::store::Side;
    let c = Collector::new(Settings::default()).await;
    if !c.database.is_postgres() {
        return;
    }
    let (other, url) = (c.app.live.clone(), c.database.url.clone());
    // The other collector's publisher connected, as in a running one.
    let mut warm = other.subscribe_chat("warm");
    other.publish_chat("warm", ChatEvent::Typing { from: Side::Staff });
    let warmed = tokio::time::timeout(Duration::from_secs(5), warm.recv()).await;
    assert!(warmed.is_ok(), "the running collector hears itself");
    for round in 0..4 {
        let started = for_database(&url).await.unwrap();
        let mut events = started.subscribe_chat("first");
        other.publish_chat(
            "first",
            ChatEvent::Typing {
                from: Side::Visitor,
            },
        );
        let got = tokio::time::timeout(Duration::from_secs(5), events.recv()).await;
        assert!(
            matches!(
                got,
                Ok(Ok(ChatEvent::Typing {
                    from: Side::Visitor
                }))
            ),
            "round {round}: {got:?}"
        );
    }
}
