//! Text in every language: shaped, ordered, broken and fitted — proved on the
//! rendered pixels, with the real fonts and the real renderer.

mod common;

use common::{book, engine, style};
use postkit::fill::Content;
use postkit::platform::Platform;
use postkit::text::{self, Direction, Prepared};
use postkit::TemplateSet;
use proptest::prelude::*;

/// One sample per script the kit promises, plus mixed samples.
const SAMPLES: &[(&str, &str)] = &[
    ("english", "When we arrived in Plymouth we knew nobody. Now our neighbours teach us to bake saffron buns."),
    ("greek", "Όταν φτάσαμε στην Αθήνα, οι γείτονες μας έφεραν φαγητό και μας βοήθησαν να βρούμε σχολείο."),
    ("ukrainian", "Коли ми приїхали до Лідса, бібліотека стала нашим другим домом. Тепер я волонтерка там щосуботи."),
    ("arabic", "عندما وصلنا إلى بليموث لم نكن نعرف أحداً. استقبلنا المتطوعون في المحطة ووجدوا لنا بيتاً."),
    ("persian-latin", "وقتی به بریستول آمدیم، همسایه‌ها با غذا به دیدن ما آمدند. #ItTakesACommunity @IOM_UK ۱۴۰۲ 2024"),
    ("urdu", "جب ہم برمنگھم آئے تو پڑوسیوں نے ہمیں کھانے پر بلایا۔ اب ہم مل کر عید مناتے ہیں۔"),
    ("pashto", "کله چې موږ لندن ته راغلو، ګاونډیانو له موږ سره مرسته وکړه."),
    ("sorani", "کاتێک گەیشتینە لیدز، دراوسێکان یارمەتییان داین."),
    ("hebrew", "כשהגענו ללונדון, השכנים עזרו לנו למצוא בית ובית ספר לילדים."),
    ("tigrinya", "ናብ ብሪስቶል ምስ መጻእና ጎረባብትና ብፍቕሪ ተቐቢሎምና። ሕጂ ኣብ ቤት ትምህርቲ ቋንቋ ትግርኛ ንምህር ኣለና።"),
    ("amharic", "ወደ ለንደን ስንመጣ ጎረቤቶቻችን በደስታ ተቀበሉን።"),
    ("hindi", "जब हम लेस्टर आए, तो पड़ोसियों ने हमें दिवाली पर अपने घर बुलाया। अब हम साथ मिलकर त्योहार मनाते हैं।"),
    ("bengali", "আমরা যখন লন্ডনে এলাম, প্রতিবেশীরা আমাদের সাহায্য করেছিল।"),
    ("tamil", "நாங்கள் லண்டனுக்கு வந்தபோது, அண்டை வீட்டார் எங்களுக்கு உதவினார்கள்."),
    ("punjabi", "ਜਦੋਂ ਅਸੀਂ ਬਰਮਿੰਘਮ ਆਏ, ਗੁਆਂਢੀਆਂ ਨੇ ਸਾਡੀ ਮਦਦ ਕੀਤੀ।"),
    ("thai", "เมื่อเรามาถึงลอนดอน เพื่อนบ้านช่วยเราหาบ้านและโรงเรียนให้ลูก ๆ"),
    ("chinese", "我们刚到曼彻斯特的时候，一个人也不认识。现在，每个星期六我们都在社区中心教孩子们写书法。"),
    ("chinese-traditional", "我們剛到倫敦的時候，鄰居們幫助我們找到了學校。"),
    ("japanese", "ロンドンに着いたとき、近所の人たちが学校を探すのを手伝ってくれました。"),
    ("korean", "우리가 런던에 도착했을 때 이웃들이 학교를 찾도록 도와주었습니다."),
    ("somali", "Markii aan imid Bristol, deriskayagu waxay na caawiyeen inaan helno guri iyo iskuul."),
    ("vietnamese", "Khi chúng tôi đến Luân Đôn, hàng xóm đã giúp chúng tôi tìm trường học cho các con."),
    ("emoji", "Our Saturday team 🏟️⚽ has players from 11 countries 🇸🇾🇺🇦🇪🇷 — and the best fans 👏🏽👨‍👩‍👧‍👦❤️!"),
    ("mixed", "Hello مرحبا שלום Привет 你好 नमस्ते ሰላም #ItTakesACommunity https://example.org/stories/2024"),
];

