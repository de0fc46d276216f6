//! The documentation cannot lie: links resolve, curl examples run and get
//! the status they show, generated tables match the server (issue 5).

use std::collections::{HashMap, HashSet, VecDeque};

use autotechjobs::domain::AccountType;
use autotechjobs::error::ProblemCode;
use reqwest::StatusCode;

use crate::helpers::{KeyRequest, TestApp};

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
}

fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let marker = format!("{attribute}=\"");
    html.match_indices(&marker)
        .filter_map(|(i, _)| {
            let start = i + marker.len();
            html[start..]
                .find('"')
                .map(|end| unescape(&html[start..start + end]))
        })
        .collect()
}

/// Code blocks of a rendered page: (language, text).
fn code_blocks(html: &str) -> Vec<(String, String)> {
    let marker = "<code class=\"language-";
    html.match_indices(marker)
        .filter_map(|(i, _)| {
            let lang_start = i + marker.len();
            let lang_end = html[lang_start..].find('"')? + lang_start;
            let body_start = html[lang_end..].find('>')? + lang_end + 1;
            let body_end = html[body_start..].find("</code></pre>")? + body_start;
            Some((
                html[lang_start..lang_end].to_owned(),
                strip_tags(&html[body_start..body_end]),
            ))
        })
        .collect()
}

