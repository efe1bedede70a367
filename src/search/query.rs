//! What a person types into the search field, turned into an FTS5 query
//! that cannot fail.
//!
//! FTS5's own syntax is not for people: a stray `"`, a `*` alone, `NEAR(`,
//! `body:x` or a lone `-` are errors or mean something else. So nothing a
//! person types reaches FTS5 as syntax. Their words become quoted strings
//! (FTS5 then splits each into tokens exactly as it indexed the text), and
//! the few operators people know are read here:
//!
//! - `"two words"`: a phrase (an unclosed quote runs to the end);
//! - `-word`, `-"two words"`: leave out what has it;
//! - `OR` (in capitals) between two terms: either will do; otherwise every
//!   term must be there;
//! - the last plain word, when it has 3 or more letters, also matches as
//!   the start of a longer word: the person may still be typing it.

/// The most of a query that is read: longer input is cut (at a character
/// boundary) rather than refused.
pub const MAX_QUERY_CHARS: usize = 500;

/// The most terms a query keeps; the rest are ignored.
pub const MAX_TERMS: usize = 32;

/// Letters the last word needs before it also matches longer words.
const PREFIX_FROM: usize = 3;

/// One thing to look for: a word, or words that must appear in this order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// As typed (without its quotes or minus).
    pub text: String,
    /// Also matches words that start with its last word.
    pub prefix: bool,
}

/// A query read from what a person typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Every group must match; a group matches when any of its terms does.
    pub groups: Vec<Vec<Term>>,
    /// None of these may match.
    pub excluded: Vec<Term>,
}

impl Parsed {
    /// Reads `input`. Never fails: what cannot be a term is left out.
    pub fn new(input: &str) -> Self {
        let input = match input.char_indices().nth(MAX_QUERY_CHARS) {
            Some((at, _)) => input.get(..at).unwrap_or(input),
            None => input,
        };
        // Control characters (a NUL among them) are spaces here.
        let input: String = input
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let mut parsed = Parsed::default();
        let mut join_next = false;
        let mut last_plain: Option<(usize, usize)> = None;
        let mut count = 0;
        for raw in lex(&input) {
            match raw {
                Raw::Or => {
                    join_next = !parsed.groups.is_empty();
                    continue;
                }
                Raw::Term {
                    text,
                    negated,
                    quoted,
                } => {
                    if !has_token(&text) || count >= MAX_TERMS {
                        continue;
                    }
                    count += 1;
                    let term = Term {
                        text,
                        prefix: false,
                    };
                    if negated {
                        parsed.excluded.push(term);
                        join_next = false;
                        last_plain = None;
                        continue;
                    }
                    match parsed.groups.last_mut() {
                        Some(group) if join_next => group.push(term),
                        _ => parsed.groups.push(vec![term]),
                    }
                    join_next = false;
                    let group = parsed.groups.len() - 1;
                    let at = parsed.groups.last().map_or(0, |g| g.len() - 1);
                    last_plain = (!quoted).then_some((group, at));
                }
            }
        }
        if let Some((group, at)) = last_plain {
            if let Some(term) = parsed.groups.get_mut(group).and_then(|g| g.get_mut(at)) {
                term.prefix = last_word_letters(&term.text) >= PREFIX_FROM;
            }
        }
        parsed
    }

