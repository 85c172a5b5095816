//! Clips (issue 24): `postkit render --platform instagram-reel` and the
//! rest of the video presets, made by the real binary and checked with
//! Debian's ffprobe and ffmpeg: the file every platform takes, the last
//! frame equal to the still, the same bytes for the same input, the errors
//! a user can meet, and golden strips of frames in English and Arabic.
//!
//! Regenerate the strips after an intended change with
//! `POSTKIT_BLESS=1 cargo test --test motion`, then look at them.
#![cfg(feature = "video")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{decode, postkit, root, STORY};

const ARABIC: &str = "عندما وصلنا إلى بليموث لم نكن نعرف أحدًا. استقبلنا المتطوعون في المحطة ووجدوا لنا بيتًا. الآن أعلّم العربية أيام السبت.";

fn ffprobe(clip: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-of", "json"])
        .args(args)
        .arg(clip)
        .output()
        .expect("ffprobe is installed (Debian ffmpeg; .ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Renders one clip of `template` for `platform`; returns its path and the
/// report's entry.
fn clip(
    dir: &Path,
    template: &str,
    platform: &str,
    story: &str,
    extra: &[&str],
) -> (PathBuf, serde_json::Value) {
    let mut args = vec![
        "render",
        "--org",
        "Plymouth Welcome Hub",
        "--story",
        story,
        "--template",
        template,
        "--platform",
        platform,
        "--date",
        "2026-12-12",
        "--out",
        "out",
        "--json",
    ];
    args.extend_from_slice(extra);
    let run = postkit(dir, &args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let asset = report["assets"][0].clone();
    (dir.join(asset["path"].as_str().unwrap()), asset)
}

/// The top-level boxes of an MP4, in order.
fn boxes(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        out.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).to_string());
        if size < 8 {
            break;
        }
        at += size;
    }
    out
}

/// PSNR of two RGB images of one size, dB.
fn psnr(a: &image::RgbaImage, b: &image::RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let mut se = 0f64;
    let mut n = 0f64;
    for (p, q) in a.pixels().zip(b.pixels()) {
        for c in 0..3 {
            let d = p[c] as f64 - q[c] as f64;
            se += d * d;
            n += 1.0;
        }
    }
    let mse = se / n;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

/// The frame at `seconds` (or the last one, for None), decoded by ffmpeg.
fn frame_at(clip: &Path, seconds: Option<f32>, out: &Path) -> image::RgbaImage {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-y"]);
    match seconds {
        Some(s) => cmd.args(["-ss", &format!("{s}")]).arg("-i").arg(clip),
        None => cmd.args(["-sseof", "-0.2", "-i"]).arg(clip),
    };
    let status = cmd
        .args(["-frames:v", "1", "-update", "1"])
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success());
    decode(out)
}

