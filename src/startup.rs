//! Opening Parley's data, for whoever runs the rules (the desktop today):
//! the store, then the work that brings what is derived from the rows up to
//! date. That work belongs to the domains (name keys to accounts, rendered
//! comments to comments, the index to search), so it is started from here,
//! above them, and the store beneath them never imports a domain.

use std::path::Path;
use std::sync::Arc;

use crate::clock::{Clock, SystemClock};
use crate::store::Store;
use crate::{accounts, comments, search, Result};

/// Opens (creating if needed) the database in `dir` with the real clock,
/// brings its schema up to date, and catches up derived data.
pub async fn open(dir: &Path) -> Result<Store> {
    open_with_clock(dir, Arc::new(SystemClock)).await
}

/// Like [`open`], with the time read from `clock`.
///
/// Fails as `Store` opening does ([`crate::Error::DataDir`],
/// [`crate::Error::Unusable`]); a database error while catching up is
/// explained as a problem with the file too.
pub async fn open_with_clock(dir: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
    let store = Store::connect(dir, clock).await?;
    catch_up(&store).await?;
    Ok(store)
}

/// The start-up work that reads and writes the file, run whenever a
/// database is opened or put in place by a restore. Each step writes
/// nothing once it is current.
pub(crate) async fn catch_up(store: &Store) -> Result<()> {
    accounts::refresh_name_keys(store)
        .await
        .map_err(|e| store.explain(e))?;
    comments::render_pending(store)
        .await
        .map_err(|e| store.explain(e))?;
    search::index_pending(store)
        .await
        .map_err(|e| store.explain(e))?;
    Ok(())
}

/// Opens the PostgreSQL database at `url` (`postgres://user@host/db`),
/// brings its schema up to date and catches up derived data: the same
/// Parley as [`open`], for a server shared by a group.
#[cfg(feature = "postgres")]
pub async fn open_url(url: &str, clock: Arc<dyn Clock>) -> Result<Store> {
    let store = Store::connect_url(url, clock).await?;
    catch_up(&store).await?;
    Ok(store)
}
