//! `postkit check`: lints a template set before anyone renders with it —
//! slots valid, fonts available, slots clear of every safe zone, text colour
//! against the template's own background — with messages that say what to
//! change. Also the sample content used for previews.

use serde::Serialize;

use crate::contrast;
use crate::fill;
use crate::inputs::campaign::Campaign;
use crate::inputs::images::ImageInput;
use crate::inputs::platform::Platform;
use crate::inputs::Content;
use crate::raster;
use crate::raster::Engine;
use crate::template::{SlotKind, TemplateSet, Variant};

/// One problem found.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Finding {
    /// The variant file (`square.svg`).
    pub variant: String,
    /// The slot, if the finding is about one.
    pub slot: Option<String>,
    /// What is wrong and what to change.
    pub message: String,
}

/// Sample content that fills every common slot, for previews and checks.
pub fn sample_content(campaign: &Campaign) -> Content {
    let mut c = Content::story(
        campaign,
        "Your Organisation",
        "When we arrived we knew nobody. Now our neighbours teach us to bake, and we teach them our songs.",
    );
    for (k, v) in [
        ("title", "How our city became home"),
        ("event", "Welcome Supper"),
        ("event_date", "Friday 18 December"),
        ("event_time", "6–9 pm"),
        ("place", "St Andrew's Hall"),
        ("name", "Amina Yusuf"),
        ("role", "Volunteer coordinator"),
        (
            "quote",
            "Every newcomer I meet reminds me of my first day here.",
        ),
    ] {
        c.set_field(k, v);
    }
    if let Some(day) = campaign.day() {
        c.set_date(campaign, day - time::Duration::days(6));
    }
    c.images.insert("photo".into(), placeholder_photo());
    c
}

/// A soft two-tone gradient standing in for a photo.
pub fn placeholder_photo() -> ImageInput {
    let img = image::RgbImage::from_fn(480, 360, |x, y| {
        let t = (x + y) as f32 / 840.0;
        image::Rgb([
            (90.0 + 120.0 * t) as u8,
            (120.0 + 60.0 * t) as u8,
            (150.0 - 40.0 * t) as u8,
        ])
    });
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("in-memory PNG");
    ImageInput::from_bytes(png, std::path::Path::new("sample photo"), "photo")
        .expect("a valid sample")
}

/// Lints `set` for the presets it serves: fonts, safe zones, and text
/// contrast against the template's own background.
pub fn check(
    set: &TemplateSet,
    presets: &[Platform],
    campaign: &Campaign,
    engine: &Engine,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let content = sample_content(campaign);
    let bare = bare_content(set, &content);
    let opts = raster::options_in(engine.fonts(), set.dir.clone());
    for variant in &set.variants {
        let file = format!("{}.svg", variant.name);
        let served: Vec<&Platform> = presets
            .iter()
            .filter(|p| set.serves(p) && set.variant_for(p).name == variant.name)
            .collect();
        out.extend(font_findings(variant, &file, engine));
        out.extend(template_font_findings(variant, &file, engine));
        if variant.parsed.rtl.unwrap_or(set.rtl) == crate::template::RtlLayout::Mirror {
            out.extend(variant.parsed.mirror.sheet_anchored.iter().map(|at| Finding {
                variant: file.clone(),
                slot: None,
                message: format!(
                    "the <text> at {at} may take its text-anchor from a style sheet, which the mirrored (right-to-left) layout cannot swap: set text-anchor on the <text> itself"
                ),
            }));
        }
        out.extend(variant.parsed.flowed.iter().map(|at| Finding {
            variant: file.clone(),
            slot: None,
            message: format!(
                "the flowed text (<flowRoot>) at {at} is not drawn: it is SVG 1.2, which no renderer supports; in Inkscape, select it and use Text → Convert to Text, or make it a slot"
            ),
        }));
        for p in &served {
            out.extend(safe_zone_findings(variant, &file, p));
        }
        let Some(p) = served.first().copied().or(presets.first()) else {
            continue;
        };
        let Ok(filled) = fill::fill(set, p, &bare, engine.fonts()) else {
            continue;
        };
        let on = Background {
            variant,
            platform: p,
            svg: &filled.svg,
            opts: &opts,
        };
        out.extend(contrast_findings(&on, &file, &bare, &content));
    }
    out
}

/// The template as it is under its text: every text field set to an
/// invisible character (so required slots are satisfied and draw nothing).
fn bare_content(set: &TemplateSet, content: &Content) -> Content {
    let mut bare = content.clone();
    for v in &set.variants {
        for s in &v.parsed.slots {
            if s.kind == SlotKind::Text {
                bare.fields.insert(s.field.clone(), "\u{200B}".into());
            }
        }
    }
    bare.fields.insert("org".into(), "\u{200B}".into());
    bare
}

/// Slots that ask for a font no font file has.
fn font_findings(variant: &Variant, file: &str, engine: &Engine) -> Vec<Finding> {
    let mut out = Vec::new();
    for slot in &variant.parsed.slots {
        let Some(fam) = slot.options.get("font-family") else {
            continue;
        };
        let fam = fam.trim().trim_matches(['\'', '"']);
        if !fam.contains("{{") && !available(engine, fam) {
            out.push(Finding {
                variant: file.to_string(),
                slot: Some(slot.field.clone()),
                message: format!(
                    "asks for font '{fam}', which is not available (embedded: {}); add it with --font or pick an embedded family",
                    engine.fonts().families().join(", ")
                ),
            });
        }
    }
    out
}

