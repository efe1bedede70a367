//! Who may do what, through the API: every route that writes, tried by an
//! admin and a member on what is and is not theirs, signed out, and with
//! the session of an account that has since been disabled. The answers
//! are parley-core's (`policy::authorize`): the routes add no rule and
//! skip none.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

mod common;

use common::{Signed, TestServer};
use serde_json::{json, Value};

/// What an attempt must get: allowed (2xx), or refused as forbidden,
/// invalid, or not signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    A,
    F,
    I,
    U,
    /// Not found: another's highlight is answered as one that does not exist.
    N,
}
use Expect::{A, F, I, N, U};

/// The columns: admin on their own · admin on someone else's · member on
/// their own · member on another's · signed out · a disabled account.
const CELLS: [&str; 6] = [
    "admin own",
    "admin theirs",
    "member own",
    "other member",
    "signed out",
    "disabled",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    Post,
    Reply,
    Edit,
    Delete,
    Vote,
    Collapse,
    Lock,
    Pin,
    Remove,
    Promote,
    Demote,
    Disable,
    Enable,
    Invite,
    SignUp,
    DisplayName,
    Sort,
    Mute,
    MarkRead,
    PostAbout,
    Highlight,
    EditHighlight,
    DeleteHighlight,
}

const MATRIX: &[(Write, [Expect; 6])] = &[
    (Write::Post, [A, A, A, A, U, U]),
    (Write::Reply, [A, A, A, A, U, U]),
    (Write::Edit, [A, F, A, F, U, U]),
    (Write::Delete, [A, F, A, F, U, U]),
    (Write::Vote, [F, A, F, A, U, U]),
    (Write::Collapse, [A, A, A, A, U, U]),
    (Write::Lock, [A, A, F, F, U, U]),
    (Write::Pin, [A, A, F, F, U, U]),
    (Write::Remove, [A, A, F, F, U, U]),
    (Write::Promote, [I, A, F, F, U, U]),
    (Write::Demote, [F, A, F, F, U, U]),
    (Write::Disable, [I, A, F, F, U, U]),
    (Write::Enable, [I, A, F, F, U, U]),
    (Write::Invite, [A, A, F, F, U, U]),
    (Write::SignUp, [A, A, F, F, U, U]),
    (Write::DisplayName, [A, A, A, A, U, U]),
    (Write::Sort, [A, A, A, A, U, U]),
    (Write::Mute, [I, A, I, A, U, U]),
    (Write::MarkRead, [A, A, A, A, U, U]),
    (Write::PostAbout, [A, A, A, A, U, U]),
    (Write::Highlight, [A, A, A, A, U, U]),
    (Write::EditHighlight, [A, N, A, N, U, U]),
    (Write::DeleteHighlight, [A, N, A, N, U, U]),
];

/// One server with an admin (Ada), two members (Grace, Alan), and Dora,
/// whose session was taken before her account was disabled.
struct World {
    server: TestServer,
    ada: Signed,
    grace: Signed,
    alan: Signed,
    dora: Signed,
    article: String,
    invited: u32,
}

impl World {
    async fn new() -> Self {
        let server = TestServer::start().await;
        let ada = server.set_up("ada").await;
        let grace = server.invite(&ada, "grace").await;
        let alan = server.invite(&ada, "alan").await;
        let dora = server.invite(&ada, "dora").await;
        server
            .send(
                "POST",
                "/api/v1/admin/accounts/dora/disable",
                Some(&ada.token),
                None,
            )
            .await
            .assert_status(204);
        let article = server.first_article().await;
        Self {
            server,
            ada,
            grace,
            alan,
            dora,
            article,
            invited: 0,
        }
    }

    /// The acting session and the owner of what is acted on, for a cell.
    fn parties(&self, cell: usize) -> (Option<&Signed>, &Signed, &'static str) {
        match cell {
            0 => (Some(&self.ada), &self.ada, "ada"),
            1 => (Some(&self.ada), &self.grace, "grace"),
            2 => (Some(&self.grace), &self.grace, "grace"),
            3 => (Some(&self.grace), &self.alan, "alan"),
            4 => (None, &self.grace, "grace"),
            _ => (Some(&self.dora), &self.grace, "grace"),
        }
    }

    /// A member made for this attempt, so that account changes in one
    /// cell do not decide the next.
    async fn fresh_member(&mut self) -> String {
        self.invited += 1;
        let name = format!("target{}", self.invited);
        self.server.invite(&self.ada, &name).await;
        name
    }

    /// The first words of the article's current text, as a passage.
    async fn passage(&self) -> Value {
        let shown = self
            .server
            .get(&format!("/api/v1/articles/{}", self.article), None)
            .await;
        let text = parley_core::passages::text::of_html(shown.body["bodyHtml"].as_str().unwrap());
        let words: String = text
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        let start = text[..text.find(&words).unwrap()].chars().count();
        json!({
            "version": shown.body["version"],
            "start": start,
            "end": start + words.chars().count(),
            "quote": words,
        })
    }

