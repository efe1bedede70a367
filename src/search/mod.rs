//! Finding things again: articles (title, byline, text) and every comment a
//! reader may see, by the words in them.
//!
//! Two FTS5 indexes (migrations/20261202000000_search.sql) follow every
//! write by triggers; this module reads them. What a person types goes
//! through [`query::Parsed`] first, so no input is FTS5 syntax and none is
//! an error.
//!
//! Ranking is FTS5's bm25 (a title word weighs ten body words) for a query
//! with up to [`RANK_WINDOW`] matches; one that matches more (a common
//! word in a million comments) shows its newest matches first, since bm25
//! reads every match before it returns one.

pub mod query;

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::clock::Millis;
use crate::ids::{ArticleId, CommentId};
use crate::store::Store;
use crate::users::User;
use crate::Result;

pub use query::{HighlightWord, Parsed};

/// Results per group when the query does not say.
pub const DEFAULT_LIMIT: u32 = 20;
/// The most results per group one query returns.
pub const MAX_LIMIT: u32 = 50;
/// A query matching more than this many comments (or articles) shows the
/// newest first instead of the best.
pub const RANK_WINDOW: u32 = 1_000;
/// Filters longer than this are cut: no source, tag or name is longer.
const MAX_FILTER_CHARS: usize = 200;

/// Marks FTS5 puts around a matched word in a snippet: control
/// characters, which the indexed text never holds (comments and article
/// text have them removed before they are stored).
const HIT_START: char = '\u{2}';
const HIT_END: char = '\u{3}';

/// What to look for, and where.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase")]
pub struct SearchQuery {
    /// What the person typed (see [`query`] for what it may hold).
    pub text: String,
    /// Only articles from this source (its name, as the library shows it),
    /// and comments under them.
    #[ts(optional)]
    pub source: Option<String>,
    /// Only articles with this tag, and comments under them.
    #[ts(optional)]
    pub tag: Option<String>,
    /// Only comments by someone whose display name starts with this
    /// (compared as names are: case and look-alikes folded). Articles are
    /// not searched then.
    #[ts(optional)]
    pub author: Option<String>,
    /// Only what was published (articles) or written (comments) at or
    /// after this moment.
    #[ts(type = "number", optional)]
    pub from: Option<Millis>,
    /// Only what was published or written before this moment.
    #[ts(type = "number", optional)]
    pub until: Option<Millis>,
    /// Only article titles: no bylines, texts or comments.
    pub titles_only: bool,
    /// Results per group; 0 means [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`].
    pub limit: u32,
}

/// A piece of a snippet or title: a matched word, or text around one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Segment {
    pub text: String,
    pub hit: bool,
}

/// An article that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ArticleHit {
    pub id: ArticleId,
    pub title: Vec<Segment>,
    pub source: String,
    pub author: String,
    #[ts(type = "number")]
    pub published_at: Millis,
    /// Words around the best match in the text (empty when only the title
    /// or byline matched and the text has nothing to show).
    pub snippet: Vec<Segment>,
}

/// A comment that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CommentHit {
    pub id: CommentId,
    pub article_id: ArticleId,
    pub article_title: String,
    /// The author's display name ("[deleted user]" once their account is
    /// deleted).
    pub author: String,
    #[ts(type = "number")]
    pub created_at: Millis,
    pub snippet: Vec<Segment>,
    /// The reader muted the author: show it folded, as the discussion does.
    pub muted: bool,
}

/// What a search found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SearchResults {
    pub articles: Vec<ArticleHit>,
    pub comments: Vec<CommentHit>,
    /// More articles matched than are listed.
    pub more_articles: bool,
    /// More comments matched than are listed.
    pub more_comments: bool,
    /// The words looked for, to highlight in the article a result opens.
    pub words: Vec<HighlightWord>,
}

