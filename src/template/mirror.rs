//! Mirroring a layout for right-to-left text, planned once per variant.
//!
//! A set that asks for it (`rtl = "mirror"` in `template.toml`, or
//! `data-rtl="mirror"` on a variant's `<svg>`) is drawn as its mirror image
//! when the story reads right to left: the art (shapes, panels, gradients)
//! is flipped about the page's vertical centre line, while what must stay
//! readable moves without being flipped — slots (text, logos, photos),
//! static `<text>` (its anchor swaps, so a label at the left edge ends at
//! the right edge) and `<image>`s (a photo never shows a face reversed). An
//! element marked `data-mirror="keep"` stays exactly where it is (a vector
//! logo drawn as paths); `data-mirror="move"` moves to its mirrored place
//! unflipped (a clock icon, whose hands must still turn clockwise);
//! `data-mirror="flip"` flips text or an image like art (an arrow drawn as
//! a glyph).
//!
//! The plan is a list of source edits made when filling; it depends only on
//! the SVG, never on the content.

use std::ops::Range;

use super::transform::{self, Matrix};

/// How a variant lays out a right-to-left story.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RtlLayout {
    /// As drawn (the template may use `data-if="rtl"` itself).
    #[default]
    Keep,
    /// Mirrored as a whole.
    Mirror,
}

impl RtlLayout {
    /// Parses `mirror` or `keep`.
    pub fn parse(v: &str) -> Option<RtlLayout> {
        match v.trim() {
            "mirror" => Some(RtlLayout::Mirror),
            "keep" => Some(RtlLayout::Keep),
            _ => None,
        }
    }
}

/// The edits that mirror a variant.
#[derive(Clone, Debug, Default)]
pub struct MirrorPlan {
    /// The mirror axis: x' = axis − x (twice the page's centre line).
    pub axis: f32,
    /// Elements drawn mirrored: each is wrapped in a mirroring group.
    pub wrap: Vec<Range<usize>>,
    /// Edits inside them that unflip text and images or keep an element
    /// in place: (source range, replacement). An empty range inserts.
    pub edits: Vec<(Range<usize>, String)>,
    /// For each slot (in document order), whether it lies outside every
    /// wrapped element (its groups are plain): it is then filled at its
    /// mirrored place directly; otherwise its own content is unflipped
    /// inside its wrapped group.
    pub direct: Vec<bool>,
    /// Where a static `<text>` takes its `text-anchor` from a style sheet
    /// (which the mirror cannot swap): line and column of each.
    pub sheet_anchored: Vec<String>,
}

/// A quotation mark a template draws as text.
#[derive(Clone, Debug, PartialEq)]
pub struct QuoteMark {
    /// Where the mark is in the source (as written: maybe an entity).
    pub range: Range<usize>,
    /// The mark.
    pub written: char,
    /// Whether it opens a quotation.
    pub opens: bool,
    /// Its font size, family and weight, where its element or a group
    /// around it sets them as attributes.
    pub size: Option<f32>,
    /// Font family (the first of the list).
    pub family: Option<String>,
    /// Font weight.
    pub weight: Option<String>,
    /// Where its text is anchored (its `x`, in page units) and how
    /// (`start`, `middle`, `end`), when no transform moves it: what a
    /// layout that keeps its place for a right-to-left story needs to
    /// move the mark to the text's other side.
    pub anchor: Option<(f32, String)>,
}

/// The quotation marks a template draws as text.
pub type QuoteMarks = Vec<QuoteMark>;

/// Elements that draw nothing themselves: never wrapped or edited.
const NOT_DRAWN: &[&str] = &[
    "defs",
    "style",
    "title",
    "desc",
    "metadata",
    "linearGradient",
    "radialGradient",
    "clipPath",
    "mask",
    "pattern",
    "marker",
    "symbol",
    "filter",
    "script",
    "namedview",
];

