//! Lifeline's browser agent. One script tag on a shop's page; it watches for struggle on
//! the visitor's device, shows the help the site's rules call for, and sends only its
//! decisions and the visitor's feedback.
//!
//! # Layout
//! - [`agent`]: [`Agent`], one page's agent, independent of the browser: rules in, engine
//!   ([`lifeline_shared::Session`]) run, prompts shown, reports queued.
//! - [`host`]: [`Host`], what the agent needs from its surroundings, and [`MemoryHost`] for
//!   native tests.
//! - [`outbox`]: decisions and feedback waiting to be sent: bounded, persisted, batched,
//!   retried, each with an idempotency key.
//! - [`profile`]: the visitor's profile in their own `localStorage`, never uploaded.
//! - [`view`]: a prompt as plain data for rendering.
//! - `platform` (wasm32 only): the one module that touches `web_sys`: the JS API, DOM
//!   observation, the Shadow-DOM prompt, storage and network.
//!
//! # Data flow
//! ```text
//! DOM events --> platform::observe --> Agent --> Session (shared) --> Decision
//!                                        |--> Host::show (platform::prompt, Shadow DOM)
//!                                        '--> Outbox --> Host::send (fetch / sendBeacon)
//! ```

// `no_std` (with `alloc`). The shipped build (feature `shipped`, wasm32) links no `std` at
// all and stops on a panic with a handler of its own; every other build (native tests, the
// browser tests) has `std` and its panic hook.
#![no_std]

extern crate alloc;
#[cfg(not(all(target_arch = "wasm32", feature = "shipped")))]
extern crate std;

/// What `std`'s prelude would bring, from `alloc` (not every build uses every name).
#[allow(unused_imports)]
mod prelude {
    pub(crate) use alloc::borrow::ToOwned;
    pub(crate) use alloc::boxed::Box;
    pub(crate) use alloc::format;
    pub(crate) use alloc::string::{String, ToString};
    pub(crate) use alloc::vec;
    pub(crate) use alloc::vec::Vec;
}

pub mod agent;
pub mod host;
pub mod outbox;
pub mod profile;
pub mod view;

#[cfg(target_arch = "wasm32")]
pub mod platform;

// SAFETY: a wasm32 agent runs on one thread (no shared-memory threads are built), which is
// what `AssumeSingleThreaded` requires.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
#[allow(unsafe_code)]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

pub use agent::{Agent, Config, Dormancy, Feedback, State, VISITOR_RULE};
#[cfg(not(target_arch = "wasm32"))]
pub use host::MemoryHost;
pub use host::{Area, Host, Level, Loaded};
