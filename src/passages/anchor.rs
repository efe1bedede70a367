//! Placing a passage again on an article's new text, in order of
//! confidence:
//!
//! 1. **Exact**: its words are still where they were, with its context.
//! 2. **Moved**: its words are found elsewhere; the occurrence whose
//!    context matches best (then the nearest to the old place) is taken,
//!    and only if the context confirms it, or the quote is long enough to
//!    be found only once by chance.
//! 3. **Fuzzy**: words that changed a little (at most a tenth of their
//!    characters), near the old place, and confirmed by the words around
//!    them; a match that could be in two places is not taken.
//! 4. Otherwise **gone**: shown as "no longer in the article", never moved
//!    onto words it was not about.

use serde::Serialize;
use ts_rs::TS;

use super::selector::Selector;

/// Where a passage is on the new text (offsets in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "how")]
pub enum Placement {
    Exact { start: u32, end: u32 },
    Moved { start: u32, end: u32 },
    Fuzzy { start: u32, end: u32 },
    Gone,
}

impl Placement {
    /// The range placed, if any.
    pub fn range(self) -> Option<(u32, u32)> {
        match self {
            Placement::Exact { start, end }
            | Placement::Moved { start, end }
            | Placement::Fuzzy { start, end } => Some((start, end)),
            Placement::Gone => None,
        }
    }
}

/// Context characters that must agree to confirm a place (fewer when the
/// passage is at the very start or end of the text).
const CONFIRMING_CONTEXT: usize = 8;
/// A quote at least this long, found exactly once, is taken without its
/// context (a paragraph moved elsewhere keeps its words, not its
/// neighbours).
const UNIQUE_ENOUGH: usize = 24;
/// The shortest quote placed by approximate matching.
const FUZZY_MIN_CHARS: usize = 16;
/// The share of a quote's characters that may have changed (edits, in
/// tenths of a percent: 100 = 10%).
const FUZZY_PER_MILLE: usize = 100;
/// How far from its old place a changed passage is looked for.
const FUZZY_WINDOW: usize = 4_000;

/// Quotes are looked up by their first this many characters.
const KEY_CHARS: usize = 6;

/// An article's text, prepared once for placing many passages on it: its
/// characters, and where each run of [`KEY_CHARS`] characters starts, so a
/// quote's occurrences are found without reading the whole text again.
#[derive(Debug)]
pub struct Text<'a> {
    text: &'a str,
    chars: Vec<char>,
    /// The byte offset of each character, and of the end.
    bytes: Vec<usize>,
    starts: std::collections::HashMap<u64, Vec<u32>>,
}

