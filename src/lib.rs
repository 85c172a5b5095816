//! postkit turns a campaign's SVG templates and a community's stories into
//! ready-to-post social media graphics.
//!
//! The pipeline, one typed value at each boundary:
//!
//! 1. **inputs** — a [`Campaign`], [`TemplateSet`]s, [`Platform`] presets and
//!    [`Content`] (text fields and images, checked once);
//! 2. **fill** ([`fill::fill`]) — a [`Filled`] SVG: placeholders substituted,
//!    text slots laid out by [`text`] at the largest size that fits, image
//!    slots fitted, the canvas sized to the platform;
//! 3. **render** ([`raster::render`]) — resvg draws it into a pixmap, reading
//!    nothing outside what postkit embedded, and the background under each
//!    text slot and the logo is read on the way (contrast, logo choice);
//! 4. **encode and write** ([`output`]) — PNG bytes, written atomically, and a
//!    [`Report`] of every asset and failure.
//!
//! ```no_run
//! use postkit::{Campaign, Content, Engine, Platforms, TemplateSet};
//!
//! let engine = Engine::new(&[] as &[&str]).unwrap();
//! let campaign = Campaign::embedded();
//! let content = Content::story(&campaign, "Plymouth Welcome Hub", "When we arrived…");
//! let set = TemplateSet::load("story-quote").unwrap();
//! let platform = Platforms::embedded().get("instagram-square").unwrap().clone();
//! let asset = engine.render(&set, &platform, &content).unwrap();
//! std::fs::write("card.png", &asset.png).unwrap();
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod batch;
pub mod brand;
pub mod campaign;
pub mod caption;
pub mod check;
pub mod contrast;
pub mod error;
pub mod fill;
pub mod images;
pub mod output;
pub mod platform;
pub mod raster;
pub mod report;
pub mod review;
pub mod scaffold;
pub mod template;
pub mod text;

use std::path::{Path, PathBuf};

pub use campaign::Campaign;
pub use error::Error;
pub use fill::{Content, Filled, ImageInput};
pub use platform::{Platform, Platforms};
pub use report::{AssetReport, ErrorReport, Report};
pub use template::TemplateSet;
pub use text::FontBook;

/// Fonts and renderer options, built once and shared by every asset.
pub struct Engine {
    book: FontBook,
    opts: usvg::Options<'static>,
}

/// Scrim opacities tried, in order, behind text over a photo.
const SCRIM_STEPS: [f32; 4] = [0.35, 0.55, 0.7, 0.85];

/// WCAG AA for text of this size on an image `width` px wide: 3:1 for large
/// text (see [`check::large_text_px`]), else 4.5:1.
pub fn aa_threshold(font_px: f32, bold: bool, width: u32) -> f64 {
    if font_px >= check::large_text_px(width, bold) {
        3.0
    } else {
        4.5
    }
}

/// One rendered asset, encoded.
pub struct Asset {
    /// The filled template (SVG, slot reports, warnings).
    pub filled: Filled,
    /// PNG bytes.
    pub png: Vec<u8>,
}

impl Engine {
    /// Loads the embedded fonts and the user's (which come first).
    pub fn new(user_fonts: &[impl AsRef<Path>]) -> Result<Engine, Error> {
        let book = FontBook::new(user_fonts)?;
        let opts = raster::options(&book);
        Ok(Engine { book, opts })
    }

    /// The font book.
    pub fn fonts(&self) -> &FontBook {
        &self.book
    }

