//! Rate limits counted in the database.
#![allow(clippy::unwrap_used, reason = "test helpers: a panic is a failed test")]

use crate::common::TestDb;
use parley_core::rate::{self, Limit};

const LIMIT: Limit = Limit {
    requests: 3,
    per_ms: 60_000,
};

#[tokio::test]
async fn a_key_may_spend_its_window_then_waits_for_the_next() {
    let db = TestDb::empty().await;
    for _ in 0..3 {
        assert_eq!(
            rate::spend(&db.store, "sign-in 10.0.0.7", LIMIT)
                .await
                .unwrap(),
            None
        );
    }
    db.clock.advance(15_000);
    let wait = rate::spend(&db.store, "sign-in 10.0.0.7", LIMIT)
        .await
        .unwrap();
    let wait = wait.expect("the fourth in a minute waits");
    assert!(wait > 0 && wait <= 60_000, "{wait}");
    // Another key has its own window.
    assert_eq!(
        rate::spend(&db.store, "sign-in 10.0.0.8", LIMIT)
            .await
            .unwrap(),
        None
    );
    // A second connection (another server process) counts the same.
    let other = db.second_store().await;
    assert!(rate::spend(&other, "sign-in 10.0.0.7", LIMIT)
        .await
        .unwrap()
        .is_some());
    // The next window starts afresh.
    db.clock.advance(wait);
    assert_eq!(
        rate::spend(&db.store, "sign-in 10.0.0.7", LIMIT)
            .await
            .unwrap(),
        None
    );
    // Old windows can be forgotten.
    db.clock.advance(10 * 60_000);
    assert_eq!(rate::forget_old(&db.store, 60_000).await.unwrap(), 2);
}

#[tokio::test]
async fn a_huge_or_odd_key_is_counted_not_refused() {
    let db = TestDb::empty().await;
    let key = "é".repeat(10_000);
    assert_eq!(rate::spend(&db.store, &key, LIMIT).await.unwrap(), None);
}

#[tokio::test]
async fn requests_at_once_through_two_processes_spend_the_window_once() {
    let db = TestDb::empty().await;
    let other = db.second_store().await;
    let mut all = tokio::task::JoinSet::new();
    for n in 0..24 {
        let store = if n % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        all.spawn(async move { rate::spend(&store, "write-address 10.0.0.9", LIMIT).await });
    }
    let mut allowed = 0;
    while let Some(spent) = all.join_next().await {
        if spent.unwrap().unwrap().is_none() {
            allowed += 1;
        }
    }
    assert_eq!(allowed, LIMIT.requests, "the window holds three");
}
