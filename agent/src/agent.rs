//! [`Agent`]: one page's agent, independent of the browser. The platform feeds it events
//! and calls; it runs the engine, shows prompts through its [`Host`], and queues only
//! decisions and feedback in the [`Outbox`].
//!
//! Phases: waiting for rules; dormant (bad rules, opted out, Global Privacy Control, no
//! consent given when the rules require it); running.

use std::sync::Arc;

use lifeline_shared::privacy::report_path;
use lifeline_shared::rules::spec::{Band, Device, PromptKind};
use lifeline_shared::wire::{MAX_COMMENT, Report};
use lifeline_shared::{
    Decision, Event, Outcome, RuleErrors, Rules, Session, SessionState, SignalSet,
};

use lifeline_shared::codec::{self, Codec};

use crate::host::{Area, Host, Level, Loaded};
use crate::outbox::Outbox;
use crate::profile::Profile;
use crate::view;

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
}

struct Running {
    rules: Arc<Rules>,
    session: Session,
    id: String,
    outbox: Outbox,
    profile: Profile,
    open: Option<Open>,
    /// The current page as reported (path and kept query parameters).
    page: String,
    /// The current path, for change detection.
    path: String,
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
            profile: format!("lifeline:{site}:profile"),
            outbox: format!("lifeline:{site}:outbox"),
            visit: format!("lifeline:{site}:visit"),
            opt_out: format!("lifeline:{site}:opt-out"),
            consent: format!("lifeline:{site}:consent"),
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

    /// The host (for the platform and tests).
    pub fn host(&self) -> &H {
        &self.host
    }

    /// The host, mutably.
    pub fn host_mut(&mut self) -> &mut H {
        &mut self.host
    }

    /// The rules arrived (or failed to). Bad rules: one console error naming every problem
    /// and its JSON path; the agent stays dormant and the page untouched.
    pub fn rules_loaded(&mut self, rules: Result<Rules, RuleErrors>) {
        if !matches!(self.phase, Phase::Loading) {
            return;
        }
        let rules = match rules {
            Ok(r) => Arc::new(r),
            Err(errors) => {
                let message =
                    format!("lifeline: the rules are not valid, so the agent stays off:\n{errors}");
                self.host.log(Level::Error, &message);
                self.phase = Phase::Dormant(Dormancy::BadRules);
                return;
            }
        };
        if rules.privacy.honor_gpc && self.config.gpc {
            self.phase = Phase::Dormant(Dormancy::Gpc);
            return;
        }
        let consented = matches!(
            load::<H, bool>(&self.host, Area::Local, &self.keys.consent),
            Loaded::Found(true)
        );
        if rules.privacy.require_consent && !consented {
            self.phase = Phase::AwaitingConsent(rules);
            return;
        }
        self.begin(rules);
    }

    /// The page's consent call.
    pub fn consent(&mut self, given: bool) {
        if given {
            store(&mut self.host, Area::Local, &self.keys.consent, &true);
            if let Phase::AwaitingConsent(rules) = &self.phase {
                let rules = rules.clone();
                self.begin(rules);
            }
        } else {
            self.forget();
            self.phase = Phase::Dormant(Dormancy::NoConsent);
        }
    }

    /// The visitor opts out: everything stored is cleared and the agent stays off, on this
    /// page and the next ones.
    pub fn opt_out(&mut self) {
        self.forget();
        store(&mut self.host, Area::Local, &self.keys.opt_out, &true);
        self.phase = Phase::Dormant(Dormancy::OptedOut);
    }

    /// Stops for good after a panic (the platform calls this; the page is left alone).
    pub fn stop(&mut self) {
        self.host.hide();
        self.phase = Phase::Dormant(Dormancy::Stopped);
    }

    fn forget(&mut self) {
        self.host.hide();
        for key in [&self.keys.profile, &self.keys.outbox, &self.keys.consent] {
            self.host.remove(Area::Local, key);
        }
        self.host.remove(Area::Session, &self.keys.visit);
    }

