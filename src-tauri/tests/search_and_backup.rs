//! Finding and keeping, in the real window: a word that occurs only in a
//! reply deep inside a collapsed subtree of a long thread is found from the
//! header's search field, and its result opens the thread at that reply,
//! highlighted; a stray quote is not an error; the article is exported as
//! Markdown and JSON (to a folder the test names: the production build asks
//! in a native dialog); a backup made from the admin page is restored, and
//! the restored Parley shows the discussion as it was.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a panic is a failed test"
)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fantoccini::Locator;
use parley_core::accounts::User;
use parley_core::articles::{self, ArticleSummary};
use parley_core::clock::{Clock, SystemClock};
use parley_core::ids::CommentId;
use parley_core::render::render_markdown;
use support::{lit, seed_account, seed_with_clock, Driver};

const ADMIN: (&str, &str, &str) = ("keeper", "Archive Keeper", "every word kept safe");
/// Top-level comments; each has a reply, and the one at [`TARGET_AT`] a
/// chain of replies whose deepest holds the only "periwinkle".
const TOP_LEVEL: usize = 300;
const TARGET_AT: usize = 260;
const CHAIN: usize = 4;
const WORD: &str = "periwinkle";

struct Seeded {
    article: ArticleSummary,
    target: CommentId,
    total: usize,
}

