//! `feedback`: what the collector does with the feedback visitors send — which is negative,
//! which the visit's evidence supports, which looks like gaming for coupons, the catalogue
//! of known problems (diagnosis and disclosure), and compensation. Read by the collector
//! only: never part of what the agent fetches.

use crate::prelude::*;

use alloc::collections::BTreeMap;

use super::super::declare::{json_enum, json_object};
use crate::page::PageMatch;
use crate::signals::Signal;

json_object! {
    #[defaults]
    /// Triage of feedback at the collector.
    pub struct TriageSpec {
        /// A rating at most this is negative (a higher one positive; 3 of 5 is judged by
        /// the comment's words when the default 2 is kept).
        pub negative_rating_at_most: u32 [1..=4] = 2,
        /// Words that make a comment negative, by language tag, over the built-in ones
        /// (English, German, French, Spanish); at most 64 per language, 40 characters each.
        pub negative_words: BTreeMap<String, Vec<String>> = BTreeMap::new(),
        /// A negative answer sent sooner than this after the prompt showed, from a visit
        /// with no signal at all, is not supported by the visit.
        pub quick_answer_s: u32 [0..=120] = 3,
        /// Known problems, at most 64: the first whose evidence matches is the diagnosis.
        pub problems: Vec<ProblemSpec> = Vec::new(),
        /// When feedback is potential fraud.
        pub fraud: FraudSpec = FraudSpec::default(),
        /// Coupons for visitors a problem cost, by what they are worth to the shop; none
        /// when absent.
        pub compensation: Option<CompensationSpec> = None,
    }
}

json_object! {
    /// A known problem: where and how it shows in a visit, whether the visitor may be told,
    /// and what it costs them.
    pub struct ProblemSpec {
        /// A unique id (on the dashboard and in the API).
        pub id: String,
        /// What went wrong, at most 120 characters (shown to the visitor when disclosed).
        pub title: String,
        /// What the shop is doing about it, at most 300 characters (shown when disclosed).
        pub message: Option<String> = None,
        /// The visit was on one of these pages (where the feedback was sent, or where a
        /// signal fired), when any are listed; at most 16.
        pub pages: Vec<PageMatch> = Vec::new(),
        /// One of these signals fired in the visit, when any are listed; at most 16.
        pub signals: Vec<Signal> = Vec::new(),
        /// One of these tasks was under way or completed, when any are listed; at most 16.
        pub tasks: Vec<String> = Vec::new(),
        /// Words of the comment that name this problem, at most 16 of 40 characters: a
        /// comment naming it from a visit that shows none of it is not supported.
        pub keywords: Vec<String> = Vec::new(),
        /// Whether the visitor may be told (`title` and `message`).
        pub disclose: bool = false,
        /// What it costs the visitor, from 0 (nothing) to 10 (a lost order).
        pub cost: f64 [0.0..=10.0] = 0.0,
    }
}

json_object! {
    #[defaults]
    /// When feedback is potential fraud: reported on the dashboard with the reasons, never
    /// compensated, and answered neutrally.
    pub struct FraudSpec {
        /// The same comment from at least this many visits within 7 days.
        pub same_text_visits: u32 [2..=1000] = 3,
        /// More than this many negative answers from one visitor (signed id, else the
        /// visit) in a day.
        pub per_visitor_day: u32 [1..=1000] = 3,
        /// More than this many negative answers from one network address in a day.
        pub per_address_day: u32 [1..=100000] = 10,
        /// Words that ask for compensation, over the built-in ones (coupon, voucher,
        /// discount, refund... in English, German, French, Spanish); a comment asking for
        /// it that the visit does not support is potential fraud. At most 64 of 40 characters.
        pub coupon_words: Vec<String> = Vec::new(),
    }
}

json_object! {
    /// Compensation: a coupon when a problem's cost times the visitor's value reaches the
    /// threshold, within caps and a daily budget.
    pub struct CompensationSpec {
        /// `cost` (0 to 10) times the visitor's value (their signed tier's value in
        /// `scoring.value.tiers`, 0 to 1; unsigned or expired: the lowest tier's) at least this.
        pub threshold: f64 [0.0..=10.0],
        /// The coupon minted.
        pub coupon: CouponSpec,
        /// Most coupons one visitor (signed id, else the visit) gets in 30 days.
        pub per_visitor: u32 [1..=100] = 1,
        /// Most coupons the site mints in a day (UTC).
        pub per_day: u32 [1..=1000000] = 100,
        /// Most total coupon value in a day (UTC), in the coupon's unit (currency, or
        /// percentage points).
        pub daily_budget: f64 [0.0..=1000000000.0] = 1000.0,
        /// An `https://` URL told of each coupon minted, signed with the site's secret
        /// (`http://localhost:PORT/...` too, to try it out).
        pub webhook: Option<String> = None,
    }
}

json_enum! {
    /// What a coupon takes off.
    pub enum CouponKind {
        /// An amount in `currency`.
        Amount = "amount",
        /// A percentage of the order.
        Percent = "percent",
    }
}

json_object! {
    /// A coupon's terms.
    pub struct CouponSpec {
        /// An amount or a percentage (`amount` or `percent`).
        pub kind: CouponKind,
        /// How much (an amount, or percent from 1 to 100).
        pub value: f64 [0.01..=100000.0],
        /// The currency (ISO 4217, like `EUR`) of an amount.
        pub currency: Option<String> = None,
        /// Days until it expires.
        pub valid_days: u32 [1..=365] = 30,
        /// Start of every code, at most 12 of `A-Z 0-9 -`.
        pub prefix: String = String::new(),
    }
}
