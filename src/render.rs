//! Comment Markdown to HTML that the page can insert as is.
//!
//! Two layers, so that neither has to be perfect on its own. The Markdown
//! step never passes on markup the person typed: raw HTML becomes text and
//! images become their alt text. The sanitizer then keeps only a short
//! allow-list of tags and attributes, whatever the Markdown step produced, so
//! a parser quirk cannot smuggle a script or a `javascript:` link through.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// Longest Markdown source accepted, in bytes, checked before parsing.
///
/// Longer sources are not refused: [`render_markdown`] renders the longest
/// prefix that fits and ends on a character boundary. Callers that want to
/// tell the person their text is too long check that earlier, with their own
/// (smaller) limit.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;

/// Tags a rendered comment may contain. Anything else is removed and its
/// text kept (or, for the tags in [`DROPPED_WITH_CONTENT`], removed with it).
const ALLOWED_TAGS: [&str; 12] = [
    "p",
    "br",
    "em",
    "strong",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
];

/// Tags whose text is code or styling, never prose: showing it would only
/// leak the attack into the comment as noise.
const DROPPED_WITH_CONTENT: [&str; 9] = [
    "script", "style", "template", "iframe", "noscript", "object", "svg", "math", "title",
];

const ALLOWED_URL_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// Deepest nesting of elements a rendered comment keeps; deeper block
/// quotes, lists and emphasis lose their markup but keep their text.
///
/// Far deeper than any real reply chain or outline. The cap exists because
/// the sanitizer's HTML parser checks the stack of open elements on every
/// start tag, so its cost grows with the square of the depth: 32,000 nested
/// list items (64 KiB of `- `) took minutes in a debug build.
const MAX_NESTING: usize = 32;

/// Most sanitizer passes [`clean`] makes while waiting for its output to
/// settle. Two are enough for everything found by fuzzing; the rest is margin.
const MAX_PASSES: usize = 4;

/// Links leave the app for pages nobody here vouches for: no ranking credit,
/// no `window.opener`, no referrer.
const LINK_REL: &str = "nofollow noopener noreferrer";

/// Built once: the allow-list never changes, and building it allocates a
/// dozen sets.
static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    // Start from `empty()` and set every option, so an ammonia upgrade that
    // widens its defaults cannot widen what a comment may contain.
    let mut builder = Builder::empty();
    builder
        .tags(HashSet::from(ALLOWED_TAGS))
        .clean_content_tags(HashSet::from(DROPPED_WITH_CONTENT))
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href"])),
            ("ol", HashSet::from(["start"])),
        ]))
        .tag_attribute_values(HashMap::new())
        .set_tag_attribute_values(HashMap::new())
        .generic_attributes(HashSet::new())
        .generic_attribute_prefixes(HashSet::new())
        .allowed_classes(HashMap::new())
        .url_schemes(HashSet::from(ALLOWED_URL_SCHEMES))
        // A relative URL would resolve against the app's own origin, where a
        // comment has no business pointing.
        .url_relative(UrlRelative::Deny)
        .link_rel(Some(LINK_REL))
        .strip_comments(true)
        .id_prefix(None);
    builder
});

/// Renders comment Markdown to HTML that is safe to insert into the page as
/// is.
///
/// Supports paragraphs, emphasis, strong, strikethrough (`~~x~~`), links
/// (inline and `<https://…>` autolinks), inline code, fenced and indented
/// code blocks, block quotes, lists and hard line breaks. Headings become a
/// paragraph in bold; thematic breaks are dropped; images become their alt
/// text. HTML typed into the source is shown as the text it is, never
/// interpreted. Links keep their `href` only for `http`, `https` and
/// `mailto` URLs, and carry `rel="nofollow noopener noreferrer"`.
///
/// Never fails and never panics: a source longer than [`MAX_SOURCE_BYTES`]
/// is cut to fit before parsing. The output is a fixed point of [`clean`].
pub fn render_markdown(source: &str) -> String {
    let source = capped(source);
    let parser = Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH);
    let mut html = String::with_capacity(source.len().saturating_mul(3) / 2);
    let events = close_direction_controls(cap_nesting(comment_events(parser)));
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    clean(&html)
}

