//! Local accounts: creating them, signing in, and what a person can change
//! about their own account (display name, password, deleting it).

use std::collections::HashSet;

use serde::Deserialize;
use ts_rs::TS;

use crate::clock::Millis;
use crate::ids::{SessionId, UserId};
use crate::membership::{self, Ticket};
use crate::names::{self, validate_display_name, validate_username};
use crate::passwords::{self, Verified, MIN_ADMIN_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::store::{exec, rows, scalar, Db, Store};
use crate::text::char_count;
use crate::users::{active_account, active_admins, current_role, end_sessions};
use crate::{Error, Result};

pub(crate) use crate::names::username_key;
pub use crate::names::{MAX_DISPLAY_NAME_CHARS, USERNAME_CHARS};
pub use crate::passwords::MAX_PASSWORD_BYTES;
pub use crate::users::{user_by_id, Role, SessionGeneration, User, DELETED_USER};

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
    join(store, new, Ticket::ThisComputer).await
}

/// Makes an account as [`create_account`] does, admitted by `ticket`
/// under a server's rules (`membership`): its first account needs the
/// setup code, later ones an invite unless sign-up is open. A refused
/// ticket ([`Error::Forbidden`]) makes nothing and uses nothing up.
pub async fn join(store: &Store, new: NewAccount, ticket: Ticket<'_>) -> Result<User> {
    let username = validate_username(&new.username)?;
    let display_name = validate_display_name(&new.display_name)?;
    // A quick look first, so a short first password is refused before the
    // slow hash; the transaction below decides for certain.
    let mut read = store.read().await?;
    let existing = user_count(&mut read).await?;
    // A ticket that cannot admit anyone is refused before the slow hash.
    membership::precheck(&mut read, existing, ticket).await?;
    drop(read);
    let first = existing == 0;
    let min_chars = if first {
        MIN_ADMIN_PASSWORD_CHARS
    } else {
        MIN_PASSWORD_CHARS
    };
    passwords::validate(&new.password, &username, min_chars).map_err(|e| match e {
        Error::Invalid(_) if first && char_count(&new.password) < MIN_ADMIN_PASSWORD_CHARS => {
            short_admin_password()
        }
        other => other,
    })?;
    let fit_for_admin = passwords::fit_for_admin(&new.password);
    let password_hash = passwords::hash(new.password).await?;

    let mut tx = store.write().await?;
    let key = username_key(&username);
    if find_credentials(&mut tx, &key, None).await?.is_some() {
        return Err(Error::UsernameTaken);
    }
    if display_name_taken(&mut tx, &display_name.key, None).await? {
        return Err(names::name_in_use());
    }
    let existing = user_count(&mut tx).await?;
    if existing == 0 && !fit_for_admin {
        return Err(short_admin_password());
    }
    let user = User {
        id: UserId::new(),
        username,
        display_name: display_name.name,
        role: if existing == 0 {
            Role::Admin
        } else {
            Role::Member
        },
        created_at: store.now(),
    };
    exec!(
        &mut tx,
        "INSERT INTO users (id, username, username_key, display_name, display_name_key,
                            password_hash, role, created_at, password_fit_for_admin)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        user.id,
        &user.username,
        &key,
        &user.display_name,
        &display_name.key,
        &password_hash,
        user.role,
        user.created_at,
        fit_for_admin
    )
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => Error::UsernameTaken,
        other => Error::Database(other),
    })?;
    membership::admit(&mut tx, existing, ticket, user.id, user.created_at).await?;
    tx.commit().await?;
    Ok(user)
}

/// Checks a username and password. Returns the account on success.
///
/// An unknown username and a wrong password both fail with
/// [`Error::BadCredentials`], both cost one argon2 verification, and both
/// count towards the back-off on the typed name's key, so neither the
/// message, the time nor a "please wait" tells which it was. A disabled
/// account is refused only after its password matched.
///
/// A successful sign-in writes only what changed (a cleared back-off, a
/// hash upgraded to today's settings), and a failure to write that
/// bookkeeping is logged, never a failed sign-in: a full disk must not
/// lock everyone out.
pub async fn verify_credentials(store: &Store, username: &str, password: String) -> Result<User> {
    Ok(sign_in(store, username, password).await?.0)
}

