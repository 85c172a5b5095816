//! Line breaking and fitting: a slot's text, its style and its box in, a
//! [`TextBlock`] out — every line's runs placed, in visual order, at the
//! largest size that fits.
//!
//! Stages (size-independent work first, done once per slot):
//! 1. split into paragraphs at `\n`;
//! 2. resolve bidi levels (hashtags, handles and URLs isolated so they keep
//!    their own order), pick a face per script run, shape the logical runs
//!    to get each cluster's advance;
//! 3. find break opportunities (UAX #14), never inside a protected token.
//!
//! Then, per candidate size, break greedily, re-shape each line exactly as it
//! will be emitted and check width, height and line count.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use unicode_bidi::{Level, ParagraphBidiInfo};
use unicode_linebreak::{linebreaks, BreakOpportunity};
use unicode_script::{Script, UnicodeScript};
use unicode_segmentation::UnicodeSegmentation;

use super::fonts::{FaceId, FontBook};
use super::shape::{shape, Ink};

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
    /// Words that had to be broken inside (last resort).
    pub broken_words: Vec<String>,
    /// Characters no available font can draw.
    pub missing: Vec<char>,
    /// Ink extents of the block relative to the box (left, top, right, bottom), px.
    pub ink: Option<(f32, f32, f32, f32)>,
}

/// A logical run: uniform bidi level and face.
#[derive(Clone, Debug)]
struct Item {
    range: Range<usize>,
    face: FaceId,
    level: u8,
}

/// Text between two break opportunities.
#[derive(Clone, Debug)]
struct Seg {
    start: usize,
    /// End without trailing white space.
    end_trim: usize,
    end: usize,
    /// Written in a script without spaces (may break between clusters).
    complex: bool,
}

struct Para {
    text: String,
    rtl: bool,
    items: Vec<Item>,
    /// Advance (em) credited at each byte that starts a cluster.
    adv: Vec<f32>,
    segs: Vec<Seg>,
}

/// A measured line: its byte range in a paragraph and its exact shape.
#[derive(Clone, Debug)]
struct Measured {
    /// (text, face, advance em, ink) in visual order.
    runs: Vec<(String, FaceId, f32, Option<Ink>)>,
    advance: f32,
    ink: Option<Ink>,
    ascent: f32,
    descent: f32,
}

#[derive(Clone, Debug)]
struct Line {
    para: usize,
    range: Range<usize>,
}

/// The size-independent preparation of a slot's text, reusable across sizes
/// and boxes.
pub struct Prepared<'a> {
    book: &'a FontBook,
    paras: Vec<Para>,
    primary: FaceId,
    /// Exact line measurements, cached by (paragraph, range).
    cache: RefCell<HashMap<(usize, usize, usize), Measured>>,
    missing: Vec<char>,
}

/// Is `c` a character that continues a `#hashtag` or `@handle`: a letter,
/// digit, `_`, a combining mark (Devanagari vowel signs, Arabic harakat) or a
/// joiner?
pub fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_mark(c) || matches!(c, '\u{200C}' | '\u{200D}')
}

/// A combining mark (General_Category M*).
fn is_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

