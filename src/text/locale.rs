//! Locale data from CLDR, through ICU4X: a date in a language's long form
//! with its weekday, a time of day, a whole number in the language's
//! digits, and plural categories. A base of the campaign's per-language
//! texts and of the planner's choice of a card's language.
//!
//! Dates are always Gregorian (the campaign day is 18 December everywhere):
//! a Persian card says «جمعه ۱۸ دسامبر», not the Solar Hijri date. Digits
//! follow the language's default numbering system in CLDR (Extended
//! Arabic-Indic for Persian) unless `latin` asks for 0–9 (the `-u-nu-latn`
//! extension).

use icu_calendar::{Date, Gregorian};
use icu_datetime::fieldsets::{MD, MDE, T};
use icu_datetime::input::Time;
use icu_datetime::{FixedCalendarDateTimeFormatter, NoCalendarFormatter};
use icu_decimal::DecimalFormatter;
use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules};

/// A language tag postkit can format for: parsed by ICU (BCP 47), with
/// Latin digits when asked.
#[derive(Clone, Debug)]
pub struct Lang {
    locale: Locale,
}

impl Lang {
    /// Parses a BCP 47 tag (`ar`, `fa`, `en-GB`, `zh-Hant`); `latin` adds
    /// `-u-nu-latn`. The message says what is wrong with the tag.
    pub fn new(tag: &str, latin: bool) -> Result<Lang, String> {
        let tag = tag.trim().replace('_', "-");
        let mut locale = Locale::try_from_str(&tag).map_err(|_| {
            format!("'{tag}' is not a language tag; write one such as ar, fa, uk or en-GB")
        })?;
        if latin {
            let with = format!("{}-u-nu-latn", locale.id);
            locale = Locale::try_from_str(&with)
                .map_err(|_| format!("'{tag}' cannot take Latin digits"))?;
        }
        Ok(Lang { locale })
    }

    /// The language subtag (`ar` for `ar-EG`).
    pub fn language(&self) -> &str {
        self.locale.id.language.as_str()
    }

    /// A date in the language's long form with its weekday ("Friday 18
    /// December" in en-GB, «vendredi 18 décembre» in French).
    pub fn long_date(&self, date: time::Date) -> String {
        let f = FixedCalendarDateTimeFormatter::<Gregorian, MDE>::try_new(
            (&self.locale).into(),
            MDE::long(),
        );
        match (f, gregorian(date)) {
            (Ok(f), Some(d)) => f.format(&d).to_string(),
            // Compiled data reaches every locale through the root; a
            // failure leaves the ISO date, which every reader can read.
            _ => date.to_string(),
        }
    }

    /// A date's day and month in long form ("18 December").
    pub fn day_month(&self, date: time::Date) -> String {
        let f = FixedCalendarDateTimeFormatter::<Gregorian, MD>::try_new(
            (&self.locale).into(),
            MD::long(),
        );
        match (f, gregorian(date)) {
            (Ok(f), Some(d)) => f.format(&d).to_string(),
            _ => date.to_string(),
        }
    }

    /// A time of day in the language's convention ("18:30", "6:30 PM").
    pub fn time(&self, hour: u8, minute: u8) -> Option<String> {
        let t = Time::try_new(hour, minute, 0, 0).ok()?;
        let f = NoCalendarFormatter::try_new((&self.locale).into(), T::hm()).ok()?;
        Some(f.format(&t).to_string())
    }

    /// A whole number in the language's digits and grouping.
    pub fn number(&self, n: i64) -> String {
        match DecimalFormatter::try_new((&self.locale).into(), Default::default()) {
            Ok(f) => f.format(&n.into()).to_string(),
            Err(_) => n.to_string(),
        }
    }

    /// The CLDR plural category of a whole number (`one`, `few`, …).
    pub fn plural(&self, n: i64) -> &'static str {
        match PluralRules::try_new_cardinal((&self.locale).into()) {
            Ok(r) => category_name(r.category_for(n.unsigned_abs())),
            Err(_) => "other",
        }
    }

    /// The plural categories the language uses for whole and other
    /// numbers, in CLDR's order.
    pub fn plural_categories(&self) -> Vec<&'static str> {
        match PluralRules::try_new_cardinal((&self.locale).into()) {
            Ok(r) => r.categories().map(category_name).collect(),
            Err(_) => vec!["other"],
        }
    }

    /// The plural categories whole numbers can take (Russian `other` is
    /// only for fractions, so a countdown never needs it).
    pub fn integer_categories(&self) -> Vec<&'static str> {
        let mut seen: Vec<&'static str> = Vec::new();
        // Every CLDR integer rule is periodic within 0..=1000 except
        // "many" for millions (French, Spanish), which a countdown never reaches.
        for n in 0..=1000 {
            let c = self.plural(n);
            if !seen.contains(&c) {
                seen.push(c);
            }
        }
        let order = self.plural_categories();
        order.into_iter().filter(|c| seen.contains(c)).collect()
    }
}

