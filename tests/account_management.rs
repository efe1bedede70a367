//! What people do with their accounts and what the admin does with
//! everyone's: idle sessions ending, names and passwords changing, accounts
//! deleted, disabled, promoted and demoted. Real SQLite, real argon2, and a
//! clock that moves only when the test says so.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::{expect, new_account, password_for, shape, TestDb};
use parley_core::accounts::{self, NewAccount, Role, User, DELETED_USER};
use parley_core::admin;
use parley_core::comments::Sort;
use parley_core::session::Session;
use parley_core::ErrorKind;

const MINUTE: i64 = 60 * 1000;

/// A database with an admin (Ada) and a member (Grace), each with a session.
async fn ada_and_grace() -> (TestDb, Session, User, Session, User) {
    let db = TestDb::new().await;
    let ada_session = Session::new();
    let ada = ada_session
        .create_account(&db.store, new_account("ada", "Ada Lovelace"))
        .await
        .unwrap();
    let grace_session = Session::new();
    let grace = grace_session
        .create_account(&db.store, new_account("grace", "Grace Hopper"))
        .await
        .unwrap();
    (db, ada_session, ada, grace_session, grace)
}

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes_and_activity_keeps_it_going() {
    let db = TestDb::new().await;
    let session = Session::new();
    session
        .create_account(&db.store, new_account("ada", "Ada"))
        .await
        .unwrap();

    // Doing something every 29 minutes keeps the session for hours.
    for _ in 0..6 {
        db.clock.advance(29 * MINUTE);
        session.actor(&db.store).await.unwrap();
    }
    // Asking who is signed in (what the UI polls with) is not activity.
    db.clock.advance(20 * MINUTE);
    assert!(session.current_user(&db.store).await.unwrap().is_some());
    db.clock.advance(10 * MINUTE);
    assert_eq!(
        session.actor(&db.store).await.unwrap_err().kind(),
        ErrorKind::Unauthorized
    );
    assert!(session.current_user(&db.store).await.unwrap().is_none());
    // Ended means ended: time going back or activity does not revive it.
    assert!(session.viewer(&db.store).await.unwrap().is_none());

    // Signing in again starts a new session.
    session
        .sign_in(&db.store, "ada", password_for("ada"))
        .await
        .unwrap();
    session.actor(&db.store).await.unwrap();
}

#[tokio::test]
async fn the_admin_chooses_the_idle_time_out() {
    let (db, ada_session, ada, grace_session, grace) = ada_and_grace().await;
    assert_eq!(
        admin::app_settings(&db.store)
            .await
            .unwrap()
            .idle_timeout_minutes,
        30
    );
    let err = admin::set_idle_timeout(&db.store, &grace, 5)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    for bad in [0, 1441] {
        let err = admin::set_idle_timeout(&db.store, &ada, bad)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{bad}");
    }
    admin::set_idle_timeout(&db.store, &ada, 5).await.unwrap();
    let db = db.reopen().await;
    db.clock.advance(4 * MINUTE);
    ada_session.actor(&db.store).await.unwrap();
    db.clock.advance(MINUTE);
    // Grace was idle for 5 minutes, Ada for 1.
    assert_eq!(
        grace_session.actor(&db.store).await.unwrap_err().kind(),
        ErrorKind::Unauthorized
    );
    ada_session.actor(&db.store).await.unwrap();
}

#[tokio::test]
async fn people_change_their_display_name_and_password() {
    let (db, _, ada, _, grace) = ada_and_grace().await;
    let renamed = accounts::set_display_name(&db.store, &grace, "  Admiral Hopper ")
        .await
        .unwrap();
    assert_eq!(renamed.display_name, "Admiral Hopper");
    let err = accounts::set_display_name(&db.store, &grace, "   ")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);

    // The current password is asked for, and a wrong one changes nothing.
    let err = accounts::change_password(
        &db.store,
        &grace,
        "not my password".into(),
        "a brand new passphrase".into(),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    // The new one follows the rules.
    let err = accounts::change_password(
        &db.store,
        &grace,
        password_for("grace"),
        "password123".into(),
        None,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("most common"), "{err}");
    accounts::change_password(
        &db.store,
        &grace,
        password_for("grace"),
        "a brand new passphrase".into(),
        None,
    )
    .await
    .unwrap();
    let old = accounts::verify_credentials(&db.store, "grace", password_for("grace")).await;
    assert_eq!(old.unwrap_err().kind(), ErrorKind::BadCredentials);
    let signed_in =
        accounts::verify_credentials(&db.store, "grace", "a brand new passphrase".into())
            .await
            .unwrap();
    assert_eq!(signed_in.display_name, "Admiral Hopper");

    // An admin's new password needs 15 characters.
    let err = accounts::change_password(
        &db.store,
        &ada,
        password_for("ada"),
        "ten chars!".into(),
        None,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("at least 15"), "{err}");
}

