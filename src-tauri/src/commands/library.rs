use std::path::PathBuf;

use parley_core::accounts::User;
use parley_core::articles;
use parley_core::ids::{ArticleId, SourceId};
use parley_core::library::files::FileKind;
use parley_core::library::jobs::{self, JobView, Task};
use parley_core::library::listing::{self, LibraryPage, LibraryQuery, TagCount};
use parley_core::library::opml;
use parley_core::library::sources::{self, Source};
use parley_core::library::work;
use parley_core::Error;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use crate::{dialogs, AppState};

/// One page of the library, for whoever is signed in (or nobody).
#[tauri::command]
pub async fn library_page(
    state: State<'_, AppState>,
    query: LibraryQuery,
) -> Result<LibraryPage, Error> {
    if let Some(server) = state.server() {
        return server.library_page(&query).await;
    }
    let viewer = state.session.viewer(&state.store).await?;
    listing::page(&state.store, viewer.as_ref(), &query).await
}

#[tauri::command]
pub async fn library_tags(state: State<'_, AppState>) -> Result<Vec<TagCount>, Error> {
    if let Some(server) = state.server() {
        return server.library_tags().await;
    }
    listing::tags(&state.store).await
}

/// Marks everything the filters show read; returns how many were unread.
#[tauri::command]
pub async fn mark_all_read(state: State<'_, AppState>, query: LibraryQuery) -> Result<u64, Error> {
    if let Some(server) = state.server() {
        return server.mark_all_read(&query).await;
    }
    let user = state.session.actor(&state.store).await?;
    listing::mark_all_read(&state.store, &user, &query).await
}

#[tauri::command]
pub async fn list_sources(state: State<'_, AppState>) -> Result<Vec<Source>, Error> {
    if let Some(server) = state.server() {
        return server.list_sources().await;
    }
    let viewer = state.session.viewer(&state.store).await?;
    sources::list(&state.store, viewer.as_ref()).await
}

/// Follows a feed (or a website's feed) in the background; returns the
/// job that does it. An address that is not one is refused at once.
#[tauri::command]
pub async fn follow_feed(state: State<'_, AppState>, address: String) -> Result<u64, Error> {
    if let Some(server) = state.server() {
        return server.follow_feed(&address).await;
    }
    let user = state.session.actor(&state.store).await?;
    work::follow_feed(&state.jobs, user, &address)
}

/// Saves a web page in the background; returns the job that does it.
#[tauri::command]
pub async fn save_page(state: State<'_, AppState>, address: String) -> Result<u64, Error> {
    if let Some(server) = state.server() {
        return server.save_page(&address).await;
    }
    let user = state.session.actor(&state.store).await?;
    work::save_page(&state.jobs, user, &address)
}

/// Asks for files in a native dialog (Markdown, HTML, OPML), subscribes
/// to the feeds in OPML files, and imports the rest and refreshes the new
/// feeds in one background job. `None` when the person chose nothing.
#[tauri::command]
pub async fn import_files<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Option<u64>, Error> {
    if let Some(server) = state.server() {
        return import_to_server(&app, &server).await;
    }
    let user = state.session.actor(&state.store).await?;
    let chosen = pick_files(&app).await;
    if chosen.is_empty() {
        return Ok(None);
    }
    let mut tasks = Vec::new();
    for path in chosen {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if FileKind::of(&name) == Some(FileKind::Opml) {
            let bytes = parley_core::library::files::read_capped(&path).await?;
            let subscribed = opml::import(&state.store, &user, &bytes).await?;
            tasks.extend(work::refresh_tasks(&state.store, &subscribed.new).await?);
        } else {
            tasks.push(Task::ImportFile(path));
        }
    }
    let title = match tasks.len() {
        1 => "Importing 1 item".to_owned(),
        n => format!("Importing {n} items"),
    };
    state.jobs.start(&title, Some(user), tasks).map(Some)
}

/// Sends each chosen file to the open server, which imports it as the
/// local library would; returns the first job started.
async fn import_to_server<R: Runtime>(
    app: &AppHandle<R>,
    server: &crate::remote::Server,
) -> Result<Option<u64>, Error> {
    // Signed in first: a refusal after the dialog wastes the choosing.
    if server.user().is_none() {
        return Err(Error::Unauthorized);
    }
    let mut first = None;
    for path in pick_files(app).await {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = parley_core::library::files::read_capped(&path).await?;
        let job = server.import_file(&name, bytes).await?;
        first = first.or(job);
    }
    Ok(first)
}

/// Saves the followed feeds as an OPML file where the person chooses.
/// Returns the file's name, or `None` when they chose nowhere.
#[tauri::command]
pub async fn export_subscriptions<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Option<String>, Error> {
    // Asked before the dialog opens: nobody chooses a file for nothing.
    enum From {
        Here(User),
        Server(std::sync::Arc<crate::remote::Server>),
    }
    let from = match state.server() {
        Some(server) => From::Server(server),
        None => From::Here(state.session.actor(&state.store).await?),
    };
    let Some(path) = dialogs::save_path(
        &app,
        "Save the feeds you follow",
        "parley-subscriptions.opml",
        ("OPML", &["opml"]),
    )
    .await
    else {
        return Ok(None);
    };
    let opml = match from {
        From::Here(user) => opml::export(&state.store, &user).await?,
        From::Server(server) => server.subscriptions().await?,
    };
    dialogs::write(&path, opml).await?;
    Ok(dialogs::file_name(&path))
}

