//! PostgreSQL beneath the same rules: connecting, its own migrations, and
//! the transactions that keep SQLite's guarantees.
//!
//! SQLite has one writer at a time, and several rules lean on that (they
//! check, then act). PostgreSQL's default isolation lets two writers check
//! at once, so every [`super::Write`] takes one transaction-scoped advisory
//! lock before anything else: writers queue for it, and each statement after
//! it (READ COMMITTED) sees everything the writers before it committed. A
//! [`super::Read`] is REPEATABLE READ and READ ONLY: one snapshot for a
//! whole page, and no way to write through it.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use crate::{Error, Result};

/// The advisory lock every write transaction holds (any constant will do;
/// this one is "Parley" in ASCII).
const WRITE_LOCK: i64 = 0x5061_726c_6579;

/// How long a statement waits for a lock or runs before it is given up.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a request waits for a connection before it is given up. Short,
/// so that while PostgreSQL restarts or fails over, requests are answered
/// "try again" (the server's 503) within seconds instead of hanging; the
/// pool opens new connections by itself once the database answers.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// PostgreSQL's migrations, built into the binary: a schema of its own,
/// written for PostgreSQL's types (UUID, BOOLEAN, BIGINT milliseconds).
pub(crate) fn migrator() -> sqlx::migrate::Migrator {
    sqlx::migrate!("./migrations/postgres")
}

/// Opens a pool on `url` and brings the schema up to date. Also returns the
/// address to show (without a password).
pub(super) async fn connect(url: &str) -> Result<(PgPool, PathBuf)> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| Error::DataDir(format!("the database address is not valid: {e}")))?
        .application_name("parley")
        .options([(
            "statement_timeout",
            STATEMENT_TIMEOUT.as_millis().to_string(),
        )]);
    let shown = PathBuf::from(format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or_default()
    ));
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|e| Error::DataDir(format!("{}: {e}", shown.display())))?;
    migrator()
        .run(&pool)
        .await
        .map_err(|e| Error::DataDir(format!("{}: migrating: {e}", shown.display())))?;
    Ok((pool, shown))
}

/// A write transaction: the advisory lock first (see the module's notes).
pub(super) async fn begin_write(pool: &PgPool) -> Result<Transaction<'static, Postgres>> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// A read transaction: one snapshot, read only.
pub(super) async fn begin_read(pool: &PgPool) -> Result<Transaction<'static, Postgres>> {
    Ok(pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?)
}
