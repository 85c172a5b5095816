//! `postkit render`: one organisation's story at every size. A one-row
//! plan: the flags become the same input a spreadsheet row is.

use std::io::Read;

use postkit::output::{Destination, Durability};
use postkit::plan::{Files, Input, PlanError, Problem};
use postkit::{Engine, Report};

use crate::cli::RenderArgs;
use crate::{fail, FAILED, OK, USAGE};

/// Largest story (or translation) file read (the text itself is limited
/// to far less).
const MAX_STORY_FILE_BYTES: u64 = 1024 * 1024;

pub fn run(args: RenderArgs) -> u8 {
    let defaults = match super::defaults(&args.common) {
        Ok(d) => d,
        Err((code, message)) => {
            eprintln!("postkit: {message}");
            print_failure(&args, &message, None, postkit::ErrorClass::BadInput);
            return code;
        }
    };
    let texts = if args.story_file.as_deref() == Some("-")
        && args.translation_file.as_deref() == Some("-")
    {
        Err("only one of --story-file and --translation-file can read standard input (-)".into())
    } else {
        read_text(&args.story, &args.story_file, ("story", "story file")).and_then(|story| {
            let what = ("translation", "translation file");
            let translation = read_text(&args.translation, &args.translation_file, what)?;
            Ok((story, translation))
        })
    };
    let (story, translation) = match texts {
        Ok(t) => t,
        Err(m) => {
            eprintln!("postkit: {m}");
            print_failure(&args, &m, None, postkit::ErrorClass::BadInput);
            return FAILED;
        }
    };
    let input = input(&args, story.as_deref(), translation.as_deref());
    let request = match postkit::plan::plan(&input, &defaults, &Files::new("")) {
        Ok(r) => r,
        Err(e) => return plan_failed(&e, &args),
    };
    let mut fonts = args.common.font.clone();
    fonts.extend(request.brand.iter().flat_map(|b| b.font_files()));
    let engine = match Engine::new(&fonts) {
        Ok(e) => e,
        Err(e) => {
            print_failure(&args, &e.to_string(), e.field(), e.class());
            return fail(&e);
        }
    };
    if !args.common.quiet {
        super::warn_unavailable_fonts(request.templates.iter().map(|t| &**t), &engine);
    }
    let dest = Destination {
        out: &args.common.out,
        org: &request.org,
        suffix: None,
    };
    let make = args.common.make();
    let report =
        postkit::make::make_and_write(&engine, &request, &make, &dest, Durability::EachFile);
    print(&args, &report);
    if report.errors.is_empty() {
        OK
    } else {
        FAILED
    }
}

/// The flags as a planner's input: the columns a spreadsheet row has.
fn input(args: &RenderArgs, story: Option<&str>, translation: Option<&str>) -> Input {
    let mut input = Input::default();
    let path = |p: &std::path::PathBuf| p.to_string_lossy().to_string();
    for (key, value) in [
        ("org", args.org.clone()),
        ("story", story.map(str::to_string)),
        ("brand", args.brand.as_ref().map(path)),
        ("logo", args.logo.as_ref().map(path)),
        ("photo", args.photo.as_ref().map(path)),
        ("focus", args.focus.map(|(x, y)| format!("{x},{y}"))),
        ("lang", args.lang.clone()),
        ("card_lang", args.card_lang.clone()),
        ("translation", translation.map(str::to_string)),
        ("translation_lang", args.translation_lang.clone()),
        ("translation_dir", args.translation_dir.clone()),
    ] {
        if let Some(v) = value {
            input.set(key, &v);
        }
    }
    input.set_list("hashtags", &args.hashtag);
    input.set_list("tags", &args.tag);
    input.set_list("template", &args.common.template);
    input.set_list("platform", &args.common.platform);
    for (k, v) in &args.field {
        input.fields.insert(k.trim().to_string(), v.clone());
    }
    input
}

/// A text from `--NAME TEXT`, `--NAME-file PATH` or `--NAME-file -`
/// (standard input); None when neither was given.
fn read_text(
    inline: &Option<String>,
    file: &Option<String>,
    (what, file_what): (&str, &'static str),
) -> Result<Option<String>, String> {
    match (inline, file) {
        (Some(s), _) => Ok(Some(s.clone())),
        (None, Some(p)) if p == "-" => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| format!("cannot read the {what} from standard input: {e}"))?;
            Ok(Some(s))
        }
        (None, Some(p)) => postkit::error::read_input_text(
            std::path::Path::new(p),
            file_what,
            MAX_STORY_FILE_BYTES,
        )
        .map(Some)
        .map_err(|e| e.to_string()),
        (None, None) => Ok(None),
    }
}

/// A planning error in the command line's words, and its exit code: what
/// the user typed wrong is a usage error (2); a file that could not be
/// used is a failure (1).
fn plan_failed(e: &PlanError, args: &RenderArgs) -> u8 {
    let story_given = args.story.is_some() || args.story_file.is_some();
    let message = match (e.field.as_str(), e.problem) {
        ("org", Problem::Empty) if args.org.is_none() => {
            "give the organisation's name with --org, or name = \"…\" in the brand file".into()
        }
        ("org", Problem::Empty) => "--org is empty; give the organisation's name".into(),
        ("story", Problem::Empty) if !story_given => {
            "give the story with --story TEXT or --story-file PATH".into()
        }
        ("story", Problem::Empty) => {
            "the story is empty; give the text to set with --story or --story-file".into()
        }
        (_, Problem::Empty) if !e.missing.is_empty() => {
            let how: Vec<String> = e.missing.iter().map(|f| flag_for(f)).collect();
            format!(
                "{}: give {}",
                e.message,
                postkit::plan::and_list_owned(&how)
            )
        }
        ("lang" | "card_lang" | "translation" | "translation_lang" | "translation_dir", _) => {
            format!("--{}: {}", e.field.replace('_', "-"), e.message)
        }
        _ => e.message.clone(),
    };
    eprintln!("postkit: {message}");
    print_failure(args, &message, Some(&e.field), e.class);
    match e.problem {
        Problem::Unusable => FAILED,
        Problem::Empty | Problem::Invalid | Problem::Unknown => USAGE,
    }
}

/// The flag that gives `field`.
fn flag_for(field: &str) -> String {
    match field {
        "story" => "--story TEXT".into(),
        "logo" | "photo" => format!("--{field} PATH"),
        f => format!("--field {f}=…"),
    }
}

/// With `--json`, a failure before any asset was made is still one JSON
/// document on stdout: no assets, and the error (with the field at fault),
/// so that a script always has JSON to read.
fn print_failure(
    args: &RenderArgs,
    message: &str,
    field: Option<&str>,
    class: postkit::ErrorClass,
) {
    if !args.common.json {
        return;
    }
    let report = Report {
        assets: Vec::new(),
        errors: vec![postkit::ErrorReport {
            field: field.map(str::to_string),
            ..postkit::ErrorReport::new("", "", message.to_string(), class)
        }],
    };
    out!(
        "{}",
        serde_json::to_string_pretty(&report).expect("a report serialises")
    );
}

fn print(args: &RenderArgs, report: &Report) {
    let quiet = args.common.quiet;
    if args.common.json {
        out!(
            "{}",
            serde_json::to_string_pretty(report).expect("a report serialises")
        );
    } else if !quiet {
        for a in &report.assets {
            out!("{}", a.path);
        }
    }
    if !quiet {
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
    if !quiet && !args.common.json {
        eprintln!(
            "postkit: {} written, {} failed",
            report.assets.len(),
            report.errors.len()
        );
    }
}
