//! What a change to a discussion checks before it writes: that the
//! article is still there, that its discussion is open, and that the
//! comment it is about still stands. Writing, moderating and voting all
//! ask these, inside their own write transactions.

use crate::clock::Millis;
use crate::ids::{ArticleId, CommentId, UserId};
use crate::store::{rows, scalar, Db};
use crate::{Error, Result};

/// Refuses anything about an article that is no longer in the library.
pub(super) async fn ensure_article_exists(db: &mut dyn Db, id: ArticleId) -> Result<()> {
    let found = scalar!(
        bool,
        fetch_one,
        db,
        "SELECT EXISTS (SELECT 1 FROM articles WHERE id = $1)",
        id
    )?;
    found
        .then_some(())
        .ok_or_else(|| Error::not_found("That article is no longer in the library."))
}

/// A comment that exists and has not been removed.
#[derive(sqlx::FromRow)]
pub(super) struct LiveComment {
    pub(super) article_id: ArticleId,
    pub(super) parent_id: Option<CommentId>,
    pub(super) author_id: UserId,
    pub(super) body: String,
    pub(super) body_html: Option<String>,
    pub(super) created_at: Millis,
    pub(super) edited_at: Option<Millis>,
}

/// The comment `id`, or [`Error::NotFound`] if it is missing or removed.
pub(super) async fn live_comment(db: &mut dyn Db, id: CommentId) -> Result<LiveComment> {
    rows!(
        LiveComment,
        fetch_optional,
        db,
        "SELECT article_id, parent_id, author_id, body, body_html, created_at, edited_at
         FROM comments WHERE id = $1 AND deleted_at IS NULL",
        id
    )?
    .ok_or_else(|| Error::not_found("That comment no longer exists."))
}

/// Refuses writing to a locked discussion (and to a missing article).
pub(super) async fn ensure_open(db: &mut dyn Db, article_id: ArticleId) -> Result<()> {
    let locked = scalar!(
        bool,
        fetch_optional,
        db,
        "SELECT locked_at IS NOT NULL FROM articles WHERE id = $1",
        article_id
    )?;
    match locked {
        None => Err(Error::not_found(
            "That article is no longer in the library.",
        )),
        Some(true) => Err(Error::Forbidden(
            "This discussion is locked: it can be read but not added to.".into(),
        )),
        Some(false) => Ok(()),
    }
}
