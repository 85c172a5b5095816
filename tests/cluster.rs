//! Issue 32: a cluster on one machine. Three `postkit serve` replicas (the
//! real binary) on 127.0.0.1 ports the kernel picks, Debian's HAProxy in
//! front (round-robin, health checks on `/readyz`, a request whose replica
//! died under it sent again to another: renders have no side effects), and
//! 32 clients that honour `Retry-After` asking for kits, a PNG or a zip,
//! each with its own story. Mid-run one replica gets SIGTERM (it drains:
//! `/readyz` 503, HAProxy takes it out, what it has in flight finishes, exit
//! 0) and another is killed (SIGKILL) while it renders. Every client gets
//! every kit; every answer is 200, or 503 with `Retry-After`; and every kit
//! is byte-identical to what `postkit batch` writes for the same rows.
//!
//! Loopback only; the clients, their attempts and the whole run are bounded
//! in count and time; every process started is killed when dropped, also
//! when an assertion fails.
#![cfg(all(feature = "serve", target_os = "linux"))]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::root;

const HAPROXY: &str = "/usr/sbin/haproxy";
/// Clients at once, and the kits each asks for, one after another.
const CLIENTS: usize = 32;
const KITS: usize = 2;
/// The whole run, and one client's attempts at one kit.
const RUN_LIMIT: Duration = Duration::from_secs(420);
const ATTEMPTS: usize = 300;
/// The replicas' request timeout and drain delay (HAProxy's server
/// timeout is above the first; the drain delay covers its checks).
const REQUEST_TIMEOUT: u64 = 60;
const DRAIN_DELAY: u64 = 3;

/// A process started by the test: killed (SIGKILL) and reaped when
/// dropped, unless it has exited already.
struct Proc {
    child: Child,
    log: PathBuf,
}

impl Proc {
    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    fn signal(&self, sig: i32) {
        // SAFETY: kill only sends a signal to a child this test started
        // and has not reaped (so its pid cannot have been reused).
        assert_eq!(unsafe { libc::kill(self.pid(), sig) }, 0, "kill {sig}");
    }

