//! Properties over random sessions: the score stays in [0, 1], the throttle is never
//! exceeded, and the engine is deterministic (also across a save and restore).

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use lifeline_shared::replay::{Player, Recorded};
use lifeline_shared::{CartChange, Decision, Outcome, Rules, Session, Signal};
use proptest::prelude::*;

fn rules(max_session: u32, max_page: u32, gap_s: u32, rule_max: u32) -> Arc<Rules> {
    let mut spec: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/shop.rules.json")).unwrap();
    spec["limits"] = serde_json::json!({"max_per_session": max_session, "max_per_page": max_page, "min_gap_s": gap_s});
    for rule in spec["rules"].as_array_mut().unwrap() {
        rule["limit"] = serde_json::json!({"max_per_session": rule_max});
    }
    Arc::new(Rules::from_json_str(&spec.to_string()).unwrap())
}

fn recorded() -> impl Strategy<Value = Recorded> {
    let key = prop::sample::select(vec![
        "promo-apply",
        "add-to-cart",
        "payment-form",
        "nav",
        "text",
    ]);
    let path = prop::sample::select(vec![
        "/",
        "/cart",
        "/checkout/shipping",
        "/checkout/payment",
        "/order/complete",
        "/account/cancel",
        "/product/1",
    ]);
    let signal = prop::sample::select(Signal::ALL.to_vec());
    prop_oneof![
        6 => (key.clone(), -20..20i32, -20..20i32, any::<[bool; 7]>(), prop::collection::vec(signal, 0..2)).prop_map(
            |(k, x, y, f, ignore)| Recorded::Click { key: k.into(), x, y, link: f[0], modifier: f[1], field: f[2], button: f[3], submits: f[6], select: f[4], media: f[5], ignore }
        ),
        3 => path.prop_map(|p| Recorded::Navigate { path: p.into() }),
        2 => key.clone().prop_map(|k| Recorded::Submit { key: k.into() }),
        1 => key.prop_map(|k| Recorded::Input { key: k.into() }),
        2 => Just(Recorded::DomChange),
        1 => Just(Recorded::Scroll),
        1 => Just(Recorded::Selection),
        1 => Just(Recorded::Focus),
        1 => any::<bool>().prop_map(|visible| Recorded::Visibility { visible }),
        1 => Just(Recorded::Error),
        1 => prop::sample::select(vec!["order-placed", "x"]).prop_map(|n| Recorded::Mark { name: n.into() }),
        1 => (any::<bool>(), prop::option::of(0.0..500.0f64)).prop_map(|(add, total)| Recorded::Cart {
            change: if add { CartChange::Add } else { CartChange::Remove }, total
        }),
        1 => Just(Recorded::ExitIntent),
        3 => Just(Recorded::Tick),
        1 => any::<bool>().prop_map(|agents_online| Recorded::Context { returning: false, tier: Some("gold".into()), device: None, agents_online }),
        2 => prop::sample::select(vec![Outcome::Dismissed, Outcome::Engaged, Outcome::Completed, Outcome::Ignored])
            .prop_map(|outcome| Recorded::Outcome { outcome }),
    ]
}

fn session_events() -> impl Strategy<Value = Vec<(u64, Recorded)>> {
    prop::collection::vec((0..20_000u64, recorded()), 1..300)
}

/// Plays events from time `t0`, adding to `decisions`; returns the score after each event.
fn run_on(
    p: &mut Player,
    t0: u64,
    events: &[(u64, Recorded)],
    decisions: &mut Vec<Decision>,
) -> Vec<f32> {
    let mut t = t0;
    events
        .iter()
        .map(|(dt, recorded)| {
            t += dt;
            decisions.extend(p.play(t, recorded));
            p.session().score()
        })
        .collect()
}

fn run(p: &mut Player, events: &[(u64, Recorded)]) -> (Vec<Decision>, Vec<f32>) {
    let mut decisions = Vec::new();
    let scores = run_on(p, 0, events, &mut decisions);
    (decisions, scores)
}

