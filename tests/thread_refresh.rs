//! A reader deep in a long thread who votes, posts or edits keeps their
//! place: the next page continues the order their pages were cut from, and
//! the comment they touched is sent alone (`comment_view`), never the
//! pages already loaded.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::TestDb;
use parley_core::accounts::User;
use parley_core::comments::{self, Sort, ThreadComment, ThreadPage, ThreadQuery, VoteChoice};
use parley_core::ids::{ArticleId, CommentId};
use parley_core::ErrorKind;

async fn page(
    db: &TestDb,
    viewer: &User,
    article: ArticleId,
    offset: u32,
    version: Option<i64>,
) -> ThreadPage {
    let query = ThreadQuery {
        sort: Some(Sort::Best),
        offset,
        limit: 10,
        version,
        ..ThreadQuery::default()
    };
    comments::thread_page(&db.store, Some(viewer), article, &query)
        .await
        .unwrap()
}

fn ids(pages: &[&ThreadPage]) -> Vec<CommentId> {
    pages
        .iter()
        .flat_map(|p| p.comments.iter().map(|c| c.id))
        .collect()
}

/// 30 top-level comments by Ada, each newer than the last.
async fn thirty(db: &TestDb) -> (ArticleId, User, User, Vec<CommentId>) {
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = db.first_article().await;
    let mut posted = Vec::new();
    for i in 0..30 {
        posted.push(db.post(&ada, article, None, &format!("c{i}")).await);
    }
    (article, ada, grace, posted)
}

#[tokio::test]
async fn a_vote_leaves_the_pages_after_it_in_the_order_the_reader_began() {
    let db = TestDb::new().await;
    let (article, _, grace, _) = thirty(&db).await;
    let first = page(&db, &grace, article, 0, None).await;
    let whole_before = ids(&[&first, &page(&db, &grace, article, 10, None).await]);

    // Grace up-votes the last comment of the second page: in Best order it
    // now leads the thread.
    let voted = whole_before[19];
    comments::vote(&db.store, &grace, voted, VoteChoice::Up)
        .await
        .unwrap();
    let current = page(&db, &grace, article, 0, None).await;
    assert_eq!(current.comments[0].id, voted, "the new order puts it first");

    // Paging on from the version she began with continues that order: no
    // comment twice, none skipped, and today's score on the page.
    let first_again = page(&db, &grace, article, 0, Some(first.version)).await;
    let second = page(&db, &grace, article, 10, Some(first.version)).await;
    assert_eq!(second.version, first.version);
    assert_eq!(ids(&[&first_again, &second]), whole_before);
    let shown = second.comments.iter().find(|c| c.id == voted).unwrap();
    assert_eq!((shown.score, shown.my_vote), (1, 1));
}

#[tokio::test]
async fn after_posting_the_next_page_continues_without_the_new_comment() {
    let db = TestDb::new().await;
    let (article, ada, grace, posted) = thirty(&db).await;
    let first = page(&db, &grace, article, 0, None).await;
    let reply = db.post(&grace, article, Some(posted[3]), "a reply").await;
    let second = page(&db, &grace, article, 10, Some(first.version)).await;
    assert_eq!(second.version, first.version, "the same order goes on");
    assert!(second.comments.iter().all(|c| c.id != reply));
    // A page asked for without a version is the thread as it is now.
    let now = page(&db, &ada, article, 0, None).await;
    assert!(now.version > first.version);
    assert_eq!(now.comment_count, 31);
}

#[tokio::test]
async fn an_order_no_longer_at_hand_is_replaced_by_the_current_one() {
    let db = TestDb::new().await;
    let (article, _, grace, posted) = thirty(&db).await;
    let first = page(&db, &grace, article, 0, None).await;
    // Two changes, each read: the cache keeps the two newest orders.
    for id in &posted[..2] {
        comments::vote(&db.store, &grace, *id, VoteChoice::Up)
            .await
            .unwrap();
        page(&db, &grace, article, 0, None).await;
    }
    let next = page(&db, &grace, article, 10, Some(first.version)).await;
    assert_ne!(
        next.version, first.version,
        "the page says it is cut from another order, so the reader reloads"
    );
}

/// The comment as the whole thread shows it to `viewer`.
async fn in_thread(db: &TestDb, viewer: &User, article: ArticleId, id: CommentId) -> ThreadComment {
    db.thread(Some(viewer), article, Sort::Oldest)
        .await
        .comments
        .into_iter()
        .find(|c| c.id == id)
        .unwrap()
}

#[tokio::test]
async fn one_comment_alone_is_what_the_thread_shows_of_it() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = db.first_article().await;
    let top = db.post(&ada, article, None, "top").await;
    let mid = db.post(&grace, article, Some(top), "*mid*").await;
    let deep = db.post(&ada, article, Some(mid), "deep").await;
    let leaf = db.post(&grace, article, Some(deep), "leaf").await;
    comments::vote(&db.store, &grace, top, VoteChoice::Up)
        .await
        .unwrap();
    comments::edit(&db.store, &grace, mid, "*mid*, edited")
        .await
        .unwrap();
    comments::set_collapsed(&db.store, &ada, deep, true)
        .await
        .unwrap();
    comments::delete(&db.store, &ada, top).await.unwrap();

    for viewer in [&ada, &grace] {
        for id in [top, mid, deep] {
            let alone = comments::comment_view(&db.store, Some(viewer), id)
                .await
                .unwrap();
            assert_eq!(alone, in_thread(&db, viewer, article, id).await);
        }
    }
    // The leaf sits in Ada's collapsed subtree; Grace sees it in place.
    let alone = comments::comment_view(&db.store, Some(&grace), leaf)
        .await
        .unwrap();
    assert_eq!(alone, in_thread(&db, &grace, article, leaf).await);
    assert_eq!(
        (alone.depth, alone.parent_author_name.as_deref()),
        (3, Some("Ada"))
    );
    let placeholder = comments::comment_view(&db.store, None, top).await.unwrap();
    assert!(placeholder.removed.is_some() && placeholder.author_name.is_empty());
    assert_eq!(placeholder.reply_count, 3);

    // Deleted with no replies: gone, and it says so.
    comments::delete(&db.store, &grace, leaf).await.unwrap();
    let gone = comments::comment_view(&db.store, Some(&grace), leaf)
        .await
        .unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
}
