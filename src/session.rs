//! Who is signed in on this computer right now.
//!
//! The session lives in the backend. The UI never says who the user is; every
//! action that changes data asks the session for its [`Session::actor`].

use std::sync::{Mutex, PoisonError};

use crate::accounts::{self, NewAccount, User};
use crate::ids::UserId;
use crate::store::Store;
use crate::{Error, Result};

/// The signed-in account of one running app, if any.
#[derive(Debug, Default)]
pub struct Session {
    current: Mutex<Option<UserId>>,
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
        let user = accounts::verify_credentials(store, username, password).await?;
        self.set(Some(user.id));
        Ok(user)
    }

    /// Creates an account and signs it in, as people expect after signing
    /// up. On failure nobody new is signed in.
    pub async fn create_account(&self, store: &Store, new: NewAccount) -> Result<User> {
        let user = accounts::create_account(store, new).await?;
        self.set(Some(user.id));
        Ok(user)
    }

    /// Ends the session. Signing out twice is not an error.
    pub fn sign_out(&self) {
        self.set(None);
    }

    /// The signed-in account, or `None`. An account that has disappeared
    /// since signing in ends the session.
    pub async fn current_user(&self, store: &Store) -> Result<Option<User>> {
        let Some(id) = self.get() else {
            return Ok(None);
        };
        let user = accounts::user_by_id(store, id).await?;
        if user.is_none() {
            self.sign_out();
        }
        Ok(user)
    }

    /// The account acting now. Every command that changes data starts here.
    /// Fails with [`Error::Unauthorized`] when nobody is signed in.
    pub async fn actor(&self, store: &Store) -> Result<User> {
        self.current_user(store).await?.ok_or(Error::Unauthorized)
    }

    fn get(&self) -> Option<UserId> {
        // The guarded value is a plain id: a panic elsewhere cannot leave it
        // half-written, so a poisoned lock is safe to keep using.
        *self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, id: Option<UserId>) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = id;
    }
}
