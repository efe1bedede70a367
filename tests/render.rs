//! Comment Markdown rendering: the supported subset, hostile input, and the
//! promises the page relies on (nothing executable, an idempotent sanitizer,
//! bounded cost, no panics).
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use std::time::{Duration, Instant};

use parley_core::render::{clean, render_markdown, MAX_SOURCE_BYTES};

const REL: &str = r#"rel="nofollow noopener noreferrer""#;

/// Markdown, and a fragment its HTML must contain.
const FEATURES: &[(&str, &str)] = &[
    ("plain words", "<p>plain words</p>"),
    ("*stars*", "<p><em>stars</em></p>"),
    ("_underscores_", "<p><em>underscores</em></p>"),
    ("**stars**", "<p><strong>stars</strong></p>"),
    ("__underscores__", "<p><strong>underscores</strong></p>"),
    ("~~gone~~", "<p><del>gone</del></p>"),
    (
        "[site](https://example.com/a?b=c&d=e)",
        r#"<a href="https://example.com/a?b=c&amp;d=e" rel="nofollow noopener noreferrer">site</a>"#,
    ),
    (
        "see <https://example.com/>",
        r#"see <a href="https://example.com/" rel="nofollow noopener noreferrer">https://example.com/</a>"#,
    ),
    (
        "[ref]\n\n[ref]: https://example.com/r",
        r#"<a href="https://example.com/r" rel="nofollow noopener noreferrer">ref</a>"#,
    ),
    ("`x < y && z`", "<p><code>x &lt; y &amp;&amp; z</code></p>"),
    (
        "```rust\nfn main() {}\n```",
        "<pre><code>fn main() {}\n</code></pre>",
    ),
    ("    indented();", "<pre><code>indented();</code></pre>"),
    ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
    ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
    ("* a\n* b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
    ("1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"),
    ("3. c\n4. d", "<ol start=\"3\">\n<li>c</li>"),
    (
        "- outer\n  - inner",
        "<li>outer\n<ul>\n<li>inner</li>\n</ul>\n</li>",
    ),
    ("one  \ntwo", "<p>one<br>\ntwo</p>"),
    ("one\\\ntwo", "<p>one<br>\ntwo</p>"),
    ("# Heading", "<p><strong>Heading</strong></p>"),
    ("###### Small", "<p><strong>Small</strong></p>"),
    ("Setext\n======", "<p><strong>Setext</strong></p>"),
    ("![a cat](https://example.com/cat.png)", "<p>a cat</p>"),
];

/// Markdown that has no markup of its own here, and what must not appear.
const NOT_SUPPORTED: &[(&str, &str)] = &[
    ("| a | b |\n|---|---|\n| 1 | 2 |", "<table"),
    ("- [ ] task", "<input"),
    ("- [x] done", "<input"),
    ("text[^1]\n\n[^1]: note", "<sup"),
    ("# Heading", "<h1"),
    ("![alt](https://example.com/a.png)", "<img"),
    ("before\n\n***\n\nafter", "<hr"),
];

/// Attempts to get something executable, or a dangerous link, into the page.
const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "text <script>alert(1)</script> inline",
    r#"<img src=x onerror="window.__pwned=1">"#,
    "<img src=x onerror=alert(1)//",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](java\tscript:alert(1))",
    "[x]\n\n[x]: javascript:alert(1)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](vbscript:msgbox)",
    "<javascript:alert(1)>",
    "<vbscript:msgbox>",
    r#"<a href="javascript:alert(1)">x</a>"#,
    r#"<a href="&#106;avascript:alert(1)">x</a>"#,
    r#"<a href="https://ok.example/" onclick="alert(1)">x</a>"#,
    r#"<iframe src="https://example.com">"#,
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    r#"<noscript><p title="</noscript><img src=x onerror=alert(1)>">"#,
    "<style>body{}</style>",
    "<!--><script>alert(1)</script>-->",
    r#"<div style="x">"#,
    r#"<p class="x" id="y" style="color:red">styled</p>"#,
    "<details open ontoggle=alert(1)>",
    r#"<form action="javascript:alert(1)"><button>x</button></form>"#,
    r#"<meta http-equiv="refresh" content="0;url=javascript:alert(1)">"#,
    r#"<object data="javascript:alert(1)"></object>"#,
    r#"<base href="javascript:/">"#,
    r#"[x](https://a.example/"onmouseover="alert(1))"#,
    r#"[x](https://a.example/ "title" onmouseover="alert(1)")"#,
    r#"[x](https://a.example/ "\" onmouseover=\"alert(1)")"#,
    r#"![x" onerror="alert(1)](https://a.example/a.png)"#,
    r#"![x](https://a.example/a.png" onerror="alert(1))"#,
    "> quoted <script>alert(1)</script>\n> - [x](javascript:alert(1))",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "`</code><script>alert(1)</script>`",
    "a\u{0}<script>alert(1)</script>",
];

