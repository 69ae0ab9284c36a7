//! [`Host`]: everything the agent needs from its surroundings. The browser implements it
//! in `platform` (wasm32); [`MemoryHost`] implements it in memory for native tests.

use crate::prelude::*;

#[cfg(not(target_arch = "wasm32"))]
use lifeline_shared::wire::ReportBatch;

#[cfg(not(target_arch = "wasm32"))]
use crate::view::PromptView;

/// Which storage: kept across visits, or for this visit (tab) only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// `localStorage`: the visitor profile, the outbox.
    Local,
    /// `sessionStorage`: this visit's engine state.
    Session,
}

/// A stored value, read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded<T> {
    /// Nothing stored.
    Missing,
    /// Something stored that is not a `T` (another version, another script): reset it.
    Corrupt,
    /// The value.
    Found(T),
}

/// How loud a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `console.info` (the debug switch)
    Info,
    /// `console.warn`
    Warn,
    /// `console.error`
    Error,
}

/// The agent's surroundings.
pub trait Host {
    /// Wall-clock time, ms since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// A fresh random id for a visit (at least 16 characters of `[a-z0-9]`).
    fn random_id(&mut self) -> String;
    /// Reads a stored string.
    fn get(&self, area: Area, key: &str) -> Option<String>;
    /// Stores a string; false when storage refused (full, disabled).
    fn set(&mut self, area: Area, key: &str, value: &str) -> bool;
    /// Forgets every stored value whose key starts with `prefix`, in both areas.
    fn clear(&mut self, prefix: &str);
    /// Sends a batch (its JSON): with `fetch` (its result comes back through
    /// `Agent::sent`) or, when the page is going away, with `sendBeacon`. True when it went
    /// (a beacon the browser queued; a fetch started).
    fn send(&mut self, batch: &str, beacon: bool) -> bool;
    /// Shows a prompt (replacing any other); false when it could not be shown.
    fn show(&mut self, view: &str) -> bool;
    /// Removes the prompt.
    fn hide(&mut self);
    /// Tells the developer console.
    fn log(&mut self, level: Level, message: &str);
}

/// A host in memory, for native tests: a settable clock, maps for storage, and records of
/// what was sent, shown and logged.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Default)]
pub struct MemoryHost {
    /// The clock.
    pub now: u64,
    /// Ids handed out so far.
    pub ids: u64,
    /// `localStorage`.
    pub local: alloc::collections::BTreeMap<String, String>,
    /// `sessionStorage`.
    pub session: alloc::collections::BTreeMap<String, String>,
    /// Batches sent (as the collector reads them), with whether by beacon.
    pub sent: Vec<(ReportBatch, bool)>,
    /// The prompt on screen.
    pub shown: Option<PromptView>,
    /// Every prompt ever shown.
    pub history: Vec<PromptView>,
    /// Console messages.
    pub console: Vec<(Level, String)>,
    /// Refuse writes to storage (a full or disabled storage).
    pub storage_full: bool,
    /// Refuse to show prompts (a page without a body yet).
    pub cannot_show: bool,
    /// Refuse beacons (the browser's beacon queue is full).
    pub beacons_refused: bool,
}

#[cfg(not(target_arch = "wasm32"))]
impl MemoryHost {
    fn area(&self, area: Area) -> &alloc::collections::BTreeMap<String, String> {
        match area {
            Area::Local => &self.local,
            Area::Session => &self.session,
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Host for MemoryHost {
    fn now_ms(&self) -> u64 {
        self.now
    }
    fn random_id(&mut self) -> String {
        self.ids += 1;
        format!("visit{:012}", self.ids)
    }
    fn get(&self, area: Area, key: &str) -> Option<String> {
        self.area(area).get(key).cloned()
    }
    fn set(&mut self, area: Area, key: &str, value: &str) -> bool {
        if self.storage_full {
            return false;
        }
        match area {
            Area::Local => self.local.insert(key.to_owned(), value.to_owned()),
            Area::Session => self.session.insert(key.to_owned(), value.to_owned()),
        };
        true
    }
    fn clear(&mut self, prefix: &str) {
        self.local.retain(|k, _| !k.starts_with(prefix));
        self.session.retain(|k, _| !k.starts_with(prefix));
    }
    fn send(&mut self, batch: &str, beacon: bool) -> bool {
        let batch = serde_json::from_str(batch).expect("the agent sends JSON the collector reads");
        self.sent.push((batch, beacon));
        !self.beacons_refused
    }
    fn show(&mut self, view: &str) -> bool {
        if self.cannot_show {
            return false;
        }
        let view = PromptView::read(view).expect("the agent shows views the renderer can read");
        self.shown = Some(view.clone());
        self.history.push(view);
        true
    }
    fn hide(&mut self) {
        self.shown = None;
    }
    fn log(&mut self, level: Level, message: &str) {
        self.console.push((level, message.to_owned()));
    }
}
