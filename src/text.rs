//! Small text rules shared by every place that takes words from a person.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(1234567), "1,234,567");
    }
}
