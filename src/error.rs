//! Errors: each names the file, slot, template or platform at fault and says
//! what to do about it.

use std::path::PathBuf;

/// Everything that can go wrong in the pipeline.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("cannot {}: {path}: {source}", if *.what == "output" { "write" } else { "read" })]
    Io {
        /// The file.
        path: PathBuf,
        /// What the file is (for example `logo`, `story file`, `output`).
        what: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A font file could not be used.
    #[error("font {path}: {message}")]
    Font {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A template is malformed.
    #[error("template {template}: {message}")]
    Template {
        /// Template name or path (and variant).
        template: String,
        /// What is wrong and what to change.
        message: String,
    },
    /// A campaign or platform file is malformed.
    #[error("{origin}: {message}")]
    Config {
        /// The file (or `embedded campaign`).
        origin: String,
        /// What is wrong and what to change.
        message: String,
    },
    /// A logo or photo could not be used.
    #[error("{what} {path}: {message}")]
    Image {
        /// `logo` or `photo` (the slot).
        what: String,
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Text does not fit its slot even at the minimum size.
    #[error("the {slot} text does not fit the {template} template on {platform} even at {min_size}px ({detail}); shorten it to about {suggest} characters or lower data-font-size-min")]
    TextOverflow {
        /// Slot (field) name.
        slot: String,
        /// Template name.
        template: String,
        /// Platform preset name.
        platform: String,
        /// Minimum size tried.
        min_size: f32,
        /// Lines needed / allowed, or height.
        detail: String,
        /// A length that would probably fit.
        suggest: usize,
    },
    /// A text is longer than postkit sets.
    #[error("the {field} is {chars} characters long; the limit is {limit}: shorten it")]
    TooLong {
        /// The field.
        field: String,
        /// Its length.
        chars: usize,
        /// The limit.
        limit: usize,
    },
    /// A required field has no value.
    #[error("{0}")]
    MissingField(String),
    /// An unknown platform preset was asked for.
    #[error("unknown platform '{name}'; valid platforms: {valid}, or all")]
    UnknownPlatform {
        /// What was asked for.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// An unknown template was asked for.
    #[error("unknown template '{name}'; built-in templates: {valid} (or give a template folder or .svg file)")]
    UnknownTemplate {
        /// What was asked for.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// The filled SVG could not be rendered.
    #[error("rendering {template} for {platform} failed: {message}")]
    Render {
        /// Template name.
        template: String,
        /// Platform name.
        platform: String,
        /// Why.
        message: String,
    },
}

impl Error {
    /// True for errors that come from what the user asked for on the command
    /// line (unknown names), which the CLI reports as usage errors.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::UnknownPlatform { .. } | Error::UnknownTemplate { .. }
        )
    }
}
