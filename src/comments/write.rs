//! Posting, editing and deleting comments, and an edited comment's history.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::checks::{ensure_open, live_comment};
use super::shape::bump_version;
use super::{prepare_body, Body, Removal};
use crate::clock::Millis;
use crate::events::{self, Change};
use crate::ids::{ArticleId, CommentId, PassageId, UserId};
use crate::passages::{self, NewPassage};
use crate::policy::{authorize, Action};
use crate::render::render_markdown;
use crate::store::{exec, rows, scalar, Db, Store, Write};
use crate::users::User;
use crate::{Error, Result};

/// Edits this soon after posting replace the text without a history entry
/// or an "edited" mark: fixing a typo straight away is not a revision.
pub const EDIT_GRACE_MS: Millis = 5 * 60 * 1000;

/// Posts a comment on an article, or a reply to `parent` under it, written
/// by `author` (who the session says is acting, never who the UI says).
///
/// The body is prepared exactly as the preview shows it (see
/// [`super::preview`]): its Markdown rendered and sanitized once, here.
/// Fails, writing nothing, with [`Error::Invalid`] for a body that would
/// show nothing, one over the length limit, one with control characters,
/// or a parent on another article; with
/// [`Error::NotFound`] when the article or the parent no longer exists (a
/// deleted parent counts as gone); and with [`Error::Forbidden`] when the
/// discussion is locked.
pub async fn post(
    store: &Store,
    author: &User,
    article_id: ArticleId,
    parent: Option<CommentId>,
    body: &str,
) -> Result<CommentId> {
    post_as(store, author, article_id, parent, body, CommentId::new()).await
}

/// [`post`], with the comment's id chosen by whoever sends it, so that
/// sending it again is the same request: a client that lost its
/// connection while posting cannot know whether the comment arrived, and
/// sends it again with the id it chose when the person pressed "Post".
///
/// A repeat (the same id, by the same author, on the same article and
/// parent, with the same text) changes nothing and returns the id, even if
/// the discussion has been locked since or the comment deleted: the first
/// request was done. The same id with anything else is someone else's
/// comment or another one, and fails with [`Error::Invalid`], changing
/// nothing, as does an id that is not a UUID v7 (every row's id is one).
/// Otherwise this is [`post`].
pub async fn post_as(
    store: &Store,
    author: &User,
    article_id: ArticleId,
    parent: Option<CommentId>,
    body: &str,
    id: CommentId,
) -> Result<CommentId> {
    post_in(store, author, article_id, parent, body, id, None).await
}

/// Posts a top-level comment about `passage` of the article (words of the
/// version the person is reading, checked against its text), with its id
/// chosen by whoever sends it, as [`post_as`]. A repeat of the same
/// request changes nothing and returns the id.
pub async fn post_about(
    store: &Store,
    author: &User,
    article_id: ArticleId,
    passage: &NewPassage,
    body: &str,
    id: CommentId,
) -> Result<CommentId> {
    post_in(store, author, article_id, None, body, id, Some(passage)).await
}

