//! [`Host`]: everything the agent needs from its surroundings. The browser implements it
//! in [`crate::platform`]; [`MemoryHost`] implements it in memory for native tests.

use serde::Serialize;
use serde::de::DeserializeOwned;

use lifeline_shared::wire::ReportBatch;

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
    /// Reads a stored value.
    fn load<T: DeserializeOwned>(&self, area: Area, key: &str) -> Loaded<T>;
    /// Stores a value; false when storage refused (full, disabled).
    fn save<T: Serialize>(&mut self, area: Area, key: &str, value: &T) -> bool;
    /// Forgets a stored value.
    fn remove(&mut self, area: Area, key: &str);
    /// Sends a batch: with `fetch` (its result comes back through `Agent::sent`) or, when
    /// the page is going away, with `sendBeacon` (no result).
    fn send(&mut self, batch: &ReportBatch, beacon: bool);
    /// Shows a prompt (replacing any other).
    fn show(&mut self, view: &PromptView);
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
    /// `localStorage`, as JSON text.
    pub local: std::collections::BTreeMap<String, String>,
    /// `sessionStorage`, as JSON text.
    pub session: std::collections::BTreeMap<String, String>,
    /// Batches sent, with whether by beacon.
    pub sent: Vec<(ReportBatch, bool)>,
    /// The prompt on screen.
    pub shown: Option<PromptView>,
    /// Every prompt ever shown.
    pub history: Vec<PromptView>,
    /// Console messages.
    pub console: Vec<(Level, String)>,
    /// Refuse writes to storage (a full or disabled storage).
    pub storage_full: bool,
}

#[cfg(not(target_arch = "wasm32"))]
impl MemoryHost {
    fn area(&self, area: Area) -> &std::collections::BTreeMap<String, String> {
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
    fn load<T: DeserializeOwned>(&self, area: Area, key: &str) -> Loaded<T> {
        match self.area(area).get(key) {
            None => Loaded::Missing,
            Some(text) => serde_json::from_str(text).map_or(Loaded::Corrupt, Loaded::Found),
        }
    }
    fn save<T: Serialize>(&mut self, area: Area, key: &str, value: &T) -> bool {
        if self.storage_full {
            return false;
        }
        let Ok(text) = serde_json::to_string(value) else {
            return false;
        };
        match area {
            Area::Local => self.local.insert(key.to_owned(), text),
            Area::Session => self.session.insert(key.to_owned(), text),
        };
        true
    }
    fn remove(&mut self, area: Area, key: &str) {
        match area {
            Area::Local => self.local.remove(key),
            Area::Session => self.session.remove(key),
        };
    }
    fn send(&mut self, batch: &ReportBatch, beacon: bool) {
        self.sent.push((batch.clone(), beacon));
    }
    fn show(&mut self, view: &PromptView) {
        self.shown = Some(view.clone());
        self.history.push(view.clone());
    }
    fn hide(&mut self) {
        self.shown = None;
    }
    fn log(&mut self, level: Level, message: &str) {
        self.console.push((level, message.to_owned()));
    }
}
