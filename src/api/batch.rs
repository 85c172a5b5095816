//! A whole campaign from one sheet, without a transport: what
//! `POST /api/batch/check` and `POST /api/batch` answer, on the server
//! (src/serve/batch.rs reads the form and holds a render slot) and in the
//! browser (the static site's batch engine, `web/`). The form has `sheet`
//! (an `.xlsx`, `.xls`, `.ods`, `.csv` or `.tsv`, read as `postkit batch`
//! reads it), optionally `sheet_name` and `date`, and the logos and photos
//! the sheet names, as files or inside one `.zip` ([`Sent`]). The check
//! names every row's problem by its row, cell and column, with what to do,
//! and carries previews of the first rows' first cards ([`check`]); the
//! batch is one zip holding what `postkit batch` writes for the same sheet
//! and files (`out/`: the kits, the review page, contact sheets and
//! `report.json`, the same bytes; not the manifest, which only spares work
//! on a next run) ([`make`]). Nothing is written to disk: the files live in
//! memory.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine as _;

use super::{FormError, Limits, Offer};
use crate::batch::{
    parse_table, review_title, row_error, run_batch_in_memory, write_outputs, BatchOptions,
    Outcome, Row, Table,
};
use crate::diag::ErrorClass;
use crate::error::Error;
use crate::inputs::{Brand, ImageInput};
use crate::make::{make_asset, Cancel, MakeOptions};
use crate::output::{InMemory, Sink};
use crate::plan::{Defaults, Resources};
use crate::raster::Engine;
use crate::template::TemplateSet;

/// The folder the zip holds, as `postkit batch` names its output folder.
const OUT: &str = "out";
/// How many of the first rows get a preview of their first card.
const PREVIEWS: usize = 3;
/// The previews' longest side, px.
const PREVIEW_PX: u32 = 400;

/// Where a batch is made: it says which limits apply and how messages
/// name them and the files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// `postkit serve`: limits set by its flags, files uploaded.
    Server,
    /// The static site's page: the browser tab's memory is the limit, and
    /// the files are chosen on the partner's device, never uploaded.
    Browser,
}

/// A batch's caps, and where it is made (for the messages that name them).
#[derive(Clone, Debug)]
pub struct Caps {
    /// The limits: `image` (one file), `batch_body` (every file's bytes,
    /// a zip's unpacked), `batch_rows`, `batch_files`.
    pub limits: Limits,
    /// Where the batch is made.
    pub place: Place,
}

/// Why a page's cap is what it is (a tab that runs out of memory is ended
/// by the browser without a word).
const TAB: &str = "more would not fit in one browser tab's memory";

impl Caps {
    /// The caps of the static site's page: what one tab holds safely
    /// (the files are held by the page, by the batch's worker and decoded,
    /// each image's pixels kept while the batch runs, in a WebAssembly
    /// memory of at most 4 GB).
    pub fn browser() -> Caps {
        Caps {
            limits: Limits {
                batch_body: 64 << 20,
                batch_rows: 100,
                batch_files: 100,
                ..Limits::default()
            },
            place: Place::Browser,
        }
    }

    /// The batch's bytes are over the limit.
    pub fn too_many_bytes(&self) -> FormError {
        let mb = crate::error::megabytes(self.limits.batch_body as u64);
        let message = match self.place {
            Place::Server => format!("the batch's files come to more than this server's limit of {mb} (--max-batch-mb, POSTKIT_MAX_BATCH_MB); send smaller photos or fewer rows at a time, or run postkit batch on your computer"),
            Place::Browser => format!("the batch's files come to more than this page's limit of {mb} ({TAB}); choose smaller photos or fewer rows at a time, or run postkit batch on your computer"),
        };
        over(None, message)
    }

    fn too_many_files(&self) -> FormError {
        let n = self.limits.batch_files;
        let message = match self.place {
            Place::Server => format!("a batch may send at most {n} files on this server (--max-batch-files, POSTKIT_MAX_BATCH_FILES; a zip's files each count); send fewer, or run postkit batch on your computer"),
            Place::Browser => format!("a batch may have at most {n} files on this page (a zip's files each count; {TAB}); choose fewer, or run postkit batch on your computer"),
        };
        over(Some("files"), message)
    }

