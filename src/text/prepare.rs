//! The size-independent preparation of one paragraph: bidi levels, a face
//! per grapheme cluster (per script run where one face covers the run),
//! logical runs of one face and one level, each cluster's advance, and the
//! segments between break opportunities.

use std::ops::Range;

use unicode_bidi::{Level, ParagraphBidiInfo};
use unicode_script::{Script, UnicodeScript};
use unicode_segmentation::UnicodeSegmentation;

use super::breaks::{is_mark, opportunities, protected_tokens};
use super::fonts::{Arabic, FaceId, FontBook, Han, Styles};
use super::layout::{Direction, TextStyle};
use super::shape::shape;

/// A logical run: uniform bidi level and face.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub(crate) range: Range<usize>,
    pub(crate) face: FaceId,
    pub(crate) level: u8,
}

/// Text between two break opportunities.
#[derive(Clone, Debug)]
pub(crate) struct Seg {
    pub(crate) start: usize,
    /// End without trailing white space.
    pub(crate) end_trim: usize,
}

/// One prepared paragraph.
pub(crate) struct Para {
    pub(crate) text: String,
    pub(crate) rtl: bool,
    pub(crate) items: Vec<Item>,
    /// Advance (em) of the text before each byte: `prefix[b] - prefix[a]` is
    /// the advance of `a..b` as shaped in its runs.
    pub(crate) prefix: Vec<f32>,
    pub(crate) segs: Vec<Seg>,
}

impl Para {
    /// Advance in em of `a..b`, as shaped in the paragraph's runs.
    pub(crate) fn advance(&self, a: usize, b: usize) -> f32 {
        self.prefix[b] - self.prefix[a]
    }
}

/// Prepares one paragraph (already trimmed; may be empty).
pub(crate) fn prepare_para(
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
            prefix: vec![0.0],
            segs: Vec::new(),
        };
    }
    let tokens = protected_tokens(&text);
    let (levels, rtl) = bidi_levels(&text, &tokens, style.direction);
    let faces = FacePicker {
        book,
        text: &text,
        style,
        styles: styles_for(&text, style.lang.as_deref()),
        primary,
    }
    .pick(missing);
    let items = items(&text, &faces, &levels);
    let prefix = advances(book, &text, &items, missing);
    let segs = segments(&text, &tokens);
    Para {
        text,
        rtl,
        items,
        prefix,
        segs,
    }
}

/// Picks a face for every char of a paragraph, deciding per grapheme
/// cluster so a base and its marks, and an emoji sequence, always share a
/// face. Each script run takes the first face of its chain that covers the
/// whole run; otherwise each cluster takes the first face of the chain that
/// covers it, then any face that does.
struct FacePicker<'a> {
    book: &'a FontBook,
    text: &'a str,
    style: &'a TextStyle,
    styles: Styles,
    primary: FaceId,
}

