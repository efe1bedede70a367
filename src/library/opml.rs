//! OPML, the list of subscriptions every feed reader imports and exports.
//! Reading is forgiving, as real exports need: no version, no head, an
//! empty body, nested folders, `xmlURL` in any letter case, a bare `&`, a
//! file cut short (what was read is kept). Entities from a DTD are never
//! expanded.

use quick_xml::events::{BytesDecl, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer, XmlVersion};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use super::address::parse_pasted;
use super::contain::contain_panics;
use super::encoding::xml_text;
use super::sources::{self, may_add};
use crate::ids::SourceId;
use crate::store::Store;
use crate::users::User;
use crate::{Error, Result};

/// The most feeds read from one OPML file.
pub const MAX_OUTLINES: usize = 2_000;

/// A feed listed in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    pub title: String,
    pub feed_url: Url,
    pub site_url: Option<Url>,
}

/// What importing an OPML file did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Subscribed {
    /// Feeds newly followed: refresh these to fill the library.
    pub new: Vec<SourceId>,
    /// Feeds that were followed already.
    pub already_followed: u32,
    /// Outlines that were not a usable feed address.
    pub skipped: u32,
}

/// The feeds in `bytes`, an OPML document, in order, each address once,
/// at most [`MAX_OUTLINES`]; with how many outlines had no usable address.
/// Fails with [`Error::Invalid`] when nothing in it is a feed.
pub fn read(bytes: &[u8]) -> Result<(Vec<Outline>, u32)> {
    let (found, skipped, saw_opml) = contain_panics("list of subscriptions", || outlines(bytes))
        .map_err(|e| Error::invalid(format!("{e}.")))?;
    if found.is_empty() {
        return Err(Error::invalid(if saw_opml {
            "That list of subscriptions has no feeds in it."
        } else {
            "That is not an OPML file (a list of subscriptions)."
        }));
    }
    Ok((found, skipped))
}

/// The outlines with a feed address in `bytes`, those without a usable
/// one counted, and whether the document is OPML at all.
fn outlines(bytes: &[u8]) -> (Vec<Outline>, u32, bool) {
    let text = xml_text(bytes);
    let mut reader = Reader::from_str(&text);
    reader.config_mut().allow_dangling_amp = true;
    let mut found: Vec<Outline> = Vec::new();
    let mut skipped = 0;
    let mut saw_opml = false;
    // A broken or truncated file ends the loop with an error: what was
    // read is kept.
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Start(ref element) | Event::Empty(ref element) => {
                let name = element.local_name();
                if name.as_ref().eq_ignore_ascii_case("opml") {
                    saw_opml = true;
                }
                if !name.as_ref().eq_ignore_ascii_case("outline") {
                    continue;
                }
                let Some(address) = attribute(element, "xmlUrl") else {
                    continue; // a folder
                };
                match parse_pasted(&address) {
                    Some(feed_url) if !found.iter().any(|o| o.feed_url == feed_url) => {
                        let title = attribute(element, "title")
                            .or_else(|| attribute(element, "text"))
                            .unwrap_or_default();
                        let site_url = attribute(element, "htmlUrl").and_then(|u| parse_pasted(&u));
                        found.push(Outline {
                            title,
                            feed_url,
                            site_url,
                        });
                    }
                    Some(_) => {}
                    None => skipped += 1,
                }
                if found.len() == MAX_OUTLINES {
                    break;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (found, skipped, saw_opml)
}

/// An attribute's value by name, in any letter case; predefined entities
/// and character references resolved, any other entity left empty.
fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    let found = element
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref().eq_ignore_ascii_case(name))?;
    let resolve = |entity: &str| quick_xml::escape::resolve_predefined_entity(entity).or(Some(""));
    let value = match found.normalized_value_with(XmlVersion::Implicit1_0, 1, resolve) {
        Ok(value) => value.into_owned(),
        Err(_) => found.value.to_string(),
    };
    let value = value.trim().to_owned();
    (!value.is_empty()).then_some(value)
}

/// Follows, for `user`, every feed in the OPML document `bytes` that is
/// not followed yet, without fetching them: the caller refreshes the new
/// ones (with progress), as [`Subscribed::new`] lists them.
pub async fn import(store: &Store, user: &User, bytes: &[u8]) -> Result<Subscribed> {
    may_add(store, user).await?;
    let (outlines, skipped) = read(bytes)?;
    let mut subscribed = Subscribed {
        new: Vec::new(),
        already_followed: 0,
        skipped,
    };
    for outline in outlines {
        let (id, new) = sources::subscribe(
            store,
            user,
            &outline.feed_url,
            &outline.title,
            outline.site_url.as_ref(),
        )
        .await?;
        if new {
            subscribed.new.push(id);
        } else {
            subscribed.already_followed += 1;
        }
    }
    Ok(subscribed)
}

