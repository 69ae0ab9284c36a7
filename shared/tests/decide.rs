//! Decisions through a whole session: the throttle, dismissals, sampling, chat fallback,
//! value gating, SPA route changes and saving a visit across page loads.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use lifeline_shared::rules::spec::Device;
use lifeline_shared::{Click, ClickFlags, Event, Outcome, Rules, Session, SignalSet};

const DAY: u64 = 24 * 60 * 60 * 1000;

fn rules(extra: &str) -> Arc<Rules> {
    let text = format!(
        r#"{{"version": 1,
            "prompts": {{
              "help": {{"kind": "help", "text": {{"title": "Help"}}}},
              "chat": {{"kind": "chat_offer", "text": {{"title": "Chat?"}}}},
              "ask": {{"kind": "feedback", "text": {{"title": "How is it going?"}}}}
            }},
            {extra}}}"#
    );
    Arc::new(Rules::from_json_str(&text).unwrap_or_else(|e| panic!("{e}")))
}

fn click(key: u64) -> Event<'static> {
    Event::Click(Click {
        key,
        x: 10,
        y: 10,
        flags: ClickFlags::NONE,
        ignore: SignalSet::EMPTY,
    })
}

/// The index of prompt `id`.
fn prompt(s: &Session, id: &str) -> u16 {
    s.rules().prompt_index(id).expect("prompt exists")
}

/// Three rage clicks at `t`, returning the rule id decided, if any.
fn rage(s: &mut Session, t: u64) -> Option<String> {
    let mut out = None;
    for i in 0..3 {
        if let Some(d) = s.observe(t + i * 100, &click(1)) {
            out = Some(s.rules().rules[d.rule as usize].id.clone());
        }
    }
    out
}

fn nav(s: &mut Session, t: u64, path: &str) -> Option<String> {
    s.observe(t, &Event::Navigate { path })
        .map(|d| s.rules().rules[d.rule as usize].id.clone())
}

const RAGE_HELP: &str = r#""rules": [{"id": "r", "when": {"signals": {"any": ["rage_click"]}},
                          "then": {"prompt": "help"}, "limit": {"max_per_session": 10}}]"#;

#[test]
fn a_dismissed_prompt_stays_away_for_the_visit_and_for_the_remembered_days() {
    let rules = rules(&format!(
        r#"{RAGE_HELP}, "limits": {{"max_per_session": 10, "max_per_page": 10, "min_gap_s": 0, "dismissed_days": 7}}"#
    ));
    let mut s = Session::new(rules.clone(), "a", 0);
    nav(&mut s, 0, "/cart");
    assert_eq!(rage(&mut s, 1000).as_deref(), Some("r"));
    s.record(2000, prompt(&s, "help"), Outcome::Engaged);
    assert_eq!(
        rage(&mut s, 5000).as_deref(),
        Some("r"),
        "engaging does not block it"
    );
    s.record(6000, prompt(&s, "help"), Outcome::Dismissed);
    nav(&mut s, 7000, "/shipping");
    assert_eq!(
        rage(&mut s, 10_000),
        None,
        "dismissed: not again this visit, on any page"
    );

    // A later visit, with the dismissal from the stored profile.
    let mut next = Session::new(rules.clone(), "b", 3 * DAY);
    next.remember_dismissal("help", 6000);
    nav(&mut next, 3 * DAY, "/cart");
    assert_eq!(
        rage(&mut next, 3 * DAY + 1000),
        None,
        "3 days after: still away"
    );
    let mut later = Session::new(rules, "c", 8 * DAY);
    later.remember_dismissal("help", 6000);
    nav(&mut later, 8 * DAY, "/cart");
    assert_eq!(
        rage(&mut later, 8 * DAY + 1000).as_deref(),
        Some("r"),
        "8 days after: back"
    );
}

#[test]
fn one_throttle_caps_every_prompt_kind_per_page_per_visit_and_by_gap() {
    let rules = rules(
        r#""rules": [
             {"id": "h", "when": {"signals": {"any": ["rage_click"]}}, "then": {"prompt": "help"}, "limit": {"max_per_session": 10}},
             {"id": "f", "when": {"signals": {"any": ["page_loop"]}}, "then": {"prompt": "ask", "priority": 1}, "limit": {"max_per_session": 10}}],
           "signals": {"page_loop": {"within_navigations": 3, "max_pages": 2}},
           "limits": {"max_per_session": 2, "max_per_page": 1, "min_gap_s": 60}"#,
    );
    let mut s = Session::new(rules, "a", 0);
    nav(&mut s, 0, "/a");
    assert_eq!(rage(&mut s, 1000).as_deref(), Some("h"));
    s.record(1500, prompt(&s, "help"), Outcome::Ignored);
    assert_eq!(rage(&mut s, 70_000), None, "one per page");
    // The rage is still active on the next page, and the gap has passed.
    assert_eq!(nav(&mut s, 71_000, "/b").as_deref(), Some("h"));
    s.record(72_500, prompt(&s, "help"), Outcome::Ignored);
    // A page loop, another prompt kind: the visit already had its two prompts.
    assert_eq!(nav(&mut s, 200_000, "/a"), None);
    assert_eq!(nav(&mut s, 201_000, "/b"), None);
    assert!(s.open_prompt().is_none());
}

