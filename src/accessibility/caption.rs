//! Words that go with an image: alt text and a ready-to-paste caption per
//! platform, within each platform's limits; and the hashtag lint.

use unicode_segmentation::UnicodeSegmentation;

use crate::fill::{substitute_fields, Content};
use crate::inputs::platform::Platform;
use crate::template::TemplateSet;

/// The alt-text pattern for templates that give none.
pub const DEFAULT_ALT: &str = "{{campaign.name}} graphic from {{org}}: \"{{story}}\" {{hashtags}}";

/// Length in user-perceived characters (grapheme clusters).
pub fn graphemes(s: &str) -> usize {
    s.graphemes(true).count()
}

/// Shortens `s` to at most `limit` graphemes, cutting at a sentence end if
/// one falls in the last third, else at a word boundary, and adding "…".
pub fn shorten(s: &str, limit: usize) -> String {
    let s = s.trim();
    if graphemes(s) <= limit {
        return s.to_string();
    }
    if limit <= 1 {
        return "…".chars().take(limit).collect();
    }
    // The longest prefix of limit-1 graphemes, then back to a boundary.
    let cut: usize = s
        .grapheme_indices(true)
        .nth(limit - 1)
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let head = &s[..cut];
    let min_keep = head.len() * 2 / 3;
    let sentence = head
        .char_indices()
        .filter(|(i, c)| *i >= min_keep && matches!(c, '.' | '!' | '?' | '。' | '۔' | '።' | '؟'))
        .map(|(i, c)| i + c.len_utf8())
        .next_back();
    if let Some(end) = sentence {
        return head[..end].trim_end().to_string();
    }
    let word = head
        .char_indices()
        .filter(|(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .next_back()
        .filter(|&i| i > 0);
    let at_boundary = s[cut..].starts_with(char::is_whitespace);
    let body = match word {
        _ if at_boundary => head.trim_end(),
        Some(i) => head[..i].trim_end(),
        None => head.trim_end(),
    };
    let body = body.trim_end_matches([',', ';', ':', '-', '–', '—']);
    format!("{body}…")
}

/// The alt text of a clip: says it is a video and how long, then what the
/// card shows, within the platform's limit.
pub fn clip_alt_text(
    set: &TemplateSet,
    content: &Content,
    platform: &Platform,
    seconds: f32,
) -> String {
    let head = video_head(&pattern_language(set, content), seconds);
    let mut room = platform.clone();
    room.alt_chars = Some(
        (platform.alt_chars.unwrap_or(1000) as usize)
            .saturating_sub(graphemes(&head))
            .max(1) as u32,
    );
    format!("{head}{}", alt_text(set, content, &room))
}

/// Alt text for an asset: the template's pattern filled with the content,
/// within the platform's alt-text limit (the longest field, usually the
/// story, is shortened first so the sentence around it survives), never empty.
pub fn alt_text(set: &TemplateSet, content: &Content, platform: &Platform) -> String {
    // The pattern in the language of the card's own words, where the set
    // has it (the story inside it stays as written).
    let given = card_lang(content)
        .and_then(|l| TemplateSet::in_language(&set.alt_by_lang, l))
        .or(set.alt.as_deref())
        .unwrap_or(DEFAULT_ALT);
    let pattern = &with_translation(given, set, content, &pattern_language(set, content));
    let limit = platform.alt_chars.unwrap_or(1000) as usize;
    let mut fields = content.fields.clone();
    for v in fields.values_mut() {
        *v = v.replace('\n', " ");
    }
    // A pattern that sets a space before its colon (French) keeps it.
    let spaced_colon = pattern.contains(" :");
    let tidy = |s: String| {
        let s = tidy_punctuation(&s)
            .replace("\"\"", "")
            .replace("«»", "")
            .replace("« »", "");
        let s = if spaced_colon {
            s
        } else {
            s.replace(" :", ":")
        };
        s.trim().trim_end_matches(':').trim().to_string()
    };
    // Names used by the pattern, longest value first.
    let mut used: Vec<String> = pattern
        .split("{{")
        .skip(1)
        .filter_map(|p| p.split("}}").next())
        .map(|n| n.trim().to_string())
        .collect();
    if used
        .iter()
        .all(|n| fields.get(n).is_none_or(|v| v.trim().is_empty()))
    {
        let name = fields
            .get("campaign.name")
            .filter(|n| !n.is_empty())
            .cloned()
            .unwrap_or_else(|| "Campaign".into());
        return shorten(&format!("{name} graphic"), limit);
    }
    used.sort_by_key(|n| std::cmp::Reverse(fields.get(n).map(|v| graphemes(v)).unwrap_or(0)));
    if used.iter().any(|n| n == "translation") && fields.contains_key("story") {
        // Both texts are shortened, each keeping a fair share of the room.
        let full = tidy(substitute_fields(pattern, &fields));
        let over = graphemes(&full).saturating_sub(limit);
        if over > 0 {
            shorten_both(&mut fields, ("story", "translation"), over + 2);
        }
    } else if let Some(longest) = used.first().cloned() {
        let full = tidy(substitute_fields(pattern, &fields));
        let over = graphemes(&full).saturating_sub(limit);
        if over > 0 {
            if let Some(v) = fields.get(&longest).cloned() {
                let keep = graphemes(&v).saturating_sub(over + 1).max(1);
                fields.insert(longest, shorten(&v, keep));
            }
        }
    }
    shorten(&tidy(substitute_fields(pattern, &fields)), limit)
}

/// The alt-text pattern of a card that shows a translation: the pattern
/// with ` (translation: "{{translation}}")` after the story, unless it
/// places the translation itself. Unchanged without a translation.
fn with_translation(pattern: &str, set: &TemplateSet, content: &Content, lang: &str) -> String {
    let shown = content
        .fields
        .get("translation")
        .is_some_and(|t| !t.trim().is_empty())
        && set.uses_field("translation");
    if !shown || pattern.contains("{{translation}}") {
        return pattern.to_string();
    }
    let insert = kit_words(lang).translation;
    // After the story's closing quotation mark, whichever the pattern's
    // language uses.
    for after in [
        "{{story}}\"",
        "{{story}}»",
        "{{story}} »",
        "{{story}}”",
        "{{story}}“",
        "{{story}}」",
        "{{story}}",
    ] {
        if let Some(i) = pattern.find(after) {
            let at = i + after.len();
            return format!("{}{insert}{}", &pattern[..at], &pattern[at..]);
        }
    }
    pattern.to_string()
}

/// Shortens the two texts `keys` names so that together they lose at least
/// `cut` graphemes, each keeping a fair share: the shorter keeps all of
/// itself when it is within half the room left, the other the rest.
fn shorten_both(
    fields: &mut std::collections::BTreeMap<String, String>,
    (a, b): (&str, &str),
    cut: usize,
) {
    let len = |k: &str, f: &std::collections::BTreeMap<String, String>| {
        f.get(k).map(|v| graphemes(v)).unwrap_or(0)
    };
    let (la, lb) = (len(a, fields), len(b, fields));
    let room = (la + lb).saturating_sub(cut);
    let half = room / 2;
    let (ka, kb) = if la <= half {
        (la, room - la)
    } else if lb <= half {
        (room - lb, lb)
    } else {
        (half, room - half)
    };
    for (k, keep) in [(a, ka), (b, kb)] {
        if let Some(v) = fields.get(k).cloned() {
            fields.insert(k.to_string(), shorten(&v, keep.max(1)));
        }
    }
}

/// What the caption of a kind of card opens with, when not its story: the
/// facts its alt text gives, as a pattern of its fields (`{{field}}`).
/// A kind not listed opens with its story, or else its title.
pub const CAPTION_LEADS: &[(&str, &str)] = &[
    (
        "event",
        "{{event}}: {{event_date}} {{event_time}}, {{place}}.",
    ),
    ("countdown", "{{countdown}}: {{campaign.name}}, {{date}}."),
    (
        "supporter-badge",
        "{{org}} supports {{theme}} for {{campaign.name}}, {{date}}.",
    ),
];

/// The alt text's own words, in each language the kit's alt-text patterns
/// are written in: how a clip's alt text opens, by CLDR plural category of
/// its seconds (`{n}`), and how a translation is given after the story.
/// Drafts for a native speaker to check, as the patterns are.
struct KitWords {
    /// Language tag.
    tag: &'static str,
    /// "Video, {n} seconds: " by plural category (`other` required).
    video: &'static [(&'static str, &'static str)],
    /// Inserted after the story: ` (translation: "{{translation}}")`.
    translation: &'static str,
}

const KIT_WORDS: &[KitWords] = &[
    KitWords {
        tag: "en",
        video: &[
            ("one", "Video, {n} second: "),
            ("other", "Video, {n} seconds: "),
        ],
        translation: " (translation: \"{{translation}}\")",
    },
    KitWords {
        tag: "ar",
        video: &[
            ("one", "فيديو، ثانية واحدة: "),
            ("two", "فيديو، ثانيتان: "),
            ("few", "فيديو، {n} ثوانٍ: "),
            ("other", "فيديو، {n} ثانية: "),
        ],
        translation: " (الترجمة: «{{translation}}»)",
    },
    KitWords {
        tag: "es",
        video: &[
            ("one", "Vídeo, {n} segundo: "),
            ("other", "Vídeo, {n} segundos: "),
        ],
        translation: " (traducción: «{{translation}}»)",
    },
    KitWords {
        tag: "fr",
        video: &[
            ("one", "Vidéo, {n} seconde : "),
            ("other", "Vidéo, {n} secondes : "),
        ],
        translation: " (traduction : « {{translation}} »)",
    },
];

/// The kit's words in `lang` (English where it has none).
fn kit_words(lang: &str) -> &'static KitWords {
    let l = lang.split(['-', '_']).next().unwrap_or(lang);
    KIT_WORDS
        .iter()
        .find(|w| w.tag.eq_ignore_ascii_case(l))
        .unwrap_or(&KIT_WORDS[0])
}

/// The language the alt text is written in: the card's, where the set has
/// a pattern in it, else the set's own pattern's (English for the kit).
fn pattern_language(set: &TemplateSet, content: &Content) -> String {
    card_lang(content)
        .filter(|l| TemplateSet::in_language(&set.alt_by_lang, l).is_some())
        .unwrap_or("en")
        .to_string()
}

/// How a clip's alt text opens in `lang`: "Video, 12 seconds: ".
fn video_head(lang: &str, seconds: f32) -> String {
    let n = seconds.round().max(1.0) as i64;
    let words = kit_words(lang);
    let (category, digits) = match crate::text::locale::Lang::new(words.tag, true) {
        Ok(l) => (l.plural(n), l.number(n)),
        Err(_) => ("other", n.to_string()),
    };
    let form = words
        .video
        .iter()
        .find(|(c, _)| *c == category)
        .or_else(|| words.video.iter().find(|(c, _)| *c == "other"))
        .map_or("Video, {n} seconds: ", |(_, f)| f);
    form.replace("{n}", &digits)
}

/// The language of the card's own words (the `card_lang` field plan sets).
fn card_lang(content: &Content) -> Option<&str> {
    content
        .fields
        .get("card_lang")
        .map(String::as_str)
        .filter(|l| !l.is_empty())
}

/// A pattern filled with fields some of which were empty, tidied: one
/// space between words, no space before a comma or full stop, no doubled
/// comma ("18 December , Plymouth" when there is no time).
fn tidy_punctuation(filled: &str) -> String {
    filled
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ,", ",")
        .replace(" ،", "،")
        .replace(" .", ".")
        .replace(",,", ",")
        .replace("،،", "،")
        .replace(",.", ".")
        .replace("،.", ".")
}

/// The lead of a set's caption in the card's language (`[caption_by_lang]`)
/// or from [`CAPTION_LEADS`], filled in; None for a kind that opens with its
/// story, or whose fields are all empty.
fn lead_of(set: &TemplateSet, content: &Content) -> Option<String> {
    let own = card_lang(content).and_then(|l| TemplateSet::in_language(&set.caption_by_lang, l));
    let pattern = match own {
        Some(p) => p,
        None => CAPTION_LEADS.iter().find(|(t, _)| *t == set.name)?.1,
    };
    let filled = substitute_fields(pattern, &content.fields);
    let tidy = tidy_punctuation(&filled);
    let tidy = tidy.trim_start_matches([':', ',', '.', ' ']).to_string();
    (tidy.chars().any(char::is_alphanumeric)).then_some(tidy)
}

/// A ready-to-paste post: a teaser from the story (and its translation,
/// when there is one, as a paragraph of its own) or the facts of an event,
/// countdown or badge ([`CAPTION_LEADS`]), then hashtags (within the
/// platform's cap) and tags, within the platform's length.
pub fn caption_for(set: &TemplateSet, content: &Content, platform: &Platform) -> String {
    caption_with(lead_of(set, content), content, platform)
}

/// The caption of a card that opens with its story (or else its title):
/// see [`caption_for`].
pub fn caption(content: &Content, platform: &Platform) -> String {
    caption_with(None, content, platform)
}

fn caption_with(lead: Option<String>, content: &Content, platform: &Platform) -> String {
    let f = |k: &str| content.fields.get(k).cloned().unwrap_or_default();
    let story = match &lead {
        Some(_) => String::new(),
        None => f("story").replace('\n', " "),
    };
    let translation = match &lead {
        Some(_) => String::new(),
        None => f("translation").replace('\n', " "),
    };
    let mut hashtags: Vec<String> = f("hashtags")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let said = format!("{story} {translation} {}", lead.clone().unwrap_or_default());
    let story_lower = said.to_lowercase();
    // A tag the story (or its translation, or the lead) already carries is
    // not repeated at the end.
    hashtags.retain(|h| !story_lower.contains(&h.to_lowercase()));
    if let Some(cap) = platform.hashtag_cap {
        hashtags.truncate(cap as usize);
    }
    let tags = f("tags");
    let org = f("org");
    let tail = [hashtags.join(" "), tags]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let limit = platform.post_chars.unwrap_or(2200) as usize;
    let lead_names_org = lead
        .as_ref()
        .is_some_and(|l| !org.is_empty() && l.contains(&org));
    let lead = match lead {
        Some(l) => l,
        None if story.trim().is_empty() => f("title"),
        None => story.clone(),
    };
    let attribution = if org.is_empty() || lead_names_org {
        String::new()
    } else {
        format!(" — {org}")
    };
    let room = limit.saturating_sub(graphemes(&tail) + graphemes(&attribution) + 2);
    let teaser = if translation.trim().is_empty() || story.trim().is_empty() {
        shorten(&lead, room.max(1))
    } else {
        // The story and its translation share the room, a paragraph each.
        let mut both = std::collections::BTreeMap::new();
        both.insert("story".to_string(), story.trim().to_string());
        both.insert("translation".to_string(), translation.trim().to_string());
        let room = room.saturating_sub(2);
        let total = graphemes(&both["story"]) + graphemes(&both["translation"]);
        if total > room {
            shorten_both(&mut both, ("story", "translation"), total - room);
        }
        format!("{}\n\n{}", both["story"], both["translation"])
    };
    let body = if teaser.is_empty() {
        org.clone()
    } else {
        format!("{teaser}{attribution}")
    };
    let post = if tail.is_empty() {
        body
    } else {
        format!("{body}\n\n{tail}")
    };
    // The tail alone may exceed a tiny limit: never go over.
    shorten(&post, limit)
}

/// A problem with a hashtag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagProblem {
    /// Not a valid tag at all (an error).
    Invalid(String),
    /// Valid but hard for screen readers (a warning).
    NotCamelCase(String),
}

