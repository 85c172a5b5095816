//! A multipart form read within limits, as it arrives: every limit is
//! checked while the bytes come, before anything is decoded. What the form
//! holds, and the JSON body, are read by the library's [`crate::api::form`].

use super::error::ApiError;
pub use crate::api::form::{json, Limits, Submitted, IMAGE_FIELDS};

/// Reads a multipart form within the limits.
pub async fn multipart(
    mut form: axum::extract::Multipart,
    limits: &Limits,
) -> Result<Submitted, ApiError> {
    let mut out = Submitted::default();
    let mut total = 0usize;
    while let Some(mut field) = form.next_field().await.map_err(ApiError::multipart)? {
        let name = field.name().unwrap_or("").to_string();
        // The file's own name, for messages only (its last part, short).
        let file = field.file_name().map(|f| {
            let base = f.rsplit(['/', '\\']).next().unwrap_or(f);
            base.chars().take(80).collect::<String>()
        });
        let is_file = file.is_some() || IMAGE_FIELDS.contains(&name.as_str());
        let limit = if is_file { limits.image } else { limits.text };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(ApiError::multipart)? {
            total += chunk.len();
            if total > limits.body {
                return Err(ApiError::too_large("the request", limits.body));
            }
            if bytes.len() + chunk.len() > limit {
                return Err(ApiError::too_large(&name, limit));
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            let file = file.unwrap_or_else(|| "(uploaded file)".into());
            out.image(&name, &file, bytes)?;
        } else {
            let text = String::from_utf8(bytes)
                .map_err(|_| ApiError::bad(Some(&name), "is not UTF-8 text"))?;
            out.text(&name, text, limits)?;
        }
    }
    Ok(out)
}
