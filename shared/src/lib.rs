//! Lifeline's engine, shared by the browser agent and the collector: the rules site owners
//! write, the struggle signals, the difficulty score and the decision. Pure Rust — no clock,
//! no randomness, no I/O: time comes in as a parameter — so it builds for native and wasm32
//! and behaves the same on both. `no_std` (with `alloc`), as the shipped browser agent is.
//!
//! # Layout
//! - [`codec`](mod@codec): the compact stored form of what the agent keeps in the browser.
//! - [`json`]: a small JSON tree that keeps duplicate keys, filled by serde.
//! - [`rules`]: the rules JSON as written ([`rules::spec`]), read with every error and its
//!   path, then checked once into [`Rules`], the form the hot path uses.
//! - [`page`]: page patterns (exact, prefix, glob, not, any) compiled to [`page::Matcher`].
//! - [`event`]: the typed, content-free [`Event`]s the agent observes.
//! - [`signals`]: the detectors (rage, dead and error clicks, page loop, quick back, repeated
//!   action, dwell outlier, cart churn, cancel and exit intent, idle).
//! - [`score`]: difficulty in [0, 1] with decay, and its reasons.
//! - [`decide`]: the throttle, the decision value and the choice of at most one prompt.
//! - [`session`]: one visit: events in, [`Decision`]s out; saved and restored across pages.
//! - [`privacy`]: what of a URL may leave the page.
//! - [`replay`]: recorded sessions as JSON lines, for tests, benchmarks and dry runs.
//! - [`wire`]: the only thing an agent sends: batches of decisions and feedback.
//!
//! # Data flow
//! ```text
//! Event --> signals::Detectors --> score::Score --> decide::choose --> Option<Decision>
//!              (fixed-size state)     (decay)         (rules, throttle, value)
//! ```

// `no_std` (with `alloc`): the browser agent is built without `std` (its panic and
// formatting machinery), and this crate is most of it. Natively std is there anyway.
#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

/// What `std`'s prelude would bring, from `alloc`.
mod prelude {
    pub(crate) use alloc::borrow::ToOwned;
    pub(crate) use alloc::boxed::Box;
    pub(crate) use alloc::format;
    pub(crate) use alloc::string::{String, ToString};
    pub(crate) use alloc::vec;
    pub(crate) use alloc::vec::Vec;
}

pub mod codec;
pub mod decide;
pub mod event;
pub mod hash;
pub mod json;
pub mod page;
pub mod privacy;
pub mod replay;
pub mod rules;
pub mod score;
pub mod session;
pub mod signals;
pub mod wire;

mod ring;

pub use decide::{Context, Decision, Outcome, Verdict};
pub use event::{CartChange, Click, ClickFlags, ElementKey, Event};
pub use rules::{Checked, RuleError, RuleErrorKind, RuleErrors, Rules};
pub use session::{Session, SessionState};
pub use signals::{Signal, SignalSet};
