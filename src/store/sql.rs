//! The one way a rule talks to the database: a transaction type that says
//! what it may do, and a statement written once that runs on whichever
//! engine is underneath.
//!
//! - [`Write`] is a write transaction. SQLite's is `BEGIN IMMEDIATE`, which
//!   takes the write lock at once, so rules that check and then act (the
//!   first account becomes admin, the last admin stays, display names are
//!   unique, a locked discussion refuses posts) see no other writer between
//!   the check and the act. A function that must run "inside the caller's
//!   write transaction" takes `&mut Write`, and the compiler holds callers
//!   to it.
//! - [`Read`] is a read transaction: one snapshot for every statement in it
//!   (SQLite's deferred transaction in WAL mode), so a page of a thread and
//!   its votes agree with each other. It cannot be committed, and nothing
//!   written through it would be kept.
//! - [`ReadOne`] is a read of one statement, outside any transaction: one
//!   statement sees one snapshot by itself, so it needs no `BEGIN` and
//!   `COMMIT` around it (on SQLite each is a round trip through the
//!   connection's worker thread, which was most of what the library's
//!   first page took).
//! - [`WriteOne`] is a write of one statement, outside any transaction,
//!   for bookkeeping that decides nothing from what it read first (when a
//!   feed was last fetched): the statement is atomic by itself, and a rule
//!   that checks and then acts takes a [`Write`].
//! - [`Db`] is any of them, for a function that only reads and is asked
//!   from both (who someone is now, whether an article is still there).
//!
//! Statements go through [`exec!`], [`rows!`] and [`scalar!`], written with
//! `$1`-style placeholders, which every engine Parley runs on accepts. Each
//! macro matches on the engine behind the transaction and runs the same
//! text there; a statement that must differ between engines is written
//! once per engine, side by side, in a `match` on [`Db::conn`].
//!
//! The engines are SQLite (the desktop's file, always built) and PostgreSQL
//! (built with the `postgres` feature, for a server). Each is one arm of
//! [`Conn`]; a rule never names either.

use sqlx::pool::PoolConnection;
#[cfg(feature = "postgres")]
use sqlx::{PgConnection, Postgres};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::Result;

/// The connection a statement runs on, by engine.
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    #[cfg(feature = "postgres")]
    Postgres(&'c mut PgConnection),
}

/// A transaction any statement may be run in: [`Write`] or [`Read`].
pub(crate) trait Db: Send {
    /// The connection underneath, for the statement macros.
    fn conn(&mut self) -> Conn<'_>;
}

/// A write transaction (see the module's notes). Dropped without
/// [`Write::commit`], it rolls back and nothing it did is kept.
pub struct Write {
    tx: Tx,
}

/// A read transaction: one snapshot for all its statements.
pub struct Read {
    tx: Tx,
}

/// A connection from the pool outside any transaction, as [`ReadOne`]
/// and [`WriteOne`] hold it.
pub(super) enum Pooled {
    Sqlite(PoolConnection<Sqlite>),
    #[cfg(feature = "postgres")]
    Postgres(PoolConnection<Postgres>),
}

impl Pooled {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Sqlite(c) => Conn::Sqlite(c),
            #[cfg(feature = "postgres")]
            Pooled::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// A read of one statement (see the module's notes): give it one
/// statement, or take a [`Read`].
pub struct ReadOne {
    conn: Pooled,
}

/// A write of one statement (see the module's notes).
pub struct WriteOne {
    conn: Pooled,
}

impl ReadOne {
    pub(super) fn new(conn: Pooled) -> Self {
        Self { conn }
    }
}

impl WriteOne {
    pub(super) fn new(conn: Pooled) -> Self {
        Self { conn }
    }
}

impl Db for ReadOne {
    fn conn(&mut self) -> Conn<'_> {
        self.conn.conn()
    }
}

impl Db for WriteOne {
    fn conn(&mut self) -> Conn<'_> {
        self.conn.conn()
    }
}

impl std::fmt::Debug for ReadOne {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadOne").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for WriteOne {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteOne").finish_non_exhaustive()
    }
}

enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    #[cfg(feature = "postgres")]
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(tx) => Conn::Sqlite(tx),
            #[cfg(feature = "postgres")]
            Tx::Postgres(tx) => Conn::Postgres(tx),
        }
    }

    async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            #[cfg(feature = "postgres")]
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

impl std::fmt::Debug for Write {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Write").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Read {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Read").finish_non_exhaustive()
    }
}

impl Write {
    pub(super) fn sqlite(tx: Transaction<'static, Sqlite>) -> Self {
        Self { tx: Tx::Sqlite(tx) }
    }

    #[cfg(feature = "postgres")]
    pub(super) fn postgres(tx: Transaction<'static, Postgres>) -> Self {
        Self {
            tx: Tx::Postgres(tx),
        }
    }

    /// Whether this transaction is on PostgreSQL.
    pub(crate) fn is_postgres(&mut self) -> bool {
        match self.conn() {
            Conn::Sqlite(_) => false,
            #[cfg(feature = "postgres")]
            Conn::Postgres(_) => true,
        }
    }

    /// Makes everything done in this transaction durable (SQLite:
    /// `synchronous=FULL`, so a crash after this returns loses nothing).
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await
    }
}

