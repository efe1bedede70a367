use parley_core::{links, Error};

use crate::browser;

/// Opens a link from a comment in the person's browser or mail program,
/// once they have confirmed its address in the window. Only http, https
/// and mailto addresses; anything else is refused as `invalid`.
#[tauri::command]
pub async fn open_link(url: String) -> Result<(), Error> {
    let url = links::openable(&url)?;
    browser::open(&url)
}
