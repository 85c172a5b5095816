//! The API's answers without a transport: what `postkit serve` answers over
//! HTTP and the in-browser engine (the static site, `web/`) answers in a Web
//! Worker, made by the same code so that both give the same JSON and the
//! same bytes: the campaign, the platforms, the template kinds and their
//! fields, a form read within limits ([`form`]), the resources a request may
//! reach ([`Uploads`]), the JSON report of a made kit and the kit's zip
//! ([`zipkit`]), a whole campaign's sheet checked and made ([`batch`]).

pub mod batch;
pub mod form;
pub mod zipkit;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use serde::Serialize;

use crate::error::Error;
use crate::inputs::{Brand, Campaign, ImageInput, Platforms};
use crate::make::{make_asset, Kit, Made, MakeOptions};
use crate::plan::{Request, Resources};
use crate::raster::Engine;
use crate::template::{SlotKind, TemplateSet};

pub use form::{FormError, Limits, Submitted};

/// `GET /api/campaign`: the campaign's name, theme, hashtags and handles,
/// default kind and sizes, its day, and `today`.
pub fn campaign_json(c: &Campaign, presets: &Platforms, today: time::Date) -> serde_json::Value {
    serde_json::json!({
        "name": c.name,
        "theme": c.theme,
        "hashtags": c.hashtags,
        "tags": c.tags,
        "template": c.template,
        "platforms": presets.names_or_defaults(&[], c),
        "day": c.date,
        "today": today.to_string(),
        "languages": card_languages(c),
    })
}

/// The languages a card's own words can be in: the campaign's main
/// language first, then its `[text.…]` tables, each with the day's name in
/// it and whether a translation awaits a native speaker's check.
fn card_languages(c: &Campaign) -> Vec<serde_json::Value> {
    let main = std::iter::once(c.lang.clone());
    let main_table = c.table_for(&c.lang);
    let others = c.text.keys().filter(|t| Some(t.as_str()) != main_table);
    main.chain(others.cloned())
        .map(|tag| {
            let words = c.words(&tag);
            serde_json::json!({
                "tag": tag,
                "name": words.fields.get("campaign.name").cloned().unwrap_or_else(|| c.name.clone()),
                "draft": !c.drafts(&tag).is_empty(),
            })
        })
        .collect()
}

/// What a partner types or uploads for a kind of asset.
#[derive(Serialize)]
struct Field {
    name: String,
    kind: &'static str,
    required: bool,
    multiline: bool,
}

/// The fields of a set, from its slots: not the organisation, its logo,
/// or what the campaign fills in (hashtags, handles, dates).
fn fields(set: &TemplateSet) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    let always = ["org", "logo", "hashtags", "tags"];
    for slot in set.variants.iter().flat_map(|v| &v.parsed.slots) {
        let name = slot.field.as_str();
        let campaign = crate::fill::CAMPAIGN_FIELDS.contains(&name)
            || ["campaign.", "palette.", "brand."]
                .iter()
                .any(|p| name.starts_with(p));
        if always.contains(&name) || campaign || out.iter().any(|f| f.name == name) {
            continue;
        }
        let option = slot.options.get("required").map(|r| r.trim().to_string());
        let (kind, required) = match slot.kind {
            SlotKind::Image => ("image", option.as_deref() != Some("false")),
            SlotKind::Text => (
                "text",
                option.as_deref().map_or(name == "story", |r| r == "true"),
            ),
        };
        let lines = slot
            .options
            .get("max-lines")
            .and_then(|m| m.trim().parse::<u32>().ok());
        out.push(Field {
            name: name.to_string(),
            kind,
            required,
            multiline: kind == "text" && lines.is_none_or(|l| l > 2),
        });
    }
    out
}

/// `GET /api/templates/{name}`: a kind, its fields and variants, and the
/// address of its thumbnail.
pub fn describe(presets: &Platforms, set: &TemplateSet) -> serde_json::Value {
    let info = set.info(presets.all());
    serde_json::json!({
        "name": info.name,
        "description": info.description,
        "fields": fields(set),
        "variants": info.variants,
        "skip_platforms": set.skip_platforms,
        "thumbnail": format!("/api/templates/{}/thumbnail.png", set.name),
    })
}

