//! [`Postgres`]: the engine for several collectors on one PostgreSQL database.
//!
//! Each collector has its own writer committing in groups, as on SQLite; a commit returns
//! once PostgreSQL has flushed it (`synchronous_commit` as the server has it: on by
//! default). Writers of different collectors run at once, so a group first takes
//! transaction-scoped advisory locks: shared on "the writers" and exclusive on each of its
//! sites, in one order (a job over every site takes "the writers" exclusively). Triage's
//! caps and budgets, a member of staff's name or a message's client id are so checked and
//! written by one collector at a time, and report keys are unique in the database besides.
//!
//! Statements are written for both engines (`?1` or `?`), numbered `$1` here, prepared once
//! per connection. Values cross as [`Param`]s and [`Value`]s, typed by what PostgreSQL
//! infers for each parameter and column.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error;
use std::time::Duration;

use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Config, GenericClient, NoTls, Statement};

use super::StoreError;
use super::database::Engine;
use super::readers::Readers;
use super::sql::{Conn, Param, Row, Value, schema};
use super::writer::{CommitObserver, Committer, Queued, Scope, Writer};

/// The advisory lock of "the writers" (shared by each group, exclusive for every-site jobs).
const WRITERS: i64 = 0x4c69_6665_6c69_6e65;
/// The advisory lock held while migrating.
const MIGRATING: i64 = WRITERS + 1;

fn pg(e: postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(d) => StoreError::Database(format!("{}: {}", d.code().code(), d.message())),
        None => StoreError::Database(e.to_string()),
    }
}

