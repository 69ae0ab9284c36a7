//! What triage keeps: each feedback's verdict ([`TriageRecord`]), the coupons minted
//! ([`Coupon`], the ledger), known problems tallied ([`ProblemTally`]), and what ingesting a
//! batch needs to triage it ([`Intake`]).

use std::sync::Arc;

use lifeline_shared::rules::Triage;
use serde::Serialize;

/// What a batch is stored with.
#[derive(Debug, Clone, Default)]
pub struct Intake {
    /// When the collector received it, ms since the epoch.
    pub received: u64,
    /// The client's network address, hashed with the site's secret (never stored plain).
    pub address: String,
    /// The site's triage rules; feedback is stored untriaged without.
    pub triage: Option<Arc<Triage>>,
    /// The site's signing secret.
    pub secret: Vec<u8>,
}

impl Intake {
    /// Stored as is, without triage.
    pub fn plain(received: u64) -> Intake {
        Intake {
            received,
            ..Intake::default()
        }
    }
}

/// Where a coupon stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CouponState {
    /// Minted, not used, not expired.
    Active,
    /// Used once, through the admin API.
    Redeemed,
    /// Past its date.
    Expired,
    /// Withdrawn by the shop.
    Revoked,
}

impl CouponState {
    /// Its name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            CouponState::Active => "active",
            CouponState::Redeemed => "redeemed",
            CouponState::Expired => "expired",
            CouponState::Revoked => "revoked",
        }
    }

    /// By name.
    pub fn from_name(name: &str) -> Option<CouponState> {
        [
            CouponState::Active,
            CouponState::Redeemed,
            CouponState::Expired,
            CouponState::Revoked,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// A coupon in the ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coupon {
    /// The code.
    pub code: String,
    /// The problem it makes up for.
    pub problem: String,
    /// `amount` or `percent`.
    pub kind: String,
    /// How much.
    pub value: f64,
    /// The currency of an amount.
    pub currency: Option<String>,
    /// When minted, ms since the epoch.
    pub minted: u64,
    /// When it expires.
    pub expires: u64,
    /// When redeemed.
    pub redeemed: Option<u64>,
    /// When revoked.
    pub revoked: Option<u64>,
    /// Where it stands now.
    pub state: CouponState,
    /// The feedback's report key.
    pub key: String,
}

/// Which coupons to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CouponFilter {
    /// In this state only.
    pub state: Option<CouponState>,
    /// Minted at or after.
    pub from: Option<u64>,
    /// Minted before.
    pub to: Option<u64>,
}

/// A page of the ledger with totals over every coupon the filter matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CouponPage {
    /// The coupons, newest first.
    pub items: Vec<Coupon>,
    /// Pass as `cursor` for the next page.
    pub next: Option<String>,
    /// Counts and values by state.
    pub totals: Vec<CouponTotal>,
}

/// Coupons in one state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CouponTotal {
    /// The state.
    pub state: CouponState,
    /// How many.
    pub count: u64,
    /// Their total value.
    pub value: f64,
}

/// Which triaged feedback to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Negative.
    Negative,
    /// Not supported by its visit.
    Invalid,
    /// Potential fraud.
    Fraud,
    /// A coupon was minted.
    Compensated,
}

impl Queue {
    /// By name.
    pub fn from_name(name: &str) -> Option<Queue> {
        Some(match name {
            "negative" => Queue::Negative,
            "invalid" => Queue::Invalid,
            "fraud" => Queue::Fraud,
            "compensated" => Queue::Compensated,
            _ => return None,
        })
    }
}

/// Filters on triaged feedback.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TriageFilter {
    /// One queue.
    pub queue: Option<Queue>,
    /// One known problem.
    pub problem: Option<String>,
    /// Received at or after.
    pub from: Option<u64>,
    /// Received before.
    pub to: Option<u64>,
}

/// A feedback and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriageRecord {
    /// The report's store id (the cursor).
    pub id: i64,
    /// Its key.
    pub key: String,
    /// When received.
    pub received: u64,
    /// Where it was sent from.
    pub page: String,
    /// The rule whose prompt asked.
    pub rule: String,
    /// 1 to 5.
    pub rating: Option<u8>,
    /// Up or down.
    pub thumbs: Option<bool>,
    /// What the visitor typed.
    pub comment: Option<String>,
    /// `positive`, `neutral` or `negative`.
    pub sentiment: String,
    /// Supported by its visit.
    pub valid: bool,
    /// Potential fraud.
    pub fraud: bool,
    /// Why invalid or fraud (`same_text:3`, `unsupported:ID`...).
    pub reasons: Vec<String>,
    /// The known problem.
    pub problem: Option<String>,
    /// The visitor was told of it.
    pub disclosed: bool,
    /// `signed`, `unsigned`, `expired` or `bad`.
    pub signed: String,
    /// The signed tier.
    pub tier: Option<String>,
    /// Cost times value, when a coupon was due.
    pub worth: Option<f64>,
    /// The coupon minted.
    pub coupon: Option<String>,
    /// What happened: `thanks`, `noted`, `disclosed`, `coupon`, `not_minted:REASON`,
    /// `neutral` (fraud).
    pub outcome: String,
}

/// A page of triaged feedback.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriagePage {
    /// Newest first.
    pub items: Vec<TriageRecord>,
    /// Pass as `cursor` for the next page.
    pub next: Option<String>,
}

/// A known problem, by how many it hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemTally {
    /// Its id.
    pub problem: String,
    /// Distinct visitors who reported it.
    pub visitors: u64,
    /// Feedback diagnosed as it.
    pub feedback: u64,
    /// What it cost them: the problem's cost summed over its visitors.
    pub cost: f64,
    /// Coupons minted for it.
    pub coupons: u64,
    /// Their total value.
    pub coupon_value: f64,
}
