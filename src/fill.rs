//! Filling a template: content and a platform in, a [`Filled`] SVG out —
//! placeholders substituted (escaped, in one pass, never re-read), text slots
//! replaced by laid-out lines, image slots by fitted images, the canvas set to
//! the platform's exact pixel size.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::error::Error;
use crate::images::Fit;
pub use crate::images::ImageInput;
use crate::platform::Platform;
use crate::template::{Slot, SlotKind, TemplateSet, Variant};
use crate::text::{self, Align, Direction, FontBook, Prepared, TextBlock, TextStyle, VAlign};

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
];

/// Longest text postkit lays out in one slot (characters).
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Text set smaller than this (output px) gets a legibility warning.
pub const MIN_LEGIBLE_PX: f32 = 14.0;

/// What goes into a template: text fields and images.
#[derive(Clone, Debug, Default)]
pub struct Content {
    /// Text fields by name (`org`, `story`, `hashtags`, `palette.primary`, …).
    pub fields: BTreeMap<String, String>,
    /// Images by slot name (`logo`, `photo`, …).
    pub images: BTreeMap<String, ImageInput>,
    /// Paragraph direction for text slots.
    pub direction: Direction,
    /// Focal point of the photo for cover-fit crops (0..1, 0..1); centre if unset.
    pub focus: Option<(f32, f32)>,
    /// A colour to put behind the logo (set when it would have poor contrast
    /// with the background under it).
    pub logo_plate: Option<String>,
    /// Warnings about the content itself (hashtag style), added to every
    /// asset made from it.
    pub notes: Vec<String>,
    /// Scrim opacity behind a slot's text (by field), set when the text needs
    /// more contrast with a photo.
    pub scrims: BTreeMap<String, f32>,
}

