//! Several people on one computer, in the real app: nobody can change what
//! someone else wrote, not even by calling the backend from the page; the
//! admin removes a comment and locks the discussion, and a member then sees
//! the lock and no form; hostile markup stays inert; a wrong password gets
//! the generic answer.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod support;

use std::sync::{Arc, Mutex};

use parley_core::{articles, comments};
use serde_json::{json, Value};
use support::{comment_with, lit, seed_account, seed_with_clock, App, Driver, Person};

const ADA: Person = ("ada", "Ada Lovelace", "analytical engine 1843");
const ALAN: Person = ("alan", "Alan Turing", "imitation game 1950");
const GRACE: Person = ("grace", "Grace Hopper", "nanoseconds of wire");

const ALANS: &str = "Trains should run all night.";
const RUDE: &str = "Night buses are for fools.";
const CIVIL: &str = "Please keep it civil.";

/// Calls a backend command straight from the page, as a script injected
/// into the web view could, and returns what it answered (or threw).
async fn invoke(app: &App, command: &str, args: Value) -> Value {
    app.client
        .execute_async(
            "const [command, args, done] = arguments; \
             window.__TAURI_INTERNALS__.invoke(command, args) \
               .then((ok) => done({ ok: ok ?? null }), (e) => done(e));",
            vec![json!(command), args],
        )
        .await
        .unwrap()
}

