//! A throwaway database for one test, on the engine the run is for: SQLite in a temporary
//! directory, or — when `LIFELINE_TEST_POSTGRES` names a PostgreSQL database (`make test`
//! starts one) — a schema of its own there, dropped afterwards. The same tests so run on
//! both engines.

use std::path::Path;

use lifeline_collector::store::Database;
use lifeline_collector::store::writer::CommitObserver;

/// The variable naming the PostgreSQL database the run uses.
pub const POSTGRES: &str = "LIFELINE_TEST_POSTGRES";

/// One test's database.
pub struct Scratch {
    /// What `--database` takes.
    pub url: String,
    /// On PostgreSQL: the server's URL and the schema.
    postgres: Option<(String, String)>,
}

/// The number a query gives (a count) on the database at `url`, read as an operator would.
pub fn count(url: &str, sql: &str) -> u64 {
    let n: i64 = match url.strip_prefix("sqlite://") {
        Some(path) => rusqlite::Connection::open(path)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap(),
        None => blocking(|| client(url).query_one(sql, &[]).unwrap().get(0)),
    };
    u64::try_from(n).unwrap()
}

/// Runs `f` on a thread of its own: the sync PostgreSQL client never blocks an async test's.
pub fn blocking<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().expect("the helper thread"))
}

fn client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("{POSTGRES}={url}: {e}"))
}

impl Scratch {
    /// A database for a test whose files go in `dir`.
    pub fn new(dir: &Path) -> Scratch {
        match std::env::var(POSTGRES).ok().filter(|u| !u.is_empty()) {
            None => Scratch {
                url: format!("sqlite://{}", dir.join("db/lifeline.db").display()),
                postgres: None,
            },
            Some(server) => {
                let mut bytes = [0u8; 8];
                getrandom::fill(&mut bytes).unwrap();
                let schema: String = ["t_".to_owned()]
                    .into_iter()
                    .chain(bytes.iter().map(|b| format!("{b:02x}")))
                    .collect();
                blocking(|| {
                    client(&server)
                        .batch_execute(&format!("CREATE SCHEMA {schema}"))
                        .unwrap()
                });
                let sep = if server.contains('?') { '&' } else { '?' };
                Scratch {
                    url: format!("{server}{sep}options=-c%20search_path%3D{schema}"),
                    postgres: Some((server, schema)),
                }
            }
        }
    }

    /// Whether this run is on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// The store on this database (migrated on first open).
    pub fn open(&self, on_commit: Option<CommitObserver>) -> Database {
        let url = self.url.clone();
        blocking(move || Database::open(&url, on_commit)).unwrap()
    }

    /// Runs SQL on this database, as an operator would with `psql` or `sqlite3`.
    pub fn execute(&self, sql: &str) {
        match &self.postgres {
            Some(_) => {
                let url = self.url.clone();
                blocking(|| client(&url).batch_execute(sql).unwrap());
            }
            None => {
                let path = self.url.trim_start_matches("sqlite://");
                rusqlite::Connection::open(path)
                    .unwrap()
                    .execute_batch(sql)
                    .unwrap();
            }
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Not waited for: the test's runtime may still hold a lock the drop waits for (its
        // live channel mid-publish) and be on this very thread. What is left when the run
        // ends goes with the run's database.
        if let Some((server, schema)) = self.postgres.take() {
            std::thread::spawn(move || {
                if let Ok(mut c) = postgres::Client::connect(&server, postgres::NoTls) {
                    let _ = c.batch_execute(&format!(
                        "SET lock_timeout = '5s'; DROP SCHEMA {schema} CASCADE"
                    ));
                }
            });
        }
    }
}
