//! The rules that check and then act, tried by many people at once: each
//! attempt is its own task on its own connection from the pool, all
//! started together, and the rule must hold whatever order they land in.
//! (On SQLite a write transaction takes the write lock at once; these
//! tests are what will hold a second engine to the same.)
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use parley_core::accounts::{self, Role};
use parley_core::clock::{Clock, Millis};
use parley_core::library::files;
use parley_core::{admin, comments, samples, ErrorKind};

use crate::common::{self, new_account, password_for, TestDb, START};

/// How many attempts race in each test.
const RACERS: usize = 8;

/// Runs `attempt(i)` for every i in 0..RACERS at once, each in its own
/// task, and returns what each gave.
async fn race<T, F, Fut>(attempt: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    // Every attempt waits at the barrier, so they start together rather
    // than in the order they were spawned.
    let start = Arc::new(tokio::sync::Barrier::new(RACERS));
    let tasks: Vec<_> = (0..RACERS)
        .map(|i| {
            let (start, attempt) = (start.clone(), attempt(i));
            tokio::spawn(async move {
                start.wait().await;
                attempt.await
            })
        })
        .collect();
    let mut done = Vec::new();
    for task in tasks {
        done.push(task.await.unwrap());
    }
    done
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn people_signing_up_at_once_on_a_new_computer_make_exactly_one_admin() {
    let db = TestDb::new().await;
    let made = race(|i| {
        let store = db.store.clone();
        async move {
            accounts::create_account(
                &store,
                new_account(&format!("reader{i}"), &format!("Reader {i}")),
            )
            .await
        }
    })
    .await;
    let users: Vec<_> = made.into_iter().map(|m| m.unwrap()).collect();
    let admins = users.iter().filter(|u| u.role == Role::Admin).count();
    assert_eq!(admins, 1, "{users:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn admins_stepping_down_at_once_always_leave_one() {
    let db = TestDb::new().await;
    let mut admins = Vec::new();
    for i in 0..RACERS {
        admins.push(
            db.account(&format!("admin{i}"), &format!("Admin {i}"))
                .await,
        );
    }
    for admin_user in &admins[1..] {
        admin::promote(&db.store, &admins[0], &admin_user.username)
            .await
            .unwrap();
    }
    let admins = Arc::new(admins);
    // Every admin steps down at once.
    let outcomes = race(|i| {
        let (store, admins) = (db.store.clone(), admins.clone());
        async move {
            let me = &admins[i];
            admin::demote(&store, me, &me.username).await
        }
    })
    .await;
    let refused = outcomes.iter().filter(|o| o.is_err()).count();
    assert_eq!(refused, 1, "{outcomes:?}");
    // The one refused is the admin left, and can still list the accounts.
    let last = outcomes.iter().position(|o| o.is_err()).unwrap();
    let listed = admin::list_accounts(&db.store, &admins[last])
        .await
        .unwrap();
    assert_eq!(
        listed.iter().filter(|a| a.role == Role::Admin).count(),
        1,
        "{listed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_last_admins_deleting_their_accounts_at_once_leave_one() {
    let db = TestDb::new().await;
    let first = db.account("first", "First").await;
    let second = db.account("second", "Second").await;
    admin::promote(&db.store, &first, "second").await.unwrap();
    let both = Arc::new([first, second]);
    let outcomes = race(|i| {
        let (store, both) = (db.store.clone(), both.clone());
        async move {
            let me = &both[i % 2];
            accounts::delete_account(&store, me, password_for(&me.username)).await
        }
    })
    .await;
    let deleted = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(deleted, 1, "{outcomes:?}");
    for refused in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        // The other deletions of the account that went are refused for
        // its being gone; those of the last admin for being the last.
        assert!(
            matches!(
                refused.kind(),
                ErrorKind::Forbidden | ErrorKind::Unauthorized | ErrorKind::BadCredentials
            ),
            "{refused:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_display_name_is_given_once_however_many_ask_at_once() {
    let db = TestDb::new().await;
    db.account("host", "Host").await;
    let made = race(|i| {
        let store = db.store.clone();
        async move {
            accounts::create_account(&store, new_account(&format!("twin{i}"), "Lena Marsh")).await
        }
    })
    .await;
    assert_eq!(made.iter().filter(|m| m.is_ok()).count(), 1, "{made:?}");
    for refused in made.iter().filter_map(|m| m.as_ref().err()) {
        assert_eq!(refused.kind(), ErrorKind::Invalid, "{refused:?}");
    }
    // The same for people renaming themselves to one name at once.
    let mut people = Vec::new();
    for i in 0..RACERS {
        people.push(
            db.account(&format!("renamer{i}"), &format!("Renamer {i}"))
                .await,
        );
    }
    let people = Arc::new(people);
    let renamed = race(|i| {
        let (store, people) = (db.store.clone(), people.clone());
        async move { accounts::set_display_name(&store, &people[i], "Ines Okafor").await }
    })
    .await;
    assert_eq!(
        renamed.iter().filter(|r| r.is_ok()).count(),
        1,
        "{renamed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_file_imported_by_many_at_once_is_one_article() {
    let db = TestDb::new().await;
    let ada = Arc::new(db.account("ada", "Ada").await);
    let before = db.articles().await.len();
    let note = "# The tide table\n\nHigh water at six, low at noon.\n";
    let imported = race(|_| {
        let (store, ada) = (db.store.clone(), ada.clone());
        async move { files::import(&store, None, &ada, "tide.md", note.as_bytes()).await }
    })
    .await;
    let imported: Vec<_> = imported.into_iter().map(|i| i.unwrap()).collect();
    assert_eq!(db.articles().await.len(), before + 1);
    assert_eq!(imported.iter().filter(|i| !i.already_there).count(), 1);
    assert!(imported
        .iter()
        .all(|i| i.article_id == imported[0].article_id));
}

/// A clock that moves on a millisecond every time it is read, so the
/// order in which transactions stamped their rows is the order they ran.
#[derive(Debug)]
struct Ticking(AtomicI64);

impl Clock for Ticking {
    fn now(&self) -> Millis {
        START + self.0.fetch_add(1, Ordering::SeqCst)
    }

    fn monotonic(&self) -> Millis {
        self.0.fetch_add(1, Ordering::SeqCst)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_comment_lands_in_a_discussion_after_it_is_locked() {
    let db = TestDb::empty().await;
    let store = db
        .store_with_clock(Arc::new(Ticking(AtomicI64::new(0))))
        .await;
    samples::add_samples_if_empty(&store).await.unwrap();
    let admin_user = Arc::new(
        accounts::create_account(&store, new_account("warden", "Warden"))
            .await
            .unwrap(),
    );
    let article = parley_core::articles::list_articles(&store, None)
        .await
        .unwrap()[0]
        .id;
    // Half the racers post, one locks, in the middle of them.
    let outcomes = race(|i| {
        let (store, admin_user) = (store.clone(), admin_user.clone());
        async move {
            if i == RACERS / 2 {
                comments::set_locked(&store, &admin_user, article, true)
                    .await
                    .map(|()| None)
            } else {
                comments::post(&store, &admin_user, article, None, &format!("Comment {i}"))
                    .await
                    .map(Some)
            }
        }
    })
    .await;
    for outcome in &outcomes {
        if let Err(e) = outcome {
            assert_eq!(e.kind(), ErrorKind::Forbidden, "{e:?}");
        }
    }
    let locked_at = db
        .raw_i64(
            "SELECT locked_at FROM articles WHERE id = $1",
            &[common::id(article)],
        )
        .await;
    let stamps: Vec<Millis> = db
        .thread(None, article, comments::Sort::Oldest)
        .await
        .comments
        .iter()
        .map(|c| c.created_at)
        .collect();
    let posted = outcomes.iter().filter(|o| matches!(o, Ok(Some(_)))).count();
    assert_eq!(stamps.len(), posted);
    assert!(
        stamps.iter().all(|&at| at < locked_at),
        "a comment was stamped after the lock at {locked_at}: {stamps:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_comment_sent_many_times_at_once_is_posted_once() {
    let db = TestDb::new().await;
    let ada = Arc::new(db.account("ada", "Ada").await);
    let article = db.first_article().await;
    let id = parley_core::ids::CommentId::new();
    // A client that lost its connection sends again, and again.
    let outcomes = race(|_| {
        let (store, ada) = (db.store.clone(), ada.clone());
        async move { comments::post_as(&store, &ada, article, None, "Only once", id).await }
    })
    .await;
    for outcome in outcomes {
        assert_eq!(outcome.unwrap(), id);
    }
    let thread = db.thread(None, article, comments::Sort::Oldest).await;
    assert_eq!(thread.comment_count, 1);
    assert_eq!(thread.comments.len(), 1);
}
