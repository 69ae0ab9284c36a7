//! The agent's logic through a memory host: rules, consent, prompts, outcomes, feedback,
//! the outbox across reloads and a dead network, and what leaves the page.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod common;

use common::{agent_with, config, rage};
use lifeline_agent::{Agent, Config, Dormancy, Feedback, Level, MemoryHost, State};
use lifeline_shared::wire::Report;
use lifeline_shared::{Outcome, Rules};

const RULES: &str = r#"{
  "version": 1,
  "prompts": {
    "promo_help": {"kind": "help", "text": {"title": "Trouble with your promo code?"}},
    "ask": {"kind": "feedback", "text": {"title": "How is it going?"}}
  },
  "rules": [
    {"id": "promo-rage", "when": {"page": {"exact": "/cart"}, "signals": {"any": ["rage_click"]}},
     "then": {"prompt": "promo_help"}},
    {"id": "loop", "when": {"signals": {"any": ["page_loop"]}}, "then": {"prompt": "ask"}}
  ],
  "signals": {"page_loop": {"within_navigations": 4, "max_pages": 2}},
  "limits": {"max_per_session": 5, "max_per_page": 1, "min_gap_s": 0},
  "privacy": {"keep_query": ["step"]}
}"#;

/// Every report the host sent or the outbox holds, flushed by beacon.
fn reports(agent: &mut Agent<MemoryHost>) -> Vec<Report> {
    agent.flush(true);
    agent
        .host()
        .sent
        .last()
        .map(|(b, _)| b.items.iter().map(|i| i.report.clone()).collect())
        .unwrap_or_default()
}

#[test]
fn rage_on_the_cart_shows_the_promo_help_and_reports_the_decision() {
    let mut agent = agent_with(
        MemoryHost {
            now: 1_000_000,
            ..MemoryHost::default()
        },
        RULES,
    );
    assert_eq!(agent.state(), State::Running);
    agent.navigate("/cart?step=2&email=a%40b.c");
    rage(&mut agent);
    let shown = agent.host().shown.clone().expect("a prompt is on screen");
    assert_eq!(shown.title, "Trouble with your promo code?");
    agent.close(Outcome::Dismissed);
    assert!(agent.host().shown.is_none());

    agent.flush(true);
    let (batch, beacon) = agent.host().sent.last().cloned().unwrap();
    assert!(beacon);
    let pages: Vec<&str> = batch.items.iter().map(|i| i.page.as_str()).collect();
    assert_eq!(
        pages,
        ["/cart?step=2", "/cart?step=2"],
        "the email left with the dropped query"
    );
    let outcomes: Vec<Option<Outcome>> = batch
        .items
        .iter()
        .map(|i| match &i.report {
            Report::Decision { rule, outcome, .. } => {
                assert_eq!(rule, "promo-rage");
                *outcome
            }
            other => panic!("only decisions here: {other:?}"),
        })
        .collect();
    assert_eq!(outcomes, [None, Some(Outcome::Dismissed)]);
    batch.validate().unwrap();
}

#[test]
fn bad_rules_log_one_error_with_paths_and_leave_the_agent_dormant() {
    let mut agent = agent_with(
        MemoryHost::default(),
        r#"{"version": 1, "rules": [{"id": "x", "then": {"prompt": "nope"}}]}"#,
    );
    assert_eq!(agent.state(), State::Dormant(Dormancy::BadRules));
    let console = &agent.host().console;
    assert_eq!(console.len(), 1);
    assert_eq!(console[0].0, Level::Error);
    assert!(
        console[0]
            .1
            .contains("rules[0].then.prompt: no prompt \"nope\""),
        "{}",
        console[0].1
    );
    agent.navigate("/cart");
    rage(&mut agent);
    assert!(
        agent.host().shown.is_none() && agent.host().local.is_empty(),
        "nothing shown, nothing stored"
    );
}

