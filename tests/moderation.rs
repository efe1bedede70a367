//! What moderation and muting do to a discussion: a removal's placeholder,
//! a locked discussion, the pinned comment first, muted authors folded for
//! the one who muted them only.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::{expect, shape, TestDb};
use parley_core::comments::{self, Removal, Sort, VoteChoice};
use parley_core::{mutes, ErrorKind};

#[tokio::test]
async fn a_removed_comment_says_a_moderator_removed_it() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = db.first_article().await;
    let rude = db.post(&grace, article, None, "Something rude").await;
    db.post(&ada, article, Some(rude), "Please keep it civil.")
        .await;
    let leaf = db.post(&grace, article, None, "More of the same").await;

    comments::remove(&db.store, &ada, rude).await.unwrap();
    comments::remove(&db.store, &ada, leaf).await.unwrap();
    let page = db.thread(Some(&grace), article, Sort::Oldest).await;
    assert_eq!(page.comment_count, 1);
    assert_eq!(page.comments.len(), 2, "the leaf is gone, the parent stays");
    assert_eq!(page.comments[0].removed, Some(Removal::Moderator));
    assert_eq!(page.comments[0].body_html, "");
    assert_eq!(
        page.comments[0].source, None,
        "the author gets no text back"
    );
    let again = comments::remove(&db.store, &ada, rude).await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn a_locked_discussion_is_read_only_until_unlocked() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = db.first_article().await;
    let first = db.post(&grace, article, None, "Before the lock").await;
    let mine = db.post(&ada, article, None, "Mine").await;

    comments::set_locked(&db.store, &ada, article, true)
        .await
        .unwrap();
    assert!(db.thread(None, article, Sort::Oldest).await.locked);
    for refused in [
        comments::post(&db.store, &grace, article, None, "After")
            .await
            .map(drop),
        comments::post(&db.store, &ada, article, Some(first), "Even the admin")
            .await
            .map(drop),
        comments::edit(&db.store, &grace, first, "Changed").await,
        comments::vote(&db.store, &grace, mine, VoteChoice::Up)
            .await
            .map(drop),
    ] {
        let err = refused.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden);
        assert!(err.to_string().contains("locked"), "{err}");
    }
    // People can still take back what they wrote.
    comments::delete(&db.store, &grace, first).await.unwrap();
    assert_eq!(
        shape(&db.thread(None, article, Sort::Oldest).await),
        expect(&[("Ada", 0, "Mine")])
    );

    comments::set_locked(&db.store, &ada, article, false)
        .await
        .unwrap();
    assert!(!db.thread(None, article, Sort::Oldest).await.locked);
    db.post(&grace, article, None, "After the lock").await;
}

#[tokio::test]
async fn the_pinned_comment_comes_first_in_every_order() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = db.first_article().await;
    let old = db.post(&grace, article, None, "Old").await;
    let reply = db.post(&ada, article, Some(old), "Reply").await;
    let rules = db.post(&ada, article, None, "House rules").await;
    db.post(&grace, article, None, "New").await;

    comments::set_pinned(&db.store, &ada, rules, true)
        .await
        .unwrap();
    for sort in [Sort::Best, Sort::Top, Sort::Newest, Sort::Oldest] {
        let page = db.thread(Some(&grace), article, sort).await;
        assert_eq!(page.comments[0].id, rules, "{sort:?}");
        assert!(page.comments[0].pinned);
        assert_eq!(page.comments.iter().filter(|c| c.pinned).count(), 1);
    }
    let err = comments::set_pinned(&db.store, &ada, reply, true)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "replies are not pinned");

    // Pinning another replaces the pin; removing the pinned one unpins it.
    comments::set_pinned(&db.store, &ada, old, true)
        .await
        .unwrap();
    let page = db.thread(None, article, Sort::Newest).await;
    assert_eq!(
        shape(&page),
        expect(&[
            ("Grace", 0, "Old"),
            ("Ada", 1, "Reply"),
            ("Grace", 0, "New"),
            ("Ada", 0, "House rules"),
        ])
    );
    comments::remove(&db.store, &ada, old).await.unwrap();
    let page = db.thread(None, article, Sort::Newest).await;
    assert!(page.comments.iter().all(|c| !c.pinned));
    assert_eq!(page.comments[0].author_name, "Grace");
    assert_eq!(page.comments[0].removed, None, "New comes first again");
}

#[tokio::test]
async fn a_muted_author_is_folded_for_the_one_who_muted_them_only() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let linus = db.account("linus", "Linus").await;
    let article = db.first_article().await;
    let loud = db.post(&linus, article, None, "LOUD").await;
    db.post(&grace, article, Some(loud), "Calm reply").await;

    mutes::set_muted_by_comment(&db.store, &grace, loud, true)
        .await
        .unwrap();
    let for_grace = db.thread(Some(&grace), article, Sort::Oldest).await;
    assert!(for_grace.comments[0].author_muted);
    assert!(!for_grace.comments[1].author_muted);
    assert_eq!(
        shape(&for_grace),
        expect(&[("Linus", 0, "LOUD"), ("Grace", 1, "Calm reply")]),
        "the text is there for the one click that shows it"
    );
    let for_ada = db.thread(Some(&ada), article, Sort::Oldest).await;
    assert!(for_ada.comments.iter().all(|c| !c.author_muted));
    let muted = mutes::muted_people(&db.store, &grace).await.unwrap();
    assert_eq!(muted.len(), 1);
    assert_eq!(muted[0].display_name, "Linus");
    // Nor do Linus's replies call Grace to read them.
    let calm = for_grace.comments[1].id;
    db.post(&linus, article, Some(calm), "LOUDER").await;
    assert!(comments::replies_to_me(&db.store, &grace, 10)
        .await
        .unwrap()
        .is_empty());

    let own = db.post(&grace, article, None, "Me").await;
    let err = mutes::set_muted_by_comment(&db.store, &grace, own, true)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);

    // Unmuting is by the mute's own id, from the list; nobody else's mute
    // can be undone with it.
    let err = mutes::unmute(&db.store, &ada, muted[0].id)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    mutes::unmute(&db.store, &grace, muted[0].id).await.unwrap();
    let for_grace = db.thread(Some(&grace), article, Sort::Oldest).await;
    assert!(for_grace.comments.iter().all(|c| !c.author_muted));
    assert_eq!(
        comments::replies_to_me(&db.store, &grace, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}
