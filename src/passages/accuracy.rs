//! How well passages are placed again, measured on a generated corpus:
//! articles written from a fixed vocabulary, passages chosen in them, the
//! articles edited at a given rate (words inserted, deleted, replaced,
//! paragraphs moved) while every character remembers where it came from,
//! so each passage's true place in the edited text is known. Each
//! passage is then placed with [`super::place`] and the answer compared
//! with the truth.
//!
//! Used by the unit tests (a small corpus, asserting the targets) and by
//! `examples/passage_accuracy.rs` (the README's table).

use super::anchor::{place_on, Text};
use super::selector::Selector;

/// A small, fixed pseudo-random generator (xorshift64*): the same seed
/// gives the same corpus on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    fn chance(&mut self, per_mille: usize) -> bool {
        self.below(1000) < per_mille
    }
}

/// Words the generated articles are written with: common words repeat a
/// lot, as in real prose, so short quotes recur and moving text is found
/// among look-alikes.
const WORDS: &[&str] = &[
    "the",
    "the",
    "the",
    "of",
    "of",
    "and",
    "and",
    "to",
    "to",
    "a",
    "a",
    "in",
    "in",
    "is",
    "that",
    "for",
    "it",
    "was",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "this",
    "be",
    "are",
    "or",
    "not",
    "have",
    "had",
    "has",
    "will",
    "would",
    "could",
    "their",
    "they",
    "its",
    "which",
    "more",
    "council",
    "river",
    "bridge",
    "school",
    "library",
    "market",
    "harbour",
    "station",
    "garden",
    "budget",
    "plan",
    "report",
    "study",
    "survey",
    "residents",
    "members",
    "workers",
    "children",
    "teachers",
    "farmers",
    "visitors",
    "engineers",
    "nurses",
    "drivers",
    "families",
    "voters",
    "water",
    "power",
    "road",
    "rail",
    "bus",
    "ferry",
    "housing",
    "rent",
    "price",
    "wage",
    "tax",
    "spring",
    "summer",
    "autumn",
    "winter",
    "morning",
    "evening",
    "week",
    "month",
    "year",
    "new",
    "old",
    "small",
    "large",
    "early",
    "late",
    "public",
    "local",
    "national",
    "quiet",
    "busy",
    "cheap",
    "costly",
    "safe",
    "wide",
    "narrow",
    "open",
    "closed",
    "full",
    "empty",
    "voted",
    "agreed",
    "found",
    "said",
    "built",
    "opened",
    "closed",
    "raised",
    "cut",
    "paid",
    "asked",
    "warned",
    "planned",
    "delayed",
    "moved",
    "grew",
    "fell",
    "rose",
    "began",
    "ended",
    "three",
    "four",
    "five",
    "twelve",
    "twenty",
    "hundred",
    "thousand",
    "million",
    "half",
    "per",
    "cent",
    "after",
    "before",
    "during",
    "between",
    "under",
    "over",
    "near",
    "since",
    "because",
    "although",
    "while",
    "until",
    "unless",
    "however",
    "instead",
    "also",
    "only",
    "repairs",
    "floods",
    "storms",
    "lamps",
    "benches",
    "paths",
    "tracks",
    "fares",
    "tickets",
    "meeting",
    "committee",
    "mayor",
    "minister",
    "director",
    "spokesperson",
    "officials",
    "records",
    "figures",
    "numbers",
    "estimates",
    "results",
    "changes",
    "rules",
    "limits",
];

/// A generated article: its text, and the passages chosen in it.
#[derive(Debug, Clone)]
pub struct Article {
    pub text: String,
    pub passages: Vec<(u32, u32)>,
}

fn sentence(rng: &mut Rng) -> String {
    let n = rng.between(8, 22);
    let mut words: Vec<String> = (0..n)
        .map(|_| (*WORDS.get(rng.below(WORDS.len())).unwrap_or(&"and")).to_owned())
        .collect();
    if let Some(first) = words.first_mut() {
        let mut chars = first.chars();
        *first = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
    }
    if rng.chance(150) && n > 6 {
        if let Some(w) = words.get_mut(n / 2) {
            w.push(',');
        }
    }
    format!("{}.", words.join(" "))
}

