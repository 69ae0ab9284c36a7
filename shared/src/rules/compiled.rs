//! Checked rules in the compact [`codec`](crate::codec) form: what a collector can serve
//! after checking a site's JSON once, so a browser only decodes them — reading and checking
//! JSON with every error message is most of the agent's weight.
//!
//! Decoding trusts nothing: every index (prompt, matcher, task, tier) and every bound the
//! engine relies on is verified, so a truncated or tampered value is refused, never a
//! panic later.

use crate::prelude::*;

use crate::codec::{self, Codec, Reader, Writer};
use crate::page::{Matcher, PageMatch};
use crate::rules::spec::*;
use crate::rules::*;
use crate::signals::Signal;

/// The compiled form's own version, its first character: compiled rules of another
/// version (a collector before prompts carried their views) are refused, and compiled again
/// from their JSON by the collector that serves them. A control character, as every
/// version's is: no JSON text starts with one.
const FORMAT: char = '\u{2}';

impl Rules {
    /// The compiled form, as a storable string.
    pub fn to_compiled(&self) -> String {
        let mut out = String::from(FORMAT);
        out.push_str(&codec::encode(self));
        out
    }

    /// Whether `text` is rules in a compiled form (of any version), not JSON.
    pub fn looks_compiled(text: &str) -> bool {
        text.starts_with(|c: char| c < '\t')
    }

    /// Rules from their compiled form; `None` for anything that is not a sound one.
    pub fn from_compiled(text: &str) -> Option<Rules> {
        let rules: Rules = codec::decode(text.strip_prefix(FORMAT)?)?;
        rules.is_sound().then_some(rules)
    }

    /// Whether every cross-reference and bound the engine relies on holds.
    fn is_sound(&self) -> bool {
        let (prompts, matchers, tasks) =
            (self.prompts.len(), self.matchers.len(), self.tasks.len());
        let tiers = self.scoring.tiers.len();
        let matcher_ok = |m: u16| usize::from(m) < matchers;
        let marker_ok = |m: &Marker| match m {
            Marker::Page(i) => matcher_ok(*i),
            Marker::Mark(_) => true,
        };
        let s = &self.signals;
        prompts <= MAX_PROMPTS
            && self.rules.len() <= MAX_RULES
            && tasks <= MAX_TASKS
            && tiers <= MAX_TIERS
            && self.scoring.half_life_ms >= 1000.0
            && self.scoring.half_life_ms.is_finite()
            && (self.scoring.weights.iter())
                .chain(&self.scoring.bands)
                .chain(&self.scoring.value_weights)
                .chain(self.scoring.tiers.iter().map(|(_, v)| v))
                .all(|w| (0.0..=1.0).contains(w))
            && self.scoring.cart_value_full.is_finite()
            && self.scoring.cart_value_full > 0.0
            && (1..=32).contains(&s.page_loop.within_navigations)
            && (1..=20).contains(&s.cart_churn.flips)
            && (1..=20).contains(&s.rage_click.clicks)
            && self.rules.iter().all(|r| {
                // Not NaN where a NaN would pass a comparison and let a rule through (a
                // NaN elsewhere only ever holds a rule back).
                usize::from(r.prompt) < prompts
                    && r.min_value >= 0.0
                    && r.when.score_at_least.is_none_or(|v| v >= 0.0)
                    && r.when.page.is_none_or(matcher_ok)
                    && r.when.task.is_none_or(|(t, _)| usize::from(t) < tasks)
                    && (tiers >= 32 || r.when.tiers >> tiers == 0)
            })
            && self.tasks.iter().all(|t| {
                marker_ok(&t.start)
                    && marker_ok(&t.complete)
                    && t.feedback_prompt.is_none_or(|p| usize::from(p) < prompts)
            })
            && self.quick_back_pages.iter().all(|(m, _)| matcher_ok(*m))
            && (self.matchers.iter().map(Matcher::pattern_bytes)).fold(0, usize::saturating_add)
                <= crate::page::MAX_PATTERN_BYTES
            && self.cancel_pages.iter().all(|m| matcher_ok(*m))
    }
}

