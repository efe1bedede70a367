//! Driving the real Parley binary in a real window: tauri-driver in front of
//! WebKitWebDriver, under the X display the test command provides (Xvfb).
//! Elements are found the way a person finds them: by label and button text.
#![allow(
    dead_code,
    reason = "each end-to-end test uses a different part of this"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test harness"
)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MouseActions, PointerAction, MOUSE_BUTTON_LEFT,
};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// Fills a data folder before the app starts, through parley-core itself,
/// on a clock standing `minutes_ago` in the past (so seeded comments are
/// old enough to be past the edit grace window, for example).
pub async fn seed_with_clock<F, Fut>(dir: &Path, minutes_ago: i64, fill: F)
where
    F: FnOnce(parley_core::store::Store, std::sync::Arc<parley_core::clock::ManualClock>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use parley_core::clock::{Clock, ManualClock, SystemClock};
    let clock = ManualClock::starting_at(SystemClock.now() - minutes_ago * 60_000);
    let store = parley_core::startup::open_with_clock(dir, clock.clone())
        .await
        .unwrap();
    parley_core::samples::add_samples_if_empty(&store)
        .await
        .unwrap();
    fill(store.clone(), clock).await;
    store.close().await;
}

/// Fills `dir` with the sample library, `people`, and "Prolific Writer"
/// who wrote `count` comments on the second sample article, in chains of
/// `chain` (see [`insert_chains`]); returns that article.
pub async fn seed_long_thread(
    dir: &Path,
    count: usize,
    chain: usize,
    people: &'static [Person],
) -> parley_core::articles::ArticleSummary {
    let seeded = std::sync::Arc::new(std::sync::Mutex::new(None));
    let slot = seeded.clone();
    seed_with_clock(dir, 60, |store, _| async move {
        for person in people {
            seed_account(&store, *person).await;
        }
        let writer =
            seed_account(&store, ("writer", "Prolific Writer", "ten thousand words")).await;
        let article = parley_core::articles::list_articles(&store, None)
            .await
            .unwrap()
            .swap_remove(1);
        *slot.lock().unwrap() = Some((article, writer));
    })
    .await;
    let (article, writer) = seeded.lock().unwrap().take().unwrap();
    insert_chains(&dir.join("parley.db"), article.id, writer.id, count, chain).await;
    article
}

