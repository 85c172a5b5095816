//! Malformed inputs: broken TOML, CSV and JSON, fonts postkit does not
//! have, files that are missing or are not files. Each message names the
//! file (and line, and field) and what referred to it; nothing is written
//! when the run fails before rendering.

use std::path::Path;

use crate::common::{decode, postkit, Run};
use crate::{lines, nothing_written, template, written_only_to_out};

fn render(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["render", "--org", "Hub", "--story", "Hi"];
    args.extend_from_slice(extra);
    postkit(dir, &args)
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_campaign_file_with_bad_toml_names_the_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    for (text, message) in [
        (
            "name = \"X\"\nhashtags = \"#One\"\n",
            "postkit: c.toml: not a valid campaign file: line 2, column 12: hashtags: invalid type: string \"#One\", expected a list, e.g. [\"a\", \"b\"]",
        ),
        (
            "name = \"X\"\n[palette]\nprimary = 1\n",
            "postkit: c.toml: not a valid campaign file: line 3, column 11: palette.primary: invalid type: integer `1`, expected text in quotes",
        ),
        (
            "name = \"X\"\ntheme = \n",
            "postkit: c.toml: not a valid campaign file: line 2, column 9: theme: invalid string; expected `\"`, `'`",
        ),
        (
            "name = \"X\"\ncolour = \"red\"\n",
            "postkit: c.toml: not a valid campaign file: line 2, column 1: unknown field `colour`, expected one of `name`, `theme`, `date`, `pin_year`, `date_label`, `week_label`, `headline`, `hashtags`, `tags`, `template`, `platforms`, `palette`, `lang`, `latin_digits`, `text`",
        ),
        (
            "name = \"X\"\n\ndate = \"18 December\"\n",
            "postkit: c.toml: line 3: date = \"18 December\" is not a date; write it as YYYY-MM-DD",
        ),
    ] {
        write(dir.path(), "c.toml", text);
        let r = render(dir.path(), &["--campaign", "c.toml"]);
        assert_eq!(r.code, 1, "{text}");
        assert_eq!(lines(&r.stderr), [message], "{text}");
        nothing_written(dir.path(), &["c.toml"]);
    }
}

#[test]
fn a_brand_file_with_bad_toml_names_the_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    for (text, message) in [
        (
            "name = 3\n",
            "postkit: brand.toml: not a valid brand file: line 1, column 8: name: invalid type: integer `3`, expected text in quotes",
        ),
        (
            "name = \"X\"\n[colours]\nprimary = 0x123456\n",
            "postkit: brand.toml: not a valid brand file: line 3, column 11: colours.primary: invalid type: integer `1193046`, expected text in quotes",
        ),
        (
            "name = \"X\"\n[fonts]\nfiles = \"a.ttf\"\n",
            "postkit: brand.toml: not a valid brand file: line 3, column 9: fonts.files: invalid type: string \"a.ttf\", expected a list, e.g. [\"a\", \"b\"]",
        ),
        (
            "name = \"X\"\n[colors]\naccent = \"#12345\"\n",
            "postkit: brand.toml: line 3: colours.accent = \"#12345\" is not a colour; write it as #RRGGBB",
        ),
    ] {
        write(dir.path(), "brand.toml", text);
        let r = postkit(
            dir.path(),
            &["render", "--brand", "brand.toml", "--story", "Hi"],
        );
        assert_eq!(r.code, 1, "{text}");
        assert_eq!(lines(&r.stderr), [message], "{text}");
        nothing_written(dir.path(), &["brand.toml"]);
    }
}

