//! The planner: what a person gave (command-line flags, a row of a
//! spreadsheet, a web form) becomes one typed [`Request`], checked in one
//! place. `render` is a one-row plan; `batch` plans each row; a server plans
//! each request. A new column or form field is added here, once.
//!
//! Files (templates, logos, photos, brand files) are reached only through
//! [`Resources`]: [`Files`] reads them from disk (relative paths from a base
//! folder, each loaded once); a server supplies uploads from memory.

pub mod parse;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::accessibility::caption;
use crate::diag::{Diagnostic, ErrorClass, Kind};
use crate::error::Error;
use crate::inputs::{Brand, Campaign, Content, ImageInput, Platform, Platforms};
use crate::template::TemplateSet;
use crate::text::Direction;

/// Columns (and form fields) with a meaning of their own; any other is a
/// template field.
pub const COLUMNS: &[&str] = &[
    "org",
    "story",
    "logo",
    "logo_dark",
    "photo",
    "template",
    "platform",
    "brand",
    "dir",
    "lang",
    "card_lang",
    "translation",
    "translation_lang",
    "translation_dir",
    "focus",
    "hashtags",
    "tags",
    "id",
    "duration",
    "audio",
];

/// The image columns: (column, the slot its image fills).
const IMAGE_COLUMNS: [&str; 3] = ["logo", "logo_dark", "photo"];

/// A value as given: one text (a spreadsheet cell, which may hold a list
/// separated by `;`) or a list (repeated flags, a JSON array).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// One text.
    Text(String),
    /// Several items.
    List(Vec<String>),
}

/// What a person gave, before any of it is checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Input {
    /// Values of the [`COLUMNS`], by name; an empty value is absent.
    pub values: BTreeMap<String, Value>,
    /// Template fields (`title`, `event`, …), by name.
    pub fields: BTreeMap<String, String>,
}

impl Input {
    /// Input from columns as a spreadsheet has them: the [`COLUMNS`] are
    /// values, any other name is a template field; empty values are absent.
    pub fn from_columns<'a>(columns: impl IntoIterator<Item = (&'a str, &'a str)>) -> Input {
        let mut input = Input::default();
        for (k, v) in columns {
            if COLUMNS.contains(&k) {
                input.set(k, v);
            } else if !v.trim().is_empty() {
                input.fields.insert(k.to_string(), v.to_string());
            }
        }
        input
    }

    /// Sets a value (ignored when empty).
    pub fn set(&mut self, key: &str, value: &str) {
        if !value.trim().is_empty() {
            self.values
                .insert(key.to_string(), Value::Text(value.trim().to_string()));
        }
    }

    /// Sets a list (ignored when empty).
    pub fn set_list(&mut self, key: &str, items: &[String]) {
        if !items.is_empty() {
            self.values
                .insert(key.to_string(), Value::List(items.to_vec()));
        }
    }

    /// A value as one text (a list joined by `;`).
    pub fn text(&self, key: &str) -> Option<String> {
        match self.values.get(key)? {
            Value::Text(s) => Some(s.clone()),
            Value::List(l) => Some(l.join(";")),
        }
    }

    /// A value as a list: a text split at `separators`, or the list's items;
    /// trimmed, empty items dropped.
    pub fn list(&self, key: &str, separators: &[char]) -> Option<Vec<String>> {
        let items: Vec<String> = match self.values.get(key)? {
            Value::Text(s) => s.split(separators).map(str::to_string).collect(),
            Value::List(l) => l.clone(),
        };
        Some(
            items
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        )
    }
}

/// What a request does not say: the front end's defaults.
#[derive(Clone, Debug)]
pub struct Defaults {
    /// The campaign (hashtags, handles, palette, dates).
    pub campaign: Campaign,
    /// The platform presets names refer to.
    pub presets: Platforms,
    /// Templates for a request that names none.
    pub templates: Vec<String>,
    /// Platforms for a request that names none (`all` allowed).
    pub platforms: Vec<String>,
    /// Today, for countdowns.
    pub today: time::Date,
    /// Paragraph direction for a request that gives none.
    pub direction: Direction,
}

/// Where templates, images and brands come from.
pub trait Resources: Sync {
    /// A template set: a built-in name, or one the resources know.
    fn template(&self, spec: &str) -> Result<Arc<TemplateSet>, Error>;
    /// The image a request's value names, for `slot`.
    fn image(&self, value: &str, slot: &str) -> Result<ImageInput, Error>;
    /// An image file a brand file names (already resolved), for `slot`.
    fn image_file(&self, path: &Path, slot: &str) -> Result<ImageInput, Error>;
    /// The brand a request's value names.
    fn brand(&self, value: &str) -> Result<Brand, Error>;
}

