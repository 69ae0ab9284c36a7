//! Attributes the shop's backend signs for a visitor (`lifeline.identify(attrs, signature)`):
//! `attrs` is the exact text signed — `key=value` pairs joined by `&`, keys sorted, values
//! URI-encoded, `exp` (Unix seconds) among them — and `signature` is
//! `hex(HMAC-SHA256(secret, site + "\n" + attrs))` under the site's secret. Only the
//! collector and the shop's backend hold the secret.

use hmac::{Hmac, Mac};
use lifeline_shared::wire::Identity;
use sha2::Sha256;

/// What the signed attributes say, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signed {
    /// No attributes came: the lowest tier.
    Unsigned,
    /// Signed, and not expired.
    Valid {
        /// `tier`, if given.
        tier: Option<String>,
        /// `id`, the shop's id for the customer (an opaque one is best), if given.
        id: Option<String>,
    },
    /// Signed, but past `exp` (or without one): the lowest tier.
    Expired,
    /// The signature does not match, or the attributes cannot be read: refused and logged,
    /// and counted as the lowest tier.
    Bad,
}

/// The HMAC key for a site's stored secret: the secret as `site secret` prints it (64
/// lowercase hex digits), so a shop's backend uses the text it was given; empty when the
/// site has none.
pub fn key(secret: &[u8]) -> Vec<u8> {
    secret
        .iter()
        .flat_map(|b| {
            let hex = b"0123456789abcdef";
            [hex[usize::from(b >> 4)], hex[usize::from(b & 15)]]
        })
        .collect()
}

/// The signature of `attrs` for `site` under `secret`, as the shop's backend computes it.
pub fn sign(secret: &[u8], site: &str, attrs: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(site.as_bytes());
    mac.update(b"\n");
    mac.update(attrs.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks `identity` for `site` at `now_s` (Unix seconds).
pub fn verify(secret: &[u8], site: &str, identity: Option<&Identity>, now_s: u64) -> Signed {
    let Some(identity) = identity else {
        return Signed::Unsigned;
    };
    if identity.problem().is_some() {
        return Signed::Bad;
    }
    let Some(signature) = hex(&identity.signature) else {
        return Signed::Bad;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(site.as_bytes());
    mac.update(b"\n");
    mac.update(identity.attrs.as_bytes());
    // Constant time: the comparison says nothing of how much matched.
    if mac.verify_slice(&signature).is_err() {
        return Signed::Bad;
    }
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(&identity.attrs) else {
        return Signed::Bad;
    };
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    match get("exp").and_then(|e| e.parse::<u64>().ok()) {
        Some(exp) if exp > now_s => Signed::Valid {
            tier: get("tier").filter(|t| !t.is_empty()),
            id: get("id").filter(|i| !i.is_empty() && i.len() <= 128),
        },
        _ => Signed::Expired,
    }
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn identity(attrs: &str, signature: String) -> Identity {
        Identity {
            attrs: attrs.into(),
            signature,
        }
    }

    #[test]
    fn a_good_signature_gives_the_tier_and_id() {
        let attrs = "exp=2000000000&id=c-42&tier=gold";
        let id = identity(attrs, sign(SECRET, "shop", attrs));
        assert_eq!(
            verify(SECRET, "shop", Some(&id), 1_900_000_000),
            Signed::Valid {
                tier: Some("gold".into()),
                id: Some("c-42".into())
            }
        );
    }

    #[test]
    fn tampered_attributes_another_site_or_secret_are_bad() {
        let attrs = "exp=2000000000&tier=silver";
        let good = sign(SECRET, "shop", attrs);
        let tampered = identity("exp=2000000000&tier=gold", good.clone());
        assert_eq!(verify(SECRET, "shop", Some(&tampered), 0), Signed::Bad);
        assert_eq!(
            verify(SECRET, "other", Some(&identity(attrs, good.clone())), 0),
            Signed::Bad
        );
        assert_eq!(
            verify(b"another secret", "shop", Some(&identity(attrs, good)), 0),
            Signed::Bad
        );
        assert_eq!(
            verify(SECRET, "shop", Some(&identity(attrs, "zz".repeat(32))), 0),
            Signed::Bad
        );
    }

    #[test]
    fn expired_or_without_expiry_is_the_lowest_tier() {
        for attrs in ["exp=1000&tier=gold", "tier=gold", "exp=soon&tier=gold"] {
            let id = identity(attrs, sign(SECRET, "shop", attrs));
            assert_eq!(
                verify(SECRET, "shop", Some(&id), 2000),
                Signed::Expired,
                "{attrs}"
            );
        }
        assert_eq!(verify(SECRET, "shop", None, 0), Signed::Unsigned);
    }

    #[test]
    fn values_are_uri_decoded() {
        let attrs = "exp=2000000000&id=a%26b&tier=gold%20plus";
        let id = identity(attrs, sign(SECRET, "shop", attrs));
        assert_eq!(
            verify(SECRET, "shop", Some(&id), 0),
            Signed::Valid {
                tier: Some("gold plus".into()),
                id: Some("a&b".into())
            }
        );
    }
}
