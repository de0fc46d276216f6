//! The one route table: every URL the server answers, and who handles it.

pub mod api;
pub mod health;
pub mod pages;
pub mod static_files;

use actix_web::{middleware::from_fn, web};

use crate::auth::guards::bearer_guard;

/// /v1: JSON only, bearer keys only, cookies ignored.
pub fn configure_api(cfg: &mut web::ServiceConfig) {
    use api::v1::{applications, jobs, me, openapi, partner};
    cfg.route("/v1/openapi.json", web::get().to(openapi::document))
        .service(
            web::scope("/v1")
                .wrap(from_fn(bearer_guard))
                .app_data(api::json_config())
                .app_data(api::query_config())
                .app_data(api::path_config())
                .route("/me", web::get().to(me::show))
                .route("/jobs", web::get().to(jobs::list))
                .route("/jobs", web::post().to(jobs::create))
                .route("/jobs/{id}", web::get().to(jobs::show))
                .route("/jobs/{id}", web::patch().to(jobs::update))
                .route("/jobs/{id}", web::delete().to(jobs::close))
                .route(
                    "/jobs/{id}/applications",
                    web::get().to(applications::list_for_job),
                )
                .route(
                    "/jobs/{id}/applications",
                    web::post().to(applications::apply),
                )
                .route("/applications", web::get().to(applications::list_own))
                .route(
                    "/applications/{id}",
                    web::delete().to(applications::withdraw),
                )
                .route("/partner/jobs", web::get().to(partner::jobs))
                .default_service(web::to(api::not_found)),
        );
}

/// Pages: HTML, session cookies, CSRF-protected forms.
pub fn configure_pages(cfg: &mut web::ServiceConfig) {
    use pages::{
        admin, developer, docs, home, partner, security, settings, sign_in, sign_out, sign_up,
    };
    cfg.route("/", web::get().to(home::show))
        .route("/sign-up", web::get().to(sign_up::form))
        .route("/sign-up", web::post().to(sign_up::submit))
        .route("/sign-in", web::get().to(sign_in::form))
        .route("/sign-in", web::post().to(sign_in::submit))
        .route("/sign-out", web::post().to(sign_out::submit))
        .route("/account/settings", web::get().to(settings::profile))
        .route(
            "/account/settings/developer",
            web::get().to(developer::show),
        )
        .route(
            "/account/settings/developer/keys",
            web::post().to(developer::create_key),
        )
        .route(
            "/account/settings/developer/keys/{id}/revoke",
            web::get().to(developer::confirm_revoke),
        )
        .route(
            "/account/settings/developer/keys/{id}/revoke",
            web::post().to(developer::revoke_key),
        )
        .route(
            "/account/settings/developer/keys/{id}/roll",
            web::get().to(developer::confirm_roll),
        )
        .route(
            "/account/settings/developer/keys/{id}/roll",
            web::post().to(developer::roll_key),
        )
        .route(
            "/account/settings/developer/partner",
            web::get().to(partner::form),
        )
        .route(
            "/account/settings/developer/partner",
            web::post().to(partner::submit),
        )
        .route("/account/settings/security", web::get().to(security::show))
        .route(
            "/account/settings/security/sessions/revoke-all",
            web::post().to(security::revoke_all),
        )
        .route("/admin", web::get().to(admin::index))
        .route("/admin/partner-requests", web::get().to(admin::queue))
        .route(
            "/admin/partner-requests/{id}/{decision}",
            web::post().to(admin::decide),
        )
        .route("/docs", web::get().to(docs::index))
        .route("/docs/{slug}", web::get().to(docs::page))
        .default_service(web::to(pages::not_found));
}
