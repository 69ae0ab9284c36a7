//! Reading rules files: defaults from the field, and every error named with its JSON path.
#![allow(clippy::unwrap_used)]

use lifeline_shared::rules::spec::PromptKind;
use lifeline_shared::{RuleErrorKind, Rules};

fn errors(text: &str) -> Vec<String> {
    match Rules::from_json_str(text) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_minimal_file_gets_the_fields_published_thresholds() {
    let rules = Rules::from_json_str(r#"{"version": 1}"#).unwrap();
    let s = &rules.signals;
    assert_eq!(
        (
            s.rage_click.clicks,
            s.rage_click.max_gap_ms,
            s.rage_click.max_distance_px
        ),
        (3, 1000, 30)
    );
    assert_eq!(
        (
            s.dead_click.mutation_window_ms,
            s.dead_click.scroll_window_ms,
            s.dead_click.selection_window_ms,
            s.dead_click.visibility_window_ms
        ),
        (2500, 100, 100, 1000)
    );
    assert_eq!(
        (s.dwell_outlier.time_factor, s.dwell_outlier.page_factor),
        (7.5, 10.0)
    );
    assert_eq!(rules.limits.max_per_session, 2);
    assert!(rules.privacy.honor_gpc && rules.privacy.keep_query.is_empty());
    assert_eq!(rules.language, "en");
}

#[test]
fn the_example_shop_rules_read_and_resolve() {
    let rules = Rules::from_json_str(include_str!("../fixtures/shop.rules.json")).unwrap();
    let ids: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "promo-rage",
            "checkout-chat",
            "shipping-loop",
            "vip-call",
            "struggle-feedback",
            "task:checkout"
        ]
    );
    let chat = &rules.prompts[rules.prompt_index("checkout_chat").unwrap() as usize];
    assert_eq!(chat.kind, PromptKind::ChatOffer);
    assert!(chat.needs_person());
    let index = rules.prompt_index("promo_help").unwrap() as usize;
    let title = |lang: &str| {
        let (_, json) = rules.view(index, lang).unwrap();
        serde_json::from_str::<serde_json::Value>(&json).unwrap()["title"].clone()
    };
    assert_eq!(title("fr-CA"), "Un souci avec votre code promo ?");
    assert_eq!(title("de"), "Trouble with your promo code?");
    assert_eq!(
        rules.prompts[index].theme.accent, "#2563eb",
        "the site theme applies"
    );
}

