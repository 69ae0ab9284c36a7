//! Chat between a visitor and the site's staff, through the collector.
//!
//! - `POST /v1/sites/{site}/conversations` (a page of the site; rate-limited): the visitor
//!   accepted a chat or a call-back. The body carries only what a decision carries (the
//!   visit's id, page path, band, signals, rule); the answer `201 {"id", "token"}` is the
//!   conversation and the visitor's token, which the page keeps for the visit.
//! - `GET /v1/sites/{site}/conversations/{id}/socket`: the WebSocket both sides use. Its
//!   first frame says who is there, `{"type": "hello", "token": ..., "after": N}` (the
//!   visitor's token, or a member of staff's: browsers cannot put a header on a WebSocket,
//!   and a token in the URL would land in logs). Then every message after `N` (resume
//!   without losing or doubling any), and from then on what happens, as it happens. A wrong
//!   token and an unknown conversation get the same refusal.
//! - `GET /v1/staff/sites/{site}/conversations` (`?open`): the inbox, with the offers
//!   staff may send (id and title).
//! - `GET /v1/staff/sites/{site}/conversations/{id}/transcript`: the messages as CSV.
//!
//! What either side sends (JSON text frames, each at most [`MAX_FRAME`] bytes):
//! `message {text, client_id}` (a client id sent again is the same message), `typing`,
//! `read {upto}`, `close`; the visitor's `accept {message}` (a card taken up) and `call
//! {phone, when, client_id}` (a call-back asked for: an alert to staff); staff's `offer
//! {offer, text, client_id}` (a deal of the rules' `staff.offers`, its coupon minted now)
//! and `product {url, title, price, text, client_id}`. What comes back: `welcome`,
//! `message`, `typing`, `read`, `closed`, and `error {error, message, client_id,
//! retry_after}`. Messages are at most [`MAX_TEXT`] characters and rate-limited per
//! conversation and side; every text is shown as text on both sides.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ws::{CloseFrame, Message as Frame, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lifeline_shared::Signal;
use lifeline_shared::rules::spec::Band;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::admin::admin;
use super::staff::staff_caller;
use super::triage::{csv_line, csv_response};
use super::{from_page, parse_json, read_body};
use crate::chat::{self, Incoming, Refusal, refuse};
use crate::live::{ChatEvent, LiveEvent};
use crate::store::chat::MAX_CLIENT_ID;
use crate::store::{Card, Message, NewConversation, Side, Store};
use crate::{ApiError, App};

/// Largest frame either side may send, in bytes.
pub const MAX_FRAME: usize = 16 * 1024;
/// Time to say hello before the socket is closed.
const HELLO_WITHIN: Duration = Duration::from_secs(10);
/// A ping this often keeps proxies from closing a quiet socket.
const PING_EVERY: Duration = Duration::from_secs(25);
/// Messages sent again at most, when resuming.
const RESUME_MAX: u32 = 1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Opening {
    session: String,
    page: String,
    band: Band,
    #[serde(default)]
    signals: Vec<Signal>,
    #[serde(default)]
    rule: String,
}

fn invalid(path: &str, message: &str) -> ApiError {
    ApiError::Invalid {
        path: path.into(),
        message: message.into(),
    }
}

/// A random id of `bytes` bytes, in hex.
fn random_hex(bytes: usize) -> Result<String, ApiError> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).map_err(|_| ApiError::Unavailable)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// A new conversation's id and its visitor's token (128 random bits each, in hex).
pub(crate) fn new_ids() -> Result<(String, String), ApiError> {
    Ok((random_hex(16)?, random_hex(16)?))
}

/// Opens a conversation and tells the staff's inbox.
pub(crate) async fn open<S: Store>(
    app: &App<S>,
    site: &str,
    new: NewConversation,
) -> Result<crate::store::Conversation, ApiError> {
    let c = app
        .store
        .open_conversation(site, new, crate::now_ms())
        .await?;
    app.live.publish(
        site,
        LiveEvent::Chat {
            conversation: c.clone(),
        },
    );
    Ok(c)
}

