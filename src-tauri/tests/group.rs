//! A group on one server: two desktop apps, each with its own data folder,
//! connect to a real parley-server on PostgreSQL on 127.0.0.1. What one
//! writes reaches the other within a second without reloading; the server
//! is killed with SIGKILL and started again while the first app posts,
//! and nothing the app showed as posted is lost, nothing posts twice, a
//! draft typed meanwhile is kept; and the local library is still there,
//! unchanged, when the person goes back to it.
//!
//! Then two server processes on one database, an app on each: a comment
//! crosses from one process to the other's reader within a second, and
//! PostgreSQL restarting while one app posts loses nothing and posts
//! nothing twice; both apps recover by themselves.
//!
//! Runs where `PG*` variables name a PostgreSQL server (./scripts/test
//! runs it under pg_virtualenv), with parley-server built beside the app.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test harness: a panic is a failed test"
)]

#[path = "group/server.rs"]
mod server;
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use parley_core::{articles, comments};
use serde_json::json;
use server::{new_database, postgres, ServerProcess};
use support::{lit, seed_account, seed_with_clock, App, Driver};

const LOCAL_NOTE: &str = "A note that stays in this computer's own library";

/// The tests here share one PostgreSQL cluster and one of them restarts
/// it: they take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl App {
    /// "Connect to a server" from the account menu, at `address`.
    async fn connect_to(&self, address: &str) {
        self.click_link("Local library: connect to a server").await;
        self.fill("Server address", address).await;
        self.click_in("//form", "Connect").await;
        self.wait_for(&format!(
            "//p[@role='status'][contains(normalize-space(), {})]",
            lit(&format!(
                "Server: {}",
                address.trim_start_matches("http://")
            ))
        ))
        .await;
    }

    async fn click_link(&self, name: &str) {
        self.wait_for(&format!("//a[normalize-space()={}]", lit(name)))
            .await
            .click()
            .await
            .unwrap();
    }

    /// Joins the server from the dialog that opens on connecting.
    async fn join(&self, username: &str, display_name: &str, code: &str, password: &str) {
        self.fill("Username", username).await;
        self.fill("Display name", display_name).await;
        self.fill("Invite or setup code", code).await;
        self.fill("Password", password).await;
        self.click_in("//*[@role='dialog']", "Create account").await;
        self.wait_signed_in_as(display_name).await;
    }

    async fn post(&self, text: &str) {
        self.fill("Your comment", text).await;
        self.click("Post comment").await;
    }

    /// The comment whose text is `text`, once it is in the discussion.
    async fn see_comment(&self, text: &str) {
        self.wait_for(&format!(
            "//ol[@aria-label='Discussion']//*[contains(@class,'comment-body')][normalize-space()={}]",
            lit(text)
        ))
        .await;
    }

    /// Posts `text` here and returns how long after it was shown here
    /// the discussion open in `other` showed it too.
    async fn post_and_time_to(&self, other: &App, text: &str) -> Duration {
        self.post(text).await;
        self.see_comment(text).await;
        let shown = Instant::now();
        other.see_comment(text).await;
        shown.elapsed()
    }

    async fn article_id(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        let hash = url.fragment().unwrap_or_default().to_owned();
        hash.trim_start_matches("/article/")
            .split('/')
            .next()
            .unwrap()
            .to_owned()
    }
}

/// Both windows, side by side, as `target/screenshots/<name>` (for the
/// README).
fn capture_both(name: &str) {
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../screenshots");
    std::fs::create_dir_all(&out).unwrap();
    let file = out.join(name);
    let status = Command::new("import")
        .args(["-window", "root"])
        .arg(&file)
        .status()
        .expect("`import` runs (sudo apt-get install imagemagick; ./scripts/test does)");
    assert!(status.success(), "import failed to capture the screen");
    eprintln!("e2e: screenshot written to {}", file.display());
}

