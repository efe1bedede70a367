//! What every integration test needs: its own database in its own folder.
#![allow(dead_code, reason = "each test binary uses a different part of this")]
#![allow(
    clippy::unwrap_used,
    reason = "test set-up: a failure here is a failed test"
)]

use parley_core::accounts::{NewAccount, User};
use parley_core::articles::{self, ArticleSummary};
use parley_core::store::Store;
use tempfile::TempDir;

/// A fresh Parley database with the sample library, deleted when dropped.
pub struct TestDb {
    pub dir: TempDir,
    pub store: Store,
}

impl TestDb {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        articles::add_samples_if_empty(&store).await.unwrap();
        Self { dir, store }
    }

    /// Closes the database and opens it again from the same file, as a
    /// restart of the app would.
    pub async fn reopen(self) -> Self {
        self.store.close().await;
        let store = Store::open(self.dir.path()).await.unwrap();
        Self {
            dir: self.dir,
            store,
        }
    }

    pub async fn articles(&self) -> Vec<ArticleSummary> {
        articles::list_articles(&self.store).await.unwrap()
    }

    /// Creates an account whose password is `<username> password`.
    pub async fn account(&self, username: &str, display_name: &str) -> User {
        parley_core::accounts::create_account(&self.store, new_account(username, display_name))
            .await
            .unwrap()
    }
}

pub fn new_account(username: &str, display_name: &str) -> NewAccount {
    NewAccount {
        username: username.into(),
        display_name: display_name.into(),
        password: password_for(username),
    }
}

pub fn password_for(username: &str) -> String {
    format!("{username} correct horse")
}
