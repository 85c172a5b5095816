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
//!   the threads that accept connections; when every slot is busy a
//!   request waits in a bounded queue, served in arrival order, and past
//!   the queue's length or time the answer is 503 with a `Retry-After`
//!   estimated from the queue (`gate`).
//! - The operator's view: Prometheus metrics (`metrics`), one JSON log
//!   line per request with a request id, an OpenAPI description of the
//!   API (`openapi.json`).
//! - The server keeps nothing between requests that another replica would
//!   need: asset links (kept in one server's memory) are off unless asked
//!   for; the image and zip answers are complete in themselves.

mod api;
mod batch;
mod conn;
mod error;
mod form;
mod gate;
mod links;
mod listen;
mod metrics;
mod page;

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
    /// Render requests that may wait for a slot at once (None: four per
    /// render slot); more are answered 503 with `Retry-After`.
    pub queue: Option<usize>,
    /// How long a render request may wait for a slot before it is
    /// answered 503.
    pub queue_wait: Duration,
    /// Where to serve `/metrics` instead of the main address (None: on
    /// the main address).
    pub metrics_bind: Option<String>,
    /// Stop after answering this many requests (for tests and benchmarks).
    pub max_requests: Option<u64>,
    /// Request limits.
    pub limits: Limits,
    /// How long a request may take, from its first byte to its answer.
    pub request_timeout: Duration,
    /// How long a whole campaign's batch (`POST /api/batch`) may take.
    pub batch_timeout: Duration,
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
    /// Where the request log goes: one JSON object per request (time,
    /// request id, method, route, status, duration, bytes; never what a
    /// request carries).
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
            queue: None,
            queue_wait: Duration::from_secs(20),
            metrics_bind: None,
            max_requests: None,
            limits: Limits::default(),
            request_timeout: Duration::from_secs(60),
            batch_timeout: Duration::from_secs(600),
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
    /// The render slots and the queue in front of them.
    gate: Arc<gate::Gate>,
    metrics: metrics::Metrics,
    /// The open connections (main address).
    conns: Arc<listen::Conns>,
    links: Mutex<links::Links>,
    /// The batches being made, by the progress token their page gave:
    /// assets done and in all (counts only; gone when the batch ends).
    batches: Mutex<BTreeMap<String, Arc<batch::Progress>>>,
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
    /// Render requests that may wait for a slot.
    pub queue: usize,
    /// Where `/metrics` is served, when not on `addr`.
    pub metrics: Option<SocketAddr>,
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
    let queue = opts.queue.unwrap_or(workers * 4);
    let state = Arc::new(State {
        engine,
        pool,
        gate: Arc::new(gate::Gate::new(workers, queue, opts.queue_wait)),
        metrics: metrics::Metrics::default(),
        conns: Arc::new(listen::Conns::default()),
        links: Mutex::new(links::Links::new(opts.link_ttl, opts.link_bytes)),
        thumbnails: Mutex::new(BTreeMap::new()),
        batches: Mutex::new(BTreeMap::new()),
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
        let timeouts = conn::Timeouts {
            header: state.opts.header_timeout,
            idle: state.opts.idle_timeout,
            busy: state.opts.request_timeout.max(state.opts.batch_timeout) * 2,
        };
        let metrics_at = match &state.opts.metrics_bind {
            Some(at) => Some(serve_metrics(at, state.clone(), timeouts).await?),
            None => None,
        };
        listening(Listening {
            addr,
            render_slots: workers,
            queue,
            metrics: metrics_at,
            connections: cap,
        });
        let shared = Arc::new(conn::Shared {
            router: api::router(state.clone(), metrics_at.is_none()),
            timeouts,
            sent: None,
        });
        let conns = state.conns.clone();
        let grace = state.opts.request_timeout + Duration::from_secs(5);
        listen::accept_until(listener, shared, conns, cap, shutdown(state), grace).await;
        Ok(())
    })
}

/// Binds `bind` and serves `/metrics` there (only), until the process
/// ends; returns the address bound.
async fn serve_metrics(
    bind: &str,
    state: Arc<State>,
    timeouts: conn::Timeouts,
) -> Result<SocketAddr, Error> {
    let io = |source| Error::Io {
        path: bind.into(),
        what: "address to serve metrics on (--metrics-bind)",
        source,
    };
    let listener = tokio::net::TcpListener::bind(bind).await.map_err(io)?;
    let addr = listener.local_addr().map_err(io)?;
    let shared = Arc::new(conn::Shared {
        router: api::metrics_router(state),
        timeouts,
        sent: None,
    });
    let conns = Arc::new(listen::Conns::default());
    let forever = std::future::pending::<()>();
    tokio::spawn(listen::accept_until(
        listener,
        shared,
        conns,
        64,
        forever,
        Duration::ZERO,
    ));
    Ok(addr)
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