pub(super) fn drawn(n: &roxmltree::Node) -> bool {
    n.is_element()
        && !NOT_DRAWN.contains(&n.tag_name().name())
        && n.tag_name().namespace().is_none_or(|ns| ns == SVG_NS)
}

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// A `<g>` whose children share the root's coordinates and whose own
/// clipping, masking and filtering would not follow its children if they
/// were mirrored one by one.
fn plain_group(n: &roxmltree::Node) -> bool {
    n.has_tag_name("g")
        && mirror_mode(n).is_none()
        && ["transform", "clip-path", "mask", "filter"]
            .iter()
            .all(|a| n.attribute(*a).is_none())
        && !n.attribute("style").is_some_and(|s| {
            ["transform", "clip-path", "mask", "filter"]
                .iter()
                .any(|p| s.contains(p))
        })
}

fn mirror_mode<'a>(n: &roxmltree::Node<'a, 'a>) -> Option<&'a str> {
    n.attribute("data-mirror").map(str::trim)
}

/// Plans the mirror image of a variant whose page spans `vb_x` to
/// `vb_x + width`; `slot_ranges` are the slots' elements in document order.
pub fn plan(
    doc: &roxmltree::Document,
    vb_x: f32,
    width: f32,
    slot_ranges: &[Range<usize>],
) -> Result<MirrorPlan, String> {
    let mut plan = MirrorPlan {
        axis: 2.0 * vb_x + width,
        ..MirrorPlan::default()
    };
    for n in doc.descendants().filter(|n| n.is_element()) {
        if let Some(m) = mirror_mode(&n) {
            if !matches!(m, "keep" | "move" | "flip") {
                return Err(format!(
                    "data-mirror=\"{m}\" on <{}> at {}: use keep (stays where it is), move (moves to its mirrored place unflipped) or flip (mirrored like the art)",
                    n.tag_name().name(),
                    super::slots::position(doc, n.range().start)
                ));
            }
        }
    }
    let is_slot = |n: &roxmltree::Node| slot_ranges.contains(&n.range());
    for node in top_level(doc.root_element(), &is_slot) {
        plan.wrap.push(node.range());
        inside(doc, node, &mut plan)?;
    }
    let sheets_anchor = doc
        .descendants()
        .filter(|n| n.has_tag_name("style"))
        .any(|n| n.text().is_some_and(|t| t.contains("text-anchor")));
    if sheets_anchor {
        plan.sheet_anchored = doc
            .descendants()
            .filter(|n| n.has_tag_name("text") && !anchored(n) && mirror_mode(n).is_none())
            .map(|n| super::slots::position(doc, n.range().start))
            .collect();
    }
    // The wrapped ranges are disjoint and in document order.
    plan.direct = slot_ranges
        .iter()
        .map(|r| {
            let i = plan.wrap.partition_point(|w| w.start <= r.start);
            !(i > 0 && r.end <= plan.wrap[i - 1].end)
        })
        .collect();
    Ok(plan)
}

/// The elements drawn in the root's coordinates (children of the root and
/// of plain groups, in document order) that are wrapped: all but slots
/// (filled at their mirrored place) and kept elements. Iterative: a
/// template may nest groups thousands deep.
fn top_level<'a, 'i>(
    root: roxmltree::Node<'a, 'i>,
    is_slot: &dyn Fn(&roxmltree::Node) -> bool,
) -> Vec<roxmltree::Node<'a, 'i>> {
    let mut out = Vec::new();
    let mut stack: Vec<roxmltree::Node> = root.children().filter(drawn).collect();
    stack.reverse();
    while let Some(n) = stack.pop() {
        if is_slot(&n) || mirror_mode(&n) == Some("keep") {
            continue;
        }
        if plain_group(&n) {
            let at = stack.len();
            stack.extend(n.children().filter(drawn));
            stack[at..].reverse();
        } else {
            out.push(n);
        }
    }
    out
}

