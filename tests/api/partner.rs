//! Partner access: request, admin review, partner keys and the feed (issue 6).

use std::collections::HashMap;

use autotechjobs::domain::AccountType;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Browser, KeyRequest, TestApp, hidden_field, new_job, problem};

const USE_CASE: &str = "We run an applicant tracking system for UK automotive suppliers and want to list every open role.";

async fn request_partner(browser: &Browser) -> reqwest::Response {
    browser
        .submit(
            "/account/settings/developer/partner",
            "/account/settings/developer/partner",
            &[
                ("company", "Gearbox ATS Ltd"),
                ("website", "https://gearbox-ats.example"),
                ("use_case", USE_CASE),
            ],
        )
        .await
}

async fn decide(admin: &Browser, decision: &str, note: &str) -> reqwest::Response {
    let queue = admin
        .get_html("/admin/partner-requests?status=pending")
        .await;
    let marker = "/admin/partner-requests/";
    let id_start = queue.find(marker).expect("a pending request") + marker.len();
    let id = &queue[id_start..id_start + 36];
    let token = hidden_field(&queue, "csrf_token").unwrap();
    admin
        .post_form(
            &format!("/admin/partner-requests/{id}/{decision}"),
            &[("csrf_token", &token), ("note", note)],
        )
        .await
}

#[tokio::test]
async fn request_approve_partner_key_and_feed() {
    let app = TestApp::spawn().await;
    let (browser, user) = app.signed_in(AccountType::Developer).await;
    let tab = browser.get_html("/account/settings/developer").await;
    assert!(tab.contains("Request partner access"));
    assert!(tab.contains("value=\"partner\" disabled"));
    let r = request_partner(&browser).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let tab = browser.get_html("/account/settings/developer").await;
    assert!(tab.contains("badge-pending"));
    assert!(
        !tab.contains("href=\"/account/settings/developer/partner\""),
        "one open request at a time"
    );
    let r = request_partner(&browser).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM partner_requests")
            .await,
        1
    );

    let (admin, _) = app.signed_in(AccountType::Admin).await;
    let queue = admin.get_html("/admin/partner-requests").await;
    assert!(
        queue.contains("Gearbox ATS Ltd")
            && queue.contains(&user.email)
            && queue.contains(USE_CASE)
    );
    assert!(queue.contains("Active keys"));
    let r = decide(&admin, "approve", "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let tab = browser.get_html("/account/settings/developer").await;
    assert!(tab.contains("Approved partner"));
    assert!(!tab.contains("value=\"partner\" disabled"));
    let key = browser.key_with("partner").await;
    let r = app.api(&key).get("/v1/partner/jobs").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-ratelimit-limit"], "1000");
    assert!(
        browser
            .get_html("/account/settings/security")
            .await
            .contains("Partner access approved")
    );
}

#[tokio::test]
async fn a_rejection_with_its_note_is_shown_to_the_account() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Employer).await;
    request_partner(&browser).await;
    let (admin, _) = app.signed_in(AccountType::Admin).await;
    let r = decide(&admin, "reject", "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        admin
            .get_html("/admin/partner-requests")
            .await
            .contains("Write a note"),
        "a note is required to reject"
    );
    let r = decide(
        &admin,
        "reject",
        "Please tell us which ATS you integrate with.",
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let tab = browser.get_html("/account/settings/developer").await;
    assert!(tab.contains("Not approved"));
    assert!(tab.contains("Please tell us which ATS you integrate with."));
    assert!(tab.contains("You can ask again"));
    assert!(
        browser
            .get_html("/account/settings/security")
            .await
            .contains("Partner access rejected")
    );
}

#[tokio::test]
async fn the_request_form_is_validated() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Candidate).await;
    let r = browser
        .submit(
            "/account/settings/developer/partner",
            "/account/settings/developer/partner",
            &[
                ("company", ""),
                ("website", "not a url"),
                ("use_case", "too short"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("Enter your company name."));
    assert!(page.contains("starting with https://"));
    assert!(page.contains("at least 10 characters"));
    assert!(page.contains(">too short</textarea>"), "input kept");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM partner_requests")
            .await,
        0
    );
}

