//! Jobs and applications through the API: behaviour, ownership (no BOLA)
//! and no mass assignment.

use autotechjobs::domain::AccountType;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Api, Config, TestApp, new_job, problem};

async fn employer_api(app: &TestApp) -> Api {
    let (browser, _) = app.signed_in(AccountType::Employer).await;
    app.api(&browser.key_with("standard").await)
}

async fn candidate_api(app: &TestApp) -> Api {
    let (browser, _) = app.signed_in(AccountType::Candidate).await;
    app.api(&browser.key_with("standard").await)
}

const LETTER: &str = "I have shipped AUTOSAR software for six years and would love to help.";

#[tokio::test]
async fn jobs_are_listed_with_filters_pagination_and_total() {
    let app = TestApp::spawn_with(Config {
        demo_data: true,
        ..Config::default()
    })
    .await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let api = app.api(&browser.key_with("read_only").await);
    let all: Value = api.get_value("/v1/jobs").await;
    assert_eq!(all["total"], 30);
    assert_eq!(all["page"], 1);
    assert_eq!(all["per_page"], 20);
    assert_eq!(all["data"].as_array().unwrap().len(), 20);
    let first = &all["data"][0];
    for field in [
        "id",
        "title",
        "company",
        "location",
        "work_mode",
        "employment_type",
        "salary_min",
        "salary_max",
        "description",
        "status",
        "created_at",
        "updated_at",
    ] {
        assert!(first.get(field).is_some(), "job has {field}");
    }
    assert!(
        time::OffsetDateTime::parse(
            first["created_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339
        )
        .is_ok()
    );
    let page2: Value = api.get_value("/v1/jobs?page=2&per_page=20").await;
    assert_eq!(page2["data"].as_array().unwrap().len(), 10);
    assert_ne!(page2["data"][0]["id"], all["data"][0]["id"]);

    let remote: Value = api
        .get_value("/v1/jobs?work_mode=remote&per_page=100")
        .await;
    assert!(remote["total"].as_u64().unwrap() > 0);
    assert!(
        remote["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["work_mode"] == "remote")
    );
    let coventry: Value = api.get_value("/v1/jobs?location=coventry").await;
    assert!(
        coventry["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["location"] == "Coventry")
    );
    let rust: Value = api.get_value("/v1/jobs?q=RUST").await;
    assert!(rust["total"].as_u64().unwrap() >= 1);
    assert!(
        rust["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j.to_string().to_lowercase().contains("rust"))
    );
    let percent: Value = api.get_value("/v1/jobs?q=8%25").await;
    assert_eq!(
        percent["total"], 30,
        "every description offers an 8% pension"
    );
    let wild: Value = api.get_value("/v1/jobs?q=8_").await;
    assert_eq!(
        wild["total"], 0,
        "_ is matched literally, not as a wildcard"
    );
    let injection: Value = api.get_value("/v1/jobs?q=%27%20OR%201%3D1%20--").await;
    assert_eq!(
        injection["total"], 0,
        "parameterized: a quote is just a character"
    );
}

#[tokio::test]
async fn employers_post_edit_and_close_their_jobs() {
    let app = TestApp::spawn().await;
    let api = employer_api(&app).await;
    let job = api.create_job(&new_job()).await;
    assert_eq!(job["status"], "open");
    assert!(
        job["company"].as_str().unwrap().starts_with("Company "),
        "defaults to the account's company"
    );
    let id = job["id"].as_str().unwrap();
    let r = api
        .patch_json(
            &format!("/v1/jobs/{id}"),
            &json!({"salary_max": 80000, "location": "Leamington Spa"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let edited: Value = r.json().await.unwrap();
    assert_eq!(edited["salary_max"], 80000);
    assert_eq!(edited["location"], "Leamington Spa");
    assert_eq!(edited["title"], "Embedded Rust Engineer");
    let r = api
        .patch_json(&format!("/v1/jobs/{id}"), &json!({"salary_min": 90000}))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "min above max"
    );
    let r = api.delete(&format!("/v1/jobs/{id}")).await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "closed");
    let list: Value = api.get_value("/v1/jobs").await;
    assert_eq!(list["total"], 0, "closed jobs leave the search");
    assert_eq!(
        api.get(&format!("/v1/jobs/{id}")).await.status(),
        StatusCode::OK,
        "but stay readable"
    );
}

#[tokio::test]
async fn job_fields_are_validated_with_messages_per_field() {
    let app = TestApp::spawn().await;
    let api = employer_api(&app).await;
    let mut bad = new_job();
    bad["title"] = json!("x");
    bad["salary_min"] = json!(-5);
    bad["description"] = json!("short");
    let r = api.post_json("/v1/jobs", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = problem(r).await;
    assert_eq!(body["code"], "validation_failed");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["description", "salary_min", "title"]);
    let mut swapped = new_job();
    swapped["salary_min"] = json!(90000);
    assert_eq!(
        api.post_json("/v1/jobs", &swapped).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut mode = new_job();
    mode["work_mode"] = json!("underwater");
    assert_eq!(
        api.post_json("/v1/jobs", &mode).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM jobs").await, 0);
}

#[tokio::test]
async fn server_owned_and_unknown_fields_are_refused() {
    let app = TestApp::spawn().await;
    let api = employer_api(&app).await;
    for (field, value) in [
        ("id", json!("01890000-0000-7000-8000-000000000000")),
        ("employer_id", json!("01890000-0000-7000-8000-000000000000")),
        ("status", json!("closed")),
        ("created_at", json!("2020-01-01T00:00:00Z")),
        ("is_featured", json!(true)),
    ] {
        let mut body = new_job();
        body[field] = value;
        let r = api.post_json("/v1/jobs", &body).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{field}");
        let problem = problem(r).await;
        assert_eq!(problem["code"], "invalid_body");
        assert!(
            problem["detail"].as_str().unwrap().contains(field),
            "names {field}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM jobs").await, 0);
    let job = api.create_job(&new_job()).await;
    let r = api
        .patch_json(
            &format!("/v1/jobs/{}", job["id"].as_str().unwrap()),
            &json!({"employer_id": "x"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn candidates_apply_list_and_withdraw() {
    let app = TestApp::spawn().await;
    let employer = employer_api(&app).await;
    let candidate = candidate_api(&app).await;
    let job = employer.create_job(&new_job()).await;
    let id = job["id"].as_str().unwrap();
    let r = candidate
        .post_json(
            &format!("/v1/jobs/{id}/applications"),
            &json!({"cover_letter": LETTER}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let application: Value = r.json().await.unwrap();
    assert_eq!(application["status"], "submitted");
    let r = candidate
        .post_json(
            &format!("/v1/jobs/{id}/applications"),
            &json!({"cover_letter": LETTER}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "one application per job");
    let mine: Value = candidate.get_value("/v1/applications").await;
    assert_eq!(mine["data"][0]["job_title"], "Embedded Rust Engineer");
    assert_eq!(
        (
            mine["page"].as_u64(),
            mine["per_page"].as_u64(),
            mine["total"].as_u64()
        ),
        (Some(1), Some(20), Some(1))
    );
    let empty: Value = candidate
        .get_value("/v1/applications?page=2&per_page=1")
        .await;
    assert_eq!(empty["data"].as_array().unwrap().len(), 0);
    assert_eq!(empty["total"], 1);
    assert_eq!(
        candidate
            .get("/v1/applications?per_page=101")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    let theirs: Value = employer
        .get_value(&format!("/v1/jobs/{id}/applications"))
        .await;
    assert_eq!(theirs["data"].as_array().unwrap().len(), 1);
    assert_eq!(theirs["total"], 1);
    assert_eq!(theirs["data"][0]["cover_letter"], LETTER);
    let app_id = application["id"].as_str().unwrap();
    let r = candidate
        .delete(&format!("/v1/applications/{app_id}"))
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "withdrawn");
    assert_eq!(
        candidate
            .delete(&format!("/v1/applications/{app_id}"))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    employer.delete(&format!("/v1/jobs/{id}")).await;
    let other = candidate_api(&app).await;
    let r = other
        .post_json(
            &format!("/v1/jobs/{id}/applications"),
            &json!({"cover_letter": LETTER}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "closed jobs take no applications"
    );
}

#[tokio::test]
async fn nobody_reaches_another_accounts_jobs_or_applications() {
    let app = TestApp::spawn().await;
    let employer_a = employer_api(&app).await;
    let employer_b = employer_api(&app).await;
    let candidate_a = candidate_api(&app).await;
    let candidate_b = candidate_api(&app).await;
    let job = employer_a.create_job(&new_job()).await;
    let id = job["id"].as_str().unwrap();
    let application: Value = candidate_a
        .post_json(
            &format!("/v1/jobs/{id}/applications"),
            &json!({"cover_letter": LETTER}),
        )
        .await
        .json()
        .await
        .unwrap();
    let app_id = application["id"].as_str().unwrap();

    let r = employer_b.get(&format!("/v1/jobs/{id}/applications")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = employer_b
        .patch_json(&format!("/v1/jobs/{id}"), &json!({"title": "Hijacked job"}))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = employer_b.delete(&format!("/v1/jobs/{id}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = candidate_b
        .delete(&format!("/v1/applications/{app_id}"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let theirs: Value = candidate_b.get_value("/v1/applications").await;
    assert_eq!(theirs["data"].as_array().unwrap().len(), 0);

    let stored: Value = employer_a.get_value(&format!("/v1/jobs/{id}")).await;
    assert_eq!(stored["title"], "Embedded Rust Engineer");
    assert_eq!(stored["status"], "open");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM applications WHERE status = 'submitted'")
            .await,
        1
    );
}

#[tokio::test]
async fn me_describes_the_account_and_key() {
    let app = TestApp::spawn().await;
    let (browser, user) = app.signed_in(AccountType::Employer).await;
    let key = browser.key_with("standard").await;
    let me: Value = app.api(&key).get_value("/v1/me").await;
    assert_eq!(me["account"]["display_name"], user.name.as_str());
    assert_eq!(me["account"]["account_type"], "employer");
    assert_eq!(me["account"]["partner_status"], "none");
    assert_eq!(me["key"]["description"], "Production App");
    assert_eq!(me["key"]["environment"], "live");
    assert!(me["key"]["expires_at"].is_string());
    assert!(me.to_string().find(&key).is_none(), "never echoes the key");
}
