//! Formatting, editing, deleting, voting, sorting, collapsing and "new":
//! each against a real SQLite file, with a clock the test moves.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::{expect, shape, text, TestDb};
use parley_core::accounts::User;
use parley_core::comments::{
    self, Removal, Sort, ThreadQuery, VoteChoice, EDIT_GRACE_MS, READING_SESSION_MS,
};
use parley_core::ids::{ArticleId, CommentId};
use parley_core::ErrorKind;

const MINUTE: i64 = 60_000;

fn bodies(page: &comments::ThreadPage) -> Vec<String> {
    page.comments.iter().map(text).collect()
}

#[tokio::test]
async fn markdown_is_rendered_once_when_posted() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let article = db.first_article().await;
    db.post(
        &ada,
        article,
        None,
        "**bold** and [a link](https://example.com/x)",
    )
    .await;
    let c = &db.thread(None, article, Sort::Oldest).await.comments[0];
    assert!(
        c.body_html.contains("<strong>bold</strong>"),
        "{}",
        c.body_html
    );
    assert!(
        c.body_html.contains(r#"href="https://example.com/x""#),
        "{}",
        c.body_html
    );
    assert!(
        c.body_html
            .contains(r#"rel="nofollow noopener noreferrer""#),
        "{}",
        c.body_html
    );
}

#[tokio::test]
async fn quick_fixes_replace_text_and_later_edits_keep_history() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = db.first_article().await;
    let id = db.post(&ada, article, None, "Helo").await;
    let posted_at = db.thread(None, article, Sort::Oldest).await.comments[0].created_at;

    // A typo fixed two minutes in: no history, no "edited".
    db.clock.advance(2 * MINUTE);
    comments::edit(&db.store, &ada, id, "Hello").await.unwrap();
    let c = db
        .thread(None, article, Sort::Oldest)
        .await
        .comments
        .remove(0);
    assert_eq!(text(&c), "Hello");
    assert_eq!(c.edited_at, None);
    assert_eq!(comments::history(&db.store, id).await.unwrap().len(), 1);

    // Past the grace window every edit keeps the version it replaces.
    db.clock.advance(EDIT_GRACE_MS);
    let first_edit = db.store.now();
    comments::edit(&db.store, &ada, id, "Hello, world")
        .await
        .unwrap();
    db.clock.advance(MINUTE);
    let second_edit = db.store.now();
    comments::edit(&db.store, &ada, id, "Hello, *everyone*")
        .await
        .unwrap();

    let c = db
        .thread(None, article, Sort::Oldest)
        .await
        .comments
        .remove(0);
    assert_eq!(c.edited_at, Some(second_edit));
    let history = comments::history(&db.store, id).await.unwrap();
    let versions: Vec<(&str, i64, bool)> = history
        .iter()
        .map(|r| (r.body_html.trim(), r.written_at, r.current))
        .collect();
    assert_eq!(
        versions,
        [
            ("<p>Hello, <em>everyone</em></p>", second_edit, true),
            ("<p>Hello, world</p>", first_edit, false),
            ("<p>Hello</p>", posted_at, false),
        ]
    );

    // Only the author edits; a bad edit changes nothing.
    let err = comments::edit(&db.store, &grace, id, "mine now")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    let err = comments::edit(&db.store, &ada, id, "   ")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let err = comments::edit(&db.store, &ada, CommentId::new(), "x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(comments::history(&db.store, id).await.unwrap(), history);
}

#[tokio::test]
async fn deleting_keeps_a_placeholder_only_while_replies_need_it() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = db.first_article().await;
    let root = db.post(&ada, article, None, "root").await;
    let reply = db.post(&grace, article, Some(root), "reply").await;
    let leaf = db.post(&ada, article, None, "leaf").await;

    let err = comments::delete(&db.store, &grace, root).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden, "only the author deletes");

    // A leaf simply goes.
    comments::delete(&db.store, &ada, leaf).await.unwrap();
    let page = db.thread(None, article, Sort::Oldest).await;
    assert_eq!(page.comment_count, 2);
    assert_eq!(bodies(&page), ["root", "reply"]);

    // A comment with a reply becomes a placeholder; the reply keeps its place.
    comments::delete(&db.store, &ada, root).await.unwrap();
    let page = db.thread(None, article, Sort::Oldest).await;
    assert_eq!(page.comment_count, 1, "placeholders are not counted");
    assert_eq!(db.articles().await[0].comment_count, 1);
    assert_eq!(page.comments.len(), 2);
    assert_eq!(page.comments[0].removed, Some(Removal::Author));
    assert_eq!(page.comments[0].body_html, "");
    assert_eq!(
        (page.comments[1].depth, text(&page.comments[1])),
        (1, "reply".into())
    );

    // Nothing more can happen to a placeholder.
    let err = comments::delete(&db.store, &ada, root).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = comments::post(&db.store, &grace, article, Some(root), "hi")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        comments::history(&db.store, root).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );

    // When its last reply goes, the placeholder goes too.
    comments::delete(&db.store, &grace, reply).await.unwrap();
    let page = db.thread(None, article, Sort::Oldest).await;
    assert!(page.comments.is_empty());
    assert_eq!(page.comment_count, 0);
}

