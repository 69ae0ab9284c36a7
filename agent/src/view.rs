//! What a prompt looks like, as plain data: texts (rendered as text, never HTML), links,
//! the action, the feedback controls, the theme. Built from the rules for the visitor's
//! language; rendered by the platform.

use lifeline_shared::rules::spec::{FeedbackSpec, Position, PromptKind, ThemeSpec};
use lifeline_shared::rules::{Prompt, Rules};
use lifeline_shared::wire::{json_string, push_decimal};

/// A link in a prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkView {
    /// Its text.
    pub label: String,
    /// Where it goes (checked by the rules: https, http, mailto, tel or a site path).
    pub href: String,
}

/// One prompt, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptView {
    /// The prompt id.
    pub prompt: String,
    /// What it offers.
    pub kind: PromptKind,
    /// Heading.
    pub title: String,
    /// Body text.
    pub body: String,
    /// Numbered steps.
    pub steps: Vec<String>,
    /// Links.
    pub links: Vec<LinkView>,
    /// The main button: its label (`None`: the renderer's word for the kind, from the
    /// labels), and where it goes (`None`: the agent handles it).
    pub action: Option<(Option<String>, Option<String>)>,
    /// For feedback: how to ask.
    pub feedback: Option<FeedbackSpec>,
    /// The fixed words (Close, Send, Yes, No...) in the prompt's language: a JSON object.
    pub labels: String,
    /// Colours.
    pub theme: ThemeSpec,
    /// Where on the screen.
    pub position: Position,
    /// The language of the texts.
    pub language: String,
}

/// The view of prompt `index` for a visitor whose browser prefers `language`.
pub fn build(rules: &Rules, index: usize, language: &str) -> Option<PromptView> {
    let prompt: &Prompt = rules.prompts.get(index)?;
    let (language, text) = match prompt.translation_for(language) {
        Some((tag, text)) => (tag, text),
        None => (&rules.language, &prompt.text),
    };
    let label = text.action.clone();
    let action = match prompt.kind {
        PromptKind::Help => label.map(|a| (Some(a), None)),
        PromptKind::Feedback | PromptKind::Offer | PromptKind::Support => Some((label, None)),
        PromptKind::ChatOffer => Some((label, prompt.chat_url.clone())),
        PromptKind::CallOffer => Some((
            label,
            prompt.phone.as_ref().map(|p| {
                let digits: String = p
                    .chars()
                    .filter(|c| c.is_ascii_digit() || *c == '+')
                    .collect();
                ["tel:", &digits].concat()
            }),
        )),
    };

    Some(PromptView {
        prompt: prompt.id.clone(),
        kind: prompt.kind,
        title: text.title.clone(),
        body: text.body.clone(),
        steps: text.steps.clone(),
        links: text
            .links
            .iter()
            .map(|l| LinkView {
                label: l.label.clone(),
                href: l.url.clone(),
            })
            .collect(),
        action,
        feedback: (prompt.kind == PromptKind::Feedback).then(|| prompt.feedback.clone()),
        labels: rules.labels_for(language).to_owned(),
        theme: prompt.theme.clone(),
        position: prompt.theme.position,
        language: language.clone(),
    })
}

impl PromptView {
    /// The view as JSON for the renderer (`agent/js/prompt.js`), written by hand to keep a
    /// JSON serializer out of the wasm.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256);
        let field = |out: &mut String, name: &str, value: &str| {
            out.push_str(if out.is_empty() { "{\"" } else { ",\"" });
            out.push_str(name);
            out.push_str("\":");
            json_string(out, value);
        };
        field(&mut out, "kind", self.kind.as_str());
        field(&mut out, "position", self.position.as_str());
        field(&mut out, "lang", &self.language);
        field(&mut out, "title", &self.title);
        field(&mut out, "body", &self.body);
        out.push_str(",\"steps\":[");
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_string(&mut out, step);
        }
        out.push_str("],\"links\":[");
        for (i, link) in self.links.iter().enumerate() {
            out.push_str(if i > 0 { ",[" } else { "[" });
            json_string(&mut out, &link.label);
            out.push(',');
            json_string(&mut out, &link.href);
            out.push(']');
        }
        out.push_str("],\"action\":");
        match &self.action {
            Some((label, href)) => {
                out.push('[');
                for (i, part) in [label, href].into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    match part {
                        Some(text) => json_string(&mut out, text),
                        None => out.push_str("null"),
                    }
                }
                out.push(']');
            }
            None => out.push_str("null"),
        }
        out.push_str(",\"feedback\":");
        match &self.feedback {
            Some(f) => {
                out.push_str("{\"scale\":");
                json_string(&mut out, f.scale.as_str());
                out.push_str(if f.comment {
                    ",\"comment\":true,\"max\":"
                } else {
                    ",\"comment\":false,\"max\":"
                });
                push_decimal(&mut out, u64::from(f.comment_max));
                out.push('}');
            }
            None => out.push_str("null"),
        }
        out.push_str(",\"theme\":[");
        json_string(&mut out, &self.theme.accent);
        out.push(',');
        json_string(&mut out, &self.theme.background);
        out.push(',');
        json_string(&mut out, &self.theme.text);
        out.push_str("],\"labels\":");
        out.push_str(&self.labels);
        out.push('}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let json: serde_json::Value =
            serde_json::from_str(&build(&r, 0, "en").unwrap().to_json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "feedback", "position": "bottom_right", "lang": "en",
                "title": "Say \"hi\" <img src=x onerror=alert(1)>", "body": "", "steps": ["a\nb"],
                "links": [], "action": [null, null],
                "feedback": {"scale": "thumbs", "comment": false, "max": 1000},
                "theme": ["#2563eb", "#ffffff", "#111827"],
                "labels": serde_json::from_str::<serde_json::Value>(r.labels_for("en")).unwrap()
            })
        );
        assert_eq!(json["labels"]["send"], "Send");
        let json: serde_json::Value =
            serde_json::from_str(&build(&rules(), 0, "en").unwrap().to_json()).unwrap();
        assert_eq!(
            json["action"],
            serde_json::json!([null, "tel:+442079460000"])
        );
        let json: serde_json::Value =
            serde_json::from_str(&build(&rules(), 1, "en").unwrap().to_json()).unwrap();
        assert_eq!(json["links"], serde_json::json!([["Terms", "/terms"]]));
    }

    #[test]
    fn call_offers_become_tel_links() {
        let v = build(&rules(), 0, "en").unwrap();
        assert_eq!(v.action, Some((None, Some("tel:+442079460000".into()))));
    }

    #[test]
    fn the_visitors_language_is_used_when_the_rules_have_it() {
        let r = rules();
        let fr = build(&r, 1, "fr-FR").unwrap();
        assert_eq!((fr.title.as_str(), fr.language.as_str()), ("Aide", "fr"));
        // The fixed words follow the prompt's language: French, from the defaults.
        assert!(fr.labels.contains(r#""close":"Fermer""#), "{}", fr.labels);
        let de = build(&r, 1, "de").unwrap();
        assert_eq!((de.title.as_str(), de.language.as_str()), ("Help", "en"));
        assert!(de.labels.contains(r#""close":"Close""#), "{}", de.labels);
        assert_eq!(
            de.links,
            [LinkView {
                label: "Terms".into(),
                href: "/terms".into()
            }]
        );
    }
}
