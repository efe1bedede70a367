//! Prints the README's table of how passages are placed again after an
//! article changes, on a generated corpus (src/passages/accuracy.rs):
//!
//!     cargo run --release --example passage_accuracy [articles] [--show-wrong]
//!
//! Each edit rate has its own articles (1,000 unless told otherwise), each
//! with eight passages; the same seed gives the same table on any machine.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "it prints a table"
)]

use parley_core::passages::accuracy::{corpus_showing, RATES};

fn main() {
    let articles: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    println!("| Words edited | Articles | Passages | Placed exactly | Placed by close match | Reported gone | Placed wrongly | Found, of those with ≤ 10% changed |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for rate in RATES {
        let show = std::env::args().any(|a| a == "--show-wrong");
        let t = corpus_showing(20_261_203, articles, rate, &mut |w| {
            if show {
                eprintln!("WRONG at {rate}‰: {w}");
            }
        });
        let share = |n: usize| 100.0 * n as f64 / t.passages.max(1) as f64;
        println!(
            "| {:.1}% | {} | {} | {} ({:.1}%) | {} ({:.1}%) | {} ({:.1}%) | {} | {:.1}% ({} of {}) |",
            rate as f64 / 10.0,
            t.articles,
            t.passages,
            t.exact,
            share(t.exact),
            t.fuzzy,
            share(t.fuzzy),
            t.gone,
            share(t.gone),
            t.wrong,
            100.0 * t.survivable_placed as f64 / t.survivable.max(1) as f64,
            t.survivable_placed,
            t.survivable,
        );
    }
}
