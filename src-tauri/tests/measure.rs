//! Measurements of the build people run, under the same Xvfb software
//! rendering as the end-to-end tests: launch time and idle memory beside an
//! empty Tauri 2 app built the same way, and reading and scrolling a
//! 10,000-comment thread and a 50,000-article library.
//!
//! Not part of `cargo test` (the target has `test = false`): timings on a
//! shared CI machine would only be noise. `scripts/measure` builds both
//! release binaries and runs this, one test at a time; the README's
//! benchmark section shows what it printed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a measuring harness: a panic is a failed run"
)]
#![allow(
    clippy::print_stdout,
    reason = "the rows of the README's table go to standard output"
)]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use parley_core::clock::{Clock, SystemClock};
use parley_core::ids::ArticleId;
use serde_json::json;
use support::{seed_with_clock, App, Driver};

/// Launches of each app; the median is reported.
const LAUNCHES: usize = 9;
/// How long an app rests after launch before its memory is read.
const SETTLE: Duration = Duration::from_secs(5);
const COMMENTS: usize = 10_000;
const ARTICLES: usize = 50_000;
/// How far each frame scrolls: about a window's height, as when a reader
/// drags the scroll bar or flicks hard through a long page.
const SCROLL_STEP: u32 = 700;

fn empty_app() -> PathBuf {
    let path = std::env::var_os("PARLEY_MEASURE_EMPTY_APP")
        .map(PathBuf::from)
        .expect("PARLEY_MEASURE_EMPTY_APP names the empty Tauri app (scripts/measure sets it)");
    assert!(path.is_file(), "no empty app at {}", path.display());
    path
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Proportional set size of these processes together, in MiB: shared
/// pages (WebKit's libraries) are split between the processes using them,
/// so the sum is what this app adds to the machine.
fn pss_mib(pids: &[u32]) -> f64 {
    let kib: u64 = pids
        .iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok())
        .filter_map(|rollup| {
            rollup
                .lines()
                .find_map(|line| line.strip_prefix("Pss:"))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
        })
        .sum();
    kib as f64 / 1024.0
}

/// When a process started, in milliseconds since the Unix epoch (to the
/// kernel's 10 ms clock ticks).
fn started_at(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let (_, tail) = stat.rsplit_once(')').unwrap();
    // Field 22, start time in ticks since boot; `tail` begins at field 3.
    let ticks: f64 = tail.split_whitespace().nth(19).unwrap().parse().unwrap();
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    (now - uptime + ticks / 100.0) * 1000.0
}

