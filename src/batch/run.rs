//! Running a batch: plan every row once to count and number its assets,
//! then make and write the assets in parallel, planning each row again as
//! the workers reach it, and finally flush, record the manifest and report.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::fonts::{self, Engines, FontUses};
use super::manifest::{self, Journal, Remembered, RememberedError, RunInfo};
use super::shard::Shard;
use super::{row_error, BatchOptions, BatchReport, Outcome, Row};
use crate::diag::{ErrorClass, Kind};
use crate::make::{make_asset, Cancel, MakeOptions};
use crate::output::{self, Destination, Durability, InMemory, Sink};
use crate::plan::{Files, Request, Resources};
use crate::raster::{Canvas, Engine};
use crate::report::{AssetLog, ErrorReport};

/// What the first pass keeps of a row that planned: enough to place its
/// assets in the run's order, not its content.
struct Sketch {
    /// Index into the rows.
    index: usize,
    /// The number (-1, -2, …) given to a row without an id when its
    /// organisation has several rows.
    suffix: Option<String>,
    /// The row's first asset in the run's order (before sharding).
    first_asset: usize,
    /// Its (template, platform) pairs.
    pairs: Vec<(usize, usize)>,
}

/// What the first pass found: the rows that planned, those that failed,
/// the number of assets and the hash of the run's input.
struct Sketched {
    sketches: Vec<Sketch>,
    failed: Vec<ErrorReport>,
    total: usize,
    /// Every asset's input hash in order, and the failed rows: shards of
    /// one input agree on it (see [`RunInfo`]).
    input: blake3::Hash,
}

/// Plans every row (cheap: templates, brands and images load once) to find
/// the failing rows, count the assets and number the rows of one
/// organisation; only that summary is kept, and in `uses` the brand fonts
/// each template is used with. The content is planned again, a row at a
/// time, as the workers need it, so memory does not grow with the batch.
fn sketch_rows(
    rows: &[Row],
    opts: &BatchOptions,
    files: &dyn Resources,
    uses: &mut FontUses,
    warnings: &mut Vec<String>,
) -> Sketched {
    let mut sketches = Vec::new();
    let mut failed = Vec::new();
    let mut slugs = Vec::new();
    let mut total = 0;
    let mut input = blake3::Hasher::new();
    for (index, row) in rows.iter().enumerate() {
        match row.plan(&opts.defaults, files) {
            Ok(req) => {
                let content = req.content_hash();
                for &(ti, pi) in &req.pairs() {
                    let (set, platform) = (&req.templates[ti], &req.platforms[pi]);
                    let h = manifest::asset_hash(&content, set, platform, &opts.make);
                    input.update(h.as_bytes());
                }
                // A misspelt column, once for the run (not once per asset).
                for n in (req.content.notes.iter()).filter(|n| n.kind == Kind::UnknownField) {
                    let w = format!(
                        "column {}",
                        n.to_string().trim_start_matches("unknown field ")
                    );
                    if !warnings.contains(&w) {
                        warnings.push(w);
                    }
                }
                let pairs = req.pairs();
                uses.add(&req);
                slugs.push((output::slug(&req.org), req.id.is_none()));
                sketches.push(Sketch {
                    index,
                    suffix: None,
                    first_asset: total,
                    pairs,
                });
                total += sketches.last().map_or(0, |s| s.pairs.len());
            }
            Err(e) => {
                let e = row_error(row, &e);
                input.update(format!("\0{}\0{}", row.number, e.message).as_bytes());
                failed.push(e);
            }
        }
    }
    number_rows(&mut sketches, &slugs);
    // The suffixes given to rows of one organisation name files.
    for sk in &sketches {
        input.update(format!("\0{}{:?}", sk.index, sk.suffix).as_bytes());
    }
    Sketched {
        sketches,
        failed,
        total,
        input: input.finalize(),
    }
}

