//! The daily automatic backup: taken when Parley starts if the last one is
//! a day old, then checked every hour while it runs.

use std::time::Duration;

use parley_core::backup;
use tauri::{AppHandle, Manager, Runtime};

use crate::AppState;

const CHECK_EVERY: Duration = Duration::from_secs(60 * 60);

/// Starts the loop that keeps a daily backup, for as long as the app runs.
pub fn keep_backed_up<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        // Let the window and the library come up first.
        tokio::time::sleep(Duration::from_secs(30)).await;
        loop {
            if let Some(state) = app.try_state::<AppState>() {
                match backup::back_up_if_due(&state.store).await {
                    Ok(Some(taken)) => log::info!("automatic backup {}", taken.name),
                    Ok(None) => {}
                    Err(e) => log::error!("the automatic backup failed: {e:?}"),
                }
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}
