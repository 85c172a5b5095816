//! `postkit render`, run as a user runs it: the real binary, real templates
//! and fonts, in a fresh temp dir per test.

mod common;

use common::{decode, files, postkit, postkit_in, root, STORY};

const DEFAULTS: [(&str, u32, u32); 5] = [
    ("instagram-square", 1080, 1080),
    ("instagram-portrait", 1080, 1350),
    ("instagram-story", 1080, 1920),
    ("x-post", 1600, 900),
    ("facebook-link", 1200, 630),
];

#[test]
fn default_run_writes_every_default_preset_at_its_exact_size() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(
        dir.path(),
        &["render", "--org", "Plymouth Welcome Hub", "--story", STORY],
    );
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let mut expected: Vec<String> = DEFAULTS
        .iter()
        .flat_map(|(p, _, _)| {
            let png = format!("out/plymouth-welcome-hub/story-quote-{p}.png");
            // Each image comes with its alt text and a ready-to-paste caption.
            [format!("{png}.alt.txt"), format!("{png}.caption.txt"), png]
        })
        .collect();
    expected.sort();
    assert_eq!(files(dir.path()), expected);
    for (p, w, h) in DEFAULTS {
        let img = decode(
            &dir.path()
                .join(format!("out/plymouth-welcome-hub/story-quote-{p}.png")),
        );
        assert_eq!((img.width(), img.height()), (w, h), "{p}");
    }
    // stdout lists the paths written; stderr the summary.
    assert_eq!(r.stdout.lines().count(), 5);
    assert!(r.stderr.contains("5 written, 0 failed"), "{}", r.stderr);
}

#[test]
fn json_report_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Plymouth Welcome Hub",
            "--story",
            STORY,
            "--json",
            "--platform",
            "x-post",
        ],
    );
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&r.stdout).expect("stdout is one JSON document");
    let assets = v["assets"].as_array().unwrap();
    assert_eq!(assets.len(), 1);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0);
    let a = &assets[0];
    assert_eq!(a["template"], "story-quote");
    assert_eq!(a["platform"], "x-post");
    assert_eq!(a["width"], 1600);
    assert_eq!(a["height"], 900);
    let path = dir.path().join(a["path"].as_str().unwrap());
    assert_eq!(
        a["bytes"].as_u64().unwrap(),
        std::fs::metadata(&path).unwrap().len()
    );
    let story = a["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "story")
        .expect("a story slot");
    assert_eq!(story["fits"], true);
    assert!(story["lines"].as_u64().unwrap() >= 3);
    let size = story["font_size"].as_f64().unwrap();
    assert!((22.0..=72.0).contains(&size), "story at {size}px");
    assert!(a["warnings"].as_array().unwrap().is_empty(), "{a}");
}

#[test]
fn two_runs_give_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let args = |out: &'static str| {
        vec![
            "render",
            "--org",
            "Plymouth Welcome Hub",
            "--story",
            STORY,
            "--out",
            out,
        ]
    };
    assert_eq!(postkit(dir.path(), &args("a")).code, 0);
    assert_eq!(postkit(dir.path(), &args("b")).code, 0);
    for (p, _, _) in DEFAULTS {
        let rel = format!("plymouth-welcome-hub/story-quote-{p}.png");
        let a = std::fs::read(dir.path().join("a").join(&rel)).unwrap();
        let b = std::fs::read(dir.path().join("b").join(&rel)).unwrap();
        assert!(a == b, "{rel} differs between runs");
    }
}

