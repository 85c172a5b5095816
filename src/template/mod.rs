//! Templates: ordinary SVGs with slots, grouped in sets (one SVG per aspect).
//!
//! A set is loaded and parsed once; every asset then picks the variant
//! nearest its platform's aspect ratio.

pub mod fonts;
pub mod mirror;
pub mod motion;
pub mod slots;
pub mod transform;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use mirror::RtlLayout;
pub use slots::{Parsed, Slot, SlotKind};

use crate::error::Error;

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

/// `template.toml`: a set's description and slot options for design tools
/// that cannot add attributes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    alt: Option<String>,
    /// The alt-text pattern in other languages, by language tag.
    #[serde(default)]
    alt_by_lang: BTreeMap<String, String>,
    /// The caption's opening line in other languages, by language tag.
    #[serde(default)]
    caption_by_lang: BTreeMap<String, String>,
    #[serde(default)]
    skip_platforms: Vec<String>,
    /// How a right-to-left story is laid out: `keep` or `mirror`.
    #[serde(default)]
    rtl: RtlLayout,
    #[serde(default)]
    slots: BTreeMap<String, BTreeMap<String, toml::Value>>,
}

/// One SVG of a set.
#[derive(Clone, Debug)]
pub struct Variant {
    /// File stem, for example `square`.
    pub name: String,
    /// The SVG source.
    pub source: String,
    /// Its canvas and slots.
    pub parsed: Parsed,
}

impl Variant {
    /// Width / height of the canvas.
    pub fn aspect(&self) -> f32 {
        self.parsed.width / self.parsed.height
    }
}

/// A template set.
#[derive(Clone, Debug)]
pub struct TemplateSet {
    /// Name used in file names and reports.
    pub name: String,
    /// One line on what it is for.
    pub description: String,
    /// Alt-text pattern, if the set gives one.
    pub alt: Option<String>,
    /// The alt-text pattern in other languages (`[alt_by_lang]`), for a
    /// card whose own words are in that language.
    pub alt_by_lang: BTreeMap<String, String>,
    /// The caption's opening line in other languages (`[caption_by_lang]`).
    pub caption_by_lang: BTreeMap<String, String>,
    /// Variants, one per aspect.
    pub variants: Vec<Variant>,
    /// The folder of a set loaded from disk (relative hrefs resolve here).
    pub dir: Option<PathBuf>,
    /// Presets this kind makes no sense for: left out of `--platform all`
    /// (still rendered when named).
    pub skip_platforms: Vec<String>,
    /// How a right-to-left story is laid out (a variant's `data-rtl`
    /// overrides it).
    pub rtl: RtlLayout,
}

/// Names of the built-in sets.
pub fn builtin_names() -> Vec<&'static str> {
    crate::embedded::template_names()
}

