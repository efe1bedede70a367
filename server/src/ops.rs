//! What whoever runs the server watches it by: `/health` (is the process
//! up, can it reach its database) for a load balancer or systemd, and
//! `/metrics` in Prometheus's text format for a monitoring system.
//!
//! The metrics are this process's own (each process behind a proxy is
//! scraped on its own address): requests by route and status, how long
//! they took, the event streams open, the database pool, and the feed
//! refreshes this process ran. Routes are counted by their template
//! (`/api/v1/articles/{id}/thread`), never by the address asked for, so
//! nothing a client sends can grow the list. `/metrics` answers only a
//! client on this machine (loopback, or behind the proxy a client the
//! proxy says is on loopback): the figures are not for the group.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use parley_core::library::sources;
use serde_json::json;

use crate::auth::ClientAddr;
use crate::{ApiError, AppState};

/// The upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The route label of a request that matched no route.
const UNMATCHED: &str = "unmatched";

/// This process's request figures and open streams.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<Key, Counts>>,
    streams: AtomicI64,
}

/// A route (its template) and method.
type Key = (String, String);

#[derive(Debug, Default)]
struct Counts {
    by_status: BTreeMap<u16, u64>,
    /// How many took at most each of [`BUCKETS`] (not cumulative).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    seconds: f64,
}

impl Metrics {
    /// Counts one answered request.
    pub fn record(&self, route: &str, method: &Method, status: StatusCode, seconds: f64) {
        let mut requests = match self.requests.lock() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        let counts = requests
            .entry((route.to_owned(), method.as_str().to_owned()))
            .or_default();
        *counts.by_status.entry(status.as_u16()).or_default() += 1;
        if let Some(bucket) = BUCKETS.iter().position(|&le| seconds <= le) {
            if let Some(n) = counts.buckets.get_mut(bucket) {
                *n += 1;
            }
        }
        counts.count += 1;
        counts.seconds += seconds;
    }

    /// An event stream opened; it counts as open until the guard drops.
    pub fn stream_opened(self: &Arc<Self>) -> OpenStream {
        self.streams.fetch_add(1, Ordering::Relaxed);
        OpenStream(Arc::clone(self))
    }

    /// The event streams open now.
    pub fn streams_open(&self) -> i64 {
        self.streams.load(Ordering::Relaxed)
    }

    /// Everything, in Prometheus's text format.
    fn render(&self, state: &AppState) -> String {
        let mut out = String::new();
        let requests = match self.requests.lock() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        family(
            &mut out,
            "parley_http_requests_total",
            "counter",
            "Requests answered, by route template, method and status.",
        );
        for ((route, method), counts) in requests.iter() {
            for (status, n) in &counts.by_status {
                let _ = writeln!(
                    out,
                    "parley_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        family(
            &mut out,
            "parley_http_request_duration_seconds",
            "histogram",
            "Time to the start of the answer, by route template and method.",
        );
        for ((route, method), counts) in requests.iter() {
            let labels = format!("route=\"{}\",method=\"{method}\"", escape(route));
            let mut below = 0;
            for (le, n) in BUCKETS.iter().zip(counts.buckets) {
                below += n;
                let _ = writeln!(
                    out,
                    "parley_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {below}"
                );
            }
            let _ = writeln!(
                out,
                "parley_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n\
                 parley_http_request_duration_seconds_sum{{{labels}}} {}\n\
                 parley_http_request_duration_seconds_count{{{labels}}} {}",
                counts.count, counts.seconds, counts.count
            );
        }
        drop(requests);
        family(
            &mut out,
            "parley_event_streams_open",
            "gauge",
            "Event streams (GET /api/v1/events) open now.",
        );
        let _ = writeln!(out, "parley_event_streams_open {}", self.streams_open());
        let pool = state.store.pool_use();
        family(
            &mut out,
            "parley_database_connections",
            "gauge",
            "Database connections open, by whether a request is using them.",
        );
        let _ = writeln!(
            out,
            "parley_database_connections{{state=\"in_use\"}} {}\n\
             parley_database_connections{{state=\"idle\"}} {}",
            pool.open.saturating_sub(pool.idle),
            pool.idle
        );
        family(
            &mut out,
            "parley_database_connections_max",
            "gauge",
            "The most database connections this process opens.",
        );
        let _ = writeln!(out, "parley_database_connections_max {}", pool.max);
        let tally = sources::refresh_tally();
        family(
            &mut out,
            "parley_feed_refreshes_total",
            "counter",
            "Feed refreshes this process ran, by outcome (skipped: another process had it).",
        );
        for (outcome, n) in [
            ("fetched", tally.fetched),
            ("not_modified", tally.not_modified),
            ("failed", tally.failed),
            ("skipped", tally.skipped),
        ] {
            let _ = writeln!(
                out,
                "parley_feed_refreshes_total{{outcome=\"{outcome}\"}} {n}"
            );
        }
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value as the text format writes it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Keeps an event stream counted as open; dropped with the stream.
#[derive(Debug)]
pub struct OpenStream(Arc<Metrics>);

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.streams.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Times and counts every request that matched a route (a route layer:
/// the route's template is known here).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    let response = next.run(request).await;
    state.metrics.record(
        &route,
        &method,
        response.status(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Counts a request that matched no route, and answers it.
pub async fn unmatched(State(state): State<AppState>, method: Method) -> ApiError {
    state
        .metrics
        .record(UNMATCHED, &method, StatusCode::NOT_FOUND, 0.0);
    ApiError::NoRoute
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(ready))
        .route("/health/ready", get(ready))
        .route("/health/live", get(live))
        .route("/metrics", get(metrics))
}

/// The process is up and answering.
async fn live() -> impl IntoResponse {
    axum::Json(json!({ "live": true }))
}

/// The process can serve: its database answers. 503 with Retry-After
/// while it does not, so a load balancer sends requests elsewhere.
async fn ready(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => axum::Json(json!({ "live": true, "ready": true })).into_response(),
        Err(e) => {
            tracing::warn!("not ready: the database does not answer: {e}");
            let mut response = (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({
                    "live": true,
                    "ready": false,
                    "message": "The server cannot reach its database right now.",
                })),
            )
                .into_response();
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(crate::error::DATABASE_RETRY_SECS),
            );
            response
        }
    }
}

/// The figures, for a monitoring system on this machine.
async fn metrics(State(state): State<AppState>, addr: ClientAddr) -> Response {
    if !addr.0.is_some_and(|ip| ip.to_canonical().is_loopback()) {
        return ApiError::Core(parley_core::Error::Forbidden(
            "The server's metrics are only shown to this machine (127.0.0.1 or ::1).".into(),
        ))
        .into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&state),
    )
        .into_response()
}
