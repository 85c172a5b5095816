//! The report: one JSON document describing every asset written and every
//! failure, the same shape for `render --json` and batch reports.

use serde::{Deserialize, Serialize};

use crate::fill::SlotReport;

/// One asset written.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AssetReport {
    /// The organisation, as given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub org: String,
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
    /// Warnings.
    pub warnings: Vec<String>,
    /// Alt text (also in `<asset>.alt.txt`).
    pub alt: String,
    /// A ready-to-paste post (also in `<asset>.caption.txt`).
    pub caption: String,
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
}

/// Everything a run did.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    /// Assets written.
    pub assets: Vec<AssetReport>,
    /// Assets that failed.
    pub errors: Vec<ErrorReport>,
}
