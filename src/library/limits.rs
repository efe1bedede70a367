//! How much the library keeps. A feed that changes its entries' ids on
//! every fetch would otherwise add a thousand articles and a hundred MiB
//! of images an hour, and every daily backup would copy them: each source
//! keeps at most so many articles and so many bytes of images, and the
//! library so many bytes of images in all. When a refresh passes a cap,
//! the oldest of the feed's articles that nobody has discussed make room
//! (articles with a discussion, saved pages and imported files are never
//! removed for a cap), the source says so, and the entries removed are
//! remembered so the next fetch does not bring them back.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::feeds::MAX_ENTRIES;
use crate::ids::{ArticleId, SourceId};
use crate::policy::{authorize, Action};
use crate::store::{exec, rows, scalar, small, Store, Write};
use crate::users::User;
use crate::{Error, Result};

const MIB: i64 = 1024 * 1024;

/// What the library keeps; the admin sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LibraryLimits {
    /// Articles one source keeps: 1,000 unless changed.
    pub max_articles_per_source: u32,
    /// Bytes of images one source's articles keep: 200 MiB unless changed.
    #[ts(type = "number")]
    pub max_source_image_bytes: i64,
    /// Bytes of images the whole library keeps: 2 GiB unless changed.
    #[ts(type = "number")]
    pub max_library_image_bytes: i64,
}

impl Default for LibraryLimits {
    fn default() -> Self {
        Self {
            max_articles_per_source: 1_000,
            max_source_image_bytes: 200 * MIB,
            max_library_image_bytes: 2048 * MIB,
        }
    }
}

/// The bounds each limit may be set within (the schema checks them too).
pub const ARTICLES_PER_SOURCE: std::ops::RangeInclusive<u32> = 10..=100_000;
pub const SOURCE_IMAGE_BYTES: std::ops::RangeInclusive<i64> = MIB..=100 * 1024 * MIB;
pub const LIBRARY_IMAGE_BYTES: std::ops::RangeInclusive<i64> = MIB..=1024 * 1024 * MIB;

/// Removed entries remembered per source: more than one fetch can list.
const REMEMBERED_PER_SOURCE: i64 = 2 * MAX_ENTRIES as i64;

/// The library's limits now.
pub async fn limits(store: &Store) -> Result<LibraryLimits> {
    let mut read = store.read().await?;
    let row = rows!(
        (i64, i64, i64),
        fetch_optional,
        &mut read,
        "SELECT max_articles_per_source, max_source_image_bytes, max_library_image_bytes
         FROM app_settings"
    )?;
    read.finish().await?;
    Ok(
        row.map_or_else(LibraryLimits::default, |(articles, source, library)| {
            LibraryLimits {
                max_articles_per_source: small(articles),
                max_source_image_bytes: source,
                max_library_image_bytes: library,
            }
        }),
    )
}

/// Sets the library's limits; the admin's to choose. The next refresh of
/// each source keeps to them.
pub async fn set_limits(
    store: &Store,
    actor: &User,
    limits: LibraryLimits,
) -> Result<LibraryLimits> {
    let mut tx = store.write().await?;
    authorize(&mut tx, actor, Action::Configure, None).await?;
    if !ARTICLES_PER_SOURCE.contains(&limits.max_articles_per_source) {
        return Err(Error::invalid(format!(
            "A source keeps {} to {} articles.",
            ARTICLES_PER_SOURCE.start(),
            ARTICLES_PER_SOURCE.end()
        )));
    }
    if !SOURCE_IMAGE_BYTES.contains(&limits.max_source_image_bytes)
        || !LIBRARY_IMAGE_BYTES.contains(&limits.max_library_image_bytes)
    {
        return Err(Error::invalid(
            "Images are kept up to 1 MiB to 100 GiB a source, and 1 MiB to 1 TiB in all.",
        ));
    }
    exec!(
        &mut tx,
        "UPDATE app_settings SET max_articles_per_source = $1, max_source_image_bytes = $2,
                                 max_library_image_bytes = $3",
        i64::from(limits.max_articles_per_source),
        limits.max_source_image_bytes,
        limits.max_library_image_bytes
    )?;
    tx.commit().await?;
    self::limits(store).await
}

/// Bytes of images the library holds.
pub async fn image_bytes(store: &Store) -> Result<i64> {
    let mut read = store.read().await?;
    let bytes = scalar!(
        i64,
        fetch_one,
        &mut read,
        "SELECT coalesce(sum(length(bytes)), 0) FROM article_images"
    )?;
    read.finish().await?;
    Ok(bytes)
}

/// The most bytes of images new articles may bring in now: what the
/// library's cap leaves beside the images no cap may remove (those of
/// discussed articles, saved pages and files), and for a feed's articles
/// at most that source's own cap. Never more than `wanted`.
pub(crate) async fn image_allowance(
    store: &Store,
    source: Option<SourceId>,
    wanted: usize,
) -> Result<usize> {
    let limits = limits(store).await?;
    let mut read = store.read().await?;
    let kept = scalar!(
        i64,
        fetch_one,
        &mut read,
        "SELECT coalesce(sum(length(i.bytes)), 0) FROM article_images i
         JOIN articles a ON a.id = i.article_id
         WHERE NOT (a.origin = 'feed' AND a.source_id IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.article_id = a.id))"
    )?;
    read.finish().await?;
    let mut room = limits.max_library_image_bytes.saturating_sub(kept).max(0);
    if source.is_some() {
        room = room.min(limits.max_source_image_bytes);
    }
    Ok(usize::try_from(room).unwrap_or(usize::MAX).min(wanted))
}

