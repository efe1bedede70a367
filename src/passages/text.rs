//! An article's text as passages count it: the text of its body exactly
//! as the window's DOM holds it (`textContent` of the element the body is
//! inserted into), so an offset the window measures in a selection and an
//! offset here are the same place. Both sides parse the same sanitized
//! HTML with a parser that follows the HTML standard, so they agree on
//! every text node, entity and whitespace run.

/// The text of `body_html`, as a passage's offsets count it.
pub fn of_html(body_html: &str) -> String {
    dom_query::Document::fragment(body_html).text().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_what_the_dom_holds_between_the_tags() {
        let html = "<p>Fish &amp; chips</p>\n<p>on <em>Fri</em>day&nbsp;night</p><img src=\"x\" alt=\"no\">";
        assert_eq!(of_html(html), "Fish & chips\non Friday\u{a0}night");
    }
}