#[tokio::test]
async fn non_partner_keys_cannot_read_the_feed() {
    let app = TestApp::spawn().await;
    for account_type in [
        AccountType::Developer,
        AccountType::Candidate,
        AccountType::Employer,
    ] {
        let (browser, _) = app.signed_in(account_type).await;
        let permission = if account_type == AccountType::Developer {
            "read_only"
        } else {
            "standard"
        };
        let r = app
            .api(&browser.key_with(permission).await)
            .get("/v1/partner/jobs")
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(
            r.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("insufficient_scope")
        );
    }
}

#[tokio::test]
async fn the_admin_area_is_404_for_everyone_else() {
    let app = TestApp::spawn().await;
    let anonymous = app.browser();
    let (developer, _) = app.signed_in(AccountType::Developer).await;
    for browser in [&anonymous, &developer] {
        for path in [
            "/admin",
            "/admin/partner-requests",
            "/admin/partner-requests?status=pending",
        ] {
            assert_eq!(
                browser.get(path).await.status(),
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
    }
    let token = developer.csrf("/account/settings").await;
    let r = developer
        .post_form(
            "/admin/partner-requests/01890000-0000-7000-8000-000000000000/approve",
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        !developer
            .get_html("/account/settings")
            .await
            .contains("href=\"/admin/partner-requests\"")
    );
}

#[tokio::test]
async fn admin_forms_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    request_partner(&browser).await;
    let (admin, _) = app.signed_in(AccountType::Admin).await;
    let queue = admin.get_html("/admin/partner-requests").await;
    let start = queue.find("/admin/partner-requests/").unwrap() + "/admin/partner-requests/".len();
    let id = &queue[start..start + 36];
    for decision in ["approve", "reject", "revoke"] {
        let r = admin
            .post_form(
                &format!("/admin/partner-requests/{id}/{decision}"),
                &[("note", "n")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{decision}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM partner_requests WHERE status = 'pending'")
            .await,
        1
    );
}

#[tokio::test]
async fn revoking_partner_status_downgrades_keys_on_the_next_request() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Employer).await;
    request_partner(&browser).await;
    let (admin, _) = app.signed_in(AccountType::Admin).await;
    decide(&admin, "approve", "").await;
    let key = browser.key_with("partner").await;
    let api = app.api(&key);
    assert_eq!(api.get("/v1/partner/jobs").await.status(), StatusCode::OK);
    // Standard writes still work for a partner employer key.
    assert_eq!(
        api.post_json("/v1/jobs", &new_job()).await.status(),
        StatusCode::CREATED
    );

    let queue = admin
        .get_html("/admin/partner-requests?status=approved")
        .await;
    let start = queue.find("/revoke\"").expect("a revoke form");
    let id_start = queue[..start].rfind("/admin/partner-requests/").unwrap()
        + "/admin/partner-requests/".len();
    let id = &queue[id_start..id_start + 36];
    let token = hidden_field(&queue, "csrf_token").unwrap();
    let r = admin
        .post_form(
            &format!("/admin/partner-requests/{id}/revoke"),
            &[("csrf_token", &token), ("note", "Contract ended")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let r = api.get("/v1/partner/jobs").await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "on the very next request"
    );
    assert_eq!(problem(r).await["code"], "insufficient_scope");
    assert_eq!(
        api.post_json("/v1/jobs", &new_job()).await.status(),
        StatusCode::CREATED,
        "downgraded to standard, not dead"
    );
    let me: Value = api.get_value("/v1/me").await;
    assert_eq!(me["key"]["permission"], "standard");
    let tab = browser.get_html("/account/settings/developer").await;
    assert!(tab.contains("Contract ended"), "the owner sees why");
    assert!(tab.contains("Acts as Standard since partner access was withdrawn"));
    assert!(
        browser
            .get_html("/account/settings/security")
            .await
            .contains("Partner access revoked")
    );
    let _ = browser.generate_key(&KeyRequest::default()).await;
}

#[tokio::test]
async fn the_feed_returns_every_version_once_while_jobs_change() {
    let app = TestApp::spawn_with(crate::helpers::Config {
        demo_data: true,
        ..Default::default()
    })
    .await;
    let (browser, user) = app.signed_in(AccountType::Developer).await;
    app.make_partner(&user).await;
    let api = app.api(&browser.key_with("partner").await);
    // Close one job: the feed includes closed jobs.
    let (employer, _) = app.signed_in(AccountType::Employer).await;
    let employer_api = app.api(&employer.key_with("standard").await);
    let own: Value = employer_api.create_job(&new_job()).await;
    let own_id = own["id"].as_str().unwrap().to_owned();
    employer_api.delete(&format!("/v1/jobs/{own_id}")).await;
    // The feed serves changes once they have settled.
    let settle = std::time::Duration::from_millis(2100);
    tokio::time::sleep(settle).await;

    // Another task edits jobs while we page.
    let all_ids: Vec<String> = {
        let first: Value = api.get_value("/v1/partner/jobs?per_page=100").await;
        first["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(all_ids.len(), 31);
    let db = app.state.db.clone();
    let ids = all_ids.clone();
    let updater = tokio::spawn(async move {
        use autotechjobs::entities::job;
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        for round in 0..40 {
            let id = uuid::Uuid::parse_str(&ids[(round * 7) % ids.len()]).unwrap();
            job::Entity::update_many()
                .col_expr(
                    job::Column::UpdatedAt,
                    Expr::value(autotechjobs::time_fmt::now()),
                )
                .col_expr(job::Column::Title, Expr::value(format!("Edited {round}")))
                .filter(job::Column::Id.eq(id))
                .exec(&db)
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        }
    });
    let mut seen: HashMap<String, Vec<String>> = HashMap::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/partner/jobs?per_page=4&cursor={c}"),
            None => "/v1/partner/jobs?per_page=4".to_owned(),
        };
        let page: Value = api.get_value(&path).await;
        for job in page["data"].as_array().unwrap() {
            seen.entry(job["id"].as_str().unwrap().to_owned())
                .or_default()
                .push(job["updated_at"].as_str().unwrap().to_owned());
        }
        pages += 1;
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if !page["has_more"].as_bool().unwrap() {
            // At the end: keep polling from here until the edits stop.
            if updater.is_finished() {
                tokio::time::sleep(settle).await;
                let tail: Value = api
                    .get_value(&format!(
                        "/v1/partner/jobs?per_page=100&cursor={}",
                        cursor.clone().unwrap()
                    ))
                    .await;
                for job in tail["data"].as_array().unwrap() {
                    seen.entry(job["id"].as_str().unwrap().to_owned())
                        .or_default()
                        .push(job["updated_at"].as_str().unwrap().to_owned());
                }
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(pages < 500, "the feed ends");
    }
    updater.await.unwrap();
    for id in &all_ids {
        let versions = seen.get(id).unwrap_or_else(|| panic!("job {id} skipped"));
        let mut sorted = versions.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), versions.len(), "job {id}: a version repeated");
    }
    assert_eq!(seen.len(), all_ids.len(), "exactly the jobs that exist");
    assert!(seen.contains_key(&own_id), "closed jobs are in the feed");
    // updated_since filters.
    let future = api
        .get("/v1/partner/jobs?updated_since=2999-01-01T00:00:00Z")
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(future["data"].as_array().unwrap().len(), 0);
    assert_eq!(
        api.get("/v1/partner/jobs?cursor=nonsense").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.get("/v1/partner/jobs?updated_since=yesterday")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    let overflowing = hex_encode(&format!("{}.{}", i128::MAX, uuid::Uuid::nil().simple()));
    assert_eq!(
        api.get(&format!("/v1/partner/jobs?cursor={overflowing}"))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    // A non-UTC offset means the same instant.
    let offset: Value = api
        .get_value("/v1/partner/jobs?updated_since=2999-01-01T01:00:00%2B01:00")
        .await;
    assert_eq!(offset["data"].as_array().unwrap().len(), 0);
    let past: Value = api
        .get_value("/v1/partner/jobs?updated_since=2000-01-01T01:00:00%2B01:00&per_page=100")
        .await;
    assert_eq!(past["data"].as_array().unwrap().len(), 31);
    let _ = json!(null);
}

fn hex_encode(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}
