//! Documentation pages, rendered once at start-up and served from memory.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::views::pages::{DocLink, DocsPage};
use crate::views::{PageCtx, see_other};

pub async fn index() -> HttpResponse {
    see_other("/docs/authentication")
}

pub async fn page(
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let Some(doc) = state.docs.page(&slug) else {
        return Err(PageError(AppError::NotFound));
    };
    // The body is fixed for the life of the process; the layout varies
    // with the visitor, so the ETag covers both.
    let signed_in = ctx
        .user
        .as_ref()
        // The layout holds the visitor's sign-out form and its CSRF token.
        .map(|u| format!("{}:{}", u.account.id, ctx.csrf))
        .unwrap_or_default();
    let etag = format!(
        "W/\"{}-{}\"",
        doc.etag,
        &crate::domain::hash_session_key(&signed_in)[..8]
    );
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    if fresh && ctx.flash.is_none() {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .finish());
    }
    let sidebar = state
        .docs
        .pages()
        .iter()
        .map(|p| DocLink {
            slug: p.slug.clone(),
            title: p.title.clone(),
            current: p.slug == *slug,
        })
        .collect();
    let mut response = crate::views::ok(&DocsPage {
        ctx,
        title: &doc.title,
        summary: &doc.summary,
        updated: &doc.updated,
        body: &doc.html,
        sidebar,
    })?;
    response.headers_mut().insert(
        header::ETAG,
        header::HeaderValue::from_str(&etag).map_err(|e| AppError::Unexpected(e.into()))?,
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-cache"),
    );
    Ok(response)
}
