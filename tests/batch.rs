//! `postkit batch`: spreadsheets in, every asset out, in parallel,
//! incrementally, with a report, a review page and contact sheets.

mod common;

use std::path::Path;

use common::{decode, files, postkit, root};

const CSV: &str = "# partners for the test
org,story,logo,platform
Plymouth Welcome Hub,\"When we arrived we knew nobody. Now our neighbours teach us to bake.\",logo.png,instagram-square;x-post
Українська громада,\"Коли ми приїхали, бібліотека стала нашим другим домом.\",,x-post
مركز الترحيب,\"عندما وصلنا لم نكن نعرف أحداً. الآن جيراننا أصدقاؤنا.\",,instagram-story
";

const JSON: &str = r#"[
 {"org": "Plymouth Welcome Hub", "story": "When we arrived we knew nobody. Now our neighbours teach us to bake.", "logo": "logo.png", "platform": ["instagram-square", "x-post"]},
 {"org": "Українська громада", "story": "Коли ми приїхали, бібліотека стала нашим другим домом.", "logo": null, "platform": "x-post"},
 {"org": "مركز الترحيب", "story": "عندما وصلنا لم نكن نعرف أحداً. الآن جيراننا أصدقاؤنا.", "platform": "instagram-story"}
]"#;

const TOML: &str = r#"
[[row]]
org = "Plymouth Welcome Hub"
story = "When we arrived we knew nobody. Now our neighbours teach us to bake."
logo = "logo.png"
platform = ["instagram-square", "x-post"]

[[row]]
org = "Українська громада"
story = "Коли ми приїхали, бібліотека стала нашим другим домом."
platform = "x-post"

[[row]]
org = "مركز الترحيب"
story = "عندما وصлنا لم نكن نعرف أحداً. الآن جيراننا أصدقاؤنا."
platform = "instagram-story"
"#;

fn setup(dir: &Path, name: &str, body: &str) {
    std::fs::create_dir_all(dir.join("in")).unwrap();
    std::fs::copy(root().join("examples/logo.png"), dir.join("in/logo.png")).unwrap();
    std::fs::write(dir.join("in").join(name), body).unwrap();
}

fn assets(dir: &Path) -> Vec<String> {
    files(dir)
        .into_iter()
        .filter(|f| f.ends_with(".png") && !f.ends_with("contact-sheet.png"))
        .collect()
}

#[test]
fn csv_json_and_toml_give_the_same_assets() {
    let mut outputs = Vec::new();
    for (name, body) in [("p.csv", CSV), ("p.json", JSON), ("p.toml", TOML)] {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path(), name, body);
        let r = postkit(dir.path(), &["batch", &format!("in/{name}"), "--quiet"]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        let out = dir.path().join("out");
        let list = assets(&out);
        assert_eq!(
            list,
            [
                "plymouth-welcome-hub/story-quote-instagram-square.png",
                "plymouth-welcome-hub/story-quote-x-post.png",
                "українська-громада/story-quote-x-post.png",
                "مركز-الترحيب/story-quote-instagram-story.png",
            ],
            "{name}"
        );
        // Alt text and caption beside every asset; a contact sheet per organisation.
        for a in &list {
            assert!(out.join(format!("{a}.alt.txt")).is_file(), "{a}");
            assert!(out.join(format!("{a}.caption.txt")).is_file(), "{a}");
        }
        for org in ["plymouth-welcome-hub", "українська-громада", "مركز-الترحيب"]
        {
            assert!(decode(&out.join(org).join("contact-sheet.png")).width() > 300);
        }
        outputs.push(
            list.iter()
                .map(|a| std::fs::read(out.join(a)).unwrap())
                .collect::<Vec<_>>(),
        );
    }
    // The TOML's Arabic story differs by one letter: only that asset differs.
    assert_eq!(outputs[0], outputs[1], "CSV and JSON give identical bytes");
    assert_eq!(outputs[0][..3], outputs[2][..3]);
    assert_ne!(outputs[0][3], outputs[2][3]);
}

#[test]
fn the_report_matches_the_render_schema_and_the_files() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "p.csv", CSV);
    let r = postkit(dir.path(), &["batch", "in/p.csv", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let stdout: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/report.json")).unwrap())
            .unwrap();
    assert_eq!(stdout, file);
    let assets = file["assets"].as_array().unwrap();
    assert_eq!(assets.len(), 4);
    for a in assets {
        for key in [
            "path", "template", "platform", "width", "height", "bytes", "slots", "warnings", "alt",
            "caption",
        ] {
            assert!(a.get(key).is_some(), "{key} missing in {a}");
        }
        let path = dir.path().join(a["path"].as_str().unwrap());
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            a["bytes"].as_u64().unwrap()
        );
        assert!(!a["alt"].as_str().unwrap().is_empty());
    }
    assert_eq!(file["errors"], serde_json::json!([]));
}

