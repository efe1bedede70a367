//! `parley-load seed`: a new database filled before the server starts,
//! with the people who will post and articles with long discussions.

use std::sync::Arc;
use std::time::Instant;

use parley_core::accounts::{self, NewAccount};
use parley_core::clock::{Clock, SystemClock};
use uuid::Uuid;

use crate::{fail, person, Args, Failure};

/// How many comments article `i` gets: the largest has `largest`, the
/// others fewer, as discussions are.
fn comments_on(i: u64, largest: u64) -> u64 {
    (largest / (i + 1)).max(20)
}

/// The same statement on either engine.
enum Raw {
    Postgres(sqlx::PgPool),
    Sqlite(sqlx::SqlitePool),
}

macro_rules! on_raw {
    ($raw:expr, |$tx:ident| $body:block) => {
        match $raw {
            Raw::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                $body
                $tx.commit().await?;
            }
            Raw::Sqlite(pool) => {
                let mut $tx = pool.begin().await?;
                $body
                $tx.commit().await?;
            }
        }
    };
}

pub async fn seed(args: &Args) -> Result<(), Failure> {
    let database = args.text("database")?;
    let people = args.number("people", 100)?;
    let articles = args.number("articles", 50)?;
    let largest = args.number("largest", 10_000)?;
    let started = Instant::now();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (store, raw) = if let Some(folder) = database.strip_prefix("sqlite:") {
        let folder = std::path::Path::new(folder);
        parley_core::store::prepare_data_dir(folder)?;
        let store = parley_core::startup::open(folder).await?;
        let raw =
            sqlx::SqlitePool::connect(&format!("sqlite://{}", folder.join("parley.db").display()))
                .await?;
        (store, Raw::Sqlite(raw))
    } else {
        let store = parley_core::startup::open_url(database, clock.clone()).await?;
        (store, Raw::Postgres(sqlx::PgPool::connect(database).await?))
    };
    let mut writer = None;
    for n in 0..people {
        let (username, password) = person(n);
        let made = accounts::create_account(
            &store,
            NewAccount {
                display_name: format!("Reader {n}"),
                username,
                password,
            },
        )
        .await?;
        writer.get_or_insert(made.id);
    }
    let writer: Uuid = writer
        .ok_or_else(|| fail("--people must be at least 1"))?
        .into();
    store.close().await;
    let now = clock.now();
    let mut total = 0;
    for i in 0..articles {
        let article = Uuid::now_v7();
        let count = comments_on(i, largest);
        total += count;
        on_raw!(&raw, |tx| {
            sqlx::query(
                "INSERT INTO articles (id, title, source, author, published_at, summary, body_html,
                                       body_text, created_at, origin)
                 VALUES ($1, $2, 'Load test', 'Someone', $3, 'What the load test reads.',
                         '<p>An article to talk about.</p>', 'An article to talk about.', $3, 'feed')",
            )
            .bind(article)
            .bind(format!("Load article {i} with {count} comments"))
            .bind(now - i64::try_from(i)? * 60_000)
            .execute(&mut *tx)
            .await?;
            let mut parent: Option<Uuid> = None;
            for c in 0..count {
                if c % 4 == 0 {
                    parent = None;
                }
                let id = Uuid::now_v7();
                let body =
                    format!("Comment {c}: a remark of ordinary length, with *a little* emphasis.");
                sqlx::query(
                    "INSERT INTO comments (id, article_id, parent_id, author_id, body, body_html, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(article)
                .bind(parent)
                .bind(writer)
                .bind(&body)
                .bind(parley_core::render::render_markdown(&body))
                .bind(now - 3_600_000 + i64::try_from(c)?)
                .execute(&mut *tx)
                .await?;
                parent = Some(id);
            }
        });
    }
    eprintln!(
        "parley-load: seeded {people} people, {articles} articles and {total} comments in {:.0?}",
        started.elapsed()
    );
    Ok(())
}
