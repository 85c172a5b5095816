//! `postkit serve` against the real binary on 127.0.0.1 (a port the OS
//! picks): the API, its answers and errors, hostile requests, a bounded
//! load, and a graceful stop. Every loop is bounded in count and time.
#![cfg(feature = "serve")]

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::root;

/// A running server, stopped when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    /// Its working folder and temporary folder (both must stay empty).
    dir: tempfile::TempDir,
    tmp: tempfile::TempDir,
    log: PathBuf,
    /// The start-up line.
    banner: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        Server::start_env(args, &[])
    }

    fn start_env(args: &[&str], env: &[(&str, &str)]) -> Server {
        Server::start_with(args, env, None)
    }

    /// Started with `env` and, when given, an open-file limit (soft and
    /// hard) set before it runs.
    fn start_with(args: &[&str], env: &[(&str, &str)], nofile: Option<u64>) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let logs = tempfile::tempdir().unwrap().keep();
        let log = logs.join("server.log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_postkit"));
        cmd.args(["serve", "--bind", "127.0.0.1:0"])
            .args(args)
            .current_dir(dir.path())
            .env("TMPDIR", tmp.path())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap());
        #[cfg(unix)]
        if let Some(n) = nofile {
            use std::os::unix::process::CommandExt;
            let limit = libc::rlimit {
                rlim_cur: n as libc::rlim_t,
                rlim_max: n as libc::rlim_t,
            };
            // SAFETY: setrlimit is async-signal-safe; the closure touches
            // nothing but its own copy of `limit`.
            unsafe {
                cmd.pre_exec(move || {
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                        Ok(())
                    } else {
                        Err(std::io::Error::last_os_error())
                    }
                });
            }
        }
        #[cfg(not(unix))]
        let _ = nofile;
        let mut child = cmd.spawn().expect("postkit serve starts");
        let mut line = String::new();
        let mut out = child.stdout.take().unwrap();
        let mut byte = [0u8; 1];
        while !line.ends_with('\n') && out.read(&mut byte).unwrap_or(0) == 1 {
            line.push(byte[0] as char);
        }
        let url = line
            .trim()
            .strip_prefix("postkit: serving on http://")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        let addr = url.trim_end_matches('/').parse().unwrap();
        Server {
            child,
            addr,
            dir,
            tmp,
            log,
            banner: line.trim().to_string(),
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The request log: every line of stderr is one JSON object.
    fn log_lines(&self) -> Vec<serde_json::Value> {
        self.log()
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("a log line that is not JSON ({e}): {l}"))
            })
            .collect()
    }

    /// Whether the log has a line for `method route` answered `status`.
    fn logged(&self, method: &str, route: &str, status: u16) -> bool {
        self.log_lines()
            .iter()
            .any(|l| l["method"] == method && l["route"] == route && l["status"] == status)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One HTTP/1.1 exchange (`Connection: close`), within 60 s.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // A server that refuses a body answers before reading all of it, and
    // may close the connection while it is still being sent.
    let _ = s.write_all(head.as_bytes()).and_then(|_| s.write_all(body));
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Answer {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete answer");
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let nl = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + size]);
        b = &b[nl + 2 + size + 2..];
    }
}

