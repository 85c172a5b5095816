//! Merging shards: the folders of a batch's N shards, copied into one,
//! become one run's report, review page and contact sheets, with nothing
//! rendered again. Each shard's manifest says which run it belongs to (the
//! hash of the run's input and N), which assets it made (with their
//! numbers in the whole run's order) and what failed; the merge checks
//! that all N shards of one input are there, complete, with their files,
//! and puts their reports back in the whole run's order.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use super::manifest::{self, Manifest, RememberedError};
use super::BatchReport;
use crate::report::{AssetLog, AssetReport};

/// Why shards could not be merged. Each says what to do.
#[derive(Debug)]
pub enum MergeError {
    /// No shard's manifest in the folder.
    NoShards(PathBuf),
    /// A shard's manifest cannot be read.
    Unreadable(PathBuf, String),
    /// Shards of more than one run (another input, or another N).
    Mixed(Vec<String>),
    /// Shards missing: which (1-based), of how many, and which of them left
    /// a journal (they started and did not finish).
    Missing {
        /// Shards expected.
        count: usize,
        /// Shards not there.
        missing: Vec<usize>,
        /// Of those, the ones with a journal.
        unfinished: Vec<usize>,
    },
    /// Shards stopped at their first failure (`--fail-fast`).
    Stopped(Vec<usize>),
    /// Files a shard's manifest lists are not in the folder (or not at
    /// their size).
    FilesMissing {
        /// The shard, 1-based.
        shard: usize,
        /// How many assets lack files.
        count: usize,
        /// The first few, relative to the folder.
        first: Vec<String>,
    },
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MergeError::NoShards(dir) => write!(
                f,
                "{}: no shard's manifest (.postkit-manifest-I-of-N.json) here; copy the output folders of every `postkit batch --shard I/N` into this folder first",
                dir.display()
            ),
            MergeError::Unreadable(p, e) => write!(
                f,
                "{}: cannot read this shard's manifest ({e}); run that shard again",
                p.display()
            ),
            MergeError::Mixed(runs) => write!(
                f,
                "the folder holds shards of more than one run: {}; remove the manifests of the run you do not want (or use a fresh folder)",
                runs.join("; ")
            ),
            MergeError::Missing {
                count,
                missing,
                unfinished,
            } => {
                let list = |v: &[usize]| {
                    v.iter()
                        .map(|i| format!("{i}/{count}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                write!(
                    f,
                    "shard{} {} of {count} {} missing: copy {} output folder into this one",
                    if missing.len() == 1 { "" } else { "s" },
                    list(missing),
                    if missing.len() == 1 { "is" } else { "are" },
                    if missing.len() == 1 { "its" } else { "their" },
                )?;
                if !unfinished.is_empty() {
                    write!(
                        f,
                        " (shard {} started and did not finish: run it again with the same --out, and it renders only what is missing)",
                        list(unfinished)
                    )?;
                }
                Ok(())
            }
            MergeError::Stopped(shards) => write!(
                f,
                "shard {} stopped at its first failure (--fail-fast); run it again without --fail-fast",
                shards
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            MergeError::FilesMissing {
                shard,
                count,
                first,
            } => write!(
                f,
                "shard {shard}: {count} of its assets are not in this folder, or not complete ({}{}); copy that shard's whole output folder",
                first.join(", "),
                if *count > first.len() { ", …" } else { "" }
            ),
        }
    }
}

impl std::error::Error for MergeError {}

/// What a merge found.
pub struct Merged {
    /// The whole run's report: every shard's assets and failures in the
    /// whole run's order (its counts: 0 written, every asset unchanged).
    pub report: BatchReport,
    /// The number of shards merged.
    pub shards: usize,
}

/// Merges the shards whose output is in `out`. Nothing is rendered or
/// written: the caller writes the report, review page and contact sheets
/// from [`Merged::report`].
pub fn merge(out: &Path) -> Result<Merged, MergeError> {
    let mut shards: Vec<Manifest> = Vec::new();
    for path in manifest::manifests(out) {
        if path.file_name() == Some(manifest::MANIFEST.as_ref()) {
            continue; // a whole run's, not a shard's
        }
        let m = manifest::read(&path).ok_or_else(|| {
            MergeError::Unreadable(
                path.clone(),
                "written by an older postkit, or damaged".into(),
            )
        })?;
        if m.run.shard.is_some() {
            shards.push(m);
        }
    }
    // The runs present: (input, N) → the shards of each.
    let mut runs: BTreeMap<(String, usize), BTreeSet<usize>> = BTreeMap::new();
    for m in &shards {
        if let Some((i, n)) = m.run.shard {
            runs.entry((m.run.input.clone(), n)).or_default().insert(i);
        }
    }
    let ((_, count), present) = match runs.len() {
        0 => return Err(MergeError::NoShards(out.to_path_buf())),
        1 => runs.into_iter().next().expect("one run"),
        _ => {
            return Err(MergeError::Mixed(
                runs.iter()
                    .map(|((input, n), have)| {
                        let have: Vec<String> = have.iter().map(|i| format!("{i}/{n}")).collect();
                        format!("shards {} of input {}", have.join(", "), &input[..12])
                    })
                    .collect(),
            ))
        }
    };
    let missing: Vec<usize> = (1..=count).filter(|i| !present.contains(i)).collect();
    if !missing.is_empty() {
        let unfinished = missing
            .iter()
            .copied()
            .filter(|&i| out.join(manifest::journal_name(Some((i, count)))).is_file())
            .collect();
        return Err(MergeError::Missing {
            count,
            missing,
            unfinished,
        });
    }
    let stopped: Vec<usize> = (shards.iter().filter(|m| !m.run.complete))
        .filter_map(|m| m.run.shard.map(|(i, _)| i))
        .collect();
    if !stopped.is_empty() {
        return Err(MergeError::Stopped(stopped));
    }
    let mut merged = gather(out, shards)?;
    merged.report.read = how_read(out, count);
    Ok(merged)
}

/// How the shards read their batch file, as their reports
/// (`report-I-of-N.json`) say: the whole run's report says it too. None
/// when no shard's report says (one written by an older postkit).
fn how_read(out: &Path, count: usize) -> Option<crate::report::HowRead> {
    #[derive(serde::Deserialize)]
    struct Head {
        read: Option<crate::report::HowRead>,
    }
    (1..=count).find_map(|i| {
        let f = std::fs::File::open(out.join(super::report_name(Some((i, count))))).ok()?;
        let head: Head = serde_json::from_reader(std::io::BufReader::new(f)).ok()?;
        head.read
    })
}

/// Every shard's assets (their files checked) and failures, in the whole
/// run's order.
fn gather(out: &Path, mut shards: Vec<Manifest>) -> Result<Merged, MergeError> {
    shards.sort_by_key(|m| m.run.shard);
    let total = shards.first().map_or(0, |m| m.run.assets);
    let log = AssetLog::new_in(out, total);
    let mut errors: Vec<RememberedError> = Vec::new();
    for m in &mut shards {
        let shard = m.run.shard.map_or(0, |(i, _)| i);
        let mut lacking = Vec::new();
        for (key, entry) in &m.assets {
            let report: Option<AssetReport> = serde_json::from_str(entry.report.get()).ok();
            let (Some(mut report), Some(asset)) = (report, entry.asset) else {
                lacking.push(key.clone());
                continue;
            };
            manifest::rooted(&mut report, out);
            if !manifest::files_complete(&report) {
                lacking.push(key.clone());
                continue;
            }
            if asset >= total || log.put(asset, &report).is_err() {
                lacking.push(key.clone());
            }
        }
        if !lacking.is_empty() {
            lacking.sort();
            return Err(MergeError::FilesMissing {
                shard,
                count: lacking.len(),
                first: lacking.into_iter().take(3).collect(),
            });
        }
        errors.append(&mut m.errors);
    }
    // As one run orders them: the rows that failed (in the sheet's order),
    // then the assets that failed (in the run's order).
    errors.sort_by_key(|e| (e.asset.is_some(), e.asset, e.error.row));
    let errors: Vec<_> = errors.into_iter().map(|e| e.error).collect();
    let assets = log.len();
    Ok(Merged {
        shards: shards.len(),
        report: BatchReport {
            assets: log,
            failed: errors.len(),
            errors,
            written: 0,
            unchanged: assets,
            stopped: false,
            warnings: Vec::new(),
            read: None,
        },
    })
}
