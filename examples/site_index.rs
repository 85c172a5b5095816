//! What `scripts/site.sh` learns from the library when it builds the static
//! site: which embedded font file serves which Unicode scripts (from the
//! font book itself), as JSON on standard output, after checking the
//! campaign, platforms and template folders the site is to carry, so that a
//! mistake in them stops the build with the file named rather than the page.
//!
//! `cargo run --example site_index -- [--campaign FILE] [--platforms FILE] [--template SET]…`

use postkit::{Campaign, FontBook, Platforms, TemplateSet};

fn main() {
    if let Err(e) = run() {
        eprintln!("site_index: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--campaign" => drop(Campaign::load(&value)?),
            "--platforms" => drop(Platforms::load(std::path::Path::new(&value))?),
            "--template" => drop(TemplateSet::load(&value)?),
            _ => return Err(format!("unknown argument {flag}").into()),
        }
    }
    let book = FontBook::new(&[] as &[&str])?;
    println!("{}", serde_json::to_string_pretty(&book.script_index())?);
    Ok(())
}
