//! Decisions: given the rules, the score, the visitor and the page, pick at most one prompt
//! and say why.
//!
//! Rules are tried in order. A rule is a candidate when the throttle allows it (global
//! limits, its own cap, cooldown and sampling, dismissals) and all its conditions hold. The
//! candidate with the highest priority wins, then the highest decision value, then the
//! earliest. A chat or call offer with nobody online is passed over for the next candidate.

use crate::prelude::*;

mod throttle;
mod value;

pub(crate) use throttle::Throttle;
pub use throttle::Throttled;
pub use value::decision_value;

use serde::{Deserialize, Serialize};

use crate::rules::spec::{Band, CartState, Device, PromptKind, TaskState, TaskWent, VisitorKind};
use crate::rules::{Condition, PromptIdx, RuleIdx, Rules};
use crate::signals::SignalSet;

/// What the engine knows of the visitor and the shop right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Context {
    /// Visited before.
    pub returning: bool,
    /// Customer tier (index in `scoring.tiers`), if the shop identified the visitor.
    pub tier: Option<u8>,
    /// Device class.
    pub device: Device,
    /// A person is online for chat or calls.
    pub agents_online: bool,
    /// Items in the cart.
    pub cart_items: u32,
    /// Cart total, in the shop's currency.
    pub cart_value: f64,
    /// When the visitor last sent feedback (their profile), ms since the epoch.
    pub last_feedback: Option<u64>,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            returning: false,
            tier: None,
            device: Device::Desktop,
            agents_online: false,
            cart_items: 0,
            cart_value: 0.0,
            last_feedback: None,
        }
    }
}

/// How a shown prompt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The visitor closed it.
    Dismissed,
    /// The visitor used it (a link, the chat or call button).
    Engaged,
    /// The visitor submitted feedback or accepted the offer.
    Completed,
    /// It went away without an answer (the visitor left the page).
    Ignored,
}

impl Outcome {
    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Dismissed => "dismissed",
            Outcome::Engaged => "engaged",
            Outcome::Completed => "completed",
            Outcome::Ignored => "ignored",
        }
    }
}

/// A decision to show one prompt, and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// The rule that fired.
    pub rule: RuleIdx,
    /// The prompt to show.
    pub prompt: PromptIdx,
    /// Its kind.
    pub kind: PromptKind,
    /// The difficulty score when decided.
    pub score: f32,
    /// Its coarse band (what reports carry).
    pub band: Band,
    /// The signals active when decided.
    pub signals: SignalSet,
    /// The decision value.
    pub value: f32,
    /// When, in ms.
    pub at_ms: u64,
    /// A chat or call offer that would have won, passed over because nobody was online.
    pub passed_over: Option<RuleIdx>,
}

impl Decision {
    /// A one-line explanation for people (dry runs, logs). Not for the per-event path.
    pub fn explain(&self, rules: &Rules) -> String {
        let rule = &rules.rules[self.rule as usize];
        let prompt = &rules.prompts[self.prompt as usize];
        let signals: Vec<&str> = self.signals.iter().map(|s| s.as_str()).collect();
        let mut out = format!(
            "rule \"{}\" shows {} prompt \"{}\": score {:.2} ({}), signals [{}], value {:.2}",
            rule.id,
            prompt.kind,
            prompt.id,
            self.score,
            self.band,
            signals.join(", "),
            self.value
        );
        if let Some(skipped) = self.passed_over {
            out.push_str(&format!(
                "; rule \"{}\" passed over: nobody online",
                rules.rules[skipped as usize].id
            ));
        }
        out
    }
}

/// Everything a decision looks at.
pub(crate) struct View<'a> {
    pub(crate) now: u64,
    pub(crate) score: f32,
    pub(crate) active: SignalSet,
    pub(crate) page_signals: SignalSet,
    pub(crate) ctx: &'a Context,
    /// Matcher hits of the current page (all false before the first page view).
    pub(crate) hits: &'a [bool],
    pub(crate) time_on_site: u64,
    pub(crate) task_state: &'a dyn Fn(usize) -> TaskState,
    /// Whether task `i` went slowly, and whether with struggle.
    pub(crate) task_went: &'a dyn Fn(usize) -> (bool, bool),
}

