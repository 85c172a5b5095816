//! Golden images: the default template rendered by the real binary, compared
//! with the references in `tests/golden/` within a small tolerance.
//!
//! Regenerate after an intended change with
//! `POSTKIT_BLESS=1 cargo test --test golden`, then look at every image.
//! A failing case writes `NAME.actual.png` and `NAME.diff.png` beside the
//! reference.

mod common;

use std::path::Path;

use common::{decode, postkit, root, STORY};

/// A channel may differ by this much before a pixel counts as changed.
const CHANNEL_TOLERANCE: u8 = 3;
/// At most this share of pixels may change.
const MAX_CHANGED: f64 = 0.001;

fn compare(name: &str, actual_path: &Path) {
    let golden_dir = root().join("tests/golden");
    let golden = golden_dir.join(format!("{name}.png"));
    if std::env::var_os("POSTKIT_BLESS").is_some() {
        std::fs::create_dir_all(&golden_dir).unwrap();
        std::fs::copy(actual_path, &golden).unwrap();
        return;
    }
    assert!(
        golden.is_file(),
        "{} is missing: run POSTKIT_BLESS=1 cargo test --test golden",
        golden.display()
    );
    let want = decode(&golden);
    let got = decode(actual_path);
    assert_eq!(got.dimensions(), want.dimensions(), "{name}: size changed");
    let mut diff = image::RgbaImage::new(got.width(), got.height());
    let mut changed = 0usize;
    for (x, y, g) in got.enumerate_pixels() {
        let w = want.get_pixel(x, y);
        let d =
            g.0.iter()
                .zip(w.0.iter())
                .map(|(a, b)| a.abs_diff(*b))
                .max()
                .unwrap();
        if d > CHANNEL_TOLERANCE {
            changed += 1;
            diff.put_pixel(x, y, image::Rgba([255, 0, 0, 255]));
        } else {
            let l = (g[0] as u16 + g[1] as u16 + g[2] as u16) / 3;
            let l = (l / 3 + 170) as u8;
            diff.put_pixel(x, y, image::Rgba([l, l, l, 255]));
        }
    }
    let share = changed as f64 / (got.width() * got.height()) as f64;
    if share > MAX_CHANGED {
        let actual = golden_dir.join(format!("{name}.actual.png"));
        let diffp = golden_dir.join(format!("{name}.diff.png"));
        std::fs::copy(actual_path, &actual).unwrap();
        diff.save(&diffp).unwrap();
        panic!(
            "{name}: {changed} pixels ({:.3}%) differ from {}; see {} and {}",
            share * 100.0,
            golden.display(),
            actual.display(),
            diffp.display()
        );
    }
}

fn render_case(name: &str, org: &str, story: &str, platforms: &[&str], extra: &[&str]) {
    template_case("story-quote", name, org, story, platforms, extra);
}

fn template_case(
    template: &str,
    name: &str,
    org: &str,
    story: &str,
    platforms: &[&str],
    extra: &[&str],
) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "render",
        "--org",
        org,
        "--story",
        story,
        "--template",
        template,
    ];
    for p in platforms {
        args.extend(["--platform", p]);
    }
    args.extend(extra);
    let r = postkit(dir.path(), &args);
    assert_eq!(r.code, 0, "{name}: {}", r.stderr);
    for p in platforms {
        let slug = postkit::output::slug(org);
        let path = dir.path().join(format!("out/{slug}/{template}-{p}.png"));
        compare(&format!("{name}-{p}"), &path);
    }
}

#[test]
fn golden_default_template_every_default_preset() {
    render_case(
        "story-quote",
        "Plymouth Welcome Hub",
        STORY,
        &[
            "instagram-square",
            "instagram-portrait",
            "instagram-story",
            "x-post",
            "facebook-link",
        ],
        &[],
    );
}

#[test]
fn golden_with_logo() {
    let logo = root().join("examples/logo.png");
    render_case(
        "story-quote-logo",
        "Plymouth Welcome Hub",
        "We came from Aleppo with two suitcases. Plymouth gave us a street of neighbours who now come to our bakery every Saturday.",
        &["instagram-portrait"],
        &["--logo", logo.to_str().unwrap()],
    );
}

#[test]
fn golden_arabic_with_latin_hashtag() {
    render_case(
        "story-quote-arabic",
        "مركز الترحيب",
        "عندما وصلنا إلى بليموث لم نكن نعرف أحداً. استقبلنا المتطوعون في المحطة عام 2019 ووجدوا لنا بيتاً. #ItTakesACommunity مع @IOM_UK",
        &["instagram-square"],
        &[],
    );
}