#[tokio::test]
async fn one_vote_per_person_never_on_your_own() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let linus = db.account("linus", "Linus").await;
    let article = db.first_article().await;
    let id = db.post(&ada, article, None, "vote on me").await;

    let vote = |who: &User, choice| {
        let (store, who) = (db.store.clone(), who.clone());
        async move { comments::vote(&store, &who, id, choice).await }
    };
    assert_eq!(vote(&grace, VoteChoice::Up).await.unwrap().score, 1);
    assert_eq!(
        vote(&grace, VoteChoice::Up).await.unwrap().score,
        1,
        "again is not twice"
    );
    let changed = vote(&grace, VoteChoice::Down).await.unwrap();
    assert_eq!((changed.score, changed.my_vote), (-1, -1));
    assert_eq!(vote(&linus, VoteChoice::Down).await.unwrap().score, -2);
    let withdrawn = vote(&grace, VoteChoice::None).await.unwrap();
    assert_eq!((withdrawn.score, withdrawn.my_vote), (-1, 0));

    let err = vote(&ada, VoteChoice::Up).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    let err = comments::vote(&db.store, &grace, CommentId::new(), VoteChoice::Up)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);

    let seen_by_linus = db.thread(Some(&linus), article, Sort::Oldest).await;
    assert_eq!(
        (
            seen_by_linus.comments[0].score,
            seen_by_linus.comments[0].my_vote
        ),
        (-1, -1)
    );
    let seen_by_grace = db.thread(Some(&grace), article, Sort::Oldest).await;
    assert_eq!(seen_by_grace.comments[0].my_vote, 0);
}

/// r1..r4 at the top, c1..c3 replies to r2, with (up, down) votes chosen so
/// that every order differs:
///   r1 4/0 (score 4, Wilson .51)   r2 9/3 (6, .47)   r3 none   r4 3/2 (1, .23)
///   c1 0/2 (-2, 0)   c2 2/0 (2, .34)   c3 1/0 (1, .21)
async fn hand_built_tree(db: &TestDb) -> (ArticleId, User, Vec<CommentId>) {
    let author = db.account("author", "Author").await;
    let mut voters = Vec::new();
    for i in 0..12 {
        voters.push(
            db.account(&format!("voter{i}"), &format!("Voter {i}"))
                .await,
        );
    }
    let article = db.first_article().await;
    let r1 = db.post(&author, article, None, "r1").await;
    let r2 = db.post(&author, article, None, "r2").await;
    let r3 = db.post(&author, article, None, "r3").await;
    let r4 = db.post(&author, article, None, "r4").await;
    let c1 = db.post(&author, article, Some(r2), "c1").await;
    let c2 = db.post(&author, article, Some(r2), "c2").await;
    let c3 = db.post(&author, article, Some(r2), "c3").await;
    for (id, up, down) in [
        (r1, 4, 0),
        (r2, 9, 3),
        (r4, 3, 2),
        (c1, 0, 2),
        (c2, 2, 0),
        (c3, 1, 0),
    ] {
        for (i, voter) in voters.iter().enumerate().take(up + down) {
            let choice = if i < up {
                VoteChoice::Up
            } else {
                VoteChoice::Down
            };
            comments::vote(&db.store, voter, id, choice).await.unwrap();
        }
    }
    (article, author, vec![r1, r2, r3, r4, c1, c2, c3])
}

#[tokio::test]
async fn four_sort_orders_apply_at_every_level() {
    let db = TestDb::new().await;
    let (article, _, _) = hand_built_tree(&db).await;
    let order = |sort| {
        let db = &db;
        async move { bodies(&db.thread(None, article, sort).await) }
    };
    assert_eq!(
        order(Sort::Oldest).await,
        ["r1", "r2", "c1", "c2", "c3", "r3", "r4"]
    );
    assert_eq!(
        order(Sort::Newest).await,
        ["r4", "r3", "r2", "c3", "c2", "c1", "r1"]
    );
    assert_eq!(
        order(Sort::Top).await,
        ["r2", "c2", "c3", "c1", "r1", "r4", "r3"]
    );
    assert_eq!(
        order(Sort::Best).await,
        ["r1", "r2", "c2", "c3", "c1", "r4", "r3"]
    );
}

