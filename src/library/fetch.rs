//! The one way Parley fetches anything from the network, and the rules it
//! keeps while doing so:
//!
//! - only `http` and `https`;
//! - only public addresses: a name is resolved first and refused if any
//!   address it has is on this computer, the local network or otherwise not
//!   reachable on the internet (loopback, private, link-local, CGNAT,
//!   documentation, multicast...), and a literal address in a URL is held to
//!   the same rule, on the first request and on every redirect (at most 5);
//! - no system proxy, which would route around that check;
//! - 10 s to connect, 30 s for the whole response;
//! - at most [`MAX_BODY_BYTES`] after decompression, counted as it arrives,
//!   so a small compressed body cannot grow into a huge one.
//!
//! A [`FetchPolicy`] may allow 127.0.0.1 for tests that serve fixtures from
//! a local server; the default never does.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{redirect, StatusCode};
use url::{Host, Url};

/// The most a response may hold once decompressed: 15 MiB.
pub const MAX_BODY_BYTES: usize = 15 * 1024 * 1024;
/// The most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const WHOLE_TIMEOUT: Duration = Duration::from_secs(30);

/// What a fetch may do. [`FetchPolicy::default`] is what Parley runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Which of this computer's own addresses may be reached: none, but
    /// for tests that serve fixtures from their own local server.
    pub loopback: Loopback,
    /// The cap on a response's decompressed size.
    pub max_body_bytes: usize,
    /// The limit on the whole request, from connecting to the last byte.
    pub timeout: Duration,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            loopback: Loopback::Never,
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

/// Which of this computer's own (loopback) addresses a fetch may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loopback {
    /// None: what Parley runs with.
    Never,
    /// 127.0.0.0/8 and ::1 on any port, by number or by name.
    Any,
    /// Only `127.0.0.1:<port>`, written as a number.
    OnlyPort(u16),
}

