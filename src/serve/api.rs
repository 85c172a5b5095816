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
use base64::Engine as _;
use serde::Serialize;

use super::error::ApiError;
use super::form::{self, Submitted};
use super::gate::Refused;
use super::metrics::{self, Kind};
use super::{page, zipkit, State};
use crate::error::Error;
use crate::inputs::{Brand, ImageInput};
use crate::make::{make_asset, make_kit, Cancel, Kit, Made, MakeOptions};
use crate::plan::{plan, Defaults, Request as Planned, Resources};
use crate::report::ErrorReport;
use crate::template::{SlotKind, TemplateSet};

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
    let c = &s.opts.campaign;
    Json(serde_json::json!({
        "name": c.name,
        "theme": c.theme,
        "hashtags": c.hashtags,
        "tags": c.tags,
        "template": c.template,
        "platforms": s.opts.presets.names_or_defaults(&[], c),
        "day": c.date,
        "today": today().to_string(),
        "languages": card_languages(c),
    }))
}

/// The languages a card's own words can be in: the campaign's main
/// language first, then its `[text.…]` tables, each with the day's name in
/// it and whether a translation awaits a native speaker's check.
fn card_languages(c: &crate::inputs::Campaign) -> Vec<serde_json::Value> {
    let main = std::iter::once(c.lang.clone());
    let main_table = c.table_for(&c.lang);
    let others = c.text.keys().filter(|t| Some(t.as_str()) != main_table);
    main.chain(others.cloned())
        .map(|tag| {
            let words = c.words(&tag);
            serde_json::json!({
                "tag": tag,
                "name": words.fields.get("campaign.name").cloned().unwrap_or_else(|| c.name.clone()),
                "draft": !c.drafts(&tag).is_empty(),
            })
        })
        .collect()
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

async fn platforms(s: St) -> Json<serde_json::Value> {
    Json(serde_json::to_value(s.opts.presets.all()).unwrap_or_default())
}

/// What a partner types or uploads for a kind of asset.
#[derive(Serialize)]
struct Field {
    name: String,
    kind: &'static str,
    required: bool,
    multiline: bool,
}

/// The fields of a set, from its slots: not the organisation, its logo,
/// or what the campaign fills in (hashtags, handles, dates).
fn fields(set: &TemplateSet) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    let always = ["org", "logo", "hashtags", "tags"];
    for slot in set.variants.iter().flat_map(|v| &v.parsed.slots) {
        let name = slot.field.as_str();
        let campaign = crate::fill::CAMPAIGN_FIELDS.contains(&name)
            || ["campaign.", "palette.", "brand."]
                .iter()
                .any(|p| name.starts_with(p));
        if always.contains(&name) || campaign || out.iter().any(|f| f.name == name) {
            continue;
        }
        let option = slot.options.get("required").map(|r| r.trim().to_string());
        let (kind, required) = match slot.kind {
            SlotKind::Image => ("image", option.as_deref() != Some("false")),
            SlotKind::Text => (
                "text",
                option.as_deref().map_or(name == "story", |r| r == "true"),
            ),
        };
        let lines = slot
            .options
            .get("max-lines")
            .and_then(|m| m.trim().parse::<u32>().ok());
        out.push(Field {
            name: name.to_string(),
            kind,
            required,
            multiline: kind == "text" && lines.is_none_or(|l| l > 2),
        });
    }
    out
}

