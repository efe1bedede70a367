//! Feeds people follow: following one (from its address or its website's),
//! refreshing it (conditional requests, Retry-After, slowing down only a
//! feed that keeps failing), listing, and removing.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

mod entries;
mod listed;

use entries::{add_feed, capitalised};
pub use listed::{list, Source};

use super::address::{canonical, parse_pasted};
use super::feeds::{self, FeedProblem, ParsedFeed};
use super::fetch::{Body, FetchError, Fetched, Fetcher, Validators};
use crate::clock::Millis;
use crate::ids::{SourceId, UserId};
use crate::policy::{authorize, Action};
use crate::store::{exec, rows, scalar, Db, Store};
use crate::users::User;
use crate::{Error, Result};

/// How often a new source is refreshed, in minutes.
pub const DEFAULT_REFRESH_MINUTES: i64 = 60;
/// The bounds a person may choose between, in minutes.
pub const REFRESH_MINUTES: std::ops::RangeInclusive<u32> = 15..=10_080;
/// The longest a failing source waits before the next try.
const LONGEST_WAIT_MS: Millis = 24 * 60 * 60 * 1000;
/// The longest Parley waits when a server asks it to (Retry-After).
const LONGEST_RETRY_AFTER_MS: Millis = 7 * LONGEST_WAIT_MS;

const FEED_ACCEPT: &str = "application/atom+xml, application/rss+xml, application/feed+json, \
                           application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, \
                           text/html;q=0.5, */*;q=0.1";

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Refreshed {
    pub source_id: SourceId,
    pub title: String,
    /// New articles.
    pub added: u32,
    /// Entries already in the library.
    pub already_there: u32,
    /// The server said nothing changed (304).
    pub not_modified: bool,
    /// The feed was fetched and has no entries at all.
    pub empty: bool,
    /// Why it failed, in words for a person; `None` when it worked.
    pub error: Option<String>,
    /// What else there is to say, for the job's log: the feed has no
    /// entries, entries were skipped, older articles made room.
    pub notes: Vec<String>,
}

/// Follows the feed at `pasted`, or the feed a web page at `pasted` points
/// to, for `user`, and adds its entries. Fails with [`Error::Invalid`] for
/// something that is not a web address, a page with no feed, a feed that
/// cannot be read or fetched (the message says why), or one already
/// followed.
pub async fn follow(
    store: &Store,
    fetcher: &Fetcher,
    user: &User,
    pasted: &str,
) -> Result<Refreshed> {
    may_add(store, user).await?;
    let address = parse_pasted(pasted).ok_or_else(|| {
        Error::invalid("That is not a web address. Paste one that starts with http:// or https://.")
    })?;
    let (body, feed) = find_feed(fetcher, &address).await?;
    let feed_url = canonical(&body.final_url);
    let now = store.now();
    let mut tx = store.write().await?;
    authorize(&mut tx, user, Action::AddToLibrary, None).await?;
    let id = match followed_as(&mut tx, &feed_url).await? {
        // Followed, and its entries all in: nothing to do.
        Some((_, title, true)) => {
            return Err(Error::invalid(format!(
                "You already follow this feed, as “{title}”."
            )))
        }
        // An earlier follow that did not finish (cancelled, or Parley
        // closed): carry on with it.
        Some((id, _, false)) => id,
        None => {
            let id = SourceId::new();
            // No validators yet: they are stored once every entry is in,
            // so an interrupted follow is never answered "not modified".
            exec!(
                &mut tx,
                "INSERT INTO sources (id, feed_url, site_url, title, added_by, added_at,
                                      refresh_minutes, last_attempt_at, next_refresh_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                id,
                feed_url.as_str(),
                feed.site_url.as_ref().map(Url::as_str),
                &feed.title,
                user.id,
                now,
                DEFAULT_REFRESH_MINUTES,
                now,
                now + minutes(DEFAULT_REFRESH_MINUTES)
            )?;
            id
        }
    };
    tx.commit().await?;
    let (added, already_there, notes) =
        add_feed(store, fetcher, Some(user.id), id, &feed.title, &feed).await?;
    let next = now + minutes(DEFAULT_REFRESH_MINUTES);
    record_success(store, id, now, next, Some(&body), &notes).await?;
    Ok(Refreshed {
        source_id: id,
        title: feed.title,
        added,
        already_there,
        not_modified: false,
        empty: feed.entries.is_empty(),
        error: None,
        notes,
    })
}