codec::codec!(Rules {
    language,
    signals,
    scoring,
    prompts,
    rules,
    limits,
    tasks,
    privacy,
    pages,
    matchers,
    quick_back_pages,
    cancel_pages,
    labels,
    launcher,
});
codec::codec!(SignalsSpec {
    rage_click,
    dead_click,
    error_click,
    page_loop,
    quick_back,
    repeated_action,
    dwell_outlier,
    cart_churn,
    cancel_intent,
    exit_intent,
    idle,
});
codec::codec!(PagesSpec { hash_routes });
codec::codec!(RageClickSpec {
    enabled,
    clicks,
    max_gap_ms,
    max_distance_px,
    count_answered,
});
codec::codec!(DeadClickSpec {
    enabled,
    mutation_window_ms,
    scroll_window_ms,
    selection_window_ms,
    visibility_window_ms,
});
codec::codec!(ErrorClickSpec { enabled, window_ms });
codec::codec!(PageLoopSpec {
    enabled,
    within_navigations,
    max_pages
});
codec::codec!(PageDwellSpec { page, dwell_ms });
codec::codec!(QuickBackSpec {
    enabled,
    dwell_ms,
    pages
});
codec::codec!(RepeatedActionSpec {
    enabled,
    times,
    window_ms,
    min_gap_ms
});
codec::codec!(DwellOutlierSpec {
    enabled,
    time_factor,
    page_factor
});
codec::codec!(CartChurnSpec {
    enabled,
    flips,
    window_ms
});
codec::codec!(CancelIntentSpec { enabled, pages });
codec::codec!(ExitIntentSpec {
    enabled,
    min_dwell_ms
});
codec::codec!(IdleSpec { enabled, after_ms });
codec::codec!(Scoring {
    weights,
    half_life_ms,
    bands,
    value_weights,
    tiers,
    cart_value_full
});
codec::codec!(Prompt {
    id,
    kind,
    opens_support,
    theme,
    views
});
codec::codec!(PromptTextSpec {
    title,
    body,
    steps,
    links,
    action
});
codec::codec!(LinkSpec { label, url });
codec::codec!(FeedbackSpec {
    scale,
    comment,
    comment_max
});
codec::codec!(ThemeSpec {
    accent,
    background,
    text,
    position
});
codec::codec!(Rule {
    id,
    when,
    prompt,
    priority,
    min_value,
    limit,
    alert
});
codec::codec!(Condition {
    score_at_least,
    band_at_least,
    signals_any,
    signals_all,
    page,
    visitor,
    tiers,
    devices,
    cart,
    min_time_on_site_ms,
    max_time_on_site_ms,
    task,
    task_went,
    agents_online,
    feedback_stale_days,
});
codec::codec!(CartConditionSpec {
    state,
    min_value,
    max_value
});
codec::codec!(RuleLimitSpec {
    max_per_session,
    cooldown_s,
    sample_percent
});
codec::codec!(LimitsSpec {
    max_per_session,
    max_per_page,
    min_gap_s,
    dismissed_days
});
codec::codec!(Task {
    name,
    start,
    complete,
    expected_ms,
    expected_pages,
    feedback_prompt
});
codec::codec!(PrivacySpec {
    keep_query,
    honor_gpc,
    require_consent
});

use crate::page::MAX_NESTING;

