//! Issue 30, item 10: what a designer notices, each with the real binary,
//! the kit's templates and the examples' files. A long story set too small
//! to read on a wide size, a JPEG logo's white box on the cream card, the
//! opening quotation mark of a right-to-left story on a layout that is not
//! mirrored, and the photo story's scrim over the people in the photo.

mod common;

use common::{postkit, root};

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s:?}"))
}

/// A story of `n` characters, in sentences.
fn story(n: usize) -> String {
    let s = "When we arrived in Plymouth we knew nobody. The hub found us a room, then a school for the children, then work. ";
    s.repeat(n / s.len() + 1)[..n].trim_end().to_string()
}

/// The diagnostics of `kind` in a `--json` answer's assets: (platform,
/// diagnostic).
fn diagnostics(answer: &serde_json::Value, kind: &str) -> Vec<(String, serde_json::Value)> {
    answer["assets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| {
            let platform = a["platform"].as_str().unwrap().to_string();
            a["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"] == kind)
                .map(move |d| (platform.clone(), d.clone()))
        })
        .collect()
}

/// An 860-character story is set at 20 px on facebook-link: below the
/// preset's readable minimum (28 px: 9 px on a phone showing it 390 px
/// wide), so a warning names the slot, the size, the minimum and what to
/// do; the same story on the story size, and a short one on facebook-link,
/// are read fine and get none. A batch's report carries it too.
#[test]
fn a_story_too_small_to_read_on_its_size_is_pointed_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let long = story(860);
    std::fs::write(d.join("long.txt"), &long).unwrap();
    let args = [
        "render",
        "--org",
        "Hub",
        "--story-file",
        "long.txt",
        "--template",
        "story-quote",
        "--platform",
        "facebook-link,instagram-story",
        "--out",
        "o1",
        "--json",
    ];
    let r = postkit(d, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let answer = json(&r.stdout);
    let small = diagnostics(&answer, "small_text");
    assert_eq!(small.len(), 1, "{small:?}");
    let (platform, diag) = &small[0];
    assert_eq!(platform, "facebook-link");
    assert_eq!(diag["field"], "story");
    let message = diag["message"].as_str().unwrap();
    assert!(
        message.contains("20.0 px") && message.contains("below 28 px"),
        "{message}"
    );
    let hint = diag["hint"].as_str().unwrap();
    assert!(
        hint.contains("shorten the story to about") && hint.contains("taller size"),
        "{hint}"
    );
    assert!(r.stderr.contains("too small to read"), "{}", r.stderr);

    // A story a phone reads at that size: no warning.
    let short = story(300);
    let r = postkit(
        d,
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            &short,
            "--template",
            "story-quote",
            "--platform",
            "facebook-link",
            "--out",
            "o2",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(diagnostics(&json(&r.stdout), "small_text").is_empty());

    // A sheet: the row's report entry has it.
    let csv = format!("org,story,platform\nHub,\"{long}\",facebook-link\n");
    std::fs::write(d.join("rows.csv"), csv).unwrap();
    let r = postkit(d, &["batch", "rows.csv", "--out", "o3", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = std::fs::read_to_string(d.join("o3/report.json")).unwrap();
    assert!(
        report.contains("small_text") && report.contains("below 28 px"),
        "{report}"
    );
}

/// A preset's readable minimum comes from platforms.toml; a bad one is an
/// error naming the preset and its line.
#[test]
fn a_platforms_file_sets_the_readable_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let preset = |min: &str| {
        format!("[[platform]]\nname = \"card\"\nwidth = 1200\nheight = 630\nmin_text_px = {min}\n")
    };
    std::fs::write(d.join("strict.toml"), preset("60")).unwrap();
    std::fs::write(d.join("bad.toml"), preset("-3")).unwrap();
    let render = |file: &str, out: &str| {
        postkit(
            d,
            &[
                "render",
                "--org",
                "Hub",
                "--story",
                &story(300),
                "--template",
                "story-quote",
                "--platforms",
                file,
                "--platform",
                "card",
                "--out",
                out,
                "--json",
            ],
        )
    };
    let r = render("strict.toml", "o1");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let small = diagnostics(&json(&r.stdout), "small_text");
    assert_eq!(small.len(), 1, "{small:?}");
    assert!(small[0].1["message"]
        .as_str()
        .unwrap()
        .contains("below 60 px"));
    let r = render("bad.toml", "o2");
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("line 5") && r.stderr.contains("min_text_px = -3"),
        "{}",
        r.stderr
    );
    assert!(!d.join("o2").exists() || common::files(&d.join("o2")).is_empty());
}

/// A JPEG logo on white is a white box on the cream quote card: a warning
/// names the file and asks for one with transparency. The same logo on the
/// photo story's white plate shows no box, and a transparent PNG none.
#[test]
fn a_logo_with_its_own_background_is_pointed_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let render = |logo: &str, template: &str, out: &str| {
        let logo = root().join("examples").join(logo);
        let photo = root().join("examples/photo-community.jpg");
        let r = postkit(
            d,
            &[
                "render",
                "--org",
                "Bristol Community Network",
                "--story",
                "When we arrived we knew nobody.",
                "--logo",
                logo.to_str().unwrap(),
                "--photo",
                photo.to_str().unwrap(),
                "--template",
                template,
                "--platform",
                "instagram-square,x-post",
                "--out",
                out,
                "--json",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        diagnostics(&json(&r.stdout), "logo_box")
    };
    // On x-post the quote card's logo is on a white plate already.
    let boxed = render("logo-square.jpg", "story-quote", "o1");
    let on: Vec<&str> = boxed.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(on, ["instagram-square"], "{boxed:?}");
    let d0 = &boxed[0].1;
    assert_eq!(d0["field"], "logo");
    let message = d0["message"].as_str().unwrap();
    assert!(
        message.contains("logo-square.jpg") && message.contains("#FFFFFF"),
        "{message}"
    );
    assert!(d0["hint"]
        .as_str()
        .unwrap()
        .contains("transparent background"));
    assert!(render("logo.png", "story-quote", "o2").is_empty());
    assert!(render("logo-square.jpg", "photo-story", "o3").is_empty());
}

/// The orange quotation mark's pixels in a band of a render: (count, mean x).
fn accent_in(png: &std::path::Path, rows: std::ops::Range<u32>) -> (usize, f64) {
    let img = common::decode(png);
    let (mut n, mut sum) = (0usize, 0f64);
    for y in rows {
        for x in 0..img.width() {
            let p = img.get_pixel(x, y);
            let near = |a: u8, b: u8| a.abs_diff(b) <= 12;
            if near(p[0], 0xF2) && near(p[1], 0xA9) && near(p[2], 0x3B) {
                n += 1;
                sum += x as f64;
            }
        }
    }
    (n, if n == 0 { 0.0 } else { sum / n as f64 })
}

/// x-header keeps its layout for a right-to-left story (the avatar covers
/// the lower left), and the story is set from the right: its opening mark
/// stands at the right with it (») as on the mirrored sizes, not at the left
/// edge (« as an English story's “ is).
#[test]
fn a_right_to_left_story_opens_at_the_right_on_a_kept_layout() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let render = |text: &str, out: &str| {
        let r = postkit(
            d,
            &[
                "render",
                "--org",
                "Hub",
                "--story",
                text,
                "--template",
                "story-quote",
                "--platform",
                "x-header",
                "--out",
                out,
                "--emit-svg",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let png = d.join(out).join("hub/story-quote-x-header.png");
        let svg = std::fs::read_to_string(png.with_extension("svg")).unwrap();
        (accent_in(&png, 100..200), svg)
    };
    // The story's box spans x 440 to 1110 on the 1500 px header.
    let ((n, x), svg) = render("When we arrived we knew nobody.", "en");
    assert!(n > 200 && x < 520.0, "{n} px at x {x}");
    assert!(svg.contains('“') && !svg.contains('»'));
    let ((n, x), svg) = render("عندما وصلنا لم نكن نعرف أحداً.", "ar");
    assert!(n > 200 && x > 1030.0 && x < 1120.0, "{n} px at x {x}");
    let mark = svg.split("font-size=\"110\"").nth(1).unwrap();
    let mark = &mark[..mark.find("</text>").unwrap()];
    assert!(
        mark.contains("style=\"text-anchor:end\"") && mark.ends_with("»</tspan>"),
        "{mark}"
    );
}

/// The photo story's scrim stays behind the text column on the wide
/// sizes: past the column's edge the photo shows as it is (the people at
/// the right of the example photo were under a 30–40% scrim). A white
/// photo shows it: the band right of the column is white, the column
/// itself dark enough for the white text to pass WCAG AA.
#[test]
fn the_photo_story_scrim_keeps_to_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    image::RgbImage::from_pixel(1600, 900, image::Rgb([255, 255, 255]))
        .save(d.join("white.png"))
        .unwrap();
    let r = postkit(
        d,
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "When we arrived we knew nobody. Now our neighbours teach us to bake.",
            "--photo",
            "white.png",
            "--template",
            "photo-story",
            "--platform",
            "x-post,facebook-link",
            "--out",
            "o",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(diagnostics(&json(&r.stdout), "low_contrast").is_empty());
    // (platform, the text column's right edge, a band right of it).
    for (platform, edge, band) in [
        ("x-post", 900, 1060..1240),
        ("facebook-link", 680, 860..1000),
    ] {
        let img = common::decode(&d.join(format!("o/hub/photo-story-{platform}.png")));
        let mean = |xs: std::ops::Range<u32>| {
            let n = xs.len() as f64;
            xs.map(|x| {
                let p = img.get_pixel(x, 300);
                (p[0] as f64 + p[1] as f64 + p[2] as f64) / 3.0
            })
            .sum::<f64>()
                / n
        };
        let outside = mean(band);
        assert!(
            outside > 245.0,
            "{platform}: {outside:.0} right of the text"
        );
        let under = mean(edge - 40..edge);
        // 80% of the scrim's blue over white.
        assert!(under < 110.0, "{platform}: {under:.0} at the column's edge");
    }
}
