//! Discussing a passage (issue 20): comments about some words of an
//! article, marks where the talk is, private highlights, and articles that
//! change at their source with every passage placed again or reported as
//! no longer there. On both engines.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::{fetcher, serve, TestDb};
use parley_core::accounts::User;
use parley_core::articles;
use parley_core::comments::{self, ThreadQuery};
use parley_core::ids::{ArticleId, CommentId, HighlightId};
use parley_core::library::sources;
use parley_core::passages::{self, highlights, Colour, HighlightQuery, NewPassage, Placed};
use parley_core::{Error, ErrorKind};
use wiremock::MockServer;

/// Where `words` are in the current text of `article`, as the window
/// would send them.
async fn passage(db: &TestDb, article: ArticleId, words: &str) -> NewPassage {
    let shown = articles::article(&db.store, article).await.unwrap();
    passage_of(&shown, words)
}

fn passage_of(shown: &articles::Article, words: &str) -> NewPassage {
    let text = passages::text::of_html(&shown.body_html);
    let (start, end) = chars_of(&text, words);
    NewPassage {
        version: shown.version,
        start,
        end,
        quote: words.to_owned(),
    }
}

fn chars_of(text: &str, words: &str) -> (u32, u32) {
    let byte = text
        .find(words)
        .unwrap_or_else(|| panic!("{words:?} is not in {text:?}"));
    let start = text[..byte].chars().count() as u32;
    (start, start + words.chars().count() as u32)
}

async fn about(
    db: &TestDb,
    author: &User,
    article: ArticleId,
    words: &str,
    body: &str,
) -> CommentId {
    db.clock.advance(1000);
    let passage = passage(db, article, words).await;
    comments::post_about(&db.store, author, article, &passage, body, CommentId::new())
        .await
        .unwrap()
}

const FIRST: &str = "The council voted on Tuesday to run four night bus routes from January.";
const SECOND: &str = "Buses will leave the station every thirty minutes between midnight and five.";
const THIRD: &str = "A fare of two pounds will apply, the same as during the day.";

fn feed(uri: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Town Hall Notes</title><link>{uri}/</link>
<item><guid>night-buses</guid><title>Night buses are coming</title><link>{uri}/night-buses</link>
<pubDate>Tue, 01 Dec 2026 09:00:00 GMT</pubDate>
<description><![CDATA[{body}]]></description></item>
</channel></rss>"#
    )
}

/// A library with one article, from a feed served on 127.0.0.1 with
/// `paragraphs`; returns the reader who follows it and the article.
async fn feed_article(
    db: &TestDb,
    server: &MockServer,
    paragraphs: &[&str],
) -> (User, ArticleId, parley_core::ids::SourceId) {
    let reader = db.account("reader", "A Reader").await;
    serve(
        server,
        "/feed.xml",
        feed(&server.uri(), paragraphs),
        "application/rss+xml",
    )
    .await;
    let followed = sources::follow(
        &db.store,
        &fetcher(),
        &reader,
        &format!("{}/feed.xml", server.uri()),
    )
    .await
    .unwrap();
    let article = db
        .articles()
        .await
        .into_iter()
        .find(|a| a.title == "Night buses are coming")
        .unwrap()
        .id;
    (reader, article, followed.source_id)
}

