//! Images in articles, fetched by Parley when the article is added and
//! kept in the database, so reading an article asks no remote server for
//! anything. Only real images (PNG, JPEG, GIF, WebP, AVIF, checked from
//! their bytes, not from what the server says) of more than one pixel, at
//! most [`MAX_IMAGE_BYTES`] each and [`super::sanitize::MAX_IMAGES`] per
//! article, within an [`ImageBudget`] for the whole piece of work (a feed
//! of a thousand articles does not fetch twenty thousand images).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::future::join_all;
use url::Url;

use super::contain::contain_panics;
use super::fetch::{Fetched, Fetcher};
use crate::ids::{ImageId, SourceId};
use crate::store::{rows, Store};
use crate::Result;

/// The largest image kept, in bytes: 5 MiB.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

const BATCH_IMAGES: usize = 200;
const BATCH_BYTES: usize = 100 * 1024 * 1024;
const ARTICLE_BYTES: usize = 40 * 1024 * 1024;

/// Images fetched at once for one article.
const AT_ONCE: usize = 4;

/// How many images, and how many bytes of them, one piece of work may
/// still fetch: following or refreshing a feed, saving a page, importing a
/// file. Once it is spent, articles are added without their remaining
/// images.
#[derive(Debug)]
pub struct ImageBudget {
    images: AtomicUsize,
    bytes: AtomicUsize,
}

impl ImageBudget {
    pub fn new(images: usize, bytes: usize) -> Self {
        Self {
            images: AtomicUsize::new(images),
            bytes: AtomicUsize::new(bytes),
        }
    }

    /// For work that adds many articles at once (one feed's follow or
    /// refresh, a batch of files): 200 images and 100 MiB, within what the
    /// library's limits leave (see [`super::limits`]); `source` when the
    /// batch is a feed's.
    pub async fn for_batch(store: &Store, source: Option<SourceId>) -> Result<Self> {
        let bytes = super::limits::image_allowance(store, source, BATCH_BYTES).await?;
        Ok(Self::new(BATCH_IMAGES, bytes))
    }

    /// For one article: every image it may show, up to 40 MiB, within what
    /// the library's limits leave.
    pub async fn for_article(store: &Store) -> Result<Self> {
        let bytes = super::limits::image_allowance(store, None, ARTICLE_BYTES).await?;
        Ok(Self::new(super::sanitize::MAX_IMAGES, bytes))
    }

    /// Takes one image from the budget; `false` when none are left.
    fn take_image(&self) -> bool {
        self.images
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    fn bytes_left(&self) -> usize {
        self.bytes.load(Ordering::SeqCst)
    }

    /// Spends `n` bytes; `false` (and nothing spent) when fewer are left.
    fn spend(&self, n: usize) -> bool {
        self.bytes
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(n)
            })
            .is_ok()
    }
}

/// An image fetched for an article, not yet stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedImage {
    pub id: ImageId,
    /// The address it was fetched from (as the article named it).
    pub url: Url,
    /// Decided from the bytes.
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Fetches `urls`, a few at a time, keeping those that are images worth
/// showing, while `budget` lasts. An image that fails, is too large, is not
/// an image, is a 1×1 pixel or does not fit the budget is left out (the
/// article shows without it); nothing here fails the article.
pub async fn fetch_all(fetcher: &Fetcher, urls: &[Url], budget: &ImageBudget) -> Vec<FetchedImage> {
    let mut kept = Vec::new();
    for batch in urls.chunks(AT_ONCE) {
        let wanted: Vec<&Url> = batch.iter().take_while(|_| budget.take_image()).collect();
        if wanted.is_empty() {
            break;
        }
        let fetched = wanted
            .into_iter()
            .map(|url| fetch_one(fetcher, url, budget));
        kept.extend(join_all(fetched).await.into_iter().flatten());
    }
    kept
}

async fn fetch_one(fetcher: &Fetcher, url: &Url, budget: &ImageBudget) -> Option<FetchedImage> {
    let accept = "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1";
    let most = MAX_IMAGE_BYTES.min(budget.bytes_left());
    let Ok(Fetched::Body(body)) = fetcher.get_at_most(url, accept, most).await else {
        return None;
    };
    let content_type = image_type(&body.bytes)?;
    let size = contain_panics("image", || imagesize::blob_size(&body.bytes))
        .ok()?
        .ok()?;
    if size.width <= 1 || size.height <= 1 || !budget.spend(body.bytes.len()) {
        return None;
    }
    Some(FetchedImage {
        id: ImageId::new(),
        url: url.clone(),
        content_type,
        bytes: body.bytes,
    })
}

/// The content type of an image Parley shows, from its first bytes.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    use imagesize::ImageType;
    match contain_panics("image", || imagesize::image_type(bytes))
        .ok()?
        .ok()?
    {
        ImageType::Png => Some("image/png"),
        ImageType::Jpeg => Some("image/jpeg"),
        ImageType::Gif => Some("image/gif"),
        ImageType::Webp => Some("image/webp"),
        ImageType::Heif(imagesize::Compression::Av1) => Some("image/avif"),
        _ => None,
    }
}

/// Each fetched image's address mapped to its id, for
/// [`super::sanitize::Sanitized::with_images`].
pub fn addresses(images: &[FetchedImage]) -> HashMap<Url, String> {
    images
        .iter()
        .map(|image| (image.url.clone(), image.id.to_string()))
        .collect()
}

/// A stored image, for the `parley-image:` scheme: its content type and
/// bytes, or `None` if there is no such image.
pub async fn stored(store: &Store, id: ImageId) -> Result<Option<(String, Vec<u8>)>> {
    let mut read = store.read().await?;
    let image = rows!(
        (String, Vec<u8>),
        fetch_optional,
        &mut read,
        "SELECT content_type, bytes FROM article_images WHERE id = $1",
        id
    )?;
    read.finish().await?;
    Ok(image)
}
