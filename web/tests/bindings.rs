//! The bindings, in a real browser: `Kit` and `Form` as the static site's
//! workers use them, through wasm-bindgen's JS boundary, run by
//! wasm-bindgen-test-runner in headless Chromium (`.ci/run`:
//! `cargo test -p postkit-web --target wasm32-unknown-unknown --profile
//! wasm`, with the runner and chromedriver). What crosses the boundary is
//! checked: the reply's status, content type, body, file name and failed
//! sizes; errors as the server words them, naming their field; a bad
//! campaign, platforms file, template or font refused with a message, never
//! a panic. That the browser's kit is the CLI's byte for byte is
//! tests/site.rs's.

#![cfg(target_arch = "wasm32")]

use postkit_web::{Form, Kit, Reply};
use serde_json::Value;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const REGULAR: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");
const LOGO: &[u8] = include_bytes!("../../examples/logo.png");
const TODAY: &str = "2026-12-12";
const STORY: &str =
    "When we arrived in Plymouth we knew no one. Today our neighbours teach us to bake.";

/// A kit with the embedded kinds and the Latin fonts, as a worker has it
/// after its first job.
fn kit() -> Kit {
    let mut kit = Kit::new(None, None).expect("the embedded campaign and platforms");
    kit.add_font("NotoSans-Regular.ttf", REGULAR.to_vec())
        .unwrap();
    kit.add_font("NotoSans-Bold.ttf", BOLD.to_vec()).unwrap();
    kit
}

fn form(platform: &str) -> Form {
    form_of("story-quote", platform)
}

fn form_of(template: &str, platform: &str) -> Form {
    let mut f = Form::new();
    f.text("template", template.into());
    f.text("platform", platform.into());
    f.text("org", "Plymouth Welcome Hub".into());
    f.text("story", STORY.into());
    f.file("logo", "logo.png", LOGO.to_vec());
    f
}

fn json(r: &Reply) -> Value {
    assert_eq!(r.content_type, "application/json", "status {}", r.status);
    serde_json::from_slice(&r.body).expect("a JSON body")
}

/// The message a `JsError` carries into JavaScript.
fn message(e: impl Into<JsValue>) -> String {
    format!("{:?}", e.into())
}

/// A PNG's width and height, from its IHDR.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[wasm_bindgen_test]
fn one_size_is_a_png_of_its_presets_pixels() {
    let r = kit().render(&form("instagram-square"), "image/png", TODAY);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.content_type, "image/png");
    assert_eq!(png_size(&r.body), (1080, 1080));
    assert!(r.file_name.ends_with(".png"), "{}", r.file_name);
    assert_eq!(r.failed, "");
}

#[wasm_bindgen_test]
fn the_pages_json_has_a_preview_and_alt_text_per_size() {
    let mut f = form("instagram-square,instagram-story");
    f.text("preview", "200".into());
    let r = kit().render(&f, "application/json", TODAY);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = json(&r);
    let assets = v["assets"].as_array().expect("assets");
    assert_eq!(assets.len(), 2, "{v}");
    for a in assets {
        let alt = a["alt_text"].as_str().or(a["alt"].as_str()).unwrap_or("");
        assert!(alt.contains("Plymouth"), "{a}");
        let preview = a.to_string();
        assert!(
            preview.contains("data:image/png;base64,"),
            "a preview inline: {a}"
        );
    }
    assert_eq!(v["errors"], Value::Array(vec![]), "{v}");
}

#[wasm_bindgen_test]
fn the_whole_kit_is_a_zip_named_for_the_org() {
    let r = kit().render(&form("instagram-square"), "application/zip", TODAY);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.content_type, "application/zip");
    assert_eq!(&r.body[..4], b"PK\x03\x04");
    assert!(
        r.file_name.contains("plymouth-welcome-hub"),
        "{}",
        r.file_name
    );
}

#[wasm_bindgen_test]
fn a_missing_story_is_answered_as_the_server_answers_it() {
    let mut f = Form::new();
    f.text("template", "story-quote".into());
    f.text("platform", "instagram-square".into());
    f.text("org", "Plymouth Welcome Hub".into());
    let r = kit().render(&f, "image/png", TODAY);
    assert_eq!(r.status, 400);
    let v = json(&r);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("story"),
        "{v}"
    );
    assert_eq!(v["error"]["class"], "bad_input", "{v}");
}

