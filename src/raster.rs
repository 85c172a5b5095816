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
    Options {
        fontdb: book.database(),
        font_family: crate::text::fonts::DEFAULT_FAMILY.to_string(),
        image_href_resolver: ImageHrefResolver {
            resolve_data: ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
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