#[test]
fn global_privacy_control_and_missing_consent_hold_the_agent() {
    let mut gpc = Agent::new(
        MemoryHost::default(),
        Config {
            gpc: true,
            ..config()
        },
    );
    gpc.rules_loaded(Rules::from_json_str(RULES));
    assert_eq!(gpc.state(), State::Dormant(Dormancy::Gpc));
    assert!(gpc.host().local.is_empty());

    let rules = RULES.replace(
        r#""keep_query": ["step"]"#,
        r#""keep_query": [], "require_consent": true"#,
    );
    let mut agent = agent_with(MemoryHost::default(), &rules);
    assert_eq!(agent.state(), State::AwaitingConsent);
    agent.navigate("/cart");
    rage(&mut agent);
    assert!(
        agent.host().shown.is_none() && agent.host().local.is_empty(),
        "nothing before consent"
    );
    agent.consent(true);
    assert_eq!(agent.state(), State::Running);
    rage(&mut agent);
    assert!(
        agent.host().shown.is_some(),
        "the page seen before consent counts once consent comes"
    );
    agent.consent(false);
    assert_eq!(agent.state(), State::Dormant(Dormancy::NoConsent));
    assert!(
        agent.host().local.is_empty() && agent.host().session.is_empty(),
        "withdrawn consent clears storage"
    );
}

#[test]
fn feedback_is_reported_once_with_the_comment_cut_to_its_limit() {
    let mut agent = agent_with(MemoryHost::default(), RULES);
    agent.navigate("/cart");
    assert!(agent.show("ask"));
    agent.feedback(Feedback {
        rating: Some(2),
        thumbs: None,
        comment: Some(format!("  {}  ", "x".repeat(1200))),
    });
    let feedback: Vec<Report> = reports(&mut agent)
        .into_iter()
        .filter(|r| matches!(r, Report::Feedback { .. }))
        .collect();
    let [
        Report::Feedback {
            rule,
            rating,
            comment,
            ..
        },
    ] = feedback.as_slice()
    else {
        panic!("{feedback:?}")
    };
    assert_eq!((rule.as_str(), *rating), ("manual", Some(2)));
    assert_eq!(comment.as_ref().map(|c| c.chars().count()), Some(1000));
    assert!(agent.host().shown.is_none(), "submitting closes the prompt");
}

#[test]
fn the_main_button_sends_feedback_from_a_feedback_prompt_and_engages_any_other() {
    let mut agent = agent_with(MemoryHost::default(), RULES);
    agent.navigate("/cart");
    assert!(agent.show("ask"));
    let nothing = Feedback::default();
    agent.act(nothing);
    assert!(
        agent.host().shown.is_some(),
        "empty feedback is not sent and the prompt stays"
    );
    agent.act(Feedback {
        thumbs: Some(true),
        ..Feedback::default()
    });
    assert!(agent.show("promo_help"));
    agent.act(Feedback {
        rating: Some(5),
        ..Feedback::default()
    });
    assert!(agent.host().shown.is_none());
    agent.act(Feedback::default()); // nothing open: nothing happens
    let summary: Vec<(String, Option<Outcome>, Option<bool>)> = reports(&mut agent)
        .into_iter()
        .map(|r| match r {
            Report::Decision {
                prompt, outcome, ..
            } => (prompt, outcome, None),
            Report::Feedback { prompt, thumbs, .. } => (prompt, None, thumbs),
            other => panic!("no support here: {other:?}"),
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("ask".into(), None, None),
            ("ask".into(), None, Some(true)),
            ("ask".into(), Some(Outcome::Completed), None),
            ("promo_help".into(), None, None),
            ("promo_help".into(), Some(Outcome::Engaged), None),
        ]
    );
}

#[test]
fn the_outbox_survives_a_dead_network_and_a_reload_and_keys_never_repeat() {
    let mut agent = agent_with(
        MemoryHost {
            now: 50_000,
            ..MemoryHost::default()
        },
        RULES,
    );
    agent.navigate("/cart");
    rage(&mut agent);
    agent.close(Outcome::Ignored);
    agent.host_mut().now += 5_000;
    agent.tick();
    assert_eq!(agent.host().sent.len(), 1, "a batch went out");
    agent.sent(false); // the collector is down
    assert_eq!(agent.waiting(), 2);

    // The visitor goes to another page: a full reload, same storage.
    let mut host = std::mem::take(agent.host_mut());
    host.now += 1_000;
    host.sent.clear();
    let mut next = agent_with(host, RULES);
    next.navigate("/checkout");
    assert_eq!(next.waiting(), 2, "nothing lost across the reload");
    next.host_mut().now += 10_000;
    next.tick();
    next.sent(true);
    assert_eq!(next.waiting(), 0);
    let keys: Vec<String> = next
        .host()
        .sent
        .iter()
        .flat_map(|(b, _)| b.items.iter().map(|i| i.key.clone()))
        .collect();
    let first_session = keys[0].split(':').next().unwrap().to_owned();
    assert!(
        keys.iter().all(|k| k.starts_with(&first_session)),
        "the same visit: {keys:?}"
    );

    // New reports after the reload continue the numbering: no key is reused.
    assert!(next.show("ask"));
    next.close(Outcome::Ignored);
    next.flush(true);
    let mut all: Vec<String> = next
        .host()
        .sent
        .iter()
        .flat_map(|(b, _)| b.items.iter().map(|i| i.key.clone()))
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 4, "{all:?}");
}

