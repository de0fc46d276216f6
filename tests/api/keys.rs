//! The Developer tab: generate, reveal once, list, revoke, roll (issue 3).

use autotechjobs::domain::{AccountType, ApiKeySecret};
use reqwest::StatusCode;

use crate::helpers::{KeyRequest, TestApp, hidden_field, revealed_key};

#[tokio::test]
async fn each_generate_field_is_validated_and_kept() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Employer).await;
    let long = "d".repeat(101);
    let cases = [
        (
            KeyRequest {
                description: "   ",
                ..KeyRequest::default()
            },
            "description",
            "Describe what the key is for",
        ),
        (
            KeyRequest {
                description: &long,
                ..KeyRequest::default()
            },
            "description",
            "at most 100 characters",
        ),
        (
            KeyRequest {
                permission: "superuser",
                ..KeyRequest::default()
            },
            "permission",
            "Choose a permission level",
        ),
        (
            KeyRequest {
                expires_in_days: "45",
                ..KeyRequest::default()
            },
            "expires_in_days",
            "Choose 7, 30, 90 or 365 days",
        ),
        (
            KeyRequest {
                environment: "staging",
                ..KeyRequest::default()
            },
            "environment",
            "Choose live or test",
        ),
    ];
    for (request, field, message) in cases {
        let r = browser.generate_key_response(&request).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let page = r.text().await.unwrap();
        assert!(page.contains(message), "{field}: {message}");
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "{field}: error tied to the field"
        );
        if field != "description" {
            assert!(
                page.contains("value=\"Production App\""),
                "{field}: description kept"
            );
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM api_keys").await, 0);
}

#[tokio::test]
async fn the_permission_ceiling_follows_the_account_type() {
    let app = TestApp::spawn().await;
    for (account_type, allowed, refused) in [
        (
            AccountType::Developer,
            vec!["read_only"],
            vec!["standard", "partner"],
        ),
        (
            AccountType::Candidate,
            vec!["read_only", "standard"],
            vec!["partner"],
        ),
        (
            AccountType::Employer,
            vec!["read_only", "standard"],
            vec!["partner"],
        ),
    ] {
        let (browser, _) = app.signed_in(account_type).await;
        let page = browser.get_html("/account/settings/developer").await;
        for permission in &refused {
            assert!(
                page.contains(&format!("value=\"{permission}\" disabled")),
                "{account_type}: {permission} offered disabled"
            );
            let r = browser
                .generate_key_response(&KeyRequest {
                    permission,
                    ..KeyRequest::default()
                })
                .await;
            assert_eq!(
                r.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{account_type} {permission}"
            );
            assert!(
                r.text()
                    .await
                    .unwrap()
                    .contains("Your account cannot create")
            );
        }
        for permission in &allowed {
            let key = browser.key_with(permission).await;
            let me: serde_json::Value = app.api(&key).get_value("/v1/me").await;
            assert_eq!(me["key"]["permission"], *permission);
        }
    }
}

