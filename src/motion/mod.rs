//! Motion: a filled card, cut into layers rendered once, composed into the
//! frames of a clip. The art settles in, a text's lines appear one after
//! another at reading pace (a right-to-left story's from the right), the
//! hashtags and the organisation follow, and the clip holds on the
//! finished card: the last frames are the still, pixel for pixel.
//!
//! The stage gives frames, not bytes: [`Clip::frames`] hands each new
//! frame (or "the same again, n times") to the caller, which encodes them
//! (`crate::output::clip`). A frame is composed from the layers in memory
//! (moved, faded, scaled or wiped), never rendered from the SVG again.

pub mod layers;
pub mod reading;

use resvg::tiny_skia::{FilterQuality, Pixmap, PixmapPaint, Transform};

use crate::diag::{Diagnostic, Kind};
use crate::fill::{Filled, MotionActor};
use crate::inputs::platform::Video;
use crate::inputs::{Content, Platform};
use crate::raster::RenderError;
use crate::template::motion::{At, Ease, Entrance, OutAt, Role, Side, Stagger};
use crate::template::SlotKind;
use crate::template::TemplateSet;
use crate::text::FontBook;
use layers::Layer;

/// Seconds the finished card is held at least (the last line needs time to
/// be read; a clip that ends as its text appears feels cut off).
pub const MIN_HOLD: f32 = 2.0;

/// What the user asked of a clip.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ClipOptions {
    /// Its length, seconds (`--duration`); None: as long as its text takes
    /// to read.
    pub duration: Option<f32>,
}

/// Why a clip cannot be made.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MotionError {
    /// `--duration` outside what the platform takes.
    #[error("a {platform} clip lasts {min} to {max} s; {asked} s was asked: give --duration within that range")]
    Duration {
        /// Preset.
        platform: String,
        /// Asked, seconds.
        asked: f32,
        /// Shortest, seconds.
        min: f32,
        /// Longest, seconds.
        max: f32,
    },
    /// The text takes longer to read than the platform's longest clip.
    #[error("the story takes about {needed:.0} s to read in a {platform} clip, which lasts at most {max} s: shorten it to about {words} words")]
    TooLong {
        /// Preset.
        platform: String,
        /// Seconds needed.
        needed: f32,
        /// Longest, seconds.
        max: f32,
        /// About how many words would fit.
        words: usize,
    },
    /// The layers could not be drawn.
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// When and how one layer enters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Track {
    /// The entrance, its side resolved for the layout's direction.
    pub entrance: Entrance,
    /// Start, seconds.
    pub start: f32,
    /// Length, seconds.
    pub length: f32,
    /// Easing.
    pub ease: Ease,
    /// How it leaves, for an element that is the clip's alone
    /// (`data-motion-out`).
    pub exit: Option<Leave>,
}

/// When and how a layer leaves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Leave {
    /// The entrance it plays the other way, its side resolved for the
    /// layout's direction: the side it leaves by (a wipe: the side that
    /// goes first).
    pub exit: Entrance,
    /// Start, seconds.
    pub start: f32,
    /// Length, seconds.
    pub length: f32,
    /// Easing.
    pub ease: Ease,
}

/// Seconds an element that leaves stays once it has entered, unless the
/// template says (`data-motion-out-at`).
pub const STAY: f32 = 1.5;

impl Track {
    const STILL: Track = Track {
        entrance: Entrance::None,
        start: 0.0,
        length: 0.0,
        ease: Ease::Linear,
        exit: None,
    };

    /// When it has wholly entered.
    fn end(&self) -> f32 {
        self.start + self.length
    }

    /// When it is done moving: entered, or gone if it leaves.
    fn done(&self) -> f32 {
        self.exit.map_or(self.end(), |l| l.start + l.length)
    }
}

/// A clip, planned: its layers and when each enters.
pub struct Clip {
    /// Canvas width, px.
    pub width: u32,
    /// Canvas height, px.
    pub height: u32,
    /// Frames a second.
    pub fps: u32,
    /// Frames in all.
    pub frames: u32,
    /// The first frame of the hold (from it on, every frame is the still).
    pub hold_from: u32,
    /// The layers, in drawing order.
    pub layers: Vec<Layer>,
    /// Each layer's entrance.
    pub tracks: Vec<Track>,
    /// Things worth telling the user.
    pub diagnostics: Vec<Diagnostic>,
}

