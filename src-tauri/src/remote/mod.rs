//! The library this window shows: the local one (the default), or a
//! Parley server's, which this desktop's Rust side talks to as its client
//! while the page still talks only to this backend. Which one is open,
//! and the certificates trusted on first use, are remembered in
//! `connection.json` in the data folder.

pub mod calls;
pub mod client;
pub mod live;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use parley_core::{Error, Result};
use serde::{Deserialize, Serialize};

pub use client::Server;
use client::{display_address, parse_address, trust_key, Link};
use live::Live;
use parley_core::certificates::Seen;

/// A server this window is connected to, and the follower of its events.
#[derive(Debug)]
pub struct Remote {
    pub server: Arc<Server>,
    pub live: Live,
}

/// What is remembered between starts.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Remembered {
    /// The server's origin, when a server was open; none: the local library.
    server: Option<String>,
    /// Fingerprints trusted on first use, by `host:port`.
    #[serde(default)]
    trusted: BTreeMap<String, String>,
}

/// Which library is open, as the header shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    /// None: the local library.
    pub server: Option<ServerView>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerView {
    pub address: String,
    pub online: bool,
}

/// What checking an address found, before connecting.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerCheck {
    /// The address as Parley will use it.
    pub address: String,
    pub certificate: Certificate,
    /// The server's version, once it could be asked.
    pub version: Option<String>,
    /// The server has no account yet: the first needs its setup code.
    pub needs_setup: bool,
}

/// What the person must decide about the server's certificate.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum Certificate {
    /// Vouched for by an authority, already trusted here, or plain HTTP
    /// on this computer: nothing to decide.
    Trusted,
    /// Never seen: connect only if the person trusts this fingerprint
    /// (the server printed it when it started).
    Unknown { fingerprint: String },
    /// Not the one trusted before: refused.
    Changed {
        fingerprint: String,
        warning: String,
    },
}

#[derive(Debug)]
pub struct Connection {
    file: PathBuf,
    remembered: RwLock<Remembered>,
    open: RwLock<Option<Arc<Remote>>>,
}

impl Connection {
    /// The connection remembered in `data_dir`, opened again (without
    /// waiting for the server: an unreachable one shows as offline).
    pub fn load(data_dir: &Path) -> Self {
        let file = data_dir.join("connection.json");
        let remembered: Remembered = match std::fs::read(&file) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                log::warn!(
                    "{} could not be read ({e}); opening the local library",
                    file.display()
                );
                Remembered::default()
            }),
            Err(_) => Remembered::default(),
        };
        let open = remembered.server.as_deref().and_then(|origin| {
            let origin = parse_address(origin).ok()?;
            let pin = remembered.trusted.get(&trust_key(&origin)).cloned();
            match Server::new(origin, pin) {
                Ok(server) => Some(Arc::new(follow(server))),
                Err(e) => {
                    log::error!("the remembered server could not be opened: {e}");
                    None
                }
            }
        });
        if let Some(remote) = &open {
            log::info!("connected to {}", display_address(remote.server.origin()));
        }
        Self {
            file,
            remembered: RwLock::new(remembered),
            open: RwLock::new(open),
        }
    }

    /// The server open in this window, if any.
    pub fn remote(&self) -> Option<Arc<Remote>> {
        self.open
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn server(&self) -> Option<Arc<Server>> {
        self.remote().map(|r| r.server.clone())
    }

    pub fn view(&self) -> ConnectionView {
        ConnectionView {
            server: self.server().map(|s| ServerView {
                address: display_address(s.origin()),
                online: s.link() == Link::Online,
            }),
        }
    }

    fn pin_for(&self, origin: &reqwest::Url) -> Option<String> {
        self.remembered
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .trusted
            .get(&trust_key(origin))
            .cloned()
    }

    /// Looks at the server at `typed` without connecting: is it a Parley
    /// server this desktop can talk to, and what about its certificate.
    pub async fn check(&self, typed: &str) -> Result<ServerCheck> {
        let origin = parse_address(typed)?;
        let address = display_address(&origin);
        let server = Server::new(origin.clone(), self.pin_for(&origin))?;
        match server.about().await {
            Ok(about) => Ok(ServerCheck {
                address: origin.to_string(),
                certificate: Certificate::Trusted,
                version: Some(about.version),
                needs_setup: about.needs_setup,
            }),
            Err(e) => match server.certificate() {
                Seen::Unknown { fingerprint } => Ok(ServerCheck {
                    address: origin.to_string(),
                    certificate: Certificate::Unknown { fingerprint },
                    version: None,
                    needs_setup: false,
                }),
                Seen::Changed { fingerprint } => Ok(ServerCheck {
                    address: origin.to_string(),
                    certificate: Certificate::Changed {
                        warning: client::changed_certificate(&address, &fingerprint),
                        fingerprint,
                    },
                    version: None,
                    needs_setup: false,
                }),
                Seen::Nothing | Seen::Trusted => Err(e),
            },
        }
    }

    /// Opens the server at `typed` in this window, trusting the certificate
    /// with `fingerprint` if its own is not vouched for (the one the person
    /// was shown by [`check`](Self::check)), and remembers the choice.
    pub async fn connect(
        &self,
        typed: &str,
        fingerprint: Option<String>,
    ) -> Result<ConnectionView> {
        let origin = parse_address(typed)?;
        let pin = fingerprint
            .map(|f| f.trim().to_uppercase())
            .filter(|f| !f.is_empty())
            .or_else(|| self.pin_for(&origin));
        let server = Server::new(origin.clone(), pin.clone())?;
        server.about().await?;
        let trusted_by_pin = !matches!(origin.scheme(), "http") && pin.is_some();
        {
            let mut remembered = self
                .remembered
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            remembered.server = Some(origin.to_string());
            if let (true, Some(pin)) = (trusted_by_pin, pin) {
                remembered.trusted.insert(trust_key(&origin), pin);
            }
        }
        self.save()?;
        let previous = self
            .open
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(Arc::new(follow(server)));
        if let Some(previous) = previous {
            let _ = previous.server.sign_out().await;
        }
        log::info!("connected to {}", display_address(&origin));
        Ok(self.view())
    }

    /// Goes back to the local library (signing out of the server) and
    /// remembers that.
    pub async fn use_local(&self) -> Result<ConnectionView> {
        let previous = self
            .open
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        self.remembered
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .server = None;
        self.save()?;
        if let Some(previous) = previous {
            let _ = previous.server.sign_out().await;
            log::info!("back to the local library");
        }
        Ok(self.view())
    }

    fn save(&self) -> Result<()> {
        let bytes = {
            let remembered = self
                .remembered
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            serde_json::to_vec_pretty(&*remembered)
                .map_err(|e| Error::Internal(format!("the connection file: {e}")))?
        };
        let partial = self.file.with_extension("json.partial");
        let failed = |e: std::io::Error| {
            Error::DataDir(format!("{} could not be written: {e}", self.file.display()))
        };
        std::fs::write(&partial, bytes).map_err(failed)?;
        std::fs::rename(&partial, &self.file).map_err(failed)
    }
}

fn follow(server: Server) -> Remote {
    let server = Arc::new(server);
    Remote {
        live: Live::follow(server.clone()),
        server,
    }
}
