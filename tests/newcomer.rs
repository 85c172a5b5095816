//! Issue 30: what a newcomer trips over, each with the real binary. A brand
//! file that does nothing, CRLF line numbers, typos passed in silence,
//! captions that say nothing, problems one at a time, shards repeating
//! errors, what a pipeline needs, and the server's messages.

mod common;

use std::path::Path;

use common::{postkit, root};

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s:?}"))
}

/// Defect 2: the kit `init` writes uses its brand.toml (its colours reach
/// the cards), and `batch --brand` gives rows without one a brand.
#[test]
fn the_init_kit_and_batch_brand_use_the_brand_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(postkit(d, &["init", "kit"]).code, 0);
    let brand = std::fs::read_to_string(d.join("kit/brand.toml")).unwrap();
    let brand = brand.replace("# primary = \"#0E3B5C\"", "primary = \"#AB1234\"");
    assert!(brand.contains("primary = \"#AB1234\""), "{brand}");
    std::fs::write(d.join("kit/brand.toml"), brand).unwrap();
    let args = ["--platform", "x-post", "--emit-svg", "--quiet"];
    let r = postkit(
        d,
        &[&["batch", "kit/batch.csv", "--out", "o1"][..], &args].concat(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let svg = std::fs::read_to_string(d.join("o1/plymouth-welcome-hub/story-quote-x-post-1.svg"))
        .unwrap();
    assert!(svg.contains("#AB1234"), "the brand colour is used");

    // A sheet with no brand column, and --brand from the working folder.
    std::fs::write(
        d.join("rows.csv"),
        "org,story,platform\nHub,We cook.,x-post\n",
    )
    .unwrap();
    let r = postkit(
        d,
        &[
            &[
                "batch",
                "rows.csv",
                "--out",
                "o2",
                "--brand",
                "kit/brand.toml",
            ][..],
            &args,
        ]
        .concat(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let svg = std::fs::read_to_string(d.join("o2/hub/story-quote-x-post.svg")).unwrap();
    assert!(svg.contains("#AB1234"));
    let r = postkit(
        d,
        &[&["batch", "rows.csv", "--out", "o3"][..], &args].concat(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let svg = std::fs::read_to_string(d.join("o3/hub/story-quote-x-post.svg")).unwrap();
    assert!(
        !svg.contains("#AB1234"),
        "without --brand, the campaign's colours"
    );
}

/// Defect 3: a bad row on line 3 is line 3, whatever ends the lines.
#[test]
fn crlf_line_numbers_are_right() {
    let dir = tempfile::tempdir().unwrap();
    for (name, end) in [("lf.csv", "\n"), ("crlf.csv", "\r\n")] {
        let csv = ["org,story,platform", "Hub,Hi,x-post", "Hub,,x-post", ""].join(end);
        std::fs::write(dir.path().join(name), csv).unwrap();
        let out = format!("{name}.out");
        let r = postkit(dir.path(), &["batch", name, "--json", "--out", &out]);
        assert_eq!(r.code, 3);
        let v = json(&r.stdout);
        let m = v["errors"][0]["message"].as_str().unwrap();
        assert!(m.starts_with("row 2 (line 3): column story"), "{name}: {m}");
    }
}

/// Defect 5: misspelt columns and fields are warned about with the name
/// meant, and are errors under --strict; handles are checked; platform
/// names get "did you mean"; lists with spaces after commas work.
#[test]
fn typos_are_pointed_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("t.csv"), "org,story,platfrom\nHub,Hi,x-post\n").unwrap();
    let r = postkit(d, &["batch", "t.csv", "--platform", "x-post", "--out", "t"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "postkit: warning: column 'platfrom' (did you mean 'platform'?): it was ignored"
        ),
        "{}",
        r.stderr
    );
    let r = postkit(
        d,
        &[
            "batch",
            "t.csv",
            "--platform",
            "x-post",
            "--out",
            "s",
            "--strict",
        ],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("--strict: unknown field 'platfrom'"),
        "{}",
        r.stderr
    );

    let base = [
        "render",
        "--org",
        "Hub",
        "--story",
        "Hi",
        "--platform",
        "x-post",
    ];
    let r = postkit(
        d,
        &[&base[..], &["--field", "evnt=Supper", "--json"]].concat(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let w = json(&r.stdout)["assets"][0]["warnings"][0].clone();
    assert!(
        w.as_str().unwrap().starts_with("unknown field 'evnt'"),
        "{w}"
    );
    let r = postkit(
        d,
        &[
            &base[..],
            &["--template", "event", "--field", "evnt=Supper", "--json"],
        ]
        .concat(),
    );
    let e = &json(&r.stdout)["errors"][0];
    assert_eq!(e["field"], "event", "{e}");

    for (tag, why) in [
        (
            "IOM UK!",
            "'@IOM UK!' is not a valid handle: ' ' is not allowed",
        ),
        ("@@x", "'@@x' is not a valid handle: write it as @name"),
    ] {
        let r = postkit(d, &[&base[..], &["--tag", tag]].concat());
        assert_eq!(r.code, 2, "{tag}");
        assert!(r.stderr.contains(why), "{}", r.stderr);
    }
    let r = postkit(
        d,
        &[&base[..], &["--tag", "name.bsky.social", "--quiet"]].concat(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = postkit(
        d,
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--platform",
            "x-pots",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("unknown platform 'x-pots' (did you mean 'x-post'?)"),
        "{}",
        r.stderr
    );
    let r = postkit(
        d,
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--template",
            "evnt",
        ],
    );
    assert!(r.stderr.contains("(did you mean 'event'?)"), "{}", r.stderr);
    let r = postkit(
        d,
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--platform",
            "x-post, instagram-square",
            "--template",
            "story-quote, supporter-badge",
            "--out",
            "lists",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 4, "{}", r.stdout);
}

/// Defect 6: the captions of event, countdown and badge cards say what
/// their alt text says.
#[test]
fn captions_say_what_the_card_says() {
    let dir = tempfile::tempdir().unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Plymouth Welcome Hub",
            "--template",
            "event,countdown,supporter-badge",
            "--platform",
            "x-post",
            "--date",
            "2026-12-12",
            "--field",
            "event=Welcome Supper",
            "--field",
            "event_date=Friday 18 December",
            "--field",
            "place=St Andrew's Hall",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r.stdout);
    let caption = |t: &str| {
        let a = v["assets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["template"] == t);
        a.unwrap()["caption"].as_str().unwrap().to_string()
    };
    assert!(
        caption("event").starts_with(
            "Welcome Supper: Friday 18 December, St Andrew's Hall. — Plymouth Welcome Hub"
        ),
        "{}",
        caption("event")
    );
    assert!(
        caption("countdown").starts_with("6 days to #MigrantsDay"),
        "{}",
        caption("countdown")
    );
    assert!(
        caption("supporter-badge").starts_with("Plymouth Welcome Hub supports #ItTakesACommunity"),
        "{}",
        caption("supporter-badge")
    );
    // A tag the lead already says is not repeated in the tail.
    assert_eq!(caption("countdown").matches("#MigrantsDay").count(), 1);
}

/// Defect 7: every missing field of a row at once, once for the row.
#[test]
fn missing_fields_come_all_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = postkit(
        d,
        &[
            "render",
            "--org",
            "Hub",
            "--template",
            "event",
            "--field",
            "event=Supper",
        ],
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "postkit: the event template needs event_date and place, which are not given: give --field event_date=… and --field place=…"
    );
    std::fs::write(
        d.join("e.csv"),
        "org,template,platform,event\nHub,event,all,Supper\n",
    )
    .unwrap();
    let r = postkit(d, &["batch", "e.csv", "--json"]);
    assert_eq!(r.code, 3);
    let v = json(&r.stdout);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0]["message"],
        "row 1 (line 2): column event_date: the event template needs event_date and place, which are not given"
    );
}

/// Defect 8: the shards' reports add up to the unsharded run's errors.
#[test]
fn shards_report_each_row_error_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut csv = String::from("org,story,platform\n");
    for i in 0..9 {
        match i % 3 {
            0 => csv.push_str(&format!("Org {i},,x-post\n")),
            _ => csv.push_str(&format!("Org {i},A story.,x-post;bluesky\n")),
        }
    }
    std::fs::write(d.join("r.csv"), csv).unwrap();
    let count = |args: &[&str]| {
        let r = postkit(
            d,
            &[&["batch", "r.csv", "--json", "--quiet"][..], args].concat(),
        );
        json(&r.stdout)["errors"].as_array().unwrap().len()
    };
    let whole = count(&["--out", "whole"]);
    assert_eq!(whole, 3);
    let mut sharded = 0;
    for i in 1..=4 {
        sharded += count(&["--out", "sharded", "--shard", &format!("{i}/4")]);
    }
    assert_eq!(sharded, whole);
}

/// Defect 9: what a pipeline needs from the command line.
#[test]
fn pipelines_get_json_rows_and_places() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // --json on bad input: still one JSON document.
    for args in [
        &["render", "--org", "Hub", "--json"][..],
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--platform",
            "nope",
            "--json",
        ],
        &[
            "render",
            "--org",
            "Hub",
            "--story-file",
            "missing.txt",
            "--json",
        ],
    ] {
        let r = postkit(d, args);
        assert_ne!(r.code, 0);
        let v = json(&r.stdout);
        assert_eq!(v["assets"].as_array().unwrap().len(), 0);
        assert!(
            !v["errors"][0]["message"].as_str().unwrap().is_empty(),
            "{v}"
        );
    }
    let r = postkit(d, &["render", "--org", "Hub", "--json"]);
    assert_eq!(json(&r.stdout)["errors"][0]["field"], "story");

    // Batch entries carry their row and id; a render-time error its row,
    // line and column; numbers are rounded.
    let long = "word ".repeat(800);
    let csv = format!("org,story,id,platform\nHub,Hi,first,x-post\nHub,{long},,x-post\n");
    std::fs::write(d.join("b.csv"), csv).unwrap();
    let r = postkit(d, &["batch", "b.csv", "--json"]);
    assert_eq!(r.code, 3);
    let v = json(&r.stdout);
    assert_eq!(v["assets"][0]["row"], 1);
    assert_eq!(v["assets"][0]["id"], "first");
    let m = v["errors"][0]["message"].as_str().unwrap();
    assert!(
        m.starts_with("row 2 (line 3), column story: the story text does not fit"),
        "{m}"
    );
    let size = v["assets"][0]["slots"][0]["font_size"].as_f64().unwrap();
    assert_eq!((size * 100.0).round() / 100.0, size);
    assert!(
        r.stdout
            .lines()
            .all(|l| !l.contains("99999") && !l.contains("00000")),
        "{}",
        r.stdout
    );
}