#[tauri::command]
pub async fn refresh_source(state: State<'_, AppState>, source_id: String) -> Result<u64, Error> {
    let source = SourceId::parse(&source_id)?;
    if let Some(server) = state.server() {
        return server.refresh_source(source).await;
    }
    let user = state.session.actor(&state.store).await?;
    work::refresh_source(&state.jobs, &state.store, user, source).await
}

#[tauri::command]
pub async fn refresh_all(state: State<'_, AppState>) -> Result<u64, Error> {
    if let Some(server) = state.server() {
        return server.refresh_all().await;
    }
    let user = state.session.actor(&state.store).await?;
    work::refresh_all(&state.jobs, &state.store, user).await
}

#[tauri::command]
pub async fn remove_source(state: State<'_, AppState>, source_id: String) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.remove_source(SourceId::parse(&source_id)?).await;
    }
    let user = state.session.actor(&state.store).await?;
    sources::remove(&state.store, &user, SourceId::parse(&source_id)?).await
}

#[tauri::command]
pub async fn set_refresh_interval(
    state: State<'_, AppState>,
    source_id: String,
    minutes: u32,
) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server
            .set_refresh_interval(SourceId::parse(&source_id)?, minutes)
            .await;
    }
    let user = state.session.actor(&state.store).await?;
    sources::set_refresh_minutes(&state.store, &user, SourceId::parse(&source_id)?, minutes).await
}

#[tauri::command]
pub async fn delete_article(state: State<'_, AppState>, article_id: String) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.delete_article(ArticleId::parse(&article_id)?).await;
    }
    let user = state.session.actor(&state.store).await?;
    articles::delete_article(&state.store, &user, ArticleId::parse(&article_id)?).await
}

/// The jobs the signed-in person may see (their own, Parley's, and
/// everyone's for the admin), newest first.
#[tauri::command]
pub async fn jobs(state: State<'_, AppState>) -> Result<Vec<JobView>, Error> {
    if let Some(server) = state.server() {
        return server.jobs().await;
    }
    let viewer = state.session.viewer(&state.store).await?;
    Ok(state.jobs.visible_to(viewer.as_ref()))
}

/// Sends each change to a job down `on_update` until the page stops
/// listening (a reload, the window closing). Only changes to jobs the
/// person signed in at that moment may see are sent: whoever signs in
/// later on the same window does not learn what the last person fetched.
#[tauri::command]
pub async fn watch_jobs<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    on_update: Channel<JobView>,
) -> Result<(), Error> {
    let mut updates = state.jobs.watch();
    watch_server_jobs(app.clone(), on_update.clone());
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        loop {
            match updates.recv().await {
                // The local library's work is not what the window shows
                // while a server is open.
                Ok(_) if state.server().is_some() => continue,
                Ok(update) => {
                    // Unknown (the database failed): told to nobody.
                    let viewer: Option<User> = state
                        .session
                        .current_user(&state.store)
                        .await
                        .unwrap_or_default();
                    if !jobs::visible(update.owner, viewer.as_ref()) {
                        continue;
                    }
                    if on_update.send(update.view).is_err() {
                        break;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
    Ok(())
}

/// While a server is open, its jobs as they change: asked for every two
/// seconds (the server's list is already the one this person may see),
/// each changed one sent on, until the page stops listening.
fn watch_server_jobs<R: Runtime>(app: AppHandle<R>, on_update: Channel<JobView>) {
    tauri::async_runtime::spawn(async move {
        let mut last: std::collections::HashMap<u64, JobView> = Default::default();
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            let Some(server) = app.state::<AppState>().server() else {
                last.clear();
                continue;
            };
            let Ok(views) = server.jobs().await else {
                continue;
            };
            for view in views {
                if last.get(&view.id) == Some(&view) {
                    continue;
                }
                if on_update.send(view.clone()).is_err() {
                    return;
                }
                last.insert(view.id, view);
            }
        }
    });
}

/// Stops a job; only its owner and the admin may.
#[tauri::command]
pub async fn cancel_job(state: State<'_, AppState>, job_id: u64) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.cancel_job(job_id).await;
    }
    let user = state.session.actor(&state.store).await?;
    state.jobs.cancel(job_id, &user)
}

/// Starts a new job with the items of `job_id` that failed or were never
/// reached; `None` if there are none. Only the owner and the admin may.
#[tauri::command]
pub async fn retry_job(state: State<'_, AppState>, job_id: u64) -> Result<Option<u64>, Error> {
    if let Some(server) = state.server() {
        return server.retry_job(job_id).await;
    }
    let user = state.session.actor(&state.store).await?;
    state.jobs.retry(job_id, &user)
}

/// The files the person picks in a native dialog (none if they cancel).
async fn pick_files<R: Runtime>(app: &AppHandle<R>) -> Vec<PathBuf> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Import into your library")
        .add_filter(
            "Markdown, HTML and OPML",
            &["md", "markdown", "txt", "html", "htm", "opml"],
        )
        .pick_files(move |chosen| {
            let paths = chosen
                .unwrap_or_default()
                .into_iter()
                .filter_map(|c| c.into_path().ok())
                .collect::<Vec<_>>();
            let _ = sender.send(paths);
        });
    receiver.await.unwrap_or_default()
}
