//! Argon2id password hashing. Hashing is slow on purpose: callers run it on a blocking thread.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use std::sync::Arc;
use std::time::Duration;

use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

const SLOT_WAIT: Duration = Duration::from_secs(5);

/// Too many hashes are running; the caller should retry.
#[derive(Debug)]
pub struct Busy;

#[derive(Clone, Debug)]
pub struct PasswordHasher {
    params: Params,
    /// Bounds concurrent hashes (each takes `memory_kib` of memory and a core for a while), so
    /// a burst of logins queues briefly and then gets 429 instead of exhausting memory.
    slots: Arc<Semaphore>,
    /// A hash of a random password, verified when the email is unknown so that a failed
    /// login takes the same time whether or not the account exists.
    dummy_hash: String,
}

impl PasswordHasher {
    pub fn new(memory_kib: u32, iterations: u32) -> Result<Self, argon2::Error> {
        let params = Params::new(memory_kib, iterations, 1, None)?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut hasher = Self {
            params,
            slots: Arc::new(Semaphore::new(cores * 2)),
            dummy_hash: String::new(),
        };
        hasher.dummy_hash = hasher
            .hash(&uuid::Uuid::new_v4().to_string())
            .map_err(|_| argon2::Error::AlgorithmInvalid)?;
        Ok(hasher)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub fn hash(&self, password: &str) -> Result<String, argon2::password_hash::Error> {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())?;
        Ok(self
            .argon2()
            .hash_password(password.as_bytes(), &salt)?
            .to_string())
    }

    async fn with_slot<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Self) -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let permit = tokio::time::timeout(SLOT_WAIT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        let hasher = self.clone();
        let result = tokio::task::spawn_blocking(move || work(&hasher))
            .await
            .map_err(|_| Busy);
        drop(permit);
        result
    }

    /// `hash` on a blocking thread, within the concurrency bound.
    pub async fn hash_limited(
        &self,
        password: String,
    ) -> Result<Result<String, argon2::password_hash::Error>, Busy> {
        self.with_slot(move |h| h.hash(&password)).await
    }

    /// `verify` on a blocking thread, within the concurrency bound.
    pub async fn verify_limited(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, Busy> {
        self.with_slot(move |h| h.verify(&password, stored.as_deref()))
            .await
    }

    /// Verifies in constant time with respect to the password (argon2's own comparison).
    /// The parameters stored in the hash are used, so old hashes keep working after tuning.
    pub fn verify(&self, password: &str, stored_hash: Option<&str>) -> bool {
        let (hash, known) = match stored_hash {
            Some(hash) => (hash, true),
            None => (self.dummy_hash.as_str(), false),
        };
        let Ok(parsed) = PasswordHash::new(hash) else {
            return false;
        };
        self.argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && known
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify_only_the_right_password() {
        let hasher = PasswordHasher::new(1024, 1).unwrap();
        let hash = hasher.hash("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(hasher.verify("correct horse battery", Some(&hash)));
        assert!(!hasher.verify("wrong", Some(&hash)));
        assert!(!hasher.verify("anything", None));
    }
}