/// [`Resources`] on disk: relative paths resolve against `base` (the
/// batch file's folder, or the working folder), and each file is loaded
/// once however many requests name it.
#[derive(Default)]
pub struct Files {
    base: PathBuf,
    templates: Mutex<HashMap<String, Result<Arc<TemplateSet>, Error>>>,
    images: Mutex<HashMap<PathBuf, Result<ImageInput, Error>>>,
    brands: Mutex<HashMap<PathBuf, Result<Brand, Error>>>,
}

/// A cached result, cloned (an [`Error`] is not `Clone`: its message is kept).
fn cached<K: std::hash::Hash + Eq, T: Clone>(
    map: &Mutex<HashMap<K, Result<T, Error>>>,
    key: K,
    load: impl FnOnce() -> Result<T, Error>,
) -> Result<T, Error> {
    let mut m = map.lock().unwrap_or_else(|e| e.into_inner());
    match m.entry(key).or_insert_with(load) {
        Ok(v) => Ok(v.clone()),
        Err(e) => Err(e.clone_lossy()),
    }
}

impl Files {
    /// Files found from `base`.
    pub fn new(base: impl Into<PathBuf>) -> Files {
        Files {
            base: base.into(),
            ..Files::default()
        }
    }

    /// A path as given, resolved against the base folder.
    pub fn resolve(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        }
    }

    /// The template sets loaded so far, in name order.
    pub fn loaded_templates(&self) -> Vec<Arc<TemplateSet>> {
        let m = self.templates.lock().unwrap_or_else(|e| e.into_inner());
        let mut sets: Vec<_> = m
            .iter()
            .filter_map(|(k, v)| Some((k, v.as_ref().ok()?)))
            .collect();
        sets.sort_by(|a, b| a.0.cmp(b.0));
        sets.into_iter().map(|(_, s)| s.clone()).collect()
    }
}

impl Resources for Files {
    fn template(&self, spec: &str) -> Result<Arc<TemplateSet>, Error> {
        let local = self.base.join(spec);
        let key = if crate::embedded::template_names().contains(&spec) || !local.exists() {
            spec.to_string()
        } else {
            local.display().to_string()
        };
        cached(&self.templates, key.clone(), || {
            TemplateSet::load(&key).map(Arc::new)
        })
    }

    fn image(&self, value: &str, slot: &str) -> Result<ImageInput, Error> {
        self.image_file(&self.resolve(value), slot)
    }

    fn image_file(&self, path: &Path, slot: &str) -> Result<ImageInput, Error> {
        cached(&self.images, path.to_path_buf(), || {
            ImageInput::load(path, slot)
        })
    }

    fn brand(&self, value: &str) -> Result<Brand, Error> {
        let path = self.resolve(value);
        cached(&self.brands, path.clone(), || Brand::load(&path))
    }
}

/// What kind of problem stopped a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A required value is missing or empty.
    Empty,
    /// A value is not in a form postkit understands.
    Invalid,
    /// A template or platform name that does not exist.
    Unknown,
    /// A file the value names could not be used.
    Unusable,
}

/// Why a request could not be planned: the field at fault, what kind of
/// problem it is, and the message a person reads (without the field's
/// name: each front end says "column story", "--story" or marks the form
/// field its own way).
#[derive(Clone, Debug, PartialEq)]
pub struct PlanError {
    /// The column or form field (`org`, `story`, `hashtags`, …).
    pub field: String,
    /// What kind of problem.
    pub problem: Problem,
    /// What is wrong and what to do.
    pub message: String,
    /// The class of failure.
    pub class: ErrorClass,
    /// Every field the templates need and the request does not give (the
    /// first is `field`), when that is the problem; else empty.
    pub missing: Vec<String>,
}

impl PlanError {
    fn new(field: &str, problem: Problem, message: impl Into<String>) -> PlanError {
        PlanError {
            field: field.to_string(),
            problem,
            message: message.into(),
            class: ErrorClass::BadInput,
            missing: Vec::new(),
        }
    }

    /// A library error about `field`'s value.
    fn of(field: &str, e: &Error) -> PlanError {
        let problem = if e.is_usage() {
            Problem::Unknown
        } else {
            Problem::Unusable
        };
        PlanError {
            class: e.class(),
            ..PlanError::new(field, problem, e.to_string())
        }
    }
}