/// Writes `count` comments by `writer` on `article` straight into the
/// database file, in one transaction: chains of `chain` (a comment, then
/// replies each to the one before), a second apart from twelve hours ago.
/// Comment n reads "Comment n: a short remark about the article." Posting
/// thousands one durable transaction at a time would take minutes and test
/// nothing the large-thread tests are about.
pub async fn insert_chains(
    db_file: &Path,
    article: parley_core::ids::ArticleId,
    writer: parley_core::ids::UserId,
    count: usize,
    chain: usize,
) {
    use parley_core::clock::{Clock, SystemClock};
    use parley_core::ids::CommentId;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    let start = SystemClock.now() - 12 * 3_600_000;
    let mut parent: Option<CommentId> = None;
    for n in 0..count {
        if n % chain == 0 {
            parent = None;
        }
        let id = CommentId::new();
        let body = format!("Comment {n}: a *short* remark about the article.");
        sqlx::query(
            "INSERT INTO comments (id, article_id, parent_id, author_id, body, body_html, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(article)
        .bind(parent)
        .bind(writer)
        .bind(&body)
        .bind(parley_core::render::render_markdown(&body))
        .bind(start + n as i64 * 1000)
        .execute(&mut *tx)
        .await
        .unwrap();
        parent = Some(id);
    }
    tx.commit().await.unwrap();
    pool.close().await;
}

/// Fills `dir` with the sample library and "A long article" of 20,000
/// words (200 paragraphs) whose discussion is about `passages` of its
/// passages, five words each, one comment on each, posted through
/// parley-core; returns the article's title.
pub async fn seed_discussed_article(dir: &Path, passages: usize) -> String {
    seed_with_clock(dir, 60, |store, _| async move {
        let writer =
            seed_account(&store, ("writer", "Prolific Writer", "ten thousand words")).await;
        let body: Vec<String> = (0..200)
            .map(|p| {
                let words: Vec<String> = (0..100).map(|w| format!("w{p}x{w}")).collect();
                format!("{}.", words.join(" "))
            })
            .collect();
        let markdown = format!(
            "---\ntitle: A long article\nauthor: Benchmarks\n---\n\n{}\n",
            body.join("\n\n")
        );
        let imported = parley_core::library::files::import(
            &store,
            None,
            &writer,
            "long.md",
            markdown.as_bytes(),
        )
        .await
        .unwrap();
        let shown = parley_core::articles::article(&store, imported.article_id)
            .await
            .unwrap();
        let text = parley_core::passages::text::of_html(&shown.body_html);
        let chars: Vec<char> = text.chars().collect();
        let starts: Vec<usize> = std::iter::once(0)
            .chain(
                chars
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.is_whitespace())
                    .map(|(i, _)| i + 1),
            )
            .collect();
        let every = (starts.len() / passages.max(1)).max(6);
        for i in 0..passages {
            let (Some(&start), Some(&next)) = (starts.get(i * every), starts.get(i * every + 5))
            else {
                break;
            };
            let end = next - 1;
            let passage = parley_core::passages::NewPassage {
                version: shown.version,
                start: start as u32,
                end: end as u32,
                quote: chars.get(start..end).unwrap_or_default().iter().collect(),
            };
            parley_core::comments::post_about(
                &store,
                &writer,
                imported.article_id,
                &passage,
                "On these words.",
                parley_core::ids::CommentId::new(),
            )
            .await
            .unwrap();
        }
    })
    .await;
    "A long article".to_owned()
}

/// Someone to seed: (username, display name, password).
pub type Person = (&'static str, &'static str, &'static str);

/// Creates `who`'s account through parley-core, as signing up would.
pub async fn seed_account(
    store: &parley_core::store::Store,
    who: Person,
) -> parley_core::accounts::User {
    parley_core::accounts::create_account(
        store,
        parley_core::accounts::NewAccount {
            username: who.0.into(),
            display_name: who.1.into(),
            password: who.2.into(),
        },
    )
    .await
    .unwrap()
}

/// Captures the window (at the screen's top left) as
/// `target/screenshots/<name>`, for the README.
pub fn capture(name: &str) -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../screenshots");
    std::fs::create_dir_all(&out).unwrap();
    let file = out.join(name);
    let status = Command::new("import")
        .args(["-window", "root", "-crop", "1100x800+0+0", "+repage"])
        .arg(&file)
        .status()
        .expect("`import` runs (sudo apt-get install imagemagick; ./scripts/test does)");
    assert!(status.success(), "import failed to capture the screen");
    assert!(
        std::fs::metadata(&file).unwrap().len() > 10_000,
        "the capture is not empty"
    );
    eprintln!("e2e: screenshot written to {}", file.display());
    file
}

/// How long to wait for something a person would see "at once".
const PATIENCE: Duration = Duration::from_secs(15);

/// The Parley binary the tests drive: the one this build made, or the one
/// `PARLEY_E2E_APP` names (to run today's tests against another build,
/// such as an installed package or an earlier commit's binary).
pub fn app_binary() -> PathBuf {
    std::env::var_os("PARLEY_E2E_APP")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_parley")))
}

