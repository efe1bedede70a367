//! Addresses as Parley compares them: two ways of writing the same page
//! are one page, so saving it twice adds it once.

use url::Url;

/// The canonical form of a web address: scheme and host in lower case (the
/// URL parser already does that, and drops a default port), no fragment,
/// and no `utm_*` tracking parameters. Other parameters keep their order.
/// The dedupe keys stored in every library are written in this form, so
/// it must never change.
pub fn canonical(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    if url.query().is_some() {
        drop_tracking(&mut url);
    }
    url
}

/// Rewrites `url`'s query without its `utm_*` parameters (re-encoded as
/// the URL parser writes pairs).
fn drop_tracking(url: &mut Url) {
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !name.to_ascii_lowercase().starts_with("utm_"))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
}

/// An address as it is shown to someone it is not theirs to see whole: the
/// scheme, host, port and path, each query value masked (`?token=•••`; a
/// name without a value may itself be the secret, so it is masked too),
/// and no user information or fragment. Private feeds carry their key in
/// the query. Text that is not an address shows as nothing but its host,
/// or not at all.
pub fn masked(address: &str) -> String {
    const MASK: &str = "•••";
    let Ok(url) = Url::parse(address) else {
        return String::new();
    };
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown.push_str(url.path());
    if url.query().is_some_and(|q| !q.is_empty()) {
        let pairs: Vec<String> = url
            .query_pairs()
            .map(|(name, value)| {
                if value.is_empty() {
                    MASK.to_owned()
                } else {
                    format!("{name}={MASK}")
                }
            })
            .collect();
        shown.push('?');
        shown.push_str(&pairs.join("&"));
    }
    shown
}

/// `url` without its `utm_*` tracking parameters; everything else, its
/// fragment included, as it was. What "Read the original" opens.
pub fn without_tracking(url: &Url) -> Url {
    let tracked = url
        .query_pairs()
        .any(|(name, _)| name.to_ascii_lowercase().starts_with("utm_"));
    if !tracked {
        return url.clone();
    }
    let mut url = url.clone();
    drop_tracking(&mut url);
    url
}

/// Parses what a person pasted as a web address: surrounding spaces are
/// ignored and a missing scheme means `https://`. `None` when it is not a
/// web address at all.
pub fn parse_pasted(text: &str) -> Option<Url> {
    let text = text.trim();
    if text.is_empty() || text.len() > 8 * 1024 {
        return None;
    }
    let parsed = match Url::parse(text) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            Url::parse(&format!("https://{text}")).ok()?
        }
        Err(_) => return None,
    };
    (matches!(parsed.scheme(), "http" | "https")
        && parsed.host_str().is_some_and(|h| !h.is_empty()))
    .then_some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> String {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        canonical(&Url::parse(text).unwrap()).to_string()
    }

    #[test]
    fn tracking_and_fragments_do_not_make_a_new_page() {
        assert_eq!(
            canon("HTTPS://News.Example.COM:443/a/b?utm_source=x&id=7&UTM_Medium=y#comments"),
            "https://news.example.com/a/b?id=7"
        );
        assert_eq!(
            canon("http://example.com/?utm_campaign=z"),
            "http://example.com/"
        );
        assert_eq!(
            canon("https://example.com/p?b=2&a=1"),
            "https://example.com/p?b=2&a=1"
        );
    }

    #[test]
    fn others_see_no_secrets_in_an_address() {
        assert_eq!(
            masked("https://u:pw@feeds.example:8443/private/atom?token=s3cret&user=7#x"),
            "https://feeds.example:8443/private/atom?token=•••&user=•••"
        );
        assert_eq!(
            masked("https://feeds.example/rss?abc123"),
            "https://feeds.example/rss?•••"
        );
        assert_eq!(
            masked("https://feeds.example/rss"),
            "https://feeds.example/rss"
        );
        assert_eq!(masked("not an address"), "");
    }

    #[test]
    fn the_original_keeps_all_but_its_tracking() {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let url = |s: &str| without_tracking(&Url::parse(s).unwrap()).to_string();
        assert_eq!(
            url("https://news.example/a?utm_source=rss&id=7&utm_medium=feed#part-2"),
            "https://news.example/a?id=7#part-2"
        );
        assert_eq!(
            url("https://news.example/a?utm_source=rss"),
            "https://news.example/a"
        );
        assert_eq!(
            url("https://news.example/a?b=%20x"),
            "https://news.example/a?b=%20x"
        );
    }

    #[test]
    fn pasted_addresses_need_no_scheme() {
        let pasted = |t: &str| parse_pasted(t).map(|u| u.to_string());
        assert_eq!(
            pasted(" example.com/feed "),
            Some("https://example.com/feed".into())
        );
        assert_eq!(
            pasted("http://example.com"),
            Some("http://example.com/".into())
        );
        assert_eq!(pasted("file:///etc/passwd"), None);
        assert_eq!(pasted("javascript:alert(1)"), None);
        assert_eq!(pasted(""), None);
        assert_eq!(pasted("not a url at all"), None);
    }
}
