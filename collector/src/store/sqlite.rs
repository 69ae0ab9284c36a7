//! [`Sqlite`]: the embedded engine. One file, WAL, migrations by `user_version`; a full sync
//! at each group commit, so an acknowledged batch survives a crash. Reads use a small pool
//! of their own read-only connections, which WAL lets run beside the writer.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, params_from_iter};

use super::StoreError;
use super::database::Engine;
use super::readers::Readers;
use super::sql::{Conn, Param, Row, Value, schema};
use super::writer::{CommitObserver, Committer, Queued, Scope, Writer};

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Null => ValueRef::Null,
            Param::Int(v) => ValueRef::Integer(v),
            Param::Real(v) => ValueRef::Real(v),
            Param::Text(s) => ValueRef::Text(s.as_bytes()),
            Param::Bytes(b) => ValueRef::Blob(b),
        }))
    }
}

impl Conn for Connection {
    fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<usize, StoreError> {
        let mut stmt = self.prepare_cached(sql).map_err(db)?;
        stmt.execute(params_from_iter(params)).map_err(db)
    }

    fn query(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.prepare_cached(sql).map_err(db)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query(params_from_iter(params)).map_err(db)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(db)? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                values.push(match r.get_ref(i).map_err(db)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Real(v) => Value::Real(v),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
                });
            }
            out.push(Row(values));
        }
        Ok(out)
    }
}

/// The SQLite engine.
pub struct Sqlite {
    writer: Writer,
    readers: Readers<Connection>,
    path: PathBuf,
}

fn open(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(path, flags).map_err(db)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(db)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// The writer's connection: one transaction per group, committed with a full sync.
struct Commits(Connection);

impl Committer for Commits {
    fn commit(
        &mut self,
        _scopes: &[Scope],
        run: &mut dyn FnMut(&dyn Conn) -> bool,
    ) -> Result<(), StoreError> {
        let tx = self.0.transaction().map_err(db)?;
        if run(&*tx) {
            tx.commit().map_err(db)
        } else {
            // Dropping the transaction rolls the whole group back.
            Err(StoreError::Database("a write in this group failed".into()))
        }
    }
}

impl Sqlite {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path, on_commit: Option<CommitObserver>) -> Result<Sqlite, StoreError> {
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

        Ok(Sqlite {
            writer: Writer::start(Commits(conn), on_commit)?,
            readers: Readers::default(),
            path: path.to_owned(),
        })
    }
}

impl Engine for Sqlite {
    fn submit(&self, queued: Queued) -> Result<(), StoreError> {
        self.writer.submit(queued)
    }

    fn read(&self, read: &mut dyn FnMut(&dyn Conn)) -> Result<(), StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        (self.readers).with(|| open(&self.path, flags), |_| true, |conn| read(conn))
    }

    fn queue_depth(&self) -> usize {
        self.writer.queue_depth()
    }

    fn close(&self) {
        self.writer.close();
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let applied: usize = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(db)?;
    let known = schema::MIGRATIONS.len();
    if applied > known {
        return Err(StoreError::Database(format!(
            "the database is at schema version {applied}, newer than this collector knows ({known})"
        )));
    }
    for (i, migration) in schema::MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction().map_err(db)?;
        if let Some(sql) = migration.sqlite() {
            tx.execute_batch(sql).map_err(db)?;
        }
        tx.pragma_update(None, "user_version", i + 1).map_err(db)?;
        tx.commit().map_err(db)?;
    }
    Ok(())
}
