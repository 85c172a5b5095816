//! Batch production: a spreadsheet of partners and stories (CSV, JSON or
//! TOML) → every asset, in parallel, incrementally, with a report.
//!
//! Stages: [`read_rows`] (real parsers, one [`Row`] per record) → plan (each
//! row's content, templates and platforms, resolved once; a bad row becomes
//! its own error) → render every asset in parallel, skipping those whose
//! inputs have not changed since the last run → the [`Report`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::brand::Brand;
use crate::campaign::Campaign;
use crate::error::Error;
use crate::fill::Content;
use crate::images::ImageInput;
use crate::platform::{Platform, Platforms};
use crate::report::{AssetLog, AssetReport, ErrorReport, LoggedReport};
use crate::template::TemplateSet;
use crate::text::Direction;
use crate::{caption, output, produce_asset, Engine, OutputOptions};

/// Columns with a meaning of their own; any other column is a template field.
pub const COLUMNS: &[&str] = &[
    "org",
    "story",
    "logo",
    "logo_dark",
    "photo",
    "template",
    "platform",
    "brand",
    "dir",
    "lang",
    "focus",
    "hashtags",
    "tags",
    "id",
];

/// One record of the batch file.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 1-based record number (header and comments not counted).
    pub number: usize,
    /// Line in the file, where the format tells it.
    pub line: Option<u64>,
    /// Column → value; empty cells are absent.
    pub values: BTreeMap<String, String>,
}

impl Row {
    /// "row 3 (line 5)".
    pub fn label(&self) -> String {
        match self.line {
            Some(l) => format!("row {} (line {l})", self.number),
            None => format!("row {}", self.number),
        }
    }
}

/// Largest batch file postkit reads (100,000 rows of long stories fit).
pub const MAX_BATCH_BYTES: u64 = 256 * 1024 * 1024;

fn config_err(path: &Path, message: String) -> Error {
    Error::Config {
        origin: path.display().to_string(),
        message,
    }
}

/// Reads a batch file: `.csv` (header row; `#` starts a comment line),
/// `.json` (an array of objects) or `.toml` (`[[row]]` tables). Lists (in
/// JSON/TOML arrays, or `;`-separated in CSV) are kept `;`-separated.
pub fn read_rows(path: &Path) -> Result<Vec<Row>, Error> {
    // A regular file only: a device or a pipe would be read forever.
    let src = crate::error::read_input_text(path, "batch file", MAX_BATCH_BYTES)?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let rows = match ext.as_str() {
        "csv" => read_csv(&src, path)?,
        "json" => read_json(&src, path)?,
        "toml" => read_toml(&src, path)?,
        _ => {
            return Err(config_err(
                path,
                "is not a batch file: use .csv (with a header row), .json (an array of objects) or .toml ([[row]] tables)".into(),
            ))
        }
    };
    if rows.is_empty() {
        return Err(config_err(path, "has no rows".into()));
    }
    Ok(rows)
}

fn read_csv(src: &str, path: &Path) -> Result<Vec<Row>, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(src.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| config_err(path, format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if !headers.iter().any(|h| h == "org" || h == "brand") {
        return Err(config_err(
            path,
            format!(
                "the header row has no 'org' (or 'brand') column; columns found: {}",
                headers.join(", ")
            ),
        ));
    }
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| config_err(path, csv_message(src, &e)))?;
        let mut values = BTreeMap::new();
        for (h, v) in headers.iter().zip(rec.iter()) {
            if !v.trim().is_empty() {
                values.insert(h.clone(), v.trim().to_string());
            }
        }
        rows.push(Row {
            number: i + 1,
            line: rec.position().map(|p| record_line(src, p.byte() as usize)),
            values,
        });
    }
    Ok(rows)
}

