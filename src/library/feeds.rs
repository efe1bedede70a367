//! Reading feeds: RSS 0.9x, 1.0 (RDF) and 2.0, Atom, and JSON Feed 1.x,
//! through feed-rs, with the repairs real feeds need (a declared encoding
//! that is wrong, a bare `&`, an RSS version feed-rs does not list), and
//! finding a website's feed from its page's `<link rel="alternate">`.
//!
//! XML entities are never expanded: feed-rs resolves only the predefined
//! ones, so a "billion laughs" document is just text.

use std::borrow::Cow;

use feed_rs::model::{Entry, Feed};
use url::Url;

use super::adding::{one_line, plain_text};
use super::address::canonical;
use super::sanitize::Sanitized;
use crate::clock::Millis;

/// The most entries taken from one fetch of a feed.
pub const MAX_ENTRIES: usize = 1_000;

/// A feed, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFeed {
    /// The feed's own title, or its site's host when it has none.
    pub title: String,
    pub site_url: Option<Url>,
    /// Newest first as the feed lists them, at most [`MAX_ENTRIES`].
    pub entries: Vec<FeedEntry>,
}

/// One entry of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// What recognises this entry within its feed: its id, or else its
    /// link, or else its title and date.
    pub key: String,
    /// The feed gave it an id of its own.
    pub has_id: bool,
    pub title: String,
    pub link: Option<Url>,
    pub author: String,
    pub published_at: Option<Millis>,
    /// HTML, as the feed has it.
    pub summary: Option<String>,
    /// HTML: the entry's full content where the feed has it.
    pub content: Option<String>,
    /// What relative addresses in the content are relative to.
    pub base: Url,
    pub categories: Vec<String>,
}

/// Why a document is not a feed Parley can read, in words for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedProblem {
    #[error("this is not a feed")]
    NotAFeed,
    #[error("the feed is malformed: {0}")]
    Malformed(String),
}

/// Reads `bytes`, fetched from `feed_url`.
pub fn parse(bytes: &[u8], feed_url: &Url) -> Result<ParsedFeed, FeedProblem> {
    let bytes = with_honest_encoding(bytes);
    let feed = match parse_once(&bytes) {
        Ok(feed) => feed,
        Err(first) => {
            let repaired = repaired(&bytes);
            match repaired.as_deref().map(parse_once) {
                Some(Ok(feed)) => feed,
                _ => return Err(first),
            }
        }
    };
    Ok(read(feed, feed_url))
}

fn parse_once(bytes: &[u8]) -> Result<Feed, FeedProblem> {
    use feed_rs::parser::{ParseErrorKind, ParseFeedError};
    // An empty id for entries without one: Parley makes its own key
    // (feed-rs would otherwise invent a random one on each parse).
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|_, _, _| String::new())
        .build();
    parser.parse(bytes).map_err(|e| match e {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => FeedProblem::NotAFeed,
        ParseFeedError::ParseError(kind) => FeedProblem::Malformed(kind.to_string()),
        ParseFeedError::JsonUnsupportedVersion(version) => {
            FeedProblem::Malformed(format!("JSON Feed version {version} is not supported"))
        }
        ParseFeedError::JsonSerde(_) => FeedProblem::NotAFeed,
        other => FeedProblem::Malformed(other.to_string()),
    })
}

