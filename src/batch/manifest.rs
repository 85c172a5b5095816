//! The manifest: what a run produced, so that the next run renders only
//! what changed. Each asset's key is its path relative to the output
//! folder (`org/story-quote-x-post.png`), so shards written to different
//! folders and copied into one are recognised wherever they land; its
//! entry holds a hash of every input of the asset, the asset's number in
//! the whole run's order and its report (paths in it relative too).
//!
//! A manifest also says which run it records ([`RunInfo`]: the hash of the
//! run's input, the shard, whether the run finished) and the run's
//! failures, so that [`super::merge`] can put the shards back together
//! without rendering. The first format (a map of `--out`-prefixed paths,
//! written before the journal existed) is still read.
//!
//! While a run works, each asset it finishes is appended to a
//! [`Journal`] beside the manifest; a run killed part-way leaves it, and
//! the next run trusts what it lists as it trusts the manifest.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::inputs::Platform;
use crate::make::MakeOptions;
use crate::output;
use crate::report::{AssetLog, AssetReport, ErrorReport};
use crate::template::TemplateSet;

/// The manifest format written now.
pub const FORMAT: u32 = 2;

/// What the manifest remembers of an asset.
#[derive(Debug, Serialize, Deserialize)]
pub struct Remembered {
    /// The hash of the asset's inputs, in hex.
    pub hash: String,
    /// The asset's number in the whole run's order (before sharding);
    /// absent in the first format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<usize>,
    /// The asset's report (paths relative to the output folder), kept as
    /// its JSON text until needed.
    pub report: Box<RawValue>,
}

/// A failure a run recorded: the asset's number in the whole run's order,
/// or none for a row that failed as a whole.
#[derive(Debug, Serialize, Deserialize)]
pub struct RememberedError {
    /// The asset's number, or none for a row.
    pub asset: Option<usize>,
    /// What failed.
    pub error: ErrorReport,
}

/// Which run a manifest records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The hash of everything the run's assets are made from (every
    /// asset's input hash, in order, and the rows that failed), in hex:
    /// shards of one input agree on it.
    pub input: String,
    /// Shard I of N, or none for a whole run.
    pub shard: Option<(usize, usize)>,
    /// Assets in the whole run (all shards), failed ones included.
    pub assets: usize,
    /// False when `--fail-fast` stopped the run before its end.
    pub complete: bool,
}

/// A manifest as read: which run, what it made, what failed.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    /// The format (2).
    #[serde(rename = "postkit_manifest")]
    pub format: u32,
    /// Which run.
    pub run: RunInfo,
    /// Assets by relative path.
    pub assets: HashMap<String, Remembered>,
    /// Failures, in the run's order.
    #[serde(default)]
    pub errors: Vec<RememberedError>,
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

/// The journal's file name for a run (of shard I of N, or the whole).
pub fn journal_name(shard: Option<(usize, usize)>) -> String {
    match shard {
        Some((i, n)) => format!(".postkit-journal-{i}-of-{n}.jsonl"),
        None => ".postkit-journal.jsonl".to_string(),
    }
}

/// The files in `out` whose names start with `prefix` and end with
/// `suffix`, in name order.
fn listed(out: &Path, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(out)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .map(|n| n.to_string_lossy())
                        .is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix))
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The manifests in `out` (the whole run's and every shard's), in name order.
pub fn manifests(out: &Path) -> Vec<PathBuf> {
    listed(out, ".postkit-manifest", ".json")
}

/// The journals in `out`, in name order.
pub fn journals(out: &Path) -> Vec<PathBuf> {
    listed(out, ".postkit-journal", ".jsonl")
}

/// Reads a manifest of the current format; None for one of the first
/// format or one that cannot be read.
pub fn read(path: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str::<Manifest>(&text).ok()
}

/// Every manifest in `out` (the run's own and any shard's), then every
/// journal, merged: shard outputs copied together are recognised as one
/// complete run, and what a killed run finished is not rendered again.
/// Keys are paths relative to `out`.
pub fn load(out: &Path) -> HashMap<String, Remembered> {
    let mut merged = HashMap::new();
    for p in manifests(out) {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        if let Ok(m) = serde_json::from_str::<Manifest>(&text) {
            merged.extend(m.assets);
        } else if let Ok(m) = serde_json::from_str::<HashMap<String, Remembered>>(&text) {
            merged.extend(first_format(m, out));
        }
    }
    for p in journals(out) {
        merged.extend(read_journal(&p));
    }
    merged
}

