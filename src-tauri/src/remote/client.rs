//! One Parley server, as this desktop talks to it: its address, a TLS
//! client that trusts only what `parley_core::certificates` allows, and the
//! session of whoever signed in to it from this window.
//!
//! The connection goes only to the server the person chose: no proxy, no
//! redirect (a redirect is an error, so the token is never sent to
//! another host), and no address policy of the feed fetcher's (a group's
//! server on the home network is normal).

use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use parley_core::accounts::User;
use parley_core::{Error, ErrorBody, Result};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::watch;

use parley_core::certificates::{Seen, Verifier};

/// The API version this desktop speaks (the server's `apiVersion`).
pub const API_VERSION: u32 = 1;

/// How long one request may take before the server counts as unreachable.
const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(20);
const CONNECT_TIME_LIMIT: Duration = Duration::from_secs(5);

/// Whether the server answered the last time it was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Online,
    Offline,
}

/// The account signed in to the server from this window, and its token
/// (held only here, in memory, and sent only to this server).
#[derive(Debug, Clone)]
struct Signed {
    token: String,
    user: User,
}

/// What the server says about itself (`GET /api/v1/server`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct About {
    pub product: String,
    pub version: String,
    pub api_version: u32,
    pub needs_setup: bool,
    pub sign_up: parley_core::membership::SignUp,
}

#[derive(Debug)]
pub struct Server {
    origin: Url,
    http: reqwest::Client,
    verifier: Arc<Verifier>,
    signed: Mutex<Option<Signed>>,
    link: watch::Sender<Link>,
}

/// A server's address as people type it ("parley.example.org",
/// "192.168.1.20:7878", "https://…"), made into the origin Parley talks
/// to. HTTPS unless the server is on this computer.
pub fn parse_address(typed: &str) -> Result<Url> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(Error::Invalid(
            "Type the server's address, for example parley.example.org or 192.168.1.20:7878."
                .into(),
        ));
    }
    let with_scheme = if typed.contains("://") {
        typed.to_owned()
    } else {
        format!("https://{typed}")
    };
    let not_an_address = || {
        Error::Invalid(format!(
            "\u{201c}{typed}\u{201d} is not a server address. Type one like parley.example.org or 192.168.1.20:7878."
        ))
    };
    let url = Url::parse(&with_scheme).map_err(|_| not_an_address())?;
    let Some(host) = url.host_str() else {
        return Err(not_an_address());
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Invalid(
            "Leave the name and password out of the address: you sign in once connected.".into(),
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_this_computer(host) => {}
        "http" => {
            return Err(Error::Invalid(
                "Parley connects to a server over HTTPS only, except on this computer: \
                 type https:// (a server without a certificate makes its own)."
                    .into(),
            ))
        }
        _ => return Err(not_an_address()),
    }
    let mut origin = url.clone();
    origin.set_path("/");
    origin.set_query(None);
    origin.set_fragment(None);
    Ok(origin)
}