/// Writes the thread straight into the file in one transaction (the
/// search index follows by its triggers), and collapses the target's
/// top-level ancestor for the admin.
async fn insert_thread(
    db_file: &std::path::Path,
    article: &ArticleSummary,
    admin: &User,
) -> (CommentId, usize) {
    let url = format!("sqlite://{}", db_file.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    let start = SystemClock.now() - 6 * 3_600_000;
    let mut at = start;
    let mut total = 0;
    let mut insert = |parent: Option<CommentId>, body: String| {
        at += 1000;
        total += 1;
        let id = CommentId::new();
        (id, parent, body, at)
    };
    let mut rows = Vec::new();
    let mut target = None;
    let mut collapse = None;
    for n in 0..TOP_LEVEL {
        let (root, ..) = {
            let row = insert(None, format!("Top-level remark {n} about the harbour."));
            rows.push(row.clone());
            row
        };
        let row = insert(Some(root), format!("A first reply to remark {n}."));
        rows.push(row.clone());
        if n == TARGET_AT {
            collapse = Some(root);
            let mut parent = row.0;
            for depth in 0..CHAIN {
                let body = if depth == CHAIN - 1 {
                    format!("Deep down: the {WORD} shell was on the third step.")
                } else {
                    format!("Going deeper, level {depth}.")
                };
                let row = insert(Some(parent), body);
                parent = row.0;
                rows.push(row);
            }
            target = Some(parent);
        }
    }
    for (id, parent, body, created_at) in &rows {
        sqlx::query(
            "INSERT INTO comments (id, article_id, parent_id, author_id, body, body_html, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(article.id)
        .bind(parent)
        .bind(admin.id)
        .bind(body)
        .bind(render_markdown(body))
        .bind(created_at)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query("INSERT INTO collapsed_comments (user_id, comment_id) VALUES (?, ?)")
        .bind(admin.id)
        .bind(collapse.unwrap())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    pool.close().await;
    (target.unwrap(), total)
}

async fn seed(dir: &std::path::Path) -> Seeded {
    let slot: Arc<Mutex<Option<(ArticleSummary, User)>>> = Arc::default();
    let filled = slot.clone();
    seed_with_clock(dir, 60, |store, _| async move {
        let admin = seed_account(&store, ADMIN).await;
        let article = articles::list_articles(&store, None).await.unwrap()[2].clone();
        *filled.lock().unwrap() = Some((article, admin));
    })
    .await;
    let (article, admin) = slot.lock().unwrap().clone().unwrap();
    let (target, total) = insert_thread(&dir.join("parley.db"), &article, &admin).await;
    Seeded {
        article,
        target,
        total,
    }
}

#[tokio::test]
async fn search_finds_a_deep_reply_export_writes_the_discussion_and_a_backup_restores() {
    let data = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    let seeded = seed(data.path()).await;
    let driver = Driver::start_with_env(
        data.path(),
        &[("PARLEY_E2E_SAVE_DIR", exports.path().to_str().unwrap())],
    );
    let app = driver.launch().await;
    app.sign_in(ADMIN.0, ADMIN.2).await;
    app.wait_signed_in_as(ADMIN.1).await;

    // `/` jumps to the search field; the word is typed as a person would,
    // the last letters still missing.
    app.wait_for("//input[@type='search']").await;
    app.press('/').await;
    let field = app.client.active_element().await.unwrap();
    assert_eq!(field.attr("type").await.unwrap().as_deref(), Some("search"));
    field.send_keys("periwink").await.unwrap();
    let panel = "//*[@role='region' and @aria-label='Search results']";
    let hit = app
        .wait_for(&format!(
            "{panel}//a[contains(@href, '/comment/{}')]",
            seeded.target
        ))
        .await;
    let marked = hit.find(Locator::Css("mark")).await.unwrap();
    assert_eq!(marked.text().await.unwrap(), WORD);
    assert!(hit.text().await.unwrap().contains("the periwinkle shell"));
    // Let the window paint what the page holds before the screen is read.
    tokio::time::sleep(Duration::from_millis(400)).await;
    support::capture("search.png");

    // The result opens the thread at that reply: its collapsed ancestor
    // opened and the pages before it loaded on the way.
    hit.click().await.unwrap();
    let reply = app
        .wait_for(&format!(
            "//ol[@aria-label='Discussion']//article[@data-comment-id='{}' and contains(@class, 'selected')]",
            seeded.target
        ))
        .await;
    assert!(reply.text().await.unwrap().contains(WORD));
    let url = app.client.current_url().await.unwrap();
    assert!(
        url.as_str()
            .ends_with(&format!("/comment/{}", seeded.target)),
        "{url}"
    );
    app.wait_for(&format!(
        "//h1[normalize-space()={}]",
        lit(&seeded.article.title)
    ))
    .await;

    // A stray quote finds what it finds, and is never an error.
    let field = app.wait_for("//input[@type='search']").await;
    field.clear().await.unwrap();
    field.send_keys("\"").await.unwrap();
    app.see("Nothing found for").await;
    assert!(app
        .all(&format!("{panel}//*[@role='alert']"))
        .await
        .is_empty());
    app.press('\u{E00C}').await; // Escape
    app.wait_gone(panel).await;

    // Export: Markdown to read, JSON to keep.
    app.click("Markdown").await;
    let saved = app.see("Saved ").await.text().await.unwrap();
    let name = saved
        .trim_start_matches("Saved ")
        .trim_end_matches('.')
        .to_owned();
    assert!(name.ends_with(".md"), "{saved}");
    let markdown = std::fs::read_to_string(exports.path().join(&name)).unwrap();
    assert!(
        markdown.starts_with(&format!("# {}\n", seeded.article.title)),
        "{}",
        &markdown[..200.min(markdown.len())]
    );
    assert!(markdown.contains(&format!("## Comments ({})", seeded.total)));
    let deepest = format!("{}  Deep down: the {WORD} shell", "  ".repeat(CHAIN + 1));
    assert!(
        markdown.contains(&deepest),
        "the deepest reply is nested {} levels",
        CHAIN + 1
    );

    app.click("JSON").await;
    app.wait_for("//*[@role='status' and contains(., '.json')]")
        .await;
    let json_name = name.replace(".md", ".json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(exports.path().join(&json_name)).unwrap())
            .unwrap();
    let comments = json["comments"].as_array().unwrap();
    assert_eq!(comments.len(), seeded.total);
    let target = comments
        .iter()
        .find(|c| c["id"] == seeded.target.to_string())
        .unwrap();
    assert!(target["body"].as_str().unwrap().contains(WORD));
    assert!(target["parentId"].is_string());

    // A backup from the admin page.
    let admin_link = "//nav[@aria-label='Account']//a[normalize-space()='Admin']";
    app.wait_for(admin_link).await.click().await.unwrap();
    app.click("Back up now").await;
    app.see("Backed up to parley-").await;

    // Something written after the backup…
    app.client.back().await.unwrap();
    app.see_comment_count(seeded.total).await;
    app.fill("Your comment", "Written after the backup.").await;
    app.click("Post comment").await;
    app.see_comment_count(seeded.total + 1).await;

    // …is gone once the backup is restored; what came before is all there.
    app.wait_for(admin_link).await.click().await.unwrap();
    let row = "//table[contains(@class, 'backups')]//tr[td[normalize-space()='taken by hand']]";
    app.click_in(row, "Restore…").await;
    app.click_in(row, "Yes, restore").await;
    // Everyone is signed out, and the window starts afresh.
    app.wait_for("//nav[@aria-label='Account']//button[normalize-space()='Sign in']")
        .await;
    app.sign_in(ADMIN.0, ADMIN.2).await;
    app.wait_signed_in_as(ADMIN.1).await;
    app.open_article(&seeded.article.title).await;
    app.see_comment_count(seeded.total).await;
    assert!(app
        .all("//*[normalize-space()='Written after the backup.']")
        .await
        .is_empty());

    // And the restored index still finds the deep reply.
    let field = app.wait_for("//input[@type='search']").await;
    field.send_keys(WORD).await.unwrap();
    app.wait_for(&format!(
        "{panel}//a[contains(@href, '/comment/{}')]",
        seeded.target
    ))
    .await;
    app.quit().await;
}