/// Picks at most one rule. Allocation-free.
pub(crate) fn choose(rules: &Rules, throttle: &Throttle, view: &View<'_>) -> Option<Decision> {
    if throttle.holds_all(rules, view.now).is_some() {
        return None;
    }
    let band = rules.scoring.band(view.score);
    // (index, rule, value, kind) of the best so far; (index, priority) of the best offer
    // passed over for want of a person. Carried, not looked up again: no index can panic.
    let mut best: Option<(usize, &crate::rules::Rule, f32, PromptKind)> = None;
    let mut passed_over: Option<(usize, i32)> = None;
    for (i, rule) in rules.rules.iter().enumerate() {
        if throttle.holds_rule(rules, i, view.now).is_some()
            || unmet(&rule.when, band, view).is_some()
        {
            continue;
        }
        let Some(prompt) = rules.prompts.get(rule.prompt as usize) else {
            continue;
        };
        let value = decision_value(&rules.scoring, view.score, prompt, view.ctx);
        if value < rule.min_value {
            continue;
        }
        if prompt.needs_person() && !view.ctx.agents_online {
            if passed_over.is_none_or(|(_, p)| rule.priority > p) {
                passed_over = Some((i, rule.priority));
            }
            continue;
        }
        let better = best.is_none_or(|(_, b, bv, _)| {
            rule.priority > b.priority || (rule.priority == b.priority && value > bv)
        });
        if better {
            best = Some((i, rule, value, prompt.kind));
        }
    }
    let (i, rule, value, kind) = best?;
    // Report the pass-over only when that offer would have won.
    let passed_over = passed_over
        .filter(|(_, p)| *p >= rule.priority)
        .map(|(p, _)| p as RuleIdx);
    Some(Decision {
        rule: i as RuleIdx,
        prompt: rule.prompt,
        kind,
        score: view.score,
        band,
        signals: view.active,
        value,
        at_ms: view.now,
        passed_over,
    })
}

/// The first condition of a rule that does not hold, if any.
fn unmet(c: &Condition, band: Band, v: &View<'_>) -> Option<Unmet> {
    let ctx = v.ctx;
    // A rule about a page means the signals seen on that page view.
    let signals = if c.page.is_some() {
        v.page_signals
    } else {
        v.active
    };
    let cart_holds = |cart: &crate::rules::spec::CartConditionSpec| {
        cart.state
            .is_none_or(|s| (s == CartState::HasItems) == (ctx.cart_items > 0))
            && cart.min_value.is_none_or(|m| ctx.cart_value >= m)
            && cart.max_value.is_none_or(|m| ctx.cart_value <= m)
    };
    // In order, stopping at the first that fails (this runs for every rule on each event
    // that may decide).
    if c.score_at_least.is_some_and(|x| v.score < x) {
        Some(Unmet::Score)
    } else if c.band_at_least.is_some_and(|b| band < b) {
        Some(Unmet::Band)
    } else if !c.signals_any.is_empty() && !signals.intersects(c.signals_any) {
        Some(Unmet::SignalsAny)
    } else if !signals.contains_all(c.signals_all) {
        Some(Unmet::SignalsAll)
    } else if c
        .page
        .is_some_and(|m| !v.hits.get(m as usize).copied().unwrap_or(false))
    {
        Some(Unmet::Page)
    } else if c
        .visitor
        .is_some_and(|k| (k == VisitorKind::Returning) != ctx.returning)
    {
        Some(Unmet::Visitor)
    } else if c.tiers != 0 && ctx.tier.is_none_or(|t| c.tiers & (1 << t) == 0) {
        Some(Unmet::Tier)
    } else if !c.allows_device(ctx.device) {
        Some(Unmet::Device)
    } else if c.cart.as_ref().is_some_and(|cart| !cart_holds(cart)) {
        Some(Unmet::Cart)
    } else if v.time_on_site < c.min_time_on_site_ms
        || c.max_time_on_site_ms.is_some_and(|m| v.time_on_site > m)
    {
        Some(Unmet::TimeOnSite)
    } else if c.task.is_some_and(|(t, state)| {
        let (slow, struggled) = (v.task_went)(t as usize);
        (v.task_state)(t as usize) != state
            || c.task_went.is_some_and(|w| match w {
                TaskWent::Smoothly => slow || struggled,
                TaskWent::Slowly => !slow,
                TaskWent::WithStruggle => !struggled,
                TaskWent::NotSmoothly => !slow && !struggled,
            })
    }) {
        Some(Unmet::Task)
    } else if c.agents_online.is_some_and(|a| a != ctx.agents_online) {
        Some(Unmet::AgentsOnline)
    } else if c.feedback_stale_days.is_some_and(|d| {
        ctx.last_feedback
            .is_some_and(|t| v.now.saturating_sub(t) < u64::from(d) * 86_400_000)
    }) {
        Some(Unmet::FeedbackStale)
    } else {
        None
    }
}

