//! postkit's engine in the browser: WebAssembly bindings to the library's
//! API ([`postkit::api`]), which `postkit serve` answers over HTTP. The
//! static site's page (scripts/site.sh) runs one [`Kit`] in each of a few
//! Web Workers and asks it what it would ask the server: the campaign, the
//! platforms, the kinds, a render (JSON with previews, one PNG, or the zip).
//! The same code makes the same answers, byte for byte. With the feature
//! `batch` (the site's second engine, fetched when the page's batch mode
//! opens) it also checks and makes a whole campaign's sheet ([`BatchForm`],
//! [`Kit::batch_check`], [`Kit::batch`]).
//!
//! Nothing here reads a file, the clock or the network: templates,
//! campaign and platforms are given as text, fonts as bytes, today's date
//! by the page.

#![forbid(unsafe_code)]

#[cfg(feature = "batch")]
mod batch;
#[cfg(feature = "batch")]
pub use batch::BatchForm;

use std::collections::BTreeMap;
use std::sync::Arc;

use postkit::api::{self, Answer, Answered, FormError, Limits, Offer, Submitted};
use postkit::make::{make_kit, Cancel};
use postkit::{Campaign, Engine, Platforms, TemplateSet};
use wasm_bindgen::prelude::*;

/// An error as the server answers it: `{"error": {message, field, class}}`.
fn error_json(e: &FormError) -> Vec<u8> {
    let body = serde_json::json!({"error": {
        "message": e.message,
        "field": e.field,
        "class": e.class,
    }});
    body.to_string().into_bytes()
}

/// One answer: a status, a content type, the body, and for a download its
/// file name and the sizes that failed.
#[wasm_bindgen(getter_with_clone)]
pub struct Reply {
    /// HTTP-like status: 200, 400 bad input, 404, 413 too large, 422
    /// cannot render, 500.
    pub status: u16,
    /// The body's content type.
    pub content_type: String,
    /// The body.
    pub body: Vec<u8>,
    /// A download's file name (empty otherwise).
    pub file_name: String,
    /// Sizes that failed (`template/platform`, comma-separated).
    pub failed: String,
    /// A batch's assets made (0 otherwise).
    pub assets: u32,
    /// A batch's assets and rows that failed (0 otherwise).
    pub failures: u32,
}

impl Reply {
    fn json(v: &serde_json::Value) -> Reply {
        Reply::ok("application/json", v.to_string().into_bytes())
    }

    fn ok(content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            content_type: content_type.into(),
            body,
            file_name: String::new(),
            failed: String::new(),
            assets: 0,
            failures: 0,
        }
    }

    fn error(e: &FormError) -> Reply {
        Reply {
            status: e.class.http_status(),
            ..Reply::ok("application/json", error_json(e))
        }
    }

    fn not_found(message: &str) -> Reply {
        Reply {
            status: 404,
            ..Reply::error(&FormError::bad(None, message))
        }
    }
}

/// A form as the page sends it: text values and files, in order, read
/// within the server's limits.
#[wasm_bindgen]
pub struct Form {
    submitted: Submitted,
    limits: Limits,
    error: Option<FormError>,
}

impl Default for Form {
    fn default() -> Form {
        Form::new()
    }
}

#[wasm_bindgen]
impl Form {
    /// An empty form.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Form {
        Form {
            submitted: Submitted::default(),
            limits: Limits::default(),
            error: None,
        }
    }

    /// A text value (the first problem is kept and answered).
    pub fn text(&mut self, name: &str, value: String) {
        if self.error.is_none() {
            self.error = self.submitted.text(name, value, &self.limits).err();
        }
    }

    /// A file (`file`: its own name, for messages).
    pub fn file(&mut self, name: &str, file: &str, bytes: Vec<u8>) {
        if self.error.is_none() {
            if bytes.len() > self.limits.image {
                self.error = Some(FormError::too_large(name, self.limits.image));
            } else {
                self.error = self.submitted.image(name, file, bytes).err();
            }
        }
    }
}

