//! The site's webhook: each coupon minted is POSTed as JSON to the `compensation.webhook`
//! URL, so the shop's own platform can create the discount. Signed like Stripe's: the header
//! `Lifeline-Signature: t=UNIX_SECONDS,v1=HEX` where `HEX` is the HMAC-SHA256 of
//! `UNIX_SECONDS + "." + body` under the site's secret (the text `site secret` prints). The
//! shop checks the signature and that `t` is recent. Delivered after the batch is stored,
//! off the request's path, with three tries (after 1 s and 10 s); the coupon ledger
//! (`GET .../coupons`) is the record if all fail.

use std::time::Duration;

use hmac::{Hmac, Mac};
use lifeline_shared::rules::Triage;
use sha2::Sha256;

use crate::store::{Coupon, Site};
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
    let key = identity::key(&site.secret);
    let bodies: Vec<String> = minted.iter().map(|c| body(&site.name, c)).collect();
    let name = site.name.clone();
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .http_status_as_error(false)
            .build()
            .into();
        for body in bodies {
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
                        tracing::warn!(site = %name, status = r.status().as_u16(), attempt, "the coupon webhook refused")
                    }
                    Err(e) => {
                        tracing::warn!(site = %name, error = %e, attempt, "the coupon webhook failed")
                    }
                }
            }
        }
    });
}
