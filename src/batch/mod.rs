//! Batch production: a spreadsheet of partners and stories (a workbook,
//! CSV or TSV, JSON or TOML) → every asset, in parallel, incrementally, with a report.
//!
//! Stages: [`rows::read_rows`] (real parsers, one [`Row`] per record) →
//! plan (each row through [`crate::plan::plan`], the planner `render` and a
//! server use too; a bad row becomes its own error) → make and write every
//! asset in parallel ([`crate::make`]), skipping those whose inputs have not
//! changed since the last run ([`manifest`]), keeping only this shard's
//! ([`shard`]) → the [`BatchReport`].

mod decode;
mod fonts;
pub mod manifest;
pub mod merge;
pub mod rows;
pub mod shard;
mod sheet;

mod run;

use std::path::PathBuf;

pub use decode::TextForm;
pub use merge::{merge, MergeError, Merged};
pub use rows::{
    parse_table, read_rows, read_table, Row, SheetColumns, Source, Table, MAX_BATCH_BYTES,
};
pub use run::{run_batch, run_batch_in_memory};
pub use shard::{Shard, ShardSpec};

use crate::error::Error;
use crate::make::MakeOptions;
use crate::output::Sink;
use crate::plan::{Defaults, PlanError};
use crate::report::{AssetLog, ErrorReport, HowRead, LoggedReport};

pub use crate::plan::COLUMNS;

/// How a batch runs.
pub struct BatchOptions {
    /// Output folder.
    pub out: PathBuf,
    /// The batch file's folder: relative paths in rows resolve here.
    pub base: PathBuf,
    /// What a row that says nothing else gets: campaign, presets,
    /// templates, platforms, today, direction.
    pub defaults: Defaults,
    /// How each asset is made (format, PNG level, SVG, strictness).
    pub make: MakeOptions,
    /// Re-render even unchanged assets.
    pub force: bool,
    /// Stop at the first failure.
    pub fail_fast: bool,
    /// Render only shard I of N (1-based).
    pub shard: Option<(usize, usize)>,
    /// Worker threads (0: all cores).
    pub jobs: usize,
}

/// How a run ended, for a job runner: did it finish, and is running it
/// again worth it?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Every asset written (or unchanged).
    Complete,
    /// Some rows or assets are bad (a missing or malformed field, an input
    /// too large, text that does not fit): the others were written, and
    /// running again without fixing the sheet fails the same way.
    BadRows,
    /// Something else failed (a file could not be read or written,
    /// postkit itself failed): running again may succeed.
    Failed,
}

/// What happened to one asset, for progress displays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Rendered and written.
    Written,
    /// Inputs unchanged since the last run: left as it was.
    Unchanged,
    /// Failed.
    Failed,
}

/// The batch's result. The assets' reports are spooled to a temporary file
/// (see [`AssetLog`]), so memory stays flat however large the batch.
pub struct BatchReport {
    /// Reports of the assets written or left unchanged, in the run's order.
    pub assets: AssetLog,
    /// Rows and assets that failed, in the run's order.
    pub errors: Vec<ErrorReport>,
    /// Assets written this run.
    pub written: usize,
    /// Assets left as they were.
    pub unchanged: usize,
    /// Assets or rows that failed.
    pub failed: usize,
    /// True when `--fail-fast` stopped the run early.
    pub stopped: bool,
    /// Warnings about the run and the templates it used, once each (fonts
    /// a template sets outside its slots that no font file has; files that
    /// could not be flushed).
    pub warnings: Vec<String>,
    /// How the batch file was read (its encoding and separator, or its
    /// sheet), for the report: set by whoever read it.
    pub read: Option<HowRead>,
}

impl BatchReport {
    /// How the run ended: complete, with bad rows only, or failed.
    pub fn ending(&self) -> Ending {
        use crate::diag::ErrorClass;
        let bad_row = |e: &ErrorReport| {
            matches!(
                e.class,
                Some(ErrorClass::BadInput | ErrorClass::TooLarge | ErrorClass::CannotRender)
            )
        };
        match self.errors.is_empty() {
            true if self.failed == 0 => Ending::Complete,
            false if self.errors.iter().all(bad_row) => Ending::BadRows,
            _ => Ending::Failed,
        }
    }

    /// The report (the `render --json` schema), serialised asset by asset.
    pub fn report(&self) -> LoggedReport<'_> {
        LoggedReport {
            assets: &self.assets,
            errors: &self.errors,
            read: self.read.as_ref(),
        }
    }
}

/// Writes a run's report into `out` as `report_name` (streamed asset by
/// asset: a batch of any size needs the memory of one asset's report) and,
/// given the review page's title (a whole run's; a shard's are drawn by
/// `merge`), the contact sheets and the review page `index.html`, whose
/// path it gives. To the disk, or into memory (a server's batch): the same
/// bytes either way. `label`: the contact sheets' font, when not the
/// embedded one (see [`crate::report::review::write_contact_sheets_to`]).
pub fn write_outputs(
    out: &std::path::Path,
    result: &BatchReport,
    report_name: &str,
    title: Option<&str>,
    sink: Sink,
    label: Option<&[u8]>,
) -> Result<Option<PathBuf>, Error> {
    let report = result.report();
    sink.write_with(&out.join(report_name), |w| {
        serde_json::to_writer_pretty(&mut *w, &report).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })?;
    let Some(title) = title else {
        return Ok(None);
    };
    crate::report::review::write_contact_sheets_to(out, &report, sink, label)?;
    crate::report::review::write_index_to(out, &report, title, sink).map(Some)
}

/// The report's file name: `report.json` for a whole run, a shard's
/// `report-I-of-N.json`.
pub fn report_name(shard: Option<(usize, usize)>) -> String {
    match shard {
        Some((i, n)) => format!("report-{i}-of-{n}.json"),
        None => "report.json".to_string(),
    }
}

/// The review page's title for a batch of `file`.
pub fn review_title(file: &str) -> String {
    format!("postkit review: {file}")
}

/// A row's planning error as the batch reports it: "row 3 (line 5):
/// column story: is empty; …", or in a workbook "row 3 (Partners!C4,
/// column story): is empty; …".
pub fn row_error(row: &Row, e: &PlanError) -> ErrorReport {
    ErrorReport {
        org: row.values.get("org").cloned(),
        row: Some(row.number),
        template: String::new(),
        platform: String::new(),
        message: format!("{}: {}", row.place(&e.field), e.message),
        field: Some(e.field.clone()),
        class: Some(e.class),
    }
}
