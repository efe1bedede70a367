//! Where an article's discussion is: each passage people comment on, with
//! how many comments are about it, for the article to mark.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::highlights::{self, Highlight};
use super::stored::{placed_on, PassageRow, Quoting, COLUMNS};
use super::{Passage, Placed};
use crate::ids::{ArticleId, CommentId};
use crate::store::{rows, scalar, small, Store};
use crate::users::User;
use crate::{Error, Result};

/// The passages of an article's discussion on one version of its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Marks {
    pub article_id: ArticleId,
    /// The version the places are on.
    #[ts(type = "number")]
    pub version: i64,
    /// In the order of the text; passages no longer in the article last.
    pub marks: Vec<Mark>,
    /// The reader's own highlights on this version, oldest first.
    pub highlights: Vec<Highlight>,
}

/// One passage of the text with comments about it. Comments that quote
/// exactly the same words share one mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Mark {
    pub passage: Passage,
    /// Comments about it: the ones quoting it and their replies, not
    /// counting deleted or removed ones.
    pub count: u32,
    /// The top-level comments quoting it, oldest first: the discussion
    /// narrowed to this mark shows them and their replies.
    pub comments: Vec<CommentId>,
}

/// The marks of `article_id`'s discussion on `version` of its text (the
/// current one when `None`): every passage a top-level comment quotes that
/// has a comment left to read about it; and, for a signed-in `viewer`,
/// their own highlights on it, which nobody else is ever sent.
pub async fn marks(
    store: &Store,
    viewer: Option<&User>,
    article_id: ArticleId,
    version: Option<i64>,
) -> Result<Marks> {
    let mut read = store.read().await?;
    let (current, current_html) = rows!(
        (i64, String),
        fetch_optional,
        &mut read,
        "SELECT text_version, body_html FROM articles WHERE id = $1",
        article_id
    )?
    .ok_or_else(|| Error::not_found("That article is no longer in the library."))?;
    let version = version.unwrap_or(current);
    let html = if version == current {
        current_html
    } else {
        scalar!(
            String,
            fetch_optional,
            &mut read,
            "SELECT body_html FROM article_versions WHERE article_id = $1 AND version = $2",
            article_id,
            version
        )?
        .ok_or_else(|| Error::not_found("That version of the article is not kept."))?
    };
    let sql = format!(
        "SELECT c.id AS comment, {COLUMNS} FROM comments c JOIN passages p ON p.id = c.passage_id
         WHERE c.article_id = $1 AND c.parent_id IS NULL
         ORDER BY c.created_at, c.id"
    );
    let quoting = rows!(Quoting, fetch_all, &mut read, &sql, article_id)?;
    // Live comments under each quoting comment, itself included.
    let counts: HashMap<CommentId, i64> = rows!(
        (CommentId, i64),
        fetch_all,
        &mut read,
        "WITH RECURSIVE under (root, id) AS (
             SELECT c.id, c.id FROM comments c
             WHERE c.article_id = $1 AND c.parent_id IS NULL AND c.passage_id IS NOT NULL
             UNION ALL
             SELECT under.root, x.id FROM comments x JOIN under ON x.parent_id = under.id)
         SELECT under.root, count(*) FROM under JOIN comments y ON y.id = under.id
         WHERE y.deleted_at IS NULL
         GROUP BY under.root",
        article_id
    )?
    .into_iter()
    .collect();
    let mine = match viewer {
        Some(owner) => highlights::rows_of_article(&mut read, owner, article_id).await?,
        None => Vec::new(),
    };
    read.finish().await?;

    let quoting: Vec<Quoting> = quoting
        .into_iter()
        .filter(|q| counts.get(&q.comment).is_some_and(|&n| n > 0))
        .collect();
    let rows: Vec<PassageRow> = quoting
        .iter()
        .map(|q| q.passage.clone())
        .chain(mine.iter().map(|h| h.passage.clone()))
        .collect();
    let mut placed = placed_on(&rows, version, current, &html).into_iter();
    let quoted: Vec<(CommentId, Passage)> = quoting
        .iter()
        .map(|q| q.comment)
        .zip(placed.by_ref())
        .collect();
    let highlights: Vec<Highlight> = mine
        .into_iter()
        .zip(placed)
        .map(|(row, passage)| row.shown_with(passage))
        .collect();

    let mut marks: Vec<Mark> = Vec::new();
    let mut at: HashMap<(Option<u32>, Option<u32>, String), usize> = HashMap::new();
    for (comment, shown) in quoted {
        let count = counts.get(&comment).copied().unwrap_or(0);
        // Gone passages are told apart by their words; placed ones by
        // where they are.
        let key = match shown.placed {
            Placed::Gone => (None, None, shown.quote.clone()),
            _ => (shown.start, shown.end, String::new()),
        };
        match at.get(&key).and_then(|&i| marks.get_mut(i)) {
            Some(mark) => {
                mark.count += small(count);
                mark.comments.push(comment);
            }
            None => {
                at.insert(key, marks.len());
                marks.push(Mark {
                    passage: shown,
                    count: small(count),
                    comments: vec![comment],
                });
            }
        }
    }
    marks.sort_by_key(|m| {
        (
            m.passage.start.is_none(),
            m.passage.start,
            std::cmp::Reverse(m.passage.end),
        )
    });
    Ok(Marks {
        article_id,
        version,
        marks,
        highlights,
    })
}
