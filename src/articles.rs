//! The article library: listing, reading, and the sample articles a new
//! installation starts with.

use std::collections::HashMap;

use serde::Serialize;
use ts_rs::TS;

use crate::clock::Millis;
use crate::ids::{ArticleId, SourceId};
use crate::library::adding::Origin;
use crate::store::Store;
use crate::users::{Role, User};
use crate::{Error, Result};

/// An article as the library lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ArticleSummary {
    pub id: ArticleId,
    pub title: String,
    pub source: String,
    pub author: String,
    #[ts(type = "number")]
    pub published_at: Millis,
    pub summary: String,
    pub tags: Vec<String>,
    /// Comments, not counting placeholders of deleted ones.
    pub comment_count: u32,
    /// Comments by others since the reader last opened the discussion (0
    /// for signed-out readers and for articles never opened).
    pub new_count: u32,
    /// The feed it came from, if it came from one still followed.
    pub source_id: Option<SourceId>,
    pub origin: Origin,
    /// The signed-in reader has not opened it yet (false when signed out).
    pub unread: bool,
}

/// An article opened for reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Article {
    pub id: ArticleId,
    pub title: String,
    pub source: String,
    pub author: String,
    pub url: Option<String>,
    #[ts(type = "number")]
    pub published_at: Millis,
    pub summary: String,
    /// Sanitized HTML (built from escaped text, or through the library's
    /// allow-list), safe to insert as is.
    pub body_html: String,
    pub tags: Vec<String>,
    /// The reader may delete it: the admin, or whoever added it while
    /// nobody has commented on it.
    pub can_delete: bool,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: ArticleId,
    title: String,
    source: String,
    author: String,
    published_at: Millis,
    summary: String,
    comment_count: u32,
    new_count: u32,
    source_id: Option<SourceId>,
    origin: Origin,
    unread: bool,
}

/// Every article, newest first, each with its tags, its comment count and,
/// for a signed-in `viewer`, how many comments are new to them.
pub async fn list_articles(store: &Store, viewer: Option<&User>) -> Result<Vec<ArticleSummary>> {
    let rows = sqlx::query_as::<_, SummaryRow>(
        "SELECT a.id, a.title, a.source, a.author, a.published_at, a.summary,
                (SELECT count(*) FROM comments c
                 WHERE c.article_id = a.id AND c.deleted_at IS NULL) AS comment_count,
                (SELECT count(*) FROM comments c
                 JOIN article_visits v ON v.article_id = c.article_id AND v.user_id = ?1
                 WHERE c.article_id = a.id AND c.deleted_at IS NULL
                   AND c.author_id != ?1 AND c.created_at > v.last_at) AS new_count,
                a.source_id, a.origin,
                (?1 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM article_reads r
                                                WHERE r.article_id = a.id AND r.user_id = ?1))
                  AS unread
         FROM articles a
         ORDER BY a.published_at DESC, a.id DESC",
    )
    .bind(viewer.map(|v| v.id))
    .fetch_all(&store.pool())
    .await?;
    let mut tags = all_tags(store).await?;
    Ok(rows
        .into_iter()
        .map(|r| ArticleSummary {
            tags: tags.remove(&r.id).unwrap_or_default(),
            id: r.id,
            title: r.title,
            source: r.source,
            author: r.author,
            published_at: r.published_at,
            summary: r.summary,
            comment_count: r.comment_count,
            new_count: r.new_count,
            source_id: r.source_id,
            origin: r.origin,
            unread: r.unread,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct ArticleRow {
    id: ArticleId,
    title: String,
    source: String,
    author: String,
    url: Option<String>,
    published_at: Millis,
    summary: String,
    body_html: String,
    can_delete: bool,
}

/// One article, for reading. Fails with [`Error::NotFound`] if it is not in
/// the library.
pub async fn article(store: &Store, id: ArticleId) -> Result<Article> {
    article_for(store, None, id).await
}

/// [`article`] as `viewer` sees it: whether they may delete it.
pub async fn article_for(store: &Store, viewer: Option<&User>, id: ArticleId) -> Result<Article> {
    let row = sqlx::query_as::<_, ArticleRow>(
        "SELECT id, title, source, author, url, published_at, summary, body_html,
                ?2
                  OR (added_by IS ?3 AND ?3 IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.article_id = articles.id))
                  AS can_delete
         FROM articles WHERE id = ?1",
    )
    .bind(id)
    .bind(viewer.is_some_and(User::is_admin))
    .bind(viewer.map(|v| v.id))
    .fetch_optional(&store.pool())
    .await?
    .ok_or_else(|| Error::not_found("That article is no longer in the library."))?;
    let tags = sqlx::query_scalar("SELECT tag FROM article_tags WHERE article_id = ? ORDER BY tag")
        .bind(id)
        .fetch_all(&store.pool())
        .await?;
    Ok(Article {
        id: row.id,
        title: row.title,
        source: row.source,
        author: row.author,
        url: row.url,
        published_at: row.published_at,
        summary: row.summary,
        body_html: row.body_html,
        tags,
        can_delete: row.can_delete,
    })
}

async fn all_tags(store: &Store) -> Result<HashMap<ArticleId, Vec<String>>> {
    let rows = sqlx::query_as::<_, (ArticleId, String)>(
        "SELECT article_id, tag FROM article_tags ORDER BY article_id, tag",
    )
    .fetch_all(&store.pool())
    .await?;
    let mut tags: HashMap<ArticleId, Vec<String>> = HashMap::new();
    for (id, tag) in rows {
        tags.entry(id).or_default().push(tag);
    }
    Ok(tags)
}

/// Deletes an article from the library, with its images and anything
/// else kept about it. Whoever added it may delete it while nobody has
/// commented on it; an article with a discussion is for the admin alone,
/// and takes its discussion with it.
///
/// Fails with [`Error::NotFound`] if it is not in the library, and
/// [`Error::Forbidden`] when `user` may not delete it.
pub async fn delete_article(store: &Store, user: &User, id: ArticleId) -> Result<()> {
    let mut tx = store.write().await?;
    let found: Option<(Option<crate::ids::UserId>, bool)> = sqlx::query_as(
        "SELECT added_by, EXISTS (SELECT 1 FROM comments c WHERE c.article_id = a.id)
         FROM articles a WHERE a.id = ?",
    )
    .bind(id)
    .fetch_optional(tx.sqlite_conn())
    .await?;
    let (added_by, discussed) =
        found.ok_or_else(|| Error::not_found("That article is no longer in the library."))?;
    crate::policy::authorize(
        &mut tx,
        user,
        crate::policy::Action::DeleteArticle,
        added_by,
    )
    .await?;
    if discussed && crate::users::current_role(&mut tx, user.id).await? != Role::Admin {
        return Err(Error::Forbidden(
            "People are discussing this article: only the admin can delete it.".into(),
        ));
    }
    sqlx::query("DELETE FROM articles WHERE id = ?")
        .bind(id)
        .execute(tx.sqlite_conn())
        .await?;
    tx.commit().await?;
    Ok(())
}
