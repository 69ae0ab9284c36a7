//! Chat: a conversation between one visitor and a site's staff, opened when the visitor
//! accepts a chat offer or when staff take up an alert. It carries what reports carry (the
//! visit's random id, page path, band, signals) and then only what either side wrote: the
//! visitor's own messages, staff's messages and the cards they send (a deal, a product,
//! a call-back asked for). Nothing the visitor typed anywhere else is in it.
//!
//! A conversation is reached by its id (128 random bits, which staff see) together with
//! either the visitor's token (another 128 random bits, given only to the page that opened
//! it and stored only as a hash) or a token of the site's staff.

use serde::{Deserialize, Serialize};

/// Longest message, in characters.
pub const MAX_TEXT: usize = 2000;
/// Longest client id a message may carry (to send it again without doubling it).
pub const MAX_CLIENT_ID: usize = 64;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The visitor.
    Visitor,
    /// A member of the site's staff.
    Staff,
}

impl Side {
    /// Its name in the database and the protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Visitor => "visitor",
            Side::Staff => "staff",
        }
    }

    /// The side of a stored name.
    pub fn from_name(name: &str) -> Option<Side> {
        [Side::Visitor, Side::Staff]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// A card in a message: something to act on, drawn as a card with a button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Card {
    /// A deal from the rules' `staff.offers`: a fixed code or a coupon minted for the visitor.
    Offer {
        /// The offer's id in the rules.
        offer: String,
        /// What the visitor reads ("Free shipping on this order").
        title: String,
        /// The code.
        code: String,
        /// "10.00 EUR", "15 %" (minted coupons).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<String>,
        /// Its last day, `YYYY-MM-DD` (minted coupons).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires: Option<String>,
    },
    /// A product staff recommend: a link on the site, a title, a price.
    Product {
        /// Where it is (a path or a URL of the site's own origins).
        url: String,
        /// Its name.
        title: String,
        /// Its price as the shop writes it ("49.00 EUR").
        price: String,
    },
    /// The visitor asked to be called back (only on their explicit submit).
    Call {
        /// The number they gave.
        phone: String,
        /// When suits them, in their words ("after 5pm").
        when: String,
    },
}

/// A message as stored and sent to both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Rises by one within the site's messages (the resume point).
    pub id: i64,
    /// When the collector received it, ms since the epoch.
    pub at: u64,
    /// Who wrote it.
    pub from: Side,
    /// The member of staff's name (staff messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// What they wrote (may be empty for a card).
    pub text: String,
    /// A card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<Card>,
    /// When the visitor took the card up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<u64>,
    /// The sender's own id for it (so a sender knows its message arrived).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// A message to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    /// Who wrote it.
    pub from: Side,
    /// The member of staff's name.
    pub author: Option<String>,
    /// The text.
    pub text: String,
    /// A card.
    pub card: Option<Card>,
    /// The sender's own id for it: the same id sent again is the same message.
    pub client_id: Option<String>,
}

/// A conversation to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConversation {
    /// Its id: 32 random hex digits.
    pub id: String,
    /// The hash of the visitor's token.
    pub token_hash: [u8; 32],
    /// The visit.
    pub session: String,
    /// The page path where it opened.
    pub page: String,
    /// The band.
    pub band: String,
    /// The signals, space-separated.
    pub signals: String,
    /// The rule whose decision led to it.
    pub rule: String,
    /// The alert it came from.
    pub alert: Option<i64>,
}

/// A conversation, as staff's inbox lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// Its id.
    pub id: String,
    /// The visit.
    pub session: String,
    /// When it opened.
    pub opened: u64,
    /// The page path where it opened.
    pub page: String,
    /// The band.
    pub band: String,
    /// The signals.
    pub signals: Vec<String>,
    /// The rule.
    pub rule: String,
    /// The alert it came from.
    pub alert: Option<i64>,
    /// The member of staff who took it (the first to write).
    pub staff: Option<String>,
    /// When it was closed.
    pub closed: Option<u64>,
    /// Messages in it.
    pub messages: u32,
    /// The last message's id (0: none yet).
    pub last: i64,
    /// The last message the visitor has read.
    pub visitor_read: i64,
    /// The last message staff have read.
    pub staff_read: i64,
    /// Visitor messages staff have not read.
    pub unread: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_read_strictly_and_write_without_empty_fields() {
        let card: Card = serde_json::from_str(
            r#"{"type": "product", "url": "/p/1", "title": "Boots", "price": "49 EUR"}"#,
        )
        .unwrap();
        assert!(matches!(card, Card::Product { .. }));
        assert!(
            serde_json::from_str::<Card>(r#"{"type": "call", "phone": "1", "when": "", "x": 1}"#)
                .is_err()
        );
        let offer = Card::Offer {
            offer: "ship".into(),
            title: "Free shipping".into(),
            code: "SHIPFREE".into(),
            value: None,
            expires: None,
        };
        assert_eq!(
            serde_json::to_string(&offer).unwrap(),
            r#"{"type":"offer","offer":"ship","title":"Free shipping","code":"SHIPFREE"}"#
        );
        assert_eq!(Side::from_name("staff"), Some(Side::Staff));
    }
}
