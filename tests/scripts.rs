//! Issue 18: every community's script. Each newly covered script renders
//! with `--strict` through the real binary; every line break postkit makes
//! in Thai, Lao, Khmer, Burmese and Japanese is one ICU's line segmenter
//! allows; Urdu is set in Nastaliq; and a lower minimum size never turns a
//! fitting text into a failure.

mod common;

use std::collections::BTreeSet;

use common::{book, line_ends, postkit, style};
use postkit::text::{self, Prepared};

/// A sentence in each script the issue adds (and the face it needs).
const NEW_SCRIPTS: &[(&str, &str, &str)] = &[
    (
        "gujarati",
        "Noto Sans Gujarati",
        "અમે લેસ્ટર આવ્યા ત્યારે પડોશીઓએ અમને ઘર શોધવામાં મદદ કરી.",
    ),
    (
        "sinhala",
        "Noto Sans Sinhala",
        "අපි ලන්ඩනයට ආවම අසල්වැසියන් අපට උදව් කළා.",
    ),
    (
        "burmese",
        "Noto Sans Myanmar",
        "ကျွန်ုပ်တို့ လန်ဒန်ကို ရောက်လာတဲ့အခါ အိမ်နီးချင်းတွေက ကူညီပေးခဲ့ကြတယ်။",
    ),
    ("shan", "Noto Sans Myanmar", "မႂ်ႇသုင်ၶႃႈ ၵူၼ်းတႆး ၼႂ်းလၼ်ႇတၼ်ႇ"),
    (
        "khmer",
        "Noto Sans Khmer",
        "នៅពេលយើងមកដល់ទីក្រុងឡុងដ៍ អ្នកជិតខាងបានជួយយើង។",
    ),
    (
        "lao",
        "Noto Sans Lao",
        "ເມື່ອພວກເຮົາມາຮອດລອນດອນ ເພື່ອນບ້ານໄດ້ຊ່ວຍເຫຼືອພວກເຮົາ.",
    ),
    (
        "telugu",
        "Noto Sans Telugu",
        "మేము లండన్ వచ్చినప్పుడు, పొరుగువారు మాకు సహాయం చేశారు.",
    ),
    (
        "kannada",
        "Noto Sans Kannada",
        "ನಾವು ಲಂಡನ್‌ಗೆ ಬಂದಾಗ ನೆರೆಹೊರೆಯವರು ನಮಗೆ ಸಹಾಯ ಮಾಡಿದರು.",
    ),
    (
        "malayalam",
        "Noto Sans Malayalam",
        "ഞങ്ങൾ ലണ്ടനിൽ എത്തിയപ്പോൾ അയൽക്കാർ ഞങ്ങളെ സഹായിച്ചു.",
    ),
    (
        "dhivehi",
        "Noto Sans Thaana",
        "އަހަރެމެން ލަންޑަނަށް އައިއިރު އަވަށްޓެރިން އެހީތެރިވެދިން.",
    ),
    (
        "syriac",
        "Noto Sans Syriac",
        "ܟܕ ܐܬܝܢ ܠܠܘܢܕܘܢ ܫܒܒܐ ܥܕܪܘܢ ܠܢ.",
    ),
    (
        "tamazight",
        "Noto Sans Tifinagh",
        "ⴰⵣⵓⵍ! ⵜⴰⵎⴰⵣⵉⵖⵜ ⴷ ⵜⵓⵜⵍⴰⵢⵜ ⵏⵏⵖ.",
    ),
    (
        "tibetan",
        "Noto Serif Tibetan",
        "ང་ཚོ་ལོན་ཊོན་ལ་སླེབས་དུས་ཁྱིམ་མཚེས་ཚོས་རོགས་རམ་བྱས་སོང་།",
    ),
    (
        "odia",
        "Noto Sans Oriya",
        "ଆମେ ଲଣ୍ଡନ ଆସିବା ବେଳେ ପଡ଼ୋଶୀମାନେ ଆମକୁ ସାହାଯ୍ୟ କଲେ।",
    ),
    ("fula-adlam", "Noto Sans Adlam", "𞤆𞤵𞤤𞤢𞤪 𞤊𞤵𞥅𞤼𞤢 𞤔𞤢𞤤𞤮𞥅"),
    (
        "urdu",
        "Noto Nastaliq Urdu",
        "جب ہم برمنگھم آئے تو پڑوسیوں نے ہمیں کھانے پر بلایا۔",
    ),
];

#[test]
fn each_new_script_renders_with_strict_and_no_missing_glyph() {
    for (name, _, story) in NEW_SCRIPTS {
        let dir = tempfile::tempdir().unwrap();
        let r = postkit(
            dir.path(),
            &[
                "render",
                "--org",
                "Community Hub",
                "--story",
                story,
                "--platform",
                "instagram-square",
                "--strict",
                "--json",
            ],
        );
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert!(!r.stdout.contains("U+"), "{name}: {}", r.stdout);
        let png = dir
            .path()
            .join("out/community-hub/story-quote-instagram-square.png");
        assert!(png.is_file(), "{name}: no image");
    }
}

