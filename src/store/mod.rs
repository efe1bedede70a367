//! The seam beneath every rule: where the database is (a SQLite file, or a
//! PostgreSQL server with the `postgres` feature), how each engine is set
//! up, the migrations that run at every start, the pool, the clock and
//! transactions. It knows no domain: the work that brings derived data up
//! to date after opening lives above the domains, in `startup.rs`, and what
//! a domain keeps beside the rows (the comments' thread cache) sits in a
//! slot here that the store does not look into.

mod built;
pub(crate) mod files;
#[cfg(feature = "postgres")]
mod postgres;
mod sql;
mod unusable;

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::clock::{Clock, Millis};
use crate::{Error, Result};

pub(crate) use built::{exec_built, rows_built, Statement, KEPT_ARGS};
pub(crate) use sql::{exec, rows, scalar, small, Conn, Db};
pub(crate) use sql::{Read, ReadOne, Write, WriteOne};
pub use unusable::{Problem, Unusable};

/// The files SQLite keeps next to the database in WAL mode.
const SIDE_FILES: [&str; 2] = ["-wal", "-shm"];

/// The journal files SQLite keeps beside `file` in WAL mode (which may
/// not exist).
pub(crate) fn side_files(file: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    SIDE_FILES.iter().map(move |side| {
        let mut name = file.as_os_str().to_owned();
        name.push(side);
        PathBuf::from(name)
    })
}

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "parley.db";

/// The environment variable that moves the data directory (tests, portable
/// installs).
pub const DATA_DIR_ENV: &str = "PARLEY_DATA_DIR";

/// How long a connection waits for another one's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Parley's database, and the clock its rows are stamped with.
///
/// Cheap to clone: clones share one connection pool, and go on sharing it
/// when a restore puts another database in place (`backup::restore`).
#[derive(Debug, Clone)]
pub struct Store {
    pool: Arc<RwLock<Pool>>,
    /// The SQLite file; for PostgreSQL, the server's address without its
    /// password (what `about` shows).
    file: Arc<PathBuf>,
    clock: Arc<dyn Clock>,
    caches: Arc<Caches>,
    restoring: Arc<tokio::sync::Mutex<()>>,
}

/// The connections, by engine.
#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
}

impl Pool {
    async fn close(&self) {
        match self {
            Pool::Sqlite(pool) => pool.close().await,
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// What domains keep beside the rows, one value per type (see
/// [`Store::cache`]).
#[derive(Default)]
struct Caches {
    slots: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caches").finish_non_exhaustive()
    }
}

/// Parley's migrations, built into the binary.
pub(crate) fn migrator() -> sqlx::migrate::Migrator {
    sqlx::migrate!("./migrations")
}

/// Opens the pool on `file` after checking the file is one Parley may
/// use, and brings its schema up to date (see [`Store::connect`]).
async fn connect(file: &Path) -> Result<SqlitePool> {
    let migrator = migrator();
    let known: Vec<i64> = migrator.iter().map(|m| m.version).collect();
    unusable::check_existing(file, &known)
        .await
        .map_err(|u| Error::Unusable(Box::new(u)))?;
    let unusable = |problem: Unusable| Error::Unusable(Box::new(problem));
    files::create_private_file(file).map_err(|e| {
        let problem = match e.kind() {
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                Problem::ReadOnly
            }
            std::io::ErrorKind::StorageFull => Problem::DiskFull,
            _ => Problem::Other(e.to_string()),
        };
        unusable(Unusable::new(file, problem))
    })?;
    let options = SqliteConnectOptions::new()
        .filename(file)
        // WAL lets the thread load while a comment is being written;
        // FULL makes a comment the UI showed as posted survive a crash.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        // Functions and virtual tables used by the schema's triggers and
        // views must be ones SQLite marks harmless: a file changed
        // outside Parley cannot make its writes call anything else.
        .pragma("trusted_schema", "OFF");
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(|e| unusable(Unusable::from_sqlx(file, &e)))?;
    migrator
        .run(&pool)
        .await
        .map_err(|e| unusable(Unusable::from_migration(file, &e)))?;
    files::tighten(file);
    for side in side_files(file) {
        files::tighten(&side);
    }
    Ok(pool)
}

/// A database's schema as [`schema_of`] reads it.
pub(crate) type Schema = Vec<(String, String, String, Option<String>)>;

/// Every object in a database's schema: its type, name, table and SQL, in
/// order. Tables SQLite makes for itself when asked to (statistics, the
/// AUTOINCREMENT counter) are left out; nothing else is, whatever its name.
pub(crate) async fn schema_of(pool: &SqlitePool) -> std::result::Result<Schema, sqlx::Error> {
    sqlx::query_as(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema
         WHERE NOT (type = 'table' AND name IN ('sqlite_stat1', 'sqlite_stat4', 'sqlite_sequence'))
         ORDER BY type, name, tbl_name, sql",
    )
    .fetch_all(pool)
    .await
}

/// The schema of a database made now by Parley's migrations (see
/// [`schema_of`]): what every Parley database must have, exactly.
pub(crate) async fn fresh_schema() -> std::result::Result<Schema, sqlx::Error> {
    let options = SqliteConnectOptions::new()
        .in_memory(true)
        .pragma("trusted_schema", "OFF");
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    migrator().run(&pool).await?;
    let schema = schema_of(&pool).await;
    pool.close().await;
    schema
}

impl Store {
    /// Opens (creating if needed) the database in `dir`, with the time read
    /// from `clock`, and brings its schema up to date. The rest of Parley
    /// opens it through `startup::open`, which also catches up derived data.
    ///
    /// Fails with [`Error::DataDir`] if the folder cannot be created, and
    /// with [`Error::Unusable`] if the database file is not one Parley may
    /// use (not a database, damaged, another program's, from a newer
    /// Parley, read-only, on a full disk). Such a file is checked before
    /// anything is written and left exactly as it was.
    ///
    /// The folder is made private to its owner (0700) and the database
    /// files too (0600), tightening looser permissions found there.
    pub(crate) async fn connect(dir: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        files::prepare_folder(dir)
            .map_err(|e| Error::DataDir(format!("{}: {e}", dir.display())))?;
        let file = dir.join(DATABASE_FILE);
        let pool = connect(&file).await?;
        Ok(Self::on(Pool::Sqlite(pool), file, clock))
    }