#[tokio::test]
async fn a_key_is_revealed_exactly_once() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Candidate).await;
    let page = browser.get_html("/account/settings/developer").await;
    assert!(page.contains("No API keys yet"), "empty state");
    let csrf = hidden_field(&page, "csrf_token").unwrap();
    let form_token = hidden_field(&page, "form_token").unwrap();
    let form = [
        ("csrf_token", csrf.as_str()),
        ("form_token", form_token.as_str()),
        ("description", "Production App"),
        ("permission", "standard"),
        ("expires_in_days", "30"),
        ("environment", "live"),
    ];
    let r = browser
        .post_form("/account/settings/developer/keys", &form)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let reveal = r.text().await.unwrap();
    let key = revealed_key(&reveal).expect("shown once");
    assert!(ApiKeySecret::parse(&key).is_ok());
    assert!(key.starts_with("atj_live_"));
    assert!(
        reveal.contains("won\u{2019}t be able to see it again")
            || reveal.contains("won&rsquo;t be able to see it again")
    );
    assert!(reveal.contains("data-copy-target=\"new-key\""));
    assert!(
        reveal.contains("ATJ_API_KEY"),
        "suggests an environment variable"
    );

    // Not in the list, not on reload.
    for _ in 0..2 {
        let list = browser.get_html("/account/settings/developer").await;
        assert!(!list.contains(&key));
        assert!(list.contains("Production App"));
        assert!(
            list.contains(&format!("\u{2026}{}", &key[key.len() - 4..])),
            "hint shown"
        );
    }
    // A resubmitted form mints nothing and shows nothing.
    let again = browser
        .post_form("/account/settings/developer/keys", &form)
        .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let after = browser.get_html("/account/settings/developer").await;
    assert!(after.contains("already submitted"));
    assert!(!after.contains(&key));
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM api_keys").await, 1);
    // Not in the security log or the session either.
    assert!(
        !browser
            .get_html("/account/settings/security")
            .await
            .contains(&key)
    );
    let state_hits = app
        .count(&format!(
            "SELECT COUNT(*) AS n FROM sessions WHERE state LIKE '%{}%'",
            &key[9..]
        ))
        .await;
    assert_eq!(state_hits, 0);
    // The key works.
    assert_eq!(app.api(&key).get("/v1/me").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_list_shows_every_key_state() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Employer).await;
    let active = browser
        .generate_key(&KeyRequest {
            description: "Active one",
            expires_in_days: "0",
            ..KeyRequest::default()
        })
        .await;
    let soon = browser
        .generate_key(&KeyRequest {
            description: "Soon one",
            expires_in_days: "7",
            environment: "test",
            ..KeyRequest::default()
        })
        .await;
    let revoked = browser
        .generate_key(&KeyRequest {
            description: "Revoked one",
            ..KeyRequest::default()
        })
        .await;
    let id = browser.key_id(&revoked).await;
    let token = browser
        .csrf(&format!("/account/settings/developer/keys/{id}/revoke"))
        .await;
    browser
        .post_form(
            &format!("/account/settings/developer/keys/{id}/revoke"),
            &[("csrf_token", &token), ("reason", "Leaked in CI logs")],
        )
        .await;
    app.api(&active).get("/v1/me").await;
    app.flush_usage().await;
    let page = browser.get_html("/account/settings/developer").await;
    let (active_part, inactive_part) = page.split_at(
        page.find("Revoked and expired keys")
            .expect("revoked keys listed apart"),
    );
    assert!(active_part.contains("Active one") && active_part.contains("Soon one"));
    assert!(inactive_part.contains("Revoked one") && inactive_part.contains("Leaked in CI logs"));
    assert!(active_part.contains("badge-expiring") && active_part.contains("Expires soon"));
    assert!(
        active_part.contains("Never"),
        "never-expiring and never-used keys say so"
    );
    assert!(active_part.contains("127.0.0.1"), "last used IP");
    assert!(active_part.contains("badge-test"));
    assert!(active_part.contains("class=\"sparkline\""));
    assert!(!page.contains(&active) && !page.contains(&soon));
}