impl FacePicker<'_> {
    /// The face of each char of the text.
    fn pick(&self, missing: &mut Vec<char>) -> Vec<FaceId> {
        let text = self.text;
        let chars: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        let char_at = |byte: usize| chars.partition_point(|&c| c < byte);
        let scripts = scripts(text);
        let clusters: Vec<(usize, &str)> = text.grapheme_indices(true).collect();
        let mut faces = vec![self.primary; chars.len()];
        let mut ci = 0;
        while ci < clusters.len() {
            let (b0, g0) = clusters[ci];
            if is_emoji(g0) {
                let chars = char_at(b0)..char_at(b0 + g0.len());
                match self.emoji_face(g0) {
                    Some(f) => faces[chars].fill(f),
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
            let end = clusters.get(cj).map(|c| c.0).unwrap_or(text.len());
            let chain = self
                .book
                .chain(&self.style.family, self.style.weight, sc, self.styles);
            let run = char_at(b0)..char_at(end);
            match chain
                .iter()
                .copied()
                .find(|&f| self.book.face(f).covers(&text[b0..end]))
            {
                Some(f) => faces[run].fill(f),
                None => {
                    for &(b, g) in &clusters[ci..cj] {
                        let at = char_at(b)..char_at(b + g.len());
                        let f = self.cluster_face(g, &chain, &faces, at.start, run.start);
                        let f = f.unwrap_or_else(|| {
                            note_missing(g, missing);
                            chain.first().copied().unwrap_or(self.primary)
                        });
                        faces[at].fill(f);
                    }
                }
            }
            ci = cj;
        }
        faces
    }

    /// The face for an emoji cluster.
    fn emoji_face(&self, g: &str) -> Option<FaceId> {
        self.book
            .emoji_face(g)
            .or_else(|| self.book.any_covering(g, self.style.weight))
    }

    /// The face for one cluster of a run no face of the chain covers whole:
    /// spaces and punctuation stay in the face before them, else the first
    /// face of the chain that covers it, else any face that does.
    fn cluster_face(
        &self,
        g: &str,
        chain: &[FaceId],
        faces: &[FaceId],
        at: usize,
        run_start: usize,
    ) -> Option<FaceId> {
        let book = self.book;
        let neutral = g
            .chars()
            .all(|c| matches!(c.script(), Script::Common | Script::Inherited));
        (neutral && at > run_start)
            .then(|| faces[at - 1])
            .filter(|&f| book.face(f).covers(g))
            .or_else(|| chain.iter().copied().find(|&f| book.face(f).covers(g)))
            .or_else(|| book.any_covering(g, self.style.weight))
    }
}

/// Items: maximal runs of chars of equal face and bidi level.
fn items(text: &str, faces: &[FaceId], levels: &[u8]) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    for (k, (b, c)) in text.char_indices().enumerate() {
        let lv = levels[b];
        let end = b + c.len_utf8();
        match items.last_mut() {
            Some(it) if it.face == faces[k] && it.level == lv => it.range.end = end,
            _ => items.push(Item {
                range: b..end,
                face: faces[k],
                level: lv,
            }),
        }
    }
    items
}

/// Shapes each item as it stands and sums the advances of its clusters: the
/// advance before each byte of the text.
fn advances(book: &FontBook, text: &str, items: &[Item], missing: &mut Vec<char>) -> Vec<f32> {
    let mut adv = vec![0.0f32; text.len() + 1];
    for it in items {
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
    let mut sum = 0.0;
    let mut prefix = Vec::with_capacity(adv.len());
    for a in adv {
        prefix.push(sum);
        sum += a;
    }
    prefix
}

/// The text between break opportunities, none inside a protected token.
fn segments(text: &str, tokens: &[Range<usize>]) -> Vec<Seg> {
    let mut segs = Vec::new();
    let mut start = 0;
    for pos in opportunities(text, tokens) {
        segs.push(Seg {
            start,
            end_trim: start + text[start..pos].trim_end().len(),
        });
        start = pos;
    }
    segs
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
fn han_variant(text: &str, lang: Option<&str>) -> Han {
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

/// Letters of the Arabic script that Urdu uses and Arabic, Persian, Pashto
/// and Kurdish do not: noon ghunna, yeh barree, tteh, ddal, rreh.
const URDU_LETTERS: &[char] = &['\u{06BA}', '\u{06D2}', '\u{0679}', '\u{0688}', '\u{0691}'];

/// True when `lang` names Urdu (`ur`, `ur-PK`, `urd`).
fn is_urdu_tag(lang: &str) -> bool {
    let primary = lang.split(['-', '_']).next().unwrap_or("");
    primary.eq_ignore_ascii_case("ur") || primary.eq_ignore_ascii_case("urd")
}

/// Which Arabic-script style a paragraph is set in: Nastaliq for Urdu (by
/// the language hint, or with none, by letters only Urdu uses), else Naskh.
fn arabic_style(text: &str, lang: Option<&str>) -> Arabic {
    let urdu = match lang.map(str::trim).filter(|l| !l.is_empty()) {
        Some(lang) => is_urdu_tag(lang),
        None => text.chars().any(|c| URDU_LETTERS.contains(&c)),
    };
    if urdu {
        Arabic::Nastaliq
    } else {
        Arabic::Naskh
    }
}

/// What the paragraph's text and language hint decide about its faces.
fn styles_for(text: &str, lang: Option<&str>) -> Styles {
    Styles {
        han: han_variant(text, lang),
        arabic: arabic_style(text, lang),
    }
}
