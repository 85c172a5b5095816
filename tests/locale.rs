//! Issue 27: dates, times, digits and plural categories as postkit formats
//! them (ICU4X, compiled CLDR data) against ICU4C's own output for the same
//! locales and patterns (Debian's python3-icu, run by tests/icu_reference.py;
//! `.ci/run` installs it). The two carry different CLDR releases (ICU4C 72
//! has CLDR 42; ICU4X 2.4 a later one): the differences between them are
//! listed below, each checked, so a new one fails the test.

use std::process::Command;

use postkit::text::locale::Lang;

const LOCALES: &[&str] = &[
    "en-GB",
    "fr",
    "uk",
    "ar-u-nu-latn",
    "fa",
    "ru",
    "es",
    "zh",
    "pl",
];

/// (locale, what, ICU4C 72 / CLDR 42, postkit): a difference of CLDR
/// releases, not of postkit.
const KNOWN: &[(&str, &str, &str, &str)] = &[
    // Later CLDR drops the comma after the weekday in British English.
    (
        "en-GB",
        "long_date",
        "Friday, 18 December",
        "Friday 18 December",
    ),
    // Four-digit numbers: CLDR's minimum grouping digits of 2 for Spanish
    // and Polish, which ICU4C 72's NumberFormat does not apply (a
    // countdown never reaches 1000).
    ("es", "number 1234", "1.234", "1234"),
    ("pl", "number 1234", "1\u{a0}234", "1234"),
];

fn reference() -> serde_json::Value {
    let python = ["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .args(["-c", "import icu"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("ICU's Python binding is needed for this test: apt-get install python3-icu (.ci/run does)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/icu_reference.py");
    let out = Command::new(python)
        .arg(script)
        .args(LOCALES)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn formats_match_icu4c() {
    let reference = reference();
    let day = time::macros::date!(2026 - 12 - 18);
    let mut differences = Vec::new();
    let mut compared = 0;
    for tag in LOCALES {
        let r = &reference["locales"][tag];
        let lang = Lang::new(tag, false).unwrap();
        let mut check = |what: String, theirs: &str, ours: String| {
            compared += 1;
            if theirs != ours {
                differences.push((tag.to_string(), what, theirs.to_string(), ours));
            }
        };
        check(
            "long_date".into(),
            r["long_date"].as_str().unwrap(),
            lang.long_date(day),
        );
        check(
            "day_month".into(),
            r["day_month"].as_str().unwrap(),
            lang.day_month(day),
        );
        check(
            "time".into(),
            r["time"].as_str().unwrap(),
            lang.time(18, 30).unwrap(),
        );
        for (n, s) in r["numbers"].as_object().unwrap() {
            check(
                format!("number {n}"),
                s.as_str().unwrap(),
                lang.number(n.parse().unwrap()),
            );
        }
        for (n, s) in r["plurals"].as_object().unwrap() {
            check(
                format!("plural {n}"),
                s.as_str().unwrap(),
                lang.plural(n.parse().unwrap()).to_string(),
            );
        }
    }
    assert!(compared > 150, "{compared}");
    let known: Vec<(String, String, String, String)> = KNOWN
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(
        differences, known,
        "postkit's formats differ from ICU4C {} other than as listed",
        reference["icu"]
    );
}