/// A one-slot template: white canvas, the slot's text in a dark violet.
fn probe_template(w: u32, h: u32, slot: (u32, u32, u32, u32), opts: &str) -> TemplateSet {
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" data-background="#FFFFFF"><rect data-slot="story" x="{}" y="{}" width="{}" height="{}" data-fill="#5500AA" {opts}/></svg>"##,
        slot.0, slot.1, slot.2, slot.3
    );
    TemplateSet::from_files("probe", &[("probe.svg".into(), svg)], None).unwrap()
}

fn platform(w: u32, h: u32) -> Platform {
    Platform::custom("probe", w, h)
}

struct Probe {
    /// Ink pixels outside the slot.
    outside: Vec<(u32, u32)>,
    /// Ink pixels inside.
    inside: usize,
    warnings: Vec<String>,
}

/// Renders `story` into the slot and counts ink inside and outside it.
fn probe(
    story: &str,
    w: u32,
    h: u32,
    slot: (u32, u32, u32, u32),
    opts: &str,
) -> Result<Probe, String> {
    let set = probe_template(w, h, slot, opts);
    let mut content = Content::default();
    content.fields.insert("story".into(), text::clean(story));
    let asset = engine()
        .render(&set, &platform(w, h), &content)
        .map_err(|e| e.to_string())?;
    let img = image::load_from_memory(&asset.bytes).unwrap().to_rgba8();
    let (x0, y0, x1, y1) = (slot.0, slot.1, slot.0 + slot.2, slot.1 + slot.3);
    let mut outside = Vec::new();
    let mut inside = 0;
    for (x, y, p) in img.enumerate_pixels() {
        if p.0 != [255, 255, 255, 255] {
            if x >= x0 && x < x1 && y >= y0 && y < y1 {
                inside += 1;
            } else {
                outside.push((x, y));
            }
        }
    }
    Ok(Probe {
        outside,
        inside,
        warnings: asset.diagnostics.iter().map(|d| d.to_string()).collect(),
    })
}

#[test]
fn every_script_stays_inside_its_slot_with_no_missing_glyph() {
    for (name, story) in SAMPLES {
        for (slot, opts) in [
            (
                (40, 40, 520, 320),
                r#"data-font-size-min="10" data-font-size-max="90""#,
            ),
            (
                (30, 200, 240, 180),
                r#"data-font-size-min="8" data-font-size-max="60" data-align="center" data-valign="middle""#,
            ),
            (
                (100, 20, 460, 90),
                r#"data-font-size-min="4" data-font-size-max="200" data-align="end" data-valign="bottom""#,
            ),
        ] {
            let p = probe(story, 600, 400, slot, opts).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                p.outside.is_empty(),
                "{name} in {slot:?}: {} ink px outside, first {:?}",
                p.outside.len(),
                &p.outside[..p.outside.len().min(5)]
            );
            assert!(
                p.inside > 200,
                "{name} in {slot:?}: almost nothing drawn ({} px)",
                p.inside
            );
            assert!(
                p.warnings.is_empty(),
                "{name} in {slot:?}: {:?}",
                p.warnings
            );
        }
    }
}

