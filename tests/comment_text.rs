//! What a comment's text may be and how it shows: a comment must show
//! something, stays inside its own span, and the preview is exactly what
//! posting saves.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::TestDb;
use parley_core::comments::{self, Sort, MAX_COMMENT_CHARS};
use parley_core::ErrorKind;

#[tokio::test]
async fn a_comment_that_would_show_nothing_is_an_empty_comment() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let article = db.first_article().await;
    for invisible in [
        "\u{200B}",
        "\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}",
        " \u{200B} \n\u{200B} ",
        "\u{3164}\u{3164}",
        "\u{202E}\u{202C}",
        "\u{00AD}",
        "&#8203;",
        "&nbsp;",
        "![](https://example.com/pixel.png)",
        "---",
        "#",
    ] {
        let err = comments::post(&db.store, &ada, article, None, invisible)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{invisible:?}");
        assert_eq!(
            err.to_string(),
            "Write something before posting.",
            "{invisible:?}"
        );
    }
    let page = db.thread(None, article, Sort::Oldest).await;
    assert_eq!(page.comment_count, 0);
    // Visible text around the invisible characters is a comment.
    comments::post(&db.store, &ada, article, None, "\u{200B}hi\u{200B}")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_bidi_control_in_a_comment_is_closed_within_it() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let article = db.first_article().await;
    let bodies = [
        "price: \u{202E}0001 ylno",
        "**bold \u{202D}left** and \u{2067}isolated",
        "- item \u{202B}embedded\n- next",
        "```\ncode \u{202E}reversed\n```",
        "> \u{2068}first strong\n\nafter",
    ];
    for body in bodies {
        comments::post(&db.store, &ada, article, None, body)
            .await
            .unwrap();
    }
    let page = db.thread(None, article, Sort::Oldest).await;
    for comment in &page.comments {
        let html = &comment.body_html;
        assert_balanced(html);
    }
}

/// Every embedding, override and isolate opened in `html` is closed
/// before the block holding it (paragraph, list item, code block, quote)
/// ends, so nothing outside that block can be reordered by it. Inline
/// tags may sit inside an open span: that is the comment's own text.
fn assert_balanced(html: &str) {
    const BLOCKS: [&str; 6] = ["p", "li", "pre", "blockquote", "ul", "ol"];
    let mut open: Vec<char> = Vec::new();
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let tag_end = rest.find('>').unwrap();
            let name: String = rest[1..tag_end]
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            if BLOCKS.contains(&name.as_str()) {
                assert!(
                    open.is_empty(),
                    "{open:?} still open at <{name}> in {html:?}"
                );
            }
            rest = &rest[tag_end + 1..];
            continue;
        }
        match c {
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' => open.push('\u{202C}'),
            '\u{2066}' | '\u{2067}' | '\u{2068}' => open.push('\u{2069}'),
            '\u{202C}' | '\u{2069}' => assert_eq!(open.pop(), Some(c), "unmatched in {html:?}"),
            _ => {}
        }
        rest = &rest[c.len_utf8()..];
    }
    assert!(open.is_empty(), "left open {open:?} in {html:?}");
}

#[tokio::test]
async fn the_preview_is_exactly_what_posting_saves() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let article = db.first_article().await;
    let bodies = [
        "    indented: code?",
        "\r\n\r\n  two leading blank lines\r\nand CRLF\r\n",
        "\t\ttabbed",
        "plain **bold**",
        "1. one\n2. two\n\n    indented after a list",
    ];
    for body in bodies {
        let preview = comments::preview(body).unwrap();
        comments::post(&db.store, &ada, article, None, body)
            .await
            .unwrap();
        let page = db.thread(Some(&ada), article, Sort::Newest).await;
        assert_eq!(preview, page.comments[0].body_html, "{body:?}");
    }
}

#[tokio::test]
async fn the_preview_refuses_what_posting_refuses() {
    let too_long = "a".repeat(MAX_COMMENT_CHARS + 1);
    let err = comments::preview(&too_long).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.to_string().contains("10,000"), "{err}");
    let err = comments::preview("bell\u{7}").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(comments::preview(&"é".repeat(MAX_COMMENT_CHARS)).is_ok());
}
