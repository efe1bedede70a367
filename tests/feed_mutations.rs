//! The feed reader on bytes nobody meant: every fixture, mutated (bytes
//! changed, hostile tokens inserted, pieces cut out or repeated, the end
//! cut off, the whole thing re-encoded), must be read or refused within a
//! bounded time, never by a panic inside the parser, and never yield a
//! link, a base or an image with a scheme other than http, https or mailto.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use parley_core::library::feeds::{self, FeedProblem};
use parley_core::library::sanitize::Sanitized;
use proptest::prelude::*;
use url::Url;

/// Fragments that have broken feed readers, or would break Parley's
/// promises if they got through.
const TOKENS: &[&str] = &[
    "<",
    "&",
    "&#X41;",
    "&#xD800;",
    "&#0;",
    "&#99999999;",
    "&nbsp;",
    "&undefined;",
    "]]>",
    "<![CDATA[",
    "</entry>",
    "<entry>",
    "</item>",
    "<item>",
    "</channel>",
    " xml:base=\"javascript:alert(1)//\"",
    " xml:base=\"data:text/html,\"",
    " xml:base=\"//evil.example/\"",
    " xml:base=\"\"",
    "<link href=\"javascript:alert(1)\"/>",
    "<link>vbscript:msgbox(1)</link>",
    "<link>jAvAscript:alert(1)</link>",
    "<guid>javascript:alert(1)</guid>",
    "&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;",
    "&lt;img src=&quot;data:image/png;base64,AAAA&quot;&gt;",
    "&lt;a href=&quot;  java\tscript:alert(1)&quot;&gt;x&lt;/a&gt;",
    "&lt;a href=&quot;parley-image://localhost/x&quot;&gt;x&lt;/a&gt;",
    "&lt;base href=&quot;javascript:alert(1)//&quot;&gt;",
    "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><a href=\"javascript:x\">x</a>",
    "<content type=\"application/octet-stream\">AAAA</content>",
    "<title type=\"html\">&lt;script&gt;alert(1)&lt;/script&gt;</title>",
    "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>",
    "&b;",
    "<?xml version=\"1.0\" encoding=\"UTF-16\"?>",
    "\u{0}",
    "\u{FEFF}",
    "\u{FFFF}",
    "<d><d><d><d><d><d><d><d><d><d><d><d><d><d><d><d>",
];

fn corpus() -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    for folder in ["tests/fixtures/feeds", "tests/fixtures/feeds/shapes"] {
        let mut names: Vec<_> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "xml" || x == "json"))
            .collect();
        names.sort();
        found.extend(names.iter().map(|p| std::fs::read(Path::new(p)).unwrap()));
    }
    found
}

#[derive(Debug, Clone)]
enum Mutation {
    Byte { at: usize, value: u8 },
    Insert { at: usize, token: usize },
    Remove { at: usize, len: usize },
    Repeat { at: usize, len: usize, times: usize },
    Truncate { at: usize },
    Utf16 { big_endian: bool },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), any::<u8>()).prop_map(|(at, value)| Mutation::Byte { at, value }),
        6 => (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        2 => (any::<usize>(), 1..200_usize).prop_map(|(at, len)| Mutation::Remove { at, len }),
        1 => (any::<usize>(), 1..64_usize, 2..200_usize)
            .prop_map(|(at, len, times)| Mutation::Repeat { at, len, times }),
        1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        1 => any::<bool>().prop_map(|big_endian| Mutation::Utf16 { big_endian }),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let position = |at: usize, len: usize| if len == 0 { 0 } else { at % (len + 1) };
    match *mutation {
        Mutation::Byte { at, value } => {
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] = value;
            }
        }
        Mutation::Insert { at, token } => {
            let at = position(at, bytes.len());
            bytes.splice(at..at, TOKENS[token].bytes());
        }
        Mutation::Remove { at, len } => {
            let at = position(at, bytes.len());
            let end = (at + len).min(bytes.len());
            bytes.drain(at..end);
        }
        Mutation::Repeat { at, len, times } => {
            let at = position(at, bytes.len());
            let end = (at + len).min(bytes.len());
            let piece = bytes[at..end].to_vec();
            for _ in 0..times {
                bytes.splice(end..end, piece.iter().copied());
            }
        }
        Mutation::Truncate { at } => {
            let at = position(at, bytes.len());
            bytes.truncate(at);
        }
        Mutation::Utf16 { big_endian } => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            *bytes = text
                .encode_utf16()
                .flat_map(|u| {
                    if big_endian {
                        u.to_be_bytes()
                    } else {
                        u.to_le_bytes()
                    }
                })
                .collect();
        }
    }
}

/// The values of every `name` attribute in `html`.
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let document = dom_query::Document::fragment(html);
    document
        .select(&format!("[{name}]"))
        .iter()
        .filter_map(|element| element.attr(name).map(|v| v.to_string()))
        .collect()
}

fn scheme_of(address: &str) -> String {
    Url::parse(address).map_or_else(|e| format!("unparsable ({e})"), |u| u.scheme().to_owned())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_read_quickly_and_safely(
        which in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 0..8),
    ) {
        let corpus = corpus();
        let mut bytes = corpus[which.index(corpus.len())].clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let url = Url::parse("https://feeds.example/blog/feed.xml").unwrap();
        let started = Instant::now();
        let parsed = feeds::parse(&bytes, &url);
        prop_assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
        prop_assert!(
            !matches!(parsed, Err(FeedProblem::Unreadable)),
            "the parser panicked (see the log above)"
        );
        let Ok(feed) = parsed else { return Ok(()) };
        let web = |u: &Url| matches!(u.scheme(), "http" | "https");
        prop_assert!(feed.site_url.as_ref().is_none_or(web), "site {:?}", feed.site_url);
        for entry in &feed.entries {
            prop_assert!(entry.link.as_ref().is_none_or(web), "link {:?}", entry.link);
            prop_assert!(web(&entry.base), "base {}", entry.base);
            for html in [&entry.content, &entry.summary].into_iter().flatten() {
                let clean = Sanitized::first_pass(html, Some(&entry.base));
                for image in &clean.images {
                    prop_assert!(web(image), "image {image}");
                }
                for href in attribute_values(&clean.html, "href") {
                    let scheme = scheme_of(&href);
                    prop_assert!(
                        matches!(scheme.as_str(), "http" | "https" | "mailto"),
                        "href {href:?} ({scheme}) in {}", clean.html
                    );
                }
                for src in attribute_values(&clean.html, "src") {
                    prop_assert!(web(&Url::parse(&src).unwrap()), "src {src:?}");
                }
            }
        }
    }
}