#[test]
fn a_visit_goes_on_across_page_loads_for_loops_and_dismissals() {
    let mut host = MemoryHost {
        now: 10_000,
        ..MemoryHost::default()
    };
    for (i, page) in ["/cart", "/shipping", "/cart"].iter().enumerate() {
        let mut agent = agent_with(host, RULES);
        agent.navigate(page);
        assert!(agent.host().shown.is_none(), "page {i}");
        agent.page_hidden();
        host = std::mem::take(agent.host_mut());
        host.now += 10_000;
    }
    let mut agent = agent_with(host, RULES);
    agent.navigate("/shipping");
    assert_eq!(
        agent.host().shown.as_ref().map(|v| v.prompt.as_str()),
        Some("ask"),
        "a loop over four page loads"
    );
}

#[test]
fn an_spa_route_change_closes_a_prompt_about_the_page_left() {
    let mut agent = agent_with(MemoryHost::default(), RULES);
    agent.navigate("/cart");
    rage(&mut agent);
    assert!(agent.host().shown.is_some());
    agent.navigate("/cart#coupon");
    assert!(
        agent.host().shown.is_some(),
        "a hash change is the same page"
    );
    agent.navigate("/product/1");
    assert!(agent.host().shown.is_none());
    let last = reports(&mut agent).pop();
    assert!(
        matches!(
            last,
            Some(Report::Decision {
                outcome: Some(Outcome::Ignored),
                ..
            })
        ),
        "{last:?}"
    );
}

#[test]
fn opting_out_clears_everything_and_lasts() {
    let mut agent = agent_with(MemoryHost::default(), RULES);
    agent.navigate("/cart");
    rage(&mut agent);
    agent.opt_out();
    assert_eq!(agent.state(), State::Dormant(Dormancy::OptedOut));
    assert!(agent.host().shown.is_none() && agent.host().session.is_empty());
    assert_eq!(
        agent.host().local.keys().collect::<Vec<_>>(),
        ["lifeline:shop:opt-out"]
    );
    let host = std::mem::take(agent.host_mut());
    let next = agent_with(host, RULES);
    assert_eq!(
        next.state(),
        State::Dormant(Dormancy::OptedOut),
        "the next page stays off too"
    );
}

