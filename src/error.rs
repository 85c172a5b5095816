//! Errors: each names the file, slot, template or platform at fault and says
//! what to do about it.

use std::path::{Path, PathBuf};

pub use crate::diag::ErrorClass;

/// Everything that can go wrong in the pipeline.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}", io_message(.what, .path, .source))]
    Io {
        /// The file.
        path: PathBuf,
        /// What the file is (for example `logo`, `story file`, `output`).
        what: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A font file could not be used.
    #[error("font {path}: {message}")]
    Font {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A template is malformed.
    #[error("template {template}: {message}")]
    Template {
        /// Template name or path (and variant).
        template: String,
        /// What is wrong and what to change.
        message: String,
    },
    /// A campaign or platform file is malformed.
    #[error("{origin}: {message}")]
    Config {
        /// The file (or `embedded campaign`).
        origin: String,
        /// What is wrong and what to change.
        message: String,
    },
    /// A logo or photo could not be used.
    #[error("{what} {path}: {message}")]
    Image {
        /// `logo` or `photo` (the slot).
        what: String,
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A logo or photo is larger than postkit accepts (bytes, pixels or
    /// elements).
    #[error("{what} {path}: {message}")]
    ImageTooLarge {
        /// `logo` or `photo` (the slot).
        what: String,
        /// The file.
        path: PathBuf,
        /// How large it is, the limit, and what to do.
        message: String,
    },
    /// Text does not fit its slot even at the minimum size.
    #[error("the {slot} text does not fit the {template} template on {platform} even at {min_size}px ({detail}); shorten it to about {suggest} characters or lower data-font-size-min")]
    TextOverflow {
        /// Slot (field) name.
        slot: String,
        /// Template name.
        template: String,
        /// Platform preset name.
        platform: String,
        /// Minimum size tried.
        min_size: f32,
        /// Lines needed / allowed, or height.
        detail: String,
        /// A length that would probably fit.
        suggest: usize,
    },
    /// A text is longer than postkit sets.
    #[error("the {field} is {chars} characters long; the limit is {limit}: shorten it")]
    TooLong {
        /// The field.
        field: String,
        /// Its length.
        chars: usize,
        /// The limit.
        limit: usize,
    },
    /// A required field has no value.
    #[error("{0}")]
    MissingField(String),
    /// An unknown platform preset was asked for.
    #[error("unknown platform '{name}'{suggestion}; valid platforms: {valid}, all (every still) or video (every clip)")]
    UnknownPlatform {
        /// What was asked for.
        name: String,
        /// " (did you mean 'x-post'?)", or empty.
        suggestion: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// An unknown template was asked for.
    #[error("unknown template '{name}'{suggestion}; built-in templates: {valid} (or give a template folder or .svg file)")]
    UnknownTemplate {
        /// What was asked for.
        name: String,
        /// " (did you mean 'event'?)", or empty.
        suggestion: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// The filled SVG could not be rendered.
    #[error("rendering {template} for {platform} failed: {message}")]
    Render {
        /// Template name.
        template: String,
        /// Platform name.
        platform: String,
        /// Why.
        message: String,
    },
}

impl Error {
    /// The class of failure, for front ends that answer in classes (an HTTP
    /// server's 400, 413 and 422).
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::TextOverflow { .. } => ErrorClass::CannotRender,
            Error::TooLong { .. } | Error::ImageTooLarge { .. } => ErrorClass::TooLarge,
            Error::Io { what: "output", .. } | Error::Render { .. } => ErrorClass::Internal,
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::FileTooLarge => {
                ErrorClass::TooLarge
            }
            _ => ErrorClass::BadInput,
        }
    }

    /// The field or slot the error belongs to, where it belongs to one
    /// (`story`, `logo`, `photo`, …).
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Image { what, .. } | Error::ImageTooLarge { what, .. } => Some(what),
            Error::Io { what, .. } if *what != "output" => Some(what),
            Error::TextOverflow { slot, .. } => Some(slot),
            Error::TooLong { field, .. } => Some(field),
            Error::UnknownPlatform { .. } => Some("platform"),
            Error::UnknownTemplate { .. } => Some("template"),
            _ => None,
        }
    }

    /// A copy of the error (an I/O error's cause is kept as its kind and
    /// message), for caches that hand one error to several callers.
    ///
    /// Longer than most functions here: one arm per variant, each a plain
    /// copy of its fields (`std::io::Error` is not `Clone`, so `Error`
    /// cannot derive it); splitting it would only scatter the list.
    pub fn clone_lossy(&self) -> Error {
        match self {
            Error::Io { path, what, source } => Error::Io {
                path: path.clone(),
                what,
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            Error::Font { path, message } => Error::Font {
                path: path.clone(),
                message: message.clone(),
            },
            Error::Template { template, message } => Error::Template {
                template: template.clone(),
                message: message.clone(),
            },
            Error::Config { origin, message } => Error::Config {
                origin: origin.clone(),
                message: message.clone(),
            },
            Error::Image {
                what,
                path,
                message,
            } => Error::Image {
                what: what.clone(),
                path: path.clone(),
                message: message.clone(),
            },
            Error::ImageTooLarge {
                what,
                path,
                message,
            } => Error::ImageTooLarge {
                what: what.clone(),
                path: path.clone(),
                message: message.clone(),
            },
            Error::TextOverflow {
                slot,
                template,
                platform,
                min_size,
                detail,
                suggest,
            } => Error::TextOverflow {
                slot: slot.clone(),
                template: template.clone(),
                platform: platform.clone(),
                min_size: *min_size,
                detail: detail.clone(),
                suggest: *suggest,
            },
            Error::TooLong {
                field,
                chars,
                limit,
            } => Error::TooLong {
                field: field.clone(),
                chars: *chars,
                limit: *limit,
            },
            Error::MissingField(m) => Error::MissingField(m.clone()),
            Error::UnknownPlatform {
                name,
                suggestion,
                valid,
            } => Error::UnknownPlatform {
                name: name.clone(),
                suggestion: suggestion.clone(),
                valid: valid.clone(),
            },
            Error::UnknownTemplate {
                name,
                suggestion,
                valid,
            } => Error::UnknownTemplate {
                name: name.clone(),
                suggestion: suggestion.clone(),
                valid: valid.clone(),
            },
            Error::Render {
                template,
                platform,
                message,
            } => Error::Render {
                template: template.clone(),
                platform: platform.clone(),
                message: message.clone(),
            },
        }
    }

    /// True for errors that come from what the user asked for on the command
    /// line (unknown names), which the CLI reports as usage errors.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::UnknownPlatform { .. } | Error::UnknownTemplate { .. }
        )
    }
}

