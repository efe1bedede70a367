//! Feeds in the shapes real sites publish, which a well-known reader
//! reads and Parley must too: UTF-16 and UTF-32, XML Base on the feed and
//! the entry, odd content types beside ordinary ones, text titles with
//! angle brackets, Atom 0.3, RSS 1.0 with its modules, RSS 0.90, feeds with
//! no entries, and the names and links feeds write. The fixtures in
//! `tests/fixtures/feeds/shapes/` were written for Parley.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;
use crate::library_jobs::until_finished;

use std::path::Path;

use common::{fetcher, follow, png, serve, TestDb};
use parley_core::accounts::User;
use parley_core::articles;
use parley_core::library::feeds::{self, FeedEntry, ParsedFeed};
use parley_core::library::jobs::{ItemState, JobView, Jobs, Task};
use parley_core::library::sources;
use url::Url;
use wiremock::MockServer;

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(Path::new("tests/fixtures/feeds").join(name)).unwrap()
}

fn feed_url() -> Url {
    Url::parse("https://feeds.example/feed.xml").unwrap()
}

fn read(name: &str) -> ParsedFeed {
    feeds::parse(&bytes(name), &feed_url()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn titles(feed: &ParsedFeed) -> Vec<&str> {
    feed.entries.iter().map(|e| e.title.as_str()).collect()
}

/// `text` in UTF-16 or UTF-32, either byte order, with or without a
/// byte-order mark.
fn wide(text: &str, units: usize, big_endian: bool, bom: bool) -> Vec<u8> {
    let text = if bom {
        format!("\u{FEFF}{text}")
    } else {
        text.to_owned()
    };
    let mut out = Vec::new();
    if units == 2 {
        for u in text.encode_utf16() {
            out.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
    } else {
        for c in text.chars() {
            let c = u32::from(c);
            out.extend(if big_endian {
                c.to_be_bytes()
            } else {
                c.to_le_bytes()
            });
        }
    }
    out
}

#[test]
fn feeds_in_utf16_and_utf32_are_read() {
    let utf8 = String::from_utf8(bytes("rss2.xml")).unwrap();
    let mut variants = Vec::new();
    for units in [2, 4] {
        for big_endian in [false, true] {
            for bom in [false, true] {
                variants.push((
                    format!(
                        "UTF-{} {} {}",
                        units * 8,
                        if big_endian { "BE" } else { "LE" },
                        bom
                    ),
                    wide(&utf8.replace("UTF-8", "UTF-16"), units, big_endian, bom),
                ));
            }
        }
    }
    for label in ["UCS-2", "csUnicode", "ISO-10646-UCS-2"] {
        variants.push((
            label.to_owned(),
            wide(&utf8.replace("UTF-8", label), 2, false, false),
        ));
    }
    for (label, document) in variants {
        let feed = feeds::parse(&document, &feed_url()).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(feed.title, "Lantern Street Gazette", "{label}");
        assert_eq!(
            titles(&feed),
            [
                "Allotment society opens a seed library",
                "Night market moves to the canal path"
            ],
            "{label}"
        );
        assert_eq!(feed.entries[0].author, "Ines Okafor", "{label}");
    }
}

#[tokio::test]
async fn a_utf16_feed_followed_in_a_job_finishes_with_its_articles() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let server = MockServer::start().await;
    let utf8 = String::from_utf8(bytes("rss2.xml")).unwrap();
    serve(
        &server,
        "/feed.xml",
        wide(&utf8.replace("UTF-8", "UTF-16"), 2, true, false),
        "application/rss+xml; charset=utf-16",
    )
    .await;
    let done = follow_in_a_job(&db, &ada, format!("{}/feed.xml", server.uri())).await;
    assert_eq!(done.items[0].state, ItemState::Added { articles: 2 });
}

/// Follows `address` as `who` would from the window: in a job, to its end.
async fn follow_in_a_job(db: &TestDb, who: &User, address: String) -> JobView {
    let jobs = Jobs::new(db.store.clone(), fetcher());
    let id = jobs
        .start("Following", Some(who.clone()), vec![Task::Follow(address)])
        .unwrap();
    until_finished(&jobs, who, id).await.0
}

/// The entry titled `title`.
fn entry<'f>(feed: &'f ParsedFeed, title: &str) -> &'f FeedEntry {
    feed.entries
        .iter()
        .find(|e| e.title == title)
        .unwrap_or_else(|| panic!("no entry {title:?} in {:?}", titles(feed)))
}

