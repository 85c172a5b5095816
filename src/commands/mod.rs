//! One file per subcommand. Each turns its flags into library calls and
//! the results into messages and an exit code; none holds pipeline logic.

pub mod batch;
pub mod check;
pub mod docs;
pub mod init;
pub mod render;
#[cfg(feature = "serve")]
pub mod serve;
pub mod templates;

use postkit::plan::Defaults;
use postkit::{Campaign, Engine, Platforms, TemplateSet};

use crate::cli::Common;
use crate::{fail, FAILED, USAGE};

/// The defaults the flags shared by `render` and `batch` give: campaign,
/// presets, templates and platforms (checked here, so a typo in a default
/// is a usage error before anything is read), today and direction.
pub fn defaults(common: &Common) -> Result<Defaults, u8> {
    let campaign = Campaign::load(&common.campaign).map_err(|e| fail(&e))?;
    let presets = Platforms::load_or_embedded(common.platforms.as_deref()).map_err(|e| fail(&e))?;
    let templates = if common.template.is_empty() {
        vec![campaign.template.clone()]
    } else {
        common.template.clone()
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

/// Platforms named by the campaign file (no `--platform`) that the presets
/// do not have are that file's error.
fn check_platforms(presets: &Platforms, names: &[String], common: &Common) -> Result<(), u8> {
    let Err(e) = presets.select(names) else {
        return Ok(());
    };
    Err(if !common.platform.is_empty() {
        fail(&e)
    } else if common.campaign != "default" {
        eprintln!("postkit: {}: platforms: {e}", common.campaign);
        FAILED
    } else {
        eprintln!("postkit: the default campaign's platforms: {e}; choose with --platform");
        USAGE
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
