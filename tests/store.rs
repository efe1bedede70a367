//! Opening the database: settings, migrations, the sample library.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::TestDb;
use parley_core::{articles, samples};

#[tokio::test]
async fn the_database_is_durable_and_checks_references() {
    if common::sqlite_only("about the SQLite file: its settings, upgrades and damage") {
        return;
    }
    let db = TestDb::new().await;
    let settings = db.store.settings().await.unwrap();
    assert_eq!(settings.journal_mode, "wal");
    assert!(settings.synchronous_full);
    assert!(settings.foreign_keys);
    assert!(settings.busy_timeout_ms >= 1000);
    assert!(
        !settings.trusted_schema,
        "the schema may call only harmless functions"
    );
}

#[tokio::test]
async fn a_new_library_holds_the_samples_newest_first_and_only_once() {
    if common::sqlite_only("about the SQLite file: its settings, upgrades and damage") {
        return;
    }
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
    assert_eq!(samples::add_samples_if_empty(&db.store).await.unwrap(), 0);
    assert_eq!(db.articles().await.len(), list.len());
}

#[tokio::test]
async fn opening_creates_the_folder() {
    if common::sqlite_only("about the SQLite file: its settings, upgrades and damage") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a").join("b");
    let store = parley_core::startup::open(&nested).await.unwrap();
    assert!(nested.join("parley.db").exists());
    store.close().await;
}

#[tokio::test]
async fn a_folder_that_cannot_be_created_is_a_clear_error() {
    if common::sqlite_only("about the SQLite file: its settings, upgrades and damage") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let err = parley_core::startup::open(&file.join("sub"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), parley_core::ErrorKind::Internal);
    assert!(err.to_string().contains("data folder"), "{err}");
}

/// A database written before the accounts-and-moderation migration, with
/// people in it, upgrades in place: accounts, roles, comments and a running
/// sign-in back-off all survive.
#[tokio::test]
async fn a_database_from_before_moderation_upgrades_with_its_data() {
    if common::sqlite_only("about the SQLite file: its settings, upgrades and damage") {
        return;
    }
    use std::borrow::Cow;

    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    use parley_core::accounts::{self, Role};
    use parley_core::clock::ManualClock;
    use parley_core::comments::Sort;
    use parley_core::ids::{ArticleId, CommentId, UserId};
    use parley_core::ErrorKind;

    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join(parley_core::store::DATABASE_FILE).display()
    );
    let raw = sqlx::SqlitePool::connect(&url).await.unwrap();
    let mut before = sqlx::migrate!("./migrations");
    let upgrade = before
        .migrations
        .iter()
        .position(|m| m.description.contains("accounts and moderation"))
        .unwrap();
    before.migrations = Cow::Owned(before.migrations[..upgrade].to_vec());
    before.run(&raw).await.unwrap();

    // What the app of that time wrote: Ada (admin) in the middle of a
    // back-off, Grace (member), an article and Ada's comment on it.
    let hash = |password: &str| {
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string()
    };
    let (ada, grace) = (UserId::new(), UserId::new());
    let blocked_until = common::START + 8_000;
    for (id, name, role, failures, until) in [
        (ada, "ada", "admin", 8, Some(blocked_until)),
        (grace, "grace", "member", 0, None),
    ] {
        sqlx::query(
            "INSERT INTO users (id, username, username_key, display_name, password_hash, role,
                                created_at, failed_sign_ins, sign_in_blocked_until)
             VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
        )
        .bind(id)
        .bind(name)
        .bind(name)
        .bind(name.to_uppercase())
        .bind(hash(&common::password_for(name)))
        .bind(role)
        .bind(failures)
        .bind(until)
        .execute(&raw)
        .await
        .unwrap();
    }
    let article = ArticleId::from(uuid::Uuid::now_v7());
    sqlx::query(
        "INSERT INTO articles (id, title, source, author, published_at, summary, body_html, created_at)
         VALUES (?, 'Old news', 'Archive', 'Someone', 0, '', '<p>Text.</p>', 0)",
    )
    .bind(article)
    .execute(&raw)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO comments (id, article_id, author_id, body, body_html, created_at)
         VALUES (?, ?, ?, 'Still here', '<p>Still here</p>', 1)",
    )
    .bind(CommentId::new())
    .bind(article)
    .bind(ada)
    .execute(&raw)
    .await
    .unwrap();
    raw.close().await;

    let clock = ManualClock::starting_at(common::START);
    let store = parley_core::startup::open_with_clock(dir.path(), clock.clone())
        .await
        .unwrap();
    let waiting = accounts::verify_credentials(&store, "ada", common::password_for("ada"))
        .await
        .unwrap_err();
    assert_eq!(waiting.kind(), ErrorKind::TooManyAttempts, "{waiting}");
    assert!(waiting.to_string().contains("8 seconds"), "{waiting}");
    clock.advance(8_000);
    let ada = accounts::verify_credentials(&store, "ada", common::password_for("ada"))
        .await
        .unwrap();
    assert_eq!(ada.role, Role::Admin);
    let listed = parley_core::admin::list_accounts(&store, &ada)
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    let page = parley_core::comments::thread_page(
        &store,
        Some(&ada),
        article,
        &parley_core::comments::ThreadQuery {
            sort: Some(Sort::Oldest),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.comments.len(), 1);
    assert_eq!(page.comments[0].author_name, "ADA");
    assert!(!page.locked);
}