/// The id of the comment whose text is `text`, as the backend lists it.
async fn comment_id(app: &App, article_id: &str, text: &str) -> String {
    let page = invoke(
        app,
        "load_thread",
        json!({ "articleId": article_id, "query": {} }),
    )
    .await;
    page["ok"]["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["bodyHtml"].as_str().unwrap().contains(text))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn members_cannot_touch_each_others_words_and_the_admin_keeps_the_peace() {
    let data = tempfile::tempdir().unwrap();
    let seeded: Arc<Mutex<String>> = Arc::default();
    let slot = seeded.clone();
    seed_with_clock(data.path(), 60, |store, clock| async move {
        seed_account(&store, ADA).await;
        let alan = seed_account(&store, ALAN).await;
        let grace = seed_account(&store, GRACE).await;
        let article = articles::list_articles(&store, None).await.unwrap()[0].clone();
        *slot.lock().unwrap() = article.title.clone();
        clock.advance(60_000);
        comments::post(&store, &alan, article.id, None, ALANS)
            .await
            .unwrap();
        clock.advance(60_000);
        let rude = comments::post(&store, &grace, article.id, None, RUDE)
            .await
            .unwrap();
        clock.advance(60_000);
        comments::post(&store, &alan, article.id, Some(rude), CIVIL)
            .await
            .unwrap();
    })
    .await;
    let title = seeded.lock().unwrap().clone();

    let driver = Driver::start(data.path());
    let app = driver.launch().await;
    app.sign_in(GRACE.0, GRACE.2).await;
    app.wait_signed_in_as(GRACE.1).await;
    app.open_article(&title).await;
    app.see_comment_count(3).await;
    let article_id = app
        .client
        .execute("return location.hash.split('/')[2];", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();

    // Grace can edit and delete her own comment, and has no such control
    // on Alan's.
    let edit_or_delete = "//button[normalize-space()='Edit' or normalize-space()='Delete']";
    app.wait_for(&format!("{}{edit_or_delete}", comment_with(RUDE)))
        .await;
    app.wait_for(&format!(
        "{}//button[normalize-space()='Reply']",
        comment_with(ALANS)
    ))
    .await;
    assert!(app
        .all(&format!("{}{edit_or_delete}", comment_with(ALANS)))
        .await
        .is_empty());
    assert!(app
        .all(&format!("{}{edit_or_delete}", comment_with(CIVIL)))
        .await
        .is_empty());

    // Calling the backend from the page does not get round that.
    let alans = comment_id(&app, &article_id, ALANS).await;
    let refused = invoke(
        &app,
        "edit_comment",
        json!({ "commentId": alans, "body": "Grace was here", "authorId": "alan" }),
    )
    .await;
    assert_eq!(refused["kind"], "forbidden", "{refused}");
    let refused = invoke(&app, "delete_comment", json!({ "commentId": alans })).await;
    assert_eq!(refused["kind"], "forbidden", "{refused}");
    let refused = invoke(&app, "remove_comment", json!({ "commentId": alans })).await;
    assert_eq!(refused["kind"], "forbidden", "{refused}");
    let refused = invoke(
        &app,
        "set_discussion_locked",
        json!({ "articleId": article_id, "locked": true }),
    )
    .await;
    assert_eq!(refused["kind"], "forbidden", "{refused}");
    let refused = invoke(&app, "promote_account", json!({ "username": GRACE.0 })).await;
    assert_eq!(refused["kind"], "forbidden", "{refused}");

    // Hostile markup is shown as text or dropped, and never runs.
    let hostile =
        r#"<img src=x onerror="window.__pwned=1"> and [a trap](javascript:window.__pwned=1)"#;
    app.fill("Your comment", hostile).await;
    app.click("Post comment").await;
    app.see_comment_count(4).await;
    let posted = comment_with_text_containing("and a trap");
    app.wait_for(&posted).await;
    assert!(app
        .all("//ol[@aria-label='Discussion']//img")
        .await
        .is_empty());
    assert!(app
        .all("//a[starts-with(normalize-space(@href), 'javascript')]")
        .await
        .is_empty());
    for trap in app.all(&format!("{posted}//a")).await {
        trap.click().await.unwrap();
    }
    let pwned = app
        .client
        .execute("return typeof window.__pwned;", vec![])
        .await
        .unwrap();
    assert_eq!(pwned, json!("undefined"));

    // The admin signs in: a wrong password first gets the generic answer.
    app.sign_out().await;
    app.sign_in(ADA.0, "analytical engine 1842").await;
    app.wait_for(
        "//*[@role='dialog']//*[@role='alert'][contains(., 'Wrong username or password.')]",
    )
    .await;
    app.fill("Password", ADA.2).await;
    app.click_in("//*[@role='dialog']", "Sign in").await;
    app.wait_signed_in_as(ADA.1).await;
    app.see_comment_count(4).await;

    // She removes Grace's rude comment: it has a reply, so it stays as a
    // placeholder that says who removed it.
    app.click_in(&comment_with(RUDE), "Remove").await;
    app.click("Yes, remove").await;
    app.see("[removed by moderator]").await;
    app.see_comment_count(3).await;
    app.wait_gone(&comment_with(RUDE)).await;
    app.wait_for(&comment_with(CIVIL)).await;

    // And locks the discussion.
    app.click("Lock discussion").await;
    app.see("This discussion is locked").await;
    app.button_in("", "Unlock discussion").await;

    // Grace comes back: the notice, no form, no replies, no votes; and the
    // backend refuses a post sent from the page anyway.
    app.sign_out().await;
    app.sign_in(GRACE.0, GRACE.2).await;
    app.wait_signed_in_as(GRACE.1).await;
    app.see("This discussion is locked").await;
    app.wait_for(&comment_with(ALANS)).await;
    assert!(app
        .all("//label[normalize-space()='Your comment']")
        .await
        .is_empty());
    assert!(app
        .all("//ol[@aria-label='Discussion']//button[normalize-space()='Reply']")
        .await
        .is_empty());
    let refused = invoke(
        &app,
        "post_comment",
        json!({
            "articleId": article_id,
            "parentId": null,
            "body": "Let me in",
            "id": "0193a0c4-0000-7000-8000-000000000002",
        }),
    )
    .await;
    assert_eq!(refused["kind"], "forbidden", "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("locked"));
    app.see_comment_count(3).await;
    app.quit().await;
}

/// The comment whose text contains `text`.
fn comment_with_text_containing(text: &str) -> String {
    format!(
        "//ol[@aria-label='Discussion']//article[.//*[contains(normalize-space(), {})]]",
        lit(text)
    )
}
