//! Sessions kept in the database: what a server holds for each signed-in
//! client, and what the desktop's one signed-in slot ([`super::Session`])
//! stands on.
//!
//! A session is an opaque token of 256 random bits that only the client
//! holds; the database keeps its SHA-256, so a copy of the database (a
//! backup, a stolen disk) signs nobody in. A session has ended when its row
//! is gone (signed out, ended from the person's list, idle too long) or
//! when its account's session generation has moved on since it began (a
//! new password, the account disabled or deleted: `users::end_sessions`).
//! Nothing about a session lives in a process's memory, so any number of
//! server processes can share the database.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::accounts;
use crate::clock::Millis;
use crate::ids::SessionId;
use crate::secret;
use crate::store::{exec, rows, Store};
use crate::users::{SessionGeneration, User};
use crate::Result;

/// How many random bytes a token holds.
const TOKEN_BYTES: usize = 32;

/// The longest label kept; longer ones are cut.
const MAX_LABEL_CHARS: usize = 100;

/// How often, at most, using a session writes down that it was seen: often
/// enough for idle time-outs measured in minutes, rare enough that reading
/// a thread is not a write each time.
const SEEN_EVERY_MS: Millis = 60_000;

/// A session's secret, as its client holds it: 64 lower-case hex digits.
/// Its `Debug` shows none of it, so it cannot leak into a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

impl Token {
    fn generate() -> Result<Self> {
        let bytes = secret::random::<TOKEN_BYTES>()?;
        Ok(Self(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// Reads a token a client sent. Anything but 64 lower-case hex digits
    /// is no token at all (`None`), and is never looked up.
    pub fn parse(text: &str) -> Option<Self> {
        let well_formed = text.len() == TOKEN_BYTES * 2
            && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        well_formed.then(|| Self(text.to_owned()))
    }

    /// The token's text, to hand to its client (and to nobody else).
    pub fn reveal(&self) -> &str {
        &self.0
    }

    fn hash(&self) -> Vec<u8> {
        secret::hash(&self.0)
    }
}

/// Which door a session came through, which decides how its idle time is
/// measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// This computer's window: the app measures idle time itself, on the
    /// monotonic clock, and its session ends when the app does.
    Desktop,
    /// A client of `parley-server`: idle time is measured here, on the
    /// wall clock every server process shares.
    Server,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Desktop => "desktop",
            Kind::Server => "server",
        }
    }
}

/// A session that has just begun: the token goes to the client.
#[derive(Debug)]
pub struct Begun {
    pub id: SessionId,
    pub token: Token,
}

/// A session found by its token, still going.
#[derive(Debug, Clone)]
pub struct Resumed {
    pub id: SessionId,
    pub user: User,
}

/// One of a person's sessions, as their list of them shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SessionInfo {
    pub id: SessionId,
    pub label: String,
    #[ts(type = "number")]
    pub created_at: Millis,
    #[ts(type = "number")]
    pub last_seen_at: Millis,
    /// The session asking.
    #[sqlx(default)]
    pub current: bool,
}

/// Begins a session for `user`, who has just proved who they are while
/// the account was at `generation` (from `accounts::sign_in`): if the
/// generation has moved on since, the session has already ended.
/// `label` is what the person will see in their list ("Parley on
/// ada-laptop"); control characters go and it is cut to a sane length.
pub async fn begin(
    store: &Store,
    user: &User,
    generation: SessionGeneration,
    kind: Kind,
    label: &str,
) -> Result<Begun> {
    let token = Token::generate()?;
    let id = SessionId::new();
    let now = store.now();
    let label: String = label
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_LABEL_CHARS)
        .collect();
    let mut tx = store.write().await?;
    exec!(
        &mut tx,
        "INSERT INTO sessions (id, token_hash, user_id, generation, kind, label,
                               created_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        id,
        token.hash(),
        user.id,
        generation,
        kind.as_str(),
        label.trim(),
        now
    )?;
    tx.commit().await?;
    Ok(Begun { id, token })
}

/// Checks `username`'s password and, if it matches, begins a session for
/// them: how a server client signs in. Each sign-in is a session with a
/// token of its own, so signing in again never hands out an old token.
pub async fn sign_in(
    store: &Store,
    username: &str,
    password: String,
    kind: Kind,
    label: &str,
) -> Result<(User, Begun)> {
    let (user, generation) = accounts::sign_in(store, username, password).await?;
    let begun = begin(store, &user, generation, kind, label).await?;
    Ok((user, begun))
}

