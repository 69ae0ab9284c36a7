//! Every route and every way a request can be refused, in memory over a real SQLite file.

#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use lifeline_collector::Settings;
use lifeline_shared::Rules;

fn get(uri: &str) -> Request<Body> {
    with(Request::get(uri), &[])
}

/// A request with these headers and no body.
fn with(request: axum::http::request::Builder, headers: &[(&str, &str)]) -> Request<Body> {
    headers
        .iter()
        .fold(request, |r, (name, value)| r.header(*name, *value))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn health_and_the_agents_files_with_compression_etags_and_caching() {
    let c = Collector::new(Settings::default()).await;
    let r = c.send(get("/healthz")).await;
    assert_eq!(r.status(), StatusCode::OK);

    let r = c
        .send(with(
            Request::get("/agent.js"),
            &[("accept-encoding", "gzip, deflate, br")],
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    assert_eq!(h["content-encoding"], "br");
    assert_eq!(h["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(h["vary"], "Accept-Encoding");
    assert!(h["cache-control"].to_str().unwrap().contains("max-age=300"));
    let compressed = bytes(r).await;
    assert!(
        compressed.len() < 3200 / 4,
        "brotli: {} bytes",
        compressed.len()
    );

    let etag = h["etag"].to_str().unwrap().to_owned();
    let r = c
        .send(with(
            Request::get("/agent.js"),
            &[("accept-encoding", "br"), ("if-none-match", &etag)],
        ))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);

    let r = c
        .send(with(
            Request::get("/agent.js"),
            &[("accept-encoding", "gzip")],
        ))
        .await;
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_ne!(
        r.headers()["etag"].to_str().unwrap(),
        etag,
        "one ETag per encoding"
    );

    let r = c.send(get("/agent.js")).await;
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(bytes(r).await.len(), 3200);

    let r = c.send(get("/agent-0123456789abcdef.wasm")).await;
    assert_eq!(r.headers()["content-type"], "application/wasm");
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        c.send(get("/nope.js")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn rules_are_served_compiled_with_etags_and_only_to_the_sites_origins() {
    let c = Collector::new(Settings::default()).await;
    let (code, _) = error(
        c.send(get("/v1/sites/nope/rules")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(code, "unknown_site");
    let (code, _) = error(
        c.send(get("/v1/sites/shop/rules")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(code, "no_rules");

    c.put_rules(RULES).await;
    let r = rules_for_the_page(&c).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let compiled = String::from_utf8(bytes(r).await).unwrap();
    assert_eq!(
        Rules::from_compiled(&compiled),
        Some(Rules::from_json_str(RULES).unwrap()),
        "the agent decodes exactly the checked rules"
    );

    let r = c
        .send(with(
            Request::get("/v1/sites/shop/rules"),
            &[("origin", ORIGIN), ("if-none-match", &etag)],
        ))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);

    let r = c
        .send(with(
            Request::get("/v1/sites/shop/rules"),
            &[("origin", "https://evil.example")],
        ))
        .await;
    // The refusal, never the rules, is readable there: the agent tells the site owner the fix.
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://evil.example"
    );
    let (code, _) = error(r, StatusCode::FORBIDDEN).await;
    assert_eq!(code, "origin_not_allowed");

    // A script that sends If-None-Match itself makes the browser ask first (the agent leaves
    // revalidation to the browser's cache, which needs no preflight).
    let r = c
        .send(with(
            Request::options("/v1/sites/shop/rules"),
            &[
                ("origin", ORIGIN),
                ("access-control-request-headers", "if-none-match"),
            ],
        ))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    assert!(
        r.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("If-None-Match")
    );
}

#[tokio::test]
async fn rules_compiled_by_an_older_collector_are_compiled_again_when_served() {
    // This build's agent could not decode them: they are compiled again from their JSON,
    // with an ETag of their own.
    use lifeline_collector::store::Store as _;
    let c = Collector::new(Settings::default()).await;
    c.store
        .put_rules("shop", RULES.to_owned(), "\u{1}old form".to_owned())
        .await
        .unwrap();
    let stale = c.store.rules("shop", None).await.unwrap().unwrap().etag;
    let r = rules_for_the_page(&c).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_ne!(r.headers()["etag"].to_str().unwrap(), stale);
    let compiled = String::from_utf8(bytes(r).await).unwrap();
    assert_eq!(
        Rules::from_compiled(&compiled),
        Some(Rules::from_json_str(RULES).unwrap())
    );
}

#[tokio::test]
async fn a_batch_is_stored_once_however_often_it_is_sent() {
    let c = Collector::new(Settings::default()).await;
    let r = c.post_reports(&batch("s1", 0, 3)).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    assert_eq!(
        json(r).await,
        serde_json::json!({"stored": 3, "duplicates": 0, "refused": []})
    );
    // A retry after a lost answer, overlapping a new report.
    let r = c.post_reports(&batch("s1", 1, 3)).await;
    assert_eq!(
        json(r).await,
        serde_json::json!({"stored": 1, "duplicates": 2, "refused": []})
    );
    let page = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/decisions", ""))
            .await,
    )
    .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn malformed_reports_are_refused_with_what_and_where() {
    let c = Collector::new(Settings::default()).await;
    let cases: Vec<(String, StatusCode, &str, &str)> = vec![
        ("not json".into(), StatusCode::BAD_REQUEST, "bad_json", ""),
        (
            r#"{"session": "s", "session": "t", "items": []}"#.into(),
            StatusCode::BAD_REQUEST,
            "bad_json",
            "",
        ),
        (
            // Serde reads a tagged report whole, so the path ends at the report; the
            // message names the bad value.
            batch("s", 0, 1).replace("\"help\"", "\"popup\""),
            StatusCode::BAD_REQUEST,
            "bad_json",
            "items[0].report",
        ),
        (
            batch("s", 0, 1).replace("\"page\"", "\"x\":1,\"page\""),
            StatusCode::BAD_REQUEST,
            "bad_json",
            "items[0].x",
        ),
        (
            batch("s", 0, 1).replace("\"/cart\"", "\"cart\""),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "items[0].page",
        ),
        (
            batch("s", 0, 51),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "items",
        ),
        (
            format!("{} trailing", batch("s", 0, 1)),
            StatusCode::BAD_REQUEST,
            "bad_json",
            "",
        ),
    ];
    for (body, status, code, path) in cases {
        let (got_code, got_path) = error(c.post_reports(&body).await, status).await;
        assert_eq!(
            (got_code.as_str(), got_path.as_str()),
            (code, path),
            "{body}"
        );
    }
    let huge = format!(
        "{{\"session\": \"s\", \"items\": [], \"x\": \"{}\"}}",
        "a".repeat(70_000)
    );
    let (code, _) = error(c.post_reports(&huge).await, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(code, "too_large");
    // One spoiled report beside good ones: the good are stored, the spoiled named.
    // (Found by `make fuzz`: the page's storage can hold anything, and the whole batch
    // used to be refused, again and again, good reports and all.)
    let mixed = batch("m", 0, 3).replacen("\"/cart\"", "\"cart\"", 1);
    let r = c.post_reports(&mixed).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let v = json(r).await;
    assert_eq!(
        (v["stored"].as_u64(), v["refused"][0]["path"].as_str()),
        (Some(2), Some("items[0].page")),
        "{v}"
    );
    // A long bad value is quoted clipped, not copied whole into the answer.
    let long = batch("s", 0, 1).replace("\"help\"", &format!("\"{}\"", "p".repeat(40_000)));
    let r = c.post_reports(&long).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let answer = bytes(r).await;
    assert!(answer.len() < 1_000, "{} bytes of answer", answer.len());

    let r = c
        .send(
            Request::post("/v1/sites/nope/reports")
                .body(Body::from(batch("s", 0, 1)))
                .unwrap(),
        )
        .await;
    assert_eq!(error(r, StatusCode::NOT_FOUND).await.0, "unknown_site");
    let r = c
        .send(
            Request::post("/v1/sites/shop/reports")
                .header("origin", "https://evil.example")
                .body(Body::from(batch("s", 0, 1)))
                .unwrap(),
        )
        .await;
    assert_eq!(
        error(r, StatusCode::FORBIDDEN).await.0,
        "origin_not_allowed"
    );
    // Nothing refused was stored: only the two good reports of the mixed batch.
    let page = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/decisions", ""))
            .await,
    )
    .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_client_over_its_rate_waits() {
    let c = Collector::new(Settings {
        reports_per_minute: 60,
        reports_burst: 2,
        ..Settings::default()
    })
    .await;
    for i in 0..2 {
        assert_eq!(
            c.post_reports(&batch("s", i, 1)).await.status(),
            StatusCode::ACCEPTED
        );
    }
    let r = c.post_reports(&batch("s", 9, 1)).await;
    assert_eq!(r.headers()["retry-after"], "1");
    assert_eq!(
        error(r, StatusCode::TOO_MANY_REQUESTS).await.0,
        "rate_limited"
    );
}

#[tokio::test]
async fn admin_routes_need_the_sites_token() {
    let c = Collector::new(Settings::default()).await;
    for (method, uri) in [
        ("GET", "/v1/admin/sites/shop/rules"),
        ("PUT", "/v1/admin/sites/shop/rules"),
        ("POST", "/v1/admin/sites/shop/rules/versions/1/activate"),
        ("GET", "/v1/admin/sites/shop/decisions"),
        ("GET", "/v1/admin/sites/shop/feedback"),
        ("GET", "/v1/admin/sites/shop/stats"),
    ] {
        let r = c
            .send(
                Request::builder()
                    .method(method)
                    .uri(uri)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        assert_eq!(
            error(r, StatusCode::UNAUTHORIZED).await.0,
            "missing_token",
            "{uri}"
        );
        let r = c
            .send(
                Request::builder()
                    .method(method)
                    .uri(uri)
                    .header("authorization", format!("Bearer {}x", c.token))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(
            error(r, StatusCode::UNAUTHORIZED).await.0,
            "wrong_token",
            "{uri}"
        );
    }
    // Whether a site exists is not told to whoever has no token of it.
    let r = c
        .send(c.admin("GET", "/v1/admin/sites/other/rules", ""))
        .await;
    assert_eq!(error(r, StatusCode::UNAUTHORIZED).await.0, "wrong_token");
    // The scheme in any case (RFC 9110).
    let lower = Request::get("/v1/admin/sites/shop/rules")
        .header("authorization", format!("bearer {}", c.token))
        .body(Body::empty())
        .unwrap();
    assert_ne!(c.send(lower).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_address_guessing_tokens_waits_and_so_does_its_right_token() {
    let c = Collector::new(Settings::default()).await;
    let guess = |n: usize| {
        Request::get("/v1/admin/sites/shop/stats")
            .header("authorization", format!("Bearer guess{n}"))
            .body(Body::empty())
            .unwrap()
    };
    for n in 0..lifeline_collector::routes::guard::WRONG_TOKENS as usize {
        assert_eq!(c.send(guess(n)).await.status(), StatusCode::UNAUTHORIZED);
    }
    let r = c.send(guess(99)).await;
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(
        error(r, StatusCode::TOO_MANY_REQUESTS).await.0,
        "rate_limited"
    );
    let r = c
        .send(c.admin("GET", "/v1/admin/sites/shop/stats", ""))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "not even the right one, for now"
    );
    // Pages are not held up by it.
    assert_eq!(
        c.post_reports(&batch("p", 0, 1)).await.status(),
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn rules_keep_every_version_refuse_bad_files_with_paths_and_roll_back() {
    let c = Collector::new(Settings::default()).await;
    let bad = RULES.replace("\"rage_click\"", "\"rage_clik\"").replace(
        "\"version\": 1,",
        "\"version\": 1, \"limits\": {\"max_per_session\": -1},",
    );
    let r = c
        .send(c.admin("PUT", "/v1/admin/sites/shop/rules", bad))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v = json(r).await;
    assert_eq!(v["error"], "invalid_rules");
    let paths: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["rules[0].when.signals.any[0]", "limits.max_per_session"],
        "{v}"
    );
    let dangling = RULES.replace("\"prompt\": \"promo_help\"", "\"prompt\": \"nope\"");
    let r = c
        .send(c.admin("PUT", "/v1/admin/sites/shop/rules", dangling))
        .await;
    assert_eq!(
        error(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        ("invalid_rules".into(), "rules[0].then.prompt".into())
    );
    let r = c
        .send(c.admin("PUT", "/v1/admin/sites/shop/rules", "{"))
        .await;
    assert_eq!(
        error(r, StatusCode::UNPROCESSABLE_ENTITY).await.0,
        "invalid_rules"
    );

    let v = c.put_rules(RULES).await;
    assert_eq!(
        (
            v["version"].as_u64(),
            v["warnings"].as_array().map(Vec::len)
        ),
        (Some(1), Some(0)),
        "{v}"
    );
    // Stored, and told what is hard to read.
    let pale = RULES.replacen(
        "\"version\": 1,",
        "\"version\": 1, \"theme\": {\"text\": \"#999999\"},",
        1,
    );
    let v = c.put_rules(&pale).await;
    assert_eq!(v["version"], 2, "{v}");
    assert_eq!(v["warnings"][0]["path"], "theme.text", "{v}");
    assert!(
        v["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("4.5:1"),
        "{v}"
    );
    let r = c
        .send(c.admin("POST", "/v1/admin/sites/shop/rules/versions/1/activate", ""))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let second = RULES.replace("Trouble with", "Problems with");
    assert_eq!(c.put_rules(&second).await["version"], 3);
    let v = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/rules", ""))
            .await,
    )
    .await;
    assert_eq!(
        (v["active"].as_u64(), v["version"].as_u64()),
        (Some(3), Some(3)),
        "{v}"
    );
    assert_eq!(v["versions"].as_array().unwrap().len(), 3);
    assert_eq!(
        v["rules"]["prompts"]["promo_help"]["text"]["title"],
        "Problems with your promo code?"
    );
    let etag2 = served_etag(&c).await;

    let r = c
        .send(c.admin("POST", "/v1/admin/sites/shop/rules/versions/1/activate", ""))
        .await;
    assert_eq!(json(r).await["active"], 1);
    let etag1 = served_etag(&c).await;
    assert_ne!(etag1, etag2, "the rollback is served");
    let v = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/rules?version=3", ""))
            .await,
    )
    .await;
    assert_eq!(
        (v["active"].as_u64(), v["version"].as_u64()),
        (Some(1), Some(3))
    );

    let r = c
        .send(c.admin("POST", "/v1/admin/sites/shop/rules/versions/9/activate", ""))
        .await;
    assert_eq!(error(r, StatusCode::NOT_FOUND).await.0, "unknown_version");
    let r = c
        .send(c.admin("POST", "/v1/admin/sites/shop/rules/versions/x/activate", ""))
        .await;
    assert_eq!(error(r, StatusCode::BAD_REQUEST).await.0, "bad_query");
    let r = c
        .send(c.admin("PUT", "/v1/admin/sites/shop/rules", "x".repeat(300_000)))
        .await;
    assert_eq!(error(r, StatusCode::PAYLOAD_TOO_LARGE).await.0, "too_large");
}

/// The served rules, as a page of the site asks for them.
async fn rules_for_the_page(c: &Collector) -> axum::http::Response<Body> {
    c.send(with(
        Request::get("/v1/sites/shop/rules"),
        &[("origin", ORIGIN)],
    ))
    .await
}

async fn served_etag(c: &Collector) -> String {
    let r = c.send(get("/v1/sites/shop/rules")).await;
    r.headers()["etag"].to_str().unwrap().to_owned()
}

async fn seed(c: &Collector) {
    let feedback = serde_json::json!({"session": "s2", "items": [
        {"key": "s2:1", "at": 1, "page": "/checkout", "report": {"type": "decision", "rule": "loop",
         "prompt": "ask", "kind": "feedback", "outcome": null, "band": "medium", "signals": ["page_loop"]}},
        {"key": "s2:2", "at": 2, "page": "/checkout", "report": {"type": "feedback", "rule": "loop",
         "prompt": "ask", "rating": 2, "thumbs": null, "comment": "=cmd, \"quoted\"\nline two"}},
        {"key": "s2:3", "at": 3, "page": "/checkout", "report": {"type": "decision", "rule": "loop",
         "prompt": "ask", "kind": "feedback", "outcome": "completed", "band": "medium", "signals": ["page_loop"]}},
        {"key": "s2:4", "at": 4, "page": "/cart", "report": {"type": "decision", "rule": "promo-rage",
         "prompt": "promo_help", "kind": "help", "outcome": "dismissed", "band": "high", "signals": ["rage_click"]}},
        {"key": "s2:5", "at": 5, "page": "/cart", "report": {"type": "feedback", "rule": "promo-rage",
         "prompt": "promo_help", "rating": 4, "thumbs": null, "comment": null}}
    ]});
    assert_eq!(
        c.post_reports(&batch("s1", 0, 7)).await.status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(
        c.post_reports(&feedback.to_string()).await.status(),
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn decisions_and_feedback_are_listed_with_filters_pages_and_csv() {
    let c = Collector::new(Settings::default()).await;
    seed(&c).await;

    // Pages of 3, newest first, until `next` is null.
    let mut keys = Vec::new();
    let mut uri = "/v1/admin/sites/shop/decisions?limit=3".to_owned();
    loop {
        let v = json(c.send(c.admin("GET", &uri, "")).await).await;
        let items = v["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        keys.extend(items.iter().map(|i| i["key"].as_str().unwrap().to_owned()));
        match v["next"].as_str() {
            Some(next) => uri = format!("/v1/admin/sites/shop/decisions?limit=3&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(keys.len(), 10);
    assert_eq!(keys.first().map(String::as_str), Some("s2:4"));

    let v = json(
        c.send(c.admin(
            "GET",
            "/v1/admin/sites/shop/decisions?rule=loop&kind=feedback",
            "",
        ))
        .await,
    )
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let v = json(
        c.send(c.admin(
            "GET",
            "/v1/admin/sites/shop/decisions?page=%2Fcart&rule=promo-rage",
            "",
        ))
        .await,
    )
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 8);
    let v = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/decisions?from=1&to=2", ""))
            .await,
    )
    .await;
    assert_eq!(
        v["items"].as_array().unwrap().len(),
        0,
        "received long after"
    );

    let v = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/feedback", ""))
            .await,
    )
    .await;
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["comment"], "=cmd, \"quoted\"\nline two");
    assert_eq!(items[1]["rating"], 2);

    let r = c
        .send(c.admin("GET", "/v1/admin/sites/shop/feedback?format=csv", ""))
        .await;
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = String::from_utf8(bytes(r).await).unwrap();
    assert!(csv.starts_with("id,received,at,session,page,rule,prompt,rating,thumbs,comment\r\n"));
    assert!(
        csv.contains(",2,,\"'=cmd, \"\"quoted\"\"\nline two\"\r\n"),
        "{csv}"
    );
    assert_eq!(csv.matches("\r\n").count(), 3);

    for (query, name) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("from=yesterday", "from"),
        ("kind=popup", "kind"),
        ("format=xml", "format"),
        ("cursor=-1", "cursor"),
        ("rules=loop", "rules"),
    ] {
        let r = c
            .send(c.admin(
                "GET",
                &format!("/v1/admin/sites/shop/decisions?{query}"),
                "",
            ))
            .await;
        let (code, path) = error(r, StatusCode::BAD_REQUEST).await;
        assert_eq!((code.as_str(), path.as_str()), ("bad_query", name));
    }
}

#[tokio::test]
async fn stats_count_each_rule_and_page() {
    let c = Collector::new(Settings::default()).await;
    seed(&c).await;
    let v = json(
        c.send(c.admin("GET", "/v1/admin/sites/shop/stats", ""))
            .await,
    )
    .await;
    let rule = |name: &str| {
        v["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap()
            .clone()
    };
    let rage = rule("promo-rage");
    assert_eq!(
        (
            rage["shown"].as_u64(),
            rage["dismissed"].as_u64(),
            rage["feedback"].as_u64()
        ),
        (Some(7), Some(1), Some(1))
    );
    assert_eq!(rage["average_rating"], 4.0);
    let looped = rule("loop");
    assert_eq!(
        (
            looped["shown"].as_u64(),
            looped["completed"].as_u64(),
            looped["feedback"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    let pages: Vec<&str> = v["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(pages, ["/cart", "/checkout"]);
}

#[tokio::test]
async fn stats_answer_for_rules_and_pages_with_only_some_outcomes() {
    // Only "shown" decisions: every outcome column is empty for this rule and page.
    let c = Collector::new(Settings::default()).await;
    c.post_reports(&batch("s", 0, 3)).await;
    let r = c
        .send(c.admin("GET", "/v1/admin/sites/shop/stats", ""))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v = json(r).await;
    let rage = &v["rules"][0];
    assert_eq!(rage["name"], "promo-rage");
    for (field, want) in [
        ("shown", 3),
        ("dismissed", 0),
        ("engaged", 0),
        ("completed", 0),
        ("ignored", 0),
        ("feedback", 0),
    ] {
        assert_eq!(rage[field].as_u64(), Some(want), "{field}");
    }
    assert!(rage["average_rating"].is_null());
    assert_eq!(v["pages"][0]["name"], "/cart");
}

#[tokio::test]
async fn metrics_count_requests_refusals_and_commits() {
    let c = Collector::new(Settings::default()).await;
    c.post_reports(&batch("s", 0, 2)).await;
    c.post_reports("nope").await;
    let text = String::from_utf8(bytes(c.send(get("/metrics")).await).await).unwrap();
    for line in [
        "lifeline_requests_total{route=\"reports\"} 2",
        "lifeline_rejected_total{reason=\"bad_json\"} 1",
        "lifeline_reports_stored_total 2",
        "lifeline_writer_queue_depth 0",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    let commits = text
        .lines()
        .find_map(|l| l.strip_prefix("lifeline_batch_commit_seconds_count "))
        .unwrap();
    assert!(
        commits.parse::<u64>().unwrap() >= 2,
        "site add and the batch: {commits}"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_shape() {
    let c = Collector::new(Settings::default()).await;
    let (code, _) = error(c.send(get("/v1/nope")).await, StatusCode::NOT_FOUND).await;
    assert_eq!(code, "not_found");
    let r = c
        .send(
            Request::delete("/v1/sites/shop/reports")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        error(r, StatusCode::METHOD_NOT_ALLOWED).await.0,
        "method_not_allowed"
    );
}

#[tokio::test]
async fn charts_count_prompts_use_and_feedback_per_rule_by_the_hour_zero_where_none() {
    use lifeline_collector::store::Store;
    let c = Collector::new(Settings::default()).await;
    let hour = 3_600_000u64;
    let t0 = 1_700_000_000_000u64 / hour * hour;
    let report = |key: &str, rule: &str, outcome: Option<&str>| {
        serde_json::json!({"key": key, "at": 1, "page": "/cart", "report": {"type": "decision",
            "rule": rule, "prompt": "p", "kind": "help", "outcome": outcome, "band": "high",
            "signals": ["rage_click"]}})
    };
    for (n, (received, items)) in [
        (
            t0 + 10,
            vec![
                report("a", "promo", None),
                report("b", "promo", Some("engaged")),
            ],
        ),
        (
            t0 + 2 * hour + 5,
            vec![report("c", "promo", None), report("d", "ship", None)],
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let batch = serde_json::json!({"session": format!("s{n}"), "items": items});
        let batch = serde_json::from_value(batch).unwrap();
        c.store.ingest("shop", batch, received).await.unwrap();
    }
    let uri = format!(
        "/v1/admin/sites/shop/series?bucket=hour&from={t0}&to={}",
        t0 + 3 * hour
    );
    let r = c.send(c.admin("GET", &uri, Body::empty())).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v = json(r).await;
    assert_eq!(v["at"], serde_json::json!([t0, t0 + hour, t0 + 2 * hour]));
    assert_eq!(v["lines"][0]["name"], "promo", "the busiest first");
    assert_eq!(v["lines"][0]["shown"], serde_json::json!([1, 0, 1]));
    assert_eq!(v["lines"][0]["engaged"], serde_json::json!([1, 0, 0]));
    assert_eq!(v["lines"][1]["shown"], serde_json::json!([0, 0, 1]));
    // Too many points for a chart: said, with what to do.
    let uri = format!("/v1/admin/sites/shop/series?bucket=hour&from=0&to={t0}");
    let (code, at) = error(
        c.send(c.admin("GET", &uri, Body::empty())).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!((code.as_str(), at.as_str()), ("bad_query", "from"));
}

#[tokio::test]
async fn filters_beyond_what_the_database_holds_or_given_twice_are_refused() {
    let c = Collector::new(Settings::default()).await;
    for uri in [
        "/v1/admin/sites/shop/decisions?to=9223372036854775808",
        "/v1/admin/sites/shop/feedback?from=18446744073709551615",
        "/v1/admin/sites/shop/stats?from=-1",
        "/v1/admin/sites/shop/coupons?to=9223372036854775808",
        "/v1/admin/sites/shop/triage?from=99999999999999999999",
    ] {
        let r = c.send(c.admin("GET", uri, "")).await;
        assert_eq!(
            error(r, StatusCode::BAD_REQUEST).await.0,
            "bad_query",
            "{uri}"
        );
    }
    for uri in [
        "/v1/admin/sites/shop/decisions?rule=a&rule=b",
        "/v1/admin/sites/shop/coupons?state=active&state=revoked",
        "/v1/admin/sites/shop/rules?version=1&version=2",
    ] {
        let r = c.send(c.admin("GET", uri, "")).await;
        let (code, path) = error(r, StatusCode::BAD_REQUEST).await;
        assert_eq!(code, "bad_query", "{uri}");
        assert!(!path.is_empty(), "the parameter is named: {uri}");
    }
    let r = c
        .send(c.admin(
            "GET",
            "/v1/admin/sites/shop/decisions?to=9223372036854775807",
            "",
        ))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the largest time the database holds"
    );
}

#[tokio::test]
async fn a_request_framed_two_ways_is_refused_before_any_route() {
    let c = Collector::new(Settings::default()).await;
    let r = c
        .send(
            Request::post("/v1/sites/shop/reports")
                .header("origin", ORIGIN)
                .header("content-length", "5")
                .header("transfer-encoding", "chunked")
                .body(Body::from("0\r\n\r\n"))
                .unwrap(),
        )
        .await;
    assert_eq!(error(r, StatusCode::BAD_REQUEST).await.0, "bad_request");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_visitor_has_their_own_rate() {
    let c = Collector::new(Settings {
        reports_per_minute: 60,
        reports_burst: 2,
        // In memory, every request comes from 0.0.0.0: here, the proxy.
        trusted_proxies: lifeline_collector::proxy::TrustedProxies::parse("0.0.0.0").unwrap(),
        ..Settings::default()
    })
    .await;
    let from = |visitor: &str, n: usize| {
        Request::post("/v1/sites/shop/reports")
            .header("origin", ORIGIN)
            .header("x-forwarded-for", visitor)
            .body(Body::from(batch(visitor, n, 1)))
            .unwrap()
    };
    for n in 0..2 {
        assert_eq!(
            c.send(from("203.0.113.1", n)).await.status(),
            StatusCode::ACCEPTED
        );
    }
    let r = c.send(from("203.0.113.1", 2)).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        c.send(from("203.0.113.2", 0)).await.status(),
        StatusCode::ACCEPTED,
        "another visitor through the same proxy"
    );
}
