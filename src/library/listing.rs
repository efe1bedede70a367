//! The library as people browse it: a page at a time, newest first,
//! filtered by source, tag or what the reader has not read yet, with each
//! person's read marks and "Mark all as read". A page is one indexed range
//! scan however large the library grows.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::adding::Origin;
use crate::articles::ArticleSummary;
use crate::clock::Millis;
use crate::ids::{ArticleId, SourceId};
use crate::store::{exec, exec_built, rows, rows_built, small, Conn, Db, Statement, Store};
use crate::users::User;
use crate::{Error, Result};

/// Articles in one page when the query does not say.
pub const DEFAULT_PAGE: u32 = 50;
/// The most articles one page may hold.
pub const MAX_PAGE: u32 = 200;

/// Which part of the library to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase", optional_fields)]
pub struct LibraryQuery {
    /// Only articles from this feed.
    pub source: Option<SourceId>,
    /// Only articles with this tag.
    pub tag: Option<String>,
    /// Only articles the reader has not read (signed in only).
    pub unread_only: bool,
    /// Continue after this article (from [`LibraryPage::next`]).
    pub after: Option<LibraryCursor>,
    /// How many to return; 0 means [`DEFAULT_PAGE`], at most [`MAX_PAGE`].
    pub limit: u32,
    /// Only articles already in the library at this moment (a page's
    /// [`LibraryPage::as_of`]): "Mark all read" then leaves alone what
    /// arrived after the reader last looked.
    #[ts(type = "number", optional)]
    pub up_to: Option<Millis>,
}

/// Where a page ended: the next one starts after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LibraryCursor {
    #[ts(type = "number")]
    pub published_at: Millis,
    pub id: ArticleId,
}

/// One page of the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LibraryPage {
    pub articles: Vec<ArticleSummary>,
    /// Where the next page starts; `None` at the end.
    pub next: Option<LibraryCursor>,
    /// When the page was read from the library.
    #[ts(type = "number")]
    pub as_of: Millis,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: ArticleId,
    title: String,
    source: String,
    author: String,
    published_at: Millis,
    summary: String,
    source_id: Option<SourceId>,
    origin: Origin,
    comment_count: i64,
    new_count: i64,
    unread: bool,
    /// The article's tags, in order, joined by U+001F.
    tags: Option<String>,
}

/// One page of the library as `viewer` (or a signed-out reader) sees it.
pub async fn page(
    store: &Store,
    viewer: Option<&User>,
    query: &LibraryQuery,
) -> Result<LibraryPage> {
    let limit = match query.limit {
        0 => DEFAULT_PAGE,
        n => n.min(MAX_PAGE),
    };
    let viewer_id = viewer.map(|v| v.id);
    let as_of = store.now();
    let mut read = store.read_one().await?;
    // The page and its tags in one statement; the tags come as one text,
    // each engine joining them its own way.
    let tags = match read.conn() {
        Conn::Sqlite(_) => {
            "(SELECT group_concat(tag, char(31)) FROM
                (SELECT t.tag FROM article_tags t WHERE t.article_id = a.id ORDER BY t.tag))"
        }
        #[cfg(feature = "postgres")]
        Conn::Postgres(_) => {
            "(SELECT string_agg(t.tag, chr(31) ORDER BY t.tag)
              FROM article_tags t WHERE t.article_id = a.id)"
        }
    };
    let mut sql = Statement::new(
        "SELECT a.id, a.title, a.source, a.author, a.published_at, a.summary, a.source_id,
                a.origin,
                (SELECT count(*) FROM comments c
                 WHERE c.article_id = a.id AND c.deleted_at IS NULL) AS comment_count,
                (SELECT count(*) FROM comments c
                 JOIN article_visits v ON v.article_id = c.article_id AND v.user_id = ",
    );
    sql.bind(viewer_id);
    sql.push(
        " WHERE c.article_id = a.id AND c.deleted_at IS NULL
                   AND c.author_id != v.user_id AND c.created_at > v.last_at) AS new_count,",
    );
    sql.push(" (");
    sql.bind(viewer_id);
    sql.push(
        " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM article_reads r
                                      WHERE r.article_id = a.id AND r.user_id = ",
    );
    sql.bind(viewer_id);
    sql.push(")) AS unread, ")
        .push(tags)
        .push(" AS tags FROM articles a WHERE TRUE");
    push_filters(&mut sql, viewer, query)?;
    if let Some(after) = query.after {
        sql.push(" AND (a.published_at, a.id) < (");
        sql.bind(after.published_at);
        sql.push(", ");
        sql.bind(after.id);
        sql.push(")");
    }
    sql.push(" ORDER BY a.published_at DESC, a.id DESC LIMIT ");
    sql.bind(i64::from(limit) + 1);
    let mut rows = rows_built!(Row, fetch_all, &mut read, sql)?;
    drop(read);
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = more
        .then(|| {
            rows.last().map(|r| LibraryCursor {
                published_at: r.published_at,
                id: r.id,
            })
        })
        .flatten();
    let articles = rows
        .into_iter()
        .map(|r| ArticleSummary {
            id: r.id,
            title: r.title,
            source: r.source,
            author: r.author,
            published_at: r.published_at,
            summary: r.summary,
            tags: r
                .tags
                .map(|t| t.split('\u{1f}').map(str::to_owned).collect())
                .unwrap_or_default(),
            comment_count: small(r.comment_count),
            new_count: small(r.new_count),
            source_id: r.source_id,
            origin: r.origin,
            unread: r.unread,
        })
        .collect();
    Ok(LibraryPage {
        articles,
        next,
        as_of,
    })
}