impl Clip {
    /// Seconds.
    pub fn seconds(&self) -> f32 {
        self.frames as f32 / self.fps as f32
    }
}

/// What a clip is made from: the card's template, preset and content, and
/// the fonts and renderer options it was drawn with.
pub struct Source<'a> {
    /// The template.
    pub set: &'a TemplateSet,
    /// The video preset.
    pub platform: &'a Platform,
    /// The content.
    pub content: &'a Content,
    /// The fonts.
    pub book: &'a FontBook,
    /// The renderer's options for the template.
    pub opts: &'a usvg::Options<'a>,
}

/// Numbers a count runs through before its own.
pub const COUNT_STEPS: u32 = 9;

impl crate::raster::Engine {
    /// Plans the clip of a card: `filled` is the fill of `set` for
    /// `platform` with `content` (with its actors), `video` the preset's
    /// limits. The one way the make step and the tests plan a clip.
    pub fn plan_clip(
        &self,
        set: &TemplateSet,
        platform: &Platform,
        content: &Content,
        filled: &Filled,
        video: &Video,
        asked: &ClipOptions,
    ) -> Result<Clip, MotionError> {
        self.with_options(set, |opts| {
            let src = Source {
                set,
                platform,
                content,
                book: self.fonts(),
                opts,
            };
            plan(&src, filled, video, asked)
        })
    }
}

/// Plans the clip of `filled` (the fill of `src`, with its actors) for
/// the preset's `video` limits.
pub fn plan(
    src: &Source,
    filled: &Filled,
    video: &Video,
    clip: &ClipOptions,
) -> Result<Clip, MotionError> {
    let platform = &src.platform.name;
    let mut layers = layers::layers(filled, src.opts, None)?;
    let mut tracks = default_tracks(filled, &layers);
    counts(src, filled, &mut layers, &mut tracks)?;
    let mut diagnostics = Vec::new();
    // The text's pace and the hold.
    let end = tracks
        .iter()
        .filter(|t| t.entrance != Entrance::Pan)
        .map(Track::done)
        .fold(0.0f32, f32::max);
    let last_read = last_line_seconds(&layers, &tracks);
    let hold = MIN_HOLD.max(last_read + 1.0);
    let natural = end + hold;
    let seconds = match clip.duration {
        Some(d) => {
            if !(video.min_seconds..=video.max_seconds).contains(&d) || !d.is_finite() {
                return Err(MotionError::Duration {
                    platform: platform.to_string(),
                    asked: d,
                    min: video.min_seconds,
                    max: video.max_seconds,
                });
            }
            if d < natural {
                // Everything comes sooner, keeping a hold of a second.
                let f = ((d - 1.0).max(0.1) / end.max(0.1)).min(1.0);
                if f < 0.8 {
                    diagnostics.push(
                        Diagnostic::new(
                            Kind::FastText,
                            format!(
                                "in {d} s the text comes faster than most people read (it needs about {natural:.0} s)"
                            ),
                        )
                        .field("duration")
                        .hint("give a longer --duration, or leave it out and the clip lasts as long as the text takes to read"),
                    );
                }
                for t in &mut tracks {
                    t.start *= f;
                    t.length *= f;
                    if let Some(l) = &mut t.exit {
                        l.start *= f;
                        l.length *= f;
                    }
                }
            }
            d
        }
        None => {
            if natural > video.max_seconds {
                let words = (reading::WORDS_PER_MINUTE / 60.0
                    * (video.max_seconds - MIN_HOLD - 1.0).max(1.0))
                    as usize;
                return Err(MotionError::TooLong {
                    platform: platform.to_string(),
                    needed: natural,
                    max: video.max_seconds,
                    words,
                });
            }
            natural.max(video.min_seconds)
        }
    };
    let frames = ((seconds * video.fps as f32).round() as u32).max(1);
    // A photo drifts until the rest has entered (two seconds at least),
    // then rests.
    let rest = tracks
        .iter()
        .filter(|t| t.entrance != Entrance::Pan)
        .map(Track::end)
        .fold(0.0f32, f32::max);
    for t in tracks.iter_mut().filter(|t| t.entrance == Entrance::Pan) {
        t.start = 0.0;
        t.length = rest.max(2.0).min(seconds);
    }
    let last = tracks.iter().map(Track::done).fold(0.0f32, f32::max);
    let hold_from = ((last * video.fps as f32).ceil() as u32 + 1).min(frames.saturating_sub(1));
    Ok(Clip {
        width: filled.width,
        height: filled.height,
        fps: video.fps,
        frames,
        hold_from,
        layers,
        tracks,
        diagnostics,
    })
}

