use parley_core::comments::{
    self, ReplyToMe, Revision, Sort, ThreadComment, ThreadPage, ThreadQuery, VoteChoice,
    VoteOutcome,
};
use parley_core::ids::{ArticleId, CommentId};
use parley_core::passages::NewPassage;
use parley_core::Error;
use tauri::State;

use crate::AppState;

/// Opens a discussion: records the signed-in reader's visit, returns the
/// first page.
#[tauri::command]
pub async fn open_discussion(
    state: State<'_, AppState>,
    article_id: String,
    query: ThreadQuery,
) -> Result<ThreadPage, Error> {
    if let Some(server) = state.server() {
        return server
            .open_discussion(ArticleId::parse(&article_id)?, &query)
            .await;
    }
    let viewer = state.session.viewer(&state.store).await?;
    let article_id = ArticleId::parse(&article_id)?;
    comments::open_discussion(&state.store, viewer.as_ref(), article_id, &query).await
}

#[tauri::command]
pub async fn load_thread(
    state: State<'_, AppState>,
    article_id: String,
    query: ThreadQuery,
) -> Result<ThreadPage, Error> {
    if let Some(server) = state.server() {
        return server
            .thread_page(ArticleId::parse(&article_id)?, &query)
            .await;
    }
    let viewer = state.session.viewer(&state.store).await?;
    let article_id = ArticleId::parse(&article_id)?;
    comments::thread_page(&state.store, viewer.as_ref(), article_id, &query).await
}

/// One comment as the reader sees it now: what the page refreshes in place
/// after posting, editing or deleting it.
#[tauri::command]
pub async fn comment_view(
    state: State<'_, AppState>,
    comment_id: String,
) -> Result<ThreadComment, Error> {
    if let Some(server) = state.server() {
        return server.comment_view(CommentId::parse(&comment_id)?).await;
    }
    let viewer = state.session.viewer(&state.store).await?;
    let comment_id = CommentId::parse(&comment_id)?;
    comments::comment_view(&state.store, viewer.as_ref(), comment_id).await
}

/// Posts as whoever is signed in; returns the new comment's id. The id is
/// the one the window chose for this draft when it was first sent, so that
/// sending it again (after an error it could not tell apart from a lost
/// answer) is the same comment, not a second.
#[tauri::command]
pub async fn post_comment(
    state: State<'_, AppState>,
    article_id: String,
    parent_id: Option<String>,
    body: String,
    id: String,
    passage: Option<NewPassage>,
) -> Result<CommentId, Error> {
    if let Some(server) = state.server() {
        let (article_id, parent_id, id) =
            posting(&article_id, parent_id.as_deref(), &id, &passage)?;
        return server
            .post_comment(article_id, parent_id, &body, id, passage.as_ref())
            .await;
    }
    // Who is acting comes first: nobody signed in is told so, whatever
    // else the page sent.
    let author = state.session.actor(&state.store).await?;
    let (article_id, parent_id, id) = posting(&article_id, parent_id.as_deref(), &id, &passage)?;
    match &passage {
        Some(passage) => {
            comments::post_about(&state.store, &author, article_id, passage, &body, id).await
        }
        None => comments::post_as(&state.store, &author, article_id, parent_id, &body, id).await,
    }
}

/// The ids a post names, read; a reply that quotes the article refused.
fn posting(
    article_id: &str,
    parent_id: Option<&str>,
    id: &str,
    passage: &Option<NewPassage>,
) -> Result<(ArticleId, Option<CommentId>, CommentId), Error> {
    let parent_id = parent_id.map(CommentId::parse).transpose()?;
    if parent_id.is_some() && passage.is_some() {
        return Err(Error::Invalid(
            "A reply answers its comment; only a new comment can quote the article.".into(),
        ));
    }
    Ok((
        ArticleId::parse(article_id)?,
        parent_id,
        CommentId::parse(id)?,
    ))
}

