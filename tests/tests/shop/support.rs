//! Support sessions on the demo shop: answers for the page the visitor struggles on, a guide
//! on the page, a person when it does not help, the visitor's history on their device, and
//! nothing but session steps (ids) leaving the page.

use std::time::Duration;

use fantoccini::key::Key;
use lifeline_collector::store::{ReportType, StoredReport};
use lifeline_e2e::{Browser, Shop};
use lifeline_shared::wire::ReportBatch;

use super::{leave, press, to_payment, with_a_cart};

/// The titles of the support panel's articles, in order.
const ARTICLES: &str =
    "return root ? Array.from(root.querySelectorAll('summary')).map(s => s.textContent) : null";

/// The support steps stored, as `event article guide step channel` (those given).
fn steps(stored: &[StoredReport]) -> Vec<String> {
    stored
        .iter()
        .filter(|r| r.kind_of_report == ReportType::Support)
        .map(|r| {
            [
                r.outcome.clone(),
                r.article.clone(),
                r.guide.clone(),
                r.step.map(|s| s.to_string()),
                r.channel.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
        })
        .collect()
}

/// Declines three payments, as a shopper who cannot get their card accepted.
async fn declined_three_times(b: &Browser) {
    for _ in 0..3 {
        b.click("#place-order").await; // no card number: declined each time
        tokio::time::sleep(Duration::from_millis(1100)).await; // separate attempts
    }
}

async fn wait_session(b: &Browser, persona: &str) {
    b.wait_support(
        &format!("a support session with {persona}"),
        &format!("return !!root && root.querySelector('h2').textContent === '{persona}'"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_struggling_to_pay_gets_the_payment_answers_first_and_no_reaches_the_shops_chat()
{
    let (shop, b) = with_a_cart().await;
    to_payment(&b).await;
    declined_three_times(&b).await;
    wait_session(&b, "Sam Okafor").await;
    assert_eq!(
        b.support_js(ARTICLES).await,
        serde_json::json!([
            "My card was declined",
            "Your bank asks to confirm the payment"
        ]),
        "the payment answers, the one for repeated declines first"
    );
    assert_eq!(
        b.js("return document.activeElement.id").await,
        "place-order",
        "offered, not asked for: the focus stays where the visitor is"
    );
    let covers = b
        .support_js("var a = root.querySelector('.panel').getBoundingClientRect(), e = document.getElementById('place-order').getBoundingClientRect(); return Math.max(0, Math.min(a.right, e.right) - Math.max(a.left, e.left)) * Math.max(0, Math.min(a.bottom, e.bottom) - Math.max(a.top, e.top));")
        .await;
    assert_eq!(covers, 0, "the panel keeps clear of the button pressed");
    b.screenshot("support-payment").await;
    b.click_in_support("My card was declined").await;
    b.click_in_support("No").await;
    b.wait_support(
        "the ways to a person",
        "return !!root && Array.from(root.querySelectorAll('button')).some(x => x.textContent === 'Chat with us')",
    )
    .await;
    b.click_in_support("Chat with us").await;
    b.wait_js(
        "the shop's chat, with the focus",
        "return !document.getElementById('chat').hidden && document.activeElement.id === 'chat-message'",
    )
    .await;
    assert_eq!(
        b.support_js("return !!root").await,
        false,
        "the session closed"
    );
    let history = b
        .js("return localStorage.getItem('lifeline:demo:support')")
        .await;
    assert!(
        history
            .as_str()
            .is_some_and(|h| h.contains("card-declined")),
        "{history}"
    );

    // Later, the same visitor asks for help on the same page: a person first, and the answer
    // that failed them last.
    b.open(&shop.url("/demo/payment/")).await;
    b.js("lifeline.help()").await;
    wait_session(&b, "Sam Okafor").await;
    assert_eq!(
        b.support_js("return Array.from(root.querySelectorAll('h3')).map(h => h.textContent)")
            .await,
        serde_json::json!(["Talk to a person", "Answers for this page"])
    );
    assert_eq!(
        b.support_js(ARTICLES).await,
        serde_json::json!([
            "Your bank asks to confirm the payment",
            "My card was declined"
        ])
    );
    assert_eq!(
        b.support_js("return root.activeElement && root.activeElement.tagName")
            .await,
        "H2",
        "asked for: the session takes the focus"
    );
    b.screenshot("support-person-first").await;
    let a11y = b.axe().await;
    assert!(a11y.is_empty(), "axe, with the session open: {a11y:#?}");
    b.click_in_support("×").await;
    leave(&b, &shop).await;
    let stored = shop
        .wait_stored("the session's steps", |s| {
            steps(s).contains(&"escalated card-declined chat".to_owned())
                && steps(s).iter().filter(|x| *x == "started").count() == 2
        })
        .await;
    assert_eq!(
        steps(&stored)[..4],
        [
            "started",
            "article card-declined",
            "failed card-declined",
            "escalated card-declined chat"
        ]
    );
    assert!(
        super::has(&stored, "payment-support", "engaged"),
        "{:#?}",
        super::summary(&stored)
    );
    assert!(super::has(&stored, "visitor", "shown"));

    // The shop sees how sessions did: by page, by article, by persona.
    b.client.goto(&shop.url("/dashboard/")).await.unwrap();
    b.type_into("#token", &shop.token).await;
    b.click("button[type=submit]").await;
    b.wait_js(
        "the support figures",
        "return document.getElementById('support-personas').rows.length > 1",
    )
    .await;
    let row = |table: &str| {
        format!(
            "return Array.from(document.getElementById('{table}').rows[1].cells).map(c => c.textContent)"
        )
    };
    assert_eq!(
        b.js(&row("support-pages")).await,
        serde_json::json!(["/demo/payment/", "2", "1", "0", "1", "1", "0%"])
    );
    assert_eq!(b.js(&row("support-articles")).await[0], "card-declined");
    assert_eq!(b.js(&row("support-personas")).await[0], "sam");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guide_is_walked_with_the_keyboard_alone_and_skips_a_step_whose_element_is_missing() {
    let (tab, enter) = (char::from(Key::Tab), char::from(Key::Enter));
    let (shop, b) = with_a_cart().await;
    to_payment(&b).await;
    // A shop whose page lost one of the guide's elements.
    b.js("document.getElementById('cvc').parentElement.remove()")
        .await;
    b.js("lifeline.help()").await;
    wait_session(&b, "Sam Okafor").await;
    // From the panel's heading: Close, then the guide.
    press(&b, &[tab, tab]).await;
    assert_eq!(
        b.support_js("return root.activeElement.textContent").await,
        "Show me how: Paying by card, step by step"
    );
    press(&b, &[enter]).await;
    let step = "return root.querySelector('.card') && [root.querySelector('.card p').textContent, root.querySelector('.card h2').textContent]";
    b.wait_support("the first step", "return !!root.querySelector('.card')")
        .await;
    assert_eq!(
        b.support_js(step).await,
        serde_json::json!(["Step 1 of 4", "Card number"])
    );
    // The highlight is on the card number field; the step's card does not cover it.
    let around = "var e = document.querySelector(SEL).getBoundingClientRect(), r = root.querySelector('.ring').getBoundingClientRect(), c = root.querySelector('.card').getBoundingClientRect(); var inside = r.left <= e.left && r.top <= e.top && r.right >= e.right && r.bottom >= e.bottom; var over = Math.max(0, Math.min(c.right, e.right) - Math.max(c.left, e.left)) * Math.max(0, Math.min(c.bottom, e.bottom) - Math.max(c.top, e.top)); return [inside, over];";
    assert_eq!(
        b.support_js(&around.replace("SEL", "'#card'")).await,
        serde_json::json!([true, 0])
    );
    b.screenshot("support-guide").await;
    press(&b, &[tab, enter]).await; // Back is disabled on the first step: Next
    assert_eq!(
        b.support_js(step).await,
        serde_json::json!(["Step 2 of 4", "Expiry date"])
    );
    press(&b, &[tab, tab, enter]).await; // Back, Next
    assert_eq!(
        b.support_js(step).await,
        serde_json::json!(["Step 4 of 4", "Place your order"]),
        "the security code is not on this page: skipped"
    );
    assert_eq!(
        b.support_js(&around.replace("SEL", "'#place-order'")).await,
        serde_json::json!([true, 0])
    );
    assert_eq!(
        b.support_js("return root.activeElement.textContent").await,
        "Done",
        "on the last step, Done"
    );
    press(&b, &[enter]).await;
    assert_eq!(
        b.support_js("return root.activeElement.textContent").await,
        "Yes",
        "back in the panel: did this solve it?"
    );
    press(&b, &[enter]).await;
    b.wait_support("the session to end, solved", "return !root")
        .await;
    leave(&b, &shop).await;
    let stored = shop
        .wait_stored("the guide's steps", |s| {
            steps(s).iter().any(|x| x.starts_with("resolved"))
        })
        .await;
    assert_eq!(
        steps(&stored),
        [
            "started",
            "guide_step pay-by-card 1",
            "guide_step pay-by-card 2",
            "step_missing pay-by-card 3",
            "guide_step pay-by-card 4",
            "resolved pay-by-card"
        ]
    );
    assert!(super::has(&stored, "visitor", "completed"));
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_support_content_is_shown_as_text() {
    let shop = Shop::start().await;
    let rules = std::fs::read_to_string(lifeline_e2e::root().join("www/demo/rules.json"))
        .unwrap()
        .replace(
            "\"title\": \"Your bank asks to confirm the payment\"",
            "\"title\": \"<img src=x onerror=\\\"window.__pwned=1\\\">Declined\"",
        )
        .replace(
            "Some banks ask you",
            "<script>window.__pwned=2</script><b onmouseover=x>slip</b> &amp;",
        );
    shop.put_rules(&rules).await;
    let b = Browser::start().await;
    b.open(&shop.url("/demo/payment/")).await;
    b.js("lifeline.help()").await;
    wait_session(&b, "Sam Okafor").await;
    b.click_in_support("<img src=x onerror=\"window.__pwned=1\">Declined")
        .await;
    assert_eq!(
        b.support_js("return [root.querySelectorAll('img, script, b').length, root.querySelector('details p').textContent.slice(0, 50), window.__pwned || null]").await,
        serde_json::json!([0, "<script>window.__pwned=2</script><b onmouseover=x>", null])
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn during_a_session_only_its_content_comes_and_only_its_steps_leave() {
    let (shop, b) = with_a_cart().await;
    to_payment(&b).await;
    b.type_into("#card", "4111111111111111").await;
    b.js("lifeline.help()").await;
    wait_session(&b, "Sam Okafor").await;
    b.support_js("var q = root.querySelector('input[type=search]'); q.value = 'refund for order QZX alex@example.com'; q.dispatchEvent(new Event('input'));").await;
    b.wait_support(
        "search results",
        "return Array.from(root.querySelectorAll('h3')).some(h => h.textContent === 'Other answers')",
    )
    .await;
    assert_eq!(
        b.support_js(ARTICLES).await[2],
        "Returning an item",
        "found on the device"
    );
    b.click_in_support("Returning an item").await;
    b.click_in_support("Yes").await;
    b.wait_support("the session to end", "return !root").await;
    leave(&b, &shop).await;
    shop.wait_stored("the session's end", |s| {
        steps(s).iter().any(|x| x.starts_with("resolved"))
    })
    .await;
    let (mut content, mut reports) = (0, 0);
    for r in shop.requests() {
        let path = r.uri.split('?').next().unwrap_or_default();
        match (r.method.as_str(), path) {
            ("GET", "/v1/sites/demo/support") => {
                assert_eq!(r.uri, path, "the content is asked for whole, with no query");
                content += 1;
            }
            ("POST", "/v1/sites/demo/reports") => {
                reports += 1;
                let batch: ReportBatch = serde_json::from_str(&r.body)
                    .unwrap_or_else(|e| panic!("only the report format ({e}): {}", r.body));
                batch.validate().unwrap();
                for secret in ["refund", "QZX", "alex", "4111", "example.com"] {
                    assert!(
                        !r.body.contains(secret),
                        "{secret} left the page: {}",
                        r.body
                    );
                }
            }
            // Whether staff are online (the demo's rules offer a chat): nothing of the visitor's.
            ("GET", "/v1/sites/demo/availability") => assert!(r.body.is_empty()),
            ("GET", p)
                if p == "/v1/sites/demo/rules"
                    || p == "/agent.js"
                    || ["/agent-", "/prompt-", "/support-"]
                        .iter()
                        .any(|f| p.starts_with(f))
                    || p.starts_with("/demo/")
                    || p == "/"
                    || p == "/favicon.ico" => {}
            other => panic!("an unexpected request: {other:?}"),
        }
    }
    assert_eq!(content, 1, "fetched once, when the session started");
    assert!(reports >= 1);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn more_help_on_a_help_prompt_opens_a_session_for_that_struggle() {
    let (shop, b) = with_a_cart().await;
    for _ in 0..4 {
        b.click("#apply-promo").await;
    }
    b.wait_prompt("Trouble with your promo code?").await;
    b.click_in_prompt("[data-ll=action]").await;
    wait_session(&b, "Maya Lind").await;
    assert_eq!(
        b.support_js(ARTICLES).await[0],
        "Using a promo code",
        "the answer for rage on the cart"
    );
    assert_eq!(b.prompt_title().await, None, "the help prompt made way");
    b.click_in_support("Yes").await;
    b.wait_support("the session to end", "return !root").await;
    leave(&b, &shop).await;
    let stored = shop
        .wait_stored("the session", |s| {
            steps(s).iter().any(|x| x.starts_with("resolved"))
        })
        .await;
    assert!(super::has(&stored, "promo-rage", "engaged"));
    assert!(
        stored
            .iter()
            .filter(|r| r.kind_of_report == ReportType::Support)
            .all(|r| r.rule == "promo-rage" && r.persona.as_deref() == Some("maya")),
        "the session is the rule's, with the persona for promotions"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_answer_the_session_is_judged_by_what_the_visitor_does_next() {
    let (shop, b) = with_a_cart().await;
    to_payment(&b).await;
    declined_three_times(&b).await;
    wait_session(&b, "Sam Okafor").await;
    // Escape in the page (the focus is on Place order) closes it, as it closes prompts.
    press(&b, &[char::from(Key::Escape)]).await;
    b.wait_support("the session closed", "return !root").await;
    assert!(
        b.js("return sessionStorage.getItem('lifeline:demo:support-open')")
            .await
            .is_string(),
        "still being judged"
    );
    // The struggle comes back: the session did not help.
    declined_three_times(&b).await;
    shop.wait_stored("the first session judged", |s| {
        steps(s).iter().any(|x| x == "failed")
    })
    .await;

    // The visitor asks, reads nothing, closes it, and completes the order on the next page:
    // judged there (the module comes back for it), the session helped.
    b.js("lifeline.help()").await;
    wait_session(&b, "Sam Okafor").await;
    b.click_in_support("×").await;
    b.type_into("#card", "4242424242424242").await;
    b.click_to("#place-order", "/demo/complete/").await;
    b.wait_js(
        "the judgement on the next page",
        "return sessionStorage.getItem('lifeline:demo:support-open') === null",
    )
    .await;
    leave(&b, &shop).await;
    let stored = shop
        .wait_stored("the second session judged", |s| {
            steps(s).iter().any(|x| x == "resolved")
        })
        .await;
    assert_eq!(
        steps(&stored),
        ["started", "failed", "started", "resolved"],
        "{:#?}",
        super::summary(&stored)
    );
    let resolved = stored
        .iter()
        .find(|r| r.outcome.as_deref() == Some("resolved"))
        .unwrap();
    assert_eq!(
        (resolved.rule.as_str(), resolved.page.as_str()),
        ("visitor", "/demo/complete/"),
        "the session's rule, reported from the page where it was judged"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rules_help_button_starts_a_session_and_gets_the_focus_back() {
    let shop = Shop::start().await;
    let rules = std::fs::read_to_string(lifeline_e2e::root().join("www/demo/rules.json"))
        .unwrap()
        .replace(
            "\"support\": {\n",
            "\"support\": {\n    \"launcher\": true,\n",
        );
    shop.put_rules(&rules).await;
    let b = Browser::start().await;
    b.open(&shop.url("/demo/cart/")).await;
    let launcher = "var h = document.getElementById('lifeline-host-launcher'); var l = h && h.shadowRoot.querySelector('button');";
    b.wait_js(
        "the Help button",
        &format!("{launcher} return !!l && l.textContent === 'Help' && !l.hidden"),
    )
    .await;
    assert_eq!(
        b.js(&format!(
            "{launcher} return [l.getAttribute('aria-haspopup'), l.lang]"
        ))
        .await,
        serde_json::json!(["dialog", "en"])
    );
    b.js(&format!("{launcher} l.focus(); l.click();")).await;
    wait_session(&b, "Sam Okafor").await;
    assert_eq!(
        b.js(&format!("{launcher} return l.hidden")).await,
        true,
        "hidden while the session is open"
    );
    press(&b, &[char::from(Key::Escape)]).await;
    b.wait_support("the session closed", "return !root").await;
    assert_eq!(
        b.js(&format!(
            "{launcher} return !l.hidden && h.shadowRoot.activeElement === l"
        ))
        .await,
        true,
        "back, with the focus"
    );
    let a11y = b.axe().await;
    assert!(a11y.is_empty(), "{a11y:#?}");
    // A shop that renders its next route into a new <body> (Turbo Drive, pjax): the Help
    // button stays, where a pointer finds it.
    b.js(
        "history.pushState({}, '', '/demo/'); var n = document.createElement('body');\
          n.innerHTML = '<main><h1>Trail shoes</h1></main>';\
          document.documentElement.replaceChild(n, document.body); return true;",
    )
    .await;
    b.wait_js(
        "the Help button on the new body",
        &format!(
            "{launcher} var r = l.getBoundingClientRect();\
             return l.isConnected && !l.hidden && document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === h"
        ),
    )
    .await;
    leave(&b, &shop).await;
    let stored = shop
        .wait_stored("the session", |s| super::has(s, "visitor", "dismissed"))
        .await;
    assert!(steps(&stored).contains(&"started".to_owned()));
    b.close().await;
}
