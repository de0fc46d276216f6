//! A small W3C WebDriver client for the browser journeys: it starts its own
//! `chromedriver` on a free port, opens one headless Chromium session and
//! speaks the protocol over `reqwest`. Everything returns `Result<_, String>`
//! with a message that says which command failed and why.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::tempfile_dir::TempDir;

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The W3C key under which an element reference travels.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// WebDriver's code points for special keys.
pub mod keys {
    pub const TAB: &str = "\u{E004}";
    pub const ENTER: &str = "\u{E007}";
    pub const ARROW_DOWN: &str = "\u{E015}";
}

pub type WdResult<T> = Result<T, String>;

/// An element reference returned by `find`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element(pub String);

/// `chromedriver` on the PATH, or `None`.
fn chromedriver_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("chromedriver"))
        .find(|candidate| candidate.is_file())
}

/// True when both Chromium and chromedriver are installed.
pub fn browser_available() -> bool {
    Path::new(CHROMIUM).is_file() && chromedriver_path().is_some()
}

/// Decides whether a browser test runs. With `ATJ_REQUIRE_BROWSER=1` a
/// missing browser is a failure; otherwise the test is skipped with a note.
pub fn should_run() -> bool {
    if browser_available() {
        return true;
    }
    if std::env::var("ATJ_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!(
            "ATJ_REQUIRE_BROWSER=1 but the browser is missing: need {CHROMIUM} and `chromedriver` \
             on PATH (apt-get install -y chromium chromium-driver)"
        );
    }
    eprintln!("browser tests skipped: chromium/chromedriver not installed");
    false
}

/// A port that was free a moment ago.
fn free_port() -> WdResult<u16> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("binding a free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("reading the free port: {e}"))
}

