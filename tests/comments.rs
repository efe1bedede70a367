//! Posting, replying and loading threads against a real SQLite file.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod common;

use common::TestDb;
use parley_core::comments::{self, Thread, MAX_COMMENT_CHARS};
use parley_core::ids::{ArticleId, CommentId};
use parley_core::ErrorKind;

async fn first_article(db: &TestDb) -> ArticleId {
    db.articles().await[0].id
}

/// (author, depth, body) for each comment in reading order.
fn shape(thread: &Thread) -> Vec<(String, u32, String)> {
    thread
        .comments
        .iter()
        .map(|c| (c.author_name.clone(), c.depth, c.body.clone()))
        .collect()
}

#[tokio::test]
async fn a_new_article_has_no_comments() {
    let db = TestDb::new().await;
    let article = first_article(&db).await;
    let thread = comments::thread(&db.store, article).await.unwrap();
    assert!(thread.comments.is_empty());
    assert!(db.articles().await.iter().all(|a| a.comment_count == 0));
}

#[tokio::test]
async fn replies_nest_under_their_parents_in_reading_order() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = first_article(&db).await;
    let post = |author, parent, body: &'static str| {
        let store = db.store.clone();
        async move {
            comments::post(&store, author, article, parent, body)
                .await
                .unwrap()
        }
    };

    let first = post(&ada, None, "first").await;
    let second = post(&grace, None, "second").await;
    let a1 = post(&grace, Some(first), "reply to first").await;
    post(&ada, Some(second), "reply to second").await;
    post(&ada, Some(first), "later reply to first").await;
    // A chain six deep under a1.
    let mut parent = a1;
    for body in ["d2", "d3", "d4", "d5", "d6"] {
        parent = post(if body == "d4" { &ada } else { &grace }, Some(parent), body).await;
    }

    let thread = comments::thread(&db.store, article).await.unwrap();
    let expected = [
        ("Ada", 0, "first"),
        ("Grace", 1, "reply to first"),
        ("Grace", 2, "d2"),
        ("Grace", 3, "d3"),
        ("Ada", 4, "d4"),
        ("Grace", 5, "d5"),
        ("Grace", 6, "d6"),
        ("Ada", 1, "later reply to first"),
        ("Grace", 0, "second"),
        ("Ada", 1, "reply to second"),
    ]
    .map(|(a, d, b)| (a.to_owned(), d, b.to_owned()));
    assert_eq!(shape(&thread), expected);

    // Every reply names its parent and its parent's author.
    let by_id: std::collections::HashMap<CommentId, _> =
        thread.comments.iter().map(|c| (c.id, c)).collect();
    for c in &thread.comments {
        match c.parent_id {
            None => assert_eq!(c.parent_author_name, None),
            Some(p) => {
                let parent = by_id[&p];
                assert_eq!(parent.depth + 1, c.depth);
                assert_eq!(
                    c.parent_author_name.as_deref(),
                    Some(parent.author_name.as_str())
                );
            }
        }
    }

    let summary = db
        .articles()
        .await
        .into_iter()
        .find(|a| a.id == article)
        .unwrap();
    assert_eq!(summary.comment_count, 10);
    assert_eq!(comments::count(&db.store, article).await.unwrap(), 10);
}

#[tokio::test]
async fn comments_and_their_nesting_survive_a_restart() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = first_article(&db).await;
    let root = comments::post(&db.store, &ada, article, None, "Hello")
        .await
        .unwrap();
    let reply = comments::post(&db.store, &ada, article, Some(root), "Me again")
        .await
        .unwrap();
    comments::post(&db.store, &grace, article, Some(reply), "Hi Ada")
        .await
        .unwrap();
    let before = comments::thread(&db.store, article).await.unwrap();

    let db = db.reopen().await;
    let after = comments::thread(&db.store, article).await.unwrap();
    assert_eq!(after, before);
    assert_eq!(
        shape(&after),
        [
            ("Ada", 0, "Hello"),
            ("Ada", 1, "Me again"),
            ("Grace", 2, "Hi Ada")
        ]
        .map(|(a, d, b)| (a.to_owned(), d, b.to_owned()))
    );
    assert_eq!(db.articles().await[0].comment_count, 3);
}

#[tokio::test]
async fn bodies_keep_their_text_exactly_including_markup() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let article = first_article(&db).await;
    let body = "<script>alert(1)</script> & <b>not bold</b>\n\nsecond paragraph — ünïcödé 🎉";
    comments::post(&db.store, &ada, article, None, body)
        .await
        .unwrap();
    let thread = comments::thread(&db.store, article).await.unwrap();
    assert_eq!(thread.comments[0].body, body);
}

#[tokio::test]
async fn bad_comments_are_refused_and_nothing_stored_changes() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let articles = db.articles().await;
    let (article, other_article) = (articles[0].id, articles[1].id);
    let root = comments::post(&db.store, &ada, article, None, "kept")
        .await
        .unwrap();
    let elsewhere = comments::post(&db.store, &ada, other_article, None, "other")
        .await
        .unwrap();
    let before = (
        comments::thread(&db.store, article).await.unwrap(),
        comments::thread(&db.store, other_article).await.unwrap(),
    );

    let too_long = "x".repeat(MAX_COMMENT_CHARS + 1);
    let cases: [(Option<CommentId>, ArticleId, &str, ErrorKind, &str); 7] = [
        (None, article, "", ErrorKind::Invalid, "Write something"),
        (
            None,
            article,
            " \n\t  \r\n",
            ErrorKind::Invalid,
            "Write something",
        ),
        (
            None,
            article,
            &too_long,
            ErrorKind::Invalid,
            "at most 10,000 characters",
        ),
        (
            None,
            article,
            "nul\0byte",
            ErrorKind::Invalid,
            "control characters",
        ),
        (
            Some(CommentId::new()),
            article,
            "to nobody",
            ErrorKind::NotFound,
            "no longer exists",
        ),
        (
            Some(elsewhere),
            article,
            "wrong place",
            ErrorKind::Invalid,
            "same article",
        ),
        (
            None,
            ArticleId::new(),
            "no such article",
            ErrorKind::NotFound,
            "no longer in the library",
        ),
    ];
    for (parent, target, body, kind, message) in cases {
        let err = comments::post(&db.store, &ada, target, parent, body)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{body:?}");
        assert!(
            err.to_string().contains(message),
            "{err} should mention {message:?}"
        );
    }

    let after = (
        comments::thread(&db.store, article).await.unwrap(),
        comments::thread(&db.store, other_article).await.unwrap(),
    );
    assert_eq!(after, before);
    assert_eq!(after.0.comments[0].id, root);

    // Exactly at the limit is fine.
    let at_limit = "é".repeat(MAX_COMMENT_CHARS);
    comments::post(&db.store, &ada, article, None, &at_limit)
        .await
        .unwrap();
}

#[tokio::test]
async fn loading_a_missing_article_is_not_found() {
    let db = TestDb::new().await;
    let err = comments::thread(&db.store, ArticleId::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}
