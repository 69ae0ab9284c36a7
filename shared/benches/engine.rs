//! Per-event cost of the engine on a realistic mix: the three recorded sessions (struggling
//! checkout, smooth purchase, browsing) replayed back to back in one long visit, with
//! limits raised so rules are evaluated and decisions made throughout.
//!
//! Prints criterion's figures, then a plain summary: the median ns/event over 31 runs.
//! `cargo bench -p lifeline-shared` (or `make bench`).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use lifeline_shared::replay::{self, Line, Player, Recorded};
use lifeline_shared::{Outcome, Rules, Session};

const RULES: &str = include_str!("../fixtures/shop.rules.json");
const FIXTURES: [&str; 3] = [
    include_str!("../fixtures/struggling_checkout.jsonl"),
    include_str!("../fixtures/smooth_purchase.jsonl"),
    include_str!("../fixtures/browsing.jsonl"),
];

fn bench_rules() -> Arc<Rules> {
    // The shop's rules with the throttle opened up, so the decision path stays hot.
    let mut spec: serde_json::Value = serde_json::from_str(RULES).expect("rules fixture");
    spec["limits"] =
        serde_json::json!({"max_per_session": 100, "max_per_page": 20, "min_gap_s": 0});
    for rule in spec["rules"].as_array_mut().expect("rules") {
        rule["limit"] = serde_json::json!({"max_per_session": 100});
    }
    Arc::new(Rules::from_json_str(&spec.to_string()).expect("bench rules"))
}

/// The event mix: every fixture line, with times running on across fixtures.
fn stream() -> Vec<(u64, Recorded)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for text in FIXTURES {
        let lines: Vec<Line> = replay::parse(text).expect("fixture");
        for line in lines {
            out.push((offset + line.t, line.event));
        }
        offset += 200_000;
    }
    out
}

/// Feeds the stream `rounds` times; returns events fed.
fn feed(player: &mut Player, stream: &[(u64, Recorded)], rounds: u64, start: &mut u64) -> usize {
    for _ in 0..rounds {
        for (t, recorded) in stream {
            let decided = player.play(*start + t, recorded);
            if let Some(d) = decided {
                // Close every prompt so the next decision can come.
                player
                    .session_mut()
                    .record(*start + t, d.prompt, Outcome::Ignored);
            }
            black_box(&decided);
        }
        *start += 1_000_000;
    }
    stream.len() * rounds as usize
}

fn main() {
    let rules = bench_rules();
    let stream = stream();

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(stream.len() as u64));
    group.bench_function("mixed_session_events", |b| {
        let mut player = Player::new(Session::new(rules.clone(), "bench", 0));
        let mut start = 0;
        b.iter(|| feed(&mut player, &stream, 1, &mut start));
    });
    group.finish();
    let compiled = Rules::from_json_str(RULES).expect("rules").to_compiled();
    c.bench_function("rules/decode_compiled_shop_rules", |b| {
        b.iter(|| Rules::from_compiled(black_box(&compiled)))
    });
    c.bench_function("rules/read_and_check_shop_rules", |b| {
        b.iter(|| Rules::from_json_str(black_box(RULES)))
    });
    c.final_summary();

    // A plain figure for the README: median over 31 runs of 200 rounds each.
    let mut per_event: Vec<f64> = (0..31)
        .map(|_| {
            let mut player = Player::new(Session::new(rules.clone(), "bench", 0));
            let mut start = 0;
            feed(&mut player, &stream, 5, &mut start); // warm-up
            let t = Instant::now();
            let n = feed(&mut player, &stream, 200, &mut start);
            t.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    per_event.sort_by(f64::total_cmp);
    let parse = {
        let t = Instant::now();
        for _ in 0..200 {
            black_box(Rules::from_json_str(black_box(RULES)).ok());
        }
        t.elapsed().as_micros() as f64 / 200.0
    };
    #[allow(clippy::print_stdout)]
    {
        println!(
            "\nengine per event (mixed session stream, {} events): median {:.0} ns, min {:.0} ns, max {:.0} ns over 31 runs",
            stream.len(),
            per_event[15],
            per_event[0],
            per_event[30]
        );
        println!("rules: read and check the shop's rules file: {parse:.1} us");
    }
}
