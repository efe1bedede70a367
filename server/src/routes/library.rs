//! The library's sources, marking read, deleting an article, search, and
//! each person's mutes. Each handler is the desktop command of the same
//! name with a session token in place of the window's signed-in slot.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::Router;
use parley_core::ids::{ArticleId, CommentId, ImageId, MuteId, SourceId};
use parley_core::library::images;
use parley_core::library::listing::{self, LibraryQuery};
use parley_core::library::opml;
use parley_core::library::sources::{self, Source};
use parley_core::mutes::{self, MutedPerson};
use parley_core::search::{self, SearchQuery, SearchResults};
use parley_core::{articles, export};
use serde::{Deserialize, Serialize};

use crate::auth::{Signed, Viewer, Writer};
use crate::extract::{Json, Query};
use crate::{ApiResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/library/read", post(mark_all_read))
        .route("/api/v1/sources", get(list_sources))
        .route("/api/v1/sources/{id}", delete(remove_source))
        .route("/api/v1/sources/{id}/interval", put(set_interval))
        .route("/api/v1/search", post(search))
        .route("/api/v1/search/sources", get(search_sources))
        .route("/api/v1/comments/{id}/author-muted", put(set_author_muted))
        .route("/api/v1/me/mutes", get(muted_people))
        .route("/api/v1/me/mutes/{id}", delete(unmute))
        .route("/api/v1/images/{id}", get(image))
        .route("/api/v1/articles/{id}/export", get(export_article))
        .route("/api/v1/me/subscriptions", get(subscriptions))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    format: export::Format,
}

/// An article and its discussion as Markdown or JSON (`?format=`), with
/// the name to save it under.
async fn export_article(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<ExportQuery>,
) -> ApiResult<axum::Json<export::Exported>> {
    let id = ArticleId::parse(&id)?;
    Ok(axum::Json(
        export::article(&state.store, id, query.format).await?,
    ))
}

/// The feeds the asker follows, as OPML.
async fn subscriptions(
    State(state): State<AppState>,
    signed: Signed,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let opml = opml::export(&state.store, &signed.user).await?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/x-opml; charset=utf-8",
        )],
        opml,
    )
        .into_response())
}

/// An image stored with an article, for the desktop's image scheme (the
/// page never loads anything remote, the server's images included).
async fn image(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let id = ImageId::parse(&id)?;
    let (content_type, bytes) = images::stored(&state.store, id)
        .await?
        .ok_or_else(|| parley_core::Error::NotFound("There is no such image.".into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_owned(),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Serialize)]
struct Marked {
    marked: u64,
}

async fn mark_all_read(
    State(state): State<AppState>,
    writer: Writer,
    Json(query): Json<LibraryQuery>,
) -> ApiResult<axum::Json<Marked>> {
    let marked = listing::mark_all_read(&state.store, &writer.user, &query).await?;
    Ok(axum::Json(Marked { marked }))
}

/// `DELETE /api/v1/articles/{id}` (routed beside reading it).
pub(super) async fn delete_article(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = ArticleId::parse(&id)?;
    articles::delete_article(&state.store, &writer.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_sources(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<axum::Json<Vec<Source>>> {
    Ok(axum::Json(
        sources::list(&state.store, viewer.user()).await?,
    ))
}

async fn remove_source(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = SourceId::parse(&id)?;
    sources::remove(&state.store, &writer.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Interval {
    minutes: u32,
}

async fn set_interval(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
    Json(request): Json<Interval>,
) -> ApiResult<StatusCode> {
    let id = SourceId::parse(&id)?;
    sources::set_refresh_minutes(&state.store, &writer.user, id, request.minutes).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    Json(query): Json<SearchQuery>,
) -> ApiResult<axum::Json<SearchResults>> {
    Ok(axum::Json(
        search::search(&state.store, viewer.user(), &query).await?,
    ))
}

async fn search_sources(State(state): State<AppState>) -> ApiResult<axum::Json<Vec<String>>> {
    Ok(axum::Json(search::source_names(&state.store).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Muted {
    muted: bool,
}

async fn set_author_muted(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
    Json(request): Json<Muted>,
) -> ApiResult<StatusCode> {
    let id = CommentId::parse(&id)?;
    mutes::set_muted_by_comment(&state.store, &writer.user, id, request.muted).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn muted_people(
    State(state): State<AppState>,
    signed: Signed,
) -> ApiResult<axum::Json<Vec<MutedPerson>>> {
    Ok(axum::Json(
        mutes::muted_people(&state.store, &signed.user).await?,
    ))
}

async fn unmute(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = MuteId::parse(&id)?;
    mutes::unmute(&state.store, &writer.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
