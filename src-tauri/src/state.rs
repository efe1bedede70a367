//! What the running app holds on to between commands.

use parley_core::session::Session;
use parley_core::store::Store;

/// The database and who is signed in. Managed by Tauri; commands borrow it.
#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub session: Session,
}

impl AppState {
    /// State for a freshly started app: nobody signed in.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            session: Session::new(),
        }
    }
}
