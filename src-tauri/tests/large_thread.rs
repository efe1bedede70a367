//! An article with 10,000 comments in the real app: the first comments are
//! on screen at once, and the reader can scroll to the very last. Prints
//! what it measured (`cargo test -p parley --test large_thread -- --nocapture`).
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod support;

use std::time::{Duration, Instant};

use support::Driver;

const COMMENTS: usize = 10_000;
/// Each top-level comment carries a chain of this many replies.
const CHAIN: usize = 3;
const READER: (&str, &str) = ("reader", "a long reading session");

#[tokio::test]
async fn ten_thousand_comments_open_at_once_and_scroll_to_the_end() {
    let data = tempfile::tempdir().unwrap();
    let article = support::seed_long_thread(
        data.path(),
        COMMENTS,
        CHAIN + 1,
        &[(READER.0, "Reader", READER.1)],
    )
    .await;

    let driver = Driver::start(data.path());
    let app = driver.launch().await;
    app.see(&format!("{COMMENTS} comments")).await;
    app.sign_in(READER.0, READER.1).await;
    app.wait_signed_in_as("Reader").await;

    // Open the article and time the first comment onto the screen.
    let link = app
        .wait_for(&format!(
            "//a[normalize-space()={}]",
            support::lit(&article.title)
        ))
        .await;
    let opened = Instant::now();
    link.click().await.unwrap();
    app.wait_for("//ol[@aria-label='Discussion']//article")
        .await;
    let first_visible = opened.elapsed();
    app.see_comment_count(COMMENTS).await;

    // Watch for frames the page could not draw on time while scrolling.
    app.client
        .execute(
            "window.__frames = []; let last = performance.now(); \
             const tick = (t) => { window.__frames.push(t - last); \
             last = t; requestAnimationFrame(tick); }; requestAnimationFrame(tick);",
            vec![],
        )
        .await
        .unwrap();

    // Scroll to the end the way a reader does: to the bottom, again and
    // again, while the next comments arrive.
    let last_text = format!(
        "Comment {}: a short remark about the article.",
        COMMENTS - 1
    );
    let last = format!(
        "//ol[@aria-label='Discussion']//article[.//p[normalize-space()={}]]",
        support::lit(&last_text)
    );
    // Counting through the page's own DOM keeps the measuring cheap: a
    // WebDriver lookup of 10,000 elements would itself stall the page.
    let shown = || async {
        let n = app
            .client
            .execute(
                "return Number(document.querySelector('ol[aria-label=\"Discussion\"]').dataset.loaded);",
                vec![],
            )
            .await
            .unwrap();
        n.as_u64().unwrap() as usize
    };
    let last_shown = || async {
        let found = app
            .client
            .execute(
                "const items = document.querySelectorAll('ol[aria-label=\"Discussion\"] > li'); \
                 return items.length > 0 && items[items.length - 1].textContent.includes(arguments[0]);",
                vec![serde_json::json!(last_text)],
            )
            .await
            .unwrap();
        found == serde_json::json!(true)
    };
    let scrolling = Instant::now();
    let mut slowest_step = Duration::ZERO;
    let mut steps = 0;
    while !last_shown().await {
        let before = shown().await;
        assert!(
            scrolling.elapsed() < Duration::from_secs(300),
            "stuck at {before} comments"
        );
        let step = Instant::now();
        app.client
            .execute(
                "window.scrollTo(0, document.documentElement.scrollHeight);",
                vec![],
            )
            .await
            .unwrap();
        while shown().await == before && !last_shown().await {
            assert!(
                step.elapsed() < Duration::from_secs(15),
                "no new comments after {before}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        slowest_step = slowest_step.max(step.elapsed());
        steps += 1;
    }
    let to_last = scrolling.elapsed();
    app.wait_for(&last).await;
    // The longest gap between two frames, and the 99th percentile.
    let frames = app
        .client
        .execute(
            "const d = window.__frames.slice().sort((a, b) => a - b); \
             return [d.length, d[d.length - 1] || 0, d[Math.min(d.length - 1, Math.floor(d.length * 0.99))] || 0];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown().await, COMMENTS, "every comment was reached");
    let in_page = app.all("//ol[@aria-label='Discussion']/li").await.len();
    assert!(
        in_page <= 150,
        "{in_page} comments in the page at once: not windowed"
    );

    eprintln!("large thread: {COMMENTS} comments");
    eprintln!("large thread: first comment visible {first_visible:?} after clicking the article");
    eprintln!("large thread: scrolled to the last comment in {to_last:?} ({steps} pages, slowest {slowest_step:?})");
    let timings = app
        .client
        .execute(
            "const stat = (name) => { const d = performance.getEntriesByName(name).map((e) => e.duration); \
               d.sort((a, b) => a - b); return [d.length, d[Math.floor(d.length / 2)] || 0, d[d.length - 1] || 0]; }; \
             return { open: stat('parley:open-fetch'), fetch: stat('parley:page-fetch'), shown: stat('parley:page-shown') };",
            vec![],
        )
        .await
        .unwrap();
    eprintln!("large thread: per page [count, median ms, max ms]: {timings}");
    eprintln!("large thread: at most {in_page} comments in the page at once");
    eprintln!(
        "large thread: frames while scrolling [count, longest gap ms, 99th percentile ms]: {frames}"
    );

    // Deep in the thread, vote, reply and edit the reply: each refreshes
    // what it changed and nothing else. The page times every backend call
    // (`parley:call:<command>`), so the calls made are counted there.
    let calls = || async {
        app.client
            .execute(
                "const counts = {}; \
                 for (const m of performance.getEntriesByType('measure')) \
                   if (m.name.startsWith('parley:call:')) { const c = m.name.slice(12); counts[c] = (counts[c] || 0) + 1; } \
                 return counts;",
                vec![],
            )
            .await
            .unwrap()
    };
    let before = calls().await;
    app.click_in(&last, "▲").await;
    app.wait_for(&format!("{last}//*[@aria-label='Score 1']"))
        .await;
    app.reply_to(&last, "Prolific Writer", "A reply at the very end.")
        .await;
    let reply = support::comment_with("A reply at the very end.");
    app.wait_for(&reply).await;
    app.click_in(&reply, "Edit").await;
    app.fill("Edit your comment", "A reply at the very end, edited.")
        .await;
    app.click("Save edit").await;
    app.wait_for(&support::comment_with("A reply at the very end, edited."))
        .await;
    app.see_comment_count(COMMENTS + 1).await;
    let after = calls().await;
    let made = |command: &str| {
        after[command].as_u64().unwrap_or(0) - before[command].as_u64().unwrap_or(0)
    };
    assert_eq!(
        made("load_thread"),
        0,
        "a page of the thread was loaded again"
    );
    assert_eq!(made("open_discussion"), 0);
    assert_eq!(
        (
            made("vote"),
            made("post_comment"),
            made("edit_comment"),
            made("comment_view")
        ),
        (1, 1, 1, 2),
        "one call per action and one comment fetched after posting and after editing"
    );
    assert_eq!(
        shown().await,
        COMMENTS + 1,
        "nothing else was loaded or dropped"
    );
    app.quit().await;
}
