//! The release agent's weight: wasm + JS, raw, gzip and brotli. Fails above the budget.
//! Needs the release build: `make size` builds it and runs this.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::Write;
use std::path::Path;

/// The budget for wasm + JS, brotli-compressed.
const BUDGET_BROTLI: usize = 40 * 1024;

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

#[test]
#[ignore = "needs the release build: run `make size`"]
fn the_release_agent_fits_its_budget() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/agent");
    let mut total = 0;
    for name in ["agent.wasm", "agent.js"] {
        let bytes = std::fs::read(dir.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}; run `make agent` first"));
        let (g, b) = (gzip(&bytes), brotli(&bytes));
        println!(
            "{name:>10}: {:>7} B raw, {g:>7} B gzip -9, {b:>7} B brotli -q 11",
            bytes.len()
        );
        total += b;
    }
    println!(
        "{:>10}: {total:>7} B brotli (budget {BUDGET_BROTLI} B)",
        "total"
    );
    assert!(
        total <= BUDGET_BROTLI,
        "the agent weighs {total} B brotli, over its budget of {BUDGET_BROTLI} B"
    );
}
