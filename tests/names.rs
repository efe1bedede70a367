//! Names people choose: usernames compare as one normalised key, so no
//! spelling of a name gets past its sign-in back-off or takes someone
//! else's; display names cannot hide characters, pose as Parley's own
//! placeholders or copy another person's name.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::{new_account, password_for, TestDb};
use parley_core::accounts::{self, FREE_ATTEMPTS};
use parley_core::{Error, ErrorKind};

fn kind<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrorKind {
    result.unwrap_err().kind()
}

#[tokio::test]
async fn every_failed_attempt_on_an_existing_account_counts_however_the_name_is_typed() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let ivan = db.account("ivan", "Ivan").await;
    // An account from before names were normalised: "İvan", whose
    // lower-case form ("i" + a combining dot) is not itself a username.
    db.raw_exec(
        "UPDATE users SET username = 'İvan', username_key = 'i̇van' WHERE id = $1",
        &[common::id(ivan.id)],
    )
    .await;
    let db = db.reopen().await;

    // Each spelling reaches the account; every wrong password counts
    // towards the same back-off.
    let spellings = ["İvan", "i\u{307}van", "İVAN", "I\u{307}van", "i\u{307}VAN"];
    for attempt in 0..FREE_ATTEMPTS {
        let typed = spellings[attempt as usize % spellings.len()];
        let result = accounts::verify_credentials(&db.store, typed, "wrong guess 123".into()).await;
        assert_eq!(kind(result), ErrorKind::BadCredentials, "{typed}");
    }
    for typed in spellings {
        let result = accounts::verify_credentials(&db.store, typed, "wrong guess 456".into()).await;
        assert_eq!(kind(result), ErrorKind::TooManyAttempts, "{typed}");
    }
}

#[tokio::test]
async fn a_username_whose_normalised_form_is_not_a_username_is_refused() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let err = accounts::create_account(&db.store, new_account("İvan", "Ivan"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.to_string().contains("username"), "{err}");
    // Plain letters from any script are fine.
    db.account("Łukasz", "Łukasz").await;
    db.account("Ωmega", "Omega").await;
}

#[tokio::test]
async fn usernames_compare_after_compatibility_normalisation_and_full_case_folding() {
    let db = TestDb::new().await;
    db.account("ada", "Ada").await;
    db.account("strasse", "Strasse").await;
    for taken in ["ＡＤＡ", "ａｄａ", "ADA", "Straße", "STRASSE"] {
        let result = accounts::create_account(&db.store, new_account(taken, "Someone")).await;
        assert_eq!(kind(result), ErrorKind::UsernameTaken, "{taken}");
    }
    // Signing in takes any of those spellings, with the account's password.
    for typed in ["ＡＤＡ", "Ada"] {
        let user = accounts::verify_credentials(&db.store, typed, password_for("ada"))
            .await
            .unwrap();
        assert_eq!(user.username, "ada");
    }
    let user = accounts::verify_credentials(&db.store, "Straße", password_for("strasse"))
        .await
        .unwrap();
    assert_eq!(user.username, "strasse");
}

#[tokio::test]
async fn display_names_cannot_hide_characters_or_reorder_text() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    for hidden in [
        "Ada\u{200B}Lovelace",      // zero-width space
        "Ada\u{2060}",              // word joiner
        "\u{FEFF}Ada",              // byte order mark
        "Ada \u{202E}ecalevol",     // right-to-left override
        "\u{2067}Ada\u{2069}",      // right-to-left isolate
        "Ada\u{200F}",              // right-to-left mark
        "\u{3164}",                 // Hangul filler: a letter that shows nothing
        "Ada\u{E0041}",             // tag character
        "\u{200B}\u{200B}\u{200B}", // nothing visible at all
    ] {
        let result = accounts::create_account(&db.store, new_account("someone", hidden)).await;
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{hidden:?}");
    }
    // Joiners that scripts need between letters stay allowed.
    let persian = "می\u{200C}خواهم";
    let user = accounts::create_account(&db.store, new_account("persian", persian))
        .await
        .unwrap();
    assert_eq!(user.display_name, persian);
}

#[tokio::test]
async fn display_names_cannot_pose_as_parleys_placeholders_in_any_brackets() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    for fake in [
        "[deleted user]",
        "［deleted user］",
        "(deleted user)",
        "【Deleted User】",
        "⟦deleted⟧",
        "{removed by moderator}",
        "〔removed by moderator〕",
        "deleted user",
        "[Anything in brackets]",
    ] {
        let result = accounts::create_account(&db.store, new_account("someone", fake)).await;
        assert_eq!(kind(result), ErrorKind::Invalid, "{fake}");
    }
    let ok = accounts::create_account(&db.store, new_account("someone", "Ada (she/her)"))
        .await
        .unwrap();
    assert_eq!(ok.display_name, "Ada (she/her)");
}

#[tokio::test]
async fn a_display_name_in_use_is_refused_and_names_are_stored_normalised() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    for copy in [
        "Ada Lovelace",
        "ada lovelace",
        "ＡＤＡ ＬＯＶＥＬＡＣＥ",
        "Ada  Lovelace",
    ] {
        let err = accounts::create_account(&db.store, new_account("copycat", copy))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{copy}");
        assert!(err.to_string().contains("already"), "{copy}: {err}");
    }
    let grace = db.account("grace", "Grace Hopper").await;
    let err = accounts::set_display_name(&db.store, &grace, "ADA LOVELACE")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already"), "{err}");
    // Changing the letter case of one's own name is not a copy.
    let renamed = accounts::set_display_name(&db.store, &ada, "ada lovelace")
        .await
        .unwrap();
    assert_eq!(renamed.display_name, "ada lovelace");
    // Compatibility forms are stored as their plain equivalents.
    let linus = db.account("linus", "Ｌｉｎｕｓ").await;
    assert_eq!(linus.display_name, "Linus");
}

#[tokio::test]
async fn two_old_accounts_whose_names_now_compare_equal_both_still_sign_in() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    db.account("strasse", "Strasse").await;
    let old = db.account("strasze", "Old Account").await;
    // Made before names were normalised: "Straße" had the key "straße".
    db.raw_exec(
        "UPDATE users SET username = 'Straße', username_key = 'straße' WHERE id = $1",
        &[common::id(old.id)],
    )
    .await;
    let db = db.reopen().await;
    let db = db.reopen().await;

    let user = accounts::verify_credentials(&db.store, "Straße", password_for("strasze"))
        .await
        .unwrap();
    assert_eq!(user.id, old.id);
    let user = accounts::verify_credentials(&db.store, "strasse", password_for("strasse"))
        .await
        .unwrap();
    assert_eq!(user.username, "strasse");
}