/// A right-to-left story mirrors the whole layout: the side panel, the
/// logo and the hashtag row change sides, the quote mark is the Arabic
/// one (» as a right-to-left reader sees it open), hashtags and handles
/// stay left to right; the photo itself is never flipped.
#[test]
fn golden_rtl_landscape_mirrors_the_layout() {
    let story = "وصلت إلى بليموث قبل ثلاث سنوات ولم أكن أعرف أحدًا. اليوم أطبخ مع جيراني كل يوم جمعة، ونتشارك الخبز والقصص.";
    template_case(
        "story-quote",
        "rtl-story-quote",
        "مركز الترحيب",
        story,
        &["x-post"],
        &[],
    );
    let photo = root().join("examples/photo-community.jpg");
    template_case(
        "photo-story",
        "rtl-photo-story",
        "مركز الترحيب",
        story,
        &["x-post"],
        &["--photo", photo.to_str().unwrap()],
    );
}

/// Each (name, org, story) on story-quote at instagram-square.
fn square_cases(cases: &[(&str, &str, &str)]) {
    for (name, org, story) in cases {
        render_case(
            &format!("story-quote-{name}"),
            org,
            story,
            &["instagram-square"],
            &[],
        );
    }
}

#[test]
fn golden_languages() {
    let cases = [
        ("persian-latin", "حلقه فارسی", "وقتی به بریستول آمدیم، همسایه‌ها با غذا به دیدن ما آمدند. امروز با هم جشن می‌گیریم. #ItTakesACommunity #MigrantsDay @IOM_UK"),
        ("ukrainian", "Українська громада Лідса", "Коли ми приїхали до Лідса, бібліотека стала нашим другим домом. Тепер я волонтерка там щосуботи і допомагаю новим сім'ям."),
        ("tigrinya", "Eritrean Community Bristol", "ናብ ብሪስቶል ምስ መጻእና ጎረባብትና ብፍቕሪ ተቐቢሎምና። ሕጂ ኣብ ቤት ትምህርቲ ቋንቋ ትግርኛ ንቖልዑ ንምህር ኣለና።"),
        ("hindi", "Leicester Hindu Sabha", "जब हम लेस्टर आए, तो पड़ोसियों ने हमें दिवाली पर अपने घर बुलाया। अब हम साथ मिलकर हर त्योहार मनाते हैं।"),
        ("chinese", "曼彻斯特华人社区中心", "我们刚到曼彻斯特的时候，一个人也不认识。现在，每个星期六我们都在社区中心教孩子们写书法，邻居们也来学习。"),
        ("emoji", "Football Friends", "Our Saturday team 🏟️⚽ has players from 11 countries 🇸🇾🇺🇦🇪🇷🇵🇰🇸🇴 and the loudest fans in town 👏🏽👨‍👩‍👧‍👦❤️!"),
    ];
    square_cases(&cases);
}

/// Issue 18: scripts added with their fonts, Thai broken between words (a
/// run without spaces longer than a line: before, it broke between any two
/// clusters), and Urdu in Nastaliq.
#[test]
fn golden_issue_18_scripts() {
    let cases = [
        ("gujarati", "Leicester Gujarati Samaj", "અમે લેસ્ટર આવ્યા ત્યારે અમે કોઈને ઓળખતા ન હતા. પડોશીઓએ અમને ઘર શોધવામાં મદદ કરી, અને હવે દર શનિવારે અમે સાથે મળીને ગરબા રમીએ છીએ."),
        ("burmese", "Burmese Community UK", "ကျွန်ုပ်တို့ လန်ဒန်ကို ရောက်လာတဲ့အခါ ဘယ်သူမှ မသိခဲ့ပါဘူး။ အိမ်နီးချင်းတွေက အိမ်နဲ့ ကျောင်းရှာဖို့ ကူညီပေးခဲ့ကြတယ်။ အခု စနေနေ့တိုင်း ကလေးတွေကို မြန်မာစာ သင်ပေးနေပါတယ်။"),
        ("thai", "Thai Community Leeds", "เมื่อเรามาถึงลีดส์เราไม่รู้จักใครเลยอาสาสมัครที่ศูนย์ชุมชนช่วยเราหาบ้านและโรงเรียนให้ลูกๆ ตอนนี้สถานที่แห่งนี้กลายเป็นบ้านของเราและเราสอนทำอาหารไทยทุกวันเสาร์"),
        ("urdu-nastaliq", "برمنگھم ویلکم سینٹر", "جب ہم برمنگھم آئے تو ہم کسی کو نہیں جانتے تھے۔ پڑوسیوں نے ہمیں کھانے پر بلایا اور بچوں کے اسکول میں مدد کی۔ اب ہم مل کر عید مناتے ہیں۔ #ItTakesACommunity"),
    ];
    square_cases(&cases);
}

