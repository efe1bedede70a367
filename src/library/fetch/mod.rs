//! The one way Parley fetches anything from the network, and the rules it
//! keeps while doing so:
//!
//! - only `http` and `https`, and no user name or password in the address;
//! - only public addresses that are not this computer's (`addresses.rs`):
//!   a name is resolved first and refused if any address it has is on this
//!   computer, the local network or otherwise not reachable on the internet
//!   (loopback, private, link-local, CGNAT, documentation, multicast...,
//!   and this computer's own public addresses and IPv6 prefixes), and a
//!   literal address in a URL is held to the same rule, on the first
//!   request and on every redirect (at most 5);
//! - no system proxy, which would route around that check;
//! - 10 s to connect, 30 s for the whole response;
//! - at most [`MAX_BODY_BYTES`] after decompression, counted as it arrives,
//!   so a small compressed body cannot grow into a huge one;
//! - at most [`MAX_FETCHES_AT_ONCE`] fetches at once, whoever asks, so the
//!   memory responses take is bounded too.
//!
//! A [`FetchPolicy`] may allow 127.0.0.1 for tests that serve fixtures from
//! a local server; the default never does.

mod addresses;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{redirect, StatusCode};
use tokio::sync::Semaphore;
use url::Url;

pub use addresses::{is_public, Loopback, OwnAddress, OwnAddresses};
use addresses::{AddressPolicy, PublicOnly};

/// The most a response may hold once decompressed: 15 MiB.
pub const MAX_BODY_BYTES: usize = 15 * 1024 * 1024;
/// The most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;
/// The most requests in flight at once across everything that fetches
/// (each may hold up to [`MAX_BODY_BYTES`]); more wait their turn.
pub const MAX_FETCHES_AT_ONCE: usize = 6;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const WHOLE_TIMEOUT: Duration = Duration::from_secs(30);

/// What a fetch may do. [`FetchPolicy::default`] is what Parley runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Which of this computer's own addresses may be reached: none, but
    /// for tests that serve fixtures from their own local server.
    pub loopback: Loopback,
    /// Where this computer's addresses come from: its interfaces, but for
    /// tests.
    pub own_addresses: OwnAddresses,
    /// The cap on a response's decompressed size.
    pub max_body_bytes: usize,
    /// The limit on the whole request, from connecting to the last byte.
    pub timeout: Duration,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            loopback: Loopback::Never,
            own_addresses: OwnAddresses::System,
            max_body_bytes: MAX_BODY_BYTES,
            timeout: WHOLE_TIMEOUT,
        }
    }
}

impl FetchPolicy {
    /// The default policy, plus 127.0.0.1: for tests against a server they
    /// start themselves.
    pub fn allowing_loopback() -> Self {
        Self {
            loopback: Loopback::Any,
            ..Self::default()
        }
    }

    /// The default policy, plus the one address `127.0.0.1:port`: a test's
    /// own server, while every other local address is refused as by
    /// default (a redirect from that server to another, too).
    pub fn allowing_only(port: u16) -> Self {
        Self {
            loopback: Loopback::OnlyPort(port),
            ..Self::default()
        }
    }
}

/// Why a fetch failed, in words a person understands (the `Display` text
/// is what a source shows as its last error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The address is not one Parley fetches from.
    #[error("{0}")]
    Refused(String),
    /// The server answered with an error status.
    #[error("the server answered {0}")]
    Status(u16),
    /// More than [`MAX_REDIRECTS`] redirects.
    #[error("the address redirected more than {MAX_REDIRECTS} times")]
    TooManyRedirects,
    /// The response grew past the cap (in bytes).
    #[error("the response is larger than {}", megabytes(*.0))]
    TooBig(usize),
    /// Connecting, or the whole response, took too long.
    #[error("timed out after {0} s")]
    TimedOut(u64),
    /// The server could not be found or reached.
    #[error("could not reach {0}")]
    Unreachable(String),
    /// Anything else the connection reported (its words).
    #[error("the download failed: {0}")]
    Other(String),
}

/// What a server sent back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The content, after redirects and decompression.
    Body(Body),
    /// 304: nothing changed since the validators sent.
    NotModified,
    /// 429, or 503 with a Retry-After: try again later.
    TryLater {
        /// How long the server asked to wait, if it said.
        retry_after: Option<Duration>,
    },
}

/// A response's content and what Parley keeps of its headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// Where the content really came from, after any redirects.
    pub final_url: Url,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub bytes: Vec<u8>,
}

/// Validators from an earlier response, for a conditional request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The HTTP client. Cheap to clone; clones share connections and the
/// limit on fetches at once.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    policy: FetchPolicy,
    addresses: Arc<AddressPolicy>,
    in_flight: Arc<Semaphore>,
}

