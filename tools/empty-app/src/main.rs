//! An empty Tauri 2 app: one window showing one static page, nothing else.
//! `scripts/measure` launches it beside Parley, the same way, to tell what
//! Parley itself costs at launch and at rest from what any Tauri app costs.

fn main() -> std::process::ExitCode {
    match tauri::Builder::default().run(tauri::generate_context!()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("the empty app failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