    /// Whether there is anything to look for. A query of only exclusions
    /// has nothing: "everything except" is not a search.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The FTS5 query, restricted to `column` when given. `None` when
    /// there is nothing to look for.
    pub fn fts(&self, column: Option<&str>) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let phrase = |t: &Term| {
            let mut s = String::new();
            if let Some(column) = column {
                s.push_str(column);
                s.push_str(" : ");
            }
            s.push('"');
            s.push_str(&t.text.replace('"', "\"\""));
            s.push('"');
            if t.prefix {
                s.push('*');
            }
            s
        };
        let group = |g: &[Term]| {
            let parts: Vec<String> = g.iter().map(phrase).collect();
            format!("({})", parts.join(" OR "))
        };
        let mut query = self
            .groups
            .iter()
            .map(|g| group(g))
            .collect::<Vec<_>>()
            .join(" AND ");
        if !self.excluded.is_empty() {
            query = format!("({query}) NOT {}", group(&self.excluded));
        }
        Some(query)
    }

    /// The words to look for, for highlighting them where the person goes
    /// next (exclusions are not there to highlight).
    pub fn words(&self) -> Vec<HighlightWord> {
        self.groups
            .iter()
            .flatten()
            .flat_map(|t| {
                let words: Vec<&str> = t
                    .text
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                let last = words.len().saturating_sub(1);
                words
                    .into_iter()
                    .enumerate()
                    .map(|(i, w)| HighlightWord {
                        word: w.to_owned(),
                        prefix: t.prefix && i == last,
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// A word to highlight in an article: whole, or as the start of a word.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct HighlightWord {
    pub word: String,
    pub prefix: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum Raw {
    Term {
        text: String,
        negated: bool,
        quoted: bool,
    },
    Or,
}

/// Splits input into terms and `OR`s. Quotes make phrases; an unclosed
/// quote runs to the end; a `-` directly before a term excludes it.
fn lex(input: &str) -> Vec<Raw> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut negated = false;
        if c == '-' {
            chars.next();
            negated = true;
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let text: String = chars.by_ref().take_while(|&c| c != '"').collect();
            out.push(Raw::Term {
                text,
                negated,
                quoted: true,
            });
            continue;
        }
        let mut text = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '"' {
                break;
            }
            text.push(c);
            chars.next();
        }
        if text == "OR" && !negated {
            out.push(Raw::Or);
        } else {
            out.push(Raw::Term {
                text,
                negated,
                quoted: false,
            });
        }
    }
    out
}

/// Whether FTS5's unicode61 tokenizer finds at least one token in `text`:
/// it keeps letters, digits and private-use characters, and splits on
/// everything else. A term without one (`*`, `-`, `:`, an emoji) could
/// match nothing and is left out.
fn has_token(text: &str) -> bool {
    text.chars().any(is_token_char)
}

pub(super) fn is_token_char(c: char) -> bool {
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter | GeneralCategoryGroup::Number
    ) || matches!(c, '\u{E000}'..='\u{F8FF}')
}

/// Letters and digits in the last word of `text`.
fn last_word_letters(text: &str) -> usize {
    text.split(|c: char| !is_token_char(c))
        .rfind(|w| !w.is_empty())
        .map_or(0, |w| w.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fts(input: &str) -> Option<String> {
        Parsed::new(input).fts(None)
    }

    #[test]
    fn words_are_all_required_and_the_last_is_also_a_prefix() {
        assert_eq!(fts("tide lun").as_deref(), Some(r#"("tide") AND ("lun"*)"#));
        assert_eq!(fts("tide lu").as_deref(), Some(r#"("tide") AND ("lu")"#));
    }

    #[test]
    fn phrases_exclusions_and_or() {
        assert_eq!(
            fts(r#""slow reading" -draft tea OR coffee"#).as_deref(),
            Some(r#"(("slow reading") AND ("tea" OR "coffee"*)) NOT ("draft")"#)
        );
        assert_eq!(fts("-alone"), None);
        assert_eq!(fts("OR OR"), None);
    }

    #[test]
    fn syntax_from_fts5_is_only_text() {
        assert_eq!(fts(r#"body:x"#).as_deref(), Some(r#"("body:x")"#));
        assert_eq!(fts("NEAR(a b").as_deref(), Some(r#"("NEAR(a") AND ("b")"#));
        assert_eq!(fts(r#"say "hi"#).as_deref(), Some(r#"("say") AND ("hi")"#));
        assert_eq!(fts(r#"a""b"#).as_deref(), Some(r#"("a") AND ("b")"#));
        assert_eq!(fts("* - \" \u{0} 🎉"), None);
    }

    #[test]
    fn a_column_restricts_every_term() {
        assert_eq!(
            Parsed::new("moon -sun").fts(Some("title")).as_deref(),
            Some(r#"((title : "moon")) NOT (title : "sun")"#)
        );
    }

    #[test]
    fn long_input_is_cut_not_refused() {
        let long = "word ".repeat(5_000);
        let parsed = Parsed::new(&long);
        assert_eq!(parsed.groups.len(), MAX_TERMS);
    }

    #[test]
    fn words_to_highlight_split_phrases() {
        let words = Parsed::new(r#""Slow reading" caf"#).words();
        let got: Vec<(&str, bool)> = words.iter().map(|w| (w.word.as_str(), w.prefix)).collect();
        assert_eq!(got, [("Slow", false), ("reading", false), ("caf", true)]);
    }
}
