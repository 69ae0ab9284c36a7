//! Webhooks. Each coupon minted is POSTed as JSON to the `compensation.webhook` URL, so the
//! shop's own platform can create the discount; each alert (raised, escalated,
//! acknowledged, expired) to `staff.webhook`, and in Slack's form (`{"text"}`) to
//! `staff.slack_webhook` when raised or escalated — past `staff.alerts_per_minute` new
//! alerts a minute, one digest a minute instead ([`Notices`]; Web Push, [`crate::push`],
//! follows the same rate). Signed like Stripe's: the header
//! `Lifeline-Signature: t=UNIX_SECONDS,v1=HEX` where `HEX` is the HMAC-SHA256 of
//! `UNIX_SECONDS + "." + body` under the site's secret (the text `site secret` prints). The
//! shop checks the signature and that `t` is recent. Delivered after the batch is stored,
//! off the request's path, with three tries (after 1 s and 10 s); the coupon ledger
//! (`GET .../coupons`) is the record if all fail.

use std::time::Duration;

use hmac::{Hmac, Mac};
use lifeline_shared::rules::Triage;
use sha2::Sha256;

use std::collections::HashMap;
use std::sync::Mutex;

use lifeline_shared::rules::spec::StaffSpec;

use crate::App;
use crate::store::{Alert, AlertState, Coupon, Site, Store};
use crate::triage::identity;

/// The webhook's body for one coupon.
pub fn body(site: &str, c: &Coupon) -> String {
    serde_json::json!({
        "type": "coupon.minted",
        "site": site,
        "coupon": {
            "code": c.code,
            "kind": c.kind,
            "value": c.value,
            "currency": c.currency,
            "minted": c.minted,
            "expires": c.expires,
            "problem": c.problem,
        }
    })
    .to_string()
}

/// The `Lifeline-Signature` header's value for `body` at `t` (Unix seconds).
pub fn signature(key: &[u8], t: u64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let hex: String = (mac.finalize().into_bytes().iter())
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

/// Tells the site's webhook (if any) of each coupon minted, in the background.
pub fn send(triage: &Triage, site: &Site, minted: &[Coupon]) {
    let Some(url) = (triage.spec.compensation.as_ref()).and_then(|c| c.webhook.clone()) else {
        return;
    };
    if minted.is_empty() {
        return;
    }
    let bodies: Vec<String> = minted.iter().map(|c| body(&site.name, c)).collect();
    deliver(site, bodies.into_iter().map(|b| (url.clone(), b)).collect());
}

/// POSTs each `(url, body)`, signed with the site's secret, in the background: three tries
/// each (after 1 s and 10 s).
fn deliver(site: &Site, posts: Vec<(String, String)>) {
    if posts.is_empty() {
        return;
    }
    let key = identity::key(&site.secret);
    let name = site.name.clone();
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .http_status_as_error(false)
            .build()
            .into();
        for (url, body) in posts {
            for (attempt, wait) in [0u64, 1, 10].into_iter().enumerate() {
                std::thread::sleep(Duration::from_secs(wait));
                let t = crate::now_ms() / 1000;
                let sent = agent
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .header("Lifeline-Signature", &signature(&key, t, &body))
                    .send(&body);
                match sent {
                    Ok(r) if r.status().is_success() => break,
                    Ok(r) => {
                        tracing::warn!(site = %name, status = r.status().as_u16(), attempt, "a webhook refused")
                    }
                    Err(e) => tracing::warn!(site = %name, error = %e, attempt, "a webhook failed"),
                }
            }
        }
    });
}

/// The webhook's body for an alert: `alert.raised`, `alert.escalated`, `alert.acknowledged`
/// or `alert.expired`, with what the alert carries.
pub fn alert_body(site: &str, a: &Alert) -> String {
    let what = match (a.state, a.escalations) {
        (AlertState::Acknowledged, _) => "alert.acknowledged",
        (AlertState::Expired, _) => "alert.expired",
        (AlertState::Open, 0) => "alert.raised",
        (AlertState::Open, _) => "alert.escalated",
    };
    serde_json::json!({"type": what, "site": site, "alert": a}).to_string()
}

