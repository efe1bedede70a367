//! What a reader waits for: a whole thread loaded and serialized, posting
//! one comment durably, rendering a long comment, signing in (argon2id at
//! 64 MiB, t = 3, p = 1). Run with
//! `cargo bench -p parley-core`; the README's table comes from here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark set-up: a failure is a broken benchmark"
)]

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use parley_core::accounts::{self, NewAccount, User};
use parley_core::comments::{self, Sort, ThreadQuery, MAX_PAGE};
use parley_core::ids::{ArticleId, CommentId};
use parley_core::render::render_markdown;
use parley_core::{articles, samples};
use tokio::runtime::Runtime;

use common::{engines, BenchDb, Engine};

struct Thread {
    db: BenchDb,
    reader: User,
    article: ArticleId,
}

/// A database holding one article with `n` comments: a quarter at the top
/// level, each followed by a chain of three replies, with a few votes.
async fn thread_of(engine: Engine, n: usize) -> Thread {
    let db = BenchDb::new(engine).await;
    let store = db.store.clone();
    samples::add_samples_if_empty(&store).await.unwrap();
    let new = |name: &str| NewAccount {
        username: name.into(),
        display_name: format!("{name} display name"),
        password: format!("{name} long password"),
    };
    let writer = accounts::create_account(&store, new("writer"))
        .await
        .unwrap();
    let reader = accounts::create_account(&store, new("reader"))
        .await
        .unwrap();
    let article = articles::list_articles(&store, None).await.unwrap()[0].id;
    in_raw_tx!(&db.raw, |tx| {
        let mut parent: Option<CommentId> = None;
        for i in 0..n {
            if i % 4 == 0 {
                parent = None;
            }
            let id = CommentId::new();
            let body = format!("Comment {i}: a remark of ordinary length, with *a little* emphasis and a [link](https://example.com/{i}).");
            sqlx::query(
                "INSERT INTO comments (id, article_id, parent_id, author_id, body, body_html, created_at, upvotes, downvotes)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(article)
            .bind(parent)
            .bind(writer.id)
            .bind(&body)
            .bind(render_markdown(&body))
            .bind(i as i64 * 1000)
            .bind((i % 7) as i64)
            .bind((i % 3) as i64)
            .execute(&mut *tx)
            .await
            .unwrap();
            parent = Some(id);
        }
    });
    db.settle().await;
    Thread {
        db,
        reader,
        article,
    }
}

/// The floor: the same rows stepped out of SQLite and serialized, with no
/// tree, no order and no per-reader state.
async fn floor(t: &Thread) -> Vec<u8> {
    type Row = (CommentId, Option<CommentId>, String, String, i64, i64, i64);
    let rows: Vec<Row> = with_pool!(&t.db.raw, |pool| {
        sqlx::query_as(
        "SELECT c.id, c.parent_id, u.display_name, c.body_html, c.created_at, c.upvotes, c.downvotes
         FROM comments c JOIN users u ON u.id = c.author_id WHERE c.article_id = $1",
    )
    .bind(t.article)
    .fetch_all(pool)
    .await
    .unwrap()
    });
    serde_json::to_vec(&rows).unwrap()
}

async fn whole_thread(t: &Thread) -> Vec<u8> {
    let query = ThreadQuery {
        sort: Some(Sort::Best),
        limit: MAX_PAGE,
        ..ThreadQuery::default()
    };
    let page = comments::thread_page(&t.db.store, Some(&t.reader), t.article, &query)
        .await
        .unwrap();
    serde_json::to_vec(&page).unwrap()
}

async fn first_page(t: &Thread) -> Vec<u8> {
    let query = ThreadQuery {
        sort: Some(Sort::Best),
        limit: 40,
        ..ThreadQuery::default()
    };
    let page = comments::thread_page(&t.db.store, Some(&t.reader), t.article, &query)
        .await
        .unwrap();
    serde_json::to_vec(&page).unwrap()
}

fn threads(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let mut group = c.benchmark_group("thread");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    for (engine, n) in engines()
        .into_iter()
        .flat_map(|e| [1_000usize, 10_000, 100_000].map(|n| (e, n)))
    {
        let t = rt.block_on(thread_of(engine, n));
        let id = |what: &str| BenchmarkId::new(format!("{}/{what}", engine.name()), n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(id("floor: rows + JSON"), &t, |b, t| {
            b.to_async(&rt).iter(|| floor(t));
        });
        group.bench_with_input(id("whole thread, cold"), &t, |b, t| {
            b.to_async(&rt).iter(|| async {
                t.db.store.forget_caches();
                whole_thread(t).await
            });
        });
        group.bench_with_input(id("whole thread, cached order"), &t, |b, t| {
            b.to_async(&rt).iter(|| whole_thread(t));
        });
        group.bench_with_input(id("first page (40), cold"), &t, |b, t| {
            b.to_async(&rt).iter(|| async {
                t.db.store.forget_caches();
                first_page(t).await
            });
        });
        group.bench_with_input(id("next page (60), cached order"), &t, |b, t| {
            b.to_async(&rt).iter(|| async {
                let query = ThreadQuery {
                    sort: Some(Sort::Best),
                    offset: (n / 2) as u32,
                    limit: 60,
                    ..ThreadQuery::default()
                };
                comments::thread_page(&t.db.store, Some(&t.reader), t.article, &query)
                    .await
                    .unwrap()
            });
        });
    }
    group.finish();
}

fn posting(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    for engine in engines() {
        let t = rt.block_on(thread_of(engine, 1_000));
        // Durably: SQLite with synchronous=FULL, PostgreSQL with its
        // default synchronous_commit=on and fsync.
        c.bench_function(&format!("{}/post one comment", engine.name()), |b| {
            b.to_async(&rt).iter(|| async {
                comments::post(
                    &t.db.store,
                    &t.reader,
                    t.article,
                    None,
                    "A new comment, saved durably.",
                )
                .await
                .unwrap()
            });
        });
    }
}

fn rendering(c: &mut Criterion) {
    let mut source = String::new();
    let mut i = 0;
    while source.chars().count() < 9_900 {
        source.push_str(&format!(
            "Paragraph {i} with **bold**, *emphasis*, `code` and a [link](https://example.com/{i}).\n\n> a quoted line\n\n- item one\n- item two\n\n"
        ));
        i += 1;
    }
    c.bench_function("render a 10,000-character comment", |b| {
        b.iter_batched(
            || source.clone(),
            |s| render_markdown(&s),
            BatchSize::SmallInput,
        );
    });
}

fn signing_in(c: &mut Criterion) {
    for engine in engines() {
        signing_in_on(c, engine);
    }
}

fn signing_in_on(c: &mut Criterion, engine: Engine) {
    let rt = Runtime::new().unwrap();
    let db = rt.block_on(BenchDb::new(engine));
    let store = rt.block_on(async {
        let store = db.store.clone();
        accounts::create_account(
            &store,
            NewAccount {
                username: "ada".into(),
                display_name: "Ada".into(),
                password: "analytical engine 1843".into(),
            },
        )
        .await
        .unwrap();
        store
    });
    let mut group = c.benchmark_group("accounts");
    group.sample_size(20);
    group.bench_function(
        format!("{}/sign in (argon2id verify)", engine.name()),
        |b| {
            b.to_async(&rt).iter(|| async {
                accounts::verify_credentials(&store, "ada", "analytical engine 1843".into())
                    .await
                    .unwrap()
            });
        },
    );
    // A new name each time: five failures on one name would start the
    // back-off, which answers without hashing at all.
    let attempt = std::sync::atomic::AtomicU64::new(0);
    group.bench_function(
        format!("{}/sign in, unknown user (dummy hash)", engine.name()),
        |b| {
            b.to_async(&rt).iter(|| async {
                let n = attempt.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                accounts::verify_credentials(&store, &format!("nobody{n}"), "a password".into())
                    .await
                    .unwrap_err()
            });
        },
    );
    group.finish();
}

criterion_group!(benches, threads, posting, rendering, signing_in);
criterion_main!(benches);
