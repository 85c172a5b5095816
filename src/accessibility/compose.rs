//! The accessibility feedback loop around fill and render: the asset is
//! filled and drawn, what is behind the logo and each text slot is read on
//! the way, and the content is adjusted until the logo stands out and text
//! over a photo reaches WCAG AA.

use std::borrow::Cow;

use crate::contrast;
use crate::diag::{Diagnostic, Kind};
use crate::error::Error;
use crate::fill::{self, Filled};
use crate::inputs::{Content, Platform};
use crate::raster::{self, Canvas, Engine, RenderError, Rendered};
use crate::template::TemplateSet;

/// Scrim opacities tried, in order, behind text over a photo.
const SCRIM_STEPS: [f32; 4] = [0.35, 0.55, 0.7, 0.85];

/// WCAG AA for text of this size on an image `width` px wide: 3:1 for large
/// text (see [`super::check::large_text_px`]), else 4.5:1.
pub fn aa_threshold(font_px: f32, bold: bool, width: u32) -> f64 {
    if font_px >= super::check::large_text_px(width, bold) {
        3.0
    } else {
        4.5
    }
}

/// One asset's inputs, for the loop.
struct Job<'a> {
    engine: &'a Engine,
    set: &'a TemplateSet,
    platform: &'a Platform,
}

impl Job<'_> {
    fn render_err(&self, e: RenderError) -> Error {
        Error::Render {
            template: self.set.name.clone(),
            platform: self.platform.name.clone(),
            message: e.to_string(),
        }
    }

    fn fill(&self, content: &Content) -> Result<Filled, Error> {
        fill::fill(self.set, self.platform, content, self.engine.fonts())
    }

    fn render(&self, filled: &Filled) -> Result<Rendered, Error> {
        let reuse = self.engine.reuses_canvases();
        self.engine
            .with_options(self.set, |opts| raster::render(filled, opts, reuse))
            .map_err(|e| self.render_err(e))
    }

    /// The mean colour under `rect`, where the logo was placed (output px),
    /// in the asset without its logo, from a render of its own: for when
    /// [`raster::render`] could not read it during the asset's render.
    fn logo_background(&self, content: &Content, rect: [f32; 4]) -> Result<[u8; 3], Error> {
        let mut bare = content.clone();
        bare.images.remove("logo");
        bare.fields.remove("org");
        let filled = self.fill(&bare)?;
        self.engine
            .with_options(self.set, |opts| {
                raster::mean_colour(&filled.svg, opts, rect)
            })
            .map_err(|e| self.render_err(e))
    }

    /// The colour behind the logo in this render, if a logo was drawn.
    fn background_of_logo(
        &self,
        content: &Content,
        filled: &Filled,
        rendered: &Rendered,
    ) -> Result<Option<[u8; 3]>, Error> {
        Ok(match (rendered.logo_background, &filled.logo) {
            (Some(bg), _) => Some(bg),
            (None, Some((_, rect))) => Some(self.logo_background(content, *rect)?),
            // The logo is not drawn on this variant.
            (None, None) => None,
        })
    }
}

/// The logo for `bg`, the colour under the logo slot, when the logo's own
/// contrast with it is below 3:1: the brand's logo for dark backgrounds if
/// that one contrasts, else the logo on a plate, with a diagnostic. None
/// when the logo is fine as it is.
fn logo_for_background(content: &Content, bg: [u8; 3]) -> Option<(Content, Option<Diagnostic>)> {
    let ink = content.images.get("logo")?.ink?;
    let r = contrast::ratio(ink, bg);
    if r >= 3.0 {
        return None;
    }
    let mut c = content.clone();
    if let Some(dark) = content.images.get("logo_dark") {
        if dark.ink.is_none_or(|i| contrast::ratio(i, bg) >= 3.0) {
            c.images.insert("logo".into(), dark.clone());
            return Some((c, None));
        }
    }
    let plate = if contrast::luminance(ink) < 0.4 {
        "#FFFFFF"
    } else {
        "#122B40"
    };
    c.logo_plate = Some(plate.into());
    let note = Diagnostic::new(
        Kind::LogoPlate,
        format!("the logo has poor contrast with the background under it ({r:.1}:1), so it was placed on a plate"),
    )
    .field("logo")
    .hint(if contrast::luminance(bg) < 0.4 {
        "add a logo for dark backgrounds, with light lettering (logo_dark) for a cleaner look"
    } else {
        "give a logo with dark lettering as logo (the one for light backgrounds), and a light one as logo_dark, for a cleaner look"
    });
    Some((c, Some(note)))
}

/// An opaque logo with a solid background of its own (a JPEG exported on
/// white) on a card whose colour under it differs: it shows as a box, so
/// say which file and what to give instead. `bg` is the colour under the
/// logo's slot.
fn boxed_logo(content: &Content, bg: [u8; 3]) -> Option<Diagnostic> {
    let logo = content.images.get("logo")?;
    let own = logo.solid_backdrop()?;
    // Within a few levels (a white logo on a white plate), no box shows.
    if (0..3).all(|c| own[c].abs_diff(bg[c]) <= 8) {
        return None;
    }
    let hex = |c: [u8; 3]| format!("#{:02X}{:02X}{:02X}", c[0], c[1], c[2]);
    let message = format!(
        "the logo {} has a solid background of its own ({}), which shows as a box on the card's {} under it",
        logo.path.display(),
        hex(own),
        hex(bg)
    );
    Some(
        Diagnostic::new(Kind::LogoBox, message)
            .field("logo")
            .hint("give the logo as a PNG or SVG with a transparent background (export it without the background, or remove it in an image editor)"),
    )
}

