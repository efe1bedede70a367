//! A thread's shape: every comment's place, votes and time, without text.
//! Ordering a thread needs all of it; a page needs only its own text. The
//! ordered shape is cached per reader and order, and rebuilt when the
//! article's `thread_version` moves (every post, removal and vote bumps it).

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use super::Sort;
use crate::clock::Millis;
use crate::ids::{ArticleId, CommentId, UserId};
use sqlx::SqliteConnection;

use crate::store::{exec, Conn, Db, Read, Write};
use crate::{Error, Result};

/// The shape of one comment: what ordering and counting need, no text.
pub(crate) struct Shape {
    pub(crate) id: CommentId,
    pub(crate) parent_id: Option<CommentId>,
    pub(crate) author_id: UserId,
    pub(crate) created_at: Millis,
    pub(crate) upvotes: i64,
    pub(crate) downvotes: i64,
    pub(crate) removed: bool,
}

/// The lower bound of the 95% Wilson score interval for the fraction of
/// votes that are up: 0 with no votes, approaching the true fraction as
/// votes accumulate.
pub fn wilson_lower_bound(up: i64, down: i64) -> f64 {
    // No up-votes is exactly 0: the formula would leave rounding noise
    // (around 1e-17) that would rank down-voted comments above unvoted ones.
    if up <= 0 {
        return 0.0;
    }
    let n = (up + down) as f64;
    const Z: f64 = 1.959_963_984_540_054;
    let p = up as f64 / n;
    let z2 = Z * Z;
    (p + z2 / (2.0 * n) - Z * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt()) / (1.0 + z2 / n)
}

fn compare(sort: Sort, a: &Shape, b: &Shape) -> Ordering {
    let oldest_first = a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id));
    match sort {
        Sort::Oldest => oldest_first,
        Sort::Newest => oldest_first.reverse(),
        Sort::Top => (b.upvotes - b.downvotes)
            .cmp(&(a.upvotes - a.downvotes))
            .then(oldest_first),
        Sort::Best => wilson_lower_bound(b.upvotes, b.downvotes)
            .total_cmp(&wilson_lower_bound(a.upvotes, a.downvotes))
            .then((b.upvotes - b.downvotes).cmp(&(a.upvotes - a.downvotes)))
            .then(oldest_first),
    }
}

/// The thread's tree: children of each comment, sorted, and how many live
/// replies sit below each.
pub(crate) struct Tree {
    pub(crate) index: HashMap<CommentId, usize>,
    parent: Vec<Option<usize>>,
    roots: Vec<usize>,
    children: Vec<Vec<usize>>,
    pub(crate) descendants: Vec<u32>,
}

impl Tree {
    /// Builds the tree with siblings in `sort` order, except that the
    /// `pinned` comment, if it starts a thread, comes first of all.
    fn build(shapes: &[Shape], sort: Sort, pinned: Option<CommentId>) -> Self {
        let index: HashMap<CommentId, usize> =
            shapes.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let mut parent = vec![None; shapes.len()];
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); shapes.len()];
        let mut roots = Vec::new();
        for (i, s) in shapes.iter().enumerate() {
            match s.parent_id.and_then(|p| index.get(&p).copied()) {
                Some(p) if p != i => {
                    if let (Some(list), Some(slot)) = (children.get_mut(p), parent.get_mut(i)) {
                        list.push(i);
                        *slot = Some(p);
                    }
                }
                // A parent outside the thread (which the schema prevents)
                // shows the comment at the top rather than losing it.
                _ => roots.push(i),
            }
        }
        let by = |a: &usize, b: &usize| match (shapes.get(*a), shapes.get(*b)) {
            (Some(a), Some(b)) => compare(sort, a, b),
            _ => Ordering::Equal,
        };
        roots.sort_by(by);
        if let Some(at) = roots
            .iter()
            .position(|&r| shapes.get(r).is_some_and(|s| Some(s.id) == pinned))
        {
            let pinned = roots.remove(at);
            roots.insert(0, pinned);
        }
        for list in &mut children {
            list.sort_by(by);
        }
        let mut tree = Self {
            index,
            parent,
            roots,
            children,
            descendants: vec![0; shapes.len()],
        };
        tree.count_descendants(shapes);
        tree
    }

    /// Live replies below each comment, summed leaves-up over the full
    /// (uncollapsed) reading order, without recursion.
    fn count_descendants(&mut self, shapes: &[Shape]) {
        let order = self.reading_order(|_| false);
        for &(i, _) in order.iter().rev() {
            let own = self.descendants.get(i).copied().unwrap_or(0);
            let live = u32::from(shapes.get(i).is_some_and(|s| !s.removed));
            if let Some(p) = self.parent.get(i).copied().flatten() {
                if let Some(slot) = self.descendants.get_mut(p) {
                    *slot += own + live;
                }
            }
        }
    }

    /// Depth-first order with depths, skipping the replies of any comment
    /// for which `is_collapsed` holds. Iterative, so depth costs no stack;
    /// a parent cycle (impossible through the API) cannot loop forever.
    pub(crate) fn reading_order(&self, is_collapsed: impl Fn(usize) -> bool) -> Vec<(usize, u32)> {
        let mut order = Vec::with_capacity(self.parent.len());
        let mut seen = vec![false; self.parent.len()];
        let mut stack: Vec<(usize, u32)> = self.roots.iter().rev().map(|&r| (r, 0)).collect();
        while let Some((i, depth)) = stack.pop() {
            match seen.get_mut(i) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            order.push((i, depth));
            if !is_collapsed(i) {
                if let Some(list) = self.children.get(i) {
                    stack.extend(list.iter().rev().map(|&c| (c, depth + 1)));
                }
            }
        }
        order
    }

    pub(crate) fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let mut next = self.parent.get(i).copied().flatten();
        let mut steps = 0;
        std::iter::from_fn(move || {
            let current = next?;
            steps += 1;
            if steps > self.parent.len() {
                return None;
            }
            next = self.parent.get(current).copied().flatten();
            Some(current)
        })
    }
}
/// Every comment's shape, in one query, each engine its own way.
async fn load(read: &mut Read, article_id: ArticleId) -> Result<Vec<Shape>> {
    match read.conn() {
        Conn::Sqlite(c) => load_json(c, article_id).await,
        #[cfg(feature = "postgres")]
        Conn::Postgres(c) => load_rows(c, article_id).await,
    }
}

