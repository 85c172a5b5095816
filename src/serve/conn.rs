//! One connection: HTTP/1.1 on hyper, watched for the time limits a
//! proxy keeps. A connection is in one of three phases:
//!
//! - **idle**: open, no request begun (a fresh connection, or a kept-alive
//!   one between requests): closed after the idle limit, silently;
//! - **head**: a request's first bytes arrived, its headers are not all
//!   in: answered `408` and closed after the header limit (slowloris);
//! - **busy**: a request is being handled or its answer sent; the body's
//!   own read limit and the request's time limit apply, and an answer not
//!   taken within twice the request limit is cut off.
//!
//! The listener may also ask an idle or half-sent connection to make room
//! (when the connection cap is reached); a busy one is never asked.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

/// The time limits of a connection.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// From a request's first byte to the end of its headers.
    pub header: Duration,
    /// A kept-alive (or fresh) connection with no request begun.
    pub idle: Duration,
    /// A request from its headers to the last byte of its answer.
    pub busy: Duration,
}

/// A connection's phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    Idle = 0,
    Head = 1,
    Busy = 2,
}

/// Milliseconds since the first call: a clock the connections share.
fn now_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

/// What the listener and a connection's task know of it.
pub struct Track {
    phase: AtomicU8,
    since: AtomicU64,
    /// Asked to make room (the cap is reached).
    evicted: AtomicBool,
    wake: tokio::sync::Notify,
}

impl Track {
    pub fn new() -> Track {
        Track {
            phase: AtomicU8::new(Phase::Idle as u8),
            since: AtomicU64::new(now_ms()),
            evicted: AtomicBool::new(false),
            wake: tokio::sync::Notify::new(),
        }
    }

    pub fn phase(&self) -> Phase {
        match self.phase.load(Ordering::SeqCst) {
            0 => Phase::Idle,
            1 => Phase::Head,
            _ => Phase::Busy,
        }
    }

    /// When the current phase began (ms on the shared clock).
    pub fn since(&self) -> u64 {
        self.since.load(Ordering::SeqCst)
    }

    /// Enters `phase`, and wakes the connection's task to start the
    /// phase's clock.
    fn set(&self, phase: Phase) {
        self.since.store(now_ms(), Ordering::SeqCst);
        self.phase.store(phase as u8, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Bytes arrived: an idle connection has begun a request.
    fn bytes_in(&self) {
        if self.phase() == Phase::Idle {
            self.set(Phase::Head);
        }
    }

    /// Asks the connection to close if it is idle or half-sent; false when
    /// it is busy (or was asked already).
    pub fn evict(&self) -> bool {
        if self.phase() == Phase::Busy || self.evicted.swap(true, Ordering::SeqCst) {
            return false;
        }
        self.wake.notify_one();
        true
    }

    /// Milliseconds until the current phase runs out (0: it has).
    fn left(&self, limits: &Timeouts) -> u64 {
        let limit = match self.phase() {
            Phase::Idle => limits.idle,
            Phase::Head => limits.header,
            Phase::Busy => limits.busy,
        };
        (self.since() + limit.as_millis() as u64).saturating_sub(now_ms())
    }
}

/// A TCP stream that tells its [`Track`] when bytes arrive.
struct Watched {
    stream: TcpStream,
    track: Arc<Track>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.track.bytes_in();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// An answer's body that marks the connection idle once it is sent (or
/// dropped), and counts its bytes.
struct Tracked {
    inner: Body,
    track: Arc<Track>,
    sent: Option<Arc<dyn Fn(u64) + Send + Sync>>,
}

impl http_body::Body for Tracked {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let r = Pin::new(&mut self.inner).poll_frame(cx);
        if let (Poll::Ready(Some(Ok(frame))), Some(sent)) = (&r, &self.sent) {
            if let Some(data) = frame.data_ref() {
                sent(data.len() as u64);
            }
        }
        r
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.track.set(Phase::Idle);
    }
}

/// What every connection shares.
pub struct Shared {
    pub router: Router,
    pub timeouts: Timeouts,
    /// Called with the bytes of each answer's body as they are sent.
    pub sent: Option<Arc<dyn Fn(u64) + Send + Sync>>,
}

/// A raw answer for a connection hyper does not hold (or no longer):
/// status line, JSON error body, `Connection: close`.
pub fn raw_answer(status: &str, retry_after: Option<u32>, message: &str) -> Vec<u8> {
    let body = serde_json::json!({"error": {
        "message": message,
        "field": null,
        "class": if status.starts_with("408") { "bad_input" } else { "internal" },
    }})
    .to_string();
    let retry = retry_after.map_or(String::new(), |s| format!("Retry-After: {s}\r\n"));
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{retry}Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Writes `bytes` and closes, giving up after a second (the peer may not
/// be reading).
pub async fn answer_and_close(mut stream: TcpStream, bytes: Vec<u8>) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(&bytes).await?;
        stream.shutdown().await
    })
    .await;
}

/// Serves one connection until it closes, runs out of time, is asked to
/// make room, or (after `drain` turns true) finishes its request.
pub async fn serve(
    stream: TcpStream,
    track: Arc<Track>,
    shared: Arc<Shared>,
    mut drain: tokio::sync::watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let io = hyper_util::rt::TokioIo::new(Watched {
        stream,
        track: track.clone(),
    });
    let service = {
        let track = track.clone();
        let shared = shared.clone();
        hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            track.set(Phase::Busy);
            let mut router = shared.router.clone();
            let track = track.clone();
            let sent = shared.sent.clone();
            async move {
                let r = tower_service::Service::call(&mut router, req.map(Body::new)).await;
                r.map(|r| r.map(|inner| Body::new(Tracked { inner, track, sent })))
            }
        })
    };
    let mut conn = hyper::server::conn::http1::Builder::new()
        .header_read_timeout(None)
        .keep_alive(true)
        .serve_connection(io, service);
    let timeouts = shared.timeouts;
    let mut draining = false;
    loop {
        let left = Duration::from_millis(track.left(&timeouts));
        tokio::select! {
            _ = &mut conn => return,
            _ = tokio::time::sleep(left) => {
                if track.left(&timeouts) > 0 {
                    continue; // the phase changed meanwhile
                }
            }
            _ = track.wake.notified() => {
                // A new phase (its clock starts), or asked to make room.
                if track.phase() == Phase::Busy || !track.evicted.load(Ordering::SeqCst) {
                    continue;
                }
            }
            Ok(_) = drain.wait_for(|d| *d), if !draining => {
                draining = true;
                Pin::new(&mut conn).graceful_shutdown();
                continue;
            }
        }
        // Out of time, or asked to make room.
        let phase = track.phase();
        let evicted = track.evicted.load(Ordering::SeqCst);
        if phase != Phase::Head {
            return; // idle: close quietly; busy too long: cut off
        }
        let message = if evicted {
            "the server is at its connection limit and this request's headers were not all in; send it again".to_string()
        } else {
            format!(
                "the request's headers took longer than {} s to arrive; the connection was closed",
                timeouts.header.as_secs()
            )
        };
        let stream = conn.into_parts().io.into_inner().stream;
        answer_and_close(stream, raw_answer("408 Request Timeout", None, &message)).await;
        return;
    }
}
