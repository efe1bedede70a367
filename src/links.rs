//! Links out of Parley. The window never follows a link itself: a click
//! asks the person, showing the whole address, and only then does the
//! backend hand the address to their browser or mail program. Only web
//! and mail addresses go out; a file, a script or an inline document never
//! does.

use url::Url;

use crate::{Error, Result};

/// Longest address Parley will open, in bytes: longer ones are not links
/// anybody typed.
pub const MAX_LINK_BYTES: usize = 8 * 1024;

/// The schemes a link may leave Parley with.
const OPENABLE: [&str; 3] = ["http", "https", "mailto"];

/// What a `mailto:` link may fill in besides the address. Others (some
/// mail programs have honoured `attach=`) are dropped.
const MAIL_FIELDS: [&str; 5] = ["to", "cc", "bcc", "subject", "body"];

/// Checks an address the page asks to open and returns it as the browser
/// will get it (parsed and serialised, so a host in another script shows
/// in its ASCII form, as it is really reached).
///
/// A `mailto:` address keeps only the fields of [`MAIL_FIELDS`].
///
/// Fails with [`Error::Invalid`] for anything but an absolute `http`,
/// `https` or `mailto` address (`file:`, `javascript:`, `data:` and the
/// rest), a web address without a host, and one over [`MAX_LINK_BYTES`].
pub fn openable(address: &str) -> Result<Url> {
    if address.len() > MAX_LINK_BYTES {
        return Err(Error::invalid("That link is too long to open."));
    }
    let mut url = Url::parse(address.trim())
        .map_err(|_| Error::invalid("That link is not a complete web or email address."))?;
    if !OPENABLE.contains(&url.scheme()) {
        return Err(Error::invalid(
            "Parley opens only web (http, https) and email (mailto) links.",
        ));
    }
    if url.scheme() != "mailto" && url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid("That link has no website in it."));
    }
    if url.scheme() == "mailto" {
        keep_mail_fields(&mut url);
    }
    Ok(url)
}

/// Drops every `mailto:` field not in [`MAIL_FIELDS`], keeping the others
/// exactly as they were encoded.
fn keep_mail_fields(url: &mut Url) {
    let Some(query) = url.query() else {
        return;
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            MAIL_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name))
        })
        .collect();
    let kept = kept.join("&");
    url.set_query((!kept.is_empty()).then_some(kept.as_str()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_and_mail_addresses_open() {
        for ok in [
            "https://example.com/x",
            "http://example.com",
            "mailto:ada@example.com",
            "  https://example.com/a b  ",
        ] {
            assert!(openable(ok).is_ok(), "{ok}");
        }
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let shown = openable("https://пример.example/путь").unwrap();
        assert_eq!(
            shown.as_str(),
            "https://xn--e1afmkfd.example/%D0%BF%D1%83%D1%82%D1%8C"
        );
    }

    #[test]
    fn mail_links_fill_in_only_the_message() {
        let kept = |raw: &str| openable(raw).map(|u| u.to_string()).unwrap_or_default();
        assert_eq!(
            kept("mailto:ada@example.com?subject=Hi%20there&attach=/etc/passwd&body=x"),
            "mailto:ada@example.com?subject=Hi%20there&body=x"
        );
        assert_eq!(
            kept("mailto:ada@example.com?Attachment=~/.ssh/id_rsa"),
            "mailto:ada@example.com"
        );
    }

    #[test]
    fn nothing_else_leaves() {
        for refused in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "tauri://localhost/",
            "ftp://example.com/",
            "/relative/path",
            "example.com",
            "https://",
            "",
        ] {
            let err = openable(refused).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Invalid, "{refused}");
        }
        assert!(openable(&format!(
            "https://example.com/{}",
            "a".repeat(MAX_LINK_BYTES)
        ))
        .is_err());
    }
}
