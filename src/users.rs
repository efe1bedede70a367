//! Who an account is, as every rule sees it: the account, its role, whether
//! it may act now, and the facts accounts, admin, policy and session all
//! read inside their transactions. It sits beneath them; none of them is
//! imported here.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::Millis;
use crate::ids::{SessionId, UserId};
use crate::store::{exec, rows, scalar, Db, Store, Write};
use crate::{Error, Result};

/// What a deleted account's comments show as their author.
pub const DELETED_USER: &str = "[deleted user]";

/// What an account may do beyond writing under its own name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type, TS)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Role {
    /// Moderates discussions and manages accounts (see `policy.rs`). The
    /// first account on a computer is one; there is always at least one.
    Admin,
    /// Everyone else.
    Member,
}

/// An account as the rest of Parley sees it. Never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, TS)]
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

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// Which sign-in of an account a session belongs to: it moves on whenever
/// the password changes or the account is disabled or deleted, and every
/// session that began before then has ended.
pub type SessionGeneration = i64;

/// The account with this id if it may act: it exists, is not deleted and
/// is not disabled.
pub async fn user_by_id(store: &Store, id: UserId) -> Result<Option<User>> {
    Ok(active_account(store, id).await?.map(|(user, _)| user))
}

/// [`user_by_id`], with the account's current [`SessionGeneration`].
pub(crate) async fn active_account(
    store: &Store,
    id: UserId,
) -> Result<Option<(User, SessionGeneration)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: User,
        session_generation: SessionGeneration,
    }
    let mut read = store.read().await?;
    let row = rows!(
        Row,
        fetch_optional,
        &mut read,
        "SELECT id, username, display_name, role, created_at, session_generation FROM users
         WHERE id = $1 AND deleted_at IS NULL AND disabled_at IS NULL",
        id
    )?;
    Ok(row.map(|r| (r.user, r.session_generation)))
}

/// Ends every session of account `id` but `keep`, inside the caller's
/// write transaction: their rows go, and a session that began before now
/// (an account's sign-in still being checked) compares the generation it
/// began with to the one returned.
pub(crate) async fn end_sessions(
    tx: &mut Write,
    id: UserId,
    keep: Option<SessionId>,
) -> Result<SessionGeneration> {
    let generation = scalar!(
        SessionGeneration,
        fetch_one,
        tx,
        "UPDATE users SET session_generation = session_generation + 1 WHERE id = $1
         RETURNING session_generation",
        id
    )?;
    // Their rows go (the sessions table is session::stored's; the rule
    // that a new generation ends them is this module's).
    match keep {
        Some(keep) => {
            exec!(
                tx,
                "DELETE FROM sessions WHERE user_id = $1 AND id <> $2",
                id,
                keep
            )?;
            exec!(
                tx,
                "UPDATE sessions SET generation = $1 WHERE id = $2 AND user_id = $3",
                generation,
                keep,
                id
            )?;
        }
        None => {
            exec!(tx, "DELETE FROM sessions WHERE user_id = $1", id)?;
        }
    }
    Ok(generation)
}

/// The role account `id` holds now, read in `db` (in the caller's write
/// transaction, a change a moment ago counts). Fails with
/// [`Error::Unauthorized`] once the account is disabled or deleted.
pub(crate) async fn current_role(db: &mut dyn Db, id: UserId) -> Result<Role> {
    let role = scalar!(
        Role,
        fetch_optional,
        db,
        "SELECT role FROM users WHERE id = $1 AND disabled_at IS NULL AND deleted_at IS NULL",
        id
    )?;
    role.ok_or(Error::Unauthorized)
}

/// Admins who can sign in, counted inside the caller's transaction.
pub(crate) async fn active_admins(db: &mut dyn Db) -> Result<i64> {
    Ok(scalar!(
        i64,
        fetch_one,
        db,
        "SELECT count(*) FROM users
         WHERE role = 'admin' AND disabled_at IS NULL AND deleted_at IS NULL"
    )?)
}
