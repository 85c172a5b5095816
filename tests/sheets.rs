//! Issue 29: batch files as comms staff have them. The files under
//! tests/data/sheets were made by LibreOffice, iconv and msoffcrypto-tool
//! (see make.sh there), not by postkit: each form of the same rows gives
//! the same assets, byte for byte, and the same alt text as the UTF-8 CSV.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{files, postkit, root};

fn sheets() -> PathBuf {
    root().join("tests/data/sheets")
}

/// Runs `postkit batch FILE ARGS` into a fresh folder: (exit code,
/// what it said: stderr and the report's `read` as JSON, every asset and
/// sidecar file's bytes by its path).
fn batch(file: &str, args: &[&str]) -> (i32, String, BTreeMap<String, Vec<u8>>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let path = sheets().join(file);
    let mut all = vec![
        "batch",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--jobs",
        "2",
    ];
    all.extend_from_slice(args);
    let r = postkit(dir.path(), &all);
    let made = files(&out)
        .into_iter()
        .filter(|f| f.ends_with(".png") && !f.ends_with("contact-sheet.png") || f.ends_with(".txt"))
        .map(|f| {
            let bytes = std::fs::read(out.join(&f)).unwrap();
            (f, bytes)
        })
        .collect();
    let read = std::fs::read(out.join("report.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .map(|v| v["read"].to_string())
        .unwrap_or_default();
    (
        r.code,
        format!("{}\nreport.json read: {read}", r.stderr),
        made,
    )
}

fn names(made: &BTreeMap<String, Vec<u8>>) -> Vec<&str> {
    made.keys().map(String::as_str).collect()
}

#[test]
fn workbooks_and_csvs_as_programs_save_them_give_the_csvs_kit() {
    let (code, err, csv) = batch("partners.csv", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("UTF-8 text, columns separated by commas"),
        "{err}"
    );
    // Five organisations, one card each, with alt text and caption.
    let pngs = names(&csv).into_iter().filter(|n| n.ends_with(".png"));
    assert_eq!(pngs.count(), 5, "{:?}", names(&csv));
    // The date column's ISO dates are in the event cards' alt text, written
    // out in the card's language with the weekday (issue 27).
    let alts: String = (csv.iter())
        .filter(|(n, _)| n.ends_with(".alt.txt"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(
        alts.contains("Friday 18 December") && alts.contains("Saturday 19 December"),
        "{alts}"
    );
    for (file, told) in [
        ("partners.xlsx", "sheet 'partners' of the workbook"),
        ("partners.ods", "sheet 'partners' of the workbook"),
        (
            "partners-semicolon.csv",
            "UTF-8 text, columns separated by semicolons",
        ),
        (
            "partners-utf16.txt",
            "UTF-16 LE text with a byte-order mark, columns separated by tabs",
        ),
    ] {
        let (code, err, made) = batch(file, &[]);
        assert_eq!(code, 0, "{file}: {err}");
        assert!(err.contains(told), "{file}: {err}");
        assert!(
            err.contains(&format!(r#""summary":"{told}""#)),
            "{file}: {err}"
        );
        assert_eq!(names(&made), names(&csv), "{file}");
        for (name, bytes) in &csv {
            assert!(
                made[name] == *bytes,
                "{file}: {name} differs from the CSV's"
            );
        }
    }
}

#[test]
fn a_windows_1252_csv_is_read_and_said_to_be() {
    let (code, err, utf8) = batch("latin.csv", &[]);
    assert_eq!(code, 0, "{err}");
    let (code, err, cp1252) = batch("latin-1252.csv", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Windows-1252 text (its bytes are not UTF-8"),
        "{err}"
    );
    // The report says it too, as data.
    assert!(
        err.contains(r#""encoding":"windows-1252""#)
            && err.contains(r#""format":"text""#)
            && err.contains(r#""separator":",""#),
        "{err}"
    );
    assert_eq!(names(&cp1252), names(&utf8));
    assert!(
        cp1252 == utf8,
        "the Windows-1252 CSV's kit differs from the UTF-8 one's"
    );
    // é and ’ came through: the alt texts name the organisations as typed.
    let alts: String = (utf8.iter())
        .filter(|(n, _)| n.ends_with(".alt.txt"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(
        alts.contains("Café Solidarité Lyon") && alts.contains("St Andrew’s Hall"),
        "{alts}"
    );
}

#[test]
fn formulas_give_their_values_and_a_bad_cell_fails_its_row_alone() {
    let (code, err, made) = batch("formulas.xlsx", &[]);
    // Bad rows alone: exit 3 (issue 32).
    assert_eq!(code, 3, "{err}");
    // Row 1's org, id and story are formulas: their results are used (the
    // id 2*3 is 6, not 6.0).
    let pngs: Vec<&str> = names(&made)
        .into_iter()
        .filter(|n| n.ends_with(".png"))
        .collect();
    assert_eq!(pngs.len(), 1, "{pngs:?}");
    assert!(
        pngs[0].contains("hub-lyon") && pngs[0].contains('6') && !pngs[0].contains("6.0"),
        "{pngs:?}"
    );
    let alt = made
        .iter()
        .find(|(n, _)| n.ends_with(".alt.txt"))
        .unwrap()
        .1;
    assert!(String::from_utf8_lossy(alt).contains("We cook on Fridays."));
    // Row 2's story is =1/0; row 3's template is misspelt: each is named by
    // its cell, as the spreadsheet shows it.
    assert!(
        err.contains("row 2 (formulas!C3, column story): the cell holds the error #DIV/0!"),
        "{err}"
    );
    assert!(
        err.contains("row 3 (formulas!D4, column template)"),
        "{err}"
    );
}

/// Runs a batch that must fail before anything is made: its message.
fn refused(file: &Path, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut all = vec![
        "batch",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let r = postkit(dir.path(), &all);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!out.join("report.json").exists(), "{}", r.stderr);
    assert!(
        r.stderr.contains(&*file.to_string_lossy()),
        "names the file: {}",
        r.stderr
    );
    r.stderr
}

#[test]
fn bad_workbooks_are_refused_with_what_to_do() {
    let s = sheets();
    let e = refused(&s.join("corrupt.xlsx"), &[]);
    assert!(
        e.contains("damaged or cut short") && e.contains("save it again"),
        "{e}"
    );
    let e = refused(&s.join("password.xlsx"), &[]);
    assert!(
        e.contains("protected with a password") && e.contains("without the password"),
        "{e}"
    );
    let e = refused(&s.join("duplicate.xlsx"), &[]);
    assert!(
        e.contains(
            "names column 'org' twice, in duplicate!A1 and duplicate!C1: rename or delete one"
        ),
        "{e}"
    );
    let e = refused(&s.join("noheader.ods"), &[]);
    assert!(
        e.contains("row 1 of sheet 'noheader' should be the header row")
            && e.contains("it holds Hub Lyon, We cook on Fridays., story-quote")
            && e.contains("insert a row above"),
        "{e}"
    );
    let e = refused(&s.join("partners.xlsx"), &["--sheet", "Stories"]);
    assert!(
        e.contains("has no sheet named 'Stories'; its sheets are 'partners'"),
        "{e}"
    );
    let e = refused(&s.join("partners.csv"), &["--sheet", "partners"]);
    assert!(e.contains("is not a workbook, so it has no sheets"), "{e}");
}

#[test]
fn bad_csvs_are_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    // A code page that is not Windows-1252 (0x81 is not used by it).
    let other = dir.path().join("other.csv");
    std::fs::write(&other, b"org,story\nHub \x81,x\n").unwrap();
    let e = refused(&other, &[]);
    assert!(
        e.contains("neither UTF-8") && e.contains("save it from your spreadsheet as \"CSV UTF-8\""),
        "{e}"
    );
    // UTF-16 without a byte-order mark.
    let nobom = dir.path().join("nobom.csv");
    let bytes: Vec<u8> = "org,story\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(&nobom, bytes).unwrap();
    let e = refused(&nobom, &[]);
    assert!(e.contains("byte 1 is zero"), "{e}");
    let dup = dir.path().join("dup.csv");
    std::fs::write(&dup, "org;story;Org\nA;b;c\n").unwrap();
    let e = refused(&dup, &[]);
    assert!(
        e.contains("names column 'org' twice (columns 1 and 3)"),
        "{e}"
    );
}

/// The entry of a zip (an .xlsx is one) as text.
fn entry(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> String {
    use std::io::Read;
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn init_writes_a_workbook_with_notes_and_lists_that_batches_as_the_csv() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = postkit(d, &["init", "kit"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let book_path = d.join("kit/batch.xlsx");
    // Read back by calamine: the CSV's header and rows on the first sheet.
    let mut book: Xlsx<_> = open_workbook(&book_path).unwrap();
    assert_eq!(book.sheet_names(), ["Stories", "Lists"]);
    let stories = book.worksheet_range("Stories").unwrap();
    let csv = std::fs::read_to_string(d.join("kit/batch.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .has_headers(false)
        .from_reader(csv.as_bytes());
    let csv_rows: Vec<Vec<String>> = (reader.records())
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let sheet_rows: Vec<Vec<String>> = (stories.rows())
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(sheet_rows, csv_rows);
    // The drop-down lists' values: every built-in template and platform.
    let lists = book.worksheet_range("Lists").unwrap();
    let column = |c: usize| -> Vec<String> {
        (lists.rows().skip(1))
            .filter_map(|r| match r.get(c) {
                Some(Data::String(s)) => Some(s.clone()),
                _ => None,
            })
            .collect()
    };
    assert!(
        column(0).contains(&"story-quote".to_string()),
        "{:?}",
        column(0)
    );
    for p in ["all", "instagram-square", "x-post"] {
        assert!(column(1).contains(&p.to_string()), "{:?}", column(1));
    }
    // A note on each header, and the two lists as data validation.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&book_path).unwrap()).unwrap();
    let notes = entry(&mut zip, "xl/comments1.xml");
    for (cell, words) in [
        ("A1", "organisation"),
        ("B1", "own words"),
        ("C1", "brand.toml"),
        ("D1", "design"),
        ("E1", "separated by ;"),
    ] {
        assert!(
            notes.contains(&format!("ref=\"{cell}\"")) && notes.contains(words),
            "{cell}: {notes}"
        );
    }
    let sheet = entry(&mut zip, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("sqref=\"D2:D1001\"") && sheet.contains("Lists!$A$2"),
        "{sheet}"
    );
    assert!(
        sheet.contains("sqref=\"E2:E1001\"") && sheet.contains("Lists!$B$2"),
        "{sheet}"
    );
    // The workbook batches to the same kit as the CSV, byte for byte.
    let mut kits = Vec::new();
    for file in ["kit/batch.csv", "kit/batch.xlsx"] {
        let out = d.join(format!("out-{}", file.rsplit('.').next().unwrap()));
        let args = [
            "batch",
            file,
            "--out",
            out.to_str().unwrap(),
            "--platform",
            "x-post",
        ];
        let r = postkit(d, &args);
        assert_eq!(r.code, 0, "{file}: {}", r.stderr);
        let made: BTreeMap<String, Vec<u8>> = (files(&out).into_iter())
            .filter(|f| {
                f.ends_with(".png") && !f.ends_with("contact-sheet.png") || f.ends_with(".txt")
            })
            .map(|f| (f.clone(), std::fs::read(out.join(f)).unwrap()))
            .collect();
        assert!(made.len() >= 2, "{file}: {:?}", made.keys());
        kits.push(made);
    }
    assert!(
        kits[0] == kits[1],
        "the workbook's kit differs from the CSV's"
    );
}
