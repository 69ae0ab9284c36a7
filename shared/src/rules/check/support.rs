//! Checking `support` into [`Support`] (the `lifeline-support` crate's form, which the
//! collector encodes and serves): ids, texts, markup, links, selectors, page patterns,
//! signal and task names, tiers, languages, and escalation that names a way to reach a
//! person for every channel it lists. Each problem at its JSON path.

use crate::prelude::*;

use lifeline_support::content::{
    self as content, Article, Audience, Channel, Escalation, Guide, Persona, Place, Step, Support,
    Target, Voice, Words,
};
use lifeline_support::markup::{self, MarkupError};
use lifeline_support::page::Page;
use lifeline_support::view::Face;
use lifeline_support::words::{KEYS, words_for};

use super::super::error::RuleErrorKind as E;
use super::super::read::{PathSeg, Reader};
use super::super::spec::*;
use super::values::{bounded_text, count, id_like, language_tag, link_url, phone_number, unique};
use crate::page::Matcher;

/// Longest title (articles, guides, steps).
const MAX_TITLE: usize = 120;
/// Longest article body.
const MAX_BODY: usize = 4000;
/// Longest step body.
const MAX_STEP_BODY: usize = 500;
/// Longest keyword.
const MAX_KEYWORD: usize = 40;
/// Longest selector.
const MAX_SELECTOR: usize = 200;
/// Longest persona name or role.
const MAX_NAME: usize = 60;
/// Longest voice line.
const MAX_VOICE: usize = 300;

/// What the rest of the rules offer support content to refer to.
pub(super) struct Names<'a> {
    /// The rules' language.
    pub language: &'a str,
    /// Task names.
    pub tasks: &'a [&'a str],
    /// Tier names.
    pub tiers: &'a [&'a str],
}

/// Checks the `support` section.
pub(super) fn support(spec: &SupportSpec, names: &Names<'_>, r: &mut Reader) -> Option<Support> {
    let articles = r.field("articles", |r| {
        let ok = count(spec.articles.len(), content::MAX_ARTICLES, r);
        let ids: Vec<&str> = spec.articles.iter().map(|a| a.id.as_str()).collect();
        let list: Vec<Option<Article>> = (spec.articles.iter().enumerate())
            .map(|(i, a)| r.index(i, |r| article(a, &ids[..i], names, r)))
            .collect();
        ok.then_some(())?;
        list.into_iter().collect::<Option<Vec<_>>>()
    });
    let guides = r.field("guides", |r| {
        let ok = count(spec.guides.len(), content::MAX_GUIDES, r);
        let ids: Vec<&str> = spec.guides.iter().map(|g| g.id.as_str()).collect();
        let list: Vec<Option<Guide>> = (spec.guides.iter().enumerate())
            .map(|(i, g)| r.index(i, |r| guide(g, &ids[..i], names, r)))
            .collect();
        ok.then_some(())?;
        list.into_iter().collect::<Option<Vec<_>>>()
    });
    let personas = r.field("personas", |r| {
        let ok = count(spec.personas.len(), content::MAX_PERSONAS, r);
        let ids: Vec<&str> = spec.personas.iter().map(|p| p.id.as_str()).collect();
        let list: Vec<Option<Persona>> = (spec.personas.iter().enumerate())
            .map(|(i, p)| r.index(i, |r| persona(p, &ids[..i], names, r)))
            .collect();
        ok.then_some(())?;
        list.into_iter().collect::<Option<Vec<_>>>()
    });
    let escalation = r.field("escalation", |r| escalation(&spec.escalation, r));
    let labels_ok = r.field("labels", |r| labels(&spec.labels, r));
    labels_ok.then_some(())?;
    // Words for every language the content speaks, the site's first.
    let mut languages: Vec<&str> = vec![names.language];
    let spoken = (spec.articles.iter().filter_map(|a| a.language.as_deref()))
        .chain(spec.guides.iter().filter_map(|g| g.language.as_deref()))
        .chain(
            spec.personas
                .iter()
                .flat_map(|p| p.voices.keys().map(String::as_str)),
        )
        .chain(spec.labels.keys().map(String::as_str));
    for tag in spoken {
        if !languages.contains(&tag) {
            languages.push(tag);
        }
    }
    let words = (languages.into_iter().take(content::MAX_LIST))
        .map(|tag| Words {
            language: tag.to_owned(),
            view: lifeline_support::view::words(&words_for(
                tag,
                (spec.labels.get(tag).into_iter().flatten()).map(|(k, v)| (k.as_str(), v.as_str())),
            )),
        })
        .collect();
    Some(Support {
        language: names.language.to_owned(),
        articles: articles?,
        guides: guides?,
        personas: personas?,
        escalation: escalation?,
        words,
    })
}

