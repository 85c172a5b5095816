//! Reading a batch file: real parsers for CSV and TSV (in the encodings
//! and with the separators spreadsheet programs write), workbooks
//! (`.xlsx`, `.xls`, `.ods`), JSON and TOML; one [`Row`] per record, with
//! the line or the cell it starts on, and how the file was read.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::decode::{self, TextForm};
use crate::error::Error;
use crate::plan::{plan, Defaults, Input, PlanError, Problem, Request, Resources};

/// One record of the batch file.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 1-based record number (header and comments not counted).
    pub number: usize,
    /// Line in the file, where the format tells it.
    pub line: Option<u64>,
    /// Column → value; empty cells are absent.
    pub values: BTreeMap<String, String>,
    /// In a workbook: its sheet's columns and the row's number there (as
    /// the spreadsheet shows it), so messages name cells (`Partners!C4`).
    pub sheet: Option<(Arc<SheetColumns>, u32)>,
    /// A cell the row cannot use (column, what is wrong), such as a formula
    /// that gave an error: the row fails with it, the others go on.
    pub problem: Option<(String, String)>,
}

/// A sheet's name and its header: column name → column index (0 is A).
#[derive(Clone, Debug, PartialEq)]
pub struct SheetColumns {
    /// The sheet's name.
    pub sheet: String,
    /// Each column's index, by its name in the header row.
    pub columns: BTreeMap<String, u32>,
}

impl Row {
    /// The row as a planner's input: its columns, as a spreadsheet has them.
    pub fn input(&self) -> Input {
        Input::from_columns(self.values.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// "row 3 (line 5)", or in a workbook "row 3 (sheet Partners, row 4)".
    pub fn label(&self) -> String {
        match (&self.sheet, self.line) {
            (Some((s, r)), _) => format!("row {} (sheet {}, row {r})", self.number, s.sheet),
            (None, Some(l)) => format!("row {} (line {l})", self.number),
            (None, None) => format!("row {}", self.number),
        }
    }

    /// The cell of `column` in this row as a spreadsheet names it
    /// (`Partners!C4`), when the row is a workbook's and has the column.
    pub fn cell(&self, column: &str) -> Option<String> {
        let (s, r) = self.sheet.as_ref()?;
        let c = s.columns.get(column)?;
        Some(format!(
            "{}!{}{r}",
            s.sheet,
            super::sheet::column_letters(*c)
        ))
    }

    /// Where `column` of this row is, for a message about it: "row 3
    /// (Partners!C4, column story)" in a workbook, else "row 3 (line 5):
    /// column story".
    pub fn place(&self, column: &str) -> String {
        match self.cell(column) {
            Some(c) => format!("row {} ({c}, column {column})", self.number),
            None => format!("{}: column {column}", self.label()),
        }
    }

    /// The row planned (see [`crate::plan::plan`]), or the problem of one of
    /// its cells.
    pub fn plan(&self, defaults: &Defaults, res: &dyn Resources) -> Result<Request, PlanError> {
        if let Some((field, message)) = &self.problem {
            return Err(PlanError {
                field: field.clone(),
                problem: Problem::Invalid,
                message: message.clone(),
                class: crate::diag::ErrorClass::BadInput,
                missing: Vec::new(),
            });
        }
        plan(&self.input(), defaults, res)
    }
}

/// How a batch file was read, told back to the user so that nothing about
/// it is guessed silently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// CSV or TSV text: its encoding and separator.
    Text(TextForm),
    /// A workbook: the sheet read.
    Sheet(String),
    /// A JSON array of objects.
    Json,
    /// TOML `[[row]]` tables.
    Toml,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Text(t) => t.fmt(f),
            Source::Sheet(s) => write!(f, "sheet '{s}' of the workbook"),
            Source::Json => f.write_str("JSON"),
            Source::Toml => f.write_str("TOML"),
        }
    }
}

impl Source {
    /// How `file` was read, for the report.
    pub fn how(&self, file: &str) -> crate::report::HowRead {
        let mut how = crate::report::HowRead {
            file: file.to_string(),
            summary: self.to_string(),
            ..Default::default()
        };
        match self {
            Source::Text(t) => {
                how.format = "text".into();
                how.encoding = Some(t.encoding.to_string());
                how.bom = Some(t.bom);
                how.separator = Some((t.separator as char).to_string());
            }
            Source::Sheet(name) => {
                how.format = "workbook".into();
                how.sheet = Some(name.clone());
            }
            Source::Json => how.format = "json".into(),
            Source::Toml => how.format = "toml".into(),
        }
        how
    }
}

/// A batch file's rows and how it was read.
#[derive(Clone, Debug)]
pub struct Table {
    /// The records, in order; empty rows left out.
    pub rows: Vec<Row>,
    /// How the file was read.
    pub source: Source,
}

/// Largest batch file postkit reads (100,000 rows of long stories fit).
pub const MAX_BATCH_BYTES: u64 = 256 * 1024 * 1024;

