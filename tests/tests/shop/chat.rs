//! Live chat with two browsers: a visitor struggles at payment, the staff member's dashboard
//! shows the alert, she opens a chat from it, they write both ways, she sends an offer and
//! the visitor takes it up: all stored, and the visitor's page sent nothing but decisions
//! and their own chat messages. An alert nobody takes up goes to the next member of staff.

use std::time::{Duration, Instant};

use lifeline_collector::store::{AlertState, Card, Role, Side, Status, Store};
use lifeline_e2e::{Browser, Shop};

use super::{to_payment, with_a_cart};

/// Records what the page sends over any WebSocket (run after the page loaded, before the
/// chat module does).
const RECORD_FRAMES: &str = "var send = WebSocket.prototype.send; window.__frames = [];\
    WebSocket.prototype.send = function (d) { window.__frames.push(String(d)); return send.call(this, d); }; return true";

/// Signs `staff` in to the dashboard with `token` and waits until they are online.
async fn sign_in(shop: &Shop, token: &str, name: &str) -> Browser {
    let staff = Browser::start().await;
    staff.client.goto(&shop.url("/dashboard/")).await.unwrap();
    staff.type_into("#token", token).await;
    staff.click("button[type=submit]").await;
    staff
        .wait_js(
            "online",
            &format!("return Array.from(document.querySelectorAll('#staff tbody tr')).some(function (r) {{ return r.cells[0].textContent === '{name}' && r.cells[2].textContent === 'online'; }})"),
        )
        .await;
    staff
}

