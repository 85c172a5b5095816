//! Logos and photos: read and checked once (limits before decoding), decoded
//! once, and resampled to each slot's pixel size at most once per size, so a
//! 12-megapixel photo is never decoded or downscaled again per asset.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;

use crate::error::Error;

/// Largest image file postkit reads.
pub const MAX_IMAGE_BYTES: u64 = 40 * 1024 * 1024;
/// Largest image side postkit decodes.
pub const MAX_IMAGE_SIDE: u32 = 12_000;
/// Largest image area postkit decodes (pixels).
pub const MAX_IMAGE_PIXELS: u64 = 60_000_000;

/// How an image fills its slot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fit {
    /// The whole image inside the slot.
    Contain,
    /// The slot filled, the image cropped around a focal point (0..1, 0..1).
    Cover(f32, f32),
}

/// Where an image lands in its slot, and the data to draw.
#[derive(Clone, Debug)]
pub struct Placement {
    /// Left, top, width, height as fractions of the slot.
    pub rect: [f32; 4],
    /// A `data:` URL of the (resampled) image.
    pub href: Arc<str>,
    /// The SVG `preserveAspectRatio` to use.
    pub aspect: &'static str,
    /// Source pixels per output pixel (< 1 means the image is upscaled).
    pub density: f32,
}

type Cache = Arc<Mutex<HashMap<(u32, u32, u32, u32, u32, u32), Arc<str>>>>;

/// An image given for a slot.
#[derive(Clone)]
pub struct ImageInput {
    /// Where it came from.
    pub path: PathBuf,
    /// MIME type of the original.
    pub mime: &'static str,
    /// The original bytes.
    pub bytes: Arc<Vec<u8>>,
    /// Pixel width (0 for SVG).
    pub width: u32,
    /// Pixel height (0 for SVG).
    pub height: u32,
    /// Decoded pixels (raster images).
    pixels: Option<Arc<image::RgbaImage>>,
    /// Mean colour of the visible pixels, when the image has transparency
    /// (so the background shows around it); None for opaque images.
    pub ink: Option<[u8; 3]>,
    /// True when every pixel is fully opaque (JPEG is then used for resampling).
    opaque: bool,
    /// The colour of its own solid background, read once at load (see
    /// [`ImageInput::solid_backdrop`]).
    backdrop: Option<[u8; 3]>,
    /// Why the image's colour profile was not applied (it could not be
    /// read), naming the file; the image is then used as sRGB.
    pub colour_warning: Option<String>,
    cache: Cache,
}

impl std::fmt::Debug for ImageInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageInput")
            .field("path", &self.path)
            .field("mime", &self.mime)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