/// The engine, the campaign, the platforms and the kinds a page offers.
#[wasm_bindgen]
pub struct Kit {
    campaign: Campaign,
    presets: Platforms,
    templates: BTreeMap<String, Arc<TemplateSet>>,
    fonts: Vec<(String, Vec<u8>)>,
    engine: Option<Engine>,
    thumbnails: BTreeMap<String, Vec<u8>>,
}

fn js(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

#[wasm_bindgen]
impl Kit {
    /// A kit with the embedded kinds, and the campaign and platforms given
    /// (TOML, as `--campaign` and `--platforms` read) or the embedded ones.
    #[wasm_bindgen(constructor)]
    pub fn new(campaign: Option<String>, platforms: Option<String>) -> Result<Kit, JsError> {
        let campaign = match campaign {
            Some(src) => Campaign::from_toml(&src, "campaign.toml").map_err(js)?,
            None => Campaign::embedded(),
        };
        let presets = match platforms {
            Some(src) => Platforms::from_toml(&src, "platforms.toml").map_err(js)?,
            None => Platforms::embedded(),
        };
        let mut templates = BTreeMap::new();
        for name in postkit::embedded::template_names() {
            let set = TemplateSet::load(name).map_err(js)?;
            templates.insert(name.to_string(), Arc::new(set));
        }
        Ok(Kit {
            campaign,
            presets,
            templates,
            fonts: Vec::new(),
            engine: None,
            thumbnails: BTreeMap::new(),
        })
    }

    /// Adds (or replaces) a kind from its files: `files` is a JSON array of
    /// `[file name, text]` (SVGs and an optional `template.toml`).
    pub fn add_template(&mut self, name: &str, files: &str) -> Result<(), JsError> {
        let files: Vec<(String, String)> = serde_json::from_str(files).map_err(js)?;
        let set = TemplateSet::from_files(name, &files, None).map_err(js)?;
        self.templates.insert(name.to_string(), Arc::new(set));
        self.thumbnails.remove(name);
        Ok(())
    }

    /// Adds a font file's bytes (by its file name, as the site's font index
    /// names it); the engine is made again, with every font given so far
    /// in the binary's order, when next needed.
    pub fn add_font(&mut self, file: &str, bytes: Vec<u8>) -> Result<(), JsError> {
        postkit::FontBook::from_bytes(vec![(file.to_string(), bytes.clone())]).map_err(js)?;
        self.fonts.retain(|(f, _)| f != file);
        self.fonts.push((file.to_string(), bytes));
        self.engine = None;
        self.thumbnails.clear();
        Ok(())
    }

    /// The engine with the fonts given so far.
    fn engine(&mut self) -> Result<&Engine, FormError> {
        if self.engine.is_none() {
            if self.fonts.is_empty() {
                return Err(no_fonts());
            }
            let engine = Engine::with_font_bytes(self.fonts.clone())
                .map_err(|e| FormError::from_error(&e))?;
            self.engine = Some(engine);
        }
        self.engine.as_ref().ok_or_else(no_fonts)
    }

    /// The font files given so far.
    pub fn fonts(&self) -> Vec<String> {
        self.fonts.iter().map(|(f, _)| f.clone()).collect()
    }

    fn offer(&self) -> Offer<'_> {
        Offer {
            campaign: &self.campaign,
            presets: &self.presets,
            templates: &self.templates,
        }
    }

    /// A `GET` of the API (`/api/campaign`, `/api/platforms`,
    /// `/api/templates`, `/api/templates/{name}`, its `thumbnail.png`);
    /// `today` as `YYYY-MM-DD`. Video platforms are left out: clips are
    /// made by the server only.
    pub fn get(&mut self, path: &str, today: &str) -> Reply {
        let path = path.split('?').next().unwrap_or(path);
        match path {
            "/api/campaign" => match parse_date(today) {
                Ok(d) => {
                    let mut v = api::campaign_json(&self.campaign, &self.presets, d);
                    let stills = |p: &serde_json::Value| {
                        let name = p.as_str().unwrap_or("");
                        self.presets.get(name).is_none_or(|p| !p.is_video())
                    };
                    if let Some(list) = v["platforms"].as_array_mut() {
                        list.retain(stills);
                    }
                    Reply::json(&v)
                }
                Err(e) => Reply::error(&e),
            },
            "/api/platforms" => {
                let stills: Vec<_> = (self.presets.all().iter())
                    .filter(|p| !p.is_video())
                    .collect();
                Reply::json(&serde_json::to_value(stills).unwrap_or_default())
            }
            "/api/templates" => {
                let all: Vec<_> = (self.templates.values())
                    .map(|t| api::describe(&self.presets, t))
                    .collect();
                Reply::json(&serde_json::Value::Array(all))
            }
            _ => self.template(path),
        }
    }

    fn template(&mut self, path: &str) -> Reply {
        let rest = path.strip_prefix("/api/templates/").unwrap_or("");
        let (name, thumb) = match rest.strip_suffix("/thumbnail.png") {
            Some(n) => (n, true),
            None => (rest, false),
        };
        let Some(set) = self.templates.get(name).cloned() else {
            return Reply::not_found("no such page; the page is at /, the API under /api/");
        };
        if !thumb {
            return Reply::json(&api::describe(&self.presets, &set));
        }
        if let Some(png) = self.thumbnails.get(name) {
            return Reply::ok("image/png", png.clone());
        }
        if let Err(e) = self.engine() {
            return Reply::error(&e);
        }
        let Some(engine) = &self.engine else {
            return Reply::error(&no_fonts());
        };
        match api::thumbnail(engine, &self.campaign, &self.presets, &set) {
            Some(png) => {
                self.thumbnails.insert(name.to_string(), png.clone());
                Reply::ok("image/png", png)
            }
            None => Reply::error(&FormError::bad(
                None,
                format!("the {name} template has no preview"),
            )),
        }
    }

    /// `POST /api/render`: the form made as `accept` asks (the page's
    /// JSON with previews, `image/png`, or `application/zip`); `today` as
    /// `YYYY-MM-DD`.
    pub fn render(&mut self, form: &Form, accept: &str, today: &str) -> Reply {
        match self.try_render(form, accept, today) {
            Ok(r) => r,
            Err(e) => Reply::error(&e),
        }
    }

    fn try_render(&mut self, form: &Form, accept: &str, today: &str) -> Result<Reply, FormError> {
        if let Some(e) = &form.error {
            return Err(e.clone());
        }
        self.engine()?;
        let engine = self.engine.as_ref().ok_or_else(no_fonts)?;
        let answer = Answer::of_accept(accept);
        if answer == Answer::Mp4 {
            return Err(FormError::bad(
                Some("platform"),
                "clips are made by the server only (postkit serve); this page makes images",
            ));
        }
        let offer = self.offer();
        let (request, opts) =
            api::plan_answer(offer, &form.submitted, answer, parse_date(today)?, false)?;
        if request.platforms.iter().any(|p| p.is_video()) {
            return Err(FormError::bad(
                Some("platform"),
                "clips are made by the server only (postkit serve); choose image sizes",
            ));
        }
        let kit = make_kit(engine, &request, &opts, &Cancel::new());
        Ok(match api::answer(&request, &kit, answer, |_| None)? {
            Answered::Json(v) => Reply::json(&v),
            Answered::File {
                content_type,
                name,
                bytes,
                failed,
            } => Reply {
                file_name: name,
                failed: failed.join(", "),
                ..Reply::ok(content_type, bytes)
            },
        })
    }
}

fn no_fonts() -> FormError {
    FormError {
        class: postkit::ErrorClass::Internal,
        field: None,
        message: "the fonts have not loaded yet; reload the page".into(),
    }
}

fn parse_date(s: &str) -> Result<time::Date, FormError> {
    postkit::campaign::parse_date(s)
        .ok_or_else(|| FormError::bad(Some("date"), format!("'{s}' is not a date (YYYY-MM-DD)")))
}
