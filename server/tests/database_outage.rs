//! PostgreSQL going away under a running server: restarted (as for an
//! upgrade or a failover) while people post. The server answers "try
//! again" (503 with Retry-After) while it cannot reach the database,
//! connects again by itself, and loses nothing it acknowledged.
//!
//! Only on PostgreSQL, on the throw-away cluster `pg_virtualenv` made for
//! this run (`scripts/test` runs it there); the cluster is stopped and
//! started with `pg_ctlcluster`, from Debian's `postgresql-common`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests: a panic is a failed test"
)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{new_id, TestServer, ENGINE_ENV};
use serde_json::json;

/// The cluster this run's PostgreSQL is: its version and name, found by
/// the port `pg_virtualenv` exported.
struct Cluster {
    version: String,
    name: String,
}

impl Cluster {
    fn this_runs() -> Self {
        assert_eq!(
            std::env::var(ENGINE_ENV).as_deref(),
            Ok("postgres"),
            "this test restarts PostgreSQL: run it as scripts/test does, under \
             `pg_virtualenv env {ENGINE_ENV}=postgres cargo test …` (apt-get install postgresql)"
        );
        let port = std::env::var("PGPORT").expect("PGPORT, which pg_virtualenv exports");
        let listed = Command::new("pg_lsclusters")
            .arg("-h")
            .output()
            .expect("pg_lsclusters, from postgresql-common (apt-get install postgresql)");
        let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
        listed
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .find(|f| f.get(2) == Some(&port.as_str()))
            .map(|f| Self {
                version: f[0].to_owned(),
                name: f[1].to_owned(),
            })
            .unwrap_or_else(|| panic!("no cluster on port {port} in:\n{listed}"))
    }

    fn run(&self, action: &str) {
        let mut command = Command::new("pg_ctlcluster");
        command.args([&self.version, &self.name, action]);
        if action == "stop" {
            // Connections are cut at once, as a crash or failover cuts them.
            command.args(["-m", "fast"]);
        }
        let status = command.status().expect("pg_ctlcluster (postgresql-common)");
        assert!(status.success(), "pg_ctlcluster {action}: {status}");
    }
}

/// Posts `body` with `id` until the server acknowledges it (201), as the
/// desktop does: the same id each time, waiting as Retry-After says.
/// Returns how many "try again" answers came first.
async fn post_until_acknowledged(
    server: &TestServer,
    token: &str,
    article: &str,
    id: &str,
    body: &str,
) -> usize {
    let path = format!("/api/v1/articles/{article}/comments");
    let started = Instant::now();
    let mut refused = 0;
    loop {
        let reply = server
            .json("POST", &path, Some(token), json!({"id": id, "body": body}))
            .await;
        if reply.status == 201 {
            assert_eq!(reply.body["id"], id);
            return refused;
        }
        reply.assert_error(503, "unavailable");
        let wait: u64 = reply
            .header("retry-after")
            .expect("a 503 says when to try again")
            .parse()
            .unwrap();
        assert!((1..=5).contains(&wait), "Retry-After: {wait}");
        refused += 1;
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "still refused after a minute"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn nothing_acknowledged_is_lost_when_postgres_restarts_during_posting() {
    let cluster = Cluster::this_runs();
    let server = TestServer::start().await;
    let ada = server.set_up("ada").await;
    let article = server.first_article().await;
    let mut reader = server.listening().await;

    // Someone posts steadily; halfway through, PostgreSQL restarts.
    let ids: Vec<String> = (0..40).map(|_| new_id()).collect();
    let poster = {
        let (addr, token, article, ids) =
            (server.addr, ada.token.clone(), article.clone(), ids.clone());
        tokio::spawn(async move {
            let server = TestServer::at(addr);
            let mut refused = 0;
            for (n, id) in ids.iter().enumerate() {
                refused +=
                    post_until_acknowledged(&server, &token, &article, id, &format!("Note {n}."))
                        .await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            refused
        })
    };
    tokio::time::sleep(Duration::from_millis(600)).await;
    cluster.run("stop");

    // While it is down: "try again", promptly, on reads and health too.
    let asked = Instant::now();
    let health = server.get("/health", None).await;
    health.assert_status(503);
    assert_eq!(health.body["ready"], false);
    assert!(health.header("retry-after").is_some());
    let thread = server.thread(&article).await;
    thread.assert_error(503, "unavailable");
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "answers took {:?} while the database was down",
        asked.elapsed()
    );
    server.get("/health/live", None).await.assert_status(200);
    tokio::time::sleep(Duration::from_secs(2)).await;
    cluster.run("start");

    let refused = poster.await.unwrap();
    assert!(
        refused > 0,
        "the restart never refused a post: it tested nothing"
    );
    server.get("/health", None).await.assert_status(200);

    // Every acknowledged comment is there, once.
    let thread = server.thread(&article).await;
    thread.assert_status(200);
    assert_eq!(thread.body["commentCount"], ids.len(), "{}", thread.text);
    for id in &ids {
        assert_eq!(thread.text.matches(id.as_str()).count(), 1, "{id}");
    }
    // A second try of one acknowledged is the same comment.
    post_until_acknowledged(&server, &ada.token, &article, &ids[0], "Note 0.").await;

    // A reader connected throughout hears of every one, in the end.
    let mut heard = std::collections::HashSet::new();
    let started = Instant::now();
    while heard.len() < ids.len() {
        let event = reader
            .next_within(Duration::from_secs(10))
            .await
            .expect("the stream carries on after the restart");
        if let Some(comment) = event.data["commentId"].as_str() {
            heard.insert(comment.to_owned());
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "heard {}",
            heard.len()
        );
    }
    server.stop().await;
}
