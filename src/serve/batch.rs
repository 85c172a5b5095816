//! A whole campaign from one sheet, over HTTP. `POST /api/batch/check`:
//! the sheet checked before anything is made. `POST /api/batch`: every
//! row's kit made, answered as one zip holding what `postkit batch` writes
//! for the same sheet and files. What is checked and made, and how the form
//! is taken, is [`crate::api::batch`] (the static site's engine answers
//! the same); here the form is read within the server's limits and time,
//! and a batch holds one render slot while it runs and makes its assets one
//! at a time, so other people's renders go on. Its progress is asked for by
//! the token the page sent (`GET /api/batch/progress/{token}`). Nothing is
//! written to disk: the uploads live in memory for the request.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::{FromRequest, Request, State as Shared};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Json;

use super::error::ApiError;
use super::State;
use crate::api::batch::{self as shared, base_name, valid_token, Caps, Place, Sent};
use crate::api::Offer;
use crate::error::Error;
use crate::make::Cancel;

/// The batch's route (it has its own time limit).
pub const ROUTE: &str = "/api/batch";

/// This server's caps on a batch (its flags).
fn caps(s: &State) -> Caps {
    Caps {
        limits: s.opts.limits.clone(),
        place: Place::Server,
    }
}

fn offer(s: &State) -> Offer<'_> {
    Offer {
        campaign: &s.opts.campaign,
        presets: &s.opts.presets,
        templates: &s.opts.templates,
    }
}

/// Reads the form within the limits and the time: the batch's bytes, and
/// one file's; each field taken as [`Sent::field`] takes it.
async fn read(s: &State, req: Request) -> Result<Sent, ApiError> {
    let caps = caps(s);
    let ctype = (req.headers().get(header::CONTENT_TYPE))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !ctype.starts_with("multipart/form-data") {
        return Err(ApiError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ..ApiError::bad(None, "send the sheet and its files as multipart/form-data")
        });
    }
    let reading = async move {
        let limits = &caps.limits;
        let mut form = axum::extract::Multipart::from_request(req, &())
            .await
            .map_err(|e| ApiError::bad(None, e.body_text()))?;
        let mut sent = Sent::default();
        let mut total = 0usize;
        while let Some(mut field) = form.next_field().await.map_err(ApiError::multipart)? {
            let name = field.name().unwrap_or("").to_string();
            let file = field
                .file_name()
                .map(|f| base_name(f).chars().take(120).collect::<String>());
            let limit = if file.is_some() {
                limits.image
            } else {
                limits.text
            };
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(ApiError::multipart)? {
                total += chunk.len();
                if total > limits.batch_body {
                    return Err(caps.too_many_bytes().into());
                }
                if bytes.len() + chunk.len() > limit {
                    return Err(ApiError::too_large(file.as_deref().unwrap_or(&name), limit));
                }
                bytes.extend_from_slice(&chunk);
            }
            sent.field(&name, file, bytes, &caps)?;
        }
        Ok(sent)
    };
    let limit = s.opts.read_timeout;
    tokio::time::timeout(limit, reading).await.unwrap_or_else(|_| {
        Err(ApiError {
            status: StatusCode::REQUEST_TIMEOUT,
            ..ApiError::bad(None, format!("the upload took longer than {} s and was cut off; try smaller files or a faster connection", limit.as_secs()))
        })
    })
}

/// Today on this server (the form may give another date).
fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// `POST /api/batch/check`.
pub async fn check(
    s: Shared<Arc<State>>,
    req: Request,
) -> Result<Json<serde_json::Value>, ApiError> {
    // A place in the render queue before reading the upload, as renders
    // take one; the slot itself after the sheet is read.
    let ticket = s.gate.admit().map_err(|why| super::api::refused(&s, why))?;
    let sent = read(&s, req).await?;
    let sheet = sent.sheet(&caps(&s))?;
    let state = s.0.clone();
    let work = move || {
        let batch = sheet.batch(&sent, today(), Place::Server);
        shared::check(&state.engine, offer(&state), &batch)
    };
    let (permit, waited) = ticket
        .slot()
        .await
        .map_err(|why| super::api::refused(&s, why))?;
    s.metrics.waited(waited);
    let answer = super::api::on_pool(&s, permit, super::metrics::Kind::Still, work).await?;
    Ok(Json(answer))
}