/// A CSV reader's error in a user's words, with the line of the record.
fn csv_message(src: &str, e: &csv::Error) -> String {
    let Some(pos) = e.position() else {
        return e.to_string();
    };
    let line = record_line(src, pos.byte() as usize);
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            // An odd number of quotes from this record on: a quote opened
            // here is never closed, and swallowed the rest of the file.
            let rest = &src[(pos.byte() as usize).min(src.len())..];
            if rest.matches('"').count() % 2 == 1 {
                format!(
                    "line {line}: a quote (\") opened on this line is never closed, so the rest of the file reads as one value; close it, or write a quote inside a quoted value as two (\"\")"
                )
            } else {
                format!(
                    "line {line}: the row has {len} value{}, the header has {expected_len} columns; put a value that holds a comma in quotes (\"a, b\"), and give every row the header's number of columns (empty ones may be left blank: a,,c)",
                    if *len == 1 { "" } else { "s" }
                )
            }
        }
        _ => format!("line {line}: {e}"),
    }
}

/// The line a record starts on, given where the reader began reading it
/// (which may be a comment line the reader then skipped).
fn record_line(src: &str, byte: usize) -> u64 {
    let mut at = byte.min(src.len());
    let mut line = src[..at].matches('\n').count() as u64 + 1;
    while src[at..].trim_start_matches([' ', '\t']).starts_with('#') {
        match src[at..].find('\n') {
            Some(n) => {
                at += n + 1;
                line += 1;
            }
            None => break,
        }
    }
    line
}

fn json_value(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) => Some(
            a.iter()
                .filter_map(json_value)
                .collect::<Vec<_>>()
                .join(";"),
        ),
        other => Some(other.to_string()),
    }
}

fn read_json(src: &str, path: &Path) -> Result<Vec<Row>, Error> {
    let v: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(src).map_err(|e| {
            config_err(
                path,
                format!(
                    "line {}, column {}: {}; the file must be an array of objects",
                    e.line(),
                    e.column(),
                    e.to_string().split(" at line ").next().unwrap_or_default()
                ),
            )
        })?;
    Ok(v.into_iter()
        .enumerate()
        .map(|(i, obj)| Row {
            number: i + 1,
            line: None,
            values: obj
                .iter()
                .filter_map(|(k, v)| {
                    json_value(v)
                        .filter(|s| !s.trim().is_empty())
                        .map(|s| (k.trim().to_ascii_lowercase(), s.trim().to_string()))
                })
                .collect(),
        })
        .collect())
}

fn toml_value(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Array(a) => Some(
            a.iter()
                .filter_map(toml_value)
                .collect::<Vec<_>>()
                .join(";"),
        ),
        other => Some(other.to_string()),
    }
}

fn read_toml(src: &str, path: &Path) -> Result<Vec<Row>, Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        row: Vec<toml::Table>,
    }
    let f: File = toml::from_str(src).map_err(|e| {
        config_err(
            path,
            format!("{}; rows are [[row]] tables", e.to_string().trim()),
        )
    })?;
    Ok(f.row
        .into_iter()
        .enumerate()
        .map(|(i, t)| Row {
            number: i + 1,
            line: None,
            values: t
                .iter()
                .filter_map(|(k, v)| {
                    toml_value(v)
                        .filter(|s| !s.trim().is_empty())
                        .map(|s| (k.trim().to_ascii_lowercase(), s.trim().to_string()))
                })
                .collect(),
        })
        .collect())
}

/// How a batch runs.
pub struct BatchOptions {
    /// Output folder.
    pub out: PathBuf,
    /// The batch file's folder: relative paths in rows resolve here.
    pub base: PathBuf,
    /// Templates for rows that name none.
    pub templates: Vec<String>,
    /// Platforms for rows that name none.
    pub platforms: Vec<String>,
    /// Campaign.
    pub campaign: Campaign,
    /// Presets.
    pub presets: Platforms,
    /// Writing options.
    pub output: OutputOptions,
    /// Re-render even unchanged assets.
    pub force: bool,
    /// Stop at the first failure.
    pub fail_fast: bool,
    /// Render only shard I of N (1-based).
    pub shard: Option<(usize, usize)>,
    /// Today, for countdowns.
    pub today: time::Date,
    /// Default paragraph direction.
    pub direction: Direction,
    /// Worker threads (0: all cores).
    pub jobs: usize,
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
    /// Warnings about the templates the batch used, once each (fonts a
    /// template sets outside its slots that no font file has).
    pub warnings: Vec<String>,
}

impl BatchReport {
    /// The report (the `render --json` schema), serialised asset by asset.
    pub fn report(&self) -> LoggedReport<'_> {
        LoggedReport {
            assets: &self.assets,
            errors: &self.errors,
        }
    }
}

