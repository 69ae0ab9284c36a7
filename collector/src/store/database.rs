//! [`Database`]: the one [`Store`], on either engine — [`Sqlite`] (embedded, the default) or
//! [`Postgres`] (several collectors on one database). The SQL is [`super::sql`]'s; an
//! engine only runs it: writes through its writer's group commits, reads on a pool.

use std::path::Path;
use std::sync::Arc;

use lifeline_shared::rules::spec::CouponSpec;
use lifeline_shared::wire::ReportBatch;
use tokio::sync::oneshot;

use super::postgres::Postgres;
use super::sql::{self, Conn};
use super::sqlite::Sqlite;
use super::waiting::Waiting;
use super::writer::{CommitObserver, Queued, Scope, job};
use super::{
    Alert, Conversation, Coupon, CouponFilter, CouponPage, Ingested, Intake, Message, NewAlert,
    NewConversation, NewMessage, NewStaff, Point, ProblemTally, ReportFilter, ReportPage,
    RulesVersion, SeriesBy, Side, Site, StaffMember, Stats, Status, Store, StoreError,
    TriageFilter, TriagePage,
};

/// A database URL as it may be logged: without its password.
pub fn redacted(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, rest)), Some(_)) => {
            let (credentials, host) = rest.rsplit_once('@').unwrap_or(("", rest));
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}")
        }
        _ => url.to_owned(),
    }
}

/// What a store's engine does: queue writes for its writer, run reads on its pool.
pub trait Engine: Send + Sync + 'static {
    /// Queues a write.
    fn submit(&self, queued: Queued) -> Result<(), StoreError>;
    /// Runs `read` on a connection of the pool (blocking the calling thread).
    fn read(&self, read: &mut dyn FnMut(&dyn Conn)) -> Result<(), StoreError>;
    /// Writes waiting for the writer.
    fn queue_depth(&self) -> usize;
    /// Stops taking writes, lets the writer commit what it has, and waits for it.
    fn close(&self);
}

/// The store: sites, rules, reports, triage, staff, alerts, chat and push, on one engine.
pub struct Database {
    engine: Arc<dyn Engine>,
    /// Report batches with nothing to triage, waiting for the writer.
    waiting: Waiting,
}

impl Database {
    /// The SQLite database at `path` (created and migrated as needed).
    pub fn sqlite(path: &Path, on_commit: Option<CommitObserver>) -> Result<Database, StoreError> {
        Ok(Database {
            engine: Arc::new(Sqlite::open(path, on_commit)?),
            waiting: Waiting::default(),
        })
    }

    /// The PostgreSQL database at `url` (`postgres://user:password@host/name`), migrated.
    pub fn postgres(url: &str, on_commit: Option<CommitObserver>) -> Result<Database, StoreError> {
        Ok(Database {
            engine: Arc::new(Postgres::open(url, on_commit)?),
            waiting: Waiting::default(),
        })
    }

    /// The database at `url`: `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/NAME`.
    pub fn open(url: &str, on_commit: Option<CommitObserver>) -> Result<Database, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(StoreError::Database(
                    "sqlite:// needs a path: sqlite://data/lifeline.db".into(),
                ));
            }
            return Database::sqlite(Path::new(path), on_commit)
                .map_err(|e| StoreError::Database(format!("{path}: {e}")));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Database::postgres(url, on_commit);
        }
        Err(StoreError::Database(format!(
            "unknown database URL {:?}: use sqlite://PATH or postgres://USER:PASSWORD@HOST/NAME",
            redacted(url)
        )))
    }

    /// Stops taking writes, lets the writer commit what it has, and waits for it.
    pub fn close(&self) {
        self.engine.close();
    }

    async fn write<T: Send + 'static>(
        &self,
        scope: Scope,
        f: impl FnOnce(&dyn Conn) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.engine.submit((scope, job(f, tx)))?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    async fn site_write<T: Send + 'static>(
        &self,
        site: &str,
        f: impl FnOnce(&dyn Conn, &str) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let name = site.to_owned();
        self.write(Scope::Site(site.to_owned()), move |conn| f(conn, &name))
            .await
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Conn) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let engine = self.engine.clone();
        tokio::task::spawn_blocking(move || {
            let mut f = Some(f);
            let mut result = Err(StoreError::Closed);
            engine.read(&mut |conn| {
                if let Some(f) = f.take() {
                    result = f(conn);
                }
            })?;
            result
        })
        .await
        .map_err(|e| StoreError::Database(format!("a read failed: {e}")))?
    }

    async fn site_read<T: Send + 'static>(
        &self,
        site: &str,
        f: impl FnOnce(&dyn Conn, &str) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let name = site.to_owned();
        self.read(move |conn| f(conn, &name)).await
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        self.close();
    }
}