#[test]
fn a_platforms_file_with_bad_toml_names_the_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let preset = |name: &str, extra: &str| {
        format!("[[platform]]\nname = \"{name}\"\nwidth = 100\nheight = 100\n{extra}\n")
    };
    for (text, message) in [
        (
            format!("{}[[platform]]\nname = \"b\"\nwidth = \"1080\"\nheight = 100\n", preset("a", "")),
            "postkit: p.toml: not a valid platforms file: line 8, column 9: platform.width: invalid type: string \"1080\", expected a whole number",
        ),
        (
            "[[platform]]\nwidth = -5\nheight = 100\n".into(),
            "postkit: p.toml: not a valid platforms file: line 2, column 9: platform.width: invalid value: integer `-5`, expected a whole number",
        ),
        (
            "[[platform]]\nwidth = 100\nheight = 100\n".into(),
            "postkit: p.toml: not a valid platforms file: line 1, column 1: platform: missing field `name`",
        ),
        (
            preset("a", "format = \"gif\""),
            "postkit: p.toml: line 5: platform a: format = \"gif\" is not a format postkit writes; use png, jpeg, webp or (with a video table) mp4",
        ),
        (
            format!("{}{}", preset("a", ""), preset("a", "")),
            "postkit: p.toml: line 7: platform a is defined twice (first at line 2); give each preset its own name",
        ),
        (
            preset("all", ""),
            "postkit: p.toml: line 2: platform name \"all\" cannot be used (it is empty, 'all', 'video' or has a comma); give each preset a name such as instagram-square",
        ),
        (
            preset("a", "safe = [60, 0, 40, 0]"),
            "postkit: p.toml: line 5: platform a: the safe zone (60 0 40 0) leaves nothing of its 100x100 px; make the insets smaller",
        ),
    ] {
        write(dir.path(), "p.toml", &text);
        let r = render(dir.path(), &["--platforms", "p.toml", "--platform", "a"]);
        assert_eq!(r.code, 1, "{text}");
        assert_eq!(lines(&r.stderr), [message], "{text}");
        nothing_written(dir.path(), &["p.toml"]);
    }
}

#[test]
fn a_template_toml_with_bad_toml_names_the_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let t = template(dir.path(), "");
    write(
        dir.path(),
        "evil/template.toml",
        "description = \"x\"\nskip_platforms = \"x-post\"\n",
    );
    let r = render(dir.path(), &["--template", &t]);
    assert_eq!(r.code, 1);
    assert_eq!(
        lines(&r.stderr),
        ["postkit: evil/template.toml: line 2, column 18: skip_platforms: invalid type: string \"x-post\", expected a list, e.g. [\"a\", \"b\"]"]
    );
    nothing_written(dir.path(), &["evil/square.svg", "evil/template.toml"]);
}

#[test]
fn a_csv_with_an_unbalanced_quote_or_a_short_row_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    // The quote opened on line 3 runs to the end of the file.
    write(
        dir.path(),
        "quote.csv",
        "org,story\nFirst Hub,Hi\n\"Second Hub,Hi\nThird Hub,Hi\n",
    );
    let r = postkit(dir.path(), &["batch", "quote.csv"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        lines(&r.stderr),
        ["postkit: quote.csv: line 3: a quote (\") opened on this line is never closed, so the rest of the file reads as one value; close it, or write a quote inside a quoted value as two (\"\")"]
    );
    nothing_written(dir.path(), &["quote.csv"]);

    for (text, line, found) in [
        (
            "org,story\nFirst Hub,Hi\nSecond Hub,Hi,extra\n",
            3,
            "3 values",
        ),
        (
            "org,story\nFirst Hub,Hi\n# a comment\nSecond Hub\n",
            4,
            "1 value",
        ),
    ] {
        write(dir.path(), "rows.csv", text);
        let r = postkit(dir.path(), &["batch", "rows.csv"]);
        assert_eq!(r.code, 1, "{text}");
        assert_eq!(
            lines(&r.stderr),
            [format!("postkit: rows.csv: line {line}: the row has {found}, the header has 2 columns; put a value that holds a comma in quotes (\"a, b\"), and give every row the header's number of columns (empty ones may be left blank: a,,c)")],
            "{text}"
        );
        nothing_written(dir.path(), &["quote.csv", "rows.csv"]);
    }
}

