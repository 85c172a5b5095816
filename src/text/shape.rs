//! Shaping one run of text in one face and one direction, with the shaper
//! usvg itself uses (harfrust) on the very same font bytes, so a measured run
//! is exactly as wide as the run resvg draws.

use skrifa::instance::{LocationRef, Size};
use skrifa::MetadataProvider;

use super::fonts::Face;

/// Ink extents of a run, in em, relative to the run's origin on the baseline
/// (y grows upwards).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ink {
    /// Leftmost ink.
    pub left: f32,
    /// Rightmost ink.
    pub right: f32,
    /// Highest ink above the baseline.
    pub top: f32,
    /// Lowest ink, as a distance below the baseline.
    pub bottom: f32,
}

impl Ink {
    /// The union of two extents, `other` shifted right by `dx`.
    pub fn union(self, other: Ink, dx: f32) -> Ink {
        Ink {
            left: self.left.min(other.left + dx),
            right: self.right.max(other.right + dx),
            top: self.top.max(other.top),
            bottom: self.bottom.max(other.bottom),
        }
    }
}

/// A shaped run.
#[derive(Clone, Debug)]
pub struct Shaped {
    /// Total advance in em.
    pub advance: f32,
    /// Ink extents; `None` when the run draws nothing.
    pub ink: Option<Ink>,
    /// Advance in em credited to each cluster, keyed by the cluster's first byte.
    pub clusters: Vec<(usize, f32)>,
    /// Characters the face has no glyph for.
    pub missing: Vec<char>,
}

/// Shapes `text` in `face`, left-to-right or right-to-left, as usvg would
/// shape a `<text>` holding exactly this string.
pub fn shape(face: &Face, text: &str, rtl: bool) -> Shaped {
    let empty = Shaped {
        advance: 0.0,
        ink: None,
        clusters: Vec::new(),
        missing: Vec::new(),
    };
    if text.is_empty() {
        return empty;
    }
    let (Some(font), Some(data)) = (face.font_ref(), face.shaper_data()) else {
        return Shaped {
            missing: text.chars().collect(),
            ..empty
        };
    };
    let shaper = data.shaper(&font).build();
    let mut buffer = harfrust::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_direction(if rtl {
        harfrust::Direction::RightToLeft
    } else {
        harfrust::Direction::LeftToRight
    });
    buffer.guess_segment_properties();
    let output = shaper.shape(buffer, harfrust::ShapeOptions::new());
    let metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
    let scale = 1.0 / face.upem;

    let mut pen = 0.0f32;
    let mut ink: Option<Ink> = None;
    let mut clusters: Vec<(usize, f32)> = Vec::new();
    let mut missing = Vec::new();
    for (info, pos) in output.glyph_infos().iter().zip(output.glyph_positions()) {
        let cluster = info.cluster as usize;
        if info.glyph_id == 0 {
            if let Some(c) = text.get(cluster..).and_then(|s| s.chars().next()) {
                if !super::fonts::is_invisible(c) && !missing.contains(&c) {
                    missing.push(c);
                }
            }
        }
        let origin = (
            pen + pos.x_offset as f32 * scale,
            pos.y_offset as f32 * scale,
        );
        let advance = pos.x_advance as f32 * scale;
        let gid = skrifa::GlyphId::new(info.glyph_id);
        if let Some(g) = glyph_ink(face, &metrics, gid, origin, advance) {
            ink = Some(match ink {
                Some(i) => i.union(g, 0.0),
                None => g,
            });
        }
        pen += advance;
        // A cluster's glyphs are contiguous in the output.
        match clusters.last_mut() {
            Some(entry) if entry.0 == cluster => entry.1 += advance,
            _ => clusters.push((cluster, advance)),
        }
    }
    Shaped {
        advance: pen,
        ink,
        clusters,
        missing,
    }
}

/// The ink of one glyph drawn at `(x, y)` em from the run's origin: its
/// outline's bounds, or for a bitmap glyph (colour emoji, which has no
/// outline) its advance by the face's ascent and descent.
fn glyph_ink(
    face: &Face,
    metrics: &skrifa::metrics::GlyphMetrics,
    gid: skrifa::GlyphId,
    (x, y): (f32, f32),
    advance: f32,
) -> Option<Ink> {
    let scale = 1.0 / face.upem;
    match metrics.bounds(gid) {
        Some(b) if b.x_max > b.x_min || b.y_max > b.y_min => Some(Ink {
            left: x + b.x_min * scale,
            right: x + b.x_max * scale,
            top: y + b.y_max * scale,
            bottom: -(y + b.y_min * scale),
        }),
        Some(_) => None,
        None if advance != 0.0 => Some(Ink {
            left: x,
            right: x + advance,
            top: face.ascent,
            bottom: face.descent,
        }),
        None => None,
    }
}