fn config_err(path: &Path, message: String) -> Error {
    Error::Config {
        origin: path.display().to_string(),
        message,
    }
}

/// Reads a batch file (see [`read_table`]): its rows only.
pub fn read_rows(path: &Path) -> Result<Vec<Row>, Error> {
    Ok(read_table(path, None)?.rows)
}

/// Reads a batch file: `.csv`, `.tsv` or `.txt` (a header row; `#` starts
/// a comment line; UTF-8, UTF-16 with a byte-order mark, or Windows-1252;
/// comma, semicolon or tab), a workbook (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`,
/// `.ods`: `sheet`, or the first), `.json` (an array of objects) or `.toml`
/// (`[[row]]` tables). Lists (in JSON/TOML arrays, or `;`-separated in a
/// cell) are kept `;`-separated.
pub fn read_table(path: &Path, sheet: Option<&str>) -> Result<Table, Error> {
    // A regular file only: a device or a pipe would be read forever.
    let bytes = crate::error::read_input(path, "batch file", MAX_BATCH_BYTES)?;
    parse_table(bytes, path, sheet)
}

/// The file kinds a batch can be, for messages.
const KINDS: &str = ".xlsx, .xls or .ods (a workbook: the first sheet, or --sheet NAME), .csv or .tsv (a header row), .json (an array of objects) or .toml ([[row]] tables)";

/// Reads a batch file's bytes, as [`read_table`] does; `path` gives the
/// kind (by its extension) and is named in errors.
pub fn parse_table(bytes: Vec<u8>, path: &Path, sheet: Option<&str>) -> Result<Table, Error> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    // A workbook saved under another name is read as the workbook it is
    // (a zip: .xlsx, .ods; an OLE file: .xls or an encrypted .xlsx).
    let workbook = bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let is_text = matches!(ext.as_str(), "csv" | "tsv" | "txt");
    let is_book = matches!(
        ext.as_str(),
        "xlsx" | "xlsm" | "xlam" | "xls" | "xla" | "xlsb" | "ods"
    );
    if sheet.is_some() && !is_book && !(is_text && workbook) {
        return Err(config_err(
            path,
            "is not a workbook, so it has no sheets: give --sheet only with an .xlsx, .xls or .ods"
                .into(),
        ));
    }
    let table = if is_book || (is_text && workbook) {
        let (rows, name) =
            super::sheet::read(bytes, &ext, sheet).map_err(|m| config_err(path, m))?;
        Table {
            rows,
            source: Source::Sheet(name),
        }
    } else if is_text {
        let (text, encoding, bom) = decode::decode(&bytes).map_err(|m| config_err(path, m))?;
        let separator = decode::separator(&text);
        Table {
            rows: read_csv(&text, path, separator)?,
            source: Source::Text(TextForm {
                encoding,
                bom,
                separator,
            }),
        }
    } else if ext == "json" || ext == "toml" {
        let src = String::from_utf8(bytes).map_err(|e| {
            config_err(
                path,
                format!(
                    "is not UTF-8 text (byte {} is not); save it as UTF-8",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        match ext.as_str() {
            "json" => Table {
                rows: read_json(&src, path)?,
                source: Source::Json,
            },
            _ => Table {
                rows: read_toml(&src, path)?,
                source: Source::Toml,
            },
        }
    } else {
        return Err(config_err(
            path,
            format!("is not a batch file: use {KINDS}"),
        ));
    };
    if table.rows.is_empty() {
        return Err(config_err(path, "has no rows".into()));
    }
    Ok(table)
}

fn read_csv(src: &str, path: &Path, separator: u8) -> Result<Vec<Row>, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(src.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| config_err(path, format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    for (i, h) in headers.iter().enumerate() {
        if let Some(j) = (headers[..i].iter()).position(|g| g == h && !g.is_empty()) {
            return Err(config_err(
                path,
                format!(
                    "the header row names column '{h}' twice (columns {} and {}): rename or delete one",
                    j + 1,
                    i + 1
                ),
            ));
        }
    }
    if !headers.iter().any(|h| h == "org" || h == "brand") {
        return Err(config_err(
            path,
            format!(
                "the header row has no 'org' (or 'brand') column; columns found: {}",
                headers.join(", ")
            ),
        ));
    }
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| config_err(path, csv_message(src, &e)))?;
        let mut values = BTreeMap::new();
        for (h, v) in headers.iter().zip(rec.iter()) {
            if !v.trim().is_empty() {
                values.insert(h.clone(), v.trim().to_string());
            }
        }
        rows.push(Row {
            number: i + 1,
            line: rec.position().map(|p| record_line(src, p.byte() as usize)),
            values,
            sheet: None,
            problem: None,
        });
    }
    Ok(rows)
}

/// A CSV reader's error in a user's words, with the line of the record.
fn csv_message(src: &str, e: &csv::Error) -> String {
    let Some(pos) = e.position() else {
        return e.to_string();
    };
    let line = record_line(src, pos.byte() as usize);
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            // An odd number of quotes from this record on: a quote opened
            // here is never closed, and swallowed the rest of the file.
            let rest = &src[(pos.byte() as usize).min(src.len())..];
            if rest.matches('"').count() % 2 == 1 {
                format!(
                    "line {line}: a quote (\") opened on this line is never closed, so the rest of the file reads as one value; close it, or write a quote inside a quoted value as two (\"\")"
                )
            } else {
                format!(
                    "line {line}: the row has {len} value{}, the header has {expected_len} columns; put a value that holds a comma in quotes (\"a, b\"), and give every row the header's number of columns (empty ones may be left blank: a,,c)",
                    if *len == 1 { "" } else { "s" }
                )
            }
        }
        _ => format!("line {line}: {e}"),
    }
}

