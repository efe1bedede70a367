//! Search at scale: a library of 50,000 articles and 1,000,000 comments in
//! Parley's real tables, searched as the header's field searches (the top
//! 20 of each group, with snippets) on SQLite and on PostgreSQL; a `LIKE`
//! scan of the same comments for comparison; rebuilding SQLite's indexes;
//! and what indexing adds to posting a comment. Run with
//! `./scripts/bench --bench search`; the README's table comes from here.
//!
//! The SQLite database (1.4 GB) is generated once, in a minute or two on
//! two cores, into `target/tmp/search-bench-v<DATA_VERSION>/` and reused by
//! later runs; change [`DATA_VERSION`] when the generated data changes,
//! and delete the folder to generate it again. Writes happen only on
//! copies of it (in the system's temporary folder, one at a time).
//!
//! PostgreSQL gets the same rows, copied from that file into a database of
//! its own on the run's throw-away cluster (a few minutes: PostgreSQL
//! computes every row's search vector as it takes it), so both engines
//! search the very same words.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark set-up: a failure is a broken benchmark"
)]

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use common::Engine;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use futures_util::TryStreamExt;
use parley_core::accounts::{self, NewAccount, User};
use parley_core::clock::SystemClock;
use parley_core::comments;
use parley_core::ids::{ArticleId, CommentId, SourceId, UserId};
use parley_core::search::{self, Parsed, SearchQuery};
use parley_core::store::Store;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Connection, PgConnection, Row, SqlitePool};
use tokio::runtime::Runtime;

const ARTICLES: usize = 50_000;
const COMMENTS: usize = 1_000_000;
const PEOPLE: usize = 400;
/// Part of the cache folder's name: change it when the data changes.
const DATA_VERSION: u32 = 1;
/// Words in the vocabulary comments and articles are drawn from.
const VOCABULARY: usize = 40_000;

const DAY: i64 = 86_400_000;
/// 2025-01-01 00:00 UTC: the first article. The library spans 700 days.
const START: i64 = 1_735_689_600_000;
const SPAN: i64 = 700 * DAY;
/// Comments begin a few days after the first article.
const COMMENTS_FROM: i64 = START + 3 * DAY;

/// The account that posts in the posting benchmark (created with
/// `accounts::create_account`, so its password is a real argon2 hash).
const POSTER: &str = "poster";
const POSTER_PASSWORD: &str = "a long enough password for benchmarks";

const SOURCES: [&str; 6] = [
    "The Harbour Post",
    "Field Notes",
    "Northern Review",
    "Daily Lantern",
    "Open Circuit",
    "Slow Science",
];
const TAGS: [&str; 12] = [
    "news",
    "science",
    "city",
    "books",
    "climate",
    "music",
    "health",
    "history",
    "travel",
    "sport",
    "food",
    "technology",
];
const FIRST_NAMES: [&str; 20] = [
    "Ada", "Bruno", "Chiara", "Dmitri", "Esther", "Farid", "Greta", "Hiro", "Ines", "Jonas",
    "Kemal", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tamsin",
];
const LAST_NAMES: [&str; 20] = [
    "Quill", "Marsh", "Okafor", "Lind", "Baptiste", "Novak", "Haddad", "Sato", "Moreau", "Berg",
    "Kowalski", "Duarte", "Fischer", "Abara", "Lowe", "Varga", "Nakamura", "Ferreira", "Holm",
    "Castillo",
];