/// A key for `chars` (exactly [`KEY_CHARS`] of them).
fn key(chars: &[char]) -> u64 {
    chars.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, &c| {
        (hash ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl<'a> Text<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(at, _)| at).collect();
        bytes.push(text.len());
        let chars: Vec<char> = text.chars().collect();
        let mut starts: std::collections::HashMap<u64, Vec<u32>> = Default::default();
        for (at, window) in chars.windows(KEY_CHARS).enumerate() {
            starts.entry(key(window)).or_default().push(at as u32);
        }
        Self {
            text,
            chars,
            bytes,
            starts,
        }
    }

    /// Where `quote` starts in the text, overlapping occurrences too.
    fn occurrences(&self, quote: &[char], exact: &str) -> Vec<usize> {
        match quote.get(..KEY_CHARS) {
            Some(head) => self
                .starts
                .get(&key(head))
                .into_iter()
                .flatten()
                .map(|&at| at as usize)
                .filter(|&at| self.chars.get(at..at + quote.len()) == Some(quote))
                .collect(),
            // A very short quote: read the text for it.
            None => {
                let mut found = Vec::new();
                let mut from = 0;
                while let Some(at) = self.text.get(from..).and_then(|t| t.find(exact)) {
                    let byte = from + at;
                    found.push(self.char_at_byte(byte));
                    from = byte
                        + self
                            .text
                            .get(byte..)
                            .and_then(|t| t.chars().next())
                            .map_or(1, char::len_utf8);
                }
                found
            }
        }
    }

    fn len(&self) -> usize {
        self.chars.len()
    }

    /// The character index of a byte offset that starts a character.
    fn char_at_byte(&self, byte: usize) -> usize {
        self.bytes.partition_point(|b| *b < byte)
    }
}

/// Places `selector` on `text`.
pub fn place(selector: &Selector, text: &str) -> Placement {
    place_on(selector, &Text::new(text))
}

/// Places `selector` on a prepared text (for many passages on one text).
pub fn place_on(selector: &Selector, text: &Text<'_>) -> Placement {
    let quote: Vec<char> = selector.exact.chars().collect();
    if quote.is_empty() {
        return Placement::Gone;
    }
    let prefix: Vec<char> = selector.prefix.chars().collect();
    let suffix: Vec<char> = selector.suffix.chars().collect();
    let needed = CONFIRMING_CONTEXT.min(prefix.len() + suffix.len());
    let (start, end) = (selector.start as usize, selector.end as usize);

    // Every place its words are, with how much of its context agrees.
    let found: Vec<(usize, usize)> = text
        .occurrences(&quote, &selector.exact)
        .into_iter()
        .map(|at| (at, context(text, &prefix, &suffix, at, at + quote.len())))
        .collect();
    if let Some(best) = found.iter().map(|&(_, score)| score).max() {
        let mut places = found.iter().filter(|&&(_, score)| score == best);
        let (Some(&(at, _)), None) = (places.next(), places.next()) else {
            // The same words with the same context in two places: nothing
            // in the text says which one it was.
            return Placement::Gone;
        };
        // Found once: taken if long enough not to be chance, or if there
        // was no context to confirm it by (the quote was the whole text).
        let unique = found.len() == 1 && (quote.len() >= UNIQUE_ENOUGH || needed == 0);
        // Context that changed a little around words that did not still
        // confirms them, when they are found only once.
        let confirmed = found.len() == 1
            && context_similarity(text, &prefix, &suffix, at, at + quote.len()) >= needed.max(1);
        if best >= needed.max(1) || unique || confirmed {
            let (first, last) = (at as u32, (at + quote.len()) as u32);
            return if at == start && end <= text.len() {
                Placement::Exact {
                    start: first,
                    end: last,
                }
            } else {
                Placement::Moved {
                    start: first,
                    end: last,
                }
            };
        }
    }

    // 3. Words that changed a little, near where they were.
    fuzzy(text, &quote, &prefix, &suffix, start).unwrap_or(Placement::Gone)
}

/// How many context characters agree around `start..end`: the prefix's
/// end against the text before, the suffix's start against the text after.
fn context(text: &Text<'_>, prefix: &[char], suffix: &[char], start: usize, end: usize) -> usize {
    let before = prefix
        .iter()
        .rev()
        .zip(text.chars.get(..start).unwrap_or_default().iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let after = suffix
        .iter()
        .zip(text.chars.get(end..).unwrap_or_default().iter())
        .take_while(|(a, b)| a == b)
        .count();
    before + after
}

/// The best approximate occurrence of `quote` within the window around
/// `near`, if it is close enough, unambiguous and confirmed by context.
fn fuzzy(
    text: &Text<'_>,
    quote: &[char],
    prefix: &[char],
    suffix: &[char],
    near: usize,
) -> Option<Placement> {
    if quote.len() < FUZZY_MIN_CHARS {
        return None;
    }
    let allowed = quote.len() * FUZZY_PER_MILLE / 1000;
    let from = near.saturating_sub(FUZZY_WINDOW);
    let to = (near + quote.len() + FUZZY_WINDOW).min(text.len());
    let window = text.chars.get(from..to)?;
    let ends = approximate_ends(quote, window, allowed);
    let best = ends.iter().map(|&(_, d)| d).min()?;
    // Ends of one match cluster together; two clusters at the best
    // distance are two places it could be.
    let at_best: Vec<usize> = ends
        .iter()
        .filter(|&&(_, d)| d == best)
        .map(|&(e, _)| e)
        .collect();
    let first = *at_best.first()?;
    let last = *at_best.last()?;
    if last - first > quote.len() / 2 {
        return None;
    }
    let end_in_window = first;
    let start_in_window = approximate_start(quote, window, end_in_window, allowed)?;
    let (start, end) = (from + start_in_window, from + end_in_window);
    // Confirmed by what surrounds it, allowing the same share of change.
    let around = context_similarity(text, prefix, suffix, start, end);
    let wanted = CONFIRMING_CONTEXT.min(prefix.len() + suffix.len());
    if around < wanted {
        return None;
    }
    Some(Placement::Fuzzy {
        start: start as u32,
        end: end as u32,
    })
}

/// Every end (exclusive, in `text`) of a substring within `allowed` edits
/// of `pattern`, with its distance (Sellers' algorithm).
fn approximate_ends(pattern: &[char], text: &[char], allowed: usize) -> Vec<(usize, usize)> {
    let mut column: Vec<usize> = (0..=pattern.len()).collect();
    let mut ends = Vec::new();
    for (j, &c) in text.iter().enumerate() {
        // Row 0 stays 0: a match may start anywhere.
        let (mut diagonal, mut above) = (0, 0);
        for (cell, &p) in column.iter_mut().skip(1).zip(pattern) {
            let left = *cell;
            let value = (diagonal + usize::from(p != c))
                .min(left + 1)
                .min(above + 1);
            diagonal = left;
            *cell = value;
            above = value;
        }
        if let Some(&d) = column.last().filter(|&&d| d <= allowed) {
            ends.push((j + 1, d));
        }
    }
    ends
}

/// Where the best match ending at `end` starts: the same search run
/// backwards from `end`.
fn approximate_start(pattern: &[char], text: &[char], end: usize, allowed: usize) -> Option<usize> {
    let reversed: Vec<char> = pattern.iter().rev().copied().collect();
    let reach = (pattern.len() + allowed).min(end);
    let behind: Vec<char> = text.get(end - reach..end)?.iter().rev().copied().collect();
    let ends = approximate_ends(&reversed, &behind, allowed);
    let best = ends.iter().map(|&(_, d)| d).min()?;
    // The longest of the best (a match may not begin with dropped words).
    let length = ends
        .iter()
        .filter(|&&(_, d)| d == best)
        .map(|&(e, _)| e)
        .max()?;
    Some(end - length)
}

/// How many context characters agree, allowing small changes: each side
/// counts its length when it is within a quarter of edits of the text
/// beside the match (the match's edge may be off by a changed word, so the
/// text beside it is read a little further), and nothing otherwise.
fn context_similarity(
    text: &Text<'_>,
    prefix: &[char],
    suffix: &[char],
    start: usize,
    end: usize,
) -> usize {
    let close = |expected: &[char], beside: &[char]| {
        !expected.is_empty() && anchored_distance(expected, beside) * 4 <= expected.len().max(8)
    };
    let slack = |side: &[char]| side.len() + side.len() / 4;
    let before: Vec<char> = text
        .chars
        .get(start.saturating_sub(slack(prefix))..start)
        .unwrap_or_default()
        .iter()
        .rev()
        .copied()
        .collect();
    let after = text
        .chars
        .get(end..(end + slack(suffix)).min(text.len()))
        .unwrap_or_default();
    let reversed: Vec<char> = prefix.iter().rev().copied().collect();
    let mut agreeing = 0;
    if close(&reversed, &before) {
        agreeing += prefix.len();
    }
    if close(suffix, after) {
        agreeing += suffix.len();
    }
    agreeing
}

/// The fewest edits that turn `pattern` into some beginning of `text`
/// (the text may run on past it).
fn anchored_distance(pattern: &[char], text: &[char]) -> usize {
    // column[i]: edits between pattern[..i] and text[..j] so far.
    let mut column: Vec<usize> = (0..=pattern.len()).collect();
    let mut best = pattern.len();
    for (j, &c) in text.iter().enumerate() {
        let mut diagonal = j;
        if let Some(first) = column.first_mut() {
            *first = j + 1;
        }
        let mut above = j + 1;
        for (cell, &p) in column.iter_mut().skip(1).zip(pattern) {
            let left = *cell;
            let value = (diagonal + usize::from(p != c))
                .min(left + 1)
                .min(above + 1);
            diagonal = left;
            *cell = value;
            above = value;
        }
        best = best.min(column.last().copied().unwrap_or(best));
    }
    best
}

#[cfg(test)]
mod tests;