/// A request, planned: everything one organisation's kit needs, checked.
#[derive(Clone, Debug)]
pub struct Request {
    /// The organisation (names the output folder).
    pub org: String,
    /// What fills the templates.
    pub content: Arc<Content>,
    /// The template sets.
    pub templates: Vec<Arc<TemplateSet>>,
    /// The platform presets.
    pub platforms: Vec<Platform>,
    /// The platforms came from `all`: a template skips those it does not serve.
    pub all_platforms: bool,
    /// The `id` given, which distinguishes several stories of one organisation.
    pub id: Option<String>,
    /// The brand, when one was named.
    pub brand: Option<Brand>,
    /// A clip's length, seconds (`duration`); None: as long as its text
    /// takes to read.
    pub duration: Option<f32>,
    /// A clip carries a silent audio track (`audio`: silent, the default,
    /// or none).
    pub audio: bool,
}

impl Request {
    /// The (template, platform) pairs to make, as indices, in order: every
    /// pair, or those a template serves when the platforms came from `all`.
    pub fn pairs(&self) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        for (ti, t) in self.templates.iter().enumerate() {
            for (pi, p) in self.platforms.iter().enumerate() {
                if !self.all_platforms || t.serves(p) {
                    pairs.push((ti, pi));
                }
            }
        }
        pairs
    }

    /// A hash of everything in the content (fields, image bytes, focus,
    /// direction, notes): equal content, equal hash.
    pub fn content_hash(&self) -> blake3::Hash {
        let content = &self.content;
        let mut h = blake3::Hasher::new();
        for (k, val) in &content.fields {
            h.update(k.as_bytes());
            h.update(&[0]);
            h.update(val.as_bytes());
            h.update(&[1]);
        }
        for (k, img) in &content.images {
            h.update(k.as_bytes());
            h.update(blake3::hash(&img.bytes).as_bytes());
        }
        let notes: Vec<String> = content.notes.iter().map(|n| n.to_string()).collect();
        h.update(format!("{:?}{:?}{:?}", content.focus, content.direction, notes).as_bytes());
        h.finalize()
    }
}

/// Plans one request: the input checked field by field, in a fixed order
/// (brand, org, hashtags and tags, templates, platforms, story, direction,
/// focus, images, brand, fields), stopping at the first problem.
pub fn plan(input: &Input, defaults: &Defaults, res: &dyn Resources) -> Result<Request, PlanError> {
    let brand = match input.text("brand") {
        Some(b) => Some(res.brand(&b).map_err(|e| PlanError::of("brand", &e))?),
        None => None,
    };
    let org = input
        .text("org")
        .or_else(|| brand.as_ref().and_then(|b| b.name.clone()))
        .filter(|o| !crate::text::clean(o).is_empty())
        .ok_or_else(|| {
            PlanError::new(
                "org",
                Problem::Empty,
                "is empty; give the organisation's name",
            )
        })?;
    let (campaign, notes) = campaign_for(input, &defaults.campaign)?;
    let templates = templates(input, defaults, res)?;
    let (platforms, all_platforms) = platforms(input, defaults)?;
    let story = input.text("story").unwrap_or_default();
    let mut content = Content::story(&campaign, &org, &story);
    content.notes = notes;
    content.notes.extend(unknown_fields(input, &templates));
    content.set_date(&campaign, defaults.today);
    content.set_direction(defaults.direction);
    options(input, &mut content)?;
    images(input, res, &mut content)?;
    if let Some(b) = &brand {
        brand_images(b, res, &mut content)?;
        b.apply(&campaign, &mut content)
            .map_err(|e| PlanError::of("brand", &e))?;
    }
    for (k, v) in &input.fields {
        content.set_field(k, v);
    }
    let counts_down = templates.iter().any(|t| t.uses_field("days"));
    if counts_down && !input.fields.contains_key("days") {
        content
            .notes
            .extend(campaign.countdown_note(defaults.today));
    }
    if let Some(l) = input.text("lang") {
        let l = parse::lang(&l).map_err(|m| PlanError::new("lang", Problem::Invalid, m))?;
        content.set_field("lang", &l);
    }
    campaign_words(input, &campaign, defaults.today, &mut content)?;
    translation(input, &templates, &mut content)?;
    let duration = match input.text("duration") {
        Some(d) => {
            Some(parse::duration(&d).map_err(|m| PlanError::new("duration", Problem::Invalid, m))?)
        }
        None => None,
    };
    let audio = match input.text("audio") {
        Some(a) => parse::audio(&a).map_err(|m| PlanError::new("audio", Problem::Invalid, m))?,
        None => true,
    };
    missing_fields(&templates, &content)?;
    Ok(Request {
        org,
        content: Arc::new(content),
        templates,
        platforms,
        all_platforms,
        id: input.text("id"),
        brand,
        duration,
        audio,
    })
}

