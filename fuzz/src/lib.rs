//! Lifeline's fuzz targets: what a site owner, a page, another script or a recording can
//! hand the engine, fed as arbitrary bytes. Each target panics only on a broken promise:
//!
//! - [`rules_check`]: rules JSON read and checked; what the checker accepts, the agent's
//!   decoder accepts and reads as the same rules.
//! - [`compiled_rules`]: compiled rules as served (or tampered with); what decodes, encodes
//!   and decodes again the same, and no NaN lets a rule through.
//! - [`visit_state`]: stored visit state restored over the shop's rules, then a recorded
//!   visit played on it.
//! - [`agent_storage`]: what the agent finds in the page's storage (its visit, profile and
//!   outbox, as another script or an older build left them), then a visit through the
//!   agent and everything it holds sent: the collector keeps every good report of it.
//! - [`replay_lines`]: recorded sessions (`rules try`'s input) replayed.
//! - [`report_batch`]: a report batch as a page posts it; a valid one, written by the
//!   agent's hand-made JSON, is read back by serde (the collector) exactly.
//! - [`page_match`]: a glob and a path; the matching work stays within its budget.
//! - [`support_content`]: support content as served (or tampered with): what decodes,
//!   encodes and decodes the same, and a session is planned and searched over it for
//!   any stored history (also fuzzed) without panic.
//! - [`admin_query`]: the admin API's query string; what it accepts lists and counts, over
//!   a real SQLite store, exactly the reports a plain filter over all of them picks.
//! - [`feedback_triage`]: a feedback's evidence (JSON as a page posts it), its comment and
//!   the signed attributes beside it, judged under the demo shop's `feedback` rules:
//!   attributes signed with the secret verify, any change to them or another secret is
//!   refused, and no verdict is both potential fraud (or unsupported, or praise) and worth
//!   a coupon.
//!
//! - [`chat_frame`]: a chat frame from either side, read and checked against the demo's
//!   offers: refused with a known code and a short message, or a request whose every text
//!   is bounded, whose phone number has 6 to 20 digits and whose product link stays on the
//!   site; offers and products only from staff, cards taken up and calls only by visitors.
//!
//! `make fuzz` runs each through cargo fuzz (libFuzzer, nightly, overflow checks on);
//! `make test` replays every corpus under `fuzz/corpus/` through these same functions.

use std::sync::{Arc, OnceLock};

use lifeline_agent::{Agent, Config, MemoryHost};
use lifeline_collector::ApiError;
use lifeline_collector::routes::filters;
use lifeline_collector::store::Database;
use lifeline_collector::store::{ReportFilter, ReportType, Site, Store, StoredReport, Tally};
use lifeline_shared::page::{MAX_PATH_LEN, Matcher};
use lifeline_shared::replay::{self, Player};
use lifeline_shared::rules::spec::Device;
use lifeline_shared::session::SessionState;
use lifeline_shared::wire::ReportBatch;
use lifeline_shared::{Checked, Event, Rules, Session, codec};

/// The demo shop's rules, the background for state and recordings.
fn shop_rules() -> Arc<Rules> {
    static RULES: OnceLock<Arc<Rules>> = OnceLock::new();
    RULES
        .get_or_init(|| {
            let text = include_str!("../../shared/fixtures/shop.rules.json");
            Arc::new(Rules::from_json_str(text).expect("the fixture rules are valid"))
        })
        .clone()
}

/// A recorded struggling visit, played over restored state.
fn recorded_visit() -> &'static [replay::Line] {
    static LINES: OnceLock<Vec<replay::Line>> = OnceLock::new();
    LINES.get_or_init(|| {
        replay::parse(include_str!(
            "../../shared/fixtures/struggling_checkout.jsonl"
        ))
        .expect("the fixture recording is valid")
    })
}

/// Bytes as the codec's storable text (one char per byte).
fn as_stored(data: &[u8]) -> String {
    data.iter().map(|&b| char::from(b)).collect()
}

