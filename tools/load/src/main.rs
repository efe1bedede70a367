//! `parley-load`: a bounded load test for parley-server, on 127.0.0.1 only.
//!
//! `parley-load seed --database URL` fills a new database (PostgreSQL or
//! `sqlite:FOLDER`) before the server starts: the people who will post,
//! and articles with discussions of up to 10,000 comments.
//!
//! `parley-load run --server http://127.0.0.1:PORT[,…] --pid PID[,…]`
//! then, against servers started on that database with `--behind-proxy`
//! (each simulated person comes from an address of their own, as members
//! of a group do, so the per-address limits apply to each):
//!   - opens the readers' event streams and waits until each is ready;
//!   - for a fixed time (at most two minutes), posts comments and reads
//!     thread pages at fixed rates, each request sent on its tick whether
//!     or not earlier ones have answered (so a slow server is not asked
//!     less);
//!   - reports p50, p99 and the longest time for posting, for a page read
//!     and for fan-out (a comment sent to the moment every stream has its
//!     event), the errors, and the servers' CPU and memory.
//!
//! It stops by itself, and refuses any address but 127.0.0.1 or [::1].
#![allow(
    clippy::indexing_slicing,
    clippy::print_stdout,
    reason = "a measuring tool, not Parley: its indices are taken modulo lists it checked are not \
              empty, and its table goes to standard output"
)]

mod seed;
mod tally;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use uuid::Uuid;

use tally::{cpu_seconds, resident_mib, FanOut, Tally};

/// The most a run may last.
const LONGEST_RUN: Duration = Duration::from_secs(120);
/// How long the last posts' events may take to reach every stream.
const FAN_OUT_GRACE: Duration = Duration::from_secs(5);

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn fail(message: impl Into<String>) -> Failure {
    message.into().into()
}

/// `--key value` pairs after the subcommand.
struct Args(HashMap<String, String>);

impl Args {
    fn read(args: impl Iterator<Item = String>) -> Result<Self, Failure> {
        let mut map = HashMap::new();
        let mut args = args.peekable();
        while let Some(key) = args.next() {
            let key = key
                .strip_prefix("--")
                .ok_or_else(|| fail(format!("expected --option, not {key:?}")))?
                .to_owned();
            let value = args
                .next()
                .ok_or_else(|| fail(format!("--{key} needs a value")))?;
            map.insert(key, value);
        }
        Ok(Self(map))
    }

