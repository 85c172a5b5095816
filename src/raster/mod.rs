//! Rendering a filled SVG to pixels with resvg, reading nothing from disk or
//! the network: only the data URLs postkit itself embedded are resolved.

use resvg::tiny_skia::Pixmap;
use usvg::{ImageHrefResolver, Options, Tree};

use crate::fill::Filled;
use crate::text::FontBook;

pub mod canvas;
pub mod engine;

pub use crate::inputs::platform::MAX_PIXELS;
pub use canvas::Canvas;
pub use engine::Engine;

/// usvg options that share the font book and refuse every external href.
pub fn options(book: &FontBook) -> Options<'static> {
    options_in(book, None)
}

pub use crate::template::MAX_TEMPLATE_IMAGE_BYTES;

/// Options for a template loaded from `dir`: a relative href is read only if
/// it stays inside `dir` (after resolving links) and is a small image file
/// (PNG, JPEG, WebP, or an SVG, which may link nothing itself); everything
/// else is refused (template loading names what it refuses). Fonts named by
/// their PostScript or full name (`NotoSans-Bold`) find their face.
pub fn options_in(book: &FontBook, dir: Option<std::path::PathBuf>) -> Options<'static> {
    let root = dir.and_then(|d| d.canonicalize().ok());
    let fontdb = book.database();
    let linked_fonts = fontdb.clone();
    sandboxed(
        fontdb,
        Box::new(move |href, _| {
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
            match image::guess_format(&bytes) {
                Ok(image::ImageFormat::Png) => Some(usvg::ImageKind::PNG(bytes)),
                Ok(image::ImageFormat::Jpeg) => Some(usvg::ImageKind::JPEG(bytes)),
                Ok(image::ImageFormat::WebP) => Some(usvg::ImageKind::WEBP(bytes)),
                Ok(_) => None,
                Err(_) => linked_svg(&bytes, &linked_fonts),
            }
        }),
    )
}

/// usvg options with postkit's fonts and font resolver, data: URLs, and
/// `resolve_string` for every other href (nothing else is read).
fn sandboxed(
    fontdb: std::sync::Arc<usvg::fontdb::Database>,
    resolve_string: usvg::ImageHrefStringResolverFn<'static>,
) -> Options<'static> {
    Options {
        fontdb,
        font_family: crate::text::fonts::DEFAULT_FAMILY.to_string(),
        font_resolver: usvg::FontResolver {
            select_font: select_font(),
            select_fallback: usvg::FontResolver::default_fallback_selector(),
        },
        image_href_resolver: ImageHrefResolver {
            resolve_data: ImageHrefResolver::default_data_resolver(),
            resolve_string,
        },
        resources_dir: None,
        ..Options::default()
    }
}

/// A linked SVG, parsed with the same fonts and no access to any file.
fn linked_svg(
    bytes: &[u8],
    fontdb: &std::sync::Arc<usvg::fontdb::Database>,
) -> Option<usvg::ImageKind> {
    if bytes.len() > crate::inputs::images::MAX_SVG_BYTES {
        return None;
    }
    let opts = sandboxed(fontdb.clone(), Box::new(|_, _| None));
    Tree::from_data(bytes, &opts).ok().map(usvg::ImageKind::SVG)
}

/// usvg's font selection, except that a family no face has, which is the
/// PostScript or full name of one (`NotoSans-Bold`, `Noto Sans Bold`), is
/// read as that face's family, weight and style.
fn select_font() -> usvg::FontSelectionFn<'static> {
    let default = usvg::FontResolver::default_font_selector();
    Box::new(move |font, db| {
        let mut named = None;
        for f in font.families() {
            let usvg::FontFamily::Named(n) = f else {
                continue;
            };
            if db
                .faces()
                .any(|face| face.families.iter().any(|(m, _)| m.eq_ignore_ascii_case(n)))
            {
                break;
            }
            if let Some(face) = crate::template::fonts::by_name(db, n) {
                named = Some(face);
                break;
            }
        }
        let Some(face) = named else {
            return default(font, db);
        };
        let style = if face.italic {
            usvg::fontdb::Style::Italic
        } else {
            usvg::fontdb::Style::Normal
        };
        db.query(&usvg::fontdb::Query {
            families: &[usvg::fontdb::Family::Name(&face.family)],
            weight: usvg::fontdb::Weight(face.weight),
            style,
            ..Default::default()
        })
        .or_else(|| default(font, db))
    })
}