/// Largest campaign, brand, platforms or template.toml file postkit reads.
pub const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Reads an input file of at most `limit` bytes. Only regular files are
/// read: a device (`/dev/zero`) or a pipe would never end, or never start.
pub fn read_input(path: &Path, what: &'static str, limit: u64) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        what,
        source,
    };
    let refuse = |m: String| io(std::io::Error::new(std::io::ErrorKind::InvalidInput, m));
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(refuse("it is a folder; give a file".into()));
    }
    if !meta.is_file() {
        return Err(refuse(
            "it is not a regular file (a device or a pipe); give a file".into(),
        ));
    }
    let too_big = || {
        io(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!(
                "it is larger than {}; the limit for a {what} is {}",
                megabytes(meta.len()),
                megabytes(limit)
            ),
        ))
    };
    if meta.len() > limit {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .map_err(io)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(bytes)
}

/// [`read_input`] for text files (UTF-8).
pub fn read_input_text(path: &Path, what: &'static str, limit: u64) -> Result<String, Error> {
    String::from_utf8(read_input(path, what, limit)?).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        what,
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text (byte {} is not); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        ),
    })
}

/// A size in MB (of 2^20 bytes) for messages, with a decimal where it
/// matters: "5.1 MB", never "5 MB" for a file just over a 5 MB limit.
pub fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 100.0 || (mb.fract() == 0.0) {
        format!("{mb:.0} MB")
    } else {
        format!("{:.1} MB", (mb * 10.0).ceil() / 10.0)
    }
}

