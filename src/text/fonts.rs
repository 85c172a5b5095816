//! The font book: every face postkit may draw with, loaded once per process
//! and shared (read-only) by the layout stage and the renderer.
//!
//! Faces come from two places: the fonts embedded in the binary (Noto, OFL)
//! and fonts the user adds (`--font PATH`), which come first in every
//! fallback chain. The same [`fontdb::Database`] is handed to usvg, so the
//! face the layout stage measured is the face resvg draws.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use skrifa::MetadataProvider;
use unicode_script::Script;

use crate::error::Error;

/// Index of a face in a [`FontBook`].
pub type FaceId = usize;

/// The family every template gets when it names none.
pub const DEFAULT_FAMILY: &str = "Noto Sans";

#[cfg(any(feature = "embed-fonts", feature = "cjk", feature = "emoji"))]
macro_rules! embed {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_bytes!(concat!("../../fonts/", $file)) as &[u8])),*]
    };
}

/// The base fonts (feature `embed-fonts`, on by default) and their file
/// names, in the book's order.
macro_rules! base_fonts {
    ($($file:literal),* $(,)?) => {
        /// The base fonts' file names, in the book's order (embedded or not).
        pub const BASE_FILES: &[&str] = &[$($file),*];
        /// The base fonts compiled into the binary, by file name.
        #[cfg(feature = "embed-fonts")]
        static EMBEDDED: &[(&str, &[u8])] = embed!($($file),*);
        #[cfg(not(feature = "embed-fonts"))]
        static EMBEDDED: &[(&str, &[u8])] = &[];
    };
}

base_fonts!(
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoSansHebrew-Regular.ttf",
    "NotoSansHebrew-Bold.ttf",
    "NotoSansEthiopic-Regular.ttf",
    "NotoSansEthiopic-Bold.ttf",
    "NotoSansDevanagari-Regular.ttf",
    "NotoSansDevanagari-Bold.ttf",
    "NotoSansBengali-Regular.ttf",
    "NotoSansBengali-Bold.ttf",
    "NotoSansTamil-Regular.ttf",
    "NotoSansTamil-Bold.ttf",
    "NotoSansGurmukhi-Regular.ttf",
    "NotoSansGurmukhi-Bold.ttf",
    "NotoSansThai-Regular.ttf",
    "NotoSansThai-Bold.ttf",
    "NotoSansArmenian-Regular.ttf",
    "NotoSansArmenian-Bold.ttf",
    "NotoSansGeorgian-Regular.ttf",
    "NotoSansGeorgian-Bold.ttf",
    "NotoSansGujarati-Regular.ttf",
    "NotoSansGujarati-Bold.ttf",
    "NotoSansOriya-Regular.ttf",
    "NotoSansOriya-Bold.ttf",
    "NotoSansTelugu-Regular.ttf",
    "NotoSansTelugu-Bold.ttf",
    "NotoSansKannada-Regular.ttf",
    "NotoSansKannada-Bold.ttf",
    "NotoSansMalayalam-Regular.ttf",
    "NotoSansMalayalam-Bold.ttf",
    "NotoSansSinhala-Regular.ttf",
    "NotoSansSinhala-Bold.ttf",
    "NotoSansMyanmar-Regular.ttf",
    "NotoSansMyanmar-Bold.ttf",
    "NotoSansKhmer-Regular.ttf",
    "NotoSansKhmer-Bold.ttf",
    "NotoSansLao-Regular.ttf",
    "NotoSansLao-Bold.ttf",
    "NotoSansThaana-Regular.ttf",
    "NotoSansThaana-Bold.ttf",
    "NotoSansSyriac-Regular.ttf",
    "NotoSansTifinagh-Regular.ttf",
    "NotoSansAdlam-Regular.ttf",
    "NotoSansAdlam-Bold.ttf",
    "NotoSerifTibetan-Regular.ttf",
    "NotoSerifTibetan-Bold.ttf",
    "NotoNastaliqUrdu-Regular.ttf",
    "NotoNastaliqUrdu-Bold.ttf",
);

