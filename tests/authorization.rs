//! The authorization matrix: who may do what to whose things.
//!
//! One row per [`Action`], one column per kind of person and whose thing
//! they act on; every cell runs the real operation through a real
//! [`Session`] (as the app's commands do) on a real database and asserts
//! that it was allowed or refused with exactly the expected error kind.
//! An action added to [`Action::ALL`] without a row here fails the test.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::{new_account, TestDb};
use parley_core::accounts::User;
use parley_core::articles;
use parley_core::comments::{self, VoteChoice};
use parley_core::ids::{ArticleId, CommentId, HighlightId, SourceId};
use parley_core::library::sources;
use parley_core::passages::{highlights, Colour, NewPassage};
use parley_core::policy::Action;
use parley_core::session::Session;
use parley_core::{admin, membership, mutes, ErrorKind, Result};

/// Who acts, and on whose thing (a comment's author, or the account acted on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    /// The admin, on their own comment or account.
    AdminOwn,
    /// The admin, on a member's comment or account.
    AdminTheirs,
    /// A member, on their own comment or account.
    MemberOwn,
    /// Another member, on the first member's comment or account.
    OtherMember,
    /// Nobody signed in, on a member's comment.
    SignedOut,
    /// A member whom the admin has since disabled, on their own comment.
    Disabled,
}

const CELLS: [Cell; 6] = [
    Cell::AdminOwn,
    Cell::AdminTheirs,
    Cell::MemberOwn,
    Cell::OtherMember,
    Cell::SignedOut,
    Cell::Disabled,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    Refused(ErrorKind),
}

use Expect::{Allowed as A, Refused};
const F: Expect = Refused(ErrorKind::Forbidden);
const I: Expect = Refused(ErrorKind::Invalid);
const U: Expect = Refused(ErrorKind::Unauthorized);
const N: Expect = Refused(ErrorKind::NotFound);

/// The matrix. Columns follow [`CELLS`]:
/// admin (own) · admin (theirs) · member (own) · other member · signed out · disabled
const MATRIX: &[(Action, [Expect; 6])] = &[
    (Action::Post, [A, A, A, A, U, U]),
    (Action::Reply, [A, A, A, A, U, U]),
    (Action::Edit, [A, F, A, F, U, U]),
    (Action::Delete, [A, F, A, F, U, U]),
    // Nobody votes on their own comment.
    (Action::Vote, [F, A, F, A, U, U]),
    (Action::Lock, [A, A, F, F, U, U]),
    (Action::Pin, [A, A, F, F, U, U]),
    (Action::Remove, [A, A, F, F, U, U]),
    // Nobody mutes themselves.
    (Action::Mute, [I, A, I, A, U, U]),
    // Another's highlight is not there, for the admin too.
    (Action::Highlight, [A, N, A, N, U, U]),
    // The admin is already an admin.
    (Action::Promote, [I, A, F, F, U, U]),
    // The only admin cannot step down.
    (Action::Demote, [F, A, F, F, U, U]),
    // Nobody disables or enables themselves.
    (Action::Disable, [I, A, F, F, U, U]),
    (Action::Enable, [I, A, F, F, U, U]),
    (Action::Invite, [A, A, F, F, U, U]),
    (Action::ViewAccounts, [A, A, F, F, U, U]),
    (Action::Configure, [A, A, F, F, U, U]),
    (Action::AddToLibrary, [A, A, A, A, U, U]),
    // On a feed the owner follows, an article the owner added.
    (Action::ManageSource, [A, A, A, F, U, U]),
    (Action::DeleteArticle, [A, A, A, F, U, U]),
    (Action::BackUp, [A, A, F, F, U, U]),
    (Action::Restore, [A, A, F, F, U, U]),
];

/// The people, each with their own session, and a second connection for
/// setting up targets without going through the rules under test.
struct World {
    db: TestDb,
    admin: (Session, User),
    member: (Session, User),
    other: (Session, User),
    disabled: (Session, User),
    signed_out: Session,
}

impl World {
    async fn new() -> Self {
        let db = TestDb::new().await;
        let mut people = Vec::new();
        for (name, display) in [
            ("ada", "Ada"),
            ("grace", "Grace"),
            ("linus", "Linus"),
            ("dennis", "Dennis"),
        ] {
            let session = Session::new();
            let user = session
                .create_account(&db.store, new_account(name, display))
                .await
                .unwrap();
            people.push((session, user));
        }
        let [admin, member, other, disabled] = <[_; 4]>::try_from(people).ok().unwrap();
        Self {
            db,
            admin,
            member,
            other,
            disabled,
            signed_out: Session::new(),
        }
    }