/// A warning for each field (a column, form field or `--field`) that no
/// template of the request uses: most often a misspelt column, whose value
/// would otherwise be dropped in silence. `--strict` makes it an error.
fn unknown_fields(input: &Input, templates: &[Arc<TemplateSet>]) -> Vec<Diagnostic> {
    let mut known: Vec<&str> = COLUMNS.to_vec();
    for t in templates {
        known.extend(t.slot_fields());
    }
    let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
    input
        .fields
        .keys()
        .filter(|k| !templates.iter().any(|t| t.mentions(k)))
        .map(|k| {
            let mean = crate::diag::closest(k, known.iter().copied());
            let message = match mean {
                Some(m) => format!("unknown field '{k}' (did you mean '{m}'?): it was ignored"),
                None => format!(
                    "unknown field '{k}': {} {} not use it, so it was ignored",
                    and_list(&names),
                    if names.len() == 1 { "does" } else { "do" }
                ),
            };
            let hint = match mean {
                Some(m) => format!("rename it {m}"),
                None => "correct its name, or leave it out".to_string(),
            };
            Diagnostic::new(Kind::UnknownField, message)
                .field(k)
                .hint(hint)
        })
        .collect()
}

/// Every field the templates need that the request does not give, at
/// once: one error for the row, naming the first and listing them all.
fn missing_fields(templates: &[Arc<TemplateSet>], content: &Content) -> Result<(), PlanError> {
    let given = |f: &str| {
        content.images.contains_key(f)
            || content
                .fields
                .get(f)
                .is_some_and(|v| !crate::text::clean(v).is_empty() && v.trim() != "false")
    };
    let mut missing: Vec<&str> = Vec::new();
    let mut needing: Vec<&str> = Vec::new();
    for t in templates {
        for f in t.required_fields(given) {
            if f != "org" && !given(f) {
                if !missing.contains(&f) {
                    missing.push(f);
                }
                if !needing.contains(&t.name.as_str()) {
                    needing.push(&t.name);
                }
            }
        }
    }
    let Some(first) = missing.first() else {
        return Ok(());
    };
    if missing == ["story"] {
        return Err(PlanError::new(
            "story",
            Problem::Empty,
            "is empty; every row for these templates needs a story",
        ));
    }
    let which = match needing.as_slice() {
        [one] => format!("the {one} template needs"),
        more => format!("the {} templates need", and_list(more)),
    };
    let verb = if missing.len() == 1 { "is" } else { "are" };
    Err(PlanError {
        missing: missing.iter().map(|f| f.to_string()).collect(),
        ..PlanError::new(
            first,
            Problem::Empty,
            format!("{which} {}, which {verb} not given", and_list(&missing)),
        )
    })
}

/// "a", "a and b", "a, b and c".
pub fn and_list_owned(items: &[String]) -> String {
    and_list(&items.iter().map(String::as_str).collect::<Vec<_>>())
}

/// "a", "a and b", "a, b and c".
pub fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}

/// The card's language, chosen once: `card_lang` when given, else the
/// story's `lang`, else the language its script names (Arabic, Persian,
/// Urdu, Ukrainian, Russian, Chinese…), else the campaign's main language.
fn card_language(
    input: &Input,
    campaign: &Campaign,
    content: &Content,
) -> Result<String, PlanError> {
    if let Some(l) = input.text("card_lang") {
        let l = parse::lang(&l).map_err(|m| PlanError::new("card_lang", Problem::Invalid, m))?;
        crate::text::locale::Lang::new(&l, false)
            .map_err(|m| PlanError::new("card_lang", Problem::Invalid, m))?;
        return Ok(l);
    }
    if let Some(l) = content.fields.get("lang").filter(|l| !l.is_empty()) {
        return Ok(l.clone());
    }
    let detected = crate::inputs::content::USER_TEXTS
        .iter()
        .filter_map(|k| content.fields.get(*k))
        .find_map(|t| crate::text::locale::language_of_script(t));
    Ok(detected
        .map(str::to_string)
        .unwrap_or_else(|| campaign.lang.clone()))
}

