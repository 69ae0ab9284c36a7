//! Every branch of the verdict: negative or not, supported by the visit or not, potential
//! fraud, the diagnosis and its disclosure, and cost times value against the threshold.

use lifeline_shared::Checked;
use lifeline_shared::rules::spec::{Band, TaskState};
use lifeline_shared::signals::{Signal, SignalSet};
use lifeline_shared::wire::TaskSeen;

use super::*;

const RULES: &str = r#"{
  "version": 1,
  "scoring": {"value": {"tiers": {"standard": 0.3, "gold": 1.0}}},
  "tasks": [{"name": "checkout", "start": {"mark": "checkout-started"}, "complete": {"mark": "order-complete"}}],
  "feedback": {
    "negative_words": {"en": ["meh"]},
    "problems": [
      {"id": "card-declines", "title": "Card payments were declined by mistake",
       "message": "Our payment provider failed this afternoon; it is fixed.",
       "pages": [{"prefix": "/checkout/payment"}], "signals": ["repeated_action", "rage_click"],
       "keywords": ["card", "payment", "declined"], "disclose": true, "cost": 8},
      {"id": "late-delivery", "title": "Deliveries are late", "tasks": ["checkout"],
       "keywords": ["delivery", "late"], "cost": 3}
    ],
    "fraud": {"same_text_visits": 2},
    "compensation": {"threshold": 4, "coupon": {"kind": "amount", "value": 10, "currency": "EUR"}}
  }
}"#;

fn triage(json: &str) -> Triage {
    Checked::from_json_str(json)
        .unwrap_or_else(|e| panic!("{e}"))
        .triage
        .expect("a feedback section")
}

fn paid_in_vain() -> Evidence {
    Evidence {
        lang: "en".into(),
        seconds: 400,
        pages: 6,
        prompts: 1,
        answer_ms: 9000,
        band: Band::High,
        signals: SignalSet::only(Signal::RepeatedAction),
        here: SignalSet::only(Signal::RepeatedAction),
        tasks: vec![TaskSeen {
            task: "checkout".into(),
            state: TaskState::Active,
            seconds: 300,
        }],
    }
}

fn browsing() -> Evidence {
    Evidence {
        lang: "en".into(),
        seconds: 40,
        pages: 2,
        prompts: 1,
        answer_ms: 1200,
        band: Band::Low,
        signals: SignalSet::EMPTY,
        here: SignalSet::EMPTY,
        tasks: Vec::new(),
    }
}

fn feedback<'a>(comment: &'a str, rating: Option<u8>, e: Option<&'a Evidence>) -> Feedback<'a> {
    Feedback {
        page: "/checkout/payment",
        places: &[],
        rating,
        thumbs: None,
        comment: (!comment.is_empty()).then_some(comment),
        evidence: e,
    }
}

fn gold() -> Signed {
    Signed::Valid {
        tier: Some("gold".into()),
        id: Some("c-1".into()),
    }
}

#[test]
fn praise_is_thanked_and_nothing_else() {
    let t = triage(RULES);
    let e = paid_in_vain();
    let v = judge(
        &feedback("Lovely shop", Some(5), Some(&e)),
        &t,
        History::default(),
        &gold(),
    );
    assert_eq!(v.sentiment, Sentiment::Positive);
    assert!(v.valid && !v.fraud && v.problem.is_none() && v.worth.is_none());
    let thumbs = Feedback {
        thumbs: Some(true),
        ..feedback("", None, Some(&e))
    };
    assert_eq!(
        judge(&thumbs, &t, History::default(), &gold()).sentiment,
        Sentiment::Positive
    );
}

#[test]
fn negative_by_rating_thumbs_or_words_in_any_language() {
    let t = triage(RULES);
    let e = paid_in_vain();
    for (comment, rating, thumbs) in [
        ("", Some(1), None),
        ("", None, Some(false)),
        ("Die Zahlung wurde abgelehnt", None, None),
        ("Le paiement ne fonctionne pas", Some(3), None),
        ("meh", None, None),
    ] {
        let f = Feedback {
            thumbs,
            ..feedback(comment, rating, Some(&e))
        };
        assert_eq!(
            sentiment(&f, &t, &words::fold(comment)),
            Sentiment::Negative,
            "{comment}"
        );
    }
    let neutral = feedback("Found it in the end", Some(3), Some(&e));
    assert_eq!(
        sentiment(&neutral, &t, &words::fold("Found it in the end")),
        Sentiment::Neutral
    );
}

