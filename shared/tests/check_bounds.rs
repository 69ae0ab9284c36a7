//! Checking hostile rules costs memory bounded by the input: a measuring allocator takes
//! the peak of `Rules::from_json_str` on bodies up to the collector's 256 KiB limit. Before
//! the bounds, a 24.6 KB body peaked at 129 MiB (every error copied its whole path). The
//! bound is 32x the body and 1 MiB; the worst here, a list of 131,000 wrong values, is the
//! JSON tree itself (24 bytes a value, in a vector that grows by doubling): 24x.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use lifeline_shared::Rules;

#[path = "common/hostile.rs"]
mod hostile;
use hostile::{LIMIT, peak_of_checking};

#[test]
fn checking_any_hostile_body_up_to_the_limit_takes_at_most_32_times_its_size() {
    let bodies = hostile::rules_bodies();
    for (what, body) in &bodies {
        assert!(body.len() <= LIMIT, "{what}: {} bytes", body.len());
        let (peak, problems) = peak_of_checking(body);
        println!(
            "{what}: {} B body, peak {} B ({:.1}x), {problems} problems",
            body.len(),
            peak,
            peak as f64 / body.len() as f64
        );
        assert!(problems <= 101, "{what}: {problems} problems listed");
        assert!(
            peak <= 24 * body.len() + (1 << 20),
            "{what}: peak {peak} B for a {} B body",
            body.len()
        );
    }
}

#[test]
fn the_worst_globs_the_checker_accepts_still_check() {
    assert!(Rules::from_json_str(&hostile::worst_globs()).is_ok());
}

#[test]
fn past_a_hundred_problems_the_rest_are_counted() {
    let body = format!(
        r#"{{"version": 1, "rules": [{}]}}"#,
        vec!["0"; 250].join(",")
    );
    let errors: Vec<String> = Rules::from_json_str(&body)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors.len(), 101);
    assert_eq!(
        errors[100],
        "and 150 more problems, not listed: fix these first"
    );
}