/// Defect 11: `--organisation` is understood, `--platforms NAME` points to
/// `--platform`, and `serve --bind` says what it needs.
#[test]
fn messages_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = postkit(
        d,
        &[
            "render",
            "--organisation",
            "Hub",
            "--story",
            "Hi",
            "--platform",
            "x-post",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = postkit(
        d,
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--platforms",
            "x-post",
        ],
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "postkit: --platforms takes a file of platform presets (TOML); to choose platforms, use --platform x-post"
    );
    #[cfg(feature = "serve")]
    {
        let r = postkit(d, &["serve", "--bind", "8080"]);
        assert_eq!(r.code, 2);
        assert_eq!(
            r.stderr.trim(),
            "postkit: --bind 8080: give HOST:PORT, for example 127.0.0.1:8080 (port 0 picks a free port)"
        );
        // A port in use.
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = taken.local_addr().unwrap().to_string();
        let r = postkit(d, &["serve", "--bind", &addr]);
        assert_eq!(r.code, 1);
        assert!(
            r.stderr
                .contains(&format!("--bind {addr}: that port is already in use")),
            "{}",
            r.stderr
        );
    }
    let _ = root();
    let _ = Path::new(".");
}

/// Defect 9, the API: GET /api/render is a JSON 405; a zip with failed
/// sizes says so in a header; numbers are rounded; a missing photo is
/// asked for as the form's field, not as --photo.
#[cfg(feature = "serve")]
#[test]
fn the_api_answers_pipelines_plainly() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_postkit"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = common::first_line(&mut child);
    let base = line
        .trim()
        .strip_prefix("postkit: serving on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    let url = format!("{base}api/render");
    // (status, headers, body) of one curl call.
    let curl = |args: &[&str]| {
        let o = Command::new("curl")
            .args(["-s", "-D", "-", "--max-time", "120"])
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout).to_string();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        (head.to_ascii_lowercase(), body.to_string())
    };
    let (head, body) = curl(&[&url]);
    assert!(head.starts_with("http/1.1 405"), "{head}");
    assert!(head.contains("allow: post"), "{head}");
    assert_eq!(
        json(&body)["error"]["message"],
        "/api/render takes POST, not GET"
    );

    let (head, body) = curl(&["-F", "org=Hub", "-F", "template=photo-story", &url]);
    assert!(head.starts_with("http/1.1 400"), "{head}");
    let e = &json(&body)["error"];
    assert_eq!(e["field"], "photo");
    assert!(!e["message"].as_str().unwrap().contains("--"), "{e}");

    let (head, body) = curl(&[
        "-F",
        "org=Hub",
        "-F",
        "story=We cook.",
        "-F",
        "platform=x-post",
        &url,
    ]);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let size = json(&body)["assets"][0]["slots"][0]["font_size"].clone();
    let size = size.as_f64().unwrap();
    assert!(format!("{size}").len() <= 6, "{size}");

    let long = format!("story={}", "word ".repeat(800));
    let zip = dir.path().join("kit.zip");
    let zip_arg = zip.display().to_string();
    let (head, _) = curl(&[
        "-H",
        "Accept: application/zip",
        "-F",
        "org=Hub",
        "-F",
        &long,
        "-F",
        "platform=x-post",
        "-F",
        "template=story-quote",
        "-F",
        "template=supporter-badge",
        "-o",
        &zip_arg,
        &url,
    ]);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("x-postkit-failed: 1"), "{head}");
    assert!(
        head.contains("x-postkit-failed-assets: story-quote/x-post"),
        "{head}"
    );
    let _ = child.kill();
    let _ = child.wait();
}