/// `POST /v1/sites/{site}/conversations`.
pub async fn start<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    request: Request<Body>,
) -> Response {
    let (app, site) = (&*app, site.as_str());
    from_page(
        app,
        site,
        "conversations",
        request,
        |_, headers, body, _| async move {
            let bytes = read_body(body, &headers, 4096).await?;
            let o: Opening = parse_json(&bytes)?;
            let id_like = |s: &str| {
                !s.is_empty()
                    && s.len() <= 64
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            };
            if !id_like(&o.session) {
                return Err(invalid(
                    "session",
                    "expected the visit's id: 1 to 64 letters, digits, - or _",
                ));
            }
            if !o.page.starts_with('/') || o.page.len() > 512 {
                return Err(invalid(
                    "page",
                    "expected a page path (starting with /), at most 512 bytes",
                ));
            }
            if !o.rule.is_empty() && !id_like(&o.rule) {
                return Err(invalid("rule", "expected a rule id"));
            }
            if o.signals.len() > 16 {
                return Err(invalid("signals", "at most 16 signals"));
            }
            let signals = (o.signals.iter().map(|s| s.as_str()))
                .collect::<Vec<_>>()
                .join(" ");
            let (id, token) = new_ids()?;
            let opening = NewConversation {
                id,
                token_hash: crate::token::hash(&token),
                session: o.session,
                page: o.page,
                band: o.band.as_str().into(),
                signals,
                rule: o.rule,
                alert: None,
            };
            let c = open(app, site, opening).await?;
            let answer = serde_json::json!({"id": c.id, "token": token});
            Ok((StatusCode::CREATED, axum::Json(answer)).into_response())
        },
    )
    .await
}

/// `GET /v1/staff/sites/{site}/conversations`.
pub async fn inbox<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    headers: HeaderMap,
) -> Response {
    admin(&app, "staff", async {
        staff_caller(&app, &site, &headers).await?;
        let open = super::filters::open_only(query.as_deref())?;
        let list = app.store.conversations(&site, open).await?;
        // The deals staff may send, from the served rules.
        let rules = super::staff::alert_rules(&app, &site).await?;
        let offers: Vec<_> = (rules.iter().flat_map(|r| r.staff.offers.iter()))
            .map(|o| serde_json::json!({"id": o.id, "title": o.title}))
            .collect();
        Ok(
            axum::Json(serde_json::json!({ "conversations": list, "offers": offers }))
                .into_response(),
        )
    })
    .await
}

/// `GET /v1/staff/sites/{site}/conversations/{id}/transcript`.
pub async fn transcript<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path((site, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    admin(&app, "staff", async {
        staff_caller(&app, &site, &headers).await?;
        (app.store.conversation(&site, &id).await?).ok_or(ApiError::UnknownConversation)?;
        let messages = app.store.messages(&site, &id, 0, u32::MAX).await?;
        let mut out = String::from("id,at,from,author,text,card,accepted\r\n");
        for m in &messages {
            let card = m.card.as_ref().map(card_text).unwrap_or_default();
            csv_line(
                &mut out,
                &[
                    m.id.to_string(),
                    crate::triage::coupon::date_time(m.at),
                    m.from.as_str().into(),
                    m.author.clone().unwrap_or_default(),
                    m.text.clone(),
                    card,
                    m.accepted
                        .map(crate::triage::coupon::date_time)
                        .unwrap_or_default(),
                ],
            );
        }
        Ok(csv_response(&site, &format!("chat-{id}"), out))
    })
    .await
}

/// A card in one line of a transcript.
fn card_text(card: &Card) -> String {
    match card {
        Card::Offer { title, code, .. } => format!("offer: {title} ({code})"),
        Card::Product { url, title, price } => format!("product: {title}, {price}, {url}"),
        Card::Call { phone, when } => format!("call back: {phone}, {when}"),
    }
}

/// `GET /v1/sites/{site}/conversations/{id}/socket`.
pub async fn socket<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path((site, id)): Path<(String, String)>,
    upgrade: WebSocketUpgrade,
) -> Response {
    app.metrics.request("chat");
    // Small buffers: a chat's frames are small, and thousands of sockets are held at once
    // (the defaults, 128 KiB each way, took 240 KiB a socket).
    upgrade
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .on_upgrade(move |socket| async move {
            let _ = Chat::run(app, site, id, socket).await;
        })
}

