//! JSON Feed 1.0 and 1.1, read field by field: a field of the wrong type
//! is left out, never the feed.

use serde_json::Value;
use url::Url;

use super::{
    author_name, entry_key, feed_title, text_title, FeedEntry, FeedProblem, ParsedFeed, MAX_ENTRIES,
};
use crate::library::dates;

/// Reads `text` as a JSON Feed fetched from `document_url`.
pub(super) fn read(text: &str, document_url: &Url) -> Result<ParsedFeed, FeedProblem> {
    let Ok(Value::Object(feed)) = serde_json::from_str::<Value>(text) else {
        return Err(FeedProblem::NotAFeed);
    };
    let version = feed
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !version.starts_with("https://jsonfeed.org/version/") {
        return Err(FeedProblem::NotAFeed);
    }
    let string = |v: &Value, name: &str| {
        v.get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let address = |v: &Value, name: &str| {
        string(v, name)
            .and_then(|s| document_url.join(&s).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    };
    let feed = Value::Object(feed);
    let site_url = address(&feed, "home_page_url");
    let title = feed_title(
        string(&feed, "title").map(|t| text_title(&t)),
        site_url.as_ref(),
        document_url,
    );
    let feed_authors = authors(&feed);
    let mut entries = Vec::new();
    let mut notes = Vec::new();
    let items = feed.get("items").and_then(Value::as_array);
    for (index, item) in items.into_iter().flatten().take(MAX_ENTRIES).enumerate() {
        let id = match item.get("id") {
            Some(Value::String(s)) => Some(s.trim().to_owned()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
        .filter(|id| !id.is_empty());
        let link = address(item, "url").or_else(|| address(item, "external_url"));
        let title = string(item, "title").map(|t| text_title(&t));
        let content = string(item, "content_html").or_else(|| {
            string(item, "content_text").map(|t| format!("<p>{}</p>", crate::text::escape(&t)))
        });
        let summary = string(item, "summary").map(|s| crate::text::escape(&s));
        if title.is_none() && content.is_none() && summary.is_none() && link.is_none() {
            notes.push(format!(
                "Entry {} was skipped: it has no title, link or text.",
                index + 1
            ));
            continue;
        }
        let published_at = string(item, "date_published")
            .or_else(|| string(item, "date_modified"))
            .and_then(|d| dates::parse(&d));
        let mut names = authors(item);
        if names.is_empty() {
            names.clone_from(&feed_authors);
        }
        let title = title.unwrap_or_default();
        entries.push(FeedEntry {
            key: entry_key(id.as_deref(), link.as_ref(), &title, published_at),
            has_id: id.is_some(),
            title,
            base: link.clone().unwrap_or_else(|| document_url.clone()),
            link,
            author: names.join(", "),
            published_at,
            summary,
            content,
            categories: item
                .get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        });
    }
    Ok(ParsedFeed {
        title,
        site_url,
        entries,
        notes,
    })
}

/// The names of `authors` (1.1) or `author` (1.0).
fn authors(value: &Value) -> Vec<String> {
    let listed = value.get("authors").and_then(Value::as_array);
    let single = value.get("author").filter(|a| a.is_object());
    listed
        .into_iter()
        .flatten()
        .chain(single)
        .filter_map(|a| a.get("name").and_then(Value::as_str))
        .map(author_name)
        .filter(|n| !n.is_empty())
        .collect()
}