impl TemplateSet {
    /// A built-in set by name, or a folder / `.svg` file on disk.
    pub fn load(spec: &str) -> Result<TemplateSet, Error> {
        if let Some(files) = crate::embedded::template_files(spec) {
            let name = spec;
            let files: Vec<(String, String)> = files
                .iter()
                .map(|(f, s)| (f.to_string(), s.to_string()))
                .collect();
            return TemplateSet::from_files(name, &files, None);
        }
        let path = Path::new(spec);
        if path.is_dir() {
            let mut files = Vec::new();
            let entries = std::fs::read_dir(path).map_err(|e| Error::Io {
                path: path.to_path_buf(),
                what: "template folder",
                source: e,
            })?;
            for entry in entries.flatten() {
                let p = entry.path();
                let fname = entry.file_name().to_string_lossy().to_string();
                if fname.ends_with(".svg") || fname == "template.toml" {
                    files.push((fname, read(&p)?));
                }
            }
            files.sort();
            let name = dir_name(path);
            return TemplateSet::from_files(&name, &files, Some(path.to_path_buf()));
        }
        if path.extension().is_some_and(|e| e == "svg") {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "template".into());
            let mut files = vec![(format!("{stem}.svg"), read(path)?)];
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let manifest = dir.join("template.toml");
            if manifest.is_file() {
                files.push(("template.toml".into(), read(&manifest)?));
            }
            return TemplateSet::from_files(&stem, &files, Some(dir));
        }
        if path.exists() || spec.contains('/') || spec.ends_with(".svg") {
            return Err(Error::Template {
                template: spec.to_string(),
                message: if path.exists() {
                    "not a template: give a folder of SVGs or an .svg file".into()
                } else {
                    "no such file or folder".into()
                },
            });
        }
        Err(Error::UnknownTemplate {
            name: spec.to_string(),
            suggestion: crate::diag::did_you_mean(spec, builtin_names().iter().map(|n| &n[..])),
            valid: builtin_names().join(", "),
        })
    }

    /// Builds a set from named files (SVGs and an optional `template.toml`).
    pub fn from_files(
        name: &str,
        files: &[(String, String)],
        dir: Option<PathBuf>,
    ) -> Result<TemplateSet, Error> {
        let manifest: Manifest = match files.iter().find(|(f, _)| f == "template.toml") {
            Some((_, src)) => toml::from_str(src).map_err(|e| Error::Config {
                origin: format!("{name}/template.toml"),
                message: crate::error::toml_message(src, &e),
            })?,
            None => Manifest::default(),
        };
        let overrides: BTreeMap<String, BTreeMap<String, String>> = manifest
            .slots
            .iter()
            .map(|(slot, opts)| {
                let o = opts
                    .iter()
                    .map(|(k, v)| {
                        let s = match v {
                            toml::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        (k.clone(), s)
                    })
                    .collect();
                (slot.clone(), o)
            })
            .collect();
        for (slot, opts) in &overrides {
            if let Some(bad) = opts
                .keys()
                .find(|k| !slots::SLOT_OPTIONS.contains(&k.as_str()))
            {
                return Err(Error::Config {
                    origin: format!("{name}/template.toml"),
                    message: format!(
                        "[slots.{slot}] has unknown option '{bad}'; valid options: {}",
                        slots::SLOT_OPTIONS.join(", ")
                    ),
                });
            }
        }
        let mut variants = Vec::new();
        for (fname, src) in files.iter().filter(|(f, _)| f.ends_with(".svg")) {
            let vname = fname.trim_end_matches(".svg").to_string();
            let src = slots::inert_placeholders(src);
            let parsed = slots::parse(&src, &format!("{name}/{fname}"), &overrides)?;
            if let Some(dir) = &dir {
                check_local_hrefs(&src, dir, &format!("{name}/{fname}"))?;
            }
            variants.push(Variant {
                name: vname,
                source: src.into_owned(),
                parsed,
            });
        }
        if variants.is_empty() {
            return Err(Error::Template {
                template: name.to_string(),
                message: "has no .svg files".into(),
            });
        }
        Ok(TemplateSet {
            name: manifest.name.unwrap_or_else(|| name.to_string()),
            description: manifest.description,
            alt: manifest.alt,
            alt_by_lang: manifest.alt_by_lang,
            caption_by_lang: manifest.caption_by_lang,
            variants,
            dir,
            skip_platforms: manifest.skip_platforms,
            rtl: manifest.rtl,
        })
    }

    /// A warning for each font family the set's SVGs ask for outside their
    /// slots that `available` does not know (none of a list's families, that
    /// is, since the renderer takes the first it has): the renderer draws
    /// that text in the default family instead. (Slots warn per asset.)
    pub fn unavailable_fonts(&self, available: impl Fn(&str) -> bool) -> Vec<String> {
        const GENERIC: &[&str] = &["serif", "sans-serif", "monospace", "cursive", "fantasy"];
        let mut out: Vec<String> = Vec::new();
        let mut named: Vec<String> = Vec::new();
        for v in &self.variants {
            for (list, at) in &v.parsed.fonts {
                let families = slots::font_families(list);
                if families.iter().any(|f| {
                    GENERIC.contains(&f.to_ascii_lowercase().as_str())
                        || fonts::known_by_family(f, &available)
                }) {
                    continue;
                }
                let Some(first) = families.first() else {
                    continue;
                };
                if named.iter().any(|n| n.eq_ignore_ascii_case(first)) {
                    continue;
                }
                named.push(first.to_string());
                out.push(format!(
                    "template {}/{}.svg: font '{first}' ({at}) is not available; using {} instead (add it with --font)",
                    self.name,
                    v.name,
                    crate::text::fonts::DEFAULT_FAMILY
                ));
            }
        }
        out
    }

    /// True when some variant has a slot for `field`.
    pub fn uses_field(&self, field: &str) -> bool {
        self.variants
            .iter()
            .any(|v| v.parsed.slots.iter().any(|s| s.field == field))
    }

    /// True when the set shows or mentions `field`: a slot for it, or a
    /// `{{field}}` in a variant or its alt text.
    pub fn mentions(&self, field: &str) -> bool {
        let placeholder = format!("{{{{{field}}}}}");
        self.uses_field(field)
            || self
                .alt
                .iter()
                .chain(self.alt_by_lang.values())
                .any(|a| a.contains(&placeholder))
            || self
                .variants
                .iter()
                .any(|v| v.source.contains(&placeholder))
    }

    /// The pattern in `by_lang` for a card in `tag`: that tag's, else its
    /// language's (`ar` for `ar-EG`); None when the set has none.
    pub fn in_language<'a>(by_lang: &'a BTreeMap<String, String>, tag: &str) -> Option<&'a str> {
        let lang = tag.split(['-', '_']).next().unwrap_or(tag);
        by_lang
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(tag))
            .or_else(|| by_lang.iter().find(|(k, _)| k.eq_ignore_ascii_case(lang)))
            .map(|(_, v)| v.as_str())
    }

    /// The fields of the set's slots, once each, in slot order.
    pub fn slot_fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for slot in self.variants.iter().flat_map(|v| &v.parsed.slots) {
            if !out.contains(&slot.field.as_str()) {
                out.push(&slot.field);
            }
        }
        out
    }

    /// The fields a card of this set cannot do without, in slot order, once
    /// each: text slots marked `data-required="true"` (and the story, unless
    /// marked `false`), image slots not marked `false` (but the logo, which
    /// falls back to the organisation's name). Slots in a `data-if` or
    /// `data-unless` element count only when `is_set` says it is shown.
    pub fn required_fields(&self, is_set: impl Fn(&str) -> bool) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for v in &self.variants {
            let p = &v.parsed;
            let shown = |slot: &Slot| {
                p.conditionals.iter().all(|(r, field, when_set)| {
                    !(r.start <= slot.range.start && slot.range.end <= r.end)
                        || is_set(field) == *when_set
                })
            };
            for slot in p.slots.iter().filter(|s| shown(s)) {
                let option = slot.options.get("required").map(|r| r.trim());
                let required = match slot.kind {
                    SlotKind::Image => slot.field != "logo" && option != Some("false"),
                    SlotKind::Text => option.map_or(slot.field == "story", |r| r == "true"),
                };
                if required && !out.contains(&slot.field.as_str()) {
                    out.push(&slot.field);
                }
            }
        }
        out
    }

    /// Whether `variant` is drawn mirrored for a right-to-left story on
    /// `platform`: when the set or the variant asks for it, unless the
    /// platform's safe zone is lopsided (its chrome does not mirror: X's
    /// header photo keeps the avatar at the lower left).
    pub fn mirrors(&self, variant: &Variant, platform: &crate::inputs::Platform) -> bool {
        variant.parsed.rtl.unwrap_or(self.rtl) == RtlLayout::Mirror
            && platform.safe[1] == platform.safe[3]
    }

    /// True unless the set's `template.toml` skips this preset.
    pub fn serves(&self, platform: &crate::inputs::Platform) -> bool {
        !self.skip_platforms.iter().any(|s| s == &platform.name)
    }

    /// The variant drawn for `platform`: among those made for its kind
    /// (a clip or a still: `data-for`), the one whose aspect ratio is
    /// nearest the platform's; at the same aspect, one made for that kind
    /// alone beats one made for both.
    pub fn variant_for(&self, platform: &crate::inputs::Platform) -> &Variant {
        let wanted = if platform.is_video() {
            slots::VariantUse::Video
        } else {
            slots::VariantUse::Still
        };
        let fits =
            |v: &&Variant| v.parsed.serves == wanted || v.parsed.serves == slots::VariantUse::Any;
        let target = (platform.width as f32 / platform.height as f32).ln();
        // Aspects within a thousandth count as the same shape; then a
        // layout made for this kind alone comes first.
        let key = |v: &&Variant| {
            let distance = ((v.aspect().ln() - target).abs() * 1000.0).round() as i64;
            (distance, v.parsed.serves != wanted)
        };
        self.variants
            .iter()
            .filter(fits)
            .min_by_key(key)
            .or_else(|| self.variants.iter().min_by_key(key))
            .expect("a set has at least one variant")
    }
}