#[test]
fn png_levels_trade_bytes_for_time_but_never_pixels() {
    // A logo brings thousands of colours (an RGB PNG); without one the card
    // is indexed. Both at three levels, platforms given as one list.
    let dir = tempfile::tempdir().unwrap();
    let mut sizes = Vec::new();
    for level in ["fast", "balanced", "small"] {
        let r = postkit(
            dir.path(),
            &[
                "render",
                "--org",
                "Plymouth Welcome Hub",
                "--story",
                STORY,
                "--logo",
                root().join("examples/logo.png").to_str().unwrap(),
                "--platform",
                "instagram-square,x-post",
                "--png-level",
                level,
                "--out",
                level,
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let mut bytes = 0;
        for p in ["instagram-square", "x-post"] {
            let path = dir
                .path()
                .join(level)
                .join(format!("plymouth-welcome-hub/story-quote-{p}.png"));
            bytes += std::fs::metadata(&path).unwrap().len();
            let base = dir
                .path()
                .join("fast")
                .join(format!("plymouth-welcome-hub/story-quote-{p}.png"));
            assert!(
                decode(&path) == decode(&base),
                "{level} changed {p}'s pixels"
            );
        }
        sizes.push(bytes);
    }
    assert!(
        sizes[2] <= sizes[1] && sizes[1] < sizes[0],
        "small <= balanced < fast in bytes: {sizes:?}"
    );
    let r = postkit(
        dir.path(),
        &["render", "--org", "A", "--story", "B", "--png-level", "max"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("'max' is not a PNG level; use fast, balanced or small"),
        "{}",
        r.stderr
    );
}

#[test]
fn markup_and_placeholders_in_user_text_are_drawn_literally() {
    let dir = tempfile::tempdir().unwrap();
    let story = "Tom & Jerry said \"<b>hello</b>\" to {{org}} ]]> &amp; {{story}}";
    let org = "A<B> & \"C\" {{story}}";
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            org,
            "--story",
            story,
            "--platform",
            "x-post",
            "--emit-svg",
        ],
    );
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let folder = dir.path().join("out/a-b-c-story");
    let svg = std::fs::read_to_string(folder.join("story-quote-x-post.svg")).unwrap();
    // The filled SVG is well-formed and holds the text escaped, not substituted.
    let doc = roxmltree::Document::parse(&svg).expect("filled SVG parses");
    let text: String = doc
        .descendants()
        .filter(|n| n.is_text() && n.parent().is_some_and(|p| p.has_tag_name("text")))
        .map(|n| n.text().unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    for needle in [
        "&",
        "\"<b>hello</b>\"",
        "{{org}}",
        "]]>",
        "&amp;",
        "{{story}}",
        "A<B>",
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} missing from drawn text: {text}"
        );
    }
    assert!(!svg.contains("<b>"), "user markup became markup");
    assert!(decode(&folder.join("story-quote-x-post.png")).width() == 1600);
}

#[test]
fn a_story_too_long_to_fit_fails_with_its_message_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let story = STORY.repeat(12);
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Plymouth Welcome Hub",
            "--story",
            &story,
            "--platform",
            "instagram-square",
        ],
    );
    assert_eq!(r.code, 1, "stderr: {}", r.stderr);
    assert!(
        r.stderr.contains(
            "postkit: error: story-quote instagram-square: the story text does not fit the story-quote template on instagram-square even at 24px"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("shorten it to about"), "{}", r.stderr);
    assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));
}