/// Why a filled SVG could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RenderError {
    /// The canvas is larger than [`MAX_PIXELS`].
    #[error("{width}x{height} px is larger than postkit renders")]
    TooLarge {
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
    },
    /// The pixel buffer could not be made.
    #[error("cannot allocate {width}x{height} px")]
    NoMemory {
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
    },
    /// usvg refused the filled SVG.
    #[error("invalid SVG: {0}")]
    InvalidSvg(String),
}

impl RenderError {
    fn invalid(e: usvg::Error) -> RenderError {
        RenderError::InvalidSvg(e.to_string())
    }
}

/// A rendered asset before encoding.
pub struct Rendered {
    /// The pixels (premultiplied RGBA).
    pub pixmap: Canvas,
    /// Slots whose drawn ink left their box: (report index, px outside).
    pub overflow: Vec<(usize, f32)>,
    /// WCAG contrast of each text slot with a plain colour against what is
    /// drawn behind its text: (report index, ratio). See [`text_contrast`].
    pub contrast: Vec<(usize, f64)>,
    /// When [`Filled::logo`] is set: the mean colour (on white) of what is
    /// drawn under the logo's slot, read during the render. None when it
    /// could not be read there; [`mean_colour`] of a render without the
    /// logo gives it then.
    pub logo_background: Option<[u8; 3]>,
}

/// Parses and renders `filled` at its exact pixel size, measuring on the
/// way each text slot's contrast (see [`text_contrast`]) and the colour
/// under the logo.
///
/// With `reuse`, the canvas is made in (and given back to) this thread's
/// spare memory (see [`Canvas`]).
pub fn render(filled: &Filled, opts: &Options, reuse: bool) -> Result<Rendered, RenderError> {
    let (width, height) = (filled.width, filled.height);
    if width as u64 * height as u64 > MAX_PIXELS {
        return Err(RenderError::TooLarge { width, height });
    }
    let tree = Tree::from_str(&filled.svg, opts).map_err(RenderError::invalid)?;
    let mut pixmap =
        Canvas::new(width, height, reuse).ok_or(RenderError::NoMemory { width, height })?;
    let sx = filled.width as f32 / tree.size().width();
    let sy = filled.height as f32 / tree.size().height();
    let transform = resvg::tiny_skia::Transform::from_scale(sx, sy);
    let mut targets = contrast_targets(filled);
    if let Some((id, rect)) = &filled.logo {
        if let Some(region) = region(*rect, filled.width, filled.height) {
            targets.push(Target {
                id: id.clone(),
                measure: Measure::Mean,
                region,
            });
        }
    }
    let readings = match Snapshots::plan(&tree, filled, &targets, transform) {
        Some(plan) => plan.render(&targets, transform, &mut pixmap),
        None => {
            resvg::render(&tree, transform, &mut pixmap.as_mut());
            vec![None; targets.len()]
        }
    };
    // Text slots whose background could not be read during the render are
    // measured on a second render, without text.
    let unread = targets
        .iter()
        .zip(&readings)
        .any(|(t, r)| r.is_none() && matches!(t.measure, Measure::Contrast { .. }));
    let second = if unread {
        text_contrast(filled, opts)?
    } else {
        Vec::new()
    };
    let mut contrast = Vec::new();
    let mut logo_background = None;
    for (t, reading) in targets.iter().zip(readings) {
        match (&t.measure, reading) {
            (Measure::Contrast { report, .. }, Some(Reading::Ratio(r))) => {
                contrast.push((*report, r))
            }
            (Measure::Contrast { report, .. }, _) => {
                contrast.extend(second.iter().find(|(i, _)| i == report).copied())
            }
            (Measure::Mean, Some(Reading::Colour(c))) => logo_background = Some(c),
            (Measure::Mean, _) => {}
        }
    }
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
    Ok(Rendered {
        pixmap,
        overflow,
        contrast,
        logo_background,
    })
}

