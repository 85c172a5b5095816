//! Campaigns: the theme, date, hashtags, handles and palette a set of assets
//! shares. The #ItTakesACommunity campaign is embedded; any other is a TOML
//! file of the same shape.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;

const EMBEDDED: &str = include_str!("../../templates/campaign.toml");

/// A campaign, as read from TOML.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Campaign name, for example "International Migrants Day".
    pub name: String,
    /// Theme line, for example "#ItTakesACommunity".
    #[serde(default)]
    pub theme: String,
    /// ISO date of the day itself. The day comes back on the same date
    /// every year (International Migrants Day is every 18 December) unless
    /// `pin_year` is set.
    #[serde(default)]
    pub date: String,
    /// The day is only in the year `date` names: countdowns stop after it.
    /// Unset, a countdown counts to the next time the date comes round.
    #[serde(default)]
    pub pin_year: bool,
    /// The date as printed on assets.
    #[serde(default)]
    pub date_label: String,
    /// The week of engagement as printed on assets.
    #[serde(default)]
    pub week_label: String,
    /// Default headline.
    #[serde(default)]
    pub headline: String,
    /// Hashtags, with their `#`.
    #[serde(default)]
    pub hashtags: Vec<String>,
    /// Handles to tag, with their `@`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Default template name.
    #[serde(default = "default_template")]
    pub template: String,
    /// Default platform presets.
    #[serde(default)]
    pub platforms: Vec<String>,
    /// Named colours (`#RRGGBB`), used by templates as `{{palette.NAME}}`.
    #[serde(default)]
    pub palette: BTreeMap<String, String>,
    /// The campaign's main language (a BCP 47 tag): the language of
    /// `name`, `date_label`, `week_label` and `headline`, and of a card
    /// whose language the campaign lacks.
    #[serde(default = "default_lang")]
    pub lang: String,
    /// Countdown numbers and dates in 0–9 whatever the language's own
    /// digits are (Persian's are ۰–۹ otherwise).
    #[serde(default)]
    pub latin_digits: bool,
    /// The campaign's words by language (`[text.ar]`, `[text.fr]`, …): see
    /// [`TEXT_KEYS`]. A key listed in a table's `draft` awaits a native
    /// speaker's check.
    #[serde(default)]
    pub text: BTreeMap<String, BTreeMap<String, Text>>,
    /// Where the campaign came from, for messages.
    #[serde(skip)]
    pub origin: String,
    /// Problems found in the file that do not stop it from being used (a
    /// language table with an unknown tag), for every card's report.
    #[serde(skip)]
    pub warnings: Vec<crate::diag::Diagnostic>,
}

/// One of a campaign's texts in one language: a text, a text per CLDR
/// plural category (`one`, `few`, …), or a list of keys (`draft`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Text {
    /// A text.
    One(String),
    /// A text per plural category.
    Plural(BTreeMap<String, String>),
    /// A list of keys.
    Keys(Vec<String>),
}

/// The keys of a `[text.LANG]` table and the template fields they fill:
/// (key, field, plural). `{tag}` in a text is the campaign's day hashtag
/// (never translated), `{n}` the count. Any other key fills
/// `campaign.KEY`.
pub const TEXT_KEYS: &[(&str, &str, bool)] = &[
    ("name", "campaign.name", false),
    ("date", "date", false),
    ("week", "week", false),
    ("headline", "headline", false),
    ("until", "campaign.until", false),
    ("today_is", "campaign.today_is", false),
    ("we_support", "campaign.we_support", false),
    ("on_the_day", "countdown", false),
    ("days", "days_unit", true),
    ("countdown", "countdown", true),
];

/// Keys a campaign of its own gets from the embedded campaign when its
/// file leaves them out: words about a countdown or support, not about
/// the day itself.
const SHARED_KEYS: &[&str] = &[
    "until",
    "today_is",
    "we_support",
    "on_the_day",
    "days",
    "countdown",
];

fn default_lang() -> String {
    "en-GB".into()
}

fn default_template() -> String {
    "story-quote".into()
}

impl Campaign {
    /// The embedded #ItTakesACommunity campaign.
    pub fn embedded() -> Campaign {
        Campaign::from_toml(EMBEDDED, "embedded campaign").expect("embedded campaign is valid")
    }

