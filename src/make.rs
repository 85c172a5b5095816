//! Make, then write. [`make_asset`] returns everything an asset is, in
//! memory: its encoded bytes in the chosen format within the preset's byte
//! cap, alt text, caption, per-slot report, diagnostics and, when asked, a
//! contact-sheet thumbnail. [`make_kit`] makes every template × platform of
//! one [`Request`]. Nothing here touches the disk: [`Made::write`] does, as
//! a separate step, so a server can answer from memory.

// An asset's failure is its report (what the JSON report lists), returned
// once per asset: boxing it would buy nothing.
#![allow(clippy::result_large_err)]

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::accessibility::caption;
use crate::diag::{Diagnostic, ErrorClass};
use crate::error::Error;
use crate::fill::SlotReport;
use crate::inputs::{Content, Platform};
use crate::output::{self, Destination, Durability, Format, PngLevel};
use crate::plan::Request;
use crate::raster::Engine;
use crate::report::review::Thumbnail;
use crate::report::{AssetReport, ErrorReport, Report};
use crate::template::TemplateSet;

/// How an asset is made.
#[derive(Clone, Debug, Default)]
pub struct MakeOptions {
    /// Fail the asset on the diagnostics `--strict` selects
    /// ([`crate::diag::Kind::is_strict`]).
    pub strict: bool,
    /// File format (`Auto`: the platform's preferred one).
    pub format: Format,
    /// PNG encoder effort (the pixels are the same at every level).
    pub png_level: PngLevel,
    /// Keep the filled SVG.
    pub svg: bool,
    /// Make a contact-sheet thumbnail from the pixels.
    pub thumbnail: bool,
    /// Make a preview (PNG) whose longest side is at most this many px,
    /// from the full-size pixels: the layout is exactly the asset's.
    pub preview: Option<u32>,
    /// A clip's length, seconds (`--duration`); None: as long as its text
    /// takes to read.
    pub duration: Option<f32>,
    /// Leave a clip's silent audio track out (`--audio none`).
    pub no_audio: bool,
    /// For a video preset, make only the still (the clip's last frame and
    /// cover), not the clip: a page's quick previews.
    pub stills_only: bool,
}

/// A stop signal for a long piece of work, checked between assets: a server
/// cancels when its client goes away or its time runs out.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A signal not yet given.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Gives the signal: assets not yet started are not made.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// True once the signal was given.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// One asset, made: everything it is, in memory.
#[derive(Clone)]
pub struct Made {
    /// Template name.
    pub template: String,
    /// Platform preset name.
    pub platform: String,
    /// The template variant used.
    pub variant: String,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// The format of `bytes` (never `Auto`).
    pub format: Format,
    /// The encoded image.
    pub bytes: Vec<u8>,
    /// Alt text.
    pub alt: String,
    /// A ready-to-paste post.
    pub caption: String,
    /// How each slot came out.
    pub slots: Vec<SlotReport>,
    /// Warnings, as data.
    pub diagnostics: Vec<Diagnostic>,
    /// The filled SVG, when asked for.
    pub svg: Option<String>,
    /// The contact-sheet thumbnail, when asked for.
    pub thumbnail: Option<Thumbnail>,
    /// A smaller PNG of the asset, when asked for.
    pub preview: Option<Vec<u8>>,
    /// For a clip: what it is, and its cover (the still card, as JPEG).
    pub clip: Option<MadeClip>,
}

/// What a clip is, beside its bytes.
#[derive(Clone, Debug)]
pub struct MadeClip {
    /// Length, seconds.
    pub duration: f32,
    /// Frames a second.
    pub fps: u32,
    /// Frames in all.
    pub frames: u32,
    /// Whether it carries a silent audio track.
    pub audio: bool,
    /// The still card, as JPEG: the clip's cover (a Reel's, say).
    pub cover: Vec<u8>,
}

/// File name suffix of a clip's cover: `card.mp4.cover.jpg`.
pub const COVER: &str = "cover.jpg";

