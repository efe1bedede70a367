//! Muting: anyone can choose not to read someone's comments. The muted
//! person's comments fold to "comment by a muted user" for the one who
//! muted them, with a button to show them; nobody else sees a difference
//! and the muted person is not told.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{CommentId, MuteId, UserId};
use crate::policy::{authorize, Action};
use crate::store::{exec, rows, scalar, Db, Store};
use crate::users::User;
use crate::{Error, Result};

/// Someone `user` has muted, as their list of mutes shows them: by the
/// name everyone sees, never by the username they sign in with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct MutedPerson {
    /// The mute itself, for undoing it with [`unmute`].
    pub id: MuteId,
    pub display_name: String,
}

/// Mutes (or unmutes) the author of comment `id`, for `user` only.
pub async fn set_muted_by_comment(
    store: &Store,
    user: &User,
    id: CommentId,
    muted: bool,
) -> Result<()> {
    // A deleted or removed comment no longer says who wrote it: muting by
    // it would tell (through the list of mutes), so it is treated as gone.
    let mut read = store.read().await?;
    let author = scalar!(
        UserId,
        fetch_optional,
        &mut read,
        "SELECT author_id FROM comments WHERE id = $1 AND deleted_at IS NULL",
        id
    )?;
    drop(read);
    let author = author.ok_or_else(|| Error::not_found("That comment no longer exists."))?;
    set_muted(store, user, author, muted).await
}

/// Undoes one of `user`'s own mutes (from their list of mutes). A mute
/// that is not theirs, or no longer exists, is [`Error::NotFound`]: the
/// same answer either way, so the id says nothing about anyone else.
pub async fn unmute(store: &Store, user: &User, id: MuteId) -> Result<()> {
    let mut read = store.read().await?;
    let muted = scalar!(
        UserId,
        fetch_optional,
        &mut read,
        "SELECT muted_id FROM mutes WHERE id = $1 AND user_id = $2",
        id,
        user.id
    )?;
    drop(read);
    let muted = muted.ok_or_else(|| Error::not_found("You no longer mute that person."))?;
    set_muted(store, user, muted, false).await
}

async fn set_muted(store: &Store, user: &User, target: UserId, muted: bool) -> Result<()> {
    let mut tx = store.write().await?;
    authorize(&mut tx, user, Action::Mute, Some(target)).await?;
    if muted {
        let deleted = scalar!(
            bool,
            fetch_one,
            &mut tx,
            "SELECT deleted_at IS NOT NULL FROM users WHERE id = $1",
            target
        )?;
        if deleted {
            return Err(Error::invalid(
                "That account has been deleted: there is no one to mute.",
            ));
        }
        exec!(
            &mut tx,
            "INSERT INTO mutes (id, user_id, muted_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            MuteId::new(),
            user.id,
            target,
            store.now()
        )?;
    } else {
        exec!(
            &mut tx,
            "DELETE FROM mutes WHERE user_id = $1 AND muted_id = $2",
            user.id,
            target
        )?;
    }
    tx.commit().await?;
    Ok(())
}

/// The people `user` has muted, by name.
pub async fn muted_people(store: &Store, user: &User) -> Result<Vec<MutedPerson>> {
    let mut read = store.read().await?;
    Ok(rows!(
        MutedPerson,
        fetch_all,
        &mut read,
        "SELECT m.id, u.display_name FROM mutes m JOIN users u ON u.id = m.muted_id
         WHERE m.user_id = $1 AND u.deleted_at IS NULL
         ORDER BY u.display_name",
        user.id
    )?)
}

/// The ids `user` has muted, for marking a thread's comments.
pub(crate) async fn muted_ids(db: &mut dyn Db, user: UserId) -> Result<HashSet<UserId>> {
    let rows = scalar!(
        UserId,
        fetch_all,
        db,
        "SELECT muted_id FROM mutes WHERE user_id = $1",
        user
    )?;
    Ok(rows.into_iter().collect())
}
