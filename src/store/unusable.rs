//! Why Parley cannot use the database it found, in words for the person
//! who has to put it right: which file, what is wrong, what to do. Parley
//! never changes such a file: it is checked before anything is written.

use std::path::{Path, PathBuf};

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// A database file Parley will not (or cannot) use, and why.
#[derive(Debug)]
pub struct Unusable {
    /// The database file.
    pub file: PathBuf,
    pub problem: Problem,
}

/// What is wrong with a database file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file is not an SQLite database at all.
    NotADatabase,
    /// An SQLite database whose pages are damaged, or whose layout was
    /// left half-changed.
    Damaged,
    /// An SQLite database that belongs to another program.
    NotParleys,
    /// Written by a newer Parley: it has changes this one does not know.
    Newer,
    /// The file or its folder cannot be written to.
    ReadOnly,
    /// The disk is full.
    DiskFull,
    /// Anything else SQLite reported (its words, for the log).
    Other(String),
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = self.file.display();
        let folder = self
            .file
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let untouched = "Parley has not changed it.";
        let (what, todo) = match &self.problem {
            Problem::NotADatabase => (
                "This file is not a database: it may be damaged, or something else was saved \
                 under its name."
                    .to_owned(),
                format!(
                    "{untouched} If you have a backup of Parley's data, put it in its place. \
                     Otherwise move the file aside (rename it, or move it out of the folder) and \
                     start Parley again: it will begin with an empty library."
                ),
            ),
            Problem::Damaged => (
                "The database is damaged: parts of it cannot be read.".to_owned(),
                format!(
                    "{untouched} If you have a backup of Parley's data, put it in its place. \
                     Otherwise move the file aside and start Parley again: it will begin with \
                     an empty library, and the damaged file stays for recovery tools."
                ),
            ),
            Problem::NotParleys => (
                "This is a database, but not a Parley database: another program made it."
                    .to_owned(),
                format!(
                    "{untouched} Move the file aside, or start Parley with PARLEY_DATA_DIR set \
                     to another folder."
                ),
            ),
            Problem::Newer => (
                "It was written by a newer version of Parley, which changed it in ways this \
                 version does not know."
                    .to_owned(),
                format!(
                    "{untouched} Start the newer Parley instead, or put a backup made by this \
                     version in its place."
                ),
            ),
            Problem::ReadOnly => (
                "Parley cannot write to it: the file or its folder is read-only for you, or \
                 the disk is mounted read-only."
                    .to_owned(),
                format!(
                    "Give your account permission to write to {folder} and the files in it, or \
                     start Parley with PARLEY_DATA_DIR set to a folder you can write to."
                ),
            ),
            Problem::DiskFull => (
                "The disk it is on is full.".to_owned(),
                "Free some space on that disk, then start Parley again. Nothing saved so far \
                 is lost."
                    .to_owned(),
            ),
            Problem::Other(detail) => (
                format!("SQLite reported: {detail}."),
                format!(
                    "{untouched} If this keeps happening, move the file aside and start Parley \
                     again, and keep the file for a bug report."
                ),
            ),
        };
        write!(
            f,
            "Parley cannot open its database, {file}.\n\n{what}\n\n{todo}"
        )
    }
}

impl Unusable {
    pub(crate) fn new(file: &Path, problem: Problem) -> Self {
        Self {
            file: file.to_owned(),
            problem,
        }
    }

    /// The problem behind an SQLite failure while opening or migrating.
    pub(crate) fn from_sqlx(file: &Path, error: &sqlx::Error) -> Self {
        Self::new(file, problem_of(error))
    }

    /// The problem behind a failed migration.
    pub(crate) fn from_migration(file: &Path, error: &sqlx::migrate::MigrateError) -> Self {
        use sqlx::migrate::MigrateError;
        let problem = match error {
            MigrateError::VersionMissing(_) | MigrateError::VersionTooNew(..) => Problem::Newer,
            MigrateError::Dirty(_) => Problem::Damaged,
            MigrateError::Execute(e) | MigrateError::ExecuteMigration(e, _) => problem_of(e),
            other => Problem::Other(other.to_string()),
        };
        Self::new(file, problem)
    }
}

/// SQLite's primary result codes that say something a person can act on.
const SQLITE_PERM: i32 = 3;
const SQLITE_READONLY: i32 = 8;
const SQLITE_CORRUPT: i32 = 11;
const SQLITE_FULL: i32 = 13;
const SQLITE_CANTOPEN: i32 = 14;
const SQLITE_NOTADB: i32 = 26;

fn problem_of(error: &sqlx::Error) -> Problem {
    let code = match error {
        sqlx::Error::Database(d) => d.code().and_then(|c| c.parse::<i32>().ok()),
        sqlx::Error::Io(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Problem::ReadOnly
        }
        _ => None,
    };
    // Extended result codes keep the primary code in their low byte.
    match code.map(|c| c & 0xff) {
        Some(SQLITE_NOTADB) => Problem::NotADatabase,
        Some(SQLITE_CORRUPT) => Problem::Damaged,
        Some(SQLITE_READONLY | SQLITE_CANTOPEN | SQLITE_PERM) => Problem::ReadOnly,
        Some(SQLITE_FULL) => Problem::DiskFull,
        _ => Problem::Other(error.to_string()),
    }
}

/// Looks at an existing database file without changing it (read-only, no
/// journal-mode switch) and says whether Parley may open it: an SQLite
/// database that is empty or Parley's own, with no migration this Parley
/// does not know. A missing or empty file is fine: Parley starts a new one.
/// When migrations are about to change the file's layout, its pages are
/// checked first (`PRAGMA quick_check`), so a damaged file is not written
/// to; a start with nothing to migrate skips that read of the whole file.
pub(crate) async fn check_existing(file: &Path, known_migrations: &[i64]) -> Result<(), Unusable> {
    let length = match std::fs::metadata(file) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(Unusable::new(file, Problem::ReadOnly))
        }
        Err(e) => return Err(Unusable::new(file, Problem::Other(e.to_string()))),
    };
    if length == 0 {
        return Ok(());
    }
    let fail = |e: sqlx::Error| Unusable::from_sqlx(file, &e);
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .connect()
        .await
        .map_err(fail)?;
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'table'")
            .fetch_all(&mut conn)
            .await
            .map_err(fail)?;
    if tables.is_empty() {
        conn.close().await.map_err(fail)?;
        return Ok(());
    }
    if !tables.iter().any(|t| t == "_sqlx_migrations") {
        return Err(Unusable::new(file, Problem::NotParleys));
    }
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
        .fetch_all(&mut conn)
        .await
        .map_err(fail)?;
    if !applied.iter().any(|v| known_migrations.contains(v)) {
        // Another program that also uses sqlx's migrations table.
        return Err(Unusable::new(file, Problem::NotParleys));
    }
    if applied.iter().any(|v| !known_migrations.contains(v)) {
        return Err(Unusable::new(file, Problem::Newer));
    }
    if known_migrations.iter().any(|v| !applied.contains(v)) {
        let verdict: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_all(&mut conn)
            .await
            .map_err(fail)?;
        if verdict != ["ok"] {
            return Err(Unusable::new(file, Problem::Damaged));
        }
    }
    conn.close().await.map_err(fail)?;
    Ok(())
}