impl Fetcher {
    /// A client that keeps `policy`. Fails with [`FetchError::Other`] if
    /// TLS cannot be set up (no certificate authorities on the system).
    pub fn new(policy: FetchPolicy) -> Result<Self, FetchError> {
        let addresses = Arc::new(AddressPolicy {
            loopback: policy.loopback,
            own: policy.own_addresses.clone(),
        });
        let checked = Arc::clone(&addresses);
        let redirects = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                return attempt.error(Stop(FetchError::TooManyRedirects));
            }
            match checked.check_url(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(e) => attempt.error(Stop(e)),
            }
        });
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            // A proxy from the environment would reach addresses the
            // resolver below refuses.
            .no_proxy()
            // Names never reach this computer unless every loopback
            // address is allowed.
            .dns_resolver(PublicOnly {
                policy: Arc::clone(&addresses),
            })
            .redirect(redirects)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(policy.timeout)
            .user_agent(concat!(
                "Parley/",
                env!("CARGO_PKG_VERSION"),
                " (feed reader)"
            ))
            .build()
            .map_err(|e| FetchError::Other(e.to_string()))?;
        Ok(Self {
            client,
            policy,
            addresses,
            in_flight: Arc::new(Semaphore::new(MAX_FETCHES_AT_ONCE)),
        })
    }

    /// The policy this client keeps.
    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// Whether this client would connect to `ip`, decided as for a fetch
    /// (nothing is sent).
    pub fn allows(&self, ip: std::net::IpAddr) -> Result<(), FetchError> {
        self.addresses.allows(ip)
    }

    /// GETs `url`, sending `validators` for a conditional request and
    /// `accept` as the Accept header. Statuses other than 2xx, 304, 429
    /// and a 503 that says when to retry are [`FetchError::Status`].
    pub async fn get(
        &self,
        url: &Url,
        validators: &Validators,
        accept: &str,
    ) -> Result<Fetched, FetchError> {
        self.fetch(url, validators, accept, self.policy.max_body_bytes)
            .await
    }

    /// [`Fetcher::get`] with a smaller cap than the policy's, for things
    /// that are never large (an image).
    pub async fn get_at_most(
        &self,
        url: &Url,
        accept: &str,
        max_bytes: usize,
    ) -> Result<Fetched, FetchError> {
        let cap = max_bytes.min(self.policy.max_body_bytes);
        self.fetch(url, &Validators::default(), accept, cap).await
    }

    async fn fetch(
        &self,
        url: &Url,
        validators: &Validators,
        accept: &str,
        cap: usize,
    ) -> Result<Fetched, FetchError> {
        self.addresses.check_url(url)?;
        // Held until the whole body is in: that is what costs memory.
        let _turn = self
            .in_flight
            .acquire()
            .await
            .map_err(|e| FetchError::Other(e.to_string()))?;
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(accept) {
            headers.insert(header::ACCEPT, value);
        }
        let validator =
            |v: &Option<String>| v.as_deref().and_then(|v| HeaderValue::from_str(v).ok());
        if let Some(value) = validator(&validators.etag) {
            headers.insert(header::IF_NONE_MATCH, value);
        }
        if let Some(value) = validator(&validators.last_modified) {
            headers.insert(header::IF_MODIFIED_SINCE, value);
        }
        let mut response = self
            .client
            .get(url.clone())
            .headers(headers)
            .send()
            .await
            .map_err(|e| self.explain(&e, url))?;
        let header_text = |name: header::HeaderName, r: &reqwest::Response| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let status = response.status();
        let retry_after = header_text(header::RETRY_AFTER, &response)
            .as_deref()
            .and_then(parse_retry_after);
        match status {
            StatusCode::NOT_MODIFIED => return Ok(Fetched::NotModified),
            StatusCode::TOO_MANY_REQUESTS => return Ok(Fetched::TryLater { retry_after }),
            StatusCode::SERVICE_UNAVAILABLE if retry_after.is_some() => {
                return Ok(Fetched::TryLater { retry_after })
            }
            // A redirect left unfollowed: reqwest does not follow one to a
            // scheme other than http and https.
            s if s.is_redirection() => {
                return Err(FetchError::Refused(
                    "the server redirected to an address Parley does not fetch from".into(),
                ))
            }
            s if !s.is_success() => return Err(FetchError::Status(s.as_u16())),
            _ => {}
        }
        let final_url = response.url().clone();
        let content_type = header_text(header::CONTENT_TYPE, &response);
        let etag = header_text(header::ETAG, &response);
        let last_modified = header_text(header::LAST_MODIFIED, &response);
        let mut bytes = Vec::new();
        // Decompressed chunks, as they arrive: the cap holds however well
        // the body compressed.
        while let Some(chunk) = response.chunk().await.map_err(|e| self.explain(&e, url))? {
            if bytes.len() + chunk.len() > cap {
                return Err(FetchError::TooBig(cap));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body(Body {
            final_url,
            content_type,
            etag,
            last_modified,
            bytes,
        }))
    }

    /// Turns a client error into the words a source shows.
    fn explain(&self, error: &reqwest::Error, url: &Url) -> FetchError {
        if let Some(Stop(reason)) = cause::<Stop>(error) {
            return reason.clone();
        }
        if error.is_timeout() {
            let limit = if error.is_connect() {
                CONNECT_TIMEOUT
            } else {
                self.policy.timeout
            };
            return FetchError::TimedOut(limit.as_secs());
        }
        if error.is_connect() {
            return FetchError::Unreachable(url.host_str().unwrap_or_default().to_owned());
        }
        FetchError::Other(without_url(error))
    }
}

/// "15 MiB", "512 KiB".
fn megabytes(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// A refusal from the resolver or the redirect policy, carried through
/// reqwest's error to [`Fetcher::explain`].
#[derive(Debug)]
struct Stop(FetchError);

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Stop {}

/// The first error of type `E` in `error`'s chain of causes.
fn cause<E: std::error::Error + 'static>(error: &reqwest::Error) -> Option<&E> {
    let mut next = std::error::Error::source(error);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}

/// reqwest's message without the URL it repeats.
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(&format!(" ({url})"), "");
    }
    text
}

/// Retry-After is either a number of seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// TLS through rustls with the `ring` provider and the system's
/// certificate authorities (the same checks a browser makes).
fn tls_config() -> Result<rustls::ClientConfig, FetchError> {
    let tls = |e: &dyn std::fmt::Display| FetchError::Other(format!("secure connections: {e}"));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier =
        rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| tls(&e))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls(&e))?
        // "dangerous" only in name: this is the platform's own verifier.
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