/// [`verify_credentials`], also returning the account's session
/// generation as of the check, for the session to hold on to.
pub(crate) async fn sign_in(
    store: &Store,
    username: &str,
    password: String,
) -> Result<(User, SessionGeneration)> {
    // Longer than any username or password can be: no account matches, and
    // the name is not worth a row in the back-off table.
    if password.len() > MAX_PASSWORD_BYTES || username.len() > MAX_TYPED_USERNAME_BYTES {
        return Err(Error::BadCredentials);
    }
    let key = username_key(username);
    // One attempt at a time: checking the back-off, the hash and counting a
    // failure happen in turn, so a burst of attempts cannot all pass the
    // check before the first failure is counted.
    let _turn = password_attempts(&key).lock().await;
    check_back_off(store, &key).await?;
    let mut read = store.read().await?;
    let found = find_credentials(&mut read, &key, Some(username)).await?;
    drop(read);
    let fit_for_admin = passwords::fit_for_admin(&password);
    let stored_hash = found.as_ref().map(|f| f.password_hash.clone());
    let verified = passwords::verify(password, stored_hash.clone()).await?;
    let (Some(found), Verified::Match { rehashed }) = (found, verified) else {
        record_failed_sign_in(store, &key).await?;
        return Err(Error::BadCredentials);
    };
    if found.failures > 0 {
        bookkeeping(
            "clear failed sign-ins",
            clear_failed_sign_ins(store, &key).await,
        );
    }
    if found.disabled {
        return Err(Error::Forbidden(
            "This account is disabled. The admin can enable it again.".into(),
        ));
    }
    if found.password_fit_for_admin != fit_for_admin {
        let noted = async {
            let mut tx = store.write().await?;
            exec!(
                &mut tx,
                "UPDATE users SET password_fit_for_admin = $1 WHERE id = $2",
                fit_for_admin,
                found.id
            )?;
            tx.commit().await
        };
        bookkeeping("note the password's length", noted.await);
    }
    if let Some(fresh) = rehashed {
        // Only if nobody changed the password meanwhile. A failure here
        // leaves the old (still valid) hash.
        let upgraded = async {
            let mut tx = store.write().await?;
            exec!(
                &mut tx,
                "UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3",
                &fresh,
                found.id,
                &found.password_hash
            )?;
            tx.commit().await
        };
        bookkeeping("upgrade a password hash", upgraded.await);
    }
    // The generation the password was checked under: had it changed since
    // (a password change in another copy of Parley), this session has
    // already ended.
    let (user, _) = active_account(store, found.id)
        .await?
        .ok_or(Error::BadCredentials)?;
    Ok((user, found.session_generation))
}

/// Logs a bookkeeping write that failed; the action it belongs to goes on.
fn bookkeeping<T>(what: &str, result: Result<T>) {
    if let Err(e) = result {
        log::warn!("could not {what} (the sign-in goes on): {e:?}");
    }
}

/// Longest username worth looking up: 32 characters of up to 4 bytes each,
/// with room for spaces around them.
const MAX_TYPED_USERNAME_BYTES: usize = 256;

/// Failed sign-ins in a row on one name before attempts must wait.
pub const FREE_ATTEMPTS: i64 = 5;
/// The longest wait between attempts.
pub const MAX_SIGN_IN_WAIT_MS: Millis = 15 * 60 * 1000;

/// Taken for the whole of each password attempt on the username key `key`
/// (sign-in, or confirming the current password): attempts on one name
/// take turns, so a burst of them cannot all pass the back-off check
/// before the first failure is counted (see [`verify_credentials`]), while
/// people signing in to different accounts do not wait for each other
/// (how many hashes run at once is bounded in `passwords`). Names share
/// one of a fixed set of turns, chosen by a hash of the key.
fn password_attempts(key: &str) -> &'static tokio::sync::Mutex<()> {
    use std::hash::{BuildHasher, Hasher};
    const TURNS: usize = 64;
    static TURN: std::sync::OnceLock<(
        std::collections::hash_map::RandomState,
        Vec<tokio::sync::Mutex<()>>,
    )> = std::sync::OnceLock::new();
    let (hasher, turns) = TURN.get_or_init(|| {
        let turns = (0..TURNS).map(|_| tokio::sync::Mutex::new(())).collect();
        (std::collections::hash_map::RandomState::new(), turns)
    });
    let mut hash = hasher.build_hasher();
    hash.write(key.as_bytes());
    let index = usize::try_from(hash.finish() % TURNS as u64).unwrap_or(0);
    #[allow(
        clippy::indexing_slicing,
        reason = "`turns` has TURNS entries and index < TURNS"
    )]
    &turns[index]
}