/// Who is at the other end of a socket.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Who {
    Visitor,
    Staff(String),
}

impl Who {
    fn side(&self) -> Side {
        match self {
            Who::Visitor => Side::Visitor,
            Who::Staff(_) => Side::Staff,
        }
    }
}

/// One socket's conversation.
struct Chat<S> {
    app: Arc<App<S>>,
    site: String,
    id: String,
    who: Who,
    socket: WebSocket,
    /// The last message this socket was sent.
    last: i64,
    /// When this socket last told the other side of typing.
    typed: Option<std::time::Instant>,
}

impl<S: Store> Chat<S> {
    async fn run(
        app: Arc<App<S>>,
        site: String,
        id: String,
        mut socket: WebSocket,
    ) -> Result<(), axum::Error> {
        let hello = tokio::time::timeout(HELLO_WITHIN, socket.recv()).await;
        let Ok(Some(Ok(Frame::Text(text)))) = hello else {
            return close(
                socket,
                4400,
                "say hello first: {\"type\": \"hello\", \"token\": ...}",
            )
            .await;
        };
        let (token, after) = match serde_json::from_str::<Incoming>(&text) {
            Ok(Incoming::Hello { token, after }) => (token, after),
            _ => {
                return close(
                    socket,
                    4400,
                    "say hello first: {\"type\": \"hello\", \"token\": ...}",
                )
                .await;
            }
        };
        let who = match who(&app, &site, &id, &token).await {
            Ok(who) => who,
            Err(e) => {
                let code = e.code();
                let r = Refusal {
                    error: code,
                    message: match e {
                        ApiError::Unavailable => "the store could not answer; try again".into(),
                        _ => "no such conversation for this site, or the token is not its visitor's or its staff's".into(),
                    },
                    retry_after: None,
                };
                let _ = socket.send(error_frame(&r, None)).await;
                return close(socket, 4403, code).await;
            }
        };
        // Subscribed before the backlog is read: nothing falls between the two.
        let rx = app.live.subscribe_chat(&id);
        let mut chat = Chat {
            app,
            site,
            id,
            who,
            socket,
            last: after.max(0),
            typed: None,
        };
        let Some((c, _)) = chat
            .app
            .store
            .conversation(&chat.site, &chat.id)
            .await
            .ok()
            .flatten()
        else {
            return close(chat.socket, 1011, "unavailable").await;
        };
        let you = chat.who.side();
        let welcome = match &chat.who {
            Who::Staff(_) => serde_json::json!({"type": "welcome", "you": you, "conversation": c}),
            Who::Visitor => serde_json::json!({"type": "welcome", "you": you, "conversation": {
                "id": c.id, "closed": c.closed, "staff_read": c.staff_read, "visitor_read": c.visitor_read
            }}),
        };
        chat.send_json(&welcome).await?;
        chat.catch_up().await?;
        chat.serve(rx).await
    }

    async fn send_json(&mut self, value: &impl serde::Serialize) -> Result<(), axum::Error> {
        let text = serde_json::to_string(value).unwrap_or_default();
        self.socket.send(Frame::Text(text.into())).await
    }

    /// Every message after the last sent, from the store.
    async fn catch_up(&mut self) -> Result<(), axum::Error> {
        let missed = (self.app.store)
            .messages(&self.site, &self.id, self.last, RESUME_MAX)
            .await
            .unwrap_or_default();
        for message in missed {
            self.last = self.last.max(message.id);
            self.send_json(&ChatEvent::Message {
                message: Box::new(message),
            })
            .await?;
        }
        Ok(())
    }

