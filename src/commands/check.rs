//! `postkit check TEMPLATE`: lint a template.

use postkit::{Campaign, Engine, Platforms, TemplateSet};

use crate::cli::CheckArgs;
use crate::{fail, FAILED, OK};

pub fn run(args: CheckArgs) -> u8 {
    let set = match TemplateSet::load(&args.template) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let presets = match Platforms::load_or_embedded(args.platforms.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let engine = match Engine::new(&[] as &[&str]) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    let findings = postkit::check::check(&set, presets.all(), &Campaign::embedded(), &engine);
    if args.json {
        out!("{}", serde_json::to_string_pretty(&findings).expect("json"));
    } else {
        for f in &findings {
            match &f.slot {
                Some(s) => out!("{}/{}: slot {s}: {}", set.name, f.variant, f.message),
                None => out!("{}/{}: {}", set.name, f.variant, f.message),
            }
        }
        eprintln!(
            "postkit: {}: {} problem{}",
            set.name,
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        );
    }
    if findings.is_empty() {
        OK
    } else {
        FAILED
    }
}