impl ImageInput {
    /// Reads and checks an image for slot `what` (`logo`, `photo`, …).
    pub fn load(path: &Path, what: &str) -> Result<ImageInput, Error> {
        let meta = std::fs::metadata(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            what: file_kind(what),
            source: e,
        })?;
        if meta.is_file() && meta.len() > MAX_IMAGE_BYTES {
            return Err(too_large(path, what, meta.len()));
        }
        let bytes = crate::error::read_input(path, file_kind(what), MAX_IMAGE_BYTES)?;
        ImageInput::from_bytes(bytes, path, what)
    }

    /// Checks and decodes image bytes; `path` and `what` name it in messages.
    pub fn from_bytes(bytes: Vec<u8>, path: &Path, what: &str) -> Result<ImageInput, Error> {
        let bad = |message: String| Error::Image {
            what: what.to_string(),
            path: path.to_path_buf(),
            message,
        };
        if bytes.len() as u64 > MAX_IMAGE_BYTES {
            return Err(too_large(path, what, bytes.len() as u64));
        }
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_string();
        let trimmed = head.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with("<svg")
            || trimmed.starts_with("<?xml")
            || trimmed.starts_with("<!--")
        {
            return svg_input(bytes, path, what);
        }
        let Raster {
            pixels: decoded,
            mime,
            colour_error,
            ..
        } = decode_raster(&bytes, true).map_err(|e| match e {
            RasterError::TooLarge(m) => Error::ImageTooLarge {
                what: what.to_string(),
                path: path.to_path_buf(),
                message: m,
            },
            RasterError::Bad(m) => bad(m),
        })?;
        let colour_warning = colour_error.map(|e| colour_message(what, path, &e));
        let (width, height) = decoded.dimensions();
        let ink = visible_mean(&decoded);
        let opaque = decoded.pixels().all(|p| p[3] == 255);
        // Only a logo's is asked for (per card): read once, here.
        let backdrop = what
            .starts_with("logo")
            .then(|| solid_backdrop(&decoded))
            .flatten();
        Ok(ImageInput {
            opaque,
            backdrop,
            path: path.to_path_buf(),
            mime,
            bytes: Arc::new(bytes),
            width,
            height,
            pixels: Some(Arc::new(decoded)),
            ink,
            colour_warning,
            cache: Cache::default(),
        })
    }

    /// True for SVG images.
    pub fn is_svg(&self) -> bool {
        self.pixels.is_none()
    }

    /// The colour of an opaque image's own background: the colour of its
    /// edge (the outer fiftieth of each side), when nearly all of it is one
    /// solid colour (a logo exported as JPEG on white). None for SVG, for
    /// images with transparency at the edge, and for photos.
    pub fn solid_backdrop(&self) -> Option<[u8; 3]> {
        self.backdrop
    }

    /// Places the image in a slot of `slot_px` output pixels (`w`, `h`, in
    /// slot units and pixels per unit).
    pub fn place(&self, slot_w: f32, slot_h: f32, px_per_unit: f32, fit: Fit) -> Placement {
        let Some(pixels) = &self.pixels else {
            let aspect = match fit {
                Fit::Contain => "xMidYMid meet",
                Fit::Cover(..) => "xMidYMid slice",
            };
            return Placement {
                rect: [0.0, 0.0, 1.0, 1.0],
                href: data_url(self.mime, &self.bytes).into(),
                aspect,
                density: f32::INFINITY,
            };
        };
        let (iw, ih) = (self.width as f32, self.height as f32);
        let slot_aspect = slot_w / slot_h;
        let img_aspect = iw / ih;
        // Source crop (x, y, w, h) and its place in the slot (fractions).
        let (crop, rect) = match fit {
            Fit::Cover(fx, fy) => {
                let (cw, ch) = if img_aspect > slot_aspect {
                    (ih * slot_aspect, ih)
                } else {
                    (iw, iw / slot_aspect)
                };
                let cx = (fx.clamp(0.0, 1.0) * iw - cw / 2.0).clamp(0.0, iw - cw);
                let cy = (fy.clamp(0.0, 1.0) * ih - ch / 2.0).clamp(0.0, ih - ch);
                ([cx, cy, cw, ch], [0.0, 0.0, 1.0, 1.0])
            }
            Fit::Contain => {
                let (fw, fh) = if img_aspect > slot_aspect {
                    (1.0, slot_aspect / img_aspect)
                } else {
                    (img_aspect / slot_aspect, 1.0)
                };
                (
                    [0.0, 0.0, iw, ih],
                    [(1.0 - fw) / 2.0, (1.0 - fh) / 2.0, fw, fh],
                )
            }
        };
        let out_w = (rect[2] * slot_w * px_per_unit).round().max(1.0) as u32;
        let out_h = (rect[3] * slot_h * px_per_unit).round().max(1.0) as u32;
        let density = crop[2] / out_w as f32;
        let c = crop.map(|v| v.round() as u32);
        // Never upscale: a smaller source is drawn as it is.
        let (tw, th) = if density < 1.0 {
            (c[2].max(1), c[3].max(1))
        } else {
            (out_w, out_h)
        };
        let key = (c[0], c[1], c[2], c[3], tw, th);
        let href = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache
                .entry(key)
                .or_insert_with(|| resample(pixels, c, tw, th, !self.opaque).into())
                .clone()
        };
        Placement {
            rect,
            href,
            aspect: "none",
            density,
        }
    }
}

/// A raster image, decoded.
struct Raster {
    /// Its pixels, in sRGB.
    pixels: image::RgbaImage,
    /// Its MIME type.
    mime: &'static str,
    /// True when its colour profile was applied (its pixels changed).
    converted: bool,
    /// Why its colour profile could not be applied, when it could not.
    colour_error: Option<String>,
}

/// Why a raster image cannot be used.
enum RasterError {
    /// Larger than postkit decodes: what it is and the limit.
    TooLarge(String),
    /// Not an image postkit reads, or damaged: why.
    Bad(String),
}

