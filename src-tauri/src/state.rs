//! What the running app holds on to between commands.

use std::sync::Arc;

use parley_core::library::fetch::{FetchPolicy, Fetcher};
use parley_core::library::jobs::Jobs;
use parley_core::session::Session;
use parley_core::store::Store;

use crate::remote::{Connection, Server};

/// Set to `1` to let a debug build fetch from 127.0.0.1 (loopback only):
/// for end-to-end tests that serve feeds from their own local server. A
/// release build ignores it; the default policy refuses every local
/// address.
pub const ALLOW_LOOPBACK_ENV: &str = "PARLEY_FETCH_ALLOW_LOOPBACK";

/// The database, who is signed in, the library's background work, and
/// the server this window is connected to, if any. Managed by Tauri;
/// commands borrow it.
#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub session: Session,
    pub jobs: Arc<Jobs>,
    pub connection: Connection,
}

impl AppState {
    /// State for a freshly started app: nobody signed in. Fails when the
    /// HTTP client cannot be set up (no certificate authorities).
    pub fn new(store: Store, connection: Connection) -> parley_core::Result<Self> {
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
            connection,
        })
    }

    /// The server open in this window; none while the local library is.
    /// Every command that works on a server asks this first: the one
    /// place where a command goes to the server or to the local library.
    pub fn server(&self) -> Option<Arc<Server>> {
        self.connection.server()
    }

    /// Refuses `what` while a server is open, for what only the local
    /// library does yet.
    pub fn local_only(&self, what: &str) -> parley_core::Result<()> {
        match self.server() {
            None => Ok(()),
            Some(_) => Err(parley_core::Error::Invalid(format!(
                "{what} works on the local library only, for now. Choose \u{201c}Use the \
                 local library\u{201d} in the account menu to do it there."
            ))),
        }
    }

    pub fn fetcher(&self) -> &Fetcher {
        self.jobs.fetcher()
    }
}