#[test]
fn bad_rows_are_reported_by_row_and_column_and_the_rest_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let long = "word ".repeat(800);
    let csv = format!(
        "org,story,logo,template,platform
Good Org,A fine story.,,,x-post
,No organisation here.,,,x-post
No Story Org,,,,x-post
Bad Logo Org,A story.,missing.png,,x-post
Bad Template Org,A story.,,fancy,x-post
Bad Platform Org,A story.,,,myspace
Long Org,{long},,,x-post
Bad Tag Org,A story.,,,x-post
"
    );
    std::fs::create_dir_all(dir.path().join("in")).unwrap();
    std::fs::write(dir.path().join("in/p.csv"), csv).unwrap();
    std::fs::write(
        dir.path().join("in/q.csv"),
        "org,story,hashtags\nTag Org,A story.,#migrants-day\nCase Org,A story.,#ittakesacommunity\n",
    )
    .unwrap();
    let r = postkit(dir.path(), &["batch", "in/p.csv", "--json"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let messages: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"row 2 (line 3): column org: is empty; give the organisation's name"),
        "{messages:?}"
    );
    assert!(
        messages.contains(
            &"row 3 (line 4): column story: is empty; every row for these templates needs a story"
        ),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m
            .starts_with("row 4 (line 5): column logo: cannot read the logo ")
            && m.contains("missing.png")),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"row 5 (line 6): column template: unknown template 'fancy'; built-in templates: story-quote, photo-story, event, countdown, supporter-badge, ambassador, blog-header, video-cover (or give a template folder or .svg file)"),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("row 6 (line 7): column platform: unknown platform 'myspace'")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(
            |m| m.starts_with("row 7 (line 8), column story: the story text does not fit the story-quote template on x-post")
        ),
        "{messages:?}"
    );
    let long_err = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["org"] == "Long Org")
        .unwrap();
    assert_eq!(long_err["row"], 7);
    // The good rows were written.
    let list = assets(&dir.path().join("out"));
    assert_eq!(
        list,
        [
            "bad-tag-org/story-quote-x-post.png",
            "good-org/story-quote-x-post.png"
        ]
    );
    // stderr names the file and row.
    assert!(
        r.stderr
            .contains("postkit: error: in/p.csv: row 2 (line 3): column org: is empty"),
        "{}",
        r.stderr
    );

    let r = postkit(dir.path(), &["batch", "in/q.csv", "--json", "--out", "q"]);
    assert_eq!(r.code, 3);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["errors"][0]["message"],
        "row 1 (line 2): column hashtags: '#migrants-day' is not a valid hashtag: '-' is not allowed (use letters, digits and _; no spaces or punctuation)"
    );
    assert_eq!(v["assets"][0]["warnings"][0], "hashtag '#ittakesacommunity' is hard for screen readers; capitalise each word, e.g. #ItTakesACommunity");
}

#[test]
fn fail_fast_stops_at_the_first_failure() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.csv"), "org,story\nA,\nB,fine\n").unwrap();
    let r = postkit(dir.path(), &["batch", "p.csv", "--fail-fast"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains("(stopped at the first failure)"),
        "{}",
        r.stderr
    );
    assert!(assets(&dir.path().join("out")).is_empty());
}

