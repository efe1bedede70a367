//! Backups of the whole database, taken while Parley runs, and restoring
//! one.
//!
//! A backup is `VACUUM INTO` a new file: SQLite writes a consistent copy as
//! of one moment (a read transaction), while other connections go on
//! writing in the WAL. It is written under a hidden name and renamed only
//! when complete and flushed, so a backup that is listed is whole.
//!
//! Backups live in `backups/` inside the data folder, named by the UTC time
//! they were taken: `parley-2026-11-30-172137.db`, with `-auto` for the
//! daily automatic ones (the last [`KEEP_AUTOMATIC`] are kept) and
//! `-before-restore` for the copy of what a restore replaced. Each is an
//! ordinary Parley database: restoring by hand is copying one over
//! `parley.db` while Parley is closed (README, "Backups").

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use ts_rs::TS;

use crate::clock::Millis;
use crate::policy::{authorize, Action};
use crate::store::{files, Store};
use crate::users::User;
use crate::{Error, Result};

/// The folder inside the data folder that holds backups.
pub const FOLDER: &str = "backups";
/// Automatic backups kept; older ones are deleted as new ones are taken.
pub const KEEP_AUTOMATIC: usize = 7;
/// How often an automatic backup is taken.
pub const AUTOMATIC_EVERY_MS: Millis = 24 * 60 * 60 * 1000;

const PREFIX: &str = "parley-";
const STAMP: &str = "%Y-%m-%d-%H%M%S";

/// Why a backup was taken; part of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "BackupKind")]
pub enum Kind {
    /// "Back up now".
    Manual,
    /// The daily one.
    Automatic,
    /// What a restore replaced.
    BeforeRestore,
}

impl Kind {
    fn suffix(self) -> &'static str {
        match self {
            Kind::Manual => "",
            Kind::Automatic => "-auto",
            Kind::BeforeRestore => "-before-restore",
        }
    }
}

/// One backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Backup {
    /// The file's name in the backups folder.
    pub name: String,
    #[ts(type = "number")]
    pub size: u64,
    #[ts(type = "number")]
    pub taken_at: Millis,
    pub kind: Kind,
}

/// Takes a backup now, for `actor` (the admin). See [`back_up`].
pub async fn back_up_as(
    store: &Store,
    actor: &User,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<Backup> {
    allowed(store, actor, Action::BackUp).await?;
    back_up(store, Kind::Manual, progress).await
}

/// The backups, newest first, for `actor` (the admin).
pub async fn list_as(store: &Store, actor: &User) -> Result<Vec<Backup>> {
    allowed(store, actor, Action::BackUp).await?;
    Ok(list(store))
}

/// Restores the backup called `name` from the backups folder, for
/// `actor` (the admin). See [`restore`].
pub async fn restore_as(store: &Store, actor: &User, name: &str) -> Result<Restored> {
    allowed(store, actor, Action::Restore).await?;
    let path = path_of(store, name)?;
    restore(store, &path).await
}

/// Restores the backup at `path` (chosen by the admin in a native
/// dialog), for `actor` (the admin). See [`restore`].
pub async fn restore_file_as(store: &Store, actor: &User, path: &Path) -> Result<Restored> {
    allowed(store, actor, Action::Restore).await?;
    restore(store, path).await
}

/// Fails unless `actor` may take `action`. The connection is given back
/// before returning: a restore closes the pool and waits for every one.
async fn allowed(store: &Store, actor: &User, action: Action) -> Result<()> {
    let mut read = store.read().await?;
    authorize(&mut read, actor, action, None).await
}

/// The backups folder of `store`.
pub fn folder(store: &Store) -> PathBuf {
    store.data_dir().join(FOLDER)
}

/// Takes a backup now. `progress` is told (bytes written, bytes expected)
/// as the copy grows, about ten times a second.
pub async fn back_up(
    store: &Store,
    kind: Kind,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<Backup> {
    let dir = folder(store);
    files::prepare_folder(&dir)
        .map_err(|e| Error::Invalid(format!("Parley could not make {}: {e}.", dir.display())))?;
    let taken_at = store.now();
    let name = free_name(&dir, taken_at, kind);
    let partial = dir.join(format!(".{name}.partial"));
    let _ = std::fs::remove_file(&partial);
    let expected = expected_size(store).await?;

    let pool = store.sqlite_pool()?;
    let copy = sqlx::query("VACUUM INTO ?")
        .bind(partial.to_string_lossy().into_owned())
        .execute(&pool);
    tokio::pin!(copy);
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(100));
    let outcome = loop {
        tokio::select! {
            done = &mut copy => break done,
            _ = tick.tick() => {
                let written = std::fs::metadata(&partial).map_or(0, |m| m.len());
                progress(written.min(expected), expected);
            }
        }
    };
    if let Err(e) = outcome {
        let _ = std::fs::remove_file(&partial);
        return Err(write_failed(&dir, &e.to_string()));
    }
    let finish = || -> std::io::Result<u64> {
        let file = std::fs::File::open(&partial)?;
        file.sync_all()?;
        files::tighten(&partial);
        std::fs::rename(&partial, dir.join(&name))?;
        if let Ok(folder) = std::fs::File::open(&dir) {
            let _ = folder.sync_all();
        }
        Ok(file.metadata()?.len())
    };
    let size = finish().map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        write_failed(&dir, &e.to_string())
    })?;
    progress(size, size);
    if kind == Kind::Automatic {
        prune_automatic(&dir);
    }
    Ok(Backup {
        name,
        size,
        taken_at,
        kind,
    })
}

