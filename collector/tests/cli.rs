//! The command line: adding a site, rotating its token, checking a rules file, bad input.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_lifeline-collector");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn sites_are_added_once_and_their_tokens_rotate() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("data/db.sqlite").display());
    let add = run(&[
        "site",
        "add",
        "shop",
        "--origin",
        "https://shop.example/",
        "--database",
        &db,
    ]);
    assert!(add.status.success(), "{}", text(&add.stderr));
    let token = text(&add.stdout).trim().to_owned();
    assert_eq!(token.len(), 64, "the token, alone on stdout");

    let again = run(&[
        "site",
        "add",
        "shop",
        "--origin",
        "https://shop.example",
        "--database",
        &db,
    ]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("site shop exists already"));

    let hidden = run(&["site", "token", "shop", "--database", &db]);
    assert!(!hidden.status.success());
    assert!(text(&hidden.stderr).contains("--rotate"));
    let rotated = run(&["site", "token", "shop", "--rotate", "--database", &db]);
    assert!(rotated.status.success());
    assert_ne!(text(&rotated.stdout).trim(), token);
    let unknown = run(&["site", "token", "nope", "--rotate", "--database", &db]);
    assert!(text(&unknown.stderr).contains("no site nope"));

    // The shop opens a second storefront: its origins are replaced, all listed.
    let origins = run(&[
        "site",
        "origins",
        "shop",
        "--origin",
        "https://shop.example",
        "--origin",
        "https://EU.shop.example/",
        "--database",
        &db,
    ]);
    assert!(origins.status.success(), "{}", text(&origins.stderr));
    assert!(
        text(&origins.stderr).contains("https://shop.example, https://eu.shop.example"),
        "{}",
        text(&origins.stderr)
    );
    let store =
        lifeline_collector::store::Database::sqlite(&dir.path().join("data/db.sqlite"), None)
            .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let site = runtime
        .block_on(lifeline_collector::store::Store::site(&store, "shop"))
        .unwrap()
        .unwrap();
    assert_eq!(
        site.origins,
        ["https://shop.example", "https://eu.shop.example"]
    );
    store.close();
    for (args, says) in [
        (
            ["site", "origins", "nope", "--origin", "https://x.example"],
            "no site nope",
        ),
        (
            ["site", "origins", "shop", "--origin", "shop.example"],
            "bad origin",
        ),
    ] {
        let mut args = args.to_vec();
        args.extend(["--database", &db]);
        let out = run(&args);
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
    }

    // Refused before anything is stored: the name, the origin, the database URL.
    let add = |name: &str, origin: &str, database: &str| -> Vec<String> {
        [
            "site",
            "add",
            name,
            "--origin",
            origin,
            "--database",
            database,
        ]
        .map(str::to_owned)
        .to_vec()
    };
    for (args, says) in [
        (add("Bad Name", "https://x.example", &db), "bad site name"),
        (add("shop2", "shop.example", &db), "bad origin"),
        (
            add("shop2", "https://x.example", "mysql://x"),
            "unknown database URL",
        ),
        (
            add("shop2", "https://x.example", "postgres://x"),
            "PostgreSQL",
        ),
    ] {
        let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out.stderr).contains(says),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn rules_check_prints_every_problem_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, include_str!("../../shared/fixtures/shop.rules.json")).unwrap();
    let out = run(&["rules", "check", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stdout));

    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"version": 1, "signals": {"dead_clik": {}}, "limits": {"max_per_session": -1}}"#,
    )
    .unwrap();
    let out = run(&["rules", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("signals.dead_clik: unknown field"),
        "{stdout}"
    );
    assert!(stdout.contains("did you mean `dead_click`"), "{stdout}");
    assert!(stdout.contains("limits.max_per_session"), "{stdout}");

    // Valid but hard to read: a warning with the path and the contrast, and success.
    let pale = dir.path().join("pale.json");
    std::fs::write(
        &pale,
        r##"{"version": 1, "prompts": {"a": {"kind": "help", "text": {"title": "A"}, "theme": {"accent": "#93c5fd"}}}}"##,
    )
    .unwrap();
    let out = run(&["rules", "check", pale.to_str().unwrap()]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("warning: prompts.a.theme.accent: #93c5fd on the background #ffffff has a contrast of 1.8"),
        "{stdout}"
    );

    let out = run(&["rules", "check", "/nonexistent.json"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("/nonexistent.json"));
}

#[test]
fn rules_try_replays_recorded_sessions_and_says_what_would_show_and_why_not() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/");
    let rules = format!("{fixtures}shop.rules.json");
    let benign = [
        "browsing",
        "stepper",
        "carousel",
        "hub_and_spoke",
        "text_selection",
        "load_more",
    ];
    let struggling = [
        "struggling_checkout",
        "back_forward_bounce",
        "variant_quick_back",
    ];
    let sessions: Vec<String> = benign
        .iter()
        .chain(&struggling)
        .map(|f| format!("{fixtures}{f}.jsonl"))
        .collect();
    let mut args = vec!["rules", "try", rules.as_str()];
    args.extend(sessions.iter().map(String::as_str));
    let out = run(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // One block per session, in order.
    let blocks: Vec<&str> = stdout.split(fixtures).filter(|b| !b.is_empty()).collect();
    assert_eq!(blocks.len(), 9, "{stdout}");
    for (name, block) in benign.iter().zip(&blocks) {
        assert!(block.starts_with(name), "{block}");
        assert!(block.contains("no prompt would show"), "{name}: {block}");
        assert!(
            block.contains("promo-rage"),
            "every rule's verdict: {block}"
        );
    }
    let checkout = blocks[6];
    assert!(checkout.contains("signals rage_click"), "{checkout}");
    assert!(
        checkout.contains("SHOWS rule \"promo-rage\" shows help prompt \"promo_help\""),
        "{checkout}"
    );
    assert!(checkout.contains("rule \"checkout-chat\" passed over: nobody online"));
    assert!(checkout.contains("the visit had limits.max_per_session prompts"));
    for bounce in &blocks[7..] {
        assert!(bounce.contains("signals quick_back"), "{bounce}");
        assert!(bounce.contains("SHOWS rule \"shipping-loop\""), "{bounce}");
    }

    // A session file with a mistake: its line, and a failure.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"t\":0,\"event\":\"navigate\",\"path\":\"/\"}\n{\"t\":1,\"event\":\"clack\"}\n",
    )
    .unwrap();
    // With it, one that is missing and a good one: each problem named, the good one still
    // tried, and a failure at the end.
    let missing = dir.path().join("missing.jsonl");
    let out = run(&[
        "rules",
        "try",
        &rules,
        bad.to_str().unwrap(),
        missing.to_str().unwrap(),
        &sessions[0],
    ]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.jsonl: line 2, column 23: unknown variant `clack`"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("at line"),
        "serde's own position: {stderr}"
    );
    assert!(stderr.contains("missing.jsonl: "), "{stderr}");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("browsing.jsonl"), "{stdout}");
    assert!(stdout.contains("no prompt would show"), "{stdout}");
}
