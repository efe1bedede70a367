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
pub mod ops;
pub mod options;
mod routes;
pub mod serve;
pub mod tls;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use parley_core::library::fetch::{FetchPolicy, Fetcher};
use parley_core::library::jobs::Jobs;
use parley_core::library::work;
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

/// What every request handler shares: the store, the settings, the feed
/// of live events, and the library's background work (one refresher for
/// the whole group).
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub live: live::Live,
    pub jobs: Arc<Jobs>,
    /// This process's figures, for `/metrics`.
    pub metrics: Arc<ops::Metrics>,
}

/// How often the feeds that are due are refreshed.
const REFRESH_EVERY: Duration = Duration::from_secs(60);

impl AppState {
    /// The state for a server on `store`, following its events and keeping
    /// its feeds current. Fails when the HTTP client for fetching cannot be
    /// set up (no certificate authorities).
    pub fn new(store: Store, config: Config) -> parley_core::Result<Self> {
        let live = live::Live::start(store.clone(), &config.database);
        let policy = if config.fetch_loopback {
            FetchPolicy::allowing_loopback()
        } else {
            FetchPolicy::default()
        };
        let fetcher = Fetcher::new(policy)
            .map_err(|e| parley_core::Error::Internal(format!("the HTTP client: {e}")))?;
        let jobs = Jobs::new(store.clone(), fetcher);
        keep_feeds_current(Arc::downgrade(&jobs), store.clone());
        Ok(Self {
            store,
            config: Arc::new(config),
            live,
            jobs,
            metrics: Arc::default(),
        })
    }
}

/// Refreshes the feeds that are due each minute, for as long as the
/// server's jobs exist. With several server processes on one database each
/// looks, and each feed is refreshed by one of them at a time: a refresh
/// holds its feed in the database while it runs (`sources::refresh`).
fn keep_feeds_current(jobs: std::sync::Weak<Jobs>, store: Store) {
    tokio::spawn(async move {
        loop {
            let Some(jobs) = jobs.upgrade() else { return };
            if let Err(e) = work::refresh_due(&jobs, &store).await {
                tracing::warn!("could not check which feeds are due: {e}");
            }
            drop(jobs);
            tokio::time::sleep(REFRESH_EVERY).await;
        }
    });
}

/// The whole API, ready to serve: every route, timed and counted, the
/// limits on size and time, the `{ kind, message }` answers for unknown
/// routes and methods, and a caught panic answered as a plain 500.
pub fn router(state: AppState) -> Router {
    routes::api()
        .merge(ops::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::track,
        ))
        .fallback(ops::unmatched)
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
