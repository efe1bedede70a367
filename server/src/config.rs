//! The server's settings: where its database is, where it listens, and
//! the limits it holds clients to. Read from the command line (see
//! `parley-server --help`).

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::tls::Tls;

use parley_core::clock::Millis;
use parley_core::rate::Limit;

const DAY_MS: Millis = 24 * 60 * 60 * 1000;

/// Everything a running server needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://user@host/db`, or `sqlite:FOLDER` for a data folder
    /// holding `parley.db`.
    pub database: String,
    /// The address and port to listen on.
    pub listen: SocketAddr,
    /// Set when a reverse proxy in front terminates TLS and passes the
    /// client's address in `X-Forwarded-For`.
    pub behind_proxy: bool,
    /// A session unused this long ends.
    pub session_idle_ms: Millis,
    /// Where the certificate comes from. Left `Off` on an address other
    /// than loopback and without a proxy, the server makes a self-signed
    /// one in `data`.
    pub tls: Tls,
    /// The server's own folder (its self-signed certificate).
    pub data: Option<PathBuf>,
    /// How many requests of each kind a client may make.
    pub limits: Limits,
    /// Let the library's fetcher reach 127.0.0.1, for tests that serve
    /// feeds themselves; every local address is refused otherwise.
    pub fetch_loopback: bool,
    /// Log one JSON object a line (for a log collector) instead of text.
    pub log_json: bool,
}

/// The rate limits, per address and per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sign-in attempts from one address (each account also backs off on
    /// its own after failures, in parley-core).
    pub sign_in_per_address: Limit,
    /// New accounts from one address.
    pub join_per_address: Limit,
    /// Writes (comments, votes, edits …) by one account.
    pub writes_per_account: Limit,
    /// Writes from one address, whoever is signed in.
    pub writes_per_address: Limit,
}

const MINUTE: Millis = 60_000;

impl Default for Limits {
    fn default() -> Self {
        Self {
            sign_in_per_address: Limit {
                requests: 30,
                per_ms: MINUTE,
            },
            join_per_address: Limit {
                requests: 10,
                per_ms: 60 * MINUTE,
            },
            writes_per_account: Limit {
                requests: 120,
                per_ms: MINUTE,
            },
            writes_per_address: Limit {
                requests: 600,
                per_ms: MINUTE,
            },
        }
    }
}

impl Config {
    /// Settings for a server on `database` listening on `listen`, with the
    /// defaults for the rest.
    pub fn new(database: impl Into<String>, listen: SocketAddr) -> Self {
        Self {
            database: database.into(),
            listen,
            behind_proxy: false,
            session_idle_ms: 30 * DAY_MS,
            tls: Tls::Off,
            data: None,
            limits: Limits::default(),
            fetch_loopback: false,
            log_json: false,
        }
    }
}
