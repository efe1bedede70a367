//! The library's long work as people start it: following a feed, saving
//! a page, refreshing sources by hand or when they are due. Each is one
//! function that both doors call (the desktop's commands and the server's
//! routes); each returns at once with the job that does the work.

use std::sync::Arc;

use crate::accounts::User;
use crate::ids::SourceId;
use crate::library::address::parse_pasted;
use crate::library::files::{self, FileKind};
use crate::library::jobs::{Jobs, Task};
use crate::library::opml;
use crate::library::sources;
use crate::store::Store;
use crate::{Error, Result};

/// What the scheduled refresh is called in the progress panel.
pub const SCHEDULED_TITLE: &str = "Refreshing feeds";

/// Follows the feed at `address` (or the website's feed) for `user`.
pub fn follow_feed(jobs: &Arc<Jobs>, user: User, address: &str) -> Result<u64> {
    checked_address(address)?;
    let title = format!("Following {}", address.trim());
    jobs.start(&title, Some(user), vec![Task::Follow(address.to_owned())])
}

/// Saves the web page at `address` for `user`.
pub fn save_page(jobs: &Arc<Jobs>, user: User, address: &str) -> Result<u64> {
    checked_address(address)?;
    let title = format!("Saving {}", address.trim());
    jobs.start(&title, Some(user), vec![Task::SavePage(address.to_owned())])
}

/// Refreshes one source now, for `user`.
pub async fn refresh_source(
    jobs: &Arc<Jobs>,
    store: &Store,
    user: User,
    source: SourceId,
) -> Result<u64> {
    let tasks = refresh_tasks(store, &[source]).await?;
    let title = tasks
        .first()
        .map(|t| match t {
            Task::Refresh { title, .. } => format!("Refreshing {title}"),
            _ => "Refreshing".to_owned(),
        })
        .ok_or_else(|| Error::NotFound("That feed is no longer followed.".into()))?;
    jobs.start(&title, Some(user), tasks)
}

/// Refreshes every source now, for `user`.
pub async fn refresh_all(jobs: &Arc<Jobs>, store: &Store, user: User) -> Result<u64> {
    let all: Vec<SourceId> = sources::list(store, None)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let tasks = refresh_tasks(store, &all).await?;
    let title = format!("Refreshing {} feeds", tasks.len());
    jobs.start(&title, Some(user), tasks)
}

/// Refreshes the sources that are due, in one job, unless that job is
/// still running from last time. What the desktop and the server run
/// each minute.
pub async fn refresh_due(jobs: &Arc<Jobs>, store: &Store) -> Result<()> {
    if jobs.running(SCHEDULED_TITLE) {
        return Ok(());
    }
    let due = sources::due(store).await?;
    if due.is_empty() {
        return Ok(());
    }
    let tasks = refresh_tasks(store, &due).await?;
    jobs.start(SCHEDULED_TITLE, None, tasks)?;
    Ok(())
}

/// Imports one file sent whole (to a server): an OPML file's feeds are
/// followed and refreshed, a Markdown or HTML file becomes an article.
/// Returns the job, or `None` when an OPML file had no feed not already
/// followed.
pub async fn import_file(
    jobs: &Arc<Jobs>,
    store: &Store,
    user: User,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Option<u64>> {
    if bytes.len() as u64 > files::MAX_FILE_BYTES {
        return Err(Error::Invalid(format!(
            "That file is larger than {} MiB: Parley imports smaller ones.",
            files::MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let name = name.trim();
    let tasks = match FileKind::of(name) {
        Some(FileKind::Opml) => {
            let subscribed = opml::import(store, &user, &bytes).await?;
            refresh_tasks(store, &subscribed.new).await?
        }
        Some(_) => vec![Task::ImportBytes {
            name: name.to_owned(),
            bytes: Arc::new(bytes),
        }],
        None => {
            return Err(Error::Invalid(
                "Parley imports Markdown (.md), HTML (.html) and OPML (.opml) files.".into(),
            ))
        }
    };
    if tasks.is_empty() {
        return Ok(None);
    }
    let title = format!("Importing {name}");
    jobs.start(&title, Some(user), tasks).map(Some)
}

/// An address is refused at once when it is not one.
pub fn checked_address(address: &str) -> Result<()> {
    parse_pasted(address).map(drop).ok_or_else(|| {
        Error::Invalid(
            "That is not a web address. Paste one that starts with http:// or https://.".into(),
        )
    })
}

/// Refresh tasks, labelled with each source's title.
pub async fn refresh_tasks(store: &Store, ids: &[SourceId]) -> Result<Vec<Task>> {
    let all = sources::list(store, None).await?;
    Ok(ids
        .iter()
        .filter_map(|id| all.iter().find(|s| s.id == *id))
        .map(|s| Task::Refresh {
            source: s.id,
            title: s.title.clone(),
        })
        .collect())
}
