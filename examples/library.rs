//! postkit as a library: one story, one template, two sizes, written as PNGs.
//!
//! `cargo run --example library -- OUT_DIR`

use postkit::{Campaign, Content, Engine, Platforms, TemplateSet};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "out-library".into());
    std::fs::create_dir_all(&out)?;

    // Built once, shared by every asset (fonts are parsed here).
    let engine = Engine::new(&[] as &[&str])?;
    let campaign = Campaign::embedded();
    let template = TemplateSet::load("story-quote")?;
    let presets = Platforms::embedded();

    let content = Content::story(
        &campaign,
        "Plymouth Welcome Hub",
        "Our Saturday football club has players from eleven countries. #ItTakesACommunity",
    );
    for name in ["instagram-square", "x-post"] {
        let platform = presets.get(name).expect("a built-in preset");
        let asset = engine.render(&template, platform, &content)?;
        for w in &asset.filled.warnings {
            eprintln!("warning: {w}");
        }
        let path = format!("{out}/{name}.png");
        postkit::output::write_atomic(path.as_ref(), &asset.png)?;
        println!("{path}: {} bytes", asset.png.len());
    }
    Ok(())
}
