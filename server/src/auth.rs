//! Who is asking. A client proves who it is only by the session token it
//! got at sign-in, sent as `Authorization: Bearer <token>`; nothing else
//! in a request (a user id, a name) is ever taken as identity.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use parley_core::accounts::User;
use parley_core::ids::SessionId;
use parley_core::session::stored::{self, Token};
use parley_core::Error;

use crate::{ApiError, AppState};

/// A signed-in client: its session and the account behind it.
#[derive(Debug, Clone)]
pub struct Signed {
    pub user: User,
    pub session: SessionId,
    pub token: Token,
}

/// A client that may or may not be signed in (reading works either way).
/// A token that is sent but has ended is an error, not a quiet "signed
/// out": the client must learn that its session is gone.
#[derive(Debug, Clone)]
pub struct Viewer(pub Option<Signed>);

impl Viewer {
    pub fn user(&self) -> Option<&User> {
        self.0.as_ref().map(|s| &s.user)
    }
}

/// The address a request came from: the peer's, or behind a proxy the
/// one it passed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(ip) => write!(f, "{ip}"),
            None => f.write_str("unknown"),
        }
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        if !state.config.behind_proxy {
            return Ok(ClientAddr(peer));
        }
        // The proxy appends the address it saw; earlier entries are the
        // client's own claims and are not believed.
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|v| v.trim().parse::<IpAddr>().ok())
            .next_back();
        Ok(ClientAddr(forwarded.or(peer)))
    }
}

/// The token a request carries, if any; a malformed one is no session.
fn bearer(parts: &Parts) -> Result<Option<Token>, ApiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|v| Token::parse(v.trim()));
    match token {
        Some(token) => Ok(Some(token)),
        None => Err(ApiError::Core(Error::Unauthorized)),
    }
}

async fn resume(state: &AppState, token: Token) -> Result<Signed, ApiError> {
    let resumed = stored::resume(&state.store, &token, Some(state.config.session_idle_ms))
        .await?
        .ok_or(ApiError::Core(Error::Unauthorized))?;
    Ok(Signed {
        user: resumed.user,
        session: resumed.id,
        token,
    })
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?.ok_or(ApiError::Core(Error::Unauthorized))?;
        resume(state, token).await
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match bearer(parts)? {
            Some(token) => Ok(Viewer(Some(resume(state, token).await?))),
            None => Ok(Viewer(None)),
        }
    }
}

/// A signed-in client that is writing: [`Signed`], with the write counted
/// against the account's and the address's rate limits (a write over a
/// limit is refused with 429 before it reaches the core). Every route
/// that changes data takes this, so none can forget the limits.
#[derive(Debug, Clone)]
pub struct Writer(pub Signed);

impl FromRequestParts<AppState> for Writer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let signed = Signed::from_request_parts(parts, state).await?;
        let addr = ClientAddr::from_request_parts(parts, state).await?;
        crate::limits::write(state, &signed.user, addr).await?;
        Ok(Writer(signed))
    }
}

impl std::ops::Deref for Writer {
    type Target = Signed;

    fn deref(&self) -> &Signed {
        &self.0
    }
}