/// Links whose `href` must be dropped: the app's own origin is not a place
/// a comment may point to.
const RELATIVE_LINKS: &[&str] = &[
    "[x](/etc/passwd)",
    "[x](../up)",
    "[x](page.html)",
    "[x](#fragment)",
    "[x](?query)",
    "[x](//evil.example/)",
];

const ALLOWED_TAGS: &[&str] = &[
    "p",
    "br",
    "em",
    "strong",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
];

const ALLOWED_ATTRIBUTES: &[(&str, &str)] = &[("a", "href"), ("a", "rel"), ("ol", "start")];

const SAFE_SCHEMES: &[&str] = &["http://", "https://", "mailto:"];

/// One start or end tag of sanitized output.
#[derive(Debug)]
struct Markup {
    name: String,
    attributes: Vec<(String, String)>,
}

/// Every tag in `html`. Good enough for serializer output, where `<` and `>`
/// are escaped in text and in attribute values and every value is quoted.
fn markup(html: &str) -> Vec<Markup> {
    html.split('<')
        .skip(1)
        .map(|rest| {
            let (tag, _) = rest.split_once('>').unwrap();
            let tag = tag.trim_start_matches('/');
            let (name, mut rest) = tag.split_once(' ').unwrap_or((tag, ""));
            let mut attributes = Vec::new();
            while let Some((attr, after)) = rest.trim_start().split_once("=\"") {
                let (value, after) = after.split_once('"').unwrap();
                attributes.push((attr.to_owned(), value.to_owned()));
                rest = after;
            }
            assert!(rest.trim().is_empty(), "unparsed markup {rest:?} in {html}");
            Markup {
                name: name.to_owned(),
                attributes,
            }
        })
        .collect()
}

fn hrefs(html: &str) -> Vec<String> {
    markup(html)
        .into_iter()
        .flat_map(|tag| tag.attributes)
        .filter(|(name, _)| name == "href")
        .map(|(_, value)| value)
        .collect()
}

/// The output holds nothing a browser would run or fetch: only allow-listed
/// tags and attributes, and only links with safe schemes. Escaped text such
/// as `&lt;img onerror=…&gt;` is fine, and is what a person who typed it
/// should see; so the attribute checks look at markup, not at text.
fn assert_inert(source: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    for opener in [
        "<script",
        "<img",
        "<iframe",
        "<svg",
        "<style",
        "<math",
        "<object",
        "<form",
        "<meta",
        "<base",
        "<div",
        "<input",
        "<button",
        "<details",
        "<noscript",
    ] {
        assert!(
            !lower.contains(opener),
            "{opener} in {html:?} from {source:?}"
        );
    }
    for tag in markup(html) {
        assert!(
            ALLOWED_TAGS.contains(&tag.name.as_str()),
            "<{}> in {html:?} from {source:?}",
            tag.name
        );
        for (attr, value) in &tag.attributes {
            assert!(
                ALLOWED_ATTRIBUTES.contains(&(tag.name.as_str(), attr.as_str())),
                "{attr} on <{}> in {html:?} from {source:?}",
                tag.name
            );
            let value = value.to_ascii_lowercase();
            for scheme in ["javascript:", "vbscript:", "data:"] {
                assert!(
                    !value.contains(scheme),
                    "{scheme} in {html:?} from {source:?}"
                );
            }
        }
    }
    for href in hrefs(html) {
        assert!(
            SAFE_SCHEMES.iter().any(|scheme| href.starts_with(scheme)),
            "unsafe href {href:?} in {html:?} from {source:?}"
        );
    }
    for anchor in markup(html).iter().filter(|tag| tag.name == "a") {
        let rel = anchor.attributes.iter().find(|(attr, _)| attr == "rel");
        // End tags carry no attributes.
        if !anchor.attributes.is_empty() {
            assert_eq!(
                rel.map(|(_, value)| value.as_str()),
                Some("nofollow noopener noreferrer"),
                "{html:?}"
            );
        }
    }
}

