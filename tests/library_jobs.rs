//! Jobs: background work with progress per item, Cancel, and Retry for
//! what failed, against a real HTTP server on 127.0.0.1.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::TestDb;
use parley_core::accounts::User;
use parley_core::library::fetch::{FetchPolicy, Fetcher};
use parley_core::library::jobs::{ItemState, JobView, Jobs, Task};
use parley_core::Error;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Waits for job `id` to finish, collecting every update on the way.
pub(crate) async fn until_finished(
    jobs: &Arc<Jobs>,
    viewer: &User,
    id: u64,
) -> (JobView, Vec<JobView>) {
    let mut updates = jobs.watch();
    let mut seen = Vec::new();
    if let Some(done) = jobs
        .visible_to(Some(viewer))
        .into_iter()
        .find(|j| j.id == id && j.finished)
    {
        return (done, seen);
    }
    loop {
        let view = tokio::time::timeout(Duration::from_secs(20), updates.recv())
            .await
            .expect("the job makes progress")
            .unwrap()
            .view;
        if view.id != id {
            continue;
        }
        seen.push(view.clone());
        if view.finished {
            return (view, seen);
        }
    }
}

async fn page_server() -> MockServer {
    let server = MockServer::start().await;
    let page = std::fs::read("tests/fixtures/pages/article.html").unwrap();
    Mock::given(path("/article"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html"))
        .mount(&server)
        .await;
    Mock::given(path("/missing"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(20)))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_job_reports_each_item_and_retries_only_what_failed() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let server = page_server().await;
    let jobs = Jobs::new(
        db.store.clone(),
        Fetcher::new(FetchPolicy::allowing_loopback()).unwrap(),
    );
    let tasks = vec![
        Task::SavePage(format!("{}/article", server.uri())),
        Task::SavePage(format!("{}/missing", server.uri())),
        Task::SavePage("not an address".into()),
    ];
    let id = jobs.start("Saving 3 pages", Some(ada.clone()), tasks);
    let (done, updates) = until_finished(&jobs, &ada, id).await;
    assert!(!updates.is_empty(), "progress was reported");
    assert_eq!(
        (done.total, done.done, done.failed, done.added),
        (3, 3, 2, 1)
    );
    assert_eq!(done.items[0].state, ItemState::Added { articles: 1 });
    assert_eq!(
        done.items[1].state,
        ItemState::Failed {
            why: "Parley could not fetch that: the server answered 404.".into()
        }
    );
    assert!(
        matches!(&done.items[2].state, ItemState::Failed { why } if why.contains("not a web address"))
    );

    let retry = jobs.retry(id, &ada).unwrap().unwrap();
    let (again, _) = until_finished(&jobs, &ada, retry).await;
    assert_eq!(again.total, 2, "only the failed items");
    assert_eq!(again.failed, 2);
    // Saving the page again in a new job finds it there.
    let third = jobs.start(
        "Saving 1 page",
        Some(ada.clone()),
        vec![Task::SavePage(format!("{}/article", server.uri()))],
    );
    let (third, _) = until_finished(&jobs, &ada, third).await;
    assert_eq!(third.items[0].state, ItemState::AlreadyThere);
}

#[tokio::test]
async fn cancel_stops_a_job_and_the_rest_of_its_items() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let server = page_server().await;
    let jobs = Jobs::new(
        db.store.clone(),
        Fetcher::new(FetchPolicy::allowing_loopback()).unwrap(),
    );
    let tasks: Vec<Task> = (0..8)
        .map(|i| Task::SavePage(format!("{}/slow?{i}", server.uri())))
        .collect();
    let id = jobs.start("Saving 8 pages", Some(ada.clone()), tasks);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    jobs.cancel(id, &ada).unwrap();
    let (done, _) = until_finished(&jobs, &ada, id).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "cancel is prompt"
    );
    assert!(done.cancelled);
    assert_eq!(done.done, 8);
    assert!(
        done.items.iter().all(|i| i.state == ItemState::Cancelled),
        "{:?}",
        done.items
    );
}

#[tokio::test]
async fn a_job_is_seen_and_managed_only_by_its_owner_and_the_admin() {
    let db = TestDb::new().await;
    let admin = db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let ben = db.account("ben", "Ben").await;
    let server = page_server().await;
    let jobs = Jobs::new(
        db.store.clone(),
        Fetcher::new(FetchPolicy::allowing_loopback()).unwrap(),
    );
    let mut updates = jobs.watch();
    let private = format!("{}/missing", server.uri());
    let id = jobs.start(
        "Saving a page",
        Some(ada.clone()),
        vec![Task::SavePage(private)],
    );
    let scheduled = jobs.start("Refreshing feeds", None, Vec::new());

    let update = updates.recv().await.unwrap();
    assert_eq!(update.owner, Some(ada.id), "updates say whose job it is");
    let ids = |viewer: Option<&User>| -> Vec<u64> {
        jobs.visible_to(viewer).iter().map(|j| j.id).collect()
    };
    assert_eq!(ids(Some(&ada)), vec![scheduled, id]);
    assert_eq!(ids(Some(&admin)), vec![scheduled, id]);
    assert_eq!(
        ids(Some(&ben)),
        vec![scheduled],
        "Ben sees Parley's job, not Ada's"
    );
    assert!(ids(None).is_empty(), "nobody signed in sees nothing");

    assert!(matches!(jobs.cancel(id, &ben), Err(Error::NotFound(_))));
    assert!(matches!(jobs.retry(id, &ben), Err(Error::NotFound(_))));
    assert!(matches!(
        jobs.cancel(scheduled, &ben),
        Err(Error::Forbidden(_))
    ));
    let (done, _) = until_finished(&jobs, &ada, id).await;
    assert_eq!(done.failed, 1);
    let again = jobs.retry(id, &admin).unwrap().unwrap();
    let (again, _) = until_finished(&jobs, &admin, again).await;
    assert_eq!(again.total, 1, "the admin may retry anyone's job");
    assert!(
        !ids(Some(&ben)).contains(&again.id),
        "the retry is still Ada's"
    );
}
