//! Search on PostgreSQL: the answers FTS5 gives on SQLite, from the
//! `parley` text search configuration and the `search_vector` columns of
//! migrations/postgres/20261210000001_search.sql.
//!
//! What a person typed reaches PostgreSQL as one `to_tsquery('parley', …)`
//! text, built here from [`Parsed`] (with two helpers for the index, see
//! [`Asked`]). Every word in it is a quoted operand
//! and every operator (`&`, `|`, `!`, `<->`, `:*`, parentheses) is one this
//! module wrote, so nothing typed is tsquery syntax and no input is an
//! error. One text keeps both statements fixed whatever the query's shape
//! (one parameter per term would mean SQL built per query, or arrays folded
//! by an aggregate PostgreSQL does not have).
//!
//! The words are cut here, at punctuation, spaces and symbols, as FTS5's
//! unicode61 cuts them (the migration makes PostgreSQL cut the indexed text
//! there too), and `to_tsquery` folds each through the same parser and
//! dictionaries as the indexed text, so Rust knows nothing of accents or
//! case. Cutting here also puts a prefix on the last word of a term only,
//! as FTS5's `"body lun"*` does; `to_tsquery` would make every word of a
//! quoted operand a prefix.

use sqlx::PgConnection;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

use super::query::{is_token_char, Parsed, Term};
use super::{Group, Look, Ranked, RANK_WINDOW};
use crate::Result;

/// A query as PostgreSQL is asked it: the parameters `$1` to `$4` of every
/// statement below, which `found!` reads.
///
/// GIN answers a query of plain words from the index alone, but it keeps
/// no word positions and no weights: for a phrase it hands over every row
/// holding the phrase's words, in any order, and each must be read to
/// check. For `"the river"` in a million comments that is 50,833 rows for
/// 4,859 matches, and the index's work on `the`, which 833,198 of them
/// hold. So the index is asked for the pairs of words the phrases need
/// (`phrases`, see `search_pairs` in the migration), and for the rest of
/// the query without order or weights (`loose`), both of which it answers
/// exactly; only the rows it returns are checked against the query itself
/// (`full`), and not even those when `loose` is the whole query.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Asked {
    /// The whole query ([`tsquery`]): what ranks, marks and decides.
    full: String,
    /// What the words ask of the index: the groups that `phrases` leaves
    /// to ask, with every phrase's words in any order and no weights, and
    /// without the exclusions that would then leave out more than `full`
    /// does. It matches whatever `full` matches. `None` when `phrases`
    /// asks it all.
    loose: Option<String>,
    /// The phrases of the groups that have no other term, which every
    /// match holds, as their words with a space between (a prefix word
    /// left off); their pairs are asked of the index in place of their
    /// words, which in a phrase are often the commonest there are (`the`).
    /// `None` when there are none.
    phrases: Option<Vec<String>>,
}

impl Asked {
    /// `None` when there is nothing to look for, as with [`tsquery`].
    fn new(parsed: &Parsed, titles_only: bool) -> Option<Self> {
        let full = tsquery(parsed, titles_only)?;
        let mut phrases = Vec::new();
        let mut rest = Parsed {
            groups: Vec::new(),
            excluded: parsed.excluded.clone(),
        };
        for group in &parsed.groups {
            match group.as_slice() {
                [term] if pairs(term).is_some() => phrases.extend(pairs(term)),
                _ => rest.groups.push(group.clone()),
            }
        }
        Some(Self {
            full,
            loose: loose(&rest, titles_only),
            phrases: (!phrases.is_empty()).then_some(phrases),
        })
    }

    /// Whether a row the index returns for `loose` and `phrases` must
    /// still be checked against `full`.
    fn checked(&self) -> bool {
        self.loose.as_deref() != Some(self.full.as_str())
    }
}

/// The words of `term` whose pairs a match holds, with a space between:
/// all but a prefix word. `None` when that is fewer than two words.
fn pairs(term: &Term) -> Option<String> {
    let mut words = words(term);
    if term.prefix {
        words.pop();
    }
    (words.len() > 1).then(|| words.join(" "))
}