#[test]
fn corrupt_or_foreign_stored_values_are_reset_not_trusted() {
    let mut host = MemoryHost::default();
    host.local.insert(
        "lifeline:shop:profile".into(),
        r#"{"v": 99, "visits": "lots"}"#.into(),
    );
    host.local
        .insert("lifeline:shop:outbox".into(), "not json".into());
    host.session
        .insert("lifeline:shop:visit".into(), r#"{"id": 3}"#.into());
    let mut agent = agent_with(host, RULES);
    assert_eq!(agent.state(), State::Running);
    agent.navigate("/cart");
    rage(&mut agent);
    assert!(agent.host().shown.is_some());
    let profile = &agent.host().local["lifeline:shop:profile"];
    let profile: lifeline_agent::profile::Profile =
        lifeline_shared::codec::decode(profile).expect("a profile of this version");
    assert_eq!((profile.v, profile.visits), (1, 1));
}

#[test]
fn a_full_storage_changes_nothing_for_the_visitor() {
    let mut agent = agent_with(
        MemoryHost {
            storage_full: true,
            ..MemoryHost::default()
        },
        RULES,
    );
    agent.navigate("/cart");
    rage(&mut agent);
    assert!(agent.host().shown.is_some());
}

#[test]
fn a_prompt_the_page_could_not_show_is_not_reported_as_shown() {
    let mut agent = agent_with(
        MemoryHost {
            cannot_show: true,
            ..MemoryHost::default()
        },
        RULES,
    );
    agent.navigate("/cart");
    rage(&mut agent);
    assert_eq!(agent.waiting(), 0, "nothing reported");
    agent.host_mut().cannot_show = false;
    agent.host_mut().now += 2_000;
    rage(&mut agent);
    assert!(
        agent.host().shown.is_none(),
        "once per visit still holds: the rule did fire"
    );
    assert!(
        agent.show("ask"),
        "and the engine is not stuck with a prompt it thinks is open"
    );
}

#[test]
fn a_chat_offer_with_nobody_online_counts_as_a_support_failure_in_the_profile() {
    let rules = r#"{"version": 1,
        "prompts": {"chat": {"kind": "chat_offer", "text": {"title": "Chat?"}},
                    "help": {"kind": "help", "text": {"title": "Help"}}},
        "rules": [{"id": "chat", "when": {"signals": {"any": ["rage_click"]}}, "then": {"prompt": "chat", "priority": 5}},
                  {"id": "help", "when": {"signals": {"any": ["rage_click"]}}, "then": {"prompt": "help"}}]}"#;
    let mut agent = agent_with(MemoryHost::default(), rules);
    agent.navigate("/");
    rage(&mut agent);
    assert_eq!(
        agent.host().shown.as_ref().map(|v| v.prompt.as_str()),
        Some("help")
    );
    agent.page_hidden();
    let profile: lifeline_agent::profile::Profile =
        lifeline_shared::codec::decode(&agent.host().local["lifeline:shop:profile"]).unwrap();
    assert_eq!(profile.support_failures, 1);
}

#[test]
fn a_prompt_shown_by_hand_is_closed_and_reported_before_the_engine_shows_another() {
    let mut agent = agent_with(MemoryHost::default(), RULES);
    agent.navigate("/cart");
    assert!(agent.show("ask"));
    rage(&mut agent);
    assert_eq!(
        agent.host().shown.as_ref().map(|v| v.prompt.as_str()),
        Some("promo_help")
    );
    let outcomes: Vec<(String, Option<Outcome>)> = reports(&mut agent)
        .into_iter()
        .filter_map(|r| match r {
            Report::Decision { rule, outcome, .. } => Some((rule, outcome)),
            _ => None,
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("manual".to_owned(), None),
            ("manual".to_owned(), Some(Outcome::Ignored)),
            ("promo-rage".to_owned(), None),
        ]
    );
}

/// Every report key sent so far.
#[test]
fn a_prompt_left_open_is_reported_once_as_ignored_and_never_blocks_the_next_page() {
    let mut first = agent_with(MemoryHost::default(), RULES);
    first.navigate("/cart");
    rage(&mut first);
    assert!(first.host().shown.is_some(), "help is on screen");
    // The visitor follows a link without answering it.
    first.page_left();
    assert!(first.host().shown.is_none());
    let ignored = first
        .host()
        .sent
        .iter()
        .flat_map(|(b, _)| &b.items)
        .filter(|i| {
            matches!(
                i.report,
                Report::Decision {
                    outcome: Some(Outcome::Ignored),
                    ..
                }
            )
        })
        .count();
    assert_eq!(ignored, 1, "reported once as ignored");
    first.page_left();
    assert_eq!(first.host().sent.len(), 1, "and only once");

    // The next page load: a loop brings the next prompt.
    let mut next = agent_with(std::mem::take(first.host_mut()), RULES);
    for page in ["/shipping", "/cart", "/shipping"] {
        next.host_mut().now += 1000;
        next.navigate(page);
    }
    assert_eq!(
        next.host().shown.as_ref().map(|v| v.prompt.as_str()),
        Some("ask")
    );
}

