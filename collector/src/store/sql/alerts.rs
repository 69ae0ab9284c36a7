//! Alerts in the writer's transaction: raised and routed against the staff's presence and
//! open alerts as committed, acknowledged once, escalated or expired past their window.

use super::{Conn, Row, params, stored_millis};
use crate::store::alerts::route;
use crate::store::staff::presence;
use crate::store::{Alert, AlertState, NewAlert, Role, StaffMember, Status, StoreError};

const COLUMNS: &str = "id, session, created, page, rule, band, signals, value, assigned,
    escalations, acked, acked_by, expired, conversation, tier";

fn row(r: &Row) -> Result<Alert, StoreError> {
    let signals: String = r.get(6)?;
    let acked: Option<i64> = r.get(10)?;
    let expired: Option<i64> = r.get(12)?;
    Ok(Alert {
        id: r.get(0)?,
        session: r.get(1)?,
        created: r.count(2)?,
        page: r.get(3)?,
        rule: r.get(4)?,
        band: r.get(5)?,
        signals: signals.split_whitespace().map(str::to_owned).collect(),
        value: r.get(7)?,
        assigned: r.get(8)?,
        escalations: r.get(9)?,
        state: match (acked, expired) {
            (Some(_), _) => AlertState::Acknowledged,
            (_, Some(_)) => AlertState::Expired,
            _ => AlertState::Open,
        },
        acked_by: r.get(11)?,
        closed: acked.or(expired).map(|t| t as u64),
        conversation: r.get(13)?,
        tier: r.get(14)?,
    })
}

/// One alert.
pub fn get(conn: &dyn Conn, site: &str, id: i64) -> Result<Alert, StoreError> {
    conn.row(
        &format!("SELECT {COLUMNS} FROM alerts WHERE site = ?1 AND id = ?2"),
        params![site, id],
        row,
    )?
    .ok_or(StoreError::UnknownAlert)
}

/// The site's staff at `now`, each with their open alerts.
fn staff(conn: &dyn Conn, site: &str, now: u64) -> Result<Vec<(StaffMember, u32)>, StoreError> {
    conn.rows(
        "SELECT s.name, s.role, s.status, s.seen,
            (SELECT COUNT(*) FROM alerts a WHERE a.site = s.site AND a.assigned = s.name
             AND a.acked IS NULL AND a.expired IS NULL)
         FROM staff s WHERE s.site = ?1 ORDER BY s.name",
        params![site],
        |r| {
            let status: Option<String> = r.get(2)?;
            let seen: Option<u64> = r.get(3)?;
            Ok((
                StaffMember {
                    name: r.get(0)?,
                    role: Role::from_name(&r.get::<String>(1)?).unwrap_or(Role::Agent),
                    status: presence(status.as_deref().and_then(Status::from_name), seen, now),
                    seen,
                },
                r.get::<u32>(4)?,
            ))
        },
    )
}

/// Raises `alert`, routed; `None` when its decision raised one already.
pub fn raise(
    conn: &dyn Conn,
    site: &str,
    alert: &NewAlert,
    now: u64,
) -> Result<Option<Alert>, StoreError> {
    let staff = staff(conn, site, now)?;
    let to = route(&staff, alert.value, &[]);
    let id: Option<i64> = conn.row(
        "INSERT INTO alerts (site, key, session, created, page, rule, band, signals,
            value, window_ms, assigned, assigned_at, tried, conversation, tier)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?4, ?12, ?13, ?14)
         ON CONFLICT (site, key) DO NOTHING RETURNING id",
        params![
            site,
            alert.key,
            alert.session,
            stored_millis(now),
            alert.page,
            alert.rule,
            alert.band,
            alert.signals,
            alert.value,
            alert.window_ms,
            to,
            to.unwrap_or_default(),
            alert.conversation,
            alert.tier
        ],
        |r| r.get(0),
    )?;
    id.map(|id| get(conn, site, id)).transpose()
}

/// `by` acknowledges open alert `id`.
pub fn ack(conn: &dyn Conn, site: &str, id: i64, by: &str, now: u64) -> Result<Alert, StoreError> {
    let current = get(conn, site, id)?;
    if current.state != AlertState::Open {
        return Err(StoreError::AlertClosed(current.state));
    }
    conn.execute(
        "UPDATE alerts SET acked = ?3, acked_by = ?4 WHERE site = ?1 AND id = ?2",
        params![site, id, stored_millis(now), by],
    )?;
    get(conn, site, id)
}

/// Open alerts past their window go to the next member of staff, or expire.
pub fn escalate(conn: &dyn Conn, now: u64) -> Result<Vec<(String, Alert)>, StoreError> {
    let due: Vec<(String, i64, u8, String)> = conn.rows(
        "SELECT site, id, value, tried FROM alerts
         WHERE acked IS NULL AND expired IS NULL AND assigned_at + window_ms <= ?1
         ORDER BY id LIMIT 1000",
        params![stored_millis(now)],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let mut changed = Vec::new();
    for (site, id, value, tried) in due {
        let staff = staff(conn, &site, now)?;
        let tried_names: Vec<&str> = tried.split_whitespace().collect();
        match route(&staff, value, &tried_names) {
            Some(next) => {
                let tried = [tried.as_str(), " ", next].concat();
                conn.execute(
                    "UPDATE alerts SET assigned = ?2, assigned_at = ?3, tried = ?4,
                        escalations = escalations + 1 WHERE id = ?1",
                    params![id, next, stored_millis(now), tried.trim()],
                )?;
            }
            None => {
                conn.execute(
                    "UPDATE alerts SET expired = ?2 WHERE id = ?1",
                    params![id, stored_millis(now)],
                )?;
            }
        }
        changed.push((site.clone(), get(conn, &site, id)?));
    }
    Ok(changed)
}

/// A site's alerts, newest first.
pub fn list(conn: &dyn Conn, site: &str, open: bool) -> Result<Vec<Alert>, StoreError> {
    let only = if open {
        " AND acked IS NULL AND expired IS NULL"
    } else {
        ""
    };
    conn.rows(
        &format!("SELECT {COLUMNS} FROM alerts WHERE site = ?1{only} ORDER BY id DESC LIMIT 200"),
        params![site],
        row,
    )
}
