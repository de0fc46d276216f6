//! Embedded static assets. A request carrying the file's current content
//! hash (`?v=`) may be cached for a year.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::views::{Assets, asset_version};

#[derive(serde::Deserialize)]
pub struct Version {
    v: Option<String>,
}

pub async fn serve(
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<Version>,
) -> HttpResponse {
    let path = path.into_inner();
    let Some(file) = Assets::get(&path) else {
        return crate::views::render_error_page(
            actix_web::http::StatusCode::NOT_FOUND,
            "Page not found",
            "We couldn\u{2019}t find that file.",
        );
    };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..8]));
    let immutable = query
        .v
        .as_deref()
        .is_some_and(|v| Some(v) == asset_version(&path));
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag)
    {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish();
    }
    HttpResponse::Ok()
        .content_type(content_type(&path))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(file.data.into_owned())
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}
