//! Parley's desktop shell: opens the store, holds the session, and binds
//! parley-core to the commands the web view may call. No rules live here.

mod browser;
mod commands;
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
    Ok(AppState::new(store))
}

/// Parley's commands and state on any Tauri runtime, so tests can build the
/// same app on the mock runtime.
pub fn app<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    builder
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::articles::list_articles,
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
        ])
}
