//! Who an account is, as every rule sees it: the account, its role, whether
//! it may act now, and the facts accounts, admin, policy and session all
//! read inside their transactions. It sits beneath them; none of them is
//! imported here.

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::clock::Millis;
use crate::ids::UserId;
use crate::store::Store;
use crate::{Error, Result};

/// What a deleted account's comments show as their author.
pub const DELETED_USER: &str = "[deleted user]";

/// What an account may do beyond writing under its own name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type, TS)]
#[serde(rename_all = "lowercase")]
#[sqlx(rename_all = "lowercase")]
pub enum Role {
    /// Moderates discussions and manages accounts (see `policy.rs`). The
    /// first account on a computer is one; there is always at least one.
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
    let row = sqlx::query_as::<_, Row>(
        "SELECT id, username, display_name, role, created_at, session_generation FROM users
         WHERE id = ? AND deleted_at IS NULL AND disabled_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&store.pool())
    .await?;
    Ok(row.map(|r| (r.user, r.session_generation)))
}

/// Ends every session of account `id`, inside the caller's transaction:
/// sessions compare the generation they began with to this one.
pub(crate) async fn end_sessions(
    conn: &mut SqliteConnection,
    id: UserId,
) -> Result<SessionGeneration> {
    Ok(sqlx::query_scalar(
        "UPDATE users SET session_generation = session_generation + 1 WHERE id = ?
         RETURNING session_generation",
    )
    .bind(id)
    .fetch_one(conn)
    .await?)
}

/// The role account `id` holds now, read on `conn` (the caller's write
/// transaction, so a change a moment ago counts). Fails with
/// [`Error::Unauthorized`] once the account is disabled or deleted.
pub(crate) async fn current_role(conn: &mut SqliteConnection, id: UserId) -> Result<Role> {
    let role: Option<Role> = sqlx::query_scalar(
        "SELECT role FROM users WHERE id = ? AND disabled_at IS NULL AND deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    role.ok_or(Error::Unauthorized)
}

/// Admins who can sign in, counted inside the caller's transaction.
pub(crate) async fn active_admins(conn: &mut SqliteConnection) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM users
         WHERE role = 'admin' AND disabled_at IS NULL AND deleted_at IS NULL",
    )
    .fetch_one(conn)
    .await?)
}
