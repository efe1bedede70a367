//! Finding things again: articles (title, byline, text) and every comment a
//! reader may see, by the words in them.
//!
//! Two FTS5 indexes (migrations/20261202000000_search.sql) follow every
//! write by triggers; this module reads them. What a person types goes
//! through [`query::Parsed`] first, so no input is FTS5 syntax and none is
//! an error.
//!
//! Ranking is FTS5's bm25 (a title word weighs ten body words). A word
//! found in hundreds of thousands of comments is ranked among its
//! [`RANK_WINDOW`] newest matches only: ranking all of them would take
//! seconds, and for a word that common the recent matches are the useful
//! ones.

pub mod query;

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::accounts::User;
use crate::clock::Millis;
use crate::ids::{ArticleId, CommentId};
use crate::store::Store;
use crate::Result;

pub use query::{HighlightWord, Parsed};

/// Results per group when the query does not say.
pub const DEFAULT_LIMIT: u32 = 20;
/// The most results per group one query returns.
pub const MAX_LIMIT: u32 = 50;
/// A query matching more than this many comments (or articles) ranks only
/// the newest this many.
pub const RANK_WINDOW: u32 = 2_000;
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
    let mut conn = store.pool().acquire().await?;
    if filters.author_key.is_none() {
        if let Some(fts) = parsed.fts(column) {
            let (hits, more) = articles(&mut conn, &fts, &filters, limit).await?;
            results.articles = hits;
            results.more_articles = more;
        }
    }
    if !query.titles_only {
        if let Some(fts) = parsed.fts(None) {
            let viewer = viewer.map(|u| u.id);
            let (hits, more) = comments(&mut conn, &fts, &filters, viewer, limit).await?;
            results.comments = hits;
            results.more_comments = more;
        }
    }
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

/// The filters as SQL, on the article `a`; parameters ?2 to ?6 are
/// [`bind_filters`]' (an absent filter is NULL and lets everything pass).
/// `$AT` is replaced by the column holding the time filtered by.
const FILTERS: &str = "
    AND (?2 IS NULL OR a.source = ?2)
    AND (?3 IS NULL OR EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = ?3))
    AND (?5 IS NULL OR $AT >= ?5)
    AND (?6 IS NULL OR $AT < ?6)";

/// The author filter, on the comment's author `u` (parameter ?4).
const AUTHOR_FILTER: &str = " AND (?4 IS NULL OR substr(u.display_name_key, 1, length(?4)) = ?4)";

type Scalar<'q, O> =
    sqlx::query::QueryScalar<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>>;

/// Binds ?1 (the FTS5 query) to ?6 (the filters), in order.
fn bind_filters<'q, O>(q: Scalar<'q, O>, fts: &'q str, f: &'q Filters) -> Scalar<'q, O> {
    q.bind(fts)
        .bind(f.source.as_deref())
        .bind(f.tag.as_deref())
        .bind(f.author_key.as_deref())
        .bind(f.from)
        .bind(f.until)
}

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
}

const ARTICLES: Index = Index {
    name: "articles_fts",
    from: "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid",
    at: "a.published_at",
    extra: "",
};

const COMMENTS: Index = Index {
    name: "comments_fts",
    from: "FROM comments_fts
           JOIN comments c ON c.rowid = comments_fts.rowid
           JOIN articles a ON a.id = c.article_id
           JOIN users u ON u.id = c.author_id",
    at: "c.created_at",
    extra: AUTHOR_FILTER,
};

/// The rowids, best first, of the first `limit + 1` matches in `index`
/// among its [`RANK_WINDOW`] newest that pass the filters.
async fn ranked(
    conn: &mut SqliteConnection,
    index: &Index,
    fts: &str,
    filters: &Filters,
    limit: u32,
) -> Result<Vec<i64>> {
    let Index {
        name,
        from,
        at,
        extra,
    } = index;
    let filter_sql = FILTERS.replace("$AT", at) + extra;
    let cut_sql = format!(
        "SELECT {name}.rowid {from} WHERE {name} MATCH ?1 {filter_sql}
         ORDER BY {name}.rowid DESC LIMIT 1 OFFSET ?7"
    );
    let cut: Option<i64> = bind_filters(sqlx::query_scalar(&cut_sql), fts, filters)
        .bind(RANK_WINDOW - 1)
        .fetch_optional(&mut *conn)
        .await?;
    let rank_sql = format!(
        "SELECT {name}.rowid {from} WHERE {name} MATCH ?1 AND {name}.rowid >= ?7 {filter_sql}
         ORDER BY {name}.rank LIMIT ?8"
    );
    Ok(bind_filters(sqlx::query_scalar(&rank_sql), fts, filters)
        .bind(cut.unwrap_or(i64::MIN))
        .bind(limit + 1)
        .fetch_all(&mut *conn)
        .await?)
}

async fn articles(
    conn: &mut SqliteConnection,
    fts: &str,
    filters: &Filters,
    limit: u32,
) -> Result<(Vec<ArticleHit>, bool)> {
    let mut rowids = ranked(conn, &ARTICLES, fts, filters, limit).await?;
    let more = rowids.len() > limit as usize;
    rowids.truncate(limit as usize);
    let mut hits = Vec::with_capacity(rowids.len());
    for rowid in rowids {
        let row: Option<(ArticleId, String, String, String, Millis, String)> = sqlx::query_as(
            "SELECT a.id, highlight(articles_fts, 0, char(2), char(3)), a.source, a.author,
                    a.published_at, snippet(articles_fts, 2, char(2), char(3), '…', 24)
             FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
             WHERE articles_fts MATCH ?1 AND articles_fts.rowid = ?2",
        )
        .bind(fts)
        .bind(rowid)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((id, title, source, author, published_at, snippet)) = row {
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
    let mut rowids = ranked(conn, &COMMENTS, fts, filters, limit).await?;
    let more = rowids.len() > limit as usize;
    rowids.truncate(limit as usize);
    let mut hits = Vec::with_capacity(rowids.len());
    for rowid in rowids {
        #[allow(clippy::type_complexity, reason = "one row, named just below")]
        let row: Option<(CommentId, ArticleId, String, String, Millis, String, bool)> =
            sqlx::query_as(
                "SELECT c.id, c.article_id, a.title, u.display_name, c.created_at,
                        snippet(comments_fts, 0, char(2), char(3), '…', 24),
                        EXISTS (SELECT 1 FROM mutes m WHERE m.user_id = ?3 AND m.muted_id = c.author_id)
                 FROM comments_fts
                 JOIN comments c ON c.rowid = comments_fts.rowid
                 JOIN articles a ON a.id = c.article_id
                 JOIN users u ON u.id = c.author_id
                 WHERE comments_fts MATCH ?1 AND comments_fts.rowid = ?2",
            )
            .bind(fts)
            .bind(rowid)
            .bind(viewer)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some((id, article_id, article_title, author, created_at, snippet, muted)) = row {
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
        let mut tx = store.begin_write().await?;
        for (id, html) in &batch {
            sqlx::query("UPDATE articles SET body_text = ? WHERE id = ? AND body_text IS NULL")
                .bind(article_text(html))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        done += batch.len();
    }
}

/// The text of an article's stored (sanitized) HTML, as it is indexed.
pub(crate) fn article_text(html: &str) -> String {
    crate::library::adding::plain_text(html).replace([HIT_START, HIT_END], " ")
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