/// A template set on disk: a square variant with a tiny story slot, named
/// the way design tools name layers (`id="slot-story"`, options in
/// `template.toml`), and a landscape variant with room to spare.
fn two_variant_template(dir: &std::path::Path) -> std::path::PathBuf {
    let t = dir.join("tiny");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(
        t.join("square.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" fill="#eee"/><rect id="slot-story" x="10" y="10" width="80" height="20"/></svg>"##,
    )
    .unwrap();
    std::fs::write(
        t.join("landscape.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1600 900"><rect id="slot-story" x="50" y="50" width="1500" height="800"/></svg>"##,
    )
    .unwrap();
    std::fs::write(
        t.join("template.toml"),
        "description = \"test\"\n[slots.story]\nfont-size-min = 12\nfont-size-max = 40\nfill = \"#112233\"\n",
    )
    .unwrap();
    t
}

#[test]
fn one_failing_size_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let t = two_variant_template(dir.path());
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            STORY,
            "--template",
            t.to_str().unwrap(),
            "--platform",
            "instagram-square",
            "--platform",
            "x-post",
            "--json",
        ],
    );
    assert_eq!(r.code, 1, "stderr: {}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["assets"].as_array().unwrap().len(), 1);
    assert_eq!(v["assets"][0]["platform"], "x-post");
    assert_eq!(v["errors"][0]["platform"], "instagram-square");
    assert_eq!(v["errors"][0]["template"], "tiny");
    assert!(
        v["errors"][0]["message"].as_str().unwrap().starts_with(
            "the story text does not fit the tiny template on instagram-square even at 129.6px"
        ),
        "{}",
        v["errors"][0]["message"]
    );
    assert_eq!(
        files(dir.path())
            .iter()
            .filter(|f| f.starts_with("out/") && f.ends_with(".png"))
            .collect::<Vec<_>>(),
        ["out/hub/tiny-x-post.png"]
    );
    // template.toml's fill reached the layer named slot-story.
    let img = decode(&dir.path().join("out/hub/tiny-x-post.png"));
    assert!(img.pixels().any(|p| p.0 == [0x11, 0x22, 0x33, 255]));
}

#[test]
fn unknown_platform_exits_2_and_lists_the_valid_names() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--platform",
            "myspace",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("postkit: unknown platform 'myspace'; valid platforms: instagram-square, instagram-portrait, instagram-story,"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("feed-video-square, all (every still) or video (every clip)"),
        "{}",
        r.stderr
    );
    assert!(files(dir.path()).is_empty());
}

#[test]
fn unknown_template_exits_2_and_lists_the_built_in_names() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--template",
            "fancy",
        ],
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "postkit: unknown template 'fancy'; built-in templates: story-quote, photo-story, event, countdown, supporter-badge, ambassador, blog-header, video-cover (or give a template folder or .svg file)"
    );
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(
        dir.path(),
        &["render", "--org", "Hub", "--story", "Hi", "--colour", "red"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unexpected argument '--colour'"),
        "{}",
        r.stderr
    );
}

#[test]
fn empty_story_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(
        dir.path(),
        &["render", "--org", "Hub", "--story", "  \n\t "],
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "postkit: the story is empty; give the text to set with --story or --story-file"
    );
}

