//! Platform presets: pixel size, safe zone, file and text limits. Plain data,
//! embedded and overridable.

use serde::{Deserialize, Serialize};

use crate::error::Error;

const EMBEDDED: &str = include_str!("../../templates/platforms.toml");

/// Largest canvas postkit renders (width × height).
pub const MAX_PIXELS: u64 = 8192 * 8192;

/// Longest clip postkit makes, seconds.
pub const MAX_CLIP_SECONDS: f32 = 900.0;

/// Largest side of a preset, px (so no canvas passes the renderer's
/// [`MAX_PIXELS`]).
pub const MAX_SIDE: u32 = 8192;

/// One preset.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// Preset name, for example `instagram-square`.
    pub name: String,
    /// Human label.
    #[serde(default)]
    pub label: String,
    /// Width in px.
    pub width: u32,
    /// Height in px.
    pub height: u32,
    /// Safe-zone insets: top, right, bottom, left (px).
    #[serde(default)]
    pub safe: [u32; 4],
    /// Largest file the platform takes, bytes.
    #[serde(default)]
    pub max_bytes: Option<u64>,
    /// Preferred file format (`png`, `jpeg`, `webp`).
    #[serde(default = "png")]
    pub format: String,
    /// Post text limit (characters; graphemes on Bluesky).
    #[serde(default)]
    pub post_chars: Option<u32>,
    /// Most hashtags advised in a post.
    #[serde(default)]
    pub hashtag_cap: Option<u32>,
    /// Alt-text limit.
    #[serde(default)]
    pub alt_chars: Option<u32>,
    /// Part of the default set.
    #[serde(default)]
    pub default: bool,
    /// The smallest a story's text may be set here and still be read (px
    /// of the preset) where the image is seen: smaller text gets a
    /// [`Kind::SmallText`](crate::diag::Kind::SmallText) warning. Without
    /// it, [`Platform::readable_px`] derives one from the width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_text_px: Option<f32>,
    /// A video preset (`format = "mp4"`): its frame rate and the shortest
    /// and longest clip the platform takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<Video>,
}

/// What a platform takes of a clip.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Video {
    /// Frames a second (constant).
    pub fps: u32,
    /// Shortest clip, seconds.
    pub min_seconds: f32,
    /// Longest clip, seconds.
    pub max_seconds: f32,
}

impl Platform {
    /// True for a video preset.
    pub fn is_video(&self) -> bool {
        self.video.is_some()
    }

    /// The smallest a story's text may be set here (px): the preset's
    /// `min_text_px`, else [`READABLE_CSS_PX`] on a phone that shows the
    /// image [`PHONE_CSS_PX`] wide.
    pub fn readable_px(&self) -> f32 {
        self.min_text_px
            .unwrap_or_else(|| (self.width as f32 * READABLE_CSS_PX / PHONE_CSS_PX).round())
    }
}

/// How wide a phone shows a post, a story or a header: the screen's width
/// in CSS px (360 to 430 on today's phones; 390 the most common).
pub const PHONE_CSS_PX: f32 = 390.0;

/// The smallest text (CSS px, as the phone shows it) a story's body may
/// be: a little under the 11 pt / 11 sp that Apple's and Google's guides
/// give as the smallest text of an app, since a card's text is
/// large-contrast and a reader can tap an image to enlarge it, but no
/// further.
pub const READABLE_CSS_PX: f32 = 9.0;

impl Platform {
    /// A plain preset of `width` × `height` px with no safe zone or limits
    /// (previews, tests, one-off sizes).
    pub fn custom(name: &str, width: u32, height: u32) -> Platform {
        Platform {
            name: name.to_string(),
            label: String::new(),
            width,
            height,
            safe: [0; 4],
            max_bytes: None,
            format: png(),
            post_chars: None,
            hashtag_cap: None,
            alt_chars: None,
            default: false,
            min_text_px: None,
            video: None,
        }
    }
}

fn png() -> String {
    "png".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    platform: Vec<Platform>,
}

/// The set of presets in use.
#[derive(Clone, Debug)]
pub struct Platforms {
    list: Vec<Platform>,
}

impl Platforms {
    /// The embedded presets.
    pub fn embedded() -> Platforms {
        Platforms::from_toml(EMBEDDED, "embedded platforms").expect("embedded platforms are valid")
    }

