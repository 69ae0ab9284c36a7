//! Web Push to the staff's phones and desktops: an alert raised or moved on reaches the
//! member of staff it is for (everyone subscribed, when nobody is online) even with the
//! dashboard closed. The dashboard is an installable app whose service worker subscribes
//! with the browser's push service and shows the notification.
//!
//! Written from the standards, with RustCrypto's primitives: the payload is encrypted for
//! the subscription's keys as RFC 8291 says (ECDH on P-256, HKDF-SHA-256, one
//! `aes128gcm` record of RFC 8188), and each request carries a VAPID token (RFC 8292:
//! an ES256 JWT for the push service's origin, and the site's public key). The site's
//! VAPID key is made the first time it is needed and kept in the store; the private key
//! never leaves the collector. A push service that answers 404 or 410 has forgotten the
//! subscription, and so does the collector.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hkdf::Hkdf;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::store::{Alert, AlertState, Store};

/// The record size told in the header (one record holds the whole payload).
const RECORD_SIZE: u32 = 4096;
/// Longest payload before encryption (push services take about 4 kB of ciphertext).
pub const MAX_PAYLOAD: usize = 3000;
/// How long a push service keeps a notification for a device that is off, in seconds.
pub const TTL_S: u32 = 600;

/// What can go wrong with a subscription or a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushError {
    /// The subscription's `p256dh` is not a P-256 public key (65 bytes, uncompressed).
    BadKey,
    /// The subscription's `auth` is not 16 bytes.
    BadAuth,
    /// The endpoint is not an `https://` URL (or `http://` to this machine).
    BadEndpoint,
    /// The payload is over [`MAX_PAYLOAD`].
    TooLarge,
    /// The operating system gave no random numbers.
    NoRandom,
}

impl std::fmt::Display for PushError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PushError::BadKey => "keys.p256dh is not a P-256 public key (65 bytes, base64url)",
            PushError::BadAuth => "keys.auth is not 16 bytes (base64url)",
            PushError::BadEndpoint => "endpoint is not an https:// URL of at most 2048 bytes",
            PushError::TooLarge => "the notification is too large",
            PushError::NoRandom => "no random numbers",
        })
    }
}

impl std::error::Error for PushError {}

/// A browser's push subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// Where to POST (the browser's push service).
    pub endpoint: String,
    /// Its keys.
    pub keys: Keys,
    /// When it expires, if the browser says (ms since the epoch).
    #[serde(default, rename = "expirationTime", skip_serializing)]
    pub expiration_time: Option<serde_json::Value>,
}

/// A subscription's keys, base64url.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    /// The browser's P-256 public key.
    pub p256dh: String,
    /// The shared authentication secret.
    pub auth: String,
}

impl Subscription {
    /// Checks the endpoint and keys.
    pub fn check(&self) -> Result<(), PushError> {
        endpoint_ok(&self.endpoint)?;
        public_key(&self.keys.p256dh)?;
        auth(&self.keys.auth)?;
        Ok(())
    }
}

fn endpoint_ok(url: &str) -> Result<(), PushError> {
    let lower = url.to_ascii_lowercase();
    let good = url.len() <= 2048
        && ["https://", "http://localhost:", "http://127.0.0.1:"]
            .iter()
            .any(|p| lower.starts_with(p) && url.len() > p.len())
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    good.then_some(()).ok_or(PushError::BadEndpoint)
}

fn public_key(b64: &str) -> Result<PublicKey, PushError> {
    let bytes = B64
        .decode(b64.trim_end_matches('='))
        .map_err(|_| PushError::BadKey)?;
    if bytes.len() != 65 {
        return Err(PushError::BadKey);
    }
    PublicKey::from_sec1_bytes(&bytes).map_err(|_| PushError::BadKey)
}

fn auth(b64: &str) -> Result<[u8; 16], PushError> {
    let bytes = B64
        .decode(b64.trim_end_matches('='))
        .map_err(|_| PushError::BadAuth)?;
    bytes.try_into().map_err(|_| PushError::BadAuth)
}

/// A new P-256 private key, from the operating system's random numbers.
pub fn new_key() -> Result<SecretKey, PushError> {
    loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| PushError::NoRandom)?;
        // Nearly every 32 bytes are a valid scalar; the rare one that is not is drawn again.
        if let Ok(key) = SecretKey::from_slice(&bytes) {
            return Ok(key);
        }
    }
}

