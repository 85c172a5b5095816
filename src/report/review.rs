//! Review outputs of a batch: `index.html` (every asset grouped by
//! organisation, with its platform, size, bytes, warnings, alt text and
//! caption; works offline from the file system) and a contact sheet per
//! organisation (thumbnails labelled with ab_glyph).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ab_glyph::{FontRef, PxScale};

use crate::error::Error;
use crate::fill::escape;
use crate::output::{Durability, Sink};
use crate::report::{AssetLog, AssetReport, LoggedReport};

/// The log's places grouped by organisation folder (the first path component
/// below `out`), each group in template, platform order. Only the names are
/// kept; the reports are read again group by group.
fn by_org(log: &AssetLog, out: &Path) -> BTreeMap<String, Vec<usize>> {
    let mut groups: BTreeMap<String, Vec<(String, String, usize)>> = BTreeMap::new();
    for place in log.places() {
        let Ok(Some(a)) = log.get(place) else {
            continue;
        };
        let rel = Path::new(&a.path)
            .strip_prefix(out)
            .unwrap_or(Path::new(&a.path));
        let org = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .unwrap_or_default();
        groups
            .entry(org)
            .or_default()
            .push((a.template, a.platform, place));
    }
    groups
        .into_iter()
        .map(|(org, mut v)| {
            v.sort();
            (org, v.into_iter().map(|(_, _, place)| place).collect())
        })
        .collect()
}

/// The reports in `places`.
fn read(log: &AssetLog, places: &[usize]) -> Vec<AssetReport> {
    places
        .iter()
        .filter_map(|s| log.get(*s).ok().flatten())
        .collect()
}

fn rel(path: &str, out: &Path) -> String {
    let p = Path::new(path);
    let r = p.strip_prefix(out).unwrap_or(p);
    r.components()
        .map(|c| percent(&c.as_os_str().to_string_lossy()))
        .collect::<Vec<_>>()
        .join("/")
}

/// Percent-encodes a path segment for an href.
fn percent(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            o.push(b as char);
        } else {
            let _ = write!(o, "%{b:02X}");
        }
    }
    o
}

/// Writes `index.html` into `out`, one organisation at a time.
pub fn write_index(out: &Path, report: &LoggedReport, title: &str) -> Result<PathBuf, Error> {
    write_index_to(out, report, title, Sink::Disk(Durability::EachFile))
}

/// [`write_index`], to the disk or into memory.
pub fn write_index_to(
    out: &Path,
    report: &LoggedReport,
    title: &str,
    sink: Sink,
) -> Result<PathBuf, Error> {
    let path = out.join("index.html");
    sink.write_with(&path, |w| index(w, out, report, title, sink))?;
    Ok(path)
}

fn index(
    w: &mut dyn std::io::Write,
    out: &Path,
    report: &LoggedReport,
    title: &str,
    sink: Sink,
) -> std::io::Result<()> {
    w.write_all(page_head(report, title).as_bytes())?;
    if !report.errors.is_empty() {
        w.write_all(failures(report.errors).as_bytes())?;
    }
    for (org, places) in by_org(report.assets, out) {
        let assets = read(report.assets, &places);
        w.write_all(org_section(&org, &assets, out, sink).as_bytes())?;
    }
    // Lets a browser test count images that loaded.
    w.write_all(
        "</main><script>window.addEventListener('load',function(){var i=[].slice.call(document.images);\
document.body.dataset.images=i.length;document.body.dataset.loaded=i.filter(function(x){return x.complete&&x.naturalWidth>0}).length;});</script>\n</body></html>\n".as_bytes(),
    )
}

