//! The library people fill themselves: feeds they follow, pages they save,
//! files they import. Everything fetched or imported is hostile until it
//! has been checked, capped and sanitized here; the window only ever shows
//! what is stored.
//!
//! - `fetch.rs` is the one HTTP client and its safety policy: public
//!   addresses only, checked after name resolution and on every redirect,
//!   time-outs, and a cap on what a response may grow to.

pub mod adding;
pub mod address;
pub mod contain;
pub mod dates;
pub mod encoding;
pub mod feeds;
pub mod fetch;
pub mod files;
pub mod images;
pub mod incoming;
pub mod jobs;
pub mod limits;
pub mod listing;
pub mod nesting;
pub mod opml;
pub mod pages;
pub mod readable;
pub mod sanitize;
pub mod sources;
pub mod versions;
pub mod work;