/// The most frequent words, most frequent first (rank 1 is "the"). Zipf's
/// law gives rank r a share of 1/r: "the" is in five comments in six,
/// "people" (rank 30) in about one in ten. The "con…" words here and one
/// in twenty of the made-up words below make "con" the start of a word in
/// most comments.
const HEAD: [&str; 120] = [
    "the", "of", "and", "to", "a", "in", "is", "that", "it", "for", "was", "consider", "on",
    "with", "as", "this", "but", "they", "have", "not", "are", "be", "at", "one", "context", "by",
    "from", "we", "all", "people", "there", "when", "an", "which", "their", "said", "if", "do",
    "will", "control", "each", "about", "how", "up", "think", "out", "them", "then", "she", "many",
    "some", "so", "these", "would", "river", "other", "into", "has", "more", "content", "her",
    "two", "like", "him", "see", "time", "could", "no", "make", "garden", "than", "first", "been",
    "its", "who", "now", "long", "down", "day", "did", "get", "come", "made", "may", "continue",
    "part", "over", "new", "sound", "window", "take", "only", "little", "work", "know", "place",
    "year", "live", "back", "concern", "give", "most", "very", "after", "thing", "our", "just",
    "name", "good", "sentence", "man", "city", "light", "under", "read", "right", "story", "old",
    "question", "also",
];
/// Real words put at a rank in the long tail: about 1,500 comments have
/// "lighthouse", about 100 "quixotic".
const PLANTED: [(&str, usize); 2] = [("lighthouse", 2_000), ("quixotic", 30_000)];
/// What the made-up words of the tail are made of (no "q", no "th", no
/// "co": no accidental "con…" or "the…").
const SYLLABLES: [&str; 32] = [
    "ba", "be", "da", "di", "fo", "ga", "ke", "ki", "la", "le", "lo", "ma", "mi", "pa", "pe", "ra",
    "ri", "sa", "so", "ta", "tu", "va", "ve", "zo", "bel", "dor", "fin", "gar", "hul", "kos",
    "lun", "mir",
];

/// A small seeded xorshift: the same data on every machine, and no new
/// dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n.
    fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n.saturating_sub(1))
    }

    /// In 0..n, mostly near 0: `skew` 1 is uniform, larger is steeper.
    fn skewed(&mut self, n: usize, skew: i32) -> usize {
        ((self.unit().powi(skew) * n as f64) as usize).min(n.saturating_sub(1))
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Words by rank and the cumulative Zipf weights they are drawn with.
struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new() -> Self {
        let mut random = Random(0x00c0_ffee_5eed_0001);
        let mut words: Vec<String> = HEAD.iter().map(|w| (*w).to_owned()).collect();
        let mut seen: HashSet<String> = words.iter().cloned().collect();
        seen.extend(PLANTED.iter().map(|(w, _)| (*w).to_owned()));
        while words.len() < VOCABULARY {
            if let Some((word, _)) = PLANTED.iter().find(|(_, rank)| *rank == words.len() + 1) {
                words.push((*word).to_owned());
                continue;
            }
            let mut word = String::new();
            if words.len().is_multiple_of(20) {
                word.push_str("con");
            }
            for _ in 0..2 + random.below(3) {
                word.push_str(SYLLABLES[random.below(SYLLABLES.len())]);
            }
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        let mut total = 0.0;
        let mut cumulative: Vec<f64> = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        for c in &mut cumulative {
            *c /= total;
        }
        Self { words, cumulative }
    }

    fn word(&self, random: &mut Random) -> &str {
        let u = random.unit();
        let at = self.cumulative.partition_point(|c| *c < u);
        &self.words[at.min(self.words.len() - 1)]
    }

    /// `n` words as sentences of 5 to 16 words, with a few commas; a blank
    /// line between paragraphs when `paragraphs`.
    fn text(&self, random: &mut Random, n: usize, paragraphs: bool) -> String {
        let mut out = String::with_capacity(n * 7);
        let mut left_in_sentence = 0;
        let mut sentences = 0;
        for i in 0..n {
            let word = self.word(random);
            if left_in_sentence == 0 {
                if i > 0 {
                    out.push_str(if random.chance(0.1) { "?" } else { "." });
                    sentences += 1;
                    if paragraphs && sentences % 3 == 0 && random.chance(0.5) {
                        out.push_str("\n\n");
                    } else {
                        out.push(' ');
                    }
                }
                left_in_sentence = 5 + random.below(12);
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                if random.chance(0.06) {
                    out.push(',');
                }
                out.push(' ');
                out.push_str(word);
            }
            left_in_sentence -= 1;
        }
        out.push('.');
        out
    }
}

/// Text as the HTML Parley stores for it: one `<p>` per paragraph (the
/// text has nothing to escape).
fn paragraphs_html(text: &str) -> String {
    text.split("\n\n")
        .map(|p| format!("<p>{p}</p>\n"))
        .collect()
}

/// The generated database's folder, generated if it is not there yet.
fn database(rt: &Runtime) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("search-bench-v{DATA_VERSION}"));
    let note = dir.join("generated.txt");
    if let Ok(text) = std::fs::read_to_string(&note) {
        eprintln!("search bench: using {} ({})", dir.display(), text.trim());
        return dir;
    }
    let partial = dir.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    let started = Instant::now();
    rt.block_on(generate(&partial));
    let text = format!(
        "generated in {:.0} s: {ARTICLES} articles, {COMMENTS} comments, {} MB",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(partial.join("parley.db")).unwrap().len() / 1_000_000
    );
    std::fs::write(partial.join("generated.txt"), &text).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&partial, &dir).unwrap();
    eprintln!("search bench: {} {text}", dir.display());
    dir
}

