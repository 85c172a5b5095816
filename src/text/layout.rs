//! Layout: a slot's text, its style and its box in, a [`TextBlock`] out —
//! every line's runs placed, in visual order, at the largest size that fits.
//!
//! Stages (size-independent work first, done once per slot, in
//! [`Prepared::new`]):
//! 1. split into paragraphs at `\n`;
//! 2. prepare each paragraph (`prepare`): resolve bidi levels (hashtags,
//!    handles and URLs isolated so they keep their own order), pick a face
//!    per script run, shape the logical runs to get each cluster's advance,
//!    and find the break opportunities (`breaks`: UAX #14 with dictionaries
//!    for Thai, Lao, Khmer and Burmese, never inside a protected token).
//!
//! Then [`Prepared::layout`] searches the sizes (`fit`): per candidate size,
//! break greedily (`linebreak`), re-shape each line exactly as it will be
//! emitted and check width, height and line count; the lines found are
//! balanced and placed here.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use super::fonts::{FaceId, FontBook};
use super::prepare::{prepare_para, Item, Para};
use super::shape::{shape, Ink};

pub use super::breaks::{is_tag_char, protected_tokens};
pub use super::fit::Overflow;
pub use super::prepare::is_emoji;

/// Horizontal alignment; `Start` follows the paragraph direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Align {
    /// Left in left-to-right text, right in right-to-left text.
    #[default]
    Start,
    /// Centred.
    Center,
    /// Right in left-to-right text, left in right-to-left text.
    End,
    /// Left, whatever the text's direction (a mirrored layout's `end`).
    Left,
    /// Right, whatever the text's direction (a mirrored layout's `start`).
    Right,
}

/// Vertical alignment of the block in its box.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum VAlign {
    /// Block at the top.
    #[default]
    Top,
    /// Block centred.
    Middle,
    /// Block at the bottom.
    Bottom,
}

/// Base direction of paragraphs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Direction {
    /// From each paragraph's first strong character.
    #[default]
    Auto,
    /// Left to right.
    Ltr,
    /// Right to left.
    Rtl,
}

/// How a slot's text is to be set.
#[derive(Clone, Debug, PartialEq)]
pub struct TextStyle {
    /// Requested family (falls back per script).
    pub family: String,
    /// CSS weight.
    pub weight: u16,
    /// Smallest size allowed, px.
    pub size_min: f32,
    /// Largest size wanted, px.
    pub size_max: f32,
    /// Baseline-to-baseline distance as a multiple of the size.
    pub line_height: f32,
    /// Horizontal alignment.
    pub align: Align,
    /// Vertical alignment.
    pub valign: VAlign,
    /// Most lines allowed.
    pub max_lines: Option<usize>,
    /// Paragraph direction.
    pub direction: Direction,
    /// Language hint (BCP 47, e.g. `zh-Hant`), used to pick CJK faces.
    pub lang: Option<String>,
}

/// One run of one line: a single face, a single direction, ready to emit.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedRun {
    /// Left edge of the run from the box's left edge, px.
    pub x: f32,
    /// The string to emit (right-to-left runs carry RLM marks at both ends).
    pub text: String,
    /// The face to draw it with.
    pub face: FaceId,
    /// Advance width, px.
    pub width: f32,
}

/// One laid-out line.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedLine {
    /// Baseline from the box's top edge, px.
    pub baseline: f32,
    /// Runs in visual order, left to right.
    pub runs: Vec<PlacedRun>,
    /// True when the paragraph of this line is right-to-left.
    pub rtl: bool,
}

/// A slot's text, laid out.
#[derive(Clone, Debug, PartialEq)]
pub struct TextBlock {
    /// Font size, px.
    pub font_size: f32,
    /// Lines, top to bottom.
    pub lines: Vec<PlacedLine>,
    /// False when the text does not fit even at the minimum size.
    pub fits: bool,
    /// When it does not fit: the constraint that failed at the minimum size.
    pub overflow: Option<Overflow>,
    /// Words that had to be broken inside (last resort).
    pub broken_words: Vec<String>,
    /// Characters no available font can draw.
    pub missing: Vec<char>,
    /// Ink extents of the block relative to the box (left, top, right, bottom), px.
    pub ink: Option<InkBox>,
}

/// Ink extents relative to the box (left, top, right, bottom), px.
pub type InkBox = (f32, f32, f32, f32);

/// One run of a measured line: (text, face, advance em, ink).
pub(crate) type MeasuredRun = (String, FaceId, f32, Option<Ink>);

/// A measured line: its exact shape, in em.
#[derive(Clone, Debug)]
pub(crate) struct Measured {
    /// Runs in visual order.
    pub(crate) runs: Vec<MeasuredRun>,
    pub(crate) advance: f32,
    pub(crate) ink: Option<Ink>,
    pub(crate) ascent: f32,
    pub(crate) descent: f32,
    /// Largest leading of the line's faces (see `fonts::TALL_FAMILIES`).
    pub(crate) leading: f32,
}

