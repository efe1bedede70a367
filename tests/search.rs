//! Search across articles and discussions, on a real SQLite file: the index
//! follows every write, hides what readers may not see, folds accents and
//! case, and no input is an error.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::TestDb;
use parley_core::accounts::User;
use parley_core::ids::{ArticleId, CommentId};
use parley_core::search::{self, SearchQuery, SearchResults};
use parley_core::{comments, mutes};

async fn find(db: &TestDb, viewer: Option<&User>, text: &str) -> SearchResults {
    let query = SearchQuery {
        text: text.into(),
        ..SearchQuery::default()
    };
    search::search(&db.store, viewer, &query).await.unwrap()
}

async fn find_with(db: &TestDb, query: SearchQuery) -> SearchResults {
    search::search(&db.store, None, &query).await.unwrap()
}

fn comment_ids(results: &SearchResults) -> Vec<CommentId> {
    results.comments.iter().map(|c| c.id).collect()
}

fn article_ids(results: &SearchResults) -> Vec<ArticleId> {
    results.articles.iter().map(|a| a.id).collect()
}

/// The highlighted words of a snippet.
fn hits(snippet: &[search::Segment]) -> Vec<String> {
    snippet
        .iter()
        .filter(|s| s.hit)
        .map(|s| s.text.clone())
        .collect()
}

#[tokio::test]
async fn a_posted_comment_is_found_with_its_words_highlighted() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    let id = db
        .post(
            &ada,
            article,
            None,
            "The analytical engine weaves algebraic patterns.",
        )
        .await;

    let results = find(&db, None, "algebraic").await;
    assert_eq!(comment_ids(&results), [id]);
    let hit = &results.comments[0];
    assert_eq!(hit.author, "Ada Lovelace");
    assert_eq!(hit.article_id, article);
    assert_eq!(hits(&hit.snippet), ["algebraic"]);
    let text: String = hit.snippet.iter().map(|s| s.text.as_str()).collect();
    assert!(text.contains("weaves algebraic patterns"), "{text}");
    assert!(!hit.muted);
}

#[tokio::test]
async fn edits_replace_what_is_found_within_and_after_the_grace_window() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    let id = db
        .post(&ada, article, None, "first draft mentions zeppelins")
        .await;

    // A quick fix, inside the grace window: no revision is kept.
    comments::edit(&db.store, &ada, id, "first draft mentions dirigibles")
        .await
        .unwrap();
    assert!(find(&db, None, "zeppelins").await.comments.is_empty());
    assert_eq!(comment_ids(&find(&db, None, "dirigibles").await), [id]);

    // Later: the earlier version is kept as a revision, but not found.
    db.clock.advance(comments::EDIT_GRACE_MS + 1_000);
    comments::edit(&db.store, &ada, id, "settled on airships")
        .await
        .unwrap();
    assert!(find(&db, None, "dirigibles").await.comments.is_empty());
    assert_eq!(comment_ids(&find(&db, None, "airships").await), [id]);
}

#[tokio::test]
async fn deleted_and_removed_comments_are_not_found() {
    let db = TestDb::new().await;
    let admin = db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    let parent = db.post(&ada, article, None, "quartz clocks drift").await;
    let reply = db
        .post(&admin, article, Some(parent), "quartz is steady")
        .await;
    let leaf = db.post(&ada, article, None, "obsidian mirrors").await;

    // The parent keeps its place (it has a reply) as a placeholder; the
    // leaf goes entirely. Neither is found.
    comments::delete(&db.store, &ada, parent).await.unwrap();
    comments::remove(&db.store, &admin, leaf).await.unwrap();
    assert_eq!(comment_ids(&find(&db, None, "quartz").await), [reply]);
    assert!(find(&db, None, "obsidian").await.comments.is_empty());
    assert!(find(&db, None, "drift").await.comments.is_empty());
}

