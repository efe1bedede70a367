//! parley-server's library through the API, on a real listener on
//! 127.0.0.1: search, mutes, marking read, sources, following a feed the
//! test serves itself, the jobs, importing files and exporting.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod common;

use common::{new_id, TestServer};
use serde_json::{json, Value};

#[tokio::test]
async fn search_mutes_marking_read_sources_and_deleting_through_the_api() {
    let server = TestServer::start().await;
    let ada = server.set_up("ada").await;
    let grace = server.invite(&ada, "grace").await;
    let article = server.first_article().await;
    let by_grace = server
        .post(&grace, &article, None, "Quasar timetables are fascinating")
        .await;

    // Search finds the comment, for anyone who may read it.
    let found = server
        .json("POST", "/api/v1/search", None, json!({"text": "quasar"}))
        .await;
    found.assert_status(200);
    assert!(found.text.contains(&by_grace), "{}", found.text);
    let sources = server.get("/api/v1/search/sources", None).await;
    sources.assert_status(200);
    assert!(
        sources.body.as_array().is_some_and(|s| !s.is_empty()),
        "{}",
        sources.text
    );

    // Ada mutes Grace: Ada's list says so, and undoing it empties it.
    let muted = server
        .json(
            "PUT",
            &format!("/api/v1/comments/{by_grace}/author-muted"),
            Some(&ada.token),
            json!({"muted": true}),
        )
        .await;
    muted.assert_status(204);
    let mutes = server.get("/api/v1/me/mutes", Some(&ada.token)).await;
    mutes.assert_status(200);
    assert_eq!(mutes.body[0]["displayName"], common::display_name("grace"));
    let mute_id = mutes.body[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        server
            .get("/api/v1/me/mutes", Some(&grace.token))
            .await
            .body,
        json!([]),
        "a mute is its maker's alone"
    );
    let undone = server
        .json(
            "DELETE",
            &format!("/api/v1/me/mutes/{mute_id}"),
            Some(&ada.token),
            json!({}),
        )
        .await;
    undone.assert_status(204);
    assert_eq!(
        server.get("/api/v1/me/mutes", Some(&ada.token)).await.body,
        json!([])
    );

    // Marking everything read answers how many were unread.
    let marked = server
        .json(
            "POST",
            "/api/v1/library/read",
            Some(&grace.token),
            json!({}),
        )
        .await;
    marked.assert_status(200);
    assert!(
        marked.body["marked"].as_u64().unwrap() >= 1,
        "{}",
        marked.text
    );
    let signed_out = server
        .json("POST", "/api/v1/library/read", None, json!({}))
        .await;
    signed_out.assert_error(401, "unauthorized");

    // Sources: listed for anyone; removing one is the admin's.
    let listed = server.get("/api/v1/sources", None).await;
    listed.assert_status(200);
    if let Some(source) = listed.body.as_array().and_then(|s| s.first()) {
        let id = source["id"].as_str().unwrap();
        let by_member = server
            .json(
                "DELETE",
                &format!("/api/v1/sources/{id}"),
                Some(&grace.token),
                json!({}),
            )
            .await;
        by_member.assert_error(403, "forbidden");
    }

    // An article with a discussion is not deleted by a member; an image
    // that does not exist is a plain 404.
    let refused = server
        .json(
            "DELETE",
            &format!("/api/v1/articles/{article}"),
            Some(&grace.token),
            json!({}),
        )
        .await;
    assert!(
        refused.status == 403 || refused.status == 422,
        "{}",
        refused.text
    );
    let image = server
        .get(&format!("/api/v1/images/{}", new_id()), None)
        .await;
    image.assert_error(404, "not_found");
    server.stop().await;
}

/// Job `job` as `token` sees it, once it has finished (within 20 s).
async fn finished_job(server: &TestServer, token: &str, job: u64) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let jobs = server.get("/api/v1/jobs", Some(token)).await;
        jobs.assert_status(200);
        let view = jobs
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["id"] == job)
            .cloned();
        if let Some(view) = view.filter(|j| j["finished"] == true) {
            return view;
        }
        assert!(std::time::Instant::now() < deadline, "{}", jobs.text);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Serves one RSS feed on 127.0.0.1 for as long as the test runs.
async fn serve_feed(title: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Harbour News</title>\
         <link>http://{addr}/</link><description>Test feed</description>\
         <item><title>{title}</title><link>http://{addr}/one</link>\
         <guid>http://{addr}/one</guid><pubDate>Tue, 01 Dec 2026 09:00:00 GMT</pubDate>\
         <description>The ferry timetable changes on Monday, the harbour master said.</description>\
         </item></channel></rss>"
    );
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = listener.accept().await {
            let feed = feed.clone();
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n{feed}",
                    feed.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}/feed.xml")
}

