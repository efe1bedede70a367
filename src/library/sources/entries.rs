//! A fetched feed's entries into the library: each one not there yet
//! (nor removed by a cap) goes in through `adding`, one that cannot be
//! kept is skipped with a note, and the source is then kept within the
//! library's limits.

use crate::ids::{SourceId, UserId};
use crate::library::adding::{self, Added, Incoming, Origin};
use crate::library::address::canonical;
use crate::library::feeds::{self, FeedEntry, ParsedFeed};
use crate::library::fetch::Fetcher;
use crate::library::images::ImageBudget;
use crate::library::limits;
use crate::store::Store;
use crate::{Error, Result};

/// Adds what `feed` has that the library has not, then keeps `source`
/// within its caps; returns (added, already there, notes for the log).
pub(super) async fn add_feed(
    store: &Store,
    fetcher: &Fetcher,
    added_by: Option<UserId>,
    source: SourceId,
    source_name: &str,
    feed: &ParsedFeed,
) -> Result<(u32, u32, Vec<String>)> {
    let (added, already, skipped) =
        add_entries(store, fetcher, added_by, source, source_name, &feed.entries).await?;
    let mut notes = Vec::new();
    if feed.entries.is_empty() {
        notes.push(capitalised(feeds::NO_ENTRIES));
    }
    notes.extend(feed.notes.iter().cloned());
    notes.extend(skipped);
    notes.extend(limits::keep_within(store, source).await?);
    Ok((added, already, notes))
}

pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect::<String>() + "."
    })
}

/// Adds each entry not yet in the library; returns (added, already there,
/// a note for each entry that could not be kept).
async fn add_entries(
    store: &Store,
    fetcher: &Fetcher,
    added_by: Option<UserId>,
    source: SourceId,
    source_name: &str,
    entries: &[FeedEntry],
) -> Result<(u32, u32, Vec<String>)> {
    let (mut added, mut already) = (0, 0);
    let mut notes = Vec::new();
    let now = store.now();
    let budget = ImageBudget::for_batch(store, Some(source)).await?;
    for entry in entries {
        let main_key = format!("feed:{source}:{}", entry.key);
        if limits::was_removed(store, &main_key).await? {
            // A cap made room by removing it: it stays out.
            already += 1;
            continue;
        }
        let mut keys = vec![main_key];
        // An entry without an id is also known by its page, so saving that
        // page later finds it; entries with ids may share a link (a
        // podcast's items all pointing at the show) and stay apart.
        if !entry.has_id {
            if let Some(link) = &entry.link {
                keys.push(format!("page:{}", canonical(link)));
            }
        }
        let incoming = Incoming {
            title: entry.title.clone(),
            author: entry.author.clone(),
            source_name: source_name.to_owned(),
            url: entry.link.clone(),
            // An entry dated in the future is filed under now.
            published_at: entry.published_at.map(|at| at.min(now)),
            summary: entry.summary.clone(),
            body_html: entry
                .content
                .clone()
                .or_else(|| entry.summary.clone())
                .unwrap_or_default(),
            base: Some(entry.base.clone()),
            tags: entry.categories.clone(),
            origin: Origin::Feed,
            source_id: Some(source),
            keys,
        };
        match adding::add(store, added_by, incoming, Some((fetcher, &budget))).await {
            Ok(Added::New(_)) => added += 1,
            // An entry changed at its source is not new: its article
            // now shows the new version.
            Ok(Added::AlreadyThere(_) | Added::Updated(_)) => already += 1,
            // This entry cannot be kept (its HTML nests too deeply, or
            // could not be read): the others can.
            Err(Error::Invalid(why)) => notes.push(if entry.title.is_empty() {
                format!("An entry was skipped: {why}")
            } else {
                format!("“{}” was skipped: {why}", entry.title)
            }),
            Err(other) => return Err(other),
        }
    }
    Ok((added, already, notes))
}
