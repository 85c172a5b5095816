//! Accessible by default: alt text and captions within every platform's
//! limits, contrast measured on the rendered pixels, hashtag lint.

mod common;

use common::{postkit, STORY};
use postkit::caption::{alt_text, caption, graphemes};
use postkit::{Campaign, Content, Platforms, TemplateSet};

fn long_story(unit: &str) -> String {
    unit.repeat(5000 / unit.chars().count().max(1) + 1)
}

#[test]
fn alt_text_and_captions_fit_every_platform_even_for_huge_stories() {
    let campaign = Campaign::embedded();
    let set = TemplateSet::load("story-quote").unwrap();
    for story in [
        STORY.to_string(),
        long_story("When we arrived we knew nobody. "),
        long_story("عندما وصلنا لم نكن نعرف أحداً. "),
        long_story("我们刚到的时候，一个人也不认识。"),
        long_story("👨‍👩‍👧‍👦🇺🇦 "),
    ] {
        let content = Content::story(&campaign, "Plymouth Welcome Hub", &story);
        for p in Platforms::embedded().all() {
            let alt = alt_text(&set, &content, p);
            let cap = caption(&content, p);
            let alt_limit = p.alt_chars.unwrap() as usize;
            let post_limit = p.post_chars.unwrap() as usize;
            assert!(!alt.trim().is_empty(), "{}: empty alt", p.name);
            assert!(
                graphemes(&alt) <= alt_limit,
                "{}: alt {} > {alt_limit}",
                p.name,
                graphemes(&alt)
            );
            assert!(
                graphemes(&cap) <= post_limit,
                "{}: caption {} > {post_limit}",
                p.name,
                graphemes(&cap)
            );
            // A caption ends with the campaign's handles (room is kept for them).
            assert!(cap.ends_with("@IMIX_UK"), "{}: {cap}", p.name);
            let tags = cap
                .split_whitespace()
                .filter(|w| w.starts_with('#'))
                .count();
            if let Some(capn) = p.hashtag_cap {
                let in_story = story.matches('#').count();
                assert!(
                    tags <= capn as usize + in_story,
                    "{}: {tags} hashtags",
                    p.name
                );
            }
            if graphemes(&story) > alt_limit {
                // The story is shortened inside the sentence, which survives.
                assert!(
                    alt.starts_with("Quote card from Plymouth Welcome Hub: \""),
                    "{}: {alt}",
                    p.name
                );
                assert!(
                    alt.ends_with("\" #ItTakesACommunity #MigrantsDay"),
                    "{}: {alt}",
                    p.name
                );
            }
        }
    }
}

#[test]
fn instagram_captions_keep_at_most_five_hashtags() {
    let mut campaign = Campaign::embedded();
    campaign.hashtags = (1..=8).map(|i| format!("#Tag{i}Day")).collect();
    let content = Content::story(&campaign, "Hub", "A short story.");
    let p = Platforms::embedded()
        .get("instagram-square")
        .unwrap()
        .clone();
    let cap = caption(&content, &p);
    assert_eq!(cap.matches('#').count(), 5, "{cap}");
    let t = Platforms::embedded().get("threads").unwrap().clone();
    assert_eq!(caption(&content, &t).matches('#').count(), 1);
}

#[test]
fn alt_text_without_a_pattern_uses_a_sensible_default_and_is_never_empty() {
    let set = TemplateSet::from_files(
        "bare",
        &[(
            "a.svg".into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>"#.into(),
        )],
        None,
    )
    .unwrap();
    let campaign = Campaign::embedded();
    let p = Platforms::embedded().get("x-post").unwrap().clone();
    let content = Content::story(&campaign, "Hub", "We bake together.");
    assert_eq!(
        alt_text(&set, &content, &p),
        "International Migrants Day graphic from Hub: \"We bake together.\" #ItTakesACommunity #MigrantsDay"
    );
    let empty = Content::default();
    assert_eq!(alt_text(&set, &empty, &p), "Campaign graphic");
}

#[test]
fn a_low_contrast_brand_is_warned_about_and_strict_makes_it_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("brand.toml"),
        "name = \"Pale Org\"\n[colours]\ntext = \"#E8DCCB\"\n",
    )
    .unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--brand",
            "brand.toml",
            "--story",
            STORY,
            "--platform",
            "x-post",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let a = &v["assets"][0];
    let story = a["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "story")
        .unwrap();
    let ratio = story["contrast"].as_f64().unwrap();
    assert!((1.0..1.3).contains(&ratio), "{ratio}");
    let w: Vec<&str> = a["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        w.iter()
            .any(|w| w.starts_with("slot story: text contrast is 1.")
                && w.contains("below WCAG AA (4.5:1 for normal text)")),
        "{w:?}"
    );
    // The default palette passes: every text slot at AA or better.
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            STORY,
            "--platform",
            "x-post",
            "--json",
            "--out",
            "ok",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    for s in v["assets"][0]["slots"].as_array().unwrap() {
        if let Some(c) = s["contrast"].as_f64() {
            assert!(c >= 4.5, "{}: {c}", s["name"]);
        }
    }
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--brand",
            "brand.toml",
            "--story",
            STORY,
            "--platform",
            "x-post",
            "--strict",
            "--out",
            "strict",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("--strict: slot story: text contrast is 1."),
        "{}",
        r.stderr
    );
}

#[test]
fn text_over_a_bright_photo_gets_a_scrim_until_it_reaches_aa() {
    let dir = tempfile::tempdir().unwrap();
    // A template with white text straight on a photo, and no scrim of its own.
    std::fs::write(
        dir.path().join("t.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1600 900">
<rect data-slot="photo" x="0" y="0" width="1600" height="900" data-fit="cover"/>
<rect data-slot="story" x="100" y="100" width="1400" height="700" data-fill="#FFFFFF" data-font-size-min="30" data-font-size-max="60"/></svg>"##,
    )
    .unwrap();
    let photo = image::RgbImage::from_pixel(800, 450, image::Rgb([235, 225, 200]));
    photo.save(dir.path().join("bright.jpg")).unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            STORY,
            "--template",
            "t.svg",
            "--photo",
            "bright.jpg",
            "--platform",
            "x-post",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let a = &v["assets"][0];
    let w: Vec<&str> = a["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        w.iter()
            .any(|w| w.starts_with("slot story: added a") && w.contains("scrim")),
        "{w:?}"
    );
    assert!(!w.iter().any(|w| w.contains("below WCAG AA")), "{w:?}");
    let story = a["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "story")
        .unwrap();
    assert!(story["contrast"].as_f64().unwrap() >= 4.5, "{story}");
}

#[test]
fn hashtags_are_linted_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--hashtag",
            "migrants day",
        ],
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "postkit: '#migrants day' is not a valid hashtag: ' ' is not allowed (use letters, digits and _; no spaces or punctuation)"
    );
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--hashtag",
            "ittakesacommunity",
            "--platform",
            "x-post",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["assets"][0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w == "hashtag '#ittakesacommunity' is hard for screen readers; capitalise each word, e.g. #ItTakesACommunity"));
}
