//! How long a text takes to read on screen: words a minute for scripts
//! that space their words, characters a second for those that do not.

use unicode_segmentation::UnicodeSegmentation;

/// Words a minute for text on screen (subtitle guidance for adults is
/// 160–200; a story read once, while it appears, sits at the lower end).
pub const WORDS_PER_MINUTE: f32 = 170.0;

/// Characters a second for Chinese and Japanese (subtitle guidance: 4 for
/// Japanese, 9 for Chinese; a story is read more slowly than a subtitle).
pub const HAN_PER_SECOND: f32 = 6.0;

/// Characters a second for Thai, Lao, Khmer and Burmese, which do not
/// space their words (a word is about five characters).
pub const UNSPACED_PER_SECOND: f32 = 14.0;

/// Shortest time given to any line, seconds.
pub const MIN_LINE_SECONDS: f32 = 0.4;

fn han_like(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // kana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified
        | 0xF900..=0xFAFF
        | 0x20000..=0x3134F)
}

fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF      // Thai, Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
        | 0xAA60..=0xAA7F)
}

/// Seconds to read `text`.
pub fn seconds(text: &str) -> f32 {
    let (mut han, mut uns) = (0usize, 0usize);
    for c in text.chars() {
        if han_like(c) {
            han += 1;
        } else if unspaced(c) {
            uns += 1;
        }
    }
    // Words of the spaced scripts (a run of Han or Thai counts as its
    // characters instead).
    let words = text
        .unicode_words()
        .filter(|w| !w.chars().any(|c| han_like(c) || unspaced(c)))
        .count();
    let t = words as f32 * 60.0 / WORDS_PER_MINUTE
        + han as f32 / HAN_PER_SECOND
        + uns as f32 / UNSPACED_PER_SECOND;
    t.max(MIN_LINE_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_time_follows_the_script() {
        // 17 words at 170 a minute: 6 s.
        let en = "When we arrived in Plymouth the first people to welcome us were the neighbours who cooked for us";
        assert!(
            (seconds(en) - 18.0 * 60.0 / 170.0).abs() < 0.01,
            "{}",
            seconds(en)
        );
        // Arabic words are words.
        let ar = "عندما وصلنا إلى المدينة";
        assert!((seconds(ar) - 4.0 * 60.0 / 170.0).abs() < 0.01);
        // Twelve Chinese characters: two seconds.
        assert!((seconds("我们一起做饭我们一起做饭") - 2.0).abs() < 0.01);
        // Thai by characters.
        let th = "เราทำอาหารด้วยกัน";
        let n = th.chars().count() as f32;
        assert!((seconds(th) - n / UNSPACED_PER_SECOND).abs() < 0.01);
        assert_eq!(seconds(""), MIN_LINE_SECONDS);
    }
}
