//! Reading a workbook (`.xlsx`, `.xls`, `.xlsb`, `.ods`) with calamine: the
//! first sheet or the one named, its first row that is not empty as the
//! header, each later row that is not empty as a [`Row`]. Cells keep their
//! meaning: a date is an ISO date, a whole number has no `.0`, a formula
//! gives the value it worked out; a cell holding an error (`#REF!`) fails
//! its row alone, naming the cell.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::Arc;

use calamine::{Data, Reader, Sheets};

use super::rows::{Row, SheetColumns};

/// Why a workbook could not be read: the message says what to do.
pub type SheetError = String;

/// The rows of `want` (or the first sheet) of the workbook in `bytes`, and
/// the sheet's name. `ext` (lowercase) says which kind to try first.
pub fn read(
    bytes: Vec<u8>,
    ext: &str,
    want: Option<&str>,
) -> Result<(Vec<Row>, String), SheetError> {
    let mut book = open(bytes, ext)?;
    let names = book.sheet_names();
    let name = match want {
        Some(w) => names
            .iter()
            .find(|n| n.as_str() == w)
            .or_else(|| {
                names
                    .iter()
                    .find(|n| n.trim().eq_ignore_ascii_case(w.trim()))
            })
            .cloned()
            .ok_or_else(|| {
                format!(
                    "has no sheet named '{w}'; its sheets are {}: give one of them with --sheet",
                    quoted(&names)
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or("has no sheets: save it again from your spreadsheet")?,
    };
    let range = book.worksheet_range(&name).map_err(|e| {
        format!("cannot read its sheet '{name}' ({e}): it may be damaged; open it in your spreadsheet program and save it again")
    })?;
    let rows = rows(&range, &name)?;
    Ok((rows, name))
}

/// Opens the workbook: the kinds its bytes can be, the one its name says
/// first. A password, in whichever kind, is said as such.
fn open(bytes: Vec<u8>, ext: &str) -> Result<Sheets<Cursor<Vec<u8>>>, SheetError> {
    use calamine::{open_workbook_from_rs as from, Ods, Xls, Xlsb, Xlsx};
    let mut kinds = vec!["xlsx", "ods", "xls", "xlsb"];
    let first = match ext {
        "xlsm" | "xlam" => "xlsx",
        "xla" => "xls",
        e => e,
    };
    if let Some(i) = kinds.iter().position(|k| *k == first) {
        kinds[..=i].rotate_right(1);
    }
    let mut errors = Vec::new();
    for kind in kinds {
        let c = Cursor::new(bytes.clone());
        let opened: Result<Sheets<_>, calamine::Error> = match kind {
            "xlsx" => from::<Xlsx<_>, _>(c).map(Sheets::Xlsx).map_err(Into::into),
            "ods" => from::<Ods<_>, _>(c).map(Sheets::Ods).map_err(Into::into),
            "xls" => from::<Xls<_>, _>(c).map(Sheets::Xls).map_err(Into::into),
            _ => from::<Xlsb<_>, _>(c).map(Sheets::Xlsb).map_err(Into::into),
        };
        match opened {
            Ok(book) => return Ok(book),
            Err(e) => errors.push(e),
        }
    }
    let password = errors.iter().any(|e| {
        matches!(
            e,
            calamine::Error::Xlsx(calamine::XlsxError::Password)
                | calamine::Error::Xls(calamine::XlsError::Password)
                | calamine::Error::Ods(calamine::OdsError::Password)
        )
    });
    if password {
        return Err("is protected with a password, which postkit cannot open: save a copy without the password (in Excel: File > Info > Protect Workbook > Encrypt with Password, and clear it; in LibreOffice: File > Save As without \"Save with password\") and give that".into());
    }
    let why = errors.first().map(|e| e.to_string()).unwrap_or_default();
    Err(format!(
        "is not a workbook postkit can read ({why}): it may be damaged or cut short; open it in your spreadsheet program and save it again as .xlsx or .ods, or as \"CSV UTF-8\""
    ))
}

/// '"A", "B"'.
fn quoted(names: &[String]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    q.join(", ")
}

/// The column's letters as a spreadsheet shows them: 0 → A, 26 → AA.
pub fn column_letters(mut col: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// A cell's value as the row's text, or the problem it holds.
fn value(cell: &Data) -> Result<Option<String>, String> {
    let text = match cell {
        Data::Empty => return Ok(None),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => (if *b { "TRUE" } else { "FALSE" }).to_string(),
        Data::DateTime(d) if d.is_duration() => number(d.as_f64()),
        Data::DateTime(d) => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            match (h, mi, s) {
                (0, 0, 0) => format!("{y:04}-{mo:02}-{day:02}"),
                (h, mi, 0) => format!("{y:04}-{mo:02}-{day:02}T{h:02}:{mi:02}"),
                (h, mi, s) => format!("{y:04}-{mo:02}-{day:02}T{h:02}:{mi:02}:{s:02}"),
            }
        }
        Data::DateTimeIso(s) => {
            let s = s.trim();
            let s = s.strip_suffix("T00:00:00").unwrap_or(s);
            s.strip_suffix(":00").filter(|t| t.len() > 13).unwrap_or(s).to_string()
        }
        Data::DurationIso(s) => s.trim().to_string(),
        Data::Error(e) => {
            return Err(format!(
                "the cell holds the error {e} (a formula that could not be worked out): fix the formula, or type the value"
            ))
        }
    };
    Ok(Some(text).filter(|t| !t.is_empty()))
}

/// A number as a spreadsheet shows it in general format: 12, not 12.0.
fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// The header (the first row that is not empty) and the rows below it.
fn rows(range: &calamine::Range<Data>, sheet: &str) -> Result<Vec<Row>, SheetError> {
    let (top, left) = range.start().unwrap_or((0, 0));
    let cell = |r: usize, c: usize| {
        format!(
            "{sheet}!{}{}",
            column_letters(left + c as u32),
            top as usize + r + 1
        )
    };
    let is_empty = |row: &[Data]| row.iter().all(|c| matches!(value(c), Ok(None)));
    let mut lines = range.rows().enumerate().filter(|(_, r)| !is_empty(r));
    let Some((h, header)) = lines.next() else {
        return Err(format!("its sheet '{sheet}' is empty: put a header row (org, story, …) and one row per story on it, or name another sheet with --sheet"));
    };
    let mut columns: BTreeMap<String, u32> = BTreeMap::new();
    for (c, v) in header.iter().enumerate() {
        let Ok(Some(name)) = value(v) else { continue };
        let name = name.to_ascii_lowercase();
        if let Some(&before) = columns.get(&name) {
            return Err(format!(
                "its header row names column '{name}' twice, in {} and {}: rename or delete one",
                cell(h, (before - left) as usize),
                cell(h, c)
            ));
        }
        columns.insert(name, left + c as u32);
    }
    if !columns.contains_key("org") && !columns.contains_key("brand") {
        let found: Vec<String> = (header.iter())
            .filter_map(|v| value(v).ok().flatten())
            .take(4)
            .collect();
        return Err(format!(
            "row {} of sheet '{sheet}' should be the header row, naming the columns (org, story, logo, template, platform, …), and it has no 'org' (or 'brand'); it holds {}: insert a row above the first story with the columns' names (postkit init writes a sheet that has them)",
            top as usize + h + 1,
            found.join(", ")
        ));
    }
    let place = Arc::new(SheetColumns {
        sheet: sheet.to_string(),
        columns: columns.clone(),
    });
    let names: Vec<(usize, &String)> = (columns.iter())
        .map(|(n, &c)| ((c - left) as usize, n))
        .collect();
    let mut out = Vec::new();
    for (r, row) in lines {
        let mut values = BTreeMap::new();
        let mut problem = None;
        for &(c, name) in &names {
            match row.get(c).map(value) {
                Some(Ok(Some(v))) => {
                    values.insert(name.clone(), v);
                }
                Some(Err(e)) if problem.is_none() => problem = Some((name.clone(), e)),
                _ => {}
            }
        }
        out.push(Row {
            number: out.len() + 1,
            line: None,
            values,
            sheet: Some((place.clone(), top + r as u32 + 1)),
            problem,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_spreadsheets_letter_them() {
        let l: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .map(column_letters)
            .to_vec();
        assert_eq!(l, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn cells_keep_their_meaning() {
        assert_eq!(value(&Data::Float(12.0)).unwrap().unwrap(), "12");
        assert_eq!(value(&Data::Float(0.5)).unwrap().unwrap(), "0.5");
        assert_eq!(value(&Data::Int(7)).unwrap().unwrap(), "7");
        assert_eq!(value(&Data::String("  ".into())).unwrap(), None);
        assert_eq!(
            value(&Data::DateTimeIso("2026-12-18T00:00:00".into()))
                .unwrap()
                .unwrap(),
            "2026-12-18"
        );
        assert_eq!(
            value(&Data::DateTimeIso("2026-12-18T18:00:00".into()))
                .unwrap()
                .unwrap(),
            "2026-12-18T18:00"
        );
        let e = value(&Data::Error(calamine::CellErrorType::Ref)).unwrap_err();
        assert!(e.contains("#REF!"), "{e}");
    }
}