/// A count's numbers: for each layer whose actor counts, the same layer
/// drawn with the numbers before its own (its value plus [`COUNT_STEPS`]
/// down to its value plus one), each from a fill of its own. A value that
/// is not a whole number simply fades in.
fn counts(
    src: &Source,
    filled: &Filled,
    layers: &mut [Layer],
    tracks: &mut [Track],
) -> Result<(), MotionError> {
    for (k, actor) in filled.actors.iter().enumerate() {
        let Some((field, _)) = &actor.slot else {
            continue;
        };
        let Some(i) = tracks.iter().zip(layers.iter()).position(|(t, l)| {
            t.entrance == Entrance::Count && l.owner.is_some_and(|(a, _)| a == k)
        }) else {
            continue;
        };
        let value = src.content.fields.get(field).map(|v| v.trim());
        let Some(n) = value.and_then(|v| v.parse::<u32>().ok()) else {
            tracks[i].entrance = Entrance::Fade;
            continue;
        };
        let mut content = src.content.clone();
        for step in (1..=COUNT_STEPS).rev() {
            content
                .fields
                .insert(field.clone(), (n.saturating_add(step)).to_string());
            let f = crate::fill::fill(src.set, src.platform, &content, src.book)
                .map_err(|e| MotionError::Render(RenderError::InvalidSvg(e.to_string())))?;
            let mut drawn = layers::layers(&f, src.opts, Some(k))?;
            if let Some(pos) = drawn.iter().position(|l| l.owner == layers[i].owner) {
                layers[i].counts.push(drawn.swap_remove(pos));
            }
        }
    }
    Ok(())
}

/// Fields whose text is the user's own story, read line by line.
const READ_FIELDS: &[&str] = &["story", "translation", "quote", "title", "event"];

/// The default entrance of an actor, by what it is.
fn default_entrance(a: &MotionActor) -> Entrance {
    match (&a.role, &a.slot) {
        (Role::Art, _) => Entrance::Settle,
        (Role::Label, _) => Entrance::Pop,
        (Role::Slot(_), Some((f, SlotKind::Image))) if f == "photo" || f == "portrait" => {
            Entrance::Pan
        }
        (Role::Slot(_), Some((_, SlotKind::Image))) => Entrance::Fade,
        (Role::Slot(_), Some((f, _))) if READ_FIELDS.contains(&f.as_str()) => {
            Entrance::Wipe(Side::Start)
        }
        _ => Entrance::Rise,
    }
}

fn default_length(e: Entrance) -> f32 {
    match e {
        Entrance::Settle => 0.9,
        Entrance::Wipe(_) => 0.7,
        Entrance::Pop => 0.5,
        Entrance::Count => 1.6,
        _ => 0.6,
    }
}

/// The tracks of every layer: the template's attributes where it gives
/// them, the kit's defaults elsewhere. Elements that leave (an opening
/// title over the card) go first: what has no time of its own begins once
/// they have gone.
fn default_tracks(filled: &Filled, layers: &[Layer]) -> Vec<Track> {
    let (tracks, gone) = tracks_from(filled, layers, 0.0);
    if gone > 0.0 {
        tracks_from(filled, layers, gone).0
    } else {
        tracks
    }
}

