//! Issue 30, defect 1: every shell block of README.md is run, in order, in
//! one empty folder, with the real binary as `postkit` and, for the API's
//! examples, a real server on 127.0.0.1 (a port the OS picks, written into
//! the examples in place of 8080). A block must exit 0 with no error on
//! stderr, and the blocks with a result to look at are checked (files,
//! output). Blocks marked ```` ```sh manual ```` (downloads, installs,
//! containers, the test command itself) are the only ones not run; one
//! marked ```` ```sh server ```` is the server the later blocks talk to.
//!
//! `examples/gallery.png` is what its README command makes:
//! `POSTKIT_REGENERATE_GALLERY=1 cargo test --test readme` rewrites it.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::root;

/// A fenced block: its info string, its text and the line it starts on.
struct Block {
    info: String,
    code: String,
    line: usize,
}

fn blocks(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, raw) in md.lines().enumerate() {
        let line = raw.trim_start();
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_string(),
                    code: String::new(),
                    line: i + 1,
                })
            }
            (Some(_), Some("")) => out.extend(open.take()),
            (Some(b), _) => {
                b.code.push_str(line);
                b.code.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "README.md: a block is never closed");
    out
}

/// What only a person can run: a block marked `manual` must be one of these.
const MANUAL: &[&str] = &[
    "tar -x",
    "install",
    "apt",
    "cargo ",
    "docker",
    "podman",
    "sha256sum",
    "completions",
    ".ci/run",
];

/// The server of a `server` block, on the port the OS picks.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(block: &Block, dir: &Path, path: &str) -> (Server, String) {
    let command = block.code.lines().next().unwrap();
    let (command, comment) = command.split_once('#').unwrap_or((command, ""));
    assert!(
        command.contains("127.0.0.1:8080"),
        "README.md:{}: {command}",
        block.line
    );
    let mut child = Command::new("bash")
        .args([
            "-c",
            &format!("exec {}", command.replace("127.0.0.1:8080", "127.0.0.1:0")),
        ])
        .current_dir(dir)
        .env("PATH", path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = common::first_line(&mut child);
    let server = Server(child);
    let addr = line
        .trim()
        .strip_prefix("postkit: serving on http://")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("README.md:{}: the server printed {line:?}", block.line))
        .to_string();
    // The README says what it prints.
    let said = comment.trim().strip_prefix("prints: ").unwrap_or_default();
    // (then its render slots and connection cap, which depend on the
    // machine)
    let said = said.replace("127.0.0.1:8080", &addr);
    assert!(
        line.trim().starts_with(&said) && !said.is_empty(),
        "README.md:{}: said {said:?}, printed {line:?}",
        block.line
    );
    (server, addr)
}

fn png_size(path: &Path) -> (u32, u32) {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
    let n = |i: usize| u32::from_be_bytes(b[i..i + 4].try_into().unwrap());
    (n(16), n(20))
}

/// The gallery the README command made against examples/gallery.png: the
/// same size, and at most 0.5% of the pixels off by more than a little.
fn check_gallery(made: &Path) {
    let kept = root().join("examples/gallery.png");
    if std::env::var_os("POSTKIT_REGENERATE_GALLERY").is_some() {
        std::fs::copy(made, &kept).unwrap();
        return;
    }
    let a = image::open(made).unwrap().to_rgba8();
    let b = image::open(&kept).unwrap().to_rgba8();
    assert_eq!(
        a.dimensions(),
        b.dimensions(),
        "examples/gallery.png is not what its README command makes: POSTKIT_REGENERATE_GALLERY=1 cargo test --test readme"
    );
    let off = a
        .pixels()
        .zip(b.pixels())
        .filter(|(p, q)| p.0.iter().zip(q.0).any(|(x, y)| x.abs_diff(y) > 24))
        .count();
    let share = off as f64 / a.pixels().len() as f64;
    assert!(
        share <= 0.005,
        "examples/gallery.png differs from what its README command makes in {:.1}% of its pixels: POSTKIT_REGENERATE_GALLERY=1 cargo test --test readme",
        share * 100.0
    );
}

