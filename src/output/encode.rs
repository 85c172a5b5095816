//! Encoding: pixels to PNG, JPEG or WebP bytes, within a preset's byte cap.

use std::io::Write;

use resvg::tiny_skia::Pixmap;

use crate::diag::{Diagnostic, Kind};

/// How hard the PNG encoder works: every level is lossless and gives the
/// same pixels; they trade encoding time for bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PngLevel {
    /// Fastest: zlib level 1 (see [`FAST_ZLIB`]), no row filter.
    Fast,
    /// zlib level 4 (see [`BALANCED_ZLIB`]); for truecolour the row filter
    /// is chosen by measurement (the default).
    #[default]
    Balanced,
    /// zlib level 9, every filter strategy measured: smallest, slowest.
    Small,
}

impl PngLevel {
    /// Parses `fast`, `balanced` or `small`.
    pub fn parse(s: &str) -> Option<PngLevel> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "fast" => PngLevel::Fast,
            "balanced" => PngLevel::Balanced,
            "small" => PngLevel::Small,
            _ => return None,
        })
    }
}

/// The zlib level of [`PngLevel::Balanced`]. Measured on the benchmark batch
/// (800 cards, one thread): level 6 took 35.8 s of CPU for 59.9 MB, level 4
/// 29.9 s for 64.9 MB, level 3 28.0 s for 67.9 MB. Level 4 keeps files
/// about 0.8x the size the resvg command line writes, for a sixth less
/// time than level 6.
pub const BALANCED_ZLIB: u8 = 4;

/// The zlib level of [`PngLevel::Fast`], its rows unfiltered. Measured on
/// 120 of the benchmark's cards against fdeflate (what `Fast` used before,
/// with `Up` for palette images and adaptive filters for truecolour, through
/// the `png` crate's stream writer), best of 5: encoding took 0.54x the time
/// for 1.07x the bytes on palette cards, and 0.62x the time for 0.79x the
/// bytes on truecolour cards (level 1 finds the repeats that fdeflate, which
/// codes only runs of zeros, misses). Part of the time is the faster
/// palette scan that came with it.
pub const FAST_ZLIB: u8 = 1;

/// Encodes a pixmap as PNG, losslessly and deterministically, in the
/// smallest colour type that holds it: indexed (palette) when the image is
/// opaque and has at most 256 colours (text cards without a logo usually
/// do), RGB when opaque, straight RGBA otherwise. Palette images are never
/// filtered; for truecolour, `Balanced` and `Small` measure the row filter
/// rather than guess it (flat graphics compress better unfiltered, photos
/// with adaptive filters).
pub fn encode_png(pixmap: &Pixmap, level: PngLevel) -> Vec<u8> {
    let image = Raw::of(pixmap);
    use png::{DeflateCompression as Deflate, Filter};
    // Palette indices are labels, not intensities: for zlib, filtering them
    // only adds noise (the PNG specification recommends no filter), and
    // measuring on the benchmark's cards always chose none.
    let indexed = image.palette.is_some();
    match level {
        PngLevel::Fast => image.encode_unfiltered(FAST_ZLIB),
        PngLevel::Balanced if indexed => image.encode_unfiltered(BALANCED_ZLIB),
        PngLevel::Balanced => {
            let level = Deflate::Level(BALANCED_ZLIB);
            match image.best_filter(level, &[Filter::NoFilter, Filter::Adaptive]) {
                Filter::NoFilter => image.encode_unfiltered(BALANCED_ZLIB),
                filter => image.encode(level, filter),
            }
        }
        PngLevel::Small => {
            let level = Deflate::Level(9);
            let all = [
                Filter::NoFilter,
                Filter::Sub,
                Filter::Up,
                Filter::Avg,
                Filter::Paeth,
                Filter::Adaptive,
                Filter::MinEntropy,
            ];
            image.encode(level, image.best_filter(level, &all))
        }
    }
}

/// Where the rows of a PNG come from. Truecolour rows are converted from
/// the pixmap one at a time as the encoder takes them, so encoding holds no
/// second copy of the image (for a 1080 × 1920 story, 6 MB of RGB less).
enum Rows {
    /// Palette indices, one byte a pixel.
    Indexed(Vec<u8>),
    /// The opaque pixmap's pixels, as RGB.
    Rgb,
    /// The pixmap's pixels, as straight (not premultiplied) RGBA.
    Rgba,
}

