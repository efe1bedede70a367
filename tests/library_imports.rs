//! Saving pages, importing files and subscriptions, and what removing
//! keeps: against a real HTTP server on 127.0.0.1 and real files.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::{fetcher, follow, png, serve, TestDb};
use parley_core::accounts::User;
use parley_core::library::{files, opml, pages, sources};
use parley_core::{articles, comments, ErrorKind};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn people(db: &TestDb) -> (User, User, User) {
    let admin = db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    (admin, ada, grace)
}

#[tokio::test]
async fn a_saved_page_is_its_article_without_the_pages_furniture() {
    let db = TestDb::new().await;
    let (_, ada, _) = people(&db).await;
    let server = MockServer::start().await;
    let page = std::fs::read("tests/fixtures/pages/article.html").unwrap();
    serve(
        &server,
        "/2026/lighthouse",
        page,
        "text/html; charset=utf-8",
    )
    .await;
    Mock::given(path("/go/lighthouse"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/2026/lighthouse"))
        .mount(&server)
        .await;
    serve(&server, "/media/logbook-1931.png", png(64, 48), "image/png").await;
    let fetcher = fetcher();

    let saved = pages::save(
        &db.store,
        &fetcher,
        &ada,
        &format!("{}/go/lighthouse?utm_source=x#top", server.uri()),
    )
    .await
    .unwrap();
    assert!(!saved.already_there);
    assert_eq!(saved.title, "The lighthouse keeper's logbooks");
    let article = articles::article(&db.store, saved.article_id)
        .await
        .unwrap();
    assert_eq!(article.author, "Maren Solberg");
    assert_eq!(article.source, "Harbour Chronicle");
    assert_eq!(article.published_at, 1_795_162_500_000);
    assert_eq!(
        article.url.as_deref(),
        Some(format!("{}/2026/lighthouse", server.uri()).as_str())
    );
    let body = &article.body_html;
    assert!(body.contains("foghorn"), "{body}");
    assert!(body.contains("parley-image://localhost/"), "{body}");
    for furniture in [
        "Subscribe",
        "Most read",
        "Ferry timetable",
        "Cookie settings",
        "trackEverything",
    ] {
        assert!(!body.contains(furniture), "{furniture} in {body}");
    }

    // The same page, under each address it was reached at, is there.
    for again in [
        format!("{}/go/lighthouse", server.uri()),
        format!("{}/2026/lighthouse?utm_medium=email", server.uri()),
    ] {
        let saved_again = pages::save(&db.store, &fetcher, &ada, &again)
            .await
            .unwrap();
        assert!(saved_again.already_there, "{again}");
        assert_eq!(saved_again.article_id, saved.article_id);
    }
}

#[tokio::test]
async fn markdown_and_html_files_import_once() {
    let db = TestDb::new().await;
    let (_, ada, _) = people(&db).await;
    let with_front = "---\ntitle: Notes from the repair café\nauthor: Ada\ndate: 2026-11-21\ntags: [repair, community]\n---\nWe fixed **nine** toasters.\n";
    let imported = files::import(
        &db.store,
        None,
        &ada,
        "repair-notes.md",
        with_front.as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(imported.title, "Notes from the repair café");
    let article = articles::article(&db.store, imported.article_id)
        .await
        .unwrap();
    assert_eq!(article.author, "Ada");
    assert_eq!(article.tags, ["community", "repair"]);
    assert_eq!(article.published_at, 1_795_219_200_000);
    assert!(
        article.body_html.contains("<strong>nine</strong>"),
        "{}",
        article.body_html
    );

    let plain = "# Winter cycling\n\nStuds on the tyres, lights on the helmet.\n\n<script>alert(1)</script>\n";
    let imported = files::import(&db.store, None, &ada, "winter.md", plain.as_bytes())
        .await
        .unwrap();
    assert_eq!(imported.title, "Winter cycling");
    let body = articles::article(&db.store, imported.article_id)
        .await
        .unwrap()
        .body_html;
    assert!(
        !body.contains("script") && !body.contains("alert"),
        "{body}"
    );

    let page = std::fs::read("tests/fixtures/pages/article.html").unwrap();
    let html = files::import(&db.store, None, &ada, "lighthouse.html", &page)
        .await
        .unwrap();
    assert_eq!(html.title, "The lighthouse keeper's logbooks");

    // Again: nothing new.
    let again = files::import(&db.store, None, &ada, "renamed.md", with_front.as_bytes())
        .await
        .unwrap();
    assert!(again.already_there);
    let err = files::import(&db.store, None, &ada, "photo.png", &png(4, 4))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let count = db.articles().await.len();
    files::import(&db.store, None, &ada, "winter copy.md", plain.as_bytes())
        .await
        .unwrap();
    assert_eq!(db.articles().await.len(), count);
}

#[tokio::test]
async fn a_file_is_read_from_its_path_with_a_size_limit() {
    let db = TestDb::new().await;
    let (_, ada, _) = people(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let note = dir.path().join("harbour.md");
    std::fs::write(&note, "# Harbour walk\n\nLow tide at six.").unwrap();
    let imported = files::import_path(&db.store, None, &ada, &note)
        .await
        .unwrap();
    assert_eq!(imported.title, "Harbour walk");
    let huge = dir.path().join("huge.md");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(files::MAX_FILE_BYTES + 1).unwrap();
    let err = files::import_path(&db.store, None, &ada, &huge)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("larger than 10 MiB"), "{err}");
}

#[tokio::test]
async fn subscriptions_export_and_import_back_to_the_same_set() {
    let db = TestDb::new().await;
    let (_, ada, _) = people(&db).await;
    let list = br#"<?xml version="1.0" encoding="UTF-8"?>
        <opml version="2.0"><head><title>From another reader</title></head><body>
          <outline text="Local" title="Local">
            <outline type="rss" text="Lantern Street Gazette" xmlUrl="https://gazette.example/feed.xml" htmlUrl="https://gazette.example/"/>
            <outline type="rss" text="Canal Boat Diary" xmlUrl="https://boatdiary.example/rss"/>
          </outline>
          <outline type="rss" text="Pocket Bakery" xmlUrl="https://bakery.example/feed.json"/>
        </body></opml>"#;
    let first = opml::import(&db.store, &ada, list).await.unwrap();
    assert_eq!((first.new.len(), first.already_followed), (3, 0));
    let again = opml::import(&db.store, &ada, list).await.unwrap();
    assert_eq!(
        (again.new.len(), again.already_followed),
        (0, 3),
        "subscribes once"
    );

    let exported = opml::export(&db.store, &ada).await.unwrap();
    let fresh = TestDb::new().await;
    let (_, grace, _) = people(&fresh).await;
    let back = opml::import(&fresh.store, &grace, &exported).await.unwrap();
    assert_eq!(back.new.len(), 3);
    let addresses = |sources: Vec<sources::Source>| {
        let mut all: Vec<(String, Option<String>)> =
            sources.into_iter().map(|s| (s.title, s.feed_url)).collect();
        all.sort();
        all
    };
    assert_eq!(
        addresses(sources::list(&fresh.store, Some(&grace)).await.unwrap()),
        addresses(sources::list(&db.store, Some(&ada)).await.unwrap())
    );
}

#[tokio::test]
async fn removing_a_source_keeps_the_articles_people_discuss() {
    let db = TestDb::new().await;
    let (admin, ada, grace) = people(&db).await;
    let server = MockServer::start().await;
    let feed = std::fs::read("tests/fixtures/feeds/rss091.xml").unwrap();
    serve(&server, "/feed.xml", feed, "application/rss+xml").await;
    let followed = follow(&db, &ada, &format!("{}/feed.xml", server.uri())).await;
    let from_feed: Vec<_> = db
        .articles()
        .await
        .into_iter()
        .filter(|a| a.source == "Canal Boat Diary")
        .collect();
    assert_eq!(from_feed.len(), 2);
    let discussed = from_feed[0].id;
    comments::post(&db.store, &grace, discussed, None, "Lovely heron.")
        .await
        .unwrap();

    // Saving the other one as a page keeps it too, without fetching it
    // again (the server knows nothing of that address).
    let kept = from_feed.iter().find(|a| a.id != discussed).unwrap();
    let link = if kept.title.contains("heron") {
        "https://boatdiary.example/heron"
    } else {
        "https://boatdiary.example/ice-on-the-lock-gates"
    };
    let saved = pages::save(&db.store, &fetcher(), &grace, link)
        .await
        .unwrap();
    assert!(saved.already_there);
    assert_eq!(saved.article_id, kept.id);

    // Only whoever added it, or the admin, may remove it.
    let err = sources::remove(&db.store, &grace, followed.source_id)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    sources::remove(&db.store, &ada, followed.source_id)
        .await
        .unwrap();
    let left: Vec<_> = db
        .articles()
        .await
        .into_iter()
        .filter(|a| a.source == "Canal Boat Diary")
        .collect();
    let mut left: Vec<_> = left.iter().map(|a| a.id).collect();
    left.sort();
    let mut expected = vec![discussed, kept.id];
    expected.sort();
    assert_eq!(left, expected);

    // An article with a discussion is the admin's to delete.
    let err = articles::delete_article(&db.store, &ada, discussed)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    articles::delete_article(&db.store, &admin, discussed)
        .await
        .unwrap();
    assert!(articles::article(&db.store, discussed).await.is_err());
}

#[tokio::test]
async fn the_reader_is_told_whether_they_may_delete_an_article() {
    let db = TestDb::new().await;
    let (admin, ada, grace) = people(&db).await;
    let imported = files::import(
        &db.store,
        None,
        &ada,
        "walk.md",
        b"# A walk\n\nAlong the canal.",
    )
    .await
    .unwrap();
    let may = |who: Option<&User>| {
        let store = db.store.clone();
        let who = who.cloned();
        async move {
            articles::article_for(&store, who.as_ref(), imported.article_id)
                .await
                .unwrap()
                .can_delete
        }
    };
    assert!(may(Some(&ada)).await);
    assert!(may(Some(&admin)).await);
    assert!(!may(Some(&grace)).await);
    assert!(!may(None).await);
    comments::post(&db.store, &grace, imported.article_id, None, "Nice walk.")
        .await
        .unwrap();
    assert!(!may(Some(&ada)).await, "discussed: only the admin now");
    assert!(may(Some(&admin)).await);
}

/// A page nested tens of thousands of elements deep (deep enough to
/// overflow readability's stack, which aborts the process): saving it,
/// importing it as a file, or finding it in a feed entry is refused with
/// a message, and Parley goes on.
#[tokio::test]
async fn pages_nested_too_deeply_are_refused_before_they_are_parsed() {
    let db = TestDb::new().await;
    let (_, ada, _) = people(&db).await;
    let depth = 20_000;
    let deep = format!(
        "<!doctype html><html><head><title>Deep</title></head><body>{}<article><h1>Down here</h1><p>{}</p></article>{}</body></html>",
        "<div>".repeat(depth),
        "words ".repeat(200),
        "</div>".repeat(depth)
    );
    let server = MockServer::start().await;
    serve(&server, "/deep", deep.clone(), "text/html").await;
    let refused = pages::save(
        &db.store,
        &fetcher(),
        &ada,
        &format!("{}/deep", server.uri()),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Invalid);
    assert!(
        refused.to_string().contains("more than 500 levels deep"),
        "{refused}"
    );

    let refused = files::import(&db.store, None, &ada, "deep.html", deep.as_bytes())
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("more than 500 levels deep"),
        "{refused}"
    );

    // In a feed, the deep entry is skipped and the other one is added.
    let feed = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Deep Feed</title>
        <item><title>Too deep</title><link>https://deep.example/1</link><description>{}</description></item>
        <item><title>Shallow</title><link>https://deep.example/2</link><description>Fine.</description></item>
        </channel></rss>"#,
        deep.replace('&', "&amp;").replace('<', "&lt;")
    );
    serve(&server, "/feed.xml", feed, "application/rss+xml").await;
    let followed = follow(&db, &ada, &format!("{}/feed.xml", server.uri())).await;
    assert_eq!(followed.added, 1);
    assert!(
        followed
            .notes
            .iter()
            .any(|n| n.starts_with("“Too deep” was skipped") && n.contains("levels deep")),
        "{:?}",
        followed.notes
    );
    assert!(db.articles().await.iter().any(|a| a.title == "Shallow"));
}
