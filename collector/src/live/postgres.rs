//! [`PgBroadcast`]: live events between collectors sharing one PostgreSQL database.
//!
//! A collector publishes by adding the event to `live_events` (an unlogged table: events
//! are fleeting, and a crash may lose them) and notifying `lifeline_live` with the newest
//! id — never the event itself, so notifications stay small whatever the event. Every
//! collector listens, reads the events after the last one it delivered, and delivers them
//! to its own subscribers, its own events included: one order, one numbering for all.
//!
//! - Publishing goes through one task per collector, which adds whatever is waiting in one
//!   statement under an advisory lock, so ids become visible in order and a reader never
//!   skips an id committed late.
//! - A collector is listening before it serves: what it publishes, or is published for
//!   its first subscribers, comes after the point it starts reading from.
//! - A listener that lost its connection connects again and first reads everything after
//!   the last id it delivered: nothing published meanwhile is missed (events are kept
//!   [`KEEP_MS`]).

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use tokio::sync::{broadcast, mpsc};
use tokio_postgres::{AsyncMessage, Client, Config, NoTls};

use super::{Broadcast, ChatEvent, LiveEvent, LocalBroadcast, Numbered};

/// The channel notified.
const CHANNEL: &str = "lifeline_live";
/// The advisory lock publishers take (ids committed in order).
const PUBLISHING: i64 = 0x4c69_6665_6c69_7665;
/// How long events are kept for listeners catching up.
pub const KEEP_MS: u64 = 10 * 60 * 1000;
/// Most events waiting to be published before new ones are dropped (and said to be).
const WAITING: usize = 10_000;
/// Most events added in one statement.
const BATCH: usize = 500;

/// What an event is for: a site's staff, a conversation, or every collector's caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Site,
    Chat,
    Changed,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Site => "site",
            Kind::Chat => "chat",
            Kind::Changed => "changed",
        }
    }
}

/// An event on its way to the table.
#[derive(Debug)]
struct Outgoing {
    kind: Kind,
    topic: String,
    json: String,
}

/// Live events through PostgreSQL.
pub struct PgBroadcast {
    local: Arc<LocalBroadcast>,
    outbox: mpsc::Sender<Outgoing>,
    changes: broadcast::Sender<String>,
    dropping: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for PgBroadcast {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgBroadcast").finish_non_exhaustive()
    }
}

/// What can go wrong starting it.
#[derive(Debug)]
pub enum LiveError {
    /// Not a PostgreSQL URL.
    BadUrl(String),
    /// The first listening connection could not be made.
    Listen(tokio_postgres::Error),
}

impl std::fmt::Display for LiveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LiveError::BadUrl(e) => write!(f, "not a PostgreSQL URL: {e}"),
            LiveError::Listen(e) => write!(f, "could not listen on the database: {e}"),
        }
    }
}

impl std::error::Error for LiveError {}