/// "cannot read the logo x.png: …" (what the file is, then where it is), or
/// "cannot write out/x.png: …" for outputs.
fn io_message(what: &str, path: &Path, source: &std::io::Error) -> String {
    if what == "output" {
        format!("cannot write {}: {source}", path.display())
    } else {
        format!("cannot read the {what} {}: {source}", path.display())
    }
}

/// A TOML error as one line: "line L, column C: KEY: what is wrong", the key
/// found from where the error points (so a type error names its field), and
/// serde's jargon ("expected a sequence") put in words a user knows.
pub fn toml_message(src: &str, e: &toml::de::Error) -> String {
    let mut message = e
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    for (jargon, plain) in [
        (
            "expected a sequence",
            "expected a list, e.g. [\"a\", \"b\"]",
        ),
        ("expected u16", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected u64", "expected a whole number"),
        ("expected usize", "expected a whole number"),
        ("expected a string", "expected text in quotes"),
        ("expected a boolean", "expected true or false"),
        ("expected a map", "expected a table"),
    ] {
        message = message.replace(jargon, plain);
    }
    let Some(span) = e.span() else {
        return message;
    };
    // A span over the whole file (a missing field at the top level) tells
    // no line; one from a table's header (a field missing in it) does.
    let whole = span.start == 0 && span.end >= src.trim_end().len() && src.lines().count() > 1;
    if whole && !src.trim_start().starts_with('[') {
        return message;
    }
    let at = span.start.min(src.len());
    let line_no = src[..at].matches('\n').count() + 1;
    let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
    let column = src[line_start..at].chars().count() + 1;
    match toml_key_at(src, at) {
        Some(key)
            if !message.contains(&format!("`{}`", key.rsplit('.').next().unwrap_or(&key))) =>
        {
            format!("line {line_no}, column {column}: {key}: {message}")
        }
        _ => format!("line {line_no}, column {column}: {message}"),
    }
}

/// The dotted key (with its table) of the line holding byte `at`, if that
/// line is `key = value` or a `[table]` header.
fn toml_key_at(src: &str, at: usize) -> Option<String> {
    let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = src[line_start..].lines().next().unwrap_or("").trim();
    if line.starts_with('[') {
        return Some(table_name(line)?.to_string());
    }
    let key = unquote(line.split_once('=')?.0.trim());
    if key.is_empty() || key.starts_with('#') {
        return None;
    }
    // The table the line is in: the last header above it.
    let table = src[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .and_then(table_name);
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}

fn table_name(header: &str) -> Option<&str> {
    let end = header.find(']')?;
    Some(header[..end].trim_start_matches('[').trim())
}

fn unquote(key: &str) -> &str {
    key.trim_matches(|c| c == '"' || c == '\'')
}

/// The 1-based line of `key = …` in `table` of a TOML file (`""` for the top
/// level; `index` picks one of an array of tables, `[[table]]`, from 0), or
/// of the table's header when the key is not written there.
pub fn toml_key_line(src: &str, table: &str, index: usize, key: &str) -> Option<usize> {
    let mut current = String::new();
    let mut seen: Option<usize> = None;
    let mut header_line = None;
    for (i, raw) in src.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('[') {
            current = table_name(line).unwrap_or("").to_string();
            if current == table {
                seen = Some(seen.map_or(0, |n| n + 1));
                if seen == Some(index) {
                    header_line = Some(i + 1);
                }
            }
            continue;
        }
        let here = current == table && (table.is_empty() || seen == Some(index));
        if here {
            if let Some((k, _)) = line.split_once('=') {
                if unquote(k.trim()) == key {
                    return Some(i + 1);
                }
            }
        }
    }
    header_line
}