#[test]
fn a_supported_complaint_is_diagnosed_disclosed_and_worth_a_coupon_for_a_valued_visitor() {
    let t = triage(RULES);
    let e = paid_in_vain();
    let f = feedback("My card was declined three times!", Some(1), Some(&e));
    let v = judge(&f, &t, History::default(), &gold());
    assert_eq!(v.sentiment, Sentiment::Negative);
    assert!(v.valid && !v.fraud, "{v:?}");
    assert_eq!(v.problem, Some(0));
    assert!(v.disclose);
    assert_eq!(v.worth, Some(8.0));
    // The lowest tier, signed, unsigned or expired: 8 x 0.3 is under the threshold of 4.
    for signed in [
        Signed::Valid {
            tier: Some("standard".into()),
            id: None,
        },
        Signed::Unsigned,
        Signed::Expired,
    ] {
        let v = judge(&f, &t, History::default(), &signed);
        assert!(v.disclose && v.worth.is_none(), "{signed:?}: {v:?}");
    }
}

#[test]
fn a_problem_without_disclosure_is_diagnosed_not_told() {
    let t = triage(RULES);
    let e = paid_in_vain();
    let v = judge(
        &feedback("The delivery is late", Some(2), Some(&e)),
        &t,
        History::default(),
        &gold(),
    );
    assert_eq!(v.problem, Some(1));
    assert!(!v.disclose);
    // 3 x 1.0 is under 4.
    assert_eq!(v.worth, None);
}

#[test]
fn a_complaint_about_payment_from_a_visit_that_never_reached_it_is_not_supported() {
    let t = triage(RULES);
    let e = browsing();
    let f = Feedback {
        page: "/products/boots",
        ..feedback("Your card payment is broken", Some(1), Some(&e))
    };
    let v = judge(&f, &t, History::default(), &gold());
    assert!(!v.valid && !v.fraud, "{v:?}");
    assert!(
        v.reasons
            .contains(&Reason::Unsupported("card-declines".into())),
        "{v:?}"
    );
    assert_eq!((v.problem, v.disclose, v.worth), (None, false, None));
}

#[test]
fn a_problem_known_by_its_pages_only_is_never_held_against_a_visit() {
    let json = RULES.replace(
        r#""tasks": ["checkout"],
       "keywords": ["delivery", "late"], "cost": 3}"#,
        r#""pages": [{"prefix": "/shipping"}],
       "keywords": ["delivery", "late"], "cost": 3}"#,
    );
    let t = triage(&json);
    let e = Evidence {
        answer_ms: 8000,
        ..browsing()
    };
    let f = Feedback {
        page: "/cart",
        ..feedback("The delivery page keeps sending me back", Some(2), Some(&e))
    };
    let v = judge(&f, &t, History::default(), &gold());
    assert!(
        v.valid && v.reasons.is_empty() && v.problem.is_none(),
        "{v:?}"
    );
}

#[test]
fn a_quick_complaint_from_a_quiet_visit_is_not_supported() {
    let t = triage(RULES);
    let e = browsing();
    let v = judge(
        &feedback("", Some(1), Some(&e)),
        &t,
        History::default(),
        &gold(),
    );
    assert_eq!(v.reasons, vec![Reason::QuickAnswer]);
    assert!(!v.valid);
    let slow = Evidence {
        answer_ms: 8000,
        ..browsing()
    };
    assert!(
        judge(
            &feedback("", Some(1), Some(&slow)),
            &t,
            History::default(),
            &gold()
        )
        .valid
    );
}

#[test]
fn the_same_text_from_other_visitors_is_potential_fraud_never_compensated() {
    let t = triage(RULES);
    let e = paid_in_vain();
    let f = feedback("My card was declined three times!", Some(1), Some(&e));
    let history = History {
        same_text_visitors: 1,
        ..History::default()
    };
    let v = judge(&f, &t, history, &gold());
    assert!(v.fraud && v.reasons.contains(&Reason::SameText(2)), "{v:?}");
    assert_eq!((v.disclose, v.worth), (false, None));
}

