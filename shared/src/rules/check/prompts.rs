//! Checking prompts: their text, links, theme and the fields that belong to one kind.

use crate::prelude::*;

use super::super::Prompt;
use super::super::error::RuleErrorKind as E;
use super::super::read::{PathSeg, Reader};
use super::super::spec::{PromptKind, PromptSpec, PromptTextSpec, ThemeSpec};
use super::values::{bounded_text, colour, count, id_like, language_tag, link_url, phone_number};

const MAX_TITLE: usize = 120;
const MAX_BODY: usize = 1000;
const MAX_STEPS: usize = 10;
const MAX_STEP: usize = 300;
const MAX_LINKS: usize = 5;
const MAX_LABEL: usize = 80;

pub(super) fn prompt(
    id: &str,
    spec: &PromptSpec,
    site_theme: &ThemeSpec,
    language: &str,
    r: &mut Reader,
) -> Option<Prompt> {
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
    // A call offer without a number asks the visitor for theirs (a call-back).
    if let Some(phone) = &spec.phone {
        ok &= r.field("phone", |r| phone_number(phone, r));
    }
    if let Some(url) = &spec.chat_url {
        ok &= r.field("chat_url", |r| link_url(url, r));
    }
    ok &= kind_only(r, "support", spec.support, PromptKind::Help);
    if spec.support && spec.kind == PromptKind::Help && spec.text.action.is_none() {
        r.field("text", |r| {
            r.field("action", |r| {
                r.error(E::Inconsistent(
                    "`support` is true: name the button that opens the session (\"More help\")",
                ))
            })
        });
        ok = false;
    }
    ok.then(|| {
        let theme = spec.theme.clone().unwrap_or_else(|| site_theme.clone());
        Prompt {
            id: id.to_owned(),
            kind: spec.kind,
            opens_support: spec.support,
            views: super::super::view::views(id, spec, &theme, language),
            theme,
        }
    })
}

fn kind_only_message(field: &str) -> &'static str {
    match field {
        "feedback" => "`feedback` is only for prompts of kind feedback",
        "phone" => "`phone` is only for prompts of kind call_offer",
        "support" => "`support` is only for prompts of kind help",
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

pub(super) fn theme(spec: &ThemeSpec, r: &mut Reader) -> bool {
    r.field("accent", |r| colour(&spec.accent, r))
        & r.field("background", |r| colour(&spec.background, r))
        & r.field("text", |r| colour(&spec.text, r))
}
