//! parley-core's integration tests, one module per area, in one test binary:
//! each binary links the whole dependency tree again, so twenty of them cost
//! minutes of linking and gigabytes of disk. `tests/input_bounds.rs` stays
//! apart because it installs its own global allocator.
//!
//! Run one area with `cargo test -p parley-core --test domain <area>::`.

mod common;

mod account_management;
mod accounts;
mod authorization;
mod backup;
mod bindings;
mod comment_text;
mod comments;
mod disclosure;
mod discussion;
mod events;
mod export;
mod feed_mutations;
mod feed_shapes;
mod fetch;
mod library_feeds;
mod library_imports;
mod library_jobs;
mod library_limits;
mod library_listing;
mod membership;
mod moderation;
mod names;
mod passages;
mod races;
mod rate;
mod render;
mod search;
mod sessions;
mod store;
mod stored_sessions;
mod thread_refresh;