#[tokio::test]
async fn two_apps_share_one_server_through_a_crash_and_the_local_library_stays() {
    let _turn = ONE_AT_A_TIME.lock().await;
    // App A's own library has a local account and a comment of its own.
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let title = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let seeded = title.clone();
    seed_with_clock(dir_a.path(), 60, |store, _clock| async move {
        let local = seed_account(&store, ("mina", "Mina Local", "a local password 123")).await;
        let article = articles::list_articles(&store, None).await.unwrap()[0].clone();
        *seeded.lock().unwrap() = article.title.clone();
        comments::post(&store, &local, article.id, None, LOCAL_NOTE)
            .await
            .unwrap();
    })
    .await;
    let title = title.lock().unwrap().clone();

    let (mut server, setup_code) = ServerProcess::start(new_database());
    let setup_code = setup_code.expect("a new server prints its setup code");
    let address = format!("http://127.0.0.1:{}", server.port);

    let driver_a = Driver::start(dir_a.path());
    let driver_b = Driver::start(dir_b.path());
    let a = driver_a.launch().await;
    let b = driver_b.launch().await;
    // Side by side: on a display without a window manager, a click goes
    // to whichever window is on top at that point of the screen.
    a.client.set_window_rect(0, 0, 640, 800).await.unwrap();
    b.client.set_window_rect(640, 0, 640, 800).await.unwrap();
    a.see("Local library").await;

    // A connects and makes the server's first account with its setup code.
    a.connect_to(&address).await;
    a.join("ada", "Ada Lovelace", &setup_code, "analytical engine 1843")
        .await;
    // The admin invites Grace from the admin page.
    a.click_link("Admin").await;
    // Once the panel has loaded (its button waits until then).
    a.see("Invites not used yet").await;
    a.click("Make an invite").await;
    let invite = a
        .wait_for("//code[contains(@class,'invite-code')]")
        .await
        .text()
        .await
        .unwrap();
    a.click_link("Library").await;
    b.connect_to(&address).await;
    b.click("Create a new account").await;
    b.join("grace", "Grace Hopper", &invite, "nanoseconds of wire")
        .await;

    // Both read the same article of the server's library.
    a.open_article(&title).await;
    b.open_article(&title).await;
    let article = a.article_id().await;
    assert_eq!(article, b.article_id().await);
    a.see("Leave the first comment").await;

    // What A posts reaches B within a second, without B reloading.
    let reached = a.post_and_time_to(&b, "Ada writes from her computer").await;
    eprintln!("e2e: a comment reached the other app {reached:?} after it was shown as posted");
    assert!(reached < Duration::from_secs(1), "took {reached:?}");

    // B's reply, in a discussion A is reading: A is told, and nothing
    // moves under A until A asks to see it.
    b.post("Grace answers from hers").await;
    b.see_comment("Grace answers from hers").await;
    let shown = Instant::now();
    a.see("1 new comment: show").await;
    let told = shown.elapsed();
    eprintln!("e2e: the other app was told of a new comment after {told:?}");
    assert!(told < Duration::from_secs(1), "took {told:?}");
    capture_both("group.png");
    a.click("1 new comment: show").await;
    a.see_comment("Grace answers from hers").await;

    // The server dies (SIGKILL) as A posts: the request may reach it or
    // not, its answer may be lost; either way it must end up there once.
    // B types a draft meanwhile.
    a.fill("Your comment", "Posted across the crash").await;
    let killing = server.kill_soon(Duration::from_millis(5));
    a.click("Post comment").await;
    killing.join().unwrap();
    server.reap();
    a.see("Offline: trying again").await;
    b.fill("Your comment", "A draft typed while the server was gone")
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The server comes back by itself (same database, same address) and
    // both apps reconnect without anyone doing anything.
    server.spawn();
    a.see_comment("Posted across the crash").await;
    a.wait_gone("//*[contains(normalize-space(), 'Offline: trying again')]")
        .await;
    let draft = b.field("Your comment").await;
    assert_eq!(
        draft.prop("value").await.unwrap().as_deref(),
        Some("A draft typed while the server was gone"),
        "the draft survived the server's absence"
    );
    b.click("Post comment").await;
    b.see_comment("A draft typed while the server was gone")
        .await;

    // A passage discussed in one app is marked in the other, live, and
    // the other's reply is counted in the first.
    let sentence: String = serde_json::from_value(
        a.client
            .execute(
                "const p = document.querySelector('.reader .body p').textContent;
                 return p.split(' ').slice(0, 6).join(' ');",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    a.select_with_mouse(&sentence).await;
    a.click_in("//*[contains(@class,'passage-tools')]", "Discuss")
        .await;
    a.fill("Your comment on the passage", "About these very words")
        .await;
    a.click_in("//div[@class='passage-composer']", "Post comment")
        .await;
    a.see_comment("About these very words").await;
    let mark = |n: &str| {
        format!(
            "//ul[@aria-label='Discussed passages']//button[starts-with(@aria-label, {})]",
            lit(&format!("{n} on “"))
        )
    };
    b.wait_for(&mark("1 comment")).await;
    let marked = b
        .wait_for("//div[@class='body']//mark[contains(@class,'passage-mark')]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(marked, sentence);
    // B narrows the discussion to the passage (through the server) and
    // replies there.
    b.wait_for(&mark("1 comment")).await.click().await.unwrap();
    b.see("All comments").await;
    b.reply_to(
        "(//ol[@aria-label='Discussion']//article[.//blockquote])[1]",
        "Ada Lovelace",
        "Replying to the passage",
    )
    .await;
    a.wait_for(&mark("2 comments")).await;

    // Everything either app showed as posted is on the server, once.
    server
        .assert_each_once(
            &article,
            &[
                "Ada writes from her computer",
                "Grace answers from hers",
                "Posted across the crash",
                "A draft typed while the server was gone",
                "About these very words",
                "Replying to the passage",
            ],
        )
        .await;

    // Back to A's local library: its own article and comment, unchanged,
    // and nothing from the server.
    a.click("Use the local library").await;
    a.see("Local library").await;
    a.open_article(&title).await;
    a.see_comment(LOCAL_NOTE).await;
    a.see_comment_count(1).await;
    let texts: Vec<String> = a.discussion().await.into_iter().map(|c| c.2).collect();
    assert_eq!(texts, vec![LOCAL_NOTE.to_owned()]);

    a.quit().await;
    b.quit().await;
}

#[tokio::test]
async fn two_apps_share_one_server_across_two_processes_and_a_postgres_restart() {
    let _turn = ONE_AT_A_TIME.lock().await;
    // Two server processes on one database, each app connected to one.
    let database = new_database();
    let (one, _) = ServerProcess::start(database.clone());
    // The setup code is the one the last process to start printed.
    let (two, setup_code) = ServerProcess::start(database);
    let setup_code = setup_code.expect("a server without accounts prints its setup code");
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let driver_a = Driver::start(dir_a.path());
    let driver_b = Driver::start(dir_b.path());
    let a = driver_a.launch().await;
    let b = driver_b.launch().await;
    a.client.set_window_rect(0, 0, 640, 800).await.unwrap();
    b.client.set_window_rect(640, 0, 640, 800).await.unwrap();

    // Ada makes the first account through the first process; the invite
    // she makes (through the API, as an admin could) is used on the second.
    a.connect_to(&format!("http://127.0.0.1:{}", one.port))
        .await;
    a.join("ada", "Ada Lovelace", &setup_code, "analytical engine 1843")
        .await;
    let ada = one
        .call(
            "POST",
            "/api/v1/sessions",
            None,
            json!({"username": "ada", "password": "analytical engine 1843"}),
        )
        .await;
    let invite = two
        .call(
            "POST",
            "/api/v1/invites",
            ada["token"].as_str(),
            json!({"days": 1}),
        )
        .await;
    b.connect_to(&format!("http://127.0.0.1:{}", two.port))
        .await;
    b.click("Create a new account").await;
    b.join(
        "grace",
        "Grace Hopper",
        invite["code"].as_str().unwrap(),
        "nanoseconds of wire",
    )
    .await;
    let title = one.call("POST", "/api/v1/library", None, json!({})).await["articles"][0]["title"]
        .as_str()
        .unwrap()
        .to_owned();
    a.open_article(&title).await;
    b.open_article(&title).await;
    let article = a.article_id().await;

    // Posted through one process, seen through the other within a second.
    let reached = a.post_and_time_to(&b, "Through the first process").await;
    eprintln!("e2e: a comment reached the app on the other process after {reached:?}");
    assert!(reached < Duration::from_secs(1), "took {reached:?}");

    // PostgreSQL restarts as Ada posts: her app says it is offline and
    // keeps trying; once the database is back the comment is posted, once,
    // and reaches Grace without anyone doing anything.
    a.fill("Your comment", "Posted while the database restarted")
        .await;
    postgres("stop");
    a.click("Post comment").await;
    a.see("Offline: trying again").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    postgres("start");
    a.see_comment("Posted while the database restarted").await;
    a.wait_gone("//*[contains(normalize-space(), 'Offline: trying again')]")
        .await;
    // Grace, reading the discussion, is told of it.
    b.see("1 new comment: show").await;
    b.click("1 new comment: show").await;
    b.see_comment("Posted while the database restarted").await;
    b.post("Grace carries on after it").await;
    a.see("1 new comment: show").await;

    // Through either process, each comment is there once.
    for server in [&one, &two] {
        server
            .assert_each_once(
                &article,
                &[
                    "Through the first process",
                    "Posted while the database restarted",
                    "Grace carries on after it",
                ],
            )
            .await;
    }
    a.quit().await;
    b.quit().await;
}