/// Pixels in their PNG colour type, ready for the encoder.
struct Raw<'a> {
    pixmap: &'a Pixmap,
    palette: Option<Vec<u8>>,
    rows: Rows,
}

/// IDAT chunk size: the encoder's buffer, and one 12-byte chunk header for
/// every 256 KiB of compressed data.
const IDAT_CHUNK: usize = 256 * 1024;

impl<'a> Raw<'a> {
    /// The pixmap in the smallest colour type that holds it.
    fn of(pixmap: &'a Pixmap) -> Raw<'a> {
        match palette(pixmap) {
            Palette::Indexed(palette, indices) => Raw {
                pixmap,
                palette: Some(palette),
                rows: Rows::Indexed(indices),
            },
            // Every pixel before `from` has a colour the palette took, and
            // it takes only opaque ones.
            Palette::TooMany { from } => {
                let rest = &pixmap.data()[from * 4..];
                // A fold, not `all`: no early exit, so it vectorises (and
                // images are nearly always opaque, so an early exit would
                // rarely come).
                let opaque = rest.chunks_exact(4).fold(255u8, |a, p| a & p[3]) == 255;
                Raw {
                    pixmap,
                    palette: None,
                    rows: if opaque { Rows::Rgb } else { Rows::Rgba },
                }
            }
            Palette::Translucent => Raw {
                pixmap,
                palette: None,
                rows: Rows::Rgba,
            },
        }
    }

    fn colour(&self) -> png::ColorType {
        match self.rows {
            Rows::Indexed(_) => png::ColorType::Indexed,
            Rows::Rgb => png::ColorType::Rgb,
            Rows::Rgba => png::ColorType::Rgba,
        }
    }

    /// Bytes in one row.
    fn row_len(&self) -> usize {
        let w = self.pixmap.width() as usize;
        match self.rows {
            Rows::Indexed(_) => w,
            Rows::Rgb => w * 3,
            Rows::Rgba => w * 4,
        }
    }

    /// Row `y` in the PNG's layout; `buf` holds it when it is converted.
    fn row<'b>(&'b self, y: u32, buf: &'b mut [u8]) -> &'b [u8] {
        let w = self.pixmap.width() as usize;
        let span = y as usize * w..(y as usize + 1) * w;
        match &self.rows {
            Rows::Indexed(indices) => &indices[span],
            Rows::Rgb => {
                let src = &self.pixmap.data()[span.start * 4..span.end * 4];
                for (d, s) in buf.chunks_exact_mut(3).zip(src.chunks_exact(4)) {
                    d.copy_from_slice(&s[..3]);
                }
                buf
            }
            Rows::Rgba => {
                let src = &self.pixmap.pixels()[span];
                for (d, p) in buf.chunks_exact_mut(4).zip(src) {
                    let c = p.demultiply();
                    d.copy_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
                }
                buf
            }
        }
    }

    fn encode(&self, deflate: png::DeflateCompression, filter: png::Filter) -> Vec<u8> {
        self.encode_rows(0..self.pixmap.height(), deflate, filter)
    }

    /// The PNG encoder set up for `rows` rows of this image.
    fn encoder<'o>(
        &self,
        out: &'o mut Vec<u8>,
        rows: u32,
    ) -> png::Encoder<'static, &'o mut Vec<u8>> {
        let mut enc = png::Encoder::new(out, self.pixmap.width(), rows);
        enc.set_color(self.colour());
        enc.set_depth(png::BitDepth::Eight);
        // Say what the pixels are (an `sRGB` chunk, 13 bytes), so viewers
        // need not guess: postkit draws in sRGB and converts every photo and
        // logo to it (inputs::images).
        enc.set_source_srgb(png::SrgbRenderingIntent::Perceptual);
        if let Some(palette) = &self.palette {
            enc.set_palette(palette.clone());
        }
        enc
    }

    /// The whole image with every row unfiltered, deflated by zlib at
    /// `level`: rows go straight to the compressor and its output straight
    /// into IDAT chunks (the `png` crate's stream writer adds a copy and,
    /// for some of its compressors, a call for every 8 bytes).
    fn encode_unfiltered(&self, level: u8) -> Vec<u8> {
        self.encode_unfiltered_rows(0..self.pixmap.height(), level)
    }