/// A multipart body: text parts, then file parts (field, file name, bytes).
fn multipart(texts: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "postkit-test-boundary-7d1";
    let mut body = Vec::new();
    for (k, v) in texts {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (k, name, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn post_form(
    s: &Server,
    accept: &str,
    texts: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Answer {
    let (ctype, body) = multipart(texts, files);
    http(
        s.addr,
        "POST",
        "/api/render",
        &[("Content-Type", &ctype), ("Accept", accept)],
        &body,
    )
}

const ARABIC: &str = "عندما وصلنا إلى بليموث لم نكن نعرف أحداً. الآن جيراننا يعلموننا خبز الزعفران.";

fn logo() -> Vec<u8> {
    std::fs::read(root().join("examples/logo.png")).unwrap()
}

fn all_files(dir: &Path) -> Vec<String> {
    common::files(dir)
}

#[test]
fn the_read_only_api_describes_the_campaign_presets_and_templates() {
    let s = Server::start(&[]);
    let h = http(s.addr, "GET", "/healthz", &[], b"");
    assert_eq!((h.status, h.json()["status"].as_str()), (200, Some("ok")));
    let c = http(s.addr, "GET", "/api/campaign", &[], b"").json();
    assert_eq!(c["hashtags"][0], "#ItTakesACommunity");
    assert_eq!(c["platforms"].as_array().unwrap().len(), 5);
    let p = http(s.addr, "GET", "/api/platforms", &[], b"").json();
    let presets = postkit::Platforms::embedded();
    assert_eq!(p.as_array().unwrap().len(), presets.all().len());
    let t = http(s.addr, "GET", "/api/templates", &[], b"").json();
    let names: Vec<&str> = t
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), postkit::template::builtin_names().len());
    let event = http(s.addr, "GET", "/api/templates/event", &[], b"").json();
    let fields: Vec<(&str, bool)> = event["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap(),
                f["required"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(fields.iter().any(|(n, _)| *n == "event"), "{fields:?}");
    assert!(
        !fields
            .iter()
            .any(|(n, _)| ["org", "logo", "hashtags", "tags"].contains(n)),
        "{fields:?}"
    );
    let story = http(s.addr, "GET", "/api/templates/photo-story", &[], b"").json();
    let kinds: Vec<(&str, &str)> = story["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["kind"].as_str().unwrap()))
        .collect();
    assert!(
        kinds.contains(&("photo", "image")) && kinds.contains(&("story", "text")),
        "{kinds:?}"
    );
    let thumb = http(
        s.addr,
        "GET",
        "/api/templates/story-quote/thumbnail.png",
        &[],
        b"",
    );
    assert_eq!(thumb.status, 200);
    let img = image::load_from_memory(&thumb.body).unwrap();
    assert!(img.width() <= 320 && img.height() <= 320);
    let missing = http(s.addr, "GET", "/api/templates/poster", &[], b"");
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("choose one of: ambassador"));
    // Every answer carries the security headers.
    let page = http(s.addr, "GET", "/", &[], b"");
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(h.header("cache-control"), Some("no-store"));
    // One line per request: method, the route's template, status.
    assert!(s.logged("GET", "/api/templates/{name}", 200), "{}", s.log());
}

#[test]
fn a_render_answers_json_with_previews_one_png_or_the_whole_kit() {
    let s = Server::start(&["--asset-links"]);
    let texts = [
        ("org", "مركز الترحيب"),
        ("story", ARABIC),
        ("hashtags", "ItTakesACommunity MigrantsDay"),
        ("preview", "300"),
    ];
    let logo = logo();
    let r = post_form(
        &s,
        "application/json",
        &texts,
        &[("logo", "logo.png", &logo)],
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let v = r.json();
    let assets = v["assets"].as_array().unwrap();
    assert_eq!(assets.len(), 5, "{v}");
    for a in assets {
        let url = a["preview"].as_str().unwrap();
        let b64 = url.strip_prefix("data:image/png;base64,").unwrap();
        use base64::Engine as _;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let img = image::load_from_memory(&png).unwrap();
        assert!(img.width().max(img.height()) <= 300);
        assert!(a["alt"].as_str().unwrap().contains("عندما وصلنا"));
        assert!(a["caption"].as_str().unwrap().contains("#MigrantsDay"));
        assert!(a["slots"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "story" && s["fits"] == true));
    }
    // Without previews: links to the full-size images, which last.
    let texts = [
        ("org", "Hub"),
        ("story", "We cook."),
        ("platform", "x-post"),
    ];
    let v = post_form(&s, "application/json", &texts, &[]).json();
    let url = v["assets"][0]["url"].as_str().unwrap().to_string();
    let img = http(s.addr, "GET", &url, &[], b"");
    assert_eq!(
        (img.status, img.header("content-type")),
        (200, Some("image/png"))
    );
    assert_eq!(image::load_from_memory(&img.body).unwrap().width(), 1600);
    assert!(
        !s.log().contains(url.split('/').nth(3).unwrap()),
        "the log names no link token"
    );
    // One image.
    let png = post_form(&s, "image/png", &texts, &[]);
    assert_eq!(png.status, 200);
    assert!(png
        .header("content-disposition")
        .unwrap()
        .contains("story-quote-x-post.png"));
    assert!(png.body == img.body, "the same input gives the same image");
    // Several sizes are not one image.
    let two = post_form(
        &s,
        "image/png",
        &[
            ("org", "Hub"),
            ("story", "We cook."),
            ("platform", "x-post;instagram-story"),
        ],
        &[],
    );
    assert_eq!(two.status, 400);
    assert_eq!(two.json()["error"]["field"], "platform");
}

#[test]
fn the_kit_zip_is_complete_and_byte_identical_for_the_same_input() {
    let s = Server::start(&[]);
    let logo = logo();
    let texts = [("org", "../../etc/pass\u{0}wd"), ("story", ARABIC)];
    let a = post_form(
        &s,
        "application/zip",
        &texts,
        &[("logo", "logo.png", &logo)],
    );
    let b = post_form(
        &s,
        "application/zip",
        &texts,
        &[("logo", "logo.png", &logo)],
    );
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    assert!(
        a.body == b.body,
        "the zip differs between two identical requests"
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(a.body)).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    let pngs: Vec<&String> = names.iter().filter(|n| n.ends_with(".png")).collect();
    assert_eq!(pngs.len(), 5, "{names:?}");
    for n in &names {
        assert!(
            !n.contains("..") && !n.starts_with('/') && !n.contains('\0'),
            "{n}"
        );
    }
    for p in pngs {
        assert!(p.starts_with("etc-pass-wd/"), "{p}");
        for side in ["alt.txt", "caption.txt"] {
            let name = format!("{p}.{side}");
            let mut text = String::new();
            zip.by_name(&name)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            assert!(!text.is_empty(), "{name}");
        }
    }
    let mut report = String::new();
    zip.by_name("report.json")
        .unwrap()
        .read_to_string(&mut report)
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["assets"].as_array().unwrap().len(), 5);
}

#[test]
fn bad_requests_name_the_field_and_the_limit() {
    let s = Server::start(&["--max-image-mb", "1"]);
    // Over the image limit: 413, read no further.
    let big = vec![0u8; 1_100_000];
    let r = post_form(
        &s,
        "application/json",
        &[("org", "Hub"), ("story", "Hi")],
        &[("photo", "big.jpg", &big)],
    );
    assert_eq!(r.status, 413);
    let e = r.json();
    assert_eq!(
        (e["error"]["field"].as_str(), e["error"]["class"].as_str()),
        (Some("photo"), Some("too_large"))
    );
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("limit of 1 MB"),
        "{e}"
    );
    // A text file as the logo.
    let r = post_form(
        &s,
        "application/json",
        &[("org", "Hub"), ("story", "Hi")],
        &[("logo", "notes.txt", b"hello, not a picture")],
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error"]["message"],
        "logo notes.txt: is not a PNG, JPEG, WebP or SVG image"
    );
    // A missing story, and one too long.
    let r = post_form(&s, "application/json", &[("org", "Hub")], &[]);
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (400, Some("story"))
    );
    let long = "word ".repeat(3000);
    let r = post_form(
        &s,
        "application/json",
        &[("org", "Hub"), ("story", &long)],
        &[],
    );
    assert_eq!(
        (r.status, r.json()["error"]["class"].as_str()),
        (413, Some("too_large"))
    );
    // Text that cannot fit at any size: 422.
    let r = post_form(
        &s,
        "application/json",
        &[
            ("org", "Hub"),
            ("story", &"word ".repeat(1900)),
            ("platform", "x-post"),
        ],
        &[],
    );
    assert_eq!(
        (r.status, r.json()["error"]["class"].as_str()),
        (422, Some("cannot_render"))
    );
    // Unknown fields are template fields (ignored by templates that do not
    // use them); malformed names are refused.
    let r = post_form(
        &s,
        "application/json",
        &[
            ("org", "Hub"),
            ("story", "Hi"),
            ("platform", "x-post"),
            ("favourite_colour", "teal"),
        ],
        &[],
    );
    assert_eq!(r.status, 200);
    let r = post_form(
        &s,
        "application/json",
        &[("org", "Hub"), ("story", "Hi"), ("bad name!", "x")],
        &[],
    );
    assert_eq!(r.status, 400);
    // Not a form at all.
    let r = http(
        s.addr,
        "POST",
        "/api/render",
        &[("Content-Type", "text/plain")],
        b"org=Hub",
    );
    assert_eq!(r.status, 415);
    // Bad JSON.
    let r = http(
        s.addr,
        "POST",
        "/api/render",
        &[("Content-Type", "application/json")],
        b"{\"org\": ",
    );
    assert_eq!(
        (r.status, r.json()["error"]["class"].as_str()),
        (400, Some("bad_input"))
    );
    assert!(
        all_files(s.dir.path()).is_empty() && all_files(s.tmp.path()).is_empty(),
        "a file was written"
    );
}

/// An SVG logo that links to an outside image: drawn without it, and
/// nothing is fetched (a listener at the linked address hears nothing).
#[test]
fn an_svg_logo_with_an_external_link_fetches_nothing() {
    let trap = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    trap.set_nonblocking(true).unwrap();
    let port = trap.local_addr().unwrap().port();
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 40"><rect width="100" height="40" fill="#0e3b5c"/><image href="http://127.0.0.1:{port}/x.png" width="40" height="40"/></svg>"##
    );
    let s = Server::start(&[]);
    let r = post_form(
        &s,
        "application/json",
        &[("org", "Hub"), ("story", "Hi"), ("platform", "x-post")],
        &[("logo", "logo.svg", svg.as_bytes())],
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(
        trap.accept().is_err(),
        "the server fetched the linked image"
    );
}

/// Without a queue (`--queue 0`), a slow upload holds the one place
/// until it is cut off; meanwhile a second request finds no room: 503
/// with Retry-After, at once.
#[test]
fn slow_uploads_are_cut_off_and_a_full_server_says_busy() {
    let s = Server::start(&["--workers", "1", "--queue", "0", "--read-timeout", "2"]);
    let (ctype, body) = multipart(&[("org", "Hub"), ("story", "Hi")], &[]);
    let mut slow = TcpStream::connect(s.addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!("POST /api/render HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n", body.len());
    slow.write_all(head.as_bytes()).unwrap();
    slow.write_all(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let busy = post_form(
        &s,
        "application/json",
        &[("org", "Hub"), ("story", "Hi")],
        &[],
    );
    assert_eq!(busy.status, 503);
    let retry: u32 = busy.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=120).contains(&retry), "{retry}");
    let started = Instant::now();
    let mut raw = Vec::new();
    slow.read_to_end(&mut raw).unwrap();
    let cut = parse(&raw);
    assert_eq!(cut.status, 408, "{}", String::from_utf8_lossy(&cut.body));
    assert!(cut.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("was cut off"));
    assert!(started.elapsed() < Duration::from_secs(10));
    // The slot is free again.
    let ok = post_form(
        &s,
        "application/json",
        &[("org", "Hub"), ("story", "Hi"), ("platform", "x-post")],
        &[],
    );
    assert_eq!(ok.status, 200);
}

/// 200 requests at concurrency 16: every answer is 200, or 503 with
/// Retry-After, and the server answers /healthz all along.
#[test]
fn under_load_every_answer_is_a_render_or_busy() {
    let s = Server::start(&[]);
    let addr = s.addr;
    let (ctype, body) = multipart(
        &[
            ("org", "Hub"),
            ("story", "We cook on Fridays."),
            ("platform", "x-post"),
            ("preview", "200"),
        ],
        &[],
    );
    let next = std::sync::atomic::AtomicUsize::new(0);
    let deadline = Instant::now() + Duration::from_secs(240);
    let outcomes: Vec<(u16, bool)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..16)
            .map(|_| {
                scope.spawn(|| {
                    let mut seen = Vec::new();
                    while next.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 200
                        && Instant::now() < deadline
                    {
                        let r = http(
                            addr,
                            "POST",
                            "/api/render",
                            &[("Content-Type", &ctype)],
                            &body,
                        );
                        seen.push((r.status, r.header("retry-after").is_some()));
                    }
                    seen
                })
            })
            .collect();
        let mut health = 0;
        while workers.iter().any(|w| !w.is_finished()) && health < 50 {
            assert_eq!(http(addr, "GET", "/healthz", &[], b"").status, 200);
            health += 1;
            std::thread::sleep(Duration::from_millis(50));
        }
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert_eq!(
        outcomes.len(),
        200,
        "every request answered within the time"
    );
    for (status, retry) in &outcomes {
        assert!(*status == 200 || (*status == 503 && *retry), "{status}");
    }
    assert!(outcomes.iter().any(|(s, _)| *s == 200));
}

/// A render of every size, sent from another thread: its status.
fn render_every_size_in_the_background(addr: SocketAddr) -> std::thread::JoinHandle<u16> {
    render_every_size_in_the_background_as(addr, "application/json")
}

/// A render of every size answered as `accept`, sent from another thread:
/// its status.
fn render_every_size_in_the_background_as(
    addr: SocketAddr,
    accept: &'static str,
) -> std::thread::JoinHandle<u16> {
    let (ctype, body) = multipart(
        &[("org", "Hub"), ("story", "We cook."), ("platform", "all")],
        &[],
    );
    std::thread::spawn(move || {
        http(
            addr,
            "POST",
            "/api/render",
            &[("Content-Type", &ctype), ("Accept", accept)],
            &body,
        )
        .status
    })
}

/// SIGTERM: the request in flight is answered, then the server exits 0.
#[cfg(unix)]
#[test]
fn sigterm_finishes_what_is_in_flight_then_exits_cleanly() {
    let mut s = Server::start(&[]);
    let addr = s.addr;
    let in_flight = render_every_size_in_the_background(addr);
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: kill only sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(s.child.id() as i32, libc::SIGTERM) }, 0);
    assert_eq!(in_flight.join().unwrap(), 200);
    let status = s.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(all_files(s.dir.path()).is_empty() && all_files(s.tmp.path()).is_empty());
}

