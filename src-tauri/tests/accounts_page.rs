//! Accounts as people manage them in the real app: the admin disables,
//! enables, promotes and demotes from the Admin page; a member renames
//! herself, changes her password and deletes her account from the Account
//! page, and her comments stay in their threads as "[deleted user]".
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod support;

use std::sync::{Arc, Mutex};

use parley_core::{articles, comments};
use support::{lit, seed_account, seed_with_clock, App, Driver, Person};

const ADA: Person = ("ada", "Ada Lovelace", "analytical engine 1843");
const ALAN: Person = ("alan", "Alan Turing", "imitation game 1950");
const GRACE: Person = ("grace", "Grace Hopper", "nanoseconds of wire");
const NEW_PASSWORD: &str = "a much longer passphrase";

/// Clicks the button a screen reader would announce as `label`.
async fn press_labelled(app: &App, label: &str) {
    app.wait_for(&format!("//button[@aria-label={}]", lit(label)))
        .await
        .click()
        .await
        .unwrap();
}

async fn go(app: &App, link: &str) {
    app.wait_for(&format!(
        "//nav[@aria-label='Account']//a[normalize-space()={}]",
        lit(link)
    ))
    .await
    .click()
    .await
    .unwrap();
}

async fn open_from_library(app: &App, title: &str) {
    app.wait_for("//header//a[normalize-space()='Library']")
        .await
        .click()
        .await
        .unwrap();
    app.open_article(title).await;
}

#[tokio::test]
async fn the_admin_manages_accounts_and_a_member_renames_herself_changes_her_password_and_leaves() {
    let data = tempfile::tempdir().unwrap();
    let seeded: Arc<Mutex<String>> = Arc::default();
    let slot = seeded.clone();
    seed_with_clock(data.path(), 60, |store, clock| async move {
        let ada = seed_account(&store, ADA).await;
        seed_account(&store, ALAN).await;
        let grace = seed_account(&store, GRACE).await;
        let article = articles::list_articles(&store, None).await.unwrap()[0].clone();
        *slot.lock().unwrap() = article.title.clone();
        clock.advance(60_000);
        let question = comments::post(&store, &grace, article.id, None, "Who pays for it?")
            .await
            .unwrap();
        clock.advance(60_000);
        comments::post(
            &store,
            &ada,
            article.id,
            Some(question),
            "The council does.",
        )
        .await
        .unwrap();
    })
    .await;
    let title = seeded.lock().unwrap().clone();
    let dialog = "//*[@role='dialog']";

    let driver = Driver::start(data.path());
    let app = driver.launch().await;
    app.sign_in(ADA.0, ADA.2).await;
    app.wait_signed_in_as(ADA.1).await;

    // The Admin page lists everyone; Ada disables Grace and tries roles on Alan.
    go(&app, "Admin").await;
    for name in [ADA.1, ALAN.1, GRACE.1] {
        app.see(name).await;
    }
    press_labelled(&app, "Disable grace").await;
    app.see("Grace Hopper can no longer sign in.").await;
    press_labelled(&app, "Make admin alan").await;
    app.see("Alan Turing is now an admin.").await;
    press_labelled(&app, "Remove admin alan").await;
    app.see("Alan Turing is no longer an admin.").await;
    app.sign_out().await;

    // A disabled account cannot sign in.
    app.sign_in(GRACE.0, GRACE.2).await;
    app.wait_for(&format!(
        "{dialog}//*[@role='alert'][contains(., 'disabled')]"
    ))
    .await;
    app.fill("Password", ADA.2).await;
    app.fill("Username", ADA.0).await;
    app.click_in(dialog, "Sign in").await;
    app.wait_signed_in_as(ADA.1).await;
    go(&app, "Admin").await;
    press_labelled(&app, "Enable grace").await;
    app.see("Grace Hopper can sign in again.").await;
    app.sign_out().await;

    // Grace renames herself and changes her password.
    app.sign_in(GRACE.0, GRACE.2).await;
    app.wait_signed_in_as(GRACE.1).await;
    go(&app, "Account").await;
    app.fill("Display name", "Admiral Hopper").await;
    app.click("Save name").await;
    app.wait_signed_in_as("Admiral Hopper").await;
    app.fill("Current password", "not my password").await;
    app.fill("New password", NEW_PASSWORD).await;
    app.fill("Confirm new password", NEW_PASSWORD).await;
    app.click("Change password").await;
    app.see("That is not your current password.").await;
    app.fill("Current password", GRACE.2).await;
    app.click("Change password").await;
    app.see("Your password has been changed.").await;

    open_from_library(&app, &title).await;
    app.see_comment_count(2).await;
    assert_eq!(app.discussion().await[0].0, "Admiral Hopper");

    // She deletes her account; her words stay, and Ada's reply stays under them.
    go(&app, "Account").await;
    app.fill("Your password", NEW_PASSWORD).await;
    app.click("Delete account").await;
    app.click("Yes, delete my account").await;
    app.wait_for("//nav[@aria-label='Account']//button[normalize-space()='Sign in']")
        .await;
    open_from_library(&app, &title).await;
    app.see_comment_count(2).await;
    assert_eq!(
        app.discussion().await,
        vec![
            (
                "[deleted user]".to_owned(),
                0,
                "Who pays for it?".to_owned()
            ),
            (ADA.1.to_owned(), 1, "The council does.".to_owned()),
        ]
    );
    app.sign_in(GRACE.0, NEW_PASSWORD).await;
    app.wait_for(&format!(
        "{dialog}//*[@role='alert'][contains(., 'Wrong username or password.')]"
    ))
    .await;
    app.quit().await;
}
