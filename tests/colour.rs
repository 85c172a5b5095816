//! Issue 31: photos and logos are converted to sRGB from their embedded
//! colour profile, as a browser shows them, and the PNGs postkit writes say
//! they are sRGB.
//!
//! The tagged images are made at test time by `scripts/colour-test-images.py`
//! (Pillow with the ICC profiles of Debian's colord-data; .ci/run installs
//! python3-pil, colord-data and chromium). The colour of each flat patch on
//! the card is compared with what headless Chromium shows for the same file.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{decode, postkit, root};

/// The patches the script writes, in its page's order, and the colour
/// their pixels hold.
const PATCHES: &[(&str, [u8; 3])] = &[
    ("prophoto.jpg", [150, 60, 60]),
    ("adobe-multipart.jpg", [40, 160, 90]),
    ("swapped.png", [200, 40, 40]),
    ("swapped.webp", [200, 40, 40]),
    ("corrupt.jpg", [200, 40, 40]),
    ("untagged.png", [200, 40, 40]),
    ("srgb.png", [200, 40, 40]),
    ("picture-in.svg", [150, 60, 60]),
];

/// A channel of the card may differ from Chromium's by this much (JPEG and
/// the two colour engines' rounding).
const TOLERANCE: u8 = 4;

/// Whether `what` can run here; in CI it must.
fn available(what: &str, ok: bool) -> bool {
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{what} is missing: .ci/run installs it"
        );
        eprintln!("{what} is missing: test skipped");
    }
    ok
}

/// The tagged images in a temporary folder (None when Pillow or the
/// profiles are missing outside CI).
fn images() -> Option<tempfile::TempDir> {
    let ok = Command::new("/usr/bin/python3")
        .args(["-c", "import PIL"])
        .status()
        .is_ok_and(|s| s.success())
        && Path::new("/usr/share/color/icc/colord/ProPhotoRGB.icc").is_file();
    if !available("python3-pil or colord-data", ok) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("/usr/bin/python3")
        .arg(root().join("scripts/colour-test-images.py"))
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(dir)
}

/// The card of `photo` on photo-story, instagram-square: its path, and the
/// run's JSON report.
fn card(dir: &Path, photo: &Path) -> (PathBuf, String) {
    let r = postkit(
        dir,
        &[
            "render",
            "--org",
            "Colour Club",
            "--story",
            "A flat patch.",
            "--template",
            "photo-story",
            "--photo",
            photo.to_str().unwrap(),
            "--platform",
            "instagram-square",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}: {}", photo.display(), r.stderr);
    let png = dir.join("out/colour-club/photo-story-instagram-square.png");
    (png, r.stdout + &r.stderr)
}

/// The photo's colour on a card: a pixel near the top right, where only
/// the photo is drawn.
fn patch_on_card(png: &Path) -> [u8; 3] {
    let img = decode(png);
    let p = img.get_pixel(img.width() - 30, 30);
    [p[0], p[1], p[2]]
}

fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= TOLERANCE)
}

/// What headless Chromium shows for each patch of the script's page.
fn chromium_colours(dir: &Path) -> Option<Vec<[u8; 3]>> {
    let ok = Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available("chromium", ok) {
        return None;
    }
    let profile = tempfile::tempdir().unwrap();
    let shot = dir.join("shot.png");
    let status = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--force-color-profile=srgb",
            "--window-size=600,100",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", dir.join("page.html").display()))
        .output()
        .unwrap();
    assert!(shot.is_file(), "no screenshot: {status:?}");
    let img = decode(&shot);
    Some(
        (0..PATCHES.len() as u32)
            .map(|i| {
                // Near the top: headless Chromium shows only the first rows.
                let p = img.get_pixel(i * 64 + 32, 4);
                [p[0], p[1], p[2]]
            })
            .collect(),
    )
}

#[test]
fn tagged_photos_look_on_the_card_as_in_chromium() {
    let Some(images) = images() else { return };
    let Some(browser) = chromium_colours(images.path()) else {
        return;
    };
    for ((name, raw), seen) in PATCHES.iter().zip(browser) {
        let dir = tempfile::tempdir().unwrap();
        let (png, report) = card(dir.path(), &images.path().join(name));
        let got = patch_on_card(&png);
        assert!(
            close(got, seen),
            "{name}: the card shows {got:?}, Chromium {seen:?} (pixels {raw:?})"
        );
        let converted = !close(seen, *raw);
        let profile = !["untagged", "corrupt", "srgb"]
            .iter()
            .any(|n| name.starts_with(n));
        // The profiles really change the colour (ProPhoto's crimson, the
        // swapped channels' green), so the test can tell.
        assert_eq!(converted, profile, "{name}: Chromium shows {seen:?}");
        if *name != "corrupt.jpg" {
            assert!(
                !report.contains("colour profile"),
                "{name}: a warning: {report}"
            );
        }
    }
}

/// A photo tagged with the sRGB profile is already sRGB: its card is the
/// untagged photo's, byte for byte (the profile is not applied at all).
#[test]
fn an_srgb_profile_leaves_the_card_byte_identical() {
    let Some(images) = images() else { return };
    let cards: Vec<Vec<u8>> = ["untagged.png", "srgb.png"]
        .iter()
        .map(|name| {
            let dir = tempfile::tempdir().unwrap();
            let (png, report) = card(dir.path(), &images.path().join(name));
            assert!(!report.contains("colour profile"), "{name}: {report}");
            std::fs::read(png).unwrap()
        })
        .collect();
    assert!(cards[0] == cards[1], "the sRGB-tagged card differs");
}

#[test]
fn an_unreadable_profile_is_a_warning_naming_the_file_and_the_image_is_used_as_srgb() {
    let Some(images) = images() else { return };
    let dir = tempfile::tempdir().unwrap();
    let photo = images.path().join("corrupt.jpg");
    let (png, report) = card(dir.path(), &photo);
    assert!(
        report.contains("colour profile") && report.contains("corrupt.jpg"),
        "{report}"
    );
    assert!(close(patch_on_card(&png), [200, 40, 40]));
}

#[test]
fn a_swapped_profile_turns_red_pixels_green_on_the_card() {
    // Without Chromium: the SwappedRedAndGreen profile says the first
    // channel is green, so (200, 40, 40) is a green.
    let Some(images) = images() else { return };
    for name in ["swapped.png", "swapped.webp"] {
        let dir = tempfile::tempdir().unwrap();
        let (png, _) = card(dir.path(), &images.path().join(name));
        let [r, g, b] = patch_on_card(&png);
        assert!(g > 150 && r < 100 && b < 100, "{name}: {:?}", [r, g, b]);
    }
}

#[test]
fn png_outputs_carry_an_srgb_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Colour Club",
            "--story",
            "Tagged as sRGB.",
            "--platform",
            "instagram-square",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bytes = std::fs::read(
        dir.path()
            .join("out/colour-club/story-quote-instagram-square.png"),
    )
    .unwrap();
    // Chunks after the signature: length, type, data, CRC.
    let mut at = 8;
    let mut kinds = Vec::new();
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        kinds.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).to_string());
        if &bytes[at + 4..at + 8] == b"sRGB" {
            assert_eq!(len, 1, "sRGB holds the rendering intent");
        }
        at += 12 + len;
    }
    let srgb = kinds.iter().position(|k| k == "sRGB");
    let idat = kinds.iter().position(|k| k == "IDAT");
    assert!(srgb.is_some() && srgb < idat, "chunks: {kinds:?}");
    assert!(!kinds.iter().any(|k| k == "iCCP"), "chunks: {kinds:?}");
}
