//! Bilingual cards (issue 18): a story with its translation on story-quote
//! and photo-story, each text in its own direction and font, the original
//! kept the larger; alt text and captions carry both.

mod common;

use common::{book, postkit, postkit_in, root};
use postkit::fill::{fill, Filled};
use postkit::inputs::{Campaign, Platforms};
use postkit::plan::{plan, Defaults, Files, Input, Request};
use postkit::text::Direction;

const ARABIC: &str = "عندما وصلنا إلى بليموث لم نكن نعرف أحداً. استقبلنا المتطوعون في المحطة ووجدوا لنا بيتاً، والآن أعلّم العربية كل يوم سبت.";
const ENGLISH: &str = "When we arrived in Plymouth we knew nobody. Volunteers met us at the station and found us a home; now I teach Arabic every Saturday.";

/// One variant of each shape the two templates have.
const PLATFORMS: [&str; 6] = [
    "instagram-square",
    "instagram-portrait",
    "instagram-story",
    "x-post",
    "facebook-link",
    "x-header",
];

fn defaults() -> Defaults {
    Defaults {
        campaign: Campaign::embedded(),
        presets: Platforms::embedded(),
        templates: vec!["story-quote".into()],
        platforms: vec!["instagram-square".into()],
        today: time::macros::date!(2026 - 12 - 12),
        direction: Direction::Auto,
    }
}

fn request(columns: &[(&str, &str)]) -> Request {
    let files = Files::new(root().join("examples"));
    plan(
        &Input::from_columns(columns.iter().copied()),
        &defaults(),
        &files,
    )
    .unwrap_or_else(|e| panic!("{columns:?}: {e:?}"))
}

fn filled(r: &Request, platform: &str) -> Result<Filled, postkit::Error> {
    let p = Platforms::embedded().get(platform).unwrap().clone();
    fill(&r.templates[0], &p, &r.content, book())
}

/// The size (output px) a slot's text was set at.
fn size(f: &Filled, slot: &str) -> f32 {
    f.slots
        .iter()
        .find(|s| s.name == slot)
        .and_then(|s| s.font_size)
        .unwrap_or_else(|| panic!("no {slot} slot in {:?}", f.slots))
}

/// The `<text>` elements of a slot's group in a filled SVG.
fn texts<'a>(svg: &'a str, slot: &str) -> Vec<&'a str> {
    let start = svg
        .find(&format!("-{slot}\""))
        .unwrap_or_else(|| panic!("no {slot} group"));
    let end = start + svg[start..].find("</g>").unwrap();
    svg[start..end]
        .split("<text ")
        .skip(1)
        .map(|t| &t[..t.find('>').unwrap()])
        .collect()
}

/// An attribute of a tag as [`texts`] gives it (the name of the element left out).
fn attr<'a>(tag: &'a str, name: &str) -> &'a str {
    let at = if tag.starts_with(&format!("{name}=\"")) {
        name.len() + 2
    } else {
        tag.find(&format!(" {name}=\""))
            .unwrap_or_else(|| panic!("no {name} in {tag}"))
            + name.len()
            + 3
    };
    &tag[at..at + tag[at..].find('"').unwrap()]
}

/// The translation is never set larger than 0.7 of the story's size, and
/// the story never smaller than the translation, over short and long texts
/// on every shape of both templates; what does not fit names its slot.
#[test]
fn the_translation_stays_smaller_than_the_story() {
    let words = ENGLISH.split(' ').collect::<Vec<_>>();
    let arabic = ARABIC.split(' ').collect::<Vec<_>>();
    let mut compared = 0;
    for template in ["story-quote", "photo-story"] {
        for (s, t) in [(3, 3), (4, 22), (20, 4), (12, 12), (20, 22)] {
            let story = arabic[..s.min(arabic.len())].join(" ");
            let translation = words[..t.min(words.len())].join(" ");
            let r = request(&[
                ("org", "Plymouth Welcome Hub"),
                ("story", &story),
                ("translation", &translation),
                ("template", template),
                ("photo", "photo-community.jpg"),
            ]);
            for platform in PLATFORMS {
                match filled(&r, platform) {
                    Ok(f) => {
                        let (s, t) = (size(&f, "story"), size(&f, "translation"));
                        assert!(
                            t <= 0.7 * s + 0.02 && s >= t,
                            "{template} {platform}: story {s} px, translation {t} px"
                        );
                        compared += 1;
                    }
                    Err(e) => {
                        let m = e.to_string();
                        assert!(
                            m.starts_with("the story text does not fit")
                                || m.starts_with("the translation text does not fit"),
                            "{template} {platform}: {m}"
                        );
                    }
                }
            }
        }
    }
    assert!(compared >= 50, "only {compared} cards fitted");
}

