//! Parley started on a database it cannot use says so in a native dialog
//! (and on standard error, for logs), naming the file and what to do, and
//! leaves the file exactly as it was: random bytes, a text file, a
//! database from a newer Parley, a read-only folder.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a panic is a failed test"
)]

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{app_binary, require_tool};

/// The title of the dialog Parley shows when it cannot start.
const TITLE: &str = "Parley cannot start";
const PATIENCE: Duration = Duration::from_secs(30);

/// Held while a test types: there is one keyboard focus for the display.
static KEYBOARD: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A data folder with `parley.db` holding `bytes`.
fn folder_with(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("parley.db");
    std::fs::write(&file, bytes).unwrap();
    (dir, file)
}

/// A real Parley database, made by parley-core, in a fresh folder.
async fn parley_database() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = parley_core::startup::open(dir.path()).await.unwrap();
    parley_core::samples::add_samples_if_empty(&store)
        .await
        .unwrap();
    store.close().await;
    let file = dir.path().join("parley.db");
    settle(&file, "").await;
    (dir, file)
}

/// Runs `sql` on `file`, then folds the write-ahead log into the file and
/// empties it, so the file's bytes are all there is to compare.
async fn settle(file: &Path, sql: &str) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    if !sql.is_empty() {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// What Parley did when started on `data_dir`.
struct Outcome {
    stderr: String,
    success: bool,
}

/// Starts Parley on `data_dir` (as `user`, a uid, when given), waits for
/// its dialog, checks the dialog says what standard error says, answers it
/// with Enter as a person would, and waits for Parley to exit.
fn start_and_answer(data_dir: &Path, user: Option<u32>) -> Outcome {
    require_tool("xdotool", "sudo apt-get install xdotool");
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no X display: run the end-to-end tests under `xvfb-run -a` (./scripts/test does)"
    );
    let mut command = Command::new(app_binary());
    command
        .env("PARLEY_DATA_DIR", data_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let _home = user.map(|uid| run_as(&mut command, uid));
    let mut app = command.spawn().expect("Parley starts");
    let mut stderr = app.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).unwrap();
        text
    });

    let window = match find_window(TITLE, &mut app) {
        Ok(window) => window,
        Err(exited) => panic!(
            "{exited}; it said on standard error:\n{}",
            reader.join().unwrap()
        ),
    };
    let status = answer(&window, &mut app);
    Outcome {
        stderr: reader.join().unwrap(),
        success: status.success(),
    }
}