/// Standard base64 (with or without padding; whitespace ignored).
pub fn base64_decode(text: &str) -> WdResult<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    for &c in text.as_bytes() {
        if c == b'=' {
            break;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        let v = value(c).ok_or_else(|| format!("invalid base64 character {:?}", c as char))?;
        buffer = (buffer << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// Writes decoded screenshot bytes, creating the folder.
fn write_png(path: &Path, png: &[u8]) -> WdResult<()> {
    if !png.starts_with(b"\x89PNG") {
        return Err("screenshot: the decoded data is not a PNG".into());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    std::fs::write(path, png).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// One chromedriver process with one Chromium session. Dropping it ends the
/// session and kills chromedriver, also when a test panics.
pub struct WebDriver {
    client: reqwest::Client,
    /// `http://127.0.0.1:PORT`
    server: String,
    port: u16,
    session_id: String,
    child: Child,
    quit: bool,
    log_path: PathBuf,
    /// chromedriver's log and Chromium's fresh profile, removed on drop.
    profile: TempDir,
}

impl WebDriver {
    /// Starts chromedriver and a headless Chromium session.
    pub async fn start() -> WdResult<WebDriver> {
        let driver = chromedriver_path().ok_or("chromedriver is not on PATH")?;
        // The free port can be taken between probing and binding: try again.
        let mut last_error = String::new();
        for _ in 0..3 {
            let profile = TempDir::new();
            let log_path = profile.path().join("chromedriver.log");
            let port = free_port()?;
            let child = Command::new(&driver)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log_path.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("starting {}: {e}", driver.display()))?;
            let client = reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(60))
                .build()
                .map_err(|e| format!("building the WebDriver HTTP client: {e}"))?;
            // From here on, Drop kills chromedriver whatever happens.
            let mut wd = WebDriver {
                client,
                server: format!("http://127.0.0.1:{port}"),
                port,
                session_id: String::new(),
                child,
                quit: false,
                log_path,
                profile,
            };
            match wd.wait_ready().await {
                Ok(()) => {
                    wd.new_session().await?;
                    return Ok(wd);
                }
                Err(e) => last_error = e,
            }
        }
        Err(format!("chromedriver never became ready: {last_error}"))
    }

    /// The tail of chromedriver's own log, for error messages.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    async fn wait_ready(&mut self) -> WdResult<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "chromedriver exited with {status} before it was ready\n{}",
                    self.log_tail()
                ));
            }
            let ready = match self
                .client
                .get(format!("{}/status", self.server))
                .timeout(Duration::from_secs(2))
                .send()
                .await
            {
                Ok(r) => r
                    .json::<Value>()
                    .await
                    .map(|v| v["value"]["ready"] == json!(true))
                    .unwrap_or(false),
                Err(_) => false,
            };
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "GET /status did not say ready within 20 s\n{}",
                    self.log_tail()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn new_session(&mut self) -> WdResult<()> {
        let user_data = self.profile.path().join("chromium-profile");
        std::fs::create_dir_all(&user_data)
            .map_err(|e| format!("creating {}: {e}", user_data.display()))?;
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-quic".to_owned(),
            format!("--user-data-dir={}", user_data.display()),
            "--window-size=1280,800".to_owned(),
        ];
        let body = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
                    "goog:loggingPrefs": { "browser": "ALL" },
                }
            }
        });
        let value = self
            .raw(reqwest::Method::POST, "/session", Some(body))
            .await
            .map_err(|e| format!("{e}\n{}", self.log_tail()))?;
        self.session_id = value["sessionId"]
            .as_str()
            .ok_or_else(|| format!("new session: no sessionId in {value}"))?
            .to_owned();
        Ok(())
    }

    /// One WebDriver command; returns the `value` of the answer.
    async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> WdResult<Value> {
        let what = format!("{method} {path}");
        let mut request = self
            .client
            .request(method.clone(), format!("{}{path}", self.server));
        // chromedriver wants a JSON body on every POST, even an empty one.
        if method == reqwest::Method::POST {
            request = request.json(&body.unwrap_or_else(|| json!({})));
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("WebDriver {what}: {e}"))?;
        let status = response.status();
        let answer: Value = response
            .json()
            .await
            .map_err(|e| format!("WebDriver {what}: answer is not JSON: {e}"))?;
        let value = answer.get("value").cloned().unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(format!(
                "WebDriver {what} failed ({status}): {}: {}",
                value["error"].as_str().unwrap_or("unknown error"),
                value["message"]
                    .as_str()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
            ));
        }
        Ok(value)
    }

    /// A command on this session: `path` is relative to `/session/{id}`.
    async fn cmd(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> WdResult<Value> {
        self.raw(method, &format!("/session/{}{path}", self.session_id), body)
            .await
    }

    async fn get(&self, path: &str) -> WdResult<Value> {
        self.cmd(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> WdResult<Value> {
        self.cmd(reqwest::Method::POST, path, Some(body)).await
    }

    fn element_from(value: &Value, what: &str) -> WdResult<Element> {
        value[ELEMENT_KEY]
            .as_str()
            .map(|id| Element(id.to_owned()))
            .ok_or_else(|| format!("{what}: no element reference in {value}"))
    }

    // ---- navigation -------------------------------------------------------

    pub async fn goto(&self, url: &str) -> WdResult<()> {
        self.post("/url", json!({ "url": url }))
            .await
            .map(|_| ())
            .map_err(|e| format!("goto {url}: {e}"))
    }

    pub async fn current_url(&self) -> WdResult<String> {
        let value = self.get("/url").await?;
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("current url: not a string: {value}"))
    }

    pub async fn refresh(&self) -> WdResult<()> {
        self.post("/refresh", json!({})).await.map(|_| ())
    }

    /// The page's visible text (`document.body.innerText`).
    pub async fn body_text(&self) -> WdResult<String> {
        let value = self
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Polls until the current URL satisfies `check`, up to 15 s.
    pub async fn wait_for_url(&self, what: &str, check: impl Fn(&str) -> bool) -> WdResult<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let url = self.current_url().await?;
            if check(&url) {
                return Ok(url);
            }
            if Instant::now() > deadline {
                return Err(format!("waited 15 s for the URL to be {what}; it is {url}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // ---- elements ----------------------------------------------------------

    pub async fn find(&self, css: &str) -> WdResult<Element> {
        let value = self
            .post("/element", json!({ "using": "css selector", "value": css }))
            .await
            .map_err(|e| format!("find {css:?}: {e}"))?;
        Self::element_from(&value, &format!("find {css:?}"))
    }

    pub async fn find_all(&self, css: &str) -> WdResult<Vec<Element>> {
        let value = self
            .post(
                "/elements",
                json!({ "using": "css selector", "value": css }),
            )
            .await
            .map_err(|e| format!("find_all {css:?}: {e}"))?;
        value
            .as_array()
            .ok_or_else(|| format!("find_all {css:?}: not a list: {value}"))?
            .iter()
            .map(|v| Self::element_from(v, &format!("find_all {css:?}")))
            .collect()
    }

    /// The first element matching `css` inside `parent`.
    pub async fn find_in(&self, parent: &Element, css: &str) -> WdResult<Element> {
        let value = self
            .post(
                &format!("/element/{}/element", parent.0),
                json!({ "using": "css selector", "value": css }),
            )
            .await
            .map_err(|e| format!("find {css:?} inside an element: {e}"))?;
        Self::element_from(&value, &format!("find {css:?}"))
    }

    /// Polls for an element, up to 15 s.
    pub async fn wait_for(&self, css: &str) -> WdResult<Element> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            match self.find(css).await {
                Ok(el) => return Ok(el),
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("waited 15 s for {css:?}: {e}"));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub async fn click(&self, el: &Element) -> WdResult<()> {
        self.post(&format!("/element/{}/click", el.0), json!({}))
            .await
            .map(|_| ())
    }

    /// Finds and clicks in one step, naming the selector in any error.
    pub async fn click_css(&self, css: &str) -> WdResult<()> {
        let el = self.find(css).await?;
        self.click(&el)
            .await
            .map_err(|e| format!("click {css:?}: {e}"))
    }

    pub async fn clear(&self, el: &Element) -> WdResult<()> {
        self.post(&format!("/element/{}/clear", el.0), json!({}))
            .await
            .map(|_| ())
    }

    /// Types into an element (which also focuses it). `text` may contain the
    /// special keys in [`keys`].
    pub async fn send_keys(&self, el: &Element, text: &str) -> WdResult<()> {
        self.post(&format!("/element/{}/value", el.0), json!({ "text": text }))
            .await
            .map(|_| ())
    }

    /// Clears a field and types into it, found by CSS.
    pub async fn fill(&self, css: &str, text: &str) -> WdResult<()> {
        let el = self.find(css).await?;
        self.clear(&el)
            .await
            .map_err(|e| format!("clear {css:?}: {e}"))?;
        self.send_keys(&el, text)
            .await
            .map_err(|e| format!("type into {css:?}: {e}"))
    }

    /// Presses and releases one key on whatever has focus (actions API).
    pub async fn press_key(&self, key: &str) -> WdResult<()> {
        self.post(
            "/actions",
            json!({
                "actions": [{
                    "type": "key",
                    "id": "keyboard",
                    "actions": [
                        { "type": "keyDown", "value": key },
                        { "type": "keyUp", "value": key },
                    ]
                }]
            }),
        )
        .await
        .map_err(|e| format!("press key {:?}: {e}", key.escape_unicode().to_string()))?;
        self.cmd(reqwest::Method::DELETE, "/actions", None)
            .await
            .map(|_| ())
    }

    pub async fn text(&self, el: &Element) -> WdResult<String> {
        let value = self.get(&format!("/element/{}/text", el.0)).await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// The text of the first element matching `css`.
    pub async fn text_of(&self, css: &str) -> WdResult<String> {
        let el = self.find(css).await?;
        self.text(&el).await
    }

    /// An HTML attribute, `None` when absent.
    pub async fn attr(&self, el: &Element, name: &str) -> WdResult<Option<String>> {
        let value = self
            .get(&format!("/element/{}/attribute/{name}", el.0))
            .await?;
        Ok(value.as_str().map(str::to_owned))
    }

    /// A DOM property (`checked`, `disabled`, `value`...).
    pub async fn property(&self, el: &Element, name: &str) -> WdResult<Value> {
        self.get(&format!("/element/{}/property/{name}", el.0))
            .await
    }

    pub async fn active_element(&self) -> WdResult<Element> {
        let value = self.get("/element/active").await?;
        Self::element_from(&value, "active element")
    }

    /// Runs synchronous JavaScript; `arguments[i]` are `args` (elements are
    /// passed with [`WebDriver::element_arg`]).
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> WdResult<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
            .await
            .map_err(|e| format!("execute script: {e}"))
    }

    /// Runs JavaScript that calls `arguments[arguments.length - 1](result)`.
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> WdResult<Value> {
        self.post("/execute/async", json!({ "script": script, "args": args }))
            .await
            .map_err(|e| format!("execute async script: {e}"))
    }

    /// An element as a script argument.
    pub fn element_arg(el: &Element) -> Value {
        json!({ ELEMENT_KEY: el.0 })
    }

    // ---- window, screenshots, logs ----------------------------------------

    pub async fn set_window_size(&self, width: u32, height: u32) -> WdResult<()> {
        self.post("/window/rect", json!({ "width": width, "height": height }))
            .await
            .map(|_| ())
            .map_err(|e| format!("set window size {width}x{height}: {e}"))
    }

    /// Emulates a device viewport through the DevTools protocol (desktop
    /// windows have a minimum width; a phone needs a real 390 px viewport).
    pub async fn emulate_viewport(&self, width: u32, height: u32, mobile: bool) -> WdResult<()> {
        self.post(
            "/goog/cdp/execute",
            json!({
                "cmd": "Emulation.setDeviceMetricsOverride",
                "params": {
                    "width": width,
                    "height": height,
                    "deviceScaleFactor": 1,
                    "mobile": mobile,
                }
            }),
        )
        .await
        .map(|_| ())
        .map_err(|e| format!("emulate viewport {width}x{height}: {e}"))
    }

    /// Grants browser permissions (e.g. `clipboardReadWrite`) to an origin
    /// through the DevTools protocol, so no prompt can block a test.
    pub async fn grant_permissions(&self, origin: &str, permissions: &[&str]) -> WdResult<()> {
        self.post(
            "/goog/cdp/execute",
            json!({
                "cmd": "Browser.grantPermissions",
                "params": { "origin": origin, "permissions": permissions }
            }),
        )
        .await
        .map(|_| ())
        .map_err(|e| format!("grant {permissions:?} to {origin}: {e}"))
    }

    pub async fn clear_viewport_emulation(&self) -> WdResult<()> {
        self.post(
            "/goog/cdp/execute",
            json!({ "cmd": "Emulation.clearDeviceMetricsOverride", "params": {} }),
        )
        .await
        .map(|_| ())
    }

    /// Saves a PNG of the viewport to `path`.
    pub async fn screenshot_png(&self, path: &Path) -> WdResult<()> {
        let value = self.get("/screenshot").await?;
        let encoded = value
            .as_str()
            .ok_or_else(|| format!("screenshot: not a string: {value}"))?;
        write_png(path, &base64_decode(encoded)?)
    }

    /// Saves a PNG of the whole page, beyond the viewport, to `path`
    /// (DevTools protocol: WebDriver screenshots stop at the viewport).
    pub async fn full_page_screenshot_png(&self, path: &Path) -> WdResult<()> {
        let cdp = |cmd: &str, params: Value| {
            self.post("/goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
        };
        let metrics = cdp("Page.getLayoutMetrics", json!({})).await?;
        let size = &metrics["cssContentSize"];
        let (width, height) = (size["width"].as_f64(), size["height"].as_f64());
        let (Some(width), Some(height)) = (width, height) else {
            return Err(format!(
                "full-page screenshot: no content size in {metrics}"
            ));
        };
        let shot = cdp(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": 1 },
            }),
        )
        .await?;
        let encoded = shot["data"]
            .as_str()
            .ok_or_else(|| format!("full-page screenshot: no data in {shot}"))?;
        write_png(path, &base64_decode(encoded)?)
    }

    /// Browser console and network log entries since the last call
    /// (chromedriver's legacy log endpoint).
    pub async fn browser_log(&self) -> WdResult<Vec<Value>> {
        let value = self
            .post("/se/log", json!({ "type": "browser" }))
            .await
            .map_err(|e| format!("reading the browser log: {e}"))?;
        value
            .as_array()
            .cloned()
            .ok_or_else(|| format!("browser log: not a list: {value}"))
    }

    /// Ends the session and chromedriver.
    pub async fn quit(mut self) -> WdResult<()> {
        let result = self
            .raw(
                reqwest::Method::DELETE,
                &format!("/session/{}", self.session_id),
                None,
            )
            .await
            .map(|_| ());
        self.quit = true;
        self.kill();
        result
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `DELETE /session/{id}` over a plain socket: Drop cannot await.
    fn delete_session_blocking(&self) {
        if self.session_id.is_empty() {
            return;
        }
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(15)));
        let request = format!(
            "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.session_id, self.port
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            let mut sink = Vec::new();
            let _ = stream.read_to_end(&mut sink);
        }
    }
}

impl Drop for WebDriver {
    fn drop(&mut self) {
        if !self.quit {
            // Chromium would outlive a killed chromedriver: end the session first.
            self.delete_session_blocking();
            self.kill();
        }
    }
}

#[test]
fn base64_decodes_known_values() {
    assert_eq!(base64_decode("").unwrap(), b"");
    assert_eq!(base64_decode("Zg==").unwrap(), b"f");
    assert_eq!(base64_decode("Zm8=").unwrap(), b"fo");
    assert_eq!(base64_decode("Zm9v").unwrap(), b"foo");
    assert_eq!(base64_decode("Zm9vYmFy").unwrap(), b"foobar");
    assert_eq!(base64_decode("+/+/").unwrap(), [0xfb, 0xff, 0xbf]);
    assert!(base64_decode("Zm9v!").is_err());
}
