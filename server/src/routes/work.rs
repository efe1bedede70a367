//! The library's long work: following feeds, saving pages, refreshing,
//! and the jobs that do it. Each handler is the desktop command of the
//! same name; the work runs on the server, for the whole group.

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use parley_core::ids::SourceId;
use parley_core::library::jobs::JobView;
use parley_core::library::{files, work};
use serde::{Deserialize, Serialize};

use crate::auth::{Viewer, Writer};
use crate::extract::{Body, Json, Query};
use crate::{ApiResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/feeds", post(follow_feed))
        .route("/api/v1/pages", post(save_page))
        .route("/api/v1/sources/refresh", post(refresh_all))
        .route("/api/v1/sources/{id}/refresh", post(refresh_source))
        .route(
            "/api/v1/imports",
            // A file may be far larger than any other request.
            post(import).layer(DefaultBodyLimit::max(FILE_BODY_BYTES)),
        )
        .route("/api/v1/jobs", get(list))
        .route("/api/v1/jobs/{id}/cancel", post(cancel))
        .route("/api/v1/jobs/{id}/retry", post(retry))
}

/// The largest file accepted for import, with room for nothing else.
const FILE_BODY_BYTES: usize = files::MAX_FILE_BYTES as usize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileName {
    name: String,
}

/// Imports one file: the body is its bytes, `?name=` its name (which says
/// what kind of file it is). 202 with the job, or `{"job": null}` for an
/// OPML file with no feed that is not followed already.
async fn import(
    State(state): State<AppState>,
    writer: Writer,
    Query(file): Query<FileName>,
    Body(body): Body,
) -> ApiResult<(StatusCode, axum::Json<Started>)> {
    let job = work::import_file(
        &state.jobs,
        &state.store,
        writer.user.clone(),
        &file.name,
        body.to_vec(),
    )
    .await?;
    Ok((StatusCode::ACCEPTED, axum::Json(Started { job })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Address {
    address: String,
}

/// The job a request started (or none, for a retry with nothing left).
#[derive(Debug, Serialize)]
struct Started {
    job: Option<u64>,
}

fn started(job: u64) -> (StatusCode, axum::Json<Started>) {
    (StatusCode::ACCEPTED, axum::Json(Started { job: Some(job) }))
}

async fn follow_feed(
    State(state): State<AppState>,
    writer: Writer,
    Json(request): Json<Address>,
) -> ApiResult<(StatusCode, axum::Json<Started>)> {
    let job = work::follow_feed(&state.jobs, writer.user.clone(), &request.address)?;
    Ok(started(job))
}

async fn save_page(
    State(state): State<AppState>,
    writer: Writer,
    Json(request): Json<Address>,
) -> ApiResult<(StatusCode, axum::Json<Started>)> {
    let job = work::save_page(&state.jobs, writer.user.clone(), &request.address)?;
    Ok(started(job))
}

async fn refresh_all(
    State(state): State<AppState>,
    writer: Writer,
) -> ApiResult<(StatusCode, axum::Json<Started>)> {
    let job = work::refresh_all(&state.jobs, &state.store, writer.user.clone()).await?;
    Ok(started(job))
}

async fn refresh_source(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, axum::Json<Started>)> {
    let id = SourceId::parse(&id)?;
    let job = work::refresh_source(&state.jobs, &state.store, writer.user.clone(), id).await?;
    Ok(started(job))
}

/// The jobs the asker may see: their own, the scheduled refreshes, and
/// everyone's for the admin.
async fn list(State(state): State<AppState>, viewer: Viewer) -> axum::Json<Vec<JobView>> {
    axum::Json(state.jobs.visible_to(viewer.user()))
}

fn job_id(id: &str) -> ApiResult<u64> {
    id.parse()
        .map_err(|_| parley_core::Error::NotFound("There is no such job.".into()).into())
}

async fn cancel(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.jobs.cancel(job_id(&id)?, &writer.user)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn retry(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Started>> {
    let job = state.jobs.retry(job_id(&id)?, &writer.user)?;
    Ok(axum::Json(Started { job }))
}