/// Decodes PNG, JPEG or WebP bytes within the limits (the header is read
/// before any pixel is), turned upright by the EXIF orientation if
/// `upright`, and converted to sRGB from the embedded colour profile
/// (JPEG APP2 in as many parts as it takes, PNG `iCCP` or `gAMA`/`cHRM`,
/// WebP `ICCP`).
fn decode_raster(bytes: &[u8], upright: bool) -> Result<Raster, RasterError> {
    let bad = RasterError::Bad;
    let format = image::guess_format(bytes)
        .map_err(|_| bad("is not a PNG, JPEG, WebP or SVG image".into()))?;
    let mime = match format {
        image::ImageFormat::Png => "image/png",
        image::ImageFormat::Jpeg => "image/jpeg",
        image::ImageFormat::WebP => "image/webp",
        other => return Err(bad(format!("is {other:?}; use PNG, JPEG, WebP or SVG"))),
    };
    // The header alone tells the size: refuse a bomb before decoding.
    let size = imagesize::blob_size(bytes).map_err(|e| bad(format!("cannot be read: {e}")))?;
    let (width, height) = (size.width as u32, size.height as u32);
    if width == 0
        || height == 0
        || width > MAX_IMAGE_SIDE
        || height > MAX_IMAGE_SIDE
        || width as u64 * height as u64 > MAX_IMAGE_PIXELS
    {
        return Err(RasterError::TooLarge(format!(
            "is {width}x{height} px; the limit is {MAX_IMAGE_SIDE} px a side and {} megapixels: scale it down first",
            MAX_IMAGE_PIXELS / 1_000_000
        )));
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let damaged = |e: image::ImageError| bad(format!("is damaged or truncated: {e}"));
    let mut decoder = reader.into_decoder().map_err(damaged)?;
    // A phone stores its photo sideways and says so in the EXIF
    // orientation: turn it upright, as every viewer shows it.
    let orientation = image::ImageDecoder::orientation(&mut decoder)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = image::ImageDecoder::icc_profile(&mut decoder)
        .ok()
        .flatten();
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(damaged)?;
    if upright {
        img.apply_orientation(orientation);
    }
    let mut pixels = img.into_rgba8();
    let profile = match icc {
        Some(icc) => Some(moxcms::ColorProfile::new_from_slice(&icc).map_err(|e| e.to_string())),
        None => png_colour_chunks(bytes, format).map(Ok),
    };
    let (converted, colour_error) = match profile.map(|p| p.and_then(|p| to_srgb(&mut pixels, &p)))
    {
        None => (false, None),
        Some(Ok(changed)) => (changed, None),
        Some(Err(e)) => (false, Some(e)),
    };
    Ok(Raster {
        pixels,
        mime,
        converted,
        colour_error,
    })
}

/// The warning for an image whose colour profile cannot be read.
fn colour_message(what: &str, path: &Path, error: &str) -> String {
    format!(
        "the colour profile of {} {} cannot be read ({error}): its colours are used as sRGB, and may look different from what an image viewer shows",
        file_kind(what),
        path.display()
    )
}

/// Converts `img` in place from the colour space `profile` (its ICC
/// profile) describes to sRGB, what postkit draws in and every check downstream
/// (contrast, logo plate, scrim) assumes. Relative colorimetric intent, as
/// browsers apply (for the matrix profiles of cameras and editors — Adobe
/// RGB, ProPhoto, Display P3 — every intent gives the same colours): the
/// white point is adapted and colours outside sRGB are clipped. Profiles of
/// grey or CMYK data are not applied (the decoder already gave RGB). An
/// error says why the profile cannot be used.
fn to_srgb(img: &mut image::RgbaImage, profile: &moxcms::ColorProfile) -> Result<bool, String> {
    use moxcms::{ColorProfile, DataColorSpace, Layout, RenderingIntent, TransformOptions};
    if profile.color_space != DataColorSpace::Rgb {
        return Ok(false);
    }
    let options = TransformOptions {
        rendering_intent: RenderingIntent::RelativeColorimetric,
        ..TransformOptions::default()
    };
    let transform = profile
        .create_transform_8bit(
            Layout::Rgba,
            &ColorProfile::new_srgb(),
            Layout::Rgba,
            options,
        )
        .map_err(|e| e.to_string())?;
    // Already sRGB (the profile most phones and editors embed): the pixels
    // stay as they are, without a pass over them.
    if is_identity(transform.as_ref()) {
        return Ok(false);
    }
    let src = img.as_raw().clone();
    transform
        .transform(&src, img.as_mut())
        .map_err(|e| e.to_string())?;
    Ok(true)
}

/// Whether a transform leaves every colour as it is (within one step of
/// rounding): a cube of 18 steps a channel and every grey, probed.
fn is_identity(t: &(dyn moxcms::TransformExecutor<u8> + Send + Sync)) -> bool {
    let steps: Vec<u8> = (0..=255u8).step_by(15).collect();
    let mut probe: Vec<u8> = Vec::with_capacity((steps.len().pow(3) + 256) * 4);
    for &r in &steps {
        for &g in &steps {
            for &b in &steps {
                probe.extend_from_slice(&[r, g, b, 255]);
            }
        }
    }
    for v in 0..=255u8 {
        probe.extend_from_slice(&[v, v, v, 255]);
    }
    let mut out = vec![0u8; probe.len()];
    t.transform(&probe, &mut out).is_ok()
        && probe.iter().zip(&out).all(|(a, b)| a.abs_diff(*b) <= 1)
}

/// For a PNG without an `iCCP` chunk, the colour space its `gAMA` and
/// `cHRM` chunks describe (the gamma and primaries it was made with); None
/// when it has neither, or has an `sRGB` chunk (it is sRGB).
fn png_colour_chunks(bytes: &[u8], format: image::ImageFormat) -> Option<moxcms::ColorProfile> {
    if format != image::ImageFormat::Png {
        return None;
    }
    let reader = png::Decoder::new(Cursor::new(bytes)).read_info().ok()?;
    let info = reader.info();
    if info.srgb.is_some() || (info.source_gamma.is_none() && info.source_chromaticities.is_none())
    {
        return None;
    }
    let mut profile = moxcms::ColorProfile::new_srgb();
    if let Some(c) = info.source_chromaticities {
        let xy = |(x, y): (png::ScaledFloat, png::ScaledFloat)| {
            moxcms::Chromaticity::new(x.into_value(), y.into_value())
        };
        profile.update_rgb_colorimetry(
            xy(c.white).to_xyyb(),
            moxcms::ColorPrimaries {
                red: xy(c.red),
                green: xy(c.green),
                blue: xy(c.blue),
            },
        );
    }
    if let Some(g) = info.source_gamma.filter(|g| g.into_value() > 0.0) {
        // gAMA holds the encoding exponent (1/2.2 is stored as 45455).
        let curve = moxcms::ToneReprCurve::Parametric(vec![1.0 / g.into_value()]);
        profile.red_trc = Some(curve.clone());
        profile.green_trc = Some(curve.clone());
        profile.blue_trc = Some(curve);
    }
    Some(profile)
}

/// Largest SVG logo postkit reads.
pub const MAX_SVG_BYTES: usize = 5 * 1024 * 1024;
/// Most elements an SVG logo may have.
pub const MAX_SVG_ELEMENTS: usize = 50_000;

fn svg_input(bytes: Vec<u8>, path: &Path, what: &str) -> Result<ImageInput, Error> {
    let bad = |message: String| Error::Image {
        what: what.to_string(),
        path: path.to_path_buf(),
        message,
    };
    let large = |message: String| Error::ImageTooLarge {
        what: what.to_string(),
        path: path.to_path_buf(),
        message,
    };
    if bytes.len() > MAX_SVG_BYTES {
        return Err(large(format!(
            "is an SVG of {}; the limit is {}: simplify it (or remove embedded pictures) or use a PNG",
            crate::error::megabytes(bytes.len() as u64),
            crate::error::megabytes(MAX_SVG_BYTES as u64)
        )));
    }
    // Start tags, counted before parsing: end tags, comments, declarations
    // and processing instructions are not elements.
    let elements = bytes
        .windows(2)
        .filter(|w| w[0] == b'<' && !matches!(w[1], b'/' | b'!' | b'?'))
        .count();
    if elements > MAX_SVG_ELEMENTS {
        return Err(large(format!(
            "is an SVG with about {elements} elements; the limit is {MAX_SVG_ELEMENTS}: simplify it or use a PNG"
        )));
    }
    let (bytes, colour_warning) = srgb_pictures(bytes, path, what);
    let opts = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_data(&bytes, &opts)
        .map_err(|e| bad(format!("is not a valid SVG: {e}")))?;
    // A small render tells the logo's colour for contrast decisions.
    let size = tree.size();
    let scale = 128.0 / size.width().max(size.height());
    let (w, h) = (
        (size.width() * scale).ceil().max(1.0) as u32,
        (size.height() * scale).ceil().max(1.0) as u32,
    );
    let ink = resvg::tiny_skia::Pixmap::new(w, h).and_then(|mut pm| {
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::from_scale(scale, scale),
            &mut pm.as_mut(),
        );
        let img = image::RgbaImage::from_raw(
            w,
            h,
            pm.pixels()
                .iter()
                .flat_map(|p| {
                    let c = p.demultiply();
                    [c.red(), c.green(), c.blue(), c.alpha()]
                })
                .collect(),
        )?;
        visible_mean(&img)
    });
    Ok(ImageInput {
        path: path.to_path_buf(),
        mime: "image/svg+xml",
        bytes: Arc::new(bytes),
        width: 0,
        height: 0,
        pixels: None,
        ink,
        opaque: false,
        backdrop: None,
        colour_warning,
        cache: Cache::default(),
    })
}

