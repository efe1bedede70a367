//! Signing in and out, one's own sessions and account.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::Router;
use parley_core::accounts::{self, NewAccount, User};
use parley_core::ids::SessionId;
use parley_core::membership::Ticket;
use parley_core::session::stored::{self, Begun, Kind, SessionInfo};
use serde::{Deserialize, Serialize};

use crate::auth::{ClientAddr, Signed, Writer};
use crate::extract::Json;
use crate::{limits, ApiResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/accounts", post(join))
        .route("/api/v1/sessions", post(sign_in).get(sessions))
        .route("/api/v1/sessions/current", delete(sign_out))
        .route("/api/v1/sessions/others", delete(end_others))
        .route("/api/v1/sessions/{id}", delete(end_one))
        .route("/api/v1/me", get(me).delete(delete_account))
        .route("/api/v1/me/display-name", put(set_display_name))
        .route("/api/v1/me/password", put(change_password))
}

/// A session that has just begun: the token is shown to this client once.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedIn {
    user: User,
    session_id: SessionId,
    token: String,
}

impl SignedIn {
    fn new(user: User, begun: Begun) -> Self {
        Self {
            user,
            session_id: begun.id,
            token: begun.token.reveal().to_owned(),
        }
    }
}

/// What a client names itself in its owner's list of sessions.
fn label_or_default(label: Option<String>) -> String {
    label
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_else(|| "A Parley client".into())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Join {
    username: String,
    display_name: String,
    password: String,
    /// The server's setup code, for its first account.
    setup_code: Option<String>,
    /// An invite's code.
    invite: Option<String>,
    label: Option<String>,
}

/// Makes an account (with the setup code, an invite, or by open sign-up)
/// and signs it in, as on the desktop.
async fn join(
    State(state): State<AppState>,
    addr: ClientAddr,
    Json(request): Json<Join>,
) -> ApiResult<(StatusCode, axum::Json<SignedIn>)> {
    limits::join(&state, addr).await?;
    let ticket = match (&request.setup_code, &request.invite) {
        (Some(code), _) => Ticket::SetupCode(code),
        (None, Some(code)) => Ticket::Invite(code),
        (None, None) => Ticket::Nothing,
    };
    let new = NewAccount {
        username: request.username,
        display_name: request.display_name,
        password: request.password,
    };
    let user = accounts::join(&state.store, new, ticket).await?;
    // A new account starts at session generation 0.
    let label = label_or_default(request.label);
    let begun = stored::begin(&state.store, &user, 0, Kind::Server, &label).await?;
    Ok((StatusCode::CREATED, axum::Json(SignedIn::new(user, begun))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    username: String,
    password: String,
    label: Option<String>,
}

async fn sign_in(
    State(state): State<AppState>,
    addr: ClientAddr,
    Json(request): Json<SignIn>,
) -> ApiResult<(StatusCode, axum::Json<SignedIn>)> {
    limits::sign_in(&state, addr).await?;
    let (user, begun) = stored::sign_in(
        &state.store,
        &request.username,
        request.password,
        Kind::Server,
        &label_or_default(request.label),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(SignedIn::new(user, begun))))
}

async fn sessions(
    State(state): State<AppState>,
    signed: Signed,
) -> ApiResult<axum::Json<Vec<SessionInfo>>> {
    let listed = stored::list(&state.store, &signed.user, signed.session).await?;
    Ok(axum::Json(listed))
}

async fn sign_out(State(state): State<AppState>, signed: Signed) -> ApiResult<StatusCode> {
    stored::end(&state.store, &signed.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
struct Ended {
    ended: u64,
}

async fn end_others(State(state): State<AppState>, signed: Signed) -> ApiResult<axum::Json<Ended>> {
    let ended = stored::end_others(&state.store, &signed.user, signed.session).await?;
    Ok(axum::Json(Ended { ended }))
}

async fn end_one(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = SessionId::parse(&id)?;
    if stored::end_one(&state.store, &signed.user, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(parley_core::Error::NotFound("You have no such session.".into()).into())
    }
}

async fn me(signed: Signed) -> axum::Json<User> {
    axum::Json(signed.user)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DisplayName {
    display_name: String,
}

async fn set_display_name(
    State(state): State<AppState>,
    writer: Writer,
    Json(request): Json<DisplayName>,
) -> ApiResult<axum::Json<User>> {
    let user =
        accounts::set_display_name(&state.store, &writer.user, &request.display_name).await?;
    Ok(axum::Json(user))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PasswordChange {
    current: String,
    new_password: String,
}

/// Changes the password; every other session of the account ends.
async fn change_password(
    State(state): State<AppState>,
    signed: Signed,
    addr: ClientAddr,
    Json(request): Json<PasswordChange>,
) -> ApiResult<StatusCode> {
    limits::sign_in(&state, addr).await?;
    accounts::change_password(
        &state.store,
        &signed.user,
        request.current,
        request.new_password,
        Some(signed.session),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Confirm {
    password: String,
}

async fn delete_account(
    State(state): State<AppState>,
    signed: Signed,
    addr: ClientAddr,
    Json(request): Json<Confirm>,
) -> ApiResult<StatusCode> {
    limits::sign_in(&state, addr).await?;
    accounts::delete_account(&state.store, &signed.user, request.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