/// Subscribes `user` to `feed_url` without fetching it (an OPML import
/// does this for each feed, then refreshes them one by one). Returns the
/// source and whether it is new; a feed already followed is not added
/// twice.
pub async fn subscribe(
    store: &Store,
    user: &User,
    feed_url: &Url,
    title: &str,
    site_url: Option<&Url>,
) -> Result<(SourceId, bool)> {
    let feed_url = canonical(feed_url);
    let mut tx = store.write().await?;
    authorize(&mut tx, user, Action::AddToLibrary, None).await?;
    let existing: Option<SourceId> = scalar!(
        _,
        fetch_optional,
        &mut tx,
        "SELECT id FROM sources WHERE feed_url = $1",
        feed_url.as_str()
    )?;
    if let Some(id) = existing {
        return Ok((id, false));
    }
    let id = SourceId::new();
    let title = crate::text::cut(&crate::text::one_line(title), 200)
        .or_else(|| feed_url.host_str().map(str::to_owned))
        .unwrap_or_else(|| feed_url.to_string());
    let now = store.now();
    exec!(
        &mut tx,
        "INSERT INTO sources (id, feed_url, site_url, title, added_by, added_at, next_refresh_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        feed_url.as_str(),
        site_url.map(Url::as_str),
        &title,
        user.id,
        now,
        now
    )?;
    tx.commit().await?;
    Ok((id, true))
}

/// How long a refresh holds its feed at most: far longer than a fetch is
/// allowed to take, so it only matters when a refresh stopped before
/// recording how it went (its process ended, or the database failed).
const REFRESH_LEASE_MS: i64 = 10 * 60_000;

/// The note of a refresh that found its feed being refreshed already.
pub const BEING_REFRESHED: &str =
    "it is being refreshed already (by another Parley process); what that finds arrives with it";

/// Fetches `source` (conditionally, with the validators of the last
/// response) and adds its new entries. A failure is recorded on the source
/// (its words in [`Source::last_error`], and a longer wait before the next
/// try for each failure in a row) and reported in [`Refreshed::error`];
/// only a database failure is an `Err`.
pub async fn refresh(store: &Store, fetcher: &Fetcher, source: SourceId) -> Result<Refreshed> {
    let refreshed = refresh_once(store, fetcher, source).await;
    let counter = match &refreshed {
        Err(_) => &TALLY.failed,
        Ok(r) if r.notes.iter().any(|n| n == BEING_REFRESHED) => &TALLY.skipped,
        Ok(r) if r.not_modified => &TALLY.not_modified,
        Ok(r) if r.error.is_some() => &TALLY.failed,
        Ok(_) => &TALLY.fetched,
    };
    counter.fetch_add(1, Ordering::Relaxed);
    refreshed
}

/// How the refreshes this process ran went since it started, for a
/// server's metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RefreshTally {
    /// The feed answered with entries (new or not).
    pub fetched: u64,
    /// The feed answered "not modified".
    pub not_modified: u64,
    /// The fetch or the feed failed, or its server asked to wait.
    pub failed: u64,
    /// Another process was refreshing the feed already.
    pub skipped: u64,
}

struct Tally {
    fetched: AtomicU64,
    not_modified: AtomicU64,
    failed: AtomicU64,
    skipped: AtomicU64,
}

static TALLY: Tally = Tally {
    fetched: AtomicU64::new(0),
    not_modified: AtomicU64::new(0),
    failed: AtomicU64::new(0),
    skipped: AtomicU64::new(0),
};

/// The refreshes this process ran, by how they went.
pub fn refresh_tally() -> RefreshTally {
    RefreshTally {
        fetched: TALLY.fetched.load(Ordering::Relaxed),
        not_modified: TALLY.not_modified.load(Ordering::Relaxed),
        failed: TALLY.failed.load(Ordering::Relaxed),
        skipped: TALLY.skipped.load(Ordering::Relaxed),
    }
}