#[tokio::test]
async fn deleting_an_account_keeps_the_thread_and_its_shape() {
    let (db, ada_session, ada, grace_session, grace) = ada_and_grace().await;
    let article = db.first_article().await;
    let question = db.post(&grace, article, None, "Who keeps the index?").await;
    db.post(&ada, article, Some(question), "The library does.")
        .await;
    let thanks = db.post(&grace, article, Some(question), "Thanks!").await;
    db.post(&ada, article, Some(thanks), "Any time.").await;
    let before = db.thread(None, article, Sort::Oldest).await;

    let err = grace_session
        .delete_account(&db.store, "wrong password".into())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    grace_session
        .delete_account(&db.store, password_for("grace"))
        .await
        .unwrap();
    assert!(grace_session
        .current_user(&db.store)
        .await
        .unwrap()
        .is_none());

    let after = db.thread(Some(&ada), article, Sort::Oldest).await;
    assert_eq!(
        shape(&after),
        expect(&[
            (DELETED_USER, 0, "Who keeps the index?"),
            ("Ada Lovelace", 1, "The library does."),
            (DELETED_USER, 1, "Thanks!"),
            ("Ada Lovelace", 2, "Any time."),
        ])
    );
    assert_eq!(after.comment_count, before.comment_count);
    assert_eq!(
        after.comments[3].parent_author_name.as_deref(),
        Some(DELETED_USER)
    );
    // The account is gone: no sign-in, not listed, its name free again.
    let gone = accounts::verify_credentials(&db.store, "grace", password_for("grace")).await;
    assert_eq!(gone.unwrap_err().kind(), ErrorKind::BadCredentials);
    let listed = admin::list_accounts(&db.store, &ada).await.unwrap();
    assert_eq!(listed.len(), 1);
    let newcomer = accounts::create_account(&db.store, new_account("grace", "Another Grace"))
        .await
        .unwrap();
    assert_ne!(newcomer.id, grace.id);
    let page = db.thread(Some(&ada), article, Sort::Oldest).await;
    assert_eq!(page.comments[0].author_name, DELETED_USER);

    // The only admin cannot leave without naming another.
    let err = ada_session
        .delete_account(&db.store, password_for("ada"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert!(ada_session.actor(&db.store).await.is_ok());
}

#[tokio::test]
async fn the_last_admin_can_be_neither_demoted_nor_disabled() {
    let (db, ada_session, ada, _, grace) = ada_and_grace().await;
    for result in [
        admin::demote(&db.store, &ada, "ada").await,
        admin::disable(&db.store, &ada, "ada").await,
    ] {
        let kind = result.unwrap_err().kind();
        assert!(
            matches!(kind, ErrorKind::Forbidden | ErrorKind::Invalid),
            "{kind:?}"
        );
    }
    // With a second admin, one can step down, and then the other cannot.
    admin::promote(&db.store, &ada, "grace").await.unwrap();
    let grace = accounts::user_by_id(&db.store, grace.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(grace.role, Role::Admin);
    admin::demote(&db.store, &grace, "ada").await.unwrap();
    let ada = ada_session.actor(&db.store).await.unwrap();
    assert_eq!(
        ada.role,
        Role::Member,
        "the session sees the new role at once"
    );
    let err = admin::demote(&db.store, &grace, "grace").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert!(err.to_string().contains("at least one admin"), "{err}");
    let err = admin::disable(&db.store, &ada, "grace").await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Forbidden,
        "Ada is no longer an admin"
    );
}

#[tokio::test]
async fn a_member_becomes_admin_only_with_an_admins_password_length() {
    let (db, _, ada, _, _) = ada_and_grace().await;
    // "ten chars!" is long enough for a member, not for an admin.
    accounts::create_account(
        &db.store,
        NewAccount {
            username: "margaret".into(),
            display_name: "Margaret".into(),
            password: "ten chars!".into(),
        },
    )
    .await
    .unwrap();
    let err = admin::promote(&db.store, &ada, "margaret")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.to_string().contains("at least 15"), "{err}");
    let margaret = accounts::verify_credentials(&db.store, "margaret", "ten chars!".into())
        .await
        .unwrap();
    accounts::change_password(
        &db.store,
        &margaret,
        "ten chars!".into(),
        "fifteen characters".into(),
        None,
    )
    .await
    .unwrap();
    admin::promote(&db.store, &ada, "margaret").await.unwrap();
    let err = admin::promote(&db.store, &ada, "nobody").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_and_its_session_ends() {
    let (db, _, ada, grace_session, _) = ada_and_grace().await;
    admin::disable(&db.store, &ada, "Grace").await.unwrap();
    assert_eq!(
        grace_session.actor(&db.store).await.unwrap_err().kind(),
        ErrorKind::Unauthorized
    );
    // A wrong password still gets the usual answer; only the right one
    // learns that the account is disabled.
    let wrong = accounts::verify_credentials(&db.store, "grace", "wrong password".into()).await;
    assert_eq!(wrong.unwrap_err().kind(), ErrorKind::BadCredentials);
    let right = grace_session
        .sign_in(&db.store, "grace", password_for("grace"))
        .await
        .unwrap_err();
    assert_eq!(right.kind(), ErrorKind::Forbidden);
    assert!(right.to_string().contains("disabled"), "{right}");
    let listed = admin::list_accounts(&db.store, &ada).await.unwrap();
    assert!(listed.iter().any(|a| a.username == "grace" && a.disabled));

    admin::enable(&db.store, &ada, "grace").await.unwrap();
    grace_session
        .sign_in(&db.store, "grace", password_for("grace"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_role_taken_away_counts_at_once_even_for_a_user_read_before() {
    let (db, _, ada, _, grace) = ada_and_grace().await;
    admin::promote(&db.store, &ada, "grace").await.unwrap();
    let grace_as_admin = accounts::user_by_id(&db.store, grace.id)
        .await
        .unwrap()
        .unwrap();
    admin::demote(&db.store, &ada, "grace").await.unwrap();
    // `grace_as_admin` still says admin; the database no longer does.
    assert_eq!(grace_as_admin.role, Role::Admin);
    let err = admin::disable(&db.store, &grace_as_admin, "ada")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    let article = db.first_article().await;
    let err = parley_core::comments::set_locked(&db.store, &grace_as_admin, article, true)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);

    // And a disabled account read before it was disabled cannot write.
    admin::disable(&db.store, &ada, "grace").await.unwrap();
    let err = parley_core::comments::post(&db.store, &grace, article, None, "Still here?")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
}