/// A pool on the database in `dir` outside the store, for what the API
/// would not do (bulk rows, counting, dropping triggers).
async fn raw(dir: &Path, read_only: bool) -> SqlitePool {
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(dir.join("parley.db"))
                .read_only(read_only),
        )
        .await
        .unwrap()
}

async fn generate(dir: &Path) {
    // The schema is Parley's own; the rows go straight into its tables, in
    // big transactions, with the search triggers indexing as they go.
    let store = parley_core::startup::open(dir).await.unwrap();
    store.close().await;
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(dir.join("parley.db"))
                .synchronous(sqlx::sqlite::SqliteSynchronous::Off)
                .pragma("cache_size", "-262144"),
        )
        .await
        .unwrap();
    let vocabulary = Vocabulary::new();
    let mut random = Random(0x5eed_0000_0000_0001);
    let started = Instant::now();

    let mut tx = pool.begin().await.unwrap();
    let mut people = Vec::with_capacity(PEOPLE);
    for i in 0..PEOPLE {
        let id = UserId::new();
        let first = FIRST_NAMES[i % FIRST_NAMES.len()];
        let last = LAST_NAMES[(i / FIRST_NAMES.len()) % LAST_NAMES.len()];
        let username = format!("{first}{i}");
        let display_name = format!("{first} {last}");
        sqlx::query(
            "INSERT INTO users (id, username, username_key, display_name, display_name_key,
                                password_hash, role, created_at)
             VALUES (?, ?, ?, ?, ?, '$argon2id$v=19$m=65536,t=3,p=1$bm90$bm90', 'member', ?)",
        )
        .bind(id)
        .bind(&username)
        .bind(username.to_lowercase())
        .bind(&display_name)
        .bind(display_name.to_lowercase())
        .bind(START - DAY)
        .execute(&mut *tx)
        .await
        .unwrap();
        people.push(id);
    }
    let mut sources = Vec::new();
    for (i, title) in SOURCES.iter().enumerate() {
        let id = SourceId::new();
        sqlx::query(
            "INSERT INTO sources (id, feed_url, site_url, title, added_at, last_success_at,
                                  next_refresh_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(format!("https://source{i}.example/feed.xml"))
        .bind(format!("https://source{i}.example/"))
        .bind(title)
        .bind(START - DAY)
        .bind(START + SPAN)
        .bind(START + SPAN + 3_600_000)
        .execute(&mut *tx)
        .await
        .unwrap();
        sources.push(id);
    }
    tx.commit().await.unwrap();

    // Articles, evenly over the 700 days; how much each is discussed
    // (its "heat") varies a lot.
    let mut articles = Vec::with_capacity(ARTICLES);
    let mut published = Vec::with_capacity(ARTICLES);
    let mut heat = Vec::with_capacity(ARTICLES);
    let step = SPAN / ARTICLES as i64;
    let mut tx = pool.begin().await.unwrap();
    for j in 0..ARTICLES {
        let id = ArticleId::new();
        let at = START + j as i64 * step + random.below(step as usize) as i64;
        let s = random.skewed(SOURCES.len(), 2);
        let words = 4 + random.below(6);
        let title = vocabulary.text(&mut random, words, false);
        let title = title.trim_end_matches('.');
        let words = 150 + random.below(350);
        let body = vocabulary.text(&mut random, words, true);
        let summary: String = body.chars().take(200).collect();
        let author = format!(
            "{} {}",
            FIRST_NAMES[random.below(FIRST_NAMES.len())],
            LAST_NAMES[random.below(LAST_NAMES.len())]
        );
        sqlx::query(
            "INSERT INTO articles (id, title, source, author, url, published_at, summary,
                                   body_html, body_text, created_at, origin, source_id, added_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'feed', ?, ?)",
        )
        .bind(id)
        .bind(title)
        .bind(SOURCES[s])
        .bind(&author)
        .bind(format!("https://source{s}.example/{j}"))
        .bind(at)
        .bind(&summary)
        .bind(paragraphs_html(&body))
        .bind(body.replace("\n\n", " "))
        .bind(at)
        .bind(sources[s])
        .bind(at)
        .execute(&mut *tx)
        .await
        .unwrap();
        let mut tags: Vec<&str> = (0..1 + random.below(3))
            .map(|_| TAGS[random.skewed(TAGS.len(), 2)])
            .collect();
        tags.sort_unstable();
        tags.dedup();
        for tag in tags {
            sqlx::query("INSERT INTO article_tags (article_id, tag) VALUES (?, ?)")
                .bind(id)
                .bind(tag)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        articles.push(id);
        published.push(at);
        heat.push(0.02 + random.unit().powi(3));
    }
    tx.commit().await.unwrap();
    eprintln!(
        "search bench: {ARTICLES} articles in {:.0?}",
        started.elapsed()
    );

    // Comments, in time order: each on an article already published
    // (mostly recent ones, the hotter the likelier), seven in ten replying
    // to an earlier comment under it (mostly a recent one, so chains grow
    // deep).
    const BATCH: usize = 250;
    let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
    let insert = |rows: usize| {
        format!(
            "INSERT INTO comments (id, article_id, parent_id, author_id, body, body_html,
                                   created_at, upvotes, downvotes) VALUES {}",
            vec![row; rows].join(", ")
        )
    };
    let full_batch = insert(BATCH);
    let mut under: Vec<Vec<CommentId>> = vec![Vec::new(); ARTICLES];
    let comment_step = (START + SPAN - COMMENTS_FROM) / COMMENTS as i64;
    let mut available = 0;
    let mut written = 0;
    let mut tx = pool.begin().await.unwrap();
    while written < COMMENTS {
        let rows = BATCH.min(COMMENTS - written);
        let mut batch = Vec::with_capacity(rows);
        for _ in 0..rows {
            let at = COMMENTS_FROM + written as i64 * comment_step;
            while available < ARTICLES && published[available] <= at {
                available += 1;
            }
            let a = loop {
                let a = available - 1 - random.skewed(available.min(3_000), 2);
                if random.chance(heat[a]) {
                    break a;
                }
            };
            let thread = &under[a];
            let parent = (!thread.is_empty() && random.chance(0.7))
                .then(|| thread[thread.len() - 1 - random.skewed(thread.len(), 3)]);
            let words = 5 + random.skewed(91, 2);
            let body = vocabulary.text(&mut random, words, true);
            let id = CommentId::new();
            under[a].push(id);
            batch.push((
                id,
                articles[a],
                parent,
                people[random.skewed(PEOPLE, 2)],
                body,
                at,
                random.skewed(12, 3) as i64,
                random.skewed(4, 4) as i64,
            ));
            written += 1;
        }
        let sql = if rows == BATCH {
            full_batch.clone()
        } else {
            insert(rows)
        };
        let mut q = sqlx::query(&sql);
        for (id, article, parent, author, body, at, up, down) in batch {
            let html = paragraphs_html(&body);
            q = q
                .bind(id)
                .bind(article)
                .bind(parent)
                .bind(author)
                .bind(body)
                .bind(html)
                .bind(at)
                .bind(up)
                .bind(down);
        }
        q.execute(&mut *tx).await.unwrap();
        if written % 100_000 == 0 || written == COMMENTS {
            tx.commit().await.unwrap();
            eprintln!(
                "search bench: {written} comments in {:.0?}",
                started.elapsed()
            );
            tx = pool.begin().await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    pool.close().await;

    // The account that posts, made as Parley makes one; then a second
    // start, which fills in what start-up fills in (name keys) and closes
    // with the WAL checkpointed into the file.
    let store = parley_core::startup::open(dir).await.unwrap();
    accounts::create_account(
        &store,
        NewAccount {
            username: POSTER.into(),
            display_name: "Poster".into(),
            password: POSTER_PASSWORD.into(),
        },
    )
    .await
    .unwrap();
    store.close().await;
    let store = parley_core::startup::open(dir).await.unwrap();
    store.close().await;
    checkpoint(dir).await;
}

/// Moves everything in the WAL into the database file, so that the file
/// alone is the whole database.
async fn checkpoint(dir: &Path) {
    let pool = raw(dir, false).await;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// A copy of the database in a new folder, for benchmarks that write.
fn copy_of(rt: &Runtime, dir: &Path) -> tempfile::TempDir {
    rt.block_on(checkpoint(dir));
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join("parley.db"), copy.path().join("parley.db")).unwrap();
    copy
}

/// The tables the generator fills, in an order their foreign keys allow.
const TABLES: [&str; 5] = ["users", "sources", "articles", "article_tags", "comments"];

/// The address of the generated library on PostgreSQL, copied there on
/// first use in this run (see the module's notes).
fn on_postgres(rt: &Runtime, dir: &Path) -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| rt.block_on(copy_to_postgres(dir)))
}

