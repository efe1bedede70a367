//! What the running app holds on to between commands.

use std::sync::Arc;

use parley_core::library::fetch::{FetchPolicy, Fetcher};
use parley_core::library::jobs::Jobs;
use parley_core::session::Session;
use parley_core::store::Store;

/// Set to `1` to let a debug build fetch from 127.0.0.1 (loopback only):
/// for end-to-end tests that serve feeds from their own local server. A
/// release build ignores it; the default policy refuses every local
/// address.
pub const ALLOW_LOOPBACK_ENV: &str = "PARLEY_FETCH_ALLOW_LOOPBACK";

/// The database, who is signed in, and the library's background work.
/// Managed by Tauri; commands borrow it.
#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub session: Session,
    pub jobs: Arc<Jobs>,
}

impl AppState {
    /// State for a freshly started app: nobody signed in. Fails when the
    /// HTTP client cannot be set up (no certificate authorities).
    pub fn new(store: Store) -> parley_core::Result<Self> {
        let asked = std::env::var(ALLOW_LOOPBACK_ENV).is_ok_and(|v| v == "1");
        let policy = if asked && cfg!(debug_assertions) {
            log::warn!("{ALLOW_LOOPBACK_ENV}=1: fetching from 127.0.0.1 is allowed");
            FetchPolicy::allowing_loopback()
        } else {
            FetchPolicy::default()
        };
        let fetcher = Fetcher::new(policy)
            .map_err(|e| parley_core::Error::Internal(format!("the HTTP client: {e}")))?;
        Ok(Self {
            jobs: Jobs::new(store.clone(), fetcher),
            store,
            session: Session::new(),
        })
    }

    pub fn fetcher(&self) -> &Fetcher {
        self.jobs.fetcher()
    }
}
