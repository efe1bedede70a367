//! Discussing a passage, in the real window: a person selects a sentence
//! with the mouse and discusses it, sees the mark and its count, narrows
//! the discussion to it and back; a second person sees the mark and
//! replies; a highlight with a note is kept, found on the Highlights page
//! and saved as Markdown and CSV; the feed the article came from (served by
//! this test on 127.0.0.1) corrects the article, a refresh shows
//! "Updated", the mark follows its sentence, and the comment on a deleted
//! sentence says it is no longer in the article, with its quote.
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
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{audit, axe_source, lit, seed_account, seed_with_clock, App, Driver, Person};

const ADA: Person = ("ada", "Ada Lovelace", "an analytical engine");
const GRACE: Person = ("grace", "Grace Hopper", "nanoseconds of wire");
const TITLE: &str = "The river path reopens in spring";

const OPENING: &str = "The council will reopen the river path in April after the flood repairs.";
const WIDTH: &str = "The new path is three metres wide, room for bikes and walkers side by side.";
const LIGHTS: &str = "Solar lamps will light the stretch between the two bridges after dark.";
const CORRECTION: &str = "Correction: this story first gave the wrong month for the reopening.";

fn feed(base: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Riverside News</title><link>{base}/</link>
<item><guid>river-path</guid><title>{TITLE}</title><link>{base}/river-path</link>
<pubDate>Tue, 01 Dec 2026 09:00:00 GMT</pubDate>
<description><![CDATA[{body}]]></description></item>
</channel></rss>"#
    )
}

/// Serves whatever `feed` holds now at every path, on `listener`.
fn serve(listener: TcpListener, feed: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0_u8; 8192];
            let _ = stream.read(&mut request);
            let body = feed.lock().unwrap().clone();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
}

/// The text of the article's discussed passage marks, in order.
async fn marked(app: &App) -> Vec<String> {
    let mut out = Vec::new();
    for mark in app
        .all("//div[@class='body']//mark[contains(@class,'passage-mark')]")
        .await
    {
        out.push(mark.text().await.unwrap());
    }
    out
}

const TOOLS: &str = "//*[contains(@class,'passage-tools')]";

async fn discuss(app: &App, words: &str, comment: &str) {
    app.select_with_mouse(words).await;
    app.click_in(TOOLS, "Discuss").await;
    app.wait_for(&format!(
        "//div[@class='passage-composer']//blockquote[normalize-space()={}]",
        lit(words)
    ))
    .await;
    app.fill("Your comment on the passage", comment).await;
    app.click_in("//div[@class='passage-composer']", "Post comment")
        .await;
    app.wait_gone("//div[@class='passage-composer']").await;
}

