//! `postkit batch FILE`: every row × template × platform of a spreadsheet.

use std::io::Write;
use std::path::Path;

use postkit::batch::{BatchOptions, BatchReport, Ending, Outcome, ShardSpec};
use postkit::{Engine, ErrorReport, TemplateSet};

use crate::cli::BatchArgs;
use crate::{fail, BAD_ROWS, FAILED, OK, USAGE};

pub fn run(args: BatchArgs) -> u8 {
    let start = std::time::Instant::now();
    // `--shard auto`: the job runner's array index, from the environment.
    let shard = match args.shard {
        None => None,
        Some(ShardSpec::Fixed(i, n)) => Some((i, n)),
        Some(ShardSpec::Auto) => match postkit::batch::shard::from_env(|v| std::env::var(v).ok()) {
            Ok(s) => Some(s),
            Err(message) => {
                eprintln!("postkit: {message}");
                return USAGE;
            }
        },
    };
    let defaults = match super::defaults(&args.common) {
        Ok(d) => d,
        Err((code, message)) => {
            eprintln!("postkit: {message}");
            return code;
        }
    };
    let (mut rows, how) = match postkit::batch::read_table(&args.file, args.sheet.as_deref()) {
        Ok(t) => {
            // How the file was read (its encoding and separator, or its
            // sheet), so that nothing is guessed silently: here and in
            // the report.
            if !args.common.quiet {
                eprintln!("postkit: read {}: {}", args.file.display(), t.source);
            }
            (t.rows, t.source.how(&args.file.display().to_string()))
        }
        Err(e) => return fail(&e),
    };
    if let Some(brand) = &args.brand {
        // The default brand, as if each row without one had the column
        // (a row's paths resolve from the batch file's folder: this one
        // from where the command was given).
        let brand = std::path::absolute(brand).unwrap_or_else(|_| brand.clone());
        for row in &mut rows {
            row.values
                .entry("brand".into())
                .or_insert_with(|| brand.display().to_string());
        }
    }
    let base = args
        .file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    // Names given as defaults are checked up front: a typo is a usage error.
    for t in &defaults.templates {
        if let Err(e) = TemplateSet::load(t) {
            return fail(&e);
        }
    }
    // Each row's brand fonts are added to these for its rows only (see
    // `run_batch`). A batch's workers do nothing else: each keeps its
    // canvas's memory.
    let engine = match Engine::new(&args.common.font) {
        Ok(e) => e.reuse_canvases(true),
        Err(e) => return fail(&e),
    };
    let opts = BatchOptions {
        out: args.common.out.clone(),
        base,
        defaults,
        make: args.common.make(),
        force: args.force,
        fail_fast: args.fail_fast,
        shard,
        jobs: args.jobs.unwrap_or(0),
    };
    let mut result = run_with_progress(&engine, &rows, &opts, &args);
    result.read = Some(how);
    let report_name = postkit::batch::report_name(shard);
    // A shard's review page and contact sheets are drawn by `postkit merge`.
    let title = postkit::batch::review_title(&args.file.display().to_string());
    let title = shard.is_none().then_some(title.as_str());
    let review = match write_reports(&args.common.out, &result, &report_name, title) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if args.common.json {
        let mut stdout = std::io::stdout().lock();
        let report = result.report();
        if serde_json::to_writer_pretty(&mut stdout, &report).is_err() || writeln!(stdout).is_err()
        {
            return OK; // the reader went away (a closed pipe)
        }
    }
    print_summary(&args, &result, start, &report_name, review);
    exit_code(&result)
}

/// 0 complete, 3 bad rows only (not worth retrying), 1 failed.
pub fn exit_code(result: &BatchReport) -> u8 {
    match result.ending() {
        Ending::Complete => OK,
        Ending::BadRows => BAD_ROWS,
        Ending::Failed => FAILED,
    }
}

/// Runs the batch with a progress bar on a terminal.
fn run_with_progress(
    engine: &Engine,
    rows: &[postkit::batch::Row],
    opts: &BatchOptions,
    args: &BatchArgs,
) -> BatchReport {
    use std::io::IsTerminal;
    let show_bar = !args.common.quiet && !args.common.json && std::io::stdout().is_terminal();
    let bar = indicatif::ProgressBar::hidden();
    if show_bar {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} assets {elapsed_precise} eta {eta}",
            )
            .expect("a valid template"),
        );
    }
    let progress = |total: Option<usize>, _outcome: Outcome| match total {
        Some(n) => bar.set_length(n as u64),
        None => bar.inc(1),
    };
    let result = postkit::batch::run_batch(engine, rows, opts, &progress);
    bar.finish_and_clear();
    result
}

/// Writes the report (streamed asset by asset: a batch of any size needs
/// the memory of one asset's report) into `out` and, given the review
/// page's title (a whole run's), the contact sheets and the review page,
/// whose path it gives.
pub fn write_reports(
    out: &Path,
    result: &BatchReport,
    report_name: &str,
    title: Option<&str>,
) -> Result<Option<std::path::PathBuf>, u8> {
    let sink = postkit::output::Sink::Disk(postkit::output::Durability::EachFile);
    postkit::batch::write_outputs(out, result, report_name, title, sink, None).map_err(|e| fail(&e))
}

/// "Broken Hub story-quote x-post": who an asset's error is about (its
/// message names the row, line and column).
fn who(e: &ErrorReport) -> Vec<String> {
    if e.template.is_empty() {
        return Vec::new();
    }
    let mut who: Vec<String> = e.org.clone().into_iter().collect();
    who.push(e.template.clone());
    if !e.platform.is_empty() {
        who.push(e.platform.clone());
    }
    who
}

/// "postkit: error: SOURCE: who: message", one line per failure.
pub fn print_errors(source: &str, errors: &[ErrorReport]) {
    for e in errors {
        match who(e).join(" ") {
            w if w.is_empty() => eprintln!("postkit: error: {source}: {}", e.message),
            w => eprintln!("postkit: error: {source}: {w}: {}", e.message),
        }
    }
}

fn print_summary(
    args: &BatchArgs,
    result: &BatchReport,
    start: std::time::Instant,
    report_name: &str,
    review: Option<std::path::PathBuf>,
) {
    if !args.common.quiet {
        for w in &result.warnings {
            eprintln!("postkit: warning: {w}");
        }
    }
    print_errors(&args.file.display().to_string(), &result.errors);
    if args.common.quiet {
        return;
    }
    eprintln!(
        "postkit: {} written, {} unchanged, {} failed in {:.1} s{}; report: {}{}",
        result.written,
        result.unchanged,
        result.failed,
        start.elapsed().as_secs_f64(),
        if result.stopped {
            " (stopped at the first failure)"
        } else {
            ""
        },
        args.common.out.join(report_name).display(),
        review
            .map(|p| format!("; review: {}", p.display()))
            .unwrap_or_default()
    );
}
