//! [`Cache`]: what every page asks for (a site, its served rules), kept in memory for a few
//! seconds so page traffic does not read the database on each request. Writes through the
//! admin API forget the entry at once, in every collector sharing the database
//! ([`crate::follow_changes`]); a change made by another process (the CLI rotating a token)
//! is seen within [`TTL`].

use std::collections::HashMap;
use std::future::Future;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long an entry is trusted.
pub const TTL: Duration = Duration::from_secs(5);
/// Most entries kept (past it, the cache is emptied and refilled).
const MAX_ENTRIES: usize = 10_000;

/// A small time-limited cache by site name.
#[derive(Debug)]
pub struct Cache<V> {
    entries: RwLock<HashMap<String, (V, Instant)>>,
}

impl<V> Default for Cache<V> {
    fn default() -> Self {
        Cache {
            entries: RwLock::new(HashMap::new()),
        }
    }
}

impl<V: Clone> Cache<V> {
    /// The cached value for `key`, or `load`'s (cached when it is `Some`).
    pub async fn get<E, F>(&self, key: &str, load: F) -> Result<Option<V>, E>
    where
        F: Future<Output = Result<Option<V>, E>>,
    {
        if let Ok(entries) = self.entries.read()
            && let Some((v, at)) = entries.get(key)
            && at.elapsed() < TTL
        {
            return Ok(Some(v.clone()));
        }
        let loaded = load.await?;
        if let Some(v) = &loaded
            && let Ok(mut entries) = self.entries.write()
        {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key.to_owned(), (v.clone(), Instant::now()));
        }
        Ok(loaded)
    }

    /// Forgets everything.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }

    /// Forgets `key` (after a write).
    pub fn forget(&self, key: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(key);
        }
    }
}