    async fn serve(
        mut self,
        mut rx: tokio::sync::broadcast::Receiver<ChatEvent>,
    ) -> Result<(), axum::Error> {
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        let mut stopping = self.app.stopping.subscribe();
        loop {
            tokio::select! {
                // The collector stops: "going away", so the page connects again (elsewhere).
                () = crate::stopped(&mut stopping) => {
                    return close(self.socket, 1001, "the collector is stopping").await;
                }
                frame = self.socket.recv() => match frame {
                    Some(Ok(Frame::Text(text))) => {
                        let client_id = client_id_of(&text);
                        if let Err(r) = self.handle(&text).await {
                            self.socket.send(error_frame(&r, client_id.as_deref())).await?;
                        }
                    }
                    Some(Ok(Frame::Binary(_))) => {
                        let r = refuse("bad_json", "frames are JSON text");
                        self.socket.send(error_frame(&r, None)).await?;
                    }
                    Some(Ok(Frame::Close(_))) | Some(Err(_)) | None => return Ok(()),
                    Some(Ok(_)) => {}
                },
                event = rx.recv() => match event {
                    Ok(ChatEvent::Message { message }) => {
                        // Sent already (with the backlog), unless it comes again taken up.
                        if message.id > self.last || message.accepted.is_some() {
                            self.last = self.last.max(message.id);
                            self.send_json(&ChatEvent::Message { message }).await?;
                        }
                    }
                    // Its own typing is not news to a side.
                    Ok(ChatEvent::Typing { from }) if from == self.who.side() => {}
                    Ok(ChatEvent::Closed) => {
                        self.send_json(&ChatEvent::Closed).await?;
                    }
                    Ok(event) => self.send_json(&event).await?,
                    // Too slow to keep up: what it missed, from the store.
                    Err(RecvError::Lagged(_)) => self.catch_up().await?,
                    Err(RecvError::Closed) => return Ok(()),
                },
                _ = ping.tick() => self.socket.send(Frame::Ping(Default::default())).await?,
            }
        }
    }

    async fn handle(&mut self, text: &str) -> Result<(), Refusal> {
        let incoming = chat::parse(text)?;
        let side = self.who.side();
        // Offers and products are checked against the site's origins and served rules.
        let (mut origins, mut rules) = (Vec::new(), None);
        if incoming.needs_site() {
            let site = (self.app.site(&self.site).await)
                .map_err(ApiError::from)?
                .ok_or(ApiError::UnknownSite)?;
            origins = site.origins.clone();
            rules = super::staff::alert_rules(&self.app, &self.site).await?;
        }
        let offers = rules.as_ref().map_or(&[][..], |r| &r.staff.offers[..]);
        let author = match &self.who {
            Who::Staff(name) => Some(name.as_str()),
            Who::Visitor => None,
        };
        let site = chat::Site {
            origins: &origins,
            offers,
        };
        let (message, mint) = match chat::check(incoming, side, author, site)? {
            chat::Request::Post { message, mint } => (*message, mint),
            chat::Request::Typing => {
                let now = std::time::Instant::now();
                if self
                    .typed
                    .is_none_or(|t| now.duration_since(t) >= Duration::from_secs(2))
                {
                    self.typed = Some(now);
                    self.app
                        .live
                        .publish_chat(&self.id, ChatEvent::Typing { from: side });
                }
                return Ok(());
            }
            chat::Request::Read { upto } => {
                let upto = (self.app.store)
                    .mark_read(&self.site, &self.id, side, upto)
                    .await
                    .map_err(ApiError::from)?;
                self.app
                    .live
                    .publish_chat(&self.id, ChatEvent::Read { by: side, upto });
                self.tell_inbox().await;
                return Ok(());
            }
            chat::Request::Close => {
                (self.app.store)
                    .close_conversation(&self.site, &self.id, crate::now_ms())
                    .await
                    .map_err(ApiError::from)?;
                self.app.live.publish_chat(&self.id, ChatEvent::Closed);
                self.tell_inbox().await;
                return Ok(());
            }
            chat::Request::Accept { message } => {
                let m = (self.app.store)
                    .accept_card(&self.site, &self.id, message, crate::now_ms())
                    .await
                    .map_err(ApiError::from)?;
                self.app.live.publish_chat(
                    &self.id,
                    ChatEvent::Message {
                        message: Box::new(m),
                    },
                );
                self.tell_inbox().await;
                return Ok(());
            }
        };
        let key = format!("{}:{}", self.id, side.as_str());
        if let Err(after) = self
            .app
            .chat_limiter
            .take(std::net::IpAddr::from([0, 0, 0, 0]), &key)
        {
            return Err(Refusal {
                error: "rate_limited",
                message: format!("too many messages; retry after {after} s"),
                retry_after: Some(after),
            });
        }
        let call = matches!(message.card, Some(Card::Call { .. }));
        let (stored, fresh) = (self.app.store)
            .post_message(&self.site, &self.id, message, mint, crate::now_ms())
            .await
            .map_err(ApiError::from)?;
        if !fresh {
            // Sent again after a lost answer: this socket gets it (once), nobody else again.
            if stored.id <= self.last {
                self.send_json(&ChatEvent::Message {
                    message: Box::new(stored),
                })
                .await
                .map_err(|_| refuse("unavailable", ""))?;
            }
            return Ok(());
        }
        if call {
            self.call_back(&stored).await;
        }
        self.app.live.publish_chat(
            &self.id,
            ChatEvent::Message {
                message: Box::new(stored),
            },
        );
        self.tell_inbox().await;
        Ok(())
    }