    fn too_many_rows(&self, file: &str, rows: usize) -> FormError {
        let max = self.limits.batch_rows;
        let message = match self.place {
            Place::Server => format!("{file} has {rows} rows; a batch on this server may have at most {max} (--max-batch-rows, POSTKIT_MAX_BATCH_ROWS): split it, or run postkit batch on your computer"),
            Place::Browser => format!("{file} has {rows} rows; a batch on this page may have at most {max} ({TAB}): split it, or run postkit batch on your computer"),
        };
        over(Some("sheet"), message)
    }
}

/// A cap passed: `field` (if one) and what to do.
fn over(field: Option<&str>, message: String) -> FormError {
    FormError {
        class: ErrorClass::TooLarge,
        field: field.map(str::to_string),
        message,
    }
}

/// A file's last part: what a row's `logos/hub.png` is looked up by.
pub fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A progress token: what a page chose to ask `/api/batch/progress/` by.
pub fn valid_token(t: &str) -> bool {
    (8..=64).contains(&t.len())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// What a form sent: the sheet (name, bytes), the sheet's name asked for,
/// the date asked for, a progress token, and the other files by name.
#[derive(Default)]
pub struct Sent {
    /// The sheet: its file name and bytes.
    pub sheet: Option<(String, Vec<u8>)>,
    /// The workbook's sheet asked for (else the first).
    pub sheet_name: Option<String>,
    /// Today, for the countdown, when the form gives it.
    pub date: Option<time::Date>,
    /// The token the page asks the progress by.
    pub progress: Option<String>,
    /// The logos and photos, by their last name part.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Bytes of the files (a zip's unpacked), within the batch's limit.
    unpacked: usize,
}

impl Sent {
    /// Takes one field of the form: `file` is the file name of a file
    /// field (its last part), none for a text. A `.zip` is unpacked.
    pub fn field(
        &mut self,
        name: &str,
        file: Option<String>,
        bytes: Vec<u8>,
        caps: &Caps,
    ) -> Result<(), FormError> {
        let text = || String::from_utf8_lossy(&bytes).trim().to_string();
        match (name, file) {
            ("sheet", Some(f)) => self.sheet = Some((f, bytes)),
            ("sheet", None) => return Err(FormError::bad(
                Some("sheet"),
                "send the sheet as a file (its name's ending says its kind: .xlsx, .ods, .csv, …)",
            )),
            ("sheet_name", None) => {
                self.sheet_name = Some(text()).filter(|n| !n.is_empty());
            }
            ("date", None) => {
                let d = crate::plan::parse::date(&text())
                    .map_err(|m| FormError::bad(Some("date"), m))?;
                self.date = Some(d);
            }
            ("progress", None) => {
                let t = text();
                if !valid_token(&t) {
                    return Err(FormError::bad(
                        Some("progress"),
                        "a progress token is 8 to 64 letters, digits, '-' or '_'",
                    ));
                }
                self.progress = Some(t);
            }
            (_, Some(f)) if f.to_ascii_lowercase().ends_with(".zip") => {
                self.add_zip(&f, bytes, caps)?
            }
            (_, Some(f)) if !bytes.is_empty() => self.add_file(&f, bytes, caps)?,
            _ => {}
        }
        Ok(())
    }

    fn add_file(&mut self, name: &str, bytes: Vec<u8>, caps: &Caps) -> Result<(), FormError> {
        if self.files.len() >= caps.limits.batch_files {
            return Err(caps.too_many_files());
        }
        self.unpacked += bytes.len();
        if self.unpacked > caps.limits.batch_body {
            return Err(caps.too_many_bytes());
        }
        let base = base_name(name).to_string();
        // Rows name files by their last part: two different files of one
        // name would be one guess.
        if self.files.get(&base).is_some_and(|had| *had != bytes) {
            return Err(FormError::bad(
                Some("files"),
                format!("two different files are named '{base}'; rename one (and the sheet's cell that names it) so that each name is one file"),
            ));
        }
        self.files.insert(base, bytes);
        Ok(())
    }

    /// A zip's files, each within the image limit, all within the batch's
    /// bytes and the files' count.
    fn add_zip(&mut self, name: &str, bytes: Vec<u8>, caps: &Caps) -> Result<(), FormError> {
        let limit = caps.limits.image;
        let bad = |m: String| FormError::bad(Some("files"), format!("{name}: {m}"));
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
                return Err(FormError::too_large(
                    &format!("{name}: {entry_name}"),
                    limit,
                ));
            }
            let mut data = Vec::new();
            // Read no more than the limit, whatever the header says.
            (&mut entry)
                .take(limit as u64 + 1)
                .read_to_end(&mut data)
                .map_err(|e| bad(format!("{entry_name}: {e}")))?;
            if data.len() > limit {
                return Err(FormError::too_large(
                    &format!("{name}: {entry_name}"),
                    limit,
                ));
            }
            self.add_file(&entry_name, data, caps)?;
        }
        Ok(())
    }

    /// The sheet read within the rows' cap.
    pub fn sheet(&self, caps: &Caps) -> Result<Sheet, FormError> {
        let Some((file, bytes)) = &self.sheet else {
            return Err(FormError::bad(
                Some("sheet"),
                "send the sheet (an .xlsx, .ods, .csv or .tsv) in the field sheet",
            ));
        };
        let file = file.clone();
        let table = parse_table(bytes.clone(), Path::new(&file), self.sheet_name.as_deref())
            .map_err(|e| FormError::bad(Some("sheet"), e.to_string()))?;
        if table.rows.len() > caps.limits.batch_rows {
            return Err(caps.too_many_rows(&file, table.rows.len()));
        }
        Ok(Sheet { file, table })
    }
}