#[test]
fn a_bad_json_batch_names_the_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.json",
        "[{\"org\": \"x\"\n \"story\": \"y\"}]",
    );
    let r = postkit(dir.path(), &["batch", "a.json"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        lines(&r.stderr),
        ["postkit: a.json: line 2, column 2: expected `,` or `}`; the file must be an array of objects"]
    );
    write(dir.path(), "b.json", "[1, 2]");
    let r = postkit(dir.path(), &["batch", "b.json"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        lines(&r.stderr),
        ["postkit: b.json: line 1, column 2: invalid type: integer `1`, expected a map; the file must be an array of objects"]
    );
    nothing_written(dir.path(), &["a.json", "b.json"]);

    // A row whose story is null: that row fails by number and column, the
    // others are written.
    write(
        dir.path(),
        "c.json",
        "[{\"org\": \"First Hub\", \"story\": \"Hi\"},\n {\"org\": \"Second Hub\", \"story\": null}]",
    );
    let r = postkit(
        dir.path(),
        &["batch", "c.json", "--platform", "x-post", "--quiet"],
    );
    assert_eq!(r.code, 3);
    assert_eq!(
        lines(&r.stderr),
        ["postkit: error: c.json: row 2: column story: is empty; every row for these templates needs a story"]
    );
    written_only_to_out(dir.path(), &["a.json", "b.json", "c.json"]);
    assert!(dir
        .path()
        .join("out/first-hub/story-quote-x-post.png")
        .is_file());
}

#[test]
fn a_font_family_postkit_lacks_is_named_and_the_asset_falls_back_to_noto_sans() {
    let dir = tempfile::tempdir().unwrap();
    let svg = |text_family: &str, slot_family: &str| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1000 1000\"><text x=\"100\" y=\"900\" font-size=\"60\" font-family=\"{text_family}\">Fixed line</text><rect data-slot=\"story\" x=\"100\" y=\"100\" width=\"800\" height=\"400\" data-font-family=\"{slot_family}\"/></svg>"
        )
    };
    write(
        dir.path(),
        "fancy/square.svg",
        &svg("Comic Papyrus, Wingdings", "Fancy Serif Pro"),
    );
    write(
        dir.path(),
        "plain/square.svg",
        &svg("Noto Sans", "Noto Sans"),
    );
    let r = render(dir.path(), &["--template", "fancy", "--platform", "x-post"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        lines(&r.stderr),
        [
            "postkit: warning: template fancy/square.svg: font 'Comic Papyrus' (<text> at line 1, column 65) is not available; using Noto Sans instead (add it with --font)",
            "postkit: warning: out/hub/fancy-x-post.png (fancy x-post): font 'Fancy Serif Pro' (slot story) is not available; using Noto Sans instead (add it with --font)",
            "postkit: 1 written, 0 failed",
        ]
    );
    let r = render(dir.path(), &["--template", "plain", "--platform", "x-post"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.stderr), ["postkit: 1 written, 0 failed"]);
    // The fallback is Noto Sans: the same pixels as asking for it.
    assert!(
        decode(&dir.path().join("out/hub/fancy-x-post.png"))
            == decode(&dir.path().join("out/hub/plain-x-post.png")),
        "the unknown families were not drawn in Noto Sans"
    );
    // A batch says it once for a template its rows name, whatever the number
    // of rows.
    write(
        dir.path(),
        "rows.csv",
        "org,story,template\nHub,Hi,fancy\nHall,Hello,fancy\nHome,Hey,plain\n",
    );
    let r = postkit(dir.path(), &["batch", "rows.csv", "--platform", "x-post"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let template_warnings: Vec<&str> = lines(&r.stderr)
        .into_iter()
        .filter(|l| l.starts_with("postkit: warning: template "))
        .collect();
    assert_eq!(
        template_warnings,
        ["postkit: warning: template fancy/square.svg: font 'Comic Papyrus' (<text> at line 1, column 65) is not available; using Noto Sans instead (add it with --font)"]
    );
    written_only_to_out(
        dir.path(),
        &["fancy/square.svg", "plain/square.svg", "rows.csv"],
    );
}

#[test]
fn a_missing_or_broken_font_file_is_named_with_what_asked_for_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notfont.ttf", "hello");
    std::fs::create_dir_all(dir.path().join("fonts")).unwrap();
    for (font, message) in [
        (
            "missing.ttf",
            "postkit: cannot read the font file missing.ttf: No such file or directory (os error 2)",
        ),
        (
            "notfont.ttf",
            "postkit: font notfont.ttf: it is not a TrueType/OpenType font (.ttf, .otf or .ttc)",
        ),
        ("fonts", "postkit: cannot read the font file fonts: it is a folder; give a file"),
    ] {
        let r = render(dir.path(), &["--font", font]);
        assert_eq!(r.code, 1, "{font}");
        assert_eq!(lines(&r.stderr), [message], "{font}");
    }
    nothing_written(dir.path(), &["notfont.ttf"]);

    // A brand's font files are checked when the brand is read: the message
    // names the brand file and line; in a batch, only that row fails.
    write(
        dir.path(),
        "brand.toml",
        "name = \"Branded Hub\"\n[fonts]\nfiles = [\"missing.ttf\"]\n",
    );
    let r = postkit(
        dir.path(),
        &["render", "--brand", "brand.toml", "--story", "Hi"],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        lines(&r.stderr),
        ["postkit: brand.toml: line 3: fonts.files: cannot read the font file missing.ttf: No such file or directory (os error 2)"]
    );
    nothing_written(dir.path(), &["notfont.ttf", "brand.toml"]);
    write(
        dir.path(),
        "rows.csv",
        "org,story,brand\nGood Hub,Hi,\nBranded Hub,Hi,brand.toml\n",
    );
    let r = postkit(
        dir.path(),
        &["batch", "rows.csv", "--platform", "x-post", "--quiet"],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(
        lines(&r.stderr),
        ["postkit: error: rows.csv: row 2 (line 3): column brand: brand.toml: line 3: fonts.files: cannot read the font file missing.ttf: No such file or directory (os error 2)"]
    );
    assert!(dir
        .path()
        .join("out/good-hub/story-quote-x-post.png")
        .is_file());
    written_only_to_out(dir.path(), &["notfont.ttf", "brand.toml", "rows.csv"]);
}

#[test]
fn a_missing_logo_is_named_with_what_asked_for_it() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, message) in [
        (
            "--logo",
            "postkit: cannot read the logo missing.png: No such file or directory (os error 2)",
        ),
        (
            "--photo",
            "postkit: cannot read the photo missing.png: No such file or directory (os error 2)",
        ),
    ] {
        let r = render(
            dir.path(),
            &[flag, "missing.png", "--template", "photo-story"],
        );
        assert_eq!(r.code, 1, "{flag}");
        assert_eq!(lines(&r.stderr), [message], "{flag}");
    }
    nothing_written(dir.path(), &[]);

    // Named by a brand file: the brand file and line say who asked.
    write(
        dir.path(),
        "brand.toml",
        "name = \"Hub\"\nlogo = \"missing.png\"\n",
    );
    let r = postkit(
        dir.path(),
        &["render", "--brand", "brand.toml", "--story", "Hi"],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        lines(&r.stderr),
        ["postkit: brand.toml: line 2: logo: cannot read the logo missing.png: No such file or directory (os error 2)"]
    );
    nothing_written(dir.path(), &["brand.toml"]);

    // Named by a batch row: the row, line and column say who asked; the
    // path is resolved from the batch file's folder.
    write(
        dir.path(),
        "in/rows.csv",
        "org,story,logo\nGood Hub,Hi,\nLogo Hub,Hi,missing.png\n",
    );
    let r = postkit(
        dir.path(),
        &["batch", "in/rows.csv", "--platform", "x-post", "--quiet"],
    );
    assert_eq!(r.code, 3);
    assert_eq!(
        lines(&r.stderr),
        ["postkit: error: in/rows.csv: row 2 (line 3): column logo: cannot read the logo in/missing.png: No such file or directory (os error 2)"]
    );
    assert!(dir
        .path()
        .join("out/good-hub/story-quote-x-post.png")
        .is_file());
    written_only_to_out(dir.path(), &["brand.toml", "in/rows.csv"]);
}