fn read(feed: Feed, feed_url: &Url) -> ParsedFeed {
    let site_url = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .and_then(|l| feed_url.join(&l.href).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    let title = feed
        .title
        .as_ref()
        .map(|t| text_of(&t.content))
        .filter(|t| !t.is_empty())
        .or_else(|| {
            site_url
                .as_ref()
                .or(Some(feed_url))
                .and_then(|u| u.host_str().map(str::to_owned))
        })
        .unwrap_or_else(|| feed_url.to_string());
    let entries = feed
        .entries
        .into_iter()
        .take(MAX_ENTRIES)
        .map(|entry| read_entry(entry, feed_url))
        .collect();
    ParsedFeed {
        title,
        site_url,
        entries,
    }
}

fn read_entry(entry: Entry, feed_url: &Url) -> FeedEntry {
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(entry.links.first())
        .and_then(|l| feed_url.join(&l.href).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    let title = entry
        .title
        .as_ref()
        .map(|t| text_of(&t.content))
        .unwrap_or_default();
    let published_at = entry
        .published
        .or(entry.updated)
        .map(|when| when.timestamp_millis());
    let has_id = !entry.id.trim().is_empty();
    let key = if has_id {
        format!("id:{}", entry.id.trim())
    } else if let Some(link) = &link {
        format!("link:{}", canonical(link))
    } else {
        format!("title:{title}|{}", published_at.unwrap_or_default())
    };
    // Relative addresses in content are relative to the content's own
    // xml:base, else the entry's page, else the feed.
    let base = entry
        .base
        .as_deref()
        .and_then(|b| feed_url.join(b).ok())
        .or_else(|| link.clone())
        .unwrap_or_else(|| feed_url.clone());
    let author = entry
        .authors
        .iter()
        .filter_map(|p| p.name.as_deref().map(one_line))
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    FeedEntry {
        key,
        has_id,
        title,
        link,
        author,
        published_at,
        summary: entry.summary.map(|t| t.content),
        content: entry.content.and_then(|c| c.body),
        base,
        categories: entry
            .categories
            .into_iter()
            .map(|c| c.label.unwrap_or(c.term))
            .collect(),
    }
}

/// A title or name as plain text: some feeds put markup and escapes in
/// them.
fn text_of(html: &str) -> String {
    plain_text(&Sanitized::first_pass(html, None).html)
}

/// `bytes` with an XML declaration that tells the truth: bytes that are
/// valid UTF-8 are read as UTF-8 whatever they claim (a feed that says
/// ISO-8859-1 but is UTF-8 would otherwise come out garbled), and bytes
/// that are not UTF-8 but claim to be (or claim nothing) are read as
/// Windows-1252, the usual truth behind them.
fn with_honest_encoding(bytes: &[u8]) -> Cow<'_, [u8]> {
    let declared = declared_encoding(bytes);
    match std::str::from_utf8(bytes) {
        Ok(_) if declared.as_deref().is_some_and(|e| !is_utf8_label(e)) => {
            Cow::Owned(set_declared_encoding(bytes, "UTF-8"))
        }
        Ok(_) => Cow::Borrowed(bytes),
        Err(_) if declared.as_deref().is_none_or(is_utf8_label) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Cow::Owned(set_declared_encoding(text.as_bytes(), "UTF-8"))
        }
        Err(_) => Cow::Borrowed(bytes),
    }
}

fn is_utf8_label(label: &str) -> bool {
    matches!(label.to_ascii_lowercase().as_str(), "utf-8" | "utf8")
}

/// The `encoding` of the XML declaration at the start of `bytes`.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = declaration(bytes)?;
    let at = head.find("encoding")?;
    let rest = head.get(at + "encoding".len()..)?.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let value = rest.get(1..)?;
    Some(value.get(..value.find(quote)?)?.to_owned())
}

/// The XML declaration, `<?xml … ?>`, if the document starts with one.
fn declaration(bytes: &[u8]) -> Option<&str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let end = bytes.windows(2).take(200).position(|w| w == b"?>")?;
    let head = std::str::from_utf8(bytes.get(..end)?).ok()?;
    head.trim_start().starts_with("<?xml").then_some(head)
}

fn set_declared_encoding(bytes: &[u8], label: &str) -> Vec<u8> {
    let Some(old) = declared_encoding(bytes) else {
        return bytes.to_vec();
    };
    let Some(head) = declaration(bytes) else {
        return bytes.to_vec();
    };
    let offset = bytes.len() - bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes).len();
    let new_head = head.replacen(&old, label, 1);
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(new_head.as_bytes());
    out.extend_from_slice(bytes.get(offset + head.len()..).unwrap_or_default());
    out
}