impl Store for Database {
    async fn add_site(&self, site: Site) -> Result<(), StoreError> {
        let name = site.name.clone();
        self.site_write(&name, move |conn, _| sql::sites::add(conn, &site))
            .await
    }

    async fn site(&self, name: &str) -> Result<Option<Site>, StoreError> {
        self.site_read(name, sql::sites::get).await
    }

    async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        self.read(sql::sites::list).await
    }

    async fn set_token(&self, name: &str, token_hash: [u8; 32]) -> Result<(), StoreError> {
        self.site_write(name, move |conn, name| {
            sql::sites::set_token(conn, name, &token_hash)
        })
        .await
    }

    async fn set_origins(&self, name: &str, origins: Vec<String>) -> Result<(), StoreError> {
        self.site_write(name, move |conn, name| {
            sql::sites::set_origins(conn, name, &origins)
        })
        .await
    }

    async fn put_rules(
        &self,
        site: &str,
        json: String,
        compiled: String,
    ) -> Result<u32, StoreError> {
        self.site_write(site, move |conn, site| {
            sql::sites::put_rules(conn, site, &json, &compiled)
        })
        .await
    }

    async fn activate_rules(&self, site: &str, version: u32) -> Result<(), StoreError> {
        self.site_write(site, move |conn, site| {
            sql::sites::activate(conn, site, version)
        })
        .await
    }

    async fn rules(
        &self,
        site: &str,
        version: Option<u32>,
    ) -> Result<Option<RulesVersion>, StoreError> {
        self.site_read(site, move |conn, site| {
            sql::sites::rules(conn, site, version)
        })
        .await
    }

    async fn rules_versions(&self, site: &str) -> Result<Vec<RulesVersion>, StoreError> {
        self.site_read(site, sql::sites::versions).await
    }

    async fn ingest_with(
        &self,
        site: &str,
        batch: ReportBatch,
        intake: Intake,
    ) -> Result<Ingested, StoreError> {
        if intake.triage.is_some() {
            return self
                .site_write(site, move |conn, site| {
                    sql::reports::ingest(conn, site, batch, &intake)
                })
                .await;
        }
        // Nothing to triage: joins the site's batches waiting, stored together.
        let (job, outcome) = self.waiting.add(site, batch, intake.received);
        if let Some(job) = job {
            self.engine.submit((Scope::Site(site.to_owned()), job))?;
        }
        outcome.await.map_err(|_| StoreError::Closed)?
    }

    async fn triage(
        &self,
        site: &str,
        filter: TriageFilter,
        cursor: Option<i64>,
        limit: u32,
    ) -> Result<TriagePage, StoreError> {
        self.site_read(site, move |conn, site| {
            sql::triage::list(conn, site, &filter, cursor, limit)
        })
        .await
    }

    async fn problems(
        &self,
        site: &str,
        filter: TriageFilter,
    ) -> Result<Vec<ProblemTally>, StoreError> {
        let rules = self.rules(site, None).await?.map(|r| r.triage());
        self.site_read(site, move |conn, site| {
            let triage = rules.and_then(|r| r.triage);
            let cost = |id: &str| {
                (triage.iter().flat_map(|t| t.problems.iter()))
                    .find(|p| p.spec.id == id)
                    .map_or(0.0, |p| p.spec.cost)
            };
            sql::triage::problems(conn, site, &filter, &cost)
        })
        .await
    }

    async fn coupons(
        &self,
        site: &str,
        filter: CouponFilter,
        cursor: Option<String>,
        limit: u32,
        now: u64,
    ) -> Result<CouponPage, StoreError> {
        self.site_read(site, move |conn, site| {
            sql::triage::coupons(conn, site, &filter, cursor.as_deref(), limit, now)
        })
        .await
    }

    async fn redeem(&self, site: &str, code: &str, now: u64) -> Result<Coupon, StoreError> {
        let code = code.to_owned();
        self.site_write(site, move |conn, site| {
            sql::triage::settle(conn, site, &code, "redeemed", now)
        })
        .await
    }

    async fn revoke(&self, site: &str, code: &str, now: u64) -> Result<Coupon, StoreError> {
        let code = code.to_owned();
        self.site_write(site, move |conn, site| {
            sql::triage::settle(conn, site, &code, "revoked", now)
        })
        .await
    }

    async fn secret(&self, site: &str, rotate: bool) -> Result<Vec<u8>, StoreError> {
        self.site_write(site, move |conn, site| {
            sql::sites::secret(conn, site, rotate)
        })
        .await
    }

    async fn reports(
        &self,
        site: &str,
        filter: ReportFilter,
        cursor: Option<i64>,
        limit: u32,
    ) -> Result<ReportPage, StoreError> {
        self.site_read(site, move |conn, site| {
            sql::reports::list(conn, site, &filter, cursor, limit)
        })
        .await
    }

    async fn stats(&self, site: &str, filter: ReportFilter) -> Result<Stats, StoreError> {
        self.site_read(site, move |conn, site| {
            sql::reports::stats(conn, site, &filter)
        })
        .await
    }

    async fn series(
        &self,
        site: &str,
        filter: ReportFilter,
        by: SeriesBy,
        bucket_ms: u64,
    ) -> Result<Vec<Point>, StoreError> {
        self.site_read(site, move |conn, site| {
            sql::reports::series(conn, site, &filter, by, bucket_ms)
        })
        .await
    }

    async fn add_staff(&self, site: &str, staff: NewStaff) -> Result<(), StoreError> {
        self.site_write(site, move |conn, site| sql::staff::add(conn, site, &staff))
            .await
    }

    async fn remove_staff(&self, site: &str, name: &str) -> Result<(), StoreError> {
        let name = name.to_owned();
        self.site_write(site, move |conn, site| {
            sql::staff::remove(conn, site, &name)
        })
        .await
    }

    async fn staff(
        &self,
        site: &str,
        now: u64,
    ) -> Result<Vec<(StaffMember, [u8; 32])>, StoreError> {
        self.site_read(site, move |conn, site| sql::staff::list(conn, site, now))
            .await
    }

    async fn heartbeat(
        &self,
        site: &str,
        name: &str,
        status: Status,
        now: u64,
    ) -> Result<(), StoreError> {
        let name = name.to_owned();
        self.site_write(site, move |conn, site| {
            sql::staff::heartbeat(conn, site, &name, status, now)
        })
        .await
    }

    async fn raise_alert(
        &self,
        site: &str,
        alert: NewAlert,
        now: u64,
    ) -> Result<Option<Alert>, StoreError> {
        self.site_write(site, move |conn, site| {
            sql::alerts::raise(conn, site, &alert, now)
        })
        .await
    }

    async fn ack_alert(
        &self,
        site: &str,
        id: i64,
        by: &str,
        now: u64,
    ) -> Result<Alert, StoreError> {
        let by = by.to_owned();
        self.site_write(site, move |conn, site| {
            sql::alerts::ack(conn, site, id, &by, now)
        })
        .await
    }

    async fn escalate(&self, now: u64) -> Result<Vec<(String, Alert)>, StoreError> {
        self.write(Scope::All, move |conn| sql::alerts::escalate(conn, now))
            .await
    }

    async fn alerts(&self, site: &str, open: bool) -> Result<Vec<Alert>, StoreError> {
        self.site_read(site, move |conn, site| sql::alerts::list(conn, site, open))
            .await
    }

    async fn open_conversation(
        &self,
        site: &str,
        new: NewConversation,
        now: u64,
    ) -> Result<Conversation, StoreError> {
        self.site_write(site, move |conn, site| {
            sql::chat::open(conn, site, &new, now)
        })
        .await
    }

    async fn conversation(
        &self,
        site: &str,
        id: &str,
    ) -> Result<Option<(Conversation, [u8; 32])>, StoreError> {
        let id = id.to_owned();
        self.site_read(site, move |conn, site| sql::chat::get(conn, site, &id))
            .await
    }

    async fn conversations(&self, site: &str, open: bool) -> Result<Vec<Conversation>, StoreError> {
        self.site_read(site, move |conn, site| sql::chat::list(conn, site, open))
            .await
    }

    async fn post_message(
        &self,
        site: &str,
        conversation: &str,
        message: NewMessage,
        mint: Option<CouponSpec>,
        now: u64,
    ) -> Result<(Message, bool), StoreError> {
        let id = conversation.to_owned();
        self.site_write(site, move |conn, site| {
            sql::chat::post(conn, site, &id, message, mint.as_ref(), now)
        })
        .await
    }

    async fn messages(
        &self,
        site: &str,
        conversation: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let id = conversation.to_owned();
        self.site_read(site, move |conn, site| {
            sql::chat::messages(conn, site, &id, after, limit)
        })
        .await
    }

    async fn mark_read(
        &self,
        site: &str,
        conversation: &str,
        side: Side,
        upto: i64,
    ) -> Result<i64, StoreError> {
        let id = conversation.to_owned();
        self.site_write(site, move |conn, site| {
            sql::chat::read(conn, site, &id, side, upto)
        })
        .await
    }

    async fn accept_card(
        &self,
        site: &str,
        conversation: &str,
        id: i64,
        now: u64,
    ) -> Result<Message, StoreError> {
        let conv = conversation.to_owned();
        self.site_write(site, move |conn, site| {
            sql::chat::accept(conn, site, &conv, id, now)
        })
        .await
    }

    async fn close_conversation(
        &self,
        site: &str,
        conversation: &str,
        now: u64,
    ) -> Result<Conversation, StoreError> {
        let id = conversation.to_owned();
        self.site_write(site, move |conn, site| {
            sql::chat::close(conn, site, &id, now)
        })
        .await
    }

    async fn push_key(&self, site: &str) -> Result<Vec<u8>, StoreError> {
        self.site_write(site, sql::push::key).await
    }

    async fn subscribe_push(
        &self,
        site: &str,
        staff: &str,
        subscription: crate::push::Subscription,
        now: u64,
    ) -> Result<(), StoreError> {
        let staff = staff.to_owned();
        self.site_write(site, move |conn, site| {
            sql::push::subscribe(conn, site, &staff, &subscription, now)
        })
        .await
    }

    async fn unsubscribe_push(&self, site: &str, endpoint: &str) -> Result<bool, StoreError> {
        let endpoint = endpoint.to_owned();
        self.site_write(site, move |conn, site| {
            sql::push::unsubscribe(conn, site, &endpoint)
        })
        .await
    }

    async fn push_subscriptions(
        &self,
        site: &str,
    ) -> Result<Vec<(String, crate::push::Subscription)>, StoreError> {
        self.site_read(site, sql::push::list).await
    }

    async fn collector_alive(&self, id: &str, now: u64) -> Result<u32, StoreError> {
        let id = id.to_owned();
        self.write(Scope::Own, move |conn| {
            sql::collectors::alive(conn, &id, now)
        })
        .await
    }

    async fn purge(&self, cutoff: u64) -> Result<u64, StoreError> {
        self.write(Scope::All, move |conn| sql::reports::purge(conn, cutoff))
            .await
    }

    fn queue_depth(&self) -> usize {
        self.engine.queue_depth()
    }
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn urls_are_logged_without_their_password() {
        assert_eq!(
            redacted("postgres://lifeline:secret@db.internal:5432/lifeline"),
            "postgres://lifeline@db.internal:5432/lifeline"
        );
        assert_eq!(redacted("postgres://db/lifeline"), "postgres://db/lifeline");
        assert_eq!(
            redacted("sqlite://data/lifeline.db"),
            "sqlite://data/lifeline.db"
        );
    }
}
