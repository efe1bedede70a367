//! The discussion features as a person uses them, in the real app:
//! formatting with preview, editing with history, voting, sorting,
//! collapsing, deleting, and replying from the keyboard.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod support;

use parley_core::accounts::User;
use parley_core::articles;
use parley_core::comments;
use support::{comment_with, lit, seed_account, seed_with_clock, Driver};

const ADA_PASSWORD: &str = "analytical engine 1843";

#[tokio::test]
async fn format_edit_vote_sort_collapse_delete_and_reply_from_the_keyboard() {
    let data = tempfile::tempdir().unwrap();
    let title = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let seeded_title = title.clone();
    seed_with_clock(data.path(), 60, |store, clock| async move {
        let ada = seed_account(&store, ("ada", "Ada Lovelace", ADA_PASSWORD)).await;
        let grace = seed_account(&store, ("grace", "Grace Hopper", "nanoseconds of wire")).await;
        let article = articles::list_articles(&store, None).await.unwrap()[0].clone();
        *seeded_title.lock().unwrap() = article.title.clone();
        let post = |who: User, parent, text: &'static str| {
            let (store, clock) = (store.clone(), clock.clone());
            async move {
                clock.advance(60_000);
                comments::post(&store, &who, article.id, parent, text)
                    .await
                    .unwrap()
            }
        };
        post(grace.clone(), None, "Grace's first thoughts").await;
        post(ada.clone(), None, "Ada's older remark").await;
        let timetable = post(grace.clone(), None, "Grace on the timetable").await;
        post(grace.clone(), Some(timetable), "Grace adds a detail").await;
        let doomed = post(ada.clone(), None, "Ada's comment that will go").await;
        post(
            grace.clone(),
            Some(doomed),
            "A reply that outlives its parent",
        )
        .await;
    })
    .await;
    let title = title.lock().unwrap().clone();

    let driver = Driver::start(data.path());
    let app = driver.launch().await;
    app.sign_in("ada", ADA_PASSWORD).await;
    app.wait_signed_in_as("Ada Lovelace").await;
    app.open_article(&title).await;
    app.see_comment_count(6).await;

    // Format, with a preview of exactly what will be posted.
    app.fill(
        "Your comment",
        "**bold** and [a link](https://example.com/bus)",
    )
    .await;
    app.click_in("//form[contains(@class,'composer')][1]", "Preview")
        .await;
    app.wait_for("//*[@role='tabpanel']//strong[normalize-space()='bold']")
        .await;
    app.click("Post comment").await;
    app.see_comment_count(7).await;
    let posted = comment_with("bold and a link");
    app.wait_for(&format!("{posted}//strong[normalize-space()='bold']"))
        .await;
    let link = app
        .wait_for(&format!("{posted}//a[normalize-space()='a link']"))
        .await;
    assert_eq!(
        link.attr("href").await.unwrap().as_deref(),
        Some("https://example.com/bus")
    );
    assert_eq!(
        link.attr("rel").await.unwrap().as_deref(),
        Some("nofollow noopener noreferrer")
    );

    // Edit a comment from an hour ago, then read its history.
    app.click_in(&comment_with("Ada's older remark"), "Edit")
        .await;
    app.fill("Edit your comment", "Ada's remark, *revised*")
        .await;
    app.click("Save edit").await;
    let edited = comment_with("Ada's remark, revised");
    app.click_in(&edited, "edited").await;
    app.wait_for("//*[@role='dialog']//*[normalize-space()=\"Ada's older remark\"]")
        .await;
    app.wait_for("//*[@role='dialog']//em[normalize-space()='revised']")
        .await;
    app.click_in("//*[@role='dialog']", "Close").await;
    app.wait_gone("//*[@role='dialog']").await;

    // Vote on someone else's comment; there is no voting on your own.
    let graces = comment_with("Grace's first thoughts");
    app.wait_for(&format!("{graces}//*[@aria-label='Score 0']"))
        .await;
    app.click_in(&graces, "▲").await;
    app.wait_for(&format!("{graces}//*[@aria-label='Score 1']"))
        .await;
    assert!(app
        .all(&format!("{edited}//button[@aria-label='Upvote']"))
        .await
        .is_empty());

    // Until the thread is ordered again, the reader's own new comment stays
    // at the top where it appeared. Newest puts the newest first; Best
    // puts the up-voted comment first.
    let first_comment = "(//ol[@aria-label='Discussion']/li/article)[1]";
    let first_text = || async { app.wait_for(first_comment).await.text().await.unwrap() };
    assert!(first_text().await.contains("bold and a link"));
    let mine_first = format!("{first_comment}[.//strong[normalize-space()='bold']]");
    let sort_by = |order: &'static str| {
        format!("//select[@id=//label[normalize-space()='Sort by']/@for]/option[normalize-space()='{order}']")
    };
    let choose = |order: &'static str| {
        let option = sort_by(order);
        let app = &app;
        async move { app.wait_for(&option).await.click().await.unwrap() }
    };
    choose("Newest").await;
    app.wait_for(&mine_first).await;
    choose("Best").await;
    app.wait_for(&format!(
        "{first_comment}[.//*[normalize-space()=\"Grace's first thoughts\"]]"
    ))
    .await;
    choose("Newest").await;
    app.wait_for(&mine_first).await;

    // Collapse a subtree to one line, and open it again.
    let timetable = comment_with("Grace on the timetable");
    app.click_in(&timetable, "[–]").await;
    app.wait_for(&format!(
        "{}//button[normalize-space()='1 more reply']",
        "//ol[@aria-label='Discussion']"
    ))
    .await;
    app.wait_gone(&comment_with("Grace adds a detail")).await;
    app.click("1 more reply").await;
    app.wait_for(&comment_with("Grace adds a detail")).await;

    // Delete a comment that has a reply: a placeholder keeps the reply's place.
    let doomed = comment_with("Ada's comment that will go");
    app.click_in(&doomed, "Delete").await;
    app.click_in(&doomed, "Yes, delete").await;
    app.see_comment_count(6).await;
    let placeholder = app
        .wait_for("//ol[@aria-label='Discussion']//article[.//p[normalize-space()='[deleted]']]")
        .await;
    let survivor = app
        .wait_for(&comment_with("A reply that outlives its parent"))
        .await;
    assert_eq!(
        placeholder.attr("data-depth").await.unwrap().as_deref(),
        Some("0")
    );
    assert_eq!(
        survivor.attr("data-depth").await.unwrap().as_deref(),
        Some("1")
    );
    let order: Vec<String> = {
        let mut ids = Vec::new();
        for a in app.all("//ol[@aria-label='Discussion']//article").await {
            ids.push(a.attr("data-comment-id").await.unwrap().unwrap_or_default());
        }
        ids
    };
    let placeholder_id = placeholder.attr("data-comment-id").await.unwrap().unwrap();
    let survivor_id = survivor.attr("data-comment-id").await.unwrap().unwrap();
    let at = |id: &str| order.iter().position(|x| x == id).unwrap();
    assert_eq!(
        at(&survivor_id),
        at(&placeholder_id) + 1,
        "the reply sits right under the placeholder"
    );

    // From the keyboard: j and k move between comments (k stops at the
    // first), r replies to the selected one.
    app.press('j').await;
    let focused = app.client.active_element().await.unwrap();
    assert!(
        focused.attr("data-comment-id").await.unwrap().is_some(),
        "j selects a comment"
    );
    for _ in 0..8 {
        app.press('k').await;
    }
    let focused = app.client.active_element().await.unwrap();
    let first = app.wait_for(first_comment).await;
    assert_eq!(
        focused.attr("data-comment-id").await.unwrap(),
        first.attr("data-comment-id").await.unwrap()
    );
    assert_eq!(
        focused.attr("aria-label").await.unwrap().as_deref(),
        Some("Comment by Ada Lovelace")
    );
    app.press('r').await;
    app.fill("Reply to Ada Lovelace", "Replying from the keyboard")
        .await;
    app.click("Post reply").await;
    app.see_comment_count(7).await;
    let reply = app
        .wait_for(&comment_with("Replying from the keyboard"))
        .await;
    assert_eq!(
        reply.attr("data-depth").await.unwrap().as_deref(),
        Some("1")
    );

    // Replies to Ada's comments are listed, and each opens at its place.
    app.wait_for("//nav[@aria-label='Main']//a[normalize-space()='Replies to you']")
        .await
        .click()
        .await
        .unwrap();
    app.wait_for("//h1[normalize-space()='Replies to you']")
        .await;
    let listed = app
        .wait_for(&format!(
            "//article[@aria-label='Reply by Grace Hopper'][.//*[normalize-space()={}]]",
            lit("A reply that outlives its parent")
        ))
        .await;
    listed
        .find(fantoccini::Locator::XPath(".//a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    app.wait_for(&format!("//h1[normalize-space()={}]", lit(&title)))
        .await;
    app.wait_for(&format!(
        "{}[contains(@class, 'selected')]",
        comment_with("A reply that outlives its parent")
    ))
    .await;
    app.quit().await;
}
