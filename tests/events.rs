//! The backlog of changes a live client catches up from: one event per
//! change, written with it, in order, and nothing for a refused change.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common::TestDb;
use parley_core::comments::{self, VoteChoice};
use parley_core::events::{self, Change};

#[tokio::test]
async fn each_change_to_a_discussion_is_one_event_in_order() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = db.first_article().await;
    let start = events::latest(&db.store).await.unwrap();

    let first = db.post(&grace, article, None, "First.").await;
    let reply = db.post(&ada, article, Some(first), "A reply.").await;
    db.clock.advance(10 * 60 * 1000);
    comments::edit(&db.store, &grace, first, "First, edited.")
        .await
        .unwrap();
    comments::vote(&db.store, &ada, first, VoteChoice::Up)
        .await
        .unwrap();
    comments::set_pinned(&db.store, &ada, first, true)
        .await
        .unwrap();
    comments::delete(&db.store, &ada, reply).await.unwrap();
    comments::remove(&db.store, &ada, first).await.unwrap();
    comments::set_locked(&db.store, &ada, article, true)
        .await
        .unwrap();

    let since = events::since(&db.store, start).await.unwrap();
    assert!(!since.gap);
    let changes: Vec<(Change, Option<_>)> = since
        .events
        .iter()
        .map(|e| (e.change, e.comment_id))
        .collect();
    assert_eq!(
        changes,
        [
            (Change::CommentPosted, Some(first)),
            (Change::CommentPosted, Some(reply)),
            (Change::CommentEdited, Some(first)),
            (Change::Voted, Some(first)),
            (Change::CommentPinned, Some(first)),
            (Change::CommentDeleted, Some(reply)),
            (Change::CommentRemoved, Some(first)),
            (Change::DiscussionLocked, None),
        ]
    );
    assert!(since.events.iter().all(|e| e.article_id == Some(article)));
    let ids: Vec<i64> = since.events.iter().map(|e| e.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert_eq!(
        events::latest(&db.store).await.unwrap(),
        *ids.last().unwrap()
    );

    // Catching up from the middle gives the rest.
    let rest = events::since(&db.store, ids[5]).await.unwrap();
    assert_eq!(rest.events.len(), 2);
}

#[tokio::test]
async fn a_refused_change_leaves_no_event() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = db.first_article().await;
    let mine = db.post(&ada, article, None, "Mine.").await;
    let before = events::latest(&db.store).await.unwrap();
    assert!(comments::edit(&db.store, &grace, mine, "Not yours.")
        .await
        .is_err());
    assert!(comments::vote(&db.store, &ada, mine, VoteChoice::Up)
        .await
        .is_err());
    assert!(comments::set_locked(&db.store, &grace, article, true)
        .await
        .is_err());
    // Sending the same comment again is no new change either.
    let id = parley_core::ids::CommentId::new();
    comments::post_as(&db.store, &grace, article, None, "Once.", id)
        .await
        .unwrap();
    comments::post_as(&db.store, &grace, article, None, "Once.", id)
        .await
        .unwrap();
    let since = events::since(&db.store, before).await.unwrap();
    assert_eq!(since.events.len(), 1);
    assert_eq!(since.events[0].comment_id, Some(id));
}

#[tokio::test]
async fn old_events_are_pruned_and_a_client_behind_them_is_told() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let article = db.first_article().await;
    let first = db.post(&ada, article, None, "One.").await;
    let seen = events::since(&db.store, 0)
        .await
        .unwrap()
        .events
        .iter()
        .find(|e| e.comment_id == Some(first))
        .unwrap()
        .id;
    db.post(&ada, article, None, "Two.").await;
    db.clock.advance(events::KEEP_MS + 1);
    db.post(&ada, article, None, "Three.").await;
    assert!(events::prune(&db.store).await.unwrap() >= 2);
    let since = events::since(&db.store, seen).await.unwrap();
    assert!(since.gap, "the client missed event two");
    assert_eq!(since.events.len(), 1);
    // Right up to date is no gap.
    let newest = events::latest(&db.store).await.unwrap();
    let now = events::since(&db.store, newest).await.unwrap();
    assert!(!now.gap && now.events.is_empty());
}