#[test]
fn the_chosen_size_is_the_largest_that_fits() {
    for (name, story) in SAMPLES {
        let st = style(8.0, 120.0);
        let prepared = Prepared::new(book(), &text::clean(story), &st);
        let block = prepared.layout(500.0, 300.0, &st);
        assert!(block.fits, "{name}");
        assert!(block.broken_words.is_empty(), "{name}");
        if block.font_size < 120.0 {
            let bigger = block.font_size + 0.5;
            let st2 = style(bigger, bigger);
            let b2 = prepared.layout(500.0, 300.0, &st2);
            assert!(
                !b2.fits || !b2.broken_words.is_empty(),
                "{name}: {} fits but {} was chosen",
                bigger,
                block.font_size
            );
        }
    }
}

/// The texts of one line's runs, left to right, with direction marks removed.
fn visual(block: &text::TextBlock, line: usize) -> Vec<String> {
    block.lines[line]
        .runs
        .iter()
        .map(|r| r.text.replace('\u{200F}', "").trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

#[test]
fn a_mixed_rtl_line_is_in_visual_order() {
    let st = style(20.0, 20.0);
    let story = "نحن فخورون #ItTakesACommunity مع @IOM_UK منذ 2019";
    let block = Prepared::new(book(), story, &st).layout(2000.0, 100.0, &st);
    assert_eq!(block.lines.len(), 1);
    assert!(block.lines[0].rtl);
    // Reading right to left: نحن فخورون, #ItTakesACommunity, مع, @IOM_UK, منذ, 2019.
    assert_eq!(
        visual(&block, 0),
        [
            "2019",
            "منذ",
            "@IOM_UK",
            "مع",
            "#ItTakesACommunity",
            "نحن فخورون"
        ]
    );
    // Start alignment is the right edge for an RTL paragraph.
    let last = block.lines[0].runs.last().unwrap();
    assert!(
        (last.x + last.width - 2000.0).abs() < 1.0,
        "ends at {}",
        last.x + last.width
    );
}

#[test]
fn an_arabic_hashtag_keeps_its_hash_on_the_right() {
    let st = style(20.0, 20.0);
    let block = Prepared::new(book(), "Join us #معا today", &st).layout(2000.0, 100.0, &st);
    assert!(!block.lines[0].rtl);
    let runs = visual(&block, 0);
    // The RTL tag is isolated: its '#' comes first in reading order, so it is
    // drawn at its right edge, whichever face draws it.
    let tag = runs[1..runs.len() - 1].concat();
    assert_eq!(runs[0], "Join us");
    assert_eq!(tag, "معا#", "{runs:?}");
    assert_eq!(runs.last().unwrap(), "today");
}

#[test]
fn explicit_direction_overrides_the_first_strong_character() {
    let mut st = style(20.0, 20.0);
    st.direction = Direction::Rtl;
    let block = Prepared::new(book(), "Hello مرحبا", &st).layout(2000.0, 100.0, &st);
    assert!(block.lines[0].rtl);
    assert_eq!(visual(&block, 0), ["مرحبا", "Hello"]);
    st.direction = Direction::Auto;
    let block = Prepared::new(book(), "Hello مرحبا", &st).layout(2000.0, 100.0, &st);
    assert!(!block.lines[0].rtl);
    assert_eq!(visual(&block, 0), ["Hello", "مرحبا"]);
}

fn line_texts(block: &text::TextBlock) -> Vec<String> {
    block
        .lines
        .iter()
        .map(|l| {
            l.runs
                .iter()
                .map(|r| r.text.replace('\u{200F}', ""))
                .collect::<String>()
        })
        .collect()
}

#[test]
fn hashtags_handles_urls_and_emails_are_never_split() {
    let tokens = [
        "#ItTakesACommunity",
        "@UNMigration",
        "https://example.org/stories/it-takes-a-community",
        "hello@welcomehub.org.uk",
    ];
    let story = format!(
        "Share with {} and {} at {} or {} today",
        tokens[0], tokens[1], tokens[2], tokens[3]
    );
    for width in [380.0, 450.0, 600.0, 900.0] {
        let st = style(14.0, 30.0);
        let block = Prepared::new(book(), &story, &st).layout(width, 1000.0, &st);
        assert!(block.fits);
        let lines = line_texts(&block);
        for t in tokens {
            assert!(
                lines.iter().any(|l| l.contains(t)),
                "{t} split at width {width}: {lines:?}"
            );
        }
    }
}

#[test]
fn tags_with_combining_marks_are_kept_whole() {
    let text = "हम #नमस्ते_दोस्तों और #مَعًا कहते हैं";
    let tokens: Vec<&str> = text::layout::protected_tokens(text)
        .into_iter()
        .map(|r| &text[r])
        .collect();
    assert_eq!(tokens, ["#नमस्ते_दोस्तों", "#مَعًا"]);
}

#[test]
fn newlines_are_paragraph_breaks() {
    let st = style(20.0, 20.0);
    let block =
        Prepared::new(book(), "First.\nSecond.\n\n\nThird.", &st).layout(2000.0, 1000.0, &st);
    assert_eq!(line_texts(&block), ["First.", "Second.", "", "Third."]);
}

#[test]
fn lines_are_balanced_with_no_orphan() {
    let st = style(30.0, 30.0);
    let story = "We found a home in a city that welcomed us";
    let block = Prepared::new(book(), story, &st).layout(620.0, 1000.0, &st);
    let lines = line_texts(&block);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[1].split(' ').count() >= 3,
        "orphan on the last line: {lines:?}"
    );
    let widths: Vec<f32> = block
        .lines
        .iter()
        .map(|l| l.runs.iter().map(|r| r.width).sum())
        .collect();
    assert!(
        (widths[0] - widths[1]).abs() < widths[0] * 0.5,
        "{widths:?}"
    );
}

#[test]
fn an_overlong_word_is_broken_as_a_last_resort_with_a_warning() {
    let p = probe(
        "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
        600,
        400,
        (20, 20, 200, 300),
        r#"data-font-size-min="30" data-font-size-max="40""#,
    )
    .unwrap();
    assert!(p.outside.is_empty());
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert_eq!(
        p.warnings[0],
        "slot story: the word 'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch' is too long for the box and was broken inside"
    );
}

#[test]
fn thai_without_spaces_breaks_between_clusters_without_a_warning() {
    let p = probe(
        "เมื่อเรามาถึงลอนดอนเพื่อนบ้านช่วยเราหาบ้านและโรงเรียนให้ลูก",
        600,
        400,
        (20, 20, 300, 300),
        r#"data-font-size-min="20" data-font-size-max="30""#,
    )
    .unwrap();
    assert!(p.outside.is_empty());
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn missing_glyphs_are_reported_with_slot_and_code_points() {
    // Cherokee and Ol Chiki: no embedded font has them.
    let p = probe("Hello ᏣᎳᎩ ᱚ", 600, 400, (20, 20, 500, 300), "").unwrap();
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert_eq!(
        p.warnings[0],
        "slot story: no font has U+13E3 U+13B3 U+13A9 U+1C5A (ᏣᎳᎩᱚ); add a font that covers them with --font"
    );
}

#[test]
fn cjk_faces_follow_the_language() {
    let st = style(20.0, 20.0);
    let face = |text: &str, lang: Option<&str>| {
        let mut s = st.clone();
        s.lang = lang.map(str::to_string);
        let b = Prepared::new(book(), text, &s).layout(2000.0, 100.0, &s);
        book().face(b.lines[0].runs[0].face).family.clone()
    };
    assert_eq!(face("我们的社区", None), "Noto Sans CJK SC");
    assert_eq!(face("我們的社區", Some("zh-Hant")), "Noto Sans CJK TC");
    assert_eq!(face("私たちの地域", None), "Noto Sans CJK JP");
    assert_eq!(face("우리 지역", None), "Noto Sans CJK KR");
    assert_eq!(face("👨‍👩‍👧‍👦", None), "Noto Color Emoji");
    assert_eq!(face("مرحبا", None), "Noto Sans Arabic");
    assert_eq!(face("ሰላም", None), "Noto Sans Ethiopic");
}

/// Random stories drawn from the kit's scripts.
fn word_from(alphabet: &'static str) -> impl Strategy<Value = String> {
    let chars: Vec<char> = alphabet.chars().collect();
    proptest::collection::vec(proptest::sample::select(chars), 1..12)
        .prop_map(|v| v.into_iter().collect())
}

fn any_word() -> impl Strategy<Value = String> {
    prop_oneof![
        word_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüñç0123456789"),
        word_from("абвгдежзийклмнопрстуфхцчшщьюяєіїґ"),
        word_from("ابتثجحخدذرزسشصضطظعغفقكلمنهوي"),
        word_from("پچژکگیۀ۱۲۳"),
        word_from("אבגדהוזחטיכלמנסעפצקרשת"),
        word_from("ሀለሐመሠረሰሸቀበተቸኀነኘአከኸወዐዘዠየደጀገጠጨጰጸፀፈፐ"),
        word_from("कखगघचछजझटठडढणतथदधनपफबभमयरलवशसह"),
        word_from("我们社区中心每个星期六孩子学习"),
        word_from("กขคงจฉชซญดตถทธนบปผพฟภมยรลวศษสหอฮ"),
        Just("#ItTakesACommunity".to_string()),
        Just("@IOM_UK".to_string()),
        Just("🇺🇦".to_string()),
        Just("👏🏽".to_string()),
        Just("2024".to_string()),
    ]
}

proptest! {
    // A fixed seed: CI must not pass or fail by luck. The input a random seed
    // found is kept below as a known bug.
    #![proptest_config(ProptestConfig {
        cases: 40,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x9057_4b17),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_multiscript_text_never_leaves_its_slot(
        words in proptest::collection::vec(any_word(), 1..40),
        w in 120u32..560,
        h in 60u32..360,
        align in 0usize..3,
    ) {
        let story = words.join(" ");
        let align = ["start", "center", "end"][align];
        let opts = format!(r#"data-font-size-min="6" data-font-size-max="80" data-align="{align}" data-valign="middle""#);
        match probe(&story, 600, 400, (20, 20, w, h), &opts) {
            Ok(p) => {
                prop_assert!(p.outside.is_empty(), "{} px outside for {:?}", p.outside.len(), story);
                prop_assert!(p.inside > 0);
            }
            Err(e) => prop_assert!(e.contains("does not fit"), "unexpected error {e}"),
        }
    }
}

/// Found by the property test above with a random seed (issue 18): in this
/// 376×204 slot, right-aligned, a few pixels of the first line were drawn
/// 1–3 px above the box. The size search checked the height of the greedy
/// lines; balancing then moved the emoji onto the first line, whose ink
/// rises higher, and the block outgrew the box. Balanced lines are now kept
/// only when the block still fits.
#[test]
fn mixed_scripts_ink_stays_below_the_top_of_the_box() {
    let story = "👏🏽 maa amaaaaaaaa אססאגחהדינט چپژ 个中每个星六";
    let opts =
        r#"data-font-size-min="6" data-font-size-max="80" data-align="end" data-valign="middle""#;
    let p = probe(story, 600, 400, (20, 20, 376, 204), opts).unwrap();
    assert!(p.outside.is_empty(), "{:?}", p.outside);
}

/// A 450-character Urdu story (Nastaliq) for the fit-search tests.
const URDU_STORY: &str = "جب ہم پہلی بار برمنگھم آئے تو ہم کسی کو نہیں جانتے تھے۔ سردیوں کی ایک ٹھنڈی شام پڑوس کی ایک خاتون ہمارے دروازے پر گرم کھانا لے کر آئیں۔ انہوں نے ہمیں مقامی مسجد اور کمیونٹی سینٹر کا راستہ دکھایا، بچوں کے اسکول میں داخلے میں مدد کی اور میرے شوہر کو نوکری ڈھونڈنے میں ساتھ دیا۔ آج میں ہر ہفتے اسی سینٹر میں نئے آنے والے خاندانوں کو انگریزی سکھاتی ہوں۔ ہم نے سیکھا کہ گھر صرف ایک جگہ نہیں بلکہ وہ لوگ ہیں جو مشکل وقت میں آپ کا ہاتھ تھام لیتے ہیں۔";

/// Issue 18: a 160 × 1000 slot refused a 450-character Urdu story at
/// min 12 ("does not fit even at 12px") that it set at 19.5 px with min 14.
#[test]
fn issue_18_a_lower_minimum_still_finds_the_size_that_fits() {
    // In Nastaliq (Urdu) and in Naskh (the face the issue was found with).
    for lang in [None, Some("fa")] {
        for min in [14.0, 12.0] {
            let mut st = style(min, 48.0);
            st.lang = lang.map(str::to_string);
            let block = Prepared::new(book(), URDU_STORY, &st).layout(160.0, 1000.0, &st);
            assert!(block.fits, "{lang:?} min {min}: {:?}", block.overflow);
            assert!(block.broken_words.is_empty(), "{lang:?} min {min}");
        }
    }
    for min in [14, 12] {
        let opts = format!(r#"data-font-size-min="{min}" data-font-size-max="48""#);
        let p = probe(URDU_STORY, 400, 1100, (40, 40, 160, 1000), &opts)
            .unwrap_or_else(|e| panic!("min {min}: {e}"));
        assert!(
            p.outside.is_empty(),
            "min {min}: {:?}",
            &p.outside[..5.min(p.outside.len())]
        );
        assert!(p.warnings.is_empty(), "min {min}: {:?}", p.warnings);
    }
}

/// Issue 18: the tall scripts — Nastaliq's ascenders and descenders, the
/// stacked marks of Burmese and Tibetan — stay inside their slot, in boxes
/// of several shapes and alignments.
#[test]
fn tall_scripts_stay_inside_their_slot() {
    let samples = [
        (
            "urdu-nastaliq",
            "جب ہم برمنگھم آئے تو پڑوسیوں نے ہمیں کھانے پر بلایا۔ اب ہم مل کر عید مناتے ہیں۔",
        ),
        (
            "burmese",
            "ကျွန်ုပ်တို့ လန်ဒန်ကို ရောက်လာတဲ့အခါ အိမ်နီးချင်းတွေက အိမ်နဲ့ ကျောင်းရှာဖို့ ကူညီပေးခဲ့ကြတယ်။",
        ),
        (
            "tibetan",
            "ང་ཚོ་ལོན་ཊོན་ལ་སླེབས་དུས་ཁྱིམ་མཚེས་ཚོས་རོགས་རམ་བྱས་སོང་། ད་ལྟ་ང་ཚོས་བོད་ཡིག་སློབ་ཀྱི་ཡོད།",
        ),
    ];
    for (name, story) in samples {
        for (slot, opts) in [
            (
                (40, 40, 520, 320),
                r#"data-font-size-min="8" data-font-size-max="90""#,
            ),
            (
                (30, 200, 240, 180),
                r#"data-font-size-min="6" data-font-size-max="60" data-align="center" data-valign="middle""#,
            ),
            (
                (100, 20, 460, 90),
                r#"data-font-size-min="4" data-font-size-max="200" data-align="end" data-valign="bottom""#,
            ),
        ] {
            let p = probe(story, 600, 400, slot, opts).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                p.outside.is_empty(),
                "{name} in {slot:?}: {} ink px outside, first {:?}",
                p.outside.len(),
                &p.outside[..p.outside.len().min(5)]
            );
            assert!(p.inside > 200, "{name} in {slot:?}: {} px", p.inside);
            assert!(
                p.warnings.is_empty(),
                "{name} in {slot:?}: {:?}",
                p.warnings
            );
        }
    }
}
