//! [`SqliteStore`]: the embedded store. One file, WAL, migrations by `user_version`.
//!
//! Every write goes to one writer thread. It takes every job waiting (up to
//! [`GROUP_MAX`]), runs them all in one transaction, commits once with a full sync, and only
//! then answers each job. A job refused for a reason of its own (an unknown site, a name
//! taken) has written nothing, so the others commit; a database error rolls the whole group
//! back and every job in it is answered with the error (nothing of it was acknowledged). So a report batch is acknowledged only once
//! it is on disk, and throughput holds under load (one sync for many batches). Reads use
//! a small pool of their own connections, which WAL lets run beside the writer.
//!
//! `triage`: feedback triaged and coupons minted in the writer's transaction; the triage
//! queue, known problems and the coupon ledger. `alerts`: alerts raised, routed, escalated
//! and acknowledged in it too. `chat`: conversations and their messages, offers' coupons
//! minted with the message that carries them. `push`: VAPID keys and push subscriptions.

mod alerts;
mod chat;
mod push;
mod triage;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lifeline_shared::wire::{Report, ReportBatch};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params, params_from_iter};
use tokio::sync::oneshot;

use lifeline_shared::rules::spec::CouponSpec;

use super::{
    Alert, Conversation, Coupon, CouponFilter, CouponPage, Ingested, Intake, Message, NewAlert,
    NewConversation, NewMessage, NewStaff, Point, ProblemTally, ReportFilter, ReportPage,
    ReportType, Role, RulesVersion, SeriesBy, Side, Site, StaffMember, Stats, Status, Store,
    StoreError, StoredReport, SupportStats, SupportTally, Tally, TriageFilter, TriagePage,
};

/// Most jobs committed together.
pub const GROUP_MAX: usize = 512;

/// The schema, one migration per entry; `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE sites (
    name TEXT PRIMARY KEY,
    origins TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    active_rules INTEGER,
    created INTEGER NOT NULL
);
CREATE TABLE rules (
    site TEXT NOT NULL REFERENCES sites(name),
    version INTEGER NOT NULL,
    created INTEGER NOT NULL,
    json TEXT NOT NULL,
    compiled BLOB NOT NULL,
    etag TEXT NOT NULL,
    PRIMARY KEY (site, version)
);
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    key TEXT NOT NULL,
    session TEXT NOT NULL,
    at INTEGER NOT NULL,
    received INTEGER NOT NULL,
    page TEXT NOT NULL,
    type TEXT NOT NULL,
    rule TEXT NOT NULL,
    prompt TEXT NOT NULL,
    kind TEXT,
    outcome TEXT,
    band TEXT,
    signals TEXT,
    rating INTEGER,
    thumbs INTEGER,
    comment TEXT,
    UNIQUE (site, key)
);
CREATE INDEX reports_by_received ON reports (site, received);
"#,
    r#"
ALTER TABLE reports ADD COLUMN persona TEXT;
ALTER TABLE reports ADD COLUMN article TEXT;
ALTER TABLE reports ADD COLUMN guide TEXT;
ALTER TABLE reports ADD COLUMN step INTEGER;
ALTER TABLE reports ADD COLUMN channel TEXT;
"#,
    r#"
ALTER TABLE sites ADD COLUMN secret BLOB;
ALTER TABLE reports ADD COLUMN evidence TEXT;
CREATE TABLE triage (
    report INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    key TEXT NOT NULL,
    received INTEGER NOT NULL,
    visitor TEXT NOT NULL,
    address TEXT NOT NULL,
    text_hash TEXT,
    sentiment TEXT NOT NULL,
    valid INTEGER NOT NULL,
    fraud INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    problem TEXT,
    disclosed INTEGER NOT NULL,
    signed TEXT NOT NULL,
    tier TEXT,
    worth REAL,
    coupon TEXT,
    outcome TEXT NOT NULL,
    answer TEXT NOT NULL
);
CREATE UNIQUE INDEX triage_by_key ON triage (site, key);
CREATE INDEX triage_by_received ON triage (site, received);
CREATE INDEX triage_by_text ON triage (site, text_hash, received);
CREATE INDEX triage_by_visitor ON triage (site, visitor, received);
CREATE INDEX triage_by_address ON triage (site, address, received);
CREATE TABLE coupons (
    code TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    report INTEGER NOT NULL,
    visitor TEXT NOT NULL,
    address TEXT NOT NULL,
    problem TEXT NOT NULL,
    kind TEXT NOT NULL,
    value REAL NOT NULL,
    currency TEXT,
    minted INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    redeemed INTEGER,
    revoked INTEGER
);
CREATE INDEX coupons_by_minted ON coupons (site, minted);
CREATE INDEX coupons_by_visitor ON coupons (site, visitor, minted);
"#,
    r#"
