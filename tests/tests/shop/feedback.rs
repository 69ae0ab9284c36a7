//! Feedback that gets acted on, on the demo shop: a shopper whose card was declined
//! complains, is told what went wrong and gets a coupon in the same prompt, which the shop
//! redeems once; the same words from another visitor are flagged as potential fraud and
//! get none; praise gets a thank-you and nothing else. What leaves the page is the
//! feedback, its content-free evidence and the signed attributes — nothing typed elsewhere.

use lifeline_collector::triage::identity;
use lifeline_e2e::{Browser, Shop};

use super::{to_payment, with_a_cart};

const COMPLAINT: &str = "My card was declined three times and I could not pay";

/// Signs `attrs` as the shop's backend would and passes them to the agent.
async fn identify(b: &Browser, shop: &Shop, attrs: &str) {
    let signature = identity::sign(&shop.secret().await, "demo", attrs);
    b.js(&format!(
        "lifeline.identify('{attrs}', '{signature}'); return true"
    ))
    .await;
}

/// Answers the feedback prompt with `stars` and `comment`, and waits for the answer.
async fn answer(b: &Browser, stars: u8, comment: &str, expect_title: &str) {
    b.js("lifeline.show('struggle_feedback'); return true")
        .await;
    b.wait_prompt("Is something not working?").await;
    b.click_in_prompt(&format!("[data-ll=rate][data-value='{stars}']"))
        .await;
    b.type_into_prompt("textarea", comment).await;
    b.click_in_prompt("[data-ll=action]").await;
    b.wait_js(
        &format!("the collector's answer {expect_title:?}"),
        &format!(
            "var h = document.getElementById('lifeline-host'); var r = h && h.shadowRoot; return !!r && r.querySelector('h2').textContent === {}",
            serde_json::json!(expect_title)
        ),
    )
    .await;
}