/// Issue 18: a bilingual card, an Arabic story with its English
/// translation below it, smaller, each in its own direction and font.
#[test]
fn golden_bilingual_arabic_english() {
    let story = "عندما وصلنا إلى بليموث لم نكن نعرف أحداً. استقبلنا المتطوعون في المحطة ووجدوا لنا بيتاً، والآن أعلّم العربية كل يوم سبت.";
    let translation = "When we arrived in Plymouth we knew nobody. Volunteers met us at the station and found us a home; now I teach Arabic every Saturday.";
    let photo = root().join("examples/photo-community.jpg");
    let extra = [
        "--translation",
        translation,
        "--translation-lang",
        "en",
        "--lang",
        "ar",
    ];
    template_case(
        "story-quote",
        "story-quote-bilingual",
        "مركز الترحيب",
        story,
        &["instagram-square"],
        &extra,
    );
    let with_photo = [&extra[..], &["--photo", photo.to_str().unwrap()]].concat();
    template_case(
        "photo-story",
        "photo-story-bilingual",
        "Plymouth Welcome Hub",
        story,
        &["x-post"],
        &with_photo,
    );
}

/// Issue 26: a narrow Burmese card (the Universal Declaration's article
/// 14.2) breaks where ICU4C does: ရည်ရွက်|ချက် between words, never
/// ရည်ရွက်ချ|က် inside the syllable, ကုလသမဂ္ဂ၏ whole.
#[test]
fn golden_issue_26_narrow_burmese() {
    render_case(
        "story-quote-burmese-udhr",
        "Burmese Community UK",
        "နိုင်ငံရေးနှင့် မပတ်သက်သည့် ပြစ်မှုများမှ သော်လည်းကောင်း၊ ကုလသမဂ္ဂ၏ ရည်ရွက်ချက်နှင့် သဘောတရား မှုများကို ဖီဆန်သော အမှုများမှ သော်လည်းကောင်း၊ အမှန် ပေါ်ပေါက် လာသော ပြစ်မှုကြောင့် တရားစွဲဆိုခြင်း ခံရသည့် အမှုအခင်းများတွင် အထက်ပါ အခွင့်အရေးကို အသုံးမပြုနိုင်စေရ။",
        &["instagram-story"],
        &[],
    );
}

/// Issue 27: the countdown's number, unit and phrase by CLDR plural
/// category (Arabic has six: 0 is "today", 1 one, 2 two, 3 few, 11 many,
/// 100 other), in Arabic and in English; the count is given as `days`.
#[test]
fn golden_countdown_plurals_arabic_and_english() {
    for lang in ["ar", "en"] {
        for days in [0, 1, 2, 3, 11, 100] {
            let field = format!("days={days}");
            let mut extra = vec!["--card-lang", lang, "--field", &field];
            if days == 0 {
                extra.extend(["--date", "2026-12-18"]);
            }
            template_case(
                "countdown",
                &format!("countdown-{lang}-{days}"),
                "Plymouth Welcome Hub",
                "",
                &["instagram-square"],
                &extra,
            );
        }
    }
}

/// Issue 27: an event given a date as YYYY-MM-DD and a time as HH:MM, in
/// Ukrainian, Arabic and Persian: the date in the language's long form with
/// its weekday, the time in its convention, the campaign's words in the
/// language (Persian digits by CLDR).
#[test]
fn golden_event_in_three_languages() {
    let cases = [
        (
            "uk",
            "Українська громада Лідса",
            "Вечеря знайомств",
            "Бібліотека Лідса",
        ),
        (
            "ar",
            "مركز بليموث للترحيب",
            "عشاء الترحيب",
            "قاعة سانت أندرو، بليموث",
        ),
        (
            "fa",
            "حلقه فارسی بریستول",
            "شام خوش‌آمدگویی",
            "کتابخانه مرکزی بریستول",
        ),
    ];
    for (lang, org, event, place) in cases {
        let event = format!("event={event}");
        let place = format!("place={place}");
        template_case(
            "event",
            &format!("event-{lang}"),
            org,
            "",
            &["instagram-square"],
            &[
                "--lang",
                lang,
                "--field",
                &event,
                "--field",
                "event_date=2026-12-18",
                "--field",
                "event_time=18:30",
                "--field",
                &place,
            ],
        );
    }
}

/// Issue 27: the supporter badge with the campaign's words in French
/// ("Nous soutenons", the UN's name of the day), chosen with --card-lang.
#[test]
fn golden_supporter_badge_in_french() {
    template_case(
        "supporter-badge",
        "supporter-badge-fr",
        "Maison des Migrants de Lyon",
        "",
        &["instagram-square"],
        &["--card-lang", "fr"],
    );
}
