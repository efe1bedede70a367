//! Sessions kept in the database, as a server holds them: a token only its
//! client knows, kept as a hash; a list each person can read and prune;
//! and every way a session ends.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::{password_for, Engine, TestDb, V};
use parley_core::accounts::User;
use parley_core::session::stored::{self, Kind, Token};
use parley_core::{accounts, admin};

const DAY: i64 = 24 * 60 * 60 * 1000;

/// Signs `username` in from a server client labelled `label`.
async fn sign_in(db: &TestDb, username: &str, label: &str) -> (User, stored::Begun) {
    stored::sign_in(
        &db.store,
        username,
        password_for(username),
        Kind::Server,
        label,
    )
    .await
    .unwrap()
}

async fn resumes(db: &TestDb, token: &Token) -> Option<User> {
    stored::resume(&db.store, token, Some(30 * DAY))
        .await
        .unwrap()
        .map(|r| r.user)
}

fn sha256_hex(text: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn the_database_keeps_only_a_hash_of_the_token() {
    let db = TestDb::new().await;
    db.account("grace", "Grace").await;
    let (grace, begun) = sign_in(&db, "grace", "Parley on grace-laptop").await;
    let token = begun.token.reveal().to_owned();
    assert_eq!(token.len(), 64, "256 bits as hex");
    assert!(!format!("{:?}", begun.token).contains(&token));

    let hex = match common::engine() {
        Engine::Sqlite => "SELECT lower(hex(token_hash)) FROM sessions",
        Engine::Postgres => "SELECT encode(token_hash, 'hex') FROM sessions",
    };
    let stored_hash = db.raw_text(hex, &[]).await.unwrap();
    assert_eq!(stored_hash, sha256_hex(&token));
    let mentions = db
        .raw_i64(
            "SELECT count(*) FROM sessions WHERE label LIKE $1 OR kind LIKE $1",
            &[V::from(format!("%{token}%").as_str())],
        )
        .await;
    assert_eq!(mentions, 0);
    assert_eq!(resumes(&db, &begun.token).await.unwrap().id, grace.id);

    // Two sign-ins are two sessions with tokens of their own.
    let (_, again) = sign_in(&db, "grace", "Parley on grace-desktop").await;
    assert_ne!(again.token, begun.token);
    assert_ne!(again.id, begun.id);
}

#[tokio::test]
async fn a_token_that_is_not_one_is_never_looked_up() {
    let db = TestDb::new().await;
    for text in [
        "",
        "not a token",
        &"A".repeat(64),
        &"0".repeat(63),
        &"0".repeat(65),
        "'; DROP TABLE sessions; --",
    ] {
        assert!(Token::parse(text).is_none(), "{text:?}");
    }
    // Well formed but never handed out: nobody.
    let unknown = Token::parse(&"0".repeat(64)).unwrap();
    assert!(resumes(&db, &unknown).await.is_none());
}

#[tokio::test]
async fn a_wrong_password_begins_no_session() {
    let db = TestDb::new().await;
    db.account("grace", "Grace").await;
    let err = stored::sign_in(&db.store, "grace", "wrong!".into(), Kind::Server, "x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), parley_core::ErrorKind::BadCredentials);
    assert_eq!(db.raw_i64("SELECT count(*) FROM sessions", &[]).await, 0);
}

#[tokio::test]
async fn each_person_sees_and_ends_their_own_sessions_only() {
    let db = TestDb::new().await;
    db.account("grace", "Grace").await;
    db.account("ada", "Ada").await;
    let (grace, laptop) = sign_in(&db, "grace", "Parley on grace-laptop").await;
    db.clock.advance(5 * 60 * 1000);
    let (_, desktop) = sign_in(&db, "grace", "Parley on grace-desktop").await;
    db.clock.advance(5 * 60 * 1000);
    let (_, phone) = sign_in(&db, "grace", "Parley on a phone\n\u{7}").await;
    let (ada, ada_session) = sign_in(&db, "ada", "Ada's").await;

    let listed = stored::list(&db.store, &grace, laptop.id).await.unwrap();
    let labels: Vec<&str> = listed.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Parley on a phone",
            "Parley on grace-desktop",
            "Parley on grace-laptop"
        ],
        "most recently used first, control characters gone"
    );
    let current: Vec<bool> = listed.iter().map(|s| s.current).collect();
    assert_eq!(current, [false, false, true]);

    // Ada cannot end Grace's session, even knowing its id.
    assert!(!stored::end_one(&db.store, &ada, desktop.id).await.unwrap());
    assert!(resumes(&db, &desktop.token).await.is_some());
    // Grace can.
    assert!(stored::end_one(&db.store, &grace, desktop.id)
        .await
        .unwrap());
    assert!(resumes(&db, &desktop.token).await.is_none());
    assert!(!stored::end_one(&db.store, &grace, desktop.id)
        .await
        .unwrap());

    // "Sign out everywhere else".
    let ended = stored::end_others(&db.store, &grace, laptop.id)
        .await
        .unwrap();
    assert_eq!(ended, 1);
    assert!(resumes(&db, &phone.token).await.is_none());
    assert!(resumes(&db, &laptop.token).await.is_some());
    assert!(resumes(&db, &ada_session.token).await.is_some());
    assert_eq!(
        stored::list(&db.store, &grace, laptop.id)
            .await
            .unwrap()
            .len(),
        1
    );

    // Signing out ends it; twice is not an error.
    stored::end(&db.store, &laptop.token).await.unwrap();
    stored::end(&db.store, &laptop.token).await.unwrap();
    assert!(resumes(&db, &laptop.token).await.is_none());
}