/// Lints a hashtag: it must be `#` and letters, digits or `_`, not only
/// digits; a long all-lower or all-upper tag should be CamelCase so screen
/// readers read its words.
pub fn lint_hashtag(tag: &str) -> Option<TagProblem> {
    let body = tag.strip_prefix('#').or_else(|| tag.strip_prefix('＃'));
    let Some(body) = body else {
        return Some(TagProblem::Invalid(format!(
            "'{tag}' is not a hashtag: start it with #"
        )));
    };
    if body.is_empty() {
        return Some(TagProblem::Invalid(format!("'{tag}' is an empty hashtag")));
    }
    if let Some(c) = body.chars().find(|c| !crate::text::layout::is_tag_char(*c)) {
        return Some(TagProblem::Invalid(format!(
            "'{tag}' is not a valid hashtag: '{c}' is not allowed (use letters, digits and _; no spaces or punctuation)"
        )));
    }
    if body.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return Some(TagProblem::Invalid(format!(
            "'{tag}' is not a valid hashtag: it needs a letter, not only digits"
        )));
    }
    let letters: Vec<char> = body.chars().filter(|c| c.is_alphabetic()).collect();
    let cased = letters.iter().any(|c| c.is_lowercase() || c.is_uppercase());
    let all_lower = letters.iter().all(|c| !c.is_uppercase());
    let all_upper = letters.iter().all(|c| !c.is_lowercase());
    if cased && letters.len() >= 8 && (all_lower || all_upper) {
        return Some(TagProblem::NotCamelCase(format!(
            "hashtag '{tag}' is hard for screen readers; capitalise each word, e.g. {}",
            suggest_camel(body)
        )));
    }
    None
}

