//! The chat load client (`collector/bench/chat.sh` runs it against a release collector):
//! opens VISITORS conversations as pages do (POST, then a WebSocket each) and STREAMS staff
//! live streams (server-sent events), holds them all at once, and has each visitor write a
//! message every INTERVAL seconds for SECONDS. A message's latency is from its send to its
//! echo on the same socket: stored (committed to disk) and fanned out by the collector. Prints
//! what was held and the latencies as a Markdown table.
//!
//!   chat_load ADDR SITE ORIGIN STAFF_TOKEN VISITORS STREAMS SECONDS INTERVAL

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;

#[derive(Default)]
struct Tally {
    open_sockets: AtomicUsize,
    open_streams: AtomicUsize,
    events: AtomicUsize,
    sent: AtomicUsize,
    refused: AtomicUsize,
    latencies: Mutex<Vec<Duration>>,
}

/// Opens a conversation as a page does: its id and the visitor's token.
async fn open(addr: &str, site: &str, origin: &str, n: usize) -> (String, String) {
    let body = serde_json::json!({"session": format!("load{n}"), "page": "/checkout/payment",
        "band": "high", "signals": ["repeated_action"], "rule": "load"})
    .to_string();
    let request = format!(
        "POST /v1/sites/{site}/conversations HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut answer)
        .await
        .unwrap();
    let json = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let v: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|_| panic!("a conversation: {answer}"));
    (
        v["id"].as_str().unwrap().into(),
        v["token"].as_str().unwrap().into(),
    )
}

/// Where and how hard.
struct Plan {
    addr: String,
    site: String,
    origin: String,
    interval: Duration,
    start: Instant,
    until: Instant,
}

async fn visitor(p: Arc<Plan>, n: usize, t: Arc<Tally>) {
    let (addr, site, interval, until) = (&p.addr, &p.site, p.interval, p.until);
    let (id, token) = open(addr, site, &p.origin, n).await;
    let url = format!("ws://{addr}/v1/sites/{site}/conversations/{id}/socket");
    let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let (mut tx, mut rx) = ws.split();
    tx.send(Message::text(
        serde_json::json!({"type": "hello", "token": token}).to_string(),
    ))
    .await
    .unwrap();
    t.open_sockets.fetch_add(1, Ordering::Relaxed);
    let sent_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let reader = {
        let (t, sent_at) = (t.clone(), sent_at.clone());
        tokio::spawn(async move {
            while let Some(Ok(frame)) = rx.next().await {
                let Message::Text(text) = frame else { continue };
                let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                match v["type"].as_str() {
                    Some("message") => {
                        let cid = v["message"]["client_id"].as_str().unwrap_or_default();
                        if let Some(at) = sent_at.lock().await.remove(cid) {
                            t.latencies.lock().await.push(at.elapsed());
                        }
                    }
                    Some("error") => {
                        t.refused.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {}
                }
            }
        })
    };
    // Every visitor connected before anyone writes; then spread over the interval.
    tokio::time::sleep_until((p.start + interval.mul_f64((n % 1000) as f64 / 1000.0)).into()).await;
    let mut k = 0;
    while Instant::now() < until {
        let cid = format!("{n}-{k}");
        sent_at.lock().await.insert(cid.clone(), Instant::now());
        let m = serde_json::json!({"type": "message", "text": "Is express delivery available for boots?", "client_id": cid});
        if tx.send(Message::text(m.to_string())).await.is_err() {
            break;
        }
        t.sent.fetch_add(1, Ordering::Relaxed);
        k += 1;
        tokio::time::sleep(interval.min(until.saturating_duration_since(Instant::now()))).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    reader.abort();
}

async fn stream(addr: String, site: String, token: String, t: Arc<Tally>, until: Instant) {
    let s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut reader = tokio::io::BufReader::new(s);
    let request = format!(
        "GET /v1/staff/sites/{site}/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    reader
        .get_mut()
        .write_all(request.as_bytes())
        .await
        .unwrap();
    let mut line = String::new();
    reader.read_line(&mut line).await.unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    t.open_streams.fetch_add(1, Ordering::Relaxed);
    while Instant::now() < until {
        line.clear();
        match tokio::time::timeout(Duration::from_secs(1), reader.read_line(&mut line)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(_)) if line.starts_with("event: ") => {
                t.events.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let [
        addr,
        site,
        origin,
        token,
        visitors,
        streams,
        seconds,
        interval,
    ] = &a[..]
    else {
        eprintln!("chat_load ADDR SITE ORIGIN STAFF_TOKEN VISITORS STREAMS SECONDS INTERVAL");
        std::process::exit(2);
    };
    let (visitors, streams): (usize, usize) = (visitors.parse().unwrap(), streams.parse().unwrap());
    let seconds: u64 = seconds.parse().unwrap();
    let interval = Duration::from_secs_f64(interval.parse().unwrap());
    let t = Arc::new(Tally::default());
    // Connecting takes a while at this count; everyone writes from `start`, until `until`.
    let start = Instant::now() + Duration::from_secs(10);
    let until = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..streams {
        tasks.push(tokio::spawn(stream(
            addr.clone(),
            site.clone(),
            token.clone(),
            t.clone(),
            until,
        )));
    }
    let plan = Arc::new(Plan {
        addr: addr.clone(),
        site: site.clone(),
        origin: origin.clone(),
        interval,
        start,
        until,
    });
    for n in 0..visitors {
        tasks.push(tokio::spawn(visitor(plan.clone(), n, t.clone())));
        if n % 100 == 99 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    tokio::time::sleep_until(start.into()).await;
    let held = (
        t.open_sockets.load(Ordering::Relaxed),
        t.open_streams.load(Ordering::Relaxed),
    );
    eprintln!(
        "holding {} chat sockets and {} live streams",
        held.0, held.1
    );
    // Halfway: the moment the collector's memory is read by the script.
    tokio::time::sleep(Duration::from_secs(seconds / 2)).await;
    println!("HALFWAY");
    for task in tasks {
        let _ = task.await;
    }
    let mut lat = t.latencies.lock().await.clone();
    lat.sort();
    println!(
        "| connections held at once | {} (chat WebSockets {} + live streams {}) |",
        held.0 + held.1,
        held.0,
        held.1
    );
    println!(
        "| chat messages sent | {} ({:.0}/s) |",
        t.sent.load(Ordering::Relaxed),
        t.sent.load(Ordering::Relaxed) as f64 / seconds as f64
    );
    println!("| echoed back (stored and fanned out) | {} |", lat.len());
    println!("| refused | {} |", t.refused.load(Ordering::Relaxed));
    println!(
        "| live-stream events received | {} |",
        t.events.load(Ordering::Relaxed)
    );
    println!(
        "| message latency p50 / p99 / max | {:.1} ms / {:.1} ms / {:.1} ms |",
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0)
    );
}
