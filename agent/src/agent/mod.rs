//! [`Agent`]: one page's agent, independent of the browser. The platform feeds it events
//! and calls; it runs the engine, shows prompts through its [`Host`], and queues only
//! decisions and feedback in the [`Outbox`].
//!
//! Phases: waiting for rules; dormant (bad rules, opted out, Global Privacy Control, no
//! consent given when the rules require it); running.

use crate::prelude::*;

use alloc::sync::Arc;
use lifeline_shared::wire::cat;

use lifeline_shared::page::PageId;
use lifeline_shared::privacy::report_path;
use lifeline_shared::rules::PromptIdx;
use lifeline_shared::rules::spec::{Band, Device, PromptKind};
use lifeline_shared::wire::{MAX_COMMENT, Report};
use lifeline_shared::{
    Decision, Event, Outcome, RuleErrors, Rules, Session, SessionState, SignalSet,
};

use lifeline_shared::codec::{self, Codec};

use crate::host::{Area, Host, Level, Loaded};
use crate::outbox::Outbox;
use crate::profile::Profile;

mod lifecycle;
mod page;
mod prompting;
mod sending;
mod support;

pub use support::VISITOR_RULE;

/// What the page tells the agent at start.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The site id (`data-site`).
    pub site: String,
    /// The visitor's preferred language (`navigator.language`).
    pub language: String,
    /// The browser sends Global Privacy Control.
    pub gpc: bool,
    /// Device class, from the screen and pointer.
    pub device: Device,
}

/// The rule id reported for prompts shown by `lifeline.show()`.
pub const MANUAL_RULE: &str = "manual";

/// Feedback the visitor submitted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Feedback {
    /// 1 to 5 stars.
    pub rating: Option<u8>,
    /// Thumbs up or down.
    pub thumbs: Option<bool>,
    /// What they typed.
    pub comment: Option<String>,
}

/// Why the agent is not running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dormancy {
    /// The rules are not valid.
    BadRules,
    /// The visitor opted out.
    OptedOut,
    /// The browser sends Global Privacy Control and the rules honour it.
    Gpc,
    /// The rules require consent and it was refused.
    NoConsent,
    /// A panic: the agent stopped itself.
    Stopped,
}

/// Where the agent is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting for rules.
    Loading,
    /// Waiting for `consent(true)`.
    AwaitingConsent,
    /// Observing and deciding.
    Running,
    /// Off, and why.
    Dormant(Dormancy),
}

/// This visit's engine state as saved in `sessionStorage` between page loads.
#[derive(Debug)]
struct SavedVisit {
    id: String,
    state: SessionState,
}

lifeline_shared::codec::codec!(SavedVisit { id, state });

/// Reads a stored value in its codec form.
fn load<H: Host, T: Codec>(host: &H, area: Area, key: &str) -> Loaded<T> {
    match host.get(area, key) {
        None => Loaded::Missing,
        Some(text) => codec::decode(&text).map_or(Loaded::Corrupt, Loaded::Found),
    }
}

/// Stores a value in its codec form; false when storage refused.
fn store<H: Host, T: Codec>(host: &mut H, area: Area, key: &str, value: &T) -> bool {
    host.set(area, key, &codec::encode(value))
}

/// The prompt on screen.
#[derive(Debug, Clone)]
struct Open {
    rule: String,
    prompt: String,
    prompt_index: u16,
    kind: PromptKind,
    band: Band,
    signals: SignalSet,
    /// When it showed (the visitor's time to answer goes with feedback).
    shown_at: u64,
    /// Its language (the collector answers feedback in it).
    lang: String,
}

struct Running {
    rules: Arc<Rules>,
    session: Session,
    id: String,
    /// `VISIT:LOAD`, the start of every report key made by this page load: unique across
    /// reloads, tabs and restores from the back/forward cache, whatever the stored outbox's
    /// sequence number says.
    key_prefix: String,
    outbox: Outbox,
    profile: Profile,
    open: Option<Open>,
    /// This page's claim on the visit: the tab's newest page (a load or a restore from the
    /// back/forward cache) holds the highest, and only it writes the visit. The browser may
    /// show a restored page before the page left has run its `pagehide`: that page's late
    /// save would put its stale copy over the newer one.
    epoch: u32,
    /// The page's signals when the visit was last saved.
    saved_signals: SignalSet,
    /// Page views since the visit was last saved (SPA route changes save on the next tick).
    unsaved_views: bool,
    /// The current page as reported (path and kept query parameters).
    page: String,
    /// The current page's identity (path and query, hashed), for change detection.
    page_id: Option<u64>,
}

enum Phase {
    Loading,
    AwaitingConsent(Arc<Rules>),
    Running(Box<Running>),
    Dormant(Dormancy),
}

/// Storage keys of one site.
struct Keys {
    profile: String,
    outbox: String,
    visit: String,
    opt_out: String,
    consent: String,
    epoch: String,
}

/// One page's agent.
pub struct Agent<H: Host> {
    host: H,
    config: Config,
    keys: Keys,
    phase: Phase,
    /// The page before rules arrived (a navigation may come first).
    pending_page: Option<String>,
    tier: Option<String>,
    agents_online: bool,
}

impl<H: Host> Agent<H> {
    /// An agent waiting for its rules.
    pub fn new(host: H, config: Config) -> Agent<H> {
        let site = &config.site;
        let keys = Keys {
            profile: cat(&["lifeline:", site, ":profile"]),
            outbox: cat(&["lifeline:", site, ":outbox"]),
            visit: cat(&["lifeline:", site, ":visit"]),
            opt_out: cat(&["lifeline:", site, ":opt-out"]),
            consent: cat(&["lifeline:", site, ":consent"]),
            epoch: cat(&["lifeline:", site, ":epoch"]),
        };
        let mut agent = Agent {
            host,
            config,
            keys,
            phase: Phase::Loading,
            pending_page: None,
            tier: None,
            agents_online: false,
        };
        if matches!(
            load::<H, bool>(&agent.host, Area::Local, &agent.keys.opt_out),
            Loaded::Found(true)
        ) {
            agent.phase = Phase::Dormant(Dormancy::OptedOut);
        }
        agent
    }

    /// Where the agent is.
    pub fn state(&self) -> State {
        match &self.phase {
            Phase::Loading => State::Loading,
            Phase::AwaitingConsent(_) => State::AwaitingConsent,
            Phase::Running(_) => State::Running,
            Phase::Dormant(why) => State::Dormant(*why),
        }
    }

    /// The rules running, once they arrived and the agent runs.
    pub fn rules(&self) -> Option<Arc<Rules>> {
        match &self.phase {
            Phase::Running(run) => Some(run.rules.clone()),
            _ => None,
        }
    }

    /// The host (for the platform and tests).
    pub fn host(&self) -> &H {
        &self.host
    }

    /// The host, mutably.
    pub fn host_mut(&mut self) -> &mut H {
        &mut self.host
    }
}
