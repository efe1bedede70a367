//! A feed document as a tree of elements, read the forgiving way real
//! feeds need: a bare `&`, a character reference written `&#X41;`, an end
//! tag that matches nothing, a prefix nobody declared (`media:title`
//! without `xmlns:media`), a document cut short (what was read is kept).
//!
//! The tree is bounded whatever the input: at most [`MAX_ELEMENTS`]
//! elements and [`MAX_DEPTH`] levels (deeper markup is kept as its text).
//! Entities from a DTD are never expanded: a reference to one stays as
//! written, so a "billion laughs" document is just text.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::PrefixDeclaration;
use quick_xml::Reader;

/// The most elements kept from one document.
pub const MAX_ELEMENTS: usize = 500_000;
/// The deepest an element may be nested and still be one.
pub const MAX_DEPTH: usize = 64;

/// The namespaces Parley reads something from. Everything else is
/// [`Ns::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    /// No namespace (RSS 0.9x and 2.0, unprefixed attributes).
    None,
    Atom,
    /// Atom 0.3, still published by old blog engines.
    Atom03,
    /// RSS 1.0's elements.
    Rss10,
    /// RSS 0.90's elements.
    Rss090,
    Rdf,
    /// Dublin Core (`dc:creator`, `dc:date`, `dc:subject`).
    Dc,
    /// `content:encoded`.
    Content,
    /// Media RSS (`media:title`).
    Media,
    Xhtml,
    /// `xml:base`, `xml:lang`.
    Xml,
    Other,
}

impl Ns {
    fn of_uri(uri: &str) -> Self {
        match uri.trim().trim_end_matches(['/', '#']) {
            "http://www.w3.org/2005/Atom" => Ns::Atom,
            "http://purl.org/atom/ns" => Ns::Atom03,
            "http://purl.org/rss/1.0" => Ns::Rss10,
            "http://my.netscape.com/rdf/simple/0.9" => Ns::Rss090,
            "http://www.w3.org/1999/02/22-rdf-syntax-ns" => Ns::Rdf,
            "http://purl.org/dc/elements/1.1" | "http://purl.org/dc/terms" => Ns::Dc,
            "http://purl.org/rss/1.0/modules/content" => Ns::Content,
            "http://search.yahoo.com/mrss" => Ns::Media,
            "http://www.w3.org/1999/xhtml" => Ns::Xhtml,
            "http://www.w3.org/XML/1998/namespace" => Ns::Xml,
            "" => Ns::None,
            _ => Ns::Other,
        }
    }

    /// What a prefix nobody declared usually stands for.
    fn of_undeclared(prefix: &str) -> Self {
        match prefix {
            "atom" => Ns::Atom,
            "dc" | "dcterms" => Ns::Dc,
            "content" => Ns::Content,
            "media" => Ns::Media,
            "rdf" => Ns::Rdf,
            "xhtml" | "html" => Ns::Xhtml,
            _ => Ns::Other,
        }
    }
}

/// An element: its namespace and local name, attributes and content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub ns: Ns,
    pub name: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
}

/// An attribute, its value with references resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub ns: Ns,
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    /// Character data, references resolved (see [`reference`]).
    Text(String),
}

impl Element {
    /// The value of the attribute `name` in namespace `ns`.
    pub fn attr(&self, ns: Ns, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns == ns && a.name.eq_ignore_ascii_case(name))
            .map(|a| a.value.as_str())
    }

    /// The child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|node| match node {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Whether this is `name` in one of the namespaces `ns`.
    pub fn is(&self, ns: &[Ns], name: &str) -> bool {
        self.name == name && ns.contains(&self.ns)
    }

    /// The first child element `name` in one of `ns`.
    pub fn child(&self, ns: &[Ns], name: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(ns, name))
    }

    /// All the text inside, markup left out.
    pub fn text(&self) -> String {
        let mut text = String::new();
        self.push_text(&mut text);
        text
    }

    fn push_text(&self, into: &mut String) {
        for node in &self.children {
            match node {
                Node::Text(t) => into.push_str(t),
                Node::Element(e) => e.push_text(into),
            }
        }
    }
}

/// A document, read as far as it could be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The outermost element; `None` when there is none.
    pub root: Option<Element>,
    /// What stopped the reading before the end, in the parser's words.
    pub error: Option<String>,
}