/// The thumbnail of a kind: a small picture with sample content, as PNG.
pub fn thumbnail(
    engine: &Engine,
    campaign: &Campaign,
    presets: &Platforms,
    set: &TemplateSet,
) -> Option<Vec<u8>> {
    let content = crate::accessibility::check::sample_content(campaign);
    let square = presets.get("instagram-square").cloned();
    let platform = square.unwrap_or_else(|| crate::inputs::Platform::custom("square", 1080, 1080));
    let opts = MakeOptions {
        preview: Some(320),
        ..MakeOptions::default()
    };
    let made = make_asset(engine, set, &platform, &content, &opts);
    made.ok().and_then(|m| m.preview)
}

/// One of the offered templates by name; the error lists them all.
pub fn server_template(
    templates: &BTreeMap<String, Arc<TemplateSet>>,
    spec: &str,
) -> Result<Arc<TemplateSet>, Error> {
    templates.get(spec).cloned().ok_or_else(|| Error::Template {
        template: spec.chars().take(100).collect(),
        message: format!(
            "this server has no such template; choose one of: {}",
            templates.keys().cloned().collect::<Vec<_>>().join(", ")
        ),
    })
}

/// What a request may reach: the templates offered and the request's own
/// uploads; never a file.
pub struct Uploads<'a> {
    /// The template sets offered, by name.
    pub templates: &'a BTreeMap<String, Arc<TemplateSet>>,
    /// The request's uploaded images, by field.
    pub images: &'a BTreeMap<String, ImageInput>,
}

impl Resources for Uploads<'_> {
    fn template(&self, spec: &str) -> Result<Arc<TemplateSet>, Error> {
        server_template(self.templates, spec)
    }

    fn image(&self, value: &str, slot: &str) -> Result<ImageInput, Error> {
        self.images
            .get(value)
            .cloned()
            .ok_or_else(|| Error::MissingField(format!("upload the {slot} as a file")))
    }

    fn image_file(&self, path: &Path, _slot: &str) -> Result<ImageInput, Error> {
        Err(Error::MissingField(format!(
            "the server reads no files ({}); upload images instead",
            path.display()
        )))
    }

    fn brand(&self, _value: &str) -> Result<Brand, Error> {
        Err(Error::MissingField(
            "the server reads no brand files; give the brand's colours as fields (brand.primary, …)".into(),
        ))
    }
}

/// The file name of a made asset in a kit: `<template>-<platform>.<ext>`.
pub fn file_name(m: &Made) -> String {
    format!("{}-{}.{}", m.template, m.platform, m.format.ext())
}

/// The JSON answer to a render (the CLI's report schema): each asset with
/// its preview as a `data:` URL, or else the address `link` gives it.
pub fn report_json(
    request: &Request,
    kit: &Kit,
    link: impl Fn(&Made) -> Option<String>,
) -> serde_json::Value {
    let slug = crate::output::slug(&request.org);
    let assets: Vec<serde_json::Value> = kit
        .assets
        .iter()
        .map(|m| {
            let path = Path::new(&slug).join(file_name(m));
            let mut v = serde_json::to_value(m.report(&request.org, &path)).unwrap_or_default();
            if let Some(p) = &m.preview {
                let b64 = base64::engine::general_purpose::STANDARD.encode(p);
                v["preview"] = format!("data:image/png;base64,{b64}").into();
            } else if let Some(url) = link(m) {
                v["url"] = url.into();
            }
            v
        })
        .collect();
    serde_json::json!({"assets": assets, "errors": kit.errors})
}

/// What the client wants back (from its `Accept`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Answer {
    /// The report as JSON, with previews or links.
    Json,
    /// One PNG.
    Png,
    /// One clip.
    Mp4,
    /// The whole kit as a zip.
    Zip,
}

impl Answer {
    /// The answer an `Accept` header asks for.
    pub fn of_accept(accept: &str) -> Answer {
        if accept.contains("application/zip") {
            Answer::Zip
        } else if accept.contains("video/mp4") && !accept.contains("application/json") {
            Answer::Mp4
        } else if accept.contains("image/png") && !accept.contains("application/json") {
            Answer::Png
        } else {
            Answer::Json
        }
    }
}

/// What a service offers: its campaign, platform presets and template sets.
#[derive(Clone, Copy)]
pub struct Offer<'a> {
    /// The campaign.
    pub campaign: &'a Campaign,
    /// The platform presets.
    pub presets: &'a Platforms,
    /// The template sets, by name.
    pub templates: &'a BTreeMap<String, Arc<TemplateSet>>,
}

