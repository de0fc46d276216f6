//! The bearer-key guard: RFC 6750 answers, input limits, rate limits,
//! test keys, and the wall between cookies and keys (issue 4).

use autotechjobs::domain::{AccountType, ApiKeySecret, Environment};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};

use crate::helpers::{Config, KeyRequest, TestApp, new_job, problem};

#[tokio::test]
async fn missing_credentials_get_a_bare_bearer_challenge() {
    let app = TestApp::spawn().await;
    let r = app.anonymous_api().get("/v1/jobs").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.headers()["www-authenticate"],
        "Bearer realm=\"AutoTechJobs API\""
    );
    assert_eq!(problem(r).await["code"], "missing_credentials");
}

#[tokio::test]
async fn malformed_headers_are_invalid_requests() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    for value in [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "Bearer a b",
        "Token abc",
    ] {
        let r = client
            .get(app.url("/v1/jobs"))
            .header("authorization", value)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{value:?}");
        let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
        assert!(
            challenge.starts_with("Bearer realm=\"AutoTechJobs API\", error=\"invalid_request\""),
            "{challenge}"
        );
        assert_eq!(problem(r).await["code"], "invalid_request");
    }
}

#[tokio::test]
async fn keys_in_the_query_string_are_refused() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let key = browser.generate_key(&KeyRequest::default()).await;
    let r = app
        .anonymous_api()
        .get(&format!("/v1/jobs?api_key={key}"))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_request")
    );
    let r = app
        .api(&key)
        .get(&format!("/v1/jobs?access_token={key}"))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "even alongside a valid header"
    );
}

#[tokio::test]
async fn bad_unknown_revoked_and_expired_keys_are_invalid_tokens() {
    let app = TestApp::spawn().await;
    let well_formed_unknown = ApiKeySecret::generate(Environment::Live);
    let mut bad_checksum = well_formed_unknown.expose().to_owned();
    let last = bad_checksum.pop().unwrap();
    bad_checksum.push(if last == 'a' { 'b' } else { 'a' });
    for key in [
        well_formed_unknown.expose(),
        bad_checksum.as_str(),
        "atj_live_short",
        "sk_live_somebody_elses",
    ] {
        let r = app.api(key).get("/v1/me").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{key}");
        let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
        assert!(
            challenge.starts_with("Bearer realm=\"AutoTechJobs API\", error=\"invalid_token\"")
        );
        assert_eq!(problem(r).await["code"], "invalid_token");
    }
}

#[tokio::test]
async fn too_low_a_permission_is_insufficient_scope() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Employer).await;
    let key = browser.key_with("read_only").await;
    let r = app.api(&key).post_json("/v1/jobs", &new_job()).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("error=\"insufficient_scope\"")
    );
    assert_eq!(problem(r).await["code"], "insufficient_scope");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM jobs").await, 0);
}