/// A new PostgreSQL database, migrated by Parley as any server's is, with
/// the rows of the SQLite database in `dir`, vacuumed and analysed as
/// autovacuum would leave it after a load.
async fn copy_to_postgres(dir: &Path) -> String {
    let url = common::new_server_database().await;
    let store = parley_core::startup::open_url(&url, Arc::new(SystemClock))
        .await
        .unwrap();
    store.close().await;
    let from = raw(dir, true).await;
    let mut to = PgConnection::connect(&url).await.unwrap();
    let started = Instant::now();
    for table in TABLES {
        let rows = copy_table(&from, &mut to, table).await;
        eprintln!(
            "search bench: copied {rows} rows of {table} to PostgreSQL in {:.0?}",
            started.elapsed()
        );
    }
    sqlx::query("VACUUM ANALYZE")
        .execute(&mut to)
        .await
        .unwrap();
    eprintln!(
        "search bench: PostgreSQL has the library, vacuumed, after {:.0?}",
        started.elapsed()
    );
    to.close().await.unwrap();
    from.close().await;
    url
}

/// Copies `table`'s rows from SQLite to PostgreSQL with `COPY … FROM
/// STDIN`, every column PostgreSQL stores (not its generated search
/// vectors), and returns how many. Each value leaves SQLite as text that
/// PostgreSQL's input for the column's type reads: a UUID's 16 bytes as 32
/// hex digits, a boolean's 0 or 1 as a digit; NULL as an unquoted empty
/// field, every text quoted.
async fn copy_table(from: &SqlitePool, to: &mut PgConnection, table: &str) -> u64 {
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'
         ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *to)
    .await
    .unwrap();
    let as_text: Vec<String> = columns
        .iter()
        .map(|c| {
            format!("CASE typeof({c}) WHEN 'blob' THEN lower(hex({c})) ELSE CAST({c} AS TEXT) END")
        })
        .collect();
    // A reply's parent must be there before it: comments go in the order
    // they were written.
    let order = if table == "comments" {
        " ORDER BY rowid"
    } else {
        ""
    };
    let select = format!("SELECT {} FROM {table}{order}", as_text.join(", "));
    let mut copy = to
        .copy_in_raw(&format!(
            "COPY {table} ({}) FROM STDIN WITH (FORMAT csv)",
            columns.join(", ")
        ))
        .await
        .unwrap();
    let mut rows = sqlx::query(&select).fetch(from);
    let mut buffer = Vec::with_capacity(1 << 20);
    while let Some(row) = rows.try_next().await.unwrap() {
        for i in 0..columns.len() {
            if i > 0 {
                buffer.push(b',');
            }
            if let Some(value) = row.get::<Option<String>, _>(i) {
                buffer.push(b'"');
                buffer.extend_from_slice(value.replace('"', "\"\"").as_bytes());
                buffer.push(b'"');
            }
        }
        buffer.push(b'\n');
        if buffer.len() >= 1 << 20 {
            copy.send(std::mem::take(&mut buffer)).await.unwrap();
        }
    }
    copy.send(buffer).await.unwrap();
    copy.finish().await.unwrap()
}

