//! The `postkit` binary: arguments in, library calls, messages and an exit
//! code out. No pipeline logic lives here.

mod cli;
mod docgen;

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::Parser;
use postkit::brand::Brand;
use postkit::text::Direction;
use postkit::{Campaign, Content, Engine, Error, ImageInput, Job, Platforms, TemplateSet};

use cli::{
    BatchArgs, CheckArgs, Cli, Command, Dir, InitArgs, ListArgs, RenderArgs, TemplatesAction,
    TemplatesArgs,
};

/// `println!` that ends the program quietly when stdout is closed: a broken
/// pipe (`postkit templates | head`) is not an error.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($t)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// Sets glibc's allocator up for a batch, so that its peak memory stays
/// the same from 100 assets to 10,000:
/// - blocks of 4 MiB or more (every canvas of 1080 × 1080 or larger, each
///   contact sheet) get their own mapping, given back to the system when
///   freed. By default glibc raises that threshold to the size of the first
///   such block freed, after which canvases land in the threads' heaps,
///   whose holes the heaps keep: peak memory then grew with the run.
/// - a heap keeps up to 16 MiB free at its top instead of 128 KiB (a fixed
///   mapping threshold also fixes this one), so the medium-sized buffers of
///   each asset do not fault their pages in again every time.
///
/// Measured in BENCHMARKS.md. `GLIBC_TUNABLES` with malloc settings, when
/// set, is left to rule.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    if std::env::var("GLIBC_TUNABLES").is_ok_and(|t| t.contains("glibc.malloc.")) {
        return;
    }
    // SAFETY: mallopt only sets allocator parameters, and runs before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 16 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

/// Exit code: every asset written.
const OK: u8 = 0;
/// Exit code: some asset failed (or an input file could not be used).
const FAILED: u8 = 1;
/// Exit code: usage error (unknown flag, platform or template).
const USAGE: u8 = 2;

fn main() -> ExitCode {
    tune_allocator();
    // Panics are bugs: say so plainly (batch and render turn a panic inside
    // one asset into that asset's error and go on).
    std::panic::set_hook(Box::new(|info| {
        eprintln!("postkit: internal error (please report it): {info}");
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { USAGE } else { OK });
        }
    };
    let code = match cli.command {
        Command::Render(args) => render(*args),
        Command::Platforms(args) => platforms(args),
        Command::Templates(args) => templates(args),
        Command::Check(args) => check(args),
        Command::Batch(args) => batch(*args),
        Command::Init(args) => init(args),
        Command::Completions(args) => docgen::completions(args),
        Command::Man(args) => docgen::man(args),
    };
    ExitCode::from(code)
}

/// Prints an error and gives its exit code.
fn fail(e: &Error) -> u8 {
    eprintln!("postkit: {e}");
    if e.is_usage() {
        USAGE
    } else {
        FAILED
    }
}

/// Largest story file read (the story itself is limited to far less).
const MAX_STORY_FILE_BYTES: u64 = 1024 * 1024;

/// Platforms named by the campaign file (no `--platform`) that the presets
/// do not have are that file's error.
fn select_platforms(
    presets: &Platforms,
    names: &[String],
    given: &[String],
    campaign: &str,
) -> Result<Vec<postkit::Platform>, u8> {
    presets.select(names).map_err(|e| {
        if !given.is_empty() {
            fail(&e)
        } else if campaign != "default" {
            eprintln!("postkit: {campaign}: platforms: {e}");
            FAILED
        } else {
            eprintln!("postkit: the default campaign's platforms: {e}; choose with --platform");
            USAGE
        }
    })
}

/// Warns about fonts the templates ask for outside their slots that no
/// font file has (the text is drawn in the default family).
fn warn_unavailable_fonts<'a>(
    templates: impl IntoIterator<Item = &'a TemplateSet>,
    engine: &Engine,
) {
    let mut seen: Vec<String> = Vec::new();
    for t in templates {
        for w in t.unavailable_fonts(|f| engine.fonts().has_family(f)) {
            if !seen.contains(&w) {
                eprintln!("postkit: warning: {w}");
                seen.push(w);
            }
        }
    }
}

