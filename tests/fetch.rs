//! The fetcher against real HTTP servers on 127.0.0.1 (wiremock, and a raw
//! socket for bodies that are slow or never end): what it returns, and
//! every rule it keeps.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use std::io::Write;
use std::time::Duration;

use parley_core::library::fetch::{
    FetchError, FetchPolicy, Fetched, Fetcher, OwnAddress, OwnAddresses, Validators,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn loopback() -> Fetcher {
    Fetcher::new(FetchPolicy::allowing_loopback()).unwrap()
}

fn url(text: &str) -> Url {
    Url::parse(text).unwrap()
}

async fn get(fetcher: &Fetcher, address: &str) -> Result<Fetched, FetchError> {
    fetcher
        .get(&url(address), &Validators::default(), "*/*")
        .await
}

#[tokio::test]
async fn follows_redirects_and_reports_where_the_content_came_from() {
    let server = MockServer::start().await;
    for (from, to) in [("/a", "/b"), ("/b", "/c")] {
        Mock::given(path(from))
            .respond_with(ResponseTemplate::new(301).insert_header("location", to))
            .mount(&server)
            .await;
    }
    Mock::given(path("/c"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("etag", "\"v1\"")
                .insert_header("last-modified", "Mon, 30 Nov 2026 10:00:00 GMT")
                .set_body_raw("<rss/>", "application/rss+xml"),
        )
        .mount(&server)
        .await;
    let Fetched::Body(body) = get(&loopback(), &format!("{}/a", server.uri()))
        .await
        .unwrap()
    else {
        panic!("expected a body");
    };
    assert_eq!(body.final_url.path(), "/c");
    assert_eq!(body.bytes, b"<rss/>");
    assert_eq!(body.etag.as_deref(), Some("\"v1\""));
    assert_eq!(body.content_type.as_deref(), Some("application/rss+xml"));
    assert!(body.last_modified.is_some());
}

#[tokio::test]
async fn a_conditional_request_sends_the_validators_and_reads_304() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed"))
        .and(header("if-none-match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .expect(1)
        .mount(&server)
        .await;
    let validators = Validators {
        etag: Some("\"v1\"".into()),
        last_modified: Some("Mon, 30 Nov 2026 10:00:00 GMT".into()),
    };
    let fetched = loopback()
        .get(&url(&format!("{}/feed", server.uri())), &validators, "*/*")
        .await
        .unwrap();
    assert_eq!(fetched, Fetched::NotModified);
    let asked = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        asked.headers.get("if-modified-since").unwrap(),
        "Mon, 30 Nov 2026 10:00:00 GMT"
    );
}

#[tokio::test]
async fn too_many_requests_says_when_to_come_back() {
    let server = MockServer::start().await;
    Mock::given(path("/busy"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .mount(&server)
        .await;
    Mock::given(path("/gone"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let fetcher = loopback();
    assert_eq!(
        get(&fetcher, &format!("{}/busy", server.uri()))
            .await
            .unwrap(),
        Fetched::TryLater {
            retry_after: Some(Duration::from_secs(120))
        }
    );
    let err = get(&fetcher, &format!("{}/gone", server.uri()))
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::Status(404));
    assert_eq!(err.to_string(), "the server answered 404");
}

#[tokio::test]
async fn the_default_policy_never_reaches_this_computer() {
    let server = MockServer::start().await;
    Mock::given(path("/feed"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<rss/>"))
        .mount(&server)
        .await;
    let fetcher = Fetcher::new(FetchPolicy::default()).unwrap();
    let port = server.address().port();
    for address in [
        format!("http://127.0.0.1:{port}/feed"),
        format!("http://localhost:{port}/feed"),
        format!("http://[::ffff:127.0.0.1]:{port}/feed"),
        format!("http://2130706433:{port}/feed"),
    ] {
        let err = get(&fetcher, &address).await.unwrap_err();
        assert!(matches!(err, FetchError::Refused(_)), "{address}: {err:?}");
        assert!(err.to_string().contains("this computer"), "{err}");
    }
    let err = get(&fetcher, "file:///etc/passwd").await.unwrap_err();
    assert!(err.to_string().contains("only http and https"), "{err}");
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "a refused address was asked"
    );
}

/// Under the default policy no first request reaches a test's server, so
/// this allows exactly that server's address and nothing else local: the
/// redirect from it to another server on 127.0.0.1 is refused, and that
/// server is never asked.
#[tokio::test]
async fn a_redirect_to_this_computer_is_refused() {
    let inside = MockServer::start().await;
    Mock::given(path("/secret"))
        .respond_with(ResponseTemplate::new(200).set_body_string("local only"))
        .mount(&inside)
        .await;
    let outside = MockServer::start().await;
    let port = inside.address().port();
    for (from, to) in [
        ("/to-ip", format!("http://127.0.0.1:{port}/secret")),
        ("/to-name", format!("http://localhost:{port}/secret")),
        ("/to-v6", format!("http://[::ffff:127.0.0.1]:{port}/secret")),
    ] {
        Mock::given(path(from))
            .respond_with(ResponseTemplate::new(302).insert_header("location", to.as_str()))
            .mount(&outside)
            .await;
    }
    let fetcher = Fetcher::new(FetchPolicy::allowing_only(outside.address().port())).unwrap();
    for from in ["/to-ip", "/to-name", "/to-v6"] {
        let err = get(&fetcher, &format!("{}{from}", outside.uri()))
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::Refused(_)), "{from}: {err:?}");
        assert!(err.to_string().contains("this computer"), "{err}");
    }
    assert_eq!(outside.received_requests().await.unwrap().len(), 3);
    assert!(
        inside.received_requests().await.unwrap().is_empty(),
        "the redirect reached this computer"
    );
}

#[tokio::test]
async fn a_redirect_to_a_local_address_is_refused() {
    let server = MockServer::start().await;
    for (from, to) in [
        ("/to-private", "http://192.168.1.1/admin"),
        ("/to-metadata", "http://169.254.169.254/latest/meta-data/"),
        ("/to-file", "file:///etc/passwd"),
    ] {
        Mock::given(path(from))
            .respond_with(ResponseTemplate::new(302).insert_header("location", to))
            .mount(&server)
            .await;
    }
    let fetcher = loopback();
    for from in ["/to-private", "/to-metadata"] {
        let err = get(&fetcher, &format!("{}{from}", server.uri()))
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::Refused(_)), "{from}: {err:?}");
    }
    let err = get(&fetcher, &format!("{}/to-file", server.uri()))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Refused(_)), "{err:?}");
}