/// Without a translation the story fills the whole box as before; with one
/// both show, and the story's box is shared.
#[test]
fn a_translation_adds_a_slot_and_nothing_else_without_one() {
    let alone = request(&[("org", "Hub"), ("story", ENGLISH)]);
    let both = request(&[("org", "Hub"), ("story", ENGLISH), ("translation", ARABIC)]);
    for platform in PLATFORMS {
        let a = filled(&alone, platform).unwrap();
        let b = filled(&both, platform).unwrap();
        assert!(
            !a.slots.iter().any(|s| s.name == "translation"),
            "{platform}"
        );
        assert!(!a.svg.contains("data-if=\"translation\""), "{platform}");
        assert_eq!(b.slots.iter().filter(|s| s.name == "story").count(), 1);
        assert!(size(&b, "story") <= size(&a, "story"), "{platform}");
        assert!(size(&b, "translation") > 0.0, "{platform}");
    }
}

/// The story's `dir` and `lang` are the story's: an English translation of
/// an Arabic story forced right to left still starts at the left edge, and
/// the translation's own language picks its face (Urdu in Nastaliq).
#[test]
fn each_text_keeps_its_own_direction_and_font() {
    let r = request(&[
        ("org", "Hub"),
        ("story", ARABIC),
        ("dir", "rtl"),
        ("lang", "ar"),
        ("translation", ENGLISH),
    ]);
    let f = filled(&r, "instagram-square").unwrap();
    let translation = texts(&f.svg, "translation");
    assert!(translation.len() >= 2, "{translation:?}");
    for t in &translation {
        assert_eq!(attr(t, "x"), "135", "start of an English line: {t}");
    }
    // The Arabic story's lines end at the right edge instead.
    let story = texts(&f.svg, "story");
    assert!(story.iter().all(|t| attr(t, "x") != "135"), "{story:?}");

    let urdu = "ہم برمنگھم آئے تو کسی کو نہیں جانتے تھے";
    let persian = "وقتی به بریستول آمدیم، همسایه‌ها با غذا آمدند";
    let nastaliq = |story: &str, lang: &str, translation: &str, tlang: &str| {
        let mut columns = vec![
            ("org", "Hub"),
            ("story", story),
            ("translation", translation),
        ];
        if !lang.is_empty() {
            columns.push(("lang", lang));
        }
        if !tlang.is_empty() {
            columns.push(("translation_lang", tlang));
        }
        let f = filled(&request(&columns), "instagram-square").unwrap();
        let faces = |slot| {
            texts(&f.svg, slot)
                .iter()
                .any(|t| attr(t, "font-family").contains("Nastaliq"))
        };
        (faces("story"), faces("translation"))
    };
    // An Urdu translation (said so) of an English story: Nastaliq below.
    assert_eq!(nastaliq(ENGLISH, "en", persian, "ur"), (false, true));
    // An Urdu story with a Persian translation: the story's `ur` stays the story's.
    assert_eq!(nastaliq(urdu, "ur", persian, ""), (true, false));
    // A Persian story with a Persian translation said to be Urdu.
    assert_eq!(nastaliq(persian, "fa", persian, "ur"), (false, true));
}

