//! Who is signed in on this computer right now, and for how much longer.
//!
//! The session lives in the backend. The UI never says who the user is; every
//! action that changes data asks the session for its [`Session::actor`]. A
//! session ends on sign-out, after the idle time-out (30 minutes unless the
//! admin chose otherwise), and when its account's password changes or the
//! account is disabled or deleted. Underneath, it is one of the sessions
//! kept in the database ([`stored`], what a server holds for each client);
//! this slot adds what a window shared by several people needs: one person
//! at a time, and idle time measured on the monotonic clock, which setting
//! the computer's clock does not move.

pub mod stored;

use std::sync::{Mutex, PoisonError};

use crate::accounts::{self, NewAccount};
use crate::admin;
use crate::clock::Millis;
use crate::ids::{SessionId, UserId};
use crate::store::Store;
use crate::users::{SessionGeneration, User};
use crate::Error;
use crate::Result;
use stored::{Kind, Token};

/// What the desktop calls its one session in the list of a person's
/// sessions.
const DESKTOP_LABEL: &str = "This computer";

/// The signed-in account of one running app, if any.
#[derive(Debug, Default)]
pub struct Session {
    current: Mutex<Option<SignedIn>>,
}

#[derive(Debug, Clone)]
struct SignedIn {
    user: UserId,
    id: SessionId,
    token: Token,
    /// The last time the person did something (any command but the status
    /// check the UI polls with), on the store's monotonic clock.
    last_active: Millis,
}

impl Session {
    /// A session with nobody signed in.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the credentials and, if they match, makes that account the
    /// signed-in one (replacing whoever was). Fails with
    /// [`Error::BadCredentials`] and leaves the session as it was otherwise.
    pub async fn sign_in(&self, store: &Store, username: &str, password: String) -> Result<User> {
        let (user, generation) = accounts::sign_in(store, username, password).await?;
        self.start(store, &user, generation).await?;
        Ok(user)
    }

    /// Creates an account and signs it in, as people expect after signing
    /// up. On failure nobody new is signed in.
    pub async fn create_account(&self, store: &Store, new: NewAccount) -> Result<User> {
        let user = accounts::create_account(store, new).await?;
        // A new account starts at generation 0.
        self.start(store, &user, 0).await?;
        Ok(user)
    }

    /// Ends the session. Signing out twice is not an error.
    pub async fn sign_out(&self, store: &Store) -> Result<()> {
        let ended = self.lock().take();
        match ended {
            Some(signed_in) => stored::end(store, &signed_in.token).await,
            None => Ok(()),
        }
    }

    /// The signed-in account, or `None`, without counting as activity: the
    /// UI asks this now and then to notice a session that has ended. An
    /// idle, disabled or deleted session ends here.
    pub async fn current_user(&self, store: &Store) -> Result<Option<User>> {
        let Some(signed_in) = self.lock().clone() else {
            return Ok(None);
        };
        let timeout = admin::app_settings(store).await?.idle_timeout_minutes;
        let idle_ms = store.monotonic().saturating_sub(signed_in.last_active);
        let user = if idle_ms >= Millis::from(timeout) * 60_000 {
            None
        } else {
            // The window measures idle time itself: no wall-clock limit.
            stored::resume(store, &signed_in.token, None)
                .await?
                .map(|resumed| resumed.user)
        };
        if user.is_none() {
            self.end_if(signed_in.id);
            stored::end(store, &signed_in.token).await?;
        }
        Ok(user)
    }

    /// The person reading, if signed in; counts as activity.
    pub async fn viewer(&self, store: &Store) -> Result<Option<User>> {
        let user = self.current_user(store).await?;
        if let Some(user) = &user {
            if let Some(signed_in) = self.lock().as_mut().filter(|s| s.user == user.id) {
                signed_in.last_active = signed_in.last_active.max(store.monotonic());
            }
        }
        Ok(user)
    }

    /// The account acting now; counts as activity. Every command that
    /// changes data starts here. Fails with [`Error::Unauthorized`] when
    /// nobody is signed in or the session has ended.
    pub async fn actor(&self, store: &Store) -> Result<User> {
        self.viewer(store).await?.ok_or(Error::Unauthorized)
    }

    /// Changes the signed-in person's password (after checking the current
    /// one). Every other session of the account ends; this one carries on.
    pub async fn change_password(
        &self,
        store: &Store,
        current: String,
        new_password: String,
    ) -> Result<()> {
        let user = self.actor(store).await?;
        let keep = self.id_of(&user);
        accounts::change_password(store, &user, current, new_password, keep).await
    }

    /// Deletes the signed-in account (after checking its password) and
    /// ends the session.
    pub async fn delete_account(&self, store: &Store, password: String) -> Result<()> {
        let user = self.actor(store).await?;
        accounts::delete_account(store, &user, password).await?;
        let ended = self.id_of(&user);
        if let Some(id) = ended {
            self.end_if(id);
        }
        Ok(())
    }

    async fn start(&self, store: &Store, user: &User, generation: SessionGeneration) -> Result<()> {
        let begun = stored::begin(store, user, generation, Kind::Desktop, DESKTOP_LABEL).await?;
        let replaced = self.lock().replace(SignedIn {
            user: user.id,
            id: begun.id,
            token: begun.token,
            last_active: store.monotonic(),
        });
        if let Some(earlier) = replaced {
            stored::end(store, &earlier.token).await?;
        }
        Ok(())
    }

    /// The id of this slot's session, if it is `user`'s.
    fn id_of(&self, user: &User) -> Option<SessionId> {
        self.lock()
            .as_ref()
            .filter(|s| s.user == user.id)
            .map(|s| s.id)
    }

    /// Forgets session `id` if it is still this slot's (not one begun
    /// meanwhile).
    fn end_if(&self, id: SessionId) {
        let mut current = self.lock();
        if current.as_ref().is_some_and(|s| s.id == id) {
            *current = None;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<SignedIn>> {
        // The guarded value is plain data: a panic elsewhere cannot leave it
        // half-written, so a poisoned lock is safe to keep using.
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