#[tokio::test]
async fn more_than_five_redirects_is_refused() {
    let server = MockServer::start().await;
    for hop in 0..8 {
        Mock::given(path(format!("/hop{hop}")))
            .respond_with(
                ResponseTemplate::new(302).insert_header("location", format!("/hop{}", hop + 1)),
            )
            .mount(&server)
            .await;
    }
    let err = get(&loopback(), &format!("{}/hop0", server.uri()))
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::TooManyRedirects);
    assert_eq!(server.received_requests().await.unwrap().len(), 6);
}

#[tokio::test]
async fn a_compressed_body_is_capped_on_its_decompressed_size() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![0_u8; 64 * 1024 * 1024]).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 200 * 1024, "{} bytes on the wire", bomb.len());
    let server = MockServer::start().await;
    Mock::given(path("/bomb"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_bytes(bomb),
        )
        .mount(&server)
        .await;
    let err = get(&loopback(), &format!("{}/bomb", server.uri()))
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::TooBig(15 * 1024 * 1024));
    assert_eq!(err.to_string(), "the response is larger than 15 MiB");
}

/// A server that sends headers, then either stalls or sends forever.
async fn raw_server(stall: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0_u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\
                            Transfer-Encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                if stall {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let framed = [
                    format!("{:x}\r\n", chunk.len()).into_bytes(),
                    chunk,
                    b"\r\n".to_vec(),
                ]
                .concat();
                while socket.write_all(&framed).await.is_ok() {}
            });
        }
    });
    format!("http://{address}/feed")
}

