//! The `postkit` binary: arguments in, library calls, messages and an exit
//! code out. No pipeline logic lives here.

mod cli;

use std::io::Read;
use std::process::ExitCode;

use clap::Parser;
use postkit::brand::Brand;
use postkit::text::Direction;
use postkit::{Campaign, Content, Engine, Error, ImageInput, Job, Platforms, TemplateSet};

use cli::{Cli, Command, Dir, ListArgs, RenderArgs};

/// Exit code: every asset written.
const OK: u8 = 0;
/// Exit code: some asset failed (or an input file could not be used).
const FAILED: u8 = 1;
/// Exit code: usage error (unknown flag, platform or template).
const USAGE: u8 = 2;

fn main() -> ExitCode {
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
        (None, Some(p)) => {
            std::fs::read_to_string(p).map_err(|e| format!("cannot read the story file {p}: {e}"))
        }
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
    let mut campaign = match Campaign::load(&args.campaign) {
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

    let template_names = if args.template.is_empty() {
        vec![campaign.template.clone()]
    } else {
        args.template.clone()
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
    let presets = match &args.platforms {
        None => Platforms::embedded(),
        Some(path) => match Platforms::load(path) {
            Ok(p) => p,
            Err(e) => return fail(&e),
        },
    };
    let platform_names = if !args.platform.is_empty() {
        args.platform.clone()
    } else if !campaign.platforms.is_empty() {
        campaign.platforms.clone()
    } else {
        presets
            .all()
            .iter()
            .filter(|p| p.default)
            .map(|p| p.name.clone())
            .collect()
    };
    let platforms = match presets.select(&platform_names) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };

    let mut fonts = args.font.clone();
    if let Some(b) = &brand {
        fonts.extend(b.font_files());
    }
    let engine = match Engine::new(&fonts) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    let mut content = Content::story(&campaign, &org, &story);
    content.focus = args.focus;
    content.set_direction(match args.dir {
        Dir::Auto => Direction::Auto,
        Dir::Ltr => Direction::Ltr,
        Dir::Rtl => Direction::Rtl,
    });
    let today = args
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
        out: &args.out,
        emit_svg: args.emit_svg,
        strict: args.strict,
    };
    let report = postkit::run(&engine, &job);

    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("a report serialises")
        );
    } else if !args.quiet {
        for a in &report.assets {
            println!("{}", a.path);
        }
    }
    if !args.quiet {
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
    if !args.quiet && !args.json {
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
        println!(
            "{}",
            serde_json::to_string_pretty(presets.all()).expect("presets serialise")
        );
        return OK;
    }
    println!(
        "{:<22} {:>11}  {:<22} label",
        "name", "size", "safe (t r b l)"
    );
    for p in presets.all() {
        let safe = format!("{} {} {} {}", p.safe[0], p.safe[1], p.safe[2], p.safe[3]);
        println!(
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

fn templates(args: ListArgs) -> u8 {
    let mut list = Vec::new();
    for name in postkit::template::builtin_names() {
        match TemplateSet::load(name) {
            Ok(t) => list.push(t),
            Err(e) => return fail(&e),
        }
    }
    if args.json {
        let v: Vec<serde_json::Value> = list
            .iter()
            .map(|t| {
                serde_json::json!({
                    "name": t.name,
                    "description": t.description,
                    "variants": t.variants.iter().map(|v| serde_json::json!({
                        "name": v.name,
                        "width": v.parsed.width,
                        "height": v.parsed.height,
                        "slots": v.parsed.slots.iter().map(|s| s.field.clone()).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v).expect("json"));
        return OK;
    }
    for t in &list {
        let variants: Vec<String> = t
            .variants
            .iter()
            .map(|v| format!("{} {}x{}", v.name, v.parsed.width, v.parsed.height))
            .collect();
        println!("{:<16} {}", t.name, t.description);
        println!("{:<16} variants: {}", "", variants.join(", "));
    }
    OK
}