/// Several rows of one organisation: without an id column, number them
/// (-1, -2, …) in file order so no row overwrites another.
fn number_rows(sketches: &mut [Sketch], slugs: &[(String, bool)]) {
    let mut per_org: HashMap<&str, usize> = HashMap::new();
    for (slug, _) in slugs {
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
}

/// A row planned again for its assets, with the name suffix its files get
/// and the engine that renders them (with its brand's fonts).
struct Planned {
    request: Request,
    engine: Arc<Engine>,
    row: usize,
    /// "row 3 (line 5)", for its assets' errors.
    label: String,
    suffix: Option<String>,
    content_hash: blake3::Hash,
}

/// The state the workers share.
struct Run<'a> {
    engines: Engines<'a>,
    opts: &'a BatchOptions,
    /// Where the assets go: the disk, or memory (then no manifest, no
    /// journal: nothing is written to the disk).
    sink: Sink<'a>,
    /// Given (the client of a server's batch went away): assets not yet
    /// begun are not made.
    cancel: Option<&'a Cancel>,
    make: MakeOptions,
    manifest: HashMap<String, Remembered>,
    /// Which assets of the whole run are this run's.
    shard: Shard,
    /// Where each asset is recorded as it is finished (none when it could
    /// not be opened: see `journal_failed`).
    journal: Option<Journal>,
    /// True when a run of this shard was killed before its end (its
    /// journal was there): its temporary files may be left beside the
    /// assets it had begun.
    resumed: bool,
    /// Why the journal could not be opened or written, once.
    journal_failed: Mutex<Option<String>>,
    /// The input hash of each place this run produced, for the next run's
    /// manifest (32 bytes an asset; the rest of an entry is in `log`).
    hashes: Mutex<Vec<Option<[u8; 32]>>>,
    log: AssetLog,
    errors: Mutex<Vec<(usize, ErrorReport)>>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    stop: AtomicBool,
    stopped: AtomicBool,
}