/// What is read under a slot.
#[derive(Clone, Copy)]
enum Measure {
    /// A text slot's contrast: its report index and text colour.
    Contrast { report: usize, fg: [u8; 3] },
    /// The mean colour under the logo.
    Mean,
}

/// What was read.
#[derive(Clone, Copy)]
enum Reading {
    Ratio(f64),
    Colour([u8; 3]),
}

/// A slot whose background is read: the pixels under its text's ink, or
/// under the logo's slot.
struct Target {
    /// Id of the slot's group.
    id: String,
    measure: Measure,
    /// The pixels: left, top, width, height (inside the canvas).
    region: [u32; 4],
}

/// The whole pixels `rect` (output px: left, top, right, bottom) touches
/// inside a `width` × `height` canvas, as left, top, width, height; None
/// when that is empty.
fn region(rect: [f32; 4], width: u32, height: u32) -> Option<[u32; 4]> {
    let x0 = rect[0].max(0.0).floor();
    let y0 = rect[1].max(0.0).floor();
    let pw = (rect[2].min(width as f32) - x0).ceil();
    let ph = (rect[3].min(height as f32) - y0).ceil();
    (pw >= 1.0 && ph >= 1.0).then_some([x0 as u32, y0 as u32, pw as u32, ph as u32])
}

/// The text slots with a plain colour and some ink inside the canvas.
fn contrast_targets(filled: &Filled) -> Vec<Target> {
    filled
        .slot_boxes
        .iter()
        .filter_map(|b| {
            let (ink, fg) = (b.ink?, b.colour?);
            Some(Target {
                id: b.id.clone(),
                measure: Measure::Contrast {
                    report: b.report,
                    fg,
                },
                region: region(ink, filled.width, filled.height)?,
            })
        })
        .collect()
}

/// Rendering the tree node by node, so that what lies under a slot is read
/// from the canvas just before the slot is drawn: one parse and one render
/// give the asset, its text contrast and the colour under its logo. The
/// nodes are the root's, with plain groups (no transform, nothing that
/// makes resvg draw them on a layer of their own, such as
/// `<g data-if="rtl">`) opened up; drawing them one by one is then exactly
/// what `resvg::render` does, provided each can be drawn alone (resvg draws
/// a node alone only when it has a bounding box).
///
/// A slot's background is read this way only when the snapshot is exactly
/// what a separate render would give: for a text slot, the asset without
/// its text slots (no text slot drawn earlier and nothing else drawn later
/// reaches the ink); for the logo, the asset without its logo (no text
/// slot, and nothing drawn later, reaches the logo's slot). The others are
/// measured by [`text_contrast`] or [`mean_colour`] on a separate render.
struct Snapshots<'t> {
    /// The nodes, in drawing order.
    nodes: Vec<&'t usvg::Node>,
    /// For each node, the target (index into the targets) whose background
    /// is read just before the node is drawn.
    before: Vec<Option<usize>>,
}

/// The nodes of `g` in drawing order, plain groups opened up (drawing
/// their children one by one draws the same pixels); slots stay whole.
fn open<'t>(
    g: &'t usvg::Group,
    is_slot: &dyn Fn(&usvg::Node) -> bool,
    out: &mut Vec<&'t usvg::Node>,
) {
    for n in g.children() {
        match n {
            usvg::Node::Group(c)
                if !is_slot(n)
                    && !c.id().starts_with("postkit-slot-")
                    && c.transform().is_identity()
                    && !c.should_isolate() =>
            {
                open(c, is_slot, out)
            }
            _ => out.push(n),
        }
    }
}

