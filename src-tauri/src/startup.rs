//! When Parley cannot start: the reason goes to standard error (for logs
//! and terminals) and into a native dialog (for the person who clicked the
//! menu entry and would otherwise see nothing happen).

use rfd::{MessageButtons, MessageDialog, MessageLevel};

/// The dialog's title, also what tests look for on screen.
pub const FAILURE_TITLE: &str = "Parley cannot start";

/// Reports `error`, which stopped Parley before its window opened, and
/// waits until the person has read it.
pub fn report_failure(error: &parley_core::Error) {
    let message = error.to_string();
    eprintln!("parley: cannot start: {message}");
    MessageDialog::new()
        .set_level(MessageLevel::Error)
        .set_title(FAILURE_TITLE)
        .set_description(&message)
        .set_buttons(MessageButtons::Ok)
        .show();
}
