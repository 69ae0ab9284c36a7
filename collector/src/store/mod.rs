//! [`Store`]: where sites, their rules (every version) and their reports are kept, with
//! feedback's verdicts and coupons, the staff and their alerts.
//!
//! - [`Database`]: the store, on one of two engines, side by side: [`sqlite`] (embedded,
//!   the default) and [`postgres`] (several collectors on one database).
//! - [`sql`]: the SQL both engines run, written once.
//! - [`writer`]: each engine's writer thread, committing in groups; a write is
//!   acknowledged once it is durable. [`waiting`]: report batches with nothing to triage,
//!   gathered into one job per site. [`readers`]: each engine's pool of reading connections.
//! - [`ledger`]: triaged feedback and the coupon ledger, as the admin API lists them.
//! - [`staff`]: accounts, roles and presence.
//! - [`alerts`]: alerts and how they are routed.
//! - [`chat`]: conversations between a visitor and the staff, their messages and cards.
//!
//! The trait is what the routes use; the same tests run on both engines.

pub mod alerts;
pub mod chat;
pub mod database;
pub mod ledger;
pub mod postgres;
pub mod readers;
pub mod sql;
pub mod sqlite;
pub mod staff;
pub mod waiting;
pub mod writer;

use std::future::Future;
use std::sync::Arc;

use lifeline_shared::rules::Triage;
use lifeline_shared::wire::ReportBatch;
use serde::Serialize;

pub use alerts::{Alert, AlertState, NewAlert};
pub use chat::{Card, Conversation, Message, NewConversation, NewMessage, Side};
pub use database::{Database, redacted};
pub use ledger::{
    Coupon, CouponFilter, CouponPage, CouponState, CouponTotal, Intake, ProblemTally, Queue,
    TriageFilter, TriagePage, TriageRecord,
};
pub use staff::{NewStaff, Role, StaffMember, Status};

/// What can go wrong in a store.
#[derive(Debug)]
pub enum StoreError {
    /// No such site.
    UnknownSite,
    /// A site of that name exists already.
    SiteExists,
    /// No such rules version.
    UnknownVersion(u32),
    /// The database failed.
    Database(String),
    /// The store is shutting down or its writer is gone.
    Closed,
    /// No such coupon for the site.
    UnknownCoupon,
    /// The coupon cannot be redeemed or revoked: it is not active.
    CouponNotActive(CouponState),
    /// A member of staff of that name exists already.
    StaffExists,
    /// No such member of staff.
    UnknownStaff,
    /// No such alert.
    UnknownAlert,
    /// The alert was acknowledged or expired already.
    AlertClosed(AlertState),
    /// No such conversation for the site.
    UnknownConversation,
    /// The conversation was closed.
    ConversationClosed,
    /// No card of staff's to take up in that message (or it is not the conversation's).
    NoCard,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::UnknownSite => write!(f, "no such site"),
            StoreError::SiteExists => write!(f, "a site of that name exists already"),
            StoreError::UnknownVersion(v) => write!(f, "no rules version {v}"),
            StoreError::Database(e) => write!(f, "database: {e}"),
            StoreError::Closed => write!(f, "the store is closed"),
            StoreError::UnknownCoupon => write!(f, "no such coupon"),
            StoreError::CouponNotActive(state) => write!(f, "the coupon is {}", state.as_str()),
            StoreError::StaffExists => write!(f, "a member of staff of that name exists already"),
            StoreError::UnknownStaff => write!(f, "no such member of staff"),
            StoreError::UnknownAlert => write!(f, "no such alert"),
            StoreError::AlertClosed(_) => write!(f, "the alert is closed"),
            StoreError::UnknownConversation => write!(f, "no such conversation"),
            StoreError::ConversationClosed => write!(f, "the conversation is closed"),
            StoreError::NoCard => write!(f, "no card to take up in that message"),
        }
    }
}

impl std::error::Error for StoreError {}

/// A site: its name, allowed page origins and the hash of its admin token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The id in `data-site` and in URLs.
    pub name: String,
    /// Origins (`https://shop.example`) whose pages may fetch rules and send reports.
    pub origins: Vec<String>,
    /// SHA-256 of the admin token (the token itself is never stored).
    pub token_hash: [u8; 32],
    /// The rules version served, if any.
    pub active_rules: Option<u32>,
    /// The secret the shop's backend signs visitor attributes with (and webhooks are
    /// signed with); empty until one is made.
    pub secret: Vec<u8>,
}

