//! Per-stage benchmarks: text layout (Latin, Arabic, CJK, Thai, Burmese), template fill,
//! render and encode, building the font book, and decoding a photo with and
//! without a colour profile. `cargo bench --bench stages`.

use criterion::{criterion_group, criterion_main, Criterion};
use postkit::text::{Align, Direction, Prepared, TextStyle, VAlign};
use postkit::{Campaign, Content, Engine, FontBook, Platforms, TemplateSet};

const LATIN: &str = "When we arrived in Plymouth we knew nobody. The volunteers at the hub met us at the station, found us a home and taught our children to love the sea. Now I teach Arabic on Saturdays and my neighbours teach me to bake saffron buns, and every December we cook together for the whole street.";
const ARABIC: &str = "عندما وصلنا إلى بليموث لم نكن نعرف أحداً. استقبلنا المتطوعون في المحطة ووجدوا لنا بيتاً وعلّموا أطفالنا حب البحر. الآن أعلّم العربية أيام السبت، وجيراني يعلّمونني خبز كعك الزعفران، وفي كل ديسمبر نطبخ معاً للشارع كله. #ItTakesACommunity مع @IOM_UK منذ 2019";
const CJK: &str = "我们刚到曼彻斯特的时候，一个人也不认识。现在，每个星期六我们都在社区中心教孩子们写书法，邻居们也来学习。十二月的时候，我们一起包饺子，请整条街的人来吃。我们的孩子在这里上学，交了很多朋友，也学会了说英语。社区就是我们的家。每一个人都帮助过我们。";

const THAI: &str = "เมื่อเรามาถึงพลีมัธเราไม่รู้จักใครเลย อาสาสมัครที่ศูนย์ชุมชนมารับเราที่สถานีรถไฟ ช่วยเราหาบ้านและโรงเรียนให้ลูกๆ และสอนให้เด็กๆ รักทะเล ตอนนี้ฉันสอนภาษาไทยทุกวันเสาร์ และเพื่อนบ้านสอนฉันอบขนมปังหญ้าฝรั่น ทุกเดือนธันวาคมเราทำอาหารด้วยกันให้คนทั้งถนน สถานที่แห่งนี้กลายเป็นบ้านของเราแล้ว เราไปท่องเที่ยวชายฝั่งด้วยกันทุกฤดูร้อนและช่วยครอบครัวใหม่ที่เพิ่งมาถึง";
const BURMESE: &str = "ကျွန်ုပ်တို့ ပလီမောက်ကို ရောက်လာတဲ့အခါ ဘယ်သူမှ မသိခဲ့ပါဘူး။ စေတနာ့ဝန်ထမ်းတွေက ဘူတာမှာ ကြိုဆိုပြီး အိမ်နဲ့ ကျောင်းရှာဖို့ ကူညီပေးခဲ့ကြတယ်။ ကလေးတွေကို ပင်လယ်ကို ချစ်တတ်အောင် သင်ပေးခဲ့ကြတယ်။ အခု စနေနေ့တိုင်း မြန်မာစာ သင်ပေးနေပြီး အိမ်နီးချင်းတွေက မုန့်ဖုတ်နည်း သင်ပေးကြတယ်။ ဒီဇင်ဘာလတိုင်း လမ်းတစ်လမ်းလုံးအတွက် အတူတူ ချက်ပြုတ်ကြပါတယ်။";

fn style() -> TextStyle {
    TextStyle {
        family: "Noto Sans".into(),
        weight: 400,
        size_min: 24.0,
        size_max: 76.0,
        line_height: 1.3,
        align: Align::Start,
        valign: VAlign::Middle,
        max_lines: None,
        direction: Direction::Auto,
        lang: None,
    }
}

fn layout(c: &mut Criterion) {
    let engine = Engine::new(&[] as &[&str]).unwrap();
    let book = engine.fonts();
    let st = style();
    let mut g = c.benchmark_group("layout-300-chars");
    for (name, text) in [
        ("latin", LATIN),
        ("arabic", ARABIC),
        ("cjk", CJK),
        ("thai", THAI),
        ("burmese", BURMESE),
    ] {
        let text: String = text.chars().take(300).collect();
        g.bench_function(name, |b| {
            b.iter(|| {
                let p = Prepared::new(book, &text, &st);
                let block = p.layout(810.0, 490.0, &st);
                assert!(block.fits);
                block
            })
        });
    }
    g.finish();
}

