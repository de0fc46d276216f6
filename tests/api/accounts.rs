//! Sign-up, sign-in, sessions: QUALITY.md items 1–9.

use std::time::Duration;

use argon2::password_hash::PasswordHash;
use autotechjobs::domain::AccountType;
use reqwest::StatusCode;

use crate::helpers::{Config, PASSWORD, TestApp, TestUser};

async fn password_hash_of(app: &TestApp, email: &str) -> String {
    use autotechjobs::entities::account;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    account::Entity::find()
        .filter(account::Column::Email.eq(email))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("account stored")
        .password_hash
}

#[tokio::test]
async fn passwords_are_stored_as_salted_argon2id() {
    let app = TestApp::spawn().await;
    let a = app.browser().sign_up(AccountType::Developer).await;
    let b = app.browser().sign_up(AccountType::Developer).await;
    let (hash_a, hash_b) = (
        password_hash_of(&app, &a.email).await,
        password_hash_of(&app, &b.email).await,
    );
    assert_ne!(hash_a, hash_b, "same password, two hashes");
    assert!(!hash_a.contains(PASSWORD));
    let parsed = PasswordHash::new(&hash_a).unwrap();
    assert_eq!(parsed.algorithm.as_str(), "argon2id");
    let params = argon2::Params::try_from(&parsed).unwrap();
    assert!(params.m_cost() >= 19_456);
    assert!(params.t_cost() >= 2);
    assert_eq!(params.p_cost(), 1);
}