#[tauri::command]
pub async fn edit_comment(
    state: State<'_, AppState>,
    comment_id: String,
    body: String,
) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server
            .edit_comment(CommentId::parse(&comment_id)?, &body)
            .await;
    }
    let editor = state.session.actor(&state.store).await?;
    comments::edit(&state.store, &editor, CommentId::parse(&comment_id)?, &body).await
}

#[tauri::command]
pub async fn delete_comment(state: State<'_, AppState>, comment_id: String) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.delete_comment(CommentId::parse(&comment_id)?).await;
    }
    let actor = state.session.actor(&state.store).await?;
    comments::delete(&state.store, &actor, CommentId::parse(&comment_id)?).await
}

#[tauri::command]
pub async fn comment_history(
    state: State<'_, AppState>,
    comment_id: String,
) -> Result<Vec<Revision>, Error> {
    if let Some(server) = state.server() {
        return server.comment_history(CommentId::parse(&comment_id)?).await;
    }
    comments::history(&state.store, CommentId::parse(&comment_id)?).await
}

#[tauri::command]
pub async fn vote(
    state: State<'_, AppState>,
    comment_id: String,
    choice: VoteChoice,
) -> Result<VoteOutcome, Error> {
    if let Some(server) = state.server() {
        return server.vote(CommentId::parse(&comment_id)?, choice).await;
    }
    let voter = state.session.actor(&state.store).await?;
    comments::vote(&state.store, &voter, CommentId::parse(&comment_id)?, choice).await
}

#[tauri::command]
pub async fn set_thread_sort(state: State<'_, AppState>, sort: Sort) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.set_thread_sort(sort).await;
    }
    let user = state.session.actor(&state.store).await?;
    comments::set_preferred_sort(&state.store, &user, sort).await
}

#[tauri::command]
pub async fn set_collapsed(
    state: State<'_, AppState>,
    comment_id: String,
    collapsed: bool,
) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server
            .set_collapsed(CommentId::parse(&comment_id)?, collapsed)
            .await;
    }
    let user = state.session.actor(&state.store).await?;
    comments::set_collapsed(
        &state.store,
        &user,
        CommentId::parse(&comment_id)?,
        collapsed,
    )
    .await
}

#[tauri::command]
pub async fn replies_to_me(state: State<'_, AppState>) -> Result<Vec<ReplyToMe>, Error> {
    if let Some(server) = state.server() {
        return server.replies_to_me().await;
    }
    let user = state.session.actor(&state.store).await?;
    comments::replies_to_me(&state.store, &user, 200).await
}

/// Removes anyone's comment as the admin: "[removed by moderator]".
#[tauri::command]
pub async fn remove_comment(state: State<'_, AppState>, comment_id: String) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.remove_comment(CommentId::parse(&comment_id)?).await;
    }
    let actor = state.session.actor(&state.store).await?;
    comments::remove(&state.store, &actor, CommentId::parse(&comment_id)?).await
}

#[tauri::command]
pub async fn set_discussion_locked(
    state: State<'_, AppState>,
    article_id: String,
    locked: bool,
) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server
            .set_locked(ArticleId::parse(&article_id)?, locked)
            .await;
    }
    let actor = state.session.actor(&state.store).await?;
    let article_id = ArticleId::parse(&article_id)?;
    comments::set_locked(&state.store, &actor, article_id, locked).await
}

#[tauri::command]
pub async fn set_comment_pinned(
    state: State<'_, AppState>,
    comment_id: String,
    pinned: bool,
) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server
            .set_pinned(CommentId::parse(&comment_id)?, pinned)
            .await;
    }
    let actor = state.session.actor(&state.store).await?;
    let comment_id = CommentId::parse(&comment_id)?;
    comments::set_pinned(&state.store, &actor, comment_id, pinned).await
}

/// Exactly the HTML posting `body` would store, for the Preview tab, or
/// the error posting it would meet. Async, so it runs on the runtime's
/// threads and never holds up the window's.
#[tauri::command]
pub async fn preview_markdown(body: String) -> Result<String, Error> {
    comments::preview(&body)
}
