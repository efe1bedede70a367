//! Importing files people have: Markdown (with or without front matter:
//! title, author, date, tags) and HTML (the article found in it, as for a
//! saved page). Each file is recognised by its content, so importing it
//! again adds nothing. OPML files are subscriptions, not articles: see
//! `opml.rs`.

use std::path::Path;

use pulldown_cmark::{Options, Parser};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use yaml_rust2::{Yaml, YamlLoader};

use super::adding::{self, Added, Incoming, Origin};
use super::contain::contain_panics;
use super::fetch::Fetcher;
use super::images::ImageBudget;
use super::nesting::{self, too_deep};
use super::readable::{self, parse_date};
use super::sources::may_add;
use crate::ids::ArticleId;
use crate::store::Store;
use crate::users::User;
use crate::{Error, Result};

/// The largest file imported, in bytes: 10 MiB.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// What the library shows as the source of imported files.
pub const FILES_SOURCE: &str = "Your files";

/// The kinds of file Parley imports, by their name's ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Markdown,
    Html,
    Opml,
}

impl FileKind {
    /// The kind of file `name` is, or `None` for one Parley does not read.
    pub fn of(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        let ending = lower.rsplit_once('.').map(|(_, e)| e)?;
        match ending {
            "md" | "markdown" | "mdown" | "mkd" | "txt" => Some(Self::Markdown),
            "html" | "htm" | "xhtml" => Some(Self::Html),
            "opml" => Some(Self::Opml),
            _ => None,
        }
    }
}

/// What importing one file did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Imported {
    pub article_id: ArticleId,
    pub title: String,
    pub already_there: bool,
}

/// Reads the file at `path` (chosen by the person in a native dialog) and
/// imports it. Fails with [`Error::Invalid`] for a file that cannot be
/// read, is over [`MAX_FILE_BYTES`], is not Markdown or HTML, or has
/// nothing in it to read.
pub async fn import_path(
    store: &Store,
    images: Option<(&Fetcher, &ImageBudget)>,
    user: &User,
    path: &Path,
) -> Result<Imported> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = read_capped(path).await?;
    import(store, images, user, &name, &bytes).await
}

