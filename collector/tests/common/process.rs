//! The real collector binary as a test runs it: started on a database, fed report batches
//! over HTTP, its stored keys read back through the admin API.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Reports in each batch.
pub const ITEMS: usize = 5;

/// A batch: its keys and its body.
pub type Batch = (Vec<String>, String);

pub struct Server {
    pub child: Child,
    pub base: String,
}

pub fn start(bin: &str, database: &str) -> Server {
    let mut child = Command::new(bin)
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

pub fn site_add(bin: &str, database: &str) -> String {
    printed(
        bin,
        &[
            "site",
            "add",
            "shop",
            "--origin",
            "http://shop.test",
            "--database",
            database,
        ],
    )
}

/// What a command of the collector's prints (a token), after it succeeded.
pub fn printed(bin: &str, args: &[&str]) -> String {
    let out = Command::new(bin).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

pub fn batch(client: usize, n: usize) -> Batch {
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

pub fn post(base: &str, body: &str) -> Option<serde_json::Value> {
    let mut r = ureq::post(&format!("{base}/v1/sites/shop/reports"))
        .header("content-type", "text/plain")
        .send(body)
        .ok()?;
    (r.status() == 202)
        .then(|| serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap())
}

/// Every stored feedback key, through the admin API.
pub fn stored_keys(base: &str, token: &str) -> HashMap<String, usize> {
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
