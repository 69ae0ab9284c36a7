//! A rules file's `support` section: checked into the support module's content, encoded
//! and decoded unchanged, and every problem named with its JSON path.
#![allow(clippy::unwrap_used)]

use lifeline_shared::rules::spec::PromptKind;
use lifeline_shared::{Checked, Rules};
use lifeline_support::content::Channel;

/// A rules file with the given `support` section (and a task and a tier to refer to).
fn file(support: &str) -> String {
    format!(
        r#"{{"version": 1, "language": "en",
            "scoring": {{"value": {{"tiers": {{"gold": 1.0}}}}}},
            "tasks": [{{"name": "checkout", "start": {{"page": {{"exact": "/cart/"}}}},
                        "complete": {{"page": {{"exact": "/complete/"}}}}}}],
            "support": {support}}}"#
    )
}

const GOOD: &str = r##"{
    "articles": [
        {"id": "card-declined", "title": "My card was declined",
         "body": "Check the **expiry date**.\n\n- Try again\n- Or [call us](tel:+441234567)",
         "keywords": ["card", "declined"], "topics": ["payment"],
         "applies": {"pages": [{"prefix": "/payment"}], "signals": ["repeated_action"], "tasks": ["checkout"]}},
        {"id": "returns", "title": "Returns", "body": "30 days.", "language": "fr"}
    ],
    "guides": [
        {"id": "pay", "title": "Paying", "topics": ["payment"],
         "applies": {"pages": [{"prefix": "/payment"}]},
         "steps": [{"marker": "card", "title": "Card number"},
                   {"selector": "#place-order", "title": "Pay", "body": "Once."}]}
    ],
    "personas": [
        {"id": "ana", "name": "Ana Lima", "role": "Checkout help", "skills": ["payment"],
         "voices": {"fr": {"greeting": "Bonjour"}, "en": {"greeting": "Hi, I'm Ana", "ask": "Sorted?"}},
         "audience": {"visitor": "returning", "tiers": ["gold"], "languages": ["en"], "failures_at_least": 1}}
    ],
    "escalation": {"threshold": 0.6, "window_s": 60, "channels": ["chat", "email"],
                   "email": "help@shop.example"}
}"##;