/// Whether `key` (an entry's article key) was removed from `source` by a
/// cap, and so is not to be added again.
pub(crate) async fn was_removed(store: &Store, key: &str) -> Result<bool> {
    let mut read = store.read().await?;
    let count = scalar!(
        i64,
        fetch_one,
        &mut read,
        "SELECT count(*) FROM removed_entries WHERE key = $1",
        key
    )?;
    read.finish().await?;
    Ok(count > 0)
}

/// Keeps `source` within its caps, and the library within its own, by
/// removing the oldest feed articles without a discussion. Returns a note
/// for the source's log for each cap that removed something.
pub(crate) async fn keep_within(store: &Store, source: SourceId) -> Result<Vec<String>> {
    let limits = limits(store).await?;
    let now = store.now();
    let mut notes = Vec::new();
    let mut tx = store.write().await?;

    let (mut articles, mut images): (i64, i64) = rows!(
        _,
        fetch_one,
        &mut tx,
        "SELECT count(*),
                coalesce((SELECT sum(length(i.bytes)) FROM article_images i
                          JOIN articles a ON a.id = i.article_id WHERE a.source_id = $1), 0)
         FROM articles WHERE source_id = $1",
        source
    )?;
    let over = |articles: i64, images: i64| {
        articles > i64::from(limits.max_articles_per_source)
            || images > limits.max_source_image_bytes
    };
    if over(articles, images) {
        let too_many = articles > i64::from(limits.max_articles_per_source);
        let mut removed = 0;
        for (id, bytes) in candidates(&mut tx, Some(source)).await? {
            if !over(articles, images) {
                break;
            }
            remove(&mut tx, id, now).await?;
            removed += 1;
            articles -= 1;
            images -= bytes;
        }
        if removed > 0 {
            let cap = if too_many {
                format!("its newest {} articles", limits.max_articles_per_source)
            } else {
                format!("{} of images", size(limits.max_source_image_bytes))
            };
            notes.push(format!(
                "To keep this feed within {cap}, {} older article{} without a discussion {} removed.",
                removed,
                if removed == 1 { "" } else { "s" },
                if removed == 1 { "was" } else { "were" },
            ));
        }
    }

    let mut library: i64 = scalar!(
        _,
        fetch_one,
        &mut tx,
        "SELECT coalesce(sum(length(bytes)), 0) FROM article_images"
    )?;
    if library > limits.max_library_image_bytes {
        let mut removed = 0;
        for (id, bytes) in candidates(&mut tx, None).await? {
            if library <= limits.max_library_image_bytes {
                break;
            }
            if bytes == 0 {
                continue; // removing it makes no room
            }
            remove(&mut tx, id, now).await?;
            removed += 1;
            library -= bytes;
        }
        if removed > 0 {
            notes.push(format!(
                "The library's images reached {}: {} older feed article{} without a discussion {} removed.",
                size(limits.max_library_image_bytes),
                removed,
                if removed == 1 { "" } else { "s" },
                if removed == 1 { "was" } else { "were" },
            ));
        }
    }

    // Removed entries are remembered only as long as a feed could still
    // list them.
    exec!(
        &mut tx,
        "DELETE FROM removed_entries WHERE source_id = $1 AND key NOT IN (
             SELECT key FROM removed_entries WHERE source_id = $1
             ORDER BY removed_at DESC, key LIMIT $2)",
        source,
        REMEMBERED_PER_SOURCE
    )?;
    tx.commit().await?;
    Ok(notes)
}

/// Feed articles that a cap may remove (nobody has written a word under
/// them), of `source` or of any source, oldest first, with the bytes of
/// images each holds.
async fn candidates(conn: &mut Write, source: Option<SourceId>) -> Result<Vec<(ArticleId, i64)>> {
    Ok(rows!(
        _,
        fetch_all,
        conn,
        "SELECT a.id,
                coalesce((SELECT sum(length(i.bytes)) FROM article_images i
                          WHERE i.article_id = a.id), 0)
         FROM articles a
         WHERE a.origin = 'feed' AND a.source_id IS NOT NULL
           AND ($1 IS NULL OR a.source_id = $1)
           AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.article_id = a.id)
         ORDER BY a.published_at, a.added_at, a.id",
        source
    )?)
}

/// Removes article `id`, remembering its feed's keys for it.
async fn remove(conn: &mut Write, id: ArticleId, now: i64) -> Result<()> {
    exec!(
        conn,
        "INSERT INTO removed_entries (key, source_id, removed_at)
         SELECT k.key, a.source_id, $1 FROM article_keys k JOIN articles a ON a.id = k.article_id
         WHERE k.article_id = $2 AND k.key LIKE 'feed:%'
         ON CONFLICT DO NOTHING",
        now,
        id
    )?;
    exec!(conn, "DELETE FROM articles WHERE id = $1", id)?;
    Ok(())
}

/// "200 MiB", "2 GiB".
fn size(bytes: i64) -> String {
    if bytes >= 1024 * MIB && (bytes % (1024 * MIB)) == 0 {
        format!("{} GiB", bytes / (1024 * MIB))
    } else {
        format!("{} MiB", bytes / MIB)
    }
}