    /// Renderer options for a set: a set from disk may embed image files from
    /// its own folder, and nothing else.
    fn options_for(&self, set: &TemplateSet) -> usvg::Options<'static> {
        raster::options_in(&self.book, set.dir.clone())
    }

    /// The mean colour under `rect`, where the logo was placed (output px),
    /// in the asset without its logo, from a render of its own: for when
    /// [`raster::render`] could not read it during the asset's render.
    fn logo_background(
        &self,
        set: &TemplateSet,
        platform: &Platform,
        content: &Content,
        rect: [f32; 4],
    ) -> Result<[u8; 3], String> {
        let mut bare = content.clone();
        bare.images.remove("logo");
        bare.fields.remove("org");
        let filled = fill::fill(set, platform, &bare, &self.book).map_err(|e| e.to_string())?;
        raster::mean_colour(&filled.svg, &self.options_for(set), rect)
    }

    /// The logo for `bg`, the colour under the logo slot, when the logo's
    /// own contrast with it is below 3:1: the brand's logo for dark
    /// backgrounds if that one contrasts, else the logo on a plate, with a
    /// warning. None when the logo is fine as it is.
    fn logo_for_background(content: &Content, bg: [u8; 3]) -> Option<(Content, Option<String>)> {
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
        let note = format!(
            "the logo has poor contrast with the background under it ({r:.1}:1), so it was placed on a plate; add a logo for {} backgrounds (logo_dark in brand.toml) for a cleaner look",
            if contrast::luminance(bg) < 0.4 { "dark" } else { "light" }
        );
        Some((c, Some(note)))
    }

    /// Fills and renders one asset: the filled template and its pixels (a
    /// [`raster::Canvas`]: use it as a pixmap; dropped, its memory serves
    /// this thread's next render).
    pub fn render_pixels(
        &self,
        set: &TemplateSet,
        platform: &Platform,
        content: &Content,
    ) -> Result<(Filled, raster::Canvas), Error> {
        let render_err = |message: String| Error::Render {
            template: set.name.clone(),
            platform: platform.name.clone(),
            message,
        };
        let mut content = std::borrow::Cow::Borrowed(content);
        let own_opts;
        let opts = match &set.dir {
            None => &self.opts,
            Some(_) => {
                own_opts = self.options_for(set);
                &own_opts
            }
        };
        // Fill and render, measuring what is drawn behind the logo and each
        // text slot. A logo (with transparency) that does not stand out from
        // what is behind it is swapped for the dark-background logo or put
        // on a plate; text over a photo gets a scrim, darker step by step,
        // until it reaches WCAG AA.
        let mut scrim_notes = Vec::new();
        let mut logo_settled = content.images.get("logo").is_none_or(|l| l.ink.is_none());
        let mut logo_note = None;
        let (mut filled, rendered) = loop {
            let filled = fill::fill(set, platform, &content, &self.book)?;
            let rendered = raster::render(&filled, opts).map_err(render_err)?;
            if !logo_settled {
                logo_settled = true;
                let bg = match (rendered.logo_background, &filled.logo) {
                    (Some(bg), _) => Some(bg),
                    (None, Some((_, rect))) => Some(
                        self.logo_background(set, platform, &content, *rect)
                            .map_err(render_err)?,
                    ),
                    // The logo is not drawn on this variant.
                    (None, None) => None,
                };
                if let Some((adjusted, note)) =
                    bg.and_then(|bg| Self::logo_for_background(&content, bg))
                {
                    content = std::borrow::Cow::Owned(adjusted);
                    logo_note = note;
                    continue;
                }
            }
            let mut more = Vec::new();
            for (idx, ratio) in &rendered.contrast {
                let b = filled.slot_boxes.iter().find(|b| b.report == *idx);
                let Some(b) = b else { continue };
                let need = aa_threshold(b.font_px, b.bold, platform.width);
                let field = &filled.slots[*idx].name;
                let level = content.scrims.get(field).copied().unwrap_or(0.0);
                if *ratio < need && b.over_photo && level < 0.85 {
                    more.push((
                        field.clone(),
                        SCRIM_STEPS
                            .iter()
                            .copied()
                            .find(|s| *s > level)
                            .unwrap_or(0.85),
                    ));
                }
            }
            if more.is_empty() {
                break (filled, rendered);
            }
            let c = content.to_mut();
            for (field, level) in more {
                c.scrims.insert(field, level);
            }
        };
        for (field, level) in &content.scrims {
            scrim_notes.push(format!(
                "slot {field}: added a {:.0}% scrim behind the text so it stands out from the photo (WCAG AA)",
                level * 100.0
            ));
        }
        for &(idx, ratio) in &rendered.contrast {
            let Some(b) = filled.slot_boxes.iter().find(|b| b.report == idx).cloned() else {
                continue;
            };
            filled.slots[idx].contrast = Some((ratio * 100.0).round() as f32 / 100.0);
            let need = aa_threshold(b.font_px, b.bold, platform.width);
            if ratio < need {
                let w = format!(
                    "slot {}: text contrast is {ratio:.2}:1 against what is behind it, below WCAG AA ({need}:1 for {} text); change the text colour or the background",
                    filled.slots[idx].name,
                    if need < 4.0 { "large" } else { "normal" }
                );
                filled.warnings.push(w.clone());
                filled.strict_problems.push(w);
            }
        }
        filled.warnings.extend(scrim_notes);
        filled.warnings.extend(logo_note);
        for (idx, px) in rendered.overflow {
            let name = filled.slots[idx].name.clone();
            filled.slots[idx].fits = false;
            filled.warnings.push(format!(
                "slot {name}: drawn text reaches {px:.1} px outside its box"
            ));
        }
        Ok((filled, rendered.pixmap))
    }

    /// Fills, renders and encodes one asset as PNG (balanced level).
    pub fn render(
        &self,
        set: &TemplateSet,
        platform: &Platform,
        content: &Content,
    ) -> Result<Asset, Error> {
        let (filled, pixmap) = self.render_pixels(set, platform, content)?;
        let png = output::encode_png(&pixmap, output::PngLevel::Balanced);
        Ok(Asset { filled, png })
    }
}