fn describe(s: &State, set: &TemplateSet) -> serde_json::Value {
    let info = set.info(s.opts.presets.all());
    serde_json::json!({
        "name": info.name,
        "description": info.description,
        "fields": fields(set),
        "variants": info.variants,
        "skip_platforms": set.skip_platforms,
        "thumbnail": format!("/api/templates/{}/thumbnail.png", set.name),
    })
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
                let content = crate::accessibility::check::sample_content(&state.opts.campaign);
                let square = state.opts.presets.get("instagram-square").cloned();
                let platform =
                    square.unwrap_or_else(|| crate::inputs::Platform::custom("square", 1080, 1080));
                let opts = MakeOptions {
                    preview: Some(320),
                    ..MakeOptions::default()
                };
                let made = make_asset(&state.engine, &set, &platform, &content, &opts);
                made.ok().and_then(|m| m.preview)
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

/// What the server lets a request reach: the templates it offers and the
/// request's own uploads; never a file.
/// One of the server's templates by name; the error lists them all.
pub(super) fn server_template(
    templates: &BTreeMap<String, Arc<TemplateSet>>,
    spec: &str,
) -> Result<Arc<TemplateSet>, Error> {
    templates.get(spec).cloned().ok_or_else(|| Error::Template {
        template: spec.chars().take(100).collect(),
        message: format!(
            "this server has no such template; choose one of: {}",
            templates.keys().cloned().collect::<Vec<_>>().join(", ")
        ),
    })
}

struct Uploads<'a> {
    templates: &'a BTreeMap<String, Arc<TemplateSet>>,
    images: &'a BTreeMap<String, ImageInput>,
}

impl Resources for Uploads<'_> {
    fn template(&self, spec: &str) -> Result<Arc<TemplateSet>, Error> {
        server_template(self.templates, spec)
    }

    fn image(&self, value: &str, slot: &str) -> Result<ImageInput, Error> {
        self.images
            .get(value)
            .cloned()
            .ok_or_else(|| Error::MissingField(format!("upload the {slot} as a file")))
    }

    fn image_file(&self, path: &std::path::Path, _slot: &str) -> Result<ImageInput, Error> {
        Err(Error::MissingField(format!(
            "the server reads no files ({}); upload images instead",
            path.display()
        )))
    }

    fn brand(&self, _value: &str) -> Result<Brand, Error> {
        Err(Error::MissingField(
            "the server reads no brand files; give the brand's colours as fields (brand.primary, …)".into(),
        ))
    }
}

/// What the client wants back.
#[derive(Clone, Copy, PartialEq)]
enum Answer {
    Json,
    Png,
    Mp4,
    Zip,
}

