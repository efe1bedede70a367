//! Small text rules shared by every place that takes words from a person,
//! and the few conversions between text and the sanitized HTML Parley
//! stores (one line, cut to a length, plain text of HTML, escapes).

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// What a character does on screen, coarsely: enough to tell text that
/// shows from text that hides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    /// Letters, digits, punctuation and symbols: it shows.
    Visible,
    /// Combining marks: they show only on the character before them.
    Mark,
    /// Spaces and line or paragraph separators.
    Space,
    /// Format characters: zero-width spaces and joiners, bidirectional
    /// controls, tags, the soft hyphen. They show nothing themselves.
    Format,
    /// Control codes (NUL, escape...).
    Control,
    /// Private-use, unassigned and surrogate code points.
    Unknown,
}

impl Category {
    pub(crate) fn of(c: char) -> Self {
        if is_invisible_letter(c) {
            return Category::Format;
        }
        match c.general_category_group() {
            GeneralCategoryGroup::Letter
            | GeneralCategoryGroup::Number
            | GeneralCategoryGroup::Punctuation
            | GeneralCategoryGroup::Symbol => Category::Visible,
            GeneralCategoryGroup::Mark => Category::Mark,
            GeneralCategoryGroup::Separator => Category::Space,
            GeneralCategoryGroup::Other => match c.general_category() {
                unicode_properties::GeneralCategory::Format => Category::Format,
                unicode_properties::GeneralCategory::Control => Category::Control,
                _ => Category::Unknown,
            },
        }
    }

    pub(crate) fn is_visible(self) -> bool {
        self == Category::Visible
    }
}

/// Characters that Unicode calls letters or symbols but that draw nothing:
/// the Hangul fillers, and the blank Braille pattern. Used to pass off an
/// empty name or comment as a real one.
pub(crate) fn is_invisible_letter(c: char) -> bool {
    matches!(
        c,
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}' | '\u{180E}'
    )
}

/// Whether `text` has anything a reader would see: a letter, digit,
/// punctuation mark or symbol that is not one of the invisible ones.
pub(crate) fn has_visible_text(text: &str) -> bool {
    text.chars().any(|c| Category::of(c).is_visible())
}

/// Length as a person counts it: Unicode scalar values, not bytes.
pub(crate) fn char_count(text: &str) -> usize {
    text.chars().count()
}

/// True if `text` holds a control character other than newline and tab
/// (NUL, escape, DEL and the like), which have no place in anything shown.
pub(crate) fn has_control_chars(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
}

/// `10000` as `10,000`, for messages.
pub(crate) fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `text` on one line: control characters dropped, runs of white space
/// made one space, trimmed.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` cut to at most `max` characters at a word where it can be, with
/// "…"; `None` when it has nothing visible.
pub(crate) fn cut(text: &str, max: usize) -> Option<String> {
    if !has_visible_text(text) {
        return None;
    }
    if text.chars().count() <= max {
        return Some(text.to_owned());
    }
    let head: String = text.chars().take(max.saturating_sub(1)).collect();
    let at_word = head
        .rfind(' ')
        .filter(|&at| at > head.len() / 2)
        .map_or(head.as_str(), |at| head.get(..at).unwrap_or(&head));
    Some(format!("{}…", at_word.trim_end()))
}

/// The text of sanitized HTML, on one line: tags left out, the escapes the
/// sanitizer writes turned back into characters.
pub(crate) fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    one_line(&unescape(&text))
}

/// Sanitized HTML's text with the escapes the sanitizer writes turned back
/// into characters (a no-break space into a space).
pub(crate) fn unescape(text: &str) -> String {
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Text made safe to put inside HTML.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_summaries_are_cut_at_a_word() {
        assert_eq!(cut("short", 10).as_deref(), Some("short"));
        assert_eq!(
            cut("the quick brown fox jumps", 15).as_deref(),
            Some("the quick…")
        );
        assert_eq!(cut("  \u{200B} ", 10), None);
        assert_eq!(one_line(" a\n\tb  c\u{7} "), "a b c");
    }

    #[test]
    fn plain_text_reads_sanitized_html() {
        assert_eq!(
            plain_text("<p>Fish &amp; chips</p><p>&lt;b&gt; &nbsp;x</p>"),
            "Fish & chips <b> x"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(1234567), "1,234,567");
    }
}