/// Refuses, before any hashing, an attempt on a name that must still wait.
async fn check_back_off(store: &Store, key: &str) -> Result<()> {
    let blocked_until = scalar!(
        Option<Millis>,
        fetch_optional,
        &mut store.read().await?,
        "SELECT blocked_until FROM sign_in_failures WHERE username_key = $1",
        key
    )?;
    match blocked_until.flatten() {
        Some(until) if until > store.now() => Err(Error::TooManyAttempts(until - store.now())),
        _ => Ok(()),
    }
}

/// Counts a failed attempt on the username key `key`; from the
/// [`FREE_ATTEMPTS`]th on, the next attempt waits 1 s, then 2 s, 4 s ... up
/// to [`MAX_SIGN_IN_WAIT_MS`]. Every key counts, whether or not an account
/// has it, so that the count says nothing about who exists. (Every key is
/// some typed name's: ones that no account could have cost a row each, at
/// the pace of one argon2 run per attempt.)
async fn record_failed_sign_in(store: &Store, key: &str) -> Result<()> {
    // The wait doubles from 1 s with each failure past the free ones, up
    // to the longest (written with CASE, which both engines read the same;
    // the shift is never taken past 2^20).
    let mut tx = store.write().await?;
    exec!(
        &mut tx,
        "INSERT INTO sign_in_failures (username_key, failures, blocked_until)
         VALUES ($4, 1, NULL)
         ON CONFLICT (username_key) DO UPDATE SET
             failures = sign_in_failures.failures + 1,
             blocked_until = CASE
                 WHEN sign_in_failures.failures + 1 < $1 THEN NULL
                 WHEN sign_in_failures.failures + 1 - $1 >= 20 THEN $2 + $3
                 WHEN (CAST(1000 AS BIGINT)
                       << CAST(sign_in_failures.failures + 1 - $1 AS INTEGER)) > $3 THEN $2 + $3
                 ELSE $2 + (CAST(1000 AS BIGINT)
                            << CAST(sign_in_failures.failures + 1 - $1 AS INTEGER)) END",
        FREE_ATTEMPTS,
        store.now(),
        MAX_SIGN_IN_WAIT_MS,
        key
    )?;
    tx.commit().await?;
    Ok(())
}

async fn clear_failed_sign_ins(store: &Store, key: &str) -> Result<()> {
    let mut tx = store.write().await?;
    exec!(
        &mut tx,
        "DELETE FROM sign_in_failures WHERE username_key = $1",
        key
    )?;
    tx.commit().await?;
    Ok(())
}

async fn user_count(db: &mut dyn Db) -> Result<i64> {
    Ok(scalar!(i64, fetch_one, db, "SELECT count(*) FROM users")?)
}

fn short_admin_password() -> Error {
    Error::invalid(format!(
        "The first account becomes the admin and needs a password of at least \
         {MIN_ADMIN_PASSWORD_CHARS} characters."
    ))
}

/// Changes the name shown next to `user`'s comments. Returns the account
/// as it is now.
///
/// Fails with [`Error::Invalid`] when the name breaks a rule (see
/// `names.rs`) or someone else already goes by it, or by one that looks
/// the same; changing the letter case of one's own name is fine.
pub async fn set_display_name(store: &Store, user: &User, display_name: &str) -> Result<User> {
    let display_name = validate_display_name(display_name)?;
    let mut tx = store.write().await?;
    current_role(&mut tx, user.id).await?;
    if display_name_taken(&mut tx, &display_name.key, Some(user.id)).await? {
        return Err(names::name_in_use());
    }
    exec!(
        &mut tx,
        "UPDATE users SET display_name = $1, display_name_key = $2 WHERE id = $3",
        &display_name.name,
        &display_name.key,
        user.id
    )?;
    tx.commit().await?;
    Ok(User {
        display_name: display_name.name,
        ..user.clone()
    })
}

/// Whether an account other than `except` (deleted ones aside) goes by a
/// display name with this key.
async fn display_name_taken(db: &mut dyn Db, key: &str, except: Option<UserId>) -> Result<bool> {
    Ok(scalar!(
        bool,
        fetch_one,
        db,
        "SELECT EXISTS (SELECT 1 FROM users
                        WHERE display_name_key = $1 AND deleted_at IS NULL
                          AND id IS DISTINCT FROM $2)",
        key,
        except
    )?)
}

