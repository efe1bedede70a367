//! Who may join a server: the setup code for its first account, invites
//! for the rest, and the admin's choice of how people join.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::{new_account, TestDb};
use parley_core::accounts::{self, Role, User};
use parley_core::membership::{self, SignUp, Ticket};
use parley_core::{Error, ErrorKind};

const DAY: i64 = 24 * 60 * 60 * 1000;

async fn join(db: &TestDb, username: &str, ticket: Ticket<'_>) -> Result<User, Error> {
    accounts::join(&db.store, new_account(username, username), ticket).await
}

async fn accounts_made(db: &TestDb) -> i64 {
    db.raw_i64("SELECT count(*) FROM users", &[]).await
}

/// A server whose setup code was used by Ada, its admin.
async fn set_up_server() -> (TestDb, User) {
    let db = TestDb::empty().await;
    let code = membership::new_setup_code(&db.store)
        .await
        .unwrap()
        .unwrap();
    let ada = join(&db, "ada", Ticket::SetupCode(&code)).await.unwrap();
    (db, ada)
}

fn refused(result: Result<User, Error>, says: &str) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden, "{err}");
    assert!(err.to_string().contains(says), "{err}");
}

#[tokio::test]
async fn only_the_setup_code_makes_a_servers_first_account_and_only_once() {
    let db = TestDb::empty().await;
    let code = membership::new_setup_code(&db.store)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(code.len(), 24, "{code}");

    refused(join(&db, "mallory", Ticket::Nothing).await, "setup code");
    refused(
        join(
            &db,
            "mallory",
            Ticket::SetupCode("0000-0000-0000-0000-0000"),
        )
        .await,
        "not this server's",
    );
    refused(
        join(&db, "mallory", Ticket::SetupCode("guess")).await,
        "setup code",
    );
    refused(
        join(&db, "mallory", Ticket::Invite(&code)).await,
        "setup code",
    );
    assert_eq!(accounts_made(&db).await, 0);

    // Typed by hand, in lower case with spaces, it still works.
    let typed = code.to_lowercase().replace('-', " ");
    let ada = join(&db, "ada", Ticket::SetupCode(&typed)).await.unwrap();
    assert_eq!(ada.role, Role::Admin);
    // Used up: the second account cannot use it, nor get a new one.
    refused(
        join(&db, "mallory", Ticket::SetupCode(&code)).await,
        "invitation",
    );
    assert_eq!(membership::new_setup_code(&db.store).await.unwrap(), None);
    assert_eq!(accounts_made(&db).await, 1);
}

#[tokio::test]
async fn a_new_setup_code_replaces_the_last() {
    let db = TestDb::empty().await;
    let first = membership::new_setup_code(&db.store)
        .await
        .unwrap()
        .unwrap();
    let second = membership::new_setup_code(&db.store)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(first, second);
    refused(
        join(&db, "ada", Ticket::SetupCode(&first)).await,
        "not this server's",
    );
    join(&db, "ada", Ticket::SetupCode(&second)).await.unwrap();
}

#[tokio::test]
async fn a_refused_first_account_with_a_short_password_keeps_the_code() {
    let db = TestDb::empty().await;
    let code = membership::new_setup_code(&db.store)
        .await
        .unwrap()
        .unwrap();
    let mut new = new_account("ada", "Ada");
    new.password = "short pass".into();
    let err = accounts::join(&db.store, new, Ticket::SetupCode(&code))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    join(&db, "ada", Ticket::SetupCode(&code)).await.unwrap();
}