#[test]
fn a_support_section_is_checked_into_the_modules_content() {
    let checked = Checked::from_json_str(&file(GOOD)).unwrap();
    let s = checked.support.unwrap();
    assert_eq!(s.language, "en");
    let a = &s.articles[0];
    assert_eq!(a.place.signals, ["repeated_action"]);
    assert_eq!(a.place.tasks, ["checkout"]);
    assert!(a.place.pages[0].matches("/payment/"));
    assert!(
        a.view
            .contains(r#""body":[["p",[["t","Check the "],["b","expiry date"],["t","."]]]"#),
        "{}",
        a.view
    );
    // The body's words, counted for search (the plain text of its markup).
    let word = |w: &str| a.terms.iter().any(|t| t.word == w);
    assert!(word("expiry") && word("call"), "{:?}", a.terms);
    assert_eq!(s.articles[1].language.as_deref(), Some("fr"));
    assert!(
        s.guides[0]
            .view
            .contains(r#""steps":[["[data-lifeline-step=\"card\"]","Card number",""]"#),
        "{}",
        s.guides[0].view
    );
    let p = &s.personas[0];
    assert!(
        p.voices[0].view.contains(r#""initials":"AL""#),
        "from the name: {}",
        p.voices[0].view
    );
    assert_eq!(
        p.voices[0].language, "en",
        "the site's language is the default voice"
    );
    assert_eq!(p.audience.returning, Some(true));
    assert_eq!(s.escalation.channels, [Channel::Chat, Channel::Email]);
    assert_eq!(s.escalation.window_ms, 60_000);
    let bytes = lifeline_support::codec::encode(&s);
    assert_eq!(lifeline_support::codec::decode(&bytes), Some(s));
}

#[test]
fn the_rules_every_page_loads_do_not_carry_the_support_content() {
    let with = Rules::from_json_str(&file(GOOD)).unwrap();
    let without = Rules::from_json_str(&file("{}")).unwrap();
    assert_eq!(with.to_compiled(), without.to_compiled());
    assert!(
        Checked::from_json_str(r#"{"version": 1}"#)
            .unwrap()
            .support
            .is_none()
    );
}

fn errors(support: &str) -> Vec<String> {
    match Checked::from_json_str(&file(support)) {
        Ok(_) => panic!("expected errors for {support}"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn every_problem_is_named_at_its_path() {
    let e = errors(
        r#"{"articles": [
            {"id": "a", "title": "", "body": "**open"},
            {"id": "a", "title": "T", "body": "[x](javascript:alert(1))",
             "applies": {"tasks": ["signup"], "pages": [{"glob": ""}]}}],
           "guides": [{"id": "g", "title": "G", "steps": [{"title": "S"},
                       {"selector": "a\nb", "title": "S"}]},
                      {"id": "h", "title": "H", "steps": []}],
           "personas": [{"id": "p", "name": "P", "avatar": "http://x.example/a.png",
                         "voices": {"fr": {"greeting": "Salut"}},
                         "audience": {"tiers": ["platinum"]}}],
           "escalation": {"channels": ["email", "phone", "email"], "email": "nobody",
                          "threshold": 0.5}}"#,
    );
    let expect = [
        "support.articles[0].title: must not be empty",
        "support.articles[0].body: bad markup: line 1: `**` opens bold text",
        "support.articles[1].id: \"a\" is already used",
        "support.articles[1].body: bad markup: the link to \"javascript:alert(1\"",
        "support.articles[1].applies.tasks[0]",
        "support.articles[1].applies.pages[0].glob: bad page pattern",
        "support.guides[0].steps[0]: a step points at one element",
        "support.guides[0].steps[1].selector: bad selector",
        "support.guides[1].steps: must not be empty",
        "support.personas[0].avatar: bad link",
        "support.personas[0].voices: give the persona's words in the rules' `language`",
        "support.personas[0].audience.tiers[0]",
        "support.escalation.channels[2]",
        "support.escalation.phone: `channels` lists phone",
        "support.escalation.email: bad email address \"nobody\"",
    ];
    for want in expect {
        assert!(
            e.iter()
                .any(|got| got.starts_with(want) || got.contains(want)),
            "missing {want:?} in\n{}",
            e.join("\n")
        );
    }
}

#[test]
fn what_is_not_support_content_is_named_before_anything_else() {
    let e = errors(
        r#"{"articles": [{"id": "a", "title": "T", "body": "B",
             "applies": {"signals": ["rage"], "pages": ["/cart"]}}],
           "escalation": {"threshold": 2, "channel": ["chat"]}}"#,
    );
    let expect = [
        "support.articles[0].applies.pages[0]: a page pattern is an object",
        "support.articles[0].applies.signals[0]: unknown value \"rage\"",
        "support.escalation.threshold: 2 is out of range; expected 0 to 1",
        "support.escalation.channel: unknown field `channel` (did you mean `channels`?)",
    ];
    for want in expect {
        assert!(
            e.iter().any(|got| got.starts_with(want)),
            "missing {want:?} in\n{}",
            e.join("\n")
        );
    }
}

#[test]
fn limits_hold_for_every_list() {
    let article = r#"{"id": "a{i}", "title": "T", "body": "B"}"#;
    let many: Vec<String> = (0..201)
        .map(|i| article.replace("{i}", &i.to_string()))
        .collect();
    let e = errors(&format!(r#"{{"articles": [{}]}}"#, many.join(",")));
    assert!(
        e.iter()
            .any(|x| x.starts_with("support.articles: too many: 201 items, at most 200")),
        "{e:?}"
    );
    let long = "x".repeat(4001);
    let e = errors(&format!(
        r#"{{"articles": [{{"id": "a", "title": "T", "body": "{long}"}}]}}"#
    ));
    assert_eq!(
        e,
        ["support.articles[0].body: too long: 4001 characters, at most 4000"]
    );
}

#[test]
fn rules_may_offer_the_support_session_made_for_the_section() {
    let rules = Rules::from_json_str(&file(GOOD).replace(
        r#""support":"#,
        r#""rules": [{"id": "pay", "when": {"signals": {"any": ["repeated_action"]}},
                      "then": {"prompt": "support"}}], "support":"#,
    ))
    .unwrap();
    let p = &rules.prompts[rules.rules[0].prompt as usize];
    assert_eq!((p.id.as_str(), p.kind), ("support", PromptKind::Support));
    // Without a support section there is no such prompt.
    let e = Rules::from_json_str(
        r#"{"version": 1, "rules": [{"id": "pay", "when": {}, "then": {"prompt": "support"}}]}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("no prompt \"support\""), "{e}");
}