/// Runs `script` in the page until it returns a number, and returns it;
/// fails, naming `what`, after 15 s.
async fn number_from_page(
    app: &App,
    script: &str,
    args: Vec<serde_json::Value>,
    what: &str,
) -> f64 {
    let started = Instant::now();
    loop {
        let value = app.client.execute(script, args.clone()).await.unwrap();
        if let Some(number) = value.as_f64() {
            return number;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "never saw {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// When the page first showed `entry` (a paint or a mark), in
/// milliseconds since the Unix epoch.
async fn shown_at(app: &App, entry: &str) -> f64 {
    number_from_page(
        app,
        "const e = performance.getEntriesByName(arguments[0])[0]; \
         return e ? performance.timeOrigin + e.startTime : null;",
        vec![json!(entry)],
        entry,
    )
    .await
}

/// One launch: milliseconds from the process starting to the library
/// painted (`shown`: the page's paint or mark that says so), and memory
/// after resting.
async fn launch_once(binary: &Path, shown: &str, data: &Path) -> (f64, f64) {
    let driver = Driver::start(data);
    let app = driver.launch_binary(binary).await;
    let painted = shown_at(&app, shown).await;
    let pids = driver.app_processes();
    let launch = painted - started_at(pids[0]);
    let page = app
        .client
        .execute(
            "const r = (x) => Math.round(x || 0); \
             const n = performance.getEntriesByType('navigation')[0] || {}; \
             return { html: r(n.responseEnd), interactive: r(n.domInteractive), loaded: r(n.loadEventEnd), \
               marks: performance.getEntriesByType('mark').map((m) => [m.name, r(m.startTime)]), \
               paint: performance.getEntriesByType('paint').map((p) => [p.name, r(p.startTime)]), \
               calls: performance.getEntriesByType('measure').map((m) => [m.name.replace('parley:call:', ''), r(m.startTime), r(m.startTime + m.duration)]) };",
            vec![],
        )
        .await
        .unwrap();
    eprintln!("measure:   the page (ms from navigation start): {page}");
    let navigation = number_from_page(
        &app,
        "return performance.timeOrigin;",
        vec![],
        "the navigation's start",
    )
    .await;
    eprintln!(
        "measure:   navigation started {:.0} ms after the process",
        navigation - started_at(pids[0])
    );
    tokio::time::sleep(SETTLE).await;
    let memory = pss_mib(&pids);
    for pid in &pids {
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        eprintln!("measure:   {:.1} MiB {}", pss_mib(&[*pid]), comm.trim());
    }
    app.quit().await;
    // The next launch on this folder must not find this one still there
    // (it would hand over to it and exit).
    let quitting = Instant::now();
    let running = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            !stat
                .rsplit_once(") ")
                .is_some_and(|(_, rest)| rest.starts_with('Z'))
        })
    };
    while running(pids[0]) {
        assert!(
            quitting.elapsed() < Duration::from_secs(10),
            "the app did not exit"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (launch, memory)
}

#[tokio::test]
async fn launch_and_idle_memory_beside_an_empty_tauri_app() {
    let empty = empty_app();
    let parley = support::app_binary();
    let (mut empty_launch, mut empty_memory) = (Vec::new(), Vec::new());
    let (mut parley_launch, mut parley_memory) = (Vec::new(), Vec::new());
    let mut parley_again = Vec::new();
    // Every later start: a data folder Parley has opened before (its
    // migrations run and its samples added once, at the warm-up launch).
    let used = tempfile::tempdir().unwrap();
    launch_once(&parley, "parley:library-shown", used.path()).await;
    for round in 0..LAUNCHES {
        // Taking turns spreads whatever else the machine does over both.
        let dir = tempfile::tempdir().unwrap();
        let (launch, memory) = launch_once(&empty, "first-contentful-paint", dir.path()).await;
        eprintln!("measure: empty app, launch {round}: {launch:.0} ms, {memory:.1} MiB");
        empty_launch.push(launch);
        empty_memory.push(memory);

        // A person's first start: a new data folder, the sample articles.
        let dir = tempfile::tempdir().unwrap();
        let (launch, memory) = launch_once(&parley, "parley:library-shown", dir.path()).await;
        eprintln!("measure: Parley, launch {round}: {launch:.0} ms, {memory:.1} MiB");
        parley_launch.push(launch);
        parley_memory.push(memory);

        let (launch, _) = launch_once(&parley, "parley:library-shown", used.path()).await;
        eprintln!("measure: Parley again, launch {round}: {launch:.0} ms");
        parley_again.push(launch);
    }
    let (el, pl) = (median(&mut empty_launch), median(&mut parley_launch));
    let (em, pm) = (median(&mut empty_memory), median(&mut parley_memory));
    let pa = median(&mut parley_again);
    println!("table: | First launch (a new data folder): process start to the library painted, median of {LAUNCHES} | {pl:.0} ms | {el:.0} ms | {:.2}× |", pl / el);
    println!("table: | Later launches (a data folder used before), median of {LAUNCHES} | {pa:.0} ms | {el:.0} ms | {:.2}× |", pa / el);
    println!(
        "table: | Memory at rest, app and WebKit processes (PSS) | {pm:.0} MiB | {em:.0} MiB | {:.2}× |",
        pm / em
    );
}

/// Scrolls the page from top to bottom, one step a frame, until `total`
/// items of the list `selector` are loaded and the end is in view; returns
/// every frame's gap in milliseconds. The scrolling runs in the page, so
/// nothing outside it (WebDriver calls) competes with the frames measured.
async fn scroll_through(app: &App, selector: &str, total: usize) -> Vec<f64> {
    app.client
        .execute(
            "const [selector, total, step] = arguments; \
             window.__probe = { frames: [], events: [], done: false }; \
             let last = performance.now(); let seen = ''; \
             const tick = (t) => { \
               window.__probe.frames.push(t - last); last = t; \
               const list = document.querySelector(selector); \
               const loaded = list ? Number(list.dataset.loaded) : 0; \
               const now = loaded + '/' + (list ? list.childElementCount : 0); \
               window.__probe.events.push(now === seen ? '' : now); seen = now; \
               const bottom = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2; \
               if (loaded >= total && bottom) { window.__probe.done = true; return; } \
               window.scrollBy(0, step); requestAnimationFrame(tick); }; \
             requestAnimationFrame(tick);",
            vec![json!(selector), json!(total), json!(SCROLL_STEP)],
        )
        .await
        .unwrap();
    let started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let done = app
            .client
            .execute("return window.__probe.done;", vec![])
            .await
            .unwrap();
        if done == json!(true) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "still scrolling after 15 minutes"
        );
    }
    let frames = app
        .client
        .execute("return window.__probe.frames;", vec![])
        .await
        .unwrap();
    let frames: Vec<f64> = serde_json::from_value(frames).unwrap();
    let events = app
        .client
        .execute("return window.__probe.events;", vec![])
        .await
        .unwrap();
    let events: Vec<String> = serde_json::from_value(events).unwrap();
    // What the page did during each long frame: a page of items arriving,
    // or the slice of items in the page moving ("loaded/in the page").
    for (i, gap) in frames.iter().enumerate().skip(1) {
        if *gap > 50.0 {
            let what = events.get(i).map(String::as_str).unwrap_or_default();
            eprintln!("measure:   frame {i}: {gap:.0} ms {what}");
        }
    }
    frames
}

