//! parley-server's API through a real listener on 127.0.0.1: setting a
//! server up, joining, sessions, posting, and every kind of bad request.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod common;

use common::{new_id, password_for, TestServer};
use parley_core::rate::Limit;
use serde_json::json;

#[tokio::test]
async fn a_new_server_says_what_it_is_and_needs_its_setup_code() {
    let server = TestServer::start().await;
    let about = server.get("/api/v1/server", None).await;
    about.assert_status(200);
    assert_eq!(about.body["product"], "parley");
    assert_eq!(about.body["apiVersion"], 1);
    assert_eq!(about.body["needsSetup"], true);
    assert_eq!(about.body["signUp"], "invite");

    let join = |code: Option<&str>| {
        json!({
            "username": "mallory",
            "displayName": "Mallory",
            "password": password_for("mallory"),
            "setupCode": code,
        })
    };
    server
        .json("POST", "/api/v1/accounts", None, join(None))
        .await
        .assert_error(403, "forbidden");
    server
        .json(
            "POST",
            "/api/v1/accounts",
            None,
            join(Some("AAAA-AAAA-AAAA-AAAA-AAAA")),
        )
        .await
        .assert_error(403, "forbidden");

    let ada = server.set_up("ada").await;
    let me = server.get("/api/v1/me", Some(&ada.token)).await;
    me.assert_status(200);
    assert_eq!(me.body["role"], "admin");
    assert_eq!(me.body["displayName"], "Ada");
    assert_eq!(
        server.get("/api/v1/server", None).await.body["needsSetup"],
        false
    );
    // The code is used up.
    let again = server.setup_code.clone().unwrap();
    server
        .json("POST", "/api/v1/accounts", None, join(Some(&again)))
        .await
        .assert_error(403, "forbidden");
    server.stop().await;
}

#[tokio::test]
async fn people_join_by_invitation_and_each_invite_once() {
    let server = TestServer::start().await;
    let ada = server.set_up("ada").await;
    let grace = server.invite(&ada, "grace").await;
    assert_ne!(grace.token, ada.token);

    let invite = server
        .json(
            "POST",
            "/api/v1/invites",
            Some(&ada.token),
            json!({"days": 1}),
        )
        .await;
    let code = invite.body["code"].as_str().unwrap().to_owned();
    let join = |username: &str| {
        json!({
            "username": username,
            "displayName": username,
            "password": password_for(username),
            "invite": code,
        })
    };
    server
        .json("POST", "/api/v1/accounts", None, join("alan"))
        .await
        .assert_status(201);
    server
        .json("POST", "/api/v1/accounts", None, join("mallory"))
        .await
        .assert_error(403, "forbidden");
    // Members do not invite.
    server
        .json(
            "POST",
            "/api/v1/invites",
            Some(&grace.token),
            json!({"days": 1}),
        )
        .await
        .assert_error(403, "forbidden");
    // The admin's list shows who joined, never a code.
    let listed = server.get("/api/v1/invites", Some(&ada.token)).await;
    listed.assert_status(200);
    assert_eq!(listed.body.as_array().unwrap().len(), 2);
    assert!(!listed.text.contains(&code));
    // Open sign-up, when the admin chooses it.
    server
        .json(
            "PUT",
            "/api/v1/sign-up",
            Some(&ada.token),
            json!({"signUp": "open"}),
        )
        .await
        .assert_status(204);
    let open = json!({
        "username": "barbara",
        "displayName": "Barbara",
        "password": password_for("barbara"),
    });
    server
        .json("POST", "/api/v1/accounts", None, open)
        .await
        .assert_status(201);
    server.stop().await;
}

#[tokio::test]
async fn sessions_are_listed_ended_and_end_with_a_new_password() {
    let server = TestServer::start().await;
    let ada = server.set_up("ada").await;
    let laptop = server.sign_in("ada").await;
    let desktop = server.sign_in("ada").await;

    let listed = server.get("/api/v1/sessions", Some(&laptop.token)).await;
    listed.assert_status(200);
    let sessions = listed.body.as_array().unwrap();
    assert_eq!(sessions.len(), 3);
    let current: Vec<bool> = sessions
        .iter()
        .map(|s| s["current"].as_bool().unwrap())
        .collect();
    assert_eq!(current.iter().filter(|c| **c).count(), 1);
    assert!(!listed.text.contains(&laptop.token), "no token in the list");

    // End one other session by its id.
    server
        .send(
            "DELETE",
            &format!("/api/v1/sessions/{}", desktop.session_id),
            Some(&laptop.token),
            None,
        )
        .await
        .assert_status(204);
    server
        .get("/api/v1/me", Some(&desktop.token))
        .await
        .assert_error(401, "unauthorized");

    // A new password ends the others, not the one that changed it.
    server
        .json(
            "PUT",
            "/api/v1/me/password",
            Some(&laptop.token),
            json!({"current": password_for("ada"), "newPassword": "an entirely new passphrase"}),
        )
        .await
        .assert_status(204);
    server
        .get("/api/v1/me", Some(&laptop.token))
        .await
        .assert_status(200);
    server
        .get("/api/v1/me", Some(&ada.token))
        .await
        .assert_error(401, "unauthorized");

    // Signing out ends it.
    server
        .send(
            "DELETE",
            "/api/v1/sessions/current",
            Some(&laptop.token),
            None,
        )
        .await
        .assert_status(204);
    server
        .get("/api/v1/me", Some(&laptop.token))
        .await
        .assert_error(401, "unauthorized");
    server.stop().await;
}