/// SQLite assembles the rows into a single JSON array: stepping 10,000
/// rows one by one through sqlx costs several times more than SQLite
/// building the array and serde reading it (see shared/TOOLCHAIN.md and
/// `benches/thread.rs`).
async fn load_json(c: &mut SqliteConnection, article_id: ArticleId) -> Result<Vec<Shape>> {
    type Row = (String, String, String, Millis, i64, i64, u8);
    let json: String = sqlx::query_scalar(
        "SELECT coalesce(json_group_array(json_array(
                    hex(id), hex(parent_id), hex(author_id), created_at, upvotes, downvotes,
                    deleted_at IS NOT NULL)), '[]')
         FROM comments WHERE article_id = $1",
    )
    .bind(article_id)
    .fetch_one(c)
    .await?;
    let rows: Vec<Row> = serde_json::from_str(&json)
        .map_err(|e| Error::Internal(format!("thread shape did not parse: {e}")))?;
    let uuid = |hex: &str| {
        uuid::Uuid::try_parse(hex).map_err(|e| Error::Internal(format!("stored id {hex:?}: {e}")))
    };
    rows.into_iter()
        .map(
            |(id, parent, author, created_at, upvotes, downvotes, removed)| {
                Ok(Shape {
                    id: CommentId::from(uuid(&id)?),
                    parent_id: match parent.as_str() {
                        "" => None,
                        hex => Some(CommentId::from(uuid(hex)?)),
                    },
                    author_id: UserId::from(uuid(&author)?),
                    created_at,
                    upvotes,
                    downvotes,
                    removed: removed != 0,
                })
            },
        )
        .collect()
}

/// PostgreSQL sends rows in its binary protocol, each a few fixed-size
/// fields: they are read as they are.
#[cfg(feature = "postgres")]
async fn load_rows(c: &mut sqlx::PgConnection, article_id: ArticleId) -> Result<Vec<Shape>> {
    type Row = (CommentId, Option<CommentId>, UserId, Millis, i64, i64, bool);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, parent_id, author_id, created_at, upvotes, downvotes,
                deleted_at IS NOT NULL
         FROM comments WHERE article_id = $1",
    )
    .bind(article_id)
    .fetch_all(c)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, parent_id, author_id, created_at, upvotes, downvotes, removed)| Shape {
                id,
                parent_id,
                author_id,
                created_at,
                upvotes,
                downvotes,
                removed,
            },
        )
        .collect())
}

/// A thread ordered for one reader: its shapes, tree and reading order.
pub(crate) struct Ordered {
    pub(crate) shapes: Vec<Shape>,
    pub(crate) tree: Tree,
    pub(crate) order: Vec<(usize, u32)>,
    /// Collapsed comments opened to reach a linked one.
    opened: HashSet<usize>,
}