    /// A new article, so one cell's lock or pin cannot affect another.
    async fn article(&self) -> ArticleId {
        let id = ArticleId::from(uuid::Uuid::now_v7());
        self.db
            .raw_exec(
                "INSERT INTO articles (id, title, source, author, published_at, summary, body_html, created_at)
                 VALUES ($1, 'A test article', 'Parley tests', 'Nobody', 0, '', '<p>Text.</p>', 0)",
                &[common::id(id)],
            )
            .await;
        id
    }

    /// A highlight `owner` keeps on `article` (whose text is "Text.").
    async fn highlight_of(&self, owner: &User, article: ArticleId) -> HighlightId {
        let passage = NewPassage {
            version: 1,
            start: 0,
            end: 4,
            quote: "Text".into(),
        };
        highlights::highlight(&self.db.store, owner, article, &passage, Colour::Green, "")
            .await
            .unwrap()
            .id
    }

    /// A feed `owner` follows.
    async fn source_of(&self, owner: &User) -> SourceId {
        let id = SourceId::new();
        self.db
            .raw_exec(
                "INSERT INTO sources (id, feed_url, title, added_by, added_at, next_refresh_at)
                 VALUES ($1, $2, 'A feed', $3, 0, 0)",
                &[
                    common::id(id),
                    format!("https://feeds.example/{id}.xml").into(),
                    common::id(owner.id),
                ],
            )
            .await;
        id
    }

    /// An article `owner` added to the library, without a discussion.
    async fn article_added_by(&self, owner: &User) -> ArticleId {
        let id = ArticleId::from(uuid::Uuid::now_v7());
        self.db
            .raw_exec(
                "INSERT INTO articles (id, title, source, author, published_at, summary, body_html,
                                       created_at, origin, added_by, added_at)
                 VALUES ($1, 'Saved', 'A site', '', 0, '', '<p>Text.</p>', 0, 'page', $2, 0)",
                &[common::id(id), common::id(owner.id)],
            )
            .await;
        id
    }

    /// A new account to act on: `role` admin or member, maybe disabled.
    async fn account(&self, role: &str, disabled: bool) -> String {
        let id = uuid::Uuid::now_v7();
        let username = format!("target-{}", id.simple());
        self.db
            .raw_exec(
                "INSERT INTO users (id, username, username_key, display_name, password_hash, role,
                                    created_at, password_fit_for_admin, disabled_at)
                 VALUES ($1, $2, $2, 'Target', '', $3, 0, TRUE, CASE WHEN $4 THEN 0 END)",
                &[
                    common::id(id),
                    (&username).into(),
                    role.into(),
                    disabled.into(),
                ],
            )
            .await;
        username
    }

    /// Puts roles back as they were: Ada the only admin.
    async fn reset_roles(&self) {
        self.db
            .raw_exec(
                "UPDATE users SET role = 'member' WHERE id != $1",
                &[common::id(self.admin.1.id)],
            )
            .await;
    }

    /// Who acts in `cell`, and whose things they act on.
    fn parties(&self, cell: Cell) -> (&Session, &User) {
        let owner = match cell {
            Cell::AdminOwn => &self.admin.1,
            Cell::MemberOwn | Cell::AdminTheirs | Cell::OtherMember | Cell::SignedOut => {
                &self.member.1
            }
            Cell::Disabled => &self.disabled.1,
        };
        let session = match cell {
            Cell::AdminOwn | Cell::AdminTheirs => &self.admin.0,
            Cell::MemberOwn => &self.member.0,
            Cell::OtherMember => &self.other.0,
            Cell::SignedOut => &self.signed_out,
            Cell::Disabled => &self.disabled.0,
        };
        (session, owner)
    }

    /// Runs `action` in `cell` through the real operation.
    async fn attempt(&self, action: Action, cell: Cell) -> Result<()> {
        let store = &self.db.store;
        let (session, owner) = self.parties(cell);
        let article = self.article().await;
        // Set-up writes go straight through parley-core as the owner.
        let comment: CommentId = comments::post(store, owner, article, None, "A comment.")
            .await
            .unwrap();
        let account = match (action, cell) {
            (_, Cell::AdminOwn | Cell::MemberOwn | Cell::Disabled) => owner.username.clone(),
            (Action::Demote, _) => self.account("admin", false).await,
            (Action::Enable, _) => self.account("member", true).await,
            _ => self.account("member", false).await,
        };
        let highlight = match action {
            Action::Highlight => Some(self.highlight_of(owner, article).await),
            _ => None,
        };
        if cell == Cell::Disabled {
            // Dennis wrote his comment, then the admin disabled him.
            admin::disable(store, &self.admin.1, &owner.username)
                .await
                .unwrap();
        }

        let actor = session.actor(store).await?;
        match action {
            Action::Post => comments::post(store, &actor, article, None, "Hello")
                .await
                .map(drop),
            Action::Reply => comments::post(store, &actor, article, Some(comment), "Hi")
                .await
                .map(drop),
            Action::Edit => comments::edit(store, &actor, comment, "Edited").await,
            Action::Delete => comments::delete(store, &actor, comment).await,
            Action::Vote => comments::vote(store, &actor, comment, VoteChoice::Up)
                .await
                .map(drop),
            Action::Lock => comments::set_locked(store, &actor, article, true).await,
            Action::Pin => comments::set_pinned(store, &actor, comment, true).await,
            Action::Remove => comments::remove(store, &actor, comment).await,
            Action::Mute => mutes::set_muted_by_comment(store, &actor, comment, true).await,
            Action::Highlight => {
                let id = highlight.unwrap();
                highlights::edit_highlight(store, &actor, id, Colour::Pink, "Changed.")
                    .await
                    .map(drop)
            }
            Action::Promote => admin::promote(store, &actor, &account).await,
            Action::Demote => admin::demote(store, &actor, &account).await,
            Action::Disable => admin::disable(store, &actor, &account).await,
            Action::Enable => admin::enable(store, &actor, &account).await,
            Action::Invite => membership::create_invite(store, &actor, 7).await.map(drop),
            Action::ViewAccounts => admin::list_accounts(store, &actor).await.map(drop),
            Action::Configure => admin::set_idle_timeout(store, &actor, 30).await.map(drop),
            Action::AddToLibrary => {
                let feed = url::Url::parse("https://feeds.example/parley-tests.xml").unwrap();
                sources::subscribe(store, &actor, &feed, "Tests", None)
                    .await
                    .map(drop)
            }
            Action::ManageSource => {
                let source = self.source_of(owner).await;
                sources::remove(store, &actor, source).await
            }
            Action::DeleteArticle => {
                let added = self.article_added_by(owner).await;
                articles::delete_article(store, &actor, added).await
            }
            Action::BackUp => parley_core::backup::back_up_as(store, &actor, &|_, _| {})
                .await
                .map(drop),
            // A restore would replace the database under this test's other
            // connection: ask for a backup that is not there. Past the
            // rule, that is "not found"; refused, it is the refusal.
            Action::Restore => {
                match parley_core::backup::restore_as(store, &actor, "parley-2000-01-01-000000.db")
                    .await
                {
                    Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
                    other => other.map(drop),
                }
            }
        }
    }
}