/// The CJK collections' file names (embedded with feature `cjk`).
pub const CJK_FILES: &[&str] = &["NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"];
/// The emoji font's file name (embedded with feature `emoji`).
pub const EMOJI_FILES: &[&str] = &["NotoColorEmoji.ttf"];

/// Noto Sans Regular, for labels drawn outside SVG (contact sheets).
pub fn label_font() -> Option<&'static [u8]> {
    EMBEDDED.first().map(|f| f.1)
}

/// The label font's file name ([`label_font`]).
pub const LABEL_FILE: &str = "NotoSans-Regular.ttf";

/// Chinese, Japanese and Korean (cargo feature `cjk`, on by default).
#[cfg(feature = "cjk")]
static EMBEDDED_CJK: &[(&str, &[u8])] = embed!("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc");
#[cfg(not(feature = "cjk"))]
static EMBEDDED_CJK: &[(&str, &[u8])] = &[];

/// Colour emoji (cargo feature `emoji`, on by default).
#[cfg(feature = "emoji")]
static EMBEDDED_EMOJI: &[(&str, &[u8])] = embed!("NotoColorEmoji.ttf");
#[cfg(not(feature = "emoji"))]
static EMBEDDED_EMOJI: &[(&str, &[u8])] = &[];

/// The emoji family.
pub const EMOJI_FAMILY: &str = "Noto Color Emoji";

/// Which CJK face serves Han characters in a paragraph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Han {
    /// Simplified Chinese (the default for Han text with no other hint).
    #[default]
    Simplified,
    /// Traditional Chinese.
    Traditional,
    /// Japanese (the paragraph has kana).
    Japanese,
    /// Korean (the paragraph has Hangul).
    Korean,
}

impl Han {
    fn family(self) -> &'static str {
        match self {
            Han::Simplified => "Noto Sans CJK SC",
            Han::Traditional => "Noto Sans CJK TC",
            Han::Japanese => "Noto Sans CJK JP",
            Han::Korean => "Noto Sans CJK KR",
        }
    }
}

/// Which face serves Arabic-script text in a paragraph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Arabic {
    /// Naskh (Arabic, Persian, Pashto, Kurdish Sorani…).
    #[default]
    Naskh,
    /// Nastaliq, the style Urdu readers expect.
    Nastaliq,
}

impl Arabic {
    fn family(self) -> &'static str {
        match self {
            Arabic::Naskh => "Noto Sans Arabic",
            Arabic::Nastaliq => "Noto Nastaliq Urdu",
        }
    }
}

/// What a paragraph's language decides about its faces: the CJK face for
/// Han, and the style of Arabic-script text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Styles {
    /// The face for Han characters.
    pub han: Han,
    /// The style of Arabic-script text.
    pub arabic: Arabic,
}

/// The embedded family to use for a script, when the requested family lacks it.
fn script_family(script: Script, styles: Styles) -> Option<&'static str> {
    let han = styles.han;
    Some(match script {
        Script::Arabic => styles.arabic.family(),
        Script::Hebrew => "Noto Sans Hebrew",
        Script::Ethiopic => "Noto Sans Ethiopic",
        Script::Devanagari => "Noto Sans Devanagari",
        Script::Bengali => "Noto Sans Bengali",
        Script::Tamil => "Noto Sans Tamil",
        Script::Gurmukhi => "Noto Sans Gurmukhi",
        Script::Thai => "Noto Sans Thai",
        Script::Armenian => "Noto Sans Armenian",
        Script::Georgian => "Noto Sans Georgian",
        Script::Gujarati => "Noto Sans Gujarati",
        Script::Oriya => "Noto Sans Oriya",
        Script::Telugu => "Noto Sans Telugu",
        Script::Kannada => "Noto Sans Kannada",
        Script::Malayalam => "Noto Sans Malayalam",
        Script::Sinhala => "Noto Sans Sinhala",
        Script::Myanmar => "Noto Sans Myanmar",
        Script::Khmer => "Noto Sans Khmer",
        Script::Lao => "Noto Sans Lao",
        Script::Thaana => "Noto Sans Thaana",
        Script::Syriac => "Noto Sans Syriac",
        Script::Tifinagh => "Noto Sans Tifinagh",
        Script::Adlam => "Noto Sans Adlam",
        // Noto has no sans-serif Tibetan.
        Script::Tibetan => "Noto Serif Tibetan",
        Script::Han | Script::Bopomofo => han.family(),
        Script::Hiragana | Script::Katakana => Han::Japanese.family(),
        Script::Hangul => Han::Korean.family(),
        Script::Latin | Script::Greek | Script::Cyrillic | Script::Common => DEFAULT_FAMILY,
        _ => return None,
    })
}

