//! Checking a [`RulesSpec`] into [`Rules`]: every cross-reference resolved and every value
//! that serde's types cannot express (ids, links, colours, lengths) validated, each problem
//! reported at its JSON path.

use super::error::RuleErrorKind as E;
use super::read::{PathSeg, Reader};
use super::spec::*;
use super::*;
use crate::page::{Matcher, PageMatch};

const MAX_TITLE: usize = 120;
const MAX_BODY: usize = 1000;
const MAX_STEPS: usize = 10;
const MAX_STEP: usize = 300;
const MAX_LINKS: usize = 5;
const MAX_LABEL: usize = 80;
const MAX_URL: usize = 2048;
const MAX_KEEP_QUERY: usize = 32;

/// Collects compiled page patterns into one table.
struct Table(Vec<Matcher>);

impl Table {
    fn add(&mut self, spec: &PageMatch, r: &mut Reader) -> Option<MatcherIdx> {
        let m = Matcher::check(spec, r)?;
        self.0.push(m);
        Some((self.0.len() - 1) as MatcherIdx)
    }
}

pub(super) fn check(spec: &RulesSpec, r: &mut Reader) -> Option<Rules> {
    let mut table = Table(Vec::new());
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
            .map(|(id, p)| r.at(PathSeg::Key(id.clone()), |r| prompt(id, p, &spec.theme, r)))
            .collect();
        list.into_iter().collect::<Option<Vec<_>>>()
    });
    let prompt_ids: Vec<&str> = spec.prompts.keys().map(String::as_str).collect();
    let find_prompt = |id: &str, r: &mut Reader| -> Option<PromptIdx> {
        let found = prompt_ids.iter().position(|p| *p == id);
        if found.is_none() {
            r.error(E::UnknownPrompt(id.to_owned()));
        }
        found.map(|i| i as PromptIdx)
    };

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
            .map(|(i, t)| {
                r.index(i, |r| {
                    let mut ok = r.field("name", |r| {
                        id_like(&t.name, r) && unique(&t.name, &task_names[..i], "tasks", r)
                    });
                    let start = r.field("start", |r| marker(&t.start, &mut table, r));
                    let complete = r.field("complete", |r| marker(&t.complete, &mut table, r));
                    let feedback_prompt = match (&t.feedback_prompt, t.ask_feedback) {
                        (None, false) => None,
                        (None, true) => {
                            r.field("feedback_prompt", |r| {
                                r.error(E::Inconsistent(
                                    "`ask_feedback` is true: name the feedback prompt to show",
                                ))
                            });
                            ok = false;
                            None
                        }
                        (Some(_), false) => {
                            r.field("ask_feedback", |r| {
                                r.error(E::Inconsistent(
                                    "a `feedback_prompt` is given: set `ask_feedback` to true",
                                ))
                            });
                            ok = false;
                            None
                        }
                        (Some(id), true) => r.field("feedback_prompt", |r| {
                            let idx = find_prompt(id, r)?;
                            let kind = spec.prompts[id].kind;
                            if kind != PromptKind::Feedback {
                                r.error(E::WrongPromptKind {
                                    id: id.clone(),
                                    kind: kind.as_str(),
                                    expected: "feedback",
                                });
                                ok = false;
                            }
                            Some(idx)
                        }),
                    };
                    ok.then_some(())?;
                    Some(Task {
                        name: t.name.clone(),
                        start: start?,
                        complete: complete?,
                        expected_ms: u64::from(t.expected.duration_s) * 1000,
                        expected_pages: t.expected.pages,
                        feedback_prompt,
                    })
                })
            })
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
                        r.field("prompt", |r| find_prompt(&rule.then.prompt, r))
                    });
                    id_ok.then_some(())?;
                    Some(Rule {
                        id: rule.id.clone(),
                        when: when?,
                        prompt: prompt?,
                        priority: rule.then.priority,
                        min_value: rule.then.min_value as f32,
                        limit: rule.limit.clone(),
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

    let rules = Rules {
        language,
        signals: spec.signals.clone(),
        scoring: scoring?,
        prompts: prompts?,
        rules: rules?,
        limits: spec.limits.clone(),
        tasks: tasks?,
        privacy: spec.privacy.clone(),
        matchers: table.0,
        quick_back_pages: quick_back_pages?,
        cancel_pages: cancel_pages?,
    };
    ok.then_some(rules)
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

fn prompt(id: &str, spec: &PromptSpec, site_theme: &ThemeSpec, r: &mut Reader) -> Option<Prompt> {
    let mut ok = id_like(id, r);
    ok &= r.field("text", |r| text(&spec.text, r));
    r.field("translations", |r| {
        for (tag, t) in &spec.translations {
            r.at(PathSeg::Key(tag.clone()), |r| {
                ok &= language_tag(tag, r);
                ok &= text(t, r);
            });
        }
    });
    if let Some(theme_spec) = &spec.theme {
        ok &= r.field("theme", |r| theme(theme_spec, r));
    }
    let kind_only = |r: &mut Reader, field: &'static str, given: bool, kind: PromptKind| {
        if given && spec.kind != kind {
            r.field(field, |r| {
                r.error(E::Inconsistent(kind_only_message(field)))
            });
            return false;
        }
        true
    };
    ok &= kind_only(r, "feedback", spec.feedback.is_some(), PromptKind::Feedback);
    ok &= kind_only(r, "phone", spec.phone.is_some(), PromptKind::CallOffer);
    ok &= kind_only(
        r,
        "chat_url",
        spec.chat_url.is_some(),
        PromptKind::ChatOffer,
    );
    match (&spec.phone, spec.kind) {
        (Some(phone), _) => ok &= r.field("phone", |r| phone_number(phone, r)),
        (None, PromptKind::CallOffer) => {
            r.error(E::MissingField("phone"));
            ok = false;
        }
        _ => {}
    }
    if let Some(url) = &spec.chat_url {
        ok &= r.field("chat_url", |r| link_url(url, r));
    }
    ok.then(|| Prompt {
        id: id.to_owned(),
        kind: spec.kind,
        text: spec.text.clone(),
        translations: spec
            .translations
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        feedback: spec.feedback.clone().unwrap_or_default(),
        phone: spec.phone.clone(),
        chat_url: spec.chat_url.clone(),
        theme: spec.theme.clone().unwrap_or_else(|| site_theme.clone()),
    })
}

fn kind_only_message(field: &str) -> &'static str {
    match field {
        "feedback" => "`feedback` is only for prompts of kind feedback",
        "phone" => "`phone` is only for prompts of kind call_offer",
        _ => "`chat_url` is only for prompts of kind chat_offer",
    }
}

