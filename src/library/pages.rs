//! Saving one web page: Parley fetches it, finds the article in it and
//! adds that, with its images. A page is the same page under each address
//! it was reached at (canonical: see `address.rs`), so saving it again, or
//! saving the address it redirected to, adds nothing.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use super::adding::{self, Added, Incoming, Origin};
use super::address::{canonical, parse_pasted};
use super::fetch::{Fetched, Fetcher, Validators};
use super::images::ImageBudget;
use super::nesting::{self, too_deep};
use super::readable;
use super::sources::{fetch_failed, may_add};
use crate::ids::ArticleId;
use crate::store::{exec, scalar, Store};
use crate::users::User;
use crate::{Error, Result};

/// What saving a page did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Saved {
    pub article_id: ArticleId,
    pub title: String,
    /// It was in the library already; nothing was added.
    pub already_there: bool,
    /// It was in the library already, and had changed: the new text is
    /// now the article's, the earlier one kept as a version.
    pub updated: bool,
}

/// Saves the page at `pasted` for `user`. Fails with [`Error::Invalid`]
/// for something that is not a web address, a page that cannot be fetched
/// (the message says why), something that is not a web page, and a page
/// with no article to find.
pub async fn save(store: &Store, fetcher: &Fetcher, user: &User, pasted: &str) -> Result<Saved> {
    may_add(store, user).await?;
    let address = parse_pasted(pasted).ok_or_else(|| {
        Error::invalid("That is not a web address. Paste one that starts with http:// or https://.")
    })?;
    let asked_key = key(&address);
    let mut read = store.read().await?;
    let found = adding::known(&mut read, std::slice::from_ref(&asked_key)).await?;
    read.finish().await?;
    // A page saved before is fetched again: saving it once more is how a
    // person asks whether it changed. A feed's entry is refreshed with its
    // feed instead.
    if let Some(id) = found {
        if !is_saved_page(store, id).await? {
            return already(store, id, false).await;
        }
    }
    let accept = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1";
    let body = match fetcher.get(&address, &Validators::default(), accept).await {
        Ok(Fetched::Body(body)) => body,
        Ok(_) => {
            return Err(Error::invalid(
                "The server did not send the page. Please try again later.",
            ))
        }
        Err(e) => return Err(fetch_failed(&e)),
    };
    let is_html = body
        .content_type
        .as_deref()
        .is_none_or(|t| t.to_ascii_lowercase().contains("html"));
    if !is_html {
        return Err(Error::invalid("That address is not a web page."));
    }
    let html = String::from_utf8_lossy(&body.bytes).into_owned();
    if nesting::deeper_than(&html, nesting::MAX_DEPTH) {
        return Err(too_deep("page"));
    }
    let page_url = body.final_url.clone();
    let document_url = page_url.to_string();
    let extracted =
        tokio::task::spawn_blocking(move || readable::extract(&html, Some(&document_url)))
            .await?
            .ok_or_else(|| Error::invalid("Parley could not find an article on that page."))?;
    let incoming = Incoming {
        title: extracted.title,
        author: extracted.byline.unwrap_or_default(),
        source_name: extracted
            .site_name
            .or_else(|| page_url.host_str().map(str::to_owned))
            .unwrap_or_default(),
        url: Some(page_url.clone()),
        published_at: extracted.published_at.map(|at| at.min(store.now())),
        summary: extracted.excerpt,
        body_html: extracted.content_html,
        base: Some(page_url.clone()),
        tags: Vec::new(),
        origin: Origin::Page,
        source_id: None,
        keys: vec![asked_key, key(&page_url)],
    };
    let budget = ImageBudget::for_article(store).await?;
    let added = adding::add(store, Some(user.id), incoming, Some((fetcher, &budget))).await?;
    match added {
        Added::New(id) => Ok(Saved {
            article_id: id,
            title: crate::articles::article(store, id).await?.title,
            already_there: false,
            updated: false,
        }),
        Added::AlreadyThere(id) => already(store, id, false).await,
        Added::Updated(id) => already(store, id, true).await,
    }
}

async fn is_saved_page(store: &Store, id: ArticleId) -> Result<bool> {
    let mut read = store.read().await?;
    let origin = scalar!(
        Origin,
        fetch_optional,
        &mut read,
        "SELECT origin FROM articles WHERE id = $1",
        id
    )?;
    read.finish().await?;
    Ok(origin == Some(Origin::Page))
}

/// Saving a page that came in from a feed keeps it: it becomes a saved
/// page, which stays when that feed is removed.
async fn already(store: &Store, id: ArticleId, updated: bool) -> Result<Saved> {
    let mut tx = store.write().await?;
    exec!(
        &mut tx,
        "UPDATE articles SET origin = 'page', source_id = NULL WHERE id = $1 AND origin = 'feed'",
        id
    )?;
    tx.commit().await?;
    Ok(Saved {
        article_id: id,
        title: crate::articles::article(store, id).await?.title,
        already_there: true,
        updated,
    })
}

/// The key a page is recognised by at `address`.
pub(crate) fn key(address: &Url) -> String {
    format!("page:{}", canonical(address))
}
