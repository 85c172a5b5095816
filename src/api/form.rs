//! What a request sends, read within limits: text values and image files
//! (one at a time, as a multipart form or the page's engine gives them) or
//! a JSON object (images as base64), with the batch file's column names as
//! keys. Every limit is checked before anything is decoded; the error names
//! the field and its limit.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;

use crate::diag::ErrorClass;
use crate::error::Error;
use crate::inputs::ImageInput;
use crate::plan::{Input, COLUMNS};

/// A form that cannot be taken: its class (bad input, too large), the field
/// at fault and what to do. The server answers it with a status.
#[derive(Debug, Clone)]
pub struct FormError {
    /// The class of failure.
    pub class: ErrorClass,
    /// The field at fault, if one is.
    pub field: Option<String>,
    /// What went wrong and what to do.
    pub message: String,
}

impl FormError {
    /// Bad input in `field`.
    pub fn bad(field: Option<&str>, message: impl Into<String>) -> FormError {
        FormError {
            class: ErrorClass::BadInput,
            field: field.map(str::to_string),
            message: message.into(),
        }
    }

    /// `field` is over its limit of `limit` bytes.
    pub fn too_large(field: &str, limit: usize) -> FormError {
        let message = format!(
            "{field} is larger than the limit of {}; send a smaller one",
            crate::error::megabytes(limit as u64)
        );
        FormError {
            class: ErrorClass::TooLarge,
            field: (field != "the request").then(|| field.to_string()),
            message,
        }
    }

    /// A planning error. A message about a value ("is empty; …") is
    /// given its field's name; one from the library names its subject.
    pub fn plan(e: &crate::plan::PlanError) -> FormError {
        use crate::plan::Problem;
        let message = match e.problem {
            Problem::Empty | Problem::Invalid => format!("{}: {}", e.field, e.message),
            Problem::Unknown | Problem::Unusable => e.message.clone(),
        };
        FormError {
            class: e.class,
            field: Some(e.field.clone()),
            message,
        }
    }

    /// A library error, with its class and field.
    pub fn from_error(e: &Error) -> FormError {
        FormError {
            class: e.class(),
            field: e.field().map(str::to_string),
            message: e.to_string(),
        }
    }
}

/// The fields that carry an image.
pub const IMAGE_FIELDS: [&str; 3] = ["logo", "logo_dark", "photo"];

/// Limits on what one request may send.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The whole body, bytes.
    pub body: usize,
    /// One image, bytes.
    pub image: usize,
    /// One text field, bytes.
    pub text: usize,
    /// How many fields a request may have.
    pub fields: usize,
    /// A batch's (`/api/batch`, `/api/batch/check`) whole body, bytes.
    pub batch_body: usize,
    /// Rows a batch's sheet may have.
    pub batch_rows: usize,
    /// Files (logos, photos; a zip's entries each count) a batch may send.
    pub batch_files: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body: 32 << 20,
            image: 15 << 20,
            // The story is at most 10,000 characters, of up to 4 bytes.
            text: 40_000,
            fields: 64,
            batch_body: 100 << 20,
            batch_rows: 100,
            batch_files: 200,
        }
    }
}

/// A request's content, read and checked.
#[derive(Default)]
pub struct Submitted {
    /// The values, as a batch row has them.
    pub input: Input,
    /// The uploaded images by field.
    pub images: BTreeMap<String, ImageInput>,
    /// The longest side of preview images, when previews were asked for.
    pub preview: Option<u32>,
    /// Today, for the countdown, when the form gives it.
    pub date: Option<time::Date>,
}