/// Each node's pixels in the output, a pixel wider for anti-aliasing; None
/// when a node's extent is unknown (it cannot be planned around).
fn reach(nodes: &[&usvg::Node], transform: resvg::tiny_skia::Transform) -> Option<Vec<[f32; 4]>> {
    let mut reach = Vec::with_capacity(nodes.len());
    for n in nodes {
        let bounds = match n {
            usvg::Node::Group(g) => g.abs_layer_bounding_box().to_rect(),
            usvg::Node::Path(p) => p.abs_stroke_bounding_box(),
            usvg::Node::Image(i) => i.abs_bounding_box(),
            usvg::Node::Text(t) => t.abs_stroke_bounding_box(),
        };
        if n.abs_layer_bounding_box().is_none() {
            match n {
                // Nothing to draw: a straight line without a stroke.
                usvg::Node::Path(p) if p.stroke().is_none() => {}
                _ => return None,
            }
        }
        let b = bounds.transform(transform)?;
        reach.push([
            b.left() - 1.0,
            b.top() - 1.0,
            b.right() + 1.0,
            b.bottom() + 1.0,
        ]);
    }
    Some(reach)
}

impl<'t> Snapshots<'t> {
    fn plan(
        tree: &'t Tree,
        filled: &Filled,
        targets: &[Target],
        transform: resvg::tiny_skia::Transform,
    ) -> Option<Snapshots<'t>> {
        if targets.is_empty() {
            return None;
        }
        let is_slot = |n: &usvg::Node| {
            matches!(n, usvg::Node::Group(_)) && filled.slot_boxes.iter().any(|b| b.id == n.id())
        };
        let mut nodes = Vec::new();
        open(tree.root(), &is_slot, &mut nodes);
        let reach = reach(&nodes, transform)?;
        let touches = |r: &[f32; 4], t: &Target| {
            let [x, y, w, h] = t.region.map(|v| v as f32);
            r[0] < x + w && x < r[2] && r[1] < y + h && y < r[3]
        };
        let mut before = vec![None; nodes.len()];
        for (ti, t) in targets.iter().enumerate() {
            let text = matches!(t.measure, Measure::Contrast { .. });
            let Some(at) = nodes
                .iter()
                .position(|n| matches!(n, usvg::Node::Group(_)) && n.id() == t.id)
            else {
                continue;
            };
            let clear = nodes.iter().enumerate().all(|(j, n)| {
                let hidden = if j < at {
                    is_slot(n)
                } else {
                    j > at && (!text || !is_slot(n))
                };
                !hidden || !touches(&reach[j], t)
            });
            if clear && before[at].is_none() {
                before[at] = Some(ti);
            }
        }
        if before.iter().all(Option::is_none) {
            return None;
        }
        Some(Snapshots { nodes, before })
    }

    /// Draws the tree node by node, exactly as `resvg::render` does, and
    /// returns what was read for each target (None for those not read).
    fn render(
        &self,
        targets: &[Target],
        transform: resvg::tiny_skia::Transform,
        pixmap: &mut Pixmap,
    ) -> Vec<Option<Reading>> {
        let mut out = vec![None; targets.len()];
        for (n, before) in self.nodes.iter().zip(&self.before) {
            if let Some(ti) = *before {
                let t = &targets[ti];
                let [x0, y0, w, h] = t.region;
                let stride = pixmap.width() as usize;
                let rows = pixmap
                    .pixels()
                    .chunks_exact(stride)
                    .skip(y0 as usize)
                    .take(h as usize)
                    .map(|row| &row[x0 as usize..(x0 + w) as usize]);
                out[ti] = Some(match t.measure {
                    Measure::Contrast { fg, .. } => Reading::Ratio(percentile_contrast(rows, fg)),
                    Measure::Mean => Reading::Colour(mean_on_white(rows)),
                });
            }
            // `render_node` draws a node shifted to its own bounding box's
            // corner; shifting back first draws it where `render` would
            // (exactly: the shifts cancel in floating point, the canvas
            // transform being a pure scale).
            if let Some(b) = n.abs_layer_bounding_box() {
                resvg::render_node(
                    n,
                    transform.pre_translate(b.x(), b.y()),
                    &mut pixmap.as_mut(),
                );
            }
        }
        out
    }
}

/// Calls `f` with each run of one colour in `rows` and its length (runs
/// end with their row).
fn each_run<'p>(
    rows: impl Iterator<Item = &'p [resvg::tiny_skia::PremultipliedColorU8]>,
    mut f: impl FnMut(resvg::tiny_skia::PremultipliedColorU8, u64),
) {
    for row in rows {
        let mut rest = row;
        while let Some(&p) = rest.first() {
            let run = rest.iter().position(|q| *q != p).unwrap_or(rest.len());
            rest = &rest[run..];
            f(p, run as u64);
        }
    }
}

