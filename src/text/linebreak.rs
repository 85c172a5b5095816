//! Line breaking of one paragraph at a width in em: greedy, at the break
//! opportunities, each line checked against its exact shape; then balanced.

use unicode_segmentation::UnicodeSegmentation;

use super::breaks::splits_a_syllable;
use super::layout::{Line, Prepared};

/// Slack for comparing widths in em.
pub(crate) const EPS: f32 = 1e-4;

impl Prepared<'_> {
    /// Greedy breaking of paragraph `p` at `width` em. With `emergency`, a
    /// segment wider than the line is broken between grapheme clusters (and
    /// recorded in `broken`); without, it gets a line of its own.
    ///
    /// Each line takes segments while their advances (as shaped in the
    /// paragraph's runs) fit; with `exact`, its exact shape, as it will be
    /// drawn, is then checked, and segments go back to the next line until
    /// it fits. So a line overflows only when its first segment alone does.
    /// Without `exact` (an estimate) nothing is shaped.
    pub(crate) fn break_para(
        &self,
        p: usize,
        width: f32,
        (emergency, exact): (bool, bool),
        broken: &mut Vec<String>,
    ) -> Vec<Line> {
        let para = &self.paras[p];
        let segs = &para.segs;
        if segs.is_empty() {
            return vec![Line {
                para: p,
                range: 0..0,
            }];
        }
        let mut lines = Vec::new();
        let mut i = 0;
        let mut start = segs[0].start;
        while i < segs.len() {
            if emergency && para.advance(start, segs[i].end_trim) > width {
                broken.push(para.text[segs[i].start..segs[i].end_trim].to_string());
                start = self.split_word(p, start, segs[i].end_trim, width, &mut lines);
            }
            // The first segment always goes on the line.
            let mut j = i + 1;
            while j < segs.len() && para.advance(start, segs[j].end_trim) <= width {
                j += 1;
            }
            while exact && j > i + 1 && !self.fits_exactly(p, start..segs[j - 1].end_trim, width) {
                j -= 1;
            }
            lines.push(Line {
                para: p,
                range: start..segs[j - 1].end_trim,
            });
            i = j;
            start = segs.get(j).map_or(para.text.len(), |s| s.start);
        }
        lines
    }

    /// Breaks the word `start..end` of paragraph `p` between grapheme
    /// clusters into lines of at most `width` em (a last resort), never
    /// inside a syllable (a Burmese consonant keeps its asat), and returns
    /// where its last piece starts: that piece begins the next line.
    fn split_word(
        &self,
        p: usize,
        start: usize,
        end: usize,
        width: f32,
        lines: &mut Vec<Line>,
    ) -> usize {
        let para = &self.paras[p];
        let mut piece = start;
        // The last place after `piece` where the word may be cut.
        let mut last_ok = None;
        for (off, g) in para.text[start..end].grapheme_indices(true) {
            let gs = start + off;
            let ok = !splits_a_syllable(&para.text, gs);
            if gs > piece && para.advance(piece, gs + g.len()) > width {
                if let Some(cut) = if ok { Some(gs) } else { last_ok } {
                    lines.push(Line {
                        para: p,
                        range: piece..cut,
                    });
                    piece = cut;
                    last_ok = None;
                }
            }
            if gs > piece && ok {
                last_ok = Some(gs);
            }
        }
        piece
    }

    /// True when the line `range` of paragraph `p`, shaped as drawn, is no
    /// wider than `width` em.
    fn fits_exactly(&self, p: usize, range: std::ops::Range<usize>, width: f32) -> bool {
        self.measure(&Line { para: p, range }).needed() <= width + EPS
    }

    /// Lines of all paragraphs at `width` em (see [`Self::break_para`]).
    pub(crate) fn break_all(
        &self,
        width: f32,
        mode: (bool, bool),
        broken: &mut Vec<String>,
    ) -> Vec<Line> {
        (0..self.paras.len())
            .flat_map(|p| self.break_para(p, width, mode, broken))
            .collect()
    }

    /// Rebreaks each paragraph at the narrowest width that keeps its line
    /// count, so lines come out even and no word sits alone at the end.
    pub(crate) fn balance(&self, lines: Vec<Line>, width: f32) -> Vec<Line> {
        let mut out = Vec::with_capacity(lines.len());
        for p in 0..self.paras.len() {
            let mine: Vec<Line> = lines.iter().filter(|l| l.para == p).cloned().collect();
            if mine.len() < 2 {
                out.extend(mine);
                continue;
            }
            match self.balanced(p, mine.len(), width) {
                Some(candidate) => out.extend(candidate),
                None => out.extend(mine),
            }
        }
        out
    }

    /// Paragraph `p` in `n` lines at the narrowest width that keeps them
    /// all inside `width` em, or `None` when that needs a word broken.
    ///
    /// The narrowest width is searched first on the advances alone, and
    /// only the lines found are shaped; where shaping changes the widths
    /// too much for that (Nastaliq), the search is redone on exact shapes.
    fn balanced(&self, p: usize, n: usize, width: f32) -> Option<Vec<Line>> {
        let para = &self.paras[p];
        let estimate = |l: &[Line]| {
            l.iter()
                .all(|x| para.advance(x.range.start, x.range.end) <= width)
        };
        let exact = |l: &[Line]| l.iter().all(|x| self.measure(x).needed() <= width + EPS);
        let fitting = |l: Vec<Line>| (l.len() == n && exact(&l)).then_some(l);
        let hi = self.narrowest(p, n, width, false, estimate);
        fitting(self.break_para(p, hi, (false, true), &mut Vec::new())).or_else(|| {
            let hi = self.narrowest(p, n, width, true, exact);
            // Keep the balanced lines only if they are really no wider than
            // the box: a word the first pass had to break (a last resort) is
            // whole again here (no emergency) and may overflow.
            fitting(self.break_para(p, hi, (false, true), &mut Vec::new()))
        })
    }

    /// The narrowest width (bisected between 30 % and all of `width` em)
    /// at which paragraph `p` breaks in at most `n` lines that pass `fits`,
    /// broken with (`exact`) or without checking their shapes.
    fn narrowest(
        &self,
        p: usize,
        n: usize,
        width: f32,
        exact: bool,
        fits: impl Fn(&[Line]) -> bool,
    ) -> f32 {
        let mut scratch = Vec::new();
        let (mut lo, mut hi) = (width * 0.3, width);
        for _ in 0..14 {
            let mid = (lo + hi) / 2.0;
            let l = self.break_para(p, mid, (false, exact), &mut scratch);
            if l.len() <= n && fits(&l) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }
}