#[tokio::test]
async fn the_chosen_sort_is_remembered_per_person() {
    let db = TestDb::new().await;
    let (article, author, _) = hand_built_tree(&db).await;
    let reader = db.account("reader", "Reader").await;
    comments::set_preferred_sort(&db.store, &author, Sort::Newest)
        .await
        .unwrap();
    let db = db.reopen().await;
    let default = ThreadQuery::default();
    let page = comments::thread_page(&db.store, Some(&author), article, &default)
        .await
        .unwrap();
    assert_eq!(page.sort, Sort::Newest);
    assert_eq!(bodies(&page)[0], "r4");
    let page = comments::thread_page(&db.store, Some(&reader), article, &default)
        .await
        .unwrap();
    assert_eq!(page.sort, Sort::Best, "others keep the default");
    let page = comments::thread_page(&db.store, None, article, &default)
        .await
        .unwrap();
    assert_eq!(page.sort, Sort::Best);
}

#[tokio::test]
async fn collapsed_subtrees_are_remembered_per_person() {
    let db = TestDb::new().await;
    let (article, author, ids) = hand_built_tree(&db).await;
    let reader = db.account("reader", "Reader").await;
    let (r2, c2) = (ids[1], ids[5]);
    comments::set_collapsed(&db.store, &reader, r2, true)
        .await
        .unwrap();

    let page = db.thread(Some(&reader), article, Sort::Oldest).await;
    assert_eq!(bodies(&page), ["r1", "r2", "r3", "r4"]);
    assert_eq!(page.visible_count, 4);
    assert_eq!(page.comment_count, 7);
    let r2_entry = &page.comments[1];
    assert!(r2_entry.collapsed);
    assert_eq!(r2_entry.reply_count, 3, "for the \"3 more replies\" line");
    assert_eq!(
        bodies(&db.thread(Some(&author), article, Sort::Oldest).await).len(),
        7
    );

    // A link to a reply inside opens the way to it.
    let through = ThreadQuery {
        sort: Some(Sort::Oldest),
        through: Some(c2),
        ..ThreadQuery::default()
    };
    let page = comments::thread_page(&db.store, Some(&reader), article, &through)
        .await
        .unwrap();
    assert!(bodies(&page).contains(&"c2".to_owned()));

    // Signed-out readers keep theirs in the page, not the database.
    let query = ThreadQuery {
        sort: Some(Sort::Oldest),
        collapsed: vec![r2],
        ..ThreadQuery::default()
    };
    let page = comments::thread_page(&db.store, None, article, &query)
        .await
        .unwrap();
    assert_eq!(page.visible_count, 4);

    comments::set_collapsed(&db.store, &reader, r2, false)
        .await
        .unwrap();
    assert_eq!(
        db.thread(Some(&reader), article, Sort::Oldest)
            .await
            .visible_count,
        7
    );
}

#[tokio::test]
async fn comments_by_others_since_your_last_visit_are_new() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = db.first_article().await;
    let open = |who: &User| {
        let (store, who) = (db.store.clone(), who.clone());
        async move {
            comments::open_discussion(&store, Some(&who), article, &ThreadQuery::default())
                .await
                .unwrap()
        }
    };
    db.post(&ada, article, None, "before Grace came").await;

    db.clock.advance(MINUTE);
    let first_visit = open(&grace).await;
    db.clock.advance(READING_SESSION_MS);
    assert_eq!(first_visit.new_count, 0, "a first visit marks nothing");

    db.post(&ada, article, None, "one").await;
    db.post(&ada, article, None, "two").await;
    db.post(&grace, article, None, "Grace's own").await;
    let library = db.articles_for(&grace).await;
    assert_eq!(
        library.iter().find(|a| a.id == article).unwrap().new_count,
        2
    );
    assert!(
        db.articles_for(&ada).await.iter().all(|a| a.new_count == 0),
        "Ada never visited"
    );

    db.clock.advance(MINUTE);
    let second_visit = open(&grace).await;
    assert_eq!(second_visit.new_count, 2);
    let new: Vec<String> = second_visit
        .comments
        .iter()
        .filter(|c| c.is_new)
        .map(text)
        .collect();
    assert_eq!(new.len(), 2);
    assert!(new.contains(&"one".to_owned()) && new.contains(&"two".to_owned()));
    // Having opened it, nothing is new in the library; the marks stay
    // while this visit lasts (the next page load still shows them).
    assert_eq!(db.articles_for(&grace).await[0].new_count, 0);
    assert_eq!(
        db.thread(Some(&grace), article, Sort::Oldest)
            .await
            .new_count,
        2
    );

    // Opening it again soon after (back from "Replies to you") is the same
    // visit: the marks stay. After a while away, they are read.
    db.clock.advance(5 * MINUTE);
    assert_eq!(open(&grace).await.new_count, 2);
    db.clock.advance(READING_SESSION_MS);
    assert_eq!(open(&grace).await.new_count, 0);
}

