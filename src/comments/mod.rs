//! Comments and replies: writing them (post, edit, delete), voting, and
//! loading an article's discussion as a sorted tree, a page at a time.

mod checks;
mod moderation;
mod reading;
pub(crate) mod shape;
mod thread;
mod votes;
mod write;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::Millis;
use crate::ids::{ArticleId, CommentId};
use crate::render::render_markdown;
use crate::text::{char_count, group_thousands, has_control_chars, has_visible_text};
use crate::{Error, Result};

pub use moderation::{remove, set_locked, set_pinned};
pub use reading::{
    replies_to_me, set_collapsed, set_preferred_sort, ReplyToMe, READING_SESSION_MS,
};
pub use shape::wilson_lower_bound;
pub use thread::{comment_view, open_discussion, thread_page, ThreadQuery, MAX_COLLAPSED};
pub use votes::{vote, VoteOutcome};
pub use write::{
    delete, edit, history, post, post_about, post_as, render_pending, Revision, EDIT_GRACE_MS,
};

/// Longest comment accepted, in characters. The UI shows the same limit.
pub const MAX_COMMENT_CHARS: usize = 10_000;

/// The most comments one page of a thread may hold.
pub const MAX_PAGE: u32 = 100_000;

/// The orders a discussion can be read in. Each applies at every level of
/// the tree: replies are sorted among their siblings the same way.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type, TS,
)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Sort {
    /// The lower bound of the Wilson score interval for the fraction of
    /// up-votes: many votes, mostly up, rank first; a single up-vote does
    /// not beat a hundred with ninety up.
    #[default]
    Best,
    /// Up-votes minus down-votes.
    Top,
    Newest,
    Oldest,
}

/// Who removed a comment, which decides what its placeholder says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type, TS)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Removal {
    /// "[deleted]"
    Author,
    /// "[removed by moderator]"
    Moderator,
}

/// A person's vote on a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum VoteChoice {
    Up,
    Down,
    /// Withdraws an earlier vote.
    None,
}

/// One comment as a particular reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ThreadComment {
    pub id: CommentId,
    pub parent_id: Option<CommentId>,
    /// Who wrote it; empty for a deleted or removed comment, which no
    /// longer says.
    pub author_name: String,
    /// Who this replies to, so deeply nested replies can say so when the
    /// indentation no longer can; `None` for a top-level comment and for a
    /// reply to a deleted or removed one.
    pub parent_author_name: Option<String>,
    /// 0 for a top-level comment, 1 for a reply to it, and so on.
    pub depth: u32,
    /// Sanitized HTML from render.rs; empty for a removed comment.
    pub body_html: String,
    /// The Markdown as written, sent only to its author (for editing).
    pub source: Option<String>,
    /// Set when the comment was deleted but keeps its place for its replies.
    pub removed: Option<Removal>,
    /// Written by the reader (and not deleted or removed).
    pub mine: bool,
    #[ts(type = "number")]
    pub created_at: Millis,
    /// When the last edit that made a history entry happened.
    #[ts(type = "number | null")]
    pub edited_at: Option<Millis>,
    pub score: i32,
    /// -1, 0 or 1: the reader's own vote.
    pub my_vote: i8,
    /// Posted by someone else since the reader's previous visit.
    pub is_new: bool,
    /// Replies below this one at any depth (placeholders not counted).
    pub reply_count: u32,
    /// The reader has collapsed this subtree: its replies are not listed.
    pub collapsed: bool,
    /// The admin pinned this comment to the top of the discussion.
    pub pinned: bool,
    /// The reader has muted the author: show "comment by a muted user"
    /// until they ask to see it.
    pub author_muted: bool,
    /// The words of the article a top-level comment is about, if it quotes
    /// any (absent once the comment is deleted or removed).
    pub passage: Option<crate::passages::Passage>,
}

/// A window onto an article's discussion as one reader sees it: the whole
/// thread is ordered (by `sort`, depth first, collapsed subtrees skipped)
/// and `comments` holds the entries from `offset` on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ThreadPage {
    pub article_id: ArticleId,
    /// The version of the order this page was cut from: the thread's
    /// current one, or the earlier one the query asked to continue. It
    /// changes whenever the order may have changed (a post, a removal, a
    /// vote): a page with another version than the ones before it does not
    /// continue them.
    #[ts(type = "number")]
    pub version: i64,
    pub sort: Sort,
    /// The admin has locked the discussion: it can be read, not added to.
    pub locked: bool,
    /// Comments in the whole discussion, placeholders not counted: the N of
    /// "Comments (N)".
    pub comment_count: u32,
    /// Comments by others since the reader's previous visit.
    pub new_count: u32,
    /// Entries in the reading order (collapsed replies left out).
    pub visible_count: u32,
    pub offset: u32,
    pub comments: Vec<ThreadComment>,
}

