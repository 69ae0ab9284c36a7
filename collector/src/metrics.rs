//! [`Metrics`]: counters for `GET /metrics` in Prometheus' text format: requests by route,
//! rejections by reason, reports stored and repeated, group-commit latency, writer queue.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the commit-latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
];

/// Routes counted.
const ROUTES: [&str; 6] = ["agent", "rules", "support", "reports", "admin", "metrics"];
/// Reasons for refusals counted (the error codes).
const REASONS: [&str; 19] = [
    "bad_json",
    "invalid",
    "invalid_rules",
    "unknown_site",
    "unknown_version",
    "no_rules",
    "no_support",
    "origin_not_allowed",
    "missing_token",
    "wrong_token",
    "too_large",
    "bad_body",
    "body_timeout",
    "bad_request",
    "bad_query",
    "rate_limited",
    "not_found",
    "method_not_allowed",
    "unavailable",
];

/// The collector's counters (atomics: counting never makes requests wait for each other).
#[derive(Debug, Default)]
pub struct Metrics {
    requests: [AtomicU64; ROUTES.len()],
    rejected: [AtomicU64; REASONS.len()],
    stored: AtomicU64,
    duplicates: AtomicU64,
    commits: Mutex<Histogram>,
    collectors: AtomicU64,
}

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

fn bump(counters: &[AtomicU64], names: &[&str], name: &str) {
    if let Some(i) = names.iter().position(|n| *n == name) {
        counters[i].fetch_add(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// A request to `route`.
    pub fn request(&self, route: &'static str) {
        bump(&self.requests, &ROUTES, route);
    }

    /// A request refused, by its error code.
    pub fn rejected(&self, reason: &'static str) {
        bump(&self.rejected, &REASONS, reason);
    }

    /// Reports stored and repeats dropped by one batch.
    pub fn ingested(&self, stored: u32, duplicates: u32) {
        self.stored.fetch_add(u64::from(stored), Ordering::Relaxed);
        self.duplicates
            .fetch_add(u64::from(duplicates), Ordering::Relaxed);
    }

    /// `n` collectors share the database now (this one included).
    pub fn collectors(&self, n: u32) {
        self.collectors.store(u64::from(n), Ordering::Relaxed);
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
                        names: &[&str],
                        values: &[AtomicU64]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for (k, v) in names.iter().zip(values) {
                let _ = writeln!(
                    out,
                    "{name}{{{label}=\"{k}\"}} {}",
                    v.load(Ordering::Relaxed)
                );
            }
        };
        counters(
            &mut out,
            "lifeline_requests_total",
            "Requests, by route.",
            "route",
            &ROUTES,
            &self.requests,
        );
        counters(
            &mut out,
            "lifeline_rejected_total",
            "Requests refused, by reason.",
            "reason",
            &REASONS,
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
        let _ = writeln!(
            out,
            "# HELP lifeline_collectors Collectors alive on this database (0 until this one has said it is).\n# TYPE lifeline_collectors gauge\nlifeline_collectors {}",
            self.collectors.load(Ordering::Relaxed)
        );
        out
    }
}