impl Read {
    pub(super) fn sqlite(tx: Transaction<'static, Sqlite>) -> Self {
        Self { tx: Tx::Sqlite(tx) }
    }

    #[cfg(feature = "postgres")]
    pub(super) fn postgres(tx: Transaction<'static, Postgres>) -> Self {
        Self {
            tx: Tx::Postgres(tx),
        }
    }

    /// Ends the transaction. Nothing was written in it; this only gives
    /// the connection back sooner than dropping it would.
    pub(crate) async fn finish(self) -> Result<()> {
        self.tx.commit().await
    }
}

impl Db for Write {
    fn conn(&mut self) -> Conn<'_> {
        self.tx.conn()
    }
}

impl Db for Read {
    fn conn(&mut self) -> Conn<'_> {
        self.tx.conn()
    }
}

/// Runs a statement that returns no rows on `$db` (a `&mut` [`Db`]), with
/// the arguments bound to `$1`, `$2` ... in order. Evaluates to
/// `Result<u64, sqlx::Error>`: how many rows it changed.
macro_rules! exec {
    ($db:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $crate::store::Db::conn($db) {
            $crate::store::Conn::Sqlite(c) => sqlx::query($sql)
                $(.bind($arg))*
                .execute(c)
                .await
                .map(|done| done.rows_affected()),
            #[cfg(feature = "postgres")]
            $crate::store::Conn::Postgres(c) => sqlx::query($sql)
                $(.bind($arg))*
                .execute(c)
                .await
                .map(|done| done.rows_affected()),
        }
    };
}

/// Runs a query on `$db` and reads its rows as `$row` (a `sqlx::FromRow`
/// type), with `$fetch` one of `fetch_one`, `fetch_optional`, `fetch_all`.
/// Evaluates to that fetch's `Result<_, sqlx::Error>`.
macro_rules! rows {
    ($row:ty, $fetch:ident, $db:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $crate::store::Db::conn($db) {
            $crate::store::Conn::Sqlite(c) => sqlx::query_as::<_, $row>($sql)
                $(.bind($arg))*
                .$fetch(c)
                .await,
            #[cfg(feature = "postgres")]
            $crate::store::Conn::Postgres(c) => sqlx::query_as::<_, $row>($sql)
                $(.bind($arg))*
                .$fetch(c)
                .await,
        }
    };
}

/// [`rows!`] for a query whose rows are one column, read as `$value`.
macro_rules! scalar {
    ($value:ty, $fetch:ident, $db:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $crate::store::Db::conn($db) {
            $crate::store::Conn::Sqlite(c) => sqlx::query_scalar::<_, $value>($sql)
                $(.bind($arg))*
                .$fetch(c)
                .await,
            #[cfg(feature = "postgres")]
            $crate::store::Conn::Postgres(c) => sqlx::query_scalar::<_, $value>($sql)
                $(.bind($arg))*
                .$fetch(c)
                .await,
        }
    };
}

pub(crate) use {exec, rows, scalar};

/// A count or setting as the API shows it (`u32`), from the `i64` every
/// engine stores it as (PostgreSQL's driver reads no unsigned integers).
/// Out of range reads as the nearest end.
pub(crate) fn small(stored: i64) -> u32 {
    u32::try_from(stored.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::clock::SystemClock;
    use crate::store::Store;

    /// A new, migrated database in its own folder (kept while the folder is).
    async fn fresh() -> (tempfile::TempDir, Store) {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let dir = tempfile::tempdir().unwrap();
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let store = Store::connect(dir.path(), Arc::new(SystemClock))
            .await
            .unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn placeholders_bind_by_number_in_any_order_and_repeated() {
        let (_dir, store) = fresh().await;
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let mut read = store.read().await.unwrap();
        let row: (String, i64, i64) = rows!(
            (String, i64, i64),
            fetch_one,
            &mut read,
            "SELECT $2, $1, $1 + 1",
            40_i64,
            "two"
        )
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        .unwrap();
        assert_eq!(row, ("two".to_owned(), 40, 41));
    }

    #[tokio::test]
    async fn a_write_not_committed_keeps_nothing() {
        let (_dir, store) = fresh().await;
        let count = |store: Store| async move {
            // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
            let mut read = store.read().await.unwrap();
            // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
            scalar!(
                i64,
                fetch_one,
                &mut read,
                "SELECT count(*) FROM sign_in_failures"
            )
            .unwrap()
        };
        let before = count(store.clone()).await;
        {
            // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
            let mut write = store.write().await.unwrap();
            let changed = exec!(
                &mut write,
                "INSERT INTO sign_in_failures (username_key, failures) VALUES ($1, $2)",
                "dropped",
                1_i64
            )
            // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
            .unwrap();
            assert_eq!(changed, 1);
        }
        assert_eq!(count(store.clone()).await, before);
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let mut write = store.write().await.unwrap();
        exec!(
            &mut write,
            "INSERT INTO sign_in_failures (username_key, failures) VALUES ($1, $2)",
            "kept",
            1_i64
        )
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        .unwrap();
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        write.commit().await.unwrap();
        assert_eq!(count(store).await, before + 1);
    }
}
