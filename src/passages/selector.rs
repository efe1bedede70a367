//! What a passage is: its quote, the words around it, and its place.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Error, Result};

/// How many characters of context a selector keeps on each side.
pub const CONTEXT_CHARS: usize = 32;

/// The longest passage one may quote: a few paragraphs, not an article.
pub const MAX_QUOTE_CHARS: usize = 2_000;

/// A passage of one version of an article's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Selector {
    /// The words quoted, exactly as the text has them.
    pub exact: String,
    /// Up to [`CONTEXT_CHARS`] characters just before them.
    pub prefix: String,
    /// Up to [`CONTEXT_CHARS`] characters just after them.
    pub suffix: String,
    /// Where the quote starts and ends in the text (characters).
    pub start: u32,
    pub end: u32,
}

impl Selector {
    /// The passage from `start` to `end` (characters) of `text`, with its
    /// context taken from the text. Refused with a message a person can
    /// act on when the range is not a passage of this text.
    pub fn at(text: &str, start: u32, end: u32) -> Result<Self> {
        let chars: Vec<char> = text.chars().collect();
        let (from, to) = (start as usize, end as usize);
        if from >= to {
            return Err(Error::invalid("Select some words of the article first."));
        }
        if to > chars.len() {
            return Err(Error::invalid(
                "That passage is not in this version of the article: it may have changed. \
                 Open it again and select the words once more.",
            ));
        }
        let exact: String = chars.get(from..to).unwrap_or_default().iter().collect();
        if exact.trim().is_empty() {
            return Err(Error::invalid(
                "A passage needs words in it, not only spaces.",
            ));
        }
        if to - from > MAX_QUOTE_CHARS {
            return Err(Error::invalid(format!(
                "A passage can be at most {MAX_QUOTE_CHARS} characters; this one has {}. \
                 Select less, or comment on the whole article.",
                to - from
            )));
        }
        let prefix: String = chars
            .get(from.saturating_sub(CONTEXT_CHARS)..from)
            .unwrap_or_default()
            .iter()
            .collect();
        let suffix: String = chars
            .get(to..(to + CONTEXT_CHARS).min(chars.len()))
            .unwrap_or_default()
            .iter()
            .collect();
        Ok(Self {
            exact,
            prefix,
            suffix,
            start,
            end,
        })
    }

    /// Checks a selector sent from outside against the text it claims to
    /// be of: the same as [`Selector::at`] would make from its offsets.
    pub fn checked(self, text: &str) -> Result<Self> {
        let made = Self::at(text, self.start, self.end)?;
        if made.exact != self.exact {
            return Err(Error::invalid(
                "That passage is not in this version of the article: it may have changed. \
                 Open it again and select the words once more.",
            ));
        }
        Ok(made)
    }

    /// How many characters the quote has.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "The council voted on Tuesday. Four night routes will run from January, \
                        every thirty minutes between midnight and five.";

    fn offsets(text: &str, words: &str) -> (u32, u32) {
        let byte = text.find(words).unwrap_or(0);
        let start = text[..byte].chars().count() as u32;
        (start, start + words.chars().count() as u32)
    }

    #[test]
    fn a_passage_keeps_its_words_and_their_context() {
        let (start, end) = offsets(TEXT, "Four night routes");
        let selector = Selector::at(TEXT, start, end).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(selector.exact, "Four night routes");
        assert_eq!(selector.prefix, "The council voted on Tuesday. ");
        assert_eq!(selector.suffix.chars().count(), CONTEXT_CHARS);
        assert!(selector.suffix.starts_with(" will run"));
        assert_eq!(selector.len(), 17);
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = "Café «crème» — naïve façade";
        let (start, end) = offsets(text, "naïve");
        let selector = Selector::at(text, start, end).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(selector.exact, "naïve");
    }

    #[test]
    fn what_is_not_a_passage_of_the_text_is_refused_with_a_reason() {
        let len = TEXT.chars().count() as u32;
        for (start, end) in [(5, 5), (9, 3), (0, len + 1), (len, len + 4)] {
            assert!(
                matches!(Selector::at(TEXT, start, end), Err(Error::Invalid(_))),
                "{start}..{end}"
            );
        }
        let spaced = "one     two";
        assert!(matches!(Selector::at(spaced, 3, 8), Err(Error::Invalid(_))));
        let long = "word ".repeat(1_000);
        assert!(matches!(
            Selector::at(&long, 0, 2_500),
            Err(Error::Invalid(_))
        ));
        // Offsets that do not hold the quote sent are another version's.
        let (start, end) = offsets(TEXT, "Four night routes");
        let mut forged = Selector::at(TEXT, start, end).unwrap_or_else(|e| panic!("{e}"));
        forged.exact = "Five night routes".into();
        assert!(matches!(forged.checked(TEXT), Err(Error::Invalid(_))));
    }
}
