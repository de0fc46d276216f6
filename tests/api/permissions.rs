//! The permission matrix: every route × permission × account type against
//! an expected table written here independently of the server's.

use autotechjobs::domain::AccountType;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Api, Browser, TestApp, TestUser, new_job, problem};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Route {
    Me,
    ListJobs,
    ReadJob,
    CreateJob,
    UpdateJob,
    CloseJob,
    JobApplications,
    Apply,
    MyApplications,
    Withdraw,
    PartnerFeed,
}

const ROUTES: [Route; 11] = [
    Route::Me,
    Route::ListJobs,
    Route::ReadJob,
    Route::CreateJob,
    Route::UpdateJob,
    Route::CloseJob,
    Route::JobApplications,
    Route::Apply,
    Route::MyApplications,
    Route::Withdraw,
    Route::PartnerFeed,
];

/// The product's rules as the documentation states them.
fn expected(account: AccountType, permission: &str, route: Route) -> bool {
    let write = matches!(permission, "standard" | "partner");
    match route {
        Route::Me | Route::ListJobs | Route::ReadJob => true,
        Route::CreateJob | Route::UpdateJob | Route::CloseJob => {
            account == AccountType::Employer && write
        }
        Route::JobApplications => account == AccountType::Employer,
        Route::Apply | Route::Withdraw => account == AccountType::Candidate && write,
        Route::MyApplications => account == AccountType::Candidate,
        Route::PartnerFeed => permission == "partner",
    }
}

async fn call(api: &Api, route: Route, job_id: &str, application_id: &str) -> reqwest::Response {
    match route {
        Route::Me => api.get("/v1/me").await,
        Route::ListJobs => api.get("/v1/jobs").await,
        Route::ReadJob => api.get(&format!("/v1/jobs/{job_id}")).await,
        Route::CreateJob => api.post_json("/v1/jobs", &new_job()).await,
        Route::UpdateJob => {
            api.patch_json(
                &format!("/v1/jobs/{job_id}"),
                &json!({"title": "Updated title"}),
            )
            .await
        }
        Route::CloseJob => api.delete(&format!("/v1/jobs/{job_id}")).await,
        Route::JobApplications => api.get(&format!("/v1/jobs/{job_id}/applications")).await,
        Route::Apply => {
            api.post_json(
                &format!("/v1/jobs/{job_id}/applications"),
                &json!({"cover_letter": "A cover letter long enough to pass."}),
            )
            .await
        }
        Route::MyApplications => api.get("/v1/applications").await,
        Route::Withdraw => {
            api.delete(&format!("/v1/applications/{application_id}"))
                .await
        }
        Route::PartnerFeed => api.get("/v1/partner/jobs").await,
    }
}

#[tokio::test]
async fn every_route_permission_and_account_type_matches_the_table() {
    let app = TestApp::spawn().await;
    // A job and an application to aim at.
    let (owner, _) = app.signed_in(AccountType::Employer).await;
    let owner_api = app.api(&owner.key_with("standard").await);
    let job: Value = owner_api.create_job(&new_job()).await;
    let job_id = job["id"].as_str().unwrap().to_owned();

    let mut checked = 0;
    for account_type in [
        AccountType::Developer,
        AccountType::Candidate,
        AccountType::Employer,
    ] {
        for permission in ["read_only", "standard", "partner"] {
            let (browser, user): (Browser, TestUser) = app.signed_in(account_type).await;
            if permission == "partner" {
                app.make_partner(&user).await;
            }
            if permission == "standard" && account_type == AccountType::Developer {
                continue; // developers cannot hold standard keys (tested in keys.rs)
            }
            let api = app.api(&browser.key_with(permission).await);
            // Own targets where the route needs them.
            let (target_job, target_application) = match account_type {
                AccountType::Employer if expected(account_type, permission, Route::CreateJob) => {
                    let own: Value = api.create_job(&new_job()).await;
                    (
                        own["id"].as_str().unwrap().to_owned(),
                        "00000000-0000-7000-8000-000000000000".to_owned(),
                    )
                }
                AccountType::Candidate if expected(account_type, permission, Route::Apply) => {
                    let r = api
                        .post_json(
                            &format!("/v1/jobs/{job_id}/applications"),
                            &json!({"cover_letter": "A cover letter long enough to pass."}),
                        )
                        .await;
                    let application: Value = r.json().await.unwrap();
                    (
                        job_id.clone(),
                        application["id"].as_str().unwrap().to_owned(),
                    )
                }
                _ => (
                    job_id.clone(),
                    "00000000-0000-7000-8000-000000000000".to_owned(),
                ),
            };
            for route in ROUTES {
                let r = call(&api, route, &target_job, &target_application).await;
                let status = r.status();
                if expected(account_type, permission, route) {
                    assert_ne!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{account_type} {permission} {route:?} should be allowed"
                    );
                    assert!(
                        !status.is_server_error(),
                        "{account_type} {permission} {route:?}: {status}"
                    );
                } else {
                    assert_eq!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{account_type} {permission} {route:?} should be refused"
                    );
                    assert_eq!(problem(r).await["code"], "insufficient_scope");
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, ROUTES.len() * 8);
    let stored: Value = owner_api.get_value(&format!("/v1/jobs/{job_id}")).await;
    assert_eq!(
        stored["title"], "Embedded Rust Engineer",
        "nobody but the owner changed it"
    );
}

#[tokio::test]
async fn the_enforced_table_agrees_with_the_documented_one() {
    use autotechjobs::auth::policy::{Action, allows};
    use autotechjobs::domain::Permission;
    let pairs = [
        (Action::ReadAccount, Route::Me),
        (Action::ListJobs, Route::ListJobs),
        (Action::ReadJob, Route::ReadJob),
        (Action::CreateJob, Route::CreateJob),
        (Action::UpdateJob, Route::UpdateJob),
        (Action::CloseJob, Route::CloseJob),
        (Action::ListJobApplications, Route::JobApplications),
        (Action::Apply, Route::Apply),
        (Action::ListOwnApplications, Route::MyApplications),
        (Action::WithdrawApplication, Route::Withdraw),
        (Action::ReadPartnerFeed, Route::PartnerFeed),
    ];
    assert_eq!(
        pairs.len(),
        Action::ALL.len(),
        "every action is in the table"
    );
    for (action, route) in pairs {
        for account in [
            AccountType::Developer,
            AccountType::Candidate,
            AccountType::Employer,
            AccountType::Admin,
        ] {
            for permission in Permission::ALL {
                let documented = account != AccountType::Admin
                    && expected(account, permission.as_str(), route)
                    || account == AccountType::Admin
                        && matches!(
                            route,
                            Route::Me | Route::ListJobs | Route::ReadJob | Route::PartnerFeed
                        )
                        && (route != Route::PartnerFeed || *permission == Permission::Partner);
                assert_eq!(
                    allows(account, *permission, action),
                    documented,
                    "{account} {permission} {action:?}"
                );
            }
        }
    }
}
