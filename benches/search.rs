//! Search at scale: 50,000 articles and 1,000,000 comments in the library's
//! real tables, searched as the header's field searches (top 20 with
//! snippets), beside a `LIKE` scan of the same data; building the indexes
//! for the whole database; and what the index adds to posting a comment.
//! Run with `cargo bench -p parley-core --bench search`; the README's table
//! comes from here.
//!
//! The database is generated once (a few minutes on two cores) and kept in
//! `target/tmp/`, keyed by [`DATA_VERSION`].
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark set-up: a failure is a broken benchmark"
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use parley_core::accounts::{self, NewAccount, User};
use parley_core::ids::{ArticleId, CommentId, UserId};
use parley_core::search::{self, Parsed, SearchQuery};
use parley_core::store::Store;
use sqlx::SqlitePool;
use tokio::runtime::Runtime;

const ARTICLES: usize = 50_000;
const COMMENTS: usize = 1_000_000;
const PEOPLE: usize = 300;
const SOURCES: usize = 20;
/// Bump when the generated data changes.
const DATA_VERSION: u32 = 1;

/// The commonest words, most common first: comments are drawn from these
/// and a long tail of made-up words with Zipf's law, so "the" is in nearly
/// every comment, the "con…" words in most, and a tail word in a few
/// hundred.
const COMMON: &[&str] = &[
    "the", "and", "of", "to", "a", "in", "is", "that", "it", "for", "consider", "was", "on",
    "with", "context", "as", "this", "but", "control", "they", "have", "content", "not", "river",
    "are", "contrast", "be", "at", "one", "by", "garden", "from", "window", "we", "all", "open",
    "there", "when", "an", "which", "their", "said", "if", "do", "will", "each", "about", "how",
    "up", "out",
];
const SYLLABLES: &[&str] = &[
    "ba", "ke", "li", "mo", "nu", "ra", "se", "ti", "vo", "za", "pel", "dor", "fin", "gar", "hul",
    "jem", "kos", "lun", "mir", "nav",
];
/// In exactly [`RARE_COUNT`] comments.
const RARE: &str = "quixotic";
const RARE_COUNT: usize = 5;
/// A phrase planted in one comment in a hundred.
const PHRASE: &str = "slow reading";

/// A small, seeded xorshift: the same data on every machine.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Words by rank, and the cumulative Zipf weights to draw them with.
struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new() -> Self {
        let mut words: Vec<String> = COMMON.iter().map(|w| (*w).to_owned()).collect();
        'tail: for a in SYLLABLES {
            for b in SYLLABLES {
                for c in SYLLABLES {
                    words.push(format!("{a}{b}{c}"));
                    if words.len() >= 6_000 {
                        break 'tail;
                    }
                }
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect::<Vec<_>>();
        let cumulative = cumulative.iter().map(|c| c / total).collect();
        Self { words, cumulative }
    }

    fn draw(&self, random: &mut Random) -> &str {
        let u = random.unit();
        let at = self.cumulative.partition_point(|c| *c < u);
        &self.words[at.min(self.words.len() - 1)]
    }

    fn sentence(&self, random: &mut Random, words: usize) -> String {
        let mut s = String::new();
        for i in 0..words {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(self.draw(random));
        }
        s
    }
}

/// The generated database's folder, made on first use.
fn database(rt: &Runtime) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("search-bench-v{DATA_VERSION}"));
    if dir.join("complete").exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let started = Instant::now();
    rt.block_on(generate(&dir));
    std::fs::write(dir.join("complete"), "").unwrap();
    eprintln!(
        "search bench: generated {ARTICLES} articles and {COMMENTS} comments in {:.0?}",
        started.elapsed()
    );
    dir
}