/// A panic while rendering is that request's error; the server goes on.
#[cfg(debug_assertions)]
#[test]
fn a_panic_in_a_render_is_that_requests_error() {
    let s = Server::start_env(&[], &[("POSTKIT_FAILPOINT_PANIC", "Broken Hub")]);
    let r = post_form(
        &s,
        "application/json",
        &[
            ("org", "Broken Hub"),
            ("story", "Hi"),
            ("platform", "x-post"),
        ],
        &[],
    );
    assert_eq!(r.status, 500);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("internal error while rendering"));
    let ok = post_form(
        &s,
        "application/json",
        &[("org", "Good Hub"), ("story", "Hi"), ("platform", "x-post")],
        &[],
    );
    assert_eq!(ok.status, 200);
}

/// `--max-requests N` answers N requests, then exits 0.
#[test]
fn max_requests_stops_the_server() {
    let mut s = Server::start(&["--max-requests", "2"]);
    assert_eq!(http(s.addr, "GET", "/healthz", &[], b"").status, 200);
    assert_eq!(http(s.addr, "GET", "/api/campaign", &[], b"").status, 200);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(Instant::now() < deadline, "still running");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A translation (issue 18) as a form field and as JSON: the template lists
/// it as an optional text field, the card shows it, the alt text carries
/// it; one given for a kind without a place for it names its field.
#[test]
fn a_translation_is_a_field_of_the_form_and_the_json() {
    let s = Server::start(&[]);
    let t = http(s.addr, "GET", "/api/templates/story-quote", &[], b"").json();
    let field = t["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "translation")
        .cloned()
        .unwrap_or_else(|| panic!("{t}"));
    assert_eq!(
        (&field["kind"], &field["required"], &field["multiline"]),
        (&"text".into(), &false.into(), &true.into())
    );
    let r = post_form(
        &s,
        "application/json",
        &[
            ("org", "Hub"),
            ("story", ARABIC),
            ("translation", "When we arrived in Plymouth we knew nobody."),
            ("translation_lang", "en"),
            ("translation_dir", "auto"),
            ("platform", "instagram-square"),
        ],
        &[],
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    let a = &v["assets"][0];
    assert!(a["alt"]
        .as_str()
        .unwrap()
        .contains("(الترجمة: «When we arrived in Plymouth we knew nobody.»)"));
    assert!(a["slots"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["name"] == "translation" && s["fits"] == true));
    let body = serde_json::json!({
        "org": "Hub", "story": "We cook.", "translation": "Nous cuisinons.",
        "template": "countdown", "platform": "instagram-square",
    });
    let r = http(
        s.addr,
        "POST",
        "/api/render",
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["error"]["field"], "translation");
}

/// CPU seconds (user + system) the process has used so far.
#[cfg(target_os = "linux")]
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may hold spaces), 1-based 14, 15.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    // SAFETY: sysconf only reads a constant.
    ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
}

/// Issue 28: with an open-file limit of 256, 150 connections that send
/// nothing and 150 that send half a request cannot take the server down:
/// the start-up line says the cap (below the limit), a fresh client's
/// /healthz answers within a second, a render succeeds, the process idles
/// while they hang, and every one of them is closed within the limits
/// (the half-sent ones with 408).
#[cfg(target_os = "linux")]
#[test]
fn idle_and_half_sent_connections_cannot_take_the_server_down() {
    let s = Server::start_with(
        &[
            "--workers",
            "1",
            "--idle-timeout",
            "3",
            "--header-timeout",
            "3",
        ],
        &[],
        Some(256),
    );
    let cap: usize = s
        .banner
        .split("up to ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the start-up line says the cap: {}", s.banner));
    assert!((100..256).contains(&cap), "{}", s.banner);

    let opened = Instant::now();
    let mut idle = Vec::new();
    let mut half = Vec::new();
    for i in 0..300 {
        let mut c = TcpStream::connect(s.addr).unwrap();
        if i % 2 == 1 {
            c.write_all(b"GET /api/campaign HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .unwrap();
            half.push(c);
        } else {
            idle.push(c);
        }
    }
    // A fresh client gets through at once, again and again.
    for _ in 0..5 {
        let t = Instant::now();
        let r = http(s.addr, "GET", "/healthz", &[], b"");
        assert_eq!(r.status, 200);
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "/healthz took {:?}",
            t.elapsed()
        );
    }
    let r = post_form(
        &s,
        "application/json",
        &[
            ("org", "Hub"),
            ("story", "We cook."),
            ("platform", "x-post"),
        ],
        &[],
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    // While the rest hang, the server does nothing.
    let before = cpu_seconds(s.child.id());
    std::thread::sleep(Duration::from_millis(1500));
    let used = cpu_seconds(s.child.id()) - before;
    assert!(
        used < 0.15,
        "{used} s of CPU in 1.5 s while connections hang"
    );
    // All closed within the limits (3 s, plus slack for a busy machine).
    let by = opened + Duration::from_secs(3 + 5);
    let mut answered_408 = 0;
    for (c, sent_half) in idle
        .iter_mut()
        .map(|c| (c, false))
        .chain(half.iter_mut().map(|c| (c, true)))
    {
        let left = by.saturating_duration_since(Instant::now());
        c.set_read_timeout(Some(left.max(Duration::from_millis(10))))
            .unwrap();
        let mut got = Vec::new();
        match c.read_to_end(&mut got) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!("a connection still open after the limits: {e}"),
        }
        if sent_half {
            if !got.is_empty() {
                assert_eq!(parse(&got).status, 408);
                answered_408 += 1;
            }
        } else {
            assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
        }
    }
    assert!(answered_408 > 0, "half-sent requests are answered 408");
    // And the server still answers.
    assert_eq!(http(s.addr, "GET", "/healthz", &[], b"").status, 200);
}