#[tokio::test]
async fn every_page_is_in_the_sidebar_and_no_internal_link_or_anchor_is_broken() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let sidebar = browser.get_html("/docs/authentication").await;
    for slug in autotechjobs::docs::SLUGS {
        assert!(
            sidebar.contains(&format!("href=\"/docs/{slug}\"")),
            "{slug} in the sidebar"
        );
    }
    assert_eq!(browser.get("/docs").await.status(), StatusCode::SEE_OTHER);

    let mut pages: HashMap<String, String> = HashMap::new();
    let mut queue: VecDeque<String> = VecDeque::from(["/docs/authentication".to_owned()]);
    let mut links: Vec<(String, String)> = Vec::new();
    while let Some(path) = queue.pop_front() {
        if pages.contains_key(&path) {
            continue;
        }
        let r = browser.get(&path).await;
        assert_ne!(
            r.status(),
            StatusCode::NOT_FOUND,
            "{path} is linked but missing"
        );
        assert!(!r.status().is_server_error(), "{path}");
        let is_html = r
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
        let body = if r.status() == StatusCode::OK && is_html {
            r.text().await.unwrap()
        } else {
            String::new()
        };
        if path.starts_with("/docs/") {
            assert!(!body.is_empty(), "{path} is a page");
            for href in attribute_values(&body, "href") {
                if href.starts_with("http") || href.starts_with("//") || href.starts_with("mailto:")
                {
                    continue;
                }
                let absolute = if href.starts_with('#') {
                    format!("{path}{href}")
                } else {
                    href
                };
                let target = absolute
                    .split('#')
                    .next()
                    .unwrap()
                    .split('?')
                    .next()
                    .unwrap()
                    .to_owned();
                if !target.starts_with("/static/") {
                    queue.push_back(target);
                }
                links.push((path.clone(), absolute));
            }
        }
        pages.insert(path, body);
    }
    for slug in autotechjobs::docs::SLUGS {
        assert!(
            pages.contains_key(&format!("/docs/{slug}")),
            "{slug} reachable by links"
        );
    }
    let mut anchors_checked = 0;
    for (from, link) in &links {
        if let Some((target, anchor)) = link.split_once('#') {
            let target = target.split('?').next().unwrap();
            let page = &pages[target];
            assert!(
                page.contains(&format!("id=\"{anchor}\"")),
                "{from} links to missing anchor {link}"
            );
            anchors_checked += 1;
        }
    }
    assert!(anchors_checked > 10);
    // Every heading has a stable anchor.
    for (path, body) in pages.iter().filter(|(p, _)| p.starts_with("/docs/")) {
        for level in ["<h2", "<h3"] {
            for (i, _) in body.match_indices(level) {
                assert!(
                    body[i..i + 10].contains(" id=\""),
                    "{path}: a heading without an id"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_curl_example_runs_and_gets_the_status_it_shows() {
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("curl is needed to run the documentation's examples");
    }
    let app = TestApp::spawn_with(crate::helpers::Config {
        demo_data: true,
        ..Default::default()
    })
    .await;
    let (browser, _) = app.signed_in(AccountType::Developer).await;
    let key = browser.generate_key(&KeyRequest::default()).await;
    let mut ran = 0;
    for slug in autotechjobs::docs::SLUGS {
        let page = browser.get_html(&format!("/docs/{slug}")).await;
        let blocks = code_blocks(&page);
        for (i, (lang, text)) in blocks.iter().enumerate() {
            if lang != "bash" || !text.trim_start().starts_with("curl") {
                continue;
            }
            let (next_lang, response) = blocks
                .get(i + 1)
                .unwrap_or_else(|| panic!("{slug}: a curl example without its response"));
            assert_eq!(
                next_lang, "http",
                "{slug}: the response follows the example"
            );
            let expected: u16 = response
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .expect("an HTTP status line");
            let command = text
                .replace("https://api.autotechjobs.co.uk", &app.address)
                .replace("YOUR_API_KEY", &key)
                .replacen("curl", "curl -s -o /dev/null -w '%{http_code}'", 1);
            // Off the test's runtime: the server's database pool lives on it.
            let output = tokio::task::spawn_blocking(move || {
                std::process::Command::new("sh")
                    .arg("-c")
                    .arg(&command)
                    .output()
                    .unwrap()
            })
            .await
            .unwrap();
            let status: u16 = String::from_utf8_lossy(&output.stdout)
                .trim()
                .parse()
                .unwrap_or(0);
            assert_eq!(status, expected, "{slug}: {text}");
            ran += 1;
        }
    }
    assert!(ran >= 4, "the docs have curl examples ({ran})");
}

#[tokio::test]
async fn the_errors_page_lists_exactly_the_codes_the_api_can_produce() {
    let app = TestApp::spawn().await;
    let page = app.browser().get_html("/docs/errors").await;
    let table_start = page.find("id=\"error-codes\"").expect("the codes table");
    let table = &page[table_start..page[table_start..].find("</table>").unwrap() + table_start];
    let on_page: HashSet<String> = attribute_values(table, "<tr id").into_iter().collect();
    let on_page: HashSet<String> = if on_page.is_empty() {
        table
            .match_indices("<tr id=\"")
            .map(|(i, _)| {
                let s = i + 8;
                table[s..s + table[s..].find('"').unwrap()].to_owned()
            })
            .collect()
    } else {
        on_page
    };
    let in_code: HashSet<String> = ProblemCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    assert_eq!(on_page, in_code);
    for code in ProblemCode::ALL {
        assert!(
            table.contains(&format!("<td>{}</td>", code.status().as_u16())),
            "{code:?} status shown"
        );
    }
}

#[tokio::test]
async fn the_permissions_page_is_rendered_from_the_enforced_table() {
    use autotechjobs::auth::policy::{Action, allows};
    use autotechjobs::domain::Permission;
    let app = TestApp::spawn().await;
    let page = app.browser().get_html("/docs/permissions").await;
    let start = page.find("id=\"permission-matrix\"").expect("the matrix");
    let table = &page[start..page[start..].find("</table>").unwrap() + start];
    let headers: Vec<(String, String)> = table
        .match_indices("data-account-type=\"")
        .map(|(i, _)| {
            let s = i + 19;
            let account = table[s..s + table[s..].find('"').unwrap()].to_owned();
            let p = table[s..].find("data-permission=\"").unwrap() + s + 17;
            (
                account,
                table[p..p + table[p..].find('"').unwrap()].to_owned(),
            )
        })
        .collect();
    let rows: Vec<&str> = table.split("<tr><td><code>").skip(1).collect();
    assert_eq!(rows.len(), Action::ALL.len());
    for (row, action) in rows.iter().zip(Action::ALL) {
        let cells: Vec<bool> = row
            .match_indices("data-allowed=\"")
            .map(|(i, _)| row[i + 14..].starts_with("true"))
            .collect();
        assert_eq!(cells.len(), headers.len());
        for ((account, permission), shown) in headers.iter().zip(cells) {
            let account: AccountType = account.parse().unwrap();
            let permission: Permission = permission.parse().unwrap();
            assert_eq!(
                allows(account, permission, *action),
                shown,
                "{action:?} {account} {permission}"
            );
        }
    }
    for p in Permission::ALL {
        assert!(page.contains(p.available_to()));
    }
}

#[tokio::test]
async fn the_authentication_page_honours_the_seed_page() {
    let app = TestApp::spawn().await;
    let page = app.browser().get_html("/docs/authentication").await;
    let text = strip_tags(&page)
        .replace('\u{2019}', "'")
        .replace(['\u{201c}', '\u{201d}'], "\"");
    for phrase in [
        "Authorization: Bearer YOUR_API_KEY",
        "Never share your API keys or include them in client-side code",
        "Sign in to your AutoTechJobs account",
        "Navigate to your account settings",
        "Select the \"Developer\" tab",
        "Click \"Generate API Key\"",
        "Provide a description for your API key",
        "Production App",
        "Copy and securely store your API key",
        "API keys are only displayed once when generated",
        "If you lose your API key, you'll need to generate a new one",
        "Read-only",
        "Can only read data, no write operations",
        "All users",
        "Standard",
        "Read and write access to your own data",
        "Registered employers and candidates",
        "Partner",
        "Extended access for integration partners",
        "Approved partners",
        "Never expose API keys in client-side code (JavaScript, mobile apps)",
        "Store API keys in environment variables or secure key management systems",
        "Rotate API keys periodically",
        "Use different API keys for development and production environments",
        "Restrict API key permissions to only what's necessary",
        "Monitor API key usage for suspicious activity",
        "If an API key is compromised, you should revoke it immediately",
        "Find the API key you want to revoke",
        "Click \"Revoke Key\"",
        "Generate a new API key if needed",
        "OAuth 2.0",
        "Coming soon",
    ] {
        assert!(
            text.to_lowercase().contains(&phrase.to_lowercase()),
            "missing: {phrase}"
        );
    }
    assert!(
        page.contains("href=\"/account/settings/developer\""),
        "links to the real Developer tab"
    );
    // The UI says what the docs say.
    let (browser, _) = app.signed_in(AccountType::Employer).await;
    let tab = browser.get_html("/account/settings/developer").await;
    assert!(tab.contains("Generate API Key"));
    browser.generate_key(&KeyRequest::default()).await;
    assert!(
        browser
            .get_html("/account/settings/developer")
            .await
            .contains("Revoke Key")
    );
}

#[tokio::test]
async fn docs_are_public_cacheable_and_rendered_with_highlighting() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let r = browser.get("/docs/getting-started").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers().get("set-cookie").is_none(),
        "no session for readers"
    );
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let body = r.text().await.unwrap();
    assert!(
        body.contains("tok-str"),
        "code is highlighted on the server"
    );
    assert!(body.contains("code-copy"), "code blocks have a copy button");
    assert!(body.contains("Last updated"));
    let again = browser
        .client
        .get(browser.url("/docs/getting-started"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let reference = browser.get_html("/docs/api-reference").await;
    for route in [
        "GET /v1/jobs",
        "POST /v1/jobs/{id}/applications",
        "GET /v1/partner/jobs",
        "DELETE /v1/applications/{id}",
    ] {
        assert!(reference.contains(route), "reference has {route}");
    }
    assert!(reference.contains("per_page"));
    let limits = browser.get_html("/docs/rate-limits").await;
    assert!(
        limits.contains("1000") && !limits.contains("{{limit"),
        "limits come from the configuration"
    );
}
