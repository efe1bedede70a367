//! Native dialogs that choose where a file is saved or which file is
//! read. Opened from Rust: the web view never names a path.

use std::path::PathBuf;

use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

/// Set to a folder to make a debug build save there (under the suggested
/// name) instead of asking: for end-to-end tests, which cannot click in a
/// native dialog. A release build ignores it and always asks.
pub const SAVE_DIR_ENV: &str = "PARLEY_E2E_SAVE_DIR";

/// Asks where to save a file, suggesting `name`. `None` when the person
/// cancels.
pub async fn save_path<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    name: &str,
    filter: (&str, &[&str]),
) -> Option<PathBuf> {
    if cfg!(debug_assertions) {
        if let Some(dir) = std::env::var_os(SAVE_DIR_ENV).filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir).join(name));
        }
    }
    let (sender, receiver) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title(title)
        .set_file_name(name)
        .add_filter(filter.0, filter.1)
        .save_file(move |chosen| {
            let _ = sender.send(chosen.and_then(|c| c.into_path().ok()));
        });
    receiver.await.ok().flatten()
}

/// Asks for one file to open. `None` when the person cancels.
pub async fn open_path<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    filter: (&str, &[&str]),
) -> Option<PathBuf> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title(title)
        .add_filter(filter.0, filter.1)
        .pick_file(move |chosen| {
            let _ = sender.send(chosen.and_then(|c| c.into_path().ok()));
        });
    receiver.await.ok().flatten()
}

/// Writes `bytes` to `path`; a failure names the file, in words.
pub async fn write(
    path: &std::path::Path,
    bytes: impl AsRef<[u8]>,
) -> Result<(), parley_core::Error> {
    tokio::fs::write(path, bytes).await.map_err(|e| {
        let name = path
            .file_name()
            .unwrap_or(path.as_os_str())
            .to_string_lossy();
        parley_core::Error::Invalid(format!("Parley could not write {name}: {e}."))
    })
}

/// The file name of `path`, for saying where something was saved.
pub fn file_name(path: &std::path::Path) -> Option<String> {
    path.file_name().map(|n| n.to_string_lossy().into_owned())
}