/// Font bytes: embedded statics or a file read at start-up.
#[derive(Clone)]
enum FontData {
    Static(&'static [u8]),
    Owned(Arc<Vec<u8>>),
}

impl FontData {
    fn bytes(&self) -> &[u8] {
        match self {
            FontData::Static(b) => b,
            FontData::Owned(v) => v,
        }
    }
}

/// One face: what it is called, its style, its data and its vertical metrics.
pub struct Face {
    /// Family name as fontdb (and so usvg) knows it.
    pub family: String,
    /// CSS weight, 100–900.
    pub weight: u16,
    /// Italic or oblique.
    pub italic: bool,
    /// Where the face came from, for messages.
    pub origin: String,
    data: FontData,
    index: u32,
    /// Units per em.
    pub upem: f32,
    /// Ascent in em (positive up).
    pub ascent: f32,
    /// Descent in em (positive down).
    pub descent: f32,
    /// True for faces the user added.
    pub user: bool,
    /// Factor (at least 1) by which lines set in this face are spaced
    /// further apart than the style's line height: see [`TALL_FAMILIES`].
    pub leading: f32,
    shaper: OnceLock<harfrust::ShaperData>,
}

impl Face {
    /// A skrifa/harfrust view of the face.
    pub fn font_ref(&self) -> Option<skrifa::FontRef<'_>> {
        skrifa::FontRef::from_index(self.data.bytes(), self.index).ok()
    }

    /// Shaper tables, built on first use.
    pub(crate) fn shaper_data(&self) -> Option<&harfrust::ShaperData> {
        if let Some(d) = self.shaper.get() {
            return Some(d);
        }
        let font = self.font_ref()?;
        Some(self.shaper.get_or_init(|| harfrust::ShaperData::new(&font)))
    }

    /// The top of `c`'s outline above the baseline, in em; None when the
    /// face has no outline for it.
    pub fn ink_top(&self, c: char) -> Option<f32> {
        use skrifa::MetadataProvider;
        let font = self.font_ref()?;
        let gid = font.charmap().map(c)?;
        let metrics = font.glyph_metrics(
            skrifa::instance::Size::unscaled(),
            skrifa::instance::LocationRef::default(),
        );
        metrics.bounds(gid).map(|b| b.y_max / self.upem)
    }

    /// True when the face maps `c` to a glyph.
    pub fn has_char(&self, c: char) -> bool {
        self.font_ref()
            .map(|f| f.charmap().map(c).is_some())
            .unwrap_or(false)
    }

    /// True when the face maps every character of `text` that needs a glyph.
    pub fn covers(&self, text: &str) -> bool {
        let Some(font) = self.font_ref() else {
            return false;
        };
        let cmap = font.charmap();
        text.chars()
            .all(|c| is_invisible(c) || cmap.map(c).is_some())
    }
}

/// Characters that need no glyph of their own (controls, joiners, marks of
/// direction, variation selectors): they never count as missing.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{00AD}' | '\u{034F}'
        | '\u{E0100}'..='\u{E01EF}')
        || c.is_control()
}

