//! Who may join: the rules a server adds to making an account.
//!
//! On the desktop anyone at the computer may make an account and the first
//! one becomes the admin. A server is reachable by people who are not in
//! the room, so it is stricter: its first account needs the one-time setup
//! code the server printed when it started (nobody can race its operator
//! to claim it), and later ones join as the admin chooses: with an invite
//! (single use, expiring; the default), by open sign-up, or not at all.
//! The account itself is made by `accounts::join`, which asks [`admit`]
//! inside its transaction, so a code is used up exactly when an account
//! is made with it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::Millis;
use crate::ids::{InviteId, UserId};
use crate::policy::{authorize, Action};
use crate::secret;
use crate::store::{exec, rows, scalar, Db, Store, Write};
use crate::users::User;
use crate::{Error, Result};

/// How many groups of four letters a setup or invite code has (100 bits).
const CODE_GROUPS: usize = 5;
/// Enough random bytes for them.
const CODE_BYTES: usize = 13;

/// The longest an invite may stay open.
pub const MAX_INVITE_DAYS: u32 = 30;
const DAY_MS: Millis = 24 * 60 * 60 * 1000;

/// How new people may join a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SignUp {
    /// With an invite an admin made (the default).
    Invite,
    /// Anyone who can reach the server.
    Open,
    /// Nobody new.
    Closed,
}

impl SignUp {
    fn as_str(self) -> &'static str {
        match self {
            SignUp::Invite => "invite",
            SignUp::Open => "open",
            SignUp::Closed => "closed",
        }
    }

    fn from_str(text: &str) -> Result<Self> {
        match text {
            "invite" => Ok(SignUp::Invite),
            "open" => Ok(SignUp::Open),
            "closed" => Ok(SignUp::Closed),
            other => Err(Error::Internal(format!(
                "unknown sign-up setting {other:?}"
            ))),
        }
    }
}

/// What a person brings to make an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ticket<'a> {
    /// This computer's own window: the desktop's rules.
    ThisComputer,
    /// A server's setup code, for its first account.
    SetupCode(&'a str),
    /// An invite's code.
    Invite(&'a str),
    /// Nothing: enough only while sign-up is open.
    Nothing,
}

/// Decides whether the account `joining`, just written in `tx` when
/// `existing` accounts were there before it, may stay, and uses its
/// ticket up if so. Runs in the transaction that makes the account, so a
/// refusal leaves no account and no used-up code behind.
pub(crate) async fn admit(
    tx: &mut Write,
    existing: i64,
    ticket: Ticket<'_>,
    joining: UserId,
    now: Millis,
) -> Result<()> {
    if ticket == Ticket::ThisComputer {
        return Ok(());
    }
    if existing == 0 {
        return use_setup_code(tx, ticket).await;
    }
    match ticket {
        Ticket::Invite(code) => use_invite(tx, code, joining, now).await,
        Ticket::ThisComputer => Ok(()),
        Ticket::SetupCode(_) | Ticket::Nothing => refused_without_invite(tx).await,
    }
}

/// What [`admit`] can tell without writing: refuses a ticket that could
/// not admit anyone now (a missing or malformed code, sign-up closed), so
/// the caller need not hash a password for nothing.
pub(crate) async fn precheck(db: &mut dyn Db, existing: i64, ticket: Ticket<'_>) -> Result<()> {
    let well_formed = |code: &str| secret::read_typed_code(code, CODE_GROUPS).is_some();
    match ticket {
        Ticket::ThisComputer => Ok(()),
        Ticket::SetupCode(code) if existing == 0 && well_formed(code) => Ok(()),
        Ticket::Invite(code) if existing > 0 && well_formed(code) => Ok(()),
        _ if existing == 0 => Err(not_set_up()),
        Ticket::Invite(_) => Err(unusable_invite()),
        Ticket::SetupCode(_) | Ticket::Nothing => refused_without_invite(db).await,
    }
}

fn not_set_up() -> Error {
    Error::Forbidden(
        "This server has no accounts yet. Its first account needs the setup code the \
         server printed when it started."
            .into(),
    )
}

fn unusable_invite() -> Error {
    Error::Forbidden(
        "That invite cannot be used: it is mistyped, already used, withdrawn or expired. \
         Ask for a new one."
            .into(),
    )
}

/// Refuses someone who brings no invite, unless sign-up is open.
async fn refused_without_invite(db: &mut dyn Db) -> Result<()> {
    match sign_up(db).await? {
        SignUp::Open => Ok(()),
        SignUp::Invite => Err(Error::Forbidden(
            "This server takes new members by invitation. Ask its admin for an invite.".into(),
        )),
        SignUp::Closed => Err(Error::Forbidden(
            "This server is not taking new members.".into(),
        )),
    }
}

async fn use_setup_code(tx: &mut Write, ticket: Ticket<'_>) -> Result<()> {
    let Ticket::SetupCode(typed) = ticket else {
        return Err(not_set_up());
    };
    let code = secret::read_typed_code(typed, CODE_GROUPS).ok_or_else(not_set_up)?;
    let used = exec!(
        tx,
        "UPDATE membership SET setup_code_hash = NULL WHERE id = 1 AND setup_code_hash = $1",
        secret::hash(&code)
    )?;
    if used == 0 {
        return Err(Error::Forbidden(
            "That setup code is not this server's. Use the one it printed when it last \
             started."
                .into(),
        ));
    }
    Ok(())
}

async fn use_invite(tx: &mut Write, typed: &str, joining: UserId, now: Millis) -> Result<()> {
    let code = secret::read_typed_code(typed, CODE_GROUPS).ok_or_else(unusable_invite)?;
    let used = exec!(
        tx,
        "UPDATE invites SET used_at = $1, used_by = $2
         WHERE code_hash = $3 AND used_at IS NULL AND expires_at > $1",
        now,
        joining,
        secret::hash(&code)
    )?;
    if used == 0 {
        return Err(unusable_invite());
    }
    Ok(())
}

async fn sign_up(db: &mut dyn Db) -> Result<SignUp> {
    let text = scalar!(
        String,
        fetch_one,
        db,
        "SELECT sign_up FROM membership WHERE id = 1"
    )?;
    SignUp::from_str(&text)
}

/// A server's setup code, printed at its start while it has no account.
/// Each call makes a new one and the one before stops working; once the
/// first account exists there is none (`None`).
pub async fn new_setup_code(store: &Store) -> Result<Option<String>> {
    let code = secret::typed_code::<CODE_BYTES>(CODE_GROUPS)?;
    let mut tx = store.write().await?;
    let accounts = scalar!(i64, fetch_one, &mut tx, "SELECT count(*) FROM users")?;
    let (hash, code) = if accounts == 0 {
        (Some(secret::hash(&code)), Some(code))
    } else {
        (None, None)
    };
    exec!(
        &mut tx,
        "UPDATE membership SET setup_code_hash = $1 WHERE id = 1",
        hash
    )?;
    tx.commit().await?;
    Ok(code)
}

/// How new people join now. Anyone may ask: a sign-up page shows it.
pub async fn sign_up_setting(store: &Store) -> Result<SignUp> {
    sign_up(&mut store.read().await?).await
}

/// Sets how new people join (admins only).
pub async fn set_sign_up(store: &Store, actor: &User, setting: SignUp) -> Result<()> {
    let mut tx = store.write().await?;
    authorize(&mut tx, actor, Action::Invite, None).await?;
    exec!(
        &mut tx,
        "UPDATE membership SET sign_up = $1 WHERE id = 1",
        setting.as_str()
    )?;
    tx.commit().await?;
    Ok(())
}

/// An invite just made: its code is shown once, to the admin who made it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NewInvite {
    pub id: InviteId,
    pub code: String,
    #[ts(type = "number")]
    pub expires_at: Millis,
}

