//! When a session ends: a password change, a disable and a delete end every
//! session of that account at once, whatever happens after; idle time is
//! counted on a clock that setting the computer's clock cannot turn back.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::{new_account, password_for, TestDb};
use parley_core::accounts::User;
use parley_core::session::Session;
use parley_core::{accounts, admin, ErrorKind};

const MINUTE: i64 = 60 * 1000;

/// An admin, and a member signed in twice (two windows on one database).
async fn admin_and_member() -> (TestDb, User, Session, Session) {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    db.account("grace", "Grace").await;
    let first = Session::new();
    let second = Session::new();
    for session in [&first, &second] {
        session
            .sign_in(&db.store, "grace", password_for("grace"))
            .await
            .unwrap();
    }
    (db, ada, first, second)
}

async fn ended(db: &TestDb, session: &Session) -> bool {
    match session.actor(&db.store).await {
        Ok(_) => false,
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Unauthorized);
            true
        }
    }
}

#[tokio::test]
async fn disabling_ends_the_session_even_if_enabled_again_at_once() {
    let (db, ada, first, second) = admin_and_member().await;
    admin::disable(&db.store, &ada, "grace").await.unwrap();
    admin::enable(&db.store, &ada, "grace").await.unwrap();
    assert!(ended(&db, &first).await);
    assert!(ended(&db, &second).await);
    assert!(first.current_user(&db.store).await.unwrap().is_none());
    // Signing in again works as before.
    first
        .sign_in(&db.store, "grace", password_for("grace"))
        .await
        .unwrap();
    assert!(!ended(&db, &first).await);
}

#[tokio::test]
async fn a_password_change_ends_the_accounts_other_sessions() {
    let (db, _ada, first, second) = admin_and_member().await;
    first
        .change_password(
            &db.store,
            password_for("grace"),
            "a brand new passphrase".into(),
        )
        .await
        .unwrap();
    assert!(
        !ended(&db, &first).await,
        "the window that changed it carries on"
    );
    assert!(ended(&db, &second).await);
    // Changed behind every session's back (another copy of Parley on this
    // database): all of them end.
    let grace = first.actor(&db.store).await.unwrap();
    accounts::change_password(
        &db.store,
        &grace,
        "a brand new passphrase".into(),
        "yet another passphrase".into(),
        None,
    )
    .await
    .unwrap();
    assert!(ended(&db, &first).await);
}

#[tokio::test]
async fn deleting_an_account_ends_its_other_sessions() {
    let (db, _ada, first, second) = admin_and_member().await;
    first
        .delete_account(&db.store, password_for("grace"))
        .await
        .unwrap();
    assert!(ended(&db, &first).await);
    assert!(ended(&db, &second).await);
}

/// A fresh database with Ada signed up, and so signed in.
async fn ada_signed_in() -> (TestDb, Session) {
    let db = TestDb::new().await;
    let session = Session::new();
    session
        .create_account(&db.store, new_account("ada", "Ada"))
        .await
        .unwrap();
    (db, session)
}

#[tokio::test]
async fn setting_the_clock_back_does_not_extend_an_idle_session() {
    let (db, session) = ada_signed_in().await;
    db.clock.advance(25 * MINUTE);
    // Someone sets the computer's clock back an hour.
    db.clock.advance(-60 * MINUTE);
    db.clock.advance(6 * MINUTE);
    assert!(session.current_user(&db.store).await.unwrap().is_none());
    assert!(ended(&db, &session).await);
}

#[tokio::test]
async fn setting_the_clock_forward_does_not_end_an_active_session() {
    let (db, session) = ada_signed_in().await;
    db.clock.set_wall_clock(common::START + 24 * 60 * MINUTE);
    assert!(!ended(&db, &session).await);
}
