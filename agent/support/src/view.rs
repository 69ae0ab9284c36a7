//! What the renderer (`agent/support/js/support.js`) draws, as JSON written by hand (no
//! serializer in the module): a session's first screen, search results, and every text
//! as a JSON string (rendered as text, never HTML).

use alloc::string::String;

use crate::content::{Escalation, Step, Support, Target};
pub use crate::json::string;
use crate::json::{decimal, member, string_or_null};
use crate::markup::{Block, Inline};
use crate::plan::Plan;

/// A list, each item written by `item`.
fn list<T>(out: &mut String, items: impl Iterator<Item = T>, mut item: impl FnMut(&mut String, T)) {
    out.push('[');
    for (i, x) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        item(out, x);
    }
    out.push(']');
}

fn inlines(out: &mut String, runs: &[Inline]) {
    list(out, runs.iter(), |out, run| {
        let (tag, text, url) = match run {
            Inline::Text(t) => ("t", t, None),
            Inline::Bold(t) => ("b", t, None),
            Inline::Link(t, u) => ("a", t, Some(u)),
        };
        out.push_str("[\"");
        out.push_str(tag);
        out.push_str("\",");
        string(out, text);
        if let Some(u) = url {
            out.push(',');
            string(out, u);
        }
        out.push(']');
    });
}

/// An article's view: `{"id", "title", "body": [["p", runs] | ["ul", [runs...]]]}`, each
/// run `["t", text]`, `["b", text]` or `["a", label, url]`.
pub fn article(id: &str, title: &str, body: &[Block]) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("{\"id\":");
    string(&mut out, id);
    out.push_str(",\"title\":");
    string(&mut out, title);
    out.push_str(",\"body\":");
    list(&mut out, body.iter(), |out, block| match block {
        Block::Para(runs) => {
            out.push_str("[\"p\",");
            inlines(out, runs);
            out.push(']');
        }
        Block::List(items) => {
            out.push_str("[\"ul\",");
            list(out, items.iter(), |out, runs| inlines(out, runs));
            out.push(']');
        }
    });
    out.push('}');
    out
}

/// A guide's view: `{"id", "title", "steps": [[selector, title, body]]}`, a marker written
/// as the selector `[data-lifeline-step="NAME"]`.
pub fn guide(id: &str, title: &str, steps: &[Step]) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("{\"id\":");
    string(&mut out, id);
    out.push_str(",\"title\":");
    string(&mut out, title);
    out.push_str(",\"steps\":");
    list(&mut out, steps.iter(), |out, s| {
        out.push('[');
        match &s.target {
            Target::Selector(sel) => string(out, sel),
            Target::Marker(name) => {
                let mut sel = String::from("[data-lifeline-step=\"");
                sel.push_str(name);
                sel.push_str("\"]");
                string(out, &sel);
            }
        }
        out.push(',');
        string(out, &s.title);
        out.push(',');
        string(out, &s.body);
        out.push(']');
    });
    out.push('}');
    out
}

/// A persona as the renderer draws it, speaking in one language (see [`persona`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Face<'a> {
    /// Its id (in reports).
    pub id: &'a str,
    /// Name.
    pub name: &'a str,
    /// Role ("Checkout help").
    pub role: &'a str,
    /// One or two letters shown when there is no avatar.
    pub initials: &'a str,
    /// An https URL of a picture.
    pub avatar: Option<&'a str>,
    /// Said first.
    pub greeting: &'a str,
    /// Asks whether it helped (else the default words).
    pub ask: Option<&'a str>,
    /// Said when it helped.
    pub glad: Option<&'a str>,
    /// Said when it did not.
    pub sorry: Option<&'a str>,
}

/// A persona's view in one language ([`crate::content::Voice::view`]): `{"id", "name",
/// "role", "initials", "avatar", "greeting", "ask", "glad", "sorry"}`, absent texts `null`.
pub fn persona(f: &Face<'_>) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("{\"id\":");
    string(&mut out, f.id);
    for (name, value) in [
        ("name", Some(f.name)),
        ("role", Some(f.role)),
        ("initials", Some(f.initials)),
        ("avatar", f.avatar),
        ("greeting", Some(f.greeting)),
        ("ask", f.ask),
        ("glad", f.glad),
        ("sorry", f.sorry),
    ] {
        member(&mut out, name);
        string_or_null(&mut out, value);
    }
    out.push('}');
    out
}

/// A language's fixed words as the renderer takes them ([`crate::content::Words::view`]):
/// a JSON list in the order of [`crate::words::KEYS`].
pub fn words(words: &[String]) -> String {
    let mut out = String::with_capacity(512);
    list(&mut out, words.iter(), |out, w| string(out, w));
    out
}

