//! What one person can learn about another through Parley: members see
//! display names, never sign-in usernames (those are half of what it takes
//! to sign in as someone), and a comment taken down no longer says who
//! wrote it.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::{new_account, TestDb};
use parley_core::comments::{self, Sort, ThreadQuery, MAX_PAGE};
use parley_core::session::Session;
use parley_core::{admin, articles, mutes};

const GRACE_LOGIN: &str = "grace_h_login";

#[tokio::test]
async fn no_read_a_member_can_make_returns_another_persons_username() {
    let db = TestDb::new().await;
    let ada = db.account("ada_admin_login", "Ada").await;
    let grace = db.account(GRACE_LOGIN, "Grace Hopper").await;
    let linus_session = Session::new();
    let linus = linus_session
        .create_account(&db.store, new_account("linus_login", "Linus"))
        .await
        .unwrap();
    let article = db.first_article().await;
    let mine = db.post(&linus, article, None, "Mine").await;
    let reply = db.post(&grace, article, Some(mine), "A reply").await;
    db.post(&ada, article, Some(reply), "Another").await;
    comments::edit(&db.store, &grace, reply, "A reply, edited")
        .await
        .unwrap();
    mutes::set_muted_by_comment(&db.store, &linus, reply, true)
        .await
        .unwrap();

    let mut seen = Vec::new();
    let mut record = |value: serde_json::Value| seen.push(value.to_string());
    record(json(
        &articles::list_articles(&db.store, Some(&linus))
            .await
            .unwrap(),
    ));
    record(json(&articles::article(&db.store, article).await.unwrap()));
    let query = ThreadQuery {
        sort: Some(Sort::Oldest),
        limit: MAX_PAGE,
        ..ThreadQuery::default()
    };
    record(json(
        &comments::open_discussion(&db.store, Some(&linus), article, &query)
            .await
            .unwrap(),
    ));
    record(json(
        &comments::replies_to_me(&db.store, &linus, 50)
            .await
            .unwrap(),
    ));
    record(json(&comments::history(&db.store, reply).await.unwrap()));
    record(json(&mutes::muted_people(&db.store, &linus).await.unwrap()));
    record(json(&admin::app_settings(&db.store).await.unwrap()));
    record(json(&linus_session.current_user(&db.store).await.unwrap()));
    // The admin's accounts list is the one place usernames appear, and a
    // member cannot read it.
    assert!(admin::list_accounts(&db.store, &linus).await.is_err());

    let everything = seen.join("\n");
    assert!(everything.contains("Grace Hopper"), "{everything}");
    for login in [GRACE_LOGIN, "ada_admin_login"] {
        assert!(
            !everything.contains(login),
            "a member saw {login}: {everything}"
        );
    }
}