/// Opens `bytes` as `parley.db` and returns the error and whether the file
/// is byte for byte what it was.
async fn open_broken(bytes: &[u8]) -> (parley_core::Error, bool, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(parley_core::store::DATABASE_FILE);
    std::fs::write(&file, bytes).unwrap();
    let err = parley_core::startup::open(dir.path()).await.unwrap_err();
    let unchanged = std::fs::read(&file).unwrap() == bytes;
    // The folder goes with `dir`: keep the path for the message only.
    (err, unchanged, file)
}

fn random_bytes(n: usize) -> Vec<u8> {
    // Not cryptographic, just not a database: a fixed xorshift stream.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    if common::sqlite_only("about the SQLite file: its settings, upgrades and damage") {
        return;
    }
    for bytes in [
        random_bytes(64 * 1024),
        b"Dear diary,\nthis is not a database.\n".repeat(500),
    ] {
        let (err, unchanged, file) = open_broken(&bytes).await;
        let message = err.to_string();
        assert!(unchanged, "the file was changed");
        assert!(message.contains(&file.display().to_string()), "{message}");
        assert!(message.contains("not a database"), "{message}");
        assert!(message.contains("aside"), "says what to do: {message}");
    }
}

#[tokio::test]
async fn another_programs_database_is_refused_and_left_alone() {
    if common::sqlite_only("about the SQLite file: its settings, upgrades and damage") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(parley_core::store::DATABASE_FILE);
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let other = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE recipes (name TEXT, steps TEXT)")
        .execute(&other)
        .await
        .unwrap();
    sqlx::query("INSERT INTO recipes VALUES ('bread', 'knead')")
        .execute(&other)
        .await
        .unwrap();
    other.close().await;
    let before = std::fs::read(&file).unwrap();

    let err = parley_core::startup::open(dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("not a Parley database"), "{err}");
    assert!(
        std::fs::read(&file).unwrap() == before,
        "the file was changed"
    );
}

