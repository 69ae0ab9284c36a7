//! Sites, their rules (every version, one served) and their signing secrets.

use super::{Conn, Row, new_secret, params};
use crate::store::{RulesVersion, Site, StoreError};

const SITE: &str = "SELECT name, origins, token_hash, active_rules, secret FROM sites";

fn site_row(row: &Row) -> Result<Site, StoreError> {
    let origins: String = row.get(1)?;
    let secret: Option<Vec<u8>> = row.get(4)?;
    Ok(Site {
        name: row.get(0)?,
        origins: serde_json::from_str(&origins).unwrap_or_default(),
        token_hash: row.hash(2)?,
        active_rules: row.get(3)?,
        secret: secret.unwrap_or_default(),
    })
}

fn rules_row(row: &Row) -> Result<RulesVersion, StoreError> {
    let compiled: Vec<u8> = row.get(3)?;
    Ok(RulesVersion {
        version: row.get(0)?,
        created: row.get(1)?,
        json: row.get(2)?,
        compiled: String::from_utf8(compiled).unwrap_or_default(),
        etag: row.get(4)?,
    })
}

/// Whether the site exists.
pub fn exists(conn: &dyn Conn, name: &str) -> Result<bool, StoreError> {
    conn.exists("SELECT 1 FROM sites WHERE name = ?1", params![name])
}

/// An update of one site by name: no row changed means there is no such site.
fn one_site(changed: usize) -> Result<(), StoreError> {
    match changed {
        0 => Err(StoreError::UnknownSite),
        _ => Ok(()),
    }
}

/// Adds a site (with a new signing secret unless it brings one).
pub fn add(conn: &dyn Conn, site: &Site) -> Result<(), StoreError> {
    if exists(conn, &site.name)? {
        return Err(StoreError::SiteExists);
    }
    let origins =
        serde_json::to_string(&site.origins).map_err(|e| StoreError::Database(e.to_string()))?;
    let secret = if site.secret.is_empty() {
        new_secret()
    } else {
        site.secret.clone()
    };
    conn.execute(
        "INSERT INTO sites (name, origins, token_hash, created, secret)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![site.name, origins, site.token_hash, crate::now_ms(), secret],
    )?;
    Ok(())
}

/// A site by name.
pub fn get(conn: &dyn Conn, name: &str) -> Result<Option<Site>, StoreError> {
    conn.row(
        &[SITE, " WHERE name = ?1"].concat(),
        params![name],
        site_row,
    )
}

/// Every site, by name.
pub fn list(conn: &dyn Conn) -> Result<Vec<Site>, StoreError> {
    conn.rows(&[SITE, " ORDER BY name"].concat(), &[], site_row)
}

/// Replaces a site's admin token hash.
pub fn set_token(conn: &dyn Conn, name: &str, token_hash: &[u8; 32]) -> Result<(), StoreError> {
    one_site(conn.execute(
        "UPDATE sites SET token_hash = ?2 WHERE name = ?1",
        params![name, token_hash],
    )?)
}

/// Replaces the origins whose pages may use a site.
pub fn set_origins(conn: &dyn Conn, name: &str, origins: &[String]) -> Result<(), StoreError> {
    let origins =
        serde_json::to_string(origins).map_err(|e| StoreError::Database(e.to_string()))?;
    one_site(conn.execute(
        "UPDATE sites SET origins = ?2 WHERE name = ?1",
        params![name, origins],
    )?)
}

/// Stores a new rules version and serves it; its number.
pub fn put_rules(
    conn: &dyn Conn,
    site: &str,
    json: &str,
    compiled: &str,
) -> Result<u32, StoreError> {
    if !exists(conn, site)? {
        return Err(StoreError::UnknownSite);
    }
    let version: u32 = conn.one(
        "SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) FROM rules WHERE site = ?1",
        params![site],
    )?;
    let etag = crate::store::rules_etag(version, compiled);
    conn.execute(
        "INSERT INTO rules (site, version, created, json, compiled, etag)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            site,
            version,
            crate::now_ms(),
            json,
            compiled.as_bytes(),
            etag
        ],
    )?;
    conn.execute(
        "UPDATE sites SET active_rules = ?2 WHERE name = ?1",
        params![site, version],
    )?;
    Ok(version)
}

/// Serves an earlier version again.
pub fn activate(conn: &dyn Conn, site: &str, version: u32) -> Result<(), StoreError> {
    if !exists(conn, site)? {
        return Err(StoreError::UnknownSite);
    }
    let known = conn.exists(
        "SELECT 1 FROM rules WHERE site = ?1 AND version = ?2",
        params![site, version],
    )?;
    if !known {
        return Err(StoreError::UnknownVersion(version));
    }
    conn.execute(
        "UPDATE sites SET active_rules = ?2 WHERE name = ?1",
        params![site, version],
    )?;
    Ok(())
}

/// One version, or the one served when `version` is `None`.
pub fn rules(
    conn: &dyn Conn,
    site: &str,
    version: Option<u32>,
) -> Result<Option<RulesVersion>, StoreError> {
    let version = match version {
        Some(v) => Some(v),
        None => conn
            .row(
                "SELECT active_rules FROM sites WHERE name = ?1",
                params![site],
                |r| r.get::<Option<u32>>(0),
            )?
            .flatten(),
    };
    let Some(version) = version else {
        return Ok(None);
    };
    conn.row(
        "SELECT version, created, json, compiled, etag FROM rules
         WHERE site = ?1 AND version = ?2",
        params![site, version],
        rules_row,
    )
}

/// Every version, oldest first, without their text.
pub fn versions(conn: &dyn Conn, site: &str) -> Result<Vec<RulesVersion>, StoreError> {
    conn.rows(
        "SELECT version, created, etag FROM rules WHERE site = ?1 ORDER BY version",
        params![site],
        |r| {
            Ok(RulesVersion {
                version: r.get(0)?,
                created: r.get(1)?,
                json: String::new(),
                compiled: String::new(),
                etag: r.get(2)?,
            })
        },
    )
}

/// The site's signing secret; a new one when `rotate` or when it has none.
pub fn secret(conn: &dyn Conn, site: &str, rotate: bool) -> Result<Vec<u8>, StoreError> {
    let current = conn.row(
        "SELECT secret FROM sites WHERE name = ?1",
        params![site],
        |r| r.get::<Option<Vec<u8>>>(0),
    )?;
    match current {
        None => Err(StoreError::UnknownSite),
        Some(Some(secret)) if !rotate && !secret.is_empty() => Ok(secret),
        Some(_) => {
            let secret = new_secret();
            conn.execute(
                "UPDATE sites SET secret = ?2 WHERE name = ?1",
                params![site, secret],
            )?;
            Ok(secret)
        }
    }
}
