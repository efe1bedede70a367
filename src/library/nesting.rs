//! How deeply a page's elements nest, found before any HTML parser sees
//! it. The HTML parser's tree building slows with the square of the depth,
//! and readability walks the tree by recursion: a page of tens of
//! thousands of nested elements would overflow the thread's stack, which
//! aborts the whole process (a stack overflow is not a panic). No article
//! is written that way, so such pages are refused first.

use std::collections::HashMap;

/// The deepest nesting of elements Parley reads. Articles seldom pass a
/// hundred; readability was seen to overflow a 2 MiB stack between 8,000
/// and 16,000.
pub const MAX_DEPTH: usize = 500;

/// Elements that have no content, and those a parser closes by itself
/// when a sibling of the same kind starts (`<p>`, `<li>`…): neither makes
/// a page deeper, however many there are.
const FLAT: [&str; 31] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen", "frame", "p", "li", "dt", "dd", "tr", "td", "th", "option",
    "optgroup", "thead", "tbody", "tfoot", "colgroup", "rb", "rt",
];
/// Elements whose content is text to the parser, not markup.
const RAW_TEXT: [&str; 6] = ["script", "style", "textarea", "title", "xmp", "noscript"];

/// The refusal of a `what` ("page", "file", "article") nested too deeply.
pub fn too_deep(what: &str) -> crate::Error {
    crate::Error::invalid(format!(
        "That {what} nests its elements more than {MAX_DEPTH} levels deep, which no article \
         does: Parley does not read it."
    ))
}

/// Whether `html` nests its elements more than `limit` deep, read the way
/// an HTML parser would, closely enough: an end tag closes the innermost
/// open element of its name (and those inside it), one that matches none
/// is ignored, comments and raw text are skipped. Linear in the input.
pub fn deeper_than(html: &str, limit: usize) -> bool {
    let mut open: Vec<String> = Vec::new();
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = rest.get(at + 1..).unwrap_or_default();
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment
                .find("-->")
                .map_or("", |end| comment.get(end + 3..).unwrap_or_default());
            continue;
        }
        let closing = rest.starts_with('/');
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() || FLAT.contains(&name.as_str()) {
            continue;
        }
        if closing {
            if counts.get(&name).copied().unwrap_or(0) > 0 {
                while let Some(closed) = open.pop() {
                    if let Some(n) = counts.get_mut(&closed) {
                        *n = n.saturating_sub(1);
                    }
                    if closed == name {
                        break;
                    }
                }
            }
            continue;
        }
        if RAW_TEXT.contains(&name.as_str()) {
            rest = end_tag(rest, &name).map_or("", |at| rest.get(at..).unwrap_or_default());
            continue;
        }
        *counts.entry(name.clone()).or_default() += 1;
        open.push(name);
        if open.len() > limit {
            return true;
        }
    }
    false
}

/// Where `</name` (in any letter case) starts in `text`.
fn end_tag(text: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = text.get(from..)?.find("</") {
        let start = from + at;
        let candidate = text.get(start + 2..start + 2 + name.len());
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name)) {
            return Some(start);
        }
        from = start + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_pages_are_shallow_however_many_open_paragraphs() {
        let page = format!(
            "<html><body><main><article>{}</article></main></body></html>",
            "<p>one<li>two<td>three<br><img src=x>".repeat(10_000)
        );
        assert!(!deeper_than(&page, MAX_DEPTH));
        let closed = format!(
            "<body>{}</body>",
            "<div><span>x</span></div>".repeat(10_000)
        );
        assert!(!deeper_than(&closed, MAX_DEPTH));
    }

    #[test]
    fn nesting_is_counted_as_a_parser_would() {
        let deep = format!("{}x{}", "<div>".repeat(600), "</div>".repeat(600));
        assert!(deeper_than(&deep, MAX_DEPTH));
        // End tags that close nothing do not make room.
        let stray = "<div></span></b>".repeat(600);
        assert!(deeper_than(&stray, MAX_DEPTH));
        // An end tag closes what is open inside its element too.
        let closing = "<section><div><span><b>x</section>".repeat(600);
        assert!(!deeper_than(&closing, MAX_DEPTH));
        // Markup in comments and scripts is not markup.
        let hidden = format!(
            "<!--{}--><script>{}</script>",
            "<div>".repeat(600),
            "<div>".repeat(600)
        );
        assert!(!deeper_than(&hidden, MAX_DEPTH));
    }
}