#[tokio::test]
async fn an_invite_lets_one_person_join_before_it_expires() {
    let (db, ada) = set_up_server().await;
    refused(join(&db, "grace", Ticket::Nothing).await, "invitation");

    let invite = membership::create_invite(&db.store, &ada, 7).await.unwrap();
    assert_eq!(invite.expires_at, db.store.now() + 7 * DAY);
    let grace = join(&db, "grace", Ticket::Invite(&invite.code))
        .await
        .unwrap();
    assert_eq!(grace.role, Role::Member);
    refused(
        join(&db, "alan", Ticket::Invite(&invite.code)).await,
        "already used",
    );

    let listed = membership::invites(&db.store, &ada).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].used_by.as_deref(), Some("grace"));
    assert!(listed[0].used_at.is_some());

    let later = membership::create_invite(&db.store, &ada, 1).await.unwrap();
    db.clock.advance(DAY);
    refused(
        join(&db, "alan", Ticket::Invite(&later.code)).await,
        "expired",
    );

    let withdrawn = membership::create_invite(&db.store, &ada, 1).await.unwrap();
    membership::withdraw_invite(&db.store, &ada, withdrawn.id)
        .await
        .unwrap();
    refused(
        join(&db, "alan", Ticket::Invite(&withdrawn.code)).await,
        "withdrawn",
    );
    let again = membership::withdraw_invite(&db.store, &ada, withdrawn.id).await;
    assert_eq!(again.unwrap_err().kind(), ErrorKind::NotFound);
    // The database keeps no code, only its hash.
    let kept = db
        .raw_i64(
            "SELECT count(*) FROM invites WHERE CAST(code_hash AS TEXT) = $1",
            &[invite.code.as_str().into()],
        )
        .await;
    assert_eq!(kept, 0);
    assert_eq!(accounts_made(&db).await, 2);
}

#[tokio::test]
async fn a_failed_join_does_not_use_the_invite_up() {
    let (db, ada) = set_up_server().await;
    let invite = membership::create_invite(&db.store, &ada, 7).await.unwrap();
    // The name is Ada's: refused, and the invite is still good.
    let err = join(&db, "ada", Ticket::Invite(&invite.code))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UsernameTaken);
    join(&db, "grace", Ticket::Invite(&invite.code))
        .await
        .unwrap();
}

#[tokio::test]
async fn invites_are_the_admins_alone() {
    let (db, ada) = set_up_server().await;
    let invite = membership::create_invite(&db.store, &ada, 7).await.unwrap();
    let grace = join(&db, "grace", Ticket::Invite(&invite.code))
        .await
        .unwrap();
    for err in [
        membership::create_invite(&db.store, &grace, 7)
            .await
            .map(drop),
        membership::invites(&db.store, &grace).await.map(drop),
        membership::withdraw_invite(&db.store, &grace, invite.id).await,
        membership::set_sign_up(&db.store, &grace, SignUp::Open).await,
    ] {
        assert_eq!(err.unwrap_err().kind(), ErrorKind::Forbidden);
    }
    for days in [0, 31] {
        let err = membership::create_invite(&db.store, &ada, days)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{days}");
    }
}

#[tokio::test]
async fn the_admin_chooses_open_or_closed_sign_up() {
    let (db, ada) = set_up_server().await;
    assert_eq!(
        membership::sign_up_setting(&db.store).await.unwrap(),
        SignUp::Invite,
        "invitation is the default"
    );
    membership::set_sign_up(&db.store, &ada, SignUp::Open)
        .await
        .unwrap();
    join(&db, "grace", Ticket::Nothing).await.unwrap();

    let invite = membership::create_invite(&db.store, &ada, 7).await.unwrap();
    membership::set_sign_up(&db.store, &ada, SignUp::Closed)
        .await
        .unwrap();
    refused(join(&db, "alan", Ticket::Nothing).await, "not taking");
    // An invite made before still works: the admin chose that person.
    join(&db, "alan", Ticket::Invite(&invite.code))
        .await
        .unwrap();
}

#[tokio::test]
async fn this_computer_keeps_the_desktops_rules() {
    let db = TestDb::empty().await;
    let ada = join(&db, "ada", Ticket::ThisComputer).await.unwrap();
    assert_eq!(ada.role, Role::Admin);
    join(&db, "grace", Ticket::ThisComputer).await.unwrap();
}