impl Measured {
    /// Width in em that the line's ink and advance box need.
    pub(crate) fn needed(&self) -> f32 {
        match self.ink {
            Some(i) => self.advance.max(i.right) - i.left.min(0.0),
            None => self.advance,
        }
    }
}

/// A line: a byte range of a paragraph.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Line {
    pub(crate) para: usize,
    pub(crate) range: Range<usize>,
}

/// The size-independent preparation of a slot's text, reusable across sizes
/// and boxes.
pub struct Prepared<'a> {
    book: &'a FontBook,
    pub(crate) paras: Vec<Para>,
    primary: FaceId,
    /// Exact line measurements, cached by (paragraph, range).
    cache: RefCell<HashMap<(usize, usize, usize), Rc<Measured>>>,
    missing: Vec<char>,
}

impl<'a> Prepared<'a> {
    /// Prepares `text` for layout in `style` (size-independent).
    pub fn new(book: &'a FontBook, text: &str, style: &TextStyle) -> Prepared<'a> {
        let primary = book
            .best_in_family(&style.family, style.weight)
            .or_else(|| book.best_in_family(super::fonts::DEFAULT_FAMILY, style.weight))
            .unwrap_or(0);
        let mut paras = Vec::new();
        let mut missing = Vec::new();
        let mut prev_blank = false;
        for raw in text.split('\n') {
            let ptext = raw.trim().to_string();
            if ptext.is_empty() {
                // Runs of blank lines collapse to one blank line between paragraphs.
                if prev_blank || paras.is_empty() {
                    continue;
                }
                prev_blank = true;
            } else {
                prev_blank = false;
            }
            paras.push(prepare_para(book, ptext, style, primary, &mut missing));
        }
        while paras.last().is_some_and(|p| p.text.is_empty()) {
            paras.pop();
        }
        Prepared {
            book,
            paras,
            primary,
            cache: RefCell::new(HashMap::new()),
            missing,
        }
    }

    /// The exact shape of a line, shaped once per range.
    pub(crate) fn measure(&self, line: &Line) -> Rc<Measured> {
        let key = (line.para, line.range.start, line.range.end);
        if let Some(m) = self.cache.borrow().get(&key) {
            return m.clone();
        }
        let m = Rc::new(self.shape_line(line));
        self.cache.borrow_mut().insert(key, m.clone());
        m
    }

    /// Shapes a line's logical sub-runs in visual order, as they will be
    /// emitted (right-to-left runs wrapped in RLM marks).
    fn shape_line(&self, line: &Line) -> Measured {
        let para = &self.paras[line.para];
        let primary = self.book.face(self.primary);
        let mut m = Measured {
            runs: Vec::new(),
            advance: 0.0,
            ink: None,
            ascent: primary.ascent,
            descent: primary.descent,
            leading: 1.0,
        };
        for sub in visual_runs(&para.items, &line.range) {
            let slice = &para.text[sub.range.clone()];
            let rtl = sub.level % 2 == 1;
            let text = if rtl {
                format!("\u{200F}{slice}\u{200F}")
            } else {
                slice.to_string()
            };
            let face = self.book.face(sub.face);
            m.ascent = m.ascent.max(face.ascent);
            m.descent = m.descent.max(face.descent);
            m.leading = m.leading.max(face.leading);
            let shaped = shape(face, &text, rtl);
            if let Some(i) = shaped.ink {
                let pen = m.advance;
                m.ink = Some(match m.ink {
                    Some(acc) => acc.union(i, pen),
                    None => Ink {
                        left: i.left + pen,
                        right: i.right + pen,
                        ..i
                    },
                });
            }
            m.runs.push((text, sub.face, shaped.advance, shaped.ink));
            m.advance += shaped.advance;
        }
        if let Some(i) = m.ink {
            m.ascent = m.ascent.max(i.top);
            m.descent = m.descent.max(i.bottom);
        }
        m
    }

    /// Height in em of a block of lines.
    pub(crate) fn height(lines: &[Rc<Measured>], line_height: f32) -> f32 {
        match (lines.first(), lines.last()) {
            (Some(f), Some(l)) => {
                let pitches: f32 = lines
                    .windows(2)
                    .map(|w| pitch(&w[0], &w[1], line_height))
                    .sum();
                f.ascent + l.descent + pitches
            }
            _ => 0.0,
        }
    }

    /// The largest ascent, descent and leading of the faces of paragraph
    /// `p` (and the primary face): an estimate of its lines' extents
    /// without shaping them.
    pub(crate) fn para_extents(&self, p: usize) -> (f32, f32, f32) {
        let primary = self.book.face(self.primary);
        let mut e = (primary.ascent, primary.descent, primary.leading);
        for it in &self.paras[p].items {
            let f = self.book.face(it.face);
            e = (e.0.max(f.ascent), e.1.max(f.descent), e.2.max(f.leading));
        }
        e
    }

    /// The smallest height in em any line can have (the primary face's).
    pub(crate) fn min_line_extent(&self) -> f32 {
        let primary = self.book.face(self.primary);
        primary.ascent + primary.descent
    }

    /// Places `lines` at `size` in a box of `bw` × `bh` px.
    pub(crate) fn place(
        &self,
        size: f32,
        lines: &[Line],
        (bw, bh): (f32, f32),
        style: &TextStyle,
        fits: bool,
    ) -> (Vec<PlacedLine>, Option<InkBox>) {
        let measured: Vec<Rc<Measured>> = lines.iter().map(|l| self.measure(l)).collect();
        let block_h = Self::height(&measured, style.line_height) * size;
        let top = match style.valign {
            VAlign::Top => 0.0,
            VAlign::Middle => (bh - block_h) / 2.0,
            VAlign::Bottom => bh - block_h,
        };
        let mut out = Vec::with_capacity(lines.len());
        let mut ink_box: Option<InkBox> = None;
        let mut baseline = top + measured.first().map(|m| m.ascent).unwrap_or(0.0) * size;
        for (i, (line, m)) in lines.iter().zip(&measured).enumerate() {
            let rtl = self.paras[line.para].rtl;
            let x0 = line_start(m, size, bw, style.align, rtl, fits);
            if let Some(i) = m.ink {
                let b = (
                    x0 + i.left * size,
                    baseline - i.top * size,
                    x0 + i.right * size,
                    baseline + i.bottom * size,
                );
                ink_box = Some(match ink_box {
                    Some(a) => (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)),
                    None => b,
                });
            }
            out.push(PlacedLine {
                baseline,
                runs: place_runs(m, x0, size),
                rtl,
            });
            if let Some(next) = measured.get(i + 1) {
                baseline += pitch(m, next, style.line_height) * size;
            }
        }
        (out, ink_box)
    }