/// A new visitor in the same browser: the visit, profile and outbox forgotten.
async fn new_visitor(b: &Browser, shop: &Shop, path: &str) {
    b.open(&shop.url(path)).await;
    b.js("localStorage.clear(); sessionStorage.clear(); return true")
        .await;
    b.open(&shop.url(path)).await;
    b.wait_agent().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declined_card_is_disclosed_and_compensated_once_the_same_words_again_are_flagged_and_praise_is_thanked()
 {
    let (shop, b) = with_a_cart().await;
    to_payment(&b).await;
    b.type_into("#first", "Philippa").await;
    b.type_into("#street", "12 Secret Lane").await;
    for _ in 0..3 {
        b.click("#place-order").await; // no card number: declined each time
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
    identify(&b, &shop, "exp=4102444800&id=c-42&tier=gold").await;
    answer(
        &b,
        1,
        COMPLAINT,
        "Sorry, this was our fault: Card payments were declined by mistake",
    )
    .await;
    let shown = b
        .js("var r = document.getElementById('lifeline-host').shadowRoot; return [r.querySelector('.answer p').textContent, r.querySelector('.code').textContent, r.querySelector('.terms').textContent, r.querySelector('.copy').textContent, r.querySelector('.panel').getAttribute('role')]")
        .await;
    let code = shown[1].as_str().unwrap().to_owned();
    assert!(
        shown[0]
            .as_str()
            .unwrap()
            .starts_with("Our payment provider refused some valid cards today.")
            && shown[0]
                .as_str()
                .unwrap()
                .ends_with("here is a coupon for your next order."),
        "{shown}"
    );
    assert!(code.starts_with("SORRY-") && code.len() == 25, "{code}");
    assert!(
        shown[2]
            .as_str()
            .unwrap()
            .starts_with("10.00 GBP off · Valid until 20"),
        "{shown}"
    );
    assert_eq!(
        (shown[3].as_str(), shown[4].as_str()),
        (Some("Copy code"), Some("status"))
    );
    b.screenshot("feedback-coupon").await;
    assert_eq!(
        b.axe().await,
        Vec::<String>::new(),
        "the answer and its coupon pass axe"
    );
    b.cdp(
        "Browser.grantPermissions",
        serde_json::json!({"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}),
    )
    .await;
    b.click_in_prompt(".copy").await;
    b.wait_js(
        "the code copied",
        "var r = document.getElementById('lifeline-host').shadowRoot; return r.querySelector('.copy').textContent === 'Copied'",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(11)).await;
    assert!(
        b.prompt_title().await.is_some(),
        "a coupon stays until the visitor closes it"
    );

    // The shop's books: triaged, diagnosed, compensated; redeemed once, then 409.
    let (_, queue) = shop
        .admin("GET", "/v1/admin/sites/demo/triage?queue=compensated")
        .await;
    let row = &queue["items"][0];
    assert_eq!(
        (
            row["problem"].as_str(),
            row["signed"].as_str(),
            row["tier"].as_str(),
            row["coupon"].as_str()
        ),
        (
            Some("card-declines"),
            Some("signed"),
            Some("gold"),
            Some(code.as_str())
        ),
        "{queue}"
    );
    let redeem = format!("/v1/admin/sites/demo/coupons/{code}/redeem");
    let (status, coupon) = shop.admin("POST", &redeem).await;
    assert_eq!((status, coupon["state"].as_str()), (200, Some("redeemed")));
    let (status, refused) = shop.admin("POST", &redeem).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (409, Some("coupon_not_active"))
    );

    // What left the page: the feedback with its evidence and the signed attributes; never
    // what was typed into the form, never the code before it was minted.
    let sent: Vec<String> = shop
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.body)
        .collect();
    for body in &sent {
        assert!(
            !body.contains("Philippa") && !body.contains("Secret Lane"),
            "{body}"
        );
        assert!(
            !body.contains("SORRY-"),
            "a code never travels from the page: {body}"
        );
    }
    let feedback = sent
        .iter()
        .find(|b| b.contains("\"type\":\"feedback\""))
        .expect("the feedback sent");
    let batch: serde_json::Value = serde_json::from_str(feedback).unwrap();
    let mut fields: Vec<String> = batch.as_object().unwrap().keys().cloned().collect();
    fields.sort();
    assert_eq!(fields, ["identity", "items", "session"], "{batch}");
    let evidence = &batch["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["report"]["type"] == "feedback")
        .unwrap()["report"]["evidence"];
    let mut names: Vec<&str> = evidence
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
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
    assert!(
        evidence["here"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("repeated_action")),
        "{evidence}"
    );
    assert_eq!(evidence["tasks"][0]["task"], "checkout");

    // Another visitor, the same words: potential fraud, a neutral answer, no coupon.
    new_visitor(&b, &shop, "/demo/payment/").await;
    identify(&b, &shop, "exp=4102444800&id=c-77&tier=gold").await;
    answer(
        &b,
        1,
        COMPLAINT,
        "Thank you. We have passed this on to our team.",
    )
    .await;
    assert_eq!(
        b.js("return document.getElementById('lifeline-host').shadowRoot.querySelector('.code') === null").await,
        true
    );
    let (_, fraud) = shop
        .admin("GET", "/v1/admin/sites/demo/triage?queue=fraud")
        .await;
    assert_eq!(fraud["items"].as_array().unwrap().len(), 1, "{fraud}");
    assert_eq!(
        fraud["items"][0]["reasons"],
        serde_json::json!(["same_text:2"])
    );
    b.click_in_prompt("button.close").await;

    // Praise: a thank-you and nothing else.
    new_visitor(&b, &shop, "/demo/product/?sku=trail-jacket").await;
    answer(
        &b,
        5,
        "Lovely jacket, quick checkout",
        "Thank you for your feedback.",
    )
    .await;
    assert_eq!(
        b.js("var r = document.getElementById('lifeline-host').shadowRoot; return [r.querySelector('.answer p'), r.querySelector('.code')]").await,
        serde_json::json!([null, null])
    );
    let (_, ledger) = shop.admin("GET", "/v1/admin/sites/demo/coupons").await;
    assert_eq!(
        ledger["items"].as_array().unwrap().len(),
        1,
        "one coupon in all: {ledger}"
    );
    b.close().await;
}