#[tokio::test]
async fn a_session_idle_too_long_has_ended() {
    let server = TestServer::start_with(|config| config.session_idle_ms = 1_000).await;
    let ada = server.set_up("ada").await;
    server
        .get("/api/v1/me", Some(&ada.token))
        .await
        .assert_status(200);
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    server
        .get("/api/v1/me", Some(&ada.token))
        .await
        .assert_error(401, "unauthorized");
    server.stop().await;
}

#[tokio::test]
async fn a_comment_sent_twice_is_posted_once() {
    let server = TestServer::start().await;
    let ada = server.set_up("ada").await;
    let article = server.first_article().await;
    let id = new_id();
    let body = json!({"id": id, "body": "Sent as the connection dropped."});
    let path = format!("/api/v1/articles/{article}/comments");
    for _ in 0..3 {
        let reply = server
            .json("POST", &path, Some(&ada.token), body.clone())
            .await;
        reply.assert_status(201);
        assert_eq!(reply.body["id"], id.as_str());
    }
    let thread = server
        .json(
            "POST",
            &format!("/api/v1/articles/{article}/thread"),
            None,
            json!({}),
        )
        .await;
    thread.assert_status(200);
    assert_eq!(thread.body["commentCount"], 1, "{}", thread.text);
    // The same id with other text is refused, not a second comment.
    let other = json!({"id": id, "body": "Something else entirely."});
    let reply = server.json("POST", &path, Some(&ada.token), other).await;
    assert!(reply.status >= 400 && reply.status < 500, "{}", reply.text);
    server.stop().await;
}

#[tokio::test]
async fn bad_requests_are_answered_plainly_and_the_server_carries_on() {
    let server = TestServer::start().await;
    let ada = server.set_up("ada").await;
    let article = server.first_article().await;
    let comments = format!("/api/v1/articles/{article}/comments");
    let token = Some(ada.token.as_str());

    // Not JSON, wrong types, missing fields, unknown fields.
    for body in [
        "{not json",
        "[]",
        r#"{"id": 7, "body": "x"}"#,
        r#"{"body": "no id"}"#,
        r#"{"id": "x", "body": "hi", "extra": true}"#,
    ] {
        server
            .send("POST", &comments, token, Some(body))
            .await
            .assert_error(400, "invalid");
    }
    // A body without a JSON content type.
    let raw = format!(
        "POST {comments} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {}\r\n\
         Content-Length: 2\r\n\r\n{{}}",
        ada.token
    );
    server
        .send_raw(raw.as_bytes())
        .await
        .assert_error(400, "invalid");
    // Far too large.
    let huge = json!({"id": new_id(), "body": "x".repeat(2 * 1024 * 1024)}).to_string();
    server
        .send("POST", &comments, token, Some(&huge))
        .await
        .assert_error(413, "invalid");
    // A comment over the core's limit is the core's clear refusal.
    let long = json!({"id": new_id(), "body": "word ".repeat(20_000)});
    server
        .json("POST", &comments, token, long)
        .await
        .assert_error(422, "invalid");
    // Ids that are not ids; things that are not there.
    server
        .get("/api/v1/articles/not-an-id", None)
        .await
        .assert_error(422, "invalid");
    server
        .get(&format!("/api/v1/articles/{}", new_id()), None)
        .await
        .assert_error(404, "not_found");
    let reply_to_nothing = json!({"id": new_id(), "parentId": new_id(), "body": "Hello?"});
    server
        .json("POST", &comments, token, reply_to_nothing)
        .await
        .assert_error(404, "not_found");
    // Unknown routes and methods.
    server
        .get("/api/v1/nothing-here", None)
        .await
        .assert_error(404, "not_found");
    server.get("/", None).await.assert_error(404, "not_found");
    server
        .send("DELETE", "/api/v1/server", None, None)
        .await
        .assert_error(405, "invalid");
    // Tokens that are not tokens, or not any more.
    for bad in ["", "abc", &"0".repeat(64), "Basic abc"] {
        let raw = format!(
            "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {bad}\r\n\r\n"
        );
        server
            .send_raw(raw.as_bytes())
            .await
            .assert_error(401, "unauthorized");
    }
    server
        .get("/api/v1/me", None)
        .await
        .assert_error(401, "unauthorized");
    // Writing without a session.
    let post = json!({"id": new_id(), "body": "Anonymous?"});
    server
        .json("POST", &comments, None, post)
        .await
        .assert_error(401, "unauthorized");
    // Garbage that is not HTTP at all.
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stream, b"\x00\x01\x02 hello\r\n\r\n")
        .await
        .unwrap();
    drop(stream);

    // After all that, the server still answers and nothing was lost.
    server.post(&ada, &article, None, "Still here.").await;
    server.get("/api/v1/server", None).await.assert_status(200);
    server.stop().await;
}