/// Embedded families whose marks stack high above and deep below the
/// letters (Burmese, Tibetan) or whose words climb and descend along a
/// sloping baseline (Nastaliq): at the line height Latin text is set with,
/// their lines collide. Their lines are spaced by the ratio of the face's
/// ascent and descent to the default family's.
pub const TALL_FAMILIES: &[&str] = &[
    "Noto Sans Myanmar",
    "Noto Serif Tibetan",
    "Noto Nastaliq Urdu",
];

/// Largest font file postkit reads (the embedded CJK collection is 20 MB).
pub const MAX_FONT_BYTES: u64 = 128 * 1024 * 1024;

fn read_font_file(path: &Path) -> Result<Vec<u8>, Error> {
    crate::error::read_input(path, "font file", MAX_FONT_BYTES)
}

fn not_a_font(path: &Path) -> Error {
    Error::Font {
        path: path.to_path_buf(),
        message: "it is not a TrueType/OpenType font (.ttf, .otf or .ttc)".into(),
    }
}

/// Reads a font file and checks that it holds a face, as [`FontBook::new`]
/// will: brand files check their fonts when they are loaded.
pub fn check_font_file(path: &Path) -> Result<(), Error> {
    let bytes = read_font_file(path)?;
    let faces = skrifa::raw::FileRef::new(&bytes)
        .map(|f| f.fonts().filter(Result::is_ok).count())
        .unwrap_or(0);
    if faces == 0 {
        return Err(not_a_font(path));
    }
    Ok(())
}

/// All faces postkit may draw with, and the fontdb handed to usvg.
///
/// A book made from another with [`FontBook::with_fonts`] shares its faces
/// (font data, metrics and shaper tables) rather than loading them again.
pub struct FontBook {
    /// User faces first, then the embedded ones.
    faces: Vec<Arc<Face>>,
    db: Arc<fontdb::Database>,
    /// How many of `db`'s faces (its first) came from user font files.
    user_db_faces: usize,
}

impl FontBook {
    /// The label font's bytes ([`label_font`]): the embedded one, or else
    /// [`LABEL_FILE`] as this book was given it (the in-browser engine's
    /// fonts come as bytes).
    pub fn label_font(&self) -> Option<&[u8]> {
        let given = || self.faces.iter().find(|f| f.origin == LABEL_FILE);
        label_font().or_else(|| given().map(|f| f.data.bytes()))
    }

    /// The embedded fonts, plus user font files (which come first in every chain).
    pub fn new(user_fonts: &[impl AsRef<Path>]) -> Result<FontBook, Error> {
        FontBook::embedded().with_fonts(user_fonts)
    }

    /// The embedded fonts alone.
    fn embedded() -> FontBook {
        let files = EMBEDDED.iter().chain(EMBEDDED_CJK).chain(EMBEDDED_EMOJI);
        FontBook::of(
            files.map(|(name, bytes)| (format!("embedded {name}"), FontData::Static(bytes))),
        )
    }

    /// The book of fonts given as bytes, by file name, standing in for the
    /// embedded ones (the in-browser engine fetches the files its texts
    /// need): in the embedded book's order whatever order they come in
    /// ([`BASE_FILES`], [`CJK_FILES`], [`EMOJI_FILES`], then others), so
    /// the same fonts draw the same pixels as the binary's. Noto Sans
    /// (`NotoSans-Regular.ttf`) should be among them: it is every text's
    /// last resort.
    pub fn from_bytes(mut fonts: Vec<(String, Vec<u8>)>) -> Result<FontBook, Error> {
        let order = |name: &str| {
            let all = BASE_FILES.iter().chain(CJK_FILES).chain(EMOJI_FILES);
            all.into_iter()
                .position(|f| *f == name)
                .unwrap_or(usize::MAX)
        };
        fonts.sort_by_key(|(name, _)| order(name));
        for (name, bytes) in &fonts {
            let faces =
                skrifa::raw::FileRef::new(bytes).map(|f| f.fonts().filter(Result::is_ok).count());
            if faces.unwrap_or(0) == 0 {
                return Err(not_a_font(Path::new(name)));
            }
        }
        let data = fonts
            .into_iter()
            .map(|(name, bytes)| (name, FontData::Owned(Arc::new(bytes))));
        Ok(FontBook::of(data))
    }

