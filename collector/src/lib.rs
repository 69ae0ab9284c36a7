//! Lifeline's collector: the small server a shop runs (or we host). It serves the agent and
//! each site's checked rules, stores the decisions and feedback agents send (and nothing
//! else), triages feedback while the visitor waits, alerts the shop's staff in real time,
//! and gives the site owner an admin API behind a per-site token.
//!
//! - [`routes`]: the HTTP API. Public: the agent's files, a site's rules, report batches,
//!   staff availability, `/healthz`, `/metrics`. Admin (Bearer token): rules with every
//!   version and rollback, decisions and feedback with filters, cursor pages and CSV,
//!   per-rule and per-page stats, triage, problems, coupons. Staff (their own tokens):
//!   presence, alerts, the live event stream, the chat inbox and transcripts. Chat: a
//!   WebSocket per conversation for the visitor and the staff.
//! - [`store`]: the [`Store`](store::Store) trait and [`store::Database`], on SQLite (the
//!   default) or PostgreSQL (several collectors on one database), one writer each
//!   committing in groups (an acknowledged batch is durable).
//! - [`server`]: [`server::serve`], the collector as `serve` runs it: the HTTP server with
//!   its timeouts and bounded graceful stop, and the work done in the background.
//! - [`assets`]: the agent's files, precompressed, with ETags and long caching.
//! - [`cache`]: sites and served rules kept in memory for a few seconds.
//! - [`chat`]: the chat's frames, read strictly and checked before anything is stored.
//! - [`live`]: live events for staff (decisions, alerts, presence, conversations) and each
//!   conversation's own (messages, typing, read marks), through one `Broadcast`: within
//!   the process, or between collectors through PostgreSQL's LISTEN/NOTIFY.
//! - [`limit`]: per-address, per-site rate limiting.
//! - [`proxy`]: the reverse proxies whose `X-Forwarded-For` gives the client's address.
//! - [`metrics`]: Prometheus counters.
//! - [`token`]: admin tokens, stored only as hashes.
//! - [`error`]: one JSON error shape for every refusal.
//! - [`site`]: what a site name and an origin may be.
//! - [`triage`]: feedback judged while the visitor waits: negative, valid, potential fraud,
//!   the known problem, disclosure, compensation.
//! - [`push`]: Web Push of alerts to staff's phones (RFC 8291, VAPID).
//! - [`webhook`]: coupons minted and alerts, told to the shop's platform (and Slack),
//!   signed; past a rate, a digest.
//! - [`trial`]: `rules try`, recorded sessions replayed against a rules file, as text.

pub mod assets;
pub mod cache;
pub mod chat;
pub mod error;
pub mod limit;
pub mod live;
pub mod metrics;
pub mod proxy;
pub mod push;
pub mod routes;
pub mod server;
pub mod site;
pub mod store;
pub mod token;
pub mod triage;
pub mod trial;
pub mod webhook;

use std::sync::Arc;

pub use error::ApiError;
pub use routes::router;

/// Limits and settings the routes use.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the collector is reached (`https://lifeline.example`); pages of this origin may
    /// use every site (the demo shop is served by the collector itself).
    pub public_url: Option<String>,
    /// Report requests per minute per client address and site (0: no limit).
    pub reports_per_minute: u32,
    /// Report requests at once before the rate applies.
    pub reports_burst: u32,
    /// Largest rules file accepted, in bytes.
    pub max_rules_bytes: usize,
    /// Chat messages per minute per conversation and side (0: no limit).
    pub chat_per_minute: u32,
    /// Chat messages at once before the rate applies.
    pub chat_burst: u32,
    /// Static files served at `/` (the demo shop and the dashboard).
    pub www: Option<std::path::PathBuf>,
    /// Reverse proxies before the collector, whose `X-Forwarded-For` is believed.
    pub trusted_proxies: proxy::TrustedProxies,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: None,
            reports_per_minute: 120,
            reports_burst: 60,
            max_rules_bytes: 256 * 1024,
            chat_per_minute: 30,
            chat_burst: 10,
            www: None,
            trusted_proxies: proxy::TrustedProxies::default(),
        }
    }
}