/// A public key as its uncompressed point (65 bytes), base64url: VAPID's `k`, and the
/// dashboard's `applicationServerKey`.
pub fn public_b64(key: &PublicKey) -> String {
    B64.encode(key.to_encoded_point(false).as_bytes())
}

fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) {
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, out)
        .expect("HKDF gives up to 8160 bytes");
}

/// The key and nonce of RFC 8291 §3.4 and RFC 8188 §2.2.
fn content_keys(
    ecdh: &[u8],
    auth: &[u8; 16],
    ua_public: &[u8],
    as_public: &[u8],
    salt: &[u8; 16],
) -> ([u8; 16], [u8; 12]) {
    let mut info = b"WebPush: info\0".to_vec();
    info.extend_from_slice(ua_public);
    info.extend_from_slice(as_public);
    let mut ikm = [0u8; 32];
    hkdf(auth, ecdh, &info, &mut ikm);
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    hkdf(salt, &ikm, b"Content-Encoding: aes128gcm\0", &mut cek);
    hkdf(salt, &ikm, b"Content-Encoding: nonce\0", &mut nonce);
    (cek, nonce)
}

/// `payload` encrypted for `subscription` (RFC 8291): the body of the push request.
pub fn encrypt(subscription: &Subscription, payload: &[u8]) -> Result<Vec<u8>, PushError> {
    if payload.len() > MAX_PAYLOAD {
        return Err(PushError::TooLarge);
    }
    let ua = public_key(&subscription.keys.p256dh)?;
    let auth = auth(&subscription.keys.auth)?;
    let ephemeral = new_key()?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| PushError::NoRandom)?;
    encrypt_with(&ua, &auth, &ephemeral, &salt, payload)
}

fn encrypt_with(
    ua: &PublicKey,
    auth: &[u8; 16],
    ephemeral: &SecretKey,
    salt: &[u8; 16],
    payload: &[u8],
) -> Result<Vec<u8>, PushError> {
    let ua_public = ua.to_encoded_point(false);
    let as_public = ephemeral.public_key().to_encoded_point(false);
    let shared = p256::ecdh::diffie_hellman(ephemeral.to_nonzero_scalar(), ua.as_affine());
    let (cek, nonce) = content_keys(
        shared.raw_secret_bytes(),
        auth,
        ua_public.as_bytes(),
        as_public.as_bytes(),
        salt,
    );
    // One record: the payload, then the last record's delimiter (2).
    let mut plain = payload.to_vec();
    plain.push(2);
    let sealed = Aes128Gcm::new(&cek.into())
        .encrypt(Nonce::from_slice(&nonce), plain.as_slice())
        .map_err(|_| PushError::TooLarge)?;
    let mut body = Vec::with_capacity(86 + sealed.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.as_bytes().len() as u8);
    body.extend_from_slice(as_public.as_bytes());
    body.extend_from_slice(&sealed);
    Ok(body)
}

/// Decrypts a push body with the subscriber's private key and auth secret, as a browser
/// does (the tests' push endpoint; RFC 8291 §4's example).
pub fn decrypt(ua_private: &SecretKey, auth: &[u8; 16], body: &[u8]) -> Option<Vec<u8>> {
    let salt: [u8; 16] = body.get(..16)?.try_into().ok()?;
    let idlen = usize::from(*body.get(20)?);
    let as_public = PublicKey::from_sec1_bytes(body.get(21..21 + idlen)?).ok()?;
    let ua_public = ua_private.public_key().to_encoded_point(false);
    let shared = p256::ecdh::diffie_hellman(ua_private.to_nonzero_scalar(), as_public.as_affine());
    let (cek, nonce) = content_keys(
        shared.raw_secret_bytes(),
        auth,
        ua_public.as_bytes(),
        as_public.to_encoded_point(false).as_bytes(),
        &salt,
    );
    let mut plain = Aes128Gcm::new(&cek.into())
        .decrypt(Nonce::from_slice(&nonce), body.get(21 + idlen..)?)
        .ok()?;
    // Padding (zeros), then the delimiter.
    while plain.last() == Some(&0) {
        plain.pop();
    }
    (plain.pop() == Some(2)).then_some(plain)
}

/// The origin (`https://host[:port]`) of a URL.
fn origin(url: &str) -> &str {
    let after = url.find("://").map_or(0, |i| i + 3);
    let end = url[after..].find('/').map_or(url.len(), |i| after + i);
    &url[..end]
}

