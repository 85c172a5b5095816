//! A whole campaign from one sheet. `POST /api/batch/check`: the sheet
//! checked before anything is made. `POST /api/batch`: every row's kit
//! made, answered as one zip holding what `postkit batch` writes for the
//! same sheet and files (`out/`: the kits, the review page, contact
//! sheets and `report.json`, the same bytes; not the manifest, which only
//! spares work on a next run). A batch holds one render slot while it runs
//! and makes its assets one at a time, so other people's renders go on. The form has `sheet` (an `.xlsx`, `.xls`, `.ods`,
//! `.csv` or `.tsv`, read as `postkit batch` reads it), optionally
//! `sheet_name`, and the logos and photos the sheet names, as files or
//! inside one `.zip`. The answer names every row's problem by its row, cell
//! and column, with what to do, and carries previews of the first rows'
//! first cards. Nothing is written to disk: the uploads live in memory for
//! the request.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequest, Request, State as Shared};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Json;
use base64::Engine as _;

use super::error::ApiError;
use super::form::Limits;
use super::State;
use crate::batch::{
    parse_table, review_title, row_error, run_batch_in_memory, write_outputs, BatchOptions, Row,
    Table,
};
use crate::diag::ErrorClass;
use crate::error::Error;
use crate::inputs::{Brand, ImageInput};
use crate::make::{make_asset, Cancel, MakeOptions};
use crate::output::{InMemory, Sink};
use crate::plan::{Defaults, Resources};
use crate::template::TemplateSet;

/// The batch's route (it has its own time limit).
pub const ROUTE: &str = "/api/batch";
/// The folder the zip holds, as `postkit batch` names its output folder.
const OUT: &str = "out";
/// How many of the first rows get a preview of their first card.
const PREVIEWS: usize = 3;
/// The previews' longest side, px.
const PREVIEW_PX: u32 = 400;

/// The request's uploads: image files by name, read when a row names one
/// (each decoded once however many rows name it alike).
struct Uploaded<'a> {
    templates: &'a BTreeMap<String, Arc<TemplateSet>>,
    files: &'a BTreeMap<String, Vec<u8>>,
    decoded: Mutex<BTreeMap<String, Result<ImageInput, Error>>>,
}

impl<'a> Uploaded<'a> {
    fn new(s: &'a State, files: &'a BTreeMap<String, Vec<u8>>) -> Uploaded<'a> {
        Uploaded {
            templates: &s.opts.templates,
            files,
            decoded: Mutex::new(BTreeMap::new()),
        }
    }
}

/// A file's last part: what a row's `logos/hub.png` is looked up by.
fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

impl Resources for Uploaded<'_> {
    fn template(&self, spec: &str) -> Result<Arc<TemplateSet>, Error> {
        super::api::server_template(self.templates, spec)
    }

    fn image(&self, value: &str, slot: &str) -> Result<ImageInput, Error> {
        let name = base_name(value.trim());
        let Some(bytes) = self.files.get(name) else {
            let sent: Vec<&str> = self.files.keys().map(String::as_str).take(10).collect();
            return Err(Error::MissingField(format!(
                "the sheet names the {slot} file '{name}', which was not uploaded; add it to the upload (files uploaded: {})",
                if sent.is_empty() { "none".to_string() } else { sent.join(", ") }
            )));
        };
        let mut decoded = self.decoded.lock().unwrap_or_else(|e| e.into_inner());
        // Named in messages as the sheet names it, as `postkit batch` run
        // beside the sheet names it.
        let written = value.trim();
        let key = format!("{slot}\0{written}");
        let got = decoded
            .entry(key)
            .or_insert_with(|| ImageInput::from_bytes(bytes.clone(), Path::new(written), slot));
        match got {
            Ok(img) => Ok(img.clone()),
            Err(e) => Err(e.clone_lossy()),
        }
    }

    fn image_file(&self, path: &Path, slot: &str) -> Result<ImageInput, Error> {
        self.image(&path.to_string_lossy(), slot)
    }

    fn brand(&self, _value: &str) -> Result<Brand, Error> {
        Err(Error::MissingField(
            "the server reads no brand files; leave the brand column empty here (postkit batch on your computer reads them)".into(),
        ))
    }
}

