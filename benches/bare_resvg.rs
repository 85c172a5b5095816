//! The floor under `postkit batch`: the bare resvg library rendering the SVGs
//! postkit emits (`--emit-svg`), with the fonts loaded once, on a rayon pool,
//! encoding with tiny-skia's default PNG encoder (what the resvg CLI writes).
//! Used by `benches/compare.sh`.
//!
//! ```text
//! cargo bench --bench bare_resvg -- IN_DIR OUT_DIR [THREADS] [encode|render]
//! cargo bench --bench bare_resvg -- diff DIR_A DIR_B
//! ```
//!
//! `encode` (default) renders every `IN_DIR/*.svg` and writes `OUT_DIR/*.png`;
//! `render` only renders (nothing is written). THREADS defaults to 2. A
//! one-line JSON summary goes to stdout: files, seconds, bytes.
//!
//! `frames SVG N` is the naive way to make a clip, the baseline of
//! `benches/clips.sh`: the SVG parsed and rendered anew for each of N
//! frames (as a pipeline that writes one SVG per frame does), each frame
//! written to stdout as raw RGBA for `ffmpeg -f rawvideo` to encode.
//!
//! `diff` decodes the PNGs present in both folders (by file name) and prints
//! one JSON line: files compared, how many have identical pixels, the largest
//! channel difference and the most pixels that differ in one file.
//! Environment: `BARE_RESVG_FONTS` overrides the fonts folder (default: the
//! repository's `fonts/`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use resvg::tiny_skia::{Pixmap, Transform};

/// The family postkit gives unnamed and generic text (see `text::fonts`).
const FAMILY: &str = "Noto Sans";

fn main() -> ExitCode {
    // cargo bench appends `--bench`; anything else starting with `--` is ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let result = match args.first().map(String::as_str) {
        Some("diff") if args.len() == 3 => diff(Path::new(&args[1]), Path::new(&args[2])),
        Some("frames") if args.len() == 3 => frames(Path::new(&args[1]), &args[2]),
        Some(a) if a != "diff" && (2..=4).contains(&args.len()) => run(&args),
        _ => Err(
            "usage: bare_resvg IN_DIR OUT_DIR [THREADS] [encode|render] | bare_resvg frames SVG N | bare_resvg diff DIR_A DIR_B"
                .to_string(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bare_resvg: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The `*.ext` files of `dir`, sorted.
fn files_with(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext) && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// The fonts, once: the repository's fonts folder and nothing from the
/// system.
fn font_db() -> Result<Arc<fontdb::Database>, String> {
    let fonts = std::env::var_os("BARE_RESVG_FONTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts"));
    let mut db = fontdb::Database::new();
    load_fonts_dir(&mut db, &fonts)?;
    if db.is_empty() {
        return Err(format!("no fonts in {}", fonts.display()));
    }
    db.set_sans_serif_family(FAMILY);
    db.set_serif_family(FAMILY);
    db.set_monospace_family(FAMILY);
    db.set_cursive_family(FAMILY);
    db.set_fantasy_family(FAMILY);
    Ok(Arc::new(db))
}

/// `frames SVG N`: N frames, each parsed and rendered from the SVG, as raw
/// RGBA on stdout.
fn frames(svg: &Path, n: &str) -> Result<(), String> {
    use std::io::Write;
    let n: usize = n.parse().map_err(|_| format!("bad frame count {n:?}"))?;
    let opts = usvg::Options {
        fontdb: font_db()?,
        font_family: FAMILY.to_string(),
        ..usvg::Options::default()
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for _ in 0..n {
        let mut pixmap = render(svg, &opts)?;
        // Opaque, as a video frame is: the premultiplied bytes are then
        // plain RGBA.
        let mut white = Pixmap::new(pixmap.width(), pixmap.height()).ok_or("no memory")?;
        white.fill(resvg::tiny_skia::Color::WHITE);
        white.draw_pixmap(
            0,
            0,
            pixmap.as_ref(),
            &Default::default(),
            Transform::identity(),
            None,
        );
        pixmap = white;
        out.write_all(pixmap.data()).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

fn run(args: &[String]) -> Result<(), String> {
    let input = PathBuf::from(&args[0]);
    let output = PathBuf::from(&args[1]);
    let threads: usize = match args.get(2) {
        Some(t) => t.parse().map_err(|_| format!("bad thread count {t:?}"))?,
        None => 2,
    };
    let encode = match args.get(3).map(String::as_str) {
        None | Some("encode") => true,
        Some("render") => false,
        Some(m) => return Err(format!("unknown mode {m:?} (encode or render)")),
    };
    let start = Instant::now();

    let fontdb = font_db()?;

    let files = files_with(&input, "svg")?;
    if files.is_empty() {
        return Err(format!("no .svg files in {}", input.display()));
    }
    if encode {
        std::fs::create_dir_all(&output).map_err(|e| format!("{}: {e}", output.display()))?;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| e.to_string())?;
    let resources_dir = input.canonicalize().ok();

    let bytes: Result<Vec<u64>, String> = pool.install(|| {
        files
            .par_iter()
            .map(|svg| {
                let opts = usvg::Options {
                    fontdb: fontdb.clone(),
                    font_family: FAMILY.to_string(),
                    resources_dir: resources_dir.clone(),
                    ..usvg::Options::default()
                };
                let pixmap = render(svg, &opts)?;
                if !encode {
                    return Ok(0);
                }
                let png = pixmap
                    .encode_png()
                    .map_err(|e| format!("{}: {e}", svg.display()))?;
                let name = svg.with_extension("png");
                let out = output.join(name.file_name().unwrap_or_default());
                std::fs::write(&out, &png).map_err(|e| format!("{}: {e}", out.display()))?;
                Ok(png.len() as u64)
            })
            .collect()
    });
    let bytes: u64 = bytes?.iter().sum();
    let summary = serde_json::json!({
        "files": files.len(),
        "seconds": start.elapsed().as_secs_f64(),
        "bytes": bytes,
        "threads": threads,
        "mode": if encode { "encode" } else { "render" },
    });
    println!("{summary}");
    Ok(())
}

/// What `fontdb::Database::load_fonts_dir` does (reading each file into
/// memory, as fontdb does without `memmap`); that method needs fontdb's `fs`
/// feature, which postkit leaves off since it embeds its fonts.
fn load_fonts_dir(db: &mut fontdb::Database, dir: &Path) -> Result<(), String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                matches!(
                    x.to_ascii_lowercase().as_str(),
                    "ttf" | "ttc" | "otf" | "otc"
                )
            })
        })
        .collect();
    files.sort();
    for path in files {
        let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        db.load_font_data(data);
    }
    Ok(())
}

