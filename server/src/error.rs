//! How a request fails: always a JSON `{ kind, message }` body, as the
//! desktop's commands fail, with the HTTP status that kind means. Nothing
//! about the server's insides (a database error, a panic) reaches the
//! client: those are logged here and answered with a plain sentence.
//!
//! A database that cannot be reached (PostgreSQL restarting, a failover,
//! the network to it down, every connection busy) is not a failure of the
//! request: it is answered 503 with `Retry-After`, so clients wait and
//! try again, and the pool connects again by itself once the database is
//! back.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use parley_core::{Error, ErrorKind};
use serde::Serialize;

/// A failed request.
#[derive(Debug)]
pub enum ApiError {
    /// A rule of Parley's said no.
    Core(Error),
    /// The request itself is malformed (not JSON, a wrong type, a bad id
    /// in the path): the message says what.
    Malformed(String),
    /// The body is larger than any request needs.
    TooLarge,
    /// No such route.
    NoRoute,
    /// The route exists, but not with this method.
    WrongMethod,
    /// Too many requests: try again after this many seconds.
    TooMany { retry_after_secs: u64 },
    /// The request took too long and was given up.
    TimedOut,
    /// The server failed on the way (a panic caught): logged, not shown.
    Internal,
}

#[derive(Serialize)]
struct Body<'a> {
    kind: &'a str,
    message: String,
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::Core(e)
    }
}

/// The wire name of each core kind: the same snake_case names the desktop
/// window receives.
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Invalid => "invalid",
        ErrorKind::UsernameTaken => "username_taken",
        ErrorKind::BadCredentials => "bad_credentials",
        ErrorKind::TooManyAttempts => "too_many_attempts",
        ErrorKind::Unauthorized => "unauthorized",
        ErrorKind::Forbidden => "forbidden",
        ErrorKind::NotFound => "not_found",
        ErrorKind::Unavailable => "unavailable",
        ErrorKind::Internal => "internal",
    }
}

fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::UsernameTaken => StatusCode::CONFLICT,
        ErrorKind::BadCredentials | ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// How long a client waits before trying again while the database is
/// unreachable: a restart of PostgreSQL takes a few seconds.
pub(crate) const DATABASE_RETRY_SECS: u64 = 2;

/// Whether `e` means the database could not be reached or went away
/// mid-request, rather than that it refused the request: no connection
/// (refused, reset, timed out, TLS), none free in time, or PostgreSQL
/// saying it is shutting down, starting up, or out of connections.
pub fn database_unreachable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // Class 08: connection exception. 57P01-57P03: shutting down,
            // crashed, cannot connect now. 53300: too many connections.
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

impl ApiError {
    fn database_unreachable(&self) -> bool {
        matches!(self, ApiError::Core(Error::Database(e)) if database_unreachable(e))
    }

    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::Core(Error::Database(e)) if database_unreachable(e) => {
                tracing::warn!("the database is unreachable: {e}");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The server cannot reach its database right now. Please try again in a moment."
                        .into(),
                )
            }
            ApiError::Core(e) => {
                let body = e.to_body();
                (status_of(body.kind), kind_name(body.kind), body.message)
            }
            ApiError::Malformed(why) => (StatusCode::BAD_REQUEST, "invalid", why.clone()),
            ApiError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid",
                "That request is too large.".into(),
            ),
            ApiError::NoRoute => (
                StatusCode::NOT_FOUND,
                "not_found",
                "There is nothing at that address on this server.".into(),
            ),
            ApiError::WrongMethod => (
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid",
                "That address does not take this kind of request.".into(),
            ),
            ApiError::TooMany { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!(
                    "Too many requests. Please wait {} before trying again.",
                    seconds(*retry_after_secs)
                ),
            ),
            ApiError::TimedOut => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The server took too long to answer. Please try again.".into(),
            ),
            ApiError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on the server. Your last action may not have been saved."
                    .into(),
            ),
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::TooMany { retry_after_secs } => Some(*retry_after_secs),
            ApiError::TimedOut => Some(1),
            ApiError::Core(Error::TooManyAttempts(_)) => Some(1),
            _ if self.database_unreachable() => Some(DATABASE_RETRY_SECS),
            _ => None,
        }
    }
}

fn seconds(n: u64) -> String {
    if n == 1 {
        "1 second".into()
    } else {
        format!("{n} seconds")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, message) = self.parts();
        if status.is_server_error() {
            tracing::warn!(%status, kind, "request failed");
        }
        let mut response = (status, axum::Json(Body { kind, message })).into_response();
        if let Some(secs) = self.retry_after() {
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// What a handler returns.
pub type ApiResult<T> = Result<T, ApiError>;
