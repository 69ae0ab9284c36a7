//! The writer both engines share: group commits.
//!
//! Every write goes to one writer thread. It takes every job waiting (up to [`GROUP_MAX`]),
//! runs them all in one transaction, commits once, and only then answers each job. A job
//! refused for a reason of its own (an unknown site, a name taken) has written nothing, so
//! the others commit; a database error rolls the whole group back and every job in it is
//! answered with the error (nothing of it was acknowledged). So a report batch is
//! acknowledged only once it is durable, and throughput holds under load (one sync for many
//! batches).
//!
//! Each job says what it writes ([`Scope`]): one site, or every site. SQLite has one writer
//! and needs no more; on PostgreSQL several collectors write at once, and each group first
//! takes the locks of its sites (in one order, so two groups never wait on each other).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::StoreError;
use super::sql::Conn;

/// Most jobs committed together.
pub const GROUP_MAX: usize = 512;

/// What a write touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One site's rows.
    Site(String),
    /// Any site's rows (escalation, retention).
    All,
    /// This collector's own rows (it is alive): no other writes them.
    Own,
}

/// What the writer answers a job with, once its transaction is committed (or not).
pub type Deliver = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// A write: runs inside the group's transaction; says whether the transaction may still
/// commit (false after a database error).
pub type Job = Box<dyn FnOnce(&dyn Conn) -> (bool, Deliver) + Send>;
/// Told how long each group commit took.
pub type CommitObserver = Box<dyn Fn(Duration) + Send>;

/// A job with its scope, as queued.
pub type Queued = (Scope, Job);

/// Wraps `f` as a job whose result is sent to `tx` once the group is committed.
pub fn job<T: Send + 'static>(
    f: impl FnOnce(&dyn Conn) -> Result<T, StoreError> + Send + 'static,
    tx: tokio::sync::oneshot::Sender<Result<T, StoreError>>,
) -> Job {
    Box::new(move |conn| {
        let result = f(conn);
        // Refusals of the job's own are found before it writes anything.
        let ok = !matches!(result, Err(StoreError::Database(_) | StoreError::Closed));
        if let Err(StoreError::Database(e)) = &result {
            // Said here: its callers hear only that the group failed.
            tracing::error!(error = %e, "a write failed; its group is rolled back");
        }
        let deliver: Deliver = Box::new(move |committed| {
            let _ = tx.send(committed.and(result));
        });
        (ok, deliver)
    })
}

/// One group's transaction, as an engine runs it: begin, lock for `scopes`, `run` the jobs
/// on the transaction, and commit when `run` says the group is sound.
pub trait Committer {
    /// Runs one group; `Ok` once it is committed.
    fn commit(
        &mut self,
        scopes: &[Scope],
        run: &mut dyn FnMut(&dyn Conn) -> bool,
    ) -> Result<(), StoreError>;
}

/// An engine's writer thread and its queue.
pub struct Writer {
    jobs: Mutex<Option<mpsc::Sender<Queued>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    depth: Arc<AtomicUsize>,
}

impl Writer {
    /// Starts the writer thread, committing with `committer`.
    pub fn start(
        committer: impl Committer + Send + 'static,
        on_commit: Option<CommitObserver>,
    ) -> Result<Writer, StoreError> {
        let (tx, rx) = mpsc::channel::<Queued>();
        let depth = Arc::new(AtomicUsize::new(0));
        let writer_depth = depth.clone();
        let thread = std::thread::Builder::new()
            .name("lifeline-writer".into())
            .spawn(move || write_loop(committer, rx, writer_depth, on_commit))
            .map_err(|e| StoreError::Database(format!("cannot start the writer: {e}")))?;
        Ok(Writer {
            jobs: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
            depth,
        })
    }

    /// Queues a write.
    pub fn submit(&self, queued: Queued) -> Result<(), StoreError> {
        let jobs = self.jobs.lock().map_err(|_| StoreError::Closed)?;
        let sender = jobs.as_ref().ok_or(StoreError::Closed)?;
        self.depth.fetch_add(1, Ordering::Relaxed);
        sender.send(queued).map_err(|_| {
            self.depth.fetch_sub(1, Ordering::Relaxed);
            StoreError::Closed
        })
    }

    /// Writes waiting.
    pub fn queue_depth(&self) -> usize {
        self.depth.load(Ordering::Relaxed)
    }

    /// Stops taking writes, lets the writer commit what it has, and waits for it.
    pub fn close(&self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        let thread = self.thread.lock().ok().and_then(|mut w| w.take());
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

/// The writer: group commits until every sender is gone and the queue is empty.
fn write_loop(
    mut committer: impl Committer,
    jobs: mpsc::Receiver<Queued>,
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
        let (scopes, todo): (Vec<Scope>, Vec<Job>) = group.into_iter().unzip();
        let mut todo = Some(todo);
        let mut delivers = Vec::with_capacity(n);
        let started = Instant::now();
        let committed = committer.commit(&scopes, &mut |conn| {
            let mut sound = true;
            for job in todo.take().unwrap_or_default() {
                let (ok, deliver) = job(conn);
                sound &= ok;
                delivers.push(deliver);
            }
            sound
        });
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
                // Jobs never run (the database could not be reached) are dropped: their
                // callers hear that the store is unavailable.
            }
        }
    }
}