#[tokio::test]
async fn a_session_idle_past_its_limit_ends_and_use_keeps_it_going() {
    let db = TestDb::new().await;
    db.account("grace", "Grace").await;
    let (_, begun) = sign_in(&db, "grace", "laptop").await;
    db.clock.advance(20 * DAY);
    assert!(resumes(&db, &begun.token).await.is_some(), "used on day 20");
    db.clock.advance(20 * DAY);
    assert!(
        resumes(&db, &begun.token).await.is_some(),
        "20 days after its last use, not its start"
    );
    db.clock.advance(30 * DAY);
    assert!(resumes(&db, &begun.token).await.is_none());
    assert_eq!(
        db.raw_i64("SELECT count(*) FROM sessions", &[]).await,
        0,
        "an idle session's row goes"
    );
}

#[tokio::test]
async fn a_password_change_keeps_the_session_that_made_it_and_ends_the_rest() {
    let db = TestDb::new().await;
    db.account("grace", "Grace").await;
    let (grace, here) = sign_in(&db, "grace", "here").await;
    let (_, there) = sign_in(&db, "grace", "there").await;
    accounts::change_password(
        &db.store,
        &grace,
        password_for("grace"),
        "a brand new passphrase".into(),
        Some(here.id),
    )
    .await
    .unwrap();
    assert!(resumes(&db, &here.token).await.is_some());
    assert!(resumes(&db, &there.token).await.is_none());
    let listed = stored::list(&db.store, &grace, here.id).await.unwrap();
    assert_eq!(listed.len(), 1);

    // Changed from nowhere in particular: every session ends.
    accounts::change_password(
        &db.store,
        &grace,
        "a brand new passphrase".into(),
        "yet another passphrase".into(),
        None,
    )
    .await
    .unwrap();
    assert!(resumes(&db, &here.token).await.is_none());
}

#[tokio::test]
async fn disabling_or_deleting_an_account_ends_its_sessions() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    db.account("grace", "Grace").await;
    db.account("alan", "Alan").await;
    let (_, grace) = sign_in(&db, "grace", "laptop").await;
    let (alan_user, alan) = sign_in(&db, "alan", "laptop").await;

    admin::disable(&db.store, &ada, "grace").await.unwrap();
    admin::enable(&db.store, &ada, "grace").await.unwrap();
    assert!(resumes(&db, &grace.token).await.is_none());

    accounts::delete_account(&db.store, &alan_user, password_for("alan"))
        .await
        .unwrap();
    assert!(resumes(&db, &alan.token).await.is_none());
    assert_eq!(db.raw_i64("SELECT count(*) FROM sessions", &[]).await, 0);
}

#[tokio::test]
async fn desktop_sessions_end_with_the_app_and_server_ones_do_not() {
    let db = TestDb::new().await;
    db.account("grace", "Grace").await;
    let window = parley_core::session::Session::new();
    window
        .sign_in(&db.store, "grace", password_for("grace"))
        .await
        .unwrap();
    let (_, client) = sign_in(&db, "grace", "laptop").await;
    assert_eq!(db.raw_i64("SELECT count(*) FROM sessions", &[]).await, 2);
    // The app starts again.
    stored::forget_desktop_sessions(&db.store).await.unwrap();
    assert!(window.current_user(&db.store).await.unwrap().is_none());
    assert!(resumes(&db, &client.token).await.is_some());
}
