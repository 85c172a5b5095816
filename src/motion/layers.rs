//! A filled clip's tree cut into layers, each rendered once: runs of what
//! never moves together, and each moving part (an actor, a part of a
//! staggered group, a line of text) on its own.

use resvg::tiny_skia::{Pixmap, Transform};

use crate::fill::Filled;
use crate::raster::RenderError;

/// Who a layer belongs to: the actor (index into [`Filled::actors`]) and
/// which of its parts (0 for the actor as a whole or what is not one of
/// its parts; `1 + m` for part or line `m`).
pub type Owner = Option<(usize, usize)>;

/// One layer: its pixels, placed at (`x`, `y`) on the canvas.
pub struct Layer {
    /// Premultiplied RGBA, only as large as what it draws.
    pub pixmap: Pixmap,
    /// Left edge on the canvas, px.
    pub x: i32,
    /// Top edge on the canvas, px.
    pub y: i32,
    /// The actor and part it belongs to; None for art that never moves.
    pub owner: Owner,
    /// The text it draws (the line's, for a line of text), for reading
    /// time.
    pub text: String,
    /// Drawn right to left (a line whose first strong character is).
    pub rtl: bool,
    /// For a count: the layer as it is drawn with each number before its
    /// own, first to last.
    pub counts: Vec<Layer>,
}

impl Layer {
    /// Left, top, right, bottom on the canvas, px.
    pub fn rect(&self) -> [i32; 4] {
        [
            self.x,
            self.y,
            self.x + self.pixmap.width() as i32,
            self.y + self.pixmap.height() as i32,
        ]
    }
}

/// A node to draw, with the transform of the group it sits in.
struct Unit<'t> {
    node: &'t usvg::Node,
    parent: Transform,
    owner: Owner,
}

/// The actor an id names, and the part: `postkit-motion-K` (part 0),
/// `postkit-motion-K-part-M` (part 1 + M).
fn actor_of(id: &str) -> Option<(usize, usize)> {
    let rest = id.strip_prefix("postkit-motion-")?;
    match rest.split_once("-part-") {
        None => Some((rest.parse().ok()?, 0)),
        Some((k, m)) => Some((k.parse().ok()?, 1 + m.parse::<usize>().ok()?)),
    }
}

/// The line number of a text slot's line group (`…-line-M`).
fn line_of(id: &str) -> Option<usize> {
    let (head, m) = id.rsplit_once("-line-")?;
    if !head.starts_with("postkit-slot-") {
        return None;
    }
    m.parse().ok()
}

/// The nodes of `g` in drawing order, each with its owner: plain groups
/// (nothing that makes resvg draw them on a layer of their own) opened,
/// so that a moving part inside them is found; drawing the units one by
/// one draws what `resvg::render` draws.
fn units<'t>(g: &'t usvg::Group, owner: Owner, out: &mut Vec<Unit<'t>>) {
    for n in g.children() {
        let id = n.id();
        let mut own = owner;
        if let Some(a) = actor_of(id) {
            own = Some(a);
        } else if let (Some((k, _)), Some(m)) = (owner, line_of(id)) {
            own = Some((k, 1 + m));
        }
        match n {
            usvg::Node::Group(c) if !c.should_isolate() => units(c, own, out),
            _ => out.push(Unit {
                node: n,
                parent: g.abs_transform(),
                owner: own,
            }),
        }
    }
}

/// The text a node draws.
fn text_of(n: &usvg::Node, out: &mut String) {
    match n {
        usvg::Node::Text(t) => {
            for c in t.chunks() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(c.text());
            }
        }
        usvg::Node::Group(g) => g.children().iter().for_each(|c| text_of(c, out)),
        _ => {}
    }
}