/// The generated library's store on `engine`.
fn open(rt: &Runtime, dir: &Path, engine: Engine) -> Store {
    match engine {
        Engine::Sqlite => rt.block_on(parley_core::startup::open(dir)).unwrap(),
        Engine::Postgres => {
            let url = on_postgres(rt, dir);
            rt.block_on(parley_core::startup::open_url(url, Arc::new(SystemClock)))
                .unwrap()
        }
    }
}

/// When the library's last 30 days begin, and an old month of it.
const LAST_30_DAYS: i64 = START + SPAN - 30 * DAY;
const OLD_MONTH: (i64, i64) = (START + 120 * DAY, START + 150 * DAY);

/// The benchmark's queries: a name for the report, and the query.
fn queries() -> Vec<(&'static str, SearchQuery)> {
    let text = |t: &str| SearchQuery {
        text: t.into(),
        ..SearchQuery::default()
    };
    vec![
        ("rare word", text("quixotic")),
        ("common word", text("people")),
        ("commonest word", text("the")),
        ("two words", text("people think")),
        ("phrase", text("\"the river\"")),
        ("3-letter prefix", text("con")),
        (
            "common word, one source",
            SearchQuery {
                source: Some("Field Notes".into()),
                ..text("people")
            },
        ),
        (
            "common word, last 30 days",
            SearchQuery {
                from: Some(LAST_30_DAYS),
                ..text("people")
            },
        ),
        (
            "common word, an old month",
            SearchQuery {
                from: Some(OLD_MONTH.0),
                until: Some(OLD_MONTH.1),
                ..text("people")
            },
        ),
    ]
}

