//! postkit as a library: one story planned as a spreadsheet row or a web
//! form would give it, made at two sizes in memory, then written as PNGs
//! with their alt text.
//!
//! `cargo run --example library -- OUT_DIR`

use postkit::make::{make_kit, Cancel, MakeOptions};
use postkit::plan::{plan, Defaults, Files, Input};
use postkit::{Campaign, Engine, Platforms};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "out-library".into());
    std::fs::create_dir_all(&out)?;

    // Built once, shared by every asset (fonts are parsed here).
    let engine = Engine::new(&[] as &[&str])?;
    let campaign = Campaign::embedded();
    let defaults = Defaults {
        templates: vec![campaign.template.clone()],
        platforms: vec!["instagram-square".into()],
        campaign,
        presets: Platforms::embedded(),
        today: time::macros::date!(2026 - 12 - 12),
        direction: postkit::text::Direction::Auto,
    };

    // The same keys as a batch file's columns or the web form's fields.
    let input = Input::from_columns([
        ("org", "Plymouth Welcome Hub"),
        (
            "story",
            "Our Saturday football club has players from eleven countries. #ItTakesACommunity",
        ),
        ("platform", "instagram-square;x-post"),
    ]);
    let request = plan(&input, &defaults, &Files::new("."))
        .map_err(|e| format!("{}: {}", e.field, e.message))?;

    // Made in memory: nothing touches the disk until we write it.
    let kit = make_kit(&engine, &request, &MakeOptions::default(), &Cancel::new());
    for e in &kit.errors {
        eprintln!("error: {} {}: {}", e.template, e.platform, e.message);
    }
    for asset in &kit.assets {
        for d in &asset.diagnostics {
            eprintln!("warning ({:?}): {d}", d.kind);
        }
        let path = format!("{out}/{}.png", asset.platform);
        postkit::output::write_atomic(path.as_ref(), &asset.bytes)?;
        println!(
            "{path}: {} bytes; alt text: {}",
            asset.bytes.len(),
            asset.alt
        );
    }
    Ok(())
}
