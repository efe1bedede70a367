//! `parley-server`: serves one group's Parley. See `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use parley_server::serve::{self, StartError};
use parley_server::tls::Tls;
use parley_server::Config;

const HELP: &str = "\
parley-server: Parley for a group, as a JSON HTTP API.

USAGE:
    parley-server --database URL [--listen ADDRESS:PORT] [--data FOLDER]
                  [--tls-cert FILE --tls-key FILE] [--behind-proxy]

OPTIONS:
    --database URL      postgres://user@host/name (PostgreSQL, for a group), or
                        sqlite:FOLDER (a data folder holding parley.db).
                        Also read from PARLEY_DATABASE_URL.
    --listen ADDR:PORT  Where to listen (default 127.0.0.1:7878).
    --data FOLDER       The server's own folder. Listening on an address other
                        than loopback without a certificate, the server makes
                        a self-signed one in FOLDER/tls on its first start and
                        prints its fingerprint.
    --tls-cert FILE     A certificate chain (PEM) to serve HTTPS with,
    --tls-key FILE      and its private key (PEM).
    --behind-proxy      A reverse proxy in front terminates TLS and passes the
                        client's address in X-Forwarded-For: serve plain HTTP
                        (listen on 127.0.0.1 then).
    --help              This text.

A new server prints a one-time setup code: its first account (the admin)
needs it. Logs go to standard error; RUST_LOG=debug shows more.";

fn parse(args: impl Iterator<Item = String>) -> Result<Option<Config>, StartError> {
    let mut database = std::env::var("PARLEY_DATABASE_URL").ok();
    let mut listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 7878));
    let mut behind_proxy = false;
    let mut data = None;
    let (mut cert, mut key) = (None, None);
    let mut args = args;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| StartError(format!("{name} needs a value. See --help.")))
        };
        match arg.as_str() {
            "--help" | "-h" => return Ok(None),
            "--database" => database = Some(value("--database")?),
            "--listen" => {
                let text = value("--listen")?;
                listen = text.parse().map_err(|_| {
                    StartError(format!(
                        "--listen takes ADDRESS:PORT, such as 127.0.0.1:7878, not {text:?}."
                    ))
                })?;
            }
            "--behind-proxy" => behind_proxy = true,
            "--data" => data = Some(PathBuf::from(value("--data")?)),
            "--tls-cert" => cert = Some(PathBuf::from(value("--tls-cert")?)),
            "--tls-key" => key = Some(PathBuf::from(value("--tls-key")?)),
            other => return Err(StartError(format!("Unknown option {other:?}. See --help."))),
        }
    }
    let database = database.ok_or_else(|| {
        StartError("Say which database to use with --database (see --help).".into())
    })?;
    let mut config = Config::new(database, listen);
    config.behind_proxy = behind_proxy;
    config.data = data;
    // As the desktop: only a debug build, for tests that serve their own
    // feeds on 127.0.0.1, may be told to fetch from loopback.
    config.fetch_loopback = cfg!(debug_assertions)
        && std::env::var("PARLEY_FETCH_ALLOW_LOOPBACK").is_ok_and(|v| v == "1");
    config.tls = match (cert, key) {
        (Some(cert), Some(key)) => Tls::Files { cert, key },
        (None, None) => Tls::Off,
        _ => return Err(StartError("--tls-cert and --tls-key go together.".into())),
    };
    Ok(Some(config))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = match parse(std::env::args().skip(1)) {
        Ok(Some(config)) => config,
        Ok(None) => {
            eprintln!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("parley-server: {e}");
            return ExitCode::from(2);
        }
    };
    let listening = match serve::start(config).await {
        Ok(listening) => listening,
        Err(e) => {
            eprintln!("parley-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(code) = &listening.setup_code {
        eprintln!(
            "\nThis server has no accounts yet. Its first account becomes the admin and \
             needs this one-time setup code:\n\n    {code}\n"
        );
    }
    if let Some(tls) = &listening.tls {
        let how = if tls.made { "made just now" } else { "in use" };
        eprintln!(
            "\nHTTPS. The certificate's SHA-256 fingerprint ({how}):\n\n    {}\n\n\
             A person connecting for the first time compares it with what Parley shows them.\n",
            tls.fingerprint
        );
    }
    let scheme = if listening.tls.is_some() {
        "https"
    } else {
        "http"
    };
    tracing::info!(address = %listening.addr, scheme, "parley-server is listening");
    match listening.serve(serve::stop_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("parley-server: {e}");
            ExitCode::FAILURE
        }
    }
}
