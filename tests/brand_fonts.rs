//! Fonts per brand in a batch: each row is set with the embedded fonts, the
//! `--font` files and its own brand's font files, and no other brand's.

mod common;

use std::path::Path;

use common::{decode, postkit, root, STORY};

/// `fonts/NAME` with its family renamed from Noto Sans to `family`, of the
/// same length, so the name table keeps its layout (checksums are not
/// checked by any reader postkit uses).
fn renamed_font(name: &str, family: &str) -> Vec<u8> {
    assert_eq!(family.len(), "Noto Sans".len());
    let mut bytes = std::fs::read(root().join("fonts").join(name)).unwrap();
    let at = |b: &[u8], i: usize, n: usize| {
        b[i..i + n]
            .iter()
            .fold(0usize, |v, &x| (v << 8) | x as usize)
    };
    let record = (0..at(&bytes, 4, 2))
        .map(|t| 12 + 16 * t)
        .find(|&r| &bytes[r..r + 4] == b"name")
        .expect("a name table");
    let (start, len) = (at(&bytes, record + 8, 4), at(&bytes, record + 12, 4));
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_be_bytes).collect() };
    for (from, to) in [
        ("Noto Sans".as_bytes().to_vec(), family.as_bytes().to_vec()),
        (utf16("Noto Sans"), utf16(family)),
    ] {
        let table = &mut bytes[start..start + len];
        let mut i = 0;
        while let Some(k) = table[i..].windows(from.len()).position(|w| w == from) {
            table[i + k..i + k + to.len()].copy_from_slice(&to);
            i += k + to.len();
        }
    }
    bytes
}

fn write(dir: &Path, name: &str, body: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
}

/// Two brands that ship different files under one family name, Cool Sans:
/// `bold/` a bold face, `regular/` a regular one.
fn two_brands(dir: &Path) {
    for (brand, font) in [
        ("bold", "NotoSans-Bold.ttf"),
        ("regular", "NotoSans-Regular.ttf"),
    ] {
        write(
            dir,
            &format!("{brand}/cool.ttf"),
            renamed_font(font, "Cool Sans"),
        );
        write(
            dir,
            &format!("{brand}/brand.toml"),
            "[fonts]\nfamily = \"Cool Sans\"\nfiles = [\"cool.ttf\"]\n",
        );
        let book = postkit::FontBook::new(&[dir.join(brand).join("cool.ttf")]).unwrap();
        assert_eq!(book.families()[0], "Cool Sans", "{brand}");
    }
}

/// Runs a batch of `rows` ((org, brand file or "")) into `out`, one asset
/// a row; returns the run's stderr.
fn batch(dir: &Path, out: &str, rows: &[(&str, &str)], template: &str) -> String {
    let mut csv = String::from("org,story,brand\n");
    for (org, brand) in rows {
        csv.push_str(&format!("{org},\"{STORY}\",{brand}\n"));
    }
    write(dir, &format!("{out}.csv"), csv);
    let r = postkit(
        dir,
        &[
            "batch",
            &format!("{out}.csv"),
            "--out",
            out,
            "--platform",
            "x-post",
            "--template",
            template,
        ],
    );
    assert_eq!(r.code, 0, "{out}: {}", r.stderr);
    r.stderr
}

fn image(dir: &Path, out: &str, org: &str) -> image::RgbaImage {
    decode(&dir.join(out).join(org).join("story-quote-x-post.png"))
}

