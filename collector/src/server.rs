//! [`serve`]: the collector as `lifeline-collector serve` runs it — the routes over one
//! store, the live channel (through PostgreSQL when the store is there), the work done in
//! the background (alerts escalated and digests sent, old reports deleted, this collector
//! said to be alive), and the HTTP server.
//!
//! The server is hyper's, driven here so that a slow client cannot hold it: a request's
//! headers must arrive within [`Config::header_timeout`] and its body within
//! [`Config::body_timeout`] (a connection that does not manage is closed, and a body cut
//! short is refused in the one error shape); at shutdown, requests in flight get
//! [`Config::grace`] to finish, then their connections are closed. The store is closed last:
//! every acknowledged report is committed.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

use crate::assets::Assets;
use crate::metrics::Metrics;
use crate::store::writer::CommitObserver;
use crate::store::{Database, Store, StoreError};
use crate::{App, Settings};

/// How [`serve`] runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The store: `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/NAME`.
    pub database: String,
    /// Where pages reach this collector; its own pages may use every site.
    pub public_url: Option<String>,
    /// Static files served at `/` (the demo shop and the dashboard), when a folder.
    pub www: PathBuf,
    /// The agent's files.
    pub agent: PathBuf,
    /// Reports older than this many days are deleted (0: kept for ever).
    pub retention_days: u32,
    /// Report requests per minute per client address and site (0: no limit).
    pub reports_per_minute: u32,
    /// Chat messages per minute per conversation and side (0: no limit).
    pub chat_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: crate::proxy::TrustedProxies,
    /// Longest wait for a request's headers.
    pub header_timeout: Duration,
    /// Longest wait for a request's body.
    pub body_timeout: Duration,
    /// Longest wait at shutdown for requests in flight.
    pub grace: Duration,
}

/// What stops the collector from starting.
#[derive(Debug)]
pub enum ServeError {
    /// The store cannot be opened.
    Store(StoreError),
    /// The agent's files cannot be read.
    Agent(String),
    /// `--public-url` is no origin.
    PublicUrl(String),
    /// The live channel cannot start.
    Live(crate::live::postgres::LiveError),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Store(e) => write!(f, "{e}"),
            ServeError::Agent(e) => write!(f, "the agent's files: {e}"),
            ServeError::PublicUrl(url) => {
                write!(
                    f,
                    "bad --public-url {url:?}: expected http(s)://HOST[:PORT]"
                )
            }
            ServeError::Live(e) => write!(f, "the live channel: {e}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// Serves on `listener` until `shutdown` resolves; then lets requests in flight finish
/// (within the grace period) and the store commit what it holds.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    let metrics = Arc::new(Metrics::default());
    let observed = metrics.clone();
    let on_commit: CommitObserver = Box::new(move |took| observed.committed(took));
    let url = config.database.clone();
    // The PostgreSQL client blocks while it connects: off the runtime's threads.
    let store = tokio::task::spawn_blocking(move || Database::open(&url, Some(on_commit)))
        .await
        .map_err(|_| ServeError::Store(StoreError::Closed))?
        .map_err(ServeError::Store)?;
    let store = Arc::new(store);
    let assets = if config.agent.is_dir() {
        Assets::load(&config.agent)
            .map_err(|e| ServeError::Agent(format!("{}: {e}", config.agent.display())))?
    } else {
        tracing::warn!(dir = %config.agent.display(), "no agent files (run `make agent`); serving none");
        Assets::default()
    };
    if let Some(url) = &config.public_url
        && crate::site::origin_of(url).is_none()
    {
        return Err(ServeError::PublicUrl(url.clone()));
    }
    let settings = Settings {
        public_url: config.public_url.clone(),
        reports_per_minute: config.reports_per_minute,
        reports_burst: (config.reports_per_minute / 2).max(10),
        chat_per_minute: config.chat_per_minute,
        chat_burst: (config.chat_per_minute / 3).max(5),
        www: config.www.is_dir().then(|| config.www.clone()),
        trusted_proxies: config.trusted_proxies.clone(),
        ..Settings::default()
    };
    let mut app = App::new(store.clone(), assets, metrics, settings);
    app.live = crate::live::for_database(&config.database)
        .await
        .map_err(ServeError::Live)?;
    let app = Arc::new(app);
    let stopping = app.stopping.clone();
    crate::follow_changes(&app);
    let background = [
        tokio::spawn(escalating(app.clone())),
        tokio::spawn(alive(app.clone())),
        tokio::spawn(retention(store.clone(), config.retention_days)),
    ];

    let routes = crate::router(app)
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            config.body_timeout,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http());

    let mut http = auto::Builder::new(TokioExecutor::new());
    http.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout);
    http.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, address) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, say: wait, do not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = routes
            .clone()
            .map_request(move |mut request: axum::extract::Request<_>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(address));
                request
            });
        let connection = http
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = watched.await {
                tracing::debug!(error = %e, %address, "connection ended");
            }
        });
    }
    drop(listener);
    // Live streams and chat sockets end now (their clients connect again elsewhere).
    stopping.send_replace(true);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(config.grace) => {
            tracing::warn!(grace = ?config.grace, "requests still open after the grace period: closed");
        }
    }
    for task in background {
        task.abort();
    }
    // Requests are drained; let the writer commit what it holds.
    let closing = store.clone();
    let _ = tokio::task::spawn_blocking(move || closing.close()).await;
    tracing::info!("stopped; every acknowledged report is stored");
    Ok(())
}

/// Alerts not taken up in their window go to the next member of staff, or expire; digests of
/// alerts held back are sent.
async fn escalating(app: Arc<App<Database>>) {
    let mut every = tokio::time::interval(Duration::from_secs(5));
    loop {
        every.tick().await;
        let now = crate::now_ms();
        if let Err(e) = crate::routes::staff::escalate(&app, now).await {
            tracing::warn!(error = %e.code(), "alert escalation failed");
        }
    }
}

/// Says every few seconds that this collector is alive, and shares the rates with the
/// collectors that are.
async fn alive(app: Arc<App<Database>>) {
    let mut bytes = [0u8; 6];
    let _ = getrandom::fill(&mut bytes);
    let id: String = std::iter::once(format!("{}-", std::process::id()))
        .chain(bytes.iter().map(|b| format!("{b:02x}")))
        .collect();
    let mut every = tokio::time::interval(Duration::from_secs(5));
    loop {
        every.tick().await;
        match app.store.collector_alive(&id, crate::now_ms()).await {
            Ok(n) => {
                app.limiter.share(n);
                app.notices.share(n);
                app.metrics.collectors(n);
            }
            Err(e) => tracing::warn!(error = %e, "could not say this collector is alive"),
        }
    }
}

/// Deletes reports past the retention, hourly.
async fn retention(store: Arc<Database>, days: u32) {
    if days == 0 {
        return;
    }
    let days = u64::from(days);
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every.tick().await;
        let cutoff = crate::now_ms().saturating_sub(days * 86_400_000);
        match store.purge(cutoff).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, days, "retention: old reports deleted"),
            Err(e) => tracing::warn!(error = %e, "retention failed"),
        }
    }
}
