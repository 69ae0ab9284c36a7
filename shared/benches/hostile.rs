//! Hostile input, measured: the slowest page view over the worst rules the checker accepts
//! (every pattern a backtracking glob, the pattern budget spent) against paths of 2 KB,
//! 64 KB and 1 MB; and the peak memory and time of checking each hostile rules body up to
//! the collector's 256 KiB limit. Prints figures; asserts nothing (`make bench-hostile`).

#![allow(clippy::print_stdout, clippy::unwrap_used)]

#[path = "../tests/common/hostile.rs"]
mod hostile;

use std::sync::Arc;
use std::time::Instant;

use lifeline_shared::{Event, Rules, Session};

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let rules = Arc::new(Rules::from_json_str(&hostile::worst_globs()).unwrap());
    println!(
        "Page views over the worst rules the checker accepts ({} globs):",
        rules.matchers.len()
    );
    println!("| path | steps | median page view |");
    println!("|---|---|---|");
    for len in [2 << 10, 64 << 10, 1 << 20] {
        let path = format!("/{}", "a".repeat(len));
        let mut steps = 0;
        for m in &rules.matchers {
            m.matches_counted(&path, &mut steps);
        }
        let mut session = Session::new(rules.clone(), "bench", 0);
        let times: Vec<f64> = (0..21u64)
            .map(|i| {
                let started = Instant::now();
                std::hint::black_box(
                    session.observe(1000 * (i + 1), &Event::Navigate { path: &path }),
                );
                started.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        println!("| {} KB | {steps} | {:.3} ms |", len >> 10, median(times));
    }
    println!();
    println!("Checking hostile rules bodies:");
    println!("| body | size | peak held | time | problems listed |");
    println!("|---|---|---|---|---|");
    for (what, body) in hostile::rules_bodies() {
        let started = Instant::now();
        let (peak, problems) = hostile::peak_of_checking(&body);
        let ms = started.elapsed().as_secs_f64() * 1e3;
        println!(
            "| {what} | {} KB | {:.1} MB ({:.1}x) | {ms:.1} ms | {problems} |",
            body.len() / 1024,
            peak as f64 / 1e6,
            peak as f64 / body.len() as f64
        );
    }
}
