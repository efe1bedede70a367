//! Oversized requests cost Parley little: a huge comment is refused before
//! it is copied, and ids sent with a thread request are capped and kept
//! only when they belong to that thread. Memory is measured with a counting
//! allocator, so this file holds one test: tests running side by side would
//! count each other's allocations.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod common;

use std::alloc::System;

use common::TestDb;
use parley_core::comments::{self, Sort, ThreadQuery};
use parley_core::ids::CommentId;
use parley_core::ErrorKind;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const MB: usize = 1024 * 1024;

#[tokio::test]
async fn oversized_requests_are_refused_or_trimmed_before_they_cost_memory() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let article = db.first_article().await;

    // A 1 MB comment is refused without being copied.
    let huge = "x".repeat(MB);
    let region = Region::new(ALLOCATOR);
    let err = comments::post(&db.store, &ada, article, None, &huge)
        .await
        .unwrap_err();
    let allocated = region.change().bytes_allocated;
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.to_string().contains("10,000"), "{err}");
    assert!(
        allocated < MB / 4,
        "refusing a 1 MB comment allocated {allocated} bytes"
    );
    let err = comments::edit(&db.store, &ada, CommentId::new(), &huge)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");

    // A signed-out reader's collapsed subtrees: a huge list of ids, most
    // of them not in this thread, is neither kept nor allowed to grow the
    // order cache.
    let first = db.post(&ada, article, None, "First").await;
    db.post(&ada, article, Some(first), "Under the first").await;
    db.post(&ada, article, None, "Second").await;
    let read = |collapsed: Vec<CommentId>| {
        let query = ThreadQuery {
            sort: Some(Sort::Oldest),
            collapsed,
            ..ThreadQuery::default()
        };
        let store = db.store.clone();
        async move {
            comments::thread_page(&store, None, article, &query)
                .await
                .unwrap()
        }
    };
    // Warm up: the pool's connections and statement caches.
    read(vec![first]).await;
    let region = Region::new(ALLOCATOR);
    let mut ids = vec![first];
    ids.extend((0..100_000).map(|_| CommentId::new()));
    let page = read(ids).await;
    let change = region.change();
    // stats_alloc counts a reallocation as allocating the new size and
    // freeing the old one: what is still held is the difference.
    let kept = change.bytes_allocated as isize - change.bytes_deallocated as isize;
    assert_eq!(page.comments.len(), 2, "the real one still collapses");
    assert!(page.comments[0].collapsed);
    // Only the one id of this thread may be kept (about 4 KB in all with
    // the answer's own bookkeeping); the 10,000 that the cap lets through
    // would take 160 KB in the cache's key.
    assert!(
        kept < 32 * 1024,
        "100,000 stray ids left {kept} bytes behind"
    );
}
