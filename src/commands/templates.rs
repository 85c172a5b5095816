//! `postkit platforms` and `postkit templates [list|show NAME]`.

use postkit::{Campaign, Engine, Platforms, TemplateSet};

use crate::cli::{ListArgs, TemplatesAction, TemplatesArgs};
use crate::{fail, OK};

pub fn platforms(args: ListArgs) -> u8 {
    let presets = Platforms::embedded();
    if args.json {
        out!(
            "{}",
            serde_json::to_string_pretty(presets.all()).expect("presets serialise")
        );
        return OK;
    }
    out!(
        "{:<22} {:>11}  {:<22} label",
        "name",
        "size",
        "safe (t r b l)"
    );
    for p in presets.all() {
        let safe = format!("{} {} {} {}", p.safe[0], p.safe[1], p.safe[2], p.safe[3]);
        let clip = p
            .video
            .map(|v| {
                format!(
                    " [mp4, {} fps, {}-{} s]",
                    v.fps, v.min_seconds, v.max_seconds
                )
            })
            .unwrap_or_default();
        out!(
            "{:<22} {:>11}  {:<22} {}{}{}",
            p.name,
            format!("{}x{}", p.width, p.height),
            safe,
            p.label,
            clip,
            if p.default { " (default)" } else { "" }
        );
    }
    OK
}

pub fn run(args: TemplatesArgs) -> u8 {
    match args.action {
        None => list_templates(args.json),
        Some(TemplatesAction::List { json }) => list_templates(json || args.json),
        Some(TemplatesAction::Show { name, out, json }) => {
            show_template(&name, &out, json || args.json)
        }
    }
}

fn list_templates(json: bool) -> u8 {
    let presets = Platforms::embedded();
    let mut list = Vec::new();
    for name in postkit::template::builtin_names() {
        match TemplateSet::load(name) {
            Ok(t) => list.push(t.info(presets.all())),
            Err(e) => return fail(&e),
        }
    }
    if json {
        out!("{}", serde_json::to_string_pretty(&list).expect("json"));
        return OK;
    }
    for t in &list {
        let variants: Vec<String> = t
            .variants
            .iter()
            .map(|v| format!("{} {}x{}", v.name, v.width, v.height))
            .collect();
        out!("{:<16} {}", t.name, t.description);
        out!("{:<16} variants: {}", "", variants.join(", "));
    }
    OK
}

/// The size of a preview of a variant no preset serves: its own size in
/// px, scaled down (never distorted) to what postkit renders.
fn preview_size(width: f32, height: f32) -> (u32, u32) {
    let side = postkit::platform::MAX_SIDE as f32;
    let area = postkit::raster::MAX_PIXELS as f32;
    let scale = (side / width)
        .min(side / height)
        .min((area / (width * height)).sqrt())
        .min(1.0);
    let px = |v: f32| ((v * scale).round() as u32).clamp(1, postkit::platform::MAX_SIDE);
    (px(width), px(height))
}

fn show_template(name: &str, out: &std::path::Path, json: bool) -> u8 {
    let set = match TemplateSet::load(name) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let presets = Platforms::embedded();
    let engine = match Engine::new(&[] as &[&str]) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    let info = set.info(presets.all());
    let content = postkit::check::sample_content(&Campaign::embedded());
    let mut previews = Vec::new();
    for v in &info.variants {
        // A preview at the variant's own size (or its first preset's).
        let platform = v
            .platforms
            .first()
            .and_then(|p| presets.get(p))
            .cloned()
            .unwrap_or_else(|| {
                let (w, h) = preview_size(v.width, v.height);
                postkit::Platform::custom(&v.name, w, h)
            });
        let path = out.join(format!(
            "{}-{}.png",
            postkit::output::slug(&set.name),
            v.name
        ));
        match engine
            .render(&set, &platform, &content)
            .and_then(|a| postkit::output::write_atomic(&path, &a.bytes))
        {
            Ok(()) => previews.push((v.name.clone(), Some(path.display().to_string()), None)),
            Err(e) => previews.push((v.name.clone(), None, Some(e.to_string()))),
        }
    }
    if json {
        let v = serde_json::json!({
            "template": info,
            "previews": previews.iter().map(|(v, p, e)| serde_json::json!({"variant": v, "path": p, "error": e})).collect::<Vec<_>>(),
        });
        out!("{}", serde_json::to_string_pretty(&v).expect("json"));
        return OK;
    }
    out!("{}: {}", info.name, info.description);
    for (v, (_, path, err)) in info.variants.iter().zip(&previews) {
        out!(
            "\n{}.svg  {}x{}  used for: {}",
            v.name,
            v.width,
            v.height,
            if v.platforms.is_empty() {
                "(no preset)".to_string()
            } else {
                v.platforms.join(", ")
            }
        );
        if v.mirrored_for_rtl {
            out!("  mirrored for right-to-left stories");
        }
        for s in &v.slots {
            out!(
                "  {:<14} {:<5} at {} {} {}x{}{}",
                s.name,
                s.kind,
                s.rect[0],
                s.rect[1],
                s.rect[2],
                s.rect[3],
                s.shown_when
                    .as_ref()
                    .map(|w| format!("  (with {w})"))
                    .unwrap_or_default()
            );
        }
        match (path, err) {
            (Some(p), _) => out!("  preview: {p}"),
            (_, Some(e)) => out!("  preview failed: {e}"),
            _ => {}
        }
    }
    OK
}