/// How one slot came out.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct SlotReport {
    /// Slot (field) name.
    pub name: String,
    /// Font size in output px (text slots).
    pub font_size: Option<f32>,
    /// Number of lines (text slots).
    pub lines: usize,
    /// Whether the content fits.
    pub fits: bool,
    /// Code points no font could draw (`U+XXXX`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// WCAG contrast of the text against what is behind it (text slots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contrast: Option<f32>,
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
    /// Things worth telling the user.
    pub warnings: Vec<String>,
    /// The warnings `--strict` turns into errors (missing glyphs, broken words).
    pub strict_problems: Vec<String>,
    /// Variant used.
    pub variant: String,
}

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Replaces `{{name}}` in `src` with `value(name)` in one pass: substituted
/// values are never scanned again. Names with no value become empty and are
/// collected in `missing`.
fn substitute(
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

fn group_id(idx: usize, slot: &Slot) -> String {
    format!("postkit-slot-{idx}-{}", slot.field)
}

fn fmt(v: f32) -> String {
    let r = (v * 100.0).round() / 100.0;
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn weight_of(s: &str) -> u16 {
    match s.trim() {
        "bold" | "bolder" => 700,
        "normal" | "" => 400,
        "light" | "lighter" => 300,
        n => n.parse().unwrap_or(400),
    }
}

struct Ctx<'a> {
    set: &'a TemplateSet,
    platform: &'a Platform,
    content: &'a Content,
    book: &'a FontBook,
    scale: f32,
    missing: Vec<String>,
    warnings: Vec<String>,
    strict: Vec<String>,
    slots: Vec<SlotReport>,
    boxes: Vec<SlotBox>,
    logo: Option<(String, [f32; 4])>,
    origin: (f32, f32),
}

impl Ctx<'_> {
    fn opt(&mut self, slot: &Slot, name: &str) -> Option<String> {
        let fields = &self.content.fields;
        slot.options
            .get(name)
            .map(|v| substitute(v, fields, false, &mut self.missing))
    }

    fn opt_num(&mut self, slot: &Slot, name: &str) -> Result<Option<f32>, Error> {
        match self.opt(slot, name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .trim_end_matches("px")
                .parse::<f32>()
                .ok()
                .filter(|n| n.is_finite() && *n > 0.0)
                .map(Some)
                .ok_or_else(|| Error::Template {
                    template: self.set.name.clone(),
                    message: format!(
                        "slot '{}': data-{name}=\"{v}\" is not a positive number",
                        slot.field
                    ),
                }),
        }
    }

    fn style(&mut self, slot: &Slot, wordmark: bool) -> Result<TextStyle, Error> {
        let family = self
            .opt(slot, "font-family")
            .map(|f| f.trim().trim_matches(['\'', '"']).to_string())
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| text::fonts::DEFAULT_FAMILY.to_string());
        if !self.book.has_family(&family) && !self.warnings.iter().any(|w| w.contains(&family)) {
            self.warnings.push(format!(
                "font '{family}' (slot {}) is not available; using {} instead (add it with --font)",
                slot.field,
                text::fonts::DEFAULT_FAMILY
            ));
        }
        let weight = if wordmark {
            weight_of(
                &self
                    .opt(slot, "wordmark-weight")
                    .unwrap_or_else(|| "700".into()),
            )
        } else {
            weight_of(&self.opt(slot, "font-weight").unwrap_or_default())
        };
        let size_max = self
            .opt_num(slot, "font-size-max")?
            .unwrap_or_else(|| (slot.height * 0.8).min(160.0));
        let size_min = self
            .opt_num(slot, "font-size-min")?
            .unwrap_or_else(|| (size_max / 4.0).max(10.0))
            .min(size_max);
        let line_height = self.opt_num(slot, "line-height")?.unwrap_or(1.25);
        let align = match self.opt(slot, "align").as_deref().map(str::trim) {
            None | Some("start") | Some("left") => Align::Start,
            Some("center") | Some("middle") => Align::Center,
            Some("end") | Some("right") => Align::End,
            Some(other) => {
                return Err(self.bad_option(slot, "align", other, "start, center or end"))
            }
        };
        let valign = match self.opt(slot, "valign").as_deref().map(str::trim) {
            None | Some("top") => VAlign::Top,
            Some("middle") | Some("center") => VAlign::Middle,
            Some("bottom") => VAlign::Bottom,
            Some(other) => {
                return Err(self.bad_option(slot, "valign", other, "top, middle or bottom"))
            }
        };
        let max_lines = match self.opt(slot, "max-lines") {
            None => None,
            Some(v) => Some(
                v.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        self.bad_option(slot, "max-lines", &v, "a whole number of at least 1")
                    })?,
            ),
        };
        // The user's direction applies to what the user wrote; campaign text
        // (dates, hashtags, handles, the campaign's name) finds its own.
        let campaign_text = CAMPAIGN_FIELDS.contains(&slot.field.as_str())
            || slot.field.starts_with("campaign.")
            || slot.field.starts_with("palette.")
            || slot.field.starts_with("brand.");
        let direction = match self.opt(slot, "dir").as_deref().map(str::trim) {
            None if campaign_text => Direction::Auto,
            None | Some("auto") => self.content.direction,
            Some("ltr") => Direction::Ltr,
            Some("rtl") => Direction::Rtl,
            Some(other) => return Err(self.bad_option(slot, "dir", other, "ltr, rtl or auto")),
        };
        Ok(TextStyle {
            family,
            weight,
            size_min,
            size_max,
            line_height,
            align,
            valign,
            max_lines,
            direction,
            lang: self.content.fields.get("lang").cloned(),
        })
    }

    /// Does this slot overlap a cover-fitted image slot of the same variant?
    fn over_photo(&self, slot: &Slot) -> bool {
        let variant = self
            .set
            .variant_for(self.platform.width, self.platform.height);
        variant.parsed.slots.iter().any(|o| {
            o.kind == SlotKind::Image
                && o.options.get("fit").is_some_and(|f| f.trim() == "cover")
                && self.content.images.contains_key(&o.field)
                && o.x < slot.x + slot.width
                && slot.x < o.x + o.width
                && o.y < slot.y + slot.height
                && slot.y < o.y + o.height
        })
    }

    /// The slot in output px: left, top, right, bottom.
    fn px(&self, slot: &Slot) -> [f32; 4] {
        let (ox, oy) = self.origin;
        let s = self.scale;
        [
            (slot.x - ox) * s,
            (slot.y - oy) * s,
            (slot.x + slot.width - ox) * s,
            (slot.y + slot.height - oy) * s,
        ]
    }

    fn bad_option(&self, slot: &Slot, name: &str, value: &str, valid: &str) -> Error {
        Error::Template {
            template: self.set.name.clone(),
            message: format!(
                "slot '{}': data-{name}=\"{value}\" is not valid; use {valid}",
                slot.field
            ),
        }
    }

    fn group_open(&self, out: &mut String, idx: usize, slot: &Slot) {
        let _ = write!(out, "<g id=\"{}\"", group_id(idx, slot));
        if let Some(t) = &slot.transform {
            let _ = write!(out, " transform=\"{}\"", escape(t));
        }
        out.push('>');
    }

    fn text_slot(
        &mut self,
        idx: usize,
        slot: &Slot,
        value: &str,
        wordmark: bool,
    ) -> Result<String, Error> {
        let mut style = self.style(slot, wordmark)?;
        if wordmark {
            if !slot.options.contains_key("align") {
                style.align = Align::Center;
            }
            if !slot.options.contains_key("valign") {
                style.valign = VAlign::Middle;
            }
            if style.max_lines.is_none() {
                style.max_lines = Some(2);
            }
            style.line_height = 1.1;
        }
        let fill = if wordmark {
            self.opt(slot, "wordmark-fill")
                .or_else(|| self.opt(slot, "fill"))
        } else {
            self.opt(slot, "fill")
        }
        .unwrap_or_else(|| "#000000".into());
        let prepared = Prepared::new(self.book, value, &style);
        let block = prepared.layout(slot.width, slot.height, &style);
        if !block.fits {
            return Err(self.overflow(slot, value, &style, &block));
        }
        let missing: Vec<String> = block
            .missing
            .iter()
            .map(|c| format!("U+{:04X}", *c as u32))
            .collect();
        if !missing.is_empty() {
            let w = format!(
                "slot {}: no font has {} ({}); add a font that covers them with --font",
                slot.field,
                missing.join(" "),
                block.missing.iter().collect::<String>()
            );
            self.warnings.push(w.clone());
            self.strict.push(w);
        }
        for word in &block.broken_words {
            let w = format!(
                "slot {}: the word '{word}' is too long for the box and was broken inside",
                slot.field
            );
            self.warnings.push(w.clone());
            self.strict.push(w);
        }
        let px = block.font_size * self.scale;
        if px < MIN_LEGIBLE_PX && !wordmark {
            self.warnings.push(format!(
                "slot {}: text is set at {px:.1} px on a {}x{} image, too small to read; use a template with a variant for this shape",
                slot.field, self.platform.width, self.platform.height
            ));
        }
        let report_idx = self.slots.len();
        self.slots.push(SlotReport {
            name: slot.field.clone(),
            font_size: Some((block.font_size * self.scale * 100.0).round() / 100.0),
            lines: block.lines.len(),
            fits: true,
            missing,
            contrast: None,
        });
        if slot.transform.is_none() {
            let (ox, oy) = self.origin;
            let s = self.scale;
            let ink = block.ink.map(|(l, t, r, b)| {
                [
                    (slot.x + l - ox) * s,
                    (slot.y + t - oy) * s,
                    (slot.x + r - ox) * s,
                    (slot.y + b - oy) * s,
                ]
            });
            self.boxes.push(SlotBox {
                report: report_idx,
                id: group_id(idx, slot),
                rect: self.px(slot),
                ink,
                colour: crate::contrast::parse_hex(&fill),
                font_px: block.font_size * s,
                bold: style.weight >= 700,
                over_photo: self.over_photo(slot),
            });
        }
        let mut out = String::new();
        // A scrim behind the text, when contrast asked for one.
        if let (Some(opacity), Some((l, t, r, b))) =
            (self.content.scrims.get(&slot.field), block.ink)
        {
            let pad = block.font_size * 0.35;
            let colour = match crate::contrast::parse_hex(&fill) {
                Some(c) if crate::contrast::luminance(c) < 0.4 => "#FFFFFF",
                _ => "#0B1B2B",
            };
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"{colour}\" fill-opacity=\"{}\"{}/>",
                fmt(slot.x + l - pad),
                fmt(slot.y + t - pad),
                fmt(r - l + 2.0 * pad),
                fmt(b - t + 2.0 * pad),
                fmt(pad),
                fmt(*opacity),
                slot.transform
                    .as_ref()
                    .map(|t| format!(" transform=\"{}\"", escape(t)))
                    .unwrap_or_default()
            );
        }
        self.group_open(&mut out, idx, slot);
        let size = fmt(block.font_size);
        for line in &block.lines {
            for run in &line.runs {
                let face = self.book.face(run.face);
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{}\" font-family=\"'{}'\" font-weight=\"{}\" font-style=\"{}\" font-size=\"{size}\" fill=\"{}\" xml:space=\"preserve\">{}</text>",
                    fmt(slot.x + run.x),
                    fmt(slot.y + line.baseline),
                    escape(&face.family),
                    face.weight,
                    if face.italic { "italic" } else { "normal" },
                    escape(&fill),
                    escape(&run.text)
                );
            }
        }
        out.push_str("</g>");
        Ok(out)
    }

    fn overflow(&self, slot: &Slot, value: &str, style: &TextStyle, block: &TextBlock) -> Error {
        let pitch = style.line_height * style.size_min;
        // Saturating: a template's numbers may be absurd (a slot 3e38 high).
        let room = (((slot.height - style.size_min * 1.36) / pitch)
            .floor()
            .clamp(0.0, 1e9) as usize)
            .saturating_add(1);
        let allowed = style.max_lines.map_or(room, |m| m.min(room));
        let needed = block.lines.len().max(1);
        let chars = value.chars().count();
        let suggest = (chars.saturating_mul(allowed) / needed.max(allowed.saturating_add(1)))
            .max(1)
            .saturating_mul(9)
            / 10;
        Error::TextOverflow {
            slot: slot.field.clone(),
            template: self.set.name.clone(),
            platform: self.platform.name.clone(),
            min_size: (style.size_min * self.scale * 10.0).round() / 10.0,
            detail: if block.broken_words.is_empty() {
                format!("{needed} lines needed, {allowed} fit")
            } else {
                "a word is wider than the box".to_string()
            },
            suggest,
        }
    }

    fn image_slot(&mut self, idx: usize, slot: &Slot, img: &ImageInput) -> Result<String, Error> {
        let fit = self.opt(slot, "fit").unwrap_or_else(|| "contain".into());
        let logo = slot.field == "logo";
        let fit = match fit.trim() {
            "contain" => Fit::Contain,
            "cover" => {
                let (fx, fy) = self.content.focus.unwrap_or((0.5, 0.5));
                Fit::Cover(fx, fy)
            }
            other => return Err(self.bad_option(slot, "fit", other, "contain or cover")),
        };
        // Logos keep clear space around them.
        let pad = if logo && fit == Fit::Contain {
            slot.width.min(slot.height) * 0.08
        } else {
            0.0
        };
        let (bx, by, bw, bh) = (
            slot.x + pad,
            slot.y + pad,
            slot.width - 2.0 * pad,
            slot.height - 2.0 * pad,
        );
        let placed = img.place(bw, bh, self.scale, fit);
        // A contained image follows the slot's alignment; the anchored side
        // gives up its clear space so the logo lines up with the layout.
        let free_x = (1.0 - placed.rect[2]) * bw;
        let free_y = (1.0 - placed.rect[3]) * bh;
        let (ix, iy) = if fit == Fit::Contain && !img.is_svg() {
            let ix = match self.opt(slot, "align").as_deref().map(str::trim) {
                Some("start") | Some("left") => slot.x,
                Some("end") | Some("right") => slot.x + slot.width - placed.rect[2] * bw,
                _ => bx + free_x / 2.0,
            };
            let iy = match self.opt(slot, "valign").as_deref().map(str::trim) {
                Some("top") => slot.y,
                Some("bottom") => slot.y + slot.height - placed.rect[3] * bh,
                _ => by + free_y / 2.0,
            };
            (ix, iy)
        } else {
            (bx + placed.rect[0] * bw, by + placed.rect[1] * bh)
        };
        let (iw, ih) = (placed.rect[2] * bw, placed.rect[3] * bh);
        if placed.density < 0.66 && !img.is_svg() {
            self.warnings.push(format!(
                "{} {} is {}x{} px but is shown at {}x{} px on {}: it will look soft; use a larger file or an SVG",
                slot.field,
                img.path.display(),
                img.width,
                img.height,
                (iw * self.scale).round(),
                (ih * self.scale).round(),
                self.platform.name
            ));
        }
        let mut out = String::new();
        let clip = format!("postkit-clip-{idx}");
        let _ = write!(
            out,
            "<clipPath id=\"{clip}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>",
            fmt(slot.x),
            fmt(slot.y),
            fmt(slot.width),
            fmt(slot.height)
        );
        self.group_open(&mut out, idx, slot);
        if logo {
            self.logo = Some((group_id(idx, slot), self.px(slot)));
        }
        if let (true, Some(plate)) = (logo, &self.content.logo_plate) {
            let p = pad.max(slot.height * 0.06);
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"{}\"/>",
                fmt((ix - p).max(slot.x)),
                fmt((iy - p).max(slot.y)),
                fmt((iw + 2.0 * p).min(slot.width)),
                fmt((ih + 2.0 * p).min(slot.height)),
                fmt(p),
                escape(plate)
            );
        }
        let _ = write!(
            out,
            "<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"{}\" clip-path=\"url(#{clip})\" href=\"{}\"/></g>",
            fmt(ix),
            fmt(iy),
            fmt(iw),
            fmt(ih),
            placed.aspect,
            placed.href
        );
        self.slots.push(SlotReport {
            name: slot.field.clone(),
            font_size: None,
            lines: 0,
            fits: true,
            missing: Vec::new(),
            contrast: None,
        });
        Ok(out)
    }

    fn slot(&mut self, idx: usize, slot: &Slot) -> Result<String, Error> {
        match slot.kind {
            SlotKind::Image => {
                if let Some(img) = self.content.images.get(&slot.field) {
                    let img = img.clone();
                    return self.image_slot(idx, slot, &img);
                }
                if slot.field == "logo" {
                    // No logo: the organisation's name as a wordmark.
                    if let Some(org) = self.content.fields.get("org").filter(|o| !o.is_empty()) {
                        let org = org.clone();
                        return self.text_slot(idx, slot, &org, true);
                    }
                    return Ok(String::new());
                }
                if self.opt(slot, "required").as_deref() == Some("false") {
                    return Ok(String::new());
                }
                Err(Error::MissingField(format!(
                    "the {} template has a {} slot: give an image with --{}",
                    self.set.name, slot.field, slot.field
                )))
            }
            SlotKind::Text => {
                let value = self
                    .content
                    .fields
                    .get(&slot.field)
                    .map(|v| text::clean(v))
                    .unwrap_or_default();
                if value.is_empty() {
                    let required = self
                        .opt(slot, "required")
                        .map(|r| r.trim() == "true")
                        .unwrap_or(slot.field == "story");
                    if required {
                        return Err(Error::MissingField(format!(
                            "the {} template needs a {}: give it with --{}",
                            self.set.name, slot.field, slot.field
                        )));
                    }
                    return Ok(String::new());
                }
                let chars = value.chars().count();
                if chars > MAX_TEXT_CHARS {
                    return Err(Error::TooLong {
                        field: slot.field.clone(),
                        chars,
                        limit: MAX_TEXT_CHARS,
                    });
                }
                self.text_slot(idx, slot, &value, false)
            }
        }
    }
}

