//! What an operator watches a server by: its health, its metrics and its
//! logs, on a real server on 127.0.0.1 (and, for the logs, the real
//! `parley-server` binary).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests: a panic is a failed test"
)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{password_for, TestServer};
use serde_json::{json, Value};

/// The value of the sample `name{labels}` in a metrics page, if present.
fn sample(page: &str, name_and_labels: &str) -> Option<f64> {
    page.lines()
        .find_map(|l| l.strip_prefix(name_and_labels)?.strip_prefix(' '))
        .map(|v| v.trim().parse().unwrap())
}

#[tokio::test]
async fn health_says_whether_the_server_can_serve() {
    let server = TestServer::start().await;
    let ready = server.get("/health", None).await;
    ready.assert_status(200);
    assert_eq!(ready.body, json!({"live": true, "ready": true}));
    server.get("/health/ready", None).await.assert_status(200);
    let live = server.get("/health/live", None).await;
    live.assert_status(200);
    assert_eq!(live.body["live"], true);
    server.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_with_their_times() {
    let server = TestServer::start().await;
    let ada = server.set_up("ada").await;
    let article = server.first_article().await;
    server.post(&ada, &article, None, "Counted.").await;
    server.post(&ada, &article, None, "Counted again.").await;
    // Refused: an empty comment.
    server
        .json(
            "POST",
            &format!("/api/v1/articles/{article}/comments"),
            Some(&ada.token),
            json!({"id": common::new_id(), "parentId": null, "body": ""}),
        )
        .await
        .assert_status(422);
    // Addresses no route knows are counted together, never by their text.
    server
        .get("/api/v1/a-path-nobody-serves-7f3a", None)
        .await
        .assert_status(404);
    let reader = server.listening().await;

    let page = server.get("/metrics", None).await;
    page.assert_status(200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
        "{:?}",
        page.headers
    );
    let text = &page.text;
    let comments = r#"route="/api/v1/articles/{id}/comments",method="POST""#;
    assert_eq!(
        sample(
            text,
            &format!("parley_http_requests_total{{{comments},status=\"201\"}}")
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            text,
            &format!("parley_http_requests_total{{{comments},status=\"422\"}}")
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            text,
            &format!("parley_http_request_duration_seconds_count{{{comments}}}")
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(
            text,
            &format!("parley_http_request_duration_seconds_bucket{{{comments},le=\"+Inf\"}}")
        ),
        Some(3.0)
    );
    assert!(
        sample(
            text,
            &format!("parley_http_request_duration_seconds_sum{{{comments}}}")
        )
        .unwrap()
            > 0.0
    );
    assert_eq!(
        sample(
            text,
            r#"parley_http_requests_total{route="unmatched",method="GET",status="404"}"#
        ),
        Some(1.0)
    );
    assert!(!text.contains("a-path-nobody-serves"), "{text}");
    assert_eq!(sample(text, "parley_event_streams_open"), Some(1.0));
    assert!(sample(text, "parley_database_connections_max").unwrap() >= 1.0);
    assert!(sample(text, r#"parley_database_connections{state="idle"}"#).is_some());
    assert!(sample(text, r#"parley_feed_refreshes_total{outcome="fetched"}"#).is_some());
    for family in [
        "parley_http_requests_total counter",
        "parley_http_request_duration_seconds histogram",
        "parley_event_streams_open gauge",
    ] {
        assert!(text.contains(&format!("# TYPE {family}")), "{family}");
    }

    // A stream that closes is no longer counted.
    drop(reader);
    let started = Instant::now();
    loop {
        let page = server.get("/metrics", None).await;
        if sample(&page.text, "parley_event_streams_open") == Some(0.0) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{}", page.text);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.stop().await;
}

#[tokio::test]
async fn metrics_are_shown_only_to_this_machine() {
    let server = TestServer::start_with(|c| c.behind_proxy = true).await;
    let from = |addr: &str| {
        format!(
            "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Forwarded-For: {addr}\r\n\r\n"
        )
    };
    server
        .send_raw(from("203.0.113.9").as_bytes())
        .await
        .assert_error(403, "forbidden");
    server
        .send_raw(from("127.0.0.1").as_bytes())
        .await
        .assert_status(200);
    server.stop().await;
}

/// A `parley-server` process logging JSON to a pipe.
struct Logged {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    _dir: tempfile::TempDir,
}

impl Logged {
    fn start() -> (Self, std::net::SocketAddr, String) {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_parley-server"))
            .args(["--database", &format!("sqlite:{}", dir.path().display())])
            .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
            .env("RUST_LOG", "debug")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    return;
                }
            }
        });
        let mut logged = Self {
            child,
            lines,
            _dir: dir,
        };
        let (mut addr, mut code) = (None, None);
        while addr.is_none() || code.is_none() {
            let line = logged.next_line();
            let fields = &line["fields"];
            if let Some(c) = fields["setup_code"].as_str() {
                code = Some(c.to_owned());
            }
            if let Some(a) = fields["address"].as_str() {
                addr = Some(a.parse().unwrap());
            }
        }
        (logged, addr.unwrap(), code.unwrap())
    }

    /// The next line, which must be one JSON object.
    fn next_line(&mut self) -> Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(30))
            .expect("parley-server logged nothing for 30 seconds");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"))
    }
}

#[tokio::test]
async fn logs_are_json_lines_without_passwords_tokens_or_comment_text() {
    let (mut logged, addr, code) = Logged::start();
    let server = TestServer::at(addr);
    let comment = "A sentence only this test writes: quince marmalade at dawn.";
    let reply = server
        .json(
            "POST",
            "/api/v1/accounts",
            None,
            json!({"username": "ada", "displayName": "Ada", "password": password_for("ada"),
                   "setupCode": code}),
        )
        .await;
    reply.assert_status(201);
    let token = reply.body["token"].as_str().unwrap().to_owned();
    let ada = common::Signed::from(&reply);
    // A wrong password, a malformed request, a comment, a failed one.
    server
        .json(
            "POST",
            "/api/v1/sessions",
            None,
            json!({"username": "ada", "password": "wrong but memorable 42"}),
        )
        .await
        .assert_status(401);
    server
        .send(
            "POST",
            "/api/v1/sessions",
            None,
            Some("{\"username\": \"ada\", \"password\": "),
        )
        .await
        .assert_status(400);
    let article = server.first_article().await;
    server.post(&ada, &article, None, comment).await;
    server
        .json(
            "POST",
            &format!("/api/v1/articles/{article}/comments"),
            Some(&token),
            json!({"id": "not-an-id", "parentId": null, "body": comment}),
        )
        .await;
    // Stop it, and read everything it said.
    let pid = logged.child.id();
    Command::new("kill").arg(pid.to_string()).status().unwrap();
    logged.child.wait().unwrap();
    let mut count = 0;
    while let Ok(line) = logged.lines.recv_timeout(Duration::from_secs(5)) {
        let parsed: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(parsed["level"].is_string(), "{line}");
        for secret in [
            password_for("ada").as_str(),
            "wrong but memorable",
            token.as_str(),
            "quince marmalade",
        ] {
            assert!(!line.contains(secret), "the log holds {secret:?}: {line}");
        }
        count += 1;
    }
    assert!(count > 0, "the server logged nothing after starting");
}
