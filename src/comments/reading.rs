//! What each person has seen and chosen: visits (for "new"), the sort they
//! prefer, the subtrees they collapsed, and replies to their comments.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Sort;
use crate::clock::Millis;
use crate::ids::{ArticleId, CommentId, UserId};
use crate::store::{exec, rows, scalar, Db, Store};
use crate::users::User;
use crate::{Error, Result};

/// Openings closer together than this are one visit: coming back from
/// "Replies to you" or reopening the article does not clear its "new" marks.
pub const READING_SESSION_MS: Millis = 30 * 60 * 1000;

/// The visit before the current one; comments after it are "new".
pub(super) async fn previous_visit(
    db: &mut dyn Db,
    user: UserId,
    article: ArticleId,
) -> Result<Option<Millis>> {
    let found = scalar!(
        Option<Millis>,
        fetch_optional,
        db,
        "SELECT previous_at FROM article_visits WHERE user_id = $1 AND article_id = $2",
        user,
        article
    )?;
    Ok(found.flatten())
}

pub(super) async fn preferred_sort(db: &mut dyn Db, user: UserId) -> Result<Sort> {
    let found = scalar!(
        Sort,
        fetch_optional,
        db,
        "SELECT thread_sort FROM user_preferences WHERE user_id = $1",
        user
    )?;
    Ok(found.unwrap_or_default())
}

/// Remembers the order `user` reads discussions in.
pub async fn set_preferred_sort(store: &Store, user: &User, sort: Sort) -> Result<()> {
    let mut tx = store.write().await?;
    exec!(
        &mut tx,
        "INSERT INTO user_preferences (user_id, thread_sort) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET thread_sort = $2",
        user.id,
        sort
    )?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn collapsed(
    db: &mut dyn Db,
    user: UserId,
    article: ArticleId,
) -> Result<HashSet<CommentId>> {
    let ids = scalar!(
        CommentId,
        fetch_all,
        db,
        "SELECT k.comment_id FROM collapsed_comments k
         JOIN comments c ON c.id = k.comment_id
         WHERE k.user_id = $1 AND c.article_id = $2",
        user,
        article
    )?;
    Ok(ids.into_iter().collect())
}

/// Collapses or expands a subtree for `user`, remembered per person (and so
/// per article). Fails with [`Error::NotFound`] for a missing comment.
pub async fn set_collapsed(
    store: &Store,
    user: &User,
    comment: CommentId,
    collapsed: bool,
) -> Result<()> {
    let mut tx = store.write().await?;
    let exists = scalar!(
        bool,
        fetch_one,
        &mut tx,
        "SELECT EXISTS (SELECT 1 FROM comments WHERE id = $1)",
        comment
    )?;
    if !exists {
        return Err(Error::not_found("That comment no longer exists."));
    }
    let sql = if collapsed {
        "INSERT INTO collapsed_comments (user_id, comment_id) VALUES ($1, $2)
         ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM collapsed_comments WHERE user_id = $1 AND comment_id = $2"
    };
    exec!(&mut tx, sql, user.id, comment)?;
    tx.commit().await?;
    Ok(())
}

/// A reply to one of the reader's comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ReplyToMe {
    pub id: CommentId,
    pub article_id: ArticleId,
    pub article_title: String,
    pub author_name: String,
    pub body_html: String,
    #[ts(type = "number")]
    pub created_at: Millis,
    /// Posted after the reader last opened that article's discussion.
    pub unread: bool,
}

/// Replies by others to `user`'s comments, unread first, then newest first;
/// at most `limit` of them. Replies by people `user` has muted are left out:
/// muting someone means not being called to read them.
pub async fn replies_to_me(store: &Store, user: &User, limit: u32) -> Result<Vec<ReplyToMe>> {
    let mut read = store.read().await?;
    Ok(rows!(
        ReplyToMe,
        fetch_all,
        &mut read,
        "SELECT c.id, c.article_id, a.title AS article_title, u.display_name AS author_name,
                coalesce(c.body_html, '') AS body_html, c.created_at,
                c.created_at > coalesce(v.last_at, 0) AS unread
         FROM comments c
         JOIN comments p ON p.id = c.parent_id
         JOIN users u ON u.id = c.author_id
         JOIN articles a ON a.id = c.article_id
         LEFT JOIN article_visits v ON v.user_id = p.author_id AND v.article_id = c.article_id
         WHERE p.author_id = $1 AND c.author_id != $1 AND c.deleted_at IS NULL
           AND c.author_id NOT IN (SELECT muted_id FROM mutes WHERE user_id = $1)
         ORDER BY unread DESC, c.created_at DESC, c.id DESC
         LIMIT $2",
        user.id,
        i64::from(limit)
    )?)
}
