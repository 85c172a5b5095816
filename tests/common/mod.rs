//! Helpers for tests that run the real `postkit` binary in a temp dir.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The story used by the golden images and most tests.
pub const STORY: &str = "When we arrived in Plymouth we knew nobody. The volunteers at the hub met us at the station, found us a home and taught our children to love the sea. Now I teach Arabic on Saturdays and my neighbours teach me to bake saffron buns.";

/// The crate root (for examples and golden files).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Result of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `postkit ARGS` in `dir`, with `stdin` if given.
pub fn postkit_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_postkit"));
    cmd.args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = cmd.spawn().expect("postkit runs");
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs `postkit ARGS` in `dir`.
pub fn postkit(dir: &Path, args: &[&str]) -> Run {
    postkit_in(dir, args, None)
}

/// Every file below `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else {
                    out.push(p.strip_prefix(base).unwrap().display().to_string());
                }
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Decodes a PNG to RGBA8.
pub fn decode(path: &Path) -> image::RgbaImage {
    image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgba8()
}

/// The engine with the embedded fonts, built once per test binary.
pub fn engine() -> &'static postkit::Engine {
    static E: std::sync::OnceLock<postkit::Engine> = std::sync::OnceLock::new();
    E.get_or_init(|| postkit::Engine::new(&[] as &[&str]).unwrap())
}

/// Its font book.
pub fn book() -> &'static postkit::FontBook {
    engine().fonts()
}

/// Noto Sans, regular, from `min` to `max` px, left-aligned, direction
/// from the text.
pub fn style(min: f32, max: f32) -> postkit::text::TextStyle {
    use postkit::text::{Align, Direction, TextStyle, VAlign};
    TextStyle {
        family: "Noto Sans".into(),
        weight: 400,
        size_min: min,
        size_max: max,
        line_height: 1.3,
        align: Align::Start,
        valign: VAlign::Top,
        max_lines: None,
        direction: Direction::Auto,
        lang: None,
    }
}

/// The byte offset in `text` where each line of `block` ends (its text and
/// the spaces after it), paragraph ends excluded. Lines are left-to-right.
pub fn line_ends(text: &str, block: &postkit::text::TextBlock) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut pos = 0;
    for line in &block.lines {
        let t: String = line.runs.iter().map(|r| r.text.as_str()).collect();
        let t = t.trim_start();
        pos += text[pos..].len() - text[pos..].trim_start().len();
        assert!(
            text[pos..].starts_with(t),
            "line {t:?} is not the text at {pos}"
        );
        pos += t.len();
        ends.push(pos);
    }
    ends.pop();
    ends
}

/// The first line a child prints on its piped stdout (at most 200 bytes):
/// a server's "serving on" line.
pub fn first_line(child: &mut std::process::Child) -> String {
    use std::io::Read;
    let mut line = String::new();
    let mut out = child.stdout.take().expect("stdout is piped");
    let mut byte = [0u8; 1];
    while !line.ends_with('\n') && line.len() < 200 && out.read(&mut byte).unwrap_or(0) == 1 {
        line.push(byte[0] as char);
    }
    line
}

/// The Python of the venv `.ci/run` makes (`POSTKIT_VENV`, or
/// /tmp/postkit-venv), with `module` importable; a clear failure otherwise.
pub fn venv_python(module: &str) -> PathBuf {
    let venv = std::env::var_os("POSTKIT_VENV")
        .map_or_else(|| PathBuf::from("/tmp/postkit-venv"), PathBuf::from);
    let python = venv.join("bin/python3");
    let ok = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "this test needs the Python module {module} in {}: run .ci/run, or python3 -m venv {0} && {0}/bin/pip install prometheus-client openapi-spec-validator schemathesis",
        venv.display()
    );
    python
}

/// A workbook as a spreadsheet program saves it: five organisations, two
/// logos (in a `logos` folder beside it), one row with no story.
pub fn campaign_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("Partners").unwrap();
    let rows = [
        ["org", "story", "logo", "platform"],
        [
            "Café Solidarité Lyon",
            "Quand nous sommes arrivés, personne ne nous connaissait.",
            "logos/cafe.png",
            "instagram-square",
        ],
        [
            "بيت الجيران",
            "عندما وصلنا لم نكن نعرف أحداً. الآن جيراننا أصدقاؤنا.",
            "logos/cafe.png",
            "x-post",
        ],
        [
            "Бібліотека Лідса",
            "Коли ми приїхали, бібліотека стала нашим другим домом.",
            "logos/library.jpg",
            "instagram-square",
        ],
        [
            "Plymouth Welcome Hub",
            "",
            "logos/library.jpg",
            "instagram-square",
        ],
        [
            "Associação São Tomé",
            "Celebramos juntos, com música e comida.",
            "",
            "x-post",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// The two logos the sheet names.
pub fn campaign_logos() -> [(&'static str, Vec<u8>); 2] {
    let read = |p: &str| std::fs::read(root().join(p)).unwrap();
    [
        ("cafe.png", read("examples/logo.png")),
        ("library.jpg", read("examples/logo-square.jpg")),
    ]
}
