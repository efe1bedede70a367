//! Jobs: background work with progress per item, Cancel, and Retry for
//! what failed, against a real HTTP server on 127.0.0.1.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::Arc;
use std::time::Duration;

use common::TestDb;
use parley_core::accounts::User;
use parley_core::library::fetch::{FetchPolicy, Fetcher, MAX_FETCHES_AT_ONCE};
use parley_core::library::jobs::{ItemState, JobView, Jobs, Task, RUNNING_PER_PERSON};
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
    let id = jobs
        .start("Saving 3 pages", Some(ada.clone()), tasks)
        .unwrap();
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
    let third = jobs
        .start(
            "Saving 1 page",
            Some(ada.clone()),
            vec![Task::SavePage(format!("{}/article", server.uri()))],
        )
        .unwrap();
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
    let id = jobs
        .start("Saving 8 pages", Some(ada.clone()), tasks)
        .unwrap();
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
    let id = jobs
        .start(
            "Saving a page",
            Some(ada.clone()),
            vec![Task::SavePage(private)],
        )
        .unwrap();
    let scheduled = jobs.start("Refreshing feeds", None, Vec::new()).unwrap();

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

/// A server on 127.0.0.1 that answers every request after `delay`, and
/// counts how many it is answering at once: pages with `images` images
/// each, and the images.
async fn counting_server(delay: Duration, images: usize) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let most = Arc::new(AtomicUsize::new(0));
    let now = Arc::new(AtomicUsize::new(0));
    let (page_base, seen_most) = (base.clone(), Arc::clone(&most));
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let (now, most, base) = (Arc::clone(&now), Arc::clone(&seen_most), page_base.clone());
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut request = Vec::new();
                let mut chunk = [0_u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&chunk[..n]),
                    }
                }
                let at_once = now.fetch_add(1, AtomicOrdering::SeqCst) + 1;
                most.fetch_max(at_once, AtomicOrdering::SeqCst);
                tokio::time::sleep(delay).await;
                let line = String::from_utf8_lossy(&request).into_owned();
                let (kind, body) = if line.starts_with("GET /img/") {
                    ("image/png", common::png(8, 8))
                } else {
                    let pictures: String = (0..images)
                        .map(|i| {
                            format!(
                                "<img src=\"{base}/img/{}-{i}.png\" width=\"8\" height=\"8\">",
                                at_once
                            )
                        })
                        .collect();
                    let page = format!(
                        "<!doctype html><html><head><title>A page</title></head><body><article>\
                         <h1>A page</h1><p>{}</p>{pictures}</article></body></html>",
                        "Words enough to be an article. ".repeat(40)
                    );
                    ("text/html", page.into_bytes())
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
                now.fetch_sub(1, AtomicOrdering::SeqCst);
            });
        }
    });
    (base, most)
}

#[tokio::test]
async fn however_many_jobs_run_only_a_few_fetches_happen_at_once() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let ben = db.account("ben", "Ben").await;
    let (base, most) = counting_server(Duration::from_millis(150), 5).await;
    let jobs = Jobs::new(db.store.clone(), common::fetcher());
    let mut started = Vec::new();
    for (who, job) in [(&ada, 0), (&ada, 1), (&ben, 2), (&ben, 3)] {
        let tasks = (0..5)
            .map(|i| Task::SavePage(format!("{base}/page/{job}/{i}")))
            .collect();
        started.push((
            who,
            jobs.start("Saving 5 pages", Some(who.clone()), tasks)
                .unwrap(),
        ));
    }
    for (who, id) in started {
        let (done, _) = until_finished(&jobs, who, id).await;
        assert_eq!(done.added, 5, "{:?}", done.items);
    }
    let most = most.load(AtomicOrdering::SeqCst);
    assert!(
        (2..=MAX_FETCHES_AT_ONCE).contains(&most),
        "{most} requests at once (pages of 5 images, 4 jobs of 5 pages)"
    );
}

#[tokio::test]
async fn refresh_now_waits_as_long_as_the_server_asked() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let server = MockServer::start().await;
    let feed = std::fs::read("tests/fixtures/feeds/rss091.xml").unwrap();
    Mock::given(path("/feed.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(feed, "application/rss+xml"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/feed.xml"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .mount(&server)
        .await;
    let fetcher = common::fetcher();
    let followed = parley_core::library::sources::follow(
        &db.store,
        &fetcher,
        &ada,
        &format!("{}/feed.xml", server.uri()),
    )
    .await
    .unwrap();
    let jobs = Jobs::new(db.store.clone(), fetcher);
    let refresh_now = || {
        let job = jobs
            .start(
                "Refreshing Canal Boat Diary",
                Some(ada.clone()),
                vec![Task::Refresh {
                    source: followed.source_id,
                    title: followed.title.clone(),
                }],
            )
            .unwrap();
        until_finished(&jobs, &ada, job)
    };
    let asked = server.received_requests().await.unwrap().len();
    let (first, _) = refresh_now().await;
    assert!(matches!(&first.items[0].state, ItemState::Failed { why } if why.contains("wait")));
    assert_eq!(server.received_requests().await.unwrap().len(), asked + 1);
    // Asking again at once, and again a minute later, asks the server
    // nothing.
    for _ in 0..2 {
        let (again, _) = refresh_now().await;
        assert!(
            matches!(&again.items[0].state, ItemState::Failed { why } if why.contains("about")),
            "{:?}",
            again.items
        );
        db.clock.advance(60_000);
    }
    assert_eq!(server.received_requests().await.unwrap().len(), asked + 1);
    db.clock.advance(60 * 60 * 1000);
    refresh_now().await;
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        asked + 2,
        "after the hour, it asks again"
    );
}

#[tokio::test]
async fn one_person_cannot_start_jobs_without_end() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let ben = db.account("ben", "Ben").await;
    let server = page_server().await;
    let jobs = Jobs::new(db.store.clone(), common::fetcher());
    let slow = || vec![Task::SavePage(format!("{}/slow", server.uri()))];
    let mut running = Vec::new();
    for _ in 0..RUNNING_PER_PERSON {
        running.push(jobs.start("Saving", Some(ada.clone()), slow()).unwrap());
    }
    let refused = jobs.start("Saving", Some(ada.clone()), slow()).unwrap_err();
    assert!(
        refused.to_string().contains("Wait for some to finish"),
        "{refused}"
    );
    // Someone else, and Parley's own refreshes, are not held up.
    let bens = jobs.start("Saving", Some(ben.clone()), slow()).unwrap();
    jobs.start("Refreshing feeds", None, Vec::new()).unwrap();
    for id in &running {
        jobs.cancel(*id, &ada).unwrap();
    }
    jobs.cancel(bens, &ben).unwrap();
    until_finished(&jobs, &ada, running[0]).await;
    jobs.start("Saving", Some(ada.clone()), slow()).unwrap();
}
