//! Filling a template: content and a platform in, a [`Filled`] SVG out —
//! placeholders substituted (escaped, in one pass, never re-read), text slots
//! replaced by laid-out lines, image slots by fitted images, the canvas set to
//! the platform's exact pixel size.

mod image_slot;
mod slot;
mod text_slot;

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::error::Error;
use crate::inputs::Platform;
pub use crate::inputs::{Content, ImageInput};
pub use crate::template::escape;
use crate::template::{Slot, TemplateSet, Variant};
use crate::text::FontBook;
use slot::{Acc, Job};

/// Fields that come from the campaign, not the user: their paragraphs take
/// their direction from their own first strong character.
pub const CAMPAIGN_FIELDS: &[&str] = &[
    "hashtags",
    "tags",
    "date",
    "week",
    "theme",
    "headline",
    "countdown",
    "days",
    "days_unit",
    "campaign.name",
    "campaign.until",
    "campaign.today_is",
    "campaign.we_support",
];

/// Longest text postkit lays out in one slot (characters).
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Text set smaller than this (output px) gets a legibility warning.
pub const MIN_LEGIBLE_PX: f32 = 14.0;

/// How one slot came out.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct SlotReport {
    /// Slot (field) name.
    pub name: String,
    /// Font size in output px (text slots).
    #[serde(serialize_with = "hundredths")]
    pub font_size: Option<f32>,
    /// Number of lines (text slots).
    pub lines: usize,
    /// Whether the content fits.
    pub fits: bool,
    /// Code points no font could draw (`U+XXXX`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// WCAG contrast of the text against what is behind it (text slots).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "hundredths"
    )]
    pub contrast: Option<f32>,
}

/// A measure as a person reads it: to two decimals (4.87, not the f32's
/// 4.869999885559082 that JSON would otherwise carry).
fn hundredths<S: serde::Serializer>(v: &Option<f32>, s: S) -> Result<S::Ok, S::Error> {
    let v = v.map(|x| (f64::from(x) * 100.0).round() / 100.0);
    serde::Serialize::serialize(&v, s)
}

/// Where a text slot's ink must stay, in output px.
#[derive(Clone, Debug)]
pub struct SlotBox {
    /// Index into [`Filled::slots`].
    pub report: usize,
    /// Id of the slot's group in the SVG.
    pub id: String,
    /// Left, top, right, bottom.
    pub rect: [f32; 4],
    /// The text's ink, in output px (left, top, right, bottom).
    pub ink: Option<[f32; 4]>,
    /// The text colour, when it is a plain `#RRGGBB`.
    pub colour: Option<[u8; 3]>,
    /// Font size in output px.
    pub font_px: f32,
    /// Bold (700 or more).
    pub bold: bool,
    /// The slot overlaps a cover-fitted image (a photo): it may get a scrim.
    pub over_photo: bool,
}

/// A filled template, ready to render.
#[derive(Clone, Debug)]
pub struct Filled {
    /// The SVG document.
    pub svg: String,
    /// Output width, px.
    pub width: u32,
    /// Output height, px.
    pub height: u32,
    /// Per-slot results.
    pub slots: Vec<SlotReport>,
    /// Text slot boxes in output px, for the check after rendering.
    pub slot_boxes: Vec<SlotBox>,
    /// The logo image's slot, when a logo image was placed: its group's id
    /// and the slot in output px (left, top, right, bottom), where the
    /// background's colour decides which logo suits it.
    pub logo: Option<(String, [f32; 4])>,
    /// Things worth telling the user (those `--strict` turns into errors
    /// have a kind that [`Kind::is_strict`]).
    pub warnings: Vec<Diagnostic>,
    /// Variant used.
    pub variant: String,
    /// The layout is mirrored (a right-to-left story).
    pub mirrored: bool,
    /// For a clip (a video preset): what moves, in drawing order, each
    /// wrapped in a group of its own (see [`MotionActor`]). Empty for a
    /// still.
    pub actors: Vec<MotionActor>,
    /// For a clip whose template has elements that leave
    /// (`data-motion-out`): the SVG with them, which the clip's frames are
    /// cut from. `svg` is always the still, which never shows them.
    pub clip_svg: Option<String>,
}