impl Made {
    /// The asset's report, for `org`, as written at `path`.
    pub fn report(&self, org: &str, path: &Path) -> AssetReport {
        AssetReport {
            org: org.to_string(),
            row: None,
            id: None,
            path: path.display().to_string(),
            template: self.template.clone(),
            platform: self.platform.clone(),
            variant: self.variant.clone(),
            width: self.width,
            height: self.height,
            bytes: self.bytes.len() as u64,
            slots: self.slots.clone(),
            warnings: self.diagnostics.iter().map(|d| d.to_string()).collect(),
            diagnostics: self.diagnostics.clone(),
            alt: self.alt.clone(),
            caption: self.caption.clone(),
            clip: self.clip.as_ref().map(|c| crate::report::ClipReport {
                duration: c.duration,
                fps: c.fps,
                frames: c.frames,
                audio: c.audio,
                cover: output::sidecar(path, COVER).display().to_string(),
            }),
        }
    }

    /// Writes the asset (atomically) with its sidecars: the alt text
    /// (`.alt.txt`), the caption (`.caption.txt`) and, if kept, the SVG.
    /// Its report says where.
    pub fn write(&self, dest: &Destination, durability: Durability) -> Result<AssetReport, Error> {
        self.write_to(dest, output::Sink::Disk(durability))
    }

    /// [`Made::write`], to the disk or into memory.
    pub fn write_to(&self, dest: &Destination, sink: output::Sink) -> Result<AssetReport, Error> {
        let path = dest.path(&self.template, &self.platform, self.format);
        let write = |p: &Path, b: &[u8]| sink.write(p, b);
        write(&path, &self.bytes)?;
        write(&output::sidecar(&path, "alt.txt"), self.alt.as_bytes())?;
        write(
            &output::sidecar(&path, "caption.txt"),
            self.caption.as_bytes(),
        )?;
        if let Some(svg) = &self.svg {
            write(&path.with_extension("svg"), svg.as_bytes())?;
        }
        if let Some(clip) = &self.clip {
            write(&output::sidecar(&path, COVER), &clip.cover)?;
        }
        Ok(self.report(dest.org, &path))
    }
}

/// Makes one asset in memory. A panic inside a dependency becomes this
/// asset's error, never the caller's end.
pub fn make_asset(
    engine: &Engine,
    set: &TemplateSet,
    platform: &Platform,
    content: &Content,
    opts: &MakeOptions,
) -> Result<Made, ErrorReport> {
    let fail = |message: String, class: ErrorClass, field: Option<String>| ErrorReport {
        org: None,
        row: None,
        template: set.name.clone(),
        platform: platform.name.clone(),
        message,
        field,
        class: Some(class),
    };
    let (filled, pixmap) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        #[cfg(debug_assertions)]
        failpoint(content);
        engine.render_pixels(set, platform, content)
    }))
    .map_err(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown".into());
        let message = format!("internal error while rendering (please report it): {what}");
        fail(message, ErrorClass::Internal, None)
    })?
    .map_err(|e| ErrorReport::of(&e, &set.name, &platform.name))?;
    let strict: Vec<&Diagnostic> = (filled.warnings.iter())
        .chain(&content.notes)
        .filter(|d| d.kind.is_strict())
        .collect();
    if opts.strict && !strict.is_empty() {
        let all: Vec<String> = strict.iter().map(|d| d.to_string()).collect();
        let message = format!("--strict: {}", all.join("; "));
        return Err(fail(
            message,
            ErrorClass::CannotRender,
            strict[0].field.clone(),
        ));
    }
    let format = match opts.format.for_platform(&platform.format) {
        Format::Mp4 if opts.stills_only => Format::Png,
        f => f,
    };
    let mut clip = None;
    let (bytes, over_cap) = match platform.video.filter(|_| !opts.stills_only) {
        Some(video) => {
            let (bytes, made, notes) = make_clip(
                engine, set, platform, &video, content, opts, &filled, &pixmap,
            )
            .map_err(|(message, class, field)| fail(message, class, field))?;
            clip = Some(made);
            let mut notes = notes;
            notes.extend(output::over_cap("MP4", bytes.len(), platform.max_bytes));
            (bytes, notes)
        }
        None => {
            let (bytes, over) = output::encode(&pixmap, format, opts.png_level, platform.max_bytes);
            (bytes, over.into_iter().collect())
        }
    };
    let thumbnail = opts
        .thumbnail
        .then(|| Thumbnail::of_pixmap(&pixmap))
        .flatten();
    let preview = opts
        .preview
        .and_then(|side| Thumbnail::of_pixmap_within(&pixmap, side))
        .map(|t| t.to_png());
    drop(pixmap);
    let mut diagnostics = filled.warnings;
    diagnostics.extend(over_cap);
    diagnostics.extend(content.notes.iter().cloned());
    let alt = match &clip {
        Some(c) => caption::clip_alt_text(set, content, platform, c.duration),
        None => caption::alt_text(set, content, platform),
    };
    Ok(Made {
        template: set.name.clone(),
        platform: platform.name.clone(),
        variant: filled.variant,
        width: filled.width,
        height: filled.height,
        format,
        bytes,
        alt,
        caption: caption::caption_for(set, content, platform),
        slots: filled.slots,
        diagnostics,
        svg: opts.svg.then_some(filled.svg),
        thumbnail,
        preview,
        clip,
    })
}

