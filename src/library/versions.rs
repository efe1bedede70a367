//! Articles that change at their source. A feed entry or a saved page
//! seen again with other words becomes the article's new current version;
//! the old text is kept, numbered, for anyone to read again, and every
//! passage people discuss or highlighted is placed again on the new text
//! (or reported as no longer in it), all in one transaction.

use super::fetch::Fetcher;
use super::images::ImageBudget;
use super::incoming::{
    content_digest, kept_author, kept_summary, kept_title, prepare, Added, Incoming, Prepared,
};
use crate::events::{self, Change};
use crate::ids::ArticleId;
use crate::passages;
use crate::store::{exec, rows, Store};
use crate::Result;

#[derive(sqlx::FromRow)]
struct Current {
    title: String,
    author: String,
    summary: String,
    body_html: String,
    text_version: i64,
    since: i64,
    content_digest: Option<String>,
}

/// Takes `incoming`, seen again for article `id`, as its new version if
/// its title or text changed; otherwise changes nothing but the digest.
pub(crate) async fn update(
    store: &Store,
    id: ArticleId,
    incoming: &Incoming,
    images: Option<(&Fetcher, &ImageBudget)>,
) -> Result<Added> {
    let digest = content_digest(incoming);
    const CURRENT: &str = "SELECT title, author, summary, body_html, text_version,
                                  coalesce(updated_at, added_at, created_at) AS since,
                                  content_digest
                           FROM articles WHERE id = $1";
    let mut read = store.read().await?;
    let current = rows!(Current, fetch_optional, &mut read, CURRENT, id)?;
    read.finish().await?;
    let Some(current) = current else {
        // Deleted meanwhile: nothing to update.
        return Ok(Added::AlreadyThere(id));
    };
    if current.content_digest.as_deref() == Some(digest.as_str()) {
        return Ok(Added::AlreadyThere(id));
    }
    let Prepared {
        body_html,
        summary,
        fetched,
    } = prepare(incoming, images).await?;
    let title = kept_title(&incoming.title);
    let new_text = passages::text::of_html(&body_html);
    let same = title == current.title && new_text == passages::text::of_html(&current.body_html);

    let now = store.now();
    let mut tx = store.write().await?;
    // What is current now, in the transaction that replaces it.
    let Some(current) = rows!(Current, fetch_optional, &mut tx, CURRENT, id)? else {
        return Ok(Added::AlreadyThere(id));
    };
    if same || current.content_digest.as_deref() == Some(digest.as_str()) {
        exec!(
            &mut tx,
            "UPDATE articles SET content_digest = $1 WHERE id = $2",
            &digest,
            id
        )?;
        tx.commit().await?;
        return Ok(Added::AlreadyThere(id));
    }
    exec!(
        &mut tx,
        "INSERT INTO article_versions (article_id, version, title, author, summary, body_html, since)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (article_id, version) DO NOTHING",
        id,
        current.text_version,
        &current.title,
        &current.author,
        &current.summary,
        &current.body_html,
        current.since
    )?;
    exec!(
        &mut tx,
        "UPDATE articles
         SET title = $1, author = $2, summary = $3, body_html = $4, body_text = $5,
             text_version = text_version + 1, updated_at = $6, content_digest = $7
         WHERE id = $8",
        &title,
        kept_author(&incoming.author),
        kept_summary(&summary),
        &body_html,
        crate::search::article_text(&body_html),
        now,
        &digest,
        id
    )?;
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
    passages::place_again(&mut tx, id, &new_text).await?;
    events::record(&mut tx, now, Change::ArticleUpdated, Some(id), None).await?;
    tx.commit().await?;
    Ok(Added::Updated(id))
}