#[tokio::test]
async fn a_deleted_account_is_found_as_deleted_user() {
    let db = TestDb::new().await;
    let _admin = db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    let id = db
        .post(&ada, article, None, "my last word on bellows")
        .await;

    parley_core::accounts::delete_account(&db.store, &ada, common::password_for("ada"))
        .await
        .unwrap();
    let results = find(&db, None, "bellows").await;
    assert_eq!(comment_ids(&results), [id]);
    assert_eq!(results.comments[0].author, "[deleted user]");
    // Her name is not a way in either.
    let by_name = find_with(
        &db,
        SearchQuery {
            text: "bellows".into(),
            author: Some("Ada".into()),
            ..SearchQuery::default()
        },
    )
    .await;
    assert!(by_name.comments.is_empty());
}

#[tokio::test]
async fn an_imported_article_is_found_and_a_deleted_one_is_gone_with_its_comments() {
    let db = TestDb::new().await;
    let admin = db.account("admin", "The Admin").await;
    let file = "---\ntitle: Notes on Marmalade\nauthor: Jane Grigson\n---\n\nSeville oranges are bitter, which is the point.\n";
    let imported = parley_core::library::files::import(
        &db.store,
        None,
        &admin,
        "marmalade.md",
        file.as_bytes(),
    )
    .await
    .unwrap();
    let article = imported.article_id;

    let results = find(&db, None, "seville").await;
    assert_eq!(article_ids(&results), [article]);
    assert_eq!(hits(&results.articles[0].snippet), ["Seville"]);
    // The byline and the title are searched too; the title is highlighted.
    assert_eq!(article_ids(&find(&db, None, "grigson").await), [article]);
    let by_title = find(&db, None, "marmalade").await;
    assert_eq!(hits(&by_title.articles[0].title), ["Marmalade"]);

    let comment = db.post(&admin, article, None, "pectin matters").await;
    assert_eq!(comment_ids(&find(&db, None, "pectin").await), [comment]);
    parley_core::articles::delete_article(&db.store, &admin, article)
        .await
        .unwrap();
    assert!(find(&db, None, "seville").await.articles.is_empty());
    assert!(find(&db, None, "pectin").await.comments.is_empty());
}

#[tokio::test]
async fn accents_and_case_do_not_matter_and_the_last_word_is_a_prefix() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    let id = db
        .post(
            &ada,
            article,
            None,
            "A Café in São Paulo served crème brûlée under the lunar eclipse",
        )
        .await;

    for query in [
        "cafe",
        "CAFÉ",
        "sao paulo",
        "CREME BRULEE",
        "Lunar",
        "lun",
        "ecl",
    ] {
        assert_eq!(comment_ids(&find(&db, None, query).await), [id], "{query}");
    }
    // Two letters are not yet a prefix, and a prefix is only the last word.
    assert!(find(&db, None, "lu").await.comments.is_empty());
    assert!(find(&db, None, "lun eclipse").await.comments.is_empty());
    let highlighted = find(&db, None, "brulee").await;
    assert_eq!(hits(&highlighted.comments[0].snippet), ["brûlée"]);
}

#[tokio::test]
async fn phrases_exclusions_and_or() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    let red = db.post(&ada, article, None, "the red kite circled").await;
    let kite_red = db
        .post(&ada, article, None, "a kite, red against the sky")
        .await;
    let blue = db.post(&ada, article, None, "the blue heron waited").await;

    let mut phrase = comment_ids(&find(&db, None, "\"red kite\"").await);
    phrase.sort();
    assert_eq!(phrase, [red]);
    let mut both = comment_ids(&find(&db, None, "red kite").await);
    both.sort();
    let mut expected = vec![red, kite_red];
    expected.sort();
    assert_eq!(both, expected);
    assert_eq!(comment_ids(&find(&db, None, "kite -sky").await), [red]);
    let mut either = comment_ids(&find(&db, None, "heron OR circled").await);
    either.sort();
    let mut expected = vec![red, blue];
    expected.sort();
    assert_eq!(either, expected);
}