/// Reads at most [`MAX_FILE_BYTES`] of `path`.
pub async fn read_capped(path: &Path) -> Result<Vec<u8>> {
    let unreadable =
        |e: std::io::Error| Error::invalid(format!("Parley could not read that file: {e}."));
    let meta = tokio::fs::metadata(path).await.map_err(unreadable)?;
    if !meta.is_file() {
        return Err(Error::invalid("That is a folder, not a file."));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::invalid(format!(
            "That file is larger than {} MiB: Parley imports smaller ones.",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    tokio::fs::read(path).await.map_err(unreadable)
}

/// Imports a file named `name` holding `bytes`; remote images in it are
/// fetched with the fetcher, within the budget (none: left out).
pub async fn import(
    store: &Store,
    images: Option<(&Fetcher, &ImageBudget)>,
    user: &User,
    name: &str,
    bytes: &[u8],
) -> Result<Imported> {
    may_add(store, user).await?;
    let text = String::from_utf8_lossy(bytes);
    let stem = name
        .rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .replace(['_', '-'], " ");
    let key = format!("file:{}", digest(bytes));
    let mut incoming = match FileKind::of(name) {
        Some(FileKind::Markdown) => from_markdown(&text, &stem)?,
        Some(FileKind::Html) => {
            let html = text.into_owned();
            if nesting::deeper_than(&html, nesting::MAX_DEPTH) {
                return Err(too_deep("file"));
            }
            let extracted = tokio::task::spawn_blocking(move || readable::extract(&html, None))
                .await?
                .ok_or_else(|| Error::invalid("Parley could not find an article in that file."))?;
            Incoming {
                title: if extracted.title.trim().is_empty() {
                    stem
                } else {
                    extracted.title
                },
                author: extracted.byline.unwrap_or_default(),
                published_at: extracted.published_at,
                summary: extracted.excerpt,
                body_html: extracted.content_html,
                ..blank()
            }
        }
        Some(FileKind::Opml) => {
            return Err(Error::invalid(
                "That is a list of feeds: import it as subscriptions.",
            ))
        }
        None => {
            return Err(Error::invalid(
                "Parley imports Markdown (.md) and HTML (.html) files.",
            ))
        }
    };
    incoming.keys = vec![key];
    incoming.published_at = incoming.published_at.map(|at| at.min(store.now()));
    let added = adding::add(store, Some(user.id), incoming, images).await?;
    let (article_id, already_there) = match added {
        Added::New(id) => (id, false),
        Added::AlreadyThere(id) | Added::Updated(id) => (id, true),
    };
    Ok(Imported {
        article_id,
        title: crate::articles::article(store, article_id).await?.title,
        already_there,
    })
}

fn blank() -> Incoming {
    Incoming {
        title: String::new(),
        author: String::new(),
        source_name: FILES_SOURCE.to_owned(),
        url: None,
        published_at: None,
        summary: None,
        body_html: String::new(),
        base: None,
        tags: Vec::new(),
        origin: Origin::File,
        source_id: None,
        keys: Vec::new(),
    }
}

/// A Markdown file: front matter (if any) for title, author, date and
/// tags; otherwise its first heading is the title.
fn from_markdown(text: &str, stem: &str) -> Result<Incoming> {
    let (front, body) = split_front_matter(text)?;
    let mut html = String::new();
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    contain_panics("file", || {
        pulldown_cmark::html::push_html(&mut html, Parser::new_ext(body, options));
    })
    .map_err(|e| Error::invalid(format!("{e}.")))?;
    let field = |name: &str| front.as_ref().and_then(|f| text_field(f, name));
    let title = field("title")
        .or_else(|| first_heading(body))
        .unwrap_or_else(|| stem.to_owned());
    let tags = front
        .as_ref()
        .map(|f| list_field(f, "tags").or_else(|| list_field(f, "keywords")))
        .and_then(|t| t)
        .unwrap_or_default();
    Ok(Incoming {
        title,
        author: field("author")
            .or_else(|| field("authors"))
            .unwrap_or_default(),
        published_at: field("date").as_deref().and_then(parse_date),
        summary: field("description").or_else(|| field("summary")),
        body_html: html,
        tags,
        ..blank()
    })
}

/// Front matter between `---` lines at the very start, as YAML; the rest
/// is the body. Without a closing line there is no front matter. YAML
/// aliases are refused: expanding them can make a few lines into millions.
fn split_front_matter(text: &str) -> Result<(Option<Yaml>, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Ok((None, text));
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let yaml = rest.get(..offset).unwrap_or_default();
            let body = rest.get(offset + line.len()..).unwrap_or_default();
            let read = contain_panics("file", || {
                if uses_alias(yaml) {
                    return Err(Error::invalid(
                        "The front matter of that file uses YAML aliases, which Parley does not read.",
                    ));
                }
                Ok(YamlLoader::load_from_str(yaml)
                    .ok()
                    .and_then(|docs| docs.into_iter().next())
                    .filter(|doc| doc.as_hash().is_some()))
            });
            let front = read.map_err(|e| Error::invalid(format!("{e}.")))??;
            return Ok((front, body));
        }
        offset += line.len();
    }
    Ok((None, text))
}

fn uses_alias(yaml: &str) -> bool {
    use yaml_rust2::parser::{Event, Parser};
    let mut parser = Parser::new_from_str(yaml);
    loop {
        match parser.next_token() {
            Ok((Event::Alias(_), _)) => return true,
            Ok((Event::StreamEnd, _)) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

fn lookup<'y>(front: &'y Yaml, name: &str) -> Option<&'y Yaml> {
    front.as_hash()?.get(&Yaml::String(name.to_owned()))
}

/// A field as text, whatever YAML made of it (`title: 2024` is a number).
fn text_field(front: &Yaml, name: &str) -> Option<String> {
    scalar(lookup(front, name)?)
        .or_else(|| {
            lookup(front, name)?.as_vec().map(|items| {
                items
                    .iter()
                    .filter_map(scalar)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        })
        .filter(|t| !t.trim().is_empty())
}

/// A field as a list: a YAML list, or one comma-separated string.
fn list_field(front: &Yaml, name: &str) -> Option<Vec<String>> {
    let value = lookup(front, name)?;
    if let Some(items) = value.as_vec() {
        return Some(items.iter().filter_map(scalar).collect());
    }
    scalar(value).map(|text| text.split(',').map(|t| t.trim().to_owned()).collect())
}

fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(n) => Some(n.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn first_heading(markdown: &str) -> Option<String> {
    markdown.lines().find_map(|line| {
        let title = line
            .trim()
            .strip_prefix('#')?
            .trim_start_matches('#')
            .trim();
        (!title.is_empty()).then(|| title.to_owned())
    })
}

/// The SHA-256 of `bytes`, in hex: what recognises a file's content.
fn digest(bytes: &[u8]) -> String {
    let hash = ring::digest::digest(&ring::digest::SHA256, bytes);
    hash.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_read_leniently() {
        let text = "---\ntitle: 2026\nauthor: [Ada, Grace]\ndate: 2026-11-30\ntags: rust, sqlite\n---\n# Heading\n\nBody.";
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let incoming = from_markdown(text, "file").unwrap();
        assert_eq!(incoming.title, "2026");
        assert_eq!(incoming.author, "Ada, Grace");
        assert_eq!(incoming.published_at, Some(1_795_996_800_000));
        assert_eq!(incoming.tags, ["rust", "sqlite"]);
        assert!(incoming.body_html.contains("<h1>Heading</h1>"));
    }

    #[test]
    fn without_front_matter_the_first_heading_is_the_title() {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let incoming = from_markdown("Intro\n\n## The real title\n\ntext", "name").unwrap();
        assert_eq!(incoming.title, "The real title");
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let incoming = from_markdown("---\nno closing line\n\ntext", "my file").unwrap();
        assert_eq!(incoming.title, "my file");
        assert!(incoming.body_html.contains("no closing line"));
    }

    #[test]
    fn yaml_aliases_are_refused() {
        let bomb = "---\na: &a [1, 2]\nb: [*a, *a]\n---\ntext";
        assert!(from_markdown(bomb, "x").is_err());
    }

    #[test]
    fn file_kinds_by_their_ending() {
        assert_eq!(FileKind::of("notes.MD"), Some(FileKind::Markdown));
        assert_eq!(FileKind::of("page.htm"), Some(FileKind::Html));
        assert_eq!(FileKind::of("subs.opml"), Some(FileKind::Opml));
        assert_eq!(FileKind::of("photo.png"), None);
        assert_eq!(FileKind::of("README"), None);
    }
}