/// True when a family, or the PostScript or full name of a face, is in
/// the font book.
fn available(engine: &Engine, name: &str) -> bool {
    engine.fonts().has_family(name)
        || crate::template::fonts::by_name(&engine.fonts().database(), name).is_some()
}

/// Fonts the template's own text (outside its slots) asks for that no font
/// has: that text is drawn in the default family instead.
fn template_font_findings(variant: &Variant, file: &str, engine: &Engine) -> Vec<Finding> {
    const GENERIC: &[&str] = &["serif", "sans-serif", "monospace", "cursive", "fantasy"];
    let mut out: Vec<Finding> = Vec::new();
    let mut named: Vec<&str> = Vec::new();
    for (list, at) in &variant.parsed.fonts {
        let families = crate::template::slots::font_families(list);
        let known =
            |f: &&str| GENERIC.contains(&f.to_ascii_lowercase().as_str()) || available(engine, f);
        if families.iter().any(known) {
            continue;
        }
        let Some(first) = families.first() else {
            continue;
        };
        if named.iter().any(|n| n.eq_ignore_ascii_case(first)) {
            continue;
        }
        named.push(first);
        out.push(Finding {
            variant: file.to_string(),
            slot: None,
            message: format!(
                "font '{first}' ({at}) is not available, so that text is drawn in {}; add it with --font or use an embedded family ({})",
                crate::text::fonts::DEFAULT_FAMILY,
                engine.fonts().families().join(", ")
            ),
        });
    }
    out
}

/// Slots that reach into a preset's safe zone (cover-fitted images may).
fn safe_zone_findings(variant: &Variant, file: &str, p: &Platform) -> Vec<Finding> {
    let mut out = Vec::new();
    let view = fill::viewport(variant, p);
    let (w, h) = (p.width as f32, p.height as f32);
    let safe = [
        p.safe[3] as f32,
        p.safe[0] as f32,
        w - p.safe[1] as f32,
        h - p.safe[2] as f32,
    ];
    for slot in &variant.parsed.slots {
        if slot.options.get("fit").is_some_and(|f| f == "cover") {
            continue;
        }
        let r = view.px(slot);
        let over = [
            ("left", safe[0] - r[0], "right", p.safe[3]),
            ("top", safe[1] - r[1], "down", p.safe[0]),
            ("right", r[2] - safe[2], "left", p.safe[1]),
            ("bottom", r[3] - safe[3], "up", p.safe[2]),
        ];
        for (edge, px, dir, inset) in over {
            if px > 0.5 {
                out.push(Finding {
                    variant: file.to_string(),
                    slot: Some(slot.field.clone()),
                    message: format!(
                        "reaches {:.0} px into {}'s safe zone ({edge} {inset} px); move it {dir} or make it smaller",
                        px.ceil(),
                        p.name
                    ),
                });
            }
        }
    }
    out
}

/// A variant filled without its text, on one preset: what text is read
/// against.
struct Background<'a> {
    variant: &'a Variant,
    platform: &'a Platform,
    svg: &'a str,
    opts: &'a usvg::Options<'a>,
}

/// Text colours below WCAG AA against the template's own background, at
/// the smallest size the slot allows.
fn contrast_findings(
    on: &Background,
    file: &str,
    bare: &Content,
    content: &Content,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let view = fill::viewport(on.variant, on.platform);
    for slot in fill::active_slots(on.variant, bare)
        .into_iter()
        .filter(|s| s.kind == SlotKind::Text)
    {
        let Some(fill_attr) = slot.options.get("fill") else {
            continue;
        };
        let colour = fill::substitute_fields(fill_attr, &content.fields);
        let Some(fg) = contrast::parse_hex(&colour) else {
            continue;
        };
        let Ok(bg) = raster::mean_colour(on.svg, on.opts, view.px(slot)) else {
            continue;
        };
        let ratio = contrast::ratio(fg, bg);
        let bold = slot
            .options
            .get("font-weight")
            .is_some_and(|w| w.trim() == "bold" || w.trim().parse::<u16>().is_ok_and(|n| n >= 700));
        let min = slot
            .options
            .get("font-size-min")
            .and_then(|v| v.trim().trim_end_matches("px").parse::<f32>().ok())
            .unwrap_or(10.0)
            * view.slot_scale(slot);
        let large = min >= large_text_px(on.platform.width, bold);
        let need = if large { 3.0 } else { 4.5 };
        if ratio < need {
            out.push(Finding {
                variant: file.to_string(),
                slot: Some(slot.field.clone()),
                message: format!(
                    "text colour {colour} on this background is {ratio:.2}:1, below WCAG AA ({need}:1 for {} text); darken or lighten the text or its background",
                    if large { "large" } else { "normal" }
                ),
            });
        }
    }
    out
}

/// The size (output px) from which text counts as large for WCAG on an image
/// `width` px wide: a phone shows a 1080-px image at about a third of its size,
/// so 24 CSS px (18.66 bold) becomes about 72 px (56 bold) at 1080.
pub fn large_text_px(width: u32, bold: bool) -> f32 {
    (if bold { 56.0 } else { 72.0 }) * width as f32 / 1080.0
}
