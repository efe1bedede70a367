//! Who may do what. Every operation that changes data names its [`Action`]
//! and asks [`authorize`], inside its write transaction, before touching
//! anything; the acting [`User`] always comes from the session, never from
//! the window, and its role is read again in that transaction, so a role
//! changed a moment ago (or by another window on the same database) counts.
//!
//! What people do to their own account and preferences (their name,
//! password, deleting the account, their sort and collapsed comments) has
//! no `Action`: those functions act only on the session's own account.
//!
//! Rules about the state of things (a locked discussion, the last admin)
//! live with the operations; this module answers only "may this person, in
//! this role, do this to something that is or is not theirs?".

use crate::store::Db;

use crate::ids::UserId;
use crate::users::{current_role, Role, User};
use crate::{Error, Result};

macro_rules! actions {
    ($($(#[$doc:meta])* $name:ident => $what:literal,)*) => {
        /// Everything a signed-in person can do that changes data beyond
        /// their own preferences.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[$doc])* $name,)*
        }

        impl Action {
            /// Every action: a test that must cover them all iterates this,
            /// and a new variant joins it without anyone remembering to.
            pub const ALL: &'static [Action] = &[$(Action::$name),*];

            /// How a refusal names the action: "Only an admin can {what}."
            fn what(self) -> &'static str {
                match self {
                    $(Action::$name => $what,)*
                }
            }
        }
    };
}

actions! {
    /// Start a discussion thread on an article.
    Post => "post",
    /// Answer a comment.
    Reply => "reply",
    /// Change the text of a comment.
    Edit => "edit comments",
    /// Delete a comment as its author ("[deleted]").
    Delete => "delete comments",
    /// Vote a comment up or down.
    Vote => "vote",
    /// Lock or unlock an article's discussion.
    Lock => "lock a discussion",
    /// Pin or unpin a comment at the top of its discussion.
    Pin => "pin comments",
    /// Remove anyone's comment as a moderator ("[removed by moderator]").
    Remove => "remove comments",
    /// Fold another person's comments away, for oneself.
    Mute => "mute people",
    /// Keep, change or delete a highlight: one's own, never another's.
    Highlight => "change highlights",
    /// Make a member an admin.
    Promote => "make someone an admin",
    /// Make an admin a member.
    Demote => "remove an admin",
    /// Stop an account from signing in.
    Disable => "disable accounts",
    /// Let a disabled account sign in again.
    Enable => "enable accounts",
    /// Invite people to a server, withdraw invites, choose how people join.
    Invite => "invite people",
    /// List every account on this computer.
    ViewAccounts => "see the list of accounts",
    /// Change settings for the whole computer (the idle time-out).
    Configure => "change Parley's settings",
    /// Follow a feed, save a page or import files into the library.
    AddToLibrary => "add to the library",
    /// Refresh interval, or removing, of a feed someone follows.
    ManageSource => "change or remove feeds others follow",
    /// Delete an article from the library.
    DeleteArticle => "delete articles others added",
    /// Take a backup of everyone's data, or list the backups.
    BackUp => "back up Parley's data",
    /// Replace everyone's data with a backup.
    Restore => "restore a backup",
}

/// Whether `actor` may take `action` on something owned by `owner`: the
/// author of a comment, or the account itself for account actions (`None`
/// where nothing is owned, as for posting). Reads the actor's account on
/// `db`, the caller's transaction (a write transaction, for a write).
///
/// Fails with [`Error::Unauthorized`] if the account has since been
/// disabled or deleted, [`Error::Forbidden`] saying why it may not, or
/// [`Error::Invalid`] for things nobody may do to themselves (muting or
/// disabling oneself).
pub(crate) async fn authorize(
    db: &mut dyn Db,
    actor: &User,
    action: Action,
    owner: Option<UserId>,
) -> Result<()> {
    decide(
        current_role(db, actor.id).await?,
        owner == Some(actor.id),
        action,
    )
}

/// The rule itself: may someone in `role` take `action` on something that
/// is (`own`) or is not theirs?
fn decide(role: Role, own: bool, action: Action) -> Result<()> {
    match action {
        Action::Post | Action::Reply => Ok(()),
        Action::Edit if own => Ok(()),
        Action::Edit => Err(Error::Forbidden(
            "You can only edit your own comments.".into(),
        )),
        Action::Delete if own => Ok(()),
        Action::Delete => Err(Error::Forbidden(
            "You can only delete your own comments.".into(),
        )),
        Action::Vote if own => Err(Error::Forbidden(
            "You can't vote on your own comment.".into(),
        )),
        Action::Vote => Ok(()),
        Action::Mute if own => Err(Error::invalid("You can't mute yourself.")),
        Action::Mute => Ok(()),
        Action::AddToLibrary => Ok(()),
        // Nobody, not even the admin, touches another's highlights.
        Action::Highlight if own => Ok(()),
        Action::Highlight => Err(Error::not_found("That highlight is no longer there.")),
        Action::ManageSource | Action::DeleteArticle if own => Ok(()),
        Action::Lock
        | Action::Pin
        | Action::Remove
        | Action::Promote
        | Action::Demote
        | Action::Disable
        | Action::Enable
        | Action::Invite
        | Action::ViewAccounts
        | Action::Configure
        | Action::ManageSource
        | Action::DeleteArticle
        | Action::BackUp
        | Action::Restore => {
            if role != Role::Admin {
                return Err(Error::Forbidden(format!(
                    "Only an admin can {}.",
                    action.what()
                )));
            }
            if own && matches!(action, Action::Disable | Action::Enable) {
                return Err(Error::invalid(
                    "You can't disable or enable your own account.",
                ));
            }
            Ok(())
        }
    }
}
