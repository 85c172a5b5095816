//! The static site (issue 25): the folder `scripts/site.sh` builds, served
//! by a plain static file server (`python3 -m http.server` on 127.0.0.1,
//! from a subfolder), in Debian's headless Chromium through chromedriver.
//!
//! An Arabic story with Latin hashtags and a logo: every preview decodes,
//! the kit downloaded from the browser is byte for byte what the CLI makes
//! for the same input (PNGs, alt text, captions); the browser's network log
//! shows only GETs of the site's own files (no POST, nothing elsewhere, no
//! CJK or emoji font for this story); then, with the server gone and the
//! browser offline, the page reloads from its service worker and makes the
//! same kit again.
//!
//! The site must be built first: `.ci/run` runs `scripts/site.sh
//! target/site`; `POSTKIT_SITE` names another folder. Without it the test
//! fails and says what to run.

mod common;
mod webdriver;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use common::root;
use webdriver::{
    browser_with, cdp, chromedriver, downloaded, free_port, open_page, performance_log,
    previews_settled, retype, screenshots, wait_js, wait_listening, Killed, Profile,
    ONE_BROWSER_AT_A_TIME,
};

const ORG: &str = "Plymouth Welcome Hub";
/// "When we arrived in Plymouth we knew no one. Today our neighbours teach us
/// to bake, and we teach their children Arabic."
const STORY_AR: &str = "عندما وصلنا إلى بليموث لم نكن نعرف أحدًا. اليوم يعلّمنا جيراننا الخَبز، ونحن نعلّم أطفالهم العربية.";
const HASHTAGS: [&str; 3] = ["#ItTakesACommunity", "#MigrantsDay", "#PlymouthWelcome"];

/// The built site, checked to be one and to carry the page's current
/// sources.
fn site() -> PathBuf {
    built_site("POSTKIT_SITE", "target/site", "")
}

/// The site built with the coordinator's campaign, sizes and kind of
/// tests/data/site-coordinator (.ci/run builds it).
const COORDINATOR: &str = "tests/data/site-coordinator";

fn coordinator_site() -> PathBuf {
    built_site(
        "POSTKIT_SITE_COORDINATOR",
        "target/site-coordinator",
        " --campaign tests/data/site-coordinator/campaign.toml --platforms tests/data/site-coordinator/platforms.toml --template-dir tests/data/site-coordinator",
    )
}

/// A site `scripts/site.sh DEFAULT OPTIONS` built (or the folder `var`
/// names), checked to be one and to carry the page's current sources.
fn built_site(var: &str, default: &str, options: &str) -> PathBuf {
    let dir = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(default));
    let build = format!("scripts/site.sh {}{options}", dir.display());
    assert!(
        dir.join(".postkit-site").is_file() && dir.join("assets/postkit_web_bg.wasm.gz").is_file(),
        "the static site is not built in {}: run `{build}` first (.ci/run does), or set {var} to a site's folder",
        dir.display()
    );
    for f in ["app.js", "app.css", "engine-wasm.js", "engine-worker.js"] {
        let ours = std::fs::read(root().join("src/serve/page").join(f)).unwrap();
        let built = std::fs::read(dir.join("assets").join(f)).unwrap_or_default();
        assert!(
            ours == built,
            "{} has an older {f} than src/serve/page: run `{build}` again",
            dir.display(),
        );
    }
    dir
}

/// `python3 -m http.server` serving `www` on a free port of 127.0.0.1.
fn static_server(www: &Path) -> (Killed, u16) {
    python_server(|port| {
        let mut args: Vec<std::ffi::OsString> = ["-m", "http.server", "--bind", "127.0.0.1"]
            .map(Into::into)
            .to_vec();
        args.extend([port.to_string().into(), "--directory".into(), www.into()]);
        args
    })
}

/// python3 with the arguments `args` gives for a free port of 127.0.0.1,
/// once it listens there.
fn python_server(args: impl FnOnce(u16) -> Vec<std::ffi::OsString>) -> (Killed, u16) {
    let port = free_port();
    let child = Command::new("python3")
        .args(args(port))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 starts");
    let guard = Killed(child);
    wait_listening(port, "the static server");
    (guard, port)
}