    fn begin(&mut self, rules: Arc<Rules>) {
        let now = self.host.now_ms();
        let mut profile = match load::<H, Profile>(&self.host, Area::Local, &self.keys.profile) {
            Loaded::Found(p) if p.is_current() => p,
            _ => Profile::default(),
        };
        let saved = match load::<H, SavedVisit>(&self.host, Area::Session, &self.keys.visit) {
            Loaded::Found(v) => Session::restore(rules.clone(), v.state).map(|s| (v.id, s)),
            _ => None,
        };
        let (id, mut session) = match saved {
            Some(visit) => visit,
            None => {
                profile.new_visit(now);
                let id = self.host.random_id();
                let session = Session::new(rules.clone(), &id, now);
                (id, session)
            }
        };
        // A new page load is visible; the platform says otherwise if it is not.
        session.set_visible(true);
        session.set_visitor(
            profile.returning(),
            self.tier.as_deref(),
            self.config.device,
        );
        session.set_agents_online(self.agents_online);
        for (prompt, at) in &profile.dismissed {
            session.remember_dismissal(prompt, *at);
        }
        let outbox = match load::<H, Outbox>(&self.host, Area::Local, &self.keys.outbox) {
            Loaded::Found(o) if o.is_sound() => o,
            _ => Outbox::default(),
        };
        store(&mut self.host, Area::Local, &self.keys.profile, &profile);
        self.phase = Phase::Running(Box::new(Running {
            rules,
            session,
            id,
            outbox,
            profile,
            open: None,
            page: String::new(),
            path: String::new(),
        }));
        if let Some(page) = self.pending_page.take() {
            self.navigate(&page);
        }
    }

    /// A page view: a load or an SPA route change to `path_and_query`.
    pub fn navigate(&mut self, path_and_query: &str) {
        let Phase::Running(run) = &mut self.phase else {
            self.pending_page = Some(path_and_query.to_owned());
            return;
        };
        let path = path_and_query.split(['?', '#']).next().unwrap_or("/");
        let path = if path.is_empty() { "/" } else { path };
        if run.path == path && !run.path.is_empty() {
            return; // a hash or query change on the same page is not a new page view
        }
        // A prompt about the page the visitor left no longer applies.
        if run.open.is_some() {
            self.close(Outcome::Ignored);
        }
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        run.page = report_path(path_and_query, &run.rules.privacy.keep_query);
        run.path = path.to_owned();
        let path = run.path.clone();
        self.observe(&Event::Navigate { path: &path });
    }

    /// One observed event.
    pub fn observe(&mut self, event: &Event<'_>) {
        let now = self.host.now_ms();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        if let Some(decision) = run.session.observe(now, event) {
            self.decided(decision, None);
        }
    }

    /// Shows a prompt by id, for testing rules by hand (`lifeline.show(id)`).
    pub fn show(&mut self, prompt_id: &str) -> bool {
        let Phase::Running(run) = &self.phase else {
            return false;
        };
        let Some(index) = run.rules.prompt_index(prompt_id) else {
            let message = format!("lifeline: no prompt \"{prompt_id}\" in the rules");
            self.host.log(Level::Warn, &message);
            return false;
        };
        if run.open.is_some() {
            self.close(Outcome::Ignored);
        }
        let Phase::Running(run) = &self.phase else {
            return false;
        };
        let decision = Decision {
            rule: 0,
            prompt: index,
            kind: run.rules.prompts[index as usize].kind,
            score: run.session.score(),
            band: run.session.band(),
            signals: run.session.active_signals(),
            value: 0.0,
            at_ms: self.host.now_ms(),
            passed_over: None,
        };
        self.decided(decision, Some(MANUAL_RULE));
        true
    }

    fn decided(&mut self, d: Decision, rule_override: Option<&str>) {
        let now = self.host.now_ms();
        let language = self.config.language.clone();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        let view = view::build(&run.rules, d.prompt as usize, &language);
        // A prompt that could not be shown (no page body yet) is not reported as shown.
        if !view.as_ref().is_some_and(|v| self.host.show(v)) {
            let Phase::Running(run) = &mut self.phase else {
                return;
            };
            run.session.record(now, d.prompt, Outcome::Ignored);
            return;
        }
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        let rule = rule_override.map_or_else(
            || run.rules.rules[d.rule as usize].id.clone(),
            str::to_owned,
        );
        let open = Open {
            rule,
            prompt: run.rules.prompts[d.prompt as usize].id.clone(),
            prompt_index: d.prompt,
            kind: d.kind,
            band: d.band,
            signals: d.signals,
        };
        run.outbox.push(
            &run.id,
            now,
            &run.page,
            Report::Decision {
                rule: open.rule.clone(),
                prompt: open.prompt.clone(),
                kind: open.kind,
                outcome: None,
                band: open.band,
                signals: open.signals,
            },
        );
        run.profile.shown = run.profile.shown.saturating_add(1);
        if d.passed_over.is_some() {
            // The visitor needed a person and none was online.
            run.profile.support_failures = run.profile.support_failures.saturating_add(1);
        }
        run.open = Some(open);
        self.save();
    }

