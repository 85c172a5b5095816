//! Encoding and writing: pixels to PNG bytes, bytes to disk atomically, and
//! file names that are safe on every filesystem.

use std::io::Write;
use std::path::{Path, PathBuf};

use resvg::tiny_skia::Pixmap;

use crate::error::Error;

/// Encodes a pixmap as PNG, losslessly and deterministically: an indexed
/// (palette) PNG when the image is opaque and has at most 256 colours (text
/// cards usually do: smaller and many times faster to compress), RGB when
/// opaque, straight RGBA otherwise.
pub fn encode_png(pixmap: &Pixmap) -> Vec<u8> {
    let opaque = pixmap.pixels().iter().all(|p| p.alpha() == 255);
    let (w, h) = (pixmap.width(), pixmap.height());
    let mut out = Vec::with_capacity((w * h) as usize / 4);
    fn header(
        out: &mut Vec<u8>,
        w: u32,
        h: u32,
        colour: png::ColorType,
    ) -> png::Encoder<'static, &mut Vec<u8>> {
        let mut enc = png::Encoder::new(out, w, h);
        enc.set_color(colour);
        enc.set_depth(png::BitDepth::Eight);
        enc
    }
    if opaque {
        if let Some((palette, indices)) = palette(pixmap) {
            let mut enc = header(&mut out, w, h, png::ColorType::Indexed);
            enc.set_palette(palette);
            enc.set_compression(png::Compression::Fast);
            enc.set_filter(png::Filter::Adaptive);
            let mut writer = enc.write_header().expect("header for a valid size");
            writer
                .write_image_data(&indices)
                .expect("data matches the header");
            drop(writer);
            return out;
        }
    }
    let data: Vec<u8> = if opaque {
        pixmap
            .pixels()
            .iter()
            .flat_map(|p| [p.red(), p.green(), p.blue()])
            .collect()
    } else {
        rgba(pixmap)
    };
    let mut enc = header(
        &mut out,
        w,
        h,
        if opaque {
            png::ColorType::Rgb
        } else {
            png::ColorType::Rgba
        },
    );
    enc.set_compression(png::Compression::Balanced);
    enc.set_filter(png::Filter::Adaptive);
    let mut writer = enc.write_header().expect("header for a valid size");
    writer
        .write_image_data(&data)
        .expect("image data matches the header");
    drop(writer);
    out
}

/// The sorted palette (RGB triples) and per-pixel indices of an opaque
/// pixmap with at most 256 colours; None if it has more.
fn palette(pixmap: &Pixmap) -> Option<(Vec<u8>, Vec<u8>)> {
    let key = |p: &resvg::tiny_skia::PremultipliedColorU8| {
        (p.red() as u32) << 16 | (p.green() as u32) << 8 | p.blue() as u32
    };
    let mut colours: Vec<u32> = Vec::with_capacity(256);
    let mut last = u32::MAX;
    for p in pixmap.pixels() {
        let c = key(p);
        if c == last {
            continue;
        }
        last = c;
        if let Err(i) = colours.binary_search(&c) {
            if colours.len() == 256 {
                return None;
            }
            colours.insert(i, c);
        }
    }
    let mut indices = Vec::with_capacity(pixmap.pixels().len());
    let (mut last, mut last_i) = (u32::MAX, 0u8);
    for p in pixmap.pixels() {
        let c = key(p);
        if c != last {
            last = c;
            last_i = colours.binary_search(&c).ok()? as u8;
        }
        indices.push(last_i);
    }
    let palette = colours
        .iter()
        .flat_map(|c| [(c >> 16) as u8, (c >> 8) as u8, *c as u8])
        .collect();
    Some((palette, indices))
}

/// Output file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// PNG (lossless).
    #[default]
    Png,
    /// JPEG, quality lowered step by step to fit the platform's byte cap.
    Jpeg,
    /// WebP (lossless).
    Webp,
    /// The platform's preferred format.
    Auto,
}

