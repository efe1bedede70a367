//! Jobs: background work with progress per item, Cancel, and Retry for
//! what failed, against a real HTTP server on 127.0.0.1.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::TestDb;
use parley_core::library::fetch::{FetchPolicy, Fetcher};
use parley_core::library::jobs::{ItemState, JobView, Jobs, Task};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Waits for job `id` to finish, collecting every update on the way.
async fn until_finished(jobs: &Arc<Jobs>, id: u64) -> (JobView, Vec<JobView>) {
    let mut updates = jobs.watch();
    let mut seen = Vec::new();
    if let Some(done) = jobs.all().into_iter().find(|j| j.id == id && j.finished) {
        return (done, seen);
    }
    loop {
        let view = tokio::time::timeout(Duration::from_secs(20), updates.recv())
            .await
            .expect("the job makes progress")
            .unwrap();
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
    let (done, updates) = until_finished(&jobs, id).await;
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

    let retry = jobs.retry(id).unwrap();
    let (again, _) = until_finished(&jobs, retry).await;
    assert_eq!(again.total, 2, "only the failed items");
    assert_eq!(again.failed, 2);
    // Saving the page again in a new job finds it there.
    let third = jobs.start(
        "Saving 1 page",
        Some(ada),
        vec![Task::SavePage(format!("{}/article", server.uri()))],
    );
    let (third, _) = until_finished(&jobs, third).await;
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
    let id = jobs.start("Saving 8 pages", Some(ada), tasks);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    jobs.cancel(id);
    let (done, _) = until_finished(&jobs, id).await;
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
