//! The module graph follows the pipeline: each stage of the library
//! imports only from the stages before it (README, "Architecture"), so
//! there is no cycle. Read from the sources: a `crate::` path in a file of
//! one stage that names a later stage fails this test, with the line.

use std::path::Path;

/// The stages in order; modules in one stage may use each other.
const STAGES: &[&[&str]] = &[
    &["diag", "error", "contrast", "embedded"],
    &["text"],
    &["inputs"],
    &["template"],
    &["fill"],
    &["raster"],
    &["accessibility"],
    &["motion"],
    &["output"],
    &["report"],
    &["plan"],
    &["make"],
    &["batch"],
    &["api"],
    &["serve"],
    &["scaffold"],
];

fn stage_of(module: &str) -> Option<usize> {
    STAGES.iter().position(|s| s.contains(&module))
}

/// The library's source files (not the binary's) under `dir`.
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().unwrap() != "commands" {
                sources(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The modules a line names after `crate::`, including each name in a
/// `crate::{a, b::c}` group.
fn named(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in line.match_indices("crate::") {
        let rest = &line[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        } else {
            out.push(
                rest.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
    }
    out
}

#[test]
fn every_stage_imports_only_from_the_stages_before_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = top.trim_end_matches(".rs");
        if ["lib", "main", "cli"].contains(&module) {
            continue;
        }
        let own = stage_of(module).unwrap_or_else(|| {
            panic!(
                "{}: module {module} has no stage: add it to STAGES",
                rel.display()
            )
        });
        let text = std::fs::read_to_string(file).unwrap();
        // Unit tests may reach anywhere; they sit at the end of a file.
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        for (n, line) in code.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for name in named(line) {
                checked += 1;
                match stage_of(&name) {
                    Some(s) if s <= own => {}
                    Some(_) => problems.push(format!(
                        "{}:{}: {module} uses the later stage {name}: {}",
                        rel.display(),
                        n + 1,
                        line.trim()
                    )),
                    None => problems.push(format!(
                        "{}:{}: crate::{name} is not a module: name the module it comes from: {}",
                        rel.display(),
                        n + 1,
                        line.trim()
                    )),
                }
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} imports found: is the parser right?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checker itself sees a back edge and a root re-export.
#[test]
fn the_checker_reads_groups_and_paths() {
    assert_eq!(named("use crate::{fill, make::Made};"), ["fill", "make"]);
    assert_eq!(named("let x = crate::raster::render(&f);"), ["raster"]);
    assert_eq!(named("use crate::Engine;"), ["Engine"]);
    assert!(stage_of("make") > stage_of("fill"));
}