fn corpus() -> Vec<&'static str> {
    let mut all: Vec<&str> = FEATURES.iter().map(|(source, _)| *source).collect();
    all.extend(NOT_SUPPORTED.iter().map(|(source, _)| *source));
    all.extend(HOSTILE);
    all.extend(RELATIVE_LINKS);
    all.extend([
        "",
        "   ",
        "<b>hi</b>",
        "<div>\n<b>x</b>\n</div>",
        "<pre>\n\n\nleading blank lines</pre>",
        "<p>para<ul><li>list in a paragraph</li></ul></p>",
        r#"<a href="https://a.example/">outer <a href="https://b.example/">inner</a></a>"#,
        "<li>loose<li>items",
        "<em><p>misnested</em></p>",
        "[mail](mailto:someone@example.com)",
        "<someone@example.com>",
        "&amp; &lt; &#x3C; &nbsp; &unknown;",
        "![](https://example.com/empty-alt.png)",
    ]);
    all
}

// The checker itself, so that a bug in it cannot pass every hostile case.
#[test]
#[should_panic(expected = "unsafe href")]
fn checker_catches_an_unsafe_href() {
    assert_inert(
        "",
        r#"<a href="ftp://x.example/" rel="nofollow noopener noreferrer">x</a>"#,
    );
}

#[test]
#[should_panic(expected = "onclick on <p>")]
fn checker_catches_an_event_handler() {
    assert_inert("", r#"<p onclick="alert(1)">x</p>"#);
}

#[test]
fn every_feature_renders_to_its_tag() {
    for (source, expected) in FEATURES {
        let html = render_markdown(source);
        assert!(
            html.contains(expected),
            "{source:?} rendered {html:?}, expected {expected:?}"
        );
        assert_inert(source, &html);
    }
}

#[test]
fn unsupported_markdown_stays_text() {
    for (source, absent) in NOT_SUPPORTED {
        let html = render_markdown(source);
        assert!(
            !html.contains(absent),
            "{source:?} rendered {html:?}, with {absent}"
        );
        assert_inert(source, &html);
    }
}

#[test]
fn hostile_markdown_renders_inert() {
    for source in HOSTILE {
        assert_inert(source, &render_markdown(source));
    }
}

#[test]
fn hostile_html_cleans_inert() {
    for source in HOSTILE {
        assert_inert(source, &clean(source));
    }
}

#[test]
fn dangerous_link_keeps_its_text_but_loses_its_href() {
    for source in [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](vbscript:msgbox)",
        "[x](data:text/html,hi)",
    ] {
        assert_eq!(
            render_markdown(source),
            format!("<p><a {REL}>x</a></p>\n"),
            "{source:?}"
        );
    }
}

#[test]
fn raw_html_shows_as_typed() {
    let cases = [
        ("<b>hi</b>", "&lt;b&gt;hi&lt;/b&gt;"),
        (
            "<script>alert(1)</script>",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
        ),
        (
            r#"say <img src=x onerror="window.__pwned=1"> here"#,
            r#"say &lt;img src=x onerror="window.__pwned=1"&gt; here"#,
        ),
        (
            "<div>\n<b>x</b>\n</div>",
            "<p>&lt;div&gt;<br>\n&lt;b&gt;x&lt;/b&gt;<br>\n&lt;/div&gt;</p>",
        ),
        ("<!-- hidden? -->", "&lt;!-- hidden? --&gt;"),
    ];
    for (source, expected) in cases {
        let html = render_markdown(source);
        assert!(
            html.contains(expected),
            "{source:?} rendered {html:?}, expected {expected:?}"
        );
    }
}

