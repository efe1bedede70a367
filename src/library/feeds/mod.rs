//! Reading feeds: RSS 0.90 to 2.0, RSS 1.0 (RDF), Atom 0.3 and 1.0, and
//! JSON Feed 1.x, the way real feeds need (Parley's own reader, written on
//! quick-xml's tokenizer): any encoding (`encoding.rs`), a bare `&`, markup
//! cut short, odd content types, an entry that cannot be read beside ones
//! that can; and finding a website's feed from its page's
//! `<link rel="alternate">`.
//!
//! XML entities are never expanded from a DTD, so a "billion laughs"
//! document is just text. Parsing is linear in the input and bounded in
//! memory (`tree.rs`).

mod json;
mod tree;
mod xml;

use url::Url;

use super::address::canonical;
use super::contain::contain_panics;
use super::encoding::xml_text;
use super::sanitize::Sanitized;
use crate::clock::Millis;
use crate::text::{one_line, plain_text};

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
    /// Lines for the job's log: entries skipped or read in part, and why.
    pub notes: Vec<String>,
}

/// One entry of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// What recognises this entry within its feed: its id, or else its
    /// link, or else its title and date.
    pub key: String,
    /// The feed gave it an id of its own.
    pub has_id: bool,
    /// Plain text, on one line; empty when the entry has none.
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
    /// Reading it failed inside the parser (a bug there, logged).
    #[error("this feed could not be read")]
    Unreadable,
}

/// What a source or job item says of a feed that has no entries.
pub const NO_ENTRIES: &str = "this feed has no entries";

/// Reads `bytes`, fetched from `feed_url`. A document read only in part
/// (cut short, or broken half-way) keeps the entries before the break;
/// it is [`FeedProblem::Malformed`] only when none were read.
pub fn parse(bytes: &[u8], feed_url: &Url) -> Result<ParsedFeed, FeedProblem> {
    contain_panics("feed", || read(bytes, feed_url)).unwrap_or(Err(FeedProblem::Unreadable))
}

fn read(bytes: &[u8], feed_url: &Url) -> Result<ParsedFeed, FeedProblem> {
    let text = xml_text(bytes);
    let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    if start.starts_with('{') {
        return json::read(start, feed_url);
    }
    let document = tree::read(&text);
    let Some(root) = document.root else {
        return Err(match document.error {
            Some(why) if start.starts_with('<') => FeedProblem::Malformed(why),
            _ => FeedProblem::NotAFeed,
        });
    };
    let feed = xml::read(&root, feed_url)?;
    match document.error {
        Some(why) if feed.entries.is_empty() => Err(FeedProblem::Malformed(why)),
        _ => Ok(feed),
    }
}

/// A feed's title: its own, or else its site's host, or else its address.
fn feed_title(own: Option<String>, site_url: Option<&Url>, document_url: &Url) -> String {
    own.filter(|t| !t.is_empty())
        .or_else(|| {
            site_url
                .unwrap_or(document_url)
                .host_str()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| document_url.to_string())
}

/// A title, name or tag written as text: character references a
/// publisher escaped twice (`&amp;amp;`, `&amp;#8217;`) read once more,
/// angle brackets kept (`History of the <blink> tag`), on one line.
fn text_title(text: &str) -> String {
    one_line(&tree::unescaped(text))
}

/// A title written as HTML, as plain text.
fn html_title(html: &str) -> String {
    plain_text(&Sanitized::first_pass(html, None).html)
}

/// A person's name as feeds write it: `desk@example.org (Lena Marsh)` and
/// `Lena Marsh <desk@example.org>` are Lena Marsh; an address alone is no
/// name.
fn author_name(raw: &str) -> String {
    let raw = text_title(raw);
    let is_address = |s: &str| {
        let s = s.trim().trim_start_matches("mailto:");
        !s.contains(char::is_whitespace)
            && s.split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
    };
    if let Some((before, after)) = raw.split_once('(') {
        if let Some(name) = after.trim_end().strip_suffix(')') {
            if is_address(before) && !name.trim().is_empty() {
                return name.trim().to_owned();
            }
        }
    }
    if let Some((name, rest)) = raw.split_once('<') {
        if let Some(address) = rest.trim_end().strip_suffix('>') {
            if is_address(address) {
                return name.trim().trim_matches('"').trim().to_owned();
            }
        }
    }
    if is_address(&raw) {
        return String::new();
    }
    raw
}

/// What recognises an entry within its feed: its id, or else its link,
/// or else its title and date.
fn entry_key(
    id: Option<&str>,
    link: Option<&Url>,
    title: &str,
    published_at: Option<Millis>,
) -> String {
    match (id, link) {
        (Some(id), _) => format!("id:{id}"),
        (None, Some(link)) => format!("link:{}", canonical(link)),
        (None, None) => format!("title:{title}|{}", published_at.unwrap_or_default()),
    }
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
    fn names_without_their_addresses() {
        for (raw, name) in [
            ("desk@example.org (Lena Marsh)", "Lena Marsh"),
            ("Lena Marsh <desk@example.org>", "Lena Marsh"),
            ("\"Lena Marsh\" <mailto:desk@example.org>", "Lena Marsh"),
            ("desk@example.org", ""),
            ("Lena Marsh (editor)", "Lena Marsh (editor)"),
            ("  Lena\n Marsh ", "Lena Marsh"),
        ] {
            assert_eq!(author_name(raw), name, "{raw}");
        }
    }

    #[test]
    fn text_titles_keep_their_brackets_and_lose_double_escapes() {
        assert_eq!(
            text_title("History of the <blink> tag"),
            "History of the <blink> tag"
        );
        assert_eq!(
            text_title("Fish &amp; chips &#8217;n&nbsp;peas"),
            "Fish & chips \u{2019}n peas"
        );
        assert_eq!(
            html_title("History of the <blink> tag"),
            "History of the tag"
        );
        assert_eq!(html_title("Fish &amp;amp; chips"), "Fish &amp; chips");
    }
}
