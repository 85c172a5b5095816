//! The clip encoder at 1080×1920 (issue 24): RGB→YUV per frame, H.264
//! encode per frame of a still card and of a moving one, a held frame, and
//! a whole 10 s clip (5 s entering, 5 s held) from frames already drawn.
//! `cargo bench --bench clip`.

use criterion::{criterion_group, criterion_main, Criterion};
use postkit::output::clip::{Audio, ClipEncoder, ClipSpec, Yuv420};
use postkit::{Campaign, Content, Engine, Platforms, TemplateSet};
use resvg::tiny_skia::{Color, Pixmap, PixmapPaint, Transform};

fn card() -> Pixmap {
    let engine = Engine::new(&[] as &[&str]).unwrap();
    let set = TemplateSet::load("story-quote").unwrap();
    let platform = Platforms::embedded()
        .get("instagram-story")
        .unwrap()
        .clone();
    let content = Content::story(
        &Campaign::embedded(),
        "Plymouth Welcome Hub",
        "When we arrived we knew nobody. Now we cook together every Friday and the whole street comes.",
    );
    engine
        .render_pixels(&set, &platform, &content)
        .unwrap()
        .1
        .into_pixmap()
}

/// The card sliding up and fading in, `t` from 0 to 1.
fn entering(card: &Pixmap, t: f32) -> Pixmap {
    let mut frame = Pixmap::new(card.width(), card.height()).unwrap();
    frame.fill(Color::from_rgba8(20, 30, 60, 255));
    let paint = PixmapPaint {
        opacity: t,
        ..PixmapPaint::default()
    };
    let dy = ((1.0 - t) * 240.0).round() as i32;
    frame.draw_pixmap(0, dy, card.as_ref(), &paint, Transform::identity(), None);
    frame
}

const SPEC: ClipSpec = ClipSpec {
    width: 1080,
    height: 1920,
    fps: 30,
    audio: Audio::Silent,
};

fn clip(c: &mut Criterion) {
    let card = card();
    let moving: Vec<Pixmap> = (1..=150)
        .map(|i| entering(&card, i as f32 / 150.0))
        .collect();
    let mut g = c.benchmark_group("clip-1080x1920");
    g.sample_size(20);

    let mut yuv = Yuv420::new(1080, 1920);
    g.bench_function("rgb-to-yuv420", |b| b.iter(|| yuv.read_rgba(card.data())));

    // Per frame, with an IDR picture every 60 frames as in a clip.
    let mut enc = ClipEncoder::new(&SPEC).unwrap();
    g.bench_function("encode-static-frame", |b| {
        b.iter(|| enc.push(&card).unwrap())
    });

    let mut enc = ClipEncoder::new(&SPEC).unwrap();
    let mut i = 0;
    g.bench_function("encode-moving-frame", |b| {
        b.iter(|| {
            enc.push(&moving[i % moving.len()]).unwrap();
            i += 1;
        })
    });

    let mut enc = ClipEncoder::new(&SPEC).unwrap();
    enc.push(&card).unwrap();
    g.bench_function("repeat-held-frame", |b| {
        b.iter(|| enc.repeat_last(1).unwrap())
    });

    g.sample_size(10);
    g.bench_function("clip-10s-150-moving-150-held", |b| {
        b.iter(|| {
            let mut enc = ClipEncoder::new(&SPEC).unwrap();
            for frame in &moving {
                enc.push(frame).unwrap();
            }
            enc.repeat_last(150).unwrap();
            enc.finish().unwrap().len()
        })
    });
    g.finish();
}

criterion_group!(benches, clip);
criterion_main!(benches);
