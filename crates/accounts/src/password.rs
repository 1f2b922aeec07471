use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::{DomainError, Result};

/// Argon2id with the crate's defaults (19 MiB, 2 passes), run off the async workers: a hash
/// takes tens of milliseconds of CPU, which would stall every other request on that thread.
pub(crate) async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| DomainError::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| DomainError::Internal(format!("password hashing task: {e}")))?
}

pub(crate) async fn verify(password: String, stored: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| DomainError::Internal(format!("stored password hash: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| DomainError::Internal(format!("password verification task: {e}")))?
}

/// A real hash of a random password that no one knows. Logins for unknown emails verify
/// against it so that they take as long as a wrong password for a real account, and so do
/// not reveal which emails exist.
pub(crate) async fn decoy_hash() -> Result<String> {
    static DECOY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DECOY
        .get_or_try_init(|| hash(crate::token::random_secret()))
        .await
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_only() {
        let stored = hash("correct horse".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            verify("correct horse".into(), stored.clone())
                .await
                .unwrap()
        );
        assert!(!verify("wrong horse".into(), stored).await.unwrap());
    }

    #[tokio::test]
    async fn the_decoy_is_a_valid_hash_that_matches_nothing_typed() {
        let decoy = decoy_hash().await.unwrap();
        assert!(!verify("password".into(), decoy).await.unwrap());
    }
}
