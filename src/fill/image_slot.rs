//! An image slot: the logo or photo fitted (contained with clear space, or
//! cover-fitted around its focal point), clipped to the slot, with a plate
//! behind a logo that needs one.

use std::fmt::Write as _;

use super::slot::{Acc, Job};
use super::{escape, fmt, group_id, SlotReport};
use crate::diag::{Diagnostic, Kind};
use crate::error::Error;
use crate::inputs::images::{Fit, Placement};
use crate::inputs::ImageInput;
use crate::template::Slot;

/// Where an image goes in its slot, in user units.
struct Placed {
    /// Left, top, width, height of the image.
    rect: (f32, f32, f32, f32),
    /// The clear space kept around a contained logo.
    pad: f32,
    /// The fitted image (its href, aspect and pixel density).
    placement: Placement,
}

impl Job<'_> {
    /// The markup of an image slot showing `img`.
    pub(super) fn image_slot(
        &self,
        acc: &mut Acc,
        idx: usize,
        slot: &Slot,
        img: &ImageInput,
    ) -> Result<String, Error> {
        let placed = self.place(acc, slot, img)?;
        let (_, _, iw, ih) = placed.rect;
        if placed.placement.density < 0.66 && !img.is_svg() {
            let message = format!(
                "{} {} is {}x{} px but is shown at {}x{} px on {}: it will look soft",
                slot.field,
                img.path.display(),
                img.width,
                img.height,
                (iw * self.view.slot_scale(slot)).round(),
                (ih * self.view.slot_scale(slot)).round(),
                self.platform.name
            );
            acc.warnings.push(
                Diagnostic::new(Kind::LowResolution, message)
                    .field(&slot.field)
                    .hint("use a larger file or an SVG"),
            );
        }
        if let Some(message) = &img.colour_warning {
            acc.warnings.push(
                Diagnostic::new(Kind::ColourProfile, message.clone())
                    .field(&slot.field)
                    .hint("export the image again as sRGB, or with its profile embedded"),
            );
        }
        let logo = slot.field == "logo";
        if logo {
            acc.logo = Some((group_id(idx, slot), self.view.px(slot)));
        }
        acc.slots.push(SlotReport {
            name: slot.field.clone(),
            font_size: None,
            lines: 0,
            fits: true,
            missing: Vec::new(),
            contrast: None,
        });
        Ok(self.image_markup(idx, slot, &placed, logo))
    }

    /// Fits the image in the slot: a contained image follows the slot's
    /// alignment, and the anchored side gives up its clear space so a logo
    /// lines up with the layout.
    fn place(&self, acc: &mut Acc, slot: &Slot, img: &ImageInput) -> Result<Placed, Error> {
        let fit = self
            .opt(acc, slot, "fit")
            .unwrap_or_else(|| "contain".into());
        let fit = match fit.trim() {
            "contain" => Fit::Contain,
            "cover" => {
                let (fx, fy) = self.content.focus.unwrap_or((0.5, 0.5));
                Fit::Cover(fx, fy)
            }
            other => return Err(self.bad_option(slot, "fit", other, "contain or cover")),
        };
        // Logos keep clear space around them.
        let pad = if slot.field == "logo" && fit == Fit::Contain {
            slot.width.min(slot.height) * 0.08
        } else {
            0.0
        };
        let (bx, by) = (slot.x + pad, slot.y + pad);
        let (bw, bh) = (slot.width - 2.0 * pad, slot.height - 2.0 * pad);
        let placement = img.place(bw, bh, self.view.slot_scale(slot), fit);
        let [px, py, pw, ph] = placement.rect;
        let (free_x, free_y) = ((1.0 - pw) * bw, (1.0 - ph) * bh);
        let (ix, iy) = if fit == Fit::Contain && !img.is_svg() {
            let (left, right) = (slot.x, slot.x + slot.width - pw * bw);
            // A mirrored layout's start is its right edge.
            let (start, end) = if self.mirrored {
                (right, left)
            } else {
                (left, right)
            };
            let ix = match self.opt(acc, slot, "align").as_deref().map(str::trim) {
                Some("start") | Some("left") => start,
                Some("end") | Some("right") => end,
                _ => bx + free_x / 2.0,
            };
            let iy = match self.opt(acc, slot, "valign").as_deref().map(str::trim) {
                Some("top") => slot.y,
                Some("bottom") => slot.y + slot.height - ph * bh,
                _ => by + free_y / 2.0,
            };
            (ix, iy)
        } else {
            (bx + px * bw, by + py * bh)
        };
        Ok(Placed {
            rect: (ix, iy, pw * bw, ph * bh),
            pad,
            placement,
        })
    }

    /// The clip path, the slot's group, a logo's plate, the image.
    fn image_markup(&self, idx: usize, slot: &Slot, placed: &Placed, logo: bool) -> String {
        let (ix, iy, iw, ih) = placed.rect;
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
        if let (true, Some(plate)) = (logo, &self.content.logo_plate) {
            let p = placed.pad.max(slot.height * 0.06);
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"{}\"{}/>",
                fmt((ix - p).max(slot.x)),
                fmt((iy - p).max(slot.y)),
                fmt((iw + 2.0 * p).min(slot.width)),
                fmt((ih + 2.0 * p).min(slot.height)),
                fmt(p),
                escape(plate),
                super::own_shape_style(plate, None, None)
            );
        }
        let _ = write!(
            out,
            "<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"{}\" clip-path=\"url(#{clip})\" style=\"opacity:1;visibility:visible;display:inline;filter:none;mask:none;clip-path:url(#{clip});transform:matrix(1 0 0 1 0 0)\" href=\"{}\"/></g>",
            fmt(ix),
            fmt(iy),
            fmt(iw),
            fmt(ih),
            placed.placement.aspect,
            placed.placement.href
        );
        out
    }
}
