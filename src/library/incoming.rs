//! An article on its way into the library, before it is kept: what
//! brought it, what its importer read, and how it is made ready (its HTML
//! sanitized, its images fetched, its title and summary cut to size).
//! `adding.rs` keeps a new one; `versions.rs` keeps a changed one.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use super::contain::contain_panics;
use super::fetch::Fetcher;
use super::images::{self, FetchedImage, ImageBudget};
use super::nesting;
use super::sanitize::Sanitized;
use crate::clock::Millis;
use crate::ids::{ArticleId, SourceId};
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

/// A digest of what the source sent for an article, before Parley
/// touched it: when the next fetch sends the same, nothing has changed and
/// nothing needs sanitizing again.
pub(crate) fn content_digest(incoming: &Incoming) -> String {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    for part in [&incoming.title, &incoming.author, &incoming.body_html] {
        context.update(part.as_bytes());
        context.update(&[0]);
    }
    context
        .finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