/// A kept-alive connection is closed after the idle limit; one that
/// sends its headers slowly gets 408 after the header limit, even while
/// it keeps sending.
#[test]
fn kept_alive_and_slow_header_connections_are_closed_in_time() {
    let s = Server::start(&["--idle-timeout", "1", "--header-timeout", "2"]);
    let mut keep = TcpStream::connect(s.addr).unwrap();
    keep.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    keep.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let t = Instant::now();
    let mut got = Vec::new();
    keep.read_to_end(&mut got).unwrap();
    assert_eq!(parse(&got).status, 200);
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "closed after {took:?}"
    );

    let mut slow = TcpStream::connect(s.addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let t = Instant::now();
    slow.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
    // One header line every 400 ms: never finishing.
    let mut sent = 0;
    while t.elapsed() < Duration::from_secs(6)
        && slow
            .write_all(format!("X-{sent}: y\r\n").as_bytes())
            .is_ok()
    {
        sent += 1;
        std::thread::sleep(Duration::from_millis(400));
        let mut peek = [0u8; 1];
        slow.set_nonblocking(true).unwrap();
        let more = slow.peek(&mut peek);
        slow.set_nonblocking(false).unwrap();
        if more.is_ok() {
            break;
        }
    }
    let mut got = Vec::new();
    let _ = slow.read_to_end(&mut got);
    let took = t.elapsed();
    let r = parse(&got);
    assert_eq!(r.status, 408);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("headers took longer than 2 s"));
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(6),
        "answered after {took:?}"
    );
}