impl PgBroadcast {
    /// Starts publishing to and listening on the database at `url` (whose schema the store
    /// has migrated). Returns once listening, so nothing published from then on is missed;
    /// connections lost later are made again in the background.
    pub async fn start(url: &str) -> Result<PgBroadcast, LiveError> {
        let mut config: Config = url.parse().map_err(|e| LiveError::BadUrl(format!("{e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        // Named for operators (and tests) to tell each collector's connections apart.
        let pid = std::process::id();
        let mut publisher = config.clone();
        publisher.application_name(format!("lifeline live publisher {pid}"));
        config.application_name(format!("lifeline live listener {pid}"));
        let local = Arc::new(LocalBroadcast::default());
        let (outbox, waiting) = mpsc::channel(WAITING);
        let (changes, _) = broadcast::channel(super::BACKLOG);
        tokio::spawn(publish_loop(publisher, waiting));
        let listener = Listener {
            local: local.clone(),
            changes: changes.clone(),
        };
        let mut last = None;
        let first = subscribe(&config, &mut last)
            .await
            .map_err(LiveError::Listen)?;
        tokio::spawn(listen_loop(config, listener, first, last));
        Ok(PgBroadcast {
            local,
            outbox,
            changes,
            dropping: std::sync::atomic::AtomicBool::new(false),
        })
    }

    fn send(&self, kind: Kind, topic: &str, json: Option<String>) {
        let Some(json) = json else {
            return;
        };
        let outgoing = Outgoing {
            kind,
            topic: topic.to_owned(),
            json,
        };
        use std::sync::atomic::Ordering::Relaxed;
        let dropped = self.outbox.try_send(outgoing).is_err();
        // Said once when dropping starts and once when it stops, not for every event.
        if dropped != self.dropping.swap(dropped, Relaxed) {
            match dropped {
                true => tracing::warn!(
                    waiting = WAITING,
                    "live events: the database does not take them; new ones are dropped"
                ),
                false => tracing::info!("live events: the database takes them again"),
            }
        }
    }
}

impl Broadcast for PgBroadcast {
    fn publish(&self, site: &str, event: LiveEvent) {
        self.send(Kind::Site, site, serde_json::to_string(&event).ok());
    }

    fn subscribe(&self, site: &str) -> broadcast::Receiver<Numbered> {
        self.local.subscribe(site)
    }

    fn listening(&self, _site: &str) -> bool {
        // A dashboard may be subscribed on another collector.
        true
    }

    fn publish_chat(&self, conversation: &str, event: ChatEvent) {
        self.send(Kind::Chat, conversation, serde_json::to_string(&event).ok());
    }

    fn subscribe_chat(&self, conversation: &str) -> broadcast::Receiver<ChatEvent> {
        self.local.subscribe_chat(conversation)
    }

    fn changed(&self, site: &str) {
        self.send(Kind::Changed, site, Some(String::new()));
    }

    fn changes(&self) -> Option<broadcast::Receiver<String>> {
        Some(self.changes.subscribe())
    }
}

/// Where a listener delivers what it reads.
struct Listener {
    local: Arc<LocalBroadcast>,
    changes: broadcast::Sender<String>,
}

/// A connection whose messages (notifications) are forwarded to the returned channel; the
/// channel closes when the connection does.
async fn connect(
    config: &Config,
) -> Result<(Client, mpsc::UnboundedReceiver<String>), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if tx.send(n.payload().to_owned()).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "live events: the database connection ended");
                    return;
                }
            }
        }
    });
    Ok((client, rx))
}

/// Adds waiting events to the table, a batch at a time, until the collector stops.
async fn publish_loop(config: Config, mut waiting: mpsc::Receiver<Outgoing>) {
    let mut client: Option<Client> = None;
    let mut purged = 0u64;
    while let Some(first) = waiting.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match waiting.try_recv() {
                Ok(o) => batch.push(o),
                Err(_) => break,
            }
        }
        for attempt in 0..3u64 {
            if client.as_ref().is_none_or(Client::is_closed) {
                client = connect(&config).await.ok().map(|(c, _)| c);
            }
            let Some(c) = client.as_mut() else {
                tokio::time::sleep(Duration::from_millis(200 * (attempt + 1))).await;
                continue;
            };
            match add(c, &batch).await {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(error = %e, attempt, "live events: publishing failed");
                    client = None;
                }
            }
        }
        let now = crate::now_ms();
        if now.saturating_sub(purged) > 60_000
            && let Some(c) = client.as_ref()
        {
            purged = now;
            let before = i64::try_from(now.saturating_sub(KEEP_MS)).unwrap_or(0);
            if let Err(e) = c
                .execute("DELETE FROM live_events WHERE at < $1", &[&before])
                .await
            {
                tracing::warn!(error = %e, "live events: old events not deleted");
            }
        }
    }
}

