//! Issue 29: `POST /api/batch/check` and `POST /api/batch` on the real
//! server (127.0.0.1, a port the OS picks): a campaign's sheet and its
//! logos checked before anything is made, every row's problem named by its
//! cell, previews of the first rows; the whole campaign made as one zip of
//! the same files `postkit batch` writes; and the limits as 413s naming
//! them.
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
    serve_with(&[])
}

/// The server with more flags.
fn serve_with(flags: &[&str]) -> Serve {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_postkit"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(flags)
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

/// POSTs a multipart form of files (field, file name, bytes) and texts to
/// /api/batch/check: (status, body as JSON).
fn check(
    s: &Serve,
    texts: &[(&str, &str)],
    files: &[(&str, &str, Vec<u8>)],
) -> (u16, serde_json::Value) {
    let (status, _, body) = post(s, "/api/batch/check", texts, files);
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&body)));
    (status, json)
}

/// POSTs a multipart form to `route`: (status, head, body).
fn post(
    s: &Serve,
    route: &str,
    texts: &[(&str, &str)],
    files: &[(&str, &str, Vec<u8>)],
) -> (u16, String, Vec<u8>) {
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
    t.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
    let head = format!("POST {route} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary={b}\r\nContent-Length: {}\r\n\r\n", s.1, body.len());
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
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let mut body = raw[end + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = unchunk(&body);
    }
    (status, head, body)
}

/// A chunked body's bytes.
fn unchunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&raw[..eol]).trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 4 + size..];
    }
    out
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
            .contains("has 1001 rows; a batch on this server may have at most 100 (--max-batch-rows, POSTKIT_MAX_BATCH_ROWS)"),
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

/// The files of a zip, by name.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (e.name().unwrap().to_string(), data)
        })
        .collect()
}

/// The files under `dir`, by their path below it ('/'-separated).
fn tree(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap();
                let name: Vec<String> = rel
                    .iter()
                    .map(|c| c.to_string_lossy().to_string())
                    .collect();
                out.insert(name.join("/"), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_whole_campaign_is_one_zip_of_the_files_postkit_batch_writes() {
    let s = serve();
    let xlsx = common::campaign_xlsx();
    let [(cafe, cafe_bytes), (library, library_bytes)] = common::campaign_logos();
    let (status, head, body) = post(
        &s,
        "/api/batch",
        &[("date", "2026-12-01")],
        &[
            ("sheet", "campaign.xlsx", xlsx.clone()),
            ("files", cafe, cafe_bytes.clone()),
            ("files", library, library_bytes.clone()),
        ],
    );
    assert_eq!(status, 200, "{head}\n{}", String::from_utf8_lossy(&body));
    assert!(head.contains("content-type: application/zip"), "{head}");
    assert!(
        head.contains("x-postkit-assets: 4") && head.contains("x-postkit-failed: 1"),
        "{head}"
    );
    let zipped = unzip(&body);
    // The same sheet and logos, on a computer: postkit batch.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("logos")).unwrap();
    std::fs::write(dir.path().join("campaign.xlsx"), &xlsx).unwrap();
    std::fs::write(dir.path().join("logos").join(cafe), &cafe_bytes).unwrap();
    std::fs::write(dir.path().join("logos").join(library), &library_bytes).unwrap();
    let run = common::postkit(
        dir.path(),
        &["batch", "campaign.xlsx", "--date", "2026-12-01"],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    let written: std::collections::BTreeMap<String, Vec<u8>> = tree(&dir.path().join("out"))
        .into_iter()
        .filter(|(name, _)| !name.starts_with(".postkit"))
        .map(|(name, bytes)| (format!("out/{name}"), bytes))
        .collect();
    // Every file, the same bytes: the kits, their texts, the contact
    // sheets, the review page and the report.
    assert_eq!(
        zipped.keys().collect::<Vec<_>>(),
        written.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &written {
        assert!(zipped[name] == *bytes, "{name} differs");
    }
    for org in [
        "café-solidarité-lyon",
        "بيت-الجيران",
        "бібліотека-лідса",
        "associação-são-tomé",
    ] {
        assert!(
            zipped.keys().any(|k| k.starts_with(&format!("out/{org}/"))),
            "{org}: {:?}",
            zipped.keys()
        );
    }
    assert!(zipped.contains_key("out/index.html"));
    // How the sheet was read, and the row with no story named by its cell.
    let report: serde_json::Value = serde_json::from_slice(&zipped["out/report.json"]).unwrap();
    assert_eq!(report["read"]["sheet"], "Partners", "{}", report["read"]);
    assert_eq!(report["read"]["format"], "workbook");
    assert_eq!(report["assets"].as_array().unwrap().len(), 4);
    let error = report["errors"][0]["message"].as_str().unwrap();
    assert!(
        error.starts_with("row 4 (Partners!B5, column story)"),
        "{error}"
    );
}

#[test]
fn a_logo_the_upload_lacks_is_its_rows_problem_and_the_others_are_made() {
    let s = serve_with(&["--max-batch-rows", "5", "--max-batch-files", "1"]);
    let [(cafe, cafe_bytes), _] = common::campaign_logos();
    let (status, head, body) = post(
        &s,
        "/api/batch",
        &[],
        &[
            ("sheet", "campaign.xlsx", common::campaign_xlsx()),
            (
                "files",
                "logos.zip",
                zip_of(&[(&format!("logos/{cafe}"), &cafe_bytes)]),
            ),
        ],
    );
    assert_eq!(status, 200, "{head}");
    let zipped = unzip(&body);
    let report: serde_json::Value = serde_json::from_slice(&zipped["out/report.json"]).unwrap();
    let errors: Vec<&str> = (report["errors"].as_array().unwrap().iter())
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("row 3 (Partners!C4, column logo)")
            && errors[0].contains("'library.jpg', which was not uploaded"),
        "{errors:?}"
    );
    assert_eq!(report["assets"].as_array().unwrap().len(), 3);
    // The limits, as 413s naming the setting.
    let (status, _, body) = post(
        &s,
        "/api/batch",
        &[],
        &[
            ("sheet", "campaign.xlsx", common::campaign_xlsx()),
            ("a", "a.png", vec![1]),
            ("b", "b.png", vec![2]),
        ],
    );
    let text = String::from_utf8_lossy(&body);
    assert_eq!(status, 413, "{text}");
    assert!(
        text.contains("at most 1 files on this server (--max-batch-files"),
        "{text}"
    );
    let mut csv = String::from("org,story\n");
    for i in 0..6 {
        csv.push_str(&format!("Hub {i},We cook.\n"));
    }
    let (status, _, body) = post(
        &s,
        "/api/batch",
        &[],
        &[("sheet", "big.csv", csv.into_bytes())],
    );
    let text = String::from_utf8_lossy(&body);
    assert_eq!(status, 413, "{text}");
    assert!(
        text.contains("has 6 rows; a batch on this server may have at most 5"),
        "{text}"
    );
}
