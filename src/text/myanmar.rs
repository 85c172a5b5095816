//! Where a run of Burmese (or Shan, or any text in the Myanmar script) may
//! break: ICU4C's way, over the Burmese dictionary that ICU4X ships.
//!
//! ICU4X's own dictionary segmenter takes the longest dictionary word at each
//! point, and where none matches it breaks after a single character. In
//! Burmese that splits syllables (`ရည်ရွက်ချ|က်`, a consonant separated
//! from its killer sign), and in Shan, whose words the Burmese dictionary
//! mostly lacks, it allows a break after nearly every character. It also
//! always breaks at the end of the run, even before `၏`, which the rules of
//! UAX #14 keep with the word before it. ICU4C, whose breaks Burmese readers
//! see in browsers and phones, uses the same dictionary differently: it looks
//! three words ahead to choose between candidate words, joins a stretch of
//! unknown text to the word before it and resumes only where a dictionary
//! word starts, never stops before a combining mark, and leaves the ends of
//! the run to the rules. This module follows that algorithm (ICU4C's
//! `BurmeseBreakEngine`), so postkit breaks Burmese and Shan where ICU4C does.

use icu_collections::char16trie::{Char16Trie, TrieResult};
use icu_provider::prelude::*;
use icu_segmenter::provider::{Baked, SegmenterDictionaryExtendedV1};

/// How many words in a row are "good enough" when choosing a candidate.
const LOOKAHEAD: usize = 3;
/// A stretch of unknown text is joined only to a preceding word shorter
/// than this many characters.
const ROOT_COMBINE_THRESHOLD: usize = 3;
/// …and only when it shares fewer than this many characters with the start
/// of a dictionary word.
const PREFIX_COMBINE_THRESHOLD: usize = 3;
/// A run shorter than this (two minimal words) is never broken.
const MIN_WORD_SPAN: usize = 4;
/// Most candidate words kept at one position.
const MAX_CANDIDATES: usize = 20;

/// True for the characters the Myanmar break engine handles: Myanmar script
/// with line break class SA (letters, marks, medials, tones; not digits or
/// punctuation such as `၊ ။ ၏`).
pub(crate) fn is_myanmar_sa(c: char) -> bool {
    use unicode_linebreak::{break_property, BreakClass};
    matches!(c, '\u{1000}'..='\u{109F}' | '\u{A9E0}'..='\u{A9FF}' | '\u{AA60}'..='\u{AA7F}')
        && break_property(c as u32) == BreakClass::ComplexContext
}

/// A character that may begin a word: a basic consonant or an independent
/// vowel (U+1000..U+102A).
fn begins_word(c: char) -> bool {
    ('\u{1000}'..='\u{102A}').contains(&c)
}

/// A character never to break before inside a run: a combining mark of the
/// run (medials, vowel signs, asat, tones) or a space.
fn is_mark(c: char) -> bool {
    c == ' ' || (is_myanmar_sa(c) && super::breaks::is_mark(c))
}

/// The Burmese dictionary of ICU4X's compiled data.
fn dictionary() -> Option<Char16Trie<'static>> {
    static DICT: std::sync::OnceLock<Option<Char16Trie<'static>>> = std::sync::OnceLock::new();
    DICT.get_or_init(|| {
        let mut metadata = DataRequestMetadata::default();
        metadata.silent = true;
        metadata.attributes_prefix_match = true;
        let response: DataResponse<SegmenterDictionaryExtendedV1> = Baked
            .load(DataRequest {
                id: DataIdentifierBorrowed::for_marker_attributes(
                    DataMarkerAttributes::from_str_or_panic("burmesedict"),
                ),
                metadata,
            })
            .ok()?;
        let data = response.payload.get_static()?;
        Some(Char16Trie::new(data.trie_data.clone()))
    })
    .clone()
}

/// The dictionary words starting at one position of a run.
#[derive(Default)]
struct Candidates {
    /// The position they were found at (`usize::MAX`: none yet).
    at: usize,
    /// Their lengths in bytes and in characters, shortest first.
    bytes: Vec<usize>,
    chars: Vec<usize>,
    /// Characters along the longest path into the dictionary, counting the
    /// one that left it.
    prefix: usize,
    /// The candidate being tried and the one preferred.
    current: usize,
    mark: usize,
}

impl Candidates {
    fn new() -> Self {
        Self {
            at: usize::MAX,
            ..Self::default()
        }
    }

    /// Finds the words at `*pos` (once per position), puts `*pos` after the
    /// longest and returns how many there are.
    fn find(&mut self, dict: &Char16Trie, run: &str, pos: &mut usize) -> usize {
        if self.at != *pos {
            self.at = *pos;
            self.bytes.clear();
            self.chars.clear();
            self.prefix = 0;
            let mut it = dict.iter();
            for (i, c) in run[*pos..].char_indices() {
                let r = it.next(c);
                self.prefix += 1;
                if matches!(r, TrieResult::Intermediate(_) | TrieResult::FinalValue(_))
                    && self.bytes.len() < MAX_CANDIDATES
                {
                    self.bytes.push(i + c.len_utf8());
                    self.chars.push(self.prefix);
                }
                if matches!(r, TrieResult::FinalValue(_) | TrieResult::NoMatch) {
                    break;
                }
            }
        }
        if let Some(&last) = self.bytes.last() {
            *pos = self.at + last;
        }
        self.current = self.bytes.len().saturating_sub(1);
        self.mark = self.current;
        self.bytes.len()
    }

