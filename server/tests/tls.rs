//! HTTPS from the first minute: a self-signed certificate made at the
//! first start, kept, and recognised by its fingerprint; plain HTTP never
//! served where a network could listen in.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use std::net::SocketAddr;
use std::sync::Arc;

use parley_core::certificates::Verifier;
use parley_server::serve;
use parley_server::tls::Tls;
use parley_server::Config;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// GET `path` over HTTPS, trusting only `fingerprint`.
async fn get_https(addr: SocketAddr, fingerprint: &str, path: &str) -> Result<String, String> {
    // As a desktop that trusted this fingerprint on first use.
    let verifier = Arc::new(Verifier::new(Some(fingerprint.to_owned())).unwrap());
    let config = rustls::ClientConfig::builder_with_provider(verifier.provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut tls = connector
        .connect(name, tcp)
        .await
        .map_err(|e| e.to_string())?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer).await;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

fn config(dir: &tempfile::TempDir, tls: Tls) -> Config {
    let mut config = Config::new(
        format!("sqlite:{}", dir.path().join("db").display()),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    );
    config.tls = tls;
    config
}

#[tokio::test]
async fn a_self_signed_certificate_is_made_once_and_known_by_its_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("tls");
    let listening = serve::start(config(
        &dir,
        Tls::SelfSigned {
            folder: folder.clone(),
        },
    ))
    .await
    .unwrap();
    let loaded = listening.tls.clone().expect("HTTPS");
    assert!(loaded.made);
    assert_eq!(
        loaded.fingerprint.len(),
        32 * 3 - 1,
        "{}",
        loaded.fingerprint
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(folder.join("key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the key is its owner's alone: {mode:o}");
    }
    let addr = listening.addr;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(listening.serve(async {
        let _ = stopped.await;
    }));

    let answer = get_https(addr, &loaded.fingerprint, "/api/v1/server")
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"product\":\"parley\""), "{answer}");
    // Another certificate (a changed one, or a machine in the middle) is
    // refused.
    let wrong = "00:".repeat(31) + "00";
    assert!(get_https(addr, &wrong, "/api/v1/server").await.is_err());
    // Plain HTTP to an HTTPS port gets no answer.
    let mut plain = tokio::net::TcpStream::connect(addr).await.unwrap();
    plain
        .write_all(b"GET /api/v1/server HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer).await;
    assert!(!String::from_utf8_lossy(&answer).contains("parley"));

    let _ = stop.send(());
    task.await.unwrap().unwrap();

    // Started again, the same certificate.
    let again = serve::start(config(&dir, Tls::SelfSigned { folder }))
        .await
        .unwrap();
    let reloaded = again.tls.clone().unwrap();
    assert!(!reloaded.made);
    assert_eq!(reloaded.fingerprint, loaded.fingerprint);
}

#[test]
fn plain_http_is_refused_where_a_network_could_listen_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&dir, Tls::Off);
    config.listen = SocketAddr::from(([192, 0, 2, 10], 7878));
    let refused = serve::effective_tls(&config).unwrap_err();
    assert!(
        refused.to_string().contains("Refusing to serve plain HTTP"),
        "{refused}"
    );
    // Given its own folder, it encrypts with a certificate made there.
    config.data = Some(dir.path().to_path_buf());
    assert_eq!(
        serve::effective_tls(&config).unwrap(),
        Tls::SelfSigned {
            folder: dir.path().join("tls")
        }
    );
    // Behind a proxy that encrypts, plain HTTP is the proxy's to carry.
    config.data = None;
    config.behind_proxy = true;
    assert_eq!(serve::effective_tls(&config).unwrap(), Tls::Off);
    // On loopback, nothing crosses a network.
    config.behind_proxy = false;
    config.listen = SocketAddr::from(([127, 0, 0, 1], 7878));
    assert_eq!(serve::effective_tls(&config).unwrap(), Tls::Off);
}
