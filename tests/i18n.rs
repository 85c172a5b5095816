//! The page's message catalogues (issue 27): every word the page shows
//! comes from `src/serve/page/i18n/TAG.json`; each catalogue has every key
//! of the English one, the same `{placeholders}`, and a plural message's
//! forms for exactly the CLDR categories its language has (ICU4X, as the
//! cards use); the real server serves each one and names the campaign's
//! card languages.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::root;
use postkit::text::locale::Lang;
use serde_json::Value;

const CATEGORIES: &[&str] = &["zero", "one", "two", "few", "many", "other"];

fn page_file(name: &str) -> String {
    let p = root().join("src/serve/page").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn catalogue(tag: &str) -> BTreeMap<String, String> {
    let text = page_file(&format!("i18n/{tag}.json"));
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("i18n/{tag}.json: {e}"));
    v.as_object()
        .unwrap_or_else(|| panic!("i18n/{tag}.json is not an object"))
        .iter()
        .map(|(k, v)| {
            let s = v
                .as_str()
                .unwrap_or_else(|| panic!("i18n/{tag}.json: {k} is not a text"));
            (k.clone(), s.to_string())
        })
        .collect()
}

fn languages() -> Vec<Value> {
    serde_json::from_str::<Vec<Value>>(&page_file("i18n/languages.json")).unwrap()
}

/// `key.one` → (`key`, `one`) for a plural message.
fn plural_of(key: &str) -> Option<(&str, &str)> {
    let (base, cat) = key.rsplit_once('.')?;
    CATEGORIES.contains(&cat).then_some((base, cat))
}

fn placeholders(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        out.insert(rest[i + 1..i + j].to_string());
        rest = &rest[i + j + 1..];
    }
    out
}

/// The keys the page's script and HTML ask for: `t('key')`, `tn('key', n)`,
/// `data-i18n="key"`, `data-i18n-aria-label="key"`.
fn keys_used() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let js = page_file("app.js");
    for open in ["t('", "tn('"] {
        for (at, _) in js.match_indices(open) {
            // A call of t or tn, not the end of another name ($$('…')).
            let before = js[..at].chars().next_back().unwrap_or(' ');
            if before.is_alphanumeric() || "$_.".contains(before) {
                continue;
            }
            let key = js[at + open.len()..].split('\'').next().unwrap();
            // Only literal keys: a `${…}` key is checked through its families below.
            if !key.contains('$') && !key.is_empty() {
                keys.insert(key.to_string());
            }
        }
    }
    let html = page_file("index.html");
    for attr in ["data-i18n=\"", "data-i18n-aria-label=\""] {
        for part in html.split(attr).skip(1) {
            keys.insert(part.split('"').next().unwrap().to_string());
        }
    }
    keys
}

#[test]
fn every_word_the_page_asks_for_is_in_the_english_catalogue() {
    let en = catalogue("en");
    let used = keys_used();
    assert!(used.len() > 80, "only {} keys found: {used:?}", used.len());
    for key in &used {
        let plain = en.contains_key(key);
        let plural = en.contains_key(&format!("{key}.other"));
        assert!(
            plain || plural,
            "app.js or index.html asks for '{key}', which i18n/en.json lacks"
        );
    }
    // The families the page builds keys for: every built-in kind, platform,
    // diagnostic kind and error class has its words.
    for name in [
        "story-quote",
        "photo-story",
        "event",
        "countdown",
        "supporter-badge",
    ] {
        assert!(en.contains_key(&format!("kind.{name}")), "kind.{name}");
        assert!(
            en.contains_key(&format!("kindname.{name}")),
            "kindname.{name}"
        );
    }
    let platforms: toml::Table =
        toml::from_str(&std::fs::read_to_string(root().join("templates/platforms.toml")).unwrap())
            .unwrap();
    for p in platforms
        .values()
        .flat_map(|v| v.as_array().cloned().unwrap_or_default())
    {
        let name = p["name"].as_str().unwrap();
        assert!(
            en.contains_key(&format!("platform.{name}")),
            "platform.{name} is not in i18n/en.json"
        );
    }
    for class in ["bad_input", "too_large", "cannot_render", "internal"] {
        assert!(en.contains_key(&format!("error.class.{class}")), "{class}");
        assert!(en.contains_key(&format!("error.field.{class}")), "{class}");
    }
    let diag = std::fs::read_to_string(root().join("src/diag.rs")).unwrap();
    let kinds = diag
        .split("pub enum Kind {")
        .nth(1)
        .unwrap()
        .split('}')
        .next()
        .unwrap();
    for line in kinds.lines().map(str::trim) {
        let Some(name) = line.strip_suffix(',').filter(|l| !l.starts_with("//")) else {
            continue;
        };
        // CamelCase → snake_case, as serde names the kinds.
        let mut snake = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
        }
        for key in [format!("diag.{snake}"), format!("diag.{snake}.text")] {
            assert!(
                en.contains_key(&key),
                "{key} is not in i18n/en.json (a diagnostic kind the page shows)"
            );
        }
    }
}