    /// The conversation as it stands, to the staff's inbox.
    async fn tell_inbox(&mut self) {
        if let Ok(Some((conversation, _))) = self.app.store.conversation(&self.site, &self.id).await
        {
            self.app
                .live
                .publish(&self.site, LiveEvent::Chat { conversation });
        }
    }

    /// A call-back asked for: an alert to the staff, routed as any other.
    async fn call_back(&mut self, message: &Message) {
        let Ok(Some((c, _))) = self.app.store.conversation(&self.site, &self.id).await else {
            return;
        };
        let alert = crate::store::NewAlert {
            key: format!("call:{}:{}", c.id, message.id),
            session: c.session.clone(),
            page: c.page.clone(),
            rule: if c.rule.is_empty() {
                "call-back".into()
            } else {
                c.rule.clone()
            },
            band: c.band.clone(),
            signals: c.signals.join(" "),
            value: crate::store::alerts::SENIOR_VALUE,
            window_ms: CALL_WINDOW_MS,
            conversation: Some(c.id.clone()),
            tier: None,
        };
        if let Ok(Some(raised)) = self
            .app
            .store
            .raise_alert(&self.site, alert, crate::now_ms())
            .await
        {
            super::staff::tell_staff(&self.app, &self.site, raised).await;
        }
    }
}

/// Time staff have to take up a call-back before it goes to the next of them.
const CALL_WINDOW_MS: u64 = 120_000;

async fn close(mut socket: WebSocket, code: u16, reason: &str) -> Result<(), axum::Error> {
    socket
        .send(Frame::Close(Some(CloseFrame {
            code,
            reason: reason.to_owned().into(),
        })))
        .await
}

fn error_frame(r: &Refusal, client_id: Option<&str>) -> Frame {
    let mut v = serde_json::json!({"type": "error", "error": r.error, "message": r.message});
    if let Some(id) = client_id {
        v["client_id"] = id.into();
    }
    if let Some(after) = r.retry_after {
        v["retry_after"] = after.into();
    }
    Frame::Text(v.to_string().into())
}

/// The `client_id` of a frame, to say which message a refusal is about.
fn client_id_of(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Id {
        client_id: Option<String>,
    }
    serde_json::from_str::<Id>(text)
        .ok()
        .and_then(|i| i.client_id)
        .filter(|c| c.len() <= MAX_CLIENT_ID)
}

async fn who<S: Store>(app: &App<S>, site: &str, id: &str, token: &str) -> Result<Who, ApiError> {
    let conversation = app.store.conversation(site, id).await?;
    if let Some((_, hash)) = &conversation
        && crate::token::matches(token, hash)
    {
        return Ok(Who::Visitor);
    }
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
        headers.insert(header::AUTHORIZATION, v);
    }
    match (conversation, staff_caller(app, site, &headers).await) {
        (Some(_), Ok(caller)) => Ok(Who::Staff(caller.name.unwrap_or_else(|| "owner".into()))),
        (_, Err(ApiError::Unavailable)) => Err(ApiError::Unavailable),
        _ => Err(ApiError::UnknownConversation),
    }
}