    /// [`Raw::encode_unfiltered`] of rows `ys` of the image (all of them,
    /// or a sample).
    fn encode_unfiltered_rows(&self, ys: impl ExactSizeIterator<Item = u32>, level: u8) -> Vec<u8> {
        let h = ys.len() as u32;
        let mut out = Vec::with_capacity(self.row_len() * h as usize / 8);
        let mut writer = self
            .encoder(&mut out, h)
            .write_header()
            .expect("header for a valid size");
        let idat = Idat {
            png: &mut writer,
            buf: Vec::with_capacity(IDAT_CHUNK),
        };
        let mut z = flate2::write::ZlibEncoder::new(idat, flate2::Compression::new(level.into()));
        let mut buf = vec![0u8; self.row_len()];
        for y in ys {
            // Filter type 0: none.
            z.write_all(&[0])
                .and_then(|_| z.write_all(self.row(y, &mut buf)))
                .expect("in-memory PNG");
        }
        z.finish()
            .and_then(|mut idat| idat.chunk())
            .expect("in-memory PNG");
        writer.finish().expect("in-memory PNG");
        out
    }

    /// A PNG of rows `ys` of the image (all of them, or a sample), streamed
    /// to the encoder a row at a time.
    fn encode_rows(
        &self,
        ys: impl ExactSizeIterator<Item = u32>,
        deflate: png::DeflateCompression,
        filter: png::Filter,
    ) -> Vec<u8> {
        let rows = ys.len() as u32;
        let mut out = Vec::with_capacity(self.row_len() * rows as usize / 8);
        let mut enc = self.encoder(&mut out, rows);
        enc.set_deflate_compression(deflate);
        enc.set_filter(filter);
        let mut writer = enc.write_header().expect("header for a valid size");
        let mut stream = writer
            .stream_writer_with_size(IDAT_CHUNK)
            .expect("a stream for a new image");
        let mut buf = vec![0u8; self.row_len()];
        for y in ys {
            stream
                .write_all(self.row(y, &mut buf))
                .expect("in-memory PNG: rows match the header");
        }
        stream.finish().expect("in-memory PNG: every row written");
        writer.finish().expect("in-memory PNG");
        out
    }

    /// The filter that compresses a sample of the image smallest: bands of
    /// 8 rows out of every 64 (an eighth of the work of one encode per
    /// candidate), the whole image when it is small. Ties go to the earlier
    /// candidate, so the choice is deterministic.
    fn best_filter(
        &self,
        deflate: png::DeflateCompression,
        candidates: &[png::Filter],
    ) -> png::Filter {
        const BAND: u32 = 8;
        const EVERY: u32 = 64;
        let h = self.pixmap.height();
        let sample: Vec<u32> = if h <= EVERY * 2 {
            (0..h).collect()
        } else {
            (0..h).filter(|y| y % EVERY < BAND).collect()
        };
        let mut best = (usize::MAX, candidates[0]);
        for &filter in candidates {
            let len = match (filter, deflate) {
                // As `encode_png` would write it.
                (png::Filter::NoFilter, png::DeflateCompression::Level(level)) => {
                    self.encode_unfiltered_rows(sample.iter().copied(), level)
                }
                _ => self.encode_rows(sample.iter().copied(), deflate, filter),
            }
            .len();
            if len < best.0 {
                best = (len, filter);
            }
        }
        best.1
    }
}

/// What [`palette`] found.
enum Palette {
    /// The palette (RGB triples, in order of first appearance) and each
    /// pixel's index: the image is opaque and has at most 256 colours.
    Indexed(Vec<u8>, Vec<u8>),
    /// A 257th colour at pixel `from`; every pixel before it is opaque.
    TooMany { from: usize },
    /// A pixel that is not opaque.
    Translucent,
}