/// An SVG logo with the pictures inside it (`<image>` with a `data:` URL of
/// a PNG, JPEG or WebP) as a browser draws them: one with a colour profile
/// is converted to sRGB and embedded again as a PNG; the rest of the file
/// is untouched, byte for byte. With the warning for a picture whose
/// profile cannot be read.
fn srgb_pictures(bytes: Vec<u8>, path: &Path, what: &str) -> (Vec<u8>, Option<String>) {
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return (bytes, None);
    };
    if !text.contains("data:image/") {
        return (bytes, None);
    }
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let Ok(doc) = roxmltree::Document::parse_with_options(text, opts) else {
        return (bytes, None);
    };
    let b64 = &base64::engine::general_purpose::STANDARD;
    let mut edits = Vec::new();
    let mut warning = None;
    let hrefs = doc
        .descendants()
        .filter(|n| n.has_tag_name("image"))
        .flat_map(|n| n.attributes())
        .filter(|a| a.name() == "href");
    for a in hrefs {
        let Some((_, data)) = a
            .value()
            .trim_start()
            .strip_prefix("data:image/")
            .and_then(|r| r.split_once(";base64,"))
        else {
            continue;
        };
        let data: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let Ok(raw) = b64.decode(data) else {
            continue;
        };
        // As drawn in an SVG: no EXIF turn.
        match decode_raster(&raw, false) {
            Ok(r) if r.converted => edits.push((a.range_value(), encoded_url(r.pixels, true))),
            Ok(Raster {
                colour_error: Some(e),
                ..
            }) => {
                warning.get_or_insert_with(|| colour_message(what, path, &e));
            }
            _ => {}
        }
    }
    if edits.is_empty() {
        return (bytes, warning);
    }
    let mut out = text.to_string();
    for (range, url) in edits.into_iter().rev() {
        out.replace_range(range, &url);
    }
    (out.into_bytes(), warning)
}

