//! Backups taken while Parley runs, and restoring them, on real SQLite
//! files: a backup holds everything acknowledged before it began, restore
//! refuses what it cannot use and changes nothing then, and a restored
//! database is searchable.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::common;

use common::TestDb;
use parley_core::backup::{self, Kind};
use parley_core::comments;
use parley_core::ids::CommentId;
use parley_core::search::{self, SearchQuery};
use parley_core::store::Store;
use parley_core::ErrorKind;

/// Opens a copy of the backup `name` as Parley would, in a folder of its
/// own.
async fn open_copy(db: &TestDb, name: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        backup::folder(&db.store).join(name),
        dir.path().join("parley.db"),
    )
    .unwrap();
    let store = parley_core::startup::open_with_clock(dir.path(), db.clock.clone())
        .await
        .unwrap();
    (dir, store)
}

async fn comment_ids(store: &Store) -> HashSet<CommentId> {
    let mut ids = HashSet::new();
    for article in parley_core::articles::list_articles(store, None)
        .await
        .unwrap()
    {
        let query = comments::ThreadQuery {
            limit: comments::MAX_PAGE,
            ..comments::ThreadQuery::default()
        };
        let page = comments::thread_page(store, None, article.id, &query)
            .await
            .unwrap();
        ids.extend(page.comments.iter().map(|c| c.id));
    }
    ids
}

async fn found(store: &Store, text: &str) -> usize {
    let query = SearchQuery {
        text: text.into(),
        ..SearchQuery::default()
    };
    search::search(store, None, &query)
        .await
        .unwrap()
        .comments
        .len()
}

#[tokio::test]
async fn a_backup_taken_while_someone_posts_holds_everything_posted_before_it() {
    if common::sqlite_only("backups and restores are copies of the SQLite file") {
        return;
    }
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    // Enough to make the copy take a while.
    let long = "a long comment about tides and moons ".repeat(200);
    for _ in 0..300 {
        db.post(&ada, article, None, &long).await;
    }

    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, ada, acknowledged, stop) = (
            db.store.clone(),
            ada.clone(),
            acknowledged.clone(),
            stop.clone(),
        );
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let id = comments::post(&store, &ada, article, None, &format!("posted during {n}"))
                    .await
                    .unwrap();
                acknowledged.lock().unwrap().push(id);
                n += 1;
                tokio::task::yield_now().await;
            }
            n
        })
    };
    // Let the writer get going, then note what it has been told is saved.
    while acknowledged.lock().unwrap().len() < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before: Vec<CommentId> = acknowledged.lock().unwrap().clone();
    let reports = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = reports.clone();
    let taken = backup::back_up(&db.store, Kind::Manual, &move |done, total| {
        seen.lock().unwrap().push((done, total));
    })
    .await
    .unwrap();
    stop.store(true, Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(written > 20, "the writer kept posting ({written})");

    let (dir, copy) = open_copy(&db, &taken.name).await;
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(
            &sqlx::SqlitePool::connect_with(
                sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("parley.db")),
            )
            .await
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(integrity, ["ok"]);
    let in_backup = comment_ids(&copy).await;
    for id in &before {
        assert!(
            in_backup.contains(id),
            "{id:?} was acknowledged before the backup"
        );
    }
    assert!(in_backup.len() >= 300 + before.len());
    assert_eq!(
        found(&copy, "tides").await,
        20,
        "a page of results from the copy"
    );
    // Progress ended at the file's size.
    let last = *reports.lock().unwrap().last().unwrap();
    assert_eq!(last, (taken.size, taken.size));
    assert_eq!(backup::list(&db.store)[0].name, taken.name);
}

#[tokio::test]
async fn a_restore_brings_back_the_backup_and_keeps_what_it_replaced() {
    if common::sqlite_only("backups and restores are copies of the SQLite file") {
        return;
    }
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    let kept = db
        .post(
            &ada,
            article,
            None,
            "written before the backup, about herons",
        )
        .await;
    let taken = backup::back_up(&db.store, Kind::Manual, &|_, _| {})
        .await
        .unwrap();
    db.clock.advance(60_000);
    let later = db
        .post(
            &ada,
            article,
            None,
            "written after the backup, about egrets",
        )
        .await;

    // Another handle on the same store, as the app's background work has.
    let elsewhere = db.store.clone();
    let restored = backup::restore(&db.store, &backup::folder(&db.store).join(&taken.name))
        .await
        .unwrap();

    let ids = comment_ids(&elsewhere).await;
    assert!(ids.contains(&kept));
    assert!(!ids.contains(&later));
    assert_eq!(
        found(&elsewhere, "herons").await,
        1,
        "the restored index works"
    );
    assert_eq!(found(&elsewhere, "egrets").await, 0);
    // Posting goes on, on the restored data.
    let after = db.post(&ada, article, None, "after the restore").await;
    assert!(comment_ids(&db.store).await.contains(&after));

    // What was replaced is a backup of its own, with the later comment.
    let listed = backup::list(&db.store);
    let aside = listed
        .iter()
        .find(|b| b.name == restored.set_aside)
        .unwrap();
    assert_eq!(aside.kind, Kind::BeforeRestore);
    let (_dir, replaced) = open_copy(&db, &aside.name).await;
    assert!(comment_ids(&replaced).await.contains(&later));
}

/// Restoring `file` is refused with a message naming why, and the data is
/// as it was.
async fn assert_refused(db: &TestDb, file: &Path, why: &str) {
    let before = comment_ids(&db.store).await;
    let error = backup::restore(&db.store, file).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Invalid, "{error:?}");
    let message = error.to_string();
    assert!(message.contains(why), "{message}");
    assert_eq!(comment_ids(&db.store).await, before);
    assert!(
        backup::list(&db.store)
            .iter()
            .all(|b| b.kind != Kind::BeforeRestore),
        "nothing was set aside: nothing changed"
    );
}