/// Everything the routes share.
pub struct App<S> {
    /// Sites, rules, reports.
    pub store: Arc<S>,
    /// The agent's files.
    pub assets: assets::Assets,
    /// Rate limiting of report requests.
    pub limiter: limit::RateLimiter,
    /// Rate limiting of chat messages, per conversation and side.
    pub chat_limiter: limit::RateLimiter,
    /// Wrong admin and staff tokens, per address.
    pub token_limiter: limit::RateLimiter,
    /// Counters for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// Limits and settings.
    pub settings: Settings,
    /// Sites, for page requests.
    pub sites: cache::Cache<Arc<store::Site>>,
    /// Each site's served rules, for page requests.
    pub served_rules: cache::Cache<Arc<store::RulesVersion>>,
    /// Each site's served support content, for support sessions.
    pub served_support: cache::Cache<Arc<store::SupportVersion>>,
    /// Each site's triage rules (the served version's `feedback` section).
    pub served_triage: cache::Cache<Arc<store::TriageVersion>>,
    /// Each site's alerting rules.
    pub served_alerts: cache::Cache<Arc<store::AlertRules>>,
    /// Live events for the sites' staff.
    pub live: Arc<dyn live::Broadcast>,
    /// New alerts told to webhooks this minute, and those kept for the digest.
    pub notices: webhook::Notices,
    /// Becomes `true` when the collector stops: long-lived streams and sockets end, so their
    /// clients connect again (to another collector, behind a balancer).
    pub stopping: tokio::sync::watch::Sender<bool>,
}

impl<S> App<S> {
    /// An app over `store`, serving `assets`.
    pub fn new(
        store: Arc<S>,
        assets: assets::Assets,
        metrics: Arc<metrics::Metrics>,
        settings: Settings,
    ) -> App<S> {
        App {
            store,
            assets,
            limiter: limit::RateLimiter::new(settings.reports_per_minute, settings.reports_burst),
            chat_limiter: limit::RateLimiter::new(settings.chat_per_minute, settings.chat_burst),
            token_limiter: limit::RateLimiter::new(30, routes::guard::WRONG_TOKENS),
            metrics,
            settings,
            sites: cache::Cache::default(),
            served_rules: cache::Cache::default(),
            served_support: cache::Cache::default(),
            served_triage: cache::Cache::default(),
            served_alerts: cache::Cache::default(),
            live: Arc::new(live::LocalBroadcast::default()),
            notices: webhook::Notices::default(),
            stopping: tokio::sync::watch::Sender::new(false),
        }
    }
}

impl<S: store::Store> App<S> {
    /// A site, as page requests read it: from the cache, or the store.
    pub async fn site(&self, name: &str) -> Result<Option<Arc<store::Site>>, store::StoreError> {
        (self.sites)
            .get(name, async {
                Ok(self.store.site(name).await?.map(Arc::new))
            })
            .await
    }
}

impl<S> App<S> {
    /// Forgets what is cached of `site` (its row and everything its served rules give), after
    /// a write through this collector's admin API, here and in every collector sharing the
    /// database.
    pub fn forget(&self, site: &str) {
        self.forget_here(site);
        self.live.changed(site);
    }

    /// Forgets what this collector cached of `site`.
    pub fn forget_here(&self, site: &str) {
        self.sites.forget(site);
        self.served_rules.forget(site);
        self.served_support.forget(site);
        self.served_triage.forget(site);
        self.served_alerts.forget(site);
    }

    /// Forgets everything this collector cached.
    pub fn forget_all(&self) {
        self.sites.clear();
        self.served_rules.clear();
        self.served_support.clear();
        self.served_triage.clear();
        self.served_alerts.clear();
    }
}

/// Resolves once the collector is stopping (at once, when it is already).
pub async fn stopped(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    // A closed channel means the app is gone: stopping too.
    let _ = stopping.wait_for(|s| *s).await;
}

/// Follows the sites changed through other collectors sharing the database (when `app.live`
/// carries them): each is forgotten here as soon as it is read, so a rules change made on
/// one collector is served by all within moments. Ends with the app.
pub fn follow_changes<S: Send + Sync + 'static>(app: &Arc<App<S>>) {
    let Some(mut changes) = app.live.changes() else {
        return;
    };
    let app = Arc::downgrade(app);
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            let changed = changes.recv().await;
            let Some(app) = app.upgrade() else {
                return;
            };
            match changed {
                Ok(site) => app.forget_here(&site),
                // Missed some: forget everything.
                Err(RecvError::Lagged(_)) => app.forget_all(),
                Err(RecvError::Closed) => return,
            }
        }
    });
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
