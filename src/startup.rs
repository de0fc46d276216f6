//! Builds the application: database, state, middleware order, routes.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_session::SessionMiddleware;
use actix_session::config::{PersistentSession, TtlExtensionPolicy};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::auth::password::PasswordHasher;
use crate::auth::session_store::{DbSessionStore, purge_expired};
use crate::configuration::Settings;
use crate::docs::DocsSite;
use crate::rate_limit::RateLimiter;
use crate::services::api_keys::KeyCache;
use crate::state::AppState;
use crate::usage::UsageRecorder;
use crate::{auth, db, demo_data, middleware, routes};

pub struct Application {
    port: u16,
    address: String,
    server: Server,
    state: AppState,
}

pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-atj_session"
    } else {
        "atj_session"
    }
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = db::connect(&settings.database_url, settings.db_max_connections).await?;
        db::migrate(&db).await?;
        if settings.demo_data {
            demo_data::load_if_empty(&db)
                .await
                .context("loading demo data")?;
        }
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let local = listener.local_addr()?;
        let state = AppState {
            docs: Arc::new(DocsSite::build(&settings.rate_limits)?),
            hasher: PasswordHasher::new(settings.hash_concurrency),
            key_cache: KeyCache::default(),
            rate_limiter: Arc::new(RateLimiter::default()),
            usage: UsageRecorder::default(),
            job_search: Default::default(),
            settings: Arc::new(settings),
            db,
        };
        state
            .usage
            .spawn_flusher(state.db.clone(), Duration::from_secs(1));
        spawn_session_purger(state.clone());
        let server = run(listener, state.clone())?;
        Ok(Application {
            port: local.port(),
            address: format!("http://{local}"),
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT/SIGTERM, then writes the usage still buffered.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.server.await?;
        if let Err(e) = self.state.usage.flush(&self.state.db).await {
            tracing::warn!(error = %e, "writing key usage at shutdown failed");
        }
        Ok(())
    }
}

fn spawn_session_purger(state: AppState) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(600));
        loop {
            ticker.tick().await;
            match purge_expired(&state.db, state.settings.session_absolute).await {
                Ok(n) if n > 0 => tracing::info!(sessions = n, "purged expired sessions"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging expired sessions failed"),
            }
        }
    });
}

fn run(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let settings = state.settings.clone();
    let key = Key::try_from(settings.session_secret.expose().as_slice())
        .context("the session secret must be at least 64 bytes")?;
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let store = DbSessionStore::new(data.db.clone(), settings.session_absolute);
        let idle =
            actix_web::cookie::time::Duration::seconds(settings.session_idle.as_secs() as i64);
        let sessions = SessionMiddleware::builder(store, key.clone())
            .cookie_name(session_cookie_name(settings.cookie_secure).to_owned())
            .cookie_secure(settings.cookie_secure)
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .cookie_path("/".to_owned())
            .cookie_domain(None)
            .session_lifecycle(
                PersistentSession::default()
                    .session_ttl(idle)
                    .session_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
            )
            .build();
        App::new()
            .app_data(data.clone())
            .app_data(auth::csrf::payload_config())
            .wrap(ErrorHandlers::new().default_handler(crate::error::bare_error_page))
            .wrap(middleware::security_headers(settings.cookie_secure))
            .wrap(from_fn(middleware::trace_requests))
            .route("/healthz", web::get().to(routes::health::healthz))
            .route("/readyz", web::get().to(routes::health::readyz))
            .route(
                "/static/{path:.*}",
                web::get().to(routes::static_files::serve),
            )
            .configure(routes::configure_api)
            .service(
                web::scope("")
                    .wrap(from_fn(auth::csrf::reject_cross_site))
                    .wrap(sessions)
                    .configure(routes::configure_pages),
            )
    })
    .listen(listener)?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}