/// `labels`: known word names, texts of at most 200 characters, language tags.
fn labels(
    spec: &alloc::collections::BTreeMap<String, alloc::collections::BTreeMap<String, String>>,
    r: &mut Reader,
) -> bool {
    let mut ok = count(spec.len(), content::MAX_LIST, r);
    for (tag, words) in spec {
        ok &= r.at(PathSeg::Key(tag.clone()), |r| {
            let mut ok = language_tag(tag, r);
            for (name, text) in words {
                ok &= r.at(PathSeg::Key(name.clone()), |r| {
                    if !KEYS.contains(&name.as_str()) {
                        r.error(E::UnknownName {
                            found: crate::json::clip(name, 64),
                            expected: &KEYS,
                        });
                        return false;
                    }
                    bounded_text(text, 200, false, r)
                });
            }
            ok
        });
    }
    ok
}

/// A required text of at most `max` characters.
fn text(name: &'static str, value: &str, max: usize, r: &mut Reader) -> bool {
    r.field(name, |r| bounded_text(value, max, false, r))
}

/// A list of ids (topics, skills) or words (keywords).
fn words(name: &'static str, list: &[String], ids: bool, r: &mut Reader) -> bool {
    r.field(name, |r| {
        let mut ok = count(list.len(), content::MAX_LIST, r);
        for (i, w) in list.iter().enumerate() {
            ok &= r.index(i, |r| {
                if ids {
                    id_like(w, r)
                } else {
                    bounded_text(w, MAX_KEYWORD, false, r)
                }
            });
        }
        ok
    })
}

fn language(value: &Option<String>, r: &mut Reader) -> bool {
    value
        .as_ref()
        .is_none_or(|l| r.field("language", |r| language_tag(l, r)))
}

fn article(a: &ArticleSpec, before: &[&str], names: &Names<'_>, r: &mut Reader) -> Option<Article> {
    let mut ok = r.field("id", |r| {
        id_like(&a.id, r) && unique(&a.id, before, "articles", r)
    });
    ok &= language(&a.language, r);
    ok &= text("title", &a.title, MAX_TITLE, r);
    let body = r.field("body", |r| {
        bounded_text(&a.body, MAX_BODY, false, r).then_some(())?;
        markup::parse(&a.body)
            .map_err(|e| r.error(E::BadMarkup(markup_problem(&e))))
            .ok()
    });
    ok &= words("keywords", &a.keywords, false, r);
    ok &= words("topics", &a.topics, true, r);
    let place = r.field("applies", |r| applies(&a.applies, names, r));
    ok.then_some(())?;
    let body = body?;
    let mut text = String::new();
    markup::plain(&body, &mut text);
    Some(Article {
        id: a.id.clone(),
        language: a.language.clone(),
        view: lifeline_support::view::article(&a.id, &a.title, &body),
        terms: lifeline_support::rank::terms(&a.title, &a.keywords, &text),
        topics: a.topics.clone(),
        place: place?,
    })
}

fn markup_problem(e: &MarkupError) -> String {
    match e {
        MarkupError::UnclosedBold(line) => {
            format!("line {line}: `**` opens bold text that is never closed with `**`")
        }
        MarkupError::UnclosedLink(line) => {
            format!("line {line}: a link `[label](url` has no closing `)`")
        }
        MarkupError::BadUrl(url) => format!(
            "the link to \"{url}\": use https:, http:, mailto:, tel: or a path starting with /"
        ),
    }
}

fn applies(spec: &AppliesSpec, names: &Names<'_>, r: &mut Reader) -> Option<Place> {
    let pages = r.field("pages", |r| {
        let ok = count(spec.pages.len(), content::MAX_LIST, r);
        let list: Vec<Option<Page>> = (spec.pages.iter().enumerate())
            .map(|(i, p)| r.index(i, |r| Matcher::check(p, r).map(|m| page(&m))))
            .collect();
        ok.then_some(())?;
        list.into_iter().collect::<Option<Vec<_>>>()
    });
    let signals_ok = r.field("signals", |r| {
        count(spec.signals.len(), content::MAX_LIST, r)
    });
    let tasks_ok = r.field("tasks", |r| {
        let mut ok = count(spec.tasks.len(), content::MAX_LIST, r);
        for (i, t) in spec.tasks.iter().enumerate() {
            if !names.tasks.contains(&t.as_str()) {
                r.index(i, |r| r.error(E::UnknownTask(t.clone())));
                ok = false;
            }
        }
        ok
    });
    (signals_ok && tasks_ok).then_some(())?;
    Some(Place {
        pages: pages?,
        signals: spec.signals.iter().map(|s| s.as_str().to_owned()).collect(),
        tasks: spec.tasks.clone(),
    })
}

