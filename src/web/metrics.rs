//! Prometheus metrics: requests by status class, a latency histogram, and
//! the database pool. Plain atomics in the app state; no global registry.

use super::AppState;
use super::ctx::Ctx;
use axum::extract::State;
use axum::http;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use std::fmt::{Display, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

const BUCKETS_MS: [u64; 10] = [1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000];

#[derive(Default, Debug)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    in_flight: AtomicU64,
    buckets: [AtomicU64; BUCKETS_MS.len()],
    sum_us: AtomicU64,
    count: AtomicU64,
}

impl Metrics {
    fn observe(&self, status: u16, elapsed_us: u64) {
        let class = (status / 100).clamp(1, 5) as usize - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        self.sum_us.fetch_add(elapsed_us, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            if elapsed_us <= b * 1000 {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Counts a request in flight until dropped: also when the client goes away
/// and the request's future is dropped before it answers.
struct InFlight(Arc<Metrics>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Counts and times one request: wraps the future of the service below
/// (through `ServiceBuilder::map_future`), with nothing boxed.
pub fn track<F, B, E>(
    metrics: &Arc<Metrics>,
    response: F,
) -> impl Future<Output = Result<http::Response<B>, E>> + use<F, B, E>
where
    F: Future<Output = Result<http::Response<B>, E>>,
{
    metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let guard = InFlight(metrics.clone());
    let start = Instant::now();
    response.map(move |r| {
        if let Ok(resp) = &r {
            let us = start.elapsed().as_micros() as u64;
            guard.0.observe(resp.status().as_u16(), us);
        }
        r
    })
}

/// The metrics are for the operator: logged in as the operator, or asking
/// from this machine (the client address as resolved behind a trusted
/// proxy), unless `--metrics-public` opens them to everyone.
fn may_read(state: &AppState, ctx: &Ctx) -> bool {
    state.cfg.metrics_public
        || ctx.0.account.as_ref().is_some_and(|a| a.is_operator)
        || ctx
            .0
            .ip
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// One metric with a single value: its HELP line (if it has one), its
/// TYPE line and the value.
fn metric(s: &mut String, name: &str, kind: &str, help: Option<&str>, value: impl Display) {
    if let Some(h) = help {
        let _ = writeln!(s, "# HELP {name} {h}");
    }
    let _ = writeln!(s, "# TYPE {name} {kind}");
    let _ = writeln!(s, "{name} {value}");
}

/// The HTTP metrics: requests by status class, in flight, and latency.
fn http(s: &mut String, m: &Metrics) {
    let _ = writeln!(
        s,
        "# HELP teahouse_http_requests_total HTTP requests by status class."
    );
    let _ = writeln!(s, "# TYPE teahouse_http_requests_total counter");
    for (i, c) in m.by_class.iter().enumerate() {
        let _ = writeln!(
            s,
            "teahouse_http_requests_total{{class=\"{}xx\"}} {}",
            i + 1,
            c.load(Ordering::Relaxed)
        );
    }
    metric(
        s,
        "teahouse_http_in_flight",
        "gauge",
        Some("Requests being served."),
        m.in_flight.load(Ordering::Relaxed),
    );
    let _ = writeln!(
        s,
        "# HELP teahouse_http_request_duration_seconds Request latency."
    );
    let _ = writeln!(s, "# TYPE teahouse_http_request_duration_seconds histogram");
    for (i, b) in BUCKETS_MS.iter().enumerate() {
        let _ = writeln!(
            s,
            "teahouse_http_request_duration_seconds_bucket{{le=\"{}\"}} {}",
            *b as f64 / 1000.0,
            m.buckets[i].load(Ordering::Relaxed)
        );
    }
    let count = m.count.load(Ordering::Relaxed);
    let _ = writeln!(
        s,
        "teahouse_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
    );
    let _ = writeln!(
        s,
        "teahouse_http_request_duration_seconds_sum {}",
        m.sum_us.load(Ordering::Relaxed) as f64 / 1e6
    );
    let _ = writeln!(s, "teahouse_http_request_duration_seconds_count {count}");
}

/// The database metrics: the reader pool, and the writer's queue and commits.
fn db(s: &mut String, state: &AppState) {
    let d = &state.db.stats;
    let n = |a: &std::sync::atomic::AtomicUsize| a.load(Ordering::Relaxed);
    metric(
        s,
        "teahouse_db_readers",
        "gauge",
        Some("Read-only connections in the pool."),
        state.db.reader_pool_size(),
    );
    metric(
        s,
        "teahouse_db_readers_in_use",
        "gauge",
        None,
        n(&d.reads_in_use),
    );
    metric(
        s,
        "teahouse_db_reads_total",
        "counter",
        None,
        n(&d.reads_done),
    );
    metric(
        s,
        "teahouse_db_write_queue",
        "gauge",
        Some("Write transactions waiting for the writer."),
        n(&d.writes_queued),
    );
    metric(
        s,
        "teahouse_db_writes_total",
        "counter",
        None,
        n(&d.writes_done),
    );
    metric(
        s,
        "teahouse_db_commits_total",
        "counter",
        Some("Write transactions committed (writes waiting together share one)."),
        n(&d.commits),
    );
}

pub async fn render(State(state): State<AppState>, ctx: Ctx) -> Response {
    if !may_read(&state, &ctx) {
        return crate::error::Error::NotFound.into_response();
    }
    let mut s = String::new();
    http(&mut s, &state.metrics);
    db(&mut s, &state);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        s,
    )
        .into_response()
}