/// One actor of a clip, as filled: its group in the SVG and what the
/// template says of its motion.
#[derive(Clone, Debug)]
pub struct MotionActor {
    /// Id of its group (`postkit-motion-N`). The parts of a staggered
    /// group are `postkit-motion-N-part-M`; a text slot's lines are the
    /// groups inside it whose id ends `-line-M`.
    pub id: String,
    /// Art, a label or a slot.
    pub role: crate::template::motion::Role,
    /// The slot's field and kind, for a slot.
    pub slot: Option<(String, crate::template::SlotKind)>,
    /// The template's motion attributes.
    pub motion: crate::template::motion::Motion,
    /// Where the element is in the template, for messages.
    pub at: String,
}

/// Id of the group around actor `k` of a clip.
pub fn actor_id(k: usize) -> String {
    format!("postkit-motion-{k}")
}

/// Replaces `{{name}}` in `src` with `value(name)` in one pass: substituted
/// values are never scanned again. Names with no value become empty and are
/// collected in `missing`.
pub(super) fn substitute(
    src: &str,
    fields: &BTreeMap<String, String>,
    esc: bool,
    missing: &mut Vec<String>,
) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        // Only `{{ name }}` with a field name in it is a placeholder: a
        // stray `{{` (a typo such as `{{org}`) is kept as it is instead of
        // swallowing the markup up to the next `}}`.
        let closed = after.find("}}").filter(|&j| {
            let name = after[..j].trim();
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
        });
        match closed {
            Some(j) => {
                let name = after[..j].trim();
                match fields.get(name) {
                    Some(v) if esc => out.push_str(&escape(v)),
                    Some(v) => out.push_str(v),
                    None => {
                        if !missing.iter().any(|m| m == name) {
                            missing.push(name.to_string());
                        }
                    }
                }
                rest = &after[j + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `{{name}}` placeholders of `src` replaced by raw (unescaped) values;
/// unknown names become empty.
pub fn substitute_fields(src: &str, fields: &BTreeMap<String, String>) -> String {
    substitute(src, fields, false, &mut Vec::new())
}

pub(super) fn group_id(idx: usize, slot: &Slot) -> String {
    format!("postkit-slot-{idx}-{}", slot.field)
}

/// Properties every element postkit draws sets in its `style` attribute,
/// at their initial values: a `style` attribute outranks the template's
/// CSS rules (type and universal selectors included), so `text { fill:
/// green }` or `* { letter-spacing: .2em }` cannot restyle what postkit
/// laid out and measured.
const OWN_STYLE: &str = "opacity:1;visibility:visible;display:inline;filter:none;mask:none;clip-path:none;mix-blend-mode:normal;isolation:auto;transform:matrix(1 0 0 1 0 0)";

/// Properties of postkit's own text at their initial values (see
/// [`OWN_STYLE`]); font, size and colour are set by [`own_text_style`].
const OWN_TEXT_STYLE: &str = "font-variant:normal;font-stretch:normal;font-size-adjust:none;font-kerning:auto;font-variation-settings:normal;font-optical-sizing:auto;letter-spacing:normal;word-spacing:normal;text-anchor:start;text-decoration:none;baseline-shift:baseline;dominant-baseline:auto;alignment-baseline:auto;writing-mode:lr-tb;direction:ltr;unicode-bidi:normal;text-rendering:auto;fill-opacity:1;fill-rule:nonzero;stroke:none;paint-order:normal";

/// A value made safe inside a `style` attribute (no declaration of its own).
fn css_value(v: &str) -> String {
    escape(&v.replace([';', '!', '{', '}'], ""))
}

/// The `style` attribute of a shape postkit draws (a background, a scrim, a
/// plate) in `fill`, with an optional `fill-opacity` and `transform`.
pub(super) fn own_shape_style(fill: &str, opacity: Option<f32>, transform: Option<&str>) -> String {
    let mut s = format!(
        " style=\"{};fill:{};fill-opacity:{};stroke:none",
        own_style(transform),
        css_value(fill),
        fmt(opacity.unwrap_or(1.0))
    );
    s.push('"');
    s
}

/// [`OWN_STYLE`], with the element's own transform when it has one.
pub(super) fn own_style(transform: Option<&str>) -> String {
    match transform {
        None => OWN_STYLE.to_string(),
        Some(t) => OWN_STYLE.replace("matrix(1 0 0 1 0 0)", &css_value(t)),
    }
}

/// The `style` attribute of one of postkit's `<text>` runs.
pub(super) fn own_text_style(
    family: &str,
    weight: u16,
    italic: bool,
    size: &str,
    fill: &str,
) -> String {
    format!(
        " style=\"{OWN_STYLE};{OWN_TEXT_STYLE};font-family:'{}';font-weight:{weight};font-style:{};font-size:{size}px;fill:{}\"",
        css_value(&family.replace('\'', "")),
        if italic { "italic" } else { "normal" },
        css_value(fill)
    )
}

pub(super) fn fmt(v: f32) -> String {
    let r = (v * 100.0).round() / 100.0;
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// Source ranges of the conditional elements `content` leaves out.
fn dropped_ranges(variant: &Variant, content: &Content) -> Vec<std::ops::Range<usize>> {
    variant
        .parsed
        .conditionals
        .iter()
        .filter(|(_, field, when_set)| is_set(content, field) != *when_set)
        .map(|(r, _, _)| r.clone())
        .collect()
}

/// The slots of `variant` that `content` shows (conditional elements that
/// are left out take their slots with them).
pub fn active_slots<'a>(variant: &'a Variant, content: &Content) -> Vec<&'a Slot> {
    let dropped = dropped_ranges(variant, content);
    variant
        .parsed
        .slots
        .iter()
        .filter(|s| {
            !dropped
                .iter()
                .any(|d| d.start <= s.range.start && s.range.end <= d.end)
        })
        .collect()
}

/// How a variant's user space maps onto a platform's pixels: the view
/// grows (never distorts) to the platform's aspect ratio, centred. (The
/// pixel buffer an asset is drawn into is [`crate::raster::Canvas`].)
#[derive(Clone, Copy, Debug)]
pub struct Viewport {
    /// Output px per user unit.
    pub scale: f32,
    /// viewBox x.
    pub vx: f32,
    /// viewBox y.
    pub vy: f32,
    /// viewBox width.
    pub vw: f32,
    /// viewBox height.
    pub vh: f32,
}

/// The viewport of `variant` on `platform`.
pub fn viewport(variant: &Variant, platform: &Platform) -> Viewport {
    let p = &variant.parsed;
    let (w, h) = (platform.width as f32, platform.height as f32);
    let scale = (w / p.width).min(h / p.height);
    let (vw, vh) = (w / scale, h / scale);
    Viewport {
        scale,
        vx: p.vb_x - (vw - p.width) / 2.0,
        vy: p.vb_y - (vh - p.height) / 2.0,
        vw,
        vh,
    }
}

impl Viewport {
    /// A slot's rect in output px (left, top, right, bottom), where it is
    /// drawn (its groups' transforms applied).
    pub fn px(&self, slot: &Slot) -> [f32; 4] {
        let [x, y, w, h] = slot.page;
        [
            (x - self.vx) * self.scale,
            (y - self.vy) * self.scale,
            (x + w - self.vx) * self.scale,
            (y + h - self.vy) * self.scale,
        ]
    }

    /// A rect in the slot's own units (left, top, right, bottom, relative
    /// to the slot's corner) in output px.
    pub fn px_in(&self, slot: &Slot, [l, t, r, b]: [f32; 4]) -> [f32; 4] {
        let [x, y, ..] = slot.page;
        let k = slot.scale;
        [
            (x + l * k - self.vx) * self.scale,
            (y + t * k - self.vy) * self.scale,
            (x + r * k - self.vx) * self.scale,
            (y + b * k - self.vy) * self.scale,
        ]
    }

    /// Output px per unit of the slot's own space.
    pub fn slot_scale(&self, slot: &Slot) -> f32 {
        self.scale * slot.scale
    }
}

/// Fills the variant of `set` nearest `platform`'s aspect with `content`.
pub fn fill(
    set: &TemplateSet,
    platform: &Platform,
    content: &Content,
    book: &FontBook,
) -> Result<Filled, Error> {
    let variant: &Variant = set.variant_for(platform);
    let mirrored = reads_rtl(variant, content) && set.mirrors(variant, platform);
    let job = Job {
        set,
        platform,
        content,
        book,
        view: viewport(variant, platform),
        mirrored,
        slots: if mirrored {
            Cow::Owned(mirrored_slots(variant))
        } else {
            Cow::Borrowed(&variant.parsed.slots)
        },
    };
    let mut acc = Acc::default();
    // Edits, in source order: (start, end, replacement).
    let mut edits = frame_edits(&job, &mut acc, variant);
    if mirrored {
        edits.extend(mirror_edits(&variant.parsed.mirror));
    }
    edits.extend(quote_edits(&job, variant));
    // Conditional elements whose condition fails are dropped, with any slot
    // inside them.
    let mut dropped = dropped_ranges(variant, content);
    if !platform.is_video() {
        // What leaves is the clip's alone.
        dropped.extend(leaving(variant).map(|a| a.range.clone()));
        dropped.sort_by_key(|r| (r.start, r.end));
        dropped.dedup();
    }
    let actors = if platform.is_video() {
        motion_edits(variant, &dropped, &mut edits)
    } else {
        Vec::new()
    };
    let inside = |r: &std::ops::Range<usize>| {
        dropped
            .iter()
            .any(|d| d.start <= r.start && r.end <= d.end && d != r)
    };
    for d in &dropped {
        if !inside(d) {
            edits.push((d.start, d.end, String::new()));
        }
    }
    for r in &variant.parsed.important {
        edits.push((r.start, r.end, String::new()));
    }
    flowed_text(&mut acc, set, variant);
    for (i, slot) in job.slots.iter().enumerate() {
        if dropped
            .iter()
            .any(|d| d.start <= slot.range.start && slot.range.end <= d.end)
        {
            continue;
        }
        let markup = job.slot(&mut acc, i, slot)?;
        edits.push((slot.range.start, slot.range.end, markup));
    }
    let svg = splice(&variant.source, edits, &content.fields, &mut acc.missing);
    // A clip's elements that leave: in the frames, never in the still.
    let gone: Vec<&MotionActor> = actors.iter().filter(|a| a.motion.exit.is_some()).collect();
    let (svg, clip_svg) = if gone.is_empty() {
        (svg, None)
    } else {
        let mut still = svg.clone();
        for a in gone {
            cut_group(&mut still, &a.id);
        }
        (still, Some(svg))
    };
    let mut filled = acc.finish(svg, platform, &variant.name);
    filled.mirrored = mirrored;
    filled.actors = actors;
    filled.clip_svg = clip_svg;
    Ok(filled)
}

/// The variant's actors that leave (`data-motion-out`): the clip's alone.
fn leaving(variant: &Variant) -> impl Iterator<Item = &crate::template::motion::Actor> {
    variant
        .parsed
        .motion
        .actors
        .iter()
        .filter(|a| a.motion.exit.is_some())
}

/// Takes the group `<g id="{id}" …>…</g>` out of `svg`, whole.
pub(crate) fn cut_group(svg: &mut String, id: &str) {
    let open = format!("<g id=\"{id}\"");
    if let Some(start) = svg.find(&open) {
        if let Some(len) = group_len(&svg[start..]) {
            svg.replace_range(start..start + len, "");
        }
    }
}

/// The length of the `<g>` element `src` starts with, through its own end
/// tag (groups inside it, such as a clip's lines, are skipped whole).
pub(crate) fn group_len(src: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(i) = src[at..].find('<') {
        let tag = &src[at + i..];
        if tag.starts_with("</g>") {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(at + i + 4);
            }
        } else if (tag.starts_with("<g ") || tag.starts_with("<g>"))
            && !tag[..tag.find('>')? + 1].ends_with("/>")
        {
            depth += 1;
        }
        at += i + 1;
    }
    None
}

/// A clip's edits: each actor the content shows wrapped in a group of its
/// own (and each part of a staggered group in one), so that the motion
/// stage finds it in the parsed tree. The groups draw nothing themselves:
/// the still is the same pixels.
fn motion_edits(
    variant: &Variant,
    dropped: &[std::ops::Range<usize>],
    edits: &mut Vec<Edit>,
) -> Vec<MotionActor> {
    let shown =
        |r: &std::ops::Range<usize>| !dropped.iter().any(|d| d.start <= r.start && r.end <= d.end);
    let open = |id: String| format!("<g id=\"{id}\" style=\"{}\">", own_style(None));
    let mut out = Vec::new();
    for a in variant
        .parsed
        .motion
        .actors
        .iter()
        .filter(|a| shown(&a.range))
    {
        let id = actor_id(out.len());
        edits.push((a.range.start, a.range.start, open(id.clone())));
        for (m, part) in a.parts.iter().enumerate() {
            edits.push((part.start, part.start, open(format!("{id}-part-{m}"))));
            edits.push((part.end, part.end, "</g>".into()));
        }
        edits.push((a.range.end, a.range.end, "</g>".into()));
        let slot = match a.role {
            crate::template::motion::Role::Slot(i) => {
                let s = &variant.parsed.slots[i];
                Some((s.field.clone(), s.kind))
            }
            _ => None,
        };
        out.push(MotionActor {
            id,
            role: a.role,
            slot,
            motion: a.motion,
            at: a.at.clone(),
        });
    }
    out
}

/// Does the card read right to left? As the user said (`--dir`), else as
/// the first of the user's own texts that this variant shows reads (story,
/// title, quote, event, name): a supporter badge or a countdown, whose text
/// is the campaign's, keeps its layout for an organisation whose name is
/// Arabic.
fn reads_rtl(variant: &Variant, content: &Content) -> bool {
    match content.direction {
        crate::text::Direction::Rtl => return true,
        crate::text::Direction::Ltr => return false,
        crate::text::Direction::Auto => {}
    }
    let shown = crate::inputs::content::USER_TEXTS
        .into_iter()
        .filter(|f| variant.parsed.slots.iter().any(|s| s.field == *f));
    content.first_rtl(shown) == Some(true)
}

/// Is `field` set (not empty, not `false`)?
fn is_set(content: &Content, field: &str) -> bool {
    content
        .fields
        .get(field)
        .is_some_and(|v| !v.trim().is_empty() && v.trim() != "false")
}

/// The variant's slots where a mirrored layout draws them: each at its
/// mirrored place, its content unflipped. A slot among plain groups is
/// simply moved; one inside a mirrored group is flipped back about its
/// own centre.
fn mirrored_slots(variant: &Variant) -> Vec<Slot> {
    let plan = &variant.parsed.mirror;
    variant
        .parsed
        .slots
        .iter()
        .zip(&plan.direct)
        .map(|(s, &direct)| {
            let mut m = s.clone();
            let [px, _, pw, _] = s.page;
            m.page[0] = plan.axis - px - pw;
            if direct {
                // page x = scale · x + t: the same t, the mirrored page x.
                let t = px - s.scale * s.x;
                m.x = (m.page[0] - t) / s.scale;
            } else {
                let unflip = crate::template::mirror::flip_about(s.x + s.width / 2.0);
                m.transform = Some(match &s.transform {
                    Some(t) => format!("{t} {unflip}"),
                    None => unflip,
                });
            }
            m
        })
        .collect()
}

/// A mirrored layout's edits: its art wrapped in mirroring groups, its
/// text and images unflipped, kept elements put back.
fn mirror_edits(plan: &crate::template::mirror::MirrorPlan) -> Vec<Edit> {
    let flip = format!("matrix(-1 0 0 1 {} 0)", fmt(plan.axis));
    let mut out = Vec::with_capacity(plan.wrap.len() * 2 + plan.edits.len());
    for w in &plan.wrap {
        out.push((
            w.start,
            w.start,
            format!(
                "<g transform=\"{flip}\" style=\"{}\">",
                own_style(Some(&flip))
            ),
        ));
        out.push((w.end, w.end, "</g>".to_string()));
    }
    out.extend(
        plan.edits
            .iter()
            .map(|(r, text)| (r.start, r.end, text.clone())),
    );
    out
}

/// The template's quotation marks in the story's language (and, in a
/// mirrored layout, the mark a right-to-left reader sees on that side).
/// A mark that sits lower than the one drawn (« at the height of small
/// letters, „ on the baseline) is raised to the same top, so it stays
/// clear of the text beneath it.
fn quote_edits(job: &Job, variant: &Variant) -> Vec<Edit> {
    if variant.parsed.quotes.is_empty() {
        return Vec::new();
    }
    let content = job.content;
    let text = crate::inputs::content::USER_TEXTS
        .iter()
        .filter_map(|k| content.fields.get(*k))
        .find(|t| t.chars().any(char::is_alphabetic))
        .map_or("", String::as_str);
    let lang = content
        .fields
        .get("lang")
        .map(String::as_str)
        .filter(|l| !l.trim().is_empty());
    let quotes = crate::text::quotes::quotes_for(lang, text);
    variant
        .parsed
        .quotes
        .iter()
        .map(|q| {
            let mark = crate::text::quotes::mark(quotes, q.opens, job.mirrored);
            let raise = job.raise(q, mark);
            let markup = if raise.abs() >= 0.5 {
                format!("<tspan dy=\"{}\">{mark}</tspan>", fmt(-raise))
            } else {
                mark.to_string()
            };
            (q.range.start, q.range.end, markup)
        })
        .collect()
}

/// Inkscape flowed text is not drawn: says so, once per `<flowRoot>`.
fn flowed_text(acc: &mut Acc, set: &TemplateSet, variant: &Variant) {
    for at in &variant.parsed.flowed {
        let message = format!(
            "template {}/{}.svg: the flowed text (<flowRoot>) at {at} is not drawn: it is SVG 1.2, which no renderer supports",
            set.name, variant.name
        );
        acc.warnings.push(
            Diagnostic::new(crate::diag::Kind::NotDrawn, message)
                .hint("in Inkscape, select it and use Text → Convert to Text, or make it a slot"),
        );
    }
}

/// An edit of the template's source: (start, end, replacement).
type Edit = (usize, usize, String);

/// The root's own edits: its size attributes replaced by the platform's
/// (the viewport grown to the platform's aspect), and the background
/// drawn first, past every edge.
fn frame_edits(job: &Job, acc: &mut Acc, variant: &Variant) -> Vec<Edit> {
    let p = &variant.parsed;
    let Viewport { vx, vy, vw, vh, .. } = job.view;
    let mut edits: Vec<Edit> = Vec::new();
    for r in &p.root_drop {
        edits.push((r.start, r.end, String::new()));
    }
    edits.push((
        p.root_insert,
        p.root_insert,
        format!(
            " width=\"{}\" height=\"{}\" viewBox=\"{} {} {} {}\" preserveAspectRatio=\"xMidYMid meet\"",
            job.platform.width,
            job.platform.height,
            fmt(vx),
            fmt(vy),
            fmt(vw),
            fmt(vh)
        ),
    ));
    let fields = &job.content.fields;
    let background = p
        .background
        .as_deref()
        .map(|b| substitute(b, fields, false, &mut acc.missing))
        .or_else(|| fields.get("palette.background").cloned())
        .unwrap_or_else(|| "#FFFFFF".into());
    edits.push((
        p.root_body,
        p.root_body,
        format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}/>",
            fmt(vx - 1.0),
            fmt(vy - 1.0),
            fmt(vw + 2.0),
            fmt(vh + 2.0),
            escape(&background),
            own_shape_style(&background, None, None)
        ),
    ));
    edits.extend(margins(&job.view, variant, &background));
    edits
}

