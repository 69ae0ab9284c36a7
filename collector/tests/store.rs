//! The store below the routes, on either engine: migrations on reopen, retention, a newer
//! schema refused, concurrent batches committed in groups (and stored once per key however
//! they wait together).

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::scratch::Scratch;
use lifeline_collector::store::Database;
use lifeline_collector::store::{ReportFilter, Site, Store, StoreError};
use lifeline_shared::wire::ReportBatch;

fn batch(session: &str, n: usize) -> ReportBatch {
    let items: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({"key": format!("{session}:{i}"), "at": 1, "page": "/", "report":
                {"type": "feedback", "rule": "r", "prompt": "p", "rating": 5, "thumbs": null, "comment": null}})
        })
        .collect();
    serde_json::from_value(serde_json::json!({"session": session, "items": items})).unwrap()
}

fn site() -> Site {
    Site {
        name: "shop".into(),
        origins: vec!["https://shop.example".into()],
        token_hash: [7; 32],
        active_rules: None,
        secret: Vec::new(),
    }
}

async fn all(s: &Database) -> usize {
    s.reports("shop", ReportFilter::default(), None, 100)
        .await
        .unwrap()
        .items
        .len()
}

#[tokio::test]
async fn data_survives_a_reopen_and_old_reports_are_purged() {
    let dir = tempfile::tempdir().unwrap();
    let db = Scratch::new(dir.path());
    {
        let store = db.open(None);
        store.add_site(site()).await.unwrap();
        assert!(matches!(
            store.add_site(site()).await,
            Err(StoreError::SiteExists)
        ));
        store.ingest("shop", batch("old", 3), 1_000).await.unwrap();
        store.ingest("shop", batch("new", 2), 5_000).await.unwrap();
        store.close();
    }
    let store = db.open(None);
    let stored = store.site("shop").await.unwrap().unwrap();
    assert_eq!(
        stored.secret.len(),
        32,
        "a signing secret is made with the site"
    );
    assert_eq!(
        Site {
            secret: Vec::new(),
            ..stored
        },
        site()
    );
    assert_eq!(all(&store).await, 5);
    assert_eq!(store.purge(5_000).await.unwrap(), 3);
    assert_eq!(all(&store).await, 2);
}

#[tokio::test]
async fn a_database_from_a_newer_collector_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = Scratch::new(dir.path());
    drop(db.open(None));
    db.execute(if db.is_postgres() {
        "UPDATE lifeline_schema SET version = 99"
    } else {
        "PRAGMA user_version = 99"
    });
    let url = db.url.clone();
    let e = common::scratch::blocking(move || Database::open(&url, None))
        .err()
        .unwrap();
    assert!(e.to_string().contains("newer than this collector"), "{e}");
}

#[tokio::test]
async fn concurrent_batches_are_all_stored_in_fewer_commits() {
    let dir = tempfile::tempdir().unwrap();
    let commits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = commits.clone();
    let db = Scratch::new(dir.path());
    let store = Arc::new(db.open(Some(Box::new(move |_| {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }))));
    store.add_site(site()).await.unwrap();
    let before = commits.load(std::sync::atomic::Ordering::Relaxed);
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.ingest("shop", batch(&format!("s{i}"), 2), 1).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().stored, 2);
    }
    let page = store
        .reports("shop", ReportFilter::default(), None, 500)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 400);
    let used = commits.load(std::sync::atomic::Ordering::Relaxed) - before;
    assert!(used < 200, "200 batches took {used} commits");
}

#[tokio::test]
async fn batches_waiting_together_store_each_key_once_and_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let db = Scratch::new(dir.path());
    let store = Arc::new(db.open(None));
    store.add_site(site()).await.unwrap();
    // 50 visits each send their batch of 3 twice at once (an answer lost, a retry), and one
    // batch of 50 holds a key three times (on PostgreSQL, twice in one statement of 32 rows
    // and once in the last of 32 + 16 + 2).
    let mut big = batch("big", 50);
    big.items[20].key = big.items[3].key.clone();
    big.items[49].key = big.items[3].key.clone();
    let mut tasks: Vec<_> = (0..100)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .ingest("shop", batch(&format!("s{}", i % 50), 3), 1)
                    .await
            })
        })
        .collect();
    let whole = store.clone();
    tasks.push(tokio::spawn(
        async move { whole.ingest("shop", big, 2).await },
    ));
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap().unwrap());
    }
    for i in 0..50 {
        let (a, b) = (&outcomes[i], &outcomes[i + 50]);
        assert_eq!(a.stored + b.stored, 3, "visit {i}: {a:?} {b:?}");
        assert_eq!(a.duplicates + b.duplicates, 3, "visit {i}: {a:?} {b:?}");
        assert_eq!(a.fresh.len(), a.stored as usize);
    }
    let big = &outcomes[100];
    assert_eq!((big.stored, big.duplicates), (48, 2), "{big:?}");
    assert!(
        big.fresh.contains(&3),
        "the first is fresh: {:?}",
        big.fresh
    );
    assert!(
        !big.fresh.contains(&20) && !big.fresh.contains(&49),
        "the repeats are not fresh: {:?}",
        big.fresh
    );
    let page = store
        .reports("shop", ReportFilter::default(), None, 500)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 150 + 48);
    let one = page.items.iter().find(|r| r.key == "big:7").unwrap();
    assert_eq!(
        (one.session.as_str(), one.received, one.rating),
        ("big", 2, Some(5))
    );
    // A batch after the writer is gone is refused, not left waiting.
    store.close();
    assert!(matches!(
        store.ingest("shop", batch("late", 1), 3).await,
        Err(StoreError::Closed)
    ));
}

#[tokio::test]
async fn times_beyond_any_stored_one_filter_as_the_latest_not_wrapped() {
    let dir = tempfile::tempdir().unwrap();
    let db = Scratch::new(dir.path());
    let store = db.open(None);
    store.add_site(site()).await.unwrap();
    store.ingest("shop", batch("a", 2), 1_000).await.unwrap();
    let count = |filter: ReportFilter| {
        let store = &store;
        async move {
            store
                .reports("shop", filter, None, 100)
                .await
                .unwrap()
                .items
                .len()
        }
    };
    // Found writing the admin_query fuzz target's oracle: `u64 as i64` made these -1.
    let huge = u64::MAX;
    let from = ReportFilter {
        from: Some(huge),
        ..ReportFilter::default()
    };
    let to = ReportFilter {
        to: Some(huge),
        ..ReportFilter::default()
    };
    assert_eq!(
        count(from).await,
        0,
        "nothing is received after the end of time"
    );
    assert_eq!(count(to).await, 2, "everything is received before it");
    // Purging before the end of time deletes everything, not nothing.
    assert_eq!(store.purge(huge).await.unwrap(), 2);
}

#[tokio::test]
async fn collectors_alive_are_counted_and_those_gone_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let db = Scratch::new(dir.path());
    let store = db.open(None);
    assert_eq!(store.collector_alive("a", 100_000).await.unwrap(), 1);
    assert_eq!(store.collector_alive("b", 101_000).await.unwrap(), 2);
    assert_eq!(
        store.collector_alive("a", 105_000).await.unwrap(),
        2,
        "a again"
    );
    // b is not heard from for longer than 15 s.
    assert_eq!(store.collector_alive("a", 120_000).await.unwrap(), 1);
}
