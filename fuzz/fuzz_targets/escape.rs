//! Escaping, placeholder substitution and text cleaning.
//!
//! Input (lossy UTF-8): `VALUE` or `VALUE\0TEMPLATE`.
//!
//! Checked:
//! * `fill::escape(v)` put in an element and in an attribute parses back (with
//!   roxmltree, the parser usvg uses) to `v`, up to the end-of-line and
//!   attribute white-space normalisation XML itself does, for every `v`
//!   made only of characters XML allows;
//! * `fill::substitute_fields` replaces `{{name}}` in one pass: a known name
//!   gives its value, substituted values are never scanned again, and
//!   markup is never swallowed (every `<` and `>` of the template survives,
//!   in order, when no value holds one);
//! * `text::clean` leaves no control or bidi-override characters, and what it
//!   returns is NFC, trimmed, with no runs of spaces, and cleaning again
//!   changes nothing.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use postkit::fill::{escape, substitute_fields};
use postkit::text::clean;
use unicode_normalization::UnicodeNormalization;

/// XML 1.0 `Char`.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The `<`, `>` of a string, in order.
fn angles(s: &str) -> String {
    s.chars().filter(|c| matches!(c, '<' | '>')).collect()
}

/// A field name as substitution takes it.
fn is_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let (value, template) = input.split_once('\0').unwrap_or((&input, ""));

    // Escaping round trip.
    if value.chars().all(xml_char) {
        let text_doc = format!("<t>{}</t>", escape(value));
        let doc = roxmltree::Document::parse(&text_doc)
            .unwrap_or_else(|e| panic!("escaped text does not parse: {e}: {text_doc:?}"));
        // roxmltree keeps a lone CR: compare both sides end-of-line normalised.
        let eol = |s: &str| s.replace("\r\n", "\n").replace('\r', "\n");
        assert_eq!(
            eol(doc.root_element().text().unwrap_or("")),
            eol(value),
            "text"
        );

        let attr_doc = format!("<t a=\"{}\" b='{}'/>", escape(value), escape(value));
        let doc = roxmltree::Document::parse(&attr_doc)
            .unwrap_or_else(|e| panic!("escaped attribute does not parse: {e}: {attr_doc:?}"));
        let norm = |s: &str| eol(s).replace(['\n', '\t'], " ");
        let a = doc.root_element().attribute("a").map(norm);
        let b = doc.root_element().attribute("b").map(norm);
        assert_eq!(a.as_deref(), Some(norm(value).as_str()), "attribute \"\"");
        assert_eq!(b.as_deref(), Some(norm(value).as_str()), "attribute ''");
    }

    // Substitution: fields named by the value's lines (`k=v`), plus the
    // whole value under "v" so values holding placeholders are exercised.
    let mut fields = BTreeMap::new();
    for line in value.lines() {
        if let Some((k, v)) = line.split_once('=') {
            fields.insert(k.trim().to_string(), v.to_string());
        }
    }
    fields.insert("v".to_string(), value.to_string());
    // A value is never read again: the value's own placeholders survive.
    assert_eq!(substitute_fields("[{{v}}]", &fields), format!("[{value}]"));
    for (k, v) in &fields {
        if is_name(k) {
            assert_eq!(
                substitute_fields(&format!("<{{{{ {k} }}}}>"), &fields),
                format!("<{v}>")
            );
        }
    }
    // Markup is never swallowed: with no angle brackets in the values, the
    // template's survive, in order.
    let plain: std::collections::BTreeMap<String, String> = fields
        .iter()
        .map(|(k, v)| (k.clone(), v.replace(['<', '>'], "")))
        .collect();
    let out = substitute_fields(template, &plain);
    assert_eq!(
        angles(&out),
        angles(template),
        "markup swallowed: {template:?} -> {out:?}"
    );
    // Without "{{" there is nothing to replace.
    if !template.contains("{{") {
        assert_eq!(out, template);
    }

    // Cleaning.
    let c = clean(value);
    assert!(
        !c.chars().any(|ch| (ch.is_control() && ch != '\n')
            || matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')),
        "control or override left: {c:?}"
    );
    assert_eq!(c.trim(), c, "not trimmed");
    assert!(!c.contains("  "), "run of spaces: {c:?}");
    assert!(c.nfc().eq(c.chars()), "not NFC: {c:?}");
    assert_eq!(clean(&c), c, "cleaning twice changes it: {value:?}");
});
