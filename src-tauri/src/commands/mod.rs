//! The commands the web view may call, one module per area. Each one reads
//! its arguments, asks the session who is acting where that matters, calls
//! parley-core and returns its result; errors cross as `{ kind, message }`.

pub mod accounts;
pub mod admin;
pub mod articles;
pub mod comments;
pub mod connection;
pub mod data;
pub mod library;
pub mod links;
pub mod passages;
