//! Each prompt's view as the renderer (`agent/js/prompt.js`) reads it, written once where
//! rules are checked and compiled, for the site's language and each translation: texts
//! (set as text, never HTML), steps, links, the action, the feedback controls, the theme.
//! The agent picks the view for the visitor's language and puts the fixed words (the
//! labels of that language) in front: `{"labels":LABELS` + the view's tail. So the agent
//! carries no code to build views, and no texts it never shows.

use crate::prelude::*;

use super::spec::{PromptKind, PromptSpec, PromptTextSpec, ThemeSpec};
use crate::wire::cat;
use crate::wire::{json_string, member, push_decimal};

/// The views of prompt `id` (checked `spec`, in `theme`): its text in the site's
/// `language` first, then each translation; each the tail of a JSON object (from
/// `,"prompt":` to the closing brace).
pub fn views(
    id: &str,
    spec: &PromptSpec,
    theme: &ThemeSpec,
    language: &str,
) -> Vec<(String, String)> {
    let prompt = Source { id, spec, theme };
    core::iter::once((language, &spec.text))
        .chain(spec.translations.iter().map(|(t, text)| (t.as_str(), text)))
        .map(|(tag, text)| (tag.to_owned(), tail(&prompt, tag, text)))
        .collect()
}

/// What a view is written from.
struct Source<'a> {
    id: &'a str,
    spec: &'a PromptSpec,
    theme: &'a ThemeSpec,
}

fn field(out: &mut String, name: &str, value: &str) {
    member(out, name);
    json_string(out, value);
}

fn tail(prompt: &Source<'_>, language: &str, text: &PromptTextSpec) -> String {
    let (spec, kind) = (prompt.spec, prompt.spec.kind);
    let mut out = String::with_capacity(256);
    field(&mut out, "prompt", prompt.id);
    field(&mut out, "kind", kind.as_str());
    field(&mut out, "position", prompt.theme.position.as_str());
    field(&mut out, "lang", language);
    field(&mut out, "title", &text.title);
    field(&mut out, "body", &text.body);
    out.push_str(",\"steps\":[");
    for (i, step) in text.steps.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(&mut out, step);
    }
    out.push_str("],\"links\":[");
    for (i, link) in text.links.iter().enumerate() {
        out.push_str(if i > 0 { ",[" } else { "[" });
        json_string(&mut out, &link.label);
        out.push(',');
        json_string(&mut out, &link.url);
        out.push(']');
    }
    // The main button: its label (null: the renderer's word for the kind) and where it goes
    // (null: the agent handles it); none for a help prompt without an action.
    let href = match kind {
        PromptKind::ChatOffer => spec.chat_url.clone(),
        PromptKind::CallOffer => spec.phone.as_ref().map(|p| {
            let digits: String = (p.chars())
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            cat(&["tel:", &digits])
        }),
        _ => None,
    };
    out.push_str("],\"action\":");
    if kind == PromptKind::Help && text.action.is_none() {
        out.push_str("null");
    } else {
        out.push('[');
        for (i, part) in [&text.action, &href].into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match part {
                Some(t) => json_string(&mut out, t),
                None => out.push_str("null"),
            }
        }
        out.push(']');
    }
    out.push_str(",\"feedback\":");
    if kind == PromptKind::Feedback {
        let f = spec.feedback.clone().unwrap_or_default();
        out.push_str("{\"scale\":");
        json_string(&mut out, f.scale.as_str());
        out.push_str(if f.comment {
            ",\"comment\":true,\"max\":"
        } else {
            ",\"comment\":false,\"max\":"
        });
        push_decimal(&mut out, u64::from(f.comment_max));
        out.push('}');
    } else {
        out.push_str("null");
    }
    let t = &prompt.theme;
    out.push_str(",\"theme\":[");
    json_string(&mut out, &t.accent);
    out.push(',');
    json_string(&mut out, &t.background);
    out.push(',');
    json_string(&mut out, &t.text);
    out.push_str("]}");
    out
}

#[cfg(test)]
mod tests {
    use crate::Rules;

    fn view(rules: &Rules, index: usize, language: &str) -> serde_json::Value {
        let (tag, json) = rules.view(index, language).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["lang"], tag);
        v
    }

    fn rules() -> Rules {
        Rules::from_json_str(
            r#"{"version": 1, "prompts": {
                "call": {"kind": "call_offer", "text": {"title": "Call?"}, "phone": "+44 (20) 7946-0000"},
                "help": {"kind": "help", "text": {"title": "Help", "links": [{"label": "Terms", "url": "/terms"}]},
                         "translations": {"fr": {"title": "Aide"}}}}}"#,
        )
        .unwrap()
    }

    #[test]
    fn the_renderer_gets_every_text_as_a_json_string() {
        let r = Rules::from_json_str(
            r#"{"version": 1, "prompts": {"ask": {"kind": "feedback",
                "text": {"title": "Say \"hi\" <img src=x onerror=alert(1)>", "steps": ["a\nb"]},
                "feedback": {"scale": "thumbs", "comment": false}}}}"#,
        )
        .unwrap();
        assert_eq!(
            view(&r, 0, "en"),
            serde_json::json!({
                "prompt": "ask", "kind": "feedback", "position": "bottom_right", "lang": "en",
                "title": "Say \"hi\" <img src=x onerror=alert(1)>", "body": "", "steps": ["a\nb"],
                "links": [], "action": [null, null],
                "feedback": {"scale": "thumbs", "comment": false, "max": 1000},
                "theme": ["#2563eb", "#ffffff", "#111827"],
                "labels": serde_json::from_str::<serde_json::Value>(r.labels_for("en")).unwrap()
            })
        );
        assert_eq!(view(&r, 0, "en")["labels"]["send"], "Send");
        assert_eq!(
            view(&rules(), 0, "en")["action"],
            serde_json::json!([null, "tel:+442079460000"])
        );
        assert_eq!(
            view(&rules(), 1, "en")["links"],
            serde_json::json!([["Terms", "/terms"]])
        );
        assert_eq!(view(&rules(), 1, "en")["action"], serde_json::Value::Null);
    }

    #[test]
    fn the_visitors_language_is_used_when_the_rules_have_it() {
        let r = rules();
        let fr = view(&r, 1, "fr-FR");
        assert_eq!(
            (fr["title"].as_str(), fr["lang"].as_str()),
            (Some("Aide"), Some("fr"))
        );
        // The fixed words follow the prompt's language: French, from the defaults.
        assert_eq!(fr["labels"]["close"], "Fermer");
        let de = view(&r, 1, "de");
        assert_eq!(
            (de["title"].as_str(), de["lang"].as_str()),
            (Some("Help"), Some("en"))
        );
        assert_eq!(de["labels"]["close"], "Close");
    }

    #[test]
    fn views_survive_compiling() {
        let r = rules();
        let back = Rules::from_compiled(&r.to_compiled()).unwrap();
        for (i, lang) in [(0, "en"), (1, "fr"), (1, "de")] {
            assert_eq!(back.view(i, lang), r.view(i, lang));
        }
    }
}
