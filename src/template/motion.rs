//! Motion, as a template describes it: which elements move in a clip and
//! how, read once per variant from `data-motion*` attributes.
//!
//! An element that moves is an *actor*. The actors of a variant are its
//! slots, every element with a `data-motion` attribute, and the art around
//! them: the drawn elements at the top of the page, groups that hold a slot
//! or an animated element opened up (their children are actors in turn).
//! An actor without attributes moves as the kit's defaults say (see
//! `crate::motion`); a template with no motion attributes at all still
//! moves.
//!
//! | attribute | values |
//! |---|---|
//! | `data-motion` | `none`, `fade`, `rise`, `slide` (from the reading start), `slide-left`, `slide-right`, `slide-up`, `slide-down`, `pop`, `wipe` (revealed from the reading start), `wipe-left`, `wipe-right`, `settle`, `pan` (images), `count` (a number counting to its value) |
//! | `data-motion-at` | seconds from the start (`0.4`, `0.4s`), or `after` / `with` the actor before it, with an offset (`after+0.2`, `with-0.1`) |
//! | `data-motion-for` | its length, seconds (`0.6`) |
//! | `data-motion-ease` | `linear`, `in`, `out`, `in-out`, `back` |
//! | `data-motion-stagger` | the delay between a text slot's lines or a group's children, seconds, or `read`: each line waits until the one before it could be read |
//! | `data-motion-out` | an exit: `fade`, `rise`, `slide`, `slide-left`, `slide-right`, `slide-up`, `slide-down`, `pop`, `wipe`, `wipe-left`, `wipe-right`; what leaves is the clip's alone (the still never shows it) |
//! | `data-motion-out-at`, `-for`, `-ease` | when it leaves (seconds from the start, or `after+1.5`: after its entrance), how long it takes, its easing |

use std::ops::Range;

use super::mirror::drawn;
use super::slots::{position, Slot, SlotKind};

/// The named entrances.
pub const ENTRANCES: &[&str] = &[
    "none",
    "fade",
    "rise",
    "slide",
    "slide-left",
    "slide-right",
    "slide-up",
    "slide-down",
    "pop",
    "wipe",
    "wipe-left",
    "wipe-right",
    "settle",
    "pan",
    "count",
];

/// The attributes postkit reads (all start `data-motion`).
pub const ATTRIBUTES: &[&str] = &[
    "data-motion",
    "data-motion-at",
    "data-motion-for",
    "data-motion-ease",
    "data-motion-stagger",
    "data-motion-out",
    "data-motion-out-at",
    "data-motion-out-for",
    "data-motion-out-ease",
];

/// The entrances that cannot be played the other way, as exits.
const NOT_EXITS: &[&str] = &["none", "settle", "pan", "count"];

/// The named exits: the entrances played the other way.
pub fn exits() -> impl Iterator<Item = &'static str> {
    ENTRANCES.iter().copied().filter(|e| !NOT_EXITS.contains(e))
}

/// Longest entrance or stagger a template may ask for, seconds.
pub const MAX_LENGTH: f32 = 20.0;

/// Where an entrance comes from. `Start` and `End` follow the reading
/// direction (a right-to-left story's lines come from the right); `Left`
/// and `Right` are mirrored with the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The side a line starts on.
    Start,
    /// The left (the right in a mirrored layout).
    Left,
    /// The right (the left in a mirrored layout).
    Right,
    /// From below.
    Up,
    /// From above.
    Down,
}

/// How an actor enters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entrance {
    /// Shown from the first frame.
    None,
    /// Opacity from 0.
    Fade,
    /// Fades in while rising a little.
    Rise,
    /// Fades in while sliding in from a side.
    Slide(Side),
    /// Grows from a little smaller, with a slight overshoot.
    Pop,
    /// Revealed from a side, as if wiped on.
    Wipe(Side),
    /// Fades in from a little larger (art settling into place).
    Settle,
    /// An image drifting slowly towards its focal point (a Ken Burns
    /// pan), never showing outside its frame; shown from the first frame.
    Pan,
    /// A number counting to its value.
    Count,
}

