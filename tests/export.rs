//! An article and its discussion written out as Markdown and JSON.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use std::collections::HashSet;

use crate::common;

use common::TestDb;
use parley_core::comments;
use parley_core::export::{self, Format};

#[tokio::test]
async fn json_names_every_comment_once_with_its_parent_and_history() {
    let db = TestDb::new().await;
    let admin = db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    let root = db.post(&ada, article, None, "first thoughts").await;
    let reply = db.post(&admin, article, Some(root), "a reply").await;
    let deep = db.post(&ada, article, Some(reply), "deeper still").await;
    let gone = db.post(&admin, article, Some(root), "to be deleted").await;
    db.post(&ada, article, Some(gone), "keeps the placeholder")
        .await;
    comments::delete(&db.store, &admin, gone).await.unwrap();
    db.clock.advance(comments::EDIT_GRACE_MS + 1_000);
    comments::edit(&db.store, &ada, deep, "deeper, and edited")
        .await
        .unwrap();
    comments::vote(&db.store, &admin, root, comments::VoteChoice::Up)
        .await
        .unwrap();

    let json = export::article(&db.store, article, Format::Json)
        .await
        .unwrap();
    assert!(json.file_name.ends_with(".json"));
    let doc: serde_json::Value = serde_json::from_str(&json.contents).unwrap();
    let listed = doc["comments"].as_array().unwrap();
    let thread = db.thread(None, article, comments::Sort::Oldest).await;
    let ids: Vec<String> = listed
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "each comment once");
    let in_thread: HashSet<String> = thread.comments.iter().map(|c| c.id.to_string()).collect();
    assert_eq!(
        ids.iter().cloned().collect::<HashSet<_>>(),
        in_thread,
        "every comment of the thread"
    );
    for c in listed {
        let id = c["id"].as_str().unwrap();
        let from_thread = thread
            .comments
            .iter()
            .find(|t| t.id.to_string() == id)
            .unwrap();
        assert_eq!(
            c["parentId"].as_str().map(str::to_owned),
            from_thread.parent_id.map(|p| p.to_string()),
        );
    }
    let by_id = |id: parley_core::ids::CommentId| {
        listed
            .iter()
            .find(|c| c["id"] == id.to_string())
            .unwrap()
            .clone()
    };
    let deep_json = by_id(deep);
    assert_eq!(deep_json["body"], "deeper, and edited");
    assert_eq!(deep_json["revisions"][0]["body"], "deeper still");
    assert_eq!(by_id(root)["score"], 1);
    let placeholder = by_id(gone);
    assert_eq!(placeholder["author"], "[deleted]");
    assert_eq!(placeholder["authorId"], serde_json::Value::Null);
    assert_eq!(placeholder["body"], "");
    assert!(!json.contents.contains("to be deleted"));
    assert!(!json.contents.contains("\"ada\""), "no sign-in names");

    let md = export::article(&db.store, article, Format::Markdown)
        .await
        .unwrap();
    assert!(md.file_name.ends_with(".md"));
    let text = md.contents;
    let title = db
        .articles()
        .await
        .into_iter()
        .find(|a| a.id == article)
        .unwrap()
        .title;
    assert!(text.starts_with(&format!("# {title}\n")), "{text}");
    assert!(text.contains("## Comments (4)"), "{text}");
    assert!(text.contains("- **Ada Lovelace** · "), "{text}");
    // Nesting: a reply is indented under its parent, its reply further.
    assert!(text.contains("\n  - **The Admin** · "), "{text}");
    assert!(text.contains("\n    - **Ada Lovelace** · "), "{text}");
    assert!(text.contains("      deeper, and edited"), "{text}");
    assert!(text.contains("  - **[deleted]** · "), "{text}");
    let first = text.find("first thoughts").unwrap();
    assert!(first < text.find("a reply").unwrap());
}

/// The Markdown export, rendered as Markdown editors render it (raw HTML
/// allowed), runs nothing and links nowhere but the web and mail, while
/// every word of the article and the comments is still there to read.
#[tokio::test]
async fn markdown_holds_no_live_html_and_no_other_links() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let file =
        "---\ntitle: \"On <script>alert(1)</script> & friends\"\ntags: [\"<b>bold</b>\"]\n---\n\
        Escaped text: &lt;img src=x onerror=alert(1)&gt; stays text.\n\n\
        A [fine link](https://example.com/a?b=1&c=2) and [a bad one](javascript:alert(3)).\n";
    let imported =
        parley_core::library::files::import(&db.store, None, &ada, "hostile.md", file.as_bytes())
            .await
            .unwrap();
    let article = imported.article_id;
    db.post(
        &ada,
        article,
        None,
        "Raw <img src=x onerror=alert(2)> and <script>alert(4)</script>, a \
         [trap](javascript:alert(5)), <javascript:alert(6)>, and `<b>code</b>`.",
    )
    .await;

    let md = export::article(&db.store, article, Format::Markdown)
        .await
        .unwrap()
        .contents;
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&md));
    let page = dom_query::Document::fragment(html.as_str());
    for dangerous in ["script", "img", "iframe", "[onerror]", "[onload]"] {
        assert!(
            page.select(dangerous).is_empty(),
            "{dangerous} in the rendered export:\n{html}\nfrom\n{md}"
        );
    }
    let targets: Vec<String> = page
        .select("a[href]")
        .iter()
        .filter_map(|a| a.attr("href").map(|h| h.to_string()))
        .collect();
    assert_eq!(targets, ["https://example.com/a?b=1&c=2"], "{md}");
    let words = page.text().to_string();
    for kept in [
        "On <script>alert(1)</script> & friends",
        "<b>bold</b>",
        "<img src=x onerror=alert(1)> stays text",
        "a bad one",
        "Raw <img src=x onerror=alert(2)>",
        "<b>code</b>",
        "trap",
    ] {
        assert!(
            words.contains(kept),
            "{kept:?} is not in the words:\n{words}\nfrom\n{md}"
        );
    }
}
