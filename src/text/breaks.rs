//! Where a line may end: the Unicode line breaking algorithm (UAX #14) as
//! ICU4X implements it, with its dictionaries for Thai, Lao, Khmer and
//! Burmese (written without spaces between words), and never inside a
//! protected token — a hashtag, handle, URL or e-mail address.
//!
//! The segmenter runs with the strict rules, the default of UAX #14: in
//! Chinese and Japanese a line never starts with a closing bracket, a full
//! stop, a comma, an iteration mark or a small kana, and never ends with an
//! opening bracket.

use std::ops::Range;

use icu_segmenter::options::LineBreakOptions;
use icu_segmenter::{LineSegmenter, LineSegmenterBorrowed};
use unicode_linebreak::{break_property, BreakClass};

use super::myanmar::{is_myanmar_sa, run_breaks};

/// The line segmenter postkit breaks with (strict rules, dictionaries for
/// the scripts without spaces). Tests use it to check every break.
pub fn segmenter() -> LineSegmenterBorrowed<'static> {
    LineSegmenter::new_dictionary(LineBreakOptions::default())
}

/// Byte offsets after which a line may end, ascending, ending with
/// `text.len()`; none inside a protected token (`tokens`, sorted), and none
/// inside a syllable (see [`splits_a_syllable`]).
///
/// Runs of the Myanmar script (Burmese, Shan) are broken by
/// [`super::myanmar`] the way ICU4C breaks them, and their ends by the rules
/// with their letters taken as letters and their signs as combining marks
/// (UAX #14's LB1 for class SA): ICU4X's own dictionary segmenter splits
/// Burmese syllables and breaks Shan after almost every character.
pub fn opportunities(text: &str, tokens: &[Range<usize>]) -> Vec<usize> {
    let runs = myanmar_runs(text);
    let found: Vec<usize> = if runs.is_empty() {
        segmenter().segment_str(text).collect()
    } else {
        let inside = |pos: usize| runs.iter().any(|r| r.start < pos && pos < r.end);
        let mut all: Vec<usize> = segmenter()
            .segment_str(&myanmar_as_letters(text))
            .filter(|&pos| !inside(pos))
            .collect();
        for r in &runs {
            all.extend(
                run_breaks(&text[r.clone()])
                    .into_iter()
                    .map(|b| r.start + b),
            );
        }
        all.sort_unstable();
        all
    };
    found
        .into_iter()
        .filter(|&pos| pos > 0)
        .filter(|&pos| !tokens.iter().any(|t| t.start < pos && pos < t.end))
        .filter(|&pos| !forbidden_by_class(text, pos))
        .filter(|&pos| !splits_a_syllable(text, pos))
        .collect()
}

/// The maximal runs of Myanmar-script characters of line break class SA.
fn myanmar_runs(text: &str) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    for (i, c) in text.char_indices() {
        if is_myanmar_sa(c) {
            match runs.last_mut() {
                Some(r) if r.end == i => r.end = i + c.len_utf8(),
                _ => runs.push(i..i + c.len_utf8()),
            }
        }
    }
    runs
}

/// `text` with each Myanmar letter of class SA replaced by a letter of class
/// AL and each Myanmar sign by a combining mark (class CM), of the same
/// length in bytes: what UAX #14 (LB1) resolves them to when no dictionary
/// is used, so the rules decide the ends of each run.
fn myanmar_as_letters(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if is_myanmar_sa(c) && is_mark(c) => '\u{20D0}',
            c if is_myanmar_sa(c) => '\u{0800}',
            c => c,
        })
        .collect()
}

/// True when a break at `pos` would cut a syllable, whatever a segmenter
/// says: before a combining mark (a vowel sign, a medial, a tone, an asat),
/// after a Myanmar stacking sign (virama, U+1039), or before a Myanmar
/// consonant that carries an asat (U+103A, after a dot below if any): the
/// asat kills the consonant's vowel, closing the syllable before it
/// (`ချ|က်` is a broken letter to a Burmese reader).
pub(crate) fn splits_a_syllable(text: &str, pos: usize) -> bool {
    let (Some(prev), Some(next)) = (text[..pos].chars().next_back(), text[pos..].chars().next())
    else {
        return false;
    };
    if is_mark(next) || prev == '\u{1039}' {
        return true;
    }
    is_myanmar_sa(next)
        && text[pos + next.len_utf8()..]
            .chars()
            .find(|&c| c != '\u{1037}')
            .is_some_and(|c| c == '\u{103A}')
}

/// True when the characters around `pos` forbid a break there by the rules
/// of UAX #14 that hold whatever the script: no break before a space, a
/// closing mark, a full stop or a non-starter, nor after an opening mark or
/// glue. ICU4X's segmenter keeps them except at the edges of a run of Thai,
/// Lao, Khmer or Burmese, where its dictionary breaks before a space or
/// before `။` (the Burmese full stop, which would start the next line).
fn forbidden_by_class(text: &str, pos: usize) -> bool {
    let (Some(prev), Some(next)) = (text[..pos].chars().next_back(), text[pos..].chars().next())
    else {
        return false;
    };
    use BreakClass as C;
    matches!(
        break_property(next as u32),
        C::Space
            | C::ZeroWidthSpace
            | C::WordJoiner
            | C::ZeroWidthJoiner
            | C::CombiningMark
            | C::ClosePunctuation
            | C::CloseParenthesis
            | C::Exclamation
            | C::InfixSeparator
            | C::Symbol
            | C::After
            | C::Hyphen
            | C::NonStarter
            | C::ConditionalJapaneseStarter
    ) || matches!(
        break_property(prev as u32),
        C::OpenPunctuation | C::Before | C::NonBreakingGlue | C::WordJoiner | C::ZeroWidthJoiner
    )
}

/// Is `c` a character that continues a `#hashtag` or `@handle`: a letter,
/// digit, `_`, a combining mark (Devanagari vowel signs, Arabic harakat) or a
/// joiner?
pub fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_mark(c) || matches!(c, '\u{200C}' | '\u{200D}')
}

/// A combining mark (General_Category M*).
pub(crate) fn is_mark(c: char) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_of_the_text_is_always_an_opportunity() {
        for text in ["a", "hello world", "สวัสดีครับ", "#ItTakesACommunity"] {
            assert_eq!(
                opportunities(text, &protected_tokens(text)).last(),
                Some(&text.len())
            );
        }
    }

    #[test]
    fn burmese_never_breaks_before_its_full_stop_or_a_space() {
        let text = "ကူညီပေးခဲ့ကြတယ်။ အခု စနေ";
        let ops = opportunities(text, &[]);
        let stop = text.find('။').unwrap();
        assert!(!ops.contains(&stop), "{ops:?}");
        for (i, c) in text.char_indices() {
            if c == ' ' {
                assert!(!ops.contains(&i), "break before the space at {i}");
            }
        }
        assert!(ops.len() > 4, "{ops:?}");
    }

    #[test]
    fn no_opportunity_inside_a_url() {
        let text = "see https://example.org/a-b/c-d now";
        let tokens = protected_tokens(text);
        let url = tokens[0].clone();
        assert_eq!(&text[url.clone()], "https://example.org/a-b/c-d");
        assert!(opportunities(text, &tokens)
            .iter()
            .all(|&p| p <= url.start || p >= url.end));
    }
}