/// The advisory lock of one site's writes.
fn site_lock(site: &str) -> i64 {
    use sha2::Digest as _;
    let d = sha2::Sha256::digest(["lifeline site ", site].concat().as_bytes());
    i64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// A statement written for both engines with PostgreSQL's numbered parameters: `?1` is
/// `$1`, and a bare `?` is one more than the largest number so far (as SQLite counts);
/// quoted text is left alone.
pub fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let (mut largest, mut quoted) = (0u32, false);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c != '?' || quoted {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.next_if(char::is_ascii_digit) {
            digits.push(d);
        }
        let n = digits.parse().unwrap_or(largest + 1);
        largest = largest.max(n);
        out.push('$');
        out.push_str(&n.to_string());
    }
    out
}

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
                Type::BOOL => (v != 0).to_sql(ty, out),
                Type::FLOAT8 => (v as f64).to_sql(ty, out),
                _ => Err(format!("a whole number where {ty} is wanted").into()),
            },
            Param::Real(v) => match *ty {
                Type::FLOAT8 => v.to_sql(ty, out),
                Type::FLOAT4 => (v as f32).to_sql(ty, out),
                _ => Err(format!("a real number where {ty} is wanted").into()),
            },
            Param::Text(s) if <&str as ToSql>::accepts(ty) => s.to_sql(ty, out),
            Param::Bytes(b) if *ty == Type::BYTEA => b.to_sql(ty, out),
            _ => Err(format!("{self:?} where {ty} is wanted").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Value, Box<dyn Error + Sync + Send>> {
        Ok(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Int(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::BYTEA => Value::Bytes(Vec::<u8>::from_sql(ty, raw)?),
            _ if <String as FromSql>::accepts(ty) => Value::Text(String::from_sql(ty, raw)?),
            _ => return Err(format!("a column of type {ty}: cast it in the SQL").into()),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Value, Box<dyn Error + Sync + Send>> {
        Ok(Value::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A connection with the statements prepared on it.
struct Connection {
    client: Client,
    statements: RefCell<HashMap<String, Statement>>,
}

impl Connection {
    fn open(config: &Config) -> Result<Connection, StoreError> {
        Ok(Connection {
            client: config
                .connect(NoTls)
                .map_err(|e| StoreError::Database(format!("cannot reach PostgreSQL: {e}")))?,
            statements: RefCell::new(HashMap::new()),
        })
    }
}

/// A client (or a transaction of it) as a [`Conn`].
struct PgConn<'a, C> {
    client: RefCell<&'a mut C>,
    statements: &'a RefCell<HashMap<String, Statement>>,
}

impl<C: GenericClient> PgConn<'_, C> {
    fn statement(&self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let statement = (self.client.borrow_mut())
            .prepare(&numbered(sql))
            .map_err(pg)?;
        let mut statements = self.statements.borrow_mut();
        if statements.len() >= 256 {
            // Statements built from filters vary; start again rather than grow.
            statements.clear();
        }
        statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

fn args<'a>(params: &'a [Param<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl<C: GenericClient> Conn for PgConn<'_, C> {
    fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<usize, StoreError> {
        let statement = self.statement(sql)?;
        (self.client.borrow_mut())
            .execute(&statement, &args(params))
            .map(|n| n as usize)
            .map_err(pg)
    }

    fn round_trips(&self) -> bool {
        true
    }

    fn query(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let statement = self.statement(sql)?;
        let rows = (self.client.borrow_mut())
            .query(&statement, &args(params))
            .map_err(pg)?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| r.try_get::<_, Value>(i))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row)
                    .map_err(pg)
            })
            .collect()
    }
}

/// The writer's connection, opened again when it is lost.
struct Commits {
    config: Config,
    conn: Option<Connection>,
}

impl Commits {
    fn connection(&mut self) -> Result<&mut Connection, StoreError> {
        if self.conn.as_ref().is_none_or(|c| c.client.is_closed()) {
            self.conn = None;
            self.conn = Some(Connection::open(&self.config)?);
        }
        self.conn.as_mut().ok_or(StoreError::Closed)
    }
}

/// Takes the group's locks: "the writers" shared and each site's exclusively, in the order
/// of their numbers, or "the writers" exclusively for a job over every site.
fn lock(tx: &mut postgres::Transaction<'_>, scopes: &[Scope]) -> Result<(), StoreError> {
    if scopes.contains(&Scope::All) {
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITERS])
            .map_err(pg)?;
        return Ok(());
    }
    let mut sites: Vec<i64> = (scopes.iter())
        .filter_map(|s| match s {
            Scope::Site(name) => Some(site_lock(name)),
            Scope::All | Scope::Own => None,
        })
        .collect();
    sites.sort_unstable();
    sites.dedup();
    tx.execute("SELECT pg_advisory_xact_lock_shared($1)", &[&WRITERS])
        .map_err(pg)?;
    // In the array's order: by number.
    tx.execute(
        "SELECT pg_advisory_xact_lock(k) FROM unnest($1::BIGINT[]) AS k",
        &[&sites],
    )
    .map_err(pg)?;
    Ok(())
}

impl Committer for Commits {
    fn commit(
        &mut self,
        scopes: &[Scope],
        run: &mut dyn FnMut(&dyn Conn) -> bool,
    ) -> Result<(), StoreError> {
        let Connection { client, statements } = self.connection()?;
        let mut tx = client.transaction().map_err(pg)?;
        lock(&mut tx, scopes)?;
        let sound = run(&PgConn {
            client: RefCell::new(&mut tx),
            statements,
        });
        let committed = if sound {
            tx.commit().map_err(pg)
        } else {
            tx.rollback().map_err(pg).and(Err(StoreError::Database(
                "a write in this group failed".into(),
            )))
        };
        if committed.is_err() {
            // Statements prepared in a transaction that failed are prepared again.
            statements.borrow_mut().clear();
        }
        committed
    }
}

/// The PostgreSQL engine.
pub struct Postgres {
    writer: Writer,
    readers: Readers<Connection>,
    config: Config,
}