CREATE TABLE staff (
    site TEXT NOT NULL REFERENCES sites(name),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    created INTEGER NOT NULL,
    status TEXT,
    seen INTEGER,
    PRIMARY KEY (site, name)
);
"#,
    r#"
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    key TEXT NOT NULL,
    session TEXT NOT NULL,
    created INTEGER NOT NULL,
    page TEXT NOT NULL,
    rule TEXT NOT NULL,
    band TEXT NOT NULL,
    signals TEXT NOT NULL,
    value INTEGER NOT NULL,
    window_ms INTEGER NOT NULL,
    assigned TEXT,
    assigned_at INTEGER NOT NULL,
    tried TEXT NOT NULL,
    escalations INTEGER NOT NULL DEFAULT 0,
    acked INTEGER,
    acked_by TEXT,
    expired INTEGER,
    UNIQUE (site, key)
);
CREATE INDEX alerts_open ON alerts (acked, expired, assigned_at);
"#,
    r#"
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    session TEXT NOT NULL,
    opened INTEGER NOT NULL,
    page TEXT NOT NULL,
    band TEXT NOT NULL,
    signals TEXT NOT NULL,
    rule TEXT NOT NULL,
    alert INTEGER,
    staff TEXT,
    closed INTEGER,
    visitor_read INTEGER NOT NULL DEFAULT 0,
    staff_read INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conversations_by_site ON conversations (site, opened);
CREATE INDEX conversations_by_alert ON conversations (alert);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation TEXT NOT NULL REFERENCES conversations(id),
    at INTEGER NOT NULL,
    side TEXT NOT NULL,
    author TEXT,
    text TEXT NOT NULL,
    card TEXT,
    client_id TEXT,
    accepted INTEGER,
    UNIQUE (conversation, client_id)
);
CREATE INDEX messages_by_conversation ON messages (conversation, id);
ALTER TABLE alerts ADD COLUMN conversation TEXT;
ALTER TABLE alerts ADD COLUMN tier TEXT;
ALTER TABLE sites ADD COLUMN vapid BLOB;
CREATE TABLE push_subscriptions (
    endpoint TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    staff TEXT NOT NULL,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE INDEX push_by_site ON push_subscriptions (site, staff);
"#,
];

/// What the writer answers a job with, once its transaction is committed (or not).
type Deliver = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// A write: runs on the writer's connection inside the group's transaction; says whether the
/// transaction may still commit (false after a database error).
type Job = Box<dyn FnOnce(&Connection) -> (bool, Deliver) + Send>;
/// Told how long each group commit took.
pub type CommitObserver = Box<dyn Fn(Duration) + Send>;

/// The SQLite store.
pub struct SqliteStore {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    readers: Arc<Mutex<Vec<Connection>>>,
    path: std::path::PathBuf,
    depth: Arc<AtomicUsize>,
}

pub(super) fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

/// An update of one site by name: no row changed means there is no such site.
fn one_site(changed: rusqlite::Result<usize>) -> Result<(), StoreError> {
    match changed.map_err(db)? {
        0 => Err(StoreError::UnknownSite),
        _ => Ok(()),
    }
}