/// An article of `paragraphs` paragraphs (joined by newlines, as the text
/// of `<p>` elements is) with `passages` passages: whole sentences, or a
/// few words of one.
pub fn article(rng: &mut Rng, paragraphs: usize, passages: usize) -> Article {
    let mut sentences: Vec<(usize, usize)> = Vec::new();
    let mut text = String::new();
    let mut at = 0;
    for p in 0..paragraphs {
        if p > 0 {
            text.push('\n');
            at += 1;
        }
        for s in 0..rng.between(2, 6) {
            if s > 0 {
                text.push(' ');
                at += 1;
            }
            let made = sentence(rng);
            let len = made.chars().count();
            sentences.push((at, at + len));
            text.push_str(&made);
            at += len;
        }
    }
    let chars: Vec<char> = text.chars().collect();
    let mut chosen = Vec::new();
    for _ in 0..passages {
        let Some(&(start, end)) = sentences.get(rng.below(sentences.len())) else {
            break;
        };
        if rng.chance(400) {
            chosen.push((start as u32, end as u32));
            continue;
        }
        // A few words inside the sentence.
        let spaces: Vec<usize> = (start..end)
            .filter(|&i| chars.get(i) == Some(&' '))
            .collect();
        let words = spaces.len() + 1;
        let take = rng.between(2, 10).min(words);
        let first = rng.below(words - take + 1);
        let from = if first == 0 {
            start
        } else {
            spaces.get(first - 1).map_or(start, |s| s + 1)
        };
        let to = spaces.get(first + take - 1).copied().unwrap_or(end);
        if to > from {
            chosen.push((from as u32, to as u32));
        }
    }
    Article {
        text,
        passages: chosen,
    }
}

/// Text being edited: each character with the place it had in the
/// original, or `None` for one the edits wrote.
#[derive(Debug, Clone)]
pub struct Edited {
    pub chars: Vec<(char, Option<usize>)>,
}

impl Edited {
    pub fn of(text: &str) -> Self {
        Self {
            chars: text
                .chars()
                .enumerate()
                .map(|(i, c)| (c, Some(i)))
                .collect(),
        }
    }

    pub fn text(&self) -> String {
        self.chars.iter().map(|(c, _)| c).collect()
    }

    /// Where words start (after a space or newline, or at 0).
    fn word_starts(&self) -> Vec<usize> {
        let mut starts = vec![0];
        for (i, w) in self.chars.windows(2).enumerate() {
            if let [(a, _), (b, _)] = w {
                if (*a == ' ' || *a == '\n') && *b != ' ' && *b != '\n' {
                    starts.push(i + 1);
                }
            }
        }
        starts
    }

    fn word_end(&self, start: usize) -> usize {
        let mut i = start;
        while self
            .chars
            .get(i)
            .is_some_and(|(c, _)| *c != ' ' && *c != '\n')
        {
            i += 1;
        }
        i
    }

    fn insert_words(&mut self, rng: &mut Rng) {
        let starts = self.word_starts();
        let at = starts.get(rng.below(starts.len())).copied().unwrap_or(0);
        let n = rng.between(1, 6);
        let mut new: Vec<(char, Option<usize>)> = Vec::new();
        for _ in 0..n {
            let w = WORDS.get(rng.below(WORDS.len())).unwrap_or(&"new");
            new.extend(w.chars().map(|c| (c, None)));
            new.push((' ', None));
        }
        self.chars.splice(at..at, new);
    }

    fn delete_words(&mut self, rng: &mut Rng) {
        let starts = self.word_starts();
        let first = rng.below(starts.len());
        let n = rng.between(1, 6);
        let (Some(&from), Some(&last)) = (
            starts.get(first),
            starts.get((first + n - 1).min(starts.len() - 1)),
        ) else {
            return;
        };
        let mut to = self.word_end(last);
        // Take the space after, so words do not run together.
        if self.chars.get(to).is_some_and(|(c, _)| *c == ' ') {
            to += 1;
        }
        if to > from {
            self.chars.drain(from..to);
        }
    }

    fn replace_word(&mut self, rng: &mut Rng) {
        let starts = self.word_starts();
        let from = starts.get(rng.below(starts.len())).copied().unwrap_or(0);
        let to = self.word_end(from);
        let w = WORDS.get(rng.below(WORDS.len())).unwrap_or(&"other");
        self.chars.splice(from..to, w.chars().map(|c| (c, None)));
    }