/// The `Authorization` header for a push to `endpoint` (RFC 8292): a JWT for the push
/// service's origin, valid 12 hours from `now_s`, signed with the site's VAPID key.
pub fn vapid(key: &SecretKey, endpoint: &str, contact: &str, now_s: u64) -> String {
    let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
    let claims =
        serde_json::json!({"aud": origin(endpoint), "exp": now_s + 12 * 3600, "sub": contact});
    let signing = format!("{header}.{}", B64.encode(claims.to_string()));
    let signature: Signature = SigningKey::from(key).sign(signing.as_bytes());
    format!(
        "vapid t={signing}.{}, k={}",
        B64.encode(signature.to_bytes()),
        public_b64(&key.public_key())
    )
}

/// Checks a VAPID header against the key it names, for `endpoint`: the claims if the
/// signature holds (the tests' push endpoint, as a push service does).
pub fn verify_vapid(header: &str, endpoint: &str) -> Option<serde_json::Value> {
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier;
    let rest = header.strip_prefix("vapid t=")?;
    let (token, k) = rest.split_once(", k=")?;
    let key = VerifyingKey::from(public_key(k).ok()?);
    let (signed, sig) = token.rsplit_once('.')?;
    let sig = Signature::from_slice(&B64.decode(sig).ok()?).ok()?;
    key.verify(signed.as_bytes(), &sig).ok()?;
    let claims: serde_json::Value =
        serde_json::from_slice(&B64.decode(signed.split_once('.')?.1).ok()?).ok()?;
    (claims["aud"] == origin(endpoint)).then_some(claims)
}

/// The notification an alert makes: title, body, where a tap goes, its tag (a newer one
/// for the same alert replaces it).
pub fn alert_payload(site: &str, a: &Alert, dashboard: &str) -> String {
    let title = match (a.state, a.escalations) {
        (AlertState::Open, 0) => format!("{site}: a visitor needs help"),
        (AlertState::Open, _) => format!("{site}: a visitor still needs help"),
        _ => format!("{site}: an alert was closed"),
    };
    let body = format!(
        "{} — {} ({}, band {}; value {} %)",
        a.page,
        a.signals.join(", "),
        a.rule,
        a.band,
        a.value
    );
    serde_json::json!({"title": title, "body": body, "url": dashboard, "tag": format!("alert-{}", a.id), "alert": a.id})
        .to_string()
}

/// Where a tap on a notification goes: the dashboard.
fn dashboard<S>(app: &crate::App<S>) -> String {
    let base = app.settings.public_url.as_deref().unwrap_or("");
    format!("{}/dashboard/", base.trim_end_matches('/'))
}

/// Tells the phones of the member of staff an open alert is with (everyone subscribed
/// when it is with nobody: nobody was online), in the background.
pub async fn alert<S: Store>(app: &crate::App<S>, site: &str, a: &Alert) {
    if a.state != AlertState::Open {
        return;
    }
    let Ok(all) = app.store.push_subscriptions(site).await else {
        return;
    };
    let to: Vec<Subscription> = (all.into_iter())
        .filter(|(who, _)| a.assigned.as_deref().is_none_or(|x| x == who))
        .map(|(_, s)| s)
        .collect();
    let payload = alert_payload(site, a, &dashboard(app));
    send(app, site, to, payload, format!("alert{}", a.id)).await;
}

/// Tells every subscribed phone of the site how many alerts a busy minute held back.
pub async fn digest<S: Store>(app: &crate::App<S>, site: &str, count: usize) {
    let Ok(all) = app.store.push_subscriptions(site).await else {
        return;
    };
    let payload = serde_json::json!({
        "title": format!("{site}: {count} more visitors need help"),
        "body": "A busy minute: the dashboard lists them.",
        "url": dashboard(app),
        "tag": "digest",
    })
    .to_string();
    let to = all.into_iter().map(|(_, s)| s).collect();
    send(app, site, to, payload, "digest".into()).await;
}

