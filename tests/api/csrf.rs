//! QUALITY.md item 10: every POST needs the session's token; cross-site
//! POSTs are refused; nothing changes either way.

use autotechjobs::domain::AccountType;
use reqwest::StatusCode;

use crate::helpers::{KeyRequest, TestApp, hidden_field};

#[tokio::test]
async fn every_form_refuses_a_missing_or_wrong_token_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Employer).await;
    let key = browser.generate_key(&KeyRequest::default()).await;
    let key_id = browser.key_id(&key).await;
    let keys_before = app.count("SELECT COUNT(*) AS n FROM api_keys").await;
    let revoke = format!("/account/settings/developer/keys/{key_id}/revoke");
    let roll = format!("/account/settings/developer/keys/{key_id}/roll");
    let forms: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/account/settings/developer/keys",
            vec![
                ("description", "x"),
                ("permission", "read_only"),
                ("expires_in_days", "90"),
                ("environment", "live"),
                ("form_token", "00112233445566778899aabbccddeeff"),
            ],
        ),
        (&revoke, vec![("reason", "")]),
        (
            &roll,
            vec![
                ("grace_hours", "0"),
                ("form_token", "00112233445566778899aabbccddeeff"),
            ],
        ),
        (
            "/account/settings/developer/partner",
            vec![
                ("company", "Acme"),
                ("website", "https://acme.example"),
                ("use_case", "A long enough use case"),
            ],
        ),
        ("/account/settings/security/sessions/revoke-all", vec![]),
        ("/sign-out", vec![]),
        (
            "/sign-in",
            vec![
                ("email", "a@example.co.uk"),
                ("password", "whatever password"),
            ],
        ),
        (
            "/sign-up",
            vec![
                ("display_name", "X"),
                ("email", "x@example.co.uk"),
                ("password", "gearbox torque silver"),
                ("account_type", "developer"),
            ],
        ),
    ];
    for (action, fields) in &forms {
        let missing = browser.post_form(action, fields).await;
        assert_eq!(
            missing.status(),
            StatusCode::FORBIDDEN,
            "{action} without a token"
        );
        let mut wrong = fields.clone();
        wrong.push((
            "csrf_token",
            "0000000000000000000000000000000000000000000000000000000000000000",
        ));
        let wrong = browser.post_form(action, &wrong).await;
        assert_eq!(
            wrong.status(),
            StatusCode::FORBIDDEN,
            "{action} with a wrong token"
        );
        assert!(
            wrong
                .text()
                .await
                .unwrap()
                .contains("did not come from this site")
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM api_keys").await,
        keys_before
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM partner_requests")
            .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM accounts").await, 1);
    // Still signed in: sign-out and revoke-all did nothing.
    assert_eq!(
        browser.get("/account/settings").await.status(),
        StatusCode::OK
    );
    assert!(app.api(&key).get("/v1/me").await.status().is_success());
}

#[tokio::test]
async fn cross_site_posts_are_refused_even_with_the_right_token() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let page = browser.get_html("/account/settings/developer").await;
    let csrf = hidden_field(&page, "csrf_token").unwrap();
    let form_token = hidden_field(&page, "form_token").unwrap();
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("form_token", form_token.as_str()),
        ("description", "Sneaky"),
        ("permission", "read_only"),
        ("expires_in_days", "90"),
        ("environment", "live"),
    ];
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let r = browser
            .client
            .post(browser.url("/account/settings/developer/keys"))
            .header(header, value)
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{header}: {value}");
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM api_keys").await, 0);
    // Same-origin requests with the token go through.
    let origin = app.address.clone();
    let r = browser
        .client
        .post(browser.url("/account/settings/developer/keys"))
        .header("origin", origin)
        .header("sec-fetch-site", "same-origin")
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM api_keys").await, 1);
}

#[tokio::test]
async fn get_requests_never_change_state() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let key = browser.generate_key(&KeyRequest::default()).await;
    let id = browser.key_id(&key).await;
    for path in [
        format!("/account/settings/developer/keys/{id}/revoke"),
        format!("/account/settings/developer/keys/{id}/roll"),
        "/account/settings/developer/keys".to_owned(),
        "/sign-out".to_owned(),
    ] {
        browser.get(&path).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL")
            .await,
        1
    );
    assert_eq!(
        browser.get("/account/settings").await.status(),
        StatusCode::OK
    );
}
