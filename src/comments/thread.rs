//! Loading a discussion a page at a time: the ordered shape (shape.rs), then
//! the text, names and votes of just the comments on the page.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::checks::ensure_article_exists;
use super::shape::{Shape, ThreadCache};
use super::{reading, Removal, Sort, ThreadComment, ThreadPage, MAX_PAGE};
use crate::clock::Millis;
use crate::ids::{ArticleId, CommentId, UserId};
use crate::mutes;
use crate::passages;
use crate::store::{exec, rows, rows_built, scalar, small, Conn, Db, Read, Statement, Store};
use crate::users::{User, DELETED_USER};
use crate::{Error, Result};

/// Which part of a discussion to load, and how to order it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase", optional_fields)]
pub struct ThreadQuery {
    /// The order; when absent, the reader's saved choice (or Best).
    pub sort: Option<Sort>,
    /// How many entries of the reading order to skip.
    pub offset: u32,
    /// How many to return (capped at [`MAX_PAGE`]); 0 means the default, 100.
    pub limit: u32,
    /// Extend the page to include this comment, opening any collapsed
    /// subtree it is in: for links to a comment ("Replies to you").
    pub through: Option<CommentId>,
    /// Subtrees collapsed by a signed-out reader (a signed-in reader's are
    /// saved in the database and this is ignored). At most
    /// [`MAX_COLLAPSED`] are read; ids not in this thread are dropped.
    #[serde(deserialize_with = "at_most_collapsed")]
    pub collapsed: Vec<CommentId>,
    /// Continue the reading order of this earlier version (the one the
    /// reader's loaded pages were cut from), while it is still at hand: a
    /// vote, or the reader's own post, then leaves their place alone. The
    /// page says which version it was cut from; a different one means the
    /// reader's pages must be loaded again.
    #[ts(optional, type = "number")]
    pub version: Option<i64>,
    /// Only these top-level comments and their replies: the discussion
    /// narrowed to one passage's comments. Empty: the whole discussion.
    /// At most [`MAX_COLLAPSED`] are read.
    #[serde(deserialize_with = "at_most_collapsed")]
    pub roots: Vec<CommentId>,
}

/// The most collapsed subtrees a signed-out reader's request may name.
/// Far more than a person collapses; the rest of a longer list is skipped
/// unread rather than stored.
pub const MAX_COLLAPSED: usize = 10_000;

/// Reads at most [`MAX_COLLAPSED`] ids and skips the rest without keeping
/// them.
fn at_most_collapsed<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Vec<CommentId>, D::Error> {
    struct Capped;
    impl<'de> serde::de::Visitor<'de> for Capped {
        type Value = Vec<CommentId>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list of comment ids")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut ids = Vec::new();
            while ids.len() < MAX_COLLAPSED {
                match seq.next_element()? {
                    Some(id) => ids.push(id),
                    None => return Ok(ids),
                }
            }
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(ids)
        }
    }
    deserializer.deserialize_seq(Capped)
}

const DEFAULT_PAGE: u32 = 100;

/// Opens an article's discussion: for a signed-in reader, records the visit
/// first (comments by others since the visit before stay marked "new"
/// while they read), then returns the first page as [`thread_page`] would.
pub async fn open_discussion(
    store: &Store,
    viewer: Option<&User>,
    article_id: ArticleId,
    query: &ThreadQuery,
) -> Result<ThreadPage> {
    if let Some(viewer) = viewer {
        let mut tx = store.write().await?;
        ensure_article_exists(&mut tx, article_id).await?;
        exec!(
            &mut tx,
            "INSERT INTO article_visits (user_id, article_id, last_at, previous_at)
             VALUES ($1, $2, $3, NULL)
             ON CONFLICT (user_id, article_id)
             DO UPDATE SET previous_at = CASE WHEN $3 - article_visits.last_at >= $4
                                              THEN article_visits.last_at
                                              ELSE article_visits.previous_at END,
                           last_at = $3",
            viewer.id,
            article_id,
            store.now(),
            reading::READING_SESSION_MS
        )?;
        tx.commit().await?;
    }
    thread_page(store, viewer, article_id, query).await
}

