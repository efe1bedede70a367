//! Local accounts: creating them, checking passwords, and the rules a
//! username, display name and password must meet.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::clock::Millis;
use crate::ids::UserId;
use crate::store::Store;
use crate::text::{char_count, has_control_chars};
use crate::{Error, Result};

/// Shortest password accepted, in characters (not bytes).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Shortest password accepted for an admin, whose account can do more harm.
pub const MIN_ADMIN_PASSWORD_CHARS: usize = 15;
/// Longest password accepted, in bytes. Longer ones are refused before any
/// hashing happens, never truncated.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Username length bounds, in characters.
pub const USERNAME_CHARS: std::ops::RangeInclusive<usize> = 3..=32;
/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 50;

/// What an account may do beyond writing under its own name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type, TS)]
#[serde(rename_all = "lowercase")]
#[sqlx(rename_all = "lowercase")]
pub enum Role {
    /// The first account on a computer; will moderate (see the accounts issue).
    Admin,
    /// Everyone else.
    Member,
}

/// An account as the rest of Parley sees it. Never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[ts(type = "number")]
    pub created_at: Millis,
}

/// What a person fills in to create an account.
#[derive(Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

impl std::fmt::Debug for NewAccount {
    // The password must not end up in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .finish_non_exhaustive()
    }
}

/// Creates an account. The first account in the database becomes the admin;
/// the decision is taken inside the same write transaction as the insert, so
/// two people signing up at once on an empty database still make one admin.
///
/// Fails with [`Error::Invalid`] when a field breaks its rule (the message
/// names it) and [`Error::UsernameTaken`] when the name is in use in any
/// letter case. Nothing is written on failure.
pub async fn create_account(store: &Store, new: NewAccount) -> Result<User> {
    let username = validate_username(&new.username)?;
    let display_name = validate_display_name(&new.display_name)?;
    validate_password(&new.password, &username)?;
    let password_chars = char_count(&new.password);
    // A quick look first, so a short first password is refused before the
    // slow hash; the transaction below decides for certain.
    if password_chars < MIN_ADMIN_PASSWORD_CHARS && user_count(store.pool()).await? == 0 {
        return Err(short_admin_password());
    }
    let password_hash = hash_password(new.password).await?;

    let mut tx = store.begin_write().await?;
    let key = username_key(&username);
    if find_credentials(&mut tx, &key).await?.is_some() {
        return Err(Error::UsernameTaken);
    }
    let existing = user_count(&mut *tx).await?;
    if existing == 0 && password_chars < MIN_ADMIN_PASSWORD_CHARS {
        return Err(short_admin_password());
    }
    let user = User {
        id: UserId::new(),
        username,
        display_name,
        role: if existing == 0 {
            Role::Admin
        } else {
            Role::Member
        },
        created_at: store.now(),
    };
    sqlx::query(
        "INSERT INTO users (id, username, username_key, display_name, password_hash, role, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(user.id)
    .bind(&user.username)
    .bind(&key)
    .bind(&user.display_name)
    .bind(&password_hash)
    .bind(user.role)
    .bind(user.created_at)
    .execute(&mut *tx)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => Error::UsernameTaken,
        other => Error::Database(other),
    })?;
    tx.commit().await?;
    Ok(user)
}