#[test]
fn reruns_are_incremental_and_force_re_renders() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "p.csv", CSV);
    let r = postkit(dir.path(), &["batch", "in/p.csv"]);
    assert!(
        r.stderr.contains("4 written, 0 unchanged, 0 failed"),
        "{}",
        r.stderr
    );
    let r = postkit(dir.path(), &["batch", "in/p.csv"]);
    assert!(
        r.stderr.contains("0 written, 4 unchanged, 0 failed"),
        "{}",
        r.stderr
    );
    // Change one story: only its asset is rendered again.
    let changed = CSV.replace("бібліотека стала", "бібліотека швидко стала");
    std::fs::write(dir.path().join("in/p.csv"), changed).unwrap();
    let r = postkit(dir.path(), &["batch", "in/p.csv"]);
    assert!(
        r.stderr.contains("1 written, 3 unchanged, 0 failed"),
        "{}",
        r.stderr
    );
    // A deleted output is rendered again.
    std::fs::remove_file(
        dir.path()
            .join("out/plymouth-welcome-hub/story-quote-x-post.png"),
    )
    .unwrap();
    let r = postkit(dir.path(), &["batch", "in/p.csv"]);
    assert!(
        r.stderr.contains("1 written, 3 unchanged, 0 failed"),
        "{}",
        r.stderr
    );
    // Files cut short (as a power cut before the disk caught up could
    // leave them) are rendered again: an empty image, a truncated caption.
    let asset = dir
        .path()
        .join("out/plymouth-welcome-hub/story-quote-x-post.png");
    std::fs::write(&asset, b"").unwrap();
    let caption = dir
        .path()
        .join("out/plymouth-welcome-hub/story-quote-x-post.png.caption.txt");
    let text = std::fs::read_to_string(&caption).unwrap();
    std::fs::write(&caption, &text[..text.len() / 2]).unwrap();
    let other = dir
        .path()
        .join("out/plymouth-welcome-hub/story-quote-instagram-square.png.alt.txt");
    let alt = std::fs::read(&other).unwrap();
    std::fs::write(&other, &alt[..alt.len() - 1]).unwrap();
    let r = postkit(dir.path(), &["batch", "in/p.csv"]);
    assert!(
        r.stderr.contains("2 written, 2 unchanged, 0 failed"),
        "{}",
        r.stderr
    );
    assert!(std::fs::read(&asset).unwrap().starts_with(b"\x89PNG"));
    assert_eq!(std::fs::read_to_string(&caption).unwrap(), text);
    assert_eq!(std::fs::read(&other).unwrap(), alt);
    let r = postkit(dir.path(), &["batch", "in/p.csv", "--force"]);
    assert!(
        r.stderr.contains("4 written, 0 unchanged, 0 failed"),
        "{}",
        r.stderr
    );
    // Nothing half-written is ever left behind.
    assert!(files(dir.path()).iter().all(|f| !f.ends_with(".tmp")));
}