/// A checked page pattern in the support crate's form.
fn page(m: &Matcher) -> Page {
    match m {
        Matcher::Exact(p) => Page::Exact(p.to_string()),
        Matcher::Prefix(p) => Page::Prefix(p.to_string()),
        Matcher::Glob(p) => Page::Glob(p.to_string()),
        Matcher::Not(m) => Page::Not(Box::new(page(m))),
        Matcher::Any(ms) => Page::Any(ms.iter().map(page).collect()),
    }
}

fn guide(g: &GuideSpec, before: &[&str], names: &Names<'_>, r: &mut Reader) -> Option<Guide> {
    let mut ok = r.field("id", |r| {
        id_like(&g.id, r) && unique(&g.id, before, "guides", r)
    });
    ok &= language(&g.language, r);
    ok &= text("title", &g.title, MAX_TITLE, r);
    ok &= words("topics", &g.topics, true, r);
    let place = r.field("applies", |r| applies(&g.applies, names, r));
    let steps = r.field("steps", |r| {
        if g.steps.is_empty() {
            r.error(E::Empty);
            return None;
        }
        let ok = count(g.steps.len(), content::MAX_STEPS, r);
        let list: Vec<Option<Step>> = (g.steps.iter().enumerate())
            .map(|(i, s)| r.index(i, |r| step(s, r)))
            .collect();
        ok.then_some(())?;
        list.into_iter().collect::<Option<Vec<_>>>()
    });
    ok.then_some(())?;
    Some(Guide {
        id: g.id.clone(),
        language: g.language.clone(),
        topics: g.topics.clone(),
        place: place?,
        view: lifeline_support::view::guide(&g.id, &g.title, &steps?),
    })
}

fn step(s: &StepSpec, r: &mut Reader) -> Option<Step> {
    let target = match (&s.selector, &s.marker) {
        (Some(sel), None) => r.field("selector", |r| {
            let ok = !sel.trim().is_empty()
                && sel.chars().count() <= MAX_SELECTOR
                && !sel.chars().any(char::is_control);
            if !ok {
                r.error(E::BadSelector(crate::json::clip(sel, 64)));
            }
            ok.then(|| Target::Selector(sel.clone()))
        }),
        (None, Some(name)) => r
            .field("marker", |r| id_like(name, r))
            .then(|| Target::Marker(name.clone())),
        _ => {
            r.error(E::Inconsistent(
                "a step points at one element: give either `selector` or `marker`",
            ));
            None
        }
    };
    let ok = text("title", &s.title, MAX_TITLE, r)
        & r.field("body", |r| bounded_text(&s.body, MAX_STEP_BODY, true, r));
    ok.then_some(())?;
    Some(Step {
        target: target?,
        title: s.title.clone(),
        body: s.body.clone(),
    })
}