#[tokio::test]
async fn revoking_needs_confirmation_and_takes_effect_on_the_next_request() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let key = browser
        .generate_key(&KeyRequest {
            description: "Staging worker",
            ..KeyRequest::default()
        })
        .await;
    let api = app.api(&key);
    assert_eq!(api.get("/v1/jobs").await.status(), StatusCode::OK);
    let id = browser.key_id(&key).await;
    let confirm = browser
        .get_html(&format!("/account/settings/developer/keys/{id}/revoke"))
        .await;
    assert!(
        confirm.contains("Revoke &ldquo;Staging worker&rdquo;?")
            || confirm.contains("Staging worker")
    );
    assert!(confirm.contains("Revoke Key"));
    let token = hidden_field(&confirm, "csrf_token").unwrap();
    let r = browser
        .post_form(
            &format!("/account/settings/developer/keys/{id}/revoke"),
            &[("csrf_token", &token), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = api.get("/v1/jobs").await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "revoked on the very next request"
    );
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    let log = browser.get_html("/account/settings/security").await;
    assert!(log.contains("API key revoked"));
    assert!(log.contains("Revoked API key used"));
    // A second revoke is refused politely.
    let r = browser
        .post_form(
            &format!("/account/settings/developer/keys/{id}/revoke"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

async fn roll(
    browser: &crate::helpers::Browser,
    key: &str,
    grace: &str,
) -> (reqwest::StatusCode, String) {
    let id = browser.key_id(key).await;
    let page = browser
        .get_html(&format!("/account/settings/developer/keys/{id}/roll"))
        .await;
    let csrf = hidden_field(&page, "csrf_token").unwrap();
    let form_token = hidden_field(&page, "form_token").unwrap();
    let r = browser
        .post_form(
            &format!("/account/settings/developer/keys/{id}/roll"),
            &[
                ("csrf_token", &csrf),
                ("form_token", &form_token),
                ("grace_hours", grace),
            ],
        )
        .await;
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn rolling_without_grace_stops_the_old_key_at_once() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Employer).await;
    let old = browser
        .generate_key(&KeyRequest {
            description: "Mobile backend",
            permission: "standard",
            environment: "test",
            ..KeyRequest::default()
        })
        .await;
    let (status, page) = roll(&browser, &old, "0").await;
    assert_eq!(status, StatusCode::OK);
    let new = revealed_key(&page).expect("replacement revealed once");
    assert_ne!(new, old);
    assert!(new.starts_with("atj_test_"), "same environment");
    assert_eq!(
        app.api(&old).get("/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let me: serde_json::Value = app.api(&new).get_value("/v1/me").await;
    assert_eq!(me["key"]["description"], "Mobile backend");
    assert_eq!(me["key"]["permission"], "standard");
    let list = browser.get_html("/account/settings/developer").await;
    assert!(list.contains("Replaces Mobile backend"));
    assert!(list.contains("Replaced by Mobile backend"));
    assert!(
        browser
            .get_html("/account/settings/security")
            .await
            .contains("API key rolled")
    );
}

#[tokio::test]
async fn rolling_with_grace_keeps_the_old_key_working_until_it_ends() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let old = browser.generate_key(&KeyRequest::default()).await;
    let (status, page) = roll(&browser, &old, "24").await;
    assert_eq!(status, StatusCode::OK);
    let new = revealed_key(&page).unwrap();
    assert_eq!(
        app.api(&old).get("/v1/me").await.status(),
        StatusCode::OK,
        "old key in its grace period"
    );
    assert_eq!(app.api(&new).get("/v1/me").await.status(), StatusCode::OK);
    let hours_left = app
        .count("SELECT COUNT(*) AS n FROM api_keys WHERE rolled_from IS NULL AND revoked_at IS NULL AND expires_at IS NOT NULL")
        .await;
    assert_eq!(hours_left, 1, "the old key now has an end");
    // When the grace ends, the old key stops (after the sub-second cache).
    expire_key(&app, &old).await;
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    assert_eq!(
        app.api(&old).get("/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.api(&new).get("/v1/me").await.status(), StatusCode::OK);
    // Rolling twice from the same form mints one key.
    let (status, _) = roll(&browser, &new, "1").await;
    assert_eq!(status, StatusCode::OK);
}

async fn expire_key(app: &TestApp, key: &str) {
    use autotechjobs::entities::api_key;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let hash = ApiKeySecret::parse(key).unwrap().hash();
    api_key::Entity::update_many()
        .col_expr(
            api_key::Column::ExpiresAt,
            Expr::value(autotechjobs::time_fmt::now() - time::Duration::seconds(1)),
        )
        .filter(api_key::Column::KeyHash.eq(hash))
        .exec(&app.state.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn expired_keys_are_refused_and_logged() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Candidate).await;
    let key = browser
        .generate_key(&KeyRequest {
            expires_in_days: "7",
            ..KeyRequest::default()
        })
        .await;
    expire_key(&app, &key).await;
    // Past the in-memory cache's lifetime too.
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let r = app.api(&key).get("/v1/jobs").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        browser
            .get_html("/account/settings/security")
            .await
            .contains("Expired API key used")
    );
    let list = browser.get_html("/account/settings/developer").await;
    assert!(list.contains("badge-expired"));
}

#[tokio::test]
async fn another_account_cannot_see_revoke_or_roll_my_key() {
    let app = TestApp::spawn().await;
    let (owner, _) = app.signed_in(AccountType::Employer).await;
    let key = owner
        .generate_key(&KeyRequest {
            description: "Owner key",
            ..KeyRequest::default()
        })
        .await;
    let id = owner.key_id(&key).await;
    let (intruder, _) = app.signed_in(AccountType::Employer).await;
    assert!(
        !intruder
            .get_html("/account/settings/developer")
            .await
            .contains("Owner key")
    );
    for path in [
        format!("/account/settings/developer/keys/{id}/revoke"),
        format!("/account/settings/developer/keys/{id}/roll"),
    ] {
        assert_eq!(
            intruder.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "GET {path}"
        );
        let token = intruder.csrf("/account/settings").await;
        let r = intruder
            .post_form(
                &path,
                &[
                    ("csrf_token", &token),
                    ("grace_hours", "0"),
                    ("form_token", "00112233445566778899aabbccddeeff"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "POST {path}");
    }
    assert_eq!(app.api(&key).get("/v1/me").await.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM api_keys").await, 1);
}

#[tokio::test]
async fn last_used_appears_on_the_developer_tab_after_a_call() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let key = browser.generate_key(&KeyRequest::default()).await;
    let before = browser.get_html("/account/settings/developer").await;
    assert!(before.contains("0 requests"));
    for _ in 0..3 {
        app.api(&key).get("/v1/jobs").await;
    }
    // The buffer is written within about a second, without our help.
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let after = browser.get_html("/account/settings/developer").await;
    assert!(after.contains("3 requests"));
    assert!(after.contains("127.0.0.1"));
    assert!(after.contains("just now"));
    assert_eq!(app.count("SELECT use_count AS n FROM api_keys").await, 3);
    assert!(
        browser
            .get_html("/account/settings/security")
            .await
            .contains("API key used from a different IP address")
    );
}

#[tokio::test]
async fn a_form_with_only_the_documented_fields_works() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let token = browser.csrf("/account/settings/developer").await;
    let r = browser
        .post_form(
            "/account/settings/developer/keys",
            &[("csrf_token", &token), ("description", "Script")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let key = revealed_key(&r.text().await.unwrap()).unwrap();
    assert!(key.starts_with("atj_live_"), "live by default");
    let me: serde_json::Value = app.api(&key).get_value("/v1/me").await;
    assert_eq!(
        me["key"]["permission"], "read_only",
        "least privilege by default"
    );
    let expires = time::OffsetDateTime::parse(
        me["key"]["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let days = (expires - time::OffsetDateTime::now_utc()).whole_days();
    assert!((89..=90).contains(&days), "90 days by default ({days})");
}

#[tokio::test]
async fn forwarded_headers_from_clients_are_not_trusted_for_the_last_used_ip() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let key = browser.generate_key(&KeyRequest::default()).await;
    reqwest::Client::new()
        .get(app.url("/v1/me"))
        .bearer_auth(&key)
        .header("x-forwarded-for", "203.0.113.66")
        .header("forwarded", "for=203.0.113.66")
        .send()
        .await
        .unwrap();
    app.flush_usage().await;
    let page = browser.get_html("/account/settings/developer").await;
    assert!(page.contains("127.0.0.1"));
    assert!(!page.contains("203.0.113.66"));
}
