//! Encoding and writing: pixels to PNG bytes, bytes to disk atomically, and
//! file names that are safe on every filesystem.

use std::io::Write;
use std::path::{Path, PathBuf};

use resvg::tiny_skia::Pixmap;

use crate::error::Error;

/// Encodes a pixmap as PNG: RGB when fully opaque, straight RGBA otherwise.
/// The same pixels always give the same bytes.
pub fn encode_png(pixmap: &Pixmap) -> Vec<u8> {
    let opaque = pixmap.pixels().iter().all(|p| p.alpha() == 255);
    let (w, h) = (pixmap.width(), pixmap.height());
    let data: Vec<u8> = if opaque {
        pixmap
            .pixels()
            .iter()
            .flat_map(|p| [p.red(), p.green(), p.blue()])
            .collect()
    } else {
        pixmap
            .pixels()
            .iter()
            .flat_map(|p| {
                let c = p.demultiply();
                [c.red(), c.green(), c.blue(), c.alpha()]
            })
            .collect()
    };
    let mut out = Vec::with_capacity(data.len() / 8);
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(if opaque {
            png::ColorType::Rgb
        } else {
            png::ColorType::Rgba
        });
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Balanced);
        enc.set_filter(png::Filter::Adaptive);
        let mut writer = enc.write_header().expect("header for a valid size");
        writer
            .write_image_data(&data)
            .expect("image data matches the header");
    }
    out
}

/// A file-name-safe slug: letters and digits of any script kept (lower-cased),
/// everything else folded to single dashes, at most 60 characters, never empty,
/// never a name Windows reserves.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
        if out.chars().count() >= 60 {
            break;
        }
    }
    if out.is_empty() {
        return "untitled".into();
    }
    let upper = out.to_ascii_uppercase();
    let reserved = matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit());
    if reserved {
        out.push_str("-org");
    }
    out
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// then a rename, so no reader ever sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io {
        path: path.to_path_buf(),
        what: "output",
        source: e,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// `<out>/<org-slug>/<template>-<platform>.png`.
pub fn asset_path(out: &Path, org: &str, template: &str, platform: &str, ext: &str) -> PathBuf {
    out.join(slug(org))
        .join(format!("{}-{}.{ext}", slug(template), slug(platform)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slug("Plymouth Welcome Hub"), "plymouth-welcome-hub");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("CON"), "con-org");
        assert_eq!(slug("A\0B"), "a-b");
        assert_eq!(slug("مركز الترحيب"), "مركز-الترحيب");
        assert_eq!(slug("///"), "untitled");
    }
}
