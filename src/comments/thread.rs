//! Loading a discussion: one indexed query for the thread's shape, the tree
//! sorted and flattened in Rust, then the text for just the page asked for.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use ts_rs::TS;

use super::{reading, Removal, Sort, ThreadComment, ThreadPage, MAX_PAGE};
use crate::accounts::User;
use crate::clock::Millis;
use crate::ids::{ArticleId, CommentId, UserId};
use crate::store::Store;
use crate::Result;

/// Which part of a discussion to load, and how to order it.
#[derive(Debug, Clone, Default, Deserialize, TS)]
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
    /// saved in the database and this is ignored).
    pub collapsed: Vec<CommentId>,
}

const DEFAULT_PAGE: u32 = 100;

/// The shape of one comment: what ordering and counting need, no text.
#[derive(sqlx::FromRow)]
struct Shape {
    id: CommentId,
    parent_id: Option<CommentId>,
    author_id: UserId,
    created_at: Millis,
    upvotes: i64,
    downvotes: i64,
    removed: bool,
}

/// The lower bound of the 95% Wilson score interval for the fraction of
/// votes that are up: 0 with no votes, approaching the true fraction as
/// votes accumulate.
pub fn wilson_lower_bound(up: i64, down: i64) -> f64 {
    let n = (up + down) as f64;
    if n <= 0.0 {
        return 0.0;
    }
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

/// The discussion of `article_id` as `viewer` (or a signed-out reader) sees
/// it, ordered and windowed by `query`. Fails with `NotFound` when the
/// article is not in the library.
pub async fn thread_page(
    store: &Store,
    viewer: Option<&User>,
    article_id: ArticleId,
    query: &ThreadQuery,
) -> Result<ThreadPage> {
    let mut conn = store.pool().acquire().await?;
    super::write::ensure_article_exists(&mut conn, article_id).await?;
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
        None => query.collapsed.iter().copied().collect(),
    };

    let shapes = sqlx::query_as::<_, Shape>(
        "SELECT id, parent_id, author_id, created_at, upvotes, downvotes,
                deleted_at IS NOT NULL AS removed
         FROM comments WHERE article_id = ?",
    )
    .bind(article_id)
    .fetch_all(&mut *conn)
    .await?;

    let tree = Tree::build(&shapes, sort);
    let open: HashSet<usize> = query
        .through
        .and_then(|id| tree.index.get(&id).copied())
        .map(|i| tree.ancestors(i).collect())
        .unwrap_or_default();
    let order = tree.reading_order(|i| {
        shapes
            .get(i)
            .is_some_and(|s| collapsed.contains(&s.id) && !open.contains(&i))
    });

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

    let details = details(&mut conn, article_id, &shapes, &window).await?;
    let names = display_names(&mut conn).await?;
    let my_votes = match viewer_id {
        Some(id) => my_votes(&mut conn, id, &shapes, &window).await?,
        None => HashMap::new(),
    };

    let comments = window
        .iter()
        .filter_map(|&(i, depth)| {
            let s = shapes.get(i)?;
            let d = details.get(&s.id)?;
            let parent_author = s
                .parent_id
                .and_then(|p| tree.index.get(&p))
                .and_then(|&p| shapes.get(p))
                .map(|p| p.author_id);
            let mine = Some(s.author_id) == viewer_id;
            Some(ThreadComment {
                id: s.id,
                parent_id: s.parent_id,
                author_name: name_of(&names, s.author_id),
                parent_author_name: parent_author.map(|a| name_of(&names, a)),
                depth,
                body_html: d.body_html.clone().unwrap_or_default(),
                source: (mine && !s.removed).then(|| d.body.clone()),
                removed: d.deleted_by,
                mine,
                created_at: s.created_at,
                edited_at: d.edited_at,
                score: i32::try_from(s.upvotes - s.downvotes).unwrap_or(0),
                my_vote: my_votes.get(&s.id).copied().unwrap_or(0),
                is_new: is_new(s),
                reply_count: tree.descendants.get(i).copied().unwrap_or(0),
                collapsed: collapsed.contains(&s.id) && !open.contains(&i),
            })
        })
        .collect();

    Ok(ThreadPage {
        article_id,
        sort,
        comment_count: to_u32(comment_count),
        new_count: to_u32(new_count),
        visible_count: to_u32(order.len()),
        offset: to_u32(offset.min(order.len())),
        comments,
    })
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn name_of(names: &HashMap<UserId, String>, id: UserId) -> String {
    names
        .get(&id)
        .cloned()
        .unwrap_or_else(|| "[deleted user]".into())
}

/// The thread's tree: children of each comment, sorted, and how many live
/// replies sit below each.
struct Tree {
    index: HashMap<CommentId, usize>,
    parent: Vec<Option<usize>>,
    roots: Vec<usize>,
    children: Vec<Vec<usize>>,
    descendants: Vec<u32>,
}

impl Tree {
    fn build(shapes: &[Shape], sort: Sort) -> Self {
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
    fn reading_order(&self, is_collapsed: impl Fn(usize) -> bool) -> Vec<(usize, u32)> {
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

    fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
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

#[derive(sqlx::FromRow)]
struct Details {
    id: CommentId,
    body: String,
    body_html: Option<String>,
    edited_at: Option<Millis>,
    deleted_by: Option<Removal>,
}

/// Above this many comments in a page, reading the whole thread's text in
/// one range scan beats binding every id.
const BIND_LIMIT: usize = 500;

async fn details(
    conn: &mut SqliteConnection,
    article_id: ArticleId,
    shapes: &[Shape],
    window: &[(usize, u32)],
) -> Result<HashMap<CommentId, Details>> {
    const COLUMNS: &str = "SELECT id, body, body_html, edited_at, deleted_by FROM comments";
    let rows = if window.len() > BIND_LIMIT {
        sqlx::query_as::<_, Details>(&format!("{COLUMNS} WHERE article_id = ?"))
            .bind(article_id)
            .fetch_all(&mut *conn)
            .await?
    } else if window.is_empty() {
        Vec::new()
    } else {
        let mut q = QueryBuilder::<Sqlite>::new(format!("{COLUMNS} WHERE id IN ("));
        let mut ids = q.separated(", ");
        for id in window
            .iter()
            .filter_map(|&(i, _)| shapes.get(i))
            .map(|s| s.id)
        {
            ids.push_bind(id);
        }
        q.push(")");
        q.build_query_as::<Details>().fetch_all(&mut *conn).await?
    };
    Ok(rows.into_iter().map(|d| (d.id, d)).collect())
}

async fn display_names(conn: &mut SqliteConnection) -> Result<HashMap<UserId, String>> {
    // Accounts on one computer number in the tens: all of them is cheap.
    let rows = sqlx::query_as::<_, (UserId, String)>("SELECT id, display_name FROM users")
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

async fn my_votes(
    conn: &mut SqliteConnection,
    user: UserId,
    shapes: &[Shape],
    window: &[(usize, u32)],
) -> Result<HashMap<CommentId, i8>> {
    if window.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = if window.len() > BIND_LIMIT {
        sqlx::query_as::<_, (CommentId, i8)>(
            "SELECT v.comment_id, v.value FROM votes v WHERE v.user_id = ?",
        )
        .bind(user)
        .fetch_all(&mut *conn)
        .await?
    } else {
        let mut q =
            QueryBuilder::<Sqlite>::new("SELECT comment_id, value FROM votes WHERE user_id = ");
        q.push_bind(user);
        q.push(" AND comment_id IN (");
        let mut ids = q.separated(", ");
        for id in window
            .iter()
            .filter_map(|&(i, _)| shapes.get(i))
            .map(|s| s.id)
        {
            ids.push_bind(id);
        }
        q.push(")");
        q.build_query_as::<(CommentId, i8)>()
            .fetch_all(&mut *conn)
            .await?
    };
    Ok(rows.into_iter().collect())
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
        let w = wilson_lower_bound(600, 400);
        assert!((0.56..0.6).contains(&w), "{w}");
    }
}