/// Parses and renders one SVG at its own size, as the resvg CLI does.
fn render(svg: &Path, opts: &usvg::Options) -> Result<Pixmap, String> {
    let data = std::fs::read(svg).map_err(|e| format!("{}: {e}", svg.display()))?;
    let tree = usvg::Tree::from_data(&data, opts).map_err(|e| format!("{}: {e}", svg.display()))?;
    let size = tree.size().to_int_size();
    let mut pixmap = Pixmap::new(size.width(), size.height())
        .ok_or_else(|| format!("{}: empty canvas", svg.display()))?;
    resvg::render(&tree, Transform::default(), &mut pixmap.as_mut());
    Ok(pixmap)
}

/// Pixel comparison of the PNGs two folders have in common.
fn diff(a: &Path, b: &Path) -> Result<(), String> {
    let mut compared = 0usize;
    let mut identical = 0usize;
    let mut max_diff = 0u8;
    let mut max_pixels = 0usize;
    let mut size_mismatch = 0usize;
    let mut worst = (0u8, 0usize, String::new());
    for pa in files_with(a, "png")? {
        let pb = b.join(pa.file_name().unwrap_or_default());
        if !pb.is_file() {
            continue;
        }
        let load = |p: &Path| {
            image::open(p)
                .map(|i| i.to_rgba8())
                .map_err(|e| format!("{}: {e}", p.display()))
        };
        let (ia, ib) = (load(&pa)?, load(&pb)?);
        compared += 1;
        if ia.dimensions() != ib.dimensions() {
            size_mismatch += 1;
            continue;
        }
        let mut file_max = 0u8;
        let mut pixels = 0usize;
        for (x, y) in ia.pixels().zip(ib.pixels()) {
            let d =
                x.0.iter()
                    .zip(y.0.iter())
                    .map(|(p, q)| p.abs_diff(*q))
                    .max()
                    .unwrap_or(0);
            if d > 0 {
                pixels += 1;
                file_max = file_max.max(d);
            }
        }
        if pixels == 0 {
            identical += 1;
        }
        if (file_max, pixels) > (worst.0, worst.1) {
            let name = pa.file_name().unwrap_or_default().to_string_lossy();
            worst = (file_max, pixels, name.into_owned());
        }
        max_diff = max_diff.max(file_max);
        max_pixels = max_pixels.max(pixels);
    }
    let summary = serde_json::json!({
        "compared": compared,
        "identical": identical,
        "size_mismatch": size_mismatch,
        "max_channel_diff": max_diff,
        "max_pixels_differing": max_pixels,
        "worst": worst.2,
    });
    println!("{summary}");
    Ok(())
}