impl Ordered {
    /// Orders `shapes` by `sort`, the `pinned` thread first, leaving out
    /// the replies of `collapsed` comments except those on the way to
    /// `open` (a linked comment).
    pub(crate) fn new(
        shapes: Vec<Shape>,
        sort: Sort,
        pinned: Option<CommentId>,
        collapsed: &HashSet<CommentId>,
        open: Option<CommentId>,
    ) -> Self {
        let tree = Tree::build(&shapes, sort, pinned);
        let opened: HashSet<usize> = open
            .and_then(|id| tree.index.get(&id).copied())
            .map(|i| tree.ancestors(i).collect())
            .unwrap_or_default();
        let order = tree.reading_order(|i| {
            shapes
                .get(i)
                .is_some_and(|s| collapsed.contains(&s.id) && !opened.contains(&i))
        });
        Self {
            shapes,
            tree,
            order,
            opened,
        }
    }

    /// Whether comment `i` is shown collapsed (its replies left out).
    pub(crate) fn is_collapsed(&self, i: usize, collapsed: &HashSet<CommentId>) -> bool {
        self.shapes
            .get(i)
            .is_some_and(|s| collapsed.contains(&s.id))
            && !self.opened.contains(&i)
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    article: ArticleId,
    viewer: Option<UserId>,
    sort: Sort,
    collapsed: Vec<CommentId>,
}

/// Recently ordered threads. A handful of entries is plenty: one reader
/// looks at one discussion at a time. An older version stays while it may
/// still be paged through (see `ThreadQuery::version`).
#[derive(Default)]
pub(crate) struct ThreadCache {
    entries: Mutex<Vec<(Key, i64, Arc<Ordered>)>>,
}

impl std::fmt::Debug for ThreadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreadCache").finish_non_exhaustive()
    }
}

const CACHED_THREADS: usize = 8;
const VERSIONS_PER_KEY: usize = 2;

impl ThreadCache {
    /// The ordered thread for these inputs, and the version it is of:
    /// `wanted`, an earlier version a reader is still paging through, if
    /// it is in the cache; else `current`, from the cache or freshly
    /// loaded. A request that opens the way to a comment is not cached: it
    /// is a one-off. (Pinning bumps the version, so `pinned` need not be
    /// part of the key.)
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn ordered(
        &self,
        read: &mut Read,
        article: ArticleId,
        (current, wanted): (i64, Option<i64>),
        pinned: Option<CommentId>,
        viewer: Option<UserId>,
        sort: Sort,
        collapsed: &HashSet<CommentId>,
        open: Option<CommentId>,
    ) -> Result<(Arc<Ordered>, i64)> {
        let mut collapsed_ids: Vec<CommentId> = collapsed.iter().copied().collect();
        collapsed_ids.sort();
        let key = Key {
            article,
            viewer,
            sort,
            collapsed: collapsed_ids,
        };
        if open.is_none() {
            for version in wanted.into_iter().chain([current]) {
                if let Some(hit) = self.get(&key, version) {
                    return Ok((hit, version));
                }
            }
        }
        let ordered = Arc::new(Ordered::new(
            load(read, article).await?,
            sort,
            pinned,
            collapsed,
            open,
        ));
        if open.is_none() {
            self.put(key, current, ordered.clone());
        }
        Ok((ordered, current))
    }

    fn get(&self, key: &Key, version: i64) -> Option<Arc<Ordered>> {
        // Entries are whole values swapped in and out: a panic elsewhere
        // cannot leave one half-written, so a poisoned lock is still sound.
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let at = entries
            .iter()
            .position(|(k, v, _)| k == key && *v == version)?;
        let entry = entries.remove(at);
        let hit = entry.2.clone();
        entries.insert(0, entry);
        Some(hit)
    }

    /// Keeps the newest two versions per key: the one a reader is paging
    /// through, and the one after a change they have not reloaded for.
    fn put(&self, key: Key, version: i64, ordered: Arc<Ordered>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let mut kept = 0;
        entries.retain(|(k, v, _)| {
            if k != &key {
                return true;
            }
            let keep = *v != version && kept + 1 < VERSIONS_PER_KEY;
            kept += usize::from(keep);
            keep
        });
        entries.insert(0, (key, version, ordered));
        entries.truncate(CACHED_THREADS);
    }
}

/// Marks an article's thread as changed, inside the writing transaction.
pub(crate) async fn bump_version(tx: &mut Write, article: ArticleId) -> Result<()> {
    exec!(
        tx,
        "UPDATE articles SET thread_version = thread_version + 1 WHERE id = $1",
        article
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_prefers_many_mostly_positive_votes() {
        assert_eq!(wilson_lower_bound(0, 0), 0.0);
        assert!(wilson_lower_bound(90, 10) > wilson_lower_bound(1, 0));
        assert!(wilson_lower_bound(10, 0) > wilson_lower_bound(10, 5));
        assert!(wilson_lower_bound(1, 0) > wilson_lower_bound(0, 1));
        for down in 0..20 {
            assert_eq!(wilson_lower_bound(0, down), 0.0, "{down} down-votes");
        }
        let w = wilson_lower_bound(600, 400);
        assert!((0.56..0.6).contains(&w), "{w}");
    }
}
