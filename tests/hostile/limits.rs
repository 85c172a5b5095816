//! Limits: inputs built to be just past what postkit reads or renders are
//! refused by name, before they cost memory or time, and nothing is written.

use std::path::Path;

use postkit::images::{MAX_SVG_BYTES, MAX_SVG_ELEMENTS};
use postkit::platform::MAX_SIDE;
use postkit::raster::MAX_PIXELS;
use postkit::template::slots::MAX_ELEMENTS;

use crate::common::{decode, postkit};
use crate::{lines, nothing_written, render_with, template, written_only_to_out};

/// An SVG logo of exactly `bytes` bytes: a square, padded with a comment.
fn svg_logo(path: &Path, bytes: usize) {
    let head = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><!--";
    let tail = "--><rect width=\"10\" height=\"10\" fill=\"#123456\"/></svg>";
    let pad = "a".repeat(bytes - head.len() - tail.len());
    std::fs::write(path, format!("{head}{pad}{tail}")).unwrap();
}

fn render_logo(dir: &Path, logo: &str) -> crate::common::Run {
    postkit(
        dir,
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--logo",
            logo,
            "--template",
            "supporter-badge",
            "--platform",
            "x-post",
        ],
    )
}

#[test]
fn an_svg_logo_one_byte_over_the_limit_is_refused_with_both_sizes() {
    let dir = tempfile::tempdir().unwrap();
    svg_logo(&dir.path().join("big.svg"), MAX_SVG_BYTES + 1);
    let r = render_logo(dir.path(), "big.svg");
    assert_eq!(r.code, 1, "{}", r.stderr);
    // 5 MB + 1 byte reads "5.1 MB", never "5 MB; the limit is 5 MB".
    assert_eq!(
        lines(&r.stderr),
        ["postkit: logo big.svg: is an SVG of 5.1 MB; the limit is 5 MB: simplify it (or remove embedded pictures) or use a PNG"]
    );
    nothing_written(dir.path(), &["big.svg"]);

    // At the limit exactly, it is drawn.
    svg_logo(&dir.path().join("big.svg"), MAX_SVG_BYTES);
    let r = render_logo(dir.path(), "big.svg");
    assert_eq!(r.code, 0, "{}", r.stderr);
    written_only_to_out(dir.path(), &["big.svg"]);
    assert!(dir
        .path()
        .join("out/hub/supporter-badge-x-post.png")
        .is_file());
}

#[test]
fn an_svg_logo_over_the_element_limit_is_refused_and_end_tags_are_not_elements() {
    let dir = tempfile::tempdir().unwrap();
    let svg = |body: String| {
        format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">{body}</svg>")
    };
    std::fs::write(
        dir.path().join("many.svg"),
        svg("<rect width=\"1\" height=\"1\"/>".repeat(MAX_SVG_ELEMENTS)),
    )
    .unwrap();
    let r = render_logo(dir.path(), "many.svg");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        lines(&r.stderr),
        [format!(
            "postkit: logo many.svg: is an SVG with about {} elements; the limit is {MAX_SVG_ELEMENTS}: simplify it or use a PNG",
            MAX_SVG_ELEMENTS + 1
        )]
    );
    nothing_written(dir.path(), &["many.svg"]);

    // As many groups, each with its end tag and a comment: half the limit
    // of elements, so it is drawn (end tags and comments used to count).
    std::fs::write(
        dir.path().join("groups.svg"),
        svg(format!(
            "{}<rect width=\"10\" height=\"10\"/>",
            "<g><!-- a --></g>".repeat(MAX_SVG_ELEMENTS / 2)
        )),
    )
    .unwrap();
    let r = render_logo(dir.path(), "groups.svg");
    assert_eq!(r.code, 0, "{}", r.stderr);
    written_only_to_out(dir.path(), &["many.svg", "groups.svg"]);
}

#[test]
fn a_template_over_the_element_limit_is_refused_by_count_or_before_it_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    // The root, MAX_ELEMENTS groups and the slot.
    let t = template(dir.path(), &"<g/>".repeat(MAX_ELEMENTS));
    let r = render_with(dir.path(), &t);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        lines(&r.stderr),
        [format!(
            "postkit: template evil/square.svg: has {} elements; the limit is {MAX_ELEMENTS}: simplify it (flatten patterns, merge paths)",
            MAX_ELEMENTS + 2
        )]
    );
    nothing_written(dir.path(), &["evil/square.svg"]);

    // Ten times past it: the parser stops early instead of building the tree.
    let t = template(dir.path(), &"<g/>\n".repeat(MAX_ELEMENTS * 10));
    let r = render_with(dir.path(), &t);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        lines(&r.stderr),
        [format!(
            "postkit: template evil/square.svg: has more than {MAX_ELEMENTS} elements; the limit is {MAX_ELEMENTS}: simplify it (flatten patterns, merge paths)"
        )]
    );
    nothing_written(dir.path(), &["evil/square.svg"]);
}

#[test]
fn a_canvas_over_the_size_limit_is_refused_where_the_preset_is_defined() {
    // No preset that passes the platforms file can pass the renderer's limit.
    assert!(MAX_SIDE as u64 * MAX_SIDE as u64 <= MAX_PIXELS);
    let dir = tempfile::tempdir().unwrap();
    let run = |dir: &Path| {
        postkit(
            dir,
            &[
                "render",
                "--org",
                "Hub",
                "--story",
                "Hi",
                "--platforms",
                "p.toml",
                "--platform",
                "huge",
            ],
        )
    };
    // (width, height, the line the message points at)
    for (w, h, line) in [
        (MAX_SIDE + 1, 1080, 3),
        (1080, MAX_SIDE + 1, 4),
        (0, 1080, 3),
    ] {
        std::fs::write(
            dir.path().join("p.toml"),
            format!("[[platform]]\nname = \"huge\"\nwidth = {w}\nheight = {h}\n"),
        )
        .unwrap();
        let r = run(dir.path());
        assert_eq!(r.code, 1, "{w}x{h}: {}", r.stderr);
        assert_eq!(
            lines(&r.stderr),
            [format!(
                "postkit: p.toml: line {line}: platform huge is {w}x{h}; sizes must be 1 to {MAX_SIDE} px"
            )]
        );
        nothing_written(dir.path(), &["p.toml"]);
    }
}

#[test]
fn a_preview_of_a_variant_no_preset_serves_is_scaled_to_what_postkit_renders() {
    // `templates show` previews such a variant at its own size: 100000 x
    // 1000 user units used to fail with "larger than postkit renders".
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("wide");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(
        t.join("square.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1000 1000\"><rect data-slot=\"story\" x=\"100\" y=\"100\" width=\"800\" height=\"400\"/></svg>",
    )
    .unwrap();
    std::fs::write(
        t.join("strip.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100000 1000\"><rect data-slot=\"story\" x=\"100\" y=\"100\" width=\"8000\" height=\"400\"/></svg>",
    )
    .unwrap();
    let r = postkit(dir.path(), &["templates", "show", "wide"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("strip.svg  100000x1000  used for: (no preset)")
            && r.stdout.contains("  preview: out/previews/wide-strip.png"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("preview failed"), "{}", r.stdout);
    let img = decode(&dir.path().join("out/previews/wide-strip.png"));
    assert_eq!(img.dimensions(), (MAX_SIDE, 82));
    written_only_to_out(dir.path(), &["wide/square.svg", "wide/strip.svg"]);
}