/// Slack's form of an alert raised or escalated.
pub fn slack_body(site: &str, a: &Alert) -> String {
    let to = a.assigned.as_deref().unwrap_or("anyone online");
    let text = format!(
        "{site}: a visitor in difficulty on {} ({}, band {}, {}; value {} %), for {to}",
        a.page,
        a.rule,
        a.band,
        a.signals.join(", "),
        a.value
    );
    serde_json::json!({ "text": text }).to_string()
}

/// Tells the site's staff webhooks of `alert` (the caller has admitted a new one within
/// the minute's rate: see [`Notices`]).
pub fn alert(site: &Site, staff: &StaffSpec, a: &Alert) {
    let mut posts = Vec::new();
    if let Some(url) = &staff.webhook {
        posts.push((url.clone(), alert_body(&site.name, a)));
    }
    if let Some(url) = &staff.slack_webhook
        && a.state == AlertState::Open
    {
        posts.push((url.clone(), slack_body(&site.name, a)));
    }
    deliver(site, posts);
}

/// Sends the digests of minutes past (run every few seconds by `serve`).
pub async fn digests<S: Store>(app: &App<S>, now: u64) {
    for (site, staff, pages) in app.notices.due(now) {
        let mut count: Vec<(String, usize)> = Vec::new();
        for p in &pages {
            match count.iter_mut().find(|(q, _)| q == p) {
                Some((_, n)) => *n += 1,
                None => count.push((p.clone(), 1)),
            }
        }
        let where_: Vec<String> = count.iter().map(|(p, n)| format!("{p} ×{n}")).collect();
        let text = format!(
            "{site}: {} more alerts in the last minute: {}",
            pages.len(),
            where_.join(", ")
        );
        let mut posts = Vec::new();
        if let Some(url) = &staff.webhook {
            let body = serde_json::json!({"type": "alert.digest", "site": site, "count": pages.len(), "pages": count.iter().map(|(p, n)| serde_json::json!({"page": p, "alerts": n})).collect::<Vec<_>>()});
            posts.push((url.clone(), body.to_string()));
        }
        if let Some(url) = &staff.slack_webhook {
            posts.push((url.clone(), serde_json::json!({ "text": text }).to_string()));
        }
        if let Ok(Some(s)) = app.store.site(&site).await {
            deliver(&s, posts);
        }
        crate::push::digest(app, &site, pages.len()).await;
    }
}

/// New alerts told per site and minute; past the rate, their pages kept for a digest. With
/// several collectors sharing a database, each tells its share of the rate
/// ([`Notices::share`]).
#[derive(Debug, Default)]
pub struct Notices {
    sites: Mutex<HashMap<String, Minute>>,
    collectors: std::sync::atomic::AtomicU32,
}

#[derive(Debug)]
struct Minute {
    start: u64,
    told: u32,
    held: Vec<String>,
    staff: StaffSpec,
}

impl Notices {
    /// `collectors` share the rate; 1 when alone.
    pub fn share(&self, collectors: u32) {
        (self.collectors).store(collectors.max(1), std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether a new alert on `page` at `now` is told at once (else it waits for the digest).
    pub fn admit(&self, site: &str, staff: &StaffSpec, page: &str, now: u64) -> bool {
        let Ok(mut sites) = self.sites.lock() else {
            return true;
        };
        let m = sites.entry(site.to_owned()).or_insert_with(|| Minute {
            start: now,
            told: 0,
            held: Vec::new(),
            staff: staff.clone(),
        });
        if now.saturating_sub(m.start) >= 60_000 && m.held.is_empty() {
            (m.start, m.told) = (now, 0);
        }
        m.staff = staff.clone();
        let share = (self.collectors)
            .load(std::sync::atomic::Ordering::Relaxed)
            .max(1);
        if m.told < staff.alerts_per_minute.div_ceil(share) {
            m.told += 1;
            true
        } else {
            m.held.push(page.to_owned());
            false
        }
    }

    /// The digests due at `now`: sites whose minute ended with alerts held back.
    pub fn due(&self, now: u64) -> Vec<(String, StaffSpec, Vec<String>)> {
        let Ok(mut sites) = self.sites.lock() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (site, m) in sites.iter_mut() {
            if now.saturating_sub(m.start) >= 60_000 && !m.held.is_empty() {
                out.push((site.clone(), m.staff.clone(), std::mem::take(&mut m.held)));
                (m.start, m.told) = (now, 0);
            }
        }
        out
    }
}
