//! How much the library keeps: a feed that changes its entries' ids on
//! every fetch stays within its source's caps, the library within its
//! own, the oldest undiscussed articles make room, the source says so, and
//! what was removed does not come back.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::common;

use common::{fetcher, follow, noisy_png, serve, TestDb};
use parley_core::accounts::User;
use parley_core::ids::SourceId;
use parley_core::library::limits::{self, LibraryLimits};
use parley_core::library::sources;
use wiremock::matchers::{path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const DAY: i64 = 24 * 60 * 60 * 1000;

/// An RSS feed of `count` entries, numbered from `first`, the newest
/// first, each with an image at /img/<n>.png when `images`.
fn feed(server: &str, first: usize, count: usize, images: bool) -> String {
    let mut items = String::new();
    for n in (first..first + count).rev() {
        let image = if images {
            format!("&lt;p&gt;&lt;img src=\"{server}/img/{n}.png\"&gt;&lt;/p&gt;")
        } else {
            String::new()
        };
        // Dates one day apart, in the entries' order.
        let day = 1 + (n % 28);
        items.push_str(&format!(
            "<item><title>Entry {n}</title><guid>entry-{n}</guid>\
             <link>{server}/posts/{n}</link>\
             <pubDate>{day} Nov 2026 10:{:02}:00 GMT</pubDate>\
             <description>Entry {n}, in words.{image}</description></item>",
            n % 60
        ));
    }
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Churn</title>\
         <link>{server}/</link>{items}</channel></rss>"
    )
}

async fn set_limits(db: &TestDb, admin: &User, limits: LibraryLimits) {
    limits::set_limits(&db.store, admin, limits).await.unwrap();
}

async fn titles_of(db: &TestDb, source: &str) -> Vec<String> {
    let mut titles: Vec<String> = db
        .articles()
        .await
        .into_iter()
        .filter(|a| a.source == source)
        .map(|a| a.title)
        .collect();
    titles.sort();
    titles
}

async fn notice(db: &TestDb, user: &User, source: SourceId) -> String {
    sources::list(&db.store, Some(user))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == source)
        .and_then(|s| s.notice)
        .unwrap_or_default()
}

#[tokio::test]
async fn a_feed_that_renames_its_entries_stays_within_its_source_cap() {
    let db = TestDb::new().await;
    let admin = db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    set_limits(
        &db,
        &admin,
        LibraryLimits {
            max_articles_per_source: 10,
            ..LibraryLimits::default()
        },
    )
    .await;
    let server = MockServer::start().await;
    let uri = server.uri();
    // Twelve entries with ids it has never used before, on every fetch.
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&fetches);
    Mock::given(path("/feed.xml"))
        .respond_with(move |_: &Request| {
            let round = counter.fetch_add(1, Ordering::SeqCst);
            ResponseTemplate::new(200)
                .set_body_raw(feed(&uri, round * 100, 12, false), "application/rss+xml")
        })
        .mount(&server)
        .await;
    let followed = follow(&db, &ada, &format!("{}/feed.xml", server.uri())).await;
    assert_eq!(followed.added, 12);
    assert_eq!(titles_of(&db, "Churn").await.len(), 10);
    assert!(
        followed
            .notes
            .iter()
            .any(|n| n.contains("newest 10 articles") && n.contains("2 older articles")),
        "{:?}",
        followed.notes
    );
    // Someone talks about one of them: it stays, whatever comes.
    let discussed = db
        .articles()
        .await
        .into_iter()
        .find(|a| a.source == "Churn")
        .unwrap();
    db.post(&ada, discussed.id, None, "Worth keeping").await;

    for _ in 0..3 {
        db.clock.advance(DAY);
        let again = sources::refresh(&db.store, &fetcher(), followed.source_id)
            .await
            .unwrap();
        assert_eq!(again.added, 12, "{again:?}");
        let kept = titles_of(&db, "Churn").await;
        assert_eq!(kept.len(), 10, "{kept:?}");
        assert!(kept.contains(&discussed.title), "{kept:?}");
    }
    let said = notice(&db, &ada, followed.source_id).await;
    assert!(
        said.contains("To keep this feed within its newest 10 articles"),
        "{said}"
    );
}

#[tokio::test]
async fn what_a_cap_removed_does_not_come_back() {
    let db = TestDb::new().await;
    let admin = db.account("admin", "The Admin").await;
    set_limits(
        &db,
        &admin,
        LibraryLimits {
            max_articles_per_source: 10,
            ..LibraryLimits::default()
        },
    )
    .await;
    let server = MockServer::start().await;
    serve(
        &server,
        "/feed.xml",
        feed(&server.uri(), 1, 14, false),
        "application/rss+xml",
    )
    .await;
    let followed = follow(&db, &admin, &format!("{}/feed.xml", server.uri())).await;
    let kept = titles_of(&db, "Churn").await;
    assert_eq!(kept.len(), 10);
    assert!(
        !kept.contains(&"Entry 1".to_owned()),
        "the oldest went: {kept:?}"
    );
    let again = sources::refresh(&db.store, &fetcher(), followed.source_id)
        .await
        .unwrap();
    assert_eq!((again.added, again.already_there), (0, 14), "{again:?}");
    assert_eq!(titles_of(&db, "Churn").await, kept);
}

#[tokio::test]
async fn images_stay_within_the_sources_and_the_librarys_caps() {
    let db = TestDb::new().await;
    let admin = db.account("admin", "The Admin").await;
    let mib = 1024 * 1024;
    set_limits(
        &db,
        &admin,
        LibraryLimits {
            max_source_image_bytes: mib,
            max_library_image_bytes: 2 * mib,
            ..LibraryLimits::default()
        },
    )
    .await;
    // Each image is about 300 KiB of noise.
    let server = MockServer::start().await;
    Mock::given(path_regex(r"^/img/\d+\.png$"))
        .respond_with(|request: &Request| {
            let n: u32 = request.url.path()[5..]
                .trim_end_matches(".png")
                .parse()
                .unwrap();
            ResponseTemplate::new(200).set_body_raw(noisy_png(320, 320, n + 1), "image/png")
        })
        .mount(&server)
        .await;
    let mut followed = Vec::new();
    for (name, first) in [("a", 1), ("b", 100), ("c", 200)] {
        let body = feed(&server.uri(), first, 6, true).replace("Churn", name);
        serve(
            &server,
            &format!("/{name}.xml"),
            body,
            "application/rss+xml",
        )
        .await;
        let done = follow(&db, &admin, &format!("{}/{name}.xml", server.uri())).await;
        followed.push(done);
        let held = limits::image_bytes(&db.store).await.unwrap();
        assert!(held <= 2 * mib, "the library holds {held} bytes of images");
    }
    for source in &followed {
        let bytes = db
            .raw_i64(
                "SELECT CAST(coalesce(sum(length(i.bytes)), 0) AS BIGINT) FROM article_images i
                 JOIN articles a ON a.id = i.article_id WHERE a.source_id = $1",
                &[common::id(source.source_id)],
            )
            .await;
        assert!(bytes <= mib, "{}: {bytes} bytes", source.title);
        if source.title == "c" {
            assert!(
                bytes > mib / 2,
                "the newest feed has its images: {bytes} bytes"
            );
        }
    }
    // The third feed's images made room by removing older articles of the
    // first two, and its source says so.
    let said = notice(&db, &admin, followed[2].source_id).await;
    assert!(
        said.contains("The library's images reached 2 MiB"),
        "{said}"
    );
    assert!(titles_of(&db, "a").await.len() < 6);
}
