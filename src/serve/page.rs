//! The page, its script and styles, embedded in the binary: nothing is
//! fetched from anywhere else.

/// (path under `/assets/`, content type, bytes); the page itself is `/`.
pub const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("page/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("page/app.css"),
    ),
];

/// The page.
pub const INDEX: &str = include_str!("page/index.html");

/// An embedded asset by name.
pub fn asset(name: &str) -> Option<(&'static str, &'static str)> {
    ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, t, b)| (*t, *b))
}
