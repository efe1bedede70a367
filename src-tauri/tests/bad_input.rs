//! What a person sees when they get something wrong, in the real app: a
//! message next to the form, the app still running, nothing saved lost.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod support;

use support::Driver;

#[tokio::test]
async fn mistakes_get_clear_messages_and_lose_nothing() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(data.path());
    let app = driver.launch().await;
    let dialog = "//*[@role='dialog']";

    // The page cannot post for anyone while nobody is signed in: the
    // backend asks its own session, whatever the page sends.
    let article_id = app
        .wait_for("(//article[contains(@class,'card')]//h2/a)[1]")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap()
        .trim_start_matches("#/article/")
        .to_owned();
    let refused = app
        .client
        .execute_async(
            "const [articleId, done] = arguments; \
             window.__TAURI_INTERNALS__.invoke('post_comment', \
               { articleId, parentId: null, body: 'sneaky', authorId: 'anyone', \
                 id: '0193a0c4-0000-7000-8000-000000000001' }) \
             .then(() => done('posted'), (e) => done(e));",
            vec![serde_json::json!(article_id)],
        )
        .await
        .unwrap();
    assert_eq!(
        refused,
        serde_json::json!({ "kind": "unauthorized", "message": "Please sign in first." })
    );

    // Sign-up mistakes are explained inside the dialog.
    app.click_in("//nav[@aria-label='Account']", "Create account")
        .await;
    app.fill("Username", "ada").await;
    app.fill("Display name", "Ada").await;
    app.fill("Password", "short").await;
    app.click_in(dialog, "Create account").await;
    app.wait_for(&format!(
        "{dialog}//*[@role='alert'][contains(., 'at least 15 characters')]"
    ))
    .await;
    app.fill("Password", "a long enough passphrase").await;
    app.click_in(dialog, "Create account").await;
    app.wait_signed_in_as("Ada").await;
    app.sign_out().await;

    app.click_in("//nav[@aria-label='Account']", "Create account")
        .await;
    app.fill("Username", "ADA").await;
    app.fill("Display name", "Someone else").await;
    app.fill("Password", "another long passphrase").await;
    app.click_in(dialog, "Create account").await;
    app.wait_for(&format!(
        "{dialog}//*[@role='alert'][contains(., 'username is taken')]"
    ))
    .await;
    app.click_in(dialog, "Cancel").await;
    app.wait_gone(dialog).await;

    app.sign_in("ada", "a long enough passphrase").await;
    app.wait_signed_in_as("Ada").await;
    let title = app
        .wait_for("(//article[contains(@class,'card')]//h2/a)[2]")
        .await
        .text()
        .await
        .unwrap();
    app.open_article(&title).await;

    // An empty comment.
    app.fill("Your comment", "   ").await;
    app.click("Post comment").await;
    app.see("Write something before posting.").await;

    // One character over the limit, pasted in one go.
    let field = app.field("Your comment").await;
    app.client
        .execute(
            "arguments[0].value = 'x'.repeat(10001); \
             arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
            vec![serde_json::to_value(&field).unwrap()],
        )
        .await
        .unwrap();
    app.see("10,001 / 10,000 characters").await;
    app.click("Post comment").await;
    app.see("at most 10,000 characters; this one has 10,001")
        .await;
    app.see_comment_count(0).await;

    // Markup in a comment is shown as the text it is, never run.
    let hostile = r#"<img src=x onerror="window.__pwned=1"> <b>not bold</b>"#;
    app.fill("Your comment", hostile).await;
    app.click("Post comment").await;
    app.see_comment_count(1).await;
    assert_eq!(
        app.discussion().await,
        vec![("Ada".to_owned(), 0, hostile.to_owned())]
    );
    assert!(app
        .all("//ol[@aria-label='Discussion']//img | //ol[@aria-label='Discussion']//b")
        .await
        .is_empty());
    let pwned = app
        .client
        .execute("return window.__pwned === undefined;", vec![])
        .await
        .unwrap();
    assert_eq!(pwned, serde_json::json!(true));

    // The app is still alive and the saved comment is still there.
    app.wait_for("//a[normalize-space()='← Library']")
        .await
        .click()
        .await
        .unwrap();
    app.see("1 comment").await;
    app.quit().await;
}