fn is_this_computer(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The address as the header shows it: host and port, no scheme.
pub fn display_address(origin: &Url) -> String {
    let host = origin.host_str().unwrap_or("?");
    match origin.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// The key a trusted certificate is remembered under.
pub fn trust_key(origin: &Url) -> String {
    let port = origin.port_or_known_default().unwrap_or(443);
    format!("{}:{port}", origin.host_str().unwrap_or(""))
}

impl Server {
    /// A client for the server at `origin` (from [`parse_address`]),
    /// trusting the certificate with fingerprint `pinned` if its own is
    /// not vouched for by an authority.
    pub fn new(origin: Url, pinned: Option<String>) -> Result<Self> {
        let setup = |e: &dyn std::fmt::Display| Error::Internal(format!("the server client: {e}"));
        let verifier = Arc::new(Verifier::new(pinned).map_err(|e| setup(&e))?);
        let mut tls = rustls::ClientConfig::builder_with_provider(verifier.provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| setup(&e))?
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIME_LIMIT)
            .user_agent(concat!("Parley/", env!("CARGO_PKG_VERSION"), " (desktop)"))
            .build()
            .map_err(|e| setup(&e))?;
        let (link, _) = watch::channel(Link::Online);
        Ok(Self {
            origin,
            http,
            verifier,
            signed: Mutex::new(None),
            link,
        })
    }

    pub(super) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn origin(&self) -> &Url {
        &self.origin
    }

    /// Hears every change of [`Link`].
    pub fn watch_link(&self) -> watch::Receiver<Link> {
        self.link.subscribe()
    }

    pub fn link(&self) -> Link {
        *self.link.borrow()
    }

    pub(super) fn set_link(&self, link: Link) {
        self.link
            .send_if_modified(|now| std::mem::replace(now, link) != link);
    }

    /// What the last connection made of the server's certificate.
    pub fn certificate(&self) -> Seen {
        self.verifier.seen()
    }

    /// Who is signed in here, as the server last said.
    pub fn user(&self) -> Option<User> {
        self.lock().as_ref().map(|s| s.user.clone())
    }

    pub(super) fn token(&self) -> Option<String> {
        self.lock().as_ref().map(|s| s.token.clone())
    }

    pub(super) fn signed_in(&self, token: String, user: User) {
        *self.lock() = Some(Signed { token, user });
    }

    pub(super) fn update_user(&self, user: User) {
        if let Some(signed) = self.lock().as_mut() {
            signed.user = user;
        }
    }

    pub(super) fn forget_session(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Signed>> {
        self.signed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The URL of an API path ("/api/v1/…").
    pub(super) fn url(&self, path: &str) -> Result<Url> {
        self.origin
            .join(path)
            .map_err(|e| Error::Internal(format!("the address of {path}: {e}")))
    }

    /// Sends one request and reads its JSON answer (`null` for none). An
    /// answer that is an error becomes the server's own `{kind, message}`;
    /// no answer at all marks the server offline and says so.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<T> {
        let mut request = self.request(method, path)?;
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let bytes = self.answer(request).await?;
        let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        serde_json::from_slice(bytes).map_err(|e| {
            Error::Internal(format!(
                "the server's answer to {path} was not understood: {e}"
            ))
        })
    }

    /// A request to `path` (and its query) on this server, with the token.
    pub(super) fn request(&self, method: Method, path: &str) -> Result<reqwest::RequestBuilder> {
        let mut request = self
            .http
            .request(method, self.url(path)?)
            .timeout(REQUEST_TIME_LIMIT)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(token) = self.token() {
            request = request.bearer_auth(token);
        }
        Ok(request)
    }

    /// Sends `request` and returns the body of a successful answer.
    pub(super) async fn answer(&self, request: reqwest::RequestBuilder) -> Result<Vec<u8>> {
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => return Err(self.unreachable(&e)),
        };
        let status = response.status();
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => return Err(self.unreachable(&e)),
        };
        if status == StatusCode::SERVICE_UNAVAILABLE {
            // The server answers but cannot serve (its database is
            // restarting, say): as good as offline until it can.
            self.set_link(Link::Offline);
            return Err(self.unavailable(&bytes));
        }
        self.set_link(Link::Online);
        if status.is_success() {
            Ok(bytes.to_vec())
        } else {
            Err(self.refused(status, &bytes))
        }
    }

    /// The error for a request that got no answer.
    pub(super) fn unreachable(&self, e: &reqwest::Error) -> Error {
        let where_ = display_address(&self.origin);
        match self.verifier.seen() {
            Seen::Changed { fingerprint } => {
                return Error::Forbidden(changed_certificate(&where_, &fingerprint))
            }
            Seen::Unknown { .. } => {
                return Error::Forbidden(format!(
                    "{where_} showed a certificate this computer does not trust. \
                     Connect to it again to see its fingerprint."
                ))
            }
            Seen::Nothing | Seen::Trusted => {}
        }
        if e.is_redirect() {
            return Error::Invalid(format!(
                "{where_} sent Parley to another address. Parley follows no redirect from a \
                 server: type the address the server's operator gave you."
            ));
        }
        log::warn!("{where_} did not answer: {e}");
        self.set_link(Link::Offline);
        Error::Unavailable(format!(
            "Parley cannot reach {where_} right now. Nothing was changed; \
             it will try again when the connection is back."
        ))
    }

    /// The error for a "try again later" (503) answer: the server's own
    /// sentence when it gave one.
    fn unavailable(&self, bytes: &[u8]) -> Error {
        let said = serde_json::from_slice::<ErrorBody>(bytes).map(|b| b.message);
        Error::Unavailable(match said {
            Ok(message) => format!("{message} Nothing was lost; Parley tries again by itself."),
            Err(_) => format!(
                "{} cannot serve requests right now. Parley tries again by itself.",
                display_address(&self.origin)
            ),
        })
    }

    fn refused(&self, status: StatusCode, bytes: &[u8]) -> Error {
        match serde_json::from_slice::<ErrorBody>(bytes) {
            Ok(body) => {
                if status == StatusCode::UNAUTHORIZED {
                    // The session ended on the server (time-out, sign-out
                    // elsewhere, a password change): this window is signed
                    // out too.
                    self.forget_session();
                }
                Error::Remote(body)
            }
            Err(_) if status.is_server_error() => {
                self.set_link(Link::Offline);
                Error::Unavailable(format!(
                    "{} is not answering properly right now (HTTP {}). Nothing was changed.",
                    display_address(&self.origin),
                    status.as_u16()
                ))
            }
            Err(_) => Error::Invalid(format!(
                "{} answered in a way Parley does not understand (HTTP {}). Is it a Parley server?",
                display_address(&self.origin),
                status.as_u16()
            )),
        }
    }

    /// Asks the server what it is, checking it is a Parley server whose API
    /// this desktop speaks.
    pub async fn about(&self) -> Result<About> {
        let about: About = self
            .call(Method::GET, "/api/v1/server", None)
            .await
            .map_err(|e| match e {
                Error::Remote(_) | Error::Internal(_) => Error::Invalid(format!(
                    "{} does not answer as a Parley server does.",
                    display_address(&self.origin)
                )),
                other => other,
            })?;
        if about.product != "parley" {
            return Err(Error::Invalid(format!(
                "{} is not a Parley server.",
                display_address(&self.origin)
            )));
        }
        if about.api_version != API_VERSION {
            return Err(Error::Invalid(format!(
                "{} runs Parley server {} (API {}), which this Parley (API {API_VERSION}) \
                 cannot talk to. Update whichever is older.",
                display_address(&self.origin),
                about.version,
                about.api_version
            )));
        }
        Ok(about)
    }
}

