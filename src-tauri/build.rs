/// Every command the UI may call. Tauri generates an `allow-<name>`
/// permission for each, and only those granted in `capabilities/` are
/// reachable from the window: a command missing here cannot be invoked.
const COMMANDS: &[&str] = &[
    "get_article",
    "current_user",
    "create_account",
    "sign_in",
    "sign_out",
    "open_discussion",
    "load_thread",
    "comment_view",
    "post_comment",
    "edit_comment",
    "delete_comment",
    "comment_history",
    "vote",
    "set_thread_sort",
    "set_collapsed",
    "replies_to_me",
    "preview_markdown",
    "keep_alive",
    "set_display_name",
    "change_password",
    "delete_account",
    "set_author_muted",
    "muted_people",
    "unmute",
    "list_accounts",
    "promote_account",
    "demote_account",
    "disable_account",
    "enable_account",
    "app_settings",
    "set_idle_timeout",
    "library_limits",
    "set_library_limits",
    "remove_comment",
    "set_discussion_locked",
    "set_comment_pinned",
    "open_link",
    "library_page",
    "library_tags",
    "mark_all_read",
    "list_sources",
    "follow_feed",
    "save_page",
    "import_files",
    "export_subscriptions",
    "refresh_source",
    "refresh_all",
    "remove_source",
    "set_refresh_interval",
    "delete_article",
    "jobs",
    "watch_jobs",
    "cancel_job",
    "retry_job",
    "search",
    "search_sources",
    "export_article",
    "list_backups",
    "back_up_now",
    "restore_backup",
    "restore_backup_file",
    "about",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        // A build script reports failure by exiting non-zero with a message.
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
