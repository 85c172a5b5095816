//! `postkit serve`: the page and the API, until SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use postkit::serve::{self, Options};
use postkit::{Campaign, Platforms};

use crate::cli::ServeArgs;
use crate::{fail, FAILED, OK, USAGE};

/// `--bind` as HOST:PORT, or what to give instead.
fn check_bind(bind: &str) -> Result<(), String> {
    use std::net::ToSocketAddrs;
    if bind.to_socket_addrs().is_ok() {
        return Ok(());
    }
    let bind = bind.trim();
    let example = if !bind.is_empty() && bind.chars().all(|c| c.is_ascii_digit()) {
        format!("127.0.0.1:{bind}")
    } else {
        "127.0.0.1:8080".to_string()
    };
    Err(format!(
        "--bind {bind}: give HOST:PORT, for example {example} (port 0 picks a free port)"
    ))
}

/// A failure to listen, in words that say what to do.
fn listen_failed(bind: &str, e: &postkit::Error) -> Option<String> {
    let postkit::Error::Io {
        source,
        what: "address to listen on",
        ..
    } = e
    else {
        return None;
    };
    let next = match bind.rsplit_once(':') {
        Some((host, port)) => match port.parse::<u16>() {
            Ok(p) if p < u16::MAX => format!("{host}:{}", p + 1),
            _ => format!("{host}:0"),
        },
        None => "127.0.0.1:0".to_string(),
    };
    match source.kind() {
        std::io::ErrorKind::AddrInUse => Some(format!(
            "--bind {bind}: that port is already in use (another postkit serve, or another program); choose another, for example --bind {next}, or port 0 for any free one"
        )),
        std::io::ErrorKind::AddrNotAvailable => Some(format!(
            "--bind {bind}: this machine has no such address; use 127.0.0.1 (this machine only) or 0.0.0.0 (every network)"
        )),
        std::io::ErrorKind::PermissionDenied => Some(format!(
            "--bind {bind}: not allowed to listen there (ports below 1024 need extra rights); choose a port from 1024 up, for example --bind 127.0.0.1:8080"
        )),
        _ => None,
    }
}

pub fn run(args: ServeArgs) -> u8 {
    for (flag, bind) in [
        ("--bind", Some(&args.bind)),
        ("--metrics-bind", args.metrics_bind.as_ref()),
    ] {
        if let Some(Err(m)) = bind.map(|b| check_bind(b)) {
            eprintln!("postkit: {}", m.replacen("--bind", flag, 2));
            return USAGE;
        }
    }
    let mut opts = match Options::embedded() {
        Ok(o) => o,
        Err(e) => return fail(&e),
    };
    match Campaign::load(&args.campaign) {
        Ok(c) => opts.campaign = c,
        Err(e) => return fail(&e),
    }
    match Platforms::load_or_embedded(args.platforms.as_deref()) {
        Ok(p) => opts.presets = p,
        Err(e) => return fail(&e),
    }
    if let Some(dir) = &args.template_dir {
        if let Err(e) = opts.add_template_dir(dir) {
            return fail(&e);
        }
    }
    opts.workers = args.workers.unwrap_or(0);
    opts.queue = args.queue;
    opts.queue_wait = Duration::from_secs(args.queue_wait);
    opts.metrics_bind = args.metrics_bind.clone();
    opts.max_requests = args.max_requests;
    opts.request_timeout = Duration::from_secs(args.request_timeout.max(1));
    opts.read_timeout = Duration::from_secs(args.read_timeout.max(1));
    opts.header_timeout = Duration::from_secs(args.header_timeout.max(1));
    opts.idle_timeout = Duration::from_secs(args.idle_timeout.max(1));
    opts.max_connections = args.max_connections;
    opts.drain_delay = Duration::from_secs(args.drain_delay);
    opts.asset_links = args.asset_links;
    opts.limits.body = args.max_body_mb.max(1) << 20;
    opts.limits.image = args.max_image_mb.max(1) << 20;
    opts.limits.batch_body = args.max_batch_mb.max(1) << 20;
    opts.limits.batch_rows = args.max_batch_rows.max(1);
    opts.limits.batch_files = args.max_batch_files;
    opts.batch_timeout = Duration::from_secs(args.batch_timeout.max(1));
    // One JSON object per line (the start-up line stays for people).
    opts.log = Arc::new(|line| eprintln!("{line}"));
    // As many servers do: the soft open-file limit up to the hard one, so
    // that the connection cap (set from it) is as high as allowed.
    serve::raise_open_file_limit();
    let result = serve::run(&args.bind, opts, &args.font, |at| {
        let metrics = at.metrics.map_or(String::new(), |m| {
            format!(", metrics on http://{m}/metrics")
        });
        out!(
            "postkit: serving on http://{}/ ({} render slots, {} more may wait{metrics}, up to {} connections)",
            at.addr,
            at.render_slots,
            at.queue,
            at.connections
        );
    });
    match result {
        Ok(()) => OK,
        Err(e) => match listen_failed(&args.bind, &e) {
            Some(m) => {
                eprintln!("postkit: {m}");
                FAILED
            }
            None => fail(&e),
        },
    }
}