/// Three declined payments: the support session, and an alert for the staff.
async fn struggle_to_pay(visitor: &Browser) {
    visitor.type_into("#first", "Philippa").await;
    for _ in 0..3 {
        visitor.click("#place-order").await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_open_a_chat_from_an_alert_talk_with_the_visitor_and_their_offer_is_taken_up() {
    let (shop, visitor) = with_a_cart().await;
    let ana = shop.add_staff("ana", Role::Agent).await;
    let staff = sign_in(&shop, &ana, "ana").await;

    to_payment(&visitor).await;
    visitor.js(RECORD_FRAMES).await;
    struggle_to_pay(&visitor).await;
    staff
        .wait_js(
            "the alert with its Chat button",
            "return !!document.querySelector('#alerts button[aria-label^=\"Take up\"]')",
        )
        .await;
    staff.click("#alerts button[aria-label^='Take up']").await;
    staff
        .wait_js(
            "the conversation open",
            "return document.getElementById('chat-title').textContent.indexOf('/demo/payment/') > 0",
        )
        .await;
    assert!(
        staff
            .js("return document.getElementById('chat-title').textContent")
            .await
            .as_str()
            .unwrap()
            .contains("repeated_action"),
        "the visitor's signals, never their clicks"
    );

    // Ana writes first; the visitor's page shows it without taking the focus from them.
    let before = visitor
        .js("return document.activeElement && document.activeElement.id")
        .await;
    staff
        .type_into("#chat-text", "Hi, I'm Ana. Can I help with the payment?")
        .await;
    staff.click("#chat-form button[type=submit]").await;
    visitor
        .wait_chat(
            "Ana's message on the visitor's page",
            "return !!root && root.querySelector('.log').textContent.indexOf(\"Can I help with the payment?\") >= 0",
        )
        .await;
    let shown = visitor.chat_js("return [root.querySelector('.panel').hidden, root.querySelector('.log .them .who').textContent]").await;
    assert_eq!(shown, serde_json::json!([false, "ana"]));
    assert_eq!(
        visitor
            .js("return document.activeElement && document.activeElement.id")
            .await,
        before,
        "the chat never takes the focus by itself"
    );
    // Staff see it read once the visitor's panel shows it.
    staff
        .wait_js(
            "read by the visitor",
            "return document.querySelector('#chat-log .mine .state').textContent === 'Read'",
        )
        .await;

    visitor
        .type_into_chat("#ll-say", "My card keeps getting declined\u{E007}")
        .await;
    staff
        .wait_js(
            "the visitor's message on the dashboard",
            "return document.getElementById('chat-log').textContent.indexOf('My card keeps getting declined') >= 0",
        )
        .await;

    // An offer card: a coupon minted for this visitor, taken up on their page.
    staff
        .js("document.getElementById('chat-offer').value = 'ten-off'; return true")
        .await;
    staff.click("#chat-send-offer").await;
    visitor
        .wait_chat(
            "the offer card",
            "return !!root.querySelector('.card .code') && !!root.querySelector('[data-ll=use]')",
        )
        .await;
    let code = visitor
        .chat_js("return root.querySelector('.card .code').textContent")
        .await;
    let code = code.as_str().unwrap().to_owned();
    assert!(code.starts_with("HELP-"), "{code}");
    visitor.screenshot("chat-offer").await;
    assert_eq!(visitor.axe().await, Vec::<String>::new());
    visitor.click_in_chat("[data-ll=use]").await;
    staff
        .wait_js(
            "taken up, on the dashboard",
            "return document.getElementById('chat-log').textContent.indexOf('Accepted by the visitor') >= 0",
        )
        .await;
    staff.screenshot("chat-dashboard").await;
    assert_eq!(staff.axe().await, Vec::<String>::new());

    // Everything stored: the conversation, its messages, the coupon in the ledger.
    let alerts = shop.alerts().await;
    assert_eq!(alerts[0].state, AlertState::Acknowledged);
    let id = alerts[0]
        .conversation
        .clone()
        .expect("the alert's conversation");
    let messages = shop.store().messages("demo", &id, 0, 100).await.unwrap();
    let said: Vec<(Side, &str)> = messages.iter().map(|m| (m.from, m.text.as_str())).collect();
    assert_eq!(
        said[..2],
        [
            (Side::Staff, "Hi, I'm Ana. Can I help with the payment?"),
            (Side::Visitor, "My card keeps getting declined"),
        ]
    );
    let offer = &messages[2];
    assert!(matches!(&offer.card, Some(Card::Offer { code: c, .. }) if *c == code));
    assert!(offer.accepted.is_some(), "taken up");
    let (_, ledger) = shop.admin("GET", "/v1/admin/sites/demo/coupons").await;
    assert_eq!(ledger["items"][0]["code"], code.as_str());

    // Privacy: the page sent decisions, the conversation's opening (what a decision carries)
    // and over the socket only its own chat: never what was typed in the page's form.
    for r in shop.requests() {
        assert!(!r.body.contains("Philippa"), "{} {}", r.method, r.uri);
    }
    let frames = visitor.js("return window.__frames").await;
    let frames: Vec<serde_json::Value> = frames
        .as_array()
        .unwrap()
        .iter()
        .map(|f| serde_json::from_str(f.as_str().unwrap()).unwrap())
        .collect();
    for f in &frames {
        let kind = f["type"].as_str().unwrap();
        assert!(
            ["hello", "read", "typing", "message", "accept"].contains(&kind),
            "{f}"
        );
        if kind == "message" {
            assert_eq!(f["text"], "My card keeps getting declined");
        }
        if kind == "typing" {
            assert_eq!(
                f.as_object().unwrap().len(),
                1,
                "that they type, never what: {f}"
            );
        }
    }
    assert!(
        !serde_json::Value::from(frames)
            .to_string()
            .contains("Philippa")
    );
    staff.close().await;
    visitor.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alert_nobody_takes_up_goes_to_the_next_member_of_staff() {
    let (shop, visitor) = with_a_cart().await;
    let ana = shop.add_staff("ana", Role::Agent).await;
    shop.add_staff("bo", Role::Agent).await;
    shop.online("bo").await;
    let staff = sign_in(&shop, &ana, "ana").await;
    to_payment(&visitor).await;
    struggle_to_pay(&visitor).await;
    staff
        .wait_js(
            "the alert",
            "return !!document.querySelector('#alerts tbody th')",
        )
        .await;
    let first = shop.alerts().await[0].clone();
    let next = if first.assigned.as_deref() == Some("ana") {
        "bo"
    } else {
        "ana"
    };

    // Its window (60 s in the demo's rules) passes on the test's clock, not the wall's.
    let started = Instant::now();
    let later = first.created + 61_000;
    for name in ["ana", "bo"] {
        // Still there then (the dashboard's heartbeat, bo's phone).
        shop.store()
            .heartbeat("demo", name, Status::Online, later)
            .await
            .unwrap();
    }
    assert_eq!(shop.escalate(later).await, 1);
    staff
        .wait_js(
            "the alert with the next member of staff",
            &format!("return Array.from(document.querySelectorAll('#alerts tbody tr')).some(function (r) {{ return !!r.cells[6] && r.cells[6].textContent === '{next}'; }})"),
        )
        .await;
    assert!(started.elapsed() < Duration::from_secs(2), "told at once");
    let moved = shop.alerts().await[0].clone();
    assert_eq!(
        (moved.assigned.as_deref(), moved.escalations),
        (Some(next), 1)
    );
    // Nobody left: it expires, recorded, and leaves the open alerts.
    shop.escalate(moved.created + 200_000).await;
    staff
        .wait_js(
            "no open alert",
            "return !!document.querySelector('#alerts .empty')",
        )
        .await;
    assert_eq!(shop.alerts().await[0].state, AlertState::Expired);
    staff.close().await;
    visitor.close().await;
}

/// A member of staff's side of a conversation: a real WebSocket client.
struct StaffSocket(
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
);

impl StaffSocket {
    async fn join(shop: &Shop, id: &str, token: &str) -> StaffSocket {
        use futures_util::SinkExt;
        let url = format!(
            "{}/v1/sites/demo/conversations/{id}/socket",
            shop.base.replacen("http", "ws", 1)
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let hello = serde_json::json!({"type": "hello", "token": token});
        ws.send(hello.to_string().into()).await.unwrap();
        let mut s = StaffSocket(ws);
        assert_eq!(s.next().await["type"], "welcome");
        s
    }

    async fn say(&mut self, text: &str) {
        use futures_util::SinkExt;
        let m = serde_json::json!({"type": "message", "text": text, "client_id": text});
        self.0.send(m.to_string().into()).await.unwrap();
    }

    /// The next frame, skipping pings, within 10 s.
    async fn next(&mut self) -> serde_json::Value {
        use futures_util::StreamExt;
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.0.next())
                .await
                .expect("a frame within 10 s")
                .expect("open")
                .unwrap();
            if let tokio_tungstenite::tungstenite::Message::Text(t) = frame {
                return serde_json::from_str(&t).unwrap();
            }
        }
    }

    /// The next message's text (typing and read marks skipped).
    async fn next_text(&mut self) -> String {
        loop {
            let f = self.next().await;
            if f["type"] == "message" {
                return f["message"]["text"].as_str().unwrap_or_default().to_owned();
            }
        }
    }
}

const OFFERS: &str = r#"{"version": 1,
    "prompts": {"chat": {"kind": "chat_offer", "text": {"title": "Talk to us?"}},
                "call": {"kind": "call_offer", "text": {"title": "Shall we call you?"}}},
    "rules": [{"id": "cart-help", "when": {"page": {"exact": "/demo/cart/"},
               "signals": {"any": ["rage_click", "dead_click"]}}, "then": {"prompt": "PROMPT"}}]}"#;

/// The cart page with an offer of `prompt` when the visitor rages on Apply, and someone
/// online to take it.
async fn offered(prompt: &str) -> (Shop, Browser, String) {
    let shop = Shop::start().await;
    shop.put_rules(&OFFERS.replace("PROMPT", prompt)).await;
    let ana = shop.add_staff("ana", Role::Agent).await;
    shop.online("ana").await;
    let b = Browser::start().await;
    super::add_to_cart_and_open_it(&b, &shop).await;
    let started = Instant::now();
    while !shop
        .requests()
        .iter()
        .any(|r| r.uri.ends_with("/availability"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "availability asked"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    super::rage_on_apply(&b).await;
    (shop, b, ana)
}

/// The one conversation of the demo site.
async fn the_conversation(shop: &Shop) -> lifeline_collector::store::Conversation {
    let started = Instant::now();
    loop {
        let list = shop.store().conversations("demo", false).await.unwrap();
        if let Some(c) = list.into_iter().next() {
            return c;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "a conversation opened"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_offer_taken_up_opens_lifelines_chat_which_follows_the_visitor_from_page_to_page() {
    let (shop, b, ana) = offered("chat").await;
    b.wait_prompt("Talk to us?").await;
    b.click_in_prompt("[data-ll=action]").await;
    b.wait_chat(
        "the chat, with the focus in its box (the visitor asked)",
        "return !!root && root.activeElement && root.activeElement.id === 'll-say'",
    )
    .await;
    b.type_into_chat("#ll-say", "Where does the promo code go?\u{E007}")
        .await;
    let c = the_conversation(&shop).await;
    assert_eq!(
        (c.page.as_str(), c.rule.as_str(), c.alert),
        ("/demo/cart/", "cart-help", None),
        "opened with what a decision carries"
    );
    let mut staff = StaffSocket::join(&shop, &c.id, &ana).await;
    assert_eq!(staff.next_text().await, "Where does the promo code go?");
    staff
        .say("Right under the basket: type it and press Apply.")
        .await;
    b.wait_chat(
        "staff's answer",
        "return root.querySelector('.log').textContent.indexOf('press Apply') >= 0",
    )
    .await;

    // Escape minimises to a button that keeps the focus; the chat follows to the next page.
    b.type_into_chat("#ll-say", "\u{E00C}").await;
    b.wait_chat(
        "minimised, the focus on its button",
        "return root.querySelector('.panel').hidden && root.activeElement === root.querySelector('.pill')",
    )
    .await;
    b.click_to("a[href='/demo/']", "/demo/").await;
    b.wait_chat(
        "the chat on the next page, minimised, with its history",
        "return !!root && root.querySelector('.panel').hidden && !root.querySelector('.pill').hidden && root.querySelector('.log').textContent.indexOf('press Apply') >= 0",
    )
    .await;
    let mut staff = StaffSocket::join(&shop, &c.id, &ana).await;
    staff.say("Anything else?").await;
    b.wait_chat(
        "one new message, said on its button",
        "return root.querySelector('.pill').textContent.indexOf('1 new') >= 0",
    )
    .await;
    b.click_in_chat(".pill").await;
    b.wait_chat(
        "open again, three messages",
        "return !root.querySelector('.panel').hidden && root.querySelectorAll('.log > div').length === 3",
    )
    .await;
    b.screenshot("chat-next-page").await;
    assert_eq!(b.axe().await, Vec::<String>::new());
    // Clicks in the chat are not the page's, answered inside the chat (Minimise, the button
    // that opens it again) or not at all (a message clicked to read it): none is a dead or
    // rage click (a page not seen before, with the debug log on).
    shop.capture_console(true);
    b.open(&shop.url("/demo/?lifeline-debug")).await;
    b.wait_chat(
        "the chat, open as it was left",
        "return !!root && !root.querySelector('.panel').hidden",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let before = b.debug_log().await;
    assert!(
        before.iter().any(|l| l == "lifeline: page view /demo/"),
        "the debug log is on: {before:#?}"
    );
    for css in ["[data-ll=min]", ".pill", "[data-ll=min]", ".pill"] {
        b.click_in_chat(css).await;
    }
    tokio::time::sleep(Duration::from_millis(3000)).await;
    b.click_in_chat(".log > div").await;
    tokio::time::sleep(Duration::from_millis(3000)).await;
    b.click("h1").await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(
        b.debug_log().await,
        before,
        "chatting is not struggling: no signal fired"
    );

    // The visitor ends it: closed in the store, the staff told.
    b.click_in_chat("[data-ll=end]").await;
    loop {
        if staff.next().await["type"] == "closed" {
            break;
        }
    }
    b.wait_chat(
        "ended",
        "return root.querySelector('.status').textContent === 'This chat has ended.'",
    )
    .await;
    let c = the_conversation(&shop).await;
    assert!(c.closed.is_some());
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_offer_asks_for_a_number_only_on_submit_and_raises_an_alert() {
    let (shop, b, _) = offered("call").await;
    b.wait_prompt("Shall we call you?").await;
    b.click_in_prompt("[data-ll=action]").await;
    b.wait_chat(
        "the call-back form, the focus on the number",
        "return !!root && root.activeElement && root.activeElement.id === 'll-phone'",
    )
    .await;
    assert_eq!(
        b.chat_js("return [root.querySelector('label[for=ll-phone]').textContent, root.getElementById('ll-phone').type]").await,
        serde_json::json!(["Your phone number", "tel"])
    );
    b.type_into_chat("#ll-phone", "+44 20 7946 0000").await;
    assert!(
        shop.store()
            .conversations("demo", false)
            .await
            .unwrap()
            .iter()
            .all(|c| c.messages == 0),
        "nothing sent before the visitor submits"
    );
    b.type_into_chat("#ll-when", "after 5pm").await;
    b.click_in_chat(".call button[type=submit]").await;
    let started = Instant::now();
    let alert = loop {
        if let Some(a) = shop.alerts().await.into_iter().next() {
            break a;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "an alert raised"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let c = the_conversation(&shop).await;
    assert_eq!(alert.conversation.as_deref(), Some(c.id.as_str()));
    assert_eq!(alert.assigned.as_deref(), Some("ana"));
    let messages = shop.store().messages("demo", &c.id, 0, 10).await.unwrap();
    assert!(matches!(
        &messages[0].card,
        Some(Card::Call { phone, when }) if phone == "+44 20 7946 0000" && when == "after 5pm"
    ));
    b.wait_chat(
        "the visitor told",
        "return root.querySelector('.status').textContent === 'Thank you. We will call you back.'",
    )
    .await;
    b.screenshot("chat-call-back").await;
    assert_eq!(b.axe().await, Vec::<String>::new());
    b.close().await;
}