#[tokio::test]
async fn a_phrase_is_its_words_in_order_however_it_is_asked() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    let kite = db
        .post(
            &ada,
            article,
            None,
            "The red kite circled, over Café au LAIT",
        )
        .await;
    let apart = db
        .post(
            &ada,
            article,
            None,
            "red and kite circled apart; lait au café",
        )
        .await;
    let comma = db
        .post(&ada, article, None, "a heron: red, kite-like, circled")
        .await;
    let lunar = db
        .post(&ada, article, None, "its body lunar and pale")
        .await;
    let sorted = |mut ids: Vec<CommentId>| {
        ids.sort();
        ids
    };
    let found = |text: &'static str| {
        let db = &db;
        async move { sorted(comment_ids(&find(db, None, text).await)) }
    };

    // Three words in order; the same words in another order or apart are
    // not the phrase. Punctuation between them is no gap, as FTS5 reads it.
    assert_eq!(found("\"red kite circled\"").await, sorted(vec![kite]));
    assert_eq!(found("\"kite red\"").await, Vec::<CommentId>::new());
    assert_eq!(found("\"red kite\"").await, sorted(vec![kite, comma]));
    // Accents and case, inside a phrase too.
    assert_eq!(found("\"cafe au lait\"").await, sorted(vec![kite]));
    assert_eq!(found("\"LAIT AU CAFÉ\"").await, sorted(vec![apart]));
    // A phrase with a word, with another term, and left out.
    assert_eq!(found("\"red kite\" heron").await, sorted(vec![comma]));
    assert_eq!(
        found("\"red kite\" OR apart").await,
        sorted(vec![kite, apart, comma])
    );
    assert_eq!(found("circled -\"red kite\"").await, sorted(vec![apart]));
    assert_eq!(
        found("\"red kite\" -\"kite circled\"").await,
        sorted(vec![comma])
    );
    // Two phrases, both needed.
    assert_eq!(found("\"red kite\" \"au lait\"").await, sorted(vec![kite]));
    // Words joined by punctuation are a phrase whose last word may go on.
    assert_eq!(found("body:lun").await, sorted(vec![lunar]));
    assert_eq!(found("lunar:body").await, Vec::<CommentId>::new());
}

#[tokio::test]
async fn a_query_matching_more_than_can_be_ranked_shows_the_newest_first() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    // The best match by far, written first.
    let best = db
        .post(&ada, article, None, "tidal flats, tidal flats, tidal")
        .await;
    let mut newest = best;
    for i in 1..search::RANK_WINDOW {
        newest = db
            .post(&ada, article, None, &format!("tidal flats, the {i}th time"))
            .await;
    }
    // As many as the window: the newest come first, and the best is not
    // among the first twenty.
    for query in ["tidal", "tida", "\"tidal flats\"", "flats tid"] {
        let results = find(&db, None, query).await;
        let ids = comment_ids(&results);
        assert_eq!(ids.first(), Some(&newest), "{query:?}");
        assert!(!ids.contains(&best), "{query:?}");
        assert!(results.more_comments, "{query:?}");
    }
    // One fewer than the window: ranked, the best first.
    comments::delete(&db.store, &ada, newest).await.unwrap();
    for query in ["tidal", "tida", "\"tidal flats\"", "flats tid"] {
        let ids = comment_ids(&find(&db, None, query).await);
        assert_eq!(ids.first(), Some(&best), "{query:?}");
    }
}