/// Rules JSON: checked without panic; accepted rules survive compile and decode unchanged,
/// and so does their support content.
pub fn rules_check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Checked::from_json_str(text) {
        Ok(Checked { rules, support, .. }) => {
            if let Some(support) = support {
                let bytes = lifeline_support::codec::encode(&support);
                assert_eq!(
                    lifeline_support::codec::decode(&bytes).as_ref(),
                    Some(&support),
                    "accepted support content reaches the support module the same"
                );
            }
            let decoded = Rules::from_compiled(&rules.to_compiled());
            assert_eq!(
                decoded.as_ref(),
                Some(&rules),
                "accepted, so every agent decodes it the same"
            );
            let _ = rules.contrast_warnings();
        }
        Err(errors) => assert!(errors.len() <= 101, "at most 100 problems and a count"),
    }
}

/// Compiled rules: decoded without panic; what decodes is stable through encode and decode.
pub fn compiled_rules(data: &[u8]) {
    if let Some(rules) = Rules::from_compiled(&as_stored(data)) {
        // Compared as encoded: a NaN the decoder lets by (where it only holds a rule back)
        // is not equal to itself.
        let encoded = rules.to_compiled();
        let again = Rules::from_compiled(&encoded).expect("what decoded, encoded, decodes");
        assert_eq!(
            again.to_compiled(),
            encoded,
            "decode, encode, decode: the same rules"
        );
        let mut steps = 0;
        for m in &rules.matchers {
            m.matches_counted("/checkout/payment", &mut steps);
        }
    }
}

/// Stored visit state: restored only when it fits the rules, then a whole visit plays on it.
pub fn visit_state(data: &[u8]) {
    let Some(state) = codec::decode::<SessionState>(&as_stored(data)) else {
        return;
    };
    let Some(session) = Session::restore(shop_rules(), state) else {
        return;
    };
    let mut player = Player::resume(session, None);
    for line in recorded_visit() {
        player.play(line.t, &line.event);
    }
}

/// The storage keys of the agent's visit (sessionStorage), profile and outbox
/// (localStorage) for site `shop`.
const STORED: [(bool, &str); 3] = [
    (false, "lifeline:shop:visit"),
    (true, "lifeline:shop:profile"),
    (true, "lifeline:shop:outbox"),
];

fn agent_config() -> Config {
    Config {
        site: "shop".into(),
        language: "en".into(),
        gpc: false,
        device: Device::Desktop,
    }
}

/// Three stored values (split at 0xFF bytes) in the agent's storage, then a whole visit,
/// then everything sent: no panic, and whatever it sends is a valid batch.
pub fn agent_storage(data: &[u8]) {
    let mut host = MemoryHost {
        now: 1_700_000_000_000,
        ..MemoryHost::default()
    };
    for ((local, key), part) in STORED.iter().zip(data.splitn(3, |&b| b == 0xFF)) {
        let area = if *local {
            &mut host.local
        } else {
            &mut host.session
        };
        area.insert((*key).to_owned(), as_stored(part));
    }
    let mut agent = Agent::new(host, agent_config());
    agent.rules_loaded(Ok(shop_rules().as_ref().clone()));
    let start = agent.host_mut().now;
    for line in recorded_visit() {
        agent.host_mut().now = start + line.t;
        match line.event.event() {
            // Page views go through the agent's own door (it keeps the page for reports).
            Some(Event::Navigate { path }) => agent.navigate(path),
            Some(event) => agent.observe(&event),
            None => {}
        }
    }
    agent.page_left();
    // Reports another script spoiled in storage are refused one by one by the collector;
    // what is left of every batch is stored.
    for (batch, _) in &agent.host_mut().sent {
        let mut kept = batch.clone();
        kept.refuse_invalid_items();
        if !kept.items.is_empty() {
            assert!(
                kept.validate().is_ok(),
                "the collector would refuse the whole batch: {batch:?}"
            );
        }
    }
}

/// Recorded sessions: parsed, and replayed when they parse, without panic.
pub fn replay_lines(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(lines) = replay::parse(text) {
        let _ = replay::replay(shop_rules(), "fuzz", &lines);
        let _ = replay::trial(shop_rules(), "fuzz", &lines);
    }
}

/// A report batch: refused or valid without panic; a valid one survives the agent's JSON.
pub fn report_batch(data: &[u8]) {
    let Ok(batch) = serde_json::from_slice::<ReportBatch>(data) else {
        return;
    };
    if batch.validate().is_ok() {
        let again: ReportBatch =
            serde_json::from_str(&batch.to_json()).expect("the agent's JSON reads back");
        assert_eq!(
            again, batch,
            "written by the agent, read by the collector: the same batch"
        );
    }
}