    /// The book of these (non-user) fonts, in this order.
    fn of(files: impl Iterator<Item = (String, FontData)>) -> FontBook {
        let mut db = fontdb::Database::new();
        let mut faces = Vec::new();
        for (origin, data) in files {
            add_faces(&mut db, &mut faces, data, &origin, false);
        }
        set_leading(&mut faces);
        set_generic_families(&mut db);
        FontBook {
            faces: faces.into_iter().map(Arc::new).collect(),
            db: Arc::new(db),
            user_db_faces: 0,
        }
    }

    /// This book with more font files, which come after this book's user
    /// fonts and before the embedded ones: the book
    /// [`FontBook::new`] would make from this book's user fonts followed by
    /// `files`. The faces already here are shared, not read or parsed
    /// again (a batch adds each brand's fonts to one book this way).
    pub fn with_fonts(&self, files: &[impl AsRef<Path>]) -> Result<FontBook, Error> {
        if files.is_empty() {
            return Ok(FontBook {
                faces: self.faces.clone(),
                db: self.db.clone(),
                user_db_faces: self.user_db_faces,
            });
        }
        let mut added = Vec::new();
        let mut db = fontdb::Database::new();
        let mut infos = self.db.faces();
        for info in infos.by_ref().take(self.user_db_faces) {
            db.push_face_info(info.clone());
        }
        for path in files {
            let path = path.as_ref();
            let bytes = read_font_file(path)?;
            let data = FontData::Owned(Arc::new(bytes));
            let before = added.len();
            add_faces(&mut db, &mut added, data, &path.display().to_string(), true);
            if added.len() == before {
                return Err(not_a_font(path));
            }
        }
        let user_db_faces = db.len();
        for info in infos {
            db.push_face_info(info.clone());
        }
        set_generic_families(&mut db);
        let (user, embedded): (Vec<_>, Vec<_>) = self.faces.iter().partition(|f| f.user);
        let faces = (user.into_iter().cloned())
            .chain(added.into_iter().map(Arc::new))
            .chain(embedded.into_iter().cloned())
            .collect();
        Ok(FontBook {
            faces,
            db: Arc::new(db),
            user_db_faces,
        })
    }

    /// The shared font database for usvg.
    pub fn database(&self) -> Arc<fontdb::Database> {
        self.db.clone()
    }

    /// A face by id.
    pub fn face(&self, id: FaceId) -> &Face {
        &self.faces[id]
    }

    /// Family names known to the book, user fonts first, without repeats.
    pub fn families(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in &self.faces {
            if !out.contains(&f.family.as_str()) {
                out.push(&f.family);
            }
        }
        out
    }

    /// True when some face has this family name (case-insensitive).
    pub fn has_family(&self, family: &str) -> bool {
        self.faces
            .iter()
            .any(|f| f.family.eq_ignore_ascii_case(family))
    }

    /// The face of `family` closest to `weight` (upright preferred).
    pub fn best_in_family(&self, family: &str, weight: u16) -> Option<FaceId> {
        self.faces
            .iter()
            .enumerate()
            .filter(|(_, f)| f.family.eq_ignore_ascii_case(family))
            .min_by_key(|(_, f)| {
                (
                    f.italic as u32,
                    (f.weight as i32 - weight as i32).unsigned_abs(),
                )
            })
            .map(|(i, _)| i)
    }

