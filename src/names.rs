//! The names people choose, and when two of them are the same.
//!
//! Usernames are what people sign in with: each has one *key*, made here
//! and nowhere else, and two usernames with the same key are one account.
//! Display names are what everyone sees next to comments: they may be
//! almost anything, but never invisible, never able to reorder the text
//! around them, never dressed up as Parley's own placeholders, and never a
//! copy of someone else's.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::text::{char_count, has_control_chars, is_invisible_letter, Category};
use crate::{Error, Result};

/// Username length bounds, in characters.
pub const USERNAME_CHARS: std::ops::RangeInclusive<usize> = 3..=32;
/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 50;
/// Most combining marks a display name may stack on one character: enough
/// for any script's vowel signs and accents, too few to spill text over
/// the lines around it.
const MAX_MARKS_IN_A_ROW: usize = 4;

/// What Parley shows where a name or a comment used to be. Display names
/// that read like one of these, in whatever brackets, are refused.
const PLACEHOLDER_WORDS: [&str; 6] = [
    "deleted user",
    "deleted",
    "removed by moderator",
    "removed",
    "muted user",
    "a muted user",
];

/// The key a username is compared by: NFKC, then full case folding, then
/// NFKC again (folding can leave text that is not normalised). "ＡＤＡ",
/// "Ada" and "ada" share a key, and so do "Straße" and "STRASSE".
pub(crate) fn username_key(typed: &str) -> String {
    let compatible: String = typed.trim().nfkc().collect();
    caseless::default_case_fold_str(&compatible)
        .nfkc()
        .collect()
}

/// Checks a new username and returns it as it will be stored and shown
/// (NFKC, trimmed). Refused with [`Error::Invalid`]: the wrong length,
/// anything but letters, digits, dots, dashes and underscores, invisible
/// letters, and a name whose key (see [`username_key`]) would not itself
/// pass these rules, such as "İvan", whose lower case is "i" followed by a
/// combining dot.
pub(crate) fn validate_username(raw: &str) -> Result<String> {
    let name: String = raw.trim().nfkc().collect();
    check_username_chars(&name)?;
    if check_username_chars(&username_key(&name)).is_err() {
        return Err(Error::invalid(
            "That username changes when compared without regard to letter case. \
             Please choose one with plain letters.",
        ));
    }
    Ok(name)
}

fn check_username_chars(name: &str) -> Result<()> {
    let len = char_count(name);
    if len == 0 {
        return Err(Error::invalid("Choose a username."));
    }
    if !USERNAME_CHARS.contains(&len) {
        return Err(Error::invalid(format!(
            "A username is {} to {} characters long.",
            USERNAME_CHARS.start(),
            USERNAME_CHARS.end()
        )));
    }
    let allowed =
        |c: char| (c.is_alphanumeric() && !is_invisible_letter(c)) || matches!(c, '.' | '_' | '-');
    if !name.chars().all(allowed) {
        return Err(Error::invalid(
            "A username may use letters, digits, dots, dashes and underscores only.",
        ));
    }
    Ok(())
}

/// A display name that passed every rule, with the key it is compared by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DisplayName {
    /// As stored and shown: NFKC, runs of spaces made one, trimmed.
    pub(crate) name: String,
    /// See [`display_name_key`].
    pub(crate) key: String,
}

/// Checks a display name. Refused with [`Error::Invalid`], saying why:
/// empty or too long; control, format (zero-width, bidirectional),
/// invisible, unassigned or private-use characters, except a joiner
/// between two letters where a script needs one; too many marks on one
/// letter; nothing visible; the whole name in brackets of any kind; or a
/// name that reads like "[deleted user]" or another of Parley's
/// placeholders.
///
/// Whether another account already has the name is for the caller to ask,
/// inside its write transaction, by the returned key.
pub(crate) fn validate_display_name(raw: &str) -> Result<DisplayName> {
    let compatible: String = raw.nfkc().collect();
    let name = compatible.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(Error::invalid(
            "Enter the name others will see next to your comments.",
        ));
    }
    if char_count(&name) > MAX_DISPLAY_NAME_CHARS {
        return Err(Error::invalid(format!(
            "A display name is at most {MAX_DISPLAY_NAME_CHARS} characters long."
        )));
    }
    if has_control_chars(&name) {
        return Err(Error::invalid(
            "A display name cannot contain control characters.",
        ));
    }
    check_nothing_hidden(&name)?;
    check_not_a_placeholder(&name)?;
    let key = display_name_key(&name);
    Ok(DisplayName { name, key })
}