/// The palette and per-pixel indices of a pixmap, if it is opaque and has at
/// most 256 colours. One pass, a run of one colour at a time (a run is one
/// lookup and one fill of its indices; runs are found 16 pixels at a time);
/// the lookup is an open-addressed table of 1024 slots (never more than a
/// quarter full). It stops at the first pixel that is not opaque or makes
/// a 257th colour.
fn palette(pixmap: &Pixmap) -> Palette {
    const SLOTS: usize = 1024;
    // Opaque colours only, so no key is 0 (alpha is 255): 0 marks an empty
    // slot.
    let mut table = [(0u32, 0u8); SLOTS];
    let mut palette: Vec<u8> = Vec::with_capacity(256 * 3);
    let pixels = pixmap.pixels();
    // Filled run by run: never zeroed first.
    let mut indices = Vec::with_capacity(pixels.len());
    let mut at = 0;
    while at < pixels.len() {
        let p = pixels[at];
        let rest = &pixels[at..];
        // Whole blocks of 16 pixels that are all `p`, then pixel by pixel.
        // A fold, not `all`, so each block is one vector compare.
        let blocks = rest
            .chunks_exact(16)
            .take_while(|b| b.iter().fold(true, |same, q| same & (*q == p)))
            .count();
        let run = blocks * 16
            + rest[blocks * 16..]
                .iter()
                .position(|q| *q != p)
                .unwrap_or(rest.len() - blocks * 16);
        // Checked before the lookup: a clear pixel is 0, which would match
        // an empty slot.
        if p.alpha() != 255 {
            return Palette::Translucent;
        }
        let c = u32::from_le_bytes([p.red(), p.green(), p.blue(), p.alpha()]);
        let mut slot = (c.wrapping_mul(0x9E37_79B1) >> 22) as usize;
        let index = loop {
            let (key, i) = table[slot];
            if key == c {
                break i;
            }
            if key == 0 {
                let n = palette.len() / 3;
                if n == 256 {
                    return Palette::TooMany { from: at };
                }
                table[slot] = (c, n as u8);
                palette.extend_from_slice(&c.to_le_bytes()[..3]);
                break n as u8;
            }
            slot = (slot + 1) % SLOTS;
        };
        indices.extend(std::iter::repeat_n(index, run));
        at += run;
    }
    Palette::Indexed(palette, indices)
}

/// Compressed image data, written to a PNG as IDAT chunks of
/// [`IDAT_CHUNK`] bytes.
struct Idat<'a, 'o> {
    png: &'a mut png::Writer<&'o mut Vec<u8>>,
    buf: Vec<u8>,
}

impl Idat<'_, '_> {
    /// Writes what is buffered as one chunk.
    fn chunk(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            self.png
                .write_chunk(png::chunk::IDAT, &self.buf)
                .map_err(std::io::Error::other)?;
            self.buf.clear();
        }
        Ok(())
    }
}