impl Run<'_> {
    /// True (and the run marked as stopped early) once `--fail-fast` or
    /// the cancel signal says to stop.
    fn stopping(&self) -> bool {
        let stop =
            self.stop.load(Ordering::Relaxed) || self.cancel.is_some_and(Cancel::is_cancelled);
        if stop {
            self.stopped.store(true, Ordering::Relaxed);
        }
        stop
    }

    fn failed(&self, place: usize, e: ErrorReport) -> Outcome {
        lock(&self.errors).push((place, e));
        if self.opts.fail_fast {
            self.stop.store(true, Ordering::Relaxed);
        }
        Outcome::Failed
    }

    /// Makes and writes the asset in `place`, or leaves it as it is when
    /// its inputs have not changed since the last run.
    fn work(&self, place: usize, p: &Planned, ti: usize, pi: usize) -> Outcome {
        let req = &p.request;
        let (set, platform) = (&req.templates[ti], &req.platforms[pi]);
        let hash = manifest::asset_hash(&p.content_hash, set, platform, &self.make);
        let dest = Destination {
            out: &self.opts.out,
            org: &req.org,
            suffix: p.suffix.as_deref(),
        };
        let format = self.make.format.for_platform(&platform.format);
        let path = dest.path(&set.name, &platform.name, format);
        let kept = match self.opts.force {
            false => {
                manifest::unchanged(&self.manifest, &self.opts.out, &path, &hash, self.make.svg)
            }
            true => None,
        };
        let outcome = if kept.is_some() {
            Outcome::Unchanged
        } else {
            Outcome::Written
        };
        // "row 3 (line 5), column story: …": where in the sheet to look.
        let fail = |e: ErrorReport| ErrorReport {
            org: Some(req.org.clone()),
            row: Some(p.row),
            message: match &e.field {
                Some(f) => format!("{}, column {f}: {}", p.label, e.message),
                None => format!("{}: {}", p.label, e.message),
            },
            ..e
        };
        let mut report = match kept {
            Some(r) => r,
            None => {
                if self.resumed {
                    output::remove_stale_temps(&path);
                }
                let made = match make_asset(&p.engine, set, platform, &req.content, &self.make) {
                    Ok(m) => m,
                    Err(e) => return self.failed(place, fail(e)),
                };
                // Files reach the disk together, before the manifest
                // records them (see `finish`), not one by one while a
                // worker waits.
                let report = match made.write_to(&dest, self.sink) {
                    Ok(r) => r,
                    Err(e) => {
                        let e = ErrorReport::of(&e, &set.name, &platform.name);
                        return self.failed(place, fail(e));
                    }
                };
                if let Some(t) = made.thumbnail {
                    // Without it the sheet decodes the file: no loss.
                    let _ = self.log.put_extra(place, &t.to_bytes());
                }
                report
            }
        };
        // Which row of the sheet the asset came from.
        (report.row, report.id) = (Some(p.row), req.id.clone());
        if let Err(e) = self.log.put(place, &report) {
            let message = format!("could not keep the asset's report: {e}");
            let e = ErrorReport::new(&set.name, &platform.name, message, ErrorClass::Internal);
            return self.failed(place, fail(e));
        }
        if let Some(h) = lock(&self.hashes).get_mut(place) {
            *h = Some(*hash.as_bytes());
        }
        match outcome {
            Outcome::Unchanged => self.unchanged.fetch_add(1, Ordering::Relaxed),
            _ => self.written.fetch_add(1, Ordering::Relaxed),
        };
        if outcome == Outcome::Written {
            self.record(&hash, place, &report);
        }
        outcome
    }

    /// Records an asset just written in the journal, so that a run killed
    /// after this point does not render it again.
    fn record(&self, hash: &blake3::Hash, place: usize, report: &crate::report::AssetReport) {
        let Some(journal) = &self.journal else {
            return;
        };
        let asset = self.shard.asset(place);
        if let Err(e) = journal.record(&self.opts.out, hash, asset, report) {
            lock(&self.journal_failed).get_or_insert_with(|| e.to_string());
        }
    }

    /// Plans a row again for its kept assets: (place, template, platform)
    /// each. The first pass planned this row: only a file changed while
    /// the batch ran can make it fail now, and then each of its assets
    /// fails with the row's error.
    fn replan(
        &self,
        rows: &[Row],
        files: &dyn Resources,
        sk: &Sketch,
        kept: &[(usize, usize, usize)],
    ) -> Option<Arc<Planned>> {
        if kept.is_empty() {
            return None;
        }
        if self.stopping() {
            return None;
        }
        let row = &rows[sk.index];
        let fail = |e: ErrorReport| {
            for &(place, _, _) in kept {
                lock(&self.errors).push((place, e.clone()));
            }
            None
        };
        let request = match row.plan(&self.opts.defaults, files) {
            Ok(r) => r,
            Err(e) => return fail(row_error(row, &e)),
        };
        let engine = match self.engines.get(&fonts::brand_fonts(&request)) {
            Ok(e) => e,
            Err(e) => return fail(fonts::font_error(row, request.brand.as_ref(), &e)),
        };
        Some(Arc::new(Planned {
            content_hash: request.content_hash(),
            suffix: request.id.clone().or_else(|| sk.suffix.clone()),
            row: row.number,
            label: row.label(),
            engine,
            request,
        }))
    }
}

/// Runs a batch with `engine`'s fonts and settings; each row's brand fonts
/// are added to them for that row only. `progress` hears of each asset as
/// it finishes (and is first told the total). Nothing is printed. The work
/// runs on a pool of `opts.jobs` threads (all cores for 0) that the batch
/// makes and ends.
pub fn run_batch(
    engine: &Engine,
    rows: &[Row],
    opts: &BatchOptions,
    progress: &(dyn Fn(Option<usize>, Outcome) + Sync),
) -> BatchReport {
    let files = Files::new(&opts.base);
    let io = Io {
        res: &files,
        files: Some(&files),
        memory: None,
        cancel: None,
    };
    run(engine, rows, opts, io, progress)
}

/// [`run_batch`] with nothing written to the disk: the files it would write
/// under `opts.out` (the same bytes) go into `memory`, with no manifest
/// (there is no next run to spare work), and the rows' templates and images
/// come from `res`. Assets not begun when `cancel` is given are not made.
/// A server's batch: the whole campaign answered as one zip.
pub fn run_batch_in_memory(
    engine: &Engine,
    rows: &[Row],
    opts: &BatchOptions,
    res: &dyn Resources,
    memory: &InMemory,
    cancel: &Cancel,
    progress: &(dyn Fn(Option<usize>, Outcome) + Sync),
) -> BatchReport {
    let io = Io {
        res,
        files: None,
        memory: Some(memory),
        cancel: Some(cancel),
    };
    run(engine, rows, opts, io, progress)
}

