//! The integration harness: a real server on port 0 with a fresh database
//! per test (SQLite file, or a new PostgreSQL database when
//! `ATJ_TEST_DATABASE_URL` is set), driven over real HTTP.

use std::sync::LazyLock;
use std::time::Duration;

use autotechjobs::auth::password::PasswordHasher;
use autotechjobs::configuration::{RateLimits, Secret, Settings};
use autotechjobs::domain::{AccountType, DisplayName, Email, Password};
use autotechjobs::services::accounts::{self, NewAccount};
use autotechjobs::services::audit::RequestMeta;
use autotechjobs::startup::Application;
use autotechjobs::state::AppState;
use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};

pub const PASSWORD: &str = "gearbox torque silver";

static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var("TEST_LOG").is_ok() {
        autotechjobs::telemetry::init("debug");
    }
});

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    _dir: tempfile_dir::TempDir,
}

/// Options a test may change before the app starts.
pub struct Config {
    pub rate_limits: RateLimits,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub sign_in_max_per_account: u64,
    pub sign_in_max_per_ip: u64,
    pub cookie_secure: bool,
    pub demo_data: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rate_limits: "read_only=1000,standard=1000,partner=1000".parse().unwrap(),
            session_idle: Duration::from_secs(3600),
            session_absolute: Duration::from_secs(7 * 86400),
            sign_in_max_per_account: 5,
            sign_in_max_per_ip: 30,
            cookie_secure: false,
            demo_data: false,
        }
    }
}

/// A fresh, empty database for one test.
async fn fresh_database(dir: &std::path::Path) -> String {
    match std::env::var("ATJ_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("atj_test_{}", autotechjobs::domain::random_token(16));
            let admin = Database::connect(&admin_url)
                .await
                .expect("PostgreSQL is reachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create a test database");
            admin.close().await.ok();
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(&admin_url);
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}/test.db?mode=rwc", dir.display()),
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Config::default()).await
    }

    pub async fn spawn_with(config: Config) -> TestApp {
        LazyLock::force(&TRACING);
        let dir = tempfile_dir::TempDir::new();
        let database_url = fresh_database(dir.path()).await;
        let mut secret = vec![0u8; 64];
        autotechjobs::domain::fill_random(&mut secret);
        let settings = Settings {
            bind: "127.0.0.1:0".into(),
            database_url: database_url.clone(),
            session_secret: Secret::new(secret),
            cookie_secure: config.cookie_secure,
            demo_data: config.demo_data,
            rate_limits: config.rate_limits,
            session_idle: config.session_idle,
            session_absolute: config.session_absolute,
            sign_in_max_per_account: config.sign_in_max_per_account,
            sign_in_max_per_ip: config.sign_in_max_per_ip,
            hash_concurrency: 2,
            db_max_connections: 8,
            trust_forwarded: false,
        };
        let app = Application::build(settings).await.expect("the app starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state().clone();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            address,
            state,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A browser: its own cookie jar, redirects not followed.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    /// An API client holding a key (no cookies).
    pub fn api(&self, key: &str) -> Api {
        Api::new(&self.address, Some(key))
    }

    pub fn anonymous_api(&self) -> Api {
        Api::new(&self.address, None)
    }

    /// An account created the way the CLI does it (admins have no sign-up).
    pub async fn create_account(&self, account_type: AccountType) -> TestUser {
        let user = TestUser::new(account_type);
        accounts::create_account(
            &self.state.db,
            &PasswordHasher::new(1),
            NewAccount {
                display_name: DisplayName::parse(&user.name).unwrap(),
                email: Email::parse(&user.email).unwrap(),
                password: Password::parse(PASSWORD.into()).unwrap(),
                account_type,
                company_name: (account_type == AccountType::Employer).then(|| user.company.clone()),
            },
            &RequestMeta::default(),
        )
        .await
        .expect("account created");
        user
    }

    /// A signed-in browser for a new account of this type.
    pub async fn signed_in(&self, account_type: AccountType) -> (Browser, TestUser) {
        let browser = self.browser();
        let user = if account_type == AccountType::Admin {
            let user = self.create_account(account_type).await;
            let response = browser.sign_in(&user.email, PASSWORD).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            user
        } else {
            browser.sign_up(account_type).await
        };
        (browser, user)
    }

    /// Grants partner status directly, as an approved request would.
    pub async fn make_partner(&self, user: &TestUser) {
        use autotechjobs::entities::account;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let model = account::Entity::find()
            .filter(account::Column::Email.eq(&user.email))
            .one(&self.state.db)
            .await
            .unwrap()
            .expect("the account exists");
        autotechjobs::services::accounts::set_partner_status(
            &self.state.db,
            model.id,
            autotechjobs::domain::PartnerStatus::Approved,
            None,
        )
        .await
        .unwrap();
    }

    /// Writes buffered key usage now instead of waiting for the next second.
    pub async fn flush_usage(&self) {
        self.state
            .usage
            .flush(&self.state.db)
            .await
            .expect("usage flushed");
    }

    /// Runs SQL and returns the first column of the first row as i64.
    pub async fn count(&self, sql: &str) -> i64 {
        use sea_orm::Statement;
        let backend = self.state.db.get_database_backend();
        let row = self
            .state
            .db
            .query_one_raw(Statement::from_string(backend, sql.to_owned()))
            .await
            .expect("query runs")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("a number named n")
    }
}

fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[derive(Debug, Clone)]
pub struct TestUser {
    pub name: String,
    pub email: String,
    pub company: String,
}

impl TestUser {
    pub fn new(account_type: AccountType) -> Self {
        let id = autotechjobs::domain::random_token(16);
        TestUser {
            name: format!("Tess {}", &id[..6]),
            email: format!("{}-{}@example.co.uk", account_type.as_str(), &id[..12]),
            company: format!("Company {}", &id[..6]),
        }
    }
}

pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

/// The value of the first hidden input with this name.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// The plaintext key on a reveal page.
pub fn revealed_key(html: &str) -> Option<String> {
    let marker = "<code id=\"new-key\" class=\"secret\">";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('<')? + start;
    Some(html[start..end].to_owned())
}

pub struct KeyRequest<'a> {
    pub description: &'a str,
    pub permission: &'a str,
    pub expires_in_days: &'a str,
    pub environment: &'a str,
}