#[tokio::test]
async fn a_passage_is_discussed_marked_highlighted_and_followed_through_a_correction() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = Arc::new(Mutex::new(feed(&base, &[OPENING, WIDTH, LIGHTS])));
    serve(listener, served.clone());

    let data = tempfile::tempdir().unwrap();
    let saved = data.path().join("saved");
    std::fs::create_dir_all(&saved).unwrap();
    let address = format!("{base}/feed.xml");
    seed_with_clock(data.path(), 10, |store, _| async move {
        seed_account(&store, ("admin", "The Admin", "the admin's passphrase")).await;
        let ada = seed_account(&store, ADA).await;
        seed_account(&store, GRACE).await;
        let fetcher = parley_core::library::fetch::Fetcher::new(
            parley_core::library::fetch::FetchPolicy::allowing_loopback(),
        )
        .unwrap();
        parley_core::library::sources::follow(&store, &fetcher, &ada, &address)
            .await
            .unwrap();
    })
    .await;
    let driver = Driver::start_with_env(
        data.path(),
        &[
            ("PARLEY_FETCH_ALLOW_LOOPBACK", "1"),
            ("PARLEY_E2E_SAVE_DIR", saved.to_str().unwrap()),
        ],
    );
    let app = driver.launch().await;
    app.sign_in(ADA.0, ADA.2).await;
    app.wait_signed_in_as(ADA.1).await;
    app.open_article(TITLE).await;

    // A comment on the whole article, then one on a sentence selected with
    // the mouse, and one on the last sentence.
    app.fill("Your comment", "Good news for the town.").await;
    app.click("Post comment").await;
    app.see_comment_count(1).await;
    discuss(&app, WIDTH, "Three metres is generous.").await;
    app.see_comment_count(2).await;
    discuss(&app, LIGHTS, "Who pays for the lamps?").await;
    app.see_comment_count(3).await;
    app.wait_for("(//ul[@aria-label='Discussed passages']//button)[2]")
        .await;
    assert_eq!(marked(&app).await, [WIDTH, LIGHTS]);
    let count = app
        .wait_for(&format!(
            "//ul[@aria-label='Discussed passages']//button[starts-with(@aria-label, {})]",
            lit("1 comment on “The new path")
        ))
        .await;
    assert_eq!(count.text().await.unwrap().trim(), "1");
    // The comment shows its quote.
    app.wait_for(&format!(
        "{}//blockquote[normalize-space()={}]",
        App::comment_by(ADA.1, 1),
        lit(WIDTH)
    ))
    .await;

    // Narrowed to the passage, and back.
    count.click().await.unwrap();
    app.see("All comments").await;
    app.wait_for("//span[@class='narrowed' and contains(., 'the comment on')]")
        .await;
    let shown = app.discussion().await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].2, "Three metres is generous.");
    // For the README: the article with its marks, the discussion narrowed.
    app.client
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    support::capture("passages.png");
    let axe = axe_source();
    let (violations, passes) = audit(&app, &axe).await;
    eprintln!("e2e: axe on an article with marks: {passes} rules passed");
    assert!(violations.is_empty(), "{violations:#?}");
    app.click("All comments").await;
    app.wait_gone("//span[@class='narrowed']").await;
    app.wait_for("(//ol[@aria-label='Discussion']//article)[3]")
        .await;

    // "Show in article" flashes the passage.
    app.click_in(&App::comment_by(ADA.1, 1), "Show in article")
        .await;
    app.wait_for("//mark[contains(@class,'passage-mark') and contains(@class,'flash')]")
        .await;

    // A highlight of the opening sentence, with a note.
    app.select_with_mouse(OPENING).await;
    app.click_in(TOOLS, "Highlight").await;
    app.wait_for(&format!("{TOOLS}//input[@value='green']"))
        .await
        .click()
        .await
        .unwrap();
    app.fill("Note (only you see it)", "Check the date with the council.")
        .await;
    app.click_in(TOOLS, "Keep highlight").await;
    let kept = app
        .wait_for("//div[@class='body']//mark[contains(@class,'hl-green')]")
        .await;
    assert_eq!(kept.text().await.unwrap(), OPENING);

    // It is on the Highlights page, and saved as Markdown and CSV.
    app.wait_for("//nav[@aria-label='Main']//a[normalize-space()='Highlights']")
        .await
        .click()
        .await
        .unwrap();
    app.wait_for(&format!(
        "//ul[@aria-label='Your highlights']//blockquote[normalize-space()={}]",
        lit(OPENING)
    ))
    .await;
    app.see("Check the date with the council.").await;
    let (violations, passes) = audit(&app, &axe).await;
    eprintln!("e2e: axe on the Highlights page: {passes} rules passed");
    assert!(violations.is_empty(), "{violations:#?}");
    app.click("Markdown").await;
    app.see("Saved Parley highlights.md.").await;
    app.click("CSV (Readwise)").await;
    app.see("Saved Parley highlights.csv.").await;
    let md = std::fs::read_to_string(saved.join("Parley highlights.md")).unwrap();
    assert!(md.contains(&format!("> {OPENING}")), "{md}");
    assert!(
        md.contains("Check the date with the council.") && md.contains(TITLE),
        "{md}"
    );
    let csv = std::fs::read_to_string(saved.join("Parley highlights.csv")).unwrap();
    assert!(
        csv.starts_with("Highlight,Title,Author,URL,Note,Location,Date"),
        "{csv}"
    );
    assert!(csv.contains(&format!("\"{OPENING}\",\"{TITLE}\"")), "{csv}");

    // The second person sees the marks (not Ada's highlight) and replies.
    app.sign_out().await;
    app.sign_in(GRACE.0, GRACE.2).await;
    app.wait_signed_in_as(GRACE.1).await;
    app.wait_for("//a[normalize-space()='Library']")
        .await
        .click()
        .await
        .unwrap();
    app.open_article(TITLE).await;
    app.wait_for("(//ul[@aria-label='Discussed passages']//button)[2]")
        .await;
    assert_eq!(marked(&app).await, [WIDTH, LIGHTS]);
    assert!(app.all("//mark[contains(@class,'hl')]").await.is_empty());
    app.reply_to(
        &App::comment_by(ADA.1, 1),
        ADA.1,
        "Wide enough for a bench too.",
    )
    .await;
    app.wait_for(&format!(
        "//ul[@aria-label='Discussed passages']//button[starts-with(@aria-label, {})]",
        lit("2 comments on “The new path")
    ))
    .await;

    // The source corrects the article: a sentence added before, the one
    // about the lamps deleted. A refresh brings the new version.
    *served.lock().unwrap() = feed(&base, &[CORRECTION, OPENING, WIDTH]);
    app.wait_for("//nav[@aria-label='Main']//a[normalize-space()='Sources']")
        .await
        .click()
        .await
        .unwrap();
    app.click("Refresh all").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.wait_for("//a[normalize-space()='Library']")
        .await
        .click()
        .await
        .unwrap();
    app.open_article(TITLE).await;
    app.see("Correction: this story").await;
    app.wait_for("//p[contains(@class,'versions') and starts-with(normalize-space(), 'Updated')]")
        .await;
    app.wait_for("//ul[@aria-label='Discussed passages']//button")
        .await;
    assert_eq!(
        marked(&app).await,
        [WIDTH],
        "the mark followed its sentence"
    );
    let gone = app
        .wait_for(&format!(
            "//figure[contains(@class,'gone')][.//blockquote[normalize-space()={}]]",
            lit(LIGHTS)
        ))
        .await;
    assert!(gone
        .text()
        .await
        .unwrap()
        .contains("No longer in the article."));

    // The earlier version reads as it was, its passages in place.
    app.wait_for(
        "//p[contains(@class,'versions')]//a[starts-with(normalize-space(), 'version of')]",
    )
    .await
    .click()
    .await
    .unwrap();
    app.see("You are reading the version of").await;
    app.wait_for("(//ul[@aria-label='Discussed passages']//button)[2]")
        .await;
    assert_eq!(marked(&app).await, [WIDTH, LIGHTS]);

    // From the keyboard, on the current version: a paragraph takes focus,
    // Enter opens its tools, Enter again discusses it.
    app.wait_for(
        "//p[contains(@class,'versions')]//a[normalize-space()='Read the current version']",
    )
    .await
    .click()
    .await
    .unwrap();
    app.wait_for("//p[contains(@class,'versions') and starts-with(normalize-space(), 'Updated')]")
        .await;
    let paragraph = app
        .wait_for(&format!(
            "//div[@class='body']/p[@tabindex='0'][normalize-space()={}]",
            lit(CORRECTION)
        ))
        .await;
    app.client
        .execute(
            "arguments[0].focus();",
            vec![serde_json::to_value(&paragraph).unwrap()],
        )
        .await
        .unwrap();
    paragraph.send_keys("\u{E007}").await.unwrap();
    let first = app.button_in(TOOLS, "Discuss this paragraph").await;
    let focused = app.client.active_element().await.unwrap();
    assert_eq!(
        focused.text().await.unwrap(),
        first.text().await.unwrap(),
        "the tools take focus"
    );
    focused.send_keys("\u{E007}").await.unwrap();
    app.fill("Your comment on the passage", "Thanks for the correction.")
        .await;
    app.click_in("//div[@class='passage-composer']", "Post comment")
        .await;
    app.wait_for(&format!(
        "//div[@class='body']//mark[contains(@class,'passage-mark')][normalize-space()={}]",
        lit(CORRECTION)
    ))
    .await;
    app.quit().await;
}
