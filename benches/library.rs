//! The library at scale: following a 1,000-entry feed, refreshing 200
//! unchanged feeds (all 304) from a local server, importing 1,000 Markdown
//! files, and the first page of a library of 50,000 articles. Run with
//! `cargo bench -p parley-core --bench library`; the README's table comes
//! from here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark set-up: a failure is a broken benchmark"
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use parley_core::accounts::{self, NewAccount, User};
use parley_core::ids::ArticleId;
use parley_core::library::fetch::{FetchPolicy, Fetcher};
use parley_core::library::jobs::{Jobs, Task};
use parley_core::library::listing::{self, LibraryQuery};
use parley_core::library::{files, sources};
use parley_core::store::Store;
use tokio::runtime::Runtime;
use wiremock::matchers::{header_exists, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn fresh() -> (tempfile::TempDir, Store, User) {
    let dir = tempfile::tempdir().unwrap();
    let store = parley_core::startup::open(dir.path()).await.unwrap();
    let user = reader(&store).await;
    (dir, store, user)
}

/// The account whose library is browsed.
async fn reader(store: &Store) -> User {
    accounts::create_account(
        store,
        NewAccount {
            username: "reader".into(),
            display_name: "Reader".into(),
            password: "a long enough admin password".into(),
        },
    )
    .await
    .unwrap()
}

/// An RSS feed of `n` entries with a paragraph of content each.
fn feed(n: usize) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Big feed</title><link>https://big.example/</link>"#,
    );
    for i in 0..n {
        xml.push_str(&format!(
            "<item><title>Entry {i}</title><link>https://big.example/{i}</link><guid>big-{i}</guid>\
             <pubDate>Mon, 30 Nov 2026 10:{:02}:00 +0000</pubDate><category>news</category>\
             <description><![CDATA[<p>Entry {i} has <strong>a paragraph</strong> of text, \
             <a href=\"/more/{i}\">a link</a> and nothing else of note.</p>]]></description></item>",
            i % 60
        ));
    }
    xml.push_str("</channel></rss>");
    xml
}

fn following(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(path_regex("^/big.xml$"))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(feed(1_000), "application/rss+xml"),
            )
            .mount(&server),
    );
    let fetcher = Fetcher::new(FetchPolicy::allowing_loopback()).unwrap();
    let address = format!("{}/big.xml", server.uri());
    let mut group = c.benchmark_group("library");
    group.sample_size(10);
    group.bench_function("follow a 1,000-entry feed", |b| {
        b.to_async(&rt).iter_custom(|iterations| {
            let (fetcher, address) = (&fetcher, &address);
            async move {
                let mut spent = Duration::ZERO;
                for _ in 0..iterations {
                    // A new library each time: a second follow adds nothing.
                    let (_dir, store, user) = fresh().await;
                    let started = Instant::now();
                    let done = sources::follow(&store, fetcher, &user, address)
                        .await
                        .unwrap();
                    spent += started.elapsed();
                    assert_eq!(done.added, 1_000);
                }
                spent
            }
        });
    });
    group.finish();
}

fn refreshing(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let server = rt.block_on(MockServer::start());
    rt.block_on(async {
        Mock::given(path_regex("^/feed/[0-9]+$"))
            .and(header_exists("if-none-match"))
            .respond_with(ResponseTemplate::new(304))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path_regex("^/feed/[0-9]+$"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("etag", "\"same\"")
                    .set_body_raw(feed(5), "application/rss+xml"),
            )
            .mount(&server)
            .await;
    });
    let fetcher = Fetcher::new(FetchPolicy::allowing_loopback()).unwrap();
    let (_dir, store, user) = rt.block_on(fresh());
    let tasks: Vec<Task> = rt.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..200 {
            let url = url::Url::parse(&format!("{}/feed/{i}", server.uri())).unwrap();
            let (source, _) = sources::subscribe(&store, &user, &url, &format!("Feed {i}"), None)
                .await
                .unwrap();
            // A first refresh stores the validators the next ones send.
            sources::refresh(&store, &fetcher, source).await.unwrap();
            tasks.push(Task::Refresh {
                source,
                title: format!("Feed {i}"),
            });
        }
        tasks
    });
    let jobs = rt.block_on(async { Jobs::new(store.clone(), fetcher.clone()) });
    let mut group = c.benchmark_group("library");
    group.sample_size(10);
    group.bench_function("refresh 200 unchanged feeds (304)", |b| {
        b.to_async(&rt).iter(|| {
            let (jobs, tasks) = (Arc::clone(&jobs), tasks.clone());
            async move {
                let mut updates = jobs.watch();
                let id = jobs.start("Refreshing", None, tasks).unwrap();
                loop {
                    let view = updates.recv().await.unwrap().view;
                    if view.id == id && view.finished {
                        assert_eq!(view.failed, 0);
                        break;
                    }
                }
            }
        });
    });
    group.finish();
}