/// Replaces `user`'s password after checking the current one. Wrong
/// current passwords count towards the same back-off as sign-ins, so a
/// window left signed in cannot be used to guess it.
///
/// Every session of the account ends, here and in any other copy of
/// Parley on this database, except `keep`: the session that asked for the
/// change carries on.
///
/// Fails with [`Error::Forbidden`] for a wrong current password,
/// [`Error::TooManyAttempts`] while backing off, and [`Error::Invalid`]
/// when the new one breaks a rule (15 characters for an admin).
pub async fn change_password(
    store: &Store,
    user: &User,
    current: String,
    new_password: String,
    keep: Option<SessionId>,
) -> Result<()> {
    let min_chars = if user.is_admin() {
        MIN_ADMIN_PASSWORD_CHARS
    } else {
        MIN_PASSWORD_CHARS
    };
    passwords::validate(&new_password, &user.username, min_chars)?;
    let stored = confirm_password(store, user, current).await?;
    let fit_for_admin = passwords::fit_for_admin(&new_password);
    let fresh = passwords::hash(new_password).await?;
    let mut tx = store.write().await?;
    // The role as it is now: a promotion while this was hashing still
    // holds the new password to an admin's length.
    if current_role(&mut tx, user.id).await? == Role::Admin && !fit_for_admin {
        return Err(Error::invalid(format!(
            "An admin's password needs at least {MIN_ADMIN_PASSWORD_CHARS} characters."
        )));
    }
    let changed = exec!(
        &mut tx,
        "UPDATE users SET password_hash = $1, password_fit_for_admin = $2
         WHERE id = $3 AND password_hash = $4",
        &fresh,
        fit_for_admin,
        user.id,
        &stored
    )?;
    if changed == 0 {
        return Err(Error::invalid(
            "Your password was changed meanwhile. Please try again.",
        ));
    }
    end_sessions(&mut tx, user.id, keep).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes `user`'s account after checking their password. Their comments
/// stay where they are, shown as by [`DELETED_USER`], so threads keep
/// their shape; their name, password, preferences and mutes go. The last
/// admin cannot leave: someone else must be made admin first.
pub async fn delete_account(store: &Store, user: &User, password: String) -> Result<()> {
    confirm_password(store, user, password).await?;
    let mut tx = store.write().await?;
    // The role as it is now, in the transaction that deletes: a promotion
    // meanwhile must not let the last admin slip away.
    let role = current_role(&mut tx, user.id).await?;
    if role == Role::Admin && active_admins(&mut tx).await? <= 1 {
        return Err(Error::Forbidden(
            "You are the only admin. Make someone else admin before deleting your account.".into(),
        ));
    }
    // The username key must stay unique: a deleted account keeps one
    // made from its id, which no typed name can equal.
    exec!(
        &mut tx,
        "UPDATE users
         SET username = '', username_key = $1, display_name = $2,
             display_name_key = NULL,
             password_hash = '', role = 'member', password_fit_for_admin = FALSE,
             disabled_at = NULL, deleted_at = $3
         WHERE id = $4 AND deleted_at IS NULL",
        format!("deleted:{}", user.id),
        DELETED_USER,
        store.now(),
        user.id
    )?;
    end_sessions(&mut tx, user.id, None).await?;
    for forget in [
        "DELETE FROM user_preferences WHERE user_id = $1",
        "DELETE FROM article_visits WHERE user_id = $1",
        "DELETE FROM collapsed_comments WHERE user_id = $1",
        "DELETE FROM mutes WHERE user_id = $1 OR muted_id = $1",
        // Highlights are their owner's alone: deleting the passage takes
        // the highlight with it.
        "DELETE FROM passages WHERE id IN (SELECT passage_id FROM highlights WHERE user_id = $1)",
    ] {
        exec!(&mut tx, forget, user.id)?;
    }
    tx.commit().await?;
    Ok(())
}

/// Checks `password` against `user`'s stored one, under the sign-in
/// back-off. Returns the stored hash it matched.
async fn confirm_password(store: &Store, user: &User, password: String) -> Result<String> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(wrong_current_password());
    }
    let key = username_key(&user.username);
    let _turn = password_attempts(&key).lock().await;
    check_back_off(store, &key).await?;
    let stored = scalar!(
        String,
        fetch_optional,
        &mut store.read().await?,
        "SELECT password_hash FROM users WHERE id = $1 AND deleted_at IS NULL",
        user.id
    )?;
    let stored = stored.ok_or(Error::Unauthorized)?;
    match passwords::verify(password, Some(stored.clone())).await? {
        Verified::Match { .. } => {
            clear_failed_sign_ins(store, &key).await?;
            Ok(stored)
        }
        Verified::Mismatch => {
            record_failed_sign_in(store, &key).await?;
            Err(wrong_current_password())
        }
    }
}

fn wrong_current_password() -> Error {
    Error::Forbidden("That is not your current password.".into())
}

