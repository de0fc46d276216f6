//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use actix_web::HttpResponse;

pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("cache-control", "public, max-age=300"))
        .insert_header(("access-control-allow-origin", "*"))
        .body(crate::openapi::json().to_owned())
}
