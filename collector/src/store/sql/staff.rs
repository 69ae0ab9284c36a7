//! Staff accounts, their roles and their presence.

use super::{Conn, params, sites, stored_millis};
use crate::store::{NewStaff, Role, StaffMember, Status, StoreError};

/// Adds a member of staff to a site.
pub fn add(conn: &dyn Conn, site: &str, staff: &NewStaff) -> Result<(), StoreError> {
    if !sites::exists(conn, site)? {
        return Err(StoreError::UnknownSite);
    }
    let taken = conn.exists(
        "SELECT 1 FROM staff WHERE site = ?1 AND name = ?2",
        params![site, staff.name],
    )?;
    if taken {
        return Err(StoreError::StaffExists);
    }
    conn.execute(
        "INSERT INTO staff (site, name, role, token_hash, created) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            site,
            staff.name,
            staff.role.as_str(),
            staff.token_hash,
            crate::now_ms()
        ],
    )?;
    Ok(())
}

/// Removes a member of staff, and their phones' push subscriptions.
pub fn remove(conn: &dyn Conn, site: &str, name: &str) -> Result<(), StoreError> {
    match conn.execute(
        "DELETE FROM staff WHERE site = ?1 AND name = ?2",
        params![site, name],
    )? {
        0 => Err(StoreError::UnknownStaff),
        // Their phones hear no more of the site.
        _ => conn
            .execute(
                "DELETE FROM push_subscriptions WHERE site = ?1 AND staff = ?2",
                params![site, name],
            )
            .map(|_| ()),
    }
}

/// The site's staff with their presence at `now`, and each one's token hash.
pub fn list(
    conn: &dyn Conn,
    site: &str,
    now: u64,
) -> Result<Vec<(StaffMember, [u8; 32])>, StoreError> {
    conn.rows(
        "SELECT name, role, token_hash, status, seen FROM staff WHERE site = ?1 ORDER BY name",
        params![site],
        |r| {
            let status: Option<String> = r.get(3)?;
            let seen: Option<u64> = r.get(4)?;
            let status = status.as_deref().and_then(Status::from_name);
            Ok((
                StaffMember {
                    name: r.get(0)?,
                    role: Role::from_name(&r.get::<String>(1)?).unwrap_or(Role::Agent),
                    status: crate::store::staff::presence(status, seen, now),
                    seen,
                },
                r.hash(2)?,
            ))
        },
    )
}

/// A heartbeat: `name` is `status` at `now`.
pub fn heartbeat(
    conn: &dyn Conn,
    site: &str,
    name: &str,
    status: Status,
    now: u64,
) -> Result<(), StoreError> {
    match conn.execute(
        "UPDATE staff SET status = ?3, seen = ?4 WHERE site = ?1 AND name = ?2",
        params![site, name, status.as_str(), stored_millis(now)],
    )? {
        0 => Err(StoreError::UnknownStaff),
        _ => Ok(()),
    }
}
