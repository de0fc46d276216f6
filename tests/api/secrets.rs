//! QUALITY.md item 15: after a run of the real binary at trace level, no
//! issued key, password or session id is in the log or the database file.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{Api, Browser, KeyRequest, PASSWORD, tempfile_dir::TempDir};
use crate::process::ServerProcess;

#[tokio::test]
async fn no_secret_reaches_the_log_or_the_database() {
    let dir = TempDir::new();
    let db_path = dir.path().join("secrets.db");
    let log_path = dir.path().join("server.log");
    let mut server = ServerProcess::start(
        &format!("sqlite://{}?mode=rwc", db_path.display()),
        "trace",
        &log_path,
    );
    let address = server.address.clone();

    let browser = Browser::new(&address);
    let sign_up = browser
        .submit(
            "/sign-up",
            "/sign-up",
            &[
                ("display_name", "Sam"),
                ("email", "sam@example.co.uk"),
                ("password", PASSWORD),
                ("account_type", "employer"),
                ("company_name", "Sam Motors"),
            ],
        )
        .await;
    assert_eq!(sign_up.status(), StatusCode::SEE_OTHER);
    let session_ids: Vec<String> = sign_up
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| {
            v.to_str()
                .ok()?
                .split(';')
                .next()?
                .split_once('=')
                .map(|(_, v)| v.to_owned())
        })
        .collect();
    // A failed sign-in with a different password, too.
    Browser::new(&address)
        .sign_in("sam@example.co.uk", "wrong horse battery")
        .await;

    let mut keys = Vec::new();
    for (permission, environment) in [("standard", "live"), ("read_only", "test")] {
        let request = KeyRequest {
            description: "Secrets check",
            permission,
            expires_in_days: "90",
            environment,
        };
        keys.push(browser.generate_key(&request).await);
    }
    for key in &keys {
        let api = Api::new(&address, Some(key));
        api.get("/v1/me").await;
        api.get("/v1/jobs?q=rust").await;
        Api::new(&address, None)
            .get(&format!("/v1/jobs?api_key={key}"))
            .await;
        api.post_json("/v1/jobs", &serde_json::json!({"title": "x"}))
            .await;
    }
    // Let the usage buffer flush, then stop the server.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.stop();

    let log_text = std::fs::read(&log_path).unwrap();
    assert!(log_text.len() > 1000, "the trace log was written");
    let mut stored = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        if let Ok(bytes) = std::fs::read(format!("{}{suffix}", db_path.display())) {
            stored.extend(bytes);
        }
    }
    assert!(!stored.is_empty());
    let mut secrets: Vec<String> = keys.clone();
    secrets.extend(keys.iter().map(|k| k[9..41].to_owned()));
    secrets.push(PASSWORD.to_owned());
    secrets.push("wrong horse battery".to_owned());
    secrets.extend(session_ids.into_iter().filter(|s| s.len() > 16));
    for secret in &secrets {
        assert!(
            find(&log_text, secret.as_bytes()).is_none(),
            "a secret is in the log"
        );
        assert!(
            find(&stored, secret.as_bytes()).is_none(),
            "a secret is in the database file"
        );
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
