//! Lifeline's support module in the browser: [`lifeline_support`] as wasm with no imports
//! and three exports, driven by
//! `agent/support/js/support.js`. Text crosses as UTF-8 through two buffers the module
//! owns: `input(len)` makes room and answers where the script writes, `call(op)` runs one
//! operation on it and answers the length of what it left at `output()`.
//!
//! Operations (`Op`): load the content (its compact bytes), plan a session (the agent's
//! context lines, then the stored history), search, keep the history, judge a session.
//! A failure inside traps; the script catches it and ends the session quietly.

#![cfg_attr(target_arch = "wasm32", no_std)]

// Natively (`cargo test --workspace`) there is nothing here but this doc.
#[cfg(target_arch = "wasm32")]
extern crate alloc;

#[cfg(target_arch = "wasm32")]
mod wasm;