/// What a set offers, for listings.
#[derive(Clone, Debug, Serialize)]
pub struct TemplateInfo {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Variants.
    pub variants: Vec<VariantInfo>,
}

/// One variant, for listings.
#[derive(Clone, Debug, Serialize)]
pub struct VariantInfo {
    /// File stem.
    pub name: String,
    /// Canvas width (user units).
    pub width: f32,
    /// Canvas height.
    pub height: f32,
    /// Presets that use this variant.
    pub platforms: Vec<String>,
    /// Slots.
    pub slots: Vec<SlotInfo>,
    /// `true` when a right-to-left story is drawn as the variant's mirror
    /// image (on presets with an even safe zone).
    pub mirrored_for_rtl: bool,
}

/// One slot, for listings.
#[derive(Clone, Debug, Serialize)]
pub struct SlotInfo {
    /// Field.
    pub name: String,
    /// `text` or `image`.
    pub kind: &'static str,
    /// Rect: x, y, width, height.
    pub rect: [f32; 4],
    /// Options.
    pub options: BTreeMap<String, String>,
    /// The condition it is shown under (`translation`, `no translation`),
    /// when it sits in a `data-if` / `data-unless` element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shown_when: Option<String>,
}

impl TemplateSet {
    /// A listing of the set; `presets` decide which variant serves which.
    pub fn info(&self, presets: &[crate::inputs::Platform]) -> TemplateInfo {
        TemplateInfo {
            name: self.name.clone(),
            description: self.description.clone(),
            variants: self
                .variants
                .iter()
                .map(|v| VariantInfo {
                    name: v.name.clone(),
                    width: v.parsed.width,
                    height: v.parsed.height,
                    platforms: presets
                        .iter()
                        .filter(|p| self.serves(p) && self.variant_for(p).name == v.name)
                        .map(|p| p.name.clone())
                        .collect(),
                    slots: v
                        .parsed
                        .slots
                        .iter()
                        .map(|s| SlotInfo {
                            name: s.field.clone(),
                            kind: match s.kind {
                                SlotKind::Text => "text",
                                SlotKind::Image => "image",
                            },
                            rect: [s.x, s.y, s.width, s.height],
                            options: s.options.clone(),
                            shown_when: shown_when(&v.parsed, s),
                        })
                        .collect(),
                    mirrored_for_rtl: v.parsed.rtl.unwrap_or(self.rtl) == RtlLayout::Mirror,
                })
                .collect(),
        }
    }
}

