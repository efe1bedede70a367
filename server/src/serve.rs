//! Starting a server: opening its database (migrations run here), the
//! setup code while it has no account, the listener, and stopping
//! cleanly on Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;

use parley_core::clock::SystemClock;
use parley_core::membership;
use parley_core::store::Store;
use tokio::net::TcpListener;

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

/// Refuses to serve plain HTTP anywhere a network could listen in, unless
/// a reverse proxy in front says it encrypts.
pub fn check_listen_address(config: &Config) -> Result<(), StartError> {
    if config.listen.ip().is_loopback() || config.behind_proxy {
        return Ok(());
    }
    Err(StartError(format!(
        "Refusing to serve plain HTTP on {}: passwords and session tokens would cross the \
         network unencrypted. Listen on 127.0.0.1 behind a reverse proxy that terminates TLS \
         and pass --behind-proxy, or listen on loopback only.",
        config.listen
    )))
}

/// A server that is listening.
#[derive(Debug)]
pub struct Listening {
    pub addr: SocketAddr,
    pub setup_code: Option<String>,
    listener: TcpListener,
    state: AppState,
}

/// Opens the store, makes a setup code if the server has no account, and
/// binds the listener; [`Listening::serve`] then answers requests.
pub async fn start(config: Config) -> Result<Listening, StartError> {
    check_listen_address(&config)?;
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
    let state = AppState::new(store, config);
    Ok(Listening {
        addr,
        setup_code,
        listener,
        state,
    })
}

impl Listening {
    /// Answers requests until `shutdown` completes, then finishes the
    /// requests under way and closes the database.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let store = self.state.store.clone();
        let live = self.state.live.clone();
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, app)
            .with_graceful_shutdown(async move {
                shutdown.await;
                // Event streams never end by themselves: end them, so
                // the requests under way can finish.
                live.stop();
            })
            .await;
        store.close().await;
        served
    }
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
