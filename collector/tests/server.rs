//! The collector's own HTTP server (`server::serve`), over real sockets: slow clients are
//! closed, bodies cut short or late are refused in the JSON shape, ambiguous framing and
//! odd paths are refused, a stop finishes within its grace period however slow a client
//! is, and a batch whose client left before the answer is still counted.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::scratch::Scratch;
use lifeline_collector::server::{Config, serve};
use lifeline_collector::store::{Site, Store};

struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<()>,
    _db: Scratch,
    _dir: tempfile::TempDir,
}

async fn running() -> Running {
    running_with(Duration::from_secs(1)).await
}

/// A member of staff's token, made before the server starts.
const STAFF_TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

async fn running_with(grace: Duration) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let db = Scratch::new(dir.path());
    let store = db.open(None);
    store
        .add_site(Site {
            name: "shop".into(),
            origins: vec!["https://shop.example".into()],
            token_hash: [1; 32],
            active_rules: None,
            secret: Vec::new(),
        })
        .await
        .unwrap();
    store
        .add_staff(
            "shop",
            lifeline_collector::store::NewStaff {
                name: "ana".into(),
                role: lifeline_collector::store::Role::Agent,
                token_hash: lifeline_collector::token::hash(STAFF_TOKEN),
            },
        )
        .await
        .unwrap();
    drop(store);
    let www = dir.path().join("www");
    std::fs::create_dir_all(www.join("demo")).unwrap();
    std::fs::write(www.join("demo/index.html"), "<p>shop</p>").unwrap();
    let config = Config {
        database: db.url.clone(),
        public_url: None,
        www,
        agent: dir.path().join("no-agent"),
        retention_days: 0,
        reports_per_minute: 0,
        chat_per_minute: 0,
        trusted_proxies: Default::default(),
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        grace,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(async move {
        serve(config, listener, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    // Up once it answers.
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "the server never listened");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Running {
        addr,
        stop: Some(stop),
        done,
        _db: db,
        _dir: dir,
    }
}

/// Sends `request` as is and reads the answer until the server closes or 5 s pass.
fn raw(addr: SocketAddr, request: &[u8], then_shut: bool) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(request).unwrap();
    if then_shut {
        s.shutdown(Shutdown::Write).unwrap();
    }
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn status_and_code(answer: &str) -> (u16, String) {
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let code = serde_json::from_str::<serde_json::Value>(body.trim())
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("(not the JSON shape: {body:?})"));
    (status, code)
}

const BATCH: &str = r#"{"session": "s", "items": [{"key": "s:1", "at": 1, "page": "/", "report": {"type": "feedback", "rule": "r", "prompt": "p", "rating": 4, "thumbs": null, "comment": null}}]}"#;

fn post(path: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nConnection: close\r\n{extra}\r\n{body}"
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_broken_requests_are_refused_in_the_json_shape_and_closed() {
    let r = running().await;
    let addr = r.addr;
    tokio::task::spawn_blocking(move || {
        // Headers that never end: the connection is closed after the header timeout.
        let started = Instant::now();
        let answer = raw(addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", false);
        assert!(started.elapsed() < Duration::from_secs(4), "{answer:?}");

        // A body that stops coming: 408 in the shape.
        // (Then, with the writing side shut: a body shorter than its length, 400 bad_body
        // and not too_large.)
        for (shut, refused) in [(false, (408, "body_timeout")), (true, (400, "bad_body"))] {
            let half = post(
                "/v1/sites/shop/reports",
                "Content-Length: 500\r\n",
                "{\"sess",
            );
            let answer = raw(addr, &half, shut);
            let (status, code) = status_and_code(&answer);
            assert_eq!((status, code.as_str()), refused, "{answer}");
        }

        // A malformed chunk.
        let answer = raw(
            addr,
            &post(
                "/v1/sites/shop/reports",
                "Transfer-Encoding: chunked\r\n",
                "zz\r\nabc\r\n0\r\n\r\n",
            ),
            false,
        );
        assert_eq!(status_and_code(&answer).0, 400, "{answer}");

        // Both framings: read by Transfer-Encoding alone, and the connection closed after
        // the answer (RFC 9112 6.3), so nothing can be smuggled in after it.
        let mut smuggle = post(
            "/v1/sites/shop/reports",
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
            "0\r\n\r\n",
        );
        smuggle.extend_from_slice(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        let answer = raw(addr, &smuggle, false);
        assert_eq!(status_and_code(&answer).0, 400, "{answer}");
        assert_eq!(
            answer.matches("HTTP/1.1 ").count(),
            1,
            "one answer: {answer}"
        );

        // A site segment that is not text, a method the static files do not take, a path
        // a redirect would make protocol-relative: all in the shape, no Location.
        let get = |path: &str, method: &str| {
            raw(
                addr,
                format!("{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
                false,
            )
        };
        let answer = get("/v1/sites/%ff%fe/rules", "GET");
        assert_eq!(
            status_and_code(&answer),
            (400, "bad_request".into()),
            "{answer}"
        );
        let answer = get("/demo/index.html", "DELETE");
        assert_eq!(
            status_and_code(&answer),
            (405, "method_not_allowed".into()),
            "{answer}"
        );
        let answer = get("//demo", "GET");
        assert_eq!(
            status_and_code(&answer),
            (404, "not_found".into()),
            "{answer}"
        );
        assert!(
            !answer.to_ascii_lowercase().contains("location:"),
            "{answer}"
        );
        let answer = get("/demo", "GET");
        assert!(
            answer.contains("/demo/"),
            "the shop's own redirect stays: {answer}"
        );

        // Filters: beyond what the database holds, or given twice.
    })
    .await
    .unwrap();
    stop(r).await;
}

/// Stops the server and asserts it stopped within `limit`.
async fn stop_within(r: Running, limit: Duration) {
    let started = Instant::now();
    stop(r).await;
    assert!(started.elapsed() < limit, "took {:?}", started.elapsed());
}

/// Reports in the database at `url`, counted by another connection.
fn count_reports(url: &str) -> u64 {
    common::scratch::count(url, "SELECT COUNT(*) FROM reports")
}

async fn stop(mut r: Running) {
    let _ = r.stop.take().unwrap().send(());
    tokio::time::timeout(Duration::from_secs(10), r.done)
        .await
        .expect("the server stopped")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_ends_within_its_grace_however_slow_a_client_is() {
    let r = running().await;
    let addr = r.addr;
    // A client trickling a body, a byte a while.
    let trickler = std::thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        let _ = s.write_all(&post(
            "/v1/sites/shop/reports",
            "Content-Length: 100000\r\n",
            "",
        ));
        for _ in 0..100 {
            if s.write_all(b" ").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop_within(r, Duration::from_secs(5)).await;
    trickler.join().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_whose_clients_left_before_the_answer_are_counted_as_stored() {
    let r = running().await;
    let addr = r.addr;
    let db = r._db.url.clone();
    let (stored, counted) = tokio::task::spawn_blocking(move || {
        // One answered, so the site and a reading connection are at hand.
        let warm = BATCH.replace("s:1", "warm:1");
        let answer = raw(
            addr,
            &post(
                "/v1/sites/shop/reports",
                &format!("Content-Length: {}\r\n", warm.len()),
                &warm,
            ),
            false,
        );
        assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
        for i in 0..20u64 {
            let body = BATCH.replace("s:1", &format!("gone:{i}"));
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(&post(
                "/v1/sites/shop/reports",
                &format!("Content-Length: {}\r\n", body.len()),
                &body,
            ))
            .unwrap();
            // Gone before the answer, sooner or later.
            std::thread::sleep(Duration::from_millis([0, 2, 5, 10][i as usize % 4]));
            drop(s);
        }
        std::thread::sleep(Duration::from_millis(500));
        let answer = raw(
            addr,
            b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            false,
        );
        let counted: u64 = (answer.lines())
            .find_map(|l| l.strip_prefix("lifeline_reports_stored_total "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap();
        // The collector said it is alive (at start), and is the only one.
        assert!(answer.contains("\nlifeline_collectors 1\n"), "{answer}");
        (count_reports(&db), counted)
    })
    .await
    .unwrap();
    assert!(stored > 0, "some were stored");
    assert!(counted > 0);
    assert_eq!(counted, stored, "every stored report counted");
    stop(r).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_a_stop_live_streams_end_and_chat_sockets_are_told_to_go_elsewhere() {
    use futures_util::{SinkExt as _, StreamExt as _};
    use tokio_tungstenite::tungstenite::Message as Frame;
    // A grace long enough that only streams ending of themselves make the stop quick.
    let r = running_with(Duration::from_secs(30)).await;
    let addr = r.addr;
    // A dashboard's live stream, open.
    let mut live = TcpStream::connect(addr).unwrap();
    live.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    live.write_all(
        format!(
            "GET /v1/staff/sites/shop/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {STAFF_TOKEN}\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let mut head = [0u8; 256];
    let n = live.read(&mut head).unwrap();
    assert!(String::from_utf8_lossy(&head[..n]).starts_with("HTTP/1.1 200"));
    // A visitor's chat socket, open.
    let body = r#"{"session": "v1", "page": "/cart", "band": "high", "signals": [], "rule": "r"}"#;
    let answer = tokio::task::spawn_blocking(move || {
        raw(
            addr,
            &post(
                "/v1/sites/shop/conversations",
                &format!(
                    "Origin: https://shop.example\r\nContent-Length: {}\r\n",
                    body.len()
                ),
                body,
            ),
            false,
        )
    })
    .await
    .unwrap();
    let opened: serde_json::Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let url = format!(
        "ws://{addr}/v1/sites/shop/conversations/{}/socket",
        opened["id"].as_str().unwrap()
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let hello = serde_json::json!({"type": "hello", "token": opened["token"]});
    socket.send(Frame::text(hello.to_string())).await.unwrap();
    let welcome = socket.next().await.unwrap().unwrap();
    assert!(
        welcome.to_text().unwrap().contains("welcome"),
        "{welcome:?}"
    );

    stop_within(r, Duration::from_secs(5)).await;
    // The stream ended (the dashboard connects again), the socket was closed "going away".
    let mut rest = Vec::new();
    let _ = live.read_to_end(&mut rest);
    let code = loop {
        match socket.next().await {
            Some(Ok(Frame::Close(c))) => break c.map(|c| u16::from(c.code)),
            Some(Ok(_)) => {}
            other => panic!("no close frame: {other:?}"),
        }
    };
    assert_eq!(code, Some(1001));
}
