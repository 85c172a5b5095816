//! Parsing one template variant: its canvas and its slots.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use super::transform;
use crate::error::Error;

/// Where a template takes content.
#[derive(Clone, Debug, PartialEq)]
pub struct Slot {
    /// The field it shows (`story`, `org`, `logo`, …).
    pub field: String,
    /// Text or image.
    pub kind: SlotKind,
    /// The rect in its own user space.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
    /// The rect's own `transform` attribute, if any.
    pub transform: Option<String>,
    /// Where the rect is drawn: x, y, width, height in the root's user
    /// space (its own and its groups' transforms applied).
    pub page: [f32; 4],
    /// Root user units per unit of the slot's own space (its groups may
    /// scale it, uniformly).
    pub scale: f32,
    /// Byte range of the whole element in the template source.
    pub range: Range<usize>,
    /// Options (`data-*` attributes, then `template.toml`), unparsed.
    pub options: BTreeMap<String, String>,
}

/// What a slot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotKind {
    /// Wrapped, fitted text.
    Text,
    /// A logo or photo.
    Image,
}

/// Options a slot may carry (as `data-NAME` or in `template.toml`).
pub const SLOT_OPTIONS: &[&str] = &[
    "font-family",
    "font-weight",
    "fill",
    "font-size-max",
    "font-size-min",
    "line-height",
    "align",
    "valign",
    "max-lines",
    "fit",
    "dir",
    "required",
    "wordmark-fill",
    "wordmark-weight",
    "size-under",
    "size-ratio",
];

/// Most elements a template may have.
pub const MAX_ELEMENTS: usize = 50_000;

/// Most nodes (elements, text, comments) read before a template is refused.
const NODES_LIMIT: u32 = (MAX_ELEMENTS * 4) as u32;