async fn refresh_once(store: &Store, fetcher: &Fetcher, source: SourceId) -> Result<Refreshed> {
    let state = state(store, source).await?;
    let now = store.now();
    let feed_url = Url::parse(&state.feed_url)
        .map_err(|e| Error::Internal(format!("stored feed address {}: {e}", state.feed_url)))?;
    let validators = Validators {
        etag: state.etag.clone(),
        last_modified: state.last_modified.clone(),
    };
    let mut report = Refreshed {
        source_id: source,
        title: state.title.clone(),
        added: 0,
        already_there: 0,
        not_modified: false,
        empty: false,
        error: None,
        notes: Vec::new(),
    };
    if let Some(until) = state.retry_not_before.filter(|&until| until > now) {
        // Whoever asks, and however often: the server said when.
        let minutes_left = (until - now + 59_999) / 60_000;
        report.error = Some(format!(
            "the server asked Parley to wait before asking again (about {} more)",
            if minutes_left == 1 {
                "1 minute".to_owned()
            } else {
                format!("{minutes_left} minutes")
            }
        ));
        return Ok(report);
    }
    let interval = minutes(state.refresh_minutes);
    // Claimed now, in one statement: until this refresh records how it
    // went, no other process (another server on this database) refreshes
    // the source, and the scheduler does not see it as due (nor, if
    // something here fails, every minute after).
    let claimed = exec!(
        &mut store.write_one().await?,
        "UPDATE sources SET last_attempt_at = $1, next_refresh_at = $2, refreshing_until = $3
         WHERE id = $4 AND (refreshing_until IS NULL OR refreshing_until <= $1)",
        now,
        now + interval,
        now + REFRESH_LEASE_MS,
        source
    )?;
    if claimed == 0 {
        report.notes.push(BEING_REFRESHED.to_owned());
        return Ok(report);
    }
    match fetcher.get(&feed_url, &validators, FEED_ACCEPT).await {
        Ok(Fetched::NotModified) => {
            report.not_modified = true;
            record_success(store, source, now, now + interval, None, &[]).await?;
        }
        Ok(Fetched::TryLater { retry_after }) => {
            let asked = retry_after
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .min(LONGEST_RETRY_AFTER_MS);
            let wait = asked.max(interval);
            let why = "the server asked Parley to wait before asking again";
            record_failure(store, source, now, now + wait, why, false).await?;
            let mut tx = store.write().await?;
            exec!(
                &mut tx,
                "UPDATE sources SET retry_not_before = $1 WHERE id = $2",
                (asked > 0).then(|| now.saturating_add(asked)),
                source
            )?;
            tx.commit().await?;
            report.error = Some(why.to_owned());
        }
        Ok(Fetched::Body(body)) => match feeds::parse(&body.bytes, &body.final_url) {
            Ok(feed) => {
                let (added, already, notes) =
                    add_feed(store, fetcher, state.added_by, source, &state.title, &feed).await?;
                report.added = added;
                report.already_there = already;
                report.empty = feed.entries.is_empty();
                record_success(store, source, now, now + interval, Some(&body), &notes).await?;
                report.notes = notes;
            }
            Err(problem) => {
                let why = problem.to_string();
                let wait = backoff(interval, state.failures + 1);
                record_failure(store, source, now, now + wait, &why, true).await?;
                report.error = Some(why);
            }
        },
        Err(error) => {
            let why = error.to_string();
            let wait = backoff(interval, state.failures + 1);
            record_failure(store, source, now, now + wait, &why, true).await?;
            report.error = Some(why);
        }
    }
    Ok(report)
}

/// Sources whose next refresh is due, soonest first.
pub async fn due(store: &Store) -> Result<Vec<SourceId>> {
    let mut read = store.read().await?;
    let due = scalar!(
        SourceId,
        fetch_all,
        &mut read,
        "SELECT id FROM sources WHERE next_refresh_at <= $1 ORDER BY next_refresh_at",
        store.now()
    )?;
    read.finish().await?;
    Ok(due)
}

/// Stops following `source`. Its articles go, except those with a
/// discussion, which stay (without their source). Whoever added the
/// source may remove it, and the admin.
pub async fn remove(store: &Store, user: &User, source: SourceId) -> Result<()> {
    let mut tx = store.write().await?;
    let owner = owner(&mut tx, source).await?;
    authorize(&mut tx, user, Action::ManageSource, owner).await?;
    exec!(
        &mut tx,
        "DELETE FROM articles WHERE source_id = $1
           AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.article_id = articles.id)",
        source
    )?;
    exec!(&mut tx, "DELETE FROM sources WHERE id = $1", source)?;
    tx.commit().await?;
    Ok(())
}

