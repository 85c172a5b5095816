//! Issue 24: clips are H.264 in MP4 as every platform takes them, checked
//! with Debian's `ffprobe` and `ffmpeg` (installed by .ci/run): codec,
//! profile, level, pixel format, colour, frame rate and count, keyframes,
//! the audio track, the boxes' order, a clean decode, the decoded last frame
//! against the card pushed, and the same bytes for the same frames.
#![cfg(feature = "video")]

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use postkit::output::clip::{Audio, ClipEncoder, ClipError, ClipSpec};
use postkit::{Campaign, Content, Engine, Platforms, TemplateSet};
use resvg::tiny_skia::{Color, Pixmap, PixmapPaint, Transform};
use serde_json::Value;

/// The story-quote card for a 9:16 story, rendered by the library.
fn card() -> &'static Pixmap {
    static CARD: OnceLock<Pixmap> = OnceLock::new();
    CARD.get_or_init(|| {
        let engine = Engine::new(&[] as &[&str]).unwrap();
        let set = TemplateSet::load("story-quote").unwrap();
        let platform = Platforms::embedded()
            .get("instagram-story")
            .unwrap()
            .clone();
        let content = Content::story(
            &Campaign::embedded(),
            "Plymouth Welcome Hub",
            "When we arrived we knew nobody. Now we cook together every Friday \
             and the whole street comes.",
        );
        let (_, canvas) = engine.render_pixels(&set, &platform, &content).unwrap();
        canvas.into_pixmap()
    })
}

/// The card sliding up into place and fading in: `t` from 0 to 1.
fn entering(card: &Pixmap, t: f32) -> Pixmap {
    let mut frame = Pixmap::new(card.width(), card.height()).unwrap();
    frame.fill(Color::from_rgba8(20, 30, 60, 255));
    let paint = PixmapPaint {
        opacity: t,
        ..PixmapPaint::default()
    };
    let dy = ((1.0 - t) * 240.0).round() as i32;
    frame.draw_pixmap(0, dy, card.as_ref(), &paint, Transform::identity(), None);
    frame
}

/// A smaller card (a crop of the big one), for the tests that only count.
fn small_card() -> Pixmap {
    let big = card();
    let mut small = Pixmap::new(360, 640).unwrap();
    small.draw_pixmap(
        -360,
        -640,
        big.as_ref(),
        &PixmapPaint::default(),
        Transform::identity(),
        None,
    );
    small
}

fn spec(card: &Pixmap, audio: Audio) -> ClipSpec {
    ClipSpec {
        width: card.width(),
        height: card.height(),
        fps: 30,
        audio,
    }
}

/// `moving` frames of the card entering, then the card held `held` times.
fn clip(card: &Pixmap, moving: u32, held: u32, audio: Audio) -> Vec<u8> {
    let mut enc = ClipEncoder::new(&spec(card, audio)).unwrap();
    for i in 0..moving {
        let t = (i + 1) as f32 / moving as f32;
        enc.push(&entering(card, t)).unwrap();
    }
    enc.repeat_last(held).unwrap();
    assert_eq!(enc.frames(), moving + held);
    enc.finish().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn run(program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (Debian's ffmpeg package; .ci/run installs it)"))
}

/// What the program wrote to standard output; it must succeed.
fn stdout(program: &str, args: &[&str]) -> Vec<u8> {
    let out = run(program, args);
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// ffprobe's streams, packets' flags and format, as JSON.
fn probe(path: &Path) -> Value {
    let out = stdout(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_streams",
            "-show_format",
            "-show_entries",
            "packet=stream_index,flags",
            "-of",
            "json",
            path.to_str().unwrap(),
        ],
    );
    serde_json::from_slice(&out).unwrap()
}

fn stream<'a>(probe: &'a Value, kind: &str) -> Option<&'a Value> {
    probe["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == kind)
}

/// `ffmpeg -v error -xerror -i clip -f null -`: nothing said, exit 0.
fn decodes_cleanly(path: &Path) {
    let out = run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-xerror",
            "-i",
            path.to_str().unwrap(),
            "-f",
            "null",
            "-",
        ],
    );
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The top-level boxes, in order, and the `moov` box's bytes.
fn boxes(file: &[u8]) -> (Vec<String>, &[u8]) {
    let (mut kinds, mut moov, mut at) = (Vec::new(), &file[..0], 0);
    while at + 8 <= file.len() {
        let size = u32::from_be_bytes(file[at..at + 4].try_into().unwrap()) as usize;
        let kind = String::from_utf8_lossy(&file[at + 4..at + 8]).to_string();
        assert!(size >= 8 && at + size <= file.len(), "box {kind} at {at}");
        if kind == "moov" {
            moov = &file[at..at + size];
        }
        kinds.push(kind);
        at += size;
    }
    assert_eq!(at, file.len());
    (kinds, moov)
}

