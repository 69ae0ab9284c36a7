//! Support content for tests: a shop's delivery, promo code and payment answers, a guide
//! on the payment page, three personas.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::content::*;
use crate::markup::parse;
use crate::page::Page;

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| String::from(*s)).collect()
}

fn article(
    id: &str,
    title: &str,
    body: &str,
    keywords: &[&str],
    topics: &[&str],
    place: Place,
) -> Article {
    let blocks = parse(body).expect("valid markup");
    let mut text = String::new();
    crate::markup::plain(&blocks, &mut text);
    Article {
        id: id.into(),
        language: None,
        view: crate::view::article(id, title, &blocks),
        terms: crate::rank::terms(title, &strings(keywords), &text),
        topics: strings(topics),
        place,
    }
}

fn place(pages: &[&str], signals: &[&str], tasks: &[&str]) -> Place {
    Place {
        pages: pages.iter().map(|p| Page::Glob((*p).into())).collect(),
        signals: strings(signals),
        tasks: strings(tasks),
    }
}

fn persona(id: &str, skills: &[&str], failures_at_least: u32) -> Persona {
    let voice = |language: &str, greeting: &str| Voice {
        language: language.into(),
        view: crate::view::persona(&crate::view::Face {
            id,
            name: id,
            role: "Help",
            initials: &id[..1],
            greeting: &[greeting, id].concat(),
            ..Default::default()
        }),
    };
    Persona {
        id: id.into(),
        skills: strings(skills),
        voices: vec![voice("en", "Hi, I'm "), voice("fr", "Bonjour, je suis ")],
        audience: Audience {
            failures_at_least,
            ..Audience::default()
        },
    }
}

pub(crate) fn content() -> Support {
    Support {
        language: "en".into(),
        articles: vec![
            article(
                "delivery-times",
                "When will my order arrive?",
                "Standard delivery takes **3-5 days**.\n\n- Express: next day\n- Collection: 2 days",
                &["delivery", "shipping", "parcel", "arrive"],
                &["delivery"],
                place(&["/shipping*"], &[], &[]),
            ),
            article(
                "promo-codes",
                "Using a promo code",
                "Codes are case sensitive. See [the terms](/terms).",
                &["promo", "code", "discount", "voucher"],
                &["promo"],
                place(&["/cart*"], &["rage_click", "repeated_action"], &[]),
            ),
            article(
                "card-declined",
                "My card was declined",
                "Check the card number and expiry date, then try again.",
                &["card", "declined", "payment", "bank"],
                &["payment"],
                place(&["/payment*"], &["repeated_action"], &["checkout"]),
            ),
            article(
                "payment-security",
                "Secure payment checks",
                "Your bank may ask you to confirm the payment in its app.",
                &["verification", "secure", "bank"],
                &["payment"],
                place(&["/payment*"], &[], &[]),
            ),
            article(
                "returns",
                "Returning an item",
                "You have 30 days to return an item.",
                &["return", "refund"],
                &["returns"],
                Place::default(),
            ),
        ],
        guides: vec![Guide {
            id: "pay-guide".into(),
            language: None,
            topics: strings(&["payment"]),
            place: place(&["/payment*"], &[], &[]),
            view: crate::view::guide(
                "pay-guide",
                "Paying by card",
                &[
                    Step {
                        target: Target::Marker("card".into()),
                        title: "Your card number".into(),
                        body: "The 16 digits on the front.".into(),
                    },
                    Step {
                        target: Target::Selector("#expiry".into()),
                        title: "Expiry".into(),
                        body: "MM/YY".into(),
                    },
                    Step {
                        target: Target::Selector("#place-order".into()),
                        title: "Pay".into(),
                        body: "Press once.".into(),
                    },
                ],
            ),
        }],
        personas: vec![
            persona("lea", &[], 1),
            persona("ana", &["payment", "promo"], 0),
            persona("max", &["delivery"], 0),
        ],
        escalation: Escalation {
            channels: vec![Channel::Chat, Channel::Email],
            email: Some("help@shop.example".into()),
            ..Escalation::default()
        }
        .viewed(),
        words: vec![Words {
            language: "en".into(),
            view: crate::view::words(&crate::words::words_for("en", core::iter::empty())),
        }],
    }
}