/// Sets how often `source` is refreshed, within [`REFRESH_MINUTES`].
pub async fn set_refresh_minutes(
    store: &Store,
    user: &User,
    source: SourceId,
    minutes_between: u32,
) -> Result<()> {
    if !REFRESH_MINUTES.contains(&minutes_between) {
        return Err(Error::invalid(format!(
            "A feed is refreshed every {} minutes to every {} days.",
            REFRESH_MINUTES.start(),
            REFRESH_MINUTES.end() / (24 * 60)
        )));
    }
    let mut tx = store.write().await?;
    let owner = owner(&mut tx, source).await?;
    authorize(&mut tx, user, Action::ManageSource, owner).await?;
    exec!(
        &mut tx,
        "UPDATE sources SET refresh_minutes = $1,
                next_refresh_at = CASE WHEN next_refresh_at < $2 + $3
                                       THEN next_refresh_at ELSE $2 + $3 END
         WHERE id = $4",
        i64::from(minutes_between),
        store.now(),
        minutes(i64::from(minutes_between)),
        source
    )?;
    tx.commit().await?;
    Ok(())
}

/// Refuses, before any fetching, someone who may not add to the library.
pub(crate) async fn may_add(store: &Store, user: &User) -> Result<()> {
    let mut read = store.read().await?;
    authorize(&mut read, user, Action::AddToLibrary, None).await
}

/// Fetches `address` and finds a feed there: the document itself, or the
/// first readable feed its page links to.
async fn find_feed(fetcher: &Fetcher, address: &Url) -> Result<(Body, ParsedFeed)> {
    let body = fetch_body(fetcher, address).await?;
    match feeds::parse(&body.bytes, &body.final_url) {
        Ok(feed) => return Ok((body, feed)),
        Err(FeedProblem::Malformed(why)) if !looks_like_html(&body) => {
            return Err(Error::invalid(format!("That feed cannot be read: {why}.")))
        }
        Err(problem @ FeedProblem::Unreadable) => {
            return Err(Error::invalid(capitalised(&problem.to_string())))
        }
        Err(_) => {}
    }
    if !looks_like_html(&body) {
        return Err(Error::invalid(
            "There is no feed at that address: it is neither a feed nor a web page.",
        ));
    }
    for candidate in feeds::discover(&body.bytes, &body.final_url)
        .into_iter()
        .take(3)
    {
        let Ok(found) = fetch_body(fetcher, &candidate).await else {
            continue;
        };
        if let Ok(feed) = feeds::parse(&found.bytes, &found.final_url) {
            return Ok((found, feed));
        }
    }
    Err(Error::invalid(
        "That page does not point to a feed. Try the feed's own address (often ending in /feed, /rss or .xml).",
    ))
}

async fn fetch_body(fetcher: &Fetcher, address: &Url) -> Result<Body> {
    match fetcher
        .get(address, &Validators::default(), FEED_ACCEPT)
        .await
    {
        Ok(Fetched::Body(body)) => Ok(body),
        Ok(Fetched::NotModified) => Err(Error::invalid("The server sent nothing back.")),
        Ok(Fetched::TryLater { .. }) => Err(Error::invalid(
            "The server asked Parley to slow down (429). Please try again later.",
        )),
        Err(e) => Err(fetch_failed(&e)),
    }
}

/// A fetch failure, for the person who asked.
pub(crate) fn fetch_failed(error: &FetchError) -> Error {
    let why = error.to_string();
    let mut message = String::from("Parley could not fetch that: ");
    message.push_str(&why);
    message.push('.');
    Error::invalid(message)
}

fn looks_like_html(body: &Body) -> bool {
    let declared = body
        .content_type
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains("html"));
    let start: String = String::from_utf8_lossy(body.bytes.get(..512).unwrap_or(&body.bytes))
        .trim_start()
        .to_ascii_lowercase();
    declared || start.starts_with("<!doctype html") || start.starts_with("<html")
}

#[derive(sqlx::FromRow)]
struct State {
    feed_url: String,
    title: String,
    etag: Option<String>,
    last_modified: Option<String>,
    refresh_minutes: i64,
    failures: i64,
    added_by: Option<UserId>,
    retry_not_before: Option<Millis>,
}

