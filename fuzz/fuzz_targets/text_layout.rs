//! Text layout with hostile text, boxes and styles.
//!
//! Input: a 14-byte header, then the text (lossy UTF-8).
//!
//! | byte  | meaning                                                        |
//! |-------|----------------------------------------------------------------|
//! | 0     | bits 0-1 align, 2-3 valign, 4-5 direction, 6 clean, 7 bold     |
//! | 1     | max lines (0 = no limit)                                       |
//! | 2     | bits 0-2 family, bits 3-5 language hint                        |
//! | 3     | bit 0: extreme range (below)                                   |
//! | 4-5   | box width   } each a big-endian u16 `v` mapped log-uniformly   |
//! | 6-7   | box height  } to 2^(v/65535*40-10), about 1e-3 to 1e9, or in   |
//! | 8-9   | size min    } the extreme range to 2^(v/65535*166-40), about   |
//! | 10-11 | size max    } 1e-12 to 1e38: always finite and positive, as    |
//! | 12-13 | line height } any number a template's data-* options can give  |
//!
//! Checked, beyond "no panic":
//! * no character is lost or invented: the lines hold the text's
//!   non-white-space characters, as a multiset (direction marks aside);
//! * when the block fits: its size is within [min, max] (as clamped by the
//!   layout: min at least 1 px), it has at most `max_lines` lines, each
//!   line's advance fits the box width, the ink stays inside the box's width,
//!   and inside its height when there is one line.

#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use postkit::text::{self, Align, Direction, FontBook, Prepared, TextStyle, VAlign};
use postkit::Engine;

fn book() -> &'static FontBook {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(&[] as &[&str]).unwrap())
        .fonts()
}

/// Log-uniform: 2^(v*40-10) (about 1e-3 ..= 1e9), or 2^(v*166-40) (about
/// 1e-12 ..= 9e37) in the extreme range; finite and positive either way.
fn magnitude(extreme: bool, hi: u8, lo: u8) -> f32 {
    let v = u16::from_be_bytes([hi, lo]) as f32 / 65535.0;
    if extreme {
        (v * 166.0 - 40.0).exp2()
    } else {
        (v * 40.0 - 10.0).exp2()
    }
}

const FAMILIES: [&str; 8] = [
    "Noto Sans",
    "Noto Sans Arabic",
    "Noto Sans CJK JP",
    "Noto Color Emoji",
    "Noto Sans Thai",
    "No Such Family",
    "",
    "noto sans hebrew",
];
const LANGS: [Option<&str>; 8] = [
    None,
    Some("ja"),
    Some("ko"),
    Some("zh-Hant"),
    Some("zh-HK"),
    Some(""),
    Some("ar"),
    Some("x-\u{0301}"),
];

fn chars_of(s: &str) -> HashMap<char, usize> {
    let mut m = HashMap::new();
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '\u{200F}') {
        *m.entry(c).or_insert(0) += 1;
    }
    m
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 14 {
        return;
    }
    let (h, rest) = data.split_at(14);
    let raw = String::from_utf8_lossy(rest);
    let input = if h[0] & 0x40 != 0 {
        text::clean(&raw)
    } else {
        raw.to_string()
    };
    // fill refuses more than MAX_TEXT_CHARS.
    if input.chars().count() > postkit::fill::MAX_TEXT_CHARS {
        return;
    }
    let x = h[3] & 1 != 0;
    let size_min = magnitude(x, h[8], h[9]);
    let size_max = magnitude(x, h[10], h[11]);
    let style = TextStyle {
        family: FAMILIES[(h[2] & 7) as usize].to_string(),
        weight: if h[0] & 0x80 != 0 { 700 } else { 400 },
        // fill clamps min to max.
        size_min: size_min.min(size_max),
        size_max,
        line_height: magnitude(x, h[12], h[13]),
        align: [Align::Start, Align::Center, Align::End, Align::Start][(h[0] & 3) as usize],
        valign: [VAlign::Top, VAlign::Middle, VAlign::Bottom, VAlign::Top]
            [((h[0] >> 2) & 3) as usize],
        max_lines: (h[1] != 0).then_some(h[1] as usize),
        direction: [
            Direction::Auto,
            Direction::Ltr,
            Direction::Rtl,
            Direction::Auto,
        ][((h[0] >> 4) & 3) as usize],
        lang: LANGS[((h[2] >> 3) & 7) as usize].map(str::to_string),
    };
    let (bw, bh) = (magnitude(x, h[4], h[5]), magnitude(x, h[6], h[7]));

    let prepared = Prepared::new(book(), &input, &style);
    let block = prepared.layout(bw, bh, &style);

    // Nothing lost, nothing invented.
    let placed: String = block
        .lines
        .iter()
        .flat_map(|l| l.runs.iter().map(|r| r.text.as_str()))
        .collect();
    assert_eq!(
        chars_of(&placed),
        chars_of(&input),
        "the lines do not hold the text's characters: {placed:?}"
    );

    assert!(block.font_size.is_finite() && block.font_size > 0.0);
    if block.fits {
        let lo = style.size_min.max(1.0);
        let hi = style.size_max.max(lo);
        assert!(
            (lo..=hi).contains(&block.font_size),
            "size {} outside [{lo}, {hi}]",
            block.font_size
        );
        if let Some(m) = style.max_lines {
            assert!(
                block.lines.len() <= m,
                "{} lines > max {m}",
                block.lines.len()
            );
        }
        // Tolerances relative to the magnitudes involved (f32 sums).
        let tol = |scale: f32| 1e-3 * scale.max(1.0) + 1e-3 * block.font_size;
        for (i, line) in block.lines.iter().enumerate() {
            let adv: f32 = line.runs.iter().map(|r| r.width).sum();
            assert!(
                adv <= bw + tol(bw),
                "line {i} advance {adv} > box width {bw} at size {}",
                block.font_size
            );
        }
        if let Some((l, t, r, b)) = block.ink {
            assert!(
                l >= -tol(bw) && r <= bw + tol(bw),
                "ink {:?} outside the {bw} px width of the box at size {}",
                (l, t, r, b),
                block.font_size
            );
            // The height check counts the first line's ascent and the last
            // line's descent only: ink of other lines (tall marks, emoji with
            // a small line height) may leave the box, and the renderer's
            // overflow check reports it. So the vertical promise holds for
            // one line.
            if block.lines.len() == 1 {
                assert!(
                    t >= -tol(bh) && b <= bh + tol(bh),
                    "ink {:?} outside the {bh} px height of the box at size {}",
                    (l, t, r, b),
                    block.font_size
                );
            }
        }
    }
});
