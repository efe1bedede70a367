//! An article and its whole discussion, written out: as Markdown to read
//! (the article, then the thread with authors, times and nesting) and as
//! JSON to keep (every comment once, with its id, parent, votes and every
//! earlier version).
//!
//! The export holds what any reader of the discussion may see: deleted and
//! removed comments are placeholders that name nobody, as in the thread,
//! and a deleted account's comments are by "[deleted user]". Nobody's
//! sign-in name is in it.

use std::collections::HashMap;

use chrono::DateTime;
use serde::Serialize;

use crate::clock::Millis;
use crate::comments::Removal;
use crate::ids::{ArticleId, CommentId, UserId};
use crate::store::{rows, scalar, Store};
use crate::text::unescape;
use crate::{Error, Result};

/// What an export format is called, and its file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ExportFormat")]
pub enum Format {
    Markdown,
    Json,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Json => "json",
        }
    }
}

/// A file to save: a suggested name and what goes in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    pub file_name: String,
    pub contents: String,
}

/// The version of the JSON layout; bumped when it changes.
pub const JSON_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    format: &'static str,
    version: u32,
    exported_at: Millis,
    article: ArticleOut,
    comments: Vec<CommentOut>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArticleOut {
    id: ArticleId,
    title: String,
    source: String,
    author: String,
    url: Option<String>,
    published_at: Millis,
    tags: Vec<String>,
    summary: String,
    body_html: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CommentOut {
    id: CommentId,
    parent_id: Option<CommentId>,
    /// `None` for a placeholder.
    author_id: Option<UserId>,
    author: String,
    created_at: Millis,
    edited_at: Option<Millis>,
    /// "author" or "moderator" for a placeholder.
    deleted_by: Option<Removal>,
    /// Markdown as written (empty for a placeholder).
    body: String,
    /// The comment as the thread shows it (sanitized HTML), which the
    /// Markdown export writes from; not in the JSON.
    #[serde(skip)]
    body_html: String,
    upvotes: i64,
    downvotes: i64,
    score: i64,
    /// Earlier versions, oldest first.
    revisions: Vec<RevisionOut>,
    /// The words of the article it is about, where it quotes any.
    passage: Option<crate::passages::Passage>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RevisionOut {
    body: String,
    written_at: Millis,
    replaced_at: Millis,
}

/// The article `id` and its discussion in `format`.
pub async fn article(store: &Store, id: ArticleId, format: Format) -> Result<Exported> {
    let (article, comments) = read(store, id).await?;
    let file_name = format!("{}.{}", slug(&article.title), format.extension());
    let contents = match format {
        Format::Markdown => markdown(&article, &comments),
        Format::Json => {
            let document = Document {
                format: "parley-discussion",
                version: JSON_VERSION,
                exported_at: store.now(),
                article,
                comments,
            };
            serde_json::to_string_pretty(&document).map_err(|e| Error::Internal(e.to_string()))?
        }
    };
    Ok(Exported {
        file_name,
        contents,
    })
}

/// title, source, author, url, published_at, summary, body_html
type ArticleRow = (
    String,
    String,
    String,
    Option<String>,
    Millis,
    String,
    String,
);

type CommentRow = (
    CommentId,
    Option<CommentId>,
    UserId,
    String,
    Millis,
    Option<Millis>,
    Option<Removal>,
    String,
    Option<String>,
    i64,
    i64,
);

async fn read(store: &Store, id: ArticleId) -> Result<(ArticleOut, Vec<CommentOut>)> {
    let mut read = store.read().await?;
    let row: Option<ArticleRow> = rows!(
        _,
        fetch_optional,
        &mut read,
        "SELECT title, source, author, url, published_at, summary, body_html
             FROM articles WHERE id = $1",
        id
    )?;
    let (title, source, author, url, published_at, summary, body_html) =
        row.ok_or_else(|| Error::not_found("That article is no longer in the library."))?;
    let tags: Vec<String> = scalar!(
        _,
        fetch_all,
        &mut read,
        "SELECT tag FROM article_tags WHERE article_id = $1 ORDER BY tag",
        id
    )?;
    let mut quoted = crate::passages::of_discussion(&mut read, id).await?;
    let rows: Vec<CommentRow> = rows!(
        _,
        fetch_all,
        &mut read,
        "SELECT c.id, c.parent_id, c.author_id, u.display_name, c.created_at, c.edited_at,
                c.deleted_by, c.body, c.body_html, c.upvotes, c.downvotes
         FROM comments c JOIN users u ON u.id = c.author_id
         WHERE c.article_id = $1 ORDER BY c.created_at, c.id",
        id
    )?;
    let mut revisions: HashMap<CommentId, Vec<RevisionOut>> = HashMap::new();
    let older: Vec<(CommentId, String, Millis, Millis)> = rows!(
        _,
        fetch_all,
        &mut read,
        "SELECT r.comment_id, r.body, r.written_at, r.replaced_at
         FROM comment_revisions r JOIN comments c ON c.id = r.comment_id
         WHERE c.article_id = $1 ORDER BY r.replaced_at, r.written_at",
        id
    )?;
    for (comment, body, written_at, replaced_at) in older {
        revisions.entry(comment).or_default().push(RevisionOut {
            body,
            written_at,
            replaced_at,
        });
    }
    let comments = rows
        .into_iter()
        .map(
            |(
                id,
                parent_id,
                author_id,
                name,
                created_at,
                edited_at,
                deleted_by,
                body,
                body_html,
                up,
                down,
            )| {
                let placeholder = deleted_by.is_some();
                // Rendered at start-up if it was not yet (see
                // `comments::render_pending`); rendered here if not even then.
                let body_html = match body_html {
                    _ if placeholder => String::new(),
                    Some(html) => html,
                    None => crate::render::render_markdown(&body),
                };
                CommentOut {
                    id,
                    parent_id,
                    author_id: (!placeholder).then_some(author_id),
                    author: match deleted_by {
                        Some(Removal::Author) => "[deleted]".to_owned(),
                        Some(Removal::Moderator) => "[removed by moderator]".to_owned(),
                        None => name,
                    },
                    created_at,
                    edited_at,
                    deleted_by,
                    body: if placeholder { String::new() } else { body },
                    body_html,
                    upvotes: up,
                    downvotes: down,
                    score: up - down,
                    revisions: if placeholder {
                        Vec::new()
                    } else {
                        revisions.remove(&id).unwrap_or_default()
                    },
                    passage: quoted.remove(&id).filter(|_| !placeholder),
                }
            },
        )
        .collect();
    let article = ArticleOut {
        id,
        title,
        source,
        author,
        url,
        published_at,
        tags,
        summary,
        body_html,
    };
    read.finish().await?;
    Ok((article, comments))
}

/// The Markdown export. Markdown editors render HTML written in it, so
/// nothing from the library is written as markup: text (titles, names,
/// tags, the article's and the comments' words) has `<`, `>` and `&`
/// escaped, and a link keeps its target only for http, https and mailto.
/// Comments are written from their sanitized HTML, so what someone typed
/// as HTML stays the text it was in the thread.
fn markdown(article: &ArticleOut, comments: &[CommentOut]) -> String {
    let mut out = format!("# {}\n\n", text(&one_line(&article.title)));
    let mut byline = vec![text(&one_line(&article.source))];
    if !article.author.trim().is_empty() {
        byline.push(format!("by {}", text(&one_line(&article.author))));
    }
    byline.push(day(article.published_at));
    out.push_str(&format!("*{}*\n\n", byline.join(" · ")));
    if let Some(url) = article.url.as_deref().and_then(link_target) {
        out.push_str(&format!("Original: <{url}>\n\n"));
    }
    if !article.tags.is_empty() {
        let tags: Vec<String> = article.tags.iter().map(|t| text(t)).collect();
        out.push_str(&format!("Tags: {}\n\n", tags.join(", ")));
    }
    out.push_str(html_to_markdown(&article.body_html).trim());
    out.push_str("\n\n---\n\n");
    let live = comments.iter().filter(|c| c.deleted_by.is_none()).count();
    out.push_str(&format!("## Comments ({live})\n\n"));
    if comments.is_empty() {
        out.push_str("Nobody has commented yet.\n");
        return out;
    }
    let mut children: HashMap<Option<CommentId>, Vec<&CommentOut>> = HashMap::new();
    for c in comments {
        children.entry(c.parent_id).or_default().push(c);
    }
    // Depth first, oldest first at every level; iterative, so a reply
    // chain thousands deep costs no stack.
    let mut stack: Vec<(&CommentOut, usize)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|c| (*c, 0)).collect())
        .unwrap_or_default();
    while let Some((c, depth)) = stack.pop() {
        let indent = "  ".repeat(depth);
        let mut header = format!("**{}** · {}", text(&c.author), minute(c.created_at));
        if c.deleted_by.is_none() {
            if c.edited_at.is_some() {
                header.push_str(" · edited");
            }
            let points = if c.score == 1 { "point" } else { "points" };
            header.push_str(&format!(" · {} {points}", c.score));
        }
        out.push_str(&format!("{indent}- {header}\n"));
        if let Some(passage) = &c.passage {
            out.push('\n');
            out.push_str(&format!(
                "{indent}  > {}\n",
                one_line(&text(&passage.quote))
            ));
            if passage.placed == crate::passages::Placed::Gone {
                out.push_str(&format!(
                    "{indent}  >\n{indent}  > *(no longer in the article; quoted from version {})*\n",
                    passage.version
                ));
            }
        }
        let body = html_to_markdown(&c.body_html);
        let body = body.trim();
        if !body.is_empty() {
            out.push('\n');
            for line in body.lines() {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&format!("{indent}  {line}\n"));
                }
            }
        }
        out.push('\n');
        if let Some(replies) = children.get(&Some(c.id)) {
            stack.extend(replies.iter().rev().map(|r| (*r, depth + 1)));
        }
    }
    out
}