fn gregorian(date: time::Date) -> Option<Date<Gregorian>> {
    Date::try_new_gregorian(date.year(), date.month() as u8, date.day()).ok()
}

fn category_name(c: PluralCategory) -> &'static str {
    match c {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

/// A time written `HH:MM`, or a range `HH:MM–HH:MM` (any dash), in the
/// language's convention; None for anything else (kept as written).
pub fn format_time_text(lang: &Lang, text: &str) -> Option<String> {
    let one = |s: &str| -> Option<String> {
        let (h, m) = s.trim().split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        lang.time(h.parse().ok()?, m.parse().ok()?)
    };
    if let Some(t) = one(text) {
        return Some(t);
    }
    let (a, b) = text.split_once(['–', '-', '—'])?;
    Some(format!("{}–{}", one(a)?, one(b)?))
}

/// The language a text's letters point to, where the script says it:
/// Arabic script (Persian and Urdu by their own letters), Han, Cyrillic
/// (Ukrainian and Russian by theirs), Greek, Hebrew, Thai, Georgian,
/// Armenian, Ethiopic (Amharic). None for Latin and anything ambiguous.
pub fn language_of_script(text: &str) -> Option<&'static str> {
    use unicode_script::{Script, UnicodeScript};
    let script = text
        .chars()
        .map(|c| c.script())
        .find(|s| !matches!(s, Script::Common | Script::Inherited | Script::Unknown))?;
    let has = |set: &str| text.chars().any(|c| set.contains(c));
    Some(match script {
        Script::Arabic if has("ٹڈڑںےۓھ") => "ur",
        Script::Arabic if has("پچژگکی") => "fa",
        Script::Arabic => "ar",
        Script::Han => "zh",
        Script::Cyrillic if has("іїєґІЇЄҐ") => "uk",
        Script::Cyrillic if has("ыэъёЫЭЪЁ") => "ru",
        Script::Greek => "el",
        Script::Hebrew => "he",
        Script::Thai => "th",
        Script::Georgian => "ka",
        Script::Armenian => "hy",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_language() {
        let d = time::macros::date!(2026 - 12 - 18);
        let en = Lang::new("en-GB", false).unwrap();
        assert_eq!(en.long_date(d), "Friday 18 December");
        assert_eq!(en.day_month(d), "18 December");
        assert_eq!(en.time(18, 30).unwrap(), "18:30");
        let fa = Lang::new("fa", false).unwrap();
        assert_eq!(fa.number(18), "۱۸");
        assert_eq!(Lang::new("fa", true).unwrap().number(18), "18");
        let ar = Lang::new("ar", false).unwrap();
        assert_eq!(
            ar.integer_categories(),
            ["zero", "one", "two", "few", "many", "other"]
        );
        assert_eq!(
            Lang::new("ru", false).unwrap().integer_categories(),
            ["one", "few", "many"]
        );
        assert_eq!(format_time_text(&en, "18:00-21:00").unwrap(), "18:00–21:00");
        assert!(format_time_text(&en, "6–9 pm").is_none());
        assert!(Lang::new("Arabic please", false).is_err());
    }

    #[test]
    fn scripts_name_their_languages() {
        assert_eq!(language_of_script("جئنا إلى بليموث"), Some("ar"));
        assert_eq!(language_of_script("ما به پلیموث آمدیم"), Some("fa"));
        assert_eq!(language_of_script("ہم پلیمتھ آئے"), Some("ur"));
        assert_eq!(language_of_script("Ми приїхали"), Some("uk"));
        assert_eq!(language_of_script("Мы приехали в Плимут"), Some("ru"));
        assert_eq!(language_of_script("Мама"), None);
        assert_eq!(language_of_script("We came"), None);
    }
}
