//! The real collector binary on a throwaway database (SQLite, or PostgreSQL in that run),
//! killed with SIGKILL while batches arrive from several clients, then started again: every
//! batch answered `202` is stored, exactly once, and sending it again stores nothing new.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::process::{Batch, ITEMS, batch, post, site_add, start, stored_keys};

const BIN: &str = env!("CARGO_BIN_EXE_lifeline-collector");
const CLIENTS: usize = 6;

#[test]
fn every_acknowledged_batch_survives_sigkill_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = common::scratch::Scratch::new(dir.path());
    let database = scratch.url.clone();
    let token = site_add(BIN, &database);
    let mut server = start(BIN, &database);

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

    let mut server = start(BIN, &database);
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