/// Each row is set in its brand's own Cool Sans (the bold brand's rows in
/// bold, the regular brand's in regular), and a row without a brand in
/// neither: every row's image is the one a batch of that row alone makes.
#[test]
fn each_row_is_set_in_its_own_brands_fonts_and_no_other_brands() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    two_brands(d);
    let (bold, regular, plain) = (
        ("Bold Hub", "bold/brand.toml"),
        ("Regular Hub", "regular/brand.toml"),
        ("Plain Hub", ""),
    );
    for (out, row) in [("bold", bold), ("regular", regular), ("plain", plain)] {
        batch(d, &format!("alone-{out}"), &[row], "story-quote");
    }
    let alone = |org: &str, out: &str| image(d, &format!("alone-{out}"), org);
    let bold_alone = alone("bold-hub", "bold");
    assert!(
        bold_alone != alone("plain-hub", "plain"),
        "the bold brand's font was not used"
    );

    // Both brands in one batch: each gets its own file of the family.
    batch(d, "both", &[bold, regular, plain], "story-quote");
    assert!(image(d, "both", "bold-hub") == bold_alone, "bold brand");
    assert!(
        image(d, "both", "regular-hub") == alone("regular-hub", "regular"),
        "regular brand"
    );
    assert!(
        image(d, "both", "plain-hub") == alone("plain-hub", "plain"),
        "no brand"
    );
    // A brand's fonts do not reach a row without a brand.
    batch(d, "bold-and-plain", &[plain, bold], "story-quote");
    assert!(
        image(d, "bold-and-plain", "plain-hub") == alone("plain-hub", "plain"),
        "the bold brand's font was used for a row without a brand"
    );
    assert!(image(d, "bold-and-plain", "bold-hub") == bold_alone);
}

/// A template that sets text in Cool Sans outside its slots is warned
/// about when a row without the family uses it, not when only rows of a
/// brand that has it do.
#[test]
fn unavailable_font_warnings_look_in_each_rows_fonts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    two_brands(d);
    write(
        d,
        "cool/square.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1000 1000\"><text x=\"100\" y=\"900\" font-size=\"60\" font-family=\"Cool Sans\">Fixed line</text><rect data-slot=\"story\" x=\"100\" y=\"100\" width=\"800\" height=\"400\"/></svg>",
    );
    let warnings = |stderr: &str| -> Vec<String> {
        stderr
            .lines()
            .filter(|l| l.starts_with("postkit: warning: template "))
            .map(str::to_string)
            .collect()
    };
    let stderr = batch(d, "branded", &[("Bold Hub", "bold/brand.toml")], "cool");
    assert_eq!(warnings(&stderr), Vec::<String>::new(), "{stderr}");
    let stderr = batch(
        d,
        "mixed",
        &[("Bold Hub", "bold/brand.toml"), ("Plain Hub", "")],
        "cool",
    );
    assert_eq!(
        warnings(&stderr),
        ["postkit: warning: template cool/square.svg: font 'Cool Sans' (<text> at line 1, column 65) is not available; using Noto Sans instead (add it with --font)"],
        "{stderr}"
    );
}

/// A brand font file that passes the brand's check (a font file header)
/// but holds no face fontdb can read fails that brand's rows, naming the
/// brand file, the font file and the row; the other rows are written.
#[test]
fn a_brand_font_that_cannot_be_loaded_fails_its_rows_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // An OpenType table directory with no tables.
    write(
        d,
        "broken/empty.ttf",
        [0u8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    write(
        d,
        "broken/brand.toml",
        "name = \"Broken Hub\"\n[fonts]\nfiles = [\"empty.ttf\"]\n",
    );
    // Planning accepts the brand: it is making the row's engine that fails.
    assert!(postkit::brand::Brand::load(&d.join("broken/brand.toml")).is_ok());
    write(
        d,
        "rows.csv",
        format!("org,story,brand\nGood Hub,\"{STORY}\",\nBroken Hub,\"{STORY}\",broken/brand.toml\nGood Hall,\"{STORY}\",\n"),
    );
    let r = postkit(d, &["batch", "rows.csv", "--platform", "x-post", "--quiet"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().collect::<Vec<_>>(),
        ["postkit: error: rows.csv: row 2 (line 3): column brand: broken/brand.toml: line 3: fonts.files: font broken/empty.ttf: it is not a TrueType/OpenType font (.ttf, .otf or .ttc)"]
    );
    for org in ["good-hub", "good-hall"] {
        assert!(
            d.join("out")
                .join(org)
                .join("story-quote-x-post.png")
                .is_file(),
            "{org}"
        );
    }
    assert!(!d.join("out/broken-hub").exists());
}
