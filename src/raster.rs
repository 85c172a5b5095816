//! Rendering a filled SVG to pixels with resvg, reading nothing from disk or
//! the network: only the data URLs postkit itself embedded are resolved.

use resvg::tiny_skia::Pixmap;
use usvg::{ImageHrefResolver, Options, Tree};

use crate::fill::Filled;
use crate::text::FontBook;

/// Largest canvas postkit renders (width × height).
pub const MAX_PIXELS: u64 = 8192 * 8192;

/// usvg options that share the font book and refuse every external href.
pub fn options(book: &FontBook) -> Options<'static> {
    options_in(book, None)
}

/// Largest image file a template may embed from its folder.
pub const MAX_TEMPLATE_IMAGE_BYTES: u64 = 10 * 1024 * 1024;

/// Options for a template loaded from `dir`: a relative href is read only if
/// it stays inside `dir` (after resolving links) and is a small image file;
/// everything else is refused.
pub fn options_in(book: &FontBook, dir: Option<std::path::PathBuf>) -> Options<'static> {
    let root = dir.and_then(|d| d.canonicalize().ok());
    Options {
        fontdb: book.database(),
        font_family: crate::text::fonts::DEFAULT_FAMILY.to_string(),
        image_href_resolver: ImageHrefResolver {
            resolve_data: ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(move |href, _| {
                let root = root.as_ref()?;
                if crate::template::slots::href_refused(href).is_some() {
                    return None;
                }
                let path = root.join(href).canonicalize().ok()?;
                if !path.starts_with(root)
                    || std::fs::metadata(&path).ok()?.len() > MAX_TEMPLATE_IMAGE_BYTES
                {
                    return None;
                }
                let bytes = std::sync::Arc::new(std::fs::read(&path).ok()?);
                match image::guess_format(&bytes).ok()? {
                    image::ImageFormat::Png => Some(usvg::ImageKind::PNG(bytes)),
                    image::ImageFormat::Jpeg => Some(usvg::ImageKind::JPEG(bytes)),
                    image::ImageFormat::WebP => Some(usvg::ImageKind::WEBP(bytes)),
                    _ => None,
                }
            }),
        },
        resources_dir: None,
        ..Options::default()
    }
}

/// A rendered asset before encoding.
pub struct Rendered {
    /// The pixels (premultiplied RGBA).
    pub pixmap: Pixmap,
    /// Slots whose drawn ink left their box: (report index, px outside).
    pub overflow: Vec<(usize, f32)>,
}

/// Parses and renders `filled` at its exact pixel size.
pub fn render(filled: &Filled, opts: &Options) -> Result<Rendered, String> {
    if filled.width as u64 * filled.height as u64 > MAX_PIXELS {
        return Err(format!(
            "{}x{} px is larger than postkit renders",
            filled.width, filled.height
        ));
    }
    let tree = Tree::from_str(&filled.svg, opts).map_err(|e| format!("invalid SVG: {e}"))?;
    let mut pixmap = Pixmap::new(filled.width, filled.height)
        .ok_or_else(|| format!("cannot allocate {}x{} px", filled.width, filled.height))?;
    let sx = filled.width as f32 / tree.size().width();
    let sy = filled.height as f32 / tree.size().height();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(sx, sy),
        &mut pixmap.as_mut(),
    );
    // Check what was drawn against each text slot's box.
    let mut overflow = Vec::new();
    for sb in &filled.slot_boxes {
        let Some(usvg::Node::Group(node)) = tree.node_by_id(&sb.id) else {
            continue;
        };
        let b = sb.rect;
        if let Some(bb) = node.abs_stroke_bounding_box().to_non_zero_rect() {
            let out = (b[0] - bb.left())
                .max(b[1] - bb.top())
                .max(bb.right() - b[2])
                .max(bb.bottom() - b[3]);
            if out > 0.5 {
                overflow.push((sb.report, out));
            }
        }
    }
    Ok(Rendered { pixmap, overflow })
}

/// Mean colour of the rendered SVG inside `rect` (output px: left, top,
/// right, bottom), rendering only that region.
pub fn mean_colour(svg: &str, opts: &Options, rect: [f32; 4]) -> Result<[u8; 3], String> {
    let tree = Tree::from_str(svg, opts).map_err(|e| format!("invalid SVG: {e}"))?;
    let x0 = rect[0].max(0.0).floor();
    let y0 = rect[1].max(0.0).floor();
    let w = (rect[2].min(tree.size().width()) - x0).ceil().max(1.0) as u32;
    let h = (rect[3].min(tree.size().height()) - y0).ceil().max(1.0) as u32;
    let mut pixmap = Pixmap::new(w, h).ok_or("empty region")?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_translate(-x0, -y0),
        &mut pixmap.as_mut(),
    );
    let (mut r, mut g, mut b) = (0u64, 0u64, 0u64);
    let n = pixmap.pixels().len().max(1) as u64;
    for p in pixmap.pixels() {
        // Composite on white for any transparency.
        let c = p.demultiply();
        let a = c.alpha() as u64;
        r += (c.red() as u64 * a + 255 * (255 - a)) / 255;
        g += (c.green() as u64 * a + 255 * (255 - a)) / 255;
        b += (c.blue() as u64 * a + 255 * (255 - a)) / 255;
    }
    Ok([(r / n) as u8, (g / n) as u8, (b / n) as u8])
}

