//! The real collector binary on a temporary SQLite file, killed with SIGKILL while batches
//! arrive from several clients, then started again: every batch answered `202` is stored,
//! exactly once, and sending it again stores nothing new.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_lifeline-collector");
const CLIENTS: usize = 6;
const ITEMS: usize = 5;

/// A batch: its keys and its body.
type Batch = (Vec<String>, String);

struct Server {
    child: Child,
    base: String,
}

fn start(database: &str) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
        .args([
            "--reports-per-minute",
            "0",
            "--agent",
            "/nonexistent",
            "--www",
            "/nonexistent",
        ])
        .env("LIFELINE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("the collector printed its address")
            .unwrap();
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.to_owned();
        }
    };
    // Keep reading, so the collector never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, base }
}

fn site_add(database: &str) -> String {
    let out = Command::new(BIN)
        .args([
            "site",
            "add",
            "shop",
            "--origin",
            "http://shop.test",
            "--database",
            database,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn batch(client: usize, n: usize) -> Batch {
    let session = format!("c{client}");
    let keys: Vec<String> = (0..ITEMS).map(|i| format!("{session}:{n}-{i}")).collect();
    let items: Vec<serde_json::Value> = keys
        .iter()
        .map(|k| {
            serde_json::json!({"key": k, "at": 1, "page": "/cart", "report": {"type": "feedback",
                "rule": "r", "prompt": "p", "rating": 3, "thumbs": null, "comment": "fine"}})
        })
        .collect();
    (
        keys,
        serde_json::json!({"session": session, "items": items}).to_string(),
    )
}

fn post(base: &str, body: &str) -> Option<serde_json::Value> {
    let mut r = ureq::post(&format!("{base}/v1/sites/shop/reports"))
        .header("content-type", "text/plain")
        .send(body)
        .ok()?;
    (r.status() == 202)
        .then(|| serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap())
}

/// Every stored feedback key, through the admin API.
fn stored_keys(base: &str, token: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    let mut cursor = String::new();
    loop {
        let text = ureq::get(&format!(
            "{base}/v1/admin/sites/shop/feedback?limit=500{cursor}"
        ))
        .header("authorization", &format!("Bearer {token}"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for item in v["items"].as_array().unwrap() {
            *counts
                .entry(item["key"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        match v["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return counts,
        }
    }
}

#[test]
fn every_acknowledged_batch_survives_sigkill_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("lifeline.db").display());
    let token = site_add(&database);
    let mut server = start(&database);

    let acked: Arc<Mutex<Vec<Batch>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (acked, stop, base) = (acked.clone(), stop.clone(), server.base.clone());
            std::thread::spawn(move || {
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let (keys, body) = batch(client, n);
                    match post(&base, &body) {
                        Some(answer) => {
                            assert_eq!(answer["stored"], ITEMS, "{answer}");
                            acked.lock().unwrap().push((keys, body));
                        }
                        None => break, // the server is gone
                    }
                }
            })
        })
        .collect();

    // Kill it in the middle of the load.
    let started = Instant::now();
    while acked.lock().unwrap().len() < 300 && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 50,
        "only {} batches before the kill",
        acked.len()
    );

    let mut server = start(&database);
    let stored = stored_keys(&server.base, &token);
    for (keys, _) in &acked {
        for key in keys {
            assert_eq!(stored.get(key), Some(&1), "{key} was acknowledged");
        }
    }
    // Sending acknowledged batches again stores nothing new.
    for (_, body) in acked.iter().take(20) {
        let answer = post(&server.base, body).unwrap();
        assert_eq!(
            (answer["stored"].as_u64(), answer["duplicates"].as_u64()),
            (Some(0), Some(ITEMS as u64))
        );
    }
    assert_eq!(stored_keys(&server.base, &token).len(), stored.len());

    // A graceful stop (SIGTERM) ends cleanly.
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit}");
}
