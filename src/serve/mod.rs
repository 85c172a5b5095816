//! `postkit serve`: the toolkit as a web page and an HTTP API, on the same
//! planner and make step as `render` and `batch` (a request is a batch row;
//! its assets are made in memory and answered, never written).
//!
//! - Nothing is written to disk: uploads and renders live in memory for
//!   the request (and, for asset links, a few minutes under a byte cap).
//!   No cookies, no analytics, no outbound request: images are uploaded,
//!   never fetched.
//! - Limits are checked while a body is read, before anything is decoded;
//!   a slow upload is cut off; each request has a time limit.
//! - Connections have time limits for a request's headers and for idling
//!   between requests, and their number a cap set from the open-file
//!   limit, with room kept for new clients (`conn`, `listen`).
//! - Renders run on a fixed pool of threads sized to the cores, never on
//!   the threads that accept connections; when every slot is busy the
//!   answer is 503 with `Retry-After` at once, not a queue.
//! - The server keeps nothing between requests that another replica would
//!   need: asset links (kept in one server's memory) are off unless asked
//!   for; the image and zip answers are complete in themselves.

mod api;
mod batch;
mod conn;
mod error;
mod form;
mod links;
mod listen;
mod page;
mod zipkit;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use form::Limits;
pub use listen::raise_open_file_limit;

use crate::error::Error;
use crate::inputs::{Campaign, Platforms};
use crate::raster::Engine;
use crate::template::TemplateSet;

/// How the server runs.
pub struct Options {
    /// The campaign (hashtags, handles, default template and platforms).
    pub campaign: Campaign,
    /// The platform presets.
    pub presets: Platforms,
    /// The templates offered: the built-in kit and any loaded with
    /// `--template-dir`, by name. Requests can name no other.
    pub templates: BTreeMap<String, Arc<TemplateSet>>,
    /// Render threads (0: one per core).
    pub workers: usize,
    /// Stop after answering this many requests (for tests and benchmarks).
    pub max_requests: Option<u64>,
    /// Request limits.
    pub limits: Limits,
    /// How long a request may take, from its first byte to its answer.
    pub request_timeout: Duration,
    /// How long reading a request's body may take: a slower upload is cut
    /// off.
    pub read_timeout: Duration,
    /// How long a request's headers may take to arrive (`408` after).
    pub header_timeout: Duration,
    /// How long a connection may stay open with no request begun.
    pub idle_timeout: Duration,
    /// After SIGTERM: `/readyz` answers 503 at once, and new connections
    /// are still served this long (for a load balancer to notice) before
    /// the server stops accepting and finishes what is in flight.
    pub drain_delay: Duration,
    /// At most this many connections (None: from the open-file limit).
    pub max_connections: Option<usize>,
    /// Whether a JSON answer without previews links to its full-size
    /// images, kept in this server's memory for a while (off: the answer
    /// carries previews instead, and any replica can answer any request).
    pub asset_links: bool,
    /// How long an asset link lasts.
    pub link_ttl: Duration,
    /// Bytes that asset links may hold in all.
    pub link_bytes: usize,
    /// Where the one-line request log goes (method, path, status, time;
    /// never what a request carries).
    pub log: Arc<dyn Fn(String) + Send + Sync>,
}

impl Options {
    /// Options with the embedded campaign, presets and kit.
    pub fn embedded() -> Result<Options, Error> {
        let mut templates = BTreeMap::new();
        for name in crate::embedded::template_names() {
            templates.insert(name.to_string(), Arc::new(TemplateSet::load(name)?));
        }
        Ok(Options {
            campaign: Campaign::embedded(),
            presets: Platforms::embedded(),
            templates,
            workers: 0,
            max_requests: None,
            limits: Limits::default(),
            request_timeout: Duration::from_secs(60),
            read_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(15),
            max_connections: None,
            drain_delay: Duration::ZERO,
            asset_links: false,
            link_ttl: Duration::from_secs(600),
            link_bytes: 256 << 20,
            log: Arc::new(|_| {}),
        })
    }