/// Why a clip failed: message, class, field.
type ClipFailure = (String, ErrorClass, Option<String>);

/// A clip of the card: planned from its layers, composed frame by frame
/// and encoded, each frame handed to the encoder as it is made (memory
/// stays flat however long the clip). The still (`pixmap`) is its last
/// frames and its cover.
#[allow(clippy::too_many_arguments)]
fn make_clip(
    engine: &Engine,
    set: &TemplateSet,
    platform: &Platform,
    video: &crate::inputs::platform::Video,
    content: &Content,
    opts: &MakeOptions,
    filled: &crate::fill::Filled,
    pixmap: &resvg::tiny_skia::Pixmap,
) -> Result<(Vec<u8>, MadeClip, Vec<Diagnostic>), ClipFailure> {
    use crate::motion::{ClipOptions, MotionError};
    let asked = ClipOptions {
        duration: opts.duration,
    };
    let planned = engine
        .plan_clip(set, platform, content, filled, video, &asked)
        .map_err(|e| {
            let (class, field) = match &e {
                MotionError::Duration { .. } => (ErrorClass::BadInput, Some("duration")),
                MotionError::TooLong { .. } => (ErrorClass::CannotRender, Some("story")),
                MotionError::Render(_) => (ErrorClass::CannotRender, None),
            };
            (e.to_string(), class, field.map(str::to_string))
        })?;
    let bytes = encode_clip(&planned, pixmap, content, !opts.no_audio)?;
    let (cover, _) = output::encode(pixmap, Format::Jpeg, opts.png_level, None);
    let made = MadeClip {
        duration: planned.seconds(),
        fps: planned.fps,
        frames: planned.frames,
        audio: !opts.no_audio,
        cover,
    };
    Ok((bytes, made, planned.diagnostics))
}

#[cfg(feature = "video")]
fn encode_clip(
    planned: &crate::motion::Clip,
    still: &resvg::tiny_skia::Pixmap,
    content: &Content,
    audio: bool,
) -> Result<Vec<u8>, ClipFailure> {
    use crate::motion::Frame;
    use crate::output::clip::{Audio, ClipEncoder, ClipSpec};
    let internal = |e: crate::output::clip::ClipError| {
        (
            format!("the clip could not be encoded (please report it): {e}"),
            ErrorClass::Internal,
            None,
        )
    };
    let spec = ClipSpec {
        width: planned.width,
        height: planned.height,
        fps: planned.fps,
        audio: if audio { Audio::Silent } else { Audio::None },
    };
    let mut encoder = ClipEncoder::new(&spec).map_err(internal)?;
    let focus = content.focus.unwrap_or((0.5, 0.5));
    planned
        .frames(still, focus, &mut |f| match f {
            Frame::New(p) => encoder.push(p),
            Frame::Same(n) => encoder.repeat_last(n),
        })
        .map_err(internal)?;
    encoder.finish().map_err(internal)
}