#[test]
fn many_complaints_from_one_visitor_or_address_are_potential_fraud() {
    let t = triage(RULES);
    let e = paid_in_vain();
    let f = feedback("", Some(1), Some(&e));
    let v = judge(
        &f,
        &t,
        History {
            visitor_negatives_today: 3,
            ..History::default()
        },
        &gold(),
    );
    assert!(
        v.fraud && v.reasons.contains(&Reason::VisitorVolume(4)),
        "{v:?}"
    );
    let v = judge(
        &f,
        &t,
        History {
            address_negatives_today: 10,
            ..History::default()
        },
        &gold(),
    );
    assert!(
        v.fraud && v.reasons.contains(&Reason::AddressVolume(11)),
        "{v:?}"
    );
    let v = judge(
        &f,
        &t,
        History {
            visitor_negatives_today: 2,
            ..History::default()
        },
        &gold(),
    );
    assert!(!v.fraud);
}

#[test]
fn asking_for_a_coupon_the_visit_does_not_support_or_again_is_potential_fraud() {
    let t = triage(RULES);
    let quiet = browsing();
    let f = Feedback {
        page: "/",
        ..feedback(
            "Card payment broken, I want a voucher",
            Some(1),
            Some(&quiet),
        )
    };
    let v = judge(&f, &t, History::default(), &gold());
    assert!(
        v.fraud && v.reasons.contains(&Reason::CouponPattern),
        "{v:?}"
    );
    let e = paid_in_vain();
    let again = feedback("Card declined again, give me a discount", Some(1), Some(&e));
    let v = judge(
        &again,
        &t,
        History {
            coupon_recently: true,
            ..History::default()
        },
        &gold(),
    );
    assert!(v.fraud && v.reasons.contains(&Reason::CouponAgain), "{v:?}");
    assert!(!judge(&again, &t, History::default(), &gold()).fraud);
}

#[test]
fn a_bad_signature_is_potential_fraud_even_on_praise() {
    let t = triage(RULES);
    let e = paid_in_vain();
    let v = judge(
        &feedback("", Some(5), Some(&e)),
        &t,
        History::default(),
        &Signed::Bad,
    );
    assert!(v.fraud && v.reasons == vec![Reason::BadSignature]);
    let v = judge(
        &feedback("Card declined", Some(1), Some(&e)),
        &t,
        History::default(),
        &Signed::Bad,
    );
    assert!(v.fraud && v.worth.is_none());
}

#[test]
fn without_evidence_a_named_problem_is_noted_never_compensated() {
    let t = triage(RULES);
    let v = judge(
        &feedback("My card was declined", Some(1), None),
        &t,
        History::default(),
        &gold(),
    );
    assert_eq!((v.problem, v.worth), (Some(0), None));
}

#[test]
fn without_compensation_rules_nothing_is_worth_a_coupon() {
    let json = RULES.replace(
        r#""compensation": {"threshold": 4, "coupon": {"kind": "amount", "value": 10, "currency": "EUR"}}"#,
        r#""quick_answer_s": 3"#,
    );
    let t = triage(&json);
    let e = paid_in_vain();
    let v = judge(
        &feedback("Card declined", Some(1), Some(&e)),
        &t,
        History::default(),
        &gold(),
    );
    assert!(v.disclose && v.worth.is_none());
}

#[test]
fn value_by_signed_tier_lowest_otherwise_and_one_without_tiers() {
    let t = triage(RULES);
    let near = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(near(value(&t, &gold()), 1.0));
    assert!(near(value(&t, &Signed::Unsigned), 0.3));
    assert!(near(
        value(
            &t,
            &Signed::Valid {
                tier: Some("platinum".into()),
                id: None
            }
        ),
        0.3
    ));
    let none = triage(r#"{"version": 1, "feedback": {}}"#);
    assert!(near(value(&none, &Signed::Unsigned), 1.0));
}