async fn generate(dir: &Path) {
    // The schema, by Parley itself; then rows straight into the tables,
    // in big transactions, with the search triggers indexing as they go.
    Store::open(dir).await.unwrap().close().await;
    let pool = raw(dir).await;
    let vocabulary = Vocabulary::new();
    let mut random = Random(0x5eed_1234_abcd_0001);
    let start: i64 = 1_730_000_000_000;

    let mut tx = pool.begin().await.unwrap();
    let mut people = Vec::new();
    for i in 0..PEOPLE {
        let id = UserId::new();
        sqlx::query(
            "INSERT INTO users (id, username, username_key, display_name, password_hash, role,
                                created_at)
             VALUES (?, ?, ?, ?, 'not a hash', 'member', ?)",
        )
        .bind(id)
        .bind(format!("person{i}"))
        .bind(format!("person{i}"))
        .bind(format!("Person Number {i}"))
        .bind(start)
        .execute(&mut *tx)
        .await
        .unwrap();
        people.push(id);
    }
    let mut sources = Vec::new();
    for i in 0..SOURCES {
        let id = uuid::Uuid::now_v7();
        let title = format!("Source {i} Gazette");
        sqlx::query(
            "INSERT INTO sources (id, feed_url, title, added_at, next_refresh_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id.as_bytes().as_slice())
        .bind(format!("https://source{i}.example/feed.xml"))
        .bind(&title)
        .bind(start)
        .bind(i64::MAX)
        .execute(&mut *tx)
        .await
        .unwrap();
        sources.push((id, title));
    }
    let mut articles = Vec::with_capacity(ARTICLES);
    for i in 0..ARTICLES {
        let id = ArticleId::new();
        let (source, source_title) = &sources[i % SOURCES];
        let title = vocabulary.sentence(&mut random, 6);
        let paragraphs: Vec<String> = (0..4).map(|_| vocabulary.sentence(&mut random, 60)).collect();
        let html: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
        sqlx::query(
            "INSERT INTO articles (id, title, source, author, url, published_at, summary,
                                   body_html, body_text, created_at, origin, source_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'feed', ?)",
        )
        .bind(id)
        .bind(&title)
        .bind(source_title)
        .bind(format!("Writer {}", i % 500))
        .bind(format!("https://source{}.example/{i}", i % SOURCES))
        .bind(start + i as i64 * 600_000)
        .bind(&paragraphs[0][..80.min(paragraphs[0].len())])
        .bind(&html)
        .bind(paragraphs.join(" "))
        .bind(start)
        .bind(source.as_bytes().as_slice())
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query("INSERT INTO article_tags (article_id, tag) VALUES (?, ?)")
            .bind(id)
            .bind(format!("tag{}", i % 30))
            .execute(&mut *tx)
            .await
            .unwrap();
        articles.push(id);
    }
    tx.commit().await.unwrap();

    // Comments, in batches: 20 per article on average, two in five replies
    // to an earlier comment under the same article.
    let mut latest: Vec<Vec<CommentId>> = vec![Vec::new(); ARTICLES];
    let mut written = 0;
    while written < COMMENTS {
        let mut tx = pool.begin().await.unwrap();
        for _ in 0..50_000 {
            let a = random.below(ARTICLES);
            let parent = if !latest[a].is_empty() && random.below(5) < 2 {
                Some(latest[a][random.below(latest[a].len())])
            } else {
                None
            };
            let length = 8 + random.below(30);
            let mut body = vocabulary.sentence(&mut random, length);
            if written % (COMMENTS / RARE_COUNT) == 7 {
                body.push_str(&format!(" {RARE}"));
            }
            if written % 100 == 3 {
                body.push_str(&format!(" {PHRASE}"));
            }
            let id = CommentId::new();
            sqlx::query(
                "INSERT INTO comments (id, article_id, parent_id, author_id, body, body_html,
                                       created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(articles[a])
            .bind(parent)
            .bind(people[random.below(PEOPLE)])
            .bind(&body)
            .bind(format!("<p>{body}</p>"))
            .bind(start + written as i64 * 30_000)
            .execute(&mut *tx)
            .await
            .unwrap();
            if latest[a].len() < 8 {
                latest[a].push(id);
            } else {
                let at = random.below(8);
                latest[a][at] = id;
            }
            written += 1;
        }
        tx.commit().await.unwrap();
    }
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    pool.close().await;
    // Parley fills in what its start-up does (name keys).
    Store::open(dir).await.unwrap().close().await;
}

async fn raw(dir: &Path) -> SqlitePool {
    SqlitePool::connect(&format!("sqlite://{}", dir.join("parley.db").display()))
        .await
        .unwrap()
}

/// The queries of the benchmark: name, what is typed, and filters.
fn queries(source: &str) -> Vec<(&'static str, SearchQuery)> {
    let text = |t: &str| SearchQuery {
        text: t.into(),
        ..SearchQuery::default()
    };
    vec![
        ("a rare word", text(RARE)),
        ("a tail word", text("bakeli")),
        ("a common word", text("the")),
        ("two words", text("river garden")),
        ("a phrase", text(&format!("\"{PHRASE}\""))),
        ("a 3-letter prefix", text("con")),
        (
            "a common word, one source",
            SearchQuery {
                source: Some(source.to_owned()),
                ..text("window")
            },
        ),
        (
            "a common word, one month",
            SearchQuery {
                from: Some(1_730_000_000_000 + 10 * 86_400_000),
                until: Some(1_730_000_000_000 + 40 * 86_400_000),
                ..text("window")
            },
        ),
    ]
}