/// One version of a site's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RulesVersion {
    /// 1, 2, 3, ...
    pub version: u32,
    /// When it was stored, ms since the epoch.
    pub created: u64,
    /// The JSON as the site owner wrote it.
    #[serde(skip)]
    pub json: String,
    /// The checked, compiled form the agent decodes.
    #[serde(skip)]
    pub compiled: String,
    /// The ETag it is served with.
    pub etag: String,
}

impl RulesVersion {
    /// This version as this build serves it: rules compiled by an older collector (whose
    /// compiled form this build's agent cannot decode) are compiled again from their JSON,
    /// with a new ETag, so an upgrade never leaves pages without rules.
    pub fn current(mut self) -> RulesVersion {
        if lifeline_shared::Rules::from_compiled(&self.compiled).is_none()
            && let Ok(rules) = lifeline_shared::Rules::from_json_str(&self.json)
        {
            self.compiled = rules.to_compiled();
            self.etag = rules_etag(self.version, &self.compiled);
        }
        self
    }
}

/// What a version says of alerts: the rules that alert the staff (id, least decision value
/// in percent, window to acknowledge in ms), and how staff hear of them (`staff`).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRules {
    /// The alerting rules.
    pub rules: Vec<(String, u8, u64)>,
    /// The `staff` section.
    pub staff: lifeline_shared::rules::spec::StaffSpec,
}

impl RulesVersion {
    /// This version's alerting rules and staff notifications, checked from its JSON.
    pub fn alert_rules(&self) -> AlertRules {
        let checked = lifeline_shared::Checked::from_json_str(&self.json).ok();
        AlertRules {
            rules: (checked.iter().flat_map(|c| c.rules.rules.iter()))
                .filter_map(|r| {
                    let (least, window_s) = r.alert?;
                    Some((
                        r.id.clone(),
                        (least * 100.0) as u8,
                        u64::from(window_s) * 1000,
                    ))
                })
                .collect(),
            staff: checked.and_then(|c| c.staff).unwrap_or_default(),
        }
    }
}

/// The triage rules (`feedback` section) of a rules version.
#[derive(Debug, Clone, PartialEq)]
pub struct TriageVersion {
    /// The checked section; `None` when the rules have none.
    pub triage: Option<Arc<Triage>>,
}

impl RulesVersion {
    /// This version's `feedback` section, checked from its JSON.
    pub fn triage(&self) -> TriageVersion {
        TriageVersion {
            triage: lifeline_shared::Checked::from_json_str(&self.json)
                .ok()
                .and_then(|c| c.triage)
                .map(Arc::new),
        }
    }
}

/// The support content of a rules version, as the support module reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportVersion {
    /// The compact form; `None` when the rules have no `support` section.
    pub bytes: Option<Vec<u8>>,
    /// The ETag it is served with.
    pub etag: String,
}

impl RulesVersion {
    /// This version's support content, checked from its JSON.
    pub fn support(&self) -> SupportVersion {
        let bytes = lifeline_shared::Checked::from_json_str(&self.json)
            .ok()
            .and_then(|c| c.support)
            .map(|s| lifeline_support::codec::encode(&s));
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(bytes.as_deref().unwrap_or_default());
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        SupportVersion {
            etag: format!("\"s{}-{hex}\"", self.version),
            bytes,
        }
    }
}

/// The ETag of a rules version: its number and a digest of its compiled form.
pub fn rules_etag(version: u32, compiled: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(compiled.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"r{version}-{hex}\"")
}

/// What a batch did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Ingested {
    /// Reports stored now.
    pub stored: u32,
    /// Reports already stored before (same idempotency key).
    pub duplicates: u32,
    /// What each feedback's visitor is told (also for a feedback sent again).
    pub answers: Vec<crate::triage::answer::Answer>,
    /// Coupons minted for this batch (for the site's webhook).
    pub minted: Vec<Coupon>,
    /// The positions in the batch of the reports stored now (not repeats).
    pub fresh: Vec<usize>,
}