#[test]
fn every_error_in_a_file_is_reported_with_its_path() {
    let text = r##"{
        "version": 1,
        "colour": "red",
        "signals": {"rage_click": {"clicks": 1, "max_gap_ms": "fast"}, "dead_clik": {}},
        "scoring": {"bands": {"low": 0.6, "medium": 0.5}},
        "prompts": {
            "help": {"kind": "help", "text": {"title": "", "links": [{"label": "x", "url": "javascript:alert(1)"}]}},
            "call": {"kind": "call_offer", "text": {"title": "Call?"}},
            "bad id!": {"kind": "popup", "text": {"title": "x"}},
            "theme": {"kind": "help", "text": {"title": "x"}, "theme": {"accent": "red"}}
        },
        "rules": [
            {"id": "a", "when": {"page": {"glob": "cart"}}, "then": {"prompt": "help"}},
            {"id": "a", "when": {"page": {"regx": "/x"}, "tier": ["gold"]}, "then": {"prompt": "nope"}},
            {"id": "c", "when": {"signals": {"any": ["rage"]}, "score_at_least": 2}, "then": {"prompt": "help", "priority": 1.5}}
        ],
        "tasks": [{"name": "checkout", "start": {"page": {"exact": "/cart"}}, "complete": {"mark": "done"}, "ask_feedback": true}],
        "limits": {"max_per_session": -1}
    }"##;
    assert_eq!(
        errors(text),
        [
            "colour: unknown field `colour`; expected one of: version, language, signals, scoring, prompts, rules, limits, tasks, privacy, pages, theme, labels, support, feedback, staff",
            "signals.dead_clik: unknown field `dead_clik` (did you mean `dead_click`?); expected one of: rage_click, dead_click, error_click, page_loop, quick_back, repeated_action, dwell_outlier, cart_churn, cancel_intent, exit_intent, idle",
            "signals.rage_click.clicks: 1 is out of range; expected 2 to 20",
            "signals.rage_click.max_gap_ms: expected an integer, found a string",
            "prompts[\"bad id!\"].kind: unknown value \"popup\"; expected one of: help, feedback, chat_offer, call_offer, offer, support",
            "rules[1].when.page.regx: unknown field `regx`; expected one of: exact, prefix, glob, not, any",
            "rules[2].when.score_at_least: 2 is out of range; expected 0 to 1",
            "rules[2].when.signals.any[0]: unknown value \"rage\"; expected one of: rage_click, dead_click, error_click, page_loop, quick_back, repeated_action, dwell_outlier, cart_churn, cancel_intent, exit_intent, idle",
            "rules[2].then.priority: expected an integer, found 1.5",
            "limits.max_per_session: -1 is out of range; expected 0 to 4294967295",
            "rules[1].then.prompt: no prompt \"nope\" in `prompts`",
        ],
        "structural errors come first, all of them, then the prompts that do not exist"
    );

    // With the structure fixed, every semantic error is reported too.
    let text = r##"{
        "version": 1,
        "scoring": {"bands": {"low": 0.6, "medium": 0.5}},
        "prompts": {
            "help": {"kind": "help", "text": {"title": "", "links": [{"label": "x", "url": "javascript:alert(1)"}]}},
            "call": {"kind": "call_offer", "text": {"title": "Call?"}, "phone": "ring us"},
            "theme": {"kind": "help", "text": {"title": "x"}, "theme": {"accent": "red"}}
        },
        "rules": [
            {"id": "a", "when": {"page": {"glob": "cart"}}, "then": {"prompt": "help"}},
            {"id": "a", "when": {"tier": ["gold"]}, "then": {"prompt": "nope"}},
            {"id": "c", "when": {"task": {"name": "signup", "state": "active"}}, "then": {"prompt": "help"}}
        ],
        "tasks": [{"name": "checkout", "start": {"page": {"exact": "/cart"}}, "complete": {"mark": "done"}, "ask_feedback": true}]
    }"##;
    assert_eq!(
        errors(text),
        [
            "scoring.bands: bands must rise: low < medium < high",
            "prompts.call.phone: bad phone number \"ring us\": use digits, spaces and + - ( ) . only",
            "prompts.help.text.title: must not be empty",
            "prompts.help.text.links[0].url: bad link \"javascript:alert(1)\": use https:, http:, mailto:, tel: or a path starting with /",
            "prompts.theme.theme.accent: bad colour \"red\": use #rgb or #rrggbb",
            "tasks[0].feedback_prompt: `ask_feedback` is true: name the feedback prompt to show",
            "rules[0].when.page.glob: bad page pattern: paths start with `/` (globs may also start with `*`)",
            "rules[1].id: \"a\" is already used at rules[0]",
            "rules[1].when.tier[0]: no tier \"gold\" in `scoring.value.tiers`",
            "rules[1].then.prompt: no prompt \"nope\" in `prompts`",
            "rules[2].when.task.name: no task \"signup\" in `tasks`",
        ]
    );
}

#[test]
fn a_task_feedback_prompt_must_be_a_feedback_prompt() {
    let errs = errors(
        r#"{"version": 1, "prompts": {"help": {"kind": "help", "text": {"title": "Help"}}},
            "tasks": [{"name": "t", "start": {"mark": "a"}, "complete": {"mark": "b"},
                       "ask_feedback": true, "feedback_prompt": "help"}]}"#,
    );
    assert_eq!(
        errs,
        [
            "tasks[0].feedback_prompt: prompt \"help\" is a help prompt; a feedback prompt is needed here"
        ]
    );
}

