//! The size search: the largest size between the style's minimum and
//! maximum, on a grid of quarter pixels, at which the text fits its box.
//!
//! Whether a text fits is not monotonic in the size: line breaks move, and
//! with them the lines' exact widths, the ink of the first and last lines
//! and the line count. So the search does not rely on it. It tries the
//! maximum; then the size estimated from the advances alone (nothing
//! shaped), and if that fits, bisects upwards from it; else the minimum,
//! and if that fits, bisects between the two (exact when fitting is
//! monotonic over the range, and always a size that fits). When neither
//! fits it scans the sizes downwards from the top and takes the first that
//! fits. A size therefore is found whenever one on the grid fits, and
//! lowering the minimum only adds sizes below: it never turns a fitting
//! text into a failure. Only for absurd ranges (more than [`MAX_PROBES`]
//! grid sizes) does the scan skip sizes.

use std::fmt;
use std::rc::Rc;

use super::layout::{Line, Measured, Prepared, TextBlock, TextStyle};
use super::linebreak::EPS;

/// Size step of the search, px.
const STEP: f32 = 0.25;

/// Most sizes the downward scan tries.
pub const MAX_PROBES: usize = 1024;

/// Why a text does not fit its box at the minimum size.
#[derive(Clone, Debug, PartialEq)]
pub enum Overflow {
    /// More lines than the slot allows.
    Lines {
        /// Lines the text needs.
        needed: usize,
        /// The slot's maximum.
        allowed: usize,
    },
    /// A line is wider than the box even with its words broken between
    /// characters (a single character is wider than the box).
    Width {
        /// The line's text.
        text: String,
    },
    /// The lines are taller than the box.
    Height {
        /// Lines the text needs.
        needed: usize,
        /// Lines of the primary face the box has room for.
        room: usize,
    },
}

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Overflow::Lines { needed, allowed } => {
                write!(f, "{needed} lines needed, at most {allowed} allowed")
            }
            Overflow::Width { text } => write!(f, "'{text}' is wider than the box"),
            Overflow::Height { needed, room } => write!(f, "{needed} lines needed, {room} fit"),
        }
    }
}

/// Lines that fit at a size.
struct Found {
    size: f32,
    lines: Vec<Line>,
    broken: Vec<String>,
}