#[tokio::test]
async fn every_action_is_allowed_or_refused_as_the_matrix_says() {
    // Every action has exactly one row.
    for action in Action::ALL {
        let rows = MATRIX.iter().filter(|(a, _)| a == action).count();
        assert_eq!(rows, 1, "{action:?} needs exactly one row in MATRIX");
    }
    assert_eq!(MATRIX.len(), Action::ALL.len());

    let world = World::new().await;
    let dennis = world.disabled.1.username.clone();
    let mut failures = Vec::new();
    for (action, expected) in MATRIX {
        for (cell, expected) in CELLS.iter().zip(expected) {
            let outcome = match world.attempt(*action, *cell).await {
                Ok(()) => A,
                Err(e) => Refused(e.kind()),
            };
            // A backup is a copy of the SQLite file: on a server's database
            // whoever may take one is told there is none to take, after
            // the same check of who they are.
            let expected = match (action, expected, common::engine()) {
                (Action::BackUp, A, common::Engine::Postgres) => &I,
                _ => expected,
            };
            if outcome != *expected {
                failures.push(format!(
                    "{action:?} by {cell:?}: expected {expected:?}, got {outcome:?}"
                ));
            }
            world.reset_roles().await;
            if *cell == Cell::Disabled {
                // Dennis is enabled and signs in again, for his next turn.
                admin::enable(&world.db.store, &world.admin.1, &dennis)
                    .await
                    .unwrap();
                world
                    .disabled
                    .0
                    .sign_in(&world.db.store, &dennis, common::password_for(&dennis))
                    .await
                    .unwrap();
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
