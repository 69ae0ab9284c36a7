//! A collector over a real database (SQLite in a temporary directory, or PostgreSQL when the
//! run is for it: [`scratch`]), driven in memory through `tower::ServiceExt::oneshot`.

#![allow(dead_code, unreachable_pub)]

pub mod process;
pub mod scratch;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use lifeline_collector::assets::Assets;
use lifeline_collector::metrics::Metrics;
use lifeline_collector::store::Database;
use lifeline_collector::store::{Site, Store};
use lifeline_collector::{App, Settings, router, token};
use serde_json::Value;
use tower::ServiceExt;

pub const ORIGIN: &str = "https://shop.example";

pub const RULES: &str = r#"{
  "version": 1,
  "prompts": {
    "promo_help": {"kind": "help", "text": {"title": "Trouble with your promo code?"}},
    "ask": {"kind": "feedback", "text": {"title": "How is it going?"}}
  },
  "rules": [
    {"id": "promo-rage", "when": {"signals": {"any": ["rage_click"]}}, "then": {"prompt": "promo_help"}}
  ]
}"#;

/// A rule that alerts the staff when a visitor repeats an action at payment.
pub const ALERT_RULES: &str = r#"{
  "version": 1,
  "prompts": {"help": {"kind": "help", "text": {"title": "Trouble paying?"}}},
  "rules": [
    {"id": "payment-trouble", "when": {"signals": {"any": ["repeated_action"]}},
     "then": {"prompt": "help", "alert": {"min_value": 0.5, "window_s": 30}}},
    {"id": "quiet", "when": {"signals": {"any": ["rage_click"]}}, "then": {"prompt": "help"}}
  ],
  "staff": {"offers": [
    {"id": "ship", "title": "Free shipping on this order", "code": "SHIPFREE"},
    {"id": "ten", "title": "10 % off", "coupon": {"kind": "percent", "value": 10, "prefix": "CHAT-"}}
  ]}
}"#;

/// A decision of `rule` with `value` (percent) in visit `visit`, at payment.
pub fn decision(visit: &str, rule: &str, value: u8) -> String {
    serde_json::json!({"session": visit, "items": [{"key": format!("{visit}:1"), "at": 1,
        "page": "/checkout/payment", "report": {"type": "decision", "rule": rule, "prompt": "help",
        "kind": "help", "outcome": null, "band": "high", "signals": ["repeated_action"],
        "value": value}}]})
    .to_string()
}

pub struct Collector {
    pub router: Router,
    pub app: Arc<App<Database>>,
    pub store: Arc<Database>,
    pub token: String,
    pub database: scratch::Scratch,
    pub dir: tempfile::TempDir,
}

impl Collector {
    /// A collector with the site `shop` (origin [`ORIGIN`]), no rules yet.
    pub async fn new(settings: Settings) -> Collector {
        let dir = tempfile::tempdir().unwrap();
        let agent = dir.path().join("agent");
        std::fs::create_dir(&agent).unwrap();
        std::fs::write(agent.join("agent.js"), "/* the agent */ ".repeat(200)).unwrap();
        std::fs::write(
            agent.join("agent-0123456789abcdef.wasm"),
            b"\0asm\x01\0\0\0",
        )
        .unwrap();
        let metrics = Arc::new(Metrics::default());
        let m = metrics.clone();
        let database = scratch::Scratch::new(dir.path());
        let store = Arc::new(database.open(Some(Box::new(move |took| m.committed(took)))));
        let (token, token_hash) = token::new_token().unwrap();
        store
            .add_site(Site {
                name: "shop".into(),
                origins: vec![ORIGIN.into()],
                token_hash,
                active_rules: None,
                secret: Vec::new(),
            })
            .await
            .unwrap();
        let mut app = App::new(
            store.clone(),
            Assets::load(&agent).unwrap(),
            metrics,
            settings,
        );
        // On PostgreSQL, live events go through the database, as between replicas.
        app.live = lifeline_collector::live::for_database(&database.url)
            .await
            .unwrap();
        let app = Arc::new(app);
        lifeline_collector::follow_changes(&app);
        Collector {
            router: router(app.clone()),
            app,
            store,
            token,
            database,
            dir,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Response<Body> {
        self.router.clone().oneshot(request).await.unwrap()
    }

    /// A request with the site's admin token.
    pub fn admin(&self, method: &str, uri: &str, body: impl Into<Body>) -> Request<Body> {
        Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {}", self.token))
            .body(body.into())
            .unwrap()
    }

    pub async fn put_rules(&self, rules: &str) -> Value {
        let r = self
            .send(self.admin("PUT", "/v1/admin/sites/shop/rules", rules.to_owned()))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        json(r).await
    }

    /// Adds `name` to the site `shop`'s staff and returns their token.
    pub async fn add_staff(&self, name: &str, role: lifeline_collector::store::Role) -> String {
        let (token, token_hash) = token::new_token().unwrap();
        let new = lifeline_collector::store::NewStaff {
            name: name.into(),
            role,
            token_hash,
        };
        self.store.add_staff("shop", new).await.unwrap();
        token
    }

    /// Adds `name` to the staff, online now when `online`; their token.
    pub async fn staff(
        &self,
        name: &str,
        role: lifeline_collector::store::Role,
        online: bool,
    ) -> String {
        let token = self.add_staff(name, role).await;
        if online {
            let now = lifeline_collector::now_ms();
            let status = lifeline_collector::store::Status::Online;
            self.store
                .heartbeat("shop", name, status, now)
                .await
                .unwrap();
        }
        token
    }

    pub async fn post_reports(&self, body: &str) -> Response<Body> {
        self.send(
            Request::post("/v1/sites/shop/reports")
                .header("origin", ORIGIN)
                .header("content-type", "text/plain;charset=UTF-8")
                .body(Body::from(body.to_owned()))
                .unwrap(),
        )
        .await
    }
}

/// A request with a member of staff's token.
pub fn as_staff(token: &str, method: &str, uri: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body.to_owned()))
        .unwrap()
}

