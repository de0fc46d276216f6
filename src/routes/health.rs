//! Liveness and readiness probes.

use actix_web::{HttpResponse, web};
use sea_orm::ConnectionTrait;

use crate::state::AppState;

/// The process is up. Touches nothing else, so it stays up when the
/// database is down or the pool is exhausted.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("cache-control", "no-store"))
        .body(r#"{"status":"ok"}"#)
}

/// Ready to serve: the database answers.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let probe = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        state.db.execute_unprepared("SELECT 1"),
    )
    .await;
    match probe {
        Ok(Ok(_)) => HttpResponse::Ok()
            .content_type("application/json")
            .insert_header(("cache-control", "no-store"))
            .body(r#"{"status":"ready","database":"ok"}"#),
        _ => HttpResponse::ServiceUnavailable()
            .content_type("application/json")
            .insert_header(("cache-control", "no-store"))
            .insert_header(("retry-after", "5"))
            .body(r#"{"status":"unavailable","database":"unreachable"}"#),
    }
}
