//! A window left signed in does not stay signed in: after the idle
//! time-out (here the admin's shortest, one minute) the backend ends the
//! session, the window asks to sign in again, and the comment being written
//! is still there to post.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use parley_core::{admin, articles};
use support::{seed_account, seed_with_clock, Driver};

const DRAFT: &str = "A thought worth keeping through a coffee break.";

#[tokio::test]
async fn an_idle_session_ends_and_the_draft_survives_signing_in_again() {
    let data = tempfile::tempdir().unwrap();
    let seeded: Arc<Mutex<String>> = Arc::default();
    let slot = seeded.clone();
    seed_with_clock(data.path(), 0, |store, _| async move {
        let ada = seed_account(&store, ("ada", "Ada Lovelace", "analytical engine 1843")).await;
        seed_account(&store, ("grace", "Grace Hopper", "nanoseconds of wire")).await;
        admin::set_idle_timeout(&store, &ada, 1).await.unwrap();
        let article = articles::list_articles(&store, None).await.unwrap()[0].clone();
        *slot.lock().unwrap() = article.title;
    })
    .await;
    let title = seeded.lock().unwrap().clone();

    let driver = Driver::start(data.path());
    let app = driver.launch().await;
    app.sign_in("grace", "nanoseconds of wire").await;
    app.wait_signed_in_as("Grace Hopper").await;
    app.open_article(&title).await;
    app.fill("Your comment", DRAFT).await;

    // A minute and a bit without touching anything.
    tokio::time::sleep(Duration::from_secs(62)).await;
    app.click("Post comment").await;
    let dialog = "//*[@role='dialog']";
    app.wait_for(&format!(
        "{dialog}//*[contains(., 'Your session has ended, after a while without activity')]"
    ))
    .await;
    app.wait_for("//nav[@aria-label='Account']//button[normalize-space()='Sign in']")
        .await;
    app.see_comment_count(0).await;

    // Signing in again brings the draft back, ready to post.
    app.fill("Password", "nanoseconds of wire").await;
    app.click_in(dialog, "Sign in").await;
    app.wait_signed_in_as("Grace Hopper").await;
    let field = app.field("Your comment").await;
    assert_eq!(field.prop("value").await.unwrap().as_deref(), Some(DRAFT));
    app.click("Post comment").await;
    app.see_comment_count(1).await;
    assert_eq!(
        app.discussion().await,
        vec![("Grace Hopper".to_owned(), 0, DRAFT.to_owned())]
    );
    app.quit().await;
}