#[test]
fn xml_base_on_the_feed_and_the_entry_is_followed() {
    let feed = read("shapes/xml-base.xml");
    assert_eq!(
        feed.site_url.as_ref().map(Url::as_str),
        Some("https://lab.example/lab/")
    );
    let roof = entry(&feed, "Why the roof sensor reads warm");
    assert_eq!(
        roof.link.as_ref().map(Url::as_str),
        Some("https://lab.example/lab/posts/roof-sensor")
    );
    assert_eq!(roof.base.as_str(), "https://lab.example/lab/");
    let frost = entry(&feed, "Last winter's frost count");
    assert_eq!(
        frost.link.as_ref().map(Url::as_str),
        Some("https://lab.example/lab/archive/2025/frost")
    );
    assert_eq!(frost.base.as_str(), "https://lab.example/lab/archive/2025/");
    // A javascript: or data: base is no base: the feed's stands.
    let hostile = entry(&feed, "A base that is not a web address");
    assert_eq!(
        hostile.link.as_ref().map(Url::as_str),
        Some("https://lab.example/lab/posts/not-a-base")
    );
    assert_eq!(hostile.base.as_str(), "https://lab.example/lab/");
}

#[tokio::test]
async fn links_and_images_resolve_against_the_base_in_scope() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let server = MockServer::start().await;
    let feed = String::from_utf8(bytes("shapes/xml-base.xml"))
        .unwrap()
        .replace("https://lab.example", &server.uri());
    serve(&server, "/lab/feed.xml", feed, "application/atom+xml").await;
    serve(
        &server,
        "/lab/images/roof-chart.png",
        png(40, 30),
        "image/png",
    )
    .await;
    let followed = follow(&db, &ada, &format!("{}/lab/feed.xml", server.uri())).await;
    assert_eq!(followed.added, 3);
    let listed = db.articles().await;
    let body = |title: &str| {
        let id = listed.iter().find(|a| a.title == title).unwrap().id;
        let store = db.store.clone();
        async move { articles::article(&store, id).await.unwrap().body_html }
    };
    let roof = body("Why the roof sensor reads warm").await;
    assert!(
        roof.contains(&format!(r#"href="{}/lab/posts/temperature""#, server.uri())),
        "{roof}"
    );
    assert!(
        roof.contains(r#"src="parley-image://localhost/"#),
        "the image was stored: {roof}"
    );
    let frost = body("Last winter's frost count").await;
    assert!(
        frost.contains(&format!(
            r#"href="{}/lab/archive/2025/frost-table""#,
            server.uri()
        )),
        "{frost}"
    );
    let hostile = body("A base that is not a web address").await;
    assert!(
        hostile.contains(&format!(
            r#"href="{}/lab/posts/still-the-lab""#,
            server.uri()
        )),
        "{hostile}"
    );
    assert!(
        !hostile.to_ascii_lowercase().contains("javascript"),
        "{hostile}"
    );
    assert!(!hostile.contains("data:"), "{hostile}");
}

#[test]
fn one_odd_entry_never_refuses_the_rest_of_the_feed() {
    let feed = read("shapes/odd-content.xml");
    assert_eq!(
        titles(&feed),
        [
            "No type at all",
            "An empty type",
            "A type nobody knows",
            "Audio, in base64",
            "Inline XHTML under its media type",
            "A reference in capitals",
        ]
    );
    let content = |title: &str| entry(&feed, title).content.clone().unwrap_or_default();
    assert_eq!(
        content("No type at all"),
        "<p>Plain words, &lt;b&gt; shown as written.</p>"
    );
    assert_eq!(content("An empty type"), "<p>Empty type, read as text.</p>");
    assert_eq!(
        content("A type nobody knows"),
        "<p>Unknown type, *read* as text.</p>"
    );
    let audio = entry(&feed, "Audio, in base64");
    assert_eq!(audio.content, None, "base64 is not text");
    assert_eq!(
        audio.summary.as_deref(),
        Some("<p>A recording of the harbour bell.</p>")
    );
    assert_eq!(
        content("Inline XHTML under its media type"),
        "<p>Inline <em>markup</em>, kept.</p>"
    );
    assert_eq!(content("A reference in capitals"), "<p>Café au lait.</p>");
    // The entry with nothing but an image in base64 is skipped, and the
    // log says so, as it says which content was left out.
    assert_eq!(feed.entries.len(), 6);
    assert!(
        feed.notes
            .iter()
            .any(|n| n.contains("“Audio, in base64”") && n.contains("not text")),
        "{:?}",
        feed.notes
    );
    assert!(
        feed.notes
            .iter()
            .any(|n| n.starts_with("Entry 7") && n.contains("skipped")),
        "{:?}",
        feed.notes
    );
}

#[test]
fn text_titles_keep_their_words() {
    let rss = read("shapes/titles.xml");
    assert_eq!(rss.title, "Markup & Margins");
    assert_eq!(rss.entries[0].title, "History of the <blink> tag");
    let atom = read("shapes/atom-text-titles.xml");
    assert_eq!(atom.title, "Tags & Their Stories");
    assert_eq!(
        titles(&atom),
        ["History of the <blink> tag", "Fish & chips"]
    );
}

#[test]
fn atom_03_rss_10_with_modules_and_rss_090_are_read() {
    let bike = read("shapes/atom03.xml");
    assert_eq!(bike.title, "Slow Bicycle Weblog");
    assert_eq!(
        titles(&bike),
        ["Replacing a very old chain", "Mudguards in the rain"]
    );
    let chain = &bike.entries[0];
    assert_eq!(
        chain.link.as_ref().map(Url::as_str),
        Some("https://slowbike.example/2026/11/chain")
    );
    assert_eq!(chain.published_at, Some(1_795_762_800_000)); // 07:00 UTC
    assert_eq!(
        chain.content.as_deref(),
        Some("<p>The chain had stretched by a full link.</p>")
    );
    assert_eq!(
        bike.entries[1].content.as_deref(),
        Some("<p>Dry <strong>ankles</strong> at last.</p>")
    );

    let moss = read("shapes/rss10-modules.xml");
    assert_eq!(moss.title, "Moss and Lichen Society");
    assert_eq!(
        titles(&moss),
        [
            "The moss on the churchyard wall",
            "Lichen as a measure of clean air"
        ]
    );
    let wall = &moss.entries[0];
    assert_eq!(wall.author, "Agnes Holt");
    assert_eq!(wall.categories, ["Mosses"]);
    assert_eq!(
        wall.content.as_deref(),
        Some("<p>Three species on <em>one</em> stone.</p>")
    );

    let lighthouse = read("shapes/rss090.xml");
    assert_eq!(lighthouse.title, "Lighthouse Keepers' Log");
    assert_eq!(
        titles(&lighthouse),
        ["Fog horn tested at dawn", "New lens arrives by boat"]
    );
}

#[tokio::test]
async fn a_feed_with_no_entries_says_so() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let server = MockServer::start().await;
    serve(
        &server,
        "/feed.xml",
        bytes("shapes/no-entries.xml"),
        "application/rss+xml",
    )
    .await;
    let done = follow_in_a_job(&db, &ada, format!("{}/feed.xml", server.uri())).await;
    assert_eq!(
        done.items[0].state,
        ItemState::Empty {
            why: "this feed has no entries".into()
        }
    );
    let listed = sources::list(&db.store, Some(&ada)).await.unwrap();
    assert_eq!(listed[0].title, "A Blog Not Yet Begun");
    assert_eq!(
        listed[0].notice.as_deref(),
        Some("This feed has no entries.")
    );
}

#[tokio::test]
async fn names_titles_and_the_original_address_as_a_person_reads_them() {
    let feed = read("shapes/titles.xml");
    let blink = &feed.entries[0];
    assert_eq!(blink.author, "Lena Marsh");
    let cassette = &feed.entries[1];
    assert_eq!(
        cassette.title, "A cassette of harbour sounds",
        "from media:title"
    );
    assert_eq!(cassette.author, "Tomas Reyes");

    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let server = MockServer::start().await;
    serve(
        &server,
        "/feed.xml",
        bytes("shapes/titles.xml"),
        "application/rss+xml",
    )
    .await;
    follow(&db, &ada, &format!("{}/feed.xml", server.uri())).await;
    let listed = db.articles().await;
    let blink = listed
        .iter()
        .find(|a| a.title == "History of the <blink> tag")
        .unwrap();
    assert_eq!(blink.author, "Lena Marsh");
    let article = articles::article(&db.store, blink.id).await.unwrap();
    assert_eq!(
        article.url.as_deref(),
        Some("https://margins.example/blink?part=2"),
        "Read the original drops utm_* parameters"
    );
}