    fn on(pool: Pool, file: PathBuf, clock: Arc<dyn Clock>) -> Self {
        Self {
            pool: Arc::new(RwLock::new(pool)),
            file: Arc::new(file),
            clock,
            caches: Arc::default(),
            restoring: Arc::default(),
        }
    }

    /// Opens the PostgreSQL database at `url` (`postgres://...`), with the
    /// time read from `clock`, and brings its schema up to date with
    /// PostgreSQL's own migrations (`migrations/postgres`). The rest of
    /// Parley opens it through `startup::open_url`.
    #[cfg(feature = "postgres")]
    pub(crate) async fn connect_url(url: &str, clock: Arc<dyn Clock>) -> Result<Self> {
        let (pool, shown) = postgres::connect(url).await?;
        Ok(Self::on(Pool::Postgres(pool), shown, clock))
    }

    /// Whether this store is a SQLite file (the desktop's library): the
    /// operations on the file itself (backups, restores, its settings)
    /// exist only there.
    pub fn is_file(&self) -> bool {
        matches!(*self.pool_slot(), Pool::Sqlite(_))
    }

    /// `error`, from work on this store's file, explained as a problem with
    /// the file when it is a database error (the same sentences opening
    /// the file gives).
    pub(crate) fn explain(&self, error: Error) -> Error {
        match error {
            Error::Database(d) => Error::Unusable(Box::new(Unusable::from_sqlx(&self.file, &d))),
            other => other,
        }
    }

    /// What a person sending a bug report needs to say about the
    /// database: where it is, how big, and its schema's version.
    pub async fn about(&self) -> Result<StoreAbout> {
        let mut read = self.read().await?;
        let schema_version = scalar!(
            Option<i64>,
            fetch_one,
            &mut read,
            "SELECT max(version) FROM _sqlx_migrations WHERE success"
        )?;
        let database_bytes = match read.conn() {
            Conn::Sqlite(_) => {
                let side: u64 = side_files(&self.file)
                    .filter_map(|side| std::fs::metadata(side).ok().map(|m| m.len()))
                    .sum();
                std::fs::metadata(self.file.as_path()).map_or(0, |m| m.len()) + side
            }
            #[cfg(feature = "postgres")]
            Conn::Postgres(c) => {
                let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
                    .fetch_one(c)
                    .await?;
                u64::try_from(bytes).unwrap_or(0)
            }
        };
        read.finish().await?;
        Ok(StoreAbout {
            database: self.file.as_ref().clone(),
            database_bytes,
            schema_version: schema_version.unwrap_or(0),
        })
    }