#[test]
fn a_reel_is_the_file_every_platform_takes() {
    let dir = tempfile::tempdir().unwrap();
    let (mp4, asset) = clip(dir.path(), "story-quote", "instagram-reel", STORY, &[]);
    assert!(
        mp4.extension().is_some_and(|e| e == "mp4"),
        "{}",
        mp4.display()
    );
    let info = &asset["clip"];
    let (fps, frames, duration) = (
        info["fps"].as_u64().unwrap(),
        info["frames"].as_u64().unwrap(),
        info["duration"].as_f64().unwrap(),
    );
    assert_eq!(fps, 30);
    assert_eq!(frames, (duration * 30.0).round() as u64);
    // As long as the story takes to read: 45 words at 170 a minute is
    // about 16 s, plus the entrances and the hold; within a Reel's 3–900 s.
    assert!((14.0..40.0).contains(&duration), "{duration}");
    let v = ffprobe(
        &mp4,
        &[
            "-show_entries",
            "stream=codec_name,codec_type,profile,level,pix_fmt,width,height,r_frame_rate,avg_frame_rate,nb_frames,color_space,color_primaries,color_transfer,channels,sample_rate",
        ],
    );
    let streams = v["streams"].as_array().unwrap();
    let video = streams.iter().find(|s| s["codec_type"] == "video").unwrap();
    assert_eq!(video["codec_name"], "h264");
    assert_eq!(video["pix_fmt"], "yuv420p");
    assert_eq!(
        (video["width"].as_u64(), video["height"].as_u64()),
        (Some(1080), Some(1920))
    );
    assert_eq!(video["r_frame_rate"], "30/1");
    assert_eq!(video["avg_frame_rate"], "30/1");
    assert_eq!(
        video["nb_frames"].as_str().unwrap().parse::<u64>().unwrap(),
        frames
    );
    assert!(video["level"].as_i64().unwrap() >= 40, "{video}");
    assert_eq!(video["color_space"], "bt709", "{video}");
    let audio = streams
        .iter()
        .find(|s| s["codec_type"] == "audio")
        .expect("a silent audio track by default");
    assert_eq!(audio["codec_name"], "aac");
    assert_eq!(audio["profile"], "LC");
    assert_eq!(audio["channels"], 2);
    // Fast start, no edit list.
    let bytes = std::fs::read(&mp4).unwrap();
    let top = boxes(&bytes);
    let moov = top.iter().position(|b| b == "moov").unwrap();
    let mdat = top.iter().position(|b| b == "mdat").unwrap();
    assert!(moov < mdat, "{top:?}");
    assert!(!bytes.windows(4).any(|w| w == b"edts"), "no edit list");
    // Decodes without a single error.
    let decoded = Command::new("ffmpeg")
        .args(["-v", "error", "-xerror", "-i"])
        .arg(&mp4)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    assert!(
        decoded.status.success() && decoded.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&decoded.stderr)
    );
    // The cover, alt text and caption beside it.
    let cover = PathBuf::from(format!("{}.cover.jpg", mp4.display()));
    let cover_img = image::open(&cover).unwrap();
    assert_eq!((cover_img.width(), cover_img.height()), (1080, 1920));
    assert_eq!(
        info["cover"].as_str().unwrap(),
        cover
            .strip_prefix(dir.path())
            .unwrap()
            .display()
            .to_string()
    );
    let alt = std::fs::read_to_string(format!("{}.alt.txt", mp4.display())).unwrap();
    assert!(
        alt.starts_with(&format!("Video, {} seconds: ", duration.round())),
        "{alt}"
    );
    assert!(alt.contains("When we arrived in Plymouth"), "{alt}");
    assert!(
        std::fs::read_to_string(format!("{}.caption.txt", mp4.display()))
            .unwrap()
            .contains("#ItTakesACommunity")
    );
}

#[test]
fn the_last_frame_is_the_still_and_the_same_input_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (mp4, _) = clip(dir.path(), "story-quote", "instagram-reel", STORY, &[]);
    // The still of the same card from the same layout: a set holding only
    // the kind's layout for clips (reel.svg) draws it for a Story too.
    let set = dir.path().join("reel-only");
    std::fs::create_dir_all(&set).unwrap();
    for f in ["template.toml", "reel.svg"] {
        std::fs::copy(root().join("templates/story-quote").join(f), set.join(f)).unwrap();
    }
    let run = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Plymouth Welcome Hub",
            "--story",
            STORY,
            "--template",
            "reel-only",
            "--platform",
            "instagram-story",
            "--format",
            "png",
            "--out",
            "still",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let still = decode(
        &dir.path()
            .join("still/plymouth-welcome-hub/story-quote-instagram-story.png"),
    );
    let last = frame_at(&mp4, None, &dir.path().join("last.png"));
    let db = psnr(&last, &still);
    assert!(db >= 40.0, "last frame vs still: {db:.1} dB");
    // Again, into another folder: byte for byte.
    let again = tempfile::tempdir().unwrap();
    let (mp4b, _) = clip(again.path(), "story-quote", "instagram-reel", STORY, &[]);
    assert!(
        std::fs::read(&mp4).unwrap() == std::fs::read(&mp4b).unwrap(),
        "same input, same bytes"
    );
}