/// A form's sheet, read.
pub struct Sheet {
    /// Its file name.
    pub file: String,
    /// Its rows, and how it was read.
    pub table: Table,
}

impl Sheet {
    /// The batch of this sheet and the form's files, on the form's date
    /// or else `today`.
    pub fn batch<'a>(&'a self, sent: &'a Sent, today: time::Date, place: Place) -> Batch<'a> {
        Batch {
            file: &self.file,
            table: &self.table,
            files: &sent.files,
            today: sent.date.unwrap_or(today),
            place,
        }
    }
}

/// The files sent: image files by name, read when a row names one (each
/// decoded once however many rows name it alike).
pub struct Uploaded<'a> {
    templates: &'a BTreeMap<String, std::sync::Arc<TemplateSet>>,
    files: &'a BTreeMap<String, Vec<u8>>,
    place: Place,
    decoded: Mutex<BTreeMap<String, Result<ImageInput, Error>>>,
}

impl<'a> Uploaded<'a> {
    /// The resources of a batch: the offered templates and the files sent.
    pub fn new(offer: Offer<'a>, files: &'a BTreeMap<String, Vec<u8>>, place: Place) -> Self {
        Uploaded {
            templates: offer.templates,
            files,
            place,
            decoded: Mutex::new(BTreeMap::new()),
        }
    }
}

impl Resources for Uploaded<'_> {
    fn template(&self, spec: &str) -> Result<std::sync::Arc<TemplateSet>, Error> {
        super::server_template(self.templates, spec)
    }

    fn image(&self, value: &str, slot: &str) -> Result<ImageInput, Error> {
        let name = base_name(value.trim());
        let Some(bytes) = self.files.get(name) else {
            let sent: Vec<&str> = self.files.keys().map(String::as_str).take(10).collect();
            let sent = if sent.is_empty() {
                "none".to_string()
            } else {
                sent.join(", ")
            };
            return Err(Error::MissingField(match self.place {
                Place::Server => format!("the sheet names the {slot} file '{name}', which was not uploaded; add it to the upload (files uploaded: {sent})"),
                Place::Browser => format!("the sheet names the {slot} file '{name}', which was not chosen; add it to the logos and photos (files chosen: {sent})"),
            }));
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
        Err(Error::MissingField(match self.place {
            Place::Server => "the server reads no brand files; leave the brand column empty here (postkit batch on your computer reads them)".into(),
            Place::Browser => "this page reads no brand files; leave the brand column empty here (postkit batch on your computer reads them)".into(),
        }))
    }
}