#[tokio::test]
async fn no_input_is_an_error() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    db.post(&ada, article, None, "an ordinary comment about body text")
        .await;

    let long = "word ".repeat(2_000);
    let corpus = [
        "",
        " ",
        "\"",
        "\"\"",
        "\"unbalanced",
        "unbalanced\"",
        "a\"b\"c\"",
        "*",
        "**",
        "a*",
        "*a",
        "-",
        "--",
        "- -",
        "-\"\"",
        "OR",
        "AND",
        "NOT",
        "a OR",
        "OR a",
        "NEAR(",
        "NEAR(a b",
        "NEAR(a b, 2)",
        "body:x",
        "body : x",
        "title:",
        "{body}: x",
        "^start",
        "a + b",
        "(",
        ")",
        "((a)",
        "a AND NOT b",
        ":",
        "'",
        "\\",
        "\u{0}",
        "a\u{0}b",
        "🎉",
        "🎉 party",
        "\u{202E}evil",
        "ü",
        "İstanbul",
        "x".repeat(10_000).as_str(),
        long.as_str(),
        "%",
        "_",
        "a%b_c",
        "rank:1",
        "comments_fts",
        "*:",
        "\"*\"",
        "a\"*",
        "-a -b -c",
        "NOT a",
        "a NOT",
        "a OR OR b",
    ]
    .map(String::from);
    for text in corpus {
        for titles_only in [false, true] {
            let query = SearchQuery {
                text: text.clone(),
                titles_only,
                ..SearchQuery::default()
            };
            let result = search::search(&db.store, None, &query).await;
            assert!(
                result.is_ok(),
                "{text:?} (titles only: {titles_only}): {result:?}"
            );
        }
    }
    // Operators are words when they are not operators.
    assert_eq!(find(&db, None, "body:text").await.comments.len(), 1);
}

#[tokio::test]
async fn filters_narrow_by_source_tag_author_date_and_title() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let grace = db.account("grace", "Grace Hopper").await;
    let articles = db.articles().await;
    let (first, second) = (&articles[0], &articles[1]);
    assert_ne!(
        first.source, second.source,
        "the samples come from different sources"
    );
    let on_first = db.post(&ada, first.id, None, "compilers everywhere").await;
    // Between the two: each post is a second after what came before.
    let cut = db.store.now() + 500;
    let on_second = db
        .post(&grace, second.id, None, "compilers are friends")
        .await;

    let with = |f: fn(&mut SearchQuery)| {
        let mut q = SearchQuery {
            text: "compilers".into(),
            ..SearchQuery::default()
        };
        f(&mut q);
        q
    };
    let source = SearchQuery {
        source: Some(second.source.clone()),
        ..with(|_| {})
    };
    assert_eq!(comment_ids(&find_with(&db, source).await), [on_second]);
    let author = with(|q| q.author = Some("grace h".into()));
    assert_eq!(comment_ids(&find_with(&db, author).await), [on_second]);
    let since = SearchQuery {
        from: Some(cut),
        ..with(|_| {})
    };
    assert_eq!(comment_ids(&find_with(&db, since).await), [on_second]);
    let before = SearchQuery {
        until: Some(cut),
        ..with(|_| {})
    };
    assert_eq!(comment_ids(&find_with(&db, before).await), [on_first]);
    let tag = first.tags[0].clone();
    let tagged = SearchQuery {
        tag: Some(tag),
        ..with(|_| {})
    };
    assert_eq!(comment_ids(&find_with(&db, tagged).await), [on_first]);

    // Titles only: a word from the first article's title finds it, and no
    // comments are searched.
    let title_word = first
        .title
        .split_whitespace()
        .max_by_key(|w| w.len())
        .unwrap()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_owned();
    db.post(&ada, second.id, None, &title_word).await;
    let titles = find_with(
        &db,
        SearchQuery {
            text: title_word.clone(),
            titles_only: true,
            ..SearchQuery::default()
        },
    )
    .await;
    assert!(article_ids(&titles).contains(&first.id), "{title_word}");
    assert!(titles.comments.is_empty());
}

#[tokio::test]
async fn a_muted_persons_comments_are_folded_for_the_muter_only() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let grace = db.account("grace", "Grace Hopper").await;
    let article = db.first_article().await;
    let id = db
        .post(&grace, article, None, "nanoseconds are wires")
        .await;
    mutes::set_muted_by_comment(&db.store, &ada, id, true)
        .await
        .unwrap();

    let for_ada = find(&db, Some(&ada), "nanoseconds").await;
    assert_eq!(comment_ids(&for_ada), [id]);
    assert!(for_ada.comments[0].muted);
    let for_grace = find(&db, Some(&grace), "nanoseconds").await;
    assert!(!for_grace.comments[0].muted);
}

