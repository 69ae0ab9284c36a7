//! The SQL every store runs, written once for SQLite and PostgreSQL.
//!
//! A store's engine ([`super::sqlite`], [`super::postgres`]) gives a [`Conn`]: a statement
//! with `?1`-style (or bare `?`) parameters run on a connection or inside the writer's
//! transaction, its values as [`Param`]s and its rows as [`Row`]s of [`Value`]s. What is
//! stored and how is decided here, in the product's words:
//!
//! - [`sites`]: sites, their rules (every version) and signing secrets.
//! - [`reports`]: report batches stored once per key, listed, tallied and charted.
//! - [`staff`]: accounts, roles and presence.
//! - [`triage`]: feedback judged and coupons minted in the writer's transaction.
//! - [`alerts`]: alerts raised, routed, escalated and acknowledged.
//! - [`chat`]: conversations and their messages.
//! - [`push`]: VAPID keys and push subscriptions.
//! - [`collectors`]: the collectors sharing the database, alive.
//! - [`schema`]: the tables, one migration history for both engines.
//!
//! The SQL is the common ground of both engines: `ON CONFLICT`, `RETURNING`,
//! `COUNT(*) FILTER`, casts to `BIGINT` and `DOUBLE PRECISION` where PostgreSQL would widen
//! a sum or an average to `NUMERIC`.

pub mod alerts;
pub mod chat;
pub mod collectors;
pub mod push;
pub mod reports;
pub mod schema;
pub mod sites;
pub mod staff;
pub mod triage;

use super::StoreError;

/// A statement's value, borrowed from the caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Param<'a> {
    /// SQL NULL.
    Null,
    /// A whole number (times in ms, ids, counts, flags as 0 and 1).
    Int(i64),
    /// A real number.
    Real(f64),
    /// Text.
    Text(&'a str),
    /// Bytes (hashes, keys).
    Bytes(&'a [u8]),
}

/// A value read from a row, or kept for a statement built at run time.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A whole number (booleans read as 0 and 1).
    Int(i64),
    /// A real number.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Bytes(Vec<u8>),
}

/// What can be a statement's value.
pub trait ToParam {
    /// This as a value.
    fn param(&self) -> Param<'_>;
}

impl ToParam for Value {
    fn param(&self) -> Param<'_> {
        match self {
            Value::Null => Param::Null,
            Value::Int(v) => Param::Int(*v),
            Value::Real(v) => Param::Real(*v),
            Value::Text(s) => Param::Text(s),
            Value::Bytes(b) => Param::Bytes(b),
        }
    }
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn param(&self) -> Param<'_> {
                Param::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_param!(i64, i32, u8, u32, u64, usize);

impl ToParam for bool {
    fn param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}

impl ToParam for f64 {
    fn param(&self) -> Param<'_> {
        Param::Real(*self)
    }
}

impl ToParam for str {
    fn param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for String {
    fn param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for [u8] {
    fn param(&self) -> Param<'_> {
        Param::Bytes(self)
    }
}

impl ToParam for Vec<u8> {
    fn param(&self) -> Param<'_> {
        Param::Bytes(self)
    }
}

impl ToParam for [u8; 32] {
    fn param(&self) -> Param<'_> {
        Param::Bytes(self)
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn param(&self) -> Param<'_> {
        (**self).param()
    }
}

impl<T: ToParam> ToParam for Option<T> {
    fn param(&self) -> Param<'_> {
        self.as_ref().map_or(Param::Null, ToParam::param)
    }
}

/// A statement's values: `params![site, key, at]`.
macro_rules! params {
    ($($p:expr),* $(,)?) => {
        &[$($crate::store::sql::ToParam::param(&$p)),*] as &[$crate::store::sql::Param<'_>]
    };
}
pub(crate) use params;

/// The values of a statement built at run time.
pub fn values(values: &[Value]) -> Vec<Param<'_>> {
    values.iter().map(ToParam::param).collect()
}

/// One row read.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Column `i` as a `T`.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, StoreError> {
        let value = self.0.get(i).unwrap_or(&Value::Null);
        T::from_value(value).ok_or_else(|| {
            StoreError::Database(format!(
                "column {i} holds {value:?}, not {}",
                std::any::type_name::<T>()
            ))
        })
    }

    /// Column `i` as a count: never below 0.
    pub fn count(&self, i: usize) -> Result<u64, StoreError> {
        self.get::<i64>(i).map(|v| v.max(0) as u64)
    }

    /// Column `i` as a 32-byte hash (zeros when it is not one).
    pub fn hash(&self, i: usize) -> Result<[u8; 32], StoreError> {
        let bytes: Vec<u8> = self.get(i)?;
        let mut hash = [0u8; 32];
        if bytes.len() == 32 {
            hash.copy_from_slice(&bytes);
        }
        Ok(hash)
    }
}

