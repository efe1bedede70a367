//! A real parley-server on 127.0.0.1 for each test, on a database of its
//! own (a SQLite data folder, or a new PostgreSQL database when
//! `PARLEY_TEST_ENGINE=postgres`), and a plain HTTP/1.1 client that sends
//! exactly the bytes a test asks for, malformed ones included.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a panic is a failed test; each test file uses some of them"
)]

use std::net::SocketAddr;

use parley_server::serve;
use parley_server::Config;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const ENGINE_ENV: &str = "PARLEY_TEST_ENGINE";

/// A password long enough for an admin.
pub fn password_for(username: &str) -> String {
    format!("{username} correct horse battery")
}

/// A running server and what the test needs to reach it.
pub struct TestServer {
    pub addr: SocketAddr,
    pub setup_code: Option<String>,
    /// The database URL, for a second server on it.
    pub database: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts a server whose settings `adjust` changes first.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = match std::env::var(ENGINE_ENV).as_deref() {
            Err(_) | Ok("") | Ok("sqlite") => format!("sqlite:{}", dir.path().display()),
            Ok("postgres") => new_server_database().await,
            Ok(other) => panic!("{ENGINE_ENV}={other}: the engines are sqlite and postgres"),
        };
        Self::start_on(database, dir, adjust).await
    }

    /// A server someone else started (a `parley-server` process) at
    /// `addr`; stopping it is theirs to do.
    pub fn at(addr: SocketAddr) -> Self {
        Self {
            addr,
            setup_code: None,
            database: String::new(),
            stop: None,
            task: None,
            _dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A second server process on this one's database, as a group with
    /// two server processes has.
    pub async fn another_on_the_same_database(&self) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self::start_on(self.database.clone(), dir, |_| {}).await
    }

    async fn start_on(
        database: String,
        dir: tempfile::TempDir,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = Config::new(database.clone(), SocketAddr::from(([127, 0, 0, 1], 0)));
        adjust(&mut config);
        let listening = serve::start(config).await.unwrap();
        let addr = listening.addr;
        let setup_code = listening.setup_code.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(listening.serve(async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            setup_code,
            database,
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    /// Stops the server, letting requests under way finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    /// Sends `method path` with `body` (sent as it is, as JSON) and the
    /// session `token`, if any.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Reply {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if let Some(token) = token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        if let Some(body) = body {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        let mut raw = head.into_bytes();
        raw.extend_from_slice(body.unwrap_or_default().as_bytes());
        self.send_raw(&raw).await
    }

    /// Sends `raw` bytes as they are and reads the whole answer.
    pub async fn send_raw(&self, raw: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        let wrote = stream.write_all(raw).await;
        let mut answer = Vec::new();
        let read = stream.read_to_end(&mut answer).await;
        // A server may answer (a 413 for a body over the limit) and close
        // before all of a large body is sent: then writing fails with a
        // broken pipe, and the answer already received is what counts.
        if answer.is_empty() {
            wrote.unwrap();
            read.unwrap();
        }
        Reply::parse(&answer)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send("GET", path, token, None).await
    }

    pub async fn json(&self, method: &str, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(method, path, token, Some(&body.to_string()))
            .await
    }

    /// Makes the first account (the admin) with the setup code; returns
    /// its token.
    pub async fn set_up(&self, username: &str) -> Signed {
        let code = self
            .setup_code
            .clone()
            .expect("a new server has a setup code");
        self.join(username, "setupCode", &code).await
    }

    /// Has `admin` invite `username`, who joins; returns their session.
    pub async fn invite(&self, admin: &Signed, username: &str) -> Signed {
        let invite = self
            .json(
                "POST",
                "/api/v1/invites",
                Some(&admin.token),
                json!({"days": 7}),
            )
            .await;
        invite.assert_status(201);
        let code = invite.body["code"].as_str().unwrap().to_owned();
        self.join(username, "invite", &code).await
    }

    /// Makes the account `username` with `code` as its `ticket` field
    /// ("setupCode" or "invite").
    async fn join(&self, username: &str, ticket: &str, code: &str) -> Signed {
        let mut body = json!({
            "username": username,
            "displayName": display_name(username),
            "password": password_for(username),
        });
        body[ticket] = json!(code);
        let reply = self.json("POST", "/api/v1/accounts", None, body).await;
        reply.assert_status(201);
        Signed::from(&reply)
    }

    /// Signs `username` in again: a second session.
    pub async fn sign_in(&self, username: &str) -> Signed {
        let reply = self
            .json(
                "POST",
                "/api/v1/sessions",
                None,
                json!({"username": username, "password": password_for(username)}),
            )
            .await;
        reply.assert_status(201);
        Signed::from(&reply)
    }

    /// The first article of the library.
    pub async fn first_article(&self) -> String {
        let page = self.json("POST", "/api/v1/library", None, json!({})).await;
        page.assert_status(200);
        page.body["articles"][0]["id"].as_str().unwrap().to_owned()
    }

    /// An event stream from now on, past its opening `ready` event.
    pub async fn listening(&self) -> Events {
        let mut events = self.events(None).await;
        let first = events
            .next_within(std::time::Duration::from_secs(1))
            .await
            .expect("a ready event within a second");
        assert_eq!(first.name, "ready");
        events
    }

    /// The first page of `article`'s discussion, as a reader signed out
    /// reads it.
    pub async fn thread(&self, article: &str) -> Reply {
        let path = format!("/api/v1/articles/{article}/thread");
        self.json("POST", &path, None, json!({})).await
    }

    /// Posts `body` on `article` (under `parent`) as `who`; returns its id.
    pub async fn post(
        &self,
        who: &Signed,
        article: &str,
        parent: Option<&str>,
        body: &str,
    ) -> String {
        let reply = self
            .json(
                "POST",
                &format!("/api/v1/articles/{article}/comments"),
                Some(&who.token),
                json!({"id": new_id(), "parentId": parent, "body": body}),
            )
            .await;
        reply.assert_status(201);
        reply.body["id"].as_str().unwrap().to_owned()
    }
}

/// A client's open event stream.
pub struct Events {
    stream: TcpStream,
    buffer: String,
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub id: Option<String>,
    pub data: Value,
}

impl TestServer {
    /// Opens the event stream, resuming after `last_event_id` if given.
    pub async fn events(&self, last_event_id: Option<&str>) -> Events {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        let mut head = format!(
            "GET /api/v1/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n",
            self.addr
        );
        if let Some(id) = last_event_id {
            head.push_str(&format!("Last-Event-ID: {id}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut events = Events {
            stream,
            buffer: String::new(),
        };
        events.fill_until("\r\n\r\n").await;
        let (status, rest) = events.buffer.split_once("\r\n\r\n").unwrap();
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        assert!(
            status.to_ascii_lowercase().contains("text/event-stream"),
            "{status}"
        );
        events.buffer = rest.to_owned();
        events
    }
}

impl Events {
    async fn fill_until(&mut self, marker: &str) {
        let mut chunk = [0u8; 4096];
        while !self.buffer.contains(marker) {
            let n = self.stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the event stream closed");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    }

    /// The next event (keep-alive comments skipped), waiting at most
    /// `within`; `None` if none came.
    pub async fn next_within(&mut self, within: std::time::Duration) -> Option<Event> {
        tokio::time::timeout(within, self.next()).await.ok()
    }

    async fn next(&mut self) -> Event {
        loop {
            self.fill_until("\n\n").await;
            let (block, rest) = self.buffer.split_once("\n\n").unwrap();
            let block = block.to_owned();
            self.buffer = rest.to_owned();
            let (mut name, mut id, mut data) = (None, None, String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = Some(v.trim().to_owned());
                } else if let Some(v) = line.strip_prefix("id:") {
                    id = Some(v.trim().to_owned());
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim());
                }
            }
            if let Some(name) = name {
                return Event {
                    name,
                    id,
                    data: serde_json::from_str(&data).unwrap_or(Value::Null),
                };
            }
        }
    }
}

/// "ada" → "Ada".
pub fn display_name(username: &str) -> String {
    let mut chars = username.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A new comment id, as a client chooses one.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A signed-in client.
#[derive(Debug, Clone)]
pub struct Signed {
    pub token: String,
    pub session_id: String,
    pub user_id: String,
}

impl From<&Reply> for Signed {
    fn from(reply: &Reply) -> Self {
        Self {
            token: reply.body["token"].as_str().unwrap().to_owned(),
            session_id: reply.body["sessionId"].as_str().unwrap().to_owned(),
            user_id: reply.body["user"]["id"].as_str().unwrap().to_owned(),
        }
    }
}

/// An answer, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
    /// The body as JSON (`Null` when empty or not JSON).
    pub body: Value,
}

impl Reply {
    fn parse(raw: &[u8]) -> Self {
        let text = String::from_utf8_lossy(raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {text:?}"));
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let chunked = headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
        let body = if chunked {
            unchunk(body)
        } else {
            body.to_owned()
        };
        Self {
            status,
            headers,
            body: serde_json::from_str(&body).unwrap_or(Value::Null),
            text: body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) {
        assert_eq!(self.status, status, "{}", self.text);
    }

    /// Asserts a `{ kind, message }` error of `status` and `kind`, with a
    /// message for a person and nothing else in the body.
    #[track_caller]
    pub fn assert_error(&self, status: u16, kind: &str) {
        self.assert_status(status);
        let object = self
            .body
            .as_object()
            .unwrap_or_else(|| panic!("{}", self.text));
        assert_eq!(object.len(), 2, "{}", self.text);
        assert_eq!(self.body["kind"], kind, "{}", self.text);
        let message = self.body["message"].as_str().unwrap();
        assert!(!message.is_empty());
        for inside in ["sqlx", "panicked", "src/", "SQLITE", "postgres", "thread '"] {
            assert!(!message.contains(inside), "{message}");
        }
    }
}

fn unchunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(after.get(..size).unwrap_or(after));
        rest = after.get(size + 2..).unwrap_or("");
    }
    out
}

/// A new, empty database on the PostgreSQL server the `PG*` variables
/// name (as `pg_virtualenv` sets them), and its address. A missing server
/// fails the test with what to install.
pub async fn new_server_database() -> String {
    use sqlx::Connection;
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(host) = var("PGHOST") else {
        panic!(
            "{ENGINE_ENV}=postgres needs a PostgreSQL server: PGHOST, PGPORT, PGUSER and \
             PGPASSWORD name it. ./scripts/test starts a throw-away one with pg_virtualenv \
             (Debian's postgresql package: apt-get install postgresql)."
        )
    };
    let port = var("PGPORT").unwrap_or_else(|| "5432".into());
    let user = var("PGUSER").unwrap_or_else(|| "postgres".into());
    let password = var("PGPASSWORD").unwrap_or_default();
    let name = format!("parley_server_test_{}", uuid::Uuid::now_v7().simple());
    let at = |db: &str| {
        format!(
            "postgres://localhost/{db}?host={}&port={port}&user={user}&password={password}",
            host.replace('/', "%2F")
        )
    };
    let mut admin = sqlx::PgConnection::connect(&at("postgres"))
        .await
        .unwrap_or_else(|e| panic!("connecting to PostgreSQL at {host}:{port}: {e}"));
    sqlx::query(&format!(
        "CREATE DATABASE {name} ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.unwrap();
    at(&name)
}