/// Makes `{{placeholders}}` where a value could not be written safely inert
/// before a template is parsed: in a comment a value with `--` would make
/// the SVG malformed, so there they are not placeholders (`{{` becomes
/// `{ {`); a CDATA section that holds one becomes ordinary escaped text, so
/// the value (which is escaped) reads the same as anywhere else.
pub fn inert_placeholders(src: &str) -> Cow<'_, str> {
    if !src.contains("{{") || !(src.contains("<!--") || src.contains("<![CDATA[")) {
        return Cow::Borrowed(src);
    }
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    loop {
        let next = [("<!--", "-->"), ("<![CDATA[", "]]>")]
            .into_iter()
            .filter_map(|(open, close)| rest.find(open).map(|at| (at, open, close)))
            .min_by_key(|(at, _, _)| *at);
        let Some((at, open, close)) = next else {
            break;
        };
        let body_start = at + open.len();
        let Some(len) = rest[body_start..].find(close) else {
            break; // unterminated: the parser reports it
        };
        let body = &rest[body_start..body_start + len];
        let end = body_start + len + close.len();
        out.push_str(&rest[..at]);
        if open == "<!--" {
            out.push_str(open);
            out.push_str(&body.replace("{{", "{ {"));
            out.push_str(close);
        } else if body.contains("{{") {
            out.push_str(&crate::template::escape(body));
        } else {
            out.push_str(&rest[at..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The families of a CSS `font-family` value, unquoted.
pub fn font_families(list: &str) -> Vec<&str> {
    list.split(',')
        .map(|f| f.trim().trim_matches(['\'', '"']).trim())
        .filter(|f| !f.is_empty())
        .collect()
}

/// The `font-family` values of a CSS declaration list or style sheet.
fn css_font_families(css: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = css;
    while let Some(i) = rest.find("font-family") {
        let after = &rest[i + "font-family".len()..];
        let Some(value) = after.trim_start().strip_prefix(':') else {
            rest = after;
            continue;
        };
        let end = value.find([';', '}']).unwrap_or(value.len());
        let v = value[..end].trim().trim_end_matches("!important").trim();
        if !v.is_empty() {
            out.push(v.to_string());
        }
        rest = &value[end..];
    }
    out
}

/// Why an href may not be followed, if it may not: only `#fragment`s, `data:`
/// URLs and plain relative paths that stay inside the template's folder.
pub fn href_refused(href: &str) -> Option<&'static str> {
    let h = href.trim();
    if h.starts_with('#') || h.starts_with("data:") {
        return None;
    }
    if h.contains("://") || h.to_ascii_lowercase().starts_with("file:") {
        return Some("a URL");
    }
    if let Some((scheme, _)) = h.split_once(':') {
        if scheme.len() > 1 && scheme.chars().all(|c| c.is_ascii_alphabetic()) {
            return Some("a URL");
        }
        return Some("an absolute path");
    }
    if h.starts_with('/') || h.starts_with('\\') {
        return Some("an absolute path");
    }
    if h.split(['/', '\\']).any(|part| part == "..") {
        return Some("it leaves the template's folder");
    }
    None
}

/// Fields whose slots hold images.
pub const IMAGE_FIELDS: &[&str] = &["logo", "photo", "portrait", "still", "image"];

/// A parsed variant: canvas size and slots.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// viewBox origin x.
    pub vb_x: f32,
    /// viewBox origin y.
    pub vb_y: f32,
    /// Canvas width in user units.
    pub width: f32,
    /// Canvas height in user units.
    pub height: f32,
    /// Slots in document order.
    pub slots: Vec<Slot>,
    /// Where attributes may be added to the root start tag (after `<svg`).
    pub root_insert: usize,
    /// Where the root's content starts (just after its start tag).
    pub root_body: usize,
    /// Where the root's content ends (its end tag).
    pub root_end: usize,
    /// Root attributes the output replaces (size, viewBox, aspect, background).
    pub root_drop: Vec<Range<usize>>,
    /// Elements shown only when a field is set (`data-if`) or unset
    /// (`data-unless`): (byte range, field, shown when set).
    pub conditionals: Vec<(Range<usize>, String, bool)>,
    /// The root's `data-background`, if any.
    pub background: Option<String>,
    /// Font families the template sets outside its slots (`font-family`
    /// attributes, `style` attributes and `<style>` sheets): (the family
    /// list as written, the element and where it is).
    pub fonts: Vec<(String, String)>,
    /// Inkscape flowed text (`<flowRoot>`), which is not drawn: where each is.
    pub flowed: Vec<String>,
    /// Each `!important` in the template's style sheets: dropped when
    /// filling, so that no rule outranks the `style` of postkit's own text.
    pub important: Vec<Range<usize>>,
    /// The root's `data-rtl` (`mirror` or `keep`), if any: overrides the
    /// set's `rtl` for this variant.
    pub rtl: Option<super::mirror::RtlLayout>,
    /// How the variant is mirrored for a right-to-left story.
    pub mirror: super::mirror::MirrorPlan,
    /// The quotation marks it draws as text.
    pub quotes: super::mirror::QuoteMarks,
    /// What moves in a clip, and how.
    pub motion: super::motion::MotionPlan,
    /// The root's `data-for`: which presets the variant is drawn for.
    pub serves: VariantUse,
}

/// Which presets a variant is drawn for (`data-for` on its `<svg>`): a
/// layout made for a clip keeps clear of the apps' overlays, which a
/// still's layout need not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VariantUse {
    /// Both stills and clips (no `data-for`).
    #[default]
    Any,
    /// `data-for="still"`: never chosen for a clip.
    Still,
    /// `data-for="video"`: only chosen for a clip.
    Video,
}

fn number(v: &str) -> Option<f32> {
    let v = v.trim();
    let v = v.strip_suffix("px").unwrap_or(v);
    v.parse::<f32>().ok().filter(|n| n.is_finite())
}

/// Finds the canvas and the slots of an SVG template.
///
/// `overrides` are the `[slots.NAME]` tables of `template.toml`.
pub fn parse(
    src: &str,
    origin: &str,
    overrides: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<Parsed, Error> {
    let err = |message: String| Error::Template {
        template: origin.to_string(),
        message,
    };
    let doc = document(src).map_err(err)?;
    let fonts = sandbox(&doc).map_err(err)?;
    let flowed = doc
        .descendants()
        .filter(|n| n.has_tag_name("flowRoot"))
        .map(|n| position(&doc, n.range().start))
        .collect();
    let important = important(src, &doc);
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return Err(err(format!(
            "the root element is <{}>, not <svg>",
            root.tag_name().name()
        )));
    }
    let (vb_x, vb_y, width, height) = canvas(root).map_err(err)?;
    let root_insert = root.range().start + "<svg".len();
    if !src[root.range().start..].starts_with("<svg") {
        return Err(err(
            "the <svg> element must not carry a namespace prefix (write <svg xmlns=...>)".into(),
        ));
    }
    let root_body =
        tag_end(src, root_insert).ok_or_else(|| err("unterminated <svg> tag".into()))?;
    let root_end = src[..root.range().end]
        .rfind("</")
        .filter(|&e| e >= root_body)
        .unwrap_or(root_body);
    let root_drop = root
        .attributes()
        .filter(|a| {
            a.namespace().is_none()
                && matches!(
                    a.name(),
                    "width" | "height" | "viewBox" | "preserveAspectRatio" | "data-background"
                )
        })
        .map(|a| a.range())
        .collect();
    let (slots, conditionals) = slots(&doc, overrides).map_err(err)?;
    let rtl = match root.attribute("data-rtl") {
        None => None,
        Some(v) => Some(super::mirror::RtlLayout::parse(v).ok_or_else(|| {
            err(format!(
                "data-rtl=\"{v}\" on the <svg> element: use mirror (the layout is mirrored for right-to-left stories) or keep"
            ))
        })?),
    };
    let serves = match root.attribute("data-for") {
        None => VariantUse::Any,
        Some("video") => VariantUse::Video,
        Some("still") => VariantUse::Still,
        Some(v) => {
            return Err(err(format!(
                "data-for=\"{v}\" on the <svg> element: use video (this layout is only for clips) or still (only for images), or leave it out (both)"
            )))
        }
    };
    let ranges: Vec<Range<usize>> = slots.iter().map(|s| s.range.clone()).collect();
    let mirror = super::mirror::plan(&doc, vb_x, width, &ranges).map_err(err)?;
    let quotes = super::mirror::quote_marks(&doc);
    let motion = super::motion::plan(&doc, &slots).map_err(err)?;
    Ok(Parsed {
        vb_x,
        vb_y,
        width,
        height,
        slots,
        root_insert,
        root_body,
        root_end,
        root_drop,
        conditionals,
        background: root.attribute("data-background").map(str::to_string),
        serves,
        fonts,
        flowed,
        important,
        rtl,
        mirror,
        quotes,
        motion,
    })
}

/// The XML tree of a template, within the element limit.
pub(super) fn document(src: &str) -> Result<roxmltree::Document<'_>, String> {
    internal_subset(src)?;
    let doc = roxmltree::Document::parse_with_options(
        src,
        roxmltree::ParsingOptions {
            // A DOCTYPE line (Illustrator, Affinity) is harmless once its
            // internal subset, where entities live, is refused above.
            allow_dtd: true,
            // Stop early rather than build a tree of millions of nodes: a
            // template past this is past MAX_ELEMENTS too.
            nodes_limit: NODES_LIMIT,
            ..Default::default()
        },
    )
    .map_err(|e| match e {
        roxmltree::Error::NodesLimitReached => format!(
            "has more than {MAX_ELEMENTS} elements; the limit is {MAX_ELEMENTS}: simplify it (flatten patterns, merge paths)"
        ),
        e => format!("not well-formed SVG: {e}"),
    })?;
    let elements = doc.descendants().filter(|n| n.is_element()).count();
    if elements > MAX_ELEMENTS {
        return Err(format!(
            "has {elements} elements; the limit is {MAX_ELEMENTS}: simplify it (flatten patterns, merge paths)"
        ));
    }
    Ok(doc)
}