#[test]
fn other_versions_and_broken_json_say_so_plainly() {
    assert_eq!(
        errors(r#"{"version": 2, "whatever": true}"#),
        ["version: unsupported version 2; this build reads version 1"]
    );
    assert_eq!(errors(r#"{"rules": []}"#), ["missing field `version`"]);
    assert_eq!(errors("[1, 2]"), ["expected an object, found an array"]);
    let err = Rules::from_json_str("{\n  \"version\": 1,\n}").unwrap_err();
    assert!(
        matches!(
            err.0[0].kind,
            RuleErrorKind::Syntax {
                line: 3,
                column: 1,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "not valid JSON at line 3, column 1: trailing comma"
    );
}

#[test]
fn kind_specific_fields_belong_to_their_kind() {
    let errs = errors(
        r#"{"version": 1, "prompts": {"h": {"kind": "help", "text": {"title": "Help"},
            "phone": "+1 555", "feedback": {"scale": "thumbs"}, "chat_url": "https://chat.example/x"}}}"#,
    );
    assert_eq!(
        errs,
        [
            "prompts.h.feedback: `feedback` is only for prompts of kind feedback",
            "prompts.h.phone: `phone` is only for prompts of kind call_offer",
            "prompts.h.chat_url: `chat_url` is only for prompts of kind chat_offer",
        ]
    );
}

#[test]
fn text_and_list_sizes_are_bounded() {
    let long = "x".repeat(121);
    let steps: Vec<String> = (0..11).map(|i| format!("\"step {i}\"")).collect();
    let errs = errors(&format!(
        r#"{{"version": 1, "prompts": {{"h": {{"kind": "help", "text": {{"title": "{long}", "steps": [{}]}}}}}}}}"#,
        steps.join(",")
    ));
    assert_eq!(
        errs,
        [
            "prompts.h.text.title: too long: 121 characters, at most 120",
            "prompts.h.text.steps: too many: 11 items, at most 10"
        ]
    );
}

#[test]
fn duplicate_keys_and_duplicate_task_names_are_errors() {
    let errs = errors(
        r#"{"version": 1, "limits": {"min_gap_s": 1, "min_gap_s": 2},
            "tasks": [{"name": "t", "start": {"mark": "a"}, "complete": {"mark": "b"}},
                      {"name": "t", "start": {"mark": "a"}, "complete": {"mark": "b"}}]}"#,
    );
    assert_eq!(
        errs,
        [
            "limits.min_gap_s: key `min_gap_s` appears more than once",
            "tasks[1].name: \"t\" is already used at tasks[0]"
        ]
    );
}

#[test]
fn a_pattern_written_as_a_string_and_a_missing_prompt_are_told_with_the_structural_errors() {
    let errors = Rules::from_json_str(
        r#"{"version": 1,
            "prompts": {"help": {"kind": "help", "text": {"title": "Help"}}},
            "rules": [{"id": "a", "when": {"page": "/cart"}, "then": {"prompt": "nope"}}],
            "tasks": [{"name": "t", "start": {"mark": "s"}, "complete": {"mark": "c"},
                       "ask_feedback": true, "feedback_prompt": "gone"}],
            "signals": {"dead_click": {"enabled": "yes"}}}"#,
    )
    .unwrap_err();
    let messages: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
    assert!(
        messages.contains(
            &r#"rules[0].when.page: a page pattern is an object, not a string: write {"exact": "/cart"} (or "prefix", "glob", "not", "any")"#
                .to_owned()
        ),
        "{messages:#?}"
    );
    assert!(
        messages.contains(&r#"rules[0].then.prompt: no prompt "nope" in `prompts`"#.to_owned()),
        "{messages:#?}"
    );
    assert!(
        messages.contains(&r#"tasks[0].feedback_prompt: no prompt "gone" in `prompts`"#.to_owned()),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("signals.dead_click.enabled"))
    );
}

#[test]
fn labels_come_in_every_language_the_prompts_speak_with_the_sites_own_words_over_the_defaults() {
    let rules = Rules::from_json_str(
        r#"{"version": 1, "language": "en",
            "prompts": {"ask": {"kind": "feedback", "text": {"title": "How was it?"},
                                "translations": {"de-AT": {"title": "Wie war es?"}}}},
            "labels": {"en": {"send": "Submit"}, "de": {"close": "Zumachen"}, "sv": {}}}"#,
    )
    .unwrap();
    let labels =
        |tag: &str| -> serde_json::Value { serde_json::from_str(rules.labels_for(tag)).unwrap() };
    let tags: Vec<&str> = rules.labels.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(tags, ["en", "de-AT", "de", "sv"]);
    assert_eq!(
        (
            labels("en")["send"].as_str(),
            labels("en")["close"].as_str()
        ),
        (Some("Submit"), Some("Close"))
    );
    // A regional tag takes its language's overrides, and the defaults under them.
    assert_eq!(labels("de-AT")["close"], "Zumachen");
    assert_eq!(labels("de-AT")["send"], "Senden");
    assert_eq!(labels("sv")["yes"], "Ja");
    // A language the rules do not speak gets the site's language.
    assert_eq!(labels("ja")["send"], "Submit");

    assert_eq!(
        errors(
            r#"{"version": 1, "labels": {"english": {"send": "Go"},
                "en": {"star": "a star", "yes": "", "sned": "Go"}}}"#
        ),
        [
            "labels.en.sned: unknown field `sned` (did you mean `send`?); expected one of: close, rating, star, helpful, yes, no, comment, send, chat, call, claim, need, discard, thanks, noted",
            "labels.en.star: `star` names one star of five and must say which: write {n} for its number, as in \"{n} of 5\"",
            "labels.en.yes: must not be empty",
            "labels.english: bad language tag \"english\": use a tag like en or pt-BR",
        ]
    );
}

