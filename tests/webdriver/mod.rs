//! What the browser tests share (tests/browser.rs, tests/site.rs): Debian's
//! Chromium driven over WebDriver (chromedriver) on 127.0.0.1, processes
//! ended when dropped, and waits that are bounded in time.
#![allow(dead_code)]

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Kills a child process when dropped, also when the test panics.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A browser profile folder; on drop, ends the Chromium processes that use
/// it (by their process id), so a failed test leaves no browser running.
pub struct Profile(pub PathBuf);

impl Drop for Profile {
    fn drop(&mut self) {
        let flag = format!("--user-data-dir={}", self.0.display());
        let Ok(procs) = std::fs::read_dir("/proc") else {
            return;
        };
        for p in procs.flatten() {
            let Ok(pid) = p.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let cmdline = std::fs::read(p.path().join("cmdline")).unwrap_or_default();
            if cmdline.split(|&b| b == 0).any(|arg| arg == flag.as_bytes()) {
                // SAFETY: kill(2) with a pid read from /proc and SIGKILL.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
    }
}

pub fn need(path: &str, package: &str) {
    assert!(
        Path::new(path).exists(),
        "{path} is needed for the browser test: run .ci/run, or apt-get install {package}"
    );
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits (at most 20 s) until something listens on `port` of 127.0.0.1.
pub fn wait_listening(port: u16, what: &str) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what} did not listen on port {port} within 20 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The browser tests take turns: each starts its own chromedriver and
/// Chromium, and two or three at once on a small machine made a driver
/// miss its start.
pub static ONE_BROWSER_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Starts chromedriver on a free port on 127.0.0.1 and waits until it listens.
pub fn chromedriver() -> (Killed, String) {
    need(CHROMIUM, "chromium");
    need(CHROMEDRIVER, "chromium-driver");
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let guard = Killed(child);
    wait_listening(port, "chromedriver");
    (guard, format!("http://127.0.0.1:{port}"))
}

/// A fresh headless Chromium session; `phone` emulates a 390×844 phone.
pub async fn browser(driver: &str, profile: &Path, downloads: &Path, phone: bool) -> Client {
    browser_with(driver, profile, downloads, phone, serde_json::Map::new()).await
}

/// [`browser`] with more capabilities (`goog:loggingPrefs`, say).
pub async fn browser_with(
    driver: &str,
    profile: &Path,
    downloads: &Path,
    phone: bool,
    mut caps: serde_json::Map<String, Value>,
) -> Client {
    let mut options = json!({
        "binary": CHROMIUM,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            format!("--user-data-dir={}", profile.display()),
            "--window-size=1280,1800",
        ],
        "prefs": {
            "download.default_directory": downloads.display().to_string(),
            "download.prompt_for_download": false,
        },
    });
    if phone {
        options["mobileEmulation"] = json!({
            "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2.0, "touch": true, "mobile": true},
        });
    }
    caps.insert("goog:chromeOptions".into(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(driver)
        .await
        .expect("a Chromium session through chromedriver")
}

/// Runs `script` (a function body returning a value) until it returns
/// something other than null or false, for at most `secs` seconds.
pub async fn wait_js(c: &Client, what: &str, secs: u64, script: &str) -> Value {
    let start = Instant::now();
    loop {
        let v = c.execute(script, vec![]).await.expect(what);
        if !v.is_null() && v != Value::Bool(false) {
            return v;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let status = c
                .execute(
                    "return document.getElementById('status').textContent",
                    vec![],
                )
                .await
                .unwrap_or_default();
            panic!("{what}: not within {secs} s (status: {status})");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Waits until the last change has been rendered and every preview image has
/// decoded; returns the cards as [{platform, alt, width, failed}].
pub async fn previews_settled(c: &Client, what: &str) -> Vec<Value> {
    let v = wait_js(
        c,
        what,
        90,
        r#"
        const b = document.body.dataset;
        if (b.render !== 'done' && b.render !== 'error') return null;
        const imgs = [...document.querySelectorAll('#cards img')];
        if (!imgs.every((i) => i.complete && i.naturalWidth > 0)) return null;
        return [...document.querySelectorAll('#cards .card')].map((card) => {
            const img = card.querySelector('img');
            return {
                platform: card.dataset.platform,
                failed: card.classList.contains('failed'),
                alt: img ? img.alt : null,
                width: img ? img.naturalWidth : 0,
                text: card.textContent,
            };
        });
        "#,
    )
    .await;
    v.as_array().unwrap().clone()
}

pub async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Replaces an input's text the way a person does: select all, then type.
pub async fn retype(c: &Client, css: &str, text: &str) {
    let input = c.find(Locator::Css(css)).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

/// Waits for one finished download in `dir` and returns its bytes.
pub async fn downloaded(dir: &Path, suffix: &str) -> (String, Vec<u8>) {
    let start = Instant::now();
    loop {
        let names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let partial = names.iter().any(|n| n.ends_with(".crdownload"));
        if let Some(name) = names.iter().find(|n| n.ends_with(suffix)) {
            if !partial {
                let mut bytes = Vec::new();
                std::fs::File::open(dir.join(name))
                    .unwrap()
                    .read_to_end(&mut bytes)
                    .unwrap();
                return (name.clone(), bytes);
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "no {suffix} download within 90 s; files: {names:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A command of chromedriver's own, beyond W3C WebDriver: its logs
/// (`se/log`) and the DevTools protocol (`goog/cdp/execute`).
#[derive(Debug)]
struct Goog {
    path: &'static str,
    body: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Goog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/{}", session.unwrap_or(""), self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// The DevTools events logged since the last call (the session asked for
/// `goog:loggingPrefs: {performance: ALL}`), each `{method, params}`.
pub async fn performance_log(c: &Client) -> Vec<Value> {
    let cmd = Goog {
        path: "se/log",
        body: json!({"type": "performance"}),
    };
    let entries = c
        .issue_cmd(cmd)
        .await
        .expect("chromedriver's performance log");
    (entries.as_array().cloned().unwrap_or_default().iter())
        .filter_map(|e| e["message"].as_str())
        .filter_map(|m| serde_json::from_str::<Value>(m).ok())
        .map(|m| m["message"].clone())
        .collect()
}

/// Runs a DevTools protocol command on the page.
pub async fn cdp(c: &Client, cmd: &str, params: Value) -> Value {
    let goog = Goog {
        path: "goog/cdp/execute",
        body: json!({"cmd": cmd, "params": params}),
    };
    c.issue_cmd(goog)
        .await
        .unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

/// docs/screenshots, when the run was asked for screenshots
/// (`POSTKIT_SCREENSHOTS=1`).
pub fn screenshots() -> Option<PathBuf> {
    (std::env::var("POSTKIT_SCREENSHOTS").as_deref() == Ok("1")).then(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

/// Opens the page at `url` and waits, at most `secs` seconds, until it says
/// it is ready (its campaign, and on the static site its engine, loaded).
pub async fn open_page(c: &Client, url: &str, what: &str, secs: u64) {
    c.goto(url).await.unwrap();
    wait_js(
        c,
        what,
        secs,
        "return document.body.dataset.ready === 'true'",
    )
    .await;
}
