//! Admin tokens: 32 random bytes shown once as hex; only their SHA-256 is stored, and a
//! presented token is compared with it in constant time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A new token (64 hex characters) and its hash, to store.
pub fn new_token() -> Result<(String, [u8; 32]), getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = hash(&token);
    Ok((token, hash))
}

/// The stored form of a token.
pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The token of an `Authorization: Bearer TOKEN` header (the scheme in any case, as
/// RFC 9110 has it); `None` when there is none.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Whether `presented` is the token whose hash is `stored`, in constant time.
pub fn matches(presented: &str, stored: &[u8; 32]) -> bool {
    bool::from(hash(presented).ct_eq(stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_its_hash_and_nothing_else() {
        let (token, stored) = new_token().unwrap();
        assert_eq!(token.len(), 64);
        assert!(matches(&token, &stored));
        assert!(!matches(&token[1..], &stored));
        assert!(!matches("", &stored));
        let (other, _) = new_token().unwrap();
        assert_ne!(token, other);
    }

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        let mut headers = axum::http::HeaderMap::new();
        for (sent, read) in [
            ("Bearer abc", Some("abc")),
            ("bearer abc", Some("abc")),
            ("BEARER  abc ", Some("abc")),
            ("Basic abc", None),
            ("Bearer ", None),
            ("Bearerabc", None),
        ] {
            headers.insert("authorization", sent.parse().unwrap());
            assert_eq!(bearer(&headers), read, "{sent:?}");
        }
    }
}
