//! The window stays Parley's: a link in a comment never turns it into
//! someone else's page, it opens in the person's browser only after they
//! saw its real address and said yes, and nothing else (a script, a file,
//! an inline document) can be opened through the backend. Signing out
//! leaves nothing of what the person was writing behind.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a panic is a failed test"
)]

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{json, Value};
use support::{comment_with, seed_account, seed_with_clock, Driver, Person};

const GRACE: Person = ("grace", "Grace Hopper", "nanoseconds of wire");
const ARTICLE: &str = "City adds four night bus routes after shift workers petition council";

/// A program standing in for the person's browser: it writes down each
/// address it is asked to open.
fn fake_browser(dir: &Path) -> (String, std::path::PathBuf) {
    let log = dir.join("opened.txt");
    let script = dir.join("browser.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", log.display()),
    )
    .unwrap();
    std::process::Command::new("chmod")
        .args(["+x", &script.display().to_string()])
        .status()
        .unwrap();
    (script.display().to_string(), log)
}

/// A web server on this computer that counts the requests it gets: a page
/// the window must never load.
fn lure() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counted.fetch_add(1, Ordering::SeqCst);
            let mut buffer = [0_u8; 4096];
            let _ = stream.read(&mut buffer);
            let page = "<h1>Your session ended. Sign in again</h1>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{page}",
                page.len()
            );
        }
    });
    (address, requests)
}

fn opened(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

async fn current_url(app: &support::App) -> String {
    app.client.current_url().await.unwrap().to_string()
}

/// Calls a backend command directly, as a script in the page could.
async fn invoke(app: &support::App, command: &str, args: Value) -> Value {
    app.client
        .execute_async(
            "const [command, args, done] = arguments;
             window.__TAURI_INTERNALS__.invoke(command, args)
               .then((ok) => done({ ok }), (err) => done({ err }));",
            vec![json!(command), args],
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_link_in_a_comment_asks_first_then_opens_in_the_browser_never_in_the_window() {
    let data = tempfile::tempdir().unwrap();
    let tools = tempfile::tempdir().unwrap();
    let (browser, log) = fake_browser(tools.path());
    seed_with_clock(data.path(), 10, |store, _| async move {
        let grace = seed_account(&store, GRACE).await;
        let article = parley_core::articles::list_articles(&store, None)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.title == ARTICLE)
            .unwrap();
        parley_core::comments::post(
            &store,
            &grace,
            article.id,
            None,
            "Your session ended: [sign in again](https://example.com/x?next=%2Flogin) to read on.",
        )
        .await
        .unwrap();
    })
    .await;
    let driver = Driver::start_with_env(data.path(), &[("BROWSER", &browser)]);
    let app = driver.launch().await;
    let home = current_url(&app).await;
    assert!(home.starts_with("tauri://localhost"), "{home}");
    app.open_article(ARTICLE).await;

    let link = format!(
        "{}//a[normalize-space()='sign in again']",
        comment_with("Your session ended: sign in again to read on.",)
    );
    app.wait_for(&link).await.click().await.unwrap();
    let dialog =
        "//*[@role='dialog' and .//h2[normalize-space()='Open this link outside Parley?']]";
    app.wait_for(dialog).await;
    app.wait_for(&format!(
        "{dialog}//code[normalize-space()='https://example.com/x?next=%2Flogin']"
    ))
    .await;
    app.wait_for(&format!(
        "{dialog}//strong[normalize-space()='example.com']"
    ))
    .await;
    assert!(current_url(&app).await.starts_with("tauri://localhost"));
    app.click_in(dialog, "Cancel").await;
    app.wait_gone(dialog).await;
    assert!(opened(&log).is_empty(), "Cancel opened {:?}", opened(&log));

    app.wait_for(&link).await.click().await.unwrap();
    app.click_in(dialog, "Open in browser").await;
    app.wait_gone(dialog).await;
    let started = Instant::now();
    while opened(&log).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the browser was never asked"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(opened(&log), vec!["https://example.com/x?next=%2Flogin"]);
    assert!(current_url(&app).await.starts_with("tauri://localhost"));
    app.see("Your session ended:").await;

    // Whatever a script in the page tries, the window stays on Parley: a
    // server on this computer, ready to serve a fake page, is never asked.
    let (lure, requests) = lure();
    let go = format!("window.location.href = '{lure}/phish';");
    app.client.execute(&go, vec![]).await.unwrap();
    let pop = format!("window.open('{lure}/popup', '_blank');");
    app.client.execute(&pop, vec![]).await.unwrap();
    // WebKit blocks a script's pop-up unless a person's click started it:
    // this one has a real click behind it, so only the shell stops it.
    let button = format!(
        "const b = document.createElement('button');
         b.id = 'pop-up';
         b.textContent = 'Pop up';
         b.onclick = () => window.open('{lure}/clicked', '_blank');
         document.body.prepend(b);"
    );
    app.client.execute(&button, vec![]).await.unwrap();
    app.wait_for("//button[@id='pop-up']")
        .await
        .click()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(
        requests.load(Ordering::SeqCst),
        0,
        "the window asked {lure}"
    );
    let url = current_url(&app).await;
    assert!(
        url.starts_with("tauri://localhost"),
        "the window went to {url}"
    );
    let windows = app.client.windows().await.unwrap().len();
    assert_eq!(windows, 1, "a second window opened");
    app.see("Your session ended:").await;

    // The backend opens web and mail addresses only.
    for refused in [
        "file:///etc/passwd",
        "javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
    ] {
        let answer = invoke(&app, "open_link", json!({ "url": refused })).await;
        assert_eq!(answer["err"]["kind"], "invalid", "{refused}: {answer}");
    }
    let answer = invoke(
        &app,
        "open_link",
        json!({ "url": "mailto:ada@example.com" }),
    )
    .await;
    assert_eq!(answer["ok"], Value::Null, "{answer}");
    let started = Instant::now();
    while opened(&log).len() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "mailto was never opened"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        opened(&log),
        vec![
            "https://example.com/x?next=%2Flogin",
            "mailto:ada@example.com"
        ]
    );
    app.quit().await;
}

#[tokio::test]
async fn signing_out_forgets_what_the_person_was_writing() {
    let data = tempfile::tempdir().unwrap();
    seed_with_clock(data.path(), 10, |store, _| async move {
        seed_account(&store, ("ada", "Ada Lovelace", "an analytical engine")).await;
        seed_account(&store, GRACE).await;
    })
    .await;
    let driver = Driver::start(data.path());
    let app = driver.launch().await;
    app.sign_in(GRACE.0, GRACE.2).await;
    app.wait_signed_in_as(GRACE.1).await;
    app.open_article(ARTICLE).await;
    app.fill("Your comment", "Half a thought about the night buses")
        .await;
    app.sign_out().await;

    // Whoever signs in next finds no trace of it, in the form or the page.
    app.sign_in(GRACE.0, GRACE.2).await;
    app.wait_signed_in_as(GRACE.1).await;
    let field = app.field("Your comment").await;
    assert_eq!(field.prop("value").await.unwrap().unwrap_or_default(), "");
    let page = app
        .client
        .find(Locator::XPath("/html"))
        .await
        .unwrap()
        .html(false)
        .await
        .unwrap();
    assert!(
        !page.contains("Half a thought"),
        "the draft is still in the page"
    );
    app.quit().await;
}
