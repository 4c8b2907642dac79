//! Opaque secrets: delegate and invitation link tokens, QR secrets. 256 random bits each,
//! base64url; only a SHA-256 hash of link tokens is stored, so a database leak reveals none.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// 256 bits from the OS generator, as 43 base64url characters.
pub fn random_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored and looked up for a token. A lookup by hash leaks nothing usable about
/// the token through timing.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_and_distinct() {
        let a = random_secret();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_secret());
        assert_eq!(hash(&a).len(), 32);
    }
}
