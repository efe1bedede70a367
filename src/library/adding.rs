//! The one way an article enters the library, whatever brought it (a feed
//! entry, a saved page, an imported file): checked against what is already
//! there by its keys, its HTML sanitized, its images fetched and stored,
//! and everything written in one transaction.

use super::address::without_tracking;
use super::fetch::Fetcher;
use super::images::ImageBudget;
use super::incoming::{content_digest, kept_author, kept_summary, kept_title, prepare, Prepared};
pub use super::incoming::{
    Added, Incoming, Origin, MAX_SUMMARY_CHARS, MAX_TAGS, MAX_TAG_CHARS, MAX_TITLE_CHARS,
};
use super::versions;
use crate::events::{self, Change};
use crate::ids::{ArticleId, UserId};
use crate::store::{exec, scalar, Db, Store};
use crate::text::{cut, one_line};
use crate::Result;

/// Adds `incoming` for `added_by` (who asked, or who follows the feed),
/// fetching its images with the fetcher, within the budget (none: images
/// are left out). An
/// article already there under any of its keys is not added again.
///
/// Callers have checked that `added_by` may add to the library.
pub(crate) async fn add(
    store: &Store,
    added_by: Option<UserId>,
    incoming: Incoming,
    images: Option<(&Fetcher, &ImageBudget)>,
) -> Result<Added> {
    let mut read = store.read().await?;
    let found = known(&mut read, &incoming.keys).await?;
    read.finish().await?;
    if let Some(id) = found {
        // A feed entry or a page seen again may have changed at its
        // source; a file is known by its digest, so it has not.
        return match incoming.origin {
            Origin::Feed | Origin::Page => versions::update(store, id, &incoming, images).await,
            Origin::Sample | Origin::File => Ok(Added::AlreadyThere(id)),
        };
    }
    let Prepared {
        body_html,
        summary,
        fetched,
    } = prepare(&incoming, images).await?;
    let now = store.now();
    let id = ArticleId::new();

    let mut tx = store.write().await?;
    if let Some(existing) = known(&mut tx, &incoming.keys).await? {
        return Ok(Added::AlreadyThere(existing));
    }
    exec!(
        &mut tx,
        "INSERT INTO articles (id, title, source, author, url, published_at, summary, body_html,
                               body_text, created_at, origin, source_id, added_by, added_at,
                               content_digest)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        id,
        kept_title(&incoming.title),
        cut(&one_line(&incoming.source_name), 120).unwrap_or_default(),
        kept_author(&incoming.author),
        incoming
            .url
            .as_ref()
            .map(|u| without_tracking(u).to_string()),
        incoming.published_at.unwrap_or(now),
        kept_summary(&summary),
        &body_html,
        crate::search::article_text(&body_html),
        now,
        incoming.origin,
        incoming.source_id,
        added_by,
        now,
        content_digest(&incoming)
    )?;
    for tag in tags(&incoming.tags) {
        exec!(
            &mut tx,
            "INSERT INTO article_tags (article_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            id,
            tag
        )?;
    }
    for key in &incoming.keys {
        exec!(
            &mut tx,
            "INSERT INTO article_keys (key, article_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            key,
            id
        )?;
    }
    for image in &fetched {
        exec!(
            &mut tx,
            "INSERT INTO article_images (id, article_id, content_type, bytes, source_url)
             VALUES ($1, $2, $3, $4, $5)",
            image.id,
            id,
            image.content_type,
            &image.bytes,
            image.url.as_str()
        )?;
    }
    events::record(&mut tx, now, Change::ArticleAdded, Some(id), None).await?;
    tx.commit().await?;
    Ok(Added::New(id))
}

/// The article that already has one of `keys`, if any.
pub(crate) async fn known(conn: &mut dyn Db, keys: &[String]) -> Result<Option<ArticleId>> {
    for key in keys {
        let found: Option<ArticleId> = scalar!(
            _,
            fetch_optional,
            conn,
            "SELECT article_id FROM article_keys WHERE key = $1",
            key
        )?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Tags as the library keeps them: lower case, spaces made one, no
/// duplicates, at most [`MAX_TAGS`] of at most [`MAX_TAG_CHARS`].
fn tags(raw: &[String]) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for tag in raw {
        let Some(tag) = cut(&one_line(&tag.to_lowercase()), MAX_TAG_CHARS) else {
            continue;
        };
        if !kept.contains(&tag) {
            kept.push(tag);
        }
        if kept.len() == MAX_TAGS {
            break;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_tidied() {
        let raw: Vec<String> = ["Rust", "rust ", "  Open   Source ", ""]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(tags(&raw), ["rust", "open source"]);
    }
}