/// The tracks, with the defaults of what does not leave counted from
/// `begin`; and when the elements that leave on their own time (not
/// relative to another's) have gone, seconds.
fn tracks_from(filled: &Filled, layers: &[Layer], begin: f32) -> (Vec<Track>, f32) {
    let rtl = filled.mirrored;
    let canvas = [0, 0, filled.width as i32, filled.height as i32];
    // Backgrounds (art that covers the canvas) stay put unless the
    // template says otherwise: a card never fades in from white.
    let covers = |l: &Layer| {
        let r = l.rect();
        r[0] <= canvas[0] + 1
            && r[1] <= canvas[1] + 1
            && r[2] >= canvas[2] - 1
            && r[3] >= canvas[3] - 1
    };
    let mut tracks = vec![Track::STILL; layers.len()];
    // Actor by actor, in drawing order.
    let (mut art_n, mut cursor) = (0usize, begin + 0.5);
    let mut gone = 0.0f32;
    let mut prev: Option<(f32, f32)> = None; // the actor before: start, end
    for (k, actor) in filled.actors.iter().enumerate() {
        let idx: Vec<usize> = (0..layers.len())
            .filter(|&i| layers[i].owner.is_some_and(|(a, _)| a == k))
            .collect();
        if idx.is_empty() {
            continue;
        }
        let m = &actor.motion;
        let background = actor.role == Role::Art
            && m.entrance.is_none()
            && idx.iter().any(|&i| covers(&layers[i]));
        let entrance = match m.entrance {
            Some(e) => e,
            None if background => Entrance::None,
            None => default_entrance(actor),
        };
        if entrance == Entrance::None && m.exit.is_none() {
            continue;
        }
        let entrance = resolve(entrance, rtl);
        let length = match entrance {
            Entrance::None => 0.0,
            e => m.length.unwrap_or_else(|| default_length(e)),
        };
        let ease = m.ease.unwrap_or(match entrance {
            Entrance::Pop => Ease::Back,
            Entrance::Pan => Ease::InOut,
            _ => Ease::Out,
        });
        let reads =
            matches!(&actor.slot, Some((f, SlotKind::Text)) if READ_FIELDS.contains(&f.as_str()));
        let stagger = m.stagger.or(reads.then_some(Stagger::Read));
        let from = if m.exit.is_some() { 0.0 } else { begin };
        let default_start = match actor.role {
            Role::Art | Role::Label => {
                art_n += 1;
                from + if actor.role == Role::Label {
                    0.35
                } else {
                    (0.07 * (art_n - 1) as f32).min(0.5)
                }
            }
            Role::Slot(_) => cursor,
        };
        let start = match m.at {
            None => default_start,
            Some(At::Seconds(s)) => s,
            Some(At::After(d)) => prev.map_or(0.0, |p| p.1) + d,
            Some(At::With(d)) => prev.map_or(0.0, |p| p.0) + d,
        }
        .max(0.0);
        // Parts (lines, a group's children) one after another; what is
        // not a part enters with the first.
        let mut t = start;
        let mut end = start + length;
        let mut first_part = true;
        for &i in &idx {
            let part = layers[i].owner.map_or(0, |(_, p)| p);
            if part > 0 {
                if !first_part {
                    t += match stagger {
                        Some(Stagger::Seconds(s)) => s,
                        Some(Stagger::Read) => reading::seconds(&prev_text(layers, &idx, i)),
                        None => 0.0,
                    };
                }
                first_part = false;
            }
            tracks[i] = Track {
                entrance: by_line(entrance, layers[i].rtl),
                start: if part > 0 { t } else { start },
                length,
                ease,
                exit: None,
            };
            end = end.max(tracks[i].end());
        }
        if let Role::Slot(_) = actor.role {
            if entrance != Entrance::Pan {
                // The next slot follows once this one's last part is in.
                cursor = cursor.max(t + if reads { 0.6 } else { 0.25 });
            }
        }
        if let Some(x) = m.exit {
            // It leaves whole, once all of it is in; `after` on the actor
            // next to it follows its leaving.
            let at = match x.at {
                None => end + STAY,
                Some(OutAt::After(d)) => end + d,
                Some(OutAt::Seconds(s)) => s.max(start),
            };
            let length = x.length.unwrap_or(0.5);
            for &i in &idx {
                tracks[i].exit = Some(Leave {
                    exit: by_line(resolve_exit(x.kind, rtl), layers[i].rtl),
                    start: at,
                    length,
                    ease: x.ease.unwrap_or(Ease::In),
                });
            }
            end = at + length;
            if matches!(m.at, None | Some(At::Seconds(_))) {
                gone = gone.max(end);
            }
        }
        prev = Some((start, end));
    }
    (tracks, gone)
}