async fn state(store: &Store, source: SourceId) -> Result<State> {
    let state = rows!(
        State,
        fetch_optional,
        &mut store.read_one().await?,
        "SELECT feed_url, title, etag, last_modified, refresh_minutes, failures, added_by,
                retry_not_before
         FROM sources WHERE id = $1",
        source
    )?;
    state.ok_or_else(|| Error::not_found("That feed is no longer followed."))
}

async fn owner(conn: &mut dyn Db, source: SourceId) -> Result<Option<UserId>> {
    let found: Option<Option<UserId>> = scalar!(
        _,
        fetch_optional,
        conn,
        "SELECT added_by FROM sources WHERE id = $1",
        source
    )?;
    found.ok_or_else(|| Error::not_found("That feed is no longer followed."))
}

/// The source following `feed_url`: its id, title, and whether a fetch of
/// it ever completed.
async fn followed_as(
    conn: &mut dyn Db,
    feed_url: &Url,
) -> Result<Option<(SourceId, String, bool)>> {
    Ok(rows!(
        _,
        fetch_optional,
        conn,
        "SELECT id, title, last_success_at IS NOT NULL FROM sources WHERE feed_url = $1",
        feed_url.as_str()
    )?)
}

/// Records a refresh that worked; `body` is what it fetched (`None`: the
/// server said nothing changed, and what the last one noticed stands).
async fn record_success(
    store: &Store,
    source: SourceId,
    now: Millis,
    next: Millis,
    body: Option<&Body>,
    notes: &[String],
) -> Result<()> {
    // One statement (a 304 changes nothing else): the validators and the
    // notice are kept as they were when there is no new body.
    exec!(
        &mut store.write_one().await?,
        "UPDATE sources SET last_attempt_at = $1, last_success_at = $1, last_error = NULL,
                failures = 0, next_refresh_at = $2, retry_not_before = NULL,
                refreshing_until = NULL,
                etag = CASE WHEN $3 THEN $4 ELSE etag END,
                last_modified = CASE WHEN $3 THEN $5 ELSE last_modified END,
                notice = CASE WHEN $3 THEN $6 ELSE notice END
         WHERE id = $7",
        now,
        next,
        body.is_some(),
        body.and_then(|b| b.etag.as_deref()),
        body.and_then(|b| b.last_modified.as_deref()),
        notice(notes),
        source
    )?;
    Ok(())
}

async fn record_failure(
    store: &Store,
    source: SourceId,
    now: Millis,
    next: Millis,
    why: &str,
    counts: bool,
) -> Result<()> {
    let mut tx = store.write().await?;
    exec!(
        &mut tx,
        "UPDATE sources SET last_attempt_at = $1, last_error = $2, next_refresh_at = $3,
                failures = failures + $4, refreshing_until = NULL
         WHERE id = $5",
        now,
        why,
        next,
        i64::from(counts),
        source
    )?;
    tx.commit().await?;
    Ok(())
}

/// A source's notice: its refresh's notes, the first few of them.
fn notice(notes: &[String]) -> Option<String> {
    const SHOWN: usize = 3;
    let (first, rest) = notes.split_at(notes.len().min(SHOWN));
    if first.is_empty() {
        return None;
    }
    let mut text = first.join(" · ");
    if !rest.is_empty() {
        text.push_str(&format!(" · and {} more", rest.len()));
    }
    Some(text)
}

fn minutes(n: i64) -> Millis {
    n.saturating_mul(60 * 1000)
}

/// The wait after the `failures`th failure in a row: the interval, doubled
/// for each failure after the first, at most a day (or the interval, if
/// that is longer: failing never makes a feed asked more often).
fn backoff(interval: Millis, failures: i64) -> Millis {
    let doublings = (failures - 1).clamp(0, 10);
    interval
        .saturating_mul(1 << doublings)
        .min(LONGEST_WAIT_MS)
        .max(interval)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_feed_that_keeps_failing_slows_down() {
        let hour = minutes(60);
        assert_eq!(backoff(hour, 1), hour);
        assert_eq!(backoff(hour, 2), 2 * hour);
        assert_eq!(backoff(hour, 4), 8 * hour);
        assert_eq!(backoff(hour, 30), LONGEST_WAIT_MS);
    }
}
