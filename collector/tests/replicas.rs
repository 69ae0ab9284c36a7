//! Two collector processes on one PostgreSQL database, as behind a load balancer: reports
//! sent to either (or to both at once) are stored exactly once; one killed with SIGKILL
//! mid-load loses no acknowledged report; a live event published through one reaches a
//! dashboard subscribed on the other, even when that one's listener lost its connection
//! meanwhile; a rules change made through one is served by the other at once.
//!
//! Runs in the PostgreSQL pass of `make test` (LIFELINE_TEST_POSTGRES); on SQLite, one
//! collector owns its file and there is nothing to share.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use common::process::{Batch, ITEMS, Server, batch, post, site_add, start, stored_keys};
use common::scratch::{Scratch, blocking};

const BIN: &str = env!("CARGO_BIN_EXE_lifeline-collector");

/// The shared database, or `None` (said) on a SQLite run.
#[allow(clippy::print_stderr)] // said once, where a skipped test shows
fn shared(dir: &std::path::Path) -> Option<Scratch> {
    let scratch = Scratch::new(dir);
    if !scratch.is_postgres() {
        eprintln!("replicas: a PostgreSQL run's test (set LIFELINE_TEST_POSTGRES)");
        return None;
    }
    Some(scratch)
}

#[test]
fn reports_sent_to_either_collector_are_stored_once_and_a_kill_loses_none() {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = shared(dir.path()) else {
        return;
    };
    let token = site_add(BIN, &db.url);
    let a = start(BIN, &db.url);
    let mut b = start(BIN, &db.url);
    let bases = [a.base.clone(), b.base.clone()];

    let acked: Arc<Mutex<Vec<Batch>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..6)
        .map(|client| {
            let (acked, stop, bases) = (acked.clone(), stop.clone(), bases.clone());
            std::thread::spawn(move || {
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let (keys, body) = batch(client, n);
                    // Every fifth batch goes to both at once (a client retrying through the
                    // balancer): between them, each report is stored once.
                    let answers: Vec<Option<serde_json::Value>> = if n % 5 == 0 {
                        let (x, y) = std::thread::scope(|s| {
                            let x = s.spawn(|| post(&bases[0], &body));
                            let y = s.spawn(|| post(&bases[1], &body));
                            (x.join().unwrap(), y.join().unwrap())
                        });
                        vec![x, y]
                    } else {
                        // Alternately; to the other when one is gone.
                        let first = post(&bases[n % 2], &body);
                        vec![first.or_else(|| post(&bases[(n + 1) % 2], &body))]
                    };
                    let answered: Vec<&serde_json::Value> = answers.iter().flatten().collect();
                    if answered.is_empty() {
                        continue;
                    }
                    let stored: u64 = answered.iter().map(|v| v["stored"].as_u64().unwrap()).sum();
                    assert!(stored <= ITEMS as u64, "stored twice: {answered:?}");
                    if answered.len() == 2 {
                        assert_eq!(stored, ITEMS as u64, "{answered:?}");
                    }
                    acked.lock().unwrap().push((keys, body));
                }
            })
        })
        .collect();

    // Kill one in the middle of the load; the other goes on.
    let started = Instant::now();
    while acked.lock().unwrap().len() < 200 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    b.child.kill().unwrap(); // SIGKILL
    b.child.wait().unwrap();
    let at_kill = acked.lock().unwrap().len();
    while acked.lock().unwrap().len() < at_kill + 100 && started.elapsed() < Duration::from_secs(40)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= at_kill + 50,
        "the other collector went on: {} acknowledged, {at_kill} at the kill",
        acked.len()
    );

    // Every acknowledged report once, read through either collector.
    let b = start(BIN, &db.url);
    for base in [&a.base, &b.base] {
        let stored = stored_keys(base, &token);
        for (keys, _) in &acked {
            for key in keys {
                assert_eq!(stored.get(key), Some(&1), "{key} was acknowledged");
            }
        }
    }
    let distinct: HashSet<&String> = acked.iter().flat_map(|(k, _)| k).collect();
    assert!(distinct.len() >= 250 * ITEMS);
}

