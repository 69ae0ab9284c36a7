//! Checking a [`RulesSpec`] into [`Rules`]: every cross-reference resolved and every value
//! that serde's types cannot express (ids, links, colours, lengths) validated, each problem
//! reported at its JSON path. Prompts are checked in [`prompts`], single values (ids,
//! links, colours, lengths) in [`values`].

use crate::prelude::*;

mod labels;
mod prompts;
mod support;
mod tasks;
#[cfg(feature = "collector")]
mod triage;
mod values;

use super::error::RuleErrorKind as E;
use super::read::{PathSeg, Reader};
use super::spec::*;
use super::*;
use crate::page::{Matcher, PageMatch};
use prompts::{prompt, theme};
use values::{id_like, language_tag, privacy, unique};

/// Collects compiled page patterns into one table, within the rules' pattern budget.
struct Table(Vec<Matcher>, usize);

impl Table {
    pub(super) fn add(&mut self, spec: &PageMatch, r: &mut Reader) -> Option<MatcherIdx> {
        let m = Matcher::check(spec, r)?;
        let before = self.1;
        self.1 = before.saturating_add(m.pattern_bytes());
        if self.1 > crate::page::MAX_PATTERN_BYTES {
            // Said once, where the budget runs out.
            if before <= crate::page::MAX_PATTERN_BYTES {
                r.error(E::Inconsistent(
                    "the rules' page patterns come to more than 8192 bytes together, the most a page view checks: share patterns between rules or shorten them",
                ));
            }
            return None;
        }
        self.0.push(m);
        Some((self.0.len() - 1) as MatcherIdx)
    }
}