/// Entries of the first format, keyed by the path as written (`--out`
/// text included), made relative to `out`: those under another folder
/// name cannot be matched and are dropped.
fn first_format(
    m: HashMap<String, Remembered>,
    out: &Path,
) -> impl Iterator<Item = (String, Remembered)> + '_ {
    m.into_iter().filter_map(move |(key, r)| {
        let key = Path::new(&key).strip_prefix(out).ok().map(slashed)?;
        let mut report: AssetReport = serde_json::from_str(r.report.get()).ok()?;
        relative(&mut report, out);
        let report = serde_json::value::to_raw_value(&report).ok()?;
        Some((key, Remembered { report, ..r }))
    })
}

/// A relative path with `/` between its parts, whatever the system.
fn slashed(p: &Path) -> String {
    let parts: Vec<String> = p
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// `path` relative to `out`, as a manifest key; the path itself when it
/// is not under `out`.
pub fn key(path: &Path, out: &Path) -> String {
    path.strip_prefix(out)
        .map(slashed)
        .unwrap_or_else(|_| path.display().to_string())
}

/// Makes a report's paths (the asset's, a clip's cover) relative to `out`.
pub fn relative(report: &mut AssetReport, out: &Path) {
    report.path = key(Path::new(&report.path), out);
    if let Some(clip) = report.clip.as_mut().filter(|c| !c.cover.is_empty()) {
        clip.cover = key(Path::new(&clip.cover), out);
    }
}

/// Puts a report's relative paths under `out` again.
pub fn rooted(report: &mut AssetReport, out: &Path) {
    report.path = out.join(&report.path).display().to_string();
    if let Some(clip) = report.clip.as_mut().filter(|c| !c.cover.is_empty()) {
        clip.cover = out.join(&clip.cover).display().to_string();
    }
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

/// The report of the asset at `path` (under `out`) if the manifest says
/// its inputs hash to `hash` and every file of it is there at the size
/// written (a file cut short, by a crash say, is written again); else None.
pub fn unchanged(
    manifest: &HashMap<String, Remembered>,
    out: &Path,
    path: &Path,
    hash: &blake3::Hash,
    svg: bool,
) -> Option<AssetReport> {
    let r = manifest.get(&key(path, out))?;
    if r.hash != hash.to_hex().as_str() {
        return None;
    }
    let mut rep: AssetReport = serde_json::from_str(r.report.get()).ok()?;
    rooted(&mut rep, out);
    let complete = files_complete(&rep) && (!svg || path.with_extension("svg").is_file());
    complete.then_some(rep)
}

/// True when an asset's image, alt text and caption are where its report
/// says, at the sizes it gives.
pub fn files_complete(report: &AssetReport) -> bool {
    let path = Path::new(&report.path);
    let size = |p: &Path| std::fs::metadata(p).ok().map(|m| m.len());
    size(path) == Some(report.bytes)
        && size(&output::sidecar(path, "alt.txt")) == Some(report.alt.len() as u64)
        && size(&output::sidecar(path, "caption.txt")) == Some(report.caption.len() as u64)
}

/// What [`write`] records of a run's assets: each place's input hash, and
/// the report in `log` (paths as written, under `out`).
pub struct Produced<'a> {
    /// The output folder.
    pub out: &'a Path,
    /// Each place's input hash, where it produced an asset.
    pub hashes: &'a [Option<[u8; 32]>],
    /// Each place's report.
    pub log: &'a AssetLog,
    /// A place's number in the whole run's order.
    pub asset: &'a (dyn Fn(usize) -> usize + Sync),
}

/// Writes the manifest of a run: which run, one entry per place that has
/// a hash and a report (in the run's order of assets, streamed), and the
/// run's failures.
pub fn write(
    path: &Path,
    run: &RunInfo,
    produced: &Produced,
    errors: &[RememberedError],
) -> Result<(), crate::error::Error> {
    struct Entries<'a>(&'a Produced<'a>);
    impl Serialize for Entries<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let p = self.0;
            s.collect_map(p.hashes.iter().enumerate().filter_map(|(place, hash)| {
                let hash = blake3::Hash::from_bytes((*hash)?).to_hex().to_string();
                let mut report = p.log.get(place).ok().flatten()?;
                relative(&mut report, p.out);
                let entry = Remember {
                    hash,
                    asset: (p.asset)(place),
                    report,
                };
                Some((entry.report.path.clone(), entry))
            }))
        }
    }
    #[derive(Serialize)]
    struct File<'a> {
        postkit_manifest: u32,
        run: &'a RunInfo,
        assets: Entries<'a>,
        errors: &'a [RememberedError],
    }
    let file = File {
        postkit_manifest: FORMAT,
        run,
        assets: Entries(produced),
        errors,
    };
    output::write_atomic_with(path, |w| {
        serde_json::to_writer_pretty(w, &file).map_err(std::io::Error::other)
    })
}

/// An entry as written (to the manifest or a journal line).
#[derive(Serialize)]
struct Remember {
    hash: String,
    asset: usize,
    report: AssetReport,
}