async fn post_in(
    store: &Store,
    author: &User,
    article_id: ArticleId,
    parent: Option<CommentId>,
    body: &str,
    id: CommentId,
    passage: Option<&NewPassage>,
) -> Result<CommentId> {
    let action = if parent.is_some() {
        Action::Reply
    } else {
        Action::Post
    };
    if uuid::Uuid::from(id).get_version_num() != 7 {
        return Err(Error::invalid(
            "A new comment's id must be a UUID v7, made when it is first sent.",
        ));
    }
    let body = prepare_body(body)?;
    let mut tx = store.write().await?;
    authorize(&mut tx, author, action, None).await?;
    if let Some(earlier) = posted_as(&mut tx, id).await? {
        let here = (earlier.author_id, earlier.article_id, earlier.parent_id)
            == (author.id, article_id, parent);
        let repeat = here
            && (earlier.deleted || was_written(&mut tx, id, &earlier.body, &body.source).await?);
        return if repeat {
            Ok(id)
        } else {
            Err(Error::invalid(
                "That comment was already posted, with other text or in another place.",
            ))
        };
    }
    ensure_open(&mut tx, article_id).await?;
    if let Some(parent) = parent {
        let found = rows!(
            (ArticleId, Option<Millis>),
            fetch_optional,
            &mut tx,
            "SELECT article_id, deleted_at FROM comments WHERE id = $1",
            parent
        )?;
        match found {
            None | Some((_, Some(_))) => {
                return Err(Error::not_found(
                    "The comment you are replying to no longer exists.",
                ))
            }
            Some((a, None)) if a != article_id => {
                return Err(Error::invalid(
                    "You can only reply to a comment on the same article.",
                ))
            }
            Some(_) => {}
        }
    }
    let passage_id = match passage {
        Some(passage) => Some(passages::insert(&mut tx, article_id, passage, store.now()).await?),
        None => None,
    };
    exec!(
        &mut tx,
        "INSERT INTO comments (id, article_id, parent_id, author_id, body, body_html, created_at,
                               passage_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        article_id,
        parent,
        author.id,
        &body.source,
        &body.html,
        store.now(),
        passage_id
    )?;
    bump_version(&mut tx, article_id).await?;
    let posted = Change::CommentPosted;
    events::record(&mut tx, store.now(), posted, Some(article_id), Some(id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Who posted comment `id`, where, its text now and whether it is gone;
/// `None` when there is no such row (never posted, or deleted without
/// replies under it).
async fn posted_as(tx: &mut Write, id: CommentId) -> Result<Option<Posted>> {
    Ok(rows!(
        (UserId, ArticleId, Option<CommentId>, String, Option<Millis>),
        fetch_optional,
        tx,
        "SELECT author_id, article_id, parent_id, body, deleted_at FROM comments WHERE id = $1",
        id
    )?
    .map(
        |(author_id, article_id, parent_id, body, deleted_at)| Posted {
            author_id,
            article_id,
            parent_id,
            body,
            deleted: deleted_at.is_some(),
        },
    ))
}

/// Comment `id` as [`post_as`] compares a repeat with it.
#[derive(Debug)]
struct Posted {
    author_id: UserId,
    article_id: ArticleId,
    parent_id: Option<CommentId>,
    body: String,
    /// Deleted or removed since: its text is gone.
    deleted: bool,
}

/// Whether comment `id` ever held `text`: its text now is `current`, and
/// an edit may have replaced what was first sent.
async fn was_written(tx: &mut Write, id: CommentId, current: &str, text: &str) -> Result<bool> {
    if current == text {
        return Ok(true);
    }
    let earlier: i64 = scalar!(
        i64,
        fetch_one,
        tx,
        "SELECT count(*) FROM comment_revisions WHERE comment_id = $1 AND body = $2",
        id,
        text
    )?;
    Ok(earlier > 0)
}

/// Replaces the text of `editor`'s own comment. Within [`EDIT_GRACE_MS`] of
/// posting (and before any recorded edit) the text is simply replaced;
/// after that the old version goes into the history and the comment shows
/// "edited".
///
/// Fails with [`Error::Forbidden`] on someone else's comment or in a locked
/// discussion, [`Error::NotFound`] on a missing or deleted one, and
/// [`Error::Invalid`] for a body `post` would refuse. Nothing changes on
/// failure.
pub async fn edit(store: &Store, editor: &User, id: CommentId, body: &str) -> Result<()> {
    let Body {
        source: body,
        html: body_html,
    } = prepare_body(body)?;
    let mut tx = store.write().await?;
    let old = live_comment(&mut tx, id).await?;
    authorize(&mut tx, editor, Action::Edit, Some(old.author_id)).await?;
    ensure_open(&mut tx, old.article_id).await?;
    if old.body == body {
        return Ok(());
    }
    let now = store.now();
    let quick_fix = old.edited_at.is_none() && now - old.created_at <= EDIT_GRACE_MS;
    if quick_fix {
        exec!(
            &mut tx,
            "UPDATE comments SET body = $1, body_html = $2 WHERE id = $3",
            &body,
            &body_html,
            id
        )?;
    } else {
        let old_html = old.body_html.unwrap_or_else(|| render_markdown(&old.body));
        exec!(
            &mut tx,
            "INSERT INTO comment_revisions (comment_id, body, body_html, written_at, replaced_at)
             VALUES ($1, $2, $3, $4, $5)",
            id,
            &old.body,
            &old_html,
            old.edited_at.unwrap_or(old.created_at),
            now
        )?;
        exec!(
            &mut tx,
            "UPDATE comments SET body = $1, body_html = $2, edited_at = $3 WHERE id = $4",
            &body,
            &body_html,
            now,
            id
        )?;
    }
    let edited = Change::CommentEdited;
    events::record(&mut tx, now, edited, Some(old.article_id), Some(id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes `actor`'s own comment. One with replies stays as a "[deleted]"
/// placeholder (text, votes and history gone) so its replies keep their
/// place; one without replies disappears, and so does any placeholder
/// above it that is left with no replies.
///
/// Fails with [`Error::Forbidden`] on someone else's comment and
/// [`Error::NotFound`] on a missing or already deleted one. Works in a
/// locked discussion: people can always take back what they wrote.
pub async fn delete(store: &Store, actor: &User, id: CommentId) -> Result<()> {
    let mut tx = store.write().await?;
    let comment = live_comment(&mut tx, id).await?;
    authorize(&mut tx, actor, Action::Delete, Some(comment.author_id)).await?;
    remove(&mut tx, id, Removal::Author, store.now()).await?;
    let deleted = Change::CommentDeleted;
    events::record(
        &mut tx,
        store.now(),
        deleted,
        Some(comment.article_id),
        Some(id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a comment that exists and is not yet removed, as `by`, and
/// unpins it if it was pinned.
pub(crate) async fn remove(tx: &mut Write, id: CommentId, by: Removal, now: Millis) -> Result<()> {
    let article = scalar!(
        ArticleId,
        fetch_one,
        tx,
        "SELECT article_id FROM comments WHERE id = $1",
        id
    )?;
    bump_version(tx, article).await?;
    exec!(
        tx,
        "UPDATE articles SET pinned_comment_id = NULL WHERE pinned_comment_id = $1",
        id
    )?;
    if has_replies(tx, id).await? {
        exec!(
            tx,
            "UPDATE comments
             SET deleted_at = $1, deleted_by = $2, body = '', body_html = '', upvotes = 0, downvotes = 0
             WHERE id = $3",
            now,
            by,
            id
        )?;
        exec!(
            tx,
            "DELETE FROM comment_revisions WHERE comment_id = $1",
            id
        )?;
        exec!(tx, "DELETE FROM votes WHERE comment_id = $1", id)?;
        return Ok(());
    }
    // A leaf goes, then each placeholder above it that is now a leaf too.
    let mut next = Some(id);
    while let Some(current) = next {
        let found = rows!(
            (Option<CommentId>, Option<PassageId>),
            fetch_optional,
            tx,
            "SELECT parent_id, passage_id FROM comments WHERE id = $1",
            current
        )?;
        let (parent, passage) = found.unwrap_or((None, None));
        exec!(tx, "DELETE FROM comments WHERE id = $1", current)?;
        // The words it was about go with it.
        exec!(tx, "DELETE FROM passages WHERE id = $1", passage)?;
        next = match parent {
            Some(p) if is_placeholder(tx, p).await? && !has_replies(tx, p).await? => Some(p),
            _ => None,
        };
    }
    Ok(())
}

async fn has_replies(db: &mut dyn Db, id: CommentId) -> Result<bool> {
    Ok(scalar!(
        bool,
        fetch_one,
        db,
        "SELECT EXISTS (SELECT 1 FROM comments WHERE parent_id = $1)",
        id
    )?)
}

async fn is_placeholder(db: &mut dyn Db, id: CommentId) -> Result<bool> {
    let deleted = scalar!(
        Option<Millis>,
        fetch_optional,
        db,
        "SELECT deleted_at FROM comments WHERE id = $1",
        id
    )?;
    Ok(matches!(deleted, Some(Some(_))))
}

/// One version of a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Revision {
    pub body_html: String,
    /// When this version was posted, or became current through an edit.
    #[ts(type = "number")]
    pub written_at: Millis,
    /// The version shown now.
    pub current: bool,
}

/// Every version of a comment, the current one first, then older ones
/// newest first. Anyone may read it. Fails with [`Error::NotFound`] on a
/// missing or deleted comment.
pub async fn history(store: &Store, id: CommentId) -> Result<Vec<Revision>> {
    let mut read = store.read().await?;
    let current = live_comment(&mut read, id).await?;
    let mut versions = vec![Revision {
        body_html: current
            .body_html
            .unwrap_or_else(|| render_markdown(&current.body)),
        written_at: current.edited_at.unwrap_or(current.created_at),
        current: true,
    }];
    let older = rows!(
        (String, Millis),
        fetch_all,
        &mut read,
        "SELECT body_html, written_at FROM comment_revisions
         WHERE comment_id = $1 ORDER BY replaced_at DESC, written_at DESC",
        id
    )?;
    versions.extend(older.into_iter().map(|(body_html, written_at)| Revision {
        body_html,
        written_at,
        current: false,
    }));
    Ok(versions)
}

/// Renders comments stored before rendering existed (body_html NULL).
/// Runs at start-up; after the first run there is nothing to do.
pub async fn render_pending(store: &Store) -> Result<usize> {
    let mut read = store.read().await?;
    let pending = rows!(
        (CommentId, String),
        fetch_all,
        &mut read,
        "SELECT id, body FROM comments WHERE body_html IS NULL"
    )?;
    drop(read);
    if pending.is_empty() {
        return Ok(0);
    }
    let mut tx = store.write().await?;
    for (id, body) in &pending {
        exec!(
            &mut tx,
            "UPDATE comments SET body_html = $1 WHERE id = $2 AND body_html IS NULL",
            render_markdown(body),
            id
        )?;
    }
    tx.commit().await?;
    Ok(pending.len())
}
