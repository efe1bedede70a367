//! A person fills the library from a feed served by the test's own server
//! on 127.0.0.1 (Parley allows loopback for this run only), watches the
//! import happen, reads an imported article whose image comes from
//! Parley's own scheme, comments on it, filters the library by its source;
//! a second person finds it unread. Links in imported articles never take
//! the window away from Parley. Captures the library for the README.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a panic is a failed test"
)]

mod support;

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use fantoccini::Locator;
use support::{seed_account, seed_with_clock, Driver, Person};

const ADA: Person = ("ada", "Ada Lovelace", "an analytical engine");
const GRACE: Person = ("grace", "Grace Hopper", "nanoseconds of wire");
const ARTICLE: &str = "Allotment society opens a seed library";

/// A real PNG image.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(Cursor::new(&mut out), width, height);
        encoder.set_color(png::ColorType::Rgb);
        let mut writer = encoder.write_header().unwrap();
        let pixels: Vec<u8> = (0..width * height)
            .flat_map(|i| [40, (i % 200) as u8, 120])
            .collect();
        writer.write_image_data(&pixels).unwrap();
    }
    out
}

/// Serves `files` (path -> type, bytes) on `listener`, a socket on
/// 127.0.0.1; returns the paths it is asked for, as they come.
fn serve(
    listener: TcpListener,
    files: HashMap<String, (&'static str, Vec<u8>)>,
) -> Arc<Mutex<Vec<String>>> {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0_u8; 8192];
            let read = stream.read(&mut request).unwrap_or(0);
            let head = String::from_utf8_lossy(&request[..read]).into_owned();
            let target = head.split_whitespace().nth(1).unwrap_or("/");
            let path = target.split('?').next().unwrap_or("/").to_owned();
            log.lock().unwrap().push(path.clone());
            let (status, kind, body) = match files.get(&path) {
                Some((kind, body)) => ("200 OK", *kind, body.clone()),
                None => ("404 Not Found", "text/plain", b"not here".to_vec()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    asked
}

#[tokio::test]
async fn a_feed_fills_the_library_and_its_articles_are_read_and_discussed() {
    // The feed and its image; its tracking pixel must never be asked for.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let feed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/feeds/rss2.xml"),
    )
    .unwrap()
    .replace("https://gazette.example", &base);
    let asked = serve(
        listener,
        HashMap::from([
            (
                "/feed.xml".to_owned(),
                ("application/rss+xml", feed.into_bytes()),
            ),
            (
                "/images/seed-shed.png".to_owned(),
                ("image/png", png(320, 180)),
            ),
        ]),
    );

    let data = tempfile::tempdir().unwrap();
    seed_with_clock(data.path(), 10, |store, _| async move {
        seed_account(&store, ("admin", "The Admin", "the admin's passphrase")).await;
        seed_account(&store, ADA).await;
        seed_account(&store, GRACE).await;
    })
    .await;
    let driver = Driver::start_with_env(data.path(), &[("PARLEY_FETCH_ALLOW_LOOPBACK", "1")]);
    let app = driver.launch().await;
    app.sign_in(ADA.0, ADA.2).await;
    app.wait_signed_in_as(ADA.1).await;

    // Follow the feed and watch the job.
    app.fill("Add to your library", &format!("{base}/feed.xml"))
        .await;
    app.click("Follow feed").await;
    let job = "//aside[@aria-label='Background work']";
    app.wait_for(&format!("{job}//progress")).await;
    app.see("2 articles added").await;
    // From the keyboard: WebKitWebDriver's mouse click misjudges what
    // covers an element in a fixed panel at the bottom of the window.
    app.button_in(job, "Details")
        .await
        .send_keys("\u{E007}")
        .await
        .unwrap();
    app.wait_for(&format!("{job}//li[contains(., 'added 2 articles')]"))
        .await;
    assert!(
        !asked
            .lock()
            .unwrap()
            .iter()
            .any(|p| p.contains("pixel") || p.contains("open.gif")),
        "a tracking pixel was fetched"
    );
    // Done: put the panel away, as a person would.
    app.wait_for(&format!(
        "{job}//button[@aria-label='Dismiss Following {base}/feed.xml']"
    ))
    .await
    .send_keys("\u{E007}")
    .await
    .unwrap();
    app.wait_gone(job).await;

    // The new articles are in the library; open one.
    app.open_article(ARTICLE).await;
    let image = app
        .wait_for("//article[@class='reader']//img[@alt='The seed shed']")
        .await;
    let src = image.attr("src").await.unwrap().unwrap();
    assert!(src.starts_with("parley-image://localhost/"), "{src}");
    let shown: i64 = app
        .client
        .execute(
            "const img = document.querySelector('.reader img');
             return img.complete ? img.naturalWidth : -1;",
            vec![],
        )
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    let mut width = shown;
    for _ in 0..50 {
        if width > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        width = app
            .client
            .execute(
                "return document.querySelector('.reader img').naturalWidth;",
                vec![],
            )
            .await
            .unwrap()
            .as_i64()
            .unwrap();
    }
    assert_eq!(width, 320, "the image shows, from Parley's own scheme");
    let body = app
        .client
        .find(Locator::Css(".reader .body"))
        .await
        .unwrap()
        .html(true)
        .await
        .unwrap();
    assert!(
        !body.contains("script") && !body.contains("onclick"),
        "{body}"
    );

    // A link in the article asks first and leaves the window on Parley.
    app.wait_for("//article[@class='reader']//a[normalize-space()='lending rules']")
        .await
        .click()
        .await
        .unwrap();
    let dialog =
        "//*[@role='dialog' and .//h2[normalize-space()='Open this link outside Parley?']]";
    app.wait_for(&format!(
        "{dialog}//code[normalize-space()='{base}/society/rules']"
    ))
    .await;
    app.click_in(dialog, "Cancel").await;
    let url = app.client.current_url().await.unwrap().to_string();
    assert!(url.starts_with("tauri://localhost"), "{url}");

    // Discuss it.
    app.fill(
        "Your comment",
        "Does the library take seeds from shop-bought plants?",
    )
    .await;
    app.click("Post comment").await;
    app.see_comment_count(1).await;

    // Back in the library, filter by the new source.
    app.wait_for("//a[normalize-space()='← Library']")
        .await
        .click()
        .await
        .unwrap();
    let source = app.field("Source").await;
    source
        .select_by_label("Lantern Street Gazette")
        .await
        .unwrap();
    let cards = "//ol[@aria-label='Articles']//article";
    let started = std::time::Instant::now();
    while app.all(cards).await.len() != 2 {
        assert!(
            started.elapsed().as_secs() < 15,
            "the filter never showed 2 articles"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    support::capture("library.png");
    app.sign_out().await;

    // Grace has not read it: it shows as unread for her.
    app.sign_in(GRACE.0, GRACE.2).await;
    app.wait_signed_in_as(GRACE.1).await;
    app.wait_for(&format!(
        "//article[contains(@class,'unread') and .//a[normalize-space()={}]]",
        support::lit(ARTICLE)
    ))
    .await;
    app.quit().await;
}
