//! The routes, one module per area, each a thin door onto parley-core.
//!
//! Reads that take a query richer than a few words (a thread page with
//! the subtrees a reader folded, a library page after a cursor) are POSTs
//! with a JSON body; everything else follows the usual verbs. Ids travel
//! in the path; who is acting travels only in the session token.

mod accounts;
mod admin;
mod discussion;
mod library;
mod live;
mod membership;
mod passages;
mod work;

use axum::Router;

use crate::AppState;

/// The version of this API a client checks before it talks to a server.
pub const API_VERSION: u32 = 1;

pub fn api() -> Router<AppState> {
    Router::new()
        .merge(accounts::routes())
        .merge(admin::routes())
        .merge(membership::routes())
        .merge(passages::routes())
        .merge(discussion::routes())
        .merge(library::routes())
        .merge(live::routes())
        .merge(work::routes())
}
