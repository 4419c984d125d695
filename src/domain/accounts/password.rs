//! Password hashing with argon2id at OWASP's minimum: 19 MiB of memory, 2 passes, 1 lane.
//! Hashing is slow on purpose; callers run it off the async threads with a cap on how many
//! run at once.
use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::AccountError;

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const LANES: u32 = 1;

fn hasher() -> Result<Argon2<'static>, AccountError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).map_err(|e| AccountError::Hashing(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password` with a fresh random salt.
///
/// # Errors
/// `Hashing` if the parameters are refused (they are constants) or the salt cannot be drawn.
pub fn hash(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hashing(e.to_string()))
}

/// Whether `password` matches `stored`. A malformed stored hash never matches.
pub fn verify(stored: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    // Verify with the parameters in the stored hash, so older hashes keep working.
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
}

/// A hash of no one's password: checking a password against it when an email is unknown
/// takes as long as a real check, so timing does not tell which emails exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash("no account has this password: decoy").unwrap_or_default())
}

/// Whether `password` is right for an account whose stored hash is `stored`; with no account,
/// the decoy is checked instead so the answer takes as long and is always `false`.
pub fn check(stored: Option<&str>, password: &str) -> bool {
    match stored {
        Some(hash) => verify(hash, password),
        None => {
            let _ = verify(decoy_hash(), password);
            false
        }
    }
}

/// Whether a stored hash was made with weaker parameters than today's and should be redone
/// at the next successful sign-in.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return true };
    let Ok(params) = Params::try_from(&parsed) else { return true };
    parsed.algorithm.as_str() != "argon2id"
        || params.m_cost() < MEMORY_KIB
        || params.t_cost() < ITERATIONS
        || params.p_cost() < LANES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters() -> Result<(), Box<dyn std::error::Error>> {
        let h = hash("Tsagaan-Sar-2026!")?;
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        let parsed = PasswordHash::new(&h)?;
        let params = Params::try_from(&parsed)?;
        assert!(params.m_cost() >= 19 * 1024 && params.t_cost() >= 2 && params.p_cost() >= 1);
        assert!(verify(&h, "Tsagaan-Sar-2026!"));
        assert!(!verify(&h, "tsagaan-sar-2026!"));
        assert!(!verify("not a hash", "anything"));
        assert_ne!(h, hash("Tsagaan-Sar-2026!")?, "each hash has its own salt");
        assert!(!needs_rehash(&h));
        assert!(needs_rehash("$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A"));
        Ok(())
    }

    #[test]
    fn the_decoy_matches_nothing_real() {
        assert!(decoy_hash().starts_with("$argon2id$"));
        assert!(!verify(decoy_hash(), "Tsagaan-Sar-2026!"));
    }
}