    /// Parses a campaign; `origin` names the source in messages.
    pub fn from_toml(src: &str, origin: &str) -> Result<Campaign, Error> {
        let mut c: Campaign = toml::from_str(src).map_err(|e| Error::Config {
            origin: origin.to_string(),
            message: format!(
                "not a valid campaign file: {}",
                crate::error::toml_message(src, &e)
            ),
        })?;
        let at = |table: &str, key: &str| {
            crate::error::toml_key_line(src, table, 0, key)
                .map(|l| format!("line {l}: "))
                .unwrap_or_default()
        };
        if !c.date.is_empty() && parse_date(&c.date).is_none() {
            return Err(Error::Config {
                origin: origin.to_string(),
                message: format!(
                    "{}date = \"{}\" is not a date; write it as YYYY-MM-DD",
                    at("", "date"),
                    c.date
                ),
            });
        }
        c.origin = origin.to_string();
        c.check_texts(src)?;
        for (name, colour) in &c.palette {
            if !is_hex_colour(colour) {
                return Err(Error::Config {
                    origin: origin.to_string(),
                    message: format!(
                        "{}palette.{name} = \"{colour}\" is not a colour; write it as #RRGGBB",
                        at("palette", name)
                    ),
                });
            }
        }
        Ok(c)
    }

    /// Loads `name` (`default` or the embedded campaign's name) or a TOML file.
    pub fn load(spec: &str) -> Result<Campaign, Error> {
        let embedded = Campaign::embedded();
        if spec == "default" || spec == "migrants-day" || spec.eq_ignore_ascii_case(&embedded.name)
        {
            return Ok(embedded);
        }
        let path = Path::new(spec);
        let src =
            crate::error::read_input_text(path, "campaign file", crate::error::MAX_CONFIG_BYTES)?;
        let origin = path.display().to_string();
        let mut c = Campaign::from_toml(&src, &origin)?;
        // The template a campaign names: a built-in set, or a folder or .svg
        // file found from the campaign file's folder (as a batch file's
        // paths are from its folder). A missing one is this file's error.
        if !crate::embedded::template_names().contains(&c.template.as_str()) {
            let named = Path::new(&c.template);
            let resolved = match path.parent() {
                Some(dir) if named.is_relative() => dir.join(named),
                _ => named.to_path_buf(),
            };
            if !resolved.exists() {
                let line = crate::error::toml_key_line(&src, "", 0, "template")
                    .map(|l| format!("line {l}: "))
                    .unwrap_or_default();
                return Err(Error::Config {
                    origin,
                    message: format!(
                        "{line}template = \"{}\" is neither a built-in template nor a template folder or .svg file ({} does not exist); built-in templates: {}",
                        c.template,
                        resolved.display(),
                        crate::embedded::template_names().join(", ")
                    ),
                });
            }
            c.template = resolved.display().to_string();
        }
        // Colours a campaign leaves out come from the default palette.
        for (k, v) in embedded.palette {
            c.palette.entry(k).or_insert(v);
        }
        // Words a campaign leaves out (the countdown's, "We support") come
        // from the embedded campaign, language by language.
        for (tag, table) in embedded.text {
            let own = c.text.entry(tag).or_default();
            for (k, v) in table {
                if SHARED_KEYS.contains(&k.as_str()) && !own.contains_key(&k) {
                    own.insert(k, v);
                }
            }
        }
        Ok(c)
    }

    /// The campaign's values as template fields (`campaign.*`, `palette.*`).
    pub fn fields(&self) -> BTreeMap<String, String> {
        let mut f = BTreeMap::new();
        f.insert("campaign.name".into(), self.name.clone());
        f.insert("campaign.theme".into(), self.theme.clone());
        f.insert("campaign.date".into(), self.date.clone());
        f.insert("date".into(), self.date_label.clone());
        f.insert("week".into(), self.week_label.clone());
        f.insert("headline".into(), self.headline.clone());
        f.insert("theme".into(), self.theme.clone());
        for (k, v) in &self.palette {
            f.insert(format!("palette.{k}"), v.clone());
        }
        f.extend(self.words(&self.lang).fields);
        f
    }
}

impl Campaign {
    /// The campaign day as a date: the date as written.
    pub fn day(&self) -> Option<time::Date> {
        parse_date(&self.date)
    }

    /// The campaign day a countdown from `today` counts to: the date as
    /// written when the campaign pins its year (None once it has passed),
    /// else the next time its month and day come round (today included;
    /// 29 February waits for the next leap year).
    pub fn next_day(&self, today: time::Date) -> Option<time::Date> {
        let day = self.day()?;
        if self.pin_year {
            return (day >= today).then_some(day);
        }
        (today.year()..=today.year() + 8)
            .filter_map(|y| time::Date::from_calendar_date(y, day.month(), day.day()).ok())
            .find(|d| *d >= today)
    }

