//! The kit around the templates: brands, logos on any background, photos
//! with a focal point, platform presets from a file.

mod common;

use std::path::Path;

use common::{decode, files, postkit, root};

/// A template whose logo slot sits on a dark band, with a photo slot.
fn dark_band_template(dir: &Path) -> String {
    let t = dir.join("band");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(
        t.join("landscape.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1600 900">
  <rect width="1600" height="900" fill="#FFFFFF"/>
  <rect x="0" y="600" width="1600" height="300" fill="#0E3B5C"/>
  <rect data-slot="photo" x="0" y="0" width="800" height="600" data-fit="cover" data-required="false"/>
  <rect data-slot="logo" x="100" y="650" width="600" height="200" data-fit="contain"/>
</svg>"##,
    )
    .unwrap();
    t.display().to_string()
}

/// A dark logo on transparency.
fn dark_logo(dir: &Path) -> String {
    let p = dir.join("dark-logo.png");
    let mut img = image::RgbaImage::new(300, 100);
    for (x, y, px) in img.enumerate_pixels_mut() {
        if (20..280).contains(&x) && (20..80).contains(&y) {
            *px = image::Rgba([20, 30, 40, 255]);
        }
    }
    img.save(&p).unwrap();
    p.display().to_string()
}

/// The first asset's warning about its logo, from `render --json` output.
fn logo_warning(json: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["assets"][0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .find(|w| w.starts_with("the logo has"))
        .map(str::to_string)
}

#[test]
fn a_dark_logo_on_a_dark_band_goes_on_a_plate_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let t = dark_band_template(dir.path());
    let logo = dark_logo(dir.path());
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--template",
            &t,
            "--platform",
            "x-post",
            "--logo",
            &logo,
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let w = logo_warning(&r.stdout).unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(
        w.starts_with("the logo has poor contrast with the background under it (1.")
            && w.contains("placed on a plate"),
        "{w}"
    );
    // The plate is white, inside the logo slot on the band.
    let img = decode(&dir.path().join("out/hub/band-x-post.png"));
    let white = (100..700)
        .flat_map(|x| (650..850).map(move |y| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0 == [255, 255, 255, 255])
        .count();
    assert!(white > 5_000, "no plate ({white} white px)");
}

/// The logo's background is read where the logo is drawn: in a layout
/// mirrored for right-to-left text (`data-if="rtl"`), not at the left-to-right
/// layout's logo slot. In photo-story the logo sits on a white plate on both
/// sides; the left-to-right slot is over the dark photo, so measuring there
/// judged a dark logo on the white plate to clash with the photo: a
/// spurious warning, and a brand's logo for dark backgrounds would have
/// replaced it, light on white.
#[test]
fn a_mirrored_layout_reads_the_background_where_the_logo_is() {
    let dir = tempfile::tempdir().unwrap();
    let logo = dark_logo(dir.path());
    let photo = root().join("examples/photo-community.jpg");
    for (story, side) in [
        ("We cook together every Friday.", 135..435),
        ("نطبخ معًا كل يوم جمعة في المركز المجتمعي.", 645..945),
    ] {
        let r = postkit(
            dir.path(),
            &[
                "render",
                "--org",
                "Hub",
                "--story",
                story,
                "--template",
                "photo-story",
                "--platform",
                "instagram-square",
                "--photo",
                &photo.display().to_string(),
                "--logo",
                &logo,
                "--json",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(logo_warning(&r.stdout), None, "{story}");
        // The dark logo is drawn on the template's white plate.
        let img = decode(&dir.path().join("out/hub/photo-story-instagram-square.png"));
        let dark = side
            .flat_map(|x| (928..1004).map(move |y| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0 == [20, 30, 40, 255])
            .count();
        assert!(
            dark > 5_000,
            "{story}: the logo is not on its plate ({dark} px)"
        );
    }
}

#[test]
fn the_brand_logo_for_dark_backgrounds_is_used_on_the_band() {
    let dir = tempfile::tempdir().unwrap();
    let t = dark_band_template(dir.path());
    let logo = dark_logo(dir.path());
    std::fs::copy(
        root().join("examples/logo-dark.png"),
        dir.path().join("light.png"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("brand.toml"),
        format!("name = \"Hub\"\nlogo = \"{logo}\"\nlogo_dark = \"light.png\"\n[colours]\nprimary = \"#123456\"\n"),
    )
    .unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--brand",
            "brand.toml",
            "--template",
            &t,
            "--platform",
            "x-post",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["assets"][0]["warnings"], serde_json::json!([]));
    // White lettering of the dark-background logo is drawn on the band.
    let img = decode(&dir.path().join("out/hub/band-x-post.png"));
    let white = (100..700)
        .flat_map(|x| (650..850).map(move |y| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0 == [255, 255, 255, 255])
        .count();
    assert!(white > 500 && white < 40_000, "{white} white px");
}

#[test]
fn brand_colours_and_name_reach_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("b.svg");
    std::fs::write(
        &t,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="50" fill="{{brand.primary}}"/><rect y="50" width="100" height="50" fill="{{brand.accent}}"/></svg>"##,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("brand.toml"),
        "name = \"Brand Org\"\n[colours]\nprimary = \"#FF0000\"\n",
    )
    .unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--brand",
            "brand.toml",
            "--template",
            t.to_str().unwrap(),
            "--platform",
            "instagram-square",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let img = decode(&dir.path().join("out/brand-org/b-instagram-square.png"));
    assert_eq!(img.get_pixel(10, 10).0, [255, 0, 0, 255], "brand colour");
    // accent is not in the brand: the campaign palette's amber.
    assert_eq!(
        img.get_pixel(10, 1000).0,
        [0xF2, 0xA9, 0x3B, 255],
        "palette fallback"
    );
}

#[test]
fn a_bad_brand_file_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("brand.toml"),
        "name = \"X\"\n[colours]\nprimary = \"navy\"\n",
    )
    .unwrap();
    let r = postkit(
        dir.path(),
        &["render", "--brand", "brand.toml", "--story", "Hi"],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr.trim(),
        "postkit: brand.toml: line 3: colours.primary = \"navy\" is not a colour; write it as #RRGGBB"
    );
    std::fs::write(dir.path().join("brand.toml"), "nmae = \"X\"\n").unwrap();
    let r = postkit(
        dir.path(),
        &["render", "--brand", "brand.toml", "--story", "Hi"],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("brand.toml: not a valid brand file: ")
            && r.stderr.contains("unknown field `nmae`"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_focal_point_decides_the_crop() {
    let dir = tempfile::tempdir().unwrap();
    let t = dark_band_template(dir.path());
    // A wide photo: red left half, green right half.
    let mut img = image::RgbImage::new(2400, 600);
    for (x, _, px) in img.enumerate_pixels_mut() {
        *px = if x < 1200 {
            image::Rgb([220, 30, 30])
        } else {
            image::Rgb([30, 180, 60])
        };
    }
    img.save(dir.path().join("photo.jpg")).unwrap();
    let mut centre = Vec::new();
    for (focus, out) in [("0,0.5", "left"), ("1,0.5", "right")] {
        let r = postkit(
            dir.path(),
            &[
                "render",
                "--org",
                "Hub",
                "--template",
                &t,
                "--platform",
                "x-post",
                "--photo",
                "photo.jpg",
                "--focus",
                focus,
                "--out",
                out,
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let png = decode(&dir.path().join(format!("{out}/hub/band-x-post.png")));
        centre.push(png.get_pixel(400, 300).0);
    }
    assert!(
        centre[0][0] > 180 && centre[0][1] < 80,
        "left focus shows red: {:?}",
        centre[0]
    );
    assert!(
        centre[1][1] > 140 && centre[1][0] < 80,
        "right focus shows green: {:?}",
        centre[1]
    );

    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--template",
            &t,
            "--photo",
            "photo.jpg",
            "--focus",
            "2,0",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("'2,0' is not a focal point; write X,Y with each from 0 to 1"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_small_logo_gets_a_resolution_warning() {
    let dir = tempfile::tempdir().unwrap();
    let t = dark_band_template(dir.path());
    let mut img = image::RgbaImage::new(60, 20);
    img.pixels_mut()
        .for_each(|p| *p = image::Rgba([250, 250, 250, 255]));
    img.save(dir.path().join("tiny.png")).unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--template",
            &t,
            "--platform",
            "x-post",
            "--logo",
            "tiny.png",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let w = v["assets"][0]["warnings"][0].as_str().unwrap();
    assert!(
        w.starts_with("logo tiny.png is 60x20 px but is shown at ")
            && w.ends_with("use a larger file or an SVG"),
        "{w}"
    );
}

#[test]
fn platforms_can_come_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        "[[platform]]\nname = \"intranet\"\nwidth = 800\nheight = 450\n",
    )
    .unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--platforms",
            "p.toml",
            "--platform",
            "intranet",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        files(dir.path()),
        [
            "out/hub/story-quote-intranet.png",
            "out/hub/story-quote-intranet.png.alt.txt",
            "out/hub/story-quote-intranet.png.caption.txt",
            "p.toml"
        ]
    );
    assert_eq!(
        decode(&dir.path().join("out/hub/story-quote-intranet.png")).dimensions(),
        (800, 450)
    );
    std::fs::write(
        dir.path().join("p.toml"),
        "[[platform]]\nname = \"big\"\nwidth = 90000\nheight = 10\n",
    )
    .unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--platforms",
            "p.toml",
        ],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr.trim(),
        "postkit: p.toml: line 3: platform big is 90000x10; sizes must be 1 to 8192 px"
    );
}

#[test]
fn check_passes_the_built_in_kit_and_names_problems_in_a_bad_template() {
    let dir = tempfile::tempdir().unwrap();
    // Stills and clips pass every check: the clips' presets carry their
    // apps' overlays as safe zones (Meta's Reels: the bottom 35 %; TikTok's
    // button column), which each kind's reel.svg keeps clear of.
    for name in postkit::template::builtin_names() {
        let r = postkit(dir.path(), &["check", name]);
        assert_eq!(r.stdout, "", "{name}: {}", r.stderr);
        assert_eq!(r.stderr.trim(), format!("postkit: {name}: 0 problems"));
        assert_eq!(r.code, 0, "{name}");
    }
    let t = dir.path().join("bad");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(
        t.join("story.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1080 1920"><rect width="1080" height="1920" fill="#FFFFFF"/>
<rect data-slot="story" x="100" y="100" width="880" height="600" data-fill="#DDDDDD" data-font-size-min="20" data-font-family="Comic Sans MS"/></svg>"##,
    )
    .unwrap();
    let r = postkit(dir.path(), &["check", t.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("bad/story.svg: slot story: asks for font 'Comic Sans MS', which is not available (embedded: Noto Sans,")), "{lines:?}");
    assert!(lines.contains(&"bad/story.svg: slot story: reaches 150 px into instagram-story's safe zone (top 250 px); move it down or make it smaller"), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with(
            "bad/story.svg: slot story: text colour #DDDDDD on this background is 1.3"
        ) && l.ends_with(
            "below WCAG AA (4.5:1 for normal text); darken or lighten the text or its background"
        )),
        "{lines:?}"
    );
    let r = postkit(dir.path(), &["check", "nope"]);
    assert_eq!(r.code, 2);

    // A mirrored template whose label takes its anchor from a class rule:
    // the mirror cannot swap it, and check says where.
    let t = dir.path().join("mirrored");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(
        t.join("square.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1080 1080" data-rtl="mirror"><style>.label { text-anchor: start }</style>
<text class="label" x="135" y="120" font-size="40">We support</text>
<rect data-slot="story" x="135" y="290" width="810" height="490"/></svg>"##,
    )
    .unwrap();
    let r = postkit(dir.path(), &["check", t.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("mirrored/square.svg: the <text> at line 2, column 1 may take its text-anchor from a style sheet, which the mirrored (right-to-left) layout cannot swap: set text-anchor on the <text> itself"), "{}", r.stdout);
}

#[test]
fn templates_show_lists_slots_and_writes_previews() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(
        dir.path(),
        &[
            "templates",
            "show",
            "story-quote",
            "--out",
            "prev",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let variants = v["template"]["variants"].as_array().unwrap();
    let square = variants.iter().find(|x| x["name"] == "square").unwrap();
    // The square variant serves the square post and the square clips.
    assert_eq!(
        square["platforms"],
        serde_json::json!([
            "instagram-square",
            "linkedin-video-square",
            "feed-video-square"
        ])
    );
    assert!(square["slots"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["name"] == "story" && s["kind"] == "text"));
    // The story's two places, told apart by when each is shown; the kit
    // mirrors for right-to-left stories.
    let shown: Vec<&str> = square["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] == "story")
        .map(|s| s["shown_when"].as_str().unwrap_or("always"))
        .collect();
    assert_eq!(shown, ["no translation", "translation"]);
    assert_eq!(square["mirrored_for_rtl"], true);
    for p in v["previews"].as_array().unwrap() {
        let path = dir.path().join(p["path"].as_str().unwrap());
        assert!(decode(&path).width() > 0);
    }
}

/// Every field the built-in kit uses, as a partner would give them.
const KIT_ARGS: &[&str] = &[
    "--org",
    "Plymouth Welcome Hub",
    "--story",
    "When we arrived in Plymouth we knew nobody. Now our neighbours teach us to bake saffron buns.",
    "--field",
    "title=Why it takes a community to welcome a neighbour",
    "--field",
    "event=Welcome Supper",
    "--field",
    "event_date=Friday 18 December",
    "--field",
    "event_time=6–9 pm",
    "--field",
    "place=St Andrew's Hall, Plymouth",
    "--field",
    "name=Amina Yusuf",
    "--field",
    "role=Volunteer coordinator",
    "--field",
    "quote=Every newcomer I meet reminds me of my own first day here.",
    "--date",
    "2026-12-12",
];

#[test]
fn every_template_renders_at_every_preset_it_serves() {
    let dir = tempfile::tempdir().unwrap();
    let photo = root().join("examples/photo-community.jpg");
    let logo = root().join("examples/logo.png");
    for name in postkit::template::builtin_names() {
        let mut args = vec![
            "render",
            "--template",
            name,
            "--platform",
            "all",
            "--json",
            "--out",
            name,
        ];
        args.extend(KIT_ARGS);
        args.extend([
            "--photo",
            photo.to_str().unwrap(),
            "--logo",
            logo.to_str().unwrap(),
        ]);
        let r = postkit(dir.path(), &args);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let assets = v["assets"].as_array().unwrap();
        assert!(assets.len() >= 16, "{name}: only {} presets", assets.len());
        for a in assets {
            let img = decode(&dir.path().join(a["path"].as_str().unwrap()));
            assert_eq!(img.width() as u64, a["width"].as_u64().unwrap());
            assert_eq!(img.height() as u64, a["height"].as_u64().unwrap());
            // Every template gets every kit field here: those it does not
            // use are pointed out (issue 30), and are not what this checks.
            let warnings = a["warnings"].as_array().unwrap();
            assert!(
                (warnings.iter()).all(|w| w.as_str().unwrap().starts_with("unknown field '")),
                "{name} {}: {}",
                a["platform"],
                a["warnings"]
            );
            assert!(a["slots"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["fits"] == true));
        }
    }
}

#[test]
fn countdown_counts_down_and_has_a_today_variant() {
    let dir = tempfile::tempdir().unwrap();
    for (date, out) in [("2026-12-12", "six"), ("2026-12-18", "today")] {
        let r = postkit(
            dir.path(),
            &[
                "render",
                "--org",
                "Hub",
                "--template",
                "countdown",
                "--platform",
                "instagram-square",
                "--date",
                date,
                "--out",
                out,
                "--emit-svg",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let six =
        std::fs::read_to_string(dir.path().join("six/hub/countdown-instagram-square.svg")).unwrap();
    let today =
        std::fs::read_to_string(dir.path().join("today/hub/countdown-instagram-square.svg"))
            .unwrap();
    assert!(six.contains(">6</text>"), "six days");
    assert!(
        !today.contains(">6</text>") && today.contains("Today"),
        "today variant"
    );
}
