//! The list of sources, as each person may see it: a feed's address whole
//! for whoever added it and the admin, masked for other members, none for
//! nobody signed in.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::Millis;
use crate::ids::{SourceId, UserId};
use crate::library::address::masked;
use crate::store::{rows, small, Store};
use crate::users::User;
use crate::Result;

/// A followed feed, as the list of sources shows it to one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Source {
    pub id: SourceId,
    pub title: String,
    /// The feed's address: whole for whoever added it and the admin (a
    /// private feed's key is in it); for other members with its query
    /// values masked ([`masked`]); for nobody signed in, `None`.
    pub feed_url: Option<String>,
    pub site_url: Option<String>,
    pub refresh_minutes: u32,
    /// The last refresh that worked.
    #[ts(type = "number | null")]
    pub last_success_at: Option<Millis>,
    /// Why the last refresh failed; `None` when it worked.
    pub last_error: Option<String>,
    /// What the last refresh had to say besides: no entries, entries
    /// skipped, older articles that made room.
    pub notice: Option<String>,
    #[ts(type = "number")]
    pub next_refresh_at: Millis,
    /// Articles in the library from this feed.
    pub article_count: u32,
    /// The reader may change or remove it (they added it, or are admin).
    pub can_manage: bool,
}

/// Every source, by title, as `viewer` sees them (see
/// [`Source::feed_url`] for who sees which address).
pub async fn list(store: &Store, viewer: Option<&User>) -> Result<Vec<Source>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: SourceId,
        title: String,
        feed_url: String,
        site_url: Option<String>,
        refresh_minutes: i64,
        last_success_at: Option<Millis>,
        last_error: Option<String>,
        notice: Option<String>,
        next_refresh_at: Millis,
        article_count: i64,
        added_by: Option<UserId>,
    }
    let mut read = store.read().await?;
    let rows = rows!(
        Row,
        fetch_all,
        &mut read,
        "SELECT s.id, s.title, s.feed_url, s.site_url, s.refresh_minutes, s.last_success_at,
                s.last_error, s.notice, s.next_refresh_at, s.added_by,
                (SELECT count(*) FROM articles a WHERE a.source_id = s.id) AS article_count
         FROM sources s ORDER BY lower(s.title), s.id"
    )?;
    read.finish().await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let whole = viewer.is_some_and(|v| v.is_admin() || row.added_by == Some(v.id));
            let feed_url = match viewer {
                None => None,
                Some(_) if whole => Some(row.feed_url),
                Some(_) => Some(masked(&row.feed_url)),
            };
            Source {
                id: row.id,
                title: row.title,
                feed_url,
                site_url: row.site_url,
                refresh_minutes: small(row.refresh_minutes),
                last_success_at: row.last_success_at,
                last_error: row.last_error,
                notice: row.notice,
                next_refresh_at: row.next_refresh_at,
                article_count: small(row.article_count),
                can_manage: whole,
            }
        })
        .collect())
}
