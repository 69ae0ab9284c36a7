//! [`Session`]: one visit's engine. Events in, at most one [`Decision`] out.
//!
//! `observe(now, event)` runs the detectors, updates the score, and — when something that
//! matters changed (a signal fired, a page view, a mark, the cart, a tick) — asks the rules.
//! After the first events it allocates nothing. Its whole state can be saved between page
//! loads of one visit ([`Session::state`]) and restored ([`Session::restore`]).

use crate::prelude::*;

use alloc::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::decide::{self, Context, Decision, Outcome, Throttle, View};
use crate::event::{CartChange, Event};
use crate::hash::fnv1a;
use crate::page::PageId;
use crate::rules::spec::{Band, Device};
use crate::rules::{PromptIdx, Rules};
use crate::score::{Reasons, Score};
use crate::signals::{Detectors, PageView, SignalSet};
use crate::wire::{Evidence, TaskSeen};

/// One visit's engine.
#[derive(Debug, Clone)]
pub struct Session {
    rules: Arc<Rules>,
    state: SessionState,
}

/// Everything a visit has learnt, to keep across page loads (sessionStorage).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionState {
    seed: u64,
    started: u64,
    now: u64,
    visible: bool,
    on_page: bool,
    hits: Vec<bool>,
    /// Signals fired on the current page view.
    page_signals: SignalSet,
    detectors: Detectors,
    score: Score,
    throttle: Throttle,
    context: Context,
    /// Page views in the visit.
    pages: u32,
}

impl SessionState {
    /// The time of the last event seen, ms.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Runs `f` on what decisions look at now.
    fn view<T>(&self, rules: &Rules, f: impl FnOnce(&View<'_>) -> T) -> T {
        let task_state = |i: usize| self.detectors.task_state(i);
        let task_went = |i: usize| {
            let (seconds, struggled) = self.detectors.task_seconds(i, self.now);
            let expected = rules.tasks.get(i).map_or(u64::MAX, |t| t.expected_ms);
            (
                u64::from(seconds) * 1000 > expected.saturating_mul(2),
                struggled,
            )
        };
        f(&View {
            now: self.now,
            score: self.score.value(),
            active: self.score.active(&rules.scoring, self.now),
            page_signals: self.page_signals,
            ctx: &self.context,
            hits: &self.hits,
            time_on_site: self.now.saturating_sub(self.started),
            task_state: &task_state,
            task_went: &task_went,
        })
    }
}

impl Session {
    /// A new visit at `now`; `session_id` (random, per visit) fixes its sampling.
    pub fn new(rules: Arc<Rules>, session_id: &str, now: u64) -> Session {
        let seed = fnv1a(0, session_id.as_bytes());
        let state = SessionState {
            seed,
            started: now,
            now,
            visible: true,
            on_page: false,
            hits: vec![false; rules.matchers.len()],
            page_signals: SignalSet::EMPTY,
            detectors: Detectors::new(&rules, now),
            score: Score::new(now),
            throttle: Throttle::new(&rules, seed),
            context: Context::default(),
            pages: 0,
        };
        Session { rules, state }
    }

    /// Continues a visit from saved state; `None` when the state does not fit these rules
    /// (they changed, or the state was tampered with): start a new session then.
    pub fn restore(rules: Arc<Rules>, state: SessionState) -> Option<Session> {
        let fits = state.hits.len() == rules.matchers.len()
            && state.detectors.fits(&rules)
            && state.throttle.fits(&rules)
            && state
                .context
                .tier
                .is_none_or(|t| usize::from(t) < rules.scoring.tiers.len());
        fits.then_some(Session { rules, state })
    }

    /// The state to save.
    pub fn state(&self) -> &SessionState {
        &self.state
    }

    /// The rules this visit runs.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Feeds one event at `now` (ms; a clock that runs backwards is held still).
    pub fn observe(&mut self, now: u64, event: &Event<'_>) -> Option<Decision> {
        let rules = &*self.rules;
        let st = &mut self.state;
        let now = now.max(st.now);
        st.now = now;

        let mut page = None;
        match *event {
            Event::Navigate { path } => {
                let id = PageId::of(path);
                for (hit, m) in st.hits.iter_mut().zip(&rules.matchers) {
                    *hit = m.matches(id.path);
                }
                st.on_page = true;
                st.page_signals = SignalSet::EMPTY;
                st.pages = st.pages.saturating_add(1);
                st.throttle.new_page();
                page = Some(PageView {
                    hash: id.hash,
                    hits: &st.hits,
                });
            }
            Event::Cart { change, total } => {
                st.context.cart_items = match change {
                    CartChange::Add => st.context.cart_items.saturating_add(1),
                    CartChange::Remove => st.context.cart_items.saturating_sub(1),
                };
                match total {
                    Some(t) if t.is_finite() && t >= 0.0 => st.context.cart_value = t,
                    _ if st.context.cart_items == 0 => st.context.cart_value = 0.0,
                    _ => {}
                }
            }
            Event::Visibility { visible } => st.visible = visible,
            _ => {}
        }

        let fired = st.detectors.observe(rules, now, event, page);
        st.page_signals |= fired;
        st.score.decay_to(&rules.scoring, now);
        st.score.add(&rules.scoring, fired, now);

        let changed = !fired.is_empty()
            || matches!(
                event,
                Event::Navigate { .. }
                    | Event::Mark { .. }
                    | Event::Cart { .. }
                    | Event::Tick
                    | Event::Visibility { visible: true }
            );
        if changed { self.decide() } else { None }
    }