/// A wipe from where the text starts, for a line drawn `rtl` or not: a
/// line wipes on (and off) from where it starts to be read.
fn by_line(e: Entrance, rtl: bool) -> Entrance {
    match e {
        Entrance::Wipe(Side::Start) => Entrance::Wipe(if rtl { Side::Right } else { Side::Left }),
        e => e,
    }
}

/// An exit's sides as drawn: a `slide` leaves towards where the text
/// ends (it moves on, as one reads); the rest as for entrances.
fn resolve_exit(e: Entrance, rtl: bool) -> Entrance {
    match e {
        Entrance::Slide(Side::Start) => resolve(Entrance::Slide(Side::Right), rtl),
        e => resolve(e, rtl),
    }
}

/// The text of the part before `i` among the actor's layers `idx`.
fn prev_text(layers: &[Layer], idx: &[usize], i: usize) -> String {
    let part = layers[i].owner.map_or(0, |(_, p)| p);
    idx.iter()
        .rev()
        .map(|&j| &layers[j])
        .find(|l| l.owner.is_some_and(|(_, p)| p > 0 && p < part))
        .map(|l| l.text.clone())
        .unwrap_or_default()
}

/// Seconds to read the last line that appears.
fn last_line_seconds(layers: &[Layer], tracks: &[Track]) -> f32 {
    layers
        .iter()
        .zip(tracks)
        .filter(|(l, t)| !l.text.is_empty() && t.entrance != Entrance::None && t.exit.is_none())
        .max_by(|a, b| a.1.start.total_cmp(&b.1.start))
        .map_or(0.0, |(l, _)| reading::seconds(&l.text))
}

/// Sides as drawn: `Start` is the side a line starts on; in a mirrored
/// layout left and right swap.
fn resolve(e: Entrance, rtl: bool) -> Entrance {
    let side = |s: Side| match (s, rtl) {
        (Side::Start, false) | (Side::Right, true) => Side::Left,
        (Side::Start, true) | (Side::Left, true) => Side::Right,
        (s, _) => s,
    };
    match e {
        Entrance::Slide(s) => Entrance::Slide(side(s)),
        // A wipe from the start follows each line's own direction (below).
        Entrance::Wipe(Side::Start) => e,
        Entrance::Wipe(s) => Entrance::Wipe(side(s)),
        e => e,
    }
}

/// How a layer is drawn in one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
struct State {
    /// 0 (not drawn) to 1.
    opacity: f32,
    /// Shift, px.
    dx: f32,
    dy: f32,
    /// Scale about `origin` (1: none).
    scale: f32,
    /// The share of the layer's width shown, from `from_right` or the left
    /// (1: all).
    shown: f32,
    from_right: bool,
    /// A pan: scaled about the focal point, clipped to the layer's rect.
    pan: bool,
    /// A count: which of the layer's numbers is shown (its own when it is
    /// past the last).
    count: usize,
}

const REST: State = State {
    opacity: 1.0,
    dx: 0.0,
    dy: 0.0,
    scale: 1.0,
    shown: 1.0,
    from_right: false,
    pan: false,
    count: usize::MAX,
};

impl Track {
    /// Progress at `t` seconds: 0 before, 1 after.
    fn progress(&self, t: f32) -> f32 {
        if self.length <= 0.0 {
            if t >= self.start {
                1.0
            } else {
                0.0
            }
        } else {
            ((t - self.start) / self.length).clamp(0.0, 1.0)
        }
    }