/// The entries of a journal, by relative path; a line that cannot be
/// read (the last, cut short by a kill) is skipped.
fn read_journal(path: &Path) -> Vec<(String, Remembered)> {
    let Ok(f) = std::fs::File::open(path) else {
        return Vec::new();
    };
    std::io::BufReader::new(f)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| {
            let l: serde_json::Value = serde_json::from_str(&line).ok()?;
            let path = l.get("path")?.as_str()?.to_string();
            let hash = l.get("hash")?.as_str()?.to_string();
            let asset = l.get("asset").and_then(|a| a.as_u64()).map(|a| a as usize);
            let report = serde_json::value::to_raw_value(l.get("report")?).ok()?;
            Some((
                path,
                Remembered {
                    hash,
                    asset,
                    report,
                },
            ))
        })
        .collect()
}

/// A run's journal: one line per asset as it is finished (its relative
/// path, input hash, number and report), appended with one write each, so
/// a run killed part-way (SIGKILL, a lost pod) leaves a record of every
/// asset it completed. Lines reach the operating system at once (a kill
/// loses nothing); they reach the disk with the files, at the end of the
/// run, where the manifest replaces the journal.
pub struct Journal {
    path: PathBuf,
    file: Mutex<Option<std::fs::File>>,
}

impl Journal {
    /// Opens (appending to what a killed run left) the journal of `shard`
    /// in `out`.
    pub fn open(out: &Path, shard: Option<(usize, usize)>) -> std::io::Result<Journal> {
        let path = out.join(journal_name(shard));
        std::fs::create_dir_all(out)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        Ok(Journal {
            path,
            file: Mutex::new(Some(file)),
        })
    }