    fn text(&self, key: &str) -> Result<&str, Failure> {
        self.0
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| fail(format!("--{key} is needed")))
    }

    fn number(&self, key: &str, default: u64) -> Result<u64, Failure> {
        match self.0.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| fail(format!("--{key} is a number, not {v:?}"))),
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let outcome = match Args::read(args) {
        Err(e) => Err(e),
        Ok(args) => match command.as_str() {
            "seed" => seed::seed(&args).await,
            "run" => run(&args).await,
            _ => Err(fail(
                "usage: parley-load seed --database URL | run --server URL[,URL] --pid PID[,PID]",
            )),
        },
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("parley-load: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The name and password of simulated person `n`.
fn person(n: u64) -> (String, String) {
    (
        format!("reader{n:03}"),
        format!("reader {n} has a long password"),
    )
}

/// The address simulated person `n` comes from (a documentation range;
/// it only ever travels in X-Forwarded-For to a server on 127.0.0.1).
fn address_of(n: u64) -> String {
    format!("198.51.100.{}", 1 + n % 250)
}

fn loopback_only(url: &str) -> Result<(), Failure> {
    let ok = ["http://127.0.0.1:", "http://[::1]:"]
        .iter()
        .any(|p| url.starts_with(p));
    if ok {
        Ok(())
    } else {
        Err(fail(format!(
            "{url}: the load test sends traffic only to http://127.0.0.1 or http://[::1]"
        )))
    }
}

async fn run(args: &Args) -> Result<(), Failure> {
    let servers: Vec<String> = args
        .text("server")?
        .split(',')
        .map(|s| s.trim_end_matches('/').to_owned())
        .collect();
    for s in &servers {
        loopback_only(s)?;
    }
    let pids: Vec<u32> = args
        .text("pid")?
        .split(',')
        .map(|p| p.parse().map_err(|_| fail(format!("--pid {p:?}"))))
        .collect::<Result<_, _>>()?;
    let seconds = Duration::from_secs(args.number("seconds", 60)?);
    if seconds > LONGEST_RUN {
        return Err(fail("--seconds is at most 120"));
    }
    let readers = args.number("readers", 1000)?;
    let posts_per_second = args.number("posts", 100)?.max(1);
    let reads_per_second = args.number("reads", 200)?.max(1);
    let people = args.number("people", 100)?.max(1);
    let label = args.text("label").unwrap_or("run").to_owned();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .timeout(Duration::from_secs(30))
        .build()?;
    let server_of = |n: u64| servers[usize::try_from(n).unwrap_or(0) % servers.len()].clone();

    // Every person signs in (through the process they will use).
    let mut tokens = Vec::new();
    for n in 0..people {
        let (username, password) = person(n);
        let reply: Value = http
            .post(format!("{}/api/v1/sessions", server_of(n)))
            .header("x-forwarded-for", address_of(n))
            .header("content-type", "application/json")
            .body(json!({"username": username, "password": password}).to_string())
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await
            .map(|b| serde_json::from_slice(&b))??;
        let token = reply["token"]
            .as_str()
            .ok_or_else(|| fail(format!("signing in {n}: {reply}")))?;
        tokens.push(token.to_owned());
    }
    let library: Value = http
        .post(format!("{}/api/v1/library", servers[0]))
        .header("content-type", "application/json")
        .body(json!({"limit": 100}).to_string())
        .send()
        .await?
        .bytes()
        .await
        .map(|b| serde_json::from_slice(&b))??;
    let articles: Vec<String> = library["articles"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|x| x["source"] == "Load test")
                .filter_map(|x| x["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if articles.is_empty() {
        return Err(fail("no load-test articles: run `parley-load seed` first"));
    }

    // The readers' streams, spread over the processes.
    let fan_out = Arc::new(FanOut::default());
    let ready = Arc::new(AtomicU64::new(0));
    let dropped = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(tokio::sync::Notify::new());
    let mut streams = Vec::new();
    for n in 0..readers {
        let url = format!("{}/api/v1/events", server_of(n));
        let (http, fan_out, ready, dropped, stop) = (
            http.clone(),
            fan_out.clone(),
            ready.clone(),
            dropped.clone(),
            stop.clone(),
        );
        streams.push(tokio::spawn(async move {
            let response = match http
                .get(url)
                .header("accept", "text/event-stream")
                .timeout(LONGEST_RUN * 2)
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => r,
                _ => {
                    dropped.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            };
            follow(response, &fan_out, &ready, &dropped, &stop).await;
        }));
        if n % 100 == 99 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let opening = Instant::now();
    while ready.load(Ordering::Relaxed) + dropped.load(Ordering::Relaxed) < readers {
        if opening.elapsed() > Duration::from_secs(60) {
            return Err(fail("the event streams did not all open within a minute"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "parley-load: {} streams open in {:.1?}; running {label} for {seconds:?}",
        ready.load(Ordering::Relaxed),
        opening.elapsed()
    );

    let posting = Arc::new(Tally::default());
    let reading = Arc::new(Tally::default());
    let cpu_before: Vec<f64> = pids.iter().map(|&p| cpu_seconds(p)).collect();
    let own_before = cpu_seconds(std::process::id());
    let started = Instant::now();
    let peak_memory = Arc::new(Mutex::new(vec![0.0f64; pids.len()]));
    let watcher = {
        let (peak, pids) = (peak_memory.clone(), pids.clone());
        tokio::spawn(async move {
            loop {
                if let Ok(mut peak) = peak.lock() {
                    for (i, &pid) in pids.iter().enumerate() {
                        if let Some(p) = peak.get_mut(i) {
                            *p = p.max(resident_mib(pid));
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        })
    };

    let mut post_tick =
        tokio::time::interval(Duration::from_secs(1) / u32::try_from(posts_per_second)?);
    let mut read_tick =
        tokio::time::interval(Duration::from_secs(1) / u32::try_from(reads_per_second)?);
    post_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    read_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let (mut posts, mut reads) = (0u64, 0u64);
    let mut in_flight = tokio::task::JoinSet::new();
    while started.elapsed() < seconds {
        tokio::select! {
            _ = post_tick.tick() => {
                let n = posts % people;
                let article = articles[usize::try_from(posts)? % articles.len()].clone();
                let url = format!("{}/api/v1/articles/{article}/comments", server_of(n));
                let (http, token, tally, fan_out) =
                    (http.clone(), tokens[usize::try_from(n)?].clone(), posting.clone(), fan_out.clone());
                let id = Uuid::now_v7();
                in_flight.spawn(async move {
                    let sent = Instant::now();
                    fan_out.sent(id, sent);
                    let body = json!({"id": id.to_string(), "body": format!("Load comment {id}.")});
                    match http.post(url).bearer_auth(token).header("x-forwarded-for", address_of(n))
                        .header("content-type", "application/json").body(body.to_string()).send().await {
                        Ok(r) if r.status().is_success() => tally.took(sent),
                        Ok(r) => tally.failed(&format!("post: HTTP {}", r.status())),
                        Err(e) => tally.failed(&format!("post: {e}")),
                    }
                });
                posts += 1;
            }
            _ = read_tick.tick() => {
                let article = articles[usize::try_from(reads)? % articles.len()].clone();
                let url = format!("{}/api/v1/articles/{article}/thread", server_of(reads));
                let (http, tally) = (http.clone(), reading.clone());
                in_flight.spawn(async move {
                    let sent = Instant::now();
                    let answer = http.post(url).header("content-type", "application/json")
                        .body(json!({"limit": 50}).to_string()).send().await;
                    match answer {
                        Ok(r) if r.status().is_success() => match r.bytes().await {
                            Ok(_) => tally.took(sent),
                            Err(e) => tally.failed(&format!("read: {e}")),
                        },
                        Ok(r) => tally.failed(&format!("read: HTTP {}", r.status())),
                        Err(e) => tally.failed(&format!("read: {e}")),
                    }
                });
                reads += 1;
            }
            Some(_) = in_flight.join_next() => {}
        }
    }
    let elapsed = started.elapsed();
    while in_flight.join_next().await.is_some() {}
    let cpu: Vec<f64> = pids
        .iter()
        .zip(&cpu_before)
        .map(|(&p, before)| (cpu_seconds(p) - before) / elapsed.as_secs_f64() * 100.0)
        .collect();
    let own_cpu = (cpu_seconds(std::process::id()) - own_before) / elapsed.as_secs_f64() * 100.0;
    tokio::time::sleep(FAN_OUT_GRACE).await;
    stop.notify_waiters();
    watcher.abort();
    let open = ready.load(Ordering::Relaxed);
    let (fan, not_everywhere) = fan_out.times(open);
    let (post_line, posted, post_errors) = posting.summary();
    let (read_line, read, read_errors) = reading.summary();
    let (fan_line, fanned, _) = fan.summary();
    let memory = peak_memory.lock().map(|m| m.clone()).unwrap_or_default();
    let dropped = dropped.load(Ordering::Relaxed);
    println!(
        "| {label} | {posted} posts ({:.0}/s): {post_line} | {read} reads ({:.0}/s): {read_line} | \
         {fanned} to {open} streams: {fan_line} | {} | {} | {} | {own_cpu:.0}% |",
        posted as f64 / elapsed.as_secs_f64(),
        read as f64 / elapsed.as_secs_f64(),
        post_errors + read_errors + dropped + not_everywhere,
        cpu.iter().map(|c| format!("{c:.0}%")).collect::<Vec<_>>().join(" + "),
        memory.iter().map(|m| format!("{m:.0} MiB")).collect::<Vec<_>>().join(" + "),
    );
    eprintln!(
        "parley-load: errors: {post_errors} posts, {read_errors} reads, {dropped} streams dropped, \
         {not_everywhere} comments not heard by every stream"
    );
    for stream in streams {
        stream.abort();
    }
    Ok(())
}

/// Reads one event stream until told to stop, counting it ready at its
/// `ready` event and passing on the comment of each change.
async fn follow(
    mut response: reqwest::Response,
    fan_out: &FanOut,
    ready: &AtomicU64,
    dropped: &AtomicU64,
    stop: &tokio::sync::Notify,
) {
    let mut pending = Vec::<u8>::new();
    let mut counted = false;
    loop {
        let chunk = tokio::select! {
            chunk = response.chunk() => chunk,
            () = stop.notified() => return,
        };
        let chunk = match chunk {
            Ok(Some(chunk)) => chunk,
            _ => {
                dropped.fetch_add(1, Ordering::Relaxed);
                if counted {
                    ready.fetch_sub(1, Ordering::Relaxed);
                }
                return;
            }
        };
        pending.extend_from_slice(&chunk);
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            if line.starts_with(b"event: ready") || line.starts_with(b"event:ready") {
                if !counted {
                    counted = true;
                    ready.fetch_add(1, Ordering::Relaxed);
                }
            } else if line.starts_with(b"data:") {
                if let Some(id) = comment_in(&line) {
                    fan_out.heard(id);
                }
            }
        }
    }
}

/// The `commentId` of an event's data line, without parsing all of it.
fn comment_in(line: &[u8]) -> Option<Uuid> {
    const KEY: &[u8] = b"\"commentId\":\"";
    let at = line.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let id = line.get(at..at + 36)?;
    Uuid::try_parse_ascii(id).ok()
}
