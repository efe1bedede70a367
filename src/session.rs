//! Who is signed in on this computer right now, and for how much longer.
//!
//! The session lives in the backend. The UI never says who the user is; every
//! action that changes data asks the session for its [`Session::actor`]. A
//! session ends on sign-out, after the idle time-out (30 minutes unless the
//! admin chose otherwise), and when its account's password changes or the
//! account is disabled or deleted: each account has a session generation
//! that those changes move on, and a session that began under an older one
//! has ended, even if the account was enabled again a moment later. Idle
//! time is measured on the monotonic clock, which setting the computer's
//! clock does not move.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::accounts::{self, NewAccount};
use crate::admin;
use crate::clock::Millis;
use crate::ids::UserId;
use crate::store::Store;
use crate::users::{self, SessionGeneration, User};
use crate::{Error, Result};

/// The signed-in account of one running app, if any.
#[derive(Debug, Default)]
pub struct Session {
    current: Mutex<Option<SignedIn>>,
    /// Set while this session changes its own password: the account's
    /// generation moves on before the session learns the new one, and a
    /// status check in between must not take that for someone else's
    /// change.
    changing_password: AtomicBool,
}

#[derive(Debug, Clone, Copy)]
struct SignedIn {
    user: UserId,
    /// The account's session generation when this session began.
    generation: SessionGeneration,
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
        self.start(store, &user, generation);
        Ok(user)
    }

    /// Creates an account and signs it in, as people expect after signing
    /// up. On failure nobody new is signed in.
    pub async fn create_account(&self, store: &Store, new: NewAccount) -> Result<User> {
        let user = accounts::create_account(store, new).await?;
        // A new account starts at generation 0.
        self.start(store, &user, 0);
        Ok(user)
    }

    /// Ends the session. Signing out twice is not an error.
    pub fn sign_out(&self) {
        *self.lock() = None;
    }

    /// The signed-in account, or `None`, without counting as activity: the
    /// UI asks this now and then to notice a session that has ended. An
    /// idle, disabled or deleted session ends here.
    pub async fn current_user(&self, store: &Store) -> Result<Option<User>> {
        let Some(signed_in) = *self.lock() else {
            return Ok(None);
        };
        let timeout = admin::app_settings(store).await?.idle_timeout_minutes;
        let idle_ms = store.monotonic().saturating_sub(signed_in.last_active);
        let user = if idle_ms >= Millis::from(timeout) * 60_000 {
            None
        } else {
            match users::active_account(store, signed_in.user).await? {
                Some((user, generation)) if generation == signed_in.generation => Some(user),
                Some((user, _)) if self.changing_password.load(Ordering::SeqCst) => Some(user),
                _ => None,
            }
        };
        if user.is_none() {
            self.end_if(signed_in.user);
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
        // Cleared however this ends, even if the command is dropped midway.
        struct Changing<'a>(&'a AtomicBool);
        impl Drop for Changing<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::SeqCst);
            }
        }
        self.changing_password.store(true, Ordering::SeqCst);
        let _changing = Changing(&self.changing_password);
        let generation = accounts::change_password(store, &user, current, new_password).await?;
        if let Some(signed_in) = self.lock().as_mut().filter(|s| s.user == user.id) {
            signed_in.generation = generation;
        }
        Ok(())
    }

    /// Deletes the signed-in account (after checking its password) and
    /// ends the session.
    pub async fn delete_account(&self, store: &Store, password: String) -> Result<()> {
        let user = self.actor(store).await?;
        accounts::delete_account(store, &user, password).await?;
        self.end_if(user.id);
        Ok(())
    }

    fn start(&self, store: &Store, user: &User, generation: SessionGeneration) {
        *self.lock() = Some(SignedIn {
            user: user.id,
            generation,
            last_active: store.monotonic(),
        });
    }

    /// Ends the session if `user` is still the one signed in (not someone
    /// who signed in meanwhile).
    fn end_if(&self, user: UserId) {
        let mut current = self.lock();
        if current.is_some_and(|s| s.user == user) {
            *current = None;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<SignedIn>> {
        // The guarded value is plain data: a panic elsewhere cannot leave it
        // half-written, so a poisoned lock is safe to keep using.
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