/// Count, median, 99th percentile and longest of the frame gaps (the first
/// is left out: it spans the time before the probe started).
fn frame_stats(what: &str, mut frames: Vec<f64>) {
    frames.remove(0);
    frames.sort_by(f64::total_cmp);
    let at = |q: f64| frames[((frames.len() as f64 * q) as usize).min(frames.len() - 1)];
    let longest = frames.last().copied().unwrap_or_default();
    let over = frames.iter().filter(|&&f| f > 50.0).count();
    eprintln!(
        "measure: {what}: {} frames, median {:.1} ms, 99th percentile {:.1} ms, longest {longest:.1} ms, {over} over 50 ms",
        frames.len(),
        at(0.5),
        at(0.99)
    );
    println!(
        "table: | {what}: 99th-percentile frame | {:.0} ms | | |",
        at(0.99)
    );
    println!("table: | {what}: longest frame | {longest:.0} ms | | |");
}

/// Milliseconds from a click on `link` to the first frame in which
/// `selector` matches, timed in the page.
async fn click_to_frame(app: &App, link: &str, selector: &str) -> f64 {
    app.client
        .execute(
            "const selector = arguments[0]; window.__shown = null; window.__clicked = null; \
             document.addEventListener('click', () => { window.__clicked = performance.now(); }, \
               { capture: true, once: true }); \
             const look = (t) => { \
               if (window.__clicked !== null && document.querySelector(selector)) { window.__shown = t; return; } \
               requestAnimationFrame(look); }; \
             requestAnimationFrame(look);",
            vec![json!(selector)],
        )
        .await
        .unwrap();
    app.wait_for(link).await.click().await.unwrap();
    number_from_page(
        app,
        "return window.__shown === null ? null : window.__shown - window.__clicked;",
        vec![],
        selector,
    )
    .await
}