/// Where a run's inputs come from and its outputs go.
struct Io<'a> {
    res: &'a dyn Resources,
    /// The files on disk, when the inputs are (for the templates' font
    /// warnings).
    files: Option<&'a Files>,
    /// Set: everything goes into memory, nothing to the disk.
    memory: Option<&'a InMemory>,
    cancel: Option<&'a Cancel>,
}

fn run(
    engine: &Engine,
    rows: &[Row],
    opts: &BatchOptions,
    io: Io,
    progress: &(dyn Fn(Option<usize>, Outcome) + Sync),
) -> BatchReport {
    let files = io.res;
    let mut uses = FontUses::default();
    let mut notes = Vec::new();
    let Sketched {
        sketches,
        failed: mut failed_rows,
        total,
        input,
    } = sketch_rows(rows, opts, files, &mut uses, &mut notes);
    let new_log = |places| match io.memory {
        Some(_) => AssetLog::in_memory(places),
        None => AssetLog::new_in(&opts.out, places),
    };
    let shard = Shard::new(opts.shard);
    // A row that failed is reported by one shard only: row N by the shard
    // that keeps asset N-1, so the shards' reports add up to the whole run's.
    failed_rows.retain(|e| e.row.is_none_or(|n| shard.keeps(n.saturating_sub(1))));
    if opts.fail_fast && !failed_rows.is_empty() {
        return BatchReport {
            assets: new_log(0),
            failed: failed_rows.len(),
            errors: failed_rows,
            written: 0,
            unchanged: 0,
            stopped: true,
            warnings: notes,
            read: None,
        };
    }
    let places = shard.places(total);
    progress(Some(places), Outcome::Written);
    let on_disk = io.memory.is_none();
    let resumed = on_disk && (opts.out.join(manifest::journal_name(opts.shard))).is_file();
    let (journal, journal_failed) = match on_disk {
        false => (None, None),
        true => match Journal::open(&opts.out, opts.shard) {
            Ok(j) => (Some(j), None),
            Err(e) => (None, Some(e.to_string())),
        },
    };
    let run = Run {
        engines: Engines::new(engine),
        opts,
        sink: match io.memory {
            Some(m) => Sink::Memory(m),
            None => Sink::Disk(Durability::Later),
        },
        cancel: io.cancel,
        // The contact sheets need a thumbnail: made from the pixels in
        // memory (a sharded run draws no sheets).
        make: MakeOptions {
            thumbnail: opts.shard.is_none(),
            ..opts.make.clone()
        },
        manifest: match on_disk {
            true => manifest::load(&opts.out),
            false => HashMap::new(),
        },
        shard,
        journal,
        resumed,
        journal_failed: Mutex::new(journal_failed),
        hashes: Mutex::new(vec![None; places]),
        log: new_log(places),
        errors: Mutex::new(Vec::new()),
        written: AtomicUsize::new(0),
        unchanged: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        stopped: AtomicBool::new(false),
    };
    work_all(&run, rows, files, &sketches, shard, progress);
    let info = RunInfo {
        input: input.to_hex().to_string(),
        shard: opts.shard,
        assets: total,
        complete: !run.stopped.load(Ordering::Relaxed),
    };
    finish(run, info, failed_rows, io.files, &uses, notes)
}