/// Frame `n` decoded by ffmpeg as planar 4:2:0.
fn decoded_frame(path: &Path, n: u32) -> Vec<u8> {
    let select = format!("select=eq(n\\,{n})");
    stdout(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            path.to_str().unwrap(),
            "-vf",
            &select,
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "yuv420p",
            "-",
        ],
    )
}

/// PSNR (dB) of a decoded 4:2:0 picture, turned back into RGB with the
/// BT.709 limited-range formulas, against the RGBA frame that was pushed.
fn psnr(yuv: &[u8], frame: &Pixmap) -> f64 {
    let (w, h) = (frame.width() as usize, frame.height() as usize);
    assert_eq!(yuv.len(), w * h * 3 / 2, "decoded size");
    let (luma, chroma) = yuv.split_at(w * h);
    let (cb, cr) = chroma.split_at(w * h / 4);
    let mut sum = 0.0;
    for (i, px) in frame.data().chunks_exact(4).enumerate() {
        let (x, y) = (i % w, i / w);
        let c = (y / 2) * (w / 2) + x / 2;
        let yy = (f64::from(luma[i]) - 16.0) * 255.0 / 219.0;
        let u = (f64::from(cb[c]) - 128.0) * 255.0 / 224.0;
        let v = (f64::from(cr[c]) - 128.0) * 255.0 / 224.0;
        let rgb = [
            yy + 1.5748 * v,
            yy - 0.1873 * u - 0.4681 * v,
            yy + 1.8556 * u,
        ];
        for (k, value) in rgb.iter().enumerate() {
            let d = value.clamp(0.0, 255.0) - f64::from(px[k]);
            sum += d * d;
        }
    }
    let mse = sum / (w * h * 3) as f64;
    10.0 * (255.0 * 255.0 / mse).log10()
}

/// A 1080×1920 story card entering for 20 frames and held for 55: every
/// property a platform checks, a clean decode, and the last frame as
/// the card.
#[test]
fn a_story_clip_is_what_every_platform_accepts() {
    let card = card();
    assert_eq!((card.width(), card.height()), (1080, 1920));
    let (moving, held) = (20, 55);
    let bytes = clip(card, moving, held, Audio::Silent);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "clip.mp4", &bytes);
    let p = probe(&path);

    let v = stream(&p, "video").expect("a video stream");
    assert_eq!(v["codec_name"], "h264");
    assert_eq!(v["profile"], "Constrained Baseline");
    assert_eq!(v["level"], 40);
    assert_eq!(v["pix_fmt"], "yuv420p");
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(1080), Some(1920))
    );
    assert_eq!(v["r_frame_rate"], "30/1");
    assert_eq!(v["avg_frame_rate"], "30/1");
    assert_eq!(v["nb_frames"], (moving + held).to_string());
    assert_eq!(v["color_space"], "bt709");
    assert_eq!(v["color_primaries"], "bt709");
    assert_eq!(v["color_transfer"], "bt709");
    assert_eq!(v["color_range"], "tv");
    assert_eq!(v["duration"], "2.500000");

    let a = stream(&p, "audio").expect("a silent audio stream");
    assert_eq!(a["codec_name"], "aac");
    assert_eq!(a["profile"], "LC");
    assert_eq!(a["channels"], 2);
    assert_eq!(a["sample_rate"], "48000");
    assert_eq!(a["duration"], "2.500000");
    assert_eq!(p["format"]["duration"], "2.500000");

    // An IDR picture first and at least every 2 s (60 frames); the held
    // end has one at frame 60.
    let keys: Vec<usize> = p["packets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["stream_index"] == v["index"])
        .enumerate()
        .filter(|(_, k)| k["flags"].as_str().unwrap().starts_with('K'))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(keys, [0, 60]);

    let (kinds, moov) = boxes(&bytes);
    assert_eq!(kinds, ["ftyp", "moov", "mdat"]);
    assert!(!moov.windows(4).any(|w| w == b"edts"), "an edit list");
    assert!(moov.windows(8).any(|w| w == b"colrnclx"), "no colr box");

    decodes_cleanly(&path);

    // The last frame is the card (and so is the first one of the hold).
    let last = moving + held - 1;
    let db = psnr(&decoded_frame(&path, last), card);
    let mut best = postkit::output::clip::Yuv420::new(1080, 1920);
    best.read_rgba(card.data());
    let alone = psnr(&[best.y, best.u, best.v].concat(), card);
    eprintln!(
        "PSNR last frame {db:.2} dB (4:2:0 alone {alone:.2} dB); {} bytes",
        bytes.len()
    );
    assert!(db >= 40.0, "last frame: {db:.1} dB");
    let db = psnr(&decoded_frame(&path, moving - 1), card);
    assert!(db >= 40.0, "last pushed frame: {db:.1} dB");

    // The silent track is silent.
    let out = stdout(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            path.to_str().unwrap(),
            "-map",
            "0:a",
            "-f",
            "s16le",
            "-",
        ],
    );
    assert!(
        out.len() >= 2 * 2 * 48_000 * 5 / 2,
        "{} bytes of audio",
        out.len()
    );
    assert!(out.iter().all(|&b| b == 0), "the audio is not silent");
}

