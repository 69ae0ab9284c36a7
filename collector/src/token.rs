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
}
