//! The accept loop: a cap on open connections set from the open-file
//! limit, room kept for new clients, and a stop that lets in-flight
//! requests finish.
//!
//! At the cap a new connection is still accepted (the cap leaves spare
//! file descriptors for that) and the connection idle or half-sent the
//! longest is asked to make room; only when every connection is busy with
//! a request is the new one answered `503` with `Retry-After` and closed.
//! So a fresh client (a health check, a partner) always gets through, and
//! the renders in flight always finish. Running out of descriptors anyway
//! (another process's doing, or a limit lowered under us) pauses the loop
//! briefly instead of spinning.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;

use super::conn::{self, Phase, Shared, Track};

/// Descriptors kept free beyond the connections: the listener's next
/// accept, connections asked to make room that have not closed yet, the
/// `503` to a client refused when all are busy.
const SPARE_FDS: u64 = 32;

/// Raises the soft open-file limit to the hard limit (as many servers do)
/// and returns the soft limit in force (None where it cannot be read).
pub fn raise_open_file_limit() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
        let limit = getrlimit(Resource::Nofile);
        // An unlimited hard limit is not a valid soft one for NOFILE: try
        // a large value instead.
        let want = limit.maximum.unwrap_or(1 << 20);
        if limit.current.is_some_and(|c| c < want) {
            let raised = Rlimit {
                current: Some(want),
                maximum: limit.maximum,
            };
            if setrlimit(Resource::Nofile, raised).is_ok() {
                return Some(want);
            }
        }
        limit.current.or(Some(want))
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Descriptors open now (None where that cannot be counted).
fn open_fds() -> Option<u64> {
    let n = std::fs::read_dir("/proc/self/fd").ok()?.count();
    Some(n as u64)
}

/// The connection cap: the open-file limit less the descriptors open now
/// and a spare, at most `wanted` when given, at least 8.
pub fn connection_cap(wanted: Option<usize>) -> usize {
    let limit = raise_open_file_limit().unwrap_or(1024);
    let used = open_fds().unwrap_or(64);
    let from_fds = limit.saturating_sub(used + SPARE_FDS).max(8) as usize;
    wanted.map_or(from_fds, |w| w.clamp(1, from_fds))
}

/// The connections open now.
#[derive(Default)]
pub struct Conns {
    open: AtomicUsize,
    next: AtomicU64,
    /// Connections answered 503 at the cap.
    refused: AtomicU64,
    all: Mutex<HashMap<u64, Arc<Track>>>,
}

impl Conns {
    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// Connections answered 503 at the cap so far.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::SeqCst)
    }

    fn add(self: &Arc<Self>) -> (Arc<Track>, Registered) {
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        let track = Arc::new(Track::new());
        self.open.fetch_add(1, Ordering::SeqCst);
        self.lock().insert(id, track.clone());
        let reg = Registered {
            conns: self.clone(),
            id,
        };
        (track, reg)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Track>>> {
        self.all.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks the connection idle or half-sent the longest to close; false
    /// when every one is busy.
    fn make_room(&self) -> bool {
        let all = self.lock();
        let mut waiting: Vec<&Arc<Track>> =
            all.values().filter(|t| t.phase() != Phase::Busy).collect();
        waiting.sort_by_key(|t| t.since());
        waiting.into_iter().any(|t| t.evict())
    }
}

/// Removes a connection from [`Conns`] when its task ends.
struct Registered {
    conns: Arc<Conns>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.conns.lock().remove(&self.id);
        self.conns.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Accepts connections until `stop` resolves; then asks every connection
/// to finish its request and close, and waits for them (at most `grace`).
pub async fn accept_until(
    listener: TcpListener,
    shared: Arc<Shared>,
    conns: Arc<Conns>,
    cap: usize,
    stop: impl std::future::Future<Output = ()>,
    grace: Duration,
) {
    let (drain_tx, drain_rx) = tokio::sync::watch::channel(false);
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => break,
            a = listener.accept() => a,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) if is_connection_error(&e) => continue,
            Err(_) => {
                // Out of descriptors (EMFILE, ENFILE) or memory: the
                // pending connection waits in the backlog; try again soon.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        if conns.open() >= cap && !conns.make_room() {
            conns.refused.fetch_add(1, Ordering::SeqCst);
            let busy = conn::raw_answer(
                "503 Service Unavailable",
                Some(1),
                "the server is at its connection limit; try again in a moment",
            );
            tokio::spawn(conn::answer_and_close(stream, busy));
            continue;
        }
        let (track, registered) = conns.add();
        let shared = shared.clone();
        let drain = drain_rx.clone();
        tokio::spawn(async move {
            conn::serve(stream, track, shared, drain).await;
            drop(registered);
        });
    }
    drop(listener);
    let _ = drain_tx.send(true);
    let deadline = tokio::time::Instant::now() + grace;
    while conns.open() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Errors of one connection (reset before it was accepted), not of the
/// listener.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}
