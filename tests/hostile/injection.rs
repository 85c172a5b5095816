//! Injection: quotes, `&`, `]]>`, `--` and `{{placeholders}}` in the values
//! a user gives, in every place a value lands (text slots, text and
//! attributes of the template, a CDATA section, a comment, alt text, the
//! caption, file names, the report and the review page): always drawn or
//! written as text, never markup, never substituted a second time.

use std::path::Path;

use crate::common::postkit;
use crate::written_only_to_out;

const ORG: &str = "O'Neil & \"Sons\" ]]> -- --> <marquee>{{title}}</marquee>";
const STORY: &str = "She said \"yes\" & 'no' ]]> <svg onload=alert(1)> {{org}} {{ title }}";
const TITLE: &str = "T & {{story}} {{palette.primary}} ]]>";

/// A template where a value lands everywhere a template can put one.
fn card(dir: &Path) {
    let t = dir.join("card");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(
        t.join("square.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1000">
<title>{{org}}</title>
<desc><![CDATA[{{story}}]]></desc>
<!-- made for {{org}} -->
<text id="label" x="50" y="950" font-size="20" aria-label="{{title}}" data-note='{{title}}'>{{title}}</text>
<rect data-slot="story" x="100" y="100" width="800" height="400"/>
<rect data-slot="org" x="100" y="600" width="800" height="200"/>
</svg>"#,
    )
    .unwrap();
    std::fs::write(
        t.join("template.toml"),
        "alt = \"Card from {{org}}: {{title}}\"\n",
    )
    .unwrap();
}

const INPUTS: &[&str] = &["card/square.svg", "card/template.toml"];

/// The text a slot drew: the runs of a line (one `y`) joined, the lines
/// joined by spaces.
fn slot_text(doc: &roxmltree::Document, field: &str) -> String {
    let g = doc
        .descendants()
        .find(|n| {
            n.attribute("id").is_some_and(|id| {
                id.starts_with("postkit-slot-") && id.ends_with(&format!("-{field}"))
            })
        })
        .unwrap_or_else(|| panic!("no group for slot {field}"));
    let mut lines: Vec<(&str, String)> = Vec::new();
    for t in g.descendants().filter(|n| n.has_tag_name("text")) {
        let y = t.attribute("y").unwrap_or_default();
        let text = t.text().unwrap_or_default();
        match lines.last_mut() {
            Some((last, line)) if *last == y => line.push_str(text),
            _ => lines.push((y, text.to_string())),
        }
    }
    lines
        .into_iter()
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn quotes_ampersands_cdata_ends_and_placeholders_in_values_stay_text_in_the_svg() {
    let dir = tempfile::tempdir().unwrap();
    card(dir.path());
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            ORG,
            "--story",
            STORY,
            "--field",
            &format!("title={TITLE}"),
            "--template",
            "card",
            "--platform",
            "x-post",
            "--emit-svg",
        ],
    );
    // A value with `--` in a template's comment used to make the SVG
    // malformed ("comment contains '--'") and the asset fail.
    assert_eq!(r.code, 0, "{}", r.stderr);
    written_only_to_out(dir.path(), INPUTS);
    let base = dir.path().join("out/o-neil-sons-marquee-title-marquee");
    let svg = std::fs::read_to_string(base.join("card-x-post.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("the filled SVG is well-formed");

    // Each value reads back exactly as given: markup in it is text, and the
    // placeholders in it are not substituted.
    let text_of = |tag: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name(tag))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(text_of("title"), ORG);
    // In a CDATA section too (the value used to read "&quot;" there).
    assert_eq!(text_of("desc"), STORY);
    let label = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("label"))
        .unwrap();
    assert_eq!(label.text(), Some(TITLE));
    assert_eq!(label.attribute("aria-label"), Some(TITLE));
    assert_eq!(label.attribute("data-note"), Some(TITLE));
    assert_eq!(slot_text(&doc, "story"), STORY);
    assert_eq!(slot_text(&doc, "org"), ORG);
    // Nothing a value holds became an element or an attribute.
    assert!(!doc.descendants().any(|n| n.has_tag_name("marquee")
        || n.attributes().any(|a| a.name() == "onload")
        || n.has_tag_name("svg") && n != doc.root_element()));
    // A comment is not a place for values: its placeholder is left inert.
    let comments: Vec<&str> = doc
        .descendants()
        .filter(|n| n.is_comment())
        .map(|n| n.text().unwrap_or_default())
        .collect();
    assert_eq!(comments, [" made for { {org}} "]);

    // The sidecars are plain text: the values as given, substituted once.
    assert_eq!(
        std::fs::read_to_string(base.join("card-x-post.png.alt.txt")).unwrap(),
        format!("Card from {ORG}: {TITLE}")
    );
    let caption = std::fs::read_to_string(base.join("card-x-post.png.caption.txt")).unwrap();
    assert!(
        caption.starts_with(&format!("{STORY} — {ORG}")),
        "{caption}"
    );
}

#[test]
fn values_in_a_batch_stay_text_in_file_names_the_report_and_the_review_page() {
    let dir = tempfile::tempdir().unwrap();
    card(dir.path());
    let rows = serde_json::json!([{
        "org": ORG,
        "story": STORY,
        "title": TITLE,
        "id": "../{{org}}/\"x'",
        "template": "card",
        "platform": "x-post",
    }]);
    std::fs::write(dir.path().join("rows.json"), rows.to_string()).unwrap();
    let r = postkit(dir.path(), &["batch", "rows.json", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut inputs = INPUTS.to_vec();
    inputs.push("rows.json");
    written_only_to_out(dir.path(), &inputs);
    // The id and the organisation are slugs: no quote, dot or brace survives.
    let png = "out/o-neil-sons-marquee-title-marquee/card-x-post-org-x.png";
    assert!(
        dir.path().join(png).is_file(),
        "{:?}",
        crate::common::files(dir.path())
    );

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/report.json")).unwrap())
            .unwrap();
    let asset = &report["assets"][0];
    assert_eq!(asset["path"], png);
    assert_eq!(asset["alt"], format!("Card from {ORG}: {TITLE}"));

    // The review page shows every value escaped, once.
    let html = std::fs::read_to_string(dir.path().join("out/index.html")).unwrap();
    let escaped = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;")
    };
    assert!(
        html.contains(&format!("<h2>{}</h2>", escaped(ORG))),
        "{html}"
    );
    assert!(html.contains(&format!(
        "<pre>{}</pre>",
        escaped(&format!("Card from {ORG}: {TITLE}"))
    )));
    for raw in ["<marquee", "<svg onload", "]]>", "\"Sons\""] {
        assert!(
            !html.contains(raw),
            "{raw} reached the review page as markup"
        );
    }
}
