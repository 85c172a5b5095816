//! A campaign's own words in a card's language: the day's name, the
//! countdown's phrases by CLDR plural category, the date and week, "Today
//! is", "We support", any other text a campaign adds, with numbers and
//! dates from CLDR ([`crate::text::locale`]). What a campaign lacks in the
//! language comes from its main language, and the card's report says so.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Kind};
use crate::error::Error;
use crate::inputs::campaign::{Campaign, Text, TEXT_KEYS};
use crate::text::locale::Lang;

/// A campaign's words for one card.
#[derive(Clone, Debug)]
pub struct Words {
    /// The language the words are in (a `[text.…]` table's tag, or the
    /// campaign's main language).
    pub lang: String,
    /// Formats for that language (dates, digits, plurals).
    pub formats: Lang,
    /// The texts by key, after falling back to the main language.
    pub texts: BTreeMap<String, Text>,
    /// Template fields of the texts that need no count.
    pub fields: BTreeMap<String, String>,
    /// Fallbacks and problems of the campaign file in this language.
    pub notes: Vec<Diagnostic>,
}

/// The language subtag of a tag (`ar` of `ar-EG`), lower case.
fn language(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// A language's name in English for messages, where postkit knows it.
pub fn language_name(tag: &str) -> String {
    let name = match language(tag).as_str() {
        "ar" => "Arabic",
        "en" => "English",
        "fa" => "Persian",
        "fr" => "French",
        "es" => "Spanish",
        "ru" => "Russian",
        "uk" => "Ukrainian",
        "zh" => "Chinese",
        "ur" => "Urdu",
        "ps" => "Pashto",
        "ti" => "Tigrinya",
        "am" => "Amharic",
        "so" => "Somali",
        "pl" => "Polish",
        "pt" => "Portuguese",
        "ro" => "Romanian",
        "tr" => "Turkish",
        "my" => "Burmese",
        "th" => "Thai",
        "gu" => "Gujarati",
        "ml" => "Malayalam",
        "hi" => "Hindi",
        "cy" => "Welsh",
        _ => return tag.to_string(),
    };
    format!("{name} ({tag})")
}

/// Whether a tag's language subtag is one ISO 639 could have (2 or 3
/// letters): `arabic` is a well-formed tag but no language.
fn known_shape(tag: &str) -> bool {
    let l = language(tag);
    (2..=3).contains(&l.len()) && Lang::new(tag, false).is_ok()
}

impl Campaign {
    /// The `[text.…]` table for a card in `tag`: the table of that exact
    /// tag, of a tag it extends (`ar` for `ar-EG`), or, for a bare
    /// language, the table of a script or region of it (`zh-Hans` for `zh`).
    pub fn table_for(&self, tag: &str) -> Option<&str> {
        let tag_l = tag.to_ascii_lowercase();
        let keys = || self.text.keys().map(String::as_str);
        keys()
            .find(|k| k.eq_ignore_ascii_case(tag))
            .or_else(|| keys().find(|k| tag_l.starts_with(&format!("{}-", k.to_ascii_lowercase()))))
            .or_else(|| {
                (!tag.contains('-'))
                    .then(|| keys().find(|k| language(k) == tag_l))
                    .flatten()
            })
    }

    /// Whether the campaign has its own words in `tag` (its main
    /// language, or a table).
    pub fn has_language(&self, tag: &str) -> bool {
        language(tag) == language(&self.lang) || self.table_for(tag).is_some()
    }

    /// The text of `key` in the main language.
    fn main_text(&self, key: &str) -> Option<Text> {
        let own = self
            .table_for(&self.lang)
            .and_then(|t| self.text[t].get(key));
        if let Some(t) = own {
            return Some(t.clone());
        }
        let top = match key {
            "name" => &self.name,
            "date" => &self.date_label,
            "week" => &self.week_label,
            "headline" => &self.headline,
            _ => return None,
        };
        (!top.is_empty()).then(|| Text::One(top.clone()))
    }

    /// The hashtag a countdown counts to (`{tag}` in a text).
    pub fn day_tag(&self) -> String {
        self.hashtags
            .iter()
            .find(|h| h.as_str() != self.theme)
            .or(self.hashtags.first())
            .cloned()
            .unwrap_or_else(|| self.name.clone())
    }

    /// The campaign's words for a card in `tag`; the main language's where
    /// the campaign lacks the language or a text in it, with a note.
    pub fn words(&self, tag: &str) -> Words {
        let main = self.lang.clone();
        let mut notes = Vec::new();
        let is_main = language(tag) == language(&main);
        let table = if is_main {
            self.table_for(&main)
        } else {
            self.table_for(tag)
        };
        let chosen = match (is_main, table) {
            (true, _) => main.clone(),
            (false, Some(t)) => t.to_string(),
            (false, None) => {
                notes.push(
                    Diagnostic::new(
                        Kind::LanguageFallback,
                        format!(
                            "{}: the campaign has no words in {}; the card's own words (the day's name, the countdown, \"We support\") are in {}",
                            self.origin,
                            language_name(tag),
                            language_name(&main)
                        ),
                    )
                    .field("card_lang")
                    .hint(format!(
                        "add a [text.{}] table to the campaign file (postkit init writes one to copy), or choose the card's language with --card-lang",
                        language(tag)
                    )),
                );
                main.clone()
            }
        };
        // Formats: the card's own tag when its language is the chosen one
        // (en-US keeps its own dates), else the chosen table's.
        let format_tag = if language(tag) == language(&chosen) && tag.contains('-') {
            tag
        } else {
            chosen.as_str()
        };
        let formats = Lang::new(format_tag, self.latin_digits)
            .or_else(|_| Lang::new(&main, self.latin_digits))
            .unwrap_or_else(|_| Lang::new("en", self.latin_digits).expect("en is a tag"));

        // The file's own problems in this language.
        notes.extend(
            self.warnings
                .iter()
                .filter(|w| {
                    let f = w.field.as_deref().unwrap_or("");
                    table.is_some_and(|t| f.starts_with(&format!("text.{t}.")))
                        || !f.starts_with("text.")
                        || f.split('.').count() == 2
                })
                .cloned(),
        );

        let own = table.map(|t| &self.text[t]);
        let mut keys: Vec<String> = TEXT_KEYS.iter().map(|(k, _, _)| k.to_string()).collect();
        for t in [self.table_for(&main), table].into_iter().flatten() {
            keys.extend(self.text[t].keys().filter(|k| *k != "draft").cloned());
        }
        keys.sort();
        keys.dedup();
        let mut texts = BTreeMap::new();
        let mut missing = Vec::new();
        for key in keys {
            match own.and_then(|t| t.get(&key)) {
                Some(t) if !is_main => {
                    texts.insert(key, t.clone());
                }
                _ => {
                    if let Some(t) = self.main_text(&key) {
                        // A date is formatted in the card's language, not
                        // borrowed from the main one.
                        if !is_main && key != "date" {
                            missing.push(key.clone());
                        }
                        if is_main || key != "date" {
                            texts.insert(key, t);
                        }
                    }
                }
            }
        }
        if !missing.is_empty() && table.is_some() {
            notes.push(
                Diagnostic::new(
                    Kind::LanguageFallback,
                    format!(
                        "{}: [text.{chosen}] has no {}; {} in {} on this card",
                        self.origin,
                        missing.join(", "),
                        if missing.len() == 1 {
                            "it is"
                        } else {
                            "they are"
                        },
                        language_name(&main)
                    ),
                )
                .field(format!("text.{chosen}"))
                .hint(format!(
                    "add {} to [text.{chosen}] in the campaign file",
                    missing.join(", ")
                )),
            );
        }
        let mut words = Words {
            lang: chosen,
            formats,
            texts,
            fields: BTreeMap::new(),
            notes,
        };
        words.fields = self.single_fields(&words);
        words
    }

    /// The fields of the texts that need no count.
    fn single_fields(&self, w: &Words) -> BTreeMap<String, String> {
        let mut f = BTreeMap::new();
        let tag = self.day_tag();
        for (key, text) in &w.texts {
            let Text::One(s) = text else { continue };
            let field = TEXT_KEYS
                .iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, f, _)| f.to_string())
                .unwrap_or_else(|| format!("campaign.{key}"));
            if key == "on_the_day" {
                continue;
            }
            f.insert(field, fill(&w.formats, s, &tag, None));
        }
        if !w.texts.contains_key("date") {
            if let Some(day) = self.day() {
                f.insert("date".into(), w.formats.day_month(day));
            }
        }
        f
    }

    /// The countdown's fields for `n` days in `w`'s language: `days` (in
    /// the language's digits), `days_unit` and `countdown` by the plural
    /// category of `n`, `today` on the day itself.
    pub fn countdown_words(&self, w: &Words, n: i64) -> BTreeMap<String, String> {
        let tag = self.day_tag();
        let category = w.formats.plural(n);
        let form = |key: &str| -> Option<&str> {
            match w.texts.get(key)? {
                Text::Plural(m) => m
                    .get(category)
                    .or_else(|| m.get("other"))
                    .map(String::as_str),
                Text::One(s) => Some(s.as_str()),
                Text::Keys(_) => None,
            }
        };
        let mut f = BTreeMap::new();
        f.insert("days".into(), w.formats.number(n));
        if let Some(u) = form("days") {
            f.insert("days_unit".into(), fill(&w.formats, u, &tag, Some(n)));
        }
        let phrase = if n == 0 {
            form("on_the_day")
        } else {
            form("countdown")
        };
        if let Some(p) = phrase {
            f.insert("countdown".into(), fill(&w.formats, p, &tag, Some(n)));
        }
        f.insert("today".into(), if n == 0 { "true" } else { "" }.into());
        f
    }

    /// Checks the `[text.…]` tables: the main language's plural texts must
    /// have every form its language needs (an error: nothing to fall back
    /// to); another language's gaps, unknown tags and texts of the wrong
    /// shape are warnings, and those texts are dropped (the main
    /// language's stand in).
    pub(crate) fn check_texts(&mut self, src: &str) -> Result<(), Error> {
        let origin = self.origin.clone();
        let line = |table: &str, key: &str| {
            crate::error::toml_key_line(src, &format!("text.{table}"), 0, key)
                .map(|l| format!("line {l}: "))
                .unwrap_or_default()
        };
        if !known_shape(&self.lang) {
            return Err(Error::Config {
                origin,
                message: format!(
                    "{}lang = \"{}\" is not a language tag; write one such as en-GB, fr or ar",
                    crate::error::toml_key_line(src, "", 0, "lang")
                        .map(|l| format!("line {l}: "))
                        .unwrap_or_default(),
                    self.lang
                ),
            });
        }
        let main_table = self.table_for(&self.lang).map(str::to_string);
        let mut warnings = Vec::new();
        let mut drop: Vec<(String, Option<String>)> = Vec::new();
        for (tag, table) in &self.text {
            if !known_shape(tag) {
                warnings.push(
                    Diagnostic::new(
                        Kind::CampaignText,
                        format!(
                            "{origin}: {}[text.{tag}]: '{tag}' is not a language tag; this table is not used",
                            line(tag, "")
                        ),
                    )
                    .field(format!("text.{tag}"))
                    .hint("name the table by a BCP 47 tag such as ar, fa, uk or zh-Hans"),
                );
                drop.push((tag.clone(), None));
                continue;
            }
            let lang = Lang::new(tag, false).expect("checked above");
            let needs = lang.integer_categories();
            let is_main = main_table.as_deref() == Some(tag.as_str());
            for (key, text) in table {
                let plural = TEXT_KEYS.iter().any(|(k, _, p)| k == key && *p);
                let problem = match (key.as_str(), text) {
                    ("draft", Text::Keys(_)) => None,
                    ("draft", _) => Some(
                        "draft is a list of keys, such as draft = [\"week\", \"countdown\"]"
                            .to_string(),
                    ),
                    (_, Text::Plural(m)) if plural => {
                        let lacking: Vec<&str> = needs
                            .iter()
                            .copied()
                            .filter(|c| !m.contains_key(*c))
                            .collect();
                        (!lacking.is_empty()).then(|| {
                            format!(
                                "{key} lacks the plural form{} {} ({} needs {})",
                                if lacking.len() == 1 { "" } else { "s" },
                                lacking.join(", "),
                                language_name(tag),
                                needs.join(", ")
                            )
                        })
                    }
                    (_, _) if plural => Some(format!(
                        "{key} needs a text per plural category, such as {key} = {{ {} }}",
                        needs
                            .iter()
                            .map(|c| format!("{c} = \"…\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    (_, Text::One(_)) => None,
                    (_, _) => Some(format!("{key} must be a text, such as {key} = \"…\"")),
                };
                let Some(problem) = problem else { continue };
                if is_main {
                    return Err(Error::Config {
                        origin,
                        message: format!("{}[text.{tag}] {problem}", line(tag, key)),
                    });
                }
                warnings.push(
                    Diagnostic::new(
                        Kind::CampaignText,
                        format!(
                            "{origin}: {}[text.{tag}] {problem}; the card uses the {} text",
                            line(tag, key),
                            language_name(&self.lang)
                        ),
                    )
                    .field(format!("text.{tag}.{key}"))
                    .hint(format!("fix {key} in [text.{tag}] of the campaign file")),
                );
                drop.push((tag.clone(), Some(key.clone())));
            }
        }
        for (tag, key) in drop {
            match key {
                None => {
                    self.text.remove(&tag);
                }
                Some(k) => {
                    if let Some(t) = self.text.get_mut(&tag) {
                        t.remove(&k);
                    }
                }
            }
        }
        self.warnings = warnings;
        Ok(())
    }

    /// The keys of a language's table that await a native speaker's check.
    pub fn drafts(&self, tag: &str) -> Vec<String> {
        match self.table_for(tag).and_then(|t| self.text[t].get("draft")) {
            Some(Text::Keys(k)) => k.clone(),
            _ => Vec::new(),
        }
    }
}

/// A text with `{n}` (the count, in the language's digits) and `{tag}`
/// (the hashtag, as written) filled in; the campaign's own digits in the
/// language's digits (or in 0–9 when the campaign pins Latin digits).
fn fill(formats: &Lang, text: &str, tag: &str, n: Option<i64>) -> String {
    let digits = localise_digits(formats, text);
    let with_n = match n {
        Some(n) => digits.replace("{n}", &formats.number(n)),
        None => digits,
    };
    with_n.replace("{tag}", tag)
}

/// The digits of a campaign text in the language's digits.
pub fn localise_digits(formats: &Lang, text: &str) -> String {
    let zero = formats.number(0).chars().next().unwrap_or('0');
    text.chars()
        .map(|c| {
            let d = c
                .to_digit(10)
                .filter(|_| c.is_ascii_digit())
                .or_else(|| match c {
                    '\u{0660}'..='\u{0669}' => Some(c as u32 - 0x0660),
                    '\u{06F0}'..='\u{06F9}' => Some(c as u32 - 0x06F0),
                    _ => None,
                });
            match d {
                Some(d) => char::from_u32(zero as u32 + d).unwrap_or(c),
                None => c,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(extra: &str) -> Campaign {
        let src = format!(
            "name = \"Refugee Week\"\ndate = \"2026-06-15\"\nhashtags = [\"#RefugeeWeek\"]\n{extra}"
        );
        Campaign::from_toml(&src, "week.toml").unwrap()
    }

    #[test]
    fn the_embedded_campaign_speaks_the_uns_languages() {
        let c = Campaign::embedded();
        for (tag, name) in [
            ("ar", "اليوم الدولي للمهاجرين"),
            ("zh", "国际移徙者日"),
            ("fr", "Journée internationale des migrants"),
            ("ru", "Международный день мигрантов"),
            ("es", "Día Internacional del Migrante"),
            ("en", "International Migrants Day"),
        ] {
            let w = c.words(tag);
            assert_eq!(w.fields["campaign.name"], name, "{tag}");
            assert!(w.notes.is_empty(), "{tag}: {:?}", w.notes);
            assert!(!c.drafts(tag).contains(&"name".to_string()), "{tag}");
        }
        // Everything else the kit adds is a draft awaiting a check.
        assert!(c.drafts("uk").contains(&"name".to_string()));
        let ar = c.words("ar-EG");
        let forms: Vec<String> = [1, 2, 3, 11, 100]
            .iter()
            .map(|n| c.countdown_words(&ar, *n)["days_unit"].clone())
            .collect();
        assert_eq!(forms, ["يوم", "يومان", "أيام", "يومًا", "يوم"]);
        assert_eq!(
            c.countdown_words(&ar, 0)["countdown"],
            "اليوم هو #MigrantsDay"
        );
        let fa = c.words("fa");
        assert_eq!(c.countdown_words(&fa, 6)["days"], "۶");
        assert_eq!(
            fa.fields["date"],
            Lang::new("fa", false).unwrap().day_month(c.day().unwrap())
        );
        let en = c.words("en-GB");
        assert_eq!(
            c.countdown_words(&en, 6)["countdown"],
            "6 days to #MigrantsDay"
        );
        assert_eq!(en.fields["campaign.we_support"], "We support");
    }

    /// A language the campaign lacks: the main language's words, and a
    /// note naming the file and the language.
    #[test]
    fn a_missing_language_falls_back_with_a_note() {
        let c = Campaign::embedded();
        let w = c.words("ti");
        assert_eq!(w.lang, "en-GB");
        assert_eq!(w.fields["campaign.name"], "International Migrants Day");
        assert_eq!(w.notes.len(), 1);
        assert_eq!(w.notes[0].kind, Kind::LanguageFallback);
        assert!(
            w.notes[0]
                .message
                .starts_with("embedded campaign: the campaign has no words in Tigrinya (ti)"),
            "{:?}",
            w.notes
        );
    }

    /// A table without a text the main language has: that text in the
    /// main language, named with the file and the table.
    #[test]
    fn a_missing_text_falls_back_with_a_note() {
        let c = with("[text.pl]\nuntil = \"do {tag}\"\n");
        let w = c.words("pl");
        assert_eq!(w.fields["campaign.until"], "do #RefugeeWeek");
        assert_eq!(w.fields["campaign.name"], "Refugee Week");
        let m = &w.notes[0].message;
        assert!(m.starts_with("week.toml: [text.pl] has no name"), "{m}");
        assert!(m.ends_with("in English (en-GB) on this card"), "{m}");
        // The shared words came from the embedded campaign, the date from CLDR.
        assert_eq!(w.fields["date"], "15 czerwca");
    }

    /// A missing plural form: a warning naming file, line, table, key and
    /// the forms the language needs; the main language's text stands in.
    #[test]
    fn a_missing_plural_form_is_named() {
        let c = with(
            "[text.ar]\nname = \"أسبوع اللاجئين\"\ndays = { one = \"يوم\", other = \"يوم\" }\n[text.en]\ndays = { one = \"day\", other = \"days\" }\n",
        );
        let w = c.words("ar");
        let m: Vec<&str> = w.notes.iter().map(|n| n.message.as_str()).collect();
        assert!(
            m.iter().any(|m| m.starts_with(
                "week.toml: line 6: [text.ar] days lacks the plural forms zero, two, few, many (Arabic (ar) needs zero, one, two, few, many, other)"
            )),
            "{m:?}"
        );
        assert_eq!(c.countdown_words(&w, 3)["days_unit"], "days");
        // In the main language, nothing to fall back to: an error.
        let e = Campaign::from_toml(
            "name = \"x\"\n[text.en]\ndays = { other = \"days\" }\n",
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "c.toml: line 3: [text.en] days lacks the plural form one (English (en) needs one, other)"
        );
    }

    /// An unknown tag: a warning on every card, and the table unused.
    #[test]
    fn an_unknown_tag_is_named() {
        let c = with("[text.arabic]\nname = \"x\"\n");
        assert!(!c.text.contains_key("arabic"));
        let w = c.words("en");
        assert_eq!(w.notes.len(), 1, "{:?}", w.notes);
        assert_eq!(w.notes[0].kind, Kind::CampaignText);
        assert!(
            w.notes[0]
                .message
                .starts_with("week.toml: line 4: [text.arabic]: 'arabic' is not a language tag"),
            "{:?}",
            w.notes
        );
    }

    #[test]
    fn digits_follow_the_language_unless_pinned() {
        let fa = Lang::new("fa", false).unwrap();
        assert_eq!(localise_digits(&fa, "12 تا 18"), "۱۲ تا ۱۸");
        let latin = Lang::new("fa", true).unwrap();
        assert_eq!(localise_digits(&latin, "۱۲ تا ۱۸"), "12 تا 18");
    }
}