/// Makes every kept asset on a pool of `opts.jobs` threads, each row
/// planned again as the workers reach it and dropped with its last asset.
fn work_all(
    run: &Run,
    rows: &[Row],
    files: &dyn Resources,
    sketches: &[Sketch],
    shard: Shard,
    progress: &(dyn Fn(Option<usize>, Outcome) + Sync),
) {
    use rayon::prelude::*;
    let stream = sketches.iter().flat_map(|sk| {
        let kept: Vec<(usize, usize, usize)> = (sk.pairs.iter().enumerate())
            .filter(|(k, _)| shard.keeps(sk.first_asset + k))
            .map(|(k, &(ti, pi))| (shard.place(sk.first_asset + k), ti, pi))
            .collect();
        let planned = run.replan(rows, files, sk, &kept);
        kept.into_iter()
            .filter_map(move |(place, ti, pi)| Some((place, planned.clone()?, ti, pi)))
    });
    let all = || {
        stream.par_bridge().for_each(|(place, p, ti, pi)| {
            if run.stopping() {
                return;
            }
            progress(None, run.work(place, &p, ti, pi));
        });
        // The workers' spare canvases are not needed after the last asset.
        rayon::broadcast(|_| Canvas::release_spare());
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(run.opts.jobs)
        .build()
    {
        Ok(pool) => pool.install(all),
        Err(_) => all(),
    }
}

/// Flushes what was written, records the manifest and gathers the report.
fn finish(
    run: Run,
    info: RunInfo,
    failed_rows: Vec<ErrorReport>,
    files: Option<&Files>,
    uses: &FontUses,
    mut warnings: Vec<String>,
) -> BatchReport {
    let opts = run.opts;
    // Failures in the run's order, whatever order the threads finished in.
    let mut asset_errors = run.errors.into_inner().unwrap_or_else(|e| e.into_inner());
    asset_errors.sort_by_key(|(place, _)| *place);
    // The manifest keeps the failures with their assets' numbers in the
    // whole run, so the shards' can be merged in the whole run's order.
    let remembered: Vec<RememberedError> = (failed_rows.iter().map(|e| (None, e)))
        .chain(
            asset_errors
                .iter()
                .map(|(p, e)| (Some(run.shard.asset(*p)), e)),
        )
        .map(|(asset, e)| RememberedError {
            asset,
            error: e.clone(),
        })
        .collect();
    let mut errors = failed_rows;
    errors.extend(asset_errors.into_iter().map(|(_, e)| e));
    if let Some(e) = lock(&run.journal_failed).take() {
        warnings.push(format!(
            "could not record finished assets in the journal ({e}): a run stopped before its end would render them again"
        ));
    }
    // The files this run wrote reach the disk before the manifest says they
    // are there: if they cannot be flushed, the manifest is left as it was
    // (the next run renders them again).
    let written = run.written.into_inner();
    let in_memory = matches!(run.sink, Sink::Memory(_));
    let flushed = match written {
        _ if in_memory => Ok(()),
        0 => Ok(()),
        _ => output::sync_folder(&opts.out),
    };
    let journal = run.journal;
    match &flushed {
        // In memory: no manifest (nothing on the disk to spare next time).
        _ if in_memory => {}
        Err(e) => {
            warnings.push(format!(
                "could not flush the files written to the disk ({e}), so the manifest was not updated: the next run renders again what this run wrote"
            ));
            // What it lists may not be on the disk either.
            if let Some(j) = journal {
                let _ = j.remove();
            }
        }
        Ok(()) => {
            // A shard in its own manifest (so shards sharing a folder never
            // overwrite each other's), a full run in the main one.
            let hashes = run.hashes.into_inner().unwrap_or_else(|e| e.into_inner());
            let path = opts.out.join(manifest::file_name(opts.shard));
            let shard = run.shard;
            let produced = manifest::Produced {
                out: &opts.out,
                hashes: &hashes,
                log: &run.log,
                asset: &|place| shard.asset(place),
            };
            // The journal goes once the manifest holds what it listed.
            match manifest::write(&path, &info, &produced, &remembered) {
                Ok(()) => {
                    if let Some(j) = journal {
                        let _ = j.remove();
                    }
                }
                Err(e) => warnings.push(format!(
                    "could not write the manifest ({e}); the journal beside it keeps what this run wrote"
                )),
            }
        }
    }
    // The templates the rows used, each parsed once, in name order: fonts
    // they ask for outside slots that no font file of a row using them has.
    for set in files.map(Files::loaded_templates).unwrap_or_default() {
        for list in uses.of(&set) {
            let Ok(engine) = run.engines.get(list) else {
                continue; // the rows' assets failed with the error
            };
            for w in set.unavailable_fonts(|f| engine.fonts().has_family(f)) {
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
        }
    }
    BatchReport {
        assets: run.log,
        failed: errors.len(),
        errors,
        written,
        unchanged: run.unchanged.into_inner(),
        stopped: run.stopped.into_inner(),
        warnings,
        read: None,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