#[tokio::test]
async fn a_deleted_or_removed_comment_no_longer_names_its_author() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Admin").await;
    let grace = db.account("grace", "Grace Hopper").await;
    let linus = db.account("linus", "Linus Torvalds").await;
    let article = db.first_article().await;
    let deleted = db.post(&grace, article, None, "Second thoughts").await;
    db.post(&ada, article, Some(deleted), "Reply to the deleted one")
        .await;
    let removed = db.post(&linus, article, None, "Rude").await;
    db.post(&ada, article, Some(removed), "Reply to the removed one")
        .await;
    comments::delete(&db.store, &grace, deleted).await.unwrap();
    comments::remove(&db.store, &ada, removed).await.unwrap();

    for viewer in [None, Some(&ada), Some(&grace), Some(&linus)] {
        let page = db.thread(viewer, article, Sort::Oldest).await;
        assert_eq!(page.comments.len(), 4);
        let text = json(&page).to_string();
        for name in ["Grace Hopper", "Linus Torvalds"] {
            assert!(!text.contains(name), "{name} named: {text}");
        }
        let placeholders: Vec<_> = page
            .comments
            .iter()
            .filter(|c| c.removed.is_some())
            .collect();
        assert_eq!(placeholders.len(), 2);
        for reply in page.comments.iter().filter(|c| c.depth == 1) {
            assert_ne!(reply.parent_author_name.as_deref(), Some("Grace Hopper"));
            assert_ne!(reply.parent_author_name.as_deref(), Some("Linus Torvalds"));
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap()
}

#[tokio::test]
async fn a_members_admin_attempts_answer_the_same_for_names_that_exist_and_not() {
    let db = TestDb::new().await;
    db.account("ada_admin_login", "Ada").await;
    db.account(GRACE_LOGIN, "Grace Hopper").await;
    let linus = db.account("linus_login", "Linus").await;
    for (name, attempt) in [("promote", 0), ("demote", 1), ("disable", 2), ("enable", 3)] {
        let mut answers = Vec::new();
        for username in [GRACE_LOGIN, "nobody_has_this_name"] {
            let result = match attempt {
                0 => admin::promote(&db.store, &linus, username).await,
                1 => admin::demote(&db.store, &linus, username).await,
                2 => admin::disable(&db.store, &linus, username).await,
                _ => admin::enable(&db.store, &linus, username).await,
            };
            let err = result.unwrap_err();
            answers.push((err.kind(), err.to_string()));
        }
        assert_eq!(answers[0], answers[1], "{name} tells which usernames exist");
    }
}

#[tokio::test]
async fn muting_by_a_deleted_comment_does_not_reveal_its_author() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace Hopper").await;
    let linus = db.account("linus", "Linus").await;
    let article = db.first_article().await;
    let gone = db.post(&grace, article, None, "Second thoughts").await;
    db.post(&ada, article, Some(gone), "Keeps the placeholder")
        .await;
    comments::delete(&db.store, &grace, gone).await.unwrap();

    let err = mutes::set_muted_by_comment(&db.store, &linus, gone, true)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), parley_core::ErrorKind::NotFound);
    assert!(mutes::muted_people(&db.store, &linus)
        .await
        .unwrap()
        .is_empty());
}

/// A private feed's address carries its key: whoever added it and the
/// admin see it whole; other members see its host and path with the
/// query masked, and cannot export it; nobody signed in sees addresses.
#[tokio::test]
async fn a_feeds_address_is_shown_whole_only_to_who_added_it_and_the_admin() {
    use parley_core::library::{opml, sources};
    let db = TestDb::new().await;
    let admin = db.account("admin_login", "The Admin").await;
    let ada = db.account("ada_login", "Ada").await;
    let grace = db.account(GRACE_LOGIN, "Grace").await;
    let private =
        url::Url::parse("https://feeds.example/private/atom?token=s3cret-key&user=ada").unwrap();
    let public = url::Url::parse("https://news.example/rss").unwrap();
    sources::subscribe(&db.store, &ada, &private, "Ada's private feed", None)
        .await
        .unwrap();
    sources::subscribe(&db.store, &grace, &public, "Public news", None)
        .await
        .unwrap();
    let seen = |listed: Vec<sources::Source>| {
        let mut all: Vec<(String, Option<String>)> =
            listed.into_iter().map(|s| (s.title, s.feed_url)).collect();
        all.sort();
        all
    };
    let whole = Some(private.to_string());
    let masked = Some("https://feeds.example/private/atom?token=•••&user=•••".to_owned());
    let news = Some(public.to_string());
    for (who, expected) in [
        (&ada, [whole.clone(), news.clone()]),
        (&admin, [whole.clone(), news.clone()]),
        (&grace, [masked, news.clone()]),
    ] {
        let listed = seen(sources::list(&db.store, Some(who)).await.unwrap());
        let addresses: Vec<Option<String>> = listed.into_iter().map(|(_, a)| a).collect();
        assert_eq!(addresses, expected, "as seen by {}", who.display_name);
    }
    let signed_out = seen(sources::list(&db.store, None).await.unwrap());
    assert!(
        signed_out.iter().all(|(_, a)| a.is_none()),
        "{signed_out:?}"
    );

    let exported = |who| {
        let store = db.store.clone();
        async move { String::from_utf8(opml::export(&store, who).await.unwrap()).unwrap() }
    };
    let by_grace = exported(&grace).await;
    assert!(!by_grace.contains("s3cret"), "{by_grace}");
    assert!(!by_grace.contains("feeds.example"), "{by_grace}");
    assert!(by_grace.contains("news.example/rss"), "{by_grace}");
    for who in [&ada, &admin] {
        let theirs = exported(who).await;
        assert!(theirs.contains("token=s3cret-key"), "{theirs}");
    }
}