/// How many comments (and articles) `query` matches in all, as its FTS5
/// string finds them, and with its filters.
async fn matches(pool: &SqlitePool, query: &SearchQuery) -> (i64, i64, i64) {
    let fts = Parsed::new(&query.text).fts(None).unwrap();
    let comments: i64 =
        sqlx::query_scalar("SELECT count(*) FROM comments_fts WHERE comments_fts MATCH ?")
            .bind(&fts)
            .fetch_one(pool)
            .await
            .unwrap();
    let filtered: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM comments_fts
         JOIN comments c ON c.rowid = comments_fts.rowid
         JOIN articles a ON a.id = c.article_id
         WHERE comments_fts MATCH ?1 AND (?2 IS NULL OR a.source = ?2)
           AND (?3 IS NULL OR c.created_at >= ?3) AND (?4 IS NULL OR c.created_at < ?4)",
    )
    .bind(&fts)
    .bind(query.source.as_deref())
    .bind(query.from)
    .bind(query.until)
    .fetch_one(pool)
    .await
    .unwrap();
    let articles: i64 =
        sqlx::query_scalar("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?")
            .bind(&fts)
            .fetch_one(pool)
            .await
            .unwrap();
    (comments, filtered, articles)
}

/// The same counts on PostgreSQL, as its search vectors and
/// [`search::tsquery`] find them.
async fn matches_on_postgres(url: &str, query: &SearchQuery) -> (i64, i64, i64) {
    let tsquery = search::tsquery(&Parsed::new(&query.text)).unwrap();
    let mut conn = PgConnection::connect(url).await.unwrap();
    let comments: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM comments WHERE search_vector @@ to_tsquery('parley', $1)",
    )
    .bind(&tsquery)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let filtered: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM comments c JOIN articles a ON a.id = c.article_id
         WHERE c.search_vector @@ to_tsquery('parley', $1)
           AND ($2::text IS NULL OR a.source = $2)
           AND ($3::bigint IS NULL OR c.created_at >= $3)
           AND ($4::bigint IS NULL OR c.created_at < $4)",
    )
    .bind(&tsquery)
    .bind(query.source.as_deref())
    .bind(query.from)
    .bind(query.until)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let articles: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM articles WHERE search_vector @@ to_tsquery('parley', $1)",
    )
    .bind(&tsquery)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    (comments, filtered, articles)
}