/// The line a record starts on, given where the reader began reading it
/// (which may be the end of the line before, or a blank or comment line
/// the reader then skipped). Lines end in `\n`, `\r\n` (as Excel and
/// Python write them) or `\r`: a reader stops after the `\r` of a
/// `\r\n` and starts the next record at its `\n`.
fn record_line(src: &str, byte: usize) -> u64 {
    let mut at = byte.min(src.len());
    while !src.is_char_boundary(at) {
        at -= 1;
    }
    let mut line = lines_before(&src[..at]);
    if src[..at].ends_with('\r') && src[at..].starts_with('\n') {
        at += 1; // the rest of a line end already counted
    }
    loop {
        let rest = &src[at..];
        if rest.starts_with("\r\n") {
            (at, line) = (at + 2, line + 1);
        } else if rest.starts_with('\n') || rest.starts_with('\r') {
            (at, line) = (at + 1, line + 1);
        } else if rest.trim_start_matches([' ', '\t']).starts_with('#') {
            match rest.find(['\n', '\r']) {
                Some(n) => at += n,
                None => break,
            }
        } else {
            break;
        }
    }
    line
}

/// The number of the line that starts after `before`: 1 + its line ends
/// (`\r\n` counted once, a lone `\r` as one).
fn lines_before(before: &str) -> u64 {
    let crlf = before.matches("\r\n").count();
    (before.matches('\n').count() + before.matches('\r').count() - crlf) as u64 + 1
}

fn json_value(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) => Some(
            a.iter()
                .filter_map(json_value)
                .collect::<Vec<_>>()
                .join(";"),
        ),
        other => Some(other.to_string()),
    }
}

fn read_json(src: &str, path: &Path) -> Result<Vec<Row>, Error> {
    let v: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(src).map_err(|e| {
            config_err(
                path,
                format!(
                    "line {}, column {}: {}; the file must be an array of objects",
                    e.line(),
                    e.column(),
                    e.to_string().split(" at line ").next().unwrap_or_default()
                ),
            )
        })?;
    Ok(v.into_iter()
        .enumerate()
        .map(|(i, obj)| Row {
            number: i + 1,
            line: None,
            sheet: None,
            problem: None,
            values: obj
                .iter()
                .filter_map(|(k, v)| {
                    json_value(v)
                        .filter(|s| !s.trim().is_empty())
                        .map(|s| (k.trim().to_ascii_lowercase(), s.trim().to_string()))
                })
                .collect(),
        })
        .collect())
}

fn toml_value(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Array(a) => Some(
            a.iter()
                .filter_map(toml_value)
                .collect::<Vec<_>>()
                .join(";"),
        ),
        other => Some(other.to_string()),
    }
}

fn read_toml(src: &str, path: &Path) -> Result<Vec<Row>, Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        row: Vec<toml::Table>,
    }
    let f: File = toml::from_str(src).map_err(|e| {
        config_err(
            path,
            format!("{}; rows are [[row]] tables", e.to_string().trim()),
        )
    })?;
    Ok(f.row
        .into_iter()
        .enumerate()
        .map(|(i, t)| Row {
            number: i + 1,
            line: None,
            sheet: None,
            problem: None,
            values: t
                .iter()
                .filter_map(|(k, v)| {
                    toml_value(v)
                        .filter(|s| !s.trim().is_empty())
                        .map(|s| (k.trim().to_ascii_lowercase(), s.trim().to_string()))
                })
                .collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 30: the same file with each kind of line end gives each record
    /// the same line, with blank and comment lines before it.
    #[test]
    fn records_start_on_the_same_line_whatever_the_line_ends() {
        let lf = "org,story\n# a comment\nA,one\n\nB,\"two\nlines\"\n# more\nC,three\n";
        for end in ["\n", "\r\n"] {
            let src = lf.replace('\n', end);
            let rows = read_csv(&src, Path::new("b.csv"), b',').unwrap();
            let lines: Vec<Option<u64>> = rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [Some(3), Some(5), Some(8)], "{end:?}");
        }
    }
}