    /// Its exit status, waiting at most `within`.
    fn exit_within(&mut self, within: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("waitpid") {
                return Some(status);
            }
            if start.elapsed() > within {
                return None;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `postkit serve` replica.
struct Replica {
    name: String,
    proc: Proc,
    addr: SocketAddr,
    /// Kept open: the server's stdout.
    _stdout: BufReader<ChildStdout>,
}

fn start_replica(dir: &Path, name: &str) -> Replica {
    let work = dir.join(name);
    std::fs::create_dir_all(&work).unwrap();
    let log = dir.join(format!("{name}.log"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_postkit"))
        .args(["serve", "--bind", "127.0.0.1:0", "--workers", "1"])
        .args(["--request-timeout", &REQUEST_TIMEOUT.to_string()])
        .args(["--drain-delay", &DRAIN_DELAY.to_string()])
        .current_dir(&work)
        .env("TMPDIR", &work)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("postkit serve starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let proc = Proc { child, log };
    let mut line = String::new();
    let _ = stdout.read_line(&mut line);
    let addr = line
        .strip_prefix("postkit: serving on http://")
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse::<SocketAddr>().ok())
        .unwrap_or_else(|| panic!("{name}: start-up line {line:?}; log: {}", proc.log()));
    assert!(addr.ip().is_loopback(), "{name} listens on {addr}");
    Replica {
        name: name.to_string(),
        proc,
        addr,
        _stdout: stdout,
    }
}

/// HAProxy's configuration: the frontend on the listening socket handed
/// over as file descriptor 3 (bound by the test on 127.0.0.1, port 0), the
/// replicas behind it.
fn haproxy_config(dir: &Path, replicas: &[&Replica]) -> String {
    let servers: String = replicas
        .iter()
        .map(|r| format!("    server {} {} check\n", r.name, r.addr))
        .collect();
    format!(
        "global
    maxconn 512
    # Room for a whole request (the kits' logo is 16 kB): a request is only
    # sent again if HAProxy kept all of it.
    tune.bufsize 65536
    stats socket {sock} mode 600 level operator

defaults
    mode http
    timeout connect 2s
    timeout http-request 10s
    timeout http-keep-alive 5s
    timeout client {client}s
    # Above the replicas' --request-timeout.
    timeout server {server}s
    timeout queue 30s
    timeout check 5s
    # No server-side keep-alive: each request opens its own connection, so
    # none is reused while a draining replica closes it.
    option http-server-close
    # A replica that refuses the connection (stopped) or closes it with no
    # answer (killed mid-render): send the request to another replica. A
    # render has no side effects, so sending it twice is safe.
    retries 4
    retry-on conn-failure empty-response
    option redispatch 1

frontend kits
    bind fd@3
    default_backend replicas
    # HAProxy's own 503 (no replica up) says when to come back, as the
    # replicas' does.
    http-error status 503 content-type text/plain string \"no replica is up; try again in a moment\" hdr Retry-After 1

backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 200ms fastinter 100ms downinter 200ms fall 2 rise 2
    # Which replica answered (a server name; no user content).
    http-response set-header X-Served-By %[srv_name]
{servers}",
        sock = dir.join("haproxy.sock").display(),
        client = REQUEST_TIMEOUT + 30,
        server = REQUEST_TIMEOUT + 15,
    )
}

/// HAProxy in the foreground, serving on `listener` (fd 3 in the child).
fn start_haproxy(dir: &Path, replicas: &[&Replica], listener: &TcpListener) -> Proc {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    assert!(
        Path::new(HAPROXY).exists(),
        "{HAPROXY} is missing: install Debian's haproxy (apt-get install haproxy; .ci/run does)"
    );
    let cfg = dir.join("haproxy.cfg");
    std::fs::write(&cfg, haproxy_config(dir, replicas)).unwrap();
    let log = dir.join("haproxy.log");
    let fd = listener.as_raw_fd();
    let mut cmd = Command::new(HAPROXY);
    cmd.args(["-db", "-f"])
        .arg(&cfg)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.join("haproxy.out")).unwrap())
        .stderr(std::fs::File::create(&log).unwrap());
    // SAFETY: dup2 and fcntl are async-signal-safe; the closure touches
    // only the descriptor number copied into it.
    unsafe {
        cmd.pre_exec(move || {
            let ok = if fd == 3 {
                libc::fcntl(3, libc::F_SETFD, 0) == 0
            } else {
                libc::dup2(fd, 3) == 3
            };
            if ok {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let child = cmd.spawn().expect("haproxy starts");
    Proc { child, log }
}

/// `show stat` from HAProxy's stats socket: each server's row by name.
fn haproxy_servers(dir: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut s = UnixStream::connect(dir.join("haproxy.sock")).expect("the stats socket");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"show stat\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .and_then(|h| h.strip_prefix("# "))
        .unwrap_or_else(|| panic!("show stat: {text}"))
        .split(',')
        .collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()
        })
        .filter(|row| row.get("pxname").is_some_and(|p| p == "replicas"))
        .filter(|row| row.get("svname").is_some_and(|s| s != "BACKEND"))
        .map(|row| (row["svname"].clone(), row))
        .collect()
}

/// Waits (at most `within`) until `server`'s HAProxy status starts with
/// `status`.
fn wait_status(dir: &Path, server: &str, status: &str, within: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        let servers = haproxy_servers(dir);
        if servers
            .get(server)
            .is_some_and(|s| s["status"].starts_with(status))
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A plain `GET path` to one replica: the status and body, or None when
/// it refuses the connection.
fn get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let (head, body) = raw.split_once("\r\n\r\n")?;
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{path} answered chunked"
    );
    Some((head.split(' ').nth(1)?.parse().ok()?, body.to_string()))
}

fn get_status(addr: SocketAddr, path: &str) -> Option<u16> {
    get(addr, path).map(|(status, _)| status)
}

/// A metric sample: name, labels, value.
type Sample = (String, BTreeMap<String, String>, f64);

/// A `/metrics` text parsed by the official Prometheus client's parser.
fn parse_metrics(python: &Path, text: &str) -> Vec<Sample> {
    const PARSE: &str = "import json, sys
from prometheus_client.parser import text_string_to_metric_families
print(json.dumps([[s.name, s.labels, s.value]
    for f in text_string_to_metric_families(sys.stdin.read()) for s in f.samples]))";
    let mut child = Command::new(python)
        .args(["-c", PARSE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the Prometheus parser refused /metrics: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The sum of the samples named `name` whose labels include `want`.
fn metric_sum(samples: &[Sample], name: &str, want: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|(n, labels, _)| {
            n == name
                && want
                    .iter()
                    .all(|(k, v)| labels.get(*k).is_some_and(|l| l == v))
        })
        .map(|(_, _, v)| v)
        .sum()
}

/// One kit a client asks for.
#[derive(Clone)]
struct Kit {
    org: String,
    story: String,
    /// A zip of two sizes with the logo, or one PNG.
    zip: bool,
}

const PLATFORMS_ZIP: &str = "x-post;instagram-square";

const STORIES: [&str; 4] = [
    "When we arrived we knew nobody. Now our neighbours teach us to bake saffron buns.",
    "Коли ми приїхали, ми нікого не знали. Тепер сусіди вчать нас пекти булочки.",
    "عندما وصلنا لم نكن نعرف أحداً. الآن جيراننا يعلموننا خبز الزعفران.",
    "Cuando llegamos no conocíamos a nadie. Ahora los vecinos nos enseñan a cocinar.",
];

fn kits() -> Vec<Vec<Kit>> {
    (0..CLIENTS)
        .map(|c| {
            (0..KITS)
                .map(|k| Kit {
                    org: format!("Welcome Hub {c:02} {k}"),
                    story: format!("{} ({c}.{k})", STORIES[(c + k) % STORIES.len()]),
                    zip: (c + k) % 2 == 1,
                })
                .collect()
        })
        .collect()
}

/// The kits as `postkit batch` rows, rendered by the CLI into `out`.
fn render_with_the_cli(dir: &Path, kits: &[Vec<Kit>], out: &Path) {
    let logo = root().join("examples/logo.png");
    let mut csv = csv::Writer::from_path(dir.join("kits.csv")).unwrap();
    csv.write_record(["org", "story", "template", "platform", "logo"])
        .unwrap();
    for kit in kits.iter().flatten() {
        let (platform, logo) = if kit.zip {
            (PLATFORMS_ZIP, logo.to_str().unwrap())
        } else {
            ("x-post", "")
        };
        csv.write_record([&kit.org, &kit.story, "story-quote", platform, logo])
            .unwrap();
    }
    csv.flush().unwrap();
    let run = common::postkit_in(
        dir,
        &[
            "batch",
            "kits.csv",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
        None,
    );
    assert_eq!(run.code, 0, "postkit batch: {}", run.stderr);
}

/// The JSON request for a kit.
fn request_body(kit: &Kit, logo: &str) -> String {
    let mut body = serde_json::json!({
        "org": kit.org,
        "story": kit.story,
        "template": "story-quote",
        "platform": if kit.zip { PLATFORMS_ZIP } else { "x-post" },
    });
    if kit.zip {
        body["logo"] = logo.into();
    }
    body.to_string()
}

/// What the clients saw.
#[derive(Default)]
struct Seen {
    /// Kits received, by client and kit.
    got: BTreeMap<(usize, usize), Vec<u8>>,
    /// Answers other than 200 and 503 with Retry-After, and failures.
    unexpected: Vec<String>,
    /// Answers by replica (X-Served-By) and status.
    by_replica: BTreeMap<(String, u16), usize>,
    /// HAProxy's own 503s (no replica up).
    haproxy_503: usize,
    /// Kits by replica and kind (`still`: a PNG, `zip`), as the metrics'
    /// render histogram names them.
    kits_by_replica: BTreeMap<(String, &'static str), usize>,
    /// Body bytes of the render answers, by replica.
    bytes_by_replica: BTreeMap<String, u64>,
}

impl Seen {
    fn add(&mut self, other: Seen) {
        self.got.extend(other.got);
        self.unexpected.extend(other.unexpected);
        self.haproxy_503 += other.haproxy_503;
        for (k, n) in other.by_replica {
            *self.by_replica.entry(k).or_default() += n;
        }
        for (k, n) in other.kits_by_replica {
            *self.kits_by_replica.entry(k).or_default() += n;
        }
        for (k, n) in other.bytes_by_replica {
            *self.bytes_by_replica.entry(k).or_default() += n;
        }
    }
}

type Client =
    hyper_util::client::legacy::Client<hyper_util::client::legacy::connect::HttpConnector, String>;

/// The whole body of an answer.
async fn body_bytes(mut body: hyper::body::Incoming) -> Result<Vec<u8>, hyper::Error> {
    use http_body::Body as _;
    let mut out = Vec::new();
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        if let Ok(data) = frame?.into_data() {
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

/// One client: its kits one after another, each retried (at most
/// `ATTEMPTS` times, until `deadline`) after a 503 as long as `Retry-After`
/// says.
async fn client(
    id: usize,
    kits: Vec<Kit>,
    url: String,
    logo: Arc<String>,
    done: Arc<AtomicUsize>,
    deadline: tokio::time::Instant,
) -> Seen {
    let http: Client =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build_http();
    let mut seen = Seen::default();
    for (k, kit) in kits.iter().enumerate() {
        let body = request_body(kit, &logo);
        let accept = if kit.zip {
            "application/zip"
        } else {
            "image/png"
        };
        for _ in 0..ATTEMPTS {
            if tokio::time::Instant::now() > deadline {
                break;
            }
            let req = hyper::Request::post(format!("{url}/api/render"))
                .header("content-type", "application/json")
                .header("accept", accept)
                .body(body.clone())
                .unwrap();
            let answer = tokio::time::timeout(Duration::from_secs(REQUEST_TIMEOUT + 30), async {
                let resp = http.request(req).await.map_err(|e| format!("{e:?}"))?;
                let status = resp.status().as_u16();
                let header = |name: &str| {
                    resp.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                let (served_by, retry) = (header("x-served-by"), header("retry-after"));
                let bytes = body_bytes(resp.into_body())
                    .await
                    .map_err(|e| format!("{status}, body: {e}"))?;
                Ok::<_, String>((status, served_by, retry, bytes))
            })
            .await;
            let (status, served_by, retry, bytes) = match answer {
                Ok(Ok(a)) => a,
                Ok(Err(e)) => {
                    seen.unexpected.push(format!("client {id} kit {k}: {e}"));
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                Err(_) => {
                    seen.unexpected
                        .push(format!("client {id} kit {k}: no answer in time"));
                    continue;
                }
            };
            match &served_by {
                Some(r) => {
                    *seen.by_replica.entry((r.clone(), status)).or_default() += 1;
                    *seen.bytes_by_replica.entry(r.clone()).or_default() += bytes.len() as u64;
                    if status == 200 {
                        let kind = if kit.zip { "zip" } else { "still" };
                        *seen.kits_by_replica.entry((r.clone(), kind)).or_default() += 1;
                    }
                }
                None if status == 503 => seen.haproxy_503 += 1,
                None => {}
            }
            let wait = retry.as_deref().and_then(|r| r.trim().parse::<u64>().ok());
            match (status, wait) {
                (200, _) => {
                    seen.got.insert((id, k), bytes);
                    done.fetch_add(1, Ordering::SeqCst);
                    break;
                }
                (503, Some(secs)) => {
                    // Honour it (a client never sleeps past the run's end).
                    let until = tokio::time::Instant::now() + Duration::from_secs(secs);
                    tokio::time::sleep_until(until.min(deadline)).await;
                }
                _ => {
                    seen.unexpected.push(format!(
                        "client {id} kit {k}: {status} (Retry-After {retry:?}, from {served_by:?}): {}",
                        String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
                    ));
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
    seen
}

/// Checks a kit against the CLI's files in `expected`: the PNG itself, or
/// every file of the zip but its report.
fn check_kit(kit: &Kit, bytes: &[u8], expected: &Path) -> Result<(), String> {
    let folder = postkit::output::slug(&kit.org);
    if !kit.zip {
        let file = expected.join(&folder).join("story-quote-x-post.png");
        let cli = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        return if cli == bytes {
            Ok(())
        } else {
            Err(format!("{}: the PNG differs from the CLI's", kit.org))
        };
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("{}: not a zip: {e}", kit.org))?;
    let mut pngs = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry
            .name()
            .map_err(|e| format!("{}: {e}", kit.org))?
            .to_string();
        if name == "report.json" {
            continue;
        }
        if !name.starts_with(&format!("{folder}/")) {
            return Err(format!("{}: unexpected entry {name}", kit.org));
        }
        pngs += usize::from(name.ends_with(".png"));
        let mut served = Vec::new();
        entry.read_to_end(&mut served).unwrap();
        let cli = std::fs::read(expected.join(&name)).map_err(|e| format!("{name}: {e}"))?;
        if cli != served {
            return Err(format!("{name}: differs from the CLI's file"));
        }
    }
    if pngs != 2 {
        return Err(format!("{}: {pngs} PNGs in the zip, not 2", kit.org));
    }
    Ok(())
}

#[test]
fn three_replicas_behind_haproxy_lose_no_kit_when_one_drains_and_one_is_killed() {
    let python = common::venv_python("prometheus_client");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let kits = kits();
    let total = CLIENTS * KITS;

    // What the CLI writes for the same rows.
    let expected = dir.join("expected");
    render_with_the_cli(dir, &kits, &expected);

    let mut replicas: Vec<Replica> = ["r0", "r1", "r2"]
        .iter()
        .map(|n| start_replica(dir, n))
        .collect();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let lb = listener.local_addr().unwrap();
    let mut haproxy = start_haproxy(dir, &replicas.iter().collect::<Vec<_>>(), &listener);
    drop(listener);
    let start = Instant::now();
    while !dir.join("haproxy.sock").exists() {
        if let Some(status) = haproxy.exit_within(Duration::ZERO) {
            panic!("haproxy exited ({status}): {}", haproxy.log());
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "haproxy did not start: {}",
            haproxy.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for r in &replicas {
        assert!(
            wait_status(dir, &r.name, "UP", Duration::from_secs(20)),
            "{} is not UP in HAProxy: {:?}",
            r.name,
            haproxy_servers(dir).get(&r.name)
        );
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let url = format!("http://{lb}");
    use base64::Engine as _;
    let logo = Arc::new(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD
            .encode(std::fs::read(root().join("examples/logo.png")).unwrap())
    ));
    let done = Arc::new(AtomicUsize::new(0));
    let deadline = tokio::time::Instant::now() + RUN_LIMIT;
    let clients: Vec<_> = kits
        .iter()
        .enumerate()
        .map(|(id, k)| {
            runtime.spawn(client(
                id,
                k.clone(),
                url.clone(),
                logo.clone(),
                done.clone(),
                deadline,
            ))
        })
        .collect();
    let run = Instant::now();
    let wait_done = |n: usize| {
        while done.load(Ordering::SeqCst) < n
            && run.elapsed() < RUN_LIMIT
            && !clients.iter().all(|c| c.is_finished())
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    };

    // A quarter of the kits in: SIGTERM to r0. It fails readiness at once,
    // HAProxy takes it out, and it serves through the drain delay.
    wait_done(total / 4);
    let at_term = done.load(Ordering::SeqCst);
    assert!(at_term < total, "every kit was made before the SIGTERM");
    replicas[0].proc.signal(libc::SIGTERM);
    let term_sent = Instant::now();
    let mut ready_503 = false;
    while term_sent.elapsed() < Duration::from_secs(DRAIN_DELAY) {
        match get_status(replicas[0].addr, "/readyz") {
            Some(503) => {
                ready_503 = true;
                break;
            }
            Some(200) => std::thread::sleep(Duration::from_millis(20)),
            other => panic!("r0's /readyz after SIGTERM: {other:?}"),
        }
    }
    assert!(ready_503, "r0's /readyz did not turn 503 after SIGTERM");
    assert!(
        wait_status(dir, "r0", "DOWN", Duration::from_secs(10)),
        "HAProxy did not take the draining r0 out: {:?}",
        haproxy_servers(dir).get("r0")
    );

    // Half the kits in: SIGKILL to r1 while it renders (its render slot
    // busy, by its own metrics).
    wait_done(total / 2);
    let busy = Instant::now();
    let rendering = || {
        get(replicas[1].addr, "/metrics").is_some_and(|(_, text)| {
            text.lines()
                .filter_map(|l| l.strip_prefix("postkit_render_slots_busy "))
                .any(|v| v.trim().parse::<f64>().is_ok_and(|n| n >= 1.0))
        })
    };
    while busy.elapsed() < Duration::from_secs(20) && !rendering() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let in_flight: u64 = haproxy_servers(dir)["r1"]["scur"].parse().unwrap_or(0);
    let at_kill = done.load(Ordering::SeqCst);
    assert!(at_kill < total, "every kit was made before the SIGKILL");
    assert!(
        busy.elapsed() < Duration::from_secs(20),
        "r1 rendered nothing for 20 s"
    );
    replicas[1].proc.signal(libc::SIGKILL);

    // r0 exits 0 once its drain delay is over and its renders are done.
    let r0_exit = replicas[0]
        .proc
        .exit_within(Duration::from_secs(DRAIN_DELAY + REQUEST_TIMEOUT + 10));
    let r1_exit = replicas[1].proc.exit_within(Duration::from_secs(10));

    let mut seen = Seen::default();
    for c in clients {
        seen.add(runtime.block_on(c).expect("a client task"));
    }
    let took = run.elapsed();
    let stats = haproxy_servers(dir);
    eprintln!(
        "{total} kits in {took:.1?}; SIGTERM to r0 after {at_term}, SIGKILL to r1 after {at_kill} \
         ({in_flight} request(s) in flight on it); answers by replica and status: {:?}; \
         HAProxy's own 503s: {}",
        seen.by_replica, seen.haproxy_503
    );
    for (name, s) in &stats {
        eprintln!(
            "haproxy {name}: status {}, sessions {}, connection errors {}, response errors {}, retries {}, redispatches {}",
            s["status"], s["stot"], s["econ"], s["eresp"], s["wretr"], s["wredis"]
        );
    }

    assert!(
        seen.unexpected.is_empty(),
        "{} answers other than 200 or 503 with Retry-After, first: {:#?}\nhaproxy: {}",
        seen.unexpected.len(),
        &seen.unexpected[..seen.unexpected.len().min(10)],
        haproxy.log()
    );
    assert_eq!(
        seen.got.len(),
        total,
        "kits received within {RUN_LIMIT:?} and {ATTEMPTS} attempts each"
    );
    let wrong: Vec<String> = seen
        .got
        .iter()
        .filter_map(|((c, k), bytes)| check_kit(&kits[*c][*k], bytes, &expected).err())
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");

    let r0_exit = r0_exit.expect("r0 exits after SIGTERM");
    assert!(
        r0_exit.success(),
        "r0 after SIGTERM: {r0_exit}; log: {}",
        replicas[0].proc.log()
    );
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            r1_exit.and_then(|s| s.signal()),
            Some(libc::SIGKILL),
            "r1 was killed"
        );
    }
    // The survivor is still ready, and served kits.
    assert_eq!(get_status(replicas[2].addr, "/readyz"), Some(200));
    assert!(
        seen.by_replica
            .get(&("r2".into(), 200))
            .is_some_and(|n| *n > 0),
        "r2 served no kit: {:?}",
        seen.by_replica
    );
    // r2's metrics, parsed by Prometheus' own parser, agree with what the
    // clients counted from it: render requests by status, kits by kind,
    // bytes sent.
    let (status, text) = get(replicas[2].addr, "/metrics").expect("r2 answers /metrics");
    assert_eq!(status, 200, "{text}");
    let samples = parse_metrics(&python, &text);
    let render = [("route", "/api/render"), ("method", "POST")];
    for status in [200u16, 503] {
        let code = status.to_string();
        let want: Vec<(&str, &str)> = render
            .iter()
            .copied()
            .chain([("status", code.as_str())])
            .collect();
        assert_eq!(
            metric_sum(&samples, "postkit_http_requests_total", &want),
            seen.by_replica
                .get(&("r2".into(), status))
                .copied()
                .unwrap_or(0) as f64,
            "r2's {status} answers to POST /api/render: its metrics and the clients' count"
        );
    }
    assert_eq!(
        metric_sum(&samples, "postkit_http_requests_total", &render),
        seen.by_replica
            .iter()
            .filter(|((r, _), _)| r == "r2")
            .map(|(_, n)| *n as f64)
            .sum::<f64>(),
        "r2 answered render requests the clients did not see"
    );
    for kind in ["still", "zip"] {
        assert_eq!(
            metric_sum(&samples, "postkit_render_seconds_count", &[("kind", kind)]),
            seen.kits_by_replica
                .get(&("r2".into(), kind))
                .copied()
                .unwrap_or(0) as f64,
            "r2's {kind} renders: its metrics and the clients' count"
        );
    }
    assert_eq!(
        metric_sum(
            &samples,
            "postkit_http_response_bytes_total",
            &[("route", "/api/render")]
        ),
        seen.bytes_by_replica.get("r2").copied().unwrap_or(0) as f64,
        "bytes r2 sent in answer to renders: its metrics and the clients' count"
    );
    assert_eq!(metric_sum(&samples, "postkit_ready", &[]), 1.0);

    // HAProxy served throughout.
    assert!(
        haproxy.exit_within(Duration::ZERO).is_none(),
        "{}",
        haproxy.log()
    );
}
