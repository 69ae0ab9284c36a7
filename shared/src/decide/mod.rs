//! Decisions: given the rules, the score, the visitor and the page, pick at most one prompt
//! and say why.
//!
//! Rules are tried in order. A rule is a candidate when the throttle allows it (global
//! limits, its own cap, cooldown and sampling, dismissals) and all its conditions hold. The
//! candidate with the highest priority wins, then the highest decision value, then the
//! earliest. A chat or call offer with nobody online is passed over for the next candidate.

mod throttle;
mod value;

pub(crate) use throttle::Throttle;
pub use value::decision_value;

use serde::{Deserialize, Serialize};

use crate::rules::spec::{Band, CartState, Device, PromptKind, TaskState, VisitorKind};
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
}

/// Picks at most one rule. Allocation-free.
pub(crate) fn choose(rules: &Rules, throttle: &Throttle, view: &View<'_>) -> Option<Decision> {
    if !throttle.allows_any(rules, view.now) {
        return None;
    }
    let band = rules.scoring.band(view.score);
    let mut best: Option<(usize, f32)> = None;
    let mut passed_over: Option<usize> = None;
    for (i, rule) in rules.rules.iter().enumerate() {
        if !throttle.allows(rules, i, view.now) || !holds(&rule.when, band, view) {
            continue;
        }
        let prompt = &rules.prompts[rule.prompt as usize];
        let value = decision_value(&rules.scoring, view.score, prompt, view.ctx);
        if value < rule.min_value {
            continue;
        }
        if prompt.needs_person() && !view.ctx.agents_online {
            if passed_over.is_none_or(|p| rule.priority > rules.rules[p].priority) {
                passed_over = Some(i);
            }
            continue;
        }
        let better = best.is_none_or(|(b, bv)| {
            let bp = rules.rules[b].priority;
            rule.priority > bp || (rule.priority == bp && value > bv)
        });
        if better {
            best = Some((i, value));
        }
    }
    let (i, value) = best?;
    let rule = &rules.rules[i];
    // Report the pass-over only when that offer would have won.
    let passed_over = passed_over
        .filter(|p| rules.rules[*p].priority >= rule.priority)
        .map(|p| p as RuleIdx);
    Some(Decision {
        rule: i as RuleIdx,
        prompt: rule.prompt,
        kind: rules.prompts[rule.prompt as usize].kind,
        score: view.score,
        band,
        signals: view.active,
        value,
        at_ms: view.now,
        passed_over,
    })
}

fn holds(c: &Condition, band: Band, v: &View<'_>) -> bool {
    let ctx = v.ctx;
    // A rule about a page means the signals seen on that page view.
    let signals = if c.page.is_some() {
        v.page_signals
    } else {
        v.active
    };
    c.score_at_least.is_none_or(|x| v.score >= x)
        && c.band_at_least.is_none_or(|b| band >= b)
        && (c.signals_any.is_empty() || signals.intersects(c.signals_any))
        && signals.contains_all(c.signals_all)
        && c.page
            .is_none_or(|m| v.hits.get(m as usize).copied().unwrap_or(false))
        && c.visitor
            .is_none_or(|k| (k == VisitorKind::Returning) == ctx.returning)
        && (c.tiers == 0 || ctx.tier.is_some_and(|t| c.tiers & (1 << t) != 0))
        && c.allows_device(ctx.device)
        && c.cart.as_ref().is_none_or(|cart| {
            cart.state
                .is_none_or(|s| (s == CartState::HasItems) == (ctx.cart_items > 0))
                && cart.min_value.is_none_or(|m| ctx.cart_value >= m)
                && cart.max_value.is_none_or(|m| ctx.cart_value <= m)
        })
        && v.time_on_site >= c.min_time_on_site_ms
        && c.max_time_on_site_ms.is_none_or(|m| v.time_on_site <= m)
        && c.task
            .is_none_or(|(t, state)| (v.task_state)(t as usize) == state)
        && c.agents_online.is_none_or(|a| a == ctx.agents_online)
}

crate::codec::codec!(Context {
    returning,
    tier,
    device,
    agents_online,
    cart_items,
    cart_value
});
crate::codec::codec_enum!(Outcome: [Outcome::Dismissed, Outcome::Engaged, Outcome::Completed, Outcome::Ignored]);
