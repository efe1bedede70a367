//! Parley as desktop software: starting it a second time on the same data
//! folder brings the open window back instead of a second Parley; the
//! window's size survives a restart; the log file is written and holds no
//! password or comment typed during the run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a panic is a failed test"
)]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::Driver;

const PASSWORD: &str = "plum-colored-lighthouse-91";
const COMMENT: &str = "A remark that must never reach the log file 7f3a.";

#[tokio::test]
async fn one_window_per_data_folder_a_remembered_size_and_a_clean_log() {
    let data = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config");
    let share = home.path().join("share");
    let env = [
        ("XDG_CONFIG_HOME", config.to_str().unwrap()),
        ("XDG_DATA_HOME", share.to_str().unwrap()),
    ];
    let driver = Driver::start_with_env(data.path(), &env);
    let app = driver.launch().await;
    app.create_account("lena", "Lena Okafor", PASSWORD).await;
    app.open_article("Octopuses may dream in colour, a tank study suggests")
        .await;
    app.fill("Your comment", COMMENT).await;
    app.click("Post comment").await;
    app.see_comment_count(1).await;

    // A second Parley on the same folder hands over and exits at once.
    let started = Instant::now();
    let mut second = Command::new(support::app_binary())
        .env("PARLEY_DATA_DIR", data.path())
        .envs(env)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the second Parley is still running"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert!(stderr.contains("already open"), "{stderr}");
    eprintln!(
        "e2e: the second Parley handed over in {:?}",
        started.elapsed()
    );
    // The first window is still there, showing the same page, and has the
    // focus.
    app.see_comment_count(1).await;
    let focused = app
        .client
        .execute("return document.hasFocus();", vec![])
        .await
        .unwrap();
    assert_eq!(focused, serde_json::Value::Bool(true));

    // About Parley says which Parley this is and where its things are.
    app.wait_for("//footer//a[normalize-space()='About Parley']")
        .await
        .click()
        .await
        .unwrap();
    app.see("0.1.0 (").await;
    app.see(data.path().to_str().unwrap()).await;
    app.see("app.parley.desktop/logs").await;

    // A size of the person's choosing, kept across a restart.
    app.client.set_window_size(900, 640).await.unwrap();
    let (width, height) = app.client.get_window_size().await.unwrap();
    assert_eq!((width, height), (900, 640));
    // Saved a moment after the window settles (and when Parley closes;
    // the WebDriver session ends it less gently than a person would).
    let state = config.join("app.parley.desktop/.window-state.json");
    let waited = Instant::now();
    while !std::fs::read_to_string(&state).is_ok_and(|s| s.contains("900")) {
        assert!(
            waited.elapsed() < Duration::from_secs(10),
            "{} was not written",
            state.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.quit().await;

    let app = driver.launch().await;
    let (width, height) = app.client.get_window_size().await.unwrap();
    assert_eq!((width, height), (900, 640), "the size was remembered");
    app.quit().await;

    // The log is in the platform's log folder, says what happened, and
    // keeps nobody's secrets.
    let log = share.join("app.parley.desktop/logs/parley.log");
    let text = std::fs::read_to_string(&log)
        .unwrap_or_else(|e| panic!("no log at {}: {e}", log.display()));
    assert!(text.contains("Parley 0.1.0 started"), "{text}");
    assert!(
        text.contains("another Parley was started on this data folder"),
        "{text}"
    );
    assert!(!text.contains(PASSWORD), "the log holds the password");
    assert!(!text.contains("7f3a"), "the log holds the comment");
}

/// A Parley started while the first one on its folder is still starting
/// (migrating a large database, say: here a debug build told to open its
/// database four seconds late) waits for the first's window and hands
/// over to it; it never opens the database beside it.
#[tokio::test]
async fn a_second_start_during_a_slow_first_start_waits_and_hands_over() {
    support::require_tool("Xvfb", "sudo apt-get install xvfb");
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no X display: run the end-to-end tests under `xvfb-run -a` (./scripts/test does)"
    );
    let data = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let start = |slow: Option<&str>| {
        let mut command = Command::new(support::app_binary());
        command
            .env("PARLEY_DATA_DIR", data.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("share"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(ms) = slow {
            command.env("PARLEY_TEST_SLOW_OPEN_MS", ms);
        }
        command.spawn().unwrap()
    };
    let mut first = start(Some("4000"));
    tokio::time::sleep(Duration::from_millis(800)).await;
    let started = Instant::now();
    let mut second = start(None);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = second.kill();
            let _ = first.kill();
            panic!("the second Parley ran beside the first");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let waited = started.elapsed();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert!(stderr.contains("already open"), "{stderr}");
    assert!(
        waited > Duration::from_secs(2),
        "it handed over after {waited:?}, before the first had a window"
    );
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first Parley is still running"
    );
    eprintln!("e2e: a second start during a slow first start waited {waited:?} and handed over");
    let _ = Command::new("kill")
        .args(["-TERM", &first.id().to_string()])
        .status();
    let _ = first.wait();
}