/// Checks a username and password. Returns the account on success.
///
/// An unknown username and a wrong password both fail with
/// [`Error::BadCredentials`], and both cost one argon2 verification, so
/// neither the message nor the time tells which it was.
pub async fn verify_credentials(store: &Store, username: &str, password: String) -> Result<User> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::BadCredentials);
    }
    let key = username_key(username.trim());
    let mut conn = store.pool().acquire().await?;
    let found = find_credentials(&mut conn, &key).await?;
    drop(conn);
    if let Some(blocked_until) = found.as_ref().and_then(|f| f.blocked_until) {
        let wait = blocked_until - store.now();
        if wait > 0 {
            return Err(Error::TooManyAttempts(human_wait(wait)));
        }
    }
    let (id, stored_hash) = match found {
        Some(found) => (Some(found.id), found.password_hash),
        None => (None, dummy_hash().to_owned()),
    };
    let verified = verify_password(password, stored_hash.clone()).await?;
    let Some(id) = id else {
        return Err(Error::BadCredentials);
    };
    let Verified::Match { rehashed } = verified else {
        record_failed_sign_in(store, id).await?;
        return Err(Error::BadCredentials);
    };
    sqlx::query(
        "UPDATE users SET failed_sign_ins = 0, sign_in_blocked_until = NULL
         WHERE id = ? AND failed_sign_ins != 0",
    )
    .bind(id)
    .execute(store.pool())
    .await?;
    if let Some(fresh) = rehashed {
        // Only if nobody changed the password meanwhile. A failure here
        // leaves the old (still valid) hash and must not stop the sign-in.
        let upgraded =
            sqlx::query("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?")
                .bind(&fresh)
                .bind(id)
                .bind(&stored_hash)
                .execute(store.pool())
                .await;
        if let Err(e) = upgraded {
            eprintln!("parley: could not upgrade a password hash: {e}");
        }
    }
    user_by_id(store, id).await?.ok_or(Error::BadCredentials)
}

/// Failed sign-ins in a row before attempts must wait.
pub const FREE_ATTEMPTS: i64 = 5;
/// The longest wait between attempts.
pub const MAX_SIGN_IN_WAIT_MS: Millis = 15 * 60 * 1000;

/// Counts a failed sign-in; from the [`FREE_ATTEMPTS`]th on, the next
/// attempt waits 1 s, then 2 s, 4 s ... up to [`MAX_SIGN_IN_WAIT_MS`].
async fn record_failed_sign_in(store: &Store, id: UserId) -> Result<()> {
    sqlx::query(
        "UPDATE users
         SET failed_sign_ins = failed_sign_ins + 1,
             sign_in_blocked_until = CASE
                 WHEN failed_sign_ins + 1 >= ?1
                 THEN ?2 + min(1000 << min(failed_sign_ins + 1 - ?1, 20), ?3)
                 ELSE NULL END
         WHERE id = ?4",
    )
    .bind(FREE_ATTEMPTS)
    .bind(store.now())
    .bind(MAX_SIGN_IN_WAIT_MS)
    .bind(id)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// "3 seconds", "2 minutes": how long to wait, rounded up.
fn human_wait(ms: Millis) -> String {
    let seconds = (ms + 999) / 1000;
    match seconds {
        1 => "1 second".into(),
        s if s < 60 => format!("{s} seconds"),
        s => {
            let minutes = (s + 59) / 60;
            if minutes == 1 {
                "1 minute".into()
            } else {
                format!("{minutes} minutes")
            }
        }
    }
}

async fn user_count(conn: impl sqlx::SqliteExecutor<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(conn)
        .await?)
}

fn short_admin_password() -> Error {
    Error::invalid(format!(
        "The first account becomes the admin and needs a password of at least \
         {MIN_ADMIN_PASSWORD_CHARS} characters."
    ))
}

/// The account with this id, if it still exists.
pub async fn user_by_id(store: &Store, id: UserId) -> Result<Option<User>> {
    Ok(sqlx::query_as::<_, User>(
        "SELECT id, username, display_name, role, created_at FROM users WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?)
}

#[derive(sqlx::FromRow)]
struct Credentials {
    id: UserId,
    password_hash: String,
    #[sqlx(rename = "sign_in_blocked_until")]
    blocked_until: Option<Millis>,
}

async fn find_credentials(conn: &mut SqliteConnection, key: &str) -> Result<Option<Credentials>> {
    Ok(sqlx::query_as::<_, Credentials>(
        "SELECT id, password_hash, sign_in_blocked_until FROM users WHERE username_key = ?",
    )
    .bind(key)
    .fetch_optional(conn)
    .await?)
}

/// Usernames compare without regard to letter case, in any script.
fn username_key(username: &str) -> String {
    username.to_lowercase()
}

fn validate_username(raw: &str) -> Result<String> {
    let name = raw.trim();
    let len = char_count(name);
    if len == 0 {
        return Err(Error::invalid("Choose a username."));
    }
    if !USERNAME_CHARS.contains(&len) {
        return Err(Error::invalid(format!(
            "A username is {} to {} characters long.",
            USERNAME_CHARS.start(),
            USERNAME_CHARS.end()
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(Error::invalid(
            "A username may use letters, digits, dots, dashes and underscores only.",
        ));
    }
    Ok(name.to_owned())
}

fn validate_display_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::invalid(
            "Enter the name others will see next to your comments.",
        ));
    }
    if char_count(name) > MAX_DISPLAY_NAME_CHARS {
        return Err(Error::invalid(format!(
            "A display name is at most {MAX_DISPLAY_NAME_CHARS} characters long."
        )));
    }
    if has_control_chars(name) || name.contains(['\n', '\t']) {
        return Err(Error::invalid(
            "A display name cannot contain control characters.",
        ));
    }
    Ok(name.to_owned())
}

fn validate_password(password: &str, username: &str) -> Result<()> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::invalid(format!(
            "A password is at most {MAX_PASSWORD_BYTES} bytes long."
        )));
    }
    if char_count(password) < MIN_PASSWORD_CHARS {
        return Err(Error::invalid(format!(
            "A password needs at least {MIN_PASSWORD_CHARS} characters. A short phrase is easy to remember."
        )));
    }
    if username_key(password) == username_key(username) {
        return Err(Error::invalid("Your password cannot be your username."));
    }
    Ok(())
}