    fn state(&self, t: f32, w: u32, h: u32) -> State {
        if let Some(l) = &self.exit {
            if t >= l.start {
                return l.state(t, w, h);
            }
        }
        let p = self.progress(t);
        if self.entrance == Entrance::None || p >= 1.0 {
            return REST;
        }
        let e = self.ease.apply(p);
        let fade = (p * 2.0).min(1.0);
        let unit = w.min(h) as f32;
        let mut s = REST;
        match self.entrance {
            Entrance::None => {}
            Entrance::Fade => s.opacity = e,
            Entrance::Count => {
                // Quick to show, then the numbers tick down, slowing as
                // they reach the day's.
                s.opacity = (p * 6.0).min(1.0);
                s.count = (e * (COUNT_STEPS + 1) as f32).floor() as usize;
            }
            Entrance::Rise => {
                s.opacity = fade;
                s.dy = (1.0 - e) * 0.04 * unit;
            }
            Entrance::Slide(side) => {
                s.opacity = fade;
                let d = (1.0 - e) * 0.08 * unit;
                match side {
                    Side::Left | Side::Start => s.dx = -d,
                    Side::Right => s.dx = d,
                    Side::Up => s.dy = d,
                    Side::Down => s.dy = -d,
                }
            }
            Entrance::Pop => {
                s.opacity = (p * 3.0).min(1.0);
                s.scale = 0.8 + 0.2 * e;
            }
            Entrance::Wipe(side) => {
                s.opacity = (p * 4.0).min(1.0);
                s.shown = e;
                s.from_right = side == Side::Right;
                if matches!(side, Side::Up | Side::Down) {
                    s.opacity = e;
                    s.shown = 1.0;
                }
            }
            Entrance::Settle => {
                s.opacity = e;
                s.scale = 1.06 - 0.06 * e;
            }
            Entrance::Pan => {
                s.scale = 1.0 + 0.08 * (1.0 - e);
                s.pan = true;
            }
        }
        if s.opacity <= 0.0 {
            s.opacity = 0.0;
        }
        s
    }
}

impl Leave {
    /// How a layer that leaves is drawn at `t` (from its start on): its
    /// exit is its entrance played the other way, moving on past where it
    /// rested; once gone it is not drawn.
    fn state(&self, t: f32, w: u32, h: u32) -> State {
        let p = if self.length <= 0.0 {
            1.0
        } else {
            ((t - self.start) / self.length).clamp(0.0, 1.0)
        };
        if p >= 1.0 {
            return State {
                opacity: 0.0,
                ..REST
            };
        }
        let q = self.ease.apply(p);
        let fade = ((1.0 - p) * 2.0).min(1.0);
        let unit = w.min(h) as f32;
        let mut s = REST;
        match self.exit {
            Entrance::Rise => {
                s.opacity = fade;
                s.dy = -q * 0.04 * unit;
            }
            Entrance::Slide(side) => {
                s.opacity = fade;
                let d = q * 0.08 * unit;
                match side {
                    Side::Left | Side::Start => s.dx = -d,
                    Side::Right => s.dx = d,
                    Side::Up => s.dy = -d,
                    Side::Down => s.dy = d,
                }
            }
            Entrance::Pop => {
                s.opacity = ((1.0 - p) * 3.0).min(1.0);
                s.scale = 1.0 - 0.2 * q;
            }
            Entrance::Wipe(Side::Up | Side::Down) => s.opacity = 1.0 - q,
            Entrance::Wipe(side) => {
                // The side it leaves by goes first: what stays is the rest.
                s.opacity = ((1.0 - p) * 4.0).min(1.0);
                s.shown = 1.0 - q;
                s.from_right = side != Side::Right;
            }
            _ => s.opacity = 1.0 - q,
        }
        if s.opacity <= 0.0 {
            s.opacity = 0.0;
        }
        s
    }
}

/// One frame given to the encoder.
pub enum Frame<'a> {
    /// A new picture.
    New(&'a Pixmap),
    /// The picture before it, again this many times.
    Same(u32),
}

