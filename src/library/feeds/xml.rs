//! RSS 0.90 to 2.0, RSS 1.0 (RDF, with its modules) and Atom 0.3 and 1.0,
//! read from the document's tree.
//!
//! Each entry is read on its own: one that cannot be read well is read as
//! far as it can be, or skipped with a note, and never fails the feed.
//! Relative addresses follow XML Base: the `xml:base` in scope (on the
//! content, the entry, the feed, each resolved against the one above it;
//! only http and https bases count), and where no base was given at all,
//! the entry's own page, then the document's address.

use url::Url;

use super::tree::{Element, Node, Ns};
use super::{
    author_name, entry_key, feed_title, text_title, FeedEntry, FeedProblem, ParsedFeed, MAX_ENTRIES,
};
use crate::library::dates;

const ATOM: &[Ns] = &[Ns::Atom, Ns::Atom03];
/// Where RSS elements may be: no namespace in 0.9x and 2.0 (or one a
/// publisher made up), RSS 1.0's and 0.90's in RDF.
const RSS: &[Ns] = &[Ns::None, Ns::Other, Ns::Rss10, Ns::Rss090];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rss,
    Rdf,
    Atom,
}

/// An address that relative ones are resolved against, and whether a
/// document said so (`xml:base`) or Parley assumed it.
#[derive(Debug, Clone)]
struct Base {
    url: Url,
    declared: bool,
}