    /// The prompt on screen ended (closed, used, answered, or left behind).
    pub fn close(&mut self, outcome: Outcome) {
        let now = self.host.now_ms();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        let Some(open) = run.open.take() else { return };
        run.session.record(now, open.prompt_index, outcome);
        match outcome {
            Outcome::Dismissed => run.profile.dismissed(&open.prompt, now),
            Outcome::Engaged => run.profile.engaged = run.profile.engaged.saturating_add(1),
            Outcome::Completed | Outcome::Ignored => {}
        }
        run.outbox.push(
            &run.id,
            now,
            &run.page,
            Report::Decision {
                rule: open.rule,
                prompt: open.prompt,
                kind: open.kind,
                outcome: Some(outcome),
                band: open.band,
                signals: open.signals,
            },
        );
        self.host.hide();
        self.save();
    }

    /// The visitor submitted feedback in the open prompt. The comment is cut to 1000
    /// characters; empty feedback is not sent.
    pub fn feedback(&mut self, feedback: Feedback) {
        let now = self.host.now_ms();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        let Some(open) = &run.open else { return };
        let comment = feedback
            .comment
            .map(|c| c.trim().chars().take(MAX_COMMENT).collect::<String>())
            .filter(|c| !c.is_empty());
        let rating = feedback.rating.filter(|r| (1..=5).contains(r));
        if rating.is_none() && feedback.thumbs.is_none() && comment.is_none() {
            return;
        }
        let report = Report::Feedback {
            rule: open.rule.clone(),
            prompt: open.prompt.clone(),
            rating,
            thumbs: feedback.thumbs,
            comment,
        };
        run.outbox.push(&run.id, now, &run.page, report);
        run.profile.last_feedback = Some(now);
        self.close(Outcome::Completed);
    }

    /// The customer tier from `identify` (the collector verifies its signature).
    pub fn identify(&mut self, tier: Option<String>) {
        self.tier = tier;
        self.refresh_context();
    }

    /// Whether a person is online for chat or calls.
    pub fn set_agents_online(&mut self, online: bool) {
        self.agents_online = online;
        self.refresh_context();
    }

    fn refresh_context(&mut self) {
        let (tier, device, online) = (self.tier.clone(), self.config.device, self.agents_online);
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        if !run
            .session
            .set_visitor(run.profile.returning(), tier.as_deref(), device)
        {
            self.host.log(
                Level::Warn,
                "lifeline: identify() named a tier the rules do not define",
            );
        }
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        run.session.set_agents_online(online);
        if let Some(d) = run.session.decide() {
            self.decided(d, None);
        }
    }

    /// About once a second: time-based signals, and sending what is due.
    pub fn tick(&mut self) {
        self.observe(&Event::Tick);
        self.flush(false);
    }

    /// Sends a due batch; `page_going` sends everything by beacon.
    pub fn flush(&mut self, page_going: bool) {
        let now = self.host.now_ms();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        if let Some(batch) = run.outbox.batch(&run.id, now, page_going) {
            self.host.send(&batch, page_going);
        }
    }

    /// The collector's answer to the last `fetch`.
    pub fn sent(&mut self, ok: bool) {
        let now = self.host.now_ms();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        run.outbox.sent(ok, now);
        let outbox = codec::encode(&run.outbox);
        self.host.set(Area::Local, &self.keys.outbox, &outbox);
    }

    /// The page is being hidden or left: save everything, send everything by beacon.
    pub fn page_hidden(&mut self) {
        self.observe(&Event::Visibility { visible: false });
        self.save();
        self.flush(true);
    }

    fn save(&mut self) {
        let Phase::Running(run) = &self.phase else {
            return;
        };
        let visit = codec::encode(&SavedVisit {
            id: run.id.clone(),
            state: run.session.state().clone(),
        });
        let (profile, outbox) = (codec::encode(&run.profile), codec::encode(&run.outbox));
        self.host.set(Area::Session, &self.keys.visit, &visit);
        self.host.set(Area::Local, &self.keys.profile, &profile);
        self.host.set(Area::Local, &self.keys.outbox, &outbox);
    }

    /// Reports waiting in the outbox.
    pub fn waiting(&self) -> usize {
        match &self.phase {
            Phase::Running(run) => run.outbox.len(),
            _ => 0,
        }
    }
}
