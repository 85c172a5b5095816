//! The routes: the page, the read-only API (campaign, platforms,
//! templates), `POST /api/render`, short-lived asset links, the metrics and
//! the OpenAPI description, and the layer around every answer (security
//! headers, the request id, the JSON log line, the metrics, the time
//! limit).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, MatchedPath, Path, Request, State as Shared};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::error::ApiError;
use super::form::{self, Submitted};
use super::gate::Refused;
use super::metrics::{self, Kind};
use super::{page, State};
use crate::api::{file_name, plan_answer, Answer, Answered, Offer, Uploads};
use crate::error::Error;
use crate::make::{make_kit, Cancel, Kit, Made};
use crate::plan::Request as Planned;
use crate::plan::Resources as _;
use crate::template::TemplateSet;

type St = Shared<Arc<State>>;

/// The OpenAPI 3.1 description of the API.
const OPENAPI: &str = include_str!("openapi.json");

/// Every route; `/metrics` too unless it is served on its own address.
pub fn router(state: Arc<State>, with_metrics: bool) -> Router {
    let limits = &state.opts.limits;
    let body_limit = limits.body.max(limits.batch_body) + (64 << 10);
    let mut r = Router::new();
    if with_metrics {
        r = r.route(METRICS, get(scrape));
    }
    r.route("/", get(index))
        .route("/assets/{file}", get(asset))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/campaign", get(campaign))
        .route("/api/platforms", get(platforms))
        .route("/api/templates", get(templates))
        .route("/api/templates/{name}", get(template))
        .route("/api/templates/{name}/thumbnail.png", get(thumbnail))
        .route("/api/render", post(render))
        .route("/api/batch/check", post(super::batch::check))
        .route("/api/batch", post(super::batch::make))
        .route("/api/batch/progress/{token}", get(super::batch::progress))
        .route("/api/assets/{token}/{file}", get(link))
        .route("/api/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), around))
        .with_state(state)
}

/// The metrics' route.
const METRICS: &str = "/metrics";

/// `/metrics` alone (on `--metrics-bind`).
pub fn metrics_router(state: Arc<State>) -> Router {
    Router::new()
        .route(METRICS, get(scrape))
        .fallback(not_found)
        .with_state(state)
}

/// `GET /metrics`: the Prometheus text exposition.
async fn scrape(s: St) -> Response {
    let g = metrics::Gauges {
        slots: s.gate.total(),
        busy: s.gate.busy(),
        queue: s.gate.queued(),
        reading: s.gate.waiting().saturating_sub(s.gate.queued()),
        queue_capacity: s.gate.capacity(),
        connections: s.conns.open(),
        connection_rejections: s.conns.refused(),
        ready: s.ready.load(std::sync::atomic::Ordering::SeqCst),
    };
    let text = s.metrics.render_text(&g);
    ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], text).into_response()
}

/// `GET /api/openapi.json`.
async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// A request id from the client (`X-Request-Id`: 1 to 64 letters, digits,
/// `-`, `_`, `.`), or a new random one.
fn request_id(headers: &HeaderMap) -> String {
    let given = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    if let Some(id) = given {
        return id.to_string();
    }
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        // No randomness: a clock's nanoseconds are unique enough for a log.
        let t = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as u64;
        b = t.to_be_bytes();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// An error answer that is not JSON (one of axum's own, a malformed path
/// say) made into the API's JSON error, so that every error has one shape.
async fn as_json_error(r: Response) -> Response {
    let is_json = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if r.status().as_u16() < 400 || is_json {
        return r;
    }
    let (parts, body) = r.into_parts();
    let text = axum::body::to_bytes(body, 16 << 10)
        .await
        .unwrap_or_default();
    let mut message = String::from_utf8_lossy(&text).trim().to_string();
    if message.is_empty() {
        message = parts
            .status
            .canonical_reason()
            .unwrap_or("error")
            .to_string();
    }
    let class = if parts.status.is_server_error() {
        crate::diag::ErrorClass::Internal
    } else if parts.status == StatusCode::PAYLOAD_TOO_LARGE {
        crate::diag::ErrorClass::TooLarge
    } else {
        crate::diag::ErrorClass::BadInput
    };
    let mut fixed = ApiError {
        status: parts.status,
        message,
        field: None,
        class,
        retry_after: None,
    }
    .into_response();
    for (k, v) in &parts.headers {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            fixed.headers_mut().insert(k, v.clone());
        }
    }
    fixed
}

