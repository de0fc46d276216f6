//! Real-browser journeys: headless Chromium, driven over WebDriver (see
//! webdriver.rs), against the real server. Each journey asserts what the
//! page shows and ends by checking that the browser logged no errors.
//!
//! Without Chromium and chromedriver these tests print a note and pass,
//! unless `ATJ_REQUIRE_BROWSER=1` (as in CI), where they fail.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use autotechjobs::domain::AccountType;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{KeyRequest, PASSWORD, TestApp, TestUser, hidden_field};
use crate::webdriver::{self, Element, WdResult, WebDriver, keys};

/// Ends the journey with an error (and so a failure screenshot) unless the
/// condition holds.
macro_rules! ensure {
    ($cond:expr, $($message:tt)+) => {
        if !$cond {
            return Err(format!($($message)+));
        }
    };
}

const DEVELOPER_TAB: &str = "/account/settings/developer";

// ---- harness ----------------------------------------------------------------

/// A browser for one test, or `None` when the test is skipped.
async fn start_browser() -> Option<WebDriver> {
    if !webdriver::should_run() {
        return None;
    }
    match WebDriver::start().await {
        Ok(wd) => Some(wd),
        Err(e) => panic!("starting headless Chromium: {e}"),
    }
}

/// `target/screenshots`, under `CARGO_TARGET_DIR` when it is set.
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("screenshots")
}

/// Console errors and failed requests among browser log entries.
fn severe(entries: &[Value]) -> Vec<&Value> {
    entries.iter().filter(|e| e["level"] == "SEVERE").collect()
}