    async fn attempt(&mut self, write: Write, cell: usize) -> u16 {
        let (actor, owner, owner_name) = self.parties(cell);
        let (token, owner) = (actor.map(|a| a.token.clone()), owner.clone());
        let article = self.article.clone();
        let comment = self.server.post(&owner, &article, None, "A comment.").await;
        let passage = self.passage().await;
        // The owner's highlight, for changing it (a disabled owner has none:
        // their session is refused before anything is looked up).
        let highlight = match write {
            Write::EditHighlight | Write::DeleteHighlight => {
                let kept = self
                    .server
                    .json(
                        "POST",
                        &format!("/api/v1/articles/{article}/highlights"),
                        Some(&owner.token),
                        json!({"passage": passage, "colour": "green"}),
                    )
                    .await;
                kept.body["id"]
                    .as_str()
                    .map_or_else(common::new_id, str::to_owned)
            }
            _ => String::new(),
        };
        // An account to act on: one's own, or a fresh one for "theirs".
        let account = match (write, cell) {
            (Write::Promote | Write::Demote | Write::Disable | Write::Enable, 1 | 3) => {
                self.fresh_member().await
            }
            _ => owner_name.to_owned(),
        };
        let server = &self.server;
        let admin = |path: String| {
            let token = self.ada.token.clone();
            async move {
                server
                    .send("POST", &path, Some(&token), None)
                    .await
                    .assert_status(204);
            }
        };
        match write {
            Write::Demote if cell == 1 => {
                admin(format!("/api/v1/admin/accounts/{account}/promote")).await;
            }
            Write::Enable if cell == 1 || cell == 3 => {
                admin(format!("/api/v1/admin/accounts/{account}/disable")).await;
            }
            _ => {}
        }
        let (method, path, body): (&str, String, Option<Value>) = match write {
            Write::Post => (
                "POST",
                format!("/api/v1/articles/{article}/comments"),
                Some(json!({"id": common::new_id(), "body": "Hello"})),
            ),
            Write::Reply => (
                "POST",
                format!("/api/v1/articles/{article}/comments"),
                Some(json!({"id": common::new_id(), "parentId": comment, "body": "Hi"})),
            ),
            Write::Edit => (
                "PATCH",
                format!("/api/v1/comments/{comment}"),
                Some(json!({"body": "Edited."})),
            ),
            Write::Delete => ("DELETE", format!("/api/v1/comments/{comment}"), None),
            Write::Vote => (
                "PUT",
                format!("/api/v1/comments/{comment}/vote"),
                Some(json!({"choice": "up"})),
            ),
            Write::Collapse => (
                "PUT",
                format!("/api/v1/comments/{comment}/collapsed"),
                Some(json!({"collapsed": true})),
            ),
            Write::Lock => (
                "PUT",
                format!("/api/v1/articles/{article}/locked"),
                Some(json!({"locked": false})),
            ),
            Write::Pin => (
                "PUT",
                format!("/api/v1/comments/{comment}/pinned"),
                Some(json!({"pinned": true})),
            ),
            Write::Remove => ("POST", format!("/api/v1/comments/{comment}/removal"), None),
            Write::Promote | Write::Demote | Write::Disable | Write::Enable => {
                let change = format!("{write:?}").to_lowercase();
                (
                    "POST",
                    format!("/api/v1/admin/accounts/{account}/{change}"),
                    None,
                )
            }
            Write::Invite => ("POST", "/api/v1/invites".into(), Some(json!({"days": 3}))),
            Write::SignUp => (
                "PUT",
                "/api/v1/sign-up".into(),
                Some(json!({"signUp": "invite"})),
            ),
            Write::DisplayName => (
                "PUT",
                "/api/v1/me/display-name".into(),
                Some(json!({"displayName": format!("Renamed {cell}")})),
            ),
            Write::Sort => (
                "PUT",
                "/api/v1/me/sort".into(),
                Some(json!({"sort": "newest"})),
            ),
            Write::Mute => (
                "PUT",
                format!("/api/v1/comments/{comment}/author-muted"),
                Some(json!({"muted": true})),
            ),
            Write::MarkRead => ("POST", "/api/v1/library/read".into(), Some(json!({}))),
            Write::PostAbout => (
                "POST",
                format!("/api/v1/articles/{article}/comments"),
                Some(json!({"id": common::new_id(), "body": "About this.", "passage": passage})),
            ),
            Write::Highlight => (
                "POST",
                format!("/api/v1/articles/{article}/highlights"),
                Some(json!({"passage": passage, "colour": "yellow", "note": "Mine."})),
            ),
            Write::EditHighlight => (
                "PATCH",
                format!("/api/v1/highlights/{highlight}"),
                Some(json!({"colour": "pink", "note": "Changed."})),
            ),
            Write::DeleteHighlight => ("DELETE", format!("/api/v1/highlights/{highlight}"), None),
        };
        let body = body.map(|b| b.to_string());
        let reply = server
            .send(method, &path, token.as_deref(), body.as_deref())
            .await;
        if reply.status >= 400 {
            let kind = reply.body["kind"].as_str().unwrap_or_default().to_owned();
            assert!(!kind.is_empty(), "{write:?}: {}", reply.text);
        }
        reply.status
    }
}

fn expected_status(expect: Expect, status: u16) -> bool {
    match expect {
        A => (200..300).contains(&status),
        F => status == 403,
        I => status == 422,
        U => status == 401,
        N => status == 404,
    }
}

#[tokio::test]
async fn every_write_is_allowed_or_refused_as_the_matrix_says() {
    let mut wrong = Vec::new();
    for (write, row) in MATRIX {
        let mut world = World::new().await;
        for (cell, expect) in row.iter().enumerate() {
            let status = world.attempt(*write, cell).await;
            if !expected_status(*expect, status) {
                wrong.push(format!(
                    "{write:?} by {}: expected {expect:?}, got {status}",
                    CELLS[cell]
                ));
            }
        }
        world.server.stop().await;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