fn open(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(path, flags).map_err(db)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(db)?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path, on_commit: Option<CommitObserver>) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Database(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let mut conn = open(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        // FULL: a commit is on disk when it returns, so an acknowledged batch survives a crash.
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(db)?;
        migrate(&mut conn)?;

        let (tx, rx) = mpsc::channel::<Job>();
        let depth = Arc::new(AtomicUsize::new(0));
        let writer_depth = depth.clone();
        let writer = std::thread::Builder::new()
            .name("lifeline-writer".into())
            .spawn(move || write_loop(conn, rx, writer_depth, on_commit))
            .map_err(|e| StoreError::Database(format!("cannot start the writer: {e}")))?;
        Ok(SqliteStore {
            jobs: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
            readers: Arc::new(Mutex::new(Vec::new())),
            path: path.to_owned(),
            depth,
        })
    }

    /// Stops taking writes, lets the writer commit what it has, and waits for it.
    pub fn close(&self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        let writer = self.writer.lock().ok().and_then(|mut w| w.take());
        if let Some(writer) = writer {
            let _ = writer.join();
        }
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            // Refusals of the job's own are found before it writes anything.
            let ok = !matches!(result, Err(StoreError::Database(_) | StoreError::Closed));
            let deliver: Deliver = Box::new(move |committed| {
                let _ = tx.send(committed.and(result));
            });
            (ok, deliver)
        });
        {
            let jobs = self.jobs.lock().map_err(|_| StoreError::Closed)?;
            let sender = jobs.as_ref().ok_or(StoreError::Closed)?;
            self.depth.fetch_add(1, Ordering::Relaxed);
            if sender.send(job).is_err() {
                self.depth.fetch_sub(1, Ordering::Relaxed);
                return Err(StoreError::Closed);
            }
        }
        rx.await.map_err(|_| StoreError::Closed)?
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (readers, path) = (self.readers.clone(), self.path.clone());
        tokio::task::spawn_blocking(move || {
            let pooled = readers.lock().ok().and_then(|mut r| r.pop());
            let conn = match pooled {
                Some(c) => c,
                None => open(
                    &path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?,
            };
            let result = f(&conn);
            if let Ok(mut r) = readers.lock()
                && r.len() < 8
            {
                r.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StoreError::Database(format!("a read failed: {e}")))?
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.close();
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let applied: usize = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(db)?;
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Database(format!(
            "the database is at schema version {applied}, newer than this collector knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction().map_err(db)?;
        tx.execute_batch(sql).map_err(db)?;
        tx.pragma_update(None, "user_version", i + 1).map_err(db)?;
        tx.commit().map_err(db)?;
    }
    Ok(())
}

/// The writer: group commits until every sender is gone and the queue is empty.
fn write_loop(
    mut conn: Connection,
    jobs: mpsc::Receiver<Job>,
    depth: Arc<AtomicUsize>,
    on_commit: Option<CommitObserver>,
) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < GROUP_MAX {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let n = group.len();
        let started = Instant::now();
        let mut delivers = Vec::with_capacity(n);
        let committed = (|| {
            let tx = conn.transaction().map_err(db)?;
            let mut sound = true;
            for job in group {
                let (ok, deliver) = job(&tx);
                sound &= ok;
                delivers.push(deliver);
            }
            if sound {
                tx.commit().map_err(db)
            } else {
                // Dropping the transaction rolls the whole group back.
                Err(StoreError::Database("a write in this group failed".into()))
            }
        })();
        if let Some(observe) = &on_commit {
            observe(started.elapsed());
        }
        depth.fetch_sub(n, Ordering::Relaxed);
        match committed {
            Ok(()) => delivers.into_iter().for_each(|d| d(Ok(()))),
            Err(e) => {
                tracing::error!(error = %e, "a group commit failed; its writes were not stored");
                for d in delivers {
                    d(Err(StoreError::Database(e.to_string())));
                }
            }
        }
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn site_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Site> {
    let origins: String = row.get(1)?;
    let hash: Vec<u8> = row.get(2)?;
    let active: Option<u32> = row.get(3)?;
    let secret: Option<Vec<u8>> = row.get(4)?;
    let mut token_hash = [0u8; 32];
    if hash.len() == 32 {
        token_hash.copy_from_slice(&hash);
    }
    Ok(Site {
        name: row.get(0)?,
        origins: serde_json::from_str(&origins).unwrap_or_default(),
        token_hash,
        active_rules: active,
        secret: secret.unwrap_or_default(),
    })
}

fn rules_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RulesVersion> {
    let compiled: Vec<u8> = row.get(3)?;
    Ok(RulesVersion {
        version: row.get(0)?,
        created: row.get::<_, i64>(1)? as u64,
        json: row.get(2)?,
        compiled: String::from_utf8(compiled).unwrap_or_default(),
        etag: row.get(4)?,
    })
}

/// A new signing secret: 32 random bytes.
fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random numbers");
    bytes
}

fn site_exists(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    conn.query_row("SELECT 1 FROM sites WHERE name = ?1", [name], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
        .map_err(db)
}

/// A report's columns.
#[derive(Default)]
struct Row {
    report_type: &'static str,
    rule: String,
    prompt: String,
    kind: Option<&'static str>,
    outcome: Option<&'static str>,
    band: Option<&'static str>,
    signals: Option<String>,
    rating: Option<u8>,
    thumbs: Option<bool>,
    comment: Option<String>,
    persona: Option<String>,
    article: Option<String>,
    guide: Option<String>,
    step: Option<u8>,
    channel: Option<String>,
    evidence: Option<String>,
}

impl Row {
    fn of(report: Report) -> Row {
        match report {
            Report::Decision {
                rule,
                prompt,
                kind,
                outcome,
                band,
                signals,
                value: _,
            } => Row {
                report_type: "decision",
                rule,
                prompt,
                kind: Some(kind.as_str()),
                outcome: outcome.map(|o| o.as_str()),
                band: Some(band.as_str()),
                signals: Some(
                    signals
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                ..Row::default()
            },
            Report::Feedback {
                rule,
                prompt,
                rating,
                thumbs,
                comment,
                evidence,
            } => Row {
                report_type: "feedback",
                rule,
                prompt,
                rating,
                thumbs,
                comment,
                evidence: evidence.and_then(|e| serde_json::to_string(&e).ok()),
                ..Row::default()
            },
            Report::Support {
                rule,
                prompt,
                event,
                persona,
                article,
                guide,
                step,
                channel,
            } => Row {
                report_type: "support",
                rule,
                prompt,
                kind: Some("support"),
                outcome: Some(event.as_str()),
                persona,
                article,
                guide,
                step,
                channel,
                ..Row::default()
            },
        }
    }
}

/// A time in ms as the database holds it: beyond `i64::MAX` (no stored time is) it stays
/// the largest, where a cast would wrap it negative and turn `to` into "nothing" and
/// `from` into "everything".
pub(super) fn stored_millis(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// Conditions joined by `AND`, with their values in order: the admin listings' filters.
pub(super) struct Where {
    /// The conditions.
    pub(super) sql: String,
    /// Their values.
    pub(super) values: Vec<Value>,
}

impl Where {
    /// `column = site`.
    pub(super) fn site(column: &str, site: &str) -> Where {
        Where {
            sql: [column, " = ?"].concat(),
            values: vec![Value::Text(site.to_owned())],
        }
    }

    /// One more condition, with its values.
    pub(super) fn and(&mut self, clause: &str, values: impl IntoIterator<Item = Value>) {
        self.sql.push_str(" AND ");
        self.sql.push_str(clause);
        self.values.extend(values);
    }

    /// `column = text`, when given.
    pub(super) fn equals(&mut self, column: &str, text: Option<&str>) {
        if let Some(t) = text {
            self.and(&[column, " = ?"].concat(), [Value::Text(t.to_owned())]);
        }
    }

    /// `column` (ms) at or after `from` and before `to`, each when given.
    pub(super) fn between(&mut self, column: &str, from: Option<u64>, to: Option<u64>) {
        if let Some(from) = from {
            let from = Value::Integer(stored_millis(from));
            self.and(&[column, " >= ?"].concat(), [from]);
        }
        if let Some(to) = to {
            self.and(
                &[column, " < ?"].concat(),
                [Value::Integer(stored_millis(to))],
            );
        }
    }
}

/// The WHERE clause (from `site = ?`) and its values for a filter.
fn filter_sql(site: &str, f: &ReportFilter) -> (String, Vec<Value>) {
    let mut w = Where::site("site", site);
    w.equals("type", f.report_type.map(ReportType::as_str));
    w.between("received", f.from, f.to);
    w.equals("rule", f.rule.as_deref());
    w.equals("page", f.page.as_deref());
    w.equals("kind", f.kind.as_deref());
    (w.sql, w.values)
}

fn report_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredReport> {
    let kind_of_report = match row.get::<_, String>(7)?.as_str() {
        "feedback" => ReportType::Feedback,
        "support" => ReportType::Support,
        _ => ReportType::Decision,
    };
    let signals: Option<String> = row.get(13)?;
    Ok(StoredReport {
        id: row.get(0)?,
        key: row.get(1)?,
        session: row.get(2)?,
        at: row.get::<_, i64>(3)? as u64,
        received: row.get::<_, i64>(4)? as u64,
        page: row.get(5)?,
        kind_of_report,
        rule: row.get(8)?,
        prompt: row.get(9)?,
        kind: row.get(10)?,
        outcome: row.get(11)?,
        band: row.get(12)?,
        signals: signals.map(|s| s.split_whitespace().map(str::to_owned).collect()),
        rating: row.get(14)?,
        thumbs: row.get(15)?,
        comment: row.get(16)?,
        persona: row.get(17)?,
        article: row.get(18)?,
        guide: row.get(19)?,
        step: row.get(20)?,
        channel: row.get(21)?,
    })
}

fn tallies(
    conn: &Connection,
    by: &str,
    site: &str,
    f: &ReportFilter,
) -> Result<Vec<Tally>, StoreError> {
    let (cond, values) = filter_sql(site, f);
    // COUNT ... FILTER, not SUM(condition): a group with no row matching (a rule never
    // dismissed, a page with no outcome yet) must count 0, where SUM gives NULL.
    let sql = format!(
        "SELECT {by},
            COUNT(*) FILTER (WHERE type = 'decision' AND outcome IS NULL),
            COUNT(*) FILTER (WHERE outcome = 'dismissed'),
            COUNT(*) FILTER (WHERE outcome = 'engaged'),
            COUNT(*) FILTER (WHERE outcome = 'completed'),
            COUNT(*) FILTER (WHERE outcome = 'ignored'),
            COUNT(*) FILTER (WHERE type = 'feedback'), AVG(rating)
         FROM reports WHERE {cond} GROUP BY {by}
         ORDER BY 2 DESC, 7 DESC, {by}"
    );
    let mut stmt = conn.prepare(&sql).map_err(db)?;
    let rows = stmt
        .query_map(params_from_iter(values), |r| {
            let n = |i| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
            Ok(Tally {
                name: r.get(0)?,
                shown: n(1)?,
                dismissed: n(2)?,
                engaged: n(3)?,
                completed: n(4)?,
                ignored: n(5)?,
                feedback: n(6)?,
                average_rating: r.get(7)?,
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// Support sessions grouped by `by` (page, article or persona).
fn support_tallies(
    conn: &Connection,
    by: &str,
    site: &str,
    f: &ReportFilter,
) -> Result<Vec<SupportTally>, StoreError> {
    let (cond, values) = filter_sql(site, f);
    let sql = format!(
        "SELECT {by},
            COUNT(*) FILTER (WHERE outcome = 'started'),
            COUNT(*) FILTER (WHERE outcome = 'article'),
            COUNT(*) FILTER (WHERE outcome = 'resolved'),
            COUNT(*) FILTER (WHERE outcome = 'failed'),
            COUNT(*) FILTER (WHERE outcome = 'escalated')
         FROM reports WHERE {cond} AND type = 'support' AND {by} IS NOT NULL GROUP BY {by}
         ORDER BY 2 DESC, 3 DESC, {by}"
    );
    let mut stmt = conn.prepare(&sql).map_err(db)?;
    let rows = stmt
        .query_map(params_from_iter(values), |r| {
            let n = |i| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
            let (resolved, failed, escalated) = (n(3)?, n(4)?, n(5)?);
            let judged = resolved + failed;
            Ok(SupportTally {
                name: r.get(0)?,
                started: n(1)?,
                opened: n(2)?,
                resolved,
                failed,
                escalated,
                resolution_rate: (judged > 0).then(|| resolved as f64 / judged as f64),
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

impl Store for SqliteStore {
    async fn add_site(&self, site: Site) -> Result<(), StoreError> {
        self.write(move |conn| {
            if site_exists(conn, &site.name)? {
                return Err(StoreError::SiteExists);
            }
            let origins = serde_json::to_string(&site.origins)
                .map_err(|e| StoreError::Database(e.to_string()))?;
            conn.execute(
                "INSERT INTO sites (name, origins, token_hash, created, secret)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    site.name,
                    origins,
                    site.token_hash.as_slice(),
                    now_ms() as i64,
                    if site.secret.is_empty() {
                        new_secret()
                    } else {
                        site.secret.clone()
                    }
                ],
            )
            .map_err(db)?;
            Ok(())
        })
        .await
    }

    async fn site(&self, name: &str) -> Result<Option<Site>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| {
            conn.query_row(
                "SELECT name, origins, token_hash, active_rules, secret FROM sites WHERE name = ?1",
                [name],
                site_row,
            )
            .optional()
            .map_err(db)
        })
        .await
    }

    async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare("SELECT name, origins, token_hash, active_rules, secret FROM sites ORDER BY name")
                .map_err(db)?;
            let rows = stmt.query_map([], site_row).map_err(db)?;
            rows.collect::<Result<_, _>>().map_err(db)
        })
        .await
    }

    async fn set_token(&self, name: &str, token_hash: [u8; 32]) -> Result<(), StoreError> {
        let name = name.to_owned();
        self.write(move |conn| {
            one_site(conn.execute(
                "UPDATE sites SET token_hash = ?2 WHERE name = ?1",
                params![name, token_hash.as_slice()],
            ))
        })
        .await
    }

    async fn set_origins(&self, name: &str, origins: Vec<String>) -> Result<(), StoreError> {
        let name = name.to_owned();
        let origins =
            serde_json::to_string(&origins).map_err(|e| StoreError::Database(e.to_string()))?;
        self.write(move |conn| {
            one_site(conn.execute(
                "UPDATE sites SET origins = ?2 WHERE name = ?1",
                params![name, origins],
            ))
        })
        .await
    }

    async fn put_rules(
        &self,
        site: &str,
        json: String,
        compiled: String,
    ) -> Result<u32, StoreError> {
        let site = site.to_owned();
        self.write(move |conn| {
            if !site_exists(conn, &site)? {
                return Err(StoreError::UnknownSite);
            }
            let version: u32 = conn
                .query_row(
                    "SELECT COALESCE(MAX(version), 0) + 1 FROM rules WHERE site = ?1",
                    [&site],
                    |r| r.get(0),
                )
                .map_err(db)?;
            let etag = super::rules_etag(version, &compiled);
            conn.execute(
                "INSERT INTO rules (site, version, created, json, compiled, etag)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    site,
                    version,
                    now_ms() as i64,
                    json,
                    compiled.as_bytes(),
                    etag
                ],
            )
            .map_err(db)?;
            conn.execute(
                "UPDATE sites SET active_rules = ?2 WHERE name = ?1",
                params![site, version],
            )
            .map_err(db)?;
            Ok(version)
        })
        .await
    }

    async fn activate_rules(&self, site: &str, version: u32) -> Result<(), StoreError> {
        let site = site.to_owned();
        self.write(move |conn| {
            if !site_exists(conn, &site)? {
                return Err(StoreError::UnknownSite);
            }
            let known = conn
                .query_row(
                    "SELECT 1 FROM rules WHERE site = ?1 AND version = ?2",
                    params![site, version],
                    |_| Ok(()),
                )
                .optional()
                .map_err(db)?;
            if known.is_none() {
                return Err(StoreError::UnknownVersion(version));
            }
            conn.execute(
                "UPDATE sites SET active_rules = ?2 WHERE name = ?1",
                params![site, version],
            )
            .map_err(db)?;
            Ok(())
        })
        .await
    }

    async fn rules(
        &self,
        site: &str,
        version: Option<u32>,
    ) -> Result<Option<RulesVersion>, StoreError> {
        let site = site.to_owned();
        self.read(move |conn| {
            let version = match version {
                Some(v) => Some(v),
                None => conn
                    .query_row(
                        "SELECT active_rules FROM sites WHERE name = ?1",
                        [&site],
                        |r| r.get::<_, Option<u32>>(0),
                    )
                    .optional()
                    .map_err(db)?
                    .flatten(),
            };
            let Some(version) = version else {
                return Ok(None);
            };
            conn.query_row(
                "SELECT version, created, json, compiled, etag FROM rules
                 WHERE site = ?1 AND version = ?2",
                params![site, version],
                rules_row,
            )
            .optional()
            .map_err(db)
        })
        .await
    }

    async fn rules_versions(&self, site: &str) -> Result<Vec<RulesVersion>, StoreError> {
        let site = site.to_owned();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT version, created, '', X'', etag FROM rules WHERE site = ?1
                     ORDER BY version",
                )
                .map_err(db)?;
            let rows = stmt.query_map([site], rules_row).map_err(db)?;
            rows.collect::<Result<_, _>>().map_err(db)
        })
        .await
    }

    async fn ingest_with(
        &self,
        site: &str,
        batch: ReportBatch,
        intake: Intake,
    ) -> Result<Ingested, StoreError> {
        let site = site.to_owned();
        let received = intake.received;
        self.write(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO reports (site, key, session, at, received, page, type,
                        rule, prompt, kind, outcome, band, signals, rating, thumbs, comment,
                        persona, article, guide, step, channel, evidence)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                        ?17, ?18, ?19, ?20, ?21, ?22)",
                )
                .map_err(db)?;
            let mut done = Ingested {
                stored: 0,
                duplicates: 0,
                answers: Vec::new(),
                minted: Vec::new(),
                fresh: Vec::new(),
            };
            for (position, item) in batch.items.into_iter().enumerate() {
                // What triage reads of a feedback, before the report becomes columns.
                let feedback = match (&intake.triage, &item.report) {
                    (
                        Some(_),
                        Report::Feedback {
                            rating,
                            thumbs,
                            comment,
                            evidence,
                            ..
                        },
                    ) => Some((*rating, *thumbs, comment.clone(), evidence.clone())),
                    _ => None,
                };
                let r = Row::of(item.report);
                let n = stmt
                    .execute(params![
                        site,
                        item.key,
                        batch.session,
                        item.at as i64,
                        received as i64,
                        item.page,
                        r.report_type,
                        r.rule,
                        r.prompt,
                        r.kind,
                        r.outcome,
                        r.band,
                        r.signals,
                        r.rating,
                        r.thumbs,
                        r.comment,
                        r.persona,
                        r.article,
                        r.guide,
                        r.step,
                        r.channel,
                        r.evidence
                    ])
                    .map_err(db)?;
                if n == 1 {
                    done.stored += 1;
                    done.fresh.push(position);
                } else {
                    done.duplicates += 1;
                }
                let (Some(rules), Some((rating, thumbs, comment, evidence))) =
                    (&intake.triage, feedback)
                else {
                    continue;
                };
                if n == 0 {
                    // Sent again (its answer was lost on the way): the same answer.
                    done.answers
                        .extend(triage::stored_answer(conn, &site, &item.key)?);
                    continue;
                }
                let new = triage::NewFeedback {
                    site: &site,
                    session: &batch.session,
                    report: conn.last_insert_rowid(),
                    key: &item.key,
                    page: &item.page,
                    rating,
                    thumbs,
                    comment: comment.as_deref(),
                    evidence: evidence.as_ref(),
                    identity: batch.identity.as_ref(),
                };
                let (answer, minted) = triage::triage(conn, &new, rules, &intake)?;
                done.answers.push(answer);
                done.minted.extend(minted);
            }
            Ok(done)
        })
        .await
    }

    async fn triage(
        &self,
        site: &str,
        filter: TriageFilter,
        cursor: Option<i64>,
        limit: u32,
    ) -> Result<TriagePage, StoreError> {
        let site = site.to_owned();
        self.read(move |conn| triage::list(conn, &site, &filter, cursor, limit))
            .await
    }

    async fn problems(
        &self,
        site: &str,
        filter: TriageFilter,
    ) -> Result<Vec<ProblemTally>, StoreError> {
        let rules = self.rules(site, None).await?.map(|r| r.triage());
        let site = site.to_owned();
        self.read(move |conn| {
            let triage = rules.and_then(|r| r.triage);
            let cost = |id: &str| {
                (triage.iter().flat_map(|t| t.problems.iter()))
                    .find(|p| p.spec.id == id)
                    .map_or(0.0, |p| p.spec.cost)
            };
            triage::problems(conn, &site, &filter, &cost)
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
        let site = site.to_owned();
        self.read(move |conn| triage::coupons(conn, &site, &filter, cursor.as_deref(), limit, now))
            .await
    }

    async fn redeem(&self, site: &str, code: &str, now: u64) -> Result<Coupon, StoreError> {
        let (site, code) = (site.to_owned(), code.to_owned());
        self.write(move |conn| triage::settle(conn, &site, &code, "redeemed", now))
            .await
    }

    async fn revoke(&self, site: &str, code: &str, now: u64) -> Result<Coupon, StoreError> {
        let (site, code) = (site.to_owned(), code.to_owned());
        self.write(move |conn| triage::settle(conn, &site, &code, "revoked", now))
            .await
    }

    async fn secret(&self, site: &str, rotate: bool) -> Result<Vec<u8>, StoreError> {
        let site = site.to_owned();
        self.write(move |conn| {
            let current: Option<Option<Vec<u8>>> = conn
                .query_row("SELECT secret FROM sites WHERE name = ?1", [&site], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(db)?;
            match current {
                None => Err(StoreError::UnknownSite),
                Some(Some(secret)) if !rotate && !secret.is_empty() => Ok(secret),
                Some(_) => {
                    let secret = new_secret();
                    conn.execute(
                        "UPDATE sites SET secret = ?2 WHERE name = ?1",
                        params![site, secret],
                    )
                    .map_err(db)?;
                    Ok(secret)
                }
            }
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
        let site = site.to_owned();
        self.read(move |conn| {
            let (mut cond, mut values) = filter_sql(&site, &filter);
            if let Some(c) = cursor {
                cond.push_str(" AND id < ?");
                values.push(Value::Integer(c));
            }
            values.push(Value::Integer(i64::from(limit) + 1));
            let sql = format!(
                "SELECT id, key, session, at, received, page, site, type, rule, prompt, kind,
                    outcome, band, signals, rating, thumbs, comment, persona, article, guide,
                    step, channel
                 FROM reports WHERE {cond} ORDER BY id DESC LIMIT ?"
            );
            let mut stmt = conn.prepare(&sql).map_err(db)?;
            let rows = stmt
                .query_map(params_from_iter(values), report_row)
                .map_err(db)?;
            let mut items: Vec<StoredReport> = rows.collect::<Result<_, _>>().map_err(db)?;
            let next = if items.len() > limit as usize {
                items.truncate(limit as usize);
                items.last().map(|r| r.id.to_string())
            } else {
                None
            };
            Ok(ReportPage { items, next })
        })
        .await
    }

    async fn stats(&self, site: &str, filter: ReportFilter) -> Result<Stats, StoreError> {
        let site = site.to_owned();
        self.read(move |conn| {
            Ok(Stats {
                rules: tallies(conn, "rule", &site, &filter)?,
                pages: tallies(conn, "page", &site, &filter)?,
                support: SupportStats {
                    pages: support_tallies(conn, "page", &site, &filter)?,
                    articles: support_tallies(conn, "article", &site, &filter)?,
                    personas: support_tallies(conn, "persona", &site, &filter)?,
                },
            })
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
        let site = site.to_owned();
        let column = match by {
            SeriesBy::Rule => "rule",
            SeriesBy::Page => "page",
        };
        let bucket = bucket_ms.max(1) as i64;
        self.read(move |conn| {
            let (cond, values) = filter_sql(&site, &filter);
            // The stretch's length is a number of ours, written into the SQL.
            let sql = format!(
                "SELECT {column}, (received / {bucket}) * {bucket} AS t,
                    COUNT(*) FILTER (WHERE type = 'decision' AND outcome IS NULL),
                    COUNT(*) FILTER (WHERE outcome IN ('engaged', 'completed')),
                    COUNT(*) FILTER (WHERE type = 'feedback')
                 FROM reports WHERE {cond} AND type IN ('decision', 'feedback')
                 GROUP BY 1, 2 ORDER BY 2, 1"
            );
            let mut stmt = conn.prepare(&sql).map_err(db)?;
            let rows = stmt
                .query_map(params_from_iter(values), |r| {
                    let n = |i| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
                    Ok(Point {
                        name: r.get(0)?,
                        at: n(1)?,
                        shown: n(2)?,
                        engaged: n(3)?,
                        feedback: n(4)?,
                    })
                })
                .map_err(db)?;
            rows.collect::<Result<_, _>>().map_err(db)
        })
        .await
    }

    async fn add_staff(&self, site: &str, staff: NewStaff) -> Result<(), StoreError> {
        let site = site.to_owned();
        self.write(move |conn| {
            if !site_exists(conn, &site)? {
                return Err(StoreError::UnknownSite);
            }
            let taken = conn
                .query_row(
                    "SELECT 1 FROM staff WHERE site = ?1 AND name = ?2",
                    params![site, staff.name],
                    |_| Ok(()),
                )
                .optional()
                .map_err(db)?;
            if taken.is_some() {
                return Err(StoreError::StaffExists);
            }
            conn.execute(
                "INSERT INTO staff (site, name, role, token_hash, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![site, staff.name, staff.role.as_str(), staff.token_hash.as_slice(), now_ms() as i64],
            )
            .map_err(db)?;
            Ok(())
        })
        .await
    }

    async fn remove_staff(&self, site: &str, name: &str) -> Result<(), StoreError> {
        let (site, name) = (site.to_owned(), name.to_owned());
        self.write(move |conn| {
            match conn
                .execute(
                    "DELETE FROM staff WHERE site = ?1 AND name = ?2",
                    params![site, name],
                )
                .map_err(db)?
            {
                0 => Err(StoreError::UnknownStaff),
                // Their phones hear no more of the site.
                _ => conn
                    .execute(
                        "DELETE FROM push_subscriptions WHERE site = ?1 AND staff = ?2",
                        params![site, name],
                    )
                    .map(|_| ())
                    .map_err(db),
            }
        })
        .await
    }

    async fn staff(
        &self,
        site: &str,
        now: u64,
    ) -> Result<Vec<(StaffMember, [u8; 32])>, StoreError> {
        let site = site.to_owned();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT name, role, token_hash, status, seen FROM staff WHERE site = ?1 ORDER BY name",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map([&site], |r| {
                    let hash: Vec<u8> = r.get(2)?;
                    let mut token_hash = [0u8; 32];
                    if hash.len() == 32 {
                        token_hash.copy_from_slice(&hash);
                    }
                    let status: Option<String> = r.get(3)?;
                    let seen = r.get::<_, Option<i64>>(4)?.map(|t| t as u64);
                    let status = status.as_deref().and_then(Status::from_name);
                    Ok((
                        StaffMember {
                            name: r.get(0)?,
                            role: Role::from_name(&r.get::<_, String>(1)?).unwrap_or(Role::Agent),
                            status: super::staff::presence(status, seen, now),
                            seen,
                        },
                        token_hash,
                    ))
                })
                .map_err(db)?;
            rows.collect::<Result<_, _>>().map_err(db)
        })
        .await
    }

    async fn heartbeat(
        &self,
        site: &str,
        name: &str,
        status: Status,
        now: u64,
    ) -> Result<(), StoreError> {
        let (site, name) = (site.to_owned(), name.to_owned());
        self.write(move |conn| {
            match conn
                .execute(
                    "UPDATE staff SET status = ?3, seen = ?4 WHERE site = ?1 AND name = ?2",
                    params![site, name, status.as_str(), stored_millis(now)],
                )
                .map_err(db)?
            {
                0 => Err(StoreError::UnknownStaff),
                _ => Ok(()),
            }
        })
        .await
    }

    async fn raise_alert(
        &self,
        site: &str,
        alert: NewAlert,
        now: u64,
    ) -> Result<Option<Alert>, StoreError> {
        let site = site.to_owned();
        self.write(move |conn| alerts::raise(conn, &site, &alert, now))
            .await
    }

    async fn ack_alert(
        &self,
        site: &str,
        id: i64,
        by: &str,
        now: u64,
    ) -> Result<Alert, StoreError> {
        let (site, by) = (site.to_owned(), by.to_owned());
        self.write(move |conn| alerts::ack(conn, &site, id, &by, now))
            .await
    }

    async fn escalate(&self, now: u64) -> Result<Vec<(String, Alert)>, StoreError> {
        self.write(move |conn| alerts::escalate(conn, now)).await
    }

    async fn alerts(&self, site: &str, open: bool) -> Result<Vec<Alert>, StoreError> {
        let site = site.to_owned();
        self.read(move |conn| alerts::list(conn, &site, open)).await
    }

    async fn open_conversation(
        &self,
        site: &str,
        new: NewConversation,
        now: u64,
    ) -> Result<Conversation, StoreError> {
        let site = site.to_owned();
        self.write(move |conn| chat::open(conn, &site, &new, now))
            .await
    }

    async fn conversation(
        &self,
        site: &str,
        id: &str,
    ) -> Result<Option<(Conversation, [u8; 32])>, StoreError> {
        let (site, id) = (site.to_owned(), id.to_owned());
        self.read(move |conn| chat::get(conn, &site, &id)).await
    }

    async fn conversations(&self, site: &str, open: bool) -> Result<Vec<Conversation>, StoreError> {
        let site = site.to_owned();
        self.read(move |conn| chat::list(conn, &site, open)).await
    }

    async fn post_message(
        &self,
        site: &str,
        conversation: &str,
        message: NewMessage,
        mint: Option<CouponSpec>,
        now: u64,
    ) -> Result<(Message, bool), StoreError> {
        let (site, id) = (site.to_owned(), conversation.to_owned());
        self.write(move |conn| chat::post(conn, &site, &id, message, mint.as_ref(), now))
            .await
    }

    async fn messages(
        &self,
        site: &str,
        conversation: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let (site, id) = (site.to_owned(), conversation.to_owned());
        self.read(move |conn| chat::messages(conn, &site, &id, after, limit))
            .await
    }

    async fn mark_read(
        &self,
        site: &str,
        conversation: &str,
        side: Side,
        upto: i64,
    ) -> Result<i64, StoreError> {
        let (site, id) = (site.to_owned(), conversation.to_owned());
        self.write(move |conn| chat::read(conn, &site, &id, side, upto))
            .await
    }

    async fn accept_card(
        &self,
        site: &str,
        conversation: &str,
        id: i64,
        now: u64,
    ) -> Result<Message, StoreError> {
        let (site, conv) = (site.to_owned(), conversation.to_owned());
        self.write(move |conn| chat::accept(conn, &site, &conv, id, now))
            .await
    }

    async fn close_conversation(
        &self,
        site: &str,
        conversation: &str,
        now: u64,
    ) -> Result<Conversation, StoreError> {
        let (site, id) = (site.to_owned(), conversation.to_owned());
        self.write(move |conn| chat::close(conn, &site, &id, now))
            .await
    }

    async fn push_key(&self, site: &str) -> Result<Vec<u8>, StoreError> {
        let site = site.to_owned();
        self.write(move |conn| push::key(conn, &site)).await
    }

    async fn subscribe_push(
        &self,
        site: &str,
        staff: &str,
        subscription: crate::push::Subscription,
        now: u64,
    ) -> Result<(), StoreError> {
        let (site, staff) = (site.to_owned(), staff.to_owned());
        self.write(move |conn| push::subscribe(conn, &site, &staff, &subscription, now))
            .await
    }

    async fn unsubscribe_push(&self, site: &str, endpoint: &str) -> Result<bool, StoreError> {
        let (site, endpoint) = (site.to_owned(), endpoint.to_owned());
        self.write(move |conn| push::unsubscribe(conn, &site, &endpoint))
            .await
    }

    async fn push_subscriptions(
        &self,
        site: &str,
    ) -> Result<Vec<(String, crate::push::Subscription)>, StoreError> {
        let site = site.to_owned();
        self.read(move |conn| push::list(conn, &site)).await
    }

    async fn purge(&self, cutoff: u64) -> Result<u64, StoreError> {
        self.write(move |conn| {
            // Verdicts go with their feedback; the coupon ledger stays (it is the shop's books).
            conn.execute(
                "DELETE FROM triage WHERE received < ?1",
                [stored_millis(cutoff)],
            )
            .map_err(db)?;
            conn.execute(
                "DELETE FROM reports WHERE received < ?1",
                [stored_millis(cutoff)],
            )
            .map(|n| n as u64)
            .map_err(db)
        })
        .await
    }

    fn queue_depth(&self) -> usize {
        self.depth.load(Ordering::Relaxed)
    }
}
