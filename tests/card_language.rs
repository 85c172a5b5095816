//! Issue 27: the alt text and caption follow the card's language for what
//! the campaign says (the template's alt pattern in that language, the
//! day's name, the countdown, the date), the story stays as written; and bad
//! campaign text (a missing plural form, a text the language lacks, an
//! unknown tag) is named with its file, key and language while the card
//! renders in the main language. All through the real binary.

mod common;

use std::path::Path;

use common::postkit;

const ORG: &str = "Plymouth Welcome Hub";
const STORY_AR: &str = "عندما وصلنا إلى بليموث لم نكن نعرف أحدًا.";

/// Renders one size of `template` into `dir` and returns (alt, caption,
/// stderr).
fn render(dir: &Path, template: &str, extra: &[&str]) -> (String, String, String) {
    let mut args = vec![
        "render",
        "--org",
        ORG,
        "--template",
        template,
        "--platform",
        "instagram-square",
    ];
    args.extend(extra);
    let r = postkit(dir, &args);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    let base = dir.join(format!(
        "out/plymouth-welcome-hub/{template}-instagram-square.png"
    ));
    let read = |suffix: &str| {
        let path = format!("{}.{suffix}", base.display());
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    (read("alt.txt"), read("caption.txt"), r.stderr)
}

/// Writes `week.toml`: a campaign of its own (Refugee Week, English) with
/// `tables` after it.
fn week(dir: &Path, tables: &str) {
    let head = "name = \"Refugee Week\"\ndate = \"2026-06-15\"\nhashtags = [\"#RefugeeWeek\"]\n\n";
    std::fs::write(dir.join("week.toml"), format!("{head}{tables}")).unwrap();
}

#[test]
fn an_arabic_story_gets_arabic_alt_text_and_caption_around_it() {
    let dir = tempfile::tempdir().unwrap();
    let (alt, caption, _) = render(dir.path(), "story-quote", &["--story", STORY_AR]);
    assert!(
        alt.starts_with("بطاقة اقتباس من Plymouth Welcome Hub: «"),
        "{alt}"
    );
    assert!(alt.contains(STORY_AR), "the story as written: {alt}");
    assert!(caption.starts_with(STORY_AR), "{caption}");

    // The countdown: the frame, the count and the day's name in Arabic.
    let (alt, caption, _) = render(
        dir.path(),
        "countdown",
        &["--lang", "ar", "--field", "days=3", "--date", "2026-12-15"],
    );
    assert!(
        alt.starts_with("عدّ تنازلي من Plymouth Welcome Hub: "),
        "{alt}"
    );
    assert!(alt.contains("اليوم الدولي للمهاجرين"), "{alt}");
    assert!(
        !alt.contains("Countdown") && !alt.contains("Week of"),
        "{alt}"
    );
    assert!(caption.contains("اليوم الدولي للمهاجرين"), "{caption}");
    assert!(!caption.contains("International Migrants Day"), "{caption}");
    // Hashtags are never translated.
    assert!(caption.contains("#ItTakesACommunity"), "{caption}");
}

/// --card-lang chooses the frame: an English frame around an Arabic story.
#[test]
fn card_lang_chooses_an_english_frame_for_an_arabic_story() {
    let dir = tempfile::tempdir().unwrap();
    let (alt, _, _) = render(
        dir.path(),
        "story-quote",
        &["--story", STORY_AR, "--card-lang", "en"],
    );
    assert!(
        alt.starts_with("Quote card from Plymouth Welcome Hub: \""),
        "{alt}"
    );
    assert!(alt.contains(STORY_AR), "{alt}");
}

#[test]
fn a_french_badge_says_it_in_french() {
    let dir = tempfile::tempdir().unwrap();
    let (alt, caption, _) = render(dir.path(), "supporter-badge", &["--card-lang", "fr"]);
    assert!(
        alt.starts_with("Plymouth Welcome Hub soutient #ItTakesACommunity pour la Journée internationale des migrants, 18 décembre"),
        "{alt}"
    );
    assert!(
        caption.starts_with("Plymouth Welcome Hub soutient #ItTakesACommunity pour la Journée internationale des migrants, 18 décembre."),
        "{caption}"
    );
}

/// A language the templates have no alt pattern in (Ukrainian): the main
/// language's pattern, with the campaign's words in Ukrainian.
#[test]
fn a_language_without_an_alt_pattern_keeps_the_main_one() {
    let dir = tempfile::tempdir().unwrap();
    let (alt, _, _) = render(dir.path(), "supporter-badge", &["--card-lang", "uk"]);
    assert!(
        alt.starts_with("Plymouth Welcome Hub supports #ItTakesACommunity for "),
        "{alt}"
    );
    assert!(alt.contains("грудня"), "the date in Ukrainian: {alt}");
}

/// A campaign whose Arabic table lacks plural forms Arabic needs: the card
/// renders, its countdown in the main language, and the warning names the
/// file, line, table, key and language.
#[test]
fn a_missing_plural_form_is_named_and_the_main_language_stands_in() {
    let dir = tempfile::tempdir().unwrap();
    week(
        dir.path(),
        "[text.ar]\nname = \"أسبوع اللاجئين\"\ndays = { one = \"يوم\", other = \"يوم\" }\n",
    );
    let (alt, _, stderr) = render(
        dir.path(),
        "countdown",
        &[
            "--campaign",
            "week.toml",
            "--card-lang",
            "ar",
            "--field",
            "days=3",
        ],
    );
    assert!(
        stderr.contains("week.toml: line 7: [text.ar] days lacks the plural forms zero, two, few, many (Arabic (ar) needs zero, one, two, few, many, other); the card uses the English (en-GB) text"),
        "{stderr}"
    );
    assert!(
        alt.contains("أسبوع اللاجئين"),
        "the table's own name stays: {alt}"
    );
    // The JSON report keeps the warning with its kind and key.
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            ORG,
            "--template",
            "countdown",
            "--platform",
            "instagram-square",
            "--campaign",
            "week.toml",
            "--card-lang",
            "ar",
            "--field",
            "days=3",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("\"campaign_text\"") && r.stdout.contains("\"text.ar.days\""),
        "the report keeps the warning: {}",
        r.stdout
    );
}

