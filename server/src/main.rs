//! `parley-server`: serves one group's Parley. See `--help`.

use std::process::ExitCode;

use parley_server::options::{self, Asked};
use parley_server::serve;

const HELP: &str = "\
parley-server: Parley for a group, as a JSON HTTP API.

USAGE:
    parley-server --database URL [--listen ADDRESS:PORT] [--data FOLDER]
                  [--tls-cert FILE --tls-key FILE] [--behind-proxy]
                  [--session-days N] [--config FILE]

OPTIONS (each also read from the environment variable named beside it,
and from the config file, in that order):
    --database URL      postgres://user@host/name (PostgreSQL, for a group), or
                        sqlite:FOLDER (a data folder holding parley.db).
                        PARLEY_DATABASE_URL
    --listen ADDR:PORT  Where to listen (default 127.0.0.1:7878). PARLEY_LISTEN
    --data FOLDER       The server's own folder. Listening on an address other
                        than loopback without a certificate, the server makes
                        a self-signed one in FOLDER/tls on its first start and
                        prints its fingerprint. PARLEY_DATA
    --tls-cert FILE     A certificate chain (PEM) to serve HTTPS with,
    --tls-key FILE      and its private key (PEM). PARLEY_TLS_CERT, PARLEY_TLS_KEY
    --behind-proxy      A reverse proxy in front terminates TLS and passes the
                        client's address in X-Forwarded-For: serve plain HTTP
                        (listen on 127.0.0.1 then). PARLEY_BEHIND_PROXY=true
    --session-days N    A session unused this long ends (default 30).
                        PARLEY_SESSION_DAYS
    --log-format F      text (the default) or json: one JSON object a line, for
                        a log collector. PARLEY_LOG_FORMAT
    --config FILE       KEY=value lines with the names above (PARLEY_LISTEN=…),
                        as a systemd EnvironmentFile has them. PARLEY_CONFIG
    --help              This text.

A new server prints a one-time setup code: its first account (the admin)
needs it. Logs go to standard error; RUST_LOG=debug shows more. They hold
no password, session token or comment text.

For whoever runs it: GET /health (200 once the database answers, else 503;
/health/live: the process is up) and GET /metrics (Prometheus's text
format, answered only to 127.0.0.1 and ::1).";

/// Libraries that parse what people write and what feeds send (HTML,
/// Markdown, XML), whose debug logs quote it: silenced whatever RUST_LOG
/// says, so no comment's text reaches the log.
const QUOTING_CRATES: [&str; 10] = [
    "html5ever",
    "markup5ever",
    "ammonia",
    "dom_query",
    "dom_smoothie",
    "selectors",
    "cssparser",
    "pulldown_cmark",
    "quick_xml",
    "feed_rs",
];

/// Logs to standard error, as text or as one JSON object a line.
fn start_logging(json: bool) {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    for target in QUOTING_CRATES {
        if let Ok(directive) = format!("{target}=off").parse() {
            filter = filter.add_directive(directive);
        }
    }
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        logs.json().init();
    } else {
        logs.init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match options::read(std::env::args().skip(1), |key| std::env::var(key).ok()) {
        Ok(Asked::Serve(config)) => {
            let mut config = *config;
            // As the desktop: only a debug build, for tests that serve
            // their own feeds on 127.0.0.1, may be told to fetch from
            // loopback.
            config.fetch_loopback = cfg!(debug_assertions)
                && std::env::var("PARLEY_FETCH_ALLOW_LOOPBACK").is_ok_and(|v| v == "1");
            start_logging(config.log_json);
            config
        }
        Ok(Asked::Help) => {
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
    let json = listening.log_json();
    if let Some(code) = &listening.setup_code {
        if json {
            tracing::info!(setup_code = %code, "no accounts yet: the first account (the admin) needs this one-time setup code");
        } else {
            eprintln!(
                "\nThis server has no accounts yet. Its first account becomes the admin and \
                 needs this one-time setup code:\n\n    {code}\n"
            );
        }
    }
    if let Some(tls) = &listening.tls {
        let how = if tls.made { "made just now" } else { "in use" };
        if json {
            tracing::info!(fingerprint = %tls.fingerprint, how, "HTTPS: the certificate's SHA-256 fingerprint, which a person connecting for the first time compares");
        } else {
            eprintln!(
                "\nHTTPS. The certificate's SHA-256 fingerprint ({how}):\n\n    {}\n\n\
                 A person connecting for the first time compares it with what Parley shows them.\n",
                tls.fingerprint
            );
        }
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