impl Entrance {
    fn parse(v: &str) -> Option<Entrance> {
        Some(match v {
            "none" => Entrance::None,
            "fade" => Entrance::Fade,
            "rise" => Entrance::Rise,
            "slide" => Entrance::Slide(Side::Start),
            "slide-left" => Entrance::Slide(Side::Left),
            "slide-right" => Entrance::Slide(Side::Right),
            "slide-up" => Entrance::Slide(Side::Up),
            "slide-down" => Entrance::Slide(Side::Down),
            "pop" => Entrance::Pop,
            "wipe" => Entrance::Wipe(Side::Start),
            "wipe-left" => Entrance::Wipe(Side::Left),
            "wipe-right" => Entrance::Wipe(Side::Right),
            "settle" => Entrance::Settle,
            "pan" => Entrance::Pan,
            "count" => Entrance::Count,
            _ => return None,
        })
    }

    /// An exit: the entrances that can be played the other way.
    fn parse_exit(v: &str) -> Option<Entrance> {
        Entrance::parse(v).filter(|_| !NOT_EXITS.contains(&v))
    }
}

/// Easing of an entrance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ease {
    /// Constant speed.
    Linear,
    /// Starts slowly.
    In,
    /// Ends slowly (the default).
    Out,
    /// Starts and ends slowly.
    InOut,
    /// Ends slowly past the mark, then settles back.
    Back,
}

impl Ease {
    fn parse(v: &str) -> Option<Ease> {
        Some(match v {
            "linear" => Ease::Linear,
            "in" => Ease::In,
            "out" => Ease::Out,
            "in-out" => Ease::InOut,
            "back" => Ease::Back,
            _ => return None,
        })
    }

    /// The eased progress of `p` (0 to 1).
    pub fn apply(self, p: f32) -> f32 {
        let p = p.clamp(0.0, 1.0);
        match self {
            Ease::Linear => p,
            Ease::In => p * p * p,
            Ease::Out => 1.0 - (1.0 - p).powi(3),
            Ease::InOut => {
                if p < 0.5 {
                    4.0 * p * p * p
                } else {
                    1.0 - (-2.0 * p + 2.0).powi(3) / 2.0
                }
            }
            Ease::Back => {
                let (c1, c3) = (1.70158, 2.70158);
                1.0 + c3 * (p - 1.0).powi(3) + c1 * (p - 1.0).powi(2)
            }
        }
    }
}

/// When an actor starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum At {
    /// Seconds from the start of the clip.
    Seconds(f32),
    /// Seconds after the actor before it has wholly entered.
    After(f32),
    /// Seconds after the actor before it starts.
    With(f32),
}

/// The delay between the parts of an actor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stagger {
    /// A fixed delay, seconds.
    Seconds(f32),
    /// Paced by reading: each line waits until the one before it could be
    /// read.
    Read,
}

/// When an actor leaves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OutAt {
    /// Seconds from the start of the clip.
    Seconds(f32),
    /// Seconds after it has wholly entered.
    After(f32),
}

/// How an actor leaves (`data-motion-out*`). An actor that leaves is the
/// clip's alone: the still never shows it, so the clip still ends on the
/// still.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exit {
    /// `data-motion-out`: an entrance played the other way (a `rise`
    /// leaves upwards, a `slide-left` to the left, a `wipe` from where the
    /// text starts).
    pub kind: Entrance,
    /// `data-motion-out-at`.
    pub at: Option<OutAt>,
    /// `data-motion-out-for`, seconds.
    pub length: Option<f32>,
    /// `data-motion-out-ease`.
    pub ease: Option<Ease>,
}

/// An actor's motion as the template gives it; what it leaves out is the
/// kit's default for that kind of actor.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Motion {
    /// `data-motion`.
    pub entrance: Option<Entrance>,
    /// `data-motion-at`.
    pub at: Option<At>,
    /// `data-motion-for`, seconds.
    pub length: Option<f32>,
    /// `data-motion-ease`.
    pub ease: Option<Ease>,
    /// `data-motion-stagger`.
    pub stagger: Option<Stagger>,
    /// `data-motion-out` and its timing: the actor leaves before the end.
    pub exit: Option<Exit>,
}

/// What an actor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Drawn art (shapes, static text, images of the template's own).
    Art,
    /// A static `<text>` of the template (a label, a quotation mark).
    Label,
    /// The slot at this index (into the variant's slots).
    Slot(usize),
}

/// One actor of a variant.
#[derive(Clone, Debug, PartialEq)]
pub struct Actor {
    /// The element in the source.
    pub range: Range<usize>,
    /// What it is.
    pub role: Role,
    /// Its motion attributes.
    pub motion: Motion,
    /// A `<g>` whose children enter one by one (`data-motion-stagger`):
    /// the children's source ranges.
    pub parts: Vec<Range<usize>>,
    /// Where it is ("line L, column C"), for messages.
    pub at: String,
}

