//! QUALITY.md items 11–13: security headers, no CORS reflection, escaping.

use autotechjobs::domain::AccountType;
use reqwest::StatusCode;

use crate::helpers::{KeyRequest, TestApp};

fn assert_html_headers(response: &reqwest::Response, what: &str) {
    let h = response.headers();
    let csp = h
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: CSP"))
        .to_str()
        .unwrap();
    for directive in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{what}: {directive}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: no unsafe-inline");
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert!(h.contains_key("referrer-policy"), "{what}");
    assert_eq!(h["content-type"], "text/html; charset=utf-8", "{what}");
}

#[tokio::test]
async fn html_pages_and_error_pages_carry_security_headers() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for path in [
        "/",
        "/sign-in",
        "/sign-up",
        "/docs/authentication",
        "/no-such-page",
    ] {
        let r = browser.get(path).await;
        assert_html_headers(&r, path);
    }
    let r = browser.get("/no-such-page").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body = r.text().await.unwrap();
    assert!(body.contains("Page not found"));
    assert!(
        body.contains("<nav class=\"site-nav\""),
        "error pages use the layout"
    );
    assert!(
        !browser
            .get("/")
            .await
            .headers()
            .contains_key("strict-transport-security"),
        "no HSTS over plain HTTP"
    );
}

#[tokio::test]
async fn forbidden_and_unprocessable_pages_are_html_in_the_layout() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let r = browser.post_form("/sign-in", &[("email", "x")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_html_headers(&r, "403");
    let r = browser
        .submit("/sign-up", "/sign-up", &[("email", "bad")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_html_headers(&r, "422");
}

#[tokio::test]
async fn foreign_origins_are_not_reflected_in_cors_headers() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    for path in ["/v1/jobs", "/", "/v1/openapi.json", "/sign-in"] {
        let r = client
            .get(app.url(path))
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        let allow = r
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_ne!(allow.as_deref(), Some("https://evil.example"), "{path}");
        assert!(
            !r.headers().contains_key("access-control-allow-credentials"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn user_input_is_rendered_as_text() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let script = "<script>alert(1)</script>";
    let r = browser
        .submit(
            "/sign-up",
            "/sign-up",
            &[
                ("display_name", script),
                ("email", "xss@example.co.uk"),
                ("password", "gearbox torque silver"),
                ("account_type", "developer"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    browser
        .generate_key(&KeyRequest {
            description: script,
            ..KeyRequest::default()
        })
        .await;
    for path in ["/account/settings", "/account/settings/developer"] {
        let page = browser.get_html(path).await;
        assert!(!page.contains(script), "{path} has raw markup");
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                || page.contains("&#60;script&#62;"),
            "{path} shows it escaped"
        );
    }
    // A job titled <script> comes back from the API as data, not markup.
    let (employer, _) = app.signed_in(AccountType::Employer).await;
    let key = employer.key_with("standard").await;
    let mut job = crate::helpers::new_job();
    job["title"] = serde_json::json!(script);
    let r = app.api(&key).post_json("/v1/jobs", &job).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["title"],
        script
    );
}

#[tokio::test]
async fn static_assets_are_versioned_and_cached_long() {
    let app = TestApp::spawn().await;
    let page = app.browser().get_html("/").await;
    let start = page
        .find("/static/css/app.css?v=")
        .expect("versioned stylesheet");
    let end = page[start..].find('"').unwrap() + start;
    let r = app.browser().get(&page[start..end]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/css; charset=utf-8");
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=31536000")
    );
    let js = app.browser().get("/static/js/app.js").await;
    assert_eq!(js.status(), StatusCode::OK);
    assert!(
        !js.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable"),
        "unversioned URLs are not cached for long"
    );
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let r = app.browser().get("/healthz").await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.browser().get("/readyz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("\"database\":\"ok\""));
}

#[tokio::test]
async fn the_database_going_away_fails_closed() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let key = browser.generate_key(&KeyRequest::default()).await;
    assert_eq!(app.api(&key).get("/v1/jobs").await.status(), StatusCode::OK);
    app.state.db.close_by_ref().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;

    let r = app.api(&key).get("/v1/jobs").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("retry-after"));
    let body = crate::helpers::problem(r).await;
    assert_eq!(body["code"], "service_unavailable");
    let text = body.to_string().to_lowercase();
    for leak in ["sqlx", "select", "pool", "panicked", "/src/"] {
        assert!(!text.contains(leak), "error body leaks {leak}");
    }
    let r = browser.get("/account/settings/developer").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = r.text().await.unwrap();
    assert!(page.contains("Temporarily unavailable"));
    assert_eq!(
        app.browser().get("/readyz").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(app.browser().get("/healthz").await.status(), StatusCode::OK);
    // A malformed key is refused without the database at all.
    let r = app
        .api("atj_live_notarealkeynotarealkeynotarealke000000")
        .get("/v1/jobs")
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