/// Refuses format characters (zero-width spaces, bidirectional controls,
/// tags...) and letters that show nothing, and a name with nothing
/// visible at all. A zero-width joiner or non-joiner between two visible
/// characters stays: Persian, Indic scripts and emoji sequences use them.
fn check_nothing_hidden(name: &str) -> Result<()> {
    let chars: Vec<char> = name.chars().collect();
    let mut marks_in_a_row = 0;
    for (i, &c) in chars.iter().enumerate() {
        let category = Category::of(c);
        let joiner = matches!(c, '\u{200C}' | '\u{200D}');
        let between_visible = || {
            let visible = |at: Option<usize>| {
                at.and_then(|at| chars.get(at)).is_some_and(|&n| {
                    Category::of(n).is_visible() || Category::of(n) == Category::Mark
                })
            };
            visible(i.checked_sub(1)) && visible(i.checked_add(1))
        };
        let selector = is_variation_selector(c);
        let after_visible = i
            .checked_sub(1)
            .and_then(|at| chars.get(at))
            .is_some_and(|&p| Category::of(p).is_visible());
        if (category == Category::Format && !(joiner && between_visible()))
            || (selector && !after_visible)
            || is_invisible_letter(c)
            || is_invisible_mark(c)
        {
            return Err(Error::invalid(
                "A display name cannot contain invisible characters or characters that change \
                 the direction of text.",
            ));
        }
        marks_in_a_row = if category == Category::Mark {
            marks_in_a_row + 1
        } else {
            0
        };
        if marks_in_a_row > MAX_MARKS_IN_A_ROW {
            return Err(Error::invalid(
                "A display name cannot stack that many accents on one letter.",
            ));
        }
    }
    if chars.iter().any(|&c| Category::of(c) == Category::Unknown) {
        return Err(Error::invalid(
            "A display name cannot contain characters that Unicode keeps unassigned or for \
             private use: they show differently on every computer.",
        ));
    }
    if !chars.iter().any(|&c| Category::of(c).is_visible()) {
        return Err(Error::invalid(
            "A display name needs at least one letter, digit or symbol.",
        ));
    }
    Ok(())
}