/// A translation direction given (`translation_dir`) wins over its text.
#[test]
fn a_translation_direction_can_be_forced() {
    let mixed = "IOM UK: ساعدونا في العثور على بيت";
    let at = |dir: &str| {
        let mut columns = vec![("org", "Hub"), ("story", ENGLISH), ("translation", mixed)];
        if !dir.is_empty() {
            columns.push(("translation_dir", dir));
        }
        let f = filled(&request(&columns), "instagram-square").unwrap();
        texts(&f.svg, "translation")
            .iter()
            .any(|t| attr(t, "x") == "135")
    };
    // From its first strong letter (Latin): starts at the left.
    assert!(at(""));
    // Forced right to left: the line ends at the right edge instead.
    assert!(!at("rtl"));
}

/// Alt text carries both texts, within each platform's limit; without a
/// translation it is what it was.
#[test]
fn alt_text_and_caption_carry_both_texts() {
    use postkit::accessibility::caption::{alt_text, caption, graphemes};
    let presets = Platforms::embedded();
    let r = request(&[
        ("org", "Plymouth Welcome Hub"),
        ("story", ARABIC),
        ("translation", ENGLISH),
    ]);
    let set = &r.templates[0];
    let square = presets.get("instagram-square").unwrap();
    let alt = alt_text(set, &r.content, square);
    assert_eq!(
        alt,
        format!(
            // The card's words follow the story's language (issue 27): the
            // campaign's Arabic pattern, the translation after its quote,
            // named in Arabic too.
            "بطاقة اقتباس من Plymouth Welcome Hub: «{ARABIC}» (الترجمة: «{ENGLISH}») #ItTakesACommunity #MigrantsDay"
        )
    );
    let c = caption(&r.content, square);
    assert!(
        c.starts_with(&format!(
            "{ARABIC}\n\n{ENGLISH} — Plymouth Welcome Hub\n\n#"
        )),
        "{c}"
    );

    // Short limits: both texts shortened, each keeping a share.
    let linkedin = presets.get("linkedin-post").unwrap();
    let alt = alt_text(set, &r.content, linkedin);
    assert!(graphemes(&alt) <= 120, "{alt}");
    assert!(alt.contains("(الترجمة: «When we"), "{alt}");
    assert!(alt.contains(": «عندما"), "{alt}");
    let x = presets.get("x-post").unwrap();
    let c = caption(&r.content, x);
    assert!(graphemes(&c) <= 280, "{c}");
    let (story, rest) = c.split_once("\n\n").unwrap();
    assert!(
        story.starts_with("عندما") && rest.starts_with("When we"),
        "{c}"
    );
    assert!(graphemes(story) > 40 && graphemes(rest) > 40, "{c}");

    // Without a translation: no trace of one.
    let alone = request(&[("org", "Plymouth Welcome Hub"), ("story", ARABIC)]);
    let alt = alt_text(set, &alone.content, square);
    assert_eq!(
        alt,
        format!("بطاقة اقتباس من Plymouth Welcome Hub: «{ARABIC}» #ItTakesACommunity #MigrantsDay")
    );
    assert!(!caption(&alone.content, square).contains("translation"));
}

/// `render --translation`, `--translation-file` and `--translation-lang`;
/// errors name the flag.
#[test]
fn render_takes_a_translation_from_flags_files_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let json = |r: &common::Run| -> serde_json::Value {
        assert_eq!(r.code, 0, "{}", r.stderr);
        serde_json::from_str(&r.stdout).unwrap()
    };
    let base = [
        "render",
        "--org",
        "Hub",
        "--story",
        ARABIC,
        "--platform",
        "instagram-square",
        "--json",
    ];
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        [base, extra].concat()
    }
    let v = json(&postkit(
        dir.path(),
        &with(&base, &["--translation", ENGLISH]),
    ));
    let alt = v["assets"][0]["alt"].as_str().unwrap();
    assert!(alt.contains(&format!("(الترجمة: «{ENGLISH}»)")), "{alt}");
    let slots = v["assets"][0]["slots"].as_array().unwrap();
    assert!(
        slots.iter().any(|s| s["name"] == "translation"),
        "{slots:?}"
    );

    std::fs::write(dir.path().join("t.txt"), "From a file.\n").unwrap();
    let v = json(&postkit(
        dir.path(),
        &with(&base, &["--translation-file", "t.txt"]),
    ));
    assert!(v["assets"][0]["alt"]
        .as_str()
        .unwrap()
        .contains("(الترجمة: «From a file.»)"));
    let v = json(&postkit_in(
        dir.path(),
        &with(
            &base,
            &["--translation-file", "-", "--translation-lang", "en"],
        ),
        Some("From standard input."),
    ));
    assert!(v["assets"][0]["alt"]
        .as_str()
        .unwrap()
        .contains("(الترجمة: «From standard input.»)"));

    // Errors, with the exit code and the flag they name.
    let story_and_translation_from_stdin = [
        "render",
        "--org",
        "Hub",
        "--story-file",
        "-",
        "--translation-file",
        "-",
    ];
    let cases: [(Vec<&str>, i32, &str); 3] = [
        (
            with(
                &base,
                &["--translation", "Hi", "--translation-lang", "English!"],
            ),
            2,
            "--translation-lang: 'English!' is not a language tag",
        ),
        (
            with(&base, &["--translation", "Hi", "--template", "countdown"]),
            2,
            "--translation: the countdown template has no place for a translation",
        ),
        (
            story_and_translation_from_stdin.to_vec(),
            1,
            "only one of --story-file and --translation-file",
        ),
    ];
    for (args, code, message) in cases {
        let r = postkit(dir.path(), &args);
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
    }
}