#[test]
fn story_from_a_file_and_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("story.txt"),
        "From a file.\nSecond paragraph.",
    )
    .unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story-file",
            "story.txt",
            "--platform",
            "x-post",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let story = v["assets"][0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "story")
        .unwrap()
        .clone();
    assert_eq!(story["lines"], 2, "a newline is a paragraph break");

    let r = postkit_in(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story-file",
            "-",
            "--platform",
            "x-post",
            "--out",
            "o2",
        ],
        Some("From standard input."),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.path().join("o2/hub/story-quote-x-post.png").is_file());

    let r = postkit(
        dir.path(),
        &["render", "--org", "Hub", "--story-file", "nope.txt"],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with("postkit: cannot read the story file nope.txt:"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_logo_replaces_the_wordmark() {
    let dir = tempfile::tempdir().unwrap();
    let logo = root().join("examples/logo.png");
    let base = [
        "render",
        "--org",
        "Plymouth Welcome Hub",
        "--story",
        STORY,
        "--platform",
        "instagram-square",
    ];
    let r = postkit(dir.path(), &[&base[..], &["--out", "wordmark"]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = postkit(
        dir.path(),
        &[
            &base[..],
            &["--out", "logo", "--logo", logo.to_str().unwrap()],
        ]
        .concat(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let a = decode(
        &dir.path()
            .join("wordmark/plymouth-welcome-hub/story-quote-instagram-square.png"),
    );
    let b = decode(
        &dir.path()
            .join("logo/plymouth-welcome-hub/story-quote-instagram-square.png"),
    );
    // The logo's teal circle is drawn in the logo slot (135..525 x 848..960).
    let teal = (135..525)
        .flat_map(|x| (848..960).map(move |y| (x, y)))
        .filter(|&(x, y)| {
            let p = b.get_pixel(x, y);
            p[0] < 60 && (110..135).contains(&p[1]) && (95..125).contains(&p[2])
        })
        .count();
    assert!(teal > 1000, "logo not drawn ({teal} teal px)");
    // Outside the logo slot nothing changed.
    for y in 0..800 {
        for x in 0..1080 {
            assert_eq!(a.get_pixel(x, y), b.get_pixel(x, y), "at {x},{y}");
        }
    }
}

#[test]
fn a_missing_logo_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--logo",
            "missing.png",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with("postkit: cannot read the logo missing.png: No such file"),
        "{}",
        r.stderr
    );
    let bad = dir.path().join("bad.png");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\nnot really").unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render", "--org", "Hub", "--story", "Hi", "--logo", "bad.png",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with("postkit: logo bad.png: "),
        "{}",
        r.stderr
    );
    assert!(files(dir.path()) == ["bad.png"], "{:?}", files(dir.path()));
}

#[test]
fn hashtags_and_tags_replace_the_campaigns() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--platform",
            "x-post",
            "--emit-svg",
            "--hashtag",
            "WelcomeWeek",
            "--hashtag",
            "#Plymouth",
            "--tag",
            "PlymouthCC",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let svg = std::fs::read_to_string(dir.path().join("out/hub/story-quote-x-post.svg")).unwrap();
    assert!(svg.contains(">#WelcomeWeek"), "hashtags not set");
    assert!(svg.contains("#Plymouth<"), "hashtags not set");
    assert!(svg.contains(">@PlymouthCC<"), "tags not set");
    assert!(!svg.contains("#MigrantsDay"));
}

#[test]
fn platforms_and_templates_list_as_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(dir.path(), &["platforms", "--json"]);
    assert_eq!(r.code, 0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for n in [
        "instagram-square",
        "instagram-portrait",
        "instagram-story",
        "facebook-post",
        "facebook-link",
        "facebook-event-cover",
        "facebook-story",
        "x-post",
        "x-header",
        "linkedin-post",
        "linkedin-cover",
        "bluesky",
        "mastodon",
        "threads",
        "tiktok-photo",
        "youtube-thumbnail",
        "whatsapp-status",
        "blog-header",
    ] {
        assert!(names.contains(&n), "{n} missing");
    }
    let r = postkit(dir.path(), &["platforms"]);
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("instagram-story "))
        .unwrap();
    assert!(line.contains("1080x1920  250 0 340 0"), "{line}");
    let r = postkit(dir.path(), &["templates", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["name"], "story-quote");
    assert_eq!(v.as_array().unwrap().len(), 8);
    assert_eq!(v[0]["variants"].as_array().unwrap().len(), 7);
    let r = postkit(dir.path(), &["templates"]);
    assert!(r.stdout.starts_with("story-quote"), "{}", r.stdout);
}

#[test]
fn every_platform_renders() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Plymouth Welcome Hub",
            "--story",
            STORY,
            "--platform",
            "all",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    // All 18 presets but the LinkedIn page cover, which story-quote skips.
    assert_eq!(v["assets"].as_array().unwrap().len(), 17);
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            STORY,
            "--platform",
            "linkedin-cover",
            "--out",
            "named",
        ],
    );
    assert_eq!(
        r.code, 0,
        "a skipped preset still renders when named: {}",
        r.stderr
    );
    for a in v["assets"].as_array().unwrap() {
        let img = decode(&dir.path().join(a["path"].as_str().unwrap()));
        assert_eq!(img.width() as u64, a["width"].as_u64().unwrap());
        assert_eq!(img.height() as u64, a["height"].as_u64().unwrap());
    }
}