    /// Takes the preferred candidate: `*pos` after it; its length in bytes
    /// and in characters.
    fn accept(&self, pos: &mut usize) -> (usize, usize) {
        *pos = self.at + self.bytes[self.mark];
        (self.bytes[self.mark], self.chars[self.mark])
    }

    /// Steps back to the next shorter candidate (`*pos` after it), if any.
    fn back_up(&mut self, pos: &mut usize) -> bool {
        if self.current == 0 {
            return false;
        }
        self.current -= 1;
        *pos = self.at + self.bytes[self.current];
        true
    }
}

/// Byte offsets strictly inside `run` (a maximal run of [`is_myanmar_sa`]
/// characters) where a line may break, ascending. The ends of the run are
/// not included: the rules of UAX #14 decide them.
pub(crate) fn run_breaks(run: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let Some(dict) = dictionary() else {
        return out;
    };
    let end = run.len();
    if run.chars().count() < MIN_WORD_SPAN {
        return out;
    }
    let mut words: [Candidates; LOOKAHEAD] = std::array::from_fn(|_| Candidates::new());
    let mut found = 0usize;
    let mut pos = 0usize;
    while pos < end {
        let current = pos;
        let (mut len, mut chars) = (0usize, 0usize);
        let w = found % LOOKAHEAD;
        let n = words[w].find(&dict, run, &mut pos);
        if n == 1 {
            (len, chars) = words[w].accept(&mut pos);
            found += 1;
        } else if n > 1 {
            // Prefer the candidate followed by two more words, else by one.
            'best: {
                if pos >= end {
                    break 'best;
                }
                loop {
                    let (a, b) = ((found + 1) % LOOKAHEAD, (found + 2) % LOOKAHEAD);
                    if words[a].find(&dict, run, &mut pos) > 0 {
                        words[w].mark = words[w].current;
                        if pos >= end {
                            break 'best;
                        }
                        loop {
                            if words[b].find(&dict, run, &mut pos) > 0 {
                                words[w].mark = words[w].current;
                                break 'best;
                            }
                            if !words[a].back_up(&mut pos) {
                                break;
                            }
                        }
                    }
                    if !words[w].back_up(&mut pos) {
                        break;
                    }
                }
            }
            (len, chars) = words[w].accept(&mut pos);
            found += 1;
        }
        // Unknown text after a short word (or with none): join it to the
        // word, up to where a dictionary word seems to start.
        if pos < end && chars < ROOT_COMBINE_THRESHOLD {
            let w = found % LOOKAHEAD;
            if words[w].find(&dict, run, &mut pos) == 0
                && (len == 0 || words[w].prefix < PREFIX_COMBINE_THRESHOLD)
            {
                let mut skipped = 0usize;
                let mut at = current + len;
                let mut chars_iter = run[at..].chars().peekable();
                while let Some(pc) = chars_iter.next() {
                    skipped += pc.len_utf8();
                    at += pc.len_utf8();
                    let Some(&uc) = chars_iter.peek() else {
                        break;
                    };
                    if is_myanmar_sa(pc) && begins_word(uc) {
                        let mut probe = at;
                        let next = (found + 1) % LOOKAHEAD;
                        if words[next].find(&dict, run, &mut probe) > 0 {
                            break;
                        }
                    }
                }
                pos = current + len + skipped;
                if len == 0 {
                    found += 1;
                }
                len += skipped;
            } else {
                pos = current + len;
            }
        }
        // Never stop before a combining mark.
        while let Some(c) = run[pos..].chars().next().filter(|&c| is_mark(c)) {
            pos += c.len_utf8();
            len += c.len_utf8();
        }
        if len > 0 {
            out.push(current + len);
        } else {
            // Cannot happen (unknown text always takes a character), but a
            // run must never loop.
            pos = current + run[current..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if out.last().is_some_and(|&b| b >= end) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(run: &str) -> Vec<&str> {
        let mut prev = 0;
        let mut parts = Vec::new();
        for b in run_breaks(run).into_iter().chain([run.len()]) {
            parts.push(&run[prev..b]);
            prev = b;
        }
        parts
    }

    #[test]
    fn burmese_words_stay_whole() {
        // ICU4X's own segmenter splits ချက် (ရည်ရွက်ချ|က်).
        assert_eq!(split("ရည်ရွက်ချက်နှင့်"), ["ရည်", "ရွက်", "ချက်", "နှင့်"]);
    }

    #[test]
    fn shan_breaks_only_between_syllables_the_dictionary_can_find() {
        let run = "ႁပ်ႉႁွင်းတူၺ်းထိုင်";
        for b in run_breaks(run) {
            let next = run[b..].chars().next().unwrap();
            assert!(
                !super::super::breaks::is_mark(next),
                "{}|{}",
                &run[..b],
                &run[b..]
            );
        }
    }

    #[test]
    fn short_runs_and_non_myanmar_text_are_left_alone() {
        assert!(run_breaks("ကို").is_empty());
        assert!(is_myanmar_sa('က') && is_myanmar_sa('်') && !is_myanmar_sa('၏'));
        assert!(!is_myanmar_sa('။') && !is_myanmar_sa('၁') && !is_myanmar_sa('ก'));
    }
}
