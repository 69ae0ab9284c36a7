//! The exports, the module's state, its allocator and panic handler.

// The module's state, one instance on wasm's one thread, is the only unsafe code here.
#![allow(unsafe_code)]
#![expect(
    clippy::manual_pattern_char_comparison,
    reason = "char patterns bring memchr: bytes in a module with a budget"
)]

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

use lifeline_support::Support;
use lifeline_support::effect::{Evidence, judge};
use lifeline_support::history::{Ending, History};
use lifeline_support::plan::{Location, Visitor, plan};

#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32 without threads: one thread ever uses the allocator.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// Most search results.
const MAX_RESULTS: usize = 8;

#[derive(Default)]
struct State {
    input: Vec<u8>,
    output: String,
    support: Option<Support>,
    history: History,
}

struct Global(UnsafeCell<Option<State>>);

// SAFETY: wasm32 without threads: the state is only ever touched from the one thread, and
// never re-entered (no export calls another).
unsafe impl Sync for Global {}

static STATE: Global = Global(UnsafeCell::new(None));

fn state() -> &'static mut State {
    // SAFETY: see `Global`: one thread, no re-entry, so this is the only live reference.
    unsafe { (*STATE.0.get()).get_or_insert_with(State::default) }
}

/// What `call` does.
#[derive(Clone, Copy)]
enum Op {
    /// Input: the content's compact bytes. Output: `ok`, or nothing when they are not
    /// content this build reads.
    Load = 0,
    /// Input: the agent's context lines, then the stored history. Output: the session's
    /// first screen as JSON ([`lifeline_support::view::plan`]).
    Plan = 1,
    /// Input: what the visitor typed. Output: a JSON list of the best articles.
    Search = 2,
    /// Input: one change per line (`begin AT PAGE [TASK]`, `shown ID`, `finished ID`,
    /// `end resolved|failed|escalated`). Output: the history to store.
    Keep = 3,
    /// Input: `answer struggled task window`, one character each (`y`/`n`/`-`, `1`/`0`,
    /// `1`/`0`/`-`, `1`/`0`; `y` and `1` both read as yes, `n` and `0` as no).
    /// Output: `open`, `resolved` or `failed`, by the content's threshold.
    Judge = 4,
}

/// Makes room for `len` bytes of input; answers where to write them.
#[unsafe(no_mangle)]
pub(crate) extern "C" fn input(len: usize) -> *mut u8 {
    let s = state();
    s.input.clear();
    s.input.resize(len, 0);
    s.input.as_mut_ptr()
}

/// Where the last call's output is.
#[unsafe(no_mangle)]
pub(crate) extern "C" fn output() -> *const u8 {
    state().output.as_ptr()
}

/// Runs operation `op` on the input; answers the output's length in bytes.
#[unsafe(no_mangle)]
pub(crate) extern "C" fn call(op: u32) -> usize {
    let s = state();
    s.output.clear();
    let input = core::mem::take(&mut s.input);
    match op {
        x if x == Op::Load as u32 => load(s, &input),
        x if x == Op::Plan as u32 => session(s, &text(&input)),
        x if x == Op::Search as u32 => search(s, &text(&input)),
        x if x == Op::Keep as u32 => keep(s, &text(&input)),
        x if x == Op::Judge as u32 => judged(s, &input),
        _ => {}
    }
    s.output.len()
}

/// Space-separated words.
fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c| c == ' ').filter(|w| !w.is_empty())
}

/// A time in ms, in decimal (the first 15 digits: `parse`'s overflow checks weigh more
/// than the rest of `keep`); 0 when it is not a number.
fn number(s: &str) -> u64 {
    let mut n = 0u64;
    for b in s.bytes().take(15) {
        if !b.is_ascii_digit() {
            return 0;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    n
}

/// The input as text (the renderer's `TextEncoder` writes UTF-8; anything else is empty).
fn text(bytes: &[u8]) -> String {
    lifeline_support::codec::text(bytes).unwrap_or_default()
}

fn load(s: &mut State, bytes: &[u8]) {
    s.support = lifeline_support::codec::decode(bytes);
    if s.support.is_some() {
        s.output.push_str("ok");
    }
}

fn session(s: &mut State, input: &str) {
    let Some(support) = &s.support else { return };
    let mut lines = input.splitn(11, |c| c == '\n');
    let mut next = || lines.next().unwrap_or_default();
    let (_site, _rule, _prompt) = (next(), next(), next());
    let (page, language, tier, flags) = (next(), next(), next(), next());
    let signals: Vec<&str> = words(next()).collect();
    let tasks = next();
    let _score = next();
    let task = (words(tasks))
        .find_map(|t| t.strip_suffix("=active"))
        .or_else(|| words(tasks).find_map(|t| t.split(|c| c == '=').next()));
    s.history = History::from_storable(next());
    let at = Location {
        page,
        signals: &signals,
        task,
    };
    let visitor = Visitor {
        returning: flags.bytes().any(|f| f == b'r'),
        tier: (!tier.is_empty()).then_some(tier),
        language,
        agents_online: flags.bytes().any(|f| f == b'o'),
    };
    let p = plan(support, &at, &visitor, &s.history);
    s.output = lifeline_support::view::plan(support, &p);
}

fn search(s: &mut State, query: &str) {
    let Some(support) = &s.support else { return };
    s.output.push('[');
    for (n, (i, _)) in lifeline_support::rank::search(&support.articles, query)
        .into_iter()
        .take(MAX_RESULTS)
        .enumerate()
    {
        if n > 0 {
            s.output.push(',');
        }
        s.output.push_str(&support.articles[i].view);
    }
    s.output.push(']');
}

fn keep(s: &mut State, changes: &str) {
    for line in changes.split(|c| c == '\n') {
        let (what, rest) = line.split_once(|c| c == ' ').unwrap_or((line, ""));
        match what {
            "begin" => {
                let mut f = rest.split(|c| c == ' ');
                let at = f.next().map_or(0, number);
                let page = f.next().unwrap_or("/");
                s.history
                    .begin(at, page, f.next().filter(|t| !t.is_empty()));
            }
            "shown" => {
                if let Some(r) = s.history.open() {
                    r.shown(rest);
                }
            }
            "finished" => {
                if let Some(r) = s.history.open() {
                    r.finished(rest);
                }
            }
            "end" => {
                let ending = match rest {
                    "resolved" => Ending::Resolved,
                    "escalated" => Ending::Escalated,
                    _ => Ending::Failed,
                };
                if let Some(r) = s.history.open() {
                    r.ending = ending;
                }
            }
            _ => {}
        }
    }
    s.output = s.history.to_storable();
}

fn judged(s: &mut State, evidence: &[u8]) {
    let Some(support) = &s.support else { return };
    // One character each, a space between.
    let at = |i: usize| evidence.get(2 * i).copied().unwrap_or(b'-');
    let yes_no = |c: u8| match c {
        b'y' | b'1' => Some(true),
        b'n' | b'0' => Some(false),
        _ => None,
    };
    let answer = yes_no(at(0));
    let struggled_again = at(1) == b'1';
    let task_completed = yes_no(at(2));
    let window_over = at(3) == b'1';
    let e = Evidence {
        answer,
        struggled_again,
        task_completed,
        window_over,
    };
    s.output.push_str(match judge(&e, &support.escalation) {
        Ending::Open => "open",
        Ending::Resolved => "resolved",
        _ => "failed",
    });
}