pub(super) fn check(spec: &RulesSpec, r: &mut Reader) -> Option<Checked> {
    let mut table = Table(Vec::new(), 0);
    let mut ok = true;

    let language = match &spec.language {
        Some(tag) => {
            ok &= r.field("language", |r| language_tag(tag, r));
            tag.clone()
        }
        None => "en".to_owned(),
    };

    // signals: page lists.
    let (quick_back_pages, cancel_pages) = r.field("signals", |r| {
        let quick = r.field("quick_back", |r| {
            r.field("pages", |r| {
                let list: Vec<Option<(MatcherIdx, u64)>> = spec
                    .signals
                    .quick_back
                    .pages
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        r.index(i, |r| r.field("page", |r| table.add(&p.page, r)))
                            .map(|m| (m, u64::from(p.dwell_ms)))
                    })
                    .collect();
                list.into_iter().collect::<Option<Vec<_>>>()
            })
        });
        let cancel = r.field("cancel_intent", |r| {
            r.field("pages", |r| {
                let list: Vec<Option<MatcherIdx>> = spec
                    .signals
                    .cancel_intent
                    .pages
                    .iter()
                    .enumerate()
                    .map(|(i, p)| r.index(i, |r| table.add(p, r)))
                    .collect();
                list.into_iter().collect::<Option<Vec<_>>>()
            })
        });
        (quick, cancel)
    });

    let scoring = r.field("scoring", |r| scoring(&spec.scoring, r));
    ok &= r.field("theme", |r| theme(&spec.theme, r));

    // prompts
    let prompts = r.field("prompts", |r| {
        if spec.prompts.len() > MAX_PROMPTS {
            r.error(E::TooMany {
                len: spec.prompts.len(),
                max: MAX_PROMPTS,
            });
        }
        let list: Vec<Option<Prompt>> = spec
            .prompts
            .iter()
            .map(|(id, p)| {
                r.at(PathSeg::Key(id.clone()), |r| {
                    prompt(id, p, &spec.theme, &language, r)
                })
            })
            .collect();
        list.into_iter().collect::<Option<Vec<_>>>()
    });
    let prompts = r.field("prompts", |r| support_prompt(spec, prompts?, &language, r));
    // tasks
    let task_names: Vec<&str> = spec.tasks.iter().map(|t| t.name.as_str()).collect();
    let tasks = r.field("tasks", |r| {
        if spec.tasks.len() > MAX_TASKS {
            r.error(E::TooMany {
                len: spec.tasks.len(),
                max: MAX_TASKS,
            });
        }
        let list: Vec<Option<Task>> = spec
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| r.index(i, |r| tasks::task(spec, t, &task_names[..i], &mut table, r)))
            .collect();
        list.into_iter().collect::<Option<Vec<_>>>()
    });

    // rules; tiers are numbered in name order, as in `scoring.tiers`.
    let tier_names: Vec<&str> = spec
        .scoring
        .value
        .tiers
        .keys()
        .map(String::as_str)
        .collect();
    let rule_ids: Vec<&str> = spec.rules.iter().map(|x| x.id.as_str()).collect();
    let mut rules = r.field("rules", |r| {
        let list: Vec<Option<Rule>> = spec
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                r.index(i, |r| {
                    let id_ok = r.field("id", |r| {
                        id_like(&rule.id, r) && unique(&rule.id, &rule_ids[..i], "rules", r)
                    });
                    let when = r.field("when", |r| {
                        condition(&rule.when, &tier_names, &task_names, &mut table, r)
                    });
                    let prompt = r.field("then", |r| {
                        r.field("prompt", |r| find_prompt(spec, &rule.then.prompt, r))
                    });
                    id_ok.then_some(())?;
                    Some(Rule {
                        id: rule.id.clone(),
                        when: when?,
                        prompt: prompt?,
                        priority: rule.then.priority,
                        min_value: rule.then.min_value as f32,
                        limit: rule.limit.clone(),
                        alert: (rule.then.alert.as_ref()).map(|a| (a.min_value as f32, a.window_s)),
                    })
                })
            })
            .collect();
        list.into_iter().collect::<Option<Vec<_>>>()
    });

    // One feedback rule per task that asks for it.
    if let (Some(rules), Some(tasks)) = (&mut rules, &tasks) {
        for (i, task) in tasks.iter().enumerate() {
            let Some(prompt) = task.feedback_prompt else {
                continue;
            };
            let id = format!("task:{}", task.name);
            if rule_ids.contains(&id.as_str()) {
                r.field("tasks", |r| {
                    r.index(i, |r| {
                        r.field("name", |r| {
                            r.error(E::Duplicate {
                                id: id.clone(),
                                first: "rules".into(),
                            })
                        })
                    })
                });
                continue;
            }
            rules.push(Rule {
                id,
                when: Condition {
                    task: Some((i as TaskIdx, TaskState::Completed)),
                    ..Condition::default()
                },
                prompt,
                priority: 0,
                min_value: 0.0,
                limit: RuleLimitSpec::default(),
                alert: None,
            });
        }
        if rules.len() > MAX_RULES {
            r.field("rules", |r| {
                r.error(E::TooMany {
                    len: rules.len(),
                    max: MAX_RULES,
                })
            });
        }
    }

    ok &= r.field("privacy", |r| privacy(&spec.privacy, r));
    ok &= r.field("labels", |r| labels::check(&spec.labels, r));
    let support = match &spec.support {
        None => Some(None),
        Some(s) => {
            let names = support::Names {
                language: &language,
                tasks: &task_names,
                tiers: &tier_names,
            };
            r.field("support", |r| support::support(s, &names, r))
                .map(Some)
        }
    };

    #[cfg(feature = "collector")]
    if let Some(staff) = &spec.staff {
        ok &= r.field("staff", |r| {
            let mut ok = true;
            for (name, url) in [
                ("webhook", &staff.webhook),
                ("slack_webhook", &staff.slack_webhook),
            ] {
                if let Some(url) = url {
                    ok &= r.field(name, |r| triage::webhook_url(url, r));
                }
            }
            ok & r.field("offers", |r| triage::offers(&staff.offers, r))
        });
    }
    #[cfg(feature = "collector")]
    let triage = match &spec.feedback {
        None => Some(None),
        Some(t) => {
            let tiers: Vec<(String, f64)> = (spec.scoring.value.tiers.iter())
                .map(|(k, v)| (k.clone(), *v))
                .collect();
            r.field("feedback", |r| triage::triage(t, &task_names, &tiers, r))
                .map(Some)
        }
    };

    let labels = labels::compile(spec, &language);
    let rules = Rules {
        language,
        signals: spec.signals.clone(),
        scoring: scoring?,
        prompts: prompts?,
        rules: rules?,
        limits: spec.limits.clone(),
        tasks: tasks?,
        privacy: spec.privacy.clone(),
        pages: spec.pages.clone(),
        matchers: table.0,
        quick_back_pages: quick_back_pages?,
        cancel_pages: cancel_pages?,
        labels,
        launcher: spec.support.as_ref().is_some_and(|s| s.launcher),
    };
    ok.then_some(Checked {
        rules,
        support: support?,
        #[cfg(feature = "collector")]
        triage: triage?,
        #[cfg(feature = "collector")]
        staff: spec.staff.clone(),
    })
}