fn searching(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let dir = database(&rt);
    let store = rt.block_on(Store::open(&dir)).unwrap();
    let pool = rt.block_on(raw(&dir));
    let source = "Source 7 Gazette";

    // What each query matches, so "rare" and "common" mean something.
    for (name, query) in queries(source) {
        let fts = Parsed::new(&query.text).fts(None).unwrap();
        let matches: i64 = rt
            .block_on(
                sqlx::query_scalar("SELECT count(*) FROM comments_fts WHERE comments_fts MATCH ?")
                    .bind(&fts)
                    .fetch_one(&pool),
            )
            .unwrap();
        eprintln!("search bench: {name} ({:?}) matches {matches} comments", query.text);
    }

    let mut group = c.benchmark_group("search");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(4));
    for (name, query) in queries(source) {
        group.bench_function(format!("top 20, {name}"), |b| {
            b.to_async(&rt).iter(|| async {
                let found = search::search(&store, None, &query).await.unwrap();
                assert!(!found.comments.is_empty(), "{name}");
            });
        });
    }
    group.finish();

    // The same data without the index.
    let mut group = c.benchmark_group("search by LIKE");
    group.sample_size(10);
    for (name, word) in [("a rare word", RARE), ("a common word", "the")] {
        group.bench_function(format!("count, {name}"), |b| {
            b.to_async(&rt).iter(|| async {
                let n: i64 = sqlx::query_scalar("SELECT count(*) FROM comments WHERE body LIKE ?")
                    .bind(format!("%{word}%"))
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                assert!(n > 0);
            });
        });
    }
    group.bench_function("first 20, a rare word", |b| {
        b.to_async(&rt).iter(|| async {
            let ids: Vec<CommentId> =
                sqlx::query_scalar("SELECT id FROM comments WHERE body LIKE ? LIMIT 20")
                    .bind(format!("%{RARE}%"))
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            assert_eq!(ids.len(), RARE_COUNT);
        });
    });
    group.finish();
    rt.block_on(store.close());
    rt.block_on(pool.close());
}

/// Rebuilding both indexes from scratch, on a copy: once, timed (one run
/// takes long enough that criterion's ten samples would take minutes).
fn building(_: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let dir = database(&rt);
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join("parley.db"), copy.path().join("parley.db")).unwrap();
    rt.block_on(async {
        let pool = raw(copy.path()).await;
        for table in ["comments_fts", "articles_fts"] {
            let started = Instant::now();
            sqlx::query(&format!("INSERT INTO {table} ({table}) VALUES ('rebuild')"))
                .execute(&pool)
                .await
                .unwrap();
            eprintln!("search bench: rebuilding {table} took {:.1?}", started.elapsed());
        }
        pool.close().await;
    });
}

/// Posting one comment on the big database, with the index and (on a
/// copy) without its triggers: the difference is what search costs a
/// writer.
fn posting(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let dir = database(&rt);
    let with = tempfile::tempdir().unwrap();
    let without = tempfile::tempdir().unwrap();
    for copy in [&with, &without] {
        std::fs::copy(dir.join("parley.db"), copy.path().join("parley.db")).unwrap();
    }
    rt.block_on(async {
        let pool = raw(without.path()).await;
        for trigger in ["comments_fts_insert", "comments_fts_update", "comments_fts_delete"] {
            sqlx::query(&format!("DROP TRIGGER {trigger}"))
                .execute(&pool)
                .await
                .unwrap();
        }
        pool.close().await;
    });
    let mut group = c.benchmark_group("posting");
    group.sample_size(50);
    for (name, copy) in [("with the search index", &with), ("without it", &without)] {
        let store = rt.block_on(Store::open(copy.path())).unwrap();
        let (writer, article) = rt.block_on(async {
            let writer: User = accounts::create_account(
                &store,
                NewAccount {
                    username: "writer".into(),
                    display_name: "The Writer".into(),
                    password: "a long enough password for a bench".into(),
                },
            )
            .await
            .unwrap();
            let article: ArticleId = sqlx::query_scalar("SELECT id FROM articles LIMIT 1 OFFSET 1234")
                .fetch_one(&raw(copy.path()).await)
                .await
                .unwrap();
            (writer, article)
        });
        let vocabulary = Vocabulary::new();
        let mut random = Random(42);
        group.bench_function(format!("a comment, {name}"), |b| {
            b.to_async(&rt).iter_batched(
                || vocabulary.sentence(&mut random, 25),
                |body| {
                    let (store, writer) = (&store, &writer);
                    async move {
                        parley_core::comments::post(store, writer, article, None, &body)
                            .await
                            .unwrap();
                    }
                },
                criterion::BatchSize::SmallInput,
            );
        });
        rt.block_on(store.close());
    }
    group.finish();
}

criterion_group!(benches, searching, building, posting);
criterion_main!(benches);
