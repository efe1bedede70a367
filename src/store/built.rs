//! Statements whose text depends on the request (optional filters, a list
//! of ids), written once for every engine: the text is built here with
//! `$1`-style placeholders, which every engine Parley runs on accepts, and
//! the values are kept beside it as [`Arg`]s that each engine's driver
//! encodes as it would the plain value.
//!
//! Run one with [`exec_built!`](crate::store::exec_built),
//! [`rows_built!`](crate::store::rows_built) or
//! [`scalar_built!`](crate::store::scalar_built).

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Encode, Type};
use uuid::Uuid;

use crate::ids::{ArticleId, CommentId, ImageId, MuteId, SourceId, UserId};

/// Built statements with at most this many values are kept prepared for
/// the next time (a page of the library, the ids of a page of a thread:
/// preparing a 60-placeholder statement again costs a page a third of its
/// time); longer ones are prepared, run and dropped, so that no connection
/// keeps a statement of thousands of placeholders about. Each connection
/// keeps at most 100 statements, least recently used first out.
pub(crate) const KEPT_ARGS: usize = 600;

/// One value bound to a built statement. A `None` is a NULL of that type,
/// so PostgreSQL knows what `$3 IS NULL` compares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Uuid(Option<Uuid>),
    Int(Option<i64>),
    Text(Option<String>),
}

/// A statement's text and the values for its placeholders.
#[derive(Debug, Clone, Default)]
pub(crate) struct Statement {
    sql: String,
    args: Vec<Arg>,
}

impl Statement {
    pub(crate) fn new(sql: impl Into<String>) -> Self {
        Self {
            sql: sql.into(),
            args: Vec::new(),
        }
    }

    /// Adds text to the statement.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Adds a placeholder for `value` (`$n`, numbered in the order bound).
    pub(crate) fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        self.sql.push('$');
        self.sql.push_str(&self.args.len().to_string());
        self
    }

    /// Adds `(… , …)`: a placeholder for each of `values`, for `IN`.
    /// An empty list is `(NULL)`, which matches nothing.
    pub(crate) fn bind_list<T: Into<Arg>>(
        &mut self,
        values: impl IntoIterator<Item = T>,
    ) -> &mut Self {
        self.sql.push('(');
        let mut any = false;
        for value in values {
            if any {
                self.sql.push_str(", ");
            }
            self.bind(value);
            any = true;
        }
        if !any {
            self.sql.push_str("NULL");
        }
        self.sql.push(')');
        self
    }

    /// The text and the values, for the macros that run it.
    pub(crate) fn into_parts(self) -> (String, Vec<Arg>) {
        (self.sql, self.args)
    }
}

impl From<Uuid> for Arg {
    fn from(value: Uuid) -> Self {
        Arg::Uuid(Some(value))
    }
}

impl From<Option<Uuid>> for Arg {
    fn from(value: Option<Uuid>) -> Self {
        Arg::Uuid(value)
    }
}

impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Arg::Int(Some(value))
    }
}

impl From<Option<i64>> for Arg {
    fn from(value: Option<i64>) -> Self {
        Arg::Int(value)
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Text(Some(value))
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Text(Some(value.to_owned()))
    }
}

/// Every id binds as the UUID it is.
macro_rules! ids_bind_as_uuids {
    ($($id:ty),*) => {$(
        impl From<$id> for Arg {
            fn from(id: $id) -> Self {
                Arg::Uuid(Some(Uuid::from(id)))
            }
        }

        impl From<Option<$id>> for Arg {
            fn from(id: Option<$id>) -> Self {
                Arg::Uuid(id.map(Uuid::from))
            }
        }
    )*};
}

ids_bind_as_uuids!(ArticleId, CommentId, ImageId, MuteId, SourceId, UserId);

impl<'q, DB: Database> Encode<'q, DB> for Arg
where
    Option<Uuid>: Encode<'q, DB>,
    Option<i64>: Encode<'q, DB>,
    Option<String>: Encode<'q, DB>,
    Uuid: Type<DB>,
    i64: Type<DB>,
    String: Type<DB>,
{
    fn encode_by_ref(
        &self,
        buf: &mut <DB as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        match self {
            Arg::Uuid(v) => v.encode_by_ref(buf),
            Arg::Int(v) => v.encode_by_ref(buf),
            Arg::Text(v) => v.encode_by_ref(buf),
        }
    }

    fn produces(&self) -> Option<DB::TypeInfo> {
        Some(match self {
            Arg::Uuid(_) => <Uuid as Type<DB>>::type_info(),
            Arg::Int(_) => <i64 as Type<DB>>::type_info(),
            Arg::Text(_) => <String as Type<DB>>::type_info(),
        })
    }
}

impl<DB: Database> Type<DB> for Arg
where
    i64: Type<DB>,
{
    /// What an [`Arg`] is when nothing says more: each value says what
    /// it is ([`Encode::produces`]).
    fn type_info() -> DB::TypeInfo {
        <i64 as Type<DB>>::type_info()
    }
}

/// Runs the built [`Statement`] `$stmt` on `$db` (a `&mut` [`Db`]); like
/// [`exec!`](crate::store::exec).
macro_rules! exec_built {
    ($db:expr, $stmt:expr) => {{
        let (sql, args) = $crate::store::Statement::into_parts($stmt);
        match $crate::store::Db::conn($db) {
            $crate::store::Conn::Sqlite(c) => {
                let mut q = sqlx::query(&sql).persistent(args.len() <= $crate::store::KEPT_ARGS);
                for arg in args {
                    q = q.bind(arg);
                }
                q.execute(c).await.map(|done| done.rows_affected())
            }
            #[cfg(feature = "postgres")]
            $crate::store::Conn::Postgres(c) => {
                let mut q = sqlx::query(&sql).persistent(args.len() <= $crate::store::KEPT_ARGS);
                for arg in args {
                    q = q.bind(arg);
                }
                q.execute(c).await.map(|done| done.rows_affected())
            }
        }
    }};
}

/// Runs the built [`Statement`] `$stmt` on `$db`, reading rows as `$row`;
/// like [`rows!`](crate::store::rows).
macro_rules! rows_built {
    ($row:ty, $fetch:ident, $db:expr, $stmt:expr) => {{
        let (sql, args) = $crate::store::Statement::into_parts($stmt);
        match $crate::store::Db::conn($db) {
            $crate::store::Conn::Sqlite(c) => {
                let mut q = sqlx::query_as::<_, $row>(&sql)
                    .persistent(args.len() <= $crate::store::KEPT_ARGS);
                for arg in args {
                    q = q.bind(arg);
                }
                q.$fetch(c).await
            }
            #[cfg(feature = "postgres")]
            $crate::store::Conn::Postgres(c) => {
                let mut q = sqlx::query_as::<_, $row>(&sql)
                    .persistent(args.len() <= $crate::store::KEPT_ARGS);
                for arg in args {
                    q = q.bind(arg);
                }
                q.$fetch(c).await
            }
        }
    }};
}

pub(crate) use {exec_built, rows_built};