/// What a column's value can be read as.
pub trait FromValue: Sized {
    /// The value as `Self`, when it is one.
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Option<i64> {
        match value {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }
}

macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: &Value) -> Option<$t> {
                i64::from_value(value).and_then(|v| <$t>::try_from(v).ok())
            }
        }
    )*};
}
int_value!(u8, u32, u64, i32);

impl FromValue for bool {
    fn from_value(value: &Value) -> Option<bool> {
        i64::from_value(value).map(|v| v != 0)
    }
}

impl FromValue for f64 {
    fn from_value(value: &Value) -> Option<f64> {
        match value {
            Value::Real(v) => Some(*v),
            Value::Int(v) => Some(*v as f64),
            _ => None,
        }
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Option<String> {
        match value {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Option<Vec<u8>> {
        match value {
            Value::Bytes(b) => Some(b.clone()),
            Value::Text(s) => Some(s.clone().into_bytes()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Option<Option<T>> {
        match value {
            Value::Null => Some(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// A connection (or the writer's transaction) of one engine.
pub trait Conn {
    /// Runs a statement; the rows it changed.
    fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<usize, StoreError>;
    /// Runs a query; its rows.
    fn query(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError>;
    /// Whether each statement is a round trip to a server (so that rows are better written
    /// many to a statement), not a call into a library in this process.
    fn round_trips(&self) -> bool {
        false
    }
}

impl<'c> dyn Conn + 'c {
    /// The first row, read by `f`; `None` when there is none.
    pub fn row<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnOnce(&Row) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        self.query(sql, params)?.first().map(f).transpose()
    }

    /// Every row, each read by `f`.
    pub fn rows<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnMut(&Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        self.query(sql, params)?.iter().map(f).collect()
    }

    /// The first column of the first row (a count, a `MAX`): there is always one.
    pub fn one<T: FromValue>(&self, sql: &str, params: &[Param<'_>]) -> Result<T, StoreError> {
        self.row(sql, params, |r| r.get(0))?
            .ok_or_else(|| StoreError::Database(format!("no row from {sql}")))
    }

    /// Whether the query finds a row.
    pub fn exists(&self, sql: &str, params: &[Param<'_>]) -> Result<bool, StoreError> {
        Ok(!self.query(sql, params)?.is_empty())
    }
}

/// A time in ms as the database holds it: beyond `i64::MAX` (no stored time is) it stays
/// the largest, where a cast would wrap it negative and turn `to` into "nothing" and
/// `from` into "everything".
pub fn stored_millis(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// A new secret or key: 32 random bytes.
pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random numbers");
    bytes
}

/// Conditions joined by `AND`, with their values in order: the admin listings' filters.
pub struct Where {
    /// The conditions.
    pub sql: String,
    /// Their values.
    pub values: Vec<Value>,
}

impl Where {
    /// `column = site`.
    pub fn site(column: &str, site: &str) -> Where {
        Where {
            sql: [column, " = ?"].concat(),
            values: vec![Value::Text(site.to_owned())],
        }
    }

    /// One more condition, with its values.
    pub fn and(&mut self, clause: &str, values: impl IntoIterator<Item = Value>) {
        self.sql.push_str(" AND ");
        self.sql.push_str(clause);
        self.values.extend(values);
    }

    /// `column = text`, when given.
    pub fn equals(&mut self, column: &str, text: Option<&str>) {
        if let Some(t) = text {
            self.and(&[column, " = ?"].concat(), [Value::Text(t.to_owned())]);
        }
    }

    /// `column` (ms) at or after `from` and before `to`, each when given.
    pub fn between(&mut self, column: &str, from: Option<u64>, to: Option<u64>) {
        if let Some(from) = from {
            let from = Value::Int(stored_millis(from));
            self.and(&[column, " >= ?"].concat(), [from]);
        }
        if let Some(to) = to {
            self.and(&[column, " < ?"].concat(), [Value::Int(stored_millis(to))]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_as_the_types_asked_for_and_refused_otherwise() {
        let row = Row(vec![
            Value::Int(7),
            Value::Null,
            Value::Text("a".into()),
            Value::Int(-1),
        ]);
        assert_eq!(row.get::<u32>(0).unwrap(), 7);
        assert_eq!(row.get::<Option<String>>(1).unwrap(), None);
        assert_eq!(row.get::<String>(2).unwrap(), "a");
        assert!(row.get::<u64>(3).is_err(), "a negative is no u64");
        assert_eq!(row.count(3).unwrap(), 0);
        assert!(row.get::<i64>(2).is_err());
        assert!(row.get::<String>(9).is_err(), "a missing column is NULL");
    }

    #[test]
    fn params_borrow_what_they_are_given() {
        let (site, n, none): (String, u64, Option<i64>) = ("demo".into(), u64::MAX, None);
        let p = params![site, n, none, true, 0.5];
        assert_eq!(
            p,
            &[
                Param::Text("demo"),
                Param::Int(i64::MAX),
                Param::Null,
                Param::Int(1),
                Param::Real(0.5)
            ]
        );
    }
}