/// The next scrim step for every text slot over a photo whose contrast is
/// below AA: (field, opacity). Empty when no slot needs a darker scrim.
fn darker_scrims(
    filled: &Filled,
    rendered: &Rendered,
    content: &Content,
    width: u32,
) -> Vec<(String, f32)> {
    let mut more = Vec::new();
    for (idx, ratio) in &rendered.contrast {
        let Some(b) = filled.slot_boxes.iter().find(|b| b.report == *idx) else {
            continue;
        };
        let need = aa_threshold(b.font_px, b.bold, width);
        let field = &filled.slots[*idx].name;
        let level = content.scrims.get(field).copied().unwrap_or(0.0);
        if *ratio < need && b.over_photo && level < 0.85 {
            let next = SCRIM_STEPS.iter().copied().find(|s| *s > level);
            more.push((field.clone(), next.unwrap_or(0.85)));
        }
    }
    more
}

/// Records what the render measured in the filled template's report: each
/// text slot's contrast (with a diagnostic below AA), the scrims added, the
/// logo's plate, and ink outside its box.
fn record(
    filled: &mut Filled,
    rendered: &Rendered,
    content: &Content,
    width: u32,
    logo_note: Option<Diagnostic>,
) {
    for &(idx, ratio) in &rendered.contrast {
        let Some(b) = filled.slot_boxes.iter().find(|b| b.report == idx).cloned() else {
            continue;
        };
        filled.slots[idx].contrast = Some((ratio * 100.0).round() as f32 / 100.0);
        let need = aa_threshold(b.font_px, b.bold, width);
        if ratio < need {
            let name = filled.slots[idx].name.clone();
            let message = format!(
                "slot {name}: text contrast is {ratio:.2}:1 against what is behind it, below WCAG AA ({need}:1 for {} text)",
                if need < 4.0 { "large" } else { "normal" }
            );
            filled.warnings.push(
                Diagnostic::new(Kind::LowContrast, message)
                    .field(name)
                    .hint("change the text colour or the background"),
            );
        }
    }
    for (field, level) in &content.scrims {
        let message = format!(
            "slot {field}: added a {:.0}% scrim behind the text so it stands out from the photo (WCAG AA)",
            level * 100.0
        );
        filled
            .warnings
            .push(Diagnostic::new(Kind::Scrim, message).field(field));
    }
    filled.warnings.extend(logo_note);
    for &(idx, px) in &rendered.overflow {
        let name = filled.slots[idx].name.clone();
        filled.slots[idx].fits = false;
        let message = format!("slot {name}: drawn text reaches {px:.1} px outside its box");
        filled
            .warnings
            .push(Diagnostic::new(Kind::InkOutside, message).field(name));
    }
}

impl Engine {
    /// The mean colour under `rect` (output px) in the asset without its
    /// logo, from a render of its own.
    #[cfg(test)]
    pub(crate) fn logo_background(
        &self,
        set: &TemplateSet,
        platform: &Platform,
        content: &Content,
        rect: [f32; 4],
    ) -> Result<[u8; 3], Error> {
        let job = Job {
            engine: self,
            set,
            platform,
        };
        job.logo_background(content, rect)
    }

    /// Fills and renders one asset, adjusting it for accessibility (see the
    /// module's docs): the filled template, with every measurement and
    /// diagnostic in it, and its pixels (a [`Canvas`]: use it as a pixmap).
    pub fn render_pixels(
        &self,
        set: &TemplateSet,
        platform: &Platform,
        content: &Content,
    ) -> Result<(Filled, Canvas), Error> {
        let job = Job {
            engine: self,
            set,
            platform,
        };
        let mut content = Cow::Borrowed(content);
        let mut logo_settled = content.images.get("logo").is_none_or(|l| l.ink.is_none());
        let mut logo_note = None;
        let (mut filled, rendered) = loop {
            let filled = job.fill(&content)?;
            let rendered = job.render(&filled)?;
            if !logo_settled {
                logo_settled = true;
                let bg = job.background_of_logo(&content, &filled, &rendered)?;
                if let Some((adjusted, note)) = bg.and_then(|bg| logo_for_background(&content, bg))
                {
                    content = Cow::Owned(adjusted);
                    logo_note = note;
                    continue;
                }
            }
            let more = darker_scrims(&filled, &rendered, &content, platform.width);
            if more.is_empty() {
                break (filled, rendered);
            }
            content.to_mut().scrims.extend(more);
        };
        let boxed = match content.images.get("logo").and_then(|l| l.solid_backdrop()) {
            Some(_) => job
                .background_of_logo(&content, &filled, &rendered)?
                .and_then(|bg| boxed_logo(&content, bg)),
            None => None,
        };
        record(&mut filled, &rendered, &content, platform.width, logo_note);
        filled.warnings.extend(boxed);
        Ok((filled, rendered.pixmap))
    }
}