fn read_story(args: &RenderArgs) -> Result<String, String> {
    match (&args.story, &args.story_file) {
        (Some(s), _) => Ok(s.clone()),
        (None, Some(p)) if p == "-" => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| format!("cannot read the story from standard input: {e}"))?;
            Ok(s)
        }
        (None, Some(p)) => postkit::error::read_input_text(
            std::path::Path::new(p),
            "story file",
            MAX_STORY_FILE_BYTES,
        )
        .map_err(|e| e.to_string()),
        (None, None) => Err("give the story with --story TEXT or --story-file PATH".into()),
    }
}

fn with_prefix(values: &[String], prefix: char) -> Vec<String> {
    values
        .iter()
        .map(|v| {
            let v = v.trim();
            if v.starts_with(prefix) {
                v.to_string()
            } else {
                format!("{prefix}{v}")
            }
        })
        .collect()
}

fn render(args: RenderArgs) -> u8 {
    let mut campaign = match Campaign::load(&args.common.campaign) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let brand = match args.brand.as_deref().map(Brand::load).transpose() {
        Ok(b) => b,
        Err(e) => return fail(&e),
    };
    let org = match (
        args.org.clone(),
        brand.as_ref().and_then(|b| b.name.clone()),
    ) {
        (Some(o), _) | (None, Some(o)) => o,
        (None, None) => {
            eprintln!("postkit: give the organisation's name with --org, or name = \"…\" in the brand file");
            return USAGE;
        }
    };
    if !args.hashtag.is_empty() {
        campaign.hashtags = with_prefix(&args.hashtag, '#');
    }
    if !args.tag.is_empty() {
        campaign.tags = with_prefix(&args.tag, '@');
    }
    let (tag_errors, tag_warnings) = postkit::caption::lint_hashtags(&campaign.hashtags);
    if let Some(e) = tag_errors.first() {
        eprintln!("postkit: {e}");
        return USAGE;
    }
    let story = match read_story(&args) {
        Ok(s) => s,
        Err(m) if args.story.is_none() && args.story_file.is_none() => m,
        Err(m) => {
            eprintln!("postkit: {m}");
            return FAILED;
        }
    };
    let story_given = args.story.is_some() || args.story_file.is_some();
    if story_given && postkit::text::clean(&story).is_empty() {
        eprintln!("postkit: the story is empty; give the text to set with --story or --story-file");
        return USAGE;
    }
    if postkit::text::clean(&org).is_empty() {
        eprintln!("postkit: --org is empty; give the organisation's name");
        return USAGE;
    }

    let template_names = if args.common.template.is_empty() {
        vec![campaign.template.clone()]
    } else {
        args.common.template.clone()
    };
    let mut templates = Vec::new();
    for name in &template_names {
        match TemplateSet::load(name) {
            Ok(t) => templates.push(t),
            Err(e) => return fail(&e),
        }
    }
    let needs_story = templates.iter().any(|t| {
        t.variants
            .iter()
            .any(|v| v.parsed.slots.iter().any(|s| s.field == "story"))
    });
    if needs_story && !story_given {
        eprintln!("postkit: {story}");
        return USAGE;
    }
    let story = if story_given { story } else { String::new() };
    let presets = match Platforms::load_or_embedded(args.common.platforms.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let platform_names = presets.names_or_defaults(&args.common.platform, &campaign);
    let platforms = match select_platforms(
        &presets,
        &platform_names,
        &args.common.platform,
        &args.common.campaign,
    ) {
        Ok(p) => p,
        Err(code) => return code,
    };

    let mut fonts = args.common.font.clone();
    if let Some(b) = &brand {
        fonts.extend(b.font_files());
    }
    let engine = match Engine::new(&fonts) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    if !args.common.quiet {
        warn_unavailable_fonts(&templates, &engine);
    }
    let mut content = Content::story(&campaign, &org, &story);
    content.focus = args.focus;
    content.notes = tag_warnings;
    content.set_direction(match args.common.dir {
        Dir::Auto => Direction::Auto,
        Dir::Ltr => Direction::Ltr,
        Dir::Rtl => Direction::Rtl,
    });
    let today = args
        .common
        .date
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
    content.set_date(&campaign, today);
    for (k, v) in &args.field {
        content.set_field(k, v);
    }
    for (slot, path) in [("logo", &args.logo), ("photo", &args.photo)] {
        if let Some(path) = path {
            match ImageInput::load(path, slot) {
                Ok(img) => {
                    content.images.insert(slot.to_string(), img);
                }
                Err(e) => return fail(&e),
            }
        }
    }
    if let Some(b) = &brand {
        if let Err(e) = b.apply(&campaign, &mut content) {
            return fail(&e);
        }
    }

    let job = Job {
        org: &org,
        content: &content,
        templates: &templates,
        platforms: &platforms,
        out: &args.common.out,
        output: args.common.output(),
        all_platforms: platform_names.iter().any(|p| p == "all"),
    };
    let report = postkit::run(&engine, &job);

    if args.common.json {
        out!(
            "{}",
            serde_json::to_string_pretty(&report).expect("a report serialises")
        );
    } else if !args.common.quiet {
        for a in &report.assets {
            out!("{}", a.path);
        }
    }
    if !args.common.quiet {
        for a in &report.assets {
            for w in &a.warnings {
                eprintln!(
                    "postkit: warning: {} ({} {}): {w}",
                    a.path, a.template, a.platform
                );
            }
        }
    }
    for e in &report.errors {
        eprintln!(
            "postkit: error: {} {}: {}",
            e.template, e.platform, e.message
        );
    }
    if !args.common.quiet && !args.common.json {
        eprintln!(
            "postkit: {} written, {} failed",
            report.assets.len(),
            report.errors.len()
        );
    }
    if report.errors.is_empty() {
        OK
    } else {
        FAILED
    }
}

fn platforms(args: ListArgs) -> u8 {
    let presets = Platforms::embedded();
    if args.json {
        out!(
            "{}",
            serde_json::to_string_pretty(presets.all()).expect("presets serialise")
        );
        return OK;
    }
    out!(
        "{:<22} {:>11}  {:<22} label",
        "name",
        "size",
        "safe (t r b l)"
    );
    for p in presets.all() {
        let safe = format!("{} {} {} {}", p.safe[0], p.safe[1], p.safe[2], p.safe[3]);
        out!(
            "{:<22} {:>11}  {:<22} {}{}",
            p.name,
            format!("{}x{}", p.width, p.height),
            safe,
            p.label,
            if p.default { " (default)" } else { "" }
        );
    }
    OK
}

fn templates(args: TemplatesArgs) -> u8 {
    match args.action {
        None => list_templates(args.json),
        Some(TemplatesAction::List { json }) => list_templates(json || args.json),
        Some(TemplatesAction::Show { name, out, json }) => {
            show_template(&name, &out, json || args.json)
        }
    }
}

fn list_templates(json: bool) -> u8 {
    let presets = Platforms::embedded();
    let mut list = Vec::new();
    for name in postkit::template::builtin_names() {
        match TemplateSet::load(name) {
            Ok(t) => list.push(t.info(presets.all())),
            Err(e) => return fail(&e),
        }
    }
    if json {
        out!("{}", serde_json::to_string_pretty(&list).expect("json"));
        return OK;
    }
    for t in &list {
        let variants: Vec<String> = t
            .variants
            .iter()
            .map(|v| format!("{} {}x{}", v.name, v.width, v.height))
            .collect();
        out!("{:<16} {}", t.name, t.description);
        out!("{:<16} variants: {}", "", variants.join(", "));
    }
    OK
}

/// The size of a preview of a variant no preset serves: its own size in
/// px, scaled down (never distorted) to what postkit renders.
fn preview_size(width: f32, height: f32) -> (u32, u32) {
    let side = postkit::platform::MAX_SIDE as f32;
    let area = postkit::raster::MAX_PIXELS as f32;
    let scale = (side / width)
        .min(side / height)
        .min((area / (width * height)).sqrt())
        .min(1.0);
    let px = |v: f32| ((v * scale).round() as u32).clamp(1, postkit::platform::MAX_SIDE);
    (px(width), px(height))
}

fn show_template(name: &str, out: &std::path::Path, json: bool) -> u8 {
    let set = match TemplateSet::load(name) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let presets = Platforms::embedded();
    let engine = match Engine::new(&[] as &[&str]) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    let info = set.info(presets.all());
    let content = postkit::check::sample_content(&Campaign::embedded());
    let mut previews = Vec::new();
    for v in &info.variants {
        // A preview at the variant's own size (or its first preset's).
        let platform = v
            .platforms
            .first()
            .and_then(|p| presets.get(p))
            .cloned()
            .unwrap_or_else(|| {
                let (w, h) = preview_size(v.width, v.height);
                postkit::Platform::custom(&v.name, w, h)
            });
        let path = out.join(format!(
            "{}-{}.png",
            postkit::output::slug(&set.name),
            v.name
        ));
        match engine
            .render(&set, &platform, &content)
            .and_then(|a| postkit::output::write_atomic(&path, &a.png))
        {
            Ok(()) => previews.push((v.name.clone(), Some(path.display().to_string()), None)),
            Err(e) => previews.push((v.name.clone(), None, Some(e.to_string()))),
        }
    }
    if json {
        let v = serde_json::json!({
            "template": info,
            "previews": previews.iter().map(|(v, p, e)| serde_json::json!({"variant": v, "path": p, "error": e})).collect::<Vec<_>>(),
        });
        out!("{}", serde_json::to_string_pretty(&v).expect("json"));
        return OK;
    }
    out!("{}: {}", info.name, info.description);
    for (v, (_, path, err)) in info.variants.iter().zip(&previews) {
        out!(
            "\n{}.svg  {}x{}  used for: {}",
            v.name,
            v.width,
            v.height,
            if v.platforms.is_empty() {
                "(no preset)".to_string()
            } else {
                v.platforms.join(", ")
            }
        );
        for s in &v.slots {
            out!(
                "  {:<14} {:<5} at {} {} {}x{}",
                s.name,
                s.kind,
                s.rect[0],
                s.rect[1],
                s.rect[2],
                s.rect[3]
            );
        }
        match (path, err) {
            (Some(p), _) => out!("  preview: {p}"),
            (_, Some(e)) => out!("  preview failed: {e}"),
            _ => {}
        }
    }
    OK
}

fn check(args: CheckArgs) -> u8 {
    let set = match TemplateSet::load(&args.template) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let presets = match Platforms::load_or_embedded(args.platforms.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let engine = match Engine::new(&[] as &[&str]) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    let findings = postkit::check::check(&set, presets.all(), &Campaign::embedded(), &engine);
    if args.json {
        out!("{}", serde_json::to_string_pretty(&findings).expect("json"));
    } else {
        for f in &findings {
            match &f.slot {
                Some(s) => out!("{}/{}: slot {s}: {}", set.name, f.variant, f.message),
                None => out!("{}/{}: {}", set.name, f.variant, f.message),
            }
        }
        eprintln!(
            "postkit: {}: {} problem{}",
            set.name,
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        );
    }
    if findings.is_empty() {
        OK
    } else {
        FAILED
    }
}

fn batch(args: BatchArgs) -> u8 {
    use std::io::IsTerminal;
    let start = std::time::Instant::now();
    let campaign = match Campaign::load(&args.common.campaign) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let presets = match Platforms::load_or_embedded(args.common.platforms.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let rows = match postkit::batch::read_rows(&args.file) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let base = args
        .file
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    // Names given as defaults are checked up front: a typo is a usage error.
    let templates = if args.common.template.is_empty() {
        vec![campaign.template.clone()]
    } else {
        args.common.template.clone()
    };
    for t in &templates {
        if let Err(e) = TemplateSet::load(t) {
            return fail(&e);
        }
    }
    let platforms = presets.names_or_defaults(&args.common.platform, &campaign);
    if let Err(code) = select_platforms(
        &presets,
        &platforms,
        &args.common.platform,
        &args.common.campaign,
    ) {
        return code;
    }
    let mut fonts = args.common.font.clone();
    fonts.extend(postkit::batch::brand_fonts(&rows, &base));
    let engine = match Engine::new(&fonts) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    let opts = postkit::batch::BatchOptions {
        out: args.common.out.clone(),
        base,
        templates,
        platforms,
        campaign,
        presets,
        output: args.common.output(),
        force: args.force,
        fail_fast: args.fail_fast,
        shard: args.shard,
        today: args
            .common
            .date
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().date()),
        direction: match args.common.dir {
            Dir::Auto => Direction::Auto,
            Dir::Ltr => Direction::Ltr,
            Dir::Rtl => Direction::Rtl,
        },
        jobs: args.jobs.unwrap_or(0),
    };
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
    let progress = |total: Option<usize>, _outcome: postkit::batch::Outcome| match total {
        Some(n) => bar.set_length(n as u64),
        None => bar.inc(1),
    };
    let result = postkit::batch::run_batch(&engine, &rows, &opts, &progress);
    bar.finish_and_clear();

    let report_name = match args.shard {
        Some((i, n)) => format!("report-{i}-of-{n}.json"),
        None => "report.json".to_string(),
    };
    // The report is streamed asset by asset: a batch of any size needs the
    // memory of one asset's report.
    let report = result.report();
    if let Err(e) = postkit::output::write_atomic_with(&args.common.out.join(&report_name), |w| {
        serde_json::to_writer_pretty(&mut *w, &report).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    }) {
        return fail(&e);
    }
    let mut review = None;
    if args.shard.is_none() {
        if let Err(e) = postkit::review::write_contact_sheets(&args.common.out, &report) {
            return fail(&e);
        }
        match postkit::review::write_index(
            &args.common.out,
            &report,
            &format!("postkit review: {}", args.file.display()),
        ) {
            Ok(p) => review = Some(p),
            Err(e) => return fail(&e),
        }
    }
    if args.common.json {
        let mut stdout = std::io::stdout().lock();
        if serde_json::to_writer_pretty(&mut stdout, &report).is_err() || writeln!(stdout).is_err()
        {
            return OK; // the reader went away (a closed pipe)
        }
    }
    if !args.common.quiet {
        for w in &result.warnings {
            eprintln!("postkit: warning: {w}");
        }
    }
    for e in &result.errors {
        let mut who = Vec::new();
        if let (Some(r), false) = (e.row, e.message.starts_with("row ")) {
            who.push(format!("row {r}"));
        }
        if let (Some(o), false) = (&e.org, e.template.is_empty()) {
            who.push(o.clone());
        }
        for s in [&e.template, &e.platform] {
            if !s.is_empty() {
                who.push(s.clone());
            }
        }
        if who.is_empty() {
            eprintln!("postkit: error: {}: {}", args.file.display(), e.message);
        } else {
            eprintln!(
                "postkit: error: {}: {}: {}",
                args.file.display(),
                who.join(" "),
                e.message
            );
        }
    }
    if !args.common.quiet {
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
            args.common.out.join(&report_name).display(),
            review
                .map(|p| format!("; review: {}", p.display()))
                .unwrap_or_default()
        );
    }
    if result.failed == 0 {
        OK
    } else {
        FAILED
    }
}

fn init(args: InitArgs) -> u8 {
    match postkit::scaffold::init(&args.dir) {
        Ok(files) => {
            for f in files {
                out!("{}", f.display());
            }
            eprintln!(
                "postkit: fill in {} and run: postkit batch {}",
                args.dir.join("batch.csv").display(),
                args.dir.join("batch.csv").display()
            );
            OK
        }
        Err(e) => fail(&e),
    }
}