fn scoring(spec: &ScoringSpec, r: &mut Reader) -> Option<Scoring> {
    let w = &spec.weights;
    let mut weights = [0.0f32; Signal::COUNT];
    for (s, v) in [
        (Signal::RageClick, w.rage_click),
        (Signal::DeadClick, w.dead_click),
        (Signal::ErrorClick, w.error_click),
        (Signal::PageLoop, w.page_loop),
        (Signal::QuickBack, w.quick_back),
        (Signal::RepeatedAction, w.repeated_action),
        (Signal::DwellOutlier, w.dwell_outlier),
        (Signal::CartChurn, w.cart_churn),
        (Signal::CancelIntent, w.cancel_intent),
        (Signal::ExitIntent, w.exit_intent),
        (Signal::Idle, w.idle),
    ] {
        weights[s.index()] = v as f32;
    }
    let mut ok = true;
    let b = &spec.bands;
    if !(b.low < b.medium && b.medium < b.high) {
        r.field("bands", |r| {
            r.error(E::Inconsistent("bands must rise: low < medium < high"));
        });
        ok = false;
    }
    let vw = &spec.value.weights;
    let total = vw.frustration + vw.business + vw.opportunity + vw.availability;
    let value_weights = if total > 0.0 {
        [vw.frustration, vw.business, vw.opportunity, vw.availability].map(|x| (x / total) as f32)
    } else {
        r.field("value", |r| {
            r.field("weights", |r| {
                r.error(E::Inconsistent("at least one weight must be above 0"))
            })
        });
        ok = false;
        [0.0; 4]
    };
    let tiers = r.field("value", |r| {
        r.field("tiers", |r| {
            if spec.value.tiers.len() > MAX_TIERS {
                r.error(E::TooMany {
                    len: spec.value.tiers.len(),
                    max: MAX_TIERS,
                });
                ok = false;
            }
            let mut tiers = Vec::with_capacity(spec.value.tiers.len());
            for (name, value) in &spec.value.tiers {
                r.at(PathSeg::Key(name.clone()), |r| {
                    ok &= id_like(name, r);
                    if !(0.0..=1.0).contains(value) {
                        r.error(E::OutOfRange {
                            value: *value,
                            min: 0.0,
                            max: 1.0,
                        });
                        ok = false;
                    }
                });
                tiers.push((name.clone(), *value as f32));
            }
            tiers
        })
    });
    ok.then(|| Scoring {
        weights,
        half_life_ms: f64::from(spec.half_life_s) * 1000.0,
        bands: [b.low as f32, b.medium as f32, b.high as f32],
        value_weights,
        tiers,
        cart_value_full: spec.value.cart_value_full,
    })
}