/// Takes the daily automatic backup if the newest one is a day old or
/// more (or there is none). Returns it if one was taken.
pub async fn back_up_if_due(store: &Store) -> Result<Option<Backup>> {
    let newest = list(store)
        .into_iter()
        .filter(|b| b.kind == Kind::Automatic)
        .map(|b| b.taken_at)
        .max();
    if newest.is_some_and(|at| store.now() - at < AUTOMATIC_EVERY_MS) {
        return Ok(None);
    }
    back_up(store, Kind::Automatic, &|_, _| {}).await.map(Some)
}

/// The backups in the folder, newest first. Files that are not Parley
/// backups by name are left out.
pub fn list(store: &Store) -> Vec<Backup> {
    let Ok(entries) = std::fs::read_dir(folder(store)) else {
        return Vec::new();
    };
    let mut backups: Vec<Backup> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let (taken_at, kind) = parse_name(&name)?;
            let size = e.metadata().ok()?.len();
            Some(Backup {
                name,
                size,
                taken_at,
                kind,
            })
        })
        .collect();
    backups.sort_by(|a, b| b.taken_at.cmp(&a.taken_at).then(b.name.cmp(&a.name)));
    backups
}

/// The path of the backup called `name` in the folder, if there is one:
/// only a name [`list`] gives is accepted (no other folder, no `..`).
pub fn path_of(store: &Store, name: &str) -> Result<PathBuf> {
    let known = parse_name(name).is_some() && !name.contains(['/', '\\']);
    let path = folder(store).join(name);
    if !known || !path.is_file() {
        return Err(Error::not_found("That backup is no longer there."));
    }
    Ok(path)
}

/// What [`restore`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Restored {
    /// The backup (in the backups folder) holding what was replaced.
    pub set_aside: String,
}