impl Postgres {
    /// Connects to `url`, migrates the database, and starts the writer.
    pub fn open(url: &str, on_commit: Option<CommitObserver>) -> Result<Postgres, StoreError> {
        let mut config: Config = url
            .parse()
            .map_err(|e| StoreError::Database(format!("not a PostgreSQL URL: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        config.application_name("lifeline-collector");
        // The client blocks on a runtime of its own: never on one of the caller's threads.
        let first = std::thread::scope(|s| {
            s.spawn(|| {
                let mut first = Connection::open(&config)?;
                migrate(&mut first.client)?;
                Ok(first)
            })
            .join()
            .unwrap_or(Err(StoreError::Closed))
        })?;

        let commits = Commits {
            config: config.clone(),
            conn: Some(first),
        };
        Ok(Postgres {
            writer: Writer::start(commits, on_commit)?,
            readers: Readers::default(),
            config,
        })
    }
}

impl Engine for Postgres {
    fn submit(&self, queued: Queued) -> Result<(), StoreError> {
        self.writer.submit(queued)
    }

    fn read(&self, read: &mut dyn FnMut(&dyn Conn)) -> Result<(), StoreError> {
        self.readers.with(
            || Connection::open(&self.config),
            |c| !c.client.is_closed(),
            |conn| {
                read(&PgConn {
                    client: RefCell::new(&mut conn.client),
                    statements: &conn.statements,
                })
            },
        )
    }

    fn queue_depth(&self) -> usize {
        self.writer.queue_depth()
    }

    fn close(&self) {
        self.writer.close();
        // A client ends its runtime when dropped, which an async caller's thread must not do.
        let readers = self.readers.take_all();
        let _ = std::thread::spawn(move || drop(readers)).join();
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.close();
    }
}

/// Brings the schema up to date, one collector at a time.
fn migrate(client: &mut Client) -> Result<(), StoreError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATING])
        .map_err(pg)?;
    let result = (|| {
        client
            .batch_execute("CREATE TABLE IF NOT EXISTS lifeline_schema (version BIGINT NOT NULL)")
            .map_err(pg)?;
        let applied: i64 = client
            .query_opt("SELECT max(version) FROM lifeline_schema", &[])
            .map_err(pg)?
            .and_then(|r| r.get::<_, Option<i64>>(0))
            .unwrap_or(0);
        let known = schema::MIGRATIONS.len() as i64;
        if applied > known {
            return Err(StoreError::Database(format!(
                "the database is at schema version {applied}, newer than this collector knows ({known})"
            )));
        }
        for (i, migration) in schema::MIGRATIONS.iter().enumerate().skip(applied as usize) {
            let mut tx = client.transaction().map_err(pg)?;
            tx.batch_execute(&migration.postgres()).map_err(pg)?;
            tx.execute("DELETE FROM lifeline_schema", &[]).map_err(pg)?;
            tx.execute(
                "INSERT INTO lifeline_schema (version) VALUES ($1)",
                &[&(i as i64 + 1)],
            )
            .map_err(pg)?;
            tx.commit().map_err(pg)?;
        }
        Ok(())
    })();
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATING])
        .map_err(pg)?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_numbered_as_sqlite_numbers_them() {
        assert_eq!(
            numbered("a = ?1 AND b = ?2 OR c = ?1"),
            "a = $1 AND b = $2 OR c = $1"
        );
        assert_eq!(
            numbered("a = ? AND b = ? LIMIT ?"),
            "a = $1 AND b = $2 LIMIT $3"
        );
        assert_eq!(numbered("a = ?2 AND b = ?"), "a = $2 AND b = $3");
        assert_eq!(numbered("a = '?' AND b = ?"), "a = '?' AND b = $1");
        assert_eq!(
            numbered("a = 'it''s ?' AND b = ?"),
            "a = 'it''s ?' AND b = $1"
        );
    }

    #[test]
    fn each_site_has_its_own_lock_and_none_is_the_writers() {
        assert_ne!(site_lock("demo"), site_lock("demo2"));
        assert_eq!(site_lock("demo"), site_lock("demo"));
        assert_ne!(site_lock("demo"), WRITERS);
    }
}