fn describe_entries(entries: &[&Value]) -> String {
    entries
        .iter()
        .map(|e| {
            format!(
                "  [{}] {}",
                e["source"].as_str().unwrap_or("?"),
                e["message"].as_str().unwrap_or("?")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Fails when the browser has logged anything SEVERE since the last read.
async fn assert_clean_log(name: &str, wd: &WebDriver) {
    let entries = wd
        .browser_log()
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let bad = severe(&entries);
    if !bad.is_empty() {
        let listed = describe_entries(&bad);
        eprintln!("{name}: SEVERE browser log entries:\n{listed}");
        panic!(
            "{name}: the browser logged {} error(s) (console errors or failed requests):\n{listed}",
            bad.len()
        );
    }
}

/// Ends a journey: a failure saves a screenshot and fails the test with the
/// step's message; success still needs a clean browser log.
async fn finish(name: &str, wd: &WebDriver, result: WdResult<()>) {
    if let Err(error) = result {
        let url = wd.current_url().await.unwrap_or_default();
        let shot = screenshot_dir().join(format!("failure-{name}.png"));
        let saved = match wd.screenshot_png(&shot).await {
            Ok(()) => format!("screenshot saved to {}", shot.display()),
            Err(e) => format!("no screenshot: {e}"),
        };
        let log = wd.browser_log().await.unwrap_or_default();
        let log: Vec<&Value> = log.iter().collect();
        panic!(
            "{name} journey failed on {url}:\n{error}\n({saved})\nbrowser log:\n{}",
            describe_entries(&log)
        );
    }
    // A screenshot from an earlier failed run would only mislead.
    let _ = std::fs::remove_file(screenshot_dir().join(format!("failure-{name}.png")));
    assert_clean_log(name, wd).await;
}

// ---- page helpers -------------------------------------------------------------

/// The path (and query) of a URL on the app, without any fragment.
fn path_of(app: &TestApp, url: &str) -> String {
    let path = url.strip_prefix(&app.address).unwrap_or(url);
    path.split('#').next().unwrap_or(path).to_owned()
}

async fn open(app: &TestApp, wd: &WebDriver, path: &str) -> WdResult<()> {
    wd.goto(&app.url(path)).await
}

/// Waits until the browser is on `expected` (path and query, fragment ignored).
async fn wait_for_path(app: &TestApp, wd: &WebDriver, expected: &str) -> WdResult<()> {
    wd.wait_for_url(expected, |url| path_of(app, url) == expected)
        .await
        .map(|_| ())
}

/// The label of the account settings tab marked current.
async fn current_tab(wd: &WebDriver) -> WdResult<String> {
    wd.text_of("nav.tabs a[aria-current='page']").await
}

async fn flash(wd: &WebDriver) -> WdResult<String> {
    wd.text_of("main .flash").await
}

/// Waits (up to 15 s) for a flash message containing `needle`: a form that
/// posts back to the page it is on leaves the URL unchanged, so the URL alone
/// cannot tell that the answer has arrived.
async fn wait_for_flash(wd: &WebDriver, needle: &str) -> WdResult<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let message = flash(wd).await.unwrap_or_default();
        if message.contains(needle) {
            return Ok(message);
        }
        ensure!(
            Instant::now() < deadline,
            "waited 15 s for a flash saying {needle:?}; it says {message:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn is_true(wd: &WebDriver, el: &Element, property: &str) -> WdResult<bool> {
    Ok(wd.property(el, property).await? == Value::Bool(true))
}

/// Signs up through the form in the browser; lands on the Developer tab.
async fn sign_up(app: &TestApp, wd: &WebDriver, account_type: AccountType) -> WdResult<TestUser> {
    let user = TestUser::new(account_type);
    open(app, wd, "/sign-up").await?;
    wd.fill("#display_name", &user.name).await?;
    wd.fill("#email", &user.email).await?;
    wd.fill("#password", PASSWORD).await?;
    wd.click_css(&format!(
        "input[name='account_type'][value='{}']",
        account_type.as_str()
    ))
    .await?;
    if account_type == AccountType::Employer {
        wd.fill("#company_name", &user.company).await?;
    }
    wd.click_css("form[action='/sign-up'] button[type='submit']")
        .await?;
    wait_for_path(app, wd, DEVELOPER_TAB).await?;
    Ok(user)
}

/// Fills and submits the sign-in form already on screen.
async fn submit_sign_in(wd: &WebDriver, email: &str, password: &str) -> WdResult<()> {
    wd.fill("#email", email).await?;
    wd.fill("#password", password).await?;
    wd.click_css("form[action='/sign-in'] button[type='submit']")
        .await
}

/// Opens /sign-in and signs in; lands on the Developer tab.
async fn sign_in(app: &TestApp, wd: &WebDriver, email: &str) -> WdResult<()> {
    open(app, wd, "/sign-in").await?;
    submit_sign_in(wd, email, PASSWORD).await?;
    wait_for_path(app, wd, DEVELOPER_TAB).await
}

/// The row of the key with this description in one of the key tables
/// (`#active-keys` or `#inactive-keys`).
async fn key_row(wd: &WebDriver, table: &str, description: &str) -> WdResult<Element> {
    let id = wd
        .execute(
            "const rows = Array.from(document.querySelectorAll(arguments[0] + ' tr.key-row'));
             const row = rows.find(r => r.querySelector('.key-description').textContent.trim() === arguments[1]);
             return row ? row.id : null;",
            vec![table.into(), description.into()],
        )
        .await?;
    let id = id
        .as_str()
        .ok_or_else(|| format!("no row for {description:?} in {table}"))?;
    wd.find(&format!("#{id}")).await
}

async fn cell(wd: &WebDriver, row: &Element, label: &str) -> WdResult<String> {
    let el = wd
        .find_in(row, &format!("td[data-label='{label}']"))
        .await?;
    wd.text(&el).await
}

/// The page's HTML, to check what is (not) anywhere in it.
async fn page_source(wd: &WebDriver) -> WdResult<String> {
    let html = wd
        .execute("return document.documentElement.outerHTML;", vec![])
        .await?;
    Ok(html.as_str().unwrap_or_default().to_owned())
}

/// A short name for whatever has keyboard focus.
async fn focused(wd: &WebDriver) -> WdResult<String> {
    let name = wd
        .execute(
            "const e = document.activeElement;
             if (!e || e === document.body) return 'body';
             const tag = e.tagName.toLowerCase();
             if (tag === 'input' && (e.type === 'radio' || e.type === 'checkbox'))
               return `${e.type}:${e.name}=${e.value}`;
             if (tag === 'input' || tag === 'select' || tag === 'textarea') return `${tag}#${e.id}`;
             if (tag === 'button') return `button:${e.textContent.trim()}`;
             if (tag === 'a') return `link:${e.getAttribute('href')}`;
             return tag + (e.id ? '#' + e.id : '');",
            vec![],
        )
        .await?;
    Ok(name.as_str().unwrap_or("?").to_owned())
}

/// The log check is only worth something if it sees errors: a console error
/// and a missing image must both show up as SEVERE.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_log_reports_console_errors_and_failed_requests() {
    let Some(wd) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let result = log_probe(&app, &wd).await;
    finish("log-probe", &wd, result).await;
}

async fn log_probe(app: &TestApp, wd: &WebDriver) -> WdResult<()> {
    open(app, wd, "/").await?;
    ensure!(
        severe(&wd.browser_log().await?).is_empty(),
        "the landing page logs no errors"
    );
    wd.execute_async(
        "const done = arguments[arguments.length - 1];
         console.error('probe: console error');
         const img = document.createElement('img');
         img.onerror = () => done(true);
         img.onload = () => done(false);
         img.src = '/static/no-such-image.png';
         document.body.append(img);",
        vec![],
    )
    .await?;
    let log = wd.browser_log().await?;
    let bad = severe(&log);
    let has = |needle: &str| {
        bad.iter()
            .any(|e| e["message"].as_str().unwrap_or("").contains(needle))
    };
    ensure!(
        has("probe: console error") && has("no-such-image.png"),
        "expected the console error and the 404 as SEVERE, got:\n{}",
        describe_entries(&log.iter().collect::<Vec<_>>())
    );
    Ok(())
}

// ---- a. employer: generate, reveal once, copy, use, revoke --------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn employer_generates_copies_uses_and_revokes_a_key() {
    let Some(wd) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let result = employer_journey(&app, &wd).await;
    finish("employer", &wd, result).await;
}

async fn employer_journey(app: &TestApp, wd: &WebDriver) -> WdResult<()> {
    sign_up(app, wd, AccountType::Employer).await?;
    ensure!(
        current_tab(wd).await? == "Developer",
        "sign-up should land on the Developer tab"
    );
    let empty = wd.text_of(".empty-state").await?;
    ensure!(
        empty.contains("No API keys yet"),
        "a new account shows the empty state, got {empty:?}"
    );

    // Generate.
    wd.fill("#description", "Production App").await?;
    wd.click_css("input[name='permission'][value='standard']")
        .await?;
    wd.click_css("#generate button[type='submit']").await?;
    let code = wd.wait_for("code#new-key").await?;
    let key = wd.text(&code).await?;
    ensure!(key.len() > 20, "the revealed key looks too short: {key:?}");
    ensure!(
        wd.find_all("code#new-key").await?.len() == 1,
        "one key element on the reveal page"
    );
    let html = page_source(wd).await?;
    ensure!(
        html.matches(key.as_str()).count() == 1,
        "the key appears exactly once in the reveal page"
    );
    let heading = wd.text_of("#reveal-heading").await?;
    ensure!(heading == "Your new API key", "reveal heading: {heading:?}");
    let warning = wd.text_of(".reveal .warning").await?;
    ensure!(
        warning.contains("won\u{2019}t be able to see it again"),
        "the reveal page warns that the key is shown once: {warning:?}"
    );

    // Copy. Granting clipboard access lets the test read the clipboard back.
    if let Err(e) = wd
        .grant_permissions(
            &app.address,
            &["clipboardReadWrite", "clipboardSanitizedWrite"],
        )
        .await
    {
        eprintln!("note: the clipboard cannot be read back: {e}");
    }
    let button = wd
        .find("button.copy-button[data-copy-target='new-key']")
        .await?;
    ensure!(
        !is_true(wd, &button, "hidden").await?,
        "app.js should unhide the copy button"
    );
    ensure!(
        wd.text(&button).await? == "Copy",
        "the copy button says Copy"
    );
    wd.click(&button).await?;
    // The button goes back to "Copy" after 2 s, so look quickly.
    let deadline = Instant::now() + Duration::from_millis(1500);
    let (label, selection, status) = loop {
        let state = wd
            .execute(
                "return [arguments[0].textContent.trim(), String(window.getSelection()),
                         document.querySelector('p.copy-status').textContent];",
                vec![WebDriver::element_arg(&button)],
            )
            .await?;
        let part = |i: usize| state[i].as_str().unwrap_or_default().to_owned();
        let (label, selection, status) = (part(0), part(1), part(2));
        if label == "Copied" || selection == key {
            break (label, selection, status);
        }
        ensure!(
            Instant::now() < deadline,
            "after clicking Copy the button says {label:?}, the selection is {selection:?} \
             and the status line says {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    if label == "Copied" {
        ensure!(
            status == "Copied to clipboard",
            "the live status line confirms the copy: {status:?}"
        );
    } else {
        ensure!(
            selection == key && status.contains("Ctrl+C"),
            "when copying fails the key stays selected with Ctrl+C advice: {status:?}"
        );
    }
    // Headless Chromium may refuse to read the clipboard; when it does not,
    // the clipboard must hold exactly the key.
    let clipboard = wd
        .execute_async(
            "const done = arguments[arguments.length - 1];
             if (!navigator.clipboard) { done(null); return; }
             setTimeout(() => done(null), 1000);
             navigator.clipboard.readText().then(done, () => done(null));",
            vec![],
        )
        .await?;
    if let Some(text) = clipboard.as_str() {
        ensure!(
            label != "Copied" || text == key,
            "the clipboard holds {text:?}, not the key"
        );
    }

    // Back on the list the key is gone for good; its description and hint stay.
    wd.click_css(".reveal a.button[href='/account/settings/developer']")
        .await?;
    wait_for_path(app, wd, DEVELOPER_TAB).await?;
    ensure!(
        !page_source(wd).await?.contains(&key),
        "the Developer tab must never show the full key"
    );
    let row = key_row(wd, "#active-keys", "Production App").await?;
    let hint = wd.text(&wd.find_in(&row, "code.key-hint").await?).await?;
    let (head, tail) = hint
        .split_once('\u{2026}')
        .ok_or_else(|| format!("the hint {hint:?} has no ellipsis"))?;
    ensure!(
        key.starts_with(head) && key.ends_with(tail) && tail.len() == 4,
        "hint {hint:?} should be the key's prefix and last four characters"
    );
    let permission = cell(wd, &row, "Permission").await?;
    ensure!(
        permission.contains("Standard"),
        "permission cell: {permission:?}"
    );
    let last_used = cell(wd, &row, "Last used").await?;
    ensure!(
        last_used.starts_with("Never"),
        "an unused key says Never: {last_used:?}"
    );

    // Use the key; usage is written within a second or so.
    let response = app.api(&key).get("/v1/jobs").await;
    ensure!(
        response.status() == StatusCode::OK,
        "GET /v1/jobs with the new key: {}",
        response.status()
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let deadline = Instant::now() + Duration::from_secs(6);
    loop {
        wd.refresh().await?;
        let row = key_row(wd, "#active-keys", "Production App").await?;
        let last_used = cell(wd, &row, "Last used").await?;
        if last_used.contains("just now") {
            ensure!(!last_used.contains("Never"), "Last used: {last_used:?}");
            ensure!(
                last_used.contains("127.0.0.1"),
                "the last IP is shown: {last_used:?}"
            );
            break;
        }
        ensure!(
            Instant::now() < deadline,
            "after using the key, Last used still says {last_used:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // Revoke through the confirmation page.
    let row = key_row(wd, "#active-keys", "Production App").await?;
    let revoke = wd.find_in(&row, "a[href$='/revoke']").await?;
    // The link's accessible name adds the description in a visually hidden span.
    let label = wd.text(&revoke).await?;
    ensure!(
        label.starts_with("Revoke Key"),
        "the row has a Revoke Key link: {label:?}"
    );
    wd.click(&revoke).await?;
    let heading = wd.wait_for("#revoke-heading").await?;
    let heading = wd.text(&heading).await?;
    ensure!(
        heading.contains("\u{201c}Production App\u{201d}"),
        "the confirmation names the key: {heading:?}"
    );
    let confirm_hint = wd.text_of(".danger-zone code.key-hint").await?;
    ensure!(
        confirm_hint == hint,
        "confirmation shows hint {confirm_hint:?}, expected {hint:?}"
    );
    wd.fill("#reason", "Moved to a new key").await?;
    wd.click_css(".danger-zone form button[type='submit']")
        .await?;
    wait_for_path(app, wd, DEVELOPER_TAB).await?;
    let message = flash(wd).await?;
    ensure!(
        message.starts_with("Revoked \u{201c}Production App\u{201d}"),
        "flash after revoking: {message:?}"
    );
    let row = key_row(wd, "#inactive-keys", "Production App").await?;
    let status = cell(wd, &row, "Status").await?;
    ensure!(status == "Revoked", "revoked key status: {status:?}");
    ensure!(
        wd.find_all("#active-keys").await?.is_empty(),
        "no active keys are left"
    );

    let response = app.api(&key).get("/v1/jobs").await;
    ensure!(
        response.status() == StatusCode::UNAUTHORIZED,
        "a revoked key gets 401, got {}",
        response.status()
    );
    Ok(())
}

// ---- b. sign in, sign out, sign-in wall with return -----------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_failure_success_sign_out_and_return_to_the_developer_tab() {
    let Some(wd) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let result = sign_in_journey(&app, &wd).await;
    finish("sign-in", &wd, result).await;
}

async fn sign_in_journey(app: &TestApp, wd: &WebDriver) -> WdResult<()> {
    let user = app.create_account(AccountType::Developer).await;

    open(app, wd, "/sign-in").await?;
    submit_sign_in(wd, &user.email, "not the password at all").await?;
    let error = wd.wait_for("#sign-in-error").await?;
    let message = wd.text(&error).await?;
    ensure!(
        message == "Incorrect email or password.",
        "failure message: {message:?}"
    );
    let email = wd.find("#email").await?;
    ensure!(
        wd.property(&email, "value").await? == user.email.as_str(),
        "the email is kept after a failed sign-in"
    );
    ensure!(
        wd.attr(&email, "aria-describedby").await?.as_deref() == Some("sign-in-error"),
        "the email field points at the error message"
    );
    // The failed attempt is a 401 page, which Chromium logs as a failed
    // request. That entry is expected; anything else is not.
    let log = wd.browser_log().await?;
    let unexpected: Vec<&Value> = severe(&log)
        .into_iter()
        .filter(|e| {
            let message = e["message"].as_str().unwrap_or("");
            !(message.contains("/sign-in - ") && message.contains("status of 401"))
        })
        .collect();
    ensure!(
        unexpected.is_empty(),
        "unexpected browser errors on the failed sign-in:\n{}",
        describe_entries(&unexpected)
    );

    submit_sign_in(wd, &user.email, PASSWORD).await?;
    wait_for_path(app, wd, DEVELOPER_TAB).await?;
    let message = flash(wd).await?;
    ensure!(
        message == format!("Signed in as {}.", user.email),
        "flash after sign-in: {message:?}"
    );
    ensure!(
        current_tab(wd).await? == "Developer",
        "on the Developer tab"
    );

    wd.click_css("form[action='/sign-out'] button").await?;
    wait_for_path(app, wd, "/").await?;
    ensure!(
        !wd.find_all(".site-nav a[href='/sign-in']")
            .await?
            .is_empty(),
        "after signing out the header offers Sign in"
    );
    ensure!(
        wd.find_all("form[action='/sign-out']").await?.is_empty(),
        "after signing out there is no Sign out button"
    );

    open(app, wd, DEVELOPER_TAB).await?;
    let expected = "/sign-in?next=%2Faccount%2Fsettings%2Fdeveloper";
    wait_for_path(app, wd, expected).await?;
    let html = page_source(wd).await?;
    ensure!(
        hidden_field(&html, "next").as_deref() == Some(DEVELOPER_TAB),
        "the sign-in form carries next={DEVELOPER_TAB}"
    );
    submit_sign_in(wd, &user.email, PASSWORD).await?;
    wait_for_path(app, wd, DEVELOPER_TAB).await?;
    ensure!(
        current_tab(wd).await? == "Developer",
        "signing in returns to the Developer tab"
    );
    Ok(())
}

// ---- c. docs → Developer tab link ------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_link_to_the_developer_tab_asks_a_visitor_to_sign_in() {
    let Some(wd) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let result = docs_journey(&app, &wd).await;
    finish("docs", &wd, result).await;
}

async fn docs_journey(app: &TestApp, wd: &WebDriver) -> WdResult<()> {
    open(app, wd, "/").await?;
    let docs = wd.find(".site-nav a[href='/docs']").await?;
    ensure!(
        wd.text(&docs).await? == "Docs",
        "the header has a Docs link"
    );
    wd.click(&docs).await?;
    wait_for_path(app, wd, "/docs/authentication").await?;
    let title = wd.text_of("article.docs-content h1").await?;
    ensure!(title == "Authentication", "docs page title: {title:?}");
    ensure!(
        wd.text_of(".docs-sidebar a[aria-current='page']").await? == "Authentication",
        "the sidebar marks Authentication as current"
    );
    ensure!(
        wd.text_of(".site-nav a[aria-current='page']").await? == "Docs",
        "the header marks Docs as current"
    );

    let link = wd
        .find("article.docs-content a[href='/account/settings/developer']")
        .await?;
    let text = wd.text(&link).await?;
    ensure!(
        text.contains("Developer"),
        "the body links to the Developer tab: {text:?}"
    );
    wd.click(&link).await?;
    wait_for_path(app, wd, "/sign-in?next=%2Faccount%2Fsettings%2Fdeveloper").await?;
    let heading = wd.text_of("h1.page-title").await?;
    ensure!(
        heading == "Sign in",
        "a visitor is asked to sign in: {heading:?}"
    );
    Ok(())
}

// ---- d. keyboard only on the generate form ------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generate_form_works_from_the_keyboard() {
    let Some(wd) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let result = keyboard_journey(&app, &wd).await;
    finish("keyboard", &wd, result).await;
}

async fn keyboard_journey(app: &TestApp, wd: &WebDriver) -> WdResult<()> {
    sign_up(app, wd, AccountType::Employer).await?;
    let description = wd.find("#description").await?;
    wd.click(&description).await?;
    wd.send_keys(&description, "Keyboard App").await?;
    ensure!(
        focused(wd).await? == "input#description",
        "typing leaves focus in the description"
    );

    // Tab through the form, choosing Standard with the arrow keys on the way.
    let mut stops = Vec::new();
    for _ in 0..12 {
        wd.press_key(keys::TAB).await?;
        let stop = focused(wd).await?;
        stops.push(stop.clone());
        if stop.starts_with("radio:permission=") {
            ensure!(
                stop == "radio:permission=read_only",
                "focus enters the permission group on the checked radio, got {stop}"
            );
            wd.press_key(keys::ARROW_DOWN).await?;
            let now = focused(wd).await?;
            ensure!(
                now == "radio:permission=standard",
                "ArrowDown moves to Standard, got {now}"
            );
            stops.push(now);
        }
        if stop.starts_with("button:") {
            break;
        }
    }
    let position = |prefix: &str| stops.iter().position(|s| s.starts_with(prefix));
    let order = [
        position("radio:permission="),
        position("select#expires_in_days"),
        position("radio:environment="),
        position("button:Generate API Key"),
    ];
    ensure!(
        order.iter().all(Option::is_some) && order.windows(2).all(|w| w[0] < w[1]),
        "Tab should go permission → expiry → environment → Generate API Key; it went {stops:?}"
    );
    ensure!(
        stops.len() <= 7,
        "too many Tab stops in the form: {stops:?}"
    );
    let button = wd.active_element().await?;
    let visible_focus = wd
        .execute(
            "return arguments[0].matches(':focus-visible');",
            vec![WebDriver::element_arg(&button)],
        )
        .await?;
    ensure!(
        visible_focus == Value::Bool(true),
        "the focused button shows a keyboard focus style (:focus-visible)"
    );

    wd.press_key(keys::ENTER).await?;
    let code = wd.wait_for("code#new-key").await?;
    ensure!(
        !wd.text(&code).await?.is_empty(),
        "Enter on the button generates a key"
    );
    let meta = wd.text_of(".reveal dl.meta").await?;
    ensure!(
        meta.contains("Keyboard App") && meta.contains("Standard"),
        "the reveal page shows the typed description and Standard: {meta:?}"
    );
    Ok(())
}

// ---- e. partner request approved by an admin in a second browser ---------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_partner_request_enables_partner_keys() {
    let Some(wd) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let result = partner_journey(&app, &wd).await;
    finish("partner", &wd, result).await;
}

async fn partner_journey(app: &TestApp, wd: &WebDriver) -> WdResult<()> {
    let company = "Gearbox Analytics Ltd";
    sign_up(app, wd, AccountType::Developer).await?;
    let partner = wd.find("input[name='permission'][value='partner']").await?;
    ensure!(
        is_true(wd, &partner, "disabled").await?,
        "Partner keys start disabled"
    );

    wd.click_css("#partner a[href='/account/settings/developer/partner']")
        .await?;
    wait_for_path(app, wd, "/account/settings/developer/partner").await?;
    wd.fill("#company", company).await?;
    wd.fill("#website", "https://gearbox-analytics.example.co.uk")
        .await?;
    wd.fill(
        "#use_case",
        "An ATS for UK automotive suppliers: about 5,000 requests a day.",
    )
    .await?;
    wd.click_css("form[action='/account/settings/developer/partner'] button[type='submit']")
        .await?;
    wait_for_path(app, wd, DEVELOPER_TAB).await?;
    let status = wd.text_of("#partner").await?;
    ensure!(
        status.contains("Pending"),
        "the partner section shows the pending request: {status:?}"
    );

    // The admin approves in a browser of their own.
    let admin = app.create_account(AccountType::Admin).await;
    let admin_wd = WebDriver::start()
        .await
        .map_err(|e| format!("starting the admin's browser: {e}"))?;
    let result = approve_partner_request(app, &admin_wd, &admin.email, company).await;
    finish("partner-admin", &admin_wd, result).await;
    admin_wd.quit().await?;

    wd.refresh().await?;
    let partner = wd.find("input[name='permission'][value='partner']").await?;
    ensure!(
        !is_true(wd, &partner, "disabled").await?,
        "after approval the Partner radio is enabled"
    );
    let status = wd.text_of("#partner").await?;
    ensure!(
        status.contains("Approved partner"),
        "the partner section says approved: {status:?}"
    );
    Ok(())
}

async fn approve_partner_request(
    app: &TestApp,
    wd: &WebDriver,
    email: &str,
    company: &str,
) -> WdResult<()> {
    open(app, wd, "/sign-in?next=%2Fadmin%2Fpartner-requests").await?;
    submit_sign_in(wd, email, PASSWORD).await?;
    wait_for_path(app, wd, "/admin/partner-requests").await?;
    let badge = wd
        .text_of(".site-nav a[href='/admin/partner-requests'] .badge")
        .await?;
    ensure!(
        badge == "1",
        "the Admin link counts one pending request: {badge:?}"
    );

    let mut request = None;
    for section in wd.find_all("section[id^='request-']").await? {
        let heading = wd.text(&wd.find_in(&section, "h2").await?).await?;
        if heading.contains(company) {
            request = Some(section);
        }
    }
    let request = request.ok_or_else(|| format!("no request from {company} in the queue"))?;
    let approve = wd
        .find_in(&request, "form[action$='/approve'] button[type='submit']")
        .await?;
    ensure!(
        wd.text(&approve).await? == "Approve",
        "the request has an Approve button"
    );
    wd.click(&approve).await?;
    let message = wait_for_flash(wd, "Approved").await?;
    wait_for_path(app, wd, "/admin/partner-requests").await?;
    ensure!(
        message.contains(company),
        "flash after approving: {message:?}"
    );
    Ok(())
}

// ---- screenshots ---------------------------------------------------------------------

const DESKTOP: (u32, u32) = (1280, 800);
const PHONE: (u32, u32) = (390, 844);

/// Saves `{name}-desktop.png` and `{name}-phone.png` of the current page
/// (plus `-full` whole-page versions when asked) and returns their paths.
/// Notes (not failures) any sideways scrolling on a phone.
async fn capture(wd: &WebDriver, name: &str, full_page: bool) -> WdResult<Vec<PathBuf>> {
    let dir = screenshot_dir();
    let mut files = Vec::new();
    let mut shoot = async |variant: &str| -> WdResult<()> {
        let view = dir.join(format!("{name}-{variant}.png"));
        wd.screenshot_png(&view).await?;
        files.push(view);
        if full_page {
            let full = dir.join(format!("{name}-{variant}-full.png"));
            wd.full_page_screenshot_png(&full).await?;
            files.push(full);
        }
        Ok(())
    };

    wd.clear_viewport_emulation().await?;
    wd.set_window_size(DESKTOP.0, DESKTOP.1).await?;
    // The window includes Chromium's own frame; pin the viewport itself.
    wd.emulate_viewport(DESKTOP.0, DESKTOP.1, false).await?;
    shoot("desktop").await?;

    wd.emulate_viewport(PHONE.0, PHONE.1, true).await?;
    let width = wd
        .execute(
            "return [window.innerWidth, document.documentElement.scrollWidth];",
            vec![],
        )
        .await?;
    if width[1].as_u64() > width[0].as_u64() {
        eprintln!(
            "note: {name} scrolls sideways on a phone: content {} px wide in a {} px viewport",
            width[1], width[0]
        );
    }
    shoot("phone").await?;
    wd.clear_viewport_emulation().await?;
    Ok(files)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_of_the_main_pages() {
    let Some(wd) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let result = screenshot_journey(&app, &wd).await;
    finish("screenshots", &wd, result).await;
}

async fn screenshot_journey(app: &TestApp, wd: &WebDriver) -> WdResult<()> {
    // Keys in several states, set up over plain HTTP for speed.
    let http = app.browser();
    let user = http.sign_up(AccountType::Employer).await;
    let production = http
        .generate_key(&KeyRequest {
            description: "Production App",
            permission: "standard",
            ..KeyRequest::default()
        })
        .await;
    let used = app.api(&production).get("/v1/jobs").await;
    ensure!(used.status() == StatusCode::OK, "using the production key");
    app.flush_usage().await;
    http.generate_key(&KeyRequest {
        description: "CI pipeline",
        expires_in_days: "30",
        environment: "test",
        ..KeyRequest::default()
    })
    .await;
    let old_laptop = http
        .generate_key(&KeyRequest {
            description: "Old laptop",
            ..KeyRequest::default()
        })
        .await;
    let id = http.key_id(&old_laptop).await;
    let revoke = format!("/account/settings/developer/keys/{id}/revoke");
    let response = http
        .submit(&revoke, &revoke, &[("reason", "Exposed in a log file")])
        .await;
    ensure!(
        response.status() == StatusCode::SEE_OTHER,
        "revoking the old laptop key: {}",
        response.status()
    );
    let sync = http
        .generate_key(&KeyRequest {
            description: "Nightly sync",
            expires_in_days: "365",
            ..KeyRequest::default()
        })
        .await;
    let id = http.key_id(&sync).await;
    let roll = format!("/account/settings/developer/keys/{id}/roll");
    let page = http.get_html(&roll).await;
    let csrf = hidden_field(&page, "csrf_token").ok_or("the roll page has a CSRF token")?;
    let form_token = hidden_field(&page, "form_token").ok_or("the roll page has a form token")?;
    let response = http
        .post_form(
            &roll,
            &[
                ("csrf_token", &csrf),
                ("form_token", &form_token),
                ("grace_hours", "24"),
            ],
        )
        .await;
    ensure!(
        response.status() == StatusCode::OK,
        "rolling the nightly sync key: {}",
        response.status()
    );

    let mut files = Vec::new();
    for (name, path) in [
        ("landing", "/"),
        ("sign-in", "/sign-in"),
        ("docs", "/docs/authentication"),
    ] {
        open(app, wd, path).await?;
        files.extend(capture(wd, name, false).await?);
    }

    sign_in(app, wd, &user.email).await?;
    let rows = wd.find_all("tr.key-row").await?;
    ensure!(
        rows.len() == 5,
        "the Developer tab lists 5 keys (3 active, 1 rolled in grace, 1 revoked), found {}",
        rows.len()
    );
    let text = wd.body_text().await?;
    ensure!(
        text.contains("Replaced by") && text.contains("Replaces"),
        "the rolled key and its replacement are linked"
    );
    files.extend(capture(wd, "developer", true).await?);

    wd.fill("#description", "Staging server").await?;
    wd.click_css("#generate button[type='submit']").await?;
    wd.wait_for("code#new-key").await?;
    files.extend(capture(wd, "reveal", false).await?);

    for file in &files {
        let size = std::fs::metadata(file)
            .map_err(|e| format!("{}: {e}", file.display()))?
            .len();
        ensure!(size > 0, "{} is empty", file.display());
    }
    eprintln!(
        "screenshots: {} files in {}",
        files.len(),
        screenshot_dir().display()
    );
    Ok(())
}
