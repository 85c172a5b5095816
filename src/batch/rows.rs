//! Reading a batch file: real parsers for CSV, JSON and TOML, one [`Row`]
//! per record, with the line it starts on where the format tells it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::Error;
use crate::plan::Input;

/// One record of the batch file.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 1-based record number (header and comments not counted).
    pub number: usize,
    /// Line in the file, where the format tells it.
    pub line: Option<u64>,
    /// Column → value; empty cells are absent.
    pub values: BTreeMap<String, String>,
}

impl Row {
    /// The row as a planner's input: its columns, as a spreadsheet has them.
    pub fn input(&self) -> Input {
        Input::from_columns(self.values.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// "row 3 (line 5)".
    pub fn label(&self) -> String {
        match self.line {
            Some(l) => format!("row {} (line {l})", self.number),
            None => format!("row {}", self.number),
        }
    }
}

/// Largest batch file postkit reads (100,000 rows of long stories fit).
pub const MAX_BATCH_BYTES: u64 = 256 * 1024 * 1024;

fn config_err(path: &Path, message: String) -> Error {
    Error::Config {
        origin: path.display().to_string(),
        message,
    }
}

/// Reads a batch file: `.csv` (header row; `#` starts a comment line),
/// `.json` (an array of objects) or `.toml` (`[[row]]` tables). Lists (in
/// JSON/TOML arrays, or `;`-separated in CSV) are kept `;`-separated.
pub fn read_rows(path: &Path) -> Result<Vec<Row>, Error> {
    // A regular file only: a device or a pipe would be read forever.
    let src = crate::error::read_input_text(path, "batch file", MAX_BATCH_BYTES)?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let rows = match ext.as_str() {
        "csv" => read_csv(&src, path)?,
        "json" => read_json(&src, path)?,
        "toml" => read_toml(&src, path)?,
        _ => {
            return Err(config_err(
                path,
                "is not a batch file: use .csv (with a header row), .json (an array of objects) or .toml ([[row]] tables)".into(),
            ))
        }
    };
    if rows.is_empty() {
        return Err(config_err(path, "has no rows".into()));
    }
    Ok(rows)
}

fn read_csv(src: &str, path: &Path) -> Result<Vec<Row>, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(src.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| config_err(path, format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
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
            let rows = read_csv(&src, Path::new("b.csv")).unwrap();
            let lines: Vec<Option<u64>> = rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [Some(3), Some(5), Some(8)], "{end:?}");
        }
    }
}
