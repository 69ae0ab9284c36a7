//! `staff`: how the shop's staff hear of alerts beyond the live dashboard — a signed webhook
//! in Lifeline's JSON, one in Slack's form — and how many a minute before a digest. Read by
//! the collector only.

use super::super::declare::json_object;

json_object! {
    #[defaults]
    /// Alert notifications.
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
    }
}
