//! Tracing set-up. Nothing secret is ever a field: request spans carry the
//! method, the path without its query string and a request id.

use tracing_subscriber::{EnvFilter, fmt};

pub fn init(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // `try_init` so tests that start several apps in one process do not panic.
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
}

/// Runs blocking work (password hashing) on the blocking pool, inside the
/// caller's span so its logs keep the request id.
pub fn spawn_blocking_with_tracing<F, R>(f: F) -> tokio::task::JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
}