#[tokio::test]
async fn weak_passwords_are_refused_with_a_message_and_fields_kept() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let long = "x".repeat(129);
    for (password, message) in [
        (long.as_str(), "at most 128 characters"),
        ("password1234", "too common"),
        ("short", "at least 12 characters"),
    ] {
        let response = browser
            .submit(
                "/sign-up",
                "/sign-up",
                &[
                    ("display_name", "Priya Shah"),
                    ("email", "priya@example.co.uk"),
                    ("password", password),
                    ("account_type", "candidate"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = response.text().await.unwrap();
        assert!(body.contains(message), "message for {password:?}");
        assert!(body.contains("value=\"priya@example.co.uk\""), "email kept");
        assert!(body.contains("value=\"Priya Shah\""), "name kept");
        assert!(
            body.contains("aria-describedby=\"password-hint password-error\""),
            "error tied to the field"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM accounts").await, 0);
}

#[tokio::test]
async fn sign_up_validates_every_field() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let response = browser
        .submit(
            "/sign-up",
            "/sign-up",
            &[
                ("display_name", ""),
                ("email", "nope"),
                ("password", PASSWORD),
                ("account_type", "admin"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(body.contains("Enter your name."));
    assert!(body.contains("Enter an email address"));
    assert!(
        body.contains("Choose developer, candidate or employer."),
        "admins cannot sign up"
    );

    let response = browser
        .submit(
            "/sign-up",
            "/sign-up",
            &[
                ("display_name", "Ann"),
                ("email", "ann@example.co.uk"),
                ("password", PASSWORD),
                ("account_type", "employer"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Employers need a company name")
    );

    let user = app.browser().sign_up(AccountType::Candidate).await;
    let response = browser
        .submit(
            "/sign-up",
            "/sign-up",
            &[
                ("display_name", "Ann"),
                ("email", &user.email.to_uppercase()),
                ("password", PASSWORD),
                ("account_type", "candidate"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("already exists"));
}

#[tokio::test]
async fn sign_in_and_out_work_and_the_old_cookie_dies() {
    let app = TestApp::spawn().await;
    let user = app.browser().sign_up(AccountType::Developer).await;
    let browser = app.browser();
    let response = browser.sign_in(&user.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = session_cookie(&response).expect("a session cookie");
    let page = browser.get_html("/account/settings/developer").await;
    assert!(page.contains("Generate API Key"));

    let token = browser.csrf("/account/settings").await;
    let out = browser
        .post_form("/sign-out", &[("csrf_token", &token)])
        .await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);

    // Replay the cookie from before sign-out in a fresh client.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = replay
        .get(app.url("/account/settings/developer"))
        .header("cookie", format!("atj_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "anonymous after sign-out"
    );
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/sign-in")
    );
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("atj_session=") || v.starts_with("__Host-atj_session="))
        .map(|v| {
            v.split(';')
                .next()
                .unwrap()
                .split_once('=')
                .unwrap()
                .1
                .to_owned()
        })
        .filter(|v| !v.is_empty())
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let app = TestApp::spawn().await;
    let user = app.browser().sign_up(AccountType::Developer).await;
    let browser = app.browser();
    let wrong = browser.sign_in(&user.email, "not the password!").await;
    let wrong_status = wrong.status();
    let wrong_body = wrong.text().await.unwrap().replace(&user.email, "EMAIL");
    let unknown = browser
        .sign_in("nobody-here@example.co.uk", "not the password!")
        .await;
    let unknown_status = unknown.status();
    let unknown_body = unknown
        .text()
        .await
        .unwrap()
        .replace("nobody-here@example.co.uk", "EMAIL");
    assert_eq!(wrong_status, unknown_status);
    assert_eq!(wrong_body, unknown_body);
    assert!(wrong_body.contains("Incorrect email or password."));
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_account_without_locking_out_others() {
    let app = TestApp::spawn_with(Config {
        sign_in_max_per_account: 3,
        sign_in_max_per_ip: 50,
        ..Config::default()
    })
    .await;
    let victim = app.browser().sign_up(AccountType::Developer).await;
    let other = app.browser().sign_up(AccountType::Developer).await;
    let attacker = app.browser();
    for _ in 0..3 {
        let r = attacker.sign_in(&victim.email, "wrong password!!").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let throttled = attacker.sign_in(&victim.email, PASSWORD).await;
    assert_eq!(
        throttled.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let retry: u64 = throttled.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60);
    // The same throttle applies to unknown emails, so it reveals nothing.
    for _ in 0..3 {
        attacker
            .sign_in("ghost@example.co.uk", "wrong password!!")
            .await;
    }
    assert_eq!(
        attacker.sign_in("ghost@example.co.uk", "x").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        app.browser().sign_in(&other.email, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_ip() {
    let app = TestApp::spawn_with(Config {
        sign_in_max_per_account: 50,
        sign_in_max_per_ip: 4,
        ..Config::default()
    })
    .await;
    let user = app.browser().sign_up(AccountType::Developer).await;
    let browser = app.browser();
    for i in 0..4 {
        browser
            .sign_in(&format!("spray{i}@example.co.uk"), "wrong password!!")
            .await;
    }
    let r = browser.sign_in(&user.email, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in() {
    let app = TestApp::spawn().await;
    let user = app.browser().sign_up(AccountType::Developer).await;
    let browser = app.browser();
    let before = browser.get("/sign-in").await;
    let anonymous =
        session_cookie(&before).expect("the sign-in form starts a session for its CSRF token");
    let token = crate::helpers::hidden_field(&before.text().await.unwrap(), "csrf_token").unwrap();
    let after = browser
        .post_form(
            "/sign-in",
            &[
                ("csrf_token", &token),
                ("email", &user.email),
                ("password", PASSWORD),
            ],
        )
        .await;
    let signed_in = session_cookie(&after).expect("a new cookie");
    assert_ne!(anonymous, signed_in);
}

#[tokio::test]
async fn cookie_flags_are_set() {
    let app = TestApp::spawn().await;
    let response = app.browser().get("/sign-in").await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("atj_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Path=/"));
    assert!(!cookie.contains("Secure"));

    let secure = TestApp::spawn_with(Config {
        cookie_secure: true,
        ..Config::default()
    })
    .await;
    let response = secure.browser().get("/sign-in").await;
    assert!(response.headers().contains_key("strict-transport-security"));
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-atj_session="));
    assert!(cookie.contains("Secure"));
    assert!(cookie.contains("HttpOnly"));
    assert!(!cookie.contains("Domain="));
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = TestApp::spawn_with(Config {
        session_idle: Duration::from_secs(2),
        ..Config::default()
    })
    .await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    assert_eq!(
        browser.get("/account/settings").await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_eq!(
        browser.get("/account/settings").await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn sessions_end_at_their_absolute_lifetime_even_when_active() {
    let app = TestApp::spawn_with(Config {
        session_absolute: Duration::from_secs(3),
        ..Config::default()
    })
    .await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    for _ in 0..2 {
        assert_eq!(
            browser.get("/account/settings").await.status(),
            StatusCode::OK
        );
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        browser.get("/account/settings").await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session() {
    let app = TestApp::spawn().await;
    let user = app.browser().sign_up(AccountType::Employer).await;
    let laptop = app.browser();
    let phone = app.browser();
    laptop.sign_in(&user.email, PASSWORD).await;
    phone.sign_in(&user.email, PASSWORD).await;
    let security = phone.get_html("/account/settings/security").await;
    assert!(security.contains("This device"));
    assert!(
        security.matches("<tr>").count() >= 3,
        "both sessions listed"
    );
    let token = crate::helpers::hidden_field(&security, "csrf_token").unwrap();
    let r = phone
        .post_form(
            "/account/settings/security/sessions/revoke-all",
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        laptop.get("/account/settings").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        phone.get("/account/settings").await.status(),
        StatusCode::SEE_OTHER
    );
    // And it is in the log.
    let again = app.browser();
    again.sign_in(&user.email, PASSWORD).await;
    let log = again.get_html("/account/settings/security").await;
    assert!(log.contains("Signed out everywhere"));
    assert!(log.contains("Failed sign-in attempt") || log.contains("Signed in"));
}

#[tokio::test]
async fn sign_in_returns_to_the_page_asked_for_but_never_off_site() {
    let app = TestApp::spawn().await;
    let user: TestUser = app.browser().sign_up(AccountType::Developer).await;
    let browser = app.browser();
    let r = browser.get("/account/settings/security").await;
    assert_eq!(
        r.headers()["location"],
        "/sign-in?next=%2Faccount%2Fsettings%2Fsecurity"
    );
    let page = browser
        .get_html("/sign-in?next=/account/settings/security")
        .await;
    let token = crate::helpers::hidden_field(&page, "csrf_token").unwrap();
    let next = crate::helpers::hidden_field(&page, "next").unwrap();
    let r = browser
        .post_form(
            "/sign-in",
            &[
                ("csrf_token", &token),
                ("email", &user.email),
                ("password", PASSWORD),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/account/settings/security");

    let other = app.browser();
    let token = other.csrf("/sign-in").await;
    let r = other
        .post_form(
            "/sign-in",
            &[
                ("csrf_token", &token),
                ("email", &user.email),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/account/settings/developer");
}

#[tokio::test]
async fn cli_created_admins_can_sign_in() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Admin).await;
    let page = browser.get_html("/admin/partner-requests").await;
    assert!(page.contains("Partner requests"));
}

#[tokio::test]
async fn parallel_guesses_cannot_outrun_the_throttle() {
    let app = TestApp::spawn_with(Config {
        sign_in_max_per_account: 3,
        sign_in_max_per_ip: 100,
        ..Config::default()
    })
    .await;
    let victim = app.browser().sign_up(AccountType::Developer).await;
    let mut attempts = Vec::new();
    for i in 0..12 {
        let browser = app.browser();
        let email = victim.email.clone();
        attempts.push(tokio::spawn(async move {
            browser
                .sign_in(&email, &format!("wrong password {i}"))
                .await
                .status()
        }));
    }
    let mut refused_by_password = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            StatusCode::UNAUTHORIZED => refused_by_password += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        refused_by_password <= 3,
        "{refused_by_password} guesses were checked"
    );
}