#[tokio::test]
async fn a_comment_about_a_passage_carries_its_words_and_marks_them() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let bo = db.account("bob", "Bob").await;
    let article = db.first_article().await;
    let shown = articles::article(&db.store, article).await.unwrap();
    let text = passages::text::of_html(&shown.body_html);
    // Some words from the middle of the article's first paragraph.
    let words: String = text
        .split_whitespace()
        .skip(3)
        .take(5)
        .collect::<Vec<_>>()
        .join(" ");
    let first = about(&db, &ada, article, &words, "Source for this?").await;
    let plain = db.post(&bo, article, None, "About the whole thing.").await;
    db.post(&bo, article, Some(first), "It is in the minutes.")
        .await;

    let thread = db.thread(None, article, comments::Sort::Oldest).await;
    let quoted = thread.comments.iter().find(|c| c.id == first).unwrap();
    let p = quoted.passage.as_ref().unwrap();
    assert_eq!(p.quote, words);
    assert_eq!(p.placed, Placed::Exact);
    assert_eq!(
        (p.start, p.end),
        Some(chars_of(&text, &words))
            .map(|(s, e)| (Some(s), Some(e)))
            .unwrap()
    );
    assert!(thread
        .comments
        .iter()
        .find(|c| c.id == plain)
        .unwrap()
        .passage
        .is_none());

    let marks = passages::marks(&db.store, None, article, None)
        .await
        .unwrap();
    assert_eq!(marks.marks.len(), 1);
    assert_eq!(marks.marks[0].count, 2, "the comment and its reply");
    assert_eq!(marks.marks[0].comments, vec![first]);

    // Narrowed to the mark: its comment and the reply, nothing else.
    let narrowed = comments::thread_page(
        &db.store,
        None,
        article,
        &ThreadQuery {
            roots: marks.marks[0].comments.clone(),
            sort: Some(comments::Sort::Oldest),
            ..ThreadQuery::default()
        },
    )
    .await
    .unwrap();
    let ids: Vec<CommentId> = narrowed.comments.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], first);
    assert_eq!(narrowed.visible_count, 2);
    assert_eq!(thread.comments.len(), 3);

    // Exports carry each comment's passage.
    use parley_core::export::{self, Format};
    let md = export::article(&db.store, article, Format::Markdown)
        .await
        .unwrap();
    assert!(
        md.contents.contains(&format!("> {words}")),
        "{}",
        md.contents
    );
    let json = export::article(&db.store, article, Format::Json)
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&json.contents).unwrap();
    let quoting = json["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == first.to_string())
        .unwrap();
    assert_eq!(quoting["passage"]["quote"], words.as_str());
    assert_eq!(quoting["passage"]["placed"], "exact");
}

