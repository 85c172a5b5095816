//! Text: fonts, shaping, line breaking and fitting.
//!
//! SVG cannot wrap text and resvg does no wrapping, so this module is where a
//! slot's story becomes positioned lines: [`clean`] the input, [`Prepared`]
//! it once (bidi, fonts per script, shaping), then [`Prepared::layout`] it
//! into a box at the largest size that fits.

mod breaks;
mod fit;
pub mod fonts;
pub mod layout;
mod linebreak;
pub mod locale;
mod myanmar;
mod prepare;
pub mod quotes;
pub mod shape;

pub use breaks::{opportunities, segmenter};
pub use fonts::{FaceId, FontBook};
pub use layout::{
    Align, Direction, Overflow, PlacedLine, PlacedRun, Prepared, TextBlock, TextStyle, VAlign,
};

use unicode_normalization::UnicodeNormalization;

/// Cleans user text for layout: line endings unified, NFC, control and
/// bidi-override characters removed (they would reorder or hide text), tabs
/// made spaces, runs of spaces folded, each line and the whole trimmed.
pub fn clean(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    // Controls and bidi overrides go first, then NFC: one between a letter
    // and its mark would otherwise keep them from composing.
    let stripped: String = unified
        .chars()
        .filter(|&c| {
            !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
                && (!c.is_control() || c == '\n' || c == '\t')
        })
        .collect();
    let mut out = String::with_capacity(stripped.len());
    for c in stripped.nfc() {
        // Controls and overrides are already gone (NFC makes none).
        match c {
            '\t' => out.push(' '),
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            c => out.push(c),
        }
    }
    let lines: Vec<String> = out
        .split('\n')
        .map(|l| {
            let mut s = String::with_capacity(l.len());
            let mut prev_space = false;
            for c in l.trim().chars() {
                if c == ' ' {
                    if !prev_space {
                        s.push(c);
                    }
                    prev_space = true;
                } else {
                    s.push(c);
                    prev_space = false;
                }
            }
            s
        })
        .collect();
    lines.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_strips_controls_and_overrides() {
        assert_eq!(
            clean("  a\u{0001}b\u{202E}c \t d \r\n\r\ne  "),
            "abc d\n\ne"
        );
    }

    #[test]
    fn clean_composes_nfc() {
        assert_eq!(clean("e\u{0301}"), "\u{e9}");
    }
}