#[tokio::test]
async fn a_body_that_never_ends_or_never_comes_is_given_up() {
    let fetcher = loopback();
    let err = get(&fetcher, &raw_server(false).await).await.unwrap_err();
    assert_eq!(err, FetchError::TooBig(15 * 1024 * 1024));

    let impatient = Fetcher::new(FetchPolicy {
        timeout: Duration::from_secs(1),
        ..FetchPolicy::allowing_loopback()
    })
    .unwrap();
    let started = std::time::Instant::now();
    let err = get(&impatient, &raw_server(true).await).await.unwrap_err();
    assert_eq!(err, FetchError::TimedOut(1));
    assert_eq!(err.to_string(), "timed out after 1 s");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// This computer's own addresses, as if its interfaces had them: from the
/// documentation ranges, so that no test ever names a real address (and
/// every decision is made before anything is sent).
fn own_addresses() -> OwnAddresses {
    OwnAddresses::Listed(std::sync::Arc::from([
        OwnAddress {
            ip: "203.0.113.7".parse().unwrap(),
            prefix_len: 24,
        },
        OwnAddress {
            ip: "2001:db8:1:2::7".parse().unwrap(),
            prefix_len: 64,
        },
    ]))
}

#[tokio::test]
async fn this_computers_own_addresses_and_ipv6_network_are_refused() {
    let fetcher = Fetcher::new(FetchPolicy {
        own_addresses: own_addresses(),
        ..FetchPolicy::default()
    })
    .unwrap();
    for (address, because) in [
        ("http://203.0.113.7/feed.xml", "one of its own addresses"),
        (
            "http://[::ffff:203.0.113.7]:8080/",
            "one of its own addresses",
        ),
        ("http://[2001:db8:1:2::7]/", "one of its own addresses"),
        // Another machine of this computer's IPv6 network: the router.
        ("http://[2001:db8:1:2::1]/admin", "own network"),
        ("https://[2001:db8:1:2:ffff:ffff:ffff:fffe]/", "own network"),
    ] {
        let refused = get(&fetcher, address).await.unwrap_err();
        assert!(
            matches!(refused, FetchError::Refused(_)),
            "{address}: {refused:?}"
        );
        assert!(
            refused.to_string().contains(because),
            "{address}: {refused}"
        );
    }
    // The same decision for a name's resolved addresses.
    for address in ["203.0.113.7", "2001:db8:1:2::abcd"] {
        let refused = fetcher.allows(address.parse().unwrap()).unwrap_err();
        assert!(refused.to_string().contains("this computer"), "{refused}");
    }
    // Next door in IPv4 is not this computer (it is refused only as a
    // documentation address, which it is).
    let other = fetcher.allows("203.0.113.8".parse().unwrap()).unwrap_err();
    assert!(!other.to_string().contains("own"), "{other}");
}

#[tokio::test]
async fn addresses_with_a_user_name_or_password_are_refused() {
    let target = MockServer::start().await;
    Mock::given(path("/feed.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<rss/>"))
        .mount(&target)
        .await;
    let port = target.address().port();
    let fetcher = loopback();
    for address in [
        format!("http://reader:s3cret@127.0.0.1:{port}/feed.xml"),
        format!("http://reader@127.0.0.1:{port}/feed.xml"),
        format!("http://:s3cret@localhost:{port}/feed.xml"),
    ] {
        let refused = get(&fetcher, &address).await.unwrap_err();
        assert!(
            refused.to_string().contains("user name or password"),
            "{refused}"
        );
    }
    let redirecting = MockServer::start().await;
    Mock::given(path("/moved"))
        .respond_with(ResponseTemplate::new(302).insert_header(
            "location",
            format!("http://reader:s3cret@127.0.0.1:{port}/feed.xml").as_str(),
        ))
        .mount(&redirecting)
        .await;
    let refused = get(&fetcher, &format!("{}/moved", redirecting.uri()))
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("user name or password"),
        "{refused}"
    );
    assert!(
        target.received_requests().await.unwrap().is_empty(),
        "no credentials were sent anywhere"
    );
}