impl Base {
    /// The base inside `element`: its own `xml:base` resolved against this
    /// one, when that is an http or https address; else this one.
    fn within(&self, element: &Element) -> Base {
        element
            .attr(Ns::Xml, "base")
            .and_then(|b| self.url.join(b.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map_or_else(
                || self.clone(),
                |url| Base {
                    url,
                    declared: true,
                },
            )
    }

    fn join(&self, address: &str) -> Option<Url> {
        self.url
            .join(address.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    }
}

/// Reads the feed whose root element is `root`, from `document_url`.
pub(super) fn read(root: &Element, document_url: &Url) -> Result<ParsedFeed, FeedProblem> {
    let kind = match root.name.as_str() {
        "rss" | "channel" => Kind::Rss,
        "RDF" => Kind::Rdf,
        "feed" if !matches!(root.ns, Ns::Xhtml) => Kind::Atom,
        _ => return Err(FeedProblem::NotAFeed),
    };
    let document = Base {
        url: document_url.clone(),
        declared: false,
    }
    .within(root);
    let (channel, base) = match kind {
        Kind::Atom => (root, document.clone()),
        Kind::Rss | Kind::Rdf => match root.child(RSS, "channel") {
            Some(channel) => (channel, document.within(channel)),
            None => (root, document.clone()),
        },
    };
    let site_url = site_link(channel, kind, &base);
    let title = feed_title(
        channel
            .child(if kind == Kind::Atom { ATOM } else { RSS }, "title")
            .map(|t| heading(t, kind)),
        site_url.as_ref(),
        document_url,
    );

    let items: Vec<(&Element, Base)> = match kind {
        Kind::Atom => root
            .elements()
            .filter(|e| e.is(ATOM, "entry") || e.name == "entry")
            .map(|e| (e, base.within(e)))
            .collect(),
        // Items belong in the channel (RSS 2.0) or beside it (RSS 1.0 and
        // 0.90); feeds put them in either place.
        Kind::Rss | Kind::Rdf => channel
            .elements()
            .map(|e| (e, base.clone()))
            .chain(
                (!std::ptr::eq(channel, root))
                    .then(|| root.elements().map(|e| (e, document.clone())))
                    .into_iter()
                    .flatten(),
            )
            .filter(|(e, _)| e.is(RSS, "item"))
            .map(|(e, above)| (e, above.within(e)))
            .collect(),
    };
    let mut notes = Vec::new();
    let mut entries = Vec::new();
    for (index, (item, base)) in items.into_iter().take(MAX_ENTRIES).enumerate() {
        let mut about = Vec::new();
        let read = match kind {
            Kind::Atom => atom_entry(item, &base, document_url, &mut about),
            Kind::Rss | Kind::Rdf => rss_item(item, &base, document_url, &mut about),
        };
        let name = read.as_ref().filter(|e| !e.title.is_empty()).map_or_else(
            || format!("Entry {}", index + 1),
            |e| format!("“{}”", e.title),
        );
        notes.extend(about.into_iter().map(|note| format!("{name}: {note}")));
        match read {
            Some(entry) => entries.push(entry),
            None => notes.push(format!(
                "Entry {} was skipped: it has no title, link or text.",
                index + 1
            )),
        }
    }
    Ok(ParsedFeed {
        title,
        site_url,
        entries,
        notes,
    })
}

/// The website a feed belongs to.
fn site_link(channel: &Element, kind: Kind, base: &Base) -> Option<Url> {
    match kind {
        Kind::Atom => atom_link(channel, base),
        Kind::Rss | Kind::Rdf => channel
            .child(RSS, "link")
            .and_then(|l| base.join(&l.text()))
            .or_else(|| atom_link(channel, base)),
    }
}

/// The first Atom link that is the page itself (`alternate`, or no `rel`),
/// else the first link of any kind.
fn atom_link(parent: &Element, base: &Base) -> Option<Url> {
    let links: Vec<&Element> = parent
        .elements()
        .filter(|e| e.name == "link" && (ATOM.contains(&e.ns) || parent.ns == e.ns))
        .filter(|e| e.attr(Ns::None, "href").is_some())
        .collect();
    let page = links
        .iter()
        .find(|l| {
            l.attr(Ns::None, "rel")
                .is_none_or(|r| r.trim() == "alternate")
        })
        .or(links.first())?;
    base.within(page).join(page.attr(Ns::None, "href")?)
}

fn rss_item(
    item: &Element,
    base: &Base,
    document_url: &Url,
    notes: &mut Vec<String>,
) -> Option<FeedEntry> {
    let guid = item.child(RSS, "guid");
    let id = guid
        .map(Element::text)
        .or_else(|| item.attr(Ns::Rdf, "about").map(str::to_owned))
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty());
    let link = item
        .child(RSS, "link")
        .and_then(|l| base.within(l).join(&l.text()))
        .or_else(|| atom_link(item, base))
        .or_else(|| {
            // A guid is the page when it says so, which is its default.
            let permalink = guid
                .and_then(|g| g.attr(Ns::None, "isPermaLink"))
                .is_none_or(|p| !p.trim().eq_ignore_ascii_case("false"));
            id.as_deref()
                .filter(|_| permalink)
                .filter(|id| id.starts_with("http://") || id.starts_with("https://"))
                .and_then(|id| base.join(id))
        });
    let title = item
        .child(RSS, "title")
        .map(|t| text_title(&t.text()))
        .filter(|t| !t.is_empty())
        .or_else(|| media_title(item));
    let published_at = [
        item.child(RSS, "pubDate"),
        item.child(&[Ns::Dc], "date"),
        item.child(ATOM, "published"),
        item.child(ATOM, "updated"),
    ]
    .into_iter()
    .flatten()
    .find_map(|d| dates::parse(&d.text()));
    let authors: Vec<String> = item
        .elements()
        .filter(|e| e.is(RSS, "author") || e.is(&[Ns::Dc], "creator"))
        .map(|e| author_name(&e.text()))
        .filter(|n| !n.is_empty())
        .collect();
    let html = |e: &Element| {
        let text = e.text();
        (!text.trim().is_empty()).then_some(text)
    };
    let summary = item
        .child(RSS, "description")
        .and_then(html)
        .or_else(|| item.child(&[Ns::Dc], "description").and_then(html))
        .or_else(|| {
            item.child(&[Ns::Media], "description")
                .map(|d| plain_html(&d.text()))
        });
    let content = item
        .child(&[Ns::Content], "encoded")
        .and_then(html)
        .or_else(|| {
            item.child(ATOM, "content")
                .and_then(|c| atom_text(c, notes))
        });
    let categories = item
        .elements()
        .filter(|e| e.is(RSS, "category") || e.is(&[Ns::Dc], "subject"))
        .map(|e| text_title(&e.text()))
        .filter(|c| !c.is_empty())
        .collect();
    let body_base =
        body_base(base, item.child(&[Ns::Content], "encoded"), document_url).or_link(&link);
    finish(
        id,
        title,
        link,
        authors,
        published_at,
        summary,
        content,
        body_base,
        categories,
    )
}

fn atom_entry(
    entry: &Element,
    base: &Base,
    document_url: &Url,
    notes: &mut Vec<String>,
) -> Option<FeedEntry> {
    let id = entry
        .child(ATOM, "id")
        .map(|i| i.text().trim().to_owned())
        .filter(|id| !id.is_empty());
    let link = atom_link(entry, base);
    let title = entry
        .child(ATOM, "title")
        .map(|t| heading(t, Kind::Atom))
        .filter(|t| !t.is_empty())
        .or_else(|| media_title(entry));
    // Atom 1.0's published and updated; Atom 0.3's issued, modified and
    // created.
    let published_at = ["published", "issued", "created", "updated", "modified"]
        .iter()
        .filter_map(|name| entry.child(ATOM, name))
        .find_map(|d| dates::parse(&d.text()));
    let authors = entry
        .elements()
        .filter(|e| e.is(ATOM, "author"))
        .filter_map(|a| a.child(ATOM, "name").map(|n| author_name(&n.text())))
        .chain(
            entry
                .elements()
                .filter(|e| e.is(&[Ns::Dc], "creator"))
                .map(|e| author_name(&e.text())),
        )
        .filter(|n| !n.is_empty())
        .collect();
    let content_element = entry.child(ATOM, "content");
    let content = content_element.and_then(|c| atom_text(c, notes));
    let summary = entry
        .child(ATOM, "summary")
        .and_then(|s| atom_text(s, notes));
    let categories = entry
        .elements()
        .filter(|e| e.is(ATOM, "category"))
        .filter_map(|c| {
            c.attr(Ns::None, "label")
                .or_else(|| c.attr(Ns::None, "term"))
        })
        .map(text_title)
        .filter(|c| !c.is_empty())
        .collect();
    let body_base = body_base(base, content_element, document_url).or_link(&link);
    finish(
        id,
        title,
        link,
        authors,
        published_at,
        summary,
        content,
        body_base,
        categories,
    )
}

/// What the body's relative addresses are relative to.
struct BodyBase {
    declared: Option<Url>,
    fallback: Url,
}

impl BodyBase {
    /// Without a declared base, the entry's page is the better guess than
    /// the feed's address.
    fn or_link(self, link: &Option<Url>) -> Url {
        self.declared
            .or_else(|| link.clone())
            .unwrap_or(self.fallback)
    }
}

fn body_base(base: &Base, content: Option<&Element>, document_url: &Url) -> BodyBase {
    let inner = content.map_or_else(|| base.clone(), |c| base.within(c));
    BodyBase {
        declared: inner.declared.then_some(inner.url),
        fallback: document_url.clone(),
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "one entry's fields, gathered once"
)]
fn finish(
    id: Option<String>,
    title: Option<String>,
    link: Option<Url>,
    authors: Vec<String>,
    published_at: Option<i64>,
    summary: Option<String>,
    content: Option<String>,
    base: Url,
    categories: Vec<String>,
) -> Option<FeedEntry> {
    if title.is_none() && summary.is_none() && content.is_none() && link.is_none() {
        return None;
    }
    let title = title.unwrap_or_default();
    let has_id = id.is_some();
    let key = entry_key(id.as_deref(), link.as_ref(), &title, published_at);
    Some(FeedEntry {
        key,
        has_id,
        title,
        link,
        author: authors.join(", "),
        published_at,
        summary,
        content,
        base,
        categories,
    })
}

/// A title or name: an Atom text construct of type `html` or `xhtml` is
/// markup to strip; anything else is text.
fn heading(element: &Element, kind: Kind) -> String {
    match (kind, construct(element)) {
        (Kind::Atom, Construct::Html(html)) => super::html_title(&html),
        (_, Construct::Text(text)) => text_title(&text),
        (_, Construct::Html(_) | Construct::Binary(_)) => text_title(&element.text()),
    }
}

fn media_title(parent: &Element) -> Option<String> {
    let direct = parent.child(&[Ns::Media], "title");
    let grouped = || {
        parent
            .child(&[Ns::Media], "group")
            .and_then(|g| g.child(&[Ns::Media], "title"))
    };
    direct
        .or_else(grouped)
        .map(|t| text_title(&t.text()))
        .filter(|t| !t.is_empty())
}

/// What an Atom text construct (or content) holds.
enum Construct {
    Text(String),
    Html(String),
    /// Not text at all (base64 of some media type): Parley leaves it out.
    Binary(String),
}

/// Reads an Atom text construct by its `type` (Atom 1.0: `text`, `html`,
/// `xhtml` or a media type; Atom 0.3: a media type and a `mode`). An empty
/// or unknown type is text.
fn construct(element: &Element) -> Construct {
    let kind = element
        .attr(Ns::None, "type")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let mode = element
        .attr(Ns::None, "mode")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let inline_markup = || {
        if element.elements().next().is_some() {
            Construct::Html(inline_html(element))
        } else {
            Construct::Html(element.text())
        }
    };
    match kind.as_str() {
        _ if mode == "xml" => inline_markup(),
        _ if mode == "base64" => Construct::Binary(kind),
        "html" | "text/html" => Construct::Html(element.text()),
        "xhtml" | "application/xhtml+xml" => inline_markup(),
        _ if mode == "escaped" && kind.is_empty() => Construct::Html(element.text()),
        "" | "text" => Construct::Text(element.text()),
        t if t.starts_with("text/") => Construct::Text(element.text()),
        t if t.ends_with("+xml") || t.ends_with("/xml") => inline_markup(),
        t if t.contains('/') => Construct::Binary(kind),
        _ => Construct::Text(element.text()),
    }
}

/// An Atom text construct as HTML for an article's body, or `None` when it
/// is empty, elsewhere (`src`) or not text (a note says so).
fn atom_text(element: &Element, notes: &mut Vec<String>) -> Option<String> {
    if element.attr(Ns::None, "src").is_some() {
        return None;
    }
    let html = match construct(element) {
        Construct::Html(html) => html,
        Construct::Text(text) => plain_html(&text),
        Construct::Binary(kind) => {
            notes.push(format!(
                "its content is not text ({}) and was left out.",
                if kind.is_empty() { "base64" } else { &kind }
            ));
            return None;
        }
    };
    (!html.trim().is_empty()).then_some(html)
}

/// Plain text as HTML: escaped, a paragraph per blank line.
fn plain_html(text: &str) -> String {
    let escaped = crate::text::escape(text.trim());
    escaped
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", p.replace('\n', "<br>")))
        .collect()
}

/// The markup inside an inline (XHTML) construct, written as HTML: the
/// wrapping `div` Atom asks for is left out.
fn inline_html(element: &Element) -> String {
    let mut children: Vec<&Node> = element.children.iter().collect();
    let elements: Vec<&Element> = element.elements().collect();
    if let [only] = elements.as_slice() {
        let blank_otherwise = element.children.iter().all(|n| match n {
            Node::Text(t) => t.trim().is_empty(),
            Node::Element(_) => true,
        });
        if only.name == "div" && blank_otherwise {
            children = only.children.iter().collect();
        }
    }
    let mut html = String::new();
    for node in children {
        write_html(node, &mut html);
    }
    html
}

fn write_html(node: &Node, into: &mut String) {
    const VOID: [&str; 6] = ["br", "hr", "img", "wbr", "col", "source"];
    match node {
        Node::Text(text) => into.push_str(&crate::text::escape(text)),
        Node::Element(e) => {
            into.push('<');
            into.push_str(&e.name);
            for attr in &e.attrs {
                if attr.ns == Ns::None {
                    into.push(' ');
                    into.push_str(&attr.name);
                    into.push_str("=\"");
                    into.push_str(&crate::text::escape(&attr.value));
                    into.push('"');
                }
            }
            into.push('>');
            if VOID.contains(&e.name.as_str()) {
                return;
            }
            for child in &e.children {
                write_html(child, into);
            }
            into.push_str("</");
            into.push_str(&e.name);
            into.push('>');
        }
    }
}