async fn add(client: &mut Client, batch: &[Outgoing]) -> Result<(), tokio_postgres::Error> {
    let kinds: Vec<&str> = batch.iter().map(|o| o.kind.as_str()).collect();
    let topics: Vec<&str> = batch.iter().map(|o| o.topic.as_str()).collect();
    let events: Vec<&str> = batch.iter().map(|o| o.json.as_str()).collect();
    let at = i64::try_from(crate::now_ms()).unwrap_or(i64::MAX);
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PUBLISHING])
        .await?;
    tx.execute(
        "WITH e AS (
            INSERT INTO live_events (at, kind, topic, event)
            SELECT $1, k, t, e FROM unnest($2::TEXT[], $3::TEXT[], $4::TEXT[]) AS u(k, t, e)
            RETURNING id)
         SELECT pg_notify('lifeline_live', max(id)::TEXT) FROM e",
        &[&at, &kinds, &topics, &events],
    )
    .await?;
    tx.commit().await
}

/// Listens, and delivers every event after the last one delivered, until the collector
/// stops; connects again (catching up first) whenever the connection is lost.
async fn listen_loop(config: Config, to: Listener, first: Subscribed, mut last: Option<i64>) {
    let mut pause = Duration::from_millis(100);
    let mut connection = Some(first);
    loop {
        let connected = match connection.take() {
            Some(c) => Ok(c),
            None => subscribe(&config, &mut last).await,
        };
        let listened = match connected {
            Ok((client, notified)) => listen(&client, notified, &to, &mut last).await,
            Err(e) => Err(e),
        };
        match listened {
            Ok(()) => pause = Duration::from_millis(100),
            Err(e) => {
                tracing::warn!(error = %e, "live events: listening failed; trying again");
                pause = (pause * 2).min(Duration::from_secs(5));
            }
        }
        tokio::time::sleep(pause).await;
    }
}

/// A listening connection and its notifications.
type Subscribed = (Client, mpsc::UnboundedReceiver<String>);

/// Connects and listens; the first time, notes the newest event as the point to read after
/// (what was published before this collector started is not news).
async fn subscribe(
    config: &Config,
    last: &mut Option<i64>,
) -> Result<Subscribed, tokio_postgres::Error> {
    let (client, notified) = connect(config).await?;
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    if last.is_none() {
        let row = client
            .query_one("SELECT COALESCE(max(id), 0) FROM live_events", &[])
            .await?;
        *last = Some(row.get(0));
    }
    tracing::info!("live events: listening");
    Ok((client, notified))
}

/// Delivers whatever was published while not listening, then whatever is notified, until
/// the connection ends.
async fn listen(
    client: &Client,
    mut notified: mpsc::UnboundedReceiver<String>,
    to: &Listener,
    last: &mut Option<i64>,
) -> Result<(), tokio_postgres::Error> {
    loop {
        deliver_after(client, to, last).await?;
        if notified.recv().await.is_none() {
            return Ok(());
        }
        while notified.try_recv().is_ok() {}
    }
}

async fn deliver_after(
    client: &Client,
    to: &Listener,
    last: &mut Option<i64>,
) -> Result<(), tokio_postgres::Error> {
    loop {
        let after = last.unwrap_or(0);
        let rows = client
            .query(
                "SELECT id, kind, topic, event FROM live_events WHERE id > $1
                 ORDER BY id LIMIT 1000",
                &[&after],
            )
            .await?;
        for row in &rows {
            let id: i64 = row.get(0);
            let (kind, topic, json): (&str, &str, &str) = (row.get(1), row.get(2), row.get(3));
            *last = Some(id);
            let unreadable = |e: serde_json::Error| {
                tracing::warn!(error = %e, id, "live events: unreadable event");
            };
            match kind {
                "site" => match serde_json::from_str::<LiveEvent>(json) {
                    Ok(event) => to.local.deliver(
                        topic,
                        Numbered {
                            id: u64::try_from(id).unwrap_or(0),
                            event,
                        },
                    ),
                    Err(e) => unreadable(e),
                },
                "chat" => match serde_json::from_str::<ChatEvent>(json) {
                    Ok(event) => to.local.publish_chat(topic, event),
                    Err(e) => unreadable(e),
                },
                "changed" => {
                    let _ = to.changes.send(topic.to_owned());
                }
                _ => {}
            }
        }
        if rows.len() < 1000 {
            return Ok(());
        }
    }
}