fn player(rules: &Arc<Rules>) -> Player {
    Player::new(Session::new(rules.clone(), "p", 0))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_score_and_values_stay_in_range(events in session_events()) {
        let (decisions, scores) = run(&mut player(&rules(5, 2, 0, 3)), &events);
        for x in scores {
            prop_assert!((0.0..=1.0).contains(&x), "score {x}");
        }
        for d in decisions {
            prop_assert!((0.0..=1.0).contains(&d.score) && (0.0..=1.0).contains(&d.value), "{d:?}");
        }
    }

    #[test]
    fn the_throttle_is_never_exceeded(
        events in session_events(),
        max_session in 0..6u32, max_page in 0..3u32, gap_s in 0..60u32, rule_max in 1..3u32,
    ) {
        let rules = rules(max_session, max_page, gap_s, rule_max);
        let (decisions, _) = run(&mut player(&rules), &events);
        prop_assert!(decisions.len() <= max_session as usize);
        for pair in decisions.windows(2) {
            prop_assert!(pair[1].at_ms - pair[0].at_ms >= u64::from(gap_s) * 1000);
        }
        for (i, _) in rules.rules.iter().enumerate() {
            let n = decisions.iter().filter(|d| d.rule as usize == i).count();
            prop_assert!(n <= rule_max as usize);
        }
        // Per page view: count decisions between navigations.
        let mut t = 0;
        let mut on_page = 0;
        let mut d = decisions.iter().peekable();
        for (dt, rec) in &events {
            t += dt;
            if matches!(rec, Recorded::Navigate { .. }) {
                on_page = 0;
            }
            while d.peek().is_some_and(|x| x.at_ms == t) {
                d.next();
                on_page += 1;
                prop_assert!(on_page <= max_page);
            }
        }
    }

    #[test]
    fn the_engine_is_deterministic_and_survives_save_and_restore(events in session_events(), cut in 0..300usize) {
        let rules = rules(5, 2, 10, 2);
        let mut a = player(&rules);
        let mut b = player(&rules);
        let (da, _) = run(&mut a, &events);
        let (db, _) = run(&mut b, &events);
        prop_assert_eq!(&da, &db);
        prop_assert_eq!(a.session().state(), b.session().state());

        // Saving at any point and going on from the saved state changes nothing.
        let cut = cut.min(events.len());
        let mut c = player(&rules);
        let (mut dc, _) = run(&mut c, &events[..cut]);
        let saved = serde_json::to_string(c.session().state()).unwrap();
        let restored = Session::restore(rules, serde_json::from_str(&saved).unwrap()).expect("fits");
        // The page knows which prompt is open (the last decision) across the reload.
        let mut c = Player::resume(restored, dc.last().copied());
        let t0: u64 = events[..cut].iter().map(|(dt, _)| dt).sum();
        run_on(&mut c, t0, &events[cut..], &mut dc);
        prop_assert_eq!(&dc, &da);
        prop_assert_eq!(c.session().state(), a.session().state());
    }

    #[test]
    fn corrupted_compiled_rules_are_refused_or_run_safely(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
        events in session_events(),
    ) {
        let compiled = rules(5, 2, 10, 2).to_compiled();
        let mut bytes: Vec<char> = compiled.chars().collect();
        for (i, b) in flips {
            let at = i.index(bytes.len());
            bytes[at] = char::from(b);
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        let text: String = bytes.into_iter().collect();
        if let Some(decoded) = Rules::from_compiled(&text) {
            let (_, scores) = run(&mut player(&Arc::new(decoded)), &events);
            prop_assert!(scores.iter().all(|x| (0.0..=1.0).contains(x)));
        }
    }

    #[test]
    fn any_json_is_read_without_panicking(text in "\\PC{0,200}") {
        let _ = Rules::from_json_str(&text);
    }
}

/// Guards the properties above against passing vacuously: random sessions do decide.
#[test]
fn random_sessions_do_produce_decisions() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let rules = rules(5, 2, 10, 2);
    let total: usize = (0..50)
        .map(|_| {
            let events = session_events().new_tree(&mut runner).unwrap().current();
            run(&mut player(&rules), &events).0.len()
        })
        .sum();
    assert!(total >= 25, "only {total} decisions in 50 random sessions");
}