#[tokio::test]
async fn replies_to_you_list_unread_first() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let linus = db.account("linus", "Linus").await;
    let article = db.first_article().await;
    let mine = db.post(&ada, article, None, "Ada's point").await;
    db.post(&grace, article, Some(mine), "from Grace").await;
    db.post(&linus, article, Some(mine), "from Linus").await;
    db.post(&ada, article, Some(mine), "Ada to herself").await;
    let gone = db.post(&grace, article, Some(mine), "deleted").await;
    comments::delete(&db.store, &grace, gone).await.unwrap();

    let replies = comments::replies_to_me(&db.store, &ada, 50).await.unwrap();
    let seen: Vec<(&str, bool)> = replies
        .iter()
        .map(|r| (r.author_name.as_str(), r.unread))
        .collect();
    assert_eq!(seen, [("Linus", true), ("Grace", true)]);
    assert!(replies
        .iter()
        .all(|r| r.article_id == article && !r.article_title.is_empty()));

    db.clock.advance(MINUTE);
    comments::open_discussion(&db.store, Some(&ada), article, &ThreadQuery::default())
        .await
        .unwrap();
    db.post(&grace, article, Some(mine), "newer").await;
    let replies = comments::replies_to_me(&db.store, &ada, 50).await.unwrap();
    let seen: Vec<(String, bool)> = replies
        .iter()
        .map(|r| (r.body_html.trim().to_owned(), r.unread))
        .collect();
    assert_eq!(
        seen,
        [
            ("<p>newer</p>".to_owned(), true),
            ("<p>from Linus</p>".to_owned(), false),
            ("<p>from Grace</p>".to_owned(), false),
        ]
    );
    assert!(comments::replies_to_me(&db.store, &grace, 50)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn long_threads_come_a_page_at_a_time() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let article = db.first_article().await;
    let mut ids = Vec::new();
    for i in 0..250 {
        ids.push(db.post(&ada, article, None, &format!("n{i}")).await);
    }
    let page = |offset, limit, through| {
        let store = db.store.clone();
        async move {
            let query = ThreadQuery {
                sort: Some(Sort::Oldest),
                offset,
                limit,
                through,
                ..ThreadQuery::default()
            };
            comments::thread_page(&store, None, article, &query)
                .await
                .unwrap()
        }
    };
    let first = page(0, 0, None).await;
    assert_eq!(
        (
            first.comments.len(),
            first.visible_count,
            first.comment_count
        ),
        (100, 250, 250)
    );
    assert_eq!(bodies(&first)[0], "n0");
    let last = page(200, 100, None).await;
    assert_eq!((last.offset, last.comments.len()), (200, 50));
    assert_eq!(bodies(&last)[49], "n249");
    let beyond = page(1000, 10, None).await;
    assert!(beyond.comments.is_empty());
    let through = page(0, 10, Some(ids[230])).await;
    assert_eq!(through.comments.len(), 231);
    assert_eq!(shape(&through)[230], expect(&[("Ada", 0, "n230")])[0]);
}

#[tokio::test]
async fn a_thread_read_once_follows_later_votes_posts_and_removals() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let article = db.first_article().await;
    let first = db.post(&ada, article, None, "first").await;
    let second = db.post(&ada, article, None, "second").await;
    assert_eq!(
        bodies(&db.thread(None, article, Sort::Top).await),
        ["first", "second"]
    );

    comments::vote(&db.store, &grace, second, VoteChoice::Up)
        .await
        .unwrap();
    assert_eq!(
        bodies(&db.thread(None, article, Sort::Top).await),
        ["second", "first"]
    );

    db.post(&grace, article, Some(first), "reply").await;
    assert_eq!(
        bodies(&db.thread(None, article, Sort::Top).await),
        ["second", "first", "reply"]
    );

    comments::delete(&db.store, &ada, second).await.unwrap();
    assert_eq!(
        bodies(&db.thread(None, article, Sort::Top).await),
        ["first", "reply"]
    );

    comments::edit(&db.store, &ada, first, "first, edited")
        .await
        .unwrap();
    assert_eq!(
        bodies(&db.thread(None, article, Sort::Top).await)[0],
        "first, edited"
    );
}
