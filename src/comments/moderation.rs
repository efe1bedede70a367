//! What the admin does to keep a discussion civil: remove a comment, lock
//! a discussion, pin one comment to its top.

use super::checks::{ensure_article_exists, live_comment};
use super::shape::bump_version;
use super::write;
use super::Removal;
use crate::events::{self, Change};
use crate::ids::{ArticleId, CommentId};
use crate::policy::{authorize, Action};
use crate::store::{exec, Store};
use crate::users::User;
use crate::{Error, Result};

/// Removes anyone's comment as a moderator: it shows as "[removed by
/// moderator]" while it has replies, and disappears otherwise. Works on a
/// locked discussion too.
pub async fn remove(store: &Store, actor: &User, id: CommentId) -> Result<()> {
    let mut tx = store.write().await?;
    let comment = live_comment(&mut tx, id).await?;
    authorize(&mut tx, actor, Action::Remove, Some(comment.author_id)).await?;
    write::remove(&mut tx, id, Removal::Moderator, store.now()).await?;
    let removed = Change::CommentRemoved;
    events::record(
        &mut tx,
        store.now(),
        removed,
        Some(comment.article_id),
        Some(id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Locks (or unlocks) an article's discussion. While locked nobody can
/// post, reply, edit or vote there; authors can still delete their own
/// comments and the admin can still remove and pin.
pub async fn set_locked(
    store: &Store,
    actor: &User,
    article_id: ArticleId,
    locked: bool,
) -> Result<()> {
    let mut tx = store.write().await?;
    authorize(&mut tx, actor, Action::Lock, None).await?;
    ensure_article_exists(&mut tx, article_id).await?;
    exec!(
        &mut tx,
        "UPDATE articles SET locked_at = CASE WHEN $1 THEN coalesce(locked_at, $2) END
         WHERE id = $3",
        locked,
        store.now(),
        article_id
    )?;
    bump_version(&mut tx, article_id).await?;
    let locked = Change::DiscussionLocked;
    events::record(&mut tx, store.now(), locked, Some(article_id), None).await?;
    tx.commit().await?;
    Ok(())
}

/// Pins a top-level comment to the top of its discussion, whatever the
/// order (replacing any comment pinned before), or unpins it.
pub async fn set_pinned(store: &Store, actor: &User, id: CommentId, pinned: bool) -> Result<()> {
    let mut tx = store.write().await?;
    let comment = live_comment(&mut tx, id).await?;
    authorize(&mut tx, actor, Action::Pin, Some(comment.author_id)).await?;
    if pinned && comment.parent_id.is_some() {
        return Err(Error::invalid(
            "Only a comment that starts a thread can be pinned, not a reply.",
        ));
    }
    let query = if pinned {
        "UPDATE articles SET pinned_comment_id = $1 WHERE id = $2"
    } else {
        "UPDATE articles SET pinned_comment_id = NULL WHERE id = $2 AND pinned_comment_id = $1"
    };
    exec!(&mut tx, query, id, comment.article_id)?;
    bump_version(&mut tx, comment.article_id).await?;
    let pinned = Change::CommentPinned;
    events::record(
        &mut tx,
        store.now(),
        pinned,
        Some(comment.article_id),
        Some(id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
