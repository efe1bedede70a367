//! Following feeds, against a real HTTP server on 127.0.0.1 serving
//! fixtures written for Parley: every format, the repairs real feeds need,
//! images stored locally, hostile HTML gone, conditional refreshes, and
//! nothing added twice.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::{fetcher, png, TestDb};
use parley_core::accounts::User;
use parley_core::articles;
use parley_core::ids::{ImageId, SourceId};
use parley_core::library::fetch::{FetchPolicy, Fetcher};
use parley_core::library::{images, sources};
use parley_core::ErrorKind;
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A fixture, with its made-up site's address pointed at `server`.
fn fixture(name: &str, site: &str, server: &MockServer) -> Vec<u8> {
    let bytes = std::fs::read(Path::new("tests/fixtures/feeds").join(name)).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    if !site.is_empty() && text.contains(site) {
        text.replace(site, &server.uri()).into_bytes()
    } else {
        bytes
    }
}

async fn serve(server: &MockServer, at: &str, body: Vec<u8>, content_type: &str) {
    Mock::given(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, content_type))
        .mount(server)
        .await;
}

async fn member(db: &TestDb) -> User {
    db.account("admin", "The Admin").await;
    db.account("reader", "A Reader").await
}

/// The library's articles from `source`, newest first.
async fn from_source(db: &TestDb, title: &str) -> Vec<articles::ArticleSummary> {
    db.articles()
        .await
        .into_iter()
        .filter(|a| a.source == title)
        .collect()
}

