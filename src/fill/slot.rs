//! Filling one slot: the read-only inputs of a fill ([`Job`]) apart from
//! what it gathers as it goes ([`Acc`]), and the dispatch to the text and
//! image slots.

use std::fmt::Write as _;

use super::{
    escape, group_id, substitute, Content, Filled, SlotBox, SlotReport, Viewport, CAMPAIGN_FIELDS,
    MAX_TEXT_CHARS,
};
use crate::diag::{Diagnostic, Kind};
use crate::error::Error;
use crate::inputs::Platform;
use crate::template::{Slot, SlotKind, TemplateSet};
use crate::text::{self, Align, Direction, FontBook, TextStyle, VAlign};

/// What a fill reads and never changes.
pub(super) struct Job<'a> {
    pub set: &'a TemplateSet,
    pub platform: &'a Platform,
    pub content: &'a Content,
    pub book: &'a FontBook,
    pub view: Viewport,
    /// The layout is mirrored (a right-to-left story).
    pub mirrored: bool,
    /// The variant's slots where this fill draws them (moved, when
    /// mirrored).
    pub slots: std::borrow::Cow<'a, [Slot]>,
}

/// What a fill gathers as it goes.
#[derive(Default)]
pub(super) struct Acc {
    /// Placeholders with no value, once each.
    pub missing: Vec<String>,
    pub warnings: Vec<Diagnostic>,
    pub slots: Vec<SlotReport>,
    pub boxes: Vec<SlotBox>,
    pub logo: Option<(String, [f32; 4])>,
}

impl Acc {
    /// The filled template, with the diagnostics of the placeholders that
    /// had no value.
    pub fn finish(mut self, svg: String, platform: &Platform, variant: &str) -> Filled {
        for m in &self.missing {
            self.warnings.push(
                Diagnostic::new(
                    Kind::EmptyField,
                    format!("the template uses {{{{{m}}}}}, which has no value here"),
                )
                .field(m)
                .hint("it was left empty"),
            );
        }
        Filled {
            svg,
            width: platform.width,
            height: platform.height,
            slots: self.slots,
            slot_boxes: self.boxes,
            logo: self.logo,
            warnings: self.warnings,
            variant: variant.to_string(),
            mirrored: false,
            actors: Vec::new(),
            clip_svg: None,
        }
    }
}

/// How a user gives `field`: its own flag where `render` has one, else a
/// `--field` or a batch column (the web form names its fields the same).
fn how_to_give(field: &str) -> String {
    match field {
        "story" | "org" | "translation" => format!("give it with --{field}"),
        "logo" | "photo" => format!("give an image with --{field}"),
        f if crate::template::slots::IMAGE_FIELDS.contains(&f) => {
            "postkit takes the images logo and photo only: name the slot photo, or mark it data-required=\"false\"".to_string()
        }
        f => format!("give it with --field {f}=… (the {f} column in a batch)"),
    }
}

pub(super) fn weight_of(s: &str) -> u16 {
    match s.trim() {
        "bold" | "bolder" => 700,
        "normal" | "" => 400,
        "light" | "lighter" => 300,
        n => n.parse().unwrap_or(400),
    }
}