/// The mean colour of `rows`, each pixel composited on white.
fn mean_on_white<'p>(
    rows: impl Iterator<Item = &'p [resvg::tiny_skia::PremultipliedColorU8]>,
) -> [u8; 3] {
    let (mut r, mut g, mut b, mut n) = (0u64, 0u64, 0u64, 0u64);
    each_run(rows, |p, run| {
        n += run;
        let c = p.demultiply();
        let a = c.alpha() as u64;
        let on_white = |v: u8| (v as u64 * a + 255 * (255 - a)) / 255 * run;
        r += on_white(c.red());
        g += on_white(c.green());
        b += on_white(c.blue());
    });
    let n = n.max(1);
    [(r / n) as u8, (g / n) as u8, (b / n) as u8]
}

/// The 5th percentile of the WCAG contrast between `fg` and each pixel
/// (composited on white) of `rows`, exactly, counting each distinct colour
/// once: backgrounds are few colours in long runs.
fn percentile_contrast<'p>(
    rows: impl Iterator<Item = &'p [resvg::tiny_skia::PremultipliedColorU8]>,
    fg: [u8; 3],
) -> f64 {
    use std::collections::hash_map::{Entry, HashMap};
    let mut index: HashMap<[u8; 4], usize> = HashMap::new();
    let mut counts: Vec<([u8; 4], u64)> = Vec::new();
    let mut n = 0u64;
    each_run(rows, |p, run| {
        n += run;
        let key = [p.red(), p.green(), p.blue(), p.alpha()];
        let i = match index.entry(key) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                counts.push((key, 0));
                *e.insert(counts.len() - 1)
            }
        };
        counts[i].1 += run;
    });
    let lt = crate::contrast::luminance(fg);
    let mut ratios: Vec<(f64, u64)> = counts
        .iter()
        .map(|([r, g, b, a], count)| {
            // Premultiplied over white: each channel gains what alpha lacks.
            let white = 255 - a;
            let lb = crate::contrast::luminance([
                r.saturating_add(white),
                g.saturating_add(white),
                b.saturating_add(white),
            ]);
            let (hi, lo) = if lt > lb { (lt, lb) } else { (lb, lt) };
            ((hi + 0.05) / (lo + 0.05), *count)
        })
        .collect();
    ratios.sort_by(|a, b| a.0.total_cmp(&b.0));
    let k = (n.max(1) - 1) / 20;
    let mut below = 0;
    for (r, count) in &ratios {
        below += count;
        if below > k {
            return *r;
        }
    }
    1.0
}

/// Mean colour of the rendered SVG inside `rect` (output px: left, top,
/// right, bottom), rendering only that region.
pub fn mean_colour(svg: &str, opts: &Options, rect: [f32; 4]) -> Result<[u8; 3], RenderError> {
    let tree = Tree::from_str(svg, opts).map_err(RenderError::invalid)?;
    let x0 = rect[0].max(0.0).floor();
    let y0 = rect[1].max(0.0).floor();
    let w = (rect[2].min(tree.size().width()) - x0).ceil().max(1.0) as u32;
    let h = (rect[3].min(tree.size().height()) - y0).ceil().max(1.0) as u32;
    let mut pixmap = Pixmap::new(w, h).ok_or(RenderError::NoMemory {
        width: w,
        height: h,
    })?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_translate(-x0, -y0),
        &mut pixmap.as_mut(),
    );
    Ok(mean_on_white(pixmap.pixels().chunks_exact(w as usize)))
}

