//! What the admin does with accounts and settings: list the accounts,
//! disable and enable them, promote and demote, and set the idle time-out.
//! There is always at least one admin who can sign in.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::Millis;
use crate::ids::UserId;
use crate::names::username_key;
use crate::passwords::MIN_ADMIN_PASSWORD_CHARS;
use crate::policy::{authorize, Action};
use crate::store::{exec, rows, scalar, Db, Store, Write};
use crate::users::{active_admins, end_sessions, Role, User};
use crate::{Error, Result};

/// One account as the admin's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AccountSummary {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[ts(type = "number")]
    pub created_at: Millis,
    pub disabled: bool,
    /// Comments written and not deleted.
    #[ts(type = "number")]
    pub comment_count: i64,
    /// The admin looking at the list.
    pub is_you: bool,
}

/// Every account that has not been deleted, admins first, then by name.
pub async fn list_accounts(store: &Store, actor: &User) -> Result<Vec<AccountSummary>> {
    let mut read = store.read().await?;
    authorize(&mut read, actor, Action::ViewAccounts, None).await?;
    Ok(rows!(
        AccountSummary,
        fetch_all,
        &mut read,
        "SELECT u.username, u.display_name, u.role, u.created_at,
                u.disabled_at IS NOT NULL AS disabled,
                (SELECT count(*) FROM comments c
                 WHERE c.author_id = u.id AND c.deleted_at IS NULL) AS comment_count,
                u.id = $1 AS is_you
         FROM users u
         WHERE u.deleted_at IS NULL
         ORDER BY u.role = 'admin' DESC, u.username_key",
        actor.id
    )?)
}

/// Makes the member `username` an admin. Their current password must be
/// long enough for an admin ([`MIN_ADMIN_PASSWORD_CHARS`]); if it is not,
/// they are asked to choose a longer one first.
pub async fn promote(store: &Store, actor: &User, username: &str) -> Result<()> {
    let mut tx = store.write().await?;
    let target = target_for(&mut tx, actor, Action::Promote, username).await?;
    if target.role == Role::Admin {
        return Err(Error::invalid(format!(
            "{} is already an admin.",
            target.display_name
        )));
    }
    if target.disabled {
        return Err(Error::invalid(format!(
            "{}'s account is disabled. Enable it first.",
            target.display_name
        )));
    }
    if !target.password_fit_for_admin {
        return Err(Error::invalid(format!(
            "An admin's password needs at least {MIN_ADMIN_PASSWORD_CHARS} characters, and \
             {}'s is shorter. Ask them to choose a longer one under Account, then try again.",
            target.display_name
        )));
    }
    set_role(&mut tx, target.id, Role::Admin).await?;
    tx.commit().await?;
    Ok(())
}

/// Makes the admin `username` a member again; an admin may step down
/// themselves. Never the last admin who can sign in.
pub async fn demote(store: &Store, actor: &User, username: &str) -> Result<()> {
    let mut tx = store.write().await?;
    let target = target_for(&mut tx, actor, Action::Demote, username).await?;
    if target.role != Role::Admin {
        return Err(Error::invalid(format!(
            "{} is not an admin.",
            target.display_name
        )));
    }
    if !target.disabled && active_admins(&mut tx).await? <= 1 {
        return Err(last_admin());
    }
    set_role(&mut tx, target.id, Role::Member).await?;
    tx.commit().await?;
    Ok(())
}

/// Stops `username` from signing in, ending every session of theirs (for
/// good: enabling the account again does not revive them). Never the last
/// admin who can sign in, never oneself.
pub async fn disable(store: &Store, actor: &User, username: &str) -> Result<()> {
    let mut tx = store.write().await?;
    let target = target_for(&mut tx, actor, Action::Disable, username).await?;
    if target.disabled {
        return Ok(());
    }
    if target.role == Role::Admin && active_admins(&mut tx).await? <= 1 {
        return Err(last_admin());
    }
    exec!(
        &mut tx,
        "UPDATE users SET disabled_at = $1 WHERE id = $2",
        store.now(),
        target.id
    )?;
    // Every session of theirs ends now, even if the account is enabled
    // again before an open window next asks.
    end_sessions(&mut tx, target.id, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Lets a disabled account sign in again.
pub async fn enable(store: &Store, actor: &User, username: &str) -> Result<()> {
    let mut tx = store.write().await?;
    let target = target_for(&mut tx, actor, Action::Enable, username).await?;
    exec!(
        &mut tx,
        "UPDATE users SET disabled_at = NULL WHERE id = $1",
        target.id
    )?;
    tx.commit().await?;
    Ok(())
}

fn last_admin() -> Error {
    Error::Forbidden(
        "Parley needs at least one admin who can sign in. Make someone else admin first.".into(),
    )
}

#[derive(sqlx::FromRow)]
struct Target {
    id: UserId,
    display_name: String,
    role: Role,
    disabled: bool,
    password_fit_for_admin: bool,
}

/// The account `username` names, for `actor` to take `action` on. Whether
/// `actor` may take admin actions at all is asked first, so a member learns
/// nothing about which usernames exist (the answer is "only an admin can",
/// either way); then the rules about the target itself.
async fn target_for(
    tx: &mut Write,
    actor: &User,
    action: Action,
    username: &str,
) -> Result<Target> {
    authorize(tx, actor, action, None).await?;
    let target = find(tx, username).await?;
    authorize(tx, actor, action, Some(target.id)).await?;
    Ok(target)
}

async fn find(db: &mut dyn Db, username: &str) -> Result<Target> {
    rows!(
        Target,
        fetch_optional,
        db,
        "SELECT id, display_name, role, disabled_at IS NOT NULL AS disabled, password_fit_for_admin
         FROM users WHERE username_key = $1 AND deleted_at IS NULL",
        username_key(username.trim())
    )?
    .ok_or_else(|| Error::not_found("There is no account with that username."))
}

async fn set_role(tx: &mut Write, id: UserId, role: Role) -> Result<()> {
    exec!(tx, "UPDATE users SET role = $1 WHERE id = $2", role, id)?;
    Ok(())
}

/// Settings for everyone on this computer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AppSettings {
    /// A signed-in session ends after this many minutes without activity.
    pub idle_timeout_minutes: u32,
}

/// The shortest and longest idle time-out the admin can choose, in minutes.
pub const IDLE_TIMEOUT_MINUTES: std::ops::RangeInclusive<u32> = 1..=24 * 60;

pub async fn app_settings(store: &Store) -> Result<AppSettings> {
    let mut read = store.read().await?;
    let minutes = scalar!(
        i64,
        fetch_optional,
        &mut read,
        "SELECT idle_timeout_minutes FROM app_settings"
    )?;
    read.finish().await?;
    Ok(AppSettings {
        idle_timeout_minutes: minutes.and_then(|m| u32::try_from(m).ok()).unwrap_or(30),
    })
}

/// Sets how long a session may sit idle before it ends.
pub async fn set_idle_timeout(store: &Store, actor: &User, minutes: u32) -> Result<AppSettings> {
    let mut tx = store.write().await?;
    authorize(&mut tx, actor, Action::Configure, None).await?;
    if !IDLE_TIMEOUT_MINUTES.contains(&minutes) {
        return Err(Error::invalid(format!(
            "The idle time-out is {} to {} minutes.",
            IDLE_TIMEOUT_MINUTES.start(),
            IDLE_TIMEOUT_MINUTES.end()
        )));
    }
    exec!(
        &mut tx,
        "UPDATE app_settings SET idle_timeout_minutes = $1",
        i64::from(minutes)
    )?;
    tx.commit().await?;
    app_settings(store).await
}
