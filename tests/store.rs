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

/// A library made by the release before PostgreSQL (its migrations, the
/// newest 20261203000000_library_limits, and rows as that release wrote
/// them) opens in this Parley with everything in it: accounts that sign
/// in, a followed feed, its article with tags, text and image, a
/// discussion with an edited reply, votes, a mute, and search over all of
/// it.
#[tokio::test]
async fn a_library_from_the_release_before_postgresql_upgrades_in_place() {
    if common::sqlite_only("upgrades a SQLite file made by the release before") {
        return;
    }
    use std::borrow::Cow;

    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    use parley_core::accounts;
    use parley_core::articles;
    use parley_core::clock::ManualClock;
    use parley_core::comments::{self, Sort};
    use parley_core::ids::{ArticleId, CommentId, ImageId, SourceId, UserId};
    use parley_core::library::{images, sources};
    use parley_core::mutes;
    use parley_core::search::{self, SearchQuery};

    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join(parley_core::store::DATABASE_FILE).display()
    );
    let raw = sqlx::SqlitePool::connect(&url).await.unwrap();
    let mut release = sqlx::migrate!("./migrations");
    let last = release
        .migrations
        .iter()
        .position(|m| m.version == 20261203000000)
        .unwrap();
    release.migrations = Cow::Owned(release.migrations[..=last].to_vec());
    release.run(&raw).await.unwrap();

    let hash = |password: &str| {
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string()
    };
    let (ada, grace) = (UserId::new(), UserId::new());
    let (source, article, image) = (SourceId::new(), ArticleId::new(), ImageId::new());
    let (question, answer) = (CommentId::new(), CommentId::new());
    let at = common::START;
    for (id, name, display, role) in [
        (ada, "ada", "Ada Lovelace", "admin"),
        (grace, "grace", "Grace Hopper", "member"),
    ] {
        sqlx::query(
            "INSERT INTO users (id, username, username_key, display_name, display_name_key,
                                password_hash, role, created_at, password_fit_for_admin)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)",
        )
        .bind(id)
        .bind(name)
        .bind(name)
        .bind(display)
        .bind(display.to_lowercase())
        .bind(hash(&common::password_for(name)))
        .bind(role)
        .bind(at)
        .execute(&raw)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO sources (id, feed_url, title, added_by, added_at, next_refresh_at,
                              last_success_at)
         VALUES (?, 'https://tides.example/feed.xml', 'Tide Tables', ?, ?, ?, ?)",
    )
    .bind(source)
    .bind(ada)
    .bind(at)
    .bind(at + 3_600_000)
    .bind(at)
    .execute(&raw)
    .await
    .unwrap();
    let body = format!(
        "<p>The spring tide at Lyme reached its highest mark in a decade.</p>\
         <p><img src=\"parley-image:{image}\" alt=\"the harbour wall\"></p>"
    );
    sqlx::query(
        "INSERT INTO articles (id, title, source, author, url, published_at, summary, body_html,
                               body_text, created_at, origin, source_id, added_by, added_at)
         VALUES (?, 'Spring tides at Lyme', 'Tide Tables', 'Mara Quill',
                 'https://tides.example/lyme', ?, 'The spring tide at Lyme.', ?,
                 'The spring tide at Lyme reached its highest mark in a decade.', ?, 'feed', ?,
                 ?, ?)",
    )
    .bind(article)
    .bind(at)
    .bind(&body)
    .bind(at)
    .bind(source)
    .bind(ada)
    .bind(at)
    .execute(&raw)
    .await
    .unwrap();
    for tag in ["coast", "weather"] {
        sqlx::query("INSERT INTO article_tags (article_id, tag) VALUES (?, ?)")
            .bind(article)
            .bind(tag)
            .execute(&raw)
            .await
            .unwrap();
    }
    sqlx::query("INSERT INTO article_keys (key, article_id) VALUES ('feed:lyme', ?)")
        .bind(article)
        .execute(&raw)
        .await
        .unwrap();
    let png = common::png(4, 3);
    sqlx::query(
        "INSERT INTO article_images (id, article_id, content_type, bytes, source_url)
         VALUES (?, ?, 'image/png', ?, 'https://tides.example/wall.png')",
    )
    .bind(image)
    .bind(article)
    .bind(&png)
    .execute(&raw)
    .await
    .unwrap();
    for (id, parent, author, text, written, edited) in [
        (
            question,
            None,
            grace,
            "Was the harbour wall overtopped?",
            at + 1_000,
            None,
        ),
        (
            answer,
            Some(question),
            ada,
            "Only at the eastern end, briefly.",
            at + 2_000,
            Some(at + 3_000),
        ),
    ] {
        sqlx::query(
            "INSERT INTO comments (id, article_id, parent_id, author_id, body, body_html,
                                   created_at, edited_at, upvotes)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(article)
        .bind(parent)
        .bind(author)
        .bind(text)
        .bind(format!("<p>{text}</p>"))
        .bind(written)
        .bind(edited)
        .bind(i64::from(parent.is_none()))
        .execute(&raw)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO comment_revisions (comment_id, body, body_html, written_at, replaced_at)
         VALUES (?, 'Only at the east end.', '<p>Only at the east end.</p>', ?, ?)",
    )
    .bind(answer)
    .bind(at + 2_000)
    .bind(at + 3_000)
    .execute(&raw)
    .await
    .unwrap();
    sqlx::query("INSERT INTO votes (user_id, comment_id, value, voted_at) VALUES (?, ?, 1, ?)")
        .bind(ada)
        .bind(question)
        .bind(at + 4_000)
        .execute(&raw)
        .await
        .unwrap();
    sqlx::query("INSERT INTO mutes (user_id, muted_id, created_at, id) VALUES (?, ?, ?, ?)")
        .bind(grace)
        .bind(ada)
        .bind(at + 5_000)
        .bind(uuid::Uuid::now_v7())
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;

    let store = parley_core::startup::open_with_clock(dir.path(), ManualClock::starting_at(at))
        .await
        .unwrap();
    let ada_now = accounts::verify_credentials(&store, "ada", common::password_for("ada"))
        .await
        .unwrap();
    let grace_now = accounts::verify_credentials(&store, "grace", common::password_for("grace"))
        .await
        .unwrap();
    assert_eq!(ada_now.display_name, "Ada Lovelace");
    assert_eq!(grace_now.role, accounts::Role::Member);

    let listed = articles::list_articles(&store, Some(&grace_now))
        .await
        .unwrap();
    let summary = listed.iter().find(|a| a.id == article).unwrap();
    assert_eq!(summary.title, "Spring tides at Lyme");
    assert_eq!(summary.tags, ["coast", "weather"]);
    assert_eq!(summary.comment_count, 2);
    let followed = sources::list(&store, Some(&ada_now)).await.unwrap();
    assert_eq!(followed.len(), 1);
    assert_eq!(followed[0].title, "Tide Tables");
    assert_eq!(followed[0].article_count, 1);
    let (kind, bytes) = images::stored(&store, image).await.unwrap().unwrap();
    assert_eq!((kind.as_str(), bytes), ("image/png", png));

    let page = TestDb::thread_of(&store, Some(&ada_now), article, Sort::Oldest).await;
    let shape: Vec<(CommentId, u32, i32)> = page
        .comments
        .iter()
        .map(|c| (c.id, c.depth, c.score))
        .collect();
    assert_eq!(shape, [(question, 0, 1), (answer, 1, 0)]);
    assert_eq!(page.comments[0].my_vote, 1);
    assert_eq!(comments::history(&store, answer).await.unwrap().len(), 2);
    let muted = mutes::muted_people(&store, &grace_now).await.unwrap();
    assert_eq!(muted.len(), 1);
    assert_eq!(muted[0].display_name, "Ada Lovelace");

    let found = |text: &str| {
        let store = store.clone();
        let grace = grace_now.clone();
        let query = SearchQuery {
            text: text.into(),
            ..SearchQuery::default()
        };
        async move { search::search(&store, Some(&grace), &query).await.unwrap() }
    };
    let by_body = found("decade").await;
    assert_eq!(by_body.articles.len(), 1);
    assert_eq!(by_body.articles[0].id, article);
    let by_comment = found("overtopped").await;
    assert_eq!(by_comment.comments.len(), 1);
    assert_eq!(by_comment.comments[0].id, question);
    let muted_hit = found("eastern").await;
    assert!(muted_hit.comments[0].muted, "Grace muted Ada");
    store.close().await;
}

/// What the About page says of the database holds on either engine: the
/// newest migration applied, and a size that grows as the library does.
#[tokio::test]
async fn about_names_the_schema_and_the_size_on_either_engine() {
    let db = TestDb::new().await;
    let about = db.store.about().await.unwrap();
    let folder = match db.place {
        common::Place::File => "migrations",
        common::Place::Server(_) => "migrations/postgres",
    };
    let newest = newest_migration(folder);
    assert_eq!(about.schema_version, newest);
    assert!(about.database_bytes > 0, "{about:?}");
}

/// The version of the newest migration in `folder` (of this repository),
/// as its file name starts.
fn newest_migration(folder: &str) -> i64 {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let version = name.strip_suffix(".sql")?.split('_').next()?.to_owned();
            version.parse::<i64>().ok()
        })
        .max()
        .unwrap()
}
