//! `staff`: how the shop's staff hear of alerts beyond the live dashboard — a signed webhook
//! in Lifeline's JSON, one in Slack's form — and how many a minute before a digest; and the
//! deals they may offer in a chat. Read by the collector only.

use crate::prelude::*;

use super::super::declare::json_object;

json_object! {
    #[defaults]
    /// Alert notifications and chat offers.
    pub struct StaffSpec {
        /// An `https://` URL told of each alert raised, escalated, acknowledged or expired,
        /// signed with the site's secret (`http://localhost:PORT/...` too, to try it out).
        pub webhook: Option<String> = None,
        /// A Slack incoming-webhook URL (or any that takes `{"text": ...}`) told of each
        /// alert raised or escalated.
        pub slack_webhook: Option<String> = None,
        /// At most this many alerts a minute are told one by one; past it, one digest a
        /// minute says how many more and where.
        pub alerts_per_minute: u32 [1..=600] = 6,
        /// Deals staff may send a visitor in a chat: a fixed code from the shop, or a coupon
        /// the collector mints for that visitor alone.
        pub offers: Vec<OfferSpec> = Vec::new(),
    }
}

json_object! {
    /// A deal staff may send in a chat, as a card with a button.
    pub struct OfferSpec {
        /// Its id, which staff pick (`free-shipping`).
        pub id: String,
        /// What the visitor reads on the card ("Free shipping on this order").
        pub title: String,
        /// A fixed code from the shop (`SHIPFREE`).
        pub code: Option<String> = None,
        /// Or a coupon minted for the visitor, each their own code.
        pub coupon: Option<super::feedback::CouponSpec> = None,
    }
}
