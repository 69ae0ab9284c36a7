//! What the agent does for support sessions, through a memory host: a session at the
//! visitor's request, where the visitor is for the support module, and the session's steps
//! queued as reports (ids only) beside every other report.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod common;

use common::{agent_with, rage};
use lifeline_agent::{Agent, MemoryHost, VISITOR_RULE};
use lifeline_shared::Outcome;
use lifeline_shared::rules::spec::PromptKind;
use lifeline_shared::wire::{Report, SupportEvent};

const RULES: &str = r#"{
  "version": 1,
  "prompts": {"ask": {"kind": "feedback", "text": {"title": "How is it going?"}}},
  "tasks": [{"name": "checkout", "start": {"page": {"exact": "/cart"}},
             "complete": {"page": {"exact": "/complete"}}}],
  "limits": {"max_per_session": 5, "max_per_page": 2, "min_gap_s": 0},
  "support": {
    "articles": [{"id": "card-declined", "title": "My card was declined", "body": "Try again."}],
    "personas": [{"id": "ana", "name": "Ana", "voices": {"en": {"greeting": "Hi"}}}]
  }
}"#;

fn agent(rules: &str) -> Agent<MemoryHost> {
    agent_with(
        MemoryHost {
            now: 1_000_000,
            ..MemoryHost::default()
        },
        rules,
    )
}

fn sent(agent: &mut Agent<MemoryHost>) -> Vec<Report> {
    agent.flush(true);
    (agent.host().sent.iter())
        .flat_map(|(b, _)| b.items.iter().map(|i| i.report.clone()))
        .collect()
}

#[test]
fn the_visitor_asks_for_help_and_gets_the_support_session_for_their_page() {
    let mut a = agent(RULES);
    a.navigate("/cart");
    a.navigate("/payment");
    assert!(a.help());
    let shown = a.host().shown.clone().unwrap();
    assert_eq!(shown.kind, PromptKind::Support);
    assert_eq!(
        shown.prompt, "support",
        "the support prompt the rules were given"
    );
    match &sent(&mut a)[..] {
        [
            Report::Decision {
                rule,
                prompt,
                kind,
                outcome: None,
                ..
            },
        ] => {
            assert_eq!((rule.as_str(), prompt.as_str()), (VISITOR_RULE, "support"));
            assert_eq!(*kind, PromptKind::Support);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn help_without_support_content_says_so_and_shows_nothing() {
    let mut a = agent(r#"{"version": 1}"#);
    a.navigate("/");
    assert!(!a.help());
    assert!(a.host().shown.is_none());
    assert!(
        a.host().console.iter().any(|(_, m)| m.contains("support")),
        "{:?}",
        a.host().console
    );
}

#[test]
fn the_support_module_learns_where_the_visitor_is_and_nothing_more() {
    let mut a = agent(RULES);
    a.navigate("/cart");
    a.navigate("/payment");
    rage(&mut a);
    a.identify(Some("gold".into()));
    a.set_agents_online(true);
    assert!(a.help());
    let context = a.support_context();
    let lines: Vec<&str> = context.split('\n').collect();
    let last: Vec<&str> = lines[9].split(' ').collect();
    assert!(
        last[0].parse::<u32>().unwrap() > 0,
        "the score after rage: {context}"
    );
    assert!(
        ["low", "medium", "high"].contains(&last[1]),
        "the band: {context}"
    );
    assert!(
        last[2].starts_with("visit"),
        "the visit's random id: {context}"
    );
    assert_eq!(
        lines,
        [
            "shop",
            VISITOR_RULE,
            "support",
            "/payment",
            "en-GB",
            "gold",
            "o",
            "rage_click ",
            "checkout=active ",
            lines[9],
        ]
    );
}

/// A step as reported: event, article, guide, step, channel.
type Step = (
    SupportEvent,
    Option<String>,
    Option<String>,
    Option<u8>,
    Option<String>,
);

#[test]
fn session_steps_are_queued_as_reports_with_ids_only() {
    let mut a = agent(RULES);
    a.navigate("/payment");
    assert!(a.help());
    a.support_step("visitor\nsupport\narticle\nana\ncard-declined\n\n\n");
    a.support_step("visitor\nsupport\nguide_step\nana\n\npay\n2\n");
    a.support_step("visitor\nsupport\nescalated\nana\ncard-declined\n\n\nemail");
    a.support_step("visitor\nsupport\nshouted\nana\n\n\n\n");
    a.close(Outcome::Engaged);
    let reports = sent(&mut a);
    let steps: Vec<Step> = reports
        .iter()
        .filter_map(|r| match r {
            Report::Support {
                event,
                article,
                guide,
                step,
                channel,
                persona,
                ..
            } => {
                assert_eq!(persona.as_deref(), Some("ana"));
                Some((
                    *event,
                    article.clone(),
                    guide.clone(),
                    *step,
                    channel.clone(),
                ))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        steps,
        [
            (
                SupportEvent::Article,
                Some("card-declined".into()),
                None,
                None,
                None
            ),
            (
                SupportEvent::GuideStep,
                None,
                Some("pay".into()),
                Some(2),
                None
            ),
            (
                SupportEvent::Escalated,
                Some("card-declined".into()),
                None,
                None,
                Some("email".into())
            ),
        ],
        "an unknown event is dropped"
    );
    // What the collector receives is what it stores.
    let batch = &a.host().sent.last().unwrap().0;
    batch.validate().unwrap();
}

#[test]
fn opting_out_forgets_the_support_history_too() {
    let mut a = agent(RULES);
    a.navigate("/");
    a.host_mut()
        .local
        .insert("lifeline:shop:support".into(), "history".into());
    a.host_mut()
        .session
        .insert("lifeline:shop:support-open".into(), "1".into());
    a.opt_out();
    assert!(!a.host().local.contains_key("lifeline:shop:support"));
    assert!(!a.host().session.contains_key("lifeline:shop:support-open"));
}