/// A field name postkit accepts: letters, digits, `_`, `-`, `.`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl Submitted {
    /// How many values and images the form has.
    pub fn count(&self) -> usize {
        self.input.values.len() + self.input.fields.len() + self.images.len()
    }

    /// Takes one text value.
    pub fn text(&mut self, name: &str, value: String, limits: &Limits) -> Result<(), FormError> {
        if !valid_name(name) {
            return Err(FormError::bad(
                None,
                format!(
                    "field name '{}' must be letters, digits, '_', '-' or '.' (at most 64)",
                    name.chars().take(64).collect::<String>()
                ),
            ));
        }
        if value.len() > limits.text {
            return Err(FormError::too_large(name, limits.text));
        }
        if self.count() >= limits.fields {
            return Err(FormError::bad(
                Some(name),
                format!("a request may have at most {} fields", limits.fields),
            ));
        }
        match name {
            "preview" => {
                let side = value.trim().parse::<u32>().ok().filter(|s| (16..=2048).contains(s));
                self.preview = Some(side.ok_or_else(|| {
                    FormError::bad(Some(name), "give the preview's longest side in px, from 16 to 2048")
                })?);
            }
            "date" => {
                let d = crate::plan::parse::date(value.trim()).map_err(|m| FormError::bad(Some(name), m))?;
                self.date = Some(d);
            }
            "platform" | "template" => {
                let mut items = self.input.list(name, &[';', ',']).unwrap_or_default();
                items.extend(value.split([';', ',']).map(|s| s.trim().to_string()));
                items.retain(|s| !s.is_empty());
                self.input.set_list(name, &items);
            }
            _ if IMAGE_FIELDS.contains(&name) => {
                return Err(FormError::bad(
                    Some(name),
                    format!("{name} must be an uploaded image file (a PNG, JPEG, WebP or SVG), not text"),
                ))
            }
            "brand" => {
                return Err(FormError::bad(
                    Some(name),
                    "the server reads no brand files; give the brand's colours as fields (brand.primary, …) and its logo as logo",
                ))
            }
            _ if COLUMNS.contains(&name) => self.input.set(name, &value),
            _ => {
                if !value.trim().is_empty() {
                    self.input.fields.insert(name.to_string(), value);
                }
            }
        }
        Ok(())
    }

    /// Takes one uploaded image: checked and decoded (metadata such as EXIF
    /// and GPS is never carried into an output: images are re-encoded from
    /// their pixels).
    pub fn image(&mut self, name: &str, file: &str, bytes: Vec<u8>) -> Result<(), FormError> {
        if !IMAGE_FIELDS.contains(&name) {
            return Err(FormError::bad(
                Some(name),
                format!("{name} is not an image field; images go in logo, logo_dark or photo"),
            ));
        }
        if bytes.is_empty() {
            return Ok(());
        }
        let img = ImageInput::from_bytes(bytes, Path::new(file), name)
            .map_err(|e| FormError::from_error(&e))?;
        self.images.insert(name.to_string(), img);
        // The planner asks the resources for the image by this value.
        self.input.set(name, name);
        Ok(())
    }
}

/// Reads a JSON object: text values as strings (lists as arrays of strings,
/// numbers as numbers), images as base64 strings (a `data:` URL or plain).
pub fn json(body: &[u8], limits: &Limits) -> Result<Submitted, FormError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        FormError::bad(None, format!("the body is not valid JSON ({e}); send an object whose keys are the batch file's columns"))
    })?;
    let serde_json::Value::Object(map) = value else {
        return Err(FormError::bad(
            None,
            "the body must be a JSON object whose keys are the batch file's columns",
        ));
    };
    let mut out = Submitted::default();
    for (name, v) in map {
        if IMAGE_FIELDS.contains(&name.as_str()) {
            let serde_json::Value::String(s) = v else {
                return Err(FormError::bad(
                    Some(&name),
                    format!("{name} must be a base64 string"),
                ));
            };
            let b64 = s.split_once(";base64,").map_or(s.as_str(), |(_, b)| b);
            if b64.len() / 4 * 3 > limits.image {
                return Err(FormError::too_large(&name, limits.image));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| FormError::bad(Some(&name), format!("{name} is not valid base64")))?;
            out.image(&name, "(base64)", bytes)?;
            continue;
        }
        let items: Vec<String> = match v {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => vec![s],
            serde_json::Value::Number(n) => vec![n.to_string()],
            serde_json::Value::Bool(b) => vec![b.to_string()],
            serde_json::Value::Array(a) => a
                .into_iter()
                .map(|x| match x {
                    serde_json::Value::String(s) => Ok(s),
                    other => Ok(other.to_string()),
                })
                .collect::<Result<_, FormError>>()?,
            serde_json::Value::Object(_) => {
                return Err(FormError::bad(
                    Some(&name),
                    format!("{name} must be text or a list of texts"),
                ))
            }
        };
        if matches!(name.as_str(), "hashtags" | "tags") {
            if out.count() >= limits.fields {
                return Err(FormError::bad(
                    Some(&name),
                    format!("a request may have at most {} fields", limits.fields),
                ));
            }
            if items.iter().map(String::len).sum::<usize>() > limits.text {
                return Err(FormError::too_large(&name, limits.text));
            }
            out.input.set_list(&name, &items);
            continue;
        }
        for item in items {
            out.text(&name, item, limits)?;
        }
    }
    Ok(out)
}
