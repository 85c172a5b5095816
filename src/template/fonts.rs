//! Font names as design tools write them. Illustrator and Affinity often
//! write a face's PostScript name (`'NotoSans-Bold'`, `GillSansMT-Bold`) or
//! full name (`Noto Sans Bold`) where CSS expects a family: these map such a
//! name to the family, weight and style it names, so the face is found.

/// A face named by its PostScript or full name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The family, as the font database knows it.
    pub family: String,
    /// CSS weight.
    pub weight: u16,
    /// Italic or oblique.
    pub italic: bool,
}

/// Style words of PostScript and full names, with the weight they name.
const WEIGHTS: &[(&str, u16)] = &[
    ("thin", 100),
    ("hairline", 100),
    ("extralight", 200),
    ("ultralight", 200),
    ("light", 300),
    ("regular", 400),
    ("book", 400),
    ("normal", 400),
    ("roman", 400),
    ("medium", 500),
    ("semibold", 600),
    ("demibold", 600),
    ("bold", 700),
    ("extrabold", 800),
    ("ultrabold", 800),
    ("heavy", 800),
    ("black", 900),
];

/// A name split into its family part and the weight and style its last
/// part names: `GillSansMT-BoldItalic` → (`GillSansMT`, 700, italic),
/// `Noto Sans Bold` → (`Noto Sans`, 700, upright). None when the name has
/// no style part.
pub fn split_style(name: &str) -> Option<(&str, u16, bool)> {
    let name = name.trim();
    let at = name.rfind(['-', ' '])?;
    let (family, style) = (name[..at].trim(), name[at + 1..].to_ascii_lowercase());
    let (rest, italic) = match ["italic", "oblique", "it"]
        .iter()
        .find_map(|s| style.strip_suffix(s))
    {
        Some(rest) => (rest, true),
        None => (style.as_str(), false),
    };
    let weight = if rest.is_empty() {
        400
    } else {
        WEIGHTS.iter().find(|(w, _)| *w == rest)?.1
    };
    (!family.is_empty()).then_some((family, weight, italic))
}

/// Family names a PostScript family part may stand for: itself, and its
/// words split where the case changes (`GillSansMT` → `Gill Sans MT`).
pub fn family_candidates(part: &str) -> Vec<String> {
    let mut split = String::new();
    let chars: Vec<char> = part.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase() || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary {
            split.push(' ');
        }
        split.push(c);
    }
    let mut out = vec![part.to_string()];
    if split != part {
        out.push(split);
    }
    out
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn english_family(face: &fontdb::FaceInfo) -> Option<&str> {
    face.families
        .iter()
        .find(|f| f.1 == fontdb::Language::English_UnitedStates)
        .or(face.families.first())
        .map(|f| f.0.as_str())
}

fn named(face: &fontdb::FaceInfo) -> Option<Named> {
    Some(Named {
        family: english_family(face)?.to_string(),
        weight: face.weight.0,
        italic: face.style != fontdb::Style::Normal,
    })
}

/// The face a name that is not a family names: by PostScript name, by full
/// name, then by a family part and style words (`NotoSans-Bold` when the
/// book has Noto Sans Bold). None for a family name or an unknown name.
pub fn by_name(db: &fontdb::Database, name: &str) -> Option<Named> {
    let name = name.trim().trim_matches(['\'', '"']).trim();
    let is_family = |f: &str| {
        db.faces()
            .any(|face| face.families.iter().any(|(n, _)| n.eq_ignore_ascii_case(f)))
    };
    if name.is_empty() || is_family(name) {
        return None;
    }
    if let Some(face) = db
        .faces()
        .find(|f| f.post_script_name.eq_ignore_ascii_case(name))
    {
        return named(face);
    }
    if let Some(face) = db
        .faces()
        .find(|f| full_name(db, f.id).is_some_and(|n| n.eq_ignore_ascii_case(name)))
    {
        return named(face);
    }
    let (part, weight, italic) = split_style(name).unwrap_or((name, 400, false));
    let want = squash(part);
    let family = db
        .faces()
        .filter_map(english_family)
        .find(|f| squash(f) == want)?;
    Some(Named {
        family: family.to_string(),
        weight,
        italic,
    })
}

/// A face's full name (name ID 4), in English where it has one.
fn full_name(db: &fontdb::Database, id: fontdb::ID) -> Option<String> {
    use skrifa::MetadataProvider;
    db.with_face_data(id, |data, index| {
        let font = skrifa::FontRef::from_index(data, index).ok()?;
        let mut names = font.localized_strings(skrifa::string::StringId::FULL_NAME);
        let english = names.clone().find(|s| s.language() == Some("en-US"));
        english.or_else(|| names.next()).map(|s| s.to_string())
    })
    .flatten()
}

/// True when `name` (a family, or a PostScript or full name) names a face
/// `available` knows by family: for callers that only know families.
pub fn known_by_family(name: &str, available: impl Fn(&str) -> bool) -> bool {
    if available(name) {
        return true;
    }
    let part = split_style(name).map_or(name, |(p, _, _)| p);
    family_candidates(part).iter().any(|c| available(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn style_parts_are_read() {
        assert_eq!(split_style("NotoSans-Bold"), Some(("NotoSans", 700, false)));
        assert_eq!(
            split_style("GillSansMT-BoldItalic"),
            Some(("GillSansMT", 700, true))
        );
        assert_eq!(
            split_style("Noto Sans SemiBold"),
            Some(("Noto Sans", 600, false))
        );
        assert_eq!(split_style("Roboto-It"), Some(("Roboto", 400, true)));
        assert_eq!(split_style("Noto Sans"), None);
        assert_eq!(split_style("Bold"), None);
    }

    #[test]
    fn camel_case_families_split() {
        assert_eq!(
            family_candidates("GillSansMT"),
            ["GillSansMT", "Gill Sans MT"]
        );
        assert_eq!(family_candidates("NotoSans"), ["NotoSans", "Noto Sans"]);
        assert_eq!(family_candidates("Arial"), ["Arial"]);
    }

    #[test]
    fn names_map_to_faces_of_the_book() {
        let book = crate::text::FontBook::new(&[] as &[&str]).unwrap();
        let db = book.database();
        let bold = Named {
            family: "Noto Sans".into(),
            weight: 700,
            italic: false,
        };
        assert_eq!(by_name(&db, "'NotoSans-Bold'"), Some(bold.clone()));
        assert_eq!(by_name(&db, "Noto Sans Bold"), Some(bold));
        assert_eq!(
            by_name(&db, "NotoSansArabic-Regular").unwrap().family,
            "Noto Sans Arabic"
        );
        assert_eq!(by_name(&db, "Noto Sans"), None);
        assert_eq!(by_name(&db, "GillSansMT-Bold"), None);
        assert!(known_by_family("NotoSans-Bold", |f| book.has_family(f)));
        assert!(!known_by_family("GillSansMT-Bold", |f| book.has_family(f)));
    }
}