/// What a file given for slot `what` is called in "cannot read the …".
fn file_kind(what: &str) -> &'static str {
    match what {
        "logo" => "logo",
        "logo_dark" => "logo_dark",
        "photo" => "photo",
        "portrait" => "portrait",
        "still" => "still",
        _ => "image",
    }
}

fn too_large(path: &Path, what: &str, bytes: u64) -> Error {
    Error::ImageTooLarge {
        what: what.to_string(),
        path: path.to_path_buf(),
        message: format!(
            "is {}; the limit is {}: scale it down or save it with more compression",
            crate::error::megabytes(bytes),
            crate::error::megabytes(MAX_IMAGE_BYTES)
        ),
    }
}

/// The colour of an image's edge (the outer fiftieth of each side), when
/// nearly all of it is one opaque colour: what
/// [`ImageInput::solid_backdrop`] gives, read once when a logo is loaded.
fn solid_backdrop(img: &image::RgbaImage) -> Option<[u8; 3]> {
    let (w, h) = img.dimensions();
    let ring = (w.min(h) / 50).max(1);
    // The top and bottom bands, then the sides between them.
    let rows = (0..h).filter(|y| *y < ring || *y >= h.saturating_sub(ring));
    let band = rows.flat_map(|y| (0..w).map(move |x| (x, y)));
    let sides = (ring..h.saturating_sub(ring)).flat_map(|y| {
        let right = w.saturating_sub(ring).max(ring);
        (0..ring.min(w)).chain(right..w).map(move |x| (x, y))
    });
    let edge: Vec<&image::Rgba<u8>> = band
        .chain(sides)
        .map(|(x, y)| img.get_pixel(x, y))
        .collect();
    if edge.is_empty() || edge.iter().any(|p| p[3] < 250) {
        return None;
    }
    let n = edge.len() as u64;
    let mean: [u8; 3] =
        std::array::from_fn(|c| (edge.iter().map(|p| p[c] as u64).sum::<u64>() / n) as u8);
    // JPEG's ringing and noise stay within a few levels of the colour.
    let near = edge
        .iter()
        .filter(|p| (0..3).all(|c| p[c].abs_diff(mean[c]) <= 16))
        .count();
    (near * 100 >= edge.len() * 97).then_some(mean)
}