/// Fails the test, naming what to install, when a tool is missing.
pub fn require_tool(name: &str, install: &str) {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{name}` is not on PATH. Install it with: {install} (./scripts/test does this)"
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running tauri-driver, stopped with SIGTERM when dropped (SIGKILL would
/// leave WebKitWebDriver behind, holding its port).
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// Starts tauri-driver; every app it launches keeps its data in `data_dir`.
    pub fn start(data_dir: &Path) -> Self {
        Self::start_with_env(data_dir, &[])
    }

    /// [`Driver::start`], with more environment for the apps it launches
    /// (such as `BROWSER`).
    pub fn start_with_env(data_dir: &Path, env: &[(&str, &str)]) -> Self {
        require_tool(
            "tauri-driver",
            "cargo install tauri-driver --version '^2' --locked",
        );
        require_tool("WebKitWebDriver", "sudo apt-get install webkit2gtk-driver");
        require_tool("Xvfb", "sudo apt-get install xvfb");
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no X display: run the end-to-end tests under `xvfb-run -a` (./scripts/test does)"
        );
        let port = free_port();
        let child = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &free_port().to_string(),
            ])
            .env("PARLEY_DATA_DIR", data_dir)
            // The window's remembered size and the log belong to this test,
            // not to whoever runs it.
            .env("XDG_CONFIG_HOME", data_dir.join("xdg-config"))
            .env("XDG_DATA_HOME", data_dir.join("xdg-data"))
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < PATIENCE,
                "tauri-driver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port }
    }

    /// Launches Parley and opens a WebDriver session on its window.
    pub async fn launch(&self) -> App {
        self.launch_binary(&app_binary()).await
    }

    /// Launches any Tauri app whose page has a "Library" heading (Parley,
    /// or the empty app `scripts/measure` compares it with).
    pub async fn launch_binary(&self, binary: &Path) -> App {
        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), json!({ "application": binary }));
        let started = Instant::now();
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a WebDriver session on Parley's window");
        let app = App { client };
        app.wait_for("//h1[normalize-space()='Library']").await;
        eprintln!(
            "e2e: the library was on screen {:?} after launch",
            started.elapsed()
        );
        app
    }
}

impl Driver {
    /// The processes of the launched app: everything tauri-driver started
    /// below WebKitWebDriver (the app and its WebKit web and network
    /// processes).
    pub fn app_processes(&self) -> Vec<u32> {
        let mut parents: Vec<(u32, u32, String)> = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            // `pid (comm) state ppid ...`; comm may hold spaces.
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            let Some((head, tail)) = stat.rsplit_once(')') else {
                continue;
            };
            let comm = head.split_once('(').map(|(_, c)| c).unwrap_or_default();
            let ppid = tail.split_whitespace().nth(1).and_then(|p| p.parse().ok());
            if let Some(ppid) = ppid {
                parents.push((pid, ppid, comm.to_owned()));
            }
        }
        let mut found = vec![self.child.id()];
        let mut at = 0;
        while let Some(&parent) = found.get(at) {
            found.extend(parents.iter().filter(|p| p.1 == parent).map(|p| p.0));
            at += 1;
        }
        found
            .into_iter()
            .filter(|pid| {
                parents.iter().any(|(p, _, comm)| {
                    p == pid && comm != "tauri-driver" && comm != "WebKitWebDriver"
                })
            })
            .collect()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
    }
}

/// One running Parley window.
pub struct App {
    pub client: Client,
}

/// The comment in the discussion whose text is exactly `text`.
pub fn comment_with(text: &str) -> String {
    format!(
        "//ol[@aria-label='Discussion']//article[.//*[normalize-space()={}]]",
        lit(text)
    )
}

/// An XPath string literal for any text (XPath 1.0 has no escapes).
pub fn lit(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

impl App {
    /// Presses and releases one key, as typed on the keyboard (it goes to
    /// whatever has focus).
    pub async fn press(&self, key: char) {
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(keys).await.unwrap();
    }

    /// Quits the app (ends the WebDriver session, which closes the window).
    pub async fn quit(self) {
        self.client.close().await.unwrap();
    }

    pub async fn wait_for(&self, xpath: &str) -> Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            // fantoccini looks every 250 ms by default: too coarse to time
            // what a person sees "at once".
            .every(Duration::from_millis(20))
            .for_element(Locator::XPath(xpath))
            .await
            .unwrap_or_else(|e| panic!("never saw {xpath}: {e}"))
    }

    /// Waits until nothing matches `xpath`.
    pub async fn wait_gone(&self, xpath: &str) {
        let started = Instant::now();
        while !self
            .client
            .find_all(Locator::XPath(xpath))
            .await
            .unwrap()
            .is_empty()
        {
            assert!(started.elapsed() < PATIENCE, "{xpath} is still there");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn all(&self, xpath: &str) -> Vec<Element> {
        self.client.find_all(Locator::XPath(xpath)).await.unwrap()
    }

    /// The button a person would press, by its visible text, inside `scope`
    /// (an XPath prefix such as `//*[@role='dialog']`, or "").
    pub async fn button_in(&self, scope: &str, name: &str) -> Element {
        self.wait_for(&format!("{scope}//button[normalize-space()={}]", lit(name)))
            .await
    }

    pub async fn click(&self, name: &str) {
        self.button_in("", name).await.click().await.unwrap();
    }

    pub async fn click_in(&self, scope: &str, name: &str) {
        self.button_in(scope, name).await.click().await.unwrap();
    }

    /// The input or text area whose <label> reads `label`.
    pub async fn field(&self, label: &str) -> Element {
        self.wait_for(&format!(
            "//*[@id=//label[normalize-space()={}]/@for]",
            lit(label)
        ))
        .await
    }

    pub async fn fill(&self, label: &str, text: &str) {
        let field = self.field(label).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Waits for visible text anywhere in the window.
    pub async fn see(&self, text: &str) -> Element {
        self.wait_for(&format!(
            "//*[text()[contains(normalize-space(.), {})]]",
            lit(text)
        ))
        .await
    }

    /// The "Comments (N)" heading's N, once it reads `n`.
    pub async fn see_comment_count(&self, n: usize) {
        self.wait_for(&format!("//h2[normalize-space()='Comments ({n})']"))
            .await;
    }

    /// Creates an account through the header's "Create account" button.
    pub async fn create_account(&self, username: &str, display_name: &str, password: &str) {
        self.click_in("//nav[@aria-label='Account']", "Create account")
            .await;
        self.fill("Username", username).await;
        self.fill("Display name", display_name).await;
        self.fill("Password", password).await;
        self.click_in("//*[@role='dialog']", "Create account").await;
        self.wait_signed_in_as(display_name).await;
    }

    pub async fn sign_in(&self, username: &str, password: &str) {
        self.click_in("//nav[@aria-label='Account']", "Sign in")
            .await;
        self.fill("Username", username).await;
        self.fill("Password", password).await;
        self.click_in("//*[@role='dialog']", "Sign in").await;
    }

    pub async fn wait_signed_in_as(&self, display_name: &str) {
        self.wait_for(&format!(
            "//nav[@aria-label='Account']//strong[normalize-space()={}]",
            lit(display_name)
        ))
        .await;
    }

    pub async fn sign_out(&self) {
        self.click_in("//nav[@aria-label='Account']", "Sign out")
            .await;
        self.wait_for("//nav[@aria-label='Account']//button[normalize-space()='Sign in']")
            .await;
    }

    /// Selects `words` of the article's body with the mouse: presses just
    /// inside their first letter and drags to just inside their last.
    pub async fn select_with_mouse(&self, words: &str) {
        let rect = self
            .client
            .execute(
                "const [words] = arguments;
                 const body = document.querySelector('.reader .body');
                 const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
                 for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                   const at = n.data.indexOf(words);
                   if (at < 0) continue;
                   n.parentElement.scrollIntoView({ block: 'center' });
                   const first = document.createRange();
                   first.setStart(n, at); first.setEnd(n, at + 1);
                   const last = document.createRange();
                   last.setStart(n, at + words.length - 1); last.setEnd(n, at + words.length);
                   const a = first.getBoundingClientRect(), b = last.getBoundingClientRect();
                   return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
                 }
                 return null;",
                vec![serde_json::json!(words)],
            )
            .await
            .unwrap();
        let [x0, y0, x1, y1]: [f64; 4] =
            serde_json::from_value(rect).expect("the words are in the article");
        let drag = MouseActions::new("mouse".into())
            .then(PointerAction::MoveTo {
                duration: None,
                x: x0,
                y: y0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::MoveTo {
                duration: Some(Duration::from_millis(150)),
                x: x1,
                y: y1,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.client.perform_actions(drag).await.unwrap();
        self.client.release_actions().await.unwrap();
    }

    /// Opens the article whose headline is `title` from the library.
    pub async fn open_article(&self, title: &str) {
        self.wait_for(&format!("//a[normalize-space()={}]", lit(title)))
            .await
            .click()
            .await
            .unwrap();
        self.wait_for(&format!("//h1[normalize-space()={}]", lit(title)))
            .await;
    }

    /// The n-th (0-based) comment by `author` in the discussion.
    pub fn comment_by(author: &str, n: usize) -> String {
        format!(
            "(//ol[@aria-label='Discussion']//article[@aria-label={}])[{}]",
            lit(&format!("Comment by {author}")),
            n + 1
        )
    }

    /// Replies to a comment (an XPath from [`App::comment_by`]).
    pub async fn reply_to(&self, comment: &str, author: &str, text: &str) {
        self.click_in(comment, "Reply").await;
        self.fill(&format!("Reply to {author}"), text).await;
        self.click("Post reply").await;
    }

    /// The discussion as (author, depth, text) in the order shown.
    pub async fn discussion(&self) -> Vec<(String, u32, String)> {
        let mut out = Vec::new();
        for comment in self.all("//ol[@aria-label='Discussion']//article").await {
            let label = comment
                .attr("aria-label")
                .await
                .unwrap()
                .unwrap_or_default();
            let depth = comment
                .attr("data-depth")
                .await
                .unwrap()
                .unwrap_or_default();
            let body = comment
                .find(Locator::Css(".comment-body"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            out.push((
                label.trim_start_matches("Comment by ").to_owned(),
                depth.parse().unwrap(),
                body,
            ));
        }
        out
    }
}

/// axe-core's browser build, installed with the UI's npm packages.
pub fn axe_source() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}): install the UI's packages with `cd ui && npm ci` \
             (./scripts/test does)",
            path.display()
        )
    })
}