#[tokio::test]
async fn too_many_sign_ins_from_one_address_wait_with_retry_after() {
    let server = TestServer::start_with(|config| {
        config.limits.sign_in_per_address = Limit {
            requests: 3,
            per_ms: 60_000,
        };
    })
    .await;
    server.set_up("ada").await;
    let attempt = json!({"username": "ada", "password": "not the password at all"});
    for _ in 0..3 {
        server
            .json("POST", "/api/v1/sessions", None, attempt.clone())
            .await
            .assert_error(401, "bad_credentials");
    }
    let refused = server.json("POST", "/api/v1/sessions", None, attempt).await;
    refused.assert_error(429, "too_many_attempts");
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    server.stop().await;
}

#[tokio::test]
async fn too_many_writes_by_one_account_wait_with_retry_after() {
    let server = TestServer::start_with(|config| {
        config.limits.writes_per_account = Limit {
            requests: 5,
            per_ms: 60_000,
        };
    })
    .await;
    let ada = server.set_up("ada").await;
    let grace = server.invite(&ada, "grace").await;
    let article = server.first_article().await;
    for n in 0..4 {
        server
            .post(&ada, &article, None, &format!("Comment {n}"))
            .await;
    }
    let reply = server
        .json(
            "POST",
            &format!("/api/v1/articles/{article}/comments"),
            Some(&ada.token),
            json!({"id": new_id(), "body": "One too many."}),
        )
        .await;
    reply.assert_error(429, "too_many_attempts");
    assert!(reply.header("retry-after").is_some());
    // Someone else writes on.
    server.post(&grace, &article, None, "My turn.").await;
    server.stop().await;
}

#[tokio::test]
async fn the_router_answers_in_process_too() {
    use tower::ServiceExt;
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = parley_server::Config::new(
        format!("sqlite:{}", dir.path().display()),
        std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
    );
    let store = parley_server::serve::open_store(&config).await.unwrap();
    let app = parley_server::router(parley_server::AppState::new(store, config).unwrap());
    let request = axum::http::Request::builder()
        .uri("/api/v1/server")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let request = axum::http::Request::builder()
        .uri("/api/v1/unknown")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 404);
    server.stop().await;
}

/// The offsets of `words` in `text`, counted in characters.
fn passage_of(text: &str, words: &str, version: i64) -> serde_json::Value {
    let byte = text.find(words).unwrap();
    let start = text[..byte].chars().count();
    json!({"version": version, "start": start, "end": start + words.chars().count(), "quote": words})
}

