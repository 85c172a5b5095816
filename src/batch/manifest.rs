//! The manifest: what a run produced, so that the next run renders only
//! what changed. Each asset's key is its path; its entry holds a hash of
//! every input of the asset and the asset's report.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::inputs::Platform;
use crate::make::MakeOptions;
use crate::output;
use crate::report::{AssetLog, AssetReport};
use crate::template::TemplateSet;

/// What the manifest remembers of an asset.
#[derive(Debug, Deserialize)]
pub struct Remembered {
    /// The hash of the asset's inputs, in hex.
    pub hash: String,
    /// The asset's report, kept as its JSON text until needed.
    pub report: Box<serde_json::value::RawValue>,
}

/// A manifest entry as written.
#[derive(Serialize)]
struct Remember {
    hash: String,
    report: AssetReport,
}

/// The manifest of an unsharded run; shards write `.postkit-manifest-I-of-N.json`.
pub const MANIFEST: &str = ".postkit-manifest.json";

/// The manifest's file name for a run (of shard I of N, or the whole).
pub fn file_name(shard: Option<(usize, usize)>) -> String {
    match shard {
        Some((i, n)) => format!(".postkit-manifest-{i}-of-{n}.json"),
        None => MANIFEST.to_string(),
    }
}

/// Every manifest in `out` (the run's own and any shard's), merged: shard
/// outputs copied together are recognised as one complete run.
pub fn load(out: &Path) -> HashMap<String, Remembered> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(out)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .map(|n| n.to_string_lossy())
                        .is_some_and(|n| n.starts_with(".postkit-manifest") && n.ends_with(".json"))
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut merged = HashMap::new();
    for p in names {
        if let Some(m) = std::fs::read_to_string(&p)
            .ok()
            .and_then(|s| serde_json::from_str::<HashMap<String, Remembered>>(&s).ok())
        {
            merged.extend(m);
        }
    }
    merged
}

/// The hash of every input of one asset: postkit's version, the content,
/// the template's source and alt pattern, the preset, the options.
pub fn asset_hash(
    content_hash: &blake3::Hash,
    set: &TemplateSet,
    platform: &Platform,
    opts: &MakeOptions,
) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(content_hash.as_bytes());
    let v = set.variant_for(platform);
    h.update(set.name.as_bytes());
    h.update(v.source.as_bytes());
    h.update(set.alt.as_deref().unwrap_or("").as_bytes());
    h.update(
        serde_json::to_string(platform)
            .unwrap_or_default()
            .as_bytes(),
    );
    h.update(
        format!(
            "{}{}{:?}{:?}",
            opts.svg, opts.strict, opts.format, opts.png_level
        )
        .as_bytes(),
    );
    h.finalize()
}

/// The report of the asset at `path` if the manifest says its inputs hash
/// to `hash` and every file of it is there at the size written (a file cut
/// short, by a crash say, is written again); else None.
pub fn unchanged(
    manifest: &HashMap<String, Remembered>,
    path: &Path,
    hash: &blake3::Hash,
    svg: bool,
) -> Option<AssetReport> {
    let r = manifest.get(&path.display().to_string())?;
    if r.hash != hash.to_hex().as_str() {
        return None;
    }
    let rep: AssetReport = serde_json::from_str(r.report.get()).ok()?;
    let size = |p: &Path| std::fs::metadata(p).ok().map(|m| m.len());
    let complete = size(path) == Some(rep.bytes)
        && size(&output::sidecar(path, "alt.txt")) == Some(rep.alt.len() as u64)
        && size(&output::sidecar(path, "caption.txt")) == Some(rep.caption.len() as u64)
        && (!svg || path.with_extension("svg").is_file());
    complete.then_some(rep)
}

/// Writes the manifest of a run: one entry per place that has a hash and a
/// report in `log`, in the run's order of assets, streamed.
pub fn write(
    path: &Path,
    hashes: &[Option<[u8; 32]>],
    log: &AssetLog,
) -> Result<(), crate::error::Error> {
    struct Manifest<'a>(&'a [Option<[u8; 32]>], &'a AssetLog);
    impl Serialize for Manifest<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(self.0.iter().enumerate().filter_map(|(place, hash)| {
                let hash = blake3::Hash::from_bytes((*hash)?).to_hex().to_string();
                let report = self.1.get(place).ok().flatten()?;
                // An asset's key is its path, which its report gives.
                Some((report.path.clone(), Remember { hash, report }))
            }))
        }
    }
    output::write_atomic_with(path, |w| {
        serde_json::to_writer_pretty(w, &Manifest(hashes, log)).map_err(std::io::Error::other)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(path: &Path, bytes: u64) -> AssetReport {
        AssetReport {
            org: "Org".into(),
            row: None,
            id: None,
            path: path.display().to_string(),
            template: "story-quote".into(),
            platform: "x-post".into(),
            variant: "landscape".into(),
            width: 16,
            height: 9,
            bytes,
            slots: Vec::new(),
            warnings: Vec::new(),
            diagnostics: Vec::new(),
            alt: "alt".into(),
            caption: "caption".into(),
            clip: None,
        }
    }

    /// A manifest written from a log reads back; an asset counts as
    /// unchanged only with the same hash and every file at its size.
    #[test]
    fn a_written_manifest_reads_back_and_knows_complete_assets() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("org/story-quote-x-post.png");
        std::fs::create_dir_all(png.parent().unwrap()).unwrap();
        std::fs::write(&png, b"12345").unwrap();
        std::fs::write(output::sidecar(&png, "alt.txt"), b"alt").unwrap();
        std::fs::write(output::sidecar(&png, "caption.txt"), b"caption").unwrap();
        let log = AssetLog::new_in(dir.path(), 2);
        log.put(1, &report(&png, 5)).unwrap();
        let hash = blake3::hash(b"inputs");
        let hashes = [
            Some(*blake3::hash(b"other").as_bytes()),
            Some(*hash.as_bytes()),
        ];
        write(&dir.path().join(file_name(None)), &hashes, &log).unwrap();

        let m = load(dir.path());
        // Slot 0 has a hash but no report: no entry.
        assert_eq!(m.len(), 1);
        assert_eq!(unchanged(&m, &png, &hash, false).unwrap().bytes, 5);
        assert!(unchanged(&m, &png, &blake3::hash(b"changed"), false).is_none());
        // The SVG was asked for and is not there.
        assert!(unchanged(&m, &png, &hash, true).is_none());
        // A caption cut short.
        std::fs::write(output::sidecar(&png, "caption.txt"), b"capt").unwrap();
        assert!(unchanged(&m, &png, &hash, false).is_none());
    }

    #[test]
    fn shard_manifests_merge_with_the_main_one() {
        let dir = tempfile::tempdir().unwrap();
        let entry = |p: &str| format!(r#"{{"{p}": {{"hash": "ab", "report": {{"x": 1}}}}}}"#);
        std::fs::write(dir.path().join(file_name(Some((1, 2)))), entry("a.png")).unwrap();
        std::fs::write(dir.path().join(file_name(Some((2, 2)))), entry("b.png")).unwrap();
        std::fs::write(dir.path().join("unrelated.json"), entry("c.png")).unwrap();
        let m = load(dir.path());
        let mut keys: Vec<_> = m.keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["a.png", "b.png"]);
    }
}