#[test]
fn the_minimum_gap_holds_across_prompt_kinds() {
    let rules = rules(
        r#""rules": [{"id": "h", "when": {"signals": {"any": ["rage_click"]}}, "then": {"prompt": "help"}},
                     {"id": "f", "when": {"page": {"exact": "/b"}}, "then": {"prompt": "ask"}}],
           "limits": {"max_per_session": 5, "min_gap_s": 60}"#,
    );
    let mut s = Session::new(rules, "a", 0);
    nav(&mut s, 0, "/a");
    assert_eq!(rage(&mut s, 1000).as_deref(), Some("h"));
    s.record(2000, prompt(&s, "help"), Outcome::Ignored);
    assert_eq!(
        nav(&mut s, 30_000, "/b"),
        None,
        "30 s after the help: too soon"
    );
    assert_eq!(
        s.observe(62_000, &Event::Tick).map(|d| d.rule),
        Some(1),
        "61 s after: the feedback rule"
    );
}

#[test]
fn a_chat_offer_with_nobody_online_falls_back_to_the_next_rule() {
    let rules = rules(
        r#""rules": [{"id": "chat-low", "when": {"signals": {"any": ["rage_click"]}}, "then": {"prompt": "chat", "priority": 5}},
                     {"id": "chat", "when": {"signals": {"any": ["rage_click"]}}, "then": {"prompt": "chat", "priority": 9}},
                     {"id": "help", "when": {"signals": {"any": ["rage_click"]}}, "then": {"prompt": "help"}}]"#,
    );
    let mut offline = Session::new(rules.clone(), "a", 0);
    nav(&mut offline, 0, "/");
    let decided: Vec<_> = (0..3)
        .filter_map(|i| offline.observe(1000 + i * 100, &click(1)))
        .collect();
    let [d] = decided.as_slice() else {
        panic!("one decision: {decided:?}")
    };
    assert_eq!(rules.rules[d.rule as usize].id, "help");
    let passed = d.passed_over.map(|r| rules.rules[r as usize].id.as_str());
    assert_eq!(
        passed,
        Some("chat"),
        "the offer that would have won is named"
    );
    assert!(
        d.explain(&rules)
            .ends_with("rule \"chat\" passed over: nobody online")
    );

    let mut online = Session::new(rules, "a", 0);
    online.set_agents_online(true);
    nav(&mut online, 0, "/");
    assert_eq!(rage(&mut online, 1000).as_deref(), Some("chat"));
}

#[test]
fn sampling_is_fixed_per_visit() {
    let rules = rules(
        r#""rules": [{"id": "half", "when": {"page": {"exact": "/"}}, "then": {"prompt": "help"}, "limit": {"sample_percent": 50}}]"#,
    );
    let shown = |id: &str| {
        let mut s = Session::new(rules.clone(), id, 0);
        nav(&mut s, 0, "/").is_some()
    };
    let visits: Vec<String> = (0..400).map(|i| format!("visit-{i}")).collect();
    let first: Vec<bool> = visits.iter().map(|v| shown(v)).collect();
    let second: Vec<bool> = visits.iter().map(|v| shown(v)).collect();
    assert_eq!(first, second, "the same visit always gets the same answer");
    let n = first.iter().filter(|x| **x).count();
    assert!((160..240).contains(&n), "about half the visits: {n}");
}

#[test]
fn value_tiers_and_cart_gate_rules() {
    let rules = rules(
        r#""scoring": {"value": {"tiers": {"gold": 1.0}, "cart_value_full": 100,
                       "weights": {"frustration": 0.5, "business": 0.5, "opportunity": 0, "availability": 0}}},
           "rules": [{"id": "vip", "when": {"tier": ["gold"], "cart": {"state": "has_items", "min_value": 50}},
                      "then": {"prompt": "help", "min_value": 0.5}}]"#,
    );
    let run = |tier: Option<&str>, total: f64| {
        let mut s = Session::new(rules.clone(), "a", 0);
        assert!(s.set_visitor(false, tier, Device::Desktop));
        nav(&mut s, 0, "/");
        s.observe(
            1000,
            &Event::Cart {
                change: lifeline_shared::CartChange::Add,
                total: Some(total),
            },
        )
        .map(|d| d.value)
    };
    assert_eq!(run(None, 80.0), None, "not gold");
    assert_eq!(run(Some("gold"), 20.0), None, "cart too small");
    let value = run(Some("gold"), 80.0).expect("gold with a cart of 80");
    assert!(
        (value - 0.5).abs() < 1e-6,
        "business 1.0 x 0.5 + frustration 0: {value}"
    );
    let mut s = Session::new(rules, "a", 0);
    assert!(
        !s.set_visitor(false, Some("platinum"), Device::Desktop),
        "unknown tiers are refused"
    );
}