fn searching(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let dir = database(&rt);
    let engines = common::engines();
    let url = on_postgres(&rt, &dir);
    let pool = rt.block_on(raw(&dir, true));
    for (name, query) in queries() {
        let (comments, filtered, articles) = rt.block_on(matches(&pool, &query));
        let fts = Parsed::new(&query.text).fts(None).unwrap();
        let tsquery = search::tsquery(&Parsed::new(&query.text)).unwrap();
        let on_postgres = rt.block_on(matches_on_postgres(url, &query));
        eprintln!(
            "search bench: {name}: {:?} (FTS5 {fts}; tsquery {tsquery}) matches {comments} comments{} \
             and {articles} articles on SQLite; {:?} on PostgreSQL",
            query.text,
            if filtered == comments {
                String::new()
            } else {
                format!(" ({filtered} with its filters)")
            },
            on_postgres,
        );
    }
    rt.block_on(pool.close());

    let mut group = c.benchmark_group("search");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    for engine in engines {
        let store = open(&rt, &dir, engine);
        for (name, query) in queries() {
            group.bench_function(format!("{}/{name}", engine.name()), |b| {
                b.to_async(&rt).iter(|| async {
                    let found = search::search(&store, None, &query).await.unwrap();
                    assert!(!found.comments.is_empty(), "{name} found no comments");
                    found
                });
            });
        }
        rt.block_on(store.close());
    }
    group.finish();
}

/// The same words found without the index: the first 20 comments holding
/// them, and counting all (which ranking or counting results needs).
fn scanning(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let dir = database(&rt);
    let pool = rt.block_on(raw(&dir, true));
    let mut group = c.benchmark_group("like");
    group.sample_size(10);
    for (name, word) in [("rare word", "quixotic"), ("common word", "people")] {
        let pattern = format!("%{word}%");
        let count: i64 = rt
            .block_on(
                sqlx::query_scalar("SELECT count(*) FROM comments WHERE body LIKE ?")
                    .bind(&pattern)
                    .fetch_one(&pool),
            )
            .unwrap();
        eprintln!("search bench: LIKE {pattern:?} matches {count} comments");
        group.bench_function(format!("first 20, {name}"), |b| {
            b.to_async(&rt).iter(|| async {
                let ids: Vec<CommentId> =
                    sqlx::query_scalar("SELECT id FROM comments WHERE body LIKE ? LIMIT 20")
                        .bind(&pattern)
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                assert_eq!(ids.len() as i64, count.min(20));
            });
        });
        group.bench_function(format!("count, {name}"), |b| {
            b.to_async(&rt).iter(|| async {
                let n: i64 = sqlx::query_scalar("SELECT count(*) FROM comments WHERE body LIKE ?")
                    .bind(&pattern)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                assert_eq!(n, count);
            });
        });
    }
    group.finish();
    rt.block_on(pool.close());
}