    /// The folder the database file is in.
    pub fn data_dir(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new("."))
    }

    /// Held while a restore replaces the database.
    pub(crate) fn restoring(&self) -> &tokio::sync::Mutex<()> {
        &self.restoring
    }

    /// Puts the database at `staged` (checked and up to date) in place of
    /// this store's, and reopens every clone of the store on it. Work
    /// under way finishes on the old database first. If the new one will
    /// not open, the copy at `previous` goes back in its place.
    pub(crate) async fn replace_file(&self, staged: &Path, previous: &Path) -> Result<()> {
        self.sqlite_pool()?.close().await;
        let file = self.file.as_path();
        let clear_side_files = || {
            for side in side_files(file) {
                let _ = std::fs::remove_file(side);
            }
        };
        clear_side_files();
        let placed = std::fs::rename(staged, file);
        let opened = match placed {
            Ok(()) => connect(file).await,
            Err(e) => Err(Error::Internal(format!(
                "placing the restored database: {e}"
            ))),
        };
        let pool = match opened {
            Ok(pool) => pool,
            Err(e) => {
                log::error!(
                    "the restored database did not open, putting back the previous one: {e:?}"
                );
                clear_side_files();
                std::fs::copy(previous, file).map_err(|e| {
                    Error::Internal(format!("putting back {}: {e}", previous.display()))
                })?;
                let pool = connect(file).await?;
                self.set_pool(pool);
                return Err(Error::Invalid(
                    "The restored database could not be opened; Parley is back on the data it had."
                        .into(),
                ));
            }
        };
        self.set_pool(pool);
        self.forget_caches();
        Ok(())
    }

    fn set_pool(&self, pool: SqlitePool) {
        match self.pool.write() {
            Ok(mut slot) => *slot = Pool::Sqlite(pool),
            Err(poisoned) => *poisoned.into_inner() = Pool::Sqlite(pool),
        }
    }