/// WCAG contrast of each text slot's colour against what is drawn behind its
/// text (the asset rendered without its text slots, photos included): the
/// 5th percentile of the per-pixel ratios under the text's ink, so a few
/// stray pixels do not decide it but a bright patch of photo does.
/// Returns (slot report index, ratio) for slots with a plain colour.
pub fn text_contrast(filled: &Filled, opts: &Options) -> Result<Vec<(usize, f64)>, String> {
    let boxes: Vec<_> = filled
        .slot_boxes
        .iter()
        .filter(|b| b.colour.is_some() && b.ink.is_some())
        .collect();
    if boxes.is_empty() {
        return Ok(Vec::new());
    }
    // The background: the SVG with every text slot's group taken out.
    let mut svg = filled.svg.clone();
    for b in &filled.slot_boxes {
        let open = format!("<g id=\"{}\"", b.id);
        if let Some(start) = svg.find(&open) {
            if let Some(len) = svg[start..].find("</g>") {
                svg.replace_range(start..start + len + 4, "");
            }
        }
    }
    let tree = Tree::from_str(&svg, opts).map_err(|e| format!("invalid SVG: {e}"))?;
    let (w, h) = (tree.size().width(), tree.size().height());
    let mut out = Vec::new();
    for b in boxes {
        let (Some(ink), Some(fg)) = (b.ink, b.colour) else {
            continue;
        };
        let x0 = ink[0].max(0.0).floor();
        let y0 = ink[1].max(0.0).floor();
        let pw = (ink[2].min(w) - x0).ceil();
        let ph = (ink[3].min(h) - y0).ceil();
        if pw < 1.0 || ph < 1.0 {
            continue;
        }
        let Some(mut pixmap) = Pixmap::new(pw as u32, ph as u32) else {
            continue;
        };
        pixmap.fill(resvg::tiny_skia::Color::WHITE);
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::from_translate(-x0, -y0),
            &mut pixmap.as_mut(),
        );
        let lt = crate::contrast::luminance(fg);
        // Backgrounds are mostly runs of one colour: remember the last one.
        let mut last: Option<(resvg::tiny_skia::PremultipliedColorU8, f64)> = None;
        let mut ratios: Vec<f64> = pixmap
            .pixels()
            .iter()
            .map(|p| {
                if let Some((c, r)) = last {
                    if c == *p {
                        return r;
                    }
                }
                let c = p.demultiply();
                let lb = crate::contrast::luminance([c.red(), c.green(), c.blue()]);
                let (hi, lo) = if lt > lb { (lt, lb) } else { (lb, lt) };
                let r = (hi + 0.05) / (lo + 0.05);
                last = Some((*p, r));
                r
            })
            .collect();
        let k = (ratios.len() - 1) / 20;
        out.push((b.report, kth_smallest(&mut ratios, k)));
    }
    Ok(out)
}

/// The `k`-th smallest (0-based) of contrast ratios (each from 1 to 21),
/// exactly: a histogram finds the narrow band that holds it, and only the
/// ratios in that band are ordered. Linear, where a selection over every
/// pixel's ratio reorders them all.
fn kth_smallest(ratios: &mut [f64], k: usize) -> f64 {
    const BINS: usize = 4096;
    let bin = |r: f64| (((r - 1.0) / 20.0 * BINS as f64) as usize).min(BINS - 1);
    let mut counts = vec![0usize; BINS];
    for r in ratios.iter() {
        counts[bin(*r)] += 1;
    }
    let (mut target, mut below) = (0, 0);
    for (i, c) in counts.iter().enumerate() {
        if below + c > k {
            target = i;
            break;
        }
        below += c;
    }
    let mut band: Vec<f64> = ratios
        .iter()
        .copied()
        .filter(|r| bin(*r) == target)
        .collect();
    if band.is_empty() {
        // Unreachable for ratios from 1 to 21; order them all instead.
        let (_, v, _) = ratios.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
        return *v;
    }
    let (_, v, _) = band.select_nth_unstable_by(k - below, |a, b| a.total_cmp(b));
    *v
}

#[cfg(test)]
mod tests {
    use super::kth_smallest;

    #[test]
    fn kth_smallest_agrees_with_sorting() {
        // A deterministic spread of ratios with long runs and ties, as
        // backgrounds give.
        let mut x = 12345u64;
        let mut ratios = Vec::new();
        for i in 0..5000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = 1.0 + (x >> 11) as f64 / (1u64 << 53) as f64 * 20.0;
            let run = if i % 7 == 0 { 40 } else { 1 };
            ratios.extend(std::iter::repeat_n(r, run));
        }
        ratios.extend([1.0, 21.0, 21.0]);
        let mut sorted = ratios.clone();
        sorted.sort_by(f64::total_cmp);
        for k in [
            0,
            1,
            17,
            ratios.len() / 20,
            ratios.len() / 2,
            ratios.len() - 1,
        ] {
            assert_eq!(kth_smallest(&mut ratios.clone(), k), sorted[k], "k = {k}");
        }
    }
}