/// A row ready to render.
struct Planned {
    row: usize,
    org: String,
    content: Arc<Content>,
    templates: Vec<Arc<TemplateSet>>,
    platforms: Vec<Platform>,
    /// Distinguishes the file names of several rows of one organisation.
    suffix: Option<String>,
    /// The row's platforms came from `all`.
    all_platforms: bool,
    /// Hash of everything in the content.
    content_hash: blake3::Hash,
}

/// Caches so each template, brand and image is loaded once per batch.
#[derive(Default)]
struct Loaded {
    templates: Mutex<HashMap<String, Result<Arc<TemplateSet>, String>>>,
    images: Mutex<HashMap<PathBuf, Result<ImageInput, String>>>,
    brands: Mutex<HashMap<PathBuf, Result<Brand, String>>>,
}

impl Loaded {
    fn template(&self, spec: &str, base: &Path) -> Result<Arc<TemplateSet>, String> {
        let local = base.join(spec);
        let key = if crate::template::builtin_names().contains(&spec) || !local.exists() {
            spec.to_string()
        } else {
            local.display().to_string()
        };
        let mut m = self.templates.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(key.clone())
            .or_insert_with(|| {
                TemplateSet::load(&key)
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .clone()
    }

    fn image(&self, path: &Path, what: &str) -> Result<ImageInput, String> {
        let mut m = self.images.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(path.to_path_buf())
            .or_insert_with(|| ImageInput::load(path, what).map_err(|e| e.to_string()))
            .clone()
    }

    fn brand(&self, path: &Path) -> Result<Brand, String> {
        let mut m = self.brands.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(path.to_path_buf())
            .or_insert_with(|| Brand::load(path).map_err(|e| e.to_string()))
            .clone()
    }
}

fn list(v: &str) -> Vec<String> {
    v.split([';', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The font files the rows' brands ask for (to build the engine with).
pub fn brand_fonts(rows: &[Row], base: &Path) -> Vec<PathBuf> {
    // Each brand file once, however many rows name it.
    let brands: std::collections::BTreeSet<&String> =
        rows.iter().filter_map(|r| r.values.get("brand")).collect();
    let mut out = Vec::new();
    for b in brands {
        if let Ok(brand) = Brand::load(&base.join(b)) {
            for f in brand.font_files() {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
    }
    out
}

/// Builds a row's content, or says which column is wrong.
fn plan_row(row: &Row, opts: &BatchOptions, loaded: &Loaded) -> Result<Planned, ErrorReport> {
    let err = |column: &str, message: String| ErrorReport {
        org: row.values.get("org").cloned(),
        row: Some(row.number),
        template: String::new(),
        platform: String::new(),
        message: format!("{}: column {column}: {message}", row.label()),
    };
    let v = |k: &str| row.values.get(k).map(String::as_str);
    let resolve = |p: &str| {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            opts.base.join(p)
        }
    };
    let brand = match v("brand") {
        Some(b) => Some(loaded.brand(&resolve(b)).map_err(|e| err("brand", e))?),
        None => None,
    };
    let org = v("org")
        .map(str::to_string)
        .or_else(|| brand.as_ref().and_then(|b| b.name.clone()))
        .ok_or_else(|| err("org", "is empty; give the organisation's name".into()))?;

    let mut campaign = opts.campaign.clone();
    if let Some(h) = v("hashtags") {
        campaign.hashtags = h
            .split([';', ',', ' '])
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.starts_with('#') {
                    s.to_string()
                } else {
                    format!("#{s}")
                }
            })
            .collect();
    }
    if let Some(t) = v("tags") {
        campaign.tags = t
            .split([';', ',', ' '])
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.starts_with('@') {
                    s.to_string()
                } else {
                    format!("@{s}")
                }
            })
            .collect();
    }
    let (tag_errors, tag_warnings) = caption::lint_hashtags(&campaign.hashtags);
    if let Some(e) = tag_errors.into_iter().next() {
        return Err(err("hashtags", e));
    }

    let template_specs = v("template")
        .map(list)
        .unwrap_or_else(|| opts.templates.clone());
    let mut templates = Vec::new();
    for spec in &template_specs {
        templates.push(
            loaded
                .template(spec, &opts.base)
                .map_err(|e| err("template", e))?,
        );
    }
    let platform_names = v("platform")
        .map(list)
        .unwrap_or_else(|| opts.platforms.clone());
    let platforms = opts
        .presets
        .select(&platform_names)
        .map_err(|e| err("platform", e.to_string()))?;

    let story = v("story").unwrap_or("");
    let needs_story = templates.iter().any(|t| {
        t.variants
            .iter()
            .any(|v| v.parsed.slots.iter().any(|s| s.field == "story"))
    });
    if needs_story && crate::text::clean(story).is_empty() {
        return Err(err(
            "story",
            "is empty; every row for these templates needs a story".into(),
        ));
    }

    let mut content = Content::story(&campaign, &org, story);
    content.notes = tag_warnings;
    content.set_date(&campaign, opts.today);
    content.set_direction(opts.direction);
    match v("dir") {
        None | Some("auto") => {}
        Some("rtl") => content.set_direction(Direction::Rtl),
        Some("ltr") => content.set_direction(Direction::Ltr),
        Some(other) => return Err(err("dir", format!("'{other}' is not ltr, rtl or auto"))),
    }
    if let Some(f) = v("focus") {
        let parsed = f
            .split_once(',')
            .and_then(|(x, y)| Some((x.trim().parse::<f32>().ok()?, y.trim().parse::<f32>().ok()?)))
            .filter(|(x, y)| (0.0..=1.0).contains(x) && (0.0..=1.0).contains(y));
        content.focus = Some(parsed.ok_or_else(|| {
            err(
                "focus",
                format!("'{f}' is not a focal point; write x,y with each from 0 to 1"),
            )
        })?);
    }
    for (slot, column) in [
        ("logo", "logo"),
        ("logo_dark", "logo_dark"),
        ("photo", "photo"),
    ] {
        if let Some(p) = v(column) {
            let img = loaded
                .image(&resolve(p), slot)
                .map_err(|e| err(column, e))?;
            content.images.insert(slot.into(), img);
        }
    }
    if let Some(b) = &brand {
        // Brand logos load through the same cache.
        for (slot, p) in [("logo", &b.logo), ("logo_dark", &b.logo_dark)] {
            if let (Some(p), false) = (p, content.images.contains_key(slot)) {
                let img = loaded
                    .image(&b.resolve(p), slot)
                    .map_err(|e| err("brand", e))?;
                content.images.insert(slot.into(), img);
            }
        }
        b.apply(&campaign, &mut content)
            .map_err(|e| err("brand", e.to_string()))?;
    }
    for (k, val) in &row.values {
        if !COLUMNS.contains(&k.as_str()) {
            content.set_field(k, val);
        }
    }
    if let Some(l) = v("lang") {
        content.set_field("lang", l);
    }

    let mut h = blake3::Hasher::new();
    for (k, val) in &content.fields {
        h.update(k.as_bytes());
        h.update(&[0]);
        h.update(val.as_bytes());
        h.update(&[1]);
    }
    for (k, img) in &content.images {
        h.update(k.as_bytes());
        h.update(blake3::hash(&img.bytes).as_bytes());
    }
    h.update(
        format!(
            "{:?}{:?}{:?}",
            content.focus, content.direction, content.notes
        )
        .as_bytes(),
    );
    Ok(Planned {
        row: row.number,
        org,
        content: Arc::new(content),
        templates,
        platforms,
        suffix: v("id").map(str::to_string),
        all_platforms: platform_names.iter().any(|p| p == "all"),
        content_hash: h.finalize(),
    })
}

/// What the manifest remembers of an asset.
#[derive(Debug, Deserialize)]
struct Remembered {
    hash: String,
    /// The asset's report, kept as its JSON text until needed.
    report: Box<serde_json::value::RawValue>,
}

/// A manifest entry as written.
#[derive(Serialize)]
struct Remember {
    hash: String,
    report: AssetReport,
}

/// The manifest of an unsharded run; shards write `.postkit-manifest-I-of-N.json`.
const MANIFEST: &str = ".postkit-manifest.json";

/// Every manifest in `out` (the run's own and any shard's), merged: shard
/// outputs copied together are recognised as one complete run.
fn load_manifest(out: &Path) -> HashMap<String, Remembered> {
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

/// A planned row's (template, platform) pairs, in order: every pair, or
/// those a template serves when the platforms came from `all`.
fn row_jobs(p: &Planned) -> Vec<(u16, u16)> {
    let mut jobs = Vec::new();
    for (ti, t) in p.templates.iter().enumerate() {
        for (fi, f) in p.platforms.iter().enumerate() {
            if !p.all_platforms || t.serves(f) {
                jobs.push((ti as u16, fi as u16));
            }
        }
    }
    jobs
}

fn asset_hash(
    p: &Planned,
    set: &TemplateSet,
    platform: &Platform,
    opts: &BatchOptions,
) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(p.content_hash.as_bytes());
    let v = set.variant_for(platform.width, platform.height);
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
            opts.output.emit_svg, opts.output.strict, opts.output.format, opts.output.png_level
        )
        .as_bytes(),
    );
    h.finalize()
}