/// A decision or feedback as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredReport {
    /// Store id (also the cursor).
    pub id: i64,
    /// The idempotency key.
    pub key: String,
    /// The visit.
    pub session: String,
    /// When the visitor's browser made it, ms since the epoch.
    pub at: u64,
    /// When the collector stored it, ms since the epoch.
    pub received: u64,
    /// Page path.
    pub page: String,
    /// `decision` or `feedback`.
    #[serde(rename = "type")]
    pub kind_of_report: ReportType,
    /// Rule id.
    pub rule: String,
    /// Prompt id.
    pub prompt: String,
    /// Prompt kind (decisions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `None` when shown; how it ended otherwise (decisions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Coarse score band (decisions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<String>,
    /// Signal names (decisions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signals: Option<Vec<String>>,
    /// 1 to 5 (feedback).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
    /// Thumbs up or down (feedback).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbs: Option<bool>,
    /// What the visitor typed (feedback).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The persona speaking (support).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persona: Option<String>,
    /// The article (support).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// The guide (support).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guide: Option<String>,
    /// The guide's step, from 1 (support).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<u8>,
    /// Where the visitor was referred (support).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

/// Decisions or feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportType {
    /// A prompt shown or ended.
    Decision,
    /// What a visitor answered.
    Feedback,
    /// A step of a support session (`outcome` holds the event).
    Support,
}

impl ReportType {
    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportType::Decision => "decision",
            ReportType::Feedback => "feedback",
            ReportType::Support => "support",
        }
    }
}

/// Which reports to list or count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    /// Decisions or feedback (both when `None`).
    pub report_type: Option<ReportType>,
    /// Received at or after, ms since the epoch.
    pub from: Option<u64>,
    /// Received before, ms since the epoch.
    pub to: Option<u64>,
    /// One rule.
    pub rule: Option<String>,
    /// One page path.
    pub page: Option<String>,
    /// One prompt kind.
    pub kind: Option<String>,
}

/// A page of reports, newest first, and the cursor of the next (older) page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportPage {
    /// The reports.
    pub items: Vec<StoredReport>,
    /// Pass as `cursor` for the next page; `None` on the last.
    pub next: Option<String>,
}

/// How the prompts of one rule or one page did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tally {
    /// The rule id or page path.
    pub name: String,
    /// Prompts shown.
    pub shown: u64,
    /// Closed by the visitor.
    pub dismissed: u64,
    /// Used (a link, chat, call, offer).
    pub engaged: u64,
    /// Answered (feedback sent).
    pub completed: u64,
    /// Left behind.
    pub ignored: u64,
    /// Feedback received.
    pub feedback: u64,
    /// Average rating of that feedback, when any was rated.
    pub average_rating: Option<f64>,
}

/// How support sessions did for one page, article or persona.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupportTally {
    /// The page path, article id or persona id.
    pub name: String,
    /// Sessions started.
    pub started: u64,
    /// Articles opened.
    pub opened: u64,
    /// Sessions that helped.
    pub resolved: u64,
    /// Sessions that did not.
    pub failed: u64,
    /// Referrals to a person (after a failure, or asked for at once).
    pub escalated: u64,
    /// resolved / (resolved + failed), when any was judged.
    pub resolution_rate: Option<f64>,
}

/// Support sessions by page, by article and by persona.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupportStats {
    /// By page.
    pub pages: Vec<SupportTally>,
    /// By article (the one shown last when the session ended).
    pub articles: Vec<SupportTally>,
    /// By persona.
    pub personas: Vec<SupportTally>,
}

/// Per-rule and per-page tallies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// By rule.
    pub rules: Vec<Tally>,
    /// By page.
    pub pages: Vec<Tally>,
    /// Support sessions.
    pub support: SupportStats,
}

/// What a chart's lines are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesBy {
    /// One line per rule.
    Rule,
    /// One line per page.
    Page,
}

/// One rule's or page's counts in one stretch of time (a chart's point).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Point {
    /// The rule id or page path.
    pub name: String,
    /// The stretch's start, ms since the epoch (a multiple of its length).
    pub at: u64,
    /// Prompts shown.
    pub shown: u64,
    /// Prompts used or answered.
    pub engaged: u64,
    /// Feedback received.
    pub feedback: u64,
}