/// The discussion of `article_id` as `viewer` (or a signed-out reader) sees
/// it, ordered and windowed by `query`. Fails with `NotFound` when the
/// article is not in the library.
pub async fn thread_page(
    store: &Store,
    viewer: Option<&User>,
    article_id: ArticleId,
    query: &ThreadQuery,
) -> Result<ThreadPage> {
    // One read transaction: the order, the text and the votes of a page
    // all come from the same snapshot, so a page never loses an entry to a
    // concurrent delete.
    let mut conn = store.read().await?;
    let state = thread_state(&mut conn, article_id).await?;
    let version = state.version;
    let viewer_id = viewer.map(|v| v.id);
    let sort = match (query.sort, viewer_id) {
        (Some(sort), _) => sort,
        (None, Some(id)) => reading::preferred_sort(&mut conn, id).await?,
        (None, None) => Sort::default(),
    };
    let previous_visit = match viewer_id {
        Some(id) => reading::previous_visit(&mut conn, id, article_id).await?,
        None => None,
    };
    let collapsed: HashSet<CommentId> = match viewer_id {
        Some(id) => reading::collapsed(&mut conn, id, article_id).await?,
        None => in_thread(&mut conn, article_id, &query.collapsed).await?,
    };
    let (thread, version) = store
        .cache::<ThreadCache>()
        .ordered(
            &mut conn,
            article_id,
            (version, query.version),
            state.pinned,
            viewer_id,
            sort,
            &collapsed,
            query.through,
        )
        .await?;
    let (shapes, tree) = (&thread.shapes, &thread.tree);
    let narrowed: Vec<(usize, u32)>;
    let order: &[(usize, u32)] = if query.roots.is_empty() {
        &thread.order
    } else {
        narrowed = only_under(&thread.order, shapes, &query.roots);
        &narrowed
    };

    let is_new = |s: &Shape| {
        !s.removed
            && Some(s.author_id) != viewer_id
            && previous_visit.is_some_and(|seen| s.created_at > seen)
    };
    let comment_count = shapes.iter().filter(|s| !s.removed).count();
    let new_count = shapes.iter().filter(|s| is_new(s)).count();

    let offset = query.offset as usize;
    let mut limit = match query.limit {
        0 => DEFAULT_PAGE,
        n => n.min(MAX_PAGE),
    } as usize;
    if let Some(through) = query.through.and_then(|id| tree.index.get(&id)) {
        if let Some(pos) = order.iter().position(|(i, _)| i == through) {
            limit = limit.max((pos + 1).saturating_sub(offset));
        }
    }
    let window: Vec<(usize, u32)> = order.iter().skip(offset).take(limit).copied().collect();

    let details = details(&mut conn, article_id, shapes, &window).await?;
    let names = display_names(&mut conn).await?;
    let my_votes = match viewer_id {
        Some(id) => my_votes(&mut conn, id, shapes, &window).await?,
        None => HashMap::new(),
    };
    let muted = match viewer_id {
        Some(id) => mutes::muted_ids(&mut conn, id).await?,
        None => HashSet::new(),
    };
    let mut quoted = passages::of_discussion(&mut conn, article_id).await?;

    let comments = window
        .iter()
        .filter_map(|&(i, depth)| {
            let s = shapes.get(i)?;
            let d = details.get(&s.id)?;
            // A deleted or removed comment no longer says who wrote it,
            // neither in its own header nor in its replies' "replying to".
            let parent_author = s
                .parent_id
                .and_then(|p| tree.index.get(&p))
                .and_then(|&p| shapes.get(p))
                .filter(|p| !p.removed)
                .map(|p| p.author_id);
            let mine = Some(s.author_id) == viewer_id && !s.removed;
            Some(ThreadComment {
                id: s.id,
                parent_id: s.parent_id,
                author_name: if s.removed {
                    String::new()
                } else {
                    name_of(&names, s.author_id)
                },
                parent_author_name: parent_author.map(|a| name_of(&names, a)),
                depth,
                body_html: d.body_html.clone().unwrap_or_default(),
                source: (mine && !s.removed).then(|| d.body.clone()),
                removed: d.deleted_by,
                mine,
                created_at: s.created_at,
                edited_at: d.edited_at,
                // From the comment as it is now: a page cut from an
                // earlier order still shows today's votes.
                score: i32::try_from(d.upvotes - d.downvotes).unwrap_or(0),
                my_vote: my_votes.get(&s.id).copied().unwrap_or(0),
                is_new: is_new(s),
                reply_count: tree.descendants.get(i).copied().unwrap_or(0),
                collapsed: thread.is_collapsed(i, &collapsed),
                pinned: state.pinned == Some(s.id),
                author_muted: !s.removed && muted.contains(&s.author_id),
                passage: quoted.remove(&s.id).filter(|_| !s.removed),
            })
        })
        .collect();

    conn.finish().await?;
    Ok(ThreadPage {
        article_id,
        version,
        sort,
        locked: state.locked,
        comment_count: to_u32(comment_count),
        new_count: to_u32(new_count),
        visible_count: to_u32(order.len()),
        offset: to_u32(offset.min(order.len())),
        comments,
    })
}

