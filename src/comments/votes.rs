//! Up- and down-votes: one per person and comment, never on one's own.

use serde::Serialize;
use ts_rs::TS;

use super::checks::{ensure_open, live_comment};
use super::shape::bump_version;
use super::VoteChoice;
use crate::ids::CommentId;
use crate::policy::{authorize, Action};
use crate::store::Store;
use crate::users::User;
use crate::Result;

/// A comment's standing after a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct VoteOutcome {
    pub score: i32,
    /// -1, 0 or 1.
    pub my_vote: i8,
}

/// Records `voter`'s vote on a comment, replacing any earlier one
/// (`VoteChoice::None` withdraws it), and returns the new score.
///
/// Fails with [`crate::Error::Forbidden`] on the voter's own comment or in a
/// locked discussion, and [`crate::Error::NotFound`] on a missing or
/// deleted one.
pub async fn vote(
    store: &Store,
    voter: &User,
    id: CommentId,
    choice: VoteChoice,
) -> Result<VoteOutcome> {
    let mut tx = store.write().await?;
    let comment = live_comment(&mut tx, id).await?;
    authorize(&mut tx, voter, Action::Vote, Some(comment.author_id)).await?;
    ensure_open(&mut tx, comment.article_id).await?;
    let article = comment.article_id;
    let value: i8 = match choice {
        VoteChoice::Up => 1,
        VoteChoice::Down => -1,
        VoteChoice::None => 0,
    };
    if value == 0 {
        sqlx::query("DELETE FROM votes WHERE user_id = ? AND comment_id = ?")
            .bind(voter.id)
            .bind(id)
            .execute(tx.sqlite_conn())
            .await?;
    } else {
        sqlx::query(
            "INSERT INTO votes (user_id, comment_id, value, voted_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (user_id, comment_id) DO UPDATE SET value = ?3, voted_at = ?4",
        )
        .bind(voter.id)
        .bind(id)
        .bind(value)
        .bind(store.now())
        .execute(tx.sqlite_conn())
        .await?;
    }
    // Recount rather than adjust: the totals can never drift from the votes.
    let (up, down): (i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(value = 1), 0), coalesce(sum(value = -1), 0)
         FROM votes WHERE comment_id = ?",
    )
    .bind(id)
    .fetch_one(tx.sqlite_conn())
    .await?;
    sqlx::query("UPDATE comments SET upvotes = ?, downvotes = ? WHERE id = ?")
        .bind(up)
        .bind(down)
        .bind(id)
        .execute(tx.sqlite_conn())
        .await?;
    bump_version(&mut tx, article).await?;
    tx.commit().await?;
    Ok(VoteOutcome {
        score: i32::try_from(up - down).unwrap_or(0),
        my_vote: value,
    })
}