#[test]
fn audio_none_and_duration_are_as_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (mp4, asset) = clip(
        dir.path(),
        "countdown",
        "tiktok",
        STORY,
        &["--audio", "none", "--duration", "6"],
    );
    assert_eq!(asset["clip"]["frames"], 180);
    assert_eq!(asset["clip"]["audio"], false);
    let v = ffprobe(&mp4, &["-show_entries", "stream=codec_type,nb_frames"]);
    let streams = v["streams"].as_array().unwrap();
    assert_eq!(streams.len(), 1, "no audio track: {v}");
    assert_eq!(streams[0]["nb_frames"], "180");
    // X's landscape clip, LinkedIn's square: their own sizes.
    for (platform, w, h) in [
        ("x-video", 1280, 720),
        ("linkedin-video-square", 1080, 1080),
    ] {
        let (mp4, _) = clip(
            dir.path(),
            "event",
            platform,
            STORY,
            &[
                "--field",
                "event=Welcome Supper",
                "--field",
                "event_date=Friday 18 December",
                "--field",
                "place=St Andrew's Hall",
            ],
        );
        let v = ffprobe(
            &mp4,
            &[
                "-show_entries",
                "stream=width,height",
                "-select_streams",
                "v:0",
            ],
        );
        assert_eq!(
            (
                v["streams"][0]["width"].as_u64(),
                v["streams"][0]["height"].as_u64()
            ),
            (Some(w), Some(h)),
            "{platform}"
        );
    }
}

#[test]
fn bad_input_is_a_clear_error_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        "render",
        "--org",
        "Hub",
        "--template",
        "story-quote",
        "--out",
        "out",
    ];
    // A Reel lasts 3 s at least.
    let run = postkit(
        dir.path(),
        &[
            &base[..],
            &[
                "--story",
                "We cook.",
                "--platform",
                "instagram-reel",
                "--duration",
                "1",
            ],
        ]
        .concat(),
    );
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("instagram-reel clip lasts 3 to 900 s; 1 s was asked: give --duration within that range"), "{}", run.stderr);
    // A story that fits the card but is too long to read in the preset's
    // longest clip: 60 words for a platform whose clips last at most 10 s.
    std::fs::write(
        dir.path().join("brief.toml"),
        "[[platform]]\nname = \"brief-clip\"\nlabel = \"A brief clip\"\nwidth = 1080\nheight = 1920\nsafe = [0, 0, 0, 0]\nformat = \"mp4\"\nvideo = { fps = 30, min_seconds = 3, max_seconds = 10 }\n",
    )
    .unwrap();
    let long = "We cook together on Fridays and everyone brings a dish from home. ".repeat(5);
    let run = postkit(
        dir.path(),
        &[
            &base[..],
            &[
                "--story",
                &long,
                "--platforms",
                "brief.toml",
                "--platform",
                "brief-clip",
            ],
        ]
        .concat(),
    );
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("brief-clip clip, which lasts at most 10 s: shorten it to about"),
        "{}",
        run.stderr
    );
    // Not a number.
    let run = postkit(
        dir.path(),
        &[
            &base[..],
            &[
                "--story",
                "Hi",
                "--platform",
                "tiktok",
                "--duration",
                "soon",
            ],
        ]
        .concat(),
    );
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("give seconds"), "{}", run.stderr);
    let left: Vec<String> = common::files(&dir.path().join("out"));
    assert!(left.is_empty(), "nothing half-written: {left:?}");
}