/// The entries of `order` (a reading order, each top-level comment
/// followed by its replies) under the top-level comments `roots`.
fn only_under(order: &[(usize, u32)], shapes: &[Shape], roots: &[CommentId]) -> Vec<(usize, u32)> {
    let roots: HashSet<CommentId> = roots.iter().copied().collect();
    let mut keep = false;
    order
        .iter()
        .copied()
        .filter(|&(i, depth)| {
            if depth == 0 {
                keep = shapes.get(i).is_some_and(|s| roots.contains(&s.id));
            }
            keep
        })
        .collect()
}

/// One comment as `viewer` sees it in its discussion now: what the page
/// needs to show a comment just posted, edited or deleted in place, without
/// ordering (or sending) the rest of the thread again. Its depth and reply
/// count come from walking its own ancestors and replies.
///
/// Fails with `NotFound` when the comment is gone: deleted, with no
/// replies left to keep its place.
pub async fn comment_view(
    store: &Store,
    viewer: Option<&User>,
    id: CommentId,
) -> Result<ThreadComment> {
    let mut conn = store.read().await?;
    let row = rows!(
        ViewRow,
        fetch_optional,
        &mut conn,
        "SELECT c.article_id, c.parent_id, c.author_id, c.body, c.body_html, c.created_at,
                c.edited_at, c.deleted_by, c.deleted_at IS NOT NULL AS removed,
                c.upvotes, c.downvotes,
                CASE WHEN p.deleted_at IS NULL THEN p.author_id END AS parent_author,
                a.pinned_comment_id IS NOT DISTINCT FROM c.id AS pinned,
                (WITH RECURSIVE up (id, depth) AS (
                     SELECT c.parent_id, 1 WHERE c.parent_id IS NOT NULL
                     UNION ALL
                     SELECT x.parent_id, up.depth + 1 FROM comments x JOIN up ON x.id = up.id
                     WHERE x.parent_id IS NOT NULL)
                 SELECT CAST(coalesce(max(depth), 0) AS BIGINT) FROM up) AS depth,
                (WITH RECURSIVE down (id) AS (
                     SELECT x.id FROM comments x WHERE x.parent_id = c.id
                     UNION ALL
                     SELECT x.id FROM comments x JOIN down ON x.parent_id = down.id)
                 SELECT count(*) FROM down JOIN comments x ON x.id = down.id
                 WHERE x.deleted_at IS NULL) AS reply_count
         FROM comments c
         JOIN articles a ON a.id = c.article_id
         LEFT JOIN comments p ON p.id = c.parent_id
         WHERE c.id = $1",
        id
    )?
    .ok_or_else(|| Error::not_found("That comment is no longer there."))?;
    let viewer_id = viewer.map(|v| v.id);
    let names = display_names(&mut conn).await?;
    let (seen, collapsed, my_vote, muted) = match viewer_id {
        Some(user) => (
            reading::previous_visit(&mut conn, user, row.article_id).await?,
            reading::collapsed(&mut conn, user, row.article_id)
                .await?
                .contains(&id),
            scalar!(
                i64,
                fetch_optional,
                &mut conn,
                "SELECT value FROM votes WHERE user_id = $1 AND comment_id = $2",
                user,
                id
            )?
            .and_then(|v| i8::try_from(v).ok())
            .unwrap_or(0),
            mutes::muted_ids(&mut conn, user)
                .await?
                .contains(&row.author_id),
        ),
        None => (None, false, 0, false),
    };
    let passage = match row.removed {
        true => None,
        false => passages::of_discussion(&mut conn, row.article_id)
            .await?
            .remove(&id),
    };
    conn.finish().await?;
    let mine = Some(row.author_id) == viewer_id && !row.removed;
    Ok(ThreadComment {
        id,
        parent_id: row.parent_id,
        author_name: if row.removed {
            String::new()
        } else {
            name_of(&names, row.author_id)
        },
        parent_author_name: row.parent_author.map(|a| name_of(&names, a)),
        depth: small(row.depth),
        body_html: if row.removed {
            String::new()
        } else {
            row.body_html.unwrap_or_default()
        },
        source: mine.then_some(row.body),
        removed: row.deleted_by,
        mine,
        created_at: row.created_at,
        edited_at: row.edited_at,
        score: i32::try_from(row.upvotes - row.downvotes).unwrap_or(0),
        my_vote,
        is_new: !row.removed
            && Some(row.author_id) != viewer_id
            && seen.is_some_and(|seen| row.created_at > seen),
        reply_count: small(row.reply_count),
        collapsed,
        pinned: row.pinned,
        author_muted: !row.removed && muted,
        passage,
    })
}