/// Reads `text` into a tree.
pub fn read(text: &str) -> Document {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.allow_dangling_amp = true;
    config.allow_unmatched_ends = true;
    config.check_end_names = false;
    let mut builder = Builder::default();
    let error = loop {
        match reader.read_event() {
            Ok(Event::Start(start)) => builder.open(&start),
            Ok(Event::Empty(start)) => {
                builder.open(&start);
                builder.close_innermost();
            }
            Ok(Event::End(end)) => builder.close(end.name().0),
            Ok(Event::Text(t)) => builder.text(&t.xml10_content()),
            Ok(Event::CData(t)) => builder.text(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) => builder.text(&reference(&r)),
            Ok(Event::Eof) => break None,
            Ok(_) => {}
            Err(e) => break Some(e.to_string()),
        }
        if builder.root.is_some() {
            // Anything after the root element is not part of the feed.
            break None;
        }
    };
    Document {
        root: builder.finish(),
        error,
    }
}

/// `&name;` resolved: XML's five predefined entities, character
/// references (decimal, `x` or `X` hexadecimal), and HTML's named
/// characters, which feeds use without declaring them (`&nbsp;`,
/// `&eacute;`). Any other name is left as written: nothing is ever
/// expanded from a DTD.
fn reference(name: &str) -> Cow<'static, str> {
    let character = |c: char| Cow::Owned(c.to_string());
    match name {
        "lt" => Cow::Borrowed("<"),
        "gt" => Cow::Borrowed(">"),
        "amp" => Cow::Borrowed("&"),
        "apos" => Cow::Borrowed("'"),
        "quot" => Cow::Borrowed("\""),
        _ => match name.strip_prefix('#') {
            Some(number) => {
                let value = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => number.parse::<u32>().ok(),
                };
                match value.and_then(char::from_u32).filter(|c| *c != '\0') {
                    Some(c) => character(c),
                    None => character(char::REPLACEMENT_CHARACTER),
                }
            }
            None => {
                let named = format!("{name};");
                match web_atoms::NAMED_ENTITIES.get(named.as_str()) {
                    Some(&(first, second)) if first != 0 => Cow::Owned(
                        [first, second]
                            .into_iter()
                            .filter(|c| *c != 0)
                            .filter_map(char::from_u32)
                            .collect(),
                    ),
                    _ => Cow::Owned(format!("&{named}")),
                }
            }
        },
    }
}

/// Builds the tree as events arrive.
#[derive(Default)]
struct Builder {
    /// Open elements, outermost first, each with its name as written (to
    /// match end tags) and the namespace prefixes it declares.
    open: Vec<Open>,
    /// Elements inside the open ones that were not kept (too deep, or
    /// past the element limit): their end tags are theirs, not ours.
    dropped: usize,
    elements: usize,
    root: Option<Element>,
}

struct Open {
    element: Element,
    qname: String,
    prefixes: Vec<(Option<String>, Ns)>,
}

impl Builder {
    fn open(&mut self, start: &BytesStart<'_>) {
        if self.dropped > 0 || self.open.len() >= MAX_DEPTH || self.elements >= MAX_ELEMENTS {
            self.dropped += 1;
            return;
        }
        self.elements += 1;
        let mut prefixes = Vec::new();
        let mut raw_attrs = Vec::new();
        for attr in start.attributes().with_checks(false).flatten() {
            let value = unescaped(&attr.value);
            match attr.key.as_namespace_binding() {
                Some(PrefixDeclaration::Default) => prefixes.push((None, Ns::of_uri(&value))),
                Some(PrefixDeclaration::Named(p)) => {
                    prefixes.push((Some(p.to_owned()), Ns::of_uri(&value)));
                }
                None => raw_attrs.push((attr.key.0.to_owned(), value)),
            }
        }
        let qname = start.name().0.to_owned();
        let (prefix, local) = split(&qname);
        let ns = self.resolve(&prefixes, prefix, true);
        let attrs = raw_attrs
            .into_iter()
            .map(|(key, value)| {
                let (prefix, local) = split(&key);
                Attr {
                    ns: self.resolve(&prefixes, prefix, false),
                    name: local.to_owned(),
                    value,
                }
            })
            .collect();
        self.open.push(Open {
            element: Element {
                ns,
                name: local.to_owned(),
                attrs,
                children: Vec::new(),
            },
            qname,
            prefixes,
        });
    }