/// A glob (up to the first newline) and a path (the rest): matched within the budget of
/// (pattern + 1) x (path, cut at MAX_PATH_LEN, + 1) steps.
pub fn page_match(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, path) = text.split_once('\n').unwrap_or((text, "/"));
    let rules = format!(
        r#"{{"version": 1, "prompts": {{"h": {{"kind": "help", "text": {{"title": "H"}}}}}},
            "rules": [{{"id": "r", "when": {{"page": {{"glob": {}}}}}, "then": {{"prompt": "h"}}}}]}}"#,
        json_string(pattern)
    );
    let Ok(rules) = Rules::from_json_str(&rules) else {
        return;
    };
    let Some(glob) = rules
        .matchers
        .iter()
        .find(|m| matches!(m, Matcher::Glob(_)))
    else {
        return;
    };
    let mut steps = 0;
    glob.matches_counted(path, &mut steps);
    let budget = (pattern.len() + 1) * (path.len().min(MAX_PATH_LEN) + 1);
    assert!(steps <= budget, "{steps} steps; budget {budget}");
}

/// The reports the query target filters: every combination of a few rules, pages (a
/// space, a query string, percent signs), prompt kinds, outcomes, ratings and received
/// times, stored once in a real SQLite store.
struct Reports {
    runtime: tokio::runtime::Runtime,
    store: Database,
    all: Vec<StoredReport>,
}

const SITE: &str = "shop";

fn stored_reports() -> &'static Reports {
    static REPORTS: OnceLock<Reports> = OnceLock::new();
    REPORTS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("lifeline-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let store = Database::sqlite(&dir.join("reports.sqlite"), None).expect("a store");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let rules = ["r1", "r 2", "pay%"];
        let pages = ["/", "/cart", "/p?id=1", "/checkout/payment"];
        let kinds = ["help", "feedback", "chat_offer"];
        let outcomes = [None, Some("dismissed"), Some("engaged"), Some("ignored")];
        let times = [0, 1_000, 1_700_000_000_000];
        let all = runtime.block_on(async {
            store
                .add_site(Site {
                    name: SITE.into(),
                    origins: vec![],
                    token_hash: [0; 32],
                    active_rules: None,
                    secret: Vec::new(),
                })
                .await
                .expect("the site");
            let mut n = 0;
            for (t, received) in times.iter().enumerate() {
                let mut items = Vec::new();
                for (i, rule) in rules.iter().enumerate() {
                    for (j, page) in pages.iter().enumerate() {
                        n += 1;
                        let kind = kinds[(i + j + t) % kinds.len()];
                        let outcome = outcomes[(i * 2 + j + t) % outcomes.len()];
                        items.push(serde_json::json!({"key": format!("k{n}"), "at": n,
                            "page": page, "report": {"type": "decision", "rule": rule,
                            "prompt": "p", "kind": kind, "outcome": outcome, "band": "high",
                            "signals": ["rage_click"]}}));
                        if (i + j + t) % 2 == 0 {
                            n += 1;
                            items.push(serde_json::json!({"key": format!("k{n}"), "at": n,
                                "page": page, "report": {"type": "feedback", "rule": rule,
                                "prompt": "p", "rating": 1 + (i + j) % 5, "thumbs": null,
                                "comment": null}}));
                        }
                    }
                }
                let batch: ReportBatch =
                    serde_json::from_value(serde_json::json!({"session": "s", "items": items}))
                        .expect("a batch");
                store.ingest(SITE, batch, *received).await.expect("stored");
            }
            store
                .reports(SITE, ReportFilter::default(), None, 500)
                .await
                .expect("listed")
                .items
        });
        Reports {
            runtime,
            store,
            all,
        }
    })
}

/// The filter, written plainly over one report.
fn picks(f: &ReportFilter, r: &StoredReport) -> bool {
    f.report_type.is_none_or(|t| t == r.kind_of_report)
        && f.from.is_none_or(|from| r.received >= from)
        && f.to.is_none_or(|to| r.received < to)
        && f.rule.as_ref().is_none_or(|rule| *rule == r.rule)
        && f.page.as_ref().is_none_or(|page| *page == r.page)
        && f.kind
            .as_ref()
            .is_none_or(|kind| Some(kind) == r.kind.as_ref())
}