#[tokio::test]
async fn an_rss_feed_becomes_articles_with_local_images_and_no_hostile_html() {
    let db = TestDb::new().await;
    let reader = member(&db).await;
    let server = MockServer::start().await;
    let site = "https://gazette.example";
    // The tracking pixel's host is this server too: a request for it
    // would be seen (and fail the test).
    let feed = String::from_utf8(fixture("rss2.xml", site, &server))
        .unwrap()
        .replace("https://pixel.example", &server.uri());
    serve(
        &server,
        "/feed.xml",
        feed.into_bytes(),
        "application/rss+xml",
    )
    .await;
    serve(&server, "/images/seed-shed.png", png(40, 30), "image/png").await;
    Mock::given(path("/open.gif"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(png(1, 1), "image/gif"))
        .expect(0)
        .mount(&server)
        .await;
    // A pixel that does not say it is one is fetched, then dropped.
    Mock::given(path("/images/spacer.png"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(png(1, 1), "image/png"))
        .expect(1)
        .mount(&server)
        .await;

    let followed = sources::follow(
        &db.store,
        &fetcher(),
        &reader,
        &format!("{}/feed.xml", server.uri()),
    )
    .await
    .unwrap();
    assert_eq!(followed.title, "Lantern Street Gazette");
    assert_eq!((followed.added, followed.already_there), (2, 0));

    let list = from_source(&db, "Lantern Street Gazette").await;
    assert_eq!(list.len(), 2);
    let seeds = &list[0];
    assert_eq!(seeds.title, "Allotment society opens a seed library");
    assert_eq!(seeds.author, "Ines Okafor");
    assert_eq!(seeds.tags, ["community", "gardens"]);
    assert_eq!(
        seeds.summary,
        "Borrow a packet in spring, return seeds in autumn."
    );
    let article = articles::article(&db.store, seeds.id).await.unwrap();
    let body = &article.body_html;
    assert!(body.contains("<strong>seed library</strong>"), "{body}");
    for gone in [
        "script",
        "onclick",
        "steal",
        "evil.example",
        "open.gif",
        "spacer",
    ] {
        assert!(!body.contains(gone), "{gone} in {body}");
    }
    assert!(
        body.contains(&format!(
            r#"<a href="{}/society/rules" rel="nofollow noopener noreferrer">"#,
            server.uri()
        )),
        "{body}"
    );
    // The image is stored and shown from Parley's own scheme.
    let at = body
        .find("parley-image://localhost/")
        .expect("a local image");
    let id = &body[at + "parley-image://localhost/".len()..][..36];
    let (content_type, bytes) = images::stored(&db.store, ImageId::parse(id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(content_type, "image/png");
    assert_eq!(bytes, png(40, 30));
    let stored = db.raw_i64("SELECT count(*) FROM article_images", &[]).await;
    assert_eq!(stored, 1, "only the real image is kept");
    assert!(
        !body.contains("seed-shed.png"),
        "the remote image address is gone: {body}"
    );

    // An entry with a summary only: the summary is its text.
    let market = articles::article(&db.store, list[1].id).await.unwrap();
    assert!(
        market.body_html.contains("Forty stalls"),
        "{}",
        market.body_html
    );
    assert_eq!(
        market.url.as_deref(),
        Some(format!("{}/2026/11/night-market", server.uri()).as_str())
    );
}

#[tokio::test]
async fn every_feed_format_is_read() {
    let db = TestDb::new().await;
    let reader = member(&db).await;
    let server = MockServer::start().await;
    serve(
        &server,
        "/091.xml",
        fixture("rss091.xml", "", &server),
        "application/rss+xml",
    )
    .await;
    serve(
        &server,
        "/rdf.xml",
        fixture("rdf.xml", "", &server),
        "application/rdf+xml",
    )
    .await;
    serve(
        &server,
        "/atom.xml",
        fixture("atom.xml", "", &server),
        "application/atom+xml",
    )
    .await;
    serve(
        &server,
        "/feed.json",
        fixture("feed.json", "", &server),
        "application/feed+json",
    )
    .await;
    let fetcher = fetcher();
    let follow = |at: &'static str| {
        let (db, reader, fetcher, uri) = (&db, &reader, &fetcher, server.uri());
        async move {
            sources::follow(&db.store, fetcher, reader, &format!("{uri}{at}"))
                .await
                .unwrap()
        }
    };

    let boats = follow("/091.xml").await;
    assert_eq!((boats.title.as_str(), boats.added), ("Canal Boat Diary", 2));
    let stars = follow("/rdf.xml").await;
    assert_eq!(
        (stars.title.as_str(), stars.added),
        ("Hill Observatory Notes", 1)
    );
    let leonids = &from_source(&db, "Hill Observatory Notes").await[0];
    assert_eq!(leonids.author, "Pavel Nowak");
    assert_eq!(leonids.published_at, 1_794_967_800_000);

    let workshop = follow("/atom.xml").await;
    assert_eq!(workshop.added, 1);
    let radio = &from_source(&db, "The Repair Workshop").await[0];
    assert_eq!(radio.title, "Fixing a 1970s radio & its dial cord");
    assert_eq!(radio.tags, ["electronics"]);
    let body = articles::article(&db.store, radio.id)
        .await
        .unwrap()
        .body_html;
    assert!(
        body.contains(r#"href="https://workshop.example/posts/radio-dial-cord/photos""#),
        "xml:base resolves relative links: {body}"
    );

    let bakery = follow("/feed.json").await;
    assert_eq!((bakery.title.as_str(), bakery.added), ("Pocket Bakery", 1));
    let rye = &from_source(&db, "Pocket Bakery").await[0];
    assert_eq!(rye.author, "Tomasz Wierzbicki");
    assert_eq!(rye.tags, ["baking", "winter"]);
}

#[tokio::test]
async fn a_wrong_declared_encoding_is_read_right() {
    let db = TestDb::new().await;
    let reader = member(&db).await;
    let server = MockServer::start().await;
    serve(
        &server,
        "/a.xml",
        fixture("utf8-declared-latin1.xml", "", &server),
        "text/xml",
    )
    .await;
    serve(
        &server,
        "/b.xml",
        fixture("latin1-declared-utf8.xml", "", &server),
        "text/xml",
    )
    .await;
    let fetcher = fetcher();
    let a = sources::follow(
        &db.store,
        &fetcher,
        &reader,
        &format!("{}/a.xml", server.uri()),
    )
    .await
    .unwrap();
    assert_eq!(a.title, "Café Society");
    assert_eq!(
        from_source(&db, "Café Society").await[0].title,
        "Crème brûlée night"
    );
    let b = sources::follow(
        &db.store,
        &fetcher,
        &reader,
        &format!("{}/b.xml", server.uri()),
    )
    .await
    .unwrap();
    assert_eq!(b.title, "Café Latin");
    assert_eq!(from_source(&db, "Café Latin").await[0].title, "Crème night");
}

#[tokio::test]
async fn duplicate_ids_and_entity_bombs_do_no_harm() {
    let db = TestDb::new().await;
    let reader = member(&db).await;
    let server = MockServer::start().await;
    serve(
        &server,
        "/dup.xml",
        fixture("duplicate-ids.xml", "", &server),
        "text/xml",
    )
    .await;
    serve(
        &server,
        "/lol.xml",
        fixture("billion-laughs.xml", "", &server),
        "text/xml",
    )
    .await;
    let fetcher = fetcher();
    let echo = sources::follow(
        &db.store,
        &fetcher,
        &reader,
        &format!("{}/dup.xml", server.uri()),
    )
    .await
    .unwrap();
    assert_eq!((echo.added, echo.already_there), (2, 1));

    let started = std::time::Instant::now();
    let result = sources::follow(
        &db.store,
        &fetcher,
        &reader,
        &format!("{}/lol.xml", server.uri()),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    let laughs = result.unwrap();
    assert_eq!(laughs.added, 1);
    for article in from_source(&db, &laughs.title).await {
        let full = articles::article(&db.store, article.id).await.unwrap();
        for text in [&full.title, &full.summary, &full.body_html] {
            assert!(
                text.len() < 1000 && !text.contains("lollol"),
                "an entity was expanded: {} bytes",
                text.len()
            );
        }
    }
}

#[tokio::test]
async fn a_websites_own_address_finds_its_feed() {
    let db = TestDb::new().await;
    let reader = member(&db).await;
    let server = MockServer::start().await;
    let site = "https://gazette.example";
    serve(
        &server,
        "/",
        fixture("page-with-feed.html", site, &server),
        "text/html; charset=utf-8",
    )
    .await;
    serve(
        &server,
        "/feed.xml",
        fixture("rss2.xml", site, &server),
        "application/rss+xml",
    )
    .await;
    let followed = sources::follow(&db.store, &fetcher(), &reader, &server.uri())
        .await
        .unwrap();
    assert_eq!(followed.title, "Lantern Street Gazette");
    let listed = sources::list(&db.store, Some(&reader)).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].feed_url.as_deref(),
        Some(format!("{}/feed.xml", server.uri()).as_str())
    );
    assert!(listed[0].can_manage);

    // Following it again is refused, saying as what it is followed.
    let err = sources::follow(
        &db.store,
        &fetcher(),
        &reader,
        &format!("{}/feed.xml", server.uri()),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("already follow"), "{err}");
}

#[tokio::test]
async fn refreshing_asks_conditionally_and_adds_nothing_twice() {
    let db = TestDb::new().await;
    let reader = member(&db).await;
    let server = MockServer::start().await;
    let body = fixture("rss2.xml", "https://gazette.example", &server);
    Mock::given(path("/feed.xml"))
        .and(header("if-none-match", "\"gazette-1\""))
        .respond_with(ResponseTemplate::new(304))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/feed.xml"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("etag", "\"gazette-1\"")
                .set_body_raw(body, "application/rss+xml"),
        )
        .mount(&server)
        .await;
    let fetcher = fetcher();
    let followed = sources::follow(
        &db.store,
        &fetcher,
        &reader,
        &format!("{}/feed.xml", server.uri()),
    )
    .await
    .unwrap();
    assert_eq!(followed.added, 2);

    let again = sources::refresh(&db.store, &fetcher, followed.source_id)
        .await
        .unwrap();
    assert!(again.not_modified, "{again:?}");
    assert_eq!((again.added, again.error.as_deref()), (0, None));
    let requests = server.received_requests().await.unwrap();
    let second = requests
        .iter()
        .filter(|r| r.url.path() == "/feed.xml")
        .nth(1)
        .unwrap();
    assert_eq!(
        second.headers.get("if-none-match").unwrap(),
        "\"gazette-1\""
    );

    // A full answer with the same entries adds nothing either.
    let third = sources::refresh(&db.store, &fetcher, followed.source_id)
        .await
        .unwrap();
    assert_eq!(
        (third.added, third.already_there, third.not_modified),
        (0, 2, false)
    );
    assert_eq!(from_source(&db, "Lantern Street Gazette").await.len(), 2);
}

/// A feed at /feed.xml that answers once with `rss091.xml`, then always
/// with `then`; followed by a member. Returns the database, the source's
/// id and the fetcher.
async fn followed_then(then: ResponseTemplate) -> (TestDb, SourceId, Fetcher, MockServer) {
    let db = TestDb::new().await;
    let reader = member(&db).await;
    let server = MockServer::start().await;
    let body = fixture("rss091.xml", "", &server);
    Mock::given(path("/feed.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/rss+xml"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/feed.xml"))
        .respond_with(then)
        .mount(&server)
        .await;
    let fetcher = fetcher();
    let address = format!("{}/feed.xml", server.uri());
    let followed = sources::follow(&db.store, &fetcher, &reader, &address)
        .await
        .unwrap();
    (db, followed.source_id, fetcher, server)
}

#[tokio::test]
async fn a_failing_feed_says_why_and_waits_longer_each_time() {
    let (db, source_id, fetcher, _server) = followed_then(ResponseTemplate::new(404)).await;
    let hour = 60 * 60 * 1000;
    for (failures, wait) in [(1, hour), (2, 2 * hour), (3, 4 * hour)] {
        let refreshed = sources::refresh(&db.store, &fetcher, source_id)
            .await
            .unwrap();
        assert_eq!(
            refreshed.error.as_deref(),
            Some("the server answered 404"),
            "{failures}"
        );
        let source = &sources::list(&db.store, None).await.unwrap()[0];
        assert_eq!(
            source.last_error.as_deref(),
            Some("the server answered 404")
        );
        assert_eq!(
            source.next_refresh_at,
            db.store.now() + wait,
            "after {failures} failures"
        );
    }
}

#[tokio::test]
async fn too_many_requests_waits_as_long_as_the_server_asks() {
    let (db, source_id, fetcher, _server) =
        followed_then(ResponseTemplate::new(429).insert_header("retry-after", "7200")).await;
    let refreshed = sources::refresh(&db.store, &fetcher, source_id)
        .await
        .unwrap();
    assert!(refreshed.error.unwrap().contains("asked Parley to wait"));
    let source = &sources::list(&db.store, None).await.unwrap()[0];
    assert_eq!(source.next_refresh_at, db.store.now() + 7200 * 1000);
}

#[tokio::test]
async fn the_default_policy_refuses_this_computer_and_other_schemes() {
    let db = TestDb::new().await;
    let reader = member(&db).await;
    let server = MockServer::start().await;
    serve(
        &server,
        "/feed.xml",
        fixture("rss091.xml", "", &server),
        "text/xml",
    )
    .await;
    let default = Fetcher::new(FetchPolicy::default()).unwrap();
    let err = sources::follow(
        &db.store,
        &default,
        &reader,
        &format!("{}/feed.xml", server.uri()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.to_string().contains("this computer"), "{err}");
    let err = sources::follow(&db.store, &default, &reader, "file:///etc/passwd")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a web address"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn images_stop_when_the_budget_is_spent() {
    let server = MockServer::start().await;
    for name in ["a", "b", "c"] {
        serve(&server, &format!("/{name}.png"), png(20, 20), "image/png").await;
    }
    let urls: Vec<url::Url> = ["a", "b", "c"]
        .iter()
        .map(|name| format!("{}/{name}.png", server.uri()).parse().unwrap())
        .collect();
    let fetcher = fetcher();
    let one_image = png(20, 20).len();

    let budget = images::ImageBudget::new(2, usize::MAX);
    let fetched = images::fetch_all(&fetcher, &urls, &budget).await;
    assert_eq!(fetched.len(), 2, "two images allowed");
    let asked = server.received_requests().await.unwrap().len();
    assert_eq!(asked, 2, "the third is not even asked for");

    let budget = images::ImageBudget::new(10, one_image * 2 + one_image / 2);
    let fetched = images::fetch_all(&fetcher, &urls, &budget).await;
    assert_eq!(fetched.len(), 2, "room for two and a half images");
    // What is left is enough for no image at all.
    let again = images::fetch_all(&fetcher, &urls[..1], &budget).await;
    assert!(again.is_empty());
}

/// The RSS 0.91 fixture, answered after `delay`.
fn slow_feed(delay: Duration) -> ResponseTemplate {
    let body = std::fs::read("tests/fixtures/feeds/rss091.xml").unwrap();
    ResponseTemplate::new(200)
        .set_body_raw(body, "application/rss+xml")
        .set_delay(delay)
}

/// Two server processes on one database (two stores on one file or
/// PostgreSQL database): while one refreshes a feed, the other leaves it
/// alone, so the feed is asked once; once the first has recorded how it
/// went, the other may refresh it again.
#[tokio::test]
async fn one_process_at_a_time_refreshes_a_feed() {
    let slow = slow_feed(Duration::from_millis(700));
    let (db, source_id, fetcher, server) = followed_then(slow).await;
    let other = db.second_store().await;
    let asked = || async { server.received_requests().await.unwrap().len() };
    assert_eq!(asked().await, 1, "following fetched the feed once");

    let (first, second) = tokio::join!(sources::refresh(&db.store, &fetcher, source_id), async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        sources::refresh(&other, &fetcher, source_id).await
    });
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.error, None);
    assert!(first.notes.iter().all(|n| n != sources::BEING_REFRESHED));
    assert_eq!(second.notes, vec![sources::BEING_REFRESHED.to_owned()]);
    assert_eq!((second.added, second.error), (0, None));
    assert_eq!(
        asked().await,
        2,
        "the feed was asked once for both refreshes"
    );

    let third = sources::refresh(&other, &fetcher, source_id).await.unwrap();
    assert_eq!(third.error, None);
    assert!(third.notes.iter().all(|n| n != sources::BEING_REFRESHED));
    assert_eq!(asked().await, 3);
    other.close().await;
}

/// A refresh that stopped before recording how it went (its process
/// ended mid-fetch) holds the feed only for a while: ten minutes on,
/// another process refreshes it.
#[tokio::test]
async fn a_refresh_that_stopped_lets_go_of_its_feed() {
    let slow = slow_feed(Duration::from_millis(2_000));
    let (db, source_id, fetcher, _server) = followed_then(slow).await;
    let stopped = tokio::time::timeout(
        Duration::from_millis(300),
        sources::refresh(&db.store, &fetcher, source_id),
    )
    .await;
    assert!(stopped.is_err(), "the refresh was stopped mid-fetch");

    let other = db.second_store().await;
    let held = sources::refresh(&other, &fetcher, source_id).await.unwrap();
    assert_eq!(held.notes, vec![sources::BEING_REFRESHED.to_owned()]);

    db.clock.advance(10 * 60_000 + 1);
    let refreshed = sources::refresh(&other, &fetcher, source_id).await.unwrap();
    assert_eq!(refreshed.error, None);
    assert!(refreshed
        .notes
        .iter()
        .all(|n| n != sources::BEING_REFRESHED));
    other.close().await;
}