/// The actors of a variant, in drawing order.
#[derive(Clone, Debug, Default)]
pub struct MotionPlan {
    /// The actors.
    pub actors: Vec<Actor>,
    /// True when any element carries a motion attribute.
    pub authored: bool,
}

/// A group whose children can be drawn one by one with the same pixels:
/// nothing of its own (opacity, clipping, masking, filtering) that would
/// apply to them together.
fn openable(n: &roxmltree::Node) -> bool {
    const TOGETHER: &[&str] = &["opacity", "clip-path", "mask", "filter", "mix-blend-mode"];
    (n.has_tag_name("g") || n.has_tag_name("a"))
        && !moves(n)
        && TOGETHER.iter().all(|a| n.attribute(*a).is_none())
        && !n
            .attribute("style")
            .is_some_and(|s| TOGETHER.iter().any(|p| s.contains(p)))
}

/// Does the template give this element an entrance or an exit?
fn moves(n: &roxmltree::Node) -> bool {
    n.attribute("data-motion").is_some() || n.attribute("data-motion-out").is_some()
}

/// Reads the actors of a variant whose slots are `slots`.
pub fn plan(doc: &roxmltree::Document, slots: &[Slot]) -> Result<MotionPlan, String> {
    let mut plan = MotionPlan::default();
    for n in doc.descendants().filter(|n| n.is_element()) {
        for a in n.attributes() {
            if a.name().starts_with("data-motion") {
                plan.authored = true;
                if !ATTRIBUTES.contains(&a.name()) {
                    return Err(format!(
                        "{}=\"{}\" on <{}> at {}: postkit knows {}",
                        a.name(),
                        a.value(),
                        n.tag_name().name(),
                        position(doc, n.range().start),
                        ATTRIBUTES.join(", ")
                    ));
                }
            }
        }
    }
    let slot_of = |n: &roxmltree::Node| slots.iter().position(|s| s.range == n.range());
    let holds = |n: &roxmltree::Node| {
        n.descendants()
            .skip(1)
            .any(|d| moves(&d) || slot_of(&d).is_some())
    };
    let mut stack: Vec<roxmltree::Node> = doc.root_element().children().rev().collect();
    while let Some(n) = stack.pop() {
        if !drawn(&n) {
            continue;
        }
        let slot = slot_of(&n);
        if slot.is_none() && openable(&n) && holds(&n) {
            stack.extend(n.children().rev());
            continue;
        }
        let role = match slot {
            Some(i) => Role::Slot(i),
            None if n.has_tag_name("text") => Role::Label,
            None => Role::Art,
        };
        let at = position(doc, n.range().start);
        let motion = motion_of(&n, &at)?;
        check_fits(&n, role, slots, &motion, &at)?;
        if motion.exit.is_some() {
            if let Some(d) = n.descendants().find(|d| slot_of(d).is_some()) {
                return Err(format!(
                    "data-motion-out on <{}> at {at}: what leaves is the clip's alone (the still never shows it), so it cannot hold the slot data-slot=\"{}\" at {}; put the exit on an element without slots",
                    n.tag_name().name(),
                    d.attribute("data-slot").unwrap_or_default(),
                    position(doc, d.range().start)
                ));
            }
        }
        let parts = match (role, motion.stagger) {
            (Role::Art | Role::Label, Some(_)) if n.has_tag_name("g") => {
                n.children().filter(drawn).map(|c| c.range()).collect()
            }
            _ => Vec::new(),
        };
        plan.actors.push(Actor {
            range: n.range(),
            role,
            motion,
            parts,
            at,
        });
    }
    Ok(plan)
}

