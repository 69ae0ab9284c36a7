//! The collectors sharing the database: each says it is alive every few seconds; how many
//! are is what each one's share of a rate is divided by.

use super::{Conn, params, stored_millis};
use crate::store::StoreError;

/// A collector not heard from for this long is gone.
pub const GONE_MS: u64 = 15_000;

/// Collector `id` is alive at `now`; how many are (itself included).
pub fn alive(conn: &dyn Conn, id: &str, now: u64) -> Result<u32, StoreError> {
    let gone = stored_millis(now.saturating_sub(GONE_MS));
    conn.execute(
        "INSERT INTO collectors (id, seen) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET seen = excluded.seen",
        params![id, stored_millis(now)],
    )?;
    conn.execute("DELETE FROM collectors WHERE seen < ?1", params![gone])?;
    conn.one::<u32>("SELECT COUNT(*) FROM collectors", &[])
}
