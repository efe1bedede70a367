//! Posting, replying and loading threads against a real SQLite file.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::{expect, shape, TestDb};
use parley_core::comments::{self, Sort, MAX_COMMENT_CHARS};
use parley_core::ids::{ArticleId, CommentId};
use parley_core::ErrorKind;

#[tokio::test]
async fn a_new_article_has_no_comments() {
    let db = TestDb::new().await;
    let article = db.first_article().await;
    let thread = db.thread(None, article, Sort::Oldest).await;
    assert!(thread.comments.is_empty());
    assert_eq!(thread.comment_count, 0);
    assert!(db.articles().await.iter().all(|a| a.comment_count == 0));
}

#[tokio::test]
async fn replies_nest_under_their_parents_in_reading_order() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = db.first_article().await;

    let first = db.post(&ada, article, None, "first").await;
    let second = db.post(&grace, article, None, "second").await;
    let a1 = db
        .post(&grace, article, Some(first), "reply to first")
        .await;
    db.post(&ada, article, Some(second), "reply to second")
        .await;
    db.post(&ada, article, Some(first), "later reply to first")
        .await;
    // A chain six deep under a1.
    let mut parent = a1;
    for body in ["d2", "d3", "d4", "d5", "d6"] {
        let author = if body == "d4" { &ada } else { &grace };
        parent = db.post(author, article, Some(parent), body).await;
    }

    let thread = db.thread(None, article, Sort::Oldest).await;
    assert_eq!(
        shape(&thread),
        expect(&[
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
        ])
    );

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
    assert_eq!(
        thread.comments[0].reply_count, 7,
        "all replies below `first`"
    );

    let summary = db
        .articles()
        .await
        .into_iter()
        .find(|a| a.id == article)
        .unwrap();
    assert_eq!(summary.comment_count, 10);
    assert_eq!(thread.comment_count, 10);
}

#[tokio::test]
async fn comments_and_their_nesting_survive_a_restart() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = db.first_article().await;
    let root = db.post(&ada, article, None, "Hello").await;
    let reply = db.post(&ada, article, Some(root), "Me again").await;
    db.post(&grace, article, Some(reply), "Hi Ada").await;
    let before = db.thread(Some(&ada), article, Sort::Oldest).await;

    let db = db.reopen().await;
    let after = db.thread(Some(&ada), article, Sort::Oldest).await;
    assert_eq!(after, before);
    assert_eq!(
        shape(&after),
        expect(&[
            ("Ada", 0, "Hello"),
            ("Ada", 1, "Me again"),
            ("Grace", 2, "Hi Ada")
        ])
    );
    assert_eq!(db.articles().await[0].comment_count, 3);
}

#[tokio::test]
async fn markup_is_stored_as_written_and_shown_escaped() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let article = db.first_article().await;
    let body = "<script>alert(1)</script> & <b>not bold</b>\n\nsecond — ünïcödé 🎉";
    db.post(&ada, article, None, body).await;
    let thread = db.thread(Some(&ada), article, Sort::Oldest).await;
    let c = &thread.comments[0];
    assert_eq!(
        c.source.as_deref(),
        Some(body),
        "the author gets the text back to edit"
    );
    assert!(
        !c.body_html.contains("<script") && !c.body_html.contains("<b>"),
        "{}",
        c.body_html
    );
    assert!(c.body_html.contains("&lt;script&gt;"), "{}", c.body_html);
    assert!(c.body_html.contains("ünïcödé 🎉"));
    let other = db.thread(None, article, Sort::Oldest).await;
    assert_eq!(
        other.comments[0].source, None,
        "nobody else gets the source"
    );
}

#[tokio::test]
async fn bad_comments_are_refused_and_nothing_stored_changes() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let articles = db.articles().await;
    let (article, other_article) = (articles[0].id, articles[1].id);
    let root = db.post(&ada, article, None, "kept").await;
    let elsewhere = db.post(&ada, other_article, None, "other").await;
    let before = (
        db.thread(Some(&ada), article, Sort::Oldest).await,
        db.thread(Some(&ada), other_article, Sort::Oldest).await,
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
        db.thread(Some(&ada), article, Sort::Oldest).await,
        db.thread(Some(&ada), other_article, Sort::Oldest).await,
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
    let query = comments::ThreadQuery::default();
    let err = comments::thread_page(&db.store, None, ArticleId::new(), &query)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn a_comment_sent_again_with_its_id_is_posted_once() {
    let db = TestDb::new().await;
    // The first account is the admin, who may lock discussions.
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let articles = db.articles().await;
    let (article, other) = (articles[0].id, articles[1].id);
    let id = CommentId::new();
    let post = |text: &'static str| comments::post_as(&db.store, &grace, article, None, text, id);

    assert_eq!(post("Sent as the network went away").await.unwrap(), id);
    // Sent again (the answer never came): the same comment, not a second.
    assert_eq!(post("Sent as the network went away").await.unwrap(), id);
    let thread = db.thread(None, article, Sort::Oldest).await;
    assert_eq!(thread.comment_count, 1);
    assert_eq!(thread.comments[0].id, id);

    // The same id for anything else is refused, and changes nothing.
    let sent = "Sent as the network went away";
    let elsewhere = [
        (&grace, article, None, "Other words"),
        (&ada, article, None, sent),
        (&grace, other, None, sent),
        (&grace, article, Some(id), sent),
    ];
    // An id that is not a fresh, time-ordered one is refused too.
    let v4 = CommentId::from(uuid::Uuid::from_u128(
        0x6f1c_0b8e_5c3a_4d2e_9f10_2a3b_4c5d_6e7f,
    ));
    let e = comments::post_as(&db.store, &grace, article, None, sent, v4)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid, "{e:?}");
    for (author, on, under, text) in elsewhere {
        let e = comments::post_as(&db.store, author, on, under, text, id)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Invalid, "{e:?}");
    }
    let thread = db.thread(None, article, Sort::Oldest).await;
    assert_eq!(thread.comment_count, 1);
    assert_eq!(
        thread.comments[0].body_html,
        "<p>Sent as the network went away</p>\n"
    );
    assert_eq!(db.thread(None, other, Sort::Oldest).await.comment_count, 0);

    // A repeat that comes after the discussion was locked, or after an
    // edit, was still done the first time.
    comments::set_locked(&db.store, &ada, article, true)
        .await
        .unwrap();
    assert_eq!(post("Sent as the network went away").await.unwrap(), id);
    comments::set_locked(&db.store, &ada, article, false)
        .await
        .unwrap();
    db.clock.advance(comments::EDIT_GRACE_MS + 1);
    comments::edit(&db.store, &grace, id, "Sent, then corrected")
        .await
        .unwrap();
    assert_eq!(post("Sent as the network went away").await.unwrap(), id);
    assert_eq!(
        db.thread(None, article, Sort::Oldest).await.comment_count,
        1
    );
    // And a new comment with an id of its own is a new comment.
    let next = comments::post_as(
        &db.store,
        &grace,
        article,
        None,
        "Another",
        CommentId::new(),
    )
    .await
    .unwrap();
    assert_ne!(next, id);
    assert_eq!(
        db.thread(None, article, Sort::Oldest).await.comment_count,
        2
    );
}
