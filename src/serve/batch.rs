//! `POST /api/batch/check`: a whole campaign's sheet checked before
//! anything is made. The form has `sheet` (an `.xlsx`, `.xls`, `.ods`,
//! `.csv` or `.tsv`, read as `postkit batch` reads it), optionally
//! `sheet_name`, and the logos and photos the sheet names, as files or
//! inside one `.zip`. The answer names every row's problem by its row, cell
//! and column, with what to do, and carries previews of the first rows'
//! first cards. Nothing is written to disk: the uploads live in memory for
//! the request.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use axum::extract::{FromRequest, Request, State as Shared};
use axum::http::{header, StatusCode};
use axum::Json;
use base64::Engine as _;

use super::error::ApiError;
use super::State;
use crate::batch::{parse_table, row_error, Row};
use crate::diag::ErrorClass;
use crate::error::Error;
use crate::inputs::{Brand, ImageInput};
use crate::make::{make_asset, MakeOptions};
use crate::plan::{Defaults, Resources};
use crate::template::TemplateSet;

/// Rows a sheet sent to the server may have.
pub const MAX_ROWS: usize = 1000;
/// Files (logos, photos; a zip's entries each count) a request may send.
pub const MAX_FILES: usize = 200;
/// How many of the first rows get a preview of their first card.
const PREVIEWS: usize = 3;
/// The previews' longest side, px.
const PREVIEW_PX: u32 = 400;

/// The request's uploads: image files by name, read when a row names one.
struct Uploaded<'a> {
    templates: &'a BTreeMap<String, Arc<TemplateSet>>,
    files: &'a BTreeMap<String, Vec<u8>>,
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
        ImageInput::from_bytes(bytes.clone(), Path::new(name), slot)
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
/// for, and the other files by name.
#[derive(Default)]
struct Sent {
    sheet: Option<(String, Vec<u8>)>,
    sheet_name: Option<String>,
    files: BTreeMap<String, Vec<u8>>,
}

impl Sent {
    fn add_file(&mut self, name: &str, bytes: Vec<u8>) -> Result<(), ApiError> {
        if self.files.len() >= MAX_FILES {
            return Err(ApiError::new(
                ErrorClass::TooLarge,
                None,
                format!("a batch may send at most {MAX_FILES} files (a zip's files each count); send fewer, or run postkit batch on your computer"),
            ));
        }
        self.files.insert(base_name(name).to_string(), bytes);
        Ok(())
    }

    /// A zip's files, each within the image limit and the files' count.
    fn add_zip(&mut self, name: &str, bytes: Vec<u8>, limit: usize) -> Result<(), ApiError> {
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
            self.add_file(&entry_name, data)?;
        }
        Ok(())
    }
}

/// Reads the form within the limits: the body's, and one file's.
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
                if total > limits.body {
                    return Err(ApiError::too_large("the request", limits.body));
                }
                if bytes.len() + chunk.len() > limit {
                    return Err(ApiError::too_large(file.as_deref().unwrap_or(&name), limit));
                }
                bytes.extend_from_slice(&chunk);
            }
            match (name.as_str(), file) {
                ("sheet", Some(f)) => sent.sheet = Some((f, bytes)),
                ("sheet", None) => {
                    return Err(ApiError::bad(Some("sheet"), "send the sheet as a file (its name's ending says its kind: .xlsx, .ods, .csv, …)"))
                }
                ("sheet_name", None) => {
                    let n = String::from_utf8_lossy(&bytes).trim().to_string();
                    sent.sheet_name = Some(n).filter(|n| !n.is_empty());
                }
                (_, Some(f)) if f.to_ascii_lowercase().ends_with(".zip") => {
                    sent.add_zip(&f, bytes, limits.image)?
                }
                (_, Some(f)) if !bytes.is_empty() => sent.add_file(&f, bytes)?,
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
    let sent = read(&s, req).await?;
    let Some((file, bytes)) = sent.sheet else {
        return Err(ApiError::bad(
            Some("sheet"),
            "send the sheet (an .xlsx, .ods, .csv or .tsv) in the field sheet",
        ));
    };
    let table = parse_table(bytes, Path::new(&file), sent.sheet_name.as_deref())
        .map_err(|e| ApiError::bad(Some("sheet"), e.to_string()))?;
    if table.rows.len() > MAX_ROWS {
        return Err(ApiError::new(
            ErrorClass::TooLarge,
            Some("sheet"),
            format!("{file} has {} rows; a batch on this server may have at most {MAX_ROWS}: split it, or run postkit batch on your computer", table.rows.len()),
        ));
    }
    let state = s.0.clone();
    let files = sent.files;
    let work = move || {
        let s = &state;
        let defaults = Defaults {
            campaign: s.opts.campaign.clone(),
            presets: s.opts.presets.clone(),
            templates: vec![s.opts.campaign.template.clone()],
            platforms: s.opts.presets.names_or_defaults(&[], &s.opts.campaign),
            today: time::OffsetDateTime::now_utc().date(),
            direction: crate::text::Direction::Auto,
        };
        let res = Uploaded {
            templates: &s.opts.templates,
            files: &files,
        };
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
