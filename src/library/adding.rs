//! The one way an article enters the library, whatever brought it (a feed
//! entry, a saved page, an imported file): checked against what is already
//! there by its keys, its HTML sanitized, its images fetched and stored,
//! and everything written in one transaction.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use super::address::without_tracking;
use super::contain::contain_panics;
use super::fetch::Fetcher;
use super::images::{self, FetchedImage, ImageBudget};
use super::nesting;
use super::sanitize::Sanitized;
use super::versions;
use crate::clock::Millis;
use crate::events::{self, Change};
use crate::ids::{ArticleId, SourceId, UserId};
use crate::store::{exec, scalar, Db, Store};
use crate::text::{cut, escape, has_visible_text, one_line, plain_text};
use crate::{Error, Result};

/// Longest title kept, in characters; longer ones are cut with "…".
pub const MAX_TITLE_CHARS: usize = 300;
/// Longest summary, in characters.
pub const MAX_SUMMARY_CHARS: usize = 400;
/// Most tags kept per article, each at most [`MAX_TAG_CHARS`].
pub const MAX_TAGS: usize = 12;
pub const MAX_TAG_CHARS: usize = 40;

/// What brought an article into the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type, TS)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Origin {
    /// One of Parley's own sample articles.
    Sample,
    /// An entry of a feed someone follows.
    Feed,
    /// A web page someone saved.
    Page,
    /// A file someone imported.
    File,
}

/// An article on its way in, as its importer read it. Nothing here has
/// been checked yet.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub title: String,
    pub author: String,
    /// What the library shows as its source: the feed's or site's name.
    pub source_name: String,
    /// The original, for "read the original".
    pub url: Option<Url>,
    pub published_at: Option<Millis>,
    /// Plain text; derived from the body when absent.
    pub summary: Option<String>,
    /// HTML as found: sanitized here.
    pub body_html: String,
    /// What relative addresses in the body are relative to.
    pub base: Option<Url>,
    pub tags: Vec<String>,
    pub origin: Origin,
    pub source_id: Option<SourceId>,
    /// What recognises this article if it comes again (see
    /// `article_keys`): the first is its main key.
    pub keys: Vec<String>,
}

/// What adding did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    New(ArticleId),
    /// An article with one of the same keys is in the library already;
    /// nothing was added.
    AlreadyThere(ArticleId),
    /// It is in the library already and had changed at its source: its
    /// new text is now the article's, the old one kept as a version.
    Updated(ArticleId),
}

impl Added {
    pub fn id(self) -> ArticleId {
        match self {
            Added::New(id) | Added::AlreadyThere(id) | Added::Updated(id) => id,
        }
    }
}

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
        versions::content_digest(&incoming)
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

/// The title, as kept: one line, cut to [`MAX_TITLE_CHARS`].
pub(crate) fn kept_title(title: &str) -> String {
    cut(&one_line(title), MAX_TITLE_CHARS).unwrap_or_else(|| "Untitled".into())
}

/// The byline, as kept.
pub(crate) fn kept_author(author: &str) -> String {
    cut(&one_line(author), 120).unwrap_or_default()
}

/// The summary, as kept.
pub(crate) fn kept_summary(summary: &str) -> String {
    cut(summary, MAX_SUMMARY_CHARS).unwrap_or_default()
}

/// An incoming article made ready to keep: its body sanitized with its
/// images fetched (within the budget) and pointing at Parley's copies, and
/// its summary.
pub(crate) struct Prepared {
    pub(crate) body_html: String,
    pub(crate) summary: String,
    pub(crate) fetched: Vec<FetchedImage>,
}

pub(crate) async fn prepare(
    incoming: &Incoming,
    images: Option<(&Fetcher, &ImageBudget)>,
) -> Result<Prepared> {
    if nesting::deeper_than(&incoming.body_html, nesting::MAX_DEPTH) {
        return Err(nesting::too_deep("article"));
    }
    let sanitized = contain_panics("article", || {
        Sanitized::first_pass(&incoming.body_html, incoming.base.as_ref())
    })
    .map_err(|e| Error::invalid(format!("{e}.")))?;
    let fetched: Vec<FetchedImage> = match images {
        Some((fetcher, budget)) if !sanitized.images.is_empty() => {
            images::fetch_all(fetcher, &sanitized.images, budget).await
        }
        _ => Vec::new(),
    };
    let stored = images::addresses(&fetched);
    let body_html = contain_panics("article", || sanitized.with_images(&stored))
        .map_err(|e| Error::invalid(format!("{e}.")))?;
    let text = plain_text(&body_html);
    let summary = incoming
        .summary
        .as_deref()
        .map(plain_text)
        .filter(|s| has_visible_text(s))
        .unwrap_or_else(|| text.clone());
    let body_html = if has_visible_text(&text) || !fetched.is_empty() {
        body_html
    } else {
        // Nothing readable in the body (a feed with summaries only): the
        // summary is the article.
        format!("<p>{}</p>", escape(&summary))
    };
    Ok(Prepared {
        body_html,
        summary,
        fetched,
    })
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
