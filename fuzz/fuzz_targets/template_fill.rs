//! Template parsing, filling and rendering with hostile templates and text.
//!
//! Input (lossy UTF-8), parts separated by NUL (`\0`):
//!
//! 0. the SVG variant(s) of the set; several variants are separated by
//!    U+0001 and named `v0.svg`, `v1.svg`, …
//! 1. `template.toml` (left out when empty)
//! 2. the story
//! 3. the organisation's name
//! 4. extra fields, one `key=value` a line (set with `Content::set_field`)
//! 5. options, separated by white space: `WxH` (platform size, clamped to
//!    1..=384 px a side so rendering stays cheap), `rtl`, `ltr`, `logo=dark`,
//!    `logo=light`, `logo=svg`, `logo_dark=light`, `photo`, `focus=X,Y`,
//!    `date=YYYY-MM-DD`, `norender`
//!
//! Errors are fine; panics, hangs and huge allocations are the bugs. When
//! filling succeeds, the filled SVG must still be well-formed XML (values
//! are escaped when substituted) unless the template put a placeholder where
//! escaping cannot help (comments, CDATA, processing instructions).

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use postkit::text::Direction;
use postkit::{Campaign, Content, Engine, ImageInput, Platform, TemplateSet};

struct World {
    engine: Engine,
    campaign: Campaign,
    dark_logo: ImageInput,
    light_logo: ImageInput,
    svg_logo: ImageInput,
    photo: ImageInput,
}

fn png(w: u32, h: u32, px: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba(px(x, y)));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let load = |bytes: Vec<u8>, name: &str, what: &str| {
            ImageInput::from_bytes(bytes, Path::new(name), what).unwrap()
        };
        World {
            engine: Engine::new(&[] as &[&str]).unwrap(),
            campaign: Campaign::embedded(),
            // A dark logo on transparency: poor contrast on dark bands.
            dark_logo: load(
                png(48, 16, |x, _| if x % 3 == 0 { [0, 0, 0, 0] } else { [20, 30, 60, 255] }),
                "dark.png",
                "logo",
            ),
            light_logo: load(
                png(48, 16, |x, _| if x % 3 == 0 { [0, 0, 0, 0] } else { [250, 250, 250, 255] }),
                "light.png",
                "logo",
            ),
            svg_logo: load(
                br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="40" height="10" fill="#123456"/></svg>"##.to_vec(),
                "logo.svg",
                "logo",
            ),
            photo: load(
                png(64, 48, |x, y| [(x * 4) as u8, (y * 5) as u8, 200, 255]),
                "photo.png",
                "photo",
            ),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let w = world();
    let input = String::from_utf8_lossy(data);
    let mut parts = input.splitn(6, '\0');
    let svgs = parts.next().unwrap_or_default();
    let manifest = parts.next().unwrap_or_default();
    let story = parts.next().unwrap_or_default();
    let org = parts.next().unwrap_or_default();
    let fields = parts.next().unwrap_or_default();
    let options = parts.next().unwrap_or_default();

    let mut files: Vec<(String, String)> = svgs
        .split('\u{1}')
        .enumerate()
        .map(|(i, s)| (format!("v{i}.svg"), s.to_string()))
        .collect();
    if !manifest.is_empty() {
        files.push(("template.toml".into(), manifest.to_string()));
    }
    let Ok(set) = TemplateSet::from_files("fuzz", &files, None) else {
        return;
    };

    let mut content = Content::story(&w.campaign, org, story);
    for line in fields.lines() {
        if let Some((k, v)) = line.split_once('=') {
            content.set_field(k, v);
        }
    }
    let (mut width, mut height, mut render) = (96u32, 96u32, true);
    for opt in options.split_whitespace() {
        if let Some((a, b)) = opt.split_once('x') {
            if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
                width = a.clamp(1, 384);
                height = b.clamp(1, 384);
                continue;
            }
        }
        match opt {
            "rtl" => content.set_direction(Direction::Rtl),
            "ltr" => content.set_direction(Direction::Ltr),
            "logo=dark" => {
                content.images.insert("logo".into(), w.dark_logo.clone());
            }
            "logo=light" => {
                content.images.insert("logo".into(), w.light_logo.clone());
            }
            "logo=svg" => {
                content.images.insert("logo".into(), w.svg_logo.clone());
            }
            "logo_dark=light" => {
                content
                    .images
                    .insert("logo_dark".into(), w.light_logo.clone());
            }
            "photo" => {
                for f in ["photo", "portrait", "still", "image"] {
                    content.images.insert(f.into(), w.photo.clone());
                }
            }
            "norender" => render = false,
            o => {
                if let Some(xy) = o.strip_prefix("focus=") {
                    if let Some((x, y)) = xy.split_once(',') {
                        if let (Ok(x), Ok(y)) = (x.parse::<f32>(), y.parse::<f32>()) {
                            // The CLI takes 0..1; anything else is refused there.
                            if (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y) {
                                content.focus = Some((x, y));
                            }
                        }
                    }
                } else if let Some(d) = o.strip_prefix("date=") {
                    if let Some(day) = postkit::campaign::parse_date(d) {
                        content.set_date(&w.campaign, day);
                    }
                }
            }
        }
    }
    let platform = Platform::custom("fuzz", width, height);

    // Listings, alt text and captions read the same template and content.
    let _ = set.info(std::slice::from_ref(&platform));
    let _ = postkit::caption::alt_text(&set, &content, &platform);
    let _ = postkit::caption::caption(&content, &platform);

    let Ok(filled) = postkit::fill::fill(&set, &platform, &content, w.engine.fonts()) else {
        return;
    };
    assert_eq!((filled.width, filled.height), (width, height));
    let variant = set.variant_for(width, height);
    let unescapable = ["<!--", "<![CDATA[", "<?"]
        .iter()
        .any(|m| variant.source.contains(m));
    if !unescapable {
        if let Err(e) = roxmltree::Document::parse(&filled.svg) {
            panic!("filled SVG is not well-formed: {e}\n{}", filled.svg);
        }
    }
    if render {
        let _ = w.engine.render_pixels(&set, &platform, &content);
    }
});