#[test]
fn shards_add_up_to_the_whole_run_and_jobs_do_not_change_bytes() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "p.csv", CSV);
    let r = postkit(
        dir.path(),
        &["batch", "in/p.csv", "--out", "full", "--jobs", "1"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let full = assets(&dir.path().join("full"));
    let mut union = Vec::new();
    for i in 1..=3 {
        let shard = format!("{i}/3");
        let r = postkit(
            dir.path(),
            &[
                "batch", "in/p.csv", "--out", "sharded", "--shard", &shard, "--jobs", "2",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(dir
            .path()
            .join(format!("sharded/report-{i}-of-3.json"))
            .is_file());
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(format!("sharded/report-{i}-of-3.json")))
                .unwrap(),
        )
        .unwrap();
        union.extend(
            v["assets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["path"].as_str().unwrap().to_string()),
        );
    }
    union.sort();
    let expected: Vec<String> = full.iter().map(|a| format!("sharded/{a}")).collect();
    assert_eq!(union, expected, "each asset in exactly one shard");
    for a in &full {
        let x = std::fs::read(dir.path().join("full").join(a)).unwrap();
        let y = std::fs::read(dir.path().join("sharded").join(a)).unwrap();
        assert!(x == y, "{a} differs between --jobs 1 and --jobs 2");
    }
    // The shards' folder, run again unsharded, is complete: nothing to render.
    let r = postkit(dir.path(), &["batch", "in/p.csv", "--out", "sharded"]);
    assert!(
        r.stderr.contains("0 written, 4 unchanged, 0 failed"),
        "{}",
        r.stderr
    );
    assert!(dir.path().join("sharded/index.html").is_file());
    let r = postkit(dir.path(), &["batch", "in/p.csv", "--shard", "4/3"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("'4/3' is not a shard; write I/N with 1 <= I <= N"),
        "{}",
        r.stderr
    );
}

#[test]
fn formats_follow_the_platform_and_its_byte_cap() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "p.csv", CSV);
    let r = postkit(
        dir.path(),
        &["batch", "in/p.csv", "--format", "auto", "--json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list: Vec<String> = files(&dir.path().join("out"))
        .into_iter()
        .filter(|f| {
            !f.contains(".txt")
                && !f.ends_with(".json")
                && !f.ends_with(".html")
                && !f.contains("contact-sheet")
                && !f.starts_with('.')
        })
        .collect();
    assert!(
        list.contains(&"plymouth-welcome-hub/story-quote-instagram-square.jpg".to_string()),
        "{list:?}"
    );
    assert!(
        list.contains(&"plymouth-welcome-hub/story-quote-x-post.png".to_string()),
        "{list:?}"
    );
    let jpg = dir
        .path()
        .join("out/plymouth-welcome-hub/story-quote-instagram-square.jpg");
    assert_eq!(
        image::ImageReader::open(&jpg)
            .unwrap()
            .with_guessed_format()
            .unwrap()
            .format(),
        Some(image::ImageFormat::Jpeg)
    );

    // A cap that no quality meets (2 KB for a 1080 x 1080 card): quality
    // steps down to 50 and a warning says it could not fit; one that a
    // lower quality meets (100 KB): no warning, and the file is under it.
    std::fs::write(
        dir.path().join("tiny.toml"),
        "[[platform]]\nname = \"tiny\"\nwidth = 1080\nheight = 1080\nmax_bytes = 2000\nformat = \"jpeg\"\n\n[[platform]]\nname = \"small\"\nwidth = 1080\nheight = 1080\nmax_bytes = 100000\nformat = \"jpeg\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("in/q.csv"),
        "org,story\nHub,A short story.\n",
    )
    .unwrap();
    let r = postkit(
        dir.path(),
        &[
            "batch",
            "in/q.csv",
            "--platforms",
            "tiny.toml",
            "--platform",
            "tiny,small",
            "--format",
            "jpeg",
            "--out",
            "t",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let asset = |platform: &str| {
        v["assets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["platform"] == platform)
            .unwrap()
            .clone()
    };
    let (tiny, small) = (asset("tiny"), asset("small"));
    let warnings = |a: &serde_json::Value| -> Vec<String> {
        let w = a["warnings"].as_array().unwrap();
        w.iter().map(|w| w.as_str().unwrap().to_string()).collect()
    };
    let tiny_bytes = tiny["bytes"].as_u64().unwrap();
    assert!(tiny_bytes > 2000, "{tiny_bytes} bytes");
    assert!(
        warnings(&tiny)
            .iter()
            .any(|w| w.starts_with("the JPEG at quality 50 is")),
        "{:?}",
        warnings(&tiny)
    );
    assert_eq!(tiny["diagnostics"][0]["kind"], "over_byte_cap");
    // Quality 50 is the smallest the encoder goes: smaller than the file
    // the 100 KB cap allowed.
    let small_bytes = small["bytes"].as_u64().unwrap();
    assert!(small_bytes <= 100000, "{small_bytes} bytes");
    assert!(tiny_bytes < small_bytes, "{tiny_bytes} vs {small_bytes}");
    assert!(warnings(&small).is_empty(), "{:?}", warnings(&small));
}

#[test]
fn the_review_page_loads_every_image_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "p.csv", CSV);
    let r = postkit(dir.path(), &["batch", "in/p.csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let index = dir.path().join("out/index.html");
    let html = std::fs::read_to_string(&index).unwrap();
    assert!(html.contains("Українська громада") || html.contains("українська-громада"));
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect(
            "headless Chromium is needed for this test: run .ci/run, or apt-get install chromium",
        );
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.path().display()),
            "--virtual-time-budget=10000",
            "--dump-dom",
            &format!("file://{}", index.display()),
        ])
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let body = dom
        .split("<body")
        .nth(1)
        .and_then(|b| b.split('>').next())
        .unwrap_or_default();
    assert!(body.contains("data-images=\"4\""), "images counted: {body}");
    assert!(body.contains("data-loaded=\"4\""), "images loaded: {body}");
}

#[test]
fn init_scaffolds_a_kit_that_renders_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(dir.path(), &["init", "kit"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        files(&dir.path().join("kit")),
        [
            "README.txt",
            "batch.csv",
            "batch.xlsx",
            "brand.toml",
            "logo.png"
        ]
    );
    let r = postkit(
        dir.path(),
        &[
            "batch",
            "kit/batch.csv",
            "--out",
            "kit/out",
            "--platform",
            "x-post",
            "--quiet",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = postkit(dir.path(), &["init", "kit"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("kit/batch.csv: already exists; postkit init never overwrites"),
        "{}",
        r.stderr
    );
}

#[test]
fn malformed_batch_files_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), "[{\"org\": \"x\",}]").unwrap();
    let r = postkit(dir.path(), &["batch", "a.json"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr.trim(),
        "postkit: a.json: line 1, column 14: trailing comma; the file must be an array of objects"
    );
    std::fs::write(dir.path().join("b.csv"), "org,story\n\"unclosed,x\n").unwrap();
    std::fs::write(dir.path().join("c.csv"), "name,story\nx,y\n").unwrap();
    let r = postkit(dir.path(), &["batch", "c.csv"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr.trim(), "postkit: c.csv: the header row has no 'org' (or 'brand') column; columns found: name, story");
    std::fs::write(dir.path().join("d.toml"), "[[rows]]\norg = 1\n").unwrap();
    let r = postkit(dir.path(), &["batch", "d.toml"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with("postkit: d.toml: ") && r.stderr.contains("rows are [[row]] tables"),
        "{}",
        r.stderr
    );
    std::fs::write(dir.path().join("e.xlsx"), "x").unwrap();
    let r = postkit(dir.path(), &["batch", "e.xlsx"]);
    assert_eq!(r.code, 1);
    // A workbook now (issue 29): one that is not a zip is damaged.
    assert!(
        r.stderr
            .contains("e.xlsx: is not a workbook postkit can read")
            && r.stderr.contains("it may be damaged or cut short"),
        "{}",
        r.stderr
    );
}

#[test]
fn large_organisations_get_paged_contact_sheets_and_reports_keep_their_order() {
    // 13 stories of one organisation at 2 sizes: 26 assets, more than one
    // contact sheet holds. Reports are streamed through a temporary file;
    // their order (and bytes) must not depend on the number of threads.
    let mut csv = String::from("org,story,platform\n");
    for i in 1..=13 {
        csv.push_str(&format!(
            "Leeds Library,\"Story number {i}: the library became our second home.\",bluesky;x-post\n"
        ));
    }
    let mut reports = Vec::new();
    for jobs in ["1", "2"] {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path(), "p.csv", &csv);
        let r = postkit(
            dir.path(),
            &[
                "batch", "in/p.csv", "--out", "out", "--jobs", jobs, "--quiet",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let org = dir.path().join("out/leeds-library");
        assert!(decode(&org.join("contact-sheet.png")).height() > 1000);
        assert!(org.join("contact-sheet-2.png").is_file(), "a second sheet");
        assert!(!org.join("contact-sheet-3.png").exists());
        let index = std::fs::read_to_string(dir.path().join("out/index.html")).unwrap();
        assert!(index.contains("href=\"leeds-library/contact-sheet-2.png\">Contact sheet 2</a>"));
        // No temporary file is left behind.
        assert!(files(dir.path()).iter().all(|f| !f.contains(".tmp")));
        let read = |name: &str| std::fs::read(dir.path().join("out").join(name)).unwrap();
        let report: serde_json::Value = serde_json::from_slice(&read("report.json")).unwrap();
        assert_eq!(report["assets"].as_array().unwrap().len(), 26);
        reports.push((read("report.json"), read(".postkit-manifest.json")));
    }
    assert!(
        reports[0].0 == reports[1].0,
        "report.json differs with --jobs"
    );
    assert!(
        reports[0].1 == reports[1].1,
        "the manifest differs with --jobs"
    );
}

/// Written files that cannot be flushed to the disk (injected in debug
/// builds) keep the manifest as it was, with a warning that says so: the
/// next run renders those assets again instead of trusting them.
#[test]
fn files_that_cannot_be_flushed_are_not_recorded_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "p.csv", CSV);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_postkit"))
        .args(["batch", "in/p.csv"])
        .current_dir(dir.path())
        .env("POSTKIT_FAILPOINT_SYNC", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("postkit: warning: could not flush the files written to the disk (cannot write out: injected failure (POSTKIT_FAILPOINT_SYNC)), so the manifest was not updated: the next run renders again what this run wrote"),
        "{stderr}"
    );
    assert!(
        stderr.contains("4 written, 0 unchanged, 0 failed"),
        "{stderr}"
    );
    assert!(!dir.path().join("out/.postkit-manifest.json").exists());
    // Nothing was recorded, so everything is rendered again; then the
    // manifest is there and the next run renders nothing.
    let r = postkit(dir.path(), &["batch", "in/p.csv"]);
    assert!(
        r.stderr.contains("4 written, 0 unchanged, 0 failed"),
        "{}",
        r.stderr
    );
    let r = postkit(dir.path(), &["batch", "in/p.csv"]);
    assert!(
        r.stderr.contains("0 written, 4 unchanged, 0 failed"),
        "{}",
        r.stderr
    );
}
