//! The Web Inspector cannot be opened in the build people run: anyone at
//! the keyboard could use it to call any command and read what the page
//! keeps in memory. A person opens it from the web view's own menu (shift
//! and right click, then "Inspect Element", the last entry); it docks in
//! the window and takes half its height. Checked with the real mouse and
//! keyboard (xdotool) on the real window, and against a Parley started
//! with the developers' switch, to show the same steps do open it there.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a panic is a failed test"
)]

mod support;

use std::process::Command;
use std::time::Duration;

use support::{require_tool, App, Driver};

/// The page's height in CSS pixels: it shrinks when the inspector docks.
async fn page_height(app: &App) -> i64 {
    app.client
        .execute("return window.innerHeight;", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap()
}

fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool").args(args).output().unwrap();
    assert!(out.status.success(), "xdotool {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// What a person does to open the inspector: shift and right click on an
/// empty part of the page, then the menu's last entry.
async fn try_to_open_the_inspector() {
    let window = xdotool(&["search", "--onlyvisible", "--name", "^Parley$"]);
    let window = window.lines().next().expect("Parley's window").to_owned();
    xdotool(&["windowfocus", "--sync", &window]);
    xdotool(&["mousemove", "--window", &window, "60", "500"]);
    xdotool(&["keydown", "shift", "click", "3", "keyup", "shift"]);
    tokio::time::sleep(Duration::from_millis(800)).await;
    xdotool(&["key", "Up", "Return"]);
    tokio::time::sleep(Duration::from_millis(2500)).await;
}

#[tokio::test]
async fn the_inspector_cannot_be_opened_unless_a_developer_turns_it_on() {
    require_tool("xdotool", "sudo apt-get install xdotool");

    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(data.path());
    let app = driver.launch().await;
    let before = page_height(&app).await;
    try_to_open_the_inspector().await;
    app.wait_for("//h1[normalize-space()='Library']").await;
    assert_eq!(page_height(&app).await, before, "the inspector opened");
    app.quit().await;
    drop(driver);

    // The same steps with the developers' switch do open it: the check
    // above can see an inspector. (A debug build only: a release build
    // has no inspector to turn on.)
    if cfg!(debug_assertions) {
        let driver = Driver::start_with_env(data.path(), &[("PARLEY_INSPECTOR", "1")]);
        let app = driver.launch().await;
        let before = page_height(&app).await;
        try_to_open_the_inspector().await;
        let after = page_height(&app).await;
        assert!(
            after < before * 3 / 4,
            "with PARLEY_INSPECTOR=1 the inspector should dock: {before} -> {after}"
        );
        app.quit().await;
    }
}
