//! One Parley per data folder. The first Parley listens on a Unix socket
//! in its data folder; a second one started on the same folder finds it
//! there, asks it to bring its window to the front, and exits before it
//! opens the database. A Parley started on another folder
//! (`PARLEY_DATA_DIR`) is another Parley.
//!
//! tauri-plugin-single-instance does this through a D-Bus name, one per
//! application rather than per data folder, and does nothing where there
//! is no session bus (a bare X server, a minimal desktop): a socket in the
//! folder itself has neither limit. The folder is private (0700), so only
//! its owner can reach the socket.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[cfg(unix)]
use std::os::unix::net::{UnixListener, UnixStream};

use tauri::{AppHandle, Manager, Runtime};

/// The socket's name in the data folder.
const SOCKET: &str = "parley.sock";
const SHOW: &str = "show";
const SHOWN: &str = "shown";
/// How long a second Parley waits for the first to answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// What starting found.
#[derive(Debug)]
pub enum Instance {
    /// This is the only Parley on the folder: it listens for later ones.
    First(Listener),
    /// Another Parley has the folder and has shown its window.
    AlreadyRunning,
}

/// The first Parley's end of the socket.
#[derive(Debug)]
pub struct Listener {
    #[cfg(unix)]
    listener: Option<UnixListener>,
    path: PathBuf,
}

/// Claims the data folder `dir` for this process, or hands over to the
/// Parley that already has it. When the socket cannot be used at all (a
/// path too long for a socket, say), Parley runs anyway and says so in
/// the log.
pub fn claim(dir: &Path) -> Instance {
    let path = dir.join(SOCKET);
    #[cfg(unix)]
    {
        for _ in 0..2 {
            if ask_to_show(&path) {
                return Instance::AlreadyRunning;
            }
            // Nobody answered: a socket left by a Parley that crashed.
            let _ = std::fs::remove_file(&path);
            match UnixListener::bind(&path) {
                Ok(listener) => {
                    return Instance::First(Listener {
                        listener: Some(listener),
                        path,
                    })
                }
                // Another Parley bound it between our two steps: ask it.
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
                Err(e) => {
                    log::warn!("single instance: cannot listen on {}: {e}", path.display());
                    break;
                }
            }
        }
        Instance::First(Listener {
            listener: None,
            path,
        })
    }
    #[cfg(not(unix))]
    Instance::First(Listener { path })
}

/// Asks the Parley listening at `path` to show its window; whether it did.
#[cfg(unix)]
fn ask_to_show(path: &Path) -> bool {
    let Ok(mut stream) = UnixStream::connect(path) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(ANSWER_WITHIN));
    let _ = stream.set_write_timeout(Some(ANSWER_WITHIN));
    if writeln!(stream, "{SHOW}").is_err() {
        return false;
    }
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer).is_ok() && answer.trim() == SHOWN
}

impl Listener {
    /// Answers later Parleys for as long as the app runs: each one brings
    /// the main window to the front.
    /// The socket file stays until the app exits ([`socket_path`]).
    pub fn serve<R: Runtime>(mut self, app: AppHandle<R>) {
        #[cfg(unix)]
        if let Some(listener) = self.listener.take() {
            let path = self.path.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    answer(stream, &app);
                }
                log::warn!("single instance: stopped listening on {}", path.display());
            });
        }
    }
}

#[cfg(unix)]
fn answer<R: Runtime>(stream: UnixStream, app: &AppHandle<R>) {
    let _ = stream.set_read_timeout(Some(ANSWER_WITHIN));
    let mut line = String::new();
    let mut reader = BufReader::new(&stream);
    if reader.read_line(&mut line).is_err() || line.trim() != SHOW {
        return;
    }
    // No window (this Parley is closing): no answer, and the newcomer
    // starts as the first.
    let Some(window) = app.get_webview_window(crate::window::MAIN) else {
        return;
    };
    log::info!("another Parley was started on this data folder: showing this window");
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
    let mut stream = stream;
    let _ = writeln!(stream, "{SHOWN}");
}

/// The socket's path for the data folder `dir`, to remove it at exit.
pub fn socket_path(dir: &Path) -> PathBuf {
    dir.join(SOCKET)
}