fn text(spec: &PromptTextSpec, r: &mut Reader) -> bool {
    let mut ok = r.field("title", |r| bounded_text(&spec.title, MAX_TITLE, false, r));
    ok &= r.field("body", |r| bounded_text(&spec.body, MAX_BODY, true, r));
    if let Some(action) = &spec.action {
        ok &= r.field("action", |r| bounded_text(action, MAX_LABEL, false, r));
    }
    ok &= r.field("steps", |r| {
        let mut ok = count(spec.steps.len(), MAX_STEPS, r);
        for (i, step) in spec.steps.iter().enumerate() {
            ok &= r.index(i, |r| bounded_text(step, MAX_STEP, false, r));
        }
        ok
    });
    ok &= r.field("links", |r| {
        let mut ok = count(spec.links.len(), MAX_LINKS, r);
        for (i, link) in spec.links.iter().enumerate() {
            ok &= r.index(i, |r| {
                r.field("label", |r| bounded_text(&link.label, MAX_LABEL, false, r))
                    & r.field("url", |r| link_url(&link.url, r))
            });
        }
        ok
    });
    ok
}

fn theme(spec: &ThemeSpec, r: &mut Reader) -> bool {
    r.field("accent", |r| colour(&spec.accent, r))
        & r.field("background", |r| colour(&spec.background, r))
        & r.field("text", |r| colour(&spec.text, r))
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
                Some(t) => tiers |= 1 << t,
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
        agents_online: spec.agents_online,
    })
}

