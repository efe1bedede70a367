//! What a server says about itself, and who may join it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::Router;
use parley_core::ids::InviteId;
use parley_core::membership::{self, InviteInfo, NewInvite, SignUp};
use serde::{Deserialize, Serialize};

use super::API_VERSION;
use crate::auth::{Signed, Writer};
use crate::extract::Json;
use crate::{ApiResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/server", get(about))
        .route("/api/v1/invites", post(create_invite).get(invites))
        .route("/api/v1/invites/{id}", delete(withdraw_invite))
        .route("/api/v1/sign-up", put(set_sign_up))
}

/// What a client checks before it talks to a server: that it is Parley,
/// which API it speaks, and how to join.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct About {
    product: &'static str,
    version: &'static str,
    api_version: u32,
    /// No account yet: the first needs the setup code.
    needs_setup: bool,
    sign_up: SignUp,
}

async fn about(State(state): State<AppState>) -> ApiResult<axum::Json<About>> {
    let needs_setup = membership::needs_setup(&state.store).await?;
    Ok(axum::Json(About {
        product: "parley",
        version: env!("CARGO_PKG_VERSION"),
        api_version: API_VERSION,
        needs_setup,
        sign_up: membership::sign_up_setting(&state.store).await?,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteRequest {
    days: u32,
}

async fn create_invite(
    State(state): State<AppState>,
    writer: Writer,
    Json(request): Json<InviteRequest>,
) -> ApiResult<(StatusCode, axum::Json<NewInvite>)> {
    let invite = membership::create_invite(&state.store, &writer.user, request.days).await?;
    Ok((StatusCode::CREATED, axum::Json(invite)))
}

async fn invites(
    State(state): State<AppState>,
    signed: Signed,
) -> ApiResult<axum::Json<Vec<InviteInfo>>> {
    Ok(axum::Json(
        membership::invites(&state.store, &signed.user).await?,
    ))
}

async fn withdraw_invite(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = InviteId::parse(&id)?;
    membership::withdraw_invite(&state.store, &writer.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignUpRequest {
    sign_up: SignUp,
}

async fn set_sign_up(
    State(state): State<AppState>,
    writer: Writer,
    Json(request): Json<SignUpRequest>,
) -> ApiResult<StatusCode> {
    membership::set_sign_up(&state.store, &writer.user, request.sign_up).await?;
    Ok(StatusCode::NO_CONTENT)
}