    /// Records a finished asset (its files written and renamed into
    /// place), its report's paths under `out`.
    pub fn record(
        &self,
        out: &Path,
        hash: &blake3::Hash,
        asset: usize,
        report: &AssetReport,
    ) -> std::io::Result<()> {
        let mut report = report.clone();
        relative(&mut report, out);
        #[derive(Serialize)]
        struct Line<'a> {
            path: &'a str,
            #[serde(flatten)]
            entry: &'a Remember,
        }
        let entry = Remember {
            hash: hash.to_hex().to_string(),
            asset,
            report,
        };
        let mut line = serde_json::to_vec(&Line {
            path: &entry.report.path,
            entry: &entry,
        })
        .map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        match file.as_mut() {
            Some(f) => f.write_all(&line),
            None => Ok(()),
        }
    }

    /// Removes the journal: the manifest now records its run (or, when the
    /// files could not be flushed, nothing may be trusted).
    pub fn remove(self) -> std::io::Result<()> {
        // The file is closed (dropped with the rest of `self`) before it is
        // removed. (Not `drop(file)`: on wasm32 a File has no Drop, and
        // clippy there calls that a no-op.)
        let path = {
            let this = self;
            let Journal { path, .. } = this;
            path
        };
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
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

    fn run_info() -> RunInfo {
        RunInfo {
            input: "ab".into(),
            shard: None,
            assets: 2,
            complete: true,
        }
    }

    /// An asset's files, complete.
    fn asset_files(out: &Path) -> PathBuf {
        let png = out.join("org/story-quote-x-post.png");
        std::fs::create_dir_all(png.parent().unwrap()).unwrap();
        std::fs::write(&png, b"12345").unwrap();
        std::fs::write(output::sidecar(&png, "alt.txt"), b"alt").unwrap();
        std::fs::write(output::sidecar(&png, "caption.txt"), b"caption").unwrap();
        png
    }

    /// A manifest written from a log reads back; an asset counts as
    /// unchanged only with the same hash and every file at its size.
    #[test]
    fn a_written_manifest_reads_back_and_knows_complete_assets() {
        let dir = tempfile::tempdir().unwrap();
        let png = asset_files(dir.path());
        let log = AssetLog::new_in(dir.path(), 2);
        log.put(1, &report(&png, 5)).unwrap();
        let hash = blake3::hash(b"inputs");
        let hashes = [
            Some(*blake3::hash(b"other").as_bytes()),
            Some(*hash.as_bytes()),
        ];
        let produced = Produced {
            out: dir.path(),
            hashes: &hashes,
            log: &log,
            asset: &|place| place * 3 + 1,
        };
        write(
            &dir.path().join(file_name(None)),
            &run_info(),
            &produced,
            &[],
        )
        .unwrap();

        let m = load(dir.path());
        // Slot 0 has a hash but no report: no entry. The key is relative.
        assert_eq!(m.keys().collect::<Vec<_>>(), ["org/story-quote-x-post.png"]);
        assert_eq!(m["org/story-quote-x-post.png"].asset, Some(4));
        let back = unchanged(&m, dir.path(), &png, &hash, false).unwrap();
        assert_eq!(back.bytes, 5);
        assert_eq!(back.path, png.display().to_string());
        assert!(unchanged(&m, dir.path(), &png, &blake3::hash(b"changed"), false).is_none());
        // The SVG was asked for and is not there.
        assert!(unchanged(&m, dir.path(), &png, &hash, true).is_none());
        // A caption cut short.
        std::fs::write(output::sidecar(&png, "caption.txt"), b"capt").unwrap();
        assert!(unchanged(&m, dir.path(), &png, &hash, false).is_none());
        assert_eq!(read(&dir.path().join(MANIFEST)).unwrap().run, run_info());
    }

    /// A folder moved or copied elsewhere keeps its manifest's meaning:
    /// keys and report paths are relative to the output folder.
    #[test]
    fn a_moved_folder_is_still_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first");
        let png = asset_files(&first);
        let log = AssetLog::new_in(&first, 1);
        log.put(0, &report(&png, 5)).unwrap();
        let hash = blake3::hash(b"inputs");
        let produced = Produced {
            out: &first,
            hashes: &[Some(*hash.as_bytes())],
            log: &log,
            asset: &|p| p,
        };
        write(&first.join(file_name(None)), &run_info(), &produced, &[]).unwrap();
        drop(log);
        let second = dir.path().join("second");
        std::fs::rename(&first, &second).unwrap();
        let m = load(&second);
        let png = second.join("org/story-quote-x-post.png");
        let back = unchanged(&m, &second, &png, &hash, false).unwrap();
        assert_eq!(back.path, png.display().to_string());
    }

    /// The first format (keys and paths with the `--out` text) is still
    /// read for the same folder.
    #[test]
    fn the_first_format_is_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let png = asset_files(&out);
        let hash = blake3::hash(b"inputs");
        let old = serde_json::json!({
            png.display().to_string(): {"hash": hash.to_hex().to_string(), "report": report(&png, 5)}
        });
        std::fs::write(out.join(MANIFEST), old.to_string()).unwrap();
        let m = load(&out);
        let back = unchanged(&m, &out, &png, &hash, false).unwrap();
        assert_eq!(back.path, png.display().to_string());
        assert!(read(&out.join(MANIFEST)).is_none());
    }

    /// A journal's lines are read as entries; one cut short is skipped;
    /// journal entries come after (and so override) the manifests'.
    #[test]
    fn journals_are_read_after_manifests_and_survive_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let png = asset_files(dir.path());
        let old = blake3::hash(b"old");
        let new = blake3::hash(b"new");
        let log = AssetLog::new_in(dir.path(), 1);
        log.put(0, &report(&png, 5)).unwrap();
        let produced = Produced {
            out: dir.path(),
            hashes: &[Some(*old.as_bytes())],
            log: &log,
            asset: &|p| p,
        };
        write(
            &dir.path().join(file_name(Some((1, 2)))),
            &run_info(),
            &produced,
            &[],
        )
        .unwrap();
        let j = Journal::open(dir.path(), Some((1, 2))).unwrap();
        j.record(dir.path(), &new, 0, &report(&png, 5)).unwrap();
        drop(j);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(journal_name(Some((1, 2)))))
            .unwrap();
        f.write_all(br#"{"path": "org/other.png", "hash": "#)
            .unwrap();
        let m = load(dir.path());
        assert_eq!(m.len(), 1);
        assert!(unchanged(&m, dir.path(), &png, &new, false).is_some());
        assert!(unchanged(&m, dir.path(), &png, &old, false).is_none());
        Journal::open(dir.path(), Some((1, 2)))
            .unwrap()
            .remove()
            .unwrap();
        assert!(journals(dir.path()).is_empty());
    }

    #[test]
    fn shard_manifests_merge_with_the_main_one() {
        let dir = tempfile::tempdir().unwrap();
        // First-format keys are under the folder's path.
        let out = dir.path().display().to_string();
        let entry = |p: &str| {
            let report = serde_json::to_string(&report(Path::new(&format!("{out}/{p}")), 1));
            format!(
                r#"{{"{out}/{p}": {{"hash": "ab", "report": {}}}}}"#,
                report.unwrap()
            )
        };
        std::fs::write(dir.path().join(file_name(Some((1, 2)))), entry("a.png")).unwrap();
        std::fs::write(dir.path().join(file_name(Some((2, 2)))), entry("b.png")).unwrap();
        std::fs::write(dir.path().join("unrelated.json"), entry("c.png")).unwrap();
        let m = load(dir.path());
        let mut keys: Vec<_> = m.keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["a.png", "b.png"]);
    }
}
