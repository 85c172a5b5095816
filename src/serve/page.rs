//! The page, its script and styles, embedded in the binary: nothing is
//! fetched from anywhere else.

/// (path under `/assets/`, content type, bytes); the page itself is `/`.
/// The page's words are in message catalogues, one per language
/// (`i18n-TAG.json`, listed in `i18n-languages.json`).
pub const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("page/app.js"),
    ),
    (
        "batch.js",
        "text/javascript; charset=utf-8",
        include_str!("page/batch.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("page/app.css"),
    ),
    (
        "i18n-languages.json",
        JSON,
        include_str!("page/i18n/languages.json"),
    ),
    ("i18n-en.json", JSON, include_str!("page/i18n/en.json")),
    ("i18n-ar.json", JSON, include_str!("page/i18n/ar.json")),
    ("i18n-es.json", JSON, include_str!("page/i18n/es.json")),
    ("i18n-fr.json", JSON, include_str!("page/i18n/fr.json")),
];

const JSON: &str = "application/json; charset=utf-8";

/// The page.
pub const INDEX: &str = include_str!("page/index.html");

/// An embedded asset by name.
pub fn asset(name: &str) -> Option<(&'static str, &'static str)> {
    ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, t, b)| (*t, *b))
}