/// Brings every stored name key up to the rules of `names.rs`: the
/// username and display-name keys of each account, and the names counted
/// in the sign-in back-off. Runs at every start. It writes nothing once the
/// keys are current, and is needed once for a database from before keys
/// were normalised, and again whenever the rules or Unicode's tables move.
///
/// Two old accounts whose usernames now share a key (such as "straße" and
/// "strasse", or a name typed in full-width letters): the later one keeps
/// its old key (logged at each start), which its owner reaches by typing
/// the name exactly as it was made; sign-up refuses new copies.
pub(crate) async fn refresh_name_keys(store: &Store) -> Result<()> {
    let mut read = store.read().await?;
    let users = rows!(
        (UserId, String, String, String, Option<String>),
        fetch_all,
        &mut read,
        "SELECT id, username, username_key, display_name, display_name_key
         FROM users WHERE deleted_at IS NULL"
    )?;
    let failures = scalar!(
        String,
        fetch_all,
        &mut read,
        "SELECT username_key FROM sign_in_failures"
    )?;
    drop(read);
    // Keys in use now: an account whose new key another account already
    // has keeps its old one, so nothing here can fail on the unique index
    // (or write again at every start).
    let mut in_use: HashSet<String> = users.iter().map(|u| u.2.clone()).collect();
    let mut stale_users = Vec::new();
    for (id, username, old_key, display_name, old_display_key) in users {
        let mut key = username_key(&username);
        if key != old_key && in_use.contains(&key) {
            log::warn!(
                "two accounts' usernames now compare equal ({key:?}); the later one \
                 keeps its old key"
            );
            key = old_key.clone();
        }
        let display_key = names::display_name_key(&display_name);
        if key != old_key || old_display_key.as_deref() != Some(&display_key) {
            in_use.remove(&old_key);
            in_use.insert(key.clone());
            stale_users.push((id, key, display_key));
        }
    }
    let stale_failures: Vec<_> = failures
        .into_iter()
        .filter_map(|old| {
            let key = username_key(&old);
            (key != old).then_some((old, key))
        })
        .collect();
    if stale_users.is_empty() && stale_failures.is_empty() {
        return Ok(());
    }
    let mut tx = store.write().await?;
    for (id, key, display_key) in stale_users {
        exec!(
            &mut tx,
            "UPDATE users SET username_key = $1, display_name_key = $2 WHERE id = $3",
            &key,
            &display_key,
            id
        )?;
    }
    for (old, key) in stale_failures {
        // Two names that now share a key keep the higher count and the
        // later wait (CASE rather than two-argument max, which only
        // SQLite has).
        exec!(
            &mut tx,
            "INSERT INTO sign_in_failures (username_key, failures, blocked_until)
             SELECT $1, failures, blocked_until FROM sign_in_failures WHERE username_key = $2
             ON CONFLICT (username_key) DO UPDATE SET
                 failures = CASE WHEN sign_in_failures.failures > excluded.failures
                                 THEN sign_in_failures.failures ELSE excluded.failures END,
                 blocked_until = CASE
                     WHEN coalesce(sign_in_failures.blocked_until, 0)
                          > coalesce(excluded.blocked_until, 0)
                     THEN coalesce(sign_in_failures.blocked_until, 0)
                     ELSE coalesce(excluded.blocked_until, 0) END",
            &key,
            &old
        )?;
        exec!(
            &mut tx,
            "DELETE FROM sign_in_failures WHERE username_key = $1",
            &old
        )?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Credentials {
    id: UserId,
    password_hash: String,
    disabled: bool,
    password_fit_for_admin: bool,
    session_generation: SessionGeneration,
    /// Failed attempts counted on this name since the last success.
    failures: i64,
}

/// The account whose username has `key`. With `typed`, the name as typed
/// at sign-in, an account that kept its key from before names were
/// normalised (see [`refresh_name_keys`]) and matches the typed name's
/// plain lower case comes first.
async fn find_credentials(
    db: &mut dyn Db,
    key: &str,
    typed: Option<&str>,
) -> Result<Option<Credentials>> {
    let legacy = typed.map_or_else(|| key.to_owned(), |t| t.trim().to_lowercase());
    Ok(rows!(
        Credentials,
        fetch_optional,
        db,
        "SELECT u.id, u.password_hash, u.disabled_at IS NOT NULL AS disabled,
                u.password_fit_for_admin, u.session_generation,
                coalesce((SELECT f.failures FROM sign_in_failures f
                          WHERE f.username_key = $1), 0) AS failures
         FROM users u WHERE u.username_key IN ($1, $2) AND u.deleted_at IS NULL
         ORDER BY u.username_key = $2 DESC LIMIT 1",
        key,
        legacy
    )?)
}