/// The page's head, styles and header.
fn page_head(report: &LoggedReport, title: &str) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:0;background:#f6f4ef;color:#122b40}}
header{{background:#0e3b5c;color:#fff;padding:16px 24px}} h1{{margin:0;font-size:22px}}
main{{padding:16px 24px}} h2{{margin:28px 0 8px;font-size:19px}}
.grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:16px}}
figure{{margin:0;background:#fff;border-radius:10px;padding:10px;box-shadow:0 1px 3px #0002}}
figure img{{width:100%;height:220px;object-fit:contain;background:#eee;border-radius:6px}}
figcaption{{font-size:13px;line-height:1.4}} .meta{{color:#5a6b78}} .warn{{color:#8a4b00}}
.err{{background:#fde8e8;border-left:4px solid #b42318;padding:8px 12px;margin:6px 0}}
details{{margin-top:4px}} pre{{white-space:pre-wrap;font-family:inherit;margin:4px 0}}
</style></head><body>
<header><h1>{t}</h1><div>{n} assets, {e} failed</div></header><main>
"#,
        t = escape(title),
        n = report.assets.len(),
        e = report.errors.len()
    );
    h
}

/// The failures, each with who it is about (a row's own error names its
/// row in its message).
fn failures(errors: &[crate::report::ErrorReport]) -> String {
    let mut h = String::from("<h2>Failed</h2>\n");
    for e in errors {
        let mut who = Vec::new();
        if let (Some(r), false) = (e.row, e.template.is_empty()) {
            who.push(format!("row {r}"));
        }
        if let Some(o) = &e.org {
            who.push(o.clone());
        }
        for s in [&e.template, &e.platform] {
            if !s.is_empty() {
                who.push(s.clone());
            }
        }
        let _ = writeln!(
            h,
            "<div class=\"err\"><b>{}</b>: {}</div>",
            escape(&who.join(" · ")),
            escape(&e.message)
        );
    }
    h
}

/// One organisation's heading, contact-sheet links and assets.
fn org_section(org: &str, assets: &[AssetReport], out: &Path, sink: Sink) -> String {
    let mut h = String::new();
    let name = assets
        .first()
        .map(|a| a.org.as_str())
        .filter(|n| !n.is_empty())
        .unwrap_or(org);
    let _ = writeln!(h, "<h2>{}</h2>", escape(name));
    let pages = assets.len().div_ceil(SHEET_CELLS);
    let links: Vec<String> = (0..pages)
        .map(|page| out.join(org).join(sheet_name(page)))
        .filter(|p| sink.exists(p))
        .enumerate()
        .map(|(i, p)| {
            let label = if pages == 1 {
                "Contact sheet".to_string()
            } else {
                format!("Contact sheet {}", i + 1)
            };
            format!(
                "<a href=\"{}\">{label}</a>",
                rel(&p.display().to_string(), out)
            )
        })
        .collect();
    if !links.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", links.join(" · "));
    }
    h.push_str("<div class=\"grid\">\n");
    for a in assets {
        figure(&mut h, a, out);
    }
    h.push_str("</div>\n");
    h
}

/// One asset: its image, size, contrast, warnings, alt text and caption.
fn figure(h: &mut String, a: &AssetReport, out: &Path) {
    let src = rel(&a.path, out);
    let _ = write!(
        h,
        "<figure><a href=\"{src}\"><img src=\"{src}\" alt=\"{alt}\" loading=\"lazy\"></a><figcaption><b>{tpl} · {pf}</b><div class=\"meta\">{w}×{hh} px · {kb:.0} KB</div>",
        alt = escape(&a.alt),
        tpl = escape(&a.template),
        pf = escape(&a.platform),
        w = a.width,
        hh = a.height,
        kb = a.bytes as f64 / 1024.0
    );
    let contrasts: Vec<String> = a
        .slots
        .iter()
        .filter_map(|s| s.contrast.map(|c| format!("{} {c:.1}:1", s.name)))
        .collect();
    if !contrasts.is_empty() {
        let _ = write!(
            h,
            "<div class=\"meta\">contrast: {}</div>",
            escape(&contrasts.join(", "))
        );
    }
    for w in &a.warnings {
        let _ = write!(h, "<div class=\"warn\">⚠ {}</div>", escape(w));
    }
    let _ = writeln!(
        h,
        "<details><summary>Alt text</summary><pre>{}</pre></details><details><summary>Caption</summary><pre>{}</pre></details></figcaption></figure>",
        escape(&a.alt),
        escape(&a.caption)
    );
}

/// Thumbnail cell size of contact sheets.
const CELL: u32 = 300;
/// Label band under each thumbnail.
const LABEL: u32 = 44;
/// Columns of contact sheets.
const COLUMNS: u32 = 4;

/// Most thumbnails on one contact sheet; an organisation with more gets
/// several sheets, so a sheet's memory does not grow with the batch.
const SHEET_CELLS: usize = 24;

/// `contact-sheet.png`, `contact-sheet-2.png`, …
fn sheet_name(page: usize) -> String {
    match page {
        0 => "contact-sheet.png".to_string(),
        n => format!("contact-sheet-{}.png", n + 1),
    }
}

/// Writes `<out>/<org>/contact-sheet.png` for every organisation (and
/// `contact-sheet-2.png`, … when it has more than 24 assets).
pub fn write_contact_sheets(out: &Path, report: &LoggedReport) -> Result<Vec<PathBuf>, Error> {
    write_contact_sheets_to(out, report, Sink::Disk(Durability::EachFile), None)
}

/// [`write_contact_sheets`], to the disk or into memory, the labels drawn
/// in `label` (Noto Sans Regular's bytes: [`FontBook::label_font`]; none
/// for the embedded one).
///
/// [`FontBook::label_font`]: crate::text::fonts::FontBook::label_font
pub fn write_contact_sheets_to(
    out: &Path,
    report: &LoggedReport,
    sink: Sink,
    label: Option<&[u8]>,
) -> Result<Vec<PathBuf>, Error> {
    use rayon::prelude::*;
    let font = (label.or(crate::text::fonts::label_font()))
        .and_then(|f| FontRef::try_from_slice(f).ok())
        .ok_or_else(|| Error::Font {
            path: PathBuf::from(crate::text::fonts::LABEL_FILE),
            message: "contact sheets need the embedded fonts (build with feature embed-fonts), or Noto Sans given"
                .into(),
        })?;
    // Sheets are independent: one per thread.
    let pages: Vec<(String, usize, Vec<usize>)> = by_org(report.assets, out)
        .into_iter()
        .flat_map(|(org, places)| {
            places
                .chunks(SHEET_CELLS)
                .enumerate()
                .map(|(page, chunk)| (org.clone(), page, chunk.to_vec()))
                .collect::<Vec<_>>()
        })
        .collect();
    pages
        .into_par_iter()
        .map(|(org, page, places)| {
            let path = out.join(&org).join(sheet_name(page));
            let (kept, assets): (Vec<usize>, Vec<AssetReport>) = places
                .iter()
                .filter_map(|s| Some((*s, report.assets.get(*s).ok().flatten()?)))
                .unzip();
            // One thumbnail in memory at a time: each is read as the sheet
            // draws it.
            let thumbnail = |i: usize| {
                report
                    .assets
                    .extra(kept[i])
                    .and_then(|b| Thumbnail::from_bytes(&b))
                    // Files in memory all have theirs: never read the disk.
                    .or_else(|| match sink {
                        Sink::Disk(_) => Thumbnail::of_file(Path::new(&assets[i].path)),
                        Sink::Memory(_) => None,
                    })
            };
            contact_sheet(&path, &font, &assets, thumbnail, sink)
        })
        .collect()
}

/// A contact sheet's picture of one asset: RGB, shrunk to fit a CELL × CELL
/// square.
#[derive(Clone)]
pub struct Thumbnail(image::RgbImage);

impl Thumbnail {
    /// The thumbnail of rendered pixels (premultiplied RGBA, as resvg draws
    /// them): made while the asset is still in memory, it spares decoding
    /// the written file again.
    pub fn of_pixmap(pixmap: &resvg::tiny_skia::Pixmap) -> Option<Thumbnail> {
        Thumbnail::of_pixmap_within(pixmap, CELL)
    }

    /// A smaller copy of an asset's pixels, its longest side at most `side`
    /// px (never enlarged): a preview.
    pub fn of_pixmap_within(pixmap: &resvg::tiny_skia::Pixmap, side: u32) -> Option<Thumbnail> {
        let (w, h) = (pixmap.width(), pixmap.height());
        let pixel = fast_image_resize::PixelType::U8x4;
        let (tw, th, rgba) = shrink(w, h, pixmap.data(), pixel, side)?;
        // Straight colour from premultiplied; any transparency is dropped,
        // as decoding the file to RGB would.
        let mut rgb = Vec::with_capacity(tw as usize * th as usize * 3);
        for p in rgba.chunks_exact(4) {
            let c = resvg::tiny_skia::PremultipliedColorU8::from_rgba(p[0], p[1], p[2], p[3])
                .map(|c| c.demultiply())?;
            rgb.extend_from_slice(&[c.red(), c.green(), c.blue()]);
        }
        image::RgbImage::from_raw(tw, th, rgb).map(Thumbnail)
    }

    /// The thumbnail of a written image file (an asset this run left
    /// unchanged), or None if it cannot be read.
    fn of_file(path: &Path) -> Option<Thumbnail> {
        let img = image::open(path).ok()?.into_rgb8();
        let (w, h) = img.dimensions();
        let (tw, th, rgb) = shrink(w, h, img.as_raw(), fast_image_resize::PixelType::U8x3, CELL)?;
        image::RgbImage::from_raw(tw, th, rgb).map(Thumbnail)
    }

    /// The thumbnail as PNG bytes (fast compression: a preview is sent once).
    pub fn to_png(&self) -> Vec<u8> {
        use image::ImageEncoder as _;
        let mut out = Vec::new();
        let encoder = image::codecs::png::PngEncoder::new_with_quality(
            &mut out,
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::Adaptive,
        );
        encoder
            .write_image(
                self.0.as_raw(),
                self.0.width(),
                self.0.height(),
                image::ExtendedColorType::Rgb8,
            )
            .expect("in-memory PNG encode");
        out
    }

    /// Compact bytes to keep until the sheets are drawn: width, height
    /// (little-endian u32) and the deflated pixels.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.0.width().to_le_bytes());
        out.extend_from_slice(&self.0.height().to_le_bytes());
        out.extend_from_slice(&fdeflate::compress_to_vec(self.0.as_raw()));
        out
    }

    /// The thumbnail [`Thumbnail::to_bytes`] wrote, or None if the bytes are
    /// not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<Thumbnail> {
        let w = u32::from_le_bytes(bytes.get(0..4)?.try_into().ok()?);
        let h = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?);
        if w == 0 || h == 0 || w > CELL || h > CELL {
            return None;
        }
        let len = w as usize * h as usize * 3;
        let rgb = fdeflate::decompress_to_vec_bounded(&bytes[8..], len).ok()?;
        image::RgbImage::from_raw(w, h, rgb).map(Thumbnail)
    }
}

/// Pixels `w` × `h` of type `pixel` shrunk to fit a CELL × CELL square
/// (never enlarged): the new width, height and pixels.
fn shrink(
    w: u32,
    h: u32,
    data: &[u8],
    pixel: fast_image_resize::PixelType,
    side: u32,
) -> Option<(u32, u32, Vec<u8>)> {
    use fast_image_resize as fr;
    let scale = (side as f32 / w as f32)
        .min(side as f32 / h as f32)
        .min(1.0);
    let (tw, th) = (
        ((w as f32 * scale).round() as u32).max(1),
        ((h as f32 * scale).round() as u32).max(1),
    );
    let src = fr::images::ImageRef::new(w, h, data, pixel).ok()?;
    let mut dst = fr::images::Image::new(tw, th, pixel);
    fr::Resizer::new()
        .resize(
            &src,
            &mut dst,
            // Premultiplied pixels average correctly as they are. A box
            // filter averages each thumbnail pixel's own area: as smooth as
            // bilinear for shrinking by 3 to 6 times, for half the work.
            &fr::ResizeOptions::new()
                .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Box))
                .use_alpha(false),
        )
        .ok()?;
    Some((tw, th, dst.into_vec()))
}