    /// Parses presets from TOML (`[[platform]]` tables).
    pub fn from_toml(src: &str, origin: &str) -> Result<Platforms, Error> {
        let f: File = toml::from_str(src).map_err(|e| Error::Config {
            origin: origin.to_string(),
            message: format!(
                "not a valid platforms file: {}",
                crate::error::toml_message(src, &e)
            ),
        })?;
        // "line N: " of a key of the i-th [[platform]].
        let at = |i: usize, key: &str| {
            crate::error::toml_key_line(src, "platform", i, key)
                .map(|l| format!("line {l}: "))
                .unwrap_or_default()
        };
        let err = |message: String| Error::Config {
            origin: origin.to_string(),
            message,
        };
        for (i, p) in f.platform.iter().enumerate() {
            let name = p.name.trim();
            if name.is_empty() || name == "all" || name == "video" || name.contains(',') {
                return Err(err(format!(
                    "{}platform name \"{}\" cannot be used (it is empty, 'all', 'video' or has a comma); give each preset a name such as instagram-square",
                    at(i, "name"),
                    p.name
                )));
            }
            if let Some(first) = f.platform[..i].iter().position(|o| o.name == p.name) {
                return Err(err(format!(
                    "{}platform {name} is defined twice (first at {}); give each preset its own name",
                    at(i, "name"),
                    at(first, "name").trim_end_matches(": ")
                )));
            }
            for (key, v) in [("width", p.width), ("height", p.height)] {
                if v == 0 || v > MAX_SIDE {
                    return Err(err(format!(
                        "{}platform {name} is {}x{}; sizes must be 1 to {MAX_SIDE} px",
                        at(i, key),
                        p.width,
                        p.height
                    )));
                }
            }
            match (p.format.trim(), &p.video) {
                ("png" | "jpeg" | "jpg" | "webp", None) | ("mp4", Some(_)) => {}
                ("mp4", None) => {
                    return Err(err(format!(
                        "{}platform {name}: format = \"mp4\" needs a video table, for example video = {{ fps = 30, min_seconds = 3, max_seconds = 90 }}",
                        at(i, "format")
                    )))
                }
                ("png" | "jpeg" | "jpg" | "webp", Some(_)) => {
                    return Err(err(format!(
                        "{}platform {name}: a preset with a video table is a clip: give it format = \"mp4\"",
                        at(i, "format")
                    )))
                }
                _ => {
                    return Err(err(format!(
                        "{}platform {name}: format = \"{}\" is not a format postkit writes; use png, jpeg, webp or (with a video table) mp4",
                        at(i, "format"),
                        p.format
                    )))
                }
            }
            if let Some(v) = &p.video {
                let ok_range = v.min_seconds > 0.0
                    && v.min_seconds.is_finite()
                    && v.max_seconds.is_finite()
                    && v.min_seconds <= v.max_seconds
                    && v.max_seconds <= MAX_CLIP_SECONDS;
                if !(1..=60).contains(&v.fps) || !ok_range {
                    return Err(err(format!(
                        "{}platform {name}: video = {{ fps = {}, min_seconds = {}, max_seconds = {} }} is not a clip postkit makes; fps must be 1 to 60 and 0 < min_seconds <= max_seconds <= {MAX_CLIP_SECONDS}",
                        at(i, "video"),
                        v.fps,
                        v.min_seconds,
                        v.max_seconds
                    )));
                }
                if p.width % 2 == 1 || p.height % 2 == 1 {
                    return Err(err(format!(
                        "{}platform {name} is {}x{}; a clip's sides must be even (H.264 with 4:2:0 colour)",
                        at(i, "width"),
                        p.width,
                        p.height
                    )));
                }
            }
            if let Some(px) = p.min_text_px {
                if !(px > 0.0 && px <= p.height as f32) {
                    return Err(err(format!(
                        "{}platform {name}: min_text_px = {px} is not a text size on its {}x{} px; give the smallest readable text size in px of the preset, for example {}",
                        at(i, "min_text_px"),
                        p.width,
                        p.height,
                        Platform { min_text_px: None, ..p.clone() }.readable_px()
                    )));
                }
            }
            let [t, r, b, l] = p.safe;
            if t.saturating_add(b) >= p.height || l.saturating_add(r) >= p.width {
                return Err(err(format!(
                    "{}platform {name}: the safe zone ({t} {r} {b} {l}) leaves nothing of its {}x{} px; make the insets smaller",
                    at(i, "safe"),
                    p.width,
                    p.height
                )));
            }
        }
        Ok(Platforms { list: f.platform })
    }

    /// Presets from a TOML file.
    pub fn load(path: &std::path::Path) -> Result<Platforms, Error> {
        let src =
            crate::error::read_input_text(path, "platforms file", crate::error::MAX_CONFIG_BYTES)?;
        Platforms::from_toml(&src, &path.display().to_string())
    }

    /// The presets of `file`, or the embedded ones.
    pub fn load_or_embedded(file: Option<&std::path::Path>) -> Result<Platforms, Error> {
        match file {
            Some(path) => Platforms::load(path),
            None => Ok(Platforms::embedded()),
        }
    }

    /// The platform names to render: those `given`, else the campaign's,
    /// else the presets marked `default`.
    pub fn names_or_defaults(
        &self,
        given: &[String],
        campaign: &crate::inputs::Campaign,
    ) -> Vec<String> {
        if !given.is_empty() {
            given.to_vec()
        } else if !campaign.platforms.is_empty() {
            campaign.platforms.clone()
        } else {
            self.list
                .iter()
                .filter(|p| p.default)
                .map(|p| p.name.clone())
                .collect()
        }
    }

    /// All presets, in file order.
    pub fn all(&self) -> &[Platform] {
        &self.list
    }

    /// A preset by name.
    pub fn get(&self, name: &str) -> Option<&Platform> {
        self.list.iter().find(|p| p.name == name)
    }

    /// Presets by name (`all` for every still, `video` for every clip);
    /// unknown names are an error that lists the valid ones.
    pub fn select(&self, names: &[String]) -> Result<Vec<Platform>, Error> {
        let mut out: Vec<Platform> = Vec::new();
        let mut add = |p: &Platform| {
            if !out.iter().any(|o| o.name == p.name) {
                out.push(p.clone());
            }
        };
        let names: Vec<&str> = names
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .collect();
        for &n in &names {
            match n {
                "all" => self
                    .list
                    .iter()
                    .filter(|p| !p.is_video())
                    .for_each(&mut add),
                "video" => self.list.iter().filter(|p| p.is_video()).for_each(&mut add),
                _ => add(self.get(n).ok_or_else(|| {
                    let known = self.names();
                    Error::UnknownPlatform {
                        name: n.to_string(),
                        suggestion: crate::diag::did_you_mean(n, known.iter().map(String::as_str)),
                        valid: known.join(", "),
                    }
                })?),
            }
        }
        if names.contains(&"all") {
            // `all` keeps the file's order.
            out.sort_by_key(|p| self.list.iter().position(|o| o.name == p.name));
        }
        Ok(out)
    }

    /// The names, in order.
    pub fn names(&self) -> Vec<String> {
        self.list.iter().map(|p| p.name.clone()).collect()
    }
}