fn condition(
    spec: &WhenSpec,
    tier_names: &[&str],
    task_names: &[&str],
    table: &mut Table,
    r: &mut Reader,
) -> Option<Condition> {
    let mut ok = true;
    let page = match &spec.page {
        Some(p) => {
            let m = r.field("page", |r| table.add(p, r));
            ok &= m.is_some();
            m
        }
        None => None,
    };
    let mut tiers = 0u32;
    r.field("tier", |r| {
        for (i, name) in spec.tier.iter().enumerate() {
            r.index(i, |r| match tier_names.iter().position(|t| t == name) {
                // Past the 32nd tier, "too many" is reported already.
                Some(t) => tiers |= 1u32.checked_shl(t as u32).unwrap_or(0),
                None => {
                    r.error(E::UnknownTier(name.clone()));
                    ok = false;
                }
            });
        }
    });
    let devices = spec.device.iter().fold(0u8, |bits, d| bits | 1 << *d as u8);
    if let Some(cart) = &spec.cart
        && let (Some(min), Some(max)) = (cart.min_value, cart.max_value)
        && min > max
    {
        r.field("cart", |r| {
            r.error(E::Inconsistent("`min_value` is above `max_value`"))
        });
        ok = false;
    }
    let (min_time, max_time) = match &spec.time_on_site_s {
        Some(range) => {
            if range.max.is_some_and(|max| max < range.min) {
                r.field("time_on_site_s", |r| {
                    r.error(E::Inconsistent("`min` is above `max`"));
                });
                ok = false;
            }
            (
                u64::from(range.min) * 1000,
                range.max.map(|m| u64::from(m) * 1000),
            )
        }
        None => (0, None),
    };
    let task = match &spec.task {
        Some(t) => r.field("task", |r| {
            r.field("name", |r| {
                let found = task_names.iter().position(|n| *n == t.name);
                if found.is_none() {
                    r.error(E::UnknownTask(t.name.clone()));
                    ok = false;
                }
                found.map(|i| (i as TaskIdx, t.state))
            })
        }),
        None => None,
    };
    if spec
        .task
        .as_ref()
        .is_some_and(|t| t.went.is_some() && t.state == TaskState::NotStarted)
    {
        r.field("task", |r| {
            r.field("went", |r| {
                r.error(E::Inconsistent(
                    "a task not started has not gone any way: use `went` with active or completed",
                ))
            })
        });
        ok = false;
    }
    ok.then(|| Condition {
        score_at_least: spec.score_at_least.map(|s| s as f32),
        band_at_least: spec.band_at_least,
        signals_any: spec.signals.any.iter().copied().collect(),
        signals_all: spec.signals.all.iter().copied().collect(),
        page,
        visitor: spec.visitor,
        tiers,
        devices,
        cart: spec.cart.clone(),
        min_time_on_site_ms: min_time,
        max_time_on_site_ms: max_time,
        task,
        task_went: spec.task.as_ref().and_then(|t| t.went),
        feedback_stale_days: spec.feedback_stale_days,
        agents_online: spec.agents_online,
    })
}