/// Searches articles and the comments `viewer` may see. Any text at all
/// is a valid query; one with nothing to look for finds nothing.
pub async fn search(
    store: &Store,
    viewer: Option<&User>,
    query: &SearchQuery,
) -> Result<SearchResults> {
    let parsed = Parsed::new(&query.text);
    let filters = Filters::new(query);
    let limit = match query.limit {
        0 => DEFAULT_LIMIT,
        n => n.min(MAX_LIMIT),
    };
    let mut results = SearchResults {
        words: parsed.words(),
        ..SearchResults::default()
    };
    let column = query.titles_only.then_some("title");
    let article_query = parsed.fts(column).filter(|_| filters.author_key.is_none());
    let comment_query = parsed.fts(None).filter(|_| !query.titles_only);
    let viewer = viewer.map(|u| u.id);
    // The two groups are searched side by side, each on a connection of
    // its own.
    let (found_articles, found_comments) = tokio::join!(
        async {
            match &article_query {
                Some(fts) => {
                    let mut conn = store.pool().acquire().await?;
                    articles(&mut conn, fts, &filters, limit).await
                }
                None => Ok((Vec::new(), false)),
            }
        },
        async {
            match &comment_query {
                Some(fts) => {
                    let mut conn = store.pool().acquire().await?;
                    comments(&mut conn, fts, &filters, viewer, limit).await
                }
                None => Ok((Vec::new(), false)),
            }
        },
    );
    (results.articles, results.more_articles) = found_articles?;
    (results.comments, results.more_comments) = found_comments?;
    Ok(results)
}

/// The names of every source in the library, for the source filter.
pub async fn source_names(store: &Store) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT source FROM articles WHERE source != '' ORDER BY source COLLATE NOCASE",
    )
    .fetch_all(&store.pool())
    .await?)
}

/// The filters, checked and cut to size.
#[derive(Debug)]
struct Filters {
    source: Option<String>,
    tag: Option<String>,
    author_key: Option<String>,
    from: Option<Millis>,
    until: Option<Millis>,
}

impl Filters {
    fn new(query: &SearchQuery) -> Self {
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.chars().take(MAX_FILTER_CHARS).collect::<String>())
        };
        Self {
            source: clean(&query.source),
            tag: clean(&query.tag),
            author_key: clean(&query.author)
                .map(|a| crate::names::display_name_key(&a))
                .filter(|k| !k.is_empty()),
            from: query.from,
            until: query.until,
        }
    }
}

/// The filters as SQL, on the article `a`; parameters ?2 to ?6 are the
/// source, tag, author key, from and until (an absent filter is NULL and
/// lets everything pass).
/// `$AT` is replaced by the column holding the time filtered by.
const FILTERS: &str = "
    AND (?2 IS NULL OR a.source = ?2)
    AND (?3 IS NULL OR EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = ?3))
    AND (?5 IS NULL OR $AT >= ?5)
    AND (?6 IS NULL OR $AT < ?6)";

/// The author filter, on the comment's author `u` (parameter ?4).
const AUTHOR_FILTER: &str = " AND (?4 IS NULL OR substr(u.display_name_key, 1, length(?4)) = ?4)";

/// One of the two indexes, and how its rows reach the article `a` (and
/// the author `u`) that the filters read.
#[derive(Debug)]
struct Index {
    name: &'static str,
    from: &'static str,
    /// The time the date filters read.
    at: &'static str,
    /// More filters for this index.
    extra: &'static str,
    /// The marked texts a hit shows: a title (or '') and a snippet.
    marks: &'static str,
    /// Rowids follow the time filtered by (comments: written as stored).
    by_time: bool,
}

const ARTICLES: Index = Index {
    name: "articles_fts",
    from: "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid",
    at: "a.published_at",
    extra: "",
    marks: "highlight(articles_fts, 0, char(2), char(3)),
            snippet(articles_fts, 2, char(2), char(3), '…', 24)",
    by_time: false,
};