/// Focuses the dialog and presses Enter, its default (and only) button, as
/// a person would, until Parley exits. One test at a time: the keyboard
/// goes to whichever window has the focus. A window just mapped can refuse
/// the focus for a moment, so a failed try is tried again.
fn answer(window: &str, app: &mut std::process::Child) -> std::process::ExitStatus {
    let started = Instant::now();
    let mut tries = Vec::new();
    loop {
        {
            let _keyboard = KEYBOARD
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let pressed = Command::new("xdotool")
                .args([
                    "windowfocus",
                    "--sync",
                    window,
                    "key",
                    "--clearmodifiers",
                    "Return",
                ])
                .output()
                .unwrap();
            tries.push(String::from_utf8_lossy(&pressed.stderr).trim().to_owned());
        }
        let waited = Instant::now();
        while waited.elapsed() < Duration::from_secs(2) {
            if let Some(status) = app.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if started.elapsed() > PATIENCE {
            let _ = app.kill();
            panic!("Parley did not exit when its dialog was answered; xdotool said {tries:?}");
        }
    }
}

/// The id of `app`'s visible window titled `title`, waiting for it to
/// appear; or, if Parley exits first, how it exited.
fn find_window(title: &str, app: &mut std::process::Child) -> Result<String, String> {
    let started = Instant::now();
    loop {
        // By process too: tests run side by side, each with its dialog.
        let found = Command::new("xdotool")
            .args([
                "search",
                "--all",
                "--onlyvisible",
                "--pid",
                &app.id().to_string(),
            ])
            .args(["--name", &format!("^{title}$")])
            .output()
            .unwrap();
        let ids = String::from_utf8_lossy(&found.stdout);
        if let Some(id) = ids.lines().next() {
            return Ok(id.trim().to_owned());
        }
        if let Some(status) = app.try_wait().unwrap() {
            return Err(format!(
                "Parley exited ({status}) without showing a dialog titled {title:?}"
            ));
        }
        if started.elapsed() > PATIENCE {
            let _ = app.kill();
            panic!("no window titled {title:?} appeared");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Makes `command` run as `uid` (root reads and writes everything, so a
/// read-only folder is only read-only to someone else), with its own home
/// and a copy of the X authority it needs to reach the display.
fn run_as(command: &mut Command, uid: u32) -> tempfile::TempDir {
    use std::os::unix::process::CommandExt;
    let home = tempfile::tempdir().unwrap();
    let chown = |path: &Path| {
        let done = Command::new("chown")
            .args([&uid.to_string(), &path.display().to_string()])
            .status()
            .unwrap();
        assert!(done.success(), "chown {}", path.display());
    };
    chown(home.path());
    if let Some(xauthority) = std::env::var_os("XAUTHORITY") {
        let copy = home.path().join(".Xauthority");
        std::fs::copy(&xauthority, &copy).unwrap();
        chown(&copy);
        command.env("XAUTHORITY", &copy);
    }
    command
        .uid(uid)
        .gid(uid)
        .env("HOME", home.path())
        .env_remove("XDG_RUNTIME_DIR");
    home
}

fn assert_explained(outcome: &Outcome, file: &Path, says: &str) {
    assert!(!outcome.success, "Parley exited successfully");
    let stderr = &outcome.stderr;
    assert!(stderr.contains("parley: cannot start"), "{stderr}");
    assert!(
        stderr.contains(&file.display().to_string()),
        "names the file: {stderr}"
    );
    assert!(stderr.contains(says), "says {says:?}: {stderr}");
}

#[test]
fn random_bytes_are_explained_and_left_alone() {
    let bytes = random_bytes(48 * 1024);
    let (dir, file) = folder_with(&bytes);
    let outcome = start_and_answer(dir.path(), None);
    assert_explained(&outcome, &file, "not a database");
    assert!(
        outcome.stderr.contains("move the file aside"),
        "{}",
        outcome.stderr
    );
    assert!(std::fs::read(&file).unwrap() == bytes, "the file changed");
}

#[test]
fn a_text_file_is_explained_and_left_alone() {
    let bytes = b"My reading list\n- Night buses\n- Octopus sleep\n".repeat(100);
    let (dir, file) = folder_with(&bytes);
    let outcome = start_and_answer(dir.path(), None);
    assert_explained(&outcome, &file, "not a database");
    assert!(std::fs::read(&file).unwrap() == bytes, "the file changed");
}

#[tokio::test]
async fn a_database_from_a_newer_parley_is_explained_and_left_alone() {
    let (dir, file) = parley_database().await;
    settle(
        &file,
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (29991231000000, 'from a newer Parley', 1, x'00', 0)",
    )
    .await;
    let bytes = std::fs::read(&file).unwrap();

    let outcome = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        move || start_and_answer(&dir, None)
    })
    .await
    .unwrap();
    assert_explained(&outcome, &file, "newer version of Parley");
    assert!(std::fs::read(&file).unwrap() == bytes, "the file changed");
}

#[tokio::test]
async fn a_read_only_folder_is_explained_and_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, file) = parley_database().await;
    let bytes = std::fs::read(&file).unwrap();
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    mode(&file, 0o644);
    mode(dir.path(), 0o555);
    // As root, permissions do not bind: run Parley as `nobody` instead.
    let user = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap()
        .then_some(65_534);

    let outcome = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        move || start_and_answer(&dir, user)
    })
    .await
    .unwrap();
    mode(dir.path(), 0o755);
    assert_explained(&outcome, &file, "cannot write to it");
    assert!(std::fs::read(&file).unwrap() == bytes, "the file changed");
}