/// The entries of a zip, by name.
fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut files = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        files.insert(name, data);
    }
    files
}

/// The page's form filled as a partner does: name, Arabic story, language,
/// hashtags, logo; then every preview decoded.
async fn fill(c: &Client) -> Vec<Value> {
    retype(c, "#org", ORG).await;
    retype(c, "#story", STORY_AR).await;
    c.find(Locator::Css("#lang"))
        .await
        .unwrap()
        .select_by_value("ar")
        .await
        .unwrap();
    retype(c, "#hashtags", &HASHTAGS.join(" ")).await;
    let logo = root().join("examples/logo.png");
    c.find(Locator::Css("#logo"))
        .await
        .unwrap()
        .send_keys(&logo.display().to_string())
        .await
        .unwrap();
    let cards = previews_settled(c, "five previews decode").await;
    assert_eq!(cards.len(), 5, "{cards:?}");
    for card in &cards {
        assert_eq!(card["failed"], false, "{card}");
        let alt = card["alt"].as_str().unwrap();
        assert!(alt.contains("بليموث") && alt.contains(ORG), "{alt}");
        assert!(card["width"].as_u64().unwrap() > 100, "{card}");
    }
    cards
}

/// The page from its top, no field focused (for docs/screenshots).
async fn top_screenshot(c: &Client) -> Vec<u8> {
    wait_js(
        c,
        "every kind's thumbnail shows",
        60,
        "const imgs = [...document.querySelectorAll('#kinds img')]; return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0) || null;",
    )
    .await;
    c.execute(
        "document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);",
        vec![],
    )
    .await
    .unwrap();
    c.screenshot().await.unwrap()
}