#[tokio::test]
async fn the_server_follows_a_feed_for_the_group() {
    let server = TestServer::start_with(|config| config.fetch_loopback = true).await;
    let ada = server.set_up("ada").await;
    let grace = server.invite(&ada, "grace").await;
    let feed = serve_feed("Ferry timetable changes on Monday").await;

    let refused = server
        .json("POST", "/api/v1/feeds", None, json!({"address": feed}))
        .await;
    refused.assert_error(401, "unauthorized");
    let nonsense = server
        .json(
            "POST",
            "/api/v1/feeds",
            Some(&grace.token),
            json!({"address": "not an address"}),
        )
        .await;
    nonsense.assert_error(422, "invalid");

    let started = server
        .json(
            "POST",
            "/api/v1/feeds",
            Some(&grace.token),
            json!({"address": feed}),
        )
        .await;
    started.assert_status(202);
    let job = started.body["job"].as_u64().unwrap();
    let finished = finished_job(&server, &grace.token, job).await;
    assert_eq!(finished["added"], 1, "{finished}");
    // Another member does not see Grace's job; the whole group sees the feed
    // and its article.
    let others = server.get("/api/v1/jobs", None).await;
    assert!(
        others
            .body
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["id"] != job),
        "{}",
        others.text
    );
    let sources = server.get("/api/v1/sources", None).await;
    assert!(sources.text.contains("Harbour News"), "{}", sources.text);
    let library = server
        .json("POST", "/api/v1/library", Some(&ada.token), json!({}))
        .await;
    assert!(
        library.text.contains("Ferry timetable changes on Monday"),
        "{}",
        library.text
    );
    // The source's schedule and a refresh by hand; the jobs' own routes.
    let source = sources
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "Harbour News")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let interval = format!("/api/v1/sources/{source}/interval");
    server
        .json("PUT", &interval, Some(&ada.token), json!({"minutes": 120}))
        .await
        .assert_status(204);
    server
        .json(
            "PUT",
            &interval,
            Some(&ada.token),
            json!({"minutes": "often"}),
        )
        .await
        .assert_error(400, "invalid");
    let refresh = server
        .json(
            "POST",
            &format!("/api/v1/sources/{source}/refresh"),
            Some(&grace.token),
            json!({}),
        )
        .await;
    refresh.assert_status(202);
    let all = server
        .json(
            "POST",
            "/api/v1/sources/refresh",
            Some(&grace.token),
            json!({}),
        )
        .await;
    all.assert_status(202);
    // Nothing failed in the first job, so retrying it starts nothing.
    let retried = server
        .json(
            "POST",
            &format!("/api/v1/jobs/{job}/retry"),
            Some(&grace.token),
            json!({}),
        )
        .await;
    retried.assert_status(200);
    assert_eq!(retried.body["job"], Value::Null, "{}", retried.text);
    server
        .json(
            "POST",
            "/api/v1/jobs/999999/cancel",
            Some(&grace.token),
            json!({}),
        )
        .await
        .assert_error(404, "not_found");
    server
        .json(
            "POST",
            "/api/v1/jobs/not-a-job/cancel",
            Some(&grace.token),
            json!({}),
        )
        .await
        .assert_error(404, "not_found");
    // Whoever followed it may stop following it; nobody signed out may.
    let remove = format!("/api/v1/sources/{source}");
    server
        .json("DELETE", &remove, None, json!({}))
        .await
        .assert_error(401, "unauthorized");
    server
        .json("DELETE", &remove, Some(&grace.token), json!({}))
        .await
        .assert_status(204);
    let sources = server.get("/api/v1/sources", None).await;
    assert!(!sources.text.contains("Harbour News"), "{}", sources.text);
    server.stop().await;
}

#[tokio::test]
async fn files_are_imported_and_articles_and_feeds_exported_through_the_api() {
    let server = TestServer::start().await;
    let ada = server.set_up("ada").await;
    let note = "# Notes on the ferry\n\nThe harbour master explained the new timetable.\n";
    let reply = server
        .send(
            "POST",
            "/api/v1/imports?name=ferry%20notes.md",
            Some(&ada.token),
            Some(note),
        )
        .await;
    reply.assert_status(202);
    let job = reply.body["job"].as_u64().unwrap();
    let view = finished_job(&server, &ada.token, job).await;
    assert_eq!(view["added"], 1, "{view}");
    let library = server
        .json("POST", "/api/v1/library", None, json!({}))
        .await;
    assert!(
        library.text.contains("Notes on the ferry"),
        "{}",
        library.text
    );

    // What is not a file Parley reads, and what nobody signed in sends.
    server
        .send(
            "POST",
            "/api/v1/imports?name=tool.exe",
            Some(&ada.token),
            Some("MZ"),
        )
        .await
        .assert_error(422, "invalid");
    server
        .send("POST", "/api/v1/imports?name=a.md", None, Some(note))
        .await
        .assert_error(401, "unauthorized");

    // Export: the article and its discussion as Markdown, with a name.
    let article = server.first_article().await;
    server.post(&ada, &article, None, "Worth keeping.").await;
    let exported = server
        .get(
            &format!("/api/v1/articles/{article}/export?format=markdown"),
            None,
        )
        .await;
    exported.assert_status(200);
    assert!(
        exported.body["fileName"].as_str().unwrap().ends_with(".md"),
        "{}",
        exported.text
    );
    assert!(exported.body["contents"]
        .as_str()
        .unwrap()
        .contains("Worth keeping."));
    server
        .get(
            &format!("/api/v1/articles/{article}/export?format=pdf"),
            None,
        )
        .await
        .assert_error(400, "invalid");
    // A file over the import limit is refused plainly, and the server
    // carries on.
    let huge = "x".repeat(11 * 1024 * 1024);
    server
        .send(
            "POST",
            "/api/v1/imports?name=big.md",
            Some(&ada.token),
            Some(&huge),
        )
        .await
        .assert_error(413, "invalid");
    let opml = server
        .get("/api/v1/me/subscriptions", Some(&ada.token))
        .await;
    opml.assert_status(200);
    assert!(opml.text.contains("<opml"), "{}", opml.text);
    server.stop().await;
}
