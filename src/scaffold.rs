//! `postkit init`: a folder a partner can fill in.

use std::path::{Path, PathBuf};

use crate::error::Error;

const BATCH: &str = "# One row per story. Empty cells mean \"not given\". Lines starting with # are comments.
# Columns: org, story, brand (your brand.toml: logo and colours), logo, photo, template,
# platform (one, a list separated by ;, or all), dir (ltr/rtl), lang, focus (x,y from 0 to 1),
# hashtags, tags, and any field a template uses;
# translation (the story in a second language, set below it on story-quote and photo-story) and translation_lang.
org,story,brand,template,platform
Plymouth Welcome Hub,\"When we arrived we knew nobody. Now our neighbours teach us to bake saffron buns.\",brand.toml,story-quote,instagram-square;instagram-story;x-post
Plymouth Welcome Hub,\"عندما وصلنا لم نكن نعرف أحداً. الآن جيراننا أصدقاؤنا. #ItTakesACommunity\",brand.toml,story-quote,all
";

const BRAND: &str = "# Your organisation's brand: the brand column of batch.csv names this file
# (or: postkit batch batch.csv --brand brand.toml, or postkit render --brand brand.toml).
name = \"Plymouth Welcome Hub\"
logo = \"logo.png\"            # a logo for light backgrounds (PNG, JPEG, WebP or SVG)
# logo_dark = \"logo-white.png\" # a logo for dark backgrounds (white lettering)

[colours]                      # remove the # to use a colour; the campaign's colours are used for the others
# primary = \"#0E3B5C\"          # the card's main colour
# accent = \"#F2A93B\"           # the highlight colour
";

const NOTE: &str = "postkit kit
===========

1. Put your logo in this folder as logo.png (or .jpg, .webp, .svg) - a wide logo
   with a transparent background works best.
2. Open batch.csv in a spreadsheet. One row per story: your organisation's name
   (org), the story in your own words and language (story), and optionally a
   photo, which templates to use and which platforms (or \"all\").
3. Edit brand.toml if you have brand colours or a logo for dark backgrounds:
   every row whose brand column says brand.toml uses them.
4. Run:   postkit batch batch.csv
   Your images appear in out/, with out/index.html to review them all,
   an alt text (.alt.txt) and a ready-to-paste caption (.caption.txt) beside each.

Languages: the card's own words (\"International Migrants Day\", the countdown,
\"We support\", dates) follow the story's language (lang column, or the
script it is written in) where the campaign has it: Arabic, Chinese, English,
French, Russian and Spanish (the UN's names of the day), and drafts in
Ukrainian and Persian; else English, and the report says so. A card_lang column
chooses it. To add a language or correct one, copy the campaign file
(templates/campaign.toml in postkit's source), add or edit its [text.TAG]
table as its comments say, and give it with --campaign FILE. Translations
listed in a table's draft await a native speaker's check.

Templates: postkit templates   Platforms: postkit platforms
";

/// The example logo.
const LOGO: &[u8] = include_bytes!("../examples/logo.png");

/// Creates `dir` with a batch file, a brand file, a logo and a note. Never
/// overwrites: an existing file is an error naming it.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let files: [(&str, &[u8]); 4] = [
        ("batch.csv", BATCH.as_bytes()),
        ("brand.toml", BRAND.as_bytes()),
        ("logo.png", LOGO),
        ("README.txt", NOTE.as_bytes()),
    ];
    for (name, _) in &files {
        let p = dir.join(name);
        if p.exists() {
            return Err(Error::Config {
                origin: p.display().to_string(),
                message: "already exists; postkit init never overwrites: choose another folder"
                    .into(),
            });
        }
    }
    let mut out = Vec::new();
    for (name, bytes) in files {
        let p = dir.join(name);
        crate::output::write_atomic(&p, bytes)?;
        out.push(p);
    }
    Ok(out)
}