impl Prepared<'_> {
    /// Lays the text out in a box of `bw` × `bh` px.
    pub fn layout(&self, bw: f32, bh: f32, style: &TextStyle) -> TextBlock {
        let lo = style.size_min.max(1.0);
        let hi = style.size_max.max(lo);
        let found = self
            .search(lo, hi, (bw, bh), style, false)
            .or_else(|| self.search(lo, hi, (bw, bh), style, true));
        let (size, lines, broken, overflow) = match found {
            Some(f) => {
                let lines = self.balanced_if_it_fits(f.lines, f.size, (bw, bh), style);
                (f.size, lines, f.broken, None)
            }
            None => {
                let mut broken = Vec::new();
                let lines = self.break_all(bw / lo, (true, true), &mut broken);
                let why = self.overflow(lo, &lines, (bw, bh), style);
                (lo, lines, broken, Some(why))
            }
        };
        let fits = overflow.is_none();
        let (lines, ink) = self.place(size, &lines, (bw, bh), style, fits);
        TextBlock {
            font_size: size,
            lines,
            fits,
            overflow,
            broken_words: broken,
            missing: self.missing().to_vec(),
            ink,
        }
    }

    /// `lines` balanced, unless balancing makes the block taller than the
    /// box: the new first line may rise higher (an emoji, a tall script)
    /// or the new last line reach lower.
    fn balanced_if_it_fits(
        &self,
        lines: Vec<Line>,
        size: f32,
        (bw, bh): (f32, f32),
        style: &TextStyle,
    ) -> Vec<Line> {
        let balanced = self.balance(lines.clone(), bw / size);
        let measured: Vec<Rc<Measured>> = balanced.iter().map(|l| self.measure(l)).collect();
        if Self::height(&measured, style.line_height) * size > bh + 1e-3 {
            lines
        } else {
            balanced
        }
    }

    /// The largest size found to fit (see the module's doc), words broken
    /// only with `emergency`.
    fn search(
        &self,
        lo: f32,
        hi: f32,
        bx: (f32, f32),
        style: &TextStyle,
        emergency: bool,
    ) -> Option<Found> {
        let at = |s: f32| {
            self.try_size(s, bx, style, emergency)
                .map(|(lines, broken)| Found {
                    size: s,
                    lines,
                    broken,
                })
        };
        if let Some(f) = at(hi) {
            return Some(f);
        }
        // Grid sizes lo + k·STEP below hi, for 0 <= k < z.
        let mut z = ((hi - lo) / STEP).floor().min(1e9) as i64;
        if lo + z as f32 * STEP >= hi {
            z = z.max(1);
        }
        let size = |k: i64| lo + k as f32 * STEP;
        // The estimate first: when it is right, two sizes are shaped.
        let hint = self.estimate(z, &size, bx, style, emergency);
        let top = z;
        if hint > 0 {
            if let Some(f) = at(size(hint)) {
                return Some(self.bisect(f, hint, z, size, &at));
            }
            z = hint;
        }
        match at(lo) {
            Some(f) => Some(self.bisect(f, 0, z, size, &at)),
            None => self.scan_down(top, size, bx.1, style, &at),
        }
    }

    /// Bisects between grid steps `a` (`best`, which fits) and `z` (which
    /// does not): the boundary found fits.
    fn bisect(
        &self,
        mut best: Found,
        mut a: i64,
        mut z: i64,
        size: impl Fn(i64) -> f32,
        at: &impl Fn(f32) -> Option<Found>,
    ) -> Found {
        // Next to a step that fits, the boundary is most often one step up.
        if a + 1 < z {
            match at(size(a + 1)) {
                Some(f) => {
                    a += 1;
                    best = f;
                }
                None => return best,
            }
        }
        while z - a > 1 {
            let m = a + (z - a) / 2; // (a + z) / 2 overflows for huge ranges
            match at(size(m)) {
                Some(f) => {
                    a = m;
                    best = f;
                }
                None => z = m,
            }
        }
        best
    }

    /// The largest grid step below `z` at which the text seems to fit, from
    /// the advances alone (nothing shaped): lines broken on the summed
    /// advances, each paragraph's lines as tall as its tallest face.
    fn estimate(
        &self,
        z: i64,
        size: &impl Fn(i64) -> f32,
        (bw, bh): (f32, f32),
        style: &TextStyle,
        emergency: bool,
    ) -> i64 {
        let extents: Vec<(f32, f32, f32)> = (0..self.paras.len())
            .map(|p| self.para_extents(p))
            .collect();
        let seems_to_fit = |s: f32| {
            let width = bw / s;
            let lines = self.break_all(width, (emergency, false), &mut Vec::new());
            if style.max_lines.is_some_and(|m| lines.len() > m) {
                return false;
            }
            let para = |l: &Line| &self.paras[l.para];
            if lines
                .iter()
                .any(|l| para(l).advance(l.range.start, l.range.end) > width)
            {
                return false;
            }
            let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
                return true;
            };
            let pitches: f32 = lines
                .windows(2)
                .map(|w| style.line_height * extents[w[0].para].2.max(extents[w[1].para].2))
                .sum();
            (extents[first.para].0 + extents[last.para].1 + pitches) * s <= bh
        };
        let (mut a, mut b) = (0i64, z);
        while b - a > 1 {
            let m = a + (b - a) / 2;
            if seems_to_fit(size(m)) {
                a = m;
            } else {
                b = m;
            }
        }
        a
    }

    /// Tries grid steps `z - 1` down to 1 (at most [`MAX_PROBES`] of them,
    /// evenly spread) and returns the first that fits, skipping sizes at
    /// which even one line per paragraph is taller than the box.
    fn scan_down(
        &self,
        z: i64,
        size: impl Fn(i64) -> f32,
        bh: f32,
        style: &TextStyle,
        at: &impl Fn(f32) -> Option<Found>,
    ) -> Option<Found> {
        let paras = self.paras.len().max(1);
        if style.max_lines.is_some_and(|m| m < paras) {
            return None;
        }
        let least = self.min_line_extent() + (paras - 1) as f32 * style.line_height;
        let stride = ((z - 1) / MAX_PROBES as i64).max(1);
        let mut k = z - 1;
        while k >= 1 {
            let s = size(k);
            if least * s <= bh + 1e-3 {
                if let Some(f) = at(s) {
                    return Some(f);
                }
            }
            k -= stride;
        }
        None
    }

    /// Tries one size: the lines if everything fits.
    fn try_size(
        &self,
        size: f32,
        (bw, bh): (f32, f32),
        style: &TextStyle,
        emergency: bool,
    ) -> Option<(Vec<Line>, Vec<String>)> {
        let width = bw / size;
        let mut broken = Vec::new();
        let lines = self.break_all(width, (emergency, true), &mut broken);
        if style.max_lines.is_some_and(|m| lines.len() > m) {
            return None;
        }
        let measured: Vec<Rc<Measured>> = lines.iter().map(|l| self.measure(l)).collect();
        if measured.iter().any(|m| m.needed() > width + EPS) {
            return None;
        }
        if Self::height(&measured, style.line_height) * size > bh + 1e-3 {
            return None;
        }
        Some((lines, broken))
    }

    /// The constraint `lines`, broken at `size`, fail first.
    fn overflow(
        &self,
        size: f32,
        lines: &[Line],
        (bw, bh): (f32, f32),
        style: &TextStyle,
    ) -> Overflow {
        if let Some(m) = style.max_lines.filter(|&m| lines.len() > m) {
            return Overflow::Lines {
                needed: lines.len(),
                allowed: m,
            };
        }
        let width = bw / size;
        if let Some(l) = lines
            .iter()
            .find(|l| self.measure(l).needed() > width + EPS)
        {
            return Overflow::Width {
                text: self.paras[l.para].text[l.range.clone()].to_string(),
            };
        }
        let measured: Vec<Rc<Measured>> = lines.iter().map(|l| self.measure(l)).collect();
        Overflow::Height {
            needed: lines.len(),
            room: room(&measured, bh / size, style.line_height),
        }
    }
}

/// How many lines like `lines` (their first ascent, last descent and mean
/// pitch, in em) fit in `height` em.
fn room(lines: &[Rc<Measured>], height: f32, line_height: f32) -> usize {
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return 0;
    };
    let extent = first.ascent + last.descent;
    let pitch = if lines.len() > 1 {
        (Prepared::height(lines, line_height) - extent) / (lines.len() - 1) as f32
    } else {
        line_height * first.leading
    };
    let more = (height - extent) / pitch.max(1e-3);
    if more < 0.0 {
        0
    } else {
        (more.floor().min(1e9) as usize).saturating_add(1)
    }
}