/// What a request sent: the sheet (name, bytes), the sheet's name asked
/// for, the date asked for, a progress token, and the other files by name.
#[derive(Default)]
struct Sent {
    sheet: Option<(String, Vec<u8>)>,
    sheet_name: Option<String>,
    date: Option<time::Date>,
    progress: Option<String>,
    files: BTreeMap<String, Vec<u8>>,
    /// Bytes of the files (a zip's unpacked), within the batch's limit.
    unpacked: usize,
}

/// The batch's bytes are over the limit: which, and the setting.
fn too_many_bytes(limit: usize) -> ApiError {
    ApiError::new(
        ErrorClass::TooLarge,
        None,
        format!(
            "the batch's files come to more than this server's limit of {} (--max-batch-mb, POSTKIT_MAX_BATCH_MB); send smaller photos or fewer rows at a time, or run postkit batch on your computer",
            crate::error::megabytes(limit as u64)
        ),
    )
}

impl Sent {
    fn add_file(&mut self, name: &str, bytes: Vec<u8>, limits: &Limits) -> Result<(), ApiError> {
        if self.files.len() >= limits.batch_files {
            return Err(ApiError::new(
                ErrorClass::TooLarge,
                Some("files"),
                format!("a batch may send at most {} files on this server (--max-batch-files, POSTKIT_MAX_BATCH_FILES; a zip's files each count); send fewer, or run postkit batch on your computer", limits.batch_files),
            ));
        }
        self.unpacked += bytes.len();
        if self.unpacked > limits.batch_body {
            return Err(too_many_bytes(limits.batch_body));
        }
        let base = base_name(name).to_string();
        // Rows name files by their last part: two different files of one
        // name would be one guess.
        if self.files.get(&base).is_some_and(|had| *had != bytes) {
            return Err(ApiError::bad(
                Some("files"),
                format!("two different files are named '{base}'; rename one (and the sheet's cell that names it) so that each name is one file"),
            ));
        }
        self.files.insert(base, bytes);
        Ok(())
    }

    /// A zip's files, each within the image limit, all within the batch's
    /// bytes and the files' count.
    fn add_zip(&mut self, name: &str, bytes: Vec<u8>, limits: &Limits) -> Result<(), ApiError> {
        let limit = limits.image;
        let bad = |m: String| ApiError::bad(Some("files"), format!("{name}: {m}"));
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
            bad(format!(
                "is not a zip that can be read ({e}); make it again"
            ))
        })?;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
            if entry.is_dir() {
                continue;
            }
            let entry_name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            if base_name(&entry_name).starts_with('.') || entry_name.starts_with("__MACOSX") {
                continue;
            }
            if entry.size() > limit as u64 {
                return Err(ApiError::too_large(&format!("{name}: {entry_name}"), limit));
            }
            let mut data = Vec::new();
            // Read no more than the limit, whatever the header says.
            (&mut entry)
                .take(limit as u64 + 1)
                .read_to_end(&mut data)
                .map_err(|e| bad(format!("{entry_name}: {e}")))?;
            if data.len() > limit {
                return Err(ApiError::too_large(&format!("{name}: {entry_name}"), limit));
            }
            self.add_file(&entry_name, data, limits)?;
        }
        Ok(())
    }
}