/// Mean colour of the clearly visible pixels, if the image has a
/// transparent part (more than 5% of pixels mostly transparent).
fn visible_mean(img: &image::RgbaImage) -> Option<[u8; 3]> {
    let total = img.pixels().len().max(1);
    let clear = img.pixels().filter(|p| p[3] < 128).count();
    if clear * 20 < total {
        return None;
    }
    let (mut r, mut g, mut b, mut n) = (0u64, 0u64, 0u64, 0u64);
    for p in img.pixels().filter(|p| p[3] >= 128) {
        r += p[0] as u64;
        g += p[1] as u64;
        b += p[2] as u64;
        n += 1;
    }
    (n > 0).then(|| [(r / n) as u8, (g / n) as u8, (b / n) as u8])
}

fn data_url(mime: &str, bytes: &[u8]) -> String {
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Crops and resizes, then encodes for embedding (PNG with alpha, else JPEG).
fn resample(src: &image::RgbaImage, crop: [u32; 4], w: u32, h: u32, alpha: bool) -> String {
    let cw = crop[2].min(src.width().saturating_sub(crop[0])).max(1);
    let ch = crop[3].min(src.height().saturating_sub(crop[1])).max(1);
    // Resized straight from a view of the crop: a copy of a cropped
    // 50-megapixel photo would cost 200 MB.
    let view = image::imageops::crop_imm(src, crop[0], crop[1], cw, ch);
    let resized = if (cw, ch) == (w, h) {
        view.to_image()
    } else {
        image::imageops::resize(&*view, w, h, image::imageops::FilterType::CatmullRom)
    };
    encoded_url(resized, alpha)
}

/// A `data:` URL of `img`: a PNG (lossless, with its alpha) if `alpha`, else
/// a JPEG of quality 92.
fn encoded_url(img: image::RgbaImage, alpha: bool) -> String {
    let (w, h) = img.dimensions();
    let mut out = Vec::new();
    if alpha {
        let enc = image::codecs::png::PngEncoder::new_with_quality(
            &mut out,
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::Adaptive,
        );
        image::ImageEncoder::write_image(enc, img.as_raw(), w, h, image::ExtendedColorType::Rgba8)
            .expect("in-memory PNG encode");
        data_url("image/png", &out)
    } else {
        let rgb = image::DynamicImage::ImageRgba8(img).to_rgb8();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92);
        image::ImageEncoder::write_image(enc, rgb.as_raw(), w, h, image::ExtendedColorType::Rgb8)
            .expect("in-memory JPEG encode");
        data_url("image/jpeg", &out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG with an EXIF segment saying "rotate 90° clockwise to view"
    /// (orientation 6), as a phone writes a photo taken upright.
    fn sideways_jpeg(w: u32, h: u32) -> Vec<u8> {
        // Left half red, right half blue, as stored.
        let img = image::RgbImage::from_fn(w, h, |x, _| {
            if x < w / 2 {
                image::Rgb([220, 20, 20])
            } else {
                image::Rgb([20, 20, 220])
            }
        });
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
            .encode_image(&img)
            .unwrap();
        // TIFF (big-endian) with one IFD entry: Orientation (0x0112) = 6.
        let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
        tiff.extend_from_slice(&[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
        let mut app1 = b"Exif\x00\x00".to_vec();
        app1.extend_from_slice(&tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = jpeg[..2].to_vec(); // SOI
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn a_photo_is_turned_upright_by_its_exif_orientation() {
        let img =
            ImageInput::from_bytes(sideways_jpeg(40, 20), Path::new("phone.jpg"), "photo").unwrap();
        // Stored 40 x 20; shown upright, 20 x 40.
        assert_eq!((img.width, img.height), (20, 40));
        let px = img.pixels.as_ref().unwrap();
        assert_eq!(px.dimensions(), (20, 40));
        // Turned clockwise: the stored left (red) is now on top.
        assert!(px.get_pixel(10, 5)[0] > 150 && px.get_pixel(10, 5)[2] < 100);
        assert!(px.get_pixel(10, 35)[2] > 150 && px.get_pixel(10, 35)[0] < 100);
    }
}
