//! The event stream: `GET /api/v1/events`, as server-sent events.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::Sse;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::auth::Viewer;
use crate::{live, ApiError, ApiResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/events", get(events))
}

/// Changes as they happen, resumed after the `Last-Event-ID` header (as
/// a browser's EventSource sends it on reconnecting) or `?after=N`.
/// Events carry ids, never text, so anyone who may read may listen; a
/// token sent must still be a live session.
async fn events(
    State(state): State<AppState>,
    _viewer: Viewer,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let malformed = || ApiError::Malformed("Ask for events after=N, an event id.".into());
    let from_query = match query.as_deref() {
        None | Some("") => None,
        Some(q) => Some(
            q.strip_prefix("after=")
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or_else(malformed)?,
        ),
    };
    let header = headers
        .get("last-event-id")
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or_else(|| ApiError::Malformed("Last-Event-ID must be an event id.".into()))
        })
        .transpose()?;
    let after = header.or(from_query).filter(|a| *a >= 0);
    let stream = live::stream(
        &state.live,
        state.store.clone(),
        after,
        state.metrics.stream_opened(),
    )
    .await?;
    Ok(Sse::new(stream).keep_alive(live::keep_alive()))
}
