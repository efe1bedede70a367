//! A lively discussion, built through the UI by three people, captured as
//! the README's screenshot: target/screenshots/article.png, which is copied
//! to docs/screenshot.png when the UI changes. Checks the shape it built
//! before capturing.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod support;

use support::{App, Driver};

#[tokio::test]
async fn a_nested_discussion_renders_and_is_captured() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(data.path());
    let app = driver.launch().await;
    let title = app
        .wait_for("(//article[contains(@class,'card')]//h2/a)[1]")
        .await
        .text()
        .await
        .unwrap();
    app.open_article(&title).await;

    app.create_account("mara", "Mara Okonjo", "eastern estate buses")
        .await;
    app.fill(
        "Your comment",
        "Twenty minutes. For three years the last bus left twenty minutes before the shifts ended.",
    )
    .await;
    app.click("Post comment").await;
    app.see_comment_count(1).await;
    app.sign_out().await;

    app.create_account("tomasz", "Tomasz W.", "repair cafe regular")
        .await;
    app.reply_to(
        &App::comment_by("Mara Okonjo", 0),
        "Mara Okonjo",
        "Will the quarterly passenger counts be published **per stop** or only per route?",
    )
    .await;
    app.see_comment_count(2).await;
    app.sign_out().await;

    app.sign_in("mara", "eastern estate buses").await;
    app.wait_signed_in_as("Mara Okonjo").await;
    app.reply_to(
        &App::comment_by("Tomasz W.", 0),
        "Tomasz W.",
        "Per route, according to the [committee papers](https://example.com/transport/2026-11). Worth asking for stops too.",
    )
    .await;
    app.see_comment_count(3).await;
    app.sign_out().await;

    app.create_account("priya", "Priya Raman", "heat pumps all winter")
        .await;
    app.fill(
        "Your comment",
        // U+E007 is WebDriver's Enter key: a new line in the text area.
        "> every thirty minutes between midnight and five\u{E007}\u{E007}Good news. Will they stop at the bakery on *Quarry Lane*?",
    )
    .await;
    app.click("Post comment").await;
    app.see_comment_count(4).await;
    // Priya finds Mara's first comment worth reading first.
    app.click_in(&App::comment_by("Mara Okonjo", 0), "▲").await;
    app.wait_for(&format!(
        "{}//*[@aria-label='Score 1']",
        App::comment_by("Mara Okonjo", 0)
    ))
    .await;

    let shape: Vec<(String, u32)> = app
        .discussion()
        .await
        .into_iter()
        .map(|(a, d, _)| (a, d))
        .collect();
    // Priya's new comment stays at the top, where it appeared, until the
    // thread is next ordered.
    assert_eq!(
        shape,
        [
            ("Priya Raman", 0),
            ("Mara Okonjo", 0),
            ("Tomasz W.", 1),
            ("Mara Okonjo", 2)
        ]
        .map(|(a, d)| (a.to_owned(), d))
    );

    // Show the end of the article and the discussion, as a reader would.
    app.client
        .execute(
            "document.querySelector('#discussion-title').scrollIntoView({block: 'start'}); window.scrollBy(0, -120);",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    support::capture("article.png");
    app.quit().await;
}