#[tokio::test]
async fn a_database_from_before_search_is_searchable_after_upgrading() {
    if common::sqlite_only("upgrades a SQLite file made before search existed") {
        return;
    }
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    let id = db
        .post(&ada, article, None, "written before the index")
        .await;

    // Take the database back to how it was before the search migration.
    let raw = db.raw_pool().await;
    for sql in [
        "DROP TRIGGER articles_fts_insert",
        "DROP TRIGGER articles_fts_update",
        "DROP TRIGGER articles_fts_delete",
        "DROP TRIGGER comments_fts_insert",
        "DROP TRIGGER comments_fts_update",
        "DROP TRIGGER comments_fts_delete",
        "DROP TABLE articles_fts",
        "DROP TABLE comments_fts",
        "ALTER TABLE articles DROP COLUMN body_text",
        "DELETE FROM _sqlx_migrations WHERE version = 20261202000000",
    ] {
        sqlx::query(sql).execute(&raw).await.unwrap();
    }
    let triggers: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '%fts%'",
    )
    .fetch_one(&raw)
    .await
    .unwrap();
    assert_eq!(triggers, 0);
    raw.close().await;

    let db = db.reopen().await;
    assert_eq!(comment_ids(&find(&db, None, "index").await), [id]);
    let sample = db
        .articles()
        .await
        .into_iter()
        .find(|a| a.id == article)
        .unwrap();
    let word = sample.title.split_whitespace().last().unwrap().to_owned();
    assert!(
        article_ids(&find(&db, None, &word).await).contains(&article),
        "{word}"
    );
}

#[tokio::test]
async fn a_word_in_most_comments_still_ranks_and_says_there_are_more() {
    let db = TestDb::new().await;
    let ada = db.account("ada", "Ada Lovelace").await;
    let article = db.first_article().await;
    for i in 0..60 {
        db.post(&ada, article, None, &format!("common word number {i}"))
            .await;
    }
    let results = find(&db, None, "common").await;
    assert_eq!(results.comments.len(), search::DEFAULT_LIMIT as usize);
    assert!(results.more_comments);
}

#[tokio::test]
async fn a_long_articles_snippet_is_cut_around_its_match() {
    let db = TestDb::new().await;
    let admin = db.account("admin", "The Admin").await;
    // About 40,000 characters before the words looked for, and some after.
    let filler = "The tide came in over the flats and went out again. ".repeat(800);
    let file = format!(
        "---\ntitle: A Long Walk\n---\n\n{filler}\n\nAt last the Pâtissière opened her shop, and \
         a Marmalade smell filled the lane.\n\n{}",
        "Gulls argued on the roofs all afternoon. ".repeat(100)
    );
    let imported =
        parley_core::library::files::import(&db.store, None, &admin, "long.md", file.as_bytes())
            .await
            .unwrap();
    // Found as typed, in another case, and without its accents: each time
    // the snippet is the passage, marked, with the text left out before
    // and after it said.
    for (query, marked) in [
        ("marmalade", "Marmalade"),
        ("MARMALADE", "Marmalade"),
        ("patissiere", "Pâtissière"),
    ] {
        let results = find(&db, None, query).await;
        assert_eq!(article_ids(&results), [imported.article_id], "{query}");
        let snippet = &results.articles[0].snippet;
        assert_eq!(hits(snippet), [marked], "{query}");
        let text: String = snippet.iter().map(|s| s.text.as_str()).collect();
        assert!(
            text.starts_with('…') && text.ends_with('…'),
            "{query}: {text}"
        );
        assert!(text.chars().count() < 400, "{query}: {text}");
    }
    // A word that is only in the first lines is found there too.
    let first = hits(&find(&db, None, "flats").await.articles[0].snippet);
    assert!(
        !first.is_empty() && first.iter().all(|hit| hit == "flats"),
        "{first:?}"
    );
}