    /// The namespace `prefix` stands for where an element declaring
    /// `declared` opens (`element`: an unprefixed element takes the
    /// default namespace, an unprefixed attribute none).
    fn resolve(
        &self,
        declared: &[(Option<String>, Ns)],
        prefix: Option<&str>,
        element: bool,
    ) -> Ns {
        if prefix.is_none() && !element {
            return Ns::None;
        }
        if prefix == Some("xml") {
            return Ns::Xml;
        }
        let scopes =
            std::iter::once(declared).chain(self.open.iter().rev().map(|o| o.prefixes.as_slice()));
        for scope in scopes {
            if let Some((_, ns)) = scope.iter().rev().find(|(p, _)| p.as_deref() == prefix) {
                return *ns;
            }
        }
        prefix.map_or(Ns::None, Ns::of_undeclared)
    }

    /// An end tag: it closes the innermost open element of that name and
    /// any left open inside it; one that matches nothing open is ignored.
    fn close(&mut self, qname: &str) {
        if self.dropped > 0 {
            self.dropped -= 1;
            return;
        }
        if let Some(at) = self.open.iter().rposition(|o| o.qname == qname) {
            while self.open.len() > at {
                self.close_innermost();
            }
        }
    }

    fn close_innermost(&mut self) {
        if self.dropped > 0 {
            self.dropped -= 1;
            return;
        }
        let Some(done) = self.open.pop() else {
            return;
        };
        match self.open.last_mut() {
            Some(parent) => parent.element.children.push(Node::Element(done.element)),
            None => self.root = Some(done.element),
        }
    }

    fn text(&mut self, text: &str) {
        let Some(current) = self.open.last_mut() else {
            return; // white space around the root
        };
        match current.element.children.last_mut() {
            Some(Node::Text(last)) => last.push_str(text),
            _ => current.element.children.push(Node::Text(text.to_owned())),
        }
    }

    /// The root, with whatever was still open closed (a document cut
    /// short keeps what was read).
    fn finish(mut self) -> Option<Element> {
        self.dropped = 0;
        while !self.open.is_empty() {
            self.close_innermost();
        }
        self.root
    }
}

fn split(qname: &str) -> (Option<&str>, &str) {
    match qname.split_once(':') {
        Some((prefix, local)) => (Some(prefix), local),
        None => (None, qname),
    }
}

/// An attribute's raw value with its references resolved as in text.
pub fn unescaped(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(rest.get(..at).unwrap_or_default());
        let after = rest.get(at + 1..).unwrap_or_default();
        match after.find(';').filter(|&end| end > 0 && end <= 32) {
            Some(end) => {
                out.push_str(&reference(after.get(..end).unwrap_or_default()));
                rest = after.get(end + 1..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Element {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        read(text).root.unwrap()
    }

    #[test]
    fn references_of_every_spelling_and_a_bare_ampersand() {
        let doc =
            root("<t a='x &amp; &#X42;'>&#X41;&#x42;&#67; AT&T &eacute; &bogus; &lt;b&gt;</t>");
        assert_eq!(doc.text(), "ABC AT&T \u{E9} &bogus; <b>");
        assert_eq!(doc.attr(Ns::None, "a"), Some("x & B"));
    }

    #[test]
    fn namespaces_declared_and_undeclared() {
        let doc = root(
            r#"<rss xmlns:m="http://search.yahoo.com/mrss/"><m:title>a</m:title><media:title>b</media:title><item xml:base="http://x/"/></rss>"#,
        );
        let kinds: Vec<Ns> = doc.elements().map(|e| e.ns).collect();
        assert_eq!(kinds, [Ns::Media, Ns::Media, Ns::None]);
        assert_eq!(
            doc.child(&[Ns::None], "item")
                .and_then(|i| i.attr(Ns::Xml, "base")),
            Some("http://x/")
        );
    }

    #[test]
    fn broken_documents_keep_what_was_read() {
        let doc = root("<feed><entry><title>one</wrong></title></entry><entry><title>two");
        let titles: Vec<String> = doc.elements().map(Element::text).collect();
        assert_eq!(titles, ["one", "two"]);
    }

    #[test]
    fn depth_and_size_are_bounded() {
        let deep = format!("<r>{}x{}</r>", "<d>".repeat(10_000), "</d>".repeat(10_000));
        let doc = root(&deep);
        let mut depth = 0;
        let mut at = &doc;
        while let Some(next) = at.elements().next() {
            depth += 1;
            at = next;
        }
        assert_eq!(depth, MAX_DEPTH - 1);
        assert_eq!(doc.text(), "x");
    }
}