#[test]
fn each_new_script_is_set_in_its_own_face() {
    let st = style(20.0, 20.0);
    for (name, family, story) in NEW_SCRIPTS {
        let block = Prepared::new(book(), story, &st).layout(4000.0, 400.0, &st);
        assert!(block.missing.is_empty(), "{name}: {:?}", block.missing);
        let faces: BTreeSet<&str> = block
            .lines
            .iter()
            .flat_map(|l| &l.runs)
            .map(|r| book().face(r.face).family.as_str())
            .collect();
        assert!(faces.contains(family), "{name}: set in {faces:?}");
    }
}

/// The family of the first run of `text` laid out with `lang`.
fn family_of(text: &str, lang: Option<&str>) -> String {
    let mut st = style(20.0, 20.0);
    st.lang = lang.map(str::to_string);
    let block = Prepared::new(book(), text, &st).layout(4000.0, 400.0, &st);
    book().face(block.lines[0].runs[0].face).family.clone()
}

#[test]
fn urdu_is_set_in_nastaliq_by_language_or_by_its_letters() {
    // Common to Urdu and Persian: only the language decides.
    let shared = "ما در لندن زندگی می کنیم";
    assert_eq!(family_of(shared, Some("ur")), "Noto Nastaliq Urdu");
    assert_eq!(family_of(shared, Some("ur-PK")), "Noto Nastaliq Urdu");
    assert_eq!(family_of(shared, None), "Noto Sans Arabic");
    assert_eq!(family_of(shared, Some("fa")), "Noto Sans Arabic");
    // Each letter only Urdu uses makes a text with no language Urdu.
    for c in ['ں', 'ے', 'ٹ', 'ڈ', 'ڑ'] {
        let t = format!("{shared} {c}");
        assert_eq!(family_of(&t, None), "Noto Nastaliq Urdu", "{c}");
        assert_eq!(family_of(&t, Some("fa")), "Noto Sans Arabic", "{c}");
    }
    // Arabic stays Naskh.
    assert_eq!(family_of("مرحبا بكم في لندن", None), "Noto Sans Arabic");
}

/// Texts in scripts without spaces between words (and Japanese).
const NO_SPACES: &[(&str, &str)] = &[
    ("thai", "เมื่อเรามาถึงลอนดอนเพื่อนบ้านช่วยเราหาบ้านและโรงเรียนให้ลูกๆ สถานที่แห่งนี้กลายเป็นบ้านของเรา และเราจะไปท่องเที่ยวด้วยกันทุกปี"),
    ("lao", "ເມື່ອພວກເຮົາມາຮອດລອນດອນເພື່ອນບ້ານໄດ້ຊ່ວຍເຫຼືອພວກເຮົາ ພວກເຮົາໄປທ່ອງທ່ຽວນຳກັນທຸກປີ"),
    ("khmer", "នៅពេលយើងមកដល់ទីក្រុងឡុងដ៍អ្នកជិតខាងបានជួយយើងរកផ្ទះនិងសាលារៀនសម្រាប់កូនៗ"),
    ("burmese", "ကျွန်ုပ်တို့လန်ဒန်ကိုရောက်လာတဲ့အခါအိမ်နီးချင်းတွေကအိမ်နဲ့ကျောင်းရှာဖို့ကူညီပေးခဲ့ကြတယ်"),
    ("japanese", "ロンドンに着いたとき、近所の人たちが「学校を探すのを手伝うよ」と言ってくれました。今では毎週土曜日に、日本語の教室を開いています。"),
];

#[test]
fn every_break_in_scripts_without_spaces_is_a_segmenter_boundary() {
    let icu = icu_segmenter::LineSegmenter::new_dictionary(Default::default());
    for (name, story) in NO_SPACES {
        let allowed: BTreeSet<usize> = icu.segment_str(story).collect();
        let mut breaks_seen = 0;
        for width in (60..=600).step_by(20) {
            let st = style(16.0, 16.0);
            let block = Prepared::new(book(), story, &st).layout(width as f32, 4000.0, &st);
            assert!(block.fits, "{name} at {width}");
            let ends = line_ends(story, &block);
            breaks_seen += ends.len();
            if block.broken_words.is_empty() {
                for e in &ends {
                    assert!(
                        allowed.contains(e),
                        "{name} at {width}: break at {e}, inside {:?}|{:?}",
                        &story[..*e],
                        &story[*e..]
                    );
                }
            }
        }
        assert!(breaks_seen > 20, "{name}: only {breaks_seen} breaks made");
    }
}