#[tokio::test]
async fn a_thread_of_ten_thousand_comments() {
    let data = tempfile::tempdir().unwrap();
    let article = support::seed_long_thread(data.path(), COMMENTS, 4, &[]).await;

    let driver = Driver::start(data.path());
    let app = driver.launch().await;
    let link = format!("//a[normalize-space()={}]", support::lit(&article.title));
    let first = click_to_frame(&app, &link, "ol[aria-label=\"Discussion\"] article").await;
    eprintln!("measure: first comment on screen {first:.0} ms after the click");
    println!(
        "table: | 10,000-comment thread: click to the first comments on screen | {first:.0} ms | | |"
    );
    app.see_comment_count(COMMENTS).await;
    let frames = scroll_through(&app, "ol[aria-label=\"Discussion\"]", COMMENTS).await;
    frame_stats("10,000-comment thread, scrolled to the end", frames);
    app.quit().await;
}

/// A 20,000-word article whose discussion is about 500 of its passages:
/// click to its marks in the margin, then frames while scrolling it.
#[tokio::test]
async fn a_long_article_with_five_hundred_marks() {
    let data = tempfile::tempdir().unwrap();
    let title = support::seed_discussed_article(data.path(), 500).await;
    let driver = Driver::start(data.path());
    let app = driver.launch().await;
    let link = format!("//a[normalize-space()={}]", support::lit(&title));
    let first = click_to_frame(
        &app,
        &link,
        "ul[aria-label=\"Discussed passages\"] li:nth-child(500)",
    )
    .await;
    eprintln!("measure: 500 marks on screen {first:.0} ms after the click");
    println!("table: | Article with 500 marks: click to every mark shown | {first:.0} ms | | |");
    let frames = scroll_through(&app, "ul[aria-label=\"Discussed passages\"]", 500).await;
    frame_stats("Article with 500 marks, scrolled to the end", frames);
    app.quit().await;
}

/// Adds the articles and returns how many the library holds now.
async fn insert_library(db_file: &Path) -> usize {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    let newest = SystemClock.now() - 3_600_000;
    for i in 0..ARTICLES as i64 {
        let id = ArticleId::new();
        sqlx::query(
            "INSERT INTO articles (id, title, source, author, published_at, summary, body_html,
                                   body_text, created_at, origin)
             VALUES (?, ?, ?, 'Someone', ?, 'A summary of an ordinary length, as feeds send.',
                     '<p>Body.</p>', 'Body.', ?, 'feed')",
        )
        .bind(id)
        .bind(format!("Article number {i} of the big library"))
        .bind(format!("Feed {}", i % 40))
        .bind(newest - i * 60_000)
        .bind(newest)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query("INSERT INTO article_tags (article_id, tag) VALUES (?, ?)")
            .bind(id)
            .bind(["news", "science", "city"][(i % 3) as usize])
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM articles")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    usize::try_from(total).unwrap()
}

#[tokio::test]
async fn a_library_of_fifty_thousand_articles() {
    let data = tempfile::tempdir().unwrap();
    seed_with_clock(data.path(), 60, |_, _| async {}).await;
    let total = insert_library(&data.path().join("parley.db")).await;

    let driver = Driver::start(data.path());
    let app = driver.launch().await;
    let painted = shown_at(&app, "parley:library-shown").await;
    let launch = painted - started_at(driver.app_processes()[0]);
    eprintln!("measure: launch to the first of 50,000 articles on screen: {launch:.0} ms");
    println!(
        "table: | 50,000-article library: process start to the first articles painted | {launch:.0} ms | | |"
    );

    // Open the newest article, then come back to the library.
    app.wait_for("//ol[@aria-label='Articles']//article//a")
        .await
        .click()
        .await
        .unwrap();
    app.wait_for("//article//h1").await;
    let back = click_to_frame(
        &app,
        "//nav//a[normalize-space()='Library']",
        "ol[aria-label=\"Articles\"] article",
    )
    .await;
    eprintln!("measure: back to the library in {back:.0} ms");
    println!(
        "table: | 50,000-article library: click to the library on screen | {back:.0} ms | | |"
    );

    let frames = scroll_through(&app, "ol[aria-label=\"Articles\"]", total).await;
    frame_stats("50,000-article library, scrolled to the end", frames);
    app.quit().await;
}
