//! Comments and replies: posting them, and loading an article's discussion
//! as a tree.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::accounts::User;
use crate::clock::Millis;
use crate::ids::{ArticleId, CommentId, UserId};
use crate::store::Store;
use crate::text::{char_count, group_thousands, has_control_chars};
use crate::{Error, Result};

/// Longest comment accepted, in characters. The UI shows the same limit.
pub const MAX_COMMENT_CHARS: usize = 10_000;

/// One comment in a loaded discussion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ThreadComment {
    pub id: CommentId,
    pub parent_id: Option<CommentId>,
    pub author_id: UserId,
    pub author_name: String,
    /// Who this replies to, so deeply nested replies can say so when the
    /// indentation no longer can.
    pub parent_author_name: Option<String>,
    /// 0 for a top-level comment, 1 for a reply to it, and so on.
    pub depth: u32,
    /// Exactly as written; shown as text, never as HTML.
    pub body: String,
    #[ts(type = "number")]
    pub created_at: Millis,
}

/// An article's whole discussion, flattened in reading order: each comment
/// is followed by its replies (oldest first), depth first. A flat list
/// rather than nested objects: it renders and windows without recursion,
/// and a reply chain thousands deep cannot overflow a stack anywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Thread {
    pub article_id: ArticleId,
    pub comments: Vec<ThreadComment>,
}

/// Posts a comment on an article, or a reply to `parent` under it, written
/// by `author` (who the session says is acting, never who the UI says).
///
/// The body is trimmed and its line endings normalised. Fails, writing
/// nothing, with [`Error::Invalid`] for an empty body, one over
/// [`MAX_COMMENT_CHARS`], one with control characters, or a parent on
/// another article; and with [`Error::NotFound`] when the article or the
/// parent comment no longer exists.
pub async fn post(
    store: &Store,
    author: &User,
    article_id: ArticleId,
    parent: Option<CommentId>,
    body: &str,
) -> Result<CommentId> {
    let body = validate_body(body)?;
    let mut tx = store.begin_write().await?;
    ensure_article_exists(&mut tx, article_id).await?;
    if let Some(parent) = parent {
        let parent_article: Option<ArticleId> =
            sqlx::query_scalar("SELECT article_id FROM comments WHERE id = ?")
                .bind(parent)
                .fetch_optional(&mut *tx)
                .await?;
        match parent_article {
            None => {
                return Err(Error::not_found(
                    "The comment you are replying to no longer exists.",
                ))
            }
            Some(a) if a != article_id => {
                return Err(Error::invalid(
                    "You can only reply to a comment on the same article.",
                ))
            }
            Some(_) => {}
        }
    }
    let id = CommentId::new();
    sqlx::query(
        "INSERT INTO comments (id, article_id, parent_id, author_id, body, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(article_id)
    .bind(parent)
    .bind(author.id)
    .bind(&body)
    .bind(store.now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: CommentId,
    parent_id: Option<CommentId>,
    author_id: UserId,
    author_name: String,
    body: String,
    created_at: Millis,
}

/// The article's discussion in reading order (see [`Thread`]). One indexed
/// query; the tree is built in memory. Fails with [`Error::NotFound`] if the
/// article is not in the library.
pub async fn thread(store: &Store, article_id: ArticleId) -> Result<Thread> {
    let mut conn = store.pool().acquire().await?;
    ensure_article_exists(&mut conn, article_id).await?;
    let rows = sqlx::query_as::<_, CommentRow>(
        "SELECT c.id, c.parent_id, c.author_id, u.display_name AS author_name, c.body, c.created_at
         FROM comments c JOIN users u ON u.id = c.author_id
         WHERE c.article_id = ?
         ORDER BY c.created_at, c.id",
    )
    .bind(article_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Thread {
        article_id,
        comments: reading_order(rows),
    })
}

/// How many comments an article has.
pub async fn count(store: &Store, article_id: ArticleId) -> Result<u32> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM comments WHERE article_id = ?")
            .bind(article_id)
            .fetch_one(store.pool())
            .await?,
    )
}

async fn ensure_article_exists(conn: &mut SqliteConnection, id: ArticleId) -> Result<()> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM articles WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    found
        .map(|_| ())
        .ok_or_else(|| Error::not_found("That article is no longer in the library."))
}

fn validate_body(raw: &str) -> Result<String> {
    let body = raw.replace("\r\n", "\n").replace('\r', "\n");
    let body = body.trim();
    if body.is_empty() {
        return Err(Error::invalid("Write something before posting."));
    }
    let chars = char_count(body);
    if chars > MAX_COMMENT_CHARS {
        return Err(Error::invalid(format!(
            "A comment can be at most {} characters; this one has {}.",
            group_thousands(MAX_COMMENT_CHARS),
            group_thousands(chars)
        )));
    }
    if has_control_chars(body) {
        return Err(Error::invalid(
            "This comment contains invisible control characters. Please remove them and try again.",
        ));
    }
    Ok(body.to_owned())
}

/// Orders rows (already oldest first) depth first, each parent before its
/// replies. Iterative, so depth costs no stack. A row whose parent is not in
/// the set is shown at the top level rather than lost.
fn reading_order(rows: Vec<CommentRow>) -> Vec<ThreadComment> {
    let index: HashMap<CommentId, usize> =
        rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    let mut roots = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match row.parent_id.and_then(|p| index.get(&p).copied()) {
            Some(parent) if parent != i => {
                if let Some(list) = children.get_mut(parent) {
                    list.push(i);
                }
            }
            _ => roots.push(i),
        }
    }

    let mut order: Vec<(usize, u32)> = Vec::with_capacity(rows.len());
    let mut visited = vec![false; rows.len()];
    // A stack of (row, depth); children pushed in reverse so the oldest
    // comes off first.
    let mut stack: Vec<(usize, u32)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    loop {
        while let Some((i, depth)) = stack.pop() {
            match visited.get_mut(i) {
                Some(seen) if !*seen => *seen = true,
                _ => continue,
            }
            order.push((i, depth));
            if let Some(list) = children.get(i) {
                stack.extend(list.iter().rev().map(|&c| (c, depth + 1)));
            }
        }
        // Only a parent cycle (which the schema cannot produce) leaves rows
        // unvisited; show them rather than drop them.
        match visited.iter().position(|v| !v) {
            Some(i) => stack.push((i, 0)),
            None => break,
        }
    }

    let names: Vec<String> = rows.iter().map(|r| r.author_name.clone()).collect();
    let mut rows: Vec<Option<CommentRow>> = rows.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(i, depth)| {
            let row = rows.get_mut(i)?.take()?;
            let parent_author_name = row
                .parent_id
                .and_then(|p| index.get(&p))
                .and_then(|&p| names.get(p).cloned());
            Some(ThreadComment {
                id: row.id,
                parent_id: row.parent_id,
                author_id: row.author_id,
                author_name: row.author_name,
                parent_author_name,
                depth,
                body: row.body,
                created_at: row.created_at,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_trimmed_and_normalised() {
        assert_eq!(validate_body("  hi\r\nthere \r").unwrap(), "hi\nthere");
        assert_eq!(
            validate_body(" \n\t ").unwrap_err().kind(),
            crate::ErrorKind::Invalid
        );
        assert!(validate_body("bell\u{7}").is_err());
        assert!(validate_body(&"é".repeat(MAX_COMMENT_CHARS)).is_ok());
        let err = validate_body(&"é".repeat(MAX_COMMENT_CHARS + 1)).unwrap_err();
        assert!(
            err.to_string()
                .contains("10,000 characters; this one has 10,001"),
            "{err}"
        );
    }
}