#[test]
fn the_splits_the_issue_saw_are_never_made() {
    // สถา|นที่ (Thai, "place") and ທ່ອງທ່|ຽວ (Lao, "to travel") split
    // syllables. ICU's dictionaries may break these compounds between their
    // words (สถาน|ที่, ທ່ອງ|ທ່ຽວ), never there.
    for (story, word, bad) in [
        (NO_SPACES[0].1, "สถานที่", "สถา"),
        (NO_SPACES[1].1, "ທ່ອງທ່ຽວ", "ທ່ອງທ່"),
    ] {
        let bad_at = story.find(word).unwrap() + bad.len();
        let mut lines_seen = 0;
        for width in (80..=400).step_by(3) {
            let st = style(16.0, 16.0);
            let block = Prepared::new(book(), story, &st).layout(width as f32, 4000.0, &st);
            assert!(block.broken_words.is_empty(), "{word} at {width}");
            let ends = line_ends(story, &block);
            lines_seen += ends.len();
            assert!(!ends.contains(&bad_at), "{bad}| at width {width}");
        }
        assert!(lines_seen > 100, "{word}: only {lines_seen} lines");
    }
}

#[test]
fn japanese_lines_keep_their_line_start_and_line_end_rules() {
    let story = NO_SPACES[4].1;
    let no_start = "、。，．）」』！？ーぁぃぅぇぉっゃゅょァィゥェォッャュョ々";
    let no_end = "（「『";
    for width in (60..=600).step_by(7) {
        let st = style(16.0, 16.0);
        let block = Prepared::new(book(), story, &st).layout(width as f32, 4000.0, &st);
        for e in line_ends(story, &block) {
            let next = story[e..].chars().next().unwrap();
            let prev = story[..e].chars().next_back().unwrap();
            assert!(
                !no_start.contains(next),
                "line starts with {next} at {width}"
            );
            assert!(!no_end.contains(prev), "line ends with {prev} at {width}");
        }
    }
}

/// Stories of several scripts and lengths for the fit-search tests.
fn fit_texts() -> Vec<String> {
    let urdu = "جب ہم پہلی بار برمنگھم آئے تو ہم کسی کو نہیں جانتے تھے۔ سردیوں کی ایک ٹھنڈی شام پڑوس کی ایک خاتون ہمارے دروازے پر گرم کھانا لے کر آئیں۔ انہوں نے ہمیں مقامی مسجد اور کمیونٹی سینٹر کا راستہ دکھایا۔";
    let mut texts: Vec<String> = vec![
        urdu.to_string(),
        "عندما وصلنا إلى بليموث لم نكن نعرف أحداً. استقبلنا المتطوعون في المحطة ووجدوا لنا بيتاً. #ItTakesACommunity".into(),
        "When we arrived in Plymouth we knew nobody. The volunteers at the hub met us at the station and found us a home.".into(),
        "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch welcomed us".into(),
    ];
    texts.extend(NO_SPACES.iter().map(|(_, t)| t.to_string()));
    texts.extend(NEW_SCRIPTS.iter().map(|(_, _, t)| t.to_string()));
    texts
}

#[test]
fn a_lower_minimum_never_turns_a_fitting_text_into_a_failure() {
    let mins = [30.0, 24.0, 20.0, 16.0, 14.0, 12.0, 10.0, 8.0];
    let mut fitted = 0;
    let mut failed = 0;
    for text in fit_texts() {
        let prepared = Prepared::new(book(), &text, &style(8.0, 48.0));
        for bw in (100..=500).step_by(50) {
            for bh in [90.0, 240.0, 1000.0] {
                let mut fitting_min: Option<f32> = None;
                for min in mins {
                    let block = prepared.layout(bw as f32, bh, &style(min, 48.0));
                    if let Some(m) = fitting_min {
                        assert!(
                            block.fits,
                            "{text:?} in {bw}x{bh}: fits with min {m}, not with min {min} ({:?})",
                            block.overflow
                        );
                    }
                    if block.fits {
                        fitting_min.get_or_insert(min);
                        assert!(block.font_size >= min && block.font_size <= 48.0);
                        assert!(block.overflow.is_none());
                        fitted += 1;
                    } else {
                        assert!(block.overflow.is_some(), "{text:?}: no reason given");
                        failed += 1;
                    }
                }
            }
        }
    }
    // Both outcomes occur, so the property was really exercised.
    assert!(
        fitted > 100 && failed > 100,
        "{fitted} fitted, {failed} failed"
    );
}

#[test]
fn the_overflow_names_the_constraint_that_failed() {
    let long = "When we arrived in Plymouth we knew nobody. The volunteers met us at the station.";
    // Too many lines for the slot's maximum.
    let mut st = style(20.0, 40.0);
    st.max_lines = Some(1);
    let b = Prepared::new(book(), long, &st).layout(300.0, 1000.0, &st);
    assert!(
        matches!(b.overflow, Some(text::Overflow::Lines { allowed: 1, needed }) if needed > 1),
        "{:?}",
        b.overflow
    );
    // Too tall for the box.
    let st = style(20.0, 40.0);
    let b = Prepared::new(book(), long, &st).layout(300.0, 60.0, &st);
    assert!(
        matches!(b.overflow, Some(text::Overflow::Height { needed, room }) if needed > room),
        "{:?}",
        b.overflow
    );
    // A single character wider than the box.
    let b = Prepared::new(book(), "W", &st).layout(10.0, 1000.0, &st);
    assert!(
        matches!(&b.overflow, Some(text::Overflow::Width { text }) if text == "W"),
        "{:?}",
        b.overflow
    );
}
