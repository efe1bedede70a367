//! Parley's main views, checked in the real window with axe-core (from the
//! UI's npm packages) against WCAG 2.1 A and AA and axe's best practices:
//! the library, an article signed out and signed in with a thread, the
//! sign-in dialog, the account page, the admin page, search results, and
//! the sources and about pages. Any serious or critical violation fails the
//! test, naming the rule and the elements.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a panic is a failed test"
)]

mod support;

use support::{audit, axe_source, App, Driver};

const ARTICLE: &str = "Octopuses may dream in colour, a tank study suggests";

async fn go(app: &App, hash: &str) {
    app.client
        .execute(&format!("window.location.hash = '{hash}';"), vec![])
        .await
        .unwrap();
}

#[tokio::test]
async fn the_main_views_have_no_serious_accessibility_violations() {
    let axe = axe_source();
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(data.path());
    let app = driver.launch().await;
    let mut found: Vec<String> = Vec::new();
    let mut check = async |view: &str, app: &App| {
        let (violations, passes) = audit(app, &axe).await;
        eprintln!(
            "e2e: axe on {view}: {passes} rules passed, {} serious or critical",
            violations.len()
        );
        found.extend(violations.into_iter().map(|v| format!("{view}: {v}")));
    };

    check("the library", &app).await;
    app.open_article(ARTICLE).await;
    check("an article, signed out", &app).await;

    app.click_in("//nav[@aria-label='Account']", "Sign in")
        .await;
    app.wait_for("//*[@role='dialog']").await;
    check("the sign-in dialog", &app).await;
    app.click_in("//*[@role='dialog']", "Cancel").await;

    app.create_account("ada", "Ada Lovelace", "analytical engine 1843")
        .await;
    app.fill(
        "Your comment",
        "Do octopuses dream in the same colours they show?",
    )
    .await;
    app.click("Post comment").await;
    app.see_comment_count(1).await;
    app.reply_to(
        &App::comment_by("Ada Lovelace", 0),
        "Ada Lovelace",
        "A reply, to make a thread.",
    )
    .await;
    app.see_comment_count(2).await;
    check("an article with a thread, signed in", &app).await;

    go(&app, "#/account").await;
    app.wait_for("//h1[normalize-space()='Your account']").await;
    check("the account page", &app).await;

    go(&app, "#/admin").await;
    app.wait_for("//h1[normalize-space()='Admin']").await;
    app.wait_for("//h2[normalize-space()='Library limits']")
        .await;
    check("the admin page", &app).await;

    go(&app, "#/sources").await;
    app.wait_for("//h1[normalize-space()='Sources']").await;
    check("the sources page", &app).await;

    go(&app, "#/about").await;
    app.wait_for("//h1[normalize-space()='About Parley']").await;
    check("the about page", &app).await;

    go(&app, "#/connect").await;
    app.wait_for("//h1[normalize-space()='Connect to a server']")
        .await;
    check("connecting to a server", &app).await;

    go(&app, "#/").await;
    let search = app
        .wait_for("//input[@aria-label='Search articles and comments']")
        .await;
    search.send_keys("octopus").await.unwrap();
    app.wait_for(
        "//*[@role='region' and @aria-label='Search results']//h2[normalize-space()='Articles']",
    )
    .await;
    check("search results", &app).await;
    app.quit().await;

    assert!(
        found.is_empty(),
        "serious accessibility violations:\n{}",
        found.join("\n")
    );
}
