//! The desktop's side of connecting to a server, against a real
//! parley-server over HTTPS on 127.0.0.1: a self-signed certificate is
//! shown by its fingerprint and trusted only when the person says so,
//! remembered across starts, and a changed one is refused; a redirect is
//! never followed, so the session token goes to nobody else.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test: a panic is a failed test"
)]

use std::net::SocketAddr;
use std::path::Path;

use parley::remote::{Certificate, Connection};
use parley_core::ErrorKind;
use parley_server::tls::Tls;
use parley_server::{serve, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server with a self-signed certificate kept in `tls`, on `listen`;
/// returns its address, fingerprint and the way to stop it.
async fn https_server(
    data: &Path,
    tls: &Path,
    listen: SocketAddr,
) -> (SocketAddr, String, tokio::sync::oneshot::Sender<()>) {
    let mut config = Config::new(format!("sqlite:{}", data.join("db").display()), listen);
    config.tls = Tls::SelfSigned {
        folder: tls.to_owned(),
    };
    let listening = serve::start(config).await.unwrap();
    let fingerprint = listening.tls.clone().unwrap().fingerprint;
    let addr = listening.addr;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(listening.serve(async {
        let _ = stopped.await;
    }));
    (addr, fingerprint, stop)
}

#[tokio::test]
async fn a_self_signed_server_is_trusted_on_first_use_and_a_changed_certificate_refused() {
    let desktop = tempfile::tempdir().unwrap();
    let server_data = tempfile::tempdir().unwrap();
    let (addr, fingerprint, stop) = https_server(
        server_data.path(),
        &server_data.path().join("tls"),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await;
    let address = format!("https://{addr}");

    let connection = Connection::load(desktop.path());
    assert!(
        connection.view().server.is_none(),
        "the local library first"
    );
    let check = connection.check(&address).await.unwrap();
    match &check.certificate {
        Certificate::Unknown { fingerprint: shown } => assert_eq!(*shown, fingerprint),
        other => panic!("a self-signed certificate is shown to the person: {other:?}"),
    }
    // Not trusted until the person says so.
    let refused = connection.connect(&address, None).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden, "{refused}");
    assert!(connection.view().server.is_none());
    // Another fingerprint than the server's is no good either.
    let wrong = "AB:".repeat(31) + "AB";
    assert!(connection.connect(&address, Some(wrong)).await.is_err());

    let view = connection
        .connect(&address, Some(fingerprint.clone()))
        .await
        .unwrap();
    assert_eq!(view.server.unwrap().address, addr.to_string());
    let about = connection.server().unwrap().about().await.unwrap();
    assert_eq!(about.api_version, parley::remote::client::API_VERSION);

    // Remembered: the next start opens the server and trusts it unasked.
    let remembered = std::fs::read_to_string(desktop.path().join("connection.json")).unwrap();
    assert!(remembered.contains(&fingerprint), "{remembered}");
    let next_start = Connection::load(desktop.path());
    assert!(next_start.server().unwrap().about().await.is_ok());
    assert!(matches!(
        next_start.check(&address).await.unwrap().certificate,
        Certificate::Trusted
    ));

    // The same address now shows another certificate (a new server, or
    // someone in the middle): refused, with the new fingerprint shown.
    let _ = stop.send(());
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let other_data = tempfile::tempdir().unwrap();
    let (_, other_print, _keep) =
        https_server(other_data.path(), &other_data.path().join("tls"), addr).await;
    assert_ne!(other_print, fingerprint);
    match next_start.check(&address).await.unwrap().certificate {
        Certificate::Changed {
            fingerprint: shown,
            warning,
        } => {
            assert_eq!(shown, other_print);
            assert!(warning.contains("different certificate"), "{warning}");
        }
        other => panic!("a changed certificate is refused: {other:?}"),
    }
    let call = next_start.server().unwrap().about().await.unwrap_err();
    assert_eq!(call.kind(), ErrorKind::Forbidden, "{call}");
    assert!(call.to_string().contains(&other_print), "{call}");
    assert!(
        next_start.connect(&address, None).await.is_err(),
        "connecting again does not quietly accept it"
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed_so_the_token_goes_nowhere_else() {
    // "Elsewhere": a listener that records whether anyone came.
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let elsewhere_addr = elsewhere.local_addr().unwrap();
    let visited = tokio::spawn(async move {
        tokio::time::timeout(std::time::Duration::from_secs(2), elsewhere.accept())
            .await
            .is_ok()
    });
    // The "server" answers everything with a redirect there.
    let redirecting = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", redirecting.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = redirecting.accept().await {
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let answer = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://{elsewhere_addr}/api/v1/server\r\n\
                 Content-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });

    let desktop = tempfile::tempdir().unwrap();
    let connection = Connection::load(desktop.path());
    let refused = connection.check(&address).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Invalid, "{refused}");
    assert!(connection.connect(&address, None).await.is_err());
    assert!(
        !visited.await.unwrap(),
        "nothing was sent to where the redirect pointed"
    );
}

#[tokio::test]
async fn plain_http_is_refused_for_any_server_but_this_computer() {
    let desktop = tempfile::tempdir().unwrap();
    let connection = Connection::load(desktop.path());
    for address in ["http://192.168.1.20:7878", "http://parley.example.org"] {
        let refused = connection.check(address).await.unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Invalid, "{address}: {refused}");
        assert!(refused.to_string().contains("HTTPS"), "{refused}");
    }
}

/// A "server" that answers as Parley does, but puts hostile HTML in an
/// article: whatever it sends, the window gets what parley-core's own
/// sanitizer lets through.
#[tokio::test]
async fn html_from_a_server_reaches_the_window_only_as_parley_would_clean_it() {
    use parley_core::articles::Article;
    use parley_core::ids::ArticleId;

    let id = ArticleId::new();
    let article = Article {
        id,
        title: "A hostile article".into(),
        source: "Somewhere".into(),
        author: String::new(),
        url: None,
        published_at: 0,
        summary: String::new(),
        body_html: "<p>Read me</p><script>steal()</script>\
                    <img src=\"https://tracker.example/pixel.gif\">\
                    <form action=\"https://evil.example\"><input name=\"password\"></form>"
            .into(),
        tags: Vec::new(),
        can_delete: false,
        version: 1,
        versions: vec![parley_core::articles::VersionInfo {
            version: 1,
            since: 0,
        }],
    };
    let about = serde_json::json!({
        "product": "parley", "version": "9.9.9", "apiVersion": parley::remote::client::API_VERSION,
        "needsSetup": false, "signUp": "invite"
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let article_json = serde_json::to_string(&article).unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let read = socket.read(&mut request).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&request[..read]).into_owned();
            let body = if head.starts_with("GET /api/v1/server ") {
                about.to_string()
            } else if head.starts_with("GET /api/v1/articles/") {
                article_json.clone()
            } else {
                // The event stream and the rest: nothing.
                "{}".to_owned()
            };
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });

    let desktop = tempfile::tempdir().unwrap();
    let connection = Connection::load(desktop.path());
    connection.connect(&address, None).await.unwrap();
    let shown = connection
        .server()
        .unwrap()
        .article(id, None)
        .await
        .unwrap();
    assert!(shown.body_html.contains("Read me"), "{}", shown.body_html);
    for gone in ["<script", "tracker.example", "<form", "<input"] {
        assert!(
            !shown.body_html.contains(gone),
            "{gone} in {}",
            shown.body_html
        );
    }
}