/// The session `token` names, if it is still going: its row is there, its
/// account may act and has not moved to a newer generation, and (given
/// `idle_after`, as a server does) it was used within that long. A session
/// found idle ends here. Using it now counts as activity.
pub async fn resume(
    store: &Store,
    token: &Token,
    idle_after: Option<Millis>,
) -> Result<Option<Resumed>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        session_id: SessionId,
        last_seen_at: Millis,
        #[sqlx(flatten)]
        user: User,
    }
    let hash = token.hash();
    let mut read = store.read().await?;
    let row = rows!(
        Row,
        fetch_optional,
        &mut read,
        "SELECT s.id AS session_id, s.last_seen_at,
                u.id, u.username, u.display_name, u.role, u.created_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.generation = u.session_generation
           AND u.deleted_at IS NULL AND u.disabled_at IS NULL",
        &hash
    )?;
    drop(read);
    let Some(row) = row else {
        return Ok(None);
    };
    let now = store.now();
    let idle = now.saturating_sub(row.last_seen_at);
    if idle_after.is_some_and(|limit| idle >= limit) {
        let mut tx = store.write().await?;
        exec!(
            &mut tx,
            "DELETE FROM sessions WHERE id = $1",
            row.session_id
        )?;
        tx.commit().await?;
        return Ok(None);
    }
    if idle >= SEEN_EVERY_MS {
        let mut tx = store.write().await?;
        exec!(
            &mut tx,
            "UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1",
            now,
            row.session_id
        )?;
        tx.commit().await?;
    }
    Ok(Some(Resumed {
        id: row.session_id,
        user: row.user,
    }))
}

/// Ends the session `token` names. Ending one that has already ended is
/// not an error.
pub async fn end(store: &Store, token: &Token) -> Result<()> {
    let mut tx = store.write().await?;
    exec!(
        &mut tx,
        "DELETE FROM sessions WHERE token_hash = $1",
        token.hash()
    )?;
    tx.commit().await?;
    Ok(())
}

/// `user`'s sessions that are still going, the most recently used first,
/// with `current` (the one asking) marked.
pub async fn list(store: &Store, user: &User, current: SessionId) -> Result<Vec<SessionInfo>> {
    let mut read = store.read().await?;
    let mut sessions = rows!(
        SessionInfo,
        fetch_all,
        &mut read,
        "SELECT s.id, s.label, s.created_at, s.last_seen_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.user_id = $1 AND s.generation = u.session_generation
         ORDER BY s.last_seen_at DESC, s.id DESC",
        user.id
    )?;
    for session in &mut sessions {
        session.current = session.id == current;
    }
    Ok(sessions)
}

/// Ends `user`'s session `id` (one of their own: anyone else's is left
/// alone, as if it did not exist). Returns whether one ended.
pub async fn end_one(store: &Store, user: &User, id: SessionId) -> Result<bool> {
    let mut tx = store.write().await?;
    let ended = exec!(
        &mut tx,
        "DELETE FROM sessions WHERE id = $1 AND user_id = $2",
        id,
        user.id
    )?;
    tx.commit().await?;
    Ok(ended > 0)
}

/// Ends every session of `user` but `keep` ("sign out everywhere else").
/// Returns how many ended.
pub async fn end_others(store: &Store, user: &User, keep: SessionId) -> Result<u64> {
    let mut tx = store.write().await?;
    let ended = exec!(
        &mut tx,
        "DELETE FROM sessions WHERE user_id = $1 AND id <> $2",
        user.id,
        keep
    )?;
    tx.commit().await?;
    Ok(ended)
}

/// Forgets every desktop session: they belong to an app that has stopped
/// (a session of this computer's window lives only as long as the app).
/// The desktop calls this as it starts.
pub async fn forget_desktop_sessions(store: &Store) -> Result<()> {
    forget(store, "DELETE FROM sessions WHERE kind = 'desktop'").await
}

/// Forgets every session: a restored backup's are from another time, and
/// a restore signs everyone out.
pub(crate) async fn forget_all(store: &Store) -> Result<()> {
    forget(store, "DELETE FROM sessions").await
}

async fn forget(store: &Store, statement: &'static str) -> Result<()> {
    let mut tx = store.write().await?;
    exec!(&mut tx, statement)?;
    tx.commit().await?;
    Ok(())
}