    /// Moves one paragraph to another place among them.
    fn move_paragraph(&mut self, rng: &mut Rng) {
        let text: Vec<Vec<(char, Option<usize>)>> = self
            .chars
            .split(|(c, _)| *c == '\n')
            .map(<[_]>::to_vec)
            .collect();
        if text.len() < 2 {
            return;
        }
        let mut paragraphs = text;
        let from = rng.below(paragraphs.len());
        let moved = paragraphs.remove(from);
        let to = rng.below(paragraphs.len() + 1);
        paragraphs.insert(to, moved);
        let mut out = Vec::with_capacity(self.chars.len());
        for (i, p) in paragraphs.into_iter().enumerate() {
            if i > 0 {
                out.push(('\n', None));
            }
            out.extend(p);
        }
        self.chars = out;
    }

    /// Applies edits touching about `per_mille` thousandths of the words.
    pub fn edit(&mut self, rng: &mut Rng, per_mille: usize) {
        let words = self.word_starts().len();
        let edits = (words * per_mille).div_ceil(1000).max(1);
        for _ in 0..edits {
            match rng.below(100) {
                0..=29 => self.insert_words(rng),
                30..=59 => self.delete_words(rng),
                60..=94 => self.replace_word(rng),
                _ => self.move_paragraph(rng),
            }
        }
    }

    /// Where the original characters `start..end` are now: the span from
    /// the first to the last that survived, and the share of the
    /// original's characters that differ there (an edit distance), or
    /// `None` when none survived.
    pub fn truth(
        &self,
        start: usize,
        end: usize,
        original: &[char],
    ) -> Option<(usize, usize, f64)> {
        let kept: Vec<usize> = self
            .chars
            .iter()
            .enumerate()
            .filter(|(_, (_, o))| o.is_some_and(|o| o >= start && o < end))
            .map(|(i, _)| i)
            .collect();
        let (&first, &last) = (kept.first()?, kept.last()?);
        // A paragraph move can tear a passage apart only if it spanned
        // paragraphs; passages here are in one sentence, so the survivors
        // are one span (with what the edits wrote between them).
        let now: Vec<char> = self
            .chars
            .get(first..=last)
            .unwrap_or_default()
            .iter()
            .map(|(c, _)| *c)
            .collect();
        let was = original.get(start..end).unwrap_or_default();
        let changed = levenshtein(was, &now) as f64 / was.len().max(1) as f64;
        Some((first, last + 1, changed))
    }
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let value = (diagonal + usize::from(ca != cb))
                .min(above + 1)
                .min(left + 1);
            diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// The tally for one edit rate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub articles: usize,
    pub passages: usize,
    /// Placed where its words are (found in place or moved).
    pub exact: usize,
    /// Placed by approximate matching, on its (changed) words.
    pub fuzzy: usize,
    /// Reported as no longer in the article.
    pub gone: usize,
    /// Placed on words that are not its own.
    pub wrong: usize,
    /// Passages whose words survive with at most a tenth changed ...
    pub survivable: usize,
    /// ... and of those, how many were placed on them.
    pub survivable_placed: usize,
    /// Passages none of whose characters survive.
    pub deleted: usize,
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        self.articles += other.articles;
        self.passages += other.passages;
        self.exact += other.exact;
        self.fuzzy += other.fuzzy;
        self.gone += other.gone;
        self.wrong += other.wrong;
        self.survivable += other.survivable;
        self.survivable_placed += other.survivable_placed;
        self.deleted += other.deleted;
    }
}

/// Whether the placement `placed` is on the passage's own words: at least
/// half of what it covers came from the passage, and it covers at least
/// half of what survives of it. (Words inserted into the middle of a
/// passage are not its own; a placement on its first half, with many new
/// words between that and its last word, is still on its words.)
fn on_its_words(
    edited: &Edited,
    placed: (usize, usize),
    original: (usize, usize),
    quote: &str,
) -> bool {
    let own = |o: &Option<usize>| o.is_some_and(|o| o >= original.0 && o < original.1);
    let inside = edited
        .chars
        .get(placed.0..placed.1)
        .unwrap_or_default()
        .iter()
        .filter(|(_, o)| own(o))
        .count();
    let surviving = edited.chars.iter().filter(|(_, o)| own(o)).count();
    // Its very words, with what survives of the passage among them (an
    // edit that deleted a word and wrote the same word back).
    let same_words = edited.chars.get(placed.0..placed.1).is_some_and(|c| {
        c.iter()
            .map(|(c, _)| c)
            .eq(quote.chars().collect::<Vec<_>>().iter())
    });
    surviving > 0 && inside * 2 >= surviving && (inside * 2 >= placed.1 - placed.0 || same_words)
}