/// A batch's progress: assets finished, and in all (0 until counted).
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicUsize,
    total: AtomicUsize,
}

/// Keeps a batch's progress findable by its token while it runs.
struct Listed<'a> {
    s: &'a State,
    token: Option<String>,
}

impl<'a> Listed<'a> {
    fn new(s: &'a State, token: Option<String>, p: &Arc<Progress>) -> Result<Listed<'a>, ApiError> {
        if let Some(t) = &token {
            let mut all = s.batches.lock().unwrap_or_else(|e| e.into_inner());
            if all.contains_key(t) {
                return Err(ApiError::bad(
                    Some("progress"),
                    "another batch is running with this progress token; choose a new one for each batch",
                ));
            }
            all.insert(t.clone(), p.clone());
        }
        Ok(Listed { s, token })
    }
}

impl Drop for Listed<'_> {
    fn drop(&mut self) {
        if let Some(t) = &self.token {
            let mut all = self.s.batches.lock().unwrap_or_else(|e| e.into_inner());
            all.remove(t);
        }
    }
}

/// `GET /api/batch/progress/{token}`: how far the batch sent with this
/// progress token is (counts only; 404 once it has ended, or before it
/// began).
pub async fn progress(
    s: Shared<Arc<State>>,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let found = valid_token(&token)
        .then(|| {
            let all = s.batches.lock().unwrap_or_else(|e| e.into_inner());
            all.get(&token).cloned()
        })
        .flatten();
    let Some(p) = found else {
        return Err(ApiError {
            status: StatusCode::NOT_FOUND,
            ..ApiError::bad(
                None,
                "no batch is running with this progress token (it has ended, or not begun)",
            )
        });
    };
    Ok(Json(serde_json::json!({
        "done": p.done.load(Ordering::Relaxed),
        "total": p.total.load(Ordering::Relaxed),
    })))
}

/// `POST /api/batch`: every row's kit, the review page and `report.json`,
/// as one zip, the files as `postkit batch` writes them into `out/`.
pub async fn make(s: Shared<Arc<State>>, req: Request) -> Result<Response, ApiError> {
    let ticket = s.gate.admit().map_err(|why| super::api::refused(&s, why))?;
    let mut sent = read(&s, req).await?;
    let sheet = sent.sheet(&caps(&s))?;
    let progress = Arc::new(Progress::default());
    let _listed = Listed::new(&s, sent.progress.take(), &progress)?;
    let state = s.0.clone();
    let cancel = Cancel::new();
    let stop = cancel.clone();
    let counted = progress.clone();
    let work = move || -> Result<shared::Zipped, Error> {
        let batch = sheet.batch(&sent, today(), Place::Server);
        let tell = |total: Option<usize>, _: crate::batch::Outcome| match total {
            Some(n) => counted.total.store(n, Ordering::Relaxed),
            None => {
                counted.done.fetch_add(1, Ordering::Relaxed);
            }
        };
        shared::make(&state.engine, offer(&state), &batch, &stop, &tell)
    };
    let (permit, waited) = ticket
        .slot()
        .await
        .map_err(|why| super::api::refused(&s, why))?;
    s.metrics.waited(waited);
    // Dropped (the client went away, or the time ran out): stop making.
    let guard = super::api::CancelOnDrop(cancel);
    let made = super::api::on_pool_as(&s, permit, super::metrics::Kind::Zip, false, work).await?;
    drop(guard);
    let made = made.map_err(|e| ApiError::from_error(&e))?;
    let mut r = super::api::download("application/zip", "postkit-batch.zip", made.zip);
    let h = r.headers_mut();
    h.insert("x-postkit-assets", HeaderValue::from(made.written));
    h.insert("x-postkit-failed", HeaderValue::from(made.failed));
    Ok(r)
}