/// The allow-list sanitizer alone (the last step of [`render_markdown`]).
///
/// Keeps only `p`, `br`, `em`, `strong`, `del`, `a`, `code`, `pre`,
/// `blockquote`, `ul`, `ol` and `li`; the only attributes kept are `href` on
/// `a` (for `http`, `https` and `mailto` URLs only) and `start` on `ol`.
/// Every `a` gets `rel="nofollow noopener noreferrer"`. Other tags are
/// removed but their text is kept, except for script-like tags (`script`,
/// `style`, `iframe`, `svg`…), which go with their content. HTML comments are
/// removed. Never fails.
///
/// Idempotent: `clean(&clean(x)) == clean(x)`. A single ammonia pass is
/// not: from misnested input html5ever builds trees (a list inside a
/// paragraph, a link inside a link) whose serialization it then parses
/// differently. So the pass is repeated until its output stops changing, at
/// most four times; two have been enough for every input found by fuzzing.
///
/// Cost grows with the square of the input's nesting depth.
/// [`render_markdown`] keeps its own HTML shallow; other callers should
/// bound the depth of theirs too.
pub fn clean(html: &str) -> String {
    let mut out = sanitize_once(html);
    for _ in 1..MAX_PASSES {
        let again = sanitize_once(&out);
        if again == out {
            break;
        }
        out = again;
    }
    out
}

/// One ammonia pass, plus the newline that the HTML serializer forgets.
///
/// The parser drops a newline that directly follows `<pre>`, and html5ever
/// does not write one back, so without this every pass would eat one of
/// the leading blank lines of a `pre`. Plain replacement is enough because
/// the serializer escapes `<` in text and in attribute values, so `<pre>`
/// in its output is always the tag (a test pins this).
fn sanitize_once(html: &str) -> String {
    let out = SANITIZER.clean(html).to_string();
    if out.contains("<pre>\n") {
        out.replace("<pre>\n", "<pre>\n\n")
    } else {
        out
    }
}

/// The longest prefix of `source` that fits in [`MAX_SOURCE_BYTES`] and ends
/// on a character boundary.
fn capped(source: &str) -> &str {
    (0..=MAX_SOURCE_BYTES.min(source.len()))
        .rev()
        .find(|&end| source.is_char_boundary(end))
        .and_then(|end| source.get(..end))
        .unwrap_or_default()
}