/// Staff's live stream on `base`, its events' names (and `data` lines) sent on as read.
fn live_stream(base: &str, staff_token: &str) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let response = ureq::get(&format!("{base}/v1/staff/sites/shop/events"))
        .header("authorization", &format!("Bearer {staff_token}"))
        .call()
        .unwrap();
    std::thread::spawn(move || {
        let reader = BufReader::new(response.into_body().into_reader());
        for line in reader.lines() {
            let Ok(line) = line else { return };
            if !line.is_empty() && tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// Waits up to `within` for a line of the stream containing `what`.
fn expect(stream: &mpsc::Receiver<String>, what: &str, within: Duration) {
    let deadline = Instant::now() + within;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match stream.recv_timeout(left) {
            Ok(line) if line.contains(what) => return,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("no {what:?} on the live stream within {within:?}");
}

fn decision(visit: &str, page: &str) -> String {
    serde_json::json!({"session": visit, "items": [{"key": format!("{visit}:1"), "at": 1,
        "page": page, "report": {"type": "decision", "rule": "r", "prompt": "help",
        "kind": "help", "outcome": null, "band": "high", "signals": ["rage_click"],
        "value": 70}}]})
    .to_string()
}

fn staff_add(db: &str) -> String {
    common::process::printed(BIN, &["staff", "add", "shop", "ana", "--database", db])
}

/// Ends collector `server`'s live listener connection, as a network blip or a database
/// restart would.
fn cut_listener(db: &Scratch, server: &Server) {
    let name = format!("lifeline live listener {}", server.child.id());
    let url = db.url.clone();
    let cut: i64 = blocking(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE application_name = $1",
            &[&name],
        )
        .unwrap()
        .get(0)
    });
    assert_eq!(cut, 1, "the listener's connection");
}

#[test]
fn live_events_and_rules_changes_cross_collectors_even_after_a_lost_connection() {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = shared(dir.path()) else {
        return;
    };
    let token = site_add(BIN, &db.url);
    let ana = staff_add(&db.url);
    let (a, b) = (start(BIN, &db.url), start(BIN, &db.url));
    let on_b = live_stream(&b.base, &ana);
    // Listening is set up in the background: wait until B hears what A publishes.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut n = 0;
    loop {
        n += 1;
        assert!(post(&a.base, &decision(&format!("warm{n}"), "/warm")).is_some());
        match on_b.recv_timeout(Duration::from_millis(500)) {
            Ok(line) if line.contains("/warm") => break,
            _ => assert!(Instant::now() < deadline, "B never heard A"),
        }
    }
    assert!(post(&a.base, &decision("v1", "/checkout/payment")).is_some());
    expect(&on_b, "/checkout/payment", Duration::from_secs(5));

    // B's listener loses its connection; what A publishes meanwhile still reaches B.
    cut_listener(&db, &b);
    assert!(post(&a.base, &decision("v2", "/while-cut")).is_some());
    expect(&on_b, "/while-cut", Duration::from_secs(10));

    // Rules changed through A are served by B (which had them cached) within a second.
    let rules = |base: &str| {
        let mut r = ureq::get(&format!("{base}/v1/sites/shop/rules"))
            .call()
            .unwrap();
        r.body_mut().read_to_string().unwrap()
    };
    let put = |version: u8| {
        let body = format!(
            r#"{{"version": 1, "prompts": {{"p": {{"kind": "help", "text": {{"title": "v{version}"}}}}}},
              "rules": [{{"id": "r", "when": {{"signals": {{"any": ["rage_click"]}}}}, "then": {{"prompt": "p"}}}}]}}"#
        );
        ureq::put(&format!("{}/v1/admin/sites/shop/rules", a.base))
            .header("authorization", &format!("Bearer {token}"))
            .send(&body)
            .unwrap();
    };
    put(1);
    assert!(
        rules(&b.base).contains("v1"),
        "B serves (and caches) version 1"
    );
    put(2);
    let changed = Instant::now();
    loop {
        let served = rules(&b.base);
        if served.contains("v2") {
            break;
        }
        assert!(
            changed.elapsed() < Duration::from_secs(1),
            "B still serves {served}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