impl Codec for Marker {
    fn put(&self, w: &mut Writer) {
        match self {
            Marker::Page(m) => {
                0u8.put(w);
                m.put(w);
            }
            Marker::Mark(name) => {
                1u8.put(w);
                name.to_string().put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        match r.tag(2) {
            0 => Marker::Page(u16::get(r)),
            _ => Marker::Mark(String::get(r).into()),
        }
    }
}

/// A matcher is stored as the pattern it was compiled from (the two have the same shape),
/// and read straight back as a matcher.
impl Codec for Matcher {
    fn put(&self, w: &mut Writer) {
        PageMatch::from(self).put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        matcher(r, 0)
    }
}

fn matcher(r: &mut Reader<'_>, depth: usize) -> Matcher {
    r.require(depth <= MAX_NESTING);
    match r.tag(5) {
        0 => Matcher::Exact(String::get(r).into()),
        1 => Matcher::Prefix(String::get(r).into()),
        2 => Matcher::Glob(String::get(r).into()),
        3 => Matcher::Not(Box::new(matcher(r, depth + 1))),
        _ => {
            let n = usize::get(r);
            r.require(n <= crate::page::MAX_ANY);
            let mut any = Vec::new();
            // A spoiled reader reads as empty, so this stops at the first fault.
            while any.len() < n.min(crate::page::MAX_ANY) {
                any.push(matcher(r, depth + 1));
            }
            Matcher::Any(any.into())
        }
    }
}

impl From<&Matcher> for PageMatch {
    fn from(m: &Matcher) -> PageMatch {
        match m {
            Matcher::Exact(p) => PageMatch::Exact(p.to_string()),
            Matcher::Prefix(p) => PageMatch::Prefix(p.to_string()),
            Matcher::Glob(p) => PageMatch::Glob(p.to_string()),
            Matcher::Not(inner) => PageMatch::Not(Box::new(PageMatch::from(&**inner))),
            Matcher::Any(list) => PageMatch::Any(list.iter().map(PageMatch::from).collect()),
        }
    }
}

impl Codec for PageMatch {
    fn put(&self, w: &mut Writer) {
        match self {
            PageMatch::Exact(p) => (0u8, p.clone()).put(w),
            PageMatch::Prefix(p) => (1u8, p.clone()).put(w),
            PageMatch::Glob(p) => (2u8, p.clone()).put(w),
            PageMatch::Not(m) => {
                3u8.put(w);
                m.put(w);
            }
            PageMatch::Any(ms) => {
                4u8.put(w);
                ms.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        page_match(r, 0)
    }
}

fn page_match(r: &mut Reader<'_>, depth: usize) -> PageMatch {
    r.require(depth <= MAX_NESTING);
    match r.tag(5) {
        0 => PageMatch::Exact(String::get(r)),
        1 => PageMatch::Prefix(String::get(r)),
        2 => PageMatch::Glob(String::get(r)),
        3 => PageMatch::Not(Box::new(page_match(r, depth + 1))),
        _ => {
            let n = usize::get(r);
            r.require(n <= crate::page::MAX_ANY);
            let mut any = Vec::new();
            // A spoiled reader reads as empty, so this stops at the first fault.
            while any.len() < n.min(crate::page::MAX_ANY) {
                any.push(page_match(r, depth + 1));
            }
            PageMatch::Any(any)
        }
    }
}

// `weights` is indexed by signal; keep the two in step.
const _: () = assert!(Signal::COUNT == 11);

#[cfg(test)]
mod tests {
    use super::*;

    const SHOP: &str = include_str!("../../fixtures/shop.rules.json");

    #[test]
    fn checked_rules_survive_their_compiled_form() {
        let rules = Rules::from_json_str(SHOP).unwrap();
        let compiled = rules.to_compiled();
        assert_eq!(Rules::from_compiled(&compiled), Some(rules));
    }

    #[test]
    fn compiled_rules_with_dangling_references_are_refused() {
        let mut rules = Rules::from_json_str(SHOP).unwrap();
        rules.rules[0].prompt = 99;
        assert_eq!(Rules::from_compiled(&rules.to_compiled()), None);
        let mut rules = Rules::from_json_str(SHOP).unwrap();
        rules.cancel_pages.push(500);
        assert_eq!(Rules::from_compiled(&rules.to_compiled()), None);
    }
}
