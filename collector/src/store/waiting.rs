//! [`Waiting`]: report batches with nothing to triage, gathered into one writer job per
//! site.
//!
//! The first batch of a site to wait queues a job; every batch of that site arriving before
//! the writer runs it joins the same job, which stores them all at once
//! ([`sql::reports::store_plain`]: multi-row `INSERT`s, on PostgreSQL one round trip for up
//! to 32 reports rather than one each) and answers each batch once the group is committed.
//! A job dropped without running (the writer closed, the database out of reach) answers its
//! batches that the store is closed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use lifeline_shared::wire::ReportBatch;
use tokio::sync::oneshot;

use super::sql::{self, Conn};
use super::writer::{Deliver, Job};
use super::{Ingested, StoreError};

/// A batch waiting, with the time it was received and where its outcome goes.
struct Batch {
    batch: ReportBatch,
    received: u64,
    answer: oneshot::Sender<Result<Ingested, StoreError>>,
}

/// The batches waiting for the writer, by site.
#[derive(Default, Clone)]
pub struct Waiting {
    sites: Arc<Mutex<HashMap<String, Vec<Batch>>>>,
}

impl Waiting {
    /// Adds a batch for `site`; the job to queue when it is the first one waiting (the
    /// others join a job queued already). The outcome arrives on the receiver.
    pub fn add(
        &self,
        site: &str,
        batch: ReportBatch,
        received: u64,
    ) -> (Option<Job>, oneshot::Receiver<Result<Ingested, StoreError>>) {
        let (answer, outcome) = oneshot::channel();
        let Ok(mut sites) = self.sites.lock() else {
            // Dropping `answer` tells the caller the store is closed.
            return (None, outcome);
        };
        let waiting = Batch {
            batch,
            received,
            answer,
        };
        let first = match sites.get_mut(site) {
            Some(others) => {
                others.push(waiting);
                false
            }
            None => {
                sites.insert(site.to_owned(), vec![waiting]);
                true
            }
        };
        drop(sites);
        let job = first.then(|| {
            let taken = Taken {
                waiting: self.clone(),
                site: site.to_owned(),
                ran: false,
            };
            Box::new(move |conn: &dyn Conn| taken.run(conn)) as Job
        });
        (job, outcome)
    }

    /// Every batch waiting for `site`, now no longer waiting.
    fn take(&self, site: &str) -> Vec<Batch> {
        (self.sites.lock().ok())
            .and_then(|mut sites| sites.remove(site))
            .unwrap_or_default()
    }
}

/// A site's job, as queued.
struct Taken {
    waiting: Waiting,
    site: String,
    ran: bool,
}

impl Taken {
    /// Stores the site's batches waiting; answers each once the group is committed.
    fn run(mut self, conn: &dyn Conn) -> (bool, Deliver) {
        self.ran = true;
        let (batches, answers): (Vec<_>, Vec<_>) = (self.waiting.take(&self.site).into_iter())
            .map(|b| ((b.batch, b.received), b.answer))
            .unzip();
        let result = sql::reports::store_plain(conn, &self.site, batches);
        // As `writer::job`: the group may commit unless the database failed.
        let sound = !matches!(result, Err(StoreError::Database(_) | StoreError::Closed));
        if let Err(StoreError::Database(e)) = &result {
            tracing::error!(error = %e, "a write failed; its group is rolled back");
        }
        let deliver: Deliver = Box::new(move |committed| match committed.and(result) {
            Ok(done) => {
                for (answer, done) in answers.into_iter().zip(done) {
                    let _ = answer.send(Ok(done));
                }
            }
            Err(e) => {
                for answer in answers {
                    let _ = answer.send(Err(again(&e)));
                }
            }
        });
        (sound, deliver)
    }
}

impl Drop for Taken {
    fn drop(&mut self) {
        if !self.ran {
            // Never run: those waiting hear that the store is closed (their senders dropped).
            self.waiting.take(&self.site);
        }
    }
}

/// The same error, for each batch of a job.
fn again(e: &StoreError) -> StoreError {
    match e {
        StoreError::Closed => StoreError::Closed,
        StoreError::Database(message) => StoreError::Database(message.clone()),
        other => StoreError::Database(other.to_string()),
    }
}