/// A rule's condition that does not hold (in the rules JSON's words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Unmet {
    Score,
    Band,
    SignalsAny,
    SignalsAll,
    Page,
    Visitor,
    Tier,
    Device,
    Cart,
    TimeOnSite,
    Task,
    AgentsOnline,
    FeedbackStale,
}

/// What a rule would do now, and if nothing, why (for `rules try`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It would show its prompt.
    Shows,
    /// It holds, but another rule wins (higher priority or decision value).
    Outranked,
    /// The throttle holds it back.
    Throttled(Throttled),
    /// A condition does not hold.
    Unmet(Unmet),
    /// Its decision value is under its `min_value`.
    BelowMinValue,
    /// A chat or call offer, with nobody online.
    NobodyOnline,
}

impl Verdict {
    /// In words, for site owners.
    pub fn describe(&self) -> &'static str {
        match self {
            Verdict::Shows => "would show",
            Verdict::Outranked => "holds, but another rule wins",
            Verdict::Throttled(t) => match t {
                Throttled::VisitLimit => "the visit had limits.max_per_session prompts",
                Throttled::PageLimit => "this page view had limits.max_per_page prompts",
                Throttled::Gap => "the last prompt was less than limits.min_gap_s ago",
                Throttled::SampledOut => "this visit is outside its limit.sample_percent",
                Throttled::RuleLimit => "it showed its limit.max_per_session prompts",
                Throttled::Cooldown => "it showed less than its limit.cooldown_s ago",
                Throttled::Dismissed => "the visitor dismissed its prompt",
            },
            Verdict::Unmet(u) => match u {
                Unmet::Score => "when.score_at_least does not hold",
                Unmet::Band => "when.band_at_least does not hold",
                Unmet::SignalsAny => "none of when.signals.any is active",
                Unmet::SignalsAll => "not all of when.signals.all are active",
                Unmet::Page => "when.page does not match this page",
                Unmet::Visitor => "when.visitor does not hold",
                Unmet::Tier => "when.tier does not hold",
                Unmet::Device => "when.device does not hold",
                Unmet::Cart => "when.cart does not hold",
                Unmet::TimeOnSite => "when.time_on_site_s does not hold",
                Unmet::Task => "when.task does not hold",
                Unmet::AgentsOnline => "when.agents_online does not hold",
                Unmet::FeedbackStale => {
                    "when.feedback_stale_days does not hold: feedback came lately"
                }
            },
            Verdict::BelowMinValue => "its decision value is under then.min_value",
            Verdict::NobodyOnline => "a chat or call offer, and nobody is online",
        }
    }
}

/// Every rule's verdict now (for dry runs: allocates).
pub(crate) fn verdicts(rules: &Rules, throttle: &Throttle, view: &View<'_>) -> Vec<Verdict> {
    let chosen = choose(rules, throttle, view).map(|d| usize::from(d.rule));
    let band = rules.scoring.band(view.score);
    let all = throttle.holds_all(rules, view.now);
    (0..rules.rules.len())
        .map(|i| {
            let rule = &rules.rules[i];
            let prompt = &rules.prompts[rule.prompt as usize];
            if let Some(t) = all.or_else(|| throttle.holds_rule(rules, i, view.now)) {
                Verdict::Throttled(t)
            } else if let Some(u) = unmet(&rule.when, band, view) {
                Verdict::Unmet(u)
            } else if decision_value(&rules.scoring, view.score, prompt, view.ctx) < rule.min_value
            {
                Verdict::BelowMinValue
            } else if prompt.needs_person() && !view.ctx.agents_online {
                Verdict::NobodyOnline
            } else if chosen == Some(i) {
                Verdict::Shows
            } else {
                Verdict::Outranked
            }
        })
        .collect()
}

crate::codec::codec!(Context {
    returning,
    tier,
    device,
    agents_online,
    cart_items,
    cart_value,
    last_feedback
});
crate::codec::codec_enum!(Outcome: [Outcome::Dismissed, Outcome::Engaged, Outcome::Completed, Outcome::Ignored]);