#[derive(sqlx::FromRow)]
struct ViewRow {
    article_id: ArticleId,
    parent_id: Option<CommentId>,
    author_id: UserId,
    body: String,
    body_html: Option<String>,
    created_at: Millis,
    edited_at: Option<Millis>,
    deleted_by: Option<Removal>,
    removed: bool,
    upvotes: i64,
    downvotes: i64,
    parent_author: Option<UserId>,
    pinned: bool,
    depth: i64,
    reply_count: i64,
}

/// The first [`MAX_COLLAPSED`] of `ids` that are comments of this article:
/// what a signed-out reader's request may say is collapsed. Anything else
/// is dropped here, before it can reach the order cache's keys.
async fn in_thread(
    read: &mut Read,
    article: ArticleId,
    ids: &[CommentId],
) -> Result<HashSet<CommentId>> {
    let ids = ids.get(..ids.len().min(MAX_COLLAPSED)).unwrap_or_default();
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    // One parameter holding the whole list, on each engine in its own
    // form: a list of thousands of placeholders would be prepared (and
    // kept by the connection) for every request.
    let found: Vec<CommentId> = match read.conn() {
        Conn::Sqlite(c) => {
            let hex: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
            let list = serde_json::to_string(&hex)
                .map_err(|e| Error::Internal(format!("collapsed ids: {e}")))?;
            sqlx::query_scalar(
                "SELECT id FROM comments
                 WHERE article_id = $1
                   AND id IN (SELECT unhex(replace(value, '-', '')) FROM json_each($2))",
            )
            .bind(article)
            .bind(list)
            .fetch_all(c)
            .await?
        }
        #[cfg(feature = "postgres")]
        Conn::Postgres(c) => {
            // In pieces: the driver keeps its buffers as large as the
            // largest message it has sent, and 10,000 ids are 160 KB.
            let mut found = Vec::new();
            for piece in ids.chunks(BIND_LIMIT) {
                let list: Vec<uuid::Uuid> = piece.iter().map(|&id| id.into()).collect();
                found.extend(
                    sqlx::query_scalar::<_, CommentId>(
                        "SELECT id FROM comments WHERE article_id = $1 AND id = ANY($2)",
                    )
                    .bind(article)
                    .bind(list)
                    .fetch_all(&mut *c)
                    .await?,
                );
            }
            found
        }
    };
    Ok(found.into_iter().collect())
}

/// What the article says about its discussion.
#[derive(sqlx::FromRow)]
struct ThreadState {
    #[sqlx(rename = "thread_version")]
    version: i64,
    locked: bool,
    #[sqlx(rename = "pinned_comment_id")]
    pinned: Option<CommentId>,
}