    /// Characters no available font can draw.
    pub(crate) fn missing(&self) -> &[char] {
        &self.missing
    }
}

/// Baseline-to-baseline distance in em from line `a` to line `b`.
fn pitch(a: &Measured, b: &Measured, line_height: f32) -> f32 {
    line_height * a.leading.max(b.leading)
}

/// The left edge in px of a line of `m` in a box `bw` wide.
fn line_start(m: &Measured, size: f32, bw: f32, align: Align, rtl: bool, fits: bool) -> f32 {
    let adv = m.advance * size;
    let align = match (align, rtl) {
        (Align::Center, _) => Align::Center,
        (Align::Start, false) | (Align::End, true) | (Align::Left, _) => Align::Left,
        _ => Align::Right,
    };
    let x0 = match align {
        Align::Center => (bw - adv) / 2.0,
        Align::Right => bw - adv,
        _ => 0.0,
    };
    // Keep the ink inside the box when a glyph overhangs its advance.
    match (fits, m.ink) {
        (true, Some(i)) => x0.min(bw - i.right * size).max(-i.left * size),
        (true, None) => x0.min(bw - adv).max(0.0),
        (false, _) => x0,
    }
}

/// A measured line's runs, left to right from `x0`, in px.
fn place_runs(m: &Measured, x0: f32, size: f32) -> Vec<PlacedRun> {
    let mut x = x0;
    let mut runs = Vec::with_capacity(m.runs.len());
    for (text, face, a, _) in &m.runs {
        runs.push(PlacedRun {
            x,
            text: text.clone(),
            face: *face,
            width: a * size,
        });
        x += a * size;
    }
    runs
}

/// The logical runs of `items` within `range`, in visual order.
fn visual_runs(items: &[Item], range: &Range<usize>) -> Vec<Item> {
    let mut subs: Vec<Item> = items
        .iter()
        .filter_map(|it| {
            let s = it.range.start.max(range.start);
            let e = it.range.end.min(range.end);
            (s < e).then_some(Item {
                range: s..e,
                face: it.face,
                level: it.level,
            })
        })
        .collect();
    reorder(&mut subs);
    subs
}

/// Orders logical runs visually (UAX #9 rule L2, on runs).
fn reorder(runs: &mut [Item]) {
    let Some(max) = runs.iter().map(|r| r.level).max() else {
        return;
    };
    let min_odd = runs
        .iter()
        .map(|r| r.level)
        .filter(|l| l % 2 == 1)
        .min()
        .unwrap_or(max + 1);
    let mut level = max;
    while level >= min_odd && level > 0 {
        let mut i = 0;
        while i < runs.len() {
            if runs[i].level >= level {
                let mut j = i;
                while j < runs.len() && runs[j].level >= level {
                    j += 1;
                }
                runs[i..j].reverse();
                i = j;
            } else {
                i += 1;
            }
        }
        level -= 1;
    }
}
