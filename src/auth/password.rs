//! argon2id hashing on the blocking pool, under a semaphore so a sign-in
//! flood cannot take every blocking thread or starve the API.

use std::sync::{Arc, LazyLock};

use anyhow::Context;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::domain::Password;
use crate::telemetry::spawn_blocking_with_tracing;

fn argon2() -> Argon2<'static> {
    // OWASP: argon2id, m = 19 MiB, t = 2, p = 1.
    let params = Params::new(19_456, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Verified when the email is unknown, so both paths take the same time.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()
        .hash_password(b"no account has this password", &salt)
        .expect("hashing a constant succeeds")
        .to_string()
});

/// Stored instead of a hash for accounts that cannot sign in (the demo
/// employers): no password matches it.
pub const LOCKED: &str = "!locked";

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> Self {
        PasswordHasher {
            permits: Arc::new(Semaphore::new(concurrency)),
        }
    }

    pub async fn hash(&self, password: Password) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        spawn_blocking_with_tracing(move || {
            let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
            argon2()
                .hash_password(password.expose().as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
        })
        .await
        .context("password hashing task failed")?
    }

    /// True when `candidate` matches `stored`. With no stored hash (unknown
    /// account) or a locked one, a dummy hash is verified, so the answer
    /// takes the same time, and it is false.
    pub async fn verify(&self, candidate: String, stored: Option<String>) -> anyhow::Result<bool> {
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        spawn_blocking_with_tracing(move || {
            let usable = stored.filter(|s| s != LOCKED);
            let known = usable.is_some();
            let stored = usable.unwrap_or_else(|| DUMMY_HASH.clone());
            let parsed = PasswordHash::new(&stored)
                .map_err(|e| anyhow::anyhow!("stored password hash is malformed: {e}"))?;
            let matches = argon2()
                .verify_password(candidate.as_bytes(), &parsed)
                .is_ok();
            Ok(known && matches)
        })
        .await
        .context("password verification task failed")?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let hasher = PasswordHasher::new(1);
        let pw = || Password::parse("gearbox torque silver".into()).unwrap();
        let a = hasher.hash(pw()).await.unwrap();
        let b = hasher.hash(pw()).await.unwrap();
        assert_ne!(a, b, "unique salt");
        let parsed = PasswordHash::new(&a).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let params = Params::try_from(&parsed).unwrap();
        assert!(params.m_cost() >= 19_456 && params.t_cost() >= 2 && params.p_cost() == 1);
        assert!(
            hasher
                .verify("gearbox torque silver".into(), Some(a.clone()))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong password!".into(), Some(a))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("gearbox torque silver".into(), None)
                .await
                .unwrap()
        );
        let locked = Some(LOCKED.to_owned());
        assert!(!hasher.verify(LOCKED.into(), locked).await.unwrap());
    }
}
