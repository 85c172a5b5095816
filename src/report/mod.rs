//! The report: one JSON document describing every asset written and every
//! failure, the same shape for `render --json` and batch reports.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

pub mod review;

use crate::diag::{Diagnostic, ErrorClass};
use crate::fill::SlotReport;

/// One asset written.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AssetReport {
    /// The organisation, as given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub org: String,
    /// The batch row (1-based record number) the asset was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// The row's `id`, when it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Path as written on disk.
    pub path: String,
    /// Template name.
    pub template: String,
    /// Platform preset name.
    pub platform: String,
    /// The template variant used (`square`, `story`, …).
    #[serde(default)]
    pub variant: String,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// File size in bytes.
    pub bytes: u64,
    /// How each slot came out.
    pub slots: Vec<SlotReport>,
    /// Warnings, as sentences (each is a diagnostic's message and hint).
    pub warnings: Vec<String>,
    /// The same warnings as data: kind, field or slot, message, hint.
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
    /// Alt text (also in `<asset>.alt.txt`).
    pub alt: String,
    /// A ready-to-paste post (also in `<asset>.caption.txt`).
    pub caption: String,
    /// For a clip: its length, frame rate and frames, and where its cover
    /// (the still) was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip: Option<ClipReport>,
}

/// What a clip is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClipReport {
    /// Length, seconds.
    pub duration: f32,
    /// Frames a second.
    pub fps: u32,
    /// Frames in all.
    pub frames: u32,
    /// Whether it carries a (silent) audio track.
    pub audio: bool,
    /// The cover image (the still card), as written.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cover: String,
}

/// One asset (or batch row) that failed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ErrorReport {
    /// The organisation (batch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// The batch row (1-based record number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Template name.
    pub template: String,
    /// Platform preset name.
    pub platform: String,
    /// What went wrong and what to do.
    pub message: String,
    /// The field, column or slot at fault, where one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The class of failure (bad input, too large, cannot render).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<ErrorClass>,
}

impl ErrorReport {
    /// The failure of an asset of `template` on `platform`.
    pub fn new(template: &str, platform: &str, message: String, class: ErrorClass) -> ErrorReport {
        ErrorReport {
            org: None,
            row: None,
            template: template.to_string(),
            platform: platform.to_string(),
            message,
            field: None,
            class: Some(class),
        }
    }

    /// The report of `error` for an asset of `template` on `platform`.
    pub fn of(error: &crate::error::Error, template: &str, platform: &str) -> ErrorReport {
        ErrorReport {
            org: None,
            row: None,
            template: template.to_string(),
            platform: platform.to_string(),
            message: error.to_string(),
            field: error.field().map(str::to_string),
            class: Some(error.class()),
        }
    }
}

/// Everything a run did.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    /// Assets written.
    pub assets: Vec<AssetReport>,
    /// Assets that failed.
    pub errors: Vec<ErrorReport>,
}

/// A large run's asset reports, kept in an unnamed temporary file instead of
/// memory, so a batch of 10,000 assets needs no more memory than one of 100.
/// Each report has a place (its position in the run's stable order); reading
/// goes by place, whatever order the reports arrived in.
pub struct AssetLog {
    inner: Mutex<LogInner>,
}

struct LogInner {
    file: Box<dyn Spool>,
    end: u64,
    /// (offset, length) of each place's JSON, or none.
    index: Vec<Option<(u64, u32)>>,
    /// (offset, length) of each place's extra bytes (a review thumbnail), or none.
    extra: Vec<Option<(u64, u32)>>,
}

/// Where the log's bytes go.
trait Spool: Read + Write + Seek + Send {}
impl<T: Read + Write + Seek + Send> Spool for T {}

impl AssetLog {
    /// A log with `places` places, its file in `dir` (created if need be);
    /// failing that in the system's temporary folder, failing that in
    /// memory.
    pub fn new_in(dir: &Path, places: usize) -> AssetLog {
        let file: Box<dyn Spool> = match std::fs::create_dir_all(dir)
            .and_then(|_| tempfile::tempfile_in(dir))
            .or_else(|_| tempfile::tempfile())
        {
            Ok(f) => Box::new(f),
            Err(_) => Box::new(std::io::Cursor::new(Vec::new())),
        };
        AssetLog::with(file, places)
    }

    /// A log with `places` places, kept in memory (a server's batch
    /// writes nothing to the disk).
    pub fn in_memory(places: usize) -> AssetLog {
        AssetLog::with(Box::new(std::io::Cursor::new(Vec::new())), places)
    }

