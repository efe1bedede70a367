//! Passages: the marks of a discussion, reading an earlier version of an
//! article, and a person's own highlights. Highlights are only ever the
//! signed-in person's: no route takes whose they are.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::Router;
use parley_core::ids::{ArticleId, HighlightId};
use parley_core::passages::{
    self, highlights, Colour, Highlight, HighlightQuery, Marks, NewPassage,
};
use serde::Deserialize;

use crate::auth::{Signed, Viewer, Writer};
use crate::extract::{Json, Query};
use crate::{ApiResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/articles/{id}/marks", get(marks))
        .route("/api/v1/articles/{id}/highlights", post(highlight))
        .route("/api/v1/me/highlights", get(my_highlights))
        .route(
            "/api/v1/highlights/{id}",
            patch(edit_highlight).delete(delete_highlight),
        )
}

/// Which version of an article's text.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtVersion {
    pub version: Option<i64>,
}

async fn marks(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(at): Query<AtVersion>,
) -> ApiResult<axum::Json<Marks>> {
    let id = ArticleId::parse(&id)?;
    let marks = passages::marks(&state.store, viewer.user(), id, at.version).await?;
    Ok(axum::Json(marks))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewHighlight {
    passage: NewPassage,
    colour: Colour,
    #[serde(default)]
    note: String,
}

async fn highlight(
    State(state): State<AppState>,
    writer: Writer,
    Path(article): Path<String>,
    Json(new): Json<NewHighlight>,
) -> ApiResult<(StatusCode, axum::Json<Highlight>)> {
    let article = ArticleId::parse(&article)?;
    let kept = highlights::highlight(
        &state.store,
        &writer.0.user,
        article,
        &new.passage,
        new.colour,
        &new.note,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(kept)))
}

async fn my_highlights(
    State(state): State<AppState>,
    signed: Signed,
    Query(query): Query<HighlightQuery>,
) -> ApiResult<axum::Json<Vec<Highlight>>> {
    let found = highlights::my_highlights(&state.store, &signed.user, &query).await?;
    Ok(axum::Json(found))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct HighlightChange {
    colour: Colour,
    #[serde(default)]
    note: String,
}

async fn edit_highlight(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
    Json(change): Json<HighlightChange>,
) -> ApiResult<axum::Json<Highlight>> {
    let id = HighlightId::parse(&id)?;
    let edited = highlights::edit_highlight(
        &state.store,
        &writer.0.user,
        id,
        change.colour,
        &change.note,
    )
    .await?;
    Ok(axum::Json(edited))
}

async fn delete_highlight(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = HighlightId::parse(&id)?;
    highlights::delete_highlight(&state.store, &writer.0.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