const COMMENTS: Index = Index {
    name: "comments_fts",
    from: "FROM comments_fts
           JOIN comments c ON c.rowid = comments_fts.rowid
           JOIN articles a ON a.id = c.article_id
           JOIN users u ON u.id = c.author_id",
    at: "c.created_at",
    extra: AUTHOR_FILTER,
    marks: "'', snippet(comments_fts, 0, char(2), char(3), '…', 24)",
    by_time: true,
};

/// How far outside a date range a comment's rowid may be and still be
/// looked at: rowids follow the time comments were written, unless the
/// computer's clock was set back meanwhile, by up to this much.
const CLOCK_SLACK_MS: Millis = 6 * 60 * 60 * 1000;

/// The rowids of comments written within the date filters (widened by
/// [`CLOCK_SLACK_MS`]), for FTS5 to skip to; the filters themselves still
/// decide. Two index lookups (`comments_by_time`).
async fn rowids_written(conn: &mut SqliteConnection, filters: &Filters) -> Result<(i64, i64)> {
    let low = match filters.from {
        Some(from) => sqlx::query_scalar::<_, i64>(
            "SELECT rowid FROM comments WHERE created_at >= ? ORDER BY created_at LIMIT 1",
        )
        .bind(from.saturating_sub(CLOCK_SLACK_MS))
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(i64::MAX),
        None => i64::MIN,
    };
    let high = match filters.until {
        Some(until) => sqlx::query_scalar::<_, i64>(
            "SELECT rowid FROM comments WHERE created_at < ? ORDER BY created_at DESC LIMIT 1",
        )
        .bind(until.saturating_add(CLOCK_SLACK_MS))
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(i64::MIN),
        None => i64::MAX,
    };
    Ok((low, high))
}

/// A match, in the order shown: its rowid, marked title and snippet.
type Ranked = (i64, String, String);

/// The first `limit + 1` matches in `index` that pass the filters, with
/// their marked texts. Up to [`RANK_WINDOW`] matches are ranked by bm25;
/// a query that matches more shows the newest first: bm25 would read every
/// match (hundreds of thousands for a common word) before returning one,
/// and for so common a query the recent matches are the useful ones.
///
/// The snippets are made here, in the statement that ranks: FTS5 makes
/// them only for the rows returned, and making them later, one statement
/// per hit, would run the whole query again for each.
async fn ranked(
    conn: &mut SqliteConnection,
    index: &Index,
    fts: &str,
    filters: &Filters,
    limit: u32,
) -> Result<Vec<Ranked>> {
    let Index {
        name,
        from,
        at,
        extra,
        marks,
        by_time,
    } = index;
    let filter_sql = FILTERS.replace("$AT", at) + extra;
    // More matches than the window, filters or not, and the newest are
    // shown: counting past the window is a walk down one list, and with
    // filters ranking would mean walking every match through the joins.
    let window_sql = format!(
        "SELECT rowid FROM {name} WHERE {name} MATCH ?1 ORDER BY rowid DESC LIMIT 1 OFFSET ?2"
    );
    let full: Option<i64> = sqlx::query_scalar(&window_sql)
        .bind(fts)
        .bind(RANK_WINDOW - 1)
        .fetch_optional(&mut *conn)
        .await?;
    let order = if full.is_some() { "rowid DESC" } else { "rank" };
    let (low, high) = if *by_time {
        rowids_written(conn, filters).await?
    } else {
        (i64::MIN, i64::MAX)
    };
    let sql = format!(
        "SELECT {name}.rowid, {marks} {from}
         WHERE {name} MATCH ?1 AND {name}.rowid >= ?8 AND {name}.rowid <= ?9 {filter_sql}
         ORDER BY {name}.{order} LIMIT ?7"
    );
    let query = sqlx::query_as(&sql)
        .bind(fts)
        .bind(filters.source.as_deref())
        .bind(filters.tag.as_deref())
        .bind(filters.author_key.as_deref())
        .bind(filters.from)
        .bind(filters.until)
        .bind(limit + 1)
        .bind(low)
        .bind(high);
    Ok(query.fetch_all(&mut *conn).await?)
}

