//! The release agent's weight: wasm + JS (everything agent.js carries: wasm-bindgen's glue,
//! the prompt renderer, the loader), raw, gzip and brotli. Needs the release build:
//! `make size` builds it and runs these.
//!
//! Two limits: the budget the agent must reach (40 kB, not met yet: ignored, run by
//! `make size-budget`), and a ceiling at today's weight that `make test` holds, so no change
//! adds bytes without saying so here.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::Write;
use std::path::Path;

/// The budget for wasm + JS, brotli-compressed.
const BUDGET_BROTLI: usize = 40 * 1024;
/// Today's weight, rounded up: lower it as bytes come off; never raise it quietly.
// Raised from 46,800 to 47,000 B: the selectors read on every click are made JS strings once
// (+0.4 kB), which took 40% off the agent's script time per click.
const CEILING_BROTLI: usize = 47_000;

fn brotli(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
    w.write_all(bytes).unwrap();
    drop(w);
    out.len()
}

fn gzip(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap().len()
}

/// Prints the sizes of the release agent and returns its brotli total.
fn weigh() -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/agent");
    // The wasm carries its content hash in its name: agent-HASH.wasm.
    let wasm = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}; run `make agent` first", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|n| n.starts_with("agent-") && n.ends_with(".wasm"))
        .expect("agent-HASH.wasm: run `make agent` first");
    let mut total = 0;
    for name in [wasm.as_str(), "agent.js"] {
        let bytes = std::fs::read(dir.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}; run `make agent` first"));
        let (g, b) = (gzip(&bytes), brotli(&bytes));
        println!(
            "{name:>10}: {:>7} B raw, {g:>7} B gzip -9, {b:>7} B brotli -q 11",
            bytes.len()
        );
        total += b;
    }
    println!("{:>10}: {total:>7} B brotli", "total");
    total
}

#[test]
#[ignore = "needs the release build: run `make size`"]
fn the_release_agent_is_no_heavier_than_today() {
    let total = weigh();
    assert!(
        total <= CEILING_BROTLI,
        "the agent weighs {total} B brotli, over today's {CEILING_BROTLI} B: find the bytes, \
         or raise the ceiling in this file and say why in the commit"
    );
}

#[test]
#[ignore = "not met yet: run `make size-budget`"]
fn the_release_agent_fits_its_budget() {
    let total = weigh();
    assert!(
        total <= BUDGET_BROTLI,
        "the agent weighs {total} B brotli, over its budget of {BUDGET_BROTLI} B"
    );
}
