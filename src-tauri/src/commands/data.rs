//! Finding and keeping: search, export, backups and restore.

use parley_core::backup::{self, Backup, Restored};
use parley_core::export::{self, Format};
use parley_core::ids::ArticleId;
use parley_core::search::{self, SearchQuery, SearchResults};
use parley_core::Error;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

use crate::{dialogs, AppState};

/// Searches articles and the comments the reader may see.
#[tauri::command]
pub async fn search(
    state: State<'_, AppState>,
    query: SearchQuery,
) -> Result<SearchResults, Error> {
    if let Some(server) = state.server() {
        return server.search(&query).await;
    }
    let viewer = state.session.viewer(&state.store).await?;
    search::search(&state.store, viewer.as_ref(), &query).await
}

/// The sources in the library, for the search filter.
#[tauri::command]
pub async fn search_sources(state: State<'_, AppState>) -> Result<Vec<String>, Error> {
    if let Some(server) = state.server() {
        return server.search_sources().await;
    }
    search::source_names(&state.store).await
}

/// Saves an article and its discussion where the person chooses. Returns
/// the file's name, or `None` when they chose nowhere.
#[tauri::command]
pub async fn export_article<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    article_id: String,
    format: Format,
) -> Result<Option<String>, Error> {
    let id = ArticleId::parse(&article_id)?;
    let (file_name, contents) = match state.server() {
        Some(server) => server.export_article(id, format).await?,
        None => {
            let exported = export::article(&state.store, id, format).await?;
            (exported.file_name, exported.contents)
        }
    };
    let filter = match format {
        Format::Markdown => ("Markdown", &["md"][..]),
        Format::Json => ("JSON", &["json"][..]),
    };
    let title = "Save the article and its discussion";
    let Some(path) = dialogs::save_path(&app, title, &file_name, filter).await else {
        return Ok(None);
    };
    dialogs::write(&path, contents).await?;
    Ok(dialogs::file_name(&path))
}

/// The backups in the data folder, newest first (the admin only).
#[tauri::command]
pub async fn list_backups(state: State<'_, AppState>) -> Result<Vec<Backup>, Error> {
    state.local_only("Backing up and restoring")?;
    let actor = state.session.actor(&state.store).await?;
    backup::list_as(&state.store, &actor).await
}

/// How far a backup has got.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupProgress {
    done: u64,
    total: u64,
}

/// Takes a backup now (the admin only), telling `on_progress` how far it
/// has got.
#[tauri::command]
pub async fn back_up_now(
    state: State<'_, AppState>,
    on_progress: Channel<BackupProgress>,
) -> Result<Backup, Error> {
    state.local_only("Backing up and restoring")?;
    let actor = state.session.actor(&state.store).await?;
    let report = move |done, total| {
        let _ = on_progress.send(BackupProgress { done, total });
    };
    backup::back_up_as(&state.store, &actor, &report).await
}

/// Restores a backup from the backups folder (the admin only). Everyone
/// is signed out: the restored data has its own accounts.
#[tauri::command]
pub async fn restore_backup(state: State<'_, AppState>, name: String) -> Result<Restored, Error> {
    state.local_only("Backing up and restoring")?;
    let actor = state.session.actor(&state.store).await?;
    may_restore(&state)?;
    let restored = backup::restore_as(&state.store, &actor, &name).await?;
    state.session.sign_out(&state.store).await?;
    Ok(restored)
}

/// Restores a backup file the admin chooses in a native dialog. `None`
/// when they choose nothing.
#[tauri::command]
pub async fn restore_backup_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Option<Restored>, Error> {
    state.local_only("Backing up and restoring")?;
    let actor = state.session.actor(&state.store).await?;
    may_restore(&state)?;
    let filter = ("Parley backups", &["db", "sqlite", "sqlite3"][..]);
    let Some(path) = dialogs::open_path(&app, "Restore Parley from a backup", filter).await else {
        return Ok(None);
    };
    let restored = backup::restore_file_as(&state.store, &actor, &path).await?;
    state.session.sign_out(&state.store).await?;
    Ok(Some(restored))
}

/// A restore waits until no import or refresh is running: their work
/// would land in the database being replaced.
fn may_restore(state: &AppState) -> Result<(), Error> {
    if state.jobs.any_running() {
        return Err(Error::Invalid(
            "Imports or refreshes are still running. Wait for them to finish, or cancel them, \
             then restore."
                .into(),
        ));
    }
    Ok(())
}

/// What the About view shows: enough to describe this Parley in a bug
/// report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct About {
    version: String,
    build: &'static str,
    data_folder: String,
    database: String,
    database_bytes: u64,
    /// Bytes of article images in it, and the most it keeps.
    image_bytes: i64,
    image_limit_bytes: i64,
    schema_version: i64,
    backups_folder: String,
    log_folder: Option<String>,
}

#[tauri::command]
pub async fn about<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<About, Error> {
    use tauri::Manager;
    let store = state.store.about().await?;
    Ok(About {
        version: app.package_info().version.to_string(),
        build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        data_folder: state.store.data_dir().display().to_string(),
        database: store.database.display().to_string(),
        database_bytes: store.database_bytes,
        image_bytes: parley_core::library::limits::image_bytes(&state.store).await?,
        image_limit_bytes: parley_core::library::limits::limits(&state.store)
            .await?
            .max_library_image_bytes,
        schema_version: store.schema_version,
        backups_folder: backup::folder(&state.store).display().to_string(),
        log_folder: app
            .path()
            .app_log_dir()
            .ok()
            .map(|p| p.display().to_string()),
    })
}