    fn with(file: Box<dyn Spool>, places: usize) -> AssetLog {
        AssetLog {
            inner: Mutex::new(LogInner {
                file,
                end: 0,
                index: vec![None; places],
                extra: vec![None; places],
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LogInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores the report of place `place`.
    pub fn put(&self, place: usize, report: &AssetReport) -> std::io::Result<()> {
        let json = serde_json::to_vec(report).map_err(std::io::Error::other)?;
        let at = self.append(&json)?;
        if let Some(s) = self.lock().index.get_mut(place) {
            *s = Some(at);
        }
        Ok(())
    }

    /// Stores extra bytes for place `place` (the review's thumbnail of the
    /// asset, so it need not be decoded again from the written file).
    pub fn put_extra(&self, place: usize, bytes: &[u8]) -> std::io::Result<()> {
        let at = self.append(bytes)?;
        if let Some(s) = self.lock().extra.get_mut(place) {
            *s = Some(at);
        }
        Ok(())
    }

    /// Appends `bytes` to the spool: their (offset, length).
    fn append(&self, bytes: &[u8]) -> std::io::Result<(u64, u32)> {
        let len = u32::try_from(bytes.len()).map_err(std::io::Error::other)?;
        let mut inner = self.lock();
        let at = inner.end;
        inner.file.seek(SeekFrom::Start(at))?;
        inner.file.write_all(bytes)?;
        inner.end += bytes.len() as u64;
        Ok((at, len))
    }

    /// Reads back what is stored at `at`.
    fn read_at(inner: &mut LogInner, (at, len): (u64, u32)) -> std::io::Result<Vec<u8>> {
        let mut buf = vec![0; len as usize];
        inner.file.seek(SeekFrom::Start(at))?;
        inner.file.read_exact(&mut buf)?;
        Ok(buf)
    }

    /// The extra bytes of `place`, if any were stored (and can be read).
    pub fn extra(&self, place: usize) -> Option<Vec<u8>> {
        let mut inner = self.lock();
        let at = inner.extra.get(place).copied().flatten()?;
        Self::read_at(&mut inner, at).ok()
    }

    /// The number of reports stored.
    pub fn len(&self) -> usize {
        self.lock().index.iter().flatten().count()
    }

    /// True when no report is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The filled places, in order.
    pub fn places(&self) -> Vec<usize> {
        let inner = self.lock();
        (0..inner.index.len())
            .filter(|i| inner.index[*i].is_some())
            .collect()
    }

    /// The report in `place`, if any.
    pub fn get(&self, place: usize) -> std::io::Result<Option<AssetReport>> {
        let mut inner = self.lock();
        let Some(Some(at)) = inner.index.get(place).copied() else {
            return Ok(None);
        };
        let buf = Self::read_at(&mut inner, at)?;
        serde_json::from_slice(&buf)
            .map(Some)
            .map_err(std::io::Error::other)
    }

    /// Every stored report, in place order (a report that cannot be read
    /// back, which only a failing disk causes, is skipped).
    pub fn iter(&self) -> impl Iterator<Item = AssetReport> + '_ {
        self.places()
            .into_iter()
            .filter_map(|s| self.get(s).ok().flatten())
    }
}

/// A report whose assets are read from an [`AssetLog`]: it serialises with
/// the [`Report`] schema, one asset at a time.
pub struct LoggedReport<'a> {
    /// The assets.
    pub assets: &'a AssetLog,
    /// The failures.
    pub errors: &'a [ErrorReport],
    /// How the batch file was read, when a batch file was.
    pub read: Option<&'a HowRead>,
}

/// How a batch file was read, so that nothing is guessed silently: its
/// encoding and separator (CSV, TSV), or the sheet (a workbook).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HowRead {
    /// The file, as given.
    pub file: String,
    /// `text` (CSV, TSV), `workbook`, `json` or `toml`.
    pub format: String,
    /// Text: `UTF-8`, `UTF-16LE`, `UTF-16BE` or `windows-1252`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Text: whether it began with a byte-order mark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bom: Option<bool>,
    /// Text: `,`, `;` or a tab.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separator: Option<String>,
    /// A workbook: the sheet read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// All of it in words.
    pub summary: String,
}

impl Serialize for LoggedReport<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Assets<'a>(&'a AssetLog);
        impl Serialize for Assets<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter())
            }
        }
        let mut st = s.serialize_struct("Report", 3)?;
        if let Some(read) = self.read {
            st.serialize_field("read", read)?;
        }
        st.serialize_field("assets", &Assets(self.assets))?;
        st.serialize_field("errors", self.errors)?;
        st.end()
    }
}