#[tokio::test]
async fn a_database_from_a_newer_parley_is_refused_and_left_alone() {
    if common::sqlite_only("about the SQLite file: its settings, upgrades and damage") {
        return;
    }
    let db = TestDb::new().await;
    let file = db.dir.path().join(parley_core::store::DATABASE_FILE);
    db.store.close().await;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (29991231000000, 'from the future', 1, x'00', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let before = std::fs::read(&file).unwrap();

    let err = parley_core::startup::open(db.dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("newer version of Parley"), "{err}");
    assert!(
        err.to_string().contains(&file.display().to_string()),
        "{err}"
    );
    assert!(
        std::fs::read(&file).unwrap() == before,
        "the file was changed"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_and_database_files_are_private_to_their_owner() {
    if common::sqlite_only("about the SQLite file: its settings, upgrades and damage") {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("parley");
    let store = parley_core::startup::open(&dir).await.unwrap();
    assert_eq!(mode(&dir), 0o700);
    for file in ["parley.db", "parley.db-wal", "parley.db-shm"] {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }
    store.close().await;

    // Looser permissions from before are tightened at the next start.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(
        dir.join("parley.db"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let store = parley_core::startup::open(&dir).await.unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("parley.db")), 0o600);
    store.close().await;
}

#[tokio::test]
async fn a_damaged_database_is_refused_and_left_alone() {
    if common::sqlite_only("about the SQLite file: its settings, upgrades and damage") {
        return;
    }
    let db = TestDb::new().await;
    let file = db.dir.path().join(parley_core::store::DATABASE_FILE);
    db.store.close().await;
    // Everything in the file itself, none of it left in the write-ahead log.
    let pool = db.raw_pool().await;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    // The first page past its 100-byte header holds the list of tables:
    // scribble over it.
    let mut bytes = std::fs::read(&file).unwrap();
    for (i, byte) in bytes.iter_mut().enumerate().take(4096).skip(100) {
        *byte = (i * 7) as u8;
    }
    std::fs::write(&file, &bytes).unwrap();

    let err = parley_core::startup::open(db.dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("damaged"), "{err}");
    assert!(
        std::fs::read(&file).unwrap() == bytes,
        "the file was changed"
    );
}

#[tokio::test]
async fn another_programs_sqlx_database_is_not_taken_for_a_newer_parley() {
    if common::sqlite_only("about the SQLite file: its settings, upgrades and damage") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(parley_core::store::DATABASE_FILE);
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let other = sqlx::SqlitePool::connect(&url).await.unwrap();
    for sql in [
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL,
             installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL,
             checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)",
        "INSERT INTO _sqlx_migrations VALUES (1, 'recipes', 0, 1, x'00', 0)",
        "CREATE TABLE recipes (name TEXT)",
    ] {
        sqlx::query(sql).execute(&other).await.unwrap();
    }
    other.close().await;
    let before = std::fs::read(&file).unwrap();

    let err = parley_core::startup::open(dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("not a Parley database"), "{err}");
    assert!(
        std::fs::read(&file).unwrap() == before,
        "the file was changed"
    );
}

#[tokio::test]
async fn a_damaged_database_is_found_before_an_upgrade_writes_to_it() {
    if common::sqlite_only("about the SQLite file: its settings, upgrades and damage") {
        return;
    }
    use std::borrow::Cow;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(parley_core::store::DATABASE_FILE);
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let raw = sqlx::SqlitePool::connect(&url).await.unwrap();
    // A database one migration behind, with the sample library in it.
    let mut before = sqlx::migrate!("./migrations");
    let all = before.migrations.len();
    before.migrations = Cow::Owned(before.migrations[..all - 1].to_vec());
    before.run(&raw).await.unwrap();
    for i in 0..200 {
        sqlx::query(
            "INSERT INTO articles (id, title, source, author, published_at, summary, body_html,
                                   created_at)
             VALUES (randomblob(16), ?, 'Archive', 'Someone', 0, '', ?, 0)",
        )
        .bind(format!("Article {i}"))
        .bind("<p>Text.</p>".repeat(40))
        .execute(&raw)
        .await
        .unwrap();
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;
    // Scribble over a page deep inside the articles, not the list of tables.
    let mut bytes = std::fs::read(&file).unwrap();
    let page = 4096;
    let middle = (bytes.len() / page / 2) * page;
    for (i, byte) in bytes[middle..middle + page].iter_mut().enumerate() {
        *byte = (i * 13) as u8;
    }
    std::fs::write(&file, &bytes).unwrap();

    let err = parley_core::startup::open(dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("damaged"), "{err}");
    assert!(
        std::fs::read(&file).unwrap() == bytes,
        "the file was changed"
    );
}