impl Job<'_> {
    pub(super) fn opt(&self, acc: &mut Acc, slot: &Slot, name: &str) -> Option<String> {
        let fields = &self.content.fields;
        slot.options
            .get(name)
            .map(|v| substitute(v, fields, false, &mut acc.missing))
    }

    pub(super) fn opt_num(
        &self,
        acc: &mut Acc,
        slot: &Slot,
        name: &str,
    ) -> Result<Option<f32>, Error> {
        match self.opt(acc, slot, name) {
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

    pub(super) fn style(
        &self,
        acc: &mut Acc,
        slot: &Slot,
        wordmark: bool,
    ) -> Result<TextStyle, Error> {
        let (family, named_weight) = self.family(acc, slot);
        let weight = if wordmark {
            weight_of(
                &self
                    .opt(acc, slot, "wordmark-weight")
                    .unwrap_or_else(|| "700".into()),
            )
        } else {
            match self.opt(acc, slot, "font-weight") {
                Some(w) => weight_of(&w),
                None => named_weight.unwrap_or(400),
            }
        };
        let size_max = self
            .opt_num(acc, slot, "font-size-max")?
            .unwrap_or_else(|| (slot.height * 0.8).min(160.0));
        let size_min = self
            .opt_num(acc, slot, "font-size-min")?
            .unwrap_or_else(|| (size_max / 4.0).max(10.0))
            .min(size_max);
        let line_height = self.opt_num(acc, slot, "line-height")?.unwrap_or(1.25);
        // A mirrored layout's start is its right edge, whatever the
        // direction of the slot's own text (hashtags stay left to right);
        // a translation is prose in its own direction and keeps its own
        // start (English under an Arabic story is ragged right).
        let (start, end) = if self.mirrored && slot.field != "translation" {
            (Align::Right, Align::Left)
        } else {
            (Align::Start, Align::End)
        };
        let align = match self.opt(acc, slot, "align").as_deref().map(str::trim) {
            None | Some("start") | Some("left") => start,
            Some("center") | Some("middle") => Align::Center,
            Some("end") | Some("right") => end,
            Some(other) => {
                return Err(self.bad_option(slot, "align", other, "start, center or end"))
            }
        };
        let valign = match self.opt(acc, slot, "valign").as_deref().map(str::trim) {
            None | Some("top") => VAlign::Top,
            Some("middle") | Some("center") => VAlign::Middle,
            Some("bottom") => VAlign::Bottom,
            Some(other) => {
                return Err(self.bad_option(slot, "valign", other, "top, middle or bottom"))
            }
        };
        let max_lines = match self.opt(acc, slot, "max-lines") {
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
        let direction = self.direction(acc, slot)?;
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
            lang: self.lang(slot),
        })
    }

    /// The language of a slot's text: a translation's is its own
    /// (`translation_lang`), never the story's.
    fn lang(&self, slot: &Slot) -> Option<String> {
        let key = match slot.field.as_str() {
            "translation" => "translation_lang",
            _ => "lang",
        };
        self.content.fields.get(key).cloned()
    }

    /// The slot's font family (the default one if it names none), with a
    /// diagnostic, once per family, when no font has it; a PostScript or
    /// full name (`NotoSans-Bold`) gives its family and the weight it names.
    fn family(&self, acc: &mut Acc, slot: &Slot) -> (String, Option<u16>) {
        let family = self
            .opt(acc, slot, "font-family")
            .map(|f| f.trim().trim_matches(['\'', '"']).to_string())
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| text::fonts::DEFAULT_FAMILY.to_string());
        if !self.book.has_family(&family) {
            if let Some(named) = crate::template::fonts::by_name(&self.book.database(), &family) {
                return (named.family, Some(named.weight));
            }
        }
        let said = acc
            .warnings
            .iter()
            .any(|w| w.kind == Kind::FontUnavailable && w.message.contains(&format!("'{family}'")));
        if !self.book.has_family(&family) && !said {
            acc.warnings.push(
                Diagnostic::new(
                    Kind::FontUnavailable,
                    format!("font '{family}' (slot {}) is not available", slot.field),
                )
                .field(&slot.field)
                .hint(format!(
                    "using {} instead (add it with --font)",
                    text::fonts::DEFAULT_FAMILY
                )),
            );
        }
        (family, None)
    }

    /// The slot's paragraph direction.
    fn direction(&self, acc: &mut Acc, slot: &Slot) -> Result<Direction, Error> {
        // The user's direction applies to what the user wrote; campaign text
        // (dates, hashtags, handles, the campaign's name) finds its own.
        let campaign_text = CAMPAIGN_FIELDS.contains(&slot.field.as_str())
            || slot.field.starts_with("campaign.")
            || slot.field.starts_with("palette.")
            || slot.field.starts_with("brand.");
        // A translation is in another language than the story: its
        // direction is its own (`translation_dir`, else its first letter).
        let translation = match self
            .content
            .fields
            .get("translation_dir")
            .map(String::as_str)
        {
            Some("rtl") => Direction::Rtl,
            Some("ltr") => Direction::Ltr,
            _ => Direction::Auto,
        };
        match self.opt(acc, slot, "dir").as_deref().map(str::trim) {
            None if slot.field == "translation" => Ok(translation),
            None if campaign_text => Ok(Direction::Auto),
            None | Some("auto") => Ok(self.content.direction),
            Some("ltr") => Ok(Direction::Ltr),
            Some("rtl") => Ok(Direction::Rtl),
            Some(other) => Err(self.bad_option(slot, "dir", other, "ltr, rtl or auto")),
        }
    }

    /// How far (user units) `mark` must be raised to stand as high as the
    /// quotation mark the template drew, in the template's face for it.
    pub(super) fn raise(&self, q: &crate::template::mirror::QuoteMark, mark: char) -> f32 {
        let Some(size) = q.size else {
            return 0.0;
        };
        let family = q
            .family
            .as_deref()
            .filter(|f| self.book.has_family(f))
            .unwrap_or(text::fonts::DEFAULT_FAMILY);
        let weight = weight_of(q.weight.as_deref().unwrap_or("400"));
        let Some(face) = self.book.best_in_family(family, weight) else {
            return 0.0;
        };
        let face = self.book.face(face);
        match (face.ink_top(q.written), face.ink_top(mark)) {
            (Some(drawn), Some(new)) => (drawn - new).max(0.0) * size,
            _ => 0.0,
        }
    }

    /// Does this slot overlap a cover-fitted image slot of the same variant?
    pub(super) fn over_photo(&self, slot: &Slot) -> bool {
        let [sx, sy, sw, sh] = slot.page;
        self.slots.iter().any(|o| {
            let [ox, oy, ow, oh] = o.page;
            o.kind == SlotKind::Image
                && o.options.get("fit").is_some_and(|f| f.trim() == "cover")
                && self.content.images.contains_key(&o.field)
                && ox < sx + sw
                && sx < ox + ow
                && oy < sy + sh
                && sy < oy + oh
        })
    }

    pub(super) fn bad_option(&self, slot: &Slot, name: &str, value: &str, valid: &str) -> Error {
        Error::Template {
            template: self.set.name.clone(),
            message: format!(
                "slot '{}': data-{name}=\"{value}\" is not valid; use {valid}",
                slot.field
            ),
        }
    }

    pub(super) fn group_open(&self, out: &mut String, idx: usize, slot: &Slot) {
        let _ = write!(out, "<g id=\"{}\"", group_id(idx, slot));
        if let Some(t) = &slot.transform {
            let _ = write!(out, " transform=\"{}\"", escape(t));
        }
        let _ = write!(
            out,
            " style=\"{}\">",
            super::own_style(slot.transform.as_deref())
        );
    }

    /// The markup that replaces `slot`.
    pub(super) fn slot(&self, acc: &mut Acc, idx: usize, slot: &Slot) -> Result<String, Error> {
        match slot.kind {
            SlotKind::Image => {
                if let Some(img) = self.content.images.get(&slot.field) {
                    let img = img.clone();
                    return self.image_slot(acc, idx, slot, &img);
                }
                if slot.field == "logo" {
                    // No logo: the organisation's name as a wordmark.
                    if let Some(org) = self.content.fields.get("org").filter(|o| !o.is_empty()) {
                        let org = org.clone();
                        return self.text_slot(acc, idx, slot, &org, true);
                    }
                    return Ok(String::new());
                }
                if self.opt(acc, slot, "required").as_deref() == Some("false") {
                    return Ok(String::new());
                }
                Err(Error::MissingField(format!(
                    "the {} template has a {} slot: {}",
                    self.set.name,
                    slot.field,
                    how_to_give(&slot.field)
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
                        .opt(acc, slot, "required")
                        .map(|r| r.trim() == "true")
                        .unwrap_or(slot.field == "story");
                    if required {
                        return Err(Error::MissingField(format!(
                            "the {} template needs {}: {}",
                            self.set.name,
                            slot.field,
                            how_to_give(&slot.field)
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
                self.text_slot(acc, idx, slot, &value, false)
            }
        }
    }
}
