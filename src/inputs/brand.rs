//! An organisation's brand (`brand.toml`): name, logos, colours and fonts.
//! Templates use `{{brand.*}}`; what a brand leaves out comes from the
//! campaign palette.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use crate::inputs::campaign::{is_hex_colour, Campaign};
use crate::inputs::content::Content;
use crate::inputs::images::ImageInput;

/// `brand.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    /// Organisation name.
    #[serde(default)]
    pub name: Option<String>,
    /// Logo for light backgrounds.
    #[serde(default)]
    pub logo: Option<PathBuf>,
    /// Logo for dark backgrounds.
    #[serde(default)]
    pub logo_dark: Option<PathBuf>,
    /// Colours by palette name (`primary`, `accent`, …).
    #[serde(default, alias = "colors")]
    pub colours: BTreeMap<String, String>,
    /// Fonts.
    #[serde(default)]
    pub fonts: BrandFonts,
    /// The folder relative paths resolve against.
    #[serde(skip)]
    pub dir: PathBuf,
    /// The brand file itself (for messages).
    #[serde(skip)]
    pub path: PathBuf,
    /// Its text (to tell the line of a key in messages).
    #[serde(skip)]
    source: String,
}

/// `[fonts]` of `brand.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandFonts {
    /// Family for body text (`{{brand.font}}`).
    #[serde(default)]
    pub family: Option<String>,
    /// Family for headings (`{{brand.heading_font}}`).
    #[serde(default)]
    pub heading: Option<String>,
    /// Font files to load (relative to the brand file).
    #[serde(default)]
    pub files: Vec<PathBuf>,
}

impl Brand {
    /// Reads a `brand.toml`.
    pub fn load(path: &Path) -> Result<Brand, Error> {
        let src =
            crate::error::read_input_text(path, "brand file", crate::error::MAX_CONFIG_BYTES)?;
        let mut b: Brand = toml::from_str(&src).map_err(|e| Error::Config {
            origin: path.display().to_string(),
            message: format!(
                "not a valid brand file: {}",
                crate::error::toml_message(&src, &e)
            ),
        })?;
        b.dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        b.path = path.to_path_buf();
        b.source = src;
        let table = if b.source.contains("[colors]") {
            "colors"
        } else {
            "colours"
        };
        for (k, v) in &b.colours {
            if !is_hex_colour(v) {
                return Err(b.error(
                    table,
                    k,
                    format!("colours.{k} = \"{v}\" is not a colour; write it as #RRGGBB"),
                ));
            }
        }
        // Font files are checked here, so a missing or broken one is this
        // brand's error (one row's, in a batch) and names the brand file.
        for f in &b.fonts.files {
            if let Err(e) = crate::text::fonts::check_font_file(&b.resolve(f)) {
                return Err(b.fonts_error(&e));
            }
        }
        Ok(b)
    }

    /// An error in this brand file, at the line of `key` in `table`.
    fn error(&self, table: &str, key: &str, message: String) -> Error {
        let line = crate::error::toml_key_line(&self.source, table, 0, key)
            .map(|l| format!("line {l}: "))
            .unwrap_or_default();
        Error::Config {
            origin: self.path.display().to_string(),
            message: format!("{line}{message}"),
        }
    }

    /// The error for one of the brand's font files: the brand file, the
    /// line of `files` in `[fonts]`, then `e` (which names the font file).
    pub fn fonts_error(&self, e: &Error) -> Error {
        self.error("fonts", "files", format!("fonts.files: {e}"))
    }

    /// The error for a file the brand names under `key` (`logo`,
    /// `logo_dark`): the brand file, the line, the key, then `e`.
    pub fn file_error(&self, key: &str, e: &Error) -> Error {
        self.error("", key, format!("{key}: {e}"))
    }

    /// A path from the brand file, resolved against its folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.dir.join(p)
        }
    }

    /// Font files to load.
    pub fn font_files(&self) -> Vec<PathBuf> {
        self.fonts.files.iter().map(|f| self.resolve(f)).collect()
    }

    /// Sets the `brand.*` fields (colours fall back to the campaign palette)
    /// and the logos the brand names, unless the content already has them.
    pub fn apply(&self, campaign: &Campaign, content: &mut Content) -> Result<(), Error> {
        for (k, v) in &campaign.palette {
            let c = self.colours.get(k).unwrap_or(v);
            content.fields.insert(format!("brand.{k}"), c.clone());
        }
        for (k, v) in &self.colours {
            content.fields.insert(format!("brand.{k}"), v.clone());
        }
        let family = self
            .fonts
            .family
            .clone()
            .unwrap_or_else(|| crate::text::fonts::DEFAULT_FAMILY.into());
        content.fields.insert("brand.font".into(), family.clone());
        content.fields.insert(
            "brand.heading_font".into(),
            self.fonts.heading.clone().unwrap_or(family),
        );
        if let Some(n) = &self.name {
            content.fields.insert("brand.name".into(), n.clone());
        }
        for (slot, path) in [("logo", &self.logo), ("logo_dark", &self.logo_dark)] {
            if let Some(p) = path {
                if !content.images.contains_key(slot) {
                    let img = ImageInput::load(&self.resolve(p), slot)
                        .map_err(|e| self.file_error(slot, &e))?;
                    content.images.insert(slot.into(), img);
                }
            }
        }
        Ok(())
    }
}

/// The `brand.*` fields of a content with no brand: the campaign palette.
pub fn default_fields(campaign: &Campaign, content: &mut Content) {
    Brand::default()
        .apply(campaign, content)
        .expect("an empty brand loads no files");
}