#[tokio::test]
async fn passages_are_discussed_and_highlights_stay_their_owners() {
    let server = TestServer::start().await;
    let ada = server.set_up("ada").await;
    let grace = server.invite(&ada, "grace").await;
    let article = server.first_article().await;
    let shown = server
        .get(&format!("/api/v1/articles/{article}"), None)
        .await;
    shown.assert_status(200);
    let text = parley_core::passages::text::of_html(shown.body["bodyHtml"].as_str().unwrap());
    let version = shown.body["version"].as_i64().unwrap();
    let words: String = text
        .split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ");
    let passage = passage_of(&text, &words, version);

    // A comment about the passage, then its marks for anyone.
    let comments = format!("/api/v1/articles/{article}/comments");
    let posted = server
        .json(
            "POST",
            &comments,
            Some(&grace.token),
            json!({"id": new_id(), "body": "Says who?", "passage": passage}),
        )
        .await;
    posted.assert_status(201);
    let id = posted.body["id"].as_str().unwrap().to_owned();
    let marks = server
        .get(&format!("/api/v1/articles/{article}/marks"), None)
        .await;
    marks.assert_status(200);
    assert_eq!(marks.body["marks"][0]["count"], 1);
    assert_eq!(marks.body["marks"][0]["comments"][0], id.as_str());
    assert_eq!(marks.body["marks"][0]["passage"]["quote"], words.as_str());
    // A reply cannot quote; a passage of other words is refused.
    server
        .json(
            "POST",
            &comments,
            Some(&ada.token),
            json!({"id": new_id(), "parentId": id, "body": "x", "passage": passage}),
        )
        .await
        .assert_error(422, "invalid");
    let mut forged = passage.clone();
    forged["quote"] = json!("not these words");
    server
        .json(
            "POST",
            &comments,
            Some(&ada.token),
            json!({"id": new_id(), "body": "x", "passage": forged}),
        )
        .await
        .assert_error(422, "invalid");
    // The discussion narrowed to the passage's comment.
    let narrowed = server
        .json(
            "POST",
            &format!("/api/v1/articles/{article}/thread"),
            None,
            json!({"roots": [id]}),
        )
        .await;
    narrowed.assert_status(200);
    assert_eq!(narrowed.body["comments"].as_array().unwrap().len(), 1);
    assert_eq!(
        narrowed.body["comments"][0]["passage"]["quote"],
        words.as_str()
    );

    // Ada's highlight: hers through every read, nobody else's.
    let kept = server
        .json(
            "POST",
            &format!("/api/v1/articles/{article}/highlights"),
            Some(&ada.token),
            json!({"passage": passage, "colour": "blue", "note": "look this up"}),
        )
        .await;
    kept.assert_status(201);
    let highlight = kept.body["id"].as_str().unwrap().to_owned();
    let mine = server
        .get("/api/v1/me/highlights?colour=blue", Some(&ada.token))
        .await;
    assert_eq!(mine.body.as_array().unwrap().len(), 1);
    assert_eq!(mine.body[0]["note"], "look this up");
    let found = server
        .get("/api/v1/me/highlights?text=LOOK", Some(&ada.token))
        .await;
    assert_eq!(found.body.as_array().unwrap().len(), 1);
    let theirs = server
        .get("/api/v1/me/highlights", Some(&grace.token))
        .await;
    assert_eq!(theirs.body, json!([]));
    server
        .get("/api/v1/me/highlights", None)
        .await
        .assert_error(401, "unauthorized");
    let for_grace = server
        .get(
            &format!("/api/v1/articles/{article}/marks"),
            Some(&grace.token),
        )
        .await;
    assert_eq!(for_grace.body["highlights"], json!([]));
    assert_eq!(
        for_grace.body["marks"].as_array().unwrap().len(),
        1,
        "a highlight is no mark"
    );
    let for_ada = server
        .get(
            &format!("/api/v1/articles/{article}/marks"),
            Some(&ada.token),
        )
        .await;
    assert_eq!(for_ada.body["highlights"][0]["id"], highlight.as_str());
    // Another's highlight answers as one that does not exist.
    let change = json!({"colour": "pink", "note": "mine now"});
    let at = format!("/api/v1/highlights/{highlight}");
    let someone_elses = server
        .json("PATCH", &at, Some(&grace.token), change.clone())
        .await;
    let nobodys = server
        .json(
            "PATCH",
            &format!("/api/v1/highlights/{}", new_id()),
            Some(&grace.token),
            change.clone(),
        )
        .await;
    someone_elses.assert_error(404, "not_found");
    assert_eq!(someone_elses.body, nobodys.body);
    server
        .send("DELETE", &at, Some(&grace.token), None)
        .await
        .assert_error(404, "not_found");
    let search = server
        .json(
            "POST",
            "/api/v1/search",
            Some(&grace.token),
            json!({"text": "look"}),
        )
        .await;
    assert_eq!(search.body["highlights"], json!([]));
    let search = server
        .json(
            "POST",
            "/api/v1/search",
            Some(&ada.token),
            json!({"text": "look"}),
        )
        .await;
    assert_eq!(search.body["highlights"][0]["id"], highlight.as_str());
    // Her own changes work.
    let edited = server.json("PATCH", &at, Some(&ada.token), change).await;
    edited.assert_status(200);
    assert_eq!(edited.body["colour"], "pink");
    server
        .send("DELETE", &at, Some(&ada.token), None)
        .await
        .assert_status(204);
    // An earlier version that the article never had.
    server
        .get(&format!("/api/v1/articles/{article}?version=9"), None)
        .await
        .assert_error(404, "not_found");
    server.stop().await;
}