#[test]
fn spa_route_changes_recheck_page_rules() {
    let rules = rules(
        r#""rules": [{"id": "promo", "when": {"page": {"prefix": "/promo"}, "signals": {"any": ["rage_click"]}}, "then": {"prompt": "help"}}]"#,
    );
    let mut s = Session::new(rules, "a", 0);
    nav(&mut s, 0, "/home");
    assert_eq!(rage(&mut s, 1000), None, "not on a promo page");
    assert_eq!(
        nav(&mut s, 5000, "/promo/summer"),
        None,
        "the rage was on another page"
    );
    assert_eq!(rage(&mut s, 6000).as_deref(), Some("promo"));
    assert_eq!(nav(&mut s, 9000, "/promo/winter"), None, "once per visit");
}

#[test]
fn no_prompt_while_the_page_is_hidden_and_none_before_a_page_is_known() {
    let rules = rules(
        r#""rules": [{"id": "t", "when": {"time_on_site_s": {"min": 10}}, "then": {"prompt": "help"}}]"#,
    );
    let mut s = Session::new(rules, "a", 0);
    assert_eq!(s.observe(20_000, &Event::Tick), None, "no page yet");
    s.observe(20_500, &Event::Visibility { visible: false });
    assert_eq!(nav(&mut s, 21_000, "/"), None, "hidden");
    assert!(
        s.observe(22_000, &Event::Visibility { visible: true })
            .is_some()
    );
}

#[test]
fn a_visit_continues_across_page_loads_from_saved_state() {
    let rules = rules(
        r#""rules": [{"id": "loop", "when": {"signals": {"any": ["page_loop"]}}, "then": {"prompt": "ask"}}],
           "signals": {"page_loop": {"within_navigations": 4, "max_pages": 2}}"#,
    );
    let mut s = Session::new(rules.clone(), "a", 0);
    nav(&mut s, 0, "/cart");
    nav(&mut s, 10_000, "/shipping");
    nav(&mut s, 20_000, "/cart");
    // Full page load: the agent saves the state as JSON and restores it on the next page.
    let saved = serde_json::to_string(s.state()).unwrap();
    let state = serde_json::from_str(&saved).unwrap();
    let mut restored = Session::restore(rules.clone(), state).expect("fits the same rules");
    assert_eq!(
        nav(&mut restored, 30_000, "/shipping").as_deref(),
        Some("loop")
    );

    // State saved under other rules is refused, never misread.
    let other = self::rules(r#""signals": {"page_loop": {"within_navigations": 8}}"#);
    let state = serde_json::from_str(&saved).unwrap();
    assert!(Session::restore(other, state).is_none());
}

#[test]
fn a_prompt_left_open_does_not_silence_the_rest_of_the_visit() {
    let rules = rules(
        r#""rules": [
             {"id": "h", "when": {"page": {"exact": "/a"}, "signals": {"any": ["rage_click"]}}, "then": {"prompt": "help"}},
             {"id": "f", "when": {"page": {"exact": "/b"}}, "then": {"prompt": "ask"}}],
           "limits": {"max_per_session": 5, "max_per_page": 1, "min_gap_s": 30}"#,
    );
    let mut s = Session::new(rules, "a", 0);
    nav(&mut s, 0, "/a");
    assert_eq!(rage(&mut s, 1000).as_deref(), Some("h"));
    // The visitor never answers it and carries on.
    assert_eq!(s.open_prompt(), Some(prompt(&s, "help")));
    assert_eq!(nav(&mut s, 10_000, "/b"), None, "the gap still holds");
    assert_eq!(nav(&mut s, 40_000, "/c"), None);
    assert_eq!(
        nav(&mut s, 50_000, "/b").as_deref(),
        Some("f"),
        "the next prompt comes; the agent closes the old one as ignored"
    );
}