#[test]
fn a_campaign_naming_a_missing_template_or_platform_is_that_files_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = render(dir.path(), &["--campaign", "missing.toml"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        lines(&r.stderr),
        ["postkit: cannot read the campaign file missing.toml: No such file or directory (os error 2)"]
    );
    let builtins = postkit::template::builtin_names().join(", ");
    for (text, message) in [
        (
            "name = \"X\"\ntemplate = \"cards/quote.svg\"\n",
            format!("postkit: kit/c.toml: line 2: template = \"cards/quote.svg\" is neither a built-in template nor a template folder or .svg file (kit/cards/quote.svg does not exist); built-in templates: {builtins}"),
        ),
        (
            "name = \"X\"\ntemplate = \"story-qoute\"\n",
            format!("postkit: kit/c.toml: line 2: template = \"story-qoute\" is neither a built-in template nor a template folder or .svg file (kit/story-qoute does not exist); built-in templates: {builtins}"),
        ),
        (
            "name = \"X\"\nplatforms = [\"x-post\", \"myspace\"]\n",
            format!(
                "postkit: kit/c.toml: platforms: unknown platform 'myspace'; valid platforms: {}, all (every still) or video (every clip)",
                postkit::Platforms::embedded().names().join(", ")
            ),
        ),
    ] {
        write(dir.path(), "kit/c.toml", text);
        let r = render(dir.path(), &["--campaign", "kit/c.toml"]);
        assert_eq!(r.code, 1, "{text}");
        assert_eq!(lines(&r.stderr), [message.as_str()], "{text}");
        nothing_written(dir.path(), &["kit/c.toml"]);
    }

    // A template the campaign names is found from the campaign's folder.
    let t = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1000 1000\"><rect data-slot=\"story\" x=\"100\" y=\"100\" width=\"800\" height=\"400\"/></svg>";
    write(dir.path(), "kit/cards/quote.svg", t);
    write(
        dir.path(),
        "kit/c.toml",
        "name = \"X\"\ntemplate = \"cards/quote.svg\"\nplatforms = [\"x-post\"]\n",
    );
    let r = render(dir.path(), &["--campaign", "kit/c.toml", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.path().join("out/hub/quote-x-post.png").is_file());
    written_only_to_out(dir.path(), &["kit/c.toml", "kit/cards/quote.svg"]);
}

/// Runs postkit with its address space capped, so that reading a device to
/// its (missing) end fails fast instead of taking the machine's memory.
#[cfg(target_os = "linux")]
fn postkit_capped(dir: &Path, args: &[&str]) -> Run {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_postkit"));
    cmd.args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null());
    // SAFETY: setrlimit is async-signal-safe and only touches the child.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 2 << 30,
                rlim_max: 2 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[cfg(target_os = "linux")]
#[test]
fn devices_and_folders_given_as_files_are_refused_not_read_forever() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("folder")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.svg")).unwrap();
    let device = "it is not a regular file (a device or a pipe); give a file";
    for (args, message) in [
        (
            vec!["--logo", "/dev/zero"],
            format!("postkit: cannot read the logo /dev/zero: {device}"),
        ),
        (
            vec!["--campaign", "/dev/zero"],
            format!("postkit: cannot read the campaign file /dev/zero: {device}"),
        ),
        (
            vec!["--platforms", "/dev/zero"],
            format!("postkit: cannot read the platforms file /dev/zero: {device}"),
        ),
        (
            vec!["--brand", "/dev/zero"],
            format!("postkit: cannot read the brand file /dev/zero: {device}"),
        ),
        (
            vec!["--font", "/dev/zero"],
            format!("postkit: cannot read the font file /dev/zero: {device}"),
        ),
        (
            vec!["--template", "zero.svg"],
            format!("postkit: cannot read the template zero.svg: {device}"),
        ),
        (
            vec!["--logo", "folder"],
            "postkit: cannot read the logo folder: it is a folder; give a file".to_string(),
        ),
    ] {
        let mut all = vec!["render", "--org", "Hub", "--story", "Hi"];
        all.extend(&args);
        let r = postkit_capped(dir.path(), &all);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert_eq!(lines(&r.stderr), [message.as_str()], "{args:?}");
    }
    let r = postkit_capped(
        dir.path(),
        &["render", "--org", "Hub", "--story-file", "/dev/zero"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        lines(&r.stderr),
        [format!("postkit: cannot read the story file /dev/zero: {device}").as_str()]
    );
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("rows.csv")).unwrap();
    let r = postkit_capped(dir.path(), &["batch", "rows.csv"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        lines(&r.stderr),
        [format!("postkit: cannot read the batch file rows.csv: {device}").as_str()]
    );
    assert_eq!(crate::common::files(dir.path()), ["rows.csv", "zero.svg"]);
}