/// `$statement` (any of sqlx's query types) with [`Asked`]'s `$1` to `$4`
/// bound.
macro_rules! bind_asked {
    ($statement:expr, $asked:expr) => {{
        let asked: &Asked = $asked;
        $statement
            .bind(&asked.full)
            .bind(asked.loose.as_deref())
            .bind(asked.phrases.as_deref())
            .bind(!asked.checked())
    }};
}

/// The first `limit + 1` matches in `group`, best first, as
/// [`super::ranked`] returns them.
///
/// Three statements, so that PostgreSQL plans each for what it does: the
/// first counts matches up to [`RANK_WINDOW`] (a walk through the table
/// for a common word, the index for a rare one), and then either the best
/// or the newest are found, never both. Asked of one statement, the
/// choice left PostgreSQL planning both ways and running the wrong one's
/// parts.
pub(super) async fn ranked(
    conn: &mut PgConnection,
    group: Group,
    look: &Look<'_>,
) -> Result<Vec<Ranked>> {
    let Some(asked) = Asked::new(look.parsed, look.titles_only) else {
        return Ok(Vec::new());
    };
    // Planned for this query's words, not once for any: a generic plan
    // (which PostgreSQL settles on after five runs of a prepared
    // statement) cannot tell `quixotic` from `the`, and ranks a million
    // matches; and the custom plan drops the parts of the statements
    // this query does not need (see `found!`). In one process: starting
    // parallel workers costs more than the few thousand rows they would
    // share. Both last until the read transaction ends.
    sqlx::query(
        "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),
                set_config('max_parallel_workers_per_gather', '0', true)",
    )
    .execute(&mut *conn)
    .await?;
    let newest = many_match(conn, group, look.parsed, look.titles_only, &asked).await?;
    let filters = look.filters;
    let statement = match (group, newest) {
        (Group::Articles, false) => sqlx::query_as(BEST_ARTICLES),
        (Group::Articles, true) => sqlx::query_as(NEWEST_ARTICLES),
        (Group::Comments, false) => sqlx::query_as(BEST_COMMENTS),
        (Group::Comments, true) => sqlx::query_as(NEWEST_COMMENTS),
    };
    let statement = bind_asked!(statement, &asked);
    let statement = match group {
        Group::Articles => statement.bind(look.titles_only),
        Group::Comments => statement.bind(filters.author_key.as_deref()),
    };
    Ok(statement
        .bind(filters.source.as_deref())
        .bind(filters.tag.as_deref())
        .bind(filters.from)
        .bind(filters.until)
        .bind(i64::from(look.limit) + 1)
        .fetch_all(conn)
        .await?)
}

/// Whether at least [`RANK_WINDOW`] rows of `group` match, filters or not.
///
/// A query whose last word is a prefix is first counted without the
/// prefix: a prefix (`think:*`) makes GIN gather every row of every word
/// it starts before it returns one (20 ms for `people think`, against
/// 4 ms for `people` and `think`), and when the words as typed already
/// match that many, so does the query. Only short of that is the query
/// itself counted.
async fn many_match(
    conn: &mut PgConnection,
    group: Group,
    parsed: &Parsed,
    titles_only: bool,
    asked: &Asked,
) -> Result<bool> {
    let count = match group {
        Group::Articles => COUNT_ARTICLES,
        Group::Comments => COUNT_COMMENTS,
    };
    let typed = Parsed {
        groups: parsed
            .groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|t| Term {
                        prefix: false,
                        ..t.clone()
                    })
                    .collect()
            })
            .collect(),
        excluded: parsed.excluded.clone(),
    };
    let first = (typed != *parsed)
        .then(|| Asked::new(&typed, titles_only))
        .flatten();
    for asked in first.iter().chain([asked]) {
        let matches: i64 = bind_asked!(sqlx::query_scalar(count), asked)
            .bind(i64::from(RANK_WINDOW))
            .fetch_one(&mut *conn)
            .await?;
        if matches >= i64::from(RANK_WINDOW) {
            return Ok(true);
        }
    }
    Ok(false)
}