/// The results a block's reader is promised, for the blocks that make one.
/// Returns the name of the check that applied, if any.
fn check(block: &Block, dir: &Path, stdout: &str) -> Option<&'static str> {
    let code = &block.code;
    let at = format!("README.md:{}", block.line);
    if code.contains("postkit init my-kit") {
        assert!(
            stdout.contains("out/plymouth-welcome-hub/story-quote-instagram-square.png"),
            "{at}: {stdout}"
        );
        assert_eq!(
            png_size(&dir.join("out/plymouth-welcome-hub/story-quote-x-post.png")),
            (1600, 900)
        );
        assert!(dir.join("my-kit/out/index.html").is_file(), "{at}");
        return Some("first screen");
    }
    if code.contains("--template event") {
        assert!(
            stdout
                .contains("Welcome Supper: Friday 18 December 6–9 pm, St Andrew's Hall, Plymouth."),
            "{at}: {stdout}"
        );
        assert!(
            dir.join("out/plymouth-welcome-hub/event-instagram-square.png")
                .is_file(),
            "{at}"
        );
        return Some("usage");
    }
    if code.contains("examples/gallery.csv") {
        check_gallery(&dir.join("out/gallery/plymouth-welcome-hub/contact-sheet.png"));
        return Some("gallery");
    }
    if code.contains("postkit merge") {
        // Issue 32: three shards in three folders, copied into one, merged.
        assert!(dir.join("merged/report.json").is_file(), "{at}");
        assert!(dir.join("merged/index.html").is_file(), "{at}");
        return Some("merge");
    }
    if code.contains("partner-kit") {
        assert!(dir.join("out/index.html").is_file(), "{at}");
        return Some("batch");
    }
    if code.contains("jq '.assets[].platform'") {
        assert!(
            stdout.contains("\"instagram-square\"") && stdout.contains("\"x-post\""),
            "{at}: {stdout}"
        );
        let zip = std::fs::File::open(dir.join("kit.zip")).unwrap();
        let mut zip = zip::ZipArchive::new(zip).expect("kit.zip is a zip");
        assert!(zip.by_name("report.json").is_ok(), "{at}");
        assert!(
            zip.len() > 20,
            "{at}: every size, with alt text and caption"
        );
        assert_eq!(png_size(&dir.join("x-post.png")), (1600, 900));
        return Some("api");
    }
    None
}

#[test]
fn every_readme_command_runs() {
    let md = std::fs::read_to_string(root().join("README.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bin = d.join(".bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_postkit"), bin.join("postkit")).unwrap();
    std::os::unix::fs::symlink(root().join("examples"), d.join("examples")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut server: Option<(Server, String)> = None;
    let (mut ran, mut manual) = (0, 0);
    let mut checked = Vec::new();
    for b in blocks(&md)
        .iter()
        .filter(|b| b.info.split_whitespace().next() == Some("sh"))
    {
        let at = format!("README.md:{}", b.line);
        if b.info.contains("manual") {
            assert!(
                MANUAL.iter().any(|m| b.code.contains(m)),
                "{at}: a manual block that could run here:\n{}",
                b.code
            );
            manual += 1;
            continue;
        }
        if b.info.contains("server") {
            server = Some(start_server(b, d, &path));
            continue;
        }
        let mut code = b.code.clone();
        if code.contains("127.0.0.1:8080") {
            let (_, addr) = server
                .as_ref()
                .unwrap_or_else(|| panic!("{at}: no server block before"));
            code = code.replace("127.0.0.1:8080", addr);
        }
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", &code])
            .current_dir(d)
            .env("PATH", &path)
            .env("HOME", d)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(
            out.status.success(),
            "{at} failed ({}):\n{code}\nstdout: {stdout}\nstderr: {stderr}",
            out.status
        );
        assert!(!stderr.contains("error"), "{at}: {stderr}");
        checked.extend(check(b, d, &stdout));
        ran += 1;
    }
    assert!(server.is_some(), "the README starts a server");
    assert_eq!(
        checked,
        ["first screen", "usage", "gallery", "batch", "merge", "api"]
    );
    assert!(ran >= 5 && manual >= 5, "{ran} run, {manual} manual");
}