#[test]
fn back_and_forward_restores_take_up_the_visit_and_feedback_after_back_is_kept() {
    // Two pages of one visit; each stays in the back/forward cache while the other shows.
    // One storage: the host moves to whichever page is showing.
    let mut cart = agent_with(MemoryHost::default(), RULES);
    cart.navigate("/cart");
    cart.page_left();
    let mut shipping = agent_with(std::mem::take(cart.host_mut()), RULES);
    shipping.host_mut().now += 1000;
    shipping.navigate("/shipping");
    shipping.page_left();
    // Back: the cart page comes back from the cache, stale in memory.
    *cart.host_mut() = std::mem::take(shipping.host_mut());
    cart.host_mut().now += 1000;
    cart.restored("/cart");
    assert!(cart.host().shown.is_none(), "three views, two pages");
    cart.page_left();
    // Forward: delivery again, the fourth view of two pages: a loop, on the restored page.
    *shipping.host_mut() = std::mem::take(cart.host_mut());
    shipping.host_mut().now += 1000;
    shipping.restored("/shipping");
    assert_eq!(
        shipping.host().shown.as_ref().map(|v| v.prompt.as_str()),
        Some("ask"),
        "the restored page counted the views made on the other page"
    );
    shipping.feedback(Feedback {
        rating: Some(2),
        thumbs: None,
        comment: Some("I keep going round".into()),
    });
    shipping.page_left();
    // Feedback goes at once; the beacon as the page is left may carry it again (its fetch
    // was not answered yet), under the same key: a key never names two reports.
    let mut reports: Vec<(String, String)> = (shipping.host().sent.iter())
        .flat_map(|(b, _)| {
            b.items
                .iter()
                .map(|i| (i.key.clone(), format!("{:?}", i.report)))
        })
        .collect();
    reports.sort();
    reports.dedup();
    let mut keys: Vec<&String> = reports.iter().map(|(k, _)| k).collect();
    let all = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), all, "every key names one report: {reports:?}");
    let sent_feedback = shipping
        .host()
        .sent
        .iter()
        .flat_map(|(b, _)| &b.items)
        .any(|i| matches!(&i.report, Report::Feedback { comment: Some(c), .. } if c == "I keep going round"));
    assert!(sent_feedback, "the feedback typed after Back went out");
}

#[test]
fn a_page_restored_after_the_visitor_opted_out_elsewhere_stays_off() {
    let mut cart = agent_with(MemoryHost::default(), RULES);
    cart.navigate("/cart");
    cart.page_left();
    let mut account = agent_with(std::mem::take(cart.host_mut()), RULES);
    account.navigate("/account");
    account.opt_out();
    *cart.host_mut() = std::mem::take(account.host_mut());
    cart.restored("/cart");
    assert_eq!(cart.state(), State::Dormant(Dormancy::OptedOut));
    rage(&mut cart);
    assert!(cart.host().shown.is_none());
}

#[test]
fn a_page_that_hears_it_was_left_after_back_restored_another_writes_nothing_stale() {
    // The browser shows the restored page first, then runs the left page's `pagehide`.
    let mut cart = agent_with(MemoryHost::default(), RULES);
    cart.navigate("/cart");
    cart.page_left();
    let mut shipping = agent_with(std::mem::take(cart.host_mut()), RULES);
    shipping.navigate("/shipping");
    // Back: the cart shows (restored) before delivery hears it is left.
    *cart.host_mut() = std::mem::take(shipping.host_mut());
    cart.restored("/cart");
    *shipping.host_mut() = std::mem::take(cart.host_mut());
    shipping.page_left();
    // Forward: delivery again; then Back, Forward once more. Each time the page shown
    // goes on from the newest visit, so the bounces make a loop.
    *cart.host_mut() = std::mem::take(shipping.host_mut());
    cart.page_left();
    *shipping.host_mut() = std::mem::take(cart.host_mut());
    shipping.restored("/shipping");
    assert_eq!(
        shipping.host().shown.as_ref().map(|v| v.prompt.as_str()),
        Some("ask"),
        "four views of two pages, over three page objects"
    );
}

#[test]
fn hash_routes_are_pages_when_the_rules_say_so() {
    let hashed = RULES.replace(
        r#""privacy": {"keep_query": ["step"]}"#,
        r#""privacy": {"keep_query": ["step"]}, "pages": {"hash_routes": true}"#,
    );
    for (rules, loops) in [(RULES, false), (hashed.as_str(), true)] {
        let mut agent = agent_with(MemoryHost::default(), rules);
        for route in ["/#/cart", "/#/shipping", "/#/cart", "/#/shipping"] {
            agent.host_mut().now += 1000;
            agent.navigate(route);
        }
        assert_eq!(
            agent.host().shown.as_ref().map(|v| v.prompt.as_str()) == Some("ask"),
            loops,
            "hash routes counted: {loops}"
        );
    }
}

