//! A text slot: the text laid out at the largest size that fits, reported
//! (size, lines, missing glyphs, broken words), its box kept for the checks
//! that need pixels, and its markup (a scrim when asked, one `<text>` per
//! run).

use std::fmt::Write as _;

use super::slot::{Acc, Job};
use super::{
    escape, fmt, group_id, own_shape_style, own_text_style, SlotBox, SlotReport, MIN_LEGIBLE_PX,
};
use crate::diag::{Diagnostic, Kind};
use crate::error::Error;
use crate::template::Slot;
use crate::text::{Align, Prepared, TextBlock, TextStyle, VAlign};

impl Job<'_> {
    /// The markup of a text slot holding `value`; a `wordmark` is the
    /// organisation's name set where its logo would go.
    pub(super) fn text_slot(
        &self,
        acc: &mut Acc,
        idx: usize,
        slot: &Slot,
        value: &str,
        wordmark: bool,
    ) -> Result<String, Error> {
        let mut style = self.style(acc, slot, wordmark)?;
        self.size_under(acc, slot, &mut style)?;
        if wordmark {
            wordmark_style(&mut style, slot);
        }
        let fill = if wordmark {
            self.opt(acc, slot, "wordmark-fill")
                .or_else(|| self.opt(acc, slot, "fill"))
        } else {
            self.opt(acc, slot, "fill")
        }
        .unwrap_or_else(|| "#000000".into());
        let prepared = Prepared::new(self.book, value, &style);
        let block = prepared.layout(slot.width, slot.height, &style);
        if !block.fits {
            return Err(self.overflow(slot, value, &style, &block));
        }
        self.diagnose(acc, slot, &block, wordmark, value);
        self.record(acc, idx, slot, &block, &style, &fill);
        Ok(self.text_markup(idx, slot, &block, &fill))
    }

    /// `data-size-under="story"`: the slot's text is set at most
    /// `data-size-ratio` (default [`SIZE_RATIO`]) times the size the named
    /// slot's text was set at, so that one stays the larger. The named slot
    /// is one filled before this one (earlier in the document); when it was
    /// not filled, only the slot's own sizes apply.
    fn size_under(&self, acc: &mut Acc, slot: &Slot, style: &mut TextStyle) -> Result<(), Error> {
        let ratio = self.opt_num(acc, slot, "size-ratio")?;
        let Some(under) = self.opt(acc, slot, "size-under") else {
            return match ratio {
                Some(r) => Err(self.bad_option(
                    slot,
                    "size-ratio",
                    &r.to_string(),
                    "it with data-size-under, which names the slot it is a ratio of",
                )),
                None => Ok(()),
            };
        };
        let ratio = ratio.unwrap_or(SIZE_RATIO);
        if ratio > 1.0 {
            let valid = "a number above 0 and at most 1";
            return Err(self.bad_option(slot, "size-ratio", &ratio.to_string(), valid));
        }
        let set_at = acc
            .boxes
            .iter()
            .rev()
            .find(|b| acc.slots[b.report].name == under.trim())
            .map(|b| b.font_px);
        if let Some(px) = set_at {
            style.size_max = style.size_max.min(px * ratio / self.view.slot_scale(slot));
            style.size_min = style.size_min.min(style.size_max);
        }
        Ok(())
    }

    /// Missing glyphs, words broken inside, text too small to read.
    fn diagnose(&self, acc: &mut Acc, slot: &Slot, block: &TextBlock, wordmark: bool, value: &str) {
        if !block.missing.is_empty() {
            let message = format!(
                "slot {}: no font has {} ({})",
                slot.field,
                code_points(block).join(" "),
                block.missing.iter().collect::<String>()
            );
            acc.warnings.push(
                Diagnostic::new(Kind::MissingGlyph, message)
                    .field(&slot.field)
                    .hint("add a font that covers them with --font"),
            );
        }
        for word in &block.broken_words {
            let message = format!(
                "slot {}: the word '{word}' is too long for the box and was broken inside",
                slot.field
            );
            acc.warnings
                .push(Diagnostic::new(Kind::BrokenWord, message).field(&slot.field));
        }
        let px = block.font_size * self.view.slot_scale(slot);
        if wordmark {
            return;
        }
        if let Some(d) = self.small_story(slot, px, value) {
            acc.warnings.push(d);
        } else if px < MIN_LEGIBLE_PX {
            let message = format!(
                "slot {}: text is set at {px:.1} px on a {}x{} image, too small to read",
                slot.field, self.platform.width, self.platform.height
            );
            acc.warnings.push(
                Diagnostic::new(Kind::SmallText, message)
                    .field(&slot.field)
                    .hint("use a template with a variant for this shape"),
            );
        }
    }

    /// A story (or its translation, a title, a quote) set below the
    /// platform's readable minimum ([`Platform::readable_px`]): a warning
    /// naming the size, the minimum and about how long a text would be set
    /// at it.
    ///
    /// [`Platform::readable_px`]: crate::inputs::Platform::readable_px
    fn small_story(&self, slot: &Slot, px: f32, value: &str) -> Option<Diagnostic> {
        let body = slot.field == "translation"
            || crate::inputs::content::USER_TEXTS.contains(&slot.field.as_str());
        let min = self.platform.readable_px();
        if !body || px >= min - 0.05 {
            return None;
        }
        let p = self.platform;
        let message = format!(
            "slot {}: the text is set at {px:.1} px; {} ({}x{}) is seen about {} px wide on a phone, where text below {min:.0} px is too small to read",
            slot.field,
            p.name,
            p.width,
            p.height,
            crate::inputs::platform::PHONE_CSS_PX
        );
        // The area a text takes grows with the square of its size.
        let chars = value.chars().count() as f32;
        let fits = ((chars * (px / min).powi(2)) / 10.0).floor() * 10.0;
        let what = match slot.field.as_str() {
            "story" | "translation" | "title" | "quote" => slot.field.as_str(),
            _ => "text",
        };
        let mut hint =
            format!("shorten the {what} to about {fits:.0} characters (it has {chars:.0})");
        if p.height < p.width {
            hint.push_str(
                ", or use a taller size (a portrait or story size), where it is set larger",
            );
        }
        Some(
            Diagnostic::new(Kind::SmallText, message)
                .field(&slot.field)
                .hint(hint),
        )
    }

    /// The slot's report, and its box in output px for the checks after
    /// rendering (not for a transformed slot, whose box is elsewhere).
    fn record(
        &self,
        acc: &mut Acc,
        idx: usize,
        slot: &Slot,
        block: &TextBlock,
        style: &TextStyle,
        fill: &str,
    ) {
        let s = self.view.slot_scale(slot);
        let report_idx = acc.slots.len();
        acc.slots.push(SlotReport {
            name: slot.field.clone(),
            font_size: Some((block.font_size * s * 100.0).round() / 100.0),
            lines: block.lines.len(),
            fits: true,
            missing: code_points(block),
            contrast: None,
        });
        let ink = block
            .ink
            .map(|(l, t, r, b)| self.view.px_in(slot, [l, t, r, b]));
        acc.boxes.push(SlotBox {
            report: report_idx,
            id: group_id(idx, slot),
            rect: self.view.px(slot),
            ink,
            colour: crate::contrast::parse_hex(fill),
            font_px: block.font_size * s,
            bold: style.weight >= 700,
            over_photo: self.over_photo(slot),
        });
    }

    /// A scrim behind the text when contrast asked for one, then the text,
    /// one `<text>` per run, in the slot's group.
    fn text_markup(&self, idx: usize, slot: &Slot, block: &TextBlock, fill: &str) -> String {
        let mut out = String::new();
        if let (Some(opacity), Some((l, t, r, b))) =
            (self.content.scrims.get(&slot.field), block.ink)
        {
            let pad = block.font_size * 0.35;
            let colour = match crate::contrast::parse_hex(fill) {
                Some(c) if crate::contrast::luminance(c) < 0.4 => "#FFFFFF",
                _ => "#0B1B2B",
            };
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"{colour}\" fill-opacity=\"{}\"{}{}/>",
                fmt(slot.x + l - pad),
                fmt(slot.y + t - pad),
                fmt(r - l + 2.0 * pad),
                fmt(b - t + 2.0 * pad),
                fmt(pad),
                fmt(*opacity),
                slot.transform
                    .as_ref()
                    .map(|t| format!(" transform=\"{}\"", escape(t)))
                    .unwrap_or_default(),
                own_shape_style(colour, Some(*opacity), slot.transform.as_deref())
            );
        }
        self.group_open(&mut out, idx, slot);
        let size = fmt(block.font_size);
        // A clip shows a text's lines one by one: each in a group of its own.
        let lines = self.platform.is_video();
        for (n, line) in block.lines.iter().enumerate() {
            if lines {
                let _ = write!(
                    out,
                    "<g id=\"{}-line-{n}\" style=\"{}\">",
                    group_id(idx, slot),
                    super::own_style(None)
                );
            }
            for run in &line.runs {
                let face = self.book.face(run.face);
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{}\" font-family=\"'{}'\" font-weight=\"{}\" font-style=\"{}\" font-size=\"{size}\" fill=\"{}\"{} xml:space=\"preserve\">{}</text>",
                    fmt(slot.x + run.x),
                    fmt(slot.y + line.baseline),
                    escape(&face.family),
                    face.weight,
                    if face.italic { "italic" } else { "normal" },
                    escape(fill),
                    own_text_style(&face.family, face.weight, face.italic, &size, fill),
                    escape(&run.text)
                );
            }
            if lines {
                out.push_str("</g>");
            }
        }
        out.push_str("</g>");
        out
    }

    /// The error for text that does not fit even at the minimum size, with
    /// a length that probably would.
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
            min_size: (style.size_min * self.view.slot_scale(slot) * 10.0).round() / 10.0,
            // The constraint that really failed, as the layout found it.
            detail: match &block.overflow {
                Some(o) => o.to_string(),
                None if block.broken_words.is_empty() => {
                    format!("{needed} lines needed, {allowed} fit")
                }
                None => "a word is wider than the box".to_string(),
            },
            suggest,
        }
    }
}

/// How large a `data-size-under` slot's text may be, at most, next to the
/// text it is under, when the template gives no `data-size-ratio`.
pub const SIZE_RATIO: f32 = 0.7;

/// A wordmark (the organisation's name where its logo would go): centred
/// both ways unless the slot says otherwise, at most two lines, tight.
fn wordmark_style(style: &mut TextStyle, slot: &Slot) {
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

/// The code points no font has, as `U+XXXX`.
fn code_points(block: &TextBlock) -> Vec<String> {
    block
        .missing
        .iter()
        .map(|c| format!("U+{:04X}", *c as u32))
        .collect()
}
