//! Up- and down-votes: one per person and comment, never on one's own.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::checks::{ensure_open, live_comment};
use super::shape::bump_version;
use super::VoteChoice;
use crate::events::{self, Change};
use crate::ids::CommentId;
use crate::policy::{authorize, Action};
use crate::store::{exec, rows, Store};
use crate::users::User;
use crate::Result;

/// A comment's standing after a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
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
        exec!(
            &mut tx,
            "DELETE FROM votes WHERE user_id = $1 AND comment_id = $2",
            voter.id,
            id
        )?;
    } else {
        exec!(
            &mut tx,
            "INSERT INTO votes (user_id, comment_id, value, voted_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, comment_id) DO UPDATE SET value = $3, voted_at = $4",
            voter.id,
            id,
            i64::from(value),
            store.now()
        )?;
    }
    // Recount rather than adjust: the totals can never drift from the votes.
    let (up, down) = rows!(
        (i64, i64),
        fetch_one,
        &mut tx,
        "SELECT count(*) FILTER (WHERE value = 1), count(*) FILTER (WHERE value = -1)
         FROM votes WHERE comment_id = $1",
        id
    )?;
    exec!(
        &mut tx,
        "UPDATE comments SET upvotes = $1, downvotes = $2 WHERE id = $3",
        up,
        down,
        id
    )?;
    bump_version(&mut tx, article).await?;
    events::record(&mut tx, store.now(), Change::Voted, Some(article), Some(id)).await?;
    tx.commit().await?;
    Ok(VoteOutcome {
        score: i32::try_from(up - down).unwrap_or(0),
        my_vote: value,
    })
}