/// Inside a wrapped element: text and images are unflipped where they
/// stand; kept elements are put back.
fn inside(
    doc: &roxmltree::Document,
    node: roxmltree::Node,
    plan: &mut MirrorPlan,
) -> Result<(), String> {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if !drawn(&n) {
            continue;
        }
        match (mirror_mode(&n), n.tag_name().name()) {
            (Some("flip"), _) => {}
            (Some("keep"), _) if n != node => plan.edits.extend(keep(doc, n, plan.axis)),
            (Some("move"), _) => {
                let centre = centre_x(doc, n)?;
                plan.edits.extend(append_transform(n, &flip_about(centre)));
            }
            (_, "text") => plan.edits.extend(unflip_text(n)),
            (_, "image") => {
                let num = |a: &str| n.attribute(a).and_then(first_number).unwrap_or(0.0);
                let centre = num("x") + num("width") / 2.0;
                plan.edits.extend(append_transform(n, &flip_about(centre)));
            }
            _ => stack.extend(n.children().filter(|c| c.is_element())),
        }
    }
    Ok(())
}

/// The horizontal centre of what an element draws, in its own
/// coordinates, from its shapes' geometry (a path's from its points and
/// control points, which bound it).
fn centre_x(doc: &roxmltree::Document, n: roxmltree::Node) -> Result<f32, String> {
    let at = || super::slots::position(doc, n.range().start);
    let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
    let mut span = |a: f32, b: f32| {
        lo = lo.min(a.min(b));
        hi = hi.max(a.max(b));
    };
    for d in n.descendants().filter(|d| drawn(d)) {
        if d != n && d.attribute("transform").is_some() {
            return Err(format!(
                "data-mirror=\"move\" on <{}> at {}: a shape inside it has its own transform; put the transform on the element itself",
                n.tag_name().name(),
                at()
            ));
        }
        let num = |a: &str| d.attribute(a).and_then(first_number).unwrap_or(0.0);
        match d.tag_name().name() {
            "rect" | "image" | "use" => span(num("x"), num("x") + num("width")),
            "circle" => span(num("cx") - num("r"), num("cx") + num("r")),
            "ellipse" => span(num("cx") - num("rx"), num("cx") + num("rx")),
            "line" => span(num("x1"), num("x2")),
            "polyline" | "polygon" => {
                let xs: Vec<f32> = d
                    .attribute("points")
                    .unwrap_or("")
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|s| !s.is_empty())
                    .filter_map(|s| s.parse().ok())
                    .step_by(2)
                    .collect();
                for x in xs {
                    span(x, x);
                }
            }
            "path" => {
                for seg in svgtypes::SimplifyingPathParser::from(d.attribute("d").unwrap_or("")) {
                    use svgtypes::SimplePathSegment as S;
                    match seg.map_err(|e| format!("data-mirror=\"move\" on <{}> at {}: a path's d is not valid ({e})", n.tag_name().name(), at()))? {
                        S::MoveTo { x, .. } | S::LineTo { x, .. } => span(x as f32, x as f32),
                        S::Quadratic { x1, x, .. } => span(x1 as f32, x as f32),
                        S::CurveTo { x1, x2, x, .. } => {
                            span(x1 as f32, x2 as f32);
                            span(x as f32, x as f32);
                        }
                        S::ClosePath => {}
                    }
                }
            }
            "text" | "tspan" => {
                return Err(format!(
                    "data-mirror=\"move\" on <{}> at {}: text moves unflipped by itself; leave the attribute off",
                    n.tag_name().name(),
                    at()
                ))
            }
            _ => {}
        }
    }
    if lo > hi {
        return Err(format!(
            "data-mirror=\"move\" on <{}> at {}: it draws no shape postkit can measure",
            n.tag_name().name(),
            at()
        ));
    }
    Ok((lo + hi) / 2.0)
}

/// `matrix(-1 0 0 1 2c 0)`: the mirror about the vertical line x = c.
pub fn flip_about(c: f32) -> String {
    format!("matrix(-1 0 0 1 {} 0)", short(2.0 * c))
}

