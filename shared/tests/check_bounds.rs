//! Checking hostile rules costs memory bounded by the input: a measuring allocator takes
//! the peak of `Rules::from_json_str` on bodies up to the collector's 256 KiB limit. Before
//! the bounds, a 24.6 KB body peaked at 129 MiB (every error copied its whole path). The
//! bound is 32x the body and 1 MiB; the worst here, a list of 131,000 wrong values, is the
//! JSON tree itself (24 bytes a value, in a vector that grows by doubling): 24x.
// A global allocator is unsafe by nature; this one only measures and forwards to the system.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use lifeline_shared::Rules;

/// Measures bytes held on the thread under test: now, and the peak since `measure` began.
struct Measuring;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static HELD: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn held(change: isize) {
    if ON.with(Cell::get) {
        let now = HELD.with(|h| {
            h.set(h.get() + change);
            h.get()
        });
        PEAK.with(|p| p.set(p.get().max(now)));
    }
}

unsafe impl GlobalAlloc for Measuring {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        held(layout.size() as isize);
        // SAFETY: forwards the caller's contract unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        held(-(layout.size() as isize));
        // SAFETY: forwards the caller's contract unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Measuring = Measuring;

/// Bytes held at the peak of checking `text`, and the problems reported.
fn peak_of_checking(text: &str) -> (usize, usize) {
    HELD.with(|h| h.set(0));
    PEAK.with(|p| p.set(0));
    ON.with(|o| o.set(true));
    let problems = Rules::from_json_str(text).err().map_or(0, |e| e.len());
    ON.with(|o| o.set(false));
    (PEAK.with(Cell::get).max(0) as usize, problems)
}

/// The collector's limit for a rules body.
const LIMIT: usize = 256 * 1024;

fn key(n: usize, c: char) -> String {
    std::iter::repeat_n(c, n).collect()
}

#[test]
fn checking_any_hostile_body_up_to_the_limit_takes_at_most_32_times_its_size() {
    let long = key(60_000, 'k');
    let bodies: Vec<(&str, String)> = vec![
        // Long map keys above many errors: each error's path held the keys whole.
        (
            "errors under long keys",
            format!(
                r#"{{"version": 1, "prompts": {{"{long}": {{"kind": "help", "text": {{"title": "t"}}, {}}}}}}}"#,
                (0..2000)
                    .map(|i| format!(r#""x{i}": 1"#))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        ),
        // One enormous unknown key: no suggestion is computed for it, its name is clipped.
        (
            "an enormous unknown key",
            format!(r#"{{"version": 1, "{}": 1}}"#, key(LIMIT - 64, 'z')),
        ),
        // The same key again and again: found once each, in linear time.
        (
            "duplicate keys",
            format!(
                r#"{{"version": 1{}}}"#,
                r#", "version": 1"#.repeat(LIMIT / 14 - 2)
            ),
        ),
        // A list of wrong types.
        (
            "wrong types",
            format!(
                r#"{{"version": 1, "rules": [{}]}}"#,
                vec!["0"; LIMIT / 2 - 32].join(",")
            ),
        ),
        // Deep arrays.
        (
            "deep arrays",
            format!(
                r#"{{"version": 1, "rules": {}{}}}"#,
                "[".repeat(100),
                "]".repeat(100)
            ),
        ),
    ];
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