/// Headers on every answer, the request id, the time limit, the log line
/// and the metrics.
async fn around(s: St, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    // The route's template (never the path asked for: no template name,
    // no link token, no query).
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", |m| m.as_str())
        .to_string();
    let id = request_id(req.headers());
    let limit = match route.as_str() {
        super::batch::ROUTE => s.opts.request_timeout.max(s.opts.batch_timeout),
        _ => s.opts.request_timeout,
    };
    let r = match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            let mut e = ApiError::busy(1);
            e.message = format!(
                "the request took longer than {} s; try fewer sizes, or again in a moment",
                limit.as_secs()
            );
            e.into_response()
        }
    };
    let mut r = as_json_error(r).await;
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert("x-request-id", v);
    }
    let set = |h: &mut HeaderMap, k: header::HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(h, header::CONTENT_SECURITY_POLICY, "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; script-src 'self'; style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "no-referrer");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    // Scrapes are neither logged nor counted.
    if route == METRICS {
        return r;
    }
    let status = r.status().as_u16();
    let bytes = http_body::Body::size_hint(r.body()).exact().unwrap_or(0);
    s.metrics.request(&route, &method, status, bytes);
    // Health and readiness checks come every few seconds: not logged.
    if route != "/healthz" && route != "/readyz" {
        let now = time::OffsetDateTime::now_utc();
        let now = now
            .replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
            .unwrap_or(now);
        let time = now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let line = serde_json::json!({
            "time": time,
            "request_id": id,
            "method": metrics::method_label(&method),
            "route": route,
            "status": status,
            "duration_ms": (start.elapsed().as_secs_f64() * 1000.0 * 10.0).round() / 10.0,
            "bytes": bytes,
        });
        (s.opts.log)(line.to_string());
    }
    s.answered();
    r
}

async fn not_found() -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        ..ApiError::bad(None, "no such page; the page is at /, the API under /api/")
    }
}

/// A known path asked with the wrong method (`GET /api/render`): a JSON
/// error that says which methods it takes.
async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    let path = uri.path();
    let allowed = if path == "/api/render" { "POST" } else { "GET" };
    let mut r = ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        ..ApiError::bad(None, format!("{path} takes {allowed}, not {method}"))
    }
    .into_response();
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allowed));
    r
}

async fn index() -> Response {
    let mut r = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page::INDEX,
    )
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

