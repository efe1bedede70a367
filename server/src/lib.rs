//! parley-server: Parley's rules for a group, as a JSON HTTP API.
//!
//! Every route is a thin door onto the same parley-core function the
//! desktop's Tauri command calls: it reads the request, asks the session
//! who is acting ([`auth`]), and hands both to the core, which checks the
//! rule through `policy::authorize` as it does for the desktop. Nothing a
//! client sends says who it is but its session token. The server keeps no
//! state of its own beyond the database, so several processes can share
//! one.

pub mod auth;
pub mod config;
pub mod error;
mod extract;
pub mod limits;
pub mod live;
mod routes;
pub mod serve;
pub mod tls;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use parley_core::store::Store;

pub use config::Config;
pub use error::{ApiError, ApiResult};

/// The largest request body accepted: comfortably more than the longest
/// comment, far less than anything that could tie up the server.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// How long a request may take before it is given up and answered "try
/// again" (a response that has begun, such as an event stream, is not
/// cut off).
pub const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(30);

/// What every request handler shares: the store, the settings, and the
/// feed of live events.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub live: live::Live,
}

impl AppState {
    /// The state for a server on `store`, following its events.
    pub fn new(store: Store, config: Config) -> Self {
        let live = live::Live::start(store.clone(), &config.database);
        Self {
            store,
            config: Arc::new(config),
            live,
        }
    }
}

/// The whole API, ready to serve: every route, the limits on size and
/// time, the `{ kind, message }` answers for unknown routes and methods,
/// and a caught panic answered as a plain 500.
pub fn router(state: AppState) -> Router {
    routes::api()
        .fallback(|| async { ApiError::NoRoute })
        .method_not_allowed_fallback(|| async { ApiError::WrongMethod })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(limits::time_limit))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_panic: Box<dyn std::any::Any + Send>| {
                tracing::error!("a request handler panicked");
                axum::response::IntoResponse::into_response(ApiError::Internal)
            },
        ))
        .with_state(state)
}
