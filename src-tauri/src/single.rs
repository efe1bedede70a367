//! One Parley per data folder. An exclusive lock on `parley.lock` in the
//! folder decides which Parley runs: the one that takes it holds it for as
//! long as the process lives (the system lets go of it when the process
//! ends, however it ends). That Parley listens on a Unix socket in the
//! folder; a second one started on the same folder finds the lock taken,
//! asks through the socket for the window to come to the front (waiting,
//! if the first is still starting: migrating a large database, say), and
//! exits before it opens the database. It never runs beside the first. A
//! Parley started on another folder (`PARLEY_DATA_DIR`) is another Parley.
//!
//! tauri-plugin-single-instance does this through a D-Bus name, one per
//! application rather than per data folder, and does nothing where there
//! is no session bus (a bare X server, a minimal desktop): a socket in the
//! folder itself has neither limit. The folder is private (0700), so only
//! its owner can reach the socket.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[cfg(unix)]
use std::os::unix::net::{UnixListener, UnixStream};

use tauri::{AppHandle, Manager, Runtime};

/// The socket's name in the data folder.
const SOCKET: &str = "parley.sock";
/// The lock's name in the data folder.
const LOCK: &str = "parley.lock";
/// How long a second Parley waits for a first that is still starting.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(120);

/// The lock this process holds on its data folder: taken once, never let
/// go while it runs.
static HELD: OnceLock<File> = OnceLock::new();
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
    /// Another Parley has the folder, and did not show its window in
    /// [`WAIT_FOR_FIRST`]: it is stuck starting, or closing.
    Unanswered,
}

/// The first Parley's end of the socket.
#[derive(Debug)]
pub struct Listener {
    #[cfg(unix)]
    listener: Option<UnixListener>,
    path: PathBuf,
}

/// Claims the data folder `dir` for this process, or hands over to the
/// Parley that already has it. When the lock or the socket cannot be used
/// at all (a file system without locks, a path too long for a socket),
/// Parley runs anyway and says so in the log.
pub fn claim(dir: &Path) -> Instance {
    let path = dir.join(SOCKET);
    let lock_path = dir.join(LOCK);
    let lock = match OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
    {
        Ok(file) => file,
        Err(e) => {
            log::warn!("single instance: cannot open {}: {e}", lock_path.display());
            return listen(path);
        }
    };
    let asked_since = Instant::now();
    loop {
        match lock.try_lock() {
            Ok(()) => {
                let _ = HELD.set(lock);
                // Nobody else holds the folder: a socket left here is a
                // crashed Parley's.
                let _ = std::fs::remove_file(&path);
                return listen(path);
            }
            Err(TryLockError::WouldBlock) => {
                #[cfg(unix)]
                if ask_to_show(&path) {
                    return Instance::AlreadyRunning;
                }
                if asked_since.elapsed() > WAIT_FOR_FIRST {
                    return Instance::Unanswered;
                }
                // Still starting: its window is not there yet.
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(TryLockError::Error(e)) => {
                log::warn!("single instance: cannot lock {}: {e}", lock_path.display());
                return listen(path);
            }
        }
    }
}

/// Listens on the socket at `path`, which this process may now own.
fn listen(path: PathBuf) -> Instance {
    #[cfg(unix)]
    {
        match UnixListener::bind(&path) {
            Ok(listener) => Instance::First(Listener {
                listener: Some(listener),
                path,
            }),
            Err(e) => {
                log::warn!("single instance: cannot listen on {}: {e}", path.display());
                Instance::First(Listener {
                    listener: None,
                    path,
                })
            }
        }
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
    // No window (this Parley is still starting, or closing): no answer;
    // the newcomer asks again until this one shows its window or lets go
    // of the lock.
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
