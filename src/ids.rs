//! Typed ids. Every row's id is a UUID v7 (time-ordered, so new rows land at
//! the end of the index), stored as a 16-byte BLOB and sent to the UI as the
//! usual hyphenated string.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::{Error, Result};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            Serialize, Deserialize, sqlx::Type, TS,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        #[ts(type = "string")]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Reads an id the UI sent back. Fails with [`Error::Invalid`]
            /// when the text is not a UUID, so a hostile or garbled value
            /// never reaches a query.
            pub fn parse(text: &str) -> Result<Self> {
                Uuid::try_parse(text.trim())
                    .map(Self)
                    .map_err(|_| Error::invalid(concat!("That ", $what, " id is not valid.")))
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Identifies an account.
    UserId, "account"
);
id_type!(
    /// Identifies an article in the library.
    ArticleId, "article"
);
id_type!(
    /// Identifies a comment or reply.
    CommentId, "comment"
);
id_type!(
    /// Identifies a feed someone follows.
    SourceId, "source"
);
id_type!(
    /// Identifies an image stored with an article.
    ImageId, "image"
);
id_type!(
    /// Identifies a session in its owner's list of them; not a secret (the
    /// session's token is, see `session::stored`).
    SessionId, "session"
);
id_type!(
    /// Identifies an invitation to join a server; not a secret (its code
    /// is, see `membership`).
    InviteId, "invite"
);
id_type!(
    /// Identifies one person's mute of another: how the list of one's
    /// mutes addresses them without naming anyone's account.
    MuteId, "mute"
);

id_type!(
    /// Identifies a passage: the words of an article a comment or a
    /// highlight is about.
    PassageId, "passage"
);
id_type!(
    /// Identifies one person's highlight.
    HighlightId, "highlight"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = CommentId::new();
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        assert_eq!(CommentId::parse(&id.to_string()).unwrap(), id);
    }

    #[test]
    fn garbage_is_invalid_not_a_panic() {
        for text in [
            "",
            "42",
            "'; DROP TABLE comments; --",
            "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
        ] {
            let err = ArticleId::parse(text).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Invalid, "{text}");
        }
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let a = UserId::new();
        let b = UserId::new();
        assert!(a < b);
    }
}