// Every statement's first four parameters are [`Asked`]'s: `$1` the whole
// query, `$2` the loose one, `$3` the phrases, `$4` whether a row the index
// returns is a match as it is. `found!` is the test.

/// Whether the row `$t` (an alias of articles or comments) matches. The
/// custom plan keeps only what this query needs: with no phrases,
/// `search_query_pairs($3)` is NULL before the plan is made and the pairs
/// drop out; so do the words when the pairs ask it all (`$2` NULL), and
/// with `$4` the check. What stays of the first two
/// lines is answered by one scan of the table's GIN index on both columns;
/// the last reads `search_vector` in the row, with `ts_match_vq` (what
/// `@@` calls) so that no index is asked it.
macro_rules! found {
    ($t:literal) => {
        concat!(
            "($2::text IS NULL OR ",
            $t,
            ".search_vector @@ to_tsquery('parley', $2))
             AND (search_query_pairs($3) IS NULL
                  OR ",
            $t,
            ".search_pairs @> search_query_pairs($3))
             AND ($4 OR ts_match_vq(",
            $t,
            ".search_vector, to_tsquery('parley', $1)))"
        )
    };
}

/// How many articles match, filters or not, counting no further than `$5`
/// ([`super::RANK_WINDOW`]): at least that many, and the newest come
/// first, since ranking would read every match.
const COUNT_ARTICLES: &str = concat!(
    "SELECT count(*) FROM (SELECT FROM articles a WHERE ",
    found!("a"),
    " LIMIT $5) m"
);

/// [`COUNT_ARTICLES`] for comments.
const COUNT_COMMENTS: &str = concat!(
    "SELECT count(*) FROM (SELECT FROM comments c WHERE ",
    found!("c"),
    " LIMIT $5) m"
);

// The statements that find: at most `$10` rows of (id, title, snippet),
// in the order shown. Their parameters after the first four:
// - `$5`, for articles, is "titles only", when the snippet marks nothing
//   (FTS5's snippet of the text marks nothing when every phrase is
//   restricted to the title); for comments, the author filter, a
//   display-name key the author's must start with (NULL: anyone);
// - `$6` to `$9` the source, tag, from and until filters (NULL lets
//   everything pass; for comments the dates are when one was written);
// - `$10` the limit (one more than is shown, to know there are more).
// The marked texts are made last, for the rows shown only. Deleted and
// removed comments have no search vector.

/// The articles that match and pass the filters, in `FROM`/`WHERE`.
macro_rules! matching_articles {
    () => {
        concat!(
            "FROM articles a WHERE ",
            found!("a"),
            " AND ($6::text IS NULL OR a.source = $6)
              AND ($7::text IS NULL OR EXISTS (
                      SELECT FROM article_tags t WHERE t.article_id = a.id AND t.tag = $7))
              AND ($8::bigint IS NULL OR a.published_at >= $8)
              AND ($9::bigint IS NULL OR a.published_at < $9)"
        )
    };
}

/// An article's marked title and snippet, on `a`.
macro_rules! article_marks {
    () => {
        "a.id,
         search_highlight(a.title, to_tsquery('parley', $1)) AS title,
         search_snippet(a.body_text,
                        CASE WHEN NOT $5 THEN to_tsquery('parley', $1) END) AS snippet"
    };
}

/// The comments that match and pass the filters, in `FROM`/`WHERE`.
macro_rules! matching_comments {
    () => {
        concat!(
            "FROM comments c
             JOIN articles a ON a.id = c.article_id
             JOIN users u ON u.id = c.author_id
             WHERE ",
            found!("c"),
            " AND c.deleted_at IS NULL
              AND ($6::text IS NULL OR a.source = $6)
              AND ($7::text IS NULL OR EXISTS (
                      SELECT FROM article_tags t WHERE t.article_id = a.id AND t.tag = $7))
              AND ($8::bigint IS NULL OR c.created_at >= $8)
              AND ($9::bigint IS NULL OR c.created_at < $9)
              AND ($5::text IS NULL OR starts_with(u.display_name_key, $5))"
        )
    };
}

/// A comment's snippet, on `c`.
macro_rules! comment_marks {
    () => {
        "c.id, '' AS title, search_snippet(c.body, to_tsquery('parley', $1)) AS snippet"
    };
}

/// The best articles: ranked as bm25(10.0, 2.0, 1.0) weighs title, byline
/// and text.
const BEST_ARTICLES: &str = concat!(
    "SELECT ",
    article_marks!(),
    " FROM (SELECT a.id, ts_rank('{0.1, 0.1, 0.2, 1.0}', a.search_vector,
                                 to_tsquery('parley', $1), 1) AS rank ",
    matching_articles!(),
    " ORDER BY rank DESC, a.id DESC LIMIT $10) hit
     JOIN articles a ON a.id = hit.id
     ORDER BY hit.rank DESC, hit.id DESC"
);

/// The newest articles, in the library's order (`articles_by_published_and_id`),
/// so that a date range is a walk back from its end. SQLite shows the
/// newest added instead (FTS5 walks its rowids), which differs only for
/// articles that came in long after they were published.
const NEWEST_ARTICLES: &str = concat!(
    "SELECT ",
    article_marks!(),
    " FROM (SELECT a.id, a.published_at ",
    matching_articles!(),
    " ORDER BY a.published_at DESC, a.id DESC LIMIT $10) hit
     JOIN articles a ON a.id = hit.id
     ORDER BY hit.published_at DESC, hit.id DESC"
);

/// The best comments.
const BEST_COMMENTS: &str = concat!(
    "SELECT ",
    comment_marks!(),
    " FROM (SELECT c.id, ts_rank(c.search_vector, to_tsquery('parley', $1), 1) AS rank ",
    matching_comments!(),
    " ORDER BY rank DESC, c.id DESC LIMIT $10) hit
     JOIN comments c ON c.id = hit.id
     ORDER BY hit.rank DESC, hit.id DESC"
);

/// The newest comments, as they were written: the order of SQLite's
/// rowids, which follow the time comments were written. By the time, so
/// that a date range is a walk back through `comments_by_time` from its
/// end.
const NEWEST_COMMENTS: &str = concat!(
    "SELECT ",
    comment_marks!(),
    " FROM (SELECT c.id, c.created_at ",
    matching_comments!(),
    " ORDER BY c.created_at DESC, c.id DESC LIMIT $10) hit
     JOIN comments c ON c.id = hit.id
     ORDER BY hit.created_at DESC, hit.id DESC"
);

/// The text for `to_tsquery('parley', …)`: every group must match, any
/// term of a group will do, no excluded term may match; a term's words
/// must follow one another, and a prefix term's last word may go on.
/// With `titles_only`, every word must be in the title (weight A).
///
/// `None` when there is nothing to look for, as [`Parsed::fts`] says; also
/// when a group has no term with a word in it, which [`Parsed`] never
/// makes (such a group could match nothing). An excluded term without a
/// word excludes nothing and is left out.
pub(super) fn tsquery(parsed: &Parsed, titles_only: bool) -> Option<String> {
    let weight = if titles_only { "A" } else { "" };
    written(parsed, |t| phrase(t, weight), |t| phrase(t, weight))
}

/// [`Asked::loose`]: [`tsquery`] with `&` for `<->` and no weights. An
/// excluded phrase is left out, and with `titles_only` every excluded
/// term: leaving out every row with the phrase's words, or with the word
/// anywhere, would leave out more than the query does.
fn loose(parsed: &Parsed, titles_only: bool) -> Option<String> {
    written(
        parsed,
        |t| joined(t, " & ", ""),
        |t| match words(t).len() {
            1 if !titles_only => joined(t, "", ""),
            _ => None,
        },
    )
}

/// A query's tsquery text, with `term` writing each term of its groups
/// and `excluded` each excluded term (`None`: the term adds nothing).
fn written(
    parsed: &Parsed,
    term: impl Fn(&Term) -> Option<String>,
    excluded: impl Fn(&Term) -> Option<String>,
) -> Option<String> {
    let mut groups = Vec::with_capacity(parsed.groups.len());
    for group in &parsed.groups {
        let terms: Vec<String> = group.iter().filter_map(&term).collect();
        if terms.is_empty() {
            return None;
        }
        groups.push(format!("({})", terms.join(" | ")));
    }
    if groups.is_empty() {
        return None;
    }
    let mut query = groups.join(" & ");
    let excluded: Vec<String> = parsed.excluded.iter().filter_map(excluded).collect();
    if !excluded.is_empty() {
        query.push_str(" & !(");
        query.push_str(&excluded.join(" | "));
        query.push(')');
    }
    Some(query)
}

/// A term as tsquery: its words in order (`<->`), each quoted, the last a
/// prefix when the term is. `None` when it has no word.
fn phrase(term: &Term, weight: &str) -> Option<String> {
    joined(term, " <-> ", weight)
}

/// A term's words as quoted operands between `operator`, with `weight`
/// on each and the last a prefix when the term is; in parentheses when
/// there are several. `None` when it has no word.
fn joined(term: &Term, operator: &str, weight: &str) -> Option<String> {
    let words = words(term);
    let last = words.len().checked_sub(1)?;
    let operands: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let prefix = if term.prefix && i == last { "*" } else { "" };
            let mark = if prefix.is_empty() && weight.is_empty() {
                ""
            } else {
                ":"
            };
            format!("{}{mark}{prefix}{weight}", quoted(w))
        })
        .collect();
    Some(match operands.as_slice() {
        [one] => one.clone(),
        many => format!("({})", many.join(operator)),
    })
}

