//! Which library this window shows: "Connect to a server", "Use the local
//! library", and the news of the server that is open.

use parley_core::Error;
use tauri::ipc::Channel;
use tauri::State;

use crate::remote::live::News;
use crate::remote::{ConnectionView, ServerCheck};
use crate::AppState;

/// The library open now, as the header shows it.
#[tauri::command]
pub async fn connection(state: State<'_, AppState>) -> Result<ConnectionView, Error> {
    Ok(state.connection.view())
}

/// Looks at the server at `address`: is it Parley, which version, and
/// is its certificate trusted, new (with its fingerprint) or changed.
#[tauri::command]
pub async fn check_server(
    state: State<'_, AppState>,
    address: String,
) -> Result<ServerCheck, Error> {
    state.connection.check(&address).await
}

/// Opens the server at `address`, trusting the certificate with
/// `fingerprint` when the person confirmed it, and remembers the choice.
#[tauri::command]
pub async fn connect_server(
    state: State<'_, AppState>,
    address: String,
    fingerprint: Option<String>,
) -> Result<ConnectionView, Error> {
    state.connection.connect(&address, fingerprint).await
}

#[tauri::command]
pub async fn use_local_library(state: State<'_, AppState>) -> Result<ConnectionView, Error> {
    state.connection.use_local().await
}

/// Sends what happens on the open server down `on_news` (changes, the
/// link going down and coming back) until the page stops listening or
/// another library is opened. Nothing is sent while the local library
/// is open.
#[tauri::command]
pub async fn watch_server(state: State<'_, AppState>, on_news: Channel<News>) -> Result<(), Error> {
    let Some(remote) = state.connection.remote() else {
        return Ok(());
    };
    let mut news = remote.live.subscribe();
    let online = remote.server.link() == crate::remote::client::Link::Online;
    if on_news.send(News::Link { online }).is_err() {
        return Ok(());
    }
    // The stream closes when another library is opened (its follower
    // goes with it): this page's watch is then over.
    drop(remote);
    tauri::async_runtime::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            let next = match news.recv().await {
                Ok(next) => next,
                Err(RecvError::Lagged(_)) => News::Reload,
                Err(RecvError::Closed) => return,
            };
            if on_news.send(next).is_err() {
                return;
            }
        }
    });
    Ok(())
}
