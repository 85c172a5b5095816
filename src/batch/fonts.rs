//! Fonts per brand: each row renders with the batch's engine (the embedded
//! fonts and the `--font` files) plus its own brand's font files, and no
//! other brand's. One engine is made for each distinct list of brand font
//! files, from the batch's, sharing its faces.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::{row_error, Row};
use crate::error::Error;
use crate::inputs::brand::Brand;
use crate::plan::{PlanError, Problem, Request};
use crate::raster::Engine;
use crate::report::ErrorReport;
use crate::template::TemplateSet;

/// The font files a request's brand adds (none without a brand).
pub(super) fn brand_fonts(req: &Request) -> Vec<PathBuf> {
    req.brand
        .as_ref()
        .map(Brand::font_files)
        .unwrap_or_default()
}

/// An engine made for a list of brand font files, or why it could not be.
type Made = Result<Arc<Engine>, Error>;

/// The engines of a batch, by brand font files, each made once when first
/// asked for.
pub(super) struct Engines<'a> {
    base: &'a Engine,
    made: Mutex<HashMap<Vec<PathBuf>, Made>>,
}

impl<'a> Engines<'a> {
    /// Engines made from `base`.
    pub(super) fn new(base: &'a Engine) -> Engines<'a> {
        Engines {
            base,
            made: Mutex::new(HashMap::new()),
        }
    }

    /// The engine for rows whose brand adds `fonts` (the base engine's
    /// fonts and settings when it adds none).
    pub(super) fn get(&self, fonts: &[PathBuf]) -> Result<Arc<Engine>, Error> {
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        let engine = made
            .entry(fonts.to_vec())
            .or_insert_with(|| self.base.with_fonts(fonts).map(Arc::new));
        match engine {
            Ok(e) => Ok(e.clone()),
            Err(e) => Err(e.clone_lossy()),
        }
    }
}

/// A row's error for brand font files that could not be loaded (planning
/// checked them: one changed since, or it is a font fontdb cannot read):
/// "row 3 (line 5): column brand: brand.toml: line 3: fonts.files: font
/// x.ttf: …", as planning reports a broken brand font.
pub(super) fn font_error(row: &Row, brand: Option<&Brand>, e: &Error) -> ErrorReport {
    let e = match brand {
        Some(b) => b.fonts_error(e),
        None => e.clone_lossy(),
    };
    let e = PlanError {
        field: "brand".into(),
        problem: Problem::Unusable,
        message: e.to_string(),
        class: e.class(),
        missing: Vec::new(),
    };
    row_error(row, &e)
}

/// The brand font lists each template was used with by the rows that
/// planned, so that the fonts a template asks for are looked for in the
/// engines that render it.
#[derive(Default)]
pub(super) struct FontUses(HashMap<usize, BTreeSet<Vec<PathBuf>>>);

impl FontUses {
    /// Notes a planned row's templates and brand fonts.
    pub(super) fn add(&mut self, req: &Request) {
        let fonts = brand_fonts(req);
        for t in &req.templates {
            let lists = self.0.entry(Arc::as_ptr(t) as usize).or_default();
            if !lists.contains(&fonts) {
                lists.insert(fonts.clone());
            }
        }
    }

    /// The brand font lists `set` was used with: no brand fonts for a set
    /// no row that planned used.
    pub(super) fn of(&self, set: &Arc<TemplateSet>) -> Vec<&[PathBuf]> {
        match self.0.get(&(Arc::as_ptr(set) as usize)) {
            Some(lists) => lists.iter().map(Vec::as_slice).collect(),
            None => vec![&[]],
        }
    }
}