/// Issue 32: SIGTERM with a drain delay: `/readyz` turns 503 at once while
/// `/healthz` stays 200, new connections are served through the delay, the
/// render in flight is answered, and the server exits 0. Health and
/// readiness checks are not logged.
#[cfg(unix)]
#[test]
fn sigterm_fails_readiness_at_once_serves_through_the_drain_delay_then_exits_0() {
    let mut s = Server::start(&["--drain-delay", "2"]);
    let addr = s.addr;
    assert_eq!(
        http(addr, "GET", "/readyz", &[], b"").json()["status"],
        "ready"
    );
    let in_flight = render_every_size_in_the_background(addr);
    std::thread::sleep(Duration::from_millis(300));
    let sent = Instant::now();
    // SAFETY: kill only sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(s.child.id() as i32, libc::SIGTERM) }, 0);
    std::thread::sleep(Duration::from_millis(200));
    let ready = http(addr, "GET", "/readyz", &[], b"");
    assert_eq!(ready.status, 503);
    assert_eq!(ready.json()["status"], "draining");
    assert_eq!(http(addr, "GET", "/healthz", &[], b"").status, 200);
    assert_eq!(http(addr, "GET", "/api/campaign", &[], b"").status, 200);
    assert_eq!(in_flight.join().unwrap(), 200);
    let status = s.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        sent.elapsed() >= Duration::from_millis(1900),
        "exited after {:?}, before the drain delay",
        sent.elapsed()
    );
    let log = s.log();
    assert!(s.logged("GET", "/api/campaign", 200), "{log}");
    assert!(s.logged("POST", "/api/render", 200), "{log}");
    assert!(!log.contains("healthz") && !log.contains("readyz"), "{log}");
}

/// Issue 32: without `--asset-links` (the default) any replica answers any
/// request: a JSON answer carries 400 px previews and no links, and a link
/// (made by another server, say) is not found with a message that says so.
#[test]
fn without_asset_links_json_answers_carry_previews_and_no_links() {
    let s = Server::start(&[]);
    let texts = [
        ("org", "Hub"),
        ("story", "We cook."),
        ("platform", "x-post"),
    ];
    let r = post_form(&s, "application/json", &texts, &[]);
    assert_eq!(r.status, 200);
    let a = &r.json()["assets"][0];
    assert!(a.get("url").is_none(), "{a}");
    let b64 = a["preview"]
        .as_str()
        .unwrap()
        .strip_prefix("data:image/png;base64,")
        .unwrap();
    use base64::Engine as _;
    let png = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let img = image::load_from_memory(&png).unwrap();
    assert_eq!(img.width().max(img.height()), 400);
    let gone = http(
        s.addr,
        "GET",
        "/api/assets/0123456789abcdef0123456789abcdef/story-quote-x-post.png",
        &[],
        b"",
    );
    assert_eq!(gone.status, 404);
    assert!(gone.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("made by another server"));
}

/// A render of every size as a zip, started from another thread: it holds
/// a render slot for a while. Its status.
fn hold_a_slot(addr: SocketAddr) -> std::thread::JoinHandle<u16> {
    render_every_size_in_the_background_as(addr, "application/zip")
}