/// Where sites, rules and reports are kept. Every write is durable when its future resolves.
pub trait Store: Send + Sync + 'static {
    /// Adds a site.
    fn add_site(&self, site: Site) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A site by name.
    fn site(&self, name: &str) -> impl Future<Output = Result<Option<Site>, StoreError>> + Send;
    /// Every site.
    fn sites(&self) -> impl Future<Output = Result<Vec<Site>, StoreError>> + Send;
    /// Replaces a site's admin token hash.
    fn set_token(
        &self,
        name: &str,
        token_hash: [u8; 32],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Replaces the origins whose pages may use a site.
    fn set_origins(
        &self,
        name: &str,
        origins: Vec<String>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Stores a new rules version and serves it; returns its number.
    fn put_rules(
        &self,
        site: &str,
        json: String,
        compiled: String,
    ) -> impl Future<Output = Result<u32, StoreError>> + Send;
    /// Serves an earlier version again (a rollback).
    fn activate_rules(
        &self,
        site: &str,
        version: u32,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One version, or the one served when `version` is `None`.
    fn rules(
        &self,
        site: &str,
        version: Option<u32>,
    ) -> impl Future<Output = Result<Option<RulesVersion>, StoreError>> + Send;
    /// Every version, oldest first.
    fn rules_versions(
        &self,
        site: &str,
    ) -> impl Future<Output = Result<Vec<RulesVersion>, StoreError>> + Send;
    /// Stores a checked batch, dropping reports whose key is stored already.
    fn ingest(
        &self,
        site: &str,
        batch: ReportBatch,
        received: u64,
    ) -> impl Future<Output = Result<Ingested, StoreError>> + Send {
        self.ingest_with(site, batch, Intake::plain(received))
    }
    /// Stores a checked batch and, in the same transaction, triages its new feedback with
    /// `intake.triage` (minting coupons within the caps and budget).
    fn ingest_with(
        &self,
        site: &str,
        batch: ReportBatch,
        intake: Intake,
    ) -> impl Future<Output = Result<Ingested, StoreError>> + Send;
    /// A page of triaged feedback, newest first, older than `cursor`.
    fn triage(
        &self,
        site: &str,
        filter: TriageFilter,
        cursor: Option<i64>,
        limit: u32,
    ) -> impl Future<Output = Result<TriagePage, StoreError>> + Send;
    /// Known problems by how many visitors they hit, with what they cost.
    fn problems(
        &self,
        site: &str,
        filter: TriageFilter,
    ) -> impl Future<Output = Result<Vec<ProblemTally>, StoreError>> + Send;
    /// A page of the coupon ledger, newest first, with totals over every match.
    fn coupons(
        &self,
        site: &str,
        filter: CouponFilter,
        cursor: Option<String>,
        limit: u32,
        now: u64,
    ) -> impl Future<Output = Result<CouponPage, StoreError>> + Send;
    /// Marks an active coupon redeemed at `now`; a second call is refused.
    fn redeem(
        &self,
        site: &str,
        code: &str,
        now: u64,
    ) -> impl Future<Output = Result<Coupon, StoreError>> + Send;
    /// Revokes an active coupon at `now`.
    fn revoke(
        &self,
        site: &str,
        code: &str,
        now: u64,
    ) -> impl Future<Output = Result<Coupon, StoreError>> + Send;
    /// The site's signing secret; a new one when `rotate` or when it has none.
    fn secret(
        &self,
        site: &str,
        rotate: bool,
    ) -> impl Future<Output = Result<Vec<u8>, StoreError>> + Send;
    /// A page of reports, newest first, older than `cursor`.
    fn reports(
        &self,
        site: &str,
        filter: ReportFilter,
        cursor: Option<i64>,
        limit: u32,
    ) -> impl Future<Output = Result<ReportPage, StoreError>> + Send;
    /// Tallies by rule and by page.
    fn stats(
        &self,
        site: &str,
        filter: ReportFilter,
    ) -> impl Future<Output = Result<Stats, StoreError>> + Send;
    /// Counts over time by rule or by page (`by`), in stretches of `bucket_ms`.
    fn series(
        &self,
        site: &str,
        filter: ReportFilter,
        by: SeriesBy,
        bucket_ms: u64,
    ) -> impl Future<Output = Result<Vec<Point>, StoreError>> + Send;
    /// Adds a member of staff to a site.
    fn add_staff(
        &self,
        site: &str,
        staff: NewStaff,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Removes a member of staff.
    fn remove_staff(
        &self,
        site: &str,
        name: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The site's staff with their presence at `now`, and each one's token hash.
    fn staff(
        &self,
        site: &str,
        now: u64,
    ) -> impl Future<Output = Result<Vec<(StaffMember, [u8; 32])>, StoreError>> + Send;
    /// A heartbeat: `name` is `status` at `now`.
    fn heartbeat(
        &self,
        site: &str,
        name: &str,
        status: Status,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Raises an alert at `now`, routed to the member of staff who should take it; `None`
    /// when its decision raised one already.
    fn raise_alert(
        &self,
        site: &str,
        alert: NewAlert,
        now: u64,
    ) -> impl Future<Output = Result<Option<Alert>, StoreError>> + Send;
    /// `by` takes up an open alert at `now`.
    fn ack_alert(
        &self,
        site: &str,
        id: i64,
        by: &str,
        now: u64,
    ) -> impl Future<Output = Result<Alert, StoreError>> + Send;
    /// Every site's open alerts past their window at `now` go to the next member of staff,
    /// or expire; the alerts changed, by site.
    fn escalate(
        &self,
        now: u64,
    ) -> impl Future<Output = Result<Vec<(String, Alert)>, StoreError>> + Send;
    /// A site's alerts, newest first (the open ones only, when `open`).
    fn alerts(
        &self,
        site: &str,
        open: bool,
    ) -> impl Future<Output = Result<Vec<Alert>, StoreError>> + Send;
    /// Opens a conversation at `now`.
    fn open_conversation(
        &self,
        site: &str,
        new: NewConversation,
        now: u64,
    ) -> impl Future<Output = Result<Conversation, StoreError>> + Send;
    /// A conversation of the site, with the hash of its visitor's token.
    fn conversation(
        &self,
        site: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<(Conversation, [u8; 32])>, StoreError>> + Send;
    /// The site's conversations, newest first (the open ones only, when `open`).
    fn conversations(
        &self,
        site: &str,
        open: bool,
    ) -> impl Future<Output = Result<Vec<Conversation>, StoreError>> + Send;
    /// Adds a message at `now` (minting the coupon of an offer card with `mint`, in the same
    /// transaction); a message whose client id was seen already is not added again: then the
    /// stored one and `false`.
    fn post_message(
        &self,
        site: &str,
        conversation: &str,
        message: NewMessage,
        mint: Option<lifeline_shared::rules::spec::CouponSpec>,
        now: u64,
    ) -> impl Future<Output = Result<(Message, bool), StoreError>> + Send;
    /// A conversation's messages after id `after`, oldest first, at most `limit`.
    fn messages(
        &self,
        site: &str,
        conversation: &str,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Message>, StoreError>> + Send;
    /// `side` has read up to message `upto`; the read mark as stored (it never goes back).
    fn mark_read(
        &self,
        site: &str,
        conversation: &str,
        side: Side,
        upto: i64,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// The visitor takes up the card in message `id` at `now` (once; again: as it was).
    fn accept_card(
        &self,
        site: &str,
        conversation: &str,
        id: i64,
        now: u64,
    ) -> impl Future<Output = Result<Message, StoreError>> + Send;
    /// Closes a conversation at `now` (closed already: as it was).
    fn close_conversation(
        &self,
        site: &str,
        conversation: &str,
        now: u64,
    ) -> impl Future<Output = Result<Conversation, StoreError>> + Send;
    /// The site's VAPID private key (32 bytes), made the first time.
    fn push_key(&self, site: &str) -> impl Future<Output = Result<Vec<u8>, StoreError>> + Send;
    /// Keeps a member of staff's push subscription.
    fn subscribe_push(
        &self,
        site: &str,
        staff: &str,
        subscription: crate::push::Subscription,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Forgets a push subscription; whether there was one.
    fn unsubscribe_push(
        &self,
        site: &str,
        endpoint: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The site's push subscriptions, each with its member of staff.
    fn push_subscriptions(
        &self,
        site: &str,
    ) -> impl Future<Output = Result<Vec<(String, crate::push::Subscription)>, StoreError>> + Send;
    /// Collector `id` is alive at `now`; how many collectors share the database.
    fn collector_alive(
        &self,
        id: &str,
        now: u64,
    ) -> impl Future<Output = Result<u32, StoreError>> + Send;
    /// Deletes reports received before `cutoff`; returns how many.
    fn purge(&self, cutoff: u64) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Batches waiting for the writer.
    fn queue_depth(&self) -> usize;
}
