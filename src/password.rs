//! argon2id password hashing, always off the async executor.

use crate::error::Error;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

pub fn hash_blocking(password: &str) -> Result<String, Error> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

pub fn verify_blocking(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

pub async fn hash(password: String) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
}

/// Verifies against `hash`, or against a fixed dummy hash when there is no
/// account, so that timing does not tell which login names exist.
pub async fn verify(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let h = hash.unwrap_or_else(|| DUMMY.to_string());
        let ok = verify_blocking(&password, &h);
        ok && h != DUMMY
    })
    .await
    .unwrap_or(false)
}

/// argon2id of a random string nobody knows, with the default parameters.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Wb0pyoFZqfuLPeyUYFx2XgyBKJ6Szk3LutyBudMaTTw";

#[cfg(test)]
mod tests {
    #[test]
    fn hash_and_verify() {
        let h = super::hash_blocking("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify_blocking("correct horse", &h));
        assert!(!super::verify_blocking("wrong horse", &h));
    }

    #[test]
    fn dummy_hash_parses() {
        // Verifying against the dummy must run the full computation, not fail fast.
        assert!(argon2::password_hash::phc::PasswordHash::new(super::DUMMY).is_ok());
    }
}