/// An invite as the admins' list shows it (without its code, which is
/// kept only as a hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct InviteInfo {
    pub id: InviteId,
    #[ts(type = "number")]
    pub created_at: Millis,
    #[ts(type = "number")]
    pub expires_at: Millis,
    #[ts(type = "number | null")]
    pub used_at: Option<Millis>,
    /// The display name of whoever joined with it.
    pub used_by: Option<String>,
}

/// Makes an invite that lets one person join within `days` days (1 to
/// [`MAX_INVITE_DAYS`]). Admins only.
pub async fn create_invite(store: &Store, actor: &User, days: u32) -> Result<NewInvite> {
    if !(1..=MAX_INVITE_DAYS).contains(&days) {
        return Err(Error::invalid(format!(
            "An invite can stay open from 1 to {MAX_INVITE_DAYS} days."
        )));
    }
    let code = secret::typed_code::<CODE_BYTES>(CODE_GROUPS)?;
    let id = InviteId::new();
    let now = store.now();
    let expires_at = now.saturating_add(Millis::from(days) * DAY_MS);
    let mut tx = store.write().await?;
    authorize(&mut tx, actor, Action::Invite, None).await?;
    exec!(
        &mut tx,
        "INSERT INTO invites (id, code_hash, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
        id,
        secret::hash(&code),
        actor.id,
        now,
        expires_at
    )?;
    tx.commit().await?;
    Ok(NewInvite {
        id,
        code,
        expires_at,
    })
}

/// Every invite, newest first (admins only).
pub async fn invites(store: &Store, actor: &User) -> Result<Vec<InviteInfo>> {
    let mut read = store.read().await?;
    authorize(&mut read, actor, Action::Invite, None).await?;
    Ok(rows!(
        InviteInfo,
        fetch_all,
        &mut read,
        "SELECT i.id, i.created_at, i.expires_at, i.used_at, u.display_name AS used_by
         FROM invites i LEFT JOIN users u ON u.id = i.used_by
         ORDER BY i.created_at DESC, i.id DESC"
    )?)
}

/// Withdraws an invite nobody has used yet (admins only).
pub async fn withdraw_invite(store: &Store, actor: &User, id: InviteId) -> Result<()> {
    let mut tx = store.write().await?;
    authorize(&mut tx, actor, Action::Invite, None).await?;
    let gone = exec!(
        &mut tx,
        "DELETE FROM invites WHERE id = $1 AND used_at IS NULL",
        id
    )?;
    if gone == 0 {
        return Err(Error::not_found(
            "That invite is not open any more: it was used or withdrawn.",
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// Whether the server has no account yet, so that its first needs the
/// setup code.
pub async fn needs_setup(store: &Store) -> Result<bool> {
    let accounts = scalar!(
        i64,
        fetch_one,
        &mut store.read().await?,
        "SELECT count(*) FROM users"
    )?;
    Ok(accounts == 0)
}
