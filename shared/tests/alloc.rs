//! The per-event path allocates nothing: a counting global allocator watches every event of
//! the recorded sessions, after the session is created.

#![cfg(not(target_arch = "wasm32"))]
// A global allocator is unsafe by nature; this one only counts and forwards to the system.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use lifeline_shared::Session;
use lifeline_shared::replay::Player;

struct Counting;

thread_local! {
    // Count only on the thread under test, and per thread: the harness and other tests
    // allocate on theirs at the same time.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    if COUNTING.with(Cell::get) {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwards the caller's contract unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwards the caller's contract unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwards the caller's contract unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn counted<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    COUNTING.with(|c| c.set(true));
    let out = f();
    COUNTING.with(|c| c.set(false));
    (out, ALLOCATIONS.with(Cell::get) - before)
}

#[test]
fn observing_events_allocates_nothing() {
    let rules = common::shop_rules();
    // Every fixture, back to back, ten times over, in one long visit: every detector,
    // rule, decision, outcome and context change runs.
    let fixtures: Vec<_> = common::FIXTURES
        .iter()
        .map(|f| common::lines(f.text))
        .collect();
    let mut player = Player::new(Session::new(rules, "alloc", 0));
    let mut decisions = 0usize;
    let mut events = 0usize;
    let (_, allocations) = counted(|| {
        let mut offset = 0;
        for _ in 0..10 {
            for lines in &fixtures {
                for line in lines {
                    events += 1;
                    decisions += usize::from(player.play(offset + line.t, &line.event).is_some());
                    let _ = player.session().reasons();
                }
                offset += 200_000;
            }
        }
    });
    assert!(
        decisions > 0 && events > 500,
        "the run exercised the engine: {decisions} decisions, {events} events"
    );
    assert_eq!(
        allocations, 0,
        "{allocations} allocations in {events} events"
    );
}

#[test]
fn the_counter_sees_allocations() {
    let (v, allocations) = counted(|| vec![1u8; 16]);
    assert_eq!(v.len(), 16);
    assert_eq!(allocations, 1);
}
