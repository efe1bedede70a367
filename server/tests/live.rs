//! Live updates through the event stream: a change reaches connected
//! readers within a second, a reconnecting client resumes after the last
//! event it saw, and a second server process on the same database hears
//! of changes made through the first.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod common;

use std::time::{Duration, Instant};

use common::{Event, Events, TestServer};

const SECOND: Duration = Duration::from_secs(1);

async fn ready(events: &mut Events) -> i64 {
    let first = events.next_within(SECOND).await.expect("a ready event");
    assert_eq!(first.name, "ready");
    first.data["latest"].as_i64().unwrap()
}

async fn change(events: &mut Events) -> Event {
    let event = events
        .next_within(SECOND)
        .await
        .expect("an event within a second");
    assert_eq!(event.name, "change", "{event:?}");
    event
}

#[tokio::test]
async fn a_new_comment_reaches_a_connected_reader_within_a_second() {
    let server = TestServer::start().await;
    let ada = server.set_up("ada").await;
    let article = server.first_article().await;
    let mut reader = server.events(None).await;
    ready(&mut reader).await;

    let sent = Instant::now();
    let comment = server.post(&ada, &article, None, "Live!").await;
    let event = change(&mut reader).await;
    assert!(sent.elapsed() < SECOND, "{:?}", sent.elapsed());
    assert_eq!(event.data["change"], "comment_posted");
    assert_eq!(event.data["commentId"], comment.as_str());
    assert_eq!(event.data["articleId"], article.as_str());
    assert!(
        event.data.get("body").is_none(),
        "events carry ids, not text"
    );
    assert_eq!(
        event.id.as_deref(),
        Some(event.data["id"].to_string().as_str())
    );
    server.stop().await;
}

#[tokio::test]
async fn a_reconnecting_reader_resumes_after_the_last_event_it_saw() {
    let server = TestServer::start().await;
    let ada = server.set_up("ada").await;
    let article = server.first_article().await;
    let mut reader = server.events(None).await;
    ready(&mut reader).await;
    server.post(&ada, &article, None, "Seen.").await;
    let seen = change(&mut reader).await.id.unwrap();
    drop(reader);

    // Missed while away.
    let mut missed = Vec::new();
    for n in 0..3 {
        missed.push(
            server
                .post(&ada, &article, None, &format!("Missed {n}."))
                .await,
        );
    }
    let mut back = server.events(Some(&seen)).await;
    ready(&mut back).await;
    for id in &missed {
        let event = change(&mut back).await;
        assert_eq!(event.data["commentId"], id.as_str());
    }
    // And live again after that.
    let live = server.post(&ada, &article, None, "Live again.").await;
    assert_eq!(change(&mut back).await.data["commentId"], live.as_str());

    // An id this server never gave means "reload".
    let mut confused = server.events(Some("999999999")).await;
    ready(&mut confused).await;
    let reset = confused.next_within(SECOND).await.unwrap();
    assert_eq!(reset.name, "reset");
    server.stop().await;
}

#[tokio::test]
async fn a_change_through_one_server_process_reaches_readers_of_another() {
    let first = TestServer::start().await;
    let second = first.another_on_the_same_database().await;
    // The setup code is the one the last server to start printed.
    let ada = second.set_up("ada").await;
    let article = first.first_article().await;
    let mut reader = second.events(None).await;
    ready(&mut reader).await;
    let sent = Instant::now();
    let comment = first.post(&ada, &article, None, "Through the first.").await;
    let event = change(&mut reader).await;
    assert!(sent.elapsed() < SECOND, "{:?}", sent.elapsed());
    assert_eq!(event.data["commentId"], comment.as_str());
    // The session works on either process: nothing lives in one alone.
    second
        .get("/api/v1/me", Some(&ada.token))
        .await
        .assert_status(200);
    second.stop().await;
    first.stop().await;
}

#[tokio::test]
async fn a_malformed_resume_point_is_a_clear_error() {
    let server = TestServer::start().await;
    server
        .get("/api/v1/events?after=yesterday", None)
        .await
        .assert_error(400, "invalid");
    let raw =
        "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nLast-Event-ID: x\r\n\r\n";
    server
        .send_raw(raw.as_bytes())
        .await
        .assert_error(400, "invalid");
    server.stop().await;
}