/// One small render (x-post, JSON): its answer.
fn small_render(addr: SocketAddr, org: &str) -> Answer {
    let (ctype, body) = multipart(
        &[("org", org), ("story", "We cook."), ("platform", "x-post")],
        &[],
    );
    http(
        addr,
        "POST",
        "/api/render",
        &[("Content-Type", &ctype)],
        &body,
    )
}

/// Waits (at most 30 s) until the metrics say `name` has `value`.
fn wait_for_metric(addr: SocketAddr, name: &str, value: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let m = http(addr, "GET", "/metrics", &[], b"");
        let text = String::from_utf8_lossy(&m.body).to_string();
        if text.lines().any(|l| l == format!("{name} {value}")) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{name} never reached {value}: {text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Issue 32: with every slot busy, render requests wait in a bounded
/// queue and are served strictly in the order they arrived; one more than
/// the queue holds is answered 503 with Retry-After at once; a slow upload
/// holds no slot meanwhile. No other status.
#[test]
fn renders_wait_in_a_bounded_queue_and_are_served_in_arrival_order() {
    let s = Server::start(&["--workers", "1", "--queue", "4", "--queue-wait", "60"]);
    let addr = s.addr;
    assert!(
        s.banner.contains("1 render slots, 4 more may wait"),
        "{}",
        s.banner
    );
    let holder = hold_a_slot(addr);
    wait_for_metric(addr, "postkit_render_slots_busy", "1");
    // A slow upload takes a place in the queue but no slot.
    let (ctype, body) = multipart(&[("org", "Slow"), ("story", "Hi")], &[]);
    let mut slow = TcpStream::connect(addr).unwrap();
    let head = format!("POST /api/render HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n", body.len());
    slow.write_all(head.as_bytes()).unwrap();
    slow.write_all(&body[..10]).unwrap();
    wait_for_metric(addr, "postkit_render_queue_reading", "1");
    // Three more, one after another: each is in the queue before the next.
    let done = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut waiting = Vec::new();
    for i in 0..3 {
        let done = done.clone();
        waiting.push(std::thread::spawn(move || {
            let r = small_render(addr, &format!("Hub {i}"));
            done.lock().unwrap().push(i);
            r.status
        }));
        wait_for_metric(addr, "postkit_render_queue_length", &(i + 1).to_string());
    }
    // The queue is full: at once, 503 with Retry-After and a message.
    let t = Instant::now();
    let full = small_render(addr, "One too many");
    assert_eq!(full.status, 503, "{}", String::from_utf8_lossy(&full.body));
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    let retry: u32 = full.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=120).contains(&retry), "{retry}");
    assert!(full.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("4 requests are waiting"));
    // The slow upload finishes its body: it joins the queue behind them.
    slow.write_all(&body[10..]).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    assert_eq!(holder.join().unwrap(), 200);
    let statuses: Vec<u16> = waiting.into_iter().map(|w| w.join().unwrap()).collect();
    assert_eq!(statuses, vec![200, 200, 200]);
    assert_eq!(*done.lock().unwrap(), vec![0, 1, 2], "served out of order");
    let mut raw = Vec::new();
    slow.read_to_end(&mut raw).unwrap();
    assert_eq!(parse(&raw).status, 200);
    let m = String::from_utf8_lossy(&http(addr, "GET", "/metrics", &[], b"").body).to_string();
    assert!(
        m.contains("postkit_render_rejections_total{reason=\"queue_full\"} 1"),
        "{m}"
    );
}

/// Issue 32: a request that waits longer than `--queue-wait` for a slot is
/// answered 503 with Retry-After; the render in the slot finishes.
#[test]
fn a_wait_longer_than_queue_wait_is_answered_503_with_retry_after() {
    let s = Server::start(&["--workers", "1", "--queue-wait", "1"]);
    let holder = hold_a_slot(s.addr);
    wait_for_metric(s.addr, "postkit_render_slots_busy", "1");
    let t = Instant::now();
    let r = small_render(s.addr, "Hub");
    let took = t.elapsed();
    if r.status == 200 {
        // The whole kit was made within a second on this machine: nothing
        // waited long enough to be refused.
        assert_eq!(holder.join().unwrap(), 200);
        return;
    }
    assert_eq!(r.status, 503, "{}", String::from_utf8_lossy(&r.body));
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(r.header("retry-after").unwrap().parse::<u32>().unwrap() >= 1);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("stayed busy for 1 s"));
    assert_eq!(holder.join().unwrap(), 200);
}