async fn asset(Path(file): Path<String>) -> Response {
    match page::asset(&file) {
        Some((ctype, body)) => (
            [
                (header::CONTENT_TYPE, ctype),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            body,
        )
            .into_response(),
        None => not_found().await.into_response(),
    }
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

/// Ready for new requests: 503 from the moment draining starts, so a load
/// balancer sends no more.
async fn readyz(s: St) -> Response {
    if s.ready.load(std::sync::atomic::Ordering::SeqCst) {
        Json(serde_json::json!({"status": "ready"})).into_response()
    } else {
        let body = Json(serde_json::json!({"status": "draining"}));
        (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
    }
}

async fn campaign(s: St) -> Json<serde_json::Value> {
    let o = &s.opts;
    Json(crate::api::campaign_json(&o.campaign, &o.presets, today()))
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

async fn platforms(s: St) -> Json<serde_json::Value> {
    Json(serde_json::to_value(s.opts.presets.all()).unwrap_or_default())
}

fn describe(s: &State, set: &TemplateSet) -> serde_json::Value {
    crate::api::describe(&s.opts.presets, set)
}

async fn templates(s: St) -> Json<serde_json::Value> {
    let all: Vec<_> = s.opts.templates.values().map(|t| describe(&s, t)).collect();
    Json(serde_json::Value::Array(all))
}

fn find(s: &State, name: &str) -> Result<Arc<TemplateSet>, ApiError> {
    let uploads = Uploads {
        templates: &s.opts.templates,
        images: &BTreeMap::new(),
    };
    uploads.template(name).map_err(|e| ApiError {
        status: StatusCode::NOT_FOUND,
        ..ApiError::from_error(&e)
    })
}

async fn template(s: St, Path(name): Path<String>) -> Result<Json<serde_json::Value>, ApiError> {
    let set = find(&s, &name)?;
    Ok(Json(describe(&s, &set)))
}

/// A small picture of a kind, with sample content (made once).
async fn thumbnail(s: St, Path(name): Path<String>) -> Result<Response, ApiError> {
    let set = find(&s, &name)?;
    let cached = s
        .thumbnails
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&name)
        .cloned();
    let png = match cached {
        Some(png) => png,
        None => {
            let state = s.0.clone();
            // Waits for a render slot rather than failing (in the same
            // order as renders): the page asks for the eight as it loads.
            let permit = s
                .gate
                .slot_unbounded()
                .await
                .ok_or_else(|| ApiError::busy(1))?;
            let png = on_pool(&s, permit, Kind::Still, move || {
                let o = &state.opts;
                crate::api::thumbnail(&state.engine, &o.campaign, &o.presets, &set)
            })
            .await?
            .ok_or_else(|| ApiError::bad(None, format!("the {name} template has no preview")))?;
            let png = Arc::new(png);
            s.thumbnails
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(name, png.clone());
            png
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        png.as_ref().clone(),
    )
        .into_response())
}

/// Runs `work` on the render pool, holding its render slot (`permit`),
/// and records the time it took as a render of `kind`. A panic in the
/// work is this request's error.
pub(super) async fn on_pool<T: Send + 'static>(
    s: &State,
    permit: tokio::sync::OwnedSemaphorePermit,
    kind: Kind,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    on_pool_as(s, permit, kind, true, work).await
}

/// [`on_pool`]; `typical` false for work much longer than a render (a
/// whole batch), whose time would mislead the queue's `Retry-After`.
pub(super) async fn on_pool_as<T: Send + 'static>(
    s: &State,
    permit: tokio::sync::OwnedSemaphorePermit,
    kind: Kind,
    typical: bool,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    s.pool.spawn(move || {
        let started = Instant::now();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        let took = started.elapsed();
        drop(permit);
        let _ = tx.send((r, took));
    });
    let done = rx.await;
    if let Ok((_, took)) = &done {
        if typical {
            s.gate.observe(*took);
        }
        s.metrics.render(kind, *took);
    }
    match done {
        Ok((Ok(v), _)) => Ok(v),
        _ => Err(ApiError::from_error(&Error::Render {
            template: String::new(),
            platform: String::new(),
            message: "internal error while rendering (please report it)".into(),
        })),
    }
}

/// Reads the body (multipart or JSON) within the limits and time.
async fn read(s: &State, req: Request) -> Result<Submitted, ApiError> {
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let limits = s.opts.limits.clone();
    let reading = async move {
        if ctype.starts_with("multipart/form-data") {
            let mp = axum::extract::Multipart::from_request(req, &())
                .await
                .map_err(|e| ApiError::bad(None, e.body_text()))?;
            form::multipart(mp, &limits).await
        } else if ctype.starts_with("application/json") {
            let bytes = axum::body::to_bytes(req.into_body(), limits.body)
                .await
                .map_err(|_| ApiError::too_large("the request", limits.body))?;
            form::json(&bytes, &limits).map_err(ApiError::from)
        } else {
            Err(ApiError {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ..ApiError::bad(
                    None,
                    "send the form as multipart/form-data or application/json",
                )
            })
        }
    };
    let limit = s.opts.read_timeout;
    tokio::time::timeout(limit, reading).await.unwrap_or_else(|_| {
        Err(ApiError {
            status: StatusCode::REQUEST_TIMEOUT,
            ..ApiError::bad(None, format!("the upload took longer than {} s and was cut off; try a smaller file or a faster connection", limit.as_secs()))
        })
    })
}

/// A request refused a render slot: 503, with when to try again.
pub(super) fn refused(s: &State, why: Refused) -> ApiError {
    s.metrics.rejected(why.label());
    let retry = s.gate.retry_after();
    let message = match why {
        Refused::QueueFull => format!(
            "every render slot is busy and {} requests are waiting already; try again in {retry} s",
            s.gate.capacity()
        ),
        Refused::Timeout => format!(
            "every render slot stayed busy for {} s; try again in {retry} s",
            s.opts.queue_wait.as_secs()
        ),
    };
    ApiError {
        message,
        ..ApiError::busy(retry)
    }
}

/// `POST /api/render`.
async fn render(s: St, req: Request) -> Result<Response, ApiError> {
    // A place in the queue first: when it is full, say so before reading
    // a byte. The upload is read (and the request planned) before the
    // wait for a slot, so that no slot idles while a client uploads, and
    // a bad request is answered at once.
    let ticket = s.gate.admit().map_err(|why| refused(&s, why))?;
    let accept = req.headers().get(header::ACCEPT);
    let answer = Answer::of_accept(accept.and_then(|v| v.to_str().ok()).unwrap_or(""));
    let submitted = read(&s, req).await?;
    let o = &s.opts;
    let offer = Offer {
        campaign: &o.campaign,
        presets: &o.presets,
        templates: &o.templates,
    };
    let (request, opts) = plan_answer(offer, &submitted, answer, today(), o.asset_links)?;
    let kind = match answer {
        Answer::Zip => Kind::Zip,
        Answer::Mp4 => Kind::Clip,
        _ if opts.preview.is_none() && request.platforms.iter().any(|p| p.is_video()) => Kind::Clip,
        _ => Kind::Still,
    };
    let (permit, waited) = ticket.slot().await.map_err(|why| refused(&s, why))?;
    s.metrics.waited(waited);
    let state = s.0.clone();
    let cancel = Cancel::new();
    let stop = cancel.clone();
    let request = Arc::new(request);
    let planned = request.clone();
    let kit = on_pool(&s, permit, kind, move || {
        make_kit(&state.engine, &planned, &opts, &stop)
    });
    // Dropped (the client went away, or the time ran out): stop making.
    let guard = CancelOnDrop(cancel);
    let kit = kit.await?;
    drop(guard);
    respond(&s, &request, kit, answer)
}

/// Cancels the work when the request is dropped before it finished.
pub(super) struct CancelOnDrop(pub(super) Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// The answer: JSON with previews or links, one PNG or clip, or the zip.
fn respond(s: &State, request: &Planned, kit: Kit, answer: Answer) -> Result<Response, ApiError> {
    let token = (answer == Answer::Json && !kit.assets.is_empty())
        .then(|| link_token(s, &kit))
        .flatten();
    let link = |m: &Made| (token.as_ref()).map(|t| format!("/api/assets/{t}/{}", file_name(m)));
    let answered = crate::api::answer(request, &kit, answer, link)?;
    match answered {
        Answered::File {
            content_type,
            name,
            bytes,
            failed,
        } => {
            let mut r = download(content_type, &name, bytes);
            if !failed.is_empty() {
                // Sizes that failed, said where a script looks first (the
                // messages are in the zip's report.json).
                let h = r.headers_mut();
                h.insert("x-postkit-failed", HeaderValue::from(failed.len()));
                if let Ok(v) = HeaderValue::from_str(&failed.join(", ")) {
                    h.insert("x-postkit-failed-assets", v);
                }
            }
            Ok(r)
        }
        Answered::Json(v) => Ok(Json(v).into_response()),
    }
}

pub(super) fn download(ctype: &'static str, name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    let mut r = Response::new(Body::from(bytes));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// A link token for the kit's assets, when the server gives links and
/// some asset has no preview.
fn link_token(s: &State, kit: &Kit) -> Option<String> {
    if !s.opts.asset_links || kit.assets.iter().all(|m| m.preview.is_some()) {
        return None;
    }
    let files = kit
        .assets
        .iter()
        .map(|m| (file_name(m), m.bytes.clone()))
        .collect();
    s.links.lock().unwrap_or_else(|e| e.into_inner()).put(files)
}

/// `GET /api/assets/{token}/{file}`: a made asset, while its link lasts.
async fn link(s: St, Path((token, file)): Path<(String, String)>) -> Result<Response, ApiError> {
    let found = s
        .links
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&token, &file);
    let bytes = found.ok_or_else(|| ApiError {
        status: StatusCode::NOT_FOUND,
        ..ApiError::bad(
            None,
            "no such image here: its link may have been made by another server behind the same address, or has expired (links last a few minutes); render again, or ask for the images themselves (Accept: image/png or application/zip)",
        )
    })?;
    let ctype = if file.ends_with(".mp4") {
        "video/mp4"
    } else {
        "image/png"
    };
    Ok(download(ctype, &file, bytes))
}