/// Runs a batch. `progress` hears of each asset as it finishes (and is
/// first told the total). Nothing is printed.
pub fn run_batch(
    engine: &Engine,
    rows: &[Row],
    opts: &BatchOptions,
    progress: &(dyn Fn(Option<usize>, Outcome) + Sync),
) -> BatchReport {
    use rayon::prelude::*;
    let loaded = Loaded::default();
    let mut failed_rows = Vec::new();

    // First pass: plan every row (cheap; templates, brands and images load
    // once) to find the failing rows, count the assets and number the rows
    // of one organisation; only that summary is kept. The content is
    // planned again, a row at a time, as the workers need it, so memory
    // does not grow with the batch.
    struct Sketch {
        /// Index into `rows`.
        index: usize,
        /// The number (-1, -2, …) given to a row without an id when its
        /// organisation has several rows.
        suffix: Option<String>,
        /// The row's first asset in the run's order (before sharding).
        first_job: usize,
        /// Its (template, platform) pairs.
        jobs: Vec<(u16, u16)>,
    }
    let mut sketches = Vec::new();
    let mut slugs = Vec::new();
    let mut total_jobs = 0;
    for (index, row) in rows.iter().enumerate() {
        match plan_row(row, opts, &loaded) {
            Ok(p) => {
                let jobs = row_jobs(&p);
                slugs.push((output::slug(&p.org), p.suffix.is_none()));
                sketches.push(Sketch {
                    index,
                    suffix: None,
                    first_job: total_jobs,
                    jobs,
                });
                total_jobs += sketches.last().map_or(0, |s| s.jobs.len());
            }
            Err(e) => failed_rows.push(ErrorReport {
                org: row.values.get("org").cloned(),
                row: Some(row.number),
                ..e
            }),
        }
    }
    if opts.fail_fast && !failed_rows.is_empty() {
        return BatchReport {
            assets: AssetLog::new_in(&opts.out, 0),
            failed: failed_rows.len(),
            errors: failed_rows,
            written: 0,
            unchanged: 0,
            stopped: true,
            warnings: Vec::new(),
        };
    }
    // Several rows of one organisation: without an id column, number them
    // (-1, -2, …) in file order so no row overwrites another.
    let mut per_org: HashMap<&str, usize> = HashMap::new();
    for (slug, _) in &slugs {
        *per_org.entry(slug.as_str()).or_default() += 1;
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for ((slug, no_id), sketch) in slugs.iter().zip(sketches.iter_mut()) {
        let k = seen.entry(slug.as_str()).or_default();
        *k += 1;
        if *no_id && per_org[slug.as_str()] > 1 {
            sketch.suffix = Some(k.to_string());
        }
    }
    drop((per_org, seen));
    drop(slugs);

    // Every asset has a place in a stable order; a shard keeps every N-th,
    // and its slots number the kept ones.
    let kept = |job: usize| match opts.shard {
        Some((i, n)) => job % n == i - 1,
        None => true,
    };
    let slot_of = |job: usize| match opts.shard {
        Some((i, n)) => (job + n - i) / n,
        None => job,
    };
    let slots = (0..total_jobs).filter(|j| kept(*j)).count();
    progress(Some(slots), Outcome::Written);

    let manifest = load_manifest(&opts.out);
    // The input hash of each slot this run produced, for the next run's
    // manifest (32 bytes an asset; the rest of an entry is in `log`).
    let remembered: Mutex<Vec<Option<[u8; 32]>>> = Mutex::new(vec![None; slots]);
    let log = AssetLog::new_in(&opts.out, slots);
    let errors: Mutex<Vec<(usize, ErrorReport)>> = Mutex::new(Vec::new());
    let (written, unchanged) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let stop = AtomicBool::new(false);
    let stopped = AtomicBool::new(false);
    // Files reach the disk together, before the manifest records them (see
    // below), not one by one while a worker waits.
    let output_opts = OutputOptions {
        durability: output::Durability::Later,
        ..opts.output.clone()
    };
    let work = |slot: usize, p: &Planned, ti: usize, fi: usize| -> Outcome {
        let set = &p.templates[ti];
        let platform = &p.platforms[fi];
        let hash = asset_hash(p, set, platform, opts);
        let format = opts.output.format.for_platform(&platform.format);
        let path = output::asset_path(
            &opts.out,
            &p.org,
            &set.name,
            &platform.name,
            p.suffix.as_deref(),
            format.ext(),
        );
        let key = path.display().to_string();
        let failed = |message: String| {
            let e = ErrorReport {
                org: Some(p.org.clone()),
                row: Some(p.row),
                template: set.name.clone(),
                platform: platform.name.clone(),
                message,
            };
            lock(&errors).push((slot, e));
            if opts.fail_fast {
                stop.store(true, Ordering::Relaxed);
            }
            Outcome::Failed
        };
        let mut outcome = Outcome::Written;
        let mut report = None;
        if !opts.force {
            if let Some(r) = manifest.get(&key) {
                if r.hash == hash.to_hex().as_str() {
                    if let Ok(rep) = serde_json::from_str::<AssetReport>(r.report.get()) {
                        // Every file there, at the size written (a file cut
                        // short, by a crash say, is written again).
                        let size = |p: &Path| std::fs::metadata(p).ok().map(|m| m.len());
                        let complete = size(&path) == Some(rep.bytes)
                            && size(&crate::sidecar(&path, "alt.txt"))
                                == Some(rep.alt.len() as u64)
                            && size(&crate::sidecar(&path, "caption.txt"))
                                == Some(rep.caption.len() as u64)
                            && (!opts.output.emit_svg || path.with_extension("svg").is_file());
                        if complete {
                            outcome = Outcome::Unchanged;
                            report = Some(rep);
                        }
                    }
                }
            }
        }
        let report = match report {
            Some(r) => r,
            None => {
                // The contact sheets need a thumbnail: make it now, from the
                // pixels in memory (a sharded run draws no sheets).
                let dest = crate::Destination {
                    out: &opts.out,
                    org: &p.org,
                    suffix: p.suffix.as_deref(),
                };
                let thumbnail = opts.shard.is_none();
                match produce_asset(
                    engine,
                    set,
                    platform,
                    &p.content,
                    &dest,
                    &output_opts,
                    thumbnail,
                ) {
                    Ok(made) => {
                        if let Some(t) = made.thumbnail {
                            // Without it the sheet decodes the file: no loss.
                            let _ = log.put_extra(slot, &t.to_bytes());
                        }
                        made.report
                    }
                    Err(e) => return failed(e.message),
                }
            }
        };
        if let Err(e) = log.put(slot, &report) {
            return failed(format!("could not keep the asset's report: {e}"));
        }
        if let Some(h) = lock(&remembered).get_mut(slot) {
            *h = Some(*hash.as_bytes());
        }
        match outcome {
            Outcome::Unchanged => unchanged.fetch_add(1, Ordering::Relaxed),
            _ => written.fetch_add(1, Ordering::Relaxed),
        };
        outcome
    };
    // The rows, planned again one at a time as the workers ask for their
    // assets; a row's content is dropped with its last asset.
    let stream = sketches.iter().flat_map(|sk| {
        let kept_jobs: Vec<(usize, u16, u16)> = sk
            .jobs
            .iter()
            .enumerate()
            .filter(|(k, _)| kept(sk.first_job + k))
            .map(|(k, &(ti, fi))| (slot_of(sk.first_job + k), ti, fi))
            .collect();
        let planned = if kept_jobs.is_empty() {
            None
        } else if stop.load(Ordering::Relaxed) {
            stopped.store(true, Ordering::Relaxed);
            None
        } else {
            match plan_row(&rows[sk.index], opts, &loaded) {
                Ok(mut p) => {
                    if p.suffix.is_none() {
                        p.suffix = sk.suffix.clone();
                    }
                    Some(Arc::new(p))
                }
                // The first pass planned this row: only a file changed
                // while the batch ran can make it fail now.
                Err(e) => {
                    for &(slot, _, _) in &kept_jobs {
                        lock(&errors).push((
                            slot,
                            ErrorReport {
                                org: rows[sk.index].values.get("org").cloned(),
                                row: Some(rows[sk.index].number),
                                ..e.clone()
                            },
                        ));
                    }
                    None
                }
            }
        };
        kept_jobs
            .into_iter()
            .filter_map(move |(slot, ti, fi)| Some((slot, planned.clone()?, ti, fi)))
    });
    let run_all = || {
        stream
            .par_bridge()
            .for_each(|(slot, p, ti, fi): (usize, Arc<Planned>, u16, u16)| {
                if stop.load(Ordering::Relaxed) {
                    stopped.store(true, Ordering::Relaxed);
                    return;
                }
                progress(None, work(slot, &p, ti as usize, fi as usize));
            });
        // The workers' spare canvases are not needed after the last asset.
        rayon::broadcast(|_| crate::raster::Canvas::release_spare());
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs)
        .build()
    {
        Ok(pool) => pool.install(run_all),
        Err(_) => run_all(),
    }
    // Failures in the run's order, whatever order the threads finished in.
    let mut job_errors = errors.into_inner().unwrap_or_else(|e| e.into_inner());
    job_errors.sort_by_key(|(slot, _)| *slot);
    let mut all_errors = failed_rows;
    all_errors.extend(job_errors.into_iter().map(|(_, e)| e));

    // The files this run wrote reach the disk before the manifest says they
    // are there: if they cannot be flushed, the manifest is left as it was
    // (the next run renders them again).
    let mut warnings = Vec::new();
    let flushed = match written.load(Ordering::Relaxed) {
        0 => Ok(()),
        _ => output::sync_folder(&opts.out),
    };
    if let Err(e) = &flushed {
        warnings.push(format!(
            "could not flush the files written to the disk ({e}), so the manifest was not updated: the next run renders again what this run wrote"
        ));
    }
    // Remember what this run produced: a shard in its own manifest (so shards
    // sharing a folder never overwrite each other's), a full run in the main
    // one. Written entry by entry, in the run's order of assets.
    let produced = remembered.into_inner().unwrap_or_else(|e| e.into_inner());
    let name = match opts.shard {
        Some((i, n)) => format!(".postkit-manifest-{i}-of-{n}.json"),
        None => MANIFEST.to_string(),
    };
    struct Manifest<'a>(&'a [Option<[u8; 32]>], &'a AssetLog);
    impl Serialize for Manifest<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(self.0.iter().enumerate().filter_map(|(slot, hash)| {
                let hash = blake3::Hash::from_bytes((*hash)?).to_hex().to_string();
                let report = self.1.get(slot).ok().flatten()?;
                // An asset's key is its path, which its report gives.
                Some((report.path.clone(), Remember { hash, report }))
            }))
        }
    }
    if flushed.is_ok() {
        let _ = output::write_atomic_with(&opts.out.join(name), |w| {
            serde_json::to_writer_pretty(w, &Manifest(&produced, &log))
                .map_err(std::io::Error::other)
        });
    }
    // The templates the rows used, each parsed once (by `loaded`), in name
    // order: fonts they ask for outside slots that no font file has.
    let templates = loaded
        .templates
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let mut used: Vec<_> = templates.into_iter().collect();
    used.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, set) in used {
        if let Ok(set) = set {
            for w in set.unavailable_fonts(|f| engine.fonts().has_family(f)) {
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
        }
    }
    BatchReport {
        assets: log,
        failed: all_errors.len(),
        errors: all_errors,
        written: written.into_inner(),
        unchanged: unchanged.into_inner(),
        stopped: stopped.into_inner(),
        warnings,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