fn short(v: f32) -> String {
    let s = format!("{:.3}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn first_number(v: &str) -> Option<f32> {
    let first = v
        .split(|c: char| c == ',' || c.is_whitespace())
        .find(|s| !s.is_empty())?;
    let first = first.strip_suffix("px").unwrap_or(first);
    first.parse::<f32>().ok().filter(|n| n.is_finite())
}

/// The edit that applies `extra` inside an element's own transform.
fn append_transform(n: roxmltree::Node, extra: &str) -> Option<(Range<usize>, String)> {
    match n
        .attributes()
        .find(|a| a.name() == "transform" && a.namespace().is_none())
    {
        // Inserted after the value as written (its placeholders are
        // substituted with the rest of the source).
        Some(a) => {
            let end = a.range_value().end;
            Some((end..end, format!(" {extra}")))
        }
        None => {
            let at = n.range().start + 1 + n.tag_name().name().len() + prefix_len(&n);
            Some((at..at, format!(" transform=\"{extra}\"")))
        }
    }
}

/// Length of the element's namespace prefix and colon, if it is written
/// with one (`<svg:text`).
fn prefix_len(n: &roxmltree::Node) -> usize {
    let doc = n.document();
    let start = n.range().start + 1;
    let name = n.tag_name().name();
    let text = doc.input_text();
    let tag = &text[start..];
    match tag.find(|c: char| c.is_whitespace() || c == '>' || c == '/') {
        Some(end) if tag[..end].ends_with(name) => end - name.len(),
        _ => 0,
    }
}

/// A `<text>` moved to its mirrored place unflipped: mirrored about its
/// anchor, and its anchor swapped (start ↔ end), so it reads the same and
/// runs from the mirrored side.
fn unflip_text(n: roxmltree::Node) -> Vec<(Range<usize>, String)> {
    let x = n
        .attribute("x")
        .or_else(|| {
            n.descendants()
                .find(|d| d.has_tag_name("tspan") && d.attribute("x").is_some())
                .and_then(|d| d.attribute("x"))
        })
        .and_then(first_number)
        .unwrap_or(0.0);
    let mut out: Vec<(Range<usize>, String)> =
        append_transform(n, &flip_about(x)).into_iter().collect();
    for el in n.descendants().filter(|d| d.is_element()) {
        if el != n && !anchored(&el) {
            continue;
        }
        let anchor = anchor_of(&el).unwrap_or("start");
        let swapped = match anchor {
            "start" => "end",
            "end" => "start",
            _ => continue,
        };
        out.push(set_style(el, "text-anchor", swapped));
    }
    out
}

/// Does the element set its own `text-anchor`?
fn anchored(n: &roxmltree::Node) -> bool {
    anchor_of(n).is_some()
}

/// The `text-anchor` an element sets itself (its `style`, then its
/// attribute).
fn anchor_of<'a>(n: &roxmltree::Node<'a, 'a>) -> Option<&'a str> {
    let from_style = n.attribute("style").and_then(|s| {
        s.split(';').rev().find_map(|d| {
            let (k, v) = d.split_once(':')?;
            (k.trim() == "text-anchor").then(|| v.trim().trim_end_matches("!important").trim())
        })
    });
    from_style.or_else(|| n.attribute("text-anchor").map(str::trim))
}

/// The edit that sets `property` in an element's `style` (declared last,
/// so it wins over the attribute and over the sheet's rules).
fn set_style(n: roxmltree::Node, property: &str, value: &str) -> (Range<usize>, String) {
    match n
        .attributes()
        .find(|a| a.name() == "style" && a.namespace().is_none())
    {
        Some(a) => {
            let old = a.value().trim();
            let sep = if old.is_empty() || old.ends_with(';') {
                ""
            } else {
                ";"
            };
            let end = a.range_value().end;
            (end..end, format!("{sep}{property}:{value}"))
        }
        None => {
            let at = n.range().start + 1 + n.tag_name().name().len() + prefix_len(&n);
            (at..at, format!(" style=\"{property}:{value}\""))
        }
    }
}

/// An element kept where it is inside a mirrored ancestor: its own
/// transform undoes the mirror (in its own coordinates).
fn keep(
    doc: &roxmltree::Document,
    n: roxmltree::Node,
    axis: f32,
) -> Option<(Range<usize>, String)> {
    // The element's coordinates in the root's: its own and its groups'
    // transforms (unreadable ones are taken as none).
    let mut m = transform::IDENTITY;
    for el in n
        .ancestors()
        .filter(|a| a.is_element() && *a != doc.root_element())
    {
        if let Some(t) = el.attribute("transform").and_then(transform::parse) {
            m = transform::then(m, t);
        }
    }
    let mirror: Matrix = [-1.0, 0.0, 0.0, 1.0, axis as f64, 0.0];
    let back = transform::then(transform::then(m, mirror), invert(m)?);
    let [a, b, c, d, e, f] = back.map(|v| v as f32);
    append_transform(
        n,
        &format!(
            "matrix({} {} {} {} {} {})",
            short(a),
            short(b),
            short(c),
            short(d),
            short(e),
            short(f)
        ),
    )
}

fn invert(m: Matrix) -> Option<Matrix> {
    let det = m[0] * m[3] - m[1] * m[2];
    if det.abs() < 1e-12 {
        return None;
    }
    let (a, b, c, d) = (m[3] / det, -m[1] / det, -m[2] / det, m[0] / det);
    Some([a, b, c, d, -(a * m[4] + c * m[5]), -(b * m[4] + d * m[5])])
}

/// The quotation marks a template draws as text: a `<text>` or `<tspan>`
/// whose only content is one mark (“ ” „ « » ‹ › 「 」 『 』 ‘ ’ ").
pub fn quote_marks(doc: &roxmltree::Document) -> QuoteMarks {
    let mut out = Vec::new();
    for n in doc.descendants().filter(|n| n.is_text()) {
        let Some(parent) = n.parent_element() else {
            continue;
        };
        if !(parent.has_tag_name("text") || parent.has_tag_name("tspan")) {
            continue;
        }
        let raw = n.text().unwrap_or("");
        let t = raw.trim();
        let mut chars = t.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            continue;
        };
        let opens = match c {
            '“' | '„' | '‟' | '«' | '‹' | '「' | '『' | '‘' | '‚' | '"' => true,
            '”' | '»' | '›' | '」' | '』' | '’' => false,
            _ => continue,
        };
        // The mark as written in the source (an entity reference such as
        // `&#8220;` is longer than the character).
        let r = n.range();
        let src = &doc.input_text()[r.clone()];
        let lead = src.len() - src.trim_start().len();
        let trail = src.len() - src.trim_end().len();
        let inherited = |name: &str| {
            parent
                .ancestors()
                .filter(|a| a.is_element())
                .find_map(|a| font_property(&a, name))
        };
        let texts = || {
            parent
                .ancestors()
                .filter(|a| a.has_tag_name("text") || a.has_tag_name("tspan"))
        };
        let moved = parent
            .ancestors()
            .filter(|a| a.is_element() && *a != doc.root_element())
            .any(|a| {
                a.attribute("transform").is_some()
                    || a.attribute("style")
                        .is_some_and(|s| s.contains("transform"))
            });
        let anchor = texts()
            .find_map(|a| a.attribute("x"))
            .and_then(first_number)
            .filter(|_| !moved)
            .map(|x| {
                let how = parent
                    .ancestors()
                    .filter(|a| a.is_element())
                    .find_map(|a| anchor_of(&a))
                    .unwrap_or("start");
                (x, how.to_string())
            });
        out.push(QuoteMark {
            anchor,
            range: r.start + lead..r.end - trail,
            written: c,
            opens,
            size: inherited("font-size").and_then(|v| first_number(&v)),
            family: inherited("font-family").and_then(|f| {
                super::slots::font_families(&f)
                    .first()
                    .map(|f| f.to_string())
            }),
            weight: inherited("font-weight"),
        });
    }
    out
}