impl Loopback {
    /// Whether `url`, whose host is the loopback address `ip`, may be
    /// reached.
    fn allows(self, ip: IpAddr, url: &Url) -> bool {
        match self {
            Loopback::Never => false,
            Loopback::Any => true,
            Loopback::OnlyPort(port) => {
                ip == IpAddr::from([127, 0, 0, 1]) && url.port_or_known_default() == Some(port)
            }
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

/// The HTTP client. Cheap to clone; clones share connections.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    policy: FetchPolicy,
}

impl Fetcher {
    /// A client that keeps `policy`. Fails with [`FetchError::Other`] if
    /// TLS cannot be set up (no certificate authorities on the system).
    pub fn new(policy: FetchPolicy) -> Result<Self, FetchError> {
        let loopback = policy.loopback;
        let redirects = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                return attempt.error(Stop(FetchError::TooManyRedirects));
            }
            match check_url(attempt.url(), loopback) {
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
                allow_loopback: loopback == Loopback::Any,
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
        Ok(Self { client, policy })
    }

    /// The policy this client keeps.
    pub fn policy(&self) -> FetchPolicy {
        self.policy
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
        check_url(url, self.policy.loopback)?;
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

/// Checks a URL before it is requested, and each redirect's target: the
/// scheme, and a literal IP address (which skips name resolution).
fn check_url(url: &Url, loopback: Loopback) -> Result<(), FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::Refused(format!(
            "Parley fetches only http and https addresses, not {}:",
            url.scheme()
        )));
    }
    let ip: IpAddr = match url.host() {
        Some(Host::Ipv4(v4)) => v4.into(),
        Some(Host::Ipv6(v6)) => v6.into(),
        Some(Host::Domain(_)) => return Ok(()),
        None => return Err(FetchError::Refused("the address has no host".into())),
    };
    let allowed = ip.to_canonical().is_loopback() && loopback.allows(ip.to_canonical(), url);
    check_ip(ip, &ip.to_string(), allowed)
}

fn check_ip(ip: IpAddr, host: &str, allow_loopback: bool) -> Result<(), FetchError> {
    if is_public(ip) || (allow_loopback && ip.to_canonical().is_loopback()) {
        return Ok(());
    }
    Err(FetchError::Refused(format!(
        "Parley does not fetch from this computer or its local network ({host} is {ip})"
    )))
}

/// Resolves names like the system does, then refuses any name with an
/// address that is not public: the connection is made to exactly the
/// addresses checked here, so a name cannot be re-pointed in between.
#[derive(Debug, Clone, Copy)]
struct PublicOnly {
    allow_loopback: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addresses.is_empty() {
                return Err(Box::new(Stop(FetchError::Unreachable(host))) as _);
            }
            for address in &addresses {
                check_ip(address.ip(), &host, allow_loopback)
                    .map_err(|e| Box::new(Stop(e)) as Box<dyn std::error::Error + Send + Sync>)?;
            }
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

/// Whether `ip` is an address on the public internet. Everything in the
/// IANA special-purpose registries that is not globally reachable is not:
/// this computer, private and shared networks, link-local, documentation
/// and benchmarking ranges, multicast, and the transition ranges that
/// embed such an address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                 // "this network"
        || ip.is_private()                   // 10/8, 172.16/12, 192.168/16
        || ip.is_loopback()                  // 127/8
        || ip.is_link_local()                // 169.254/16
        || ip.is_broadcast()
        || ip.is_documentation()             // 192.0.2/24, 198.51.100/24, 203.0.113/24
        || ip.is_multicast()                 // 224/4
        || a >= 240                          // reserved
        || (a == 100 && (b & 0xC0) == 64)    // 100.64/10 shared (CGNAT)
        || (a == 192 && b == 0 && c == 0)    // 192.0.0/24 protocol assignments
        || (a == 198 && (b & 0xFE) == 18)    // 198.18/15 benchmarking
        || (a == 192 && b == 88 && c == 99)) // 6to4 relay anycast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    let [s0, s1, ..] = s;
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.is_unique_local()                          // fc00::/7
        || ip.is_unicast_link_local()                    // fe80::/10
        || (s0 & 0xffc0) == 0xfec0                       // fec0::/10 site-local
        || s.get(..6) == Some(&[0; 6])                   // ::/96 IPv4-compatible
        || (s0 == 0x64 && s1 == 0xff9b)                  // 64:ff9b::/96, 64:ff9b:1::/48
        || (s0 == 0x100 && s.get(1..4) == Some(&[0; 3])) // 100::/64 discard
        || (s0 == 0x2001 && s1 < 0x200)                  // 2001::/23, Teredo included
        || (s0 == 0x2001 && s1 == 0xdb8)                 // documentation
        || (s0 & 0xfff0) == 0x3ff0                       // 3fff::/20 documentation
        || s0 == 0x2002) // 6to4, which embeds an IPv4 address
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

    fn ip(text: &str) -> IpAddr {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        text.parse().unwrap()
    }

    #[test]
    fn only_public_addresses_are_public() {
        for public in [
            "93.184.215.14",
            "1.1.1.1",
            "8.8.8.8",
            "2606:4700:4700::1111",
        ] {
            assert!(is_public(ip(public)), "{public}");
        }
        for local in [
            "127.0.0.1",
            "127.8.8.8",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001:db8::1",
            "2001::1",
            "ff02::1",
            "::127.0.0.1",
        ] {
            assert!(!is_public(ip(local)), "{local}");
        }
    }

    #[test]
    fn urls_are_checked_before_any_request() {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let url = |s: &str| Url::parse(s).unwrap();
        assert!(check_url(&url("https://example.com/feed"), Loopback::Never).is_ok());
        for refused in [
            "file:///etc/passwd",
            "ftp://example.com/",
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://[::1]:8080/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:192.168.0.1]/",
        ] {
            assert!(
                check_url(&url(refused), Loopback::Never).is_err(),
                "{refused}"
            );
        }
        assert!(check_url(&url("http://127.0.0.1:9/"), Loopback::Any).is_ok());
        assert!(check_url(&url("http://[::1]:9/"), Loopback::Any).is_ok());
        assert!(check_url(&url("http://10.0.0.1/"), Loopback::Any).is_err());
        let one = Loopback::OnlyPort(9);
        assert!(check_url(&url("http://127.0.0.1:9/"), one).is_ok());
        for refused in [
            "http://127.0.0.1:10/",
            "http://127.0.0.2:9/",
            "http://[::1]:9/",
        ] {
            assert!(check_url(&url(refused), one).is_err(), "{refused}");
        }
    }

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