    /// The chain of faces to try for text of `script`: user fonts, the
    /// requested family, the script's own family, then the default family.
    pub fn chain(
        &self,
        requested: &str,
        weight: u16,
        script: Script,
        styles: Styles,
    ) -> Vec<FaceId> {
        let mut families: Vec<&str> = Vec::new();
        for f in self.faces.iter().filter(|f| f.user) {
            if !families.contains(&f.family.as_str()) {
                families.push(&f.family);
            }
        }
        if !families.iter().any(|f| f.eq_ignore_ascii_case(requested)) {
            families.push(requested);
        }
        if let Some(fam) = script_family(script, styles) {
            families.push(fam);
        }
        families.push(DEFAULT_FAMILY);
        let mut out = Vec::new();
        for fam in families {
            if let Some(id) = self.best_in_family(fam, weight) {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
        out
    }

    /// Any upright face (user first, then embedded) that covers `text`,
    /// preferring `weight`.
    pub fn any_covering(&self, text: &str, weight: u16) -> Option<FaceId> {
        let mut best: Option<(FaceId, u32)> = None;
        for (i, f) in self.faces.iter().enumerate() {
            if f.italic || !f.covers(text) {
                continue;
            }
            let d = (f.weight as i32 - weight as i32).unsigned_abs();
            if best.is_none_or(|(_, bd)| d < bd) {
                best = Some((i, d));
            }
        }
        best.map(|(i, _)| i)
    }

    /// The face for emoji: a user font that covers the cluster, else the
    /// embedded colour emoji font (if built in).
    pub fn emoji_face(&self, cluster: &str) -> Option<FaceId> {
        self.faces
            .iter()
            .position(|f| f.user && f.covers(cluster))
            .or_else(|| {
                self.best_in_family(EMOJI_FAMILY, 400)
                    .filter(|&i| self.faces[i].covers(cluster))
            })
    }
}

/// One font file of a book and the Unicode scripts (their long names, as
/// `\p{Script=…}` takes them) whose text it draws; the emoji font serves
/// the pseudo-script `Emoji`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileScripts {
    /// The file's name (`NotoSansArabic-Regular.ttf`).
    pub file: String,
    /// The family it holds.
    pub family: String,
    /// The scripts it serves.
    pub scripts: Vec<String>,
}

impl FontBook {
    /// Which scripts each (non-user) font file of this book serves, as the
    /// chain of [`FontBook::chain`] picks families for scripts: Latin,
    /// Greek, Cyrillic and the shared characters (Common, Inherited) go to
    /// the default family; every script with a family of its own to it
    /// (each Han and Arabic style counted). The static site's index of font
    /// files, made when the site is built.
    pub fn script_index(&self) -> Vec<FileScripts> {
        let mut scripts: Vec<Script> = Vec::new();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let s = unicode_script::UnicodeScript::script(&c);
            if !scripts.contains(&s) {
                scripts.push(s);
            }
        }
        let styles = [
            Han::Simplified,
            Han::Traditional,
            Han::Japanese,
            Han::Korean,
        ]
        .into_iter()
        .flat_map(|han| [Arabic::Naskh, Arabic::Nastaliq].map(|arabic| Styles { han, arabic }))
        .collect::<Vec<_>>();
        let mut out: Vec<FileScripts> = Vec::new();
        for f in self.faces.iter().filter(|f| !f.user) {
            let file = f.origin.trim_start_matches("embedded ").to_string();
            if out.iter().any(|e| e.file == file) {
                continue;
            }
            let mut served: Vec<String> = Vec::new();
            for &s in &scripts {
                let fam = match s {
                    Script::Inherited | Script::Unknown => Some(DEFAULT_FAMILY),
                    _ => styles
                        .iter()
                        .find_map(|&st| script_family(s, st).filter(|fam| *fam == f.family)),
                };
                if fam == Some(f.family.as_str()) {
                    served.push(s.full_name().to_string());
                }
            }
            if f.family == EMOJI_FAMILY {
                served.push("Emoji".into());
            }
            served.sort();
            served.dedup();
            out.push(FileScripts {
                file,
                family: f.family.clone(),
                scripts: served,
            });
        }
        out
    }
}

