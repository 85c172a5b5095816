//! `postkit init`: a folder a partner can fill in: the batch as a CSV and
//! as a workbook (with a note on each column and drop-down lists), a brand
//! file, a logo and a note.

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
2. Open batch.xlsx (or batch.csv) in a spreadsheet. One row per story: your
   organisation's name (org), the story in your own words and language
   (story), and optionally a photo, which templates to use and which
   platforms (or \"all\"). Each column's header has a note saying what it is
   for; template and platform have drop-down lists. Use one of the two files
   and delete the other.
3. Edit brand.toml if you have brand colours or a logo for dark backgrounds:
   every row whose brand column says brand.toml uses them.
4. Run:   postkit batch batch.xlsx   (or: postkit batch batch.csv)
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

/// The workbook's columns (those of `batch.csv`) and the note on each.
const COLUMNS: [(&str, &str); 5] = [
    ("org", "Your organisation's name, as it should appear on the cards."),
    ("story", "The story, in the teller's own words and language (any language: the direction is found from the text)."),
    ("brand", "Your brand file (brand.toml in this folder: logo and colours). Leave empty for the campaign's look."),
    ("template", "Which design: pick one from the list. Leave empty for the campaign's default (postkit templates shows them all)."),
    ("platform", "Where it will be posted: one from the list, several separated by ; (instagram-square;x-post), or all. Leave empty for the campaign's default."),
];

/// The batch as a workbook: the CSV's columns and example rows, a note on
/// each header, drop-down lists of the template and platform names (kept
/// on a second sheet, "Lists", as Excel limits a list typed into the rule
/// to 255 characters), the header row frozen.
pub fn batch_workbook() -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::{
        DataValidation, DataValidationErrorStyle, Format, Formula, Note, Workbook,
    };
    let fail = |e: rust_xlsxwriter::XlsxError| Error::Config {
        origin: "batch.xlsx".into(),
        message: format!("could not be made: {e}"),
    };
    let templates = crate::template::builtin_names();
    let platforms = crate::inputs::Platforms::embedded().names();
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let sheet = book.add_worksheet().set_name("Stories").map_err(fail)?;
    for (c, (name, note)) in COLUMNS.iter().enumerate() {
        let c = c as u16;
        sheet
            .write_string_with_format(0, c, *name, &bold)
            .map_err(fail)?;
        let note = Note::new(*note).add_author_prefix(false);
        sheet.insert_note(0, c, &note).map_err(fail)?;
    }
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(BATCH.as_bytes());
    for (r, rec) in reader.records().flatten().enumerate() {
        for (c, v) in rec.iter().enumerate() {
            (sheet.write_string_with_format(r as u32 + 1, c as u16, v, &wrap)).map_err(fail)?;
        }
    }
    for (c, width) in [28.0, 60.0, 14.0, 16.0, 30.0].into_iter().enumerate() {
        sheet.set_column_width(c as u16, width).map_err(fail)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    // The lists: a choice from them, or (for platform) several separated
    // by ";": a value not on the list is let through with a reminder.
    let rows = 1000;
    for (c, column, count, what) in [
        (3u16, "A", templates.len(), "template"),
        (4u16, "B", platforms.len() + 2, "platform"),
    ] {
        let rule = DataValidation::new()
            .allow_list_formula(Formula::new(format!("=Lists!${column}$2:${column}${}", count + 1)))
            .set_error_style(DataValidationErrorStyle::Information)
            .set_error_title(format!("Not a {what} from the list"))
            .map_err(fail)?
            .set_error_message(match what {
                "platform" => "Several platforms separated by ; are fine (instagram-square;x-post). Otherwise pick one from the list: postkit platforms lists them.",
                _ => "Pick one from the list (postkit templates lists them), unless it is a template of your own.",
            })
            .map_err(fail)?;
        sheet
            .add_data_validation(1, c, rows, c, &rule)
            .map_err(fail)?;
    }
    let lists = book.add_worksheet().set_name("Lists").map_err(fail)?;
    lists
        .write_string_with_format(0, 0, "template", &bold)
        .map_err(fail)?;
    lists
        .write_string_with_format(0, 1, "platform", &bold)
        .map_err(fail)?;
    for (r, t) in templates.iter().enumerate() {
        lists.write_string(r as u32 + 1, 0, *t).map_err(fail)?;
    }
    for (r, p) in ["all".to_string(), "video".to_string()]
        .into_iter()
        .chain(platforms)
        .enumerate()
    {
        lists.write_string(r as u32 + 1, 1, p).map_err(fail)?;
    }
    lists.set_column_width(0, 18.0).map_err(fail)?;
    lists.set_column_width(1, 24.0).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

/// Creates `dir` with a batch file (CSV and workbook), a brand file, a logo
/// and a note. Never overwrites: an existing file is an error naming it.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let workbook = batch_workbook()?;
    let files: [(&str, &[u8]); 5] = [
        ("batch.csv", BATCH.as_bytes()),
        ("batch.xlsx", &workbook),
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
