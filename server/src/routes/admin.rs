//! The admin's pages: the accounts on this server, and what may be done
//! to them. Usernames appear only here, to the admin, as on the desktop.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use parley_core::admin::{self, AccountSummary};

use crate::auth::{Signed, Writer};
use crate::{ApiResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/accounts", get(accounts))
        .route("/api/v1/admin/accounts/{username}/{change}", post(change))
}

async fn accounts(
    State(state): State<AppState>,
    signed: Signed,
) -> ApiResult<axum::Json<Vec<AccountSummary>>> {
    Ok(axum::Json(
        admin::list_accounts(&state.store, &signed.user).await?,
    ))
}

/// Promotes, demotes, disables or enables the account `username`.
async fn change(
    State(state): State<AppState>,
    writer: Writer,
    Path((username, change)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (store, actor) = (&state.store, &writer.user);
    match change.as_str() {
        "promote" => admin::promote(store, actor, &username).await?,
        "demote" => admin::demote(store, actor, &username).await?,
        "disable" => admin::disable(store, actor, &username).await?,
        "enable" => admin::enable(store, actor, &username).await?,
        _ => return Err(crate::ApiError::NoRoute),
    }
    Ok(StatusCode::NO_CONTENT)
}
