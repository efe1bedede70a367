//! The article library: listing, reading, and the sample articles a new
//! installation starts with.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::Millis;
use crate::ids::{ArticleId, SourceId};
use crate::library::adding::Origin;
use crate::store::{exec, rows, scalar, small, Db, Store};
use crate::users::{Role, User};
use crate::{Error, Result};

/// An article as the library lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
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
    /// The version shown (title and body are this version's).
    #[ts(type = "number")]
    pub version: i64,
    /// Every version the article has had, newest (the current one) first:
    /// more than one when it changed at its source.
    pub versions: Vec<VersionInfo>,
}

/// One version of an article's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct VersionInfo {
    #[ts(type = "number")]
    pub version: i64,
    /// When it became the article's text.
    #[ts(type = "number")]
    pub since: Millis,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: ArticleId,
    title: String,
    source: String,
    author: String,
    published_at: Millis,
    summary: String,
    comment_count: i64,
    new_count: i64,
    source_id: Option<SourceId>,
    origin: Origin,
    unread: bool,
}

/// Every article, newest first, each with its tags, its comment count and,
/// for a signed-in `viewer`, how many comments are new to them.
pub async fn list_articles(store: &Store, viewer: Option<&User>) -> Result<Vec<ArticleSummary>> {
    let mut read = store.read().await?;
    let rows = rows!(
        SummaryRow,
        fetch_all,
        &mut read,
        "SELECT a.id, a.title, a.source, a.author, a.published_at, a.summary,
                (SELECT count(*) FROM comments c
                 WHERE c.article_id = a.id AND c.deleted_at IS NULL) AS comment_count,
                (SELECT count(*) FROM comments c
                 JOIN article_visits v ON v.article_id = c.article_id AND v.user_id = $1
                 WHERE c.article_id = a.id AND c.deleted_at IS NULL
                   AND c.author_id != $1 AND c.created_at > v.last_at) AS new_count,
                a.source_id, a.origin,
                ($1 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM article_reads r
                                                WHERE r.article_id = a.id AND r.user_id = $1))
                  AS unread
         FROM articles a
         ORDER BY a.published_at DESC, a.id DESC",
        viewer.map(|v| v.id)
    )?;
    let mut tags = all_tags(&mut read).await?;
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
            comment_count: small(r.comment_count),
            new_count: small(r.new_count),
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
    text_version: i64,
    since: Millis,
}

/// One article, for reading. Fails with [`Error::NotFound`] if it is not in
/// the library.
pub async fn article(store: &Store, id: ArticleId) -> Result<Article> {
    article_for(store, None, id).await
}

/// [`article`] as `viewer` sees it: whether they may delete it.
pub async fn article_for(store: &Store, viewer: Option<&User>, id: ArticleId) -> Result<Article> {
    article_at(store, viewer, id, None).await
}

/// [`article_for`] at `version` (its title and text as they were then);
/// `None` is the current one. Fails with [`Error::NotFound`] for a version
/// the article never had.
pub async fn article_at(
    store: &Store,
    viewer: Option<&User>,
    id: ArticleId,
    version: Option<i64>,
) -> Result<Article> {
    let mut read = store.read().await?;
    let row = rows!(
        ArticleRow,
        fetch_optional,
        &mut read,
        "SELECT id, title, source, author, url, published_at, summary, body_html, text_version,
                coalesce(updated_at, added_at, created_at) AS since,
                $2
                  OR (added_by IS NOT DISTINCT FROM $3 AND $3 IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.article_id = articles.id))
                  AS can_delete
         FROM articles WHERE id = $1",
        id,
        viewer.is_some_and(User::is_admin),
        viewer.map(|v| v.id)
    )?
    .ok_or_else(|| Error::not_found("That article is no longer in the library."))?;
    let tags = scalar!(
        String,
        fetch_all,
        &mut read,
        "SELECT tag FROM article_tags WHERE article_id = $1 ORDER BY tag",
        id
    )?;
    let mut versions = vec![VersionInfo {
        version: row.text_version,
        since: row.since,
    }];
    versions.extend(
        rows!(
            (i64, Millis),
            fetch_all,
            &mut read,
            "SELECT version, since FROM article_versions WHERE article_id = $1
             ORDER BY version DESC",
            id
        )?
        .into_iter()
        .map(|(version, since)| VersionInfo { version, since }),
    );
    let (shown, title, author, summary, body_html) = match version {
        Some(v) if v != row.text_version => {
            let earlier = rows!(
                (String, String, String, String),
                fetch_optional,
                &mut read,
                "SELECT title, author, summary, body_html FROM article_versions
                 WHERE article_id = $1 AND version = $2",
                id,
                v
            )?
            .ok_or_else(|| Error::not_found("That version of the article is not kept."))?;
            (v, earlier.0, earlier.1, earlier.2, earlier.3)
        }
        _ => (
            row.text_version,
            row.title,
            row.author,
            row.summary,
            row.body_html,
        ),
    };
    read.finish().await?;
    Ok(Article {
        id: row.id,
        title,
        source: row.source,
        author,
        url: row.url,
        published_at: row.published_at,
        summary,
        body_html,
        tags,
        can_delete: row.can_delete,
        version: shown,
        versions,
    })
}

async fn all_tags(db: &mut dyn Db) -> Result<HashMap<ArticleId, Vec<String>>> {
    let rows = rows!(
        (ArticleId, String),
        fetch_all,
        db,
        "SELECT article_id, tag FROM article_tags ORDER BY article_id, tag"
    )?;
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
    let found = rows!(
        (Option<crate::ids::UserId>, bool),
        fetch_optional,
        &mut tx,
        "SELECT added_by, EXISTS (SELECT 1 FROM comments c WHERE c.article_id = a.id)
         FROM articles a WHERE a.id = $1",
        id
    )?;
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
    exec!(&mut tx, "DELETE FROM articles WHERE id = $1", id)?;
    tx.commit().await?;
    Ok(())
}