#[test]
fn two_products_behind_one_path_are_two_pages() {
    let rules = rules(
        r#""rules": [{"id": "loop", "when": {"signals": {"any": ["page_loop"]}}, "then": {"prompt": "ask"}},
                     {"id": "home", "when": {"page": {"exact": "/"}, "signals": {"any": ["rage_click"]}}, "then": {"prompt": "help"}}],
           "signals": {"quick_back": {"enabled": false}}"#,
    );
    let mut s = Session::new(rules.clone(), "a", 0);
    for (i, page) in [
        "/list", "/p?id=1", "/list", "/p?id=2", "/list", "/p?id=3", "/list",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(nav(&mut s, i as u64 * 10_000, page), None, "{page}");
    }
    // The same views with one product again and again are a loop.
    let mut s = Session::new(rules.clone(), "b", 0);
    let looped = ["/list", "/p?id=1", "/list", "/p?id=1", "/list", "/p?id=1"]
        .iter()
        .enumerate()
        .filter_map(|(i, page)| nav(&mut s, i as u64 * 10_000, page))
        .collect::<Vec<_>>();
    assert_eq!(looped, ["loop"]);
    // `/index.html` is `/` for page patterns.
    let mut s = Session::new(rules, "c", 0);
    nav(&mut s, 0, "/index.html");
    assert_eq!(rage(&mut s, 1000).as_deref(), Some("home"));
}

/// A checkout task (marks), and a rule asking for feedback when it completed `went`.
fn checkout_asks(went: &str) -> Arc<Rules> {
    rules(&format!(
        r#""tasks": [{{"name": "checkout", "start": {{"mark": "start"}}, "complete": {{"mark": "done"}},
                      "expected": {{"duration_s": 60}}}}],
            "rules": [{{"id": "after", "when": {{"task": {{"name": "checkout", "state": "completed",
                        "went": "{went}"}}}}, "then": {{"prompt": "ask"}}}}],
            "limits": {{"min_gap_s": 0}}"#
    ))
}

/// A checkout from `t` taking `took` ms, with three rage clicks in it when `struggle`;
/// whether the feedback prompt showed when it completed.
fn checkout(rules: &Arc<Rules>, took: u64, struggle: bool) -> bool {
    let mut s = Session::new(rules.clone(), "v", 0);
    nav(&mut s, 0, "/cart");
    s.observe(1_000, &Event::Mark { name: "start" });
    if struggle {
        rage(&mut s, 2_000);
    }
    s.observe(1_000 + took, &Event::Mark { name: "done" })
        .is_some_and(|d| d.prompt == prompt(&s, "ask"))
}

#[test]
fn feedback_after_a_task_that_went_slowly_or_with_struggle() {
    let not_smoothly = checkout_asks("not_smoothly");
    assert!(
        !checkout(&not_smoothly, 30_000, false),
        "quick and calm: not asked"
    );
    assert!(
        checkout(&not_smoothly, 150_000, false),
        "over twice the expected minute"
    );
    assert!(
        checkout(&not_smoothly, 30_000, true),
        "rage clicks while it ran"
    );
    assert!(checkout(&checkout_asks("smoothly"), 30_000, false));
    assert!(!checkout(&checkout_asks("smoothly"), 30_000, true));
    assert!(checkout(&checkout_asks("slowly"), 150_000, false));
    assert!(!checkout(&checkout_asks("slowly"), 30_000, true));
    assert!(checkout(&checkout_asks("with_struggle"), 30_000, true));
    assert!(!checkout(&checkout_asks("with_struggle"), 150_000, false));
}

#[test]
fn feedback_from_visitors_not_heard_from_in_a_while() {
    let r = rules(
        r#""rules": [{"id": "stale", "when": {"feedback_stale_days": 30}, "then": {"prompt": "ask"}}]"#,
    );
    let asked = |last: Option<u64>| {
        let mut s = Session::new(r.clone(), "v", 100 * DAY);
        s.set_last_feedback(last);
        nav(&mut s, 100 * DAY, "/").is_some()
    };
    assert!(asked(None), "never heard from");
    assert!(asked(Some(60 * DAY)), "40 days ago");
    assert!(!asked(Some(80 * DAY)), "20 days ago");
}

#[test]
fn went_needs_a_task_under_way_or_completed() {
    let text = r#"{"version": 1, "prompts": {"ask": {"kind": "feedback", "text": {"title": "?"}}},
        "tasks": [{"name": "checkout", "start": {"mark": "a"}, "complete": {"mark": "b"}}],
        "rules": [{"id": "r", "when": {"task": {"name": "checkout", "state": "not_started",
                   "went": "slowly"}}, "then": {"prompt": "ask"}}]}"#;
    let errors: Vec<String> = match Rules::from_json_str(text) {
        Err(e) => e.iter().map(ToString::to_string).collect(),
        Ok(_) => panic!("accepted"),
    };
    assert!(
        errors[0].starts_with("rules[0].when.task.went"),
        "{errors:?}"
    );
}
