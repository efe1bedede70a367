//! Live updates: each process follows the database's event backlog
//! (`parley_core::events`) and hands every new event to the event streams
//! of the clients connected to it.
//!
//! The process learns of new events from PostgreSQL's `NOTIFY` (so a
//! change made through any process reaches the readers of all of them),
//! and also looks every second whatever it heard, so a lost notification
//! or a dropped listening connection delays an event by a second at most
//! and never loses it. On SQLite, one process, it looks four times a
//! second.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event as Sse, KeepAlive};
use futures_util::Stream;
use parley_core::events::{self, Event};
use parley_core::store::Store;
use tokio::sync::broadcast;

/// How many events a slow stream may fall behind before it catches up
/// from the database instead.
const FAN_OUT_BUFFER: usize = 1024;

/// The longest wait between two looks at the backlog.
const LOOK_EVERY: Duration = Duration::from_secs(1);
const LOOK_EVERY_SQLITE: Duration = Duration::from_millis(250);

/// An event as every stream sends it: written as JSON once, however many
/// streams carry it (with a thousand readers, writing it for each was
/// most of the server's work; scripts/load).
#[derive(Debug)]
struct Written {
    id: i64,
    json: String,
}

impl Written {
    fn of(event: &Event) -> Option<Arc<Self>> {
        match serde_json::to_string(event) {
            Ok(json) => Some(Arc::new(Self { id: event.id, json })),
            Err(e) => {
                tracing::error!("an event could not be written: {e}");
                None
            }
        }
    }
}

/// This process's feed of new events.
#[derive(Debug, Clone)]
pub struct Live {
    sender: broadcast::Sender<Arc<Written>>,
    /// Becomes true when the server stops: every stream ends then, so
    /// that stopping waits for no reader.
    stopping: tokio::sync::watch::Sender<bool>,
}

impl Live {
    /// Starts following the backlog of `store` (on PostgreSQL at
    /// `database_url`, listening for notifications there).
    pub fn start(store: Store, database_url: &str) -> Self {
        let (sender, _) = broadcast::channel(FAN_OUT_BUFFER);
        let (stopping, _) = tokio::sync::watch::channel(false);
        let live = Self { sender, stopping };
        let url = database_url.to_owned();
        let follower = live.sender.clone();
        tokio::spawn(async move { follow(store, url, follower).await });
        live
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Written>> {
        self.sender.subscribe()
    }

    /// Ends every event stream: the server is stopping.
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }
}

async fn follow(store: Store, url: String, sender: broadcast::Sender<Arc<Written>>) {
    let mut last = match events::latest(&store).await {
        Ok(id) => id,
        Err(e) => {
            tracing::error!("cannot read the event backlog: {e:?}");
            0
        }
    };
    let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let mut listener = None;
    loop {
        if postgres {
            if listener.is_none() {
                listener = listen(&url).await;
            }
            match listener.as_mut() {
                Some(l) => {
                    if let Ok(Err(e)) = tokio::time::timeout(LOOK_EVERY, l.recv()).await {
                        tracing::warn!("listening for events stopped ({e}); looking every second");
                        listener = None;
                    }
                }
                None => tokio::time::sleep(LOOK_EVERY).await,
            }
        } else {
            tokio::time::sleep(LOOK_EVERY_SQLITE).await;
        }
        match events::since(&store, last).await {
            Ok(since) => {
                for event in since.events {
                    last = last.max(event.id);
                    // No receivers is fine: nobody is watching.
                    if let Some(written) = Written::of(&event) {
                        let _ = sender.send(written);
                    }
                }
            }
            Err(e) => tracing::warn!("cannot read the event backlog: {e:?}"),
        }
    }
}

async fn listen(url: &str) -> Option<sqlx::postgres::PgListener> {
    let mut listener = match sqlx::postgres::PgListener::connect(url).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!("cannot listen for events ({e}); looking every second");
            return None;
        }
    };
    match listener.listen(events::CHANNEL).await {
        Ok(()) => Some(listener),
        Err(e) => {
            tracing::warn!("cannot listen for events ({e}); looking every second");
            None
        }
    }
}

/// Where a stream is, between two of its events.
struct Position {
    store: Store,
    receiver: broadcast::Receiver<Arc<Written>>,
    /// The last event sent to this client.
    last: i64,
    /// Events read but not sent yet.
    ready: VecDeque<Sse>,
    stopping: tokio::sync::watch::Receiver<bool>,
    /// Counts the stream as open while it lasts.
    _open: crate::ops::OpenStream,
}

impl Position {
    /// Reads what the backlog has after `last`. A client further behind
    /// than the backlog reaches is told to reload (`reset`).
    async fn catch_up(&mut self) -> Result<(), parley_core::Error> {
        loop {
            let since = events::since(&self.store, self.last).await?;
            if since.gap {
                self.ready
                    .push_back(Sse::default().event("reset").data("{}"));
            }
            let full = since.events.len() >= events::MAX_BATCH as usize;
            for event in &since.events {
                if let Some(written) = Written::of(event) {
                    self.push(&written);
                }
            }
            if !full {
                return Ok(());
            }
        }
    }

    fn push(&mut self, event: &Written) {
        if event.id <= self.last {
            return;
        }
        self.last = event.id;
        self.ready.push_back(
            Sse::default()
                .event("change")
                .id(event.id.to_string())
                .data(&event.json),
        );
    }

    async fn next(mut self) -> Option<(Result<Sse, Infallible>, Self)> {
        loop {
            if let Some(sse) = self.ready.pop_front() {
                return Some((Ok(sse), self));
            }
            let received = tokio::select! {
                received = self.receiver.recv() => received,
                _ = self.stopping.wait_for(|stopping| *stopping) => return None,
            };
            match received {
                Ok(event) => self.push(&event),
                // Fell behind the fan-out: the database has it all.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    if let Err(e) = self.catch_up().await {
                        tracing::warn!("a stream could not catch up: {e}");
                        return None;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

/// A client's stream of events after `after` (its Last-Event-ID), or from
/// now on. It opens with `ready`, carrying the newest event id, then
/// sends each change as a `change` event whose id is the event's.
pub async fn stream(
    live: &Live,
    store: Store,
    after: Option<i64>,
    open: crate::ops::OpenStream,
) -> Result<impl Stream<Item = Result<Sse, Infallible>>, parley_core::Error> {
    // Subscribe before reading the backlog, so nothing falls between.
    let receiver = live.subscribe();
    let newest = events::latest(&store).await?;
    let mut position = Position {
        store,
        receiver,
        last: after.unwrap_or(newest).min(newest),
        ready: VecDeque::new(),
        stopping: live.stopping.subscribe(),
        _open: open,
    };
    position.ready.push_back(
        Sse::default()
            .event("ready")
            .data(format!("{{\"latest\":{newest}}}")),
    );
    match after {
        // An id this database never gave: the client knew another one
        // (restored from a backup, say) and must reload.
        Some(after) if after > newest => {
            position
                .ready
                .push_back(Sse::default().event("reset").data("{}"));
        }
        Some(_) => position.catch_up().await?,
        None => {}
    }
    Ok(futures_util::stream::unfold(position, Position::next))
}

/// The keep-alive comment every event stream sends while quiet, so that
/// proxies keep it open and a client notices a dead connection.
pub fn keep_alive() -> KeepAlive {
    KeepAlive::new().interval(Duration::from_secs(15))
}
