//! Hostile inputs shared by the bounds tests and the hostile-input benchmark: rules bodies
//! up to the collector's 256 KiB limit, and rules that spend the whole pattern budget on
//! the globs that make matching work hardest; and a measuring allocator (this module's
//! global allocator) for what checking holds at its peak.

// A global allocator is unsafe by nature; this one only measures and forwards to the system.
#![allow(unsafe_code)]

use lifeline_shared::Rules;
use lifeline_shared::page::{MAX_PATTERN_BYTES, MAX_PATTERN_LEN};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

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
pub(crate) fn peak_of_checking(text: &str) -> (usize, usize) {
    HELD.with(|h| h.set(0));
    PEAK.with(|p| p.set(0));
    ON.with(|o| o.set(true));
    let problems = Rules::from_json_str(text).err().map_or(0, |e| e.len());
    ON.with(|o| o.set(false));
    (PEAK.with(Cell::get).max(0) as usize, problems)
}

/// The collector's limit for a rules body.
pub(crate) const LIMIT: usize = 256 * 1024;

/// (what, body) for each hostile rules body, every one at most [`LIMIT`] bytes.
pub(crate) fn rules_bodies() -> Vec<(&'static str, String)> {
    let long = "k".repeat(60_000);
    let fields: Vec<String> = (0..2000).map(|i| format!(r#""x{i}": 1"#)).collect();
    vec![
        // Long map keys above many errors: each error's path held the keys whole.
        (
            "errors under long keys",
            format!(
                r#"{{"version": 1, "prompts": {{"{long}": {{"kind": "help", "text": {{"title": "t"}}, {}}}}}}}"#,
                fields.join(",")
            ),
        ),
        // One enormous unknown key: no suggestion is computed for it, its name is clipped.
        (
            "an enormous unknown key",
            format!(r#"{{"version": 1, "{}": 1}}"#, "z".repeat(LIMIT - 64)),
        ),
        // The same key again and again: found once each, in linear time.
        (
            "duplicate keys",
            format!(
                r#"{{"version": 1{}}}"#,
                r#", "version": 1"#.repeat(LIMIT / 14 - 2)
            ),
        ),
        // A list of wrong values.
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
    ]
}

/// Rules whose page patterns are globs `*aaaa...ab` of the longest length, as many as
/// the pattern budget allows: the worst a page view can be asked to match.
pub(crate) fn worst_globs() -> String {
    let glob = format!(r#"{{"glob": "*{}b"}}"#, "a".repeat(MAX_PATTERN_LEN - 2));
    // The defaults' own patterns take part of the budget; leave them room.
    let rules: Vec<String> = (0..MAX_PATTERN_BYTES / MAX_PATTERN_LEN - 1)
        .map(|i| {
            format!(r#"{{"id": "r{i}", "when": {{"page": {glob}}}, "then": {{"prompt": "help"}}}}"#)
        })
        .collect();
    format!(
        r#"{{"version": 1, "prompts": {{"help": {{"kind": "help", "text": {{"title": "Help"}}}}}},
            "rules": [{}]}}"#,
        rules.join(",")
    )
}
