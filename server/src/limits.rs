//! How much a client may ask: request time, and rates per account and per
//! address, counted in the database (`parley_core::rate`) so that every
//! server process counts the same requests.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parley_core::rate::{self, Limit};

use crate::auth::ClientAddr;
use crate::{ApiError, ApiResult, AppState, REQUEST_TIME_LIMIT};

/// Gives up a request whose answer has not begun within the time limit.
pub async fn time_limit(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIME_LIMIT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::TimedOut.into_response(),
    }
}

/// Counts one request of `what` against `key`, refusing it with 429 and
/// Retry-After once the window is spent.
async fn spend(state: &AppState, what: &str, key: &str, limit: Limit) -> ApiResult<()> {
    match rate::spend(&state.store, &format!("{what} {key}"), limit).await? {
        None => Ok(()),
        Some(wait_ms) => Err(ApiError::TooMany {
            retry_after_secs: u64::try_from((wait_ms + 999) / 1000).unwrap_or(1).max(1),
        }),
    }
}

/// A sign-in attempt from `addr`.
pub async fn sign_in(state: &AppState, addr: ClientAddr) -> ApiResult<()> {
    let limit = state.config.limits.sign_in_per_address;
    spend(state, "sign-in", &addr.to_string(), limit).await
}

/// A new account from `addr`.
pub async fn join(state: &AppState, addr: ClientAddr) -> ApiResult<()> {
    let limit = state.config.limits.join_per_address;
    spend(state, "join", &addr.to_string(), limit).await
}

/// A write by `user` from `addr`.
pub async fn write(
    state: &AppState,
    user: &parley_core::accounts::User,
    addr: ClientAddr,
) -> ApiResult<()> {
    let limits = state.config.limits;
    spend(
        state,
        "write-account",
        &user.id.to_string(),
        limits.writes_per_account,
    )
    .await?;
    spend(
        state,
        "write-address",
        &addr.to_string(),
        limits.writes_per_address,
    )
    .await
}