/// The motion attributes of one element.
fn motion_of(n: &roxmltree::Node, at: &str) -> Result<Motion, String> {
    let tag = n.tag_name().name();
    let bad = |attr: &str, v: &str, allowed: &str| {
        format!("{attr}=\"{v}\" on <{tag}> at {at}: {allowed}")
    };
    let seconds = |attr: &str, v: &str| -> Result<f32, String> {
        let t = v.trim();
        let t = t.strip_suffix('s').unwrap_or(t);
        t.parse::<f32>()
            .ok()
            .filter(|s| s.is_finite() && (0.0..=MAX_LENGTH).contains(s))
            .ok_or_else(|| {
                bad(
                    attr,
                    v,
                    &format!("give seconds from 0 to {MAX_LENGTH}, such as 0.6"),
                )
            })
    };
    let mut m = Motion::default();
    if let Some(v) = n.attribute("data-motion") {
        m.entrance = Some(Entrance::parse(v.trim()).ok_or_else(|| {
            bad(
                "data-motion",
                v,
                &format!("use one of {}", ENTRANCES.join(", ")),
            )
        })?);
    }
    if let Some(v) = n.attribute("data-motion-at") {
        let t = v.trim();
        let relative = |word: &str| -> Option<Result<f32, String>> {
            let rest = t.strip_prefix(word)?.trim();
            if rest.is_empty() {
                return Some(Ok(0.0));
            }
            let (sign, num) = match rest.as_bytes()[0] {
                b'+' => (1.0, &rest[1..]),
                b'-' => (-1.0, &rest[1..]),
                _ => return Some(Err(String::new())),
            };
            Some(seconds("data-motion-at", num).map(|s| sign * s))
        };
        let allowed = "give seconds from the start (0.4), or after or with the element before it, with an offset (after+0.2, with-0.1)";
        m.at = Some(if let Some(r) = relative("after") {
            At::After(r.map_err(|_| bad("data-motion-at", v, allowed))?)
        } else if let Some(r) = relative("with") {
            At::With(r.map_err(|_| bad("data-motion-at", v, allowed))?)
        } else {
            At::Seconds(
                seconds("data-motion-at", t).map_err(|_| bad("data-motion-at", v, allowed))?,
            )
        });
    }
    if let Some(v) = n.attribute("data-motion-for") {
        let s = seconds("data-motion-for", v)?;
        if s <= 0.0 {
            return Err(bad(
                "data-motion-for",
                v,
                "give a length above 0 seconds, such as 0.6",
            ));
        }
        m.length = Some(s);
    }
    if let Some(v) = n.attribute("data-motion-ease") {
        m.ease = Some(Ease::parse(v.trim()).ok_or_else(|| {
            bad(
                "data-motion-ease",
                v,
                "use one of linear, in, out, in-out, back",
            )
        })?);
    }
    let out_at = n.attribute("data-motion-out-at");
    let out_for = n.attribute("data-motion-out-for");
    let out_ease = n.attribute("data-motion-out-ease");
    match n.attribute("data-motion-out") {
        Some(v) => {
            let kind = Entrance::parse_exit(v.trim()).ok_or_else(|| {
                bad(
                    "data-motion-out",
                    v,
                    &format!("use one of {}", exits().collect::<Vec<_>>().join(", ")),
                )
            })?;
            let mut exit = Exit {
                kind,
                at: None,
                length: None,
                ease: None,
            };
            if let Some(v) = out_at {
                let t = v.trim();
                let allowed = "give seconds from the start (2.5), or after its entrance, with an offset (after+1.5)";
                exit.at = Some(match t.strip_prefix("after") {
                    Some(rest) => {
                        let rest = rest.trim();
                        let d = match rest.strip_prefix('+') {
                            _ if rest.is_empty() => 0.0,
                            Some(r) => seconds("data-motion-out-at", r)
                                .map_err(|_| bad("data-motion-out-at", v, allowed))?,
                            None => return Err(bad("data-motion-out-at", v, allowed)),
                        };
                        OutAt::After(d)
                    }
                    None => OutAt::Seconds(
                        seconds("data-motion-out-at", t)
                            .map_err(|_| bad("data-motion-out-at", v, allowed))?,
                    ),
                });
            }
            if let Some(v) = out_for {
                let s = seconds("data-motion-out-for", v)?;
                if s <= 0.0 {
                    return Err(bad(
                        "data-motion-out-for",
                        v,
                        "give a length above 0 seconds, such as 0.5",
                    ));
                }
                exit.length = Some(s);
            }
            if let Some(v) = out_ease {
                exit.ease = Some(Ease::parse(v.trim()).ok_or_else(|| {
                    bad(
                        "data-motion-out-ease",
                        v,
                        "use one of linear, in, out, in-out, back",
                    )
                })?);
            }
            m.exit = Some(exit);
        }
        None => {
            let given = [
                ("data-motion-out-at", out_at),
                ("data-motion-out-for", out_for),
                ("data-motion-out-ease", out_ease),
            ];
            if let Some((attr, Some(v))) = given.into_iter().find(|(_, v)| v.is_some()) {
                return Err(bad(
                    attr,
                    v,
                    "it times an exit: give data-motion-out too (fade, rise, …), or leave it out",
                ));
            }
        }
    }
    if let Some(v) = n.attribute("data-motion-stagger") {
        m.stagger = Some(if v.trim() == "read" {
            Stagger::Read
        } else {
            Stagger::Seconds(seconds("data-motion-stagger", v).map_err(|_| {
                bad(
                    "data-motion-stagger",
                    v,
                    "give seconds between parts (0.2), or read (each line waits until the one before it could be read)",
                )
            })?)
        });
    }
    Ok(m)
}