/// Where the template's `<style>` sheets say `!important`.
fn important(src: &str, doc: &roxmltree::Document) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for text in doc
        .descendants()
        .filter(|n| n.has_tag_name("style"))
        .flat_map(|n| n.children())
        .filter(|n| n.is_text())
    {
        let r = text.range();
        let body = &src[r.clone()];
        let mut from = 0;
        while let Some(i) = body[from..].find('!') {
            let at = from + i;
            let rest = body[at + 1..].trim_start();
            if rest
                .get(..9)
                .is_some_and(|w| w.eq_ignore_ascii_case("important"))
            {
                let end = body.len() - rest.len() + 9;
                out.push(r.start + at..r.start + end);
                from = end;
            } else {
                from = at + 1;
            }
        }
    }
    out
}

/// Refuses a DOCTYPE with an internal subset (`<!DOCTYPE svg … [ … ]>`),
/// where entities are declared; a plain DOCTYPE line is accepted.
fn internal_subset(src: &str) -> Result<(), String> {
    let Some(at) = src.find("<!DOCTYPE") else {
        return Ok(());
    };
    let mut quote: Option<char> = None;
    for (i, c) in src[at..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Ok(()),
            (None, '[') => {
                let line = src[..at + i].matches('\n').count() + 1;
                return Err(format!(
                    "its <!DOCTYPE> has an internal subset (the [ … ] block from line {line}), which declares entities postkit does not read; delete everything from the '[' to the ']' (or the whole <!DOCTYPE …> line) and write out any &name; references it defines (in Illustrator, File → Export → Export As… → SVG writes none)"
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The sandbox: a template reads nothing but its own folder and data:
/// URLs. Also gathers the font families it sets outside its slots.
fn sandbox(doc: &roxmltree::Document) -> Result<Vec<(String, String)>, String> {
    let mut fonts = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        // Flowed text is not drawn (reported on its own): its fonts are moot.
        let flowed = node.ancestors().any(|a| a.has_tag_name("flowRoot"));
        let what = || {
            format!(
                "<{}> at {}",
                node.tag_name().name(),
                position(doc, node.range().start)
            )
        };
        let mut families: Vec<String> = Vec::new();
        if let Some(f) = node.attribute("font-family") {
            families.push(f.to_string());
        }
        if let Some(style) = node.attribute("style") {
            families.extend(css_font_families(style));
        }
        if node.has_tag_name("style") {
            families.extend(css_font_families(node.text().unwrap_or_default()));
        }
        fonts.extend(
            families
                .into_iter()
                .filter(|f| !f.contains("{{") && !flowed)
                .map(|f| (f, what())),
        );
        for a in node.attributes().filter(|a| a.name() == "href") {
            if let Some(why) = href_refused(a.value()) {
                return Err(format!(
                    "{} links to '{}', which postkit will not read ({why}); embed it as a data: URL or put the file in the template's folder",
                    what(),
                    a.value()
                ));
            }
        }
        if node.has_tag_name("style") {
            let css = node.text().unwrap_or_default();
            if css.contains("@import") || css.contains("url(") && !css.contains("url(#") {
                return Err(format!(
                    "the <style> at {} loads an external stylesheet or file; keep styles in the template",
                    position(doc, node.range().start)
                ));
            }
        }
    }
    Ok(fonts)
}

/// The canvas in user units: the viewBox, or the root's width and height.
fn canvas(root: roxmltree::Node) -> Result<(f32, f32, f32, f32), String> {
    if let Some(vb) = root.attribute("viewBox") {
        let n: Vec<f32> = vb
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .filter_map(number)
            .collect();
        if n.len() != 4 || n[2] <= 0.0 || n[3] <= 0.0 {
            return Err(format!(
                "viewBox=\"{vb}\" is not four numbers with a positive width and height"
            ));
        }
        return Ok((n[0], n[1], n[2], n[3]));
    }
    let w = root.attribute("width").and_then(number);
    let h = root.attribute("height").and_then(number);
    match (w, h) {
        (Some(w), Some(h)) if w > 0.0 && h > 0.0 => Ok((0.0, 0.0, w, h)),
        _ => Err(no_view_box(root)),
    }
}

/// The refusal of a root with no viewBox, proposing one from its width and
/// height when they have units (`210mm`, `8.5in`).
fn no_view_box(root: roxmltree::Node) -> String {
    let px = |a: &str| root.attribute(a).and_then(length_px).filter(|v| *v > 0.0);
    match (px("width"), px("height")) {
        (Some(w), Some(h)) => format!(
            "the <svg> element needs a viewBox: add viewBox=\"0 0 {} {}\" (its width=\"{}\" and height=\"{}\" in px)",
            short(w),
            short(h),
            root.attribute("width").unwrap_or_default(),
            root.attribute("height").unwrap_or_default()
        ),
        _ => "the <svg> element needs a viewBox (or width and height in px)".into(),
    }
}

/// A CSS length in px (96 per inch).
fn length_px(v: &str) -> Option<f32> {
    let v = v.trim();
    let split = v
        .find(|c: char| c.is_ascii_alphabetic() || c == '%')
        .unwrap_or(v.len());
    let n: f32 = v[..split]
        .trim()
        .parse()
        .ok()
        .filter(|n: &f32| n.is_finite())?;
    let per = match &v[split..] {
        "" | "px" => 1.0,
        "in" => 96.0,
        "cm" => 96.0 / 2.54,
        "mm" => 96.0 / 25.4,
        "pt" => 96.0 / 72.0,
        "pc" => 16.0,
        _ => return None,
    };
    Some(n * per)
}

/// A number with at most two decimals, without trailing zeros.
fn short(v: f32) -> String {
    let s = format!("{:.2}", (v * 100.0).round() / 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The conditional elements and the slots, in document order; slots may
/// not nest (a slot inside a slot would be replaced twice).
type Conditionals = Vec<(Range<usize>, String, bool)>;
fn slots(
    doc: &roxmltree::Document,
    overrides: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<(Vec<Slot>, Conditionals), String> {
    let root = doc.root_element();
    let mut slots = Vec::new();
    let mut conditionals = Vec::new();
    for node in root.descendants().filter(|n| n.is_element()) {
        for (attr, when_set) in [("data-if", true), ("data-unless", false)] {
            if let Some(f) = node.attribute(attr) {
                if node == root {
                    return Err(format!("{attr} cannot be used on the <svg> element"));
                }
                conditionals.push((node.range(), f.trim().to_string(), when_set));
            }
        }
        let field = match (node.attribute("data-slot"), node.attribute("id")) {
            (Some(f), _) => f.to_string(),
            (None, Some(id)) if id.starts_with("slot-") => id["slot-".len()..].to_string(),
            _ => continue,
        };
        slots.push(slot(doc, node, field, overrides)?);
    }
    for pair in slots.windows(2) {
        if pair[1].range.start < pair[0].range.end {
            return Err(format!(
                "slot '{}' is inside slot '{}'; slots cannot nest",
                pair[1].field, pair[0].field
            ));
        }
    }
    Ok((slots, conditionals))
}

/// The slot an element for `field` marks, checked.
fn slot(
    doc: &roxmltree::Document,
    node: roxmltree::Node,
    field: String,
    overrides: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<Slot, String> {
    let at = position(doc, node.range().start);
    if node.tag_name().name() != "rect" {
        return Err(format!(
            "slot '{field}' at {at} is a <{}>; slots must be <rect> elements",
            node.tag_name().name()
        ));
    }
    if field.is_empty()
        || !field
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
    {
        return Err(format!(
            "slot name '{field}' at {at}: use letters, digits, '_', '-' or '.'"
        ));
    }
    let get = |a: &str| -> Result<f32, String> {
        let v = node.attribute(a).unwrap_or("0");
        number(v)
            .ok_or_else(|| format!("slot '{field}' at {at}: {a}=\"{v}\" is not a number in px"))
    };
    let (x, y, w, h) = (get("x")?, get("y")?, get("width")?, get("height")?);
    if w <= 0.0 || h <= 0.0 {
        return Err(format!(
            "slot '{field}' at {at} has no area ({w}x{h}); give it a width and height"
        ));
    }
    let (page, scale) = placement(doc, node, &field, &at, [x, y, w, h])?;
    let mut options = slot_options(node, &field, &at)?;
    if let Some(o) = overrides.get(&field) {
        options.extend(o.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let kind = if options.contains_key("fit") || IMAGE_FIELDS.contains(&field.as_str()) {
        SlotKind::Image
    } else {
        SlotKind::Text
    };
    Ok(Slot {
        field,
        kind,
        x,
        y,
        width: w,
        height: h,
        transform: node.attribute("transform").map(str::to_string),
        page,
        scale,
        range: node.range(),
        options,
    })
}

/// Where a slot's rect is drawn in the root's user space, and its scale:
/// its own and its groups' transforms composed. A slot that is rotated,
/// skewed, mirrored or stretched is refused (text is set upright).
fn placement(
    doc: &roxmltree::Document,
    node: roxmltree::Node,
    field: &str,
    at: &str,
    [x, y, w, h]: [f32; 4],
) -> Result<([f32; 4], f32), String> {
    let mut m = transform::IDENTITY;
    let root = doc.root_element();
    for el in node.ancestors().filter(|n| n.is_element() && *n != root) {
        if el.has_tag_name("svg") || el.has_tag_name("symbol") {
            return Err(format!(
                "slot '{field}' at {at} is inside a nested <{}>; move its rect out to the main <svg>",
                el.tag_name().name()
            ));
        }
        let Some(t) = el.attribute("transform") else {
            continue;
        };
        let whose = if el == node {
            "its own".to_string()
        } else {
            format!(
                "on <{}> at {}",
                el.tag_name().name(),
                position(doc, el.range().start)
            )
        };
        let one = transform::parse(t).ok_or_else(|| {
            format!("slot '{field}' at {at}: transform=\"{t}\" ({whose}) is not a transform postkit can read")
        })?;
        if let Err(why) = transform::uniform_scale(&one) {
            return Err(format!(
                "slot '{field}' at {at}: transform=\"{t}\" ({whose}) {why}, and postkit sets text upright and unstretched; draw the slot as an upright rect outside that group (in Inkscape: select it and Layer → Move Selection to Layer…, to a layer without a transform)"
            ));
        }
        m = transform::then(m, one);
    }
    let scale = transform::uniform_scale(&m).map_err(|why| {
        format!("slot '{field}' at {at}: its groups' transforms together {why}; draw its rect outside them")
    })?;
    let (x0, y0) = (m[0] * x as f64 + m[4], m[3] * y as f64 + m[5]);
    let page = [
        x0 as f32,
        y0 as f32,
        (w as f64 * scale) as f32,
        (h as f64 * scale) as f32,
    ];
    Ok((page, scale as f32))
}

/// A slot's `data-*` options, each one postkit knows.
fn slot_options(
    node: roxmltree::Node,
    field: &str,
    at: &str,
) -> Result<BTreeMap<String, String>, String> {
    let mut options = BTreeMap::new();
    for a in node.attributes() {
        let Some(opt) = a.name().strip_prefix("data-") else {
            continue;
        };
        if matches!(opt, "slot" | "if" | "unless") || opt.starts_with("motion") {
            continue;
        }
        if !SLOT_OPTIONS.contains(&opt) {
            let valid: Vec<String> = SLOT_OPTIONS.iter().map(|o| format!("data-{o}")).collect();
            return Err(format!(
                "slot '{field}' at {at}: unknown option data-{opt}; valid options: {}",
                valid.join(", ")
            ));
        }
        options.insert(opt.to_string(), a.value().to_string());
    }
    Ok(options)
}

/// "line L, column C" of a byte offset.
pub(super) fn position(doc: &roxmltree::Document, pos: usize) -> String {
    let p = doc.text_pos_at(pos);
    format!("line {}, column {}", p.row, p.col)
}

/// The byte just after the `>` that closes the start tag beginning before `from`.
fn tag_end(src: &str, from: usize) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in src[from..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(from + i + 1),
            _ => {}
        }
    }
    None
}