/// A template naming a text the campaign lacks in the card's language:
/// that text in the main language, and a warning naming the file, the
/// table and the key.
#[test]
fn a_text_missing_in_the_language_is_named() {
    let dir = tempfile::tempdir().unwrap();
    week(dir.path(), "[text.pl]\nuntil = \"do {tag}\"\n");
    let (alt, _, stderr) = render(
        dir.path(),
        "supporter-badge",
        &["--campaign", "week.toml", "--card-lang", "pl"],
    );
    assert!(
        stderr.contains("week.toml: [text.pl] has no ")
            && stderr.contains(" name, ")
            && stderr.contains("in English (en-GB) on this card; add "),
        "{stderr}"
    );
    assert!(
        alt.contains("Refugee Week"),
        "the main language's name: {alt}"
    );
    assert!(alt.contains("15 czerwca"), "the date in Polish: {alt}");
}

/// An unknown tag: a table named by one is left out with a warning naming
/// the file and line; a language the campaign lacks falls back with a
/// note; a --card-lang that is no tag at all is an error naming the flag.
#[test]
fn unknown_language_tags_are_named() {
    let dir = tempfile::tempdir().unwrap();
    week(dir.path(), "[text.arabic]\nname = \"x\"\n");
    let (alt, _, stderr) = render(dir.path(), "supporter-badge", &["--campaign", "week.toml"]);
    assert!(
        stderr.contains("week.toml: line 5: [text.arabic]: 'arabic' is not a language tag"),
        "{stderr}"
    );
    assert!(alt.contains("Refugee Week"), "{alt}");

    let (alt, _, stderr) = render(dir.path(), "supporter-badge", &["--card-lang", "ti"]);
    assert!(
        stderr.contains("the campaign has no words in Tigrinya (ti)"),
        "{stderr}"
    );
    assert!(alt.contains("International Migrants Day"), "{alt}");

    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            ORG,
            "--template",
            "supporter-badge",
            "--card-lang",
            "not a tag!",
        ],
    );
    assert_eq!(r.code, 2, "a usage error: {}", r.stderr);
    assert!(
        r.stderr
            .contains("--card-lang: 'not a tag!' is not a language tag"),
        "{}",
        r.stderr
    );
}
