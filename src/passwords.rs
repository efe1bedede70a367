//! Password rules and hashing: what a password must be, and argon2id.
//!
//! Follows OWASP's Password Storage cheat sheet and NIST SP 800-63B: a
//! minimum length counted in characters, any characters allowed, no
//! composition rules, common passwords refused, nothing truncated.

use std::collections::HashSet;
use std::sync::OnceLock;

use tokio::sync::{Semaphore, SemaphorePermit};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::text::char_count;
use crate::{Error, Result};

/// Shortest password accepted, in characters (not bytes).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Shortest password accepted for an admin, whose account can do more harm.
pub const MIN_ADMIN_PASSWORD_CHARS: usize = 15;
/// Longest password accepted, in bytes. Longer ones are refused before any
/// hashing happens, never truncated.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// argon2id memory cost, in KiB: 64 MiB.
pub const ARGON2_MEMORY_KIB: u32 = 64 * 1024;
/// argon2id passes over memory.
pub const ARGON2_ITERATIONS: u32 = 3;
/// argon2id lanes.
pub const ARGON2_PARALLELISM: u32 = 1;

/// The 10,000 most common passwords, lower-cased, one per line; where the
/// list comes from and its licence are in `data/README.md`.
const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

/// Checks a new password against every rule, `min_chars` being
/// [`MIN_PASSWORD_CHARS`] or, for an admin, [`MIN_ADMIN_PASSWORD_CHARS`].
/// The message of the [`Error::Invalid`] says what to change.
pub(crate) fn validate(password: &str, username: &str, min_chars: usize) -> Result<()> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::invalid(format!(
            "A password is at most {MAX_PASSWORD_BYTES} bytes long."
        )));
    }
    if char_count(password) < min_chars {
        return Err(Error::invalid(if min_chars > MIN_PASSWORD_CHARS {
            format!("An admin's password needs at least {min_chars} characters.")
        } else {
            format!(
                "A password needs at least {min_chars} characters. A short phrase is easy to remember."
            )
        }));
    }
    if password.to_lowercase() == username.trim().to_lowercase() {
        return Err(Error::invalid("Your password cannot be your username."));
    }
    if is_common(password) {
        return Err(Error::invalid(
            "That password is one of the most common ones, which are guessed first. \
             Please choose another.",
        ));
    }
    Ok(())
}

/// Whether `password` would do for an admin's account.
pub(crate) fn fit_for_admin(password: &str) -> bool {
    char_count(password) >= MIN_ADMIN_PASSWORD_CHARS
}

/// Whether `password` is on the common-passwords list, in any letter case.
pub fn is_common(password: &str) -> bool {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| COMMON_PASSWORDS.lines().collect())
        .contains(password.to_lowercase().as_str())
}

/// The hasher every password goes through: argon2id, version 0x13, with the
/// parameters above. Hashes made with anything else are upgraded at the
/// next successful sign-in.
fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(
        ARGON2_MEMORY_KIB,
        ARGON2_ITERATIONS,
        ARGON2_PARALLELISM,
        None,
    )
    .map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Whether a stored hash was made with other settings than [`hasher`]'s.
fn needs_rehash(stored: &PasswordHash<'_>) -> bool {
    let current = (ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM);
    let params = Params::try_from(stored).map(|p| (p.m_cost(), p.t_cost(), p.p_cost()));
    stored.algorithm != Algorithm::Argon2id.ident()
        || stored.version != Some(Version::V0x13.into())
        || params.ok() != Some(current)
}

fn hash_now(password: &[u8]) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()?
        .hash_password(password, &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("hashing failed: {e}")))
}

/// At most this many argon2 computations run at once. Each takes 64 MiB:
/// a page firing sign-ins in a burst waits in line instead of exhausting
/// memory.
const CONCURRENT_HASHES: usize = 2;

async fn hashing_slot() -> Result<SemaphorePermit<'static>> {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS
        .get_or_init(|| Semaphore::new(CONCURRENT_HASHES))
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("hashing slots closed: {e}")))
}

/// Hashes off the async runtime's threads: argon2 is deliberately slow.
pub(crate) async fn hash(password: String) -> Result<String> {
    let _slot = hashing_slot().await?;
    tokio::task::spawn_blocking(move || hash_now(password.as_bytes())).await?
}

/// What checking a password found.
pub(crate) enum Verified {
    Mismatch,
    /// It matches; `rehashed` is a fresh hash when the stored one used
    /// older settings.
    Match {
        rehashed: Option<String>,
    },
}

/// Verifies in constant time, off the async runtime's threads, and rehashes
/// a matching password stored with older settings. A stored hash that does
/// not parse counts as a mismatch (and is logged): the person gets the
/// usual message rather than a crash. `None` stands for "no such account"
/// and is checked against a dummy hash, so it takes as long as a real one.
pub(crate) async fn verify(password: String, stored: Option<String>) -> Result<Verified> {
    let _slot = hashing_slot().await?;
    tokio::task::spawn_blocking(move || {
        let stored = stored.as_deref().unwrap_or(dummy_hash());
        let parsed = match PasswordHash::new(stored) {
            Ok(parsed) => parsed,
            Err(e) => {
                log::error!("a stored password hash does not parse: {e}");
                return Ok(Verified::Mismatch);
            }
        };
        // Verification follows the stored hash's own parameters.
        if Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_err()
        {
            return Ok(Verified::Mismatch);
        }
        let rehashed = if needs_rehash(&parsed) {
            Some(hash_now(password.as_bytes())?)
        } else {
            None
        };
        Ok(Verified::Match { rehashed })
    })
    .await?
}

/// A real argon2id hash, with the parameters above, of a password nobody
/// knows: unknown usernames are verified against it so they take as long as
/// known ones. A constant rather than made at start-up, so that even the
/// first unknown name after a start costs no more than a known one; a unit
/// test keeps its parameters in step with [`hasher`]'s.
fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=65536,t=3,p=1$Xi9lmWdnL5RSZ7Z2rB+gjg$eWi21xHaqDOgtsN/wPiK9wZNT17oBeU/RD+ulIyJB/M"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_count_characters_not_bytes() {
        // Ten characters, twenty bytes.
        assert!(validate("éééééééééé", "ada", MIN_PASSWORD_CHARS).is_ok());
        assert!(validate("ééééééééé", "ada", MIN_PASSWORD_CHARS).is_err());
        assert!(validate("éééééééééé", "ada", MIN_ADMIN_PASSWORD_CHARS).is_err());
        let too_long = "x".repeat(MAX_PASSWORD_BYTES + 1);
        assert!(validate(&too_long, "ada", MIN_PASSWORD_CHARS).is_err());
        assert!(validate("AdaLovelace", "adalovelace", MIN_PASSWORD_CHARS).is_err());
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let parsed = PasswordHash::new(dummy_hash()).unwrap();
        assert!(!needs_rehash(&parsed));
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        assert_eq!(COMMON_PASSWORDS.lines().count(), 10_000);
        for common in ["1234567890", "Password123", "QWERTYUIOP", "basketball"] {
            assert!(is_common(common), "{common}");
            let err = validate(common, "ada", MIN_PASSWORD_CHARS).unwrap_err();
            assert!(err.to_string().contains("most common"), "{common}: {err}");
        }
        assert!(!is_common("a slow river in april"));
    }
}
