//! Parley's desktop shell: opens the store, holds the session, and binds
//! parley-core to the commands the web view may call. No rules live here.

mod backups;
mod browser;
mod commands;
mod dialogs;
mod images;
mod refresh;
mod startup;
mod state;
pub mod window;

use std::process::ExitCode;

use parley_core::{articles, store, store::Store};
use tauri::{Builder, Runtime};

pub use state::AppState;

/// Opens Parley's database (creating it and the sample library on first
/// start) and runs the window until it closes. When the database cannot
/// be opened, says why (standard error and a dialog) and exits.
pub fn run() -> ExitCode {
    let state = match tauri::async_runtime::block_on(open_state()) {
        Ok(state) => state,
        Err(e) => {
            startup::report_failure(&e);
            return ExitCode::FAILURE;
        }
    };
    let builder = app(Builder::default(), state).setup(|app| {
        window::build(app)?;
        refresh::keep_feeds_current(app.handle().clone());
        backups::keep_backed_up(app.handle().clone());
        Ok(())
    });
    match builder.run(tauri::generate_context!()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("parley: the window failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn open_state() -> parley_core::Result<AppState> {
    let dir = store::default_data_dir()?;
    let store = Store::open(&dir).await?;
    articles::add_samples_if_empty(&store).await?;
    AppState::new(store)
}

/// Parley's commands and state on any Tauri runtime, so tests can build the
/// same app on the mock runtime.
pub fn app<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    builder
        .manage(state)
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
            commands::admin::list_accounts,
            commands::admin::promote_account,
            commands::admin::demote_account,
            commands::admin::disable_account,
            commands::admin::enable_account,
            commands::admin::app_settings,
            commands::admin::set_idle_timeout,
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
            commands::data::list_backups,
            commands::data::back_up_now,
            commands::data::restore_backup,
            commands::data::restore_backup_file,
        ])
}