impl Content {
    /// Content for one story from the campaign's defaults: `org`, `story`,
    /// hashtags and tags (joined by spaces), campaign and palette fields.
    pub fn story(campaign: &Campaign, org: &str, story: &str) -> Content {
        let mut fields = campaign.fields();
        fields.insert("org".into(), text::clean(org));
        fields.insert("story".into(), text::clean(story));
        fields.insert("hashtags".into(), campaign.hashtags.join(" "));
        fields.insert("tags".into(), campaign.tags.join(" "));
        let mut content = Content {
            fields,
            ..Content::default()
        };
        brand::default_fields(campaign, &mut content);
        content.detect_direction();
        content
    }

    /// Sets the `rtl` field from the first of the user's texts (story, title,
    /// quote, event, name) that has a strong character, unless the direction
    /// was set explicitly.
    pub fn detect_direction(&mut self) {
        if self.direction != text::Direction::Auto {
            return;
        }
        let first = ["story", "title", "quote", "event", "name", "org"]
            .iter()
            .filter_map(|k| self.fields.get(*k))
            .map(|t| unicode_bidi::get_base_direction(t.as_str()))
            .find(|d| *d != unicode_bidi::Direction::Mixed);
        let rtl = first == Some(unicode_bidi::Direction::Rtl);
        self.fields
            .insert("rtl".into(), if rtl { "true" } else { "" }.into());
    }
}

impl Content {
    /// Sets the paragraph direction (and the `rtl` field templates test).
    pub fn set_direction(&mut self, direction: text::Direction) {
        self.direction = direction;
        match direction {
            text::Direction::Rtl => {
                self.fields.insert("rtl".into(), "true".into());
            }
            text::Direction::Ltr => {
                self.fields.insert("rtl".into(), String::new());
            }
            text::Direction::Auto => {}
        }
    }

    /// Sets the countdown fields (`days`, `days_unit`, `countdown`, `today`)
    /// for `today`; none once the campaign day has passed.
    pub fn set_date(&mut self, campaign: &Campaign, today: time::Date) {
        if let Some(f) = campaign.countdown(today) {
            self.fields.extend(f);
        }
    }

    /// Sets a custom field (`KEY=VALUE` from the command line or a batch
    /// column); the value is cleaned like any user text.
    pub fn set_field(&mut self, key: &str, value: &str) {
        self.fields
            .insert(key.trim().to_string(), text::clean(value));
    }
}

/// A render job: one organisation's content in several templates and sizes.
pub struct Job<'a> {
    /// Organisation name (names the output folder).
    pub org: &'a str,
    /// What to fill in.
    pub content: &'a Content,
    /// Template sets.
    pub templates: &'a [TemplateSet],
    /// Platform presets.
    pub platforms: &'a [Platform],
    /// Output folder.
    pub out: &'a Path,
    /// How files are written (format, PNG level, SVG, strictness).
    pub output: OutputOptions,
    /// The platforms came from `all`: skip those a template does not serve.
    pub all_platforms: bool,
}

/// How assets are written.
#[derive(Clone, Debug, Default)]
pub struct OutputOptions {
    /// Also write the filled SVG beside each image.
    pub emit_svg: bool,
    /// Treat missing glyphs and words broken inside as errors for the asset.
    pub strict: bool,
    /// File format.
    pub format: output::Format,
    /// PNG encoder effort (the pixels are the same at every level).
    pub png_level: output::PngLevel,
    /// When each file is flushed to the disk.
    pub durability: output::Durability,
}

/// Where an asset goes: `<out>/<org-slug>/<template>-<platform>[-<suffix>]`.
#[derive(Clone, Copy, Debug)]
pub struct Destination<'a> {
    /// Output folder.
    pub out: &'a Path,
    /// Organisation (its slug names the folder).
    pub org: &'a str,
    /// Distinguishes several stories of one organisation.
    pub suffix: Option<&'a str>,
}

/// Renders one asset and writes it (atomically) with its sidecars: the alt
/// text (`.alt.txt`), the caption (`.caption.txt`) and, if asked, the SVG.
pub fn produce(
    engine: &Engine,
    set: &TemplateSet,
    platform: &Platform,
    content: &Content,
    dest: &Destination,
    opts: &OutputOptions,
) -> Result<AssetReport, ErrorReport> {
    produce_asset(engine, set, platform, content, dest, opts, false).map(|p| p.report)
}

