//! Diagnostics as data: every warning postkit reports about an asset has a
//! [`Kind`], the field or slot it belongs to, the sentence a person reads and,
//! where there is one, a hint that says what to do.
//!
//! Front ends choose by kind, never by parsing English: `--strict` fails an
//! asset on the kinds [`Kind::is_strict`] names, and a web form shows each
//! diagnostic beside the field it names. Printed, a diagnostic reads as it
//! always has: `message; hint`.

use serde::{Deserialize, Serialize};

/// What a diagnostic is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// No font has some characters of a text (they would show as boxes).
    MissingGlyph,
    /// A word too long for its box was broken inside.
    BrokenWord,
    /// Text contrast with what is behind it is below WCAG AA.
    LowContrast,
    /// Text is set too small to read on this size.
    SmallText,
    /// Drawn text reaches outside its box.
    InkOutside,
    /// A scrim was added behind text over a photo.
    Scrim,
    /// The logo was put on a plate for contrast.
    LogoPlate,
    /// The logo is an opaque image whose own solid background differs
    /// from the card's under it: it shows as a box.
    LogoBox,
    /// A font the template asks for is not available.
    FontUnavailable,
    /// The encoded file is over the platform's byte cap.
    OverByteCap,
    /// A hashtag would read better in another form.
    HashtagStyle,
    /// Written files could not be flushed to the disk.
    NotFlushed,
    /// An image is shown larger than its pixels allow: it will look soft.
    LowResolution,
    /// The template uses a field that has no value here.
    EmptyField,
    /// Part of the template is not drawn (Inkscape flowed text).
    NotDrawn,
    /// A clip shows its text faster than most people read.
    FastText,
    /// An image's colour profile cannot be read: it is used as sRGB.
    ColourProfile,
    /// A column, form field or `--field` no template of the request uses
    /// (often a typo): it was ignored.
    UnknownField,
    /// A countdown is much longer than a campaign's run-up (a date typed
    /// with the wrong year?).
    LongCountdown,
    /// A card's own words are in another language than the card's (the
    /// campaign lacks the language, or a text in it).
    LanguageFallback,
    /// A campaign file's text in some language is unusable (an unknown
    /// tag, a missing plural form).
    CampaignText,
}

impl Kind {
    /// The kinds `--strict` turns into errors for the asset: missing
    /// glyphs, words broken inside, contrast below WCAG AA and fields no
    /// template uses.
    pub fn is_strict(self) -> bool {
        matches!(
            self,
            Kind::MissingGlyph | Kind::BrokenWord | Kind::LowContrast | Kind::UnknownField
        )
    }
}

/// One warning about an asset, a template or a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// What it is about.
    pub kind: Kind,
    /// The field or slot it belongs to (`story`, `logo`, `hashtags`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What happened, in plain words.
    pub message: String,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of `kind` with a message and no field or hint.
    pub fn new(kind: Kind, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            kind,
            field: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Names the field or slot it belongs to.
    pub fn field(mut self, field: impl Into<String>) -> Diagnostic {
        self.field = Some(field.into());
        self
    }

    /// Adds what to do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.hint {
            Some(h) => write!(f, "{}; {h}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// How a request or asset failed, for front ends that answer in classes
/// (an HTTP server: 400, 413, 422) rather than in sentences.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// The input is wrong: a missing or malformed field, an unknown name.
    BadInput,
    /// An input is larger than postkit accepts.
    TooLarge,
    /// The input is valid but cannot be rendered (text that does not fit,
    /// a `--strict` problem).
    CannotRender,
    /// Writing or reading a file failed, or postkit itself failed.
    Internal,
}

impl ErrorClass {
    /// The HTTP status the API answers this class with: 400, 413, 422, 500.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorClass::BadInput => 400,
            ErrorClass::TooLarge => 413,
            ErrorClass::CannotRender => 422,
            ErrorClass::Internal => 500,
        }
    }
}

/// The known name closest to `name`, when one is close enough to be what
/// was meant (a typo: `platfrom`, `instagram-sqare`), else None. Case and
/// `-`/`_` are not told apart.
pub fn closest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let norm = |s: &str| s.trim().to_lowercase().replace('_', "-");
    let n = norm(name);
    if n.is_empty() {
        return None;
    }
    known
        .into_iter()
        .map(|k| (k, strsim::jaro_winkler(&n, &norm(k))))
        .filter(|(_, score)| *score >= 0.8)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(k, _)| k)
}

/// " (did you mean 'platform'?)" for [`closest`], or "".
pub fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    closest(name, known)
        .map(|k| format!(" (did you mean '{k}'?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagnostic_prints_as_message_then_hint() {
        let d = Diagnostic::new(Kind::LowContrast, "slot story: contrast is 2.00:1")
            .field("story")
            .hint("change the text colour");
        assert_eq!(
            d.to_string(),
            "slot story: contrast is 2.00:1; change the text colour"
        );
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["kind"], "low_contrast");
        assert_eq!(json["field"], "story");
        assert!(Kind::LowContrast.is_strict());
        assert!(!Kind::Scrim.is_strict());
    }

    /// Issue 30: a typo gets the name meant; a name far from every known
    /// one gets nothing.
    #[test]
    fn closest_names_the_typo_meant() {
        let known = ["org", "story", "platform", "template", "translation"];
        assert_eq!(closest("platfrom", known), Some("platform"));
        assert_eq!(closest("Templates", known), Some("template"));
        assert_eq!(closest("stroy", known), Some("story"));
        assert_eq!(closest("evnt", known), None);
        assert_eq!(
            did_you_mean("x-pots", ["x-post", "x-header"]),
            " (did you mean 'x-post'?)"
        );
    }
}