/// One contact sheet of `assets`, written to `path`.
fn contact_sheet(
    path: &Path,
    font: &FontRef,
    assets: &[AssetReport],
    thumbnail: impl Fn(usize) -> Option<Thumbnail>,
    sink: Sink,
) -> Result<PathBuf, Error> {
    {
        let n = assets.len() as u32;
        let cols = n.clamp(1, COLUMNS);
        let rows = n.div_ceil(cols);
        let pad = 16u32;
        let (w, h) = (cols * (CELL + pad) + pad, rows * (CELL + LABEL + pad) + pad);
        let mut sheet = image::RgbImage::from_pixel(w, h, image::Rgb([246, 244, 239]));
        for (i, a) in assets.iter().enumerate() {
            let (cx, cy) = (
                pad + (i as u32 % cols) * (CELL + pad),
                pad + (i as u32 / cols) * (CELL + LABEL + pad),
            );
            if let Some(Thumbnail(thumb)) = thumbnail(i) {
                let (ox, oy) = ((CELL - thumb.width()) / 2, (CELL - thumb.height()) / 2);
                image::imageops::overlay(&mut sheet, &thumb, (cx + ox) as i64, (cy + oy) as i64);
            }
            let label = format!("{} · {}×{}", a.platform, a.width, a.height);
            imageproc::drawing::draw_text_mut(
                &mut sheet,
                image::Rgb([18, 43, 64]),
                cx as i32,
                (cy + CELL + 6) as i32,
                PxScale::from(17.0),
                &font,
                &label,
            );
            imageproc::drawing::draw_text_mut(
                &mut sheet,
                image::Rgb([90, 107, 120]),
                cx as i32,
                (cy + CELL + 25) as i32,
                PxScale::from(14.0),
                &font,
                &format!("{} · {:.0} KB", a.template, a.bytes as f64 / 1024.0),
            );
        }
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(sheet)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("in-memory PNG");
        sink.write(path, &png)?;
        Ok(path.to_path_buf())
    }
}
