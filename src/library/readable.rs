//! Finding the article in a web page: its headline, byline, date and body,
//! without the navigation, sidebars and footer around it (a readability
//! algorithm, dom_smoothie).

use dom_smoothie::{Config, Readability, TextMode};

use super::contain::contain_panics;
use crate::clock::Millis;

/// Pages with more elements than this are not searched for an article
/// (a page that size is not an article; the limit bounds the work).
const MAX_ELEMENTS: usize = 60_000;

/// What readability found in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub title: String,
    pub byline: Option<String>,
    pub published_at: Option<Millis>,
    /// The article's HTML (not yet sanitized: do that before storing).
    pub content_html: String,
    pub excerpt: Option<String>,
    pub site_name: Option<String>,
}

/// The article in `html`, whose address is `url` (absolute; relative
/// links are resolved against it). `None` when the page has no article
/// Parley can find. Runs on the calling thread and takes milliseconds to
/// tens of milliseconds: call it from a blocking task. A panic inside the
/// readability crate is logged and reads as no article.
pub fn extract(html: &str, url: Option<&str>) -> Option<Extracted> {
    contain_panics("page", || extract_article(html, url))
        .ok()
        .flatten()
}

fn extract_article(html: &str, url: Option<&str>) -> Option<Extracted> {
    // Callers say why (see [`super::nesting`]); this keeps the process
    // safe whoever calls.
    if super::nesting::deeper_than(html, super::nesting::MAX_DEPTH) {
        return None;
    }
    let config = Config {
        max_elements_to_parse: MAX_ELEMENTS,
        text_mode: TextMode::Formatted,
        ..Config::default()
    };
    let mut readability = Readability::new(html, url, Some(config)).ok()?;
    let article = readability.parse().ok()?;
    let content_html = article.content.to_string();
    if content_html.trim().is_empty() {
        return None;
    }
    let site_name = article.site_name.filter(|s| !s.trim().is_empty());
    Some(Extracted {
        title: without_site_name(&article.title, site_name.as_deref()),
        byline: article.byline.filter(|b| !b.trim().is_empty()),
        published_at: article.published_time.as_deref().and_then(parse_date),
        content_html,
        excerpt: article.excerpt.filter(|e| !e.trim().is_empty()),
        site_name,
    })
}

/// Page titles often carry the site's name ("Headline | Site"): the
/// article's headline is the rest.
fn without_site_name(title: &str, site_name: Option<&str>) -> String {
    const SEPARATORS: [&str; 6] = [" | ", " - ", " – ", " — ", " · ", " :: "];
    let title = title.trim();
    let Some(site) = site_name.map(str::trim).filter(|s| !s.is_empty()) else {
        return title.to_owned();
    };
    for separator in SEPARATORS {
        if let Some(headline) = title
            .strip_suffix(site)
            .and_then(|t| t.strip_suffix(separator))
        {
            return headline.trim().to_owned();
        }
        if let Some(headline) = title
            .strip_prefix(site)
            .and_then(|t| t.strip_prefix(separator))
        {
            return headline.trim().to_owned();
        }
    }
    title.to_owned()
}

/// A date as pages and front matter write them (see [`super::dates`]).
pub fn parse_date(text: &str) -> Option<Millis> {
    super::dates::parse(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sites_name_leaves_the_headline() {
        let tidy = |t: &str| without_site_name(t, Some("Harbour Chronicle"));
        assert_eq!(tidy("Logbooks | Harbour Chronicle"), "Logbooks");
        assert_eq!(tidy("Harbour Chronicle — Logbooks"), "Logbooks");
        assert_eq!(tidy("Logbooks - a | b"), "Logbooks - a | b");
        assert_eq!(without_site_name(" Plain ", None), "Plain");
    }

    #[test]
    fn dates_in_the_usual_forms() {
        assert_eq!(parse_date("2026-11-30"), Some(1_795_996_800_000));
        assert_eq!(parse_date("2026-11-30T12:00:00Z"), Some(1_796_040_000_000));
        assert_eq!(
            parse_date("2026-11-30T13:00:00+01:00"),
            Some(1_796_040_000_000)
        );
        assert_eq!(
            parse_date("Mon, 30 Nov 2026 12:00:00 +0000"),
            Some(1_796_040_000_000)
        );
        assert_eq!(parse_date("someday"), None);
    }
}