/// POSTs `payload`, encrypted for each subscription and signed with the site's VAPID key,
/// off the request's path; a subscription its push service no longer knows is forgotten.
async fn send<S: Store>(
    app: &crate::App<S>,
    site: &str,
    to: Vec<Subscription>,
    payload: String,
    topic: String,
) {
    if to.is_empty() {
        return;
    }
    let key = match app.store.push_key(site).await {
        Ok(k) => SecretKey::from_slice(&k).ok(),
        Err(_) => None,
    };
    let Some(key) = key else { return };
    let contact = (app.settings.public_url.clone()).unwrap_or_else(|| "https://localhost".into());
    let (store, site) = (app.store.clone(), site.to_owned());
    tokio::spawn(async move {
        let gone = tokio::task::spawn_blocking(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(std::time::Duration::from_secs(5)))
                .http_status_as_error(false)
                .build()
                .into();
            let now_s = crate::now_ms() / 1000;
            let mut gone = Vec::new();
            for s in to {
                let Ok(body) = encrypt(&s, payload.as_bytes()) else {
                    continue;
                };
                let sent = agent
                    .post(&s.endpoint)
                    .header("TTL", TTL_S.to_string())
                    .header("Urgency", "high")
                    .header("Topic", &topic)
                    .header("Content-Encoding", "aes128gcm")
                    .header("Content-Type", "application/octet-stream")
                    .header("Authorization", vapid(&key, &s.endpoint, &contact, now_s))
                    .send(&body[..]);
                match sent.map(|r| r.status().as_u16()) {
                    Ok(404 | 410) => gone.push(s.endpoint),
                    Ok(status) if !(200..300).contains(&status) => {
                        tracing::warn!(status, "a push service refused a notification");
                    }
                    Err(e) => tracing::warn!(error = %e, "a push service could not be reached"),
                    Ok(_) => {}
                }
            }
            gone
        })
        .await
        .unwrap_or_default();
        for endpoint in gone {
            let _ = store.unsubscribe_push(&site, &endpoint).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8291 §5: the example's keys, salt and message give its exact body.
    #[test]
    fn the_rfcs_example_encrypts_to_the_rfcs_body() {
        let b = |s: &str| B64.decode(s).unwrap();
        let ua_private =
            SecretKey::from_slice(&b("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94")).unwrap();
        let ua_public = PublicKey::from_sec1_bytes(&b(
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
        ))
        .unwrap();
        assert_eq!(ua_private.public_key(), ua_public);
        let as_private =
            SecretKey::from_slice(&b("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")).unwrap();
        let auth: [u8; 16] = b("BTBZMqHH6r4Tts7J_aSIgg").try_into().unwrap();
        let salt: [u8; 16] = b("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();
        let body = encrypt_with(
            &ua_public,
            &auth,
            &as_private,
            &salt,
            b"When I grow up, I want to be a watermelon",
        )
        .unwrap();
        assert_eq!(
            B64.encode(&body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
        assert_eq!(
            decrypt(&ua_private, &auth, &body).as_deref(),
            Some(&b"When I grow up, I want to be a watermelon"[..])
        );
    }

    #[test]
    fn a_vapid_token_is_signed_for_the_push_services_origin() {
        let key = new_key().unwrap();
        let endpoint = "https://push.example.net:8443/wpush/v2/abc";
        let header = vapid(&key, endpoint, "https://shop.example", 1_000);
        let claims = verify_vapid(&header, endpoint).expect("the signature holds");
        assert_eq!(claims["aud"], "https://push.example.net:8443");
        assert_eq!(claims["exp"], 1_000 + 12 * 3600);
        assert!(verify_vapid(&header, "https://other.example/x").is_none());
        let other = new_key().unwrap();
        let forged = header.replace(
            &public_b64(&key.public_key()),
            &public_b64(&other.public_key()),
        );
        assert!(verify_vapid(&forged, endpoint).is_none());
    }

    #[test]
    fn subscriptions_are_checked() {
        let key = new_key().unwrap();
        let good = Subscription {
            endpoint: "https://fcm.googleapis.com/fcm/send/x".into(),
            keys: Keys {
                p256dh: public_b64(&key.public_key()),
                auth: B64.encode([7u8; 16]),
            },
            expiration_time: None,
        };
        assert_eq!(good.check(), Ok(()));
        let mut bad = good.clone();
        bad.endpoint = "http://push.example/x".into();
        assert_eq!(bad.check(), Err(PushError::BadEndpoint));
        let mut bad = good.clone();
        bad.keys.p256dh = B64.encode([4u8; 65]);
        assert_eq!(bad.check(), Err(PushError::BadKey));
        let mut bad = good;
        bad.keys.auth = "AAAA".into();
        assert_eq!(bad.check(), Err(PushError::BadAuth));
    }
}
