//! Anything at the report endpoint: arbitrary JSON, near-valid batches with one value
//! changed, arbitrary bytes. The answer is always `202` or a 4xx in the JSON error shape;
//! never a 5xx, never a panic.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use lifeline_collector::Settings;
use proptest::prelude::*;
use serde_json::Value;

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "decision",
            "feedback",
            "help",
            "high",
            "rage_click",
            "/cart",
            "s:1",
            "",
            "é\u{0}",
        ])
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "session", "items", "key", "at", "page", "report", "type", "rule",
                        "prompt", "kind", "outcome", "band", "signals", "rating", "thumbs",
                        "comment", "x",
                    ]),
                    inner
                ),
                0..6
            )
            .prop_map(|fields| Value::Object(
                fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

/// A valid batch with one value somewhere replaced by an arbitrary one.
fn near_valid() -> impl Strategy<Value = Value> {
    (0usize..20, any_json()).prop_map(|(at, replacement)| {
        let mut v: Value = serde_json::from_str(&batch("s", 0, 2)).unwrap();
        let mut slots: Vec<&mut Value> = Vec::new();
        fn walk<'a>(v: &'a mut Value, out: &mut Vec<&'a mut Value>) {
            match v {
                Value::Object(m) => m.values_mut().for_each(|x| walk(x, out)),
                Value::Array(a) => a.iter_mut().for_each(|x| walk(x, out)),
                leaf => out.push(leaf),
            }
        }
        walk(&mut v, &mut slots);
        let n = slots.len();
        *slots.swap_remove(at % n) = replacement;
        v
    })
}

fn check(
    c: &Collector,
    runtime: &tokio::runtime::Runtime,
    body: Vec<u8>,
) -> Result<(), TestCaseError> {
    let r = runtime.block_on(
        c.send(
            axum::http::Request::post("/v1/sites/shop/reports")
                .body(axum::body::Body::from(body))
                .unwrap(),
        ),
    );
    let status = r.status();
    prop_assert!(
        status == StatusCode::ACCEPTED || status.is_client_error(),
        "answered {status}"
    );
    if status.is_client_error() {
        let v = runtime.block_on(json(r));
        prop_assert!(v["error"].is_string() && v["message"].is_string() && v["path"].is_string());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_body_gets_202_or_a_4xx(
        body in prop_oneof![
            any_json().prop_map(|v| v.to_string().into_bytes()),
            near_valid().prop_map(|v| v.to_string().into_bytes()),
            prop::collection::vec(any::<u8>(), 0..200),
        ]
    ) {
        thread_local! {
            static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Runtime::new().unwrap();
            static COLLECTOR: Collector = RUNTIME.with(|rt| {
                rt.block_on(Collector::new(Settings { reports_per_minute: 0, ..Settings::default() }))
            });
        }
        COLLECTOR.with(|c| RUNTIME.with(|rt| check(c, rt, body)))?;
    }
}
