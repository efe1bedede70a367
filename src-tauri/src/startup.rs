//! When Parley cannot start: the reason goes to standard error (for logs
//! and terminals) and into a native dialog (for the person who clicked the
//! menu entry and would otherwise see nothing happen).

/// The dialog's title, also what tests look for on screen.
pub const FAILURE_TITLE: &str = "Parley cannot start";

/// Reports `error`, which stopped Parley before its window opened, and
/// waits until the person has read it. Without a display (a terminal over
/// SSH, a service) standard error is all there is, and Parley goes on to
/// exit rather than wait for a dialog nobody can see.
pub fn report_failure(error: &parley_core::Error) {
    let message = error.to_string();
    eprintln!("parley: cannot start: {message}");
    show_dialog(&message);
}

/// GTK's own message dialog, on this (the main) thread: the window that
/// Tauri would have used has not been made, and GTK is already part of
/// Parley on Linux.
#[cfg(target_os = "linux")]
fn show_dialog(message: &str) {
    use gtk::prelude::{DialogExt, GtkWindowExt, MessageDialogExt};
    if gtk::init().is_err() {
        eprintln!("parley: no display to show this on");
        return;
    }
    let dialog = gtk::MessageDialog::new(
        None::<&gtk::Window>,
        gtk::DialogFlags::MODAL,
        gtk::MessageType::Error,
        gtk::ButtonsType::Ok,
        FAILURE_TITLE,
    );
    dialog.set_title(FAILURE_TITLE);
    dialog.set_secondary_text(Some(message));
    dialog.run();
    dialog.close();
}

#[cfg(not(target_os = "linux"))]
fn show_dialog(_message: &str) {}
