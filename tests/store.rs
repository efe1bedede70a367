//! Opening the database: settings, migrations, the sample library.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod common;

use common::TestDb;
use parley_core::articles;
use parley_core::store::Store;

#[tokio::test]
async fn the_database_is_durable_and_checks_references() {
    let db = TestDb::new().await;
    let settings = db.store.settings().await.unwrap();
    assert_eq!(settings.journal_mode, "wal");
    assert!(settings.synchronous_full);
    assert!(settings.foreign_keys);
    assert!(settings.busy_timeout_ms >= 1000);
}

#[tokio::test]
async fn a_new_library_holds_the_samples_newest_first_and_only_once() {
    let db = TestDb::new().await;
    let list = db.articles().await;
    assert!(list.len() >= 5, "{} sample articles", list.len());
    assert!(list
        .windows(2)
        .all(|w| w[0].published_at >= w[1].published_at));
    for a in &list {
        assert!(!a.title.is_empty() && !a.source.is_empty() && !a.author.is_empty());
        assert!(!a.tags.is_empty(), "{} has tags", a.title);
        let full = articles::article(&db.store, a.id).await.unwrap();
        assert!(
            full.body_html.matches("<p>").count() >= 3,
            "{} has paragraphs",
            a.title
        );
    }

    let db = db.reopen().await;
    assert_eq!(articles::add_samples_if_empty(&db.store).await.unwrap(), 0);
    assert_eq!(db.articles().await.len(), list.len());
}

#[tokio::test]
async fn opening_creates_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a").join("b");
    let store = Store::open(&nested).await.unwrap();
    assert!(nested.join("parley.db").exists());
    store.close().await;
}

#[tokio::test]
async fn a_folder_that_cannot_be_created_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let err = Store::open(&file.join("sub")).await.unwrap_err();
    assert_eq!(err.kind(), parley_core::ErrorKind::Internal);
    assert!(err.to_string().contains("data folder"), "{err}");
}