#[test]
fn links_carry_rel() {
    let html = render_markdown("[a](https://a.example/) and <http://b.example/>");
    assert_eq!(html.matches(REL).count(), 2, "{html}");
    assert_eq!(
        hrefs(&html),
        ["https://a.example/", "http://b.example/"],
        "{html}"
    );
}

#[test]
fn mailto_links_survive() {
    assert_eq!(
        render_markdown("[mail](mailto:someone@example.com)"),
        format!("<p><a href=\"mailto:someone@example.com\" {REL}>mail</a></p>\n")
    );
    assert_eq!(
        hrefs(&render_markdown("<someone@example.com>")),
        ["mailto:someone@example.com"]
    );
}

#[test]
fn relative_links_lose_their_href() {
    for source in RELATIVE_LINKS {
        let html = render_markdown(source);
        assert!(hrefs(&html).is_empty(), "{source:?} rendered {html:?}");
        assert!(html.contains(">x</a>"), "{source:?} rendered {html:?}");
    }
}

#[test]
fn quotes_nested_a_thousand_deep_render() {
    let source = format!("{}deep", "> ".repeat(1000));
    let started = Instant::now();
    let html = render_markdown(&source);
    assert!(html.contains("deep"), "{html}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn deepest_sources_that_fit_render_in_bounded_time() {
    // Unbounded nesting made the sanitizer quadratic: minutes for these in a
    // debug build. The bound is loose because other builds share the machine.
    for unit in ["> ", "- ", "1. ", "> - ", "*_"] {
        let source = unit.repeat(MAX_SOURCE_BYTES / unit.len() + 1);
        let started = Instant::now();
        let html = render_markdown(&source);
        assert_inert(unit, &html);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{unit:?} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn sources_over_the_cap_render_a_prefix() {
    let html = render_markdown(&"a".repeat(200 * 1024));
    assert_eq!(html.matches('a').count(), MAX_SOURCE_BYTES);

    let at_cap = format!("{}Z", "a".repeat(MAX_SOURCE_BYTES - 1));
    assert!(render_markdown(&at_cap).contains('Z'));
    let past_cap = format!("{}Z", "a".repeat(MAX_SOURCE_BYTES));
    assert!(!render_markdown(&past_cap).contains('Z'));
}

#[test]
fn multibyte_chars_straddling_the_cap_are_dropped_whole() {
    // One of these paddings puts a four-byte char across the cap whatever
    // the cap's value mod 4.
    for padding in 0..4 {
        let source = format!(
            "{}{}",
            "a".repeat(padding),
            "🦀".repeat(MAX_SOURCE_BYTES / 4 + 1)
        );
        let html = render_markdown(&source);
        assert_eq!(
            html.matches('🦀').count(),
            (MAX_SOURCE_BYTES - padding) / 4,
            "padding {padding}"
        );
    }
    let html = render_markdown(&"é".repeat(200 * 1024));
    assert_eq!(html.matches('é').count(), MAX_SOURCE_BYTES / 2);
}

#[test]
fn clean_is_idempotent_on_the_corpus() {
    for source in corpus() {
        let once = clean(source);
        assert_eq!(clean(&once), once, "clean of {source:?}");
    }
}

#[test]
fn rendered_output_is_already_clean() {
    for source in corpus() {
        let html = render_markdown(source);
        assert_eq!(clean(&html), html, "render of {source:?}");
    }
}

#[test]
fn clean_strips_what_is_not_allowed_and_keeps_what_is() {
    assert_eq!(
        clean(r#"<p class="x" id="y" style="color:red" title="t">kept</p>"#),
        "<p>kept</p>"
    );
    assert_eq!(clean("<span>text</span><!-- gone -->"), "text");
    assert_eq!(clean("<script>alert(1)</script>after"), "after");
    assert_eq!(
        clean(r#"<ol start="2" reversed><li>b</li></ol>"#),
        r#"<ol start="2"><li>b</li></ol>"#
    );
    assert_eq!(
        clean(r#"<a href="https://a.example/" rel="opener" target="_blank">x</a>"#),
        format!(r#"<a href="https://a.example/" {REL}>x</a>"#)
    );
}