/// Rewrites the parser's events into the comment subset, before any HTML is
/// written, so raw markup never reaches the HTML writer as markup.
///
/// Collected rather than streamed because an HTML block has to be seen whole
/// to be laid out as lines; the source is capped, so the vector is too.
fn comment_events(parser: Parser<'_>) -> Vec<Event<'_>> {
    let mut events = Vec::new();
    // Nested images are legal Markdown (`![a ![b](x)](y)`), so a flag would
    // end the alt text at the inner image's end.
    let mut image_depth = 0_usize;
    let mut html_block: Option<String> = None;

    for event in parser {
        if image_depth > 0 {
            match event {
                Event::Start(Tag::Image { .. }) => image_depth += 1,
                Event::End(TagEnd::Image) => image_depth -= 1,
                Event::Text(text)
                | Event::Code(text)
                | Event::Html(text)
                | Event::InlineHtml(text) => events.push(Event::Text(text)),
                Event::SoftBreak | Event::HardBreak => events.push(Event::Text(" ".into())),
                // Emphasis or links inside alt text: the words are kept above,
                // the formatting has nothing to attach to.
                _ => {}
            }
            continue;
        }
        if let Some(block) = html_block.as_mut() {
            match event {
                Event::Html(text) | Event::InlineHtml(text) | Event::Text(text) => {
                    block.push_str(&text);
                    continue;
                }
                Event::End(TagEnd::HtmlBlock) => {
                    push_as_lines(&mut events, block);
                    html_block = None;
                    continue;
                }
                // Not expected inside an HTML block; flush what we have and
                // treat the event normally rather than lose it.
                _ => {
                    push_as_lines(&mut events, block);
                    html_block = None;
                }
            }
        }
        match event {
            Event::Start(Tag::Image { .. }) => image_depth = 1,
            Event::Start(Tag::HtmlBlock) => html_block = Some(String::new()),
            // Only reached after an early flush above; its start was never
            // passed on, so passing the end would unbalance `cap_nesting`.
            Event::End(TagEnd::HtmlBlock) => {}
            Event::Start(Tag::Heading { .. }) => {
                events.push(Event::Start(Tag::Paragraph));
                events.push(Event::Start(Tag::Strong));
            }
            Event::End(TagEnd::Heading(_)) => {
                events.push(Event::End(TagEnd::Strong));
                events.push(Event::End(TagEnd::Paragraph));
            }
            Event::Html(text) | Event::InlineHtml(text) => events.push(Event::Text(text)),
            // A rule has no text to fall back to, and comments have no sections.
            Event::Rule => {}
            other => events.push(other),
        }
    }
    if let Some(block) = html_block {
        push_as_lines(&mut events, &block);
    }
    events
}

/// Drops the start and end of every element opened more than
/// [`MAX_NESTING`] deep, keeping what is inside.
///
/// The parser's events are balanced, so a stack of "was this start kept?"
/// is enough to drop the matching end.
fn cap_nesting(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut kept_open = Vec::new();
    let mut depth = 0_usize;
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        match event {
            Event::Start(_) => {
                let keep = depth < MAX_NESTING;
                kept_open.push(keep);
                if keep {
                    depth += 1;
                    out.push(event);
                }
            }
            Event::End(_) => {
                // An end with no start would be a parser bug; passing it on
                // is harmless, as the sanitizer drops stray end tags.
                let keep = kept_open.pop().unwrap_or(true);
                if keep {
                    depth = depth.saturating_sub(1);
                    out.push(event);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Closes, at the end of every block (paragraph, list item, code block...),
/// each bidirectional embedding, override or isolate that the text opened
/// in it and left open, so that a right-to-left override typed into a
/// comment reorders that comment's own words and nothing around them.
///
/// Follows the Unicode Bidirectional Algorithm's pairing: LRE, RLE, LRO and
/// RLO are closed by PDF; LRI, RLI and FSI by PDI, which also closes any
/// embedding opened inside the isolate. Controls stay as typed: people who
/// write in right-to-left scripts use them.
fn close_direction_controls(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut open: Vec<Direction> = Vec::new();
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        match &event {
            Event::Text(text) | Event::Code(text) => track_direction_controls(&mut open, text),
            Event::Start(tag) if !is_inline(tag) => close_all(&mut open, &mut out),
            Event::End(tag) if !is_inline_end(*tag) => close_all(&mut open, &mut out),
            _ => {}
        }
        out.push(event);
    }
    close_all(&mut open, &mut out);
    out
}

/// What an open bidirectional control is closed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// An embedding or override: closed by PDF (U+202C).
    Embedding,
    /// An isolate: closed by PDI (U+2069).
    Isolate,
}

fn track_direction_controls(open: &mut Vec<Direction>, text: &str) {
    for c in text.chars() {
        match c {
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' => open.push(Direction::Embedding),
            '\u{2066}' | '\u{2067}' | '\u{2068}' => open.push(Direction::Isolate),
            // A PDF closes an embedding only within the innermost isolate.
            '\u{202C}' if open.last() == Some(&Direction::Embedding) => {
                open.pop();
            }
            // A PDI closes the innermost isolate and everything inside it;
            // with no isolate open it does nothing.
            '\u{2069}' => {
                if let Some(at) = open.iter().rposition(|d| *d == Direction::Isolate) {
                    open.truncate(at);
                }
            }
            _ => {}
        }
    }
}

fn close_all<'a>(open: &mut Vec<Direction>, out: &mut Vec<Event<'a>>) {
    if open.is_empty() {
        return;
    }
    let closers: String = open
        .drain(..)
        .rev()
        .map(|d| match d {
            Direction::Embedding => '\u{202C}',
            Direction::Isolate => '\u{2069}',
        })
        .collect();
    out.push(Event::Text(CowStr::from(closers)));
}

/// Tags that live inside a line of text rather than making a block.
fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
    )
}

fn is_inline_end(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image
    )
}