/// The followed feeds `viewer` may take elsewhere, as an OPML 2.0
/// document: every feed for the admin; for others the feeds they added and
/// those whose address carries no query (a private feed's key is in its
/// query, and is not theirs to copy).
pub async fn export(store: &Store, viewer: &User) -> Result<Vec<u8>> {
    // Addresses the viewer sees only masked would not work in another
    // reader, and the mask is there because their query is a secret.
    let sources: Vec<(String, sources::Source)> = sources::list(store, Some(viewer))
        .await?
        .into_iter()
        .filter(|s| s.can_manage || s.feed_url.as_deref().is_some_and(|u| !u.contains('?')))
        .filter_map(|s| Some((s.feed_url.clone()?, s)))
        .collect();
    let write = |w: &mut Writer<Vec<u8>>| -> std::io::Result<()> {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("opml")
            .with_attribute(("version", "2.0"))
            .write_inner_content(|w| {
                w.create_element("head").write_inner_content(|w| {
                    w.create_element("title")
                        .write_text_content(BytesText::new("Feeds followed in Parley"))?;
                    Ok(())
                })?;
                w.create_element("body").write_inner_content(|w| {
                    for (feed_url, source) in &sources {
                        let mut outline = w
                            .create_element("outline")
                            .with_attribute(("type", "rss"))
                            .with_attribute(("text", source.title.as_str()))
                            .with_attribute(("title", source.title.as_str()))
                            .with_attribute(("xmlUrl", feed_url.as_str()));
                        if let Some(site) = &source.site_url {
                            outline = outline.with_attribute(("htmlUrl", site.as_str()));
                        }
                        outline.write_empty()?;
                    }
                    Ok(())
                })?;
                Ok(())
            })?;
        Ok(())
    };
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    write(&mut writer).map_err(|e| Error::Internal(format!("writing OPML: {e}")))?;
    let mut bytes = writer.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(bytes: &[u8]) -> Vec<String> {
        read(bytes)
            .map(|(found, _)| found.into_iter().map(|o| o.title).collect())
            .unwrap_or_default()
    }

    #[test]
    fn real_exports_read_however_they_are_written() {
        let nested = br#"<?xml version="1.0"?>
            <opml version="1.0"><head><title>Mine</title></head><body>
            <outline text="News"><outline text="A &amp; B" type="rss" xmlUrl="https://a.example/feed"/>
              <outline text="Deeper"><outline title="C" xmlURL="https://c.example/rss"></outline></outline>
            </outline>
            <outline text="AT&T" xmlUrl="https://att.example/feed"/>
            <outline text="again" xmlUrl="https://a.example/feed"/>
            <outline text="not a feed" xmlUrl="javascript:alert(1)"/>
            </body></opml>"#;
        assert_eq!(titles(nested), ["A & B", "C", "AT&T"]);
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        assert_eq!(
            read(nested).unwrap().1,
            1,
            "the javascript: outline is skipped"
        );
        assert_eq!(
            titles(b"<opml><body><outline xmlUrl='https://x.example/f'/>"),
            [""]
        );
        assert_eq!(
            titles(b"<opml><outline text='no body' xmlUrl='https://y.example/f'/></opml>"),
            ["no body"]
        );
        let mut latin1 =
            b"<?xml version='1.0' encoding='ISO-8859-1'?><opml><body><outline text='caf".to_vec();
        latin1.push(0xE9);
        latin1.extend_from_slice(b"' xmlUrl='https://z.example/'/></body></opml>");
        assert_eq!(titles(&latin1), ["café"]);
    }

    #[test]
    fn an_empty_or_foreign_file_says_so() {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let err = read(b"<opml version='2.0'><head/><body/></opml>").unwrap_err();
        assert!(err.to_string().contains("no feeds"), "{err}");
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let err = read(b"just some text").unwrap_err();
        assert!(err.to_string().contains("not an OPML"), "{err}");
    }

    #[test]
    fn dtd_entities_are_not_expanded() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
            <opml><body><outline text="&b;&b;" xmlUrl="https://e.example/f"/></body></opml>"#;
        assert_eq!(titles(bomb), [""]);
    }
}
