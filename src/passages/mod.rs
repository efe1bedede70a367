//! Passages: the words of an article a comment or a highlight is about.
//!
//! A passage is kept as a selector in the manner of the W3C Web
//! Annotation model: the exact text quoted, up to [`CONTEXT_CHARS`]
//! characters on either side of it, and where it starts and ends in the
//! article's text (offsets in Unicode scalar values, so the same on every
//! engine and every platform; the window converts from its own). When an
//! article changes, [`anchor::place`] finds each passage again on the new
//! text, or says it is no longer there; it never guesses.

#[doc(hidden)]
pub mod accuracy;
pub mod anchor;
pub mod highlights;
pub mod marks;
pub mod selector;
mod stored;
pub mod text;

pub use anchor::{place, Placement};
pub use highlights::{Colour, Highlight, HighlightQuery};
pub use marks::{marks, Mark, Marks};
pub use selector::{Selector, CONTEXT_CHARS, MAX_QUOTE_CHARS};
pub(crate) use stored::{insert, of_discussion, place_again};
pub use stored::{NewPassage, Passage, Placed};
