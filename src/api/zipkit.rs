//! The whole kit as one zip: `<org>/<template>-<platform>.png` (or `.mp4`
//! with its `.cover.jpg`) with its `.alt.txt` and `.caption.txt`, and
//! `report.json` (the CLI's schema).
//! The same input gives the same bytes: entries in the kit's order, fixed
//! times and permissions, deterministic compression.

use std::io::Write;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::make::Kit;
use crate::output::{self, Destination};
use crate::report::Report;

/// How entries are written: stored (images, clips: compressed already)
/// and deflated (text), with fixed times and permissions.
fn entry_options() -> (SimpleFileOptions, SimpleFileOptions) {
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    (
        stored,
        stored.compression_method(CompressionMethod::Deflated),
    )
}

/// The zip of `kit`, made for `org`.
pub fn zip(kit: &Kit, org: &str) -> std::io::Result<Vec<u8>> {
    let mut w = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let (stored, deflated) = entry_options();
    let dest = Destination {
        out: std::path::Path::new(""),
        org,
        suffix: None,
    };
    let mut report = Report {
        assets: Vec::new(),
        errors: kit.errors.clone(),
    };
    for made in &kit.assets {
        let path = dest.path(&made.template, &made.platform, made.format);
        let name = path.to_string_lossy().to_string();
        // Images are compressed already.
        w.start_file(name.as_str(), stored)
            .map_err(std::io::Error::other)?;
        w.write_all(&made.bytes)?;
        for (suffix, text) in [("alt.txt", &made.alt), ("caption.txt", &made.caption)] {
            let side = output::sidecar(&path, suffix);
            w.start_file(side.to_string_lossy().as_ref(), deflated)
                .map_err(std::io::Error::other)?;
            w.write_all(text.as_bytes())?;
        }
        if let Some(clip) = &made.clip {
            let cover = output::sidecar(&path, crate::make::COVER);
            w.start_file(cover.to_string_lossy().as_ref(), stored)
                .map_err(std::io::Error::other)?;
            w.write_all(&clip.cover)?;
        }
        report.assets.push(made.report(org, &path));
    }
    w.start_file("report.json", deflated)
        .map_err(std::io::Error::other)?;
    serde_json::to_writer_pretty(&mut w, &report).map_err(std::io::Error::other)?;
    w.write_all(b"\n")?;
    Ok(w.finish().map_err(std::io::Error::other)?.into_inner())
}

/// A zip of `files` (a batch made in memory), by path, in path order, with
/// the same fixed times and permissions: images and clips stored (they
/// are compressed already), text deflated.
pub fn zip_files(
    files: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
) -> std::io::Result<Vec<u8>> {
    let mut w = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let (stored, deflated) = entry_options();
    for (path, bytes) in files {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let how = match ext {
            "txt" | "json" | "html" | "svg" => deflated,
            _ => stored,
        };
        let name: Vec<String> = (path.components())
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect();
        w.start_file(name.join("/"), how)
            .map_err(std::io::Error::other)?;
        w.write_all(bytes)?;
    }
    Ok(w.finish().map_err(std::io::Error::other)?.into_inner())
}
