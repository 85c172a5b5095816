//! Issue 29: `POST /api/batch/check` on the real server (127.0.0.1, a port
//! the OS picks): a campaign's sheet and its logos checked before anything
//! is made, every row's problem named by its cell, previews of the first
//! rows, and the limits as 413s naming them.
#![cfg(feature = "serve")]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::root;

/// The server, killed when dropped.
struct Serve(Child, SocketAddr);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve() -> Serve {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_postkit"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let (mut line, mut byte) = (Vec::new(), [0u8; 1]);
    while line.last() != Some(&b'\n') && out.read(&mut byte).unwrap_or(0) == 1 {
        line.push(byte[0]);
    }
    let line = String::from_utf8_lossy(&line).to_string();
    let addr = (line.split("http://").nth(1))
        .and_then(|r| r.split(['/', ' ']).next())
        .and_then(|a| a.trim().parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Serve(child, addr)
}

/// POSTs a multipart form of files (field, file name, bytes) and texts:
/// (status, body as JSON).
fn check(
    s: &Serve,
    texts: &[(&str, &str)],
    files: &[(&str, &str, Vec<u8>)],
) -> (u16, serde_json::Value) {
    let b = "postkit-batch-check-boundary";
    let mut body = Vec::new();
    for (k, v) in texts {
        body.extend(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").bytes(),
        );
    }
    for (k, name, bytes) in files {
        body.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes());
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{b}--\r\n").bytes());
    let mut t = TcpStream::connect(s.1).unwrap();
    t.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let head = format!("POST /api/batch/check HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary={b}\r\nContent-Length: {}\r\n\r\n", s.1, body.len());
    let _ = t
        .write_all(head.as_bytes())
        .and_then(|_| t.write_all(&body));
    let mut raw = Vec::new();
    let _ = t.read_to_end(&mut raw);
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an answer");
    let status = String::from_utf8_lossy(&raw[9..12]).parse().unwrap();
    let json = serde_json::from_slice(&raw[end + 4..])
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&raw)));
    (status, json)
}

fn sheet(name: &str) -> Vec<u8> {
    std::fs::read(root().join("tests/data/sheets").join(name)).unwrap()
}

/// A zip of (name, bytes).
fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn a_sheet_is_checked_row_by_row_with_its_cells_named_before_anything_is_made() {
    let s = serve();
    let logo = std::fs::read(root().join("examples/logo.png")).unwrap();
    // The logo the sheet names, in a zip: every row plans; the first three
    // have a preview of their first card.
    let zip = zip_of(&[("logos/logo.png", &logo), ("__MACOSX/._logo.png", b"x")]);
    let (status, a) = check(
        &s,
        &[],
        &[
            ("sheet", "partners.xlsx", sheet("partners.xlsx")),
            ("files", "logos.zip", zip),
        ],
    );
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["read"], "sheet 'partners' of the workbook", "{a}");
    assert_eq!(
        (a["rows"].as_u64(), a["assets"].as_u64()),
        (Some(5), Some(5)),
        "{a}"
    );
    assert_eq!(a["problems"].as_array().unwrap().len(), 0, "{a}");
    let previews = a["previews"].as_array().unwrap();
    assert_eq!(previews.len(), 3, "{a}");
    assert_eq!(previews[1]["org"], "بيت الجيران");
    assert!(previews[0]["preview"]
        .as_str()
        .unwrap()
        .starts_with("data:image/png;base64,"));
    // Without the logo: each row's problem names its cell and what to do.
    let (status, a) = check(
        &s,
        &[],
        &[("sheet", "partners.xlsx", sheet("partners.xlsx"))],
    );
    assert_eq!(status, 200, "{a}");
    let problems = a["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 5, "{a}");
    assert_eq!(problems[2]["cell"], "partners!D4", "{a}");
    assert_eq!(problems[2]["row"], 3, "{a}");
    let m = problems[2]["message"].as_str().unwrap();
    assert!(
        m.starts_with("row 3 (partners!D4, column logo)")
            && m.contains("'logo.png', which was not uploaded; add it"),
        "{m}"
    );
    // A formula's error and a misspelt template, by their cells; the good row previews.
    let (_, a) = check(
        &s,
        &[],
        &[("sheet", "formulas.xlsx", sheet("formulas.xlsx"))],
    );
    let cells: Vec<&str> = (a["problems"].as_array().unwrap().iter())
        .map(|p| p["cell"].as_str().unwrap())
        .collect();
    assert_eq!(cells, ["formulas!C3", "formulas!D4"], "{a}");
    assert_eq!(a["previews"][0]["org"], "Hub Lyon", "{a}");
}

#[test]
fn bad_sheets_and_the_limits_are_answered_clearly() {
    let s = serve();
    let (status, a) = check(
        &s,
        &[],
        &[("sheet", "password.xlsx", sheet("password.xlsx"))],
    );
    assert_eq!(status, 400, "{a}");
    assert!(
        a["error"]["message"]
            .as_str()
            .unwrap()
            .contains("protected with a password"),
        "{a}"
    );
    assert_eq!(a["error"]["field"], "sheet");
    let (status, a) = check(
        &s,
        &[("sheet_name", "Stories")],
        &[("sheet", "partners.ods", sheet("partners.ods"))],
    );
    assert_eq!(status, 400, "{a}");
    assert!(
        a["error"]["message"]
            .as_str()
            .unwrap()
            .contains("its sheets are 'partners'"),
        "{a}"
    );
    let (status, a) = check(&s, &[], &[]);
    assert_eq!(status, 400, "{a}");
    assert_eq!(a["error"]["field"], "sheet");
    // Rows over the limit.
    let mut csv = String::from("org,story\n");
    for i in 0..1001 {
        csv.push_str(&format!("Hub {i},We cook.\n"));
    }
    let (status, a) = check(&s, &[], &[("sheet", "big.csv", csv.into_bytes())]);
    assert_eq!(status, 413, "{a}");
    assert!(
        a["error"]["message"]
            .as_str()
            .unwrap()
            .contains("has 1001 rows; a batch on this server may have at most 1000"),
        "{a}"
    );
    // Files over the limit (a zip's each count).
    let names: Vec<String> = (0..201).map(|i| format!("f{i}.png")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let (status, a) = check(
        &s,
        &[],
        &[
            ("sheet", "partners.csv", sheet("partners.csv")),
            ("files", "many.zip", zip_of(&files)),
        ],
    );
    assert_eq!(status, 413, "{a}");
    assert!(
        a["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 200 files"),
        "{a}"
    );
}