/// Per-name tallies, plainly: (name, shown, dismissed, engaged, completed, ignored,
/// feedback, rating sum).
type Plain = (String, [u64; 6], u64);

fn plain_tallies<'a>(
    rows: impl Iterator<Item = &'a StoredReport>,
    by: fn(&StoredReport) -> &str,
) -> Vec<Plain> {
    let mut out: Vec<Plain> = Vec::new();
    for r in rows {
        let i = match out.iter().position(|(n, ..)| n == by(r)) {
            Some(i) => i,
            None => {
                out.push((by(r).to_owned(), [0; 6], 0));
                out.len() - 1
            }
        };
        let c = &mut out[i].1;
        match (r.kind_of_report, r.outcome.as_deref()) {
            (ReportType::Feedback, _) => {
                c[5] += 1;
                out[i].2 += u64::from(r.rating.unwrap_or(0));
            }
            (ReportType::Decision, None) => c[0] += 1,
            (_, Some("dismissed")) => c[1] += 1,
            (_, Some("engaged")) => c[2] += 1,
            (_, Some("completed")) => c[3] += 1,
            (_, Some("ignored")) => c[4] += 1,
            _ => {}
        }
    }
    out.sort();
    out
}

fn tallied(tallies: &[Tally]) -> Vec<Plain> {
    let mut out: Vec<Plain> = tallies
        .iter()
        .map(|t| {
            let sum = t
                .average_rating
                .map_or(0, |a| (a * t.feedback as f64).round() as u64);
            (
                t.name.clone(),
                [
                    t.shown,
                    t.dismissed,
                    t.engaged,
                    t.completed,
                    t.ignored,
                    t.feedback,
                ],
                sum,
            )
        })
        .collect();
    out.sort();
    out
}

/// Support content bytes, then (after a 0xFF byte) a stored history and (after another) a
/// search: decoded or refused without panic; what decodes is stable, and a session over it
/// is planned for a few places and searched.
pub fn support_content(data: &[u8]) {
    use lifeline_support::codec;
    use lifeline_support::history::History;
    use lifeline_support::plan::{Location, Visitor, plan};
    let mut parts = data.splitn(3, |&b| b == 0xFF);
    let content = parts.next().unwrap_or_default();
    let history = History::from_storable(&as_stored(parts.next().unwrap_or_default()));
    let query = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let Some(support) = codec::decode(content) else {
        return;
    };
    assert_eq!(
        codec::decode(&codec::encode(&support)).as_ref(),
        Some(&support),
        "decode, encode, decode: the same content"
    );
    for r in lifeline_support::rank::search(&support.articles, &query) {
        assert!(r.0 < support.articles.len() && r.1.is_finite());
    }
    for (page, signals, task) in [
        ("/", &[][..], None),
        ("/payment/", &["repeated_action"][..], Some("checkout")),
        (query.as_ref(), &["rage_click"][..], None),
    ] {
        let visitor = Visitor {
            returning: true,
            tier: Some("gold"),
            language: "fr-CA",
            agents_online: true,
        };
        let p = plan(
            &support,
            &Location {
                page,
                signals,
                task,
            },
            &visitor,
            &history,
        );
        assert!(p.articles.iter().all(|&i| i < support.articles.len()));
        assert!(p.guides.iter().all(|&i| i < support.guides.len()));
        assert!(p.persona.is_none_or(|i| i < support.personas.len()));
    }
    let stored = history.to_storable();
    assert_eq!(History::from_storable(&stored), history);
}