    /// Countdown fields for `today` in the main language: `days` (whole
    /// days to the campaign day), `countdown` ("6 days to #MigrantsDay"),
    /// `today` ("true" on the day). None when the campaign pins its year
    /// and the day has passed.
    pub fn countdown(&self, today: time::Date) -> Option<BTreeMap<String, String>> {
        let day = self.next_day(today)?;
        let words = self.words(&self.lang);
        Some(self.countdown_words(&words, (day - today).whole_days()))
    }

    /// A note for a countdown card when the count is longer than a
    /// campaign's run-up usually is (more than [`LONG_COUNTDOWN_DAYS`]):
    /// most often a `--date` typed with the wrong year or month.
    pub fn countdown_note(&self, today: time::Date) -> Option<crate::diag::Diagnostic> {
        let day = self.next_day(today)?;
        let n = (day - today).whole_days();
        (n > LONG_COUNTDOWN_DAYS).then(|| {
            crate::diag::Diagnostic::new(
                crate::diag::Kind::LongCountdown,
                format!(
                    "the countdown from {today} is {n} days, to {day}",
                ),
            )
            .field("days")
            .hint("check the date (--date, the date column or form field); give --field days=N to set the number yourself")
        })
    }
}

/// A countdown longer than this many days gets a note in the report.
pub const LONG_COUNTDOWN_DAYS: i64 = 60;

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    time::Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// `#RGB` or `#RRGGBB`.
pub fn is_hex_colour(s: &str) -> bool {
    let h = s.strip_prefix('#').unwrap_or("");
    (h.len() == 6 || h.len() == 3) && h.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_campaign_has_the_brief() {
        let c = Campaign::embedded();
        assert_eq!(c.hashtags, ["#ItTakesACommunity", "#MigrantsDay"]);
        assert_eq!(c.tags, ["@IOM_UK", "@UNMigration", "@IMIX_UK"]);
        assert_eq!(c.date, "2026-12-18");
    }

    #[test]
    fn countdown_counts_to_the_day() {
        let c = Campaign::embedded();
        let f = c.countdown(parse_date("2026-12-12").unwrap()).unwrap();
        assert_eq!(f["days"], "6");
        assert_eq!(f["countdown"], "6 days to #MigrantsDay");
        assert_eq!(f["today"], "");
        let f = c.countdown(parse_date("2026-12-17").unwrap()).unwrap();
        assert_eq!(f["countdown"], "1 day to #MigrantsDay");
        let f = c.countdown(parse_date("2026-12-18").unwrap()).unwrap();
        assert_eq!(f["countdown"], "Today is #MigrantsDay");
        assert_eq!(f["today"], "true");
        // After the day, the count runs to the next 18 December.
        let f = c.countdown(parse_date("2026-12-19").unwrap()).unwrap();
        assert_eq!(f["days"], "364");
        // Before the year the file names, too (issue 30: not 371 days).
        let f = c.countdown(parse_date("2025-12-12").unwrap()).unwrap();
        assert_eq!(f["days"], "6");
        assert!(c
            .countdown_note(parse_date("2025-12-12").unwrap())
            .is_none());
        let note = c.countdown_note(parse_date("2027-01-05").unwrap()).unwrap();
        assert_eq!(note.kind, crate::diag::Kind::LongCountdown);
        assert_eq!(
            note.message,
            "the countdown from 2027-01-05 is 347 days, to 2027-12-18"
        );
    }

    /// A campaign that pins its year counts to that day only.
    #[test]
    fn a_pinned_year_stops_after_the_day() {
        let mut c = Campaign::embedded();
        c.pin_year = true;
        assert_eq!(
            c.countdown(parse_date("2025-12-12").unwrap()).unwrap()["days"],
            "371"
        );
        assert!(c.countdown(parse_date("2026-12-19").unwrap()).is_none());
        assert!(c
            .countdown_note(parse_date("2026-12-19").unwrap())
            .is_none());
    }

    /// 29 February comes round in the next leap year.
    #[test]
    fn a_leap_day_waits_for_a_leap_year() {
        let mut c = Campaign::embedded();
        c.date = "2024-02-29".into();
        let d = c.next_day(parse_date("2025-03-01").unwrap()).unwrap();
        assert_eq!(d, parse_date("2028-02-29").unwrap());
    }

    #[test]
    fn bad_colour_is_named() {
        let e = Campaign::from_toml("name = \"x\"\n[palette]\nprimary = \"blue\"\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "c.toml: line 3: palette.primary = \"blue\" is not a colour; write it as #RRGGBB"
        );
    }
}