/// The campaign's own words in the card's language (the day's name, the
/// countdown, "We support", the date), a date given as YYYY-MM-DD in the
/// language's long form with its weekday, a time given as HH:MM in the
/// language's convention; what the campaign lacks in the language is in its
/// main language, and the report says so. A field the request gives
/// itself is kept as given (a free-text date stays as written).
fn campaign_words(
    input: &Input,
    campaign: &Campaign,
    today: time::Date,
    content: &mut Content,
) -> Result<(), PlanError> {
    let tag = card_language(input, campaign, content)?;
    let words = campaign.words(&tag);
    let given_days = input
        .fields
        .get("days")
        .and_then(|d| d.trim().parse::<i64>().ok())
        .filter(|d| *d >= 0);
    let count = given_days.or_else(|| {
        campaign
            .next_day(today)
            .map(|day| (day - today).whole_days())
    });
    let mut fields = words.fields.clone();
    if let Some(n) = count {
        fields.extend(campaign.countdown_words(&words, n));
    }
    for (k, v) in fields {
        let own = input.fields.contains_key(&k) && !(k == "days" && given_days.is_some());
        if !own {
            content.fields.insert(k, v);
        }
    }
    if let Some(d) = input
        .fields
        .get("event_date")
        .and_then(|d| crate::inputs::campaign::parse_date(d))
    {
        content.set_field("event_date", &words.formats.long_date(d));
    }
    if let Some(t) = input
        .fields
        .get("event_time")
        .and_then(|t| crate::text::locale::format_time_text(&words.formats, t))
    {
        content.set_field("event_time", &t);
    }
    content.notes.extend(words.notes);
    content.set_field("card_lang", &words.lang);
    Ok(())
}

/// The translation of the story, with its own language and direction: set
/// as the `translation`, `translation_lang` and `translation_dir` fields
/// (the translation slot reads its font choice and paragraph direction from
/// them, never from the story's `lang` and `dir`). A translation for
/// templates that have no place for one is refused rather than dropped.
fn translation(
    input: &Input,
    templates: &[Arc<TemplateSet>],
    content: &mut Content,
) -> Result<(), PlanError> {
    let Some(text) = input
        .text("translation")
        .filter(|t| !crate::text::clean(t).is_empty())
    else {
        return Ok(());
    };
    if !templates.iter().any(|t| t.uses_field("translation")) {
        let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
        let which = match names.as_slice() {
            [one] => format!("the {one} template has"),
            more => format!("the {} templates have", more.join(", ")),
        };
        return Err(PlanError::new(
            "translation",
            Problem::Invalid,
            format!("{which} no place for a translation; choose story-quote or photo-story, or leave the translation out"),
        ));
    }
    content.set_field("translation", &text);
    if let Some(l) = input.text("translation_lang") {
        let l =
            parse::lang(&l).map_err(|m| PlanError::new("translation_lang", Problem::Invalid, m))?;
        content.set_field("translation_lang", &l);
    }
    if let Some(d) = input.text("translation_dir") {
        let dir = parse::direction(&d)
            .map_err(|m| PlanError::new("translation_dir", Problem::Invalid, m))?;
        let word = match dir {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
            Direction::Auto => "",
        };
        content.set_field("translation_dir", word);
    }
    Ok(())
}

/// The campaign with the request's hashtags and tags, and the hashtag
/// lint's style notes; an invalid hashtag is the request's error.
fn campaign_for(
    input: &Input,
    campaign: &Campaign,
) -> Result<(Campaign, Vec<Diagnostic>), PlanError> {
    let mut campaign = campaign.clone();
    let separators = [';', ',', ' '];
    if let Some(h) = input.list("hashtags", &separators) {
        campaign.hashtags = parse::tags(h.iter().map(String::as_str), '#');
    }
    if let Some(t) = input.list("tags", &separators) {
        campaign.tags = parse::tags(t.iter().map(String::as_str), '@');
    }
    let (errors, warnings) = caption::lint_hashtags(&campaign.hashtags);
    if let Some(e) = errors.into_iter().next() {
        return Err(PlanError::new("hashtags", Problem::Invalid, e));
    }
    if let Some(e) = campaign.tags.iter().find_map(|t| caption::lint_handle(t)) {
        return Err(PlanError::new("tags", Problem::Invalid, e));
    }
    let notes = warnings
        .into_iter()
        .map(|w| Diagnostic::new(Kind::HashtagStyle, w).field("hashtags"))
        .collect();
    Ok((campaign, notes))
}