/// An admin query string: refused with a short message naming what is wrong, or read into
/// a listing that pages through exactly the reports it picks (newest first, each once)
/// and into stats that count exactly them.
pub fn admin_query(data: &[u8]) {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let reports = stored_reports();
    for paged in [true, false] {
        let listing = match filters::listing(Some(query), paged) {
            Ok(l) => l,
            Err(ApiError::BadQuery { name, message }) => {
                assert!(
                    name.chars().count() <= 65 && message.chars().count() <= 201,
                    "a clipped error: {name:?} {message:?}"
                );
                continue;
            }
            Err(e) => panic!("a query is refused as a query: {e:?}"),
        };
        assert!((1..=filters::MAX_LIMIT).contains(&listing.limit));
        assert!(listing.cursor.is_none_or(|c| c > 0));
        if !paged {
            let stats = reports
                .runtime
                .block_on(reports.store.stats(SITE, listing.filter.clone()))
                .expect("stats");
            let picked = || reports.all.iter().filter(|r| picks(&listing.filter, r));
            assert_eq!(tallied(&stats.rules), plain_tallies(picked(), |r| &r.rule));
            assert_eq!(tallied(&stats.pages), plain_tallies(picked(), |r| &r.page));
            continue;
        }
        for report_type in [ReportType::Decision, ReportType::Feedback] {
            let mut filter = listing.filter.clone();
            filter.report_type = Some(report_type);
            let expected: Vec<i64> = reports
                .all
                .iter()
                .filter(|r| picks(&filter, r) && listing.cursor.is_none_or(|c| r.id < c))
                .map(|r| r.id)
                .collect();
            let mut listed = Vec::new();
            let mut cursor = listing.cursor;
            for _ in 0..=reports.all.len() {
                let page = reports
                    .runtime
                    .block_on(
                        reports
                            .store
                            .reports(SITE, filter.clone(), cursor, listing.limit),
                    )
                    .expect("a page");
                assert!(page.items.len() <= listing.limit as usize);
                listed.extend(page.items.iter().map(|r| r.id));
                cursor = page.next.map(|n| n.parse().expect("a cursor"));
                if cursor.is_none() {
                    break;
                }
            }
            assert_eq!(listed, expected, "{query}: {report_type:?}");
        }
    }
}

/// The demo shop's triage rules.
fn demo_triage() -> &'static lifeline_shared::rules::Triage {
    static TRIAGE: OnceLock<lifeline_shared::rules::Triage> = OnceLock::new();
    TRIAGE.get_or_init(|| {
        Checked::from_json_str(include_str!("../../www/demo/rules.json"))
            .expect("the demo rules are valid")
            .triage
            .expect("the demo rules triage feedback")
    })
}

/// Fuzz target: a feedback's evidence, comment and signed attributes, judged. Input: evidence
/// JSON, 0xFF, comment, 0xFF, attributes, 0xFF, signature, 0xFF, a rating byte and a
/// history byte.
pub fn feedback_triage(data: &[u8]) {
    use lifeline_collector::triage::identity::{self, Signed};
    use lifeline_collector::triage::{Feedback, History, Place, Sentiment, judge};
    use lifeline_shared::wire::{Evidence, Identity};
    let mut parts = data.splitn(5, |&b| b == 0xFF);
    let mut next = || String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let (evidence, comment, attrs, signature) = (next(), next(), next(), next());
    let tail = next().into_bytes();
    let evidence: Option<Evidence> = serde_json::from_str(&evidence).ok();
    let (rating, bits) = (tail.first().copied(), tail.get(1).copied().unwrap_or(0));
    // Signed attributes: what the shop signed verifies (or has expired); any other text,
    // signature or secret is refused.
    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let good = Identity {
        signature: identity::sign(SECRET, "demo", &attrs),
        attrs: attrs.clone(),
    };
    let now_s = 1_800_000_000;
    let signed = identity::verify(SECRET, "demo", Some(&good), now_s);
    if good.problem().is_none() {
        assert!(
            matches!(signed, Signed::Valid { .. } | Signed::Expired | Signed::Bad),
            "{signed:?}"
        );
        assert_eq!(
            identity::verify(b"another secret", "demo", Some(&good), now_s),
            Signed::Bad
        );
        assert_eq!(
            identity::verify(SECRET, "other", Some(&good), now_s),
            Signed::Bad
        );
        let mut tampered = good.clone();
        tampered.attrs.push('x');
        assert_eq!(
            identity::verify(SECRET, "demo", Some(&tampered), now_s),
            Signed::Bad
        );
    }
    let given = Identity {
        attrs,
        signature: signature.clone(),
    };
    let maybe = identity::verify(SECRET, "demo", Some(&given), now_s);
    if signature != good.signature {
        assert_eq!(maybe, Signed::Bad, "a signature not made with the secret");
    }
    // The verdict.
    let places = [Place {
        page: "/demo/payment/".into(),
        signals: evidence
            .as_ref()
            .map_or(lifeline_shared::SignalSet::EMPTY, |e| e.here),
    }];
    let feedback = Feedback {
        page: "/demo/payment/",
        places: &places,
        rating: rating.filter(|r| (1..=5).contains(r)),
        thumbs: None,
        comment: (!comment.is_empty()).then_some(comment.as_str()),
        evidence: evidence.as_ref(),
    };
    let history = History {
        same_text_visitors: u32::from(bits & 3),
        visitor_negatives_today: u32::from(bits >> 2 & 7),
        address_negatives_today: u32::from(bits >> 5 & 3) * 5,
        coupon_recently: bits & 0x80 != 0,
    };
    let triage = demo_triage();
    for signed in [signed, maybe, Signed::Unsigned] {
        let v = judge(&feedback, triage, history, &signed);
        if v.worth.is_some() {
            assert!(v.valid && !v.fraud, "{v:?}");
            assert_eq!(v.sentiment, Sentiment::Negative);
            assert!(v.problem.is_some() && feedback.evidence.is_some());
        }
        if v.disclose {
            assert!(v.valid && !v.fraud && v.problem.is_some(), "{v:?}");
        }
        assert_eq!(v.fraud, v.reasons.iter().any(|r| r.is_fraud()), "{v:?}");
        if signed == Signed::Bad {
            assert!(v.fraud, "a bad signature is potential fraud");
        }
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::new();
    lifeline_shared::wire::json_string(&mut out, s);
    out
}

/// The demo's offers, for checking chat frames.
fn demo_offers() -> &'static [lifeline_shared::rules::spec::OfferSpec] {
    static OFFERS: OnceLock<Vec<lifeline_shared::rules::spec::OfferSpec>> = OnceLock::new();
    OFFERS.get_or_init(|| {
        let checked = Checked::from_json_str(include_str!("../../www/demo/rules.json"))
            .expect("the demo rules");
        checked.staff.map(|s| s.offers).unwrap_or_default()
    })
}