async fn articles(
    conn: &mut SqliteConnection,
    fts: &str,
    filters: &Filters,
    limit: u32,
) -> Result<(Vec<ArticleHit>, bool)> {
    let mut found = ranked(conn, &ARTICLES, fts, filters, limit).await?;
    let more = found.len() > limit as usize;
    found.truncate(limit as usize);
    let mut hits = Vec::with_capacity(found.len());
    for (rowid, title, snippet) in found {
        let row: Option<(ArticleId, String, String, Millis)> =
            sqlx::query_as("SELECT id, source, author, published_at FROM articles WHERE rowid = ?")
                .bind(rowid)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some((id, source, author, published_at)) = row {
            hits.push(ArticleHit {
                id,
                title: segments(&title),
                source,
                author,
                published_at,
                snippet: segments(&snippet),
            });
        }
    }
    Ok((hits, more))
}

async fn comments(
    conn: &mut SqliteConnection,
    fts: &str,
    filters: &Filters,
    viewer: Option<crate::ids::UserId>,
    limit: u32,
) -> Result<(Vec<CommentHit>, bool)> {
    let mut found = ranked(conn, &COMMENTS, fts, filters, limit).await?;
    let more = found.len() > limit as usize;
    found.truncate(limit as usize);
    let mut hits = Vec::with_capacity(found.len());
    for (rowid, _, snippet) in found {
        let row: Option<(CommentId, ArticleId, String, String, Millis, bool)> = sqlx::query_as(
            "SELECT c.id, c.article_id, a.title, u.display_name, c.created_at,
                    EXISTS (SELECT 1 FROM mutes m WHERE m.user_id = ?2 AND m.muted_id = c.author_id)
             FROM comments c
             JOIN articles a ON a.id = c.article_id
             JOIN users u ON u.id = c.author_id
             WHERE c.rowid = ?1",
        )
        .bind(rowid)
        .bind(viewer)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((id, article_id, article_title, author, created_at, muted)) = row {
            hits.push(CommentHit {
                id,
                article_id,
                article_title,
                author,
                created_at,
                snippet: segments(&snippet),
                muted,
            });
        }
    }
    Ok((hits, more))
}

/// Fills in the plain text of articles that have none yet (those from
/// before search existed), which puts them in the index. Runs when the
/// store opens; returns how many it did.
pub async fn index_pending(store: &Store) -> Result<usize> {
    let mut done = 0;
    loop {
        let batch = sqlx::query_as::<_, (ArticleId, String)>(
            "SELECT id, body_html FROM articles WHERE body_text IS NULL LIMIT 200",
        )
        .fetch_all(&store.pool())
        .await?;
        if batch.is_empty() {
            return Ok(done);
        }
        let mut tx = store.write().await?;
        for (id, html) in &batch {
            sqlx::query("UPDATE articles SET body_text = ? WHERE id = ? AND body_text IS NULL")
                .bind(article_text(html))
                .bind(id)
                .execute(tx.sqlite_conn())
                .await?;
        }
        tx.commit().await?;
        done += batch.len();
    }
}

/// The text of an article's stored (sanitized) HTML, as it is indexed.
pub(crate) fn article_text(html: &str) -> String {
    crate::text::plain_text(html).replace([HIT_START, HIT_END], " ")
}

/// Splits FTS5 output with [`HIT_START`]/[`HIT_END`] marks into segments.
fn segments(marked: &str) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let mut hit = false;
    let mut text = String::new();
    let flush = |text: &mut String, hit: bool, out: &mut Vec<Segment>| {
        if !text.is_empty() {
            out.push(Segment {
                text: std::mem::take(text),
                hit,
            });
        }
    };
    for c in marked.chars() {
        match c {
            HIT_START => {
                flush(&mut text, hit, &mut out);
                hit = true;
            }
            HIT_END => {
                flush(&mut text, hit, &mut out);
                hit = false;
            }
            c => text.push(c),
        }
    }
    flush(&mut text, hit, &mut out);
    out
}