/// Rebuilding both indexes from the tables, on a copy. Timed once with
/// `Instant`, not by criterion: ten samples would take many minutes.
fn building(_: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let dir = database(&rt);
    let copy = copy_of(&rt, &dir);
    rt.block_on(async {
        let pool = raw(copy.path(), false).await;
        let mut total = Duration::ZERO;
        for table in ["comments_fts", "articles_fts"] {
            let started = Instant::now();
            sqlx::query(&format!("INSERT INTO {table} ({table}) VALUES ('rebuild')"))
                .execute(&pool)
                .await
                .unwrap();
            let took = started.elapsed();
            total += took;
            eprintln!("search bench: rebuilding {table} took {took:.2?}");
        }
        eprintln!("search bench: rebuilding both indexes took {total:.2?}");
        pool.close().await;
    });
}

/// Posting one comment on the big database, with the search triggers and
/// (on another copy) without the three on comments: the difference is
/// what indexing costs a writer.
fn posting(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let dir = database(&rt);
    let vocabulary = Vocabulary::new();
    let mut group = c.benchmark_group("post");
    let variants = [
        (Engine::Sqlite, "with search triggers", true),
        (Engine::Sqlite, "without them", false),
        (Engine::Postgres, "with its search vectors", true),
    ];
    for (engine, name, indexed) in variants {
        // SQLite writes on a copy of the generated file; PostgreSQL on its
        // copy of it, which is this run's alone.
        let copy = (engine == Engine::Sqlite).then(|| copy_of(&rt, &dir));
        if !indexed {
            let copy = copy.as_ref().unwrap();
            rt.block_on(async {
                let pool = raw(copy.path(), false).await;
                for trigger in [
                    "comments_fts_insert",
                    "comments_fts_update",
                    "comments_fts_delete",
                ] {
                    sqlx::query(&format!("DROP TRIGGER {trigger}"))
                        .execute(&pool)
                        .await
                        .unwrap();
                }
                pool.close().await;
            });
        }
        let store = open(&rt, copy.as_ref().map_or(&dir, |c| c.path()), engine);
        let (poster, article): (User, ArticleId) = rt.block_on(async {
            let poster = accounts::verify_credentials(&store, POSTER, POSTER_PASSWORD.into())
                .await
                .unwrap();
            // The most discussed article of the last week.
            let busiest = "SELECT article_id FROM comments WHERE created_at >= $1
                           GROUP BY article_id ORDER BY count(*) DESC LIMIT 1";
            let since = START + SPAN - 7 * DAY;
            let article = match &copy {
                Some(copy) => {
                    let pool = raw(copy.path(), true).await;
                    let article = sqlx::query_scalar(busiest)
                        .bind(since)
                        .fetch_one(&pool)
                        .await
                        .unwrap();
                    pool.close().await;
                    article
                }
                None => {
                    let mut conn = PgConnection::connect(on_postgres(&rt, &dir)).await.unwrap();
                    let article = sqlx::query_scalar(busiest)
                        .bind(since)
                        .fetch_one(&mut conn)
                        .await
                        .unwrap();
                    conn.close().await.unwrap();
                    article
                }
            };
            (poster, article)
        });
        let mut random = Random(0x0000_0000_0000_0042);
        group.bench_function(format!("{}/{name}", engine.name()), |b| {
            b.to_async(&rt).iter_batched(
                || vocabulary.text(&mut random, 35, true),
                |body| {
                    let (store, poster) = (&store, &poster);
                    async move {
                        comments::post(store, poster, article, None, &body)
                            .await
                            .unwrap()
                    }
                },
                BatchSize::SmallInput,
            );
        });
        rt.block_on(store.close());
    }
    group.finish();
}

criterion_group!(benches, searching, scanning, building, posting);
criterion_main!(benches);