/// A CamelCase suggestion: the known words of common campaign tags, else the
/// first letter capitalised.
fn suggest_camel(body: &str) -> String {
    const WORDS: &[&str] = &[
        "community",
        "migrants",
        "migrant",
        "refugees",
        "refugee",
        "welcome",
        "takes",
        "day",
        "week",
        "together",
        "support",
        "it",
        "a",
        "the",
        "we",
        "our",
        "for",
        "with",
        "all",
        "of",
        "and",
        "stand",
        "solidarity",
        "home",
        "people",
        "world",
        "international",
        "un",
        "migration",
    ];
    let lower = body.to_lowercase();
    // Greedy longest-word segmentation; unknown stretches kept as they are.
    let mut out = String::new();
    let mut i = 0;
    while i < lower.len() {
        let w = WORDS
            .iter()
            .filter(|w| lower[i..].starts_with(**w))
            .max_by_key(|w| w.len());
        match w {
            Some(w) => {
                let mut cs = w.chars();
                if let Some(f) = cs.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(cs.as_str());
                }
                i += w.len();
            }
            None => {
                let c = lower[i..].chars().next().unwrap_or(' ');
                if out.is_empty() {
                    out.extend(c.to_uppercase());
                } else {
                    out.push(c);
                }
                i += c.len_utf8();
            }
        }
    }
    format!("#{out}")
}