fn pipeline(c: &mut Criterion) {
    let engine = Engine::new(&[] as &[&str]).unwrap();
    let campaign = Campaign::embedded();
    let set = TemplateSet::load("story-quote").unwrap();
    let platform = Platforms::embedded()
        .get("instagram-square")
        .unwrap()
        .clone();
    let content = Content::story(&campaign, "Plymouth Welcome Hub", LATIN);
    let opts = postkit::raster::options(engine.fonts());
    let filled = postkit::fill::fill(&set, &platform, &content, engine.fonts()).unwrap();
    let rendered = postkit::raster::render(&filled, &opts, true).unwrap();

    let mut g = c.benchmark_group("story-quote-1080x1080");
    g.bench_function("fill", |b| {
        b.iter(|| postkit::fill::fill(&set, &platform, &content, engine.fonts()).unwrap())
    });
    g.bench_function("render", |b| {
        b.iter(|| postkit::raster::render(&filled, &opts, true).unwrap())
    });
    g.bench_function("encode", |b| {
        b.iter(|| {
            postkit::output::encode_png(&rendered.pixmap, postkit::output::PngLevel::Balanced)
        })
    });
    g.bench_function("all", |b| {
        b.iter(|| engine.render(&set, &platform, &content).unwrap())
    });
    g.finish();
}

fn startup(c: &mut Criterion) {
    c.bench_function("engine-new (font book)", |b| {
        b.iter(|| Engine::new(&[] as &[&str]).unwrap())
    });
    // A brand's fonts: a new book of the embedded faces and the file, or
    // the file added to a book that has the embedded faces (as a batch
    // does for each brand). The file is read each time in both.
    let font = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fonts/NotoSansHebrew-Regular.ttf"
    );
    let mut g = c.benchmark_group("font-book");
    g.bench_function("new-embedded", |b| {
        b.iter(|| FontBook::new(&[] as &[&str]).unwrap())
    });
    g.bench_function("new-with-one-font", |b| {
        b.iter(|| FontBook::new(&[font]).unwrap())
    });
    let book = FontBook::new(&[] as &[&str]).unwrap();
    g.bench_function("with-fonts-one-font", |b| {
        b.iter(|| book.with_fonts(&[font]).unwrap())
    });
    g.finish();
}

/// A 12-megapixel photo (4000 x 3000) as a JPEG, with `profile` (ICC
/// bytes) embedded when given.
fn photo_jpeg(profile: Option<Vec<u8>>) -> Vec<u8> {
    let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
        image::Rgb([(x / 16) as u8, (y / 12) as u8, ((x + y) / 28) as u8])
    });
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    if let Some(p) = profile {
        image::ImageEncoder::set_icc_profile(&mut enc, p).unwrap();
    }
    image::ImageEncoder::write_image(
        enc,
        img.as_raw(),
        4000,
        3000,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    out
}

/// Decoding a photo (issue 31): untagged, tagged with the sRGB profile
/// (the fast path: no pass over the pixels), and tagged with Adobe RGB
/// (converted to sRGB). The profiles are Debian colord-data's.
fn decode(c: &mut Criterion) {
    let icc = |name: &str| std::fs::read(format!("/usr/share/color/icc/colord/{name}")).ok();
    let mut g = c.benchmark_group("decode-12mp-jpeg");
    g.sample_size(10);
    let mut cases = vec![("untagged", photo_jpeg(None))];
    match (icc("sRGB.icc"), icc("AdobeRGB1998.icc")) {
        (Some(srgb), Some(adobe)) => {
            cases.push(("srgb-profile", photo_jpeg(Some(srgb))));
            cases.push(("adobe-rgb-profile", photo_jpeg(Some(adobe))));
        }
        _ => eprintln!("colord-data is not installed: only the untagged photo is timed"),
    }
    for (name, bytes) in cases {
        g.bench_function(name, |b| {
            b.iter(|| {
                postkit::ImageInput::from_bytes(
                    bytes.clone(),
                    std::path::Path::new("photo.jpg"),
                    "photo",
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = layout, pipeline, startup, decode
}
criterion_main!(benches);
