//! Accounts and sessions against a real SQLite file and real argon2.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::{new_account, password_for, TestDb};
use parley_core::accounts::{self, NewAccount, Role};
use parley_core::session::Session;
use parley_core::ErrorKind;

async fn user_count(db: &TestDb) -> usize {
    // Through the public API only: every account can sign in.
    let mut n = 0;
    for name in ["ada", "grace", "linus", "Ada", "margaret"] {
        if accounts::verify_credentials(&db.store, name, password_for(name))
            .await
            .is_ok()
        {
            n += 1;
        }
    }
    n
}

#[tokio::test]
async fn account_signs_in_with_its_password_and_stores_only_an_argon2id_hash() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    assert_eq!(ada.username, "ada");
    assert_eq!(ada.display_name, "Ada Lovelace");

    let signed_in = accounts::verify_credentials(&db.store, "ADA", password_for("ada"))
        .await
        .unwrap();
    assert_eq!(
        signed_in.id, ada.id,
        "usernames are case-insensitive at sign-in"
    );

    // Everything the database holds: the SQLite file and its journal, or
    // every user row as PostgreSQL writes it out.
    let raw = match db.place {
        common::Place::File => {
            db.store.close().await;
            let mut raw = std::fs::read(db.dir.path().join("parley.db")).unwrap();
            if let Ok(wal) = std::fs::read(db.dir.path().join("parley.db-wal")) {
                raw.extend(wal);
            }
            raw
        }
        common::Place::Server(_) => db
            .raw_text("SELECT string_agg(u::text, ' ') FROM users u", &[])
            .await
            .unwrap_or_default()
            .into_bytes(),
    };
    let contains = |needle: &[u8]| raw.windows(needle.len()).any(|w| w == needle);
    assert!(
        contains(b"$argon2id$v=19$m="),
        "a PHC argon2id string is stored"
    );
    assert!(
        !contains(password_for("ada").as_bytes()),
        "the password itself is not stored"
    );
}

#[tokio::test]
async fn first_account_is_admin_and_later_ones_are_members() {
    let db = TestDb::new().await;
    assert_eq!(db.account("ada", "Ada").await.role, Role::Admin);
    assert_eq!(db.account("grace", "Grace").await.role, Role::Member);
    assert_eq!(db.account("linus", "Linus").await.role, Role::Member);
}

#[tokio::test]
async fn two_first_sign_ups_at_once_make_exactly_one_admin() {
    let db = TestDb::new().await;
    let (a, b) = tokio::join!(
        accounts::create_account(&db.store, new_account("ada", "Ada")),
        accounts::create_account(&db.store, new_account("grace", "Grace")),
    );
    let roles = [a.unwrap().role, b.unwrap().role];
    assert_eq!(
        roles.iter().filter(|r| **r == Role::Admin).count(),
        1,
        "{roles:?}"
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let db = TestDb::new().await;
    db.account("ada", "Ada").await;
    let wrong = accounts::verify_credentials(&db.store, "ada", "not the password".into())
        .await
        .unwrap_err();
    let unknown = accounts::verify_credentials(&db.store, "nobody", "not the password".into())
        .await
        .unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::BadCredentials);
    assert_eq!(unknown.kind(), ErrorKind::BadCredentials);
    assert_eq!(wrong.to_string(), unknown.to_string());
}

#[tokio::test]
async fn duplicate_username_in_any_case_is_refused_and_changes_nothing() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let err = accounts::create_account(
        &db.store,
        NewAccount {
            username: "Ada".into(),
            display_name: "Impostor".into(),
            password: password_for("Ada"),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UsernameTaken);
    assert!(err.to_string().contains("taken"), "{err}");
    // The original account still signs in with its own password, unchanged.
    let still = accounts::verify_credentials(&db.store, "ada", password_for("ada"))
        .await
        .unwrap();
    assert_eq!(still, ada);
    assert_eq!(user_count(&db).await, 1);
}

