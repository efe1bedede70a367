//! Following a server's event stream (`GET /api/v1/events`) for as long as
//! this window is connected: each change is passed on to the page, and a
//! dropped stream is opened again by itself, resuming after the last
//! event it had, so nothing that happened meanwhile is missed.

use std::sync::Arc;
use std::time::Duration;

use parley_core::events::Event;
use serde::Serialize;
use tauri::async_runtime::{spawn, JoinHandle};
use tokio::sync::broadcast;

use super::client::{Link, Server};

/// What the page hears about the server it is connected to.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum News {
    /// The server answers again, or has stopped answering.
    Link { online: bool },
    /// Something changed on the server.
    Change { event: Event },
    /// The server cannot say what changed since this window last heard
    /// (it was away too long, or the server's database was replaced):
    /// whatever is on screen should be read again.
    Reload,
}

/// How long a stream may stay silent (the server sends a keep-alive
/// every 15 seconds) before it counts as dropped.
const SILENT_LIMIT: Duration = Duration::from_secs(40);
/// Waits between attempts to reach the server again: short at first,
/// since a restart takes a second or two, then no longer than this.
const FIRST_RETRY: Duration = Duration::from_millis(250);
const LONGEST_RETRY: Duration = Duration::from_secs(3);

/// The follower of one server's events; stops when dropped.
#[derive(Debug)]
pub struct Live {
    news: broadcast::Sender<News>,
    tasks: [JoinHandle<()>; 3],
}

impl Drop for Live {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Live {
    pub fn follow(server: Arc<Server>) -> Self {
        let (news, _) = broadcast::channel(256);
        // Every change of the link, from calls as well as the stream,
        // reaches the page.
        let relay = {
            let news = news.clone();
            let mut link = server.watch_link();
            spawn(async move {
                while link.changed().await.is_ok() {
                    let online = *link.borrow_and_update() == Link::Online;
                    let _ = news.send(News::Link { online });
                }
            })
        };
        let prober = spawn(probe(Arc::clone(&server)));
        let follower = spawn(follow(server, news.clone()));
        Self {
            news,
            tasks: [follower, relay, prober],
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<News> {
        self.news.subscribe()
    }
}

/// While the server is marked offline, asks it what it is every little
/// while, so that the window learns it is back even when nothing else
/// would tell it: a server whose database was away answered 503 while
/// its event stream stayed open, and that stream has nothing to say.
async fn probe(server: Arc<Server>) {
    let mut link = server.watch_link();
    loop {
        if link.wait_for(|l| *l == Link::Offline).await.is_err() {
            return;
        }
        let mut wait = FIRST_RETRY;
        while server.link() == Link::Offline {
            tokio::time::sleep(wait).await;
            // Its answer, or its absence, sets the link.
            if let Err(e) = server.about().await {
                log::debug!("the server is still away: {e}");
            }
            wait = (wait * 2).min(LONGEST_RETRY);
        }
    }
}

/// One `event:`/`id:`/`data:` block of the stream, as far as Parley uses it.
#[derive(Debug, Default)]
struct Block {
    event: String,
    id: Option<i64>,
    data: String,
}

async fn follow(server: Arc<Server>, news: broadcast::Sender<News>) {
    let mut last: Option<i64> = None;
    let mut wait = FIRST_RETRY;
    loop {
        match stream(&server, &news, &mut last, &mut wait).await {
            Ok(()) => log::info!("the event stream ended; opening it again"),
            Err(why) => log::debug!("the event stream: {why}"),
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(LONGEST_RETRY);
    }
}

/// Reads one stream until it ends. `last` is the newest event id passed on.
async fn stream(
    server: &Server,
    news: &broadcast::Sender<News>,
    last: &mut Option<i64>,
    wait: &mut Duration,
) -> Result<(), String> {
    let mut url = server.url("/api/v1/events").map_err(|e| e.to_string())?;
    if let Some(last) = last {
        url.set_query(Some(&format!("after={last}")));
    }
    let mut request = server
        .http()
        .get(url)
        .header(reqwest::header::ACCEPT, "text/event-stream");
    if let Some(token) = server.token() {
        request = request.bearer_auth(token);
    }
    let mut response = match request.send().await {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => {
            // A session that ended is no reason to stop listening: read
            // as nobody until someone signs in again.
            if r.status() == reqwest::StatusCode::UNAUTHORIZED {
                server.forget_session();
            }
            // 503: the server is up but cannot serve yet (its database is
            // away); anything else is an answer, so the link is up.
            server.set_link(if r.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE {
                Link::Offline
            } else {
                Link::Online
            });
            return Err(format!("HTTP {}", r.status()));
        }
        Err(e) => {
            server.set_link(Link::Offline);
            return Err(e.to_string());
        }
    };
    let mut pending = Vec::<u8>::new();
    let mut block = Block::default();
    loop {
        let chunk = match tokio::time::timeout(SILENT_LIMIT, response.chunk()).await {
            Ok(Ok(Some(chunk))) => chunk,
            Ok(Ok(None)) => return Ok(()),
            Ok(Err(e)) => {
                server.set_link(Link::Offline);
                return Err(e.to_string());
            }
            Err(_) => {
                server.set_link(Link::Offline);
                return Err("silent for too long".into());
            }
        };
        pending.extend_from_slice(&chunk);
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                let done = std::mem::take(&mut block);
                dispatch(server, news, done, last, wait);
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => value.clone_into(&mut block.event),
                "id" => block.id = value.parse().ok(),
                "data" => {
                    if !block.data.is_empty() {
                        block.data.push('\n');
                    }
                    block.data.push_str(value);
                }
                _ => {}
            }
        }
    }
}

fn dispatch(
    server: &Server,
    news: &broadcast::Sender<News>,
    block: Block,
    last: &mut Option<i64>,
    wait: &mut Duration,
) {
    match block.event.as_str() {
        "ready" => {
            server.set_link(Link::Online);
            *wait = FIRST_RETRY;
            if last.is_none() {
                #[derive(serde::Deserialize)]
                struct Ready {
                    latest: i64,
                }
                *last = serde_json::from_str::<Ready>(&block.data)
                    .ok()
                    .map(|r| r.latest);
            }
        }
        "change" => match serde_json::from_str::<Event>(&block.data) {
            Ok(event) => {
                *last = Some(block.id.unwrap_or(event.id).max(last.unwrap_or(0)));
                let _ = news.send(News::Change { event });
            }
            Err(e) => log::warn!("an event from the server was not understood: {e}"),
        },
        "reset" => {
            *last = None;
            let _ = news.send(News::Reload);
        }
        _ => {}
    }
}
