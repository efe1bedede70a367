//! Feeds stay current by themselves: when Parley starts, and then each
//! minute, the sources that are due are refreshed in one background job
//! (never two at once), each on its own schedule.

use std::time::Duration;

use parley_core::library::sources;
use tauri::{AppHandle, Manager, Runtime};

use crate::commands::library::refresh_tasks;
use crate::AppState;

/// What the scheduled job is called in the progress panel.
const TITLE: &str = "Refreshing feeds";
const EVERY: Duration = Duration::from_secs(60);

/// Starts the loop that refreshes due sources, for as long as the app runs.
pub fn keep_feeds_current<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            if let Some(state) = app.try_state::<AppState>() {
                if let Err(e) = refresh_due(&state).await {
                    log::warn!("could not check which feeds are due: {e:?}");
                }
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}

async fn refresh_due(state: &AppState) -> parley_core::Result<()> {
    if state.jobs.running(TITLE) {
        return Ok(());
    }
    let due = sources::due(&state.store).await?;
    if due.is_empty() {
        return Ok(());
    }
    let tasks = refresh_tasks(state, &due).await?;
    state.jobs.start(TITLE, None, tasks)?;
    Ok(())
}