/// A chat frame from the visitor and from staff: a refusal with a known code and a short
/// message, or a request within every bound.
pub fn chat_frame(data: &[u8]) {
    use lifeline_collector::chat::{self, Request};
    use lifeline_collector::store::{Card, Side, chat::MAX_TEXT};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let origins = vec!["https://shop.example".to_owned()];
    let site = chat::Site {
        origins: &origins,
        offers: demo_offers(),
    };
    for (side, author) in [(Side::Visitor, None), (Side::Staff, Some("ana"))] {
        let checked = chat::parse(text).and_then(|i| chat::check(i, side, author, site));
        let request = match checked {
            Err(r) => {
                assert!(
                    ["bad_json", "invalid", "too_large", "not_allowed"].contains(&r.error),
                    "{r:?}"
                );
                assert!(r.message.chars().count() <= 240, "a short message: {r:?}");
                continue;
            }
            Ok(request) => request,
        };
        let Request::Post { message, mint } = request else {
            if let Request::Accept { .. } = request {
                assert_eq!(side, Side::Visitor, "only visitors take up cards");
            }
            continue;
        };
        assert_eq!((message.from, message.author.as_deref()), (side, author));
        assert!(message.text.chars().count() <= MAX_TEXT);
        assert!(message.text == message.text.trim());
        assert!(
            message
                .client_id
                .as_ref()
                .is_none_or(|c| !c.is_empty() && c.len() <= 64)
        );
        match &message.card {
            None => assert!(!message.text.is_empty() && mint.is_none()),
            Some(Card::Call { phone, when }) => {
                assert_eq!(side, Side::Visitor);
                let digits = phone.bytes().filter(u8::is_ascii_digit).count();
                assert!((6..=20).contains(&digits) && phone.len() <= 32, "{phone:?}");
                assert!(when.chars().count() <= 80);
            }
            Some(Card::Offer { offer, code, .. }) => {
                assert_eq!(side, Side::Staff);
                let spec = demo_offers()
                    .iter()
                    .find(|o| o.id == *offer)
                    .expect("a rules offer");
                assert_eq!(mint.is_some(), spec.coupon.is_some());
                assert_eq!(*code, spec.code.clone().unwrap_or_default());
            }
            Some(Card::Product { url, title, price }) => {
                assert_eq!(side, Side::Staff);
                let on_site = (url.starts_with('/') && !url.starts_with("//"))
                    || url
                        .to_ascii_lowercase()
                        .starts_with("https://shop.example/")
                    || url.eq_ignore_ascii_case("https://shop.example");
                assert!(on_site, "a link on the site: {url:?}");
                assert!(!url.chars().any(char::is_control));
                assert!(title.chars().count() <= 120 && price.chars().count() <= 40);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Every corpus replayed: the findings of `make fuzz` stay fixed.

    use std::path::Path;

    fn replay(target: &str, run: fn(&[u8])) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(target);
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a corpus entry").path();
            run(&std::fs::read(&path).expect("a corpus file"));
            n += 1;
        }
        assert!(n > 0, "{target}: an empty corpus");
    }

    #[test]
    fn rules_check_corpus() {
        replay("rules_check", super::rules_check);
    }

    #[test]
    fn compiled_rules_corpus() {
        replay("compiled_rules", super::compiled_rules);
    }

    #[test]
    fn visit_state_corpus() {
        replay("visit_state", super::visit_state);
    }

    #[test]
    fn agent_storage_corpus() {
        replay("agent_storage", super::agent_storage);
    }

    #[test]
    fn replay_lines_corpus() {
        replay("replay_lines", super::replay_lines);
    }

    #[test]
    fn report_batch_corpus() {
        replay("report_batch", super::report_batch);
    }

    #[test]
    fn page_match_corpus() {
        replay("page_match", super::page_match);
    }

    #[test]
    fn support_content_corpus() {
        replay("support_content", super::support_content);
    }

    #[test]
    fn admin_query_corpus() {
        replay("admin_query", super::admin_query);
    }

    #[test]
    fn chat_frame_corpus() {
        replay("chat_frame", super::chat_frame);
    }

    #[test]
    fn feedback_triage_corpus() {
        replay("feedback_triage", super::feedback_triage);
    }

    /// Writes the seeds that only Rust can make (compiled rules, stored visit state) into
    /// the corpora: `cargo test --manifest-path fuzz/Cargo.toml -- --ignored seeds`.
    #[test]
    #[ignore = "writes seed files"]
    fn seeds() {
        use lifeline_shared::Rules;
        use lifeline_shared::replay::Player;
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let bytes = |s: &str| -> Vec<u8> {
            s.chars()
                .map(|c| u8::try_from(u32::from(c)).expect("a byte"))
                .collect()
        };
        let demo =
            Rules::from_json_str(include_str!("../../www/demo/rules.json")).expect("demo rules");
        for (name, rules) in [
            ("shop", super::shop_rules().as_ref().clone()),
            ("demo", demo),
        ] {
            std::fs::write(
                dir.join("compiled_rules").join(format!("seed-{name}")),
                bytes(&rules.to_compiled()),
            )
            .expect("written");
        }
        // Support content as the collector serves it.
        let rules =
            lifeline_shared::Checked::from_json_str(include_str!("../../www/demo/rules.json"))
                .expect("demo rules");
        if let Some(support) = rules.support {
            std::fs::write(
                dir.join("support_content").join("seed-demo"),
                lifeline_support::codec::encode(&support),
            )
            .expect("written");
        }
        // What the agent leaves in storage after a visit.
        let mut agent = lifeline_agent::Agent::new(
            lifeline_agent::MemoryHost::default(),
            super::agent_config(),
        );
        agent.rules_loaded(Ok(super::shop_rules().as_ref().clone()));
        for line in super::recorded_visit() {
            agent.host_mut().now = 1_700_000_000_000 + line.t;
            match line.event.event() {
                Some(lifeline_shared::Event::Navigate { path }) => agent.navigate(path),
                Some(event) => agent.observe(&event),
                None => {}
            }
        }
        let host = agent.host_mut();
        let stored: Vec<Vec<u8>> = super::STORED
            .iter()
            .map(|(local, key)| {
                let area = if *local { &host.local } else { &host.session };
                bytes(area.get(*key).map_or("", String::as_str))
            })
            .collect();
        std::fs::write(
            dir.join("agent_storage").join("seed-visit"),
            stored.join(&0xFF),
        )
        .expect("written");
        let mut player = Player::new(lifeline_shared::Session::new(
            super::shop_rules(),
            "seed",
            0,
        ));
        for (i, line) in super::recorded_visit().iter().enumerate() {
            player.play(line.t, &line.event);
            if i % 5 == 4 {
                let state = lifeline_shared::codec::encode(player.session().state());
                std::fs::write(
                    dir.join("visit_state").join(format!("seed-{i}")),
                    bytes(&state),
                )
                .expect("written");
            }
        }
    }
}
