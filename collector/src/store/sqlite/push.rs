//! Web Push in the store: each site's VAPID key (made the first time it is needed) and its
//! staff's push subscriptions (one row per browser's endpoint).

use rusqlite::{Connection, OptionalExtension, params};

use super::{db, stored_millis};
use crate::push::{Keys, Subscription};
use crate::store::StoreError;

/// The site's VAPID private key (32 bytes), made now when it has none.
pub(super) fn key(conn: &Connection, site: &str) -> Result<Vec<u8>, StoreError> {
    let current: Option<Option<Vec<u8>>> = conn
        .query_row("SELECT vapid FROM sites WHERE name = ?1", [site], |r| {
            r.get(0)
        })
        .optional()
        .map_err(db)?;
    match current {
        None => Err(StoreError::UnknownSite),
        Some(Some(key)) if key.len() == 32 => Ok(key),
        Some(_) => {
            let key = crate::push::new_key()
                .map_err(|e| StoreError::Database(e.to_string()))?
                .to_bytes()
                .to_vec();
            conn.execute(
                "UPDATE sites SET vapid = ?2 WHERE name = ?1",
                params![site, key],
            )
            .map_err(db)?;
            Ok(key)
        }
    }
}

/// Keeps `staff`'s subscription (the endpoint's earlier one, anyone's, is replaced).
pub(super) fn subscribe(
    conn: &Connection,
    site: &str,
    staff: &str,
    s: &Subscription,
    now: u64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR REPLACE INTO push_subscriptions (endpoint, site, staff, p256dh, auth, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            s.endpoint,
            site,
            staff,
            s.keys.p256dh,
            s.keys.auth,
            stored_millis(now)
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// Forgets a subscription of the site; whether there was one.
pub(super) fn unsubscribe(
    conn: &Connection,
    site: &str,
    endpoint: &str,
) -> Result<bool, StoreError> {
    conn.execute(
        "DELETE FROM push_subscriptions WHERE site = ?1 AND endpoint = ?2",
        params![site, endpoint],
    )
    .map(|n| n > 0)
    .map_err(db)
}

/// The site's subscriptions, each with its member of staff.
pub(super) fn list(
    conn: &Connection,
    site: &str,
) -> Result<Vec<(String, Subscription)>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT staff, endpoint, p256dh, auth FROM push_subscriptions WHERE site = ?1
             ORDER BY staff, created",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([site], |r| {
            Ok((
                r.get(0)?,
                Subscription {
                    endpoint: r.get(1)?,
                    keys: Keys {
                        p256dh: r.get(2)?,
                        auth: r.get(3)?,
                    },
                    expiration_time: None,
                },
            ))
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}
