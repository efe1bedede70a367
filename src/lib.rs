//! Parley's domain: everything that is true without a window.
//!
//! The desktop shell (`src-tauri`) only binds these functions to commands; the
//! rules (who may post, what a valid comment is, how a thread is ordered) live
//! here so they can be tested against real SQLite files in seconds.

pub mod accounts;
pub mod admin;
pub mod articles;
pub mod backup;
pub mod bindings;
pub mod certificates;
pub mod clock;
pub mod comments;
mod error;
pub mod events;
pub mod export;
pub mod ids;
pub mod library;
pub mod links;
pub mod membership;
pub mod mutes;
mod names;
pub mod passages;
pub mod passwords;
pub mod policy;
pub mod rate;
pub mod render;
pub mod samples;
pub mod search;
mod secret;
pub mod session;
pub mod startup;
pub mod store;
mod text;
pub mod users;

pub use error::{human_wait, Error, ErrorBody, ErrorKind, Result};
