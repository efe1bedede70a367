//! Opening an article whose discussion is about 500 of its passages: the
//! marks (every passage with its count of live comments) and the first
//! page of the discussion with each comment's quote, on SQLite and on
//! PostgreSQL. Both must fit well inside the window's 200 ms budget for
//! the first comments. Run with `./scripts/bench --bench marks`.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "benchmark set-up: a failure is a broken benchmark"
)]

mod common;

use common::{engines, BenchDb, Engine};
use criterion::{criterion_group, criterion_main, Criterion};
use parley_core::accounts::{self, NewAccount, User};
use parley_core::comments::{self, ThreadQuery};
use parley_core::ids::{ArticleId, CommentId};
use parley_core::passages::{self, NewPassage};
use tokio::runtime::Runtime;

const PASSAGES: usize = 500;

struct Discussed {
    db: BenchDb,
    article: ArticleId,
    reader: User,
}

/// A 20,000-word article (200 paragraphs of 100 words) with `PASSAGES`
/// passages discussed, each by one comment with one reply.
async fn discussed(engine: Engine) -> Discussed {
    let db = BenchDb::new(engine).await;
    let store = db.store.clone();
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
    let paragraphs: Vec<String> = (0..200)
        .map(|p| {
            let words: Vec<String> = (0..100).map(|w| format!("w{p}x{w}")).collect();
            format!("<p>{}.</p>", words.join(" "))
        })
        .collect();
    let article = ArticleId::new();
    with_pool!(&db.raw, |pool| {
        sqlx::query(
            "INSERT INTO articles (id, title, source, author, published_at, summary, body_html, created_at)
             VALUES ($1, 'A long article', 'Benchmarks', 'Nobody', 0, '', $2, 0)",
        )
        .bind(article)
        .bind(paragraphs.join("\n"))
        .execute(pool)
        .await
        .unwrap();
    });
    let shown = parley_core::articles::article(&store, article)
        .await
        .unwrap();
    let text = passages::text::of_html(&shown.body_html);
    let words: Vec<(usize, &str)> = text
        .split(' ')
        .scan(0usize, |at, w| {
            let start = *at;
            *at += w.chars().count() + 1;
            Some((start, w))
        })
        .collect();
    for i in 0..PASSAGES {
        // Five words out of every 39.
        let first = i * 39;
        let (start, _) = words[first];
        let (last_start, last) = words[first + 4];
        let end = last_start + last.chars().count();
        let quote: String = text.chars().skip(start).take(end - start).collect();
        let passage = NewPassage {
            version: shown.version,
            start: start as u32,
            end: end as u32,
            quote,
        };
        let id = comments::post_about(
            &store,
            &writer,
            article,
            &passage,
            "On these words.",
            CommentId::new(),
        )
        .await
        .unwrap();
        comments::post(&store, &reader, article, Some(id), "A reply.")
            .await
            .unwrap();
    }
    db.settle().await;
    Discussed {
        db,
        article,
        reader,
    }
}

fn marks(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let mut group = c.benchmark_group("marks");
    group.sample_size(20);
    for engine in engines() {
        let d = rt.block_on(discussed(engine));
        let name = engine.name();
        group.bench_function(format!("{name}/500 passages: marks"), |b| {
            b.to_async(&rt).iter(|| async {
                let marks = passages::marks(&d.db.store, Some(&d.reader), d.article, None)
                    .await
                    .unwrap();
                assert_eq!(marks.marks.len(), PASSAGES);
                marks
            });
        });
        group.bench_function(
            format!("{name}/500 passages: article, marks and first page"),
            |b| {
                b.to_async(&rt).iter(|| async {
                    let store = &d.db.store;
                    let article =
                        parley_core::articles::article_for(store, Some(&d.reader), d.article);
                    let marks = passages::marks(store, Some(&d.reader), d.article, None);
                    let query = ThreadQuery {
                        limit: 40,
                        ..ThreadQuery::default()
                    };
                    let page = comments::thread_page(store, Some(&d.reader), d.article, &query);
                    let (article, marks, page) = tokio::join!(article, marks, page);
                    (article.unwrap(), marks.unwrap(), page.unwrap())
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, marks);
criterion_main!(benches);
