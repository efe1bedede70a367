//! What the benchmarks share: a fresh Parley database on each engine, and
//! a second pool on it for loading rows faster than the API would.
//!
//! Every benchmark that touches the database runs on SQLite (a file in a
//! temporary folder) and on PostgreSQL (a database of its own on the
//! server the standard `PG*` variables name, as `pg_virtualenv` sets
//! them). `./scripts/bench` starts a throw-away cluster for the run.
#![allow(dead_code, reason = "each benchmark uses a different part of this")]

use std::sync::Arc;

use parley_core::clock::SystemClock;
use parley_core::store::Store;

/// An engine a benchmark runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// Its name in a benchmark's id ("thread/sqlite/…").
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// Both engines; PostgreSQL must be there (see the module's notes).
pub fn engines() -> [Engine; 2] {
    assert!(
        std::env::var_os("PGHOST").is_some(),
        "the benchmarks run on SQLite and PostgreSQL: run them with ./scripts/bench, which \
         starts a throw-away PostgreSQL (Debian's postgresql package: apt-get install postgresql)"
    );
    [Engine::Sqlite, Engine::Postgres]
}

/// A second way into a benchmark's database, for loading rows in bulk.
pub enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// A fresh, migrated Parley database on `engine`.
pub struct BenchDb {
    pub store: Store,
    pub raw: Raw,
    _dir: tempfile::TempDir,
}

impl BenchDb {
    pub async fn new(engine: Engine) -> Self {
        let dir = tempfile::tempdir().unwrap();
        match engine {
            Engine::Sqlite => {
                let store = parley_core::startup::open(dir.path()).await.unwrap();
                let url = format!("sqlite://{}", dir.path().join("parley.db").display());
                let raw = Raw::Sqlite(sqlx::SqlitePool::connect(&url).await.unwrap());
                Self {
                    store,
                    raw,
                    _dir: dir,
                }
            }
            Engine::Postgres => {
                let url = new_server_database().await;
                let store = parley_core::startup::open_url(&url, Arc::new(SystemClock))
                    .await
                    .unwrap();
                let raw = Raw::Postgres(sqlx::PgPool::connect(&url).await.unwrap());
                Self {
                    store,
                    raw,
                    _dir: dir,
                }
            }
        }
    }

    /// What a PostgreSQL server's autovacuum would have done after a bulk
    /// load by the time anyone reads it (statistics, the visibility map);
    /// nothing on SQLite, which Parley never asks to ANALYZE.
    pub async fn settle(&self) {
        if let Raw::Postgres(pool) = &self.raw {
            sqlx::query("VACUUM ANALYZE").execute(pool).await.unwrap();
        }
    }

    /// Brings the planner's statistics up to date after a bulk load, on
    /// either engine.
    pub async fn analyze(&self) {
        match &self.raw {
            Raw::Sqlite(pool) => {
                sqlx::query("ANALYZE").execute(pool).await.unwrap();
            }
            Raw::Postgres(pool) => {
                sqlx::query("VACUUM ANALYZE").execute(pool).await.unwrap();
            }
        }
    }
}

/// Runs `$body` with `$tx` a transaction on `$raw` (a [`Raw`]), on
/// whichever engine it is, and commits it.
#[macro_export]
macro_rules! in_raw_tx {
    ($raw:expr, |$tx:ident| $body:block) => {
        match $raw {
            $crate::common::Raw::Sqlite(pool) => {
                let mut $tx = pool.begin().await.unwrap();
                $body
                $tx.commit().await.unwrap();
            }
            $crate::common::Raw::Postgres(pool) => {
                let mut $tx = pool.begin().await.unwrap();
                $body
                $tx.commit().await.unwrap();
            }
        }
    };
}

/// A new, empty database on the PostgreSQL server the `PG*` variables
/// name, and its address.
pub async fn new_server_database() -> String {
    use sqlx::Connection;
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let name = format!("parley_bench_{}", uuid::Uuid::now_v7().simple());
    let at = |db: &str| {
        let mut url = url::Url::parse("postgres://localhost").unwrap();
        url.set_path(db);
        url.query_pairs_mut()
            .append_pair("host", &var("PGHOST"))
            .append_pair("port", &var("PGPORT"))
            .append_pair("user", &var("PGUSER"))
            .append_pair("password", &var("PGPASSWORD"));
        url.to_string()
    };
    let mut admin = sqlx::PgConnection::connect(&at("postgres")).await.unwrap();
    sqlx::query(&format!(
        "CREATE DATABASE {name} ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.unwrap();
    at(&name)
}

/// Evaluates `$body` with `$pool` the pool of `$raw` (a [`Raw`]), on
/// whichever engine it is.
#[macro_export]
macro_rules! with_pool {
    ($raw:expr, |$pool:ident| $body:expr) => {
        match $raw {
            $crate::common::Raw::Sqlite($pool) => $body,
            $crate::common::Raw::Postgres($pool) => $body,
        }
    };
}