impl Default for KeyRequest<'_> {
    fn default() -> Self {
        KeyRequest {
            description: "Production App",
            permission: "read_only",
            expires_in_days: "90",
            environment: "live",
        }
    }
}

impl Browser {
    /// A browser for the server at `base`: its own cookie jar, redirects not followed.
    pub fn new(base: &str) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.unwrap()
    }

    /// The CSRF token of the form on `path`.
    pub async fn csrf(&self, path: &str) -> String {
        hidden_field(&self.get_html(path).await, "csrf_token").expect("page has a CSRF token")
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// POSTs a form with the CSRF token taken from `form_page`.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf(form_page).await;
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form(action, &all).await
    }

    pub async fn sign_up(&self, account_type: AccountType) -> TestUser {
        let user = TestUser::new(account_type);
        let response = self
            .submit(
                "/sign-up",
                "/sign-up",
                &[
                    ("display_name", &user.name),
                    ("email", &user.email),
                    ("password", PASSWORD),
                    ("account_type", account_type.as_str()),
                    (
                        "company_name",
                        if account_type == AccountType::Employer {
                            &user.company
                        } else {
                            ""
                        },
                    ),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "sign-up succeeds");
        user
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.submit(
            "/sign-in",
            "/sign-in",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Submits the generate form; returns the response (reveal page or 422).
    pub async fn generate_key_response(&self, request: &KeyRequest<'_>) -> Response {
        let page = self.get_html("/account/settings/developer").await;
        let csrf = hidden_field(&page, "csrf_token").unwrap();
        let form_token = hidden_field(&page, "form_token").unwrap();
        self.post_form(
            "/account/settings/developer/keys",
            &[
                ("csrf_token", &csrf),
                ("form_token", &form_token),
                ("description", request.description),
                ("permission", request.permission),
                ("expires_in_days", request.expires_in_days),
                ("environment", request.environment),
            ],
        )
        .await
    }

    /// Generates a key and returns its plaintext.
    pub async fn generate_key(&self, request: &KeyRequest<'_>) -> String {
        let response = self.generate_key_response(request).await;
        assert_eq!(response.status(), StatusCode::OK, "key generated");
        revealed_key(&response.text().await.unwrap()).expect("the key is revealed")
    }

    pub async fn key_with(&self, permission: &str) -> String {
        self.generate_key(&KeyRequest {
            permission,
            ..KeyRequest::default()
        })
        .await
    }

    /// The id of the key whose hint ends like `key` does, from the list.
    pub async fn key_id(&self, key: &str) -> String {
        let page = self.get_html("/account/settings/developer").await;
        let tail = &key[key.len() - 4..];
        let hint_at = page
            .find(&format!("\u{2026}{tail}</code>"))
            .expect("key listed");
        let row_start = page[..hint_at].rfind("id=\"key-").expect("row id") + "id=\"key-".len();
        page[row_start..row_start + 36].to_owned()
    }
}

pub struct Api {
    client: reqwest::Client,
    base: String,
    key: Option<String>,
}

impl Api {
    pub fn new(base: &str, key: Option<&str>) -> Api {
        Api {
            client: plain_client(),
            base: base.to_owned(),
            key: key.map(str::to_owned),
        }
    }

    fn with_auth(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.key {
            Some(key) => builder.bearer_auth(key),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.with_auth(self.client.get(format!("{}{path}", self.base)))
            .send()
            .await
            .unwrap()
    }

    /// GET, expecting 200, as JSON.
    pub async fn get_value(&self, path: &str) -> serde_json::Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    /// Posts a job, expecting 201; returns it.
    pub async fn create_job(&self, body: &serde_json::Value) -> serde_json::Value {
        let response = self.post_json("/v1/jobs", body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "job created");
        response.json().await.unwrap()
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.with_auth(self.client.delete(format!("{}{path}", self.base)))
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Response {
        self.with_auth(self.client.post(format!("{}{path}", self.base)))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch_json(&self, path: &str, body: &serde_json::Value) -> Response {
        self.with_auth(self.client.patch(format!("{}{path}", self.base)))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Response {
        self.with_auth(self.client.request(method, format!("{}{path}", self.base)))
            .headers(headers)
            .body(body)
            .send()
            .await
            .unwrap()
    }
}

pub fn new_job() -> serde_json::Value {
    serde_json::json!({
        "title": "Embedded Rust Engineer",
        "location": "Coventry",
        "work_mode": "hybrid",
        "employment_type": "permanent",
        "salary_min": 55000,
        "salary_max": 70000,
        "description": "Write motor-control firmware for e-axle inverters in Rust."
    })
}

pub async fn problem(response: Response) -> serde_json::Value {
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "errors are problem+json"
    );
    response.json().await.unwrap()
}

/// A temporary directory removed on drop, without another dependency.
pub mod tempfile_dir {
    pub struct TempDir(std::path::PathBuf);

    impl TempDir {
        pub fn new() -> Self {
            let path = std::env::temp_dir().join(format!(
                "atj-test-{}",
                autotechjobs::domain::random_token(16)
            ));
            std::fs::create_dir_all(&path).unwrap();
            TempDir(path)
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