#[test]
fn the_same_frames_give_the_same_bytes() {
    let card = small_card();
    let a = clip(&card, 12, 30, Audio::Silent);
    let b = clip(&card, 12, 30, Audio::Silent);
    assert!(a == b, "two encodings of the same frames differ");
    let c = clip(&card, 13, 29, Audio::Silent);
    assert_ne!(a, c);
}

#[test]
fn audio_none_leaves_the_track_out() {
    let card = small_card();
    let bytes = clip(&card, 5, 10, Audio::None);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "clip.mp4", &bytes);
    let p = probe(&path);
    assert!(stream(&p, "audio").is_none(), "{p}");
    let v = stream(&p, "video").unwrap();
    assert_eq!(v["nb_frames"], "15");
    assert_eq!(v["level"], 30);
    assert_eq!(boxes(&bytes).0, ["ftyp", "moov", "mdat"]);
    decodes_cleanly(&path);
}

/// Frames pushed after a hold (a clip that moves, rests and moves again),
/// over more than one keyframe interval: the count, the keyframes, a clean
/// decode, and the frame after the hold as pushed.
#[test]
fn motion_after_a_hold_decodes_cleanly() {
    let card = small_card();
    let mut enc = ClipEncoder::new(&spec(&card, Audio::Silent)).unwrap();
    for i in 0..10 {
        enc.push(&entering(&card, i as f32 / 10.0)).unwrap();
    }
    enc.repeat_last(100).unwrap();
    for i in 0..10 {
        enc.push(&entering(&card, 0.55 + i as f32 / 20.0)).unwrap();
    }
    let last = entering(&card, 1.0);
    enc.push(&last).unwrap();
    let bytes = enc.finish().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "clip.mp4", &bytes);
    let p = probe(&path);
    let v = stream(&p, "video").unwrap();
    assert_eq!(v["nb_frames"], "121");
    let flags: Vec<bool> = p["packets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["stream_index"] == v["index"])
        .map(|k| k["flags"].as_str().unwrap().starts_with('K'))
        .collect();
    // IDR pictures: the first frame, every 60 frames in the hold, and
    // where motion resumes (10 pushed, 100 held, 11 pushed).
    let keys: Vec<usize> = (0..flags.len()).filter(|&i| flags[i]).collect();
    assert_eq!(keys, [0, 60, 110]);
    decodes_cleanly(&path);
    let db = psnr(&decoded_frame(&path, 120), &last);
    let mut best = postkit::output::clip::Yuv420::new(360, 640);
    best.read_rgba(last.data());
    let planes = [best.y, best.u, best.v].concat();
    let alone = psnr(&planes, &last);
    eprintln!(
        "PSNR frame after motion {db:.2} dB; 4:2:0 alone: {alone:.2} dB; {} bytes",
        bytes.len()
    );
    // This crop is mostly small text: 4:2:0 alone (one colour sample for
    // each 2×2 pixels) costs it 2 dB more than the whole card, and the
    // coding of a frame in motion at most 4 dB more.
    assert!(
        db >= alone - 4.0 && db >= 36.0,
        "{db:.1} dB; 4:2:0 alone: {alone:.1} dB"
    );
}

#[test]
fn errors_say_what_to_change() {
    let odd = ClipSpec {
        width: 1081,
        height: 1919,
        fps: 30,
        audio: Audio::Silent,
    };
    let err = ClipEncoder::new(&odd).err().unwrap();
    assert!(matches!(err, ClipError::Size { .. }));
    assert!(err.to_string().contains("1082×1920"), "{err}");
    let mut enc = ClipEncoder::new(&spec(&small_card(), Audio::Silent)).unwrap();
    let err = enc.push(card()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "frame 0 is 1080×1920; the clip is 360×640: every frame must be the clip's size"
    );
}