/// An entrance that cannot apply to this element is the template's error.
fn check_fits(
    n: &roxmltree::Node,
    role: Role,
    slots: &[Slot],
    m: &Motion,
    at: &str,
) -> Result<(), String> {
    let tag = n.tag_name().name();
    let slot = match role {
        Role::Slot(i) => Some(&slots[i]),
        _ => None,
    };
    match m.entrance {
        Some(Entrance::Pan) => {
            let image = slot.is_some_and(|s| s.kind == SlotKind::Image) || tag == "image";
            if !image {
                return Err(format!(
                    "data-motion=\"pan\" on <{tag}> at {at}: a pan moves a photo inside its frame; put it on an image slot (data-slot=\"photo\") or an <image>"
                ));
            }
        }
        Some(Entrance::Count) if !slot.is_some_and(|s| s.kind == SlotKind::Text) => {
            return Err(format!(
                "data-motion=\"count\" on <{tag}> at {at}: a count changes a number as it runs; put it on a text slot that shows one (data-slot=\"days\")"
            ));
        }
        _ => {}
    }
    if m.stagger.is_some() {
        let text_slot = slot.is_some_and(|s| s.kind == SlotKind::Text);
        if !(text_slot || (slot.is_none() && tag == "g")) {
            return Err(format!(
                "data-motion-stagger on <{tag}> at {at}: a stagger spaces a text slot's lines or a group's children; put it on a text slot or a <g>"
            ));
        }
        if m.stagger == Some(Stagger::Read) && !text_slot {
            return Err(format!(
                "data-motion-stagger=\"read\" on <{tag}> at {at}: reading pace needs lines of text; put it on a text slot, or give seconds"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(body: &str) -> Result<MotionPlan, String> {
        let src = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 100\">{body}</svg>"
        );
        let parsed = super::super::slots::parse(&src, "t.svg", &Default::default())
            .map_err(|e| e.to_string())?;
        let doc = roxmltree::Document::parse(&src).unwrap();
        plan(&doc, &parsed.slots)
    }

    #[test]
    fn actors_are_the_top_level_art_and_the_slots_in_open_groups() {
        let p = plan_of(
            "<title>t</title><rect width=\"100\" height=\"100\"/>\
             <g data-unless=\"x\"><rect data-slot=\"story\" x=\"0\" y=\"0\" width=\"50\" height=\"50\"/><circle r=\"3\"/></g>\
             <g><path d=\"M0 0h1\"/><path d=\"M0 0h2\"/></g><text x=\"1\" y=\"1\">“</text>",
        )
        .unwrap();
        let roles: Vec<Role> = p.actors.iter().map(|a| a.role).collect();
        assert_eq!(
            roles,
            [Role::Art, Role::Slot(0), Role::Art, Role::Art, Role::Label]
        );
        assert!(!p.authored);
    }

    #[test]
    fn attributes_are_read() {
        let p = plan_of(
            "<rect width=\"100\" height=\"100\" data-motion=\"wipe-left\" data-motion-at=\"after+0.25\" data-motion-for=\"0.5s\" data-motion-ease=\"back\"/>\
             <rect data-slot=\"story\" x=\"0\" y=\"0\" width=\"50\" height=\"50\" data-motion-stagger=\"read\" data-motion-at=\"1.5\"/>",
        )
        .unwrap();
        assert!(p.authored);
        let m = p.actors[0].motion;
        assert_eq!(m.entrance, Some(Entrance::Wipe(Side::Left)));
        assert_eq!(m.at, Some(At::After(0.25)));
        assert_eq!(m.length, Some(0.5));
        assert_eq!(m.ease, Some(Ease::Back));
        assert_eq!(p.actors[1].motion.stagger, Some(Stagger::Read));
        assert_eq!(p.actors[1].motion.at, Some(At::Seconds(1.5)));
    }

    #[test]
    fn an_exit_is_read_and_makes_its_element_an_actor() {
        let p = plan_of(
            "<g><rect width=\"100\" height=\"100\"/><g data-motion-out=\"slide-up\" data-motion-out-at=\"after+0.5\" data-motion-out-for=\"0.4s\" data-motion-out-ease=\"in-out\"><text>Hello</text></g></g>\
             <rect data-motion-out=\"wipe\" data-motion-out-at=\"3\"/>",
        )
        .unwrap();
        assert!(p.authored);
        // The outer group was opened: the group that leaves is an actor.
        assert_eq!(p.actors.len(), 3);
        let x = p.actors[1].motion.exit.unwrap();
        assert_eq!(x.kind, Entrance::Slide(Side::Up));
        assert_eq!(x.at, Some(OutAt::After(0.5)));
        assert_eq!(x.length, Some(0.4));
        assert_eq!(x.ease, Some(Ease::InOut));
        assert_eq!(p.actors[1].motion.entrance, None);
        let w = p.actors[2].motion.exit.unwrap();
        assert_eq!(
            (w.kind, w.at),
            (Entrance::Wipe(Side::Start), Some(OutAt::Seconds(3.0)))
        );
        assert_eq!(p.actors[0].motion.exit, None);
    }

    #[test]
    fn a_wrong_value_names_the_attribute_the_element_and_what_is_allowed() {
        for (body, wanted) in [
            (
                "<rect data-motion=\"spin\"/>",
                "data-motion=\"spin\" on <rect> at line 1, column ",
            ),
            ("<rect data-motion-at=\"soon\"/>", "data-motion-at=\"soon\""),
            ("<rect data-motion-for=\"0\"/>", "give a length above 0"),
            ("<rect data-motion-for=\"90\"/>", "from 0 to 20"),
            (
                "<rect data-motion-ease=\"bounce\"/>",
                "linear, in, out, in-out, back",
            ),
            ("<rect data-motion=\"pan\"/>", "put it on an image slot"),
            ("<rect data-motion=\"count\"/>", "put it on a text slot"),
            (
                "<rect data-motion-stagger=\"0.2\"/>",
                "put it on a text slot or a <g>",
            ),
            (
                "<g data-motion-stagger=\"read\"><rect/></g>",
                "reading pace needs lines",
            ),
            (
                "<rect data-motion-speed=\"2\"/>",
                "data-motion-speed=\"2\" on <rect>",
            ),
            (
                "<rect data-motion-out=\"count\"/>",
                "data-motion-out=\"count\" on <rect> at line 1, column 63: use one of fade, rise, slide",
            ),
            (
                "<rect data-motion-out=\"fade\" data-motion-out-at=\"later\"/>",
                "after its entrance, with an offset (after+1.5)",
            ),
            (
                "<rect data-motion-out=\"fade\" data-motion-out-at=\"after-1\"/>",
                "data-motion-out-at=\"after-1\"",
            ),
            (
                "<rect data-motion-out=\"fade\" data-motion-out-for=\"0\"/>",
                "give a length above 0 seconds",
            ),
            (
                "<rect data-motion-out-for=\"0.5\"/>",
                "it times an exit: give data-motion-out too",
            ),
            (
                "<g data-motion-out=\"fade\"><rect data-slot=\"story\" x=\"0\" y=\"0\" width=\"50\" height=\"50\"/></g>",
                "cannot hold the slot data-slot=\"story\" at line 1, column 89",
            ),
        ] {
            let e = plan_of(body).unwrap_err();
            assert!(e.contains(wanted), "{body}: {e}");
        }
    }

    #[test]
    fn a_staggered_group_enters_child_by_child() {
        let p = plan_of("<g data-motion=\"pop\" data-motion-stagger=\"0.1\"><circle r=\"1\"/><circle r=\"2\"/><title>x</title></g>")
            .unwrap();
        assert_eq!(p.actors.len(), 1);
        assert_eq!(p.actors[0].parts.len(), 2);
    }

    #[test]
    fn easing_starts_at_0_and_ends_at_1() {
        for e in [Ease::Linear, Ease::In, Ease::Out, Ease::InOut, Ease::Back] {
            assert!(e.apply(0.0).abs() < 1e-6, "{e:?}");
            assert!((e.apply(1.0) - 1.0).abs() < 1e-6, "{e:?}");
        }
        assert!(Ease::Back.apply(0.8) > 1.0, "back overshoots");
    }
}
