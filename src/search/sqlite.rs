//! Search on SQLite: the two FTS5 indexes
//! (migrations/20261202000000_search.sql), ranked by bm25.

use sqlx::SqliteConnection;

use super::{Filters, Ranked, RANK_WINDOW};
use crate::clock::Millis;
use crate::Result;

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
pub(super) struct Index {
    name: &'static str,
    /// The id of the article or comment a match is.
    id: &'static str,
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

pub(super) const ARTICLES: Index = Index {
    name: "articles_fts",
    id: "a.id",
    from: "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid",
    at: "a.published_at",
    extra: "",
    marks: "highlight(articles_fts, 0, char(2), char(3)),
            snippet(articles_fts, 2, char(2), char(3), '…', 24)",
    by_time: false,
};

pub(super) const COMMENTS: Index = Index {
    name: "comments_fts",
    id: "c.id",
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

/// The first `limit + 1` matches in `index` that pass the filters, with
/// their marked texts. Up to [`RANK_WINDOW`] matches are ranked by bm25;
/// a query that matches more shows the newest first: bm25 would read every
/// match (hundreds of thousands for a common word) before returning one,
/// and for so common a query the recent matches are the useful ones.
///
/// The snippets are made here, in the statement that ranks: FTS5 makes
/// them only for the rows returned, and making them later, one statement
/// per hit, would run the whole query again for each.
pub(super) async fn ranked(
    conn: &mut SqliteConnection,
    index: &Index,
    fts: &str,
    filters: &Filters,
    limit: u32,
) -> Result<Vec<Ranked>> {
    let Index {
        name,
        id,
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
        "SELECT {id}, {marks} {from}
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