/// When the view is wider or taller than the page (a design placed on a
/// preset of another shape), the margins drawn last in the background
/// colour: whatever the design has outside its page (bleed, oversized
/// backgrounds and photos) is not shown there. Two rects rather than a clip
/// path keep the page's own pixels exactly as they were.
fn margins(view: &Viewport, variant: &Variant, background: &str) -> Option<Edit> {
    let p = &variant.parsed;
    let Viewport {
        vx,
        vy,
        vw,
        vh,
        scale,
    } = *view;
    // Less than half an output pixel a side is no margin.
    let (mx, my) = ((vw - p.width) / 2.0, (vh - p.height) / 2.0);
    let rects: Vec<[f32; 4]> = if mx * scale >= 0.5 {
        vec![
            [vx - 1.0, vy - 1.0, mx + 1.0, vh + 2.0],
            [p.vb_x + p.width, vy - 1.0, mx + 1.0, vh + 2.0],
        ]
    } else if my * scale >= 0.5 {
        vec![
            [vx - 1.0, vy - 1.0, vw + 2.0, my + 1.0],
            [vx - 1.0, p.vb_y + p.height, vw + 2.0, my + 1.0],
        ]
    } else {
        return None;
    };
    let mut out = String::new();
    for [x, y, w, h] in rects {
        out.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}/>",
            fmt(x),
            fmt(y),
            fmt(w),
            fmt(h),
            escape(background),
            own_shape_style(background, None, None)
        ));
    }
    Some((p.root_end, p.root_end, out))
}