    fn pool_slot(&self) -> std::sync::RwLockReadGuard<'_, Pool> {
        match self.pool.read() {
            Ok(pool) => pool,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The pool (a cheap handle to it).
    fn pool(&self) -> Pool {
        self.pool_slot().clone()
    }

    /// The SQLite pool, for the operations on the file itself (backup,
    /// restore, its settings). On another engine they do not exist, and
    /// this says so.
    pub(crate) fn sqlite_pool(&self) -> Result<SqlitePool> {
        match self.pool() {
            Pool::Sqlite(pool) => Ok(pool),
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => Err(Error::invalid(
                "This works on a library kept in a file; this one is on a PostgreSQL server.",
            )),
        }
    }

    /// The `T` this store keeps for a domain (a cache of what it derives
    /// from the rows), made on first use and shared by clones of the store.
    /// A restore drops them all: the next use starts from the new file.
    pub(crate) fn cache<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut slots = match self.caches.slots.lock() {
            Ok(slots) => slots,
            Err(poisoned) => poisoned.into_inner(),
        };
        let slot = slots
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()));
        match Arc::clone(slot).downcast::<T>() {
            Ok(cache) => cache,
            // Unreachable: the slot for T's TypeId only ever holds a T.
            Err(_) => {
                let fresh = Arc::new(T::default());
                *slot = fresh.clone();
                fresh
            }
        }
    }

    /// Drops everything domains cached beside the rows, so the next read of
    /// each comes from the database again. Nothing needs this for
    /// correctness (writes invalidate what they change); benchmarks use it
    /// to measure a cold load.
    pub fn forget_caches(&self) {
        match self.caches.slots.lock() {
            Ok(mut slots) => slots.clear(),
            Err(poisoned) => poisoned.into_inner().clear(),
        }
    }

    /// The current time by this store's clock.
    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// This store's clock's monotonic reading (see [`Clock::monotonic`]).
    pub fn monotonic(&self) -> Millis {
        self.clock.monotonic()
    }

    /// A write transaction ([`Write`]): SQLite's write lock, taken at once;
    /// on PostgreSQL a transaction-scoped advisory lock that every write
    /// takes first, so writers go one at a time there too.
    pub(crate) async fn write(&self) -> Result<Write> {
        match self.pool() {
            Pool::Sqlite(pool) => Ok(Write::sqlite(pool.begin_with("BEGIN IMMEDIATE").await?)),
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => Ok(Write::postgres(postgres::begin_write(&pool).await?)),
        }
    }

    /// A read transaction ([`Read`]): every statement in it sees one
    /// snapshot of the database (PostgreSQL: REPEATABLE READ, READ ONLY).
    pub(crate) async fn read(&self) -> Result<Read> {
        match self.pool() {
            Pool::Sqlite(pool) => Ok(Read::sqlite(pool.begin().await?)),
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => Ok(Read::postgres(postgres::begin_read(&pool).await?)),
        }
    }

    /// A read of one statement ([`ReadOne`]): a connection from the pool,
    /// outside any transaction.
    pub(crate) async fn read_one(&self) -> Result<ReadOne> {
        Ok(ReadOne::new(self.pooled().await?))
    }

    /// A write of one statement ([`WriteOne`]): a connection from the
    /// pool, outside any transaction.
    pub(crate) async fn write_one(&self) -> Result<WriteOne> {
        Ok(WriteOne::new(self.pooled().await?))
    }

    async fn pooled(&self) -> Result<sql::Pooled> {
        Ok(match self.pool() {
            Pool::Sqlite(pool) => sql::Pooled::Sqlite(pool.acquire().await?),
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => sql::Pooled::Postgres(pool.acquire().await?),
        })
    }

    /// The SQLite settings a connection from this store runs with, as
    /// SQLite reports them (for diagnostics and tests).
    pub async fn settings(&self) -> Result<StoreSettings> {
        let mut conn = self.sqlite_pool()?.acquire().await?;
        let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?;
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?;
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await?;
        let busy_timeout_ms: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await?;
        let trusted_schema: i64 = sqlx::query_scalar("PRAGMA trusted_schema")
            .fetch_one(&mut *conn)
            .await?;
        Ok(StoreSettings {
            journal_mode,
            synchronous_full: synchronous == 2,
            foreign_keys: foreign_keys == 1,
            busy_timeout_ms,
            trusted_schema: trusted_schema == 1,
        })
    }

    /// How the connection pool stands now, for a server's metrics.
    pub fn pool_use(&self) -> PoolUse {
        match self.pool() {
            Pool::Sqlite(pool) => PoolUse::of(&pool),
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => PoolUse::of(&pool),
        }
    }

    /// Whether the database answers now: one trivial statement on a
    /// connection from the pool (a server's readiness check).
    pub async fn ping(&self) -> Result<()> {
        // A BIGINT on both engines (PostgreSQL's bare 1 is an INT4).
        let one = scalar!(
            i64,
            fetch_one,
            &mut self.read_one().await?,
            "SELECT CAST(1 AS BIGINT)"
        )?;
        if one == 1 {
            Ok(())
        } else {
            Err(Error::Internal(format!("SELECT 1 gave {one}")))
        }
    }

    /// Closes every connection, flushing the WAL. Pending work finishes first.
    pub async fn close(&self) {
        self.pool().close().await;
    }
}

/// A connection pool's state ([`Store::pool_use`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Connections open, in use or idle.
    pub open: u32,
    /// Open connections nobody is using.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

impl PoolUse {
    fn of<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> Self {
        Self {
            open: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        }
    }
}

/// What [`Store::about`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreAbout {
    pub database: PathBuf,
    /// The database file and its WAL, together.
    pub database_bytes: u64,
    /// The newest migration applied.
    pub schema_version: i64,
}

/// Creates the data folder `dir` if it is missing, private to its owner.
pub fn prepare_data_dir(dir: &Path) -> Result<()> {
    files::prepare_folder(dir).map_err(|e| Error::DataDir(format!("{}: {e}", dir.display())))
}

/// What [`Store::settings`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSettings {
    /// `wal` when opened by Parley.
    pub journal_mode: String,
    /// Whether every commit is flushed to disk before it returns.
    pub synchronous_full: bool,
    pub foreign_keys: bool,
    pub busy_timeout_ms: i64,
    /// Whether the schema may call any function (never, when opened by
    /// Parley: `trusted_schema=OFF`).
    pub trusted_schema: bool,
}

/// Where Parley keeps its data: `$PARLEY_DATA_DIR` when set and not empty,
/// otherwise the platform's data directory plus `parley` (on Linux
/// `$XDG_DATA_HOME/parley`, by default `~/.local/share/parley`).
///
/// Fails with [`Error::DataDir`] when neither can be determined (no home
/// directory).
pub fn default_data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join("parley"))
        .ok_or_else(|| Error::DataDir(format!("no home folder; set {DATA_DIR_ENV}")))
}