#[test]
fn a_wrong_motion_attribute_names_the_attribute_its_line_and_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("card.svg");
    std::fs::write(
        &svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1080 1920\">\n<rect width=\"1080\" height=\"1920\" fill=\"#fff\"/>\n<rect data-slot=\"story\" x=\"100\" y=\"100\" width=\"880\" height=\"600\" data-motion=\"spin\"/>\n</svg>\n",
    )
    .unwrap();
    let run = postkit(
        dir.path(),
        &[
            "render",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--template",
            "card.svg",
            "--platform",
            "tiktok",
        ],
    );
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains(
            "data-motion=\"spin\" on <rect> at line 3, column 1: use one of none, fade, rise"
        ),
        "{}",
        run.stderr
    );
    // A pan on text.
    std::fs::write(&svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 100\"><rect data-slot=\"story\" x=\"0\" y=\"0\" width=\"90\" height=\"90\" data-motion=\"pan\"/></svg>").unwrap();
    let run = postkit(dir.path(), &["check", "card.svg"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("a pan moves a photo inside its frame")
            || run.stdout.contains("a pan moves a photo inside its frame"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    // A template with no motion attributes moves all the same.
    std::fs::write(&svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1080 1920\"><rect width=\"1080\" height=\"1920\" fill=\"#FFF7EC\"/><rect data-slot=\"story\" x=\"100\" y=\"300\" width=\"880\" height=\"600\"/></svg>").unwrap();
    let (mp4, asset) = clip(
        dir.path(),
        "card.svg",
        "instagram-reel",
        "We cook together on Fridays.",
        &[],
    );
    assert!(mp4.is_file() && asset["clip"]["frames"].as_u64().unwrap() >= 90);
}

/// Frames of the clip as the motion stage composes them (before encoding):
/// start, a middle and the end, side by side at a quarter size.
fn strip(story: &str, template: &str) -> image::RgbaImage {
    use postkit::motion::{ClipOptions, Frame};
    let engine = common::engine();
    let campaign = postkit::Campaign::embedded();
    let content = postkit::Content::story(&campaign, "Plymouth Welcome Hub", story);
    let set = postkit::TemplateSet::load(template).unwrap();
    let platform = postkit::Platforms::embedded()
        .get("instagram-reel")
        .unwrap()
        .clone();
    let (filled, still) = engine.render_pixels(&set, &platform, &content).unwrap();
    let clip = engine
        .plan_clip(
            &set,
            &platform,
            &content,
            &filled,
            platform.video.as_ref().unwrap(),
            &ClipOptions::default(),
        )
        .unwrap();
    let picks = [6u32, 30, clip.hold_from / 2, clip.frames - 1];
    let mut shots = Vec::new();
    let mut n = 0u32;
    let mut last: Option<image::RgbaImage> = None;
    let mut keep = |img: &image::RgbaImage, count: u32| {
        for f in n..n + count {
            if picks.contains(&f) {
                shots.push(image::imageops::thumbnail(img, 270, 480));
            }
        }
        n += count;
    };
    clip.frames(&still, (0.5, 0.5), &mut |f| -> Result<(), ()> {
        match f {
            Frame::New(p) => {
                let img =
                    image::RgbaImage::from_raw(p.width(), p.height(), p.data().to_vec()).unwrap();
                keep(&img, 1);
                last = Some(img);
            }
            Frame::Same(k) => keep(last.as_ref().unwrap(), k),
        }
        Ok(())
    })
    .unwrap();
    let mut out = image::RgbaImage::new(270 * shots.len() as u32, 480);
    for (i, s) in shots.iter().enumerate() {
        image::imageops::overlay(&mut out, s, 270 * i as i64, 0);
    }
    out
}

fn compare_strip(name: &str, got: &image::RgbaImage) {
    let golden = root().join(format!("tests/golden/{name}.png"));
    if std::env::var_os("POSTKIT_BLESS").is_some() {
        got.save(&golden).unwrap();
        return;
    }
    let want = decode(&golden);
    assert_eq!(want.dimensions(), got.dimensions(), "{name}");
    let changed = got
        .pixels()
        .zip(want.pixels())
        .filter(|(a, b)| a.0.iter().zip(b.0.iter()).any(|(x, y)| x.abs_diff(*y) > 3))
        .count();
    let share = changed as f64 / (got.width() * got.height()) as f64;
    if share > 0.002 {
        let actual = root().join(format!("tests/golden/{name}.actual.png"));
        got.save(&actual).unwrap();
        panic!(
            "{name}: {:.3}% of pixels differ; see {}",
            share * 100.0,
            actual.display()
        );
    }
}

#[test]
fn golden_strips_of_a_story_clip_in_english_and_arabic() {
    compare_strip("clip-story-quote-english", &strip(STORY, "story-quote"));
    // Right to left: the layout mirrored, each line wiped on from the right.
    compare_strip("clip-story-quote-arabic", &strip(ARABIC, "story-quote"));
}

/// Every kind of the kit, in every shape of clip: the fill for a clip (its
/// actors wrapped in groups of their own) draws exactly the still's pixels,
/// and its clip plans.
#[test]
fn every_kind_moves_in_every_shape_and_its_still_is_unchanged() {
    use postkit::motion::ClipOptions;
    let engine = common::engine();
    let campaign = postkit::Campaign::embedded();
    let mut content = postkit::Content::story(&campaign, "Plymouth Welcome Hub", STORY);
    content.set_date(&campaign, time::macros::date!(2026 - 12 - 12));
    for (k, v) in [
        ("event", "Welcome Supper"),
        ("event_date", "Friday 18 December"),
        ("event_time", "6–9 pm"),
        ("place", "St Andrew's Hall"),
        ("name", "Amina Yusuf"),
        ("role", "Community ambassador"),
        ("quote", "Welcome is something we build together."),
        ("title", "It takes a community"),
    ] {
        content.fields.insert(k.into(), v.into());
    }
    for (slot, file) in [("photo", "photo-community.jpg"), ("logo", "logo.png")] {
        let path = root().join("examples").join(file);
        content
            .images
            .insert(slot.into(), postkit::ImageInput::load(&path, slot).unwrap());
    }
    let presets = postkit::Platforms::embedded();
    for name in postkit::template::builtin_names() {
        let set = postkit::TemplateSet::load(name).unwrap();
        for clip in [
            "tiktok",
            "x-video",
            "linkedin-video-square",
            "linkedin-video",
        ] {
            let video = presets.get(clip).unwrap().clone();
            let still = postkit::Platform::custom("still", video.width, video.height);
            let (filled, moving) = engine.render_pixels(&set, &video, &content).unwrap();
            // The same layout as a still (a 9:16 clip has its own, reel.svg).
            let mut only = set.clone();
            let chosen = set.variant_for(&video).name.clone();
            only.variants.retain(|v| v.name == chosen);
            let (_, plain) = engine.render_pixels(&only, &still, &content).unwrap();
            assert!(
                moving.data() == plain.data(),
                "{name} {clip}: the clip's still differs from the card"
            );
            assert!(!filled.actors.is_empty(), "{name} {clip}: nothing moves");
            let planned = engine
                .plan_clip(
                    &set,
                    &video,
                    &content,
                    &filled,
                    video.video.as_ref().unwrap(),
                    &ClipOptions::default(),
                )
                .unwrap_or_else(|e| panic!("{name} {clip}: {e}"));
            assert!(
                planned.frames >= 90 && planned.hold_from < planned.frames,
                "{name} {clip}"
            );
        }
    }
}

#[test]
fn a_layout_made_for_clips_is_chosen_for_the_video_presets_and_never_for_stills() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("set");
    std::fs::create_dir_all(&set).unwrap();
    let card = |root: &str| {
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1080 1920"{root}><rect width="1080" height="1920" fill="#FFF7EC"/>
<rect data-slot="story" x="120" y="300" width="760" height="800" data-fill="#122B40"/></svg>"##
        )
    };
    std::fs::write(set.join("story.svg"), card("")).unwrap();
    std::fs::write(set.join("reel.svg"), card(r#" data-for="video""#)).unwrap();
    std::fs::write(
        set.join("square.svg"),
        card("").replace("1080 1920", "1080 1080"),
    )
    .unwrap();
    let r = postkit(dir.path(), &["templates", "show", "set", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shown: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let used = |variant: &str| -> Vec<String> {
        shown["template"]["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == variant)
            .unwrap_or_else(|| panic!("no variant {variant}: {shown}"))["platforms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect()
    };
    let (reel, story, square) = (used("reel"), used("story"), used("square"));
    // Every 9:16 clip takes the layout made for clips; every 9:16 still the
    // other; other shapes still go to the nearest aspect, clips included.
    for p in [
        "instagram-reel",
        "instagram-story-video",
        "tiktok",
        "youtube-short",
        "facebook-reel",
        "facebook-story-video",
    ] {
        assert!(reel.contains(&p.to_string()), "{p}: reel {reel:?}");
    }
    for p in [
        "instagram-story",
        "facebook-story",
        "tiktok-photo",
        "whatsapp-status",
    ] {
        assert!(story.contains(&p.to_string()), "{p}: story {story:?}");
    }
    assert!(
        reel.iter().all(|p| !story.contains(p)),
        "{reel:?} {story:?}"
    );
    assert!(
        square.contains(&"feed-video-square".to_string()),
        "{square:?}"
    );
    assert!(
        square.contains(&"instagram-square".to_string()),
        "{square:?}"
    );

    // A set whose only layout is for clips still makes stills from it.
    std::fs::remove_file(set.join("story.svg")).unwrap();
    std::fs::remove_file(set.join("square.svg")).unwrap();
    let r = postkit(
        dir.path(),
        &[
            "render",
            "--template",
            "set",
            "--org",
            "Hub",
            "--story",
            "Hi",
            "--platform",
            "instagram-story",
            "--out",
            "out",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);

    // A wrong value names the attribute and what is allowed.
    std::fs::write(set.join("reel.svg"), card(r#" data-for="reels""#)).unwrap();
    let r = postkit(dir.path(), &["check", "set"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains(r#"data-for="reels" on the <svg> element: use video"#),
        "{}",
        r.stderr
    );
}

/// Frames of a planned clip, composed as the encoder gets them.
fn all_frames(
    clip: &postkit::motion::Clip,
    still: &resvg::tiny_skia::Pixmap,
) -> Vec<image::RgbaImage> {
    use postkit::motion::Frame;
    let mut out: Vec<image::RgbaImage> = Vec::new();
    clip.frames(still, (0.5, 0.5), &mut |f| -> Result<(), ()> {
        match f {
            Frame::New(p) => out.push(
                image::RgbaImage::from_raw(p.width(), p.height(), p.data().to_vec()).unwrap(),
            ),
            Frame::Same(k) => {
                let last = out.last().unwrap().clone();
                out.extend(std::iter::repeat_n(last, k as usize));
            }
        }
        Ok(())
    })
    .unwrap();
    out
}

/// An element that leaves (`data-motion-out`): an opening title over the
/// card that slides away before the story comes. It is the clip's alone:
/// the still (and so the clip's last frames) never shows it, nor does a
/// still preset's image of the same template; the story waits until it
/// has gone; a mirrored layout mirrors its way out.
#[test]
fn an_element_that_leaves_is_the_clips_alone_and_the_clip_still_ends_on_the_still() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("intro.svg");
    std::fs::write(
        &svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1080 1920" data-rtl="mirror">
<rect width="1080" height="1920" fill="#FFF7EC"/>
<rect data-slot="story" x="120" y="500" width="840" height="700" fill="#1B1B1B"/>
<g data-motion="none" data-motion-out="slide-left" data-motion-out-at="1.5" data-motion-out-for="0.5">
  <rect width="1080" height="1920" fill="#1B4965"/>
  <text x="540" y="960" font-family="Noto Sans" font-size="80" fill="#FFFFFF" text-anchor="middle">It takes a community</text>
</g>
</svg>
"##,
    )
    .unwrap();
    let engine = common::engine();
    let campaign = postkit::Campaign::embedded();
    let set = postkit::TemplateSet::load(svg.to_str().unwrap()).unwrap();
    let platforms = postkit::Platforms::embedded();
    let reel = platforms.get("instagram-reel").unwrap().clone();
    let blue = |p: &image::Rgba<u8>| p[0] < 60 && (60..90).contains(&p[1]) && p[2] > 80;
    let share_blue = |img: &image::RgbaImage, x0: u32, x1: u32| {
        let mut n = 0;
        let mut all = 0;
        for y in (0..img.height()).step_by(16) {
            for x in (x0..x1).step_by(16) {
                all += 1;
                n += blue(img.get_pixel(x, y)) as u32;
            }
        }
        n as f64 / all as f64
    };
    for (story, rtl) in [(STORY, false), (ARABIC, true)] {
        let content = postkit::Content::story(&campaign, "Plymouth Welcome Hub", story);
        let (filled, still) = engine.render_pixels(&set, &reel, &content).unwrap();
        assert_eq!(filled.mirrored, rtl);
        assert!(!filled.svg.contains("It takes a community"));
        assert!(filled
            .clip_svg
            .as_deref()
            .is_some_and(|s| s.contains("It takes a community")));
        let clip = engine
            .plan_clip(
                &set,
                &reel,
                &content,
                &filled,
                reel.video.as_ref().unwrap(),
                &postkit::motion::ClipOptions::default(),
            )
            .unwrap();
        let frames = all_frames(&clip, &still);
        assert_eq!(frames.len() as u32, clip.frames);
        // The title covers the card from the first frame to its exit.
        assert!(share_blue(&frames[0], 0, 1080) > 0.97, "rtl {rtl}");
        assert!(share_blue(&frames[44], 0, 1080) > 0.97, "rtl {rtl}");
        // Two thirds of the way out (1.83 s): it has slid towards the left
        // (the right in a mirrored layout), uncovering the other edge.
        let mid = &frames[55];
        let cream = |x: u32| *mid.get_pixel(x, 100) == image::Rgba([255, 247, 236, 255]);
        let (uncovered, covered) = if rtl { (5, 1075) } else { (1075, 5) };
        assert!(cream(uncovered) && !cream(covered), "rtl {rtl}");
        // Gone at 2 s; the story enters only then.
        assert!(share_blue(&frames[61], 0, 1080) < 0.001, "rtl {rtl}");
        let story_starts = clip
            .tracks
            .iter()
            .zip(&clip.layers)
            .filter(|(_, l)| !l.text.is_empty() && l.text != "It takes a community")
            .map(|(t, _)| t.start)
            .fold(f32::MAX, f32::min);
        assert!(story_starts >= 2.0, "the story starts at {story_starts} s");
        // The last frame is the still, which has no title.
        let last = frames.last().unwrap();
        let want = image::RgbaImage::from_raw(still.width(), still.height(), still.data().to_vec())
            .unwrap();
        assert_eq!(last, &want);
        assert_eq!(share_blue(&want, 0, 1080), 0.0);
    }
    // A still preset's image of the same template never shows it.
    let square = platforms.get("instagram-square").unwrap().clone();
    let content = postkit::Content::story(&campaign, "Plymouth Welcome Hub", STORY);
    let (filled, still) = engine.render_pixels(&set, &square, &content).unwrap();
    assert!(!filled.svg.contains("It takes a community") && filled.clip_svg.is_none());
    let img =
        image::RgbaImage::from_raw(still.width(), still.height(), still.data().to_vec()).unwrap();
    assert_eq!(share_blue(&img, 0, img.width()), 0.0);
}