/// The condition of the innermost conditional element around `slot`.
fn shown_when(parsed: &Parsed, slot: &Slot) -> Option<String> {
    parsed
        .conditionals
        .iter()
        .filter(|(r, _, _)| r.start <= slot.range.start && slot.range.end <= r.end)
        .min_by_key(|(r, _, _)| r.len())
        .map(|(_, field, when_set)| {
            if *when_set {
                field.clone()
            } else {
                format!("no {field}")
            }
        })
}

/// Relative hrefs of a template on disk must name files inside its folder
/// (links resolved) that postkit can draw: anything else is refused here,
/// by name, rather than silently not drawn.
fn check_local_hrefs(src: &str, dir: &Path, origin: &str) -> Result<(), Error> {
    let Ok(doc) = slots::document(src) else {
        return Ok(()); // parse errors were reported already
    };
    let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    for node in doc.descendants().filter(|n| n.is_element()) {
        for a in node.attributes().filter(|a| a.name() == "href") {
            let h = a.value().trim();
            if h.starts_with('#') || h.starts_with("data:") || h.is_empty() {
                continue;
            }
            let why = match root.join(h).canonicalize() {
                Err(_) => Some("which was not found in the template's folder; put the file there or fix the link".to_string()),
                Ok(p) if !p.starts_with(&root) || !p.is_file() => {
                    Some("which is not a file inside the template's folder".to_string())
                }
                Ok(p) if node.has_tag_name("image") => linked_image_problem(&p),
                Ok(_) => None,
            };
            if let Some(why) = why {
                let p = doc.text_pos_at(node.range().start);
                return Err(Error::Template {
                    template: origin.to_string(),
                    message: format!(
                        "<{}> at line {}, column {} links to '{h}', {why}",
                        node.tag_name().name(),
                        p.row,
                        p.col
                    ),
                });
            }
        }
    }
    Ok(())
}