#[test]
fn every_catalogue_has_every_message_with_its_placeholders_and_plural_forms() {
    let en = catalogue("en");
    let langs = languages();
    assert!(
        langs.len() >= 4,
        "English and at least Arabic, French and Spanish"
    );
    // A plural message has English's two forms, key.one and key.other.
    let plural_bases: BTreeSet<&str> = en
        .keys()
        .filter_map(|k| plural_of(k))
        .map(|(b, _)| b)
        .filter(|b| en.contains_key(&format!("{b}.one")) && en.contains_key(&format!("{b}.other")))
        .collect();
    for l in &langs {
        let tag = l["tag"].as_str().unwrap();
        let cat = catalogue(tag);
        assert_eq!(
            l["dir"],
            if ["ar", "fa", "ur"].contains(&tag) {
                "rtl"
            } else {
                "ltr"
            },
            "{tag}"
        );
        assert_eq!(
            l["draft"],
            tag != "en",
            "{tag}: every translation is a draft until a native speaker checks it"
        );
        let needs = Lang::new(tag, false).unwrap().integer_categories();
        for (key, english) in &en {
            if key.starts_with('_') {
                continue;
            }
            if let Some((base, _)) = plural_of(key).filter(|(b, _)| plural_bases.contains(b)) {
                // Each form of a plural message has the English one's placeholders.
                for form in needs.iter().map(|c| format!("{base}.{c}")) {
                    let text = cat.get(&form).unwrap_or_else(|| {
                        panic!(
                            "i18n/{tag}.json lacks {form} ({tag} needs {})",
                            needs.join(", ")
                        )
                    });
                    let want: BTreeSet<String> = placeholders(english)
                        .into_iter()
                        .filter(|p| p != "n")
                        .collect();
                    let got: BTreeSet<String> = placeholders(text)
                        .into_iter()
                        .filter(|p| p != "n")
                        .collect();
                    assert_eq!(got, want, "i18n/{tag}.json {form}: {text}");
                }
                continue;
            }
            let text = cat
                .get(key)
                .unwrap_or_else(|| panic!("i18n/{tag}.json lacks {key} (English: {english})"));
            assert_eq!(
                placeholders(text),
                placeholders(english),
                "i18n/{tag}.json {key}: {text}"
            );
            assert!(!text.trim().is_empty(), "i18n/{tag}.json {key} is empty");
        }
        for key in cat.keys() {
            if key.starts_with('_') {
                continue;
            }
            match plural_of(key) {
                Some((base, c)) if plural_bases.contains(base) => assert!(
                    needs.contains(&c),
                    "i18n/{tag}.json {key}: {tag} has no plural category {c} (it has {})",
                    needs.join(", ")
                ),
                _ => assert!(
                    en.contains_key(key),
                    "i18n/{tag}.json has {key}, which English lacks"
                ),
            }
        }
        // A translation says it is one, and how to correct it.
        if tag != "en" {
            assert!(
                cat["_note"].contains(&format!("i18n/{tag}.json")),
                "{tag}: _note"
            );
        }
    }
}

/// Arabic's six plural forms are six different messages, not one copied.
#[test]
fn arabic_counts_have_six_forms() {
    let ar = catalogue("ar");
    let forms: BTreeSet<&String> = CATEGORIES
        .iter()
        .map(|c| &ar[&format!("sizes.chosen.{c}")])
        .collect();
    assert_eq!(forms.len(), 6, "{forms:?}");
}

fn get(addr: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    (head.to_string(), body.to_string())
}

/// The real server serves each catalogue as it is in the source, and the
/// campaign's card languages (the page's card-language menu) with the
/// UN's name of the day in each.
#[test]
fn the_server_serves_the_catalogues_and_the_card_languages() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_postkit"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .map(|a| a.trim_end_matches('/').to_string())
        .unwrap_or_else(|| panic!("no address in {line}"));
    let result = std::panic::catch_unwind(|| {
        let (head, body) = get(&addr, "/assets/i18n-languages.json");
        assert!(head.contains("application/json"), "{head}");
        let langs: Vec<Value> = serde_json::from_str(&body).unwrap();
        assert_eq!(langs.len(), languages().len());
        for l in langs {
            let tag = l["tag"].as_str().unwrap();
            let (head, body) = get(&addr, &format!("/assets/i18n-{tag}.json"));
            assert!(head.starts_with("HTTP/1.1 200"), "{tag}: {head}");
            assert_eq!(body, page_file(&format!("i18n/{tag}.json")), "{tag}");
        }
        let (_, body) = get(&addr, "/api/campaign");
        let c: Value = serde_json::from_str(&body).unwrap();
        let names: BTreeMap<&str, &str> = c["languages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["tag"].as_str().unwrap(), l["name"].as_str().unwrap()))
            .collect();
        assert_eq!(names["en-GB"], "International Migrants Day");
        assert_eq!(names["ar"], "اليوم الدولي للمهاجرين");
        assert_eq!(names["fr"], "Journée internationale des migrants");
        assert_eq!(c["languages"][0]["tag"], "en-GB", "the main language first");
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