/// A progress token: what a page chose to ask `/api/batch/progress/` by.
fn valid_token(t: &str) -> bool {
    (8..=64).contains(&t.len())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Reads the form within the limits: the batch's bytes, and one file's.
async fn read(s: &State, req: Request) -> Result<Sent, ApiError> {
    let limits = s.opts.limits.clone();
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
                    return Err(too_many_bytes(limits.batch_body));
                }
                if bytes.len() + chunk.len() > limit {
                    return Err(ApiError::too_large(file.as_deref().unwrap_or(&name), limit));
                }
                bytes.extend_from_slice(&chunk);
            }
            let text = || String::from_utf8_lossy(&bytes).trim().to_string();
            match (name.as_str(), file) {
                ("sheet", Some(f)) => sent.sheet = Some((f, bytes)),
                ("sheet", None) => {
                    return Err(ApiError::bad(Some("sheet"), "send the sheet as a file (its name's ending says its kind: .xlsx, .ods, .csv, …)"))
                }
                ("sheet_name", None) => {
                    sent.sheet_name = Some(text()).filter(|n| !n.is_empty());
                }
                ("date", None) => {
                    let d = crate::plan::parse::date(&text())
                        .map_err(|m| ApiError::bad(Some("date"), m))?;
                    sent.date = Some(d);
                }
                ("progress", None) => {
                    let t = text();
                    if !valid_token(&t) {
                        return Err(ApiError::bad(Some("progress"), "a progress token is 8 to 64 letters, digits, '-' or '_'"));
                    }
                    sent.progress = Some(t);
                }
                (_, Some(f)) if f.to_ascii_lowercase().ends_with(".zip") => {
                    sent.add_zip(&f, bytes, &limits)?
                }
                (_, Some(f)) if !bytes.is_empty() => sent.add_file(&f, bytes, &limits)?,
                _ => {}
            }
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

/// The sheet read within the rows' limit: its file name and table.
fn sheet_of(s: &State, sent: &mut Sent) -> Result<(String, Table), ApiError> {
    let Some((file, bytes)) = sent.sheet.take() else {
        return Err(ApiError::bad(
            Some("sheet"),
            "send the sheet (an .xlsx, .ods, .csv or .tsv) in the field sheet",
        ));
    };
    let table = parse_table(bytes, Path::new(&file), sent.sheet_name.as_deref())
        .map_err(|e| ApiError::bad(Some("sheet"), e.to_string()))?;
    let max = s.opts.limits.batch_rows;
    if table.rows.len() > max {
        return Err(ApiError::new(
            ErrorClass::TooLarge,
            Some("sheet"),
            format!("{file} has {} rows; a batch on this server may have at most {max} (--max-batch-rows, POSTKIT_MAX_BATCH_ROWS): split it, or run postkit batch on your computer", table.rows.len()),
        ));
    }
    Ok((file, table))
}

/// What a row that says nothing else gets on this server.
fn defaults(s: &State, date: Option<time::Date>) -> Defaults {
    Defaults {
        campaign: s.opts.campaign.clone(),
        presets: s.opts.presets.clone(),
        templates: vec![s.opts.campaign.template.clone()],
        platforms: s.opts.presets.names_or_defaults(&[], &s.opts.campaign),
        today: date.unwrap_or_else(|| time::OffsetDateTime::now_utc().date()),
        direction: crate::text::Direction::Auto,
    }
}

/// One row's problem, as the answer lists it.
fn problem(row: &Row, e: &crate::report::ErrorReport) -> serde_json::Value {
    serde_json::json!({
        "row": row.number,
        "cell": e.field.as_deref().and_then(|f| row.cell(f)),
        "column": e.field,
        "message": e.message,
    })
}

