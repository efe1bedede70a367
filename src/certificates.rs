//! Certificates as people know them: by their SHA-256 fingerprint, which
//! parley-server prints for its self-signed certificate; and the rule for
//! which certificate a server may present to a desktop connecting to it:
//! one a certificate authority vouches for, as a browser would accept, or
//! the very one the person trusted on first use (a household's
//! self-signed server). A different certificate where one was trusted is
//! refused, never accepted quietly.

use std::sync::{Arc, Mutex, PoisonError};

use ring::digest::{digest, SHA256};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// A certificate's SHA-256 fingerprint as people compare it: upper-case
/// hex pairs joined by colons, as `parley-server` prints it at start.
pub fn fingerprint(der: &[u8]) -> String {
    digest(&SHA256, der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// What a connection made of the certificate it was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// Nothing yet (no TLS, or the connection failed before it).
    Nothing,
    /// A certificate authority vouches for it, or it is the one trusted.
    Trusted,
    /// Self-signed (or from an authority this computer does not know) and
    /// never trusted here: the person may trust it, knowing its fingerprint.
    Unknown { fingerprint: String },
    /// Not the certificate trusted for this server before.
    Changed { fingerprint: String },
}

/// The verifier for one server: the platform's checks first, then the
/// fingerprint trusted on first use, if any. It remembers what it saw so
/// that a refused connection can say why.
#[derive(Debug)]
pub struct Verifier {
    platform: rustls_platform_verifier::Verifier,
    pinned: Option<String>,
    provider: Arc<CryptoProvider>,
    seen: Mutex<Seen>,
}

impl Verifier {
    pub fn new(pinned: Option<String>) -> Result<Self, rustls::Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Ok(Self {
            platform: rustls_platform_verifier::Verifier::new(provider.clone())?,
            pinned,
            provider,
            seen: Mutex::new(Seen::Nothing),
        })
    }

    pub fn provider(&self) -> Arc<CryptoProvider> {
        self.provider.clone()
    }

    /// What the last handshake made of the server's certificate.
    pub fn seen(&self) -> Seen {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn saw(&self, seen: Seen) {
        *self.seen.lock().unwrap_or_else(PoisonError::into_inner) = seen;
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let by_authority =
            self.platform
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now);
        let fingerprint = fingerprint(end_entity.as_ref());
        let (seen, outcome) = match (&self.pinned, by_authority) {
            (_, Ok(verified)) => (Seen::Trusted, Ok(verified)),
            (Some(pin), Err(_)) if *pin == fingerprint => {
                (Seen::Trusted, Ok(ServerCertVerified::assertion()))
            }
            (Some(_), Err(e)) => (Seen::Changed { fingerprint }, Err(e)),
            (None, Err(e)) => (Seen::Unknown { fingerprint }, Err(e)),
        };
        self.saw(seen);
        outcome
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_colon_separated_upper_case_sha256() {
        let print = fingerprint(b"parley");
        assert_eq!(print.len(), 32 * 3 - 1);
        assert!(print
            .split(':')
            .all(|pair| pair.len() == 2 && pair.chars().all(|c| c.is_ascii_hexdigit())));
        assert_eq!(print, print.to_uppercase());
        assert_ne!(print, fingerprint(b"parley!"));
    }
}