/// Fails with `NotFound` for a missing article.
async fn thread_state(read: &mut Read, article: ArticleId) -> Result<ThreadState> {
    rows!(
        ThreadState,
        fetch_optional,
        read,
        "SELECT thread_version, locked_at IS NOT NULL AS locked, pinned_comment_id
         FROM articles WHERE id = $1",
        article
    )?
    .ok_or_else(|| Error::not_found("That article is no longer in the library."))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn name_of(names: &HashMap<UserId, String>, id: UserId) -> String {
    names
        .get(&id)
        .cloned()
        .unwrap_or_else(|| DELETED_USER.into())
}

#[derive(sqlx::FromRow)]
struct Details {
    id: CommentId,
    body: String,
    body_html: Option<String>,
    edited_at: Option<Millis>,
    deleted_by: Option<Removal>,
    upvotes: i64,
    downvotes: i64,
}

/// Above this many comments in a page, reading the whole thread's text in
/// one range scan beats binding every id.
const BIND_LIMIT: usize = 500;

async fn details(
    read: &mut Read,
    article_id: ArticleId,
    shapes: &[Shape],
    window: &[(usize, u32)],
) -> Result<HashMap<CommentId, Details>> {
    const COLUMNS: &str =
        "SELECT id, body, body_html, edited_at, deleted_by, upvotes, downvotes FROM comments";
    let mut q = Statement::new(COLUMNS);
    if window.len() > BIND_LIMIT {
        q.push(" WHERE article_id = ").bind(article_id);
    } else if window.is_empty() {
        return Ok(HashMap::new());
    } else {
        q.push(" WHERE id IN ").bind_list(ids_in(shapes, window));
    }
    let rows = rows_built!(Details, fetch_all, read, q)?;
    Ok(rows.into_iter().map(|d| (d.id, d)).collect())
}

/// The ids of the comments in `window`.
fn ids_in<'a>(
    shapes: &'a [Shape],
    window: &'a [(usize, u32)],
) -> impl Iterator<Item = CommentId> + 'a {
    window
        .iter()
        .filter_map(|&(i, _)| shapes.get(i))
        .map(|shape| shape.id)
}

async fn display_names(read: &mut Read) -> Result<HashMap<UserId, String>> {
    // Accounts on one computer number in the tens: all of them is cheap.
    let rows = rows!(
        (UserId, String),
        fetch_all,
        read,
        "SELECT id, display_name FROM users"
    )?;
    Ok(rows.into_iter().collect())
}

async fn my_votes(
    read: &mut Read,
    user: UserId,
    shapes: &[Shape],
    window: &[(usize, u32)],
) -> Result<HashMap<CommentId, i8>> {
    if window.is_empty() {
        return Ok(HashMap::new());
    }
    let mut q = Statement::new("SELECT comment_id, value FROM votes WHERE user_id = ");
    q.bind(user);
    if window.len() <= BIND_LIMIT {
        q.push(" AND comment_id IN ")
            .bind_list(ids_in(shapes, window));
    }
    let rows = rows_built!((CommentId, i64), fetch_all, read, q)?;
    Ok(rows
        .into_iter()
        .map(|(id, value)| (id, i8::try_from(value).unwrap_or(0)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_names_at_most_max_collapsed_ids() {
        let ids: Vec<String> = (0..MAX_COLLAPSED + 5_000)
            .map(|_| CommentId::new().to_string())
            .collect();
        let json = serde_json::json!({ "sort": "best", "collapsed": ids });
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let query: ThreadQuery = serde_json::from_value(json).unwrap();
        assert_eq!(query.collapsed.len(), MAX_COLLAPSED);
        assert_eq!(query.collapsed[0].to_string(), ids[0]);
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let short: ThreadQuery = serde_json::from_str(r#"{"collapsed": []}"#).unwrap();
        assert!(short.collapsed.is_empty());
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let none: ThreadQuery = serde_json::from_str("{}").unwrap();
        assert!(none.collapsed.is_empty());
    }
}