/// The filters of `query`, as `AND …` clauses.
fn push_filters(sql: &mut Statement, viewer: Option<&User>, query: &LibraryQuery) -> Result<()> {
    if let Some(source) = query.source {
        sql.push(" AND a.source_id = ");
        sql.bind(source);
    }
    if let Some(tag) = query
        .tag
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        // Probed per article in date order: the page fills after a few
        // dozen probes for any common tag, with no sort of every match.
        sql.push(
            " AND EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = ",
        );
        sql.bind(tag.to_lowercase());
        sql.push(")");
    }
    if let Some(up_to) = query.up_to {
        sql.push(" AND a.created_at <= ");
        sql.bind(up_to);
    }
    if query.unread_only {
        let viewer = viewer.ok_or(Error::Unauthorized)?;
        sql.push(" AND NOT EXISTS (SELECT 1 FROM article_reads r WHERE r.article_id = a.id AND r.user_id = ");
        sql.bind(viewer.id);
        sql.push(")");
    }
    Ok(())
}

/// One article, for reading (at `version`, or the current one): what
/// opening it does through either door.
/// A signed-in reader's library marks it read.
pub async fn open_article(
    store: &Store,
    viewer: Option<&User>,
    id: ArticleId,
    version: Option<i64>,
) -> Result<crate::articles::Article> {
    let article = crate::articles::article_at(store, viewer, id, version).await?;
    if let Some(viewer) = viewer {
        mark_read(store, viewer, id).await?;
    }
    Ok(article)
}

/// Marks `article` read for `user` (opening it does this).
pub async fn mark_read(store: &Store, user: &User, article: ArticleId) -> Result<()> {
    let mut tx = store.write().await?;
    exec!(
        &mut tx,
        "INSERT INTO article_reads (user_id, article_id, read_at)
         SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM articles WHERE id = $2)
         ON CONFLICT DO NOTHING",
        user.id,
        article,
        store.now()
    )?;
    tx.commit().await?;
    Ok(())
}

/// Marks every article `query` would list (all pages, its source and tag
/// filters) read for `user`. Returns how many were newly marked.
pub async fn mark_all_read(store: &Store, user: &User, query: &LibraryQuery) -> Result<u64> {
    let mut sql =
        Statement::new("INSERT INTO article_reads (user_id, article_id, read_at) SELECT ");
    sql.bind(user.id);
    sql.push(", a.id, ");
    sql.bind(store.now());
    sql.push(" FROM articles a WHERE TRUE");
    let filters = LibraryQuery {
        after: None,
        unread_only: false,
        ..query.clone()
    };
    push_filters(&mut sql, Some(user), &filters)?;
    sql.push(" ON CONFLICT DO NOTHING");
    let mut tx = store.write().await?;
    let marked = exec_built!(&mut tx, sql)?;
    tx.commit().await?;
    Ok(marked)
}

/// A tag, and how many articles have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TagCount {
    pub tag: String,
    pub articles: u32,
}

/// The library's tags, most used first (at most 200): what the tag filter
/// offers.
pub async fn tags(store: &Store) -> Result<Vec<TagCount>> {
    let mut read = store.read_one().await?;
    let counted = rows!(
        (String, i64),
        fetch_all,
        &mut read,
        "SELECT tag, count(*) AS articles FROM article_tags
         GROUP BY tag ORDER BY articles DESC, tag LIMIT 200"
    )?;
    Ok(counted
        .into_iter()
        .map(|(tag, articles)| TagCount {
            tag,
            articles: small(articles),
        })
        .collect())
}