    /// Adds every template set found in `dir` (each a folder with one SVG
    /// per aspect, or an `.svg` file), under its name.
    pub fn add_template_dir(&mut self, dir: &std::path::Path) -> Result<usize, Error> {
        let io = |source| Error::Io {
            path: dir.to_path_buf(),
            what: "template folder",
            source,
        };
        let mut found = 0;
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            let is_set = p.is_dir() || p.extension().is_some_and(|e| e == "svg");
            if !is_set {
                continue;
            }
            let set = TemplateSet::load(&p.display().to_string())?;
            self.templates.insert(set.name.clone(), Arc::new(set));
            found += 1;
        }
        Ok(found)
    }
}

/// What every request shares.
struct State {
    engine: Engine,
    opts: Options,
    pool: rayon::ThreadPool,
    /// One permit per render slot.
    slots: Arc<tokio::sync::Semaphore>,
    links: Mutex<links::Links>,
    /// Template thumbnails, made once on first request (no user content).
    thumbnails: Mutex<BTreeMap<String, Arc<Vec<u8>>>>,
    answered: AtomicU64,
    stop: tokio::sync::Notify,
    /// Cleared when draining starts (`/readyz` then answers 503).
    ready: std::sync::atomic::AtomicBool,
}

/// Where and how the server listens, once it does.
#[derive(Clone, Copy, Debug)]
pub struct Listening {
    /// The address bound (port 0 becomes the port picked).
    pub addr: SocketAddr,
    /// Requests rendered at once.
    pub render_slots: usize,
    /// Connections open at once, at most.
    pub connections: usize,
}

/// Binds `bind`, calls `listening` with the address (port 0 picks a free
/// port) and limits, and serves until SIGTERM or Ctrl-C (in-flight
/// requests finish, then it returns) or `max_requests` answers.
pub fn run(
    bind: &str,
    opts: Options,
    fonts: &[std::path::PathBuf],
    listening: impl FnOnce(Listening),
) -> Result<(), Error> {
    let io = |what: &'static str| {
        move |source| Error::Io {
            path: bind.into(),
            what,
            source,
        }
    };
    let workers = match opts.workers {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let engine = Engine::new(fonts)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| format!("postkit-render-{i}"))
        .build()
        .map_err(|e| io("render pool")(std::io::Error::other(e)))?;
    let state = Arc::new(State {
        engine,
        pool,
        slots: Arc::new(tokio::sync::Semaphore::new(workers)),
        links: Mutex::new(links::Links::new(opts.link_ttl, opts.link_bytes)),
        thumbnails: Mutex::new(BTreeMap::new()),
        answered: AtomicU64::new(0),
        stop: tokio::sync::Notify::new(),
        ready: std::sync::atomic::AtomicBool::new(true),
        opts,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(io("server runtime"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(io("address to listen on"))?;
        let addr = listener.local_addr().map_err(io("address to listen on"))?;
        let cap = listen::connection_cap(state.opts.max_connections);
        listening(Listening {
            addr,
            render_slots: workers,
            connections: cap,
        });
        let timeouts = conn::Timeouts {
            header: state.opts.header_timeout,
            idle: state.opts.idle_timeout,
            busy: state.opts.request_timeout * 2,
        };
        let shared = Arc::new(conn::Shared {
            router: api::router(state.clone()),
            timeouts,
            sent: None,
        });
        let conns = Arc::new(listen::Conns::default());
        let grace = state.opts.request_timeout + Duration::from_secs(5);
        listen::accept_until(listener, shared, conns, cap, shutdown(state), grace).await;
        Ok(())
    })
}

/// Resolves on SIGTERM or Ctrl-C after the drain delay (readiness fails
/// at once), or at once when the request budget is spent.
async fn shutdown(state: Arc<State>) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
        _ = state.stop.notified() => return,
    }
    state.ready.store(false, Ordering::SeqCst);
    tokio::time::sleep(state.opts.drain_delay).await;
}

impl State {
    /// Counts an answer; past the budget, asks the server to stop.
    fn answered(&self) {
        let n = self.answered.fetch_add(1, Ordering::SeqCst) + 1;
        if self.opts.max_requests.is_some_and(|max| n >= max) {
            self.stop.notify_one();
        }
    }
}