fn templates(
    input: &Input,
    defaults: &Defaults,
    res: &dyn Resources,
) -> Result<Vec<Arc<TemplateSet>>, PlanError> {
    let specs = input
        .list("template", &[';', ','])
        .unwrap_or_else(|| defaults.templates.clone());
    specs
        .iter()
        .map(|spec| {
            res.template(spec)
                .map_err(|e| PlanError::of("template", &e))
        })
        .collect()
}

fn platforms(input: &Input, defaults: &Defaults) -> Result<(Vec<Platform>, bool), PlanError> {
    let names = input
        .list("platform", &[';', ','])
        .unwrap_or_else(|| defaults.platforms.clone());
    let platforms = defaults
        .presets
        .select(&names)
        .map_err(|e| PlanError::of("platform", &e))?;
    Ok((platforms, names.iter().any(|p| p == "all")))
}

/// The direction and focal point the request gives.
fn options(input: &Input, content: &mut Content) -> Result<(), PlanError> {
    if let Some(d) = input.text("dir") {
        let dir = parse::direction(&d).map_err(|m| PlanError::new("dir", Problem::Invalid, m))?;
        if dir != Direction::Auto {
            content.set_direction(dir);
        }
    }
    if let Some(f) = input.text("focus") {
        let focus = parse::focus(&f).map_err(|m| PlanError::new("focus", Problem::Invalid, m))?;
        content.focus = Some(focus);
    }
    Ok(())
}

fn images(input: &Input, res: &dyn Resources, content: &mut Content) -> Result<(), PlanError> {
    for column in IMAGE_COLUMNS {
        if let Some(v) = input.text(column) {
            let img = res
                .image(&v, column)
                .map_err(|e| PlanError::of(column, &e))?;
            content.images.insert(column.into(), img);
        }
    }
    Ok(())
}

