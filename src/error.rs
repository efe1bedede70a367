//! The crate's one error type, and the shape it takes on its way to the UI.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Everything that can go wrong in Parley, sorted by what the person (or the
/// UI) can do about it.
///
/// Each variant's `Display` text is written for the person using the app; the
/// UI shows it as it is. Database and internal failures say only that
/// something went wrong: their details go to the log, never to the screen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input breaks a rule the person can fix (empty comment, short
    /// password, malformed id...). The message names the rule.
    #[error("{0}")]
    Invalid(String),

    /// Someone already has this username (compared without regard to case).
    #[error("That username is taken. Please choose another.")]
    UsernameTaken,

    /// The username does not exist or the password does not match. The two
    /// cases are deliberately indistinguishable.
    #[error("Wrong username or password.")]
    BadCredentials,

    /// Too many failed sign-ins on this account in a row: the next attempt
    /// must wait this many milliseconds. The message says how long.
    #[error("Too many failed sign-ins. Please wait {} before trying again.", human_wait(*.0))]
    TooManyAttempts(crate::clock::Millis),

    /// The action needs a signed-in person and nobody is signed in (or the
    /// account behind the session has gone).
    #[error("Please sign in first.")]
    Unauthorized,

    /// A signed-in person tried something their account may not do.
    #[error("{0}")]
    Forbidden(String),

    /// The thing acted on does not exist (any more). The message says which.
    #[error("{0}")]
    NotFound(String),

    /// SQLite failed. The details are logged, not shown.
    #[error("Parley could not read or write its database. Your last action was not saved.")]
    Database(#[from] sqlx::Error),

    /// The database file cannot be used (not a database, damaged, another
    /// program's, from a newer Parley, read-only, full disk). Only at
    /// start-up; the message says which file, what is wrong and what to do.
    #[error("{0}")]
    Unusable(Box<crate::store::Unusable>),

    /// The data directory could not be found or created.
    #[error("Parley could not use its data folder: {0}")]
    DataDir(String),

    /// The server this window is connected to cannot be reached (the
    /// network or the server is down, or it answered "try again"). Nothing
    /// was done; the message says so. Only on a desktop connected to a
    /// server; the window waits for the connection and tries again.
    #[error("{0}")]
    Unavailable(String),

    /// The server this window is connected to refused the request, with
    /// its own kind and message (already written for the person, and free
    /// of internals: the server logs those).
    #[error("{}", .0.message)]
    Remote(ErrorBody),

    /// A bug or a failure outside the person's control (a worker thread
    /// died, a stored value is corrupt). The details are logged.
    #[error("Something went wrong inside Parley. Your last action was not saved.")]
    Internal(String),
}

/// A wait as a person reads it: "1 second", "12 seconds", "3 minutes"
/// (rounded up).
pub fn human_wait(ms: crate::clock::Millis) -> String {
    let seconds = (ms + 999) / 1000;
    match seconds {
        i64::MIN..=1 => "1 second".into(),
        s if s < 60 => format!("{s} seconds"),
        s => {
            let minutes = (s + 59) / 60;
            if minutes == 1 {
                "1 minute".into()
            } else {
                format!("{minutes} minutes")
            }
        }
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What the UI branches on. A new kind is added only when the UI needs to act
/// differently on it; otherwise the message is enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Invalid,
    UsernameTaken,
    BadCredentials,
    TooManyAttempts,
    Unauthorized,
    Forbidden,
    NotFound,
    Unavailable,
    Internal,
}

/// The JSON an error becomes when it crosses to the UI: `{ kind, message }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ErrorBody {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    /// The kind the UI branches on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid(_) => ErrorKind::Invalid,
            Error::UsernameTaken => ErrorKind::UsernameTaken,
            Error::BadCredentials => ErrorKind::BadCredentials,
            Error::TooManyAttempts(_) => ErrorKind::TooManyAttempts,
            Error::Unauthorized => ErrorKind::Unauthorized,
            Error::Forbidden(_) => ErrorKind::Forbidden,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Unavailable(_) => ErrorKind::Unavailable,
            Error::Remote(body) => body.kind,
            Error::Database(_) | Error::Unusable(_) | Error::DataDir(_) | Error::Internal(_) => {
                ErrorKind::Internal
            }
        }
    }

    /// The body sent to the UI. Failures the person cannot act on are logged
    /// here, with their details, at the moment they leave the backend.
    pub fn to_body(&self) -> ErrorBody {
        match self {
            Error::Database(e) => log::error!("database error: {e}"),
            Error::Internal(e) => log::error!("internal error: {e}"),
            _ => {}
        }
        ErrorBody {
            kind: self.kind(),
            message: self.to_string(),
        }
    }

    /// How long to wait before trying again, for an error that says so.
    pub fn retry_after_ms(&self) -> Option<crate::clock::Millis> {
        match self {
            Error::TooManyAttempts(ms) => Some(*ms),
            _ => None,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(message.into())
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Error::NotFound(message.into())
    }
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_body().serialize(serializer)
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Self {
        Error::Internal(format!("worker task failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_like_a_person_would_say_them() {
        assert_eq!(human_wait(1), "1 second");
        assert_eq!(human_wait(1000), "1 second");
        assert_eq!(human_wait(1001), "2 seconds");
        assert_eq!(human_wait(59_000), "59 seconds");
        assert_eq!(human_wait(60_000), "1 minute");
        assert_eq!(human_wait(15 * 60_000), "15 minutes");
    }

    #[test]
    fn errors_cross_as_kind_and_message() {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let json = serde_json::to_value(Error::invalid("Write something first.")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "kind": "invalid", "message": "Write something first." })
        );
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let json = serde_json::to_value(Error::UsernameTaken).unwrap();
        assert_eq!(json["kind"], "username_taken");
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let json = serde_json::to_value(Error::BadCredentials).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "kind": "bad_credentials", "message": "Wrong username or password." })
        );
    }

    #[test]
    fn database_details_never_reach_the_ui() {
        let err = Error::Database(sqlx::Error::Protocol("secret table layout".into()));
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["kind"], "internal");
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let message = json["message"].as_str().unwrap();
        assert!(!message.contains("secret"), "{message}");
    }
}