/// A font property an element sets itself (its `style`, then its
/// attribute).
fn font_property(n: &roxmltree::Node, name: &str) -> Option<String> {
    let from_style = n.attribute("style").and_then(|s| {
        s.split(';').rev().find_map(|d| {
            let (k, v) = d.split_once(':')?;
            (k.trim() == name).then(|| v.trim().to_string())
        })
    });
    from_style.or_else(|| n.attribute(name).map(|v| v.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(src: &str) -> (MirrorPlan, roxmltree::Document<'_>) {
        let doc = roxmltree::Document::parse(src).unwrap();
        let slots: Vec<Range<usize>> = doc
            .descendants()
            .filter(|n| n.attribute("data-slot").is_some())
            .map(|n| n.range())
            .collect();
        (plan(&doc, 0.0, 1000.0, &slots).unwrap(), doc)
    }

    fn applied(src: &str, plan: &MirrorPlan) -> String {
        let mut edits: Vec<(Range<usize>, String)> = plan.edits.clone();
        for w in &plan.wrap {
            edits.push((w.start..w.start, "<g M>".into()));
            edits.push((w.end..w.end, "</g>".into()));
        }
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        let mut out = String::new();
        let mut at = 0;
        for (r, s) in edits {
            out.push_str(&src[at..r.start]);
            out.push_str(&s);
            at = r.end;
        }
        out.push_str(&src[at..]);
        out
    }

    #[test]
    fn art_is_wrapped_slots_and_plain_groups_are_not() {
        let src = r#"<svg xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="g"/></defs><rect x="0" width="10" height="10"/><g><circle r="3"/><rect data-slot="story" width="5" height="5"/></g><g transform="translate(5)"><rect data-slot="org" width="5" height="5"/></g></svg>"#;
        let (p, _) = plan_of(src);
        assert_eq!(p.axis, 1000.0);
        let out = applied(src, &p);
        assert_eq!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="g"/></defs><g M><rect x="0" width="10" height="10"/></g><g><g M><circle r="3"/></g><rect data-slot="story" width="5" height="5"/></g><g M><g transform="translate(5)"><rect data-slot="org" width="5" height="5"/></g></g></svg>"#
        );
        assert_eq!(p.direct, [true, false]);
    }

    #[test]
    fn text_moves_unflipped_with_its_anchor_swapped() {
        let src = r#"<svg xmlns="http://www.w3.org/2000/svg"><text x="92" y="5">“</text><text x="50" text-anchor="end" transform="translate(1 2)">a</text><text x="500" style="fill:red;text-anchor:middle">b</text></svg>"#;
        let (p, _) = plan_of(src);
        let out = applied(src, &p);
        assert_eq!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><g M><text transform="matrix(-1 0 0 1 184 0)" style="text-anchor:end" x="92" y="5">“</text></g><g M><text style="text-anchor:start" x="50" text-anchor="end" transform="translate(1 2) matrix(-1 0 0 1 100 0)">a</text></g><g M><text transform="matrix(-1 0 0 1 1000 0)" x="500" style="fill:red;text-anchor:middle">b</text></g></svg>"#
        );
    }

    #[test]
    fn images_unflip_about_their_centre_and_kept_elements_stay() {
        let src = r#"<svg xmlns="http://www.w3.org/2000/svg"><image x="10" width="100" height="5" href="a.png"/><path data-mirror="keep" d="M0 0"/><g transform="translate(100 0)"><path data-mirror="keep" d="M0 0"/><text data-mirror="flip" x="3">→</text></g></svg>"#;
        let (p, _) = plan_of(src);
        let out = applied(src, &p);
        assert_eq!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><g M><image transform="matrix(-1 0 0 1 120 0)" x="10" width="100" height="5" href="a.png"/></g><path data-mirror="keep" d="M0 0"/><g M><g transform="translate(100 0)"><path transform="matrix(-1 0 0 1 800 0)" data-mirror="keep" d="M0 0"/><text data-mirror="flip" x="3">→</text></g></g></svg>"#
        );
    }

    #[test]
    fn a_moved_icon_keeps_its_handedness() {
        let src = r#"<svg xmlns="http://www.w3.org/2000/svg"><g data-mirror="move"><circle cx="158" cy="660" r="20"/><rect x="156" y="648" width="4" height="13"/><path d="M150 0 L170 0"/></g></svg>"#;
        let (p, _) = plan_of(src);
        let out = applied(src, &p);
        assert_eq!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><g M><g transform="matrix(-1 0 0 1 316 0)" data-mirror="move"><circle cx="158" cy="660" r="20"/><rect x="156" y="648" width="4" height="13"/><path d="M150 0 L170 0"/></g></g></svg>"#
        );
    }

    #[test]
    fn text_anchored_by_a_style_sheet_is_pointed_out() {
        let src = "<svg xmlns=\"http://www.w3.org/2000/svg\"><style>.r { text-anchor: end }</style>\n<text class=\"r\" x=\"9\">a</text><text text-anchor=\"end\">b</text></svg>";
        let (p, _) = plan_of(src);
        assert_eq!(p.sheet_anchored, ["line 2, column 1"]);
        let (p, _) =
            plan_of(r#"<svg xmlns="http://www.w3.org/2000/svg"><text x="9">a</text></svg>"#);
        assert!(p.sheet_anchored.is_empty());
    }

    #[test]
    fn a_move_that_cannot_be_measured_says_why() {
        let err = |body: &str| {
            let src = format!(r#"<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>"#);
            let doc = roxmltree::Document::parse(&src).unwrap();
            plan(&doc, 0.0, 100.0, &[]).unwrap_err()
        };
        assert_eq!(
            err(r#"<g data-mirror="move"><rect width="5" height="5" transform="scale(2)"/></g>"#),
            "data-mirror=\"move\" on <g> at line 1, column 41: a shape inside it has its own transform; put the transform on the element itself"
        );
        assert_eq!(
            err(r#"<text data-mirror="move">a</text>"#),
            "data-mirror=\"move\" on <text> at line 1, column 41: text moves unflipped by itself; leave the attribute off"
        );
        assert_eq!(
            err(r#"<g data-mirror="move"><g/></g>"#),
            "data-mirror=\"move\" on <g> at line 1, column 41: it draws no shape postkit can measure"
        );
        assert!(
            err(r#"<path data-mirror="move" d="M 0 0 L"/>"#).starts_with(
                "data-mirror=\"move\" on <path> at line 1, column 41: a path's d is not valid ("
            )
        );
    }

    #[test]
    fn a_bad_rtl_layout_on_the_root_is_refused() {
        let e = crate::template::TemplateSet::from_files(
            "t",
            &[(
                "square.svg".into(),
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" data-rtl="flip"><rect data-slot="story" width="5" height="5"/></svg>"#.into(),
            )],
            None,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "template t/square.svg: data-rtl=\"flip\" on the <svg> element: use mirror (the layout is mirrored for right-to-left stories) or keep"
        );
    }

    #[test]
    fn an_unknown_mirror_mode_is_refused() {
        let src = r#"<svg xmlns="http://www.w3.org/2000/svg"><rect data-mirror="yes"/></svg>"#;
        let doc = roxmltree::Document::parse(src).unwrap();
        let e = plan(&doc, 0.0, 100.0, &[]).unwrap_err();
        assert!(
            e.contains("data-mirror=\"yes\"") && e.contains("keep"),
            "{e}"
        );
    }

    #[test]
    fn quote_marks_are_found_as_written() {
        let src = r#"<svg xmlns="http://www.w3.org/2000/svg"><text> “ </text><text>&#8221;</text><text>“Hi”</text><text><tspan>«</tspan></text></svg>"#;
        let doc = roxmltree::Document::parse(src).unwrap();
        let marks: Vec<(&str, char, bool)> = quote_marks(&doc)
            .into_iter()
            .map(|q| (&src[q.range], q.written, q.opens))
            .collect();
        assert_eq!(
            marks,
            [("“", '“', true), ("&#8221;", '”', false), ("«", '«', true)]
        );
        let styled = r#"<svg xmlns="http://www.w3.org/2000/svg"><g font-size="30"><text font-family="'Noto Sans', sans-serif" style="font-weight:700;font-size:210px">“</text></g><text>”</text></svg>"#;
        let doc = roxmltree::Document::parse(styled).unwrap();
        let q = quote_marks(&doc);
        assert_eq!(q[0].size, Some(210.0));
        assert_eq!(q[0].family.as_deref(), Some("Noto Sans"));
        assert_eq!(q[0].weight.as_deref(), Some("700"));
        assert_eq!((q[1].size, q[1].family.as_deref()), (None, None));
    }
}