impl Write for Idat<'_, '_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = data.len().min(IDAT_CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == IDAT_CHUNK {
            self.chunk()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
    /// A clip: H.264 in MP4 (video presets only; a single picture asked
    /// for in it is written as PNG).
    Mp4,
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

    /// The concrete format for a platform (resolving `Auto`; a video
    /// preset's, `mp4`, is always [`Format::Mp4`]).
    pub fn for_platform(self, preferred: &str) -> Format {
        match self {
            _ if preferred.trim() == "mp4" => Format::Mp4,
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
            Format::Mp4 => "mp4",
        }
    }
}

/// Encodes in `format` (not `Auto`), keeping within `max_bytes` when given:
/// JPEG quality goes down from 92 in steps of 6 to 50; a PNG or WebP that is
/// too large gets a warning.
pub fn encode(
    pixmap: &Pixmap,
    format: Format,
    png_level: PngLevel,
    max_bytes: Option<u64>,
) -> (Vec<u8>, Option<Diagnostic>) {
    let cap = max_bytes.unwrap_or(u64::MAX);
    match format {
        Format::Png | Format::Auto | Format::Mp4 => {
            let png = encode_png(pixmap, png_level);
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

/// A clip over the platform's byte cap (`max_bytes`), if it is.
pub fn over_cap(what: &str, len: usize, max_bytes: Option<u64>) -> Option<Diagnostic> {
    let cap = max_bytes?;
    (len as u64 > cap).then(|| {
        let mut d = too_big(what, len, cap);
        d.hint = Some("give a shorter --duration".into());
        d
    })
}

fn too_big(what: &str, len: usize, cap: u64) -> Diagnostic {
    let message = format!(
        "the {what} is {:.1} MB, over the platform's {:.1} MB limit",
        len as f64 / 1e6,
        cap as f64 / 1e6
    );
    Diagnostic::new(Kind::OverByteCap, message).hint("try --format jpeg")
}

/// Straight (not premultiplied) RGBA bytes of a pixmap.
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A pixmap whose pixels come from `colour(x, y)` (RGBA, straight).
    fn pixmap(w: u32, h: u32, colour: impl Fn(u32, u32) -> [u8; 4]) -> Pixmap {
        let mut p = Pixmap::new(w, h).unwrap();
        for (i, px) in p.pixels_mut().iter_mut().enumerate() {
            let [r, g, b, a] = colour(i as u32 % w, i as u32 / w);
            *px = resvg::tiny_skia::ColorU8::from_rgba(r, g, b, a).premultiply();
        }
        p
    }

    fn decoded(png: &[u8]) -> (png::ColorType, Vec<u8>) {
        let img = image::load_from_memory(png).unwrap().to_rgba8();
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        decoder.set_transformations(png::Transformations::IDENTITY);
        let reader = decoder.read_info().unwrap();
        (reader.info().color_type, img.into_raw())
    }

    #[test]
    fn every_png_level_gives_the_same_pixels_in_the_smallest_colour_type() {
        // 256 colours: indexed. 257: RGB. Transparency: RGBA.
        let few = pixmap(64, 300, |x, y| {
            [(x * 4) as u8, ((y / 75) * 60) as u8, 9, 255]
        });
        let many = pixmap(64, 300, |x, y| [(x * 4) as u8, (y % 5) as u8, 200, 255]);
        let clear = pixmap(64, 300, |x, y| [200, 30, (x + y) as u8, (y % 256) as u8]);
        // Runs of every length, across rows: 256 colours in runs of 37
        // pixels, then a run of the first colour to the end.
        let runs = pixmap(64, 300, |x, y| {
            let i = (y * 64 + x) / 37;
            let c = if i < 256 { i } else { 0 };
            [c as u8, 255 - c as u8, 7, 255]
        });
        // Opaque but for the last pixel, after a long run: RGBA. And 257
        // colours in the first row, then transparency far below: RGBA too
        // (the palette stops at the 257th colour; the rest is still read).
        let last = pixmap(64, 300, |x, y| {
            let a = if (x, y) == (63, 299) { 128 } else { 255 };
            [20, 40, 60, a]
        });
        let late = pixmap(300, 200, |x, y| {
            let a = if (x, y) == (150, 190) { 0 } else { 255 };
            [x as u8, (x / 256) as u8, 0, a]
        });
        // A clear background (premultiplied, every byte 0) around two
        // opaque colours, from the first pixel on: RGBA, not a palette.
        let cutout = pixmap(64, 300, |x, y| match (x / 16 + y / 50) % 3 {
            0 => [0, 0, 0, 0],
            1 => [10, 20, 30, 255],
            _ => [200, 100, 0, 255],
        });
        for (img, colour) in [
            (&cutout, png::ColorType::Rgba),
            (&few, png::ColorType::Indexed),
            (&many, png::ColorType::Rgb),
            (&clear, png::ColorType::Rgba),
            (&runs, png::ColorType::Indexed),
            (&last, png::ColorType::Rgba),
            (&late, png::ColorType::Rgba),
        ] {
            let straight = img.pixels().iter().flat_map(|p| {
                let c = p.demultiply();
                [c.red(), c.green(), c.blue(), c.alpha()]
            });
            let straight: Vec<u8> = straight.collect();
            for level in [PngLevel::Fast, PngLevel::Balanced, PngLevel::Small] {
                let (ct, pixels) = decoded(&encode_png(img, level));
                assert_eq!(ct, colour, "{level:?}");
                assert!(pixels == straight, "{level:?} {colour:?} changed pixels");
            }
        }
    }

    /// Rows stream to the encoder: an image whose data needs several IDAT
    /// chunks decodes to the same pixels at every level.
    #[test]
    fn a_large_noisy_image_spans_several_idat_chunks() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        };
        let noise: Vec<[u8; 3]> = (0..400 * 400).map(|_| [next(), next(), next()]).collect();
        let img = pixmap(400, 400, |x, y| {
            let [r, g, b] = noise[(y * 400 + x) as usize];
            [r, g, b, 255]
        });
        for level in [PngLevel::Fast, PngLevel::Balanced, PngLevel::Small] {
            let png = encode_png(&img, level);
            let idat = png.windows(4).filter(|w| w == b"IDAT").count();
            assert!(idat >= 2, "{level:?}: {idat} IDAT chunk(s)");
            let (ct, pixels) = decoded(&png);
            assert_eq!(ct, png::ColorType::Rgb);
            assert!(
                pixels
                    .chunks_exact(4)
                    .zip(&noise)
                    .all(|(p, n)| p[..3] == n[..] && p[3] == 255),
                "{level:?} changed pixels"
            );
        }
    }

    #[test]
    fn png_levels_parse() {
        assert_eq!(PngLevel::parse("Fast"), Some(PngLevel::Fast));
        assert_eq!(PngLevel::parse("balanced"), Some(PngLevel::Balanced));
        assert_eq!(PngLevel::parse(" small "), Some(PngLevel::Small));
        assert_eq!(PngLevel::parse("max"), None);
    }
}
