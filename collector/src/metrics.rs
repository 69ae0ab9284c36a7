//! [`Metrics`]: counters for `GET /metrics` in Prometheus' text format: requests by route,
//! rejections by reason, reports stored and repeated, group-commit latency, writer queue.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the commit-latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
];

/// The collector's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<&'static str, u64>>,
    rejected: Mutex<BTreeMap<&'static str, u64>>,
    stored: AtomicU64,
    duplicates: AtomicU64,
    commits: Mutex<Histogram>,
}

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

fn bump(map: &Mutex<BTreeMap<&'static str, u64>>, key: &'static str) {
    if let Ok(mut m) = map.lock() {
        *m.entry(key).or_default() += 1;
    }
}

impl Metrics {
    /// A request to `route`.
    pub fn request(&self, route: &'static str) {
        bump(&self.requests, route);
    }

    /// A request refused, by its error code.
    pub fn rejected(&self, reason: &'static str) {
        bump(&self.rejected, reason);
    }

    /// Reports stored and repeats dropped by one batch.
    pub fn ingested(&self, stored: u32, duplicates: u32) {
        self.stored.fetch_add(u64::from(stored), Ordering::Relaxed);
        self.duplicates
            .fetch_add(u64::from(duplicates), Ordering::Relaxed);
    }

    /// One group commit took `took`.
    pub fn committed(&self, took: Duration) {
        let s = took.as_secs_f64();
        if let Ok(mut h) = self.commits.lock() {
            for (i, bound) in BUCKETS.iter().enumerate() {
                if s <= *bound {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += s;
        }
    }

    /// The text for `GET /metrics`, with the writer's queue depth now.
    pub fn render(&self, queue_depth: usize) -> String {
        let mut out = String::new();
        let counters = |out: &mut String,
                        name: &str,
                        help: &str,
                        label: &str,
                        map: &Mutex<BTreeMap<&'static str, u64>>| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            if let Ok(m) = map.lock() {
                for (k, v) in m.iter() {
                    let _ = writeln!(out, "{name}{{{label}=\"{k}\"}} {v}");
                }
            }
        };
        counters(
            &mut out,
            "lifeline_requests_total",
            "Requests, by route.",
            "route",
            &self.requests,
        );
        counters(
            &mut out,
            "lifeline_rejected_total",
            "Requests refused, by reason.",
            "reason",
            &self.rejected,
        );
        let _ = writeln!(
            out,
            "# HELP lifeline_reports_stored_total Reports stored.\n# TYPE lifeline_reports_stored_total counter\nlifeline_reports_stored_total {}",
            self.stored.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP lifeline_reports_duplicate_total Reports dropped as already stored.\n# TYPE lifeline_reports_duplicate_total counter\nlifeline_reports_duplicate_total {}",
            self.duplicates.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP lifeline_batch_commit_seconds Time to commit one group of writes.\n# TYPE lifeline_batch_commit_seconds histogram"
        );
        if let Ok(h) = self.commits.lock() {
            for (bound, count) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "lifeline_batch_commit_seconds_bucket{{le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "lifeline_batch_commit_seconds_bucket{{le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "lifeline_batch_commit_seconds_sum {}", h.sum);
            let _ = writeln!(out, "lifeline_batch_commit_seconds_count {}", h.count);
        }
        let _ = writeln!(
            out,
            "# HELP lifeline_writer_queue_depth Writes waiting for the writer.\n# TYPE lifeline_writer_queue_depth gauge\nlifeline_writer_queue_depth {queue_depth}"
        );
        out
    }
}