/// WCAG contrast of each text slot's colour against what is drawn behind its
/// text (the asset rendered without its text slots, photos included): the
/// 5th percentile of the per-pixel ratios under the text's ink, so a few
/// stray pixels do not decide it but a bright patch of photo does.
/// Returns (slot report index, ratio) for slots with a plain colour.
///
/// This renders the asset a second time, without its text; [`render`]
/// measures the same thing during its own render when it can.
pub fn text_contrast(filled: &Filled, opts: &Options) -> Result<Vec<(usize, f64)>, RenderError> {
    let targets = contrast_targets(filled);
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    // The background: the SVG with every text slot's group taken out.
    let mut svg = filled.svg.clone();
    for b in &filled.slot_boxes {
        crate::fill::cut_group(&mut svg, &b.id);
    }
    let tree = Tree::from_str(&svg, opts).map_err(RenderError::invalid)?;
    let sx = filled.width as f32 / tree.size().width();
    let sy = filled.height as f32 / tree.size().height();
    let mut out = Vec::new();
    for t in targets {
        let Measure::Contrast { report, fg } = t.measure else {
            continue;
        };
        let [x0, y0, w, h] = t.region;
        let Some(mut pixmap) = Pixmap::new(w, h) else {
            continue;
        };
        pixmap.fill(resvg::tiny_skia::Color::WHITE);
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::from_scale(sx, sy)
                .post_translate(-(x0 as f32), -(y0 as f32)),
            &mut pixmap.as_mut(),
        );
        out.push((
            report,
            percentile_contrast(pixmap.pixels().chunks_exact(w as usize), fg),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::percentile_contrast;
    use resvg::tiny_skia::{ColorU8, PremultipliedColorU8};

    fn colour(r: u8, g: u8, b: u8, a: u8) -> PremultipliedColorU8 {
        ColorU8::from_rgba(r, g, b, a).premultiply()
    }

    /// A canvas drawn in a dropped canvas's memory starts transparent, at
    /// its own size, whether the memory was larger or smaller.
    #[test]
    fn a_reused_canvas_starts_clear() {
        use super::Canvas;
        for (w, h) in [(40, 30), (20, 10), (50, 60), (1, 1)] {
            let mut c = Canvas::new(w, h, true).unwrap();
            assert_eq!((c.width(), c.height()), (w, h));
            assert_eq!(c.data().len(), (w * h * 4) as usize);
            assert!(c.data().iter().all(|b| *b == 0), "{w}x{h} not clear");
            c.fill(resvg::tiny_skia::Color::from_rgba8(200, 10, 30, 255));
        }
        assert!(Canvas::new(0, 10, true).is_none());
        // Kept out of reuse, a pixmap keeps its pixels.
        let mut c = Canvas::new(4, 4, true).unwrap();
        c.fill(resvg::tiny_skia::Color::WHITE);
        let p = c.into_pixmap();
        assert!(Canvas::new(4, 4, true)
            .unwrap()
            .data()
            .iter()
            .all(|b| *b == 0));
        assert!(p.data().iter().all(|b| *b == 255));
        Canvas::release_spare();
    }

    /// The 5th percentile by counting distinct colours is the one found by
    /// computing every pixel's ratio and sorting them all.
    #[test]
    fn percentile_agrees_with_sorting() {
        let fg = [0x12, 0x2B, 0x40];
        let mut x = 12345u64;
        let mut pixels = Vec::new();
        for i in 0..5000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let [r, g, b, a] = ((x >> 24) as u32).to_le_bytes();
            let a = if i % 3 == 0 { a } else { 255 };
            let run = if i % 7 == 0 { 40 } else { 1 };
            pixels.extend(std::iter::repeat_n(colour(r, g, b, a), run));
        }
        // Long runs of a few colours, as backgrounds give, and repeats apart.
        pixels.extend(std::iter::repeat_n(colour(255, 247, 236, 255), 3000));
        pixels.extend(std::iter::repeat_n(colour(0, 0, 0, 0), 500));
        pixels.extend(std::iter::repeat_n(colour(255, 247, 236, 255), 700));
        // Every pixel's ratio, composited on white as the canvas under a
        // text-free render is, sorted.
        let ratio = |p: &PremultipliedColorU8| {
            let white = 255 - p.alpha();
            let c = [p.red() + white, p.green() + white, p.blue() + white];
            crate::contrast::ratio(fg, c)
        };
        for n in [1, 2, 19, 20, 21, 1000, pixels.len()] {
            let mut sorted: Vec<f64> = pixels[..n].iter().map(ratio).collect();
            sorted.sort_by(f64::total_cmp);
            // In rows of 37 pixels: runs are cut at the ends of rows.
            let got = percentile_contrast(pixels[..n].chunks(37), fg);
            assert_eq!(got, sorted[(n - 1) / 20], "first {n} pixels");
        }
        // An opaque pixel composited on white is itself.
        assert_eq!(
            percentile_contrast(
                std::iter::once(&[colour(255, 255, 255, 255)][..]),
                [0, 0, 0]
            ),
            21.0
        );
    }

    /// Drawing node by node gives exactly the pixels `resvg::render` gives,
    /// and reading the background during that render gives exactly the
    /// contrast a second, text-free render measures and the colour under the
    /// logo a render without the logo gives: for every variant of
    /// every kit template, with and without a logo, with a photo where there is a slot for it, left to
    /// right and right to left. The fast path must also be the one taken for
    /// every kit card, or it would be speed on paper only.
    #[test]
    fn snapshot_render_is_exact() {
        use super::{Pixmap, Tree};
        use crate::{images::ImageInput, template::TemplateSet, Campaign, Content, Engine};
        let engine = Engine::new(&[] as &[&str]).unwrap();
        let opts = super::options(engine.fonts());
        let campaign = Campaign::embedded();
        let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let photo = ImageInput::load(&examples.join("photo-community.jpg"), "photo").unwrap();
        let logo = ImageInput::load(&examples.join("logo.png"), "logo").unwrap();
        let platforms = crate::inputs::platform::Platforms::embedded();
        let (mut fast, mut checked, mut logos, mut logos_read) = (0, 0, 0, 0);
        for name in crate::template::builtin_names() {
            let set = TemplateSet::load(name).unwrap();
            let mut seen = std::collections::BTreeSet::new();
            for platform in platforms.all() {
                if !set.serves(platform) || !seen.insert(set.variant_for(platform).name.clone()) {
                    continue;
                }
                for (story, images) in [
                    ("We cook together every Friday. #ItTakesACommunity", false),
                    ("نطبخ معًا كل يوم جمعة في المركز المجتمعي.", true),
                ] {
                    let mut content = Content::story(&campaign, "Plymouth Welcome Hub", story);
                    content.set_date(&campaign, time::macros::date!(2026 - 12 - 10));
                    // Every other text slot gets something to say.
                    let variant = set.variant_for(platform);
                    for slot in &variant.parsed.slots {
                        if slot.kind == crate::template::slots::SlotKind::Text {
                            content
                                .fields
                                .entry(slot.field.clone())
                                .or_insert_with(|| "Community supper".into());
                        }
                    }
                    // Templates with a photo slot need one; the others ignore it.
                    content.images.insert("photo".into(), photo.clone());
                    if images {
                        content.images.insert("logo".into(), logo.clone());
                    }
                    let filled = crate::fill::fill(&set, platform, &content, engine.fonts())
                        .unwrap_or_else(|e| panic!("{name} {}: {e}", platform.name));
                    let got = super::render(&filled, &opts, false).unwrap();
                    let tree = Tree::from_str(&filled.svg, &opts).unwrap();
                    let mut want = Pixmap::new(filled.width, filled.height).unwrap();
                    let sx = filled.width as f32 / tree.size().width();
                    let sy = filled.height as f32 / tree.size().height();
                    let transform = resvg::tiny_skia::Transform::from_scale(sx, sy);
                    resvg::render(&tree, transform, &mut want.as_mut());
                    let what = format!("{name} {} ({story})", platform.name);
                    assert!(got.pixmap.data() == want.data(), "{what}: pixels differ");
                    let targets = super::contrast_targets(&filled);
                    assert_eq!(
                        got.contrast,
                        super::text_contrast(&filled, &opts).unwrap(),
                        "{what}: contrast differs"
                    );
                    assert!(!targets.is_empty(), "{what}: no text slot measured");
                    if let Some((_, rect)) = filled.logo {
                        assert!(images, "{what}: a logo slot with no logo given");
                        logos += 1;
                        assert_eq!(
                            got.logo_background,
                            Some(
                                engine
                                    .logo_background(&set, platform, &content, rect)
                                    .unwrap()
                            ),
                            "{what}: the colour under the logo differs"
                        );
                    }
                    if got.logo_background.is_some() {
                        logos_read += 1;
                    }
                    checked += 1;
                    if super::Snapshots::plan(&tree, &filled, &targets, transform).is_some() {
                        fast += 1;
                    }
                }
            }
        }
        let story_quote = TemplateSet::load("story-quote").unwrap();
        let square = platforms.get("instagram-square").unwrap();
        let content = Content::story(&campaign, "Plymouth Welcome Hub", "We cook.");
        let filled = crate::fill::fill(&story_quote, square, &content, engine.fonts()).unwrap();
        let tree = Tree::from_str(&filled.svg, &opts).unwrap();
        let targets = super::contrast_targets(&filled);
        let plan = super::Snapshots::plan(&tree, &filled, &targets, Default::default());
        assert!(
            plan.is_some(),
            "story-quote's square card is not drawn in one pass"
        );
        assert_eq!(fast, checked, "kit cards that took the fast path");
        assert!(logos > 20, "only {logos} cards with a logo");
        assert_eq!(
            logos_read, logos,
            "cards whose logo background was read in one pass"
        );
    }

    #[test]
    fn a_group_ends_at_its_own_end_tag() {
        let svg = "<g id=\"a\"><g id=\"a-line-0\"><text>x</text></g><g/><g id=\"a-line-1\"></g></g><rect/>";
        assert_eq!(
            &svg[..crate::fill::group_len(svg).unwrap()],
            &svg[..svg.len() - "<rect/>".len()]
        );
        assert_eq!(crate::fill::group_len("<g><g></g>"), None);
    }

    /// A slot whose ink something drawn later covers cannot be read during
    /// the render: its contrast comes from the separate text-free render,
    /// and says what that render sees (the later shape included).
    #[test]
    fn a_shape_drawn_over_the_text_sends_it_to_the_separate_render() {
        use super::Tree;
        use crate::fill::{Filled, SlotBox};
        let engine = crate::Engine::new(&[] as &[&str]).unwrap();
        let opts = super::options(engine.fonts());
        let filled = |over: &str| Filled {
            svg: format!(
                r##"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">
<rect width="400" height="200" fill="#FFFFFF"/>
<g id="postkit-slot-0-story"><text x="20" y="100" font-family="Noto Sans" font-size="40" fill="#333333">Together</text></g>
{over}
</svg>"##
            ),
            width: 400,
            height: 200,
            slots: Vec::new(),
            slot_boxes: vec![SlotBox {
                report: 0,
                id: "postkit-slot-0-story".into(),
                rect: [10.0, 50.0, 390.0, 150.0],
                ink: Some([20.0, 70.0, 200.0, 110.0]),
                colour: Some([0x33, 0x33, 0x33]),
                font_px: 40.0,
                bold: false,
                over_photo: false,
            }],
            warnings: Vec::new(),
            variant: "test".into(),
            logo: None,
            mirrored: false,
            actors: Vec::new(),
            clip_svg: None,
        };
        for (over, one_pass) in [
            ("", true),
            // Far from the ink: still one pass.
            (
                r##"<rect x="300" y="150" width="90" height="40" fill="#000000"/>"##,
                true,
            ),
            // Over the ink, drawn after the text: the separate render.
            (
                r##"<rect x="0" y="60" width="400" height="60" fill="#222222" fill-opacity="0.9"/>"##,
                false,
            ),
        ] {
            let filled = filled(over);
            let tree = Tree::from_str(&filled.svg, &opts).unwrap();
            let targets = super::contrast_targets(&filled);
            let plan = super::Snapshots::plan(&tree, &filled, &targets, Default::default());
            assert_eq!(plan.is_some(), one_pass, "{over}");
            let got = super::render(&filled, &opts, false).unwrap().contrast;
            assert_eq!(got, super::text_contrast(&filled, &opts).unwrap(), "{over}");
            let ratio = got[0].1;
            if one_pass {
                assert!(ratio > 12.0, "{over}: {ratio}");
            } else {
                // Dark text on the dark band.
                assert!(ratio < 1.5, "{over}: {ratio}");
            }
        }
    }
}