    /// The page on screen has a new address in place, not a new page view: its query
    /// replaced (a variant or size picked, a list sorted: `history.replaceState`). Loops and
    /// quick backs know it by that address from now on, so Back to it is Back to this page.
    pub fn renamed(&mut self, path: &str) {
        self.state.detectors.renamed(PageId::of(path).hash);
    }

    /// Asks the rules now (after the context changed, say). At most one decision.
    pub fn decide(&mut self) -> Option<Decision> {
        let rules = &*self.rules;
        let st = &mut self.state;
        if !st.visible || !st.on_page {
            return None;
        }
        let decision = st.view(rules, |view| decide::choose(rules, &st.throttle, view))?;
        st.throttle.shown(decision.rule, decision.prompt, st.now);
        Some(decision)
    }

    /// Every rule's verdict now, without deciding anything (for `rules try`; allocates).
    pub fn verdicts(&self) -> Vec<decide::Verdict> {
        let rules = &*self.rules;
        let st = &self.state;
        st.view(rules, |view| decide::verdicts(rules, &st.throttle, view))
    }

    /// Records how a shown prompt ended. A dismissal keeps it away for the rest of the visit
    /// and for `limits.dismissed_days` after.
    pub fn record(&mut self, now: u64, prompt: PromptIdx, outcome: Outcome) {
        let dismissed = (outcome == Outcome::Dismissed).then_some(now);
        self.state.throttle.closed(prompt, dismissed);
    }

    /// A dismissal from an earlier visit (from the visitor's stored profile).
    pub fn remember_dismissal(&mut self, prompt_id: &str, at: u64) {
        if let Some(p) = self.rules.prompt_index(prompt_id) {
            self.state.throttle.remember_dismissal(p, at);
        }
    }

    /// Sets what the page knows of the visitor. Returns false (and sets no tier) when the
    /// tier is not one the rules define.
    pub fn set_visitor(&mut self, returning: bool, tier: Option<&str>, device: Device) -> bool {
        let ctx = &mut self.state.context;
        ctx.returning = returning;
        ctx.device = device;
        let idx = tier.and_then(|t| self.rules.scoring.tier(t));
        ctx.tier = idx.map(|i| i as u8);
        tier.is_none() || idx.is_some()
    }

    /// Whether the page is visible, without deciding anything (a restored visit on a new
    /// page load starts visible; its first page view decides).
    pub fn set_visible(&mut self, visible: bool) {
        self.state.visible = visible;
    }

    /// When the visitor last sent feedback (from their profile).
    pub fn set_last_feedback(&mut self, at: Option<u64>) {
        self.state.context.last_feedback = at;
    }

    /// Whether a person is online for chat or calls.
    pub fn set_agents_online(&mut self, online: bool) {
        self.state.context.agents_online = online;
    }

    /// Sets the cart as the page knows it.
    pub fn set_cart(&mut self, items: u32, value: f64) {
        self.state.context.cart_items = items;
        self.state.context.cart_value = if value.is_finite() && value >= 0.0 {
            value
        } else {
            0.0
        };
    }

    /// The context decisions use.
    pub fn context(&self) -> &Context {
        &self.state.context
    }

    /// The difficulty score now, in [0, 1].
    pub fn score(&self) -> f32 {
        self.state.score.value()
    }

    /// Its coarse band.
    pub fn band(&self) -> Band {
        self.rules.scoring.band(self.score())
    }

    /// The signals making up the score, largest first.
    pub fn reasons(&self) -> Reasons {
        self.state.score.reasons()
    }

    /// Signals fired on the current page view.
    pub fn page_signals(&self) -> SignalSet {
        self.state.page_signals
    }

    /// Signals active now.
    pub fn active_signals(&self) -> SignalSet {
        self.state.score.active(&self.rules.scoring, self.state.now)
    }

    /// Where tagged task `i` (by [`Rules::tasks`]) stands.
    pub fn task_state(&self, i: usize) -> crate::rules::spec::TaskState {
        self.state.detectors.task_state(i)
    }

    /// What a feedback sent now carries about the visit: its length, page views, prompts,
    /// the band and signals now, the signals of this page view, where tasks stand and how
    /// long they ran, at `now`. `lang` is the prompt's language, `answer_ms` how long the
    /// visitor took to answer.
    pub fn evidence(&self, now: u64, lang: &str, answer_ms: u32) -> Evidence {
        let st = &self.state;
        let now = now.max(st.now);
        let mut tasks = Vec::new();
        for (i, task) in self.rules.tasks.iter().enumerate() {
            let state = st.detectors.task_state(i);
            if state != crate::rules::spec::TaskState::NotStarted {
                tasks.push(TaskSeen {
                    task: task.name.to_string(),
                    state,
                    seconds: st.detectors.task_seconds(i, now).0,
                });
            }
        }
        Evidence {
            lang: lang.to_owned(),
            seconds: (now.saturating_sub(st.started) / 1000) as u32,
            pages: st.pages,
            prompts: st.throttle.shown_in_visit(),
            answer_ms,
            band: self.band(),
            signals: self.active_signals(),
            here: st.page_signals,
            tasks,
        }
    }

    /// The prompt on screen (its outcome not yet recorded), if any.
    pub fn open_prompt(&self) -> Option<PromptIdx> {
        self.state.throttle.open()
    }
}

crate::codec::codec!(SessionState {
    seed,
    started,
    now,
    visible,
    on_page,
    hits,
    page_signals,
    detectors,
    score,
    throttle,
    context,
    pages,
});