/// Checks a handle to tag: `@` and a name of letters, digits, `_`, `.` or
/// `-` (X, Instagram, Bluesky's `@name.bsky.social`), or a fediverse
/// `@name@server`; the problem as a sentence, or None.
pub fn lint_handle(tag: &str) -> Option<String> {
    let Some(body) = tag.strip_prefix('@') else {
        return Some(format!("'{tag}' is not a handle: start it with @"));
    };
    let (name, server) = match body.split_once('@') {
        Some((n, s)) => (n, Some(s)),
        None => (body, None),
    };
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '-');
    for part in std::iter::once(name).chain(server) {
        if part.is_empty() {
            return Some(format!(
                "'{tag}' is not a valid handle: write it as @name (one @ before the name)"
            ));
        }
        if let Some(c) = part.chars().find(|c| !allowed(*c)) {
            return Some(format!(
                "'{tag}' is not a valid handle: '{c}' is not allowed (use letters, digits, _ . and -; no spaces)"
            ));
        }
    }
    None
}

/// Lints a list of hashtags: (errors, warnings).
pub fn lint_hashtags(tags: &[String]) -> (Vec<String>, Vec<String>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for t in tags {
        match lint_hashtag(t) {
            Some(TagProblem::Invalid(m)) => errors.push(m),
            Some(TagProblem::NotCamelCase(m)) => warnings.push(m),
            None => {}
        }
    }
    (errors, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_prefers_sentences_then_words() {
        assert_eq!(shorten("Short.", 100), "Short.");
        assert_eq!(shorten("One two three four five six", 14), "One two three…");
        assert_eq!(
            shorten("We came in May. We stayed for good and never left", 20),
            "We came in May."
        );
        assert_eq!(graphemes(&shorten(&"word ".repeat(400), 300)), 300);
        assert_eq!(shorten("👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦", 2), "👨‍👩‍👧‍👦…");
    }

    #[test]
    fn a_clip_says_it_is_a_video_in_the_alt_texts_language() {
        assert_eq!(video_head("en", 1.2), "Video, 1 second: ");
        assert_eq!(video_head("en-GB", 12.4), "Video, 12 seconds: ");
        assert_eq!(video_head("ar", 2.0), "فيديو، ثانيتان: ");
        assert_eq!(video_head("ar", 7.0), "فيديو، 7 ثوانٍ: ");
        assert_eq!(video_head("ar", 15.0), "فيديو، 15 ثانية: ");
        assert_eq!(video_head("fr", 12.0), "Vidéo, 12 secondes : ");
        assert_eq!(video_head("es", 1.0), "Vídeo, 1 segundo: ");
        // A language the kit has no words in: English, as its pattern is.
        assert_eq!(video_head("cy", 9.0), "Video, 9 seconds: ");
        assert!(KIT_WORDS
            .iter()
            .all(|w| w.translation.contains("{{translation}}")
                && w.video.iter().any(|(c, _)| *c == "other")));
    }

    /// An event with no time and no place reads as a sentence; a French
    /// pattern keeps its space before the colon.
    #[test]
    fn alt_text_punctuation_survives_empty_fields_and_french_spacing() {
        let campaign = crate::Campaign::embedded();
        let square = crate::Platforms::embedded()
            .get("instagram-square")
            .unwrap()
            .clone();
        let event = crate::TemplateSet::load("event").unwrap();
        let mut c = Content::story(&campaign, "Hub", "");
        c.set_field("event", "Supper club");
        c.set_field("event_date", "Friday 18 December");
        c.set_field("place", "Plymouth");
        let alt = alt_text(&event, &c, &square);
        assert!(
            alt.contains(": Supper club, Friday 18 December, Plymouth. #"),
            "{alt}"
        );
        c.set_field("place", "");
        let alt = alt_text(&event, &c, &square);
        assert!(
            alt.contains(": Supper club, Friday 18 December. #"),
            "{alt}"
        );

        let quote = crate::TemplateSet::load("story-quote").unwrap();
        let mut c = Content::story(&campaign, "Hub", "Nous cuisinons ensemble.");
        c.set_field("card_lang", "fr");
        let alt = alt_text(&quote, &c, &square);
        assert!(
            alt.starts_with("Carte citation de Hub : « Nous cuisinons ensemble. » #"),
            "{alt}"
        );
    }

    #[test]
    fn hashtag_lint_cases() {
        assert_eq!(lint_hashtag("#ItTakesACommunity"), None);
        assert_eq!(lint_hashtag("#MigrantsDay"), None);
        assert_eq!(lint_hashtag("#UK"), None);
        assert_eq!(lint_hashtag("#معا"), None);
        assert_eq!(
            lint_hashtag("#नमस्ते"),
            None,
            "Devanagari vowel signs are part of a tag"
        );
        assert_eq!(
            lint_hashtag("#مَعًا"),
            None,
            "Arabic harakat are part of a tag"
        );
        assert_eq!(
            lint_hashtag("#ittakesacommunity"),
            Some(TagProblem::NotCamelCase(
                "hashtag '#ittakesacommunity' is hard for screen readers; capitalise each word, e.g. #ItTakesACommunity".into()
            ))
        );
        assert_eq!(
            lint_hashtag("#MIGRANTSDAY"),
            Some(TagProblem::NotCamelCase(
                "hashtag '#MIGRANTSDAY' is hard for screen readers; capitalise each word, e.g. #MigrantsDay".into()
            ))
        );
        assert_eq!(
            lint_hashtag("#it takes"),
            Some(TagProblem::Invalid(
                "'#it takes' is not a valid hashtag: ' ' is not allowed (use letters, digits and _; no spaces or punctuation)".into()
            ))
        );
        assert_eq!(
            lint_hashtag("#2024"),
            Some(TagProblem::Invalid(
                "'#2024' is not a valid hashtag: it needs a letter, not only digits".into()
            ))
        );
        assert_eq!(
            lint_hashtag("#migrants-day"),
            Some(TagProblem::Invalid(
                "'#migrants-day' is not a valid hashtag: '-' is not allowed (use letters, digits and _; no spaces or punctuation)".into()
            ))
        );
    }
}