fn importing(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let documents: Vec<(String, String)> = (0..1_000)
        .map(|i| {
            (
                format!("note-{i}.md"),
                format!(
                    "---\ntitle: Note {i}\nauthor: Reader\ndate: 2026-11-{:02}\ntags: [notes, batch]\n---\n\
                     # Note {i}\n\nA short note with **bold**, a [link](https://example.com/{i}) and a list:\n\n\
                     - one\n- two\n",
                    i % 28 + 1
                ),
            )
        })
        .collect();
    let mut group = c.benchmark_group("library");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("import 1,000 Markdown files", |b| {
        b.to_async(&rt).iter_custom(|iterations| {
            let documents = &documents;
            async move {
                let mut spent = Duration::ZERO;
                for _ in 0..iterations {
                    let (_dir, store, user) = fresh().await;
                    let started = Instant::now();
                    for (name, text) in documents {
                        files::import(&store, None, &user, name, text.as_bytes())
                            .await
                            .unwrap();
                    }
                    spent += started.elapsed();
                }
                spent
            }
        });
    });
    group.finish();
}

fn browsing(c: &mut Criterion) {
    for engine in common::engines() {
        browsing_on(c, engine);
    }
}

fn browsing_on(c: &mut Criterion, engine: common::Engine) {
    let rt = Runtime::new().unwrap();
    let db = rt.block_on(common::BenchDb::new(engine));
    let store = db.store.clone();
    let user = rt.block_on(reader(&store));
    rt.block_on(async {
        in_raw_tx!(&db.raw, |tx| {
            for i in 0..50_000_i64 {
                let id = ArticleId::new();
                sqlx::query(
                    "INSERT INTO articles (id, title, source, author, published_at, summary,
                                           body_html, body_text, created_at, origin)
                     VALUES ($1, $2, 'Big feed', 'Someone', $3, 'A summary of reasonable length.',
                             '<p>Body.</p>', 'Body.', 0, 'feed')",
                )
                .bind(id)
                .bind(format!("Article {i}"))
                .bind(1_700_000_000_000 + i * 60_000)
                .execute(&mut *tx)
                .await
                .unwrap();
                sqlx::query("INSERT INTO article_tags (article_id, tag) VALUES ($1, $2)")
                    .bind(id)
                    .bind(["news", "science", "city"][(i % 3) as usize])
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
        });
        db.analyze().await;
    });
    let name = |what: &str| format!("{}/{what}", engine.name());
    let mut group = c.benchmark_group("library");
    group.bench_function(name("first library page of 50,000 articles"), |b| {
        b.to_async(&rt).iter(|| async {
            let page = listing::page(&store, Some(&user), &LibraryQuery::default())
                .await
                .unwrap();
            assert_eq!(page.articles.len(), 50);
        });
    });
    group.bench_function(name("first page of one tag, 50,000 articles"), |b| {
        b.to_async(&rt).iter(|| async {
            let query = LibraryQuery {
                tag: Some("science".into()),
                ..LibraryQuery::default()
            };
            listing::page(&store, Some(&user), &query).await.unwrap()
        });
    });
    group.finish();
}

criterion_group!(benches, browsing, refreshing, following, importing);
criterion_main!(benches);