/// Replaces the database with the backup at `from`, after checking it: an
/// SQLite database that is Parley's, undamaged, and from this Parley or an
/// older one (an older one is brought up to date). What it replaces is
/// first backed up ([`Kind::BeforeRestore`]). `store` and every clone of it
/// then work on the restored data.
///
/// A file that fails a check is refused with [`Error::Invalid`] saying why,
/// and nothing changes.
pub async fn restore(store: &Store, from: &Path) -> Result<Restored> {
    let _one_at_a_time = store.restoring().lock().await;
    let dir = store.data_dir().to_path_buf();
    let staged = dir.join(".restore.partial.db");
    remove_with_side_files(&staged);
    let name = from
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Err(e) = std::fs::copy(from, &staged) {
        remove_with_side_files(&staged);
        return Err(Error::Invalid(format!(
            "Parley could not read {name}: {e}."
        )));
    }
    files::tighten(&staged);
    if let Err(why) = check_and_upgrade(&staged).await {
        remove_with_side_files(&staged);
        return Err(Error::Invalid(format!("{name} cannot be restored: {why}")));
    }
    let set_aside = match back_up(store, Kind::BeforeRestore, &|_, _| {}).await {
        Ok(b) => b,
        Err(e) => {
            remove_with_side_files(&staged);
            return Err(e);
        }
    };
    let aside = folder(store).join(&set_aside.name);
    store.replace_file(&staged, &aside).await?;
    crate::startup::catch_up(store).await?;
    crate::session::stored::forget_all(store).await?;
    Ok(Restored {
        set_aside: set_aside.name,
    })
}

/// Checks that the file at `path` is a Parley database this Parley can
/// use, then brings it up to date. Says why not, in a sentence.
async fn check_and_upgrade(path: &Path) -> std::result::Result<(), String> {
    const NOT_PARLEYS: &str = "it is not a Parley database.";
    let options = SqliteConnectOptions::new()
        .filename(path)
        .pragma("trusted_schema", "OFF");
    let mut conn = match options.clone().read_only(true).connect().await {
        Ok(c) => c,
        Err(_) => return Err("it is not a database.".into()),
    };
    let tables: Vec<String> =
        match sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'table'")
            .fetch_all(&mut conn)
            .await
        {
            Ok(t) => t,
            Err(_) => return Err("it is not a database, or it is damaged.".into()),
        };
    if !["_sqlx_migrations", "users", "articles", "comments"]
        .iter()
        .all(|t| tables.iter().any(|have| have == t))
    {
        return Err(NOT_PARLEYS.into());
    }
    let verdict: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|_| "it is damaged.".to_owned())?;
    if verdict != ["ok"] {
        return Err("it is damaged (SQLite's integrity check failed).".into());
    }
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
        .fetch_all(&mut conn)
        .await
        .map_err(|_| NOT_PARLEYS.to_owned())?;
    let _ = conn.close().await;
    let migrator = crate::store::migrator();
    let known: Vec<i64> = migrator.iter().map(|m| m.version).collect();
    if !applied.iter().any(|v| known.contains(v)) {
        return Err(NOT_PARLEYS.into());
    }
    if applied.iter().any(|v| !known.contains(v)) {
        return Err("it was made by a newer version of Parley.".into());
    }
    let pool = sqlx::SqlitePool::connect_with(options)
        .await
        .map_err(|e| format!("it could not be opened ({e})."))?;
    let upgraded = migrator.run(&pool).await;
    let schema = crate::store::schema_of(&pool).await;
    pool.close().await;
    upgraded.map_err(|e| format!("it could not be brought up to date ({e})."))?;
    let fresh = crate::store::fresh_schema()
        .await
        .map_err(|e| format!("Parley could not compare it with its own ({e})."))?;
    if schema.map_err(|e| format!("its schema cannot be read ({e})."))? != fresh {
        return Err(CHANGED_OUTSIDE.into());
    }
    Ok(())
}

/// Why a file whose schema is not Parley's is refused: a trigger, view or
/// index added to a backup would run, or be copied, on every later write.
const CHANGED_OUTSIDE: &str =
    "it has been changed outside Parley (its tables, indexes or triggers are not Parley's own).";