/// Longest comment accepted, in bytes: [`MAX_COMMENT_CHARS`] characters of
/// up to four bytes each. Checked first, before anything is copied, so an
/// oversized body costs one pass to count its characters and nothing more.
const MAX_COMMENT_BYTES: usize = MAX_COMMENT_CHARS * 4;

/// A comment body that passed every check: the Markdown to store and the
/// HTML it renders to.
#[derive(Debug)]
pub(crate) struct Body {
    pub(crate) source: String,
    pub(crate) html: String,
}

/// The one way from what a person typed to what is stored and shown, for
/// posting, editing and the preview alike: normalised line endings, blank
/// lines around it dropped (the first line keeps its indentation, which
/// Markdown reads as code), then checked and rendered.
///
/// Fails with [`Error::Invalid`], saying what to fix, for a body over
/// [`MAX_COMMENT_CHARS`] (checked on bytes before any copy), one with
/// control characters, and one that would show nothing: only spaces,
/// zero-width or direction characters, an image, a rule.
pub(crate) fn prepare_body(raw: &str) -> Result<Body> {
    if raw.len() > MAX_COMMENT_BYTES {
        return Err(too_long(char_count(raw)));
    }
    let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
    let source = without_blank_lines_around(&unified);
    let chars = char_count(source);
    if chars > MAX_COMMENT_CHARS {
        return Err(too_long(chars));
    }
    if has_control_chars(source) {
        return Err(Error::invalid(
            "This comment contains invisible control characters. Please remove them and try again.",
        ));
    }
    let html = render_markdown(source);
    if !has_visible_text(&text_of(&html)) {
        return Err(Error::invalid("Write something before posting."));
    }
    Ok(Body {
        source: source.to_owned(),
        html,
    })
}

/// Exactly the HTML that posting `raw` would store, for the Preview tab;
/// fails as posting would (see [`prepare_body`]).
pub fn preview(raw: &str) -> Result<String> {
    prepare_body(raw).map(|body| body.html)
}

fn too_long(chars: usize) -> Error {
    Error::invalid(format!(
        "A comment can be at most {} characters; this one has {}.",
        group_thousands(MAX_COMMENT_CHARS),
        group_thousands(chars)
    ))
}

/// `text` without its leading blank lines and trailing whitespace.
fn without_blank_lines_around(text: &str) -> &str {
    let text = text.trim_end();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if !line.trim().is_empty() || !line.ends_with('\n') {
            break;
        }
        start += line.len();
    }
    text.get(start..).unwrap_or_default()
}

/// The text of rendered comment HTML, tags left out. Only the renderer's
/// own output comes here, where every `<` in text is escaped, so each `<`
/// starts a tag. Of the escapes the serializer writes (`&amp;`, `&lt;`,
/// `&gt;`, `&nbsp;`), only the no-break space is invisible: it becomes one
/// again, the rest stay as the visible marks they stand for.
fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&nbsp;", "\u{A0}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_normalised_and_checked() {
        let source = |raw: &str| prepare_body(raw).map(|b| b.source);
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        assert_eq!(source("hi\r\nthere \r").unwrap(), "hi\nthere");
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        assert_eq!(source("\n  \n    code\n\n").unwrap(), "    code");
        assert_eq!(
            source(" \n\t ").unwrap_err().kind(),
            crate::ErrorKind::Invalid
        );
        assert!(source("bell\u{7}").is_err());
        assert!(source(&"é".repeat(MAX_COMMENT_CHARS)).is_ok());
        let err = source(&"é".repeat(MAX_COMMENT_CHARS + 1)).unwrap_err();
        assert!(
            err.to_string()
                .contains("10,000 characters; this one has 10,001"),
            "{err}"
        );
        let err = source(&"x".repeat(MAX_COMMENT_BYTES + 1)).unwrap_err();
        assert!(err.to_string().contains("this one has 40,001"), "{err}");
    }

    #[test]
    fn text_of_leaves_tags_out() {
        assert_eq!(
            text_of("<p><a href=\"x\">a</a> &amp; b</p>\n"),
            "a &amp; b\n"
        );
        assert_eq!(text_of("<p>&nbsp;</p>"), "\u{A0}");
    }
}