fn answer_of(headers: &HeaderMap) -> Answer {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.contains("application/zip") {
        Answer::Zip
    } else if accept.contains("video/mp4") && !accept.contains("application/json") {
        Answer::Mp4
    } else if accept.contains("image/png") && !accept.contains("application/json") {
        Answer::Png
    } else {
        Answer::Json
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
            form::json(&bytes, &limits)
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

/// The longest side of the previews in a JSON answer that asked for none
/// when asset links are off.
const DEFAULT_PREVIEW: u32 = 400;

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
    let answer = answer_of(req.headers());
    let submitted = read(&s, req).await?;
    let defaults = Defaults {
        campaign: s.opts.campaign.clone(),
        presets: s.opts.presets.clone(),
        templates: vec![s.opts.campaign.template.clone()],
        platforms: s.opts.presets.names_or_defaults(&[], &s.opts.campaign),
        today: submitted.date.unwrap_or_else(today),
        direction: crate::text::Direction::Auto,
    };
    let uploads = Uploads {
        templates: &s.opts.templates,
        images: &submitted.images,
    };
    let request = plan(&submitted.input, &defaults, &uploads).map_err(|e| ApiError::plan(&e))?;
    if answer == Answer::Png && request.pairs().len() != 1 {
        return Err(ApiError::bad(
            Some("platform"),
            "an image answer (Accept: image/png) needs exactly one template and one platform; ask for application/zip for the whole kit",
        ));
    }
    if answer == Answer::Mp4
        && (request.pairs().len() != 1 || request.platforms.iter().any(|p| !p.is_video()))
    {
        return Err(ApiError::bad(
            Some("platform"),
            "a clip answer (Accept: video/mp4) needs exactly one template and one video platform (instagram-reel, tiktok, …: see /api/platforms)",
        ));
    }
    if answer == Answer::Png && request.platforms.iter().any(|p| p.is_video()) {
        return Err(ApiError::bad(
            Some("platform"),
            "that platform makes a clip: ask for Accept: video/mp4, or choose a still platform",
        ));
    }
    // Without asset links, a JSON answer carries previews (of the size
    // asked for, or a default one) rather than links to this server.
    let preview = match submitted.preview {
        None if !s.opts.asset_links => Some(DEFAULT_PREVIEW),
        p => p,
    }
    .filter(|_| answer == Answer::Json);
    let opts = MakeOptions {
        preview,
        // Answers with previews show a clip by its still (its poster): the
        // clip itself is asked for with Accept: video/mp4.
        stills_only: preview.is_some(),
        ..MakeOptions::default()
    };
    let kind = match answer {
        Answer::Zip => Kind::Zip,
        Answer::Mp4 => Kind::Clip,
        _ if preview.is_none() && request.platforms.iter().any(|p| p.is_video()) => Kind::Clip,
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

fn error_of(e: &ErrorReport) -> ApiError {
    let class = e.class.unwrap_or(crate::diag::ErrorClass::Internal);
    ApiError {
        status: super::error::status_of(class),
        message: format!("{} {}: {}", e.template, e.platform, e.message),
        field: e.field.clone(),
        class,
        retry_after: None,
    }
}

/// The answer: JSON with previews or links, one PNG, or the zip.
fn respond(s: &State, request: &Planned, kit: Kit, answer: Answer) -> Result<Response, ApiError> {
    if kit.assets.is_empty() {
        let first = kit.errors.first().map(error_of);
        return Err(first.unwrap_or_else(|| {
            ApiError::bad(None, "nothing to make: choose a template and a platform")
        }));
    }
    let slug = crate::output::slug(&request.org);
    match answer {
        Answer::Png => {
            let made = &kit.assets[0];
            let name = format!("{}-{}.png", made.template, made.platform);
            Ok(download("image/png", &name, made.bytes.clone()))
        }
        Answer::Mp4 => {
            let made = &kit.assets[0];
            let name = format!("{}-{}.mp4", made.template, made.platform);
            Ok(download("video/mp4", &name, made.bytes.clone()))
        }
        Answer::Zip => {
            let bytes = zipkit::zip(&kit, &request.org).map_err(|e| {
                ApiError::from_error(&Error::Render {
                    template: String::new(),
                    platform: String::new(),
                    message: format!("the zip could not be made: {e}"),
                })
            })?;
            let mut r = download("application/zip", &format!("{slug}-kit.zip"), bytes);
            if !kit.errors.is_empty() {
                // Sizes that failed, said where a script looks first (the
                // messages are in the zip's report.json).
                let failed: Vec<String> = (kit.errors.iter())
                    .map(|e| format!("{}/{}", e.template, e.platform))
                    .collect();
                let h = r.headers_mut();
                h.insert("x-postkit-failed", HeaderValue::from(kit.errors.len()));
                if let Ok(v) = HeaderValue::from_str(&failed.join(", ")) {
                    h.insert("x-postkit-failed-assets", v);
                }
            }
            Ok(r)
        }
        Answer::Json => Ok(Json(report_json(s, request, &kit)).into_response()),
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

/// The report (the CLI's schema), each asset with its preview or a link.
fn report_json(s: &State, request: &Planned, kit: &Kit) -> serde_json::Value {
    let name = |m: &Made| format!("{}-{}.{}", m.template, m.platform, m.format.ext());
    let token = if !s.opts.asset_links || kit.assets.iter().all(|m| m.preview.is_some()) {
        None
    } else {
        let files = kit
            .assets
            .iter()
            .map(|m| (name(m), m.bytes.clone()))
            .collect();
        s.links.lock().unwrap_or_else(|e| e.into_inner()).put(files)
    };
    let slug = crate::output::slug(&request.org);
    let assets: Vec<serde_json::Value> = kit
        .assets
        .iter()
        .map(|m| {
            let path = std::path::Path::new(&slug).join(name(m));
            let mut v = serde_json::to_value(m.report(&request.org, &path)).unwrap_or_default();
            if let Some(p) = &m.preview {
                let b64 = base64::engine::general_purpose::STANDARD.encode(p);
                v["preview"] = format!("data:image/png;base64,{b64}").into();
            } else if let Some(t) = &token {
                v["url"] = format!("/api/assets/{t}/{}", name(m)).into();
            }
            v
        })
        .collect();
    serde_json::json!({"assets": assets, "errors": kit.errors})
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
