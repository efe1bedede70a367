//! The TypeScript declarations of everything that crosses to the UI,
//! generated from the Rust types so the two can never drift apart.
//! `tests/bindings.rs` fails when `ui/src/lib/api/bindings.ts` is stale and
//! rewrites it when run with `PARLEY_UPDATE_BINDINGS=1`.

use ts_rs::{Config, TS};

use crate::accounts::NewAccount;
use crate::admin::{AccountSummary, AppSettings};
use crate::articles::{Article, ArticleSummary, VersionInfo};
use crate::backup::{Backup, Kind as BackupKind, Restored};
use crate::comments::{
    Removal, ReplyToMe, Revision, Sort, ThreadComment, ThreadPage, ThreadQuery, VoteChoice,
    VoteOutcome,
};
use crate::events::{Change, Event};
use crate::export::Format as ExportFormat;
use crate::ids::{
    ArticleId, CommentId, HighlightId, InviteId, MuteId, PassageId, SessionId, SourceId, UserId,
};
use crate::library::adding::Origin;
use crate::library::jobs::{ItemState, JobItem, JobView};
use crate::library::limits::LibraryLimits;
use crate::library::listing::{LibraryCursor, LibraryPage, LibraryQuery, TagCount};
use crate::library::sources::Source;
use crate::membership::{InviteInfo, NewInvite, SignUp};
use crate::mutes::MutedPerson;
use crate::passages::{
    Colour, Highlight, HighlightQuery, Mark, Marks, NewPassage, Passage, Placed,
};
use crate::search::{ArticleHit, CommentHit, HighlightWord, SearchQuery, SearchResults, Segment};
use crate::session::stored::SessionInfo;
use crate::users::{Role, User};
use crate::{ErrorBody, ErrorKind};

/// The contents of `ui/src/lib/api/bindings.ts`.
pub fn typescript() -> String {
    let cfg = Config::new();
    let decls = [
        UserId::decl(&cfg),
        ArticleId::decl(&cfg),
        CommentId::decl(&cfg),
        MuteId::decl(&cfg),
        SourceId::decl(&cfg),
        SessionId::decl(&cfg),
        InviteId::decl(&cfg),
        ErrorKind::decl(&cfg),
        ErrorBody::decl(&cfg),
        Role::decl(&cfg),
        User::decl(&cfg),
        NewAccount::decl(&cfg),
        ArticleSummary::decl(&cfg),
        Article::decl(&cfg),
        VersionInfo::decl(&cfg),
        PassageId::decl(&cfg),
        HighlightId::decl(&cfg),
        Placed::decl(&cfg),
        Passage::decl(&cfg),
        NewPassage::decl(&cfg),
        Mark::decl(&cfg),
        Marks::decl(&cfg),
        Colour::decl(&cfg),
        Highlight::decl(&cfg),
        HighlightQuery::decl(&cfg),
        Sort::decl(&cfg),
        Removal::decl(&cfg),
        VoteChoice::decl(&cfg),
        ThreadComment::decl(&cfg),
        ThreadPage::decl(&cfg),
        ThreadQuery::decl(&cfg),
        Revision::decl(&cfg),
        VoteOutcome::decl(&cfg),
        ReplyToMe::decl(&cfg),
        AccountSummary::decl(&cfg),
        AppSettings::decl(&cfg),
        LibraryLimits::decl(&cfg),
        MutedPerson::decl(&cfg),
        SessionInfo::decl(&cfg),
        SignUp::decl(&cfg),
        InviteInfo::decl(&cfg),
        NewInvite::decl(&cfg),
        Origin::decl(&cfg),
        LibraryQuery::decl(&cfg),
        LibraryCursor::decl(&cfg),
        LibraryPage::decl(&cfg),
        Change::decl(&cfg),
        Event::decl(&cfg),
        TagCount::decl(&cfg),
        Source::decl(&cfg),
        ItemState::decl(&cfg),
        JobItem::decl(&cfg),
        JobView::decl(&cfg),
        SearchQuery::decl(&cfg),
        Segment::decl(&cfg),
        ArticleHit::decl(&cfg),
        CommentHit::decl(&cfg),
        HighlightWord::decl(&cfg),
        SearchResults::decl(&cfg),
        BackupKind::decl(&cfg),
        Backup::decl(&cfg),
        Restored::decl(&cfg),
        ExportFormat::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from parley-core's Rust types by `src/bindings.rs`. Do not edit:\n\
         // run `PARLEY_UPDATE_BINDINGS=1 cargo test -p parley-core --test domain bindings`.\n",
    );
    for decl in decls {
        out.push_str("\nexport ");
        out.push_str(&decl);
        out.push('\n');
    }
    out
}
