//! [`Detectors`]: every detector's state, fed one event at a time.

use crate::prelude::*;

use serde::{Deserialize, Serialize};

use super::cart_churn::CartChurn;
use super::dead_click::{DeadClick, Reaction};
use super::dwell_outlier::{self, Reached, TaskProgress};
use super::error_click::ErrorClick;
use super::intent::{self, ExitIntent, Idle};
use super::page_loop::PageLoop;
use super::quick_back::QuickBack;
use super::rage_click::RageClick;
use super::repeated_action::RepeatedAction;
use super::{Signal, SignalSet};
use crate::event::{ClickFlags, Event};
use crate::rules::Rules;
use crate::rules::spec::TaskState;

/// The page just entered: its path hash and which of the rules' matchers it hits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageView<'a> {
    pub(crate) hash: u64,
    pub(crate) hits: &'a [bool],
}

/// The state of every detector for one visit. Sized by the rules when created; never grows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detectors {
    rage_click: RageClick,
    dead_click: DeadClick,
    error_click: ErrorClick,
    page_loop: PageLoop,
    quick_back: QuickBack,
    repeated_action: RepeatedAction,
    tasks: Vec<TaskProgress>,
    cart_churn: CartChurn,
    exit_intent: ExitIntent,
    idle: Idle,
}

impl Detectors {
    /// Fresh detectors for a visit starting at `now`.
    pub fn new(rules: &Rules, now: u64) -> Detectors {
        Detectors {
            rage_click: RageClick::default(),
            dead_click: DeadClick::default(),
            error_click: ErrorClick::default(),
            page_loop: PageLoop::new(&rules.signals.page_loop),
            quick_back: QuickBack::default(),
            repeated_action: RepeatedAction::default(),
            tasks: vec![TaskProgress::default(); rules.tasks.len()],
            cart_churn: CartChurn::new(&rules.signals.cart_churn),
            exit_intent: ExitIntent::default(),
            idle: Idle::new(now),
        }
    }

    /// Whether state restored from storage fits these rules.
    pub fn fits(&self, rules: &Rules) -> bool {
        self.tasks.len() == rules.tasks.len()
            && self.page_loop.is_sound(&rules.signals.page_loop)
            && self.cart_churn.is_sound(&rules.signals.cart_churn)
    }

    /// Where task `i` stands.
    pub fn task_state(&self, i: usize) -> TaskState {
        self.tasks
            .get(i)
            .map_or(TaskState::NotStarted, TaskProgress::state)
    }

    /// Seconds task `i` has run or took, and whether a signal fired while it ran.
    pub fn task_seconds(&self, i: usize, now: u64) -> (u32, bool) {
        self.tasks
            .get(i)
            .map_or((0, false), |p| (p.seconds(now), p.struggled()))
    }

    /// The page on screen is known by a new address (hash `page`) from now on: Back to it
    /// later is Back to this page.
    pub(crate) fn renamed(&mut self, page: u64) {
        self.quick_back.renamed(page);
        self.page_loop.renamed(page);
    }