#[test]
fn missing_glyphs_are_in_the_json_and_strict_makes_them_errors() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "render",
        "--org",
        "Hub",
        "--story",
        "Osiyo ᏣᎳᎩ friends",
        "--platform",
        "x-post",
        "--json",
    ];
    let r = postkit(dir.path(), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let story = v["assets"][0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "story")
        .unwrap()
        .clone();
    assert_eq!(
        story["missing"],
        serde_json::json!(["U+13E3", "U+13B3", "U+13A9"])
    );
    assert_eq!(
        v["assets"][0]["warnings"][0],
        "slot story: no font has U+13E3 U+13B3 U+13A9 (ᏣᎳᎩ); add a font that covers them with --font"
    );
    assert!(r.stderr.contains("warning:"), "{}", r.stderr);

    let r = postkit(
        dir.path(),
        &[&args[..], &["--strict", "--out", "strict"]].concat(),
    );
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["errors"][0]["message"],
        "--strict: slot story: no font has U+13E3 U+13B3 U+13A9 (ᏣᎳᎩ); add a font that covers them with --font"
    );
    assert!(!dir.path().join("strict").exists());
}

#[test]
fn user_fonts_come_first() {
    let dir = tempfile::tempdir().unwrap();
    let font = root().join("fonts/NotoSansCJK-Regular.ttc");
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hello",
            "--platform",
            "x-post",
            "--emit-svg",
            "--font",
            font.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let svg = std::fs::read_to_string(dir.path().join("out/hub/story-quote-x-post.svg")).unwrap();
    assert!(
        svg.contains("font-family=\"'Noto Sans CJK JP'\""),
        "user font not used"
    );

    std::fs::write(dir.path().join("bad.ttf"), b"not a font").unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render", "--org", "Hub", "--story", "Hi", "--font", "bad.ttf",
        ],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr.trim(),
        "postkit: font bad.ttf: it is not a TrueType/OpenType font (.ttf, .otf or .ttc)"
    );
}

#[test]
fn rtl_direction_flag_sets_the_paragraph_direction() {
    let dir = tempfile::tempdir().unwrap();
    let story = "2024 مرحبا";
    let mut xs = Vec::new();
    for d in ["ltr", "rtl"] {
        let out = format!("o-{d}");
        let r = postkit(
            dir.path(),
            &[
                "render",
                "--org",
                "Hub",
                "--story",
                story,
                "--platform",
                "x-post",
                "--emit-svg",
                "--dir",
                d,
                "--out",
                &out,
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let svg =
            std::fs::read_to_string(dir.path().join(format!("{out}/hub/story-quote-x-post.svg")))
                .unwrap();
        // x of the run holding the digits.
        let i = svg.find(">2024").unwrap();
        let tag = &svg[svg[..i].rfind("<text").unwrap()..i];
        let x: f32 = tag
            .split("x=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        xs.push(x);
    }
    // Left to right: the digits start the line at the left; right to left they end it.
    assert!(xs[0] < 150.0 && xs[1] > 300.0, "{xs:?}");
}

/// A template field with no flag of its own is asked for the way it can be
/// given: `--field NAME=…` or a batch column (not a `--NAME` that does not
/// exist).
#[test]
fn a_missing_template_field_says_how_to_give_it() {
    let dir = tempfile::tempdir().unwrap();
    let args = "render --org Hub --story x --template event --platform x-post --field event=Supper --field place=Hall";
    let r = postkit(dir.path(), &args.split(' ').collect::<Vec<_>>());
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains(
            "the event template needs event_date, which is not given: give --field event_date=…"
        ),
        "{}",
        r.stderr
    );
    assert!(!dir
        .path()
        .join("out")
        .join("hub")
        .join("event-x-post.png")
        .exists());
}