/// Byte ranges of hashtags, handles, URLs and e-mail addresses: never split,
/// and isolated for bidi.
pub fn protected_tokens(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    // Whitespace-delimited words first: URLs and e-mail addresses.
    let mut pos = 0;
    for word in text.split_inclusive(char::is_whitespace) {
        let w = word.trim_end();
        let start = pos;
        pos += word.len();
        let lower = w.to_ascii_lowercase();
        let is_url = lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www.");
        let is_email = {
            let at = w.find('@');
            at.is_some_and(|i| i > 0 && w[i + 1..].contains('.') && !w[..i].contains('#'))
        };
        if is_url || is_email {
            let trimmed = w.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
            if !trimmed.is_empty() {
                out.push(start..start + trimmed.len());
            }
        }
    }
    // Then #tags and @handles.
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < bytes.len() {
        let (b, c) = bytes[i];
        let prev_ok = i == 0 || !is_tag_char(bytes[i - 1].1);
        if (c == '#' || c == '@' || c == '＃') && prev_ok {
            let mut j = i + 1;
            while j < bytes.len() && is_tag_char(bytes[j].1) {
                j += 1;
            }
            if j > i + 1 {
                let end = bytes.get(j).map(|x| x.0).unwrap_or(text.len());
                if !out.iter().any(|r: &Range<usize>| r.start <= b && b < r.end) {
                    out.push(b..end);
                }
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out.sort_by_key(|r| r.start);
    out
}

/// Bidi levels per byte of `text`, with protected tokens isolated (FSI…PDI).
fn bidi_levels(text: &str, tokens: &[Range<usize>], dir: Direction) -> (Vec<u8>, bool) {
    let mut iso = String::with_capacity(text.len() + tokens.len() * 6);
    let mut map = Vec::with_capacity(text.len()); // iso byte of each text byte
    let mut t = tokens.iter().peekable();
    let mut open_end: Option<usize> = None;
    for (b, c) in text.char_indices() {
        if open_end == Some(b) {
            iso.push('\u{2069}');
            open_end = None;
        }
        if let Some(r) = t.peek() {
            if r.start == b {
                iso.push('\u{2068}');
                open_end = Some(r.end);
                t.next();
            }
        }
        let at = iso.len();
        iso.push(c);
        for _ in 0..c.len_utf8() {
            map.push(at);
        }
    }
    if open_end.is_some() {
        iso.push('\u{2069}');
    }
    let level = match dir {
        Direction::Auto => None,
        Direction::Ltr => Some(Level::ltr()),
        Direction::Rtl => Some(Level::rtl()),
    };
    let info = ParagraphBidiInfo::new(&iso, level);
    let levels = map.iter().map(|&i| info.levels[i].number()).collect();
    (levels, info.paragraph_level.is_rtl())
}

/// Script of each char, with Common and Inherited resolved to a neighbour.
fn scripts(text: &str) -> Vec<Script> {
    let chars: Vec<char> = text.chars().collect();
    let mut raw: Vec<Script> = chars.iter().map(|c| c.script()).collect();
    // A '#' or '@' that starts a tag belongs to the tag's script.
    for i in 0..chars.len() {
        if matches!(chars[i], '#' | '@' | '＃') {
            if let Some(next) = raw.get(i + 1).copied() {
                if !matches!(next, Script::Common | Script::Inherited | Script::Unknown) {
                    raw[i] = next;
                }
            }
        }
    }
    let real = |s: Script| !matches!(s, Script::Common | Script::Inherited | Script::Unknown);
    let mut out = raw.clone();
    let mut last: Option<Script> = None;
    for (i, s) in raw.iter().enumerate() {
        if real(*s) {
            last = Some(*s);
        } else if let Some(l) = last {
            out[i] = l;
        }
    }
    // Leading commons take the first real script.
    if let Some(first) = raw.iter().copied().find(|s| real(*s)) {
        for s in out.iter_mut() {
            if real(*s) {
                break;
            }
            *s = first;
        }
    }
    out
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

    fn measure(&self, line: &Line) -> Measured {
        let key = (line.para, line.range.start, line.range.end);
        if let Some(m) = self.cache.borrow().get(&key) {
            return m.clone();
        }
        let para = &self.paras[line.para];
        let r = &line.range;
        // Logical sub-runs within the line.
        let mut subs: Vec<Item> = para
            .items
            .iter()
            .filter_map(|it| {
                let s = it.range.start.max(r.start);
                let e = it.range.end.min(r.end);
                (s < e).then_some(Item {
                    range: s..e,
                    face: it.face,
                    level: it.level,
                })
            })
            .collect();
        reorder(&mut subs);
        let primary = self.book.face(self.primary);
        let mut ascent = primary.ascent;
        let mut descent = primary.descent;
        let mut runs = Vec::with_capacity(subs.len());
        let mut pen = 0.0;
        let mut ink: Option<Ink> = None;
        for sub in subs {
            let slice = &para.text[sub.range.clone()];
            let rtl = sub.level % 2 == 1;
            let text = if rtl {
                format!("\u{200F}{slice}\u{200F}")
            } else {
                slice.to_string()
            };
            let face = self.book.face(sub.face);
            ascent = ascent.max(face.ascent);
            descent = descent.max(face.descent);
            let shaped = shape(face, &text, rtl);
            if let Some(i) = shaped.ink {
                ink = Some(match ink {
                    Some(acc) => acc.union(i, pen),
                    None => Ink {
                        left: i.left + pen,
                        right: i.right + pen,
                        ..i
                    },
                });
            }
            runs.push((text, sub.face, shaped.advance, shaped.ink));
            pen += shaped.advance;
        }
        if let Some(i) = ink {
            ascent = ascent.max(i.top);
            descent = descent.max(i.bottom);
        }
        let m = Measured {
            runs,
            advance: pen,
            ink,
            ascent,
            descent,
        };
        self.cache.borrow_mut().insert(key, m.clone());
        m
    }

    /// Width in em that the line's ink and advance box need.
    fn needed(m: &Measured) -> f32 {
        match m.ink {
            Some(i) => m.advance.max(i.right) - i.left.min(0.0),
            None => m.advance,
        }
    }

    /// Greedy breaking of one paragraph at `width` em.
    fn break_para(
        &self,
        p: usize,
        width: f32,
        emergency: bool,
        broken: &mut Vec<String>,
    ) -> Vec<Line> {
        let para = &self.paras[p];
        if para.segs.is_empty() {
            return vec![Line {
                para: p,
                range: 0..0,
            }];
        }
        let w = |a: usize, b: usize| -> f32 { para.adv[a..b].iter().sum() };
        let mut lines = Vec::new();
        let mut start: Option<usize> = None;
        let mut end_trim = 0;
        let mut cur = 0.0f32; // width up to the end of the last segment, with its trailing space
        for seg in &para.segs {
            let seg_trim = w(seg.start, seg.end_trim);
            let seg_full = w(seg.start, seg.end);
            match start {
                Some(s) if cur + seg_trim <= width => {
                    let _ = s;
                    cur += seg_full;
                    end_trim = seg.end_trim;
                }
                _ => {
                    if let Some(s) = start {
                        lines.push(Line {
                            para: p,
                            range: s..end_trim,
                        });
                    }
                    if seg_trim > width && (emergency || seg.complex) {
                        // Last resort: break the word at grapheme boundaries
                        // (the ordinary way for scripts without spaces).
                        if !seg.complex {
                            broken.push(para.text[seg.start..seg.end_trim].to_string());
                        }
                        let mut piece_start = seg.start;
                        let mut piece_w = 0.0;
                        for (off, g) in para.text[seg.start..seg.end_trim].grapheme_indices(true) {
                            let gs = seg.start + off;
                            let gw = w(gs, gs + g.len());
                            if piece_w + gw > width && gs > piece_start {
                                lines.push(Line {
                                    para: p,
                                    range: piece_start..gs,
                                });
                                piece_start = gs;
                                piece_w = 0.0;
                            }
                            piece_w += gw;
                        }
                        start = Some(piece_start);
                        cur = piece_w + w(seg.end_trim, seg.end);
                    } else {
                        start = Some(seg.start);
                        cur = seg_full;
                    }
                    end_trim = seg.end_trim;
                }
            }
        }
        if let Some(s) = start {
            lines.push(Line {
                para: p,
                range: s..end_trim,
            });
        }
        lines
    }

    /// Lines of all paragraphs at `width` em.
    fn break_all(&self, width: f32, emergency: bool, broken: &mut Vec<String>) -> Vec<Line> {
        (0..self.paras.len())
            .flat_map(|p| self.break_para(p, width, emergency, broken))
            .collect()
    }

    /// Height in em of a block of lines.
    fn height(&self, lines: &[Measured], line_height: f32) -> f32 {
        match (lines.first(), lines.last()) {
            (Some(f), Some(l)) => f.ascent + l.descent + (lines.len() - 1) as f32 * line_height,
            _ => 0.0,
        }
    }

    /// Tries one size: the lines if everything fits.
    fn try_size(
        &self,
        size: f32,
        bw: f32,
        bh: f32,
        style: &TextStyle,
        emergency: bool,
    ) -> Option<(Vec<Line>, Vec<String>)> {
        let width = bw / size;
        let mut broken = Vec::new();
        let lines = self.break_all(width, emergency, &mut broken);
        if style.max_lines.is_some_and(|m| lines.len() > m) {
            return None;
        }
        let measured: Vec<Measured> = lines.iter().map(|l| self.measure(l)).collect();
        if measured.iter().any(|m| Self::needed(m) > width + 1e-4) {
            return None;
        }
        if self.height(&measured, style.line_height) * size > bh + 1e-3 {
            return None;
        }
        Some((lines, broken))
    }

    /// Rebreaks each paragraph at the narrowest width that keeps its line
    /// count, so lines come out even and no word sits alone at the end.
    fn balance(&self, lines: Vec<Line>, width: f32) -> Vec<Line> {
        let mut out = Vec::with_capacity(lines.len());
        for p in 0..self.paras.len() {
            let mine: Vec<Line> = lines.iter().filter(|l| l.para == p).cloned().collect();
            if mine.len() < 2 {
                out.extend(mine);
                continue;
            }
            let n = mine.len();
            let mut scratch = Vec::new();
            let (mut lo, mut hi) = (width * 0.3, width);
            for _ in 0..14 {
                let mid = (lo + hi) / 2.0;
                let l = self.break_para(p, mid, false, &mut scratch);
                if l.len() <= n
                    && l.iter()
                        .all(|x| Self::needed(&self.measure(x)) <= width + 1e-4)
                {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            let candidate = self.break_para(p, hi, false, &mut scratch);
            // Keep the balanced lines only if they are really no wider than
            // the box: a word the first pass had to break (a last resort)
            // is whole again here and may overflow.
            if candidate.len() == n
                && scratch.is_empty()
                && candidate
                    .iter()
                    .all(|x| Self::needed(&self.measure(x)) <= width + 1e-4)
            {
                out.extend(candidate);
            } else {
                out.extend(mine);
            }
        }
        out
    }

    /// Lays the text out in a box of `bw` × `bh` px.
    pub fn layout(&self, bw: f32, bh: f32, style: &TextStyle) -> TextBlock {
        let step = 0.25f32;
        let lo = style.size_min.max(1.0);
        let hi = style.size_max.max(lo);
        let search = |emergency: bool| -> Option<(f32, Vec<Line>, Vec<String>)> {
            if let Some((l, b)) = self.try_size(hi, bw, bh, style, emergency) {
                return Some((hi, l, b));
            }
            let (l0, b0) = self.try_size(lo, bw, bh, style, emergency)?;
            let mut best = (lo, l0, b0);
            // Invariant: best fits; sizes above `top` do not.
            let mut a = 0i64; // steps above lo known to fit
            let mut z = ((hi - lo) / step).floor() as i64; // steps known not to fit (hi failed)
            if lo + z as f32 * step >= hi {
                z = z.max(1);
            }
            while z - a > 1 {
                let m = a + (z - a) / 2; // (a + z) / 2 overflows for huge ranges
                let s = lo + m as f32 * step;
                match self.try_size(s, bw, bh, style, emergency) {
                    Some((l, b)) => {
                        a = m;
                        best = (s, l, b);
                    }
                    None => z = m,
                }
            }
            Some(best)
        };
        let (size, lines, broken, fits) = match search(false).or_else(|| search(true)) {
            Some((s, l, b)) => (s, self.balance(l, bw / s), b, true),
            None => {
                let mut b = Vec::new();
                let l = self.break_all(bw / lo, true, &mut b);
                (lo, l, b, false)
            }
        };
        self.place(size, &lines, bw, bh, style, fits, broken)
    }

    #[allow(clippy::too_many_arguments)]
    fn place(
        &self,
        size: f32,
        lines: &[Line],
        bw: f32,
        bh: f32,
        style: &TextStyle,
        fits: bool,
        broken_words: Vec<String>,
    ) -> TextBlock {
        let measured: Vec<Measured> = lines.iter().map(|l| self.measure(l)).collect();
        let block_h = self.height(&measured, style.line_height) * size;
        let top = match style.valign {
            VAlign::Top => 0.0,
            VAlign::Middle => (bh - block_h) / 2.0,
            VAlign::Bottom => bh - block_h,
        };
        let mut out = Vec::with_capacity(lines.len());
        let mut ink_box: Option<(f32, f32, f32, f32)> = None;
        let mut baseline = top + measured.first().map(|m| m.ascent).unwrap_or(0.0) * size;
        for (line, m) in lines.iter().zip(&measured) {
            let rtl = self.paras[line.para].rtl;
            let adv = m.advance * size;
            let (il, ir) = m
                .ink
                .map(|i| (i.left * size, i.right * size))
                .unwrap_or((0.0, adv));
            let align = match (style.align, rtl) {
                (Align::Center, _) => Align::Center,
                (Align::Start, false) | (Align::End, true) => Align::Start,
                _ => Align::End,
            };
            let mut x0 = match align {
                Align::Start => 0.0,
                Align::Center => (bw - adv) / 2.0,
                Align::End => bw - adv,
            };
            // Keep the ink inside the box when a glyph overhangs its advance.
            if fits {
                x0 = x0.min(bw - ir).max(-il);
            }
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
                runs,
                rtl,
            });
            baseline += style.line_height * size;
        }
        TextBlock {
            font_size: size,
            lines: out,
            fits,
            broken_words,
            missing: self.missing.clone(),
            ink: ink_box,
        }
    }
}

/// Records the characters of `g` that need a glyph and have none.
fn note_missing(g: &str, missing: &mut Vec<char>) {
    for c in g.chars() {
        if !super::fonts::is_invisible(c)
            && !c.is_whitespace()
            && !is_mark(c)
            && !missing.contains(&c)
        {
            missing.push(c);
        }
    }
}

/// True for a grapheme cluster drawn as an emoji: pictographs, flags, keycaps,
/// and text-default symbols followed by VS16.
pub fn is_emoji(g: &str) -> bool {
    let vs16 = g.contains('\u{FE0F}');
    g.contains('\u{20E3}')
        || g.chars().any(|c| {
            matches!(c as u32, 0x1F000..=0x1FAFF)
                || EMOJI_PRESENTATION.contains(&c)
                || (vs16 && matches!(c as u32, 0x2000..=0x33FF | 0xA9 | 0xAE))
        })
}

/// Symbols below U+1F000 that are emoji by default (Emoji_Presentation).
const EMOJI_PRESENTATION: &[char] = &[
    '⌚', '⌛', '⏩', '⏪', '⏫', '⏬', '⏰', '⏳', '◽', '◾', '☔', '☕', '♈', '♉', '♊', '♋',
    '♌', '♍', '♎', '♏', '♐', '♑', '♒', '♓', '♿', '⚓', '⚡', '⚪', '⚫', '⚽', '⚾', '⛄',
    '⛅', '⛎', '⛔', '⛪', '⛲', '⛳', '⛵', '⛺', '⛽', '✅', '✊', '✋', '✨', '❌', '❎', '❓',
    '❔', '❕', '❗', '➕', '➖', '➗', '➰', '➿', '⬛', '⬜', '⭐', '⭕',
];

/// Which CJK face serves Han in this paragraph: kana means Japanese, Hangul
/// Korean; otherwise the language hint, else Simplified Chinese.
fn han_variant(text: &str, lang: Option<&str>) -> super::fonts::Han {
    use super::fonts::Han;
    if text
        .chars()
        .any(|c| matches!(c.script(), Script::Hiragana | Script::Katakana))
    {
        return Han::Japanese;
    }
    if text.chars().any(|c| c.script() == Script::Hangul) {
        return Han::Korean;
    }
    let lang = lang.unwrap_or("").to_ascii_lowercase();
    if lang.starts_with("ja") {
        Han::Japanese
    } else if lang.starts_with("ko") {
        Han::Korean
    } else if lang.starts_with("zh-hant")
        || lang.starts_with("zh-tw")
        || lang.starts_with("zh-hk")
        || lang.starts_with("zh-mo")
    {
        Han::Traditional
    } else {
        Han::Simplified
    }
}

/// Scripts written without spaces between words, which UAX #14 leaves to a
/// dictionary (class SA). postkit has none: an overlong run of them breaks
/// between grapheme clusters, without a warning.
fn is_complex(c: char) -> bool {
    matches!(
        c.script(),
        Script::Thai | Script::Lao | Script::Khmer | Script::Myanmar
    )
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

fn prepare_para(
    book: &FontBook,
    text: String,
    style: &TextStyle,
    primary: FaceId,
    missing: &mut Vec<char>,
) -> Para {
    if text.is_empty() {
        return Para {
            text,
            rtl: false,
            items: Vec::new(),
            adv: vec![0.0],
            segs: Vec::new(),
        };
    }
    let tokens = protected_tokens(&text);
    let (levels, rtl) = bidi_levels(&text, &tokens, style.direction);
    let scripts = scripts(&text);

    // Faces, decided per grapheme cluster so a base and its marks, and an
    // emoji sequence, always share a face. Each script run takes the first face
    // of its chain that covers the whole run; otherwise each cluster takes the
    // first face of the chain that covers it, then any face that does.
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let han = han_variant(&text, style.lang.as_deref());
    let mut faces = vec![primary; chars.len()];
    let clusters: Vec<(usize, &str)> = text.grapheme_indices(true).collect();
    // Char index of each cluster start.
    let char_at = |byte: usize| chars.partition_point(|c| c.0 < byte);
    let mut ci = 0;
    while ci < clusters.len() {
        let (b0, g0) = clusters[ci];
        if is_emoji(g0) {
            let k0 = char_at(b0);
            let k1 = char_at(b0 + g0.len());
            match book
                .emoji_face(g0)
                .or_else(|| book.any_covering(g0, style.weight))
            {
                Some(f) => faces[k0..k1].iter_mut().for_each(|x| *x = f),
                None => note_missing(g0, missing),
            }
            ci += 1;
            continue;
        }
        let sc = scripts[char_at(b0)];
        let mut cj = ci;
        while cj < clusters.len()
            && !is_emoji(clusters[cj].1)
            && scripts[char_at(clusters[cj].0)] == sc
        {
            cj += 1;
        }
        let run_start = b0;
        let run_end = clusters.get(cj).map(|c| c.0).unwrap_or(text.len());
        let (k0, k1) = (char_at(run_start), char_at(run_end));
        let chain = book.chain(&style.family, style.weight, sc, han);
        if let Some(f) = chain
            .iter()
            .copied()
            .find(|&f| book.face(f).covers(&text[run_start..run_end]))
        {
            faces[k0..k1].iter_mut().for_each(|x| *x = f);
        } else {
            for &(b, g) in &clusters[ci..cj] {
                let (g0, g1) = (char_at(b), char_at(b + g.len()));
                // Spaces and punctuation stay in the face before them.
                let neutral = g
                    .chars()
                    .all(|c| matches!(c.script(), Script::Common | Script::Inherited));
                let prev = (neutral && g0 > k0)
                    .then(|| faces[g0 - 1])
                    .filter(|&f| book.face(f).covers(g));
                let f = prev
                    .or_else(|| chain.iter().copied().find(|&f| book.face(f).covers(g)))
                    .or_else(|| book.any_covering(g, style.weight));
                match f {
                    Some(f) => faces[g0..g1].iter_mut().for_each(|x| *x = f),
                    None => {
                        let f = chain.first().copied().unwrap_or(primary);
                        faces[g0..g1].iter_mut().for_each(|x| *x = f);
                        note_missing(g, missing);
                    }
                }
            }
        }
        ci = cj;
    }

    // Items: maximal runs of equal (face, level).
    let mut items: Vec<Item> = Vec::new();
    for (k, &(b, c)) in chars.iter().enumerate() {
        let lv = levels[b];
        match items.last_mut() {
            Some(it) if it.face == faces[k] && it.level == lv => it.range.end = b + c.len_utf8(),
            _ => items.push(Item {
                range: b..b + c.len_utf8(),
                face: faces[k],
                level: lv,
            }),
        }
    }

    // Advances per cluster start byte, shaping each item as it stands.
    let mut adv = vec![0.0f32; text.len() + 1];
    for it in &items {
        let s = shape(
            book.face(it.face),
            &text[it.range.clone()],
            it.level % 2 == 1,
        );
        for (cluster, a) in s.clusters {
            adv[it.range.start + cluster] += a;
        }
        for c in s.missing {
            if !missing.contains(&c) {
                missing.push(c);
            }
        }
    }

    // Break opportunities, none inside a protected token.
    let mut segs = Vec::new();
    let mut start = 0;
    for (pos, kind) in linebreaks(&text) {
        let inside = tokens.iter().any(|t| t.start < pos && pos < t.end);
        if inside && kind == BreakOpportunity::Allowed {
            continue;
        }
        let seg_text = &text[start..pos];
        let end_trim = start + seg_text.trim_end().len();
        segs.push(Seg {
            start,
            end_trim,
            end: pos,
            complex: seg_text.chars().any(is_complex),
        });
        start = pos;
    }
    Para {
        text,
        rtl,
        items,
        adv,
        segs,
    }
}