    /// Feeds one event; returns the signals that fired. `page` is given with `Navigate`.
    pub(crate) fn observe(
        &mut self,
        rules: &Rules,
        now: u64,
        event: &Event<'_>,
        page: Option<PageView<'_>>,
    ) -> SignalSet {
        let s = &rules.signals;
        let mut fired = SignalSet::EMPTY;
        let mut fire = |signal: Signal, enabled: bool, happened: bool| {
            if enabled && happened {
                fired.insert(signal);
            }
        };
        if event.is_activity() {
            self.idle.activity(now);
        }
        match *event {
            Event::Click(click) => {
                fire(
                    Signal::RageClick,
                    s.rage_click.enabled,
                    self.rage_click.click(&s.rage_click, now, &click),
                );
                // A press of a form's submit button is an attempt of a repeated action at
                // once; of another button, only when the page did not answer it (a stepper,
                // a carousel's Next or Load more answered are shopping).
                let button = click.flags.has(ClickFlags::BUTTON)
                    && !click.flags.has(ClickFlags::LINK)
                    && !click.ignore.contains(Signal::RepeatedAction);
                let submits = button && click.flags.has(ClickFlags::SUBMITS);
                let action = if button && !submits { click.key } else { 0 };
                self.dead_click.click(&s.dead_click, now, &click, action);
                self.error_click.click(now, &click);
                if submits {
                    let again = self
                        .repeated_action
                        .attempt(&s.repeated_action, now, click.key);
                    fire(Signal::RepeatedAction, s.repeated_action.enabled, again);
                }
            }
            Event::Submit { key, ignore } => {
                if !ignore.contains(Signal::RepeatedAction) {
                    let again = self.repeated_action.attempt(&s.repeated_action, now, key);
                    fire(Signal::RepeatedAction, s.repeated_action.enabled, again);
                }
            }
            Event::Navigate { .. } => {
                self.dead_click.navigated();
                self.repeated_action.navigated();
                self.rage_click.reset();
                self.exit_intent.navigated(now);
                if let Some(page) = page {
                    let looped = self.page_loop.navigated(&s.page_loop, page.hash);
                    fire(Signal::PageLoop, s.page_loop.enabled, looped);
                    let dwell = rules
                        .quick_back_pages
                        .iter()
                        .find(|(m, _)| page.hits.get(*m as usize).copied().unwrap_or(false))
                        .map_or(u64::from(s.quick_back.dwell_ms), |(_, d)| *d);
                    let back = self.quick_back.navigated(now, page.hash, dwell);
                    fire(Signal::QuickBack, s.quick_back.enabled, back);
                    let cancel = intent::cancel_intent(&rules.cancel_pages, page.hits);
                    fire(Signal::CancelIntent, s.cancel_intent.enabled, cancel);
                    dwell_outlier::advance(
                        &rules.tasks,
                        &mut self.tasks,
                        now,
                        &Reached::Page(page.hits),
                    );
                }
            }
            Event::Mark { name } => {
                dwell_outlier::advance(&rules.tasks, &mut self.tasks, now, &Reached::Mark(name));
            }
            Event::DomChange => {
                self.dead_click
                    .reaction(&s.dead_click, now, Reaction::DomChange);
                self.rage_click.answered(&s.rage_click, now);
            }
            Event::Scroll => {
                self.dead_click
                    .reaction(&s.dead_click, now, Reaction::Scroll);
                self.rage_click.answered(&s.rage_click, now);
            }
            Event::Selection => {
                self.dead_click
                    .reaction(&s.dead_click, now, Reaction::Selection);
                self.rage_click.reset();
            }
            Event::Visibility { visible } => {
                self.dead_click
                    .reaction(&s.dead_click, now, Reaction::Visibility);
                self.idle.visibility(now, visible);
            }
            Event::Focus => self
                .dead_click
                .reaction(&s.dead_click, now, Reaction::Visibility),
            Event::Error => {
                fire(
                    Signal::ErrorClick,
                    s.error_click.enabled,
                    self.error_click.error(&s.error_click, now),
                );
            }
            Event::Cart { change, .. } => {
                let churn = self.cart_churn.changed(&s.cart_churn, now, change);
                fire(Signal::CartChurn, s.cart_churn.enabled, churn);
            }
            Event::ExitIntent => {
                fire(
                    Signal::ExitIntent,
                    s.exit_intent.enabled,
                    self.exit_intent.left(&s.exit_intent, now),
                );
            }
            Event::Input { .. } | Event::Tick => {}
        }
        // Verdicts that come with time.
        let (repeated, mut again) = (&mut self.repeated_action, false);
        let dead = self.dead_click.poll(&s.dead_click, now, |at, key| {
            again |= repeated.attempt(&s.repeated_action, at, key);
        });
        fire(Signal::DeadClick, s.dead_click.enabled, dead);
        fire(Signal::RepeatedAction, s.repeated_action.enabled, again);
        fire(Signal::Idle, s.idle.enabled, self.idle.poll(&s.idle, now));
        if !self.tasks.is_empty() {
            let outlier = dwell_outlier::outlier(rules, &s.dwell_outlier, &mut self.tasks, now);
            fire(Signal::DwellOutlier, s.dwell_outlier.enabled, outlier);
            if !fired.is_empty() {
                dwell_outlier::struggled(&mut self.tasks);
            }
        }
        fired
    }
}

crate::codec::codec!(Detectors {
    rage_click,
    dead_click,
    error_click,
    page_loop,
    quick_back,
    repeated_action,
    tasks,
    cart_churn,
    exit_intent,
    idle,
});