/// Applies the edits to `src` in source order, substituting placeholders
/// (escaped) in the text between them. An edit inside another (a
/// conditional element inside a slot's rect, which the slot replaces whole)
/// is dropped with what contains it; an insertion (empty range) is inside
/// only if strictly so. Overlapping edits cannot both apply: the later is
/// skipped, never sliced backwards.
fn splice(
    src: &str,
    mut edits: Vec<Edit>,
    fields: &BTreeMap<String, String>,
    missing: &mut Vec<String>,
) -> String {
    edits.sort_by_key(|e| (e.0, e.1));
    let contains = |f: &Edit, e: &Edit| {
        if f.0 == f.1 || (f.0, f.1) == (e.0, e.1) {
            return false;
        }
        if e.0 == e.1 {
            f.0 < e.0 && e.1 < f.1
        } else {
            f.0 <= e.0 && e.1 <= f.1
        }
    };
    let kept: Vec<&Edit> = edits
        .iter()
        .filter(|e| !edits.iter().any(|f| contains(f, e)))
        .collect();
    let mut svg = String::with_capacity(src.len() + 4096);
    let mut at = 0;
    for (start, end, text) in kept {
        if *start < at {
            continue;
        }
        svg.push_str(&substitute(&src[at..*start], fields, true, missing));
        svg.push_str(text);
        at = *end;
    }
    svg.push_str(&substitute(&src[at..], fields, true, missing));
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_is_single_pass_and_escaped() {
        let mut f = BTreeMap::new();
        f.insert("org".to_string(), "A&B {{story}}".to_string());
        f.insert("story".to_string(), "<x>".to_string());
        let mut missing = Vec::new();
        let out = substitute(
            "<t>{{org}} {{ story }} {{nope}}</t>",
            &f,
            true,
            &mut missing,
        );
        assert_eq!(out, "<t>A&amp;B {{story}} &lt;x&gt; </t>");
        assert_eq!(missing, ["nope"]);
    }

    /// Every kind of the kit, on every preset whose safe zone is even,
    /// puts each slot of a right-to-left story at the mirror image of where
    /// a left-to-right story has it; X's header (its avatar sits at the
    /// lower left in every language) keeps the layout.
    #[test]
    fn rtl_stories_mirror_every_kind_of_the_kit() {
        let book = FontBook::new(&[] as &[&str]).unwrap();
        let campaign = crate::inputs::Campaign::embedded();
        let platforms = crate::inputs::platform::Platforms::embedded();
        let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let photo = ImageInput::load(&examples.join("photo-community.jpg"), "photo").unwrap();
        let (mut mirrored, mut kept) = (0, 0);
        for name in crate::template::builtin_names() {
            let set = TemplateSet::load(name).unwrap();
            for platform in platforms.all().iter().filter(|p| set.serves(p)) {
                let content = |story: &str, other: &str| {
                    let mut c = Content::story(&campaign, "Hub", story);
                    for f in [
                        "event",
                        "event_date",
                        "place",
                        "name",
                        "quote",
                        "title",
                        "role",
                    ] {
                        c.fields.insert(f.into(), other.into());
                    }
                    c.images.insert("photo".into(), photo.clone());
                    c.set_date(&campaign, time::macros::date!(2026 - 12 - 10));
                    c.detect_direction();
                    c
                };
                let ltr = fill(
                    &set,
                    platform,
                    &content("We cook on Fridays.", "Leila"),
                    &book,
                )
                .unwrap();
                let mut arabic = content("نطبخ معًا كل يوم جمعة.", "ليلى");
                if !["story", "event", "name", "title", "quote"]
                    .iter()
                    .any(|f| set.uses_field(f))
                {
                    // Only campaign text: mirrored when the user says so.
                    arabic.set_direction(crate::text::Direction::Rtl);
                }
                let rtl = fill(&set, platform, &arabic, &book).unwrap();
                let w = platform.width as f32;
                let even = platform.safe[1] == platform.safe[3];
                assert_eq!(
                    ltr.slot_boxes.len(),
                    rtl.slot_boxes.len(),
                    "{name} {}",
                    platform.name
                );
                for (a, b) in ltr.slot_boxes.iter().zip(&rtl.slot_boxes) {
                    let want = if even {
                        [w - a.rect[2], a.rect[1], w - a.rect[0], a.rect[3]]
                    } else {
                        a.rect
                    };
                    for (x, y) in want.iter().zip(b.rect) {
                        assert!(
                            (x - y).abs() < 0.01,
                            "{name} {} slot {}: {:?} is not {want:?}",
                            platform.name,
                            a.id,
                            b.rect
                        );
                    }
                }
                if even {
                    mirrored += 1;
                } else {
                    kept += 1;
                }
            }
        }
        assert!(
            mirrored > 100 && kept > 0,
            "{mirrored} mirrored, {kept} kept"
        );
    }

    /// The quote card's mark is the story's language's, shaped as its
    /// reader sees it open; a mirrored layout's static text is anchored at
    /// its other end and moved, not flipped.
    #[test]
    fn quote_marks_follow_the_language_and_labels_their_side() {
        let book = FontBook::new(&[] as &[&str]).unwrap();
        let campaign = crate::inputs::Campaign::embedded();
        let square = crate::inputs::platform::Platforms::embedded()
            .get("instagram-square")
            .unwrap()
            .clone();
        let quote = TemplateSet::load("story-quote").unwrap();
        let mark = |story: &str, lang: Option<&str>| {
            let mut c = Content::story(&campaign, "Hub", story);
            if let Some(l) = lang {
                c.fields.insert("lang".into(), l.into());
            }
            let svg = fill(&quote, &square, &c, &book).unwrap().svg;
            ['“', '”', '«', '»', '「', '„']
                .into_iter()
                .filter(|m| svg.contains(*m))
                .collect::<String>()
        };
        assert_eq!(mark("We cook together.", None), "“");
        assert_eq!(mark("نطبخ معًا.", None), "»");
        assert_eq!(mark("Ми готуємо разом.", None), "«");
        assert_eq!(mark("一緒に料理します。", None), "「");
        assert_eq!(mark("Wir kochen zusammen.", Some("de")), "“");
        assert_eq!(mark("ہم ساتھ کھانا پکاتے ہیں۔", None), "”");

        let badge = TemplateSet::load("supporter-badge").unwrap();
        let x = crate::inputs::platform::Platforms::embedded()
            .get("x-post")
            .unwrap()
            .clone();
        // An Arabic name on an English badge does not mirror it; --dir rtl
        // does: the label ("We support", a slot since the campaign's words
        // follow the card's language) moves to the other side, its text at
        // the slot's start, now the right.
        let mut c = Content::story(&campaign, "مركز الترحيب", "");
        let label = |f: &Filled| {
            f.slot_boxes
                .iter()
                .find(|b| f.slots[b.report].name == "campaign.we_support")
                .cloned()
                .expect("the badge's label")
        };
        let ltr = fill(&badge, &x, &c, &book).unwrap();
        c.set_direction(crate::text::Direction::Rtl);
        let rtl = fill(&badge, &x, &c, &book).unwrap();
        let (a, b) = (label(&ltr), label(&rtl));
        let w = ltr.width as f32;
        assert!(
            (b.rect[0] - (w - a.rect[2])).abs() < 1.0 && (b.rect[2] - (w - a.rect[0])).abs() < 1.0,
            "{:?} mirrored is not {:?}",
            a.rect,
            b.rect
        );
        let (ink_a, ink_b) = (a.ink.unwrap(), b.ink.unwrap());
        assert!(
            ink_a[0] - a.rect[0] < 2.0,
            "LTR: at the left {ink_a:?} {:?}",
            a.rect
        );
        assert!(
            b.rect[2] - ink_b[2] < 2.0,
            "RTL: at the right {ink_b:?} {:?}",
            b.rect
        );
    }

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(fmt(12.0), "12");
        assert_eq!(fmt(12.345), "12.35");
        assert_eq!(fmt(-0.001), "0");
    }
}