#[wasm_bindgen_test]
fn a_form_field_out_of_bounds_is_named() {
    let mut f = form("instagram-square");
    f.text("preview", "5".into());
    let r = kit().render(&f, "application/json", TODAY);
    assert_eq!(r.status, 400);
    assert_eq!(json(&r)["error"]["field"], "preview");

    let mut f = form("instagram-square");
    f.file("logo", "logo.png", b"not a picture".to_vec());
    let r = kit().render(&f, "image/png", TODAY);
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    let v = json(&r);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("logo"),
        "{v}"
    );

    let mut f = form("instagram-square");
    f.file("photo", "huge.png", vec![0; 40 << 20]);
    let r = kit().render(&f, "image/png", TODAY);
    assert_eq!(r.status, 413);
    assert_eq!(json(&r)["error"]["field"], "photo");
}

#[wasm_bindgen_test]
fn clips_are_refused_with_a_reason() {
    let r = kit().render(&form("instagram-square"), "video/mp4", TODAY);
    assert_eq!(r.status, 400);
    let v = json(&r);
    assert_eq!(v["error"]["field"], "platform");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("server"),
        "{v}"
    );

    let r = kit().render(&form("tiktok"), "image/png", TODAY);
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
}

#[wasm_bindgen_test]
fn without_fonts_the_page_is_told_to_reload() {
    let mut k = Kit::new(None, None).unwrap();
    let r = k.render(&form("instagram-square"), "image/png", TODAY);
    assert_eq!(r.status, 500);
    assert!(json(&r)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("fonts"));
}

#[wasm_bindgen_test]
fn the_apis_gets_list_stills_only() {
    let mut k = kit();
    let platforms = json(&k.get("/api/platforms", TODAY));
    let names: Vec<&str> = platforms
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"instagram-square"), "{names:?}");
    assert!(
        !names.contains(&"tiktok"),
        "clips are the server's: {names:?}"
    );

    let campaign = json(&k.get("/api/campaign", TODAY));
    assert!(
        campaign.to_string().contains("ItTakesACommunity"),
        "{campaign}"
    );
    let r = k.get("/api/campaign", "12/12/2026");
    assert_eq!(r.status, 400);
    assert_eq!(json(&r)["error"]["field"], "date");

    let thumb = k.get("/api/templates/story-quote/thumbnail.png", TODAY);
    assert_eq!(thumb.status, 200);
    png_size(&thumb.body);
    assert_eq!(k.get("/api/templates/no-such-kind", TODAY).status, 404);
}

#[wasm_bindgen_test]
fn a_coordinators_kind_is_added_and_offered() {
    let mut k = kit();
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="1080" viewBox="0 0 1080 1080"><rect width="1080" height="1080" fill="#123456"/><rect data-slot="story" x="100" y="100" width="880" height="600" data-font-size-min="24" data-font-size-max="80" fill="#ffffff"/></svg>"##;
    let files = serde_json::json!([["square.svg", svg]]).to_string();
    k.add_template("plain", &files)
        .expect("a kind from its files");
    let listed = json(&k.get("/api/templates", TODAY));
    assert!(listed.to_string().contains("\"plain\""), "{listed}");
    let r = k.render(&form_of("plain", "instagram-square"), "image/png", TODAY);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(png_size(&r.body), (1080, 1080));
}

#[wasm_bindgen_test]
fn bad_setup_is_refused_naming_what_is_wrong() {
    let e = Kit::new(Some("hashtags = [".into()), None)
        .err()
        .expect("bad TOML");
    assert!(message(e).contains("campaign.toml"));
    let e = Kit::new(None, Some("[[platform]]\nname = 3".into()))
        .err()
        .expect("bad TOML");
    assert!(message(e).contains("platforms.toml"));
    let mut k = kit();
    let e = k
        .add_font("Broken.ttf", b"not a font".to_vec())
        .expect_err("not a font");
    assert!(message(e).contains("Broken.ttf"));
    assert_eq!(k.fonts(), ["NotoSans-Regular.ttf", "NotoSans-Bold.ttf"]);
    let e = k
        .add_template("bad", "[[\"square.svg\", \"<svg\"]]")
        .expect_err("bad SVG");
    assert!(!message(e).is_empty());
}