#[test]
fn feedback_goes_at_once_with_the_visits_evidence_and_nothing_else() {
    let mut agent = agent_with(
        MemoryHost {
            now: 1_000_000,
            ..MemoryHost::default()
        },
        RULES,
    );
    agent.navigate("/cart?step=2&email=a%40b.c");
    rage(&mut agent);
    agent.close(Outcome::Dismissed);
    agent.host_mut().now += 4_000;
    assert!(agent.show("ask"));
    agent.host_mut().now += 2_500;
    let before = agent.host().sent.len();
    agent.feedback(Feedback {
        rating: Some(1),
        thumbs: None,
        comment: Some("The promo code did nothing".into()),
    });
    // Sent at once by fetch (the visitor awaits the collector's answer), not at the next tick.
    let (batch, beacon) = agent.host().sent.get(before).expect("sent at once").clone();
    assert!(!beacon);
    let item = batch
        .items
        .iter()
        .find(|i| matches!(i.report, Report::Feedback { .. }))
        .expect("the feedback");
    assert_eq!(
        item.page, "/cart?step=2",
        "a query the rules do not keep is dropped"
    );
    let Report::Feedback {
        evidence: Some(e), ..
    } = &item.report
    else {
        panic!("{:?}", item.report)
    };
    // Prompts the rules showed (the help); one shown by hand with `show` is not counted.
    assert_eq!(
        (e.lang.as_str(), e.pages, e.prompts, e.answer_ms),
        ("en", 1, 1, 2_500)
    );
    assert!(e.here.contains(lifeline_shared::Signal::RageClick), "{e:?}");
    assert!(
        e.signals.contains(lifeline_shared::Signal::RageClick),
        "{e:?}"
    );
    assert_eq!(e.seconds, 6, "the visit so far");
    // The evidence as it leaves the page: counts, names and the band; no events,
    // coordinates, keys or anything typed.
    let json = batch.to_json();
    let sent: serde_json::Value = serde_json::from_str(&json).unwrap();
    let evidence = &sent["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["report"]["type"] == "feedback")
        .unwrap()["report"]["evidence"];
    let mut fields: Vec<&str> = evidence
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "answer_ms",
            "band",
            "here",
            "lang",
            "pages",
            "prompts",
            "seconds",
            "signals",
            "tasks"
        ]
    );
    assert!(!json.contains("email") && !json.contains("\"x\"") && !json.contains("\"key\":7"));
}

#[test]
fn visitors_not_heard_from_in_a_while_are_asked_from_their_own_profile() {
    const STALE: &str = r#"{"version": 1,
        "prompts": {"ask": {"kind": "feedback", "text": {"title": "How are we doing?"}}},
        "rules": [{"id": "stale", "when": {"feedback_stale_days": 30}, "then": {"prompt": "ask"}}]}"#;
    const DAY: u64 = 86_400_000;
    let asked = |days_ago: Option<u64>| {
        let now = 400 * DAY;
        let mut host = MemoryHost {
            now,
            ..MemoryHost::default()
        };
        let profile = lifeline_agent::profile::Profile {
            visits: 3,
            last_feedback: days_ago.map(|d| now - d * DAY),
            ..lifeline_agent::profile::Profile::default()
        };
        host.local.insert(
            "lifeline:shop:profile".into(),
            lifeline_shared::codec::encode(&profile),
        );
        let mut agent = agent_with(host, STALE);
        agent.navigate("/");
        let shown = agent.host().shown.is_some();
        // Once answered, the same visit does not ask again.
        if shown {
            agent.feedback(Feedback {
                rating: Some(4),
                ..Feedback::default()
            });
            agent.navigate("/next");
            assert!(agent.host().shown.is_none(), "asked once");
        }
        shown
    };
    assert!(asked(None), "never sent feedback");
    assert!(asked(Some(45)), "45 days ago");
    assert!(!asked(Some(10)), "10 days ago");
}