/// The index of prompt `id` (prompts are numbered in id order), or an error.
/// Support prompts need a `support` section; a `support` section without a support prompt
/// gets one, so the visitor can always ask (`lifeline.help()`).
fn support_prompt(
    spec: &RulesSpec,
    mut prompts: Vec<Prompt>,
    language: &str,
    r: &mut Reader,
) -> Option<Vec<Prompt>> {
    let mut ok = true;
    for p in prompts
        .iter()
        .filter(|p| p.opens_support && spec.support.is_none())
    {
        r.at(PathSeg::Key(p.id.clone()), |r| {
            r.field("support", |r| {
                r.error(E::Inconsistent(
                    "a help prompt that opens a support session needs a `support` section",
                ))
            })
        });
        ok = false;
    }
    for p in prompts.iter().filter(|p| p.kind == PromptKind::Support) {
        if spec.support.is_none() {
            r.at(PathSeg::Key(p.id.clone()), |r| {
                r.field("kind", |r| {
                    r.error(E::Inconsistent(
                        "a support prompt opens the `support` section's articles and guides: add a `support` section",
                    ))
                })
            });
            ok = false;
        }
    }
    let has = prompts.iter().any(|p| p.kind == PromptKind::Support);
    if spec.support.is_some() && !has {
        if prompts.iter().any(|p| p.id == SUPPORT_PROMPT) {
            r.at(PathSeg::Key(SUPPORT_PROMPT.into()), |r| {
                r.field("kind", |r| {
                    r.error(E::Inconsistent(
                        "with a `support` section, the prompt `support` is the visitor's support session: make it kind support or rename it",
                    ))
                })
            });
            ok = false;
        } else {
            let support = PromptSpec {
                kind: PromptKind::Support,
                text: PromptTextSpec {
                    title: "Help".into(),
                    body: String::new(),
                    steps: Vec::new(),
                    links: Vec::new(),
                    action: None,
                },
                translations: alloc::collections::BTreeMap::new(),
                feedback: None,
                phone: None,
                chat_url: None,
                support: false,
                theme: None,
            };
            prompts.push(Prompt {
                id: SUPPORT_PROMPT.into(),
                kind: PromptKind::Support,
                opens_support: false,
                views: super::view::views(SUPPORT_PROMPT, &support, &spec.theme, language),
                theme: spec.theme.clone(),
            });
        }
    }
    ok.then_some(prompts)
}

fn find_prompt(spec: &RulesSpec, id: &str, r: &mut Reader) -> Option<PromptIdx> {
    let mut found = spec.prompts.keys().position(|p| p == id);
    // The support prompt made for a `support` section comes after the file's own.
    let made =
        spec.support.is_some() && !spec.prompts.values().any(|p| p.kind == PromptKind::Support);
    if found.is_none() && made && id == SUPPORT_PROMPT {
        found = Some(spec.prompts.len());
    }
    if found.is_none() {
        r.error(E::UnknownPrompt(id.to_owned()));
    }
    found.map(|i| i as PromptIdx)
}

/// When the file has structural errors the checker cannot run; this tells, in the same
/// run, which rules and tasks name a prompt that `prompts` does not have (read straight from
/// the JSON, so a typo elsewhere does not hide it).
pub(super) fn prompt_references(json: &crate::json::Json, r: &mut Reader) {
    use crate::json::Json;
    let Json::Object(top) = json else { return };
    fn get<'j>(entries: &'j [(String, Json)], name: &str) -> Option<&'j Json> {
        entries.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
    let mut prompts: Vec<&str> = match get(top, "prompts") {
        Some(Json::Object(p)) => p.iter().map(|(k, _)| k.as_str()).collect(),
        _ => Vec::new(),
    };
    if get(top, "support").is_some() {
        prompts.push(SUPPORT_PROMPT);
    }
    let named = |r: &mut Reader, id: Option<&Json>| {
        if let Some(Json::String(id)) = id
            && !prompts.contains(&id.as_str())
        {
            r.error(E::UnknownPrompt(id.clone()));
        }
    };
    if let Some(Json::Array(rules)) = get(top, "rules") {
        r.field("rules", |r| {
            for (i, rule) in rules.iter().enumerate() {
                if let Json::Object(rule) = rule
                    && let Some(Json::Object(then)) = get(rule, "then")
                {
                    r.index(i, |r| {
                        r.field("then", |r| {
                            r.field("prompt", |r| named(r, get(then, "prompt")))
                        })
                    });
                }
            }
        });
    }
    if let Some(Json::Array(tasks)) = get(top, "tasks") {
        r.field("tasks", |r| {
            for (i, task) in tasks.iter().enumerate() {
                if let Json::Object(task) = task {
                    r.index(i, |r| {
                        r.field("feedback_prompt", |r| {
                            named(r, get(task, "feedback_prompt"))
                        })
                    });
                }
            }
        });
    }
}