#[tokio::test]
async fn bad_sign_up_fields_are_refused_with_a_message_and_nothing_is_saved() {
    let db = TestDb::new().await;
    let cases = [
        // The first account becomes the admin: 15 characters.
        ("ada", "Ada", "short", "at least 15 characters"),
        ("ada", "Ada", "ada", "at least 15 characters"),
        ("ada", "Ada", "fourteen chars", "at least 15 characters"),
        ("ada", "Ada", &"x".repeat(2000), "at most 1024 bytes"),
        ("a", "Ada", "long enough password", "3 to 32 characters"),
        (
            "ada lovelace",
            "Ada",
            "long enough password",
            "letters, digits",
        ),
        ("ada", "   ", "long enough password", "name others will see"),
        ("", "Ada", "long enough password", "Choose a username"),
    ];
    for (username, display_name, password, expected) in cases {
        let err = accounts::create_account(
            &db.store,
            NewAccount {
                username: username.into(),
                display_name: display_name.into(),
                password: password.into(),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{username:?} {password:?}");
        assert!(
            err.to_string().contains(expected),
            "{err} should mention {expected:?}"
        );
    }
    assert_eq!(user_count(&db).await, 0);
    // The next valid sign-up is still the first account, so still the admin.
    assert_eq!(db.account("ada", "Ada").await.role, Role::Admin);
}

#[tokio::test]
async fn the_session_knows_who_is_acting_and_forgets_on_sign_out() {
    let db = TestDb::new().await;
    let session = Session::new();
    assert_eq!(
        session.actor(&db.store).await.unwrap_err().kind(),
        ErrorKind::Unauthorized
    );

    let ada = session
        .create_account(&db.store, new_account("ada", "Ada"))
        .await
        .unwrap();
    assert_eq!(
        session.actor(&db.store).await.unwrap().id,
        ada.id,
        "signing up signs in"
    );

    session.sign_out(&db.store).await.unwrap();
    assert_eq!(session.current_user(&db.store).await.unwrap(), None);
    assert_eq!(
        session.actor(&db.store).await.unwrap_err().kind(),
        ErrorKind::Unauthorized
    );

    let grace = session
        .create_account(&db.store, new_account("grace", "Grace"))
        .await
        .unwrap();
    session.sign_out(&db.store).await.unwrap();
    let err = session
        .sign_in(&db.store, "grace", "wrong password!".into())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadCredentials);
    assert_eq!(
        session.current_user(&db.store).await.unwrap(),
        None,
        "a failed sign-in signs nobody in"
    );

    session
        .sign_in(&db.store, "ada", password_for("ada"))
        .await
        .unwrap();
    assert_eq!(session.actor(&db.store).await.unwrap().id, ada.id);
    session
        .sign_in(&db.store, "grace", password_for("grace"))
        .await
        .unwrap();
    assert_eq!(
        session.actor(&db.store).await.unwrap().id,
        grace.id,
        "switching user"
    );
}

#[tokio::test]
async fn accounts_survive_a_restart() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let db = db.reopen().await;
    let again = accounts::verify_credentials(&db.store, "ada", password_for("ada"))
        .await
        .unwrap();
    assert_eq!(again, ada);
    assert_eq!(db.account("grace", "Grace").await.role, Role::Member);
}