/// The warning for a certificate that is not the one trusted.
pub fn changed_certificate(where_: &str, fingerprint: &str) -> String {
    format!(
        "{where_} showed a different certificate from the one you trusted, so Parley did \
         not connect. If its operator did not replace the certificate, someone may be \
         pretending to be the server. Its fingerprint now: {fingerprint}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_become_origins_over_https() {
        let origin = |typed: &str| parse_address(typed).map(|u| u.to_string());
        assert_eq!(
            origin("parley.example.org").ok().as_deref(),
            Some("https://parley.example.org/")
        );
        assert_eq!(
            origin(" 192.168.1.20:7878/some/page?x=1 ").ok().as_deref(),
            Some("https://192.168.1.20:7878/")
        );
        assert_eq!(
            origin("http://127.0.0.1:7878").ok().as_deref(),
            Some("http://127.0.0.1:7878/")
        );
        assert_eq!(
            origin("http://[::1]:7878").ok().as_deref(),
            Some("http://[::1]:7878/")
        );
    }

    #[test]
    fn plain_http_elsewhere_and_nonsense_are_refused_with_a_reason() {
        for typed in [
            "",
            "http://192.168.1.20:7878",
            "ftp://host",
            "https://user:pw@host",
            "::",
        ] {
            match parse_address(typed) {
                Err(Error::Invalid(message)) => assert!(!message.is_empty()),
                other => panic!("{typed:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn trust_is_kept_per_host_and_port() {
        let url = |typed: &str| parse_address(typed).map(|u| trust_key(&u)).ok();
        assert_eq!(url("home.lan").as_deref(), Some("home.lan:443"));
        assert_eq!(url("home.lan:7878").as_deref(), Some("home.lan:7878"));
    }
}
