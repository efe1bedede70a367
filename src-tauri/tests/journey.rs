//! The whole of Parley's purpose, as a person does it, in the real app:
//! read, sign up, comment, reply, switch user, quit, come back.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod support;

use support::{App, Driver};

const ADA: (&str, &str, &str) = ("ada", "Ada Lovelace", "analytical engine 1843");
const GRACE: (&str, &str, &str) = ("grace", "Grace Hopper", "nanoseconds of wire");

#[tokio::test]
async fn read_sign_up_comment_reply_switch_user_and_find_it_all_after_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(data.path());
    let app = driver.launch().await;

    // The library lists the sample articles; open the newest.
    let first = app
        .wait_for("(//article[contains(@class,'card')]//h2/a)[1]")
        .await;
    let title = first.text().await.unwrap();
    assert!(app.all("//article[contains(@class,'card')]").await.len() >= 5);
    app.open_article(&title).await;

    // Nobody has written yet.
    app.see_comment_count(0).await;
    app.see("Leave the first comment").await;
    app.see("What is your opinion on this topic?").await;
    app.button_in("", "Sign in to comment").await;

    // Ada signs up, comments, and replies to herself.
    app.create_account(ADA.0, ADA.1, ADA.2).await;
    app.fill(
        "Your comment",
        "The night buses will change a lot of lives.",
    )
    .await;
    app.click("Post comment").await;
    app.see_comment_count(1).await;
    app.reply_to(
        &App::comment_by(ADA.1, 0),
        ADA.1,
        "Especially for hospital staff.",
    )
    .await;
    app.see_comment_count(2).await;
    app.sign_out().await;
    app.button_in("", "Sign in to comment").await;

    // Grace signs up and answers Ada's first comment.
    app.create_account(GRACE.0, GRACE.1, GRACE.2).await;
    app.reply_to(
        &App::comment_by(ADA.1, 0),
        ADA.1,
        "Agreed, and the cost is modest.",
    )
    .await;
    app.see_comment_count(3).await;
    app.quit().await;

    // Parley starts again from the same data folder.
    let app = driver.launch().await;
    app.see("3 comments").await;
    app.open_article(&title).await;
    app.see_comment_count(3).await;
    let expected = vec![
        (
            ADA.1.to_owned(),
            0,
            "The night buses will change a lot of lives.".to_owned(),
        ),
        (
            ADA.1.to_owned(),
            1,
            "Especially for hospital staff.".to_owned(),
        ),
        (
            GRACE.1.to_owned(),
            1,
            "Agreed, and the cost is modest.".to_owned(),
        ),
    ];
    assert_eq!(app.discussion().await, expected);

    // Nobody is signed in after a restart; a wrong password gets the
    // generic message, the right one signs in.
    app.button_in("", "Sign in to comment").await;
    app.sign_in(ADA.0, "not my password").await;
    app.see("Wrong username or password.").await;
    app.fill("Password", ADA.2).await;
    app.click_in("//*[@role='dialog']", "Sign in").await;
    app.wait_signed_in_as(ADA.1).await;
    app.field("Your comment").await;
    app.quit().await;
}
