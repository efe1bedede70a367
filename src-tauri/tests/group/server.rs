//! The parley-server processes the group tests run, on the PostgreSQL
//! cluster the `PG*` variables name, and that cluster stopped and started.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support;

/// The parley-server binary of this build (cargo builds it for the
/// workspace's tests), beside the test's own executable.
fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let binary = dir.join("parley-server");
    assert!(
        binary.is_file(),
        "{} is missing: build it with `cargo build -p parley-server` (./scripts/test does)",
        binary.display()
    );
    binary
}

/// A new database on the PostgreSQL server the `PG*` variables name.
pub fn new_database() -> String {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let host = var("PGHOST").unwrap_or_else(|| {
        panic!(
            "this test needs a PostgreSQL server named by PGHOST, PGPORT, PGUSER and \
             PGPASSWORD: run it under pg_virtualenv (./scripts/test does; Debian's \
             postgresql package has it: apt-get install postgresql)"
        )
    });
    support::require_tool("createdb", "sudo apt-get install postgresql");
    static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("parley_group_{}_{n}", std::process::id());
    let made = Command::new("createdb")
        .args(["-E", "UTF8", "-l", "C.UTF-8", "-T", "template0", &name])
        .status()
        .unwrap();
    assert!(made.success(), "createdb {name} failed");
    let port = var("PGPORT").unwrap_or_else(|| "5432".into());
    let user = var("PGUSER").unwrap_or_else(|| "postgres".into());
    let password = var("PGPASSWORD").unwrap_or_default();
    format!(
        "postgres://localhost/{name}?host={}&port={port}&user={user}&password={password}",
        host.replace('/', "%2F")
    )
}

/// The server process, started on a fixed port so that it comes back at
/// the same address.
pub struct ServerProcess {
    child: Child,
    pub port: u16,
    database: String,
    data: tempfile::TempDir,
}

impl ServerProcess {
    pub fn start(database: String) -> (Self, Option<String>) {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let data = tempfile::tempdir().unwrap();
        let mut server = Self {
            child: Command::new("true").spawn().unwrap(),
            port,
            database,
            data,
        };
        let code = server.spawn();
        (server, code)
    }

    /// Starts the process; returns the setup code it printed, if any.
    pub fn spawn(&mut self) -> Option<String> {
        let mut child = Command::new(server_binary())
            .args(["--database", &self.database])
            .args(["--listen", &format!("127.0.0.1:{}", self.port)])
            .arg("--data")
            .arg(self.data.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (lines, heard) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("parley-server: {line}");
                let _ = lines.send(line);
            }
        });
        self.child = child;
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "parley-server did not listen on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        // The setup code comes before the server listens.
        let mut code = None;
        while let Ok(line) = heard.recv_timeout(Duration::from_millis(300)) {
            let line = line.trim();
            if !line.is_empty() && !line.contains(' ') && line.contains('-') {
                code = Some(line.to_owned());
            }
        }
        code
    }

    /// Sends SIGKILL after `delay`, from another thread.
    pub fn kill_soon(&self, delay: Duration) -> std::thread::JoinHandle<()> {
        let pid = self.child.id().to_string();
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            let killed = Command::new("kill").args(["-KILL", &pid]).status().unwrap();
            assert!(killed.success(), "kill -KILL {pid}");
        })
    }

    /// Waits for the killed process to be gone.
    pub fn reap(&mut self) {
        self.child.wait().unwrap();
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Value) -> Value {
        // Plain HTTP on loopback; reqwest still wants a TLS provider chosen.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::new();
        let mut request = client
            .request(method.parse().unwrap(), self.url(path))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// The texts of the comments on an article, as a signed-out reader
    /// of the server sees them.
    pub async fn comment_texts(&self, article: &str) -> Vec<String> {
        let page = self
            .call(
                "POST",
                &format!("/api/v1/articles/{article}/thread"),
                None,
                json!({ "limit": 200 }),
            )
            .await;
        page["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["bodyHtml"].as_str().unwrap().to_owned())
            .collect()
    }
}

impl ServerProcess {
    /// Asserts that the article's discussion, read through this process,
    /// holds exactly `texts`, each once.
    pub async fn assert_each_once(&self, article: &str, texts: &[&str]) {
        let on_server = self.comment_texts(article).await;
        for text in texts {
            let times = on_server.iter().filter(|c| c.contains(text)).count();
            assert_eq!(
                times, 1,
                "{text:?} is on the server {times} times: {on_server:?}"
            );
        }
        assert_eq!(on_server.len(), texts.len(), "{on_server:?}");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Stops (`"stop"`, cutting every connection at once, as a crash or a
/// failover does) or starts the PostgreSQL cluster this run's `PG*`
/// variables point at: the one `pg_virtualenv` made for it.
pub fn postgres(action: &str) {
    support::require_tool("pg_ctlcluster", "sudo apt-get install postgresql");
    let port = std::env::var("PGPORT").expect("PGPORT, which pg_virtualenv exports");
    let listed = Command::new("pg_lsclusters").arg("-h").output().unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    let cluster: Vec<String> = listed
        .lines()
        .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .find(|f| f.get(2) == Some(&port))
        .unwrap_or_else(|| panic!("no cluster on port {port} in:\n{listed}"));
    let mut command = Command::new("pg_ctlcluster");
    command.args([&cluster[0], &cluster[1], action]);
    if action == "stop" {
        command.args(["-m", "fast"]);
    }
    let status = command.status().unwrap();
    assert!(status.success(), "pg_ctlcluster {action}: {status}");
}
