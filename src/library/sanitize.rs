//! Article HTML from feeds, pages and files, made safe to insert into the
//! page: an allow-list of tags and attributes (headings, paragraphs, lists,
//! quotes, code, tables, figures, images, links), relative addresses made
//! absolute, and nothing that runs or loads: no scripts, styles, frames,
//! forms or event handlers, links only to http, https and mailto.
//!
//! Images are handled in two passes. [`Sanitized::first_pass`] cleans the
//! HTML and lists the images it wants (after dropping declared 1×1 tracking
//! pixels); the caller fetches and stores those; [`Sanitized::with_images`]
//! then points each stored one at Parley's own `parley-image:` scheme and
//! drops every other image source, so the page never asks a remote server
//! for anything.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use ammonia::{Builder, UrlRelative};
use url::Url;

/// The scheme stored images are served through, e.g.
/// `parley-image://localhost/0193…`.
pub const IMAGE_SCHEME: &str = "parley-image";

/// The most images one article keeps.
pub const MAX_IMAGES: usize = 20;

const ARTICLE_TAGS: [&str; 36] = [
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "code",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "s",
    "del",
    "ins",
    "sub",
    "sup",
    "a",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "img",
];
const MORE_TAGS: [&str; 4] = ["th", "td", "figure", "figcaption"];

/// Elements removed with everything inside them: code, styling, embedded
/// documents and forms are never prose.
const DROPPED_WITH_CONTENT: [&str; 14] = [
    "script", "style", "template", "iframe", "frame", "frameset", "noscript", "object", "embed",
    "svg", "math", "form", "select", "textarea",
];

const LINK_REL: &str = "nofollow noopener noreferrer";

/// Article HTML after the first pass, and the images it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanitized {
    /// Clean HTML; image sources are still the original (absolute) ones.
    pub html: String,
    /// The http(s) images it shows, in order, at most [`MAX_IMAGES`].
    pub images: Vec<Url>,
    base: Option<Url>,
}

impl Sanitized {
    /// Cleans `html`, resolving relative addresses against `base` (the
    /// page or feed entry it came from; without one, relative addresses
    /// are dropped).
    pub fn first_pass(html: &str, base: Option<&Url>) -> Self {
        let without_pixels = drop_tracking_pixels(html);
        let wanted: Arc<Mutex<Vec<Url>>> = Arc::default();
        let sink = Arc::clone(&wanted);
        let resolve_against = base.cloned();
        let mut builder = article_builder(base);
        // The filter sees values before relative ones are rewritten, so it
        // resolves image addresses itself.
        builder.attribute_filter(move |element, attribute, value| {
            if element == "img" && attribute == "src" {
                return match resolve(resolve_against.as_ref(), value) {
                    Some(url) if matches!(url.scheme(), "http" | "https") => {
                        let mut wanted = sink.lock().unwrap_or_else(PoisonError::into_inner);
                        if wanted.len() < MAX_IMAGES && !wanted.contains(&url) {
                            wanted.push(url);
                        }
                        Some(Cow::Borrowed(value))
                    }
                    // data:, a stray parley-image: and the rest.
                    _ => None,
                };
            }
            not_our_scheme(attribute, value)
        });
        let html = builder.clean(&without_pixels).to_string();
        let images = std::mem::take(&mut *wanted.lock().unwrap_or_else(PoisonError::into_inner));
        Self {
            html,
            images,
            base: base.cloned(),
        }
    }

    /// The final HTML: each image in `stored` (its address -> the stored
    /// image's id) shown from Parley's scheme, every other image source
    /// dropped.
    pub fn with_images(&self, stored: &HashMap<Url, String>) -> String {
        let stored = stored.clone();
        let base = self.base.clone();
        let mut builder = article_builder(self.base.as_ref());
        builder.attribute_filter(move |element, attribute, value| {
            if element == "img" && attribute == "src" {
                // Compared as addresses, not as text: `HTTPS://Example.com/a b`
                // is the image fetched from `https://example.com/a%20b`.
                return resolve(base.as_ref(), value)
                    .and_then(|url| stored.get(&url))
                    .map(|id| Cow::Owned(image_address(id)));
            }
            not_our_scheme(attribute, value)
        });
        builder.clean(&self.html).to_string()
    }
}