pub async fn bytes(r: Response<Body>) -> Vec<u8> {
    axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec()
}

pub async fn json(r: Response<Body>) -> Value {
    let b = bytes(r).await;
    serde_json::from_slice(&b).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&b)))
}

/// Asserts the JSON error shape and returns (error, path).
pub async fn error(r: Response<Body>, status: StatusCode) -> (String, String) {
    assert_eq!(r.status(), status);
    let v = json(r).await;
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    (
        v["error"].as_str().unwrap().to_owned(),
        v["path"].as_str().unwrap().to_owned(),
    )
}

/// A batch of `n` decisions from session `s`, keys `s:first..`.
pub fn batch(s: &str, first: usize, n: usize) -> String {
    let items: Vec<Value> = (first..first + n)
        .map(|i| {
            serde_json::json!({
                "key": format!("{s}:{i}"), "at": 1_700_000_000_000u64 + i as u64, "page": "/cart",
                "report": {"type": "decision", "rule": "promo-rage", "prompt": "promo_help",
                           "kind": "help", "outcome": null, "band": "high", "signals": ["rage_click"]}
            })
        })
        .collect();
    serde_json::json!({"session": s, "items": items}).to_string()
}

/// A real server for `c` on a free port, and a staff member's live events stream (its
/// headers read, so it is subscribed).
pub async fn subscribe(c: &Collector, token: &str) -> tokio::io::BufReader<tokio::net::TcpStream> {
    let addr = serve(c).await;
    subscribe_at(addr, token).await
}

/// A real server for `c` on a free port.
pub async fn serve(c: &Collector) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = c
        .router
        .clone()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// A staff member's live events stream from the server at `addr`.
pub async fn subscribe_at(
    addr: std::net::SocketAddr,
    token: &str,
) -> tokio::io::BufReader<tokio::net::TcpStream> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut reader = tokio::io::BufReader::new(stream);
    let request = format!(
        "GET /v1/staff/sites/shop/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    reader
        .get_mut()
        .write_all(request.as_bytes())
        .await
        .unwrap();
    let mut status = String::new();
    reader.read_line(&mut status).await.unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        if line == "\r\n" {
            return reader;
        }
    }
}

/// The next server-sent event from `reader`: its kind and data (keep-alive comments skipped).
pub async fn next_event(
    reader: &mut tokio::io::BufReader<tokio::net::TcpStream>,
) -> (String, serde_json::Value) {
    let mut current = String::new();
    loop {
        let mut line = String::new();
        let n = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            tokio::io::AsyncBufReadExt::read_line(reader, &mut line),
        )
        .await
        .expect("an event within 5 s")
        .unwrap();
        assert!(n > 0, "the stream ended");
        let line = line.trim_end();
        if let Some(k) = line.strip_prefix("event: ") {
            current = k.to_owned();
        } else if let Some(data) = line.strip_prefix("data: ") {
            return (current, serde_json::from_str(data).unwrap());
        }
    }
}
