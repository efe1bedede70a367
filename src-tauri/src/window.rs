//! Parley's one window, and what it may never do: leave Parley's own pages,
//! open other windows, download what a page points at, or show the Web
//! Inspector unless whoever started Parley asked for it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tauri::webview::{DownloadEvent, NewWindowResponse};
use tauri::{Manager, Runtime, Url, WebviewWindow, WebviewWindowBuilder, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// The label of the window in `tauri.conf.json`, which is built here
/// (`"create": false` there) so the rules below come with it.
pub const MAIN: &str = "main";

/// Set to `1` to allow the Web Inspector (right-click, "Inspect Element")
/// in a debug build. Off otherwise: anyone at the keyboard could use it to
/// call any command and read what the page keeps in memory, such as other
/// people's unsent drafts.
pub const INSPECTOR_ENV: &str = "PARLEY_INSPECTOR";

/// Builds the main window from its configuration, with navigation held to
/// Parley's own pages, new windows and downloads refused, and the
/// inspector off unless [`INSPECTOR_ENV`] is `1`.
pub fn build<R: Runtime, M: Manager<R>>(manager: &M) -> tauri::Result<WebviewWindow<R>> {
    let config = manager
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    WebviewWindowBuilder::from_config(manager, &config)?
        .on_navigation(|url| {
            let own = is_parleys_own(url);
            if !own {
                log::warn!("refused to leave Parley for {}", site(url));
            }
            own
        })
        // A link with target="_blank", window.open or a middle click: a
        // second window would show a page nobody vouches for.
        .on_new_window(|url, _| {
            log::warn!("refused a new window for {}", site(&url));
            NewWindowResponse::Deny
        })
        // Nothing is downloaded from a page: Parley fetches what it shows
        // itself, in the backend, under its own rules.
        .on_download(|_, event| {
            if let DownloadEvent::Requested { url, .. } = event {
                log::warn!("refused to download from {}", site(&url));
            }
            false
        })
        .devtools(inspector_requested())
        .initialization_script(FIRST_PAGE_EARLY)
        .build()
}

/// Asks for the library's first page as soon as the page's document
/// starts, before Parley's script has been read: the answer is in about
/// 30 ms after navigation, while the script is still being parsed, and is
/// waiting when the UI is built (`askForFirstPage` in the UI takes it, if
/// the query is the one it would ask). Asked from the UI's script, it came
/// 40 ms later, and the UI waited for it (scripts/measure's page timeline).
/// Initialization scripts run as the webview's own, not under the page's
/// CSP; this one only calls a command the window may call anyway. It runs
/// at every load of the page, so a reload asks afresh.
const FIRST_PAGE_EARLY: &str = r#"(() => {
  const hash = window.location.hash;
  if (hash !== '' && hash !== '#' && hash !== '#/') return;
  const internals = window.__TAURI_INTERNALS__;
  if (!internals || typeof internals.invoke !== 'function') return;
  const query = { unreadOnly: false, limit: 20 };
  const asked = performance.now();
  const page = internals.invoke('library_page', { query });
  page.then(
    () => performance.measure('parley:call:library_page', { start: asked }),
    () => {},
  );
  Object.defineProperty(window, '__parleyFirstPage', {
    value: Object.freeze({ query: JSON.stringify(query), page }),
    configurable: true,
  });
})();"#;

/// Saves the window's size and place a second after it last changed, as
/// well as when Parley closes (tauri-plugin-window-state): a Parley that
/// is killed or crashes still opens where the person left it.
pub fn remember_place<R: Runtime>(window: &WebviewWindow<R>, flags: StateFlags) {
    let changes = Arc::new(AtomicU64::new(0));
    let app = window.app_handle().clone();
    window.on_window_event(move |event| {
        if !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
            return;
        }
        let this = changes.fetch_add(1, Ordering::SeqCst) + 1;
        let (changes, app) = (changes.clone(), app.clone());
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(SETTLE).await;
            if changes.load(Ordering::SeqCst) == this {
                if let Err(e) = app.save_window_state(flags) {
                    log::warn!("could not save the window's size and place: {e}");
                }
            }
        });
    });
}

/// How long a window must stay put before its place is saved.
const SETTLE: Duration = Duration::from_secs(1);

fn inspector_requested() -> bool {
    std::env::var(INSPECTOR_ENV).is_ok_and(|v| v == "1")
}

/// Whether `url` is one of Parley's own pages, served by Tauri from the
/// app's files: exactly `tauri://localhost` on Linux and macOS, and
/// `http://tauri.localhost` on Windows, with no port or user name. Anything
/// else (the web, a server on this computer, files, `data:` and
/// `javascript:` URLs) is somewhere the window must not go.
pub fn is_parleys_own(url: &Url) -> bool {
    let (scheme, host) = if cfg!(windows) {
        ("http", "tauri.localhost")
    } else {
        ("tauri", "localhost")
    };
    url.scheme() == scheme
        && url.host_str() == Some(host)
        && url.port().is_none()
        && url.username().is_empty()
        && url.password().is_none()
}

/// Where an address leads (scheme and host), for the log: never the
/// whole address, which may carry what someone wrote.
fn site(url: &Url) -> String {
    format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(not(windows))]
    fn only_parleys_own_pages_are_its_own() {
        let own = |s: &str| Url::parse(s).is_ok_and(|u| is_parleys_own(&u));
        assert!(own("tauri://localhost"));
        assert!(own("tauri://localhost/index.html#/article/x"));
        for other in [
            "http://tauri.localhost/",
            "http://tauri.localhost:8080/",
            "tauri://localhost:1/",
            "tauri://someone@localhost/",
            "https://example.com/x",
            "http://localhost:1420/",
            "https://tauri.localhost.example.com/",
            "tauri://localhost.evil/",
            "file:///etc/passwd",
            "data:text/html,<p>hi</p>",
            "javascript:alert(1)",
            "about:blank",
        ] {
            assert!(!own(other), "{other}");
        }
    }
}