#[cfg(not(feature = "video"))]
fn encode_clip(
    _: &crate::motion::Clip,
    _: &resvg::tiny_skia::Pixmap,
    _: &Content,
    _: bool,
) -> Result<Vec<u8>, ClipFailure> {
    Err((
        "this postkit was built without video (cargo feature `video`): it cannot make clips; use a build with it, or a still preset".into(),
        ErrorClass::CannotRender,
        Some("platform".into()),
    ))
}

/// Debug builds only (a release build has no such hook, so no server can
/// be made to panic by its environment): with `POSTKIT_FAILPOINT_PANIC=<org>`
/// making that organisation's assets panics, so tests can prove that a
/// panic stays one asset's error.
#[cfg(debug_assertions)]
fn failpoint(content: &Content) {
    let org = content.fields.get("org").map(String::as_str);
    if std::env::var("POSTKIT_FAILPOINT_PANIC").is_ok_and(|v| Some(v.as_str()) == org) {
        panic!("injected panic (POSTKIT_FAILPOINT_PANIC)");
    }
}

/// Every asset of one request, made in memory.
pub struct Kit {
    /// The assets made, in the request's order (template, then platform).
    pub assets: Vec<Made>,
    /// The assets that failed, in the same order.
    pub errors: Vec<ErrorReport>,
    /// True when the work was cancelled before every asset was made.
    pub cancelled: bool,
}

/// Makes every template × platform of `request` in memory, in parallel on
/// the caller's thread pool (rayon's current one: a caller that wants its
/// own installs it), checking `cancel` before each asset. One asset's
/// failure never stops the others.
pub fn make_kit(engine: &Engine, request: &Request, opts: &MakeOptions, cancel: &Cancel) -> Kit {
    let results = make_each(engine, request, opts, cancel, &Ok);
    let mut kit = Kit {
        assets: Vec::new(),
        errors: Vec::new(),
        cancelled: results.iter().any(Option::is_none),
    };
    for r in results.into_iter().flatten() {
        match r {
            Ok(m) => kit.assets.push(m),
            Err(e) => kit.errors.push(e),
        }
    }
    kit
}

/// [`make_kit`], each asset handed to `then` as soon as it is made (to
/// write it, say, so that a large kit is never held in memory whole):
/// the results in the request's order, None for an asset not made
/// because of `cancel`.
pub fn make_each<R: Send>(
    engine: &Engine,
    request: &Request,
    opts: &MakeOptions,
    cancel: &Cancel,
    then: &(dyn Fn(Made) -> Result<R, ErrorReport> + Sync),
) -> Vec<Option<Result<R, ErrorReport>>> {
    use rayon::prelude::*;
    request
        .pairs()
        .par_iter()
        .map(|&(ti, pi)| {
            if cancel.is_cancelled() {
                return None;
            }
            let (set, platform) = (&request.templates[ti], &request.platforms[pi]);
            let made = if platform.is_video() {
                // A clip's length and audio are the request's own.
                let opts = MakeOptions {
                    duration: request.duration.or(opts.duration),
                    no_audio: !request.audio || opts.no_audio,
                    ..opts.clone()
                };
                make_asset(engine, set, platform, &request.content, &opts)
            } else {
                make_asset(engine, set, platform, &request.content, opts)
            };
            Some(made.and_then(then).map_err(|e| ErrorReport {
                org: Some(request.org.clone()),
                ..e
            }))
        })
        .collect()
}