/// Largest image file a template may link from its folder.
pub const MAX_TEMPLATE_IMAGE_BYTES: u64 = 10 * 1024 * 1024;

/// What keeps a linked image from being drawn, if anything: its size, its
/// pixels or its format (postkit draws linked PNG, JPEG, WebP and SVG).
fn linked_image_problem(path: &Path) -> Option<String> {
    use crate::inputs::images::{MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, MAX_SVG_BYTES};
    let bytes = std::fs::metadata(path).ok()?.len();
    let mb = |b: u64| format!("{:.1} MB", b as f64 / (1024.0 * 1024.0));
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    if is_svg(path, &head[..n]) {
        return (bytes > MAX_SVG_BYTES as u64).then(|| format!(
            "an SVG of {}, over the {} postkit reads for a linked SVG; simplify it or export it as PNG",
            mb(bytes),
            mb(MAX_SVG_BYTES as u64)
        ));
    }
    match image::guess_format(&head[..n]) {
        Ok(image::ImageFormat::Png | image::ImageFormat::Jpeg | image::ImageFormat::WebP) => {}
        Ok(f) => {
            return Some(format!(
                "a {} file; postkit draws linked PNG, JPEG, WebP and SVG images: convert it to PNG or JPEG",
                f.extensions_str().first().unwrap_or(&"?").to_ascii_uppercase()
            ))
        }
        Err(_) => {
            return Some("which is not an image postkit can read (PNG, JPEG, WebP or SVG)".into())
        }
    }
    if bytes > MAX_TEMPLATE_IMAGE_BYTES {
        return Some(format!(
            "a file of {}, over the {} postkit reads for a linked image; save a smaller copy (for example 2400 px on its long side, JPEG quality 85) and link that",
            mb(bytes),
            mb(MAX_TEMPLATE_IMAGE_BYTES)
        ));
    }
    let (w, h) = image::ImageReader::open(path)
        .and_then(|r| r.with_guessed_format())
        .ok()
        .and_then(|r| r.into_dimensions().ok())?;
    (w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE || w as u64 * h as u64 > MAX_IMAGE_PIXELS).then(|| {
        format!(
            "an image of {w}x{h} px, over the {MAX_IMAGE_SIDE} px side and {} megapixels postkit draws; save a smaller copy and link that",
            MAX_IMAGE_PIXELS / 1_000_000
        )
    })
}

/// An SVG by its name or its first bytes.
fn is_svg(path: &Path, head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
        || text.starts_with("<svg")
        || (text.starts_with("<?xml") && text.contains("<svg"))
}

/// Largest template file (an SVG with its embedded pictures) postkit reads.
pub const MAX_TEMPLATE_BYTES: u64 = 32 * 1024 * 1024;

fn read(path: &Path) -> Result<String, Error> {
    crate::error::read_input_text(path, "template", MAX_TEMPLATE_BYTES)
}

fn dir_name(path: &Path) -> String {
    path.canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .unwrap_or_else(|| "template".into())
}