/// `POST /api/batch/check`.
pub async fn check(
    s: Shared<Arc<State>>,
    req: Request,
) -> Result<Json<serde_json::Value>, ApiError> {
    // A place in the render queue before reading the upload, as renders
    // take one; the slot itself after the sheet is read.
    let ticket = s.gate.admit().map_err(|why| super::api::refused(&s, why))?;
    let mut sent = read(&s, req).await?;
    let (file, table) = sheet_of(&s, &mut sent)?;
    let state = s.0.clone();
    let files = sent.files;
    let date = sent.date;
    let work = move || {
        let s = &state;
        let defaults = defaults(s, date);
        let res = Uploaded::new(s, &files);
        let (mut problems, mut previews, mut assets) = (Vec::new(), Vec::new(), 0);
        for row in &table.rows {
            let req = match row.plan(&defaults, &res) {
                Ok(r) => r,
                Err(e) => {
                    problems.push(problem(row, &row_error(row, &e)));
                    continue;
                }
            };
            let pairs = req.pairs();
            assets += pairs.len();
            let Some(&(ti, pi)) = pairs.first().filter(|_| previews.len() < PREVIEWS) else {
                continue;
            };
            let (set, platform) = (&req.templates[ti], &req.platforms[pi]);
            let opts = MakeOptions {
                preview: Some(PREVIEW_PX),
                stills_only: true,
                ..MakeOptions::default()
            };
            match make_asset(&s.engine, set, platform, &req.content, &opts) {
                Ok(made) => previews.push(serde_json::json!({
                    "row": row.number,
                    "org": req.org,
                    "template": set.name,
                    "platform": platform.name,
                    "alt": made.alt,
                    "preview": made.preview.map(|p| format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(p))),
                })),
                Err(e) => {
                    let place = match &e.field {
                        Some(f) => row.place(f),
                        None => row.label(),
                    };
                    let e = crate::report::ErrorReport {
                        message: format!("{place}: {} {}: {}", set.name, platform.name, e.message),
                        ..e
                    };
                    problems.push(problem(row, &e));
                }
            }
        }
        serde_json::json!({
            "file": file,
            "read": table.source.to_string(),
            "rows": table.rows.len(),
            "assets": assets,
            "problems": problems,
            "previews": previews,
        })
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
    let (file, table) = sheet_of(&s, &mut sent)?;
    let progress = Arc::new(Progress::default());
    let _listed = Listed::new(&s, sent.progress.take(), &progress)?;
    let state = s.0.clone();
    let files = sent.files;
    let date = sent.date;
    let cancel = Cancel::new();
    let stop = cancel.clone();
    let counted = progress.clone();
    let work = move || -> Result<(Vec<u8>, usize, usize), Error> {
        let s = &state;
        let res = Uploaded::new(s, &files);
        let opts = BatchOptions {
            out: PathBuf::from(OUT),
            base: PathBuf::new(),
            defaults: defaults(s, date),
            make: MakeOptions::default(),
            force: true,
            fail_fast: false,
            shard: None,
            // One slot, one thread: other people's renders go on.
            jobs: 1,
        };
        let memory = InMemory::default();
        let tell = |total: Option<usize>, _: crate::batch::Outcome| match total {
            Some(n) => counted.total.store(n, Ordering::Relaxed),
            None => {
                counted.done.fetch_add(1, Ordering::Relaxed);
            }
        };
        let mut result =
            run_batch_in_memory(&s.engine, &table.rows, &opts, &res, &memory, &stop, &tell);
        result.read = Some(table.source.how(&file));
        let title = review_title(&file);
        let sink = Sink::Memory(&memory);
        let report = crate::batch::report_name(None);
        write_outputs(&opts.out, &result, &report, Some(&title), sink)?;
        let zipped =
            crate::api::zipkit::zip_files(&memory.into_files()).map_err(|e| Error::Io {
                path: PathBuf::from("postkit-batch.zip"),
                what: "output",
                source: e,
            })?;
        Ok((zipped, result.written, result.failed))
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
    let (zipped, written, failed) = made.map_err(|e| ApiError::from_error(&e))?;
    let mut r = super::api::download("application/zip", "postkit-batch.zip", zipped);
    let h = r.headers_mut();
    h.insert("x-postkit-assets", HeaderValue::from(written));
    h.insert("x-postkit-failed", HeaderValue::from(failed));
    Ok(r)
}