/// The longest side of the previews in a JSON answer that asked for none
/// (when the service gives no links to its assets).
pub const DEFAULT_PREVIEW: u32 = 400;

/// Plans a submitted form for an answer: the request, and how to make it.
/// `links`: the service can give links to its assets, so a JSON answer
/// that asked for no previews carries none.
pub fn plan_answer(
    offer: Offer,
    submitted: &Submitted,
    answer: Answer,
    today: time::Date,
    links: bool,
) -> Result<(Request, MakeOptions), FormError> {
    let defaults = batch::defaults(offer, submitted.date.unwrap_or(today));
    let uploads = Uploads {
        templates: offer.templates,
        images: &submitted.images,
    };
    let request = crate::plan::plan(&submitted.input, &defaults, &uploads)
        .map_err(|e| FormError::plan(&e))?;
    let single = request.pairs().len() == 1;
    let video = request.platforms.iter().any(|p| p.is_video());
    let wrong = match answer {
        Answer::Png if !single => Some("an image answer (Accept: image/png) needs exactly one template and one platform; ask for application/zip for the whole kit"),
        Answer::Mp4 if !single || request.platforms.iter().any(|p| !p.is_video()) => Some("a clip answer (Accept: video/mp4) needs exactly one template and one video platform (instagram-reel, tiktok, …: see /api/platforms)"),
        Answer::Png if video => Some("that platform makes a clip: ask for Accept: video/mp4, or choose a still platform"),
        _ => None,
    };
    if let Some(message) = wrong {
        return Err(FormError::bad(Some("platform"), message));
    }
    // Without asset links, a JSON answer carries previews (of the size
    // asked for, or a default one) rather than links.
    let preview = match submitted.preview {
        None if !links => Some(DEFAULT_PREVIEW),
        p => p,
    }
    .filter(|_| answer == Answer::Json);
    let opts = MakeOptions {
        preview,
        // Answers with previews show a clip by its still (its poster): the
        // clip itself is asked for with Accept: video/mp4.
        stills_only: preview.is_some(),
        ..MakeOptions::default()
    };
    Ok((request, opts))
}

/// A made kit as the answer asked for.
pub enum Answered {
    /// A file to download.
    File {
        /// Its content type.
        content_type: &'static str,
        /// Its name.
        name: String,
        /// Its bytes.
        bytes: Vec<u8>,
        /// The sizes that failed (`template/platform`), for a zip.
        failed: Vec<String>,
    },
    /// The report as JSON.
    Json(serde_json::Value),
}

/// The answer to a made kit: the first error when nothing was made, one
/// PNG or clip, the zip, or the JSON report (`link` gives an asset's
/// address when it has no preview).
pub fn answer(
    request: &Request,
    kit: &Kit,
    answer: Answer,
    link: impl Fn(&Made) -> Option<String>,
) -> Result<Answered, FormError> {
    let Some(first) = kit.assets.first() else {
        return Err(kit.errors.first().map_or_else(
            || FormError::bad(None, "nothing to make: choose a template and a platform"),
            |e| FormError {
                class: e.class.unwrap_or(crate::diag::ErrorClass::Internal),
                field: e.field.clone(),
                message: format!("{} {}: {}", e.template, e.platform, e.message),
            },
        ));
    };
    let one = |content_type, ext| Answered::File {
        content_type,
        name: format!("{}-{}.{ext}", first.template, first.platform),
        bytes: first.bytes.clone(),
        failed: Vec::new(),
    };
    Ok(match answer {
        Answer::Png => one("image/png", "png"),
        Answer::Mp4 => one("video/mp4", "mp4"),
        Answer::Zip => {
            let bytes = zipkit::zip(kit, &request.org).map_err(|e| {
                FormError::from_error(&Error::Render {
                    template: String::new(),
                    platform: String::new(),
                    message: format!("the zip could not be made: {e}"),
                })
            })?;
            Answered::File {
                content_type: "application/zip",
                name: format!("{}-kit.zip", crate::output::slug(&request.org)),
                bytes,
                failed: (kit.errors.iter())
                    .map(|e| format!("{}/{}", e.template, e.platform))
                    .collect(),
            }
        }
        Answer::Json => Answered::Json(report_json(request, kit, link)),
    })
}