/// Parley marks what is gone with bracketed words ("[deleted]", "[removed
/// by moderator]", "[deleted user]"). A display name may not look like one:
/// not wholly in brackets or quotes of any kind (either way round: some
/// scripts' brackets are mirrored), and not spelling one of those words,
/// in any letters that look like them, with any punctuation around them.
fn check_not_a_placeholder(name: &str) -> Result<()> {
    let bracket = |c: Option<char>| {
        c.is_some_and(|c| {
            matches!(c, '<' | '>')
                || matches!(
                    c.general_category(),
                    GeneralCategory::OpenPunctuation
                        | GeneralCategory::ClosePunctuation
                        | GeneralCategory::InitialPunctuation
                        | GeneralCategory::FinalPunctuation
                )
        })
    };
    if bracket(name.chars().next()) && bracket(name.chars().last()) {
        return Err(Error::invalid(
            "A display name cannot be in brackets: Parley uses those for deleted and removed \
             comments.",
        ));
    }
    let words = |text: &str| -> String {
        display_name_key(text)
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let spelled = words(name);
    if PLACEHOLDER_WORDS.iter().any(|p| words(p) == spelled) {
        return Err(Error::invalid(
            "That is how Parley marks deleted and removed comments. Please choose another name.",
        ));
    }
    Ok(())
}

/// The key display names are compared by: two names with the same key
/// look alike. Case-folded, and reduced to the UTS #39 confusable
/// skeleton, so "Ada Lovelace", "ADA LOVELACE" and "Аda Lovelace" (with a
/// Cyrillic А) share one, and joiners and other invisible code points are
/// ignored.
pub(crate) fn display_name_key(name: &str) -> String {
    let compatible: String = name.nfkc().collect();
    let folded = caseless::default_case_fold_str(&compatible);
    let skeleton: String = unicode_security::skeleton(&folded).collect();
    caseless::default_case_fold_str(&skeleton)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Variation selectors pick how the character before them is drawn (an
/// emoji's colour form): fine after a visible character, invisible alone.
fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{180B}'..='\u{180F}')
}

/// Combining marks that draw nothing at all: the combining grapheme
/// joiner and the Khmer inherent vowels. (Other marks show on the
/// character before them.)
fn is_invisible_mark(c: char) -> bool {
    matches!(c, '\u{034F}' | '\u{17B4}' | '\u{17B5}')
}

/// Refused when another account (not deleted) already goes by a name with
/// the same key.
pub(crate) fn name_in_use() -> Error {
    Error::invalid(
        "Someone already goes by that name, or one that looks the same. Please choose another.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_keys_fold_compatibility_forms_and_case() {
        assert_eq!(username_key("  Ada "), "ada");
        assert_eq!(username_key("ＡＤＡ"), "ada");
        assert_eq!(username_key("Straße"), "strasse");
        assert_eq!(username_key("İvan"), "i\u{307}van");
        // A key is its own key.
        for name in ["Ada", "Straße", "İvan", "ﬁle", "Ωmega"] {
            let key = username_key(name);
            assert_eq!(username_key(&key), key, "{name}");
        }
    }

    #[test]
    fn username_rules() {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        assert_eq!(validate_username("  ada_l ").unwrap(), "ada_l");
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        assert_eq!(validate_username("ａｄａ").unwrap(), "ada");
        assert!(validate_username("ab").is_err());
        assert!(validate_username("has space").is_err());
        assert!(validate_username("<script>").is_err());
        assert!(validate_username("Łukasz").is_ok());
        assert!(validate_username(&"a".repeat(33)).is_err());
        assert!(validate_username("İvan").is_err());
        assert!(validate_username("\u{3164}\u{3164}\u{3164}").is_err());
    }

    #[test]
    fn display_names_are_normalised_and_bounded() {
        let name = |raw: &str| validate_display_name(raw).map(|d| d.name);
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        assert_eq!(name("  Ada   Lovelace  ").unwrap(), "Ada Lovelace");
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        assert_eq!(name("Ｌｉｎｕｓ").unwrap(), "Linus");
        assert!(name("   ").is_err());
        assert!(name("a\u{0007}b").is_err());
        assert!(name(&"a".repeat(51)).is_err());
        assert!(name("[deleted user]").is_err());
        assert!(name(" [removed by moderator] ").is_err());
        assert!(name("«deleted»").is_err());
        assert!(name("<deleted user>").is_err());
        assert!(name("Deleted-User").is_err());
        assert!(name("Ada [she/her]").is_ok());
        assert!(name("Ada (she/her)").is_ok());
        assert!(name("(Ada").is_ok());
        // NFKC makes the first accent part of "é": five more are too many.
        assert!(name("e\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}").is_err());
        assert!(name("👩\u{200D}💻 Ada").is_ok());
        assert!(name("\u{200D}Ada").is_err());
        assert!(name("\u{0301}\u{0301}").is_err());
        assert!(name("Ada\u{034F}").is_err());
        assert!(name("Ada\u{FE0F}").is_ok_and(|n| n.starts_with("Ada")));
        assert!(name("\u{FE0F}Ada").is_err());
        assert!(name("Ada\u{E000}").is_err());
        assert!(name("\u{FD3E}deleted\u{FD3F}").is_err());
        assert!(name("\u{FD3F}d\u{435}leted\u{FD3E}").is_err());
        assert!(name("d\u{435}l\u{435}ted us\u{435}r").is_err());
    }

    #[test]
    fn lookalike_display_names_share_a_key() {
        let key = |raw: &str| {
            validate_display_name(raw)
                .map(|d| d.key)
                .unwrap_or_default()
        };
        assert_eq!(key("Ada Lovelace"), key("ADA LOVELACE"));
        assert_eq!(key("Ada Lovelace"), key("\u{410}da Lovelace"));
        assert_eq!(key("Ada Lovelace"), key("Ada  Lovelace"));
        assert_ne!(key("Ada Lovelace"), key("Ada Byron"));
    }
}