/// Runs axe on the page as it is now; returns the serious and critical
/// violations, one line each, and how many rules passed.
#[allow(
    clippy::indexing_slicing,
    reason = "axe's answer has these keys; a panic is a failed test"
)]
pub async fn audit(app: &App, axe: &str) -> (Vec<String>, usize) {
    use serde_json::Value;
    let loaded = app
        .client
        .execute(&format!("{axe}\nreturn typeof window.axe;"), vec![])
        .await
        .unwrap();
    assert_eq!(loaded, json!("object"), "axe-core did not load");
    let script = r#"
        const done = arguments[arguments.length - 1];
        window.axe
          .run(document, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
          })
          .then((r) => done({
            passes: r.passes.length,
            violations: r.violations.map((v) => ({
              id: v.id,
              impact: v.impact,
              help: v.help,
              nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
            })),
          }))
          .catch((e) => done({ error: String(e) }));
    "#;
    let result = app.client.execute_async(script, vec![]).await.unwrap();
    assert!(result.get("error").is_none(), "axe failed: {result}");
    let serious = result["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v: &Value| {
            format!(
                "{} ({}): {} at {}",
                v["id"].as_str().unwrap_or_default(),
                v["impact"].as_str().unwrap_or_default(),
                v["help"].as_str().unwrap_or_default(),
                v["nodes"]
            )
        })
        .collect();
    (serious, result["passes"].as_u64().unwrap_or(0) as usize)
}