fn marker(spec: &TaskMarkerSpec, table: &mut Table, r: &mut Reader) -> Option<Marker> {
    match spec {
        TaskMarkerSpec::Page(p) => r.field("page", |r| table.add(p, r)).map(Marker::Page),
        TaskMarkerSpec::Mark(name) => r
            .field("mark", |r| id_like(name, r))
            .then(|| Marker::Mark(name.as_str().into())),
    }
}

fn privacy(spec: &PrivacySpec, r: &mut Reader) -> bool {
    r.field("keep_query", |r| {
        let mut ok = count(spec.keep_query.len(), MAX_KEEP_QUERY, r);
        for (i, name) in spec.keep_query.iter().enumerate() {
            ok &= r.index(i, |r| {
                let good = !name.is_empty()
                    && name.len() <= 64
                    && !name.contains(['&', '=', '#', '?'])
                    && !name.chars().any(char::is_whitespace);
                if !good {
                    r.error(E::BadId(name.clone()));
                }
                good
            });
        }
        ok
    })
}

fn unique(id: &str, before: &[&str], list: &'static str, r: &mut Reader) -> bool {
    match before.iter().position(|x| *x == id) {
        Some(first) => {
            r.error(E::Duplicate {
                id: id.to_owned(),
                first: format!("{list}[{first}]"),
            });
            false
        }
        None => true,
    }
}

fn is_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}

fn id_like(id: &str, r: &mut Reader) -> bool {
    let ok = is_id(id);
    if !ok {
        r.error(E::BadId(id.to_owned()));
    }
    ok
}

fn count(len: usize, max: usize, r: &mut Reader) -> bool {
    if len > max {
        r.error(E::TooMany { len, max });
    }
    len <= max
}

fn bounded_text(text: &str, max: usize, may_be_empty: bool, r: &mut Reader) -> bool {
    let len = text.chars().count();
    if len == 0 && !may_be_empty || text.trim().is_empty() && !text.is_empty() {
        r.error(E::Empty);
        return false;
    }
    if len > max {
        r.error(E::TooLong { len, max });
        return false;
    }
    true
}

fn link_url(url: &str, r: &mut Reader) -> bool {
    let lower = url.to_ascii_lowercase();
    let scheme_ok = ["https://", "http://", "mailto:", "tel:"]
        .iter()
        .any(|s| lower.starts_with(s))
        || (url.starts_with('/') && !url.starts_with("//"));
    let ok = scheme_ok
        && url.len() <= MAX_URL
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\');
    if !ok {
        r.error(E::BadUrl(url.to_owned()));
    }
    ok
}

fn colour(c: &str, r: &mut Reader) -> bool {
    let hex = c.strip_prefix('#').unwrap_or("");
    let ok = matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        r.error(E::BadColour(c.to_owned()));
    }
    ok
}

fn phone_number(p: &str, r: &mut Reader) -> bool {
    let digits = p.bytes().filter(u8::is_ascii_digit).count();
    let ok = (3..=20).contains(&digits)
        && p.len() <= 32
        && p.bytes()
            .all(|b| b.is_ascii_digit() || b" +-().".contains(&b));
    if !ok {
        r.error(E::BadPhone(p.to_owned()));
    }
    ok
}

fn language_tag(tag: &str, r: &mut Reader) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    let ok = (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        && tag.len() <= 35;
    if !ok {
        r.error(E::BadLanguage(tag.to_owned()));
    }
    ok
}