/// An article's HTML that came from elsewhere already cleaned (a Parley
/// server's answer), cleaned again here with the same allow-list: images
/// only from Parley's own scheme with an image id, everything else as for
/// any article. Too deeply nested HTML is not parsed at all.
pub fn clean_again(html: &str) -> String {
    if super::nesting::deeper_than(html, super::nesting::MAX_DEPTH) {
        return "<p>This article could not be shown safely.</p>".to_owned();
    }
    let mut builder = article_builder(None);
    builder.attribute_filter(|element, attribute, value| {
        if element == "img" && attribute == "src" {
            let id = value
                .strip_prefix(IMAGE_SCHEME)
                .and_then(|rest| rest.strip_prefix("://localhost/"));
            return id
                .filter(|id| crate::ids::ImageId::parse(id).is_ok())
                .map(|_| Cow::Borrowed(value));
        }
        not_our_scheme(attribute, value)
    });
    builder.clean(html).to_string()
}

/// `value` as an address: joined to `base`, or on its own without one.
fn resolve(base: Option<&Url>, value: &str) -> Option<Url> {
    match base {
        Some(base) => base.join(value).ok(),
        None => Url::parse(value).ok(),
    }
}

/// The address a stored image is served at.
pub fn image_address(id: &str) -> String {
    format!("{IMAGE_SCHEME}://localhost/{id}")
}

/// Only Parley puts its own scheme in an article, and only on images.
fn not_our_scheme<'u>(attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let ours = value
        .trim_start()
        .get(..IMAGE_SCHEME.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(IMAGE_SCHEME));
    (!(attribute == "href" && ours)).then_some(Cow::Borrowed(value))
}

fn article_builder(base: Option<&Url>) -> Builder<'static> {
    let mut builder = Builder::empty();
    let mut tags: HashSet<&str> = HashSet::from(ARTICLE_TAGS);
    tags.extend(MORE_TAGS);
    builder
        .tags(tags)
        .clean_content_tags(HashSet::from(DROPPED_WITH_CONTENT))
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href", "title"])),
            (
                "img",
                HashSet::from(["src", "alt", "title", "width", "height"]),
            ),
            ("ol", HashSet::from(["start"])),
            ("th", HashSet::from(["colspan", "rowspan"])),
            ("td", HashSet::from(["colspan", "rowspan"])),
        ]))
        .tag_attribute_values(HashMap::new())
        .set_tag_attribute_values(HashMap::new())
        .generic_attributes(HashSet::new())
        .generic_attribute_prefixes(HashSet::new())
        .allowed_classes(HashMap::new())
        .url_schemes(HashSet::from(["http", "https", "mailto", IMAGE_SCHEME]))
        .url_relative(match base.cloned() {
            Some(base) => UrlRelative::Custom(Box::new(JoinedTo(base))),
            None => UrlRelative::Deny,
        })
        .link_rel(Some(LINK_REL))
        .strip_comments(true)
        .id_prefix(None);
    builder
}

/// Relative addresses joined to the base here rather than by ammonia, so
/// that what a join makes is checked too: only http, https and mailto
/// leave it.
struct JoinedTo(Url);

impl ammonia::UrlRelativeEvaluate<'static> for JoinedTo {
    fn evaluate<'url>(&self, relative: &'url str) -> Option<Cow<'url, str>> {
        self.0
            .join(relative)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https" | "mailto"))
            .map(|url| Cow::Owned(url.to_string()))
    }
}

