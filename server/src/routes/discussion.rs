//! Reading the library, articles and their discussions; posting, editing,
//! voting and moderating. Each handler is the desktop command of the same
//! name with a session token in place of the window's signed-in slot.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use parley_core::articles::Article;
use parley_core::comments::{
    self, ReplyToMe, Revision, Sort, ThreadComment, ThreadPage, ThreadQuery, VoteChoice,
    VoteOutcome,
};
use parley_core::ids::{ArticleId, CommentId};
use parley_core::library::listing::{self, LibraryPage, LibraryQuery, TagCount};
use parley_core::passages::NewPassage;
use serde::{Deserialize, Serialize};

use crate::auth::{Signed, Viewer, Writer};
use crate::extract::{Json, Query};
use crate::{ApiResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/library", post(library_page))
        .route("/api/v1/library/tags", get(library_tags))
        .route(
            "/api/v1/articles/{id}",
            get(article).delete(super::library::delete_article),
        )
        .route("/api/v1/articles/{id}/discussion", post(open_discussion))
        .route("/api/v1/articles/{id}/thread", post(thread_page))
        .route("/api/v1/articles/{id}/comments", post(post_comment))
        .route("/api/v1/articles/{id}/locked", put(set_locked))
        .route(
            "/api/v1/comments/{id}",
            get(comment_view).patch(edit_comment).delete(delete_comment),
        )
        .route("/api/v1/comments/{id}/history", get(history))
        .route("/api/v1/comments/{id}/vote", put(vote))
        .route("/api/v1/comments/{id}/collapsed", put(set_collapsed))
        .route("/api/v1/comments/{id}/removal", post(remove_comment))
        .route("/api/v1/comments/{id}/pinned", put(set_pinned))
        .route("/api/v1/me/sort", put(set_sort))
        .route("/api/v1/me/replies", get(replies_to_me))
}

async fn library_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Json(query): Json<LibraryQuery>,
) -> ApiResult<axum::Json<LibraryPage>> {
    let page = listing::page(&state.store, viewer.user(), &query).await?;
    Ok(axum::Json(page))
}

async fn library_tags(State(state): State<AppState>) -> ApiResult<axum::Json<Vec<TagCount>>> {
    Ok(axum::Json(listing::tags(&state.store).await?))
}

async fn article(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(at): Query<super::passages::AtVersion>,
) -> ApiResult<axum::Json<Article>> {
    let id = ArticleId::parse(&id)?;
    let article = listing::open_article(&state.store, viewer.user(), id, at.version).await?;
    Ok(axum::Json(article))
}

async fn open_discussion(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Json(query): Json<ThreadQuery>,
) -> ApiResult<axum::Json<ThreadPage>> {
    let id = ArticleId::parse(&id)?;
    let page = comments::open_discussion(&state.store, viewer.user(), id, &query).await?;
    Ok(axum::Json(page))
}

async fn thread_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Json(query): Json<ThreadQuery>,
) -> ApiResult<axum::Json<ThreadPage>> {
    let id = ArticleId::parse(&id)?;
    let page = comments::thread_page(&state.store, viewer.user(), id, &query).await?;
    Ok(axum::Json(page))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewComment {
    /// The id the client chose for this draft (a UUIDv7): sending the same
    /// draft again is the same comment, never a second one.
    id: String,
    parent_id: Option<String>,
    body: String,
    /// The words of the article a new top-level comment is about.
    #[serde(default)]
    passage: Option<NewPassage>,
}

#[derive(Debug, Serialize)]
struct Posted {
    id: CommentId,
}

async fn post_comment(
    State(state): State<AppState>,
    writer: Writer,
    Path(article): Path<String>,
    Json(new): Json<NewComment>,
) -> ApiResult<(StatusCode, axum::Json<Posted>)> {
    let article = ArticleId::parse(&article)?;
    let parent = new.parent_id.as_deref().map(CommentId::parse).transpose()?;
    let id = CommentId::parse(&new.id)?;
    let id = match (new.passage, parent) {
        (None, _) => comments::post_as(&state.store, &writer.user, article, parent, &new.body, id),
        (Some(passage), None) => {
            return post_about(&state, &writer, article, &passage, &new.body, id).await;
        }
        (Some(_), Some(_)) => {
            return Err(parley_core::Error::Invalid(
                "A reply answers its comment; only a new comment can quote the article.".into(),
            )
            .into())
        }
    }
    .await?;
    Ok((StatusCode::CREATED, axum::Json(Posted { id })))
}

async fn post_about(
    state: &AppState,
    writer: &Writer,
    article: ArticleId,
    passage: &NewPassage,
    body: &str,
    id: CommentId,
) -> ApiResult<(StatusCode, axum::Json<Posted>)> {
    let id = comments::post_about(&state.store, &writer.user, article, passage, body, id).await?;
    Ok((StatusCode::CREATED, axum::Json(Posted { id })))
}

async fn comment_view(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ThreadComment>> {
    let id = CommentId::parse(&id)?;
    Ok(axum::Json(
        comments::comment_view(&state.store, viewer.user(), id).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    body: String,
}

async fn edit_comment(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
    Json(edit): Json<Edit>,
) -> ApiResult<StatusCode> {
    let id = CommentId::parse(&id)?;
    comments::edit(&state.store, &writer.user, id, &edit.body).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_comment(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = CommentId::parse(&id)?;
    comments::delete(&state.store, &writer.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn history(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Vec<Revision>>> {
    let id = CommentId::parse(&id)?;
    Ok(axum::Json(comments::history(&state.store, id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Vote {
    choice: VoteChoice,
}

async fn vote(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
    Json(vote): Json<Vote>,
) -> ApiResult<axum::Json<VoteOutcome>> {
    let id = CommentId::parse(&id)?;
    let outcome = comments::vote(&state.store, &writer.user, id, vote.choice).await?;
    Ok(axum::Json(outcome))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Collapsed {
    collapsed: bool,
}

async fn set_collapsed(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
    Json(request): Json<Collapsed>,
) -> ApiResult<StatusCode> {
    let id = CommentId::parse(&id)?;
    comments::set_collapsed(&state.store, &writer.user, id, request.collapsed).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_comment(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = CommentId::parse(&id)?;
    comments::remove(&state.store, &writer.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Locked {
    locked: bool,
}

async fn set_locked(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
    Json(request): Json<Locked>,
) -> ApiResult<StatusCode> {
    let id = ArticleId::parse(&id)?;
    comments::set_locked(&state.store, &writer.user, id, request.locked).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Pinned {
    pinned: bool,
}

async fn set_pinned(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
    Json(request): Json<Pinned>,
) -> ApiResult<StatusCode> {
    let id = CommentId::parse(&id)?;
    comments::set_pinned(&state.store, &writer.user, id, request.pinned).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SortChoice {
    sort: Sort,
}

async fn set_sort(
    State(state): State<AppState>,
    writer: Writer,
    Json(request): Json<SortChoice>,
) -> ApiResult<StatusCode> {
    comments::set_preferred_sort(&state.store, &writer.user, request.sort).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn replies_to_me(
    State(state): State<AppState>,
    signed: Signed,
) -> ApiResult<axum::Json<Vec<ReplyToMe>>> {
    Ok(axum::Json(
        comments::replies_to_me(&state.store, &signed.user, 200).await?,
    ))
}
