//! Typed parsers for the values a person types: one each for a focal
//! point, a direction, a list of hashtags or handles, a date and a shard.
//! The command line's flags, a spreadsheet's columns and a web form's
//! fields all go through these, so each is checked one way and its error
//! reads the same everywhere.

use crate::text::Direction;

/// `x,y`, each from 0 to 1: a photo's focal point.
pub fn focus(s: &str) -> Result<(f32, f32), String> {
    s.split_once(',')
        .and_then(|(x, y)| Some((x.trim().parse::<f32>().ok()?, y.trim().parse::<f32>().ok()?)))
        .filter(|(x, y)| (0.0..=1.0).contains(x) && (0.0..=1.0).contains(y))
        .ok_or_else(|| {
            format!("'{s}' is not a focal point; write X,Y with each from 0 to 1, e.g. 0.5,0.3")
        })
}

/// `auto`, `ltr` or `rtl`.
pub fn direction(s: &str) -> Result<Direction, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "auto" => Ok(Direction::Auto),
        "ltr" => Ok(Direction::Ltr),
        "rtl" => Ok(Direction::Rtl),
        _ => Err(format!("'{}' is not ltr, rtl or auto", s.trim())),
    }
}

/// A language tag (BCP 47, such as `ur`, `ar`, `zh-Hant` or `pt-BR`;
/// `_` is read as `-`): a language of 2 to 8 letters, then subtags of 1 to
/// 8 letters or digits. Checked for its form only.
pub fn lang(s: &str) -> Result<String, String> {
    let tag = s.trim().replace('_', "-");
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    let language = (2..=8).contains(&first.len()) && first.chars().all(|c| c.is_ascii_alphabetic());
    let rest =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if language && rest {
        Ok(tag)
    } else {
        Err(format!(
            "'{}' is not a language tag; write one such as ar, ur, uk, ti or zh-Hant",
            s.trim().chars().take(40).collect::<String>()
        ))
    }
}

/// A list of hashtags (`prefix` `#`) or handles (`@`): each item trimmed,
/// the prefix added where it is missing, empty items dropped.
pub fn tags<'a>(items: impl IntoIterator<Item = &'a str>, prefix: char) -> Vec<String> {
    items
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.starts_with(prefix) {
                s.to_string()
            } else {
                format!("{prefix}{s}")
            }
        })
        .collect()
}

/// `YYYY-MM-DD`.
pub fn date(s: &str) -> Result<time::Date, String> {
    crate::inputs::campaign::parse_date(s)
        .ok_or_else(|| format!("'{s}' is not a date; write YYYY-MM-DD"))
}

/// `I/N` with 1 <= I <= N: shard I of N.
pub fn shard(s: &str) -> Result<(usize, usize), String> {
    s.split_once('/')
        .and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)))
        .filter(|&(i, n): &(usize, usize)| i >= 1 && i <= n)
        .ok_or_else(|| format!("'{s}' is not a shard; write I/N with 1 <= I <= N, e.g. 2/4"))
}

/// `KEY=VALUE`, the key made of letters, digits, `_`, `-` or `.`: a
/// template field given on the command line.
pub fn field(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not KEY=VALUE"))?;
    let k = k.trim();
    if k.is_empty()
        || !k
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
    {
        return Err(format!(
            "field name '{k}' must be letters, digits, '_', '-' or '.'"
        ));
    }
    Ok((k.to_string(), v.to_string()))
}

/// A clip's length: seconds (`12`, `12.5`, `12s`).
pub fn duration(s: &str) -> Result<f32, String> {
    let t = s.trim();
    let t = t.strip_suffix('s').unwrap_or(t).trim();
    t.parse::<f32>()
        .ok()
        .filter(|d| d.is_finite() && *d > 0.0)
        .ok_or_else(|| format!("\"{s}\" is not a length: give seconds, such as 12 or 12.5"))
}

/// A clip's audio: `silent` (a silent track, which lets Instagram add
/// music) or `none`.
pub fn audio(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "silent" | "yes" | "true" => Ok(true),
        "none" | "no" | "false" => Ok(false),
        _ => Err(format!(
            "\"{s}\": give silent (a silent track, so Instagram can add music) or none"
        )),
    }
}

/// `png`, `jpeg`, `webp` or `auto`.
pub fn format(s: &str) -> Result<crate::output::Format, String> {
    crate::output::Format::parse(s)
        .ok_or_else(|| format!("'{s}' is not a format; use png, jpeg, webp or auto"))
}

/// `fast`, `balanced` or `small`.
pub fn png_level(s: &str) -> Result<crate::output::PngLevel, String> {
    crate::output::PngLevel::parse(s)
        .ok_or_else(|| format!("'{s}' is not a PNG level; use fast, balanced or small"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn focus_points_are_two_numbers_in_the_unit_square() {
        assert_eq!(focus("0.5,0.3"), Ok((0.5, 0.3)));
        assert_eq!(focus(" 1 , 0 "), Ok((1.0, 0.0)));
        for bad in ["2,0", "0.5", "a,b", "", "0.5,-0.1", "NaN,0"] {
            assert_eq!(
                focus(bad),
                Err(format!(
                    "'{bad}' is not a focal point; write X,Y with each from 0 to 1, e.g. 0.5,0.3"
                ))
            );
        }
    }

    #[test]
    fn directions_are_three_words() {
        assert_eq!(direction("RTL"), Ok(Direction::Rtl));
        assert_eq!(direction("ltr"), Ok(Direction::Ltr));
        assert_eq!(direction(" auto "), Ok(Direction::Auto));
        assert_eq!(direction("up"), Err("'up' is not ltr, rtl or auto".into()));
    }

    #[test]
    fn language_tags_are_checked_for_their_form() {
        for (given, tag) in [
            ("ur", "ur"),
            (" zh-Hant ", "zh-Hant"),
            ("pt_BR", "pt-BR"),
            ("ckb", "ckb"),
        ] {
            assert_eq!(lang(given), Ok(tag.to_string()));
        }
        for bad in [
            "a",
            "Arabic language",
            "ar-",
            "ar--EG",
            "عربي",
            "en-GB!",
            "x1",
        ] {
            assert!(
                lang(bad).unwrap_err().contains("is not a language tag"),
                "{bad}"
            );
        }
    }

    #[test]
    fn tags_get_their_prefix_once() {
        assert_eq!(
            tags(["MigrantsDay", " #Plymouth ", "", "#"], '#'),
            ["#MigrantsDay", "#Plymouth", "#"]
        );
        assert_eq!(
            tags(["IOM_UK", "@UNMigration"], '@'),
            ["@IOM_UK", "@UNMigration"]
        );
    }

    #[test]
    fn dates_and_shards() {
        assert_eq!(date("2026-12-18").unwrap().day(), 18);
        assert!(date("18/12/2026").unwrap_err().contains("YYYY-MM-DD"));
        assert_eq!(shard("2/4"), Ok((2, 4)));
        assert_eq!(shard("4/4"), Ok((4, 4)));
        for bad in ["0/4", "5/4", "4/3", "x/2", "2"] {
            assert!(shard(bad).unwrap_err().contains("is not a shard"), "{bad}");
        }
    }
}