/// The PHC string stored for `username`, read straight from the file.
async fn stored_hash(db: &TestDb, username: &str) -> String {
    db.raw_text(
        "SELECT password_hash FROM users WHERE username = $1",
        &[username],
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn passwords_use_argon2id_at_64_mib_three_passes_one_lane() {
    let db = TestDb::new().await;
    db.account("ada", "Ada").await;
    let hash = stored_hash(&db, "ada").await;
    assert!(
        hash.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"),
        "{hash}"
    );
}

#[tokio::test]
async fn a_hash_with_older_settings_is_upgraded_at_the_next_sign_in() {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let old_params = argon2::Params::new(19_456, 2, 1, None).unwrap();
    let old = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        old_params,
    )
    .hash_password(
        password_for("ada").as_bytes(),
        &SaltString::generate(&mut OsRng),
    )
    .unwrap()
    .to_string();
    db.raw_exec(
        "UPDATE users SET password_hash = $1 WHERE username = 'ada'",
        &[(&old).into()],
    )
    .await;

    // A wrong password changes nothing.
    accounts::verify_credentials(&db.store, "ada", "wrong password".into())
        .await
        .unwrap_err();
    assert_eq!(stored_hash(&db, "ada").await, old);

    let started = std::time::Instant::now();
    let signed_in = accounts::verify_credentials(&db.store, "ada", password_for("ada"))
        .await
        .unwrap();
    eprintln!("sign-in with an upgrade took {:?}", started.elapsed());
    assert_eq!(signed_in.id, ada.id);
    let upgraded = stored_hash(&db, "ada").await;
    assert!(
        upgraded.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"),
        "{upgraded}"
    );

    // And the upgraded hash still signs in.
    let started = std::time::Instant::now();
    accounts::verify_credentials(&db.store, "ada", password_for("ada"))
        .await
        .unwrap();
    eprintln!("sign-in took {:?}", started.elapsed());
}

#[tokio::test]
async fn the_first_account_needs_an_admins_longer_password() {
    let db = TestDb::new().await;
    let twelve = |username: &str| NewAccount {
        username: username.into(),
        display_name: username.into(),
        password: "twelve chars".into(),
    };
    let err = accounts::create_account(&db.store, twelve("ada"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.to_string().contains("at least 15 characters"), "{err}");
    assert_eq!(user_count(&db).await, 0);

    let admin = db.account("grace", "Grace").await;
    assert_eq!(admin.role, Role::Admin);
    let member = accounts::create_account(&db.store, twelve("ada"))
        .await
        .unwrap();
    assert_eq!(member.role, Role::Member, "members need only 10");
}

#[tokio::test]
async fn long_unicode_passphrases_are_welcome_and_huge_ones_refused_before_hashing() {
    let db = TestDb::new().await;
    let passphrase = "ünïcödé wörds, spaces and ✓ symbols — sixty-four chars in all!!!";
    assert_eq!(passphrase.chars().count(), 64);
    let new = |username: &str, password: String| NewAccount {
        username: username.into(),
        display_name: username.into(),
        password,
    };
    accounts::create_account(&db.store, new("ada", passphrase.into()))
        .await
        .unwrap();
    accounts::verify_credentials(&db.store, "ada", passphrase.into())
        .await
        .unwrap();

    let huge = "x".repeat(2048);
    let started = std::time::Instant::now();
    let err = accounts::create_account(&db.store, new("grace", huge.clone()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.to_string().contains("at most 1024 bytes"), "{err}");
    let err = accounts::verify_credentials(&db.store, "ada", huge)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadCredentials);
    // Two refusals, no argon2 run: far below one hash's time.
    assert!(
        started.elapsed() < std::time::Duration::from_millis(100),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn after_five_failures_each_attempt_waits_longer_even_across_a_restart() {
    let db = TestDb::new().await;
    db.account("ada", "Ada").await;
    let attempt = |db: &TestDb, password: &str| {
        let (store, password) = (db.store.clone(), password.to_owned());
        async move { accounts::verify_credentials(&store, "ada", password).await }
    };
    for _ in 0..4 {
        let err = attempt(&db, "wrong password").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadCredentials);
    }
    // The fifth failure starts the waiting: 1 s, then 2 s, then 4 s.
    assert_eq!(
        attempt(&db, "wrong password").await.unwrap_err().kind(),
        ErrorKind::BadCredentials
    );
    let blocked = attempt(&db, &password_for("ada")).await.unwrap_err();
    assert_eq!(
        blocked.kind(),
        ErrorKind::TooManyAttempts,
        "even the right password waits"
    );
    assert!(blocked.to_string().contains("1 second"), "{blocked}");

    db.clock.advance(1_000);
    attempt(&db, "wrong password").await.unwrap_err();
    let db = db.reopen().await;
    let blocked = attempt(&db, "wrong password").await.unwrap_err();
    assert!(
        blocked.to_string().contains("2 seconds"),
        "a restart keeps the count: {blocked}"
    );
    db.clock.advance(2_000);
    attempt(&db, "wrong password").await.unwrap_err();
    assert!(attempt(&db, "x")
        .await
        .unwrap_err()
        .to_string()
        .contains("4 seconds"));

    // Much later, the right password works and the count starts again.
    db.clock.advance(60 * 60 * 1000);
    attempt(&db, &password_for("ada")).await.unwrap();
    for _ in 0..4 {
        assert_eq!(
            attempt(&db, "wrong password").await.unwrap_err().kind(),
            ErrorKind::BadCredentials
        );
    }
    attempt(&db, &password_for("ada")).await.unwrap();
}

#[tokio::test]
async fn the_wait_is_capped_at_fifteen_minutes() {
    let db = TestDb::new().await;
    db.account("ada", "Ada").await;
    // 1 s doubled ten times passes 15 minutes.
    for _ in 0..16 {
        db.clock.advance(16 * 60 * 1000);
        accounts::verify_credentials(&db.store, "ada", "wrong password".into())
            .await
            .unwrap_err();
    }
    let blocked = accounts::verify_credentials(&db.store, "ada", password_for("ada"))
        .await
        .unwrap_err();
    assert!(blocked.to_string().contains("15 minutes"), "{blocked}");
    db.clock.advance(15 * 60 * 1000);
    accounts::verify_credentials(&db.store, "ada", password_for("ada"))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_unknown_username_backs_off_exactly_like_a_real_one() {
    let db = TestDb::new().await;
    db.account("ada", "Ada").await;
    let mut answers = Vec::new();
    for name in ["ada", "nobody"] {
        let mut kinds = Vec::new();
        for _ in 0..6 {
            let err = accounts::verify_credentials(&db.store, name, "wrong password".into())
                .await
                .unwrap_err();
            kinds.push((err.kind(), err.to_string()));
        }
        answers.push(kinds);
    }
    assert_eq!(answers[0], answers[1], "nothing tells the two apart");
    assert_eq!(answers[0][5].0, ErrorKind::TooManyAttempts);
}

#[tokio::test]
async fn the_most_common_passwords_are_refused_in_any_letter_case() {
    let db = TestDb::new().await;
    db.account("ada", "Ada").await;
    for common in ["1234567890", "QwertyUiop", "password123", "basketball"] {
        let err = accounts::create_account(
            &db.store,
            NewAccount {
                username: "grace".into(),
                display_name: "Grace".into(),
                password: common.into(),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{common}");
        assert!(err.to_string().contains("most common"), "{common}: {err}");
    }
    assert_eq!(user_count(&db).await, 1);
}

#[tokio::test]
async fn a_burst_of_attempts_at_once_gets_no_more_guesses_than_one_by_one() {
    let db = TestDb::new().await;
    db.account("ada", "Ada").await;
    let attempts = (0..12).map(|i| {
        let store = db.store.clone();
        tokio::spawn(async move {
            accounts::verify_credentials(&store, "ada", format!("guess number {i}")).await
        })
    });
    let mut guessed = 0;
    for attempt in attempts {
        let err = attempt.await.unwrap().unwrap_err();
        match err.kind() {
            ErrorKind::BadCredentials => guessed += 1,
            ErrorKind::TooManyAttempts => {}
            other => panic!("unexpected {other:?}: {err}"),
        }
    }
    assert_eq!(guessed, 5, "only the free attempts are checked");
}

/// Puts a trigger on every write to the tables a sign-in might touch, each
/// running `action` (SQL, where `{what}` names the write).
async fn on_every_sign_in_write(db: &TestDb, when: &str, action: &str) -> sqlx::SqlitePool {
    let pool = db.raw_pool().await;
    for table in ["users", "sign_in_failures"] {
        for event in ["INSERT", "UPDATE", "DELETE"] {
            let action = action.replace("{what}", &format!("{event} {table}"));
            sqlx::query(&format!(
                "CREATE TRIGGER {when}_{table}_{event} {when} {event} ON {table}
                 BEGIN {action}; END"
            ))
            .execute(&pool)
            .await
            .unwrap();
        }
    }
    pool
}

#[tokio::test]
async fn signing_in_writes_nothing_when_nothing_changed_and_a_full_disk_does_not_stop_it() {
    if common::sqlite_only("SQLite triggers stand in for a full disk and log writes") {
        return;
    }
    let db = TestDb::new().await;
    db.account("ada", "Ada Lovelace").await;
    db.account("grace", "Grace").await;
    // One failed attempt leaves a count that a success would clear.
    accounts::verify_credentials(&db.store, "grace", "not the password".into())
        .await
        .unwrap_err();
    // Every write to that bookkeeping now fails, as on a full disk.
    on_every_sign_in_write(
        &db,
        "BEFORE",
        "SELECT RAISE(ABORT, 'database or disk is full')",
    )
    .await;

    let ada = accounts::verify_credentials(&db.store, "ada", password_for("ada"))
        .await
        .unwrap();
    assert_eq!(ada.display_name, "Ada Lovelace");
    // Clearing Grace's failed attempt cannot be saved: she still gets in.
    let grace = accounts::verify_credentials(&db.store, "grace", password_for("grace"))
        .await
        .unwrap();
    assert_eq!(grace.display_name, "Grace");
    let session = Session::new();
    session
        .sign_in(&db.store, "ada", password_for("ada"))
        .await
        .unwrap();
    session.actor(&db.store).await.unwrap();
}

#[tokio::test]
async fn a_sign_in_that_changes_nothing_writes_nothing() {
    if common::sqlite_only("SQLite triggers stand in for a full disk and log writes") {
        return;
    }
    let db = TestDb::new().await;
    db.account("ada", "Ada Lovelace").await;
    let pool = db.raw_pool().await;
    sqlx::query("CREATE TABLE write_log (what TEXT)")
        .execute(&pool)
        .await
        .unwrap();
    on_every_sign_in_write(&db, "AFTER", "INSERT INTO write_log VALUES ('{what}')").await;
    for _ in 0..3 {
        accounts::verify_credentials(&db.store, "ada", password_for("ada"))
            .await
            .unwrap();
    }
    let writes: Vec<String> = sqlx::query_scalar("SELECT what FROM write_log")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(writes, Vec::<String>::new());
}
