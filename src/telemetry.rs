//! Logging with tracing: one line per request with its latency and request id.
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use tracing_subscriber::EnvFilter;

/// Why a request failed on our side (a 5xx): the response carries it to the request's log line
/// instead of a line of its own, so the cause and the request id sit together.
#[derive(Debug, Clone)]
pub struct FailureCause(pub String);

/// The id of a request: the caller's `X-Request-Id` if it sent a sane one, else our own.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Installs the global subscriber: `RUST_LOG` filters (default `info`), `LOG_FORMAT=json`
/// writes JSON lines. Lines go to stderr from a background thread that drains its queue into a
/// buffer and then flushes, so a busy server makes one write per batch, not per request, and
/// an idle one still writes at once. Keep the guard until exit: dropping it flushes.
pub fn init() -> tracing_appender::non_blocking::WorkerGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        // Under overload, drop log lines rather than make requests wait for the log.
        .lossy(true)
        .finish(std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr()));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_target(false);
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v == "json");
    let _ = if json { builder.json().try_init() } else { builder.with_ansi(false).try_init() };
    guard
}

fn next_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let prefix = PREFIX.get_or_init(|| uuid::Uuid::new_v4().simple().to_string()[..8].to_string());
    format!("{prefix}-{:x}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Paths that carry a secret (a password-reset link's token) with the secret left out: the log
/// is read by more people than the mailbox. Query strings (`?token=` of order tracking) are
/// never logged.
pub fn redacted(path: &str) -> String {
    const SECRET_PATHS: [&str; 1] = ["/password-reset/"];
    for prefix in SECRET_PATHS {
        if let Some(rest) = path.strip_prefix(prefix) {
            if !rest.is_empty() {
                return format!("{prefix}[redacted]");
            }
        }
    }
    path.to_string()
}

pub async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map_or_else(next_id, str::to_string);
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = redacted(req.path());
    let mut res = next.call(req).await?;
    let status = res.status().as_u16();
    let latency_us = start.elapsed().as_micros() as u64;
    if status >= 500 {
        let cause = res.response().extensions().get::<FailureCause>().map(|c| c.0.clone()).unwrap_or_default();
        tracing::error!(%method, %path, status, latency_us, request_id = %id, error = %cause, "request");
    } else {
        tracing::info!(%method, %path, status, latency_us, request_id = %id, "request");
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_links_lose_their_token_in_the_log() {
        assert_eq!(redacted("/password-reset/abc.DEF_123"), "/password-reset/[redacted]");
        assert_eq!(redacted("/password-reset"), "/password-reset");
        assert_eq!(redacted("/orders/42"), "/orders/42");
    }
}