/// `{"not": {"not": ... {"exact": "/x"}}}`, `levels` deep.
fn nested_not(levels: usize) -> String {
    let mut m = r#"{"exact": "/x"}"#.to_owned();
    for _ in 0..levels {
        m = format!(r#"{{"not": {m}}}"#);
    }
    m
}

#[test]
fn what_the_checker_accepts_the_agent_decodes_at_the_limits_of_nesting_and_pattern_bytes() {
    use lifeline_shared::page::{MAX_NESTING, MAX_PATTERN_BYTES, MAX_PATTERN_LEN};
    let with_pages = |pages: &[String]| {
        let rules: Vec<String> = pages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    r#"{{"id": "r{i}", "when": {{"page": {p}}}, "then": {{"prompt": "help"}}}}"#
                )
            })
            .collect();
        format!(
            r#"{{"version": 1, "prompts": {{"help": {{"kind": "help", "text": {{"title": "Help"}}}}}},
                "rules": [{}]}}"#,
            rules.join(",")
        )
    };
    // 17 levels (depth 0 to 16): accepted, and decoded by the agent as the same rules.
    let deepest = Rules::from_json_str(&with_pages(&[nested_not(MAX_NESTING)])).unwrap();
    assert_eq!(Rules::from_compiled(&deepest.to_compiled()), Some(deepest));
    // One more: refused by the checker, with its path (the collector used to store rules
    // that left every agent dormant).
    let deep = errors(&with_pages(&[nested_not(MAX_NESTING + 1)]));
    assert_eq!(deep.len(), 1, "{deep:?}");
    assert!(
        deep[0].starts_with("rules[0].when.page.not.not"),
        "{deep:?}"
    );
    assert!(deep[0].contains("more than 16 levels"), "{deep:?}");

    // Globs up to the rules' pattern budget (the defaults' own patterns included) are
    // accepted and decoded; one byte over is not.
    let defaults: usize = Rules::from_json_str(&with_pages(&[]))
        .unwrap()
        .matchers
        .iter()
        .map(lifeline_shared::page::Matcher::pattern_bytes)
        .sum();
    let glob = |len: usize| format!(r#"{{"glob": "*{}b"}}"#, "a".repeat(len - 2));
    let left = MAX_PATTERN_BYTES - defaults;
    let mut full: Vec<String> = (0..left / MAX_PATTERN_LEN)
        .map(|_| glob(MAX_PATTERN_LEN))
        .collect();
    full.push(glob(left % MAX_PATTERN_LEN));
    let at_budget = Rules::from_json_str(&with_pages(&full)).unwrap();
    assert_eq!(
        Rules::from_compiled(&at_budget.to_compiled()),
        Some(at_budget)
    );
    let mut over = full.clone();
    over.push(r#"{"exact": "/"}"#.to_owned());
    let over_errors = errors(&with_pages(&over));
    assert_eq!(over_errors.len(), 1, "{over_errors:?}");
    assert!(
        over_errors[0].starts_with(&format!(
            "rules[{}].when.page: the rules' page patterns come to more than 8192 bytes",
            full.len()
        )),
        "{over_errors:?}"
    );
    // 500 such globs (what passed before, under the collector's 256 KiB): one error.
    let many: Vec<String> = (0..500).map(|_| glob(MAX_PATTERN_LEN)).collect();
    assert_eq!(errors(&with_pages(&many[..])).len(), 1);
}

#[test]
fn a_rule_naming_a_tier_past_the_32nd_is_an_error_not_an_overflow() {
    let tiers: Vec<String> = (0..40).map(|i| format!(r#""t{i:02}": 0.5"#)).collect();
    let text = format!(
        r#"{{"version": 1, "scoring": {{"value": {{"tiers": {{{}}}}}}},
            "prompts": {{"help": {{"kind": "help", "text": {{"title": "Help"}}}}}},
            "rules": [{{"id": "vip", "when": {{"tier": ["t39"]}}, "then": {{"prompt": "help"}}}}]}}"#,
        tiers.join(",")
    );
    let errors = errors(&text);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("scoring.value.tiers") && e.contains("40")),
        "{errors:?}"
    );
}