/// A name for a backup taken at `at` that no file in `dir` has yet.
fn free_name(dir: &Path, at: Millis, kind: Kind) -> String {
    let stamp = DateTime::from_timestamp_millis(at)
        .map(|t| t.format(STAMP).to_string())
        .unwrap_or_else(|| at.to_string());
    let base = format!("{PREFIX}{stamp}{}", kind.suffix());
    let mut name = format!("{base}.db");
    let mut n = 2;
    while dir.join(&name).exists() {
        name = format!("{base}-{n}.db");
        n += 1;
    }
    name
}

/// When a backup called `name` was taken and why, if it is a backup's name.
fn parse_name(name: &str) -> Option<(Millis, Kind)> {
    let rest = name.strip_prefix(PREFIX)?.strip_suffix(".db")?;
    let stamp = rest.get(..17)?;
    let tail = rest.get(17..)?;
    let at = NaiveDateTime::parse_from_str(stamp, STAMP)
        .ok()?
        .and_utc()
        .timestamp_millis();
    // A second backup in the same second has "-2", "-3"… after its kind.
    let without_count = tail.trim_end_matches(|c: char| c.is_ascii_digit());
    let without_count = if without_count.len() < tail.len() {
        without_count.strip_suffix('-')?
    } else {
        tail
    };
    let kind = match without_count {
        "" => Kind::Manual,
        "-auto" => Kind::Automatic,
        "-before-restore" => Kind::BeforeRestore,
        _ => return None,
    };
    Some((at, kind))
}

/// Deletes all but the newest [`KEEP_AUTOMATIC`] automatic backups.
fn prune_automatic(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut automatic: Vec<(Millis, String)> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|name| match parse_name(&name)? {
            (at, Kind::Automatic) => Some((at, name)),
            _ => None,
        })
        .collect();
    automatic.sort_by(|a, b| b.cmp(a));
    for (_, name) in automatic.iter().skip(KEEP_AUTOMATIC) {
        if let Err(e) = std::fs::remove_file(dir.join(name)) {
            log::warn!("could not delete the old backup {name}: {e}");
        }
    }
}

/// The bytes the database holds (its pages less the free ones): about
/// what a backup will weigh.
async fn expected_size(store: &Store) -> Result<u64> {
    let mut conn = store.sqlite_pool()?.acquire().await?;
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&mut *conn)
        .await?;
    let free: i64 = sqlx::query_scalar("PRAGMA freelist_count")
        .fetch_one(&mut *conn)
        .await?;
    let size: i64 = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(&mut *conn)
        .await?;
    Ok(u64::try_from((pages - free).max(1) * size).unwrap_or(0))
}

fn write_failed(dir: &Path, detail: &str) -> Error {
    Error::Invalid(format!(
        "Parley could not write the backup in {}: {detail}.",
        dir.display()
    ))
}

/// Removes `file` and the journal files SQLite may have left beside it.
fn remove_with_side_files(file: &Path) {
    let _ = std::fs::remove_file(file);
    let mut journal = file.as_os_str().to_owned();
    journal.push("-journal");
    let _ = std::fs::remove_file(PathBuf::from(journal));
    for side in crate::store::side_files(file) {
        let _ = std::fs::remove_file(side);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_when_and_why() {
        let at = 1_795_780_800_000; // 2026-11-27 12:00:00 UTC
        let dir = std::env::temp_dir().join("parley-no-such-folder");
        let name = free_name(&dir, at, Kind::Automatic);
        assert_eq!(name, "parley-2026-11-27-120000-auto.db");
        assert_eq!(parse_name(&name), Some((at, Kind::Automatic)));
        assert_eq!(
            parse_name("parley-2026-11-27-120000.db"),
            Some((at, Kind::Manual))
        );
        assert_eq!(
            parse_name("parley-2026-11-27-120000-before-restore-3.db"),
            Some((at, Kind::BeforeRestore))
        );
        for other in [
            "parley.db",
            "parley-2026-11-27.db",
            "notes.db",
            "parley-2026-11-27-120000-x.db",
        ] {
            assert_eq!(parse_name(other), None, "{other}");
        }
    }
}