/// Places every passage of `article` after editing it at `per_mille`, and
/// tallies the answers.
pub fn measure(rng: &mut Rng, article: &Article, per_mille: usize) -> Tally {
    measure_showing(rng, article, per_mille, &mut |_| {})
}

/// [`measure`], telling `wrong` about each passage placed wrongly.
pub fn measure_showing(
    rng: &mut Rng,
    article: &Article,
    per_mille: usize,
    wrong: &mut dyn FnMut(String),
) -> Tally {
    let original: Vec<char> = article.text.chars().collect();
    let mut edited = Edited::of(&article.text);
    edited.edit(rng, per_mille);
    let new_text = edited.text();
    let text = Text::new(&new_text);
    let mut tally = Tally {
        articles: 1,
        ..Tally::default()
    };
    for &(start, end) in &article.passages {
        let Ok(selector) = Selector::at(&article.text, start, end) else {
            continue;
        };
        tally.passages += 1;
        let truth = edited.truth(start as usize, end as usize, &original);
        let placement = place_on(&selector, &text);
        let survivable = truth.is_some_and(|(_, _, changed)| changed <= 0.10);
        if survivable {
            tally.survivable += 1;
        }
        if truth.is_none() {
            tally.deleted += 1;
        }
        match (placement.range(), truth) {
            (None, _) => tally.gone += 1,
            (Some((s, e)), Some(_))
                if on_its_words(
                    &edited,
                    (s as usize, e as usize),
                    (start as usize, end as usize),
                    &selector.exact,
                ) =>
            {
                if matches!(placement, super::Placement::Fuzzy { .. }) {
                    tally.fuzzy += 1;
                } else {
                    tally.exact += 1;
                }
                if survivable {
                    tally.survivable_placed += 1;
                }
            }
            (Some((s, e)), truth) => {
                tally.wrong += 1;
                let chars: Vec<char> = new_text.chars().collect();
                let around = |a: usize, b: usize| -> String {
                    chars
                        .get(a.saturating_sub(20)..(b + 20).min(chars.len()))
                        .unwrap_or_default()
                        .iter()
                        .collect()
                };
                wrong(format!(
                    "{placement:?} quote={:?}\n  prefix={:?}\n  suffix={:?}\n  placed on={:?}\n  truth={:?} {}",
                    selector.exact,
                    selector.prefix,
                    selector.suffix,
                    around(s as usize, e as usize),
                    truth,
                    truth.map(|(a, b, _)| around(a, b)).unwrap_or_default()
                ));
            }
        }
    }
    tally
}

/// The corpus at `per_mille`: `articles` articles from `seed`.
pub fn corpus(seed: u64, articles: usize, per_mille: usize) -> Tally {
    corpus_showing(seed, articles, per_mille, &mut |_| {})
}

/// [`corpus`], telling `wrong` about each passage placed wrongly.
pub fn corpus_showing(
    seed: u64,
    articles: usize,
    per_mille: usize,
    wrong: &mut dyn FnMut(String),
) -> Tally {
    let mut rng = Rng::new(seed ^ (per_mille as u64).wrapping_mul(0x9e37_79b9));
    let mut total = Tally::default();
    for _ in 0..articles {
        let paragraphs = rng.between(8, 20);
        let made = article(&mut rng, paragraphs, 8);
        total.add(&measure_showing(&mut rng, &made, per_mille, wrong));
    }
    total
}

/// The edit rates measured, in thousandths of the words.
pub const RATES: [usize; 6] = [5, 10, 20, 50, 100, 200];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_truth_follows_characters_through_edits() {
        let mut e = Edited::of("one two three");
        e.chars.splice(4..4, "new ".chars().map(|c| (c, None)));
        assert_eq!(e.text(), "one new two three");
        let original: Vec<char> = "one two three".chars().collect();
        assert_eq!(e.truth(4, 7, &original), Some((8, 11, 0.0)));
        e.chars.drain(8..12);
        assert_eq!(e.truth(4, 7, &original), None);
    }

    /// The targets, on a corpus small enough for a debug build: nothing
    /// placed on words that are not its own at any rate, and at least 95%
    /// of passages whose words survive with at most a tenth changed
    /// placed on them.
    #[test]
    fn passages_are_never_placed_wrongly_and_mostly_found() {
        for rate in RATES {
            let tally = corpus(20_261_203, 40, rate);
            assert_eq!(tally.wrong, 0, "at {rate}‰: {tally:?}");
            assert!(
                tally.survivable_placed * 100 >= tally.survivable * 95,
                "at {rate}‰: {tally:?}"
            );
        }
    }
}