impl Format {
    /// Parses `png`, `jpeg`/`jpg`, `webp` or `auto`.
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "png" => Format::Png,
            "jpeg" | "jpg" => Format::Jpeg,
            "webp" => Format::Webp,
            "auto" => Format::Auto,
            _ => return None,
        })
    }

    /// The concrete format for a platform (resolving `Auto`).
    pub fn for_platform(self, preferred: &str) -> Format {
        match self {
            Format::Auto => Format::parse(preferred)
                .filter(|f| *f != Format::Auto)
                .unwrap_or(Format::Png),
            f => f,
        }
    }

    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Png | Format::Auto => "png",
            Format::Jpeg => "jpg",
            Format::Webp => "webp",
        }
    }
}

/// Encodes in `format` (not `Auto`), keeping within `max_bytes` when given:
/// JPEG quality goes down from 92 in steps of 6 to 50; a PNG or WebP that is
/// too large gets a warning.
pub fn encode(
    pixmap: &Pixmap,
    format: Format,
    max_bytes: Option<u64>,
) -> (Vec<u8>, Option<String>) {
    let cap = max_bytes.unwrap_or(u64::MAX);
    match format {
        Format::Png | Format::Auto => {
            let png = encode_png(pixmap);
            let warn = (png.len() as u64 > cap).then(|| too_big("PNG", png.len(), cap));
            (png, warn)
        }
        Format::Webp => {
            let rgba = rgba(pixmap);
            let mut out = Vec::new();
            image::codecs::webp::WebPEncoder::new_lossless(&mut out)
                .encode(
                    &rgba,
                    pixmap.width(),
                    pixmap.height(),
                    image::ExtendedColorType::Rgba8,
                )
                .expect("in-memory WebP encode");
            let warn = (out.len() as u64 > cap).then(|| too_big("WebP", out.len(), cap));
            (out, warn)
        }
        Format::Jpeg => {
            let rgb: Vec<u8> = pixmap
                .pixels()
                .iter()
                .flat_map(|p| {
                    // Composite on white: JPEG has no transparency.
                    let c = p.demultiply();
                    let a = c.alpha() as u16;
                    let blend = |v: u8| ((v as u16 * a + 255 * (255 - a)) / 255) as u8;
                    [blend(c.red()), blend(c.green()), blend(c.blue())]
                })
                .collect();
            let mut quality = 92u8;
            loop {
                let mut out = Vec::new();
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
                    .encode(
                        &rgb,
                        pixmap.width(),
                        pixmap.height(),
                        image::ExtendedColorType::Rgb8,
                    )
                    .expect("in-memory JPEG encode");
                if out.len() as u64 <= cap {
                    return (out, None);
                }
                if quality <= 50 {
                    let w = too_big("JPEG at quality 50", out.len(), cap);
                    return (out, Some(w));
                }
                quality = quality.saturating_sub(6).max(50);
            }
        }
    }
}

fn too_big(what: &str, len: usize, cap: u64) -> String {
    format!(
        "the {what} is {:.1} MB, over the platform's {:.1} MB limit; try --format jpeg",
        len as f64 / 1e6,
        cap as f64 / 1e6
    )
}

fn rgba(pixmap: &Pixmap) -> Vec<u8> {
    pixmap
        .pixels()
        .iter()
        .flat_map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        })
        .collect()
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

/// `<out>/<org-slug>/<template>-<platform>[-<suffix>].<ext>`.
pub fn asset_path(
    out: &Path,
    org: &str,
    template: &str,
    platform: &str,
    suffix: Option<&str>,
    ext: &str,
) -> PathBuf {
    let tail = suffix.map(|s| format!("-{}", slug(s))).unwrap_or_default();
    out.join(slug(org))
        .join(format!("{}-{}{tail}.{ext}", slug(template), slug(platform)))
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