/// The logos a brand names, where the request gave none.
fn brand_images(b: &Brand, res: &dyn Resources, content: &mut Content) -> Result<(), PlanError> {
    for (slot, p) in [("logo", &b.logo), ("logo_dark", &b.logo_dark)] {
        if let (Some(p), false) = (p, content.images.contains_key(slot)) {
            let img = res
                .image_file(&b.resolve(p), slot)
                .map_err(|e| PlanError::of("brand", &b.file_error(slot, &e)))?;
            content.images.insert(slot.into(), img);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Defaults {
        let campaign = Campaign::embedded();
        Defaults {
            templates: vec!["story-quote".into()],
            platforms: vec!["instagram-square".into()],
            campaign,
            presets: Platforms::embedded(),
            today: time::macros::date!(2026 - 12 - 12),
            direction: Direction::Auto,
        }
    }

    fn planned(columns: &[(&str, &str)]) -> Result<Request, PlanError> {
        let files = Files::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"));
        plan(
            &Input::from_columns(columns.iter().copied()),
            &defaults(),
            &files,
        )
    }

    fn field<'a>(r: &'a Request, k: &str) -> &'a str {
        r.content.fields.get(k).map(String::as_str).unwrap_or("")
    }

    #[test]
    fn every_column_reaches_the_request() {
        let r = planned(&[
            ("org", "Plymouth Welcome Hub"),
            ("story", "We cook together."),
            ("template", "story-quote; event"),
            ("platform", "x-post,instagram-square"),
            ("hashtags", "MigrantsDay, #Plymouth"),
            ("tags", "IOM_UK @UNMigration"),
            ("dir", "rtl"),
            ("focus", "0.2,0.8"),
            ("lang", "ur"),
            ("id", "second"),
            ("logo", "logo.png"),
            ("event", "Welcome Supper"),
            ("event_date", "Friday"),
            ("place", "Hall"),
        ])
        .unwrap();
        assert_eq!(r.org, "Plymouth Welcome Hub");
        assert_eq!(field(&r, "story"), "We cook together.");
        let names: Vec<&str> = r.templates.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["story-quote", "event"]);
        let names: Vec<&str> = r.platforms.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["x-post", "instagram-square"]);
        assert_eq!(field(&r, "hashtags"), "#MigrantsDay #Plymouth");
        assert_eq!(field(&r, "tags"), "@IOM_UK @UNMigration");
        assert_eq!(r.content.direction, Direction::Rtl);
        assert_eq!(field(&r, "rtl"), "true");
        assert_eq!(r.content.focus, Some((0.2, 0.8)));
        assert_eq!(field(&r, "lang"), "ur");
        assert_eq!(r.id.as_deref(), Some("second"));
        assert!(r.content.images.contains_key("logo"));
        assert_eq!(field(&r, "event"), "Welcome Supper");
        assert_eq!(r.pairs().len(), 4);
        assert!(!r.all_platforms);
    }

    /// The translation keeps its own language and direction: the story's
    /// `lang` and `dir` never reach it.
    #[test]
    fn a_translation_has_its_own_language_and_direction() {
        let r = planned(&[
            ("org", "Hub"),
            ("story", "جئنا إلى بليموث"),
            ("lang", "ar"),
            ("dir", "rtl"),
            ("translation", "  We came to\u{202E} Plymouth  "),
            ("translation_lang", "en_GB"),
            ("translation_dir", "LTR"),
        ])
        .unwrap();
        assert_eq!(field(&r, "translation"), "We came to Plymouth");
        assert_eq!(field(&r, "translation_lang"), "en-GB");
        assert_eq!(field(&r, "translation_dir"), "ltr");
        assert_eq!(field(&r, "lang"), "ar");
        assert_eq!(r.content.direction, Direction::Rtl);

        // Absent, empty or only invisible characters: no translation at all,
        // and its language alone sets nothing.
        for t in ["", "   ", "\u{202E}\u{0007}"] {
            let r = planned(&[
                ("org", "Hub"),
                ("story", "Hi"),
                ("translation", t),
                ("translation_lang", "ur"),
            ])
            .unwrap();
            assert!(!r.content.fields.contains_key("translation"), "{t:?}");
            assert!(!r.content.fields.contains_key("translation_lang"), "{t:?}");
        }
        // Any template of the request with a place for it is enough.
        let r = planned(&[
            ("org", "Hub"),
            ("story", "Hi"),
            ("template", "event; photo-story"),
            ("translation", "Salut"),
            ("event", "Supper"),
            ("event_date", "Friday"),
            ("place", "Hall"),
            ("photo", "photo-community.jpg"),
        ])
        .unwrap();
        assert_eq!(field(&r, "translation"), "Salut");
        let e = planned(&[
            ("org", "Hub"),
            ("story", "Hi"),
            ("template", "event, countdown"),
            ("translation", "Salut"),
        ])
        .unwrap_err();
        assert!(
            e.message
                .starts_with("the event, countdown templates have no place"),
            "{e:?}"
        );
    }

    #[test]
    fn defaults_fill_what_a_row_leaves_out() {
        let r = planned(&[("org", "Hub"), ("story", "Hi")]).unwrap();
        assert_eq!(r.templates[0].name, "story-quote");
        assert_eq!(r.platforms[0].name, "instagram-square");
        let campaign = Campaign::embedded();
        assert_eq!(field(&r, "hashtags"), campaign.hashtags.join(" "));
        // The countdown for 12 December.
        assert_eq!(field(&r, "days"), "6");
        assert_eq!(r.content.direction, Direction::Auto);
    }

    /// Issue 30: a countdown far from the day says so in the report; a
    /// story card, or a count given as a field, does not.
    #[test]
    fn a_long_countdown_is_noted() {
        let mut d = defaults();
        d.today = time::macros::date!(2027 - 01 - 05);
        let files = Files::new(".");
        let plan_with = |cols: &[(&str, &str)]| {
            plan(&Input::from_columns(cols.iter().copied()), &d, &files).unwrap()
        };
        let r = plan_with(&[("org", "Hub"), ("template", "countdown")]);
        assert_eq!(field(&r, "days"), "347");
        let kinds: Vec<Kind> = r.content.notes.iter().map(|n| n.kind).collect();
        assert_eq!(kinds, [Kind::LongCountdown]);
        let r = plan_with(&[("org", "Hub"), ("story", "Hi")]);
        assert!(r.content.notes.is_empty());
        let r = plan_with(&[("org", "Hub"), ("template", "countdown"), ("days", "3")]);
        assert!(r.content.notes.is_empty());
    }

    #[test]
    fn all_platforms_keeps_only_those_a_template_serves() {
        let r = planned(&[
            ("org", "Hub"),
            ("template", "blog-header"),
            ("platform", "all"),
            ("title", "Why it takes a community"),
        ])
        .unwrap();
        assert!(r.all_platforms);
        let set = &r.templates[0];
        let served = r.platforms.iter().filter(|p| set.serves(p)).count();
        assert!(served < r.platforms.len(), "blog-header skips some presets");
        assert_eq!(r.pairs().len(), served);
    }

    /// Each problem names its field, its kind and what to do.
    #[test]
    fn errors_name_the_field_and_the_problem() {
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, Problem, &'a str);
        let cases: &[Case] = &[
            (
                &[("story", "Hi")],
                "org",
                Problem::Empty,
                "is empty; give the organisation's name",
            ),
            (
                &[("org", "Hub")],
                "story",
                Problem::Empty,
                "is empty; every row for these templates needs a story",
            ),
            (
                &[
                    ("org", "Hub"),
                    ("story", "Hi"),
                    ("hashtags", "migrants-day"),
                ],
                "hashtags",
                Problem::Invalid,
                "'#migrants-day' is not a valid hashtag: '-' is not allowed",
            ),
            (
                &[("org", "Hub"), ("story", "Hi"), ("template", "poster")],
                "template",
                Problem::Unknown,
                "unknown template 'poster'; built-in templates: story-quote",
            ),
            (
                &[("org", "Hub"), ("story", "Hi"), ("platform", "myspace")],
                "platform",
                Problem::Unknown,
                "unknown platform 'myspace'",
            ),
            (
                &[("org", "Hub"), ("story", "Hi"), ("dir", "up")],
                "dir",
                Problem::Invalid,
                "'up' is not ltr, rtl or auto",
            ),
            (
                &[("org", "Hub"), ("story", "Hi"), ("focus", "2,0")],
                "focus",
                Problem::Invalid,
                "'2,0' is not a focal point",
            ),
            (
                &[("org", "Hub"), ("story", "Hi"), ("photo", "nowhere.jpg")],
                "photo",
                Problem::Unusable,
                "cannot read the photo ",
            ),
            (
                &[("org", "Hub"), ("story", "Hi"), ("brand", "nowhere.toml")],
                "brand",
                Problem::Unusable,
                "nowhere.toml",
            ),            (
                &[("org", "Hub"), ("story", "Hi"), ("lang", "Arabic please")],
                "lang",
                Problem::Invalid,
                "'Arabic please' is not a language tag",
            ),
            (
                &[
                    ("org", "Hub"),
                    ("story", "Hi"),
                    ("template", "event"),
                    ("translation", "Salut"),
                ],
                "translation",
                Problem::Invalid,
                "the event template has no place for a translation; choose story-quote or photo-story",
            ),
            (
                &[
                    ("org", "Hub"),
                    ("story", "Hi"),
                    ("translation", "Salut"),
                    ("translation_lang", "fr!"),
                ],
                "translation_lang",
                Problem::Invalid,
                "'fr!' is not a language tag",
            ),
            (
                &[
                    ("org", "Hub"),
                    ("story", "Hi"),
                    ("translation", "Salut"),
                    ("translation_dir", "sideways"),
                ],
                "translation_dir",
                Problem::Invalid,
                "'sideways' is not ltr, rtl or auto",
            ),
        ];
        for (columns, f, problem, message) in cases {
            let e = planned(columns).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.problem),
                (*f, *problem),
                "{columns:?}: {e:?}"
            );
            assert!(
                e.message.starts_with(message) || e.message.contains(message),
                "{e:?}"
            );
            assert_eq!(e.class, ErrorClass::BadInput, "{e:?}");
        }
    }

    /// A list given as a list (repeated flags, a JSON array) is not split
    /// again: a hashtag with a space is one invalid hashtag, not two.
    #[test]
    fn a_list_value_keeps_its_items() {
        let mut input = Input::from_columns([("org", "Hub"), ("story", "Hi")]);
        input.set_list("hashtags", &["migrants day".to_string()]);
        let e = plan(&input, &defaults(), &Files::new(".")).unwrap_err();
        assert_eq!(e.field, "hashtags");
        assert!(
            e.message
                .starts_with("'#migrants day' is not a valid hashtag: ' '"),
            "{e:?}"
        );
    }

    #[test]
    fn a_long_lowercase_hashtag_is_a_note_not_an_error() {
        let r = planned(&[
            ("org", "Hub"),
            ("story", "Hi"),
            ("hashtags", "ittakesacommunity"),
        ])
        .unwrap();
        assert_eq!(r.content.notes.len(), 1);
        assert_eq!(r.content.notes[0].kind, Kind::HashtagStyle);
        assert_eq!(r.content.notes[0].field.as_deref(), Some("hashtags"));
    }

    #[test]
    fn equal_content_hashes_equal() {
        let a = planned(&[("org", "Hub"), ("story", "Hi")]).unwrap();
        let b = planned(&[("story", "Hi"), ("org", "Hub")]).unwrap();
        let c = planned(&[("org", "Hub"), ("story", "Hi!")]).unwrap();
        assert_eq!(a.content_hash(), b.content_hash());
        assert_ne!(a.content_hash(), c.content_hash());
    }
}
