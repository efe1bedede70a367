//! TLS: a server reachable from a network encrypts from its first minute.
//! Given a certificate and key (PEM files), it uses them; given none, it
//! makes a self-signed certificate in its data folder on its first start
//! and prints the certificate's SHA-256 fingerprint, which the desktop
//! shows a person the first time it connects (trust on first use).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::serve::StartError;

/// Where a server's certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tls {
    /// Plain HTTP: on loopback, or behind a proxy that encrypts.
    Off,
    /// These PEM files.
    Files { cert: PathBuf, key: PathBuf },
    /// A self-signed certificate kept in this folder, made if missing.
    SelfSigned { folder: PathBuf },
}

/// A certificate ready to serve, and its fingerprint.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Arc<rustls::ServerConfig>,
    /// SHA-256 of the certificate, as colon-separated upper-case hex.
    pub fingerprint: String,
    /// Whether it was made just now.
    pub made: bool,
}

pub use parley_core::certificates::fingerprint;

/// Reads (or, for a self-signed one, makes) the certificate `tls` names.
/// `names` are the host names and addresses a self-signed certificate is
/// made for.
pub fn load(tls: &Tls, names: &[String]) -> Result<Option<Loaded>, StartError> {
    let (cert, key, made) = match tls {
        Tls::Off => return Ok(None),
        Tls::Files { cert, key } => (cert.clone(), key.clone(), false),
        Tls::SelfSigned { folder } => {
            let (cert, key) = (folder.join("cert.pem"), folder.join("key.pem"));
            let made = !cert.exists() || !key.exists();
            if made {
                make_self_signed(folder, &cert, &key, names)?;
            }
            (cert, key, made)
        }
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert)
        .and_then(|certs| certs.collect())
        .map_err(|e| {
            StartError(format!(
                "Could not read the certificate {}: {e}",
                cert.display()
            ))
        })?;
    let first = chain
        .first()
        .ok_or_else(|| StartError(format!("{} holds no certificate.", cert.display())))?;
    let fingerprint = fingerprint(first.as_ref());
    let key = PrivateKeyDer::from_pem_file(&key)
        .map_err(|e| StartError(format!("Could not read the key {}: {e}", key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StartError(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| StartError(format!("The certificate and key do not go together: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(Loaded {
        config: Arc::new(config),
        fingerprint,
        made,
    }))
}

fn make_self_signed(
    folder: &Path,
    cert: &Path,
    key: &Path,
    names: &[String],
) -> Result<(), StartError> {
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        StartError(format!(
            "Could not make a self-signed certificate ({what}): {e}"
        ))
    };
    std::fs::create_dir_all(folder).map_err(|e| failed(&folder.display().to_string(), &e))?;
    let made =
        rcgen::generate_simple_self_signed(names.to_vec()).map_err(|e| failed("rcgen", &e))?;
    write_private(key, made.signing_key.serialize_pem().as_bytes())
        .map_err(|e| failed(&key.display().to_string(), &e))?;
    std::fs::write(cert, made.cert.pem()).map_err(|e| failed(&cert.display().to_string(), &e))?;
    Ok(())
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
