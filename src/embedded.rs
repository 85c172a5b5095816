//! The embedded kit's templates: every built-in set's files, compiled into
//! the binary. A base module: the campaign checks names against it, the
//! template stage loads from it.

macro_rules! builtin {
    ($name:literal: $($file:literal),* $(,)?) => {
        ($name, &[$(($file, include_str!(concat!("../templates/", $name, "/", $file)))),*])
    };
}

/// The embedded kit: set name → files.
pub(crate) type BuiltinSet = (&'static str, &'static [(&'static str, &'static str)]);
pub(crate) static BUILTIN: &[BuiltinSet] = &[
    builtin!("story-quote": "template.toml", "square.svg", "portrait.svg", "story.svg", "reel.svg", "landscape.svg", "wide.svg", "banner.svg"),
    builtin!("photo-story": "template.toml", "square.svg", "portrait.svg", "story.svg", "reel.svg", "landscape.svg", "wide.svg", "banner.svg"),
    builtin!("event": "template.toml", "square.svg", "portrait.svg", "story.svg", "reel.svg", "landscape.svg", "wide.svg", "banner.svg"),
    builtin!("countdown": "template.toml", "square.svg", "portrait.svg", "story.svg", "reel.svg", "landscape.svg", "wide.svg", "banner.svg"),
    builtin!("supporter-badge": "template.toml", "square.svg", "portrait.svg", "story.svg", "reel.svg", "landscape.svg", "wide.svg", "banner.svg", "ultrawide.svg"),
    builtin!("ambassador": "template.toml", "square.svg", "portrait.svg", "story.svg", "reel.svg", "landscape.svg", "wide.svg"),
    builtin!("blog-header": "template.toml", "square.svg", "story.svg", "reel.svg", "landscape.svg", "wide.svg"),
    builtin!("video-cover": "template.toml", "square.svg", "portrait.svg", "story.svg", "reel.svg", "landscape.svg", "wide.svg"),
];

/// The names of the built-in template sets, in the kit's order.
pub fn template_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

/// The files of a built-in set: (file name, source).
pub fn template_files(name: &str) -> Option<&'static [(&'static str, &'static str)]> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}
