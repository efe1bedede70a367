//! Placing passages again when an article changes: 1,000 passages on a
//! 20,000-word article, after edits that move every one of them (words
//! inserted every few hundred), and on the unchanged text. The target is
//! under 20 ms for the 1,000. Run with `./scripts/bench --bench passages`.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "benchmark set-up: a failure is a broken benchmark"
)]

use criterion::{criterion_group, criterion_main, Criterion};
use parley_core::passages::anchor::{place_on, Text};
use parley_core::passages::Selector;

const WORDS: usize = 20_000;
const PASSAGES: usize = 1_000;

/// A deterministic article of `WORDS` words, from a vocabulary of a few
/// thousand made-up ones (so phrases seldom repeat, as in prose).
fn article() -> Vec<String> {
    let syllables = [
        "har", "bour", "fer", "ry", "time", "ta", "ble", "cross", "ing", "work", "er", "night",
        "board", "tick", "et", "re", "view", "march", "fare", "sta", "lo", "mi", "nu", "pe",
    ];
    let common = [
        "the", "a", "of", "and", "to", "in", "is", "that", "it", "on",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..WORDS)
        .map(|_| {
            let n = next();
            if n % 10 < 3 {
                common[(n / 10) as usize % common.len()].to_owned()
            } else {
                let s = syllables.len() as u64;
                format!(
                    "{}{}{}",
                    syllables[(n / 10 % s) as usize],
                    syllables[(n / 300 % s) as usize],
                    syllables[(n / 9000 % s) as usize]
                )
            }
        })
        .collect()
}

/// 1,000 passages of 3 to 12 words, spread over the article.
fn selectors(words: &[String], text: &str) -> Vec<Selector> {
    let mut starts = vec![0u32];
    for w in words {
        let last = *starts.last().unwrap();
        starts.push(last + w.chars().count() as u32 + 1);
    }
    (0..PASSAGES)
        .map(|i| {
            let from = i * (WORDS / PASSAGES);
            let to = (from + 3 + i % 10).min(WORDS);
            Selector::at(text, starts[from], starts[to] - 1).unwrap()
        })
        .collect()
}

fn placing(c: &mut Criterion) {
    let words = article();
    let before = words.join(" ");
    let selectors = selectors(&words, &before);
    // A correction every 400 words: every passage after the first moves.
    let mut edited = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if i % 400 == 0 {
            edited.push("(corrected)".to_owned());
        }
        edited.push(w.clone());
    }
    let after = edited.join(" ");

    let mut group = c.benchmark_group("passages");
    group.bench_function(
        "place 1,000 passages on a 20,000-word article, unchanged",
        |b| {
            b.iter(|| {
                let text = Text::new(&before);
                selectors
                    .iter()
                    .filter(|s| place_on(s, &text).range().is_some())
                    .count()
            })
        },
    );
    group.bench_function(
        "place 1,000 passages on a 20,000-word article, all moved",
        |b| {
            b.iter(|| {
                let text = Text::new(&after);
                selectors
                    .iter()
                    .filter(|s| place_on(s, &text).range().is_some())
                    .count()
            })
        },
    );
    group.finish();

    let text = Text::new(&after);
    let placed = selectors
        .iter()
        .filter(|s| place_on(s, &text).range().is_some())
        .count();
    eprintln!("passages: {placed} of {PASSAGES} placed after the edits");
}

criterion_group!(benches, placing);
criterion_main!(benches);
