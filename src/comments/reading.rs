//! What each person has seen and chosen: visits (for "new"), the sort they
//! prefer, the subtrees they collapsed, and replies to their comments.

use std::collections::HashSet;

use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use super::Sort;
use crate::clock::Millis;
use crate::ids::{ArticleId, CommentId, UserId};
use crate::store::Store;
use crate::users::User;
use crate::{Error, Result};

/// Openings closer together than this are one visit: coming back from
/// "Replies to you" or reopening the article does not clear its "new" marks.
pub const READING_SESSION_MS: Millis = 30 * 60 * 1000;

/// The visit before the current one; comments after it are "new".
pub(super) async fn previous_visit(
    conn: &mut SqliteConnection,
    user: UserId,
    article: ArticleId,
) -> Result<Option<Millis>> {
    let found: Option<Option<Millis>> = sqlx::query_scalar(
        "SELECT previous_at FROM article_visits WHERE user_id = ? AND article_id = ?",
    )
    .bind(user)
    .bind(article)
    .fetch_optional(conn)
    .await?;
    Ok(found.flatten())
}

pub(super) async fn preferred_sort(conn: &mut SqliteConnection, user: UserId) -> Result<Sort> {
    let found: Option<Sort> =
        sqlx::query_scalar("SELECT thread_sort FROM user_preferences WHERE user_id = ?")
            .bind(user)
            .fetch_optional(conn)
            .await?;
    Ok(found.unwrap_or_default())
}

/// Remembers the order `user` reads discussions in.
pub async fn set_preferred_sort(store: &Store, user: &User, sort: Sort) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_preferences (user_id, thread_sort) VALUES (?1, ?2)
         ON CONFLICT (user_id) DO UPDATE SET thread_sort = ?2",
    )
    .bind(user.id)
    .bind(sort)
    .execute(&store.pool())
    .await?;
    Ok(())
}

pub(super) async fn collapsed(
    conn: &mut SqliteConnection,
    user: UserId,
    article: ArticleId,
) -> Result<HashSet<CommentId>> {
    let ids: Vec<CommentId> = sqlx::query_scalar(
        "SELECT k.comment_id FROM collapsed_comments k
         JOIN comments c ON c.id = k.comment_id
         WHERE k.user_id = ? AND c.article_id = ?",
    )
    .bind(user)
    .bind(article)
    .fetch_all(conn)
    .await?;
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
    let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM comments WHERE id = ?")
        .bind(comment)
        .fetch_optional(tx.sqlite_conn())
        .await?;
    if exists.is_none() {
        return Err(Error::not_found("That comment no longer exists."));
    }
    let sql = if collapsed {
        "INSERT OR IGNORE INTO collapsed_comments (user_id, comment_id) VALUES (?, ?)"
    } else {
        "DELETE FROM collapsed_comments WHERE user_id = ? AND comment_id = ?"
    };
    sqlx::query(sql)
        .bind(user.id)
        .bind(comment)
        .execute(tx.sqlite_conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A reply to one of the reader's comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, TS)]
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
    Ok(sqlx::query_as::<_, ReplyToMe>(
        "SELECT c.id, c.article_id, a.title AS article_title, u.display_name AS author_name,
                coalesce(c.body_html, '') AS body_html, c.created_at,
                c.created_at > coalesce(v.last_at, 0) AS unread
         FROM comments c
         JOIN comments p ON p.id = c.parent_id
         JOIN users u ON u.id = c.author_id
         JOIN articles a ON a.id = c.article_id
         LEFT JOIN article_visits v ON v.user_id = p.author_id AND v.article_id = c.article_id
         WHERE p.author_id = ?1 AND c.author_id != ?1 AND c.deleted_at IS NULL
           AND c.author_id NOT IN (SELECT muted_id FROM mutes WHERE user_id = ?1)
         ORDER BY unread DESC, c.created_at DESC, c.id DESC
         LIMIT ?2",
    )
    .bind(user.id)
    .bind(limit)
    .fetch_all(&store.pool())
    .await?)
}