/// Shows a raw HTML block as the person typed it: one paragraph, their line
/// breaks kept, every character as text.
fn push_as_lines(events: &mut Vec<Event<'_>>, block: &str) {
    let block = block.trim_end_matches(['\n', '\r']);
    if block.is_empty() {
        return;
    }
    events.push(Event::Start(Tag::Paragraph));
    for (i, line) in block.split('\n').enumerate() {
        if i > 0 {
            events.push(Event::HardBreak);
        }
        let line = line.trim_end_matches('\r');
        events.push(Event::Text(CowStr::from(line.to_owned())));
    }
    events.push(Event::End(TagEnd::Paragraph));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strong_is_a_strong_paragraph() {
        assert_eq!(
            render_markdown("**bold**"),
            "<p><strong>bold</strong></p>\n"
        );
    }

    #[test]
    fn links_get_rel() {
        assert_eq!(
            render_markdown("[x](https://example.com/)"),
            "<p><a href=\"https://example.com/\" rel=\"nofollow noopener noreferrer\">x</a></p>\n"
        );
    }

    #[test]
    fn code_block_keeps_its_text_escaped() {
        assert_eq!(
            render_markdown("```html\n<b>x</b> & y\n```"),
            "<pre><code>&lt;b&gt;x&lt;/b&gt; &amp; y\n</code></pre>\n"
        );
    }

    #[test]
    fn heading_is_a_strong_paragraph() {
        assert_eq!(
            render_markdown("# Title"),
            "<p><strong>Title</strong></p>\n"
        );
    }

    #[test]
    fn raw_html_block_is_text_with_its_lines() {
        assert_eq!(
            render_markdown("<div>\n<b>hi</b>\n</div>"),
            "<p>&lt;div&gt;<br>\n&lt;b&gt;hi&lt;/b&gt;<br>\n&lt;/div&gt;</p>\n"
        );
    }

    #[test]
    fn image_is_its_alt_text() {
        assert_eq!(
            render_markdown("![a *cat* ![b](y)](https://x.example/c.png) after"),
            "<p>a cat b after</p>\n"
        );
    }

    #[test]
    fn deep_nesting_keeps_its_text_but_not_its_depth() {
        let html = render_markdown(&format!("{}deep", "> ".repeat(100)));
        assert_eq!(html.matches("<blockquote>").count(), MAX_NESTING);
        assert!(html.contains("deep"));
    }

    #[test]
    fn leading_newline_of_pre_survives_every_pass() {
        let once = clean("<pre>\n\nx</pre>");
        assert_eq!(once, "<pre>\n\nx</pre>");
        assert_eq!(clean(&once), once);
    }

    #[test]
    fn serializer_escapes_angle_brackets_in_attributes() {
        // sanitize_once relies on this to find `<pre>` by plain replacement.
        let html = clean("<a href=\"https://x.example/?q=<pre>\">x</a>");
        assert!(html.contains("?q=&lt;pre&gt;"), "{html}");
    }

    #[test]
    fn direction_controls_are_closed_where_their_block_ends() {
        assert_eq!(
            render_markdown("a \u{202E}b"),
            "<p>a \u{202E}b\u{202C}</p>\n"
        );
        assert_eq!(
            render_markdown("*\u{2067}x* y\n\nz"),
            "<p><em>\u{2067}x</em> y\u{2069}</p>\n<p>z</p>\n"
        );
        // Balanced text is left as it is.
        assert_eq!(
            render_markdown("\u{2067}x\u{2069} \u{202B}y\u{202C}"),
            "<p>\u{2067}x\u{2069} \u{202B}y\u{202C}</p>\n"
        );
        // A PDI closes the embedding inside its isolate too.
        assert_eq!(
            render_markdown("\u{2068}\u{202E}x\u{2069}"),
            "<p>\u{2068}\u{202E}x\u{2069}</p>\n"
        );
    }

    #[test]
    fn cap_cuts_on_a_char_boundary() {
        let source = format!("{}é", "a".repeat(MAX_SOURCE_BYTES - 1));
        assert_eq!(capped(&source).len(), MAX_SOURCE_BYTES - 1);
        assert_eq!(capped("short"), "short");
        assert_eq!(capped(""), "");
    }
}