#[tokio::test]
async fn what_is_not_words_of_this_version_is_refused_and_nothing_is_kept() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada").await;
    let article = db.first_article().await;
    let shown = articles::article(&db.store, article).await.unwrap();
    let text = passages::text::of_html(&shown.body_html);
    let len = text.chars().count() as u32;
    let good = passage_of(&shown, text.split_whitespace().next().unwrap());
    let cases = [
        (
            "empty",
            NewPassage {
                end: good.start,
                quote: String::new(),
                ..good.clone()
            },
        ),
        (
            "out of range",
            NewPassage {
                start: len,
                end: len + 5,
                quote: "words".into(),
                ..good.clone()
            },
        ),
        (
            "reversed",
            NewPassage {
                start: good.end,
                end: good.start,
                ..good.clone()
            },
        ),
        (
            "other words",
            NewPassage {
                quote: "Not these words".into(),
                ..good.clone()
            },
        ),
        (
            "another version",
            NewPassage {
                version: good.version + 1,
                ..good.clone()
            },
        ),
    ];
    for (what, bad) in cases {
        let err = comments::post_about(&db.store, &ada, article, &bad, "Hm.", CommentId::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{what}: {err}");
        assert!(!err.to_string().is_empty());
        let err = highlights::highlight(&db.store, &ada, article, &bad, Colour::Yellow, "")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{what}: {err}");
    }
    // Only spaces is not a passage either.
    if let Some(at) = text.find("  ").or_else(|| text.find(' ')) {
        let start = text[..at].chars().count() as u32;
        let spaces = NewPassage {
            start,
            end: start + 1,
            quote: " ".into(),
            ..good.clone()
        };
        assert!(
            comments::post_about(&db.store, &ada, article, &spaces, "Hm.", CommentId::new())
                .await
                .is_err()
        );
    }
    // A quote of more than 2,000 characters, of a long article.
    let long_article = ArticleId::new();
    let long_text = "Words of a long article. ".repeat(200);
    db.raw_exec(
        "INSERT INTO articles (id, title, source, author, published_at, summary, body_html, created_at)
         VALUES ($1, 'A long article', 'Parley tests', 'Nobody', 0, '', $2, 0)",
        &[common::id(long_article), common::V::Text(format!("<p>{long_text}</p>"))],
    )
    .await;
    let version = 1;
    let too_long = NewPassage {
        version,
        start: 0,
        end: 2_001,
        quote: long_text.chars().take(2_001).collect(),
    };
    let err = comments::post_about(
        &db.store,
        &ada,
        long_article,
        &too_long,
        "Hm.",
        CommentId::new(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("at most 2000 characters"), "{err}");
    assert_eq!(db.raw_i64("SELECT count(*) FROM passages", &[]).await, 0);
    assert_eq!(db.raw_i64("SELECT count(*) FROM comments", &[]).await, 0);
    // An article that is gone.
    let err = comments::post_about(
        &db.store,
        &ada,
        ArticleId::new(),
        &good,
        "Hm.",
        CommentId::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn marks_count_what_is_left_to_read_and_share_the_same_words() {
    let db = TestDb::new().await;
    let admin = db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let bo = db.account("bob", "Bob").await;
    let article = db.first_article().await;
    let shown = articles::article(&db.store, article).await.unwrap();
    let text = passages::text::of_html(&shown.body_html);
    let words: Vec<&str> = text.split_whitespace().collect();
    let one = words[..4].join(" ");
    let overlapping = words[2..7].join(" ");

    let a = about(&db, &ada, article, &one, "First.").await;
    let b = about(&db, &bo, article, &one, "Same words.").await;
    let c = about(&db, &bo, article, &overlapping, "Overlapping.").await;
    let reply = db.post(&ada, article, Some(c), "Reply.").await;

    let marks = passages::marks(&db.store, None, article, None)
        .await
        .unwrap();
    assert_eq!(
        marks.marks.len(),
        2,
        "same words share a mark; overlapping ones do not"
    );
    assert_eq!(marks.marks[0].comments, vec![a, b]);
    assert_eq!(marks.marks[0].count, 2);
    assert_eq!(marks.marks[1].count, 2);
    assert!(marks.marks[0].passage.start < marks.marks[1].passage.start);

    // A removed comment and a deleted one do not count; a mark with none
    // left goes.
    comments::remove(&db.store, &admin, b).await.unwrap();
    comments::delete(&db.store, &ada, reply).await.unwrap();
    let marks = passages::marks(&db.store, None, article, None)
        .await
        .unwrap();
    assert_eq!(
        marks.marks.iter().map(|m| m.count).collect::<Vec<_>>(),
        [1, 1]
    );
    comments::delete(&db.store, &ada, a).await.unwrap();
    let marks = passages::marks(&db.store, None, article, None)
        .await
        .unwrap();
    assert_eq!(marks.marks.len(), 1);
    assert_eq!(marks.marks[0].comments, vec![c]);
    // The deleted comments' passages went with them.
    assert_eq!(db.raw_i64("SELECT count(*) FROM passages", &[]).await, 1);
}

#[tokio::test]
async fn highlights_are_seen_by_their_owner_alone() {
    let db = TestDb::new().await;
    let admin = db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let bo = db.account("bob", "Bob").await;
    let article = db.first_article().await;
    let shown = articles::article(&db.store, article).await.unwrap();
    let text = passages::text::of_html(&shown.body_html);
    let words: String = text
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    let p = passage_of(&shown, &words);

    let kept = highlights::highlight(
        &db.store,
        &ada,
        article,
        &p,
        Colour::Green,
        "  worth quoting ",
    )
    .await
    .unwrap();
    assert_eq!(kept.note, "worth quoting");
    assert_eq!(kept.passage.quote, words);
    db.clock.advance(1000);
    let later = highlights::highlight(&db.store, &ada, article, &p, Colour::Pink, "")
        .await
        .unwrap();

    let all = HighlightQuery::default();
    let mine = highlights::my_highlights(&db.store, &ada, &all)
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|h| h.id).collect::<Vec<_>>(),
        [later.id, kept.id],
        "newest first"
    );
    let green = HighlightQuery {
        colour: Some(Colour::Green),
        ..all.clone()
    };
    assert_eq!(
        highlights::my_highlights(&db.store, &ada, &green)
            .await
            .unwrap()
            .len(),
        1
    );
    let found = HighlightQuery {
        text: Some("WORTH".into()),
        ..all.clone()
    };
    assert_eq!(
        highlights::my_highlights(&db.store, &ada, &found)
            .await
            .unwrap()[0]
            .id,
        kept.id
    );
    let source = HighlightQuery {
        source: Some(shown.source.clone()),
        ..all.clone()
    };
    assert_eq!(
        highlights::my_highlights(&db.store, &ada, &source)
            .await
            .unwrap()
            .len(),
        2
    );
    let elsewhere = HighlightQuery {
        source: Some("Nowhere".into()),
        ..all.clone()
    };
    assert!(highlights::my_highlights(&db.store, &ada, &elsewhere)
        .await
        .unwrap()
        .is_empty());

    // Nobody else, not even the admin, sees them or can tell them from a
    // highlight that does not exist.
    for other in [&bo, &admin] {
        assert!(highlights::my_highlights(&db.store, other, &all)
            .await
            .unwrap()
            .is_empty());
        let marks = passages::marks(&db.store, Some(other), article, None)
            .await
            .unwrap();
        assert!(marks.highlights.is_empty());
        assert!(
            marks.marks.is_empty(),
            "a highlight is not a mark of the discussion"
        );
        let theirs =
            highlights::edit_highlight(&db.store, other, kept.id, Colour::Blue, "mine now")
                .await
                .unwrap_err();
        let unknown =
            highlights::edit_highlight(&db.store, other, HighlightId::new(), Colour::Blue, "x")
                .await
                .unwrap_err();
        assert_eq!(theirs.kind(), ErrorKind::NotFound);
        assert_eq!(theirs.to_string(), unknown.to_string());
        let theirs = highlights::delete_highlight(&db.store, other, kept.id)
            .await
            .unwrap_err();
        assert_eq!(theirs.kind(), ErrorKind::NotFound);
    }
    assert!(passages::marks(&db.store, None, article, None)
        .await
        .unwrap()
        .highlights
        .is_empty());
    let marks = passages::marks(&db.store, Some(&ada), article, None)
        .await
        .unwrap();
    assert_eq!(marks.highlights.len(), 2);

    let edited = highlights::edit_highlight(&db.store, &ada, kept.id, Colour::Blue, "changed")
        .await
        .unwrap();
    assert_eq!(
        (edited.colour, edited.note.as_str()),
        (Colour::Blue, "changed")
    );
    highlights::delete_highlight(&db.store, &ada, later.id)
        .await
        .unwrap();
    assert_eq!(
        highlights::my_highlights(&db.store, &ada, &all)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(db.raw_i64("SELECT count(*) FROM passages", &[]).await, 1);

    // A note too long, or with control characters, is refused.
    let long = "x".repeat(highlights::MAX_NOTE_CHARS + 1);
    for note in [long.as_str(), "bell\u{7}"] {
        let err = highlights::highlight(&db.store, &ada, article, &p, Colour::Yellow, note)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{err}");
    }

    // Exports carry the quote, the note, the title and the link.
    let mine = highlights::my_highlights(&db.store, &ada, &all)
        .await
        .unwrap();
    let md = highlights::markdown(&mine);
    assert!(md.contains(&format!("> {words}")), "{md}");
    assert!(md.contains("changed") && md.contains(&shown.title), "{md}");
    let csv = highlights::readwise_csv(&mine);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("Highlight,Title,Author,URL,Note,Location,Date")
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with(&format!(
            "\"{words}\",\"{}\"",
            shown.title.replace('"', "\"\"")
        )),
        "{row}"
    );
    assert!(row.contains("\"changed\""), "{row}");
}

#[tokio::test]
async fn a_changed_entry_becomes_a_new_version_and_its_passages_follow_their_words() {
    let db = TestDb::empty().await;
    let server = MockServer::start().await;
    let (reader, article, source) = feed_article(&db, &server, &[FIRST, SECOND, THIRD]).await;
    let other = db.account("other", "Another Reader").await;
    let on_second = about(
        &db,
        &reader,
        article,
        "every thirty minutes",
        "Is that enough?",
    )
    .await;
    let on_third = about(&db, &other, article, "A fare of two pounds", "Cheap.").await;
    let v1 = articles::article(&db.store, article).await.unwrap();
    assert_eq!(v1.version, 1);
    let mine = highlights::highlight(
        &db.store,
        &reader,
        article,
        &passage_of(&v1, "four night bus routes"),
        Colour::Yellow,
        "",
    )
    .await
    .unwrap();

    // The same feed again: nothing new, no new version.
    sources::refresh(&db.store, &fetcher(), source)
        .await
        .unwrap();
    assert_eq!(
        articles::article(&db.store, article).await.unwrap().version,
        1
    );

    // A correction: a paragraph added before, the fare paragraph deleted.
    const ADDED: &str = "Correction: an earlier version of this story gave the wrong start date.";
    server.reset().await;
    serve(
        &server,
        "/feed.xml",
        feed(&server.uri(), &[ADDED, FIRST, SECOND]),
        "application/rss+xml",
    )
    .await;
    db.clock.advance(86_400_000);
    sources::refresh(&db.store, &fetcher(), source)
        .await
        .unwrap();
    assert_eq!(
        db.articles().await.len(),
        1,
        "an update is not a new article"
    );
    let v2 = articles::article(&db.store, article).await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(
        v2.versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [2, 1]
    );
    assert!(v2.versions[0].since > v2.versions[1].since);
    assert!(v2.body_html.contains("Correction"));

    let text = passages::text::of_html(&v2.body_html);
    let marks = passages::marks(&db.store, Some(&reader), article, None)
        .await
        .unwrap();
    assert_eq!(marks.version, 2);
    let moved = marks
        .marks
        .iter()
        .find(|m| m.comments == [on_second])
        .unwrap();
    let (start, end) = chars_of(&text, "every thirty minutes");
    assert_eq!(
        (moved.passage.start, moved.passage.end),
        (Some(start), Some(end))
    );
    assert_ne!(moved.passage.placed, Placed::Gone);
    let gone = marks
        .marks
        .iter()
        .find(|m| m.comments == [on_third])
        .unwrap();
    assert_eq!(gone.passage.placed, Placed::Gone);
    assert_eq!(gone.passage.quote, "A fare of two pounds");
    assert_eq!(gone.passage.start, None);
    assert_eq!(
        gone.passage.version, 1,
        "it links to the version it was written on"
    );
    assert_eq!(
        marks.marks.last().unwrap().comments,
        [on_third],
        "gone ones come last"
    );
    let (start, _) = chars_of(&text, "four night bus routes");
    assert_eq!(marks.highlights[0].id, mine.id);
    assert_eq!(marks.highlights[0].passage.start, Some(start));

    // The thread still has both comments, the gone one with its quote.
    let thread = db.thread(None, article, comments::Sort::Oldest).await;
    assert_eq!(thread.comment_count, 2);
    let gone = thread.comments.iter().find(|c| c.id == on_third).unwrap();
    assert_eq!(gone.passage.as_ref().unwrap().placed, Placed::Gone);

    // The earlier version reads as it was, its passages where they were.
    let old = articles::article_at(&db.store, None, article, Some(1))
        .await
        .unwrap();
    assert_eq!(old.version, 1);
    assert_eq!(old.body_html, v1.body_html);
    let old_marks = passages::marks(&db.store, None, article, Some(1))
        .await
        .unwrap();
    assert!(old_marks
        .marks
        .iter()
        .all(|m| m.passage.placed == Placed::Exact));
    let old_text = passages::text::of_html(&old.body_html);
    let on_fare = old_marks
        .marks
        .iter()
        .find(|m| m.comments == [on_third])
        .unwrap();
    assert_eq!(
        on_fare.passage.start,
        Some(chars_of(&old_text, "A fare of two pounds").0)
    );
    let missing = articles::article_at(&db.store, None, article, Some(7))
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);

    // A new passage is of the new version; one sent for the old is refused.
    let err = comments::post_about(
        &db.store,
        &reader,
        article,
        &passage_of(&v1, "every thirty minutes"),
        "Late.",
        CommentId::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    about(&db, &reader, article, "Correction", "Thanks for fixing it.").await;

    // Search finds the new words.
    let query = parley_core::search::SearchQuery {
        text: "correction".into(),
        ..Default::default()
    };
    let found = parley_core::search::search(&db.store, None, &query)
        .await
        .unwrap();
    assert!(found.articles.iter().any(|a| a.id == article));
}