impl Clip {
    /// Composes every frame in order and hands each to `sink`: the frames
    /// in which something moves are composed from the layers; a frame like
    /// the one before is `Same`; from [`Clip::hold_from`] on, `still` (the
    /// card as `render` makes it) is shown. `focus` is the photo's focal
    /// point (0–1), where a pan drifts to.
    pub fn frames<E>(
        &self,
        still: &Pixmap,
        focus: (f32, f32),
        sink: &mut dyn FnMut(Frame<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let (w, h) = (self.width, self.height);
        let mut frame = Pixmap::new(w, h).expect("the canvas was allocated for the still");
        // The layers that have entered and sit below every layer still to
        // enter, composed once: each frame starts from this.
        let mut base = Pixmap::new(w, h).expect("as above");
        base.fill(resvg::tiny_skia::Color::WHITE);
        let mut settled = 0usize;
        let mut last: Option<Vec<State>> = None;
        let mut same = 0u32;
        let hold = self.hold_from.min(self.frames);
        for f in 0..hold {
            let t = f as f32 / self.fps as f32;
            let states: Vec<State> = self.tracks.iter().map(|tr| tr.state(t, w, h)).collect();
            if last.as_ref() == Some(&states) {
                same += 1;
                continue;
            }
            if same > 0 {
                sink(Frame::Same(same))?;
                same = 0;
            }
            // (A layer that leaves is drawn frame by frame to the end.)
            while settled < self.layers.len()
                && self.tracks[settled].progress(t) >= 1.0
                && self.tracks[settled].exit.is_none()
            {
                draw(&mut base, &self.layers[settled], &REST, focus);
                settled += 1;
            }
            frame.data_mut().copy_from_slice(base.data());
            for (layer, s) in self.layers.iter().zip(&states).skip(settled) {
                draw(&mut frame, layer, s, focus);
            }
            sink(Frame::New(&frame))?;
            last = Some(states);
        }
        if same > 0 {
            sink(Frame::Same(same))?;
        }
        // The hold: the still itself, on white as the frames are.
        frame.fill(resvg::tiny_skia::Color::WHITE);
        frame.draw_pixmap(
            0,
            0,
            still.as_ref(),
            &PixmapPaint::default(),
            Transform::identity(),
            None,
        );
        sink(Frame::New(&frame))?;
        let rest = self.frames - hold - 1;
        if rest > 0 {
            sink(Frame::Same(rest))?;
        }
        Ok(())
    }
}

/// Draws `layer` onto `dst` as `s` says.
fn draw(dst: &mut Pixmap, layer: &Layer, s: &State, focus: (f32, f32)) {
    if s.opacity <= 0.0 || s.shown <= 0.0 {
        return;
    }
    let layer = layer.counts.get(s.count).unwrap_or(layer);
    let [x0, y0, x1, y1] = layer.rect();
    if s.scale != 1.0 {
        // Scaled about the layer's centre, or about the focal point for a
        // pan, which stays inside the layer's rect.
        let (ox, oy) = if s.pan {
            (
                x0 as f32 + focus.0 * (x1 - x0) as f32,
                y0 as f32 + focus.1 * (y1 - y0) as f32,
            )
        } else {
            ((x0 + x1) as f32 / 2.0, (y0 + y1) as f32 / 2.0)
        };
        let t = Transform::from_translate(ox + s.dx, oy + s.dy)
            .pre_scale(s.scale, s.scale)
            .pre_translate(-ox + x0 as f32, -oy + y0 as f32);
        let paint = resvg::tiny_skia::Paint {
            shader: resvg::tiny_skia::Pattern::new(
                layer.pixmap.as_ref(),
                resvg::tiny_skia::SpreadMode::Pad,
                FilterQuality::Bilinear,
                s.opacity,
                t,
            ),
            ..Default::default()
        };
        // A pan is clipped to the layer's own rect (never shows outside
        // the photo); any other scaled layer to where it is drawn.
        let rect = if s.pan {
            resvg::tiny_skia::Rect::from_ltrb(x0 as f32, y0 as f32, x1 as f32, y1 as f32)
        } else {
            resvg::tiny_skia::Rect::from_xywh(
                0.0,
                0.0,
                layer.pixmap.width() as f32,
                layer.pixmap.height() as f32,
            )
            .and_then(|r| r.transform(t))
        };
        if let Some(rect) = rect {
            dst.fill_rect(rect, &paint, Transform::identity(), None);
        }
        return;
    }
    let dx = s.dx.round() as i32;
    let dy = s.dy.round() as i32;
    if s.shown >= 1.0 {
        let lw = layer.pixmap.width() as i32;
        return blend(dst, layer, x0 + dx, y0 + dy, (0, lw), s.opacity, None);
    }
    // A wipe: the edge is soft, over a width of the text's height, and
    // reaches past the layer's end as it finishes, so the last letters
    // come in as the first did.
    let lw = layer.pixmap.width() as f32;
    let feather = (layer.pixmap.height() as f32).min(lw).max(1.0);
    let edge = s.shown * (lw + feather);
    let cols = if s.from_right {
        ((lw - edge).floor().max(0.0) as i32, lw as i32)
    } else {
        (0, edge.ceil().min(lw) as i32)
    };
    let soft = Feather {
        edge: if s.from_right { lw - edge } else { edge },
        width: feather,
        from_right: s.from_right,
    };
    blend(dst, layer, x0 + dx, y0 + dy, cols, s.opacity, Some(soft));
}

/// A wipe's soft edge: columns within `width` of `edge` fade out.
#[derive(Clone, Copy)]
struct Feather {
    edge: f32,
    width: f32,
    from_right: bool,
}

impl Feather {
    /// The share (0–256) of column `c` shown.
    fn at(&self, c: i32) -> u32 {
        let c = c as f32 + 0.5;
        let inside = if self.from_right {
            c - self.edge
        } else {
            self.edge - c
        };
        ((inside / self.width).clamp(0.0, 1.0) * 256.0).round() as u32
    }
}

/// Source-over of the layer's columns `c0..c1` at (`x`, `y`), at `opacity`:
/// premultiplied, whole pixels (a shift never resamples).
fn blend(
    dst: &mut Pixmap,
    layer: &Layer,
    x: i32,
    y: i32,
    (c0, c1): (i32, i32),
    opacity: f32,
    feather: Option<Feather>,
) {
    let (dw, dh) = (dst.width() as i32, dst.height() as i32);
    let (lw, lh) = (layer.pixmap.width() as i32, layer.pixmap.height() as i32);
    let cx0 = c0.max(-x).max(0);
    let cx1 = c1.min(dw - x).min(lw);
    let ry0 = (-y).max(0);
    let ry1 = lh.min(dh - y);
    if cx1 <= cx0 || ry1 <= ry0 {
        return;
    }
    let op = (opacity.clamp(0.0, 1.0) * 256.0).round() as u32;
    // Each column's opacity (0–256): a wipe's soft edge fades.
    let column_op: Vec<u32> = (cx0..cx1)
        .map(|c| feather.map_or(op, |f| (op * f.at(c)) >> 8))
        .collect();
    let src = layer.pixmap.data();
    let dstd = dst.data_mut();
    let div255 = |v: u32| (v + 128 + ((v + 128) >> 8)) >> 8;
    for row in ry0..ry1 {
        let s_off = ((row * lw + cx0) * 4) as usize;
        let d_off = (((y + row) * dw + x + cx0) * 4) as usize;
        let n = ((cx1 - cx0) * 4) as usize;
        let s = &src[s_off..s_off + n];
        let d = &mut dstd[d_off..d_off + n];
        for ((sp, dp), &op) in s.chunks_exact(4).zip(d.chunks_exact_mut(4)).zip(&column_op) {
            if op == 0 {
                continue;
            }
            let a = sp[3] as u32;
            if a == 0 {
                continue;
            }
            if op >= 256 {
                if a == 255 {
                    dp.copy_from_slice(sp);
                    continue;
                }
                let inv = 255 - a;
                for c in 0..4 {
                    dp[c] = (sp[c] as u32 + div255(dp[c] as u32 * inv)) as u8;
                }
            } else {
                let sa = (a * op) >> 8;
                let inv = 255 - sa;
                for c in 0..4 {
                    let sc = (sp[c] as u32 * op) >> 8;
                    dp[c] = (sc + div255(dp[c] as u32 * inv)).min(255) as u8;
                }
            }
        }
    }
}