/// What [`produce_asset`] made: the asset's report and, if asked, its
/// contact-sheet thumbnail.
pub struct Produced {
    /// The asset written.
    pub report: AssetReport,
    /// Its thumbnail, made from the pixels before they were dropped.
    pub thumbnail: Option<review::Thumbnail>,
}

/// [`produce`], also making the asset's contact-sheet thumbnail when
/// `thumbnail` is true.
pub fn produce_asset(
    engine: &Engine,
    set: &TemplateSet,
    platform: &Platform,
    content: &Content,
    dest: &Destination,
    opts: &OutputOptions,
    thumbnail: bool,
) -> Result<Produced, ErrorReport> {
    let fail = |message: String| ErrorReport {
        org: None,
        row: None,
        template: set.name.clone(),
        platform: platform.name.clone(),
        message,
    };
    // A panic inside a dependency becomes this asset's error, not the run's end.
    let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        #[cfg(debug_assertions)]
        failpoint(dest.org);
        engine.render_pixels(set, platform, content)
    }))
    .map_err(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown".into());
        fail(format!(
            "internal error while rendering (please report it): {what}"
        ))
    })?
    .map_err(|e| fail(e.to_string()))?;
    let (filled, pixmap) = rendered;
    if opts.strict && !filled.strict_problems.is_empty() {
        return Err(fail(format!(
            "--strict: {}",
            filled.strict_problems.join("; ")
        )));
    }
    let format = opts.format.for_platform(&platform.format);
    let (bytes, warning) = output::encode(&pixmap, format, opts.png_level, platform.max_bytes);
    let path = output::asset_path(
        dest.out,
        dest.org,
        &set.name,
        &platform.name,
        dest.suffix,
        format.ext(),
    );
    let alt = caption::alt_text(set, content, platform);
    let post = caption::caption(content, platform);
    let write = |p: &Path, b: &[u8]| {
        output::write_atomic_as(p, b, opts.durability).map_err(|e| fail(e.to_string()))
    };
    write(&path, &bytes)?;
    write(&sidecar(&path, "alt.txt"), alt.as_bytes())?;
    write(&sidecar(&path, "caption.txt"), post.as_bytes())?;
    if opts.emit_svg {
        write(&path.with_extension("svg"), filled.svg.as_bytes())?;
    }
    let thumbnail = if thumbnail {
        review::Thumbnail::of_pixmap(&pixmap)
    } else {
        None
    };
    drop(pixmap);
    let mut warnings = filled.warnings;
    warnings.extend(warning);
    warnings.extend(content.notes.iter().cloned());
    let report = AssetReport {
        org: dest.org.to_string(),
        path: path.display().to_string(),
        template: set.name.clone(),
        platform: platform.name.clone(),
        variant: filled.variant.clone(),
        width: filled.width,
        height: filled.height,
        bytes: bytes.len() as u64,
        slots: filled.slots,
        warnings,
        alt,
        caption: post,
    };
    Ok(Produced { report, thumbnail })
}

/// Debug builds only (release builds have no such hook): with
/// `POSTKIT_FAILPOINT_PANIC=<org>` rendering that organisation's assets
/// panics, so tests can prove that a panic stays one asset's error.
#[cfg(debug_assertions)]
fn failpoint(org: &str) {
    if std::env::var("POSTKIT_FAILPOINT_PANIC").is_ok_and(|v| v == org) {
        panic!("injected panic (POSTKIT_FAILPOINT_PANIC)");
    }
}

/// `card.png` → `card.png.alt.txt`.
pub fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}

/// Renders every template × platform of `job` (in parallel) and writes the
/// files; failures are reported per asset and never stop the others.
pub fn run(engine: &Engine, job: &Job) -> Report {
    use rayon::prelude::*;
    let pairs: Vec<(&TemplateSet, &Platform)> = job
        .templates
        .iter()
        .flat_map(|t| job.platforms.iter().map(move |p| (t, p)))
        .filter(|(t, p)| !job.all_platforms || t.serves(p))
        .collect();
    let opts = &job.output;
    let dest = Destination {
        out: job.out,
        org: job.org,
        suffix: None,
    };
    let results: Vec<Result<AssetReport, ErrorReport>> = pairs
        .par_iter()
        .map(|(set, platform)| produce(engine, set, platform, job.content, &dest, opts))
        .collect();
    let mut report = Report::default();
    for r in results {
        match r {
            Ok(a) => report.assets.push(a),
            Err(e) => report.errors.push(e),
        }
    }
    report
}