/// argon2id memory cost, in KiB: 64 MiB.
pub const ARGON2_MEMORY_KIB: u32 = 64 * 1024;
/// argon2id passes over memory.
pub const ARGON2_ITERATIONS: u32 = 3;
/// argon2id lanes.
pub const ARGON2_PARALLELISM: u32 = 1;

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

/// Hashes off the async runtime's threads: argon2 is deliberately slow.
async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("hashing failed: {e}")))
    })
    .await?
}

/// What checking a password found.
enum Verified {
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
/// usual message rather than a crash.
async fn verify_password(password: String, stored: String) -> Result<Verified> {
    tokio::task::spawn_blocking(move || {
        let parsed = match PasswordHash::new(&stored) {
            Ok(parsed) => parsed,
            Err(e) => {
                eprintln!("parley: stored password hash does not parse: {e}");
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
            let salt = SaltString::generate(&mut OsRng);
            let fresh = hasher()?
                .hash_password(password.as_bytes(), &salt)
                .map_err(|e| Error::Internal(format!("hashing failed: {e}")))?;
            Some(fresh.to_string())
        } else {
            None
        };
        Ok(Verified::Match { rehashed })
    })
    .await?
}

/// A real hash of a random password, made once: unknown usernames are
/// verified against it so they take as long as known ones.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .ok()
            .and_then(|h| h.hash_password(salt.as_str().as_bytes(), &salt).ok())
            .map(|h| h.to_string())
            // Unreachable with valid parameters; an empty string simply
            // fails to parse and verifies as false.
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_rules() {
        assert_eq!(validate_username("  ada_l ").unwrap(), "ada_l");
        assert!(validate_username("ab").is_err());
        assert!(validate_username("has space").is_err());
        assert!(validate_username("<script>").is_err());
        assert!(validate_username("Łukasz").is_ok());
        assert!(validate_username(&"a".repeat(33)).is_err());
    }

    #[test]
    fn password_rules_count_characters_not_bytes() {
        // Ten characters, twenty bytes.
        assert!(validate_password("éééééééééé", "ada").is_ok());
        assert!(validate_password("ééééééééé", "ada").is_err());
        assert!(validate_password(&"x".repeat(MAX_PASSWORD_BYTES + 1), "ada").is_err());
        assert!(validate_password("AdaLovelace", "adalovelace").is_err());
    }

    #[test]
    fn waits_read_like_a_person_would_say_them() {
        assert_eq!(human_wait(1), "1 second");
        assert_eq!(human_wait(1000), "1 second");
        assert_eq!(human_wait(1001), "2 seconds");
        assert_eq!(human_wait(59_000), "59 seconds");
        assert_eq!(human_wait(60_000), "1 minute");
        assert_eq!(human_wait(15 * 60_000), "15 minutes");
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(validate_display_name("  Ada  ").unwrap(), "Ada");
        assert!(validate_display_name("   ").is_err());
        assert!(validate_display_name("a\u{0007}b").is_err());
        assert!(validate_display_name(&"a".repeat(51)).is_err());
    }
}