/// Issue 32: every serve flag can be given as `POSTKIT_…` in the
/// environment (shown in --help); a flag overrides its variable.
#[test]
fn serve_flags_come_from_the_environment_and_a_flag_overrides_its_variable() {
    let env = [("POSTKIT_WORKERS", "3"), ("POSTKIT_QUEUE", "5")];
    let s = Server::start_env(&[], &env);
    assert!(
        s.banner.contains("3 render slots, 5 more may wait"),
        "{}",
        s.banner
    );
    let s = Server::start_env(&["--workers", "1"], &env);
    assert!(
        s.banner.contains("1 render slots, 5 more may wait"),
        "{}",
        s.banner
    );
    // A bad value names its variable.
    let out = Command::new(env!("CARGO_BIN_EXE_postkit"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("POSTKIT_QUEUE_WAIT", "soon")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--queue-wait") && err.contains("soon"),
        "{err}"
    );
    let help = Command::new(env!("CARGO_BIN_EXE_postkit"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for var in [
        "POSTKIT_BIND",
        "POSTKIT_WORKERS",
        "POSTKIT_QUEUE",
        "POSTKIT_QUEUE_WAIT",
        "POSTKIT_METRICS_BIND",
        "POSTKIT_ASSET_LINKS",
    ] {
        assert!(
            help.contains(&format!("[env: {var}=")),
            "{var} not in --help:\n{help}"
        );
    }
}

/// Issue 32: `/metrics` on its own address (`--metrics-bind`) parses with
/// the Prometheus client's own text parser, and its totals agree with the
/// requests made; no label carries what a request sent.
#[test]
fn metrics_parse_with_the_prometheus_parser_and_agree_with_the_requests_made() {
    let python = common::venv_python("prometheus_client");
    let s = Server::start(&["--metrics-bind", "127.0.0.1:0"]);
    let metrics: SocketAddr = s
        .banner
        .split("metrics on http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("the start-up line names the metrics address: {}", s.banner));
    let mut campaign_bytes = 0;
    for _ in 0..3 {
        let r = http(s.addr, "GET", "/api/campaign", &[], b"");
        assert_eq!(r.status, 200);
        campaign_bytes += r.body.len();
    }
    assert_eq!(
        http(s.addr, "GET", "/api/templates/event", &[], b"").status,
        200
    );
    assert_eq!(
        http(s.addr, "GET", "/api/templates/Secretname", &[], b"").status,
        404
    );
    assert_eq!(
        http(s.addr, "GET", "/no/such/Secretpath", &[], b"").status,
        404
    );
    for org in ["Hub A", "Hub B"] {
        assert_eq!(small_render(s.addr, org).status, 200);
    }
    let zip = post_form(
        &s,
        "application/zip",
        &[
            ("org", "Hub"),
            ("story", "Secretstory words"),
            ("platform", "x-post"),
        ],
        &[],
    );
    assert_eq!(zip.status, 200);
    let bad = post_form(&s, "application/json", &[("org", "Hub")], &[]);
    assert_eq!(bad.status, 400);
    // Not on the main address when it has its own.
    assert_eq!(http(s.addr, "GET", "/metrics", &[], b"").status, 404);
    let scrape = http(metrics, "GET", "/metrics", &[], b"");
    assert_eq!(scrape.status, 200);
    assert!(scrape
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = String::from_utf8(scrape.body).unwrap();
    assert!(!text.contains("Secret"), "user content in a label:\n{text}");
    // The official parser: every sample as [name, labels, value].
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scrape.txt");
    std::fs::write(&file, &text).unwrap();
    let out = Command::new(python)
        .args(["-c", "import json, sys\nfrom prometheus_client.parser import text_string_to_metric_families\nprint(json.dumps([[s.name, s.labels, s.value] for f in text_string_to_metric_families(open(sys.argv[1]).read()) for s in f.samples]))", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let samples: Vec<(String, BTreeMap<String, String>, f64)> =
        serde_json::from_slice(&out.stdout).unwrap();
    let value = |name: &str, labels: &[(&str, &str)]| -> f64 {
        samples
            .iter()
            .filter(|(n, l, _)| {
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|(_, _, v)| v)
            .sum()
    };
    let req = "postkit_http_requests_total";
    assert_eq!(
        value(
            req,
            &[
                ("route", "/api/campaign"),
                ("method", "GET"),
                ("status", "200")
            ]
        ),
        3.0
    );
    assert_eq!(
        value(
            req,
            &[("route", "/api/templates/{name}"), ("status", "200")]
        ),
        1.0
    );
    assert_eq!(
        value(
            req,
            &[("route", "/api/templates/{name}"), ("status", "404")]
        ),
        1.0
    );
    assert_eq!(
        value(
            req,
            &[
                ("route", "/api/render"),
                ("method", "POST"),
                ("status", "200")
            ]
        ),
        3.0
    );
    assert_eq!(
        value(req, &[("route", "/api/render"), ("status", "400")]),
        1.0
    );
    // The unknown path and /metrics on the main address: 404, unmatched.
    assert_eq!(
        value(req, &[("route", "(unmatched)"), ("status", "404")]),
        2.0
    );
    assert_eq!(
        value(req, &[]),
        11.0,
        "every request counted once, scrapes not at all"
    );
    assert_eq!(
        value(
            "postkit_http_response_bytes_total",
            &[("route", "/api/campaign")]
        ),
        campaign_bytes as f64
    );
    assert_eq!(
        value("postkit_render_seconds_count", &[("kind", "still")]),
        2.0
    );
    assert_eq!(
        value("postkit_render_seconds_count", &[("kind", "zip")]),
        1.0
    );
    assert_eq!(
        value(
            "postkit_render_seconds_bucket",
            &[("kind", "zip"), ("le", "+Inf")]
        ),
        1.0
    );
    assert!(value("postkit_render_seconds_sum", &[]) > 0.0);
    assert_eq!(value("postkit_render_queue_wait_seconds_count", &[]), 3.0);
    assert_eq!(
        value("postkit_render_slots", &[]),
        2.0_f64.max(value("postkit_render_slots", &[]))
    );
    assert_eq!(value("postkit_render_slots_busy", &[]), 0.0);
    assert_eq!(value("postkit_render_queue_length", &[]), 0.0);
    assert_eq!(value("postkit_render_rejections_total", &[]), 0.0);
    assert_eq!(value("postkit_ready", &[]), 1.0);
    let build = samples
        .iter()
        .find(|(n, _, _)| n == "postkit_build_info")
        .unwrap();
    assert_eq!(build.1["version"], env!("CARGO_PKG_VERSION"));
    assert!(build.1["features"].contains("serve"), "{:?}", build.1);
    // Every label value is one the server names itself.
    for (name, labels, _) in &samples {
        for (k, v) in labels {
            let known = match k.as_str() {
                "route" => v.starts_with('/') || v == "(unmatched)",
                "method" => ["GET", "POST", "HEAD", "other"].contains(&v.as_str()),
                "status" => v.parse::<u16>().is_ok(),
                "kind" => ["still", "clip", "zip"].contains(&v.as_str()),
                "reason" => ["queue_full", "queue_timeout"].contains(&v.as_str()),
                "le" => v == "+Inf" || v.parse::<f64>().is_ok(),
                "version" | "features" => name == "postkit_build_info",
                _ => false,
            };
            assert!(known, "{name}: {k}={v}");
        }
    }
}

/// Issue 32: one JSON line per request on stderr (time, request id,
/// method, route, status, duration, bytes) and nothing of what was sent;
/// the request id is the client's when valid, else made, and echoed back.
#[test]
fn the_log_is_one_json_line_per_request_with_the_request_id_and_no_content() {
    let s = Server::start(&[]);
    let story = "Zarifa brought saffron buns to the Tuesday kitchen";
    let logo = logo();
    let r = http_render_with_id(&s, story, &logo, "abc-123.X_y");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("x-request-id"), Some("abc-123.X_y"));
    let bad_id = "no spaces or </script> allowed";
    let r2 = http_render_with_id(&s, story, &logo, bad_id);
    let made = r2.header("x-request-id").unwrap().to_string();
    assert!(
        made.len() == 16 && made.chars().all(|c| c.is_ascii_hexdigit()),
        "{made}"
    );
    assert_eq!(
        http(s.addr, "GET", "/api/templates/Qwertyname", &[], b"").status,
        404
    );
    assert_eq!(http(s.addr, "GET", "/metrics", &[], b"").status, 200);
    assert_eq!(http(s.addr, "GET", "/healthz", &[], b"").status, 200);
    let lines = s.log_lines();
    assert_eq!(
        lines.len(),
        3,
        "renders and the 404; no scrape or health check: {lines:?}"
    );
    for l in &lines {
        let keys: Vec<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "bytes",
                "duration_ms",
                "method",
                "request_id",
                "route",
                "status",
                "time"
            ],
            "{l}"
        );
        let t = l["time"].as_str().unwrap();
        assert!(t.ends_with('Z') && t.len() >= 20, "{t}");
        assert!(l["duration_ms"].as_f64().unwrap() >= 0.0);
    }
    assert_eq!(lines[0]["request_id"], "abc-123.X_y");
    assert_eq!(
        (lines[0]["route"].as_str(), lines[0]["status"].as_u64()),
        (Some("/api/render"), Some(200))
    );
    assert_eq!(lines[0]["bytes"].as_u64(), Some(r.body.len() as u64));
    assert_eq!(lines[1]["request_id"], made.as_str());
    assert_eq!(lines[2]["route"], "/api/templates/{name}");
    let log = s.log();
    for word in story
        .split(' ')
        .chain(["Qwertyname", "Zarifa Hub", "logo.png", "script"])
    {
        if word.len() > 3 {
            assert!(!log.contains(word), "the log holds {word:?}: {log}");
        }
    }
}

/// A render with a logo and an `X-Request-Id`.
fn http_render_with_id(s: &Server, story: &str, logo: &[u8], id: &str) -> Answer {
    let (ctype, body) = multipart(
        &[
            ("org", "Zarifa Hub"),
            ("story", story),
            ("platform", "x-post"),
        ],
        &[("logo", "logo.png", logo)],
    );
    http(
        s.addr,
        "POST",
        "/api/render",
        &[("Content-Type", &ctype), ("X-Request-Id", id)],
        &body,
    )
}

/// Issue 32: `/api/openapi.json` is valid OpenAPI 3.1 (openapi-spec-validator),
/// names every route the server answers, and Schemathesis, run against the
/// server (bounded in examples and time), finds no 5xx and no answer that
/// differs from the description (status, content type, headers, schema).
#[test]
fn the_openapi_description_is_valid_and_true_to_the_server() {
    let python = common::venv_python("openapi_spec_validator");
    common::venv_python("schemathesis");
    let s = Server::start(&[]);
    let r = http(s.addr, "GET", "/api/openapi.json", &[], b"");
    assert_eq!(r.status, 200);
    let spec = r.json();
    assert_eq!(spec["openapi"], "3.1.0");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, &r.body).unwrap();
    let out = Command::new(&python)
        .args(["-m", "openapi_spec_validator", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Every route the server has is described, with its method.
    let paths = spec["paths"].as_object().unwrap();
    for (route, method) in [
        ("/", "get"),
        ("/assets/{file}", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/api/openapi.json", "get"),
        ("/api/campaign", "get"),
        ("/api/platforms", "get"),
        ("/api/templates", "get"),
        ("/api/templates/{name}", "get"),
        ("/api/templates/{name}/thumbnail.png", "get"),
        ("/api/render", "post"),
        ("/api/batch", "post"),
        ("/api/batch/check", "post"),
        ("/api/batch/progress/{token}", "get"),
        ("/api/assets/{token}/{file}", "get"),
    ] {
        assert!(
            paths.get(route).and_then(|p| p.get(method)).is_some(),
            "{method} {route} is not described"
        );
    }
    // And the server has every route described: a described path without
    // parameters answers something other than 404.
    for (route, ops) in paths {
        if route.contains('{') || ops.get("get").is_none() {
            continue;
        }
        assert_ne!(http(s.addr, "GET", route, &[], b"").status, 404, "{route}");
    }
    // Schemathesis against the live server, bounded: a few examples per
    // operation, a time budget, a time limit per request.
    let st = python.with_file_name("st");
    let url = format!("http://{}", s.addr);
    let out = Command::new(&st)
        .args([
            "run",
            &format!("{url}/api/openapi.json"),
            "--url",
            &url,
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "8",
            "--max-time",
            "150",
            "--request-timeout",
            "60",
            "--workers",
            "1",
            "--generation-deterministic",
            "--no-color",
        ])
        .env("HOME", dir.path())
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "Schemathesis found problems:\n{report}"
    );
    assert!(report.contains("passed"), "{report}");
}
