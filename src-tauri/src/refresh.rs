//! Feeds stay current by themselves: when Parley starts, and then each
//! minute, the sources that are due are refreshed in one background job
//! (never two at once), each on its own schedule.

use std::time::Duration;

use parley_core::library::work;
use tauri::{AppHandle, Manager, Runtime};

use crate::AppState;

const EVERY: Duration = Duration::from_secs(60);

/// Starts the loop that refreshes due sources, for as long as the app runs.
pub fn keep_feeds_current<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            if let Some(state) = app.try_state::<AppState>() {
                if let Err(e) = work::refresh_due(&state.jobs, &state.store).await {
                    log::warn!("could not check which feeds are due: {e:?}");
                }
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}