/// A term's words, cut as the index cuts them ([`in_word`]).
fn words(term: &Term) -> Vec<&str> {
    term.text
        .split(|c| !in_word(c))
        .filter(|w| !w.is_empty())
        .collect()
}

/// `word` as a tsquery operand: in single quotes, with quotes doubled and
/// backslashes escaped. A word from [`in_word`] holds neither; this keeps
/// the operand whole should that ever change.
fn quoted(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    out.push('\'');
    for c in word.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Whether `c` stays inside a word: FTS5's token characters (letters,
/// digits, private use) and combining marks, which PostgreSQL's parser (in
/// a UTF-8 locale) takes for letters, so "cafe\u{301}s" and "हिंदी" are one
/// word in the index. Where PostgreSQL cuts finer than this, `to_tsquery`
/// makes the pieces a phrase, as they stand in the indexed text.
fn in_word(c: char) -> bool {
    is_token_char(c) || c.general_category_group() == GeneralCategoryGroup::Mark
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tsq(input: &str) -> Option<String> {
        tsquery(&Parsed::new(input), false)
    }

    #[test]
    fn words_are_all_required_and_the_last_is_also_a_prefix() {
        assert_eq!(tsq("tide lun").as_deref(), Some("('tide') & ('lun':*)"));
        assert_eq!(tsq("tide lu").as_deref(), Some("('tide') & ('lu')"));
        assert_eq!(
            tsq("lun eclipse").as_deref(),
            Some("('lun') & ('eclipse':*)")
        );
    }

    #[test]
    fn accents_and_case_are_left_to_postgresql() {
        // to_tsquery folds them with the dictionaries the index used.
        assert_eq!(tsq("CAFÉ").as_deref(), Some("('CAFÉ':*)"));
        assert_eq!(
            tsq("\"São Paulo\"").as_deref(),
            Some("(('São' <-> 'Paulo'))")
        );
    }

    #[test]
    fn phrases_exclusions_and_or() {
        assert_eq!(
            tsq(r#""slow reading" -draft tea OR coffee"#).as_deref(),
            Some("(('slow' <-> 'reading')) & ('tea' | 'coffee':*) & !('draft')")
        );
        assert_eq!(
            tsq(r#"kite -"red sky" -blue"#).as_deref(),
            Some("('kite') & !(('red' <-> 'sky') | 'blue')")
        );
        assert_eq!(tsq("-alone"), None);
        assert_eq!(tsq("OR OR"), None);
    }

    #[test]
    fn a_prefix_is_only_the_last_word_of_its_term() {
        // FTS5: "body:lun"* is the phrase body, lun*.
        assert_eq!(tsq("body:lun").as_deref(), Some("(('body' <-> 'lun':*))"));
        // Quoted, it is no prefix at all.
        assert_eq!(
            tsq("\"lunar ecl\"").as_deref(),
            Some("(('lunar' <-> 'ecl'))")
        );
    }

    #[test]
    fn punctuation_cuts_words_as_fts5_does() {
        assert_eq!(tsq("body:text").as_deref(), Some("(('body' <-> 'text':*))"));
        assert_eq!(
            tsq("ada@example.com").as_deref(),
            Some("(('ada' <-> 'example' <-> 'com':*))")
        );
        assert_eq!(tsq("don't").as_deref(), Some("(('don' <-> 't'))"));
        // A combining accent stays inside its word (the query reader, which
        // counts letters only, sees a last word "s": no prefix).
        assert_eq!(tsq("cafe\u{301}s").as_deref(), Some("('cafe\u{301}s')"));
    }

    #[test]
    fn titles_only_weighs_every_word_as_title() {
        assert_eq!(
            tsquery(&Parsed::new("moon -sun \"red kite\" lun"), true).as_deref(),
            Some("('moon':A) & (('red':A <-> 'kite':A)) & ('lun':*A) & !('sun':A)")
        );
    }

    #[test]
    fn tsquery_syntax_in_the_input_is_only_text() {
        for input in [
            r#"'":*&|!()<>\"#,
            "a & b | !c",
            "'a' <-> 'b':*",
            "x:*A",
            "a\\' | 'b",
            "NEAR(a b, 2)",
            "((a)",
            "a\u{0}b",
            "🎉 party",
        ] {
            let Some(query) = tsq(input) else { continue };
            assert_only_our_syntax(&query, input);
        }
        assert_eq!(tsq(r#"'":*&|!()<>\"#), None);
        assert_eq!(tsq("a & b | !c").as_deref(), Some("('a') & ('b') & ('c')"));
        assert_eq!(tsq("a\u{0}b").as_deref(), Some("('a') & ('b')"));
        assert_eq!(tsq("🎉 party").as_deref(), Some("('party':*)"));
        assert_eq!(tsq("🎉"), None);
    }

    #[test]
    fn quotes_and_backslashes_in_a_word_stay_inside_its_operand() {
        // Parsed never makes such a word; a Term can still hold one.
        assert_eq!(quoted("it's"), "'it''s'");
        assert_eq!(quoted(r"a\b"), r"'a\\b'");
        assert_eq!(quoted(r"\'"), r"'\\'''");
    }

    #[test]
    fn every_input_gives_nothing_or_a_well_formed_query() {
        let long = "word ".repeat(2_000);
        let inputs = [
            "",
            " ",
            "\"",
            "\"\"",
            "\"unbalanced",
            "a\"b\"c\"",
            "*",
            "a*",
            "-",
            "--",
            "-\"\"",
            "OR",
            "a OR",
            "OR a",
            "a OR OR b",
            "NOT a",
            "body : x",
            "{body}: x",
            "^start",
            "a + b",
            "(",
            ")",
            ":",
            "'",
            "\\",
            "\u{0}",
            "\u{202E}evil",
            "ü",
            "İstanbul",
            "%",
            "a%b_c",
            "*:",
            "\"*\"",
            "a\"*",
            "-a -b -c",
            long.as_str(),
        ];
        for input in inputs {
            for titles_only in [false, true] {
                let parsed = Parsed::new(input);
                let query = tsquery(&parsed, titles_only);
                assert_eq!(query.is_none(), parsed.is_empty(), "{input:?}");
                if let Some(query) = query {
                    assert_only_our_syntax(&query, input);
                }
            }
        }
        let many = tsq(&long).unwrap_or_default();
        assert_eq!(
            many.matches("'word'").count(),
            crate::search::query::MAX_TERMS
        );
    }

    fn asked(input: &str) -> Option<Asked> {
        Asked::new(&Parsed::new(input), false)
    }

    #[test]
    fn the_index_is_asked_the_words_of_a_phrase_and_its_pairs() {
        let river = asked(r#""the river" -"red sky" -blue tea OR "hot coffee""#).unwrap();
        assert_eq!(
            river.full,
            "(('the' <-> 'river')) & ('tea' | ('hot' <-> 'coffee')) & !(('red' <-> 'sky') | 'blue')"
        );
        // The phrase alone in its group is asked as its pairs; a phrase
        // with another term beside it is not needed by every match, and is
        // asked as its words in any order. Only the exclusion that leaves
        // out no more stays.
        assert_eq!(river.phrases, Some(vec!["the river".to_string()]));
        assert_eq!(
            river.loose.as_deref(),
            Some("('tea' | ('hot' & 'coffee')) & !('blue')")
        );
        assert!(river.checked());
        // A phrase alone is only pairs; its exclusions are left to the check.
        let alone = asked(r#""the river" -blue"#).unwrap();
        assert_eq!(alone.loose, None);
        assert_eq!(alone.phrases, Some(vec!["the river".to_string()]));
        let two = asked(r#""the river" "of time""#).unwrap();
        assert_eq!(
            two.phrases,
            Some(vec!["the river".to_string(), "of time".to_string()])
        );
    }

    #[test]
    fn words_alone_are_answered_by_the_index() {
        let words = asked("tide -storm heron OR egret lun").unwrap();
        assert_eq!(words.loose.as_deref(), Some(words.full.as_str()));
        assert_eq!(words.phrases, None);
        assert!(!words.checked());
    }

    #[test]
    fn a_prefix_word_is_no_part_of_a_pair() {
        // body:lun is the phrase body, lun* (FTS5's "body lun"*).
        let lun = asked("body:lun").unwrap();
        assert_eq!(lun.loose.as_deref(), Some("(('body' & 'lun':*))"));
        assert_eq!(lun.phrases, None);
        let com = asked("ada@example.com").unwrap();
        assert_eq!(com.phrases, Some(vec!["ada example".to_string()]));
        assert_eq!(com.loose, None);
    }

    #[test]
    fn titles_only_is_checked_in_the_row() {
        // The index has no weights: every row with the word comes back,
        // and only those with it in the title are kept.
        let asked = asked_titles("moon -sun");
        assert_eq!(asked.full, "('moon':A) & !('sun':A)");
        assert_eq!(asked.loose.as_deref(), Some("('moon')"));
        assert!(asked.checked());
    }

    fn asked_titles(input: &str) -> Asked {
        Asked::new(&Parsed::new(input), true).unwrap_or_else(|| panic!("{input:?}"))
    }

    #[test]
    fn five_hundred_letters_are_one_prefix_word() {
        let query = tsq(&"a".repeat(500)).unwrap_or_default();
        assert_eq!(query, format!("('{}':*)", "a".repeat(500)));
    }

    #[test]
    fn a_group_without_words_matches_nothing() {
        let parsed = Parsed {
            groups: vec![vec![Term {
                text: "*".into(),
                prefix: false,
            }]],
            excluded: vec![Term {
                text: "-".into(),
                prefix: false,
            }],
        };
        assert_eq!(tsquery(&parsed, false), None);
        let parsed = Parsed {
            excluded: Vec::new(),
            ..Parsed::new("moon")
        };
        assert_eq!(tsquery(&parsed, false).as_deref(), Some("('moon':*)"));
    }

    /// Outside its quoted operands, `query` holds only what this module
    /// writes.
    fn assert_only_our_syntax(query: &str, input: &str) {
        let mut outside = String::new();
        let mut chars = query.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\'' {
                outside.push(c);
                continue;
            }
            // Inside an operand: '' is a quote, \ escapes the next.
            loop {
                match chars.next() {
                    Some('\\') => {
                        chars.next();
                    }
                    Some('\'') if chars.peek() == Some(&'\'') => {
                        chars.next();
                    }
                    Some('\'') | None => break,
                    Some(_) => {}
                }
            }
            outside.push('W');
        }
        let ours = outside
            .replace("<->", "")
            .replace(":*A", "")
            .replace(":*", "")
            .replace(":A", "");
        assert!(
            ours.chars().all(|c| "W()&|! ".contains(c)),
            "{input:?} gave {query:?}"
        );
    }
}