/// A translation too long for its box even at its smallest size is that
/// asset's error, naming the translation.
#[test]
fn a_translation_that_cannot_fit_names_its_slot() {
    let long = ENGLISH.repeat(6);
    let r = request(&[("org", "Hub"), ("story", "Short."), ("translation", &long)]);
    let e = filled(&r, "instagram-square").unwrap_err().to_string();
    assert!(
        e.starts_with(
            "the translation text does not fit the story-quote template on instagram-square"
        ),
        "{e}"
    );
}

/// A `translation` column (with `translation_lang`) in a batch; a row
/// without one is a card as before; a bad language names row and column.
#[test]
fn a_batch_takes_a_translation_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = format!(
        "org,story,translation,translation_lang,platform\n\
         Hub,\"{ARABIC}\",\"{ENGLISH}\",en,instagram-square\n\
         Hub Two,\"{ENGLISH}\",,,instagram-square\n\
         Hub Three,\"{ENGLISH}\",Salut,French!,instagram-square\n"
    );
    std::fs::write(dir.path().join("rows.csv"), csv).unwrap();
    let r = postkit(dir.path(), &["batch", "rows.csv", "--json", "--quiet"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let alts: Vec<&str> = v["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["alt"].as_str().unwrap())
        .collect();
    assert_eq!(alts.len(), 2, "{v}");
    assert!(
        alts.iter()
            .any(|a| a.contains(&format!("(الترجمة: «{ENGLISH}»)"))),
        "{alts:?}"
    );
    assert!(alts.iter().any(|a| !a.contains("translation")), "{alts:?}");
    let errors = v["errors"].to_string();
    assert!(
        errors.contains("translation_lang") && errors.contains("'French!' is not a language tag"),
        "{errors}"
    );
}

/// `data-size-ratio` above 1, or without `data-size-under`, is the
/// template's error, naming the slot and what to write.
#[test]
fn a_size_ratio_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    for (options, message) in [
        (
            r#"data-size-under="story" data-size-ratio="1.5""#,
            r#"slot 'translation': data-size-ratio="1.5" is not valid; use a number above 0 and at most 1"#,
        ),
        (
            r#"data-size-ratio="0.5""#,
            r#"slot 'translation': data-size-ratio="0.5" is not valid; use it with data-size-under"#,
        ),
    ] {
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1080 1080">
  <rect data-slot="story" x="100" y="100" width="880" height="400"/>
  <rect data-slot="translation" x="100" y="600" width="880" height="300" {options}/>
</svg>"#
        );
        std::fs::write(dir.path().join("card.svg"), svg).unwrap();
        let args = "render --org Hub --story Hi --translation Salut --template card.svg --platform instagram-square";
        let r = postkit(dir.path(), &args.split(' ').collect::<Vec<_>>());
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stderr.contains(message), "{}", r.stderr);
    }
}