#[tokio::test]
async fn bodies_must_be_json_and_small() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Employer).await;
    let api = app.api(&browser.key_with("standard").await);
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("text/plain"));
    let r = api
        .raw(
            Method::POST,
            "/v1/jobs",
            headers,
            new_job().to_string().into_bytes(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(problem(r).await["code"], "unsupported_media_type");

    let mut big = new_job();
    big["description"] = serde_json::json!("x".repeat(70 * 1024));
    let r = api.post_json("/v1/jobs", &big).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(problem(r).await["code"], "payload_too_large");

    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let r = api
        .raw(Method::POST, "/v1/jobs", headers, b"{not json".to_vec())
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(problem(r).await["code"], "invalid_body");

    for query in [
        "per_page=1000000",
        "per_page=0",
        "page=0",
        "work_mode=flying",
        "per_page=abc",
    ] {
        let r = api.get(&format!("/v1/jobs?{query}")).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(problem(r).await["code"], "invalid_query");
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM jobs").await, 0);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_problem_json() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let api = app.api(&browser.generate_key(&KeyRequest::default()).await);
    let r = api.get("/v1/nothing-here").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(problem(r).await["code"], "not_found");
    let r = api
        .raw(Method::PUT, "/v1/jobs", HeaderMap::new(), Vec::new())
        .await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(problem(r).await["code"], "method_not_allowed");
    let r = api.get("/v1/jobs/not-a-uuid").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(problem(r).await["type"], "/docs/errors#not_found");
}

#[tokio::test]
async fn rate_limits_carry_headers_and_answer_429() {
    let app = TestApp::spawn_with(Config {
        rate_limits: "read_only=3,standard=5,partner=9".parse().unwrap(),
        ..Config::default()
    })
    .await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let key = browser.generate_key(&KeyRequest::default()).await;
    let other = browser
        .generate_key(&KeyRequest {
            description: "Other",
            ..KeyRequest::default()
        })
        .await;
    let api = app.api(&key);
    for remaining in (0..3).rev() {
        let r = api.get("/v1/jobs").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["x-ratelimit-limit"], "3");
        assert_eq!(
            r.headers()["x-ratelimit-remaining"],
            remaining.to_string().as_str()
        );
        let reset: u64 = r.headers()["x-ratelimit-reset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(reset > now && reset <= now + 61);
    }
    let r = api.get("/v1/jobs").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(r.headers()["x-ratelimit-remaining"], "0");
    assert_eq!(problem(r).await["code"], "rate_limited");
    assert_eq!(
        app.api(&other).get("/v1/jobs").await.status(),
        StatusCode::OK,
        "limits are per key"
    );
}

#[tokio::test]
async fn test_keys_validate_writes_but_persist_nothing() {
    let app = TestApp::spawn().await;
    let (employer, _) = app.signed_in(AccountType::Employer).await;
    let live = app.api(&employer.key_with("standard").await);
    let test = app.api(
        &employer
            .generate_key(&KeyRequest {
                permission: "standard",
                environment: "test",
                ..KeyRequest::default()
            })
            .await,
    );
    let job: serde_json::Value = live.create_job(&new_job()).await;
    let job_id = job["id"].as_str().unwrap().to_owned();
    let jobs_before = app.count("SELECT COUNT(*) AS n FROM jobs").await;

    let r = test.post_json("/v1/jobs", &new_job()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["x-atj-test"], "1");
    let fake: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        live.get(&format!("/v1/jobs/{}", fake["id"].as_str().unwrap()))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let r = test
        .patch_json(
            &format!("/v1/jobs/{job_id}"),
            &serde_json::json!({"title": "Changed title"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["title"],
        "Changed title"
    );
    let r = test.delete(&format!("/v1/jobs/{job_id}")).await;
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["status"],
        "closed"
    );
    let stored: serde_json::Value = live.get_value(&format!("/v1/jobs/{job_id}")).await;
    assert_eq!(stored["title"], "Embedded Rust Engineer");
    assert_eq!(stored["status"], "open");

    // Still fully validated.
    let r = test
        .post_json("/v1/jobs", &serde_json::json!({"title": "x"}))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let (candidate, _) = app.signed_in(AccountType::Candidate).await;
    let test_candidate = app.api(
        &candidate
            .generate_key(&KeyRequest {
                permission: "standard",
                environment: "test",
                ..KeyRequest::default()
            })
            .await,
    );
    let r = test_candidate
        .post_json(
            &format!("/v1/jobs/{job_id}/applications"),
            &serde_json::json!({"cover_letter": "I have built BMS firmware for five years."}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM applications").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM jobs").await,
        jobs_before
    );
}

#[tokio::test]
async fn the_api_ignores_cookies_and_pages_ignore_keys() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let key = browser.generate_key(&KeyRequest::default()).await;
    // A signed-in browser without a key is anonymous to /v1.
    let r = browser.get("/v1/me").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A key without a session is anonymous to pages.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/account/settings/developer"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/sign-in")
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = TestApp::spawn().await;
    let r = app.anonymous_api().get("/v1/openapi.json").await;
    assert_eq!(r.status(), StatusCode::OK, "public");
    let doc: serde_json::Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(doc["info"]["title"], "AutoTechJobs API");
    assert!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case("bearer")
    );
    let expected = [
        ("/v1/me", "get"),
        ("/v1/jobs", "get"),
        ("/v1/jobs", "post"),
        ("/v1/jobs/{id}", "get"),
        ("/v1/jobs/{id}", "patch"),
        ("/v1/jobs/{id}", "delete"),
        ("/v1/jobs/{id}/applications", "get"),
        ("/v1/jobs/{id}/applications", "post"),
        ("/v1/applications", "get"),
        ("/v1/applications/{id}", "delete"),
        ("/v1/partner/jobs", "get"),
    ];
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = 0;
    for (path, item) in paths {
        for method in ["get", "post", "patch", "put", "delete"] {
            if item.get(method).is_some() {
                documented += 1;
                assert!(
                    expected.contains(&(path.as_str(), method)),
                    "documents a route that does not exist: {method} {path}"
                );
            }
        }
    }
    assert_eq!(documented, expected.len());
    for (path, method) in expected {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is documented");
        assert!(
            op["responses"].as_object().is_some_and(|r| !r.is_empty()),
            "{method} {path} has responses"
        );
        for status in ["401", "429", "503"] {
            let content = &op["responses"][status]["content"];
            assert!(
                content["application/problem+json"].is_object(),
                "{method} {path} documents {status} as problem+json"
            );
            assert!(
                content.get("application/json").is_none(),
                "{method} {path}: {status} is not plain JSON"
            );
        }
        // Every $ref resolves.
        for reference in find_refs(op) {
            let pointer = reference.trim_start_matches('#');
            assert!(doc.pointer(pointer).is_some(), "{reference} resolves");
        }
    }
}

fn find_refs(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| {
                if k == "$ref" {
                    v.as_str().map(|s| vec![s.to_owned()]).unwrap_or_default()
                } else {
                    find_refs(v)
                }
            })
            .collect(),
        serde_json::Value::Array(items) => items.iter().flat_map(find_refs).collect(),
        _ => Vec::new(),
    }
}