/// Gives the embedded faces of [`TALL_FAMILIES`] their leading.
fn set_leading(faces: &mut [Face]) {
    let Some(reference) = faces
        .iter()
        .find(|f| !f.user && f.family == DEFAULT_FAMILY)
        .map(|f| f.ascent + f.descent)
    else {
        return;
    };
    for f in faces
        .iter_mut()
        .filter(|f| !f.user && TALL_FAMILIES.contains(&f.family.as_str()))
    {
        f.leading = ((f.ascent + f.descent) / reference).max(1.0);
    }
}

/// Every generic family (`sans-serif`, `serif`, …) is the default family.
fn set_generic_families(db: &mut fontdb::Database) {
    db.set_sans_serif_family(DEFAULT_FAMILY);
    db.set_serif_family(DEFAULT_FAMILY);
    db.set_monospace_family(DEFAULT_FAMILY);
    db.set_cursive_family(DEFAULT_FAMILY);
    db.set_fantasy_family(DEFAULT_FAMILY);
}

/// Shares owned font bytes with fontdb without copying them.
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

fn add_faces(
    db: &mut fontdb::Database,
    faces: &mut Vec<Face>,
    data: FontData,
    origin: &str,
    user: bool,
) {
    let bytes = data.bytes();
    let count = skrifa::raw::FileRef::new(bytes)
        .map(|f| f.fonts().count())
        .unwrap_or(0);
    let source = match &data {
        FontData::Static(b) => fontdb::Source::Binary(Arc::new(*b)),
        FontData::Owned(v) => fontdb::Source::Binary(Arc::new(Shared(v.clone()))),
    };
    let ids = db.load_font_source(source);
    for id in ids.into_iter().take(count.max(1)) {
        let Some(info) = db.face(id) else { continue };
        let family = info
            .families
            .iter()
            .find(|f| f.1 == fontdb::Language::English_UnitedStates)
            .or(info.families.first())
            .map(|f| f.0.clone())
            .unwrap_or_default();
        let weight = info.weight.0;
        let italic = info.style != fontdb::Style::Normal;
        let index = info.index;
        let Ok(font) = skrifa::FontRef::from_index(bytes, index) else {
            continue;
        };
        let m = font.metrics(
            skrifa::instance::Size::unscaled(),
            skrifa::instance::LocationRef::default(),
        );
        let upem = m.units_per_em.max(1) as f32;
        faces.push(Face {
            family,
            weight,
            italic,
            origin: origin.to_string(),
            data: data.clone(),
            index,
            upem,
            ascent: m.ascent / upem,
            descent: -m.descent / upem,
            user,
            leading: 1.0,
            shaper: OnceLock::new(),
        });
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::FontBook;

    fn font(name: &str) -> PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fonts")
            .join(name)
    }

    /// Where a face's bytes live in fontdb (the `Arc` of its source).
    fn sources(book: &FontBook) -> Vec<*const u8> {
        book.db
            .faces()
            .map(|f| {
                #[allow(unreachable_patterns)] // fontdb's `fs` feature adds file sources
                match &f.source {
                    fontdb::Source::Binary(data) => Arc::as_ptr(data) as *const u8,
                    _ => std::ptr::null(),
                }
            })
            .collect()
    }

    /// A face: origin, family, weight, user.
    type Listed = (String, String, u16, bool);

    /// What a book holds, in order: faces and fontdb's faces (PostScript
    /// name, index).
    fn contents(book: &FontBook) -> (Vec<Listed>, Vec<(String, u32)>) {
        let faces = (book.faces.iter())
            .map(|f| (f.origin.clone(), f.family.clone(), f.weight, f.user))
            .collect();
        let db = (book.db.faces())
            .map(|f| (f.post_script_name.clone(), f.index))
            .collect();
        (faces, db)
    }

    /// A book made with more fonts holds what `FontBook::new` would make
    /// of the same files, in the same order, and shares every face it
    /// already had: the same `Face` (data, metrics, shaper tables) and the
    /// same bytes in fontdb, nothing read or parsed again.
    #[test]
    fn with_fonts_shares_the_faces_and_equals_a_new_book() {
        let global = font("NotoSansHebrew-Regular.ttf");
        let brand = font("NotoSansThai-Bold.ttf");
        let base = FontBook::new(&[&global]).unwrap();
        // Shaper tables built in the base are there in the derived book.
        let noto = base.best_in_family(super::DEFAULT_FAMILY, 400).unwrap();
        assert!(base.face(noto).shaper_data().is_some());
        let derived = base.with_fonts(&[&brand]).unwrap();
        let fresh = FontBook::new(&[&global, &brand]).unwrap();
        assert_eq!(contents(&derived), contents(&fresh));
        assert!(derived.face(0).user && derived.face(1).user);
        assert_eq!(derived.faces.len(), base.faces.len() + 1);

        // Every face of the base, user and embedded, is shared.
        let shared: Vec<_> = (derived.faces.iter())
            .filter(|f| base.faces.iter().any(|b| Arc::ptr_eq(b, f)))
            .collect();
        assert_eq!(shared.len(), base.faces.len());
        assert!(!Arc::ptr_eq(&derived.faces[1], &fresh.faces[1]));
        let noto_derived = derived.best_in_family(super::DEFAULT_FAMILY, 400).unwrap();
        assert!(Arc::ptr_eq(&base.faces[noto], &derived.faces[noto_derived]));
        assert!(derived.face(noto_derived).shaper.get().is_some());

        // fontdb's faces point at the base's bytes; a new book's embedded
        // faces do not (it wrapped them again).
        let (base_src, derived_src, fresh_src) =
            (sources(&base), sources(&derived), sources(&fresh));
        assert_eq!(derived_src.len(), base_src.len() + 1);
        assert_eq!(derived_src[0], base_src[0]);
        assert_eq!(derived_src[2..], base_src[1..]);
        assert_ne!(fresh_src[2..], base_src[1..]);

        // Each derived book keeps its own fonts: the base has no Thai bold
        // user face, a second derived book none of the first's.
        assert!(!base
            .faces
            .iter()
            .any(|f| f.origin == brand.display().to_string()));
        let other = base.with_fonts(&[font("NotoSansLao-Regular.ttf")]).unwrap();
        assert!(!other
            .faces
            .iter()
            .any(|f| f.origin == brand.display().to_string()));
        assert_eq!(other.faces.iter().filter(|f| f.user).count(), 2);
    }

    /// Nothing added: the same faces and the same fontdb.
    #[test]
    fn with_no_fonts_is_the_same_book() {
        let base = FontBook::new(&[] as &[&str]).unwrap();
        let same = base.with_fonts(&[] as &[&str]).unwrap();
        assert!(Arc::ptr_eq(&base.db, &same.db));
        assert!(base
            .faces
            .iter()
            .zip(&same.faces)
            .all(|(a, b)| Arc::ptr_eq(a, b)));
    }

    /// A file that is no font, or no file, fails as it does for `new`.
    #[test]
    fn with_fonts_rejects_what_new_rejects_with_the_same_message() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.ttf");
        std::fs::write(&bad, b"not a font").unwrap();
        let missing = dir.path().join("missing.ttf");
        let base = FontBook::new(&[] as &[&str]).unwrap();
        for file in [&bad, &missing] {
            let new = FontBook::new(&[file]).err().unwrap().to_string();
            let with = base.with_fonts(&[file]).err().unwrap().to_string();
            assert_eq!(with, new);
            assert!(with.contains(&file.display().to_string()), "{with}");
        }
    }
}