fn persona(p: &PersonaSpec, before: &[&str], names: &Names<'_>, r: &mut Reader) -> Option<Persona> {
    let mut ok = r.field("id", |r| {
        id_like(&p.id, r) && unique(&p.id, before, "personas", r)
    });
    ok &= text("name", &p.name, MAX_NAME, r);
    ok &= r.field("role", |r| bounded_text(&p.role, MAX_NAME, true, r));
    ok &= words("skills", &p.skills, true, r);
    let initials = match &p.initials {
        Some(i) => {
            ok &= r.field("initials", |r| bounded_text(i, 3, false, r));
            i.clone()
        }
        None => (p.name.split_whitespace())
            .filter_map(|w| w.chars().next())
            .take(2)
            .collect(),
    };
    if let Some(url) = &p.avatar {
        ok &= r.field("avatar", |r| {
            let https = url.to_ascii_lowercase().starts_with("https://");
            if !https {
                r.error(E::BadUrl(crate::json::clip(url, 64)));
            }
            https && link_url(url, r)
        });
    }
    let voices = r.field("voices", |r| {
        let mut voices = Vec::new();
        let mut ok = count(p.voices.len(), content::MAX_LIST, r);
        for (tag, v) in &p.voices {
            ok &= r.at(PathSeg::Key(tag.clone()), |r| {
                let mut ok = language_tag(tag, r);
                ok &= text("greeting", &v.greeting, MAX_VOICE, r);
                for (name, line) in [("ask", &v.ask), ("glad", &v.glad), ("sorry", &v.sorry)] {
                    if let Some(line) = line {
                        ok &= text(name, line, MAX_VOICE, r);
                    }
                }
                ok
            });
            let voice = Voice {
                language: tag.clone(),
                view: lifeline_support::view::persona(&Face {
                    id: &p.id,
                    name: &p.name,
                    role: &p.role,
                    initials: &initials,
                    avatar: p.avatar.as_deref(),
                    greeting: &v.greeting,
                    ask: v.ask.as_deref(),
                    glad: v.glad.as_deref(),
                    sorry: v.sorry.as_deref(),
                }),
            };
            // The site's language first: it is the default voice.
            if tag == names.language {
                voices.insert(0, voice);
            } else {
                voices.push(voice);
            }
        }
        if !p.voices.contains_key(names.language) {
            r.error(E::Inconsistent(
                "give the persona's words in the rules' `language` (its default voice)",
            ));
            ok = false;
        }
        ok.then_some(voices)
    });
    let audience = r.field("audience", |r| {
        let a = &p.audience;
        let mut ok = true;
        r.field("tiers", |r| {
            for (i, t) in a.tiers.iter().enumerate() {
                if !names.tiers.contains(&t.as_str()) {
                    r.index(i, |r| r.error(E::UnknownTier(t.clone())));
                    ok = false;
                }
            }
        });
        r.field("languages", |r| {
            ok &= count(a.languages.len(), content::MAX_LIST, r);
            for (i, l) in a.languages.iter().enumerate() {
                ok &= r.index(i, |r| language_tag(l, r));
            }
        });
        ok.then(|| Audience {
            returning: a.visitor.map(|v| v == VisitorKind::Returning),
            tiers: a.tiers.clone(),
            languages: a.languages.clone(),
            failures_at_least: a.failures_at_least,
        })
    });
    ok.then_some(())?;
    Some(Persona {
        id: p.id.clone(),
        skills: p.skills.clone(),
        voices: voices?,
        audience: audience?,
    })
}

/// Whether an email address can be one: `local@domain.tld`, no spaces, at most 254.
fn email_ok(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && e.len() <= 254
        && !e
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"?&".contains(c))
        && !domain.contains('@')
}

fn escalation(e: &EscalationSpec, r: &mut Reader) -> Option<Escalation> {
    let mut ok = true;
    let channels: Vec<Channel> = r.field("channels", |r| {
        let mut seen: Vec<Channel> = Vec::new();
        for (i, c) in e.channels.iter().enumerate() {
            let channel = match c {
                ChannelSpec::Chat => Channel::Chat,
                ChannelSpec::Widget => Channel::Widget,
                ChannelSpec::Email => Channel::Email,
                ChannelSpec::Phone => Channel::Phone,
            };
            if seen.contains(&channel) {
                r.index(i, |r| {
                    r.error(E::Duplicate {
                        id: channel.as_str().to_owned(),
                        first: "channels".into(),
                    })
                });
                ok = false;
            }
            seen.push(channel);
        }
        seen
    });
    for (channel, given, field, why) in [
        (
            Channel::Email,
            e.email.is_some(),
            "email",
            "`channels` lists email: give the address to write to",
        ),
        (
            Channel::Phone,
            e.phone.is_some(),
            "phone",
            "`channels` lists phone: give the number to call",
        ),
    ] {
        if channels.contains(&channel) && !given {
            r.field(field, |r| r.error(E::Inconsistent(why)));
            ok = false;
        }
    }
    if let Some(email) = &e.email {
        ok &= r.field("email", |r| {
            let good = email_ok(email);
            if !good {
                r.error(E::BadEmail(crate::json::clip(email, 64)));
            }
            good
        });
    }
    if let Some(phone) = &e.phone {
        ok &= r.field("phone", |r| phone_number(phone, r));
    }
    if let Some(url) = &e.chat_url {
        ok &= r.field("chat_url", |r| link_url(url, r));
    }
    ok.then(|| {
        Escalation {
            threshold: e.threshold as f32,
            window_ms: e.window_s.saturating_mul(1000),
            person_after: e.person_after,
            channels,
            chat_url: e.chat_url.clone(),
            email: e.email.clone(),
            phone: e.phone.clone(),
            view: String::new(),
        }
        .viewed()
    })
}
