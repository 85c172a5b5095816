//! The routes: the page, the read-only API (campaign, platforms,
//! templates), `POST /api/render`, short-lived asset links, and the layer
//! around every answer (security headers, the one-line log, the time
//! limit).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Request, State as Shared};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::error::ApiError;
use super::form::{self, Submitted};
use super::{page, State};
use crate::api::{file_name, plan_answer, Answer, Answered, Offer, Uploads};
use crate::error::Error;
use crate::make::{make_kit, Cancel, Kit, Made};
use crate::plan::Request as Planned;
use crate::plan::Resources as _;
use crate::template::TemplateSet;

type St = Shared<Arc<State>>;

/// Every route.
pub fn router(state: Arc<State>) -> Router {
    let body_limit = state.opts.limits.body + (64 << 10);
    Router::new()
        .route("/", get(index))
        .route("/assets/{file}", get(asset))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/campaign", get(campaign))
        .route("/api/platforms", get(platforms))
        .route("/api/templates", get(templates))
        .route("/api/templates/{name}", get(template))
        .route("/api/templates/{name}/thumbnail.png", get(thumbnail))
        .route("/api/render", post(render))
        .route("/api/assets/{token}/{file}", get(link))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), around))
        .with_state(state)
}

/// Headers on every answer, the time limit, the log line and the count.
async fn around(s: St, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    // The path only (never a query), and no link token.
    let path = match req.uri().path() {
        p if p.starts_with("/api/assets/") => "/api/assets/…".to_string(),
        p => p.chars().take(200).collect(),
    };
    let limit = s.opts.request_timeout;
    let mut r = match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            let mut e = ApiError::busy();
            e.message = format!(
                "the request took longer than {} s; try fewer sizes, or again in a moment",
                limit.as_secs()
            );
            e.into_response()
        }
    };
    let h = r.headers_mut();
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
    // Health and readiness checks come every few seconds: not logged.
    if path != "/healthz" && path != "/readyz" {
        (s.opts.log)(format!(
            "{method} {path} {} {} ms",
            r.status().as_u16(),
            start.elapsed().as_millis()
        ));
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
            // Waits for a render slot rather than failing: the page asks
            // for the eight as it loads.
            let permit = s.slots.clone().acquire_owned().await.ok();
            let png = on_pool(&s, permit, move || {
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

/// Runs `work` on the render pool, holding a render slot (taken now, or
/// `permit` if the caller has one): 503 at once when every slot is busy.
/// A panic in the work is this request's error.
async fn on_pool<T: Send + 'static>(
    s: &State,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let permit = match permit {
        Some(p) => p,
        None => s
            .slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::busy())?,
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    s.pool.spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        drop(permit);
        let _ = tx.send(r);
    });
    match rx.await {
        Ok(Ok(v)) => Ok(v),
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

/// `POST /api/render`.
async fn render(s: St, req: Request) -> Result<Response, ApiError> {
    // A slot first: when all are busy, say so before reading a byte.
    let permit = s
        .slots
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::busy())?;
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
    let state = s.0.clone();
    let cancel = Cancel::new();
    let stop = cancel.clone();
    let request = Arc::new(request);
    let planned = request.clone();
    let kit = on_pool(&s, Some(permit), move || {
        make_kit(&state.engine, &planned, &opts, &stop)
    });
    // Dropped (the client went away, or the time ran out): stop making.
    let guard = CancelOnDrop(cancel);
    let kit = kit.await?;
    drop(guard);
    respond(&s, &request, kit, answer)
}

/// Cancels the work when the request is dropped before it finished.
struct CancelOnDrop(Cancel);

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

fn download(ctype: &'static str, name: &str, bytes: Vec<u8>) -> Response {
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
