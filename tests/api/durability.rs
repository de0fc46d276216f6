//! QUALITY.md item 29: every key whose generate request was answered
//! survives `kill -9`, still authenticates, and the database is intact.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use autotechjobs::domain::AccountType;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement};

use crate::helpers::{Browser, KeyRequest, tempfile_dir::TempDir};
use crate::process::ServerProcess;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_keys_survive_kill_9() {
    let dir = TempDir::new();
    let url = format!("sqlite://{}/durable.db?mode=rwc", dir.path().display());
    let log = dir.path().join("server.log");
    let mut server = ServerProcess::start(&url, "info", &log);

    // Four accounts mint keys as fast as they can while the server is killed.
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for _ in 0..4 {
        let b = Browser::new(&server.address);
        b.sign_up(AccountType::Developer).await;
        let answered = answered.clone();
        writers.push(tokio::spawn(async move {
            loop {
                let Ok(page) = b
                    .client
                    .get(b.url("/account/settings/developer"))
                    .send()
                    .await
                else {
                    break;
                };
                let Ok(page) = page.text().await else { break };
                let (Some(csrf), Some(form_token)) = (
                    crate::helpers::hidden_field(&page, "csrf_token"),
                    crate::helpers::hidden_field(&page, "form_token"),
                ) else {
                    break;
                };
                let request = KeyRequest::default();
                let sent = b
                    .client
                    .post(b.url("/account/settings/developer/keys"))
                    .form(&[
                        ("csrf_token", csrf.as_str()),
                        ("form_token", form_token.as_str()),
                        ("description", request.description),
                        ("permission", request.permission),
                        ("expires_in_days", request.expires_in_days),
                        ("environment", request.environment),
                    ])
                    .send()
                    .await;
                // Only a complete answer counts as acknowledged.
                let Ok(response) = sent else { break };
                let Ok(body) = response.text().await else {
                    break;
                };
                match crate::helpers::revealed_key(&body) {
                    Some(key) => answered.lock().unwrap().push(key),
                    None => break,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill();
    for writer in writers {
        let _ = writer.await;
    }
    let keys = answered.lock().unwrap().clone();
    assert!(
        keys.len() >= 4,
        "keys were minted before the kill ({})",
        keys.len()
    );

    let db = Database::connect(&url).await.unwrap();
    let check = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "PRAGMA integrity_check",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
    db.close().await.unwrap();

    let restarted = ServerProcess::start(&url, "info", &log);
    let api = reqwest::Client::new();
    for key in &keys {
        let r = api
            .get(format!("{}/v1/me", restarted.address))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "an acknowledged key was lost");
    }
}