/// Removes images that say they are at most one pixel wide or high: the
/// tracking pixels newsletters and feeds carry. Fetching one would tell
/// its sender the article was read.
fn drop_tracking_pixels(html: &str) -> Cow<'_, str> {
    if !html.contains("<img") && !html.contains("<IMG") {
        return Cow::Borrowed(html);
    }
    let document = dom_query::Document::from(html);
    let mut dropped = false;
    for image in document.select("img").iter() {
        let tiny = |name: &str| {
            image
                .attr(name)
                .and_then(|v| v.trim().trim_end_matches("px").parse::<u32>().ok())
                .is_some_and(|n| n <= 1)
        };
        if tiny("width") || tiny("height") {
            image.remove();
            dropped = true;
        }
    }
    if dropped {
        Cow::Owned(document.select("body").inner_html().to_string())
    } else {
        Cow::Borrowed(html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_from_a_server_is_cleaned_again_keeping_only_parleys_images() {
        let id = crate::ids::ImageId::new().to_string();
        let html = format!(
            "<p onclick=\"steal()\">Hi<script>steal()</script></p>\
             <img src=\"parley-image://localhost/{id}\" alt=\"kept\">\
             <img src=\"https://tracker.example/p.gif\" alt=\"remote\">\
             <img src=\"parley-image://localhost/../../etc\" alt=\"forged\">\
             <form action=\"https://evil.example\"><input name=\"password\"></form>\
             <a href=\"javascript:steal()\">x</a><a href=\"https://parley.example/\">ok</a>"
        );
        let cleaned = clean_again(&html);
        assert!(
            cleaned.contains(&format!("parley-image://localhost/{id}")),
            "{cleaned}"
        );
        for gone in [
            "script",
            "onclick",
            "tracker.example",
            "../",
            "<form",
            "<input",
            "javascript:",
        ] {
            assert!(!cleaned.contains(gone), "{gone} in {cleaned}");
        }
        assert!(cleaned.contains("https://parley.example/"), "{cleaned}");
        let deep = "<div>".repeat(2_000);
        assert!(clean_again(&deep).contains("could not be shown"));
    }

    fn base() -> Url {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        Url::parse("https://news.example/blog/post/").unwrap()
    }

    #[test]
    fn hostile_markup_is_gone_and_links_are_made_safe() {
        let html = r#"<h2 onclick="steal()">Title</h2>
            <p style="color:red">Text <a href="../other" onmouseover="x()">rel</a>
            <a href="javascript:alert(1)">js</a> <a href="data:text/html,x">data</a>
            <a href="parley-image://localhost/abc">ours</a></p>
            <script>alert(1)</script><style>p{}</style><iframe src="https://evil.example"></iframe>
            <form action="https://evil.example"><input name="password">Sign in</form>
            <svg><script>alert(2)</script></svg><table><tr><td colspan="2">cell</td></tr></table>"#;
        let clean = Sanitized::first_pass(html, Some(&base())).html;
        for gone in [
            "onclick",
            "onmouseover",
            "style",
            "script",
            "alert",
            "iframe",
            "form",
            "password",
            "Sign in",
            "svg",
            "javascript",
            "data:",
            "parley-image",
        ] {
            assert!(!clean.contains(gone), "{gone} in {clean}");
        }
        assert!(
            clean.contains(r#"<a href="https://news.example/blog/other" rel="nofollow noopener noreferrer">rel</a>"#),
            "{clean}"
        );
        assert!(clean.contains(r#"<td colspan="2">cell</td>"#), "{clean}");
    }

    #[test]
    fn images_are_collected_then_served_only_from_parleys_scheme() {
        let html = r#"<figure><img src="img/a.png" alt="A"><figcaption>cap</figcaption></figure>
            <img src="HTTPS://CDN.example/b.jpg"><img src="data:image/png;base64,AAAA">
            <img src="https://track.example/p.gif" width="1" height="1">
            <img src="https://cdn.example/never-stored.png">"#;
        let first = Sanitized::first_pass(html, Some(&base()));
        let wanted: Vec<String> = first.images.iter().map(Url::to_string).collect();
        assert_eq!(
            wanted,
            [
                "https://news.example/blog/post/img/a.png",
                "https://cdn.example/b.jpg",
                "https://cdn.example/never-stored.png"
            ]
        );
        let stored = HashMap::from([
            (first.images[0].clone(), "id-a".to_owned()),
            (first.images[1].clone(), "id-b".to_owned()),
        ]);
        let last = first.with_images(&stored);
        assert!(
            last.contains(r#"<img src="parley-image://localhost/id-a" alt="A">"#),
            "{last}"
        );
        assert!(
            last.contains(r#"src="parley-image://localhost/id-b""#),
            "{last}"
        );
        assert!(
            !last.contains("https://"),
            "a remote address is left: {last}"
        );
        assert!(!last.contains("track.example"), "{last}");
    }
}