#[tokio::test]
async fn a_restore_refuses_what_is_not_a_usable_parley_database() {
    if common::sqlite_only("backups and restores are copies of the SQLite file") {
        return;
    }
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    db.post(&ada, article, None, "still here afterwards").await;
    let taken = backup::back_up(&db.store, Kind::Manual, &|_, _| {})
        .await
        .unwrap();
    let good = backup::folder(&db.store).join(&taken.name);
    let work = tempfile::tempdir().unwrap();

    let text = work.path().join("notes.db");
    std::fs::write(&text, "these are my notes, not a database\n".repeat(100)).unwrap();
    assert_refused(&db, &text, "not a database").await;

    let corrupt = work.path().join("corrupt.db");
    let mut bytes = std::fs::read(&good).unwrap();
    let page = 4096;
    assert!(bytes.len() > 6 * page);
    for b in &mut bytes[2 * page..5 * page] {
        *b = 0x5A;
    }
    std::fs::write(&corrupt, bytes).unwrap();
    assert_refused(&db, &corrupt, "damaged").await;

    let other = work.path().join("other.db");
    {
        let pool = sqlx::SqlitePool::connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&other)
                .create_if_missing(true),
        )
        .await
        .unwrap();
        sqlx::query("CREATE TABLE recipes (name TEXT)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    assert_refused(&db, &other, "not a Parley database").await;

    let newer = work.path().join("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    {
        let pool = sqlx::SqlitePool::connect_with(
            sqlx::sqlite::SqliteConnectOptions::new().filename(&newer),
        )
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (29991231000000, 'from the future', 1, x'00', 0)",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    assert_refused(&db, &newer, "newer version of Parley").await;

    assert_refused(&db, &work.path().join("missing.db"), "could not read").await;
    assert_eq!(found(&db.store, "afterwards").await, 1);
}

#[tokio::test]
async fn a_restore_refuses_a_backup_whose_schema_was_changed_outside_parley() {
    if common::sqlite_only("backups and restores are copies of the SQLite file") {
        return;
    }
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let mallory = db.account("mallory", "Mallory").await;
    let taken = backup::back_up(&db.store, Kind::Manual, &|_, _| {})
        .await
        .unwrap();
    let good = backup::folder(&db.store).join(&taken.name);
    let work = tempfile::tempdir().unwrap();
    let changes = [
        (
            "trigger",
            "CREATE TRIGGER promote AFTER INSERT ON comments BEGIN
                 UPDATE users SET role = 'admin' WHERE username = 'mallory';
             END",
        ),
        ("view", "CREATE VIEW everyone AS SELECT username FROM users"),
        (
            "index",
            "CREATE INDEX users_by_name ON users (display_name)",
        ),
        ("table", "CREATE TABLE stash (secret TEXT)"),
        // The same name, other SQL: a trigger of Parley's rewritten.
        ("rewritten", "ALTER TABLE comments ADD COLUMN note TEXT"),
    ];
    for (what, change) in changes {
        let changed = work.path().join(format!("{what}.db"));
        std::fs::copy(&good, &changed).unwrap();
        {
            let pool = sqlx::SqlitePool::connect_with(
                sqlx::sqlite::SqliteConnectOptions::new().filename(&changed),
            )
            .await
            .unwrap();
            sqlx::query(change).execute(&pool).await.unwrap();
            pool.close().await;
        }
        assert_refused(&db, &changed, "changed outside Parley").await;
    }
    // The untouched backup is still restored.
    backup::restore(&db.store, &good).await.unwrap();
    let article = db.first_article().await;
    db.post(&mallory, article, None, "a comment after the restores")
        .await;
    let pool = db.raw_pool().await;
    let role: String = sqlx::query_scalar("SELECT role FROM users WHERE username = 'mallory'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(role, "member");
    let triggers: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = 'promote'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(triggers, 0);
}

#[tokio::test]
async fn automatic_backups_are_daily_and_the_last_seven_are_kept() {
    if common::sqlite_only("backups and restores are copies of the SQLite file") {
        return;
    }
    let db = TestDb::new().await;
    let first = backup::back_up_if_due(&db.store).await.unwrap();
    assert!(first.is_some(), "no backup yet: one is due");
    db.clock.advance(60 * 60 * 1000);
    assert_eq!(
        backup::back_up_if_due(&db.store).await.unwrap(),
        None,
        "an hour later"
    );
    let manual = backup::back_up(&db.store, Kind::Manual, &|_, _| {})
        .await
        .unwrap();
    for _ in 0..9 {
        db.clock.advance(backup::AUTOMATIC_EVERY_MS);
        assert!(backup::back_up_if_due(&db.store).await.unwrap().is_some());
    }
    let listed = backup::list(&db.store);
    let automatic: Vec<_> = listed
        .iter()
        .filter(|b| b.kind == Kind::Automatic)
        .collect();
    assert_eq!(automatic.len(), backup::KEEP_AUTOMATIC);
    assert!(
        automatic.windows(2).all(|w| w[0].taken_at > w[1].taken_at),
        "newest first"
    );
    assert!(!automatic
        .iter()
        .any(|b| Some(&b.name) == first.as_ref().map(|f| &f.name)));
    assert!(
        listed.iter().any(|b| b.name == manual.name),
        "manual backups stay"
    );
    // Backups are private to their owner, like the database.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = backup::folder(&db.store).join(&manual.name);
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    // A name from elsewhere is not a backup.
    for name in ["../parley.db", "parley.db", "/etc/passwd"] {
        assert!(backup::path_of(&db.store, name).is_err(), "{name}");
    }
}