/// Makes and writes every asset of `request` under `dest`, each written as
/// soon as it is made: the report of what was written and what failed.
pub fn make_and_write(
    engine: &Engine,
    request: &Request,
    opts: &MakeOptions,
    dest: &Destination,
    durability: Durability,
) -> Report {
    let write = |made: Made| {
        made.write(dest, durability)
            .map_err(|e| ErrorReport::of(&e, &made.template, &made.platform))
    };
    let mut report = Report::default();
    for r in make_each(engine, request, opts, &Cancel::new(), &write)
        .into_iter()
        .flatten()
    {
        match r {
            Ok(a) => report.assets.push(a),
            Err(e) => report.errors.push(e),
        }
    }
    report
}

impl Engine {
    /// Fills, renders and encodes one asset as PNG (balanced level), with
    /// its diagnostics.
    pub fn render(
        &self,
        set: &TemplateSet,
        platform: &Platform,
        content: &Content,
    ) -> Result<Made, Error> {
        let (filled, pixmap) = self.render_pixels(set, platform, content)?;
        let bytes = output::encode_png(&pixmap, PngLevel::Balanced);
        Ok(Made {
            template: set.name.clone(),
            platform: platform.name.clone(),
            variant: filled.variant,
            width: filled.width,
            height: filled.height,
            format: Format::Png,
            bytes,
            alt: caption::alt_text(set, content, platform),
            caption: caption::caption_for(set, content, platform),
            slots: filled.slots,
            diagnostics: filled.warnings,
            svg: Some(filled.svg),
            thumbnail: None,
            preview: None,
            clip: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Kind;
    use crate::plan::{plan, Defaults, Files, Input};
    use crate::{Campaign, Platforms};

    fn request(columns: &[(&str, &str)]) -> Request {
        let campaign = Campaign::embedded();
        let defaults = Defaults {
            templates: vec!["story-quote".into()],
            platforms: vec!["instagram-square".into()],
            campaign,
            presets: Platforms::embedded(),
            today: time::macros::date!(2026 - 12 - 12),
            direction: crate::text::Direction::Auto,
        };
        let input = Input::from_columns(columns.iter().copied());
        plan(&input, &defaults, &Files::new(".")).unwrap()
    }

    fn engine() -> Engine {
        Engine::new(&[] as &[&str]).unwrap()
    }

    /// Everything an asset is, in memory: the image decodes at the preset's
    /// size, with its alt text, caption and slot report; the made assets of
    /// a kit are those `render` writes, byte for byte.
    #[test]
    fn a_kit_is_made_in_memory() {
        let r = request(&[
            ("org", "Plymouth Welcome Hub"),
            ("story", "We cook together on Fridays."),
            ("platform", "instagram-square;x-post"),
        ]);
        let kit = make_kit(&engine(), &r, &MakeOptions::default(), &Cancel::new());
        assert!(kit.errors.is_empty() && !kit.cancelled);
        assert_eq!(kit.assets.len(), 2);
        for (made, platform) in kit.assets.iter().zip(&r.platforms) {
            let img = image::load_from_memory(&made.bytes).unwrap();
            assert_eq!(
                (img.width(), img.height()),
                (platform.width, platform.height)
            );
            assert_eq!(made.format, Format::Png);
            assert!(
                made.alt.contains("We cook together on Fridays."),
                "{}",
                made.alt
            );
            assert!(
                made.caption.contains("#ItTakesACommunity"),
                "{}",
                made.caption
            );
            assert!(made.slots.iter().any(|s| s.name == "story" && s.fits));
            assert!(made.svg.is_none() && made.thumbnail.is_none());
        }
        // The one-asset step gives the same bytes.
        let (set, platform) = (&r.templates[0], &r.platforms[1]);
        let one = make_asset(
            &engine(),
            set,
            platform,
            &r.content,
            &MakeOptions::default(),
        );
        assert!(one.unwrap().bytes == kit.assets[1].bytes);
    }

    #[test]
    fn formats_and_extras_are_as_asked() {
        let r = request(&[("org", "Hub"), ("story", "Hi"), ("platform", "x-post")]);
        let opts = MakeOptions {
            format: Format::Jpeg,
            svg: true,
            thumbnail: true,
            ..MakeOptions::default()
        };
        let made = make_asset(
            &engine(),
            &r.templates[0],
            &r.platforms[0],
            &r.content,
            &opts,
        )
        .unwrap();
        assert_eq!(made.format, Format::Jpeg);
        assert_eq!(&made.bytes[..2], &[0xFF, 0xD8], "a JPEG");
        assert!(made.svg.as_deref().is_some_and(|s| s.starts_with("<svg")));
        assert!(made.thumbnail.is_some());
    }

    /// `--strict` fails on the kinds it selects and names the slot;
    /// without it the same problem is a diagnostic.
    #[test]
    fn strict_selects_by_kind() {
        // Linear B: no bundled font has it.
        let r = request(&[("org", "Hub"), ("story", "We came \u{10000}")]);
        let (set, platform) = (&r.templates[0], &r.platforms[0]);
        let made = make_asset(
            &engine(),
            set,
            platform,
            &r.content,
            &MakeOptions::default(),
        )
        .unwrap();
        let missing: Vec<_> = made
            .diagnostics
            .iter()
            .filter(|d| d.kind == Kind::MissingGlyph)
            .collect();
        assert_eq!(missing.len(), 1, "{:?}", made.diagnostics);
        assert_eq!(missing[0].field.as_deref(), Some("story"));
        let strict = MakeOptions {
            strict: true,
            ..MakeOptions::default()
        };
        let e = make_asset(&engine(), set, platform, &r.content, &strict)
            .err()
            .unwrap();
        assert!(
            e.message
                .starts_with("--strict: slot story: no font has U+10000"),
            "{}",
            e.message
        );
        assert_eq!(e.field.as_deref(), Some("story"));
        assert_eq!(e.class, Some(ErrorClass::CannotRender));
    }

    #[test]
    fn text_that_cannot_fit_is_a_cannot_render_error() {
        let story = "word ".repeat(1900);
        let r = request(&[("org", "Hub"), ("story", &story)]);
        let kit = make_kit(&engine(), &r, &MakeOptions::default(), &Cancel::new());
        assert!(kit.assets.is_empty());
        let e = &kit.errors[0];
        assert_eq!(e.class, Some(ErrorClass::CannotRender), "{}", e.message);
        assert_eq!(e.field.as_deref(), Some("story"));
        assert_eq!(e.org.as_deref(), Some("Hub"));
    }

    #[test]
    fn a_cancelled_kit_makes_nothing_more() {
        let r = request(&[
            ("org", "Hub"),
            ("story", "Hi"),
            ("platform", "x-post;instagram-story"),
        ]);
        let cancel = Cancel::new();
        cancel.cancel();
        let kit = make_kit(&engine(), &r, &MakeOptions::default(), &cancel);
        assert!(kit.cancelled);
        assert!(kit.assets.is_empty() && kit.errors.is_empty());
    }

    /// Writing is its own step: the files appear only when written, under
    /// the one naming scheme, with no temporary file left.
    #[test]
    fn writing_is_a_separate_step() {
        let r = request(&[("org", "Hub"), ("story", "Hi"), ("platform", "x-post")]);
        let made = make_kit(&engine(), &r, &MakeOptions::default(), &Cancel::new())
            .assets
            .remove(0);
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let dest = Destination {
            out: dir.path(),
            org: "Hub",
            suffix: None,
        };
        let report = made.write(&dest, Durability::EachFile).unwrap();
        let png = dir.path().join("hub/story-quote-x-post.png");
        assert_eq!(report.path, png.display().to_string());
        assert!(std::fs::read(&png).unwrap() == made.bytes);
        let alt = std::fs::read_to_string(output::sidecar(&png, "alt.txt")).unwrap();
        assert_eq!(alt, made.alt);
        let names: Vec<String> = std::fs::read_dir(dir.path().join("hub"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
    }
}