/// A file name from a title: letters, digits and dashes, at most 60.
fn slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.chars().count() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "article".to_owned()
    } else {
        slug.to_owned()
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn day(at: Millis) -> String {
    DateTime::from_timestamp_millis(at)
        .map_or_else(String::new, |t| t.format("%-d %B %Y").to_string())
}

fn minute(at: Millis) -> String {
    DateTime::from_timestamp_millis(at)
        .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// Readable Markdown from stored (sanitized) HTML: blocks become
/// paragraphs, headings and list items keep their marks, code stays code,
/// links to http, https and mailto keep their address (other links keep
/// their words only). Text is escaped ([`text`]), so the Markdown holds no
/// markup a renderer would run. What has no Markdown (tables, figures)
/// keeps its text.
fn html_to_markdown(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut links: Vec<Option<String>> = Vec::new();
    while let Some(open) = rest.find('<') {
        out.push_str(&text(&unescape(rest.get(..open).unwrap_or_default())));
        let after = rest.get(open..).unwrap_or_default();
        let Some(close) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = after.get(1..close).unwrap_or_default();
        rest = after.get(close + 1..).unwrap_or_default();
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match (name.as_str(), closing) {
            // Code is literal in Markdown: written as the characters it
            // shows, fenced by more backticks than it holds.
            ("pre" | "code", false) => {
                let end = format!("</{name}>");
                let (inner, after) = rest.split_at(rest.find(&end).unwrap_or(rest.len()));
                rest = after.get(end.len()..).unwrap_or_default();
                let code = unescape(&strip_tags(inner));
                let longest = longest_run(&code, '`');
                if name == "pre" {
                    let fence = "`".repeat((longest + 1).max(3));
                    out.push_str(&format!("\n\n{fence}\n{}\n{fence}\n\n", code.trim_end()));
                } else {
                    let fence = "`".repeat(longest + 1);
                    let pad = if code.starts_with('`') || code.ends_with('`') {
                        " "
                    } else {
                        ""
                    };
                    out.push_str(&format!("{fence}{pad}{code}{pad}{fence}"));
                }
            }
            (
                "p" | "div" | "section" | "article" | "figure" | "table" | "tr" | "ul" | "ol"
                | "blockquote" | "pre",
                _,
            ) => out.push_str("\n\n"),
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", false) => {
                let level = name.get(1..).and_then(|n| n.parse().ok()).unwrap_or(2usize);
                out.push_str(&format!("\n\n{} ", "#".repeat((level + 1).min(6))));
            }
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", true) => out.push_str("\n\n"),
            ("li", false) => out.push_str("\n- "),
            ("br", _) => out.push_str("  \n"),
            ("em" | "i", _) => out.push('*'),
            ("strong" | "b", _) => out.push_str("**"),
            ("a", false) => {
                let target = attribute(tag, "href").and_then(|href| link_target(&href));
                if target.is_some() {
                    out.push('[');
                }
                links.push(target);
            }
            ("a", true) => {
                if let Some(Some(target)) = links.pop() {
                    out.push_str(&format!("](<{target}>)"));
                }
            }
            _ => {}
        }
    }
    out.push_str(&text(&unescape(rest)));
    // At most one blank line in a row.
    let mut tidy = String::with_capacity(out.len());
    let mut blank = 0;
    for line in out.lines() {
        let line = line.trim_end_matches(|c: char| c.is_whitespace() && c != ' ');
        if line.trim().is_empty() {
            blank += 1;
            if blank == 1 {
                tidy.push('\n');
            }
        } else {
            blank = 0;
            tidy.push_str(line.trim_start());
            tidy.push('\n');
        }
    }
    tidy
}

/// Text for Markdown: `&`, `<` and `>` escaped, so that no renderer reads
/// markup (or an entity) into it.
fn text(words: &str) -> String {
    words
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `address` as a Markdown link target, when it is an http, https or mailto
/// address: written as the URL parser spells it, which percent-encodes
/// spaces and angle brackets, so it cannot end the `<…>` around it.
fn link_target(address: &str) -> Option<String> {
    let url = url::Url::parse(address.trim()).ok()?;
    matches!(url.scheme(), "http" | "https" | "mailto").then(|| url.to_string())
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn longest_run(text: &str, of: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == of { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// The value of attribute `name` in a start tag's text, as the sanitizer
/// writes it (double quotes).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let value = tag.get(start..)?;
    let end = value.find('"')?;
    Some(unescape(value.get(..end)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_html_reads_as_markdown() {
        let html = "<h2>Tides</h2><p>The <em>moon</em> pulls &amp; the <a href=\"https://example.com/t?a=1&amp;b=2\">sea</a> follows.</p><ul><li>one</li><li>two</li></ul>";
        assert_eq!(
            html_to_markdown(html),
            "\n### Tides\n\nThe *moon* pulls &amp; the [sea](<https://example.com/t?a=1&b=2>) follows.\n\n- one\n- two\n\n"
        );
    }

    #[test]
    fn slugs_are_safe_file_names() {
        assert_eq!(
            slug("Octopuses may dream, in colour!"),
            "octopuses-may-dream-in-colour"
        );
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("???"), "article");
    }
}
