//! Web Push in the store: each site's VAPID key (made the first time it is needed) and its
//! staff's push subscriptions (one row per browser's endpoint).

use super::{Conn, params, stored_millis};
use crate::push::{Keys, Subscription};
use crate::store::StoreError;

/// The site's VAPID private key (32 bytes), made now when it has none.
pub fn key(conn: &dyn Conn, site: &str) -> Result<Vec<u8>, StoreError> {
    let current = conn.row(
        "SELECT vapid FROM sites WHERE name = ?1",
        params![site],
        |r| r.get::<Option<Vec<u8>>>(0),
    )?;
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
            )?;
            Ok(key)
        }
    }
}

/// Keeps `staff`'s subscription (the endpoint's earlier one, anyone's, is replaced).
pub fn subscribe(
    conn: &dyn Conn,
    site: &str,
    staff: &str,
    s: &Subscription,
    now: u64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO push_subscriptions (endpoint, site, staff, p256dh, auth, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (endpoint) DO UPDATE SET site = excluded.site, staff = excluded.staff,
            p256dh = excluded.p256dh, auth = excluded.auth, created = excluded.created",
        params![
            s.endpoint,
            site,
            staff,
            s.keys.p256dh,
            s.keys.auth,
            stored_millis(now)
        ],
    )?;
    Ok(())
}

/// Forgets a subscription of the site; whether there was one.
pub fn unsubscribe(conn: &dyn Conn, site: &str, endpoint: &str) -> Result<bool, StoreError> {
    conn.execute(
        "DELETE FROM push_subscriptions WHERE site = ?1 AND endpoint = ?2",
        params![site, endpoint],
    )
    .map(|n| n > 0)
}

/// The site's subscriptions, each with its member of staff.
pub fn list(conn: &dyn Conn, site: &str) -> Result<Vec<(String, Subscription)>, StoreError> {
    conn.rows(
        "SELECT staff, endpoint, p256dh, auth FROM push_subscriptions WHERE site = ?1
         ORDER BY staff, created",
        params![site],
        |r| {
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
        },
    )
}
