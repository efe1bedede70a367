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

#[cfg(feature = "postgres")]
mod postgres;
pub mod query;
mod sqlite;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::clock::Millis;
use crate::ids::{ArticleId, CommentId, UserId};
use crate::store::{exec, rows, scalar, Conn, Db, Read, Store};
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
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Segment {
    pub text: String,
    pub hit: bool,
}

/// An article that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
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
    /// The signed-in reader's own highlights whose quote, note or article
    /// title has every word looked for: nobody else's, ever.
    pub highlights: Vec<crate::passages::Highlight>,
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
    let owner = viewer;
    let viewer = viewer.map(|u| u.id);
    let look = |titles_only| Look {
        parsed: &parsed,
        titles_only,
        filters: &filters,
        limit,
    };
    let search_articles = !parsed.is_empty() && !filters.impossible && filters.author_key.is_none();
    let search_comments = !parsed.is_empty() && !filters.impossible && !query.titles_only;
    // The two groups are searched side by side, each on a connection of
    // its own.
    let (found_articles, found_comments) = tokio::join!(
        async {
            if !search_articles {
                return Ok((Vec::new(), false));
            }
            let mut read = store.read().await?;
            let found = articles(&mut read, &look(query.titles_only)).await?;
            read.finish().await?;
            Ok::<_, crate::Error>(found)
        },
        async {
            if !search_comments {
                return Ok((Vec::new(), false));
            }
            let mut read = store.read().await?;
            let found = comments(&mut read, &look(false), viewer).await?;
            read.finish().await?;
            Ok::<_, crate::Error>(found)
        },
    );
    (results.articles, results.more_articles) = found_articles?;
    (results.comments, results.more_comments) = found_comments?;
    if let Some(owner) = owner.filter(|_| search_comments && filters.author_key.is_none()) {
        let words: Vec<String> = results.words.iter().map(|w| w.word.clone()).collect();
        let mine = crate::passages::HighlightQuery {
            source: query.source.clone(),
            text: Some(words.join(" ")),
            ..Default::default()
        };
        let mut found = crate::passages::highlights::my_highlights(store, owner, &mine).await?;
        found.truncate(limit as usize);
        results.highlights = found;
    }
    Ok(results)
}

/// The names of every source in the library, for the source filter.
pub async fn source_names(store: &Store) -> Result<Vec<String>> {
    let mut read = store.read().await?;
    let mut names = scalar!(
        String,
        fetch_all,
        &mut read,
        "SELECT DISTINCT source FROM articles WHERE source != ''"
    )?;
    read.finish().await?;
    names.sort_by_cached_key(|name| (name.to_lowercase(), name.clone()));
    Ok(names)
}

/// One search of one group: what to look for, where, and how many.
#[derive(Debug, Clone, Copy)]
struct Look<'a> {
    parsed: &'a Parsed,
    /// Articles' titles only.
    titles_only: bool,
    filters: &'a Filters,
    limit: u32,
}

/// A match, in the order shown: its id, marked title and marked snippet.
type Ranked = (Uuid, String, String);

/// Which group [`ranked`] searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Articles,
    Comments,
}

/// The first `limit + 1` matches in `group` that pass the filters, best
/// first, with their marked texts: each engine's own full-text search.
async fn ranked(read: &mut Read, group: Group, look: &Look<'_>) -> Result<Vec<Ranked>> {
    match read.conn() {
        Conn::Sqlite(c) => {
            let (index, column) = match group {
                Group::Articles => (&sqlite::ARTICLES, look.titles_only.then_some("title")),
                Group::Comments => (&sqlite::COMMENTS, None),
            };
            match look.parsed.fts(column) {
                Some(fts) => sqlite::ranked(c, index, &fts, look.filters, look.limit).await,
                None => Ok(Vec::new()),
            }
        }
        #[cfg(feature = "postgres")]
        Conn::Postgres(c) => postgres::ranked(c, group, look).await,
    }
}

/// The filters, checked and cut to size.
#[derive(Debug)]
struct Filters {
    source: Option<String>,
    tag: Option<String>,
    author_key: Option<String>,
    from: Option<Millis>,
    until: Option<Millis>,
    /// A filter holds a NUL, which no stored name or tag can: nothing
    /// matches (and PostgreSQL's text cannot even hold one to compare).
    impossible: bool,
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
            impossible: [&query.source, &query.tag, &query.author]
                .iter()
                .any(|f| f.as_deref().is_some_and(|f| f.contains('\0'))),
        }
    }
}

async fn articles(read: &mut Read, look: &Look<'_>) -> Result<(Vec<ArticleHit>, bool)> {
    let limit = look.limit as usize;
    let mut found = ranked(read, Group::Articles, look).await?;
    let more = found.len() > limit;
    found.truncate(limit);
    let mut hits = Vec::with_capacity(found.len());
    for (id, title, snippet) in found {
        let id = ArticleId::from(id);
        let row = rows!(
            (String, String, Millis),
            fetch_optional,
            read,
            "SELECT source, author, published_at FROM articles WHERE id = $1",
            id
        )?;
        if let Some((source, author, published_at)) = row {
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
    read: &mut Read,
    look: &Look<'_>,
    viewer: Option<UserId>,
) -> Result<(Vec<CommentHit>, bool)> {
    let limit = look.limit as usize;
    let mut found = ranked(read, Group::Comments, look).await?;
    let more = found.len() > limit;
    found.truncate(limit);
    let mut hits = Vec::with_capacity(found.len());
    for (id, _, snippet) in found {
        let id = CommentId::from(id);
        let row = rows!(
            (ArticleId, String, String, Millis, bool),
            fetch_optional,
            read,
            "SELECT c.article_id, a.title, u.display_name, c.created_at,
                    EXISTS (SELECT 1 FROM mutes m WHERE m.user_id = $2 AND m.muted_id = c.author_id)
             FROM comments c
             JOIN articles a ON a.id = c.article_id
             JOIN users u ON u.id = c.author_id
             WHERE c.id = $1",
            id,
            viewer
        )?;
        if let Some((article_id, article_title, author, created_at, muted)) = row {
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
        let mut tx = store.write().await?;
        let batch = rows!(
            (ArticleId, String),
            fetch_all,
            &mut tx,
            "SELECT id, body_html FROM articles WHERE body_text IS NULL LIMIT 200"
        )?;
        if batch.is_empty() {
            return Ok(done);
        }
        for (id, html) in &batch {
            exec!(
                &mut tx,
                "UPDATE articles SET body_text = $1 WHERE id = $2 AND body_text IS NULL",
                article_text(html),
                id
            )?;
        }
        tx.commit().await?;
        done += batch.len();
    }
}

/// `parsed` as PostgreSQL's `to_tsquery('parley', …)` text, as search
/// sends it there. `None` when there is nothing to look for.
#[cfg(feature = "postgres")]
pub fn tsquery(parsed: &Parsed) -> Option<String> {
    postgres::tsquery(parsed, false)
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