/// The repairs that make common broken feeds readable: a bare `&` escaped,
/// and an `<rss>` with a version feed-rs does not know (0.93, 0.94, none)
/// read as 2.0, which is compatible with them. `None` if nothing changed.
fn repaired(bytes: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut fixed = escape_bare_ampersands(text);
    if let Some(at) = fixed.find("<rss") {
        let end = fixed.get(at..).and_then(|t| t.find('>')).map(|e| at + e)?;
        let tag = fixed.get(at..end)?.to_owned();
        let versioned = match tag.find("version=") {
            Some(v) => {
                let value_start = v + "version=".len() + 1;
                let quote = tag.chars().nth(value_start - 1)?;
                let value_end = tag.get(value_start..)?.find(quote)? + value_start;
                format!("{}2.0{}", tag.get(..value_start)?, tag.get(value_end..)?)
            }
            None => format!("{tag} version=\"2.0\""),
        };
        fixed.replace_range(at..end, &versioned);
    }
    (fixed.as_bytes() != bytes).then(|| fixed.into_bytes())
}

/// Escapes every `&` that does not start an entity or character reference.
fn escape_bare_ampersands(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(rest.get(..at).unwrap_or_default());
        let after = rest.get(at + 1..).unwrap_or_default();
        let reference = after
            .find(';')
            .filter(|&end| end > 0 && end <= 32)
            .and_then(|end| after.get(..end))
            .is_some_and(|name| {
                name.strip_prefix('#').map_or_else(
                    || name.chars().all(|c| c.is_ascii_alphanumeric()),
                    |number| {
                        number.strip_prefix(['x', 'X']).map_or_else(
                            || number.chars().all(|c| c.is_ascii_digit()),
                            |hex| hex.chars().all(|c| c.is_ascii_hexdigit()),
                        )
                    },
                )
            });
        out.push_str(if reference { "&" } else { "&amp;" });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The feeds a web page points to with `<link rel="alternate">`, in the
/// order it lists them, made absolute against `page_url`.
pub fn discover(html: &[u8], page_url: &Url) -> Vec<Url> {
    const FEED_TYPES: [&str; 5] = [
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/rdf+xml",
    ];
    let text = String::from_utf8_lossy(html);
    let document = dom_query::Document::from(text.as_ref());
    let base = document
        .select("base[href]")
        .attr("href")
        .and_then(|href| page_url.join(&href).ok())
        .unwrap_or_else(|| page_url.clone());
    let mut found = Vec::new();
    for link in document.select("link[href]").iter() {
        let rel = link
            .attr("rel")
            .map(|r| r.to_ascii_lowercase())
            .unwrap_or_default();
        let kind = link
            .attr("type")
            .map(|t| t.to_ascii_lowercase())
            .unwrap_or_default();
        if !rel.split_whitespace().any(|r| r == "alternate") || !FEED_TYPES.contains(&kind.trim()) {
            continue;
        }
        if let Some(url) = link.attr("href").and_then(|h| base.join(h.trim()).ok()) {
            if matches!(url.scheme(), "http" | "https") && !found.contains(&url) {
                found.push(url);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_ampersands_are_escaped_and_references_kept() {
        assert_eq!(
            escape_bare_ampersands("AT&T &amp; R&D &#233; &#xE9; &lol; & end&"),
            "AT&amp;T &amp; R&amp;D &#233; &#xE9; &lol; &amp; end&amp;"
        );
    }

    #[test]
    fn the_declared_encoding_is_read_and_replaced() {
        let doc = b"<?xml version='1.0' encoding='ISO-8859-1'?><rss/>";
        assert_eq!(declared_encoding(doc).as_deref(), Some("ISO-8859-1"));
        assert_eq!(
            set_declared_encoding(doc, "UTF-8"),
            b"<?xml version='1.0' encoding='UTF-8'?><rss/>"
        );
        assert_eq!(declared_encoding(b"<rss/>"), None);
    }
}