/// Cuts `filled` into layers and renders each once. Consecutive units of
/// one owner share a layer. With `only`, just the layers of that actor.
pub fn layers(
    filled: &Filled,
    opts: &usvg::Options,
    only: Option<usize>,
) -> Result<Vec<Layer>, RenderError> {
    let (width, height) = (filled.width, filled.height);
    if width as u64 * height as u64 > crate::raster::MAX_PIXELS {
        return Err(RenderError::TooLarge { width, height });
    }
    // A clip with elements that leave is cut from the SVG that has them.
    let svg = filled.clip_svg.as_deref().unwrap_or(&filled.svg);
    let tree =
        usvg::Tree::from_str(svg, opts).map_err(|e| RenderError::InvalidSvg(e.to_string()))?;
    let sx = width as f32 / tree.size().width();
    let sy = height as f32 / tree.size().height();
    let canvas = Transform::from_scale(sx, sy);
    let mut list = Vec::new();
    units(tree.root(), None, &mut list);
    let mut out = Vec::new();
    let mut i = 0;
    while i < list.len() {
        let owner = list[i].owner;
        let j = i + list[i..].iter().take_while(|u| u.owner == owner).count();
        let run = &list[i..j];
        i = j;
        if only.is_some_and(|k| owner.is_none_or(|(a, _)| a != k)) {
            continue;
        }
        // The run's pixels, a pixel wider for anti-aliasing, on the canvas.
        let mut rect: Option<[f32; 4]> = None;
        for u in run {
            let Some(b) = u.node.abs_layer_bounding_box() else {
                continue;
            };
            let Some(b) = b.transform(canvas) else {
                continue;
            };
            let r = [b.left(), b.top(), b.right(), b.bottom()];
            rect = Some(match rect {
                None => r,
                Some(o) => [
                    o[0].min(r[0]),
                    o[1].min(r[1]),
                    o[2].max(r[2]),
                    o[3].max(r[3]),
                ],
            });
        }
        let Some(r) = rect else { continue };
        let x0 = ((r[0] - 1.0).floor() as i32).clamp(0, width as i32);
        let y0 = ((r[1] - 1.0).floor() as i32).clamp(0, height as i32);
        let x1 = ((r[2] + 1.0).ceil() as i32).clamp(0, width as i32);
        let y1 = ((r[3] + 1.0).ceil() as i32).clamp(0, height as i32);
        if x1 <= x0 || y1 <= y0 {
            continue;
        }
        let (w, h) = ((x1 - x0) as u32, (y1 - y0) as u32);
        let mut pixmap = Pixmap::new(w, h).ok_or(RenderError::NoMemory {
            width: w,
            height: h,
        })?;
        let mut text = String::new();
        for u in run {
            let Some(b) = u.node.abs_layer_bounding_box() else {
                continue;
            };
            // `render_node` draws a node shifted to its bounding box's
            // corner, in the transform of its own group: give it its
            // parent's transform and shift it back.
            let t = canvas
                .post_translate(-x0 as f32, -y0 as f32)
                .pre_concat(u.parent)
                .pre_translate(b.x(), b.y());
            resvg::render_node(u.node, t, &mut pixmap.as_mut());
            text_of(u.node, &mut text);
        }
        let rtl = text
            .chars()
            .find_map(|c| match unicode_bidi::bidi_class(c) {
                unicode_bidi::BidiClass::L => Some(false),
                unicode_bidi::BidiClass::R | unicode_bidi::BidiClass::AL => Some(true),
                _ => None,
            })
            .unwrap_or(false);
        out.push(Layer {
            pixmap,
            x: x0,
            y: y0,
            owner,
            text,
            rtl,
            counts: Vec::new(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_actors_parts_and_lines() {
        assert_eq!(actor_of("postkit-motion-3"), Some((3, 0)));
        assert_eq!(actor_of("postkit-motion-3-part-0"), Some((3, 1)));
        assert_eq!(actor_of("postkit-slot-1-story"), None);
        assert_eq!(line_of("postkit-slot-1-story-line-4"), Some(4));
        assert_eq!(line_of("my-line-4"), None);
    }
}