/// What the renderer takes of the escalation ([`crate::content::Escalation::view`]): the
/// members `"chat_url"`, `"email"`, `"phone"` (each `null` when not given) and
/// `"window_ms"`, each after a comma (they follow other members).
pub fn escalation(e: &Escalation) -> String {
    let mut out = String::with_capacity(128);
    for (name, value) in [
        ("chat_url", e.chat_url.as_deref()),
        ("email", e.email.as_deref()),
        ("phone", e.phone.as_deref()),
    ] {
        member(&mut out, name);
        string_or_null(&mut out, value);
    }
    member(&mut out, "window_ms");
    decimal(&mut out, u64::from(e.window_ms));
    out
}

/// `s` quoted, for what the checker let through as a token (an id, a language tag, a
/// channel's name: none holds a character JSON escapes). Such characters are left out
/// rather than escaped, so the JSON stays whole whatever damaged content says.
fn token(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c >= ' ' && c != '"' && c != '\\' {
            out.push(c);
        }
    }
    out.push('"');
}

/// The session's first screen: `{"lang", "words", "persona", "articles", "guides",
/// "suggested", "person_first", "channels", "chat_url", "email", "phone", "window_ms"}`.
/// Every text in it was made into JSON when the content was checked ([`article`],
/// [`guide`], [`persona`], [`words`], [`escalation`]): the support module copies those and
/// quotes only tokens, so it carries no JSON escaping of its own.
pub fn plan(support: &Support, p: &Plan) -> String {
    let mut out = String::with_capacity(2048);
    out.push_str("{\"lang\":");
    token(&mut out, &p.language);
    out.push_str(",\"words\":");
    let words = support.words_for(&p.language);
    out.push_str(words.map_or("[]", |w| &w.view));
    out.push_str(",\"persona\":");
    let persona = p.persona.and_then(|i| support.personas.get(i));
    let voice = persona.and_then(|persona| p.voice.and_then(|v| persona.voices.get(v)));
    out.push_str(voice.map_or("null", |v| &v.view));
    out.push_str(",\"articles\":");
    list(&mut out, p.articles.iter(), |out, &i| {
        out.push_str(&support.articles[i].view)
    });
    out.push_str(",\"guides\":");
    list(&mut out, p.guides.iter(), |out, &i| {
        out.push_str(&support.guides[i].view)
    });
    out.push_str(",\"suggested\":");
    match p.suggested_guide {
        Some(i) => token(&mut out, &support.guides[i].id),
        None => out.push_str("null"),
    }
    out.push_str(",\"person_first\":");
    out.push_str(if p.person_first { "true" } else { "false" });
    out.push_str(",\"channels\":");
    list(&mut out, p.channels.iter(), |out, c| token(out, c.as_str()));
    out.push_str(&support.escalation.view);
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::History;
    use crate::plan::{Location, Visitor};
    use crate::testing::content;

    #[test]
    fn the_first_screen_is_json_with_every_text_as_a_string() {
        let mut s = content();
        let title = "Card <img src=x onerror=alert(1)> \"declined\"\n";
        s.articles[2].view = article("card-declined", title, &[]);
        let p = crate::plan::plan(
            &s,
            &Location {
                page: "/payment/",
                signals: &["repeated_action"],
                task: Some("checkout"),
            },
            &Visitor {
                language: "en",
                agents_online: true,
                ..Visitor::default()
            },
            &History::default(),
        );
        let json = plan(&s, &p);
        assert!(
            json.contains(r#""title":"Card <img src=x onerror=alert(1)> \"declined\"\n""#),
            "{json}"
        );
        assert!(json.contains(r#""suggested":"pay-guide""#), "{json}");
        assert!(
            json.contains(r#"["[data-lifeline-step=\"card\"]","Your card number","The 16 digits on the front."]"#),
            "{json}"
        );
        assert!(json.contains(r#""channels":["chat","email"]"#), "{json}");
        // Drawn when checked, copied whole: the persona in the visitor's language, and
        // where to refer them.
        assert!(
            json.contains(r#""persona":{"id":"ana","name":"ana","role":"Help","initials":"a","avatar":null,"greeting":"Hi, I'm ana","ask":null"#),
            "{json}"
        );
        assert!(
            json.contains(
                r#","chat_url":null,"email":"help@shop.example","phone":null,"window_ms":120000}"#
            ),
            "{json}"
        );
        assert!(json.contains(r#""words":["Help","Search help""#), "{json}");
        assert!(json.starts_with('{') && json.ends_with('}'));
    }

    #[test]
    fn bodies_keep_paragraphs_lists_bold_and_links() {
        let s = content();
        let out = &s.articles[0].view;
        assert!(
            out.contains(r#""body":[["p",[["t","Standard delivery takes "],["b","3-5 days"],["t","."]]],["ul",[[["t","Express: next day"]],[["t","Collection: 2 days"]]]]]"#),
            "{out}"
        );
        let out = &s.articles[1].view;
        assert!(out.contains(r#"["a","the terms","/terms"]"#), "{out}");
    }
}
