//! Parley's desktop shell: opens the store, holds the session, and binds
//! parley-core to the commands the web view may call. No rules live here.

mod backups;
mod browser;
mod commands;
mod dialogs;
mod images;
mod refresh;
pub mod remote;
mod rendering;
mod single;
mod startup;
mod state;
pub mod window;

use std::process::ExitCode;

use parley_core::{samples, store};
use tauri::{Builder, Manager, RunEvent, Runtime};
use tauri_plugin_window_state::StateFlags;

pub use state::AppState;

/// Opens Parley's database (creating it and the sample library on first
/// start) and runs the window until it closes. When another Parley already
/// has the data folder, brings its window to the front and exits. When the
/// database cannot be opened, says why (standard error and a dialog) and
/// exits.
pub fn run() -> ExitCode {
    let drawing = rendering::choose();
    let dir = match store::default_data_dir().and_then(|dir| {
        store::prepare_data_dir(&dir)?;
        Ok(dir)
    }) {
        Ok(dir) => dir,
        Err(e) => {
            startup::report_failure(&e);
            return ExitCode::FAILURE;
        }
    };
    let listener = match single::claim(&dir) {
        single::Instance::First(listener) => listener,
        single::Instance::AlreadyRunning => {
            eprintln!(
                "Parley is already open on {}: its window was brought to the front.",
                dir.display()
            );
            return ExitCode::SUCCESS;
        }
        single::Instance::Unanswered => {
            eprintln!(
                "Parley is already running on {} but did not show its window. If it is \
                 stuck, close it (or end the process), then start Parley again.",
                dir.display()
            );
            return ExitCode::FAILURE;
        }
    };
    // The database opens (and, the first time, migrates and takes in the
    // sample articles) on its own thread while Tauri starts GTK and its
    // plugins; the window is made once it is open.
    let opening = {
        let dir = dir.clone();
        std::thread::Builder::new()
            .name("open-database".into())
            .spawn(move || tauri::async_runtime::block_on(open_state(&dir)))
    };
    let builder = app(Builder::default())
        .plugin(logging())
        .plugin(
            tauri_plugin_window_state::Builder::new()
                .with_state_flags(WINDOW_STATE)
                .build(),
        )
        .setup(move |app| {
            let (state, opened) = match opened(opening) {
                Ok(opened) => opened,
                Err(e) => {
                    // Tauri has started GTK, so the dialog can be shown
                    // here; Parley then exits without a window.
                    startup::report_failure(&e);
                    app.handle().exit(1);
                    return Ok(());
                }
            };
            app.manage(state);
            log_start(app.handle(), &opened);
            log::info!("drawing the window {drawing}");
            let main = window::build(app)?;
            window::remember_place(&main, WINDOW_STATE);
            listener.serve(app.handle().clone());
            refresh::keep_feeds_current(app.handle().clone());
            backups::keep_backed_up(app.handle().clone());
            Ok(())
        });
    let socket = single::socket_path(&dir);
    let outcome = builder.build(tauri::generate_context!()).map(|app| {
        app.run(move |app, event| {
            if let RunEvent::Exit = event {
                log::info!("Parley is closing");
                sign_out_of_the_server(app);
                let _ = std::fs::remove_file(&socket);
            }
        })
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error!("the window failed: {e}");
            eprintln!("parley: the window failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The server's session of whoever was signed in ends with the window, as
/// a local one does: on a shared computer, the next person to open Parley
/// finds nobody signed in. Waits at most two seconds for the server.
fn sign_out_of_the_server<R: Runtime>(app: &tauri::AppHandle<R>) {
    let Some(server) = app.try_state::<AppState>().and_then(|s| s.server()) else {
        return;
    };
    let told = tauri::async_runtime::block_on(async {
        tokio::time::timeout(std::time::Duration::from_secs(2), server.sign_out()).await
    });
    if !matches!(told, Ok(Ok(()))) {
        log::warn!("the server was not told of the sign-out; the session ends by idle time");
    }
}

/// The log: a file in the platform's log folder (on Linux
/// `~/.local/share/app.parley.desktop/logs/parley.log`), at most 1 MB,
/// with the 4 before it kept, and standard error. What is logged: start-up,
/// the database, imports, backups and errors; never a password, a comment
/// or a session.
fn logging<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    use tauri_plugin_log::{RotationStrategy, Target, TargetKind};
    let quiet = [
        "tao",
        "wry",
        "sqlx",
        "hyper",
        "hyper_util",
        "reqwest",
        "rustls",
        "h2",
        "html5ever",
        "selectors",
    ];
    let mut builder = tauri_plugin_log::Builder::new()
        .clear_targets()
        .targets([
            Target::new(TargetKind::LogDir {
                file_name: Some("parley".into()),
            }),
            Target::new(TargetKind::Stderr),
        ])
        .level(log::LevelFilter::Info)
        .max_file_size(LOG_FILE_BYTES)
        .rotation_strategy(RotationStrategy::KeepSome(4));
    for module in quiet {
        builder = builder.level_for(module, log::LevelFilter::Warn);
    }
    builder.build()
}

/// What is remembered of the window between starts (the platform may
/// refuse some: Wayland keeps windows from placing themselves).
const WINDOW_STATE: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

/// The most one log file holds before the next one starts.
const LOG_FILE_BYTES: u128 = 1_000_000;

/// The first lines of the log, once the log exists.
fn log_start<R: Runtime>(app: &tauri::AppHandle<R>, opened: &str) {
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    log::info!(
        "Parley {} started ({build} build)",
        app.package_info().version
    );
    log::info!("{opened}");
}

/// The store from the thread that opened it, or why it could not be.
fn opened(
    opening: std::io::Result<std::thread::JoinHandle<parley_core::Result<(AppState, String)>>>,
) -> parley_core::Result<(AppState, String)> {
    let lost = |what: String| parley_core::Error::Internal(format!("opening the database: {what}"));
    opening
        .map_err(|e| lost(e.to_string()))?
        .join()
        .map_err(|_| lost("the thread stopped".into()))?
}

/// Opens the store and says what it opened, for the log.
async fn open_state(dir: &std::path::Path) -> parley_core::Result<(AppState, String)> {
    slow_start_for_tests().await;
    let store = parley_core::startup::open(dir).await?;
    // The sessions of this window's last run ended with it.
    parley_core::session::stored::forget_desktop_sessions(&store).await?;
    let about = store.about().await?;
    let opened = format!(
        "database {} ({} bytes, schema {}); {} article(s) added as samples",
        about.database.display(),
        about.database_bytes,
        about.schema_version,
        samples::add_samples_if_empty(&store).await?
    );
    let connection = remote::Connection::load(dir);
    Ok((AppState::new(store, connection)?, opened))
}

/// In a debug build, `PARLEY_TEST_SLOW_OPEN_MS` makes opening the database
/// take that much longer, as a large migration would: the end-to-end
/// tests start a second Parley during a first one's slow start. A release
/// build ignores it.
async fn slow_start_for_tests() {
    if !cfg!(debug_assertions) {
        return;
    }
    let asked = std::env::var("PARLEY_TEST_SLOW_OPEN_MS").ok();
    if let Some(ms) = asked.and_then(|v| v.parse::<u64>().ok()) {
        log::warn!("PARLEY_TEST_SLOW_OPEN_MS: opening the database {ms} ms late");
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

/// Parley's commands on any Tauri runtime; the [`AppState`] they use is
/// managed once the database is open (see [`run`]).
pub fn app<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        // Used from Rust only, to choose files: the window is granted none
        // of its commands.
        .plugin(tauri_plugin_dialog::init())
        .register_asynchronous_uri_scheme_protocol(images::SCHEME, images::serve)
        .invoke_handler(tauri::generate_handler![
            commands::articles::get_article,
            commands::accounts::current_user,
            commands::accounts::create_account,
            commands::accounts::sign_in,
            commands::accounts::sign_out,
            commands::comments::open_discussion,
            commands::comments::load_thread,
            commands::comments::comment_view,
            commands::comments::post_comment,
            commands::comments::edit_comment,
            commands::comments::delete_comment,
            commands::comments::comment_history,
            commands::comments::vote,
            commands::comments::set_thread_sort,
            commands::comments::set_collapsed,
            commands::comments::replies_to_me,
            commands::comments::preview_markdown,
            commands::accounts::keep_alive,
            commands::accounts::set_display_name,
            commands::accounts::change_password,
            commands::accounts::delete_account,
            commands::accounts::set_author_muted,
            commands::accounts::muted_people,
            commands::accounts::unmute,
            commands::accounts::my_sessions,
            commands::accounts::end_other_sessions,
            commands::accounts::end_session,
            commands::admin::list_accounts,
            commands::admin::promote_account,
            commands::admin::demote_account,
            commands::admin::disable_account,
            commands::admin::enable_account,
            commands::admin::app_settings,
            commands::admin::set_idle_timeout,
            commands::admin::library_limits,
            commands::admin::set_library_limits,
            commands::admin::list_invites,
            commands::admin::create_invite,
            commands::admin::withdraw_invite,
            commands::admin::sign_up_setting,
            commands::admin::set_sign_up,
            commands::comments::remove_comment,
            commands::comments::set_discussion_locked,
            commands::comments::set_comment_pinned,
            commands::links::open_link,
            commands::library::library_page,
            commands::library::library_tags,
            commands::library::mark_all_read,
            commands::library::list_sources,
            commands::library::follow_feed,
            commands::library::save_page,
            commands::library::import_files,
            commands::library::export_subscriptions,
            commands::library::refresh_source,
            commands::library::refresh_all,
            commands::library::remove_source,
            commands::library::set_refresh_interval,
            commands::library::delete_article,
            commands::library::jobs,
            commands::library::watch_jobs,
            commands::library::cancel_job,
            commands::library::retry_job,
            commands::data::search,
            commands::data::search_sources,
            commands::data::export_article,
            commands::passages::passage_marks,
            commands::passages::highlight,
            commands::passages::edit_highlight,
            commands::passages::delete_highlight,
            commands::passages::my_highlights,
            commands::passages::export_highlights,
            commands::data::list_backups,
            commands::data::back_up_now,
            commands::data::restore_backup,
            commands::data::restore_backup_file,
            commands::data::about,
            commands::connection::connection,
            commands::connection::check_server,
            commands::connection::connect_server,
            commands::connection::use_local_library,
            commands::connection::watch_server,
        ])
}