/// What a row that says nothing else gets from this offer, on `today`.
pub fn defaults(offer: Offer, today: time::Date) -> Defaults {
    Defaults {
        campaign: offer.campaign.clone(),
        presets: offer.presets.clone(),
        templates: vec![offer.campaign.template.clone()],
        platforms: offer.presets.names_or_defaults(&[], offer.campaign),
        today,
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

/// A sheet read, and the files and day it is made with.
pub struct Batch<'a> {
    /// The sheet's file name.
    pub file: &'a str,
    /// Its rows, and how it was read.
    pub table: &'a Table,
    /// The logos and photos, by name.
    pub files: &'a BTreeMap<String, Vec<u8>>,
    /// Today, for the countdown.
    pub today: time::Date,
    /// Where the batch is made.
    pub place: Place,
}

/// The check's answer (`POST /api/batch/check`): every row planned, each
/// problem by its row, cell and column; the first rows' first cards
/// previewed; the assets counted.
pub fn check(engine: &Engine, offer: Offer, batch: &Batch) -> serde_json::Value {
    let defaults = defaults(offer, batch.today);
    let res = Uploaded::new(offer, batch.files, batch.place);
    let (mut problems, mut previews, mut assets) = (Vec::new(), Vec::new(), 0);
    for row in &batch.table.rows {
        let req = match row.plan(&defaults, &res) {
            Ok(r) => r,
            Err(e) => {
                problems.push(problem(row, &row_error(row, &e)));
                continue;
            }
        };
        let pairs = req.pairs();
        assets += pairs.len();
        if let Some(e) = clips_here(row, &req, batch.place) {
            problems.push(problem(row, &e));
        }
        let Some(&(ti, pi)) = pairs.first().filter(|_| previews.len() < PREVIEWS) else {
            continue;
        };
        let (set, platform) = (&req.templates[ti], &req.platforms[pi]);
        let opts = MakeOptions {
            preview: Some(PREVIEW_PX),
            stills_only: true,
            ..MakeOptions::default()
        };
        match make_asset(engine, set, platform, &req.content, &opts) {
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
        "file": batch.file,
        "read": batch.table.source.to_string(),
        "rows": batch.table.rows.len(),
        "assets": assets,
        "problems": problems,
        "previews": previews,
    })
}

/// A row's clips, on the static site's page: made by the server and the
/// CLI only (the browser's engine is built without the encoder), so the
/// check says so before the batch fails them.
fn clips_here(
    row: &Row,
    req: &crate::plan::Request,
    place: Place,
) -> Option<crate::report::ErrorReport> {
    let clips: Vec<&str> = (req.platforms.iter())
        .filter(|p| place == Place::Browser && p.is_video())
        .map(|p| p.name.as_str())
        .collect();
    if clips.is_empty() {
        return None;
    }
    let message = format!(
        "{}: {} {} clips, which this page does not make (postkit serve and postkit batch on a computer do); choose image sizes here",
        row.place("platform"),
        clips.join(", "),
        if clips.len() == 1 { "makes" } else { "make" }
    );
    Some(crate::report::ErrorReport {
        org: Some(req.org.clone()),
        row: Some(row.number),
        field: Some("platform".into()),
        ..crate::report::ErrorReport::new("", "", message, ErrorClass::BadInput)
    })
}

/// A batch made: the zip, and how many assets were written and failed.
pub struct Zipped {
    /// The zip (`out/…`, as `postkit batch` writes the folder).
    pub zip: Vec<u8>,
    /// Assets written.
    pub written: usize,
    /// Assets and rows that failed.
    pub failed: usize,
}

/// The batch (`POST /api/batch`): every row's kit, the review page,
/// contact sheets and `report.json`, as one zip of the files `postkit
/// batch` writes into `out/`. One asset at a time (`jobs` 1: a server's
/// other renders go on; a browser has one thread); `progress` hears of
/// each asset as it finishes, and first of the total. Assets not begun
/// once `cancel` is given are not made.
pub fn make(
    engine: &Engine,
    offer: Offer,
    batch: &Batch,
    cancel: &Cancel,
    progress: &(dyn Fn(Option<usize>, Outcome) + Sync),
) -> Result<Zipped, Error> {
    let res = Uploaded::new(offer, batch.files, batch.place);
    let opts = BatchOptions {
        out: PathBuf::from(OUT),
        base: PathBuf::new(),
        defaults: defaults(offer, batch.today),
        make: MakeOptions::default(),
        force: true,
        fail_fast: false,
        shard: None,
        jobs: 1,
    };
    let memory = InMemory::default();
    let mut result = run_batch_in_memory(
        engine,
        &batch.table.rows,
        &opts,
        &res,
        &memory,
        cancel,
        progress,
    );
    result.read = Some(batch.table.source.how(batch.file));
    let title = review_title(batch.file);
    let report = crate::batch::report_name(None);
    let (sink, label) = (Sink::Memory(&memory), engine.fonts().label_font());
    write_outputs(&opts.out, &result, &report, Some(&title), sink, label)?;
    let zip = super::zipkit::zip_files(&memory.into_files()).map_err(|e| Error::Io {
        path: PathBuf::from("postkit-batch.zip"),
        what: "output",
        source: e,
    })?;
    Ok(Zipped {
        zip,
        written: result.written,
        failed: result.failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sheet of `n` rows, sent as a CSV file.
    fn sheet_of(n: usize, caps: &Caps) -> Sent {
        let mut csv = String::from("org,story\n");
        for i in 0..n {
            csv.push_str(&format!("Hub {i},We cook.\n"));
        }
        let mut sent = Sent::default();
        sent.field("sheet", Some("big.csv".into()), csv.into_bytes(), caps)
            .unwrap();
        sent
    }

    #[test]
    fn a_pages_caps_are_said_with_why_and_what_to_do() {
        let caps = Caps::browser();
        let rows = caps.limits.batch_rows;
        assert_eq!(
            sheet_of(rows, &caps).sheet(&caps).unwrap().table.rows.len(),
            rows
        );
        let e = sheet_of(rows + 1, &caps).sheet(&caps).err().unwrap();
        assert_eq!(
            (e.class, e.field.as_deref()),
            (ErrorClass::TooLarge, Some("sheet"))
        );
        assert!(
            e.message.starts_with("big.csv has 101 rows; a batch on this page may have at most 100 (more would not fit in one browser tab's memory): split it"),
            "{}",
            e.message
        );
        let mut sent = Sent::default();
        for i in 0..caps.limits.batch_files {
            let name = format!("{i}.png");
            sent.field("files", Some(name), i.to_le_bytes().to_vec(), &caps)
                .unwrap();
        }
        let e = (sent.field("files", Some("one-more.png".into()), vec![1], &caps)).unwrap_err();
        assert!(
            e.message
                .starts_with("a batch may have at most 100 files on this page"),
            "{}",
            e.message
        );
        let big = vec![0; caps.limits.batch_body + 1];
        let e = (Sent::default().field("files", Some("big.png".into()), big, &caps)).unwrap_err();
        assert!(
            e.message
                .contains("more than this page's limit of 64 MB (more would not fit"),
            "{}",
            e.message
        );
        // The server's words name its flags, as they did.
        let server = Caps {
            place: Place::Server,
            ..caps
        };
        let e = sheet_of(rows + 1, &server).sheet(&server).err().unwrap();
        assert!(
            e.message
                .contains("(--max-batch-rows, POSTKIT_MAX_BATCH_ROWS)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_clip_is_a_problem_at_the_check_on_the_page_only() {
        use crate::inputs::{Campaign, Platforms};
        let engine = Engine::new(&[] as &[&str]).unwrap();
        let (campaign, presets) = (Campaign::embedded(), Platforms::embedded());
        let set = TemplateSet::load("story-quote").unwrap();
        let templates = BTreeMap::from([("story-quote".to_string(), std::sync::Arc::new(set))]);
        let offer = Offer {
            campaign: &campaign,
            presets: &presets,
            templates: &templates,
        };
        let csv =
            "org,story,template,platform\nHub,We cook.,story-quote,\"x-post, instagram-reel\"\n";
        let mut sent = Sent::default();
        let caps = Caps::browser();
        (sent.field("sheet", Some("s.csv".into()), csv.into(), &caps)).unwrap();
        let sheet = sent.sheet(&caps).unwrap();
        let today = time::macros::date!(2026 - 12 - 01);
        let page = check(&engine, offer, &sheet.batch(&sent, today, Place::Browser));
        let problems = page["problems"].as_array().unwrap();
        assert_eq!(problems.len(), 1, "{page}");
        assert_eq!(problems[0]["column"], "platform", "{page}");
        let message = problems[0]["message"].as_str().unwrap();
        assert!(
            message.starts_with("row 1 (line 2): column platform: instagram-reel makes clips, which this page does not make"),
            "{message}"
        );
        let server = check(&engine, offer, &sheet.batch(&sent, today, Place::Server));
        assert_eq!(
            server["problems"].as_array().map(Vec::len),
            Some(0),
            "{server}"
        );
        assert_eq!(server["assets"], 2, "{server}");
    }

    #[test]
    fn a_file_the_sheet_names_is_found_by_its_last_name_part() {
        let templates = BTreeMap::new();
        let files = BTreeMap::from([("cafe.png".to_string(), vec![1, 2, 3])]);
        let res = Uploaded {
            templates: &templates,
            files: &files,
            place: Place::Browser,
            decoded: Mutex::new(BTreeMap::new()),
        };
        let e = res.image("logos/library.jpg", "logo").err().unwrap();
        assert!(
            e.to_string().contains("'library.jpg', which was not chosen; add it to the logos and photos (files chosen: cafe.png)"),
            "{e}"
        );
    }
}