#[test]
fn compiled_rules_with_a_number_out_of_range_are_refused_by_the_decoder() {
    // Found by `make fuzz` (compiled_rules): a NaN fails every comparison, so a rule with a
    // NaN `min_value` or `score_at_least` was never held back by it.
    let good = Rules::from_json_str(include_str!("../fixtures/shop.rules.json")).unwrap();
    for spoil in [
        |r: &mut Rules| r.rules[0].min_value = f32::NAN,
        |r: &mut Rules| r.rules[0].min_value = -1.0,
        |r: &mut Rules| r.rules[0].when.score_at_least = Some(f32::NAN),
    ] {
        let mut bad = good.clone();
        spoil(&mut bad);
        assert_eq!(Rules::from_compiled(&bad.to_compiled()), None);
    }
    assert_eq!(Rules::from_compiled(&good.to_compiled()), Some(good));
}

#[test]
fn the_feedback_section_reports_every_problem_with_its_path() {
    let errors = errors(
        r#"{"version": 1,
            "tasks": [{"name": "checkout", "start": {"mark": "a"}, "complete": {"mark": "b"}}],
            "feedback": {
              "negative_words": {"not a tag!": ["x"]},
              "problems": [
                {"id": "p", "title": "", "pages": [{"exact": "cart"}], "tasks": ["signup"],
                 "disclose": true, "cost": 10},
                {"id": "p", "title": "Twice"}
              ],
              "fraud": {"coupon_words": [""]},
              "compensation": {"threshold": 4, "coupon": {"kind": "amount", "value": 10},
                               "webhook": "http://shop.example/hook"}
            }}"#,
    );
    let has = |path: &str| errors.iter().any(|e| e.starts_with(path));
    for path in [
        "feedback.negative_words[\"not a tag!\"]",
        "feedback.problems[0].title",
        "feedback.problems[0].pages[0]",
        "feedback.problems[0].tasks[0]",
        "feedback.problems[0].message",
        "feedback.problems[1].id",
        "feedback.fraud.coupon_words[0]",
        "feedback.compensation.coupon.currency",
        "feedback.compensation.webhook",
    ] {
        assert!(has(path), "{path} not in {errors:#?}");
    }
    // Out of range: found while reading, before the checks.
    let errors = self::errors(
        r#"{"version": 1, "feedback": {"problems": [{"id": "p", "title": "t", "cost": 11}],
            "fraud": {"same_text_visits": 1}}}"#,
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("feedback.problems[0].cost: 11 is out of range"))
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("feedback.fraud.same_text_visits"))
    );
}

#[test]
fn staff_offers_are_a_fixed_code_or_coupon_terms_each_problem_at_its_path() {
    let errors = errors(
        r#"{"version": 1, "staff": {"offers": [
            {"id": "ship", "title": "Free shipping", "code": "SHIP FREE"},
            {"id": "ship", "title": "", "coupon": {"kind": "amount", "value": 5}},
            {"id": "both", "title": "Both", "code": "A", "coupon": {"kind": "percent", "value": 5}},
            {"id": "pct", "title": "Too much", "coupon": {"kind": "percent", "value": 150}}
        ]}}"#,
    );
    for path in [
        "staff.offers[0].code",
        "staff.offers[1].id",
        "staff.offers[1].title",
        "staff.offers[1].coupon.currency",
        "staff.offers[2]: ",
        "staff.offers[3].coupon.value",
    ] {
        assert!(
            errors.iter().any(|e| e.starts_with(path)),
            "{path} not in {errors:#?}"
        );
    }
    let good = r#"{"version": 1, "staff": {"offers": [
        {"id": "ship", "title": "Free shipping", "code": "SHIPFREE"},
        {"id": "ten", "title": "10 % off", "coupon": {"kind": "percent", "value": 10, "prefix": "CHAT-"}}
    ]}}"#;
    let checked = lifeline_shared::Checked::from_json_str(good).unwrap();
    assert!(
        !checked.rules.to_compiled().contains("SHIPFREE"),
        "offers stay on the collector"
    );
}

#[test]
fn the_feedback_section_is_never_in_what_pages_fetch() {
    let json = r#"{"version": 1, "feedback": {"problems": [{"id": "secret-outage",
        "title": "Our card terminal vendor is down", "cost": 5}],
        "compensation": {"threshold": 1, "coupon": {"kind": "percent", "value": 15},
                         "webhook": "https://shop.example/hooks/lifeline"}}}"#;
    let checked = lifeline_shared::Checked::from_json_str(json).unwrap();
    let triage = checked.triage.as_ref().unwrap();
    assert_eq!(triage.problems[0].spec.id, "secret-outage");
    let compiled = checked.rules.to_compiled();
    for secret in ["secret-outage", "terminal vendor", "hooks/lifeline"] {
        assert!(!compiled.contains(secret), "{secret} reaches pages");
    }
}
