//! What changed, in order: the backlog a live client catches up from.
//!
//! Every change to a discussion (a comment posted, edited, deleted or
//! removed, a vote, a pin, a lock) and every article added writes an
//! [`Event`] in the same transaction as the change itself, so an event is
//! there exactly when its change is. Ids only grow and are handed out in
//! commit order (writes take turns on both engines), so a client that has
//! seen event N asks for those after N and misses nothing; one that fell
//! further behind than the backlog reaches is told to reload.
//!
//! An event says what changed and where, never the text: whoever is told
//! reads the comment through the same rules as always, so a removed
//! comment or a muted author is shown to each reader as the rules say.
//! On PostgreSQL each event also wakes listeners (`NOTIFY`), so every
//! server process hears of changes made through any other.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::Millis;
use crate::ids::{ArticleId, CommentId};
use crate::store::{exec, rows, scalar, Store, Write};
use crate::Result;

/// The channel PostgreSQL listeners wait on.
pub const CHANNEL: &str = "parley_events";

/// How long events are kept for clients to catch up from.
pub const KEEP_MS: Millis = 24 * 60 * 60 * 1000;

/// The most events one catch-up returns.
pub const MAX_BATCH: u32 = 500;

/// What kind of change an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    CommentPosted,
    CommentEdited,
    CommentDeleted,
    CommentRemoved,
    CommentPinned,
    Voted,
    DiscussionLocked,
    ArticleAdded,
    /// An article changed at its source: a new version is its text.
    ArticleUpdated,
}

impl Change {
    const ALL: [Change; 9] = [
        Change::CommentPosted,
        Change::CommentEdited,
        Change::CommentDeleted,
        Change::CommentRemoved,
        Change::CommentPinned,
        Change::Voted,
        Change::DiscussionLocked,
        Change::ArticleAdded,
        Change::ArticleUpdated,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Change::CommentPosted => "comment_posted",
            Change::CommentEdited => "comment_edited",
            Change::CommentDeleted => "comment_deleted",
            Change::CommentRemoved => "comment_removed",
            Change::CommentPinned => "comment_pinned",
            Change::Voted => "voted",
            Change::DiscussionLocked => "discussion_locked",
            Change::ArticleAdded => "article_added",
            Change::ArticleUpdated => "article_updated",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Event {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub at: Millis,
    pub change: Change,
    pub article_id: Option<ArticleId>,
    pub comment_id: Option<CommentId>,
}

/// Writes down `change` in `tx`, the transaction that makes it.
pub(crate) async fn record(
    tx: &mut Write,
    now: Millis,
    change: Change,
    article: Option<ArticleId>,
    comment: Option<CommentId>,
) -> Result<()> {
    exec!(
        tx,
        "INSERT INTO events (at, kind, article_id, comment_id) VALUES ($1, $2, $3, $4)",
        now,
        change.as_str(),
        article,
        comment
    )?;
    if tx.is_postgres() {
        // Delivered when (and only if) the transaction commits.
        exec!(tx, "SELECT pg_notify($1, '')", CHANNEL)?;
    }
    Ok(())
}

/// Events after `after`, oldest first, at most [`MAX_BATCH`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Since {
    pub events: Vec<Event>,
    /// Events after `after` were pruned before they could be read: the
    /// client must reload what it shows rather than catch up.
    pub gap: bool,
}

/// The events after `after` (0: from the start of the backlog).
pub async fn since(store: &Store, after: i64) -> Result<Since> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        at: Millis,
        kind: String,
        article_id: Option<ArticleId>,
        comment_id: Option<CommentId>,
    }
    let mut read = store.read().await?;
    let oldest = scalar!(
        Option<i64>,
        fetch_one,
        &mut read,
        "SELECT min(id) FROM events"
    )?;
    let found = rows!(
        Row,
        fetch_all,
        &mut read,
        "SELECT id, at, kind, article_id, comment_id FROM events
         WHERE id > $1 ORDER BY id LIMIT $2",
        after,
        i64::from(MAX_BATCH)
    )?;
    // A gap: the client saw an event, and the next one it needs is gone.
    let gap = after > 0 && oldest.is_some_and(|o| o > after + 1);
    let events = found
        .into_iter()
        .filter_map(|r| {
            Some(Event {
                id: r.id,
                at: r.at,
                change: Change::parse(&r.kind)?,
                article_id: r.article_id,
                comment_id: r.comment_id,
            })
        })
        .collect();
    Ok(Since { events, gap })
}

/// The id of the newest event (0 when there is none): where a client
/// that has just loaded everything starts listening.
pub async fn latest(store: &Store) -> Result<i64> {
    let newest = scalar!(
        Option<i64>,
        fetch_one,
        &mut store.read().await?,
        "SELECT max(id) FROM events"
    )?;
    Ok(newest.unwrap_or(0))
}

/// Forgets events older than [`KEEP_MS`], always keeping the newest (so
/// ids keep growing from it and a gap can be told).
pub async fn prune(store: &Store) -> Result<u64> {
    let mut tx = store.write().await?;
    let gone = exec!(
        &mut tx,
        "DELETE FROM events WHERE at < $1 AND id < (SELECT max(id) FROM events)",
        store.now().saturating_sub(KEEP_MS)
    )?;
    tx.commit().await?;
    Ok(gone)
}
