//! What an XML document's bytes say as text, before any parser sees them:
//! feeds and OPML files come in UTF-8, Windows-1252 that claims to be
//! something else, UTF-16 and UTF-32 of either byte order (with or without
//! a byte-order mark), and every legacy encoding a declaration can name.
//!
//! Parsers are then given a Rust string, so none of them ever switches
//! encodings half-way through a document (quick-xml panicked doing that on
//! UTF-16 input).

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// `bytes`, an XML document, as text.
///
/// In order: a byte-order mark decides; else the first bytes' pattern
/// (XML 1.0, appendix F) tells UTF-16 and UTF-32 apart from the rest;
/// else bytes that are valid UTF-8 are UTF-8 whatever the declaration
/// claims (a feed saying ISO-8859-1 that is UTF-8 would otherwise be
/// garbled); else the declared encoding, and Windows-1252 (the usual truth
/// behind a wrong or missing declaration) when it names none Parley knows
/// or claims UTF-8 or UTF-16 of bytes that are neither. Never fails: bytes
/// that are not text in the chosen encoding become U+FFFD.
pub fn xml_text(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest);
    }
    if let Some(wide) = wide_encoding(bytes) {
        return Cow::Owned(wide.decode(bytes));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let declared = declared_encoding(bytes)
        .as_deref()
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        // A declaration readable as ASCII cannot be true of UTF-16, and
        // these bytes are not UTF-8.
        .filter(|e| !matches!(e.name(), "UTF-8" | "UTF-16LE" | "UTF-16BE" | "replacement"));
    let (text, _, _) = declared.unwrap_or(WINDOWS_1252).decode(bytes);
    Cow::Owned(text.into_owned())
}

/// The encodings of more than one byte per unit, which no ASCII-based
/// declaration can announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wide {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

/// The wide encoding `bytes` are in, from their byte-order mark or, without
/// one, from how the first character (`<`, or white space before it) is
/// laid out.
fn wide_encoding(bytes: &[u8]) -> Option<Wide> {
    let head: [u8; 4] = match bytes.get(..4) {
        Some(&[a, b, c, d]) => [a, b, c, d],
        _ => match bytes.get(..2) {
            Some(&[0xFE, 0xFF]) => return Some(Wide::Utf16Be),
            Some(&[0xFF, 0xFE]) => return Some(Wide::Utf16Le),
            _ => return None,
        },
    };
    // An ASCII character of the document's first line, in each layout.
    let ascii = |b: u8| b == b'<' || b.is_ascii_whitespace();
    Some(match head {
        [0x00, 0x00, 0xFE, 0xFF] => Wide::Utf32Be,
        [0xFF, 0xFE, 0x00, 0x00] => Wide::Utf32Le,
        [0xFE, 0xFF, _, _] => Wide::Utf16Be,
        [0xFF, 0xFE, _, _] => Wide::Utf16Le,
        [0x00, 0x00, 0x00, c] if ascii(c) => Wide::Utf32Be,
        [c, 0x00, 0x00, 0x00] if ascii(c) => Wide::Utf32Le,
        [0x00, c, 0x00, _] if ascii(c) => Wide::Utf16Be,
        [c, 0x00, _, 0x00] if ascii(c) => Wide::Utf16Le,
        _ => return None,
    })
}

impl Wide {
    /// `bytes` as text, the byte-order mark left out.
    fn decode(self, bytes: &[u8]) -> String {
        match self {
            Wide::Utf16Le => UTF_16LE.decode_with_bom_removal(bytes).0.into_owned(),
            Wide::Utf16Be => UTF_16BE.decode_with_bom_removal(bytes).0.into_owned(),
            Wide::Utf32Le | Wide::Utf32Be => {
                let mut text = String::with_capacity(bytes.len() / 4);
                for unit in bytes.chunks(4) {
                    let unit: [u8; 4] = unit.try_into().unwrap_or([0, 0, 0xFF, 0xFD]);
                    let value = if self == Wide::Utf32Le {
                        u32::from_le_bytes(unit)
                    } else {
                        u32::from_be_bytes(unit)
                    };
                    text.push(char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                text.strip_prefix('\u{FEFF}')
                    .map(str::to_owned)
                    .unwrap_or(text)
            }
        }
    }
}

/// The `encoding` of the XML declaration at the start of `bytes`.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = declaration(bytes)?;
    let at = head.find("encoding")?;
    let rest = head.get(at + "encoding".len()..)?.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let value = rest.get(1..)?;
    Some(value.get(..value.find(quote)?)?.to_owned())
}

/// The XML declaration, `<?xml … ?>`, if the document starts with one.
fn declaration(bytes: &[u8]) -> Option<&str> {
    let end = bytes.windows(2).take(200).position(|w| w == b"?>")?;
    let head = std::str::from_utf8(bytes.get(..end)?).ok()?;
    head.trim_start().starts_with("<?xml").then_some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "<?xml version=\"1.0\"?><rss><title>Café ☕ 𝄞</title></rss>";

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let units = bom
            .then_some(0xFEFF_u16)
            .into_iter()
            .chain(text.encode_utf16());
        units
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    fn utf32(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let chars = bom.then_some('\u{FEFF}').into_iter().chain(text.chars());
        chars
            .flat_map(|c| {
                if big_endian {
                    u32::from(c).to_be_bytes()
                } else {
                    u32::from(c).to_le_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn wide_encodings_of_either_order_with_or_without_a_mark() {
        for big_endian in [false, true] {
            for bom in [false, true] {
                assert_eq!(xml_text(&utf16(DOC, big_endian, bom)), DOC);
                assert_eq!(xml_text(&utf32(DOC, big_endian, bom)), DOC);
            }
        }
        let declared = DOC.replace("?>", " encoding=\"UCS-2\"?>");
        assert_eq!(xml_text(&utf16(&declared, false, false)), declared);
    }

    #[test]
    fn declarations_are_believed_only_when_they_can_be_true() {
        let latin1 = b"<?xml version='1.0' encoding='ISO-8859-1'?><t>caf\xE9</t>";
        assert_eq!(
            xml_text(latin1),
            "<?xml version='1.0' encoding='ISO-8859-1'?><t>café</t>"
        );
        // UTF-8 that says it is Latin-1.
        let utf8 = "<?xml version='1.0' encoding='ISO-8859-1'?><t>café</t>";
        assert_eq!(xml_text(utf8.as_bytes()), utf8);
        // Windows-1252 that says it is UTF-16, UTF-8 or nothing known.
        for label in ["UTF-16", "utf-8", "no-such-thing"] {
            let mut doc = format!("<?xml version='1.0' encoding='{label}'?><t>").into_bytes();
            doc.extend_from_slice(b"\x93q\x94</t>");
            assert!(
                xml_text(&doc).ends_with("<t>\u{201C}q\u{201D}</t>"),
                "{label}"
            );
        }
        assert_eq!(
            xml_text(b"<t>\x93quoted\x94</t>"),
            "<t>\u{201C}quoted\u{201D}</t>"
        );
    }
}
