//! One file per subcommand. Each turns its flags into library calls and
//! the results into messages and an exit code; none holds pipeline logic.

pub mod batch;
pub mod check;
pub mod docs;
pub mod init;
pub mod merge;
pub mod render;
#[cfg(feature = "serve")]
pub mod serve;
pub mod templates;

use postkit::plan::Defaults;
use postkit::{Campaign, Engine, Platforms, TemplateSet};

use crate::cli::Common;
use crate::{FAILED, USAGE};

/// The defaults the flags shared by `render` and `batch` give: campaign,
/// presets, templates and platforms (checked here, so a typo in a default
/// is a usage error before anything is read), today and direction. A
/// failure is its exit code and the message to print.
pub fn defaults(common: &Common) -> Result<Defaults, (u8, String)> {
    let failed = |e: postkit::Error| (if e.is_usage() { USAGE } else { FAILED }, e.to_string());
    let campaign = Campaign::load(&common.campaign).map_err(failed)?;
    let presets = match Platforms::load_or_embedded(common.platforms.as_deref()) {
        Ok(p) => p,
        Err(e) => return Err(presets_failed(common, e)),
    };
    // "event, countdown" is read as meant: the spaces after commas go.
    let templates: Vec<String> = (common.template.iter().map(|t| t.trim().to_string()))
        .filter(|t| !t.is_empty())
        .collect();
    let templates = match templates.is_empty() {
        true => vec![campaign.template.clone()],
        false => templates,
    };
    let platforms = presets.names_or_defaults(&common.platform, &campaign);
    check_platforms(&presets, &platforms, common)?;
    Ok(Defaults {
        campaign,
        presets,
        templates,
        platforms,
        today: common.today(),
        direction: common.direction(),
    })
}

/// `--platforms` names a presets file: given a preset's name instead
/// (`--platforms x-post`), point to `--platform`.
fn presets_failed(common: &Common, e: postkit::Error) -> (u8, String) {
    let given = common
        .platforms
        .as_deref()
        .unwrap_or(std::path::Path::new(""));
    let name = given.to_string_lossy();
    let embedded = Platforms::embedded();
    let names: Vec<&str> = name.split(',').map(str::trim).collect();
    let is_names = !given.exists()
        && names
            .iter()
            .all(|n| *n == "all" || embedded.get(n).is_some());
    if is_names {
        return (
            USAGE,
            format!("--platforms takes a file of platform presets (TOML); to choose platforms, use --platform {name}"),
        );
    }
    (FAILED, e.to_string())
}

/// Platforms named by the campaign file (no `--platform`) that the presets
/// do not have are that file's error.
fn check_platforms(
    presets: &Platforms,
    names: &[String],
    common: &Common,
) -> Result<(), (u8, String)> {
    let Err(e) = presets.select(names) else {
        return Ok(());
    };
    Err(if !common.platform.is_empty() {
        (if e.is_usage() { USAGE } else { FAILED }, e.to_string())
    } else if common.campaign != "default" {
        (FAILED, format!("{}: platforms: {e}", common.campaign))
    } else {
        (
            USAGE,
            format!("the default campaign's platforms: {e}; choose with --platform"),
        )
    })
}

/// Warns about fonts the templates ask for outside their slots that no
/// font file has (the text is drawn in the default family).
pub fn warn_unavailable_fonts<'a>(
    templates: impl IntoIterator<Item = &'a TemplateSet>,
    engine: &Engine,
) {
    let mut seen: Vec<String> = Vec::new();
    for t in templates {
        for w in t.unavailable_fonts(|f| engine.fonts().has_family(f)) {
            if !seen.contains(&w) {
                eprintln!("postkit: warning: {w}");
                seen.push(w);
            }
        }
    }
}
