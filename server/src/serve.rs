//! Starting a server: opening its database (migrations run here), the
//! setup code while it has no account, the listener, and stopping
//! cleanly on Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;

use parley_core::clock::SystemClock;
use parley_core::membership;
use parley_core::store::Store;
use tokio::net::TcpListener;

use crate::tls::{self, Tls};
use crate::{router, AppState, Config};

/// Why a server could not start, in words for whoever started it.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// Opens the database `config` names, bringing its schema up to date:
/// `postgres://…` (or `postgresql://…`) for PostgreSQL, `sqlite:FOLDER`
/// for a data folder holding `parley.db`.
pub async fn open_store(config: &Config) -> Result<Store, StartError> {
    let url = config.database.trim();
    let opened = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        parley_core::startup::open_url(url, Arc::new(SystemClock)).await
    } else if let Some(folder) = url.strip_prefix("sqlite:") {
        let folder = std::path::Path::new(folder);
        parley_core::store::prepare_data_dir(folder)
            .map_err(|e| StartError(format!("The data folder {}: {e}", folder.display())))?;
        parley_core::startup::open(folder).await
    } else {
        return Err(StartError(format!(
            "The database must be postgres://user@host/name or sqlite:FOLDER, not {url:?}."
        )));
    };
    opened.map_err(|e| StartError(format!("Could not open the database: {e}")))
}

/// The TLS a server on `config` uses: what it was given, or plain HTTP
/// on loopback and behind a proxy, or else a self-signed certificate in
/// its data folder. Plain HTTP where a network could listen in is never
/// chosen: passwords and tokens would cross it readable.
pub fn effective_tls(config: &Config) -> Result<Tls, StartError> {
    if config.tls != Tls::Off || config.listen.ip().is_loopback() || config.behind_proxy {
        return Ok(config.tls.clone());
    }
    match &config.data {
        Some(data) => Ok(Tls::SelfSigned {
            folder: data.join("tls"),
        }),
        None => Err(StartError(format!(
            "Refusing to serve plain HTTP on {}: passwords and session tokens would cross the \
             network readable. Give --data FOLDER for a self-signed certificate made there, \
             --tls-cert and --tls-key for your own, or listen on 127.0.0.1 behind a reverse \
             proxy that terminates TLS and pass --behind-proxy.",
            config.listen
        ))),
    }
}

/// The names a self-signed certificate is made for.
fn certificate_names(config: &Config) -> Vec<String> {
    let mut names = vec!["localhost".to_owned()];
    if !config.listen.ip().is_unspecified() {
        names.push(config.listen.ip().to_string());
    }
    if let Ok(host) = std::fs::read_to_string("/etc/hostname") {
        let host = host.trim();
        if !host.is_empty() {
            names.push(host.to_owned());
        }
    }
    names
}

/// A server that is listening.
#[derive(Debug)]
pub struct Listening {
    pub addr: SocketAddr,
    pub setup_code: Option<String>,
    /// The certificate served, if any (its fingerprint, and whether it
    /// was made at this start).
    pub tls: Option<tls::Loaded>,
    listener: TcpListener,
    state: AppState,
}

/// Opens the store, makes a setup code if the server has no account, and
/// binds the listener; [`Listening::serve`] then answers requests.
pub async fn start(config: Config) -> Result<Listening, StartError> {
    let tls = tls::load(&effective_tls(&config)?, &certificate_names(&config))?;
    let store = open_store(&config).await?;
    // Something to read and talk about on a new server, as on a new
    // desktop; a library that has articles is left alone.
    parley_core::samples::add_samples_if_empty(&store)
        .await
        .map_err(|e| StartError(format!("Could not add the sample articles: {e}")))?;
    let setup_code = membership::new_setup_code(&store)
        .await
        .map_err(|e| StartError(format!("Could not prepare the setup code: {e}")))?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| StartError(format!("Could not listen on {}: {e}", config.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError(format!("Could not listen on {}: {e}", config.listen)))?;
    let state = AppState::new(store, config)
        .map_err(|e| StartError(format!("Could not start the library's fetcher: {e}")))?;
    Ok(Listening {
        addr,
        setup_code,
        tls,
        listener,
        state,
    })
}

impl Listening {
    /// Whether logs are JSON lines (what the server prints itself follows).
    pub fn log_json(&self) -> bool {
        self.state.config.log_json
    }

    /// Answers requests until `shutdown` completes, then finishes the
    /// requests under way and closes the database.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let store = self.state.store.clone();
        let live = self.state.live.clone();
        // Event streams never end by themselves: end them when stopping,
        // so the requests under way can finish.
        let shutdown = async move {
            shutdown.await;
            live.stop();
        };
        let app = router(self.state);
        let served = match self.tls {
            None => {
                let app = app.into_make_service_with_connect_info::<SocketAddr>();
                axum::serve(self.listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
            Some(loaded) => serve_tls(self.listener, app, loaded, shutdown).await,
        };
        store.close().await;
        served
    }
}

/// How long a stopping server waits for the connections still open.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Answers HTTPS on `listener` until `shutdown`, then waits for the
/// connections still open (a while, not for ever).
async fn serve_tls(
    listener: TcpListener,
    app: axum::Router,
    loaded: tls::Loaded,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;

    let acceptor = tokio_rustls::TlsAcceptor::from(loaded.config);
    let (stopping, _) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, say: wait a moment, go on.
                Err(e) => {
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let acceptor = acceptor.clone();
        let app = app
            .clone()
            .layer(axum::Extension(axum::extract::ConnectInfo(peer)));
        let mut stop = stopping.subscribe();
        connections.spawn(async move {
            // A handshake that fails (a port scan, plain HTTP) ends here.
            let Ok(Ok(stream)) = tokio::time::timeout(DRAIN, acceptor.accept(tcp)).await else {
                return;
            };
            let builder = Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(app),
            );
            tokio::pin!(connection);
            let stopping = tokio::select! {
                _ = connection.as_mut() => false,
                stopped = stop.wait_for(|s| *s) => stopped.is_ok(),
            };
            if stopping {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
        });
        // Forget connections that have finished.
        while connections.try_join_next().is_some() {}
    }
    stopping.send_replace(true);
    let _ = tokio::time::timeout(DRAIN, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn stop_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