/// Source ranges of the conditional elements `content` leaves out.
fn dropped_ranges(variant: &Variant, content: &Content) -> Vec<std::ops::Range<usize>> {
    let is_set = |f: &str| {
        content
            .fields
            .get(f)
            .is_some_and(|v| !v.trim().is_empty() && v.trim() != "false")
    };
    variant
        .parsed
        .conditionals
        .iter()
        .filter(|(_, field, when_set)| is_set(field) != *when_set)
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

/// How a variant's user space maps onto a platform's pixels: the canvas grows
/// (never distorts) to the platform's aspect ratio, centred.
#[derive(Clone, Copy, Debug)]
pub struct Canvas {
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

/// The canvas of `variant` on `platform`.
pub fn canvas(variant: &Variant, platform: &Platform) -> Canvas {
    let p = &variant.parsed;
    let (w, h) = (platform.width as f32, platform.height as f32);
    let scale = (w / p.width).min(h / p.height);
    let (vw, vh) = (w / scale, h / scale);
    Canvas {
        scale,
        vx: p.vb_x - (vw - p.width) / 2.0,
        vy: p.vb_y - (vh - p.height) / 2.0,
        vw,
        vh,
    }
}

impl Canvas {
    /// A slot's rect in output px (left, top, right, bottom), ignoring any
    /// transform on the slot itself.
    pub fn px(&self, slot: &Slot) -> [f32; 4] {
        [
            (slot.x - self.vx) * self.scale,
            (slot.y - self.vy) * self.scale,
            (slot.x + slot.width - self.vx) * self.scale,
            (slot.y + slot.height - self.vy) * self.scale,
        ]
    }
}

/// Fills the variant of `set` nearest `platform`'s aspect with `content`.
pub fn fill(
    set: &TemplateSet,
    platform: &Platform,
    content: &Content,
    book: &FontBook,
) -> Result<Filled, Error> {
    let variant: &Variant = set.variant_for(platform.width, platform.height);
    let p = &variant.parsed;
    let Canvas {
        scale,
        vx,
        vy,
        vw,
        vh,
    } = canvas(variant, platform);

    let mut ctx = Ctx {
        set,
        platform,
        content,
        book,
        scale,
        missing: Vec::new(),
        warnings: Vec::new(),
        strict: Vec::new(),
        slots: Vec::new(),
        boxes: Vec::new(),
        logo: None,
        origin: (vx, vy),
    };

    // Edits, in source order: (start, end, replacement).
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for r in &p.root_drop {
        edits.push((r.start, r.end, String::new()));
    }
    edits.push((
        p.root_insert,
        p.root_insert,
        format!(
            " width=\"{}\" height=\"{}\" viewBox=\"{} {} {} {}\" preserveAspectRatio=\"xMidYMid meet\"",
            platform.width,
            platform.height,
            fmt(vx),
            fmt(vy),
            fmt(vw),
            fmt(vh)
        ),
    ));
    let background = p
        .background
        .as_deref()
        .map(|b| substitute(b, &content.fields, false, &mut ctx.missing))
        .or_else(|| content.fields.get("palette.background").cloned())
        .unwrap_or_else(|| "#FFFFFF".into());
    edits.push((
        p.root_body,
        p.root_body,
        format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
            fmt(vx - 1.0),
            fmt(vy - 1.0),
            fmt(vw + 2.0),
            fmt(vh + 2.0),
            escape(&background)
        ),
    ));
    // Conditional elements whose condition fails are dropped, with any slot
    // inside them.
    let dropped = dropped_ranges(variant, content);
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
    for (i, slot) in p.slots.iter().enumerate() {
        if dropped
            .iter()
            .any(|d| d.start <= slot.range.start && slot.range.end <= d.end)
        {
            continue;
        }
        let markup = ctx.slot(i, slot)?;
        edits.push((slot.range.start, slot.range.end, markup));
    }
    edits.sort_by_key(|e| (e.0, e.1));
    // An edit inside another (a conditional element inside a slot's rect,
    // which the slot replaces whole) is dropped with what contains it. An
    // insertion (empty range) is inside only if strictly so.
    let contains = |f: &(usize, usize, String), e: &(usize, usize, String)| {
        if f.0 == f.1 || (f.0, f.1) == (e.0, e.1) {
            return false;
        }
        if e.0 == e.1 {
            f.0 < e.0 && e.1 < f.1
        } else {
            f.0 <= e.0 && e.1 <= f.1
        }
    };
    let edits: Vec<&(usize, usize, String)> = edits
        .iter()
        .filter(|e| !edits.iter().any(|f| contains(f, e)))
        .collect();

    let src = &variant.source;
    let mut svg = String::with_capacity(src.len() + 4096);
    let mut at = 0;
    for (start, end, text) in edits {
        if *start < at {
            continue; // overlapping edits cannot be applied both; never slice backwards
        }
        svg.push_str(&substitute(
            &src[at..*start],
            &content.fields,
            true,
            &mut ctx.missing,
        ));
        svg.push_str(text);
        at = *end;
    }
    svg.push_str(&substitute(
        &src[at..],
        &content.fields,
        true,
        &mut ctx.missing,
    ));

    for m in &ctx.missing {
        ctx.warnings.push(format!(
            "the template uses {{{{{m}}}}}, which has no value here; it was left empty"
        ));
    }
    Ok(Filled {
        svg,
        width: platform.width,
        height: platform.height,
        slots: ctx.slots,
        slot_boxes: ctx.boxes,
        logo: ctx.logo,
        warnings: ctx.warnings,
        strict_problems: ctx.strict,
        variant: variant.name.clone(),
    })
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

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(fmt(12.0), "12");
        assert_eq!(fmt(12.345), "12.35");
        assert_eq!(fmt(-0.001), "0");
    }
}