async fn download_all(c: &Client, downloads: &Path) -> Vec<u8> {
    for e in std::fs::read_dir(downloads).unwrap().flatten() {
        std::fs::remove_file(e.path()).unwrap();
    }
    c.find(Locator::Css("#download-all"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    downloaded(downloads, ".zip").await.1
}

async fn loaded(c: &Client, url: &str) {
    open_page(c, url, "the page loads its engine and the campaign", 60).await;
}

/// The kit the CLI makes for the same input, by file under the org's folder.
fn cli_kit(dir: &Path, platforms: &[String], tags: &str) -> BTreeMap<String, Vec<u8>> {
    let mut args: Vec<String> = [
        "render",
        "--template",
        "story-quote",
        "--org",
        ORG,
        "--story",
        STORY_AR,
        "--lang",
        "ar",
        "--dir",
        "rtl",
        "--out",
    ]
    .map(String::from)
    .to_vec();
    args.push(dir.join("out").display().to_string());
    args.push("--logo".into());
    args.push(root().join("examples/logo.png").display().to_string());
    args.push("--platform".into());
    args.push(platforms.join(","));
    for h in HASHTAGS {
        args.push(format!("--hashtag={h}"));
    }
    for t in tags.split_whitespace() {
        args.push(format!("--tag={t}"));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_postkit"))
        .args(&args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "postkit render: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let org = dir.join("out/plymouth-welcome-hub");
    let mut files = BTreeMap::new();
    for e in std::fs::read_dir(&org).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        files.insert(
            format!("plymouth-welcome-hub/{name}"),
            std::fs::read(e.path()).unwrap(),
        );
    }
    files
}

/// The site served from `/kit/` of a static server, open in a fresh
/// headless Chromium that keeps the network log and downloads to
/// `downloads`.
struct Opened {
    c: Client,
    server: Option<Killed>,
    origin: String,
    url: String,
    downloads: PathBuf,
    _driver: Killed,
    _profile: Profile,
}

async fn open_site(tmp: &Path, site: &Path) -> Opened {
    let www = tmp.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::os::unix::fs::symlink(site, www.join("kit")).unwrap();
    let (server, port) = static_server(&www);
    let origin = format!("http://127.0.0.1:{port}");
    let url = format!("{origin}/kit/");
    let (driver_guard, driver) = chromedriver();
    let profile = Profile(tmp.join("profile"));
    let downloads = tmp.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert("goog:loggingPrefs".into(), json!({"performance": "ALL"}));
    let c = browser_with(&driver, &profile.0, &downloads, false, caps).await;
    loaded(&c, &url).await;
    Opened {
        c,
        server: Some(server),
        origin,
        url,
        downloads,
        _driver: driver_guard,
        _profile: profile,
    }
}

/// The requests in a performance log: (method, URL).
fn requests(log: &[Value]) -> Vec<(String, String)> {
    (log.iter())
        .filter(|m| m["method"] == "Network.requestWillBeSent")
        .map(|m| {
            let r = &m["params"]["request"];
            let method = r["method"].as_str().unwrap_or("").to_string();
            (method, r["url"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

/// Every request is a GET of the site's own files under `origin`/kit/, or
/// stays in the browser (data:, blob:, the browser's own pages).
fn only_gets_of_the_site(requests: &[(String, String)], origin: &str) {
    for (method, u) in requests {
        let own = u.starts_with(&format!("{origin}/kit/"));
        let inline = u.starts_with("data:") || u.starts_with("blob:");
        // The browser's own pages (its new tab), which never leave it.
        let browser = u.starts_with("chrome://") || u.starts_with("about:");
        assert!(
            (method == "GET" && own) || inline || browser,
            "a request other than a GET of the site's files: {method} {u}"
        );
    }
}

/// A static server as some hosts are set up (Apache's `AddEncoding x-gzip
/// .gz`): a `.gz` file is sent with `Content-Encoding: gzip` and the type of
/// the name under it, so the browser unpacks it before the page sees it.
const ENCODING_HOST: &str = r#"
import functools, http.server, mimetypes, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    def guess_type(self, path):
        if path.endswith('.gz'):
            return mimetypes.guess_type(path[:-3])[0] or 'application/octet-stream'
        return super().guess_type(path)
    def end_headers(self):
        if self.path.split('?')[0].endswith('.gz'):
            self.send_header('Content-Encoding', 'gzip')
        super().end_headers()
    def log_message(self, *args):
        pass
handler = functools.partial(Handler, directory=sys.argv[2])
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), handler).serve_forever()
"#;

/// The site's folder as `www/kit/`, every part linked but the worker, whose
/// copy gets `patch` inserted after the line `marker`.
fn site_with_worker(www: &Path, marker: &str, patch: &str) {
    let site = site();
    let kit = www.join("kit");
    std::fs::create_dir_all(kit.join("assets")).unwrap();
    for e in std::fs::read_dir(&site).unwrap().flatten() {
        if e.file_name() != "assets" {
            std::os::unix::fs::symlink(e.path(), kit.join(e.file_name())).unwrap();
        }
    }
    for e in std::fs::read_dir(site.join("assets")).unwrap().flatten() {
        let to = kit.join("assets").join(e.file_name());
        if e.file_name() == "engine-worker.js" {
            let js = std::fs::read_to_string(e.path()).unwrap();
            assert!(js.contains(marker), "the worker has no line {marker:?}");
            std::fs::write(&to, js.replacen(marker, &format!("{marker}\n{patch}"), 1)).unwrap();
        } else {
            std::os::unix::fs::symlink(e.path(), to).unwrap();
        }
    }
}

/// The previews once one of them shows `word` (of the story just typed),
/// not the last story's: a render draws every size before the page shows
/// any.
async fn previews_of(c: &Client, word: &str) -> Vec<Value> {
    for _ in 0..240 {
        let cards = previews_settled(c, "the previews settle").await;
        if (cards.iter()).any(|c| c["alt"].as_str().is_some_and(|a| a.contains(word))) {
            return cards;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("no preview shows {word:?} within a minute");
}

/// A panic in the engine: in WebAssembly, Rust's panic is a trap
/// (`unreachable`) that leaves the instance unusable. The worker's copy
/// here runs a real trap (a one-function module whose body is
/// `unreachable`) for one size when the story says ENGINE-TRAP. The page
/// names that size as failed and shows the other four; the pool starts a
/// fresh worker, and the next story draws all five. The host here sends the
/// stored .gz files with Content-Encoding: gzip, which the page takes too.
#[tokio::test(flavor = "current_thread")]
async fn an_engine_that_panics_is_restarted_and_the_size_is_named() {
    let _turn = ONE_BROWSER_AT_A_TIME.lock().await;
    let tmp = tempfile::tempdir().unwrap();
    let www = tmp.path().join("www");
    site_with_worker(
        &www,
        "    await started;",
        "    if (msg.texts && msg.texts.some(([n, v]) => n === 'story' && v.includes('ENGINE-TRAP'))\n      && msg.texts.some(([n, v]) => n === 'platform' && v === 'instagram-square')) {\n      const trap = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 5, 1, 3, 0, 0, 11]);\n      new WebAssembly.Instance(new WebAssembly.Module(trap)).exports.f();\n    }",
    );
    let (_server, port) = python_server(|port| {
        vec![
            "-c".into(),
            ENCODING_HOST.into(),
            port.to_string().into(),
            www.clone().into(),
        ]
    });
    let url = format!("http://127.0.0.1:{port}/kit/");

    let (_driver, driver) = chromedriver();
    let profile = Profile(tmp.path().join("profile"));
    let downloads = tmp.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let c = browser_with(
        &driver,
        &profile.0,
        &downloads,
        false,
        serde_json::Map::new(),
    )
    .await;
    loaded(&c, &url).await;
    let encoded = c
        .execute(
            "const r = await fetch('assets/postkit_web_bg.wasm.gz'); const b = new Uint8Array(await r.arrayBuffer()); return [r.headers.get('Content-Encoding'), b[0], b[1]];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        encoded,
        json!(["gzip", 0, 97]),
        "the host sends the engine with Content-Encoding: gzip, unpacked by the browser"
    );

    // How many engine workers the pool has started so far: one a core.
    let pool = || async {
        c.execute("return window.postkitEngine.pool", vec![])
            .await
            .unwrap()
    };
    let before = pool().await;
    assert!(before["size"].as_u64().unwrap() >= 1, "{before}");
    assert_eq!(before["started"], before["size"], "{before}");

    retype(&c, "#org", ORG).await;
    retype(
        &c,
        "#story",
        "Our neighbours taught us to bake. ENGINE-TRAP",
    )
    .await;
    let cards = previews_of(&c, "ENGINE-TRAP").await;
    assert_eq!(cards.len(), 5, "{cards:?}");
    for card in &cards {
        let trapped = card["platform"] == "instagram-square";
        assert_eq!(card["failed"], trapped, "{card}");
        if trapped {
            let text = card["text"].as_str().unwrap();
            assert!(
                text.contains("engine") && text.contains("try again"),
                "the card says the engine failed on this size: {text}"
            );
        } else {
            assert!(card["width"].as_u64().unwrap() > 100, "{card}");
        }
    }
    let status = c
        .find(Locator::Css("#status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        status.contains('1'),
        "the status counts one failed size: {status}"
    );

    // The crashed worker is replaced (with two workers the other one could
    // draw everything alone: the count says it was replaced).
    let after = pool().await;
    assert_eq!(
        after["started"].as_u64(),
        before["started"].as_u64().map(|n| n + 1),
        "one fresh worker takes the crashed one's place: {before} then {after}"
    );
    retype(&c, "#story", "Today our neighbours teach us Cornish.").await;
    let cards = previews_of(&c, "Cornish").await;
    assert_eq!(cards.len(), 5, "{cards:?}");
    for card in &cards {
        assert_eq!(card["failed"], false, "{card}");
        assert!(card["alt"].as_str().unwrap().contains("Cornish"), "{card}");
    }
    c.close().await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn the_static_site_makes_the_clis_kit_in_the_browser_and_offline() {
    let site = site();
    let _turn = ONE_BROWSER_AT_A_TIME.lock().await;
    let tmp = tempfile::tempdir().unwrap();
    // From a subfolder: /kit/ on the static server.
    let mut opened = open_site(tmp.path(), &site).await;
    let (c, origin, url, downloads) = (&opened.c, &opened.origin, &opened.url, &opened.downloads);
    let privacy = c.find(Locator::Css(".privacy")).await.unwrap();
    let privacy = privacy.text().await.unwrap();
    assert!(privacy.contains("Nothing leaves your device"), "{privacy}");
    let note = c.find(Locator::Css("#clips-note")).await.unwrap();
    assert!(note.text().await.unwrap().contains("server"));
    let offered: Vec<String> = c
        .execute(
            "return [...document.querySelectorAll('#platforms input')].map((i) => i.value)",
            vec![],
        )
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(offered.len() > 5, "{offered:?}");
    for video in ["instagram-reel", "tiktok"] {
        assert!(!offered.iter().any(|p| p == video), "{offered:?}");
    }

    let cards = fill(c).await;
    if let Some(dir) = screenshots() {
        let png = top_screenshot(c).await;
        std::fs::write(dir.join("site-desktop.png"), png).unwrap();
    }
    let platforms: Vec<String> = (cards.iter())
        .map(|c| c["platform"].as_str().unwrap().to_string())
        .collect();
    let tags = c
        .find(Locator::Css("#tags"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    let zip = download_all(c, downloads).await;
    let kit = unzip(&zip);

    // The same bytes as the CLI's for the same input.
    let cli = cli_kit(tmp.path(), &platforms, &tags);
    let made: Vec<&String> = kit.keys().filter(|k| *k != "report.json").collect();
    assert_eq!(made.len(), 15, "{:?}", kit.keys());
    for name in made {
        let theirs = cli
            .get(name)
            .unwrap_or_else(|| panic!("the CLI made no {name}: {:?}", cli.keys()));
        assert!(
            &kit[name] == theirs,
            "{name} differs from the CLI's ({} bytes in the browser, {} from the CLI)",
            kit[name].len(),
            theirs.len()
        );
    }
    let report: Value = serde_json::from_slice(&kit["report.json"]).unwrap();
    assert_eq!(
        report["assets"].as_array().map(Vec::len),
        Some(5),
        "{report}"
    );

    // Only GETs of the site's own files; the Arabic font, no CJK or emoji.
    let log = performance_log(c).await;
    let requests = requests(&log);
    assert!(
        requests.iter().any(|(_, u)| u.ends_with(".wasm.gz")),
        "the log shows the page's requests: {requests:?}"
    );
    only_gets_of_the_site(&requests, origin);
    let fonts: Vec<&String> = (requests.iter())
        .filter(|(_, u)| u.contains("/fonts/") && !u.ends_with(".json"))
        .map(|(_, u)| u)
        .collect();
    assert!(
        fonts.iter().any(|u| u.contains("NotoSansArabic")),
        "{fonts:?}"
    );
    assert!(
        !fonts
            .iter()
            .any(|u| u.contains("CJK") || u.contains("Emoji")),
        "{fonts:?}"
    );

    // Offline: the service worker has the site; the server goes away and
    // the browser goes offline; the page reloads and makes the same kit.
    wait_js(
        c,
        "the service worker controls the page and has cached the fonts used",
        60,
        r#"
        if (!navigator.serviceWorker.controller) return null;
        if (window.__cached === undefined) {
            window.__cached = null;
            caches.keys().then((keys) => Promise.all(keys.map((k) => caches.open(k).then((c) => c.keys()))))
                .then((all) => { window.__cached = all.flat().map((r) => r.url); });
        }
        const got = window.__cached;
        if (!got) return null;
        if (!got.some((u) => u.includes('NotoSansArabic-Regular'))) { window.__cached = undefined; return null; }
        return true;
        "#,
    )
    .await;
    drop(opened.server.take());
    cdp(c, "Network.enable", json!({})).await;
    cdp(
        c,
        "Network.emulateNetworkConditions",
        json!({"offline": true, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
    )
    .await;
    loaded(c, url).await;
    fill(c).await;
    let again = download_all(c, downloads).await;
    assert!(again == zip, "the kit made offline differs from the first");

    // The page's languages work here too (offline, from the cache): in
    // Arabic, right to left, the site's own promise in the catalogue's words.
    loaded(c, &format!("{url}?lang=ar")).await;
    let page = c
        .execute(
            "return {dir: document.documentElement.dir, privacy: document.querySelector('.privacy').textContent, clips: document.getElementById('clips-note').textContent}",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(page["dir"], "rtl", "{page}");
    assert!(
        page["privacy"]
            .as_str()
            .unwrap()
            .contains("لا شيء يغادر جهازك"),
        "{page}"
    );
    assert!(page["clips"].as_str().unwrap().contains("الخادم"), "{page}");
    if let Some(dir) = screenshots() {
        // On a phone (390 CSS px wide), the Arabic page with an Arabic story.
        cdp(
            c,
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true}),
        )
        .await;
        loaded(c, &format!("{url}?lang=ar")).await;
        fill(c).await;
        let png = top_screenshot(c).await;
        std::fs::write(dir.join("site-ar-phone.png"), png).unwrap();
    }
    c.clone().close().await.unwrap();
}

/// The page's batch mode on the static site (issue 25): a sheet of three
/// rows (one with no story) with one logo chosen as a file and one inside
/// a zip. The rows are checked in the browser (the bad row named by its
/// cell), every kit is made with the progress shown, and the zip
/// downloaded is byte for byte the folder `postkit batch` writes for the
/// same sheet and logos. The batch engine is fetched only once the mode is
/// opened, and the network log shows only GETs of the site's own files:
/// the sheet and the logos never leave the browser. With
/// POSTKIT_SCREENSHOTS=1 it writes docs/screenshots/site-batch-desktop.png.
/// A coordinator's site (`scripts/site.sh DIR --campaign … --platforms …
/// --template-dir …`): the page offers their campaign's hashtags and tags,
/// their kind chosen and their sizes only; the kit the browser makes is the
/// CLI's with the same campaign and platforms files, byte for byte.
#[tokio::test(flavor = "current_thread")]
async fn a_coordinators_campaign_sizes_and_kind_are_the_sites() {
    let site = coordinator_site();
    let _turn = ONE_BROWSER_AT_A_TIME.lock().await;
    let tmp = tempfile::tempdir().unwrap();
    let opened = open_site(tmp.path(), &site).await;
    let c = &opened.c;
    let page = c
        .execute(
            r#"return {
                hashtags: document.getElementById('hashtags').value,
                tags: document.getElementById('tags').value,
                kind: (document.querySelector('input[name="template"]:checked') || {}).value,
                kinds: [...document.querySelectorAll('input[name="template"]')].map((i) => i.value),
                sizes: [...document.querySelectorAll('#platforms input')].map((i) => i.value).sort(),
            }"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(page["hashtags"], "#PlymouthWelcomes #MigrantsDay", "{page}");
    assert_eq!(page["tags"], "@PlymouthCC", "{page}");
    assert_eq!(page["kind"], "welcome-card", "{page}");
    assert!(
        (page["kinds"].as_array().unwrap().iter()).any(|k| k == "story-quote"),
        "the built-in kinds stay beside the coordinator's: {page}"
    );
    assert_eq!(
        page["sizes"],
        json!(["instagram-square", "noticeboard-square"]),
        "{page}"
    );

    let story = "Our neighbours taught us to bake saffron buns.";
    retype(c, "#org", ORG).await;
    retype(c, "#story", story).await;
    let cards = previews_of(c, "saffron").await;
    assert_eq!(cards.len(), 2, "{cards:?}");
    for card in &cards {
        assert_eq!(card["failed"], false, "{card}");
    }
    let kit = unzip(&download_all(c, &opened.downloads).await);

    let coordinator = root().join(COORDINATOR);
    let out = tmp.path().join("cli");
    let run = Command::new(env!("CARGO_BIN_EXE_postkit"))
        .arg("render")
        .arg("--campaign")
        .arg(coordinator.join("campaign.toml"))
        .arg("--platforms")
        .arg(coordinator.join("platforms.toml"))
        .args(["--org", ORG, "--story", story, "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "postkit render: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let org = out.join("plymouth-welcome-hub");
    let mut made = 0;
    for e in std::fs::read_dir(&org).unwrap().flatten() {
        let name = format!("plymouth-welcome-hub/{}", e.file_name().to_string_lossy());
        let theirs = std::fs::read(e.path()).unwrap();
        let ours = kit
            .get(&name)
            .unwrap_or_else(|| panic!("the browser's kit has no {name}: {:?}", kit.keys()));
        assert!(*ours == theirs, "{name} differs from the CLI's");
        made += 1;
    }
    assert_eq!(made, 6, "two sizes, each an image, alt text and caption");
    assert!(
        kit.contains_key("plymouth-welcome-hub/welcome-card-noticeboard-square.png"),
        "{:?}",
        kit.keys()
    );
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn the_static_site_checks_and_makes_a_sheets_batch_in_the_browser() {
    let site = site();
    for f in ["batch.js", "postkit_batch_bg.wasm.gz", "postkit_batch.js"] {
        assert!(
            site.join("assets").join(f).is_file(),
            "{} has no assets/{f}: run `scripts/site.sh {}` again",
            site.display(),
            site.display()
        );
    }
    let ours = std::fs::read(root().join("src/serve/page/batch.js")).unwrap();
    assert!(
        std::fs::read(site.join("assets/batch.js")).unwrap() == ours,
        "{} has an older batch.js than src/serve/page: run `scripts/site.sh` again",
        site.display()
    );
    let _turn = ONE_BROWSER_AT_A_TIME.lock().await;
    let tmp = tempfile::tempdir().unwrap();

    // The sheet, the logos (one a file, one in a zip) and where the CLI runs.
    let rows = [
        ["org", "story", "logo", "platform"],
        [
            "Café Solidarité Lyon",
            "Quand nous sommes arrivés, personne ne nous connaissait.",
            "logos/cafe.png",
            "instagram-square, x-post, instagram-portrait",
        ],
        [
            "Бібліотека Лідса",
            "Коли ми приїхали, бібліотека стала нашим другим домом.",
            "logos/library.jpg",
            "instagram-square, x-post, instagram-portrait",
        ],
        ["Plymouth Welcome Hub", "", "", "instagram-square"],
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("Partners").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    let xlsx = book.save_to_buffer().unwrap();
    let cafe = std::fs::read(root().join("examples/logo.png")).unwrap();
    let library = std::fs::read(root().join("examples/logo-square.jpg")).unwrap();
    let cli = tmp.path().join("cli");
    std::fs::create_dir_all(cli.join("logos")).unwrap();
    std::fs::write(cli.join("partners.xlsx"), &xlsx).unwrap();
    std::fs::write(cli.join("logos/cafe.png"), &cafe).unwrap();
    std::fs::write(cli.join("logos/library.jpg"), &library).unwrap();
    let chosen = tmp.path().join("chosen");
    std::fs::create_dir_all(&chosen).unwrap();
    std::fs::write(chosen.join("partners.xlsx"), &xlsx).unwrap();
    std::fs::write(chosen.join("cafe.png"), &cafe).unwrap();
    let mut zipped = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zipped
        .start_file(
            "logos/library.jpg",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
    std::io::Write::write_all(&mut zipped, &library).unwrap();
    let zipped = zipped.finish().unwrap().into_inner();
    std::fs::write(chosen.join("logos.zip"), zipped).unwrap();

    let opened = open_site(tmp.path(), &site).await;
    let (c, origin, downloads) = (&opened.c, &opened.origin, &opened.downloads);

    // The page's first visit fetches no batch engine.
    let mut seen = requests(&performance_log(c).await);
    assert!(
        !seen.iter().any(|(_, u)| u.contains("postkit_batch")),
        "the first visit fetched the batch engine: {seen:?}"
    );

    c.find(Locator::Css("#mode-many"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let note = c.find(Locator::Css("#batch-note")).await.unwrap();
    let note = note.text().await.unwrap();
    assert!(note.contains("not uploaded"), "{note}");
    let files = format!(
        "{}\n{}",
        chosen.join("cafe.png").display(),
        chosen.join("logos.zip").display()
    );
    c.find(Locator::Css("#batch-files"))
        .await
        .unwrap()
        .send_keys(&files)
        .await
        .unwrap();
    c.find(Locator::Css("#batch-sheet"))
        .await
        .unwrap()
        .send_keys(&chosen.join("partners.xlsx").display().to_string())
        .await
        .unwrap();

    // The check: the bad row by its cell, the good rows' previews.
    let checked = wait_js(
        c,
        "the sheet is checked in the browser",
        120,
        r#"
        const s = document.getElementById('batch-status');
        if (!/\b(warn|good|bad)\b/.test(s.className)) return null;
        const imgs = [...document.querySelectorAll('#batch-cards img')];
        if (!imgs.every((i) => i.complete && i.naturalWidth > 0)) return null;
        return {
            status: s.textContent,
            kind: s.className,
            problems: [...document.querySelectorAll('.batch-problems tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent)),
            cards: imgs.map((i) => i.alt),
            make: !document.getElementById('batch-make').disabled,
        };
        "#,
    )
    .await;
    assert!(
        checked["kind"].as_str().unwrap().contains("warn"),
        "{checked}"
    );
    let status = checked["status"].as_str().unwrap();
    assert!(
        status.contains("3 rows") && status.contains("6 images"),
        "{checked}"
    );
    let problems = checked["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{checked}");
    assert_eq!(problems[0][0], "3", "{checked}");
    assert_eq!(problems[0][1], "Partners!B4 (column story)", "{checked}");
    let cards = checked["cards"].as_array().unwrap();
    assert_eq!(cards.len(), 2, "{checked}");
    assert!(
        cards[1].as_str().unwrap().contains("Бібліотека Лідса"),
        "{checked}"
    );
    assert_eq!(checked["make"], true, "{checked}");
    if let Some(dir) = screenshots() {
        let png = c.screenshot().await.unwrap();
        std::fs::write(dir.join("site-batch-desktop.png"), png).unwrap();
    }

    // Make all: the progress moves, and the zip downloads.
    c.execute(
        r#"
        window.__progress = [];
        const p = document.getElementById('batch-progress-text');
        new MutationObserver(() => window.__progress.push(p.textContent))
            .observe(p, { childList: true, characterData: true, subtree: true });
        "#,
        vec![],
    )
    .await
    .unwrap();
    let today = c
        .execute(
            "const d = new Date(); const p = (n) => String(n).padStart(2, '0'); return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`",
            vec![],
        )
        .await
        .unwrap();
    c.find(Locator::Css("#batch-make"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let done = wait_js(
        c,
        "the batch is made in the browser",
        300,
        r#"
        const s = document.getElementById('batch-status');
        if (/\bbad\b/.test(s.className)) return { error: s.textContent };
        if (document.getElementById('batch-done').hidden) return null;
        return { text: document.getElementById('batch-progress-text').textContent, seen: window.__progress };
        "#,
    )
    .await;
    assert!(done["error"].is_null(), "{done}");
    let (name, zip) = downloaded(downloads, ".zip").await;
    assert_eq!(name, "postkit-batch.zip");
    assert!(
        done["text"].as_str().unwrap().contains("6 images made")
            && done["text"].as_str().unwrap().contains("1 could not"),
        "{done}"
    );
    let moved: Vec<&str> = (done["seen"].as_array().unwrap().iter())
        .filter_map(Value::as_str)
        .filter(|t| t.contains(" of 6 images made"))
        .collect();
    assert!(!moved.is_empty(), "the progress never moved: {done}");

    // The same files as postkit batch's out/ for the same sheet and logos.
    let run = common::postkit(
        &cli,
        &["batch", "partners.xlsx", "--date", today.as_str().unwrap()],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    let mut written = BTreeMap::new();
    let mut todo = vec![cli.join("out")];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(&cli).unwrap();
            let name: Vec<String> = (rel.iter())
                .map(|c| c.to_string_lossy().to_string())
                .collect();
            if p.is_dir() {
                todo.push(p);
            } else if !name.last().unwrap().starts_with(".postkit") {
                written.insert(name.join("/"), std::fs::read(&p).unwrap());
            }
        }
    }
    let made = unzip(&zip);
    assert_eq!(
        made.keys().collect::<Vec<_>>(),
        written.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &written {
        assert!(made[name] == *bytes, "{name} differs from postkit batch's");
    }
    assert!(made.contains_key("out/index.html"), "{:?}", made.keys());
    let report: Value = serde_json::from_slice(&made["out/report.json"]).unwrap();
    assert_eq!(report["assets"].as_array().unwrap().len(), 6, "{report}");

    // Only GETs of the site's own files, the batch engine among them.
    seen.extend(requests(&performance_log(c).await));
    assert!(
        seen.iter()
            .any(|(_, u)| u.ends_with("/postkit_batch_bg.wasm.gz")),
        "{seen:?}"
    );
    only_gets_of_the_site(&seen, origin);
    c.clone().close().await.unwrap();
}
